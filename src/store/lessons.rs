//! The walks the desk's ranking learns from (issue 23, `domain::learned`): the procedures
//! followed to their end on a call, with the call's words and when. One function reads
//! them, so that their source can move (to a table of walk records) without its callers
//! knowing.

use super::db::{Engine, args};
use super::{Result, Store};
use crate::domain::learned::{Lesson, Lessons, MAX_WALKS, WINDOW_DAYS};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use std::collections::HashSet;

/// What a walk's mark says that matters here: which procedure, and whether it is finished.
#[derive(Deserialize)]
struct Mark {
    procedure: String,
    current: Option<String>,
}

impl Store {
    /// What the desk's walks of the last [`WINDOW_DAYS`] days teach at `now` (the
    /// [`MAX_WALKS`] most recent), for [`super::SearchIndex::set_learned`].
    pub fn lessons(&self, now: DateTime<Utc>) -> Result<Lessons> {
        let walks = self.finished_walks(now - chrono::Duration::days(WINDOW_DAYS), MAX_WALKS)?;
        Ok(Lessons::learn(&walks, now))
    }

    /// The walks finished since `since`, the most recent first, at most `max`: each with
    /// its call's summary, its procedure and when it ended. A walk teaches when it reached
    /// its end and the call was neither escalated (an escalation step sets that outcome,
    /// and so does the operator handing the call on) nor abandoned (the caller hung up:
    /// the walk helped no one); one call teaches a procedure once, however many times it
    /// was walked there.
    pub fn finished_walks(&self, since: DateTime<Utc>, max: usize) -> Result<Vec<Lesson>> {
        // The partial index of migrations 0022 (SQLite) and 0011 (PostgreSQL) holds the
        // journal's lines whose mark says "current":null: its condition is repeated here,
        // word for word, for the planner to take it. The mark is read again below: the
        // text test only narrows.
        let finished = match self.engine() {
            Engine::Sqlite => "j.walk IS NOT NULL AND instr(j.walk, '\"current\":null') > 0",
            Engine::Postgres => "j.walk IS NOT NULL AND strpos(j.walk, '\"current\":null') > 0",
        };
        let sql = format!(
            "SELECT j.call_id, j.at, j.walk, c.summary FROM journal j \
             JOIN calls c ON c.id = j.call_id \
             WHERE {finished} AND j.at >= ?1 \
             AND (c.outcome IS NULL OR c.outcome NOT IN ('escalated', 'abandoned')) \
             ORDER BY j.at DESC LIMIT ?2"
        );
        let limit = i64::try_from(max).unwrap_or(i64::MAX);
        let rows: Vec<(i64, i64, String, String)> = self
            .db
            .query_vec(&sql, args![since.timestamp(), limit], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .map_err(|e| self.err(e))?;
        let mut seen: HashSet<(i64, String)> = HashSet::new();
        let mut lessons = Vec::with_capacity(rows.len());
        for (call, at, walk, summary) in rows {
            let Ok(mark) = serde_json::from_str::<Mark>(&walk) else {
                continue;
            };
            if mark.current.is_some() || !seen.insert((call, mark.procedure.clone())) {
                continue;
            }
            lessons.push(Lesson {
                summary,
                procedure: mark.procedure,
                at: crate::domain::time::from_unix(at),
            });
        }
        Ok(lessons)
    }
}
