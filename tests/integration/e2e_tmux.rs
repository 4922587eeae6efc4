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
