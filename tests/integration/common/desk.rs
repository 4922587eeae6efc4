//! One desk for the tests that drive the binary or the store, on either engine: a folder
//! of its own (the user's home, the XDG folders, the state folder where a console keeps
//! its drafts when the store is on a server) and a database: an SQLite file in that
//! folder, or a new database on the test server (`guichet::store::scratch`), dropped with
//! the desk. No server is a failure with the scratch module's sentence, never a skip.
//!
//! Used as `use crate::common::desk;` (the macros below are in scope of every test module:
//! `common` and this module are declared first, with `#[macro_use]`).

// Each user takes the part it needs.
#![allow(dead_code)]

use guichet::store::scratch::ScratchDb;
use guichet::store::{FileAccess, Store};
use serde_json::Value;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Which engine a desk's store is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// Each test body run twice, as `<name>::sqlite` and `<name>::postgres`: given a new
/// [`Desk`] on each engine (`fn name(desk) { … }`), or the engine itself
/// (`fn name(engine: Engine) { … }`) for a body that makes what it needs.
#[allow(unused_macros)]
macro_rules! on_both_engines {
    ($(#[$meta:meta])* fn $name:ident($desk:ident) $body:block) => {
        $(#[$meta])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            fn body($desk: $crate::common::desk::Desk) $body

            #[test]
            fn sqlite() {
                body($crate::common::desk::Desk::on($crate::common::desk::Engine::Sqlite));
            }

            #[test]
            fn postgres() {
                body($crate::common::desk::Desk::on($crate::common::desk::Engine::Postgres));
            }
        }
    };
    ($(#[$meta:meta])* fn $name:ident($engine:ident: Engine) $body:block) => {
        $(#[$meta])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            fn body($engine: $crate::common::desk::Engine) $body

            #[test]
            fn sqlite() {
                body($crate::common::desk::Engine::Sqlite);
            }

            #[test]
            fn postgres() {
                body($crate::common::desk::Engine::Postgres);
            }
        }
    };
}

/// The values of a statement run by [`Desk::sql`], in the order of their `?N`.
#[allow(unused_macros)]
macro_rules! sql_args {
    ($($x:expr),* $(,)?) => {
        &[$($crate::common::desk::Arg::from($x)),*][..]
    };
}

pub struct Desk {
    pub dir: tempfile::TempDir,
    pub engine: Engine,
    /// The desk's database on the test server (PostgreSQL desks).
    server: Option<ScratchDb>,
    /// The login name the binary sees (`USER`), the default operator.
    user: String,
}

impl Desk {
    /// A desk on an SQLite file.
    pub fn new() -> Desk {
        Desk::on(Engine::Sqlite)
    }

    /// A desk on a new database of the test server.
    pub fn postgres() -> Desk {
        Desk::on(Engine::Postgres)
    }

    pub fn on(engine: Engine) -> Desk {
        Desk {
            dir: tempfile::tempdir().unwrap(),
            engine,
            server: (engine == Engine::Postgres).then(ScratchDb::new),
            user: "loginname".into(),
        }
    }

    /// The same desk, the binary run under another login name.
    pub fn with_user(mut self, user: &str) -> Desk {
        self.user = user.into();
        self
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The SQLite file (only an SQLite desk has one).
    pub fn db(&self) -> PathBuf {
        assert_eq!(self.engine, Engine::Sqlite, "a server's desk has no file");
        self.path().join("desk.db")
    }

    /// The desk's database on the server (only a PostgreSQL desk has one).
    pub fn server(&self) -> &ScratchDb {
        self.server.as_ref().expect("an SQLite desk has no server")
    }

    /// The connection string, with the test server's password (PostgreSQL desks).
    pub fn url(&self) -> String {
        self.server().url()
    }

    /// What `GUICHET_DB` and `--db` say: the file, or the connection string.
    pub fn location(&self) -> OsString {
        match self.engine {
            Engine::Sqlite => self.db().into(),
            Engine::Postgres => self.url().into(),
        }
    }

    /// How guichet's messages name the store: the file's path, or the server without its
    /// password.
    pub fn shown(&self) -> String {
        match self.engine {
            Engine::Sqlite => self.db().display().to_string(),
            Engine::Postgres => self.server().target().shown().to_string(),
        }
    }

    /// Where a PostgreSQL store's drafts go, for the processes of this desk.
    pub fn state_dir(&self) -> PathBuf {
        self.path().join("state")
    }

    /// The binary, with only this desk's environment.
    pub fn cmd(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_guichet"));
        c.current_dir(self.path())
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.path())
            .env("XDG_DATA_HOME", self.path().join("data"))
            .env("XDG_CONFIG_HOME", self.path().join("config"))
            .env("XDG_STATE_HOME", self.path().join("xdg-state"))
            .env("GUICHET_STATE_DIR", self.state_dir())
            .env("USER", &self.user)
            .env("GUICHET_DB", self.location());
        c
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().unwrap()
    }

    /// Runs a command expected to succeed; returns its stdout as bytes.
    pub fn bytes(&self, args: &[&str]) -> Vec<u8> {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "{args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    }

    pub fn ok(&self, args: &[&str]) -> String {
        String::from_utf8(self.bytes(args)).unwrap()
    }

    pub fn json(&self, args: &[&str]) -> Value {
        serde_json::from_str(&self.ok(args)).unwrap()
    }

    /// Runs a command expected to fail; returns (exit code, stderr).
    pub fn fails(&self, args: &[&str]) -> (i32, String) {
        let out = self.run(args);
        assert!(!out.status.success(), "{args:?} should fail");
        assert!(out.stdout.is_empty(), "nothing on stdout when failing");
        (
            out.status.code().unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    }

    /// `call add` with these fields (and `extra`); returns the reference printed.
    pub fn add(&self, caller: &str, service: &str, device: &str, extra: &[&str]) -> String {
        let mut args = vec![
            "call",
            "add",
            "--service",
            service,
            "--device",
            device,
            "--caller",
            caller,
            "--summary",
            "VPN bleu",
        ];
        args.extend_from_slice(extra);
        self.ok(&args).trim().to_string()
    }

    /// How many calls `call list` gives.
    pub fn count(&self) -> usize {
        self.json(&["call", "list", "--limit", "0", "--format", "json"])
            .as_array()
            .unwrap()
            .len()
    }

    /// The desk's store, opened in this process (its drafts, on a server, in the desk's
    /// folder).
    pub fn store(&self) -> Store {
        match self.engine {
            Engine::Sqlite => Store::open(&self.db()).unwrap(),
            Engine::Postgres => Store::connect_with_drafts(
                self.server().target(),
                &FileAccess::default(),
                &self.path().join("drafts-in-process.db"),
            )
            .unwrap(),
        }
    }

    /// A connection to the desk's database on the server, as the test server's role (an
    /// administrator's, beside guichet).
    pub fn admin(&self) -> postgres::Client {
        self.server().target().connect().unwrap()
    }

    /// Backdating a fixture is the owner's surgery, not a console's: the guard that keeps
    /// what a call was (and, on a server, the one that asks each change of a call for its
    /// journal line) is lifted while `surgery` runs, then put back as its migration made it.
    pub fn with_record_guards_lifted(&self, surgery: impl FnOnce(&Desk)) {
        let (drop, create) = match self.engine {
            Engine::Sqlite => (
                "DROP TRIGGER calls_keep_record",
                include_str!("../../../db/migrations/sqlite/0016_calls_keep_record.sql"),
            ),
            Engine::Postgres => (
                "DROP TRIGGER calls_keep_record ON calls",
                "CREATE TRIGGER calls_keep_record BEFORE UPDATE ON calls \
                 FOR EACH ROW EXECUTE FUNCTION guichet_keep_call()",
            ),
        };
        self.sql(drop, &[]);
        if self.engine == Engine::Postgres {
            self.sql("ALTER TABLE calls DISABLE TRIGGER calls_journaled", &[]);
        }
        surgery(self);
        self.sql(create, &[]);
        if self.engine == Engine::Postgres {
            self.sql("ALTER TABLE calls ENABLE TRIGGER calls_journaled", &[]);
        }
    }

    /// Runs one statement on the desk's database directly (as another tool would, without
    /// guichet), `?N` placeholders on both engines; returns how many rows it changed.
    pub fn sql(&self, sql: &str, args: &[Arg<'_>]) -> u64 {
        match self.engine {
            Engine::Sqlite => {
                let conn = rusqlite::Connection::open(self.db()).unwrap();
                conn.execute(sql, rusqlite::params_from_iter(args))
                    .unwrap_or_else(|e| panic!("{sql}: {e}")) as u64
            }
            Engine::Postgres => {
                let params: Vec<&(dyn postgres::types::ToSql + Sync)> = args
                    .iter()
                    .map(|a| a as &(dyn postgres::types::ToSql + Sync))
                    .collect();
                self.admin()
                    .execute(&dollars(sql), &params)
                    .unwrap_or_else(|e| panic!("{sql}: {e}"))
            }
        }
    }

    /// The integer the first column of the first row holds (a count, a `RETURNING id`).
    pub fn sql_i64(&self, sql: &str, args: &[Arg<'_>]) -> i64 {
        match self.engine {
            Engine::Sqlite => {
                let conn = rusqlite::Connection::open(self.db()).unwrap();
                conn.query_row(sql, rusqlite::params_from_iter(args), |r| r.get(0))
                    .unwrap_or_else(|e| panic!("{sql}: {e}"))
            }
            Engine::Postgres => {
                let params: Vec<&(dyn postgres::types::ToSql + Sync)> = args
                    .iter()
                    .map(|a| a as &(dyn postgres::types::ToSql + Sync))
                    .collect();
                let row = self
                    .admin()
                    .query_one(&dollars(sql), &params)
                    .unwrap_or_else(|e| panic!("{sql}: {e}"));
                match row.columns()[0].type_() {
                    &postgres::types::Type::INT4 => i64::from(row.get::<_, i32>(0)),
                    _ => row.get(0),
                }
            }
        }
    }
}

/// `?N` placeholders as PostgreSQL writes them; quoted text is left alone.
fn dollars(sql: &str) -> String {
    let mut quoted = false;
    sql.chars()
        .map(|c| match c {
            '\'' => {
                quoted = !quoted;
                c
            }
            '?' if !quoted => '$',
            _ => c,
        })
        .collect()
}

/// A value bound to a statement of [`Desk::sql`]: what guichet's tables hold.
#[derive(Debug, Clone, Copy)]
pub enum Arg<'a> {
    Int(i64),
    Text(&'a str),
    Null,
}

impl From<i64> for Arg<'_> {
    fn from(v: i64) -> Self {
        Arg::Int(v)
    }
}

impl<'a> From<&'a str> for Arg<'a> {
    fn from(v: &'a str) -> Self {
        Arg::Text(v)
    }
}

impl<'a> From<&'a String> for Arg<'a> {
    fn from(v: &'a String) -> Self {
        Arg::Text(v)
    }
}

impl<'a, T: Into<Arg<'a>>> From<Option<T>> for Arg<'a> {
    fn from(v: Option<T>) -> Self {
        v.map_or(Arg::Null, Into::into)
    }
}

impl rusqlite::ToSql for Arg<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(ToSqlOutput::Borrowed(match self {
            Arg::Int(i) => ValueRef::Integer(*i),
            Arg::Text(s) => ValueRef::Text(s.as_bytes()),
            Arg::Null => ValueRef::Null,
        }))
    }
}

impl postgres::types::ToSql for Arg<'_> {
    fn to_sql(
        &self,
        ty: &postgres::types::Type,
        out: &mut bytes::BytesMut,
    ) -> Result<postgres::types::IsNull, Box<dyn std::error::Error + Sync + Send>> {
        use postgres::types::Type;
        match self {
            Arg::Null => Ok(postgres::types::IsNull::Yes),
            Arg::Int(i) if *ty == Type::INT4 => i32::try_from(*i)?.to_sql(ty, out),
            Arg::Int(i) => i.to_sql(ty, out),
            Arg::Text(s) => s.to_sql(ty, out),
        }
    }

    fn accepts(_: &postgres::types::Type) -> bool {
        true
    }

    postgres::types::to_sql_checked!();
}
