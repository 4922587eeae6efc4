//! The telephony listener over real HTTP on loopback: the events of Zammad's generic CTI in
//! form, multipart and JSON bodies reach the sink exactly as sent, everything else is
//! refused with the right status and a one-line JSON reason, and the listener keeps
//! answering whatever a client does (sends nothing, trickles, sends garbage, sends too
//! much, hangs up halfway, holds hundreds of connections open, guesses the token), and
//! whatever its store does (is slow, is locked).

use crate::common::desk;

use chrono::{DateTime, Utc};
use desk::Desk;
use guichet::phone::listen::{ListenOptions, bind, serve};
use guichet::phone::{Direction, EventKind, Exchange, HangupCause, PhoneEvent, SinkError};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// A token as `guichet phone listen` takes it: 16 characters at least.
const TOKEN: &str = "s3cr3t-Tok-4f9a1c";

/// What the sink says to do with an event, set by the test as it goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Store {
    /// Take it.
    Up,
    /// Refuse it with a 500.
    Failing,
    /// Take it after this long (a store that is slow to commit).
    Slow(Duration),
}

/// An event as the sink got it, with the time it was stamped with.
type Stamped = (PhoneEvent, DateTime<Utc>);

/// A listener on a free loopback port, in a thread, with a sink that records the events
/// and the time each is stamped with (or fails, or is slow, when told), stopped and joined
/// when dropped.
struct Listener {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    store: Arc<Mutex<Store>>,
    events: Arc<Mutex<Vec<Stamped>>>,
    exchanges: Arc<Mutex<Vec<Exchange>>>,
    thread: Option<JoinHandle<std::io::Result<()>>>,
}

impl Listener {
    fn start(options: ListenOptions) -> Self {
        let listener = bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let store = Arc::new(Mutex::new(Store::Up));
        let events = Arc::new(Mutex::new(Vec::new()));
        let exchanges = Arc::new(Mutex::new(Vec::new()));
        let thread = {
            let (stop, store, events, exchanges) = (
                stop.clone(),
                store.clone(),
                events.clone(),
                exchanges.clone(),
            );
            thread::spawn(move || {
                serve(
                    listener,
                    &options,
                    &stop,
                    |event: PhoneEvent, arrived: DateTime<Utc>| {
                        let state = *store.lock().unwrap();
                        match state {
                            Store::Up => {}
                            Store::Failing => {
                                return Err("la base de données ne répond pas".into());
                            }
                            Store::Slow(d) => thread::sleep(d),
                        }
                        if event.call_id == "unreachable" {
                            return Err(SinkError::retry_later("serveur injoignable"));
                        }
                        let mut events = events.lock().unwrap();
                        events.push((event, arrived));
                        // "ok" must stay the listener's own.
                        Ok(json!({ "ok": false, "reference": format!("A-{:04}", events.len()) }))
                    },
                    |exchange: &Exchange| exchanges.lock().unwrap().push(exchange.clone()),
                )
            })
        };
        Listener {
            addr,
            stop,
            store,
            events,
            exchanges,
            thread: Some(thread),
        }
    }

    fn plain() -> Self {
        Listener::start(ListenOptions {
            timeout: Duration::from_millis(400),
            ..ListenOptions::default()
        })
    }

    fn with_token() -> Self {
        Listener::start(ListenOptions {
            token: Some(TOKEN.into()),
            timeout: Duration::from_millis(400),
            ..ListenOptions::default()
        })
    }

    fn events(&self) -> Vec<PhoneEvent> {
        self.events
            .lock()
            .unwrap()
            .iter()
            .map(|(e, _)| e.clone())
            .collect()
    }

    fn call_ids(&self) -> Vec<String> {
        self.events().into_iter().map(|e| e.call_id).collect()
    }

    fn set_store(&self, store: Store) {
        *self.store.lock().unwrap() = store;
    }

    fn exchanges(&self) -> Vec<Exchange> {
        self.exchanges.lock().unwrap().clone()
    }

    fn statuses(&self) -> Vec<u16> {
        self.exchanges
            .lock()
            .unwrap()
            .iter()
            .map(|e| e.status)
            .collect()
    }

    fn post(&self, path: &str, content_type: &str, body: &str) -> Reply {
        self.post_with(path, content_type, body, "")
    }

    fn post_with(&self, path: &str, content_type: &str, body: &str, headers: &str) -> Reply {
        self.send(
            format!(
                "POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: {content_type}\r\n\
                 Content-Length: {}\r\n{headers}\r\n{body}",
                body.len()
            )
            .as_bytes(),
        )
    }

    fn form(&self, body: &str) -> Reply {
        self.post("/cti", "application/x-www-form-urlencoded", body)
    }

    /// Sends `raw` as it is and reads the answer to its end.
    fn send(&self, raw: &[u8]) -> Reply {
        let mut stream = self.connect();
        stream.write_all(raw).unwrap();
        read_reply(&mut stream)
    }

    fn connect(&self) -> TcpStream {
        let stream = TcpStream::connect(self.addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        stream
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let result = t.join();
            if !thread::panicking() {
                result.unwrap().unwrap();
            }
        }
    }
}

/// An HTTP answer as read off the wire.
#[derive(Debug)]
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Value,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn error(&self) -> &str {
        assert_eq!(self.body["ok"], false, "{self:?}");
        self.body["error"].as_str().unwrap()
    }
}

/// Reads an answer to the end of the connection (the listener closes each one), skipping a
/// `100 Continue`, and checks its framing: the announced length, one line of JSON.
fn read_reply(stream: &mut TcpStream) -> Reply {
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let mut text = String::from_utf8(raw).unwrap();
    if let Some(rest) = text.strip_prefix("HTTP/1.1 100 Continue\r\n\r\n") {
        text = rest.to_string();
    }
    let (head, body) = text
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("no head in {text:?}"));
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap();
    let status: u16 = status_line
        .strip_prefix("HTTP/1.1 ")
        .and_then(|s| s.get(..3))
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("status line {status_line:?}"));
    let headers: Vec<(String, String)> = lines
        .map(|l| {
            let (n, v) = l.split_once(": ").unwrap();
            (n.to_string(), v.to_string())
        })
        .collect();
    let reply = Reply {
        status,
        headers,
        body: serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body:?}")),
    };
    assert_eq!(
        reply.header("Content-Length"),
        Some(body.len().to_string().as_str())
    );
    assert_eq!(
        reply.header("Content-Type"),
        Some("application/json; charset=utf-8")
    );
    assert_eq!(reply.header("Connection"), Some("close"));
    assert!(
        body.ends_with('\n') && body.matches('\n').count() == 1,
        "{body:?}"
    );
    reply
}

fn event(kind: EventKind, from: Option<&str>, to: &str, call_id: &str) -> PhoneEvent {
    PhoneEvent {
        kind,
        from: from.map(str::to_string),
        to: Some(to.into()),
        direction: Direction::In,
        call_id: call_id.into(),
        users: Vec::new(),
        answering_number: None,
        cause: None,
    }
}

#[test]
fn a_call_in_form_fields_reaches_the_sink_as_sent() {
    let l = Listener::plain();
    let r = l.form(
        "event=newCall&from=06+12+34+56+78&to=0140072000&direction=in&callId=c-1\
         &user%5B%5D=Zo%C3%A9+Martin&user[]=Bruno+L.&queue=helpdesk",
    );
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(
        r.body,
        json!({ "ok": true, "event": "newCall", "call_id": "c-1", "reference": "A-0001" })
    );
    let r = l.form(
        "event=answer&from=0612345678&to=0140072000&direction=in&callId=c-1\
         &user[]=Zo%C3%A9+Martin&answeringNumber=20.01",
    );
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.body["event"], "answer");
    let r = l.form(
        "event=hangup&from=0612345678&to=0140072000&direction=in&callId=c-1\
         &cause=normalClearing&answeringNumber=2001",
    );
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.body["reference"], "A-0003");

    let ring = PhoneEvent {
        users: vec!["Zoé Martin".into(), "Bruno L.".into()],
        ..event(EventKind::NewCall, Some("0612345678"), "0140072000", "c-1")
    };
    let answer = PhoneEvent {
        users: vec!["Zoé Martin".into()],
        answering_number: Some("2001".into()),
        ..event(EventKind::Answer, Some("0612345678"), "0140072000", "c-1")
    };
    let hangup = PhoneEvent {
        answering_number: Some("2001".into()),
        cause: Some(HangupCause::NormalClearing),
        ..event(EventKind::Hangup, Some("0612345678"), "0140072000", "c-1")
    };
    assert_eq!(l.events(), [ring, answer, hangup]);
    assert_eq!(l.statuses(), [200, 200, 200]);
}

#[test]
fn a_call_in_json_and_multipart_bodies() {
    let l = Listener::plain();
    let r = l.post(
        "/cti",
        "application/json",
        r#"{"event":"newCall","from":"+33 6 12 34 56 78","to":"2000","direction":"out",
            "callId":"f4ebd2be-7b9a","user":["Emma Taylor","Anne Ç."]}"#,
    );
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.body["call_id"], "f4ebd2be-7b9a");
    let r = l.post(
        "/cti",
        "application/json; charset=utf-8",
        r#"{"event":"hangup","from":"+33612345678","to":2000,"direction":"out",
            "callId":"f4ebd2be-7b9a","user":"Emma Taylor","cause":"cancel"}"#,
    );
    assert_eq!(r.status, 200, "{r:?}");
    let multipart = "--b0undary\r\nContent-Disposition: form-data; name=\"event\"\r\n\r\n\
                     answer\r\n--b0undary\r\nContent-Disposition: form-data; name=\"to\"\r\n\r\n\
                     2000\r\n--b0undary\r\nContent-Disposition: form-data; name=\"direction\"\
                     \r\n\r\nin\r\n--b0undary\r\nContent-Disposition: form-data; \
                     name=\"callId\"\r\n\r\nm-1\r\n--b0undary\r\nContent-Disposition: \
                     form-data; name=\"user[]\"\r\n\r\nA\r\n--b0undary\r\n\
                     Content-Disposition: form-data; name=\"user[]\"\r\n\r\nB\r\n--b0undary--\r\n";
    let r = l.post("/cti", "multipart/form-data; boundary=b0undary", multipart);
    assert_eq!(r.status, 200, "{r:?}");

    let out = |e: PhoneEvent| PhoneEvent {
        direction: Direction::Out,
        ..e
    };
    assert_eq!(
        l.events(),
        [
            out(PhoneEvent {
                users: vec!["Emma Taylor".into(), "Anne Ç.".into()],
                ..event(
                    EventKind::NewCall,
                    Some("+33612345678"),
                    "2000",
                    "f4ebd2be-7b9a"
                )
            }),
            out(PhoneEvent {
                users: vec!["Emma Taylor".into()],
                cause: Some(HangupCause::Cancel),
                ..event(
                    EventKind::Hangup,
                    Some("+33612345678"),
                    "2000",
                    "f4ebd2be-7b9a"
                )
            }),
            // An answer without answeringNumber: the first agent named picked up.
            PhoneEvent {
                users: vec!["A".into(), "B".into()],
                answering_number: Some("A".into()),
                ..event(EventKind::Answer, None, "2000", "m-1")
            },
        ]
    );
}

#[test]
fn a_withheld_caller_has_no_number() {
    let l = Listener::plain();
    for from in ["anonymous", "Unknown", "", "restricted"] {
        let r = l.form(&format!(
            "event=newCall&from={from}&to=2000&direction=in&callId=w"
        ));
        assert_eq!(r.status, 200, "{from:?}: {r:?}");
    }
    assert_eq!(l.events().len(), 4);
    assert!(l.events().iter().all(|e| e.from.is_none()));
}

/// Zammad's controller answers 422 to an event it refuses, Rails 400 to a body it cannot
/// read.
#[test]
fn refused_events_get_a_422_naming_the_field_and_reach_no_sink() {
    let l = Listener::plain();
    for (body, error) in [
        (
            "event=newCall&from=0612345678&to=2000&direction=in",
            "« callId » manque : l'identifiant de l'appel est obligatoire",
        ),
        (
            "event=transfer&to=2000&direction=in&callId=1",
            "événement inconnu « transfer » : newCall, answer ou hangup attendu",
        ),
        (
            "event=newCall&from=06+12+34%07&to=2000&direction=in&callId=1",
            "valeur invalide « 06 12 34␇ » pour « from » : caractère de contrôle U+0007",
        ),
        (
            "event=newCall&from=0612345678&to=%1B%5D0%3Bx%07&direction=in&callId=1",
            "valeur invalide « ␛]0;x␇ » pour « to » : caractère de contrôle U+001B",
        ),
        ("", "« event » manque : newCall, answer ou hangup attendu"),
    ] {
        let r = l.form(body);
        assert_eq!(r.status, 422, "{body}: {r:?}");
        assert_eq!(r.error(), error, "{body}");
    }
    let r = l.post("/cti", "application/json", r#"{"event":"newCall","#);
    assert_eq!(r.status, 400);
    assert!(r.error().starts_with("JSON illisible"), "{r:?}");
    let r = l.post("/cti", "text/xml", "<event/>");
    assert_eq!(r.status, 400);
    assert!(
        r.error().contains("« text/xml » non pris en charge"),
        "{r:?}"
    );
    assert_eq!(l.events(), []);
    assert_eq!(l.statuses(), [422, 422, 422, 422, 422, 400, 400]);
}

#[test]
fn with_a_token_only_requests_carrying_it_are_taken() {
    let l = Listener::with_token();
    let body = "event=newCall&from=0612345678&to=2000&direction=in&callId=t";
    let form = "application/x-www-form-urlencoded";
    let absent =
        "jeton absent : POST /cti/JETON ou en-tête « Authorization: Bearer JETON » attendu";
    for (path, headers, error) in [
        ("/cti", "", absent),
        ("/cti/", "", absent),
        ("/api/v1/cti", "", absent),
        ("/cti/s3cr3t-tok-4f9a1c", "", "jeton refusé"),
        ("/api/v1/cti/s3cr3t-Tok-4f9a1", "", "jeton refusé"),
        ("/cti/s3cr3t-Tok-4f9a1cc", "", "jeton refusé"),
        ("/cti", "Authorization: Bearer wrong\r\n", "jeton refusé"),
        // base64 of the token: Basic is not Bearer.
        (
            "/cti",
            "Authorization: Basic czNjcjN0LVRvay00ZjlhMWM=\r\n",
            absent,
        ),
        ("/cti?token=s3cr3t-Tok-4f9a1c", "", absent),
    ] {
        let r = l.post_with(path, form, body, headers);
        assert_eq!(r.status, 401, "{path} {headers}: {r:?}");
        assert_eq!(r.error(), error, "{path} {headers}");
        assert_eq!(r.header("WWW-Authenticate"), Some("Bearer"));
    }
    assert_eq!(l.events(), []);

    for (path, headers) in [
        ("/cti/s3cr3t-Tok-4f9a1c", ""),
        ("/cti/s3cr3t%2DTok-4f9a1c?x=1", ""),
        // Zammad's own address for the generic CTI, and its trailing slash (Rails ignores
        // it): config/routes/integration_cti.rb in zammad/zammad.
        ("/api/v1/cti/s3cr3t-Tok-4f9a1c", ""),
        ("/api/v1/cti/s3cr3t-Tok-4f9a1c/", ""),
        ("/cti/s3cr3t-Tok-4f9a1c/", ""),
        ("/cti", "Authorization: Bearer s3cr3t-Tok-4f9a1c\r\n"),
        ("/cti", "authorization: bearer  s3cr3t-Tok-4f9a1c \r\n"),
    ] {
        let r = l.post_with(path, form, body, headers);
        assert_eq!(r.status, 200, "{path} {headers}: {r:?}");
    }
    assert_eq!(l.events().len(), 7);
    // Nothing the listener logs repeats the token.
    let exchanges = l.exchanges();
    assert_eq!(exchanges.len(), 16);
    assert!(
        exchanges.iter().all(|e| !e.summary.contains("s3cr3t")),
        "{exchanges:?}"
    );
}

#[test]
fn without_a_token_cti_is_the_address() {
    let l = Listener::plain();
    let body = "event=newCall&to=2000&direction=in&callId=1";
    let form = "application/x-www-form-urlencoded";
    for path in ["/cti/anything", "/api/v1/cti/anything"] {
        let r = l.post(path, form, body);
        assert_eq!(r.status, 404);
        assert_eq!(
            r.error(),
            "adresse inconnue : aucun jeton n'est configuré, l'adresse est /cti sans rien après"
        );
    }
    for path in ["/", "/cti/a/b", "/api/v1", "/ctix", "/%1B[2J"] {
        let r = l.post(path, form, body);
        assert_eq!(r.status, 404, "{path}");
        assert_eq!(
            r.error(),
            "adresse inconnue : POST /cti, /api/v1/cti, /xivo ou /wazo attendu, suivi de \
             /JETON quand un jeton est configuré"
        );
    }
    // A bearer token, when none is configured, changes nothing.
    let r = l.post_with("/cti", form, body, "Authorization: Bearer x\r\n");
    assert_eq!(r.status, 200);
    let r = l.post("/api/v1/cti", form, body);
    assert_eq!(r.status, 200);
    assert_eq!(l.events().len(), 2);
}

#[test]
fn other_methods_get_a_405_and_other_paths_a_404() {
    let l = Listener::with_token();
    for method in ["GET", "PUT", "DELETE", "HEAD", "OPTIONS"] {
        let r = l.send(format!("{method} /cti/{TOKEN} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes());
        assert_eq!(r.status, 405, "{method}");
        assert_eq!(r.header("Allow"), Some("POST"));
        assert_eq!(
            r.error(),
            format!("méthode {method} refusée : les événements arrivent par POST")
        );
    }
    // A word that is no HTTP method is not repeated.
    let r = l.send(format!("BREW /cti/{TOKEN} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes());
    assert_eq!(r.status, 405);
    assert_eq!(
        r.error(),
        "méthode refusée : les événements arrivent par POST"
    );
    let r = l.send(b"GET /favicon.ico HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(r.status, 404);
    let r = l.send(b"GET / HTTP/1.0\r\n\r\n");
    assert_eq!(r.status, 404);
    assert_eq!(l.events(), []);
}

#[test]
fn a_body_over_the_limit_gets_a_413_and_the_listener_goes_on() {
    let l = Listener::plain();
    let big = format!(
        "event=newCall&to=2000&direction=in&callId=1&user[]={}",
        "z".repeat(20 * 1024)
    );
    let r = l.form(&big);
    assert_eq!(r.status, 413, "{r:?}");
    assert_eq!(r.error(), "corps trop long : 16384 octets au plus");
    // Announced small, sent chunked past the limit.
    let mut chunked = String::new();
    for _ in 0..20 {
        chunked.push_str(&format!("400\r\n{}\r\n", "a".repeat(1024)));
    }
    chunked.push_str("0\r\n\r\n");
    let r = l.send(
        format!(
            "POST /cti HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\n\
             Transfer-Encoding: chunked\r\n\r\n{chunked}"
        )
        .as_bytes(),
    );
    assert_eq!(r.status, 413, "{r:?}");
    // Headers without end.
    let r = l.send(format!("POST /cti HTTP/1.1\r\nX: {}", "h".repeat(9000)).as_bytes());
    assert_eq!(r.status, 431, "{r:?}");
    let r = l.form("event=newCall&to=2000&direction=in&callId=after");
    assert_eq!(r.status, 200);
    assert_eq!(l.events().len(), 1);
}

#[test]
fn a_chunked_body_and_an_expected_continue_are_read() {
    let l = Listener::plain();
    let r = l.send(
        b"POST /cti HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\n\
          Transfer-Encoding: chunked\r\n\r\n\
          14\r\nevent=hangup&to=2000\r\n1a;ext=1\r\n&direction=in&callId=ch-1\r\n0\r\nX-T: y\r\n\r\n",
    );
    assert_eq!(r.status, 200, "{r:?}");
    // curl sends Expect: 100-continue before a large body, and waits for the go-ahead.
    let body = "event=answer&to=2000&direction=in&callId=ex-1";
    let mut s = l.connect();
    s.write_all(
        format!(
            "POST /cti HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\n\
             Content-Length: {}\r\nExpect: 100-continue\r\n\r\n",
            body.len()
        )
        .as_bytes(),
    )
    .unwrap();
    let mut interim = [0u8; 25];
    s.read_exact(&mut interim).unwrap();
    assert_eq!(&interim, b"HTTP/1.1 100 Continue\r\n\r\n");
    s.write_all(body.as_bytes()).unwrap();
    let r = read_reply(&mut s);
    assert_eq!(r.status, 200, "{r:?}");
    // No length at all.
    let r = l.send(b"POST /cti HTTP/1.1\r\nContent-Type: application/json\r\n\r\n{}");
    assert_eq!(r.status, 411, "{r:?}");
    let calls: Vec<String> = l.events().into_iter().map(|e| e.call_id).collect();
    assert_eq!(calls, ["ch-1", "ex-1"]);
}

/// Whether `stream` has nothing to read yet (no answer, no close): its request is still
/// being waited for.
fn still_waiting(stream: &TcpStream) -> bool {
    stream.set_nonblocking(true).unwrap();
    let waiting = matches!(stream.peek(&mut [0u8; 1]), Err(e) if e.kind() == ErrorKind::WouldBlock);
    stream.set_nonblocking(false).unwrap();
    waiting
}

/// Reproduced on the listener of before: three idle sockets made a real event wait for
/// three whole deadlines, one after the other.
#[test]
fn clients_that_send_nothing_do_not_keep_an_event_waiting() {
    let l = Listener::start(ListenOptions {
        timeout: Duration::from_secs(3),
        read_timeout: Duration::from_secs(2),
        ..ListenOptions::default()
    });
    let mut idle: Vec<TcpStream> = (0..3).map(|_| l.connect()).collect();
    let r = l.form("event=newCall&to=2000&direction=in&callId=next");
    assert_eq!(r.status, 200);
    assert_eq!(l.call_ids(), ["next"]);
    // Answered while all three are still waited for.
    assert!(idle.iter().all(still_waiting));
    for s in &mut idle {
        let r = read_reply(s);
        assert_eq!(r.status, 408);
        assert_eq!(
            r.error(),
            "requête incomplète, rien reçu depuis 2 s : la connexion est fermée"
        );
    }
}

#[test]
fn a_client_that_stops_sending_is_let_go_at_the_read_deadline() {
    let l = Listener::start(ListenOptions {
        timeout: Duration::from_secs(5),
        read_timeout: Duration::from_millis(200),
        ..ListenOptions::default()
    });
    let mut s = l.connect();
    s.write_all(b"POST /cti HTTP/1.1\r\nContent-Type: application/x-")
        .unwrap();
    let r = read_reply(&mut s);
    assert_eq!(r.status, 408);
    assert_eq!(
        r.error(),
        "requête incomplète, rien reçu depuis 200 ms : la connexion est fermée"
    );
    // A byte every 100 ms keeps each read in time: the whole request's deadline cuts it.
    let l = Listener::start(ListenOptions {
        timeout: Duration::from_millis(800),
        read_timeout: Duration::from_millis(400),
        ..ListenOptions::default()
    });
    let mut slow = l.connect();
    for b in b"POST /cti HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\n" {
        if !still_waiting(&slow) {
            break;
        }
        slow.write_all(&[*b]).unwrap();
        thread::sleep(Duration::from_millis(100));
    }
    let r = read_reply(&mut slow);
    assert_eq!(r.status, 408);
    assert_eq!(
        r.error(),
        "requête incomplète après 800 ms : la connexion est fermée"
    );
}

#[test]
fn a_client_trickling_its_request_is_cut_off_at_the_deadline() {
    let l = Listener::plain();
    let mut slow = l.connect();
    let started = Instant::now();
    let request = b"POST /cti HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\n";
    // One byte every 50 ms would take 3.5 s: the deadline is 400 ms for the whole request.
    // The client stops writing once the answer is there (writing on would reset the
    // connection and could lose it).
    for b in request {
        slow.write_all(&[*b]).unwrap();
        thread::sleep(Duration::from_millis(50));
        slow.set_nonblocking(true).unwrap();
        let answered = slow.peek(&mut [0u8; 1]).is_ok_and(|n| n > 0);
        slow.set_nonblocking(false).unwrap();
        if answered {
            break;
        }
    }
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    let r = read_reply(&mut slow);
    assert_eq!(r.status, 408);
    // A body that stops halfway.
    let mut half = l.connect();
    half.write_all(
        b"POST /cti HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\n\
          Content-Length: 100\r\n\r\nevent=newCall",
    )
    .unwrap();
    let r = read_reply(&mut half);
    assert_eq!(r.status, 408);
    assert_eq!(
        l.form("event=hangup&to=1&direction=in&callId=x").status,
        200
    );
    assert_eq!(l.events().len(), 1);
}

#[test]
fn garbage_and_broken_connections_do_not_take_the_listener_down() {
    let l = Listener::plain();
    for garbage in [
        &b"\x00\x01\x02\xff\xfe\r\n\r\n"[..],
        b"HELLO\r\n\r\n",
        b"POST /cti HTTP/9.9\r\n\r\n",
        b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
        b"POST /cti HTTP/1.1\r\nno colon here\r\n\r\n",
        b"POST /cti HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
        b"POST /cti HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx",
        b"POST /cti HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\nabc",
        b"POST /cti HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    ] {
        let r = l.send(garbage);
        assert_eq!(r.status, 400, "{garbage:?}: {r:?}");
    }
    let r = l.send(b"POST /cti HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n");
    assert_eq!(r.status, 501);
    // Connections closed before, and in the middle of, a request.
    drop(l.connect());
    let mut s = l.connect();
    s.write_all(b"POST /cti HTTP/1.1\r\nContent-Length: 50\r\n\r\nevent=")
        .unwrap();
    drop(s);
    let r = l.form("event=newCall&to=2000&direction=in&callId=still-here");
    assert_eq!(r.status, 200);
    assert_eq!(l.events().len(), 1);
}

#[test]
fn a_failing_store_gets_a_500_with_its_sentence() {
    let l = Listener::plain();
    l.set_store(Store::Failing);
    let r = l.form("event=newCall&to=2000&direction=in&callId=1");
    assert_eq!(r.status, 500);
    assert_eq!(
        r.error(),
        "événement non enregistré : la base de données ne répond pas"
    );
    l.set_store(Store::Up);
    let r = l.form("event=newCall&to=2000&direction=in&callId=1");
    assert_eq!(r.status, 200);
    assert_eq!(l.statuses(), [500, 200]);
}

#[test]
fn a_store_out_of_reach_gets_a_503_to_send_it_again_later() {
    let l = Listener::plain();
    let r = l.form("event=newCall&to=2000&direction=in&callId=unreachable");
    assert_eq!(r.status, 503);
    assert_eq!(r.header("Retry-After"), Some("2"));
    assert_eq!(r.error(), "événement non enregistré : serveur injoignable");
    assert_eq!(
        l.form("event=newCall&to=2000&direction=in&callId=2").status,
        200
    );
}

#[test]
fn a_sink_that_panics_gets_a_500_and_the_listener_goes_on() {
    let listener = bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let seen = Arc::new(Mutex::new(0));
    let t = {
        let (stop, seen) = (stop.clone(), seen.clone());
        thread::spawn(move || {
            serve(
                listener,
                &ListenOptions::default(),
                &stop,
                |e: PhoneEvent, _| {
                    *seen.lock().unwrap() += 1;
                    if e.call_id == "boom" {
                        panic!("a bug in the sink");
                    }
                    Ok(Value::Null)
                },
                |_: &Exchange| {},
            )
        })
    };
    let post = |id: &str| {
        let body = format!("event=newCall&to=2000&direction=in&callId={id}");
        let mut s = TcpStream::connect(addr).unwrap();
        s.write_all(
            format!(
                "POST /cti HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\n\
                 Content-Length: {}\r\n\r\n{body}",
                body.len()
            )
            .as_bytes(),
        )
        .unwrap();
        read_reply(&mut s)
    };
    assert_eq!(post("boom").status, 500);
    let r = post("fine");
    assert_eq!(r.status, 200);
    assert_eq!(
        r.body,
        json!({ "ok": true, "event": "newCall", "call_id": "fine" })
    );
    assert_eq!(*seen.lock().unwrap(), 2);
    stop.store(true, Ordering::SeqCst);
    t.join().unwrap().unwrap();
}

#[test]
fn the_listener_stops_when_told_even_with_no_request() {
    let l = Listener::plain();
    let started = Instant::now();
    l.stop.store(true, Ordering::SeqCst);
    let mut l = l;
    l.thread.take().unwrap().join().unwrap().unwrap();
    assert!(started.elapsed() < Duration::from_secs(2));
}

/// Waits until `f` holds, for ten seconds at most (a bound against hanging, not a measure).
fn eventually(what: &str, mut f: impl FnMut() -> bool) {
    let until = Instant::now() + Duration::from_secs(10);
    while !f() {
        assert!(Instant::now() < until, "still not: {what}");
        thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn beyond_the_cap_a_503_at_once_said_once_in_the_log() {
    let l = Listener::start(ListenOptions {
        max_connections: 4,
        ..ListenOptions::default()
    });
    let idle: Vec<TcpStream> = (0..4).map(|_| l.connect()).collect();
    // Until the four are taken: one more is then refused, and so are the next ones.
    eventually("a connection refused", || {
        let mut s = l.connect();
        let mut raw = Vec::new();
        s.read_to_end(&mut raw).is_ok() && raw.starts_with(b"HTTP/1.1 503")
    });
    for _ in 0..3 {
        let r = read_reply(&mut l.connect());
        assert_eq!(r.status, 503);
        assert_eq!(r.header("Retry-After"), Some("1"));
        assert_eq!(
            r.error(),
            "trop de connexions ouvertes (4) : réessayer dans un instant"
        );
    }
    let said: Vec<Exchange> = l
        .exchanges()
        .into_iter()
        .filter(|e| e.status == 503)
        .collect();
    assert_eq!(said.len(), 1, "{said:?}");
    assert_eq!(
        said[0].summary,
        "trop de connexions ouvertes (4) : réessayer dans un instant ; dit une fois par \
         minute tant que cela dure"
    );
    // Their places given back, events are taken again.
    drop(idle);
    eventually("an event taken", || {
        l.form("event=newCall&to=2000&direction=in&callId=after")
            .status
            == 200
    });
    assert_eq!(l.call_ids(), ["after"]);
}

/// The store stands still (a lock another process holds, a server that does not answer):
/// each event is answered 503 within the store's wait, other requests are answered at
/// once meanwhile, and an event whose request has given up is never written.
#[test]
fn a_store_that_stands_still_gets_a_503_and_holds_no_one_else() {
    let l = Listener::start(ListenOptions {
        store_wait: Duration::from_millis(300),
        ..ListenOptions::default()
    });
    l.set_store(Store::Slow(Duration::from_secs(2)));
    let first = {
        let addr = l.addr;
        thread::spawn(move || {
            let mut s = TcpStream::connect(addr).unwrap();
            let body = "event=newCall&to=2000&direction=in&callId=slow";
            write!(
                s,
                "POST /cti HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\n\
                 Content-Length: {}\r\n\r\n{body}",
                body.len()
            )
            .unwrap();
            read_reply(&mut s)
        })
    };
    // The store has it now, for two seconds.
    eventually("the first event at the store", || {
        l.exchanges().iter().any(|e| e.status == 503)
    });
    l.set_store(Store::Up);
    let r = l.form("event=newCall&to=2000&direction=in&callId=queued");
    assert_eq!(r.status, 503, "{r:?}");
    assert_eq!(r.header("Retry-After"), Some("2"));
    assert_eq!(
        r.error(),
        "événement non enregistré : la base n'a pas répondu dans les 300 ms ; renvoyer \
         l'événement, il ne sera enregistré qu'une fois"
    );
    // Not held: answered while the store is still busy with the first event.
    assert_eq!(l.post("/nowhere", "text/plain", "").status, 404);
    assert_eq!(l.call_ids(), Vec::<String>::new());
    let r = first.join().unwrap();
    assert_eq!(r.status, 503);
    // Once the store is back, the late event has been dropped, never written.
    eventually("the slow event written", || l.call_ids() == ["slow"]);
    assert_eq!(
        l.form("event=newCall&to=2000&direction=in&callId=after")
            .status,
        200
    );
    assert_eq!(l.call_ids(), ["slow", "after"]);
}

/// Reproduced on the listener of before: events queued behind a slow one were stamped with
/// the time the store got to them.
#[test]
fn events_are_stamped_with_the_time_their_request_arrived() {
    let l = Listener::start(ListenOptions {
        store_wait: Duration::from_secs(10),
        ..ListenOptions::default()
    });
    l.set_store(Store::Slow(Duration::from_millis(500)));
    let sent = Utc::now();
    let clients: Vec<_> = (0..4)
        .map(|i| {
            let addr = l.addr;
            thread::spawn(move || {
                let mut s = TcpStream::connect(addr).unwrap();
                let body = format!("event=newCall&to=2000&direction=in&callId=c-{i}");
                write!(
                    s,
                    "POST /cti HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\n\
                     Content-Length: {}\r\n\r\n{body}",
                    body.len()
                )
                .unwrap();
                read_reply(&mut s).status
            })
        })
        .collect();
    for c in clients {
        assert_eq!(c.join().unwrap(), 200);
    }
    let done = Utc::now();
    let stamps: Vec<DateTime<Utc>> = l.events.lock().unwrap().iter().map(|(_, t)| *t).collect();
    assert_eq!(stamps.len(), 4);
    // Written one after the other, half a second each; all sent at once.
    assert!(done - sent >= chrono::Duration::milliseconds(2000));
    for t in &stamps {
        assert!(
            *t >= sent && *t - sent < chrono::Duration::milliseconds(450),
            "sent {sent}, stamped {t}"
        );
    }
}

#[test]
fn a_json_body_nested_deep_is_a_400_not_a_crash() {
    let l = Listener::plain();
    let deep = format!("{}{}", "[".repeat(8000), "]".repeat(8000));
    let r = l.post("/cti", "application/json", &deep);
    assert_eq!(r.status, 400, "{r:?}");
    let deep = format!(
        "{{\"event\":{}1{}}}",
        "{\"a\":".repeat(2000),
        "}".repeat(2000)
    );
    assert_eq!(l.post("/cti", "application/json", &deep).status, 400);
    assert_eq!(
        l.form("event=newCall&to=2000&direction=in&callId=alive")
            .status,
        200
    );
}

/// Every answer and every log line of many hostile requests: the token is in none,
/// wherever it was put.
#[test]
fn the_token_is_never_in_an_answer_nor_in_the_log() {
    let l = Listener::with_token();
    let form = "application/x-www-form-urlencoded";
    let event = "event=newCall&to=2000&direction=in&callId=x";
    let t = TOKEN;
    let mut requests: Vec<String> = [
        format!("/cti/{t}/x"),
        format!("/cti/{t}//"),
        format!("/foo/{t}"),
        format!("/{t}"),
        format!("/{t}/cti"),
        format!("/api/v1/cti/{t}/x"),
        format!("/api/v1/cti/{t}/x?y={t}"),
        format!("/api/v2/cti/{t}"),
        format!("/cti?token={t}"),
        format!("/cti/{t}x"),
        format!("/cti/x{t}"),
        format!("/cti/{t}%00"),
        format!("/ctix/{t}"),
        format!("/cti/{}", &t[..10]),
    ]
    .iter()
    .map(|path| {
        format!(
            "POST {path} HTTP/1.1\r\nContent-Type: {form}\r\nContent-Length: {}\r\n\r\n{event}",
            event.len()
        )
    })
    .collect();
    let right = format!("/cti/{t}");
    for (headers, body) in [
        (format!("Content-Type: {t}\r\n"), event.to_string()),
        (
            format!("Content-Type: {form}\r\nTransfer-Encoding: {t}\r\n"),
            String::new(),
        ),
        (
            format!("Content-Type: {form}\r\nContent-Length: {t}\r\n"),
            String::new(),
        ),
        (
            format!("Content-Type: {form}\r\n"),
            format!("event=newCall&to=2000&direction=in&callId={t}"),
        ),
        (
            format!("Content-Type: {form}\r\n"),
            format!("event={t}&to=2000&direction=in&callId=1"),
        ),
        (
            format!("Content-Type: {form}\r\n"),
            format!("event=newCall&from={t}&to=2000&direction=in&callId=2"),
        ),
    ] {
        let length = match headers.contains("Content-Length") || headers.contains("Transfer") {
            true => String::new(),
            false => format!("Content-Length: {}\r\n", body.len()),
        };
        requests.push(format!(
            "POST {right} HTTP/1.1\r\n{headers}{length}\r\n{body}"
        ));
    }
    requests.push(format!("GET /cti/{t}/ HTTP/1.1\r\n\r\n"));
    requests.push(format!("GET /{t} HTTP/1.1\r\n\r\n"));
    requests.push(format!(
        "POST /cti HTTP/1.1\r\nAuthorization: Bearer {t}x\r\n\r\n"
    ));
    requests.push(format!("POST /cti/{t} HTTP/9.9\r\n\r\n"));
    requests.push(format!(
        "POST /cti/{t} HTTP/1.1\r\nX: {}\r\n\r\n",
        "h".repeat(9000)
    ));
    let mut answers = Vec::new();
    for request in &requests {
        let mut s = l.connect();
        s.write_all(request.as_bytes()).unwrap();
        let mut raw = Vec::new();
        let _ = s.read_to_end(&mut raw);
        let raw = String::from_utf8_lossy(&raw).into_owned();
        assert!(raw.starts_with("HTTP/1.1 "), "{request:?}: {raw:?}");
        answers.push(raw);
    }
    let statuses: Vec<&str> = answers.iter().map(|a| &a[9..12]).collect();
    assert!(
        statuses.contains(&"404") && statuses.contains(&"401"),
        "{statuses:?}"
    );
    assert!(
        statuses.contains(&"400") && statuses.contains(&"200"),
        "{statuses:?}"
    );
    let log = l.exchanges();
    assert_eq!(log.len(), requests.len());
    let lower = t.to_lowercase();
    for text in answers.iter().chain(log.iter().map(|e| &e.summary)) {
        assert!(
            !text.contains(t) && !text.to_lowercase().contains(&lower),
            "{text}"
        );
    }
}

/// A connection from `from`, a loopback address of this machine other than 127.0.0.1.
fn connect_from(from: &str, to: SocketAddr) -> TcpStream {
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    let local: SocketAddr = format!("{from}:0").parse().unwrap();
    socket.bind(&local.into()).unwrap();
    socket.connect(&to.into()).unwrap();
    let stream: TcpStream = socket.into();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream
}

fn post_token(stream: &mut TcpStream, token: &str) -> Reply {
    let body = "event=newCall&to=2000&direction=in&callId=g";
    write!(
        stream,
        "POST /cti/{token} HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    read_reply(stream)
}

/// Reproduced on the listener of before: 13,000 guesses a second. Now, past a few refused
/// tokens, one address waits its turn at growing intervals however many connections it
/// opens, said once in the log; another address is answered at once meanwhile.
#[test]
fn guessing_the_token_from_one_address_is_slowed_down_for_that_address_only() {
    let l = Listener::with_token();
    let started = Instant::now();
    let mut tries = 0;
    let mut statuses = Vec::new();
    // One second and a half of guessing, one request after the other.
    while started.elapsed() < Duration::from_millis(1500) {
        let r = post_token(
            &mut connect_from("127.0.0.1", l.addr),
            &format!("guess-{tries:012}"),
        );
        statuses.push(r.status);
        tries += 1;
    }
    // Five at once, then 100, 200, 400, 800 ms apart.
    assert!((6..=10).contains(&tries), "{tries} tries: {statuses:?}");
    assert!(statuses.iter().all(|&s| s == 401), "{statuses:?}");

    // Many at once from the same address: they queue, and past five seconds of queue they
    // are told to come back.
    let waiting: Vec<TcpStream> = (0..6)
        .map(|i| {
            let mut s = connect_from("127.0.0.1", l.addr);
            let body = "event=newCall&to=2000&direction=in&callId=g";
            write!(
                s,
                "POST /cti/guess-again-{i:08} HTTP/1.1\r\nContent-Type: \
                 application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            )
            .unwrap();
            s
        })
        .collect();
    // Another machine with the right token: answered at once, while they wait.
    let r = post_token(&mut connect_from("127.0.0.2", l.addr), TOKEN);
    assert_eq!(r.status, 200, "{r:?}");
    let still = waiting.iter().filter(|s| still_waiting(s)).count();
    assert!(still >= 2, "{still} still waiting");
    let mut later = 0;
    for mut s in waiting {
        let r = read_reply(&mut s);
        match r.status {
            401 => assert_eq!(r.error(), "jeton refusé"),
            429 => {
                later += 1;
                let after: u64 = r.header("Retry-After").unwrap().parse().unwrap();
                assert!((1..=10).contains(&after), "{r:?}");
                assert_eq!(
                    r.error(),
                    format!(
                        "trop de jetons refusés depuis cette adresse : réessayer dans {after} s"
                    )
                );
            }
            other => panic!("{other}: {r:?}"),
        }
    }
    assert!(later >= 1, "none told to come back later");
    assert_eq!(l.call_ids(), ["g"]);

    // Said once: the five free refusals, one line of them starting the slowdown, and the
    // right token; none of the slowed requests one by one.
    let log = l.exchanges();
    let lines: Vec<(u16, &str)> = log.iter().map(|e| (e.status, e.summary.as_str())).collect();
    assert_eq!(lines.len(), 6, "{lines:#?}");
    assert_eq!(lines[..4], [(401, "jeton refusé"); 4]);
    assert_eq!(
        lines[4],
        (
            401,
            "jeton refusé, 5 fois de suite pour cette adresse : ses requêtes suivantes \
             attendent leur tour (jusqu'à 2 s chacune, 429 au-delà) et ne sont plus \
             journalisées une à une, jusqu'à une minute sans jeton refusé"
        )
    );
    assert_eq!(lines[5], (200, "newCall g : numéro masqué"));
}

/// `guichet phone listen` running as its own process, on the desk's store, stopped when
/// dropped.
struct Process {
    child: Child,
    addr: SocketAddr,
    log: mpsc::Receiver<String>,
}

impl Process {
    fn start(desk: &Desk) -> Process {
        let mut child = desk
            .cmd()
            .args(["phone", "listen", "--bind", "127.0.0.1:0"])
            .env("GUICHET_PHONE_TOKEN", TOKEN)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        let addr = first
            .strip_prefix("écoute sur http://")
            .and_then(|rest| rest.split('/').next())
            .unwrap_or_else(|| panic!("{first:?}"))
            .parse()
            .unwrap();
        let (tx, log) = mpsc::channel();
        let stderr = child.stderr.take().unwrap();
        thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        Process { child, addr, log }
    }

    fn post(&self, call_id: &str) -> Reply {
        let mut s = TcpStream::connect(self.addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let body = format!("event=newCall&from=0612345678&to=3001&direction=in&callId={call_id}");
        write!(
            s,
            "POST /cti/{TOKEN} HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\n\
             Content-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        read_reply(&mut s)
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reproduced on the listener of before: 500 idle sockets, and nothing was answered for
/// 59 s. The real binary, on a real SQLite store.
#[test]
fn with_500_idle_connections_open_an_event_is_answered_and_stored() {
    let desk = Desk::new();
    let p = Process::start(&desk);
    let idle: Vec<TcpStream> = (0..500)
        .map(|_| TcpStream::connect(p.addr).unwrap())
        .collect();
    let sent = Utc::now();
    let r = p.post("with-500-idle");
    assert_eq!(r.status, 200, "{r:?}");
    let events = desk.store().phone_events("with-500-idle").unwrap();
    assert_eq!(events.len(), 1);
    assert!(
        events[0].at >= sent - chrono::Duration::seconds(1),
        "{:?}",
        events[0]
    );
    // Each idle one was let go at its own read deadline (2 s), all together: one after the
    // other, they would take 1000 s, and the ten seconds each may wait here would run out.
    for mut s in idle {
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        assert_eq!(read_reply(&mut s).status, 408);
    }
}

/// Reproduced on the listener of before: a locked SQLite file kept it silent 10 s before
/// its 503. The real binary, its store locked by another connection.
#[test]
fn a_locked_store_is_a_503_within_a_second_and_holds_no_one_else() {
    let desk = Desk::new();
    let p = Process::start(&desk);
    let holder = rusqlite::Connection::open(desk.db()).unwrap();
    holder.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let started = Instant::now();
    let r = p.post("locked");
    let waited = started.elapsed();
    assert_eq!(r.status, 503, "{r:?}");
    assert_eq!(r.header("Retry-After"), Some("2"));
    let error = r.error();
    assert!(
        error.contains("verrouillée") || error.contains("n'a pas répondu dans les 1 s"),
        "{error}"
    );
    assert!(error.ends_with("renvoyer l'événement, il ne sera enregistré qu'une fois"));
    // Within the request's wait for the store, not the 10 s of before (bounded loosely:
    // a busy machine).
    assert!(waited < Duration::from_secs(5), "{waited:?}");
    // Others are answered meanwhile.
    let mut s = TcpStream::connect(p.addr).unwrap();
    s.write_all(b"POST /nowhere HTTP/1.1\r\n\r\n").unwrap();
    assert_eq!(read_reply(&mut s).status, 404);
    holder.execute_batch("ROLLBACK").unwrap();
    assert_eq!(p.post("locked").status, 200);
    assert_eq!(desk.store().phone_events("locked").unwrap().len(), 1);
    let log: Vec<String> = p.log.try_iter().collect();
    assert!(log.iter().any(|l| l.contains(" 503 ")), "{log:#?}");
}

#[test]
fn a_short_token_is_refused_at_start_with_how_to_make_one() {
    let desk = Desk::new();
    for (how, value) in [("env", "s3cr"), ("option", "0123456789abcde")] {
        let mut cmd = desk.cmd();
        cmd.args(["phone", "listen", "--bind", "127.0.0.1:0"]);
        match how {
            "env" => cmd.env("GUICHET_PHONE_TOKEN", value),
            _ => cmd.args(["--token", value]),
        };
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{how}");
        assert!(out.stdout.is_empty());
        let err = String::from_utf8(out.stderr).unwrap();
        let n = value.len();
        assert_eq!(
            err,
            format!(
                "guichet : jeton de la téléphonie trop court ({n} caractères) : il en faut 16 \
                 au moins pour qu'il ne se devine pas, par exemple tiré au hasard avec \
                 « openssl rand -hex 16 »\n"
            )
        );
        assert!(!err.contains(value));
    }
}
