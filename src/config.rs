//! Who is at the keyboard and the desk's own settings. Which database is the store's to
//! say ([`crate::store::Location::resolve`]): the store reads this module (for the login
//! name PostgreSQL defaults to), so this module reads nothing of the store.

use crate::domain::call::{BadOperator, check_operator};
use crate::domain::shifts::ShiftPlan;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// The operator: `--operator`, else `GUICHET_OPERATOR`, else the login name of the process.
pub fn resolve_operator(flag: Option<&str>) -> Result<String, BadOperator> {
    if let Some(op) = flag {
        return check_operator(op);
    }
    if let Ok(op) = std::env::var("GUICHET_OPERATOR")
        && !op.trim().is_empty()
    {
        return check_operator(&op);
    }
    check_operator(&login_name())
}

/// This user's login name, for PostgreSQL's default role (as libpq takes it).
pub fn os_user_name() -> Option<String> {
    Some(login_name())
}

/// The login name: the environment when it says, else the password database.
fn login_name() -> String {
    for var in ["USER", "LOGNAME"] {
        if let Ok(name) = std::env::var(var)
            && !name.trim().is_empty()
        {
            return name;
        }
    }
    // The password database's entry of the effective user (getpwuid_r), else its id.
    match whoami::username_os() {
        Ok(name) => name.to_string_lossy().into_owned(),
        Err(_) => format!("uid{}", rustix::process::geteuid().as_raw()),
    }
}

/// Settings a desk changes without a rebuild, from `$XDG_CONFIG_HOME/guichet/config.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DeskConfig {
    /// Shown in the console's header, e.g. "Hotline MI 01 40 07 20 00".
    pub desk: String,
    /// The desk's shifts; the default plan (matin 08–16, soir 16–24, nuit 00–08) if none.
    pub shifts: Vec<ShiftEntry>,
    /// A Unix group given read and write access to a new database (owner only otherwise).
    pub db_group: Option<String>,
    /// This console's telephone extension, whose ringing calls the header shows
    /// (`--extension` and `GUICHET_EXTENSION` take precedence).
    pub extension: Option<String>,
    /// The telephony listener (`guichet phone listen`).
    pub phone: PhoneConfig,
    /// The GLPI hand-off (`guichet glpi push`, `guichet glpi sync`); none when absent.
    pub glpi: Option<GlpiConfig>,
    /// The console for a screen reader or a braille display (`--screen-reader`): the
    /// cursor shown on the focused field, line or step; words for decorative glyphs.
    pub screen_reader: bool,
    /// The procedures followed to their end on the desk's calls rank a procedure higher
    /// for the words of those calls (bounded, decaying; `domain::learned`); `false` (or
    /// `--no-learning`) ranks on the words alone.
    pub learning: bool,
}

/// The `[glpi]` table: which API (`api`: `legacy`, `apirest.php`, by default; `v2`, the
/// high-level API of GLPI 11 and later, `api.php`), its root (`url`), the request type's
/// name, the urgency, the time limit and `[glpi.categories]`, service slug → GLPI category
/// id. The legacy API's credentials: the application token and the user token's file (else
/// `GUICHET_GLPI_USER_TOKEN`); the high-level API's (OAuth2 password grant): the client's
/// id, the GLPI user's name, the client's secret and the user's password, each in a file
/// (else `GUICHET_GLPI_CLIENT_SECRET`, `GUICHET_GLPI_PASSWORD`).
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GlpiConfig {
    #[serde(default)]
    pub api: GlpiApi,
    pub url: String,
    #[serde(default)]
    pub app_token: String,
    #[serde(default = "default_request_type")]
    pub request_type: String,
    #[serde(default = "default_urgency")]
    pub urgency: u8,
    pub user_token_file: Option<PathBuf>,
    /// Seconds a request may take, connection included (5 by default).
    #[serde(default = "default_glpi_timeout")]
    pub timeout_seconds: u64,
    #[serde(default)]
    pub categories: std::collections::BTreeMap<String, i64>,
    /// The high-level API's OAuth2 client id (Configuration > Clients OAuth in GLPI).
    pub client_id: Option<String>,
    /// The GLPI user the high-level API logs in as.
    pub username: Option<String>,
    pub client_secret_file: Option<PathBuf>,
    pub password_file: Option<PathBuf>,
}

/// Which of GLPI's APIs the hand-off speaks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GlpiApi {
    /// The REST API of GLPI 9.1 and later (`apirest.php`).
    #[default]
    Legacy,
    /// The high-level API of GLPI 11 and later (`api.php`, OAuth2).
    V2,
}

impl std::fmt::Debug for GlpiConfig {
    // The application token stays out of any debug output.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GlpiConfig")
            .field("api", &self.api)
            .field("request_type", &self.request_type)
            .field("urgency", &self.urgency)
            .field("timeout_seconds", &self.timeout_seconds)
            .finish_non_exhaustive()
    }
}

fn default_request_type() -> String {
    "Phone".into()
}

fn default_urgency() -> u8 {
    3
}

fn default_glpi_timeout() -> u64 {
    5
}

/// The `[phone]` table: `token = "…"` (which `GUICHET_PHONE_TOKEN` overrides), and
/// `bind = "127.0.0.1:8015"` (which `--bind` overrides).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PhoneConfig {
    pub token: Option<String>,
    pub bind: Option<String>,
}

/// One `[[shifts]]` table: `name = "matin"`, `start = "08:00"`, `end = "16:00"`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShiftEntry {
    pub name: String,
    pub start: String,
    pub end: String,
}

impl Default for DeskConfig {
    fn default() -> Self {
        DeskConfig {
            desk: "Hotline".into(),
            shifts: Vec::new(),
            db_group: None,
            extension: None,
            phone: PhoneConfig::default(),
            glpi: None,
            screen_reader: false,
            learning: true,
        }
    }
}

#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("fichier de configuration {path} illisible : {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// The file could not be read as the settings: names the line, the key and what was
    /// expected there.
    #[error("fichier de configuration {path}, ligne {line} : {problem}")]
    Invalid {
        path: String,
        line: usize,
        problem: String,
    },
    #[error("fichier de configuration {path} invalide : {message}")]
    Parse { path: String, message: String },
    /// A secret in a file others may read (the sentence of [`crate::private_file`]).
    #[error("{0}")]
    Exposed(String),
}

/// One sentence for a TOML or serde error in `text`: the line, the key (with its table:
/// `shifts.start`) and, for the usual mistakes, what was expected in French.
fn describe(path: &Path, text: &str, err: &toml::de::Error) -> ConfigError {
    let start = err.span().map_or(0, |s| s.start).min(text.len());
    let line = text[..start].matches('\n').count() + 1;
    let lines: Vec<&str> = text.lines().collect();
    let here = lines.get(line - 1).map_or("", |l| l.trim());
    let is_header = |l: &str| l.starts_with('[');
    // The table the line belongs to: the nearest header at or above it.
    let table = lines
        .iter()
        .take(line)
        .rev()
        .map(|l| l.trim())
        .find(|l| is_header(l))
        .map(|h| h.trim_matches(['[', ']', ' ']).to_string());
    let full = |key: &str| match &table {
        Some(t) if !t.is_empty() => format!("{t}.{key}"),
        _ => key.to_string(),
    };
    let key_here = (!is_header(here))
        .then(|| here.split_once('='))
        .flatten()
        .map(|(k, _)| k.trim().trim_matches(['"', '\'']).to_string())
        .filter(|k| !k.is_empty());
    let message = err.message();
    let quoted = |s: &str| -> Vec<String> {
        s.split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_string)
            .collect()
    };
    let problem = if let Some(rest) = message.strip_prefix("unknown field ") {
        let names = quoted(rest);
        let known = names.get(1..).unwrap_or_default().join(", ");
        format!(
            "clé inconnue « {} » (clés possibles : {known})",
            full(names.first().map_or("", String::as_str))
        )
    } else if let Some(rest) = message.strip_prefix("missing field ") {
        let names = quoted(rest);
        format!(
            "clé « {} » manquante",
            full(names.first().map_or("", String::as_str))
        )
    } else if let (Some(rest), Some(key)) = (message.strip_prefix("invalid type: "), &key_here) {
        let (found, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
        format!(
            "« {} » attend {}, pas {}",
            full(key),
            french_kind(expected),
            french_value(found)
        )
    } else if let ("duplicate key", Some(key)) = (message, &key_here) {
        format!("clé « {} » donnée deux fois", full(key))
    } else {
        format!("TOML invalide ({message})")
    };
    ConfigError::Invalid {
        path: path.display().to_string(),
        line,
        problem,
    }
}

/// serde's "a string", "a sequence"… in French.
fn french_kind(expected: &str) -> String {
    match expected {
        "a string" => "du texte".into(),
        "a sequence" => "une liste".into(),
        "a boolean" => "un booléen (true ou false)".into(),
        "a map" | "struct ShiftEntry" | "struct DeskConfig" | "struct PhoneConfig" => {
            "une table".into()
        }
        other => other.to_string(),
    }
}

/// serde's "integer `3`", "string \"matin\"", "sequence"… in French.
fn french_value(found: &str) -> String {
    let (kind, value) = found.split_once(' ').unwrap_or((found, ""));
    let value = value.trim_matches(['`', '"']);
    match kind {
        "integer" => format!("l'entier {value}"),
        "float" => format!("le nombre {value}"),
        "boolean" => format!("le booléen {value}"),
        "string" => format!("le texte « {value} »"),
        "sequence" => "une liste".into(),
        "map" => "une table".into(),
        _ => found.to_string(),
    }
}

pub fn config_path() -> Option<PathBuf> {
    dirs::config_dir().map(|d| d.join("guichet").join("config.toml"))
}

impl DeskConfig {
    /// The shift plan the configuration describes.
    pub fn shift_plan(&self) -> Result<ShiftPlan, ConfigError> {
        if self.shifts.is_empty() {
            return Ok(ShiftPlan::default_plan());
        }
        ShiftPlan::new(
            self.shifts
                .iter()
                .map(|s| (s.name.clone(), s.start.clone(), s.end.clone()))
                .collect(),
        )
        .map_err(|e| ConfigError::Parse {
            path: config_path().map_or("config.toml".into(), |p| p.display().to_string()),
            message: e.to_string(),
        })
    }

    /// The desk's settings; defaults when the file does not exist.
    pub fn load() -> Result<DeskConfig, ConfigError> {
        match config_path() {
            Some(p) if p.exists() => DeskConfig::load_from(&p),
            _ => Ok(DeskConfig::default()),
        }
    }

    /// The settings in `path`. A file holding the listener's token (`[phone] token`) is
    /// refused when others than its owner may read it, as ssh refuses such a private key:
    /// the token lets anyone who has it write calls' events into the desk's record. The
    /// check is made on the file opened, not on its name.
    pub fn load_from(path: &Path) -> Result<DeskConfig, ConfigError> {
        use std::io::Read;
        let unreadable = |source| ConfigError::Read {
            path: path.display().to_string(),
            source,
        };
        let mut file = std::fs::File::open(path).map_err(unreadable)?;
        let meta = file.metadata().map_err(unreadable)?;
        let mut text = String::new();
        file.read_to_string(&mut text).map_err(unreadable)?;
        let config: DeskConfig = toml::from_str(&text).map_err(|e| describe(path, &text, &e))?;
        if config.phone.token.is_some() {
            crate::private_file::check_private(
                &meta,
                &format!(
                    "le fichier de configuration {}, qui contient un jeton ([phone] token),",
                    path.display()
                ),
            )
            .map_err(ConfigError::Exposed)?;
        }
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The error for a config.toml holding `text`, with the file's path shown as `PATH`.
    fn error_for(text: &str) -> String {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, text).unwrap();
        let err = DeskConfig::load_from(&path).unwrap_err().to_string();
        err.replace(&path.display().to_string(), "PATH")
    }

    #[test]
    fn the_glpi_table_is_read_with_its_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(
            &path,
            "[glpi]\nurl = \"https://glpi.exemple.gouv.fr/apirest.php\"\napp_token = \"abc\"\n\
             [glpi.categories]\nmi = 12\n",
        )
        .unwrap();
        let glpi = DeskConfig::load_from(&path).unwrap().glpi.unwrap();
        assert_eq!(glpi.request_type, "Phone");
        assert_eq!(glpi.urgency, 3);
        assert_eq!(glpi.timeout_seconds, 5);
        assert_eq!(glpi.categories.get("mi"), Some(&12));
        assert_eq!(glpi.user_token_file, None);
        assert_eq!(glpi.api, GlpiApi::Legacy);
        assert!(
            !format!("{glpi:?}").contains("abc"),
            "no token in debug output"
        );
    }

    #[test]
    fn a_valid_file_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(
            &path,
            "desk = \"Hotline MI\"\ndb_group = \"hotline\"\nextension = \"3001\"\n\n[[shifts]]\nname = \"jour\"\nstart = \"07:00\"\nend = \"19:00\"\n\n[phone]\ntoken = \"t0k\"\nbind = \"127.0.0.1:8015\"\n",
        )
        .unwrap();
        // It holds a token: its owner's alone.
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        let config = DeskConfig::load_from(&path).unwrap();
        assert_eq!(config.desk, "Hotline MI");
        assert_eq!(config.db_group.as_deref(), Some("hotline"));
        assert_eq!(config.shifts.len(), 1);
        assert_eq!(config.extension.as_deref(), Some("3001"));
        assert_eq!(config.phone.token.as_deref(), Some("t0k"));
        assert_eq!(config.phone.bind.as_deref(), Some("127.0.0.1:8015"));
    }

    #[test]
    fn errors_name_the_file_the_line_the_key_and_what_was_expected() {
        for (text, expected) in [
            (
                "desk = 3",
                "fichier de configuration PATH, ligne 1 : « desk » attend du texte, pas l'entier 3",
            ),
            (
                "desk = \"Hotline\"\ndbgroup = \"hotline\"",
                "fichier de configuration PATH, ligne 2 : clé inconnue « dbgroup » \
                 (clés possibles : desk, shifts, db_group, extension, phone, glpi, \
                 screen_reader, learning)",
            ),
            (
                "db_group = [1]",
                "fichier de configuration PATH, ligne 1 : « db_group » attend du texte, pas une liste",
            ),
            (
                "shifts = \"matin\"",
                "fichier de configuration PATH, ligne 1 : « shifts » attend une liste, pas le texte « matin »",
            ),
            (
                "desk = \"a\"\n\n[[shifts]]\nname = \"matin\"\nstart = 8\nend = \"16:00\"",
                "fichier de configuration PATH, ligne 5 : « shifts.start » attend du texte, pas l'entier 8",
            ),
            (
                "[[shifts]]\nname = \"matin\"\nstart = \"08:00\"\nfin = \"16:00\"",
                "fichier de configuration PATH, ligne 4 : clé inconnue « shifts.fin » \
                 (clés possibles : name, start, end)",
            ),
            (
                "[[shifts]]\nname = \"matin\"\nstart = \"08:00\"",
                "fichier de configuration PATH, ligne 1 : clé « shifts.end » manquante",
            ),
            (
                "desk = \"a\"\ndesk = \"b\"",
                "fichier de configuration PATH, ligne 2 : clé « desk » donnée deux fois",
            ),
            (
                "desk = \"Hotline\n",
                "fichier de configuration PATH, ligne 1 : TOML invalide (invalid basic string, expected `\"`)",
            ),
        ] {
            assert_eq!(error_for(text), expected, "{text:?}");
        }
    }
}
