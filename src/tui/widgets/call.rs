//! How a call shows wherever it is drawn: its frame, a journal line's head, an outcome
//! in a column.

use crate::domain::call::{CallRecord, CallStatus, JournalEntry, Outcome, journal_outcome};
use crate::domain::text::{truncate, visible};
use crate::domain::time::{age, paris};
use crate::tui::component::{GlpiLink, View};
use crate::tui::keys::{Action, Context, hint};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders};

/// A call's frame: its reference, and how long it has been open or when it was closed.
pub fn call_block(record: &CallRecord, view: &View) -> Block<'static> {
    let c = &record.call;
    let state = match c.status {
        CallStatus::Open => format!("ouvert depuis {}", age(view.now - c.opened_at)),
        CallStatus::Closed => format!(
            "clos le {}",
            c.closed_at
                .map_or(String::new(), |t| paris(t, "%d/%m %H:%M"))
        ),
    };
    let title = match c.glpi_ticket {
        Some(t) => format!(" Appel {} · ticket GLPI n° {t} ", c.reference),
        // An escalated call without its ticket says which key makes one (the key table's).
        None if (c.outcome == Some(Outcome::Escalated)
            || journal_outcome(&record.journal) == Some(Outcome::Escalated))
            && !matches!(view.desk.glpi, GlpiLink::Off) =>
        {
            let ctx = match c.status {
                CallStatus::Open => Context::Detail,
                CallStatus::Closed => Context::DetailClosed,
            };
            match hint(ctx, Action::Glpi, "ticket GLPI") {
                Some(h) => format!(" Appel {} · {h} ", c.reference),
                None => format!(" Appel {} ", c.reference),
            }
        }
        None => format!(" Appel {} ", c.reference),
    };
    Block::default()
        .borders(Borders::ALL)
        .border_style(view.theme.border())
        .title(Span::styled(title, view.theme.title()))
        .title(Line::from(format!(" {state} ")).right_aligned())
}

/// One journal line's head: when and who, in fixed columns.
pub fn entry_head(e: &JournalEntry) -> String {
    format!(
        "{} {:<10} ",
        paris(e.at, "%d/%m %H:%M"),
        truncate(&visible(&e.operator), 10)
    )
}

/// An outcome in a few letters, for a column or beside a correction.
pub fn short_outcome(o: Outcome) -> &'static str {
    match o {
        Outcome::Resolved => "résolu",
        Outcome::Escalated => "escaladé",
        Outcome::Callback => "à rappeler",
        Outcome::Transferred => "transféré",
        Outcome::Abandoned => "abandonné",
    }
}
