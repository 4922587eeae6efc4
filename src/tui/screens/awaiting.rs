//! What waits to be taken up (F7): the calls nobody picked up, to call back, and the calls
//! being typed that were set aside (F8) to take another one. Enter takes one up: a call
//! back opens a new call with the number, a call set aside comes back into the form.

use crate::domain::call::{CallDraft, CallRef};
use crate::domain::text::{truncate, visible, width};
use crate::domain::time::{paris, week_start};
use crate::phone::PhoneCall;
use crate::phone::desk::{is_missed, line_of};
use crate::phone::number::for_reading;
use crate::store::AsideDraft;
use crate::tui::component::{Component, Doing, Effect, Env, Input, TakeUp, Update, View};
use crate::tui::keys::{Action, Context};
use crate::tui::widgets::{focus_line, hints, scroll_to_show};
use chrono::Duration;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use std::cell::Cell;

/// How far back missed calls are listed.
pub const MISSED_FOR: Duration = Duration::hours(24);
/// The most missed calls listed (the newest).
const MISSED_AT_MOST: usize = 50;

/// A call nobody picked up, with what the desk knows of its number.
#[derive(Debug, Clone)]
pub struct Missed {
    pub call: PhoneCall,
    /// The caller's name, from the number's newest call.
    pub caller: Option<String>,
    /// A call with this number opened since it rang: it was called back (or called again).
    pub called_back: Option<CallRef>,
    /// The new call's fields when it is called back.
    draft: CallDraft,
}

pub struct AwaitingScreen {
    pub missed: Vec<Missed>,
    pub aside: Vec<AsideDraft>,
    /// The selected line: the missed calls, then the calls set aside.
    pub selected: usize,
    top: Cell<usize>,
}

impl AwaitingScreen {
    pub fn open(env: &mut Env) -> Result<AwaitingScreen, crate::tui::component::Problem> {
        let mut screen = AwaitingScreen {
            missed: Vec::new(),
            aside: Vec::new(),
            selected: 0,
            top: Cell::new(0),
        };
        screen.refresh(env)?;
        Ok(screen)
    }

    fn len(&self) -> usize {
        self.missed.len() + self.aside.len()
    }
}

/// The missed calls of the last [`MISSED_FOR`], newest first.
fn missed_calls(env: &mut Env) -> Result<Vec<Missed>, crate::tui::component::Problem> {
    let now = env.now;
    // The missed calls and what is known of their callers, in one request.
    let missed = env
        .store
        .read(move |s| {
            let calls = s.phone_calls_since(now - MISSED_FOR)?;
            let mut missed: Vec<PhoneCall> = calls.into_iter().filter(is_missed).collect();
            missed.sort_by_key(|c| std::cmp::Reverse(c.rang_at));
            missed.truncate(MISSED_AT_MOST);
            missed
                .into_iter()
                .map(|call| {
                    let facts = match call.caller_number() {
                        Some(number) => s.caller_facts(number, week_start(now))?,
                        None => None,
                    };
                    Ok((call, facts))
                })
                .collect::<crate::store::Result<Vec<_>>>()
        })
        .doing("appels téléphoniques illisibles")?;
    let mut lines = Vec::new();
    for (call, facts) in missed {
        let mut draft = CallDraft {
            caller_phone: call.caller_number().map(for_reading).unwrap_or_default(),
            notes: format!(
                "Rappel de l'appel manqué du {} (sur {})",
                paris(call.rang_at, "%d/%m à %H:%M"),
                line_of(&call)
            ),
            ..CallDraft::default()
        };
        if let Some(f) = &facts {
            draft.caller_name = f.last.caller_name.clone();
            draft.caller_email = f.last.caller_email.clone().unwrap_or_default();
            draft.service = f.last.service.clone();
            draft.device = f.last.device.clone();
        }
        lines.push(Missed {
            caller: facts.as_ref().map(|f| f.last.caller_name.clone()),
            called_back: facts
                .as_ref()
                .filter(|f| f.last.opened_at >= call.rang_at)
                .map(|f| f.last.reference),
            draft,
            call,
        });
    }
    Ok(lines)
}

impl Component for AwaitingScreen {
    fn context(&self) -> Context {
        Context::Awaiting
    }

    fn update(&mut self, input: Input, _env: &mut Env) -> Update {
        let Input::Action(action) = input else {
            return Ok(Effect::None);
        };
        let last = self.len().saturating_sub(1);
        match action {
            Action::Up => self.selected = self.selected.saturating_sub(1),
            Action::Down => self.selected = (self.selected + 1).min(last),
            Action::First => self.selected = 0,
            Action::Last => self.selected = last,
            Action::Back => return Ok(Effect::Pop),
            Action::Open => {
                if let Some(m) = self.missed.get(self.selected) {
                    let said = format!(
                        "rappel de {} (appel manqué de {})",
                        m.call.caller_for_reading(),
                        paris(m.call.rang_at, "%H:%M")
                    );
                    return Ok(Effect::TakeUp(TakeUp::CallBack {
                        draft: Box::new(m.draft.clone()),
                        said,
                    }));
                }
                if let Some(a) = self.aside.get(self.selected - self.missed.len()) {
                    return Ok(Effect::TakeUp(TakeUp::Aside(a.id)));
                }
                return Err("rien à reprendre : aucun appel manqué, aucune saisie de côté".into());
            }
            _ => {}
        }
        Ok(Effect::None)
    }

    fn refresh(&mut self, env: &mut Env) -> Result<(), crate::tui::component::Problem> {
        self.missed = missed_calls(env)?;
        let operator = env.desk.operator.clone();
        self.aside = env
            .store
            .read(move |s| s.aside_drafts(&operator))
            .doing("saisies mises de côté illisibles")?;
        self.selected = self.selected.min(self.len().saturating_sub(1));
        Ok(())
    }

    fn view(&self, frame: &mut Frame, area: Rect, view: &View) {
        let theme = view.theme;
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.border())
            .title(Span::styled(" À reprendre ", theme.title()));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let [body, hint] =
            Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
        let cols = body.width as usize;

        // One list of rows: each section's title, its lines (or why it is empty).
        let mut rows: Vec<(Line<'static>, Option<usize>)> = Vec::new();
        rows.push((
            Line::from(Span::styled(
                format!("Appels manqués, dernières 24 h ({})", self.missed.len()),
                theme.title(),
            )),
            None,
        ));
        if self.missed.is_empty() {
            rows.push((dim("  aucun appel manqué", theme.dim()), None));
        }
        for (i, m) in self.missed.iter().enumerate() {
            let mut words = vec![
                paris(m.call.rang_at, "%H:%M"),
                m.call.caller_for_reading(),
                m.caller
                    .as_deref()
                    .map(|n| visible(n).into_owned())
                    .unwrap_or_else(|| "inconnu".into()),
                format!("sur {}", visible(&line_of(&m.call))),
            ];
            if let Some(r) = m.called_back {
                words.push(format!("rappelé {r}"));
            }
            rows.push((self.row(i, words.join(" · "), cols, view), Some(i)));
        }
        rows.push((Line::raw(""), None));
        rows.push((
            Line::from(Span::styled(
                format!("Saisies mises de côté ({})", self.aside.len()),
                theme.title(),
            )),
            None,
        ));
        if self.aside.is_empty() {
            rows.push((dim("  aucune saisie mise de côté", theme.dim()), None));
        }
        for (j, a) in self.aside.iter().enumerate() {
            let d = &a.draft;
            let name = if d.caller_name.trim().is_empty() {
                "appelant non saisi".to_string()
            } else {
                visible(d.caller_name.trim()).into_owned()
            };
            let mut words = vec![paris(a.set_at, "%H:%M"), name];
            if !d.caller_phone.trim().is_empty() {
                words.push(visible(d.caller_phone.trim()).into_owned());
            }
            if !d.summary.trim().is_empty() {
                words.push(format!("« {} »", visible(d.summary.trim())));
            }
            let i = self.missed.len() + j;
            rows.push((self.row(i, words.join(" · "), cols, view), Some(i)));
        }

        let selected_row = rows
            .iter()
            .position(|(_, i)| *i == Some(self.selected))
            .unwrap_or(0);
        let height = body.height as usize;
        let top = scroll_to_show(selected_row, rows.len(), height, self.top.get());
        self.top.set(top);
        let lines: Vec<Line> = rows
            .into_iter()
            .skip(top)
            .take(height)
            .map(|(l, _)| l)
            .collect();
        frame.render_widget(Paragraph::new(lines), body);
        focus_line(frame, body, selected_row.saturating_sub(top));
        let ctx = self.context();
        let text = hints(
            ctx,
            &[
                (Action::Open, "rappeler ou reprendre"),
                (Action::Back, "retour"),
            ],
        );
        frame.render_widget(
            Paragraph::new(Span::styled(
                truncate(&text, hint.width as usize).into_owned(),
                theme.dim(),
            )),
            hint,
        );
    }
}

impl AwaitingScreen {
    /// One line of a section, marked when selected, cut to `cols`.
    fn row(&self, i: usize, text: String, cols: usize, view: &View) -> Line<'static> {
        let theme = view.theme;
        // For a screen reader the cursor marks the line: no glyph to spell out.
        let (mark, style) = if i == self.selected {
            (view.mark("▶ ", "  "), theme.selected())
        } else {
            ("  ", Style::default())
        };
        let text = truncate(&format!("{mark}{text}"), cols).into_owned();
        let pad = cols.saturating_sub(width(&text));
        Line::from(vec![
            Span::styled(text, style),
            Span::styled(" ".repeat(pad), style),
        ])
    }
}

fn dim(text: &str, style: Style) -> Line<'static> {
    Line::from(Span::styled(text.to_string(), style))
}
