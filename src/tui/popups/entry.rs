//! One journal line read whole.

use crate::domain::call::{CallRef, JournalEntry};
use crate::tui::component::{Component, Effect, Env, Input, Update, View};
use crate::tui::keys::{Action, Context};
use crate::tui::widgets::{centered, entry_head, focus_line, folded, popup};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use std::cell::Cell;

pub struct EntryPopup {
    pub title: String,
    pub head: String,
    pub text: String,
    scroll: usize,
    max_scroll: Cell<usize>,
}

impl EntryPopup {
    pub fn new(call: CallRef, entry: &JournalEntry) -> EntryPopup {
        EntryPopup {
            title: format!("Journal de {call} · {}", entry.kind.label()),
            head: entry_head(entry),
            text: entry.describe(),
            scroll: 0,
            max_scroll: Cell::new(0),
        }
    }
}

impl Component for EntryPopup {
    fn context(&self) -> Context {
        Context::EntryView
    }

    fn update(&mut self, input: Input, _env: &mut Env) -> Update {
        match input {
            Input::Action(Action::Back) => return Ok(Effect::Pop),
            Input::Action(Action::Up) => self.scroll = self.scroll.saturating_sub(1),
            Input::Action(Action::Down) => {
                self.scroll = (self.scroll + 1).min(self.max_scroll.get())
            }
            _ => {}
        }
        Ok(Effect::None)
    }

    fn is_popup(&self) -> bool {
        true
    }

    fn view(&self, frame: &mut Frame, area: Rect, view: &View) {
        let width = area.width.min(76);
        let cols = width.saturating_sub(2) as usize;
        let mut lines = vec![Line::from(Span::styled(
            self.head.clone(),
            view.theme.dim(),
        ))];
        lines.extend(folded(&self.text, cols, 0, 0, Style::new()));
        let height = (lines.len() as u16 + 2).min(area.height);
        let rows = height.saturating_sub(2) as usize;
        self.max_scroll.set(lines.len().saturating_sub(rows));
        let inner = popup(
            frame,
            centered(area, width, height),
            &self.title,
            view.theme,
        );
        let scroll = self.scroll.min(self.max_scroll.get()) as u16;
        frame.render_widget(Paragraph::new(lines).scroll((scroll, 0)), inner);
        focus_line(frame, inner, 0);
    }
}
