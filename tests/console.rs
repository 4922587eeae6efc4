//! The console's behaviour, key by key, on a real database file (no terminal needed: the
//! App is driven with key events and inspected).

use chrono::{Duration, TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use guichet::catalog::embedded_reference;
use guichet::domain::call::{CallStatus, Field, Outcome};
use guichet::store::{CallFilter, Store};
use guichet::tui::app::{App, Scope, Screen};
use guichet::tui::theme::Theme;
use std::path::Path;

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 8, 41, 0).unwrap()
}

fn app_on(path: &Path, operator: &str) -> App {
    App::new(
        Store::open(path).unwrap(),
        embedded_reference(),
        guichet::catalog::procedures::embedded(&embedded_reference()),
        operator.into(),
        "Hotline".into(),
        Theme { color: false },
        now(),
    )
}

fn key(app: &mut App, code: KeyCode) {
    app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
}

fn ctrl(app: &mut App, c: char) {
    app.handle_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL));
}

fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        key(app, KeyCode::Char(c));
    }
}

fn fill_call(app: &mut App, name: &str) {
    key(app, KeyCode::F(2));
    type_text(app, name);
    key(app, KeyCode::Tab);
    type_text(app, "06 12 34 56 78");
    key(app, KeyCode::Tab);
    key(app, KeyCode::Tab);
    type_text(app, "int");
    key(app, KeyCode::Tab);
    type_text(app, "noe");
    key(app, KeyCode::Tab);
    type_text(app, "carte agent oubliée");
}

fn stored(path: &Path) -> Vec<guichet::domain::call::Call> {
    Store::open(path)
        .unwrap()
        .list_calls(&CallFilter::default())
        .unwrap()
}

#[test]
fn a_call_typed_and_saved_is_stored_and_shown() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db");
    let mut app = app_on(&db, "dupontje");
    fill_call(&mut app, "Zoé Martin");
    app.tick(now() + Duration::seconds(95));
    ctrl(&mut app, 's');
    assert_eq!(app.screen, Screen::Detail);
    assert!(app.form.is_none());
    let flash = app.flash.as_ref().unwrap();
    assert!(!flash.error);
    assert!(flash.text.contains("A-0001"), "{}", flash.text);

    let calls = stored(&db);
    assert_eq!(calls.len(), 1);
    let c = &calls[0];
    assert_eq!(c.caller_name, "Zoé Martin");
    assert_eq!(c.service, "mi");
    assert_eq!(c.device, "noemi");
    assert_eq!(c.summary, "carte agent oubliée");
    assert_eq!(c.operator, "dupontje");
    // The call started when the form opened, not when it was saved.
    assert_eq!(c.opened_at, now());
    assert_eq!(
        Store::open(&db).unwrap().load_draft("dupontje").unwrap(),
        None
    );
}

#[test]
fn a_failed_save_keeps_the_typing_and_points_at_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db");
    let mut app = app_on(&db, "op");
    key(&mut app, KeyCode::F(2));
    type_text(&mut app, "Zoé");
    key(&mut app, KeyCode::Tab);
    type_text(&mut app, "06-AB");
    ctrl(&mut app, 's');
    assert_eq!(app.screen, Screen::Form);
    let form = app.form.as_ref().unwrap();
    assert_eq!(form.focus, Field::Phone);
    assert_eq!(form.caller_name.value(), "Zoé");
    assert_eq!(form.phone.value(), "06-AB");
    let errors = form.errors.as_ref().unwrap();
    assert!(
        errors
            .for_field(Field::Phone)
            .unwrap()
            .contains("« 06-AB »")
    );
    assert!(errors.for_field(Field::Service).is_some());
    assert!(app.flash.as_ref().unwrap().error);
    assert!(stored(&db).is_empty());
    // Fixing the field clears its error at once.
    for _ in 0..5 {
        key(&mut app, KeyCode::Backspace);
    }
    assert!(
        app.form
            .as_ref()
            .unwrap()
            .errors
            .as_ref()
            .unwrap()
            .for_field(Field::Phone)
            .is_none()
    );
}

#[test]
fn leaving_the_form_keeps_the_draft_across_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db");
    let mut app = app_on(&db, "anne");
    key(&mut app, KeyCode::F(2));
    type_text(&mut app, "Anne Çelik");
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Tab);
    type_text(&mut app, "caen");
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.screen, Screen::List);
    // F2 comes back to the same draft, focus on the caller's name.
    key(&mut app, KeyCode::F(2));
    let form = app.form.as_ref().unwrap();
    assert_eq!(form.caller_name.value(), "Anne Çelik");
    assert_eq!(form.focus, Field::CallerName);
    ctrl(&mut app, 'c');
    assert!(app.quit);
    drop(app);

    // Another operator does not get Anne's draft.
    let paul = app_on(&db, "paul");
    assert_eq!(paul.screen, Screen::List);
    assert!(paul.form.is_none());
    assert!(paul.draft_offer.is_none());

    let mut again = app_on(&db, "anne");
    // The draft is offered first, over the list.
    assert_eq!(again.screen, Screen::List);
    assert_eq!(again.context(), guichet::tui::keys::Context::DraftOffer);
    assert_eq!(
        again.draft_offer.as_ref().unwrap().draft.caller_name,
        "Anne Çelik"
    );
    key(&mut again, KeyCode::Char('o'));
    assert_eq!(again.screen, Screen::Form);
    let form = again.form.as_ref().unwrap();
    assert_eq!(form.caller_name.value(), "Anne Çelik");
    assert_eq!(form.draft(&again.reference).service, "acn-caen");
    assert_eq!(form.opened_at, now());
    assert!(again.flash.as_ref().unwrap().text.contains("reprise"));
    assert!(stored(&db).is_empty());
}

#[test]
fn the_draft_is_saved_on_the_next_tick_while_typing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db");
    let mut app = app_on(&db, "anne");
    key(&mut app, KeyCode::F(2));
    type_text(&mut app, "Bruno");
    let other = Store::open(&db).unwrap();
    assert_eq!(other.load_draft("anne").unwrap(), None);
    app.tick(now() + Duration::seconds(1));
    let saved = other.load_draft("anne").unwrap().unwrap();
    assert_eq!(saved.draft.caller_name, "Bruno");
}

#[test]
fn pickers_find_by_type_ahead_and_arrows() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_on(&dir.path().join("g.db"), "op");
    key(&mut app, KeyCode::F(2));
    for _ in 0..3 {
        key(&mut app, KeyCode::Tab);
    }
    assert_eq!(app.form.as_ref().unwrap().focus, Field::Service);
    type_text(&mut app, "rouen");
    key(&mut app, KeyCode::Tab);
    // Down then Enter on the untouched device list takes the second device.
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Enter);
    let form = app.form.as_ref().unwrap();
    let draft = form.draft(&app.reference);
    assert_eq!(draft.service, "acn-rouen");
    assert_eq!(draft.device, "span");
    assert_eq!(form.focus, Field::Summary);
}

#[test]
fn notes_and_closing_are_journaled() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db");
    let mut app = app_on(&db, "dupontje");
    fill_call(&mut app, "Zoé Martin");
    ctrl(&mut app, 's');
    key(&mut app, KeyCode::Char('a'));
    type_text(&mut app, "RSIM prévenu");
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Char('c'));
    key(&mut app, KeyCode::Down);
    type_text(&mut app, "ticket SETNA");
    key(&mut app, KeyCode::Enter);
    let record = &app.detail.as_ref().unwrap().record;
    assert_eq!(record.call.status, CallStatus::Closed);
    assert_eq!(record.call.outcome, Some(Outcome::Escalated));
    let texts: Vec<String> = record.journal.iter().map(|e| e.describe()).collect();
    assert_eq!(
        texts,
        [
            "appel ouvert : carte agent oubliée",
            "RSIM prévenu",
            "ticket SETNA",
            "issue : escaladé (2e niveau)",
            "appel clos"
        ]
    );
    // Closing twice is refused with a message, not a crash.
    key(&mut app, KeyCode::Char('c'));
    assert!(app.flash.as_ref().unwrap().error);
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.screen, Screen::List);
    assert!(
        app.list.calls.is_empty(),
        "the open list no longer shows it"
    );
    key(&mut app, KeyCode::Char('t'));
    assert_eq!(app.list.scope, Scope::All);
    assert_eq!(app.list.calls.len(), 1);
}

#[test]
fn list_filters_search_and_sees_other_operators_writes() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db");
    let mut anne = app_on(&db, "anne");
    fill_call(&mut anne, "Zoé Martin");
    ctrl(&mut anne, 's');
    key(&mut anne, KeyCode::Esc);

    let mut paul = app_on(&db, "paul");
    assert_eq!(paul.list.calls.len(), 1);
    fill_call(&mut paul, "Bruno Lefèvre");
    ctrl(&mut paul, 's');
    key(&mut paul, KeyCode::Esc);

    // Anne's console picks up Paul's call on its next tick.
    assert_eq!(anne.list.calls.len(), 1);
    anne.tick(now() + Duration::seconds(1));
    assert_eq!(anne.list.calls.len(), 2);
    assert_eq!(anne.list.calls[0].caller_name, "Bruno Lefèvre");

    key(&mut anne, KeyCode::Char('m'));
    assert_eq!(anne.list.calls.len(), 1);
    assert_eq!(anne.list.calls[0].operator, "anne");
    key(&mut anne, KeyCode::Char('t'));
    key(&mut anne, KeyCode::Char('/'));
    type_text(&mut anne, "lefe");
    assert_eq!(anne.list.calls.len(), 1);
    assert_eq!(anne.list.calls[0].caller_name, "Bruno Lefèvre");
    key(&mut anne, KeyCode::Esc);
    assert_eq!(anne.list.calls.len(), 2);
    key(&mut anne, KeyCode::Char('s'));
    assert_eq!(anne.list.service.as_deref(), Some("mi"));
    assert_eq!(anne.list.calls.len(), 2);
    key(&mut anne, KeyCode::Char('s'));
    assert_eq!(anne.list.service.as_deref(), Some("social-direccte"));
    assert!(anne.list.calls.is_empty());
}

#[test]
fn help_opens_over_any_screen_and_closes() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_on(&dir.path().join("g.db"), "op");
    key(&mut app, KeyCode::Char('?'));
    assert!(app.help);
    key(&mut app, KeyCode::Esc);
    assert!(!app.help);
    key(&mut app, KeyCode::F(2));
    // In a form, ? is text; F1 is the help.
    key(&mut app, KeyCode::Char('?'));
    assert!(!app.help);
    assert_eq!(app.form.as_ref().unwrap().caller_name.value(), "?");
    key(&mut app, KeyCode::F(1));
    assert!(app.help);
    key(&mut app, KeyCode::F(1));
    assert!(!app.help);
    assert_eq!(app.screen, Screen::Form);
}

fn walk_to_cryhod_secret(app: &mut App) {
    fill_call(app, "Zoé Martin");
    ctrl(app, 'p');
    assert_eq!(
        app.form.as_ref().unwrap().matches[0].slug,
        "mi-agent-card-cryhod"
    );
    key(app, KeyCode::Enter);
    assert_eq!(app.screen, Screen::Detail);
    // 1. card with the agent? no → 5. colleague? no → 7. CRYHOD password (secret).
    key(app, KeyCode::Char('n'));
    key(app, KeyCode::Char('n'));
    let runner = app.detail.as_ref().unwrap().runner.as_ref().unwrap();
    assert!(runner.is_secret());
}

#[test]
fn a_secret_is_given_journaled_as_given_and_never_written() {
    const SECRET: &str = "Zx9-CRYHOD-s3cret!";
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db");
    let mut app = app_on(&db, "dupontje");
    walk_to_cryhod_secret(&mut app);
    type_text(&mut app, SECRET);
    {
        let runner = app.detail.as_ref().unwrap().runner.as_ref().unwrap();
        assert!(runner.input.is_masked());
    }
    // Shown once to read it aloud, then masked again, and never again.
    ctrl(&mut app, 'r');
    assert!(
        !app.detail
            .as_ref()
            .unwrap()
            .runner
            .as_ref()
            .unwrap()
            .input
            .is_masked()
    );
    key(&mut app, KeyCode::End);
    assert!(
        app.detail
            .as_ref()
            .unwrap()
            .runner
            .as_ref()
            .unwrap()
            .input
            .is_masked()
    );
    ctrl(&mut app, 'r');
    assert!(
        app.detail
            .as_ref()
            .unwrap()
            .runner
            .as_ref()
            .unwrap()
            .input
            .is_masked()
    );
    assert!(app.flash.as_ref().unwrap().error);
    key(&mut app, KeyCode::Enter);

    let journal = &app.detail.as_ref().unwrap().record.journal;
    let last = journal.last().unwrap().describe();
    assert!(
        last.contains("Mot de passe CRYHOD donné à l'appelant le 23/11/2026 à 09:41"),
        "{last}"
    );
    assert!(
        last.contains("valable jusqu'au 23/12/2026 à 09:41"),
        "{last}"
    );
    ctrl(&mut app, 'c');
    drop(app);

    for suffix in ["", "-wal", "-shm"] {
        let path = dir.path().join(format!("g.db{suffix}"));
        if let Ok(bytes) = std::fs::read(&path) {
            let found = bytes.windows(SECRET.len()).any(|w| w == SECRET.as_bytes());
            assert!(!found, "secret found in {}", path.display());
        }
    }
}

#[test]
fn a_walk_is_journaled_resumed_and_can_go_back() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db");
    let mut app = app_on(&db, "dupontje");
    walk_to_cryhod_secret(&mut app);
    // Back one step: journaled, the question asked again.
    ctrl(&mut app, 'b');
    let current = |app: &App| {
        let r = app.detail.as_ref().unwrap().runner.as_ref().unwrap();
        r.walk.current.map(|i| r.walk.procedure.steps[i].id.clone())
    };
    let at_question = current(&app).unwrap();
    assert_eq!(app.context(), guichet::tui::keys::Context::Runner);
    // Leave the runner and the call; come back: the walk resumes at the same step.
    key(&mut app, KeyCode::Esc);
    assert!(app.detail.as_ref().unwrap().runner.is_none());
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.screen, Screen::List);
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Char('p'));
    assert_eq!(current(&app).unwrap(), at_question);
    // Yes: a colleague unlocks (6), then "card lost?" yes → escalation (12).
    key(&mut app, KeyCode::Char('o'));
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Char('o'));
    key(&mut app, KeyCode::Enter);
    let detail = app.detail.as_ref().unwrap();
    assert!(detail.runner.as_ref().unwrap().walk.is_finished());
    assert_eq!(detail.record.call.outcome, Some(Outcome::Escalated));
    assert_eq!(detail.record.call.status, CallStatus::Open);
    let lines: Vec<String> = detail.record.journal.iter().map(|e| e.describe()).collect();
    assert!(
        lines
            .iter()
            .any(|l| l == "procédure suivie : mi-agent-card-cryhod"),
        "{lines:#?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("étape 1 : ") && l.ends_with("→ non")),
        "{lines:#?}"
    );
    assert!(
        lines.iter().any(|l| l.contains("retour à l'étape 5")),
        "{lines:#?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("étape 5 : ") && l.ends_with("→ oui")),
        "{lines:#?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("escaladé vers") && l.contains("procédure terminée")),
        "{lines:#?}"
    );
    assert!(
        lines.iter().any(|l| l == "issue : escaladé (2e niveau)"),
        "{lines:#?}"
    );
    // Only one "procedure used" entry: resuming is not starting again.
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.starts_with("procédure suivie"))
            .count(),
        1
    );
}

#[test]
fn proposals_follow_the_summary_service_and_device() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_on(&dir.path().join("g.db"), "op");
    key(&mut app, KeyCode::F(2));
    assert!(app.form.as_ref().unwrap().matches.is_empty());
    for _ in 0..3 {
        key(&mut app, KeyCode::Tab);
    }
    type_text(&mut app, "rouen");
    key(&mut app, KeyCode::Tab);
    type_text(&mut app, "pc pro");
    key(&mut app, KeyCode::Tab);
    // Service and device alone already propose what fits them.
    assert!(!app.form.as_ref().unwrap().matches.is_empty());
    type_text(&mut app, "code session prise en main");
    assert_eq!(
        app.form.as_ref().unwrap().matches[0].slug,
        "acn-telemaintenance"
    );
}

#[test]
fn call_show_prints_the_steps_walked() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db");
    let mut app = app_on(&db, "dupontje");
    walk_to_cryhod_secret(&mut app);
    type_text(&mut app, "secret-du-test");
    key(&mut app, KeyCode::Enter);
    ctrl(&mut app, 'c');
    drop(app);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_guichet"))
        .env("GUICHET_DB", &db)
        .args(["call", "show", "A-0001"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("procédure suivie : mi-agent-card-cryhod"),
        "{text}"
    );
    assert!(text.contains("[mi-agent-card-cryhod] étape 1 :"), "{text}");
    assert!(text.contains("Mot de passe CRYHOD donné"), "{text}");
    assert!(!text.contains("secret-du-test"));
}

#[test]
fn handover_screen_writes_the_note_and_acknowledges() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db");
    let mut app = app_on(&db, "anne");
    fill_call(&mut app, "Zoé Martin");
    ctrl(&mut app, 's');
    key(&mut app, KeyCode::F(5));
    assert_eq!(app.screen, Screen::Handover);
    let report = app.handover.report.as_ref().unwrap();
    assert_eq!(report.calls_total, 1);
    assert_eq!(report.open.len(), 1);
    key(&mut app, KeyCode::Char('e'));
    type_text(&mut app, "Rappeler Zoé");
    key(&mut app, KeyCode::Enter);
    assert_eq!(
        app.handover.report.as_ref().unwrap().note().unwrap().text,
        "Rappeler Zoé"
    );
    key(&mut app, KeyCode::Char('a'));
    key(&mut app, KeyCode::Char('a'));
    assert!(app.flash.as_ref().unwrap().error, "acknowledged only once");
    let acks = app
        .handover
        .report
        .as_ref()
        .unwrap()
        .acknowledgements()
        .count();
    assert_eq!(acks, 1);
    // The previous shift, then back; the future is not offered.
    key(&mut app, KeyCode::Left);
    assert_eq!(app.handover.shift.as_ref().unwrap().name, "nuit");
    key(&mut app, KeyCode::Right);
    key(&mut app, KeyCode::Right);
    assert_eq!(app.handover.shift.as_ref().unwrap().name, "matin");
    // Enter opens the waiting call.
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.screen, Screen::Detail);
}

#[test]
fn a_draft_found_at_start_can_be_kept_for_later_or_abandoned() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db");
    let mut app = app_on(&db, "anne");
    key(&mut app, KeyCode::F(2));
    type_text(&mut app, "Bruno");
    ctrl(&mut app, 'c');
    drop(app);
    let mut later = app_on(&db, "anne");
    key(&mut later, KeyCode::Esc);
    assert_eq!(later.screen, Screen::List);
    key(&mut later, KeyCode::F(2));
    assert_eq!(later.form.as_ref().unwrap().caller_name.value(), "Bruno");
    drop(later);
    let mut abandon = app_on(&db, "anne");
    key(&mut abandon, KeyCode::Char('x'));
    assert!(abandon.draft_offer.is_none());
    drop(abandon);
    let clean = app_on(&db, "anne");
    assert!(clean.draft_offer.is_none(), "abandoning clears the draft");
}

#[test]
fn taking_over_a_call_asks_first_and_is_journaled() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db");
    let mut anne = app_on(&db, "anne");
    fill_call(&mut anne, "Zoé Martin");
    ctrl(&mut anne, 's');
    drop(anne);
    let mut paul = app_on(&db, "paul");
    key(&mut paul, KeyCode::Enter);
    assert_eq!(paul.detail.as_ref().unwrap().record.call.handler, "anne");
    key(&mut paul, KeyCode::Char('a'));
    assert_eq!(paul.context(), guichet::tui::keys::Context::DetailTakeOver);
    key(&mut paul, KeyCode::Char('n'));
    assert_eq!(paul.detail.as_ref().unwrap().record.call.handler, "anne");
    key(&mut paul, KeyCode::Char('a'));
    key(&mut paul, KeyCode::Char('o'));
    let detail = paul.detail.as_ref().unwrap();
    assert_eq!(detail.record.call.handler, "paul");
    assert!(
        detail
            .record
            .journal
            .iter()
            .any(|e| e.describe() == "appel repris par paul (le tenait : anne)")
    );
    // The note input the operator asked for is open now.
    assert_eq!(paul.context(), guichet::tui::keys::Context::DetailNote);
}
