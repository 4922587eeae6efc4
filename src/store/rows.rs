//! A call's row and its journal's lines as the store's modules read and append them: the
//! calls, the telephony, the GLPI outbox and the reports all go through these, so that
//! none of them imports another for a row.

use super::conn::Tx;
use super::db::{DbResult, Engine, Row, args};
use crate::domain::call::{Call, CallRef, CallStatus, JournalEntry, JournalKind, Outcome};
use crate::domain::time::from_unix;
use chrono::{DateTime, Utc};

/// The columns [`row_to_call`] reads, in its order.
pub(super) const CALL_COLUMNS: &str = "id, opened_at, closed_at, operator, caller_name, caller_phone, \
     caller_email, service, device, summary, status, outcome, handler, telephony_id, handled_seconds, glpi_ticket";

pub(super) fn row_to_call(r: &Row<'_>) -> DbResult<Call> {
    let status: String = r.get(10)?;
    let outcome: Option<String> = r.get(11)?;
    let operator: String = r.get(3)?;
    let handler: Option<String> = r.get(12)?;
    Ok(Call {
        handler: handler.unwrap_or_else(|| operator.clone()),
        reference: CallRef(r.get(0)?),
        opened_at: from_unix(r.get(1)?),
        closed_at: r.get::<Option<i64>>(2)?.map(from_unix),
        operator,
        caller_name: r.get(4)?,
        caller_phone: r.get(5)?,
        caller_email: r.get(6)?,
        service: r.get(7)?,
        device: r.get(8)?,
        summary: r.get(9)?,
        // The schema's CHECK constraints keep these two columns to known values.
        status: CallStatus::from_slug(&status).unwrap_or(CallStatus::Open),
        outcome: outcome.as_deref().and_then(Outcome::from_slug),
        telephony_id: r.get(13)?,
        handled_seconds: r.get(14)?,
        glpi_ticket: r.get(15)?,
    })
}

/// The columns [`row_to_journal_entry`] reads, in its order.
pub(super) const JOURNAL_COLUMNS: &str = "at, operator, kind, body";

pub(super) fn row_to_journal_entry(r: &Row<'_>) -> DbResult<JournalEntry> {
    let kind: String = r.get(2)?;
    Ok(JournalEntry {
        at: from_unix(r.get(0)?),
        operator: r.get(1)?,
        // An unknown kind (written by a newer guichet) reads as a note: its text is kept.
        kind: JournalKind::from_slug(&kind).unwrap_or(JournalKind::Note),
        text: r.get(3)?,
    })
}

/// The call's row, read for writing inside a transaction: on PostgreSQL it stays locked
/// until the transaction ends, so that two sites closing one call do it one after the
/// other.
pub(super) fn locked_call(tx: &Tx<'_>, reference: CallRef) -> DbResult<Option<Call>> {
    let sql = match tx.engine() {
        Engine::Sqlite => const_format_call("SELECT {} FROM calls WHERE id = ?1"),
        Engine::Postgres => const_format_call("SELECT {} FROM calls WHERE id = ?1 FOR UPDATE"),
    };
    tx.query_one(&sql, args![reference.0], row_to_call)
}

fn const_format_call(template: &str) -> String {
    template.replace("{}", CALL_COLUMNS)
}

/// One line added to a call's journal, inside the caller's transaction. On PostgreSQL the
/// server dates it by its own clock and signs it with the session's role (migration 0006):
/// `at` is not sent, and a client's time would be refused. On SQLite, whose clock is this
/// machine's, `at` is the line's time, within what the file's triggers accept.
pub(super) fn append(
    tx: &Tx<'_>,
    call: CallRef,
    at: DateTime<Utc>,
    operator: &str,
    kind: JournalKind,
    body: &str,
) -> DbResult<()> {
    append_line(tx, call, at, operator, kind, body, None)
}

/// [`append`], with where a procedure walk stands when the line is one of its moves.
pub(super) fn append_line(
    tx: &Tx<'_>,
    call: CallRef,
    at: DateTime<Utc>,
    operator: &str,
    kind: JournalKind,
    body: &str,
    walk: Option<&str>,
) -> DbResult<()> {
    match tx.engine() {
        Engine::Sqlite => tx.execute(
            "INSERT INTO journal (call_id, at, operator, kind, body, walk) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            args![call.0, at.timestamp(), operator, kind.slug(), body, walk],
        ),
        Engine::Postgres => tx.execute(
            "INSERT INTO journal (call_id, operator, kind, body, walk) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
            args![call.0, operator, kind.slug(), body, walk],
        ),
    }
    .map(|_| ())
}
