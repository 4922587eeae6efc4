//! The `[glpi]` table checked and the user token read: what the hand-off needs to talk to
//! GLPI. The secrets stay in wiped memory and out of every sentence.

use super::secret::{forbid_core_dumps, read_token_file, split_userinfo};
use crate::config::{GlpiApi, GlpiConfig};
use crate::domain::text::named;
use std::collections::BTreeMap;
use std::time::Duration;
use zeroize::Zeroizing;

/// The environment variable holding the GLPI user token (before `user_token_file`).
pub const USER_TOKEN_ENV: &str = "GUICHET_GLPI_USER_TOKEN";
/// The high-level API's client secret (before `client_secret_file`).
pub const CLIENT_SECRET_ENV: &str = "GUICHET_GLPI_CLIENT_SECRET";
/// The high-level API's user password (before `password_file`).
pub const PASSWORD_ENV: &str = "GUICHET_GLPI_PASSWORD";

/// How guichet logs in, by API.
pub enum Auth {
    /// `apirest.php`: `initSession` with the application and user tokens.
    Legacy {
        app_token: Zeroizing<String>,
        user_token: Zeroizing<String>,
    },
    /// `api.php`: an OAuth2 access token by the password grant (the grant GLPI documents
    /// for its API; it refuses client credentials for the `api` scope).
    V2 {
        client_id: String,
        username: String,
        client_secret: Zeroizing<String>,
        password: Zeroizing<String>,
    },
}

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
    auth: Auth,
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
    /// secrets: the user token for the legacy API (`GUICHET_GLPI_USER_TOKEN`, else
    /// `user_token_file`), the client secret and the password for the high-level API (their
    /// variables, else their files); a file must be the user's and readable by its owner
    /// only. From then on the process leaves no core dump. Errors are one sentence, never
    /// with a secret.
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
        let (root, example) = match config.api {
            GlpiApi::Legacy => ("apirest.php", "https://glpi.exemple.gouv.fr/apirest.php"),
            GlpiApi::V2 => ("api.php", "https://glpi.exemple.gouv.fr/api.php"),
        };
        if !scheme_ok || !url.ends_with(&format!("/{root}")) {
            return Err(format!(
                "url GLPI « {} » invalide dans [glpi] : donner la racine de l'API, en http(s) \
                 et terminée par {root} ({example})",
                named(&shown_url)
            ));
        }
        if !(1..=5).contains(&config.urgency) {
            return Err(format!(
                "urgency {} invalide dans [glpi] : de 1 (très basse) à 5 (très haute)",
                config.urgency
            ));
        }
        let auth = match config.api {
            GlpiApi::Legacy => {
                if config.app_token.trim().is_empty() {
                    return Err(
                        "app_token vide dans [glpi] : donner le jeton de l'application \
                                (Configuration > Générale > API dans GLPI)"
                            .into(),
                    );
                }
                forbid_core_dumps();
                Auth::Legacy {
                    app_token: Zeroizing::new(config.app_token.trim().to_string()),
                    user_token: read_user_token(config)?,
                }
            }
            GlpiApi::V2 => {
                let given = |value: &Option<String>, key: &str, what: &str| {
                    value
                        .as_deref()
                        .map(str::trim)
                        .filter(|v| !v.is_empty())
                        .map(str::to_string)
                        .ok_or_else(|| {
                            format!("{key} absent de [glpi] : donner {what} (api = \"v2\")")
                        })
                };
                let client_id = given(
                    &config.client_id,
                    "client_id",
                    "l'identifiant du client OAuth (Configuration > Clients OAuth dans GLPI)",
                )?;
                let username = given(
                    &config.username,
                    "username",
                    "l'utilisateur GLPI au nom duquel guichet crée les tickets",
                )?;
                forbid_core_dumps();
                Auth::V2 {
                    client_id,
                    username,
                    client_secret: read_secret(
                        CLIENT_SECRET_ENV,
                        config.client_secret_file.as_deref(),
                        "secret du client OAuth",
                        "client_secret_file",
                    )?,
                    password: read_secret(
                        PASSWORD_ENV,
                        config.password_file.as_deref(),
                        "mot de passe GLPI",
                        "password_file",
                    )?,
                }
            }
        };
        Ok(Settings {
            url,
            shown_url,
            request_type: config.request_type.clone(),
            urgency: config.urgency,
            categories: config.categories.clone(),
            timeout: Duration::from_secs(config.timeout_seconds.clamp(1, 120)),
            auth,
            userinfo,
        })
    }

    pub(crate) fn url(&self) -> &str {
        &self.url
    }

    pub(crate) fn auth(&self) -> &Auth {
        &self.auth
    }

    /// Every secret of the settings, for scrubbing what comes back: the tokens, the
    /// client secret and the password, and the user and password of the URL (each part
    /// too).
    pub(crate) fn secrets(&self) -> Vec<&str> {
        let mut all = match &self.auth {
            Auth::Legacy {
                app_token,
                user_token,
            } => vec![app_token.as_str(), user_token.as_str()],
            Auth::V2 {
                client_secret,
                password,
                ..
            } => vec![client_secret.as_str(), password.as_str()],
        };
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

/// A secret from the environment variable `env`, else from `file` (the user's, readable by
/// its owner only).
fn read_secret(
    env: &str,
    file: Option<&std::path::Path>,
    what: &str,
    key: &str,
) -> Result<Zeroizing<String>, String> {
    if let Ok(value) = std::env::var(env) {
        let value = Zeroizing::new(value);
        if !value.trim().is_empty() {
            return Ok(Zeroizing::new(value.trim().to_string()));
        }
    }
    match file {
        Some(path) => read_token_file(path),
        None => Err(format!(
            "aucun {what} : le donner dans {env} ou dans un fichier lisible par son seul \
             propriétaire ({key} dans [glpi])"
        )),
    }
}

fn read_user_token(config: &GlpiConfig) -> Result<Zeroizing<String>, String> {
    read_secret(
        USER_TOKEN_ENV,
        config.user_token_file.as_deref(),
        "jeton utilisateur GLPI",
        "user_token_file",
    )
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
            api: GlpiApi::Legacy,
            url: "https://agent:Pa55w0rd-x@glpi.exemple.fr/apirest.php/".into(),
            app_token: "app-secret".into(),
            request_type: "Phone".into(),
            urgency: 3,
            user_token_file: Some(file),
            timeout_seconds: 5,
            categories: BTreeMap::new(),
            client_id: None,
            username: None,
            client_secret_file: None,
            password_file: None,
        };
        let settings = Settings::resolve(Some(&config)).unwrap();
        assert!(settings.secrets().contains(&"tok-123456789"));
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
