//! The console and the telephony, key by key on a real database file: a call that rings on
//! the console's extension (written by another process, as the listener does) shows in
//! the header, F2 fills the new call from the caller's last one, F6 opens their open call,
//! the form proposes known callers, and the hangup writes the handling time.

use chrono::{DateTime, Duration, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use guichet::catalog::embedded_reference;
use guichet::domain::call::{Field, JournalKind};
use guichet::store::Store;
use guichet::tui::app::App;
use guichet::tui::gallery::{fill_sample, now, render_app};
use guichet::tui::keys::Context;
use guichet::tui::screens::Kind;
use guichet::tui::theme::Theme;
use std::path::Path;

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

fn console(path: &Path, extension: Option<&str>) -> App {
    App::new(
        Store::open(path).unwrap(),
        embedded_reference(),
        guichet::catalog::procedures::embedded(&embedded_reference()),
        "dupontje".into(),
        "Hotline".into(),
        Theme { color: false },
        now(),
    )
    .with_extension(extension.map(String::from))
}

/// The telephony writes through its own connection, as `guichet phone listen` does.
fn post(path: &Path, body: &str, at: DateTime<Utc>) {
    let event = guichet::phone::parse_event(None, body.as_bytes()).unwrap();
    Store::open(path)
        .unwrap()
        .record_phone_event(&event, at)
        .unwrap();
}

fn screen(app: &App) -> String {
    let buffer = render_app(app, 80, 24);
    let mut text = String::new();
    for y in 0..buffer.area.height {
        for x in 0..buffer.area.width {
            text.push_str(buffer[(x, y)].symbol());
        }
        text.push('\n');
    }
    text
}

fn desk() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("desk.db");
    fill_sample(&mut Store::open(&path).unwrap());
    (dir, path)
}

const RING_ELOISE: &str =
    "event=newCall&from=%2B33612345678&to=3000&direction=in&callId=c1&user%5B%5D=3001";

#[test]
fn a_call_ringing_on_the_extension_shows_the_caller_and_fills_the_new_call() {
    let (_dir, path) = desk();
    let mut app = console(&path, Some("3001"));
    assert!(!screen(&app).contains('☎'), "nothing rings yet");
    post(&path, RING_ELOISE, now());
    assert!(app.poll_store(), "the console sees the store changed");
    let shown = screen(&app);
    assert!(shown.contains("☎ sonne · +33 6 12 34 56 78"), "{shown}");
    assert!(shown.contains("Éloïse Le Gall-N'Diaye"), "{shown}");
    assert!(shown.contains("1 appel cette semaine"), "{shown}");
    assert!(
        shown.contains("A-0005 encore ouvert : rappeler après accord du RSIM"),
        "the open call and its last journal line: {shown}"
    );
    assert!(shown.contains("F2 appel · F6 A-0005"), "{shown}");

    // F6 opens her open call…
    key(&mut app, KeyCode::F(6));
    assert_eq!(app.top_kind(), Kind::Detail);
    assert_eq!(
        app.detail().unwrap().record.call.reference.to_string(),
        "A-0005"
    );
    // …and F2 a new one, filled from her last call, the cursor on what it is about.
    key(&mut app, KeyCode::F(2));
    let form = app.form().unwrap();
    let reference = embedded_reference();
    let draft = form.draft(&reference);
    assert_eq!(draft.caller_name, "Éloïse Le Gall-N'Diaye");
    assert_eq!(draft.caller_phone, "+33 6 12 34 56 78");
    assert_eq!(draft.service, "mi");
    assert_eq!(draft.device, "noemi");
    assert_eq!(draft.telephony_id.as_deref(), Some("c1"));
    assert_eq!(form.focus, Field::Summary);
    assert_eq!(
        form.opened_at,
        now(),
        "rang, not yet answered: the timer runs from now"
    );

    // Answered 20 s later: the timer runs from the answer.
    let answered = now() + Duration::seconds(20);
    post(
        &path,
        "event=answer&from=%2B33612345678&to=3000&direction=in&callId=c1&answeringNumber=3001",
        answered,
    );
    app.tick(answered + Duration::seconds(30));
    assert_eq!(app.form().unwrap().opened_at, answered);
    assert!(
        screen(&app).contains("☎ en ligne 00:30"),
        "{}",
        screen(&app)
    );
    type_text(&mut app, "carte toujours bloquée");
    ctrl(&mut app, 's');
    assert_eq!(app.top_kind(), Kind::Detail);
    let saved = app.detail().unwrap().record.call.clone();
    assert_eq!(saved.telephony_id.as_deref(), Some("c1"));
    assert_eq!(saved.opened_at, answered);

    // The caller hangs up 4 min 05 s after the answer.
    post(
        &path,
        "event=hangup&from=%2B33612345678&to=3000&direction=in&callId=c1&answeringNumber=3001&cause=normalClearing",
        answered + Duration::seconds(245),
    );
    app.tick(answered + Duration::seconds(246));
    let record = app.detail().unwrap().record.clone();
    assert_eq!(record.call.handled_seconds, Some(245));
    let handled = record
        .journal
        .iter()
        .find(|e| e.kind == JournalKind::Handled)
        .expect("a journal line for the handling time");
    assert!(handled.text.starts_with("appel traité en 4 min 05 s"));
    assert!(!screen(&app).contains('☎'), "the call hung up: no banner");
}

#[test]
fn a_call_for_another_extension_or_a_console_without_one_shows_nothing() {
    let (_dir, path) = desk();
    let mut other = console(&path, Some("3002"));
    let mut none = console(&path, None);
    post(
        &path,
        "event=newCall&from=0612345678&to=3001&direction=in&callId=c9",
        now(),
    );
    other.poll_store();
    none.poll_store();
    assert!(!screen(&other).contains('☎'));
    assert!(!screen(&none).contains('☎'));
    // Without a ringing call, F2 is the plain new call and F6 says why it does nothing.
    key(&mut other, KeyCode::F(6));
    assert_eq!(other.top_kind(), Kind::List);
    assert!(
        other
            .flash
            .as_ref()
            .unwrap()
            .text
            .contains("aucun appel ne sonne")
    );
}

#[test]
fn a_call_left_ringing_by_a_lost_event_stops_after_three_minutes() {
    let (_dir, path) = desk();
    let mut app = console(&path, Some("3001"));
    post(&path, RING_ELOISE, now());
    app.poll_store();
    app.tick(now() + Duration::seconds(170));
    assert!(screen(&app).contains("☎ sonne"));
    app.tick(now() + Duration::seconds(190));
    assert!(!screen(&app).contains('☎'));
}

#[test]
fn a_withheld_number_rings_as_masked_and_fills_nothing_but_the_link() {
    let (_dir, path) = desk();
    let mut app = console(&path, Some("3001"));
    post(
        &path,
        "event=newCall&from=anonymous&to=3001&direction=in&callId=m1",
        now(),
    );
    app.poll_store();
    let shown = screen(&app);
    assert!(shown.contains("☎ sonne · numéro masqué"), "{shown}");
    assert!(!shown.contains("F6"), "no open call to offer: {shown}");
    key(&mut app, KeyCode::F(2));
    let draft = app.form().unwrap().draft(&embedded_reference());
    assert_eq!(draft.caller_phone, "");
    assert_eq!(draft.caller_name, "");
    assert_eq!(draft.telephony_id.as_deref(), Some("m1"));
    assert_eq!(app.form().unwrap().focus, Field::CallerName);
}

#[test]
fn the_call_being_typed_comes_before_the_one_that_rings() {
    let (_dir, path) = desk();
    let mut app = console(&path, Some("3001"));
    key(&mut app, KeyCode::F(2));
    type_text(&mut app, "Zoé Martin");
    key(&mut app, KeyCode::Esc);
    post(&path, RING_ELOISE, now());
    app.poll_store();
    key(&mut app, KeyCode::F(2));
    let draft = app.form().unwrap().draft(&embedded_reference());
    assert_eq!(draft.caller_name, "Zoé Martin", "nothing typed is dropped");
    assert_eq!(draft.telephony_id, None);
    assert!(
        app.flash
            .as_ref()
            .unwrap()
            .text
            .contains("saisie en cours reprise")
    );
}

#[test]
fn the_form_proposes_known_callers_and_fills_from_the_one_picked() {
    let (_dir, path) = desk();
    let mut app = console(&path, None);
    key(&mut app, KeyCode::F(2));
    type_text(&mut app, "lefev");
    let shown = screen(&app);
    assert!(shown.contains("Appelants connus (Ctrl-R)"), "{shown}");
    assert!(shown.contains("Bruno Lefèvre · 06 71 23 45 67"), "{shown}");
    ctrl(&mut app, 'r');
    assert_eq!(app.context(), Context::FormCallers);
    key(&mut app, KeyCode::Enter);
    let form = app.form().unwrap();
    let draft = form.draft(&embedded_reference());
    assert_eq!(draft.caller_name, "Bruno Lefèvre");
    assert_eq!(draft.caller_phone, "06 71 23 45 67");
    assert_eq!(draft.service, "mi");
    assert_eq!(draft.device, "span");
    assert_eq!(form.focus, Field::Summary);

    // By number: part of the digits, however they are grouped.
    let mut app = console(&path, None);
    key(&mut app, KeyCode::F(2));
    key(&mut app, KeyCode::Tab);
    type_text(&mut app, "02 31 30");
    assert!(screen(&app).contains("Anne Çelik"), "{}", screen(&app));
    // Ctrl-R with nobody known says so.
    let mut app = console(&path, None);
    key(&mut app, KeyCode::F(2));
    type_text(&mut app, "Zygmunt");
    ctrl(&mut app, 'r');
    assert_eq!(app.context(), Context::Form);
    assert!(
        app.flash
            .as_ref()
            .unwrap()
            .text
            .contains("aucun appelant connu")
    );
}
