//! The console's behaviour, key by key, on a real database file (no terminal needed: the
//! App is driven with key events and inspected, and drawn into memory where what the
//! operator sees is the point).

use chrono::{Duration, TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use guichet::catalog::embedded_reference;
use guichet::domain::call::{CallStatus, Field, JournalKind, Outcome};
use guichet::store::{CallFilter, Store};
use guichet::tui::app::App;
use guichet::tui::gallery::render_app;
use guichet::tui::keys::Context;
use guichet::tui::screens::Kind;
use guichet::tui::screens::list::Scope;
use guichet::tui::screens::tools::Tool;
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

pub(crate) fn key(app: &mut App, code: KeyCode) {
    app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
}

pub(crate) fn ctrl(app: &mut App, c: char) {
    app.handle_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL));
}

pub(crate) fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        key(app, KeyCode::Char(c));
    }
}

/// A new call typed field by field: name, phone, no email, service, device, summary.
pub(crate) fn typed_call(app: &mut App, name: &str, service: &str, device: &str, summary: &str) {
    key(app, KeyCode::F(2));
    type_text(app, name);
    key(app, KeyCode::Tab);
    type_text(app, "06 12 34 56 78");
    key(app, KeyCode::Tab);
    key(app, KeyCode::Tab);
    type_text(app, service);
    key(app, KeyCode::Tab);
    type_text(app, device);
    key(app, KeyCode::Tab);
    type_text(app, summary);
}

fn fill_call(app: &mut App, name: &str) {
    typed_call(app, name, "int", "noe", "carte agent oubliée");
}

/// Saves a call typed with `typed_call` and stays on its detail.
fn saved_call(app: &mut App, name: &str, service: &str, device: &str, summary: &str) {
    typed_call(app, name, service, device, summary);
    ctrl(app, 's');
    assert_eq!(app.screen(), Kind::Detail, "{:?}", app.flash);
}

/// Walks `slug` on a new call whose summary proposes it.
pub(crate) fn walk_new_call(app: &mut App, service: &str, device: &str, summary: &str, slug: &str) {
    typed_call(app, "Hugo Bernard", service, device, summary);
    ctrl(app, 'p');
    let rank = app
        .form()
        .unwrap()
        .matches
        .iter()
        .position(|m| m.slug == slug)
        .unwrap_or_else(|| panic!("{slug} not proposed for « {summary} »"));
    for _ in 0..rank {
        key(app, KeyCode::Down);
    }
    key(app, KeyCode::Enter);
    assert_eq!(app.screen(), Kind::Runner, "{:?}", app.flash);
}

fn stored(path: &Path) -> Vec<guichet::domain::call::Call> {
    Store::open(path)
        .unwrap()
        .list_calls(&CallFilter::default())
        .unwrap()
}

fn journal(app: &App) -> Vec<String> {
    app.detail()
        .unwrap()
        .record
        .journal
        .iter()
        .map(|e| e.describe())
        .collect()
}

/// The screen as text, one line per row.
pub(crate) fn screen_text(app: &App, w: u16, h: u16) -> String {
    let buffer = render_app(app, w, h);
    let mut out = String::new();
    for y in 0..h {
        for x in 0..w {
            out.push_str(buffer[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

#[test]
fn a_call_typed_and_saved_is_stored_and_shown() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db");
    let mut app = app_on(&db, "dupontje");
    fill_call(&mut app, "Zoé Martin");
    app.tick(now() + Duration::seconds(95));
    ctrl(&mut app, 's');
    assert_eq!(app.screen(), Kind::Detail);
    assert!(app.form().is_none());
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
        Store::open(&db)
            .unwrap()
            .load_draft(app.desk.console.id())
            .unwrap(),
        None
    );
    // Back goes to the list, not to the form that was saved.
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.stack_kinds(), [Kind::List]);
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
    assert_eq!(app.screen(), Kind::Form);
    let form = app.form().unwrap();
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
    let errors = app.form().unwrap().errors.as_ref().unwrap();
    assert!(errors.for_field(Field::Phone).is_none());
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
    assert_eq!(app.screen(), Kind::List);
    // "Kept" is said once the writer has it on disk.
    app.settle_drafts();
    assert!(
        app.flash.as_ref().unwrap().text.contains("Saisie gardée"),
        "{:?}",
        app.flash
    );
    // F2 comes back to the same draft, focus on the caller's name.
    key(&mut app, KeyCode::F(2));
    let form = app.form().unwrap();
    assert_eq!(form.caller_name.value(), "Anne Çelik");
    assert_eq!(form.focus, Field::CallerName);
    ctrl(&mut app, 'c');
    assert!(app.quit);
    drop(app);

    // Another operator does not get Anne's draft.
    let paul = app_on(&db, "paul");
    assert_eq!(paul.screen(), Kind::List);
    assert!(paul.form().is_none());
    assert!(paul.draft_offer().is_none());

    let mut again = app_on(&db, "anne");
    // The draft is offered first, over the list.
    assert_eq!(again.screen(), Kind::List);
    assert_eq!(again.context(), Context::DraftOffer);
    assert_eq!(
        again.draft_offer().unwrap().saved.draft.caller_name,
        "Anne Çelik"
    );
    key(&mut again, KeyCode::Char('o'));
    assert_eq!(again.screen(), Kind::Form);
    let form = again.form().unwrap();
    assert_eq!(form.caller_name.value(), "Anne Çelik");
    assert_eq!(form.draft(&again.desk.reference).service, "acn-caen");
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
    let console = app.desk.console.id().to_string();
    assert_eq!(other.load_draft(&console).unwrap(), None);
    app.tick(now() + Duration::seconds(1));
    // Written off the key thread: within the second, not by the key.
    app.settle_drafts();
    let saved = other.load_draft(&console).unwrap().unwrap();
    assert_eq!(saved.draft.caller_name, "Bruno");
}

#[test]
fn quitting_with_a_draft_says_it_is_kept_and_how_to_take_it_back() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db");
    let mut app = app_on(&db, "anne");
    assert_eq!(app.farewell(), None, "nothing typed, nothing to say");
    key(&mut app, KeyCode::F(2));
    type_text(&mut app, "Bruno Lefèvre");
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Char('q'));
    assert!(app.quit);
    let farewell = app.farewell().unwrap();
    assert!(farewell.contains("gardée"), "{farewell}");
    assert!(farewell.contains("Bruno Lefèvre"), "{farewell}");
    assert!(farewell.contains("prochain lancement"), "{farewell}");
    // And it is there to be taken back.
    drop(app);
    let again = app_on(&db, "anne");
    assert_eq!(again.context(), Context::DraftOffer);
}

#[test]
fn pickers_find_by_type_ahead_and_arrows() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_on(&dir.path().join("g.db"), "op");
    key(&mut app, KeyCode::F(2));
    for _ in 0..3 {
        key(&mut app, KeyCode::Tab);
    }
    assert_eq!(app.form().unwrap().focus, Field::Service);
    type_text(&mut app, "rouen");
    key(&mut app, KeyCode::Tab);
    // Down then Enter on the untouched device list takes the second device.
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Enter);
    let form = app.form().unwrap();
    let draft = form.draft(&app.desk.reference);
    assert_eq!(draft.service, "acn-rouen");
    assert_eq!(draft.device, "span");
    assert_eq!(form.focus, Field::Summary);
}

#[test]
fn pickers_match_several_words_and_aliases() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_on(&dir.path().join("g.db"), "op");
    for (typed, device) in [
        ("tel fixe", "ip-phone"),
        ("telephone fixe", "ip-phone"),
        ("téléphone fixe", "ip-phone"),
        ("cle usb", "usb-media"),
    ] {
        key(&mut app, KeyCode::F(2));
        for _ in 0..4 {
            key(&mut app, KeyCode::Tab);
        }
        assert_eq!(app.form().unwrap().focus, Field::Device);
        ctrl(&mut app, 'u');
        type_text(&mut app, typed);
        key(&mut app, KeyCode::Tab);
        let form = app.form().unwrap();
        assert_eq!(form.draft(&app.desk.reference).device, device, "{typed}");
        // Back to the device field, its choice undone, for the next try.
        key(&mut app, KeyCode::BackTab);
        key(&mut app, KeyCode::Backspace);
        key(&mut app, KeyCode::Esc);
    }
}

#[test]
fn the_editing_keys_work_in_pickers_and_tool_fields() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_on(&dir.path().join("g.db"), "op");
    key(&mut app, KeyCode::F(2));
    for _ in 0..3 {
        key(&mut app, KeyCode::Tab);
    }
    type_text(&mut app, "academie rouen");
    ctrl(&mut app, 'w');
    assert_eq!(app.form().unwrap().service.query_text(), "academie ");
    ctrl(&mut app, 'u');
    assert_eq!(app.form().unwrap().service.query_text(), "");
    type_text(&mut app, "caen");
    ctrl(&mut app, 'a');
    type_text(&mut app, "acad ");
    assert_eq!(app.form().unwrap().service.query_text(), "acad caen");
    key(&mut app, KeyCode::Esc);

    // In the printer tool, Ctrl-A goes to the start of the field: it does not switch the
    // spelling alphabet.
    key(&mut app, KeyCode::F(4));
    assert_eq!(app.tools().unwrap().tool, Tool::Printer);
    type_text(&mut app, "76RC-DSI04-B4");
    ctrl(&mut app, 'a');
    type_text(&mut app, "I");
    let tools = app.tools().unwrap();
    assert_eq!(tools.values(), ["I76RC-DSI04-B4"]);
    assert!(!tools.alphabet_french);
    ctrl(&mut app, 'e');
    ctrl(&mut app, 'u');
    assert_eq!(app.tools().unwrap().values(), [""]);
    // The alphabet key belongs to the spelling tool.
    key(&mut app, KeyCode::PageDown);
    key(&mut app, KeyCode::PageDown);
    assert_eq!(app.context(), Context::ToolsSpell);
    ctrl(&mut app, 't');
    assert!(app.tools().unwrap().alphabet_french);
}

#[test]
fn notes_and_closing_are_journaled() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db");
    let mut app = app_on(&db, "dupontje");
    fill_call(&mut app, "Zoé Martin");
    ctrl(&mut app, 's');
    key(&mut app, KeyCode::Char('a'));
    assert_eq!(app.context(), Context::NoteInput);
    type_text(&mut app, "RSIM prévenu");
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Char('c'));
    assert_eq!(app.context(), Context::CloseCall);
    key(&mut app, KeyCode::Down);
    type_text(&mut app, "ticket SETNA");
    key(&mut app, KeyCode::Enter);
    let record = &app.detail().unwrap().record;
    assert_eq!(record.call.status, CallStatus::Closed);
    assert_eq!(record.call.outcome, Some(Outcome::Escalated));
    assert_eq!(
        journal(&app),
        [
            "appel ouvert : carte agent oubliée",
            "RSIM prévenu",
            "ticket SETNA",
            "issue : escaladé (2e niveau)",
            "appel clos"
        ]
    );
    // A closed call is not offered a close again: its `c` corrects the outcome.
    assert_eq!(app.context(), Context::DetailClosed);
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.screen(), Kind::List);
    assert!(
        app.list().calls.is_empty(),
        "the open list no longer shows it"
    );
    key(&mut app, KeyCode::Char('t'));
    assert_eq!(app.list().scope, Scope::All);
    assert_eq!(app.list().calls.len(), 1);
}

#[test]
fn a_note_cancelled_is_offered_again() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_on(&dir.path().join("g.db"), "op");
    fill_call(&mut app, "Zoé Martin");
    ctrl(&mut app, 's');
    key(&mut app, KeyCode::Char('a'));
    type_text(&mut app, "à rappeler vers 14 h");
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.context(), Context::Detail);
    key(&mut app, KeyCode::Char('a'));
    key(&mut app, KeyCode::Enter);
    assert_eq!(journal(&app).last().unwrap(), "à rappeler vers 14 h");
}

/// GEMINI from home: the agent's work laptop, internet fine, the GEMINI page does not
/// show: the procedure escalates to the local support.
fn gemini_escalated(app: &mut App) {
    walk_new_call(
        app,
        "direccte",
        "pc pro",
        "gemini ne s'ouvre pas",
        "social-gemini",
    );
    key(app, KeyCode::Char('o'));
    key(app, KeyCode::Char('o'));
    key(app, KeyCode::Enter);
    key(app, KeyCode::Char('n'));
    assert!(
        matches!(app.context(), Context::RunnerStep),
        "{:?}",
        app.context()
    );
    key(app, KeyCode::Enter);
    assert_eq!(app.context(), Context::RunnerDone);
    let call = &app.runner().unwrap().record.call;
    assert_eq!(call.outcome, Some(Outcome::Escalated));
    assert_eq!(call.status, CallStatus::Open);
}

#[test]
fn closing_after_an_escalation_records_the_escalation() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db");
    let mut app = app_on(&db, "dupontje");
    gemini_escalated(&mut app);
    // The end of the procedure offers c, and c does close (no Entrée needed first).
    key(&mut app, KeyCode::Char('c'));
    assert_eq!(app.context(), Context::CloseCall);
    // Entrée alone keeps what the journal says.
    key(&mut app, KeyCode::Enter);
    let call = &app.detail().unwrap().record.call;
    assert_eq!(call.status, CallStatus::Closed);
    assert_eq!(call.outcome, Some(Outcome::Escalated));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_guichet"))
        .env("GUICHET_DB", &db)
        .args([
            "report",
            "handover",
            "--from",
            "2026-11-23T08:00",
            "--to",
            "2026-11-23T16:00",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["by_outcome"]["escalated"], 1, "{json:#}");
    assert!(json["by_outcome"].get("resolved").is_none(), "{json:#}");
}

#[test]
fn closing_with_another_outcome_than_the_journal_asks_first() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db");
    let mut app = app_on(&db, "dupontje");
    gemini_escalated(&mut app);
    key(&mut app, KeyCode::Char('c'));
    key(&mut app, KeyCode::Up);
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.context(), Context::Confirm);
    // No: back to the choice, nothing closed.
    key(&mut app, KeyCode::Char('n'));
    assert_eq!(app.context(), Context::CloseCall);
    assert_eq!(stored(&db)[0].status, CallStatus::Open);
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Char('o'));
    let call = &stored(&db)[0];
    assert_eq!(call.status, CallStatus::Closed);
    assert_eq!(call.outcome, Some(Outcome::Resolved));
}

#[test]
fn a_closed_calls_outcome_is_corrected_and_the_journal_keeps_both() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db");
    let mut app = app_on(&db, "dupontje");
    fill_call(&mut app, "Zoé Martin");
    ctrl(&mut app, 's');
    key(&mut app, KeyCode::Char('c'));
    key(&mut app, KeyCode::Enter);
    assert_eq!(stored(&db)[0].outcome, Some(Outcome::Resolved));
    assert_eq!(app.context(), Context::DetailClosed);
    key(&mut app, KeyCode::Char('c'));
    assert_eq!(app.context(), Context::CorrectOutcome);
    // The same outcome is refused with a sentence.
    key(&mut app, KeyCode::Enter);
    assert!(app.flash.as_ref().unwrap().error);
    assert_eq!(app.context(), Context::CorrectOutcome);
    key(&mut app, KeyCode::Down);
    type_text(&mut app, "ticket SETNA ouvert après coup");
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.context(), Context::DetailClosed);
    let lines = journal(&app);
    assert!(lines.contains(&"issue : résolu".to_string()), "{lines:#?}");
    assert!(
        lines.contains(&"issue corrigée : escaladé (2e niveau)".to_string()),
        "{lines:#?}"
    );
    assert!(lines.contains(&"ticket SETNA ouvert après coup".to_string()));
    assert_eq!(
        app.detail().unwrap().record.call.outcome,
        Some(Outcome::Escalated)
    );
    let shown = screen_text(&app, 80, 24);
    assert!(shown.contains("Issue      escaladé (corrigée)"), "{shown}");
    // The list shows the latest outcome too.
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Char('t'));
    assert_eq!(app.list().calls[0].outcome, Some(Outcome::Escalated));
}

#[test]
fn correcting_the_outcome_of_a_ticketed_call_asks_first_and_queues_a_followup() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db");
    let mut app = app_on(&db, "dupontje");
    gemini_escalated(&mut app);
    key(&mut app, KeyCode::Char('c'));
    key(&mut app, KeyCode::Enter);
    let reference = app.detail().unwrap().record.call.reference;
    // GLPI's ticket, recorded by a sync elsewhere while the call is on the screen.
    let mut store = Store::open(&db).unwrap();
    let push = store
        .glpi_queue(reference, "dupontje", now())
        .unwrap()
        .unwrap();
    store
        .glpi_ticket_recorded(push.id, reference, 1234, "GLPI", now())
        .unwrap();
    key(&mut app, KeyCode::Char('c'));
    assert_eq!(app.context(), Context::CorrectOutcome);
    key(&mut app, KeyCode::Up);
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.context(), Context::Confirm);
    let shown = screen_text(&app, 80, 24);
    assert!(shown.contains("A-0001 a le ticket GLPI n° 1234"), "{shown}");
    // No: back to the choice, nothing corrected, nothing queued.
    key(&mut app, KeyCode::Char('n'));
    assert_eq!(app.context(), Context::CorrectOutcome);
    assert_eq!(stored(&db)[0].outcome, Some(Outcome::Escalated));
    assert!(store.glpi_waiting(Some(reference)).unwrap().is_empty());
    // Yes: corrected, and the followup waits in the outbox for the sender.
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Char('o'));
    assert_eq!(app.context(), Context::DetailClosed);
    assert_eq!(stored(&db)[0].outcome, Some(Outcome::Resolved));
    let waiting = store.glpi_waiting(Some(reference)).unwrap();
    assert_eq!(waiting.len(), 1, "{waiting:?}");
    let entries = store
        .glpi_entries(reference, waiting[0].after_entry, waiting[0].through_entry)
        .unwrap();
    assert_eq!(entries.last().unwrap().kind, JournalKind::OutcomeCorrected);
    let flash = app.flash.as_ref().unwrap();
    assert!(!flash.error);
    assert!(
        flash
            .text
            .contains("suivi du ticket GLPI n° 1234 mis en attente"),
        "{}",
        flash.text
    );
}

#[test]
fn acting_on_a_closed_call_of_another_operator_asks_first() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db");
    let mut anne = app_on(&db, "anne");
    fill_call(&mut anne, "Zoé Martin");
    ctrl(&mut anne, 's');
    key(&mut anne, KeyCode::Char('c'));
    key(&mut anne, KeyCode::Enter);
    drop(anne);

    let mut paul = app_on(&db, "paul");
    key(&mut paul, KeyCode::Char('t'));
    key(&mut paul, KeyCode::Enter);
    for k in ['a', 'p', 'c'] {
        key(&mut paul, KeyCode::Char(k));
        assert_eq!(paul.context(), Context::Confirm, "{k}");
        key(&mut paul, KeyCode::Char('n'));
        assert_eq!(paul.context(), Context::DetailClosed, "{k}");
    }
    key(&mut paul, KeyCode::Char('a'));
    key(&mut paul, KeyCode::Char('o'));
    assert_eq!(paul.context(), Context::NoteInput);
    type_text(&mut paul, "vu par paul");
    key(&mut paul, KeyCode::Enter);
    assert_eq!(journal(&paul).last().unwrap(), "vu par paul");
    // No takeover of a closed call: anne handled it and still does.
    assert_eq!(paul.detail().unwrap().record.call.handler, "anne");

    // A telemaintenance code from the tools asks too.
    key(&mut paul, KeyCode::F(4));
    for _ in 0..7 {
        key(&mut paul, KeyCode::PageDown);
    }
    assert_eq!(paul.tools().unwrap().tool, Tool::Telemaintenance);
    type_text(&mut paul, "482913");
    key(&mut paul, KeyCode::Enter);
    assert_eq!(paul.context(), Context::Confirm);
    key(&mut paul, KeyCode::Char('o'));
    let calls = Store::open(&db)
        .unwrap()
        .get_call(stored(&db)[0].reference)
        .unwrap();
    assert!(
        calls
            .journal
            .iter()
            .any(|e| e.describe().contains("482913") || e.describe().contains("482 913")),
        "{:#?}",
        calls.journal
    );
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
    assert_eq!(paul.detail().unwrap().record.call.handler, "anne");
    key(&mut paul, KeyCode::Char('a'));
    assert_eq!(paul.context(), Context::Confirm);
    key(&mut paul, KeyCode::Char('n'));
    assert_eq!(paul.detail().unwrap().record.call.handler, "anne");
    key(&mut paul, KeyCode::Char('a'));
    key(&mut paul, KeyCode::Char('o'));
    let detail = paul.detail().unwrap();
    assert_eq!(detail.record.call.handler, "paul");
    assert!(
        detail
            .record
            .journal
            .iter()
            .any(|e| e.describe() == "appel repris par paul (le tenait : anne)")
    );
    // The note input the operator asked for is open now.
    assert_eq!(paul.context(), Context::NoteInput);
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
    assert_eq!(paul.list().calls.len(), 1);
    fill_call(&mut paul, "Bruno Lefèvre");
    ctrl(&mut paul, 's');
    key(&mut paul, KeyCode::Esc);

    // Anne's console picks up Paul's call on its next tick, once its store's thread has
    // looked (it does every 100 ms by itself).
    assert_eq!(anne.list().calls.len(), 1);
    anne.store.look_now();
    anne.tick(now() + Duration::seconds(1));
    assert_eq!(anne.list().calls.len(), 2);
    assert_eq!(anne.list().calls[0].caller_name, "Bruno Lefèvre");

    key(&mut anne, KeyCode::Char('m'));
    assert_eq!(anne.list().calls.len(), 1);
    assert_eq!(anne.list().calls[0].operator, "anne");
    key(&mut anne, KeyCode::Char('t'));
    key(&mut anne, KeyCode::Char('/'));
    type_text(&mut anne, "lefe");
    assert_eq!(anne.list().calls.len(), 1);
    assert_eq!(anne.list().calls[0].caller_name, "Bruno Lefèvre");
    key(&mut anne, KeyCode::Esc);
    assert_eq!(anne.list().calls.len(), 2);
    key(&mut anne, KeyCode::Char('s'));
    assert_eq!(anne.list().service.as_deref(), Some("mi"));
    assert_eq!(anne.list().calls.len(), 2);
    key(&mut anne, KeyCode::Char('s'));
    assert_eq!(anne.list().service.as_deref(), Some("social-direccte"));
    assert!(anne.list().calls.is_empty());
}

#[test]
fn the_list_search_finds_a_call_by_its_reference() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db");
    let mut app = app_on(&db, "op");
    for name in ["Zoé Martin", "Bruno Lefèvre", "Anne Çelik"] {
        fill_call(&mut app, name);
        ctrl(&mut app, 's');
        key(&mut app, KeyCode::Esc);
    }
    for typed in ["A-0002", "a-0002", "0002"] {
        key(&mut app, KeyCode::Char('/'));
        ctrl(&mut app, 'u');
        type_text(&mut app, typed);
        let calls = &app.list().calls;
        assert_eq!(calls.len(), 1, "{typed}: {calls:#?}");
        assert_eq!(calls[0].caller_name, "Bruno Lefèvre", "{typed}");
        key(&mut app, KeyCode::Esc);
    }
}

#[test]
fn help_opens_over_any_screen_and_closes() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_on(&dir.path().join("g.db"), "op");
    key(&mut app, KeyCode::Char('?'));
    assert!(app.help_open());
    key(&mut app, KeyCode::Esc);
    assert!(!app.help_open());
    key(&mut app, KeyCode::F(2));
    // In a form, ? is text; F1 is the help.
    key(&mut app, KeyCode::Char('?'));
    assert!(!app.help_open());
    assert_eq!(app.form().unwrap().caller_name.value(), "?");
    key(&mut app, KeyCode::F(1));
    assert!(app.help_open());
    key(&mut app, KeyCode::F(1));
    assert!(!app.help_open());
    assert_eq!(app.screen(), Kind::Form);
}

fn walk_to_cryhod_secret(app: &mut App) {
    fill_call(app, "Zoé Martin");
    ctrl(app, 'p');
    assert_eq!(app.form().unwrap().matches[0].slug, "mi-agent-card-cryhod");
    key(app, KeyCode::Enter);
    assert_eq!(app.screen(), Kind::Runner);
    // 1. card with the agent? no → 5. colleague? no → 7. CRYHOD password (secret).
    key(app, KeyCode::Char('n'));
    key(app, KeyCode::Char('n'));
    assert!(app.runner().unwrap().is_secret());
    assert_eq!(app.context(), Context::RunnerSecret);
}

#[test]
fn a_secret_is_given_journaled_as_given_and_never_written() {
    const SECRET: &str = "Zx9-CRYHOD-s3cret!";
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db");
    let mut app = app_on(&db, "dupontje");
    walk_to_cryhod_secret(&mut app);
    type_text(&mut app, SECRET);
    let masked = |app: &App| app.runner().unwrap().input.is_masked();
    assert!(masked(&app));
    // Shown to read it aloud, masked by the next key, and shown again while the step is
    // open.
    ctrl(&mut app, 'r');
    assert!(!masked(&app));
    key(&mut app, KeyCode::End);
    assert!(masked(&app));
    ctrl(&mut app, 'r');
    assert!(!masked(&app));
    ctrl(&mut app, 'r');
    assert!(masked(&app));
    key(&mut app, KeyCode::Enter);

    let runner = app.runner().unwrap();
    let last = runner.record.journal.last().unwrap().describe();
    assert!(
        last.contains("Mot de passe CRYHOD donné à l'appelant le 23/11/2026 à 09:41"),
        "{last}"
    );
    assert!(
        last.contains("valable jusqu'au 23/12/2026 à 09:41"),
        "{last}"
    );
    // Once recorded it is gone: the field is empty and nothing can show it.
    assert!(runner.input.is_empty());
    assert!(!runner.revealed);
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
fn the_secrets_spelling_shows_whole_at_80x24() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_on(&dir.path().join("g.db"), "dupontje");
    walk_new_call(
        &mut app,
        "int",
        "pc perso",
        "certificat nomade 2",
        "mi-nomade2",
    );
    // Mail received → generate the certificate → log in → the password shown on screen
    // (step 8, the longest secret step's text).
    key(&mut app, KeyCode::Char('o'));
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.context(), Context::RunnerSecret);
    type_text(&mut app, "l1O0-=_?!Kx");
    ctrl(&mut app, 'r');
    let shown = screen_text(&app, 80, 24);
    assert!(shown.contains("À lire"), "{shown}");
    // Every character's name is on screen, the last one included.
    let spelled = guichet::domain::spell::spell(
        "l1O0-=_?!Kx",
        guichet::domain::spell::Alphabet::International,
    );
    let flat = shown.replace('\n', " ");
    let flat = flat.split_whitespace().collect::<Vec<_>>().join(" ");
    for s in &spelled {
        let first_word = s.say.split_whitespace().next().unwrap();
        assert!(flat.contains(first_word), "{} missing:\n{shown}", s.say);
    }
    assert!(
        shown.contains("Valeur"),
        "the field stays on screen:\n{shown}"
    );
    // The step's text is there too, cut with "…" if it must be.
    assert!(shown.contains("Un mot de passe s'affiche"), "{shown}");
}

#[test]
fn an_optional_step_accepts_an_empty_answer() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_on(&dir.path().join("g.db"), "dupontje");
    walk_new_call(
        &mut app,
        "int",
        "pc perso",
        "certificat nomade 2",
        "mi-nomade2",
    );
    key(&mut app, KeyCode::Char('o'));
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Enter);
    type_text(&mut app, "secret");
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.context(), Context::RunnerInput);
    let before = app.runner().unwrap().walk.current;
    key(&mut app, KeyCode::Enter);
    assert!(
        app.flash.as_ref().is_none_or(|f| !f.error),
        "{:?}",
        app.flash
    );
    assert_ne!(app.runner().unwrap().walk.current, before);
    let last = app
        .runner()
        .unwrap()
        .record
        .journal
        .last()
        .unwrap()
        .describe();
    assert!(last.contains("non renseigné"), "{last}");
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
        let r = app.runner().unwrap();
        r.walk.current.map(|i| r.walk.procedure.steps[i].id.clone())
    };
    let at_question = current(&app).unwrap();
    assert_eq!(app.context(), Context::RunnerAsk);
    // Leave the runner and the call; come back: the walk resumes at the same step.
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.screen(), Kind::Detail);
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.screen(), Kind::List);
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Char('p'));
    assert_eq!(current(&app).unwrap(), at_question);
    // Yes: a colleague unlocks (6), then "card lost?" yes → escalation (12).
    key(&mut app, KeyCode::Char('o'));
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Char('o'));
    key(&mut app, KeyCode::Enter);
    let runner = app.runner().unwrap();
    assert!(runner.walk.is_finished());
    assert_eq!(runner.record.call.outcome, Some(Outcome::Escalated));
    assert_eq!(runner.record.call.status, CallStatus::Open);
    key(&mut app, KeyCode::Enter);
    let lines = journal(&app);
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
    assert!(app.form().unwrap().matches.is_empty());
    for _ in 0..3 {
        key(&mut app, KeyCode::Tab);
    }
    type_text(&mut app, "rouen");
    key(&mut app, KeyCode::Tab);
    type_text(&mut app, "pc pro");
    key(&mut app, KeyCode::Tab);
    // Service and device alone already propose what fits them.
    assert!(!app.form().unwrap().matches.is_empty());
    type_text(&mut app, "code session prise en main");
    assert_eq!(app.form().unwrap().matches[0].slug, "acn-telemaintenance");
}

#[test]
fn typing_on_the_proposals_goes_back_to_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_on(&dir.path().join("g.db"), "op");
    fill_call(&mut app, "Zoé Martin");
    ctrl(&mut app, 'p');
    assert_eq!(app.context(), Context::FormMatches);
    type_text(&mut app, " chez elle");
    assert_eq!(app.context(), Context::Form);
    assert_eq!(
        app.form().unwrap().summary.value(),
        "carte agent oubliée chez elle"
    );
}

#[test]
fn a_procedure_read_before_saving_offers_no_follow() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_on(&dir.path().join("g.db"), "op");
    fill_call(&mut app, "Zoé Martin");
    ctrl(&mut app, 'p');
    key(&mut app, KeyCode::Char('v'));
    assert_eq!(app.context(), Context::ProcedureRead);
    let shown = screen_text(&app, 80, 24);
    assert!(!shown.contains("suivre"), "{shown}");
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.context(), Context::ProcedureRead);
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.context(), Context::FormMatches);
    // F3 before saving: the catalogue to read, nothing to follow either.
    key(&mut app, KeyCode::F(3));
    assert_eq!(app.context(), Context::Procedures);
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.context(), Context::ProcedureRead);
}

#[test]
fn tools_opened_on_a_call_are_filled_from_that_call_only() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db");
    let mut app = app_on(&db, "dupontje");
    saved_call(
        &mut app,
        "Zoé Martin",
        "rouen",
        "copieur",
        "le copieur I76RC-DSI04-B4 n'imprime plus",
    );
    key(&mut app, KeyCode::F(4));
    let tools = app.tools().unwrap();
    assert_eq!(tools.fields[0][0].value(), "I76RC-DSI04-B4");
    assert_eq!(tools.fields[1][0].value(), "Zoé");
    assert_eq!(tools.fields[1][1].value(), "Martin");
    // A password typed in the spelling tool on this call…
    key(&mut app, KeyCode::PageDown);
    key(&mut app, KeyCode::PageDown);
    type_text(&mut app, "Cert-p12=!x");
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Esc);

    saved_call(&mut app, "Paul Renaud", "int", "noe", "vpn bleu");
    key(&mut app, KeyCode::F(4));
    let tools = app.tools().unwrap();
    assert_eq!(tools.fields[0][0].value(), "", "no printer on this call");
    assert_eq!(tools.fields[1][0].value(), "Paul");
    assert_eq!(tools.fields[1][1].value(), "Renaud");
    // …is not there on the next call.
    assert_eq!(tools.fields[2][0].value(), "");
    let shown = screen_text(&app, 80, 24);
    assert!(!shown.contains("Cert-p12"), "{shown}");
}

#[test]
fn the_spelling_tool_forgets_what_it_spelled_when_left() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_on(&dir.path().join("g.db"), "op");
    key(&mut app, KeyCode::F(4));
    key(&mut app, KeyCode::PageDown);
    key(&mut app, KeyCode::PageDown);
    assert_eq!(app.tools().unwrap().tool, Tool::Spell);
    type_text(&mut app, "Tr0ub4dor&3");
    key(&mut app, KeyCode::PageDown);
    key(&mut app, KeyCode::PageUp);
    assert_eq!(app.tools().unwrap().values(), [""]);
}

#[test]
fn cryhod_validity_starts_when_the_password_was_given_on_the_call() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_on(&dir.path().join("g.db"), "dupontje");
    walk_to_cryhod_secret(&mut app);
    app.tick(now() + Duration::minutes(3));
    type_text(&mut app, "s3cret");
    key(&mut app, KeyCode::Enter);
    app.tick(now() + Duration::minutes(20));
    key(&mut app, KeyCode::F(4));
    let tools = app.tools().unwrap();
    // The procedure's own tool comes first (spelling the password).
    assert_eq!(tools.tool, Tool::Spell);
    // Given at 09:44 Paris time, not now (10:01).
    assert_eq!(tools.fields[4][0].value(), "23/11/2026 09:44");
    for _ in 0..2 {
        key(&mut app, KeyCode::PageDown);
    }
    assert_eq!(app.tools().unwrap().tool, Tool::Cryhod);
    let shown = screen_text(&app, 80, 24);
    assert!(shown.contains("23/12/2026 à 09:44"), "{shown}");
}

#[test]
fn a_tools_answer_goes_to_the_calls_journal_with_one_key() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_on(&dir.path().join("g.db"), "dupontje");
    saved_call(
        &mut app,
        "Zoé Martin",
        "rouen",
        "copieur",
        "trouve pas l'imprimante i76rc-dsi04-b4",
    );
    key(&mut app, KeyCode::F(4));
    assert_eq!(app.context(), Context::ToolsOnCall);
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::PageDown);
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Tab);
    type_text(&mut app, "AC");
    key(&mut app, KeyCode::Enter);
    for _ in 0..2 {
        key(&mut app, KeyCode::PageDown);
    }
    assert_eq!(app.tools().unwrap().tool, Tool::Amigo);
    type_text(&mut app, "27/11/2026 19:00");
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Esc);
    let lines = journal(&app);
    let has = |needle: &str| lines.iter().any(|l| l.contains(needle));
    assert!(has("Imprimante I76RC-DSI04-B4"), "{lines:#?}");
    assert!(has("172.26.66.73"), "{lines:#?}");
    assert!(
        has("Identifiant COMU indiqué") && has("comu.minint.fr"),
        "{lines:#?}"
    );
    assert!(has("AMIGO le 27/11/2026 à 19:00"), "{lines:#?}");
}

#[test]
fn french_dates_are_read_in_the_tools() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_on(&dir.path().join("g.db"), "op");
    key(&mut app, KeyCode::F(4));
    for _ in 0..3 {
        key(&mut app, KeyCode::PageDown);
    }
    type_text(&mut app, "25/11/2026 13:00");
    let shown = screen_text(&app, 80, 24);
    assert!(shown.contains("le 25/11/2026 à 13:00"), "{shown}");
    ctrl(&mut app, 'u');
    type_text(&mut app, "20h30");
    let shown = screen_text(&app, 80, 24);
    assert!(shown.contains("le 23/11/2026 à 20:30"), "{shown}");
    key(&mut app, KeyCode::PageDown);
    type_text(&mut app, "18/11 20h");
    let shown = screen_text(&app, 80, 24);
    assert!(shown.contains("18/12/2026 à 20:00"), "{shown}");
    // A password is not given in the future: the date is refused, named.
    ctrl(&mut app, 'u');
    type_text(&mut app, "18/12 20h");
    let shown = screen_text(&app, 80, 24);
    assert!(
        shown.contains("⚠") && shown.contains("18/12 20h"),
        "{shown}"
    );
}

#[test]
fn journal_lines_are_read_whole() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_on(&dir.path().join("g.db"), "op");
    fill_call(&mut app, "Zoé Martin");
    ctrl(&mut app, 's');
    let long = "l'agent rappellera depuis le site de Lognes après la réunion de 14 h, \
                prévoir le ticket SETNA pour la révocation de la carte et noter le numéro 01 40 07 20 00";
    key(&mut app, KeyCode::Char('a'));
    type_text(&mut app, long);
    key(&mut app, KeyCode::Enter);
    let shown = screen_text(&app, 80, 24);
    let flat = shown.split_whitespace().collect::<Vec<_>>().join(" ");
    let words = flat.replace("│", " ");
    for w in long.split_whitespace() {
        assert!(words.contains(w), "« {w} » not shown:\n{shown}");
    }
    assert!(shown.contains("01 40 07 20 00"), "{shown}");
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.context(), Context::EntryView);
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.context(), Context::Detail);
}

#[test]
fn handover_screen_writes_the_note_and_acknowledges() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db");
    let mut app = app_on(&db, "anne");
    fill_call(&mut app, "Zoé Martin");
    ctrl(&mut app, 's');
    key(&mut app, KeyCode::F(5));
    assert_eq!(app.screen(), Kind::Handover);
    let report = &app.handover().unwrap().report;
    assert_eq!(report.calls_total, 1);
    assert_eq!(report.open.len(), 1);
    key(&mut app, KeyCode::Char('e'));
    type_text(&mut app, "Rappeler Zoé");
    key(&mut app, KeyCode::Enter);
    assert_eq!(
        app.handover().unwrap().report.note().unwrap().text,
        "Rappeler Zoé"
    );
    assert!(!screen_text(&app, 80, 24).contains("Lue par"));
    key(&mut app, KeyCode::Char('a'));
    assert!(screen_text(&app, 80, 24).contains("Lue par anne à 09:41"));
    key(&mut app, KeyCode::Char('a'));
    assert!(app.flash.as_ref().unwrap().error, "acknowledged only once");
    let acks = app.handover().unwrap().report.acknowledgements().count();
    assert_eq!(acks, 1);
    // The previous shift, then back; the future is not offered.
    key(&mut app, KeyCode::Left);
    assert_eq!(app.handover().unwrap().shift.name, "nuit");
    key(&mut app, KeyCode::Right);
    key(&mut app, KeyCode::Right);
    assert_eq!(app.handover().unwrap().shift.name, "matin");
    // Enter opens the waiting call.
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.screen(), Kind::Detail);
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
    assert_eq!(later.screen(), Kind::List);
    assert_eq!(later.context(), Context::List);
    key(&mut later, KeyCode::F(2));
    assert_eq!(later.form().unwrap().caller_name.value(), "Bruno");
    drop(later);
    let mut abandon = app_on(&db, "anne");
    key(&mut abandon, KeyCode::Char('x'));
    assert!(abandon.draft_offer().is_none());
    drop(abandon);
    let clean = app_on(&db, "anne");
    assert!(clean.draft_offer().is_none(), "abandoning clears the draft");
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
    // `call show` folds long journal lines: read them as one.
    let text = String::from_utf8(out.stdout).unwrap();
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        text.contains("procédure suivie : mi-agent-card-cryhod"),
        "{text}"
    );
    assert!(text.contains("[mi-agent-card-cryhod] étape 1 :"), "{text}");
    assert!(text.contains("Mot de passe CRYHOD donné"), "{text}");
    assert!(!text.contains("secret-du-test"));
}

#[test]
fn the_journal_kind_of_a_correction_is_its_own() {
    // The detail marks a corrected outcome; the journal kind says so in the store.
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db");
    let mut app = app_on(&db, "op");
    fill_call(&mut app, "Zoé Martin");
    ctrl(&mut app, 's');
    key(&mut app, KeyCode::Char('c'));
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Char('c'));
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Enter);
    let record = Store::open(&db)
        .unwrap()
        .get_call(stored(&db)[0].reference)
        .unwrap();
    assert!(
        record
            .journal
            .iter()
            .any(|e| e.kind == JournalKind::OutcomeCorrected && e.text == "callback")
    );
}

#[test]
fn an_escalation_closed_as_escalated_is_journaled_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_on(&dir.path().join("g.db"), "op");
    gemini_escalated(&mut app);
    key(&mut app, KeyCode::Char('c'));
    key(&mut app, KeyCode::Enter);
    let lines = journal(&app);
    let outcomes = lines
        .iter()
        .filter(|l| *l == "issue : escaladé (2e niveau)")
        .count();
    assert_eq!(outcomes, 1, "{lines:#?}");
    assert_eq!(lines.last().unwrap(), "appel clos");
}

#[test]
fn walking_amigo_shows_whether_it_is_open_now() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_on(&dir.path().join("g.db"), "op");
    walk_new_call(&mut app, "caen", "pc pro", "horaires amigo", "acn-amigo");
    let shown = screen_text(&app, 80, 24);
    // Monday 23 November 2026, 09:41: a school day, the platform is open.
    assert!(shown.contains("AMIGO maintenant : OUVERT"), "{shown}");
}

#[test]
fn the_proposal_moved_to_stays_chosen_when_another_console_writes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.db");
    let mut app = app_on(&path, "anne");
    typed_call(&mut app, "Zoé Martin", "int", "noe", "carte agent oubliée");
    ctrl(&mut app, 'p');
    key(&mut app, KeyCode::Down);
    let form = app.form().unwrap();
    assert_eq!(form.match_selected, 1);
    let chosen = form.matches[1].slug.clone();
    // Another console saves a call: this one reads again on its next tick.
    let mut other = Store::open(&path).unwrap();
    let call = guichet::domain::call::CallDraft {
        caller_name: "Paul".into(),
        service: "mi".into(),
        device: "noemi".into(),
        summary: "VPN".into(),
        ..Default::default()
    }
    .validate(&embedded_reference(), "paul", now())
    .unwrap();
    other.insert_call(&call).unwrap();
    app.tick(now() + Duration::seconds(1));
    let form = app.form().unwrap();
    assert_eq!(
        form.matches[form.match_selected].slug, chosen,
        "the refresh keeps the operator's choice"
    );
    // New words start the list from its top again.
    key(&mut app, KeyCode::Char(' '));
    ctrl(&mut app, 'p');
    type_text(&mut app, "x");
    assert_eq!(app.form().unwrap().match_selected, 0);
}

#[test]
fn typing_on_in_the_list_search_shows_what_a_fresh_search_shows() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.db");
    let mut app = app_on(&path, "anne");
    for (name, summary) in [
        ("Christophe Lopez", "carte agent oubliée"),
        ("Christophe Martin", "VPN bleu"),
        ("Anne Lopès", "imprimante"),
        ("Lola Christophe", "mot de passe"),
    ] {
        saved_call(&mut app, name, "int", "noe", summary);
        key(&mut app, KeyCode::Esc);
    }
    key(&mut app, KeyCode::Char('t'));
    key(&mut app, KeyCode::Char('/'));
    let store = Store::open(&path).unwrap();
    let mut typed = String::new();
    for c in "christophe lop".chars() {
        key(&mut app, KeyCode::Char(c));
        typed.push(c);
        let shown: Vec<_> = app.list().calls.iter().map(|c| c.reference).collect();
        let fresh: Vec<_> = store
            .list_calls(&CallFilter {
                caller: Some(typed.clone()),
                limit: Some(100),
                ..CallFilter::default()
            })
            .unwrap()
            .iter()
            .map(|c| c.reference)
            .collect();
        assert_eq!(shown, fresh, "{typed:?}");
    }
    assert_eq!(app.list().calls.len(), 1);
}

/// A store that does not answer (here a file another process holds locked, as a frozen
/// server does on PostgreSQL: `e2e_postgres`) is said at once; the form, its text and the
/// save are kept; the save ends when the store answers, and what was typed meanwhile is set
/// aside, not lost.
#[test]
fn a_store_that_does_not_answer_keeps_the_form_and_ends_the_save_when_it_does() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("desk.db");
    let mut app = app_on(&db, "anne");
    fill_call(&mut app, "Zoé Lent");
    let other = rusqlite::Connection::open(&db).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();

    let asked = std::time::Instant::now();
    ctrl(&mut app, 's');
    assert!(
        asked.elapsed() < std::time::Duration::from_secs(3),
        "{:?}",
        asked.elapsed()
    );
    assert_eq!(app.screen(), Kind::Form, "the form stays");
    let slow = app.store.slowness().expect("the store said slow");
    assert!(
        slow.starts_with("base occupée, enregistrement en attente : "),
        "{slow}"
    );
    // Keys go on; a second save is not a second call.
    type_text(&mut app, " puis rappel");
    ctrl(&mut app, 's');
    assert!(
        app.flash.as_ref().unwrap().text.contains("déjà en attente"),
        "{:?}",
        app.flash
    );

    other.execute_batch("COMMIT").unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while app.screen() == Kind::Form && std::time::Instant::now() < deadline {
        app.tick_settled(now());
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(app.screen(), Kind::Detail, "{:?}", app.flash);
    let said = &app.flash.as_ref().unwrap().text;
    assert!(said.contains("Appel A-0001 enregistré"), "{said}");
    assert!(said.contains("gardé de côté (F7)"), "{said}");
    let store = Store::open(&db).unwrap();
    let calls = store.list_calls(&CallFilter::default()).unwrap();
    assert_eq!(calls.len(), 1, "saved once");
    assert_eq!(calls[0].summary, "carte agent oubliée");
    let aside = store.aside_drafts("anne").unwrap();
    assert_eq!(aside.len(), 1, "what was typed meanwhile");
    assert_eq!(aside[0].draft.summary, "carte agent oubliée puis rappel");
}

#[test]
fn the_procedure_list_opened_before_the_catalogue_came_lists_it_when_it_comes() {
    let dir = tempfile::tempdir().unwrap();
    let reference = embedded_reference();
    // A console started for real: the catalogue is read after the first frame.
    let mut app = App::start(
        Store::open(&dir.path().join("g.db")).unwrap(),
        reference.clone(),
        guichet::catalog::procedures::CatalogSource::embedded(&reference),
        "dupontje".into(),
        "Hotline".into(),
        Theme { color: false },
        now(),
    );
    // The operator reaches for a procedure at once, while it is being read.
    key(&mut app, KeyCode::F(3));
    key(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "vpn");
    let early = screen_text(&app, 80, 24);
    assert!(early.contains("Aucune procédure"), "{early}");
    // It comes: the list shows its matches for what is typed, without another key.
    app.wait_for_catalog();
    let listed = screen_text(&app, 80, 24);
    assert!(
        !listed.contains("Aucune procédure") && listed.contains("VPN"),
        "{listed}"
    );
    assert!(listed.contains("Recherche : vpn"), "{listed}");
}
