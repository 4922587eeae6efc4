//! The real `guichet phone listen` of a desk, for the tests that post what a telephony
//! client posts: started on a free loopback port with a token, fed requests as raw bytes
//! (the client's own head and body), stopped and reaped when dropped.
//!
//! Used as `use crate::common::cti;`.

// Each user takes the part it needs.
#![allow(dead_code)]

use super::desk::Desk;
use chrono::{DateTime, Utc};
use guichet::phone::{PhoneCall, PhoneEvent};
use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// The shared token: 16 characters or more, as the listener asks of one.
pub const TOKEN: &str = "cti-9f3b2a7c5d1e";

/// A listener running as its own process.
pub struct CtiListener {
    child: Child,
    pub addr: SocketAddr,
    /// Its log lines (stderr), read by a thread.
    log: mpsc::Receiver<String>,
}

/// The lines a child process writes on `r`, read by a thread of their own, so that a test
/// waits for a line with a timeout and never blocks on a pipe.
pub fn line_reader(r: Box<dyn Read + Send>) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(r).lines() {
            let Ok(line) = line else { return };
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    rx
}

/// An answer: its status and its JSON body.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub status: u16,
    pub body: Value,
}

impl CtiListener {
    /// `guichet phone listen --bind 127.0.0.1:0` on `desk`, with [`TOKEN`], once it has
    /// said where it listens.
    pub fn start(desk: &Desk) -> CtiListener {
        let mut child = desk
            .cmd()
            .args(["phone", "listen", "--bind", "127.0.0.1:0"])
            .env("GUICHET_PHONE_TOKEN", TOKEN)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = line_reader(Box::new(child.stdout.take().unwrap()));
        let log = line_reader(Box::new(child.stderr.take().unwrap()));
        let Ok(started) = stdout.recv_timeout(Duration::from_secs(20)) else {
            let _ = child.kill();
            let err: Vec<String> = log.try_iter().collect();
            panic!("the listener did not start: {err:?}");
        };
        let addr = started
            .strip_prefix("écoute sur http://")
            .and_then(|rest| rest.split('/').next())
            .and_then(|a| a.parse().ok())
            .unwrap_or_else(|| panic!("{started}"));
        CtiListener { child, addr, log }
    }

    /// The path a client is configured with: `/cti/TOKEN`.
    pub fn path(&self) -> String {
        format!("/cti/{TOKEN}")
    }

    /// The whole address a client is configured with.
    pub fn url(&self) -> String {
        format!("http://{}{}", self.addr, self.path())
    }

    /// A POST to [`Self::path`] with the client's own headers (`Name: value` lines) and
    /// body; `Host`, `Content-Length` and `Connection: close` are added as every client
    /// sends them.
    pub fn post(&self, headers: &[&str], body: &[u8]) -> Reply {
        let mut head = format!(
            "POST {} HTTP/1.1\r\nHost: {}\r\nContent-Length: {}\r\nConnection: close\r\n",
            self.path(),
            self.addr,
            body.len()
        );
        for h in headers {
            head.push_str(h);
            head.push_str("\r\n");
        }
        head.push_str("\r\n");
        let mut request = head.into_bytes();
        request.extend_from_slice(body);
        self.raw(&request)
    }

    /// Sends `request` as it is and reads the answer to the end of the connection.
    pub fn raw(&self, request: &[u8]) -> Reply {
        let mut s = TcpStream::connect(self.addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        s.write_all(request).unwrap();
        let mut answer = String::new();
        s.read_to_string(&mut answer).unwrap();
        let status = answer
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("{answer}"));
        let body = answer.split("\r\n\r\n").nth(1).unwrap_or_default();
        Reply {
            status,
            body: serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {answer}")),
        }
    }

    /// The log lines written so far.
    pub fn log(&self) -> Vec<String> {
        std::thread::sleep(Duration::from_millis(100));
        self.log.try_iter().collect()
    }
}

impl Drop for CtiListener {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Every phone call of the desk, from its store, in the order they began.
pub fn phone_calls(desk: &Desk) -> Vec<PhoneCall> {
    desk.store()
        .phone_calls_since(DateTime::<Utc>::from_timestamp(0, 0).unwrap())
        .unwrap()
}

/// The phone call `id` of the desk.
pub fn phone_call(desk: &Desk, id: &str) -> PhoneCall {
    phone_calls(desk)
        .into_iter()
        .find(|c| c.telephony_id == id)
        .unwrap_or_else(|| panic!("no phone call {id} in the store"))
}

/// The events of the phone call `id`, as stored.
pub fn events(desk: &Desk, id: &str) -> Vec<PhoneEvent> {
    desk.store()
        .phone_events(id)
        .unwrap()
        .into_iter()
        .map(|s| s.event)
        .collect()
}

/// A form name or value encoded as Ruby's `URI.encode_www_form_component` does it (Rack's
/// `build_nested_query`, which Rails' request tests send): letters, digits and `*-._`
/// kept, a space as `+`, every other byte `%XX`.
pub fn www_form(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}
