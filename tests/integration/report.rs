//! The handover report on a fixed data set, in every format; acknowledgement; the CSV read
//! back; empty shifts and bad windows.

use crate::common::desk;

use chrono::Duration;
use desk::{Desk, Engine};
use guichet::catalog::embedded_reference;
use guichet::domain::shifts::ShiftPlan;
use guichet::report::{CsvOptions, HandoverReport, to_csv, to_markdown};
use guichet::store::{HandoverKind, Store};
use guichet::tui::gallery::{fill_handover, now};
use serde_json::Value;

fn report(store: &Store) -> HandoverReport {
    let plan = ShiftPlan::default_plan();
    let shift = plan.current(now());
    let reference = embedded_reference();
    HandoverReport::build(
        store,
        &reference,
        &shift,
        &plan.previous(&shift),
        None,
        now(),
    )
    .unwrap()
}

/// The gallery's busy morning, written into a new store of `engine` (kept with its desk).
fn handover_store(engine: Engine) -> (Desk, Store) {
    let desk = Desk::on(engine);
    let mut store = desk.store();
    fill_handover(&mut store);
    (desk, store)
}

on_both_engines! {
fn the_morning_report_counts_and_lists_what_waits(engine: Engine) {
    let (_desk, store) = handover_store(engine);
    let r = report(&store);
    assert_eq!(r.shift.name, "matin");
    assert_eq!(r.calls_total, 10);
    assert_eq!(r.still_open, 3);
    assert_eq!(r.by_service["mi"], 5);
    assert_eq!(r.by_service["mtes"], 2);
    assert_eq!(r.by_device["noemi"], 3);
    assert_eq!(r.by_outcome["resolved"], 5);
    assert_eq!(r.by_outcome["callback"], 1);
    assert_eq!(r.by_outcome["escalated"], 1);
    assert_eq!(r.by_operator["dupontje"], 6);
    assert_eq!(r.by_operator["martinpa"], 4);
    // Oldest first, including the one opened before the shift (A-0002, 07:55).
    let open: Vec<String> = r
        .open
        .iter()
        .map(|w| w.call.reference.to_string())
        .collect();
    assert_eq!(open, ["A-0002", "A-0003", "A-0012", "A-0005"]);
    assert_eq!(r.open[0].age_secs, 106 * 60);
    assert_eq!(
        r.open[3].last_journal.as_deref(),
        Some("rappeler après accord du RSIM")
    );
    let callbacks: Vec<String> = r
        .callbacks
        .iter()
        .map(|w| w.call.reference.to_string())
        .collect();
    assert_eq!(callbacks, ["A-0008"]);
    assert!(r.callbacks[0].callback_due);
    assert_eq!(r.top_procedures[0].slug, "mi-noemi-reset-vpn");
    assert_eq!(r.top_procedures[0].calls, 2);
    assert_eq!(r.handling.closed, 7);
    assert!(r.handling.median_secs.is_some());
    assert_eq!(r.note().unwrap().operator, "dupontje");
    assert_eq!(
        r.previous_notes.len(),
        2,
        "the night's note and its acknowledgement"
    );
}
}

on_both_engines! {
fn markdown_reads_well_pasted_in_a_mail(engine: Engine) {
    let (_desk, store) = handover_store(engine);
    let md = to_markdown(&report(&store), &embedded_reference(), "Hotline MI");
    assert!(
        md.starts_with("# Relève — matin du 23/11/2026 (08:00 → 16:00)\n"),
        "{md}"
    );
    assert!(md.contains("**10 appels** · 3 encore ouverts"), "{md}");
    assert!(md.contains("| A-0008 **à rappeler** |"), "{md}");
    assert!(md.contains("| Intérieur | 5 |"), "{md}");
    assert!(
        md.contains("> Rappeler Paul Renaud (VPN hôtel) avant 11 h"),
        "{md}"
    );
    assert!(
        md.contains("Note de la relève précédente (nuit, nuitop)"),
        "{md}"
    );
    // Every table row has the same number of cells as its header.
    for block in md.split("\n\n").filter(|b| b.starts_with('|')) {
        let cols: Vec<usize> = block
            .lines()
            .map(|l| l.replace("\\|", "").matches('|').count())
            .collect();
        assert!(cols.windows(2).all(|w| w[0] == w[1]), "{block}");
    }
}
}

on_both_engines! {
fn csv_with_semicolons_and_bom_parses_back(engine: Engine) {
    let (_desk, store) = handover_store(engine);
    let plan = ShiftPlan::default_plan();
    let shift = plan.current(now());
    let calls = store.window_calls(shift.from, shift.to, None).unwrap();
    let text = to_csv(
        &calls,
        &embedded_reference(),
        CsvOptions {
            separator: ';',
            bom: true,
        },
    );
    assert!(text.starts_with('\u{feff}'));
    let body = text.trim_start_matches('\u{feff}');
    let rows = parse_csv(body, ';');
    assert_eq!(rows.len(), 11, "header and ten calls");
    assert_eq!(rows[0][0], "reference");
    assert_eq!(rows[0].len(), rows[1].len());
    let anne: Vec<&Vec<String>> = rows.iter().filter(|r| r[7] == "Bruno Lefèvre").collect();
    assert_eq!(anne.len(), 1);
    assert_eq!(anne[0][10], "mi");
    assert_eq!(anne[0][2], "2026-11-23 08:12:00");
}
}

/// A small RFC 4180 reader: quoted fields, doubled quotes, CRLF.
fn parse_csv(text: &str, sep: char) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, c) if c == sep => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    rows
}

on_both_engines! {
fn an_empty_shift_is_a_short_report(desk) {
    let store = desk.store();
    let r = report(&store);
    assert!(r.is_empty());
    let md = to_markdown(&r, &embedded_reference(), "Hotline");
    assert!(md.contains("Aucun appel pendant cette relève"), "{md}");
    assert!(md.lines().count() < 12, "{md}");
}
}

on_both_engines! {
fn acknowledgement_is_kept_and_shown(desk) {
    let mut store = desk.store();
    let plan = ShiftPlan::default_plan();
    let shift = plan.current(now());
    store
        .add_handover(HandoverKind::Note, "anne", now(), &shift, "RAS")
        .unwrap();
    store
        .add_handover(
            HandoverKind::Ack,
            "paul",
            now() + Duration::minutes(20),
            &shift,
            "",
        )
        .unwrap();
    let r = report(&store);
    let acks: Vec<&str> = r.acknowledgements().map(|a| a.operator.as_str()).collect();
    assert_eq!(acks, ["paul"]);
    let md = to_markdown(&r, &embedded_reference(), "Hotline");
    assert!(
        md.contains("Prise de connaissance : paul le 23/11/2026 à 10:01."),
        "{md}"
    );
}
}

on_both_engines! {
fn cli_report_in_all_formats_and_bad_windows(desk) {
    let run = |args: &[&str]| {
        desk.cmd()
            .env("GUICHET_OPERATOR", "anne")
            .args(args)
            .output()
            .unwrap()
    };
    for (at, svc) in [
        ("2026-11-23T09:00", "mi"),
        ("2026-11-23T10:00", "acn-caen"),
        ("2026-11-23T17:00", "mi"),
    ] {
        let out = run(&[
            "call",
            "add",
            "--service",
            svc,
            "--device",
            "pc-pro",
            "--caller",
            "Zoé",
            "--summary",
            "x",
            "--at",
            at,
        ]);
        assert!(out.status.success());
    }
    let out = run(&[
        "report",
        "handover",
        "--from",
        "2026-11-23T08:00",
        "--to",
        "2026-11-23T16:00",
        "--format",
        "json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let j: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["calls_total"], 2);
    assert_eq!(j["by_service"]["mi"], 1);
    assert_eq!(j["by_service"]["acn-caen"], 1);
    assert_eq!(j["by_device"]["pc-pro"], 2);
    assert!(j["by_outcome"].is_object());
    assert!(j["open"].is_array());
    // The shift that contains --from alone.
    let out = run(&[
        "report",
        "handover",
        "--from",
        "2026-11-23T17:30",
        "--format",
        "json",
    ]);
    let j: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["shift"]["name"], "soir");
    assert_eq!(j["calls_total"], 1);
    let md = run(&[
        "report",
        "handover",
        "--from",
        "2026-11-23T08:00",
        "--to",
        "2026-11-23T16:00",
    ]);
    assert!(
        String::from_utf8(md.stdout)
            .unwrap()
            .starts_with("# Relève — période")
    );
    let csv = run(&[
        "report",
        "handover",
        "--from",
        "2026-11-23T08:00",
        "--to",
        "2026-11-23T16:00",
        "--format",
        "csv",
        "--separator",
        ";",
        "--bom",
    ]);
    let text = String::from_utf8(csv.stdout).unwrap();
    assert!(text.starts_with("\u{feff}reference;opened_at;"));
    assert_eq!(text.lines().count(), 3);
    let empty = run(&[
        "report",
        "handover",
        "--from",
        "2025-01-01T08:00",
        "--to",
        "2025-01-01T16:00",
    ]);
    assert!(empty.status.success());
    assert!(
        String::from_utf8(empty.stdout)
            .unwrap()
            .contains("Aucun appel")
    );
    let bad = run(&[
        "report",
        "handover",
        "--from",
        "2026-11-23T16:00",
        "--to",
        "2026-11-23T08:00",
    ]);
    assert_eq!(bad.status.code(), Some(2));
    let err = String::from_utf8(bad.stderr).unwrap();
    assert!(
        err.contains("--from") && err.trim_end().lines().count() == 1,
        "{err}"
    );
    let bad = run(&["report", "handover", "--from", "hier"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8(bad.stderr).unwrap().contains("« hier »"));
    let ok = run(&["report", "note", "RAS, bonne relève"]);
    assert!(ok.status.success());
    let ok = run(&["report", "ack"]);
    assert!(ok.status.success());
}
}

#[test]
fn a_desk_configures_its_shifts() {
    let desk = Desk::new();
    let cfg = desk.path().join("config").join("guichet");
    std::fs::create_dir_all(&cfg).unwrap();
    std::fs::write(
        cfg.join("config.toml"),
        "desk = \"Hotline test\"\n[[shifts]]\nname = \"jour\"\nstart = \"07:00\"\nend = \"19:00\"\n[[shifts]]\nname = \"nuit\"\nstart = \"19:00\"\nend = \"07:00\"\n",
    )
    .unwrap();
    let out = desk.run(&[
        "report",
        "handover",
        "--from",
        "2026-11-23T20:00",
        "--format",
        "json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let j: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["shift"]["name"], "nuit");
    assert_eq!(j["shift"]["to"], "2026-11-24T06:00:00Z");
    std::fs::write(
        cfg.join("config.toml"),
        "[[shifts]]\nname = \"a\"\nstart = \"25:00\"\nend = \"07:00\"\n",
    )
    .unwrap();
    let out = desk.run(&["report", "handover"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("« 25:00 »"));
}

on_both_engines! {
fn the_report_counts_answered_and_missed_calls_line_by_line(desk) {
    // The telephony's events as a dialplan script gives them (`guichet phone event`).
    for (event, id, to, at, extra) in [
        ("newCall", "c1", "3000", "2026-11-23T09:00", &[][..]),
        ("answer", "c1", "3000", "2026-11-23T09:01", &["--answering-number", "3001"][..]),
        ("hangup", "c1", "3000", "2026-11-23T09:05", &["--cause", "normalClearing"][..]),
        ("newCall", "c2", "3000", "2026-11-23T09:10", &[][..]),
        ("hangup", "c2", "3000", "2026-11-23T09:11", &["--cause", "cancel"][..]),
        ("newCall", "c3", "3900", "2026-11-23T10:00", &[][..]),
        ("hangup", "c3", "3900", "2026-11-23T10:01", &["--cause", "noAnswer"][..]),
        // Another shift's call, and an outgoing one: neither counts.
        ("newCall", "c4", "3000", "2026-11-23T17:00", &[][..]),
        ("hangup", "c4", "3000", "2026-11-23T17:01", &["--cause", "cancel"][..]),
        ("newCall", "c5", "0612345678", "2026-11-23T11:00", &["--direction", "out"][..]),
        ("hangup", "c5", "0612345678", "2026-11-23T11:01", &["--direction", "out", "--cause", "noAnswer"][..]),
    ] {
        let mut args = vec![
            "phone", "event", "--event", event, "--call-id", id, "--from", "0231301500",
            "--to", to, "--at", at,
        ];
        args.extend_from_slice(extra);
        desk.ok(&args);
    }
    let window = ["--from", "2026-11-23T08:00", "--to", "2026-11-23T16:00"];
    let report = |format: &str, more: &[&str]| {
        let mut args = vec!["report", "handover", "--format", format];
        args.extend_from_slice(&window);
        args.extend_from_slice(more);
        desk.ok(&args)
    };
    let md = report("md", &[]);
    assert!(
        md.contains("## Téléphonie\n\n3 appels entrants · 1 décroché · 2 manqués · taux de décroché 33,3 %"),
        "{md}"
    );
    assert!(md.contains("| 3000 | 1 | 1 | 50,0 % |"), "{md}");
    assert!(md.contains("| 3900 | 0 | 1 | 0,0 % |"), "{md}");

    let j: Value = serde_json::from_str(&report("json", &[])).unwrap();
    let t = &j["telephony"];
    assert_eq!((t["answered"].as_i64(), t["missed"].as_i64()), (Some(1), Some(2)));
    assert_eq!(t["answered_rate"].as_f64(), Some(33.3));
    assert_eq!(t["by_line"][0]["line"], "3000");
    assert_eq!(t["by_line"][0]["answered_rate"].as_f64(), Some(50.0));

    let csv = parse_csv(&report("csv", &["--telephony", "--separator", ";"]), ';');
    assert_eq!(
        csv,
        [
            ["line", "answered", "missed", "answered_rate"],
            ["3000", "1", "1", "50,0"],
            ["3900", "0", "1", "0,0"],
            ["total", "1", "2", "33,3"],
        ]
    );
    let (code, said) = desk.fails(&["report", "handover", "--telephony", "--format", "md"]);
    assert_eq!(code, 2);
    assert!(said.contains("--telephony : réservé aux formats csv et xlsx"), "{said}");
}
}

on_both_engines! {
fn the_handover_lists_escalations_with_their_tickets_in_every_format(desk) {
    use crate::common::glpi::{APP_TOKEN, Glpi, Mode, USER_TOKEN};
    let glpi = Glpi::start();
    let dir = desk.path().join("config").join("guichet");
    std::fs::create_dir_all(&dir).unwrap();
    // A long time limit: the in-doubt push is killed while it waits for GLPI's answer.
    std::fs::write(
        dir.join("config.toml"),
        format!("[glpi]\nurl = \"{}\"\napp_token = \"{APP_TOKEN}\"\ntimeout_seconds = 30\n", glpi.url()),
    )
    .unwrap();
    let call = |caller: &str, at: &str, outcome: &str| -> String {
        let r = desk
            .ok(&["call", "add", "--service", "mi", "--device", "noemi", "--caller", caller,
                  "--summary", "VPN bleu", "--at", at])
            .trim()
            .to_string();
        desk.ok(&["call", "close", &r, "--outcome", outcome]);
        r
    };
    let push = |r: &str| desk.cmd().env("GUICHET_GLPI_USER_TOKEN", USER_TOKEN).args(["glpi", "push", r]).output().unwrap();
    let sent = call("Anne Sent", "2026-11-23T09:00", "escalated");
    let waiting = call("Bruno Waiting", "2026-11-23T09:10", "escalated");
    let doubt = call("Chloé Doubt", "2026-11-23T09:20", "escalated");
    let never = call("Denis Never", "2026-11-23T09:30", "escalated");
    call("Eve Resolved", "2026-11-23T09:40", "resolved");
    assert!(push(&sent).status.success());
    glpi.set_mode(Mode::Fail500);
    assert!(!push(&waiting).status.success());
    // Killed between GLPI's creating the ticket and its answer: the push stays claimed.
    glpi.set_mode(Mode::HoldTicketAnswer);
    let mut child = desk.cmd().env("GUICHET_GLPI_USER_TOKEN", USER_TOKEN).args(["glpi", "push", &doubt]).spawn().unwrap();
    let began = std::time::Instant::now();
    while glpi.tickets().len() < 2 {
        assert!(began.elapsed() < std::time::Duration::from_secs(20), "the ticket never came");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let window = ["--from", "2026-11-23T08:00", "--to", "2026-11-23T16:00"];
    let with = |extra: &[&str]| -> Vec<String> {
        let mut args = vec!["report".to_string(), "handover".into()];
        args.extend(window.iter().map(|s| s.to_string()));
        args.extend(extra.iter().map(|s| s.to_string()));
        args
    };
    let run = |args: Vec<String>| {
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        desk.ok(&a)
    };

    // JSON: each escalation with its ticket and state, the resolved call not among them.
    let j: Value = serde_json::from_str(&run(with(&["--format", "json"]))).unwrap();
    let got: Vec<(String, Value, String, String)> = j["escalations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["reference"].as_str().unwrap().to_string(),
                e["glpi_ticket"].clone(),
                e["handoff"].as_str().unwrap().to_string(),
                e["handoff_label"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let want = |r: &str, t: Value, h: &str, l: &str| (r.to_string(), t, h.to_string(), l.to_string());
    assert_eq!(
        got,
        [
            want(&sent, 1234.into(), "sent", "envoyé"),
            want(&waiting, Value::Null, "waiting", "en attente"),
            want(&doubt, Value::Null, "in_doubt", "en doute"),
            want(&never, Value::Null, "not_queued", "non transmis"),
        ]
    );
    assert_eq!(j["escalations"][0]["service_label"], "Ministère de l'Intérieur");

    // Markdown: a table of them.
    let md = run(with(&[]));
    let section: Vec<&str> = md
        .split("\n## ")
        .find(|s| s.starts_with("Escalades"))
        .unwrap_or_else(|| panic!("no escalations in\n{md}"))
        .lines()
        .collect();
    assert_eq!(
        section,
        [
            "Escalades (4)",
            "",
            "| Réf. | Appelant | Service | Objet | Ticket GLPI | Envoi |",
            "|---|---|---|---|---|---|",
            &format!("| {sent} | Anne Sent | Intérieur | VPN bleu | n° 1234 | envoyé |"),
            &format!("| {waiting} | Bruno Waiting | Intérieur | VPN bleu | — | en attente |"),
            &format!("| {doubt} | Chloé Doubt | Intérieur | VPN bleu | — | en doute |"),
            &format!("| {never} | Denis Never | Intérieur | VPN bleu | — | non transmis |"),
        ]
    );

    // CSV: --escalations, through the one CSV writer, parsed back.
    let text = run(with(&["--format", "csv", "--escalations", "--separator", ";"]));
    let rows = parse_csv(&text, ';');
    assert_eq!(
        rows[0],
        ["reference", "opened_at", "opened_paris", "operator", "caller_name", "service",
         "service_label", "summary", "outcome", "outcome_label", "glpi_ticket", "handoff",
         "handoff_label"]
    );
    let tail: Vec<[&str; 4]> = rows[1..]
        .iter()
        .map(|r| [r[0].as_str(), r[10].as_str(), r[11].as_str(), r[12].as_str()])
        .collect();
    assert_eq!(
        tail,
        [
            [sent.as_str(), "1234", "sent", "envoyé"],
            [waiting.as_str(), "", "waiting", "en attente"],
            [doubt.as_str(), "", "in_doubt", "en doute"],
            [never.as_str(), "", "not_queued", "non transmis"],
        ]
    );
    assert_eq!(rows[1][2], "2026-11-23 09:00:00");
    // Only in CSV, as --telephony.
    let args = with(&["--escalations"]);
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, err) = desk.fails(&a);
    assert_eq!(code, 2);
    assert!(err.contains("--escalations : réservé aux formats csv et xlsx"), "{err}");

    // A later shift still lists the push not sent, whatever the window.
    let j: Value = serde_json::from_str(&desk.ok(&[
        "report", "handover", "--from", "2026-11-23T16:00", "--to", "2026-11-24T00:00", "--format", "json",
    ]))
    .unwrap();
    let later: Vec<&str> = j["escalations"].as_array().unwrap().iter().map(|e| e["reference"].as_str().unwrap()).collect();
    assert_eq!(later, [waiting.as_str(), doubt.as_str()]);
}
}
