//! Snapshot of every screen and state of the console, from the same gallery that renders
//! `screenshots/`.

use guichet::tui::gallery::scenes;

#[test]
fn every_screen_matches_its_snapshot() {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        for scene in scenes() {
            let buffer = scene.render();
            let text = buffer_text(&buffer);
            insta::assert_snapshot!(scene.name, text);
        }
    });
}

/// The screen as lines of text, trailing spaces kept visible with a closing bar so that
/// alignment problems show in the diff.
fn buffer_text(buffer: &ratatui::buffer::Buffer) -> String {
    let area = buffer.area;
    let mut out = String::new();
    for y in 0..area.height {
        let mut line = String::new();
        for x in 0..area.width {
            line.push_str(buffer[(x, y)].symbol());
        }
        out.push_str(&line);
        out.push_str("│\n");
    }
    out
}

#[test]
fn every_screen_draws_at_any_size_without_panicking() {
    for scene in scenes() {
        let app = scene.app();
        for (w, h) in [(1, 1), (10, 3), (20, 6), (40, 12), (79, 23), (200, 60)] {
            let buffer = guichet::tui::gallery::render_app(&app, w, h);
            assert_eq!(buffer.area.width, w, "{}", scene.name);
        }
    }
}

#[test]
fn a_long_service_label_gives_way_to_its_short_one_in_the_form() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use guichet::tui::gallery::{render_app, scenes};
    let mut app = scenes()
        .into_iter()
        .find(|s| s.name == "form-empty")
        .unwrap()
        .app();
    for _ in 0..3 {
        app.handle_key(KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE));
    }
    for c in "rouen".chars() {
        app.handle_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    }
    app.handle_key(KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE));
    let text = buffer_text(&render_app(&app, 80, 24));
    assert!(text.contains("Service  Acad. Rouen"), "{text}");
    let wide = buffer_text(&render_app(&app, 160, 30));
    assert!(
        wide.contains("Académie de Normandie — périmètre Rouen"),
        "{wide}"
    );
}
