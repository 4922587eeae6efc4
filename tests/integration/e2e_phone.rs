//! End to end: the telephony posts to the real listener, the real console in a real
//! terminal (tmux, 80x24) shows the call ringing on its extension, F2 fills the new call
//! from the caller's previous one, and the hangup writes the handling time on the call.

use crate::common::tmux;

use guichet::store::scratch::ScratchDb;
use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tmux::Term;

const TOKEN: &str = "s3cret-cti-4d8e1f07";
const EXTENSION: &str = "3001";

/// `guichet phone listen` on a free loopback port, killed when dropped.
struct Listener {
    child: Child,
    addr: String,
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Listener {
    fn start(term: &Term) -> Listener {
        let mut c = Command::new(env!("CARGO_BIN_EXE_guichet"));
        c.args(["phone", "listen", "--bind", "127.0.0.1:0"])
            .env_clear()
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        for (k, v) in term.desk_env() {
            c.env(k, v);
        }
        c.env("GUICHET_PHONE_TOKEN", TOKEN);
        let mut child = c.spawn().expect("guichet phone listen");
        let mut first = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut first)
            .expect("the listener says where it listens");
        let addr = first
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .unwrap_or_else(|| panic!("no address in {first:?}"))
            .to_string();
        Listener { child, addr }
    }

    /// POSTs a form to /cti/TOKEN; returns the status and the JSON answer.
    fn post(&self, form: &str) -> (u16, Value) {
        let mut stream = TcpStream::connect(&self.addr).expect("connect to the listener");
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        write!(
            stream,
            "POST /cti/{TOKEN} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{form}",
            self.addr,
            form.len()
        )
        .unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        let status = answer
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let body = answer.split("\r\n\r\n").nth(1).unwrap_or("");
        (status, serde_json::from_str(body).unwrap_or(Value::Null))
    }
}

#[test]
fn a_ringing_call_shows_within_a_second_and_becomes_a_call_with_its_handling_time() {
    ring_answer_hang_up(&Term::new());
}

/// The same desk on a PostgreSQL server: the listener's write reaches the console through
/// the server's notification.
#[test]
fn on_a_server_store_too() {
    let db = ScratchDb::new();
    ring_answer_hang_up(&Term::on_server(&db.url()));
}

/// The desk as it is when calls ring: its catalogue indexed already, by an earlier console
/// or command. The console's first start on a fresh store writes the index while the
/// listener waits for the store (a second at most, then a 503 with `Retry-After`, which
/// `phone_listen` tests); these tests measure a ring on a desk in service.
fn in_service(term: &Term) {
    term.cli(&["procedures", "search", "vpn"]);
}

fn ring_answer_hang_up(term: &Term) {
    // Lola called last week about her VPN, from her mobile.
    term.cli(&[
        "call",
        "add",
        "--caller",
        "Lola Dupont",
        "--phone",
        "06 12 34 56 78",
        "--service",
        "mi",
        "--device",
        "noemi",
        "--summary",
        "VPN bleu après la mise à jour",
        "--at",
        "2026-11-02T10:00",
    ]);
    term.cli(&["call", "close", "A-0001", "--outcome", "resolved"]);
    in_service(term);
    let listener = Listener::start(term);
    let s = "desk";
    term.start_with(s, &[("GUICHET_EXTENSION", EXTENSION)]);
    term.wait_for(s, &["guichet ·", "Aucun appel ouvert"]);

    let posted = Instant::now();
    let (status, answer) = listener.post(
        "event=newCall&from=%2B33612345678&to=3000&direction=in&callId=ipbx-77&user%5B%5D=3001",
    );
    assert_eq!(status, 200, "{answer}");
    let screen = term.wait_for(s, &["☎ sonne", "+33 6 12 34 56 78", "Lola Dupont"]);
    let shown_after = posted.elapsed();
    eprintln!("ringing banner on the screen {shown_after:?} after the POST was sent");
    assert!(
        shown_after < Duration::from_secs(1),
        "the banner came {shown_after:?} after the POST:\n{screen}"
    );
    assert!(screen.contains("dernier appel A-0001"), "{screen}");

    let (status, _) = listener.post(
        "event=answer&from=%2B33612345678&to=3000&direction=in&callId=ipbx-77&answeringNumber=3001",
    );
    assert_eq!(status, 200);
    term.wait_for(s, &["☎ en ligne"]);
    term.press(s, "F2");
    // Every field waited for: a capture can catch a frame half drawn.
    let form = term.wait_for(
        s,
        &[
            "Nouvel appel",
            "Lola Dupont",
            "Ministère de l'Intérieur",
            "Portable NOEMI",
        ],
    );
    assert!(form.contains("+33 6 12 34 56 78"), "{form}");
    // The name, service and device are filled: what is left is what the call is about.
    term.type_text(s, "VPN toujours bleu");
    term.press(s, "C-s");
    term.wait_for(s, &["A-0002", "enregistré"]);

    let (status, answer) = listener.post(
        "event=hangup&from=%2B33612345678&to=3000&direction=in&callId=ipbx-77&answeringNumber=3001&cause=normalClearing",
    );
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["reference"], "A-0002", "{answer}");
    let handled = answer["handled_seconds"].as_i64().expect("handled_seconds");
    let call: Value =
        serde_json::from_str(&term.cli(&["call", "show", "A-0002", "--format", "json"])).unwrap();
    assert_eq!(call["handled_seconds"].as_i64(), Some(handled), "{call:#}");
    assert_eq!(call["telephony_id"], "ipbx-77");
    assert_eq!(call["caller_name"], "Lola Dupont");
    let journal = call["journal"].as_array().expect("journal");
    assert!(
        journal.iter().any(|e| e["kind"] == "handled"
            && e["text"]
                .as_str()
                .is_some_and(|t| t.starts_with("appel traité en"))),
        "{journal:#?}"
    );
    // The call hung up: the banner is gone.
    term.wait_until(s, "the banner gone", |screen| !screen.contains("☎"));
}

/// Two callers the desk knows ring at once on the extension; the second is answered. The
/// real console shows both, F2 takes the answered one, the other hangs up unanswered and
/// F7 offers to call it back; each phone call ends on its own record.
#[test]
fn two_calls_ringing_at_once_each_go_to_their_own_call() {
    let term = Term::new();
    for (name, phone, service, device, summary) in [
        ("Lola Dupont", "06 12 34 56 78", "mi", "noemi", "VPN bleu"),
        (
            "Anne Çelik",
            "02 31 30 15 00",
            "acn-caen",
            "copier",
            "copieur bloqué",
        ),
    ] {
        term.cli(&[
            "call",
            "add",
            "--caller",
            name,
            "--phone",
            phone,
            "--service",
            service,
            "--device",
            device,
            "--summary",
            summary,
            "--at",
            "2026-11-02T10:00",
        ]);
    }
    in_service(&term);
    let listener = Listener::start(&term);
    let s = "two";
    term.start_with(s, &[("GUICHET_EXTENSION", EXTENSION)]);
    term.wait_for(s, &["guichet ·", "Appels"]);
    let form = |event: &str, id: &str, from: &str, extra: &str| {
        let (status, answer) = listener.post(&format!(
            "event={event}&from={from}&to=3000&direction=in&callId={id}&user%5B%5D=3001{extra}"
        ));
        assert_eq!(status, 200, "{answer}");
        answer
    };
    form("newCall", "lola-1", "%2B33612345678", "");
    form("newCall", "anne-1", "0231301500", "");
    term.wait_for(
        s,
        &[
            "☎ sonne · 02 31 30 15 00 · Anne Çelik",
            "☎ sonne · +33 6 12 34 56 78 · Lola Dupont",
        ],
    );
    // Anne, the second to ring, is answered: her call comes first, and F2 takes hers.
    form("answer", "anne-1", "0231301500", "&answeringNumber=3001");
    term.wait_until(s, "Anne's call answered, on the first line", |screen| {
        screen
            .lines()
            .nth(1)
            .is_some_and(|l| l.contains("☎ en ligne") && l.contains("Anne Çelik"))
    });
    term.press(s, "F2");
    let typed = term.wait_for(s, &["Nouvel appel", "Anne Çelik", "02 31 30 15 00"]);
    assert!(!typed.contains("Tél.     +33 6 12 34 56 78"), "{typed}");
    term.type_text(s, "copieur encore bloqué");
    term.press(s, "C-s");
    term.wait_for(s, &["A-0003", "enregistré"]);

    // Lola gives up before anyone answers: a missed call, offered in F7.
    form("hangup", "lola-1", "%2B33612345678", "&cause=cancel");
    term.wait_until(s, "Lola's line gone", |screen| {
        !screen.contains("Lola Dupont ·")
    });
    term.press(s, "F7");
    term.wait_for(
        s,
        &[
            "Appels manqués, dernières 24 h (1)",
            "+33 6 12 34 56 78 · Lola Dupont",
        ],
    );
    term.press(s, "Enter");
    term.wait_for(
        s,
        &["Nouvel appel", "Lola Dupont", "Rappel de l'appel manqué"],
    );
    term.press(s, "Escape");

    let answer = form(
        "hangup",
        "anne-1",
        "0231301500",
        "&answeringNumber=3001&cause=normalClearing",
    );
    assert_eq!(answer["reference"], "A-0003", "{answer}");
    let call: Value =
        serde_json::from_str(&term.cli(&["call", "show", "A-0003", "--format", "json"])).unwrap();
    assert_eq!(call["telephony_id"], "anne-1", "{call:#}");
    assert_eq!(call["caller_name"], "Anne Çelik");
    assert!(call["handled_seconds"].as_i64().is_some(), "{call:#}");
    let report: Value =
        serde_json::from_str(&term.cli(&["report", "handover", "--format", "json"])).unwrap();
    assert_eq!(report["telephony"]["answered"], 1, "{report:#}");
    assert_eq!(report["telephony"]["missed"], 1, "{report:#}");
}
