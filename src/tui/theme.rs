//! Styles, with a monochrome variant for `NO_COLOR` that keeps every distinction through
//! bold, reverse and underline.

use ratatui::style::{Color, Modifier, Style};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    /// Colours unless `NO_COLOR` is set to a non-empty value (no-color.org).
    pub fn from_env() -> Theme {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Theme { color: !no_color }
    }

    fn pick(&self, colored: Style, plain: Style) -> Style {
        if self.color { colored } else { plain }
    }

    pub fn header(&self) -> Style {
        self.pick(
            Style::new().fg(Color::Black).bg(Color::Cyan),
            Style::new().add_modifier(Modifier::REVERSED),
        )
    }
    pub fn footer_key(&self) -> Style {
        self.pick(
            Style::new().fg(Color::Black).bg(Color::Gray),
            Style::new().add_modifier(Modifier::REVERSED),
        )
    }
    pub fn footer_text(&self) -> Style {
        Style::new()
    }
    pub fn title(&self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }
    pub fn border(&self) -> Style {
        self.pick(Style::new().fg(Color::DarkGray), Style::new())
    }
    pub fn border_focused(&self) -> Style {
        self.pick(
            Style::new().fg(Color::Cyan),
            Style::new().add_modifier(Modifier::BOLD),
        )
    }
    pub fn label(&self) -> Style {
        self.pick(Style::new().fg(Color::Gray), Style::new())
    }
    pub fn label_focused(&self) -> Style {
        self.pick(
            Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
            Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
        )
    }
    pub fn selected(&self) -> Style {
        self.pick(
            Style::new().fg(Color::Black).bg(Color::Cyan),
            Style::new().add_modifier(Modifier::REVERSED),
        )
    }
    pub fn error(&self) -> Style {
        self.pick(
            Style::new().fg(Color::LightRed),
            Style::new().add_modifier(Modifier::BOLD),
        )
    }
    pub fn success(&self) -> Style {
        self.pick(
            Style::new().fg(Color::LightGreen),
            Style::new().add_modifier(Modifier::BOLD),
        )
    }
    pub fn dim(&self) -> Style {
        self.pick(Style::new().fg(Color::DarkGray), Style::new())
    }
    pub fn open_call(&self) -> Style {
        self.pick(
            Style::new().fg(Color::Yellow),
            Style::new().add_modifier(Modifier::BOLD),
        )
    }
    /// The banner of a call ringing or answered on this extension.
    pub fn ringing(&self) -> Style {
        self.pick(
            Style::new().fg(Color::Black).bg(Color::Yellow),
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD),
        )
    }
    pub fn cursor(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }
}
