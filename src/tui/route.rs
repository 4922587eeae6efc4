//! Navigation as data: every place the console can go, screens and popups alike. A screen
//! names where to go in its effects (`Effect::Open(Route::Call(r))`); the router opens it
//! through `open`, the one place screens are built, so no screen builds another.
//!
//! A route carries what the screen opens on as the one asking already holds it (the call
//! on screen, a draft read from the store), so that opening never reads it twice.

use super::keys::{Action, Context};
use crate::domain::call::{CallDraft, CallRecord, CallRef, JournalEntry, Outcome};
use crate::domain::tool::ToolKind;
use crate::report::ProcedureFigures;
use crate::store::SavedDraft;
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, PartialEq)]
pub enum Route {
    /// One call: its fields and its journal.
    Call(CallRef),
    /// A procedure walked on a call, resumed where it stopped if it was interrupted.
    Walk { call: CallRef, procedure: String },
    /// The whole catalogue, to read.
    Catalogue,
    /// The procedures for a call, to choose the one to walk on it.
    ProceduresFor(Box<CallRecord>),
    /// One procedure read as text; walked from there on `for_call` when there is one.
    Procedure {
        slug: String,
        for_call: Option<CallRef>,
    },
    /// A new call, its form filled with `draft` (blank, a phone call's number, a call
    /// back, a call set aside), its timer from `opened_at`.
    NewCall {
        draft: Box<CallDraft>,
        opened_at: DateTime<Utc>,
    },
    /// A call typed earlier and found saved as a draft, typed again into the form.
    ResumedDraft(Box<SavedDraft>),
    /// The tools, filled from the call on screen and opened on its procedure's tool.
    Tools {
        call: Option<Box<CallRecord>>,
        tool: Option<ToolKind>,
        /// A value typed once in the walk on screen, for that tool (a quota, a code).
        offered: Option<String>,
    },
    /// The handover of the shift in progress.
    Handover,
    /// « À reprendre » (F7): the missed calls to call back and the calls set aside.
    Awaiting,
    /// What the desk's walks say of its procedures (from the handover).
    Figures,
    /// One procedure's steps annotated with the figures the figures screen holds.
    FigureSteps(Box<ProcedureFigures>),

    // Popups, drawn over the screen under them.
    /// Every key of the screen under it (`Context`).
    Help(Context),
    /// A call typed in a console that is gone, offered back.
    DraftOffer(Box<SavedDraft>),
    /// A yes/no question before `pending`.
    Confirm {
        title: String,
        question: String,
        pending: Pending,
    },
    /// A note to write, starting from `text` (one typed then cancelled, or the current one).
    Note { title: String, text: String },
    /// Closing an open call; the outcome its journal already holds, if any, is proposed.
    CloseCall {
        call: CallRef,
        recorded: Option<Outcome>,
    },
    /// Correcting a closed call's outcome.
    CorrectOutcome {
        call: CallRef,
        current: Option<Outcome>,
        /// Its GLPI ticket: correcting asks first, and a followup says so to GLPI.
        ticket: Option<i64>,
    },
    /// One journal line read whole.
    Entry {
        call: CallRef,
        entry: Box<JournalEntry>,
    },
}

/// An action waiting on a yes/no question (the `Confirm` route), handed back to the screen
/// under it when the answer is yes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pending {
    /// Take over the call from its handler, then do the action.
    TakeOver(Action),
    /// Act on a closed call someone else handled.
    ActOnClosed(Action),
    /// Close with another outcome than the journal's.
    CloseAnyway(Outcome, Option<String>),
    /// Correct the outcome of a call that has a GLPI ticket (a followup will say so).
    CorrectTicketed(Outcome, Option<String>),
    /// Quit although the call being typed could not be saved.
    QuitUnsaved,
    /// Add a tool's answer to the journal of a call someone else handles (taking an open
    /// call over first).
    ToolNote { line: String, take_over: bool },
}
