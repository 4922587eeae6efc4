//! The real console on a PostgreSQL store, as a desk of several sites uses it: another
//! console's call appears within a second, a server that goes away is said on the status
//! line and loses nothing typed, a console killed with kill -9 gets its draft back from
//! its own machine.

use crate::common::tmux;

use guichet::store::scratch::ScratchDb;
use tmux::Term;

/// Runs SQL on the test server's maintenance database (as the test's role).
fn admin(sql: &str) {
    let server = guichet::store::scratch::test_server().with_dbname("postgres");
    let mut client = server.connect().expect("the test server");
    client.batch_execute(sql).expect(sql);
}

#[test]
fn a_call_saved_on_one_site_appears_on_the_other_within_a_second() {
    let db = ScratchDb::new();
    let (caen, rouen) = (Term::on_server(&db.url()), Term::on_server(&db.url()));
    caen.start("caen");
    rouen.start("rouen");
    caen.wait_for("caen", &["guichet ·"]);
    rouen.wait_for("rouen", &["guichet ·", "0 ouvert"]);
    caen.type_a_call("caen", "Zoé de Caen");
    caen.press("caen", "C-s");
    caen.wait_for("caen", &["A-0001", "enregistré"]);
    let saved = std::time::Instant::now();
    rouen.wait_for("rouen", &["A-0001", "Zoé de Caen", "1 ouvert"]);
    assert!(
        saved.elapsed() < std::time::Duration::from_millis(1500),
        "seen in {:?}",
        saved.elapsed()
    );
    caen.press("caen", "Escape");
    caen.wait_for("caen", &["Appels ·"]);
    for (t, s) in [(&caen, "caen"), (&rouen, "rouen")] {
        t.press(s, "q");
        assert_eq!(t.wait_exit(s), "exit 0");
    }
}

#[test]
fn a_server_that_goes_away_loses_nothing_typed() {
    let db = ScratchDb::new();
    let name = db.target().dbname().to_string();
    let term = Term::on_server(&db.url());
    term.start("desk");
    term.wait_for("desk", &["guichet ·"]);
    term.type_a_call("desk", "Agent pendant la panne");
    // The server stops taking this database: every connection cut, none accepted.
    admin(&format!(
        "ALTER DATABASE {name} ALLOW_CONNECTIONS false; \
         SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
    ));
    term.wait_for("desk", &["serveur injoignable, nouvel essai automatique"]);
    // Saving now is refused in one sentence; the call stays on the screen.
    term.press("desk", "C-s");
    let screen = term.wait_for("desk", &["Nouvel appel", "Agent pendant la panne"]);
    assert!(!screen.contains("A-0001"), "{screen}");
    // Back: the status line clears and the same call saves.
    admin(&format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true"));
    term.wait_until("desk", "the warning gone", |s| {
        !s.contains("serveur injoignable")
    });
    // The catalogue, whose loading the cut may have stopped, is there.
    term.wait_for("desk", &["▶Carte agent"]);
    term.press("desk", "C-s");
    term.wait_for("desk", &["A-0001", "enregistré"]);
    term.press("desk", "Escape");
    term.wait_for("desk", &["Appels ·"]);
    term.press("desk", "q");
    assert_eq!(term.wait_exit("desk"), "exit 0");
    let calls = term.cli_calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0]["caller_name"], "Agent pendant la panne");
}

#[test]
fn a_console_killed_on_a_server_store_gets_its_draft_back_from_its_machine() {
    let db = ScratchDb::new();
    let term = Term::on_server(&db.url());
    term.start("first");
    term.wait_for("first", &["guichet ·"]);
    term.type_a_call("first", "Appelant tué");
    term.wait_for("first", &["carte agent oubliee"]);
    std::thread::sleep(std::time::Duration::from_millis(1500));
    term.signal("first", libc::SIGKILL);
    assert_eq!(term.wait_exit("first"), "signal 9");
    // The draft is in this machine's state folder, not on the server.
    let state = std::fs::read_dir(term.dir().join("state").join("guichet"))
        .expect("a local drafts folder")
        .filter_map(Result::ok)
        .any(|e| e.file_name().to_string_lossy().starts_with("brouillons-"));
    assert!(state, "the drafts file is local");
    term.start("again");
    term.wait_for("again", &["Saisie retrouvée", "Appelant tué"]);
    term.press("again", "o");
    term.wait_for("again", &["Nouvel appel", "carte agent oubliee"]);
    term.press("again", "C-s");
    term.wait_for("again", &["A-0001", "enregistré"]);
    term.press("again", "C-c");
    assert_eq!(term.wait_exit("again"), "exit 0");
    assert_eq!(term.cli_calls()[0]["caller_name"], "Appelant tué");
}

/// The call timer of the form on screen (« 00:12 »), as drawn in its title.
fn form_timer(screen: &str) -> Option<String> {
    let line = screen.lines().find(|l| l.contains("Nouvel appel"))?;
    line.split_whitespace()
        .rfind(|w| w.len() == 5 && w.as_bytes()[2] == b':')
        .map(String::from)
}

#[test]
fn a_frozen_server_is_said_within_two_seconds_and_the_console_goes_on() {
    let db = ScratchDb::new();
    let term = Term::on_server(&db.url());
    term.start("desk");
    term.wait_for("desk", &["guichet ·"]);
    term.type_a_call("desk", "Agent du serveur figé");
    // The catalogue loaded (its loader's connection gone), the call typed.
    term.wait_for("desk", &["▶Carte agent", "carte agent oubliee"]);
    // Every backend of its database stopped, as a frozen server leaves them.
    let frozen = db.stop_sessions();
    term.press("desk", "C-s");
    let pressed = std::time::Instant::now();
    let screen = term.wait_for("desk", &["serveur lent", "enregistrement en attente"]);
    let said = pressed.elapsed();
    assert!(
        said < std::time::Duration::from_secs(2),
        "said after {said:?}"
    );
    assert!(
        screen.contains("Agent du serveur figé"),
        "the form stays: {screen}"
    );
    // The timer goes on, and so do the keys.
    let before = form_timer(&screen).expect("the form's timer");
    term.type_text("desk", " et suite");
    term.wait_for("desk", &["oubliee et suite"]);
    term.wait_until("desk", "the timer moving", |s| {
        form_timer(s).is_some_and(|t| t != before)
    });
    // A second save does not make a second call (counted at the end).
    term.press("desk", "C-s");
    // The server wakes up: the save it was given ends, and is told.
    drop(frozen);
    term.wait_for("desk", &["A-0001", "enregistré", "gardé de côté (F7)"]);
    term.wait_until("desk", "the warning gone", |s| !s.contains("serveur lent"));
    term.press("desk", "Escape");
    term.wait_for("desk", &["Appels ·"]);
    term.press("desk", "q");
    assert_eq!(term.wait_exit("desk"), "exit 0");
    let calls = term.cli_calls();
    assert_eq!(calls.len(), 1, "one call, saved once");
    assert_eq!(calls[0]["caller_name"], "Agent du serveur figé");
    assert_eq!(
        calls[0]["summary"], "carte agent oubliee",
        "as it was when saved"
    );
}

#[test]
fn a_console_started_on_a_full_server_says_so_and_takes_the_first_place_freed() {
    let db = ScratchDb::new();
    let name = db.target().dbname().to_string();
    let dir = tempfile::tempdir().unwrap();
    // The schema, made by the owner.
    drop(
        guichet::store::Store::connect_with_drafts(
            db.target(),
            &guichet::store::FileAccess::default(),
            &dir.path().join("owner.db"),
        )
        .unwrap(),
    );
    // A console role whose places are all taken.
    let role = format!("full_{name}");
    admin(&format!(
        "CREATE ROLE {role} LOGIN PASSWORD 'pw' CONNECTION LIMIT 0"
    ));
    let url = db.console_role(&role, "pw").url_with_password();
    let term = Term::on_server(&url);
    term.start("desk");
    // Said on the first frame, drawn before the store (the sentence wrapped there).
    let words = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let screen = term.wait_until("desk", "the full server said", |s| {
        let w = words(s);
        w.contains("n'accepte plus de connexions (max_connections)")
            && w.contains("nouvel essai dans")
    });
    assert!(screen.contains("Connexion à"), "{screen}");
    assert!(!screen.contains("Appels ·"), "{screen}");
    // A place frees up: the console starts by itself.
    admin(&format!("ALTER ROLE {role} CONNECTION LIMIT 2"));
    term.wait_for("desk", &["guichet ·", "Appels ·"]);
    term.press("desk", "q");
    assert_eq!(term.wait_exit("desk"), "exit 0");
    drop(db);
    admin(&format!("DROP ROLE IF EXISTS {role}"));
}
