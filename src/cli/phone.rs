//! `guichet phone ...`: the telephony's call events, received by an HTTP listener
//! (`phone listen`) or given by a dialplan script (`phone event`), written to the store.

use super::args::{Format, PhoneCommand};
use super::output::{human, json};
use super::{CliError, formats, say};
use crate::config::DeskConfig;
use crate::domain::time::{DAY_AHEAD, paris, parse_plausible};
use crate::phone::call::handled_for_reading;
use crate::phone::event::{EventArgs, PhoneEvent};
use crate::phone::listen::{self, DEFAULT_BIND, Exchange, ListenOptions};
use crate::store::{Store, StoreError};
use chrono::Utc;
use serde_json::{Map, Value};
use std::io::Write;
use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

/// Where the token comes from when `--token` is not given.
pub const TOKEN_ENV: &str = "GUICHET_PHONE_TOKEN";

/// How long the listener's store waits for another process's lock: less than a request
/// waits for the store (`ListenOptions::store_wait`, 1 s).
const STORE_LOCK_WAIT: std::time::Duration = std::time::Duration::from_millis(500);

pub fn run(
    cmd: PhoneCommand,
    desk: &DeskConfig,
    read_only: bool,
    open_store: impl FnOnce() -> Result<Store, CliError>,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    match cmd {
        PhoneCommand::Listen { bind, token } => {
            if read_only {
                return Err(CliError::BadInput(
                    "--read-only : phone listen enregistre chaque événement reçu, la base doit \
                     être ouverte en écriture"
                        .into(),
                ));
            }
            let bind = bind
                .or_else(|| desk.phone.bind.clone())
                .unwrap_or_else(|| DEFAULT_BIND.to_string());
            let token = token
                .or_else(|| std::env::var(TOKEN_ENV).ok())
                .filter(|t| !t.is_empty())
                .or_else(|| desk.phone.token.clone())
                .filter(|t| !t.is_empty());
            // Refused before anything is opened: a short token is guessed in seconds.
            if let Some(t) = &token {
                listen::check_token(t).map_err(CliError::BadInput)?;
            }
            listen_on(&bind, token, open_store()?, out)
        }
        PhoneCommand::Event {
            event,
            from,
            to,
            call_id,
            direction,
            cause,
            users,
            answering_number,
            at,
            format,
        } => {
            let fmt = formats(&format, &[Format::Text, Format::Json])?;
            let now = Utc::now();
            let at = match at {
                Some(s) => parse_plausible(&s, now, DAY_AHEAD).map_err(CliError::bad)?,
                None => now,
            };
            let event = EventArgs {
                event: &event,
                from: from.as_deref(),
                to: to.as_deref(),
                call_id: &call_id,
                cause: cause.as_deref(),
                direction: direction.as_deref(),
                users: &users,
                answering_number: answering_number.as_deref(),
            }
            .check()
            .map_err(CliError::BadInput)?;
            let mut store = open_store()?;
            let recorded = store.record_phone_event(&event, at)?;
            match fmt {
                Format::Json => {
                    let mut answer = Map::new();
                    answer.insert("ok".into(), Value::Bool(true));
                    answer.insert("event".into(), event.kind.slug().into());
                    answer.insert("call_id".into(), event.call_id.clone().into());
                    if let Value::Object(fields) = recorded_fields(&recorded) {
                        answer.extend(fields);
                    }
                    json(out, &Value::Object(answer))?
                }
                _ => human(out, &format!("{}\n", recorded_line(&event, &recorded)))?,
            }
            Ok(())
        }
    }
}

/// What recording an event did, as the fields the listener adds to its answer:
/// `reference` when a guichet call is linked to the phone call, `handled_seconds` when
/// this event wrote the handling time, `repeated` when the event was there already.
pub fn recorded_fields(recorded: &crate::store::PhoneRecorded) -> Value {
    let mut fields = Map::new();
    if let Some(r) = recorded.call {
        fields.insert("reference".into(), r.to_string().into());
    }
    if let Some(s) = recorded.handled_seconds {
        fields.insert("handled_seconds".into(), s.into());
    }
    if recorded.repeated {
        fields.insert("repeated".into(), true.into());
    }
    Value::Object(fields)
}

/// One French line saying what was recorded: « … vers N » when the event named the
/// number called.
fn recorded_line(event: &PhoneEvent, recorded: &crate::store::PhoneRecorded) -> String {
    let mut what = format!(
        "{} {} de {}",
        event.kind.label(),
        event.call_id,
        event.caller_for_reading(),
    );
    if let Some(to) = &event.to {
        what.push_str(&format!(" vers {}", crate::phone::number::for_reading(to)));
    }
    let mut line = if recorded.repeated {
        format!("{what} : déjà reçu, rien de plus n'est écrit")
    } else {
        format!("{what} : enregistré")
    };
    if let Some(r) = recorded.call {
        line.push_str(&format!(" ; appel {r}"));
    }
    if let Some(s) = recorded.handled_seconds {
        line.push_str(&format!(
            " ; durée de traitement inscrite : {}",
            handled_for_reading(s)
        ));
    }
    line
}

/// Binds `bind`, says where it listens, and answers the telephony until a signal asks it
/// to stop.
fn listen_on(
    bind: &str,
    token: Option<String>,
    mut store: Store,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let listener = listen::bind(bind).map_err(|e| {
        // A text that names no address is the command's input; a port taken is the
        // machine's state.
        if bind.to_socket_addrs().is_err() {
            CliError::BadInput(e)
        } else {
            CliError::Failed(e)
        }
    })?;
    let addr = listener
        .local_addr()
        .map_err(|e| CliError::Failed(format!("adresse d'écoute illisible : {e}")))?;

    // The handler only sets the flag; the server looks at it between requests.
    let stop = Arc::new(AtomicBool::new(false));
    for sig in [
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGINT,
        signal_hook::consts::SIGHUP,
    ] {
        signal_hook::flag::register(sig, Arc::clone(&stop))
            .map_err(|e| CliError::Failed(format!("signal {sig} non intercepté : {e}")))?;
    }

    if token.is_none() && !addr.ip().is_loopback() {
        say(&format!(
            "attention : écoute sur {addr}, au-delà de la boucle locale, sans jeton : \
             quiconque atteint ce port peut annoncer des appels ; configurer un jeton \
             ({TOKEN_ENV} ou token de [phone] dans config.toml)"
        ));
    }
    human(
        out,
        &format!("{}\n", start_line(addr, token.is_some(), &store)),
    )?;
    // The line goes now: whoever started the listener waits for it.
    out.flush()?;

    let options = ListenOptions {
        token,
        max_connections: connection_cap(
            std::fs::read_to_string("/proc/self/limits").ok().as_deref(),
        ),
        ..ListenOptions::default()
    };
    // The store is used from this thread only (serve calls the sink here); a lock held by
    // another process is waited for briefly, so that the event is answered 503 within the
    // request's wait rather than the listener's queue standing still.
    store.limit_lock_waits(STORE_LOCK_WAIT)?;
    let sink = |event: PhoneEvent, arrived| {
        store
            .record_phone_event(&event, arrived)
            .map(|r| recorded_fields(&r))
            .map_err(|e| unrecorded(&e))
    };
    let log = |ex: &Exchange| say(&exchange_line(ex));
    listen::serve(listener, &options, &stop, sink, log)
        .map_err(|e| CliError::Failed(format!("écoute interrompue sur {addr} : {e}")))?;
    human(out, &format!("écoute arrêtée sur http://{addr}/cti\n"))?;
    Ok(())
}

/// The most connections the listener serves at once: 1024, fewer when the process may open
/// fewer files (`/proc/self/limits`; systemd gives services 1024): each connection is one,
/// and the store, the logs and the listener keep 64. Past the cap a connection is answered
/// 503 at once; past the files, it would wait in the kernel's queue unanswered.
fn connection_cap(limits: Option<&str>) -> usize {
    let default = ListenOptions::default().max_connections;
    let soft = limits.and_then(|text| {
        let line = text.lines().find(|l| l.starts_with("Max open files"))?;
        line.split_whitespace().nth(3)?.parse::<usize>().ok()
    });
    soft.map_or(default, |files| files.saturating_sub(64).clamp(16, default))
}

/// « écoute sur http://127.0.0.1:8015/cti (sans jeton) → base … »: where and how, never
/// the token itself.
fn start_line(addr: SocketAddr, token: bool, store: &Store) -> String {
    let how = if token {
        "jeton exigé : POST /cti/JETON ou en-tête Authorization: Bearer JETON"
    } else {
        "sans jeton : POST /cti"
    };
    format!(
        "écoute sur http://{addr}/cti ({how}) ; événements enregistrés dans {}",
        store.path()
    )
}

/// The store's error as the listener's answer says it. An unreachable server, or a
/// connection lost while committing, is said with what to do: the store reconnects by
/// itself and the telephony may send the event again (an event already stored is kept
/// once, so that a second try never makes it twice).
fn unrecorded(e: &StoreError) -> crate::phone::SinkError {
    use crate::phone::SinkError;
    match e {
        StoreError::Unreachable { .. } => SinkError::retry_later(format!(
            "{e} ; renvoyer l'événement, il ne sera enregistré qu'une fois"
        )),
        // Sending it again is safe: an event already stored is kept once.
        StoreError::InDoubt { message } => SinkError::retry_later(format!(
            "{message} pendant l'enregistrement : il a peut-être été fait ; renvoyer \
             l'événement, il ne sera enregistré qu'une fois"
        )),
        StoreError::Locked { path, .. } => SinkError::retry_later(format!(
            "la base {path} est verrouillée par un autre processus ; renvoyer l'événement, il \
             ne sera enregistré qu'une fois"
        )),
        _ => SinkError::from(e.to_string()),
    }
}

/// One log line per exchange: the time (Paris), the client, the status, what happened.
fn exchange_line(ex: &Exchange) -> String {
    let status = match ex.status {
        0 => "---".to_string(),
        s => s.to_string(),
    };
    format!(
        "{} {} {status} {}",
        paris(Utc::now(), "%H:%M:%S"),
        ex.peer,
        ex.summary
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_connection_cap_follows_the_open_files_limit() {
        let limits = |soft: &str| {
            format!(
                "Limit                     Soft Limit           Hard Limit           Units\n\
                 Max processes             63459                63459                processes\n\
                 Max open files            {soft:<20} 524288               files\n"
            )
        };
        assert_eq!(connection_cap(Some(&limits("1024"))), 960);
        assert_eq!(connection_cap(Some(&limits("524288"))), 1024);
        assert_eq!(connection_cap(Some(&limits("unlimited"))), 1024);
        assert_eq!(connection_cap(Some(&limits("50"))), 16);
        assert_eq!(connection_cap(Some("")), 1024);
        assert_eq!(connection_cap(None), 1024);
    }
}
