//! The HTTP/1.1 of the listener: one request read from a connection against a deadline for
//! the whole request and one for each read, its head parsed, and one answer written.
//! Bounded everywhere: a client can make a connection wait, never the listener grow.

use serde_json::{Value, json};
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The most bytes of a request line and its headers.
pub const MAX_HEAD: usize = 8 * 1024;

/// At most this long, and this many bytes, are read from a client after its answer, so that
/// closing does not reset the connection before the client has read it.
const LINGER: Duration = Duration::from_millis(250);
const LINGER_BYTES: usize = 256 * 1024;

/// An answer about to be sent.
#[derive(Debug)]
pub(super) struct Answer {
    pub status: u16,
    pub body: Value,
    pub headers: Vec<(&'static str, String)>,
    /// What the log line says.
    pub summary: String,
    /// Not logged: an address already said to be slowed down for its refused tokens.
    pub quiet: bool,
}

impl Answer {
    pub fn refuse(status: u16, reason: impl Into<String>) -> Self {
        let reason = reason.into();
        Answer {
            status,
            body: json!({ "ok": false, "error": reason }),
            headers: Vec::new(),
            summary: reason,
            quiet: false,
        }
    }

    pub fn with(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// The whole answer on the wire, `secret` nowhere in it; every answer closes its
    /// connection.
    pub fn bytes(&self, secret: Option<&str>) -> Vec<u8> {
        let mut body = hide(&self.body.to_string(), secret);
        body.push('\n');
        let mut head = format!(
            "HTTP/1.1 {} {}\r\nContent-Type: application/json; charset=utf-8\r\n\
             Content-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n",
            self.status,
            reason_phrase(self.status),
            body.len()
        );
        for (name, value) in &self.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        head.push_str(&body);
        head.into_bytes()
    }
}

/// `text` with `secret` nowhere in it: the last guard for a token a client put where the
/// answer repeats what it sent (a call id, a content type), once it has passed the check.
pub(super) fn hide(text: &str, secret: Option<&str>) -> String {
    match secret {
        Some(s) if !s.is_empty() => text.replace(s, "…"),
        _ => text.to_string(),
    }
}

/// Why a request could not be read.
#[derive(Debug)]
pub(super) enum ReadError {
    /// The whole request took longer than its deadline.
    Timeout,
    /// Nothing came for the length of one read's deadline.
    Idle,
    /// The client closed (or the connection broke) before the end.
    Closed,
    /// Longer than allowed.
    TooLarge,
    /// Not HTTP as this server reads it.
    Malformed(&'static str),
}

/// The request of one connection, read against one deadline for the whole of it and one
/// for each read (so that a silent client is let go before a trickling one would be).
pub(super) struct Conn {
    /// Shared with the list of live connections, which shuts it down when the listener
    /// stops: a read blocked on it then ends at once.
    pub stream: Arc<TcpStream>,
    pub buf: Vec<u8>,
    /// Where the unread part of `buf` starts.
    pub pos: usize,
    pub deadline: Instant,
    pub read_timeout: Duration,
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
            let wait = left.min(self.read_timeout);
            self.stream
                .set_read_timeout(Some(wait))
                .map_err(|_| ReadError::Closed)?;
            match (&*self.stream).read(&mut chunk) {
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
                    return Err(if wait < left {
                        ReadError::Idle
                    } else {
                        ReadError::Timeout
                    });
                }
                Err(_) => return Err(ReadError::Closed),
            }
        }
    }

    /// The request line and headers, up to the empty line (its end excluded); leading empty
    /// lines are skipped.
    pub fn head(&mut self) -> Result<Vec<u8>, ReadError> {
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
    pub fn take(&mut self, n: usize) -> Result<&[u8], ReadError> {
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
    pub fn chunked(&mut self, max: usize) -> Result<Vec<u8>, ReadError> {
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

    /// Writes `bytes`; a client gone already is no concern of the others.
    pub fn write(&self, bytes: &[u8]) {
        let _ = (&*self.stream).write_all(bytes);
        let _ = (&*self.stream).flush();
    }

    /// Closes our side, then reads what the client may still be sending for a short while:
    /// closing with unread data would reset the connection, and the client could lose the
    /// answer (a 413 sent before the body was read).
    pub fn linger(&mut self) {
        let _ = self.stream.shutdown(Shutdown::Write);
        let until = Instant::now() + LINGER;
        let mut drained = 0;
        let mut chunk = [0u8; 4096];
        while drained < LINGER_BYTES {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() || self.stream.set_read_timeout(Some(left)).is_err() {
                return;
            }
            match (&*self.stream).read(&mut chunk) {
                Ok(0) | Err(_) => return,
                Ok(n) => drained += n,
            }
        }
    }
}

pub(super) fn reason_phrase(status: u16) -> &'static str {
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
        429 => "Too Many Requests",
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
pub(super) struct Head {
    pub method: String,
    pub target: String,
    headers: Vec<(String, String)>,
}

impl Head {
    /// The value of the one header `name` (any case); `Err` when it is given twice.
    pub fn header(&self, name: &'static str) -> Result<Option<&str>, Answer> {
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

pub(super) fn parse_head(head: &[u8]) -> Result<Head, Answer> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
