//! The desk's store: an SQLite file (the embedded default, nothing to set up) or a
//! PostgreSQL server (a desk spread over several sites). One contract, whichever it is:
//! the console, the command line and the reports never know which engine they talk to.
//! Nothing above this module writes SQL.

mod callers;
mod calls;
mod conn;
mod consoles;
mod copy;
pub(crate) mod db;
mod drafts;
mod report_totals;
pub use consoles::ConsoleLock;
pub use copy::CopyReport;
pub use drafts::{AsideDraft, SavedDraft};
mod glpi;
mod index_update;
pub use index_update::IndexUpdate;
mod lessons;
pub mod link;
pub use glpi::{GLPI_OPERATOR, OutboxEntry, OutboxState};
pub mod migrations;
mod phone;
pub use callers::{CallerFacts, KnownCaller};
pub use phone::{PhoneLink, PhoneRecorded, TELEPHONY_OPERATOR};
pub mod postgres;
mod procedures;
mod record;
mod report;
mod rights;
mod rows;
#[cfg(any(test, feature = "test-support"))]
pub mod scratch;
mod sqlite;
mod walk_records;
pub use report_totals::{HOLE_FIRST, Unfollowed};
pub use walk_records::{
    FLAG_NOTE_MAX, FigureWindow, PROPOSALS_KEPT, StepFlag, StepRow, WalkFigures, WalkRow,
};
mod wait;
pub use db::Engine;
pub use postgres::{PgTarget, is_postgres_url};
pub use procedures::{Explanation, ProcedureHit, ProcedureQuery, SearchIndex, Via, WordWhy};
pub use report::{
    HandoverEntry, HandoverKind, ReportData, WAITING_LIMIT, WaitingCall, WindowCounts,
};

pub use calls::{CallFilter, WalkEntry, call_matches, narrows};

use crate::domain::call::{CallRef, Outcome};
use conn::Db;
use db::DbError;
use std::path::{Path, PathBuf};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    /// The catalogue of procedures could not be read (a folder, a file).
    #[error("{0}")]
    Catalog(String),
    #[error("base de données {path} : {source}")]
    Sqlite {
        path: String,
        #[source]
        source: rusqlite::Error,
    },
    /// The server refused or failed a statement; `message` is the server's, which never
    /// holds the connection's password.
    #[error("base de données {path} : {message}")]
    Postgres { path: String, message: String },
    /// No connection to the server: nothing was done; the console retries by itself.
    #[error("{message} : rien n'a été fait")]
    Unreachable { message: String },
    /// The console stopped waiting for the store (see `tui::workers::store`): a read is
    /// not shown, a write goes on and is told when it ends.
    #[error("{message}")]
    Slow { message: String },
    /// The connection went while the server was committing: the write may or may not be
    /// there, and a second one could make it twice.
    #[error(
        "{message} pendant l'enregistrement : il a peut-être été fait ; le vérifier avant \
         de recommencer"
    )]
    InDoubt { message: String },
    /// The server is a standby (a failover URL without `target_session_attrs=read-write`,
    /// or one naming only the standby): it reads, it takes no write.
    #[error("{message} : rien n'a été fait")]
    Standby { message: String },
    /// The server's role may not do this (see docs/postgresql.md for the rights guichet needs).
    #[error("base de données {path} : droits insuffisants ({message})")]
    Denied { path: String, message: String },
    /// A `--db` that names nothing usable.
    #[error("{0}")]
    BadLocation(String),
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
    #[error("aucun déroulé de la procédure « {1} » sur l'appel {0}")]
    NoWalk(CallRef, String),
    #[error(transparent)]
    ClosedBeforeOpened(#[from] crate::domain::call::ClosedBeforeOpened),
    #[error("l'appel {0} est ouvert : le clore (call close) avant d'en corriger l'issue")]
    NotClosed(CallRef),
    #[error(
        "l'appel {0} a déjà l'issue « {label} » ({slug}) : rien à corriger",
        label = .1.label(),
        slug = .1.slug()
    )]
    SameOutcome(CallRef, Outcome),
    #[error(
        "la base {path} est illisible (fichier abîmé ou qui n'est pas une base guichet) : rien n'a été modifié ; restaurer la dernière copie (guichet db backup)"
    )]
    Corrupt { path: String },
    #[error(
        "la base {path} est verrouillée par un autre processus depuis plus de {seconds} s : rien n'a été modifié ; réessayer, ou chercher le processus bloqué"
    )]
    Locked { path: String, seconds: u64 },
    #[error(
        "la base {path} est en lecture seule (--read-only, ou le fichier ou son dossier non \
         inscriptible) : rien ne peut y être écrit"
    )]
    ReadOnly { path: String },
    #[error(
        "la base {path} est en lecture seule et date d'une version plus ancienne de guichet (schéma {found}) : elle ne peut pas être mise à jour"
    )]
    ReadOnlyOutdated { path: String, found: i64 },
    #[error("impossible de copier la base vers {path} : {source}")]
    Backup {
        path: String,
        #[source]
        source: rusqlite::Error,
    },
    /// An SQLite file with tables but without guichet's schema: another program's.
    #[error(
        "le fichier {path} est une base SQLite qui n'est pas une base guichet : rien n'a été \
         modifié ; choisir un autre chemin (--db ou GUICHET_DB)"
    )]
    NotGuichet { path: String },
    #[error(
        "la base {path} n'est pas vide (table {table}) : la copie ne remplit qu'une base \
         neuve ; rien n'a été copié"
    )]
    CopyTargetNotEmpty { path: String, table: String },
    #[error("la copie vers {path} ne correspond pas à l'original ({detail}) : rien n'a été gardé")]
    CopyMismatch { path: String, detail: String },
    /// A server database with tables, but not guichet's.
    #[error(
        "la base {path} contient déjà des tables qui ne sont pas celles de guichet : rien n'a \
         été modifié ; donner une base vide, créée pour guichet (--db ou GUICHET_DB)"
    )]
    NotGuichetServer { path: String },
    /// A directory, a device, a pipe… where the database file should be.
    #[error(
        "la base {path} {what} : rien n'a été créé ; donner le chemin d'un fichier (--db ou GUICHET_DB)"
    )]
    NotAFile { path: String, what: &'static str },
    #[error(
        "le groupe « {group} » (db_group dans config.toml) n'existe pas sur cette machine : \
         rien n'a été créé"
    )]
    UnknownGroup { group: String },
    #[error("la base {path} n'existe pas : rien à lire en lecture seule")]
    Missing { path: String },
    #[error("la base {path} est vide : rien à lire en lecture seule")]
    Empty { path: String },
    #[error("impossible de créer la base {path} : {source}")]
    Create {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "le fichier « {path} » existe déjà : choisir un autre chemin, ou --force pour le remplacer"
    )]
    BackupExists { path: String },
    #[error(
        "« {path} » est un lien symbolique : la copie ne suit pas les liens ; donner le chemin \
         du fichier lui-même"
    )]
    BackupLink { path: String },
    #[error("« {path} » {what} : la copie ne peut pas y être écrite")]
    BackupNotAFile { path: String, what: &'static str },
    #[error(
        "la base {path} est sur un serveur PostgreSQL, qui se sauvegarde avec son propre \
         outil : pg_dump --format=custom --file=guichet.dump {dbname} (et pg_restore pour la \
         remettre)"
    )]
    BackupPostgres { path: String, dbname: String },
    #[error("impossible d'écrire la copie {path} : {source}")]
    BackupIo {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// A WAL database with recent writes, no -shm to read them through, and a folder
    /// where none can be created.
    #[error(
        "la base {path} a des écritures récentes dans son -wal, qui ne peuvent être lues \
         sans droit d'écriture sur le dossier {dir} : rien n'a été modifié ; l'ouvrir une \
         fois avec ce droit"
    )]
    WalUnreadable { path: String, dir: String },
    #[error("impossible de donner {path} au groupe de db_group : {source}")]
    Group {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("impossible de lire le fichier {path} : {source}")]
    Inspect {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

pub type Result<T> = std::result::Result<T, StoreError>;

impl StoreError {
    /// The server refused the connection because all of its places are taken
    /// (`max_connections`, or its role's or database's limit).
    pub fn is_full_server(&self) -> bool {
        matches!(self, StoreError::Unreachable { message }
            if message.contains(postgres::open::full_server_words()))
    }

    /// An error of either engine in the words an operator can act on.
    pub(crate) fn db(path: &str, source: DbError) -> StoreError {
        match source {
            DbError::Sqlite(e) => StoreError::sqlite(path, e),
            DbError::Unreachable(message) => StoreError::Unreachable { message },
            DbError::InDoubt(message) => StoreError::InDoubt { message },
            DbError::Standby(message) => StoreError::Standby { message },
            e if e.is_connection_lost() => StoreError::Unreachable {
                message: format!("{path} : connexion perdue ({e})"),
            },
            e => match e.sql_state() {
                Some("25006") => StoreError::ReadOnly {
                    path: path.to_string(),
                },
                Some("42501") => StoreError::Denied {
                    path: path.to_string(),
                    message: e.to_string(),
                },
                Some("40P01" | "55P03") => StoreError::Locked {
                    path: path.to_string(),
                    seconds: wait::busy_timeout().as_secs().max(1),
                },
                _ => StoreError::Postgres {
                    path: path.to_string(),
                    message: e.to_string(),
                },
            },
        }
    }

    /// An SQLite error in the words an operator can act on: a damaged file, a lock held
    /// too long and a read-only file each get their own sentence.
    pub fn sqlite(path: &str, source: rusqlite::Error) -> StoreError {
        use rusqlite::ErrorCode;
        let path = path.to_string();
        match source.sqlite_error_code() {
            Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => {
                StoreError::Corrupt { path }
            }
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Locked {
                path,
                seconds: wait::busy_timeout().as_secs().max(1),
            },
            Some(ErrorCode::ReadOnly) => StoreError::ReadOnly { path },
            _ => StoreError::Sqlite { path, source },
        }
    }
}

/// Where the desk's data lives, as `--db` (or `GUICHET_DB`) names it.
#[derive(Debug, Clone)]
pub enum Location {
    /// An SQLite file: the embedded default.
    Sqlite(PathBuf),
    /// A PostgreSQL server (`postgresql://…` or `postgres://…`).
    Postgres(Box<PgTarget>),
    /// A private database in memory (tests, the screenshot gallery).
    Memory,
}

impl Location {
    /// The store `--db` names (which clap also fills from `GUICHET_DB`), a file or a server,
    /// else the XDG default file.
    pub fn resolve(flag: Option<&std::ffi::OsStr>) -> Result<Location> {
        match flag {
            Some(db) => Location::from_arg(db),
            None => Ok(Location::Sqlite(default_path())),
        }
    }

    /// What `--db` says: a PostgreSQL connection string, else an SQLite path (any bytes).
    pub fn from_arg(db: &std::ffi::OsStr) -> Result<Location> {
        match db.to_str() {
            Some(text) if is_postgres_url(text) => PgTarget::parse(text)
                .map(|t| Location::Postgres(Box::new(t)))
                .map_err(StoreError::BadLocation),
            _ => Ok(Location::Sqlite(PathBuf::from(db))),
        }
    }

    /// How messages name it: the path, or the server without its password.
    pub fn shown(&self) -> String {
        match self {
            Location::Sqlite(p) => p.display().to_string(),
            Location::Postgres(t) => t.shown().to_string(),
            Location::Memory => ":memory:".into(),
        }
    }
}

/// One connection to a guichet store.
pub struct Store {
    db: Db,
    /// How messages name the store: its path, or its server without the password.
    name: String,
    location: Location,
    read_only: bool,
    /// On PostgreSQL, the drafts of this machine's consoles: a local SQLite file. A draft
    /// is written every second while a call is typed and must survive the server going
    /// away: it stays beside the console, and only the saved call goes to the server.
    /// Opened on the first draft read or written: a command that saves a call and exits
    /// never opens it.
    local: Option<LocalDrafts>,
}

/// The drafts file of a store (beside an SQLite desk, on this machine for a server),
/// opened when first needed.
struct LocalDrafts {
    path: PathBuf,
    /// The desk's group, given the file it creates.
    group: Option<String>,
    store: std::cell::OnceCell<Box<Store>>,
}

impl LocalDrafts {
    fn open(&self) -> Result<&Store> {
        if let Some(store) = self.store.get() {
            return Ok(store);
        }
        let store = Store::open_drafts_file(
            &self.path,
            &FileAccess {
                group: self.group.clone(),
                read_only: false,
            },
        )?;
        Ok(self.store.get_or_init(|| Box::new(store)))
    }
}

/// Who may read a new database file: the owner only by default, a desk's group when
/// configured.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileAccess {
    /// A Unix group given read and write access.
    pub group: Option<String>,
    /// Open for reading only, even if the file could be written (a supervisor's review).
    pub read_only: bool,
}

impl Store {
    /// Opens the store `location` names, creating and migrating it as needed.
    pub fn open_location(location: &Location, access: &FileAccess) -> Result<Store> {
        match location {
            Location::Sqlite(path) => Store::open_with(path, access),
            Location::Postgres(target) => Store::connect(target, access),
            Location::Memory => Store::open_in_memory(),
        }
    }

    /// Connects to a PostgreSQL store and brings its schema up to date (a newer schema is
    /// refused untouched). Its drafts go to a local file of this machine.
    pub fn connect(target: &PgTarget, access: &FileAccess) -> Result<Store> {
        Store::connect_with_drafts(target, access, &local_drafts_path(target))
    }

    /// [`Store::connect`], the drafts in the SQLite file `drafts`.
    pub fn connect_with_drafts(
        target: &PgTarget,
        access: &FileAccess,
        drafts: &Path,
    ) -> Result<Store> {
        let name = target.shown().to_string();
        // Read-only on every connection the store makes, a re-made one included.
        let session = if access.read_only {
            target.read_only()
        } else {
            target.clone()
        };
        let conn = postgres::PgConn::open(&session).map_err(|e| StoreError::db(&name, e))?;
        let mut store = Store {
            db: Db::Postgres(Box::new(std::cell::RefCell::new(conn))),
            name,
            location: Location::Postgres(Box::new(target.clone())),
            read_only: access.read_only,
            local: None,
        };
        let version = migrations::inspect(&store)?;
        if store.read_only {
            migrations::require_current(&store, version)?;
        } else if version != POSTGRES_LATEST_VERSION {
            // A migration may build an index over a desk's million calls: longer than a
            // statement may take otherwise.
            store.pg_unhurried(true)?;
            let migrated = migrations::migrate(&mut store);
            store.pg_unhurried(false)?;
            migrated?;
        }
        store.local = Some(LocalDrafts {
            path: drafts.to_path_buf(),
            group: None,
            store: std::cell::OnceCell::new(),
        });
        Ok(store)
    }

    pub fn engine(&self) -> Engine {
        self.db.engine()
    }

    /// The file could not be opened for writing: everything can be read, nothing written.
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// How messages name the store: its path, or its server (never with a password).
    pub fn path(&self) -> &str {
        &self.name
    }

    /// Where the store is, for another connection to the same one (a loader thread).
    pub fn location(&self) -> &Location {
        &self.location
    }

    /// The SQLite file the drafts of this console are written to (beside an SQLite desk,
    /// on PostgreSQL a file of this machine, the file itself for a drafts file or a desk
    /// opened read-only); none in memory.
    pub fn drafts_path(&self) -> Option<PathBuf> {
        match (&self.location, &self.local) {
            (_, Some(local)) => Some(local.path.clone()),
            (Location::Sqlite(p), None) => Some(p.clone()),
            _ => None,
        }
    }

    pub(crate) fn err(&self, source: impl Into<DbError>) -> StoreError {
        StoreError::db(&self.name, source.into())
    }

    /// The SQLite connection (only ever called on an SQLite store).
    fn sqlite(&self) -> &rusqlite::Connection {
        self.db
            .sqlite()
            .expect("an SQLite statement on an SQLite store")
    }

    /// A counter that moves when another console wrote: SQLite's count of others'
    /// commits, or the server's notifications on PostgreSQL (read from what it already
    /// sent: no query). On PostgreSQL, an error while the server is unreachable.
    pub fn data_version(&self) -> Result<i64> {
        match &self.db {
            Db::Sqlite(c) => c
                .query_row("PRAGMA data_version", [], |r| r.get(0))
                .map_err(|e| self.err(e)),
            Db::Postgres(c) => c.borrow_mut().changes().map_err(|e| self.err(e)),
        }
    }

    /// On PostgreSQL, lifts the statement timeout and the store's patience for long work
    /// (`on`), or puts them back.
    fn pg_unhurried(&self, on: bool) -> Result<()> {
        match self.db.postgres() {
            Some(c) => c.borrow_mut().set_unhurried(on).map_err(|e| self.err(e)),
            None => Ok(()),
        }
    }

    /// Why the server cannot be used now, while it cannot (always `None` on SQLite).
    pub fn connection_problem(&self) -> Option<String> {
        self.db
            .postgres()
            .and_then(|c| c.borrow().lost().map(String::from))
    }

    /// What is wrong with the store: empty when all is well. SQLite checks its file and
    /// its foreign keys; PostgreSQL's store checks its schema, its guards and the roles'
    /// rights against the documented ones. Both then name the rows the record's rules
    /// would refuse (times out of order, lines without the server's role…).
    pub fn check(&self) -> Result<Vec<String>> {
        let mut problems = match self.engine() {
            Engine::Sqlite => self.check_sqlite()?,
            Engine::Postgres => {
                let mut problems = self.check_postgres()?;
                problems.extend(self.check_rights()?);
                problems
            }
        };
        problems.extend(self.check_record()?);
        Ok(problems)
    }

    /// A consistent copy of the live database, taken while others keep writing, into a
    /// path where nothing exists yet ([`Store::backup_with`]).
    pub fn backup(&self, to: &Path) -> Result<()> {
        self.backup_with(to, false)
    }

    /// A consistent copy of the live database at `to`, with the database's own mode and
    /// group (owner-only by default) whatever the umask. A symbolic link at `to` is refused,
    /// never followed; an existing file is refused unless `replace`. The copy is written
    /// into a new file beside `to`, then renamed onto it: `to` is never half-written. A
    /// PostgreSQL store is backed up by the server's own tool.
    pub fn backup_with(&self, to: &Path, replace: bool) -> Result<()> {
        match self.engine() {
            Engine::Sqlite => self.backup_sqlite(to, replace),
            Engine::Postgres => Err(StoreError::BackupPostgres {
                path: self.name.clone(),
                dbname: match &self.location {
                    Location::Postgres(t) => t.dbname().to_string(),
                    _ => String::new(),
                },
            }),
        }
    }
}

/// Where the consoles of an SQLite desk keep their drafts: a file beside it
/// (`guichet.db` → `guichet-brouillons.db`), shared by the desk's consoles.
pub fn drafts_beside(desk: &Path) -> PathBuf {
    let stem = desk
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "guichet".into());
    desk.with_file_name(format!("{stem}-brouillons.db"))
}

/// Where the consoles of this machine keep their drafts for the store at `target`: one
/// file per server and database, in the user's state folder.
fn local_drafts_path(target: &PgTarget) -> PathBuf {
    let name: String = target
        .shown()
        .trim_start_matches("postgresql://")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let base = std::env::var_os("GUICHET_STATE_DIR")
        .map(PathBuf::from)
        .or_else(dirs::state_dir)
        .or_else(dirs::data_dir)
        .unwrap_or_else(|| PathBuf::from("."))
        .join("guichet");
    base.join(format!("brouillons-{name}.db"))
}

pub use migrations::{LATEST_VERSION, POSTGRES_LATEST_VERSION};

/// The path used when neither `--db` nor `GUICHET_DB` is given.
pub fn default_path() -> PathBuf {
    dirs::data_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join("guichet")
        .join("guichet.db")
}

#[cfg(test)]
mod tests;
