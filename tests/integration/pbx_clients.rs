//! The telephony clients desks run, against the real `guichet phone listen` on loopback:
//! each test posts what that client posts (its field names, encoding, content type and
//! headers, the order of its events, its literals for a withheld number), read from the
//! client's own source, then checks what the store recorded. The telephony page,
//! docs/telephonie.md, gives each client's configuration; the tests read it there, so that
//! what the page says is what was tried.
//!
//! - py-zammad-cti, from PyPI, run for real by `python3` (CI installs it);
//! - the 3CX bridge (qmexnetworks/3cx-zammad-bridge, `zammad.go`, `bridge.go`);
//! - the Asterisk AMI bridge (martinvonwittich/asterisk-zammad-cti-bridge, the Perl script
//!   `asterisk-zammad-cti-bridge`);
//! - FreeSWITCH / FusionPBX scripts (lcx/zammad-fusionpbx-cti, `zam_newcall.lua`,
//!   `zam_answercall.lua`, `zam_hangupcall.lua`) through mod_curl;
//! - Asterisk's dialplan `CURL()` function, as docs/telephonie.md configures it.

use crate::common::cti;
use crate::common::desk;

use cti::{CtiListener, TOKEN, events, phone_call, phone_calls};
use desk::Desk;
use guichet::phone::call::phone_key;
use guichet::phone::{Direction, EventKind, HangupCause, PhoneState};
use std::process::Command;

/// The telephony page, where the configurations are.
fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/telephonie.md")).unwrap()
}

/// The rest of the page's fenced block whose first line is `marker` (a comment of the
/// configuration's language naming its file).
fn readme_block(marker: &str) -> String {
    let text = readme();
    let at = text
        .find(&format!("```\n{marker}\n"))
        .or_else(|| text.find(&format!("```ini\n{marker}\n")))
        .or_else(|| text.find(&format!("```yaml\n{marker}\n")))
        .or_else(|| text.find(&format!("```lua\n{marker}\n")))
        .unwrap_or_else(|| panic!("docs/telephonie.md has no block opening with « {marker} »"));
    let rest = &text[at..];
    let rest = &rest[rest.find('\n').unwrap() + 1..];
    rest[..rest.find("\n```").unwrap()].to_string()
}

/// The page's placeholder address, as the listener of `l` has it.
fn configured(block: &str, l: &CtiListener) -> String {
    let readme_url = "http://127.0.0.1:8015/cti/JETON";
    assert!(block.contains(readme_url), "{block}");
    block.replace(readme_url, &l.url())
}

/// A request with the head a client sends, as raw bytes.
fn request(l: &CtiListener, head_lines: &[&str], body: &str) -> Vec<u8> {
    let mut head = format!("POST {} HTTP/1.1\r\n", l.path());
    for h in head_lines {
        head.push_str(&h.replace("{host}", &l.addr.to_string()));
        head.push_str("\r\n");
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    let mut raw = head.into_bytes();
    raw.extend_from_slice(body.as_bytes());
    raw
}

/// The 200s, one per request, or the first refusal.
fn all_taken(l: &CtiListener, requests: &[Vec<u8>]) {
    for r in requests {
        let reply = l.raw(r);
        assert_eq!(
            reply.status,
            200,
            "{}: {reply:?}",
            String::from_utf8_lossy(r)
        );
        assert_eq!(reply.body["ok"], true);
    }
}

/// The script that drives py-zammad-cti's `CTIClient` (its `new_call`, `answer` and
/// `hangup`, with their own parameter names) against the URL it is given, and prints the
/// answers it got (`response.json()` after `raise_for_status()`: a refused request is a
/// Python error, and the test fails with it) on a line of their own: the module may print
/// a warning of its own on stdout when `python-dotenv` is not installed.
const PY_CLIENT: &str = r#"
import json, sys
from zammad_cti import CTIClient

cti = CTIClient(url=sys.argv[1])
caller = "+33 6 12 34 56 78"
answers = [
    cti.new_call(_from=caller, to="3001", direction="in", call_id="py-1",
                 user=["Claire Dupont", "Luc"], queue="accueil"),
    cti.answer(_from=caller, to="3001", direction="in", call_id="py-1",
               answering_number="3001", user="Claire Dupont"),
    cti.hangup(_from=caller, to="3001", direction="in", call_id="py-1",
               cause="normalClearing", answering_number="3001"),
    cti.new_call(_from="anonymous", to="3001", direction="in", call_id="py-2"),
    cti.hangup(_from="anonymous", to="3001", direction="in", call_id="py-2", cause="cancel"),
    cti.new_call(_from="3002", to="01 40 07 20 00", direction="out", call_id="py-3",
                 user="Luc"),
    cti.answer(_from="3002", to="01 40 07 20 00", direction="out", call_id="py-3"),
    cti.hangup(_from="3002", to="01 40 07 20 00", direction="out", call_id="py-3",
               cause="normalClearing"),
]
print("answers:", json.dumps(answers))
"#;

/// `python3` with py-zammad-cti importable, or a failure saying how to get it: CI installs
/// it (`.ci/run`), and a machine without it must not pass by skipping.
fn python_with_py_zammad_cti() -> Command {
    let probe = Command::new("python3")
        .args(["-c", "import zammad_cti"])
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "python3 cannot be run ({e}): install Python 3, then run \
                 `pip install py-zammad-cti` (.ci/run does both)"
            )
        });
    assert!(
        probe.status.success(),
        "the py-zammad-cti client is not installed: run `pip install py-zammad-cti` \
         (.ci/run does it); python3 said: {}",
        String::from_utf8_lossy(&probe.stderr)
    );
    Command::new("python3")
}

#[test]
fn py_zammad_cti_from_pypi_against_the_listener() {
    let mut python = python_with_py_zammad_cti();
    let desk = Desk::new();
    let l = CtiListener::start(&desk);
    let out = python.args(["-c", PY_CLIENT, &l.url()]).output().unwrap();
    assert!(
        out.status.success(),
        "py-zammad-cti failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let answers = stdout
        .lines()
        .find_map(|l| l.strip_prefix("answers: "))
        .unwrap_or_else(|| panic!("no answers from py-zammad-cti: {stdout}"));
    let answers: Vec<serde_json::Value> = serde_json::from_str(answers).unwrap();
    assert_eq!(answers.len(), 8);
    assert!(answers.iter().all(|a| a["ok"] == true), "{answers:?}");

    let calls = phone_calls(&desk);
    let ids: Vec<_> = calls.iter().map(|c| c.telephony_id.as_str()).collect();
    assert_eq!(ids, ["py-1", "py-2", "py-3"]);
    let c = &calls[0];
    assert_eq!(c.from.as_deref(), Some("+33612345678"));
    assert_eq!(c.to.as_deref(), Some("3001"));
    // `requests` sends a list as the same field repeated: `user=Claire+Dupont&user=Luc`.
    assert_eq!(c.users, ["Claire Dupont", "Luc"]);
    assert_eq!(c.answering_number.as_deref(), Some("3001"));
    assert_eq!(c.cause, Some(HangupCause::NormalClearing));
    assert!(c.answered_at.is_some() && c.hung_up_at.is_some());
    assert!(c.concerns("3001"));
    let withheld = &calls[1];
    assert_eq!(withheld.from, None);
    assert_eq!(withheld.caller_for_reading(), "numéro masqué");
    assert_eq!(withheld.answered_at, None, "a missed call");
    assert_eq!(withheld.cause, Some(HangupCause::Cancel));
    let out = &calls[2];
    assert_eq!(out.direction, Direction::Out);
    assert_eq!(out.to.as_deref(), Some("0140072000"));
    assert_eq!(out.state(), PhoneState::Ended);
    assert_eq!(events(&desk, "py-1").len(), 3);
}

/// What the 3CX bridge posts (`ZammadPost` in zammad.go): JSON from the Go struct
/// `ZammadApiRequest`, fields in its order, `call_id` and its copy `callid`, `cause`,
/// `answeringNumber` and `user` left out when empty; `Inbound`/`Outbound` already turned
/// into `in`/`out`; Go's `http.Client.Post` head. The numbers as `ParsePhoneNumber` makes
/// them with `country_prefix: 33`: the caller in national form, or, when 3CX gave no
/// number in parentheses, the trunk number and the caller's name as one text.
#[test]
fn the_3cx_bridge() {
    let desk = Desk::new();
    let l = CtiListener::start(&desk);
    // The page's configuration is the bridge's `Zammad` section.
    let config = configured(&readme_block("# /etc/3cx-zammad-bridge/config.yaml"), &l);
    assert!(
        config.contains(&format!("endpoint: {}", l.url())),
        "{config}"
    );
    let head = [
        "Host: {host}",
        "User-Agent: Go-http-client/1.1",
        "Content-Type: application/json",
        "Accept-Encoding: gzip",
    ];
    let inbound = "8c1f0e4e-6a8b-4d5e-9d8e-3c2a1b0f9e71";
    let outbound = "0b7e2c59-1f0a-4c1e-8f3d-5a6b7c8d9e02";
    let queue = "f2d9a4b1-3c5e-4f60-a7b8-c9d0e1f2a3b4";
    let bodies = [
        // An inbound call on extension 101 (ZammadNewCall, ZammadAnswer, ZammadHangup).
        format!(
            r#"{{"event":"newCall","from":"0612345678","to":"101","direction":"in","call_id":"{inbound}","callid":"{inbound}","answeringNumber":"101","user":"Claire Dupont"}}"#
        ),
        format!(
            r#"{{"event":"answer","from":"0612345678","to":"101","direction":"in","call_id":"{inbound}","callid":"{inbound}","answeringNumber":"101","user":"Claire Dupont"}}"#
        ),
        format!(
            r#"{{"event":"hangup","from":"0612345678","to":"101","direction":"in","call_id":"{inbound}","callid":"{inbound}","cause":"normalClearing","answeringNumber":"101"}}"#
        ),
        // Extension 102 dials out; the call ends while routing (`cancel`).
        format!(
            r#"{{"event":"newCall","from":"102","to":"0140072000","direction":"out","call_id":"{outbound}","callid":"{outbound}","answeringNumber":"102","user":"Luc Martin"}}"#
        ),
        format!(
            r#"{{"event":"hangup","from":"102","to":"0140072000","direction":"out","call_id":"{outbound}","callid":"{outbound}","cause":"cancel","answeringNumber":"102"}}"#
        ),
        // A queue call nobody took (`log_missed_queue_calls`): the queue's extension as
        // answeringNumber; 3CX gave no number in parentheses.
        format!(
            r#"{{"event":"newCall","from":"10000 Jean Dupont","to":"816","direction":"in","call_id":"{queue}","callid":"{queue}","answeringNumber":"816"}}"#
        ),
        format!(
            r#"{{"event":"hangup","from":"10000 Jean Dupont","to":"816","direction":"in","call_id":"{queue}","callid":"{queue}","cause":"cancel","answeringNumber":"816"}}"#
        ),
    ];
    let requests: Vec<_> = bodies.iter().map(|b| request(&l, &head, b)).collect();
    all_taken(&l, &requests);

    let c = phone_call(&desk, inbound);
    assert_eq!(c.from.as_deref(), Some("0612345678"));
    assert_eq!(c.to.as_deref(), Some("101"));
    assert_eq!(c.users, ["Claire Dupont"]);
    assert_eq!(c.answering_number.as_deref(), Some("101"));
    assert!(c.concerns("101") && !c.concerns("102"));
    assert_eq!(c.cause, Some(HangupCause::NormalClearing));
    assert!(c.handled_seconds().is_some());
    let c = phone_call(&desk, outbound);
    assert_eq!(c.direction, Direction::Out);
    assert_eq!(c.from.as_deref(), Some("102"));
    assert_eq!(c.to.as_deref(), Some("0140072000"));
    assert_eq!((c.answered_at, c.cause), (None, Some(HangupCause::Cancel)));
    let c = phone_call(&desk, queue);
    assert_eq!(
        c.from.as_deref(),
        Some("10000 Jean Dupont"),
        "kept as given"
    );
    assert_eq!(c.caller_number(), None, "and never matched");
    assert_eq!(c.caller_for_reading(), "10000 Jean Dupont");
    assert_eq!(c.answered_at, None, "a missed queue call");
    assert_eq!(phone_calls(&desk).len(), 3);
}

/// What the Asterisk AMI bridge posts (`post_zammad`): a form built by
/// `WWW::Form::UrlEncoded::build_urlencoded` from a Perl hash (so in no set order: two
/// orders here; a space as `+`), sent by AnyEvent::HTTP's `http_post` with no Content-Type
/// at all. QueueCallerJoin gives `to` the queue's name; AgentConnect names the member
/// (`SIP/agent.name` less `SIP/`) in `user` and sends no number; AgentComplete and
/// QueueCallerAbandon a hangup by call id; a caller id Asterisk has not got is
/// `<unknown>`.
#[test]
fn the_asterisk_ami_bridge() {
    let desk = Desk::new();
    let l = CtiListener::start(&desk);
    let config = configured(
        &readme_block("# asterisk-zammad-cti-bridge : config.cfg"),
        &l,
    );
    assert!(config.contains(&format!("url={}", l.url())), "{config}");
    let head = [
        "host: {host}",
        "user-agent: Mozilla/5.0 (compatible; U; AnyEvent-HTTP/2.25; +http://software.schmorp.de/pkg/AnyEvent)",
    ];
    let bodies = [
        // The events of the script's comments, as they come.
        "callId=support1545241916.41&direction=in&event=newCall&from=%2B49+123+456789&to=support",
        "direction=in&user=agent.name&event=answer&callId=support1545241916.41",
        "callId=support1545241916.41&cause=normalClearing&direction=in&event=hangup",
        // A caller Asterisk has no number for, who gives up in the queue.
        "to=support&from=%3Cunknown%3E&event=newCall&direction=in&callId=support1545244062.103",
        "event=hangup&cause=cancel&callId=support1545244062.103&direction=in",
        // A French caller, the fields in another order.
        "event=newCall&to=support&callId=support1545250000.7&from=%2B33+6+12+34+56+78&direction=in",
        "callId=support1545250000.7&event=answer&user=claire.dupont&direction=in",
        "event=hangup&direction=in&cause=normalClearing&callId=support1545250000.7",
    ];
    let requests: Vec<_> = bodies.iter().map(|b| request(&l, &head, b)).collect();
    all_taken(&l, &requests);

    let c = phone_call(&desk, "support1545241916.41");
    assert_eq!(c.from.as_deref(), Some("+49123456789"));
    assert_eq!(c.to.as_deref(), Some("support"), "the queue's name");
    assert_eq!(c.answering_number.as_deref(), Some("agent.name"));
    assert!(
        c.concerns("agent.name"),
        "the console of the agent who answered"
    );
    assert!(!c.concerns("support"), "not the queue's once answered");
    assert_eq!(c.cause, Some(HangupCause::NormalClearing));
    assert!(c.handled_seconds().is_some());
    let answer = &events(&desk, "support1545241916.41")[1];
    assert_eq!(
        (answer.kind, answer.from.as_deref(), answer.to.as_deref()),
        (EventKind::Answer, None, None)
    );
    let c = phone_call(&desk, "support1545244062.103");
    assert_eq!(c.from, None, "<unknown> is a withheld number");
    assert_eq!(c.caller_for_reading(), "numéro masqué");
    assert_eq!((c.answered_at, c.cause), (None, Some(HangupCause::Cancel)));
    let c = phone_call(&desk, "support1545250000.7");
    assert_eq!(c.from.as_deref(), Some("+33612345678"));
    assert_eq!(
        phone_key(c.caller_number().unwrap()),
        phone_key("06 12 34 56 78")
    );
    assert!(c.concerns("claire.dupont"));
}

/// What the FreeSWITCH scripts post through mod_curl (`curl URL post DATA`: a form, as
/// libcurl sends POSTFIELDS, with mod_curl's user agent). The scripts do not encode their
/// values: a `+` in a caller's number arrives as a space, a SIP call id keeps its `@`.
/// newCall rings `user[]=Ticket%20System` on the number dialled (`sip_to_user`); the
/// answer, run on the leg that picked up, names that extension in `user`; the hangup hook
/// names it in `answeringNumber` and passes FreeSWITCH's `hangup_cause`.
#[test]
fn the_freeswitch_scripts() {
    let desk = Desk::new();
    let l = CtiListener::start(&desk);
    let config = configured(
        &readme_block("-- /usr/share/freeswitch/scripts/zammad_config.lua"),
        &l,
    );
    assert!(
        config.contains(&format!("zammad_api_url = \"{}\";", l.url())),
        "{config}"
    );
    let head = [
        "Host: {host}",
        "User-Agent: freeswitch-curl/1.0",
        "Accept: */*",
        "Content-Type: application/x-www-form-urlencoded",
    ];
    let id = "a84b4c76e66710@pc33.atlanta.com";
    let missed = "3c26700b57a8-qk3cpw8h1zvl@192.168.1.20";
    let anonymous = "0ca6e2cc-49b1-123f-8ec5-5254000d6a2b";
    let bodies = [
        // zam_newcall.lua, zam_answercall.lua, zam_hangupcall.lua: answered on 1001.
        format!(
            "event=newCall&from=0612345678&to=0140072000&direction=in&callId={id}&user[]=Ticket%20System"
        ),
        format!("event=answer&user=1001&from=0612345678&to=0140072000&direction=in&callId={id}"),
        format!(
            "event=hangup&answeringNumber=1001&from=0612345678&to=0140072000&direction=in&callId={id}&cause=NORMAL_CLEARING"
        ),
        // An international caller who hangs up while 1001 rings.
        format!(
            "event=newCall&from=+33612345678&to=0140072000&direction=in&callId={missed}&user[]=Ticket%20System"
        ),
        format!(
            "event=hangup&answeringNumber=1001&from=+33612345678&to=0140072000&direction=in&callId={missed}&cause=ORIGINATOR_CANCEL"
        ),
        // A withheld number, answered.
        format!(
            "event=newCall&from=anonymous&to=0140072000&direction=in&callId={anonymous}&user[]=Ticket%20System"
        ),
        format!(
            "event=answer&user=1002&from=anonymous&to=0140072000&direction=in&callId={anonymous}"
        ),
        format!(
            "event=hangup&answeringNumber=1002&from=anonymous&to=0140072000&direction=in&callId={anonymous}&cause=NORMAL_CLEARING"
        ),
    ];
    let requests: Vec<_> = bodies.iter().map(|b| request(&l, &head, b)).collect();
    all_taken(&l, &requests);

    let c = phone_call(&desk, id);
    assert_eq!(c.users, ["Ticket System"]);
    assert_eq!(
        c.answering_number.as_deref(),
        Some("1001"),
        "the agent in `user`"
    );
    assert!(c.concerns("1001") && !c.concerns("1002"));
    assert_eq!(c.cause, Some(HangupCause::NormalClearing));
    assert!(c.handled_seconds().is_some());
    let c = phone_call(&desk, missed);
    // `+33…` unencoded: the form reads its `+` as a space; still the same caller.
    assert_eq!(c.from.as_deref(), Some("33612345678"));
    assert_eq!(
        phone_key(c.caller_number().unwrap()),
        phone_key("06 12 34 56 78")
    );
    assert_eq!((c.answered_at, c.cause), (None, Some(HangupCause::Cancel)));
    let c = phone_call(&desk, anonymous);
    assert_eq!(c.from, None);
    assert!(c.concerns("1002"));
    assert_eq!(phone_calls(&desk).len(), 3);
}

/// The channel variables of one call, for expanding the page's dialplan.
struct Channel {
    callerid_num: &'static str,
    exten: &'static str,
    uniqueid: &'static str,
    dialstatus: &'static str,
}

/// `URIENCODE()`: every byte but letters, digits and `-._~` as `%XX`.
fn uri_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The post-data of each `CURL()` of the page's dialplan, in the order Asterisk runs
/// them for a call answered (or not) on `exten`: the new call, the answer from `Dial()`'s
/// `U()` subroutine on the leg that picked up (its `ARG1` and `ARG2` the caller's
/// `UNIQUEID` and `EXTEN`), the `h` extension's hangup.
fn dialplan_bodies(dialplan: &str, ch: &Channel, answered: bool) -> Vec<String> {
    let curl = |line: &str| -> String {
        let start = line.find("${CURL(${GUICHET},").unwrap() + "${CURL(${GUICHET},".len();
        let data = &line[start..line.rfind(")})").unwrap()];
        let expanded = data
            .replace(
                "${URIENCODE(${CALLERID(num)})}",
                &uri_encode(ch.callerid_num),
            )
            .replace("${EXTEN}", ch.exten)
            .replace("${UNIQUEID}", ch.uniqueid)
            .replace("${ARG1}", ch.uniqueid)
            .replace("${ARG2}", ch.exten)
            .replace("${DIALSTATUS}", ch.dialstatus);
        assert!(!expanded.contains("${"), "{expanded}");
        expanded
    };
    let line = |what: &str| {
        dialplan
            .lines()
            .find(|l| l.contains("${CURL(") && l.contains(what))
            .unwrap_or_else(|| panic!("no CURL() with {what} in {dialplan}"))
    };
    let mut bodies = vec![curl(line("event=newCall"))];
    if answered {
        bodies.push(curl(line("event=answer")));
    }
    bodies.push(curl(line("event=hangup")));
    bodies
}

/// The page's dialplan, each `CURL()` expanded as Asterisk would for three calls and
/// posted as func_curl posts it (libcurl's form POST, Asterisk's user agent).
#[test]
fn the_asterisk_dialplan_curl() {
    let desk = Desk::new();
    let l = CtiListener::start(&desk);
    let dialplan = configured(&readme_block("; /etc/asterisk/extensions.conf"), &l);
    assert!(
        dialplan.contains(&format!("GUICHET={}", l.url())),
        "{dialplan}"
    );
    assert!(
        dialplan.contains("U(guichet-decroche^${UNIQUEID}^${EXTEN})"),
        "{dialplan}"
    );
    let head = [
        "Host: {host}",
        "User-Agent: asterisk-libcurl-agent/1.0",
        "Accept: */*",
        "Content-Type: application/x-www-form-urlencoded",
    ];
    let calls = [
        (
            Channel {
                callerid_num: "+33612345678",
                exten: "3001",
                uniqueid: "1718620000.42",
                dialstatus: "ANSWER",
            },
            true,
        ),
        (
            Channel {
                callerid_num: "anonymous",
                exten: "3001",
                uniqueid: "1718620100.43",
                dialstatus: "CANCEL",
            },
            false,
        ),
        (
            Channel {
                callerid_num: "",
                exten: "3002",
                uniqueid: "1718620200.44",
                dialstatus: "NOANSWER",
            },
            false,
        ),
    ];
    let mut requests = Vec::new();
    for (ch, answered) in &calls {
        for body in dialplan_bodies(&dialplan, ch, *answered) {
            requests.push(request(&l, &head, &body));
        }
    }
    assert_eq!(
        String::from_utf8_lossy(&requests[0])
            .split("\r\n\r\n")
            .nth(1),
        Some("event=newCall&from=%2B33612345678&to=3001&direction=in&callId=1718620000.42")
    );
    all_taken(&l, &requests);

    let c = phone_call(&desk, "1718620000.42");
    assert_eq!(c.from.as_deref(), Some("+33612345678"));
    assert_eq!(c.to.as_deref(), Some("3001"));
    assert_eq!(c.answering_number.as_deref(), Some("3001"));
    assert_eq!(
        c.cause,
        Some(HangupCause::NormalClearing),
        "DIALSTATUS ANSWER"
    );
    assert!(c.handled_seconds().is_some());
    let c = phone_call(&desk, "1718620100.43");
    assert_eq!(c.from, None, "anonymous");
    assert_eq!((c.answered_at, c.cause), (None, Some(HangupCause::Cancel)));
    let c = phone_call(&desk, "1718620200.44");
    assert_eq!(c.from, None, "no caller id at all");
    assert_eq!(c.cause, Some(HangupCause::NoAnswer));
    assert!(c.concerns("3002"));
    // The log names each event and never the token.
    let log = l.log();
    assert!(log.iter().all(|line| !line.contains(TOKEN)), "{log:?}");
}
