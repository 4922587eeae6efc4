//! What the navigation stack holds: `Screen`, the closed set of screens and popups, so the
//! router keeps them on one stack and the tests can look inside the one on top.

use super::component::Component;
use super::popups::{confirm, draft, entry, help, note, outcome};
use super::screens::Kind;
use super::screens::{
    awaiting, detail, form, handover, list, procedure_view, procedures, runner, tools,
};

pub enum Screen {
    List(list::ListScreen),
    Form(Box<form::FormScreen>),
    Detail(Box<detail::DetailScreen>),
    Runner(Box<runner::RunnerScreen>),
    Procedures(Box<procedures::ProceduresScreen>),
    ProcedureView(procedure_view::ProcedureView),
    Tools(Box<tools::ToolsScreen>),
    Handover(Box<handover::HandoverScreen>),
    Awaiting(Box<awaiting::AwaitingScreen>),
    Help(help::HelpPopup),
    DraftOffer(draft::DraftOffer),
    Confirm(confirm::ConfirmPopup),
    Outcome(outcome::OutcomeDialog),
    Note(note::NotePopup),
    Entry(entry::EntryPopup),
}

impl Screen {
    pub fn kind(&self) -> Kind {
        match self {
            Screen::List(_) => Kind::List,
            Screen::Form(_) => Kind::Form,
            Screen::Detail(_) => Kind::Detail,
            Screen::Runner(_) => Kind::Runner,
            Screen::Procedures(_) => Kind::Procedures,
            Screen::ProcedureView(_) => Kind::ProcedureView,
            Screen::Tools(_) => Kind::Tools,
            Screen::Handover(_) => Kind::Handover,
            Screen::Awaiting(_) => Kind::Awaiting,
            Screen::Help(_) => Kind::Help,
            Screen::DraftOffer(_) => Kind::DraftOffer,
            Screen::Confirm(_) => Kind::Confirm,
            Screen::Outcome(_) => Kind::Outcome,
            Screen::Note(_) => Kind::Note,
            Screen::Entry(_) => Kind::Entry,
        }
    }

    pub fn component(&self) -> &dyn Component {
        match self {
            Screen::List(s) => s,
            Screen::Form(s) => s.as_ref(),
            Screen::Detail(s) => s.as_ref(),
            Screen::Runner(s) => s.as_ref(),
            Screen::Procedures(s) => s.as_ref(),
            Screen::ProcedureView(s) => s,
            Screen::Tools(s) => s.as_ref(),
            Screen::Handover(s) => s.as_ref(),
            Screen::Awaiting(s) => s.as_ref(),
            Screen::Help(s) => s,
            Screen::DraftOffer(s) => s,
            Screen::Confirm(s) => s,
            Screen::Outcome(s) => s,
            Screen::Note(s) => s,
            Screen::Entry(s) => s,
        }
    }

    pub fn component_mut(&mut self) -> &mut dyn Component {
        match self {
            Screen::List(s) => s,
            Screen::Form(s) => s.as_mut(),
            Screen::Detail(s) => s.as_mut(),
            Screen::Runner(s) => s.as_mut(),
            Screen::Procedures(s) => s.as_mut(),
            Screen::ProcedureView(s) => s,
            Screen::Tools(s) => s.as_mut(),
            Screen::Handover(s) => s.as_mut(),
            Screen::Awaiting(s) => s.as_mut(),
            Screen::Help(s) => s,
            Screen::DraftOffer(s) => s,
            Screen::Confirm(s) => s,
            Screen::Outcome(s) => s,
            Screen::Note(s) => s,
            Screen::Entry(s) => s,
        }
    }
}
