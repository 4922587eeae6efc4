//! One request, from its head to its answer: the route, the token (before anything else is
//! read), the body, the event, and the store's word on it.

use super::guard::{FREE, Turn};
use super::http::{Answer, Conn, Head, MAX_HEAD, ReadError, parse_head};
use super::route::{route, same_token};
use super::{Exchange, Job, ListenOptions, POLL, Shared, SinkError, duration_text};
use crate::domain::text::{named, visible};
use crate::phone::event::PhoneEvent;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::mpsc::{self, Sender};
use std::time::{Duration, Instant};

/// Methods named back in a 405; any other word is not repeated.
const METHODS: [&str; 8] = [
    "GET", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE", "CONNECT",
];

/// Reads, checks and answers one request; `None` when the client sent nothing at all.
pub(super) fn respond<L>(
    conn: &mut Conn,
    peer: SocketAddr,
    shared: &Shared<'_, L>,
    jobs: &Sender<Job>,
) -> Option<Answer>
where
    L: Fn(&Exchange),
{
    let head = match conn.head() {
        Ok(head) => head,
        Err(ReadError::Closed) if conn.buf.iter().all(u8::is_ascii_whitespace) => return None,
        Err(e) => return Some(read_refusal(e, shared.options, None)),
    };
    // The event happened when the telephony sent it, not when the store got to it: an edge,
    // where the clock is read.
    #[allow(clippy::disallowed_methods)]
    let arrived = Utc::now();
    Some(answer(conn, &head, arrived, peer, shared, jobs).unwrap_or_else(|refusal| refusal))
}

/// The answer to a request read as far as its headers.
fn answer<L>(
    conn: &mut Conn,
    head: &[u8],
    arrived: DateTime<Utc>,
    peer: SocketAddr,
    shared: &Shared<'_, L>,
    jobs: &Sender<Job>,
) -> Result<Answer, Answer>
where
    L: Fn(&Exchange),
{
    let options = shared.options;
    let head = parse_head(head)?;
    let token = options.token.as_deref().filter(|t| !t.is_empty());

    // The path is never repeated: a token may be in it, mistyped or misplaced.
    let route = route(&head.target).ok_or_else(|| {
        Answer::refuse(
            404,
            "adresse inconnue : POST /cti, /api/v1/cti, /xivo ou /wazo attendu, suivi de \
             /JETON quand un jeton est configuré",
        )
    })?;
    match (token, &route.token) {
        (None, Some(_)) => {
            return Err(Answer::refuse(
                404,
                "adresse inconnue : aucun jeton n'est configuré, l'adresse est /cti sans rien \
                 après",
            ));
        }
        (Some(token), given) => authorize(conn, &head, given.as_deref(), token, peer, shared)?,
        (None, None) => {}
    }
    if head.method != "POST" {
        let reason = match METHODS.contains(&head.method.as_str()) {
            true => format!(
                "méthode {} refusée : les événements arrivent par POST",
                head.method
            ),
            false => "méthode refusée : les événements arrivent par POST".into(),
        };
        return Err(Answer::refuse(405, reason).with("Allow", "POST"));
    }

    let content_type = head.header("content-type")?;
    let body = body(conn, &head, options)?;
    let Some(event) = route
        .dialect
        .parse(content_type, &body)
        .map_err(|(status, why)| Answer::refuse(status, why))?
    else {
        return Ok(Answer {
            status: 200,
            body: json!({ "ok": true, "ignored": true }),
            headers: Vec::new(),
            summary: "ignoré : ni sonnerie, ni décroché, ni raccroché".into(),
            quiet: false,
        });
    };
    let (kind, call_id, caller) = (
        event.kind,
        event.call_id.clone(),
        event.caller_for_reading(),
    );
    let stored = stored(jobs, event, arrived, options.store_wait).map_err(|e| {
        let answer = Answer::refuse(
            if e.retry { 503 } else { 500 },
            format!("événement non enregistré : {}", visible(&e.message)),
        );
        if e.retry {
            answer.with("Retry-After", "2")
        } else {
            answer
        }
    })?;
    let mut reply = Map::new();
    reply.insert("ok".into(), Value::Bool(true));
    reply.insert("event".into(), kind.slug().into());
    reply.insert("call_id".into(), call_id.clone().into());
    match stored {
        Value::Null => {}
        Value::Object(fields) => {
            for (k, v) in fields {
                reply.entry(k).or_insert(v);
            }
        }
        other => {
            reply.insert("result".into(), other);
        }
    }
    Ok(Answer {
        status: 200,
        body: Value::Object(reply),
        headers: Vec::new(),
        summary: format!("{} {call_id} : {caller}", kind.slug()),
        quiet: false,
    })
}

/// Whether the request carries `token`, in its path or as a bearer, looked at once the
/// address's turn has come: an address that has had too many refused waits, or is told to
/// come back later, and its requests are said in the log no more.
fn authorize<L>(
    conn: &mut Conn,
    head: &Head,
    in_path: Option<&[u8]>,
    token: &str,
    peer: SocketAddr,
    shared: &Shared<'_, L>,
) -> Result<(), Answer> {
    let bearer = head.header("authorization")?.and_then(|v| {
        let (scheme, credentials) = v.split_once(' ')?;
        scheme
            .eq_ignore_ascii_case("bearer")
            .then(|| credentials.trim())
    });
    let asked = Instant::now();
    let slowed = match shared.refusals.turn(peer.ip(), asked) {
        Turn::Now => false,
        Turn::At(at) => {
            if !pause_until(at, shared.stop) {
                return Err(Answer::refuse(503, "écoute en cours d'arrêt").with("Retry-After", "2"));
            }
            // The wait is ours, not the client's: its request keeps its whole time.
            conn.deadline += asked.elapsed();
            true
        }
        Turn::Later(wait) => {
            let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            let mut answer = Answer::refuse(
                429,
                format!("trop de jetons refusés depuis cette adresse : réessayer dans {seconds} s"),
            )
            .with("Retry-After", seconds.to_string());
            answer.quiet = true;
            return Err(answer);
        }
    };
    let token = token.as_bytes();
    if in_path.is_some_and(|s| same_token(s, token))
        || bearer.is_some_and(|b| same_token(b.as_bytes(), token))
    {
        shared.refusals.accepted(peer.ip());
        return Ok(());
    }
    let mut answer = if in_path.is_none() && bearer.is_none() {
        Answer::refuse(
            401,
            "jeton absent : POST /cti/JETON ou en-tête « Authorization: Bearer JETON » attendu",
        )
    } else {
        let refused = shared.refusals.refused(peer.ip(), Instant::now());
        let mut answer = Answer::refuse(401, "jeton refusé");
        if refused == FREE {
            answer.summary = format!(
                "jeton refusé, {FREE} fois de suite pour cette adresse : ses requêtes suivantes \
                 attendent leur tour (jusqu'à 2 s chacune, 429 au-delà) et ne sont plus \
                 journalisées une à une, jusqu'à une minute sans jeton refusé"
            );
        }
        answer
    }
    .with("WWW-Authenticate", "Bearer");
    answer.quiet = slowed;
    Err(answer)
}

/// Sleeps until `at`; `false` when the listener is told to stop before.
fn pause_until(at: Instant, stop: &std::sync::atomic::AtomicBool) -> bool {
    loop {
        let left = at.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return true;
        }
        if stop.load(Ordering::SeqCst) {
            return false;
        }
        std::thread::sleep(left.min(POLL));
    }
}

/// The request's body, as its headers announce it, of at most `max_body` bytes.
fn body(conn: &mut Conn, head: &Head, options: &ListenOptions) -> Result<Vec<u8>, Answer> {
    let chunked = match head.header("transfer-encoding")? {
        None => false,
        Some(te) if te.eq_ignore_ascii_case("chunked") => true,
        Some(te) => {
            return Err(Answer::refuse(
                501,
                format!("Transfer-Encoding « {} » non pris en charge", named(te)),
            ));
        }
    };
    let length = match head.header("content-length")? {
        Some(_) if chunked => {
            return Err(Answer::refuse(
                400,
                "Content-Length et Transfer-Encoding ensemble : l'un ou l'autre",
            ));
        }
        Some(l) => Some(
            l.parse::<usize>()
                .ok()
                .filter(|_| l.bytes().all(|b| b.is_ascii_digit()))
                .ok_or_else(|| {
                    Answer::refuse(400, format!("Content-Length illisible « {} »", named(l)))
                })?,
        ),
        None if chunked => None,
        None => {
            return Err(Answer::refuse(
                411,
                "Content-Length manque : la longueur du corps est attendue",
            ));
        }
    };
    if length.is_some_and(|l| l > options.max_body) {
        return Err(read_refusal(
            ReadError::TooLarge,
            options,
            Some(options.max_body),
        ));
    }
    let expects = head
        .header("expect")?
        .is_some_and(|e| e.eq_ignore_ascii_case("100-continue"));
    if expects {
        conn.write(b"HTTP/1.1 100 Continue\r\n\r\n");
    }
    match length {
        Some(l) => conn.take(l).map(<[u8]>::to_vec),
        None => conn.chunked(options.max_body),
    }
    .map_err(|e| read_refusal(e, options, Some(options.max_body)))
}

/// The store's answer for `event`, waited for at most `wait`: the event is written by the
/// thread that owns the store, and one that is late is not written at all.
fn stored(
    jobs: &Sender<Job>,
    event: PhoneEvent,
    arrived: DateTime<Utc>,
    wait: Duration,
) -> Result<Value, SinkError> {
    let late = || {
        SinkError::retry_later(format!(
            "la base n'a pas répondu dans les {} ; renvoyer l'événement, il ne sera enregistré \
             qu'une fois",
            duration_text(wait)
        ))
    };
    let (reply, answer) = mpsc::sync_channel(1);
    let job = Job {
        event,
        arrived,
        until: Instant::now() + wait,
        reply,
    };
    if jobs.send(job).is_err() {
        return Err(late());
    }
    answer.recv_timeout(wait).unwrap_or_else(|_| Err(late()))
}

/// The answer to a request that could not be read to its end: its head, or its body of at
/// most `max_body` bytes.
fn read_refusal(e: ReadError, options: &ListenOptions, max_body: Option<usize>) -> Answer {
    match (e, max_body) {
        (ReadError::Timeout, _) => Answer::refuse(
            408,
            format!(
                "requête incomplète après {} : la connexion est fermée",
                duration_text(options.timeout)
            ),
        ),
        (ReadError::Idle, _) => Answer::refuse(
            408,
            format!(
                "requête incomplète, rien reçu depuis {} : la connexion est fermée",
                duration_text(options.read_timeout)
            ),
        ),
        (ReadError::Closed, _) => Answer::refuse(400, "requête interrompue par le client"),
        (ReadError::TooLarge, None) => Answer::refuse(
            431,
            format!("ligne de requête et en-têtes trop longs : {MAX_HEAD} octets au plus"),
        ),
        (ReadError::TooLarge, Some(max)) => {
            Answer::refuse(413, format!("corps trop long : {max} octets au plus"))
        }
        (ReadError::Malformed(why), _) => Answer::refuse(400, format!("corps illisible : {why}")),
    }
}
