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
    /// The caller's number, normalised; `None` when withheld.
    pub from: Option<String>,
    pub to: String,
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
    /// started in the middle of it).
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
            if call.users.is_empty() {
                call.users = e.users.clone();
            }
            match e.kind {
                EventKind::NewCall => call.rang_at = call.rang_at.min(stored.at),
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
            None => is_ext(&self.to) || self.users.iter().any(|u| is_ext(u)),
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

/// The last nine digits of a number: `0612345678`, `+33612345678` and `0033612345678`
/// are one caller. The store keys its callers by the same rule.
pub fn phone_key(phone: &str) -> String {
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
                to: "3000".into(),
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
    fn one_caller_however_the_number_is_written() {
        assert_eq!(phone_key("06 12 34 56 78"), "612345678");
        assert_eq!(phone_key("+33 6 12 34 56 78"), "612345678");
        assert_eq!(phone_key("0033612345678"), "612345678");
        assert_eq!(phone_key("3001"), "3001");
    }
}
