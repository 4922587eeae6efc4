//! `guichet phone event` and `guichet phone listen`, the real binary on both engines: what
//! the telephony sends (a dialplan script's options, real HTTP requests to the listener
//! running as its own process) and what the store then holds.

// Signals to the listener (kill), to see it stop cleanly.
#![allow(unsafe_code)]

use crate::common::desk;

use crate::common::cti::line_reader;
use chrono::{DateTime, Duration as Span, Utc};
use desk::{Desk, Engine};
use guichet::phone::HangupCause;
use serde_json::{Value, json};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A date for `--at`, `seconds` after `start`.
fn at(start: DateTime<Utc>, seconds: i64) -> String {
    (start + Span::seconds(seconds)).to_rfc3339()
}

/// The events' whole history, from the store.
fn phone_calls(desk: &Desk) -> Vec<guichet::phone::PhoneCall> {
    desk.store()
        .phone_calls_since(DateTime::<Utc>::from_timestamp(0, 0).unwrap())
        .unwrap()
}

/// The journal kinds and texts of a call, from `call show --format json`.
fn journal(desk: &Desk, reference: &str) -> Vec<(String, String)> {
    desk.json(&["call", "show", reference, "--format", "json"])["journal"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["kind"].as_str().unwrap().to_string(),
                e["text"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

on_both_engines! {
fn a_dialplan_script_records_a_call_and_its_handling_time(desk) {
    let t0 = Utc::now() - Span::hours(1);
    let line = desk.ok(&[
        "phone", "event", "--event", "newCall", "--from", "06 12 34 56 78", "--to", "3001",
        "--call-id", "1718-abc.42", "--user", "Claire Dupont", "--user", "Luc",
        "--at", &at(t0, 0),
    ]);
    assert_eq!(
        line,
        "nouvel appel 1718-abc.42 de 06 12 34 56 78 vers 3001 : enregistré\n"
    );
    let answered = desk.json(&[
        "phone", "event", "--event", "answer", "--from", "0612345678", "--to", "3001",
        "--call-id", "1718-abc.42", "--answering-number", "30 01", "--at", &at(t0, 10),
        "--format", "json",
    ]);
    // No guichet call yet: nothing but the event.
    assert_eq!(
        answered,
        json!({"ok": true, "event": "answer", "call_id": "1718-abc.42"})
    );

    // The operator saves the call while on the phone.
    let reference = desk.add(
        "Zoé Martin",
        "mi",
        "noemi",
        &["--phone", "06 12 34 56 78", "--telephony-id", "1718-abc.42"],
    );
    assert_eq!(reference, "A-0001");
    let shown = desk.json(&["call", "show", "A-0001", "--format", "json"]);
    assert_eq!(shown["telephony_id"], "1718-abc.42");
    assert_eq!(shown["handled_seconds"], Value::Null, "not hung up yet");

    let hung = desk.json(&[
        "phone", "event", "--event", "hangup", "--from", "0612345678", "--to", "3001",
        "--call-id", "1718-abc.42", "--cause", "normalClearing", "--at", &at(t0, 255),
        "--format", "json",
    ]);
    assert_eq!(
        hung,
        json!({"ok": true, "event": "hangup", "call_id": "1718-abc.42",
               "reference": "A-0001", "handled_seconds": 245})
    );
    let shown = desk.json(&["call", "show", "A-0001", "--format", "json"]);
    assert_eq!(shown["handled_seconds"], 245);
    let handled: Vec<_> = journal(&desk, "A-0001")
        .into_iter()
        .filter(|(kind, _)| kind == "handled")
        .collect();
    assert_eq!(handled.len(), 1, "{handled:?}");
    assert!(
        handled[0].1.starts_with("appel traité en 4 min 05 s (décroché à "),
        "{handled:?}"
    );

    // The telephony sends the hangup again: kept once, the time written once.
    let again = desk.ok(&[
        "phone", "event", "--event", "hangup", "--to", "3001", "--call-id", "1718-abc.42",
        "--at", &at(t0, 300),
    ]);
    assert_eq!(
        again,
        "raccroché 1718-abc.42 de numéro masqué vers 3001 : déjà reçu, rien de plus n'est \
         écrit ; appel A-0001\n"
    );
    assert_eq!(
        desk.json(&["call", "show", "A-0001", "--format", "json"])["handled_seconds"],
        245
    );
    assert_eq!(
        journal(&desk, "A-0001").iter().filter(|(k, _)| k == "handled").count(),
        1
    );

    let calls = phone_calls(&desk);
    assert_eq!(calls.len(), 1, "{calls:?}");
    let c = &calls[0];
    assert_eq!(c.telephony_id, "1718-abc.42");
    assert_eq!(c.from.as_deref(), Some("0612345678"));
    assert_eq!(c.to.as_deref(), Some("3001"));
    assert_eq!(c.users, ["Claire Dupont", "Luc"]);
    assert_eq!(c.answering_number.as_deref(), Some("3001"));
    assert_eq!(c.cause, Some(HangupCause::NormalClearing));
    assert_eq!(c.rang_at.timestamp(), t0.timestamp());
    assert_eq!(c.answered_at.map(|t| t.timestamp()), Some(t0.timestamp() + 10));
    assert_eq!(c.hung_up_at.map(|t| t.timestamp()), Some(t0.timestamp() + 255));
    assert_eq!(desk.store().phone_events("1718-abc.42").unwrap().len(), 3);
}
}

on_both_engines! {
fn a_call_saved_after_the_hangup_gets_its_time_too(desk) {
    let t0 = Utc::now() - Span::minutes(30);
    for (event, s) in [("newCall", 0), ("answer", 5), ("hangup", 65)] {
        desk.ok(&[
            "phone", "event", "--event", event, "--from", "0299001122", "--to", "3002",
            "--call-id", "late-1", "--at", &at(t0, s),
        ]);
    }
    let call = desk.json(&[
        "call", "add", "--service", "mi", "--device", "noemi", "--caller", "Bruno",
        "--summary", "VPN", "--telephony-id", "late-1", "--format", "json",
    ]);
    assert_eq!(call["handled_seconds"], 60);
    assert_eq!(call["telephony_id"], "late-1");
}
}

on_both_engines! {
fn withheld_callers_have_no_number(desk) {
    for (i, from) in [None, Some(""), Some("anonymous"), Some("Masqué")].into_iter().enumerate() {
        let id = format!("w-{i}");
        let mut args = vec![
            "phone", "event", "--event", "newCall", "--to", "3001", "--call-id", &id,
        ];
        if let Some(f) = from {
            args.extend(["--from", f]);
        }
        let line = desk.ok(&args);
        assert_eq!(line, format!("nouvel appel {id} de numéro masqué vers 3001 : enregistré\n"));
    }
    let calls = phone_calls(&desk);
    assert_eq!(calls.len(), 4);
    assert!(calls.iter().all(|c| c.from.is_none()), "{calls:?}");
}
}

on_both_engines! {
fn an_answer_and_a_hangup_need_only_the_call_id(desk) {
    let t0 = Utc::now() - Span::minutes(20);
    desk.ok(&[
        "phone", "event", "--event", "newCall", "--from", "+33 (0)6 12 34 56 78", "--to",
        "support", "--call-id", "q-1", "--at", &at(t0, 0),
    ]);
    // As the Asterisk AMI bridge sends them: the agent who picked up, the call id.
    let line = desk.ok(&[
        "phone", "event", "--event", "answer", "--call-id", "q-1", "--user", "claire.dupont",
        "--at", &at(t0, 5),
    ]);
    assert_eq!(line, "décroché q-1 de numéro masqué : enregistré\n");
    desk.ok(&[
        "phone", "event", "--event", "hangup", "--call-id", "q-1", "--cause", "NORMAL_CLEARING",
        "--at", &at(t0, 65),
    ]);
    let calls = phone_calls(&desk);
    assert_eq!(calls.len(), 1);
    let c = &calls[0];
    assert_eq!(c.from.as_deref(), Some("+33612345678"));
    assert_eq!(c.to.as_deref(), Some("support"));
    assert_eq!(c.answering_number.as_deref(), Some("claire.dupont"));
    assert_eq!(c.cause, Some(HangupCause::NormalClearing));
    assert_eq!(c.handled_seconds(), Some(60));
    // A new call still names the number called.
    let (code, err) = desk.fails(&["phone", "event", "--event", "newCall", "--call-id", "q-2"]);
    assert_eq!(
        (code, err.as_str()),
        (2, "guichet : « --to » manque : le numéro appelé est obligatoire pour un nouvel appel\n")
    );
}
}

on_both_engines! {
fn bad_options_exit_2_with_one_sentence_and_store_nothing(desk) {
    let base = ["phone", "event", "--to", "3001", "--call-id", "c-1"];
    let cases: &[(&[&str], &str)] = &[
        (
            &["--event", "ring"],
            "guichet : événement inconnu « ring » : newCall, answer ou hangup attendu\n",
        ),
        (
            &["--event", "newCall", "--from", "06\u{1b}[2J"],
            "guichet : valeur invalide « 06␛[2J » pour « --from » : caractère de contrôle \
             U+001B\n",
        ),
        (
            &["--event", "newCall", "--direction", "up"],
            "guichet : direction inconnue « up » : in ou out attendu\n",
        ),
        (
            &["--event", "hangup", "--cause", "no\u{7}answer"],
            "guichet : cause de raccrochage invalide « no␇answer » pour « --cause » : 64 \
             caractères au plus, sans caractère de contrôle\n",
        ),
        (
            &["--event", "newCall", "--user", "Zoé\u{1b}[2J"],
            "guichet : nom d'agent invalide « Zoé␛[2J » dans « --user » : caractère de \
             contrôle U+001B\n",
        ),
        (
            &["--event", "answer", "--answering-number", "jean\u{1b}dupont"],
            "guichet : valeur invalide « jean␛dupont » pour « --answering-number » : \
             caractère de contrôle U+001B\n",
        ),
        (
            &["--event", "newCall", "--format", "csv"],
            "guichet : format « csv » non disponible pour cette commande : choisir parmi \
             text, json\n",
        ),
    ];
    for (extra, sentence) in cases {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        let (code, err) = desk.fails(&args);
        assert_eq!((code, err.as_str()), (2, *sentence), "{args:?}");
    }
    let (code, err) = desk.fails(&[
        "phone", "event", "--event", "newCall", "--to", "3001", "--call-id", "a b",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("« a b » pour « --call-id »"), "{err}");
    let (code, err) = desk.fails(&[
        "phone", "event", "--event", "newCall", "--to", "3001", "--call-id", "c", "--at",
        "01/01/1990 10h",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("01/01/1990 10h"), "{err}");
    let (code, err) = desk.fails(&[
        "call", "add", "--service", "mi", "--device", "noemi", "--caller", "B", "--summary",
        "x", "--telephony-id", "a b",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("« a b » pour --telephony-id"), "{err}");
    assert!(phone_calls(&desk).is_empty());
    assert_eq!(desk.count(), 0);
}
}

/// A `guichet phone listen` running as its own process, stopped when dropped.
struct Listener {
    child: Child,
    addr: SocketAddr,
    /// The line it printed when it started.
    started: String,
    stdout: mpsc::Receiver<String>,
    stderr: mpsc::Receiver<String>,
}

impl Listener {
    /// Starts `cmd` (a `phone listen` of a desk) and waits for its first line.
    fn start(mut cmd: Command) -> Listener {
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = line_reader(Box::new(child.stdout.take().unwrap()));
        let stderr = line_reader(Box::new(child.stderr.take().unwrap()));
        let started = match stdout.recv_timeout(Duration::from_secs(20)) {
            Ok(line) => line,
            Err(_) => {
                let _ = child.kill();
                let err: Vec<String> = stderr.try_iter().collect();
                panic!("the listener did not start: {err:?}");
            }
        };
        let addr = started
            .strip_prefix("écoute sur http://")
            .and_then(|rest| rest.split('/').next())
            .unwrap_or_else(|| panic!("{started}"))
            .parse()
            .unwrap();
        Listener {
            child,
            addr,
            started,
            stdout,
            stderr,
        }
    }

    /// Sends one request and returns the status and the JSON answer.
    fn request(&self, head: &str, body: &[u8]) -> (u16, Value) {
        let mut s = TcpStream::connect(self.addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        let mut request = format!(
            "{head}\r\nHost: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            self.addr,
            body.len()
        )
        .into_bytes();
        request.extend_from_slice(body);
        s.write_all(&request).unwrap();
        let mut answer = String::new();
        s.read_to_string(&mut answer).unwrap();
        let status = answer
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("{answer}"));
        let body = answer.split("\r\n\r\n").nth(1).unwrap_or_default();
        (status, serde_json::from_str(body).unwrap_or(Value::Null))
    }

    /// A form POSTed to `path`.
    fn form(&self, path: &str, form: &str) -> (u16, Value) {
        self.request(
            &format!("POST {path} HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded"),
            form.as_bytes(),
        )
    }

    /// The log lines written so far, waiting up to ten seconds for `n` of them (a line is
    /// written before its answer is sent, but read here by another thread).
    fn log(&self, n: usize) -> Vec<String> {
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut lines = Vec::new();
        while lines.len() < n {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.stderr.recv_timeout(left) {
                Ok(line) => lines.push(line),
                Err(_) => break,
            }
        }
        std::thread::sleep(Duration::from_millis(100));
        lines.extend(self.stderr.try_iter());
        lines
    }

    /// Sends `signal` and waits for the process to end; its exit code and last lines.
    fn stop(mut self, signal: i32) -> (Option<i32>, Vec<String>) {
        // SAFETY: a signal to our own child, which has not been waited for yet.
        unsafe {
            libc::kill(self.child.id() as i32, signal);
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                // Every line, up to the end of the pipe.
                let mut out = Vec::new();
                while let Ok(line) = self.stdout.recv_timeout(Duration::from_secs(10)) {
                    out.push(line);
                }
                return (status.code(), out);
            }
            assert!(Instant::now() < deadline, "the listener did not stop");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn listen(desk: &Desk, token: Option<&str>) -> Listener {
    let mut cmd = desk.cmd();
    cmd.args(["phone", "listen", "--bind", "127.0.0.1:0"]);
    if let Some(t) = token {
        cmd.env("GUICHET_PHONE_TOKEN", t);
    }
    Listener::start(cmd)
}

const TOKEN: &str = "s3cret-Tok-71b4e2";

on_both_engines! {
fn the_listener_takes_what_the_telephony_posts(desk) {
    let l = listen(&desk, Some(TOKEN));
    assert!(
        l.started.contains("(jeton exigé : POST /cti/JETON ou en-tête Authorization: Bearer JETON)"),
        "{}",
        l.started
    );
    assert!(l.started.contains(&desk.shown()), "{}", l.started);
    let path = format!("/cti/{TOKEN}");

    // The call rings.
    let (status, answer) = l.form(
        &path,
        "event=newCall&from=06+12+34+56+78&to=3001&direction=in&callId=tel-1\
         &user%5B%5D=Claire&user[]=Luc",
    );
    assert_eq!(
        (status, answer),
        (200, json!({"ok": true, "event": "newCall", "call_id": "tel-1"}))
    );
    // The operator saves it from the console.
    assert_eq!(
        desk.add("Zoé Martin", "mi", "noemi", &["--telephony-id", "tel-1"]),
        "A-0001"
    );
    // Answered: JSON, the token in the header.
    let (status, answer) = l.request(
        &format!(
            "POST /cti HTTP/1.1\r\nContent-Type: application/json\r\n\
             Authorization: Bearer {TOKEN}"
        ),
        br#"{"event":"answer","from":"0612345678","to":"3001","direction":"in",
             "callId":"tel-1","user":"Claire","answeringNumber":"3001"}"#,
    );
    assert_eq!(
        (status, answer),
        (
            200,
            json!({"ok": true, "event": "answer", "call_id": "tel-1", "reference": "A-0001"})
        )
    );
    std::thread::sleep(Duration::from_millis(1100));
    let (status, answer) = l.form(
        &path,
        "event=hangup&from=0612345678&to=3001&direction=in&callId=tel-1&cause=normalClearing",
    );
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["reference"], "A-0001");
    let handled = answer["handled_seconds"].as_i64().unwrap();
    assert!((1..=5).contains(&handled), "{answer}");
    let shown = desk.json(&["call", "show", "A-0001", "--format", "json"]);
    assert_eq!(shown["handled_seconds"], handled);
    assert_eq!(
        journal(&desk, "A-0001").iter().filter(|(k, _)| k == "handled").count(),
        1
    );

    // Sent twice: kept once, said so.
    let (status, answer) = l.form(
        &path,
        "event=hangup&from=0612345678&to=3001&direction=in&callId=tel-1&cause=normalClearing",
    );
    assert_eq!(
        (status, answer),
        (
            200,
            json!({"ok": true, "event": "hangup", "call_id": "tel-1",
                   "reference": "A-0001", "repeated": true})
        )
    );
    assert_eq!(desk.store().phone_events("tel-1").unwrap().len(), 3);

    // Refused: 422 as Zammad answers it, one line naming the value; nothing stored.
    let (status, answer) = l.form(&path, "event=ring&to=3001&direction=in&callId=bad-1");
    assert_eq!(
        (status, answer),
        (
            422,
            json!({"ok": false,
                   "error": "événement inconnu « ring » : newCall, answer ou hangup attendu"})
        )
    );
    let (status, _) = l.request(
        &format!("POST {path} HTTP/1.1\r\nContent-Type: application/json"),
        b"{\"event\":",
    );
    assert_eq!(status, 400);

    // No token, a wrong one, a wrong bearer: 401, nothing stored.
    let event = "event=newCall&from=0600000000&to=3001&direction=in&callId=intruder";
    let (status, answer) = l.form("/cti", event);
    assert_eq!(status, 401);
    assert_eq!(
        answer["error"],
        "jeton absent : POST /cti/JETON ou en-tête « Authorization: Bearer JETON » attendu"
    );
    assert_eq!(l.form(&format!("/cti/{}", TOKEN.to_lowercase()), event).0, 401);
    let (status, answer) = l.request(
        "POST /cti HTTP/1.1\r\nAuthorization: Bearer nope",
        event.as_bytes(),
    );
    assert_eq!((status, answer["error"].as_str()), (401, Some("jeton refusé")));
    assert!(desk.store().phone_events("intruder").unwrap().is_empty());
    assert!(desk.store().phone_events("bad-1").unwrap().is_empty());

    // A withheld number, and an extension no console has: both stored.
    let (status, answer) = l.form(
        &path,
        "event=newCall&from=anonymous&to=3001&direction=in&callId=anon-1",
    );
    assert_eq!((status, answer["ok"].clone()), (200, Value::Bool(true)));
    let (status, _) = l.form(
        &path,
        "event=newCall&from=0231000000&to=9999&direction=in&callId=ext-1",
    );
    assert_eq!(status, 200);

    // Still answering after all of it.
    let (status, _) = l.form(&path, "event=hangup&to=9999&direction=in&callId=ext-1&cause=cancel");
    assert_eq!(status, 200);

    let calls = phone_calls(&desk);
    let ids: Vec<_> = calls.iter().map(|c| c.telephony_id.as_str()).collect();
    assert_eq!(ids, ["tel-1", "anon-1", "ext-1"]);
    assert_eq!(calls[0].users, ["Claire", "Luc"]);
    assert_eq!(calls[0].from.as_deref(), Some("0612345678"));
    assert!(calls[0].answered_at.is_some() && calls[0].hung_up_at.is_some());
    assert_eq!(calls[1].from, None);
    assert_eq!(calls[2].to.as_deref(), Some("9999"));
    assert_eq!(calls[2].cause, Some(HangupCause::Cancel));

    // One log line per exchange, never the token.
    let log = l.log(12);
    assert_eq!(log.len(), 12, "{log:#?}");
    assert!(log.iter().all(|line| line.starts_with("guichet : ")), "{log:#?}");
    assert!(log[0].ends_with(" 200 newCall tel-1 : 06 12 34 56 78"), "{log:#?}");
    assert!(log[4].contains(" 422 événement inconnu « ring »"), "{log:#?}");
    assert!(log[6].contains(" 401 jeton absent"), "{log:#?}");
    assert!(log[8].ends_with(" 401 jeton refusé"), "{log:#?}");
    assert!(log[9].ends_with(" 200 newCall anon-1 : numéro masqué"), "{log:#?}");
    assert!(
        !log.iter().chain([&l.started]).any(|line| line.contains(TOKEN)),
        "{log:#?}"
    );

    let (code, out) = l.stop(libc::SIGTERM);
    assert_eq!(code, Some(0));
    assert_eq!(out.last().map(String::as_str).unwrap_or_default().split(" sur ").next(),
               Some("écoute arrêtée"), "{out:?}");
}
}

#[test]
fn token_and_address_from_the_config_and_the_option_first() {
    let desk = Desk::new();
    let config = desk.path().join("config/guichet");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(
        config.join("config.toml"),
        "[phone]\nbind = \"127.0.0.1:0\"\ntoken = \"from-config-0a1b2c3d4e\"\n",
    )
    .unwrap();
    // A file holding the token is its owner's alone (config_with_a_token_others_can_read…).
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(
        config.join("config.toml"),
        std::fs::Permissions::from_mode(0o600),
    )
    .unwrap();
    let event = "event=newCall&to=3001&direction=in&callId=cfg-1";

    let mut cmd = desk.cmd();
    cmd.args(["phone", "listen"]);
    let l = Listener::start(cmd);
    assert!(l.addr.ip().is_loopback() && l.addr.port() != 0);
    assert!(l.started.contains("jeton exigé"), "{}", l.started);
    assert_eq!(l.form("/cti", event).0, 401);
    assert_eq!(l.form("/cti/from-config-0a1b2c3d4e", event).0, 200);
    assert_eq!(l.stop(libc::SIGINT).0, Some(0));

    // GUICHET_PHONE_TOKEN before the config, --token before both.
    let l = listen(&desk, Some("from-env-0a1b2c3d4e"));
    assert_eq!(l.form("/cti/from-config-0a1b2c3d4e", event).0, 401);
    assert_eq!(
        l.form("/cti/from-env-0a1b2c3d4e", event).1["repeated"],
        true
    );
    drop(l);
    let mut cmd = desk.cmd();
    cmd.args(["phone", "listen", "--token", "from-option-0a1b2c3d4e"])
        .env("GUICHET_PHONE_TOKEN", "from-env-0a1b2c3d4e");
    let l = Listener::start(cmd);
    assert_eq!(l.form("/cti/from-env-0a1b2c3d4e", event).0, 401);
    assert_eq!(l.form("/cti/from-option-0a1b2c3d4e", event).0, 200);
    drop(l);

    // Without any token, /cti is the address.
    std::fs::write(
        config.join("config.toml"),
        "[phone]\nbind = \"127.0.0.1:0\"\n",
    )
    .unwrap();
    let l = listen(&desk, None);
    assert!(
        l.started.contains("(sans jeton : POST /cti)"),
        "{}",
        l.started
    );
    assert_eq!(l.form("/cti", event).0, 200);
    assert_eq!(l.form("/cti/anything", event).0, 404);
    drop(l);

    // A bad address is the input's fault; a taken port the machine's.
    let (code, err) = desk.fails(&["phone", "listen", "--bind", "nowhere"]);
    assert_eq!(code, 2);
    assert!(
        err.starts_with("guichet : adresse d'écoute invalide « nowhere »"),
        "{err}"
    );
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let (code, err) = desk.fails(&["phone", "listen", "--bind", &addr]);
    assert_eq!(code, 1);
    assert!(err.contains("écoute impossible"), "{err}");
    let (code, err) = desk.fails(&["--read-only", "phone", "listen"]);
    assert_eq!(code, 2);
    assert!(err.contains("--read-only"), "{err}");
}

/// The server drops the listener's connection (a restart, a cut link): the event then in
/// flight is refused with a 503 (retry later) saying nothing was done, the listener stays up, and the
/// event sent again once the store has reconnected is stored, once.
#[test]
fn the_listener_outlives_a_lost_server_connection() {
    let desk = Desk::on(Engine::Postgres);
    let l = listen(&desk, None);
    let event =
        |id: &str| format!("event=newCall&from=0612345678&to=3001&direction=in&callId={id}");
    assert_eq!(l.form("/cti", &event("before")).0, 200);

    let mut admin = desk.admin();
    let dropped: i64 = admin
        .query_one(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid()",
            &[],
        )
        .unwrap()
        .get(0);
    assert!(dropped >= 1);

    let (status, answer) = l.form("/cti", &event("during"));
    assert_eq!(status, 503, "{answer}");
    let error = answer["error"].as_str().unwrap();
    assert!(error.starts_with("événement non enregistré : "), "{error}");
    assert!(error.contains("rien n'a été fait"), "{error}");
    assert!(
        error.ends_with("renvoyer l'événement, il ne sera enregistré qu'une fois"),
        "{error}"
    );

    // The telephony (or its retry) sends it again until it is taken.
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let (status, answer) = l.form("/cti", &event("during"));
        if status == 200 {
            assert_eq!(answer.get("repeated"), None, "{answer}");
            break;
        }
        assert_eq!(status, 503, "{answer}");
        assert!(Instant::now() < deadline, "never reconnected: {answer}");
        std::thread::sleep(Duration::from_millis(200));
    }
    assert_eq!(desk.store().phone_events("during").unwrap().len(), 1);
    let ids: Vec<_> = phone_calls(&desk)
        .into_iter()
        .map(|c| c.telephony_id)
        .collect();
    assert_eq!(ids, ["before", "during"]);
    assert_eq!(l.stop(libc::SIGTERM).0, Some(0));
}

#[test]
fn a_config_with_a_token_others_can_read_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let desk = Desk::new();
    let dir = desk.path().join("config/guichet");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("config.toml");
    let mode =
        |m: u32| std::fs::set_permissions(&file, std::fs::Permissions::from_mode(m)).unwrap();
    std::fs::write(&file, "[phone]\ntoken = \"secret-0a1b2c3d4e\"\n").unwrap();
    // As ssh refuses a private key: readable by the group or by all, the token is refused,
    // by every command (the file is read before any), and nothing is written.
    for m in [0o644, 0o640, 0o604, 0o620] {
        mode(m);
        let out = desk.cmd().args(["call", "list"]).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{m:o}: {err}");
        assert!(err.contains(&file.display().to_string()), "{m:o}: {err}");
        assert!(err.contains("contient un jeton"), "{m:o}: {err}");
        assert!(err.contains(&format!("(mode 0{m:o})")), "{m:o}: {err}");
        assert!(err.contains("chmod 600"), "{m:o}: {err}");
        assert!(!err.contains("secret-0a1b2c3d4e"), "{err}");
        assert_eq!(err.trim_end().lines().count(), 1, "one sentence: {err}");
    }
    assert!(!desk.db().exists(), "nothing written");
    mode(0o600);
    desk.ok(&["call", "list"]);
    mode(0o400);
    desk.ok(&["call", "list"]);
    // Without a token, a config others can read is no secret.
    std::fs::write(
        &file,
        "desk = \"Hotline MI\"\n[phone]\nbind = \"127.0.0.1:8015\"\n",
    )
    .unwrap();
    mode(0o644);
    desk.ok(&["call", "list"]);
}
