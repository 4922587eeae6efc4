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

    let again = app_on(&db, "anne");
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
