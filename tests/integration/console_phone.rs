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
    assert!(app.settle_store(), "the console sees the store changed");
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
    app.tick_settled(answered + Duration::seconds(30));
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
    app.tick_settled(answered + Duration::seconds(246));
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
    other.settle_store();
    none.settle_store();
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
    app.settle_store();
    app.tick_settled(now() + Duration::seconds(170));
    assert!(screen(&app).contains("☎ sonne"));
    app.tick_settled(now() + Duration::seconds(190));
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
    app.settle_store();
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
    app.settle_store();
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

/// A telephony event for a call on the desk's number 3000, ringing for agent 3001.
fn phone_event(kind: &str, id: &str, from: &str, extra: &str) -> String {
    format!("event={kind}&from={from}&to=3000&direction=in&callId={id}&user%5B%5D=3001{extra}")
}

fn ring(path: &Path, id: &str, from: &str, at: DateTime<Utc>) {
    post(path, &phone_event("newCall", id, from, ""), at);
}

fn answer(path: &Path, id: &str, from: &str, at: DateTime<Utc>) {
    post(
        path,
        &phone_event("answer", id, from, "&answeringNumber=3001"),
        at,
    );
}

fn hang_up(path: &Path, id: &str, from: &str, cause: &str, at: DateTime<Utc>) {
    post(
        path,
        &phone_event("hangup", id, from, &format!("&cause={cause}")),
        at,
    );
}

/// F2, a summary, Ctrl-S: the call saved from what the console offers.
fn take_and_save(app: &mut App, summary: &str) -> guichet::domain::call::Call {
    key(app, KeyCode::F(2));
    assert_eq!(app.top_kind(), Kind::Form, "{}", screen(app));
    assert_eq!(app.form().unwrap().focus, Field::Summary, "a known caller");
    type_text(app, summary);
    ctrl(app, 's');
    assert_eq!(app.top_kind(), Kind::Detail, "{}", screen(app));
    app.detail().unwrap().record.call.clone()
}

fn saved(path: &Path, summary: &str) -> guichet::domain::call::CallRecord {
    let store = Store::open(path).unwrap();
    let call = store
        .list_calls(&guichet::store::CallFilter::default())
        .unwrap()
        .into_iter()
        .find(|c| c.summary == summary)
        .unwrap_or_else(|| panic!("no call « {summary} »"));
    store.get_call(call.reference).unwrap()
}

const ELOISE: &str = "%2B33612345678";
const ANNE: &str = "0231301500";
const UNKNOWN: &str = "0699887766";

#[test]
fn two_calls_ringing_both_show_and_each_saved_call_keeps_its_own_link_and_time() {
    // Both answered on this extension one after the other, in either order, and hung up
    // in either order: each saved call has its own phone call and its own handling time.
    for first_answered in ["c1", "c2"] {
        for first_hung_up in ["c1", "c2"] {
            let (_dir, path) = desk();
            let mut app = console(&path, Some("3001"));
            let t = now();
            let from = |id: &str| if id == "c1" { ELOISE } else { ANNE };
            ring(&path, "c1", ELOISE, t);
            ring(&path, "c2", ANNE, t + Duration::seconds(2));
            app.tick_settled(t + Duration::seconds(3));
            let shown = screen(&app);
            assert!(
                shown.contains("☎ sonne · 02 31 30 15 00 · Anne Çelik"),
                "{shown}"
            );
            assert!(
                shown.contains("☎ sonne · +33 6 12 34 56 78 · Éloïse Le Gall-N'Diaye"),
                "both calls, one line each: {shown}"
            );

            let second_answered = if first_answered == "c1" { "c2" } else { "c1" };
            let answered_at =
                |id: &str| t + Duration::seconds(if id == first_answered { 10 } else { 40 });
            answer(
                &path,
                first_answered,
                from(first_answered),
                answered_at(first_answered),
            );
            app.tick_settled(answered_at(first_answered) + Duration::seconds(5));
            let shown = screen(&app);
            let first_line = shown.lines().nth(1).unwrap();
            assert!(
                first_line.contains("en ligne 00:05"),
                "the answered call comes first: {shown}"
            );
            let a = take_and_save(&mut app, &format!("appel {first_answered}"));
            assert_eq!(a.telephony_id.as_deref(), Some(first_answered));
            assert_eq!(a.opened_at, answered_at(first_answered));

            answer(
                &path,
                second_answered,
                from(second_answered),
                answered_at(second_answered),
            );
            app.tick_settled(answered_at(second_answered) + Duration::seconds(1));
            let b = take_and_save(&mut app, &format!("appel {second_answered}"));
            assert_eq!(b.telephony_id.as_deref(), Some(second_answered));
            assert_eq!(b.opened_at, answered_at(second_answered));

            let second_hung_up = if first_hung_up == "c1" { "c2" } else { "c1" };
            let hung_up_at =
                |id: &str| t + Duration::seconds(if id == first_hung_up { 100 } else { 160 });
            for id in [first_hung_up, second_hung_up] {
                hang_up(&path, id, from(id), "normalClearing", hung_up_at(id));
            }
            app.tick_settled(t + Duration::seconds(170));
            for id in ["c1", "c2"] {
                let record = saved(&path, &format!("appel {id}"));
                let expected = (hung_up_at(id) - answered_at(id)).num_seconds();
                assert_eq!(
                    record.call.handled_seconds,
                    Some(expected),
                    "{id} (answered {first_answered} first, hung up {first_hung_up} first)"
                );
                let handled: Vec<_> = record
                    .journal
                    .iter()
                    .filter(|e| e.kind == JournalKind::Handled)
                    .collect();
                assert_eq!(handled.len(), 1, "one handling time on {id}");
            }
            assert!(!screen(&app).contains('☎'), "{}", screen(&app));
        }
    }
}

#[test]
fn three_calls_ringing_one_answered_the_others_missed_and_listed_to_call_back() {
    let (_dir, path) = desk();
    let mut app = console(&path, Some("3001"));
    let t = now();
    ring(&path, "c1", ELOISE, t);
    ring(&path, "c2", ANNE, t + Duration::seconds(1));
    ring(&path, "c3", UNKNOWN, t + Duration::seconds(2));
    ring(&path, "c4", "0611111111", t + Duration::seconds(3));
    app.tick_settled(t + Duration::seconds(4));
    let shown = screen(&app);
    let lines: Vec<&str> = shown.lines().collect();
    assert!(lines[1].contains("06 11 11 11 11"), "newest first: {shown}");
    assert!(lines[2].contains("06 99 88 77 66"), "{shown}");
    assert!(lines[3].contains("02 31 30 15 00"), "{shown}");
    assert!(lines[3].contains("+1"), "a fourth call is counted: {shown}");
    assert!(
        !shown.contains("+33 6 12 34 56 78 ·"),
        "three lines at most: {shown}"
    );

    answer(&path, "c2", ANNE, t + Duration::seconds(8));
    app.tick_settled(t + Duration::seconds(9));
    let b = take_and_save(&mut app, "appel d'Anne");
    assert_eq!(b.telephony_id.as_deref(), Some("c2"));
    for (id, from) in [("c1", ELOISE), ("c3", UNKNOWN), ("c4", "0611111111")] {
        hang_up(&path, id, from, "cancel", t + Duration::seconds(20));
    }
    hang_up(
        &path,
        "c2",
        ANNE,
        "normalClearing",
        t + Duration::seconds(68),
    );
    app.tick_settled(t + Duration::seconds(70));
    assert_eq!(saved(&path, "appel d'Anne").call.handled_seconds, Some(60));

    // F7: the three missed calls, newest first; Enter calls the number back.
    key(&mut app, KeyCode::F(7));
    assert_eq!(app.top_kind(), Kind::Awaiting);
    let shown = screen(&app);
    assert!(
        shown.contains("Appels manqués, dernières 24 h (3)"),
        "{shown}"
    );
    assert!(
        shown.contains("09:41 · +33 6 12 34 56 78 · Éloïse Le Gall-N'Diaye · sur 3000"),
        "{shown}"
    );
    assert!(shown.contains("06 99 88 77 66 · inconnu"), "{shown}");
    key(&mut app, KeyCode::End);
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.top_kind(), Kind::Form);
    let draft = app.form().unwrap().draft(&embedded_reference());
    assert_eq!(draft.caller_phone, "+33 6 12 34 56 78");
    assert_eq!(draft.caller_name, "Éloïse Le Gall-N'Diaye");
    assert_eq!(draft.telephony_id, None, "a call back is a call of its own");
    assert!(
        draft
            .notes
            .starts_with("Rappel de l'appel manqué du 23/11 à 09:41")
    );
}

#[test]
fn a_form_left_blank_gives_way_to_the_call_that_rings() {
    let (_dir, path) = desk();
    let mut app = console(&path, Some("3001"));
    key(&mut app, KeyCode::F(2));
    key(&mut app, KeyCode::Esc);
    ring(&path, "c1", ELOISE, now());
    app.settle_store();
    key(&mut app, KeyCode::F(2));
    let draft = app.form().unwrap().draft(&embedded_reference());
    assert_eq!(draft.telephony_id.as_deref(), Some("c1"));
    assert_eq!(draft.caller_name, "Éloïse Le Gall-N'Diaye");
}

#[test]
fn a_form_typed_before_the_answer_follows_the_call_answered_and_says_so() {
    let (_dir, path) = desk();
    let mut app = console(&path, Some("3001"));
    key(&mut app, KeyCode::F(2));
    type_text(&mut app, "Zoé Martin");
    let answered = now() + Duration::seconds(30);
    ring(&path, "c7", UNKNOWN, now() + Duration::seconds(20));
    answer(&path, "c7", UNKNOWN, answered);
    app.tick_settled(answered + Duration::seconds(1));
    let form = app.form().unwrap();
    assert_eq!(form.telephony_id.as_deref(), Some("c7"));
    assert_eq!(form.opened_at, answered);
    let said = &app.flash.as_ref().unwrap().text;
    assert!(
        said.contains("saisie liée à l'appel en ligne de 06 99 88 77 66 (décroché à 09:41)"),
        "{said}"
    );
}

#[test]
fn f8_sets_the_call_being_typed_aside_and_f7_takes_it_back_with_nothing_lost() {
    let (_dir, path) = desk();
    let mut app = console(&path, Some("3001"));
    // A call taken from the phone, hung up, still being typed…
    ring(&path, "c1", ANNE, now());
    answer(&path, "c1", ANNE, now() + Duration::seconds(2));
    app.tick_settled(now() + Duration::seconds(3));
    key(&mut app, KeyCode::F(2));
    assert_eq!(app.form().unwrap().focus, Field::Summary);
    type_text(&mut app, "copieur toujours bloqué");
    hang_up(
        &path,
        "c1",
        ANNE,
        "normalClearing",
        now() + Duration::seconds(62),
    );
    // …when another rings: F2 brings back what is typed and names the key to set it aside.
    ring(&path, "c2", ELOISE, now() + Duration::seconds(70));
    app.tick_settled(now() + Duration::seconds(71));
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::F(2));
    let draft = app.form().unwrap().draft(&embedded_reference());
    assert_eq!(draft.telephony_id.as_deref(), Some("c1"));
    let said = &app.flash.as_ref().unwrap().text;
    assert!(said.contains("F8 la met de côté"), "{said}");
    let shown = screen(&app);
    assert!(
        shown
            .lines()
            .nth(1)
            .unwrap()
            .contains("F8 de côté · F2 appel"),
        "the banner names the key too: {shown}"
    );
    // F8: set aside, and the call that rings gets its form at once.
    key(&mut app, KeyCode::F(8));
    let form = app.form().unwrap();
    assert_eq!(form.telephony_id.as_deref(), Some("c2"));
    let said = &app.flash.as_ref().unwrap().text;
    assert!(
        said.contains("saisie mise de côté (Anne Çelik) : F7 pour la reprendre"),
        "{said}"
    );
    let e = take_and_save(&mut app, "carte agent");
    assert_eq!(e.telephony_id.as_deref(), Some("c2"));

    // F7 lists it; Enter types it back, link and all; saved, it gets its handling time.
    key(&mut app, KeyCode::F(7));
    let shown = screen(&app);
    assert!(shown.contains("Saisies mises de côté (1)"), "{shown}");
    assert!(
        shown.contains("Anne Çelik · 02 31 30 15 00 · « copieur toujours bloqué »"),
        "{shown}"
    );
    key(&mut app, KeyCode::Enter);
    let draft = app.form().unwrap().draft(&embedded_reference());
    assert_eq!(draft.summary, "copieur toujours bloqué");
    assert_eq!(draft.telephony_id.as_deref(), Some("c1"));
    ctrl(&mut app, 's');
    let record = saved(&path, "copieur toujours bloqué");
    assert_eq!(record.call.telephony_id.as_deref(), Some("c1"));
    assert_eq!(record.call.handled_seconds, Some(60));
    assert!(
        Store::open(&path)
            .unwrap()
            .aside_drafts("dupontje")
            .unwrap()
            .is_empty()
    );
}

#[test]
fn f6_takes_the_phone_call_on_the_callers_open_call_which_gets_its_handling_time() {
    let (_dir, path) = desk();
    let mut app = console(&path, Some("3001"));
    ring(&path, "c1", ELOISE, now());
    answer(&path, "c1", ELOISE, now() + Duration::seconds(4));
    app.tick_settled(now() + Duration::seconds(5));
    key(&mut app, KeyCode::F(6));
    assert_eq!(
        app.detail().unwrap().record.call.reference.to_string(),
        "A-0005"
    );
    let said = &app.flash.as_ref().unwrap().text;
    assert!(
        said.contains("appel de +33 6 12 34 56 78 pris sur A-0005"),
        "{said}"
    );
    // F2 now would not give the call a second record: the link is taken.
    hang_up(
        &path,
        "c1",
        ELOISE,
        "normalClearing",
        now() + Duration::seconds(94),
    );
    app.tick_settled(now() + Duration::seconds(95));
    let record = app.detail().unwrap().record.clone();
    assert_eq!(record.call.handled_seconds, Some(90));
    assert!(
        record
            .journal
            .iter()
            .any(|e| e.kind == JournalKind::Handled
                && e.text.starts_with("appel traité en 1 min 30 s")),
        "{:?}",
        record.journal
    );
    assert!(
        record
            .journal
            .iter()
            .any(|e| e.text == "nouvel appel téléphonique (+33 6 12 34 56 78) pris sur cet appel")
    );
}
