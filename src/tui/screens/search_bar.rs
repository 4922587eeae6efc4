//! The one-line search field the call list and the procedures screen open with `/`.

use crate::domain::text::visible;
use crate::tui::input::TextField;
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Span;
use ratatui::widgets::Paragraph;

/// Draws the search line at the top of `area` when a search is typed or being typed;
/// returns whether it is shown and the area left below it.
pub fn draw(
    frame: &mut Frame,
    area: Rect,
    theme: &Theme,
    field: &TextField,
    searching: bool,
) -> (bool, Rect) {
    let value = field.value();
    let shown = searching || !value.is_empty();
    let [line, rest] =
        Layout::vertical([Constraint::Length(u16::from(shown)), Constraint::Min(1)]).areas(area);
    if shown {
        let [label, input] =
            Layout::horizontal([Constraint::Length(13), Constraint::Min(1)]).areas(line);
        let style = if searching {
            theme.label_focused()
        } else {
            theme.label()
        };
        frame.render_widget(Paragraph::new(Span::styled(" Recherche : ", style)), label);
        if searching {
            frame.render_widget(field.textarea(), input);
        } else {
            frame.render_widget(Paragraph::new(visible(&value).into_owned()), input);
        }
    }
    (shown, rest)
}
