//! The call list as an operator leaves it on screen: longer than the terminal, idle, at its
//! top. Calls saved by other consoles come in at the top, where the operator looks, on
//! both engines.

use chrono::Duration;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use guichet::domain::call::NewCall;
use guichet::tui::app::App;
use guichet::tui::gallery::{app_with, now, render_app};
use guichet::tui::theme::Theme;

fn call(caller: &str, minutes_ago: i64) -> NewCall {
    NewCall {
        opened_at: now() - Duration::minutes(minutes_ago),
        operator: "martinpa".into(),
        caller_name: caller.into(),
        caller_phone: None,
        caller_email: None,
        service: "mi".into(),
        device: "pc-pro".into(),
        summary: "VPN bleu".into(),
        notes: None,
        procedures: vec![],
        telephony_id: None,
    }
}

/// A console on `store`, with the embedded catalogue.
fn console(store: guichet::store::Store) -> App {
    app_with(store, Theme { color: false })
}

fn rows(app: &App) -> Vec<String> {
    let buffer = render_app(app, 80, 24);
    (0..buffer.area.height)
        .map(|y| {
            (0..buffer.area.width)
                .map(|x| buffer[(x, y)].symbol())
                .collect()
        })
        .collect()
}

/// The row of the screen where `text` shows, if it does.
fn row_of(app: &App, text: &str) -> Option<usize> {
    rows(app).iter().position(|r| r.contains(text))
}

on_both_engines! {
    fn a_long_idle_list_shows_each_new_call_at_its_top(desk) {
        let mut other = desk.store();
        for i in 0..60 {
            other.insert_call(&call(&format!("Appelant {i:02}"), 200 - i)).unwrap();
        }
        let mut app = console(desk.store());
        let top = row_of(&app, "Appelant 59").expect("the newest call shows");
        assert!(row_of(&app, "Appelant 00").is_none(), "the list is longer than the screen");

        // More new calls than the screen has rows: each one shows at the top.
        for n in 0..25 {
            let name = format!("Nouvelle {n:02}");
            let name = name.as_str();
            other.insert_call(&call(name, 0)).unwrap();
            // Live updates come within a second on either engine.
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
            while row_of(&app, name).is_none() && std::time::Instant::now() < deadline {
                app.settle_store();
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            assert_eq!(
                row_of(&app, name),
                Some(top),
                "call {n}: the newest call shows at the top of the list:\n{}",
                rows(&app).join("\n")
            );
        }
    }
}

// A call being typed is written every second, off the drawing thread: no change of the
// desk. On SQLite it was one (the draft lived in the desk's file): every console of the
// desk, the typing one too, read all its screens again each second.
on_both_engines! {
    fn a_call_being_typed_is_no_change_for_the_consoles_of_the_desk(desk) {
        let mut typing = console(desk.store());
        let mut other = console(desk.store());
        typing.settle_store();
        other.settle_store();
        typing.handle_key(KeyEvent::new(KeyCode::F(2), KeyModifiers::NONE));
        for c in "Zoé Martin".chars() {
            typing.handle_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
        }
        typing.save_draft_now();
        assert!(!other.settle_store(), "another console reads its screens again");
        assert!(!typing.settle_store(), "the typing console reads its screens again");
        // A call saved is a change, seen by the other console within a second.
        desk.store().insert_call(&call("Paul Durand", 0)).unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        let mut seen = other.settle_store();
        while !seen && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(50));
            seen = other.settle_store();
        }
        assert!(seen, "a call saved is seen");
    }
}
