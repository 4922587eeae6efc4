//! End to end under hostile conditions: the real console killed, hung up, run on every
//! terminal type, resized, and a secret walked through it then searched for everywhere.

use crate::common::tmux;

use std::path::Path;
use tmux::{OPERATOR, Term};

#[test]
fn a_draft_survives_kill_9_and_a_dropped_link() {
    for (signal, name, expected_end) in [
        (libc::SIGKILL, "kill9", "signal 9"),
        (libc::SIGHUP, "hup", "exit 0"),
        (libc::SIGTERM, "term", "exit 0"),
    ] {
        let term = Term::new();
        term.start(name);
        term.wait_for(name, &["guichet ·"]);
        let caller = format!("Appelant {name}");
        term.type_a_call(name, &caller);
        term.wait_for(name, &["carte agent oubliee"]);
        // The draft is saved within a second of the last key.
        std::thread::sleep(std::time::Duration::from_millis(1500));
        term.signal(name, signal);
        assert_eq!(term.wait_exit(name), expected_end, "{name}");
        let again = format!("{name}-again");
        term.start(&again);
        term.wait_for(&again, &["Saisie retrouvée", &caller]);
        term.press(&again, "o");
        let screen = term.wait_for(&again, &["Nouvel appel", &caller, "carte agent oubliee"]);
        assert!(screen.contains("Ministère de l'Intérieur"), "{screen}");
        term.press(&again, "C-s");
        term.wait_for(&again, &["A-0001", "enregistré"]);
        term.press(&again, "C-c");
        assert_eq!(term.wait_exit(&again), "exit 0");
        let calls = term.cli_calls();
        assert_eq!(calls.len(), 1, "{name}");
        assert_eq!(calls[0]["caller_name"], caller.as_str());
    }
}

#[test]
fn two_consoles_of_one_operator_killed_together_each_get_their_draft_back() {
    // One technician, two SSH sessions (same operator name), both killed with kill -9.
    let term = Term::new();
    for (s, caller) in [("one", "Appelant Un"), ("two", "Appelant Deux")] {
        term.start(s);
        term.wait_for(s, &["guichet ·"]);
        term.type_a_call(s, caller);
        term.wait_for(s, &["carte agent oubliee"]);
    }
    // Each draft is saved within a second of its last key.
    std::thread::sleep(std::time::Duration::from_millis(1500));
    for s in ["one", "two"] {
        term.signal(s, libc::SIGKILL);
        assert_eq!(term.wait_exit(s), "signal 9", "{s}");
    }
    // Two new consoles: each offers one of the two drafts, not the same one twice.
    let first = term.wait_for_start("three", "Saisie retrouvée");
    let second = term.wait_for_start("four", "Saisie retrouvée");
    let has = |screen: &str, caller: &str| screen.contains(caller);
    assert!(
        (has(&first, "Appelant Un") && has(&second, "Appelant Deux"))
            || (has(&first, "Appelant Deux") && has(&second, "Appelant Un")),
        "each console should offer a different draft:\n{first}\n{second}"
    );
}

#[test]
fn every_terminal_type_without_colours_and_resized() {
    for (i, term_name) in [
        "xterm-256color",
        "screen",
        "tmux-256color",
        "linux",
        "vt100",
    ]
    .iter()
    .enumerate()
    {
        let term = Term::new();
        let s = format!("t{i}");
        let no_color = if i % 2 == 0 { "1" } else { "" };
        term.start_with(&s, &[("TERM", term_name), ("NO_COLOR", no_color)]);
        term.wait_for(&s, &["guichet ·", OPERATOR, "Aucun appel ouvert", "F1"]);
        term.press(&s, "F2");
        term.wait_for(&s, &["Nouvel appel", "Procédures proposées"]);
        // A resize is drawn at once, at the new size.
        term.tmux_ok(&["resize-window", "-t", &s, "-x", "120", "-y", "32"]);
        let widest = |screen: &str| screen.lines().map(|l| l.chars().count()).max().unwrap_or(0);
        term.wait_until(
            &s,
            &format!("{term_name} redrawn at 120 columns"),
            |screen| screen.contains("Nouvel appel") && widest(screen) > 100,
        );
        term.tmux_ok(&["resize-window", "-t", &s, "-x", "80", "-y", "24"]);
        term.wait_for(&s, &["Nouvel appel"]);
        term.press(&s, "C-c");
        assert_eq!(term.wait_exit(&s), "exit 0", "{term_name}");
    }
}

/// Every file under `dir`, recursively.
fn files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(files(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

#[test]
fn a_secret_walked_in_the_console_is_written_nowhere() {
    const SECRET: &str = "Kx7#Cryhod-E2E!";
    let term = Term::new();
    let s = "secret";
    term.start(s);
    term.wait_for(s, &["guichet ·"]);
    term.type_a_call(s, "Zoé Martin");
    // The proposals come with the catalogue, loaded after the first paint.
    term.wait_for(s, &["▶"]);
    term.press(s, "C-p");
    term.wait_for(s, &["▶Carte agent"]);
    term.press(s, "Enter");
    term.wait_for(s, &["QUESTION"]);
    term.press(s, "n");
    term.wait_for(s, &["5. QUESTION"]);
    term.press(s, "n");
    term.wait_for(s, &["SECRET"]);
    term.type_text(s, SECRET);
    let masked = term.wait_for(s, &["Valeur"]);
    assert!(!masked.contains(SECRET), "typed masked:\n{masked}");
    term.press(s, "C-r");
    let shown = term.wait_for(s, &["À lire"]);
    assert!(
        shown.contains(SECRET),
        "shown once to read it aloud:\n{shown}"
    );
    term.press(s, "Enter");
    term.wait_for(s, &["8. DIRE"]);
    term.press(s, "Escape");
    term.wait_for(s, &["Procédure interrompue"]);
    term.press(s, "Escape");
    term.wait_for(s, &["Heure", "A-0001"]);
    term.press(s, "q");
    assert_eq!(term.wait_exit(s), "exit 0");

    // Every export a desk can make, written beside the database. The report's window runs
    // from 2000 (the earliest date accepted) to a little ahead of now (dates more than a
    // day ahead are refused).
    let until = (chrono::Utc::now() + chrono::Duration::hours(12))
        .with_timezone(&chrono_tz::Europe::Paris)
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let exports = [
        (
            "report.md",
            vec![
                "report",
                "handover",
                "--from",
                "2000-01-01T00:00",
                "--to",
                &until,
            ],
        ),
        (
            "report.json",
            vec![
                "report",
                "handover",
                "--from",
                "2000-01-01T00:00",
                "--to",
                &until,
                "--format",
                "json",
            ],
        ),
        (
            "report.csv",
            vec![
                "report",
                "handover",
                "--from",
                "2000-01-01T00:00",
                "--to",
                &until,
                "--format",
                "csv",
            ],
        ),
        (
            "show.json",
            vec!["call", "show", "A-0001", "--format", "json"],
        ),
        ("show.txt", vec!["call", "show", "A-0001"]),
        ("list.csv", vec!["call", "list", "--format", "csv"]),
    ];
    for (file, args) in &exports {
        let text = term.cli(args);
        std::fs::write(term.dir().join(file), text).unwrap();
    }
    let show = std::fs::read_to_string(term.dir().join("show.txt")).unwrap();
    // `call show` folds long journal lines: read them as one.
    let unfolded = show.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(unfolded.contains("Mot de passe CRYHOD donné"), "{show}");
    // The database, its WAL and shm, crash reports, exports: zero occurrences.
    let all = files(term.dir());
    assert!(all.iter().any(|p| p.ends_with("e2e.db")));
    for path in all {
        if path.extension().is_some_and(|x| x == "sock") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap_or_default();
        let found = bytes.windows(SECRET.len()).any(|w| w == SECRET.as_bytes());
        assert!(!found, "the secret is in {}", path.display());
    }
}
