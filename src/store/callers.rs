//! The callers the desk has seen before, read from its calls (nothing else is kept about a
//! person): what the desk knows of a number, and the directory a name or a number finds.

use super::db::{Engine, args};
use super::rows::{CALL_COLUMNS, row_to_call};
use super::{CallFilter, Result, Store};
use crate::domain::call::{Call, CallRef, CallStatus, JournalEntry};
use crate::domain::phone::call::{phone_index_key, phone_key};
use crate::domain::phone::number;
use crate::domain::text::{digits, fold};
use chrono::{DateTime, Utc};

/// What the desk knows of a number, from its calls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallerFacts {
    /// The newest call from the number.
    pub last: Call,
    /// How many calls came from it since the week began.
    pub this_week: i64,
    /// Its newest open call, with the last line of that call's journal.
    pub open: Option<(Call, Option<JournalEntry>)>,
}

/// A caller of the directory learned from past calls: the newest call of one name and
/// number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownCaller {
    pub name: String,
    pub phone: Option<String>,
    pub service: String,
    pub device: String,
    pub last_call: DateTime<Utc>,
    pub reference: CallRef,
}

/// The expression both engines index a caller's number by (its last nine digits, read
/// after the unit separator of `search_key`: [`phone_index_key`]); the migrations create
/// the same one.
fn phone_key_sql(engine: Engine) -> &'static str {
    match engine {
        Engine::Sqlite => "substr(substr(search_key, instr(search_key, char(31)) + 1), -9)",
        Engine::Postgres => "right(split_part(search_key, chr(31), 2), 9)",
    }
}

impl Store {
    /// The newest calls (200 at most) whose caller's number ends with the digits `index`
    /// ([`phone_index_key`]), newest first, through the index on the same expression.
    fn calls_from(&self, index: &str) -> Result<Vec<Call>> {
        let expr = phone_key_sql(self.engine());
        self.db
            .query_vec(
                &format!(
                    "SELECT {CALL_COLUMNS} FROM calls WHERE caller_phone IS NOT NULL \
                     AND {expr} = ?1 ORDER BY id DESC LIMIT 200"
                ),
                args![index],
                row_to_call,
            )
            .map_err(|e| self.err(e))
    }

    /// What the desk knows of `phone` (any way of writing it: one [`phone_key`]): its
    /// newest call, its calls since `week_start`, its newest open call and that call's
    /// last journal line; `None` for a number never seen, and for a caller id that is not
    /// a number (a SIP address, a name), which is never matched.
    pub fn caller_facts(
        &self,
        phone: &str,
        week_start: DateTime<Utc>,
    ) -> Result<Option<CallerFacts>> {
        let key = phone_key(phone);
        if key.is_empty() || !number::is_number(phone) {
            return Ok(None);
        }
        let index = phone_index_key(phone);
        let same = |p: Option<&str>| p.is_some_and(|p| phone_key(p) == key);
        let expr = phone_key_sql(self.engine());
        let err = |e| self.err(e);
        // The index narrows to the numbers ending with the same digits; the key then tells
        // a French number from a foreign one that ends alike.
        let recent: Vec<Call> = self
            .calls_from(&index)?
            .into_iter()
            .filter(|c| same(c.caller_phone.as_deref()))
            .collect();
        let Some(last) = recent.first().cloned() else {
            return Ok(None);
        };
        let this_week = self
            .db
            .query_vec(
                &format!(
                    "SELECT caller_phone FROM calls WHERE caller_phone IS NOT NULL \
                     AND {expr} = ?1 AND opened_at >= ?2"
                ),
                args![&index, week_start.timestamp()],
                |r| r.get::<Option<String>>(0),
            )
            .map_err(err)?
            .iter()
            .filter(|p| same(p.as_deref()))
            .count() as i64;
        let open = match recent.iter().find(|c| c.status == CallStatus::Open) {
            Some(call) => {
                let last_line = self.last_journal_entry(call.reference)?;
                Some((call.clone(), last_line))
            }
            None => None,
        };
        Ok(Some(CallerFacts {
            last,
            this_week,
            open,
        }))
    }

    /// The known callers whose name or number holds `text`, newest call first, at most
    /// `limit`: one entry per name and number, with what its newest call said. A number is
    /// looked up by its digits (three or more), a name by its words (three letters or
    /// more, any case, any accents).
    pub fn known_callers(&self, text: &str, limit: usize) -> Result<Vec<KnownCaller>> {
        let typed_digits = digits(text);
        let is_number = typed_digits.len() >= 3
            && text
                .chars()
                .all(|c| c.is_ascii_digit() || " .-+()/".contains(c));
        let folded = fold(text.trim());
        if !is_number && folded.chars().filter(|c| c.is_alphanumeric()).count() < 3 {
            return Ok(Vec::new());
        }
        let candidates = if is_number && typed_digits.len() >= 9 {
            // A whole number: its last digits, through the index.
            self.calls_from(&phone_index_key(&typed_digits))?
        } else {
            // Part of a name or a number: the call search, then only the calls whose
            // caller (not the summary) holds it.
            let query = if is_number {
                typed_digits.clone()
            } else {
                text.to_string()
            };
            self.list_calls(&CallFilter {
                caller: Some(query),
                limit: Some(300),
                ..CallFilter::default()
            })?
        };
        let words: Vec<&str> = folded.split_whitespace().collect();
        let mut found: Vec<KnownCaller> = Vec::new();
        for call in candidates {
            let holds = if is_number {
                call.caller_phone
                    .as_deref()
                    .is_some_and(|p| digits(p).contains(&typed_digits))
            } else {
                let name = fold(&call.caller_name);
                words.iter().all(|w| name.contains(w))
            };
            if !holds {
                continue;
            }
            let key = call.caller_phone.as_deref().map(phone_key);
            let name = fold(&call.caller_name);
            if found
                .iter()
                .any(|k| fold(&k.name) == name && k.phone.as_deref().map(phone_key) == key)
            {
                continue;
            }
            found.push(KnownCaller {
                name: call.caller_name.clone(),
                phone: call.caller_phone.clone(),
                service: call.service.clone(),
                device: call.device.clone(),
                last_call: call.opened_at,
                reference: call.reference,
            });
            if found.len() >= limit {
                break;
            }
        }
        Ok(found)
    }
}
