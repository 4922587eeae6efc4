//! Who is at the keyboard, which database, and the desk's own settings.

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

/// The login name: the environment when it says, else the password database.
fn login_name() -> String {
    for var in ["USER", "LOGNAME"] {
        if let Ok(name) = std::env::var(var)
            && !name.trim().is_empty()
        {
            return name;
        }
    }
    // SAFETY: getpwuid returns a pointer into static storage or null; we copy the name out
    // at once and never keep the pointer.
    unsafe {
        let pw = libc::getpwuid(libc::geteuid());
        if !pw.is_null() && !(*pw).pw_name.is_null() {
            return std::ffi::CStr::from_ptr((*pw).pw_name)
                .to_string_lossy()
                .into_owned();
        }
    }
    format!("uid{}", unsafe { libc::geteuid() })
}

/// The database: `--db` (which clap also fills from `GUICHET_DB`), else the XDG default.
pub fn resolve_db_path(flag: Option<&Path>) -> PathBuf {
    flag.map(Path::to_path_buf)
        .unwrap_or_else(crate::store::default_path)
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
    #[error("fichier de configuration {path} invalide : {message}")]
    Parse { path: String, message: String },
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

    pub fn load_from(path: &Path) -> Result<DeskConfig, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.display().to_string(),
            source,
        })?;
        toml::from_str(&text).map_err(|e| ConfigError::Parse {
            path: path.display().to_string(),
            message: e.to_string().lines().next().unwrap_or_default().to_string(),
        })
    }
}
