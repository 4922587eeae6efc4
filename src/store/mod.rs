//! SQLite storage: opening with the right pragmas, migrations, calls and their journal,
//! drafts. Nothing above this module writes SQL.

mod calls;
mod drafts;
pub use drafts::SavedDraft;
mod migrations;
mod procedures;
mod report;
pub use procedures::{ProcedureHit, ProcedureQuery, SearchIndex};
pub use report::{HandoverEntry, HandoverKind, ReportData, WAITING_LIMIT, WaitingCall};

pub use calls::{CallFilter, WalkEntry};
pub use migrations::LATEST_VERSION;

use crate::domain::call::CallRef;
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::time::Duration;
use thiserror::Error;

/// How long a writer waits for another process's transaction before giving up. Writes are
/// short, so this only matters under heavy contention.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("base de données {path} : {source}")]
    Sqlite {
        path: String,
        #[source]
        source: rusqlite::Error,
    },
    #[error("impossible de créer le dossier {path} : {source}")]
    CreateDir {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "la base {path} a été écrite par une version plus récente de guichet (schéma {found}, \
         cette version connaît le schéma {known}) : elle n'a pas été modifiée"
    )]
    NewerSchema {
        path: String,
        found: i64,
        known: i64,
    },
    #[error("aucun appel « {0} » dans cette base")]
    UnknownCall(CallRef),
    #[error("l'appel {0} est déjà clos")]
    AlreadyClosed(CallRef),
    #[error("impossible de copier la base vers {path} : {source}")]
    Backup {
        path: String,
        #[source]
        source: rusqlite::Error,
    },
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// One connection to a guichet database.
pub struct Store {
    conn: Connection,
    path: String,
}

impl Store {
    /// Opens (creating it and its folder if needed) the database at `path` and brings its
    /// schema up to date. A database from a newer guichet is refused untouched.
    pub fn open(path: &Path) -> Result<Store> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir {
                path: dir.display().to_string(),
                source,
            })?;
        }
        let display = path.display().to_string();
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|source| StoreError::Sqlite {
            path: display.clone(),
            source,
        })?;
        Store::prepare(conn, display)
    }

    /// A private database in memory, for tests and the screenshot gallery.
    pub fn open_in_memory() -> Result<Store> {
        let conn = Connection::open_in_memory().map_err(|source| StoreError::Sqlite {
            path: ":memory:".into(),
            source,
        })?;
        Store::prepare(conn, ":memory:".into())
    }

    fn prepare(conn: Connection, path: String) -> Result<Store> {
        let mut store = Store { conn, path };
        store
            .conn
            .busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| store.err(e))?;
        // Checked before any pragma that writes to the file (journal_mode does).
        migrations::refuse_newer(&store)?;
        store
            .conn
            .execute_batch(
                "PRAGMA journal_mode = WAL;
                 PRAGMA synchronous = FULL;
                 PRAGMA foreign_keys = ON;",
            )
            .map_err(|e| store.err(e))?;
        migrations::migrate(&mut store)?;
        Ok(store)
    }

    pub fn path(&self) -> &str {
        &self.path
    }

    pub(crate) fn err(&self, source: rusqlite::Error) -> StoreError {
        StoreError::Sqlite {
            path: self.path.clone(),
            source,
        }
    }

    /// SQLite's counter of commits made by other connections: when it moves, what the
    /// console shows may be stale.
    pub fn data_version(&self) -> Result<i64> {
        self.conn
            .query_row("PRAGMA data_version", [], |r| r.get(0))
            .map_err(|e| self.err(e))
    }

    /// `PRAGMA integrity_check` and the foreign keys check: empty when all is well.
    pub fn check(&self) -> Result<Vec<String>> {
        let mut problems = Vec::new();
        let mut stmt = self
            .conn
            .prepare("PRAGMA integrity_check")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(|e| self.err(e))?;
        for row in rows {
            let line = row.map_err(|e| self.err(e))?;
            if line != "ok" {
                problems.push(line);
            }
        }
        let mut stmt = self
            .conn
            .prepare("PRAGMA foreign_key_check")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(format!(
                    "clé étrangère rompue : table {} ligne {}",
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?
                ))
            })
            .map_err(|e| self.err(e))?;
        for row in rows {
            problems.push(row.map_err(|e| self.err(e))?);
        }
        Ok(problems)
    }

    /// A consistent copy of the live database, taken while others keep writing.
    pub fn backup(&self, to: &Path) -> Result<()> {
        let target = to.display().to_string();
        self.conn
            .execute("VACUUM INTO ?1", [&target])
            .map(|_| ())
            .map_err(|source| StoreError::Backup {
                path: target,
                source,
            })
    }
}

/// The path used when neither `--db` nor `GUICHET_DB` is given.
pub fn default_path() -> PathBuf {
    dirs::data_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join("guichet")
        .join("guichet.db")
}

#[cfg(test)]
mod tests;
