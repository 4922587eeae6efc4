//! One component per screen and per popup. `Screen` is the closed set of them, so the
//! router can keep them on one stack and the tests can look inside the one on top.

pub mod awaiting;
pub mod confirm;
pub mod detail;
pub mod draft;
pub mod entry;
pub mod form;
pub mod handover;
pub mod help;
pub mod list;
pub mod note;
pub mod outcome;
pub mod procedure_view;
pub mod procedures;
pub mod runner;
pub mod search_bar;
pub mod tools;

use super::component::Component;

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

/// Which screen it is, for the router's navigation and the tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    List,
    Form,
    Detail,
    Runner,
    Procedures,
    ProcedureView,
    Tools,
    Handover,
    Awaiting,
    Help,
    DraftOffer,
    Confirm,
    Outcome,
    Note,
    Entry,
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
