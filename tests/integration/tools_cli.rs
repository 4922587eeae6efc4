//! `guichet tools ...` through the real binary, with the seeds' own examples.

use crate::common::desk;

use desk::Desk;
use serde_json::Value;
use std::io::Write;
use std::process::{Output, Stdio};

fn guichet(desk: &Desk, args: &[&str]) -> Output {
    desk.cmd()
        .env("GUICHET_OPERATOR", "toolop")
        .args(args)
        .output()
        .unwrap()
}

fn ok(args: &[&str]) -> String {
    let out = guichet(&Desk::new(), args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn json(args: &[&str]) -> Value {
    serde_json::from_str(&ok(args)).unwrap()
}

fn bad(args: &[&str]) -> String {
    let out = guichet(&Desk::new(), args);
    assert_eq!(out.status.code(), Some(2), "{args:?}");
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    err
}

#[test]
fn printer_decode_gives_the_design_fields() {
    let p = json(&[
        "tools",
        "printer",
        "decode",
        "I76RC-DSI04-B4",
        "--format",
        "json",
    ]);
    assert_eq!(p["department_code"], "76");
    assert_eq!(p["department_name"], "Seine-Maritime");
    assert_eq!(p["site_code"], "RC");
    assert_eq!(p["site_name"], "Rectorat");
    assert_eq!(p["division"], "DSI");
    assert_eq!(p["copier_number"], "04");
    assert_eq!(p["location"], "B4");
    assert_eq!(p["perimeter"], "rouen");
    assert_eq!(p["print_server"], "172.26.66.73");
    let caen = json(&[
        "tools",
        "printer",
        "decode",
        " i14rc-dsi-rdc ",
        "--format",
        "json",
    ]);
    assert_eq!(caen["copier_number"], Value::Null);
    assert_eq!(caen["perimeter"], "caen");
    assert!(ok(&["tools", "printer", "decode", "I14RC-DSI-RDC"]).contains("Calvados"));
    let err = bad(&["tools", "printer", "decode", "I99RC-DSI-RDC"]);
    assert!(
        err.contains("département « 99 » inconnu : attendu 14, 27, 50, 61 ou 76"),
        "{err}"
    );
}

#[test]
fn printer_encode_builds_the_name() {
    assert_eq!(
        ok(&[
            "tools",
            "printer",
            "encode",
            "--department",
            "76",
            "--site",
            "rc",
            "--division",
            "dsi",
            "--copier",
            "04",
            "--location",
            "B4"
        ]),
        "I76RC-DSI04-B4\n"
    );
    let err = bad(&[
        "tools",
        "printer",
        "encode",
        "--department",
        "14",
        "--site",
        "XX",
        "--division",
        "DSI",
        "--location",
        "RDC",
    ]);
    assert!(err.contains("site « XX »"), "{err}");
}

#[test]
fn comu_logins() {
    assert_eq!(
        ok(&[
            "tools",
            "comu",
            "--first-name",
            "Jean",
            "--last-name",
            "Dupont",
            "--domain",
            "ac"
        ]),
        "ac-dupontje@comu.minint.fr\n"
    );
    assert_eq!(
        ok(&[
            "tools",
            "comu",
            "--first-name",
            "Jean",
            "--last-name",
            "Dupont",
            "--domain",
            "gendarmerie"
        ]),
        "jean.dupont@comu.minint.fr\n"
    );
    let j = json(&[
        "tools",
        "comu",
        "--first-name",
        "Éloïse",
        "--last-name",
        "Le Gall-N'Diaye",
        "--domain",
        "PPOL",
        "--format",
        "json",
    ]);
    assert_eq!(j["login"], "ppol-legallndiayeel@comu.minint.fr");
    assert_eq!(j["password"], "mot de passe de session Windows");
    assert_eq!(j["address"], "https://webconf.comu.minint.fr");
    let err = bad(&[
        "tools",
        "comu",
        "--first-name",
        "Jean",
        "--last-name",
        "Dupont",
        "--domain",
        "XX",
    ]);
    assert!(err.contains("« XX »"));
}

#[test]
fn spell_reads_stdin_and_stores_nothing() {
    let desk = Desk::new();
    let mut child = desk
        .cmd()
        .args(["tools", "spell", "--format", "json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"Ab1-_\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let spelled: Value = serde_json::from_slice(&out.stdout).unwrap();
    let says: Vec<&str> = spelled
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["say"].as_str().unwrap())
        .collect();
    assert_eq!(
        says,
        [
            "A majuscule, comme Alfa",
            "B minuscule, comme Bravo",
            "chiffre 1 (un)",
            "tiret",
            "tiret bas"
        ]
    );
    // Spelling never opens the database.
    assert!(!desk.db().exists());
    let text = ok(&["tools", "spell", "l0", "--alphabet", "french"]);
    assert!(text.contains("L minuscule, comme Louis"), "{text}");
    assert!(text.contains("⚠"), "{text}");
}

#[test]
fn amigo_answers_with_period_reason_and_next_opening() {
    // Wednesday 25 November 2026, 13:00 in Paris: school period, closed since 13:00.
    let a = json(&[
        "tools",
        "amigo",
        "--at",
        "2026-11-25T13:00",
        "--format",
        "json",
    ]);
    assert_eq!(a["open"], false);
    assert_eq!(a["period"], "scolaire");
    assert!(a["reason"].as_str().unwrap().contains("mercredi"));
    assert_eq!(a["next_opening"], "2026-11-26T07:00:00Z");
    let b = json(&[
        "tools",
        "amigo",
        "--at",
        "2026-11-25T12:59",
        "--format",
        "json",
    ]);
    assert_eq!(b["open"], true);
    let text = ok(&["tools", "amigo", "--at", "2026-12-25T10:00"]);
    assert!(text.contains("09 70 80 97 97"), "{text}");
    assert!(text.contains("0806 000 488"), "{text}");
    bad(&["tools", "amigo", "--at", "demain"]);
}

#[test]
fn cryhod_quota_xivo() {
    let c = json(&[
        "tools",
        "cryhod",
        "--issued",
        "2026-01-31T10:00",
        "--format",
        "json",
    ]);
    assert_eq!(c["valid_until"], "2026-02-28T09:00:00Z");
    let q = json(&["tools", "quota", "21,5", "--format", "json"]);
    assert_eq!(q["throttled"], true);
    assert_eq!(
        json(&["tools", "quota", "20", "--format", "json"])["throttled"],
        false
    );
    bad(&["tools", "quota", "beaucoup"]);
    let x = json(&["tools", "xivo", "--format", "json"]);
    let codes: Vec<&str> = x
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["*21", "*22", "*23", "*20", "*10", "*25", "*98"]);
    assert!(ok(&["tools", "xivo", "occupation"]).contains("*23"));
}

on_both_engines! {
fn telemaintenance_code_is_noted_on_the_call(desk) {
    let add = guichet(
        &desk,
        &[
            "call",
            "add",
            "--service",
            "acn-rouen",
            "--device",
            "pc-pro",
            "--caller",
            "Anne",
            "--summary",
            "prise en main",
        ],
    );
    assert!(add.status.success());
    let out = guichet(
        &desk,
        &["tools", "telemaintenance", "A-0001", "--code", "482 913"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let show = guichet(&desk, &["call", "show", "A-0001"]);
    // `call show` folds long journal lines: read them as one.
    let text = String::from_utf8(show.stdout).unwrap();
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        text.contains("code de session 482913 donné par téléphone"),
        "{text}"
    );
    let out = guichet(
        &desk,
        &["tools", "telemaintenance", "A-0009", "--code", "123456"],
    );
    assert_eq!(out.status.code(), Some(2));
    let out = guichet(&desk, &["tools", "telemaintenance", "A-0001", "--code", "x"]);
    assert_eq!(out.status.code(), Some(2));
}
}

/// The tools that store nothing never reach for the store: with `GUICHET_DB` naming a
/// server nobody listens on, they answer all the same (a connection would fail them).
#[test]
fn the_tools_that_store_nothing_never_connect() {
    let desk = Desk::new();
    let nowhere = "postgresql://guichet:x@127.0.0.1:1/guichet";
    for args in [
        &["tools", "spell", "Ab1"][..],
        &["tools", "amigo", "--at", "2026-11-25T13:00"],
        &["tools", "cryhod", "--issued", "2026-01-31T10:00"],
        &["tools", "quota", "21,5"],
        &["tools", "xivo"],
        &["tools", "printer", "decode", "I76RC-DSI04-B4"],
        &[
            "tools",
            "printer",
            "encode",
            "--department",
            "76",
            "--site",
            "rc",
            "--division",
            "dsi",
            "--location",
            "B4",
        ],
        &[
            "tools",
            "comu",
            "--first-name",
            "Jean",
            "--last-name",
            "Dupont",
            "--domain",
            "ac",
        ],
        &["procedures", "list"],
        &["procedures", "show", "mi-call-centre"],
        &["procedures", "lint"],
    ] {
        let out = desk
            .cmd()
            .env("GUICHET_DB", nowhere)
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success() && !out.stdout.is_empty(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.stderr.is_empty(), "{args:?}");
    }
    // What does need the store says the server is out of reach.
    let out = desk
        .cmd()
        .env("GUICHET_DB", nowhere)
        .args(["tools", "telemaintenance", "A-0001", "--code", "123456"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("injoignable"));
}

#[test]
fn the_desk_tools_mark_their_own_rules_readings_and_bounds() {
    use guichet::domain::{comu, printer, quota, walk};
    // Guide 003, « Aide 4G »: « Vérifier le nombre de Go indiqué pour le « cellulaire », si
    // ce nombre est > à 20Go » — no month.
    assert!(!quota::READ_HINT.contains("mois"), "{}", quota::READ_HINT);
    assert!(
        quota::READ_HINT.contains("« cellulaire »"),
        "{}",
        quota::READ_HINT
    );
    // Guide 003: « obtenir le mot de passe « CRYHOD », valable 1 mois »; the day it ends
    // is the desk's reading.
    let rule = walk::CRYHOD_VALIDITY;
    assert!(rule.contains("valable 1 mois"), "{rule}");
    let reading = rule.find("lecture du guichet").expect(rule);
    assert!(
        rule[reading..].contains("même jour du mois suivant"),
        "{rule}"
    );
    // Guide 003 says nothing of accents or compound names in a COMU login.
    let folding = comu::FOLDING_RULE;
    let marked = folding.find("règle du guichet").expect(folding);
    assert!(folding[marked..].contains("accents retirés"), "{folding}");
    // Guide 002 gives no length for a division, a copier number, a building or a floor.
    for name in [
        "I14RC-ABCDEFGHIJ-RDC",
        "I76RC-DSI0444-B4",
        "I76RC-DSI04-ABC4",
    ] {
        let e = printer::decode(name).unwrap_err().to_string();
        assert!(e.contains("limite du guichet"), "{name}: {e}");
    }
    // The same words come out of the command line.
    let said = ok(&["tools", "cryhod", "--issued", "2026-01-31T10:00"]);
    assert!(said.contains("lecture du guichet"), "{said}");
    let help = ok(&["tools", "quota", "--help"]);
    assert!(help.contains("20 Go") && !help.contains("mois"), "{help}");
    let err = bad(&["tools", "printer", "decode", "I76RC-DSI0444-B4"]);
    assert!(err.contains("limite du guichet"), "{err}");
}
