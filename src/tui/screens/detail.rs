//! One call: its fields and its journal; from here a note, a procedure, the close (or the
//! correction of a closed call's outcome). Acting on a call someone else handles asks
//! first.

use crate::domain::call::{CallRecord, CallRef, CallStatus, Outcome, journal_outcome};
use crate::domain::text::{truncate, visible, wrap_hanging};
use crate::domain::time::paris;
use crate::store::StoreError;
use crate::tui::component::{
    About, Component, Doing, Effect, Env, GlpiLink, Input, Problem, Reply, Update, View, ask_before,
};
use crate::tui::keys::{Action, Context};
use crate::tui::route::{Pending, Route};
use crate::tui::widgets::{
    call_block, entry_head, focus_line, label_value, scroll_to_show, short_outcome,
};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use std::cell::Cell;

const LABEL_COLS: usize = 11;

pub struct DetailScreen {
    pub record: CallRecord,
    /// The journal line selected (Entrée reads it whole).
    pub selected: usize,
    /// A note typed then cancelled, offered again next time.
    pub pending_note: String,
    /// First journal row drawn, kept between frames so the list does not jump.
    top: Cell<usize>,
}

impl DetailScreen {
    pub fn open(env: &mut Env, reference: CallRef) -> Result<DetailScreen, Problem> {
        let record = env
            .store
            .read(move |s| s.get_call(reference))
            .doing("appel illisible")?;
        let selected = record.journal.len().saturating_sub(1);
        Ok(DetailScreen {
            record,
            selected,
            pending_note: String::new(),
            top: Cell::new(0),
        })
    }

    pub fn reference(&self) -> CallRef {
        self.record.call.reference
    }

    fn reload(&mut self, env: &mut Env) -> Result<(), Problem> {
        let grew = self.selected + 1 >= self.record.journal.len();
        let reference = self.reference();
        self.record = env
            .store
            .read(move |s| s.get_call(reference))
            .doing("appel illisible")?;
        let last = self.record.journal.len().saturating_sub(1);
        // Following the end of the journal keeps following it as it grows.
        self.selected = if grew { last } else { self.selected.min(last) };
        Ok(())
    }

    /// Does `action` on the call; `asked` once the operator agreed to act on a call
    /// someone else handles.
    fn act(&mut self, action: Action, asked: bool, env: &mut Env) -> Update {
        let call = &self.record.call;
        let acts_on_call = matches!(
            action,
            Action::Run | Action::AddNote | Action::CloseCall | Action::CorrectOutcome
        );
        if acts_on_call
            && !asked
            && let Some(pending) = ask_before(call, &env.desk.operator, action)
        {
            let question = match &pending {
                Pending::TakeOver(_) => format!(
                    "{} est traité par {}. Le reprendre ? (noté au journal)",
                    call.reference,
                    visible(&call.handler)
                ),
                _ => format!(
                    "{} est clos et a été traité par {}. Agir quand même sur cet appel ?",
                    call.reference,
                    visible(&call.handler)
                ),
            };
            let title = match &pending {
                Pending::TakeOver(_) => "Appel pris par un autre opérateur",
                _ => "Appel clos d'un autre opérateur",
            };
            return Ok(Effect::Open(Route::Confirm {
                title: title.to_string(),
                question,
                pending,
            }));
        }
        let last = self.record.journal.len().saturating_sub(1);
        match action {
            Action::Up => self.selected = self.selected.saturating_sub(1),
            Action::Down => self.selected = (self.selected + 1).min(last),
            Action::First => self.selected = 0,
            Action::Last => self.selected = last,
            Action::Open => {
                if let Some(entry) = self.record.journal.get(self.selected) {
                    return Ok(Effect::Open(Route::Entry {
                        call: self.reference(),
                        entry: Box::new(entry.clone()),
                    }));
                }
            }
            Action::Run => return self.walk_or_choose(env),
            Action::AddNote => {
                return Ok(Effect::Open(Route::Note {
                    title: format!("Note sur l'appel {}", self.reference()),
                    text: self.pending_note.clone(),
                }));
            }
            Action::CloseCall if call.status == CallStatus::Open => {
                let recorded = call
                    .outcome
                    .or_else(|| journal_outcome(&self.record.journal));
                return Ok(Effect::Open(Route::CloseCall {
                    call: call.reference,
                    recorded,
                }));
            }
            Action::CorrectOutcome if call.status == CallStatus::Closed => {
                // The call as it is now: a sync may have given it a ticket since, and a
                // ticketed call's correction is asked for first.
                self.reload(env)?;
                let call = &self.record.call;
                return Ok(Effect::Open(Route::CorrectOutcome {
                    call: call.reference,
                    current: call.outcome,
                    ticket: call.glpi_ticket,
                }));
            }
            Action::Glpi => {
                // Back from a runner that escalated it: the call as it is now.
                self.reload(env)?;
                return push_to_glpi(env, &self.record);
            }
            Action::Back => return Ok(Effect::Pop),
            _ => {}
        }
        Ok(Effect::None)
    }

    /// `p`: resume the walk in progress, else choose a procedure for the call.
    fn walk_or_choose(&mut self, env: &mut Env) -> Update {
        let reference = self.reference();
        let mark = env
            .store
            .read(move |s| s.last_walk(reference))
            .doing("déroulé illisible")?;
        if let Some(mark) = mark
            && mark.current.is_some()
            && env
                .desk
                .library
                .procedure(env.store, &mark.procedure)?
                .is_some()
        {
            return Ok(Effect::Open(Route::Walk {
                call: reference,
                procedure: mark.procedure,
            }));
        }
        Ok(Effect::Open(Route::ProceduresFor(Box::new(
            self.record.clone(),
        ))))
    }
}

/// `t`: queues the escalated call for GLPI and wakes the console's sender, which says on
/// the status line what GLPI answered; the ticket's number then shows on the call.
pub fn push_to_glpi(env: &mut Env, record: &CallRecord) -> Update {
    let call = &record.call;
    let escalated = call.outcome == Some(Outcome::Escalated)
        || journal_outcome(&record.journal) == Some(Outcome::Escalated);
    if !escalated {
        return Err(Problem(format!(
            "{} n'est pas escaladé : seul un appel escaladé est envoyé à GLPI",
            call.reference
        )));
    }
    let wake = match &env.desk.glpi {
        GlpiLink::Off => {
            return Err(Problem(
                "GLPI n'est pas configuré : ajouter la table [glpi] à config.toml (voir le \
                 README, « GLPI »)"
                    .into(),
            ));
        }
        GlpiLink::Broken(why) => return Err(Problem(why.clone())),
        GlpiLink::On(wake) => wake.clone(),
    };
    let (reference, operator, now) = (call.reference, env.desk.operator.clone(), env.now);
    let (queued, waiting) = env
        .store
        .change(format!("envoi de {reference} à GLPI"), move |s| {
            let queued = s.glpi_queue(reference, &operator, now)?;
            Ok((queued, s.glpi_waiting(Some(reference))?))
        })
        .doing("envoi à GLPI non préparé")?;
    if queued.is_none() && waiting.is_empty() {
        return Ok(Effect::Info(match call.glpi_ticket {
            Some(t) => format!(
                "{} : rien de nouveau à envoyer au ticket GLPI n° {t}",
                call.reference
            ),
            None => format!("{} : rien à envoyer à GLPI", call.reference),
        }));
    }
    let _ = wake.send(());
    Ok(Effect::Info(format!(
        "{} : envoi à GLPI en cours ; la réponse s'affichera ici",
        call.reference
    )))
}

impl Component for DetailScreen {
    fn context(&self) -> Context {
        match self.record.call.status {
            CallStatus::Open => Context::Detail,
            CallStatus::Closed => Context::DetailClosed,
        }
    }

    fn update(&mut self, input: Input, env: &mut Env) -> Update {
        match input {
            Input::Action(action) => self.act(action, false, env),
            Input::Text(_) => Ok(Effect::None),
        }
    }

    fn refresh(&mut self, env: &mut Env) -> Result<(), Problem> {
        self.reload(env)
    }

    fn resume(&mut self, reply: Reply, env: &mut Env) -> Update {
        let reference = self.reference();
        let operator = env.desk.operator.clone();
        match reply {
            Reply::Confirmed(Pending::TakeOver(action)) => {
                let now = env.now;
                env.store
                    .change(format!("reprise de {reference}"), move |s| {
                        s.take_over(reference, &operator, now)
                    })
                    .doing("appel non repris")?;
                self.reload(env)?;
                let then = self.act(action, true, env)?;
                Ok(Effect::Info(format!("Vous avez repris l'appel {reference}")).and(then))
            }
            Reply::Confirmed(Pending::ActOnClosed(action)) => self.act(action, true, env),
            Reply::Note(text) => {
                let (now, note) = (env.now, text.clone());
                match env.store.change(format!("note sur {reference}"), move |s| {
                    s.add_note(reference, &operator, now, &note)
                }) {
                    Ok(()) => {}
                    // The note goes on to the store, and is told when it is there.
                    Err(StoreError::Slow { message }) => {
                        self.pending_note.clear();
                        return Err(Problem(format!("{message} — note en attente")));
                    }
                    Err(e) => {
                        // Nothing typed is lost: the note is offered again next time.
                        self.pending_note = text;
                        return Err(Problem(format!("note non ajoutée, texte gardé : {e}")));
                    }
                }
                self.pending_note.clear();
                self.reload(env)?;
                self.selected = self.record.journal.len().saturating_sub(1);
                Ok(Effect::Info(format!("Note ajoutée à {reference}")))
            }
            Reply::Cancelled(text) => {
                self.pending_note = text;
                Ok(Effect::None)
            }
            // The detail records no value: a tool's value is for a walk.
            Reply::Offer(..) => Ok(Effect::None),
            Reply::Outcome(outcome, note) => {
                let message = if self.record.call.status == CallStatus::Open {
                    let now = env.now;
                    env.store
                        .change(format!("clôture de {reference}"), move |s| {
                            s.close_call(reference, &operator, now, outcome, note.as_deref())
                        })
                        .doing("appel non clos")?;
                    format!("Appel {reference} clos : {}", outcome.label())
                } else {
                    let now = env.now;
                    // A call with a ticket: the correction's followup is queued with it, and
                    // the console's sender woken (the normal sync sends it otherwise).
                    let ticket = env
                        .store
                        .change(format!("issue de {reference}"), move |s| {
                            let call = s.correct_outcome(
                                reference,
                                &operator,
                                now,
                                outcome,
                                note.as_deref(),
                            )?;
                            if call.glpi_ticket.is_some() {
                                s.glpi_queue(reference, &operator, now)?;
                            }
                            Ok(call.glpi_ticket)
                        })
                        .doing("issue non corrigée")?;
                    let mut message = format!(
                        "Issue de {reference} corrigée : {} (le journal garde l'ancienne)",
                        outcome.label()
                    );
                    if let Some(ticket) = ticket {
                        if let GlpiLink::On(wake) = &env.desk.glpi {
                            let _ = wake.send(());
                        }
                        message.push_str(&format!(
                            " ; suivi du ticket GLPI n° {ticket} mis en attente d'envoi"
                        ));
                    }
                    message
                };
                self.reload(env)?;
                self.selected = self.record.journal.len().saturating_sub(1);
                Ok(Effect::Info(message))
            }
            Reply::Walk(slug) => Ok(Effect::Open(Route::Walk {
                call: reference,
                procedure: slug,
            })),
            Reply::Then(action) => self.act(action, true, env),
            Reply::Confirmed(_) => Ok(Effect::None),
        }
    }

    fn about(&self) -> About<'_> {
        About {
            call: Some(&self.record),
            service: Some(&self.record.call.service),
            procedure: None,
            walk: None,
        }
    }

    fn view(&self, frame: &mut Frame, area: Rect, view: &View) {
        let [fields, journal] =
            Layout::vertical([Constraint::Length(8), Constraint::Min(3)]).areas(area);
        draw_fields(frame, fields, view, &self.record);
        self.draw_journal(frame, journal, view);
        // The cursor on the call's title (« Appel A-0001 … »): what this screen is about.
        focus_line(frame, fields.inner(ratatui::layout::Margin::new(2, 0)), 0);
    }
}

fn draw_fields(frame: &mut Frame, area: Rect, view: &View, record: &CallRecord) {
    let c = &record.call;
    let theme = view.theme;
    let block = call_block(record, view);
    let inner = block.inner(area);
    frame.render_widget(block, area);

    let [left, right] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(inner);
    let reference = &view.desk.reference;
    let service = reference
        .service(&c.service)
        .map_or(c.service.clone(), |s| s.short.clone());
    let device = reference
        .device(&c.device)
        .map_or(c.device.clone(), |d| d.label.clone());
    let dash = || "—".to_string();
    let lw = left.width.saturating_sub(1) as usize;
    let rw = right.width as usize;
    let pair = |label: &str, value: String, cols: usize| {
        label_value(label, &value, LABEL_COLS, cols, theme)
    };
    let corrected = record
        .journal
        .iter()
        .any(|e| e.kind == crate::domain::call::JournalKind::OutcomeCorrected);
    let outcome = c.outcome.map_or_else(dash, |o| {
        if corrected {
            format!("{} (corrigée)", short_outcome(o))
        } else {
            o.label().to_string()
        }
    });
    let left_lines = vec![
        pair("Appelant", c.caller_name.clone(), lw),
        pair("Tél.", c.caller_phone.clone().unwrap_or_else(dash), lw),
        pair("Courriel", c.caller_email.clone().unwrap_or_else(dash), lw),
        pair("Ouvert", paris(c.opened_at, "%d/%m/%Y %H:%M"), lw),
    ];
    let handler = if c.handler == c.operator {
        c.handler.clone()
    } else {
        format!("{} (ouvert par {})", c.handler, c.operator)
    };
    let right_lines = vec![
        pair("Service", service, rw),
        pair("Poste", device, rw),
        pair("Traité par", handler, rw),
        pair("Issue", outcome, rw),
    ];
    let [top_left, summary_left] =
        Layout::vertical([Constraint::Length(4), Constraint::Min(1)]).areas(left);
    let [top_right, _] = Layout::vertical([Constraint::Length(4), Constraint::Min(1)]).areas(right);
    frame.render_widget(Paragraph::new(left_lines), top_left);
    frame.render_widget(Paragraph::new(right_lines), top_right);
    let summary_area = Rect {
        width: inner.width,
        ..summary_left
    };
    let cols = summary_area.width as usize;
    let mut rows = wrap_hanging(
        &visible(&c.summary),
        cols.saturating_sub(LABEL_COLS),
        cols.saturating_sub(LABEL_COLS),
    );
    let room = summary_area.height as usize;
    if rows.len() > room && room > 0 {
        rows.truncate(room);
        let last = rows.pop().unwrap_or_default();
        rows.push(format!(
            "{}…",
            truncate(&last, cols.saturating_sub(LABEL_COLS + 1))
        ));
    }
    let lines: Vec<Line> = rows
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            let label = if i == 0 { "Objet" } else { "" };
            Line::from(vec![
                Span::styled(format!("{label:<LABEL_COLS$}"), theme.label()),
                Span::raw(r),
            ])
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), summary_area);
}

impl DetailScreen {
    /// The journal, one row per line; the selected line is unfolded whole so that any
    /// line can be read by moving onto it.
    fn draw_journal(&self, frame: &mut Frame, area: Rect, view: &View) {
        let theme = view.theme;
        let journal = &self.record.journal;
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.border())
            .title(Span::styled(
                format!(" Journal ({}) ", journal.len()),
                theme.title(),
            ));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let cols = inner.width as usize;
        let rows = inner.height as usize;
        if rows == 0 || journal.is_empty() {
            return;
        }
        // Rows per entry: one, or all the selected entry needs.
        let head_cols = 6 + 5 + 1 + 10 + 1;
        let text_cols = cols.saturating_sub(head_cols).max(1);
        let unfolded: Vec<String> = wrap_hanging(
            &visible(&journal[self.selected.min(journal.len() - 1)].describe()),
            text_cols,
            text_cols,
        );
        let height = |i: usize| {
            if i == self.selected {
                unfolded.len().min(rows)
            } else {
                1
            }
        };
        // Scroll so that the whole selected entry is in view.
        let mut top = scroll_to_show(self.selected, journal.len(), rows, self.top.get());
        let used = |top: usize| (top..=self.selected).map(height).sum::<usize>();
        while top < self.selected && used(top) > rows {
            top += 1;
        }
        self.top.set(top);
        let mut lines: Vec<Line> = Vec::new();
        for (i, e) in journal.iter().enumerate().skip(top) {
            if lines.len() >= rows {
                break;
            }
            let selected = i == self.selected;
            let head_style = if selected {
                theme.selected()
            } else {
                theme.dim()
            };
            let head = entry_head(e);
            if selected {
                for (k, part) in unfolded.iter().enumerate() {
                    let lead = if k == 0 {
                        Span::styled(head.clone(), head_style)
                    } else {
                        Span::raw(" ".repeat(head_cols))
                    };
                    lines.push(Line::from(vec![lead, Span::raw(part.clone())]));
                }
            } else {
                lines.push(Line::from(vec![
                    Span::styled(head, head_style),
                    Span::raw(truncate(&visible(&e.describe()), text_cols).into_owned()),
                ]));
            }
        }
        lines.truncate(rows);
        frame.render_widget(Paragraph::new(lines), inner);
    }
}
