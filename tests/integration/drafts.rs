//! Nothing typed is lost: drafts belong to a console (two consoles of one operator keep
//! their own), and a draft that cannot be written is said, kept in memory, retried, and
//! asked about before quitting.

use chrono::{Duration, TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use guichet::catalog::embedded_reference;
use guichet::store::Store;
use guichet::tui::app::App;
use guichet::tui::gallery::render_app;
use guichet::tui::keys::Context;
use guichet::tui::screens::Kind;
use guichet::tui::theme::Theme;
use std::path::Path;

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 8, 41, 0).unwrap()
}

fn console(path: &Path, operator: &str) -> App {
    App::new(
        Store::open(path).unwrap(),
        embedded_reference(),
        guichet::catalog::procedures::embedded(&embedded_reference()),
        operator.into(),
        "Hotline".into(),
        Theme { color: false },
        now(),
    )
}

fn key(app: &mut App, code: KeyCode) {
    app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
}

fn ctrl(app: &mut App, c: char) {
    app.handle_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL));
}

fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        key(app, KeyCode::Char(c));
    }
}

fn start_call(app: &mut App, name: &str) {
    key(app, KeyCode::F(2));
    type_text(app, name);
}

fn offered(app: &App) -> Option<String> {
    app.draft_offer().map(|d| d.saved.draft.caller_name.clone())
}

fn screen(app: &App) -> String {
    let buffer = render_app(app, 80, 24);
    (0..24)
        .map(|y| (0..80).map(|x| buffer[(x, y)].symbol()).collect::<String>() + "\n")
        .collect()
}

#[test]
fn two_consoles_of_one_operator_keep_their_own_drafts() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db");
    // One technician, two SSH sessions: the same operator name.
    let mut first = console(&db, "martinpa");
    let mut second = console(&db, "martinpa");
    assert_ne!(first.desk.console.id(), second.desk.console.id());
    start_call(&mut first, "Bruno Lefèvre");
    first.tick(now() + Duration::seconds(1));
    first.settle_drafts();
    start_call(&mut second, "Zoé Martin");
    second.tick(now() + Duration::seconds(1));
    second.settle_drafts();

    // A third console while both run: neither draft is offered, both are alive.
    let third = console(&db, "martinpa");
    assert_eq!(offered(&third), None);
    drop(third);

    // Saving the call in the second console keeps the first one's draft.
    key(&mut second, KeyCode::Tab);
    key(&mut second, KeyCode::Tab);
    key(&mut second, KeyCode::Tab);
    type_text(&mut second, "int");
    key(&mut second, KeyCode::Tab);
    type_text(&mut second, "noe");
    key(&mut second, KeyCode::Tab);
    type_text(&mut second, "vpn bleu");
    ctrl(&mut second, 's');
    assert_eq!(second.screen(), Kind::Detail, "{:?}", second.flash);
    let store = Store::open(&db).unwrap();
    let kept = store.load_draft(first.desk.console.id()).unwrap().unwrap();
    assert_eq!(kept.draft.caller_name, "Bruno Lefèvre");
    assert_eq!(store.load_draft(second.desk.console.id()).unwrap(), None);
    assert_eq!(first.form().unwrap().caller_name.value(), "Bruno Lefèvre");
}

#[test]
fn after_a_crash_of_both_consoles_each_draft_is_offered_back() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db");
    let mut first = console(&db, "martinpa");
    let mut second = console(&db, "martinpa");
    start_call(&mut first, "Bruno Lefèvre");
    first.tick(now() + Duration::seconds(1));
    first.settle_drafts();
    start_call(&mut second, "Zoé Martin");
    second.tick(now() + Duration::seconds(2));
    second.settle_drafts();
    // Both end without their calls saved (a real kill -9 is in e2e_conditions.rs).
    drop(first);
    drop(second);

    // Two new consoles, started one after the other, each take back one draft.
    let a = console(&db, "martinpa");
    let b = console(&db, "martinpa");
    let mut names = vec![offered(&a).unwrap(), offered(&b).unwrap()];
    names.sort();
    assert_eq!(names, ["Bruno Lefèvre", "Zoé Martin"]);
    drop((a, b));

    // One console alone: abandoning the first draft offers the next one.
    let mut alone = console(&db, "martinpa");
    let first_offer = offered(&alone).unwrap();
    key(&mut alone, KeyCode::Char('x'));
    let next = offered(&alone).unwrap();
    assert_ne!(first_offer, next);
    key(&mut alone, KeyCode::Char('x'));
    assert_eq!(offered(&alone), None);
    assert_eq!(alone.context(), Context::List);
    assert!(
        Store::open(&db)
            .unwrap()
            .draft_consoles("martinpa")
            .unwrap()
            .is_empty()
    );
}

/// A small filesystem of its own, filled up on demand: what a full disk does to SQLite.
struct SmallDisk {
    dir: tempfile::TempDir,
    mounted: bool,
}

impl SmallDisk {
    /// None when this process may not mount (not root): the caller says it skipped.
    fn new() -> Option<SmallDisk> {
        let dir = tempfile::tempdir().unwrap();
        let status = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=16m", "tmpfs"])
            .arg(dir.path())
            .status()
            .ok()?;
        status.success().then_some(SmallDisk { dir, mounted: true })
    }

    fn path(&self, name: &str) -> std::path::PathBuf {
        self.dir.path().join(name)
    }

    /// Fills what is left of the disk.
    fn fill(&self) {
        let _ = std::fs::write(self.path("filler"), vec![0u8; 32 << 20]);
    }

    fn free(&self) {
        std::fs::remove_file(self.path("filler")).unwrap();
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        if self.mounted {
            let _ = std::process::Command::new("umount")
                .arg(self.dir.path())
                .status();
        }
    }
}

#[test]
fn a_draft_that_cannot_be_written_is_said_kept_retried_and_asked_about() {
    let Some(disk) = SmallDisk::new() else {
        eprintln!(
            "SKIPPED a_draft_that_cannot_be_written_is_said_kept_retried_and_asked_about: \
             mounting a small tmpfs needs root"
        );
        return;
    };
    let db = disk.path("g.db");
    let mut app = console(&db, "anne");
    start_call(&mut app, "Bruno");
    app.tick(now() + Duration::seconds(1));
    app.settle_drafts();
    assert!(app.draft_unsaved.is_none());
    disk.fill();
    // A long note: the page it needs cannot be written.
    for _ in 0..5 {
        key(&mut app, KeyCode::Tab);
    }
    key(&mut app, KeyCode::Tab);
    let long = "x".repeat(3000);
    type_text(&mut app, &long);
    app.tick(now() + Duration::seconds(2));
    app.settle_drafts();
    let problem = app
        .draft_unsaved
        .clone()
        .expect("the save must have failed");
    assert!(
        screen(&app).contains("saisie NON sauvegardée"),
        "{}",
        screen(&app)
    );
    // Still said after the usual six seconds of a message.
    app.tick(now() + Duration::seconds(10));
    app.settle_drafts();
    assert!(screen(&app).contains("saisie NON sauvegardée"));
    // Échap does not pretend the draft is kept.
    key(&mut app, KeyCode::Esc);
    app.settle_drafts();
    let flash = app
        .flash
        .as_ref()
        .map(|f| f.text.clone())
        .unwrap_or_default();
    assert!(!flash.contains("Saisie gardée"), "{flash}");
    // Quitting asks first; no keeps the console.
    key(&mut app, KeyCode::Char('q'));
    assert!(!app.quit);
    assert_eq!(app.context(), Context::Confirm);
    assert!(screen(&app).contains("perdue"), "{}", screen(&app));
    key(&mut app, KeyCode::Char('n'));
    assert!(!app.quit);
    // Room again: the next tick saves what was typed, every character.
    disk.free();
    app.tick(now() + Duration::seconds(11));
    app.settle_drafts();
    assert!(app.draft_unsaved.is_none(), "still failing: {problem}");
    let saved = Store::open(&db)
        .unwrap()
        .load_draft(app.desk.console.id())
        .unwrap()
        .unwrap();
    assert_eq!(saved.draft.caller_name, "Bruno");
    assert_eq!(saved.draft.notes, long);
    key(&mut app, KeyCode::Char('q'));
    assert!(app.quit);
}
