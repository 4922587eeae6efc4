//! One telephony call as its events tell it so far (rang, answered, hung up), and what a
//! console makes of it: whether it concerns an extension, whether it still rings, how long
//! it was handled.

use super::event::{Direction, EventKind, HangupCause, PhoneEvent};
use super::number;
use chrono::{DateTime, Duration, Utc};

/// A call that rang and was never answered nor hung up (an event lost on the way) stops
/// ringing on the consoles after this long.
pub const RINGING_FOR_AT_MOST: Duration = Duration::minutes(3);
/// An answered call whose hangup never came stops being shown after this long.
pub const ANSWERED_FOR_AT_MOST: Duration = Duration::hours(4);

/// One stored event: what happened and when the store received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    pub at: DateTime<Utc>,
    pub event: PhoneEvent,
}

/// Where a call stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhoneState {
    Ringing,
    Answered,
    Ended,
}

/// One call of the telephony, from its events in the order they came.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneCall {
    pub telephony_id: String,
    /// The caller's number, normalised; the caller id as the telephony gave it when it is
    /// not a number (a SIP address); `None` when withheld.
    pub from: Option<String>,
    /// The number called (or a queue's name), from the first event that gave one: a
    /// `answer` and a `hangup` may leave it out.
    pub to: Option<String>,
    pub direction: Direction,
    /// The agents the call rang for.
    pub users: Vec<String>,
    pub rang_at: DateTime<Utc>,
    pub answered_at: Option<DateTime<Utc>>,
    pub answering_number: Option<String>,
    pub hung_up_at: Option<DateTime<Utc>>,
    pub cause: Option<HangupCause>,
}

impl PhoneCall {
    /// The calls the events tell of, in the order each first appeared. An answer or a
    /// hangup whose newCall was not received still makes a call (the listener may have
    /// started in the middle of it). An answer that comes after the hangup changes nothing:
    /// Zammad's `Cti::Log` ignores it too (its request tests send one).
    pub fn from_events(events: &[StoredEvent]) -> Vec<PhoneCall> {
        let mut calls: Vec<PhoneCall> = Vec::new();
        for stored in events {
            let e = &stored.event;
            let i = match calls.iter().position(|c| c.telephony_id == e.call_id) {
                Some(i) => i,
                None => {
                    calls.push(PhoneCall {
                        telephony_id: e.call_id.clone(),
                        from: e.from.clone(),
                        to: e.to.clone(),
                        direction: e.direction,
                        users: e.users.clone(),
                        rang_at: stored.at,
                        answered_at: None,
                        answering_number: None,
                        hung_up_at: None,
                        cause: None,
                    });
                    calls.len() - 1
                }
            };
            let call = &mut calls[i];
            if call.from.is_none() {
                call.from = e.from.clone();
            }
            if call.to.is_none() {
                call.to = e.to.clone();
            }
            if call.users.is_empty() {
                call.users = e.users.clone();
            }
            match e.kind {
                EventKind::NewCall => call.rang_at = call.rang_at.min(stored.at),
                EventKind::Answer if call.hung_up_at.is_some() => {}
                EventKind::Answer => {
                    call.answered_at = Some(stored.at);
                    call.answering_number = e.answering_number.clone();
                }
                EventKind::Hangup => {
                    call.hung_up_at = Some(stored.at);
                    call.cause = e.cause.clone();
                    if call.answering_number.is_none() {
                        call.answering_number = e.answering_number.clone();
                    }
                }
            }
        }
        calls
    }

    pub fn state(&self) -> PhoneState {
        if self.hung_up_at.is_some() {
            PhoneState::Ended
        } else if self.answered_at.is_some() {
            PhoneState::Answered
        } else {
            PhoneState::Ringing
        }
    }

    /// Whether the call is still going on at `now`: not hung up, and not left over by a
    /// lost event.
    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        match self.state() {
            PhoneState::Ended => false,
            PhoneState::Ringing => now - self.rang_at <= RINGING_FOR_AT_MOST,
            PhoneState::Answered => self
                .answered_at
                .is_some_and(|at| now - at <= ANSWERED_FOR_AT_MOST),
        }
    }

    /// Whether the call rings or is answered on `extension`: the number called, one of
    /// the agents it rings for, or who picked up. Once someone else picked up, it no longer
    /// concerns the others it rang for.
    pub fn concerns(&self, extension: &str) -> bool {
        let ext = same_number(extension);
        let is_ext = |s: &str| same_number(s) == ext;
        match &self.answering_number {
            Some(who) => is_ext(who),
            None => self.to.as_deref().is_some_and(is_ext) || self.users.iter().any(|u| is_ext(u)),
        }
    }

    /// Seconds from answer to hangup: the time the call was handled; `None` until both
    /// are known (or when nobody answered).
    pub fn handled_seconds(&self) -> Option<i64> {
        let (answered, hung_up) = (self.answered_at?, self.hung_up_at?);
        Some((hung_up - answered).num_seconds().max(0))
    }

    /// The caller's number for reading aloud, or « numéro masqué ».
    pub fn caller_for_reading(&self) -> String {
        number::caller_for_reading(self.from.as_deref())
    }

    /// The caller's number when the caller id is one: what the desk's past calls are
    /// looked up by; `None` when withheld or when the caller id is not a number.
    pub fn caller_number(&self) -> Option<&str> {
        self.from.as_deref().filter(|f| number::is_number(f))
    }
}

/// An extension or a login compared as the telephony may write it: a number by its
/// digits (and `+`), a login in any case.
fn same_number(s: &str) -> String {
    number::normalize(s).unwrap_or_else(|_| s.trim().to_lowercase())
}

/// A duration for the journal: `4 min 05 s`, `1 h 02 min`, `45 s`.
pub fn handled_for_reading(seconds: i64) -> String {
    let (h, m, s) = (seconds / 3600, seconds % 3600 / 60, seconds % 60);
    if h > 0 {
        format!("{h} h {m:02} min")
    } else if m > 0 {
        format!("{m} min {s:02} s")
    } else {
        format!("{s} s")
    }
}

/// The key a caller is known by, however the number is written. A number of the French
/// numbering plan keys by its nine significant digits: `0612345678`, `+33 6 12 34 56 78`,
/// `+33 (0)6…`, `0033612345678` and `33612345678` are one caller. The overseas departments
/// of `+262`, `+590`, `+594` and `+596` belong to that plan (`+262 692 12 34 56` is the line
/// dialled `06 92 12 34 56` from France: one caller, key `692123456`). Any other
/// international number keys whole, with its `+` and country code (`+687 28 12 34` →
/// `+687281234`, `+32 471 12 34 56` → `+32471123456`), so that New Caledonia's, Polynesia's
/// or Belgium's numbers never meet a French one that ends with the same nine digits (as
/// `06 87 28 12 34` would). A bare run of eleven digits or more that does not start with
/// `0` is read as international without its `+`, as Zammad reads it. An extension or a
/// short number keeps its digits.
///
/// Every key ends with the number's last nine digits or fewer ([`phone_index_key`]): the
/// store narrows by those through its index, then compares keys.
pub fn phone_key(phone: &str) -> String {
    let n = number::normalize(phone).unwrap_or_else(|_| {
        let d = crate::domain::text::digits(phone);
        if phone.trim_start().starts_with('+') {
            format!("+{d}")
        } else {
            d
        }
    });
    let international = match n.strip_prefix('+') {
        Some(rest) => Some(rest),
        None => n
            .strip_prefix("00")
            .or_else(|| (n.len() >= 11 && !n.starts_with('0')).then_some(n.as_str())),
    };
    match international {
        Some("") => String::new(),
        Some(intl) => french_significant(intl).unwrap_or_else(|| format!("+{intl}")),
        None if n.len() == 10 && n.starts_with('0') => n[1..].to_string(),
        None => n,
    }
}

/// The nine significant digits of an international number (country code first, no `+`)
/// that belongs to the French numbering plan; `None` for any other.
fn french_significant(intl: &str) -> Option<String> {
    // The overseas departments dialled from France with a 0 and these nine digits.
    const OVERSEAS: [&str; 4] = ["262", "590", "594", "596"];
    if let Some(rest) = intl.strip_prefix("33") {
        // `+33 0 6…`: a trunk prefix written where it is not dialled.
        let rest = if rest.len() == 10 {
            rest.strip_prefix('0')?
        } else {
            rest
        };
        return (rest.len() == 9).then(|| rest.to_string());
    }
    OVERSEAS
        .iter()
        .any(|cc| intl.starts_with(cc))
        .then(|| &intl[3..])
        .filter(|rest| rest.len() == 9)
        .map(str::to_string)
}

/// The last nine digits of a number: what the store's index on callers' numbers holds
/// (the migrations create it on the same expression); two numbers with one
/// [`phone_key`] always have the same index key.
pub fn phone_index_key(phone: &str) -> String {
    let digits = crate::domain::text::digits(phone);
    let skip = digits.len().saturating_sub(9);
    digits[skip..].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(s: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_790_000_000 + s, 0).unwrap()
    }

    fn ev(kind: EventKind, id: &str, s: i64) -> StoredEvent {
        StoredEvent {
            at: at(s),
            event: PhoneEvent {
                kind,
                from: Some("0612345678".into()),
                to: Some("3000".into()),
                direction: Direction::In,
                call_id: id.into(),
                users: vec!["3001".into(), "Claire".into()],
                answering_number: (kind != EventKind::NewCall).then(|| "3001".into()),
                cause: (kind == EventKind::Hangup).then_some(HangupCause::NormalClearing),
            },
        }
    }

    #[test]
    fn a_call_rings_is_answered_and_hangs_up() {
        let events = [
            ev(EventKind::NewCall, "a", 0),
            ev(EventKind::NewCall, "b", 5),
            ev(EventKind::Answer, "a", 12),
            ev(EventKind::Hangup, "a", 12 + 245),
        ];
        let calls = PhoneCall::from_events(&events);
        assert_eq!(calls.len(), 2);
        assert_eq!(calls[0].state(), PhoneState::Ended);
        assert_eq!(calls[0].handled_seconds(), Some(245));
        assert_eq!(handled_for_reading(245), "4 min 05 s");
        assert_eq!(calls[1].state(), PhoneState::Ringing);
        assert!(calls[1].is_live(at(60)));
        assert!(
            !calls[1].is_live(at(5 + 181)),
            "a lost hangup stops ringing"
        );
    }

    #[test]
    fn a_call_concerns_the_extensions_it_rings_until_one_answers() {
        let ringing = &PhoneCall::from_events(&[ev(EventKind::NewCall, "a", 0)])[0];
        assert!(ringing.concerns("3000"), "the number called");
        assert!(ringing.concerns("3001"), "an agent it rings for");
        assert!(ringing.concerns("claire"), "a login in any case");
        assert!(!ringing.concerns("3002"));
        let answered = &PhoneCall::from_events(&[
            ev(EventKind::NewCall, "a", 0),
            ev(EventKind::Answer, "a", 3),
        ])[0];
        assert!(answered.concerns("3001"));
        assert!(!answered.concerns("3000"), "someone else picked up");
    }

    #[test]
    fn an_answer_after_the_hangup_changes_nothing() {
        // Zammad's request tests: "inbound - I - answer for hangup by customer".
        let events = [
            ev(EventKind::NewCall, "a", 0),
            ev(EventKind::Hangup, "a", 8),
            ev(EventKind::Answer, "a", 9),
        ];
        let call = &PhoneCall::from_events(&events)[0];
        assert_eq!(call.state(), PhoneState::Ended);
        assert_eq!(call.answered_at, None, "a missed call stays missed");
        assert_eq!(
            call.answering_number,
            Some("3001".into()),
            "from the hangup"
        );
        assert_eq!(call.handled_seconds(), None);
    }

    #[test]
    fn an_answer_and_a_hangup_may_leave_the_numbers_out() {
        // The Asterisk AMI bridge: the answer names the agent, nothing else.
        let bare = |kind, s, user: &str| StoredEvent {
            event: PhoneEvent {
                from: None,
                to: None,
                users: vec![user.into()],
                answering_number: (kind == EventKind::Answer).then(|| user.into()),
                ..ev(kind, "q1", s).event
            },
            ..ev(kind, "q1", s)
        };
        let events = [
            StoredEvent {
                event: PhoneEvent {
                    to: Some("support".into()),
                    users: Vec::new(),
                    ..ev(EventKind::NewCall, "q1", 0).event
                },
                ..ev(EventKind::NewCall, "q1", 0)
            },
            bare(EventKind::Answer, 4, "agent.name"),
            bare(EventKind::Hangup, 64, "agent.name"),
        ];
        let call = &PhoneCall::from_events(&events)[0];
        assert_eq!(call.to.as_deref(), Some("support"));
        assert_eq!(call.from.as_deref(), Some("0612345678"));
        assert_eq!(call.caller_number(), Some("0612345678"));
        assert_eq!(call.answering_number.as_deref(), Some("agent.name"));
        assert!(call.concerns("Agent.Name"));
        assert!(!call.concerns("support"), "someone picked up");
        assert_eq!(call.handled_seconds(), Some(60));
        // Only the hangup told of it: no number called.
        let lone = &PhoneCall::from_events(&events[2..])[0];
        assert_eq!(lone.to, None);
        assert!(!lone.concerns("3000"));
        // A caller id that is not a number is kept, never matched.
        let sip = PhoneCall {
            from: Some("sip:anonymous@pbx.example".into()),
            ..call.clone()
        };
        assert_eq!(sip.caller_number(), None);
        assert_eq!(sip.caller_for_reading(), "sip:anonymous@pbx.example");
    }

    #[test]
    fn one_caller_however_the_number_is_written() {
        for same in [
            "06 12 34 56 78",
            "+33 6 12 34 56 78",
            "+33 (0)6 12 34 56 78",
            "+33 06 12 34 56 78",
            "0033612345678",
            "0033 (0)6 12 34 56 78",
            "33612345678",
            "612345678",
        ] {
            assert_eq!(phone_key(same), "612345678", "{same:?}");
        }
        assert_eq!(phone_key("3001"), "3001");
        assert_eq!(phone_key(""), "");
        assert_eq!(phone_key("+"), "");
        // The overseas departments are in the French plan: one line, two ways to write it.
        assert_eq!(phone_key("+262 692 12 34 56"), "692123456");
        assert_eq!(phone_key("06 92 12 34 56"), "692123456");
        assert_eq!(phone_key("00590 590 12 34 56"), "590123456");
        assert_eq!(phone_key("+594 694 12 34 56"), "694123456");
        assert_eq!(phone_key("+596 696 12 34 56"), "696123456");
    }

    #[test]
    fn a_foreign_number_never_meets_a_french_one_with_the_same_last_digits() {
        for (foreign, key, french) in [
            // New Caledonia, six digits: +687 and them are nine digits, a French mobile's.
            ("+687 28 12 34", "+687281234", "06 87 28 12 34"),
            ("00687 28 12 34", "+687281234", "06 87 28 12 34"),
            // French Polynesia, eight digits.
            ("+689 87 12 34 56", "+68987123456", "09 87 12 34 56"),
            // A Belgian mobile and a Lyon number.
            ("+32 471 12 34 56", "+32471123456", "04 71 12 34 56"),
            // An overseas code with a number not of the French plan's length.
            ("+262 12 34 56", "+262123456", "02 62 12 34 56"),
            // International written without its +, as Zammad's own tests send it.
            ("4912347114711", "+4912347114711", "02 47 11 47 11"),
        ] {
            assert_eq!(phone_key(foreign), key, "{foreign:?}");
            assert_ne!(phone_key(foreign), phone_key(french), "{foreign:?}");
            // The index narrows by the same last digits: the store finds it, then compares.
            assert_eq!(
                phone_index_key(foreign),
                phone_index_key(key),
                "{foreign:?}"
            );
        }
        assert_eq!(phone_key("+49 1234 7114711"), phone_key("4912347114711"));
    }
}
