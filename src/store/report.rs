//! What the shift report needs from the database: counts by GROUP BY (the covering index
//! answers them), handling times, procedures used, the calls still waiting, and the
//! handover notes and acknowledgements.

use super::db::{DbError, args};
use super::rows::{CALL_COLUMNS, row_to_call};
use super::{Result, Store};
use crate::domain::call::{Call, CallRef, JournalEntry};
use crate::domain::time::from_unix;
use crate::domain::walk::WalkMark;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::HashMap;

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
    pub counts: WindowCounts,
    pub procedures: Vec<(String, i64)>,
    pub waiting: Vec<WaitingCall>,
    /// How many calls are open in all (`waiting` lists the oldest of them).
    pub open_total: i64,
}

/// The counts of a window's calls.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WindowCounts {
    pub calls_total: i64,
    /// Calls of the window not closed yet.
    pub still_open: i64,
    pub by_service: Vec<(String, i64)>,
    pub by_device: Vec<(String, i64)>,
    /// Calls of the window by outcome; `None` is a call with no outcome yet.
    pub by_outcome: Vec<(Option<String>, i64)>,
    pub by_operator: Vec<(String, i64)>,
    pub handling_secs: Vec<i64>,
    pub longest: Option<(CallRef, i64)>,
}

/// Counts largest first, then by name, as a report reads.
fn largest_first<K: Ord>(map: HashMap<K, i64>) -> Vec<(K, i64)> {
    let mut v: Vec<(K, i64)> = map.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v
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
        let counts = self.window_counts(from, to, operator)?;
        let procedures = self
            .db
            .query_vec(
                "SELECT j.body, count(DISTINCT j.call_id) FROM calls c \
                 JOIN journal j ON j.call_id = c.id AND j.kind = 'procedure' \
                 WHERE c.opened_at >= ?1 AND c.opened_at < ?2 \
                 AND (CAST(?3 AS TEXT) IS NULL OR c.operator = ?3) \
                 GROUP BY j.body ORDER BY count(DISTINCT j.call_id) DESC, j.body LIMIT 10",
                args![f, t, operator],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(|e| self.err(e))?;
        let (waiting, open_total) = self.waiting_calls(from, to, operator)?;
        Ok(ReportData {
            counts,
            procedures,
            waiting,
            open_total,
        })
    }

    /// Every count of the calls opened in [from, to) and their handling times, in one pass.
    pub fn window_counts(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        operator: Option<&str>,
    ) -> Result<WindowCounts> {
        let (f, t) = (from.timestamp(), to.timestamp());
        // One pass over the window through the covering index gives every count and every
        // handling time: five GROUP BY scans cost five times that.
        let (sql, values) = match operator {
            None => (
                "SELECT service, device, outcome, operator, status, opened_at, closed_at, id \
                 FROM calls WHERE opened_at >= ?1 AND opened_at < ?2",
                args![f, t],
            ),
            Some(op) => (
                "SELECT service, device, outcome, operator, status, opened_at, closed_at, id \
                 FROM calls WHERE opened_at >= ?1 AND opened_at < ?2 AND operator = ?3",
                args![f, t, op],
            ),
        };
        let mut by_service: HashMap<String, i64> = HashMap::new();
        let mut by_device: HashMap<String, i64> = HashMap::new();
        let mut by_outcome: HashMap<Option<String>, i64> = HashMap::new();
        let mut by_operator: HashMap<String, i64> = HashMap::new();
        let mut calls_total = 0;
        let mut still_open = 0;
        let mut durations: Vec<(i64, i64)> = Vec::new();
        // Counted by borrowed text: a key is allocated once per distinct value.
        fn count(map: &mut HashMap<String, i64>, key: &str) {
            match map.get_mut(key) {
                Some(n) => *n += 1,
                None => {
                    map.insert(key.to_string(), 1);
                }
            }
        }
        self.db
            .query_each(sql, values, |r| {
                count(&mut by_service, r.str(0)?);
                count(&mut by_device, r.str(1)?);
                *by_outcome.entry(r.get::<Option<String>>(2)?).or_default() += 1;
                count(&mut by_operator, r.str(3)?);
                calls_total += 1;
                if r.str(4)? == "open" {
                    still_open += 1;
                }
                let opened: i64 = r.get(5)?;
                if let Some(closed) = r.get::<Option<i64>>(6)? {
                    durations.push((r.get(7)?, closed - opened));
                }
                Ok::<(), DbError>(())
            })
            .map_err(|e| self.err(e))?;
        let by_service = largest_first(by_service);
        let by_device = largest_first(by_device);
        let by_outcome = largest_first(by_outcome);
        let by_operator = largest_first(by_operator);
        let longest = durations
            .iter()
            .max_by_key(|(id, d)| (*d, -id))
            .map(|(id, d)| (CallRef(*id), *d));
        let handling_secs = durations.into_iter().map(|(_, d)| d).collect();
        Ok(WindowCounts {
            calls_total,
            still_open,
            by_service,
            by_device,
            by_outcome,
            by_operator,
            handling_secs,
            longest,
        })
    }

    /// Calls still open that were opened before the window's end (oldest first, at most
    /// `WAITING_LIMIT`), then the callbacks promised during the window; and how many calls
    /// are open in all. Two queries, each in the order of its own index: one OR across
    /// both made SQLite read and sort every open call ever recorded (348 ms on a million
    /// calls).
    fn waiting_calls(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        operator: Option<&str>,
    ) -> Result<(Vec<WaitingCall>, i64)> {
        let (f, t) = (from.timestamp(), to.timestamp());
        // Without an operator the partial index of open calls answers alone.
        let open_total: i64 = match operator {
            None => self.db.query_one(
                "SELECT count(*) FROM calls WHERE status = 'open' AND opened_at < ?1",
                args![t],
                |r| r.get(0),
            ),
            Some(op) => self.db.query_one(
                "SELECT count(*) FROM calls WHERE status = 'open' AND opened_at < ?1 \
                 AND operator = ?2",
                args![t, op],
                |r| r.get(0),
            ),
        }
        .map_err(|e| self.err(e))?
        .unwrap_or_default();
        let limit = WAITING_LIMIT as i64;
        let open_sql = format!(
            "SELECT {CALL_COLUMNS} FROM calls WHERE status = 'open' AND opened_at < ?1 \
             AND (CAST(?2 AS TEXT) IS NULL OR operator = ?2) ORDER BY opened_at, id LIMIT ?3"
        );
        let callbacks_sql = format!(
            "SELECT {CALL_COLUMNS} FROM calls WHERE outcome = 'callback' \
             AND closed_at >= ?1 AND closed_at < ?2 \
             AND (CAST(?3 AS TEXT) IS NULL OR operator = ?3) \
             ORDER BY opened_at, id LIMIT ?4"
        );
        let mut calls = self
            .db
            .query_vec(&open_sql, args![t, operator, limit], row_to_call)
            .map_err(|e| self.err(e))?;
        calls.extend(
            self.db
                .query_vec(&callbacks_sql, args![f, t, operator, limit], row_to_call)
                .map_err(|e| self.err(e))?,
        );
        let mut waiting = Vec::with_capacity(calls.len());
        for call in calls {
            let last_entry = self.last_journal_entry(call.reference)?;
            let walk = self.last_walk(call.reference)?;
            waiting.push(WaitingCall {
                call,
                last_entry,
                walk,
            });
        }
        Ok((waiting, open_total))
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
             AND (CAST(?3 AS TEXT) IS NULL OR operator = ?3) ORDER BY opened_at, id"
        );
        self.db
            .query_vec(
                &sql,
                args![from.timestamp(), to.timestamp(), operator],
                row_to_call,
            )
            .map_err(|e| self.err(e))
    }

    /// The calls the handover lists as escalations: those opened in the window that were
    /// escalated or became a GLPI ticket, and any older one whose hand-off to GLPI is not
    /// sent yet (it must not be forgotten by the next shift), oldest first.
    pub fn handover_escalations(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        operator: Option<&str>,
    ) -> Result<Vec<Call>> {
        let sql = format!(
            "SELECT {CALL_COLUMNS} FROM calls WHERE opened_at < ?2 \
             AND (CAST(?3 AS TEXT) IS NULL OR operator = ?3) \
             AND ((opened_at >= ?1 AND (outcome = 'escalated' OR glpi_ticket IS NOT NULL)) \
                  OR id IN (SELECT call_id FROM glpi_outbox WHERE state <> 'sent')) \
             ORDER BY opened_at, id"
        );
        self.db
            .query_vec(
                &sql,
                args![from.timestamp(), to.timestamp(), operator],
                row_to_call,
            )
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
        self.db
            .execute(
                "INSERT INTO handover_entries (at, operator, kind, shift_name, shift_from, shift_to, body) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                args![
                    at.timestamp(),
                    operator,
                    match kind {
                        HandoverKind::Note => "note",
                        HandoverKind::Ack => "ack",
                    },
                    &shift.name,
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
        self.db
            .query_vec(
                "SELECT at, operator, kind, shift_name, shift_from, body FROM handover_entries \
                 WHERE shift_from >= ?1 AND shift_from <= ?2 ORDER BY id",
                args![from.timestamp(), to.timestamp()],
                |r| {
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
                },
            )
            .map_err(|e| self.err(e))
    }
}
