//! Throwaway PostgreSQL clusters made by the test itself with the installed server's own
//! programs (`initdb`, `pg_ctl`, `pg_basebackup`): a primary with the settings a test
//! needs, a streaming standby of it, a promotion, a stop. No external tool, loopback only,
//! every wait bounded; dropping a cluster (a test that panics included) stops its server
//! and removes its files.
//!
//! The server refuses to run as root: when the tests do (CI), its programs run as the
//! `postgres` user (`runuser`), which then owns the cluster's folder.
#![allow(dead_code)] // each test file uses part of the harness

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// How long a start, a stop, a base backup or a promotion may take.
const WAIT: Duration = Duration::from_secs(30);

/// The superuser every cluster is made with (trust authentication on loopback and on the
/// cluster's own socket folder).
pub const SUPERUSER: &str = "postgres";

/// How a server is stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// Sessions ended, the standbys sent everything written, a clean shutdown.
    Fast,
    /// At once, as a crash or a power cut: the standbys get nothing more.
    Immediate,
}

/// One PostgreSQL server of its own: a data folder, a socket folder and a port.
pub struct Cluster {
    /// Holds `data/`, `socket/` and `server.log`; removed when the cluster is dropped.
    dir: tempfile::TempDir,
    port: u16,
    bin: PathBuf,
    /// The programs run as `postgres` (the tests run as root).
    as_postgres: bool,
    running: bool,
}

impl Cluster {
    /// A new primary on a free loopback port, started, with `settings` added to its
    /// `postgresql.conf` (`"max_connections = 20"`). `"ssl = on"` gets a self-signed
    /// certificate made for it.
    pub fn primary(settings: &[&str]) -> Cluster {
        let dir = tempfile::Builder::new()
            .prefix("guichet-pg-")
            .tempdir()
            .expect("a temporary folder");
        // A folder this process made is owned by its effective user.
        let as_postgres = dir.path().metadata().expect("the folder").uid() == 0;
        let mut cluster = Cluster {
            port: free_port(),
            bin: server_bin(),
            as_postgres,
            running: false,
            dir,
        };
        std::fs::create_dir(cluster.socket_dir()).expect("the socket folder");
        if as_postgres {
            give_to_postgres(cluster.dir.path());
        }
        cluster.run(
            "initdb",
            &[
                "--no-sync",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
                &format!("--username={SUPERUSER}"),
                "-D",
                &cluster.data_dir().display().to_string(),
            ],
        );
        let mut conf = vec![
            "listen_addresses = '127.0.0.1'".to_string(),
            // Enough for a standby or two; the default is 10 already, said for the reader.
            "max_wal_senders = 5".into(),
            "wal_level = replica".into(),
        ];
        if settings.iter().any(|s| s.replace(' ', "") == "ssl=on") {
            conf.extend(cluster.self_signed_certificate());
        }
        conf.extend(settings.iter().map(|s| s.to_string()));
        cluster.configure(&conf);
        cluster.start();
        cluster
    }

    /// A streaming standby of this primary on another port, started, and streaming when
    /// this returns. It has the primary's settings (copied by the base backup), without
    /// `synchronous_standby_names`: promoted, it has no standby to wait for.
    pub fn standby(&self) -> Cluster {
        let dir = tempfile::Builder::new()
            .prefix("guichet-pg-")
            .tempdir()
            .expect("a temporary folder");
        let mut standby = Cluster {
            port: free_port(),
            bin: self.bin.clone(),
            as_postgres: self.as_postgres,
            running: false,
            dir,
        };
        std::fs::create_dir(standby.socket_dir()).expect("the socket folder");
        if standby.as_postgres {
            give_to_postgres(standby.dir.path());
        }
        let streaming_before = self.streaming_standbys();
        standby.run(
            "pg_basebackup",
            &[
                "-h",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-U",
                SUPERUSER,
                "-D",
                &standby.data_dir().display().to_string(),
                // The replication settings (primary_conninfo, standby.signal) written.
                "-R",
                "--wal-method=stream",
                "--checkpoint=fast",
                "--no-sync",
            ],
        );
        let mut conf = vec!["synchronous_standby_names = ''".to_string()];
        if standby.data_dir().join("server.crt").exists() {
            // Its own copy of the primary's certificate, which may go first.
            conf.extend(standby.certificate_settings());
        }
        standby.configure(&conf);
        standby.start();
        let deadline = Instant::now() + WAIT;
        while self.streaming_standbys() <= streaming_before {
            assert!(
                Instant::now() < deadline,
                "the standby on port {} is not streaming after {WAIT:?}:\n{}",
                standby.port,
                standby.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        standby
    }

    /// Returns once `standby` has replayed everything this primary wrote so far (a
    /// synchronous commit waits for the standby's disk, not for its replay).
    pub fn wait_replayed(&self, standby: &Cluster) {
        let lsn: String = self
            .client("postgres")
            .query_one("SELECT pg_current_wal_lsn()::text", &[])
            .expect("pg_current_wal_lsn")
            .get(0);
        let mut client = standby.client("postgres");
        let deadline = Instant::now() + WAIT;
        loop {
            let replayed: bool = client
                .query_one(
                    "SELECT pg_last_wal_replay_lsn() >= $1::text::pg_lsn",
                    &[&lsn],
                )
                .expect("pg_last_wal_replay_lsn")
                .get(0);
            if replayed {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the standby on port {} has not replayed {lsn} after {WAIT:?}",
                standby.port
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Makes this standby a primary, and returns once it takes writes.
    pub fn promote(&self) {
        self.run(
            "pg_ctl",
            &[
                "promote",
                "-w",
                "-t",
                &WAIT.as_secs().to_string(),
                "-D",
                &self.data_dir().display().to_string(),
            ],
        );
    }

    /// Stops the server, waiting until it is down.
    pub fn stop(&mut self, how: Stop) {
        let mode = match how {
            Stop::Fast => "fast",
            Stop::Immediate => "immediate",
        };
        self.run(
            "pg_ctl",
            &[
                "stop",
                "-w",
                "-t",
                &WAIT.as_secs().to_string(),
                "-m",
                mode,
                "-D",
                &self.data_dir().display().to_string(),
            ],
        );
        self.running = false;
    }

    /// Starts the server (again), waiting until it accepts connections.
    pub fn start(&mut self) {
        let log = self.dir.path().join("server.log");
        self.run(
            "pg_ctl",
            &[
                "start",
                "-w",
                "-t",
                &WAIT.as_secs().to_string(),
                "-D",
                &self.data_dir().display().to_string(),
                "-l",
                &log.display().to_string(),
            ],
        );
        self.running = true;
    }

    /// The loopback port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `127.0.0.1:port`, as a connection string names a host.
    pub fn host_port(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// A connection string to `db` on this server as the superuser.
    pub fn url(&self, db: &str) -> String {
        format!("postgresql://{SUPERUSER}@127.0.0.1:{}/{db}", self.port)
    }

    /// A connection as the superuser to `db`; panics if the server does not answer.
    pub fn client(&self, db: &str) -> postgres::Client {
        postgres::Config::new()
            .host("127.0.0.1")
            .port(self.port)
            .user(SUPERUSER)
            .dbname(db)
            .connect_timeout(Duration::from_secs(5))
            .connect(postgres::NoTls)
            .unwrap_or_else(|e| panic!("the cluster on port {}: {e}\n{}", self.port, self.log()))
    }

    /// Runs SQL on the maintenance database as the superuser.
    pub fn admin(&self, sql: &str) {
        self.client("postgres")
            .batch_execute(sql)
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    /// The server's log so far (for a failure's message).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn socket_dir(&self) -> PathBuf {
        self.dir.path().join("socket")
    }

    /// How many standbys stream from this server now.
    fn streaming_standbys(&self) -> i64 {
        self.client("postgres")
            .query_one(
                "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'",
                &[],
            )
            .expect("pg_stat_replication")
            .get(0)
    }

    /// Adds lines to `postgresql.conf` (a later line wins over an earlier one), with this
    /// cluster's port and socket folder.
    fn configure(&self, lines: &[String]) {
        use std::io::Write;
        let path = self.data_dir().join("postgresql.conf");
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let mut text = format!(
            "\n# guichet's test cluster\nport = {}\nunix_socket_directories = '{}'\n",
            self.port,
            self.socket_dir().display()
        );
        for line in lines {
            text.push_str(line);
            text.push('\n');
        }
        file.write_all(text.as_bytes()).expect("postgresql.conf");
    }

    /// A key and a self-signed certificate in the data folder, and the settings naming them.
    fn self_signed_certificate(&self) -> Vec<String> {
        let (key, cert) = (
            self.data_dir().join("server.key"),
            self.data_dir().join("server.crt"),
        );
        let status = Command::new("openssl")
            .args([
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            ])
            .args(["-subj", "/CN=127.0.0.1", "-keyout"])
            .arg(&key)
            .arg("-out")
            .arg(&cert)
            .output()
            .expect("openssl, to make the test server's certificate");
        assert!(
            status.status.success(),
            "openssl: {}",
            String::from_utf8_lossy(&status.stderr)
        );
        if self.as_postgres {
            give_to_postgres(&key);
            give_to_postgres(&cert);
        }
        std::fs::set_permissions(&key, std::os::unix::fs::PermissionsExt::from_mode(0o600))
            .expect("the key's permissions");
        self.certificate_settings()
    }

    fn certificate_settings(&self) -> Vec<String> {
        let (key, cert) = (
            self.data_dir().join("server.key"),
            self.data_dir().join("server.crt"),
        );
        vec![
            format!("ssl_cert_file = '{}'", cert.display()),
            format!("ssl_key_file = '{}'", key.display()),
        ]
    }

    /// Runs one of the server's programs (as `postgres` when the tests run as root),
    /// with none of the caller's `PG*` variables; panics with its output if it fails.
    fn run(&self, tool: &str, args: &[&str]) {
        let program = self.bin.join(tool);
        let mut command = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&program);
            c
        } else {
            Command::new(&program)
        };
        command
            .args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("LC_ALL", "C.UTF-8")
            .current_dir(self.dir.path());
        let out = command
            .output()
            .unwrap_or_else(|e| panic!("{}: {e}", program.display()));
        assert!(
            out.status.success(),
            "{tool} {args:?}: {}\n{}{}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
            self.log()
        );
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if self.running {
            let program = self.bin.join("pg_ctl");
            let data = self.data_dir();
            let mut command = if self.as_postgres {
                let mut c = Command::new("runuser");
                c.args(["-u", "postgres", "--"]).arg(&program);
                c
            } else {
                Command::new(&program)
            };
            // Its folder goes next: no need for a clean shutdown.
            let _ = command
                .args(["stop", "-w", "-t", "10", "-m", "immediate", "-D"])
                .arg(&data)
                .env_clear()
                .env("PATH", std::env::var_os("PATH").unwrap_or_default())
                .output();
        }
    }
}

/// The installed server's programs: the newest `/usr/lib/postgresql/N/bin` (Debian), else
/// where `pg_config` says.
fn server_bin() -> PathBuf {
    let newest = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter_map(|e| {
            let version: u32 = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .max();
    if let Some((_, bin)) = newest {
        return bin;
    }
    let out = Command::new("pg_config")
        .arg("--bindir")
        .output()
        .ok()
        .filter(|o| o.status.success());
    match out {
        Some(o) => PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()),
        None => panic!(
            "ce test fabrique ses propres serveurs PostgreSQL : il lui faut initdb, pg_ctl et \
             pg_basebackup (paquet postgresql), introuvables dans /usr/lib/postgresql/*/bin \
             et par pg_config"
        ),
    }
}

/// A loopback port nobody listens on now.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port()
}

/// Hands a file or folder (and what it holds) to the `postgres` user.
fn give_to_postgres(path: &Path) {
    let status = Command::new("chown")
        .args(["-R", "postgres:postgres"])
        .arg(path)
        .status()
        .expect("chown");
    assert!(status.success(), "chown postgres {}", path.display());
}
