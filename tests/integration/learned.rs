//! The desk's own walks teach the ranking (issue 23): a procedure followed to its end on
//! calls that said « lecteur » ranks higher for « lecteur », within a cap, less as the
//! walks age, never from a walk that was escalated, abandoned or left halfway; the panel
//! and `procedures why` say why; `--no-learning` and `learning = false` turn it off. On
//! both engines, from the walks as the store keeps them.
//!
//! « lecteur » alone, with no service or device, ranks (words alone): acn-network-drives
//! (1.00), acn-anyconnect and mi-usb-bitlocker (0.62, a keyword each), then
//! mi-noemi-migration and social-collab-spaces (0.12, their steps). The walks below are
//! for the last: they may bring it first of its equals, never past the keywords' 0.62.

use chrono::{DateTime, Duration, Utc};
use guichet::catalog::embedded_reference;
use guichet::catalog::procedures::embedded;
use guichet::domain::call::{CallDraft, JournalKind, Outcome};
use guichet::domain::walk::WalkMark;
use guichet::store::{ProcedureQuery, SearchIndex, Store, WalkEntry};

const TAUGHT: &str = "social-collab-spaces";

const PLAIN: [&str; 5] = [
    "acn-network-drives",
    "acn-anyconnect",
    "mi-usb-bitlocker",
    "mi-noemi-migration",
    "social-collab-spaces",
];

const LEARNED: [&str; 5] = [
    "acn-network-drives",
    "acn-anyconnect",
    "mi-usb-bitlocker",
    "social-collab-spaces",
    "mi-noemi-migration",
];

/// How a walk on a call ended.
#[derive(Clone, Copy, PartialEq)]
pub(crate) enum Ending {
    Finished,
    Halfway,
    Escalated,
    /// Finished, then the call closed as abandoned (the caller hung up).
    Abandoned,
    /// Finished, then walked again to its end on the same call.
    FinishedTwice,
}

/// A call saying `summary` on which `procedure` was walked and ended so.
pub(crate) fn walked(store: &mut Store, summary: &str, procedure: &str, ending: Ending) {
    let now = Utc::now();
    let call = store
        .insert_call(
            &CallDraft {
                caller_name: "Agent".into(),
                caller_phone: "06 12 34 56 78".into(),
                service: "mi".into(),
                device: "noemi".into(),
                summary: summary.into(),
                ..CallDraft::default()
            }
            .validate(&embedded_reference(), "op", now)
            .unwrap(),
        )
        .unwrap();
    let mut mark = WalkMark {
        procedure: procedure.into(),
        done: vec!["first".into()],
        current: Some("second".into()),
        ..WalkMark::default()
    };
    let step = |store: &mut Store, mark: &WalkMark, escalated: bool| {
        store
            .append_walk(
                call.reference,
                "op",
                now,
                &WalkEntry {
                    kind: JournalKind::Step,
                    line: "étape",
                    mark,
                    escalated,
                },
            )
            .unwrap();
    };
    step(store, &mark, false);
    if ending == Ending::Halfway {
        return;
    }
    mark.done.push("second".into());
    mark.current = None;
    step(store, &mark, ending == Ending::Escalated);
    if ending == Ending::FinishedTwice {
        step(store, &mark, false);
    }
    if ending == Ending::Abandoned {
        store
            .close_call(call.reference, "op", now, Outcome::Abandoned, None)
            .unwrap();
    }
}

fn index(store: &mut Store) -> SearchIndex {
    let catalog = embedded(&embedded_reference());
    store.sync_catalog(&catalog).unwrap()
}

fn ranked(index: &SearchIndex) -> Vec<String> {
    index
        .search(&query())
        .into_iter()
        .map(|h| h.slug)
        .take(5)
        .collect()
}

fn query() -> ProcedureQuery<'static> {
    ProcedureQuery {
        text: "lecteur",
        service: None,
        device: None,
        limit: 10,
    }
}

/// What the store's walks teach at `now`, set on the index.
fn taught_at(store: &Store, index: &mut SearchIndex, now: DateTime<Utc>) {
    let lessons = store.lessons(now).unwrap();
    index.set_learned(&lessons);
}

on_both_engines! {
    fn finished_walks_raise_the_procedure_within_the_cap(desk) {
        let mut store = desk.store();
        let mut index = index(&mut store);
        // No walk: the lessons are empty and the ranking is the words'.
        taught_at(&store, &mut index, Utc::now());
        assert_eq!(ranked(&index), PLAIN);
        assert!(index.search(&query()).iter().all(|h| h.learned.is_none()));

        for _ in 0..3 {
            walked(&mut store, "Le lecteur réseau ne s'affiche plus", TAUGHT, Ending::Finished);
        }
        taught_at(&store, &mut index, Utc::now());
        assert_eq!(ranked(&index), LEARNED);
        let hits = index.search(&query());
        let hit = hits.iter().find(|h| h.slug == TAUGHT).unwrap();
        let why = hit.learned.as_ref().expect("the hit says what the walks taught");
        assert_eq!(why.sentence(), "suivie 3 fois pour « lecteur »");
        assert!((hit.score - hit.relevance * why.factor).abs() < 1e-12);
        // Only the procedure walked is taught.
        assert!(hits.iter().filter(|h| h.learned.is_some()).count() == 1);

        // However many walks, the factor stays under its cap: the procedures whose words
        // fit clearly better stay ahead.
        for _ in 0..40 {
            walked(&mut store, "lecteur", TAUGHT, Ending::Finished);
        }
        taught_at(&store, &mut index, Utc::now());
        assert_eq!(ranked(&index), LEARNED);
        let hits = index.search(&query());
        let hit = hits.iter().find(|h| h.slug == TAUGHT).unwrap();
        let why = hit.learned.as_ref().unwrap();
        assert_eq!(why.walks, 43);
        assert!(why.factor > 1.15 && why.factor <= 1.2, "{}", why.factor);
        assert!(hit.score < hits[1].score, "{} {}", hit.score, hits[1].score);

        // A procedure the words do not match is never brought in, however often it was
        // walked for them.
        for _ in 0..10 {
            walked(&mut store, "lecteur", "acn-printers", Ending::Finished);
        }
        taught_at(&store, &mut index, Utc::now());
        let hits = index.search(&query());
        assert_eq!(hits.len(), 5, "{hits:#?}");
        assert!(hits.iter().all(|h| h.slug != "acn-printers"));
        assert_eq!(ranked(&index), LEARNED);

        // Off: the plain order again.
        index.set_learned(&Default::default());
        assert_eq!(ranked(&index), PLAIN);
    }
}

on_both_engines! {
    fn walks_escalated_abandoned_or_left_halfway_teach_nothing(desk) {
        let mut store = desk.store();
        let mut index = index(&mut store);
        for ending in [Ending::Halfway, Ending::Escalated, Ending::Abandoned] {
            for _ in 0..4 {
                walked(&mut store, "lecteur réseau", TAUGHT, ending);
            }
        }
        let lessons = store.lessons(Utc::now()).unwrap();
        assert!(lessons.is_empty(), "{lessons:?}");
        assert!(store.finished_walks(Utc::now() - Duration::days(1), 100).unwrap().is_empty());
        taught_at(&store, &mut index, Utc::now());
        assert_eq!(ranked(&index), PLAIN);
        // A call teaches a procedure once, however many times it was walked there.
        walked(&mut store, "lecteur réseau", TAUGHT, Ending::FinishedTwice);
        let walks = store.finished_walks(Utc::now() - Duration::days(1), 100).unwrap();
        assert_eq!(walks.len(), 1, "{walks:?}");
    }
}

on_both_engines! {
    fn old_walks_weigh_less_and_the_oldest_nothing(desk) {
        let mut store = desk.store();
        let mut index = index(&mut store);
        for _ in 0..4 {
            walked(&mut store, "lecteur réseau", TAUGHT, Ending::Finished);
        }
        // Each call's walk once, its halfway mark aside.
        let walks = store.finished_walks(Utc::now() - Duration::days(1), 100).unwrap();
        assert_eq!(walks.len(), 4);
        assert!(walks.iter().all(|w| w.procedure == TAUGHT && w.summary == "lecteur réseau"));
        let factor = |index: &SearchIndex| {
            index
                .search(&query())
                .into_iter()
                .find(|h| h.slug == TAUGHT)
                .and_then(|h| h.learned)
                .map(|l| l.factor)
        };
        // Seen from later on: the same walks, older.
        taught_at(&store, &mut index, Utc::now());
        let fresh = factor(&index).unwrap();
        taught_at(&store, &mut index, Utc::now() + Duration::days(60));
        let aged = factor(&index).unwrap();
        assert!(1.0 < aged && aged < fresh, "{aged} {fresh}");
        taught_at(&store, &mut index, Utc::now() + Duration::days(181));
        assert_eq!(factor(&index), None);
        assert_eq!(ranked(&index), PLAIN);
    }
}

on_both_engines! {
    fn the_command_line_says_why_and_turns_it_off(desk) {
        {
            let mut store = desk.store();
            for _ in 0..3 {
                walked(&mut store, "Le lecteur réseau ne s'affiche plus", TAUGHT, Ending::Finished);
            }
        }
        let slugs = |args: &[&str]| -> Vec<String> {
            let mut all = vec!["procedures", "search", "lecteur", "--limit", "5", "--format", "json"];
            all.extend_from_slice(args);
            desk.json(&all)
                .as_array()
                .unwrap()
                .iter()
                .map(|h| h["slug"].as_str().unwrap().to_string())
                .collect()
        };
        assert_eq!(slugs(&[]), LEARNED);
        assert_eq!(slugs(&["--no-learning"]), PLAIN);
        let why = desk.ok(&["procedures", "why", "lecteur", TAUGHT]);
        assert!(why.contains("Appris du guichet : suivie 3 fois pour « lecteur »"), "{why}");
        assert!(why.contains("× appris 1."), "{why}");
        let plain = desk.ok(&["--no-learning", "procedures", "why", "lecteur", TAUGHT]);
        assert!(!plain.contains("appris"), "{plain}");
        // The desk's setting, which the flag only ever turns off.
        let config = desk.path().join("config").join("guichet");
        std::fs::create_dir_all(&config).unwrap();
        std::fs::write(config.join("config.toml"), "learning = false\n").unwrap();
        assert_eq!(slugs(&[]), PLAIN);
        std::fs::write(config.join("config.toml"), "learning = true\n").unwrap();
        assert_eq!(slugs(&[]), LEARNED);
    }
}

/// Three finished walks of [`TAUGHT`] for calls about a network drive (« lecteur »): enough
/// to teach it.
fn teach_the_reader(store: &mut Store) {
    for _ in 0..3 {
        walked(
            store,
            "Le lecteur réseau ne s'affiche plus",
            TAUGHT,
            Ending::Finished,
        );
    }
}

/// A console started for real on the file at `path`, its catalogue and lessons read.
fn console_on(path: &std::path::Path, learning: bool) -> guichet::tui::app::App {
    let reference = embedded_reference();
    let mut app = guichet::tui::app::App::start(
        Store::open(path).unwrap(),
        reference.clone(),
        guichet::catalog::procedures::CatalogSource::embedded(&reference),
        "dupontje".into(),
        "Hotline".into(),
        guichet::tui::theme::Theme { color: false },
        Utc::now(),
    )
    .with_learning(learning);
    app.wait_for_catalog();
    app
}

/// The console reads the lessons with its catalogue, not at all when told not to, and
/// again after one of its walks ended (on a thread of its own: the key that ended the
/// walk does not wait for them).
#[test]
fn the_console_learns_at_start_and_after_a_walk_it_finished() {
    use crate::console::{ctrl, key, type_text, typed_call};
    use crossterm::event::KeyCode;
    const CARD: &str = "mi-agent-card-cryhod";
    const SUMMARY: &str = "carte agent oubliée à la maison";
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.db");
    {
        let mut store = Store::open(&path).unwrap();
        teach_the_reader(&mut store);
        // One walk of the card's procedure: an anecdote, nothing learned yet.
        walked(&mut store, SUMMARY, CARD, Ending::Finished);
    }
    assert_eq!(ranked(&console_on(&path, false).desk.library.index), PLAIN);
    let mut app = console_on(&path, true);
    assert_eq!(ranked(&app.desk.library.index), LEARNED);
    let card = |app: &guichet::tui::app::App| {
        app.desk
            .library
            .index
            .search(&ProcedureQuery {
                text: SUMMARY,
                limit: 10,
                ..ProcedureQuery::default()
            })
            .into_iter()
            .find(|h| h.slug == CARD)
            .unwrap()
            .learned
    };
    assert_eq!(card(&app), None);

    // The operator walks the card's procedure to its end on a new call.
    typed_call(&mut app, "Zoé Martin", "int", "noe", SUMMARY);
    ctrl(&mut app, 'p');
    assert_eq!(app.form().unwrap().matches[0].slug, CARD);
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Char('n'));
    key(&mut app, KeyCode::Char('n'));
    type_text(&mut app, "Tr0ub4dor&3");
    for _ in 0..3 {
        key(&mut app, KeyCode::Enter);
    }
    key(&mut app, KeyCode::Char('n'));
    key(&mut app, KeyCode::Char('o'));
    key(&mut app, KeyCode::Enter);
    let said = app
        .flash
        .as_ref()
        .map(|f| f.text.clone())
        .unwrap_or_default();
    assert!(said.starts_with("Procédure terminée"), "{said}");
    assert!(
        app.wait_for_lessons(std::time::Duration::from_secs(20)),
        "the lessons are read again after the walk"
    );
    let learned = card(&app).expect("the walk taught the card's procedure");
    assert_eq!(learned.walks, 2);
}

/// Lessons that cannot be read (a server that times out, a damaged file) leave the
/// proposals on the words alone, and the status line says so, naming why; the lessons the
/// console had are kept.
#[test]
fn lessons_that_cannot_be_read_are_said_and_the_ranking_keeps_what_it_had() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.db");
    {
        let mut store = Store::open(&path).unwrap();
        teach_the_reader(&mut store);
    }
    let mut app = console_on(&path, true);
    assert_eq!(ranked(&app.desk.library.index), LEARNED);
    app.take(guichet::tui::channel::News::Lessons(Err(
        "délai dépassé sur le serveur".into(),
    )));
    let said = app
        .flash
        .as_ref()
        .map(|f| f.text.clone())
        .unwrap_or_default();
    assert_eq!(
        said,
        "apprentissage des déroulés illisible, propositions classées sur les seuls mots : \
         délai dépassé sur le serveur"
    );
    assert_eq!(ranked(&app.desk.library.index), LEARNED);
}
