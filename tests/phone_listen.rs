//! The telephony listener over real HTTP on loopback: the events of Zammad's generic CTI in
//! form, multipart and JSON bodies reach the sink exactly as sent, everything else is
//! refused with the right status and a one-line JSON reason, and the listener keeps
//! answering whatever a client does (sends nothing, trickles, sends garbage, sends too
//! much, hangs up halfway).

use guichet::phone::listen::{ListenOptions, bind, serve};
use guichet::phone::{Direction, EventKind, Exchange, HangupCause, PhoneEvent, SinkError};
use serde_json::{Value, json};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// A listener on a free loopback port, in a thread, with a sink that records the events
/// (or fails, when told to), stopped and joined when dropped.
struct Listener {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    fail: Arc<AtomicBool>,
    events: Arc<Mutex<Vec<PhoneEvent>>>,
    exchanges: Arc<Mutex<Vec<Exchange>>>,
    thread: Option<JoinHandle<std::io::Result<()>>>,
}

impl Listener {
    fn start(options: ListenOptions) -> Self {
        let listener = bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let fail = Arc::new(AtomicBool::new(false));
        let events = Arc::new(Mutex::new(Vec::new()));
        let exchanges = Arc::new(Mutex::new(Vec::new()));
        let thread = {
            let (stop, fail, events, exchanges) = (
                stop.clone(),
                fail.clone(),
                events.clone(),
                exchanges.clone(),
            );
            thread::spawn(move || {
                serve(
                    listener,
                    &options,
                    &stop,
                    |event: PhoneEvent| {
                        if fail.load(Ordering::SeqCst) {
                            return Err("la base de données ne répond pas".into());
                        }
                        if event.call_id == "unreachable" {
                            return Err(SinkError::retry_later("serveur injoignable"));
                        }
                        let mut events = events.lock().unwrap();
                        events.push(event);
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
            fail,
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

    fn with_token(token: &str) -> Self {
        Listener::start(ListenOptions {
            token: Some(token.into()),
            timeout: Duration::from_millis(400),
            ..ListenOptions::default()
        })
    }

    fn events(&self) -> Vec<PhoneEvent> {
        self.events.lock().unwrap().clone()
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
    let l = Listener::with_token("s3cr3t-Tok-2f9c8e");
    let body = "event=newCall&from=0612345678&to=2000&direction=in&callId=t";
    let form = "application/x-www-form-urlencoded";
    for (path, headers, error) in [
        (
            "/cti",
            "",
            "jeton absent : POST /cti/JETON ou en-tête « Authorization: Bearer JETON » attendu",
        ),
        (
            "/cti/",
            "",
            "jeton absent : POST /cti/JETON ou en-tête « Authorization: Bearer JETON » attendu",
        ),
        ("/cti/s3cr3t-tok-2f9c8e", "", "jeton refusé"),
        ("/cti/s3cr3t-Tok-2f9c8", "", "jeton refusé"),
        ("/cti/s3cr3t-Tok-2f9c8ek", "", "jeton refusé"),
        ("/cti", "Authorization: Bearer wrong\r\n", "jeton refusé"),
        (
            "/cti",
            "Authorization: Basic czNjcjN0LVRvay0yZjljOGU=\r\n",
            "jeton absent : POST /cti/JETON ou en-tête « Authorization: Bearer JETON » attendu",
        ),
        (
            "/cti?token=s3cr3t-Tok-2f9c8e",
            "",
            "jeton absent : POST /cti/JETON ou en-tête « Authorization: Bearer JETON » attendu",
        ),
    ] {
        let r = l.post_with(path, form, body, headers);
        assert_eq!(r.status, 401, "{path} {headers}: {r:?}");
        assert_eq!(r.error(), error, "{path} {headers}");
        assert_eq!(r.header("WWW-Authenticate"), Some("Bearer"));
    }
    assert_eq!(l.events(), []);

    for (path, headers) in [
        ("/cti/s3cr3t-Tok-2f9c8e", ""),
        ("/cti/s3cr3t%2DTok-2f9c8e?x=1", ""),
        ("/cti", "Authorization: Bearer s3cr3t-Tok-2f9c8e\r\n"),
        ("/cti", "authorization: bearer  s3cr3t-Tok-2f9c8e \r\n"),
    ] {
        let r = l.post_with(path, form, body, headers);
        assert_eq!(r.status, 200, "{path} {headers}: {r:?}");
    }
    assert_eq!(l.events().len(), 4);
    // Nothing the listener logs repeats the token.
    let exchanges = l.exchanges.lock().unwrap().clone();
    assert_eq!(exchanges.len(), 12);
    assert!(
        exchanges.iter().all(|e| !e.summary.contains("s3cr3t")),
        "{exchanges:?}"
    );
}

#[test]
fn without_a_token_cti_is_the_one_address() {
    let l = Listener::plain();
    let body = "event=newCall&to=2000&direction=in&callId=1";
    let form = "application/x-www-form-urlencoded";
    let r = l.post("/cti/anything", form, body);
    assert_eq!(r.status, 404);
    assert_eq!(
        r.error(),
        "adresse inconnue « /cti/… » : aucun jeton n'est configuré, l'adresse est /cti"
    );
    for path in ["/", "/cti/a/b", "/api/v1/cti", "/ctix", "/%1B[2J"] {
        let r = l.post(path, form, body);
        assert_eq!(r.status, 404, "{path}");
        assert!(r.error().starts_with("adresse inconnue"), "{r:?}");
        assert!(!r.error().contains('\u{1b}'));
    }
    // A bearer token, when none is configured, changes nothing.
    let r = l.post_with("/cti", form, body, "Authorization: Bearer x\r\n");
    assert_eq!(r.status, 200);
    assert_eq!(l.events().len(), 1);
}

#[test]
fn other_methods_get_a_405_and_other_paths_a_404() {
    let l = Listener::with_token("tok-5e1d0a7b3c4f");
    for method in ["GET", "PUT", "DELETE", "HEAD", "OPTIONS"] {
        let r = l
            .send(format!("{method} /cti/tok-5e1d0a7b3c4f HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes());
        assert_eq!(r.status, 405, "{method}");
        assert_eq!(r.header("Allow"), Some("POST"));
        assert_eq!(
            r.error(),
            format!("méthode {method} refusée : les événements arrivent par POST")
        );
    }
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

#[test]
fn a_client_that_sends_nothing_does_not_keep_the_next_one_waiting() {
    let l = Listener::plain();
    let mut idle = l.connect();
    // Let the listener take the idle connection first.
    thread::sleep(Duration::from_millis(50));
    let started = Instant::now();
    let r = l.form("event=newCall&to=2000&direction=in&callId=next");
    assert_eq!(r.status, 200);
    // Within the request timeout (400 ms) and its linger, not forever.
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    let r = read_reply(&mut idle);
    assert_eq!(r.status, 408);
    assert_eq!(
        r.error(),
        "requête incomplète après 400 ms : la connexion est fermée"
    );
    assert_eq!(l.events().len(), 1);
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
    l.fail.store(true, Ordering::SeqCst);
    let r = l.form("event=newCall&to=2000&direction=in&callId=1");
    assert_eq!(r.status, 500);
    assert_eq!(
        r.error(),
        "événement non enregistré : la base de données ne répond pas"
    );
    l.fail.store(false, Ordering::SeqCst);
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
                |e: PhoneEvent| {
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
