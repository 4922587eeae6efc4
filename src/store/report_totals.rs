//! What `report procedures` reads instead of every call (migrations 0024 on SQLite, 0013 on
//! PostgreSQL), kept by triggers as calls and walks are written:
//!
//! - `call_returns`: for a call with a number, the opening of the first call from the same
//!   number opened after it, so that « resolved on first contact » is read with each walk's
//!   call instead of looked for in the index of numbers per walk;
//! - `hole_totals`: the calls closed without any procedure followed, by span of their
//!   openings (the spans of the totals of 0023 / 0012), service and summary: how many and
//!   their first three;
//! - `walk_facts` (migrations 0025 / 0014): what the report reads of each walk in one row
//!   (its end, its last « résolu ? » answer, its call's next call and what its call became),
//!   instead of joining the walks to their calls, ends, answers and next calls.
//!
//! Here: the same for the rows already stored, when the migration runs and after a copy
//! (which writes the rows with those triggers lifted), and the read of the holes.

use super::conn::Tx;
use super::db::{DbResult, args};
use crate::domain::call::CallRef;
use std::collections::HashMap;

/// How many calls [`count_returns`] reads per statement: each stays short (a server's store
/// gives a statement ten seconds) on any desk.
const PAGE: i64 = 20_000;

/// The spans of the totals (0023 / 0012, and the holes of 0024 / 0013), in seconds, as the
/// migrations floor them: UTC days, and blocks of 32 days from 1970-01-01.
pub(super) const DAY: i64 = 86_400;
pub(super) const BLOCK: i64 = 32 * DAY;

/// How many of the first calls of a summary the holes keep (`first1` to `first3`).
pub const HOLE_FIRST: usize = 3;

/// Writes the next call of every stored call that has one, into an empty `call_returns`.
pub(super) fn count_returns(tx: &Tx<'_>) -> DbResult<()> {
    count_returns_by(tx, PAGE)
}

/// Runs `each` with the bounds `(after, upto]` of the ids of `table`, `page` ids at a time,
/// up to the largest: each statement stays short on any desk.
pub(super) fn by_pages(
    tx: &Tx<'_>,
    table: &str,
    page: i64,
    mut each: impl FnMut(i64, i64) -> DbResult<()>,
) -> DbResult<()> {
    let last = tx
        .query_one(
            &format!("SELECT coalesce(max(id), 0) FROM {table}"),
            &[],
            |r| r.get::<i64>(0),
        )?
        .unwrap_or_default();
    let mut after = 0;
    while after < last {
        each(after, after + page)?;
        after += page;
    }
    Ok(())
}

/// [`count_returns`], `page` calls at a time.
pub(super) fn count_returns_by(tx: &Tx<'_>, page: i64) -> DbResult<()> {
    by_pages(tx, "calls", page, |after, upto| {
        tx.execute(
            "INSERT INTO call_returns (call_id, next_at) \
             SELECT later.id, later.next_at FROM (SELECT c.id, \
                 (SELECT min(n.opened_at) FROM calls n WHERE n.caller_phone = c.caller_phone \
                  AND n.opened_at > c.opened_at) AS next_at \
             FROM calls c WHERE c.id > ?1 AND c.id <= ?2 AND c.caller_phone IS NOT NULL) later \
             WHERE later.next_at IS NOT NULL",
            args![after, upto],
        )
        .map(|_| ())
    })
}

/// Writes the row of every stored walk into an empty `walk_facts` (after `call_returns` is
/// written): when the migration that made it runs, and after a copy.
pub(super) fn count_walk_facts(tx: &Tx<'_>) -> DbResult<()> {
    count_walk_facts_by(tx, PAGE)
}

/// [`count_walk_facts`], `page` walks at a time.
pub(super) fn count_walk_facts_by(tx: &Tx<'_>, page: i64) -> DbResult<()> {
    by_pages(tx, "walks", page, |after, upto| {
        tx.execute(
            "INSERT INTO walk_facts (walk_id, call_id, opened_at, service, procedure, version, \
             has_number, ended, solved, next_at, closed, outcome, handling) \
             SELECT w.id, c.id, c.opened_at, c.service, w.procedure, w.version, \
             CASE WHEN c.caller_phone IS NULL THEN 0 ELSE 1 END, \
             coalesce((SELECT CASE e.state WHEN 'escalated' THEN 2 ELSE 1 END \
                       FROM walk_ends e WHERE e.walk_id = w.id), 0), \
             (SELECT a.solved FROM walk_answers a WHERE a.walk_id = w.id \
              ORDER BY a.id DESC LIMIT 1), \
             (SELECT r.next_at FROM call_returns r WHERE r.call_id = c.id), \
             CASE WHEN c.status = 'closed' THEN 1 ELSE 0 END, c.outcome, \
             c.closed_at - c.opened_at \
             FROM walks w JOIN calls c ON c.id = w.call_id WHERE w.id > ?1 AND w.id <= ?2",
            args![after, upto],
        )
        .map(|_| ())
    })
}

/// Counts the holes of the calls stored into an empty `hole_totals`, a block of 32 days of
/// openings per statement: the days of a block are inside it, so each statement writes
/// whole rows.
pub(super) fn count_holes(tx: &Tx<'_>) -> DbResult<()> {
    let Some((first, last)) = tx
        .query_one(
            "SELECT min(opened_at), max(opened_at) FROM calls",
            &[],
            |r| Ok((r.get::<Option<i64>>(0)?, r.get::<Option<i64>>(1)?)),
        )?
        .and_then(|(f, l)| f.zip(l))
    else {
        return Ok(());
    };
    let start = "c.opened_at - ((c.opened_at % s.span) + s.span) % s.span";
    let sql = format!(
        "INSERT INTO hole_totals (span, start, service, summary, calls, first1, first2, first3) \
         SELECT span, start, service, summary, count(*), min(CASE WHEN nth = 1 THEN id END), \
         min(CASE WHEN nth = 2 THEN id END), min(CASE WHEN nth = 3 THEN id END) FROM ( \
             SELECT s.span, {start} AS start, c.service, c.summary, c.id, row_number() OVER ( \
                 PARTITION BY s.span, {start}, c.service, c.summary ORDER BY c.id) AS nth \
             FROM (SELECT {DAY} AS span UNION ALL SELECT {BLOCK}) s, calls c \
             WHERE c.opened_at >= ?1 AND c.opened_at < ?2 AND c.status = 'closed' \
             AND NOT EXISTS (SELECT 1 FROM walks w WHERE w.call_id = c.id)) h \
         GROUP BY span, start, service, summary"
    );
    let mut block = first - first.rem_euclid(BLOCK);
    while block <= last {
        tx.execute(&sql, args![block, block + BLOCK])?;
        block += BLOCK;
    }
    Ok(())
}

/// The calls closed without any procedure followed that said one summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unfollowed {
    pub summary: String,
    pub calls: u64,
    /// The first of them (smallest references), at most [`HOLE_FIRST`].
    pub first: Vec<CallRef>,
}

/// Adds up rows of (summary, calls, first references) — the totals of spans, and single
/// calls — by summary: one allocation per distinct summary, not per row.
#[derive(Default)]
pub(super) struct HoleSum(HashMap<String, (u64, Vec<CallRef>)>);

impl HoleSum {
    pub(super) fn add(&mut self, summary: &str, calls: i64, first: [Option<i64>; HOLE_FIRST]) {
        let add = |(n, refs): &mut (u64, Vec<CallRef>)| {
            *n += calls as u64;
            refs.extend(first.into_iter().flatten().map(CallRef));
            if refs.len() > HOLE_FIRST {
                refs.sort_unstable();
                refs.truncate(HOLE_FIRST);
            }
        };
        if let Some(entry) = self.0.get_mut(summary) {
            add(entry);
            return;
        }
        let mut entry = (0, Vec::new());
        add(&mut entry);
        self.0.insert(summary.to_string(), entry);
    }

    /// By summary, in its order; the summaries no call says any more are left out.
    pub(super) fn finish(self) -> Vec<Unfollowed> {
        let mut all: Vec<Unfollowed> = self
            .0
            .into_iter()
            .filter(|(_, (calls, _))| *calls > 0)
            .map(|(summary, (calls, mut first))| {
                first.sort_unstable();
                Unfollowed {
                    summary,
                    calls,
                    first,
                }
            })
            .collect();
        all.sort_unstable_by(|a, b| a.summary.cmp(&b.summary));
        all
    }
}
