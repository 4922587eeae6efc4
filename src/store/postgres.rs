//! The PostgreSQL side of the store: where the server is (a connection string completed
//! as libpq would, from `PG*` variables and `~/.pgpass`), one connection that keeps
//! itself alive, and the server's notifications that say another console wrote.
//!
//! A connection that drops (the server restarted, the network went away) is re-made by a
//! thread of its own: the console never waits on it; until it is back every query says,
//! at once, that the server is unreachable.

use super::db::{DbError, DbResult, Row, Value, postgres_sql};
use std::collections::HashMap;
use std::sync::mpsc::{Receiver, TryRecvError};
use std::time::Duration;

/// The channel the store's triggers notify on every write (see the PostgreSQL
/// migrations).
pub const CHANGES_CHANNEL: &str = "guichet_changes";

/// How long a connection attempt may take before the server is said unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Whether `--db` names a PostgreSQL server rather than an SQLite file.
pub fn is_postgres_url(db: &str) -> bool {
    db.starts_with("postgresql://") || db.starts_with("postgres://")
}

/// A server and a database, with what is needed to log in. Its `Debug` and its name never
/// show the password.
#[derive(Clone)]
pub struct PgTarget {
    config: postgres::Config,
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
        let mut config: postgres::Config = stripped.parse().map_err(|e: postgres::Error| {
            format!("adresse PostgreSQL illisible ({}) : {e}", redact_url(url))
        })?;
        let mode = match mode.or_else(|| env.var("PGSSLMODE")) {
            Some(m) => SslMode::parse(&m)?,
            None => SslMode::Prefer,
        };
        let root_cert = root_cert
            .or_else(|| env.var("PGSSLROOTCERT"))
            .map(std::path::PathBuf::from);
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
            config.dbname(&env.var("PGDATABASE").unwrap_or_else(|| user.clone()));
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
            config.connect_timeout(CONNECT_TIMEOUT);
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

    /// A new connection, or why there is none (in words; no password). Encrypted as
    /// `sslmode` asks: by default when the server offers it.
    pub fn connect(&self) -> Result<postgres::Client, String> {
        let failed = |e: postgres::Error| format!("{} : {}", self.shown, connect_message(&e));
        let mut client = self.connect_encrypted().map_err(|e| match e {
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

    /// The connection, encrypted as `sslmode` asks; the client's error, or a sentence of
    /// ours (an unreadable authority file).
    fn connect_encrypted(&self) -> Result<postgres::Client, Result<postgres::Error, String>> {
        let mut config = self.config.clone();
        if self.tls.mode == SslMode::Disable {
            config.ssl_mode(postgres::config::SslMode::Disable);
            return connect_each_host(&config, postgres::NoTls);
        }
        let connector = self.tls.connector(&self.shown).map_err(Err)?;
        config.ssl_mode(if self.tls.mode == SslMode::Prefer {
            postgres::config::SslMode::Prefer
        } else {
            postgres::config::SslMode::Require
        });
        connect_each_host(
            &config,
            postgres_native_tls::MakeTlsConnector::new(connector),
        )
    }
}

impl Tls {
    /// The TLS connector for these settings, built once per process: building one reads
    /// and parses the system's whole authority bundle (some 25 ms), which every
    /// connection (the console's, its listening thread's, a reconnection) would otherwise
    /// pay again before the first paint.
    fn connector(&self, shown: &str) -> Result<native_tls::TlsConnector, String> {
        static BUILT: std::sync::Mutex<Vec<(Tls, native_tls::TlsConnector)>> =
            std::sync::Mutex::new(Vec::new());
        let mut built = BUILT.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((_, connector)) = built.iter().find(|(tls, _)| tls == self) {
            return Ok(connector.clone());
        }
        let connector = self.build_connector(shown)?;
        built.push((self.clone(), connector.clone()));
        Ok(connector)
    }

    fn build_connector(&self, shown: &str) -> Result<native_tls::TlsConnector, String> {
        let mut builder = native_tls::TlsConnector::builder();
        match self.mode {
            SslMode::Prefer | SslMode::Require => {
                builder
                    .danger_accept_invalid_certs(true)
                    .danger_accept_invalid_hostnames(true);
            }
            SslMode::VerifyCa => {
                builder.danger_accept_invalid_hostnames(true);
            }
            SslMode::VerifyFull | SslMode::Disable => {}
        }
        if let Some(path) = &self.root_cert {
            let pem = std::fs::read(path)
                .map_err(|e| format!("{shown} : sslrootcert {} illisible ({e})", path.display()))?;
            let cert = native_tls::Certificate::from_pem(&pem).map_err(|e| {
                format!(
                    "{shown} : sslrootcert {} n'est pas un certificat PEM ({e})",
                    path.display()
                )
            })?;
            builder.add_root_certificate(cert);
        }
        builder
            .build()
            .map_err(|e| format!("{shown} : TLS indisponible ({e})"))
    }
}

fn add_host(config: &mut postgres::Config, host: &str) {
    if host.starts_with('/') {
        config.host_path(host);
    } else {
        config.host(host);
    }
}

fn shown_host(config: &postgres::Config) -> String {
    match config.get_hosts().first() {
        Some(postgres::config::Host::Tcp(h)) => h.clone(),
        Some(postgres::config::Host::Unix(p)) => p.display().to_string(),
        None => "localhost".into(),
    }
}

/// Every host as messages name it, `host:port`, in the order they are tried.
fn host_ports(config: &postgres::Config) -> Vec<String> {
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
fn one_host(config: &postgres::Config, i: usize) -> postgres::Config {
    let mut one = postgres::Config::new();
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

/// Connects to the first host that takes the session, trying them in order as libpq does.
/// One host: the client's error as it is. Several: the client library says only the last
/// host's failure, which the message then pinned on the first host; here every host is
/// named with its own (`h1:5432 : serveur injoignable (…) ; h2:5432 : serveur en lecture
/// seule (secours)`). Hosts to shuffle (`load_balance_hosts=random`) are left to the
/// library.
fn connect_each_host<T>(
    config: &postgres::Config,
    tls: T,
) -> Result<postgres::Client, Result<postgres::Error, String>>
where
    T: postgres::tls::MakeTlsConnect<postgres::Socket> + Clone + 'static + Send,
    T::TlsConnect: Send,
    T::Stream: Send,
    <T::TlsConnect as postgres::tls::TlsConnect<postgres::Socket>>::Future: Send,
{
    let hosts = config.get_hosts().len();
    if hosts < 2 || config.get_load_balance_hosts() == postgres::config::LoadBalanceHosts::Random {
        return config.connect(tls).map_err(Ok);
    }
    let mut failures = Vec::with_capacity(hosts);
    for (i, name) in host_ports(config).into_iter().enumerate() {
        match one_host(config, i).connect(tls.clone()) {
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

/// One connection to the server, re-made in the background when it drops.
pub(crate) struct PgConn {
    target: PgTarget,
    client: Option<postgres::Client>,
    statements: HashMap<String, postgres::Statement>,
    /// Notifications received: another console (or this one) wrote.
    changes: i64,
    /// A transaction is open: a lost connection is not replaced under it (the rest of the
    /// transaction would run outside of it).
    in_transaction: bool,
    /// The connection being re-made, and why it was lost.
    reconnecting: Option<Receiver<postgres::Client>>,
    lost: Option<String>,
    /// Cleared when the store goes: the reconnecting thread stops.
    wanted: std::sync::Arc<std::sync::atomic::AtomicBool>,
    /// Hears the notifications of writes (made on the first ask: a command never asks).
    listener: Option<Listener>,
    /// The listener's lost connections already answered by re-making this one.
    losses_seen: u64,
}

impl Drop for PgConn {
    fn drop(&mut self) {
        self.wanted
            .store(false, std::sync::atomic::Ordering::Relaxed);
    }
}

/// What the store's connection asks of the server's session, once connected.
///
/// Every statement is prepared once and kept ([`PgConn::statement`]); by default the server
/// then plans it for its first five runs with their values and may switch for good to a
/// plan made without them. For the call list's search that generic plan is wrong for most
/// values: with two words ("jean" and "mar") it read the trigram index and rechecked the
/// 16,000 calls that matched, 96 ms at a million calls, where the plan made for those words
/// walks the newest calls and stops at the page's hundredth, 3 ms. Each statement is planned
/// for its values (about 0.2 ms). Servers before 12 have no such setting, nor that switch.
fn set_up_session(client: &mut postgres::Client) -> DbResult<()> {
    client.batch_execute(
        "SELECT set_config('plan_cache_mode', 'force_custom_plan', false) \
         WHERE current_setting('server_version_num')::int >= 120000",
    )?;
    Ok(())
}

impl PgConn {
    /// Connects now: a server that cannot be reached is an error at once.
    pub fn open(target: &PgTarget) -> DbResult<PgConn> {
        let mut client = target.connect().map_err(DbError::Unreachable)?;
        set_up_session(&mut client)?;
        let conn = PgConn {
            target: target.clone(),
            client: Some(client),
            statements: HashMap::new(),
            changes: 0,
            in_transaction: false,
            reconnecting: None,
            lost: None,
            wanted: Default::default(),
            listener: None,
            losses_seen: 0,
        };
        conn.wanted
            .store(true, std::sync::atomic::Ordering::Relaxed);
        Ok(conn)
    }

    /// Why the server cannot be used now, while it cannot.
    pub fn lost(&self) -> Option<&str> {
        self.lost.as_deref()
    }

    /// The connection, re-made if a background attempt succeeded; an error at once while
    /// there is none.
    fn client(&mut self) -> DbResult<&mut postgres::Client> {
        if self.client.is_none() {
            self.take_reconnected();
        }
        match self.client.as_mut() {
            Some(c) => Ok(c),
            None => Err(DbError::Unreachable(self.lost.clone().unwrap_or_else(
                || format!("{} : serveur injoignable", self.target.shown),
            ))),
        }
    }

    /// Installs a connection the background thread made (never inside a transaction).
    fn take_reconnected(&mut self) {
        if self.in_transaction {
            return;
        }
        if self.reconnecting.is_none() {
            self.start_reconnecting();
            return;
        }
        let Some(rx) = &self.reconnecting else {
            return;
        };
        match rx.try_recv() {
            Ok(client) => {
                self.reconnecting = None;
                self.client = Some(client);
                // Made after every loss the listener has seen so far.
                if let Some(listener) = &self.listener {
                    self.losses_seen = listener.losses.load(std::sync::atomic::Ordering::Relaxed);
                }
                self.lost = None;
                // What happened while away is unknown: the console reads everything again.
                self.changes += 1;
            }
            Err(TryRecvError::Empty) => {}
            Err(TryRecvError::Disconnected) => self.reconnecting = None,
        }
    }

    fn start_reconnecting(&mut self) {
        let (tx, rx) = std::sync::mpsc::channel();
        let target = self.target.clone();
        let wanted = self.wanted.clone();
        std::thread::spawn(move || {
            let mut wait = Duration::from_millis(200);
            loop {
                match target.connect().and_then(|mut c| {
                    set_up_session(&mut c)
                        .map(|()| c)
                        .map_err(|e| e.to_string())
                }) {
                    Ok(client) => {
                        let _ = tx.send(client);
                        return;
                    }
                    Err(_) => {
                        std::thread::sleep(wait);
                        wait = (wait * 2).min(Duration::from_secs(3));
                    }
                }
                // The store was dropped: nobody waits for this connection.
                if !wanted.load(std::sync::atomic::Ordering::Relaxed) {
                    return;
                }
            }
        });
        self.reconnecting = Some(rx);
    }

    fn drop_connection(&mut self, why: String) {
        self.client = None;
        self.statements.clear();
        if self.lost.is_none() {
            self.lost = Some(format!("{} : connexion perdue ({why})", self.target.shown));
        }
    }

    /// Notes a lost connection from the error it gave, and passes the error on.
    fn check(&mut self, e: DbError) -> DbError {
        if let Some(standby) = standby_refusal(&self.target, &e) {
            return standby;
        }
        if e.is_connection_lost() || self.client.as_ref().is_some_and(|c| c.is_closed()) {
            let why = e.to_string();
            self.drop_connection(why);
            return DbError::Unreachable(self.lost.clone().unwrap_or_default());
        }
        e
    }

    fn statement(&mut self, sql: &str) -> DbResult<postgres::Statement> {
        if let Some(s) = self.statements.get(sql) {
            return Ok(s.clone());
        }
        let translated = postgres_sql(sql);
        let client = self.client()?;
        let prepared = client.prepare(&translated);
        let statement = prepared.map_err(|e| self.check(e.into()))?;
        self.statements.insert(sql.to_string(), statement.clone());
        Ok(statement)
    }

    pub fn execute(&mut self, sql: &str, args: &[Value]) -> DbResult<u64> {
        let statement = self.statement(sql)?;
        let params: Vec<&(dyn postgres::types::ToSql + Sync)> = args
            .iter()
            .map(|a| a as &(dyn postgres::types::ToSql + Sync))
            .collect();
        let result = self.client()?.execute(&statement, &params);
        result.map_err(|e| self.check(e.into()))
    }

    pub fn batch(&mut self, sql: &str) -> DbResult<()> {
        let word = sql.trim().to_ascii_uppercase();
        let ends = word == "COMMIT" || word == "ROLLBACK";
        if word == "ROLLBACK" && self.client.is_none() {
            // The server already ended the transaction with the connection.
            self.in_transaction = false;
            return Ok(());
        }
        let client = match self.client() {
            Ok(c) => c,
            Err(e) => {
                if ends {
                    self.in_transaction = false;
                }
                return Err(e);
            }
        };
        let result = client.batch_execute(sql);
        if word == "BEGIN" {
            self.in_transaction = result.is_ok();
        } else if ends {
            self.in_transaction = false;
        }
        result.map_err(|e| self.check(e.into()))
    }

    pub fn query_each<E: From<DbError>>(
        &mut self,
        sql: &str,
        args: &[Value],
        mut each: impl FnMut(&Row<'_>) -> Result<(), E>,
    ) -> Result<(), E> {
        use postgres::fallible_iterator::FallibleIterator;
        let statement = self.statement(sql)?;
        let client = self.client()?;
        // The engine's error is looked at once the rows (which borrow the client) are gone.
        let failed = match client.query_raw(&statement, args.iter()) {
            Ok(mut rows) => loop {
                match rows.next() {
                    Ok(Some(row)) => each(&Row::Postgres(&row))?,
                    Ok(None) => break None,
                    Err(e) => break Some(e),
                }
            },
            Err(e) => Some(e),
        };
        match failed {
            None => Ok(()),
            Some(e) => Err(self.check(e.into()).into()),
        }
    }

    /// Sends rows to `table` with `COPY … FROM STDIN`, in one stream.
    pub fn copy_in(
        &mut self,
        table: &str,
        columns: &[&str],
        rows: &mut dyn Iterator<Item = Vec<Value>>,
    ) -> DbResult<u64> {
        use std::io::Write;
        let sql = format!("COPY {table} ({}) FROM STDIN", columns.join(", "));
        let client = self.client()?;
        let result = (|| -> DbResult<u64> {
            let mut writer = client.copy_in(&sql)?;
            let mut line = Vec::with_capacity(256);
            let mut buffer = Vec::with_capacity(64 * 1024);
            for row in rows {
                line.clear();
                super::db::copy_line(&row, &mut line);
                buffer.extend_from_slice(&line);
                if buffer.len() >= 60 * 1024 {
                    writer
                        .write_all(&buffer)
                        .map_err(|e| DbError::Unreachable(e.to_string()))?;
                    buffer.clear();
                }
            }
            writer
                .write_all(&buffer)
                .map_err(|e| DbError::Unreachable(e.to_string()))?;
            Ok(writer.finish()?)
        })();
        result.map_err(|e| self.check(e))
    }

    /// How many notifications of a write have come so far: it moves when another console
    /// wrote, and when the connection came back (what happened meanwhile is unknown). They
    /// are heard by a thread of its own on its own connection, so that asking costs the
    /// console nothing. An error while the server is unreachable.
    pub fn changes(&mut self) -> DbResult<i64> {
        let listener = self
            .listener
            .get_or_insert_with(|| Listener::spawn(self.target.clone()));
        let lost = listener.lost.lock().ok().and_then(|l| l.clone());
        let heard = listener.changes.load(std::sync::atomic::Ordering::Relaxed);
        let losses = listener.losses.load(std::sync::atomic::Ordering::Relaxed);
        if losses != self.losses_seen {
            self.losses_seen = losses;
            // The listening connection went: this one, to the same server, most likely
            // went with it, unnoticed until its next statement. Re-made now, so that live
            // updates coming back (the listener's count moves) are never followed by a
            // read on a dead connection (« liste illisible » after a failover).
            if self.client.is_some() && !self.in_transaction {
                self.drop_connection("écoute des changements interrompue".into());
            }
        }
        if self.client.is_none() {
            self.take_reconnected();
        }
        match lost.or_else(|| self.client.is_none().then(|| self.lost.clone()).flatten()) {
            Some(why) => Err(DbError::Unreachable(why)),
            None => Ok(heard + self.changes),
        }
    }
}

/// The thread that listens for the store's notifications.
struct Listener {
    changes: std::sync::Arc<std::sync::atomic::AtomicI64>,
    /// How many times its connection was lost once listening.
    losses: std::sync::Arc<std::sync::atomic::AtomicU64>,
    lost: std::sync::Arc<std::sync::Mutex<Option<String>>>,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Listener {
    fn spawn(target: PgTarget) -> Listener {
        use std::sync::atomic::Ordering;
        let listener = Listener {
            changes: Default::default(),
            losses: Default::default(),
            lost: Default::default(),
            stop: Default::default(),
        };
        let (changes, losses, lost, stop) = (
            listener.changes.clone(),
            listener.losses.clone(),
            listener.lost.clone(),
            listener.stop.clone(),
        );
        // Not waited for (the console paints meanwhile): once listening, the thread counts
        // one change, so that whatever was written before it listened is read again.
        std::thread::spawn(move || {
            use postgres::fallible_iterator::FallibleIterator;
            let mut wait = Duration::from_millis(200);
            while !stop.load(Ordering::Relaxed) {
                let mut client = match target.connect().and_then(|mut c| {
                    c.batch_execute(&format!("LISTEN {CHANGES_CHANNEL}"))
                        .map_err(|e| e.to_string())
                        .map(|()| c)
                }) {
                    Ok(c) => c,
                    Err(why) => {
                        if let Ok(mut l) = lost.lock() {
                            *l = Some(why);
                        }
                        std::thread::sleep(wait);
                        wait = (wait * 2).min(Duration::from_secs(3));
                        continue;
                    }
                };
                wait = Duration::from_millis(200);
                if let Ok(mut l) = lost.lock() {
                    *l = None;
                }
                // Listening from now on (first, or back after a loss): whatever was written
                // before is read again.
                changes.fetch_add(1, Ordering::Relaxed);
                loop {
                    if stop.load(Ordering::Relaxed) {
                        return;
                    }
                    let heard = client
                        .notifications()
                        .timeout_iter(Duration::from_millis(500))
                        .next();
                    match heard {
                        Ok(Some(_)) => {
                            changes.fetch_add(1, Ordering::Relaxed);
                        }
                        Ok(None) if !client.is_closed() => {}
                        Ok(None) | Err(_) => {
                            losses.fetch_add(1, Ordering::Relaxed);
                            if let Ok(mut l) = lost.lock() {
                                *l = Some(format!("{} : connexion perdue", target.shown()));
                            }
                            break;
                        }
                    }
                }
            }
        });
        listener
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
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
