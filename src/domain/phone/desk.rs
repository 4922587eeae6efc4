//! What a desk makes of its phone calls: the calls a console shows, in the order the
//! operator deals with them; the calls nobody picked up; how many of the calls that came in
//! were answered, line by line (the « taux de décroché » public services publish).

use super::call::{PhoneCall, PhoneState};
use super::event::{Direction, HangupCause};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// The calls that ring or are answered on `extension` at `now`: answered ones first (the
/// one in hand), then ringing ones, newest first in each.
pub fn console_calls(calls: Vec<PhoneCall>, extension: &str, now: DateTime<Utc>) -> Vec<PhoneCall> {
    let mut mine: Vec<PhoneCall> = calls
        .into_iter()
        .filter(|c| c.is_live(now) && c.concerns(extension))
        .collect();
    mine.sort_by(|a, b| {
        let answered = |c: &PhoneCall| c.state() == PhoneState::Answered;
        answered(b)
            .cmp(&answered(a))
            .then_with(|| b.answered_at.cmp(&a.answered_at))
            .then_with(|| b.rang_at.cmp(&a.rang_at))
    });
    mine
}

/// Whether nobody picked up a call that came in before it ended. A call sent on elsewhere
/// (`forwarded`: another desk, or a colleague who answered the same queue call) was not
/// missed.
pub fn is_missed(call: &PhoneCall) -> bool {
    call.direction == Direction::In
        && call.answered_at.is_none()
        && call.hung_up_at.is_some()
        && call.cause != Some(HangupCause::Forwarded)
}

/// The line a call came in on: the number called (the desk's number, a queue, an
/// extension), as the telephony wrote it; « ligne inconnue » when no event named it.
pub fn line_of(call: &PhoneCall) -> String {
    match call.to.as_deref().map(str::trim) {
        Some(to) if !to.is_empty() => to.to_string(),
        _ => "ligne inconnue".into(),
    }
}

/// The answered and missed calls of one line.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct LineFigures {
    /// The number called.
    pub line: String,
    pub answered: i64,
    pub missed: i64,
    /// Answered calls per hundred ended calls, to the tenth; `None` without any.
    pub answered_rate: Option<f64>,
}

/// How the calls that came in were answered: an answered call counts from its answer, a
/// missed one once it ended unanswered (a call still ringing counts for neither yet).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Answering {
    pub answered: i64,
    pub missed: i64,
    pub answered_rate: Option<f64>,
    /// Line by line, the busiest first.
    pub by_line: Vec<LineFigures>,
}

fn rate(answered: i64, missed: i64) -> Option<f64> {
    let total = answered + missed;
    (total > 0).then(|| (answered as f64 * 1000.0 / total as f64).round() / 10.0)
}

/// A rate as French text, to the tenth: `66,7`.
pub fn rate_text(rate: f64) -> String {
    format!("{rate:.1}").replace('.', ",")
}

fn plural(n: i64) -> &'static str {
    if n > 1 { "s" } else { "" }
}

impl Answering {
    /// « 3 appels entrants · 1 décroché · 2 manqués · taux de décroché 33,3 % », or `None`
    /// when no call came in.
    pub fn summary(&self) -> Option<String> {
        let total = self.answered + self.missed;
        let rate = self.answered_rate?;
        Some(format!(
            "{total} appel{s} entrant{s} · {} décroché{} · {} manqué{} · taux de décroché {} %",
            self.answered,
            plural(self.answered),
            self.missed,
            plural(self.missed),
            rate_text(rate),
            s = plural(total),
        ))
    }

    /// The figures of `calls` (incoming ones; outgoing calls are the desk calling back).
    pub fn of(calls: &[PhoneCall]) -> Answering {
        let mut by_line: Vec<LineFigures> = Vec::new();
        for call in calls.iter().filter(|c| c.direction == Direction::In) {
            let (answered, missed) = if call.answered_at.is_some() {
                (1, 0)
            } else if is_missed(call) {
                (0, 1)
            } else {
                continue;
            };
            let line = line_of(call);
            let i = match by_line.iter().position(|l| l.line == line) {
                Some(i) => i,
                None => {
                    by_line.push(LineFigures {
                        line,
                        ..LineFigures::default()
                    });
                    by_line.len() - 1
                }
            };
            by_line[i].answered += answered;
            by_line[i].missed += missed;
        }
        for l in &mut by_line {
            l.answered_rate = rate(l.answered, l.missed);
        }
        by_line.sort_by(|a, b| {
            (b.answered + b.missed)
                .cmp(&(a.answered + a.missed))
                .then_with(|| a.line.cmp(&b.line))
        });
        let answered = by_line.iter().map(|l| l.answered).sum();
        let missed = by_line.iter().map(|l| l.missed).sum();
        Answering {
            answered,
            missed,
            answered_rate: rate(answered, missed),
            by_line,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::phone::call::StoredEvent;
    use crate::domain::phone::event::{EventKind, PhoneEvent};
    use chrono::TimeZone;

    fn at(s: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_790_000_000 + s, 0).unwrap()
    }

    fn ev(kind: EventKind, id: &str, to: &str, s: i64) -> StoredEvent {
        StoredEvent {
            at: at(s),
            event: PhoneEvent {
                kind,
                from: Some("0612345678".into()),
                to: Some(to.into()),
                direction: Direction::In,
                call_id: id.into(),
                users: vec!["3001".into()],
                answering_number: (kind != EventKind::NewCall).then(|| "3001".into()),
                cause: (kind == EventKind::Hangup).then_some(HangupCause::Cancel),
            },
        }
    }

    #[test]
    fn the_answered_call_comes_first_then_the_newest_ringing() {
        use EventKind::*;
        let calls = PhoneCall::from_events(&[
            ev(NewCall, "a", "3000", 0),
            ev(NewCall, "b", "3000", 5),
            ev(NewCall, "c", "3000", 8),
            ev(Answer, "a", "3000", 10),
        ]);
        let shown: Vec<String> = console_calls(calls, "3001", at(12))
            .into_iter()
            .map(|c| c.telephony_id)
            .collect();
        // a was answered on 3001: it is the call in hand; b and c ring for 3001 too
        // (its users) and come next, newest first.
        assert_eq!(shown, ["a", "c", "b"]);
    }

    #[test]
    fn missed_calls_and_the_answered_rate_line_by_line() {
        use EventKind::*;
        let mut events = vec![
            ev(NewCall, "a", "3000", 0),
            ev(Answer, "a", "3000", 3),
            ev(Hangup, "a", "3000", 60),
            ev(NewCall, "b", "3000", 10),
            ev(Hangup, "b", "3000", 30),
            ev(NewCall, "c", "3900", 20),
            ev(Hangup, "c", "3900", 25),
            // Still ringing: not counted until it ends.
            ev(NewCall, "d", "3000", 40),
        ];
        // Answered and still going on: answered.
        events.push(ev(NewCall, "e", "3000", 50));
        events.push(ev(Answer, "e", "3000", 52));
        // Sent on elsewhere (a colleague answered the queue call): not missed.
        events.push(ev(NewCall, "f", "3000", 60));
        let mut forwarded = ev(Hangup, "f", "3000", 65);
        forwarded.event.cause = Some(HangupCause::Forwarded);
        forwarded.event.answering_number = None;
        events.push(forwarded);
        let calls = PhoneCall::from_events(&events);
        assert!(!is_missed(&calls[0]));
        assert!(is_missed(&calls[1]));
        let figures = Answering::of(&calls);
        assert_eq!((figures.answered, figures.missed), (2, 2));
        assert_eq!(figures.answered_rate, Some(50.0));
        assert_eq!(
            figures.by_line,
            [
                LineFigures {
                    line: "3000".into(),
                    answered: 2,
                    missed: 1,
                    answered_rate: Some(66.7),
                },
                LineFigures {
                    line: "3900".into(),
                    answered: 0,
                    missed: 1,
                    answered_rate: Some(0.0),
                },
            ]
        );
    }
}
