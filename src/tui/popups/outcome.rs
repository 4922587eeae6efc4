//! Choosing an outcome: to close a call (the journal's outcome is proposed, and closing
//! with another one asks first), or to correct a closed call's outcome.

use crate::domain::call::{CallRef, Field, Outcome, check_note};
use crate::tui::component::{Component, Effect, Env, Input, Reply, Update, View};
use crate::tui::input::TextField;
use crate::tui::keys::{Action, Context};
use crate::tui::route::{Pending, Route};
use crate::tui::widgets::{centered, focus_line, popup};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{List, ListItem, ListState, Paragraph};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Close an open call; the outcome its journal already holds, if any.
    Close { recorded: Option<Outcome> },
    /// Replace a closed call's outcome; its GLPI ticket, if it has one (asked first).
    Correct {
        current: Option<Outcome>,
        ticket: Option<i64>,
    },
}

pub struct OutcomeDialog {
    pub call: CallRef,
    pub purpose: Purpose,
    pub selected: usize,
    pub note: TextField,
}

fn index_of(o: Outcome) -> usize {
    Outcome::ALL.iter().position(|x| *x == o).unwrap_or(0)
}

impl OutcomeDialog {
    /// Closing: the outcome already in the journal (an escalation, a callback) is the one
    /// proposed, so Entrée alone records what happened.
    pub fn close(call: CallRef, recorded: Option<Outcome>) -> OutcomeDialog {
        OutcomeDialog {
            call,
            purpose: Purpose::Close { recorded },
            selected: recorded.map_or(0, index_of),
            note: TextField::single("", Field::Notes.max_chars()),
        }
    }

    pub fn correct(call: CallRef, current: Option<Outcome>, ticket: Option<i64>) -> OutcomeDialog {
        OutcomeDialog {
            call,
            purpose: Purpose::Correct { current, ticket },
            selected: current.map_or(0, index_of),
            note: TextField::single("", Field::Notes.max_chars()),
        }
    }

    pub fn chosen(&self) -> Outcome {
        Outcome::ALL[self.selected]
    }

    fn note(&self) -> Result<Option<String>, String> {
        let text = self.note.value();
        if text.trim().is_empty() {
            Ok(None)
        } else {
            check_note(&text).map(Some).map_err(|e| e.to_string())
        }
    }
}

impl Component for OutcomeDialog {
    fn context(&self) -> Context {
        match self.purpose {
            Purpose::Close { .. } => Context::CloseCall,
            Purpose::Correct { .. } => Context::CorrectOutcome,
        }
    }

    fn update(&mut self, input: Input, _env: &mut Env) -> Update {
        let n = Outcome::ALL.len();
        let action = match input {
            Input::Text(typed) => {
                self.note.typed(&typed);
                return Ok(Effect::None);
            }
            Input::Action(a) => a,
        };
        match action {
            Action::Up => self.selected = (self.selected + n - 1) % n,
            Action::Down => self.selected = (self.selected + 1) % n,
            Action::Back => return Ok(Effect::Pop),
            Action::Confirm => {
                let chosen = self.chosen();
                let note = self.note()?;
                match self.purpose {
                    Purpose::Close {
                        recorded: Some(recorded),
                    } if recorded != chosen => {
                        let question = format!(
                            "Le journal de {} indique « {} ». Clore l'appel comme « {} » ?",
                            self.call,
                            recorded.label(),
                            chosen.label()
                        );
                        return Ok(Effect::Open(Route::Confirm {
                            title: "Issue différente du journal".into(),
                            question,
                            pending: Pending::CloseAnyway(chosen, note),
                        }));
                    }
                    Purpose::Correct {
                        current: Some(current),
                        ..
                    } if current == chosen => {
                        return Err(format!(
                            "l'issue de {} est déjà « {} » : en choisir une autre",
                            self.call,
                            chosen.label()
                        )
                        .into());
                    }
                    Purpose::Correct {
                        current,
                        ticket: Some(ticket),
                    } => {
                        // The second level works from the ticket: it is told, so the
                        // operator is asked first.
                        let question = format!(
                            "{} a le ticket GLPI n° {ticket}. Corriger son issue de « {} » en \
                             « {} » ? Un suivi le dira au ticket.",
                            self.call,
                            current.map_or("non donnée", Outcome::label),
                            chosen.label()
                        );
                        return Ok(Effect::Open(Route::Confirm {
                            title: "Appel transmis à GLPI".into(),
                            question,
                            pending: Pending::CorrectTicketed(chosen, note),
                        }));
                    }
                    _ => return Ok(Effect::Reply(Reply::Outcome(chosen, note))),
                }
            }
            _ => {}
        }
        Ok(Effect::None)
    }

    fn resume(&mut self, reply: Reply, _env: &mut Env) -> Update {
        Ok(match reply {
            Reply::Confirmed(
                Pending::CloseAnyway(outcome, note) | Pending::CorrectTicketed(outcome, note),
            ) => Effect::Reply(Reply::Outcome(outcome, note)),
            _ => Effect::None,
        })
    }

    fn is_popup(&self) -> bool {
        true
    }

    fn view(&self, frame: &mut Frame, area: Rect, view: &View) {
        let theme = view.theme;
        let (title, note_label, marker) = match self.purpose {
            Purpose::Close { recorded } => (
                format!("Clore l'appel {}", self.call),
                "Note de clôture (facultative) :",
                recorded.map(|o| (o, "selon le journal")),
            ),
            Purpose::Correct { current, .. } => (
                format!("Corriger l'issue de {}", self.call),
                "Raison de la correction (facultative) :",
                current.map(|o| (o, "actuelle")),
            ),
        };
        let rect = centered(area, 56, 11);
        let inner = popup(frame, rect, &title, theme);
        let [label, choices, note_label_area, note_area] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(Outcome::ALL.len() as u16),
            Constraint::Length(1),
            Constraint::Length(1),
        ])
        .areas(inner);
        frame.render_widget(
            Paragraph::new(Span::styled("Issue (↑/↓) :", theme.label())),
            label,
        );
        let items: Vec<ListItem> = Outcome::ALL
            .iter()
            .map(|o| {
                let mut spans = vec![Span::raw(format!(" {}", o.label()))];
                if let Some((m, why)) = marker
                    && m == *o
                {
                    spans.push(Span::styled(format!("  ({why})"), theme.dim()));
                }
                ListItem::new(Line::from(spans))
            })
            .collect();
        let mut state = ListState::default().with_selected(Some(self.selected));
        frame.render_stateful_widget(
            List::new(items)
                .highlight_symbol(view.mark("▶", " "))
                .highlight_style(theme.selected()),
            choices,
            &mut state,
        );
        focus_line(frame, choices, self.selected.saturating_sub(state.offset()));
        frame.render_widget(
            Paragraph::new(Span::styled(note_label, theme.label())),
            note_label_area,
        );
        frame.render_widget(self.note.textarea(), note_area);
    }
}
