//! Throwaway databases on a PostgreSQL server, for the tests and the benchmarks that run
//! on both engines. The server is `GUICHET_TEST_PG` (a connection string), else the one
//! libpq's variables name (`pg_virtualenv` sets them). No server is a failure with a
//! sentence that says how to get one, never a silent skip.

use super::postgres::PgTarget;
use std::sync::atomic::{AtomicU32, Ordering};

/// A database created for one test, dropped with it.
pub struct ScratchDb {
    admin: PgTarget,
    target: PgTarget,
}

/// The test server, as the environment names it.
pub fn test_server() -> PgTarget {
    let url = std::env::var("GUICHET_TEST_PG").unwrap_or_else(|_| "postgresql://".into());
    PgTarget::parse(&url).unwrap_or_else(|e| panic!("GUICHET_TEST_PG : {e}"))
}

fn no_server(why: &str) -> ! {
    panic!(
        "ce test demande un serveur PostgreSQL ({why}) : lancer les tests sous \
         `pg_virtualenv cargo test --locked` (paquet postgresql-common), ou donner \
         GUICHET_TEST_PG=postgresql://…"
    )
}

impl ScratchDb {
    /// A new, empty database on the test server.
    pub fn new() -> ScratchDb {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let server = test_server();
        // The maintenance database, to create and drop the others.
        let admin = server.with_dbname("postgres");
        let name = format!(
            "guichet_t{}_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos())
        );
        let mut client = admin.connect().unwrap_or_else(|e| no_server(&e));
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap_or_else(|e| no_server(&e.to_string()));
        ScratchDb {
            target: server.with_dbname(&name),
            admin,
        }
    }

    /// Where the database is, to open a store on it.
    pub fn target(&self) -> &PgTarget {
        &self.target
    }

    /// The connection string of the database (with the test server's password, if any:
    /// for the tests that run the binary).
    pub fn url(&self) -> String {
        self.target.url_with_password()
    }

    /// Gives `role` (a login role of the test server) the rights of
    /// `db/postgres/console-role.sql` on this database, as its owner would, the schema
    /// made; returns where to connect as that role (password `password`).
    pub fn console_role(&self, role: &str, password: &str) -> PgTarget {
        let grants = include_str!("../../db/postgres/console-role.sql")
            .replace(
                "DATABASE guichet ",
                &format!("DATABASE {} ", self.target.dbname()),
            )
            .replace("guichet_console", role);
        self.target
            .connect()
            .unwrap_or_else(|e| no_server(&e))
            .batch_execute(&grants)
            .unwrap_or_else(|e| panic!("the rights of {role}: {e}"));
        self.target.with_login(role, password)
    }
}

/// Server processes stopped with SIGSTOP, as a frozen machine leaves them: they keep their
/// connections and answer nothing. Continued when dropped, whatever the test's outcome.
pub struct Stopped(Vec<rustix::process::Pid>);

impl Stopped {
    /// Stops the server processes `pids` (backends: `pg_backend_pid()`, `pg_stat_activity`).
    pub fn pids(pids: &[i32]) -> Stopped {
        let pids: Vec<_> = pids
            .iter()
            .map(|p| rustix::process::Pid::from_raw(*p).expect("a backend's pid"))
            .collect();
        let stopped = Stopped(pids);
        for pid in &stopped.0 {
            rustix::process::kill_process(*pid, rustix::process::Signal::STOP)
                .expect("the test may signal the server's backends");
        }
        stopped
    }
}

impl Drop for Stopped {
    fn drop(&mut self) {
        for pid in &self.0 {
            let _ = rustix::process::kill_process(*pid, rustix::process::Signal::CONT);
        }
    }
}

impl ScratchDb {
    /// Stops every session of this database (the consoles' connections on it).
    pub fn stop_sessions(&self) -> Stopped {
        let mut client = self.admin.connect().unwrap_or_else(|e| no_server(&e));
        let pids: Vec<i32> = client
            .query(
                "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
                &[&self.target.dbname()],
            )
            .expect("the database's sessions")
            .iter()
            .map(|r| r.get(0))
            .collect();
        assert!(!pids.is_empty(), "no session on {}", self.target.dbname());
        Stopped::pids(&pids)
    }
}

/// Opens the store's own connection to `target` (TLS, login, the session's settings, as a
/// command's store does) and closes it: what one connection costs (`benches/connect.rs`).
pub fn connect_and_close(target: &PgTarget) -> Result<(), String> {
    super::postgres::PgConn::open(target)
        .map(drop)
        .map_err(|e| e.to_string())
}

impl Default for ScratchDb {
    fn default() -> Self {
        ScratchDb::new()
    }
}

impl Drop for ScratchDb {
    fn drop(&mut self) {
        if let Ok(mut client) = self.admin.connect() {
            let _ = client.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.target.dbname()
            ));
        }
    }
}
