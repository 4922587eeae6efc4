//! What the shift report needs from the database: counts by GROUP BY (the covering index
//! answers them), handling times, procedures used, the calls still waiting, and the
//! handover notes and acknowledgements.

use super::calls::{CALL_COLUMNS, row_to_call};
use super::{Result, Store};
use crate::domain::call::{Call, CallRef, JournalEntry, JournalKind};
use crate::domain::time::from_unix;
use crate::domain::walk::WalkMark;
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

/// How many waiting calls a report lists; the count says how many more there are.
pub const WAITING_LIMIT: usize = 200;

/// A call the next shift must know about.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WaitingCall {
    #[serde(flatten)]
    pub call: Call,
    pub last_entry: Option<JournalEntry>,
    /// Where a procedure walked on it stopped.
    pub walk: Option<WalkMark>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum HandoverKind {
    Note,
    Ack,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HandoverEntry {
    pub at: DateTime<Utc>,
    pub operator: String,
    pub kind: HandoverKind,
    pub shift_name: String,
    pub shift_from: DateTime<Utc>,
    pub text: String,
}

/// The raw material of a shift report.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReportData {
    pub calls_total: i64,
    /// Calls of the window not closed yet.
    pub still_open: i64,
    pub by_service: Vec<(String, i64)>,
    pub by_device: Vec<(String, i64)>,
    /// Calls of the window by outcome; `None` is a call with no outcome yet.
    pub by_outcome: Vec<(Option<String>, i64)>,
    pub by_operator: Vec<(String, i64)>,
    /// Seconds from opening to closing of the window's calls that are closed.
    pub handling_secs: Vec<i64>,
    pub longest: Option<(CallRef, i64)>,
    pub procedures: Vec<(String, i64)>,
    pub waiting: Vec<WaitingCall>,
    pub waiting_total: i64,
}

impl Store {
    /// The counts and lists of the calls opened in [from, to), optionally one operator's.
    pub fn report_data(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        operator: Option<&str>,
    ) -> Result<ReportData> {
        let (f, t) = (from.timestamp(), to.timestamp());
        let group = |column: &str| -> Result<Vec<(Option<String>, i64)>> {
            let sql = format!(
                "SELECT {column}, count(*) FROM calls \
                 WHERE opened_at >= ?1 AND opened_at < ?2 AND (?3 IS NULL OR operator = ?3) \
                 GROUP BY {column} ORDER BY count(*) DESC, {column}"
            );
            let mut stmt = self.conn.prepare_cached(&sql).map_err(|e| self.err(e))?;
            let rows = stmt
                .query_map(params![f, t, operator], |r| Ok((r.get(0)?, r.get(1)?)))
                .map_err(|e| self.err(e))?;
            rows.collect::<rusqlite::Result<Vec<_>>>()
                .map_err(|e| self.err(e))
        };
        let named = |v: Vec<(Option<String>, i64)>| {
            v.into_iter()
                .map(|(k, n)| (k.unwrap_or_default(), n))
                .collect::<Vec<_>>()
        };
        let by_service = named(group("service")?);
        let by_device = named(group("device")?);
        let by_outcome = group("outcome")?;
        let by_operator = named(group("operator")?);
        let calls_total = by_service.iter().map(|(_, n)| n).sum();
        let still_open = group("status")?
            .into_iter()
            .filter(|(s, _)| s.as_deref() == Some("open"))
            .map(|(_, n)| n)
            .sum();

        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, closed_at - opened_at FROM calls \
                 WHERE opened_at >= ?1 AND opened_at < ?2 AND (?3 IS NULL OR operator = ?3) \
                 AND closed_at IS NOT NULL",
            )
            .map_err(|e| self.err(e))?;
        let durations: Vec<(i64, i64)> = stmt
            .query_map(params![f, t, operator], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(|e| self.err(e))?
            .collect::<rusqlite::Result<_>>()
            .map_err(|e| self.err(e))?;
        let longest = durations
            .iter()
            .max_by_key(|(id, d)| (*d, -id))
            .map(|(id, d)| (CallRef(*id), *d));
        let handling_secs = durations.into_iter().map(|(_, d)| d).collect();

        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT j.body, count(DISTINCT j.call_id) FROM calls c \
                 JOIN journal j ON j.call_id = c.id AND j.kind = 'procedure' \
                 WHERE c.opened_at >= ?1 AND c.opened_at < ?2 AND (?3 IS NULL OR c.operator = ?3) \
                 GROUP BY j.body ORDER BY count(DISTINCT j.call_id) DESC, j.body LIMIT 10",
            )
            .map_err(|e| self.err(e))?;
        let procedures = stmt
            .query_map(params![f, t, operator], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(|e| self.err(e))?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.err(e))?;

        let (waiting, waiting_total) = self.waiting_calls(from, to, operator)?;
        Ok(ReportData {
            calls_total,
            still_open,
            by_service,
            by_device,
            by_outcome,
            by_operator,
            handling_secs,
            longest,
            procedures,
            waiting,
            waiting_total,
        })
    }

    /// Calls still open that were opened before the window's end, and callbacks promised
    /// during the window: oldest first.
    fn waiting_calls(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        operator: Option<&str>,
    ) -> Result<(Vec<WaitingCall>, i64)> {
        let (f, t) = (from.timestamp(), to.timestamp());
        let filter = "((status = 'open' AND opened_at < ?2) \
                      OR (outcome = 'callback' AND closed_at >= ?1 AND closed_at < ?2)) \
                      AND (?3 IS NULL OR operator = ?3)";
        let total: i64 = self
            .conn
            .query_row(
                &format!("SELECT count(*) FROM calls WHERE {filter}"),
                params![f, t, operator],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))?;
        let sql = format!(
            "SELECT {CALL_COLUMNS} FROM calls WHERE {filter} ORDER BY opened_at, id LIMIT ?4"
        );
        let mut stmt = self.conn.prepare_cached(&sql).map_err(|e| self.err(e))?;
        let calls: Vec<Call> = stmt
            .query_map(params![f, t, operator, WAITING_LIMIT as i64], row_to_call)
            .map_err(|e| self.err(e))?
            .collect::<rusqlite::Result<_>>()
            .map_err(|e| self.err(e))?;
        let mut last = self
            .conn
            .prepare_cached(
                "SELECT at, operator, kind, body FROM journal WHERE call_id = ?1 \
                 ORDER BY id DESC LIMIT 1",
            )
            .map_err(|e| self.err(e))?;
        let mut waiting = Vec::with_capacity(calls.len());
        for call in calls {
            let last_entry = last
                .query_row([call.reference.0], |r| {
                    let kind: String = r.get(2)?;
                    Ok(JournalEntry {
                        at: from_unix(r.get(0)?),
                        operator: r.get(1)?,
                        kind: JournalKind::from_slug(&kind).unwrap_or(JournalKind::Note),
                        text: r.get(3)?,
                    })
                })
                .optional()
                .map_err(|e| self.err(e))?;
            let walk = self.last_walk(call.reference)?;
            waiting.push(WaitingCall {
                call,
                last_entry,
                walk,
            });
        }
        Ok((waiting, total))
    }

    /// Every call opened in the window, oldest first, for the CSV export.
    pub fn window_calls(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        operator: Option<&str>,
    ) -> Result<Vec<Call>> {
        let sql = format!(
            "SELECT {CALL_COLUMNS} FROM calls WHERE opened_at >= ?1 AND opened_at < ?2 \
             AND (?3 IS NULL OR operator = ?3) ORDER BY opened_at, id"
        );
        let mut stmt = self.conn.prepare_cached(&sql).map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(
                params![from.timestamp(), to.timestamp(), operator],
                row_to_call,
            )
            .map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.err(e))
    }

    /// Appends a handover note or acknowledgement for a shift.
    pub fn add_handover(
        &mut self,
        kind: HandoverKind,
        operator: &str,
        at: DateTime<Utc>,
        shift: &crate::domain::shifts::ShiftWindow,
        text: &str,
    ) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO handover_entries (at, operator, kind, shift_name, shift_from, shift_to, body) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    at.timestamp(),
                    operator,
                    match kind {
                        HandoverKind::Note => "note",
                        HandoverKind::Ack => "ack",
                    },
                    shift.name,
                    shift.from.timestamp(),
                    shift.to.timestamp(),
                    text
                ],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// The notes and acknowledgements of the shifts starting in [from, to], oldest first.
    pub fn handover_entries(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<HandoverEntry>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT at, operator, kind, shift_name, shift_from, body FROM handover_entries \
                 WHERE shift_from >= ?1 AND shift_from <= ?2 ORDER BY id",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![from.timestamp(), to.timestamp()], |r| {
                let kind: String = r.get(2)?;
                Ok(HandoverEntry {
                    at: from_unix(r.get(0)?),
                    operator: r.get(1)?,
                    kind: if kind == "ack" {
                        HandoverKind::Ack
                    } else {
                        HandoverKind::Note
                    },
                    shift_name: r.get(3)?,
                    shift_from: from_unix(r.get(4)?),
                    text: r.get(5)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.err(e))
    }
}
