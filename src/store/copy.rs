//! Moving a desk between engines (`guichet db copy`), and the PostgreSQL store's check:
//! both read the history the same way, and the journal's checksum says the copy holds,
//! byte for byte, what the original holds.

use super::conn::Db;
use super::db::{DbResult, Engine, Value};
use super::{Result, Store, StoreError, migrations};
use serde::Serialize;

/// What a copy moved, counted on both sides and checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CopyReport {
    pub from: String,
    pub to: String,
    pub calls: u64,
    pub journal: u64,
    pub phone_events: u64,
    /// Pushes to GLPI, sent or waiting (a waiting one is sent from the new store).
    pub glpi_outbox: u64,
    /// Phone calls taken on a call that was already open.
    pub phone_links: u64,
    /// Rows of what the walks teach: proposals, walks, their steps, ends, answers, flags.
    pub walk_records: u64,
    pub handover: u64,
    /// Procedures of the search index carried with the desk (0: the original had none;
    /// the target then builds its own from the catalogue).
    pub procedures: u64,
    /// The journal's checksum (FNV-1a, 64 bits, in hex), the same on both sides.
    pub journal_checksum: String,
}

/// The tables of the history, in the order a copy fills them (the journal refers to the
/// calls), each with its columns.
const TABLES: &[(&str, &[&str])] = &[
    (
        "calls",
        &[
            "id",
            "opened_at",
            "closed_at",
            "operator",
            "caller_name",
            "caller_phone",
            "caller_email",
            "service",
            "device",
            "summary",
            "status",
            "outcome",
            "search_key",
            "handler",
            "telephony_id",
            "handled_seconds",
            "glpi_ticket",
        ],
    ),
    (
        "journal",
        &[
            "id",
            "call_id",
            "at",
            "operator",
            "kind",
            "body",
            "walk",
            "session_role",
        ],
    ),
    (
        "handover_entries",
        &[
            "id",
            "at",
            "operator",
            "kind",
            "shift_name",
            "shift_from",
            "shift_to",
            "body",
        ],
    ),
    (
        "phone_events",
        &[
            "id",
            "at",
            "event",
            "telephony_id",
            "from_number",
            "to_number",
            "direction",
            "users",
            "answering_number",
            "cause",
        ],
    ),
    (
        "glpi_outbox",
        &[
            "id",
            "call_id",
            "queued_at",
            "operator",
            "after_entry",
            "through_entry",
            "state",
            "attempts",
            "claimed_at",
            "claimed_by",
            "last_error",
            "sent_at",
            "ticket",
            "doubt_after",
        ],
    ),
    (
        "phone_links",
        &[
            "id",
            "telephony_id",
            "call_id",
            "linked_at",
            "operator",
            "handled_seconds",
        ],
    ),
    // What the walks teach (migrations 0021, 0010): walks before their steps, ends,
    // answers and flags.
    ("call_proposals", &["id", "call_id", "rank", "procedure"]),
    (
        "walks",
        &[
            "id",
            "call_id",
            "procedure",
            "version",
            "started_at",
            "operator",
        ],
    ),
    ("walk_steps", &["id", "walk_id", "step", "answered", "at"]),
    ("walk_ends", &["id", "walk_id", "at", "state"]),
    (
        "walk_answers",
        &["id", "walk_id", "solved", "operator", "at"],
    ),
    (
        "step_flags",
        &["id", "walk_id", "step", "note", "operator", "at"],
    ),
];

/// Where the walk records' tables start in [`TABLES`].
const WALK_TABLES: usize = 6;

/// The procedure search index, each table with the columns that order its rows. Derived
/// data, but rebuilding it from 10,000 procedure files keeps a server's first console
/// waiting about 16 s: it moves with the desk, its catalogue's fingerprint with it, so that
/// consoles on the same catalogue find it in line.
const INDEX_TABLES: &[(&str, &[&str], &[&str])] = &[
    (
        "procedures",
        &["id", "slug", "title", "services", "devices", "body"],
        &["id"],
    ),
    ("procedure_terms", &["term", "postings"], &["term"]),
    ("catalog_state", &["id", "fingerprint"], &["id"]),
];

/// Which columns hold integers (the rest are text); the same on both engines.
fn is_integer(column: &str) -> bool {
    matches!(
        column,
        "id" | "opened_at"
            | "closed_at"
            | "call_id"
            | "at"
            | "shift_from"
            | "shift_to"
            | "handled_seconds"
            | "glpi_ticket"
            | "queued_at"
            | "after_entry"
            | "through_entry"
            | "attempts"
            | "claimed_at"
            | "sent_at"
            | "ticket"
            | "doubt_after"
            | "linked_at"
            | "rank"
            | "started_at"
            | "walk_id"
            | "answered"
            | "solved"
    )
}

/// Rows are moved this many at a time: memory stays flat at any size of desk.
const PAGE: i64 = 5_000;

/// FNV-1a over a stream of bytes: a checksum both sides compute alike, with no
/// dependency.
#[derive(Debug, Clone, Copy)]
struct Fnv(u64);

impl Fnv {
    fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    fn eat(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
    fn value(&mut self, v: &Value) {
        match v {
            Value::Null => self.eat(&[0]),
            Value::Int(n) => {
                self.eat(&[1]);
                self.eat(&n.to_le_bytes());
            }
            Value::Text(s) => {
                self.eat(&[2]);
                self.eat(&(s.len() as u64).to_le_bytes());
                self.eat(s.as_bytes());
            }
        }
    }
}

/// The rows of `table` after id `after`, at most `PAGE`, as values.
fn page(db: &Db, table: &str, columns: &[&str], after: i64) -> DbResult<Vec<Vec<Value>>> {
    keyed_page(db, table, columns, &["id"], &[Value::from(after)])
}

/// The rows of `table` in the order of its `key` columns, after the key `after` (none: from
/// the first), at most `PAGE`, as values.
fn keyed_page(
    db: &Db,
    table: &str,
    columns: &[&str],
    key: &[&str],
    after: &[Value],
) -> DbResult<Vec<Vec<Value>>> {
    let order = key.join(", ");
    let mut sql = format!("SELECT {} FROM {table}", columns.join(", "));
    if !after.is_empty() {
        let marks: Vec<String> = (1..=after.len()).map(|i| format!("?{i}")).collect();
        sql.push_str(&format!(" WHERE ({order}) > ({})", marks.join(", ")));
    }
    sql.push_str(&format!(" ORDER BY {order} LIMIT ?{}", after.len() + 1));
    let mut params = after.to_vec();
    params.push(Value::from(PAGE));
    db.query_vec(&sql, &params, |r| {
        columns
            .iter()
            .enumerate()
            .map(|(i, c)| {
                Ok(if is_integer(c) {
                    Value::from(r.get::<Option<i64>>(i)?)
                } else {
                    Value::from(r.get::<Option<String>>(i)?)
                })
            })
            .collect()
    })
}

fn count(db: &Db, table: &str) -> DbResult<u64> {
    let n: i64 = db
        .query_one(&format!("SELECT count(*) FROM {table}"), &[], |r| r.get(0))?
        .unwrap_or_default();
    Ok(n as u64)
}

/// The counts of the tables of history.
fn counts(db: &Db) -> DbResult<[u64; TABLES.len()]> {
    let mut all = [0; TABLES.len()];
    for (n, (table, _)) in TABLES.iter().enumerate() {
        all[n] = count(db, table)?;
    }
    Ok(all)
}

/// Each row's key: its values of the `key` columns.
fn key_of(row: &[Value], columns: &[&str], key: &[&str]) -> Vec<Value> {
    key.iter()
        .filter_map(|k| columns.iter().position(|c| c == k))
        .map(|i| row[i].clone())
        .collect()
}

/// Rows of each table of the procedure index, and the checksum of them all.
type IndexSummary = ([u64; INDEX_TABLES.len()], String);

/// Which side of a copy an error came from.
enum Side {
    Source(super::db::DbError),
    Target(super::db::DbError),
}

/// How many rows each table of the procedure index holds, and their checksum (every
/// column of every row, each table in its key's order).
fn index_summary(db: &Db) -> DbResult<IndexSummary> {
    let mut counts = [0; INDEX_TABLES.len()];
    let mut sum = Fnv::new();
    for (n, (table, columns, key)) in INDEX_TABLES.iter().enumerate() {
        let mut after = Vec::new();
        loop {
            let rows = keyed_page(db, table, columns, key, &after)?;
            let Some(last) = rows.last() else {
                break;
            };
            after = key_of(last, columns, key);
            counts[n] += rows.len() as u64;
            for row in &rows {
                for v in row {
                    sum.value(v);
                }
            }
        }
    }
    Ok((counts, format!("{:016x}", sum.0)))
}

/// The journal's checksum, read in id order.
fn journal_checksum(db: &Db) -> DbResult<String> {
    let (table, columns) = TABLES[1];
    let mut sum = Fnv::new();
    let mut after = 0;
    loop {
        let rows = page(db, table, columns, after)?;
        let Some(last) = rows.last() else {
            break;
        };
        if let Value::Int(id) = last[0] {
            after = id;
        }
        for row in &rows {
            for v in row {
                sum.value(v);
            }
        }
    }
    Ok(format!("{:016x}", sum.0))
}

impl Store {
    /// Copies every call, journal entry (with its times and operators) and handover entry
    /// of this store into `target`, which must be empty, and the procedure index with its
    /// catalogue's fingerprint (when this store has one; it replaces the target's): counts
    /// and checksums are compared on both sides before the copy is committed. The drafts
    /// are not copied (they belong to the consoles of a machine).
    pub fn copy_to(&self, target: &mut Store) -> Result<CopyReport> {
        if target.read_only {
            return Err(StoreError::ReadOnly {
                path: target.name.clone(),
            });
        }
        let source_err = |e| self.err(e);
        let target_name = target.name.clone();
        let target_err = |e| StoreError::db(&target_name, e);
        for (table, _) in TABLES {
            if count(&target.db, table).map_err(target_err)? > 0 {
                return Err(StoreError::CopyTargetNotEmpty {
                    path: target.name.clone(),
                    table: table.to_string(),
                });
            }
        }
        let tx = target.db.begin().map_err(target_err)?;
        if tx.engine() == Engine::Postgres {
            // Not while a console of the target rebuilds its index.
            tx.batch(&format!(
                "SELECT pg_advisory_xact_lock({})",
                super::procedures::INDEX_LOCK
            ))
            .map_err(target_err)?;
        }
        // A copy brings the history as it was written: its times, operators and roles.
        let lifted = super::record::lift_guards(&tx).map_err(target_err)?;
        let mut counts_read = [0u64; TABLES.len()];
        for (n, (table, columns)) in TABLES.iter().enumerate() {
            let mut after = 0;
            loop {
                let mut rows = page(&self.db, table, columns, after).map_err(source_err)?;
                let Some(last) = rows.last() else {
                    break;
                };
                if let Value::Int(id) = last[0] {
                    after = id;
                }
                counts_read[n] += rows.len() as u64;
                let mut columns = columns.to_vec();
                if *table == "calls" {
                    // The search text, from the same folding as a new call's.
                    columns.push("search_text");
                    for row in &mut rows {
                        let text = |i: usize| match &row[i] {
                            Value::Text(s) => s.clone(),
                            _ => String::new(),
                        };
                        let searched = super::calls::search_text_of(
                            &text(4),
                            Some(text(5)).filter(|p| !p.is_empty()).as_deref(),
                            &text(9),
                        );
                        row.push(Value::from(searched));
                    }
                }
                tx.bulk_insert(table, &columns, &mut rows.into_iter())
                    .map_err(target_err)?;
            }
        }
        if tx.engine() == Engine::Postgres {
            // New rows take ids after the copied ones.
            for (table, _) in TABLES {
                tx.batch(&format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
                     coalesce((SELECT max(id) FROM {table}), 0) + 1, false)"
                ))
                .map_err(target_err)?;
            }
        }
        // The report's totals, of the rows copied (their triggers were lifted with the guards).
        super::walk_records::count_totals(&tx).map_err(target_err)?;
        super::report_totals::count_returns(&tx).map_err(target_err)?;
        super::report_totals::count_holes(&tx).map_err(target_err)?;
        super::report_totals::count_walk_facts(&tx).map_err(target_err)?;
        let index_read = if count(&self.db, "catalog_state").map_err(source_err)? > 0 {
            Some(self.copy_index(&tx).map_err(|e| match e {
                Side::Source(e) => self.err(e),
                Side::Target(e) => StoreError::db(&target_name, e),
            })?)
        } else {
            None
        };
        // The desk's mark in GLPI moves with it: the pushes in doubt are looked up under
        // the marker they were sent with, and the tickets already made stay its own.
        let marker = super::glpi::desk_marker(&self.db).map_err(source_err)?;
        tx.execute(
            "UPDATE desk_identity SET marker = ?1 WHERE id = 1",
            super::db::args![marker],
        )
        .map_err(target_err)?;
        let from_sum = journal_checksum(&self.db).map_err(source_err)?;
        // Read back inside the transaction: nothing is kept unless it is all there.
        let copied = counts(&tx).map_err(target_err)?;
        let to_sum = journal_checksum(&tx).map_err(target_err)?;
        let index_copied = match &index_read {
            Some(_) => Some(index_summary(&tx).map_err(target_err)?),
            None => None,
        };
        if let (Some((read, read_sum)), Some((copied, copied_sum))) = (&index_read, &index_copied)
            && (read != copied || read_sum != copied_sum)
        {
            return Err(StoreError::CopyMismatch {
                path: target_name,
                detail: format!(
                    "index des procédures : lu {} procédures, {} mots (somme {read_sum}) ; \
                     écrit {}, {} (somme {copied_sum})",
                    read[0], read[1], copied[0], copied[1]
                ),
            });
        }
        if copied != counts_read || to_sum != from_sum {
            return Err(StoreError::CopyMismatch {
                path: target_name,
                detail: format!(
                    "lu {} appels, {} entrées de journal, {} entrées de relève, {} événements \
                     téléphoniques (somme {from_sum}) ; écrit {}, {}, {}, {} (somme {to_sum})",
                    counts_read[0],
                    counts_read[1],
                    counts_read[2],
                    counts_read[3],
                    copied[0],
                    copied[1],
                    copied[2],
                    copied[3]
                ),
            });
        }
        super::record::restore_guards(&tx, lifted).map_err(target_err)?;
        super::record::carry_journal_from(&self.db, &tx).map_err(target_err)?;
        tx.commit().map_err(target_err)?;
        let report = CopyReport {
            from: self.name.clone(),
            to: target_name,
            calls: counts_read[0],
            journal: counts_read[1],
            handover: counts_read[2],
            phone_events: counts_read[3],
            glpi_outbox: counts_read[4],
            phone_links: counts_read[5],
            walk_records: counts_read[WALK_TABLES..].iter().sum(),
            procedures: index_read.map_or(0, |(counts, _)| counts[0]),
            journal_checksum: from_sum,
        };
        Ok(report)
    }

    /// Replaces the target's procedure index with this store's, inside the copy's
    /// transaction: what was read, counted and summed as [`index_summary`] does.
    fn copy_index(&self, tx: &Db) -> std::result::Result<IndexSummary, Side> {
        tx.batch("DELETE FROM procedure_terms; DELETE FROM procedures; DELETE FROM catalog_state;")
            .map_err(Side::Target)?;
        let mut counts = [0; INDEX_TABLES.len()];
        let mut sum = Fnv::new();
        for (n, (table, columns, key)) in INDEX_TABLES.iter().enumerate() {
            let mut after = Vec::new();
            loop {
                let rows =
                    keyed_page(&self.db, table, columns, key, &after).map_err(Side::Source)?;
                let Some(last) = rows.last() else {
                    break;
                };
                after = key_of(last, columns, key);
                counts[n] += rows.len() as u64;
                for row in &rows {
                    for v in row {
                        sum.value(v);
                    }
                }
                tx.bulk_insert(table, columns, &mut rows.into_iter())
                    .map_err(Side::Target)?;
            }
        }
        Ok((counts, format!("{:016x}", sum.0)))
    }

    /// What is wrong with a PostgreSQL store: its schema's version, the server's guards
    /// (the triggers that keep history append-only, date and sign the journal and tell
    /// consoles of writes), the sequences (behind the ids, a copy would make new calls
    /// collide). The rows are checked by the record's rules (`record.rs`), on both engines.
    pub(super) fn check_postgres(&self) -> Result<Vec<String>> {
        let err = |e| self.err(e);
        let mut problems = Vec::new();
        let version = migrations::current_version(self)?;
        let known = migrations::latest(Engine::Postgres);
        if version != known {
            problems.push(format!("schéma {version}, cette version attend {known}"));
        }
        let present: Vec<(String, String)> = self
            .db
            .query_vec(
                "SELECT t.tgname, t.tgenabled::text FROM pg_trigger t \
                 JOIN pg_class c ON c.oid = t.tgrelid \
                 WHERE c.relnamespace = current_schema()::regnamespace AND NOT t.tgisinternal",
                &[],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(err)?;
        for name in [
            "calls_no_delete",
            "calls_no_truncate",
            "journal_no_update",
            "journal_no_truncate",
            "handover_no_update",
            "handover_no_truncate",
            "calls_search_text",
            "calls_notify",
            "journal_notify",
            "handover_notify",
            "phone_events_no_update",
            "phone_events_notify",
            "phone_links_notify",
            "calls_keep_record",
            "journal_by_the_server",
            "calls_in_time",
            "calls_journaled",
            "call_proposals_no_update",
            "call_proposals_no_truncate",
            "walks_no_update",
            "walks_no_truncate",
            "walk_steps_no_update",
            "walk_steps_no_truncate",
            "walk_ends_no_update",
            "walk_ends_no_truncate",
            "walk_answers_no_update",
            "walk_answers_no_truncate",
            "step_flags_no_update",
            "step_flags_no_truncate",
        ] {
            match present.iter().find(|(n, _)| n == name) {
                None => problems.push(format!("déclencheur {name} absent")),
                Some((_, enabled)) if enabled == "D" => {
                    problems.push(format!("déclencheur {name} désactivé"));
                }
                Some(_) => {}
            }
        }
        for (table, _) in TABLES {
            let behind: Option<i64> = self
                .db
                .query_one(
                    &format!(
                        "SELECT max(id) FROM {table} HAVING max(id) >= \
                         (SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END \
                          FROM {seq})",
                        seq = sequence_name(table)
                    ),
                    &[],
                    |r| r.get(0),
                )
                .map_err(err)?;
            if let Some(max) = behind {
                problems.push(format!(
                    "la séquence des identifiants de {table} est en retard sur {max} : \
                     les prochains enregistrements seraient refusés"
                ));
            }
        }
        Ok(problems)
    }
}

/// The identity sequence behind a table's ids (PostgreSQL names them so).
fn sequence_name(table: &str) -> String {
    format!("{table}_id_seq")
}
