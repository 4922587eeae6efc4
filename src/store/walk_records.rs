//! What the desk's walks teach, as rows (migrations 0021 on SQLite, 0010 on PostgreSQL):
//! the procedures the form proposed for a call, each walk with its version, the steps it
//! reached and answered, how it ended, the steps flagged « à revoir » and the « résolu ? »
//! answers. Written in the transaction of the journal line they come from; added to,
//! never changed. Read back by `report procedures` ([`Store::walk_figures`]).

use super::conn::{Db, Tx};
use super::db::{DbError, DbResult, Engine, Value, args};
use super::report_totals::{BLOCK, DAY, HoleSum, Unfollowed, by_pages};
use super::rows::{append, locked_call};
use super::{Result, Store, StoreError};
use crate::domain::call::{CallRef, JournalKind};
use crate::domain::walk::WalkMark;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Arc;

/// How many of the form's proposals are kept with a call: the ones an operator sees first.
pub const PROPOSALS_KEPT: usize = 3;

/// The longest note a flagged step keeps.
pub const FLAG_NOTE_MAX: usize = 200;

/// Records the form's first proposals for a call, best first (inside the call's insert);
/// a procedure named twice counts once.
pub(super) fn record_proposals(tx: &Tx<'_>, call: CallRef, proposed: &[String]) -> DbResult<()> {
    let mut seen = std::collections::HashSet::new();
    let distinct = proposed.iter().filter(|slug| seen.insert(slug.as_str()));
    for (rank, slug) in distinct.take(PROPOSALS_KEPT).enumerate() {
        tx.execute(
            "INSERT INTO call_proposals (call_id, rank, procedure) VALUES (?1, ?2, ?3) \
             ON CONFLICT DO NOTHING",
            args![call.0, rank as i64 + 1, slug.as_str()],
        )?;
    }
    Ok(())
}

/// The walk of `procedure` on the call the last move belongs to: the latest started.
fn current_walk(tx: &Tx<'_>, call: CallRef, procedure: &str) -> DbResult<Option<i64>> {
    tx.query_one(
        "SELECT max(id) FROM walks WHERE call_id = ?1 AND procedure = ?2",
        args![call.0, procedure],
        |r| r.get::<Option<i64>>(0),
    )
    .map(Option::flatten)
}

fn start_walk(
    tx: &Tx<'_>,
    call: CallRef,
    operator: &str,
    at: i64,
    mark: &WalkMark,
) -> DbResult<i64> {
    tx.query_one(
        "INSERT INTO walks (call_id, procedure, version, started_at, operator) \
         VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
        args![
            call.0,
            mark.procedure.as_str(),
            mark.version.as_deref().unwrap_or_default(),
            at,
            operator
        ],
        |r| r.get::<i64>(0),
    )
    .map(Option::unwrap_or_default)
}

/// One move of a walk, as the journal line `kind` carrying `mark` says it: a `procedure`
/// line starts a walk, any other continues the latest of that procedure on the call (or
/// starts one, for a walk begun before these rows were kept). The steps done and the one
/// shown are recorded once each; a mark with no step left ends the walk (`escalated`: by
/// a hand-off).
pub(super) fn record_move(
    tx: &Tx<'_>,
    call: CallRef,
    operator: &str,
    at: i64,
    kind: JournalKind,
    mark: &WalkMark,
    escalated: bool,
) -> DbResult<()> {
    let walk = match kind {
        JournalKind::Procedure => None,
        _ => current_walk(tx, call, &mark.procedure)?,
    };
    let walk = match walk {
        Some(id) => id,
        None => start_walk(tx, call, operator, at, mark)?,
    };
    let step = |id: &str, answered: i64| {
        tx.execute(
            "INSERT INTO walk_steps (walk_id, step, answered, at) VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT DO NOTHING",
            args![walk, id, answered, at],
        )
    };
    for id in mark
        .done
        .iter()
        .filter(|id| !mark.skipped.contains_key(*id))
    {
        step(id, 0)?;
        step(id, 1)?;
    }
    match &mark.current {
        Some(id) => {
            step(id, 0)?;
        }
        None if !mark.done.is_empty() => {
            let state = if escalated { "escalated" } else { "completed" };
            tx.execute(
                "INSERT INTO walk_ends (walk_id, at, state) VALUES (?1, ?2, ?3) \
                 ON CONFLICT DO NOTHING",
                args![walk, at, state],
            )?;
        }
        None => {}
    }
    Ok(())
}

/// How many journal lines the backfill reads at a time: memory stays flat on any desk.
const PAGE: i64 = 5_000;

/// Reads the walks already journaled into the rows (when the migration that made them
/// runs): every line with a walk mark, in order, an escalation known by the outcome line
/// its move wrote after it, in its transaction.
pub(super) fn backfill(tx: &Tx<'_>) -> DbResult<()> {
    type Line = (i64, i64, i64, String, String, Option<String>, String);
    let mut after = 0;
    let mut pending: Option<(CallRef, String, i64, JournalKind, WalkMark)> = None;
    loop {
        let lines: Vec<Line> = tx.query_vec(
            "SELECT id, call_id, at, operator, kind, walk, body FROM journal \
             WHERE id > ?1 AND (walk IS NOT NULL OR (kind = 'outcome' AND body = 'escalated')) \
             ORDER BY id LIMIT ?2",
            args![after, PAGE],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                ))
            },
        )?;
        let Some(last) = lines.last() else { break };
        after = last.0;
        for (_, call_id, at, operator, kind, walk, _) in lines {
            let call = CallRef(call_id);
            let escalation = walk.is_none();
            if let Some((c, op, a, k, mark)) = pending.take() {
                let escalated = escalation && c == call && mark.current.is_none();
                record_move(tx, c, &op, a, k, &mark, escalated)?;
            }
            let Some(json) = walk else { continue };
            // A mark this version cannot read is left out, as `last_walk` leaves it.
            let Ok(mark) = serde_json::from_str::<WalkMark>(&json) else {
                continue;
            };
            let kind = JournalKind::from_slug(&kind).unwrap_or(JournalKind::Step);
            pending = Some((call, operator, at, kind, mark));
        }
    }
    if let Some((c, op, a, k, mark)) = pending {
        record_move(tx, c, &op, a, k, &mark, false)?;
    }
    Ok(())
}

/// How many calls' rows [`count_totals`] counts per statement: each stays short (a
/// server's store gives a statement ten seconds) on any desk.
const TOTALS_PAGE: i64 = 20_000;

/// Counts the report's totals (migration 0023 on SQLite, 0012 on PostgreSQL) of the
/// proposals and steps stored, into empty totals: when the migration that made them runs,
/// and after a copy (which writes the rows with the totals' triggers lifted). The calls a
/// page at a time, each page's counts added to those of the pages before. The start of an
/// opening's span is floored (both engines' % keeps the dividend's sign).
pub(super) fn count_totals(tx: &Tx<'_>) -> DbResult<()> {
    count_totals_by(tx, TOTALS_PAGE)
}

/// [`count_totals`], `page` calls at a time.
pub(super) fn count_totals_by(tx: &Tx<'_>, page: i64) -> DbResult<()> {
    let spans = format!("(SELECT {DAY} AS span UNION ALL SELECT {BLOCK}) s");
    let start = "c.opened_at - ((c.opened_at % s.span) + s.span) % s.span";
    by_pages(tx, "calls", page, |after, upto| {
        let calls = args![after, upto];
        tx.execute(
            &format!(
                "INSERT INTO proposal_totals (span, start, service, procedure, proposed) \
                 SELECT s.span, {start}, c.service, p.procedure, count(*) \
                 FROM {spans}, calls c JOIN call_proposals p ON p.call_id = c.id \
                 WHERE c.id > ?1 AND c.id <= ?2 GROUP BY 1, 2, 3, 4 \
                 ON CONFLICT (span, start, service, procedure) DO UPDATE \
                 SET proposed = proposal_totals.proposed + excluded.proposed"
            ),
            calls,
        )?;
        tx.execute(
            &format!(
                "INSERT INTO step_totals \
                 (span, start, service, procedure, version, step, reached, answered) \
                 SELECT s.span, {start}, c.service, w.procedure, w.version, st.step, \
                 sum(1 - st.answered), sum(st.answered) \
                 FROM {spans}, calls c JOIN walks w ON w.call_id = c.id \
                 JOIN walk_steps st ON st.walk_id = w.id \
                 WHERE c.id > ?1 AND c.id <= ?2 GROUP BY 1, 2, 3, 4, 5, 6 \
                 ON CONFLICT (span, start, service, procedure, version, step) DO UPDATE \
                 SET reached = step_totals.reached + excluded.reached, \
                 answered = step_totals.answered + excluded.answered"
            ),
            calls,
        )?;
        Ok(())
    })
}

/// A step flagged « à revoir », as the report lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepFlag {
    pub call: CallRef,
    pub procedure: String,
    pub version: String,
    pub step: String,
    pub note: String,
    pub operator: String,
    pub at: DateTime<Utc>,
}

/// Which calls a figure counts: opened in `[from, to)`, of `service` when given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FigureWindow {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub service: Option<String>,
}

impl FigureWindow {
    /// `[from, to)` in the seconds calls are stored to: one opened in the second `to` falls
    /// in, before it, when `to` is later in that second (a report asked for « until now »).
    fn seconds(&self) -> (i64, i64) {
        let ceil = |t: DateTime<Utc>| t.timestamp() + i64::from(t.timestamp_subsec_nanos() > 0);
        (ceil(self.from), ceil(self.to))
    }

    /// The condition on the calls `c`, its arguments from `?1`.
    #[cfg(test)]
    pub(super) fn calls(&self) -> (String, Vec<Value>) {
        self.of("c")
    }

    /// The condition on the rows `table` that have a call's `opened_at` and `service`,
    /// its arguments from `?1`.
    fn of(&self, table: &str) -> (String, Vec<Value>) {
        let mut sql = format!("{table}.opened_at >= ?1 AND {table}.opened_at < ?2");
        let (from, to) = self.seconds();
        let mut values = vec![Value::from(from), Value::from(to)];
        if let Some(service) = &self.service {
            sql.push_str(&format!(" AND {table}.service = ?3"));
            values.push(Value::from(service.as_str()));
        }
        (sql, values)
    }

    /// The window for the totals (migration 0023 / 0012): the rows of the totals (blocks
    /// of 32 days inside the window, whole days inside it at either end) and the condition
    /// on the calls `c` of its partial days, whose rows are counted themselves; their
    /// arguments from `?1`.
    fn by_spans(&self) -> (Spans, String, Vec<Value>) {
        let (f, t) = self.seconds();
        let (d1, d2) = whole(f, t, DAY);
        let (b1, b2) = whole(d1, d2, BLOCK);
        let mut ranges = [
            format!("span = {BLOCK} AND start >= ?1 AND start < ?2"),
            format!("span = {DAY} AND start >= ?3 AND start < ?1"),
            format!("span = {DAY} AND start >= ?2 AND start < ?4"),
        ];
        let mut edges =
            "(c.opened_at >= ?5 AND c.opened_at < ?3 OR c.opened_at >= ?4 AND c.opened_at < ?6)"
                .to_string();
        let mut values: Vec<Value> = [b1, b2, d1, d2, f, t].map(Value::from).into();
        if let Some(service) = &self.service {
            for range in &mut ranges {
                range.push_str(" AND service = ?7");
            }
            edges.push_str(" AND c.service = ?7");
            values.push(Value::from(service.as_str()));
        }
        (Spans(ranges), edges, values)
    }
}

/// The three ranges of the totals' primary key a window sums (its blocks, its whole days
/// before them and after them): disjoint, each read alone. One OR of the three made SQLite
/// gather the keys of every row in a temporary B-tree to drop duplicates that cannot be
/// (0.1 s over the 350,000 rows of the holes of the whole desk).
struct Spans([String; 3]);

impl Spans {
    /// `SELECT {what} WHERE` each range, the three put together (`what` names the table).
    fn select(&self, what: &str) -> String {
        self.0
            .iter()
            .map(|range| format!("SELECT {what} WHERE {range}"))
            .collect::<Vec<_>>()
            .join(" UNION ALL ")
    }
}

/// The whole `unit`s inside `[from, to)`: from the first boundary at or after `from` to
/// the last at or before `to`; `(to, to)` when there is no such pair.
fn whole(from: i64, to: i64, unit: i64) -> (i64, i64) {
    let first = from + (unit - from.rem_euclid(unit)) % unit;
    let last = to - to.rem_euclid(unit);
    if first < last {
        (first, last)
    } else {
        (to, to)
    }
}

/// One walk of the window, with what its call became.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalkRow {
    pub call: CallRef,
    pub procedure: Arc<str>,
    pub version: Arc<str>,
    /// `completed`, `escalated`, `abandoned` or `in_progress` (see the view walk_records).
    pub state: &'static str,
    /// The call's outcome slug, when it has one.
    pub outcome: Option<Arc<str>>,
    /// The call's handling time (opened to closed), in seconds, once closed.
    pub handling_secs: Option<i64>,
    /// The last « résolu ? » answer given on the walk.
    pub said_solved: Option<bool>,
    /// The same number called again within the window after this call was opened.
    pub called_again: bool,
    /// The call has a number to tell a new call from the same caller by.
    pub has_number: bool,
    /// The call is closed.
    pub call_closed: bool,
}

/// One shared copy of each text a long read repeats (procedures, versions, outcomes): one
/// allocation per distinct text rather than per row.
#[derive(Default)]
struct Shared(HashMap<String, Arc<str>>);

impl Shared {
    fn of(&mut self, text: &str) -> Arc<str> {
        if let Some(shared) = self.0.get(text) {
            return shared.clone();
        }
        let shared: Arc<str> = Arc::from(text);
        self.0.insert(text.to_string(), shared.clone());
        shared
    }
}

/// A step of a version of a procedure, as the report sums its totals.
type StepKey = (Arc<str>, Arc<str>, Arc<str>);

/// Reached and answered counts of one step of one version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepRow {
    pub procedure: String,
    pub version: String,
    pub step: String,
    pub reached: u64,
    pub answered: u64,
}

/// What `report procedures` reads from the store, for calls of a window.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WalkFigures {
    /// (procedure, calls it was proposed for in the top three).
    pub proposed: Vec<(String, u64)>,
    /// In no particular order: every figure is a count or a median.
    pub walks: Vec<WalkRow>,
    pub steps: Vec<StepRow>,
    pub flags: Vec<StepFlag>,
    /// Calls closed in the window, and how many of them followed a procedure.
    pub closed: u64,
    pub closed_followed: u64,
    /// The calls closed without any procedure followed, by summary (in its order).
    pub unfollowed: Vec<Unfollowed>,
}

impl Store {
    /// Flags the step `step` of the walk of `procedure` on the call (its latest) as « à
    /// revoir » with a short note, journaled on the call in the same transaction.
    pub fn flag_step(
        &mut self,
        reference: CallRef,
        operator: &str,
        at: DateTime<Utc>,
        procedure: &str,
        step: &str,
        note: &str,
    ) -> Result<()> {
        let path = self.name.clone();
        let err = |source| StoreError::db(&path, source);
        let tx = self.db.begin().map_err(err)?;
        let walk = walk_of(&tx, reference, procedure).map_err(|e| self.refused(e))?;
        tx.execute(
            "INSERT INTO step_flags (walk_id, step, note, operator, at) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
            args![walk, step, note, operator, at.timestamp()],
        )
        .map_err(err)?;
        let line = if note.is_empty() {
            format!("[{procedure}] étape {step} à revoir")
        } else {
            format!("[{procedure}] étape {step} à revoir : {note}")
        };
        append(&tx, reference, at, operator, JournalKind::Note, &line).map_err(err)?;
        tx.commit().map_err(err)
    }

    /// Says whether the walk of `procedure` on the call (its latest) solved the caller's
    /// problem, journaled on the call in the same transaction; the last answer counts.
    pub fn answer_solved(
        &mut self,
        reference: CallRef,
        operator: &str,
        at: DateTime<Utc>,
        procedure: &str,
        solved: bool,
    ) -> Result<()> {
        let path = self.name.clone();
        let err = |source| StoreError::db(&path, source);
        let tx = self.db.begin().map_err(err)?;
        let walk = walk_of(&tx, reference, procedure).map_err(|e| self.refused(e))?;
        tx.execute(
            "INSERT INTO walk_answers (walk_id, solved, operator, at) VALUES (?1, ?2, ?3, ?4)",
            args![walk, i64::from(solved), operator, at.timestamp()],
        )
        .map_err(err)?;
        let line = format!(
            "[{procedure}] résolu : {}",
            if solved { "oui" } else { "non" }
        );
        append(&tx, reference, at, operator, JournalKind::Note, &line).map_err(err)?;
        tx.commit().map_err(err)
    }

    fn refused(&self, e: NoWalk) -> StoreError {
        match e {
            NoWalk::Db(e) => self.err(e),
            NoWalk::UnknownCall(r) => StoreError::UnknownCall(r),
            NoWalk::None(r, p) => StoreError::NoWalk(r, p),
        }
    }

    /// Every step flagged on walks of `procedure` (all when `None`), newest first, at most
    /// `limit`: what the procedure's owner reads.
    pub fn step_flags(&self, procedure: Option<&str>, limit: u32) -> Result<Vec<StepFlag>> {
        let mut sql = "SELECT w.call_id, w.procedure, w.version, f.step, f.note, f.operator, \
                       f.at FROM step_flags f JOIN walks w ON w.id = f.walk_id"
            .to_string();
        let mut values = Vec::new();
        if let Some(p) = procedure {
            sql.push_str(" WHERE w.procedure = ?1");
            values.push(Value::from(p));
        }
        sql.push_str(&format!(" ORDER BY f.id DESC LIMIT {limit}"));
        self.db
            .query_vec(&sql, &values, flag_of)
            .map_err(|e| self.err(e))
    }

    /// What `report procedures` counts, for the calls of `window`; a call that came again
    /// from the same number within `again_secs` of its opening was not solved at first
    /// contact.
    pub fn walk_figures(&self, window: &FigureWindow, again_secs: i64) -> Result<WalkFigures> {
        let err = |e| self.err(e);
        // On the server: every read from one snapshot (the figures agree with each other
        // while consoles write), and more memory for its hash joins and sorts than the
        // default 4 MB, which the whole desk's spilled to disk.
        let snapshot = match self.engine() {
            Engine::Postgres => {
                let tx = self.db.begin().map_err(err)?;
                tx.batch(
                    "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY; \
                     SET LOCAL work_mem = '64MB'",
                )
                .map_err(err)?;
                Some(tx)
            }
            Engine::Sqlite => None,
        };
        let db: &Db = snapshot.as_deref().unwrap_or(&self.db);
        // Proposals and steps: the totals for the whole days, the rows themselves for the
        // calls of the partial days at either end.
        let (spans, edges, by_spans) = window.by_spans();
        let proposals = spans.select("procedure, proposed AS n FROM proposal_totals");
        let step_sums =
            spans.select("procedure, version, step, reached, answered FROM step_totals");
        let hole_sums = spans.select("summary, calls, first1, first2, first3 FROM hole_totals");
        let proposed = db
            .query_vec(
                &format!(
                    "SELECT procedure, CAST(sum(n) AS BIGINT) FROM ( \
                     {proposals} \
                     UNION ALL SELECT p.procedure, 1 FROM call_proposals p \
                     JOIN calls c ON c.id = p.call_id WHERE {edges}) t GROUP BY procedure"
                ),
                &by_spans,
                |r| Ok((r.get::<String>(0)?, r.get::<i64>(1)? as u64)),
            )
            .map_err(err)?;
        // Each walk as one row of walk_facts (migration 0025 / 0014): its end, its last
        // « résolu ? » answer, its call's next call and what its call became, kept there as
        // they are written, rather than looked up per walk.
        let (facts, values) = window.of("f");
        let mut with_window = values.clone();
        with_window.push(Value::from(again_secs));
        let again = with_window.len();
        // Each procedure, version and outcome held once, however many walks repeat it.
        let mut shared = Shared::default();
        let mut walks = Vec::new();
        db.query_each(
            &format!(
                "SELECT f.call_id, f.procedure, f.version, f.ended, f.closed, \
                     coalesce(f.outcome, ''), CASE WHEN f.outcome IS NULL THEN 0 ELSE 1 END, \
                     f.handling, f.solved, \
                     CASE WHEN f.next_at <= f.opened_at + ?{again} THEN 1 ELSE 0 END, \
                     f.has_number FROM walk_facts f WHERE {facts}"
            ),
            &with_window,
            |r| {
                let call_closed = r.get::<i64>(4)? != 0;
                let state = match r.get::<i64>(3)? {
                    2 => "escalated",
                    1 => "completed",
                    _ if call_closed => "abandoned",
                    _ => "in_progress",
                };
                let outcome = r.str(5)?;
                walks.push(WalkRow {
                    call: CallRef(r.get(0)?),
                    procedure: shared.of(r.str(1)?),
                    version: shared.of(r.str(2)?),
                    state,
                    outcome: (r.get::<i64>(6)? != 0).then(|| shared.of(outcome)),
                    handling_secs: r.get(7)?,
                    said_solved: r.get::<Option<i64>>(8)?.map(|s| s != 0),
                    called_again: r.get::<i64>(9)? != 0,
                    has_number: r.get::<i64>(10)? != 0,
                    call_closed,
                });
                Ok::<(), DbError>(())
            },
        )
        .map_err(err)?;
        // Summed here on SQLite, which would sort the rows of every day and block to group
        // them; on the server by its hash aggregate, which sends a row per step instead of
        // one per day and block (100,000 over the whole desk).
        let step_rows = format!(
            "{step_sums} UNION ALL \
             SELECT w.procedure, w.version, s.step, 1 - s.answered, s.answered \
             FROM walk_steps s JOIN walks w ON w.id = s.walk_id \
             JOIN calls c ON c.id = w.call_id WHERE {edges}"
        );
        let step_rows = match self.engine() {
            Engine::Sqlite => step_rows,
            Engine::Postgres => format!(
                "SELECT procedure, version, step, CAST(sum(reached) AS BIGINT), \
                 CAST(sum(answered) AS BIGINT) FROM ({step_rows}) t \
                 GROUP BY procedure, version, step"
            ),
        };
        let mut steps: HashMap<StepKey, (u64, u64)> = HashMap::new();
        db.query_each(&step_rows, &by_spans, |r| {
            let key = (
                shared.of(r.str(0)?),
                shared.of(r.str(1)?),
                shared.of(r.str(2)?),
            );
            let sum = steps.entry(key).or_default();
            sum.0 += r.get::<i64>(3)? as u64;
            sum.1 += r.get::<i64>(4)? as u64;
            Ok::<(), DbError>(())
        })
        .map_err(err)?;
        let steps: Vec<StepRow> = steps
            .into_iter()
            .map(
                |((procedure, version, step), (reached, answered))| StepRow {
                    procedure: procedure.to_string(),
                    version: version.to_string(),
                    step: step.to_string(),
                    reached,
                    answered,
                },
            )
            .collect();
        let flags = db
            .query_vec(
                &format!(
                    "SELECT f.call_id, f.procedure, f.version, s.step, s.note, s.operator, s.at \
                     FROM step_flags s JOIN walk_facts f ON f.walk_id = s.walk_id \
                     WHERE {facts} ORDER BY s.id"
                ),
                &values,
                flag_of,
            )
            .map_err(err)?;
        // The calls closed without a procedure followed: the totals of their summaries for
        // the whole days, the calls themselves on the partial days at either end.
        let mut holes = HoleSum::default();
        db.query_each(
            &format!(
                "{hole_sums} UNION ALL \
                     SELECT c.summary, 1, c.id, CAST(NULL AS BIGINT), CAST(NULL AS BIGINT) \
                     FROM calls c WHERE {edges} AND c.status = 'closed' \
                     AND NOT EXISTS (SELECT 1 FROM walks w WHERE w.call_id = c.id)"
            ),
            &by_spans,
            |r| {
                holes.add(r.str(0)?, r.get(1)?, [r.get(2)?, r.get(3)?, r.get(4)?]);
                Ok::<(), DbError>(())
            },
        )
        .map_err(err)?;
        let unfollowed = holes.finish();
        if let Some(tx) = snapshot {
            tx.commit().map_err(err)?;
        }
        // The calls closed that followed a procedure are those of the walks read above
        // (each walk's call is in the window); with those that followed none, all the
        // calls closed: no third pass over the window's calls.
        let mut followed: Vec<CallRef> = walks
            .iter()
            .filter(|w| w.call_closed)
            .map(|w| w.call)
            .collect();
        followed.sort_unstable();
        followed.dedup();
        let closed_followed = followed.len() as u64;
        let closed = closed_followed + unfollowed.iter().map(|u| u.calls).sum::<u64>();
        Ok(WalkFigures {
            proposed,
            walks,
            steps,
            flags,
            closed,
            closed_followed,
            unfollowed,
        })
    }
}

fn flag_of(r: &super::db::Row<'_>) -> DbResult<StepFlag> {
    Ok(StepFlag {
        call: CallRef(r.get(0)?),
        procedure: r.get(1)?,
        version: r.get(2)?,
        step: r.get(3)?,
        note: r.get(4)?,
        operator: r.get(5)?,
        at: crate::domain::time::from_unix(r.get(6)?),
    })
}

/// Why a flag or an answer has no walk to go with.
enum NoWalk {
    Db(super::db::DbError),
    UnknownCall(CallRef),
    None(CallRef, String),
}

impl From<super::db::DbError> for NoWalk {
    fn from(e: super::db::DbError) -> Self {
        NoWalk::Db(e)
    }
}

/// The latest walk of `procedure` on the call, its row locked for the write.
fn walk_of(tx: &Tx<'_>, call: CallRef, procedure: &str) -> std::result::Result<i64, NoWalk> {
    if locked_call(tx, call)?.is_none() {
        return Err(NoWalk::UnknownCall(call));
    }
    current_walk(tx, call, procedure)?.ok_or_else(|| NoWalk::None(call, procedure.to_string()))
}
