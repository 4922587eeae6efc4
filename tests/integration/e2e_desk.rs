//! End to end, the desk's flows: the real binary in a real terminal (tmux, 80x24), the
//! same flows as `console.rs` drives in memory, checked on screen and through the
//! command line on the same database.
//!
//! Each test runs its own tmux server in its own temporary directory (see
//! `common/tmux.rs`); tmux is required. Every key that changes the screen is followed by a
//! wait for the new screen before the next key: an escape followed at once by a letter
//! would be read as an Alt-combination, and a failing wait prints the last screen.

use crate::common::tmux;

use serde_json::Value;
use std::path::PathBuf;
use tmux::{OPERATOR, Term};

/// Starts the console and waits for the empty list.
pub(crate) fn started(session: &str) -> Term {
    let term = Term::new();
    term.start(session);
    term.wait_for(
        session,
        &["guichet ·", OPERATOR, "Aucun appel ouvert", "quitter"],
    );
    term
}

/// Types a new call field by field (name, no phone, no email, service, device, summary)
/// and leaves the focus on the summary.
pub(crate) fn type_call(
    term: &Term,
    s: &str,
    name: &str,
    service: &str,
    device: &str,
    summary: &str,
) {
    term.press(s, "F2");
    term.wait_for(s, &["Nouvel appel", "Ctrl-S  enregistrer"]);
    term.type_text(s, name);
    term.press(s, "Tab");
    term.press(s, "Tab"); // no phone
    term.press(s, "Tab"); // no email
    term.type_text(s, service);
    term.press(s, "Tab");
    term.type_text(s, device);
    term.press(s, "Tab");
    term.type_text(s, summary);
    // The summary field scrolls: its end shows, its start may be cut.
    let what = format!("« {name} » and the summary « {summary} » typed");
    term.wait_until(s, &what, |screen| {
        let shown = screen
            .lines()
            .flat_map(|line| line.split('│'))
            .find_map(|cell| cell.strip_prefix("▸Objet"))
            .map(str::trim)
            .unwrap_or_default();
        screen.contains(name)
            && summary.ends_with(shown)
            && shown.chars().count() >= summary.chars().count().min(25)
    });
}

/// Types and saves a new call; waits for its detail.
fn save_call(
    term: &Term,
    s: &str,
    reference: &str,
    name: &str,
    service: &str,
    device: &str,
    summary: &str,
) -> String {
    type_call(term, s, name, service, device, summary);
    term.press(s, "C-s");
    term.wait_for(
        s,
        &[
            &format!("Appel {reference}"),
            "enregistré",
            name,
            "c  clore",
        ],
    )
}

/// The screen's text as one line: box borders dropped, blanks collapsed, so that words
/// wrapped over two rows read as they are said.
fn flat(screen: &str) -> String {
    screen
        .replace('│', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The value a tool's or a form's field shows: the rest of the first pane row that starts
/// with `label`, trimmed ("" when the field is empty). Panics, with the screen, when no row
/// has that label.
fn field(screen: &str, label: &str) -> String {
    screen
        .lines()
        .flat_map(|line| line.split('│'))
        .find_map(|cell| {
            let rest = cell.strip_prefix(label)?;
            (rest.is_empty() || rest.starts_with(' ')).then(|| rest.trim().to_string())
        })
        .unwrap_or_else(|| panic!("no field « {label} » on screen:\n{screen}"))
}

/// The highlighted row (the one with "▶") of the proposals' pane.
fn highlighted_proposal(screen: &str) -> String {
    screen
        .lines()
        .flat_map(|line| line.split('│'))
        .find_map(|cell| cell.strip_prefix('▶'))
        .map(|rest| rest.trim().to_string())
        .unwrap_or_else(|| panic!("no highlighted proposal on screen:\n{screen}"))
}

/// Moves the proposals' highlight down to the row whose text starts with `title_start`.
pub(crate) fn select_proposal(term: &Term, s: &str, title_start: &str) -> String {
    let mut screen = term.wait_for(s, &["Procédures proposées", "Entrée  suivre"]);
    for _ in 0..6 {
        let current = highlighted_proposal(&screen);
        if current.starts_with(title_start) {
            return screen;
        }
        term.press(s, "Down");
        screen = term.wait_until(s, "the highlight to move to the next proposal", |sc| {
            sc.contains('▶') && highlighted_proposal(sc) != current
        });
    }
    panic!("« {title_start} » is not among the proposals; last screen:\n{screen}");
}

/// Reads the highlighted proposal in full (`v`), checks it is `slug`, and comes back to
/// the proposals.
fn check_proposal_is(term: &Term, s: &str, slug: &str, title: &str) {
    term.press(s, "v");
    term.wait_for(s, &[&format!("[{slug}]"), title, "Échap  retour"]);
    term.press(s, "Escape");
    term.wait_for(s, &["Procédures proposées", "Entrée  suivre"]);
}

fn json(text: &str, what: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{what} is not JSON ({e}):\n{text}"))
}

pub(crate) fn call_json(term: &Term, reference: &str) -> Value {
    json(
        &term.cli(&["call", "show", reference, "--format", "json"]),
        "call show",
    )
}

pub(crate) fn journal(call: &Value) -> Vec<(String, String)> {
    call["journal"]
        .as_array()
        .unwrap_or_else(|| panic!("no journal in {call:#}"))
        .iter()
        .map(|e| {
            let kind = e["kind"].as_str().unwrap_or_default().to_string();
            let text = e["text"].as_str().unwrap_or_default().to_string();
            (kind, text)
        })
        .collect()
}

fn by_outcome(term: &Term) -> Value {
    // From the earliest date accepted to the latest: now, and an hour more.
    let to = (chrono::Utc::now() + chrono::Duration::hours(1))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let report = json(
        &term.cli(&[
            "report",
            "handover",
            "--from",
            "2000-01-01T00:00",
            "--to",
            &to,
            "--format",
            "json",
        ]),
        "report handover",
    );
    report["by_outcome"].clone()
}

fn title_of(term: &Term, slug: &str) -> String {
    let procedure = json(
        &term.cli(&["procedures", "show", slug, "--format", "json"]),
        "procedures show",
    );
    procedure["title"]
        .as_str()
        .unwrap_or_else(|| panic!("no title for {slug}: {procedure:#}"))
        .to_string()
}

/// The database and its SQLite companions.
fn db_files(term: &Term) -> Vec<PathBuf> {
    let db = term.db();
    let with = |suffix: &str| PathBuf::from(format!("{}{suffix}", db.display()));
    vec![db.clone(), with("-wal"), with("-shm"), with("-journal")]
}

/// The database files holding `needle`'s bytes, and how many files could be read.
fn stored_in(term: &Term, needle: &str) -> (Vec<PathBuf>, usize) {
    let mut holding = Vec::new();
    let mut read = 0;
    for path in db_files(term) {
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        read += 1;
        if bytes.windows(needle.len()).any(|w| w == needle.as_bytes()) {
            holding.push(path);
        }
    }
    (holding, read)
}

/// Asserts that `needle` is in none of the database files, and that `known` (stored text)
/// is found by the same search: the search reads what the desk wrote.
fn assert_not_stored(term: &Term, needle: &str, known: &str) {
    let (holding, read) = stored_in(term, needle);
    assert!(read > 0, "no database file next to {}", term.db().display());
    assert!(holding.is_empty(), "« {needle} » found in {holding:?}");
    let (holding, _) = stored_in(term, known);
    assert!(
        !holding.is_empty(),
        "« {known} » not found in the database files: the search is blind"
    );
}

#[test]
fn an_escalated_procedure_closes_as_escalated_in_a_real_terminal() {
    let s = "escalated";
    let term = started(s);
    type_call(
        &term,
        s,
        "Théo Müller",
        "direccte",
        "pc pro",
        "gemini ne s'ouvre pas",
    );
    // The proposals come with the catalogue, loaded after the first paint.
    term.wait_for(s, &["▶"]);
    term.press(s, "C-p");
    let title = title_of(&term, "social-gemini");
    assert!(title.contains("GEMINI"), "{title}");
    let screen = select_proposal(&term, s, "DIRECCTE : ");
    let shown = highlighted_proposal(&screen);
    // A title too long for the panel keeps its subject and its end, where it names what
    // tells it apart.
    assert!(
        shown.starts_with("DIRECCTE : …") && shown.ends_with("GEMINI"),
        "the first proposal should read « DIRECCTE : …GEMINI », shown « {shown} »; screen:\n{screen}"
    );
    assert!(
        screen.lines().nth(2).is_some_and(|l| l.contains('▶')),
        "social-gemini should be the first proposal; screen:\n{screen}"
    );
    // Reading it whole says which it is.
    check_proposal_is(&term, s, "social-gemini", &title);

    term.press(s, "Enter");
    term.wait_for(
        s,
        &["Appel A-0001", "enregistré", "▶ 1. QUESTION", "o  oui"],
    );
    term.press(s, "o");
    term.wait_for(s, &["▶ 3. QUESTION", "→ oui"]);
    term.press(s, "o");
    term.wait_for(s, &["▶ 6. VÉRIFIER", "Entrée  valider"]);
    term.press(s, "Enter");
    term.wait_for(s, &["▶ 7. QUESTION", "o  oui"]);
    term.press(s, "n");
    term.wait_for(s, &["▶ 13. ESCALADER", "Entrée  valider"]);
    term.press(s, "Enter");
    term.wait_for(s, &["Procédure terminée", "c  clore l'appel"]);

    // c closes from the end of the procedure, the journal's outcome chosen.
    term.press(s, "c");
    let screen = term.wait_for(s, &["Clore l'appel", "selon le journal", "Entrée  clore"]);
    let proposed = screen
        .lines()
        .find(|l| l.contains("selon le journal"))
        .unwrap();
    assert!(
        proposed.contains("escaladé"),
        "the journal's outcome is the escalation; screen:\n{screen}"
    );
    term.press(s, "Enter");
    let screen = term.wait_for(s, &["Appel A-0001", "clos le", "c  corriger l'issue"]);
    assert!(
        screen.contains("Issue      escaladé (2e niveau)"),
        "the detail should show the escalation; screen:\n{screen}"
    );

    let call = call_json(&term, "A-0001");
    assert_eq!(call["status"], "closed", "{call:#}");
    assert_eq!(call["outcome"], "escalated", "{call:#}");
    let outcomes = by_outcome(&term);
    assert_eq!(outcomes["escalated"], 1, "{outcomes:#}");
    assert!(outcomes.get("resolved").is_none(), "{outcomes:#}");

    // Corrected afterwards: the outcome changes, the journal keeps both.
    term.press(s, "c");
    term.wait_for(s, &["Corriger l'issue", "(actuelle)", "Entrée  corriger"]);
    term.press(s, "Up");
    term.press(s, "Enter");
    let screen = term.wait_for(s, &["résolu (corrigée)", "issue corrigée : résolu"]);
    assert!(
        screen.contains("c  corriger l'issue"),
        "back on the closed call's detail; screen:\n{screen}"
    );

    let call = call_json(&term, "A-0001");
    assert_eq!(call["status"], "closed", "{call:#}");
    assert_eq!(call["outcome"], "resolved", "{call:#}");
    let lines = journal(&call);
    assert!(
        lines.contains(&("outcome".into(), "escalated".into())),
        "{lines:#?}"
    );
    assert!(
        lines.contains(&("outcome_corrected".into(), "resolved".into())),
        "{lines:#?}"
    );
    let escalated_at = lines.iter().position(|(k, _)| k == "outcome").unwrap();
    let corrected_at = lines
        .iter()
        .position(|(k, _)| k == "outcome_corrected")
        .unwrap();
    assert!(escalated_at < corrected_at, "{lines:#?}");
    let outcomes = by_outcome(&term);
    assert_eq!(outcomes["resolved"], 1, "{outcomes:#}");
    assert!(outcomes.get("escalated").is_none(), "{outcomes:#}");
}

#[test]
fn tools_show_the_call_they_were_opened_on_in_a_real_terminal() {
    const PASSWORD: &str = "Cert-p12=!x";
    let s = "tools";
    let term = started(s);
    save_call(
        &term,
        s,
        "A-0001",
        "Zoé Martin",
        "rouen",
        "copieur",
        "le copieur I76RC-DSI04-B4 ne sort rien",
    );

    term.press(s, "F4");
    let screen = term.wait_for(s, &["Imprimante · appel A-0001", "noter sur l'appel"]);
    assert_eq!(field(&screen, "Nom"), "I76RC-DSI04-B4", "{screen}");
    assert!(
        screen.contains("Seine-Maritime") && screen.contains("172.26.66.73"),
        "the printer's name should be decoded; screen:\n{screen}"
    );
    term.press(s, "PageDown");
    let screen = term.wait_for(s, &["Identifiant COMU · appel A-0001"]);
    assert_eq!(field(&screen, "Prénom"), "Zoé", "{screen}");
    assert_eq!(field(&screen, "Nom"), "Martin", "{screen}");
    term.press(s, "PageDown");
    term.wait_for(s, &["Épeler · appel A-0001", "Ctrl-T  alphabet"]);
    term.type_text(s, PASSWORD);
    let screen = term.wait_for(s, &[PASSWORD, "tiret", "égal", "point d'exclamation"]);
    assert_eq!(field(&screen, "Texte"), PASSWORD, "{screen}");
    assert!(
        screen.contains("comme Charlie") && screen.contains("comme X-ray"),
        "every character should be spelled; screen:\n{screen}"
    );
    term.press(s, "Escape");
    term.wait_for(s, &["Appel A-0001", "c  clore", "Échap  retour"]);
    term.press(s, "Escape");
    term.wait_for(s, &["quitter", "Zoé Martin"]);

    save_call(&term, s, "A-0002", "Paul Renaud", "int", "noe", "vpn bleu");
    term.press(s, "F4");
    let screen = term.wait_for(s, &["Imprimante · appel A-0002", "noter sur l'appel"]);
    assert_eq!(
        field(&screen, "Nom"),
        "",
        "no printer on this call:\n{screen}"
    );
    assert!(
        !screen.contains("Seine-Maritime") && !screen.contains("172.26.66.73"),
        "the previous call's printer is not decoded here; screen:\n{screen}"
    );
    term.press(s, "PageDown");
    let screen = term.wait_for(s, &["Identifiant COMU · appel A-0002"]);
    assert_eq!(field(&screen, "Prénom"), "Paul", "{screen}");
    assert_eq!(field(&screen, "Nom"), "Renaud", "{screen}");
    assert!(
        !screen.contains("Zoé") && !screen.contains("Martin"),
        "nothing of the previous call; screen:\n{screen}"
    );
    term.press(s, "PageDown");
    let screen = term.wait_for(s, &["Épeler · appel A-0002", "Ctrl-T  alphabet"]);
    assert_eq!(field(&screen, "Texte"), "", "{screen}");
    assert!(
        !screen.contains("Cert-p12") && !screen.contains("Charlie"),
        "the text spelled on the previous call is gone; screen:\n{screen}"
    );

    // The COMU answer goes to this call's journal with Entrée.
    term.press(s, "PageUp");
    term.wait_for(s, &["Identifiant COMU · appel A-0002", "noter sur l'appel"]);
    term.press(s, "Tab");
    term.press(s, "Tab");
    term.type_text(s, "AC");
    let screen = term.wait_for(s, &["ac-renaudpa@comu.minint.fr"]);
    assert_eq!(field(&screen, "Domaine"), "AC", "{screen}");
    term.press(s, "Enter");
    term.wait_for(s, &["Noté sur A-0002", "COMU"]);

    let second = journal(&call_json(&term, "A-0002"));
    assert!(
        second
            .iter()
            .any(|(_, t)| t.contains("COMU") && t.contains("ac-renaudpa@comu.minint.fr")),
        "{second:#?}"
    );
    let first = journal(&call_json(&term, "A-0001"));
    assert!(
        !first.iter().any(|(_, t)| t.contains("COMU")),
        "the first call's journal has no COMU line: {first:#?}"
    );
    for (_, text) in first.iter().chain(&second) {
        assert!(!text.contains(PASSWORD), "the spelled text was journaled");
    }
    assert_not_stored(&term, PASSWORD, "Paul Renaud");
}

#[test]
fn a_secret_spelled_shows_whole_at_80x24_in_a_real_terminal() {
    const SECRET: &str = "l1O0-=_?!Kx";
    let s = "secret";
    let term = started(s);
    type_call(
        &term,
        s,
        "Hugo Bernard",
        "int",
        "pc perso",
        "certificat nomade 2",
    );
    // The proposals come with the catalogue, loaded after the first paint.
    term.wait_for(s, &["▶"]);
    term.press(s, "C-p");
    let title = title_of(&term, "mi-nomade2");
    assert!(title.starts_with("NOMADE 2"), "{title}");
    select_proposal(&term, s, "NOMADE 2");
    check_proposal_is(&term, s, "mi-nomade2", &title);

    term.press(s, "Enter");
    term.wait_for(s, &["Appel A-0001", "▶ 1. QUESTION", "o  oui"]);
    term.press(s, "o");
    term.wait_for(s, &["▶ 6. DIRE", "Entrée  valider"]);
    term.press(s, "Enter");
    term.wait_for(s, &["▶ 7. DIRE", "Entrée  valider"]);
    term.press(s, "Enter");
    term.wait_for(s, &["▶ 8.", "SECRET, jamais écrit", "Ctrl-R  montrer"]);
    term.type_text(s, SECRET);
    let masked = format!("Valeur : {}", "•".repeat(SECRET.chars().count()));
    let screen = term.wait_for(s, &[&masked]);
    assert!(!screen.contains(SECRET), "typed masked:\n{screen}");

    // Shown spelled, to be read aloud.
    term.press(s, "C-r");
    let screen = term.wait_for(s, &["À lire"]);
    let spelled = json(
        &term.cli(&["tools", "spell", SECRET, "--format", "json"]),
        "tools spell",
    );
    let spelled = spelled
        .as_array()
        .unwrap_or_else(|| panic!("tools spell is not an array: {spelled:#}"));
    assert_eq!(spelled.len(), SECRET.chars().count(), "{spelled:#?}");
    let text = flat(&screen);
    let read = text
        .split_once("À lire")
        .map(|(_, after)| after)
        .unwrap_or_default();
    for c in spelled {
        let say = c["say"].as_str().expect("say");
        assert!(read.contains(say), "« {say} » is not on screen:\n{screen}");
    }
    assert!(
        read.contains("comme Kilo") && read.contains("comme X-ray"),
        "the last characters are spelled; screen:\n{screen}"
    );
    assert!(
        screen.contains(&format!("Valeur : {SECRET}")),
        "the field stays on screen, shown:\n{screen}"
    );
    assert!(
        screen.contains("Ctrl-R  montrer") && screen.contains("Entrée  donné"),
        "the footer stays on screen:\n{screen}"
    );

    // Ctrl-R again masks it, and again shows it.
    term.press(s, "C-r");
    let screen = term.wait_until(s, "the secret masked again", |sc| {
        !sc.contains("À lire") && sc.contains(&masked)
    });
    assert!(!screen.contains(SECRET), "{screen}");
    term.press(s, "C-r");
    term.wait_for(s, &["À lire", &format!("Valeur : {SECRET}")]);

    // Given: gone from the screen, the next step asked.
    term.press(s, "Enter");
    let screen = term.wait_for(s, &["▶ 9.", "Référence du certificat", "Entrée  noter"]);
    assert!(
        !screen.contains("À lire") && !screen.contains(SECRET) && !screen.contains('•'),
        "the secret is gone once given:\n{screen}"
    );
    let lines = journal(&call_json(&term, "A-0001"));
    assert!(
        lines
            .iter()
            .any(|(_, t)| t.contains("donné à l'appelant") && t.contains("jamais conservé")),
        "the secret is journaled as given: {lines:#?}"
    );
    assert!(!lines.iter().any(|(_, t)| t.contains(SECRET)), "{lines:#?}");
    // While the console runs (the write-ahead log still there)…
    assert_not_stored(&term, SECRET, "Hugo Bernard");

    term.press(s, "Escape");
    term.wait_for(s, &["Appel A-0001", "p  procédure", "Échap  retour"]);
    term.press(s, "Escape");
    term.wait_for(s, &["quitter", "Hugo Bernard"]);
    term.press(s, "q");
    assert_eq!(
        term.wait_exit(s),
        "exit 0",
        "the console should exit cleanly"
    );
    // …and once it has ended.
    assert_not_stored(&term, SECRET, "Hugo Bernard");
}
