//! The GLPI hand-off's memory: the ticket each call became (`calls.glpi_ticket`, one per
//! call) and the outbox of pushes waiting to be sent, in order. Nothing here speaks HTTP:
//! `crate::glpi` sends, this module records what it is about to send and what was sent.

use super::conn::Db;
use super::db::{DbResult, Engine, Row, args};
use super::rows::{JOURNAL_COLUMNS, append, locked_call, row_to_journal_entry};
use super::{Result, Store, StoreError};
use crate::domain::call::{CallRef, JournalEntry, JournalKind};
use crate::domain::time::from_unix;
use chrono::{DateTime, Utc};

/// Who the journal says recorded a ticket's number: the hand-off, not the operator who
/// queued the push. Any console may send the pushes waiting, and the server refuses a line
/// in the name of an operator who has a login role of his own (migration 0006).
pub const GLPI_OPERATOR: &str = "GLPI";

/// Where a push is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxState {
    /// Not sent yet (never tried, or tried and failed: see `last_error`).
    Waiting,
    /// Claimed by a process, which wrote so before its request to GLPI.
    Sending,
    Sent,
}

impl OutboxState {
    fn from_slug(s: &str) -> OutboxState {
        match s {
            "sending" => OutboxState::Sending,
            "sent" => OutboxState::Sent,
            _ => OutboxState::Waiting,
        }
    }
}

/// One push of the outbox: the call's journal entries after `after_entry`, up to
/// `through_entry` (a new ticket when the call has none yet, else a followup).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEntry {
    pub id: i64,
    pub call: CallRef,
    pub queued_at: DateTime<Utc>,
    pub operator: String,
    pub after_entry: i64,
    pub through_entry: i64,
    pub state: OutboxState,
    /// Tries begun, this one included once claimed.
    pub attempts: i64,
    pub claimed_at: Option<DateTime<Utc>>,
    pub claimed_by: Option<String>,
    /// Why the last try failed, in one sentence.
    pub last_error: Option<String>,
    pub ticket: Option<i64>,
    /// « En doute »: a creating request of this push may have reached GLPI without its
    /// answer reaching guichet; nothing is created again before a search made at or after
    /// this time has looked for it.
    pub doubt_after: Option<DateTime<Utc>>,
}

const OUTBOX_COLUMNS: &str = "id, call_id, queued_at, operator, after_entry, through_entry, \
     state, attempts, claimed_at, claimed_by, last_error, ticket, doubt_after";

/// The desk's own mark in GLPI (migration 0019 on SQLite, 0008 on PostgreSQL).
pub(super) fn desk_marker(db: &Db) -> DbResult<String> {
    Ok(db
        .query_one("SELECT marker FROM desk_identity WHERE id = 1", &[], |r| {
            r.get(0)
        })?
        .unwrap_or_default())
}

fn row_to_entry(r: &Row<'_>) -> DbResult<OutboxEntry> {
    let state: String = r.get(6)?;
    Ok(OutboxEntry {
        id: r.get(0)?,
        call: CallRef(r.get(1)?),
        queued_at: from_unix(r.get(2)?),
        operator: r.get(3)?,
        after_entry: r.get(4)?,
        through_entry: r.get(5)?,
        state: OutboxState::from_slug(&state),
        attempts: r.get(7)?,
        claimed_at: r.get::<Option<i64>>(8)?.map(from_unix),
        claimed_by: r.get(9)?,
        last_error: r.get(10)?,
        ticket: r.get(11)?,
        doubt_after: r.get::<Option<i64>>(12)?.map(from_unix),
    })
}

impl Store {
    /// The desk's own mark in GLPI: made once by the schema, carried by `db copy`.
    pub fn glpi_desk_marker(&self) -> Result<String> {
        desk_marker(&self.db).map_err(|e| self.err(e))
    }

    /// Queues a push of the call's journal entries made since its last queued push (all
    /// of them the first time); `None` when there is nothing new to send.
    pub fn glpi_queue(
        &mut self,
        reference: CallRef,
        operator: &str,
        at: DateTime<Utc>,
    ) -> Result<Option<OutboxEntry>> {
        let path = self.name.clone();
        let err = |source| StoreError::db(&path, source);
        let tx = self.db.begin().map_err(err)?;
        locked_call(&tx, reference)
            .map_err(err)?
            .ok_or(StoreError::UnknownCall(reference))?;
        let after: i64 = tx
            .query_one(
                "SELECT coalesce(max(through_entry), 0) FROM glpi_outbox WHERE call_id = ?1",
                args![reference.0],
                |r| r.get(0),
            )
            .map_err(err)?
            .unwrap_or_default();
        let through: i64 = tx
            .query_one(
                "SELECT coalesce(max(id), 0) FROM journal WHERE call_id = ?1 \
                 AND kind <> 'glpi_ticket'",
                args![reference.0],
                |r| r.get(0),
            )
            .map_err(err)?
            .unwrap_or_default();
        if through <= after {
            return Ok(None);
        }
        let id: i64 = tx
            .query_one(
                "INSERT INTO glpi_outbox (call_id, queued_at, operator, after_entry, \
                 through_entry) VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
                args![reference.0, at.timestamp(), operator, after, through],
                |r| r.get(0),
            )
            .map_err(err)?
            .unwrap_or_default();
        let entry = tx
            .query_one(
                &format!("SELECT {OUTBOX_COLUMNS} FROM glpi_outbox WHERE id = ?1"),
                args![id],
                row_to_entry,
            )
            .map_err(err)?;
        tx.commit().map_err(err)?;
        Ok(entry)
    }

    /// The pushes not sent yet, oldest first (only the call `only`'s when given).
    pub fn glpi_waiting(&self, only: Option<CallRef>) -> Result<Vec<OutboxEntry>> {
        let sql = format!(
            "SELECT {OUTBOX_COLUMNS} FROM glpi_outbox WHERE state <> 'sent' \
             AND (?1 = 0 OR call_id = ?1) ORDER BY id"
        );
        self.db
            .query_vec(&sql, args![only.map_or(0, |r| r.0)], row_to_entry)
            .map_err(|e| self.err(e))
    }

    /// Every push of a call, oldest first.
    pub fn glpi_outbox_of(&self, reference: CallRef) -> Result<Vec<OutboxEntry>> {
        self.db
            .query_vec(
                &format!("SELECT {OUTBOX_COLUMNS} FROM glpi_outbox WHERE call_id = ?1 ORDER BY id"),
                args![reference.0],
                row_to_entry,
            )
            .map_err(|e| self.err(e))
    }

    /// Claims the push `id` for `claimer` before anything is sent: committed as
    /// « sending » with one more attempt. A push another process is sending (claimed, and
    /// `abandoned` does not say that claim is dead) is not taken: `None`; nor a sent one,
    /// nor one behind an older push of its call not sent yet: a call has one sender at a
    /// time, its pushes go in order.
    pub fn glpi_claim(
        &mut self,
        id: i64,
        claimer: &str,
        at: DateTime<Utc>,
        abandoned: &dyn Fn(&OutboxEntry) -> bool,
    ) -> Result<Option<OutboxEntry>> {
        let path = self.name.clone();
        let err = |source| StoreError::db(&path, source);
        let tx = self.db.begin().map_err(err)?;
        let lock = match tx.engine() {
            Engine::Sqlite => "",
            Engine::Postgres => " FOR UPDATE",
        };
        let Some(entry) = tx
            .query_one(
                &format!("SELECT {OUTBOX_COLUMNS} FROM glpi_outbox WHERE id = ?1{lock}"),
                args![id],
                row_to_entry,
            )
            .map_err(err)?
        else {
            return Ok(None);
        };
        match entry.state {
            OutboxState::Sent => return Ok(None),
            OutboxState::Sending if !abandoned(&entry) => return Ok(None),
            _ => {}
        }
        let before: i64 = tx
            .query_one(
                "SELECT count(*) FROM glpi_outbox WHERE call_id = ?1 AND id < ?2 \
                 AND state <> 'sent'",
                args![entry.call.0, id],
                |r| r.get(0),
            )
            .map_err(err)?
            .unwrap_or_default();
        if before > 0 {
            return Ok(None);
        }
        tx.execute(
            "UPDATE glpi_outbox SET state = 'sending', attempts = attempts + 1, \
             claimed_at = ?2, claimed_by = ?3 WHERE id = ?1",
            args![id, at.timestamp(), claimer],
        )
        .map_err(err)?;
        tx.commit().map_err(err)?;
        Ok(Some(OutboxEntry {
            state: OutboxState::Sending,
            attempts: entry.attempts + 1,
            claimed_at: Some(at),
            claimed_by: Some(claimer.to_string()),
            ..entry
        }))
    }

    /// The push `id`, claimed by `claimer` at its try `attempts`, is about to send a
    /// creating request: « en doute » until `after` (committed before the request). `false`
    /// when that claim is no longer the push's (another sender took it over as abandoned):
    /// then nothing must be sent.
    pub fn glpi_doubt(
        &mut self,
        id: i64,
        claimer: &str,
        attempts: i64,
        after: DateTime<Utc>,
    ) -> Result<bool> {
        self.db
            .execute(
                "UPDATE glpi_outbox SET doubt_after = ?4 WHERE id = ?1 AND state = 'sending' \
                 AND claimed_by = ?2 AND attempts = ?3",
                args![id, claimer, attempts, after.timestamp()],
            )
            .map(|changed| changed == 1)
            .map_err(|e| self.err(e))
    }

    /// The journal entries a push sends: after `after`, up to `through`, without the
    /// hand-off's own lines.
    pub fn glpi_entries(
        &self,
        reference: CallRef,
        after: i64,
        through: i64,
    ) -> Result<Vec<JournalEntry>> {
        self.db
            .query_vec(
                &format!(
                    "SELECT {JOURNAL_COLUMNS} FROM journal WHERE call_id = ?1 \
                     AND id > ?2 AND id <= ?3 AND kind <> 'glpi_ticket' ORDER BY id"
                ),
                args![reference.0, after, through],
                row_to_journal_entry,
            )
            .map_err(|e| self.err(e))
    }

    /// The ticket GLPI created (or that was found) for the push `id`: written on the call
    /// (once: a call never gets a second number), in its journal, and the push sent. One
    /// transaction.
    pub fn glpi_ticket_recorded(
        &mut self,
        id: i64,
        reference: CallRef,
        ticket: i64,
        operator: &str,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let path = self.name.clone();
        let err = |source| StoreError::db(&path, source);
        let tx = self.db.begin().map_err(err)?;
        let changed = tx
            .execute(
                "UPDATE calls SET glpi_ticket = ?2 WHERE id = ?1 AND glpi_ticket IS NULL",
                args![reference.0, ticket],
            )
            .map_err(err)?;
        if changed > 0 {
            append(
                &tx,
                reference,
                at,
                operator,
                JournalKind::GlpiTicket,
                &format!("ticket GLPI n° {ticket}"),
            )
            .map_err(err)?;
        }
        // The call's ticket, whichever was written first.
        tx.execute(
            "UPDATE glpi_outbox SET state = 'sent', sent_at = ?2, last_error = NULL, \
             doubt_after = NULL, ticket = (SELECT glpi_ticket FROM calls WHERE id = ?3) \
             WHERE id = ?1",
            args![id, at.timestamp(), reference.0],
        )
        .map_err(err)?;
        tx.commit().map_err(err)
    }

    /// The push `id` was added to the call's ticket `ticket` as a followup.
    pub fn glpi_followup_sent(&mut self, id: i64, ticket: i64, at: DateTime<Utc>) -> Result<()> {
        self.db
            .execute(
                "UPDATE glpi_outbox SET state = 'sent', sent_at = ?2, ticket = ?3, \
                 last_error = NULL, doubt_after = NULL WHERE id = ?1",
                args![id, at.timestamp(), ticket],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// The push `id` failed, or waits for its doubt to be settled: back to waiting, with
    /// why in one sentence (its doubt, if any, is kept).
    pub fn glpi_failed(&mut self, id: i64, sentence: &str) -> Result<()> {
        self.db
            .execute(
                "UPDATE glpi_outbox SET state = 'waiting', last_error = ?2 WHERE id = ?1",
                args![id, sentence],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }
}
