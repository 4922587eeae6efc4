//! Numbered SQL files from `db/migrations/`, applied in order inside one transaction each,
//! recorded in `schema_migrations` and in `PRAGMA user_version`.

use super::{Result, Store, StoreError};
use rusqlite::TransactionBehavior;

/// (version, name, SQL), in order. Adding a file here is the whole of a schema change.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "0001_calls",
        include_str!("../../db/migrations/0001_calls.sql"),
    ),
    (
        2,
        "0002_procedures",
        include_str!("../../db/migrations/0002_procedures.sql"),
    ),
    (
        3,
        "0003_walks",
        include_str!("../../db/migrations/0003_walks.sql"),
    ),
    (
        4,
        "0004_handover",
        include_str!("../../db/migrations/0004_handover.sql"),
    ),
    (
        5,
        "0005_handler",
        include_str!("../../db/migrations/0005_handler.sql"),
    ),
    (
        6,
        "0006_search_postings",
        include_str!("../../db/migrations/0006_search_postings.sql"),
    ),
    (
        7,
        "0007_console_drafts",
        include_str!("../../db/migrations/0007_console_drafts.sql"),
    ),
    (
        8,
        "0008_call_search",
        include_str!("../../db/migrations/0008_call_search.sql"),
    ),
    (
        9,
        "0009_procedure_bodies",
        include_str!("../../db/migrations/0009_procedure_bodies.sql"),
    ),
    (
        10,
        "0010_call_search_merged",
        include_str!("../../db/migrations/0010_call_search_merged.sql"),
    ),
];

pub const LATEST_VERSION: i64 = MIGRATIONS[MIGRATIONS.len() - 1].0;

fn user_version(store: &Store) -> Result<i64> {
    store
        .conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(|e| store.err(e))
}

/// What the file holds, read before anything is written to it: the schema version of a
/// guichet database (0 for an empty file, which becomes one). A file with tables but no
/// `schema_migrations` belongs to another program, and one from a newer guichet cannot be
/// read by this one: both are refused as they are.
pub(super) fn inspect(store: &Store) -> Result<i64> {
    let found = user_version(store)?;
    let (tables, ours): (i64, bool) = store
        .conn
        .query_row(
            "SELECT count(*), coalesce(sum(type = 'table' AND name = 'schema_migrations'), 0) > 0 \
             FROM sqlite_master",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .map_err(|e| store.err(e))?;
    if !ours {
        return if tables == 0 && found == 0 {
            Ok(0)
        } else {
            Err(StoreError::NotGuichet {
                path: store.path.clone(),
            })
        };
    }
    if found > LATEST_VERSION {
        return Err(StoreError::NewerSchema {
            path: store.path.clone(),
            found,
            known: LATEST_VERSION,
        });
    }
    Ok(found)
}

/// A read-only database must already have the current schema: it cannot be migrated.
pub(super) fn require_current(store: &Store, found: i64) -> Result<()> {
    if found == 0 {
        return Err(StoreError::Empty {
            path: store.path.clone(),
        });
    }
    if found < LATEST_VERSION {
        return Err(StoreError::ReadOnlyOutdated {
            path: store.path.clone(),
            found,
        });
    }
    Ok(())
}

pub(super) fn migrate(store: &mut Store) -> Result<()> {
    if user_version(store)? == LATEST_VERSION {
        return Ok(());
    }
    let path = store.path.clone();
    let err = |source| StoreError::sqlite(&path, source);
    // IMMEDIATE takes the write lock first, so two processes opening a fresh file at once
    // do not both apply the same migration: the second waits, then sees it done.
    let tx = store
        .conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(err)?;
    tx.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version    INTEGER PRIMARY KEY,
             name       TEXT NOT NULL,
             applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
         )",
    )
    .map_err(err)?;
    let current: i64 = tx
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
        tx.execute_batch(sql).map_err(err)?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name) VALUES (?1, ?2)",
            rusqlite::params![version, name],
        )
        .map_err(err)?;
        tx.pragma_update(None, "user_version", version)
            .map_err(err)?;
    }
    tx.commit().map_err(err)
}
