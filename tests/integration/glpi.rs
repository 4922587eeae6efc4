//! `guichet glpi push` and `guichet glpi sync`, the real binary on both engines, against a
//! GLPI stand-in (common/glpi.rs) that follows the documented REST API: what was sent
//! (the bodies), one ticket per call, the outbox through failures, and a kill -9 between
//! GLPI's creating a ticket and its answer.

use crate::common::desk;
use crate::common::glpi;

use desk::Desk;
use glpi::{APP_TOKEN, Glpi, Mode, USER_TOKEN};
use guichet::domain::call::{CallRef, JournalKind};
use guichet::domain::walk::{Move, Walk};
use guichet::store::WalkEntry;
use serde_json::Value;
use std::process::Output;
use std::time::{Duration, Instant};

/// Writes the desk's config.toml with a `[glpi]` table for `url`.
fn configure(desk: &Desk, url: &str, extra: &str) {
    let dir = desk.path().join("config").join("guichet");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("config.toml"),
        format!(
            "[glpi]\nurl = \"{url}\"\napp_token = \"{APP_TOKEN}\"\ntimeout_seconds = 2\n{extra}\n\
             [glpi.categories]\nmi = 42\n"
        ),
    )
    .unwrap();
}

/// Runs guichet with the user token in its environment.
fn run(desk: &Desk, args: &[&str]) -> Output {
    desk.cmd()
        .env("GUICHET_GLPI_USER_TOKEN", USER_TOKEN)
        .args(args)
        .output()
        .unwrap()
}

fn ok(desk: &Desk, args: &[&str]) -> String {
    let out = run(desk, args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{args:?} failed: {stderr}");
    assert!(!stderr.contains(USER_TOKEN));
    String::from_utf8(out.stdout).unwrap()
}

/// (exit code, stderr) of a run expected to fail; never the token in what it printed.
fn fails(desk: &Desk, args: &[&str]) -> (i32, String) {
    let out = run(desk, args);
    assert!(!out.status.success(), "{args:?} should fail");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(!stderr.contains(USER_TOKEN), "{stderr}");
    assert!(!String::from_utf8_lossy(&out.stdout).contains(USER_TOKEN));
    (out.status.code().unwrap(), stderr)
}

fn shown(desk: &Desk, reference: &str) -> Value {
    desk.json(&["call", "show", reference, "--format", "json"])
}

/// Every request carried the application token, and only `initSession` the user token.
fn tokens_where_they_belong(glpi: &Glpi) {
    for r in glpi.requests() {
        assert_eq!(r.header("App-Token"), Some(APP_TOKEN), "{r:?}");
        let auth = r.header("Authorization");
        if r.path == "initSession" {
            assert_eq!(auth, Some(format!("user_token {USER_TOKEN}").as_str()));
        } else {
            assert_eq!(auth, None, "{r:?}");
            assert!(r.header("Session-Token").is_some(), "{r:?}");
            assert!(!r.body.contains(USER_TOKEN));
        }
    }
}

on_both_engines! {
fn a_call_becomes_one_ticket_then_followups(desk) {
    let glpi = Glpi::start();
    configure(&desk, &glpi.url(), "");
    let reference = desk.add("Marie Curie", "mi", "noemi", &["--phone", "01 23 45 67 89"]);
    desk.ok(&["call", "note", &reference, "le VPN refuse le certificat"]);

    let out = ok(&desk, &["glpi", "push", &reference]);
    assert_eq!(out, format!("{reference} : ticket GLPI n° 1234 créé\n"));
    let tickets = glpi.tickets();
    assert_eq!(tickets.len(), 1);
    let t = &tickets[0];
    // The request type looked up by its name ("Phone" is 7 in this GLPI, not 3), the
    // category from [glpi.categories], the default urgency.
    assert_eq!(t["requesttypes_id"], 7);
    assert_eq!(t["itilcategories_id"], 42);
    assert_eq!(t["urgency"], 3);
    assert_eq!(t["name"], format!("[guichet {reference}] VPN bleu"));
    let content = t["content"].as_str().unwrap();
    for part in [
        "Appelant : Marie Curie",
        "Téléphone : 01 23 45 67 89",
        "Service : Ministère de l'Intérieur (mi)",
        "Poste : Portable NOEMI (noemi)",
        "le VPN refuse le certificat",
        &format!("[guichet {reference}]"),
    ] {
        assert!(content.contains(part), "{part} missing from {content}");
    }
    assert!(glpi.count("GET", "RequestType") >= 1);
    assert_eq!(glpi.count("GET", "killSession"), 1);
    tokens_where_they_belong(&glpi);

    // The number on the call and in its journal.
    let call = shown(&desk, &reference);
    assert_eq!(call["glpi_ticket"], 1234);
    let journal = call["journal"].as_array().unwrap();
    let last = journal.last().unwrap();
    assert_eq!(last["kind"], "glpi_ticket");
    assert_eq!(last["text"], "ticket GLPI n° 1234");

    // Nothing new: nothing sent.
    let out = ok(&desk, &["glpi", "push", &reference]);
    assert_eq!(out, format!("{reference} : rien de nouveau à envoyer au ticket GLPI n° 1234\n"));

    // Pushed again after a note: a followup with that note only, never a second ticket.
    desk.ok(&["call", "note", &reference, "rappelé : certificat renouvelé"]);
    let out = ok(&desk, &["glpi", "push", &reference]);
    assert_eq!(out, format!("{reference} : 1 entrée(s) de journal ajoutée(s) au ticket GLPI n° 1234\n"));
    assert_eq!(glpi.tickets().len(), 1);
    let followups = glpi.followups();
    assert_eq!(followups.len(), 1);
    assert_eq!(followups[0]["itemtype"], "Ticket");
    assert_eq!(followups[0]["items_id"], 1234);
    let text = followups[0]["content"].as_str().unwrap();
    assert!(text.contains("rappelé : certificat renouvelé"), "{text}");
    assert!(!text.contains("le VPN refuse le certificat"), "only the new entries: {text}");
    assert!(!text.contains("ticket GLPI n°"), "not the hand-off's own line: {text}");
    assert_eq!(glpi.count("POST", "Ticket"), 1);
    tokens_where_they_belong(&glpi);
}
}

on_both_engines! {
fn a_failed_push_waits_and_sync_sends_it_once(desk) {
    let glpi = Glpi::start();
    configure(&desk, &glpi.url(), "");
    let reference = desk.add("Marie Curie", "mi", "noemi", &[]);
    glpi.set_mode(Mode::Fail500);
    let (code, stderr) = fails(&desk, &["glpi", "push", &reference]);
    assert_eq!(code, 1);
    assert!(stderr.contains("non envoyé à GLPI"), "{stderr}");
    assert!(stderr.contains("HTTP 500"), "{stderr}");
    assert!(stderr.contains("mis en attente, guichet glpi sync l'enverra"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    let store = desk.store();
    let call: CallRef = reference.parse().unwrap();
    let outbox = store.glpi_outbox_of(call).unwrap();
    assert_eq!(outbox.len(), 1);
    assert!(outbox[0].last_error.as_deref().unwrap().contains("HTTP 500"));
    assert_eq!(outbox[0].attempts, 1);
    // Still failing: sync says so, exit 1, kept.
    let (code, stderr) = fails(&desk, &["glpi", "sync"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("1 envoi(s) à GLPI en échec, gardé(s) en attente"), "{stderr}");
    assert!(glpi.tickets().is_empty());

    glpi.set_mode(Mode::Normal);
    let out = ok(&desk, &["glpi", "sync"]);
    assert_eq!(out, format!("{reference} : ticket GLPI n° 1234 créé\n"));
    assert_eq!(ok(&desk, &["glpi", "sync"]), "rien en attente pour GLPI\n");
    assert_eq!(glpi.tickets().len(), 1);
    assert_eq!(shown(&desk, &reference)["glpi_ticket"], 1234);
}
}

#[test]
fn no_answer_and_no_server_are_one_sentence_each_and_wait() {
    let desk = Desk::new();
    let glpi = Glpi::start();
    configure(&desk, &glpi.url(), "");
    let reference = desk.add("Marie Curie", "mi", "noemi", &[]);
    glpi.set_mode(Mode::Hang);
    let began = Instant::now();
    let (code, stderr) = fails(&desk, &["glpi", "push", &reference]);
    assert_eq!(code, 1);
    assert!(stderr.contains("n'a pas répondu à temps (2 s)"), "{stderr}");
    assert!(began.elapsed() < Duration::from_secs(10));

    configure(&desk, &glpi::refused_url(), "");
    let (code, stderr) = fails(&desk, &["glpi", "sync"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("connexion refusée"), "{stderr}");

    // Back: sent once; a push tried before looks its marker up first.
    glpi.set_mode(Mode::Normal);
    configure(&desk, &glpi.url(), "");
    ok(&desk, &["glpi", "sync"]);
    assert_eq!(glpi.tickets().len(), 1);
    assert!(glpi.count("GET", "Ticket") >= 1, "the marker was looked up");
}

#[test]
fn an_expired_session_is_opened_again_once() {
    let desk = Desk::new();
    let glpi = Glpi::start();
    configure(&desk, &glpi.url(), "");
    let reference = desk.add("Marie Curie", "mi", "noemi", &[]);
    glpi.set_mode(Mode::ExpireOnce);
    ok(&desk, &["glpi", "push", &reference]);
    assert_eq!(glpi.count("GET", "initSession"), 2);
    assert_eq!(glpi.tickets().len(), 1);
    tokens_where_they_belong(&glpi);
}

#[test]
fn a_wrong_user_token_is_refused_without_printing_it() {
    let desk = Desk::new();
    let glpi = Glpi::start();
    configure(&desk, &glpi.url(), "");
    let reference = desk.add("Marie Curie", "mi", "noemi", &[]);
    let out = desk
        .cmd()
        .env("GUICHET_GLPI_USER_TOKEN", "not-the-token-x9")
        .args(["glpi", "push", &reference])
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr.contains("ERROR_GLPI_LOGIN_USER_TOKEN"), "{stderr}");
    assert!(!stderr.contains("not-the-token-x9"), "{stderr}");
}

on_both_engines! {
fn a_kill_between_glpi_creating_and_answering_never_makes_two_tickets(desk) {
    let glpi = Glpi::start();
    // A long time limit: the process is killed while it waits for the 201.
    configure(&desk, &glpi.url(), "");
    let dir = desk.path().join("config").join("guichet");
    let text = std::fs::read_to_string(dir.join("config.toml")).unwrap();
    std::fs::write(dir.join("config.toml"), text.replace("timeout_seconds = 2", "timeout_seconds = 30")).unwrap();
    let reference = desk.add("Marie Curie", "mi", "noemi", &[]);
    // Queued by a failed push first.
    glpi.set_mode(Mode::Fail500);
    fails(&desk, &["glpi", "push", &reference]);
    glpi.set_mode(Mode::HoldTicketAnswer);
    let mut child = desk
        .cmd()
        .env("GUICHET_GLPI_USER_TOKEN", USER_TOKEN)
        .args(["glpi", "sync"])
        .spawn()
        .unwrap();
    let began = Instant::now();
    while glpi.tickets().is_empty() {
        assert!(began.elapsed() < Duration::from_secs(20), "the ticket never came");
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    assert_eq!(glpi.tickets().len(), 1);

    glpi.set_mode(Mode::Normal);
    let out = ok(&desk, &["glpi", "sync"]);
    assert_eq!(
        out,
        format!("{reference} : déjà reçu par GLPI (ticket n° 1234), enregistré sans le renvoyer\n")
    );
    assert_eq!(glpi.tickets().len(), 1, "never a second ticket");
    assert_eq!(glpi.count("POST", "Ticket"), 1, "the held one only (the 500 came at initSession)");
    assert_eq!(shown(&desk, &reference)["glpi_ticket"], 1234);
    assert_eq!(ok(&desk, &["glpi", "sync"]), "rien en attente pour GLPI\n");
    // Then a followup, once.
    desk.ok(&["call", "note", &reference, "suite"]);
    ok(&desk, &["glpi", "push", &reference]);
    assert_eq!(glpi.followups().len(), 1);
    assert_eq!(glpi.tickets().len(), 1);
}
}

on_both_engines! {
fn no_secret_nor_token_goes_anywhere(desk) {
    const SECRET: &str = "Cryh0d-Zk7-PASSE";
    let glpi = Glpi::start();
    configure(&desk, &glpi.url(), "");
    let reference = desk.add("Marie Curie", "mi", "noemi", &[]);
    let call: CallRef = reference.parse().unwrap();
    // The procedure walked as the console's runner does: each move journaled.
    let catalog = guichet::catalog::procedures::embedded(&guichet::catalog::embedded_reference());
    let procedure = catalog.get("mi-agent-card-cryhod").unwrap().clone();
    let mut store = desk.store();
    let mut walk = Walk::start(procedure);
    let start = WalkEntry { kind: JournalKind::Procedure, line: "mi-agent-card-cryhod", mark: &walk.mark(), escalated: false };
    store.append_walk(call, "op", chrono::Utc::now(), &start).unwrap();
    for mv in [Move::Answer(false), Move::Answer(false), Move::Record(SECRET.into())] {
        let effect = walk.apply(&mv, chrono::Utc::now()).unwrap();
        let entry = WalkEntry { kind: JournalKind::Step, line: &effect.journal, mark: &walk.mark(), escalated: false };
        store.append_walk(call, "op", chrono::Utc::now(), &entry).unwrap();
    }
    drop(store);
    ok(&desk, &["glpi", "push", &reference]);
    let content = glpi.tickets()[0]["content"].as_str().unwrap().to_string();
    assert!(content.contains(&format!("(mi-agent-card-cryhod, version {}) — étape atteinte : deverrouillage-cryhod", walk.procedure.version())), "{content}");
    assert!(content.contains("secret : jamais conservé"), "{content}");
    for r in glpi.requests() {
        assert!(!r.body.contains(SECRET), "{r:?}");
        assert!(!r.path.contains(SECRET) && !r.path.contains(USER_TOKEN));
    }
    if let Ok(entries) = std::fs::read_dir(desk.path().join("data").join("guichet")) {
        for entry in entries.flatten() {
            let bytes = std::fs::read(entry.path()).unwrap();
            for needle in [SECRET, USER_TOKEN] {
                assert!(
                    !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
                    "{needle} in {}", entry.path().display()
                );
            }
        }
    }
    // In the store, on either engine: neither the secret nor the token in any row the
    // hand-off reads or writes.
    for needle in [SECRET, USER_TOKEN] {
        let pattern = format!("%{needle}%");
        assert_eq!(desk.sql_i64("SELECT count(*) FROM journal WHERE body LIKE ?1", sql_args![pattern.as_str()]), 0);
        assert_eq!(
            desk.sql_i64(
                "SELECT count(*) FROM glpi_outbox WHERE coalesce(last_error, '') LIKE ?1 \
                 OR coalesce(claimed_by, '') LIKE ?1",
                sql_args![pattern.as_str()]
            ),
            0
        );
    }
    let on_file = !desk.location().to_string_lossy().starts_with("postgres");
    if on_file {
        let db = desk.db();
        let bytes = std::fs::read(&db).unwrap();
        for needle in [SECRET, USER_TOKEN] {
            assert!(!bytes.windows(needle.len()).any(|w| w == needle.as_bytes()));
        }
    }
}
}

#[test]
fn a_bad_url_or_an_open_token_file_is_one_sentence_exit_2() {
    let desk = Desk::new();
    let reference = desk.add("Marie Curie", "mi", "noemi", &[]);
    configure(&desk, "https://glpi.exemple.gouv.fr/front/ticket.php", "");
    let (code, stderr) = fails(&desk, &["glpi", "push", &reference]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("url GLPI « https://glpi.exemple.gouv.fr/front/ticke"),
        "{stderr}"
    );
    assert!(stderr.contains("» invalide dans [glpi]"), "{stderr}");
    assert!(stderr.contains("apirest.php"), "{stderr}");

    let file = desk.path().join("glpi-token");
    std::fs::write(&file, format!("{USER_TOKEN}\n")).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o640)).unwrap();
    configure(
        &desk,
        "https://glpi.exemple.gouv.fr/apirest.php",
        &format!("user_token_file = \"{}\"", file.display()),
    );
    let out = desk
        .cmd()
        .args(["glpi", "push", &reference])
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("lisible par d'autres que son propriétaire (mode 0640)"),
        "{stderr}"
    );
    assert!(!stderr.contains(USER_TOKEN));

    // Owner only: read, and used.
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    let glpi = Glpi::start();
    configure(
        &desk,
        &glpi.url(),
        &format!("user_token_file = \"{}\"", file.display()),
    );
    let out = desk
        .cmd()
        .args(["glpi", "push", &reference])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(glpi.tickets().len(), 1);
    tokens_where_they_belong(&glpi);
}

/// The console: `t` on an escalated call queues it and the background sender sends it;
/// the status line says GLPI's answer and the call shows its ticket.
#[test]
fn the_console_sends_an_escalated_call_off_its_thread() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let desk = Desk::new();
    let glpi = Glpi::start();
    let reference = desk.add("Marie Curie", "mi", "noemi", &[]);
    desk.ok(&["call", "close", &reference, "--outcome", "escalated"]);
    let file = desk.path().join("glpi-token");
    std::fs::write(&file, USER_TOKEN).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    let config = guichet::config::GlpiConfig {
        url: glpi.url(),
        app_token: APP_TOKEN.into(),
        request_type: "Phone".into(),
        urgency: 4,
        user_token_file: Some(file),
        timeout_seconds: 2,
        categories: Default::default(),
    };
    let reference_data = guichet::catalog::embedded_reference();
    let mut app = guichet::tui::app::App::new(
        guichet::store::Store::open(&desk.db()).unwrap(),
        guichet::catalog::embedded_reference(),
        guichet::catalog::procedures::embedded(&reference_data),
        "dupontje".into(),
        "Hotline".into(),
        guichet::tui::theme::Theme { color: false },
        chrono::Utc::now(),
    )
    .with_glpi(Some(&config));
    let key = |app: &mut guichet::tui::app::App, code| {
        app.handle_key(KeyEvent::new(code, KeyModifiers::NONE))
    };
    key(&mut app, KeyCode::Char('t')); // the list: all calls
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Char('t')); // the call: to GLPI
    let said = app
        .flash
        .as_ref()
        .map(|f| f.text.clone())
        .unwrap_or_default();
    assert_eq!(
        said,
        format!("{reference} : envoi à GLPI en cours ; la réponse s'affichera ici")
    );
    let began = Instant::now();
    loop {
        app.tick(chrono::Utc::now());
        let said = app
            .flash
            .as_ref()
            .map(|f| f.text.clone())
            .unwrap_or_default();
        if said == format!("{reference} : ticket GLPI n° 1234 créé") {
            break;
        }
        assert!(began.elapsed() < Duration::from_secs(10), "still: {said}");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(glpi.tickets().len(), 1);
    assert_eq!(glpi.tickets()[0]["urgency"], 4);
    // The call on the screen shows its ticket once the store says it changed.
    let began = Instant::now();
    loop {
        app.tick(chrono::Utc::now());
        let buffer = guichet::tui::gallery::render_app(&app, 80, 24);
        let text: String = buffer.content().iter().map(|c| c.symbol()).collect();
        if text.contains("ticket GLPI n° 1234") {
            break;
        }
        assert!(began.elapsed() < Duration::from_secs(5), "{text}");
        std::thread::sleep(Duration::from_millis(50));
    }
}
