//! What the second level receives from `guichet glpi push` and `glpi sync`, asserted whole
//! against the GLPI stand-in (common/glpi.rs), on both engines: labels rather than slugs,
//! whole step texts (the journal keeps them, `call show` folds them), the closing followup
//! with its outcome and note, and a correction of the outcome asked for and said.

use crate::common::desk;
use crate::common::glpi;

use desk::Desk;
use glpi::{APP_TOKEN, Glpi, USER_TOKEN};
use guichet::domain::call::{CallRef, JournalKind};
use guichet::domain::time::paris;
use guichet::domain::walk::{Move, Walk};
use guichet::glpi::{rich_text, sealed};
use guichet::store::WalkEntry;
use serde_json::Value;

const PROCEDURE: &str = "mi-agent-card-cryhod";

/// Writes the desk's config.toml with a `[glpi]` table for `url`.
fn configure(desk: &Desk, url: &str) {
    let dir = desk.path().join("config").join("guichet");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("config.toml"),
        format!("[glpi]\nurl = \"{url}\"\napp_token = \"{APP_TOKEN}\"\ntimeout_seconds = 2\n"),
    )
    .unwrap();
}

fn glpi_ok(desk: &Desk, args: &[&str]) -> String {
    let out = desk
        .cmd()
        .env("GUICHET_GLPI_USER_TOKEN", USER_TOKEN)
        .args(args)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{args:?} failed: {stderr}");
    String::from_utf8(out.stdout).unwrap()
}

fn journal(desk: &Desk, reference: &str) -> Vec<Value> {
    let call = desk.json(&["call", "show", reference, "--format", "json"]);
    call["journal"].as_array().unwrap().clone()
}

/// A journal entry's line as the ticket writes it: Paris time, operator, text.
fn line(entry: &Value, text: &str) -> String {
    let at: chrono::DateTime<chrono::Utc> = entry["at"].as_str().unwrap().parse().unwrap();
    format!(
        "{} {} — {text}",
        paris(at, "%d/%m/%Y %H:%M"),
        entry["operator"].as_str().unwrap()
    )
}

/// Walks the CRYHOD procedure on the call as the console's runner does, to its
/// escalation (whose text is longer than a line): card not at hand, a colleague is
/// there, unlocked, the card is lost.
fn walk_to_escalation(desk: &Desk, call: CallRef) -> guichet::domain::procedure::Procedure {
    let catalog = guichet::catalog::procedures::embedded(&guichet::catalog::embedded_reference());
    let procedure = catalog.get(PROCEDURE).unwrap().clone();
    let mut store = desk.store();
    let mut walk = Walk::start(procedure.clone());
    let at = chrono::Utc::now();
    let start = WalkEntry {
        kind: JournalKind::Procedure,
        line: PROCEDURE,
        mark: &walk.mark(),
        escalated: false,
    };
    store.append_walk(call, "op", at, &start).unwrap();
    for mv in [
        Move::Answer(false),
        Move::Answer(true),
        Move::Confirm,
        Move::Answer(true),
        Move::Escalate,
    ] {
        let effect = walk.apply(&mv, at).unwrap();
        let entry = WalkEntry {
            kind: JournalKind::Step,
            line: &effect.journal,
            mark: &walk.mark(),
            escalated: effect.escalated_to.is_some(),
        };
        store.append_walk(call, "op", at, &entry).unwrap();
    }
    procedure
}

on_both_engines! {
fn the_ticket_and_its_followups_say_it_whole_with_labels(desk) {
    let glpi = Glpi::start();
    configure(&desk, &glpi.url());
    let reference = desk.add("Marie Curie", "mi", "noemi", &["--phone", "01 23 45 67 89"]);
    let call: CallRef = reference.parse().unwrap();
    let procedure = walk_to_escalation(&desk, call);
    let step = |id: &str| procedure.steps[procedure.step_index(id).unwrap()].text.clone();
    let escalation = step("revocation-renouvellement");
    assert!(escalation.chars().count() > 120, "a step longer than the old cut: {escalation}");

    // The journal keeps the step's whole text.
    let entries = journal(&desk, &reference);
    let last_step = entries.iter().rfind(|e| e["kind"] == "step").unwrap();
    assert_eq!(
        last_step["text"],
        format!(
            "[{PROCEDURE}] escaladé vers Hot-Line : procédure de révocation/renouvellement de \
             carte : {escalation} — procédure terminée"
        )
    );
    // `call show` folds it: every word there, no line wider than 80 columns.
    let shown = desk.ok(&["call", "show", &reference]);
    for l in shown.lines() {
        assert!(unicode_width::UnicodeWidthStr::width(l) <= 80, "{l:?} in\n{shown}");
    }
    let words: Vec<&str> = shown.split_whitespace().collect();
    let wanted: Vec<&str> = escalation.split_whitespace().collect();
    assert!(words.windows(wanted.len()).any(|w| w == wanted.as_slice()), "{shown}");

    let out = glpi_ok(&desk, &["glpi", "push", &reference]);
    assert_eq!(out, format!("{reference} : ticket GLPI n° 1234 créé\n"));
    let call_json = desk.json(&["call", "show", &reference, "--format", "json"]);
    let opened: chrono::DateTime<chrono::Utc> =
        call_json["opened_at"].as_str().unwrap().parse().unwrap();
    let operator = call_json["operator"].as_str().unwrap();
    let e = &entries;
    let version = procedure.version();
    let expected = [
        format!("Appel {reference} reçu le {} par {operator}", paris(opened, "%d/%m/%Y à %H:%M")),
        "Appelant : Marie Curie".into(),
        "Téléphone : 01 23 45 67 89".into(),
        "Service : Ministère de l'Intérieur (mi)".into(),
        "Poste : Portable NOEMI (noemi)".into(),
        "Objet : VPN bleu".into(),
        "Issue : escaladé (2e niveau)".into(),
        format!("Procédure : {} ({PROCEDURE}, version {version}) — terminée", procedure.title),
        String::new(),
        "Journal :".into(),
        line(&e[0], "appel ouvert : VPN bleu"),
        line(&e[1], &format!("procédure suivie : {} ({PROCEDURE})", procedure.title)),
        line(&e[2], &format!("[{PROCEDURE}] étape 1 : {} → non", step("carte-en-main"))),
        line(&e[3], &format!("[{PROCEDURE}] étape 5 : {} → oui", step("collegue-present"))),
        line(&e[4], &format!("[{PROCEDURE}] étape 6 faite : {}", step("deverrouillage-collegue"))),
        line(&e[5], &format!("[{PROCEDURE}] étape 10 : {} → oui", step("carte-perdue"))),
        line(&e[6], last_step["text"].as_str().unwrap()),
        line(&e[7], "issue : escaladé (2e niveau)"),
    ]
    .join("\n");
    // Closed by the desk's marker, on a line of its own.
    let desk_mark = desk.store().glpi_desk_marker().unwrap();
    assert_eq!(e.len(), 8, "{e:#?}");
    let tickets = glpi.tickets();
    assert_eq!(tickets.len(), 1);
    assert_eq!(
        tickets[0]["content"].as_str().unwrap(),
        sealed(&rich_text(&expected), &format!("[guichet {desk_mark} {reference}]"))
    );

    // Closed with a note: the followup gives the outcome and the note on the closing line.
    desk.ok(&["call", "close", &reference, "--outcome", "escalated", "--note", "transmis à la Hot-Line <niveau 2>"]);
    glpi_ok(&desk, &["glpi", "push", &reference]);
    let entries = journal(&desk, &reference);
    let closing = entries.iter().rfind(|e| e["kind"] == "status").unwrap();
    let followups = glpi.followups();
    assert_eq!(followups.len(), 1);
    let expected = [
        format!("Suite de l'appel {reference} :"),
        line(
            closing,
            "appel clos, issue : escaladé (2e niveau) — note de clôture : transmis à la \
             Hot-Line <niveau 2>",
        ),
    ]
    .join("\n");
    assert_eq!(
        followups[0]["content"].as_str().unwrap(),
        sealed(&rich_text(&expected), &format!("[guichet {desk_mark} {reference} envoi 2]"))
    );
}
}

on_both_engines! {
fn correcting_a_ticketed_outcome_is_confirmed_and_said_to_glpi(desk) {
    let glpi = Glpi::start();
    configure(&desk, &glpi.url());
    let reference = desk.add("Marie Curie", "mi", "noemi", &[]);
    let call: CallRef = reference.parse().unwrap();
    walk_to_escalation(&desk, call);
    desk.ok(&["call", "close", &reference, "--outcome", "escalated"]);
    glpi_ok(&desk, &["glpi", "push", &reference]);
    assert_eq!(glpi.tickets().len(), 1);
    let outbox_before = desk.store().glpi_outbox_of(call).unwrap().len();

    // Without --yes: refused in one sentence, nothing changed, nothing queued.
    let (code, stderr) = desk.fails(&["call", "outcome", &reference, "--outcome", "resolved"]);
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(
        stderr.trim_end(),
        format!(
            "guichet : {reference} a le ticket GLPI n° 1234 : corriger son issue y ajoutera un \
             suivi ; redonner la commande avec --yes pour confirmer"
        )
    );
    let shown = desk.json(&["call", "show", &reference, "--format", "json"]);
    assert_eq!(shown["outcome"], "escalated");
    assert_eq!(desk.store().glpi_outbox_of(call).unwrap().len(), outbox_before);

    // Confirmed: corrected, and a followup queued in the outbox, sent by the next sync.
    let out = desk.ok(&[
        "call", "outcome", &reference, "--outcome", "resolved", "--note", "résolu par la Hot-Line", "--yes",
    ]);
    assert_eq!(
        out,
        format!(
            "issue de {reference} corrigée : résolu\nsuivi pour le ticket GLPI n° 1234 mis en \
             attente : guichet glpi sync l'enverra\n"
        )
    );
    let outbox = desk.store().glpi_outbox_of(call).unwrap();
    assert_eq!(outbox.len(), outbox_before + 1);
    assert!(glpi.followups().is_empty(), "queued, not sent by the correction");
    let out = glpi_ok(&desk, &["glpi", "sync"]);
    assert_eq!(out, format!("{reference} : 2 entrée(s) de journal ajoutée(s) au ticket GLPI n° 1234\n"));
    let entries = journal(&desk, &reference);
    let n = entries.len();
    let note = entries.iter().rfind(|e| e["kind"] == "note").unwrap();
    let corrected = &entries[n - 1];
    assert_eq!(corrected["kind"], "outcome_corrected");
    let expected = [
        format!("Suite de l'appel {reference} :"),
        line(note, "résolu par la Hot-Line"),
        line(corrected, "issue corrigée : résolu (était : escaladé (2e niveau))"),
    ]
    .join("\n");
    let desk_mark = desk.store().glpi_desk_marker().unwrap();
    let marker = format!("[guichet {desk_mark} {reference} envoi {}]", outbox.last().unwrap().id);
    let followups = glpi.followups();
    assert_eq!(followups.len(), 1);
    assert_eq!(followups[0]["content"].as_str().unwrap(), sealed(&rich_text(&expected), &marker));

    // A call without a ticket is corrected as before, without asking.
    let other = desk.add("Pierre Curie", "mi", "noemi", &[]);
    desk.ok(&["call", "close", &other, "--outcome", "callback"]);
    assert_eq!(
        desk.ok(&["call", "outcome", &other, "--outcome", "resolved"]),
        format!("issue de {other} corrigée : résolu\n")
    );
}
}
