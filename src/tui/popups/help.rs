//! The help overlay: every key of the screen under it, from the key table itself, folded
//! to the width and scrolled when it is taller than the screen.

use crate::domain::text::wrap_hanging;
use crate::tui::component::{Component, Effect, Env, Input, Update, View};
use crate::tui::keys::{self, Action, Context, keys_label};
use crate::tui::widgets::{centered, focus_line, popup};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use std::cell::Cell;

const KEYS_COLS: usize = 16;

pub struct HelpPopup {
    /// The context of the screen the help is about.
    pub under: Context,
    pub scroll: usize,
    /// The last scroll that still fills the popup, as last drawn.
    max_scroll: Cell<usize>,
    /// Rows shown, as last drawn (a page).
    page: Cell<usize>,
}

impl HelpPopup {
    pub fn new(under: Context) -> HelpPopup {
        HelpPopup {
            under,
            scroll: 0,
            max_scroll: Cell::new(usize::MAX),
            page: Cell::new(10),
        }
    }

    /// The help as (keys, what they do) rows under section titles.
    pub fn entries(&self) -> Vec<(Option<String>, String)> {
        let mut rows = vec![(None, "Sur cet écran".to_string())];
        for b in keys::bindings(self.under) {
            rows.push((Some(keys_label(b.keys)), b.help.to_string()));
        }
        if self.under.takes_text() {
            rows.push((None, String::new()));
            rows.push((None, "Dans un champ".to_string()));
            rows.push((Some("lettres".into()), "Saisies dans le champ".to_string()));
            for e in keys::EDITING {
                rows.push((Some(keys_label(e.keys)), e.help.to_string()));
            }
        }
        rows.push((None, String::new()));
        rows.push((None, "Partout".to_string()));
        for b in keys::global(self.under) {
            rows.push((Some(keys_label(b.keys)), b.help.to_string()));
        }
        rows
    }

    /// The help folded to `cols` columns: every key and every word of its text is kept.
    pub fn lines(&self, cols: usize, view: &View) -> Vec<Line<'static>> {
        let theme = view.theme;
        let mut lines = Vec::new();
        for (keys, text) in self.entries() {
            match keys {
                None => lines.push(Line::from(Span::styled(text, theme.title()))),
                Some(k) => {
                    let parts = wrap_hanging(
                        &text,
                        cols.saturating_sub(KEYS_COLS + 2),
                        cols.saturating_sub(KEYS_COLS + 2),
                    );
                    for (i, part) in parts.into_iter().enumerate() {
                        let lead = if i == 0 {
                            format!("  {k:<KEYS_COLS$}")
                        } else {
                            " ".repeat(KEYS_COLS + 2)
                        };
                        lines.push(Line::from(vec![
                            Span::styled(lead, theme.label_focused()),
                            Span::raw(part),
                        ]));
                    }
                }
            }
        }
        lines
    }
}

impl Component for HelpPopup {
    fn context(&self) -> Context {
        Context::Help
    }

    fn update(&mut self, input: Input, _env: &mut Env) -> Update {
        let max = self.max_scroll.get();
        let page = self.page.get().max(1);
        match input {
            Input::Action(Action::Back) => return Ok(Effect::Pop),
            Input::Action(Action::Up) => self.scroll = self.scroll.saturating_sub(1),
            Input::Action(Action::Down) => self.scroll = (self.scroll + 1).min(max),
            Input::Action(Action::PageUp) => self.scroll = self.scroll.saturating_sub(page),
            Input::Action(Action::PageDown) => self.scroll = (self.scroll + page).min(max),
            _ => {}
        }
        Ok(Effect::None)
    }

    fn is_popup(&self) -> bool {
        true
    }

    fn view(&self, frame: &mut Frame, area: Rect, view: &View) {
        let width = area.width.min(78);
        let cols = width.saturating_sub(2) as usize;
        let lines = self.lines(cols, view);
        let total = lines.len();
        let height = (total as u16 + 2).min(area.height);
        let rows = height.saturating_sub(2) as usize;
        let max = total.saturating_sub(rows);
        self.max_scroll.set(max);
        self.page.set(rows.saturating_sub(1));
        let scroll = self.scroll.min(max);
        let rect = centered(area, width, height);
        let more = match (scroll > 0, scroll < max) {
            (true, true) => " ↑↓ suite ",
            (false, true) => " ↓ suite ",
            (true, false) => " ↑ début ",
            (false, false) => "",
        };
        let inner = popup(frame, rect, "Aide · Échap pour fermer", view.theme);
        frame.render_widget(Paragraph::new(lines).scroll((scroll as u16, 0)), inner);
        // A screen reader reads the help from its first line shown.
        focus_line(frame, inner, 0);
        if !more.is_empty() && rect.height > 0 {
            let tag = Rect {
                x: rect.right().saturating_sub(more.chars().count() as u16 + 1),
                y: rect.bottom() - 1,
                width: (more.chars().count() as u16).min(rect.width),
                height: 1,
            };
            frame.render_widget(
                Paragraph::new(Span::styled(more, view.theme.label_focused())),
                tag,
            );
        }
    }
}
