//! The HTTP listener the telephony system posts its call events to (`guichet phone
//! listen`): `POST /cti`, or `POST /cti/TOKEN` / `Authorization: Bearer TOKEN` when a
//! shared token is configured, as Zammad's generic CTI is addressed; `/xivo` and `/wazo`
//! (and their `/TOKEN`) take XiVO's and Wazo's own events.
//!
//! A small blocking HTTP/1.1 server, written here rather than taken from a crate: it needs
//! one route and one request at a time, but it must stay up whatever it is sent, so every
//! read is bounded in size and in time (the request line and headers, the body, the whole
//! request against one deadline, so that a client trickling a byte at a time is cut off
//! too) and every answer closes the connection. `tiny_http`, the small candidate, leaves
//! the size of headers unbounded and has no read timeout on the body.
//!
//! Answers are one-line JSON objects: `{"ok":true,"event":"newCall","call_id":"…",…}` with
//! a 200 (`{"ok":true,"ignored":true}` for a XiVO or Wazo event that is no ring, answer
//! or end), or `{"ok":false,"error":"…"}` with 400 (a body that is not a form or a JSON
//! object, a XiVO or Wazo event that cannot be read), 401 (no token or the wrong one), 404,
//! 405, 408, 411, 413, 422 (an event refused, as Zammad answers it:
//! [`super::event::read_event`] says where it answers otherwise), 431, 500 (the store
//! refused the event) or 501.

use super::event::{PhoneEvent, percent_decode, read_event};
use crate::domain::text::{named, visible};
use serde_json::{Map, Value, json};
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::os::fd::AsRawFd;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Where `guichet phone listen` listens unless told otherwise: loopback only, for a
/// telephony system on the same machine (or a proxy in front).
pub const DEFAULT_BIND: &str = "127.0.0.1:8015";

/// The most bytes of a request line and its headers.
pub const MAX_HEAD: usize = 8 * 1024;

/// How long the listener waits for a new connection before it looks at its stop flag.
const POLL: Duration = Duration::from_millis(100);

/// At most this long, and this many bytes, are read from a client after its answer, so that
/// closing does not reset the connection before the client has read it.
const LINGER: Duration = Duration::from_millis(250);
const LINGER_BYTES: usize = 256 * 1024;

/// How the listener behaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListenOptions {
    /// The shared token requests must carry; `None` (or an empty one) for none.
    pub token: Option<String>,
    /// The most bytes of a request body (a larger one gets a 413).
    pub max_body: usize,
    /// The longest a client may take to send its whole request (then a 408), and to read
    /// its answer.
    pub timeout: Duration,
}

impl Default for ListenOptions {
    fn default() -> Self {
        ListenOptions {
            token: None,
            max_body: 16 * 1024,
            timeout: Duration::from_secs(5),
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

/// What one connection asked and was answered, for a log line. Nothing secret in it: a
/// token in the path is not repeated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exchange {
    pub peer: SocketAddr,
    /// The HTTP status answered; 0 when the client closed before sending a request.
    pub status: u16,
    /// One line in French, safe to print: the event taken, or why the request was refused.
    pub summary: String,
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
    TcpListener::bind(&addrs[..])
        .map_err(|e| format!("écoute impossible sur « {} » : {e}", named(addr)))
}

/// Answers the requests that come to `listener`, one at a time, until `stop` is set
/// (looked at between requests, at least every 100 ms while none comes). Each valid event
/// goes to `sink`, whose answer (a JSON object, or `null`) joins the reply's fields; its
/// error becomes a 500 with the sentence. `log` hears of every exchange. Returns only when
/// stopped, or when the listener cannot be watched at all.
pub fn serve<S, L>(
    listener: TcpListener,
    options: &ListenOptions,
    stop: &AtomicBool,
    mut sink: S,
    mut log: L,
) -> io::Result<()>
where
    S: FnMut(PhoneEvent) -> Result<Value, SinkError>,
    L: FnMut(&Exchange),
{
    listener.set_nonblocking(true)?;
    while !stop.load(Ordering::SeqCst) {
        if !readable(&listener, POLL)? {
            continue;
        }
        match listener.accept() {
            Ok((stream, peer)) => {
                handle(stream, peer, options, &mut sink, &mut log);
            }
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock
                        | io::ErrorKind::Interrupted
                        | io::ErrorKind::ConnectionAborted
                ) => {}
            // Out of file descriptors, or the like: wait rather than spin, and go on.
            Err(_) => std::thread::sleep(POLL),
        }
    }
    Ok(())
}

/// Whether a connection waits on `listener`, within `timeout`.
fn readable(listener: &TcpListener, timeout: Duration) -> io::Result<bool> {
    let mut fd = libc::pollfd {
        fd: listener.as_raw_fd(),
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one valid pollfd, for the duration of the call.
    let n = unsafe { libc::poll(&mut fd, 1, timeout.as_millis() as libc::c_int) };
    if n < 0 {
        let e = io::Error::last_os_error();
        return if e.kind() == io::ErrorKind::Interrupted {
            Ok(false)
        } else {
            Err(e)
        };
    }
    Ok(n > 0)
}

/// An answer about to be sent.
#[derive(Debug)]
struct Answer {
    status: u16,
    body: Value,
    headers: Vec<(&'static str, &'static str)>,
    summary: String,
}

impl Answer {
    fn refuse(status: u16, reason: impl Into<String>) -> Self {
        let reason = reason.into();
        Answer {
            status,
            body: json!({ "ok": false, "error": reason }),
            headers: Vec::new(),
            summary: reason,
        }
    }
    fn with(mut self, name: &'static str, value: &'static str) -> Self {
        self.headers.push((name, value));
        self
    }
}

/// Reads and answers one connection; `log` hears of it before the answer is sent, so
/// that whoever has the answer can find it in the log.
fn handle<S, L>(
    stream: TcpStream,
    peer: SocketAddr,
    options: &ListenOptions,
    sink: &mut S,
    log: &mut L,
) where
    S: FnMut(PhoneEvent) -> Result<Value, SinkError>,
    L: FnMut(&Exchange),
{
    let mut conn = Conn {
        stream,
        buf: Vec::new(),
        pos: 0,
        deadline: Instant::now() + options.timeout,
    };
    // An accepted socket may inherit the listener's non-blocking mode.
    let setup = conn
        .stream
        .set_nonblocking(false)
        .and_then(|()| conn.stream.set_write_timeout(Some(options.timeout)));
    let answer = match setup {
        Ok(()) => respond(&mut conn, options, sink),
        Err(e) => Some(Answer::refuse(500, format!("connexion inutilisable : {e}"))),
    };
    let Some(answer) = answer else {
        log(&Exchange {
            peer,
            status: 0,
            summary: "connexion fermée sans requête".into(),
        });
        return;
    };
    log(&Exchange {
        peer,
        status: answer.status,
        summary: visible(&answer.summary).into_owned(),
    });
    conn.send(&answer);
    conn.linger();
}

/// Why a request could not be read.
enum ReadError {
    /// The deadline passed.
    Timeout,
    /// The client closed (or the connection broke) before the end.
    Closed,
    /// Longer than allowed.
    TooLarge,
    /// Not HTTP as this server reads it.
    Malformed(&'static str),
}

/// The request of one connection, read against one deadline.
struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
    /// Where the unread part of `buf` starts.
    pos: usize,
    deadline: Instant,
}

impl Conn {
    /// Reads what comes next onto `buf`.
    fn fill(&mut self) -> Result<(), ReadError> {
        let mut chunk = [0u8; 4096];
        loop {
            let left = self.deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(ReadError::Timeout);
            }
            self.stream
                .set_read_timeout(Some(left))
                .map_err(|_| ReadError::Closed)?;
            match self.stream.read(&mut chunk) {
                Ok(0) => return Err(ReadError::Closed),
                Ok(n) => {
                    self.buf.extend_from_slice(&chunk[..n]);
                    return Ok(());
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    return Err(ReadError::Timeout);
                }
                Err(_) => return Err(ReadError::Closed),
            }
        }
    }

    /// The request line and headers, up to the empty line (its end excluded); leading empty
    /// lines are skipped.
    fn head(&mut self) -> Result<Vec<u8>, ReadError> {
        loop {
            while self.buf[self.pos..].starts_with(b"\r\n")
                || self.buf[self.pos..].starts_with(b"\n")
            {
                self.pos += if self.buf[self.pos] == b'\r' { 2 } else { 1 };
            }
            let unread = &self.buf[self.pos..];
            let end = [&b"\r\n\r\n"[..], b"\n\n", b"\n\r\n"]
                .iter()
                .filter_map(|t| find(unread, t).map(|i| (i, t.len())))
                .min();
            if let Some((i, len)) = end {
                if i > MAX_HEAD {
                    return Err(ReadError::TooLarge);
                }
                let head = unread[..i].to_vec();
                self.pos += i + len;
                return Ok(head);
            }
            if unread.len() > MAX_HEAD {
                return Err(ReadError::TooLarge);
            }
            self.fill()?;
        }
    }

    /// Exactly `n` more bytes.
    fn take(&mut self, n: usize) -> Result<&[u8], ReadError> {
        while self.buf.len() - self.pos < n {
            self.fill()?;
        }
        let start = self.pos;
        self.pos += n;
        Ok(&self.buf[start..start + n])
    }

    /// One more line, its CRLF (or LF) excluded, of at most `max` bytes.
    fn line(&mut self, max: usize) -> Result<Vec<u8>, ReadError> {
        loop {
            let unread = &self.buf[self.pos..];
            if let Some(i) = unread.iter().position(|&b| b == b'\n') {
                if i > max + 1 {
                    return Err(ReadError::TooLarge);
                }
                let line = unread[..i]
                    .strip_suffix(b"\r")
                    .unwrap_or(&unread[..i])
                    .to_vec();
                self.pos += i + 1;
                return Ok(line);
            }
            if unread.len() > max + 1 {
                return Err(ReadError::TooLarge);
            }
            self.fill()?;
        }
    }

    /// A chunked body (`Transfer-Encoding: chunked`), decoded, of at most `max` bytes.
    fn chunked(&mut self, max: usize) -> Result<Vec<u8>, ReadError> {
        let mut body = Vec::new();
        loop {
            let line = self.line(1024)?;
            let size = String::from_utf8_lossy(&line);
            let size = size.split(';').next().unwrap_or("").trim();
            let size = usize::from_str_radix(size, 16)
                .ok()
                .filter(|_| !size.is_empty() && size.len() <= 8)
                .ok_or(ReadError::Malformed("taille de bloc illisible (chunked)"))?;
            if size == 0 {
                // Trailer fields, up to the empty line: read and dropped.
                let mut read = 0;
                loop {
                    let trailer = self.line(MAX_HEAD)?;
                    read += trailer.len();
                    if trailer.is_empty() {
                        return Ok(body);
                    }
                    if read > MAX_HEAD {
                        return Err(ReadError::TooLarge);
                    }
                }
            }
            if body.len() + size > max {
                return Err(ReadError::TooLarge);
            }
            let data = self.take(size)?;
            body.extend_from_slice(data);
            if !self.line(0)?.is_empty() {
                return Err(ReadError::Malformed("bloc mal terminé (chunked)"));
            }
        }
    }

    fn send(&mut self, answer: &Answer) {
        let mut body = answer.body.to_string();
        body.push('\n');
        let mut head = format!(
            "HTTP/1.1 {} {}\r\nContent-Type: application/json; charset=utf-8\r\n\
             Content-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n",
            answer.status,
            reason_phrase(answer.status),
            body.len()
        );
        for (name, value) in &answer.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        head.push_str(&body);
        // A client gone already is no concern of the next one.
        let _ = self.stream.write_all(head.as_bytes());
        let _ = self.stream.flush();
    }

    /// Closes our side, then reads what the client may still be sending for a short while:
    /// closing with unread data would reset the connection, and the client could lose the
    /// answer (a 413 sent before the body was read).
    fn linger(&mut self) {
        let _ = self.stream.shutdown(Shutdown::Write);
        let until = Instant::now() + LINGER;
        let mut drained = 0;
        let mut chunk = [0u8; 4096];
        while drained < LINGER_BYTES {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() || self.stream.set_read_timeout(Some(left)).is_err() {
                return;
            }
            match self.stream.read(&mut chunk) {
                Ok(0) | Err(_) => return,
                Ok(n) => drained += n,
            }
        }
    }
}

fn reason_phrase(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        411 => "Length Required",
        413 => "Content Too Large",
        422 => "Unprocessable Content",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        _ => "",
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// A request line and its headers.
struct Head {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
}

impl Head {
    /// The value of the one header `name` (any case); `Err` when it is given twice.
    fn header(&self, name: &str) -> Result<Option<&str>, Answer> {
        let mut found = self
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str());
        let first = found.next();
        if found.next().is_some() {
            return Err(Answer::refuse(
                400,
                format!("en-tête {name} donné deux fois"),
            ));
        }
        Ok(first)
    }
}

fn parse_head(head: &[u8]) -> Result<Head, Answer> {
    let unreadable = || Answer::refuse(400, "requête HTTP illisible : POST /cti HTTP/1.1 attendu");
    let text = String::from_utf8_lossy(head);
    let mut lines = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    let request = lines.next().unwrap_or("");
    let mut parts = request.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(unreadable());
    };
    if method.is_empty()
        || !method.bytes().all(|b| b.is_ascii_uppercase() || b == b'-')
        || !target.starts_with('/')
        || !matches!(version, "HTTP/1.1" | "HTTP/1.0")
    {
        return Err(unreadable());
    }
    let mut headers = Vec::new();
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            return Err(unreadable());
        };
        let token = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
        if name.is_empty() || !name.bytes().all(token) || headers.len() >= 100 {
            return Err(unreadable());
        }
        headers.push((name.to_string(), value.trim().to_string()));
    }
    Ok(Head {
        method: method.to_string(),
        target: target.to_string(),
        headers,
    })
}

/// The kind of body an address takes: Zammad's generic CTI (`/cti`), the events XiVO's
/// XUC posts (`/xivo`), a Wazo webhookd subscription's (`/wazo`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dialect {
    Zammad,
    Xivo,
    Wazo,
}

impl Dialect {
    const ALL: [Dialect; 3] = [Dialect::Zammad, Dialect::Xivo, Dialect::Wazo];

    fn path(self) -> &'static str {
        match self {
            Dialect::Zammad => "/cti",
            Dialect::Xivo => "/xivo",
            Dialect::Wazo => "/wazo",
        }
    }

    /// The event a body gives; `None` for one that says nothing of a call's ringing,
    /// answer or end (a XiVO or Wazo event of another kind). A refusal comes with its
    /// status: Zammad's for its own events (422 for an event it refuses), 400 otherwise.
    fn parse(
        self,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Result<Option<PhoneEvent>, (u16, String)> {
        match self {
            Dialect::Zammad => read_event(content_type, body)
                .map(Some)
                .map_err(|r| (r.status(), r.message)),
            Dialect::Xivo => super::xivo::parse(content_type, body).map_err(|e| (400, e)),
            Dialect::Wazo => super::wazo::parse(content_type, body).map_err(|e| (400, e)),
        }
    }
}

/// The dialect of `/cti`, `/xivo` or `/wazo`, with the token segment of `/cti/TOKEN` (and
/// the others' `/TOKEN`), decoded, or `None`; `Err` for any other path.
fn route(target: &str) -> Result<(Dialect, Option<Vec<u8>>), ()> {
    let path = target.split('?').next().unwrap_or("");
    let (dialect, rest) = Dialect::ALL
        .into_iter()
        .find_map(|d| Some((d, path.strip_prefix(d.path())?)))
        .ok_or(())?;
    match rest {
        "" | "/" => Ok((dialect, None)),
        _ => match rest.strip_prefix('/') {
            Some(segment) if !segment.contains('/') => {
                Ok((dialect, Some(percent_decode(segment.as_bytes(), false))))
            }
            _ => Err(()),
        },
    }
}

/// Compares a token given by a client with the configured one in a time that depends on
/// the configured one's length only, so that timing tells nothing of how much matched.
fn same_token(given: &[u8], token: &[u8]) -> bool {
    let mut diff = u8::from(given.len() != token.len());
    for (i, &t) in token.iter().enumerate() {
        diff |= given.get(i).copied().unwrap_or(0) ^ t;
    }
    std::hint::black_box(diff) == 0
}

/// Reads, checks and answers one request; `None` when the client sent nothing at all.
fn respond<S>(conn: &mut Conn, options: &ListenOptions, sink: &mut S) -> Option<Answer>
where
    S: FnMut(PhoneEvent) -> Result<Value, SinkError>,
{
    let head = match conn.head() {
        Ok(head) => head,
        Err(ReadError::Closed) if conn.buf.iter().all(u8::is_ascii_whitespace) => return None,
        Err(e) => return Some(read_refusal(e, options.timeout, None)),
    };
    Some(answer(conn, &head, options, sink).unwrap_or_else(|refusal| refusal))
}

/// The answer to a request read as far as its headers.
fn answer<S>(
    conn: &mut Conn,
    head: &[u8],
    options: &ListenOptions,
    sink: &mut S,
) -> Result<Answer, Answer>
where
    S: FnMut(PhoneEvent) -> Result<Value, SinkError>,
{
    let head = parse_head(head)?;
    let token = options.token.as_deref().filter(|t| !t.is_empty());

    let (dialect, segment) = route(&head.target).map_err(|()| {
        Answer::refuse(
            404,
            format!(
                "adresse inconnue « {} » : POST /cti, /xivo ou /wazo attendu",
                named(head.target.split('?').next().unwrap_or(""))
            ),
        )
    })?;
    let path = dialect.path();
    if token.is_none() && segment.is_some() {
        return Err(Answer::refuse(
            404,
            format!(
                "adresse inconnue « {path}/… » : aucun jeton n'est configuré, l'adresse est \
                 {path}"
            ),
        ));
    }
    if head.method != "POST" {
        return Err(Answer::refuse(
            405,
            format!(
                "méthode {} refusée : les événements arrivent par POST",
                named(&head.method)
            ),
        )
        .with("Allow", "POST"));
    }
    if let Some(token) = token {
        let bearer = head.header("authorization")?.and_then(|v| {
            let (scheme, credentials) = v.split_once(' ')?;
            scheme
                .eq_ignore_ascii_case("bearer")
                .then(|| credentials.trim())
        });
        let accepted = segment
            .as_deref()
            .is_some_and(|s| same_token(s, token.as_bytes()))
            || bearer.is_some_and(|b| same_token(b.as_bytes(), token.as_bytes()));
        if !accepted {
            let reason = if segment.is_none() && bearer.is_none() {
                format!(
                    "jeton absent : POST {path}/JETON ou en-tête « Authorization: Bearer JETON » \
                     attendu"
                )
            } else {
                "jeton refusé".into()
            };
            return Err(Answer::refuse(401, reason).with("WWW-Authenticate", "Bearer"));
        }
    }

    let content_type = head.header("content-type")?;
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
            options.timeout,
            Some(options.max_body),
        ));
    }
    let expects = head
        .header("expect")?
        .is_some_and(|e| e.eq_ignore_ascii_case("100-continue"));
    if expects {
        let _ = conn.stream.write_all(b"HTTP/1.1 100 Continue\r\n\r\n");
    }
    let body = match length {
        Some(l) => conn.take(l).map(<[u8]>::to_vec),
        None => conn.chunked(options.max_body),
    }
    .map_err(|e| read_refusal(e, options.timeout, Some(options.max_body)))?;

    let Some(event) = dialect
        .parse(content_type, &body)
        .map_err(|(status, why)| Answer::refuse(status, why))?
    else {
        return Ok(Answer {
            status: 200,
            body: json!({ "ok": true, "ignored": true }),
            headers: Vec::new(),
            summary: "ignoré : ni sonnerie, ni décroché, ni raccroché".into(),
        });
    };
    let (kind, call_id, caller) = (
        event.kind,
        event.call_id.clone(),
        event.caller_for_reading(),
    );
    let stored = match catch_unwind(AssertUnwindSafe(|| sink(event))) {
        Ok(Ok(stored)) => stored,
        Ok(Err(e)) => {
            let status = if e.retry { 503 } else { 500 };
            let answer = Answer::refuse(
                status,
                format!("événement non enregistré : {}", visible(&e.message)),
            );
            return Err(if e.retry {
                answer.with("Retry-After", "2")
            } else {
                answer
            });
        }
        Err(_) => {
            return Err(Answer::refuse(
                500,
                "événement non enregistré : erreur interne",
            ));
        }
    };
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
    })
}

/// The answer to a request that could not be read to its end: its head, or its body of at
/// most `max_body` bytes.
fn read_refusal(e: ReadError, timeout: Duration, max_body: Option<usize>) -> Answer {
    match (e, max_body) {
        (ReadError::Timeout, _) => Answer::refuse(
            408,
            format!(
                "requête incomplète après {} : la connexion est fermée",
                duration_text(timeout)
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
    fn tokens_compare_whole() {
        assert!(same_token(b"s3cret", b"s3cret"));
        for given in [&b""[..], b"s3cre", b"s3cret!", b"S3cret", b"s3cres"] {
            assert!(!same_token(given, b"s3cret"), "{given:?}");
        }
        assert!(same_token(b"", b""));
    }

    #[test]
    fn routes() {
        use Dialect::{Wazo, Xivo, Zammad};
        assert_eq!(route("/cti"), Ok((Zammad, None)));
        assert_eq!(route("/cti/"), Ok((Zammad, None)));
        assert_eq!(route("/cti?x=1"), Ok((Zammad, None)));
        assert_eq!(route("/cti/abc"), Ok((Zammad, Some(b"abc".to_vec()))));
        assert_eq!(
            route("/cti/a%2Fb+c?q"),
            Ok((Zammad, Some(b"a/b+c".to_vec())))
        );
        assert_eq!(route("/xivo"), Ok((Xivo, None)));
        assert_eq!(route("/xivo/abc?x"), Ok((Xivo, Some(b"abc".to_vec()))));
        assert_eq!(route("/wazo/"), Ok((Wazo, None)));
        assert_eq!(route("/wazo/abc"), Ok((Wazo, Some(b"abc".to_vec()))));
        for other in [
            "/",
            "/ctix",
            "/cti/a/b",
            "/api/v1/cti",
            "/cti/a/",
            "/xivox",
            "/wazo/a/b",
            "/Wazo",
        ] {
            assert_eq!(route(other), Err(()), "{other}");
        }
    }

    #[test]
    fn heads() {
        let h = parse_head(b"POST /cti HTTP/1.1\r\nHost: x\r\nContent-Length:  5 ").unwrap();
        assert_eq!(h.method, "POST");
        assert_eq!(h.target, "/cti");
        assert_eq!(h.header("content-length").ok().flatten(), Some("5"));
        assert_eq!(h.header("accept").ok().flatten(), None);
        for bad in [
            &b""[..],
            b"POST /cti",
            b"POST  /cti HTTP/1.1",
            b"post /cti HTTP/1.1",
            b"POST cti HTTP/1.1",
            b"POST /cti HTTP/2.0",
            b"POST /cti HTTP/1.1\r\nNo colon",
            b"POST /cti HTTP/1.1\r\n folded: x",
            b"\x00\xff\x13",
        ] {
            assert_eq!(
                parse_head(bad).err().map(|a| a.status),
                Some(400),
                "{bad:?}"
            );
        }
        let twice =
            parse_head(b"POST /cti HTTP/1.1\r\nContent-Length: 1\r\ncontent-length: 2").unwrap();
        assert_eq!(
            twice.header("Content-Length").err().map(|a| a.status),
            Some(400)
        );
    }
}
