//! Calls and their journal.

use super::conn::Tx;
use super::db::{DbError, Engine, Value, args};
use super::rows::{
    CALL_COLUMNS, JOURNAL_COLUMNS, append, append_line, locked_call, row_to_call,
    row_to_journal_entry,
};
use super::{Result, Store, StoreError};
use crate::domain::call::{
    Call, CallRecord, CallRef, CallStatus, JournalEntry, JournalKind, NewCall, Outcome,
    check_closing,
};
use crate::domain::text::{digits, fold};
use crate::domain::walk::WalkMark;
use chrono::{DateTime, Utc};

/// Which calls a list shows. Every field narrows the list; `None` means no constraint.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallFilter {
    pub open_only: bool,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub service: Option<String>,
    pub device: Option<String>,
    pub operator: Option<String>,
    /// Part of the caller's name (any case, any accents), of the phone number's digits or
    /// words of the summary; a call reference as operators type it ("A-0005", "a5", "5")
    /// also finds that call.
    pub caller: Option<String>,
    /// At most this many calls, newest first; `None` for all.
    pub limit: Option<u32>,
    /// Skip this many first (the next page of a list being scrolled).
    pub offset: u32,
}

/// How many of the newest calls a search of one or two letters looks through: too short
/// for the trigram index, it is a scan, kept to the recent calls (three letters search
/// them all).
pub const SHORT_SEARCH_WINDOW: i64 = 5_000;

fn search_key(name: &str, phone: Option<&str>) -> String {
    format!(
        "{}\u{1f}{}",
        fold(name),
        phone.map(digits).unwrap_or_default()
    )
}

/// Why a write on a call cannot go on: the engine failed, or there is no such call.
enum Refusal {
    Db(DbError),
    Unknown(CallRef),
}

impl From<DbError> for Refusal {
    fn from(e: DbError) -> Self {
        Refusal::Db(e)
    }
}

fn refused(path: &str, r: Refusal) -> StoreError {
    match r {
        Refusal::Db(e) => StoreError::db(path, e),
        Refusal::Unknown(reference) => StoreError::UnknownCall(reference),
    }
}

/// The status of an existing call, inside a write transaction (its row locked).
fn status_of(tx: &Tx<'_>, reference: CallRef) -> std::result::Result<CallStatus, Refusal> {
    match locked_call(tx, reference)? {
        Some(call) => Ok(call.status),
        None => Err(Refusal::Unknown(reference)),
    }
}

/// The text the trigram index searches, on both engines: the folded name, the phone's
/// digits and the folded summary (the triggers add the reference).
fn search_text(call: &NewCall) -> String {
    search_text_of(
        &call.caller_name,
        call.caller_phone.as_deref(),
        &call.summary,
    )
}

pub fn search_text_of(name: &str, phone: Option<&str>, summary: &str) -> String {
    format!(
        "{} {} {}",
        fold(name),
        phone.map(digits).unwrap_or_default(),
        fold(summary)
    )
}

impl Store {
    /// Stores a checked call with its opening entry, its notes and the procedures used, in
    /// one transaction; returns it as stored.
    pub fn insert_call(&mut self, call: &NewCall) -> Result<Call> {
        self.insert_proposed_call(call, &[])
    }

    /// [`Store::insert_call`], with the procedures the form proposed for it, best first
    /// (the first [`super::PROPOSALS_KEPT`] are kept, for `report procedures`).
    pub fn insert_proposed_call(&mut self, call: &NewCall, proposed: &[String]) -> Result<Call> {
        let path = self.name.clone();
        let err = |source| StoreError::db(&path, source);
        let tx = self.db.begin().map_err(err)?;
        if let Some(id) = &call.telephony_id {
            super::phone::lock_telephony_call(&tx, id).map_err(err)?;
        }
        // The search text, folded by the project's rule, is written with the row on both
        // engines; SQLite's trigger indexes it, the server's appends the reference.
        let sql = "INSERT INTO calls (opened_at, operator, caller_name, caller_phone, \
                   caller_email, service, device, summary, status, search_key, handler, \
                   telephony_id, search_text) \
                   VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'open', ?9, ?2, ?10, ?11) RETURNING id";
        let mut values = args![
            call.opened_at.timestamp(),
            &call.operator,
            &call.caller_name,
            call.caller_phone.as_deref(),
            call.caller_email.as_deref(),
            &call.service,
            &call.device,
            &call.summary,
            search_key(&call.caller_name, call.caller_phone.as_deref()),
            call.telephony_id.as_deref(),
        ]
        .to_vec();
        values.push(Value::from(search_text(call)));
        let id: i64 = tx
            .query_one(sql, &values, |r| r.get(0))
            .map_err(err)?
            .unwrap_or_default();
        let reference = CallRef(id);
        let at = call.opened_at;
        append(
            &tx,
            reference,
            at,
            &call.operator,
            JournalKind::Opened,
            &call.summary,
        )
        .map_err(err)?;
        if let Some(notes) = &call.notes {
            append(&tx, reference, at, &call.operator, JournalKind::Note, notes).map_err(err)?;
        }
        for slug in &call.procedures {
            append(
                &tx,
                reference,
                at,
                &call.operator,
                JournalKind::Procedure,
                slug,
            )
            .map_err(err)?;
        }
        super::walk_records::record_proposals(&tx, reference, proposed).map_err(err)?;
        if let Some(id) = &call.telephony_id {
            // The caller may have hung up while the form was being finished.
            super::phone::record_handled_time(
                &tx,
                reference,
                id,
                &call.operator,
                at,
                super::phone::Holding::SavedFrom,
            )
            .map_err(err)?;
        }
        let stored = locked_call(&tx, reference)
            .map_err(err)?
            .ok_or(StoreError::UnknownCall(reference))?;
        tx.commit().map_err(err)?;
        Ok(stored)
    }

    /// Calls matching `filter`, newest first.
    pub fn list_calls(&self, filter: &CallFilter) -> Result<Vec<Call>> {
        let mut calls = Vec::new();
        self.for_each_call(filter, |call| {
            calls.push(call);
            Ok::<(), StoreError>(())
        })?;
        Ok(calls)
    }

    /// Calls matching `filter`, newest first, handed to `each` one at a time as SQLite
    /// reads them: a listing or an export of a million calls holds one in memory. `each`
    /// may stop the walk with its own error (a closed pipe, a failed write).
    pub fn for_each_call<E: From<StoreError>>(
        &self,
        filter: &CallFilter,
        each: impl FnMut(Call) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        let (sql, args, exact) = list_query(filter, self.engine());
        let mut each = each;
        // A reference typed whole comes first, found by its key; the index's rows follow.
        let mut limit = filter.limit;
        if let Some(reference) = exact {
            let mut only = filter.clone();
            only.caller = None;
            only.limit = Some(1);
            only.offset = 0;
            let (sql_one, mut args_one, _) = list_query(&only, self.engine());
            let at = sql_one.find(" ORDER BY").unwrap_or(sql_one.len());
            let sql_one = format!(
                "{} AND c.id = ?{}{}",
                &sql_one[..at],
                args_one.len() + 1,
                &sql_one[at..]
            );
            args_one.push(reference.0.into());
            let mut found = false;
            if filter.offset == 0 {
                self.stream_calls(&sql_one, &args_one, |call| {
                    found = true;
                    each(call)
                })?;
            }
            if found {
                limit = limit.map(|l| l.saturating_sub(1));
                if limit == Some(0) {
                    return Ok(());
                }
            }
            let mut rest = filter.clone();
            rest.limit = limit;
            let (sql, args, _) = list_query(&rest, self.engine());
            return self.stream_calls(&sql, &args, |call| {
                if call.reference == reference {
                    Ok(())
                } else {
                    each(call)
                }
            });
        }
        self.stream_calls(&sql, &args, each)
    }

    /// The calls opened in `[from, to)` (one operator's when given), oldest first, one at
    /// a time: the handover's CSV export.
    pub fn for_each_window_call<E: From<StoreError>>(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        operator: Option<&str>,
        each: impl FnMut(Call) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        let sql = format!(
            "SELECT {CALL_COLUMNS} FROM calls WHERE opened_at >= ?1 AND opened_at < ?2 \
             AND (CAST(?3 AS TEXT) IS NULL OR operator = ?3) ORDER BY opened_at, id"
        );
        self.stream_calls(
            &sql,
            args![from.timestamp(), to.timestamp(), operator],
            each,
        )
    }

    fn stream_calls<E: From<StoreError>>(
        &self,
        sql: &str,
        args: &[Value],
        mut each: impl FnMut(Call) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        /// The walk's own error, or the engine's.
        enum Stop<E> {
            Db(DbError),
            Each(E),
        }
        impl<E> From<DbError> for Stop<E> {
            fn from(e: DbError) -> Self {
                Stop::Db(e)
            }
        }
        let walked = self.db.query_each(sql, args, |row| {
            let call = row_to_call(row)?;
            each(call).map_err(Stop::Each)
        });
        match walked {
            Ok(()) => Ok(()),
            Err(Stop::Db(e)) => Err(self.err(e).into()),
            Err(Stop::Each(e)) => Err(e),
        }
    }

    /// One call and its whole journal.
    pub fn get_call(&self, reference: CallRef) -> Result<CallRecord> {
        let call = self
            .db
            .query_one(
                &format!("SELECT {CALL_COLUMNS} FROM calls WHERE id = ?1"),
                args![reference.0],
                row_to_call,
            )
            .map_err(|e| self.err(e))?
            .ok_or(StoreError::UnknownCall(reference))?;
        let journal = self
            .db
            .query_vec(
                &format!("SELECT {JOURNAL_COLUMNS} FROM journal WHERE call_id = ?1 ORDER BY id"),
                args![reference.0],
                row_to_journal_entry,
            )
            .map_err(|e| self.err(e))?;
        Ok(CallRecord { call, journal })
    }

    /// The newest line of a call's journal (the handover's waiting calls, the banner of a
    /// ringing caller's open call).
    pub(super) fn last_journal_entry(&self, reference: CallRef) -> Result<Option<JournalEntry>> {
        self.db
            .query_one(
                &format!(
                    "SELECT {JOURNAL_COLUMNS} FROM journal WHERE call_id = ?1 ORDER BY id DESC LIMIT 1"
                ),
                args![reference.0],
                row_to_journal_entry,
            )
            .map_err(|e| self.err(e))
    }

    /// Appends a note (already checked) to a call's journal.
    pub fn add_note(
        &mut self,
        reference: CallRef,
        operator: &str,
        at: DateTime<Utc>,
        note: &str,
    ) -> Result<()> {
        let path = self.name.clone();
        let err = |source| StoreError::db(&path, source);
        let tx = self.db.begin().map_err(err)?;
        status_of(&tx, reference).map_err(|r| refused(&path, r))?;
        append(&tx, reference, at, operator, JournalKind::Note, note).map_err(err)?;
        tx.commit().map_err(err)
    }

    /// Closes an open call with its outcome, and an optional closing note.
    pub fn close_call(
        &mut self,
        reference: CallRef,
        operator: &str,
        at: DateTime<Utc>,
        outcome: Outcome,
        note: Option<&str>,
    ) -> Result<Call> {
        let path = self.name.clone();
        let err = |source| StoreError::db(&path, source);
        let tx = self.db.begin().map_err(err)?;
        let current = locked_call(&tx, reference)
            .map_err(err)?
            .ok_or(StoreError::UnknownCall(reference))?;
        if current.status == CallStatus::Closed {
            return Err(StoreError::AlreadyClosed(reference));
        }
        check_closing(reference, current.opened_at, at)?;
        // An outcome the journal already holds (a procedure escalated the call) is not
        // written twice.
        let recorded = current.outcome.map(Outcome::slug);
        tx.execute(
            "UPDATE calls SET status = 'closed', closed_at = ?2, outcome = ?3 WHERE id = ?1",
            args![reference.0, at.timestamp(), outcome.slug()],
        )
        .map_err(err)?;
        if let Some(note) = note {
            append(&tx, reference, at, operator, JournalKind::Note, note).map_err(err)?;
        }
        if recorded != Some(outcome.slug()) {
            append(
                &tx,
                reference,
                at,
                operator,
                JournalKind::Outcome,
                outcome.slug(),
            )
            .map_err(err)?;
        }
        append(&tx, reference, at, operator, JournalKind::Status, "closed").map_err(err)?;
        let call = locked_call(&tx, reference)
            .map_err(err)?
            .ok_or(StoreError::UnknownCall(reference))?;
        tx.commit().map_err(err)?;
        Ok(call)
    }

    /// Corrects a closed call's outcome (a callback that turned into an escalation, a
    /// wrong key at closing): the call's outcome becomes `outcome`; the journal keeps the
    /// first one and gains the optional note, then an `OutcomeCorrected` entry. Refuses an
    /// open call (close it instead) and the outcome it already has. One transaction.
    pub fn correct_outcome(
        &mut self,
        reference: CallRef,
        operator: &str,
        at: DateTime<Utc>,
        outcome: Outcome,
        note: Option<&str>,
    ) -> Result<Call> {
        let path = self.name.clone();
        let err = |source| StoreError::db(&path, source);
        let tx = self.db.begin().map_err(err)?;
        let current = locked_call(&tx, reference)
            .map_err(err)?
            .ok_or(StoreError::UnknownCall(reference))?;
        if current.status != CallStatus::Closed {
            return Err(StoreError::NotClosed(reference));
        }
        if current.outcome == Some(outcome) {
            return Err(StoreError::SameOutcome(reference, outcome));
        }
        tx.execute(
            "UPDATE calls SET outcome = ?2 WHERE id = ?1",
            args![reference.0, outcome.slug()],
        )
        .map_err(err)?;
        if let Some(note) = note {
            append(&tx, reference, at, operator, JournalKind::Note, note).map_err(err)?;
        }
        append(
            &tx,
            reference,
            at,
            operator,
            JournalKind::OutcomeCorrected,
            outcome.slug(),
        )
        .map_err(err)?;
        let call = locked_call(&tx, reference)
            .map_err(err)?
            .ok_or(StoreError::UnknownCall(reference))?;
        tx.commit().map_err(err)?;
        Ok(call)
    }

    /// How many calls are open, for the list's title.
    pub fn count_open(&self) -> Result<i64> {
        self.db
            .query_one(
                "SELECT count(*) FROM calls WHERE status = 'open'",
                &[],
                |r| r.get(0),
            )
            .map(Option::unwrap_or_default)
            .map_err(|e| self.err(e))
    }
}

/// The SQL and arguments of a call listing.
/// The words of a list search as the trigram index takes them: a phone number as its
/// digits, any other text folded and cut into words; the words of three letters or more
/// go to the index (`MATCH`), the shorter ones are checked on the rows it returns.
struct SearchWords {
    indexed: Vec<String>,
    short: Vec<String>,
    /// The words in the order typed.
    words: Vec<String>,
    /// The text is a phone number: one word, its digits.
    phone: bool,
}

fn search_words(text: &str) -> SearchWords {
    let is_phone = text
        .chars()
        .all(|c| c.is_ascii_digit() || " .-+()/".contains(c));
    let words: Vec<String> = if is_phone {
        vec![digits(text)]
    } else {
        fold(text).split_whitespace().map(String::from).collect()
    };
    let words: Vec<String> = words.into_iter().filter(|w| !w.is_empty()).collect();
    let (indexed, short) = words.iter().cloned().partition(|w| w.chars().count() >= 3);
    SearchWords {
        indexed,
        short,
        words,
        phone: is_phone,
    }
}

/// Whether `call` is one a list search for `text` finds, by the rule the store searches
/// with (see `list_query`): every word in the folded name, the phone's digits, the folded
/// summary or, for words of three letters or more, the reference as typed ("a-0042"). A
/// text that reads as a reference is looked up by its key instead: `None`, ask the store.
/// The list uses it to narrow what it already holds as the operator types on.
pub fn call_matches(call: &Call, text: &str) -> Option<bool> {
    let text = text.trim();
    if text.is_empty() {
        return Some(true);
    }
    if text.parse::<CallRef>().is_ok() {
        return None;
    }
    let words = search_words(text);
    let plain = format!(
        "{} {} {}",
        fold(&call.caller_name),
        call.caller_phone.as_deref().map(digits).unwrap_or_default(),
        fold(&call.summary)
    );
    let with_reference = format!("{plain} {}", fold(&call.reference.to_string()));
    Some(
        words
            .indexed
            .iter()
            .all(|w| with_reference.contains(w.as_str()))
            && words.short.iter().all(|w| plain.contains(w.as_str())),
    )
}

/// Whether the calls found for `now` are always among those found for `before`, so that a
/// list holding every match of `before` may narrow them with [`call_matches`]: `now`
/// types on after `before`, neither is a reference, and no word grows from the short ones
/// (found in the name, the phone and the summary) into the indexed ones (the reference's
/// text too).
pub fn narrows(before: &str, now: &str) -> bool {
    if before.trim().is_empty() || !now.starts_with(before) {
        return false;
    }
    if before.trim().parse::<CallRef>().is_ok() || now.trim().parse::<CallRef>().is_ok() {
        return false;
    }
    let (b, n) = (search_words(before), search_words(now));
    if b.phone != n.phone {
        return false;
    }
    // Every word of `before` is still there, as it was or longer, in the same class.
    b.words.iter().all(|w| {
        n.words.iter().any(|m| {
            m.starts_with(w.as_str()) && (m.chars().count() >= 3) == (w.chars().count() >= 3)
        })
    })
}

/// An FTS5 query: every word as a quoted phrase, all required.
fn fts_query(words: &[String]) -> String {
    words
        .iter()
        .map(|w| format!("\"{}\"", w.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(" AND ")
}

#[cfg(test)]
pub(super) fn list_query_for_tests(
    filter: &CallFilter,
    engine: Engine,
) -> (String, Vec<Value>, Option<CallRef>) {
    list_query(filter, engine)
}

/// The query of a list, its arguments, and the reference to look up first when the text
/// is one and the index serves the rest. The index is FTS5's trigram table on SQLite, a
/// trigram (GIN) index on each call's folded text on PostgreSQL; both read newest first.
fn list_query(filter: &CallFilter, engine: Engine) -> (String, Vec<Value>, Option<CallRef>) {
    let text = filter
        .caller
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty());
    let mut words = text.map(search_words);
    // The open calls are few: looked through directly (their own index), whatever the
    // words; the trigram index would walk every match to find the few that are open.
    if filter.open_only
        && let Some(w) = words.as_mut()
    {
        let indexed = std::mem::take(&mut w.indexed);
        w.short.splice(0..0, indexed);
    }
    // Words long enough for the index: the rows come from it, newest first (by row id).
    let indexed = words.as_ref().filter(|w| !w.indexed.is_empty());
    let columns = CALL_COLUMNS
        .split(", ")
        .map(|col| format!("c.{col}"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut args: Vec<Value> = Vec::new();
    let mut sql = match (indexed, engine) {
        (Some(w), Engine::Sqlite) => {
            args.push(fts_query(&w.indexed).into());
            format!(
                "SELECT {columns} FROM call_search s JOIN calls c ON c.id = s.rowid \
                 WHERE s.call_search MATCH ?1"
            )
        }
        (Some(w), Engine::Postgres) => {
            let mut sql = format!("SELECT {columns} FROM calls c WHERE 1 = 1");
            for word in &w.indexed {
                args.push(format!("%{}%", like_escape(word)).into());
                sql.push_str(&format!(
                    " AND c.search_text LIKE ?{} ESCAPE '\\'",
                    args.len()
                ));
            }
            sql
        }
        (None, _) => format!("SELECT {columns} FROM calls c WHERE 1 = 1"),
    };
    // Appends a clause whose `?`s take `values` in order.
    let mut arg = |sql: &mut String, clause: &str, values: Vec<Value>| {
        let mut parts = clause.split('?');
        sql.push_str(parts.next().unwrap_or_default());
        for (part, v) in parts.zip(values) {
            args.push(v);
            sql.push_str(&format!("?{}{part}", args.len()));
        }
    };
    if filter.open_only {
        sql.push_str(" AND c.status = 'open'");
    }
    if let Some(t) = filter.since {
        arg(
            &mut sql,
            " AND c.opened_at >= ?",
            vec![t.timestamp().into()],
        );
    }
    if let Some(t) = filter.until {
        arg(&mut sql, " AND c.opened_at < ?", vec![t.timestamp().into()]);
    }
    if let Some(s) = &filter.service {
        arg(&mut sql, " AND c.service = ?", vec![s.clone().into()]);
    }
    if let Some(d) = &filter.device {
        arg(&mut sql, " AND c.device = ?", vec![d.clone().into()]);
    }
    if let Some(o) = &filter.operator {
        arg(&mut sql, " AND c.operator = ?", vec![o.clone().into()]);
    }
    if let (Some(text), Some(words)) = (text, &words) {
        // The short words, checked on what the index gave (or on the recent calls when
        // nothing was long enough for it). A reference typed short ("a 5") is one text,
        // not two words.
        let short = match text.parse::<CallRef>() {
            Ok(_) if indexed.is_none() => vec![fold(text)],
            _ => words.short.clone(),
        };
        let mut checks = Vec::new();
        let mut values = Vec::new();
        for w in &short {
            let pattern = format!("%{}%", like_escape(w));
            match engine {
                // The folded text, without the reference (which only the index holds).
                Engine::Sqlite => checks.push("c.search_text LIKE ? ESCAPE '\\'"),
                // The text before the reference (see the trigger of 0001_desk.sql).
                Engine::Postgres => {
                    checks.push("split_part(c.search_text, chr(31), 1) LIKE ? ESCAPE '\\'")
                }
            }
            values.push(pattern.into());
        }
        let mut clause = if checks.is_empty() {
            String::new()
        } else {
            checks.join(" AND ")
        };
        if indexed.is_none() && !checks.is_empty() && !filter.open_only {
            clause = format!(
                "c.id > (SELECT coalesce(max(id), 0) FROM calls) - {SHORT_SEARCH_WINDOW} AND {clause}"
            );
        }
        // What reads as a reference ("A-0005", "a5", "0005") also finds that call, by
        // its primary key.
        match text.parse::<CallRef>() {
            Ok(reference) if indexed.is_none() => {
                let condition = if clause.is_empty() {
                    "1 = 0".to_string()
                } else {
                    clause
                };
                values.insert(0, reference.0.into());
                arg(
                    &mut sql,
                    &format!(" AND (c.id = ? OR ({condition}))"),
                    values,
                );
            }
            _ if !clause.is_empty() => arg(&mut sql, &format!(" AND {clause}"), values),
            _ => {}
        }
    }
    if indexed.is_some() && engine == Engine::Sqlite {
        sql.push_str(" ORDER BY s.rowid DESC");
    } else if indexed.is_some() || text.is_some() && !filter.open_only {
        // The index's rows on the server, and the recent calls a short word is looked for
        // in, newest first by their key: the scan stops at the page's last match instead
        // of sorting the whole window.
        sql.push_str(" ORDER BY c.id DESC");
    } else {
        sql.push_str(" ORDER BY c.opened_at DESC, c.id DESC");
    }
    match filter.limit {
        Some(limit) => arg(
            &mut sql,
            " LIMIT ? OFFSET ?",
            vec![i64::from(limit).into(), i64::from(filter.offset).into()],
        ),
        None if filter.offset > 0 => arg(
            &mut sql,
            match engine {
                Engine::Sqlite => " LIMIT -1 OFFSET ?",
                Engine::Postgres => " OFFSET ?",
            },
            vec![i64::from(filter.offset).into()],
        ),
        None => {}
    }
    let exact = text
        .filter(|_| indexed.is_some())
        .and_then(|t| t.parse::<CallRef>().ok());
    (sql, args, exact)
}

fn like_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// One move of a procedure walk, as the journal keeps it.
#[derive(Debug, Clone, Copy)]
pub struct WalkEntry<'a> {
    pub kind: JournalKind,
    pub line: &'a str,
    pub mark: &'a WalkMark,
    /// The move hands the call to another level: its outcome becomes `escalated`.
    pub escalated: bool,
}

impl Store {
    /// Makes `operator` the one handling the call, journaling who had it before.
    pub fn take_over(
        &mut self,
        reference: CallRef,
        operator: &str,
        at: DateTime<Utc>,
    ) -> Result<Call> {
        let path = self.name.clone();
        let err = |source| StoreError::db(&path, source);
        let tx = self.db.begin().map_err(err)?;
        let Some(current) = locked_call(&tx, reference).map_err(err)? else {
            return Err(StoreError::UnknownCall(reference));
        };
        let previous = current.handler;
        tx.execute(
            "UPDATE calls SET handler = ?2 WHERE id = ?1",
            args![reference.0, operator],
        )
        .map_err(err)?;
        append(
            &tx,
            reference,
            at,
            operator,
            JournalKind::Note,
            &format!("appel repris par {operator} (le tenait : {previous})"),
        )
        .map_err(err)?;
        let call = locked_call(&tx, reference)
            .map_err(err)?
            .ok_or(StoreError::UnknownCall(reference))?;
        tx.commit().map_err(err)?;
        Ok(call)
    }

    /// Appends one move of a procedure walk: its journal line and where the walk stands. An
    /// escalation also sets the call's outcome to `escalated` (the call stays open until it
    /// is closed).
    pub fn append_walk(
        &mut self,
        reference: CallRef,
        operator: &str,
        at: DateTime<Utc>,
        entry: &WalkEntry<'_>,
    ) -> Result<()> {
        let WalkEntry {
            kind,
            line,
            mark,
            escalated,
        } = *entry;
        let path = self.name.clone();
        let err = |source| StoreError::db(&path, source);
        let mark_json = serde_json::to_string(mark).unwrap_or_default();
        let tx = self.db.begin().map_err(err)?;
        status_of(&tx, reference).map_err(|r| refused(&path, r))?;
        append_line(&tx, reference, at, operator, kind, line, Some(&mark_json)).map_err(err)?;
        super::walk_records::record_move(
            &tx,
            reference,
            operator,
            at.timestamp(),
            kind,
            mark,
            escalated,
        )
        .map_err(err)?;
        if escalated {
            tx.execute(
                "UPDATE calls SET outcome = 'escalated' WHERE id = ?1",
                args![reference.0],
            )
            .map_err(err)?;
            append(
                &tx,
                reference,
                at,
                operator,
                JournalKind::Outcome,
                Outcome::Escalated.slug(),
            )
            .map_err(err)?;
        }
        tx.commit().map_err(err)
    }

    /// Where the last procedure walked on a call stands, to resume it.
    pub fn last_walk(&self, reference: CallRef) -> Result<Option<WalkMark>> {
        let json: Option<String> = self
            .db
            .query_one(
                "SELECT walk FROM journal WHERE call_id = ?1 AND walk IS NOT NULL \
                 ORDER BY id DESC LIMIT 1",
                args![reference.0],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))?;
        Ok(json.and_then(|j| serde_json::from_str(&j).ok()))
    }
}
