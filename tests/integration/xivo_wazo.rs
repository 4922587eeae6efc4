//! XiVO and Wazo as the desks have them, against the real `guichet phone listen` on
//! loopback: test doubles that post what each platform posts for a call (XiVO's XUC to
//! its `eventUrl`, a Wazo webhookd subscription), written from the platforms' own
//! documentation and sources, and what the store then holds.
//!
//! - XiVO: the body of documentation.xivo.solutions, `api_sdk/xuc/api/rest.rst`
//!   (« Phone Event Notification »), the phone events of `api_sdk/xuc/api/phone.rst`.
//! - Wazo: the data of wazo-calld's `CallSchema` (`wazo_calld/plugins/calls/schemas.py`),
//!   one event per channel (`notifier.py`), `call_ended` with caller and peer swapped and
//!   `reason_code` (`services.py`, `channel_destroyed_event`), posted by wazo-webhookd
//!   (`wazo_webhookd/services/http/plugin.py`) with docs/telephonie.md's body template, or its
//!   default body, the data alone.

use crate::common::desk;

use chrono::{DateTime, Utc};
use desk::Desk;
use guichet::phone::{Direction, HangupCause, PhoneCall, PhoneState};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Stdio};
use std::time::Duration;

/// At least 16 characters, as the listener asks of a token.
const TOKEN: &str = "xivo-wazo-0123456789abcdef";

/// A `guichet phone listen` of a desk, as its own process on a free loopback port,
/// killed when dropped.
struct Listener {
    child: Child,
    addr: SocketAddr,
}

impl Listener {
    fn start(desk: &Desk) -> Listener {
        let mut child = desk
            .cmd()
            .args(["phone", "listen", "--bind", "127.0.0.1:0"])
            .env("GUICHET_PHONE_TOKEN", TOKEN)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let addr = line
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .and_then(|a| a.parse().ok())
            .unwrap_or_else(|| panic!("the listener did not start: {line:?}"));
        Listener { child, addr }
    }

    /// POSTs `body` to `path` with these headers; the status and the JSON answer.
    fn post(&self, path: &str, headers: &str, body: &[u8]) -> (u16, Value) {
        let mut s = TcpStream::connect(self.addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        let mut request = format!(
            "POST {path} HTTP/1.1\r\nHost: {}\r\n{headers}Content-Length: {}\r\n\
             Connection: close\r\n\r\n",
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
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The phone calls of the store, by telephony id.
fn phone_call(desk: &Desk, id: &str) -> PhoneCall {
    let calls = desk
        .store()
        .phone_calls_since(DateTime::<Utc>::from_timestamp(0, 0).unwrap())
        .unwrap();
    calls
        .into_iter()
        .find(|c| c.telephony_id == id)
        .unwrap_or_else(|| panic!("no phone call {id}"))
}

fn stored_events(desk: &Desk) -> usize {
    desk.store()
        .phone_calls_since(DateTime::<Utc>::from_timestamp(0, 0).unwrap())
        .unwrap()
        .len()
}

/// What XUC posts to its `eventUrl` for the user `username`: the phone event in the
/// message, with the fields of the documentation's examples.
fn xuc(
    username: &str,
    event_type: &str,
    dn: &str,
    other: &str,
    unique: &str,
    linked: &str,
) -> Vec<u8> {
    json!({
        "username": username,
        "message": {
            "msgType": "PhoneEvent",
            "ctiMessage": {
                "eventType": event_type, "DN": dn, "otherDN": other,
                "linkedId": linked, "uniqueId": unique, "queueName": "assistance",
                "userData": {"XIVO_CONTEXT": "from-extern", "XIVO_USERID": "1",
                             "XIVO_SRCNUM": other, "XIVO_DSTNUM": "0231000000"}
            }
        }
    })
    .to_string()
    .into_bytes()
}

/// The content type of XUC's JSON post.
const XUC_JSON: &str = "Content-Type: application/json\r\n";

on_both_engines! {
fn xivo_calls_as_xuc_posts_them(desk) {
    let l = Listener::start(&desk);
    let path = format!("/xivo/{TOKEN}");
    let post = |body: Vec<u8>| l.post(&path, XUC_JSON, &body);

    // A call rings on alice's line 1000, she answers, the operator saves the call, it
    // ends: the guichet call gets its handling time.
    let (status, answer) = post(xuc("alicej", "EventRinging", "1000", "0427466347",
                                    "1469709960.78", "1469709757.74"));
    assert_eq!(
        (status, answer),
        (200, json!({"ok": true, "event": "newCall", "call_id": "1469709960.78"}))
    );
    let ringing = phone_call(&desk, "1469709960.78");
    assert!(ringing.concerns("1000") && ringing.concerns("ALICEJ"), "her line or her login");
    // The token in the header works as well.
    let (status, _) = l.post(
        "/xivo",
        &format!("{XUC_JSON}Authorization: Bearer {TOKEN}\r\n"),
        &xuc("alicej", "EventEstablished", "1000", "0427466347", "1469709960.78",
             "1469709757.74"),
    );
    assert_eq!(status, 200);
    assert_eq!(
        desk.add("Bruce Wail", "mi", "noemi", &["--telephony-id", "1469709960.78"]),
        "A-0001"
    );
    std::thread::sleep(Duration::from_millis(1100));
    let (status, answer) = post(xuc("alicej", "EventReleased", "1000", "0427466347",
                                    "1469709960.78", "1469709757.74"));
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["reference"], "A-0001");
    let c = phone_call(&desk, "1469709960.78");
    assert_eq!(c.state(), PhoneState::Ended);
    assert_eq!(c.from.as_deref(), Some("0427466347"));
    assert_eq!(c.to.as_deref(), Some("1000"));
    assert_eq!(c.users, ["1000", "alicej"]);
    assert_eq!(c.answering_number.as_deref(), Some("1000"));
    assert!(c.concerns("1000"));
    let handled = c.handled_seconds().unwrap();
    assert!(handled >= 1, "{c:?}");
    assert_eq!(answer["handled_seconds"], handled);
    assert_eq!(
        desk.json(&["call", "show", "A-0001", "--format", "json"])["handled_seconds"],
        handled
    );

    // A missed call: it rings, the caller gives up.
    post(xuc("alicej", "EventRinging", "1000", "0612345678", "m.2", "m.1"));
    post(xuc("alicej", "EventReleased", "1000", "0612345678", "m.2", "m.1"));
    let c = phone_call(&desk, "m.2");
    assert_eq!((c.state(), c.answered_at, c.answering_number), (PhoneState::Ended, None, None));
    assert_eq!(c.from.as_deref(), Some("0612345678"));

    // A withheld number: Asterisk's literal, and nothing at all.
    post(xuc("alicej", "EventRinging", "1000", "anonymous", "w.2", "w.1"));
    assert_eq!(phone_call(&desk, "w.2").from, None);
    post(xuc("alicej", "EventRinging", "1000", "", "w.4", "w.3"));
    assert_eq!(phone_call(&desk, "w.4").from, None);

    // Two calls interleaved: the queue rings X on alice (1000) and bob (1001), then Y
    // rings bob; bob answers X, alice's part of X is released, Y's caller gives up, bob
    // hangs up X.
    let x = "x.0";
    post(xuc("alicej", "EventRinging", "1000", "0611111111", "x.1000", x));
    post(xuc("bobm", "EventRinging", "1001", "0611111111", "x.1001", x));
    post(xuc("bobm", "EventRinging", "1001", "0622222222", "y.1001", "y.0"));
    post(xuc("bobm", "EventEstablished", "1001", "0611111111", "x.1001", x));
    post(xuc("alicej", "EventReleased", "1000", "0611111111", "x.1000", x));
    let (alice_x, bob_x, bob_y) = (
        phone_call(&desk, "x.1000"),
        phone_call(&desk, "x.1001"),
        phone_call(&desk, "y.1001"),
    );
    assert_eq!(alice_x.state(), PhoneState::Ended, "alice's ring ends, unanswered");
    assert_eq!(alice_x.answering_number, None);
    assert_eq!(bob_x.state(), PhoneState::Answered, "bob's call goes on");
    assert_eq!(bob_x.answering_number.as_deref(), Some("1001"));
    assert!(bob_x.concerns("1001") && !bob_x.concerns("1000"));
    assert_eq!(bob_y.state(), PhoneState::Ringing);
    assert_eq!(bob_y.from.as_deref(), Some("0622222222"));
    post(xuc("bobm", "EventReleased", "1001", "0622222222", "y.1001", "y.0"));
    post(xuc("bobm", "EventReleased", "1001", "0611111111", "x.1001", x));
    assert_eq!(phone_call(&desk, "y.1001").answered_at, None);
    let bob_x = phone_call(&desk, "x.1001");
    assert_eq!(bob_x.state(), PhoneState::Ended);
    assert!(bob_x.handled_seconds().is_some());

    // A line calling out.
    post(xuc("alicej", "EventDialing", "1000", "3000", "o.1", "o.1"));
    let c = phone_call(&desk, "o.1");
    assert_eq!((c.direction, c.from.as_deref(), c.to.as_deref()), (Direction::Out, Some("1000"), Some("3000")));

    // Another event of XUC: taken and ignored, nothing stored.
    let before = stored_events(&desk);
    for event_type in ["EventOnHold", "EventFailure"] {
        assert_eq!(
            post(xuc("alicej", event_type, "1000", "0427466347", "h.2", "h.1")),
            (200, json!({"ok": true, "ignored": true}))
        );
    }
    assert_eq!(stored_events(&desk), before);

    // Malformed: a 400 naming the field; no token: a 401.
    assert_eq!(
        post(br#"{"username":"alicej","message":{"msgType":"PhoneEvent","ctiMessage":{"eventType":"EventRinging","DN":"1000"}}}"#.to_vec()),
        (400, json!({"ok": false,
                     "error": "« uniqueId » manque : l'identifiant de l'appel est obligatoire"}))
    );
    let (status, _) = l.post("/xivo", XUC_JSON,
                             &xuc("alicej", "EventRinging", "1000", "06", "t.2", "t.1"));
    assert_eq!(status, 401);
    assert_eq!(stored_events(&desk), before);
}
}

/// A user's channel as calld's `CallSchema` dumps it: `user` (with `user_uuid`) rung at
/// `line` by `caller`, who dialled `dialed`.
fn channel(
    id: &str,
    conversation: &str,
    user: Option<&str>,
    line: &str,
    caller: &str,
    dialed: &str,
) -> Value {
    json!({
        "bridges": [], "call_id": id, "conversation_id": conversation,
        "caller_id_name": "", "caller_id_number": line,
        "peer_caller_id_name": "", "peer_caller_id_number": caller,
        "creation_time": "2026-12-01T10:00:00.120+01:00", "status": "Down",
        "on_hold": false, "muted": false, "record_state": "inactive", "talking_to": {},
        "user_uuid": user, "is_caller": false, "is_video": false,
        "dialed_extension": dialed, "sip_call_id": format!("sip-{id}"), "line_id": 3,
        "answer_time": null, "hangup_time": null, "direction": "inbound", "parked": false
    })
}

/// The channel once up, as `call_answered` gives it.
fn up(mut data: Value) -> Value {
    data["status"] = "Up".into();
    data["answer_time"] = "2026-12-01T10:00:06.000+01:00".into();
    data
}

/// The channel destroyed, as `call_ended` gives it: caller and peer swapped, the cause.
fn down(mut data: Value, reason_code: i64) -> Value {
    let caller = data["caller_id_number"].clone();
    data["caller_id_number"] = data["peer_caller_id_number"].clone();
    data["peer_caller_id_number"] = caller;
    data["hangup_time"] = "2026-12-01T10:04:11.000+01:00".into();
    data["reason_code"] = reason_code.into();
    data
}

/// What webhookd posts with docs/telephonie.md's body template,
/// `{"name": "{{ event_name }}", "data": {{ event|tojson }}}`.
fn webhook(name: &str, data: &Value) -> Vec<u8> {
    json!({"name": name, "data": data}).to_string().into_bytes()
}

/// The subscription docs/telephonie.md gives is the one [`webhook`] stands for.
#[test]
fn the_readme_subscription_is_the_one_posted_here() {
    let readme = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/telephonie.md"));
    let block = readme
        .split("\n## Wazo\n")
        .nth(1)
        .and_then(|s| s.split("```json").nth(1))
        .and_then(|s| s.split("```").next())
        .expect("docs/telephonie.md's « Wazo » subscription");
    let subscription: Value = serde_json::from_str(block).unwrap();
    assert_eq!(subscription["service"], "http");
    assert_eq!(
        subscription["events"],
        json!(["call_created", "call_answered", "call_ended"])
    );
    let config = &subscription["config"];
    assert!(
        config["url"].as_str().unwrap().ends_with("/wazo/JETON"),
        "{config}"
    );
    assert_eq!(config["method"], "post");
    assert_eq!(config["content_type"], "application/json");
    assert_eq!(
        config["body"],
        r#"{"name": "{{ event_name }}", "data": {{ event|tojson }}}"#
    );
}

/// The content type webhookd sends: the subscription's, with its charset.
const WEBHOOKD_JSON: &str = "Content-Type: application/json; charset=utf-8\r\n";

const CLAIRE: &str = "0e4c1d2a-5b3c-4a7e-9d61-3b2f0c9a7e01";
const LUC: &str = "0e4c1d2a-5b3c-4a7e-9d61-3b2f0c9a7e02";

on_both_engines! {
fn wazo_calls_as_webhookd_posts_them(desk) {
    let l = Listener::start(&desk);
    let path = format!("/wazo/{TOKEN}");
    let post = |name: &str, data: &Value| l.post(&path, WEBHOOKD_JSON, &webhook(name, data));

    // An outside caller reaches the desk's number; the trunk's channel and claire's.
    let trunk = {
        let mut t = channel("c.40", "c.40", None, "0612345678", "0231000000", "0231000000");
        t["is_caller"] = true.into();
        t
    };
    let claire = channel("c.41", "c.40", Some(CLAIRE), "3001", "0612345678", "0231000000");
    assert_eq!(post("call_created", &trunk), (200, json!({"ok": true, "ignored": true})));
    assert_eq!(
        post("call_created", &claire),
        (200, json!({"ok": true, "event": "newCall", "call_id": "c.41"}))
    );
    let (status, _) = l.post(
        "/wazo",
        &format!("{WEBHOOKD_JSON}Authorization: Bearer {TOKEN}\r\n"),
        &webhook("call_answered", &up(claire.clone())),
    );
    assert_eq!(status, 200);
    post("call_answered", &up(trunk.clone()));
    assert_eq!(
        desk.add("Zoé Martin", "mi", "noemi", &["--telephony-id", "c.41"]),
        "A-0001"
    );
    std::thread::sleep(Duration::from_millis(1100));
    let (status, answer) = post("call_ended", &down(up(claire.clone()), 16));
    assert_eq!(status, 200, "{answer}");
    post("call_ended", &down(up(trunk), 16));
    let c = phone_call(&desk, "c.41");
    assert_eq!(c.state(), PhoneState::Ended);
    assert_eq!(c.from.as_deref(), Some("0612345678"));
    assert_eq!(c.to.as_deref(), Some("3001"));
    assert_eq!(c.users, ["3001", CLAIRE]);
    assert_eq!(c.answering_number.as_deref(), Some("3001"));
    assert_eq!(c.cause, Some(HangupCause::NormalClearing));
    assert!(c.concerns("3001"));
    let handled = c.handled_seconds().unwrap();
    assert!(handled >= 1, "{c:?}");
    assert_eq!(answer["handled_seconds"], handled);
    assert_eq!(answer["reference"], "A-0001");
    assert_eq!(stored_events(&desk), 1, "the trunk's channel is no call of the desk");

    // A missed call, posted with webhookd's default body (the data alone): the caller
    // gives up while claire's phone rings.
    let bare = |data: &Value| l.post(&path, WEBHOOKD_JSON, data.to_string().as_bytes());
    let missed = channel("m.41", "m.40", Some(CLAIRE), "3001", "0699999999", "0231000000");
    assert_eq!(bare(&missed).0, 200);
    assert_eq!(bare(&down(missed, 16)).0, 200);
    let c = phone_call(&desk, "m.41");
    assert_eq!((c.state(), c.answered_at), (PhoneState::Ended, None));
    assert_eq!(c.from.as_deref(), Some("0699999999"));

    // A withheld number: calld dumps the empty peer number as the dialled extension.
    post("call_created", &channel("w.41", "w.40", Some(CLAIRE), "3001", "0231000000",
                                  "0231000000"));
    assert_eq!(phone_call(&desk, "w.41").from, None);

    // Two calls interleaved: a group call (3000) rings claire and luc, then a direct
    // call rings luc; claire answers the group call, luc's leg of it is cleared (26,
    // answered elsewhere), luc answers his direct call; both end.
    let g_claire = channel("g.41", "g.40", Some(CLAIRE), "3001", "0611111111", "3000");
    let g_luc = channel("g.42", "g.40", Some(LUC), "3002", "0611111111", "3000");
    let d_luc = channel("d.51", "d.50", Some(LUC), "3002", "0622222222", "3002");
    post("call_created", &g_claire);
    post("call_created", &g_luc);
    post("call_created", &d_luc);
    post("call_answered", &up(g_claire.clone()));
    post("call_ended", &down(g_luc, 26));
    post("call_answered", &up(d_luc.clone()));
    let (gc, gl, dl) = (
        phone_call(&desk, "g.41"),
        phone_call(&desk, "g.42"),
        phone_call(&desk, "d.51"),
    );
    assert_eq!((gc.state(), gc.answering_number.as_deref()), (PhoneState::Answered, Some("3001")));
    assert!(gc.concerns("3001") && !gc.concerns("3002"));
    assert_eq!((gl.state(), gl.answered_at, gl.cause), (PhoneState::Ended, None,
                                                        Some(HangupCause::Forwarded)));
    assert_eq!((dl.state(), dl.from.as_deref()), (PhoneState::Answered, Some("0622222222")));
    assert!(dl.concerns("3002"));
    post("call_ended", &down(up(d_luc), 16));
    post("call_ended", &down(up(g_claire), 16));
    assert_eq!(phone_call(&desk, "g.41").state(), PhoneState::Ended);
    assert_eq!(phone_call(&desk, "d.51").state(), PhoneState::Ended);

    // Another event: taken and ignored; malformed: a 400 naming the field.
    let before = stored_events(&desk);
    assert_eq!(
        post("call_updated", &channel("u.1", "u.0", Some(CLAIRE), "3001", "06", "3001")),
        (200, json!({"ok": true, "ignored": true}))
    );
    let mut no_id = channel("", "n.0", Some(CLAIRE), "3001", "06", "3001");
    no_id.as_object_mut().unwrap().remove("call_id");
    assert_eq!(
        post("call_created", &no_id),
        (400, json!({"ok": false,
                     "error": "« call_id » manque : l'identifiant de l'appel est obligatoire"}))
    );
    assert_eq!(stored_events(&desk), before);
}
}
