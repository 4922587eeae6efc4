//! The handover screen's state and keys (F5): a shift's report, choosing another shift,
//! writing the handover note, acknowledging it.

use super::app::{App, Screen};
use super::input::TextField;
use super::keys::{Action, Context};
use crate::domain::call::check_note;
use crate::domain::shifts::{ShiftPlan, ShiftWindow};
use crate::report::HandoverReport;
use crate::store::HandoverKind;
use crossterm::event::KeyEvent;

pub struct HandoverState {
    pub plan: ShiftPlan,
    /// The shift shown; `None` until F5 is first pressed (then the current one).
    pub shift: Option<ShiftWindow>,
    /// Only the operator's own calls.
    pub mine: bool,
    pub report: Option<HandoverReport>,
    /// The waiting call selected (Enter opens it).
    pub selected: usize,
    /// The handover note being written.
    pub note: Option<TextField>,
    pub return_to: Screen,
}

impl HandoverState {
    pub fn new(plan: ShiftPlan) -> HandoverState {
        HandoverState {
            plan,
            shift: None,
            mine: false,
            report: None,
            selected: 0,
            note: None,
            return_to: Screen::List,
        }
    }

    /// The waiting calls in the order shown: callbacks first, then open calls.
    pub fn waiting(&self) -> Vec<&crate::report::WaitingLine> {
        self.report
            .as_ref()
            .map(|r| r.callbacks.iter().chain(&r.open).collect())
            .unwrap_or_default()
    }
}

impl App {
    pub(super) fn handover_context(&self) -> Context {
        if self.handover.note.is_some() {
            Context::HandoverNote
        } else {
            Context::Handover
        }
    }

    pub(super) fn open_handover(&mut self) {
        if self.screen != Screen::Handover {
            self.handover.return_to = self.screen;
        }
        self.handover.shift = Some(self.handover.plan.current(self.now));
        self.handover.selected = 0;
        self.screen = Screen::Handover;
        self.reload_handover();
    }

    /// Builds the report again: on entering, on changing shift or filter, and when another
    /// operator's write moves the database (never per frame).
    pub(super) fn reload_handover(&mut self) {
        let Some(shift) = self.handover.shift.clone() else {
            return;
        };
        let previous = self.handover.plan.previous(&shift);
        let operator = self.handover.mine.then(|| self.operator.clone());
        match HandoverReport::build(
            &self.store,
            &self.reference,
            &self.catalog,
            &shift,
            &previous,
            operator.as_deref(),
            self.now,
        ) {
            Ok(report) => {
                self.handover.report = Some(report);
                let n = self.handover.waiting().len();
                self.handover.selected = self.handover.selected.min(n.saturating_sub(1));
            }
            Err(e) => self.error(format!("relève illisible : {e}")),
        }
    }

    pub(super) fn act_handover(&mut self, ctx: Context, action: Action) {
        if ctx == Context::HandoverNote {
            match action {
                Action::Confirm => self.save_handover_note(),
                Action::Back => self.handover.note = None,
                _ => {}
            }
            return;
        }
        let n = self.handover.waiting().len();
        match action {
            Action::Up => self.handover.selected = self.handover.selected.saturating_sub(1),
            Action::Down => {
                self.handover.selected = (self.handover.selected + 1).min(n.saturating_sub(1))
            }
            Action::PrevShift | Action::NextShift => {
                if let Some(shift) = &self.handover.shift {
                    let plan = &self.handover.plan;
                    let other = if action == Action::PrevShift {
                        plan.previous(shift)
                    } else {
                        plan.next(shift)
                    };
                    // The future has no report yet.
                    if other.from <= self.now {
                        self.handover.shift = Some(other);
                        self.handover.selected = 0;
                        self.reload_handover();
                    }
                }
            }
            Action::ScopeMine => {
                self.handover.mine = !self.handover.mine;
                self.reload_handover();
            }
            Action::AddNote => {
                let current = self
                    .handover
                    .report
                    .as_ref()
                    .and_then(|r| r.note())
                    .map(|n| n.text.clone())
                    .unwrap_or_default();
                self.handover.note = Some(TextField::single(&current, 4000));
            }
            Action::Acknowledge => self.acknowledge_handover(),
            Action::Open => {
                let reference = self
                    .handover
                    .waiting()
                    .get(self.handover.selected)
                    .map(|w| w.call.reference);
                if let Some(r) = reference {
                    self.open_detail(r);
                }
            }
            Action::Back => {
                self.screen = match self.handover.return_to {
                    Screen::Detail if self.detail.is_none() => Screen::List,
                    Screen::Form if self.form.is_none() => Screen::List,
                    Screen::Handover => Screen::List,
                    other => other,
                };
            }
            _ => {}
        }
    }

    pub(super) fn type_in_handover(&mut self, ev: KeyEvent) {
        if let Some(note) = self.handover.note.as_mut() {
            note.handle(ev);
        }
    }

    fn save_handover_note(&mut self) {
        let (Some(note), Some(shift)) = (&self.handover.note, self.handover.shift.clone()) else {
            return;
        };
        match check_note(&note.value()) {
            Err(e) => self.error(e.to_string()),
            Ok(text) => {
                match self.store.add_handover(
                    HandoverKind::Note,
                    &self.operator,
                    self.now,
                    &shift,
                    &text,
                ) {
                    Ok(()) => {
                        self.handover.note = None;
                        self.reload_handover();
                        self.info(format!("Note de relève enregistrée : {}", shift.label()));
                    }
                    Err(e) => self.error(format!("note non enregistrée : {e}")),
                }
            }
        }
    }

    fn acknowledge_handover(&mut self) {
        let Some(shift) = self.handover.shift.clone() else {
            return;
        };
        let already = self
            .handover
            .report
            .as_ref()
            .is_some_and(|r| r.acknowledgements().any(|a| a.operator == self.operator));
        if already {
            self.error("vous avez déjà pris connaissance de cette relève".into());
            return;
        }
        match self
            .store
            .add_handover(HandoverKind::Ack, &self.operator, self.now, &shift, "")
        {
            Ok(()) => {
                self.reload_handover();
                self.info(format!("Prise de connaissance notée : {}", shift.label()));
            }
            Err(e) => self.error(format!("prise de connaissance non notée : {e}")),
        }
    }
}
