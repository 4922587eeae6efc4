//! The PostgreSQL side of the store: where the server is (a connection string completed
//! as libpq would, from `PG*` variables and `~/.pgpass`), and the words for what went
//! wrong reaching it. The store's connection itself, its sessions, their encryption and
//! the waits between attempts are the modules below.

mod backoff;
pub(crate) mod open;
mod pgconn;
mod session;
#[cfg(test)]
mod tests;
mod tls;

use super::db::DbError;
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
    /// Every session read-only, as `--read-only` asks: a refused write is then the
    /// operator's choice, not a standby's.
    read_only: bool,
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
        let hosts = host_ports(&config).join(",");
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
        let shown = format!("postgresql://{user}@{hosts}/{dbname}");
        Ok(PgTarget {
            config,
            shown,
            tls,
            read_only: false,
        })
    }

    /// The encryption this target asks for.
    pub fn ssl_mode(&self) -> SslMode {
        self.tls.mode
    }

    /// `postgresql://user@host:port/db`: how messages name the store (every host of a
    /// multi-host URL, in order: `host1:port1,host2:port2`).
    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// The database's name.
    pub fn dbname(&self) -> &str {
        self.config.get_dbname().unwrap_or_default()
    }

    /// The same server, every session of it read-only (`--read-only`): the server refuses
    /// writes on every connection, a re-made one included.
    pub fn read_only(&self) -> PgTarget {
        let mut config = self.config.clone();
        let options = match config.get_options() {
            Some(given) => format!("{given} -c default_transaction_read_only=on"),
            None => "-c default_transaction_read_only=on".into(),
        };
        config.options(&options);
        PgTarget {
            config,
            shown: self.shown.clone(),
            tls: self.tls.clone(),
            read_only: true,
        }
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
            read_only: self.read_only,
        }
    }

    /// The same server, another database (tests make one each).
    pub fn with_dbname(&self, dbname: &str) -> PgTarget {
        let mut config = self.config.clone();
        config.dbname(dbname);
        let shown = format!(
            "postgresql://{}@{}/{dbname}",
            config.get_user().unwrap_or_default(),
            host_ports(&config).join(",")
        );
        PgTarget {
            config,
            shown,
            tls: self.tls.clone(),
            read_only: self.read_only,
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
        let db = enc(self.dbname());
        let mut params = Vec::new();
        if self.config.get_target_session_attrs() == postgres::config::TargetSessionAttrs::ReadWrite
        {
            params.push("target_session_attrs=read-write".to_string());
        }
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
        // Every host, in order: a failover URL stays one.
        let hosts = self.config.get_hosts();
        let ports = self.config.get_ports();
        let port_of = |i: usize| ports.get(i).or(ports.first()).copied().unwrap_or(5432);
        let tcp: Option<Vec<String>> = hosts
            .iter()
            .enumerate()
            .map(|(i, h)| match h {
                postgres::config::Host::Tcp(h) => Some(format!("{}:{}", enc(h), port_of(i))),
                postgres::config::Host::Unix(_) => None,
            })
            .collect();
        let url = match tcp {
            _ if hosts.is_empty() => {
                format!(
                    "postgresql://{user}{password}@localhost:{}/{db}",
                    port_of(0)
                )
            }
            Some(authority) => {
                format!("postgresql://{user}{password}@{}/{db}", authority.join(","))
            }
            // A socket folder among them: hosts and ports as parameters.
            None => {
                let hosts: Vec<String> = hosts
                    .iter()
                    .map(|h| match h {
                        postgres::config::Host::Tcp(h) => enc(h),
                        postgres::config::Host::Unix(dir) => enc(&dir.display().to_string()),
                    })
                    .collect();
                let ports: Vec<String> = ports.iter().map(u16::to_string).collect();
                format!(
                    "postgresql://{user}{password}@/{db}?host={}&port={}",
                    hosts.join(","),
                    ports.join(",")
                )
            }
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
        let mut client = connect_each_host(&self.config, tls).map_err(|e| match e {
            Ok(e) => failed(e),
            Err(sentence) => sentence,
        })?;
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

/// Every host as messages name it, `host:port`, in the order they are tried.
fn host_ports(config: &tokio_postgres::Config) -> Vec<String> {
    let ports = config.get_ports();
    let port_of = |i: usize| ports.get(i).or(ports.first()).copied().unwrap_or(5432);
    config
        .get_hosts()
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let host = match h {
                postgres::config::Host::Tcp(h) => h.clone(),
                postgres::config::Host::Unix(p) => p.display().to_string(),
            };
            format!("{host}:{}", port_of(i))
        })
        .collect()
}

/// The same settings with the `i`-th host (and its port, its address) alone: to try the
/// hosts of a multi-host URL one by one and keep each one's failure. Every setting the
/// client library has is copied (a unit test compares them).
fn one_host(config: &tokio_postgres::Config, i: usize) -> tokio_postgres::Config {
    let mut one = tokio_postgres::Config::new();
    if let Some(user) = config.get_user() {
        one.user(user);
    }
    if let Some(password) = config.get_password() {
        one.password(password);
    }
    if let Some(dbname) = config.get_dbname() {
        one.dbname(dbname);
    }
    if let Some(options) = config.get_options() {
        one.options(options);
    }
    if let Some(name) = config.get_application_name() {
        one.application_name(name);
    }
    match &config.get_hosts()[i] {
        postgres::config::Host::Tcp(h) => one.host(h),
        postgres::config::Host::Unix(p) => one.host_path(p),
    };
    if let Some(addr) = config.get_hostaddrs().get(i) {
        one.hostaddr(*addr);
    }
    let ports = config.get_ports();
    if let Some(port) = ports.get(i).or(ports.first()) {
        one.port(*port);
    }
    if let Some(timeout) = config.get_connect_timeout() {
        one.connect_timeout(*timeout);
    }
    if let Some(timeout) = config.get_tcp_user_timeout() {
        one.tcp_user_timeout(*timeout);
    }
    one.ssl_mode(config.get_ssl_mode())
        .ssl_negotiation(config.get_ssl_negotiation())
        .keepalives(config.get_keepalives())
        .keepalives_idle(config.get_keepalives_idle())
        .target_session_attrs(config.get_target_session_attrs())
        .channel_binding(config.get_channel_binding())
        .load_balance_hosts(config.get_load_balance_hosts());
    if let Some(interval) = config.get_keepalives_interval() {
        one.keepalives_interval(interval);
    }
    if let Some(retries) = config.get_keepalives_retries() {
        one.keepalives_retries(retries);
    }
    one
}

/// The administrator's client ([`PgTarget::connect`]) on the first host that takes the
/// session, trying them in order as libpq does. One host: the client's error as it is.
/// Several: the client library says only the last host's failure, which the message then
/// pinned on the first host; here every host is named with its own (`h1:5432 : serveur
/// injoignable (…) ; h2:5432 : serveur en lecture seule (secours)`). Hosts to shuffle
/// (`load_balance_hosts=random`) are left to the library. The store's own sessions are
/// opened host by host the same way ([`open`]).
fn connect_each_host(
    config: &tokio_postgres::Config,
    tls: tls::MakeTls,
) -> Result<postgres::Client, Result<postgres::Error, String>> {
    let hosts = config.get_hosts().len();
    if hosts < 2
        || config.get_load_balance_hosts() == tokio_postgres::config::LoadBalanceHosts::Random
    {
        return postgres::Config::from(config.clone())
            .connect(tls)
            .map_err(Ok);
    }
    let mut failures = Vec::with_capacity(hosts);
    for (i, name) in host_ports(config).into_iter().enumerate() {
        match postgres::Config::from(one_host(config, i)).connect(tls.clone()) {
            Ok(client) => return Ok(client),
            Err(e) => failures.push(format!("{name} : {}", connect_message(&e))),
        }
    }
    Err(Err(failures.join(" ; ")))
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

/// A write the server refused because it is a standby (read-only without `--read-only`),
/// in the words of the store's messages: the error to pass on instead.
fn standby_refusal(target: &PgTarget, e: &DbError) -> Option<DbError> {
    (e.sql_state() == Some("25006") && !target.read_only).then(|| {
        DbError::Standby(format!(
            "{} : serveur en lecture seule (secours)",
            target.shown
        ))
    })
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
    // target_session_attrs=read-write met a standby (the client library's words).
    if text.contains("database does not allow writes") {
        return "serveur en lecture seule (secours)".into();
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
    fn a_failover_url_keeps_every_host() {
        let env = FakeEnv(vec![], None);
        let url = "postgresql://hot:pw@db1:5432,db2:5433/desk?target_session_attrs=read-write";
        let t = PgTarget::parse_with(url, &env).unwrap();
        assert_eq!(t.shown(), "postgresql://hot@db1:5432,db2:5433/desk");
        assert_eq!(
            t.with_dbname("other").shown(),
            "postgresql://hot@db1:5432,db2:5433/other"
        );
        // A child process given this URL fails over the same way.
        assert_eq!(t.url_with_password(), url);
        let again = PgTarget::parse_with(&t.url_with_password(), &env).unwrap();
        assert_eq!(format!("{:?}", again.config), format!("{:?}", t.config));
        // A host without its port has the default one; one port alone is every host's.
        let t = PgTarget::parse_with("postgresql://hot@db1,db2:6000/desk", &env).unwrap();
        assert_eq!(t.shown(), "postgresql://hot@db1:5432,db2:6000/desk");
        let env = FakeEnv(
            vec![("PGHOST", "db1,db2".into()), ("PGPORT", "6000".into())],
            None,
        );
        let t = PgTarget::parse_with("postgresql:///desk", &env).unwrap();
        assert_eq!(t.shown(), "postgresql://agent@db1:6000,db2:6000/desk");
    }

    #[test]
    fn one_host_of_a_failover_url_keeps_every_other_setting() {
        let env = FakeEnv(vec![], None);
        let params = "connect_timeout=3&target_session_attrs=read-write&application_name=x\
                      &options=-c%20a%3Db&keepalives_idle=30&keepalives_interval=4\
                      &keepalives_retries=2&tcp_user_timeout=7&channel_binding=disable";
        let both = PgTarget::parse_with(
            &format!("postgresql://hot:pw@db1:5432,db2:5433/desk?{params}"),
            &env,
        )
        .unwrap();
        let second =
            PgTarget::parse_with(&format!("postgresql://hot:pw@db2:5433/desk?{params}"), &env)
                .unwrap();
        let one = one_host(&both.config, 1);
        assert_eq!(format!("{one:?}"), format!("{:?}", second.config));
        assert_eq!(one.get_password(), Some(&b"pw"[..]));
        assert_eq!(host_ports(&both.config), ["db1:5432", "db2:5433"]);
    }

    #[test]
    fn a_read_only_target_asks_every_session_to_be() {
        let env = FakeEnv(vec![], None);
        let t = PgTarget::parse_with("postgresql://h/db?options=-c%20work_mem%3D8MB", &env)
            .unwrap()
            .read_only();
        assert_eq!(
            t.config.get_options(),
            Some("-c work_mem=8MB -c default_transaction_read_only=on")
        );
        assert!(t.read_only);
        assert!(t.with_dbname("x").read_only);
    }

    #[test]
    fn a_bad_port_variable_is_named() {
        let env = FakeEnv(vec![("PGPORT", "abc".into())], None);
        let e = PgTarget::parse_with("postgresql:///db", &env).unwrap_err();
        assert_eq!(e, "PGPORT « abc » n'est pas un numéro de port");
    }
}
