//! The walks the desk's ranking learns from (issue 23, `domain::learned`): the procedures
//! followed to their end on a call, with the call's words and when. One function reads
//! them ([`Store::each_finished_walk`]), so that their source can move (to a table of walk
//! records) without its callers knowing.

use super::db::{DbError, Engine, args};
use super::{Result, Store};
use crate::domain::learned::{Learner, Lesson, Lessons, MAX_WALKS, WINDOW_DAYS};
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
    /// [`MAX_WALKS`] most recent), for [`super::SearchIndex::set_learned`]: counted as they
    /// are read, never all held at once.
    pub fn lessons(&self, now: DateTime<Utc>) -> Result<Lessons> {
        let mut learner = Learner::new(now);
        let since = now - chrono::Duration::days(WINDOW_DAYS);
        self.each_finished_walk(since, MAX_WALKS, |walk| learner.add(&walk))?;
        Ok(learner.lessons())
    }

    /// [`Self::each_finished_walk`], collected.
    pub fn finished_walks(&self, since: DateTime<Utc>, max: usize) -> Result<Vec<Lesson>> {
        let mut walks = Vec::new();
        self.each_finished_walk(since, max, |walk| walks.push(walk))?;
        Ok(walks)
    }

    /// The walks finished since `since`, the most recent first, at most `max`, each handed
    /// to `each` with its call's summary, its procedure and when it ended. A walk teaches
    /// when it reached its end and the call was neither escalated (an escalation step sets
    /// that outcome, and so does the operator handing the call on) nor abandoned (the
    /// caller hung up: the walk helped no one); one call teaches a procedure once, however
    /// many times it was walked there.
    pub fn each_finished_walk(
        &self,
        since: DateTime<Utc>,
        max: usize,
        mut each: impl FnMut(Lesson),
    ) -> Result<()> {
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
        let mut seen: HashSet<(i64, String)> = HashSet::new();
        self.db
            .query_each(&sql, args![since.timestamp(), limit], |r| {
                let call: i64 = r.get(0)?;
                let Ok(mark) = serde_json::from_str::<Mark>(r.str(2)?) else {
                    return Ok::<(), DbError>(());
                };
                if mark.current.is_some() || !seen.insert((call, mark.procedure.clone())) {
                    return Ok(());
                }
                each(Lesson {
                    summary: r.get(3)?,
                    procedure: mark.procedure,
                    at: crate::domain::time::from_unix(r.get(1)?),
                });
                Ok(())
            })
            .map_err(|e| self.err(e))
    }
}
