//! The call being typed, saved per console so that a killed process or a dropped SSH link
//! loses nothing, and two consoles of one operator never share or erase each other's.
//! Drafts live in an SQLite file: the desk's own, or on a PostgreSQL desk a file of the
//! console's machine (a draft must survive the server going away).

use super::db::args;
use super::{Result, Store};
use crate::domain::call::CallDraft;
use crate::domain::time::from_unix;
use chrono::{DateTime, Utc};

/// A draft as saved: the fields and when the call started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedDraft {
    pub opened_at: DateTime<Utc>,
    pub saved_at: DateTime<Utc>,
    pub draft: CallDraft,
}

fn parse(opened: i64, saved: i64, fields: &str) -> Option<SavedDraft> {
    // A draft that no longer parses (written by a future version) is absent rather than
    // blocking the console.
    serde_json::from_str(fields).ok().map(|draft| SavedDraft {
        opened_at: from_unix(opened),
        saved_at: from_unix(saved),
        draft,
    })
}

impl Store {
    /// The store the drafts are written to: this one, or the local file of a server's.
    fn drafts(&self) -> Result<&Store> {
        match &self.local {
            Some(local) => local.open(),
            None => Ok(self),
        }
    }

    /// Moves the drafts an earlier guichet kept in the desk's own file into its drafts
    /// file, so that they are found there (a console killed mid-call, calls set aside).
    /// Written there before they are taken from here: an interruption between the two
    /// leaves them in both, and the next opening moves them again without doubling them.
    pub(super) fn move_drafts_out(&mut self) -> Result<()> {
        let err = |e| self.err(e);
        let left: bool = self
            .db
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM console_drafts) \
                     OR EXISTS (SELECT 1 FROM aside_drafts)",
                &[],
                |r| r.get(0),
            )
            .map_err(err)?
            .unwrap_or(false);
        if !left {
            return Ok(());
        }
        type Row = (String, String, i64, i64, String);
        let consoles: Vec<Row> = self
            .db
            .query_vec(
                "SELECT console, operator, saved_at, opened_at, fields FROM console_drafts",
                &[],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .map_err(err)?;
        let aside: Vec<Row> = self
            .db
            .query_vec(
                "SELECT operator, console, set_at, opened_at, fields FROM aside_drafts",
                &[],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .map_err(err)?;
        let file = self.drafts()?;
        let tx = file.db.begin().map_err(|e| file.err(e))?;
        for (console, operator, saved, opened, fields) in &consoles {
            // The file's own draft of that console, if any, is the newer one.
            tx.execute(
                "INSERT INTO console_drafts (console, operator, saved_at, opened_at, fields) \
                 VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (console) DO NOTHING",
                args![console, operator, *saved, *opened, fields],
            )
            .map_err(|e| file.err(e))?;
        }
        for (operator, console, set, opened, fields) in &aside {
            tx.execute(
                "INSERT INTO aside_drafts (operator, console, set_at, opened_at, fields) \
                 SELECT ?1, ?2, ?3, ?4, ?5 WHERE NOT EXISTS (SELECT 1 FROM aside_drafts \
                 WHERE operator = ?1 AND console = ?2 AND set_at = ?3 AND fields = ?5)",
                args![operator, console, *set, *opened, fields],
            )
            .map_err(|e| file.err(e))?;
        }
        tx.commit().map_err(|e| file.err(e))?;
        self.db
            .batch("DELETE FROM console_drafts; DELETE FROM aside_drafts;")
            .map_err(|e| self.err(e))
    }

    /// Saves the draft of `console` (run by `operator`), replacing its previous one.
    pub fn save_draft(
        &mut self,
        console: &str,
        operator: &str,
        opened_at: DateTime<Utc>,
        saved_at: DateTime<Utc>,
        draft: &CallDraft,
    ) -> Result<()> {
        // CallDraft is plain strings: serializing it cannot fail.
        let fields = serde_json::to_string(draft).unwrap_or_default();
        let store = self.drafts()?;
        store
            .db
            .execute(
                "INSERT INTO console_drafts (console, operator, saved_at, opened_at, fields)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (console) DO UPDATE
                 SET operator = ?2, saved_at = ?3, opened_at = ?4, fields = ?5",
                args![
                    console,
                    operator,
                    saved_at.timestamp(),
                    opened_at.timestamp(),
                    fields
                ],
            )
            .map(|_| ())
            .map_err(|e| store.err(e))
    }

    /// The draft of one console, if any.
    pub fn load_draft(&self, console: &str) -> Result<Option<SavedDraft>> {
        let store = self.drafts()?;
        let row: Option<(i64, i64, String)> = store
            .db
            .query_one(
                "SELECT opened_at, saved_at, fields FROM console_drafts WHERE console = ?1",
                args![console],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .map_err(|e| store.err(e))?;
        Ok(row.and_then(|(o, s, f)| parse(o, s, &f)))
    }

    /// The consoles holding a draft of `operator`, newest draft first.
    pub fn draft_consoles(&self, operator: &str) -> Result<Vec<String>> {
        let store = self.drafts()?;
        store
            .db
            .query_vec(
                "SELECT console FROM console_drafts WHERE operator = ?1 \
                 ORDER BY saved_at DESC, console",
                args![operator],
                |r| r.get(0),
            )
            .map_err(|e| store.err(e))
    }

    /// Gives the draft of console `from` to console `to`, which has none; returns whether
    /// it moved. Two consoles claiming the same draft at once: one gets it.
    pub fn adopt_draft(&mut self, from: &str, to: &str) -> Result<bool> {
        let store = self.drafts()?;
        store
            .db
            .execute(
                "UPDATE console_drafts SET console = ?2 WHERE console = ?1 \
                 AND NOT EXISTS (SELECT 1 FROM console_drafts WHERE console = ?2)",
                args![from, to],
            )
            .map(|n| n == 1)
            .map_err(|e| store.err(e))
    }

    /// Forgets the draft of one console (its call was saved, or abandoned).
    pub fn clear_draft(&mut self, console: &str) -> Result<()> {
        let store = self.drafts()?;
        store
            .db
            .execute(
                "DELETE FROM console_drafts WHERE console = ?1",
                args![console],
            )
            .map(|_| ())
            .map_err(|e| store.err(e))
    }
}

/// A call being typed that was set aside to take another one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AsideDraft {
    pub id: i64,
    pub set_at: DateTime<Utc>,
    pub opened_at: DateTime<Utc>,
    pub draft: CallDraft,
}

impl Store {
    /// Sets a call being typed aside for `operator`, kept until taken back; returns its id.
    pub fn set_draft_aside(
        &mut self,
        console: &str,
        operator: &str,
        opened_at: DateTime<Utc>,
        set_at: DateTime<Utc>,
        draft: &CallDraft,
    ) -> Result<i64> {
        let fields = serde_json::to_string(draft).unwrap_or_default();
        let store = self.drafts()?;
        store
            .db
            .query_one(
                "INSERT INTO aside_drafts (operator, console, set_at, opened_at, fields) \
                 VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
                args![
                    operator,
                    console,
                    set_at.timestamp(),
                    opened_at.timestamp(),
                    fields
                ],
                |r| r.get(0),
            )
            .map(Option::unwrap_or_default)
            .map_err(|e| store.err(e))
    }

    /// The calls `operator` set aside, newest first (from any of their consoles).
    pub fn aside_drafts(&self, operator: &str) -> Result<Vec<AsideDraft>> {
        let store = self.drafts()?;
        let rows: Vec<(i64, i64, i64, String)> = store
            .db
            .query_vec(
                "SELECT id, set_at, opened_at, fields FROM aside_drafts WHERE operator = ?1 \
                 ORDER BY set_at DESC, id DESC",
                args![operator],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .map_err(|e| store.err(e))?;
        Ok(rows
            .into_iter()
            .filter_map(|(id, set, opened, fields)| {
                parse(opened, set, &fields).map(|d| AsideDraft {
                    id,
                    set_at: d.saved_at,
                    opened_at: d.opened_at,
                    draft: d.draft,
                })
            })
            .collect())
    }

    /// Takes a call set aside back: returns it and forgets it, or `None` when another
    /// console took it first.
    pub fn take_aside_draft(&mut self, id: i64) -> Result<Option<AsideDraft>> {
        let store = self.drafts()?;
        let row: Option<(i64, i64, String)> = store
            .db
            .query_one(
                "DELETE FROM aside_drafts WHERE id = ?1 RETURNING set_at, opened_at, fields",
                args![id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .map_err(|e| store.err(e))?;
        Ok(row.and_then(|(set, opened, fields)| {
            parse(opened, set, &fields).map(|d| AsideDraft {
                id,
                set_at: d.saved_at,
                opened_at: d.opened_at,
                draft: d.draft,
            })
        }))
    }
}
