//! The `[glpi]` table checked and the user token read: what the hand-off needs to talk to
//! GLPI. The secrets stay in wiped memory and out of every sentence.

use super::secret::{forbid_core_dumps, read_token_file, split_userinfo};
use crate::config::GlpiConfig;
use crate::domain::text::named;
use std::collections::BTreeMap;
use std::time::Duration;
use zeroize::Zeroizing;

/// The environment variable holding the GLPI user token (before `user_token_file`).
pub const USER_TOKEN_ENV: &str = "GUICHET_GLPI_USER_TOKEN";

/// The `[glpi]` table checked, with the user token read: ready to talk to GLPI.
pub struct Settings {
    /// The API root as configured, without a trailing slash (it may hold a user and a
    /// password): only ever given to the HTTP library.
    url: Zeroizing<String>,
    /// The API root as sentences name it: without its user and password.
    pub shown_url: String,
    pub request_type: String,
    pub urgency: u8,
    pub categories: BTreeMap<String, i64>,
    pub timeout: Duration,
    app_token: Zeroizing<String>,
    user_token: Zeroizing<String>,
    /// The user and password of the URL, if any.
    userinfo: Option<Zeroizing<String>>,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("url", &self.shown_url)
            .field("request_type", &self.request_type)
            .finish_non_exhaustive()
    }
}

impl Settings {
    /// Checks the `[glpi]` table (absent: one sentence saying how to add it) and reads the
    /// user token: `GUICHET_GLPI_USER_TOKEN`, else `user_token_file`, which must be the
    /// user's and readable by its owner only. From then on the process leaves no core
    /// dump. Errors are one sentence, never with a token or a password.
    pub fn resolve(config: Option<&GlpiConfig>) -> Result<Settings, String> {
        let Some(config) = config else {
            return Err(
                "aucune table [glpi] dans config.toml : y donner au moins url et \
                        app_token (voir le README, « GLPI »)"
                    .into(),
            );
        };
        let url = Zeroizing::new(config.url.trim().trim_end_matches('/').to_string());
        let (shown_url, userinfo) = split_userinfo(&url);
        let userinfo = userinfo.map(Zeroizing::new);
        let scheme_ok = url.starts_with("https://") || url.starts_with("http://");
        if !scheme_ok || !url.ends_with("/apirest.php") {
            return Err(format!(
                "url GLPI « {} » invalide dans [glpi] : donner la racine de l'API, en http(s) \
                 et terminée par apirest.php (https://glpi.exemple.gouv.fr/apirest.php)",
                named(&shown_url)
            ));
        }
        if !(1..=5).contains(&config.urgency) {
            return Err(format!(
                "urgency {} invalide dans [glpi] : de 1 (très basse) à 5 (très haute)",
                config.urgency
            ));
        }
        if config.app_token.trim().is_empty() {
            return Err(
                "app_token vide dans [glpi] : donner le jeton de l'application \
                        (Configuration > Générale > API dans GLPI)"
                    .into(),
            );
        }
        forbid_core_dumps();
        let user_token = read_user_token(config)?;
        Ok(Settings {
            url,
            shown_url,
            request_type: config.request_type.clone(),
            urgency: config.urgency,
            categories: config.categories.clone(),
            timeout: Duration::from_secs(config.timeout_seconds.clamp(1, 120)),
            app_token: Zeroizing::new(config.app_token.trim().to_string()),
            user_token,
            userinfo,
        })
    }

    pub(crate) fn url(&self) -> &str {
        &self.url
    }

    pub(crate) fn user_token(&self) -> &str {
        &self.user_token
    }

    pub(crate) fn app_token(&self) -> &str {
        &self.app_token
    }

    /// Every secret of the settings, for scrubbing what comes back: the tokens, and the
    /// user and password of the URL (each part too).
    pub(crate) fn secrets(&self) -> Vec<&str> {
        let mut all = vec![self.user_token(), self.app_token()];
        if let Some(info) = &self.userinfo {
            all.push(info.as_str());
            if let Some((user, password)) = info.split_once(':') {
                all.push(user);
                all.push(password);
            }
        }
        all
    }
}

fn read_user_token(config: &GlpiConfig) -> Result<Zeroizing<String>, String> {
    if let Ok(token) = std::env::var(USER_TOKEN_ENV) {
        let token = Zeroizing::new(token);
        if !token.trim().is_empty() {
            return Ok(Zeroizing::new(token.trim().to_string()));
        }
    }
    let Some(path) = &config.user_token_file else {
        return Err(format!(
            "aucun jeton utilisateur GLPI : le donner dans {USER_TOKEN_ENV} ou dans un \
             fichier lisible par son seul propriétaire (user_token_file dans [glpi])"
        ));
    };
    read_token_file(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_loaded_means_no_core_dump() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("jeton");
        std::fs::write(&file, "tok-123456789\n").unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
        let config = GlpiConfig {
            url: "https://agent:Pa55w0rd-x@glpi.exemple.fr/apirest.php/".into(),
            app_token: "app".into(),
            request_type: "Phone".into(),
            urgency: 3,
            user_token_file: Some(file),
            timeout_seconds: 5,
            categories: BTreeMap::new(),
        };
        let settings = Settings::resolve(Some(&config)).unwrap();
        assert_eq!(settings.user_token(), "tok-123456789");
        assert_eq!(settings.shown_url, "https://glpi.exemple.fr/apirest.php");
        assert!(!format!("{settings:?}").contains("Pa55w0rd"));
        assert!(settings.secrets().contains(&"Pa55w0rd-x"));
        assert_eq!(
            rustix::process::dumpable_behavior().unwrap(),
            rustix::process::DumpableBehavior::NotDumpable
        );
        let core = rustix::process::getrlimit(rustix::process::Resource::Core);
        assert_eq!(core.current, Some(0));
    }
}
