use super::call::*;
use super::reference::pick;
use crate::catalog::embedded_reference;
use chrono::{TimeZone, Utc};

fn draft() -> CallDraft {
    CallDraft {
        caller_name: "  Zoé   Martin ".into(),
        caller_phone: "06 12 34 56 78".into(),
        caller_email: "zoe.martin@interieur.gouv.fr".into(),
        service: "mi".into(),
        device: "noemi".into(),
        summary: "carte agent oubliée".into(),
        notes: String::new(),
        procedures: vec![],
        telephony_id: None,
    }
}

#[test]
fn a_complete_draft_becomes_a_call() {
    let at = Utc.with_ymd_and_hms(2026, 11, 23, 8, 41, 0).unwrap();
    let call = draft()
        .validate(&embedded_reference(), "dupontje", at)
        .unwrap();
    assert_eq!(call.caller_name, "Zoé Martin");
    assert_eq!(call.caller_phone.as_deref(), Some("06 12 34 56 78"));
    assert_eq!(call.notes, None);
    assert_eq!(call.opened_at, at);
}

#[test]
fn every_bad_field_is_reported_with_its_value() {
    let mut d = draft();
    d.caller_name = "   ".into();
    d.caller_phone = "06-12-AB".into();
    d.caller_email = "zoe@".into();
    d.service = "interieur".into();
    d.device = "minitel".into();
    d.summary = String::new();
    let at = Utc.with_ymd_and_hms(2026, 11, 23, 8, 41, 0).unwrap();
    let err = d.validate(&embedded_reference(), "op", at).unwrap_err();
    let fields: Vec<_> = err.0.iter().map(|e| e.field).collect();
    assert_eq!(
        fields,
        [
            Field::CallerName,
            Field::Phone,
            Field::Email,
            Field::Service,
            Field::Device,
            Field::Summary
        ]
    );
    assert!(
        err.for_field(Field::Phone)
            .unwrap()
            .contains("« 06-12-AB »")
    );
    assert!(err.for_field(Field::Email).unwrap().contains("« zoe@ »"));
    assert!(
        err.for_field(Field::Service)
            .unwrap()
            .contains("« interieur »")
    );
    assert!(
        err.for_field(Field::Device)
            .unwrap()
            .contains("« minitel »")
    );
    assert_eq!(err.to_string(), "le nom de l'appelant est vide");
}

#[test]
fn overlong_fields_are_refused() {
    let mut d = draft();
    d.summary = "x".repeat(301);
    let at = Utc.with_ymd_and_hms(2026, 11, 23, 8, 41, 0).unwrap();
    let err = d.validate(&embedded_reference(), "op", at).unwrap_err();
    assert_eq!(
        err.for_field(Field::Summary),
        Some("Objet trop long : 301 caractères, 300 au plus")
    );
}

#[test]
fn call_references_read_aloud_both_ways() {
    assert_eq!(CallRef(42).to_string(), "A-0042");
    assert_eq!(CallRef(123_456).to_string(), "A-123456");
    for typed in ["A-0042", "a42", "A 42", "42", " a-42 "] {
        assert_eq!(typed.parse::<CallRef>(), Ok(CallRef(42)), "{typed}");
    }
    for bad in ["", "A-", "B-42", "A-4x", "0", "-3", "A--42x"] {
        assert!(bad.parse::<CallRef>().is_err(), "{bad}");
    }
}

#[test]
fn call_references_take_one_letter_one_separator_and_digits() {
    for (typed, n) in [
        ("A-0042", 42),
        ("a-0042", 42),
        ("A42", 42),
        ("a42", 42),
        ("A 42", 42),
        ("42", 42),
        ("0042", 42),
        ("A-1", 1),
        ("A-000000000001", 1),
        ("A-999999999999", 999_999_999_999),
    ] {
        assert_eq!(typed.parse::<CallRef>(), Ok(CallRef(n)), "{typed}");
    }
    for bad in [
        "A--1",
        "A- 1",
        "A -1",
        "A  1",
        "A-",
        "A",
        "A-1-2",
        "A-1 2",
        "A-00 42",
        "4 2",
        "-1",
        "+1",
        "A+1",
        "-A1",
        "AA1",
        "A-0",
        "A-0000",
        "A-1000000000000",
        "99999999999999999999999",
        "A-٤٢",
        "A‐42",
        "A\u{0}42",
    ] {
        let err = bad.parse::<CallRef>().unwrap_err();
        assert_eq!(err, BadCallRef(bad.to_string()), "{bad}");
        assert!(err.to_string().contains(&format!("« {bad} »")), "{err}");
    }
}

#[test]
fn outcomes_use_the_design_slugs() {
    let slugs: Vec<_> = Outcome::ALL.iter().map(|o| o.slug()).collect();
    assert_eq!(
        slugs,
        [
            "resolved",
            "escalated",
            "callback",
            "transferred",
            "abandoned"
        ]
    );
    assert!(
        "fixed"
            .parse::<Outcome>()
            .unwrap_err()
            .to_string()
            .contains("« fixed »")
    );
}

#[test]
fn type_ahead_finds_services_and_devices() {
    let r = embedded_reference();
    let first_service = |q: &str| r.services[pick(&r.services, q)[0]].slug.clone();
    let first_device = |q: &str| r.devices[pick(&r.devices, q)[0]].slug.clone();
    assert_eq!(first_service("int"), "mi");
    assert_eq!(first_service("Intérieur"), "mi");
    assert_eq!(first_service("rouen"), "acn-rouen");
    assert_eq!(first_service("carinae"), "social-drdjscs");
    assert_eq!(first_device("noe"), "noemi");
    assert_eq!(first_device("imprim"), "copier");
    assert_eq!(first_device("cle usb"), "usb-media");
    assert!(pick(&r.devices, "zzz").is_empty());
    assert_eq!(pick(&r.devices, "").len(), r.devices.len());
}

#[test]
fn type_ahead_matches_several_words_and_the_words_operators_use() {
    let r = embedded_reference();
    let services = |q: &str| -> Vec<&str> {
        pick(&r.services, q)
            .into_iter()
            .map(|i| r.services[i].slug.as_str())
            .collect()
    };
    let devices = |q: &str| -> Vec<&str> {
        pick(&r.devices, q)
            .into_iter()
            .map(|i| r.devices[i].slug.as_str())
            .collect()
    };
    for q in [
        "tel fixe",
        "telephone fixe",
        "téléphone fixe",
        "TÉLÉPHONE  FIXE ",
        "poste fixe",
        "tel f",
        "telephone ip",
    ] {
        assert_eq!(
            devices(q).first(),
            Some(&"ip-phone"),
            "{q:?}: {:?}",
            devices(q)
        );
    }
    for (q, first) in [
        ("portable pro", "smartphone-pro"),
        ("mobile pro", "smartphone-pro"),
        ("portable perso", "smartphone-perso"),
        ("cle usb", "usb-media"),
        ("clé USB", "usb-media"),
        ("disque externe", "usb-media"),
        ("photocopieur", "copier"),
        ("imprimante", "copier"),
        ("pc pro", "pc-pro"),
        ("pc perso", "pc-perso"),
    ] {
        assert_eq!(devices(q).first(), Some(&first), "{q:?}: {:?}", devices(q));
    }
    // Every word must match: "pc" and "fixe" are both in the professional PC's words,
    // not in the IP phone's.
    assert_eq!(devices("pc fixe"), ["pc-pro"]);
    assert!(devices("telephone minitel").is_empty());
    for (q, first) in [
        ("rouen", "acn-rouen"),
        ("caen", "acn-caen"),
        ("rectorat rouen", "acn-rouen"),
        ("academie rouen", "acn-rouen"),
        ("académie de caen", "acn-caen"),
        ("ac-caen", "acn-caen"),
        ("ac-rouen", "acn-rouen"),
        ("acad rouen", "acn-rouen"),
        ("seine maritime", "acn-rouen"),
        ("calvados", "acn-caen"),
        ("ministere interieur", "mi"),
        ("gendarmerie", "mi"),
        ("mairie", "gip-tn"),
        ("ministere du travail", "social-direccte"),
        ("jeunesse et sports", "social-drdjscs"),
        ("ministere ecologie", "mtes"),
    ] {
        assert_eq!(
            services(q).first(),
            Some(&first),
            "{q:?}: {:?}",
            services(q)
        );
    }
    // Two words narrow: the other perimeter is not proposed.
    assert_eq!(services("rectorat rouen"), ["acn-rouen"]);
    assert_eq!(services("academie caen"), ["acn-caen"]);
    // The single words of before keep their order.
    assert_eq!(services("int")[0], "mi");
    assert_eq!(services("academie")[..2], ["acn-caen", "acn-rouen"]);
    assert_eq!(devices("noe")[0], "noemi");
    assert_eq!(devices("telephone")[0], "ip-phone");
    assert_eq!(devices("portable")[0], "noemi");
    assert_eq!(devices("imprim")[0], "copier");
    assert_eq!(devices("pc-pro")[0], "pc-pro");
    assert!(devices("'").is_empty());
}

#[test]
fn operator_names_are_checked() {
    assert_eq!(check_operator(" dupontje ").unwrap(), "dupontje");
    assert!(check_operator("").is_err());
    assert!(check_operator("a\u{1b}b").is_err());
}

fn entry(kind: JournalKind, text: &str) -> JournalEntry {
    JournalEntry {
        at: Utc.with_ymd_and_hms(2026, 11, 23, 8, 41, 0).unwrap(),
        operator: "dupontje".into(),
        kind,
        text: text.into(),
    }
}

#[test]
fn a_corrected_outcome_reads_in_french_and_keeps_its_slug() {
    let e = entry(JournalKind::OutcomeCorrected, "escalated");
    assert_eq!(e.describe(), "issue corrigée : escaladé (2e niveau)");
    assert_eq!(JournalKind::OutcomeCorrected.slug(), "outcome_corrected");
    assert_eq!(JournalKind::OutcomeCorrected.label(), "issue corrigée");
    assert_eq!(
        JournalKind::from_slug("outcome_corrected"),
        Some(JournalKind::OutcomeCorrected)
    );
    // JSON exports use the same slug as the database.
    assert_eq!(
        serde_json::to_value(JournalKind::OutcomeCorrected).unwrap(),
        "outcome_corrected"
    );
    assert_eq!(
        serde_json::to_value(JournalKind::Outcome).unwrap(),
        "outcome"
    );
}

#[test]
fn the_journal_outcome_is_the_latest_recorded() {
    assert_eq!(journal_outcome(&[]), None);
    let opened = entry(JournalKind::Opened, "VPN bleu");
    assert_eq!(journal_outcome(std::slice::from_ref(&opened)), None);
    let journal = [
        opened,
        entry(JournalKind::Outcome, "escalated"),
        entry(JournalKind::Outcome, "resolved"),
        entry(JournalKind::Status, "closed"),
    ];
    assert_eq!(journal_outcome(&journal), Some(Outcome::Resolved));
    let mut corrected = journal.to_vec();
    corrected.push(entry(
        JournalKind::Note,
        "rappel de l'agent : toujours en panne",
    ));
    corrected.push(entry(JournalKind::OutcomeCorrected, "callback"));
    corrected.push(entry(JournalKind::Note, "resolved"));
    assert_eq!(journal_outcome(&corrected), Some(Outcome::Callback));
    // An entry whose body is no known outcome is skipped, not taken as "none".
    corrected.push(entry(JournalKind::OutcomeCorrected, "fixed"));
    assert_eq!(journal_outcome(&corrected), Some(Outcome::Callback));
}

#[test]
fn tool_slugs_read_back() {
    use super::tool::ToolKind;
    let slugs: Vec<_> = ToolKind::ALL.iter().map(|t| t.slug()).collect();
    assert_eq!(
        slugs,
        [
            "printer",
            "comu",
            "spell",
            "amigo",
            "cryhod",
            "quota",
            "xivo",
            "telemaintenance"
        ]
    );
    for t in ToolKind::ALL {
        assert_eq!(ToolKind::from_slug(t.slug()), Some(t));
        assert_eq!(serde_json::to_value(t).unwrap(), t.slug());
    }
    assert_eq!(ToolKind::from_slug("fax"), None);
    assert_eq!(ToolKind::from_slug("PRINTER"), None);
    assert_eq!(ToolKind::from_slug(""), None);
}
