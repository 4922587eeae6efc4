//! Calls and their journal.

use super::{Result, Store, StoreError};
use crate::domain::call::{
    Call, CallRecord, CallRef, CallStatus, JournalEntry, JournalKind, NewCall, Outcome,
};
use crate::domain::text::{digits, fold};
use crate::domain::time::from_unix;
use crate::domain::walk::WalkMark;
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, TransactionBehavior, params, params_from_iter};

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

pub(super) const CALL_COLUMNS: &str = "id, opened_at, closed_at, operator, caller_name, caller_phone, \
     caller_email, service, device, summary, status, outcome, handler";

pub(super) fn row_to_call(r: &Row<'_>) -> rusqlite::Result<Call> {
    let status: String = r.get(10)?;
    let outcome: Option<String> = r.get(11)?;
    let operator: String = r.get(3)?;
    let handler: Option<String> = r.get(12)?;
    Ok(Call {
        handler: handler.unwrap_or_else(|| operator.clone()),
        reference: CallRef(r.get(0)?),
        opened_at: from_unix(r.get(1)?),
        closed_at: r.get::<_, Option<i64>>(2)?.map(from_unix),
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
    })
}

fn search_key(name: &str, phone: Option<&str>) -> String {
    format!(
        "{}\u{1f}{}",
        fold(name),
        phone.map(digits).unwrap_or_default()
    )
}

/// Why a write on a call cannot go on: SQLite failed, or there is no such call.
enum Refusal {
    Sqlite(rusqlite::Error),
    Unknown(CallRef),
}

impl From<rusqlite::Error> for Refusal {
    fn from(e: rusqlite::Error) -> Self {
        Refusal::Sqlite(e)
    }
}

fn refused(path: &str, r: Refusal) -> StoreError {
    match r {
        Refusal::Sqlite(e) => StoreError::sqlite(path, e),
        Refusal::Unknown(reference) => StoreError::UnknownCall(reference),
    }
}

/// The status of an existing call, inside a write transaction.
fn status_of(
    tx: &rusqlite::Transaction<'_>,
    reference: CallRef,
) -> std::result::Result<CallStatus, Refusal> {
    let status: Option<String> = tx
        .query_row(
            "SELECT status FROM calls WHERE id = ?1",
            [reference.0],
            |r| r.get(0),
        )
        .optional()?;
    match status.as_deref().and_then(CallStatus::from_slug) {
        Some(s) => Ok(s),
        None => Err(Refusal::Unknown(reference)),
    }
}

impl Store {
    /// A write transaction that takes the write lock at once (BEGIN IMMEDIATE): a writer
    /// waits its turn up front instead of failing halfway when another one commits.
    pub(super) fn begin(&mut self) -> Result<rusqlite::Transaction<'_>> {
        let path = self.path.clone();
        self.conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| StoreError::sqlite(&path, e))
    }
}

fn append(
    tx: &rusqlite::Transaction<'_>,
    call: CallRef,
    at: DateTime<Utc>,
    operator: &str,
    kind: JournalKind,
    body: &str,
) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO journal (call_id, at, operator, kind, body) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![call.0, at.timestamp(), operator, kind.slug(), body],
    )
    .map(|_| ())
}

impl Store {
    /// Stores a checked call with its opening entry, its notes and the procedures used, in
    /// one transaction; returns it as stored.
    pub fn insert_call(&mut self, call: &NewCall) -> Result<Call> {
        let path = self.path.clone();
        let err = |source| StoreError::sqlite(&path, source);
        let tx = self.begin()?;
        tx.execute(
            "INSERT INTO calls (opened_at, operator, caller_name, caller_phone, caller_email, \
             service, device, summary, status, search_key, handler) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'open', ?9, ?2)",
            params![
                call.opened_at.timestamp(),
                call.operator,
                call.caller_name,
                call.caller_phone,
                call.caller_email,
                call.service,
                call.device,
                call.summary,
                search_key(&call.caller_name, call.caller_phone.as_deref()),
            ],
        )
        .map_err(err)?;
        let reference = CallRef(tx.last_insert_rowid());
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
        let stored = tx
            .query_row(
                &format!("SELECT {CALL_COLUMNS} FROM calls WHERE id = ?1"),
                [reference.0],
                row_to_call,
            )
            .map_err(err)?;
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
        let (sql, args, exact) = list_query(filter);
        let mut each = each;
        // A reference typed whole comes first, found by its key; the index's rows follow.
        let mut limit = filter.limit;
        if let Some(reference) = exact {
            let mut only = filter.clone();
            only.caller = None;
            only.limit = Some(1);
            only.offset = 0;
            let (sql_one, mut args_one, _) = list_query(&only);
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
                self.stream_calls(&sql_one, params_from_iter(args_one), |call| {
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
            let (sql, args, _) = list_query(&rest);
            return self.stream_calls(&sql, params_from_iter(args), |call| {
                if call.reference == reference {
                    Ok(())
                } else {
                    each(call)
                }
            });
        }
        self.stream_calls(&sql, params_from_iter(args), each)
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
             AND (?3 IS NULL OR operator = ?3) ORDER BY opened_at, id"
        );
        self.stream_calls(
            &sql,
            params![from.timestamp(), to.timestamp(), operator],
            each,
        )
    }

    fn stream_calls<E: From<StoreError>>(
        &self,
        sql: &str,
        args: impl rusqlite::Params,
        mut each: impl FnMut(Call) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        let mut stmt = self.conn.prepare_cached(sql).map_err(|e| self.err(e))?;
        let mut rows = stmt.query(args).map_err(|e| self.err(e))?;
        while let Some(row) = rows.next().map_err(|e| self.err(e))? {
            each(row_to_call(row).map_err(|e| self.err(e))?)?;
        }
        Ok(())
    }

    /// One call and its whole journal.
    pub fn get_call(&self, reference: CallRef) -> Result<CallRecord> {
        let call = self
            .conn
            .query_row(
                &format!("SELECT {CALL_COLUMNS} FROM calls WHERE id = ?1"),
                [reference.0],
                row_to_call,
            )
            .optional()
            .map_err(|e| self.err(e))?
            .ok_or(StoreError::UnknownCall(reference))?;
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT at, operator, kind, body FROM journal WHERE call_id = ?1 ORDER BY id",
            )
            .map_err(|e| self.err(e))?;
        let journal = stmt
            .query_map([reference.0], |r| {
                let kind: String = r.get(2)?;
                Ok(JournalEntry {
                    at: from_unix(r.get(0)?),
                    operator: r.get(1)?,
                    kind: JournalKind::from_slug(&kind).unwrap_or(JournalKind::Note),
                    text: r.get(3)?,
                })
            })
            .map_err(|e| self.err(e))?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.err(e))?;
        Ok(CallRecord { call, journal })
    }

    /// Appends a note (already checked) to a call's journal.
    pub fn add_note(
        &mut self,
        reference: CallRef,
        operator: &str,
        at: DateTime<Utc>,
        note: &str,
    ) -> Result<()> {
        let path = self.path.clone();
        let err = |source| StoreError::sqlite(&path, source);
        let tx = self.begin()?;
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
        let path = self.path.clone();
        let err = |source| StoreError::sqlite(&path, source);
        let tx = self.begin()?;
        if status_of(&tx, reference).map_err(|r| refused(&path, r))? == CallStatus::Closed {
            return Err(StoreError::AlreadyClosed(reference));
        }
        // An outcome the journal already holds (a procedure escalated the call) is not
        // written twice.
        let recorded: Option<String> = tx
            .query_row(
                "SELECT outcome FROM calls WHERE id = ?1",
                [reference.0],
                |r| r.get(0),
            )
            .map_err(err)?;
        tx.execute(
            "UPDATE calls SET status = 'closed', closed_at = ?2, outcome = ?3 WHERE id = ?1",
            params![reference.0, at.timestamp(), outcome.slug()],
        )
        .map_err(err)?;
        if let Some(note) = note {
            append(&tx, reference, at, operator, JournalKind::Note, note).map_err(err)?;
        }
        if recorded.as_deref() != Some(outcome.slug()) {
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
        let call = tx
            .query_row(
                &format!("SELECT {CALL_COLUMNS} FROM calls WHERE id = ?1"),
                [reference.0],
                row_to_call,
            )
            .map_err(err)?;
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
        let path = self.path.clone();
        let err = |source| StoreError::sqlite(&path, source);
        let tx = self.begin()?;
        let current = tx
            .query_row(
                &format!("SELECT {CALL_COLUMNS} FROM calls WHERE id = ?1"),
                [reference.0],
                row_to_call,
            )
            .optional()
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
            params![reference.0, outcome.slug()],
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
        let call = tx
            .query_row(
                &format!("SELECT {CALL_COLUMNS} FROM calls WHERE id = ?1"),
                [reference.0],
                row_to_call,
            )
            .map_err(err)?;
        tx.commit().map_err(err)?;
        Ok(call)
    }

    /// How many calls are open, for the list's title.
    pub fn count_open(&self) -> Result<i64> {
        self.conn
            .query_row(
                "SELECT count(*) FROM calls WHERE status = 'open'",
                [],
                |r| r.get(0),
            )
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
) -> (String, Vec<rusqlite::types::Value>, Option<CallRef>) {
    list_query(filter)
}

/// The query of a list, its arguments, and the reference to look up first when the text
/// is one and the index serves the rest.
fn list_query(filter: &CallFilter) -> (String, Vec<rusqlite::types::Value>, Option<CallRef>) {
    use rusqlite::types::Value;
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
    let mut sql = if indexed.is_some() {
        format!(
            "SELECT {} FROM call_search s JOIN calls c ON c.id = s.rowid \
             WHERE s.call_search MATCH ?1",
            CALL_COLUMNS
                .split(", ")
                .map(|col| format!("c.{col}"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    } else {
        format!("SELECT {CALL_COLUMNS} FROM calls c WHERE 1 = 1")
    };
    let mut args: Vec<Value> = Vec::new();
    if let Some(w) = indexed {
        args.push(fts_query(&w.indexed).into());
    }
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
            checks.push("(c.search_key LIKE ? ESCAPE '\\' OR c.summary LIKE ? ESCAPE '\\')");
            let pattern = format!("%{}%", like_escape(w));
            values.push(pattern.clone().into());
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
                    "0".to_string()
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
    if indexed.is_some() {
        sql.push_str(" ORDER BY s.rowid DESC");
    } else if text.is_some() && !filter.open_only {
        // The recent calls a short word is looked for in, newest first by their key: the
        // scan stops at the page's last match instead of sorting the whole window.
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
            " LIMIT -1 OFFSET ?",
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
        let path = self.path.clone();
        let err = |source| StoreError::sqlite(&path, source);
        let tx = self.begin()?;
        let previous: Option<(Option<String>, String)> = tx
            .query_row(
                "SELECT handler, operator FROM calls WHERE id = ?1",
                [reference.0],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(err)?;
        let Some((handler, opener)) = previous else {
            return Err(StoreError::UnknownCall(reference));
        };
        let previous = handler.unwrap_or(opener);
        tx.execute(
            "UPDATE calls SET handler = ?2 WHERE id = ?1",
            params![reference.0, operator],
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
        let call = tx
            .query_row(
                &format!("SELECT {CALL_COLUMNS} FROM calls WHERE id = ?1"),
                [reference.0],
                row_to_call,
            )
            .map_err(err)?;
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
        let path = self.path.clone();
        let err = |source| StoreError::sqlite(&path, source);
        let mark_json = serde_json::to_string(mark).unwrap_or_default();
        let tx = self.begin()?;
        status_of(&tx, reference).map_err(|r| refused(&path, r))?;
        tx.execute(
            "INSERT INTO journal (call_id, at, operator, kind, body, walk) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                reference.0,
                at.timestamp(),
                operator,
                kind.slug(),
                line,
                mark_json
            ],
        )
        .map_err(err)?;
        if escalated {
            tx.execute(
                "UPDATE calls SET outcome = 'escalated' WHERE id = ?1",
                [reference.0],
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
            .conn
            .query_row(
                "SELECT walk FROM journal WHERE call_id = ?1 AND walk IS NOT NULL \
                 ORDER BY id DESC LIMIT 1",
                [reference.0],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        Ok(json.and_then(|j| serde_json::from_str(&j).ok()))
    }
}
