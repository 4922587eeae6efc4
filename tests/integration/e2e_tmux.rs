//! End to end: the real binary in a real terminal, driven through tmux at 80x24.
//!
//! Each test runs its own tmux server on a socket inside its own temporary directory, and
//! the server is killed when the test ends, a failing assertion included. tmux is
//! required: when it is missing the tests fail, they do not skip.

use crate::common::tmux;

use tmux::{OPERATOR, Term};

#[test]
fn new_call_typed_at_the_keyboard_is_found_by_the_cli() {
    let term = Term::new();
    let s = "guichet";
    term.start(s);
    term.wait_for(s, &["guichet ·", OPERATOR, "Aucun appel ouvert"]);

    term.press(s, "F2");
    term.wait_for(s, &["Nouvel appel"]);
    term.type_text(s, "Zoé Martin");
    term.press(s, "Tab");
    term.type_text(s, "06 12 34 56 78");
    term.press(s, "Tab");
    term.press(s, "Tab"); // no email
    term.type_text(s, "int");
    term.press(s, "Tab");
    term.type_text(s, "noe");
    term.press(s, "Tab");
    term.type_text(s, "carte agent oubliée");
    term.press(s, "C-s");

    let screen = term.wait_for(s, &["A-0001", "enregistré"]);
    assert!(
        screen.contains("Zoé Martin"),
        "the saved call's detail should show the caller; screen:\n{screen}"
    );

    term.press(s, "Escape");
    // Only the list's footer offers "quitter": wait for it, so that `q` cannot arrive in the
    // same read as the escape and be taken for Alt-q.
    term.wait_for(s, &["quitter", "Zoé Martin"]);
    term.press(s, "q");
    assert_eq!(
        term.wait_exit(s),
        "exit 0",
        "the console should exit cleanly"
    );

    let calls = term.cli_calls();
    assert_eq!(calls.len(), 1, "exactly one call expected: {calls:#?}");
    let call = &calls[0];
    for (field, expected) in [
        ("reference", "A-0001"),
        ("caller_name", "Zoé Martin"),
        ("caller_phone", "06 12 34 56 78"),
        ("service", "mi"),
        ("device", "noemi"),
        ("summary", "carte agent oubliée"),
        ("operator", OPERATOR),
        ("status", "open"),
    ] {
        assert_eq!(
            call[field].as_str(),
            Some(expected),
            "field {field} of {call:#}"
        );
    }
}

#[test]
fn draft_survives_leaving_the_form_and_restarting() {
    let term = Term::new();
    let first = "first";
    term.start(first);
    term.wait_for(first, &["guichet ·", OPERATOR, "Aucun appel ouvert"]);

    term.press(first, "F2");
    term.wait_for(first, &["Nouvel appel"]);
    term.type_text(first, "Anne Çelik");
    term.press(first, "Tab");
    term.wait_for(first, &["Anne Çelik"]);
    term.press(first, "Escape");
    // Back on the list, the draft kept.
    term.wait_for(first, &["Saisie gardée", "quitter", "Aucun appel ouvert"]);
    term.press(first, "q");
    assert_eq!(
        term.wait_exit(first),
        "exit 0",
        "the console should exit cleanly"
    );

    let second = "second";
    term.start(second);
    term.wait_for(second, &["Saisie retrouvée", "Anne Çelik"]);
    term.press(second, "o");
    let screen = term.wait_for(second, &["Nouvel appel", "reprise", "Anne Çelik"]);
    assert!(
        screen.contains("guichet ·") && screen.contains(OPERATOR),
        "header expected; screen:\n{screen}"
    );
    term.press(second, "C-c");
    assert_eq!(
        term.wait_exit(second),
        "exit 0",
        "the console should exit cleanly"
    );

    let calls = term.cli_calls();
    assert!(calls.is_empty(), "a draft is not a call: {calls:#?}");
}

/// The console for a screen reader: after each key of the main flows, the terminal's
/// cursor (what a screen reader or a braille display follows) is on what has the focus,
/// and shown; the glyphs readers spell out are words.
#[test]
fn the_cursor_follows_the_focus_for_a_screen_reader() {
    let term = Term::new();
    let s = "reader";
    term.start_with_args(s, &[], &["--screen-reader"]);
    let on = |what: &str, ready: &dyn Fn(&str, &str) -> bool| {
        let (from, row, at) = term.wait_cursor(s, what, |from, row| ready(from, row));
        assert!(at.2, "the cursor is shown for a screen reader: {what}");
        (from, row, at)
    };
    // The empty list: on the sentence that says so.
    on("the empty list's sentence", &|from, _| {
        from.starts_with("Aucun appel ouvert")
    });

    // The new call's form: each field in turn, the cursor where the next letter goes.
    term.press(s, "F2");
    let (_, _, name_at) = on("the caller's field", &|_, row| row.contains(" Appelant"));
    term.type_text(s, "Zoé");
    on("the caller's field, after « Zoé »", &|_, row| {
        row.contains("Appelant  Zoé") || row.contains("Appelant Zoé")
    });
    let (_, _, typed_at) = on("after the name", &|_, row| row.contains("Zoé"));
    assert_eq!(
        typed_at.0,
        name_at.0 + 3,
        "three letters typed, three columns on"
    );
    term.press(s, "Tab");
    on("the phone field", &|_, row| row.contains(" Tél."));
    term.press(s, "Tab");
    on("the email field", &|_, row| row.contains(" Courriel"));
    term.press(s, "Tab");
    // A picker's proposals open with it: the cursor on the one Enter or Tab would take,
    // and it follows what is typed.
    on("the first service proposed", &|from, _| {
        from.starts_with("Ministère de l'Intérieur")
    });
    term.type_text(s, "caen");
    on("the service proposed for « caen »", &|from, _| {
        from.starts_with("Acad")
    });
    for _ in 0..4 {
        term.press(s, "BSpace");
    }
    term.type_text(s, "int");
    on("the service proposed for « int »", &|from, _| {
        from.starts_with("Ministère de l'Intérieur")
    });
    term.press(s, "Tab");
    on("the first device proposed", &|from, row| {
        !row.contains("Service") && from.contains("  ")
    });
    term.type_text(s, "noe");
    on("the device proposed for « noe »", &|from, _| {
        from.contains("NOEMI")
    });
    term.press(s, "Tab");
    on("the summary field", &|_, row| row.contains(" Objet"));
    term.type_text(s, "carte agent oubliée");
    on("the summary typed", &|_, row| {
        row.contains("carte agent oubliée")
    });
    // No glyph for the focused label: the cursor says where the focus is.
    let screen = term.capture(s);
    assert!(
        !screen.contains('▸'),
        "no decorative mark; screen:\n{screen}"
    );

    // The proposals (Ctrl-P): on the highlighted one; Enter walks it. Once they are shown:
    // under load the matching of the last letters typed can still be on its way.
    term.wait_for(s, &["Carte agent oubliée, perdue"]);
    term.press(s, "C-p");
    let (proposal, _, _) = on("a proposed procedure", &|from, row| {
        row.contains('│') && !from.trim().is_empty() && !row.contains("Objet")
    });
    term.press(s, "Enter");
    // The procedure runner: on the step, named in words.
    let (step, _, _) = on("the first step", &|from, _| from.starts_with("Étape 1. "));
    assert!(!step.contains('▶'), "{step}");
    term.press(s, "Escape");
    // Back to the call: on its title; then to the list: on the call's line.
    on("the call's title", &|from, _| {
        from.starts_with("Appel A-0001")
    });
    term.press(s, "Escape");
    on("the call's line in the list", &|from, _| {
        from.starts_with("A-0001") && from.contains("Zoé")
    });
    let _ = proposal;
    // The procedures (F3): on the selected procedure, the first; Down moves it.
    term.press(s, "F3");
    let (first, first_row, _) = on("the first procedure", &|from, row| {
        // An item line: not the title, not the call's line of the list left behind.
        !row.contains("Procédures") && !row.contains("A-0001") && !from.trim().is_empty()
    });
    assert!(!first.trim().is_empty(), "{first}");
    term.press(s, "Down");
    on("the second procedure", &|from, row| {
        row != first_row && !from.trim().is_empty()
    });
    term.press(s, "Escape");
    on("the call's line in the list", &|from, _| {
        from.starts_with("A-0001") && from.contains("Zoé")
    });
    // A popup takes the cursor: the help (F1) on its first line.
    term.press(s, "F1");
    on("the help's first line", &|from, _| {
        from.starts_with("Sur cet écran")
    });
    term.press(s, "Escape");
    on("the call's line again", &|from, _| {
        from.starts_with("A-0001")
    });
    term.press(s, "q");
    assert_eq!(term.wait_exit(s), "exit 0");
}

/// Without the screen reader, the cursor is placed alike but stays hidden.
#[test]
fn without_a_screen_reader_the_cursor_is_placed_but_hidden() {
    let term = Term::new();
    let s = "sighted";
    term.start(s);
    let (_, _, at) = term.wait_cursor(s, "the empty list's sentence", |from, _| {
        from.starts_with("Aucun appel ouvert")
    });
    assert!(!at.2, "hidden");
    term.press(s, "F2");
    let (_, _, at) = term.wait_cursor(s, "the caller's field", |_, row| row.contains("▸Appelant"));
    assert!(!at.2, "hidden");
    term.press(s, "Escape");
    term.wait_for(s, &["quitter"]);
    term.press(s, "q");
    term.wait_exit(s);
}

/// `screen_reader = true` in config.toml is `--screen-reader` for good.
#[test]
fn the_config_turns_the_screen_reader_on() {
    let term = Term::new();
    let dir = term.dir().join("config").join("guichet");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("config.toml"), "screen_reader = true\n").unwrap();
    let s = "configured";
    term.start(s);
    let (_, _, at) = term.wait_cursor(s, "the empty list's sentence", |from, _| {
        from.starts_with("Aucun appel ouvert")
    });
    assert!(at.2, "shown");
    term.press(s, "q");
    assert_eq!(term.wait_exit(s), "exit 0");
}

/// In a walk, F9 flags the step shown « à revoir » with a short note; the status line says
/// so, the walk stays on the step, and the report lists the flag with its note. At the
/// end, `o` answers « résolu ? ». The figures screen (F5, p) lists the flag and shows it
/// under its step.
#[test]
fn a_step_flagged_in_a_walk_is_seen_on_the_screen_and_in_the_report() {
    let term = Term::new();
    let s = "flag";
    term.start(s);
    term.wait_for(s, &["guichet ·", OPERATOR, "Aucun appel ouvert"]);
    term.type_a_call(s, "Zoé Martin");
    term.wait_for(s, &["Carte agent oubliée"]);
    term.press(s, "C-p");
    term.press(s, "Enter");
    term.wait_for(s, &["QUESTION", "F9  à revoir"]);
    term.press(s, "F9");
    term.wait_for(s, &["à revoir — une note courte"]);
    term.type_text(s, "question floue");
    term.press(s, "Enter");
    let screen = term.wait_for(s, &["signalée « à revoir »", "QUESTION"]);
    assert!(
        !screen.contains("une note courte"),
        "the popup closed:\n{screen}"
    );
    let report = term.cli_json(&["report", "procedures", "--format", "json"]);
    let flags = &report["procedures"][0]["flags"];
    assert_eq!(flags[0]["note"], "question floue", "{report:#}");
    assert_eq!(flags[0]["procedure"], "mi-agent-card-cryhod", "{report:#}");
    assert_eq!(flags[0]["operator"], OPERATOR, "{report:#}");
    // The figures screen, from the handover, lists it with its flag; Enter shows the note
    // under its step.
    term.press(s, "F5");
    term.wait_for(s, &["Relève", "p  procédures"]);
    term.press(s, "p");
    let screen = term.wait_for(s, &["Procédures · 30 derniers jours", "À revoir"]);
    assert!(screen.contains("Carte agent oubliée"), "{screen}");
    assert!(
        screen.contains("1 à revoir, dernier : « question floue »"),
        "{screen}"
    );
    term.press(s, "Enter");
    let screen = term.wait_for(s, &["Suivie 1 fois", "« question floue »"]);
    assert!(screen.contains("1 atteinte"), "{screen}");
    term.press(s, "C-c");
    assert_eq!(term.wait_exit(s), "exit 0");
}
