//! `guichet glpi push` and `guichet glpi sync`, the real binary on both engines, against a
//! GLPI stand-in (common/glpi.rs) that follows the documented REST API: what was sent
//! (the bodies), one ticket per call, the outbox through failures, and a kill -9 between
//! GLPI's creating a ticket and its answer.

use crate::common::desk;
use crate::common::glpi;

use desk::Desk;
use glpi::{APP_TOKEN, CLIENT_ID, CLIENT_SECRET, Glpi, Mode, PASSWORD, USER_TOKEN, USERNAME};
use guichet::domain::call::{CallRef, JournalKind};
use guichet::domain::walk::{Move, Walk};
use guichet::store::WalkEntry;
use serde_json::Value;
use std::process::Output;
use std::time::{Duration, Instant};

/// Writes the desk's config.toml with a `[glpi]` table for `url`.
fn configure(desk: &Desk, url: &str, extra: &str) {
    configure_timeout(desk, url, 2, extra);
}

/// [`configure`] with this time limit (seconds) for each request.
fn configure_timeout(desk: &Desk, url: &str, timeout: u64, extra: &str) {
    let dir = desk.path().join("config").join("guichet");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("config.toml"),
        format!(
            "[glpi]\nurl = \"{url}\"\napp_token = \"{APP_TOKEN}\"\ntimeout_seconds = {timeout}\n\
             {extra}\n[glpi.categories]\nmi = 42\n"
        ),
    )
    .unwrap();
}

/// Writes the desk's config.toml with a `[glpi]` table for GLPI's high-level API at `url`.
fn configure_v2(desk: &Desk, url: &str, extra: &str) {
    let dir = desk.path().join("config").join("guichet");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("config.toml"),
        format!(
            "[glpi]\napi = \"v2\"\nurl = \"{url}\"\nclient_id = \"{CLIENT_ID}\"\n\
             username = \"{USERNAME}\"\ntimeout_seconds = 2\n{extra}\n\
             [glpi.categories]\nmi = 42\n"
        ),
    )
    .unwrap();
}

/// Runs guichet with the secrets of both APIs in its environment.
fn run(desk: &Desk, args: &[&str]) -> Output {
    desk.cmd()
        .env("GUICHET_GLPI_USER_TOKEN", USER_TOKEN)
        .env("GUICHET_GLPI_CLIENT_SECRET", CLIENT_SECRET)
        .env("GUICHET_GLPI_PASSWORD", PASSWORD)
        .args(args)
        .output()
        .unwrap()
}

fn ok(desk: &Desk, args: &[&str]) -> String {
    let out = run(desk, args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{args:?} failed: {stderr}");
    for secret in [USER_TOKEN, CLIENT_SECRET, PASSWORD] {
        assert!(!stderr.contains(secret));
    }
    String::from_utf8(out.stdout).unwrap()
}

/// (exit code, stderr) of a run expected to fail; never the token in what it printed.
fn fails(desk: &Desk, args: &[&str]) -> (i32, String) {
    let out = run(desk, args);
    assert!(!out.status.success(), "{args:?} should fail");
    let stderr = String::from_utf8(out.stderr).unwrap();
    for secret in [USER_TOKEN, CLIENT_SECRET, PASSWORD] {
        assert!(!stderr.contains(secret), "{stderr}");
        assert!(!String::from_utf8_lossy(&out.stdout).contains(secret));
    }
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
    // The desk's own mark (made once, kept in the store) and the call's reference.
    let desk_mark = desk.store().glpi_desk_marker().unwrap();
    assert_eq!(desk_mark.len(), 12, "{desk_mark}");
    let marker = format!("[guichet {desk_mark} {reference}]");
    assert_eq!(t["name"], format!("{marker} VPN bleu"));
    let content = t["content"].as_str().unwrap();
    for part in [
        "Appelant : Marie Curie",
        "Téléphone : 01 23 45 67 89",
        "Service : Ministère de l'Intérieur (mi)",
        "Poste : Portable NOEMI (noemi)",
        "le VPN refuse le certificat",
        &marker,
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
    let outbox = desk.store().glpi_outbox_of(reference.parse().unwrap()).unwrap();
    assert!(text.ends_with(&format!("[guichet {desk_mark} {reference} envoi {}]", outbox[1].id)), "{text}");
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

    // Back: sent once. No creating request was ever sent (the session never opened):
    // nothing to look for first.
    glpi.set_mode(Mode::Normal);
    configure(&desk, &glpi.url(), "");
    ok(&desk, &["glpi", "sync"]);
    assert_eq!(glpi.tickets().len(), 1);
    assert_eq!(glpi.count("GET", "Ticket"), 0);
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
/// Killed after GLPI stored the ticket, before its answer: the push is in doubt; once its
/// time has come, GLPI is searched, the ticket found and recorded, never made twice.
fn a_kill_between_glpi_creating_and_answering_never_makes_two_tickets(desk) {
    let glpi = Glpi::start();
    configure_timeout(&desk, &glpi.url(), 3, "");
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
    wait_for(Duration::from_secs(20), "the ticket", || !glpi.tickets().is_empty());
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    assert_eq!(glpi.tickets().len(), 1);

    glpi.set_mode(Mode::Normal);
    // At once: in doubt, nothing sent.
    let (_, stderr) = fails(&desk, &["glpi", "sync"]);
    assert!(stderr.contains(&format!("{reference} : envoi en doute")), "{stderr}");
    assert_eq!(glpi.count("POST", "Ticket"), 1);
    std::thread::sleep(Duration::from_millis(6500).saturating_sub(began.elapsed()));
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

    // Owner only, but another user's file: refused too (as ssh refuses a key that is not
    // its user's). The tests may run as root, who can give the file away and read it.
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    if rustix::process::geteuid().is_root() {
        std::os::unix::fs::chown(&file, Some(54321), None).unwrap();
        let out = desk
            .cmd()
            .args(["glpi", "push", &reference])
            .output()
            .unwrap();
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains("appartient à l'utilisateur n° 54321"),
            "{stderr}"
        );
        std::os::unix::fs::chown(&file, Some(0), None).unwrap();
    }

    // Owner only: read, and used.
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

/// A console on the desk's file, its GLPI hand-off configured for the stand-in (the user
/// token in an owner-only file, a 2 s limit), as `[glpi]` in config.toml would give it.
fn console_with_glpi(desk: &Desk, glpi: &Glpi, urgency: u8) -> guichet::tui::app::App {
    let file = desk.path().join("glpi-token");
    std::fs::write(&file, USER_TOKEN).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    let config = guichet::config::GlpiConfig {
        api: guichet::config::GlpiApi::Legacy,
        url: glpi.url(),
        app_token: APP_TOKEN.into(),
        request_type: "Phone".into(),
        urgency,
        user_token_file: Some(file),
        timeout_seconds: 2,
        categories: Default::default(),
        client_id: None,
        username: None,
        client_secret_file: None,
        password_file: None,
    };
    let reference_data = guichet::catalog::embedded_reference();
    guichet::tui::app::App::new(
        guichet::store::Store::open(&desk.db()).unwrap(),
        guichet::catalog::embedded_reference(),
        guichet::catalog::procedures::embedded(&reference_data),
        "dupontje".into(),
        "Hotline".into(),
        guichet::tui::theme::Theme { color: false },
        chrono::Utc::now(),
    )
    .with_glpi(Some(&config))
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
    let mut app = console_with_glpi(&desk, &glpi, 4);
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

/// The marker GLPI's first ticket was given (`[guichet … A-0001]`), written for `reference`.
fn marker_of(glpi: &Glpi, first_reference: &str, reference: &str) -> String {
    let name = glpi.tickets()[0]["name"].as_str().unwrap().to_string();
    let end = name.find(']').unwrap() + 1;
    let marker = &name[..end];
    assert!(
        marker.ends_with(&format!(" {first_reference}]")),
        "{marker}"
    );
    marker.replace(first_reference, reference)
}

/// Waits until `done` holds, at most `limit`.
fn wait_for(limit: Duration, what: &str, mut done: impl FnMut() -> bool) {
    let began = Instant::now();
    while !done() {
        assert!(began.elapsed() < limit, "{what}: still not after {limit:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

on_both_engines! {
/// GLPI answers a creation after the time limit (2 s here, the ticket stored at 3 s): the
/// push is in doubt, and nothing is created again for the call until a search made a
/// time limit after the lost request has looked; that search finds the ticket.
fn an_answer_after_the_timeout_makes_one_ticket_not_two(desk) {
    let glpi = Glpi::start();
    configure(&desk, &glpi.url(), "");
    let reference = desk.add("Marie Curie", "mi", "noemi", &[]);
    glpi.set_delay(Duration::from_secs(3));
    let began = Instant::now();
    let (code, stderr) = fails(&desk, &["glpi", "push", &reference]);
    assert_eq!(code, 1);
    assert!(stderr.contains("n'a pas répondu à temps (2 s)"), "{stderr}");
    assert!(stderr.contains("en doute"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    // `glpi sync` at once: the push is in doubt, nothing is sent again.
    let (code, stderr) = fails(&desk, &["glpi", "sync"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("en doute"), "{stderr}");
    // Everything GLPI was sent is now handled: one ticket.
    std::thread::sleep(Duration::from_secs(7).saturating_sub(began.elapsed()));
    assert_eq!(glpi.tickets().len(), 1, "one ticket: {:?}", glpi.tickets());
    assert_eq!(glpi.count("POST", "Ticket"), 1);
    // After the horizon, GLPI fast again: found, recorded, not sent again.
    glpi.set_delay(Duration::ZERO);
    let out = ok(&desk, &["glpi", "sync"]);
    assert_eq!(
        out,
        format!("{reference} : déjà reçu par GLPI (ticket n° 1234), enregistré sans le renvoyer\n")
    );
    assert_eq!(glpi.tickets().len(), 1);
    assert_eq!(shown(&desk, &reference)["glpi_ticket"], 1234);

    // A followup whose answer is lost the same way: sent once.
    desk.ok(&["call", "note", &reference, "rappel : certificat renouvelé"]);
    glpi.set_delay(Duration::from_secs(3));
    let began = Instant::now();
    fails(&desk, &["glpi", "push", &reference]);
    fails(&desk, &["glpi", "sync"]);
    std::thread::sleep(Duration::from_secs(7).saturating_sub(began.elapsed()));
    glpi.set_delay(Duration::ZERO);
    let out = ok(&desk, &["glpi", "sync"]);
    assert!(out.contains("déjà reçu par GLPI"), "{out}");
    assert_eq!(glpi.followups().len(), 1, "{:?}", glpi.followups());
    assert_eq!(ok(&desk, &["glpi", "sync"]), "rien en attente pour GLPI\n");
}
}

on_both_engines! {
/// `glpi push` and `glpi sync` racing on a slow GLPI: one sender per call, one ticket.
fn push_and_sync_racing_make_one_ticket(desk) {
    let glpi = Glpi::start();
    configure_timeout(&desk, &glpi.url(), 5, "");
    let reference = desk.add("Marie Curie", "mi", "noemi", &[]);
    glpi.set_delay(Duration::from_millis(1500));
    let spawn = |args: &[&str]| {
        desk.cmd()
            .env("GUICHET_GLPI_USER_TOKEN", USER_TOKEN)
            .args(args)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap()
    };
    let mut push = spawn(&["glpi", "push", &reference]);
    wait_for(Duration::from_secs(10), "the push's request", || glpi.count("POST", "Ticket") == 1);
    let mut syncs: Vec<_> = (0..3).map(|_| spawn(&["glpi", "sync"])).collect();
    assert!(push.wait().unwrap().success());
    for s in &mut syncs {
        s.wait().unwrap();
    }
    assert_eq!(glpi.tickets().len(), 1);
    assert_eq!(glpi.count("POST", "Ticket"), 1);
    assert_eq!(shown(&desk, &reference)["glpi_ticket"], 1234);
}
}

/// A tiny generator for the kill points (no dependency for it): the seed is printed.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % below
    }
}

on_both_engines! {
/// `kill -9` of `glpi push` and `glpi sync` at random points, while GLPI takes a moment
/// to create: then everything sent. One ticket per call, every note once in GLPI.
fn kill_nine_anywhere_never_doubles_a_ticket_nor_a_followup(desk) {
    let glpi = Glpi::start();
    configure_timeout(&desk, &glpi.url(), 1, "");
    let seed = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64;
    eprintln!("seed {seed}");
    let mut rng = Lcg(seed);
    let calls: Vec<String> = (0..4).map(|_| desk.add("Marie Curie", "mi", "noemi", &[])).collect();
    let mut notes: Vec<(usize, String)> = Vec::new();
    glpi.set_delay(Duration::from_millis(400));
    let began = Instant::now();
    for round in 0..24 {
        let i = rng.next(calls.len() as u64) as usize;
        if rng.next(2) == 0 {
            let text = format!("marque{round:03}fin");
            desk.ok(&["call", "note", &calls[i], &text]);
            notes.push((i, text));
        }
        let args: Vec<&str> = if rng.next(3) == 0 {
            vec!["glpi", "sync"]
        } else {
            vec!["glpi", "push", &calls[i]]
        };
        let mut child = desk
            .cmd()
            .env("GUICHET_GLPI_USER_TOKEN", USER_TOKEN)
            .args(&args)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(rng.next(700)));
        let _ = child.kill(); // SIGKILL, or already done
        child.wait().unwrap();
    }
    assert!(began.elapsed() < Duration::from_secs(60));
    // Then GLPI fast, and syncs until nothing waits (each push in doubt is looked up once
    // its time has come).
    glpi.set_delay(Duration::ZERO);
    for c in &calls {
        let _ = run(&desk, &["glpi", "push", c]);
    }
    let mut done = false;
    for _ in 0..20 {
        let out = run(&desk, &["glpi", "sync"]);
        if out.status.success() && String::from_utf8_lossy(&out.stdout) == "rien en attente pour GLPI\n" {
            done = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    assert!(done, "still waiting (seed {seed})");
    let tickets = glpi.tickets();
    assert_eq!(tickets.len(), calls.len(), "seed {seed}: {tickets:?}");
    let followups = glpi.followups();
    for (n, reference) in calls.iter().enumerate() {
        let ticket = shown(&desk, reference)["glpi_ticket"].as_i64().unwrap();
        let own = tickets.iter().find(|t| t["id"] == ticket).unwrap();
        assert!(own["name"].as_str().unwrap().contains(&format!(" {reference}]")), "seed {seed}");
        let mut texts = vec![own["content"].as_str().unwrap().to_string()];
        texts.extend(
            followups.iter().filter(|f| f["items_id"] == ticket).map(|f| f["content"].as_str().unwrap().to_string()),
        );
        for (i, note) in &notes {
            let seen: usize = texts.iter().map(|t| t.matches(note.as_str()).count()).sum();
            let expected = usize::from(*i == n);
            assert_eq!(seen, expected, "seed {seed}: {note} of call {i} seen {seen} times on {reference}");
        }
    }
}
}

on_both_engines! {
/// A caller's words that look like another call's marker: that call's retry creates its
/// own ticket, never adopts the other's; and the words reach GLPI defused.
fn words_that_look_like_a_marker_never_cross_link(desk) {
    let glpi = Glpi::start();
    configure(&desk, &glpi.url(), "");
    let first = desk.add("Marie Curie", "mi", "noemi", &[]);
    ok(&desk, &["glpi", "push", &first]);
    let a = desk.add("Paul Langevin", "mi", "noemi", &[]);
    let a_marker = marker_of(&glpi, &first, &a);
    // A's creation lost before GLPI stored anything: in doubt.
    glpi.set_mode(Mode::DropCreate);
    let (_, stderr) = fails(&desk, &["glpi", "push", &a]);
    assert!(stderr.contains("en doute"), "{stderr}");
    glpi.set_mode(Mode::Normal);
    let summary = format!("{a_marker} urgent");
    let b = desk
        .ok(&["call", "add", "--service", "mi", "--device", "noemi", "--caller", "Irène", "--summary", &summary])
        .trim()
        .to_string();
    desk.ok(&["call", "note", &b, &format!("voir {}", a_marker.to_uppercase())]);
    ok(&desk, &["glpi", "push", &b]);
    let b_ticket = glpi.tickets().last().unwrap().clone();
    let b_name = b_ticket["name"].as_str().unwrap();
    assert!(b_name.starts_with(&marker_of(&glpi, &first, &b)), "{b_name}");
    for text in [b_name, b_ticket["content"].as_str().unwrap()] {
        assert!(!text.contains(&a_marker), "defused: {text}");
        assert!(!text.to_lowercase().contains(&a_marker.to_lowercase()), "defused: {text}");
    }
    // A's retry, once its doubt can be settled: its own ticket.
    std::thread::sleep(Duration::from_secs(5));
    ok(&desk, &["glpi", "sync"]);
    assert_eq!(glpi.tickets().len(), 3);
    assert_eq!(shown(&desk, &b)["glpi_ticket"], 1235);
    assert_eq!(shown(&desk, &a)["glpi_ticket"], 1236, "A's own ticket, not B's");
}
}

/// Two desks sharing one GLPI both have an A-0001: each its own marker, its own ticket.
#[test]
fn two_desks_on_one_glpi_never_cross_link() {
    let glpi = Glpi::start();
    let one = Desk::new();
    let two = Desk::new();
    configure(&one, &glpi.url(), "");
    configure(&two, &glpi.url(), "");
    let a1 = one.add("Marie Curie", "mi", "noemi", &[]);
    let a2 = two.add("Paul Langevin", "mi", "noemi", &[]);
    assert_eq!(a1, a2);
    ok(&one, &["glpi", "push", &a1]);
    glpi.set_mode(Mode::DropCreate);
    fails(&two, &["glpi", "push", &a2]);
    glpi.set_mode(Mode::Normal);
    std::thread::sleep(Duration::from_secs(5));
    ok(&two, &["glpi", "sync"]);
    let tickets = glpi.tickets();
    assert_eq!(tickets.len(), 2);
    assert_eq!(shown(&one, &a1)["glpi_ticket"], 1234);
    assert_eq!(
        shown(&two, &a2)["glpi_ticket"],
        1235,
        "the second desk's own ticket"
    );
    let marker = |t: &Value| {
        let name = t["name"].as_str().unwrap();
        name[..name.find(']').unwrap() + 1].to_string()
    };
    assert_ne!(marker(&tickets[0]), marker(&tickets[1]));
}

on_both_engines! {
/// GLPI down: one sync costs one time limit at most, says one sentence, and sends
/// everything once GLPI answers.
fn a_sync_stops_at_the_first_network_failure(desk) {
    let glpi = Glpi::start();
    let refused = glpi::refused_url();
    configure(&desk, &refused, "");
    let calls: Vec<String> = (0..6).map(|_| desk.add("Marie Curie", "mi", "noemi", &[])).collect();
    for c in &calls {
        fails(&desk, &["glpi", "push", c]);
    }
    let (code, stderr) = fails(&desk, &["glpi", "sync"]);
    assert_eq!(code, 1);
    assert!(stderr.starts_with("guichet : GLPI injoignable : 6 envois attendent"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    glpi.set_mode(Mode::Hang);
    configure(&desk, &glpi.url(), "");
    let began = Instant::now();
    let (_, stderr) = fails(&desk, &["glpi", "sync"]);
    let took = began.elapsed();
    assert!(stderr.contains("GLPI injoignable : 6 envois attendent"), "{stderr}");
    assert!(took < Duration::from_millis(3500), "one time limit (2 s), not six: {took:?}");
    assert_eq!(glpi.requests().len(), 1, "one request, then no more");
    glpi.set_mode(Mode::Normal);
    let out = ok(&desk, &["glpi", "sync"]);
    assert_eq!(out.lines().count(), 6, "{out}");
    assert_eq!(glpi.tickets().len(), 6);
}
}

/// A redirect to another port (301, 302, 307, 308) is never followed: an error naming
/// the target, and no request at all reaches it.
#[test]
fn a_redirect_elsewhere_is_refused_and_no_token_follows_it() {
    let desk = Desk::new();
    let glpi = Glpi::start();
    let elsewhere = Glpi::start();
    configure(&desk, &glpi.url(), "");
    let reference = desk.add("Marie Curie", "mi", "noemi", &[]);
    for code in [301, 302, 307, 308] {
        let to = format!("http://127.0.0.1:{}/glpi/apirest.php", elsewhere.port);
        glpi.set_mode(Mode::Redirect(code, to));
        let (exit, stderr) = fails(&desk, &["glpi", "push", &reference]);
        assert_eq!(exit, 1);
        assert!(stderr.contains(&format!("HTTP {code}")), "{stderr}");
        assert!(
            stderr.contains(&format!("127.0.0.1:{}", elsewhere.port)),
            "names the target: {stderr}"
        );
        assert!(
            elsewhere.requests().is_empty(),
            "{code}: {:?}",
            elsewhere.requests()
        );
    }
}

/// A password in the configured URL is never printed nor stored.
#[test]
fn a_password_in_the_url_is_never_shown_nor_stored() {
    const PASSWORD: &str = "Pa55-SECRET-w0rd";
    let desk = Desk::new();
    let glpi = Glpi::start();
    let reference = desk.add("Marie Curie", "mi", "noemi", &[]);
    let with_password = |url: &str| url.replace("http://", &format!("http://agent:{PASSWORD}@"));
    for (mode, url) in [
        (Mode::Fail500, with_password(&glpi.url())),
        (Mode::Hang, with_password(&glpi.url())),
        (Mode::Normal, with_password(&glpi::refused_url())),
        (
            Mode::Normal,
            with_password("http://127.0.0.1:9/glpi/front/ticket.php"),
        ),
    ] {
        glpi.set_mode(mode);
        configure(&desk, &url, "");
        let out = run(&desk, &["glpi", "push", &reference]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success());
        assert!(
            !stderr.contains(PASSWORD) && !stderr.contains("agent:"),
            "{stderr}"
        );
    }
    let pattern = format!("%{PASSWORD}%");
    assert_eq!(
        desk.sql_i64(
            "SELECT count(*) FROM glpi_outbox WHERE coalesce(last_error, '') LIKE ?1",
            sql_args![pattern.as_str()]
        ),
        0
    );
}

/// Every 8-character piece of a secret.
fn pieces(secret: &str) -> Vec<String> {
    let chars: Vec<char> = secret.chars().collect();
    chars.windows(8).map(|w| w.iter().collect()).collect()
}

/// A server that echoes what it was sent in a long error: quoted short, inert, and with
/// no piece of a token in it.
#[test]
fn an_echoing_error_is_short_inert_and_holds_no_piece_of_a_token() {
    let desk = Desk::new();
    let glpi = Glpi::start();
    configure(&desk, &glpi.url(), "");
    let reference = desk.add("Marie Curie", "mi", "noemi", &[]);
    glpi.set_mode(Mode::Echo);
    let (_, stderr) = fails(&desk, &["glpi", "push", &reference]);
    assert!(stderr.contains("ERROR_BAD_REQUEST"), "{stderr}");
    assert!(!stderr.contains('\u{1b}'), "inert: {stderr:?}");
    assert!(stderr.chars().count() < 400, "short: {stderr}");
    for secret in [USER_TOKEN, APP_TOKEN] {
        for piece in pieces(secret) {
            assert!(!stderr.contains(&piece), "{piece} of a token: {stderr}");
        }
    }
    let outbox = desk
        .store()
        .glpi_outbox_of(reference.parse().unwrap())
        .unwrap();
    let kept = outbox[0].last_error.clone().unwrap();
    for secret in [USER_TOKEN, APP_TOKEN] {
        for piece in pieces(secret) {
            assert!(!kept.contains(&piece), "{piece}: {kept}");
        }
    }
}

on_both_engines! {
/// A ticket number that is no positive integer is an error, never written on the call.
fn a_bad_ticket_id_is_an_error_never_recorded(desk) {
    let glpi = Glpi::start();
    configure(&desk, &glpi.url(), "");
    let reference = desk.add("Marie Curie", "mi", "noemi", &[]);
    glpi.set_mode(Mode::BadId(serde_json::json!(-5)));
    let (code, stderr) = fails(&desk, &["glpi", "push", &reference]);
    assert_eq!(code, 1);
    assert!(stderr.contains("« -5 »"), "{stderr}");
    assert_eq!(shown(&desk, &reference)["glpi_ticket"], Value::Null);
    // Settled later: nothing was stored under that answer, so a ticket is made, once.
    glpi.set_mode(Mode::Normal);
    std::thread::sleep(Duration::from_secs(5));
    ok(&desk, &["glpi", "sync"]);
    assert_eq!(shown(&desk, &reference)["glpi_ticket"], 1234);
    assert_eq!(glpi.tickets().len(), 1);
}
}

/// While a token is loaded, the process cannot leave a core dump.
#[test]
fn no_core_dump_while_a_token_is_loaded() {
    let desk = Desk::new();
    let glpi = Glpi::start();
    configure(&desk, &glpi.url(), "");
    let reference = desk.add("Marie Curie", "mi", "noemi", &[]);
    glpi.set_mode(Mode::Hang);
    // Core dumps allowed to begin with (a shell raises the soft limit, then runs guichet).
    let base = desk.cmd();
    let mut shell = std::process::Command::new("sh");
    shell
        .args(["-c", "ulimit -S -c unlimited && exec \"$0\" \"$@\""])
        .arg(base.get_program())
        .args(["glpi", "push", &reference])
        .env("GUICHET_GLPI_USER_TOKEN", USER_TOKEN)
        .stderr(std::process::Stdio::null());
    for (k, v) in base.get_envs() {
        match v {
            Some(v) => shell.env(k, v),
            None => shell.env_remove(k),
        };
    }
    if let Some(dir) = base.get_current_dir() {
        shell.current_dir(dir);
    }
    let mut child = shell.spawn().unwrap();
    wait_for(Duration::from_secs(5), "the first request", || {
        !glpi.requests().is_empty()
    });
    let limits = std::fs::read_to_string(format!("/proc/{}/limits", child.id())).unwrap();
    let core = limits
        .lines()
        .find(|l| l.starts_with("Max core file size"))
        .unwrap();
    let soft = core.split_whitespace().nth(4).unwrap();
    assert_eq!(soft, "0", "{core}");
    child.kill().unwrap();
    child.wait().unwrap();
}

/// `t` twice in the console on a slow GLPI (the creation answered after the time limit):
/// the second `t` sends nothing while the first is in doubt; the sender settles the doubt
/// by itself when its time comes. One ticket.
#[test]
fn t_twice_in_the_console_makes_one_ticket() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let desk = Desk::new();
    let glpi = Glpi::start();
    let reference = desk.add("Marie Curie", "mi", "noemi", &[]);
    desk.ok(&["call", "close", &reference, "--outcome", "escalated"]);
    let mut app = console_with_glpi(&desk, &glpi, 3);
    let key = |app: &mut guichet::tui::app::App, code| {
        app.handle_key(KeyEvent::new(code, KeyModifiers::NONE))
    };
    let mut said: Vec<String> = Vec::new();
    let watch =
        |app: &mut guichet::tui::app::App, said: &mut Vec<String>, limit: Duration, want: &str| {
            let began = Instant::now();
            loop {
                app.tick(chrono::Utc::now());
                let now = app
                    .flash
                    .as_ref()
                    .map(|f| f.text.clone())
                    .unwrap_or_default();
                if said.last() != Some(&now) {
                    said.push(now.clone());
                }
                if now.contains(want) {
                    return;
                }
                assert!(began.elapsed() < limit, "{want} not said: {said:?}");
                std::thread::sleep(Duration::from_millis(20));
            }
        };
    glpi.set_delay(Duration::from_secs(3));
    key(&mut app, KeyCode::Char('t')); // the list: all calls
    key(&mut app, KeyCode::Enter);
    let began = Instant::now();
    key(&mut app, KeyCode::Char('t'));
    // In doubt once GLPI let the 2 s go by: said with the timeout, or, on a loaded machine
    // where the sender's next look came within the same tick, by that look's line.
    watch(
        &mut app,
        &mut said,
        Duration::from_secs(10),
        "envoi en doute",
    );
    assert!(
        said.iter()
            .any(|s| s.contains("n'a pas répondu à temps (2 s)"))
            || said
                .last()
                .unwrap()
                .contains("rien n'est renvoyé avant une vérification"),
        "{said:?}"
    );
    // Again: nothing sent, the push is in doubt.
    key(&mut app, KeyCode::Char('t'));
    watch(
        &mut app,
        &mut said,
        Duration::from_secs(5),
        "envoi en doute, rien n'est renvoyé",
    );
    std::thread::sleep(Duration::from_millis(3500).saturating_sub(began.elapsed()));
    assert_eq!(glpi.count("POST", "Ticket"), 1, "{said:?}");
    assert_eq!(glpi.tickets().len(), 1);
    // GLPI fast again: the sender settles the doubt at its time, without a key.
    glpi.set_delay(Duration::ZERO);
    watch(
        &mut app,
        &mut said,
        Duration::from_secs(10),
        "déjà reçu par GLPI (ticket n° 1234)",
    );
    assert_eq!(glpi.tickets().len(), 1);
    assert_eq!(glpi.count("POST", "Ticket"), 1);
}

on_both_engines! {
/// GLPI stores the ticket, then answers 500 (a notification failed after the insert): in
/// doubt, found later, never made twice.
fn a_server_error_after_the_ticket_was_stored_makes_one_ticket(desk) {
    let glpi = Glpi::start();
    configure(&desk, &glpi.url(), "");
    let reference = desk.add("Marie Curie", "mi", "noemi", &[]);
    glpi.set_mode(Mode::StoreThen500);
    let began = Instant::now();
    let (_, stderr) = fails(&desk, &["glpi", "push", &reference]);
    assert!(stderr.contains("HTTP 500"), "{stderr}");
    assert!(stderr.contains("en doute"), "{stderr}");
    glpi.set_mode(Mode::Normal);
    let (_, stderr) = fails(&desk, &["glpi", "sync"]);
    assert!(stderr.contains("en doute"), "{stderr}");
    std::thread::sleep(Duration::from_millis(4500).saturating_sub(began.elapsed()));
    let out = ok(&desk, &["glpi", "sync"]);
    assert!(out.contains("déjà reçu par GLPI (ticket n° 1234)"), "{out}");
    assert_eq!(glpi.tickets().len(), 1);
    assert_eq!(shown(&desk, &reference)["glpi_ticket"], 1234);
}
}

/// Every request to the high-level API carried the access token, and only the token
/// request the client's secret and the user's password.
fn v2_secrets_where_they_belong(glpi: &Glpi) {
    let requests = glpi.requests();
    assert!(!requests.is_empty());
    for r in requests {
        assert!(r.v2, "{r:?}");
        assert_eq!(r.header("App-Token"), None);
        if r.path == "token" {
            assert_eq!(r.method, "POST");
            assert!(r.body.contains("grant_type=password"), "{r:?}");
            assert!(r.body.contains("scope=api"), "{r:?}");
            assert_eq!(r.header("Authorization"), None);
        } else {
            let auth = r.header("Authorization").unwrap_or_default();
            assert!(auth.starts_with("Bearer at"), "{r:?}");
            for secret in [CLIENT_SECRET, PASSWORD, USER_TOKEN] {
                assert!(
                    !r.body.contains(secret) && !r.path.contains(secret),
                    "{r:?}"
                );
            }
        }
    }
}

on_both_engines! {
/// GLPI 11 and 12's high-level API (`api.php`, OAuth2): the same ticket, then followups,
/// the same marker.
fn the_high_level_api_makes_one_ticket_then_followups(desk) {
    let glpi = Glpi::start();
    configure_v2(&desk, &glpi.url_v2(), "");
    let reference = desk.add("Marie Curie", "mi", "noemi", &["--phone", "01 23 45 67 89"]);
    desk.ok(&["call", "note", &reference, "le VPN refuse le certificat"]);
    let out = ok(&desk, &["glpi", "push", &reference]);
    assert_eq!(out, format!("{reference} : ticket GLPI n° 1234 créé\n"));
    let tickets = glpi.tickets();
    assert_eq!(tickets.len(), 1);
    let t = &tickets[0];
    assert_eq!(t["request_type"], 7);
    assert_eq!(t["category"], 42);
    assert_eq!(t["urgency"], 3);
    let desk_mark = desk.store().glpi_desk_marker().unwrap();
    let marker = format!("[guichet {desk_mark} {reference}]");
    assert_eq!(t["name"], format!("{marker} VPN bleu"));
    let content = t["content"].as_str().unwrap();
    assert!(content.contains("le VPN refuse le certificat"), "{content}");
    assert!(content.ends_with(&marker), "{content}");
    assert_eq!(glpi.count("POST", "token"), 1);
    assert_eq!(glpi.count("GET", "killSession"), 0);
    assert_eq!(shown(&desk, &reference)["glpi_ticket"], 1234);

    desk.ok(&["call", "note", &reference, "rappelé : certificat renouvelé"]);
    let out = ok(&desk, &["glpi", "push", &reference]);
    assert_eq!(out, format!("{reference} : 1 entrée(s) de journal ajoutée(s) au ticket GLPI n° 1234\n"));
    let followups = glpi.followups();
    assert_eq!(followups.len(), 1);
    assert_eq!(followups[0]["items_id"], 1234);
    let text = followups[0]["content"].as_str().unwrap();
    assert!(text.contains("rappelé : certificat renouvelé"), "{text}");
    assert!(!text.contains("le VPN refuse"), "{text}");
    assert_eq!(glpi.tickets().len(), 1);
    v2_secrets_where_they_belong(&glpi);
}
}

on_both_engines! {
/// The high-level API's failure modes: an answer after the time limit (in doubt, then
/// found by an RSQL search, ticket and followup), an expired access token (renewed once).
fn the_high_level_api_answer_after_the_timeout_makes_one_ticket(desk) {
    let glpi = Glpi::start();
    configure_v2(&desk, &glpi.url_v2(), "");
    let reference = desk.add("Marie Curie", "mi", "noemi", &[]);
    glpi.set_delay(Duration::from_secs(3));
    let began = Instant::now();
    let (_, stderr) = fails(&desk, &["glpi", "push", &reference]);
    assert!(stderr.contains("n'a pas répondu à temps (2 s)") && stderr.contains("en doute"), "{stderr}");
    let (_, stderr) = fails(&desk, &["glpi", "sync"]);
    assert!(stderr.contains("en doute"), "{stderr}");
    std::thread::sleep(Duration::from_secs(5).saturating_sub(began.elapsed()));
    glpi.set_delay(Duration::ZERO);
    glpi.set_mode(Mode::ExpireOnce);
    let out = ok(&desk, &["glpi", "sync"]);
    assert_eq!(
        out,
        format!("{reference} : déjà reçu par GLPI (ticket n° 1234), enregistré sans le renvoyer\n")
    );
    assert_eq!(glpi.tickets().len(), 1);
    assert!(glpi.count("POST", "token") >= 3, "renewed after the expiry");
    let searches: Vec<_> = glpi
        .requests()
        .into_iter()
        .filter(|r| r.method == "GET" && r.path.starts_with("v2/Assistance/Ticket?"))
        .collect();
    // The first refused (the token had expired), the second after the renewal.
    assert_eq!(searches.len(), 2, "{searches:?}");
    for search in &searches {
        assert!(search.path.contains("filter=name=like=\"[guichet "), "{search:?}");
    }

    desk.ok(&["call", "note", &reference, "suite"]);
    glpi.set_delay(Duration::from_secs(3));
    let began = Instant::now();
    fails(&desk, &["glpi", "push", &reference]);
    std::thread::sleep(Duration::from_secs(5).saturating_sub(began.elapsed()));
    glpi.set_delay(Duration::ZERO);
    let out = ok(&desk, &["glpi", "sync"]);
    assert!(out.contains("déjà reçu par GLPI"), "{out}");
    assert_eq!(glpi.followups().len(), 1);
    v2_secrets_where_they_belong(&glpi);
}
}

/// The high-level API: no redirect followed, its errors quoted short and scrubbed, a
/// wrong password one sentence, a server error after the ticket was stored a doubt.
#[test]
fn the_high_level_api_keeps_its_secrets_through_failures() {
    let desk = Desk::new();
    let glpi = Glpi::start();
    let elsewhere = Glpi::start();
    configure_v2(&desk, &glpi.url_v2(), "");
    let reference = desk.add("Marie Curie", "mi", "noemi", &[]);
    glpi.set_mode(Mode::Redirect(
        307,
        format!("http://127.0.0.1:{}/glpi/api.php", elsewhere.port),
    ));
    let (_, stderr) = fails(&desk, &["glpi", "push", &reference]);
    assert!(stderr.contains("HTTP 307"), "{stderr}");
    assert!(elsewhere.requests().is_empty());
    glpi.set_mode(Mode::Echo);
    let (_, stderr) = fails(&desk, &["glpi", "push", &reference]);
    assert!(stderr.contains("ERROR_BAD_REQUEST"), "{stderr}");
    glpi.set_mode(Mode::Normal);
    let out = desk
        .cmd()
        .env("GUICHET_GLPI_CLIENT_SECRET", CLIENT_SECRET)
        .env("GUICHET_GLPI_PASSWORD", "not-the-password-x9")
        .args(["glpi", "push", &reference])
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr.contains("invalid_grant"), "{stderr}");
    assert!(!stderr.contains("not-the-password-x9"), "{stderr}");
    glpi.set_mode(Mode::StoreThen500);
    let (_, stderr) = fails(&desk, &["glpi", "push", &reference]);
    assert!(
        stderr.contains("HTTP 500") && stderr.contains("en doute"),
        "{stderr}"
    );
    assert_eq!(glpi.tickets().len(), 1);
    let kept: Vec<String> = desk
        .store()
        .glpi_outbox_of(reference.parse().unwrap())
        .unwrap()
        .into_iter()
        .filter_map(|e| e.last_error)
        .collect();
    for text in &kept {
        for secret in [CLIENT_SECRET, PASSWORD] {
            for piece in pieces(secret) {
                assert!(!text.contains(&piece), "{piece}: {text}");
            }
        }
    }
    // Missing settings: one sentence each, exit 2.
    configure_v2(&desk, &glpi.url(), "");
    let (code, stderr) = fails(&desk, &["glpi", "push", &reference]);
    assert_eq!(code, 2);
    assert!(stderr.contains("terminée par api.php"), "{stderr}");
    let dir = desk.path().join("config").join("guichet");
    std::fs::write(
        dir.join("config.toml"),
        format!(
            "[glpi]\napi = \"v2\"\nurl = \"{}\"\nusername = \"{USERNAME}\"\n",
            glpi.url_v2()
        ),
    )
    .unwrap();
    let (code, stderr) = fails(&desk, &["glpi", "push", &reference]);
    assert_eq!(code, 2);
    assert!(stderr.contains("client_id absent de [glpi]"), "{stderr}");
}
