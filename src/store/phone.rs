//! The telephony's events and the handling time they give a call (the callers the desk has
//! seen before are [`super::callers`]'s).

use super::conn::{Db, Tx};
use super::db::{DbResult, Engine, Row, args};
use super::rows::{append, locked_call};
use super::{Result, Store};
use crate::domain::call::{CallRef, JournalKind};
use crate::domain::phone::call::{PhoneCall, StoredEvent, handled_for_reading};
use crate::domain::phone::event::{Direction, EventKind, HangupCause, PhoneEvent};
use crate::domain::time::{from_unix, paris};
use chrono::{DateTime, Utc};

/// Who the journal says recorded a handling time: the telephony, not an operator.
pub const TELEPHONY_OPERATOR: &str = "téléphonie";

/// What recording an event did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneRecorded {
    /// The same event of the same call was already there (a telephony system that sent
    /// it twice): nothing was written.
    pub repeated: bool,
    /// The guichet call opened from this phone call, when there is one yet.
    pub call: Option<CallRef>,
    /// The handling time written on that call by this event (a hangup).
    pub handled_seconds: Option<i64>,
}

/// Holds the phone call's lock until the transaction ends, on PostgreSQL: a hangup and
/// the call saved from it meanwhile see each other, whichever commits first (on SQLite,
/// `BEGIN IMMEDIATE` already puts writers one after the other).
pub(super) fn lock_telephony_call(tx: &Tx<'_>, telephony_id: &str) -> DbResult<()> {
    if tx.engine() == Engine::Postgres {
        tx.query_one(
            "SELECT 1 FROM (SELECT pg_advisory_xact_lock(hashtext(?1))) AS locked",
            args![telephony_id],
            |_| Ok(()),
        )?;
    }
    Ok(())
}

fn row_to_event(r: &Row<'_>) -> DbResult<StoredEvent> {
    let kind: String = r.get(1)?;
    let direction: String = r.get(5)?;
    let users: String = r.get(6)?;
    let cause: Option<String> = r.get(8)?;
    Ok(StoredEvent {
        at: from_unix(r.get(0)?),
        event: PhoneEvent {
            // The schema's CHECK constraints keep these columns to known values.
            kind: EventKind::from_slug(&kind).unwrap_or(EventKind::NewCall),
            call_id: r.get(2)?,
            from: r.get(3)?,
            // The column is NOT NULL: an event that did not name the number called holds ''.
            to: Some(r.get::<String>(4)?).filter(|t| !t.is_empty()),
            direction: Direction::from_slug(&direction).unwrap_or(Direction::In),
            users: users
                .lines()
                .filter(|u| !u.is_empty())
                .map(String::from)
                .collect(),
            answering_number: r.get(7)?,
            cause: cause.as_deref().and_then(HangupCause::from_slug),
        },
    })
}

const EVENT_COLUMNS: &str =
    "at, event, telephony_id, from_number, to_number, direction, users, answering_number, cause";

/// The events of one phone call, in the order they came.
fn events_of(db: &Db, telephony_id: &str) -> DbResult<Vec<StoredEvent>> {
    db.query_vec(
        &format!("SELECT {EVENT_COLUMNS} FROM phone_events WHERE telephony_id = ?1 ORDER BY id"),
        args![telephony_id],
        row_to_event,
    )
}

/// How a guichet call holds a phone call: saved from it (`calls.telephony_id`), or taken
/// on it afterwards (`phone_links`, F6 on a caller's open call).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Holding {
    SavedFrom,
    TakenOn,
}

/// The guichet call a phone call belongs to, with who handles it and how it holds it.
fn call_of_phone(db: &Db, telephony_id: &str) -> DbResult<Option<(CallRef, String, Holding)>> {
    let row = |holding| {
        move |r: &Row<'_>| {
            Ok((
                CallRef(r.get(0)?),
                r.get::<Option<String>>(1)?.unwrap_or_default(),
                holding,
            ))
        }
    };
    if let Some(found) = db.query_one(
        "SELECT id, handler FROM calls WHERE telephony_id = ?1 ORDER BY id LIMIT 1",
        args![telephony_id],
        row(Holding::SavedFrom),
    )? {
        return Ok(Some(found));
    }
    db.query_one(
        "SELECT call_id, operator FROM phone_links WHERE telephony_id = ?1",
        args![telephony_id],
        row(Holding::TakenOn),
    )
}

/// Writes the handling time on the call `reference` once its phone call has hung up
/// after an answer, unless it was written already; returns it when written now. A call
/// saved from the phone call gets it as its handling time; a call it was taken on adds it
/// to its own (the caller's calls about the same matter, all told). The journal's line is
/// `operator`'s (the telephony's when empty). On SQLite it is dated at the hangup, or later
/// when it is written later (`at`: a phone call taken on a call after it hung up), and never
/// before the lines the call already has (a hangup the telephony delivers late): the file
/// refuses a line out of order. The server dates it itself.
pub(super) fn record_handled_time(
    tx: &Tx<'_>,
    reference: CallRef,
    telephony_id: &str,
    operator: &str,
    at: DateTime<Utc>,
    holding: Holding,
) -> DbResult<Option<i64>> {
    let events = events_of(tx, telephony_id)?;
    let Some(call) = PhoneCall::from_events(&events).into_iter().next() else {
        return Ok(None);
    };
    let (Some(seconds), Some(answered), Some(hung_up)) =
        (call.handled_seconds(), call.answered_at, call.hung_up_at)
    else {
        return Ok(None);
    };
    // Each way has its own guard, so that the time is written once whatever runs twice.
    let changed = match holding {
        Holding::SavedFrom => tx.execute(
            "UPDATE calls SET handled_seconds = ?2 WHERE id = ?1 AND handled_seconds IS NULL",
            args![reference.0, seconds],
        )?,
        Holding::TakenOn => {
            let marked = tx.execute(
                "UPDATE phone_links SET handled_seconds = ?2 \
                 WHERE telephony_id = ?1 AND handled_seconds IS NULL",
                args![telephony_id, seconds],
            )?;
            if marked > 0 {
                tx.execute(
                    "UPDATE calls SET handled_seconds = coalesce(handled_seconds, 0) + ?2 \
                     WHERE id = ?1",
                    args![reference.0, seconds],
                )?;
            }
            marked
        }
    };
    if changed == 0 {
        return Ok(None);
    }
    let body = format!(
        "appel traité en {} (décroché à {}, raccroché à {})",
        handled_for_reading(seconds),
        paris(answered, "%H:%M:%S"),
        paris(hung_up, "%H:%M:%S"),
    );
    let by = if operator.is_empty() {
        TELEPHONY_OPERATOR
    } else {
        operator
    };
    let last = match tx.engine() {
        Engine::Sqlite => tx
            .query_one(
                "SELECT max(at) FROM journal WHERE call_id = ?1",
                args![reference.0],
                |r| r.get::<Option<i64>>(0),
            )?
            .flatten()
            .map(from_unix),
        Engine::Postgres => None,
    };
    let dated = [hung_up, at].into_iter().chain(last).max().unwrap_or(at);
    append(tx, reference, dated, by, JournalKind::Handled, &body)?;
    Ok(Some(seconds))
}

/// What taking a phone call on an open call did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhoneLink {
    /// The phone call now goes to this call; its handling time, when written now (it
    /// had hung up already).
    Linked { handled_seconds: Option<i64> },
    /// The phone call went to another call already (saved from it, or taken on it).
    Already(CallRef),
}

impl Store {
    /// Records one event of the telephony, received at `at`. A hangup writes the handling
    /// time on the call opened from that phone call, if there is one yet (else the call
    /// gets it when it is saved). The same event sent twice is kept once.
    pub fn record_phone_event(
        &mut self,
        event: &PhoneEvent,
        at: DateTime<Utc>,
    ) -> Result<PhoneRecorded> {
        let path = self.name.clone();
        let err = |source| super::StoreError::db(&path, source);
        let tx = self.db.begin().map_err(err)?;
        lock_telephony_call(&tx, &event.call_id).map_err(err)?;
        let inserted = tx
            .execute(
                "INSERT INTO phone_events (at, event, telephony_id, from_number, to_number, \
                 direction, users, answering_number, cause) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) \
                 ON CONFLICT (telephony_id, event) DO NOTHING",
                args![
                    at.timestamp(),
                    event.kind.slug(),
                    &event.call_id,
                    event.from.as_deref(),
                    event.to.as_deref().unwrap_or(""),
                    event.direction.slug(),
                    event.users.join("\n"),
                    event.answering_number.as_deref(),
                    event.cause.as_ref().map(HangupCause::slug),
                ],
            )
            .map_err(err)?;
        let call = call_of_phone(&tx, &event.call_id).map_err(err)?;
        let mut handled_seconds = None;
        // The telephony's line, not the handler's: whoever relays the event (a console's
        // listener, `phone event`) writes it, and the server refuses a line in the name of
        // an operator who has a login role of his own (migration 0006).
        if inserted > 0
            && event.kind == EventKind::Hangup
            && let Some((reference, _, holding)) = &call
        {
            handled_seconds =
                record_handled_time(&tx, *reference, &event.call_id, "", at, *holding)
                    .map_err(err)?;
        }
        tx.commit().map_err(err)?;
        Ok(PhoneRecorded {
            repeated: inserted == 0,
            call: call.map(|(r, _, _)| r),
            handled_seconds,
        })
    }

    /// Takes the phone call `telephony_id` on the open call `reference` (the caller rang
    /// again about it): its handling time will go to that call, with a journal line now
    /// saying so. A phone call that already went to a call stays there.
    pub fn link_phone_call(
        &mut self,
        reference: CallRef,
        telephony_id: &str,
        operator: &str,
        at: DateTime<Utc>,
    ) -> Result<PhoneLink> {
        let path = self.name.clone();
        let err = |source| super::StoreError::db(&path, source);
        let tx = self.db.begin().map_err(err)?;
        lock_telephony_call(&tx, telephony_id).map_err(err)?;
        if let Some((other, _, _)) = call_of_phone(&tx, telephony_id).map_err(err)? {
            return Ok(PhoneLink::Already(other));
        }
        locked_call(&tx, reference)
            .map_err(err)?
            .ok_or(super::StoreError::UnknownCall(reference))?;
        tx.execute(
            "INSERT INTO phone_links (telephony_id, call_id, linked_at, operator) \
             VALUES (?1, ?2, ?3, ?4)",
            args![telephony_id, reference.0, at.timestamp(), operator],
        )
        .map_err(err)?;
        let events = events_of(&tx, telephony_id).map_err(err)?;
        let caller = PhoneCall::from_events(&events)
            .into_iter()
            .next()
            .map(|c| c.caller_for_reading())
            .unwrap_or_else(|| "numéro masqué".into());
        append(
            &tx,
            reference,
            at,
            operator,
            JournalKind::Note,
            &format!("nouvel appel téléphonique ({caller}) pris sur cet appel"),
        )
        .map_err(err)?;
        let handled_seconds =
            record_handled_time(&tx, reference, telephony_id, operator, at, Holding::TakenOn)
                .map_err(err)?;
        tx.commit().map_err(err)?;
        Ok(PhoneLink::Linked { handled_seconds })
    }

    /// The guichet call a phone call went to, if any: the one saved from it, or the one it
    /// was taken on.
    pub fn call_of_phone(&self, telephony_id: &str) -> Result<Option<CallRef>> {
        Ok(call_of_phone(&self.db, telephony_id)
            .map_err(|e| self.err(e))?
            .map(|(r, _, _)| r))
    }

    /// The phone calls with an event since `since`, in the order they began: a console
    /// keeps those that ring or are answered on its extension.
    pub fn phone_calls_since(&self, since: DateTime<Utc>) -> Result<Vec<PhoneCall>> {
        let events = self
            .db
            .query_vec(
                &format!(
                    "SELECT {EVENT_COLUMNS} FROM phone_events WHERE telephony_id IN \
                     (SELECT telephony_id FROM phone_events WHERE at >= ?1) ORDER BY id"
                ),
                args![since.timestamp()],
                row_to_event,
            )
            .map_err(|e| self.err(e))?;
        Ok(PhoneCall::from_events(&events))
    }

    /// The phone calls that began in `[from, to)`, with all their events (an answer or a
    /// hangup after `to` included), in the order they began.
    pub fn phone_calls_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<PhoneCall>> {
        let events = self
            .db
            .query_vec(
                &format!(
                    "SELECT {EVENT_COLUMNS} FROM phone_events WHERE telephony_id IN \
                     (SELECT telephony_id FROM phone_events WHERE at >= ?1 AND at < ?2) \
                     ORDER BY id"
                ),
                args![from.timestamp(), to.timestamp()],
                row_to_event,
            )
            .map_err(|e| self.err(e))?;
        Ok(PhoneCall::from_events(&events)
            .into_iter()
            .filter(|c| c.rang_at >= from && c.rang_at < to)
            .collect())
    }

    /// The events of one phone call, in the order they came.
    pub fn phone_events(&self, telephony_id: &str) -> Result<Vec<StoredEvent>> {
        events_of(&self.db, telephony_id).map_err(|e| self.err(e))
    }
}
