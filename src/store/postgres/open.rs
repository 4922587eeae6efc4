//! How a store's session is opened: host after host of the connection string, each
//! attempt bounded whole by `connect_timeout`, the session's settings (timeouts, read-only,
//! plans) sent with the login rather than in statements after it, and a failure said in
//! one sentence that names the host that failed.

use super::session::{Failed, Session};
use super::{CHANGES_CHANNEL, PgTarget};
use std::time::Duration;
use tokio_postgres::config::LoadBalanceHosts;

/// How long one host may take to connect when the connection string gives no
/// `connect_timeout`.
pub(crate) const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// How long a statement may run when the connection string's `options` give no
/// `statement_timeout`.
const STATEMENT_TIMEOUT: Duration = Duration::from_secs(10);

/// What a store asks of each of its sessions; they keep it across reconnections.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    /// How long a statement waits for a lock another connection holds (the server's
    /// `lock_timeout`), unless the connection string says.
    pub lock_timeout: Duration,
    /// The session listens to the notifications of writes (a console; never a command).
    pub listen: bool,
}

impl PgTarget {
    /// How long the store waits for an answer of the server before it says the server is
    /// slow and gives the connection up: the statement timeout (10 s unless the
    /// connection string's `options` say), and a second more than the lock timeout, so
    /// that a lock held elsewhere is said by the server itself (`StoreError::Locked`). A
    /// `statement_timeout` of 0 in the connection string: no limit, on either side.
    pub(crate) fn patience(&self, settings: &Settings) -> Option<Duration> {
        let options = self.given_options();
        let statement = match options.duration("statement_timeout") {
            Some(d) if d.is_zero() => return None,
            Some(d) => d,
            None => STATEMENT_TIMEOUT,
        };
        let lock = options
            .duration("lock_timeout")
            .unwrap_or(settings.lock_timeout);
        Some(statement.max(lock + Duration::from_secs(1)))
    }

    /// A new session with `settings`, listening if they say so; or why there is none, in
    /// one sentence that names the server (each host of a multi-host string that failed).
    pub(crate) fn session(&self, settings: &Settings) -> Result<Session, String> {
        let tls = self.tls.maker(&self.shown)?;
        let limit = self
            .config
            .get_connect_timeout()
            .copied()
            .unwrap_or(CONNECT_TIMEOUT);
        let hosts = self.hosts();
        let mut failures = Vec::new();
        for (label, config) in &hosts {
            let mut config = config.clone();
            let old_server = |f: &Failed| {
                matches!(f, Failed::Db(e) if e.code()
                    == Some(&tokio_postgres::error::SqlState::UNDEFINED_OBJECT))
            };
            config.options(self.startup_options(settings, true));
            let mut attempt = Session::connect(&config, tls.clone(), limit);
            if attempt.as_ref().err().is_some_and(old_server) {
                // A server before 12 knows no plan_cache_mode, and refuses the login for it.
                config.options(self.startup_options(settings, false));
                attempt = Session::connect(&config, tls.clone(), limit);
            }
            let listening = attempt.and_then(|mut session| {
                if settings.listen {
                    let patience = self.patience(settings);
                    let listen = format!("LISTEN {CHANGES_CHANNEL}");
                    session.run(patience, |c| c.batch_execute(&listen))?;
                }
                Ok(session)
            });
            match listening {
                Ok(session) => return Ok(session),
                Err(f) => failures.push((label.clone(), attempt_words(&f))),
            }
        }
        Err(match failures.as_slice() {
            [(_, why)] => format!("{} : {why}", self.shown),
            _ => failures
                .iter()
                .map(|(host, why)| format!("{host} : {why}"))
                .collect::<Vec<_>>()
                .join(" ; "),
        })
    }

    /// The connection string's own `options` (`-c name=value …`).
    fn given_options(&self) -> GivenOptions {
        GivenOptions::read(self.config.get_options().unwrap_or_default())
    }

    /// The `options` sent with the login: the connection string's, and the store's
    /// settings it does not give. Sent with the login, they cost no statement after it,
    /// and a session re-made after a loss has them as well.
    fn startup_options(&self, settings: &Settings, plan_cache_mode: bool) -> String {
        let given = self.given_options();
        let mut options = self
            .config
            .get_options()
            .unwrap_or_default()
            .trim()
            .to_string();
        let mut add = |name: &str, value: String| {
            if !given.has(name) {
                if !options.is_empty() {
                    options.push(' ');
                }
                options.push_str(&format!("-c {name}={value}"));
            }
        };
        // The server's own limit, a second after the store's patience: it stops a
        // statement the store gave up on (a lock held, a slow plan), where the client's
        // going away is only noticed when the server next writes to it.
        if let Some(patience) = self.patience(settings) {
            add(
                "statement_timeout",
                (patience + Duration::from_secs(1)).as_millis().to_string(),
            );
        }
        add(
            "lock_timeout",
            settings.lock_timeout.as_millis().to_string(),
        );
        // Every statement is prepared once and kept ([`super::PgConn`]); by default the
        // server then plans it for its first five runs with their values and may switch
        // for good to a plan made without them. For the call list's search that generic
        // plan is wrong for most values: with two words ("jean" and "mar") it read the
        // trigram index and rechecked the 16,000 calls that matched, 96 ms at a million
        // calls, where the plan made for those words walks the newest calls and stops at
        // the page's hundredth, 3 ms. Each statement is planned for its values (about
        // 0.2 ms).
        if plan_cache_mode {
            add("plan_cache_mode", "force_custom_plan".into());
        }
        options
    }

    /// Each host of the connection string, named `host:port`, with the settings to reach
    /// it alone, in the order to try them (at random with `load_balance_hosts=random`).
    fn hosts(&self) -> Vec<(String, tokio_postgres::Config)> {
        let mut hosts: Vec<_> = super::host_ports(&self.config)
            .into_iter()
            .enumerate()
            .map(|(i, name)| (name, super::one_host(&self.config, i)))
            .collect();
        if self.config.get_load_balance_hosts() == LoadBalanceHosts::Random {
            let mut draw = super::Backoff::new();
            for i in (1..hosts.len()).rev() {
                let j = usize::try_from(draw.draw() % (i as u64 + 1)).unwrap_or(0);
                hosts.swap(i, j);
            }
        }
        hosts
    }
}

/// The settings a connection string's `options` give (`-c name=value`, `--name=value`).
struct GivenOptions(Vec<(String, String)>);

impl GivenOptions {
    fn read(options: &str) -> GivenOptions {
        let mut given = Vec::new();
        let mut words = options.split_whitespace();
        while let Some(word) = words.next() {
            let setting = match word {
                "-c" => words.next().unwrap_or_default(),
                w => w
                    .strip_prefix("--")
                    .or_else(|| w.strip_prefix("-c"))
                    .unwrap_or_default(),
            };
            if let Some((name, value)) = setting.split_once('=') {
                given.push((name.replace('-', "_"), value.to_string()));
            }
        }
        GivenOptions(given)
    }

    fn has(&self, name: &str) -> bool {
        self.0.iter().any(|(n, _)| n == name)
    }

    /// A duration setting, read as the server reads it: milliseconds unless a unit says.
    fn duration(&self, name: &str) -> Option<Duration> {
        let value = self.0.iter().rev().find(|(n, _)| n == name)?.1.trim();
        let split = value
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(value.len());
        let (number, unit) = value.split_at(split);
        let number: f64 = number.parse().ok()?;
        let ms = match unit.trim() {
            "" | "ms" => 1.0,
            "us" => 0.001,
            "s" => 1000.0,
            "min" => 60_000.0,
            "h" => 3_600_000.0,
            "d" => 86_400_000.0,
            _ => return None,
        };
        Some(Duration::from_secs_f64(number * ms / 1000.0))
    }
}

/// Why one attempt failed, in the words an operator can act on.
fn attempt_words(failed: &Failed) -> String {
    match failed {
        Failed::Db(e)
            if e.code() == Some(&tokio_postgres::error::SqlState::TOO_MANY_CONNECTIONS) =>
        {
            full_server_words().to_string()
        }
        Failed::Db(e) => super::connect_message(e),
        Failed::Silent(limit) => format!(
            "serveur injoignable (aucune réponse en {})",
            seconds(*limit)
        ),
        Failed::Local(why) => format!("serveur injoignable ({why})"),
    }
}

/// A server whose connections are all taken (`max_connections`, or the limit of the role
/// or of the database): SQLSTATE 53300.
pub(crate) fn full_server_words() -> &'static str {
    "le serveur n'accepte plus de connexions (max_connections)"
}

/// A server that gave no answer for `waited`: « serveur lent : … ne répond pas depuis N s ».
pub(crate) fn slow_sentence(shown: &str, waited: Duration) -> String {
    format!(
        "serveur lent : {shown} ne répond pas depuis {}",
        seconds(waited)
    )
}

/// `3 s`: whole seconds, at least one.
fn seconds(d: Duration) -> String {
    format!("{} s", (d.as_secs_f64().round() as u64).max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(url: &str) -> PgTarget {
        PgTarget::parse(url).unwrap()
    }

    fn settings() -> Settings {
        Settings {
            lock_timeout: Duration::from_secs(10),
            listen: false,
        }
    }

    #[test]
    fn each_host_is_reached_with_every_other_setting_of_the_string() {
        let url = "postgresql://u:pw@h1:5001,h2:5002/db?connect_timeout=3&application_name=x\
                   &options=-c%20search_path%3Ds&target_session_attrs=read-write\
                   &keepalives_idle=7&channel_binding=disable&sslmode=require";
        let t = target(url);
        let hosts = t.hosts();
        let labels: Vec<&str> = hosts.iter().map(|(l, _)| l.as_str()).collect();
        assert_eq!(labels, ["h1:5001", "h2:5002"]);
        // Host by host, the same settings as the whole string's for that host alone.
        for (i, (host, port)) in [("h1", 5001), ("h2", 5002)].iter().enumerate() {
            let alone = target(&url.replace("h1:5001,h2:5002", &format!("{host}:{port}")));
            assert_eq!(
                format!("{:?}", hosts[i].1),
                format!("{:?}", alone.config),
                "{host}"
            );
        }
    }

    #[test]
    fn the_sessions_settings_go_with_the_login_unless_the_string_gives_them() {
        let t = target("postgresql://u@h/db");
        assert_eq!(
            t.startup_options(&settings(), true),
            "-c statement_timeout=12000 -c lock_timeout=10000 \
             -c plan_cache_mode=force_custom_plan"
        );
        // A read-only store's target asks it itself (PgTarget::read_only), kept.
        assert!(
            t.read_only()
                .startup_options(&settings(), false)
                .starts_with("-c default_transaction_read_only=on -c statement_timeout=")
        );
        let t = target(
            "postgresql://u@h/db?options=-c%20statement_timeout%3D2s%20--lock-timeout%3D500",
        );
        assert_eq!(
            t.startup_options(&settings(), false),
            "-c statement_timeout=2s --lock-timeout=500"
        );
        assert_eq!(t.patience(&settings()), Some(Duration::from_millis(2000)));
    }

    #[test]
    fn the_store_waits_past_the_servers_own_limits_and_not_at_all_when_told_so() {
        let t = target("postgresql://u@h/db");
        assert_eq!(t.patience(&settings()), Some(Duration::from_secs(11)));
        let brief = Settings {
            lock_timeout: Duration::from_millis(500),
            ..settings()
        };
        assert_eq!(t.patience(&brief), Some(Duration::from_secs(10)));
        let t = target("postgresql://u@h/db?options=-c%20statement_timeout%3D0");
        assert_eq!(t.patience(&settings()), None);
        assert!(
            !t.startup_options(&settings(), false)
                .contains("statement_timeout=1")
        );
        let t = target("postgresql://u@h/db?options=-cstatement_timeout%3D1min");
        assert_eq!(t.patience(&settings()), Some(Duration::from_secs(60)));
    }

    #[test]
    fn the_words_of_the_contract() {
        assert_eq!(
            slow_sentence("postgresql://u@h:5432/db", Duration::from_millis(2600)),
            "serveur lent : postgresql://u@h:5432/db ne répond pas depuis 3 s"
        );
        assert_eq!(
            attempt_words(&Failed::Silent(Duration::from_secs(2))),
            "serveur injoignable (aucune réponse en 2 s)"
        );
    }
}
