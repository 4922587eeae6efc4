//! Zammad's own request tests for its generic CTI controller, ported: every request that
//! `spec/requests/integration/cti_spec.rb` (zammad/zammad) posts to `/api/v1/cti/TOKEN`,
//! encoded as Rails' request tests send it (a form built by Rack's `build_nested_query`,
//! `user` as `user[]` when it is an array; one request `as: :json`), with `call_id` as the
//! spec spells it, in the spec's order and with its `travel`s. For each, what guichet must
//! record: the call's state, numbers, agents, who answered, the cause, and the waiting and
//! talking times the spec asserts (`duration_waiting_time`, `duration_talking_time`).
//!
//! Run twice: through `read_event` and the real store (`guichet::store::Store`, both
//! engines) on a clock that travels as the spec's does, and through the real
//! `guichet phone listen` on loopback at `/cti/TOKEN`, where every request must get the
//! spec's status.
//!
//! Where guichet records otherwise than Zammad, on purpose (and said at the step): no
//! outbound caller-id rewriting (`default_caller_id`, `routing_table`: Zammad answers
//! `action: dial` and stores the rewritten `from`; guichet keeps the `from` sent), no
//! blocking list (Zammad answers `action: reject`), no « not configured » state (a listener
//! has nothing to configure), `anonymous` is a withheld number (no `from`), and `queue` is
//! not kept (Zammad's caller-log filter). The spec's `GET /api/v1/cti/log` and `done`
//! requests are Zammad's own user interface, not the telephony's: not ported.

use crate::common::cti;
use crate::common::desk;

use chrono::{DateTime, Duration, TimeZone, Utc};
use cti::{CtiListener, phone_call, phone_calls, www_form};
use desk::Desk;
use guichet::phone::{Direction, HangupCause, PhoneCall, PhoneState, read_event};
use guichet::store::Store;
use serde_json::{Map, Value};

/// A request parameter as the spec writes it.
#[derive(Clone, Copy)]
enum P {
    S(&'static str),
    A(&'static [&'static str]),
}

use P::{A, S};

/// One `post "/api/v1/cti/#{token}", params: {…}` of the spec.
struct Step {
    /// The `travel N.seconds` before it.
    travel: i64,
    params: Vec<(&'static str, P)>,
    /// `as: :json`.
    json: bool,
    /// What the call holds once the request is taken.
    expect: Expect,
}

/// The state of one call after a step: the spec's `log.…` expectations in guichet's terms.
#[derive(Clone)]
struct Expect {
    call_id: &'static str,
    state: PhoneState,
    direction: Direction,
    from: Option<&'static str>,
    to: Option<&'static str>,
    /// Zammad's `to_comment` (in) or `from_comment` (out) when it is the `user` sent.
    users: &'static [&'static str],
    answering_number: Option<&'static str>,
    cause: Option<HangupCause>,
    /// `duration_waiting_time`: from the ring to the answer, or to the hangup when nobody
    /// answered.
    waiting: Option<i64>,
    /// `duration_talking_time`: from the answer to the hangup.
    talking: Option<i64>,
}

fn rings(
    call_id: &'static str,
    direction: Direction,
    from: Option<&'static str>,
    to: &'static str,
    users: &'static [&'static str],
) -> Expect {
    Expect {
        call_id,
        state: PhoneState::Ringing,
        direction,
        from,
        to: Some(to),
        users,
        answering_number: None,
        cause: None,
        waiting: None,
        talking: None,
    }
}

fn step(travel: i64, params: Vec<(&'static str, P)>, expect: Expect) -> Step {
    Step {
        travel,
        params,
        json: false,
        expect,
    }
}

impl Step {
    /// The body and its content type, as Rails' request tests send them.
    fn request(&self) -> (&'static str, String) {
        if self.json {
            let mut map = Map::new();
            for (k, v) in &self.params {
                let v = match v {
                    S(s) => Value::from(*s),
                    A(a) => Value::from(a.to_vec()),
                };
                map.insert(k.to_string(), v);
            }
            return ("application/json", Value::Object(map).to_string());
        }
        let mut pairs = Vec::new();
        for (k, v) in &self.params {
            match v {
                S(s) => pairs.push(format!("{}={}", www_form(k), www_form(s))),
                A(a) => {
                    for s in *a {
                        pairs.push(format!("{}={}", www_form(&format!("{k}[]")), www_form(s)));
                    }
                }
            }
        }
        ("application/x-www-form-urlencoded", pairs.join("&"))
    }
}

/// Checks the call of `e` against the store; durations only when the clock is the test's.
fn check(calls: &[PhoneCall], e: &Expect, durations: bool, label: &str) {
    let c = calls
        .iter()
        .find(|c| c.telephony_id == e.call_id)
        .unwrap_or_else(|| panic!("{label}: no call {}", e.call_id));
    assert_eq!(c.state(), e.state, "{label}: {c:?}");
    assert_eq!(c.direction, e.direction, "{label}");
    assert_eq!(c.from.as_deref(), e.from, "{label}");
    assert_eq!(c.to.as_deref(), e.to, "{label}");
    assert_eq!(c.users, e.users, "{label}");
    assert_eq!(c.answering_number.as_deref(), e.answering_number, "{label}");
    assert_eq!(c.cause, e.cause, "{label}");
    assert_eq!(
        c.answered_at.is_some(),
        matches!(e.state, PhoneState::Answered) || e.talking.is_some(),
        "{label}: answered"
    );
    assert_eq!(
        c.hung_up_at.is_some(),
        e.state == PhoneState::Ended,
        "{label}: hung up"
    );
    if durations {
        let waited = c
            .answered_at
            .or(c.hung_up_at)
            .map(|t| (t - c.rang_at).num_seconds());
        assert_eq!(waited, e.waiting, "{label}: waiting time");
        assert_eq!(c.handled_seconds(), e.talking, "{label}: talking time");
    }
}

/// Each request through `read_event` into the store, on a clock that travels as the
/// spec's; the call checked after each.
fn through_the_store(store: &mut Store, steps: &[Step]) {
    let mut clock: DateTime<Utc> = Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap();
    for (i, s) in steps.iter().enumerate() {
        clock += Duration::seconds(s.travel);
        let (ct, body) = s.request();
        let label = format!("step {} {body}", i + 1);
        let event = read_event(Some(ct), body.as_bytes())
            .unwrap_or_else(|r| panic!("{label}: refused ({}) {}", r.status(), r.message));
        store.record_phone_event(&event, clock).unwrap();
        let calls = store.phone_calls_since(clock - Duration::hours(1)).unwrap();
        check(&calls, &s.expect, true, &label);
    }
}

/// Each request to the real listener, as the spec posts it: a 200 and the call checked
/// after each.
fn through_the_listener(steps: &[Step]) -> Desk {
    let desk = Desk::new();
    let l = CtiListener::start(&desk);
    for (i, s) in steps.iter().enumerate() {
        let (ct, body) = s.request();
        let label = format!("step {} {body}", i + 1);
        let r = l.post(&[&format!("Content-Type: {ct}")], body.as_bytes());
        assert_eq!(r.status, 200, "{label}: {r:?}");
        assert_eq!(r.body["ok"], true, "{label}: {r:?}");
        check(&phone_calls(&desk), &s.expect, false, &label);
    }
    desk
}

const IN: Direction = Direction::In;
const OUT: Direction = Direction::Out;

/// `it 'does basic call'`.
fn basic_call() -> Vec<Step> {
    vec![
        // inbound - I
        step(
            0,
            vec![
                ("event", S("newCall")),
                ("direction", S("in")),
                ("from", S("4912347114711")),
                ("to", S("4930600000000")),
                ("call_id", S("4991155921769858278-1")),
                ("user", A(&["user+1", "user+2"])),
            ],
            rings(
                "4991155921769858278-1",
                IN,
                Some("4912347114711"),
                "4930600000000",
                &["user+1", "user+2"],
            ),
        ),
        // inbound - II - block caller: Zammad answers `reject`; guichet has no blocking
        // list, the call rings and is recorded.
        step(
            0,
            vec![
                ("event", S("newCall")),
                ("direction", S("in")),
                ("from", S("491715000000")),
                ("to", S("4930600000000")),
                ("call_id", S("4991155921769858278-2")),
                ("user", A(&["user+1", "user+2"])),
            ],
            rings(
                "4991155921769858278-2",
                IN,
                Some("491715000000"),
                "4930600000000",
                &["user+1", "user+2"],
            ),
        ),
        // outbound - I - set default_caller_id: Zammad answers `action: dial`; guichet
        // does not rewrite caller ids and keeps the `from` sent.
        step(
            0,
            vec![
                ("event", S("newCall")),
                ("direction", S("out")),
                ("from", S("4930600000000")),
                ("to", S("4912347114711")),
                ("call_id", S("8621106404543334274-3")),
                ("user", S("user 1")),
            ],
            rings(
                "8621106404543334274-3",
                OUT,
                Some("4930600000000"),
                "4912347114711",
                &["user 1"],
            ),
        ),
        // outbound - II - set caller_id based on routing_table by explicite number
        step(
            0,
            vec![
                ("event", S("newCall")),
                ("direction", S("out")),
                ("from", S("4930600000000")),
                ("to", S("491714000000")),
                ("call_id", S("8621106404543334274-4")),
                ("user", S("user 1")),
            ],
            rings(
                "8621106404543334274-4",
                OUT,
                Some("4930600000000"),
                "491714000000",
                &["user 1"],
            ),
        ),
        // outbound - III - set caller_id based on routing_table by 41*
        step(
            0,
            vec![
                ("event", S("newCall")),
                ("direction", S("out")),
                ("from", S("4930600000000")),
                ("to", S("4147110000000")),
                ("call_id", S("8621106404543334274-5")),
                ("user", S("user 1")),
            ],
            rings(
                "8621106404543334274-5",
                OUT,
                Some("4930600000000"),
                "4147110000000",
                &["user 1"],
            ),
        ),
        // no config: Zammad's 422 « Feature not configured »; a listener has nothing to
        // configure.
        step(
            0,
            vec![
                ("event", S("newCall")),
                ("direction", S("in")),
                ("from", S("4912347114711")),
                ("to", S("4930600000000")),
                ("call_id", S("4991155921769858278-6")),
                ("user", A(&["user+1", "user+2"])),
            ],
            rings(
                "4991155921769858278-6",
                IN,
                Some("4912347114711"),
                "4930600000000",
                &["user+1", "user+2"],
            ),
        ),
    ]
}

/// `it 'does log call'`.
fn log_call() -> Vec<Step> {
    let out1 = rings(
        "1234567890-1",
        OUT,
        // Zammad stores its default caller id '4930777000000' here.
        Some("4930600000000"),
        "4912347114711",
        &["user 1"],
    );
    let out2 = Expect {
        call_id: "1234567890-2",
        ..out1.clone()
    };
    let in3 = rings(
        "1234567890-3",
        IN,
        Some("4912347114711"),
        "4930600000000",
        &["user 1"],
    );
    let in4 = Expect {
        call_id: "1234567890-4",
        users: &["user 1", "user 2"],
        ..in3.clone()
    };
    let in5 = Expect {
        call_id: "1234567890-5",
        // One string with a comma is one `user`, kept as Zammad's to_comment keeps it.
        users: &["user 1,user 2"],
        ..in3.clone()
    };
    vec![
        // outbound - I - new call
        step(
            0,
            vec![
                ("event", S("newCall")),
                ("direction", S("out")),
                ("from", S("4930600000000")),
                ("to", S("4912347114711")),
                ("call_id", S("1234567890-1")),
                ("user", S("user 1")),
            ],
            out1.clone(),
        ),
        // outbound - I - hangup by agent: no from, no to.
        step(
            2,
            vec![
                ("event", S("hangup")),
                ("direction", S("out")),
                ("call_id", S("1234567890-1")),
                ("cause", S("cancel")),
            ],
            Expect {
                state: PhoneState::Ended,
                cause: Some(HangupCause::Cancel),
                waiting: Some(2),
                ..out1
            },
        ),
        // outbound - II - new call
        step(
            0,
            vec![
                ("event", S("newCall")),
                ("direction", S("out")),
                ("from", S("4930600000000")),
                ("to", S("4912347114711")),
                ("call_id", S("1234567890-2")),
                ("user", A(&["user 1"])),
            ],
            out2.clone(),
        ),
        // outbound - II - answer by customer
        step(
            2,
            vec![
                ("event", S("answer")),
                ("direction", S("out")),
                ("call_id", S("1234567890-2")),
                ("from", S("4930600000000")),
                ("to", S("4912347114711")),
            ],
            Expect {
                state: PhoneState::Answered,
                waiting: Some(2),
                ..out2.clone()
            },
        ),
        // outbound - II - hangup by customer
        step(
            2,
            vec![
                ("event", S("hangup")),
                ("direction", S("out")),
                ("call_id", S("1234567890-2")),
                ("cause", S("normalClearing")),
                ("from", S("4930600000000")),
                ("to", S("4912347114711")),
            ],
            Expect {
                state: PhoneState::Ended,
                cause: Some(HangupCause::NormalClearing),
                waiting: Some(2),
                talking: Some(2),
                ..out2
            },
        ),
        // inbound - I - new call
        step(
            1,
            vec![
                ("event", S("newCall")),
                ("direction", S("in")),
                ("to", S("4930600000000")),
                ("from", S("4912347114711")),
                ("call_id", S("1234567890-3")),
                ("user", S("user 1")),
            ],
            in3.clone(),
        ),
        // inbound - I - answer by customer: no user, nobody named.
        step(
            1,
            vec![
                ("event", S("answer")),
                ("direction", S("in")),
                ("call_id", S("1234567890-3")),
                ("to", S("4930600000000")),
                ("from", S("4912347114711")),
            ],
            Expect {
                state: PhoneState::Answered,
                waiting: Some(1),
                ..in3.clone()
            },
        ),
        // inbound - I - hangup by customer
        step(
            1,
            vec![
                ("event", S("hangup")),
                ("direction", S("in")),
                ("call_id", S("1234567890-3")),
                ("cause", S("normalClearing")),
                ("to", S("4930600000000")),
                ("from", S("4912347114711")),
            ],
            Expect {
                state: PhoneState::Ended,
                cause: Some(HangupCause::NormalClearing),
                waiting: Some(1),
                talking: Some(1),
                ..in3.clone()
            },
        ),
        // inbound - I - answer for hangup by customer (as: :json): a 200, nothing changes.
        Step {
            travel: 1,
            params: vec![
                ("event", S("answer")),
                ("direction", S("in")),
                ("call_id", S("1234567890-3")),
                ("to", S("4930600000000")),
                ("from", S("4912347114711")),
            ],
            json: true,
            expect: Expect {
                state: PhoneState::Ended,
                cause: Some(HangupCause::NormalClearing),
                waiting: Some(1),
                talking: Some(1),
                ..in3
            },
        },
        // inbound - II - new call
        step(
            1,
            vec![
                ("event", S("newCall")),
                ("direction", S("in")),
                ("to", S("4930600000000")),
                ("from", S("4912347114711")),
                ("call_id", S("1234567890-4")),
                ("user", A(&["user 1", "user 2"])),
            ],
            in4.clone(),
        ),
        // inbound - II - answer by voicemail: the `user` is who picked up.
        step(
            1,
            vec![
                ("event", S("answer")),
                ("direction", S("in")),
                ("call_id", S("1234567890-4")),
                ("to", S("4930600000000")),
                ("from", S("4912347114711")),
                ("user", S("voicemail")),
            ],
            Expect {
                state: PhoneState::Answered,
                answering_number: Some("voicemail"),
                waiting: Some(1),
                ..in4.clone()
            },
        ),
        // inbound - II - hangup by customer
        step(
            1,
            vec![
                ("event", S("hangup")),
                ("direction", S("in")),
                ("call_id", S("1234567890-4")),
                ("cause", S("normalClearing")),
                ("to", S("4930600000000")),
                ("from", S("4912347114711")),
            ],
            Expect {
                state: PhoneState::Ended,
                answering_number: Some("voicemail"),
                cause: Some(HangupCause::NormalClearing),
                waiting: Some(1),
                talking: Some(1),
                ..in4
            },
        ),
        // inbound - III - new call
        step(
            1,
            vec![
                ("event", S("newCall")),
                ("direction", S("in")),
                ("to", S("4930600000000")),
                ("from", S("4912347114711")),
                ("call_id", S("1234567890-5")),
                ("user", S("user 1,user 2")),
            ],
            in5.clone(),
        ),
        // inbound - III - hangup by customer: never answered, a missed call (Zammad's
        // `done: false`).
        step(
            1,
            vec![
                ("event", S("hangup")),
                ("direction", S("in")),
                ("call_id", S("1234567890-5")),
                ("cause", S("normalClearing")),
                ("to", S("4930600000000")),
                ("from", S("4912347114711")),
            ],
            Expect {
                state: PhoneState::Ended,
                cause: Some(HangupCause::NormalClearing),
                waiting: Some(1),
                ..in5
            },
        ),
        // inbound - IV - new call
        step(
            1,
            vec![
                ("event", S("newCall")),
                ("direction", S("in")),
                ("to", S("4930600000000")),
                ("from", S("49999992222222")),
                ("call_id", S("1234567890-6")),
                ("user", S("user 1,user 2")),
            ],
            rings(
                "1234567890-6",
                IN,
                Some("49999992222222"),
                "4930600000000",
                &["user 1,user 2"],
            ),
        ),
        // inbound - IV - new call, from anonymous, with a queue.
        step(
            1,
            vec![
                ("event", S("newCall")),
                ("direction", S("in")),
                ("to", S("4930600000000")),
                ("from", S("anonymous")),
                ("call_id", S("1234567890-7")),
                ("user", S("user 1,user 2")),
                ("queue", S("some_queue_name")),
            ],
            rings(
                "1234567890-7",
                IN,
                None,
                "4930600000000",
                &["user 1,user 2"],
            ),
        ),
    ]
}

/// `it 'does log call with notify group with two a log entry'` and `… without a log
/// entry`: the same three requests (the notify map filters Zammad's caller log, a view).
fn notify_group() -> Vec<Step> {
    let out = |id| rings(id, OUT, Some("4930600000000"), "4912347114711", &["user 1"]);
    vec![
        step(
            0,
            vec![
                ("event", S("newCall")),
                ("direction", S("out")),
                ("from", S("4930600000000")),
                ("to", S("4912347114711")),
                ("call_id", S("1234567890-1")),
                ("user", S("user 1")),
            ],
            out("1234567890-1"),
        ),
        step(
            0,
            vec![
                ("event", S("newCall")),
                ("direction", S("out")),
                ("from", S("4930600000000")),
                ("to", S("4912347114711")),
                ("call_id", S("1234567890-2")),
                ("user", S("user 1")),
            ],
            out("1234567890-2"),
        ),
        step(
            0,
            vec![
                ("event", S("newCall")),
                ("direction", S("in")),
                ("to", S("4930600000000")),
                ("from", S("4912347114711")),
                ("call_id", S("1234567890-5")),
                ("user", S("user 1,user 2")),
            ],
            rings(
                "1234567890-5",
                IN,
                Some("4912347114711"),
                "4930600000000",
                &["user 1,user 2"],
            ),
        ),
    ]
}

/// `it 'does queue param tests'`.
fn queue_param() -> Vec<Step> {
    vec![
        // inbound - queue & user
        step(
            0,
            vec![
                ("event", S("newCall")),
                ("direction", S("in")),
                ("to", S("4930600000000")),
                ("from", S("anonymous")),
                ("call_id", S("1234567890-1")),
                ("user", S("user 1,user 2")),
                ("queue", S("some_queue_name")),
            ],
            rings(
                "1234567890-1",
                IN,
                None,
                "4930600000000",
                &["user 1,user 2"],
            ),
        ),
        // inbound - queue & no user: an empty `user` names nobody.
        step(
            0,
            vec![
                ("event", S("newCall")),
                ("direction", S("in")),
                ("to", S("4930600000000")),
                ("from", S("anonymous")),
                ("call_id", S("1234567890-2")),
                ("user", S("")),
                ("queue", S("some_queue_name")),
            ],
            rings("1234567890-2", IN, None, "4930600000000", &[]),
        ),
    ]
}

fn blocks() -> [(&'static str, Vec<Step>); 5] {
    [
        ("does basic call", basic_call()),
        ("does log call", log_call()),
        (
            "does log call with notify group with two a log entry",
            notify_group(),
        ),
        (
            "does log call with notify group without a log entry",
            notify_group(),
        ),
        ("does queue param tests", queue_param()),
    ]
}

on_both_engines! {
fn every_request_of_the_spec_is_recorded_as_zammad_records_it(engine: Engine) {
    for (name, steps) in blocks() {
        // Each `it` starts on an empty log (`Cti::Log.destroy_all`).
        let desk = Desk::on(engine);
        let mut store = desk.store();
        through_the_store(&mut store, &steps);
        let ids: Vec<String> = phone_calls(&desk).into_iter().map(|c| c.telephony_id).collect();
        let mut sent: Vec<&str> = steps.iter().map(|s| s.expect.call_id).collect();
        sent.dedup();
        assert_eq!(ids, sent, "{name}: one call per call id, in the order they rang");
    }
}
}

#[test]
fn every_request_of_the_spec_gets_a_200_from_the_listener() {
    let mut requests = 0;
    for (name, steps) in blocks() {
        let desk = through_the_listener(&steps);
        requests += steps.len();
        // « does log call »: seven calls, as Zammad's caller log lists them.
        if name == "does log call" {
            assert_eq!(phone_calls(&desk).len(), 7);
            let missed = phone_call(&desk, "1234567890-5");
            assert_eq!(missed.answered_at, None, "a missed call");
        }
    }
    assert_eq!(requests, 30);
}

/// `it 'does token check'`: a 401, and nothing recorded.
#[test]
fn a_wrong_token_is_a_401_and_records_nothing() {
    let desk = Desk::new();
    let l = CtiListener::start(&desk);
    let body = "event=newCall&direction=in&from=4912347114711&to=4930600000000\
                &call_id=4991155921769858278-1&user=user+1";
    let r = l.raw(
        format!(
            "POST /cti/not_existing_token HTTP/1.1\r\nHost: {}\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
            l.addr,
            body.len()
        )
        .as_bytes(),
    );
    assert_eq!(r.status, 401, "{r:?}");
    assert_eq!(r.body["ok"], false);
    assert!(r.body["error"].is_string(), "{r:?}");
    assert!(phone_calls(&desk).is_empty());
    // The same request with the token is taken.
    let r = l.post(
        &["Content-Type: application/x-www-form-urlencoded"],
        body.as_bytes(),
    );
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(phone_calls(&desk).len(), 1);
}

/// What Zammad's controller refuses, guichet refuses with the same status: a direction it
/// does not know (« Invalid direction! », 422), an event it does not know (an
/// ArgumentError, 422), a new call without its number called (a NOT NULL column, 422); a
/// body Rails cannot parse is a 400.
#[test]
fn what_zammad_refuses_gets_zammads_status() {
    let desk = Desk::new();
    let l = CtiListener::start(&desk);
    let form = "Content-Type: application/x-www-form-urlencoded";
    for (body, status) in [
        (
            "event=newCall&direction=sideways&from=1&to=2&call_id=r-1",
            422,
        ),
        ("event=newCall&from=1&to=2&call_id=r-2", 422),
        ("event=transfer&direction=in&from=1&to=2&call_id=r-3", 422),
        ("direction=in&from=1&to=2&call_id=r-4", 422),
        ("event=newCall&direction=in&from=1&call_id=r-5", 422),
        ("event=newCall&direction=in&from=1&to=2", 422),
    ] {
        let r = l.post(&[form], body.as_bytes());
        assert_eq!(r.status, status, "{body}: {r:?}");
        assert_eq!(r.body["ok"], false, "{body}");
    }
    let r = l.post(&["Content-Type: application/json"], b"{\"event\":");
    assert_eq!(r.status, 400, "{r:?}");
    assert!(phone_calls(&desk).is_empty());
}
