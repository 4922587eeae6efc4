//! The shift handover report: one model, built from the store, rendered by the console and
//! as Markdown, JSON and CSV.

mod handoff;
mod procedures;
mod procedures_render;
mod render;
mod usage;

pub use crate::csv_export::CsvOptions;
pub use handoff::{Escalation, Handoff};
pub use procedures::{
    FIRST_CONTACT_DAYS, Figures, HOLE_WORDS, Hole, ProcedureFigures, ProceduresReport, StepFigures,
    VersionFigures,
};
pub use procedures_render::{
    PROCEDURE_COLUMNS, Section, duration as handling_duration, heading as procedures_heading,
    outcome_mix, procedure_rows, sections as procedures_sections,
    to_markdown as procedures_markdown,
};
pub use render::{
    CALL_COLUMNS, CallCsv, CallRows, ESCALATION_COLUMNS, TELEPHONY_COLUMNS, call_cells,
    escalation_rows, telephony_rows, to_csv, to_markdown,
};
pub use usage::usage_warnings;

use crate::domain::call::{Call, CallStatus, Outcome};
use crate::domain::phone::desk::Answering;
use crate::domain::reference::Reference;
use crate::domain::shifts::ShiftWindow;
use crate::domain::text::normalize_spaces;
use crate::domain::walk::WalkMark;
use crate::store::{
    HandoverEntry, HandoverKind, ReportData, Result, Store, WaitingCall, WindowCounts,
};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::BTreeMap;

/// One line of a count table: what, its French label, how many.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Count {
    pub slug: String,
    pub label: String,
    pub count: i64,
}

/// A call the next shift must know about.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WaitingLine {
    #[serde(flatten)]
    pub call: Call,
    pub age_secs: i64,
    /// The last journal line, as text.
    pub last_journal: Option<String>,
    /// "mi-agent-card-cryhod, étape 7" when a procedure walked on it stopped midway.
    pub stopped_at: Option<String>,
    /// The call was closed with "we call back": someone must.
    pub callback_due: bool,
    /// Handed to a second level, waiting for its answer.
    pub escalated: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Handling {
    pub closed: usize,
    pub median_secs: Option<i64>,
    pub longest_secs: Option<i64>,
    pub longest_call: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProcedureUse {
    pub slug: String,
    pub title: String,
    pub calls: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HandoverReport {
    pub shift: ShiftWindow,
    pub shift_label: String,
    pub operator: Option<String>,
    pub generated_at: DateTime<Utc>,
    pub calls_total: i64,
    /// Calls of the window not closed yet.
    pub still_open: i64,
    /// Every call still open (opened before the window's end), oldest first.
    pub open: Vec<WaitingLine>,
    /// How many open calls there are in all (`open` stops at a limit).
    pub open_total: i64,
    /// Calls closed in the window with the promise to call back.
    pub callbacks: Vec<WaitingLine>,
    /// The window's escalations (and older hand-offs not sent yet), with their GLPI
    /// tickets and whether each is sent, waiting or in doubt.
    pub escalations: Vec<Escalation>,
    pub by_service: BTreeMap<String, i64>,
    pub by_device: BTreeMap<String, i64>,
    pub by_outcome: BTreeMap<String, i64>,
    pub by_operator: BTreeMap<String, i64>,
    /// The same counts, largest first, with labels: what the screen and Markdown show.
    pub services: Vec<Count>,
    pub devices: Vec<Count>,
    pub outcomes: Vec<Count>,
    pub operators: Vec<Count>,
    pub handling: Handling,
    pub top_procedures: Vec<ProcedureUse>,
    /// The telephony's calls that came in during the shift: answered, missed, the
    /// answered rate, line by line (the whole desk's, whatever `operator`).
    pub telephony: Answering,
    /// This shift's handover notes and acknowledgements.
    pub notes: Vec<HandoverEntry>,
    /// The previous shift's, shown on this handover.
    pub previous_notes: Vec<HandoverEntry>,
}

fn median(values: &mut [i64]) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let n = values.len();
    Some(if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2
    })
}

fn waiting_line(w: WaitingCall, now: DateTime<Utc>) -> WaitingLine {
    let stopped_at = w.walk.as_ref().and_then(|m: &WalkMark| {
        m.current
            .as_ref()
            .map(|step| format!("{}, étape « {step} »", m.procedure))
    });
    let closed_or_now = w.call.closed_at.unwrap_or(now);
    WaitingLine {
        age_secs: (closed_or_now.max(now) - w.call.opened_at)
            .num_seconds()
            .max(0),
        last_journal: w
            .last_entry
            .as_ref()
            .map(|e| normalize_spaces(&e.describe())),
        stopped_at,
        callback_due: w.call.outcome == Some(Outcome::Callback),
        escalated: w.call.outcome == Some(Outcome::Escalated),
        call: w.call,
    }
}

/// The escalations of the handover, each with where its hand-off to GLPI stands.
pub fn escalations(
    store: &Store,
    reference: &Reference,
    shift: &ShiftWindow,
    operator: Option<&str>,
) -> Result<Vec<Escalation>> {
    let calls = store.handover_escalations(shift.from, shift.to, operator)?;
    let mut out = Vec::with_capacity(calls.len());
    for call in calls {
        // A shift's escalations are a handful: one look at each call's outbox.
        let pushes = store.glpi_outbox_of(call.reference)?;
        let handoff = Handoff::of_call(pushes.iter().map(|p| p.state));
        out.push(Escalation::new(call, handoff, reference));
    }
    Ok(out)
}

impl HandoverReport {
    /// Builds the report of `shift` (one operator's calls when `operator` is given).
    pub fn build(
        store: &Store,
        reference: &Reference,
        shift: &ShiftWindow,
        previous: &ShiftWindow,
        operator: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<HandoverReport> {
        let data = store.report_data(shift.from, shift.to, operator)?;
        let notes = store.handover_entries(shift.from, shift.from)?;
        let previous_notes = store.handover_entries(previous.from, previous.from)?;
        // Titles of the procedures used, from the indexed catalogue (the slug when the
        // procedure is gone from it).
        let title = |slug: &str| store.procedure_title(slug).ok().flatten();
        let telephony = Answering::of(&store.phone_calls_between(shift.from, shift.to)?);
        let mut report = HandoverReport::from_data(
            data,
            reference,
            &title,
            shift,
            operator,
            now,
            notes,
            previous_notes,
        );
        report.telephony = telephony;
        report.escalations = escalations(store, reference, shift, operator)?;
        Ok(report)
    }

    #[allow(clippy::too_many_arguments)] // one call site: build()
    fn from_data(
        data: ReportData,
        reference: &Reference,
        title: &dyn Fn(&str) -> Option<String>,
        shift: &ShiftWindow,
        operator: Option<&str>,
        now: DateTime<Utc>,
        notes: Vec<HandoverEntry>,
        previous_notes: Vec<HandoverEntry>,
    ) -> HandoverReport {
        let ReportData {
            counts:
                WindowCounts {
                    calls_total,
                    still_open,
                    by_service,
                    by_device,
                    by_outcome,
                    by_operator,
                    mut handling_secs,
                    longest,
                },
            procedures,
            waiting,
            open_total,
        } = data;
        let counts = |v: &[(String, i64)], label: &dyn Fn(&str) -> String| -> Vec<Count> {
            v.iter()
                .map(|(slug, n)| Count {
                    slug: slug.clone(),
                    label: label(slug),
                    count: *n,
                })
                .collect()
        };
        let outcomes_named: Vec<(String, i64)> = by_outcome
            .iter()
            .filter_map(|(o, n)| o.clone().map(|o| (o, *n)))
            .collect();
        let mut open = Vec::new();
        let mut callbacks = Vec::new();
        for w in waiting {
            let line = waiting_line(w, now);
            if line.call.status == CallStatus::Open {
                open.push(line);
            } else {
                callbacks.push(line);
            }
        }
        let map = |v: &[(String, i64)]| v.iter().cloned().collect::<BTreeMap<_, _>>();
        HandoverReport {
            shift_label: shift.label(),
            shift: shift.clone(),
            operator: operator.map(String::from),
            generated_at: now,
            calls_total,
            still_open,
            open_total,
            open,
            callbacks,
            by_service: map(&by_service),
            by_device: map(&by_device),
            by_outcome: map(&outcomes_named),
            by_operator: map(&by_operator),
            services: counts(&by_service, &|s| reference.service_short(s).to_string()),
            devices: counts(&by_device, &|d| reference.device_short(d).to_string()),
            outcomes: counts(&outcomes_named, &|o| {
                Outcome::from_slug(o).map_or(o.to_string(), |x| x.label().to_string())
            }),
            operators: counts(&by_operator, &|o| o.to_string()),
            handling: Handling {
                closed: handling_secs.len(),
                median_secs: median(&mut handling_secs),
                longest_secs: longest.map(|(_, s)| s),
                longest_call: longest.map(|(r, _)| r.to_string()),
            },
            top_procedures: procedures
                .into_iter()
                .map(|(slug, calls)| ProcedureUse {
                    title: title(&slug).unwrap_or_else(|| slug.clone()),
                    slug,
                    calls,
                })
                .collect(),
            notes,
            previous_notes,
            telephony: Answering::default(),
            escalations: Vec::new(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.calls_total == 0
            && self.open.is_empty()
            && self.callbacks.is_empty()
            && self.escalations.is_empty()
    }

    /// The outgoing operator's last note on this shift.
    pub fn note(&self) -> Option<&HandoverEntry> {
        self.notes
            .iter()
            .rev()
            .find(|e| e.kind == HandoverKind::Note)
    }

    /// Who acknowledged this shift's handover, and when.
    pub fn acknowledgements(&self) -> impl Iterator<Item = &HandoverEntry> {
        self.notes.iter().filter(|e| e.kind == HandoverKind::Ack)
    }
}

#[cfg(test)]
mod tests {
    use super::median;

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [5, 1, 3]), Some(3));
        assert_eq!(median(&mut [4, 1, 3, 2]), Some(2));
    }
}
