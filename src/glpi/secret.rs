//! The hand-off's secrets (the user token, the application token, the session, a password
//! in the configured URL): read into memory that is wiped when dropped, kept out of core
//! dumps, and scrubbed from whatever text comes back from GLPI or the network library.

use crate::domain::text::named;
use std::borrow::Cow;
use std::io::Read;
use zeroize::Zeroizing;

/// No core dump of this process from now on: it holds a token. Not undone when the token
/// is dropped: copies the HTTP library made of the headers (not wiped) may still be in
/// freed memory. Done with rustix, already in the tree for guichet's other system calls,
/// whose prctl and setrlimit are safe functions (the crate's lints deny `unsafe`, which
/// libc's would need).
pub fn forbid_core_dumps() {
    use rustix::process::{DumpableBehavior, Resource, Rlimit, getrlimit, setrlimit};
    // Neither can fail for a process on itself with these values; if one did, the other
    // still holds, and the hand-off goes on (a refusal would help nobody).
    let _ = rustix::process::set_dumpable_behavior(DumpableBehavior::NotDumpable);
    let hard = getrlimit(Resource::Core).maximum;
    let _ = setrlimit(
        Resource::Core,
        Rlimit {
            current: Some(0),
            maximum: hard,
        },
    );
}

/// The user token in `path`: a regular file of the user running guichet, readable by its
/// owner only (as ssh refuses a private key others can read). The checks are made on the
/// file opened, not on its name: what is read is what was checked.
pub fn read_token_file(path: &std::path::Path) -> Result<Zeroizing<String>, String> {
    let shown = path.display().to_string();
    let unreadable =
        |e: std::io::Error| format!("fichier du jeton GLPI {} illisible : {e}", named(&shown));
    let mut file = std::fs::File::open(path).map_err(unreadable)?;
    let meta = file.metadata().map_err(unreadable)?;
    if !meta.is_file() {
        return Err(format!(
            "le jeton GLPI {} n'est pas un fichier",
            named(&shown)
        ));
    }
    crate::private_file::check_private(
        &meta,
        &format!("le fichier du jeton GLPI {}", named(&shown)),
    )?;
    // Room for the whole file at once: the text is never moved, so no copy of it is left
    // behind unwiped.
    let mut text = Zeroizing::new(String::with_capacity(meta.len() as usize + 1));
    file.read_to_string(&mut text).map_err(unreadable)?;
    let token = text.trim();
    if token.is_empty() {
        return Err(format!(
            "le fichier du jeton GLPI {} est vide",
            named(&shown)
        ));
    }
    Ok(Zeroizing::new(token.to_string()))
}

/// A URL without the user and password it may hold (`https://agent:…@glpi/…` shown as
/// `https://glpi/…`), and that user information, if any.
pub fn split_userinfo(url: &str) -> (String, Option<String>) {
    let Some((scheme, rest)) = url.split_once("://") else {
        return (url.to_string(), None);
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => (
            format!("{scheme}://{host}{path}"),
            Some(userinfo.to_string()),
        ),
        None => (url.to_string(), None),
    }
}

/// The shortest piece of a secret that is masked wherever it appears: a server that cut
/// or split what it echoes shows no 8 characters of a token in a row.
const PIECE: usize = 8;

/// `text` with every secret, and every piece of one of `PIECE` characters or more, replaced
/// by « … ». Secrets shorter than 4 characters are not looked for (they would mask words).
pub fn scrub<'a>(text: &'a str, secrets: &[&str]) -> Cow<'a, str> {
    let secrets: Vec<Vec<char>> = secrets
        .iter()
        .filter(|s| s.chars().count() >= 4)
        .map(|s| s.chars().collect())
        .collect();
    if secrets.is_empty() {
        return Cow::Borrowed(text);
    }
    let chars: Vec<char> = text.chars().collect();
    // The longest run of `chars` from `at` that some secret holds, if long enough.
    let masked_at = |at: usize| -> usize {
        let mut best = 0;
        for secret in &secrets {
            let least = PIECE.min(secret.len());
            for start in 0..secret.len() {
                let run = chars[at..]
                    .iter()
                    .zip(&secret[start..])
                    .take_while(|(a, b)| a == b)
                    .count();
                if run >= least && run > best {
                    best = run;
                }
            }
        }
        best
    };
    let mut out = String::with_capacity(text.len());
    let mut changed = false;
    let mut at = 0;
    while at < chars.len() {
        let run = masked_at(at);
        if run > 0 {
            out.push('…');
            at += run;
            changed = true;
        } else {
            out.push(chars[at]);
            at += 1;
        }
    }
    if changed {
        Cow::Owned(out)
    } else {
        Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrub_masks_secrets_and_their_pieces() {
        let token = "usertok-Zq81xWk4fPp0LmN2";
        assert_eq!(scrub("a usertok-Zq81xWk4fPp0LmN2 b", &[token]), "a … b");
        // Cut by the server: half the token is masked too.
        assert_eq!(scrub("token=usertok-Zq81x", &[token]), "token=…");
        assert_eq!(scrub("x Wk4fPp0LmN2", &[token]), "x …");
        // Seven characters in a row are left: words are not masked.
        assert_eq!(scrub("usertok is fine", &[token]), "usertok is fine");
        assert_eq!(scrub("mot de passe court", &["abc"]), "mot de passe court");
        assert_eq!(scrub("pw=hunter2!", &["hunter2!"]), "pw=…");
    }

    #[test]
    fn a_url_is_shown_without_its_user_and_password() {
        assert_eq!(
            split_userinfo("https://agent:S3cret@glpi.exemple.fr:8443/apirest.php"),
            (
                "https://glpi.exemple.fr:8443/apirest.php".to_string(),
                Some("agent:S3cret".to_string())
            )
        );
        assert_eq!(
            split_userinfo("https://glpi.exemple.fr/a@b/apirest.php"),
            ("https://glpi.exemple.fr/a@b/apirest.php".to_string(), None)
        );
    }
}
