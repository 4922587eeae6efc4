use super::db::{Engine, args};
use super::*;
use crate::catalog::embedded_reference;
use crate::domain::call::{CallDraft, CallStatus, JournalKind, NewCall, Outcome};
use chrono::{DateTime, Duration, TimeZone, Utc};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 8, 0, 0).unwrap()
}

fn new_call(name: &str, service: &str, device: &str, operator: &str, at: DateTime<Utc>) -> NewCall {
    CallDraft {
        caller_name: name.into(),
        caller_phone: "06 12 34 56 78".into(),
        service: service.into(),
        device: device.into(),
        summary: "VPN bleu".into(),
        ..CallDraft::default()
    }
    .validate(&embedded_reference(), operator, at)
    .unwrap()
}

fn temp_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("sub").join("g.db")).unwrap();
    (dir, store)
}

/// A store on a new database of the test server, its drafts in a folder of its own.
fn server_store() -> (scratch::ScratchDb, tempfile::TempDir, Store) {
    let db = scratch::ScratchDb::new();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect_with_drafts(
        db.target(),
        &FileAccess::default(),
        &dir.path().join("drafts.db"),
    )
    .unwrap();
    (db, dir, store)
}

/// A new empty store of the same engine as `store` (with what keeps it alive).
fn empty_store_like(store: &Store) -> (Option<scratch::ScratchDb>, tempfile::TempDir, Store) {
    match store.db.engine() {
        Engine::Sqlite => {
            let (dir, copy) = temp_store();
            (None, dir, copy)
        }
        Engine::Postgres => {
            let (db, dir, copy) = server_store();
            (Some(db), dir, copy)
        }
    }
}

/// Each test body run twice: on an SQLite file and on a PostgreSQL database.
macro_rules! on_both_engines {
    (fn $name:ident($store:ident) $body:block) => {
        mod $name {
            use super::*;

            #[allow(unused_mut)]
            fn body(mut $store: Store) $body

            #[test]
            fn sqlite() {
                let (_dir, store) = temp_store();
                body(store);
            }

            #[test]
            fn postgres() {
                let (_db, _dir, store) = server_store();
                body(store);
            }
        }
    };
}

#[test]
fn open_sets_durability_pragmas_and_creates_the_folder() {
    let (dir, store) = temp_store();
    assert!(dir.path().join("sub").join("g.db").exists());
    let mode: String = store
        .sqlite()
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let sync: i64 = store
        .sqlite()
        .query_row("PRAGMA synchronous", [], |r| r.get(0))
        .unwrap();
    assert_eq!(sync, 2, "synchronous=FULL");
    let fk: i64 = store
        .sqlite()
        .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
        .unwrap();
    assert_eq!(fk, 1);
    let recorded: Vec<(i64, String)> = store
        .sqlite()
        .prepare("SELECT version, name FROM schema_migrations ORDER BY version")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert_eq!(
        recorded,
        [
            (1, "0001_calls".to_string()),
            (2, "0002_procedures".to_string()),
            (3, "0003_walks".to_string()),
            (4, "0004_handover".to_string()),
            (5, "0005_handler".to_string()),
            (6, "0006_search_postings".to_string()),
            (7, "0007_console_drafts".to_string()),
            (8, "0008_call_search".to_string()),
            (9, "0009_procedure_bodies".to_string()),
            (10, "0010_call_search_merged".to_string()),
            (11, "0011_procedure_words".to_string()),
            (12, "0012_phone".to_string()),
            (13, "0013_glpi".to_string()),
            (14, "0014_phone_links".to_string()),
            (15, "0015_aside_drafts".to_string()),
            (16, "0016_calls_keep_record".to_string()),
            (17, "0017_record_by_the_server".to_string()),
            (18, "0018_procedure_terms".to_string()),
            (19, "0019_glpi_once".to_string()),
            (20, "0020_call_search_folded".to_string()),
            (21, "0021_walk_records".to_string()),
            (22, "0022_walk_lessons".to_string()),
            (23, "0023_walk_totals".to_string()),
            (24, "0024_returns_and_holes".to_string()),
            (25, "0025_walk_facts".to_string()),
        ]
    );
}

#[test]
fn reopening_does_not_reapply_migrations() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.db");
    let mut s = Store::open(&path).unwrap();
    s.insert_call(&new_call("Zoé", "mi", "noemi", "op", t0()))
        .unwrap();
    drop(s);
    let s = Store::open(&path).unwrap();
    assert_eq!(s.list_calls(&CallFilter::default()).unwrap().len(), 1);
}

#[test]
fn a_newer_database_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("future.db");
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch(
            "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT);
             CREATE TABLE t (x); PRAGMA user_version = 99;",
        )
        .unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    let err = Store::open(&path).err().unwrap();
    assert!(matches!(err, StoreError::NewerSchema { found: 99, .. }));
    assert!(err.to_string().contains("version plus récente"));
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert!(!dir.path().join("future.db-wal").exists());
}

on_both_engines! {
fn the_journal_cannot_be_rewritten(store) {
    let call = store
        .insert_call(&new_call("Zoé", "mi", "noemi", "op", t0()))
        .unwrap();
    let upd = store.db.execute("UPDATE journal SET body = 'x'", &[]);
    assert!(upd.unwrap_err().to_string().contains("append-only"));
    let del = store.db.execute("DELETE FROM journal", &[]);
    assert!(del.unwrap_err().to_string().contains("append-only"));
    let del = store
        .db
        .execute("DELETE FROM calls WHERE id = ?1", args![call.reference.0]);
    assert!(del.unwrap_err().to_string().contains("never deleted"));
    if store.engine() == Engine::Postgres {
        for table in ["journal", "calls", "handover_entries"] {
            let truncated = store.db.batch(&format!("TRUNCATE {table} CASCADE"));
            assert!(truncated.is_err(), "TRUNCATE {table} refused");
        }
    }
    assert_eq!(store.get_call(call.reference).unwrap().journal.len(), 1);
}
}

on_both_engines! {
fn a_call_is_stored_with_its_journal(store) {
    let mut nc = new_call("Zoé Martin", "mi", "noemi", "dupontje", t0());
    nc.notes = Some("rappelle depuis son portable".into());
    nc.procedures = vec!["mi-agent-card-cryhod".into()];
    let call = store.insert_call(&nc).unwrap();
    assert_eq!(call.reference.to_string(), "A-0001");
    assert_eq!(call.status, CallStatus::Open);
    store
        .add_note(
            call.reference,
            "martinpa",
            t0() + Duration::minutes(3),
            "carte retrouvée",
        )
        .unwrap();
    let closed = store
        .close_call(
            call.reference,
            "martinpa",
            t0() + Duration::minutes(5),
            Outcome::Resolved,
            Some("fin"),
        )
        .unwrap();
    assert_eq!(closed.status, CallStatus::Closed);
    assert_eq!(closed.outcome, Some(Outcome::Resolved));
    assert_eq!(closed.closed_at, Some(t0() + Duration::minutes(5)));
    let record = store.get_call(call.reference).unwrap();
    let kinds: Vec<_> = record.journal.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            JournalKind::Opened,
            JournalKind::Note,
            JournalKind::Procedure,
            JournalKind::Note,
            JournalKind::Note,
            JournalKind::Outcome,
            JournalKind::Status
        ]
    );
    assert_eq!(record.journal[3].operator, "martinpa");
    assert!(matches!(
        store.close_call(call.reference, "x", t0(), Outcome::Abandoned, None),
        Err(StoreError::AlreadyClosed(_))
    ));
    assert!(matches!(
        store.add_note(CallRef(99), "x", t0(), "n"),
        Err(StoreError::UnknownCall(CallRef(99)))
    ));
}
}

on_both_engines! {
fn a_closed_calls_outcome_is_corrected_and_the_journal_keeps_both(store) {
    use crate::domain::call::journal_outcome;
    let call = store
        .insert_call(&new_call("Zoé Martin", "mi", "noemi", "dupontje", t0()))
        .unwrap();
    let open_refused = store.correct_outcome(
        call.reference,
        "martinpa",
        t0() + Duration::minutes(1),
        Outcome::Escalated,
        None,
    );
    match open_refused {
        Err(e @ StoreError::NotClosed(CallRef(1))) => assert_eq!(
            e.to_string(),
            "l'appel A-0001 est ouvert : le clore (call close) avant d'en corriger l'issue"
        ),
        other => panic!("an open call's outcome cannot be corrected: {other:?}"),
    }
    store
        .close_call(
            call.reference,
            "dupontje",
            t0() + Duration::minutes(5),
            Outcome::Resolved,
            None,
        )
        .unwrap();
    let before = store.get_call(call.reference).unwrap();
    match store.correct_outcome(call.reference, "martinpa", t0(), Outcome::Resolved, None) {
        Err(e @ StoreError::SameOutcome(CallRef(1), Outcome::Resolved)) => {
            assert!(e.to_string().contains("« résolu » (resolved)"), "{e}")
        }
        other => panic!("the same outcome is no correction: {other:?}"),
    }
    assert!(matches!(
        store.correct_outcome(CallRef(99), "x", t0(), Outcome::Resolved, None),
        Err(StoreError::UnknownCall(CallRef(99)))
    ));
    assert_eq!(
        store.get_call(call.reference).unwrap(),
        before,
        "refusals write nothing"
    );

    let later = t0() + Duration::hours(2);
    let corrected = store
        .correct_outcome(
            call.reference,
            "martinpa",
            later,
            Outcome::Escalated,
            Some("l'agent a rappelé : toujours bloqué, ticket SETNA"),
        )
        .unwrap();
    assert_eq!(corrected.outcome, Some(Outcome::Escalated));
    assert_eq!(corrected.status, CallStatus::Closed);
    assert_eq!(
        corrected.closed_at,
        Some(t0() + Duration::minutes(5)),
        "the call stays closed when it was closed"
    );
    let record = store.get_call(call.reference).unwrap();
    assert_eq!(record.call, corrected);
    // The file dates the lines as the desk says; the server by its own clock.
    let dated = match store.engine() {
        Engine::Sqlite => later,
        Engine::Postgres => record.journal[before.journal.len()].at,
    };
    let tail: Vec<_> = record.journal[before.journal.len()..]
        .iter()
        .map(|e| (e.kind, e.text.as_str(), e.operator.as_str(), e.at))
        .collect();
    assert_eq!(
        tail,
        [
            (
                JournalKind::Note,
                "l'agent a rappelé : toujours bloqué, ticket SETNA",
                "martinpa",
                dated
            ),
            (
                JournalKind::OutcomeCorrected,
                "escalated",
                "martinpa",
                dated
            ),
        ]
    );
    if store.engine() == Engine::Postgres {
        assert!((unix_now() - dated.timestamp()).abs() < 60, "{dated}");
    }
    assert_eq!(
        record.journal[..before.journal.len()],
        before.journal[..],
        "earlier entries untouched"
    );
    assert!(
        record
            .journal
            .iter()
            .any(|e| e.kind == JournalKind::Outcome && e.text == "resolved")
    );
    assert_eq!(journal_outcome(&record.journal), record.call.outcome);
    // Corrected again, without a note: only the correction is appended.
    store
        .correct_outcome(call.reference, "martinpa", later, Outcome::Callback, None)
        .unwrap();
    let record = store.get_call(call.reference).unwrap();
    assert_eq!(record.journal.len(), before.journal.len() + 3);
    assert_eq!(record.call.outcome, Some(Outcome::Callback));
    assert_eq!(journal_outcome(&record.journal), Some(Outcome::Callback));
    let listed = store.list_calls(&CallFilter::default()).unwrap();
    assert_eq!(listed[0].outcome, Some(Outcome::Callback));
}
}

on_both_engines! {
fn the_caller_search_finds_a_call_by_its_reference_too(store) {
    let mut refs = Vec::new();
    for i in 1..=12 {
        let mut call = new_call(
            &format!("Agent {}", "x".repeat(i)),
            "mi",
            "noemi",
            "op",
            t0() + Duration::minutes(i as i64),
        );
        call.caller_phone = match i {
            // A phone holding 0005 and a 5, and one with a 5 only.
            2 => Some("01 40 00 05 12".into()),
            9 => Some("06 15 00 00 00".into()),
            _ => None,
        };
        refs.push(store.insert_call(&call).unwrap().reference);
    }
    store
        .close_call(
            refs[4],
            "op",
            t0() + Duration::hours(1),
            Outcome::Resolved,
            None,
        )
        .unwrap();
    let found = |caller: &str, open_only: bool| -> Vec<String> {
        store
            .list_calls(&CallFilter {
                caller: Some(caller.into()),
                open_only,
                ..CallFilter::default()
            })
            .unwrap()
            .iter()
            .map(|c| c.reference.to_string())
            .collect()
    };
    for typed in ["A-0005", "a-0005", "a5", "A5", "A 5", " a-5 "] {
        assert_eq!(found(typed, false), ["A-0005"], "{typed:?}");
    }
    // Digits are a reference and part of a phone number at once: newest first.
    assert_eq!(found("0005", false), ["A-0005", "A-0002"]);
    assert_eq!(found("5", false), ["A-0009", "A-0005", "A-0002"]);
    assert_eq!(found("12", false), ["A-0012", "A-0002"]);
    // The other filters still hold: A-0005 is closed.
    assert_eq!(found("A-0005", true), Vec::<String>::new());
    assert_eq!(found("0005", true), ["A-0002"]);
    // No such call: only what the phones and names give.
    assert_eq!(found("A-0099", false), Vec::<String>::new());
    assert_eq!(found("99", false), Vec::<String>::new());
    // Not a reference (0 is none): phones only; names as before.
    assert_eq!(found("0", false), ["A-0009", "A-0002"]);
    assert_eq!(found("agent xxxxxxxxxxx", false), ["A-0012", "A-0011"]);
}
}

/// A SQLite file at schema `version`, as the migrations up to it made it: what a desk of
/// an older guichet holds.
fn sqlite_at_schema(path: &std::path::Path, version: i64) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, \
         applied_at TEXT NOT NULL DEFAULT '')",
    )
    .unwrap();
    for (v, name, sql) in super::migrations::sqlite_migrations()
        .iter()
        .filter(|(v, _, _)| *v <= version)
    {
        conn.execute_batch(sql).unwrap();
        conn.execute(
            "INSERT INTO schema_migrations (version, name) VALUES (?1, ?2)",
            rusqlite::params![v, name],
        )
        .unwrap();
        conn.pragma_update(None, "user_version", v).unwrap();
    }
    conn
}

#[test]
fn a_desk_of_an_older_schema_gets_its_calls_folded_for_the_search() {
    // A file at schema 18, with a call stored then (its summary indexed raw).
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    {
        let conn = sqlite_at_schema(&path, 18);
        conn.execute(
            "INSERT INTO calls (opened_at, operator, caller_name, caller_phone, service, device, \
             summary, status, search_key, handler) VALUES (?1, 'op', 'Zoé Œuvray', \
             '06 12 34 56 78', 'mi', 'noemi', 'Mise en œuvre, cœur', 'open', \
             'zoe oeuvray' || char(31) || '0612345678', 'op')",
            rusqlite::params![t0().timestamp()],
        )
        .unwrap();
        let found: i64 = conn
            .query_row(
                "SELECT count(*) FROM call_search WHERE call_search MATCH '\"coeur\"'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(found, 0, "schema 18 indexed the raw summary");
    }
    let store = Store::open(&path).unwrap();
    for typed in ["coeur", "cœur", "oeuvre", "œuvre", "Zoé", "0612", "a-0001"] {
        let found = store
            .list_calls(&CallFilter {
                caller: Some(typed.into()),
                ..CallFilter::default()
            })
            .unwrap();
        assert_eq!(found.len(), 1, "« {typed} »");
    }
}

on_both_engines! {
fn the_call_search_folds_the_summary_by_the_projects_rule(store) {
    // Issue 23: a summary that says « mise en œuvre…, cœur » was found by none of œuvre,
    // oeuvre, cœur, coeur on SQLite, which indexed the raw summary with its own folding.
    let mut call = new_call("Zoé Çelik", "mi", "noemi", "op", t0());
    call.summary = "Mise en œuvre du VPN, cœur de réseau ; Straße, ex æquo, ça coupe".into();
    let found = store.insert_call(&call).unwrap().reference;
    let other = store
        .insert_call(&new_call("Paul Martin", "mi", "noemi", "op", t0()))
        .unwrap()
        .reference;
    for open_only in [false, true] {
        for typed in [
            "œuvre", "oeuvre", "OEUVRE", "Œuvre", "cœur", "coeur", "réseau", "reseau", "strasse",
            "straße", "aequo", "æquo", "ça", "ca coupe", "mise en oeuvre",
        ] {
            let refs: Vec<_> = store
                .list_calls(&CallFilter {
                    caller: Some(typed.into()),
                    open_only,
                    ..CallFilter::default()
                })
                .unwrap()
                .iter()
                .map(|c| c.reference)
                .collect();
            assert_eq!(refs, [found], "« {typed} » (open only: {open_only})");
            assert_ne!(refs, [other]);
        }
    }
}
}

on_both_engines! {
fn filters_narrow_the_list_newest_first(store) {
    let a = store
        .insert_call(&new_call("Zoé Çelik", "mi", "noemi", "anne", t0()))
        .unwrap();
    let b = store
        .insert_call(&new_call(
            "Bruno Lefèvre",
            "acn-caen",
            "copier",
            "anne",
            t0() + Duration::hours(1),
        ))
        .unwrap();
    let c = store
        .insert_call(&new_call(
            "Chloé Œuvray",
            "mi",
            "span",
            "paul",
            t0() + Duration::hours(2),
        ))
        .unwrap();
    store
        .close_call(
            b.reference,
            "anne",
            t0() + Duration::hours(3),
            Outcome::Resolved,
            None,
        )
        .unwrap();
    let refs = |f: CallFilter| -> Vec<i64> {
        store
            .list_calls(&f)
            .unwrap()
            .iter()
            .map(|c| c.reference.0)
            .collect()
    };
    let (a, b, c) = (a.reference.0, b.reference.0, c.reference.0);
    assert_eq!(refs(CallFilter::default()), [c, b, a]);
    assert_eq!(
        refs(CallFilter {
            open_only: true,
            ..Default::default()
        }),
        [c, a]
    );
    assert_eq!(
        refs(CallFilter {
            service: Some("mi".into()),
            ..Default::default()
        }),
        [c, a]
    );
    assert_eq!(
        refs(CallFilter {
            device: Some("copier".into()),
            ..Default::default()
        }),
        [b]
    );
    assert_eq!(
        refs(CallFilter {
            operator: Some("anne".into()),
            ..Default::default()
        }),
        [b, a]
    );
    assert_eq!(
        refs(CallFilter {
            since: Some(t0() + Duration::minutes(30)),
            until: Some(t0() + Duration::minutes(90)),
            ..Default::default()
        }),
        [b]
    );
    assert_eq!(
        refs(CallFilter {
            caller: Some("celik".into()),
            ..Default::default()
        }),
        [a]
    );
    assert_eq!(
        refs(CallFilter {
            caller: Some("OEUV".into()),
            ..Default::default()
        }),
        [c]
    );
    assert_eq!(
        refs(CallFilter {
            caller: Some("lefèvre".into()),
            ..Default::default()
        }),
        [b]
    );
    assert_eq!(
        refs(CallFilter {
            caller: Some("06 12 34".into()),
            ..Default::default()
        })
        .len(),
        3
    );
    assert_eq!(
        refs(CallFilter {
            caller: Some("%".into()),
            ..Default::default()
        }),
        Vec::<i64>::new()
    );
    assert_eq!(
        refs(CallFilter {
            limit: Some(2),
            ..Default::default()
        }),
        [c, b]
    );
}
}

on_both_engines! {
fn drafts_are_kept_per_console(store) {
    assert_eq!(store.load_draft("c1").unwrap(), None);
    let draft = CallDraft {
        caller_name: "Zoé".into(),
        summary: "carte agent oubl".into(),
        ..CallDraft::default()
    };
    let other = CallDraft {
        caller_name: "Paul".into(),
        ..CallDraft::default()
    };
    store.save_draft("c1", "anne", t0(), t0(), &draft).unwrap();
    store
        .save_draft("c1", "anne", t0(), t0() + Duration::seconds(5), &draft)
        .unwrap();
    // The same operator's second console keeps its own.
    store
        .save_draft("c2", "anne", t0(), t0() + Duration::seconds(6), &other)
        .unwrap();
    let saved = store.load_draft("c1").unwrap().unwrap();
    assert_eq!(saved.draft, draft);
    assert_eq!(saved.opened_at, t0());
    assert_eq!(store.draft_consoles("anne").unwrap(), ["c2", "c1"]);
    assert!(store.draft_consoles("paul").unwrap().is_empty());
    store.clear_draft("c1").unwrap();
    assert_eq!(store.load_draft("c1").unwrap(), None);
    assert_eq!(store.load_draft("c2").unwrap().unwrap().draft, other);
    // A draft is adopted by one console only, and never onto a console that has one.
    assert!(store.adopt_draft("c2", "c3").unwrap());
    assert!(!store.adopt_draft("c2", "c4").unwrap());
    store.save_draft("c5", "anne", t0(), t0(), &draft).unwrap();
    assert!(!store.adopt_draft("c3", "c5").unwrap());
    assert_eq!(store.load_draft("c3").unwrap().unwrap().draft, other);
}
}

/// A draft is written every second while a call is typed. Kept in the desk's file, each
/// write was a change of the desk for every console on it: each of them read all its
/// screens again once a second (the typing console too, from its own draft writer).
#[test]
fn a_draft_written_is_no_change_of_the_desk_for_its_consoles() {
    let (dir, mut writer) = temp_store();
    let desk = dir.path().join("sub").join("g.db");
    let console = Store::open(&desk).unwrap();
    let before = console.data_version().unwrap();
    let draft = CallDraft {
        summary: "carte agent oubl".into(),
        ..CallDraft::default()
    };
    writer.save_draft("c1", "anne", t0(), t0(), &draft).unwrap();
    writer
        .set_draft_aside("c1", "anne", t0(), t0(), &draft)
        .unwrap();
    writer.clear_draft("c1").unwrap();
    assert_eq!(console.data_version().unwrap(), before);
    // A call saved is one.
    writer
        .insert_call(&new_call("Zoé", "mi", "noemi", "op", t0()))
        .unwrap();
    assert_ne!(console.data_version().unwrap(), before);
    // The drafts are found by every console of the desk, from the file they are kept in.
    writer.save_draft("c2", "anne", t0(), t0(), &draft).unwrap();
    assert_eq!(console.load_draft("c2").unwrap().unwrap().draft, draft);
    let drafts = console.drafts_path().unwrap();
    assert_ne!(drafts, desk);
    assert_eq!(drafts.parent(), desk.parent());
    let file = Store::open_drafts_file(&drafts, &FileAccess::default()).unwrap();
    assert_eq!(file.load_draft("c2").unwrap().unwrap().draft, draft);
    assert_eq!(file.drafts_path().as_deref(), Some(drafts.as_path()));
}

/// Drafts an earlier guichet left in the desk's own file (a console killed mid-call, a
/// call set aside) are found after the upgrade: moved to the drafts file on opening.
#[test]
fn drafts_left_in_the_desk_by_an_earlier_version_are_kept() {
    let (dir, store) = temp_store();
    let desk = dir.path().join("sub").join("g.db");
    drop(store);
    let draft = CallDraft {
        caller_name: "Zoé".into(),
        summary: "vpn bleu".into(),
        ..CallDraft::default()
    };
    let fields = serde_json::to_string(&draft).unwrap();
    {
        let conn = rusqlite::Connection::open(&desk).unwrap();
        conn.execute(
            "INSERT INTO console_drafts (console, operator, saved_at, opened_at, fields) \
             VALUES ('c1', 'anne', ?1, ?1, ?2)",
            rusqlite::params![t0().timestamp(), fields],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO aside_drafts (operator, console, set_at, opened_at, fields) \
             VALUES ('anne', 'c1', ?1, ?1, ?2)",
            rusqlite::params![t0().timestamp(), fields],
        )
        .unwrap();
    }
    let store = Store::open(&desk).unwrap();
    assert_eq!(store.load_draft("c1").unwrap().unwrap().draft, draft);
    let aside = store.aside_drafts("anne").unwrap();
    assert_eq!(aside.len(), 1);
    assert_eq!(aside[0].draft, draft);
    // Moved, not copied: opened again, nothing comes twice.
    drop(store);
    let mut store = Store::open(&desk).unwrap();
    assert_eq!(store.aside_drafts("anne").unwrap().len(), 1);
    let conn = rusqlite::Connection::open(&desk).unwrap();
    let left: i64 = conn
        .query_row(
            "SELECT (SELECT count(*) FROM console_drafts) + (SELECT count(*) FROM aside_drafts)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(left, 0);
    store.clear_draft("c1").unwrap();
    assert_eq!(store.load_draft("c1").unwrap(), None);
}

#[test]
fn check_and_backup_work_on_a_live_database() {
    let (dir, mut store) = temp_store();
    store
        .insert_call(&new_call("Zoé", "mi", "noemi", "op", t0()))
        .unwrap();
    assert!(store.check().unwrap().is_empty());
    let copy = dir.path().join("copy.db");
    store.backup(&copy).unwrap();
    let other = Store::open(&copy).unwrap();
    assert_eq!(other.list_calls(&CallFilter::default()).unwrap().len(), 1);
}

on_both_engines! {
fn the_call_search_finds_any_part_of_a_name_a_phone_a_reference_or_the_summary(store) {
    let mut make = |name: &str, phone: Option<&str>, summary: &str, minutes: i64| {
        let mut call = new_call(name, "mi", "noemi", "op", t0() + Duration::minutes(minutes));
        call.caller_phone = phone.map(String::from);
        call.summary = summary.into();
        store.insert_call(&call).unwrap().reference.to_string()
    };
    let zoe = make(
        "Zoé Martin-Œuvray",
        Some("06 12 34 56 78"),
        "carte agent oubliée",
        1,
    );
    let bruno = make(
        "Bruno Lefèvre",
        Some("01 40 07 20 00"),
        "VPN bleu depuis la mise à jour",
        2,
    );
    let anne = make("Anne Lefebvre", None, "certificat NOMADE 2 à installer", 3);
    let found = |text: &str| -> Vec<String> {
        store
            .list_calls(&CallFilter {
                caller: Some(text.into()),
                ..CallFilter::default()
            })
            .unwrap()
            .iter()
            .map(|c| c.reference.to_string())
            .collect()
    };
    // Part of a name, accents and case ignored, newest first.
    assert_eq!(found("lef"), [anne.as_str(), bruno.as_str()]);
    assert_eq!(found("LEFEVRE"), [bruno.as_str()]);
    assert_eq!(found("martin-oe"), [zoe.as_str()]);
    // Words in any order, one of them short.
    assert_eq!(found("martin zo"), [zoe.as_str()]);
    // Digits of the phone, typed with or without its spaces.
    assert_eq!(found("07 20 00"), [bruno.as_str()]);
    assert_eq!(found("0612"), [zoe.as_str()]);
    // Words of the summary.
    assert_eq!(found("mise à jour"), [bruno.as_str()]);
    assert_eq!(found("nomade"), [anne.as_str()]);
    // The reference.
    assert_eq!(found(&anne), [anne.as_str()]);
    assert!(found("zzz").is_empty());
    if store.engine() == Engine::Postgres {
        return;
    }
    // Three letters or more are looked up in the trigram index, not by a scan of calls.
    let (sql, args, _) = super::calls::list_query_for_tests(
        &CallFilter {
            caller: Some("lefevre".into()),
            limit: Some(50),
            ..CallFilter::default()
        },
        Engine::Sqlite,
    );
    let plan: Vec<String> = store
        .sqlite()
        .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
        .unwrap()
        .query_map(rusqlite::params_from_iter(args), |r| r.get::<_, String>(3))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert!(
        plan.iter().any(|p| p.contains("VIRTUAL TABLE INDEX")),
        "{plan:?}"
    );
    assert!(
        !plan.iter().any(|p| p.starts_with("SCAN c")),
        "no scan of the calls: {plan:?}"
    );
}
}

#[test]
fn a_server_store_hears_another_connections_writes() {
    let (_db, _dir, store) = server_store();
    let (_d2, mut other) = {
        let dir = tempfile::tempdir().unwrap();
        let target = match store.location() {
            Location::Postgres(t) => t.clone(),
            _ => unreachable!(),
        };
        let other =
            Store::connect_with_drafts(&target, &FileAccess::default(), &dir.path().join("d.db"))
                .unwrap();
        (dir, other)
    };
    let before = store.data_version().unwrap();
    other
        .insert_call(&new_call("Zoé", "mi", "noemi", "op", t0()))
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
    let mut now = store.data_version().unwrap();
    while now == before && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
        now = store.data_version().unwrap();
    }
    assert_ne!(now, before, "the notification came within 2 s");
}

/// A login role of the test server with the rights of db/postgres/console-role.sql on the
/// database of `db`, dropped with it.
struct ConsoleRole<'a> {
    db: &'a scratch::ScratchDb,
    name: String,
}

impl<'a> ConsoleRole<'a> {
    fn new(db: &'a scratch::ScratchDb) -> ConsoleRole<'a> {
        let dbname = db.target().dbname().to_string();
        let name = format!("console_{dbname}");
        admin(&format!("CREATE ROLE {name} LOGIN PASSWORD 'pw'"));
        db.console_role(&name, "pw");
        ConsoleRole { db, name }
    }

    /// A store of this role on the database, its drafts in `dir`.
    fn store(&self, dir: &std::path::Path) -> Store {
        Store::connect_with_drafts(
            &self.db.target().with_login(&self.name, "pw"),
            &FileAccess::default(),
            &dir.join(format!("{}-drafts.db", self.name)),
        )
        .unwrap()
    }
}

impl Drop for ConsoleRole<'_> {
    fn drop(&mut self) {
        let role = &self.name;
        admin(&format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{role}'"
        ));
        if let Ok(mut client) = self.db.target().connect() {
            let _ = client.batch_execute(&format!("DROP OWNED BY {role}"));
        }
        admin(&format!("DROP ROLE IF EXISTS {role}"));
    }
}

/// A statement on the test server's maintenance database, as its superuser.
fn admin(sql: &str) {
    scratch::test_server()
        .with_dbname("postgres")
        .connect()
        .unwrap()
        .batch_execute(sql)
        .unwrap();
}

#[test]
fn a_console_role_with_the_readmes_rights_answers_calls_but_cannot_rewrite_history() {
    let (db, dir, mut owner) = server_store();
    owner
        .insert_call(&new_call("Zoé", "mi", "noemi", "owner", t0()))
        .unwrap();
    let role = ConsoleRole::new(&db);
    let mut console = role.store(dir.path());
    let call = console
        .insert_call(&new_call("Paul", "mi", "noemi", "console", t0()))
        .unwrap();
    console
        .add_note(call.reference, "console", t0(), "note")
        .unwrap();
    console
        .close_call(call.reference, "console", t0(), Outcome::Resolved, None)
        .unwrap();
    console.take_over(CallRef(1), "console", t0()).unwrap();
    console
        .record_phone_event(
            &phone_event("newCall", Some("0612345678"), "3001", "r1"),
            t0(),
        )
        .unwrap();
    let catalog = crate::catalog::procedures::embedded(&embedded_reference());
    assert!(!console.sync_catalog(&catalog).unwrap().is_empty());
    assert_eq!(console.list_calls(&CallFilter::default()).unwrap().len(), 2);
    // The GLPI hand-off: the desk's mark read, a push queued, claimed, « en doute »,
    // its ticket recorded.
    assert_eq!(
        console.glpi_desk_marker().unwrap(),
        owner.glpi_desk_marker().unwrap()
    );
    let push = console
        .glpi_queue(call.reference, "console", t0())
        .unwrap()
        .unwrap();
    let claimed = console
        .glpi_claim(push.id, "h:1", t0(), &|_| false)
        .unwrap()
        .unwrap();
    assert!(
        console
            .glpi_doubt(push.id, "h:1", claimed.attempts, t0())
            .unwrap()
    );
    console
        .glpi_ticket_recorded(push.id, call.reference, 77, "GLPI", t0())
        .unwrap();
    assert_eq!(
        console.get_call(call.reference).unwrap().call.glpi_ticket,
        Some(77)
    );
    // What the walks teach is written by the console role, with the journal line.
    let walked = console
        .insert_proposed_call(
            &new_call("Léa", "mi", "noemi", "console", t0()),
            &["essai".into()],
        )
        .unwrap()
        .reference;
    walk_move(
        &mut console,
        walked,
        JournalKind::Procedure,
        &[],
        Some("a"),
        false,
    );
    walk_move(&mut console, walked, JournalKind::Step, &["a"], None, false);
    console
        .flag_step(walked, "console", t0(), "essai", "a", "flou")
        .unwrap();
    console
        .answer_solved(walked, "console", t0(), "essai", true)
        .unwrap();
    assert_eq!(walk_records(&console), [record("completed", 1, 1, Some(1))]);
    let totals: Option<(i64, i64)> = console
        .db
        .query_one(
            "SELECT reached, answered FROM step_totals WHERE span = 86400 AND step = 'a'",
            &[],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(
        totals,
        Some((1, 1)),
        "the console's steps counted by the schema's triggers"
    );
    // And so is what the report reads of its walk: ended, answered, its call's next call.
    console
        .close_call(walked, "console", t0(), Outcome::Resolved, None)
        .unwrap();
    assert_eq!(facts_kept(&console), facts_from_rows(&console));
    assert_eq!(
        facts_kept(&console)
            .iter()
            .map(|f| (f.ended, f.solved, f.closed))
            .collect::<Vec<_>>(),
        [(1, Some(1), 1)]
    );
    for sql in [
        "UPDATE journal SET body = 'x'",
        "DELETE FROM journal",
        "DELETE FROM calls",
        "DELETE FROM handover_entries",
        "DELETE FROM phone_events",
        "UPDATE walks SET version = 'x'",
        "DELETE FROM walk_steps",
        "UPDATE walk_answers SET solved = 0",
        "DELETE FROM step_flags",
        "DELETE FROM call_proposals",
        "DELETE FROM walk_ends",
        // The totals the report sums are kept by the schema's triggers, not by the console.
        "UPDATE step_totals SET reached = 0",
        "DELETE FROM proposal_totals",
        "INSERT INTO proposal_totals (span, start, service, procedure, proposed) VALUES (86400, 0, 'mi', 'x', 1)",
        // So is the row of each walk the report reads.
        "UPDATE walk_facts SET solved = 0",
        "DELETE FROM walk_facts",
    ] {
        let refused = console.db.execute(sql, &[]).map_err(|e| console.err(e));
        match refused {
            Err(StoreError::Denied { .. }) => {}
            other => panic!("{sql}: refused by the server's rights, got {other:?}"),
        }
    }
    // The console role may close and take over calls, not rewrite what they were.
    for sql in REWRITES {
        let refused = console.db.execute(sql, &[]).map_err(|e| console.err(e));
        assert!(
            refused
                .as_ref()
                .is_err_and(|e| e.to_string().contains("never changed")),
            "{sql}: {refused:?}"
        );
    }
    assert_eq!(console.check().unwrap(), Vec::<String>::new());
}

/// The time of the server (this machine's clock: the test server is on loopback). The
/// record's rules read the database's own clock, which no test can fix: the tests compare
/// with it.
#[allow(clippy::disallowed_methods)]
fn unix_now() -> i64 {
    Utc::now().timestamp()
}

#[test]
fn the_console_role_cannot_forge_the_journal_and_the_server_dates_and_signs_each_line() {
    let (db, dir, mut owner) = server_store();
    let first = owner
        .insert_call(&new_call("Zoé", "mi", "noemi", "owner", t0()))
        .unwrap();
    let role = ConsoleRole::new(&db);
    let mut console = role.store(dir.path());
    let owner_role: String = owner
        .db
        .query_one("SELECT session_user::text", &[], |r| r.get(0))
        .unwrap()
        .unwrap();
    // The statements a console role could try, one by one: each refused by the server.
    let now = unix_now();
    let forged = [
        (
            "UPDATE journal SET body = 'x' WHERE call_id = 1".to_string(),
            "droits insuffisants",
        ),
        (
            "DELETE FROM journal WHERE call_id = 1".to_string(),
            "droits insuffisants",
        ),
        ("TRUNCATE journal".to_string(), "droits insuffisants"),
        (
            format!(
                "INSERT INTO journal (call_id, at, operator, kind, body) \
                 VALUES (1, {}, 'console', 'note', 'écrit hier')",
                now - 86_400
            ),
            "datée par l'horloge du serveur",
        ),
        (
            format!(
                "INSERT INTO journal (call_id, at, operator, kind, body) \
                 VALUES (1, {}, 'console', 'note', 'écrit demain')",
                now + 3_600
            ),
            "datée par l'horloge du serveur",
        ),
        (
            format!(
                "INSERT INTO journal (call_id, operator, kind, body) \
                 VALUES (1, '{owner_role}', 'note', 'au nom d''un autre')"
            ),
            "écrit au journal en son nom",
        ),
        (
            format!(
                "INSERT INTO journal (call_id, operator, kind, body, session_role) \
                 VALUES (1, 'console', 'note', 'sous un autre rôle', '{owner_role}')"
            ),
            "porte le rôle de sa session",
        ),
        (
            format!(
                "INSERT INTO calls (opened_at, operator, caller_name, service, device, summary, \
                 search_key, handler) VALUES ({}, 'console', 'X', 'mi', 'noemi', 'x', 'x', 'console')",
                now + 3_600
            ),
            "ouvert dans le futur du serveur",
        ),
        (
            format!(
                "INSERT INTO calls (opened_at, operator, caller_name, service, device, summary, \
                 search_key, handler) VALUES ({now}, '{owner_role}', 'X', 'mi', 'noemi', 'x', 'x', \
                 '{owner_role}')"
            ),
            "ouvre un appel en son nom",
        ),
        (
            format!("UPDATE calls SET handler = '{owner_role}' WHERE id = 1"),
            "prend un appel en son nom",
        ),
        (
            "UPDATE calls SET handler = 'console' WHERE id = 1".to_string(),
            "ne change qu'avec une ligne de son journal",
        ),
        (
            "INSERT INTO calls (opened_at, operator, caller_name, service, device, summary, \
             search_key, handler) VALUES (0, 'console', 'X', 'mi', 'noemi', 'x', 'x', 'console')"
                .to_string(),
            "ne change qu'avec une ligne de son journal",
        ),
        (
            "UPDATE calls SET status = 'closed', closed_at = opened_at - 3600, \
             outcome = 'resolved' WHERE id = 1"
                .to_string(),
            "avant d'avoir été ouvert",
        ),
        (
            format!(
                "UPDATE calls SET status = 'closed', closed_at = {}, outcome = 'resolved' \
                 WHERE id = 1",
                now + 3_600
            ),
            "clos dans le futur du serveur",
        ),
    ];
    for (sql, why) in &forged {
        let refused = console.db.execute(sql, &[]).map_err(|e| console.err(e));
        assert!(
            refused.as_ref().is_err_and(|e| e.to_string().contains(why)),
            "{sql}: {refused:?}"
        );
    }
    assert_eq!(
        owner.get_call(first.reference).unwrap().journal.len(),
        1,
        "nothing written"
    );

    // What a desk does, as the console role: each line dated by the server, signed with the
    // session's role, whatever time the console's clock gives.
    let before = unix_now();
    let call = console
        .insert_call(&new_call("Paul", "mi", "noemi", "console", t0()))
        .unwrap();
    assert_eq!(call.opened_at, t0(), "the call keeps when it was answered");
    console
        .add_note(call.reference, "console", t0(), "note")
        .unwrap();
    let mark = crate::domain::walk::WalkMark {
        procedure: "mi-agent-card-cryhod".into(),
        title: None,
        version: None,
        done: vec!["start".into()],
        current: Some("next".into()),
        ..Default::default()
    };
    console
        .append_walk(
            call.reference,
            "console",
            t0(),
            &WalkEntry {
                kind: JournalKind::Step,
                line: "étape",
                mark: &mark,
                escalated: true,
            },
        )
        .unwrap();
    console.take_over(first.reference, "console", t0()).unwrap();
    console
        .close_call(
            call.reference,
            "console",
            t0(),
            Outcome::Escalated,
            Some("fin"),
        )
        .unwrap();
    // A raw line that leaves the time to the server goes in too.
    console
        .db
        .execute(
            "INSERT INTO journal (call_id, operator, kind, body) VALUES (?1, 'console', 'note', 'à la main')",
            args![call.reference.0],
        )
        .unwrap();
    let after = unix_now();
    let lines: Vec<(i64, String, Option<String>)> = owner
        .db
        .query_vec(
            "SELECT at, operator, session_role FROM journal WHERE id > 1 ORDER BY id",
            &[],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert!(lines.len() >= 8, "{lines:?}");
    for (at, operator, session_role) in &lines {
        assert!(
            (before..=after).contains(at),
            "dated by the server: {at} not in {before}..={after}"
        );
        assert_eq!(operator, "console");
        assert_eq!(session_role.as_deref(), Some(role.name.as_str()));
    }
    // The owner's own lines are signed with its role.
    owner
        .add_note(first.reference, "owner", t0(), "relu")
        .unwrap();
    let signed: Option<String> = owner
        .db
        .query_one(
            "SELECT session_role FROM journal ORDER BY id DESC LIMIT 1",
            &[],
            |r| r.get(0),
        )
        .unwrap()
        .unwrap();
    assert_eq!(signed.as_deref(), Some(owner_role.as_str()));
    assert_eq!(console.check().unwrap(), Vec::<String>::new());
}

#[test]
fn db_check_names_a_role_with_more_rights_than_documented() {
    let (db, _dir, owner) = server_store();
    let role = ConsoleRole::new(&db);
    assert_eq!(owner.check().unwrap(), Vec::<String>::new());
    let name = &role.name;
    db.target()
        .connect()
        .unwrap()
        .batch_execute(&format!(
            "GRANT DELETE ON journal TO {name}; \
             GRANT UPDATE (body) ON handover_entries TO {name}; \
             GRANT SELECT ON journal TO {name} WITH GRANT OPTION; \
             GRANT CREATE ON SCHEMA public TO {name}; \
             GRANT TRUNCATE ON calls TO PUBLIC"
        ))
        .unwrap();
    admin(&format!("GRANT pg_write_all_data TO {name}"));
    let problems = owner.check().unwrap();
    for said in [
        format!(
            "le rôle {name} a le droit DELETE sur la table journal, que \
             db/postgres/console-role.sql ne donne pas"
        ),
        format!(
            "le rôle {name} a le droit UPDATE sur la colonne handover_entries.body, que \
             db/postgres/console-role.sql ne donne pas"
        ),
        format!(
            "le rôle {name} peut donner à d'autres le droit SELECT sur journal, ce que \
             db/postgres/console-role.sql ne permet pas"
        ),
        format!(
            "le rôle {name} a le droit CREATE sur le schéma public, que \
             db/postgres/console-role.sql ne donne pas"
        ),
        "tous les rôles (PUBLIC) ont le droit TRUNCATE sur la table calls, que \
         db/postgres/console-role.sql ne donne pas"
            .to_string(),
        format!(
            "le rôle {name} est membre de pg_write_all_data : il peut modifier et effacer \
             toutes les tables, au-delà de db/postgres/console-role.sql"
        ),
    ] {
        assert!(problems.contains(&said), "{said}\n{problems:#?}");
    }
    assert_eq!(problems.len(), 6, "{problems:#?}");
}

#[test]
fn db_check_names_the_rows_the_server_would_refuse() {
    let (db, _dir, mut owner) = server_store();
    let zoe = owner
        .insert_call(&new_call("Zoé", "mi", "noemi", "op", t0()))
        .unwrap();
    let _paul = owner
        .insert_call(&new_call("Paul", "mi", "noemi", "op", t0()))
        .unwrap();
    assert_eq!(owner.check().unwrap(), Vec::<String>::new());
    let role = ConsoleRole::new(&db);
    let now = unix_now();
    // The owner's surgery, the guards lifted: what no console could write.
    db.target()
        .connect()
        .unwrap()
        .batch_execute(&format!(
            "ALTER TABLE journal DISABLE TRIGGER journal_by_the_server; \
             ALTER TABLE calls DISABLE TRIGGER calls_in_time; \
             ALTER TABLE calls DISABLE TRIGGER calls_journaled; \
             INSERT INTO journal (call_id, at, operator, kind, body, session_role) \
               VALUES (1, {ahead}, 'op', 'note', 'demain', 'op'); \
             INSERT INTO journal (call_id, at, operator, kind, body, session_role) \
               VALUES (2, {early}, 'op', 'note', 'avant', 'op'); \
             INSERT INTO journal (call_id, at, operator, kind, body) \
               VALUES (2, {now}, 'op', 'note', 'sans rôle'); \
             INSERT INTO journal (call_id, at, operator, kind, body, session_role) \
               VALUES (2, {now}, '{role}', 'note', 'au nom d''un autre', 'op'); \
             INSERT INTO calls (opened_at, closed_at, operator, caller_name, service, device, \
               summary, status, outcome, search_key, handler) \
               VALUES ({now}, {early}, 'op', 'X', 'mi', 'noemi', 'x', 'closed', 'resolved', 'x', 'op'); \
             ALTER TABLE journal ENABLE TRIGGER journal_by_the_server; \
             ALTER TABLE calls ENABLE TRIGGER calls_in_time; \
             ALTER TABLE calls ENABLE TRIGGER calls_journaled",
            ahead = now + 86_400,
            early = t0().timestamp() - 86_400,
            role = role.name,
        ))
        .unwrap();
    let problems = owner.check().unwrap();
    let when = |secs: i64| {
        crate::domain::time::paris(crate::domain::time::from_unix(secs), "%d/%m/%Y à %H:%M:%S")
    };
    for said in [
        format!(
            "appel A-0001 : la ligne n° 3 du journal est datée du {}, dans le futur de \
             l'horloge du serveur",
            when(now + 86_400)
        ),
        format!(
            "appel A-0002 : la ligne n° 4 du journal est datée du {}, avant l'ouverture de \
             l'appel (le {})",
            when(t0().timestamp() - 86_400),
            when(t0().timestamp())
        ),
        "appel A-0002 : la ligne n° 5 du journal n'a pas le rôle de session que le serveur \
         inscrit sur chaque ligne"
            .to_string(),
        format!(
            "appel A-0002 : la ligne n° 6 du journal est au nom de « {} », qui a son rôle de \
             connexion, mais a été écrite par le rôle « op »",
            role.name
        ),
        format!(
            "appel A-0003 : clos le {}, avant d'avoir été ouvert (le {})",
            when(t0().timestamp() - 86_400),
            when(now)
        ),
        "appel A-0003 : aucune ligne d'ouverture au journal".to_string(),
        "appel A-0003 : clos sans ligne de clôture au journal".to_string(),
        "appel A-0003 : son issue (résolu) n'est pas celle que dit son journal (aucune)"
            .to_string(),
    ] {
        assert!(problems.contains(&said), "{said}\n{problems:#?}");
    }
    assert!(
        problems.iter().any(|p| p
            .starts_with("appel A-0002 : la ligne n° 4 du journal est datée du")
            && p.contains("avant une ligne qui la précède")),
        "{problems:#?}"
    );
    assert_eq!(problems.len(), 9, "{problems:#?}");
    assert_eq!(zoe.reference, CallRef(1));
}

#[test]
fn the_file_refuses_journal_lines_and_calls_out_of_time_and_db_check_names_them() {
    let (_dir, mut store) = temp_store();
    let call = store
        .insert_call(&new_call("Zoé", "mi", "noemi", "op", t0()))
        .unwrap();
    store
        .add_note(
            call.reference,
            "op",
            t0() + Duration::minutes(10),
            "plus tard",
        )
        .unwrap();
    let now = unix_now();
    let t = t0().timestamp();
    let line_of = |call: i64, at: i64| {
        format!(
            "INSERT INTO journal (call_id, at, operator, kind, body) VALUES ({call}, {at}, 'op', 'note', 'x')"
        )
    };
    let line = |at: i64| line_of(1, at);
    // A call with no line yet: only its opening comes before.
    store
        .db
        .execute(
            &format!(
                "INSERT INTO calls (opened_at, operator, caller_name, service, device, summary, \
                 search_key) VALUES ({}, 'op', 'X', 'mi', 'noemi', 'x', 'x')",
                t0().timestamp()
            ),
            &[],
        )
        .unwrap();
    for (sql, why) in [
        ("UPDATE journal SET body = 'x'".to_string(), "append-only"),
        ("DELETE FROM journal".to_string(), "append-only"),
        (line(now + 3_600), "datée dans le futur"),
        (line_of(2, t - 3_600), "d'avant l'ouverture de son appel"),
        (line(t + 60), "d'avant celles de son appel"),
        (
            format!(
                "INSERT INTO calls (opened_at, operator, caller_name, service, device, summary, \
                 search_key) VALUES ({}, 'op', 'X', 'mi', 'noemi', 'x', 'x')",
                now + 3_600
            ),
            "ouvert dans le futur",
        ),
        (
            format!(
                "INSERT INTO calls (opened_at, closed_at, operator, caller_name, service, device, \
                 summary, status, search_key) VALUES ({t}, {}, 'op', 'X', 'mi', 'noemi', 'x', \
                 'closed', 'x')",
                t - 3_600
            ),
            "clos avant d'avoir été ouvert",
        ),
        (
            format!(
                "UPDATE calls SET status = 'closed', closed_at = {}, outcome = 'resolved' WHERE id = 1",
                t - 3_600
            ),
            "clos avant d'avoir été ouvert",
        ),
        (
            format!(
                "UPDATE calls SET status = 'closed', closed_at = {}, outcome = 'resolved' WHERE id = 1",
                now + 3_600
            ),
            "ni dans le futur",
        ),
    ] {
        let refused = store.db.execute(&sql, &[]).map_err(|e| store.err(e));
        assert!(
            refused.as_ref().is_err_and(|e| e.to_string().contains(why)),
            "{sql}: {refused:?}"
        );
    }
    // A desk's own times, within the tolerance of the clocks, go in.
    store
        .db
        .execute(&line(t0().timestamp() + 10 * 60 - 200), &[])
        .unwrap();
    store
        .close_call(
            call.reference,
            "op",
            t0() + Duration::minutes(12),
            Outcome::Resolved,
            None,
        )
        .unwrap();
    assert_eq!(
        store.check().unwrap(),
        ["appel A-0002 : aucune ligne d'ouverture au journal"],
        "a call another tool wrote, without its journal"
    );

    // Whoever can write the file can drop the triggers, and change a call's outcome without
    // its journal line (a file has no commit-time check): db check names what got in.
    let next: i64 = store
        .db
        .query_one("SELECT max(id) + 1 FROM journal", &[], |r| r.get(0))
        .unwrap()
        .unwrap();
    store
        .db
        .batch(&format!(
            "DROP TRIGGER journal_not_ahead; DROP TRIGGER journal_after_opening; \
             DROP TRIGGER journal_in_order; {}; {}; \
             UPDATE calls SET outcome = 'abandoned' WHERE id = 1;",
            line(now + 86_400),
            line(t - 86_400)
        ))
        .unwrap();
    let when = |secs: i64| {
        crate::domain::time::paris(crate::domain::time::from_unix(secs), "%d/%m/%Y à %H:%M:%S")
    };
    let problems = store.check().unwrap();
    assert_eq!(
        problems,
        [
            "déclencheur journal_not_ahead absent".to_string(),
            "déclencheur journal_after_opening absent".to_string(),
            "déclencheur journal_in_order absent".to_string(),
            format!(
                "appel A-0001 : la ligne n° {next} du journal est datée du {}, dans le futur de \
                 l'horloge de cette machine",
                when(now + 86_400)
            ),
            format!(
                "appel A-0001 : la ligne n° {} du journal est datée du {}, avant l'ouverture de \
                 l'appel (le {})",
                next + 1,
                when(t - 86_400),
                when(t)
            ),
            format!(
                "appel A-0001 : la ligne n° {} du journal est datée du {}, avant une ligne qui la \
                 précède (du {})",
                next + 1,
                when(t - 86_400),
                when(now + 86_400)
            ),
            "appel A-0002 : aucune ligne d'ouverture au journal".to_string(),
            "appel A-0001 : son issue (abandonné) n'est pas celle que dit son journal (résolu)"
                .to_string(),
        ]
    );
}

#[test]
fn the_server_connection_is_encrypted_as_sslmode_asks() {
    let (db, _dir, _store) = server_store();
    let url = db.url();
    let sep = if url.contains('?') { '&' } else { '?' };
    let ssl_in_use = |mode: &str| -> std::result::Result<bool, String> {
        let target = PgTarget::parse(&format!("{url}{sep}sslmode={mode}"))?;
        let mut client = target.connect()?;
        let row = client
            .query_one(
                "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
                &[],
            )
            .map_err(|e| e.to_string())?;
        Ok(row.get(0))
    };
    assert!(
        ssl_in_use("prefer").is_ok(),
        "the test server must take connections"
    );
    let offered: bool = db
        .target()
        .connect()
        .unwrap()
        .query_one("SHOW ssl", &[])
        .map(|r| r.get::<_, String>(0) == "on")
        .unwrap();
    assert!(
        offered,
        "the test server must offer TLS (Debian's clusters do, with the snakeoil certificate)"
    );
    assert_eq!(ssl_in_use("require"), Ok(true));
    assert_eq!(ssl_in_use("prefer"), Ok(true));
    assert_eq!(ssl_in_use("disable"), Ok(false));
    // Debian's snakeoil certificate is in the system's trust store and names "localhost":
    // by that name it is verified whole; by its address, only its authority holds.
    assert!(
        url.contains("@localhost:"),
        "the test server is reached as localhost: {url}"
    );
    assert_eq!(ssl_in_use("verify-full"), Ok(true));
    let by_address = |mode: &str| -> std::result::Result<bool, String> {
        let url = format!(
            "{}{sep}sslmode={mode}",
            url.replace("@localhost:", "@127.0.0.1:")
        );
        PgTarget::parse(&url)?.connect().map(|_| true)
    };
    assert_eq!(by_address("verify-ca"), Ok(true));
    let refused = by_address("verify-full").unwrap_err();
    assert!(refused.contains("127.0.0.1"), "{refused}");
    assert!(
        !refused.contains(":devpass") && !refused.contains("PASSWORD"),
        "{refused}"
    );
}

on_both_engines! {
fn the_lists_own_narrowing_agrees_with_the_store_search(store) {
    let people = [
        (
            "Christophe Lopez",
            Some("06 12 34 56 78"),
            "carte agent oubliée",
        ),
        ("Christophe Martin", None, "VPN bleu depuis la mise à jour"),
        (
            "Anne Lopès",
            Some("01 40 07 20 00"),
            "imprimante du 3e étage",
        ),
        ("Chloé Œuvray", None, "certificat NOMADE 2 à installer"),
        ("Lola Dupont", Some("07 00 00 05 05"), "mot de passe CRYHOD"),
    ];
    for (i, (name, phone, summary)) in people.iter().enumerate() {
        let mut call = new_call(
            name,
            "mi",
            "noemi",
            "op",
            t0() + Duration::minutes(i as i64),
        );
        call.caller_phone = phone.map(String::from);
        call.summary = summary.to_string();
        store.insert_call(&call).unwrap();
    }
    let all = store.list_calls(&CallFilter::default()).unwrap();
    for text in [
        "c",
        "ch",
        "chr",
        "christophe",
        "christophe l",
        "christophe lo",
        "christophe lop",
        "lopez",
        "lop",
        "lo",
        "06",
        "06 12",
        "0612",
        "0505",
        "vpn bl",
        "mise a",
        "étage",
        "etage",
        "oeuv",
        "nomade 2",
        "cryhod",
        "zz",
        "a-000",
        "a-0004",
    ] {
        let searched: Vec<CallRef> = store
            .list_calls(&CallFilter {
                caller: Some(text.into()),
                ..CallFilter::default()
            })
            .unwrap()
            .iter()
            .map(|c| c.reference)
            .collect();
        let Some(narrowed) = all
            .iter()
            .map(|c| call_matches(c, text).map(|m| m.then_some(c.reference)))
            .collect::<Option<Vec<_>>>()
        else {
            continue;
        };
        let narrowed: Vec<CallRef> = narrowed.into_iter().flatten().collect();
        let mut sorted = searched.clone();
        sorted.sort_by_key(|b| std::cmp::Reverse(b.0));
        assert_eq!(narrowed, sorted, "{text:?}");
    }
    // Typing on narrows only where what the store finds can only shrink.
    let found = |text: &str| -> std::collections::BTreeSet<i64> {
        store
            .list_calls(&CallFilter {
                caller: Some(text.into()),
                ..CallFilter::default()
            })
            .unwrap()
            .iter()
            .map(|c| c.reference.0)
            .collect()
    };
    for text in [
        "christophe lop",
        "a-0004",
        "06 12 34",
        "lola dupont 0505",
        "vpn bleu",
    ] {
        let chars: Vec<char> = text.chars().collect();
        for i in 1..chars.len() {
            let before: String = chars[..i].iter().collect();
            let now: String = chars[..=i].iter().collect();
            if narrows(&before, &now) {
                assert!(
                    found(&now).is_subset(&found(&before)),
                    "{before:?} -> {now:?}"
                );
            }
        }
    }
    assert!(
        !narrows("a-", "a-0"),
        "a short word growing into an indexed one"
    );
    assert!(narrows("christophe l", "christophe lo"));
}
}

#[test]
fn a_server_store_plans_each_search_for_its_words() {
    let (_db, _dir, mut store) = server_store();
    let mode: Option<String> = store
        .db
        .query_one("SELECT current_setting('plan_cache_mode')", &[], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(mode.as_deref(), Some("force_custom_plan"));
    // The same statement run more than five times keeps being planned for its values.
    store
        .insert_call(&new_call("Jean Martin", "mi", "noemi", "op", t0()))
        .unwrap();
    for word in ["jean", "mart", "zzz", "jean", "mart", "zzz", "jean", "mar"] {
        let found = store
            .list_calls(&CallFilter {
                caller: Some(format!("{word} tin")),
                limit: Some(100),
                ..CallFilter::default()
            })
            .unwrap();
        assert_eq!(found.len(), usize::from(word != "zzz"), "{word}");
    }
}

fn phone_event(kind: &str, from: Option<&str>, to: &str, id: &str) -> crate::phone::PhoneEvent {
    let mut fields = vec![
        ("event", kind.to_string()),
        ("to", to.to_string()),
        ("direction", "in".to_string()),
        ("callId", id.to_string()),
    ];
    if let Some(from) = from {
        fields.push(("from", from.to_string()));
    }
    if kind == "answer" {
        fields.push(("answeringNumber", "3001".into()));
    }
    if kind == "hangup" {
        fields.push(("cause", "normalClearing".into()));
    }
    let body: Vec<String> = fields.iter().map(|(k, v)| format!("{k}={v}")).collect();
    crate::phone::parse_event(None, body.join("&").as_bytes()).unwrap()
}

on_both_engines! {
fn phone_events_make_calls_and_a_hangup_records_the_handling_time(store) {
    let ring = t0();
    store.record_phone_event(&phone_event("newCall", Some("0612345678"), "3001", "x1"), ring).unwrap();
    let again = store.record_phone_event(&phone_event("newCall", Some("0612345678"), "3001", "x1"), ring).unwrap();
    assert!(again.repeated, "an event sent twice is kept once");
    store.record_phone_event(&phone_event("newCall", None, "3002", "x2"), ring).unwrap();
    store.record_phone_event(&phone_event("answer", Some("0612345678"), "3001", "x1"), ring + Duration::seconds(8)).unwrap();
    let calls = store.phone_calls_since(ring - Duration::minutes(1)).unwrap();
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[0].state(), crate::phone::PhoneState::Answered);
    assert_eq!(calls[1].from, None, "a withheld number stays unknown");
    assert_eq!(calls[1].caller_for_reading(), "numéro masqué");

    // The call is saved from the ringing one before the caller hangs up…
    let mut call = new_call("Lola Dupont", "mi", "noemi", "op", ring + Duration::seconds(10));
    call.telephony_id = Some("x1".into());
    let saved = store.insert_call(&call).unwrap();
    assert_eq!(saved.handled_seconds, None);
    let hung = store
        .record_phone_event(&phone_event("hangup", Some("0612345678"), "3001", "x1"), ring + Duration::seconds(8 + 245))
        .unwrap();
    assert_eq!(hung.call, Some(saved.reference));
    assert_eq!(hung.handled_seconds, Some(245));
    let record = store.get_call(saved.reference).unwrap();
    assert_eq!(record.call.handled_seconds, Some(245));
    let handled: Vec<_> = record.journal.iter().filter(|e| e.kind == JournalKind::Handled).collect();
    assert_eq!(handled.len(), 1);
    assert!(handled[0].text.starts_with("appel traité en 4 min 05 s"), "{}", handled[0].text);
    assert_eq!(handled[0].operator, TELEPHONY_OPERATOR, "the telephony's line, whoever relays it");
    // …and a hangup sent again writes nothing more.
    store.record_phone_event(&phone_event("hangup", Some("0612345678"), "3001", "x1"), ring + Duration::seconds(400)).unwrap();
    assert_eq!(store.get_call(saved.reference).unwrap().journal.iter().filter(|e| e.kind == JournalKind::Handled).count(), 1);

    // A caller who hung up while the form was still being finished: the time comes with the save.
    store.record_phone_event(&phone_event("answer", None, "3002", "x2"), ring + Duration::seconds(20)).unwrap();
    store.record_phone_event(&phone_event("hangup", None, "3002", "x2"), ring + Duration::seconds(80)).unwrap();
    let mut late = new_call("Anonyme", "mi", "noemi", "op", ring + Duration::seconds(20));
    late.telephony_id = Some("x2".into());
    let late = store.insert_call(&late).unwrap();
    assert_eq!(late.handled_seconds, Some(60));
    assert_eq!(late.telephony_id.as_deref(), Some("x2"));
}
}

/// Statements that would rewrite what call 1 (open) or call 2 (closed) was.
const REWRITES: [&str; 8] = [
    "UPDATE calls SET summary = 'x' WHERE id = 1",
    "UPDATE calls SET operator = 'fantome' WHERE id = 1",
    "UPDATE calls SET opened_at = 0 WHERE id = 1",
    "UPDATE calls SET caller_name = 'Autre', caller_phone = '0600000000' WHERE id = 1",
    "UPDATE calls SET service = 'mtes', device = 'copier' WHERE id = 1",
    "UPDATE calls SET status = 'open', closed_at = NULL, outcome = NULL WHERE id = 2",
    "UPDATE calls SET closed_at = 0 WHERE id = 2",
    "UPDATE calls SET id = 99 WHERE id = 1",
];

on_both_engines! {
fn what_a_call_was_is_never_rewritten_and_a_closed_call_never_reopened(store) {
    store.insert_call(&new_call("Zoé", "mi", "noemi", "op", t0())).unwrap();
    let closed = store.insert_call(&new_call("Paul", "mi", "noemi", "op", t0())).unwrap();
    store.close_call(closed.reference, "op", t0() + Duration::minutes(5), Outcome::Resolved, None).unwrap();
    for sql in REWRITES {
        let refused = store.db.execute(sql, &[]).map_err(|e| store.err(e));
        assert!(
            refused.as_ref().is_err_and(|e| e.to_string().contains("never changed")),
            "{sql}: {refused:?}"
        );
    }
    // What a desk does to a call still goes through.
    store.take_over(CallRef(1), "anne", t0() + Duration::minutes(6)).unwrap();
    store.correct_outcome(closed.reference, "op", t0() + Duration::minutes(7), Outcome::Escalated, None).unwrap();
    store.close_call(CallRef(1), "anne", t0() + Duration::minutes(8), Outcome::Callback, None).unwrap();
    let record = store.get_call(CallRef(1)).unwrap();
    assert_eq!(record.call.operator, "op", "who took it stays");
    assert_eq!(record.call.handler, "anne");
    assert_eq!(record.call.outcome, Some(Outcome::Callback));
    assert_eq!(store.get_call(closed.reference).unwrap().call.outcome, Some(Outcome::Escalated));
}
}

on_both_engines! {
fn a_phone_call_taken_on_an_open_call_adds_its_time_there_once(store) {
    let ring = t0();
    let first = store.insert_call(&new_call("Lola Dupont", "mi", "noemi", "op", ring - Duration::hours(2))).unwrap();
    store.record_phone_event(&phone_event("newCall", Some("0612345678"), "3001", "y1"), ring).unwrap();
    store.record_phone_event(&phone_event("answer", Some("0612345678"), "3001", "y1"), ring + Duration::seconds(5)).unwrap();
    let linked = store.link_phone_call(first.reference, "y1", "paul", ring + Duration::seconds(6)).unwrap();
    assert_eq!(linked, crate::store::PhoneLink::Linked { handled_seconds: None });
    // Taken once: a second console (or a second F6) finds it taken.
    let other = store.insert_call(&new_call("Autre", "mi", "noemi", "op", ring)).unwrap();
    assert_eq!(
        store.link_phone_call(other.reference, "y1", "anne", ring + Duration::seconds(7)).unwrap(),
        crate::store::PhoneLink::Already(first.reference)
    );
    assert_eq!(store.call_of_phone("y1").unwrap(), Some(first.reference));
    let hung = store.record_phone_event(&phone_event("hangup", Some("0612345678"), "3001", "y1"), ring + Duration::seconds(95)).unwrap();
    assert_eq!((hung.call, hung.handled_seconds), (Some(first.reference), Some(90)));
    store.record_phone_event(&phone_event("hangup", Some("0612345678"), "3001", "y1"), ring + Duration::seconds(99)).unwrap();
    let record = store.get_call(first.reference).unwrap();
    assert_eq!(record.call.handled_seconds, Some(90));
    let handled: Vec<_> = record.journal.iter().filter(|e| e.kind == JournalKind::Handled).collect();
    assert_eq!(handled.len(), 1, "written once");
    assert_eq!(handled[0].operator, TELEPHONY_OPERATOR, "the telephony's line, whoever relays it");
    assert!(record.journal.iter().any(|e| e.text == "nouvel appel téléphonique (06 12 34 56 78) pris sur cet appel"));

    // Linked long after the hangup: the time is written with the link, dated with it (after
    // the link's own line, as the journal's order asks); a second phone call adds up.
    store.record_phone_event(&phone_event("newCall", Some("0612345678"), "3001", "y2"), ring + Duration::minutes(10)).unwrap();
    store.record_phone_event(&phone_event("answer", Some("0612345678"), "3001", "y2"), ring + Duration::minutes(10)).unwrap();
    store.record_phone_event(&phone_event("hangup", Some("0612345678"), "3001", "y2"), ring + Duration::minutes(11)).unwrap();
    assert_eq!(
        store.link_phone_call(first.reference, "y2", "paul", ring + Duration::minutes(30)).unwrap(),
        crate::store::PhoneLink::Linked { handled_seconds: Some(60) }
    );
    assert_eq!(store.get_call(first.reference).unwrap().call.handled_seconds, Some(150));
}
}

on_both_engines! {
fn an_event_without_the_number_called_reads_back_without_it(store) {
    // The Asterisk AMI bridge: the queue's name in `to`, then an answer and a hangup that
    // name only the call.
    let ring = t0();
    let body = |b: &str| crate::phone::parse_event(None, b.as_bytes()).unwrap();
    let events = [
        body("event=newCall&from=%3Cunknown%3E&to=support&direction=in&callId=support1545241916.41"),
        body("direction=in&user=agent.name&event=answer&callId=support1545241916.41"),
        body("cause=normalClearing&callId=support1545241916.41&event=hangup&direction=in"),
    ];
    for (i, e) in events.iter().enumerate() {
        store.record_phone_event(e, ring + Duration::seconds(5 * i as i64)).unwrap();
    }
    let stored = store.phone_events("support1545241916.41").unwrap();
    let read: Vec<_> = stored.iter().map(|s| s.event.clone()).collect();
    assert_eq!(read, events, "'' in the column reads back as no number");
    assert_eq!(read[1].to, None);
    let calls = store.phone_calls_since(ring - Duration::minutes(1)).unwrap();
    assert_eq!(calls[0].to.as_deref(), Some("support"));
    assert_eq!(calls[0].from, None, "Asterisk's <unknown> is a withheld number");
    assert_eq!(calls[0].answering_number.as_deref(), Some("agent.name"));
    assert_eq!(calls[0].handled_seconds(), Some(5));
}
}

on_both_engines! {
fn a_foreign_number_is_not_a_french_one_that_ends_alike(store) {
    let monday = t0();
    let mut metro = new_call("Lola Dupont", "mi", "noemi", "op", monday + Duration::hours(1));
    metro.caller_phone = Some("06 87 28 12 34".into());
    let metro = store.insert_call(&metro).unwrap();
    let mut noumea = new_call("Kalani Wema", "mi", "noemi", "op", monday + Duration::hours(2));
    noumea.caller_phone = Some("+687 28 12 34".into());
    let noumea = store.insert_call(&noumea).unwrap();
    let mut reunion = new_call("Jean Payet", "mi", "noemi", "op", monday + Duration::hours(3));
    reunion.caller_phone = Some("0692 12 34 56".into());
    let reunion = store.insert_call(&reunion).unwrap();

    let facts = |n: &str| store.caller_facts(n, monday).unwrap().map(|f| (f.last.reference, f.this_week));
    assert_eq!(facts("0687281234"), Some((metro.reference, 1)));
    assert_eq!(facts("+33 (0)6 87 28 12 34"), Some((metro.reference, 1)));
    assert_eq!(facts("+687281234"), Some((noumea.reference, 1)));
    assert_eq!(facts("00687 28 12 34"), Some((noumea.reference, 1)));
    // Réunion's mobiles are in the French plan: +262 692… is the line dialled 0692….
    assert_eq!(facts("+262 692 12 34 56"), Some((reunion.reference, 1)));
    // A caller id that is not a number is never matched, whatever digits it holds.
    assert_eq!(facts("sip:0687281234@pbx.example"), None);
    assert_eq!(facts("Lola 0687281234"), None);
}
}

on_both_engines! {
fn a_number_is_known_however_it_is_written(store) {
    let monday = t0(); // Monday 23/11/2026
    let mut first = new_call("Lola Dupont", "mi", "noemi", "op", monday - Duration::days(3));
    first.caller_phone = Some("+33 6 12 34 56 78".into());
    store.insert_call(&first).unwrap();
    let second = store.insert_call(&new_call("Lola Dupont", "mi", "noemi", "op", monday + Duration::hours(2))).unwrap();
    store.add_note(second.reference, "op", monday + Duration::hours(3), "rappeler après 14 h").unwrap();
    let mut other = new_call("Jean Martin", "mi", "noemi", "op", monday + Duration::hours(4));
    other.caller_phone = Some("01 40 07 20 00".into());
    store.insert_call(&other).unwrap();

    let facts = store.caller_facts("0033612345678", monday).unwrap().unwrap();
    assert_eq!(facts.last.reference, second.reference);
    assert_eq!(facts.this_week, 1, "the Friday before is last week");
    let (open, last_line) = facts.open.unwrap();
    assert_eq!(open.reference, second.reference);
    assert_eq!(last_line.unwrap().text, "rappeler après 14 h");
    assert!(store.caller_facts("0699999999", monday).unwrap().is_none());

    let by_name = store.known_callers("dupon", 5).unwrap();
    assert_eq!(by_name.len(), 1, "one caller, however the number was written: {by_name:?}");
    assert_eq!(by_name[0].reference, second.reference, "the newest call's facts");
    let by_number = store.known_callers("01 40 07", 5).unwrap();
    assert_eq!(by_number.len(), 1);
    assert_eq!(by_number[0].name, "Jean Martin");
    let whole = store.known_callers("0612345678", 5).unwrap();
    assert_eq!(whole.len(), 1);
    assert_eq!(whole[0].name, "Lola Dupont");
    assert!(store.known_callers("vpn", 5).unwrap().is_empty(), "a word of the summary is no caller");
    assert!(store.known_callers("lo", 5).unwrap().is_empty(), "too short to propose anyone");
}
}

on_both_engines! {
fn the_glpi_outbox_keeps_pushes_in_order_and_one_ticket_per_call(store) {
    use crate::store::OutboxState;
    let call = store.insert_call(&new_call("Zoé", "mi", "noemi", "op", t0())).unwrap().reference;
    store.add_note(call, "op", t0(), "première note").unwrap();
    let first = store.glpi_queue(call, "op", t0()).unwrap().unwrap();
    assert_eq!((first.after_entry, first.state, first.attempts), (0, OutboxState::Waiting, 0));
    assert!(store.glpi_queue(call, "op", t0()).unwrap().is_none(), "nothing new");
    assert_eq!(store.glpi_entries(call, 0, first.through_entry).unwrap().len(), 2);

    // Claimed before sending: once; a live claim is not taken, an abandoned one is.
    let claimed = store.glpi_claim(first.id, "host:1", t0(), &|_| false).unwrap().unwrap();
    assert_eq!((claimed.state, claimed.attempts), (OutboxState::Sending, 1));
    assert!(store.glpi_claim(first.id, "host:2", t0(), &|_| false).unwrap().is_none());
    let again = store.glpi_claim(first.id, "host:2", t0(), &|_| true).unwrap().unwrap();
    assert_eq!(again.attempts, 2);
    store.glpi_failed(first.id, "GLPI injoignable").unwrap();
    let waiting = store.glpi_waiting(None).unwrap();
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0].state, OutboxState::Waiting);
    assert_eq!(waiting[0].last_error.as_deref(), Some("GLPI injoignable"));

    // The ticket: on the call once, in the journal once.
    store.glpi_ticket_recorded(first.id, call, 1234, "op", t0()).unwrap();
    store.glpi_ticket_recorded(first.id, call, 999, "op", t0()).unwrap();
    let record = store.get_call(call).unwrap();
    assert_eq!(record.call.glpi_ticket, Some(1234));
    let lines: Vec<_> = record.journal.iter().filter(|e| e.kind == JournalKind::GlpiTicket).collect();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0].text, "ticket GLPI n° 1234");
    assert!(store.glpi_waiting(None).unwrap().is_empty());
    // The hand-off's own line is nothing new to send.
    assert!(store.glpi_queue(call, "op", t0()).unwrap().is_none());

    store.add_note(call, "op", t0(), "deuxième note").unwrap();
    let second = store.glpi_queue(call, "op", t0()).unwrap().unwrap();
    assert_eq!(second.after_entry, first.through_entry);
    // One sender per call: a push behind an unsent one of its call is not claimed.
    store.add_note(call, "op", t0(), "troisième note").unwrap();
    let third = store.glpi_queue(call, "op", t0()).unwrap().unwrap();
    assert!(store.glpi_claim(third.id, "host:1", t0(), &|_| true).unwrap().is_none());
    // « En doute » written under the claim only; kept through a failure, cleared once sent.
    let mine = store.glpi_claim(second.id, "host:1", t0(), &|_| false).unwrap().unwrap();
    let later = t0() + chrono::Duration::seconds(10);
    assert!(!store.glpi_doubt(second.id, "host:2", mine.attempts, later).unwrap(), "not its claim");
    assert!(!store.glpi_doubt(second.id, "host:1", mine.attempts - 1, later).unwrap(), "an older try");
    assert!(store.glpi_doubt(second.id, "host:1", mine.attempts, later).unwrap());
    store.glpi_failed(second.id, "réponse perdue").unwrap();
    let kept = &store.glpi_waiting(Some(call)).unwrap()[0];
    assert_eq!((kept.id, kept.doubt_after), (second.id, Some(later)));
    let entries = store.glpi_entries(call, second.after_entry, second.through_entry).unwrap();
    assert_eq!(entries.iter().map(|e| e.text.as_str()).collect::<Vec<_>>(), ["deuxième note"]);
    store.glpi_followup_sent(second.id, 1234, t0()).unwrap();
    assert!(store.glpi_claim(third.id, "host:1", t0(), &|_| false).unwrap().is_some());
    store.glpi_followup_sent(third.id, 1234, t0()).unwrap();
    let all = store.glpi_outbox_of(call).unwrap();
    assert!(all.iter().all(|e| e.state == OutboxState::Sent && e.ticket == Some(1234)));
    assert!(all.iter().all(|e| e.doubt_after.is_none()));
    // The desk's mark in GLPI: made once by the schema, twelve hexadecimal digits.
    let mark = store.glpi_desk_marker().unwrap();
    assert_eq!(mark.len(), 12, "{mark}");
    assert!(mark.bytes().all(|b| b.is_ascii_hexdigit()), "{mark}");
    assert!(store.check().unwrap().is_empty());
}
}

on_both_engines! {
fn a_closing_before_the_opening_is_refused_naming_both(store) {
    // A call opened by a clock ahead of this one (a PBX's answer time, another desk):
    // closed by this clock before it was opened, its handling time would be negative.
    let call = store
        .insert_call(&new_call("Zoé", "mi", "noemi", "op", t0()))
        .unwrap();
    let refused = store.close_call(
        call.reference,
        "op",
        t0() - Duration::seconds(40),
        Outcome::Resolved,
        None,
    );
    let said = refused.unwrap_err().to_string();
    assert!(
        said.contains("A-0001 ne peut pas être clos le 23/11/2026 08:59:20, avant son ouverture le 23/11/2026 09:00:00"),
        "{said}"
    );
    let record = store.get_call(call.reference).unwrap();
    assert_eq!(record.call.status, CallStatus::Open);
    assert_eq!(record.journal.len(), 1, "nothing written");
    // At the very second of the opening, the handling time is nought: closed.
    store
        .close_call(call.reference, "op", t0(), Outcome::Resolved, None)
        .unwrap();
}
}

/// A move of a walk of `procedure` at `version`: the steps `done` and the one shown.
fn walk_move(
    store: &mut Store,
    call: CallRef,
    kind: JournalKind,
    done: &[&str],
    current: Option<&str>,
    escalated: bool,
) {
    let mark = crate::domain::walk::WalkMark {
        procedure: "essai".into(),
        title: Some("Essai".into()),
        version: Some("2+abcdef01".into()),
        done: done.iter().map(|s| s.to_string()).collect(),
        current: current.map(String::from),
        ..Default::default()
    };
    let entry = WalkEntry {
        kind,
        line: "étape",
        mark: &mark,
        escalated,
    };
    store.append_walk(call, "op", t0(), &entry).unwrap();
}

/// (procedure, version, state, reached, answered, said_solved) of each walk, in order.
type RecordRow = (String, String, String, i64, i64, Option<i64>);

fn walk_records(store: &Store) -> Vec<RecordRow> {
    store
        .db
        .query_vec(
            "SELECT procedure, version, state, reached, answered, said_solved \
             FROM walk_records ORDER BY id",
            &[],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            },
        )
        .unwrap()
}

fn record(state: &str, reached: i64, answered: i64, solved: Option<i64>) -> RecordRow {
    (
        "essai".into(),
        "2+abcdef01".into(),
        state.into(),
        reached,
        answered,
        solved,
    )
}

on_both_engines! {
    fn every_walk_is_recorded_with_its_version_steps_and_end(store) {
        let done = store.insert_proposed_call(
            &new_call("Zoé", "mi", "noemi", "op", t0()),
            &["essai".into(), "autre".into(), "essai".into(), "troisieme".into(), "quatrieme".into()],
        ).unwrap().reference;
        walk_move(&mut store, done, JournalKind::Procedure, &[], Some("a"), false);
        walk_move(&mut store, done, JournalKind::Step, &["a"], Some("b"), false);
        // Back to a and forward again: each step counts once per walk.
        walk_move(&mut store, done, JournalKind::Step, &[], Some("a"), false);
        walk_move(&mut store, done, JournalKind::Step, &["a"], Some("b"), false);
        walk_move(&mut store, done, JournalKind::Step, &["a", "b"], None, false);
        let handed = store.insert_call(&new_call("Paul", "mi", "noemi", "op", t0())).unwrap().reference;
        walk_move(&mut store, handed, JournalKind::Procedure, &[], Some("a"), false);
        walk_move(&mut store, handed, JournalKind::Step, &["a", "c"], None, true);
        let left = store.insert_call(&new_call("Léa", "mi", "noemi", "op", t0())).unwrap().reference;
        walk_move(&mut store, left, JournalKind::Procedure, &[], Some("a"), false);
        let open = store.insert_call(&new_call("Max", "mi", "noemi", "op", t0())).unwrap().reference;
        walk_move(&mut store, open, JournalKind::Procedure, &[], Some("a"), false);
        store.close_call(left, "op", t0(), Outcome::Abandoned, None).unwrap();
        store.answer_solved(done, "op", t0(), "essai", false).unwrap();
        store.answer_solved(done, "op", t0(), "essai", true).unwrap();
        assert_eq!(
            walk_records(&store),
            [
                record("completed", 2, 2, Some(1)),
                record("escalated", 2, 2, None),
                record("abandoned", 1, 0, None),
                record("in_progress", 1, 0, None),
            ]
        );
        let proposed: Vec<(i64, String)> = store
            .db
            .query_vec(
                "SELECT rank, procedure FROM call_proposals WHERE call_id = ?1 ORDER BY rank",
                args![done.0],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(
            proposed,
            [(1, "essai".into()), (2, "autre".into()), (3, "troisieme".into())],
            "the first three procedures proposed, best first, each once"
        );
        let journal = store.get_call(done).unwrap().journal;
        assert_eq!(journal.last().unwrap().text, "[essai] résolu : oui");
    }
}

on_both_engines! {
    fn a_flag_goes_with_the_walk_and_its_journal_and_needs_one(store) {
        let call = store.insert_call(&new_call("Zoé", "mi", "noemi", "op", t0())).unwrap().reference;
        let refused = store.flag_step(call, "op", t0(), "essai", "a", "texte flou");
        assert_eq!(
            refused.unwrap_err().to_string(),
            "aucun déroulé de la procédure « essai » sur l'appel A-0001"
        );
        walk_move(&mut store, call, JournalKind::Procedure, &[], Some("a"), false);
        store.flag_step(call, "op", t0(), "essai", "a", "texte flou").unwrap();
        let flags = store.step_flags(Some("essai"), 10).unwrap();
        assert_eq!(
            flags,
            [StepFlag {
                call,
                procedure: "essai".into(),
                version: "2+abcdef01".into(),
                step: "a".into(),
                note: "texte flou".into(),
                operator: "op".into(),
                at: t0(),
            }]
        );
        let journal = store.get_call(call).unwrap().journal;
        assert_eq!(journal.last().unwrap().text, "[essai] étape a à revoir : texte flou");
        assert_eq!(
            store.answer_solved(CallRef(99), "op", t0(), "essai", true).unwrap_err().to_string(),
            "aucun appel « A-0099 » dans cette base"
        );
    }
}

on_both_engines! {
    fn walk_records_are_added_to_never_changed(store) {
        let call = store.insert_proposed_call(
            &new_call("Zoé", "mi", "noemi", "op", t0()),
            &["essai".into()],
        ).unwrap().reference;
        walk_move(&mut store, call, JournalKind::Procedure, &[], Some("a"), false);
        walk_move(&mut store, call, JournalKind::Step, &["a"], None, false);
        store.flag_step(call, "op", t0(), "essai", "a", "").unwrap();
        store.answer_solved(call, "op", t0(), "essai", true).unwrap();
        for table in ["call_proposals", "walks", "walk_steps", "walk_ends", "walk_answers", "step_flags"] {
            for sql in [format!("UPDATE {table} SET id = id"), format!("DELETE FROM {table}")] {
                let refused = store.db.execute(&sql, &[]);
                assert!(
                    refused.as_ref().is_err_and(|e| e.to_string().contains("append-only")),
                    "{sql}: {refused:?}"
                );
            }
        }
        assert_eq!(store.check().unwrap(), Vec::<String>::new());
    }
}

#[test]
fn the_walks_journaled_before_the_records_are_read_into_them() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.db");
    {
        let conn = sqlite_at_schema(&path, 20);
        let at = t0().timestamp();
        for (id, status, closed) in [
            (1, "closed", Some(at + 60)),
            (2, "open", None),
            (3, "closed", Some(at + 60)),
        ] {
            conn.execute(
                "INSERT INTO calls (id, opened_at, closed_at, operator, caller_name, service, \
                 device, summary, status, search_key, handler) VALUES (?1, ?2, ?3, 'op', 'Zoé', \
                 'mi', 'noemi', 'VPN', ?4, 'zoe', 'op')",
                rusqlite::params![id, at, closed, status],
            )
            .unwrap();
        }
        let line = |call: i64, kind: &str, body: &str, walk: Option<&str>| {
            conn.execute(
                "INSERT INTO journal (call_id, at, operator, kind, body, walk) \
                 VALUES (?1, ?2, 'op', ?3, ?4, ?5)",
                rusqlite::params![call, at, kind, body, walk],
            )
            .unwrap();
        };
        // A walk completed (with a step the call answered), one in progress, one escalated
        // (its outcome line after its last move), a mark written before versions were kept.
        line(
            1,
            "procedure",
            "essai",
            Some(r#"{"procedure":"essai","version":"v1","done":[],"current":"a"}"#),
        );
        line(
            1,
            "step",
            "a",
            Some(
                r#"{"procedure":"essai","version":"v1","done":["a","s"],"current":"b","skipped":{"s":"périmètre"}}"#,
            ),
        );
        line(
            1,
            "step",
            "b",
            Some(
                r#"{"procedure":"essai","version":"v1","done":["a","s","b"],"current":null,"skipped":{"s":"périmètre"}}"#,
            ),
        );
        line(
            2,
            "procedure",
            "essai",
            Some(r#"{"procedure":"essai","done":[],"current":"a"}"#),
        );
        line(
            3,
            "procedure",
            "essai",
            Some(r#"{"procedure":"essai","version":"v1","done":[],"current":"a"}"#),
        );
        line(
            3,
            "step",
            "a",
            Some(r#"{"procedure":"essai","version":"v1","done":["a","c"],"current":null}"#),
        );
        line(3, "outcome", "escalated", None);
        line(3, "note", "illisible", Some("{pas du json"));
    }
    let store = Store::open(&path).unwrap();
    let rows: Vec<(i64, String, String, i64, i64)> = store
        .db
        .query_vec(
            "SELECT call_id, version, state, reached, answered FROM walk_records ORDER BY id",
            &[],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .unwrap();
    assert_eq!(
        rows,
        [
            (1, "v1".into(), "completed".into(), 2, 2),
            (2, String::new(), "in_progress".into(), 1, 0),
            (3, "v1".into(), "escalated".into(), 2, 2),
        ]
    );
}

#[test]
fn the_walks_journaled_on_a_server_before_the_records_are_read_into_them() {
    let db = scratch::ScratchDb::new();
    {
        let mut client = db.target().connect().unwrap();
        client
            .batch_execute(
                "CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, \
                 applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
            )
            .unwrap();
        for (version, name, sql) in super::migrations::postgres_migrations()
            .iter()
            .filter(|(v, _, _)| *v <= 9)
        {
            client.batch_execute(sql).unwrap();
            client
                .execute(
                    "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                    &[version, name],
                )
                .unwrap();
        }
        let at = unix_now() - 60;
        // A call and its lines in one transaction, as the server asks: a walk that
        // escalated (its outcome line after its last move), then one left open.
        let mut tx = client.transaction().unwrap();
        tx.execute(
            "INSERT INTO calls (id, opened_at, operator, caller_name, service, device, summary, \
             status, search_key, handler) VALUES (1, $1, 'op', 'Zoé', 'mi', 'noemi', 'VPN', \
             'open', 'zoe', 'op')",
            &[&at],
        )
        .unwrap();
        for (kind, body, walk) in [
            ("opened", "VPN", None),
            (
                "procedure",
                "essai",
                Some(r#"{"procedure":"essai","version":"v1","done":[],"current":"a"}"#),
            ),
            (
                "step",
                "a",
                Some(r#"{"procedure":"essai","version":"v1","done":["a","c"],"current":null}"#),
            ),
            ("outcome", "escalated", None),
            (
                "procedure",
                "autre",
                Some(r#"{"procedure":"autre","version":"v2","done":[],"current":"x"}"#),
            ),
        ] {
            tx.execute(
                "INSERT INTO journal (call_id, operator, kind, body, walk) VALUES (1, 'op', $1, $2, $3)",
                &[&kind, &body, &walk],
            )
            .unwrap();
        }
        tx.commit().unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect_with_drafts(
        db.target(),
        &FileAccess::default(),
        &dir.path().join("drafts.db"),
    )
    .unwrap();
    let rows: Vec<(String, String, String, i64, i64)> = store
        .db
        .query_vec(
            "SELECT procedure, version, state, reached, answered FROM walk_records ORDER BY id",
            &[],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .unwrap();
    assert_eq!(
        rows,
        [
            ("essai".into(), "v1".into(), "escalated".into(), 2, 2),
            ("autre".into(), "v2".into(), "in_progress".into(), 1, 0),
        ]
    );
}

/// (procedure, count) and (procedure, version, step, reached, answered) counted from the
/// rows themselves, joined to their calls: what the totals must always give.
type Counted = (Vec<(String, u64)>, Vec<(String, String, String, u64, u64)>);

fn counted_from_rows(store: &Store, window: &FigureWindow) -> Counted {
    let (cond, values) = window.calls();
    let mut proposed: Vec<(String, u64)> = store
        .db
        .query_vec(
            &format!(
                "SELECT p.procedure, count(*) FROM call_proposals p \
                 JOIN calls c ON c.id = p.call_id WHERE {cond} GROUP BY p.procedure"
            ),
            &values,
            |r| Ok((r.get(0)?, r.get::<i64>(1)? as u64)),
        )
        .unwrap();
    proposed.sort();
    let mut steps: Vec<(String, String, String, u64, u64)> = store
        .db
        .query_vec(
            &format!(
                "SELECT w.procedure, w.version, s.step, \
                 CAST(sum(1 - s.answered) AS BIGINT), CAST(sum(s.answered) AS BIGINT) \
                 FROM walk_steps s JOIN walks w ON w.id = s.walk_id \
                 JOIN calls c ON c.id = w.call_id WHERE {cond} \
                 GROUP BY w.procedure, w.version, s.step"
            ),
            &values,
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get::<i64>(3)? as u64,
                    r.get::<i64>(4)? as u64,
                ))
            },
        )
        .unwrap();
    steps.sort();
    (proposed, steps)
}

/// What `walk_figures` gives of the proposals and steps, as [`counted_from_rows`] does.
fn summed(store: &Store, window: &FigureWindow) -> Counted {
    let figures = store.walk_figures(window, 86_400).unwrap();
    let mut proposed = figures.proposed;
    proposed.sort();
    let mut steps: Vec<_> = figures
        .steps
        .into_iter()
        .map(|s| (s.procedure, s.version, s.step, s.reached, s.answered))
        .collect();
    steps.sort();
    (proposed, steps)
}

on_both_engines! {
    fn the_totals_give_what_the_rows_count_for_any_period(store) {
        // Calls around midnights and the boundaries of the totals' blocks of 32 days, in
        // two services, each proposed two procedures and walking one of them a step or
        // two further than the one before.
        let block = Utc.timestamp_opt(647 * 32 * 86_400, 0).unwrap(); // 2026-09-08
        let d = 86_400;
        let offsets = [
            -40 * d, -32 * d - 1, -32 * d, -3_600, -1, 0, 1, 43_200, 86_399, 86_400, 86_401,
            2 * d + 60, 32 * d - 1, 32 * d, 33 * d + 5, 40 * d,
        ];
        for (i, offset) in offsets.iter().enumerate() {
            let at = block + Duration::seconds(*offset);
            let service = if i % 3 == 0 { "mtes" } else { "mi" };
            let slug = if i % 2 == 0 { "essai" } else { "autre" };
            let call = store
                .insert_proposed_call(
                    &new_call("Zoé", service, "noemi", "op", at),
                    &[slug.into(), "troisieme".into()],
                )
                .unwrap()
                .reference;
            let steps = ["a", "b", "c"];
            let done = &steps[..i % 3];
            let mark = crate::domain::walk::WalkMark {
                procedure: slug.into(),
                version: Some(format!("v{}", i % 2)),
                done: done.iter().map(|s| s.to_string()).collect(),
                current: Some(steps[i % 3].to_string()),
                ..Default::default()
            };
            let entry = WalkEntry { kind: JournalKind::Procedure, line: "étape", mark: &mark, escalated: false };
            store.append_walk(call, "op", at, &entry).unwrap();
        }
        let totals: i64 = store
            .db
            .query_one("SELECT count(*) FROM step_totals", &[], |r| r.get(0))
            .unwrap()
            .unwrap();
        assert!(totals > 0, "the triggers keep the totals");
        // A copy into an empty store of the same engine counts the totals of what it wrote.
        let (_server, _dir, mut copy) = empty_store_like(&store);
        store.copy_to(&mut copy).unwrap();
        // Counted again a few calls at a time, the pages' counts added up.
        let tx = copy.db.begin().unwrap();
        tx.batch("DELETE FROM proposal_totals; DELETE FROM step_totals").unwrap();
        walk_records::count_totals_by(&tx, 3).unwrap();
        tx.commit().unwrap();
        let times = [
            -41 * d, -32 * d, -d, -1, 0, 1, 43_200, 86_400, 86_401, 31 * d, 32 * d, 33 * d, 41 * d,
        ];
        for from in times {
            for to in times.iter().filter(|to| **to >= from) {
                for service in [None, Some("mi".to_string())] {
                    // A bound within a second too: calls are stored to the second.
                    for nanos in [0, 500_000_000] {
                        let window = FigureWindow {
                            from: block + Duration::seconds(from) + Duration::nanoseconds(nanos),
                            to: block + Duration::seconds(*to) + Duration::nanoseconds(nanos),
                            service: service.clone(),
                        };
                        let counted = counted_from_rows(&store, &window);
                        assert_eq!(summed(&store, &window), counted, "{window:?}");
                        assert_eq!(summed(&copy, &window), counted, "copied: {window:?}");
                    }
                }
            }
        }
    }
}

/// Each call's first later call from its number, as the calls themselves say: what
/// `call_returns` must hold.
fn returns_from_calls(store: &Store) -> Vec<(i64, i64)> {
    store
        .db
        .query_vec(
            "SELECT c.id, min(n.opened_at) FROM calls c JOIN calls n \
             ON n.caller_phone = c.caller_phone AND n.opened_at > c.opened_at \
             GROUP BY c.id ORDER BY c.id",
            &[],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap()
}

fn returns_kept(store: &Store) -> Vec<(i64, i64)> {
    store
        .db
        .query_vec(
            "SELECT call_id, next_at FROM call_returns ORDER BY call_id",
            &[],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap()
}

on_both_engines! {
    fn each_calls_next_call_from_its_number_is_kept_in_whatever_order_calls_are_written(store) {
        // Three numbers and calls without one, written out of the order of their openings,
        // two calls of one number in the same second (neither is the other's next).
        let h = Duration::hours;
        let written = [
            (Some("06 11"), h(0)),
            (Some("06 22"), h(1)),
            (Some("06 11"), h(48)),
            (None, h(2)),
            (Some("06 11"), h(24)),
            (Some("06 11"), h(24)),
            (Some("06 33"), h(5)),
            (Some("06 22"), h(0)),
            (Some("06 11"), h(72)),
            (None, h(3)),
            (Some("06 11"), h(12)),
            (Some("06 22"), h(1)),
        ];
        for (phone, offset) in written {
            let mut call = new_call("Zoé", "mi", "noemi", "op", t0() + offset);
            call.caller_phone = phone.map(str::to_string);
            store.insert_call(&call).unwrap();
        }
        let expected = returns_from_calls(&store);
        assert_eq!(expected.len(), 6, "{expected:?}");
        assert_eq!(returns_kept(&store), expected, "kept by the trigger");
        // A copy into an empty store of the same engine writes them for the calls it copied.
        let (_server, _dir, mut copy) = empty_store_like(&store);
        store.copy_to(&mut copy).unwrap();
        assert_eq!(returns_kept(&copy), expected, "copied");
        // Written again a few calls at a time.
        let tx = copy.db.begin().unwrap();
        tx.batch("DELETE FROM call_returns").unwrap();
        report_totals::count_returns_by(&tx, 5).unwrap();
        tx.commit().unwrap();
        assert_eq!(returns_kept(&copy), expected, "counted by pages");
        // And the copy keeps them as calls come.
        let mut call = new_call("Zoé", "mi", "noemi", "op", t0() + h(6));
        call.caller_phone = Some("06 11".into());
        copy.insert_call(&call).unwrap();
        assert_eq!(returns_kept(&copy), returns_from_calls(&copy));
    }
}

#[test]
fn a_desk_of_schema_23_gets_its_callers_next_calls() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.db");
    let at = t0().timestamp();
    {
        let conn = sqlite_at_schema(&path, 23);
        // Closed but 6; 4 walked: the holes are 1, 2, 3 and 5.
        for (id, phone, opened, summary) in [
            (1, Some("06 11"), at, "VPN bleu"),
            (2, Some("06 11"), at + 86_400, "VPN bleu"),
            (3, None, at + 60, "imprimante"),
            (4, Some("06 22"), at + 30, "VPN bleu"),
            (5, Some("06 11"), at + 50, "VPN bleu"),
            (6, Some("06 22"), at + 30, "VPN bleu"),
        ] {
            let (status, closed) = if id == 6 {
                ("open", None)
            } else {
                ("closed", Some(opened + 60))
            };
            conn.execute(
                "INSERT INTO calls (id, opened_at, closed_at, operator, caller_name, caller_phone, \
                 service, device, summary, status, search_key, handler) VALUES (?1, ?2, ?3, 'op', \
                 'Zoé', ?4, 'mi', 'noemi', ?5, ?6, 'zoe', 'op')",
                rusqlite::params![id, opened, closed, phone, summary, status],
            )
            .unwrap();
        }
        conn.execute(
            "INSERT INTO walks (call_id, procedure, version, started_at, operator) \
             VALUES (4, 'essai', 'v1', ?1, 'op')",
            rusqlite::params![at + 40],
        )
        .unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(returns_kept(&store), [(1, at + 50), (5, at + 86_400)]);
    assert_eq!(returns_kept(&store), returns_from_calls(&store));
    let whole = FigureWindow {
        from: t0() - Duration::days(40),
        to: t0() + Duration::days(40),
        service: None,
    };
    let holes = store.walk_figures(&whole, 86_400).unwrap().unfollowed;
    assert_eq!(
        holes,
        [
            Unfollowed {
                summary: "VPN bleu".into(),
                calls: 3,
                first: vec![CallRef(1), CallRef(2), CallRef(5)]
            },
            Unfollowed {
                summary: "imprimante".into(),
                calls: 1,
                first: vec![CallRef(3)]
            },
        ]
    );
    assert_eq!(holes, holes_from_calls(&store, &whole));
}

/// A client of the scratch database `db`, its schema built by PostgreSQL's migrations up to
/// `version` (as a server an older guichet made).
fn server_at_schema(db: &scratch::ScratchDb, version: i64) -> ::postgres::Client {
    let mut client = db.target().connect().unwrap();
    client
        .batch_execute(
            "CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, \
             applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
        )
        .unwrap();
    for (v, name, sql) in super::migrations::postgres_migrations()
        .iter()
        .filter(|(v, _, _)| *v <= version)
    {
        client.batch_execute(sql).unwrap();
        client
            .execute(
                "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                &[v, name],
            )
            .unwrap();
    }
    client
}

/// Writes a call (« VPN », closed a minute after its opening when `closed`) with its line in
/// one transaction, as the server asks, with a walk of « essai » (its id the call's) when
/// `walked`.
fn server_call(
    client: &mut ::postgres::Client,
    id: i64,
    phone: Option<&str>,
    opened: i64,
    closed: bool,
    walked: bool,
) {
    let (status, closed_at) = if closed {
        ("closed", Some(opened + 60))
    } else {
        ("open", None)
    };
    let mut tx = client.transaction().unwrap();
    tx.execute(
        "INSERT INTO calls (id, opened_at, closed_at, operator, caller_name, caller_phone, \
         service, device, summary, status, search_key, handler) VALUES ($1, $2, $3, 'op', \
         'Zoé', $4, 'mi', 'noemi', 'VPN', $5, 'zoe', 'op')",
        &[&id, &opened, &closed_at, &phone, &status],
    )
    .unwrap();
    tx.execute(
        "INSERT INTO journal (call_id, operator, kind, body) VALUES ($1, 'op', 'opened', 'VPN')",
        &[&id],
    )
    .unwrap();
    if walked {
        tx.execute(
            "INSERT INTO walks (id, call_id, procedure, version, started_at, operator) \
             VALUES ($1, $1, 'essai', 'v1', $2, 'op')",
            &[&id, &opened],
        )
        .unwrap();
    }
    tx.commit().unwrap();
}

#[test]
fn a_server_of_schema_12_gets_its_callers_next_calls() {
    let db = scratch::ScratchDb::new();
    let at = unix_now() - 3_600;
    {
        let mut client = server_at_schema(&db, 12);
        // Each call with its line, in one transaction, as the server asks. Closed but 5; 4
        // walked: the holes are 1, 2 and 3.
        for (id, phone, opened) in [
            (1_i64, Some("06 11"), at),
            (2, Some("06 11"), at + 600),
            (3, None, at + 60),
            (4, Some("06 22"), at + 30),
            (5, Some("06 11"), at + 50),
        ] {
            server_call(&mut client, id, phone, opened, id != 5, id == 4);
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect_with_drafts(
        db.target(),
        &FileAccess::default(),
        &dir.path().join("drafts.db"),
    )
    .unwrap();
    assert_eq!(returns_kept(&store), [(1, at + 50), (5, at + 600)]);
    assert_eq!(returns_kept(&store), returns_from_calls(&store));
    let whole = FigureWindow {
        from: crate::domain::time::from_unix(at - 40 * 86_400),
        to: crate::domain::time::from_unix(at + 40 * 86_400),
        service: None,
    };
    let holes = store.walk_figures(&whole, 86_400).unwrap().unfollowed;
    assert_eq!(
        holes,
        [Unfollowed {
            summary: "VPN".into(),
            calls: 3,
            first: vec![CallRef(1), CallRef(2), CallRef(3)]
        }]
    );
    assert_eq!(holes, holes_from_calls(&store, &whole));
}

/// The calls of `window` closed without a procedure followed, by summary, with their first
/// three, as the calls themselves say: what the holes' totals must give.
fn holes_from_calls(store: &Store, window: &FigureWindow) -> Vec<Unfollowed> {
    let (cond, values) = window.calls();
    let rows: Vec<(i64, String)> = store
        .db
        .query_vec(
            &format!(
                "SELECT c.id, c.summary FROM calls c WHERE {cond} AND c.status = 'closed' \
                 AND NOT EXISTS (SELECT 1 FROM walks w WHERE w.call_id = c.id) ORDER BY c.id"
            ),
            &values,
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let mut by_summary: std::collections::BTreeMap<String, Vec<CallRef>> = Default::default();
    for (id, summary) in rows {
        by_summary.entry(summary).or_default().push(CallRef(id));
    }
    by_summary
        .into_iter()
        .map(|(summary, calls)| Unfollowed {
            summary,
            calls: calls.len() as u64,
            first: calls.into_iter().take(HOLE_FIRST).collect(),
        })
        .collect()
}

on_both_engines! {
    fn the_holes_give_what_the_calls_say_for_any_period(store) {
        // Calls around midnights and the boundaries of the blocks of 32 days, in two
        // services, saying one of three summaries; most closed, some walked before their
        // closing, some after (no longer holes, among the first three of their summary or
        // not), some left open.
        let block = Utc.timestamp_opt(647 * 32 * 86_400, 0).unwrap(); // 2026-09-08
        let d = 86_400;
        let offsets = [
            -40 * d, -32 * d - 1, -32 * d, -3_600, -1, 0, 1, 2, 3, 43_200, 86_399, 86_400, 86_401,
            86_402, 2 * d + 60, 32 * d - 1, 32 * d, 32 * d + 1, 33 * d + 5, 40 * d,
        ];
        let walk = |store: &mut Store, call: CallRef, at: DateTime<Utc>| {
            let mark = crate::domain::walk::WalkMark {
                procedure: "essai".into(),
                version: Some("v1".into()),
                current: Some("a".into()),
                ..Default::default()
            };
            let entry = WalkEntry { kind: JournalKind::Procedure, line: "étape", mark: &mark, escalated: false };
            store.append_walk(call, "op", at, &entry).unwrap();
        };
        let mut closed_then_walked = Vec::new();
        for (i, offset) in offsets.iter().enumerate() {
            let at = block + Duration::seconds(*offset);
            let service = if i % 3 == 0 { "mtes" } else { "mi" };
            let mut new = new_call("Zoé", service, "noemi", "op", at);
            new.summary = ["Imprimante bloquée", "VPN bleu", "écran noir"][i % 3 % 2 + i % 2].into();
            let call = store.insert_call(&new).unwrap().reference;
            if i % 5 == 4 {
                walk(&mut store, call, at);
            }
            if i % 7 != 6 {
                store.close_call(call, "op", at + Duration::seconds(60), Outcome::Resolved, None).unwrap();
            }
            if i % 6 == 1 || i == 6 {
                closed_then_walked.push((call, at + Duration::seconds(120)));
            }
        }
        // Walked after their closing: written last, as a later walk on an older call is.
        for (call, at) in closed_then_walked {
            walk(&mut store, call, at);
        }
        let kept: i64 = store
            .db
            .query_one("SELECT count(*) FROM hole_totals WHERE calls > 0", &[], |r| r.get(0))
            .unwrap()
            .unwrap();
        assert!(kept > 0, "the triggers keep the holes");
        let (_server, _dir, mut copy) = empty_store_like(&store);
        store.copy_to(&mut copy).unwrap();
        let times = [
            -41 * d, -32 * d, -d, -1, 0, 1, 2, 43_200, 86_400, 86_401, 31 * d, 32 * d, 33 * d, 41 * d,
        ];
        for from in times {
            for to in times.iter().filter(|to| **to >= from) {
                for service in [None, Some("mi".to_string())] {
                    for nanos in [0, 500_000_000] {
                        let window = FigureWindow {
                            from: block + Duration::seconds(from) + Duration::nanoseconds(nanos),
                            to: block + Duration::seconds(*to) + Duration::nanoseconds(nanos),
                            service: service.clone(),
                        };
                        let said = holes_from_calls(&store, &window);
                        assert_eq!(store.walk_figures(&window, d).unwrap().unfollowed, said, "{window:?}");
                        assert_eq!(copy.walk_figures(&window, d).unwrap().unfollowed, said, "copied: {window:?}");
                    }
                }
            }
        }
        // Counted again from the calls, as the migration does: the same rows.
        // (span, start, service, summary, calls, the first three as text).
        let rows = |s: &Store| -> Vec<(i64, i64, String, String, i64, String)> {
            s.db.query_vec(
                "SELECT span, start, service, summary, calls, \
                 coalesce(CAST(first1 AS TEXT), '') || ' ' || coalesce(CAST(first2 AS TEXT), '') \
                 || ' ' || coalesce(CAST(first3 AS TEXT), '') FROM hole_totals \
                 WHERE calls > 0 ORDER BY span, start, service, summary",
                &[],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
            )
            .unwrap()
        };
        let kept = rows(&store);
        let tx = store.db.begin().unwrap();
        tx.batch("DELETE FROM hole_totals").unwrap();
        report_totals::count_holes(&tx).unwrap();
        tx.commit().unwrap();
        assert_eq!(rows(&store), kept, "counted by the migration's statement");
    }
}

/// One row of `walk_facts`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Fact {
    walk: i64,
    call: i64,
    opened: i64,
    service: String,
    procedure: String,
    version: String,
    has_number: i64,
    ended: i64,
    solved: Option<i64>,
    next_at: Option<i64>,
    closed: i64,
    outcome: Option<String>,
    handling: Option<i64>,
}

fn fact_of(r: &super::db::Row<'_>) -> super::db::DbResult<Fact> {
    Ok(Fact {
        walk: r.get(0)?,
        call: r.get(1)?,
        opened: r.get(2)?,
        service: r.get(3)?,
        procedure: r.get(4)?,
        version: r.get(5)?,
        has_number: r.get(6)?,
        ended: r.get(7)?,
        solved: r.get(8)?,
        next_at: r.get(9)?,
        closed: r.get(10)?,
        outcome: r.get(11)?,
        handling: r.get(12)?,
    })
}

/// What each walk's row must say, as the walks, their ends and answers and the calls
/// themselves say it (the next call looked for among the calls, not in call_returns).
fn facts_from_rows(store: &Store) -> Vec<Fact> {
    store
        .db
        .query_vec(
            "SELECT w.id, c.id, c.opened_at, c.service, w.procedure, w.version, \
             CASE WHEN c.caller_phone IS NULL THEN 0 ELSE 1 END, \
             CASE (SELECT e.state FROM walk_ends e WHERE e.walk_id = w.id) \
                  WHEN 'escalated' THEN 2 WHEN 'completed' THEN 1 ELSE 0 END, \
             (SELECT a.solved FROM walk_answers a WHERE a.walk_id = w.id \
              AND a.id = (SELECT max(b.id) FROM walk_answers b WHERE b.walk_id = w.id)), \
             (SELECT min(n.opened_at) FROM calls n WHERE n.caller_phone = c.caller_phone \
              AND n.opened_at > c.opened_at), \
             CASE WHEN c.status = 'closed' THEN 1 ELSE 0 END, c.outcome, \
             c.closed_at - c.opened_at \
             FROM walks w JOIN calls c ON c.id = w.call_id ORDER BY w.id",
            &[],
            fact_of,
        )
        .unwrap()
}

fn facts_kept(store: &Store) -> Vec<Fact> {
    store
        .db
        .query_vec(
            "SELECT walk_id, call_id, opened_at, service, procedure, version, has_number, \
             ended, solved, next_at, closed, outcome, handling FROM walk_facts ORDER BY walk_id",
            &[],
            fact_of,
        )
        .unwrap()
}

/// A walk of `procedure` on the call: started, or ended (`escalated` or completed).
fn fact_walk(
    store: &mut Store,
    call: CallRef,
    at: DateTime<Utc>,
    procedure: &str,
    end: Option<bool>,
) {
    let mark = crate::domain::walk::WalkMark {
        procedure: procedure.into(),
        version: Some("v1".into()),
        done: if end.is_some() {
            vec!["a".into()]
        } else {
            Vec::new()
        },
        current: if end.is_some() {
            None
        } else {
            Some("a".into())
        },
        ..Default::default()
    };
    let kind = if end.is_some() {
        JournalKind::Step
    } else {
        JournalKind::Procedure
    };
    let entry = WalkEntry {
        kind,
        line: "étape",
        mark: &mark,
        escalated: end == Some(true),
    };
    store.append_walk(call, "op", at, &entry).unwrap();
}

on_both_engines! {
    fn each_walks_facts_are_kept_in_whatever_order_rows_are_written(store) {
        let h = Duration::hours;
        let call = |store: &mut Store, phone: Option<&str>, offset: Duration| {
            let mut new = new_call("Zoé", "mi", "noemi", "op", t0() + offset);
            new.caller_phone = phone.map(str::to_string);
            store.insert_call(&new).unwrap().reference
        };
        // A call walked twice (two procedures), one ended, both answered, the first answer
        // changed; closed after the walks.
        let first = call(&mut store, Some("06 11"), h(0));
        fact_walk(&mut store, first, t0() + h(0), "essai", None);
        fact_walk(&mut store, first, t0() + h(0) + Duration::minutes(1), "autre", None);
        fact_walk(&mut store, first, t0() + h(0) + Duration::minutes(2), "essai", Some(false));
        store.answer_solved(first, "op", t0() + h(0) + Duration::minutes(3), "essai", false).unwrap();
        store.answer_solved(first, "op", t0() + h(0) + Duration::minutes(4), "essai", true).unwrap();
        store.answer_solved(first, "op", t0() + h(0) + Duration::minutes(4), "autre", false).unwrap();
        assert_eq!(facts_kept(&store), facts_from_rows(&store), "before the closing");
        store.close_call(first, "op", t0() + h(0) + Duration::minutes(5), Outcome::Resolved, None).unwrap();
        // The caller calls back two days later: the walks' next call.
        let back = call(&mut store, Some("06 11"), h(48));
        assert_eq!(facts_kept(&store), facts_from_rows(&store), "called back");
        // A call written later but opened between the two: the first call's next is sooner.
        let between = call(&mut store, Some("06 11"), h(24));
        fact_walk(&mut store, between, t0() + h(24), "essai", None);
        fact_walk(&mut store, between, t0() + h(24) + Duration::minutes(1), "essai", Some(true));
        assert_eq!(facts_kept(&store), facts_from_rows(&store), "a call written out of order");
        // A walk on a call that is already closed and already has its next call; a call
        // without a number; a walk left open.
        store.close_call(back, "op", t0() + h(49), Outcome::Callback, None).unwrap();
        let earlier = call(&mut store, Some("06 11"), h(-1));
        store.close_call(earlier, "op", t0() + h(-1) + Duration::minutes(2), Outcome::Escalated, None).unwrap();
        fact_walk(&mut store, earlier, t0() + h(50), "essai", None);
        let anonymous = call(&mut store, None, h(3));
        fact_walk(&mut store, anonymous, t0() + h(3), "autre", None);
        store.answer_solved(anonymous, "op", t0() + h(3), "autre", true).unwrap();
        let expected = facts_from_rows(&store);
        assert_eq!(expected.len(), 5, "{expected:?}");
        assert!(expected.iter().any(|f| f.ended == 2) && expected.iter().any(|f| f.ended == 1));
        assert!(expected.iter().any(|f| f.solved == Some(1)));
        assert!(expected.iter().any(|f| f.solved == Some(0)));
        assert!(expected.iter().any(|f| f.next_at == Some((t0() + h(24)).timestamp())));
        assert!(expected.iter().any(|f| f.has_number == 0 && f.closed == 0));
        assert_eq!(facts_kept(&store), expected, "kept by the triggers");
        // A copy into an empty store of the same engine writes them after the rows.
        let (_server, _dir, mut copy) = empty_store_like(&store);
        store.copy_to(&mut copy).unwrap();
        assert_eq!(facts_kept(&copy), expected, "copied");
        // Written again a few walks at a time, as the migration does.
        let tx = copy.db.begin().unwrap();
        tx.batch("DELETE FROM walk_facts").unwrap();
        report_totals::count_walk_facts_by(&tx, 4).unwrap();
        tx.commit().unwrap();
        assert_eq!(facts_kept(&copy), expected, "counted by pages");
        // And the copy keeps them as rows come.
        let again = call(&mut copy, Some("06 11"), h(-2));
        fact_walk(&mut copy, again, t0() + h(51), "essai", Some(true));
        copy.close_call(again, "op", t0() + h(52), Outcome::Resolved, None).unwrap();
        assert_eq!(facts_kept(&copy), facts_from_rows(&copy), "the copy keeps them");
    }
}

#[test]
fn a_desk_of_schema_24_gets_its_walk_facts() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.db");
    let at = t0().timestamp();
    {
        let conn = sqlite_at_schema(&path, 24);
        for (id, phone, opened, closed) in [
            (1, Some("06 11"), at, Some(at + 60)),
            (2, Some("06 11"), at + 86_400, None),
            (3, None, at + 60, Some(at + 200)),
        ] {
            let status = if closed.is_some() { "closed" } else { "open" };
            conn.execute(
                "INSERT INTO calls (id, opened_at, closed_at, operator, caller_name, caller_phone, \
                 service, device, summary, status, outcome, search_key, handler) VALUES (?1, ?2, ?3, \
                 'op', 'Zoé', ?4, 'mi', 'noemi', 'VPN', ?5, CASE WHEN ?5 = 'closed' THEN 'resolved' \
                 END, 'zoe', 'op')",
                rusqlite::params![id, opened, closed, phone, status],
            )
            .unwrap();
        }
        conn.execute_batch(&format!(
            "INSERT INTO walks (id, call_id, procedure, version, started_at, operator) VALUES \
             (1, 1, 'essai', 'v1', {at}, 'op'), (2, 1, 'autre', '', {at}, 'op'), \
             (3, 3, 'essai', 'v2', {at}, 'op'), (4, 2, 'essai', 'v2', {at}, 'op'); \
             INSERT INTO walk_ends (walk_id, at, state) VALUES (1, {at}, 'completed'), \
             (3, {at}, 'escalated'); \
             INSERT INTO walk_answers (walk_id, solved, operator, at) VALUES (1, 0, 'op', {at}), \
             (1, 1, 'op', {at}), (3, 0, 'op', {at});"
        ))
        .unwrap();
    }
    let store = Store::open(&path).unwrap();
    let kept = facts_kept(&store);
    assert_eq!(kept.len(), 4);
    assert_eq!(kept, facts_from_rows(&store));
    assert_eq!(
        (
            kept[0].ended,
            kept[0].solved,
            kept[0].next_at,
            kept[0].handling
        ),
        (1, Some(1), Some(at + 86_400), Some(60))
    );
    assert_eq!(
        (kept[2].has_number, kept[2].ended, kept[2].solved),
        (0, 2, Some(0))
    );
}

#[test]
fn a_server_of_schema_13_gets_its_walk_facts() {
    let db = scratch::ScratchDb::new();
    let at = unix_now() - 3_600;
    {
        let mut client = server_at_schema(&db, 13);
        // Calls 1 and 3 walked, 2 open.
        for (id, phone, opened) in [
            (1_i64, Some("06 11"), at),
            (2, Some("06 11"), at + 600),
            (3, None, at + 60),
        ] {
            server_call(&mut client, id, phone, opened, id != 2, id != 2);
        }
        client
            .batch_execute(&format!(
                "INSERT INTO walk_ends (walk_id, at, state) VALUES (1, {at}, 'escalated'); \
                 INSERT INTO walk_answers (walk_id, solved, operator, at) VALUES \
                 (3, 1, 'op', {at}), (3, 0, 'op', {at});"
            ))
            .unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect_with_drafts(
        db.target(),
        &FileAccess::default(),
        &dir.path().join("drafts.db"),
    )
    .unwrap();
    let kept = facts_kept(&store);
    assert_eq!(kept.len(), 2);
    assert_eq!(kept, facts_from_rows(&store));
    assert_eq!(
        (kept[0].ended, kept[0].solved, kept[0].next_at),
        (2, None, Some(at + 600))
    );
    assert_eq!(
        (kept[1].has_number, kept[1].ended, kept[1].solved),
        (0, 0, Some(0))
    );
}
