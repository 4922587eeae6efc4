//! The PostgreSQL side of the store: where the server is (a connection string completed
//! as libpq would, from `PG*` variables and `~/.pgpass`), and the words for what went
//! wrong reaching it. The store's connection itself, its sessions, their encryption and
//! the waits between attempts are the modules below.

mod backoff;
mod open;
mod pgconn;
mod session;
#[cfg(test)]
mod tests;
mod tls;

pub use backoff::Backoff;
pub(crate) use pgconn::PgConn;
use std::time::Duration;

/// The channel the store's triggers notify on every write (see the PostgreSQL
/// migrations).
pub const CHANGES_CHANNEL: &str = "guichet_changes";

/// Whether `--db` names a PostgreSQL server rather than an SQLite file.
pub fn is_postgres_url(db: &str) -> bool {
    db.starts_with("postgresql://") || db.starts_with("postgres://")
}

/// A server and a database, with what is needed to log in. Its `Debug` and its name never
/// show the password.
#[derive(Clone)]
pub struct PgTarget {
    config: tokio_postgres::Config,
    shown: String,
    tls: Tls,
}

/// How the connection is encrypted, as libpq's `sslmode` says (`prefer` by default).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslMode {
    /// Never encrypted.
    Disable,
    /// Encrypted when the server offers it, the certificate not checked.
    Prefer,
    /// Always encrypted, the certificate not checked.
    Require,
    /// Always encrypted, the certificate signed by a trusted authority.
    VerifyCa,
    /// Always encrypted, the certificate signed by a trusted authority and naming the host.
    VerifyFull,
}

/// The encryption asked for, and the authority to trust beside the system's.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Tls {
    mode: SslMode,
    root_cert: Option<std::path::PathBuf>,
}

impl SslMode {
    fn parse(text: &str) -> Result<SslMode, String> {
        Ok(match text {
            "disable" => SslMode::Disable,
            // guichet never sends a password unencrypted when asked to encrypt at all:
            // "allow" is taken as "prefer".
            "allow" | "prefer" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            other => {
                return Err(format!(
                    "sslmode « {other} » inconnu : disable, prefer, require, verify-ca ou \
                     verify-full"
                ));
            }
        })
    }
}

/// Takes `sslmode` and `sslrootcert` out of a connection string's parameters (the client
/// library knows only three modes and no authority file): guichet applies them itself.
fn take_tls_params(url: &str) -> (String, Option<String>, Option<String>) {
    let Some((base, query)) = url.split_once('?') else {
        return (url.to_string(), None, None);
    };
    let (mut mode, mut root) = (None, None);
    let kept: Vec<&str> = query
        .split('&')
        .filter(|part| match part.split_once('=') {
            Some(("sslmode", v)) => {
                mode = Some(v.to_string());
                false
            }
            Some(("sslrootcert", v)) => {
                root = Some(v.to_string());
                false
            }
            _ => true,
        })
        .collect();
    let url = if kept.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    (url, mode, root)
}

impl std::fmt::Debug for PgTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.shown)
    }
}

/// What the environment says, for libpq's defaults (a test gives its own).
pub trait PgEnv {
    fn var(&self, name: &str) -> Option<String>;
    fn home(&self) -> Option<std::path::PathBuf>;
    fn os_user(&self) -> Option<String>;
}

/// The process's own environment.
pub struct ProcessEnv;

impl PgEnv for ProcessEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|v| !v.is_empty())
    }
    fn home(&self) -> Option<std::path::PathBuf> {
        dirs::home_dir()
    }
    fn os_user(&self) -> Option<String> {
        crate::config::os_user_name()
    }
}

impl PgTarget {
    /// Reads a connection string (`postgresql://user@host:port/db?…`), completed as libpq
    /// completes it: `PGHOST`, `PGPORT`, `PGUSER`, `PGPASSWORD`, `PGDATABASE`, then the
    /// password file (`PGPASSFILE`, else `~/.pgpass`). The error names what is wrong with
    /// the string, never its password.
    pub fn parse(url: &str) -> Result<PgTarget, String> {
        PgTarget::parse_with(url, &ProcessEnv)
    }

    pub fn parse_with(url: &str, env: &dyn PgEnv) -> Result<PgTarget, String> {
        let (stripped, mode, root_cert) = take_tls_params(url);
        let mut config: tokio_postgres::Config =
            stripped.parse().map_err(|e: postgres::Error| {
                format!("adresse PostgreSQL illisible ({}) : {e}", redact_url(url))
            })?;
        let mode = match mode.or_else(|| env.var("PGSSLMODE")) {
            Some(m) => SslMode::parse(&m)?,
            None => SslMode::Prefer,
        };
        let root_cert = root_cert
            .or_else(|| env.var("PGSSLROOTCERT"))
            .map(std::path::PathBuf::from);
        // The client library knows whether to ask for TLS; guichet checks the certificate.
        config.ssl_mode(match mode {
            SslMode::Disable => tokio_postgres::config::SslMode::Disable,
            SslMode::Prefer => tokio_postgres::config::SslMode::Prefer,
            _ => tokio_postgres::config::SslMode::Require,
        });
        let tls = Tls { mode, root_cert };
        if config.get_hosts().is_empty() {
            match env.var("PGHOST") {
                Some(hosts) => {
                    for host in hosts.split(',') {
                        add_host(&mut config, host);
                    }
                }
                None if std::path::Path::new("/var/run/postgresql").is_dir() => {
                    config.host_path("/var/run/postgresql");
                }
                None => {
                    config.host("localhost");
                }
            }
        }
        if config.get_ports().is_empty() {
            let port = match env.var("PGPORT") {
                Some(p) => p
                    .parse::<u16>()
                    .map_err(|_| format!("PGPORT « {p} » n'est pas un numéro de port"))?,
                None => 5432,
            };
            config.port(port);
        }
        if config.get_user().is_none() {
            let user = env
                .var("PGUSER")
                .or_else(|| env.os_user())
                .ok_or("aucun utilisateur PostgreSQL (PGUSER, ou dans l'adresse)")?;
            config.user(&user);
        }
        let user = config.get_user().unwrap_or_default().to_string();
        if config.get_dbname().is_none() {
            config.dbname(env.var("PGDATABASE").unwrap_or_else(|| user.clone()));
        }
        let host = shown_host(&config);
        let port = config.get_ports().first().copied().unwrap_or(5432);
        let dbname = config.get_dbname().unwrap_or_default().to_string();
        if config.get_password().is_none() {
            let password = env
                .var("PGPASSWORD")
                .or_else(|| pgpass_lookup(env, &host, port, &dbname, &user));
            if let Some(p) = password {
                config.password(p);
            }
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(open::CONNECT_TIMEOUT);
        }
        config.application_name("guichet");
        // A server that vanishes without a word (a cut link) is noticed within a minute.
        config.keepalives(true);
        config.keepalives_idle(Duration::from_secs(20));
        let shown = format!("postgresql://{user}@{host}:{port}/{dbname}");
        Ok(PgTarget { config, shown, tls })
    }

    /// The encryption this target asks for.
    pub fn ssl_mode(&self) -> SslMode {
        self.tls.mode
    }

    /// `postgresql://user@host:port/db`: how messages name the store.
    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// The database's name.
    pub fn dbname(&self) -> &str {
        self.config.get_dbname().unwrap_or_default()
    }

    /// The same server and database, another role.
    pub fn with_login(&self, user: &str, password: &str) -> PgTarget {
        let mut config = self.config.clone();
        config.user(user).password(password);
        let shown = self.shown.replacen(
            &format!("//{}@", self.config.get_user().unwrap_or_default()),
            &format!("//{user}@"),
            1,
        );
        PgTarget {
            config,
            shown,
            tls: self.tls.clone(),
        }
    }

    /// The same server, another database (tests make one each).
    pub fn with_dbname(&self, dbname: &str) -> PgTarget {
        let mut config = self.config.clone();
        config.dbname(dbname);
        let shown = format!(
            "postgresql://{}@{}:{}/{dbname}",
            config.get_user().unwrap_or_default(),
            shown_host(&config),
            config.get_ports().first().copied().unwrap_or(5432)
        );
        PgTarget {
            config,
            shown,
            tls: self.tls.clone(),
        }
    }

    /// The connection string with its password: for a child process that must reach the
    /// same server (tests). Never shown.
    pub fn url_with_password(&self) -> String {
        let enc = |s: &str| -> String {
            s.bytes()
                .map(|b| {
                    if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                        char::from(b).to_string()
                    } else {
                        format!("%{b:02X}")
                    }
                })
                .collect()
        };
        let user = enc(self.config.get_user().unwrap_or_default());
        let password = self
            .config
            .get_password()
            .map(|p| format!(":{}", enc(&String::from_utf8_lossy(p))))
            .unwrap_or_default();
        let port = self.config.get_ports().first().copied().unwrap_or(5432);
        let db = enc(self.dbname());
        let mut params = Vec::new();
        let mode = match self.tls.mode {
            SslMode::Disable => Some("disable"),
            SslMode::Prefer => None,
            SslMode::Require => Some("require"),
            SslMode::VerifyCa => Some("verify-ca"),
            SslMode::VerifyFull => Some("verify-full"),
        };
        if let Some(mode) = mode {
            params.push(format!("sslmode={mode}"));
        }
        if let Some(root) = &self.tls.root_cert {
            params.push(format!("sslrootcert={}", enc(&root.display().to_string())));
        }
        let url = match self.config.get_hosts().first() {
            Some(tokio_postgres::config::Host::Unix(dir)) => format!(
                "postgresql://{user}{password}@/{db}?host={}&port={port}",
                enc(&dir.display().to_string())
            ),
            Some(tokio_postgres::config::Host::Tcp(h)) => {
                format!("postgresql://{user}{password}@{}:{port}/{db}", enc(h))
            }
            None => format!("postgresql://{user}{password}@localhost:{port}/{db}"),
        };
        match (params.is_empty(), url.contains('?')) {
            (true, _) => url,
            (false, true) => format!("{url}&{}", params.join("&")),
            (false, false) => format!("{url}?{}", params.join("&")),
        }
    }

    /// A plain synchronous client, for an administrator's work beside the store (the
    /// tests, the benchmarks, scratch databases), or why there is none (in words; no
    /// password). Encrypted as `sslmode` asks: by default when the server offers it. The
    /// store's own connection is [`PgConn`].
    pub fn connect(&self) -> Result<postgres::Client, String> {
        let failed = |e: postgres::Error| format!("{} : {}", self.shown, connect_message(&e));
        let tls = self.tls.maker(&self.shown)?;
        let mut client = postgres::Config::from(self.config.clone())
            .connect(tls)
            .map_err(failed)?;
        // A lock a stuck transaction holds is waited for as long as on SQLite, then the
        // statement fails and says so (StoreError::Locked), instead of waiting without
        // end. A lock_timeout given in the connection string's options is kept.
        let given = self
            .config
            .get_options()
            .is_some_and(|o| o.contains("lock_timeout"));
        if !given {
            client
                .batch_execute(&format!(
                    "SET lock_timeout = {}",
                    super::wait::busy_timeout().as_millis()
                ))
                .map_err(failed)?;
        }
        Ok(client)
    }
}

fn add_host(config: &mut tokio_postgres::Config, host: &str) {
    if host.starts_with('/') {
        config.host_path(host);
    } else {
        config.host(host);
    }
}

fn shown_host(config: &tokio_postgres::Config) -> String {
    match config.get_hosts().first() {
        Some(tokio_postgres::config::Host::Tcp(h)) => h.clone(),
        Some(tokio_postgres::config::Host::Unix(p)) => p.display().to_string(),
        None => "localhost".into(),
    }
}

/// A connection string with its password (if any) masked, for the message that says it
/// cannot be read.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (authority, tail) = match rest.find(['/', '?']) {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let authority = match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{user}:***@{host}"),
            None => format!("{userinfo}@{host}"),
        },
        None => authority.to_string(),
    };
    // A password given as a parameter (`?password=…`) is masked too.
    let tail = tail
        .split('&')
        .map(|part| match part.split_once("password=") {
            Some((before, _)) => format!("{before}password=***"),
            None => part.to_string(),
        })
        .collect::<Vec<_>>()
        .join("&");
    format!("{scheme}://{authority}{tail}")
}

/// Why a connection failed, in the words an operator can act on.
fn connect_message(e: &postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        return match db.code().code() {
            "28P01" | "28000" => format!("identification refusée ({})", db.message()),
            "3D000" => format!("base inexistante ({})", db.message()),
            // Dropped while logging in (an administrator, a shutdown), or not yet open.
            "57P01" | "57P02" => format!("connexion perdue ({})", db.message()),
            code if code.starts_with("57P") || code.starts_with("08") => {
                format!("serveur injoignable ({})", db.message())
            }
            _ => db.message().to_string(),
        };
    }
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text = format!("{text} : {s}");
        source = s.source();
    }
    if text.contains("certificate verify failed") {
        // OpenSSL says why in parentheses: "(IP address mismatch)", "(self-signed …)".
        let why = text
            .split_once("certificate verify failed")
            .and_then(|(_, rest)| rest.split_once('(')?.1.split_once(')'))
            .map_or("non vérifiable", |(why, _)| why);
        return format!(
            "certificat du serveur refusé ({why}) : sslmode=verify-ca pour ne vérifier que \
             l'autorité, sslrootcert=FICHIER pour en donner une"
        );
    }
    if text.contains("TLS") || text.contains("SSL") {
        return format!("connexion chiffrée impossible ({text})");
    }
    format!("serveur injoignable ({text})")
}

/// The password libpq would take from the password file: the first line whose host,
/// port, database and user match (`*` matches anything). A file others may read is
/// ignored, as libpq ignores it.
fn pgpass_lookup(env: &dyn PgEnv, host: &str, port: u16, db: &str, user: &str) -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    let path = env
        .var("PGPASSFILE")
        .map(std::path::PathBuf::from)
        .or_else(|| env.home().map(|h| h.join(".pgpass")))?;
    let meta = std::fs::metadata(&path).ok()?;
    if !meta.is_file() || meta.mode() & 0o077 != 0 {
        return None;
    }
    let text = std::fs::read_to_string(&path).ok()?;
    let port = port.to_string();
    // libpq matches a socket directory as "localhost".
    let host = if host.starts_with('/') {
        "localhost"
    } else {
        host
    };
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .find_map(|line| {
            let fields = pgpass_fields(line);
            let [h, p, d, u, password] = fields.as_slice() else {
                return None;
            };
            let fits = |field: &str, value: &str| field == "*" || field == value;
            (fits(h, host) && fits(p, &port) && fits(d, db) && fits(u, user))
                .then(|| password.clone())
        })
}

/// The five fields of a password file line: `:` separates them, `\` escapes.
fn pgpass_fields(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(next) = chars.next() {
                    fields.last_mut().expect("never empty").push(next);
                }
            }
            ':' if fields.len() < 5 => fields.push(String::new()),
            _ => fields.last_mut().expect("never empty").push(c),
        }
    }
    fields
}

#[cfg(test)]
mod parse_tests {
    use super::*;

    struct FakeEnv(Vec<(&'static str, String)>, Option<std::path::PathBuf>);

    impl PgEnv for FakeEnv {
        fn var(&self, name: &str) -> Option<String> {
            self.0
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.clone())
        }
        fn home(&self) -> Option<std::path::PathBuf> {
            self.1.clone()
        }
        fn os_user(&self) -> Option<String> {
            Some("agent".into())
        }
    }

    #[test]
    fn a_url_is_completed_from_the_environment() {
        let env = FakeEnv(
            vec![
                ("PGHOST", "db.example".into()),
                ("PGPORT", "6543".into()),
                ("PGPASSWORD", "s3cret".into()),
            ],
            None,
        );
        let t = PgTarget::parse_with("postgresql:///guichet", &env).unwrap();
        assert_eq!(t.shown(), "postgresql://agent@db.example:6543/guichet");
        assert_eq!(t.config.get_password(), Some(&b"s3cret"[..]));
        assert!(!format!("{t:?}").contains("s3cret"));
    }

    #[test]
    fn the_url_wins_over_the_environment() {
        let env = FakeEnv(
            vec![("PGUSER", "other".into()), ("PGDATABASE", "x".into())],
            None,
        );
        let t = PgTarget::parse_with("postgres://hot:pw@srv:5000/desk", &env).unwrap();
        assert_eq!(t.shown(), "postgresql://hot@srv:5000/desk");
        assert_eq!(t.config.get_password(), Some(&b"pw"[..]));
    }

    #[test]
    fn the_password_file_is_read_like_libpq() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(".pgpass");
        std::fs::write(
            &file,
            "# comment\nother:*:*:*:nope\nsrv:5000:desk:hot:pa\\:ss\n*:*:*:*:fallback\n",
        )
        .unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
        let env = FakeEnv(vec![], Some(dir.path().to_path_buf()));
        let t = PgTarget::parse_with("postgresql://hot@srv:5000/desk", &env).unwrap();
        assert_eq!(t.config.get_password(), Some(&b"pa:ss"[..]));
        let t = PgTarget::parse_with("postgresql://hot@elsewhere:5000/desk", &env).unwrap();
        assert_eq!(t.config.get_password(), Some(&b"fallback"[..]));
        // Readable by others: ignored, as libpq does.
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        let t = PgTarget::parse_with("postgresql://hot@srv:5000/desk", &env).unwrap();
        assert_eq!(t.config.get_password(), None);
    }

    #[test]
    fn a_bad_url_is_named_without_its_password() {
        let env = FakeEnv(vec![], None);
        let e = PgTarget::parse_with("postgresql://u:topsecret@h:notaport/db", &env).unwrap_err();
        assert!(!e.contains("topsecret"), "{e}");
        assert!(e.contains("u:***@h:notaport"), "{e}");
        assert_eq!(
            redact_url("postgresql://h/db?user=u&password=abc&x=1"),
            "postgresql://h/db?user=u&password=***&x=1"
        );
    }

    #[test]
    fn sslmode_is_read_as_libpq_reads_it() {
        let env = FakeEnv(vec![("PGSSLMODE", "verify-ca".into())], None);
        let t = PgTarget::parse_with("postgresql://h/db", &env).unwrap();
        assert_eq!(t.ssl_mode(), SslMode::VerifyCa);
        let t = PgTarget::parse_with(
            "postgresql://h/db?sslmode=verify-full&sslrootcert=/etc/ca.pem&application_name=x",
            &env,
        )
        .unwrap();
        assert_eq!(t.ssl_mode(), SslMode::VerifyFull);
        assert_eq!(
            t.tls.root_cert.as_deref(),
            Some(std::path::Path::new("/etc/ca.pem"))
        );
        assert!(t.url_with_password().contains("sslmode=verify-full"));
        let none = FakeEnv(vec![], None);
        let t = PgTarget::parse_with("postgresql://h/db", &none).unwrap();
        assert_eq!(t.ssl_mode(), SslMode::Prefer);
        let e = PgTarget::parse_with("postgresql://h/db?sslmode=maybe", &none).unwrap_err();
        assert!(e.contains("sslmode « maybe » inconnu"), "{e}");
    }

    #[test]
    fn a_bad_port_variable_is_named() {
        let env = FakeEnv(vec![("PGPORT", "abc".into())], None);
        let e = PgTarget::parse_with("postgresql:///db", &env).unwrap_err();
        assert_eq!(e, "PGPORT « abc » n'est pas un numéro de port");
    }
}
