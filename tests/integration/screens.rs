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

#[test]
fn the_first_frame_before_the_store_matches_its_snapshot() {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        for (name, buffer) in guichet::tui::gallery::splash_frames() {
            insta::assert_snapshot!(name, buffer_text(&buffer));
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

/// Every key a screen prints as a hint ("c : clore l'appel", "n pour saisir…") is bound in
/// the context the keyboard is in: a screen cannot advertise a key that does nothing.
#[test]
fn every_key_a_screen_prints_is_bound_where_it_is_printed() {
    use guichet::tui::keys::{Key, every_key_label, is_bound};
    let labels = every_key_label();
    let key_of = |label: &str| -> Vec<Key> {
        guichet::tui::keys::Context::ALL
            .iter()
            .flat_map(|c| {
                guichet::tui::keys::bindings(*c)
                    .iter()
                    .chain(guichet::tui::keys::global(*c))
            })
            .flat_map(|b| b.keys.iter().copied())
            .filter(|k| k.label() == label)
            .collect()
    };
    let mut checked = 0;
    for scene in scenes() {
        let app = scene.app();
        // A popup's hints are for its keys, the screen's under it for the screen's.
        let drawn = app.drawn_contexts();
        let text = buffer_text(&scene.render());
        for line in text.lines() {
            let chars: Vec<char> = line.chars().collect();
            for label in &labels {
                let l: Vec<char> = label.chars().collect();
                for start in 0..chars.len() {
                    if chars[start..].starts_with(&l) {
                        let before = start.checked_sub(1).map(|i| chars[i]);
                        let after: String = chars[start + l.len()..].iter().take(6).collect();
                        let boundary = before.is_none_or(|c| !c.is_alphanumeric() && c != '-');
                        let hint = after.starts_with(" : ") || after.starts_with(" pour ");
                        if boundary && hint {
                            checked += 1;
                            let keys = key_of(label);
                            assert!(
                                keys.iter().any(|k| drawn.iter().any(|c| is_bound(*c, *k))),
                                "scene {}: « {label} » is printed as a key in\n{line}\nbut {drawn:?} do not bind it",
                                scene.name
                            );
                        }
                    }
                }
            }
        }
    }
    assert!(checked > 20, "the check must see hints: {checked}");
}

/// The help lists every key of the screen under it, at 80x24 and at 60x20: what does not
/// fit is reached by scrolling, nothing is cut.
#[test]
fn the_help_shows_every_key_at_80x24_and_60x20() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use guichet::tui::gallery::render_app;
    use guichet::tui::keys::{self, Context, keys_label};
    let normalize = |s: &str| {
        s.chars()
            .map(|c| {
                if "│─┌┐└┘├┤┬┴┼╭╮╯╰".contains(c) {
                    ' '
                } else {
                    c
                }
            })
            .collect::<String>()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    for scene in scenes() {
        let base = scene.app();
        if base.context() == Context::Help {
            continue;
        }
        let under = base.context();
        let mut expected: Vec<String> = keys::bindings(under)
            .iter()
            .chain(keys::global(under))
            .map(|b| format!("{} {}", keys_label(b.keys), b.help))
            .collect();
        if under.takes_text() {
            expected.extend(
                keys::EDITING
                    .iter()
                    .map(|e| format!("{} {}", keys_label(e.keys), e.help)),
            );
        }
        for (w, h) in [(80, 24), (60, 20)] {
            let mut app = scene.app();
            app.handle_key(KeyEvent::new(KeyCode::F(1), KeyModifiers::NONE));
            assert_eq!(app.context(), Context::Help, "{}", scene.name);
            let mut seen: Vec<String> = Vec::new();
            for _ in 0..80 {
                let buffer = render_app(&app, w, h);
                // Only the popup's rows: the screen's own header, status and footer aside.
                let rows: Vec<String> = buffer_text(&buffer)
                    .lines()
                    .skip(1)
                    .take(h as usize - 2)
                    .map(String::from)
                    .collect();
                let page = normalize(&rows.join(" "));
                if seen.last() == Some(&page) {
                    break;
                }
                seen.push(page);
                app.handle_key(KeyEvent::new(KeyCode::Down, KeyModifiers::NONE));
            }
            for entry in &expected {
                let entry = normalize(entry);
                assert!(
                    seen.iter().any(|p| p.contains(&entry)),
                    "{} at {w}x{h}: the help never shows « {entry} »",
                    scene.name
                );
            }
        }
    }
}

/// For a screen reader no screen shows a decorative glyph: readers spell them out
/// (« panneau d'avertissement ») or skip them, so each one is a word there (`View::mark`).
#[test]
fn no_screen_shows_a_decorative_glyph_to_a_screen_reader() {
    const GLYPHS: [char; 11] = ['⚠', '✓', '☎', '▶', '⇪', '↷', '✗', '●', '⚑', '█', '░'];
    let mut shown = Vec::new();
    for scene in scenes() {
        let app = scene.app().with_screen_reader(true);
        let text = buffer_text(&guichet::tui::gallery::render_app(
            &app,
            scene.width,
            scene.height,
        ));
        for glyph in GLYPHS {
            if text.contains(glyph) {
                shown.push(format!("{} : {glyph}", scene.name));
            }
        }
    }
    assert!(
        shown.is_empty(),
        "glyphs shown to a screen reader:\n{}",
        shown.join("\n")
    );
}
