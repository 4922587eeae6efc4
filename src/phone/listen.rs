//! The HTTP listener the telephony system posts its call events to (`guichet phone
//! listen`): `POST /cti` or `POST /api/v1/cti`, followed by `/TOKEN` (or with
//! `Authorization: Bearer TOKEN`) when a shared token is configured, as Zammad's generic
//! CTI is addressed; `POST /xivo[/TOKEN]` and `POST /wazo[/TOKEN]` for the events XiVO's
//! XUC and a Wazo webhookd subscription post of themselves.
//!
//! A small blocking HTTP/1.1 server, written here rather than taken from a crate: it needs
//! a few routes, but it must stay up and answer whatever it is sent, so that nothing a
//! client does silences it for the others:
//!
//! - each connection is served by its own thread (a few pages of stack resident), at most
//!   [`ListenOptions::max_connections`] at once; beyond, a 503 with `Retry-After` at once.
//!   A client that sends nothing, or trickles, holds its own thread only;
//! - every read is bounded in size and in time: [`ListenOptions::read_timeout`] for each
//!   read, [`ListenOptions::timeout`] for the whole request (a client trickling a byte at a
//!   time is cut off too), and every answer closes the connection;
//! - the token is checked before anything else is read; after five refused tokens, an
//!   address waits its turn at growing intervals (its requests, not the others'), said
//!   once in the log;
//! - the store is used from one thread, the one that called [`serve`]: each event goes to
//!   it stamped with the time its request arrived, and a request waits for it at most
//!   [`ListenOptions::store_wait`], then gets a 503 with `Retry-After` (an event whose
//!   request has given up is not written: the telephony sends it again).
//!
//! `tiny_http`, the small candidate crate, leaves the size of headers unbounded and has no
//! read timeout on the body. An async runtime, or a readiness loop (mio), would mean
//! rewriting the reader as a state machine; threads keep it the plain sequential code, and
//! 500 idle connections cost 500 blocked threads, about 30 MB resident, no wakeups.
//!
//! Answers are one-line JSON objects: `{"ok":true,"event":"newCall","call_id":"…",…}` with
//! a 200 (`{"ok":true,"ignored":true}` for a XiVO or Wazo event that is no ring, answer
//! or end), or `{"ok":false,"error":"…"}` with 400 (a body that is not a form or a JSON
//! object, a XiVO or Wazo event that cannot be read), 401 (no token or the wrong one), 404,
//! 405, 408, 411, 413, 422 (an event refused, as Zammad answers it:
//! [`super::event::read_event`] says where it answers otherwise), 429 (too many refused
//! tokens), 431, 500 (the store refused the event), 501 or 503 (the store cannot take it
//! now, or too many connections).
//! Neither an answer nor a log line repeats the path asked for, nor the token.

mod guard;
mod http;
mod live;
mod request;
mod route;

pub use http::MAX_HEAD;
pub use route::{Dialect, Route};

use super::event::PhoneEvent;
use crate::domain::text::{named, visible};
use chrono::{DateTime, Utc};
use http::{Answer, Conn};
use live::Live;
use serde_json::Value;
use socket2::{Domain, Socket, Type};
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender, SyncSender};
use std::thread::{self, Scope};
use std::time::{Duration, Instant};

/// Where `guichet phone listen` listens unless told otherwise: loopback only, for a
/// telephony system on the same machine (or a proxy in front).
pub const DEFAULT_BIND: &str = "127.0.0.1:8015";

/// The fewest characters of a token: 16 random ones are out of reach of guessing.
pub const MIN_TOKEN: usize = 16;

/// How many new connections the kernel keeps for the listener to accept (bounded by
/// `net.core.somaxconn`, 4096 on current kernels).
const BACKLOG: i32 = 1024;

/// How long the listener waits for a new connection before it looks at its stop flag.
const POLL: Duration = Duration::from_millis(100);

/// The stack of a connection's thread. A request is read into the heap; the deepest call is
/// serde_json reading a body nested as deep as it allows (128 levels), which needs about
/// 300 KiB in a debug build (256 KiB overflows: see the test with a nested body). Only the
/// pages touched are resident: 1024 connections reserve 1 GiB of addresses, not of memory.
const STACK: usize = 1024 * 1024;

/// How the listener behaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListenOptions {
    /// The shared token requests must carry; `None` (or an empty one) for none. See
    /// [`check_token`].
    pub token: Option<String>,
    /// The most bytes of a request body (a larger one gets a 413).
    pub max_body: usize,
    /// The longest a client may take to send its whole request (then a 408), and to read
    /// its answer.
    pub timeout: Duration,
    /// The longest one read may wait for the client's next bytes (then a 408).
    pub read_timeout: Duration,
    /// The most connections served at once; one more gets a 503 at once.
    pub max_connections: usize,
    /// The longest a request waits for the store to take its event (then a 503).
    pub store_wait: Duration,
}

impl Default for ListenOptions {
    fn default() -> Self {
        ListenOptions {
            token: None,
            max_body: 16 * 1024,
            timeout: Duration::from_secs(5),
            read_timeout: Duration::from_secs(2),
            max_connections: 1024,
            store_wait: Duration::from_secs(1),
        }
    }
}

/// Why the sink did not take an event: said in the answer; `retry` when the store cannot
/// be reached for now, answered 503 with `Retry-After` so that the telephony system sends
/// it again (an event sent twice is kept once), else 500.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SinkError {
    pub message: String,
    pub retry: bool,
}

impl SinkError {
    pub fn retry_later(message: impl Into<String>) -> SinkError {
        SinkError {
            message: message.into(),
            retry: true,
        }
    }
}

impl From<String> for SinkError {
    fn from(message: String) -> SinkError {
        SinkError {
            message,
            retry: false,
        }
    }
}

impl From<&str> for SinkError {
    fn from(message: &str) -> SinkError {
        SinkError::from(message.to_string())
    }
}

/// What one connection asked and was answered, for a log line. Nothing secret in it: the
/// path asked for is not repeated, nor the token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exchange {
    pub peer: SocketAddr,
    /// The HTTP status answered; 0 when the client closed before sending a request.
    pub status: u16,
    /// One line in French, safe to print: the event taken, or why the request was refused.
    pub summary: String,
}

/// Whether `token` is long enough to be configured, or the sentence saying how to make one
/// (which does not repeat it).
pub fn check_token(token: &str) -> Result<(), String> {
    let n = token.chars().count();
    if n >= MIN_TOKEN {
        return Ok(());
    }
    Err(format!(
        "jeton de la téléphonie trop court ({n} caractère{}) : il en faut {MIN_TOKEN} au moins \
         pour qu'il ne se devine pas, par exemple tiré au hasard avec « openssl rand -hex 16 »",
        if n > 1 { "s" } else { "" }
    ))
}

/// Binds the listening socket on `addr` (`127.0.0.1:8015`, `[::1]:8015`, `localhost:8015`),
/// or says in one sentence why not.
pub fn bind(addr: &str) -> Result<TcpListener, String> {
    let addrs: Vec<SocketAddr> = addr
        .to_socket_addrs()
        .map_err(|_| {
            format!(
                "adresse d'écoute invalide « {} » : ADRESSE:PORT attendu, par exemple {DEFAULT_BIND}",
                named(addr)
            )
        })?
        .collect();
    let mut last = io::Error::from(io::ErrorKind::AddrNotAvailable);
    for a in addrs {
        match socket_on(a) {
            Ok(listener) => return Ok(listener),
            Err(e) => last = e,
        }
    }
    Err(format!(
        "écoute impossible sur « {} » : {last}",
        named(addr)
    ))
}

/// A socket listening on `addr` with a queue of [`BACKLOG`] connections not yet accepted,
/// where std's `TcpListener::bind` gives 128: a burst of new connections (a client opening
/// hundreds at once) overflows 128 before the listener has given each its thread, and a
/// connection the queue cannot hold is let in only when its client tries again, a second
/// later.
fn socket_on(addr: SocketAddr) -> io::Result<TcpListener> {
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, None)?;
    // As std does: a restarted listener binds its port again at once.
    socket.set_reuse_address(true)?;
    socket.bind(&addr.into())?;
    socket.listen(BACKLOG)?;
    Ok(socket.into())
}

/// What the connections share.
struct Shared<'a, L> {
    options: &'a ListenOptions,
    stop: &'a AtomicBool,
    log: &'a L,
    live: Live,
    refusals: guard::Refusals,
}

/// An event for the store, from the connection that read it.
struct Job {
    event: PhoneEvent,
    /// When its request arrived: the time the event is stamped with.
    arrived: DateTime<Utc>,
    /// After this, its connection has answered 503: not written.
    until: Instant,
    reply: SyncSender<Result<Value, SinkError>>,
}

/// Answers the requests that come to `listener`, each connection in its own thread, until
/// `stop` is set (looked at every 100 ms at least; the connections then being served are
/// shut down). Each valid event goes to `sink` with the time its request arrived, on the
/// calling thread, one at a time; its answer (a JSON object, or `null`) joins the reply's
/// fields, its error becomes a 500 or a 503 with the sentence. `log` hears of every
/// exchange, from the connections' threads. Returns only when stopped, or when the
/// listener cannot be watched at all.
pub fn serve<S, L>(
    listener: TcpListener,
    options: &ListenOptions,
    stop: &AtomicBool,
    mut sink: S,
    log: L,
) -> io::Result<()>
where
    S: FnMut(PhoneEvent, DateTime<Utc>) -> Result<Value, SinkError>,
    L: Fn(&Exchange) + Sync,
{
    listener.set_nonblocking(true)?;
    let shared = Shared {
        options,
        stop,
        log: &log,
        live: Live::new(options.max_connections),
        refusals: guard::Refusals::default(),
    };
    let (jobs, queue) = mpsc::channel();
    let (listener, shared) = (&listener, &shared);
    thread::scope(|scope| {
        let acceptor = thread::Builder::new()
            .name("guichet-listen".into())
            .spawn_scoped(scope, move || accept(scope, listener, shared, jobs))?;
        // Until the acceptor and every connection are gone.
        record(queue, &mut sink);
        acceptor
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("erreur interne de l'écouteur")))
    })
}

/// Takes the connections as they come, until told to stop; then shuts down those still
/// being served.
fn accept<'scope, L>(
    scope: &'scope Scope<'scope, '_>,
    listener: &TcpListener,
    shared: &'scope Shared<'scope, L>,
    jobs: Sender<Job>,
) -> io::Result<()>
where
    L: Fn(&Exchange) + Sync,
{
    let mut full_said = None;
    let result = loop {
        if shared.stop.load(Ordering::SeqCst) {
            break Ok(());
        }
        match readable(listener, POLL) {
            Ok(true) => {}
            Ok(false) => continue,
            Err(e) => break Err(e),
        }
        // Every connection waiting, before polling again: the kernel's queue of them is
        // short (128), and one more than it holds waits a second to be let in.
        loop {
            match listener.accept() {
                Ok((stream, peer)) => admit(scope, shared, stream, peer, &jobs, &mut full_said),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::Interrupted | io::ErrorKind::ConnectionAborted
                    ) => {}
                // Out of file descriptors, or the like: wait rather than spin, and go on.
                Err(_) => {
                    thread::sleep(POLL);
                    break;
                }
            }
        }
    };
    shared.live.close();
    result
}

/// Gives `stream` its thread, or a 503 when there are too many.
fn admit<'scope, L>(
    scope: &'scope Scope<'scope, '_>,
    shared: &'scope Shared<'scope, L>,
    stream: TcpStream,
    peer: SocketAddr,
    jobs: &Sender<Job>,
    full_said: &mut Option<Instant>,
) where
    L: Fn(&Exchange) + Sync,
{
    let stream = Arc::new(stream);
    let Some(slot) = shared.live.enter(&stream) else {
        let reason = format!(
            "trop de connexions ouvertes ({}) : réessayer dans un instant",
            shared.options.max_connections
        );
        return busy(&stream, peer, shared, full_said, reason);
    };
    let kept = Arc::clone(&stream);
    let jobs = jobs.clone();
    let spawned = thread::Builder::new()
        .stack_size(STACK)
        .spawn_scoped(scope, move || {
            let _slot = slot;
            // A bug met on one connection ends that connection only.
            let _ = catch_unwind(AssertUnwindSafe(|| handle(stream, peer, shared, &jobs)));
        });
    if let Err(e) = spawned {
        busy(
            &kept,
            peer,
            shared,
            full_said,
            format!("connexion non servie ({e}) : réessayer dans un instant"),
        );
    }
}

/// A 503 for a connection that gets no thread, written without waiting for its request;
/// said in the log once a minute at most while it lasts.
fn busy<L>(
    stream: &TcpStream,
    peer: SocketAddr,
    shared: &Shared<'_, L>,
    said: &mut Option<Instant>,
    reason: String,
) where
    L: Fn(&Exchange),
{
    let answer = Answer::refuse(503, reason).with("Retry-After", "1");
    if said.is_none_or(|t| t.elapsed() >= Duration::from_secs(60)) {
        *said = Some(Instant::now());
        (shared.log)(&Exchange {
            peer,
            status: 503,
            summary: format!(
                "{} ; dit une fois par minute tant que cela dure",
                answer.summary
            ),
        });
    }
    let _ = stream.set_nonblocking(true);
    let _ = (&*stream).write_all(&answer.bytes(None));
    let _ = stream.shutdown(Shutdown::Write);
    // What the client has sent already is read, without waiting for more: closing with it
    // unread would reset the connection, and the client could lose the answer.
    let mut chunk = [0u8; 4096];
    for _ in 0..16 {
        if !matches!((&*stream).read(&mut chunk), Ok(n) if n > 0) {
            break;
        }
    }
}

/// Reads and answers one connection; `log` hears of it before the answer is sent, so
/// that whoever has the answer can find it in the log.
fn handle<L>(stream: Arc<TcpStream>, peer: SocketAddr, shared: &Shared<'_, L>, jobs: &Sender<Job>)
where
    L: Fn(&Exchange),
{
    let options = shared.options;
    let mut conn = Conn {
        stream,
        buf: Vec::new(),
        pos: 0,
        deadline: Instant::now() + options.timeout,
        read_timeout: options.read_timeout,
    };
    // An accepted socket may inherit the listener's non-blocking mode.
    let setup = conn
        .stream
        .set_nonblocking(false)
        .and_then(|()| conn.stream.set_write_timeout(Some(options.timeout)));
    let answer = match setup {
        Ok(()) => request::respond(&mut conn, peer, shared, jobs),
        Err(e) => Some(Answer::refuse(500, format!("connexion inutilisable : {e}"))),
    };
    let Some(answer) = answer else {
        (shared.log)(&Exchange {
            peer,
            status: 0,
            summary: "connexion fermée sans requête".into(),
        });
        return;
    };
    let secret = options.token.as_deref().filter(|t| !t.is_empty());
    if !answer.quiet {
        (shared.log)(&Exchange {
            peer,
            status: answer.status,
            summary: http::hide(&visible(&answer.summary), secret),
        });
    }
    conn.write(&answer.bytes(secret));
    conn.linger();
}

/// Hands the events to `sink` one at a time, in the order their requests were read, until
/// no connection is left to send one.
fn record<S>(queue: Receiver<Job>, sink: &mut S)
where
    S: FnMut(PhoneEvent, DateTime<Utc>) -> Result<Value, SinkError>,
{
    for job in queue {
        // Its connection has answered 503 already: the telephony sends it again.
        if Instant::now() >= job.until {
            continue;
        }
        let result = catch_unwind(AssertUnwindSafe(|| sink(job.event, job.arrived)))
            .unwrap_or_else(|_| Err(SinkError::from("erreur interne")));
        // Its connection may have given up in the meantime.
        let _ = job.reply.send(result);
    }
}

/// Whether a connection waits on `listener`, within `timeout`.
fn readable(listener: &TcpListener, timeout: Duration) -> io::Result<bool> {
    use rustix::event::{PollFd, PollFlags, Timespec, poll};
    let timeout = Timespec::try_from(timeout).map_err(io::Error::other)?;
    match poll(&mut [PollFd::new(listener, PollFlags::IN)], Some(&timeout)) {
        Ok(n) => Ok(n > 0),
        Err(rustix::io::Errno::INTR) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// `5 s`, `300 ms`.
fn duration_text(d: Duration) -> String {
    if d.subsec_millis() == 0 && d.as_secs() > 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{} ms", d.as_millis())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_tokens_are_refused_without_being_repeated() {
        assert_eq!(check_token("0123456789abcdef"), Ok(()));
        assert_eq!(check_token("éééééééééééééééé"), Ok(()));
        let e = check_token("s3cr").unwrap_err();
        assert_eq!(
            e,
            "jeton de la téléphonie trop court (4 caractères) : il en faut 16 au moins pour \
             qu'il ne se devine pas, par exemple tiré au hasard avec « openssl rand -hex 16 »"
        );
        assert!(!e.contains("s3cr"));
        assert!(check_token("x").unwrap_err().contains("(1 caractère)"));
        assert!(check_token("0123456789abcde").is_err());
    }
}
