//! What the navigation stack holds: `Screen`, the closed set of screens and popups, so the
//! router keeps them on one stack and the tests can look inside the one on top.

use super::component::Component;
use super::popups::{confirm, draft, entry, help, note, outcome};
use super::screens::Kind;
use super::screens::{
    awaiting, detail, figure_steps, figures, form, handover, list, procedure_view, procedures,
    runner, tools,
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
    Figures(Box<figures::FiguresScreen>),
    FigureSteps(Box<figure_steps::FigureStepsScreen>),
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
            Screen::Figures(_) => Kind::Figures,
            Screen::FigureSteps(_) => Kind::FigureSteps,
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
            Screen::Figures(s) => s.as_ref(),
            Screen::FigureSteps(s) => s.as_ref(),
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
            Screen::Figures(s) => s.as_mut(),
            Screen::FigureSteps(s) => s.as_mut(),
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

/// The navigation stack: the calls list at the bottom, always; the screens opened over it;
/// popups drawn over the screen under them.
pub struct Stack {
    screens: Vec<Screen>,
}

impl Stack {
    pub fn new(home: Screen) -> Stack {
        Stack {
            screens: vec![home],
        }
    }

    pub fn top(&self) -> &Screen {
        self.screens
            .last()
            .expect("the list is always at the bottom")
    }

    pub fn top_mut(&mut self) -> &mut Screen {
        self.screens
            .last_mut()
            .expect("the list is always at the bottom")
    }

    pub fn bottom(&self) -> &Screen {
        &self.screens[0]
    }

    /// How many screens are open, the list included.
    pub fn depth(&self) -> usize {
        self.screens.len()
    }

    pub fn push(&mut self, screen: Screen) {
        self.screens.push(screen);
    }

    /// Takes the screen on top off; never the list at the bottom.
    pub fn pop(&mut self) -> Option<Screen> {
        if self.screens.len() > 1 {
            self.screens.pop()
        } else {
            None
        }
    }

    /// Drops every screen from `index` up (the list stays).
    pub fn truncate(&mut self, index: usize) {
        self.screens.truncate(index.max(1));
    }

    /// Takes out the screen at `index` (one the operator left under others); never the
    /// list at the bottom.
    pub fn remove(&mut self, index: usize) -> Option<Screen> {
        (index > 0 && index < self.screens.len()).then(|| self.screens.remove(index))
    }

    /// Where the topmost screen of `kind` is, if one is open.
    pub fn position(&self, kind: Kind) -> Option<usize> {
        self.screens.iter().rposition(|s| s.kind() == kind)
    }

    /// The topmost screen `pick` recognises.
    pub fn find<'a, T: ?Sized>(
        &'a self,
        pick: impl Fn(&'a Screen) -> Option<&'a T>,
    ) -> Option<&'a T> {
        self.screens.iter().rev().find_map(pick)
    }

    pub fn find_mut<'a, T: ?Sized>(
        &'a mut self,
        pick: impl Fn(&'a mut Screen) -> Option<&'a mut T>,
    ) -> Option<&'a mut T> {
        self.screens.iter_mut().rev().find_map(pick)
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &Screen> {
        self.screens.iter()
    }

    pub fn iter_mut(&mut self) -> impl Iterator<Item = &mut Screen> {
        self.screens.iter_mut()
    }

    /// The screen shown: the topmost that is no popup.
    fn base(&self) -> usize {
        self.screens
            .iter()
            .rposition(|s| !s.component().is_popup())
            .unwrap_or(0)
    }

    /// What is drawn: the screen shown, then the popups over it.
    pub fn drawn(&self) -> &[Screen] {
        &self.screens[self.base()..]
    }
}
