//! One component per screen: each owns its state, its keys and its view, and names the
//! routes it leads to rather than building another screen (`open` builds them).

pub mod awaiting;
pub mod detail;
pub mod figure_steps;
pub mod figures;
pub mod form;
pub mod handover;
pub mod list;
pub mod procedure_view;
pub mod procedures;
pub mod runner;
pub mod tools;

/// Which screen or popup is on the stack, for the router's navigation and the tests.
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
    Figures,
    FigureSteps,
    Awaiting,
    Help,
    DraftOffer,
    Confirm,
    Outcome,
    Note,
    Entry,
}
