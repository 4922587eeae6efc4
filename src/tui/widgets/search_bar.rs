//! The one search bar the call list and the procedures screen open with `/`: its field,
//! its keys while it is open, and its line on the screen.

use crate::domain::text::visible;
use crate::tui::component::Input;
use crate::tui::input::TextField;
use crate::tui::keys::Action;
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Span;
use ratatui::widgets::Paragraph;

pub struct SearchBar {
    pub field: TextField,
    /// The keyboard is in the bar.
    pub active: bool,
    max_chars: usize,
}

impl SearchBar {
    pub fn new(text: &str, max_chars: usize) -> SearchBar {
        SearchBar {
            field: TextField::single(text, max_chars),
            active: false,
            max_chars,
        }
    }

    pub fn value(&self) -> String {
        self.field.value()
    }

    pub fn open(&mut self) {
        self.active = true;
    }

    pub fn clear(&mut self) {
        self.field = TextField::single("", self.max_chars);
    }

    /// A key while the bar is open: `Some(true)` when the search changed (the screen
    /// searches again), `Some(false)` when nothing changed; `None` when the bar is closed
    /// and the key is the screen's.
    pub fn update(&mut self, input: &Input) -> Option<bool> {
        if !self.active {
            return None;
        }
        Some(match input {
            Input::Text(typed) => self.field.typed(typed),
            Input::Action(Action::Confirm) => {
                self.active = false;
                false
            }
            Input::Action(Action::Back) => {
                self.active = false;
                self.clear();
                true
            }
            Input::Action(_) => false,
        })
    }

    /// Draws the search line at the top of `area` when a search is typed or being typed;
    /// returns whether it is shown and the area left below it.
    pub fn draw(&self, frame: &mut Frame, area: Rect, theme: &Theme) -> (bool, Rect) {
        let value = self.field.value();
        let shown = self.active || !value.is_empty();
        let [line, rest] =
            Layout::vertical([Constraint::Length(u16::from(shown)), Constraint::Min(1)])
                .areas(area);
        if shown {
            let [label, input] =
                Layout::horizontal([Constraint::Length(13), Constraint::Min(1)]).areas(line);
            let style = if self.active {
                theme.label_focused()
            } else {
                theme.label()
            };
            frame.render_widget(Paragraph::new(Span::styled(" Recherche : ", style)), label);
            if self.active {
                frame.render_widget(self.field.textarea(), input);
                super::focus_text(frame, &self.field, input);
            } else {
                frame.render_widget(Paragraph::new(visible(&value).into_owned()), input);
            }
        }
        (shown, rest)
    }
}
