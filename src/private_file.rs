//! Files that hold a secret (a token): readable by their owner only, and that owner the
//! user running guichet, as ssh demands of a private key. One check for every such file:
//! the GLPI token file, a `config.toml` holding the listener's token.

use std::os::unix::fs::MetadataExt;

/// Checks the metadata of a file already opened (what is read is what was checked).
/// `what` names the file as the start of a sentence: « le fichier du jeton GLPI « … » »;
/// the error is that one sentence, with the mode and the command that mends it.
pub fn check_private(meta: &std::fs::Metadata, what: &str) -> Result<(), String> {
    if meta.mode() & 0o077 != 0 {
        return Err(format!(
            "{what} est lisible par d'autres que son propriétaire (mode {:04o}) : le \
             protéger (chmod 600)",
            meta.mode() & 0o7777
        ));
    }
    let me = rustix::process::geteuid().as_raw();
    if meta.uid() != me {
        return Err(format!(
            "{what} appartient à l'utilisateur n° {}, pas à celui qui lance guichet (n° {me}) \
             : le lui donner (chown)",
            meta.uid()
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn only_the_owner_may_read_or_write() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("jeton");
        std::fs::write(&file, "x").unwrap();
        let with = |mode: u32| {
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(mode)).unwrap();
            check_private(&std::fs::metadata(&file).unwrap(), "le fichier F")
        };
        for mode in [0o600, 0o400, 0o700] {
            assert_eq!(with(mode), Ok(()), "{mode:o}");
        }
        for mode in [0o644, 0o640, 0o660, 0o604, 0o602, 0o610, 0o601] {
            let said = with(mode).unwrap_err();
            assert_eq!(
                said,
                format!(
                    "le fichier F est lisible par d'autres que son propriétaire (mode \
                     {mode:04o}) : le protéger (chmod 600)"
                )
            );
        }
    }
}
