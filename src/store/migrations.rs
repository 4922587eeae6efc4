//! Numbered SQL files from `db/migrations/<engine>/`, applied in order inside one
//! transaction, recorded in `schema_migrations` (and on SQLite in `PRAGMA user_version`).
//! A store whose schema is newer than this version knows is refused untouched, with the
//! same sentence on both engines.

use super::db::{Engine, args};
use super::{Result, Store, StoreError};

/// (version, name, SQL), in order. Adding a file here is the whole of a schema change
/// (and one for each engine).
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "0001_calls",
        include_str!("../../db/migrations/sqlite/0001_calls.sql"),
    ),
    (
        2,
        "0002_procedures",
        include_str!("../../db/migrations/sqlite/0002_procedures.sql"),
    ),
    (
        3,
        "0003_walks",
        include_str!("../../db/migrations/sqlite/0003_walks.sql"),
    ),
    (
        4,
        "0004_handover",
        include_str!("../../db/migrations/sqlite/0004_handover.sql"),
    ),
    (
        5,
        "0005_handler",
        include_str!("../../db/migrations/sqlite/0005_handler.sql"),
    ),
    (
        6,
        "0006_search_postings",
        include_str!("../../db/migrations/sqlite/0006_search_postings.sql"),
    ),
    (
        7,
        "0007_console_drafts",
        include_str!("../../db/migrations/sqlite/0007_console_drafts.sql"),
    ),
    (
        8,
        "0008_call_search",
        include_str!("../../db/migrations/sqlite/0008_call_search.sql"),
    ),
    (
        9,
        "0009_procedure_bodies",
        include_str!("../../db/migrations/sqlite/0009_procedure_bodies.sql"),
    ),
    (
        10,
        "0010_call_search_merged",
        include_str!("../../db/migrations/sqlite/0010_call_search_merged.sql"),
    ),
    (
        11,
        "0011_procedure_words",
        include_str!("../../db/migrations/sqlite/0011_procedure_words.sql"),
    ),
    (
        12,
        "0012_phone",
        include_str!("../../db/migrations/sqlite/0012_phone.sql"),
    ),
    (
        13,
        "0013_glpi",
        include_str!("../../db/migrations/sqlite/0013_glpi.sql"),
    ),
    (
        14,
        "0014_phone_links",
        include_str!("../../db/migrations/sqlite/0014_phone_links.sql"),
    ),
    (
        15,
        "0015_aside_drafts",
        include_str!("../../db/migrations/sqlite/0015_aside_drafts.sql"),
    ),
    (
        16,
        "0016_calls_keep_record",
        include_str!("../../db/migrations/sqlite/0016_calls_keep_record.sql"),
    ),
    (
        17,
        "0017_record_by_the_server",
        include_str!("../../db/migrations/sqlite/0017_record_by_the_server.sql"),
    ),
    (
        18,
        "0018_procedure_terms",
        include_str!("../../db/migrations/sqlite/0018_procedure_terms.sql"),
    ),
    (
        19,
        "0019_glpi_once",
        include_str!("../../db/migrations/sqlite/0019_glpi_once.sql"),
    ),
    (
        20,
        "0020_call_search_folded",
        include_str!("../../db/migrations/sqlite/0020_call_search_folded.sql"),
    ),
    (
        21,
        "0021_walk_records",
        include_str!("../../db/migrations/sqlite/0021_walk_records.sql"),
    ),
    (
        22,
        "0022_walk_lessons",
        include_str!("../../db/migrations/sqlite/0022_walk_lessons.sql"),
    ),
    (
        23,
        "0023_walk_totals",
        include_str!("../../db/migrations/sqlite/0023_walk_totals.sql"),
    ),
    (
        24,
        "0024_returns_and_holes",
        include_str!("../../db/migrations/sqlite/0024_returns_and_holes.sql"),
    ),
    (
        25,
        "0025_walk_facts",
        include_str!("../../db/migrations/sqlite/0025_walk_facts.sql"),
    ),
];

/// The version after whose SQL the calls already stored get their folded search text
/// (by guichet's own folding, which SQL does not have) and are indexed again.
const SQLITE_REFOLD_AFTER: i64 = 20;

/// PostgreSQL's migrations: its store began in the shape SQLite's reached at 0011.
const POSTGRES_MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "0001_desk",
        include_str!("../../db/migrations/postgres/0001_desk.sql"),
    ),
    (
        2,
        "0002_phone",
        include_str!("../../db/migrations/postgres/0002_phone.sql"),
    ),
    (
        3,
        "0003_glpi",
        include_str!("../../db/migrations/postgres/0003_glpi.sql"),
    ),
    (
        4,
        "0004_phone_links",
        include_str!("../../db/migrations/postgres/0004_phone_links.sql"),
    ),
    (
        5,
        "0005_calls_keep_record",
        include_str!("../../db/migrations/postgres/0005_calls_keep_record.sql"),
    ),
    (
        6,
        "0006_record_by_the_server",
        include_str!("../../db/migrations/postgres/0006_record_by_the_server.sql"),
    ),
    (
        7,
        "0007_procedure_terms",
        include_str!("../../db/migrations/postgres/0007_procedure_terms.sql"),
    ),
    (
        8,
        "0008_glpi_once",
        include_str!("../../db/migrations/postgres/0008_glpi_once.sql"),
    ),
    (
        9,
        "0009_call_search_folded",
        include_str!("../../db/migrations/postgres/0009_call_search_folded.sql"),
    ),
    (
        10,
        "0010_walk_records",
        include_str!("../../db/migrations/postgres/0010_walk_records.sql"),
    ),
    (
        11,
        "0011_walk_lessons",
        include_str!("../../db/migrations/postgres/0011_walk_lessons.sql"),
    ),
    (
        12,
        "0012_walk_totals",
        include_str!("../../db/migrations/postgres/0012_walk_totals.sql"),
    ),
    (
        13,
        "0013_returns_and_holes",
        include_str!("../../db/migrations/postgres/0013_returns_and_holes.sql"),
    ),
    (
        14,
        "0014_walk_facts",
        include_str!("../../db/migrations/postgres/0014_walk_facts.sql"),
    ),
];

/// The versions after whose SQL the walks already journaled are read into the walk
/// records' tables (see `walk_records::backfill`), on SQLite and on PostgreSQL.
const SQLITE_WALKS_AFTER: i64 = 21;
const POSTGRES_WALKS_AFTER: i64 = 10;

/// The versions after whose SQL the report's totals of the rows already stored are counted
/// (see `walk_records::count_totals`), on SQLite and on PostgreSQL.
const SQLITE_TOTALS_AFTER: i64 = 23;
const POSTGRES_TOTALS_AFTER: i64 = 12;

/// The versions after whose SQL the next call of each call already stored is written (see
/// `report_totals::count_returns`), on SQLite and on PostgreSQL.
const SQLITE_RETURNS_AFTER: i64 = 24;
const POSTGRES_RETURNS_AFTER: i64 = 13;

/// The versions after whose SQL each walk already stored gets the row the report reads (see
/// `report_totals::count_walk_facts`), on SQLite and on PostgreSQL.
const SQLITE_FACTS_AFTER: i64 = 25;
const POSTGRES_FACTS_AFTER: i64 = 14;

/// The SQLite migrations, for a test that builds a file of an older schema.
#[cfg(test)]
pub(super) fn sqlite_migrations() -> &'static [(i64, &'static str, &'static str)] {
    MIGRATIONS
}

/// The PostgreSQL migrations, for a test that builds a database of an older schema.
#[cfg(test)]
pub(super) fn postgres_migrations() -> &'static [(i64, &'static str, &'static str)] {
    POSTGRES_MIGRATIONS
}

/// The schema this version writes on SQLite.
pub const LATEST_VERSION: i64 = MIGRATIONS[MIGRATIONS.len() - 1].0;
/// The schema this version writes on PostgreSQL.
pub const POSTGRES_LATEST_VERSION: i64 = POSTGRES_MIGRATIONS[POSTGRES_MIGRATIONS.len() - 1].0;

/// The newest schema this version knows for the store's engine.
pub fn latest(engine: Engine) -> i64 {
    match engine {
        Engine::Sqlite => LATEST_VERSION,
        Engine::Postgres => POSTGRES_LATEST_VERSION,
    }
}

/// The schema version a store has now.
pub(super) fn current_version(store: &Store) -> Result<i64> {
    match store.engine() {
        Engine::Sqlite => user_version(store),
        Engine::Postgres => store
            .db
            .query_one(
                "SELECT coalesce(max(version), 0) FROM schema_migrations",
                &[],
                |r| r.get(0),
            )
            .map(Option::unwrap_or_default)
            .map_err(|e| store.err(e)),
    }
}

fn user_version(store: &Store) -> Result<i64> {
    store
        .sqlite()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(|e| store.err(e))
}

/// What the file holds, read before anything is written to it: the schema version of a
/// guichet database (0 for an empty file, which becomes one). A file with tables but no
/// `schema_migrations` belongs to another program, and one from a newer guichet cannot be
/// read by this one: both are refused as they are.
/// SQLSTATE 42P01: the table named does not exist.
const UNDEFINED_TABLE: &str = "42P01";

/// A PostgreSQL database without `schema_migrations`: its tables counted, to tell an empty
/// database (made ours) from another application's (refused).
fn look_further(store: &Store) -> Result<(i64, bool, i64)> {
    let (tables, ours): (i64, i64) = store
        .db
        .query_one(
            "SELECT count(*), \
                 coalesce(sum(CASE WHEN table_name = 'schema_migrations' THEN 1 ELSE 0 END), 0) \
                 FROM information_schema.tables WHERE table_schema = current_schema()",
            &[],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .map_err(|e| store.err(e))?
        .unwrap_or_default();
    let found = if ours > 0 { current_version(store)? } else { 0 };
    Ok((tables, ours > 0, found))
}

pub(super) fn inspect(store: &Store) -> Result<i64> {
    let (tables, ours, found) = match store.engine() {
        Engine::Sqlite => {
            let found = user_version(store)?;
            let (tables, ours): (i64, bool) = store
                .sqlite()
                .query_row(
                    "SELECT count(*), \
                     coalesce(sum(type = 'table' AND name = 'schema_migrations'), 0) > 0 \
                     FROM sqlite_master",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .map_err(|e| store.err(e))?;
            (tables, ours, found)
        }
        Engine::Postgres => {
            // The common case in one cheap statement: every command connects anew, and
            // information_schema costs a fresh server process a few milliseconds of CPU
            // to plan. Only a database without the table is looked at further.
            match store.db.query_one(
                "SELECT coalesce(max(version), 0) FROM schema_migrations",
                &[],
                |r| r.get::<i64>(0),
            ) {
                Ok(found) => (1, true, found.unwrap_or_default()),
                Err(e) if e.sql_state() == Some(UNDEFINED_TABLE) => look_further(store)?,
                Err(e) => return Err(store.err(e)),
            }
        }
    };
    if !ours {
        return if tables == 0 && found == 0 {
            Ok(0)
        } else if store.engine() == Engine::Postgres {
            Err(StoreError::NotGuichetServer {
                path: store.name.clone(),
            })
        } else {
            Err(StoreError::NotGuichet {
                path: store.name.clone(),
            })
        };
    }
    let known = latest(store.engine());
    if found > known {
        return Err(StoreError::NewerSchema {
            path: store.name.clone(),
            found,
            known,
        });
    }
    Ok(found)
}

/// A read-only database must already have the current schema: it cannot be migrated.
pub(super) fn require_current(store: &Store, found: i64) -> Result<()> {
    if found == 0 {
        return Err(StoreError::Empty {
            path: store.name.clone(),
        });
    }
    if found < latest(store.engine()) {
        return Err(StoreError::ReadOnlyOutdated {
            path: store.name.clone(),
            found,
        });
    }
    Ok(())
}

pub(super) fn migrate(store: &mut Store) -> Result<()> {
    match store.engine() {
        Engine::Sqlite => migrate_sqlite(store),
        Engine::Postgres => migrate_postgres(store),
    }
}

/// The server's migrations, in one transaction that holds an advisory lock: consoles of
/// several sites starting on a new database apply them once.
fn migrate_postgres(store: &mut Store) -> Result<()> {
    let err = |e| store.err(e);
    if store
        .db
        .query_one(
            "SELECT 1 FROM information_schema.tables \
         WHERE table_schema = current_schema() AND table_name = 'schema_migrations'",
            &[],
            |_| Ok(()),
        )
        .map_err(err)?
        .is_some()
        && current_version(store)? == POSTGRES_LATEST_VERSION
    {
        return Ok(());
    }
    let tx = store.db.begin().map_err(err)?;
    tx.batch(
        "SELECT pg_advisory_xact_lock(7468657231);
         CREATE TABLE IF NOT EXISTS schema_migrations (
             version    BIGINT PRIMARY KEY,
             name       TEXT NOT NULL,
             applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
         )",
    )
    .map_err(err)?;
    let current: i64 = tx
        .query_one(
            "SELECT coalesce(max(version), 0) FROM schema_migrations",
            &[],
            |r| r.get(0),
        )
        .map_err(err)?
        .unwrap_or_default();
    if current > POSTGRES_LATEST_VERSION {
        return Err(StoreError::NewerSchema {
            path: store.name.clone(),
            found: current,
            known: POSTGRES_LATEST_VERSION,
        });
    }
    for (version, name, sql) in POSTGRES_MIGRATIONS.iter().filter(|(v, _, _)| *v > current) {
        tx.batch(sql).map_err(err)?;
        if *version == POSTGRES_WALKS_AFTER {
            super::walk_records::backfill(&tx).map_err(err)?;
        }
        if *version == POSTGRES_TOTALS_AFTER {
            super::walk_records::count_totals(&tx).map_err(err)?;
        }
        if *version == POSTGRES_RETURNS_AFTER {
            super::report_totals::count_returns(&tx).map_err(err)?;
            super::report_totals::count_holes(&tx).map_err(err)?;
        }
        if *version == POSTGRES_FACTS_AFTER {
            super::report_totals::count_walk_facts(&tx).map_err(err)?;
        }
        tx.execute(
            "INSERT INTO schema_migrations (version, name) VALUES (?1, ?2)",
            args![*version, *name],
        )
        .map_err(err)?;
    }
    tx.commit().map_err(err)
}

/// Writes every stored call's search text by the project's folding and indexes it again
/// (the index was emptied by 0020), one call at a time: a desk of a million calls is read
/// once, not held in memory.
fn refold_calls(tx: &rusqlite::Connection) -> rusqlite::Result<()> {
    let mut read = tx.prepare("SELECT id, caller_name, caller_phone, summary FROM calls")?;
    let mut write = tx.prepare("UPDATE calls SET search_text = ?2 WHERE id = ?1")?;
    let mut index = tx.prepare(
        "INSERT INTO call_search (rowid, text) VALUES (?1, ?2 || ' a-' || printf('%04d', ?1))",
    )?;
    let mut rows = read.query([])?;
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        let name: String = row.get(1)?;
        let phone: Option<String> = row.get(2)?;
        let summary: String = row.get(3)?;
        let text = super::calls::search_text_of(&name, phone.as_deref(), &summary);
        write.execute(rusqlite::params![id, text])?;
        index.execute(rusqlite::params![id, text])?;
    }
    Ok(())
}

fn migrate_sqlite(store: &mut Store) -> Result<()> {
    if user_version(store)? == LATEST_VERSION {
        return Ok(());
    }
    let path = store.name.clone();
    let err = |source| StoreError::sqlite(&path, source);
    let db_err = |source| StoreError::db(&path, source);
    // IMMEDIATE takes the write lock first (`Db::begin`), so two processes opening a fresh
    // file at once do not both apply the same migration: the second waits, then sees it
    // done.
    let tx = store.db.begin().map_err(db_err)?;
    let Some(conn) = tx.sqlite() else {
        unreachable!("SQLite migrations on an SQLite store")
    };
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version    INTEGER PRIMARY KEY,
             name       TEXT NOT NULL,
             applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
         )",
    )
    .map_err(err)?;
    let current: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(err)?;
    if current > LATEST_VERSION {
        return Err(StoreError::NewerSchema {
            path: path.clone(),
            found: current,
            known: LATEST_VERSION,
        });
    }
    for (version, name, sql) in MIGRATIONS.iter().filter(|(v, _, _)| *v > current) {
        conn.execute_batch(sql).map_err(err)?;
        if *version == SQLITE_REFOLD_AFTER {
            refold_calls(conn).map_err(err)?;
        }
        if *version == SQLITE_WALKS_AFTER {
            super::walk_records::backfill(&tx).map_err(db_err)?;
        }
        if *version == SQLITE_TOTALS_AFTER {
            super::walk_records::count_totals(&tx).map_err(db_err)?;
        }
        if *version == SQLITE_RETURNS_AFTER {
            super::report_totals::count_returns(&tx).map_err(db_err)?;
            super::report_totals::count_holes(&tx).map_err(db_err)?;
        }
        if *version == SQLITE_FACTS_AFTER {
            super::report_totals::count_walk_facts(&tx).map_err(db_err)?;
        }
        conn.execute(
            "INSERT INTO schema_migrations (version, name) VALUES (?1, ?2)",
            rusqlite::params![version, name],
        )
        .map_err(err)?;
        conn.pragma_update(None, "user_version", version)
            .map_err(err)?;
    }
    tx.commit().map_err(db_err)
}
