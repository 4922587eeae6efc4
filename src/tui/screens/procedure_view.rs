//! One procedure read as text; walked on the call from here when there is one.

use crate::domain::call::CallRef;
use crate::domain::procedure::Procedure;
use crate::domain::text::{visible, wrap_hanging};
use crate::tui::component::{About, Component, Effect, Env, Input, Problem, Reply, Update, View};
use crate::tui::keys::{Action, Context};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use std::cell::Cell;

pub struct ProcedureView {
    pub slug: String,
    /// The procedure, read from the store when the view opened.
    pub procedure: Option<Procedure>,
    /// The call the procedure can be walked on (Entrée), if any.
    pub for_call: Option<CallRef>,
    pub scroll: usize,
    max_scroll: Cell<usize>,
    page: Cell<usize>,
}

impl ProcedureView {
    pub fn read(
        env: &Env,
        slug: &str,
        for_call: Option<CallRef>,
    ) -> Result<ProcedureView, Problem> {
        let procedure = env.desk.library.procedure(env.store, slug)?;
        Ok(ProcedureView {
            slug: slug.to_string(),
            procedure,
            for_call,
            scroll: 0,
            max_scroll: Cell::new(usize::MAX),
            page: Cell::new(10),
        })
    }
}

impl Component for ProcedureView {
    fn context(&self) -> Context {
        if self.for_call.is_some() {
            Context::ProcedureForCall
        } else {
            Context::ProcedureRead
        }
    }

    fn update(&mut self, input: Input, _env: &mut Env) -> Update {
        let max = self.max_scroll.get();
        let page = self.page.get().max(1);
        match input {
            Input::Action(Action::Up) => self.scroll = self.scroll.saturating_sub(1),
            Input::Action(Action::Down) => self.scroll = (self.scroll + 1).min(max),
            Input::Action(Action::PageUp) => self.scroll = self.scroll.saturating_sub(page),
            Input::Action(Action::PageDown) => self.scroll = (self.scroll + page).min(max),
            Input::Action(Action::Run) if self.for_call.is_some() => {
                return Ok(Effect::Reply(Reply::Walk(self.slug.clone())));
            }
            Input::Action(Action::Back) => return Ok(Effect::Pop),
            _ => {}
        }
        Ok(Effect::None)
    }

    fn about(&self) -> About<'_> {
        About::default()
    }

    fn view(&self, frame: &mut Frame, area: Rect, view: &View) {
        let theme = view.theme;
        let Some(procedure) = &self.procedure else {
            return;
        };
        let cols = area.width.saturating_sub(2) as usize;
        let mut lines: Vec<Line> = Vec::new();
        for (i, l) in procedure
            .readable_lines(&view.desk.reference)
            .into_iter()
            .enumerate()
        {
            let indent = l.len() - l.trim_start().len();
            let style = if i == 0 {
                theme.title()
            } else if indent >= 3 {
                theme.dim()
            } else {
                Style::new()
            };
            // A step's continuation lines hang under its text, after its number.
            let is_step = l
                .split_once(". ")
                .is_some_and(|(n, _)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
            let hang = (indent + if is_step { 3 } else { 0 }).min(cols / 2);
            let parts = wrap_hanging(
                &visible(l.trim_start()),
                cols.saturating_sub(indent),
                cols.saturating_sub(hang),
            );
            for (k, part) in parts.into_iter().enumerate() {
                let pad = if k == 0 { indent } else { hang };
                lines.push(Line::from(Span::styled(
                    format!("{}{part}", " ".repeat(pad)),
                    style,
                )));
            }
        }
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.border_focused())
            .title(Span::styled(
                format!(" Procédure {} ", visible(&self.slug)),
                theme.title(),
            ));
        let rows = area.height.saturating_sub(2) as usize;
        let max = lines.len().saturating_sub(rows);
        self.max_scroll.set(max);
        self.page.set(rows.saturating_sub(1));
        let scroll = self.scroll.min(max) as u16;
        frame.render_widget(Paragraph::new(lines).block(block).scroll((scroll, 0)), area);
    }
}
