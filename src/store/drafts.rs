//! The call being typed, saved per operator so that a killed process or a dropped SSH link
//! loses nothing.

use super::{Result, Store};
use crate::domain::call::CallDraft;
use crate::domain::time::from_unix;
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

/// A draft as saved: the fields and when the call started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedDraft {
    pub opened_at: DateTime<Utc>,
    pub saved_at: DateTime<Utc>,
    pub draft: CallDraft,
}

impl Store {
    pub fn save_draft(
        &mut self,
        operator: &str,
        opened_at: DateTime<Utc>,
        saved_at: DateTime<Utc>,
        draft: &CallDraft,
    ) -> Result<()> {
        // CallDraft is plain strings: serializing it cannot fail.
        let fields = serde_json::to_string(draft).unwrap_or_default();
        self.conn
            .execute(
                "INSERT INTO drafts (operator, saved_at, opened_at, fields) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (operator) DO UPDATE SET saved_at = ?2, opened_at = ?3, fields = ?4",
                params![
                    operator,
                    saved_at.timestamp(),
                    opened_at.timestamp(),
                    fields
                ],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// The operator's draft, if any. A draft that no longer parses (written by a future
    /// version) is reported as absent rather than blocking the console.
    pub fn load_draft(&self, operator: &str) -> Result<Option<SavedDraft>> {
        let row: Option<(i64, i64, String)> = self
            .conn
            .query_row(
                "SELECT opened_at, saved_at, fields FROM drafts WHERE operator = ?1",
                [operator],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        Ok(row.and_then(|(opened, saved, fields)| {
            serde_json::from_str(&fields).ok().map(|draft| SavedDraft {
                opened_at: from_unix(opened),
                saved_at: from_unix(saved),
                draft,
            })
        }))
    }

    pub fn clear_draft(&mut self, operator: &str) -> Result<()> {
        self.conn
            .execute("DELETE FROM drafts WHERE operator = ?1", [operator])
            .map(|_| ())
            .map_err(|e| self.err(e))
    }
}
