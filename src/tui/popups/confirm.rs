//! A yes/no question before acting: taking a call over, acting on someone else's closed
//! call, closing with another outcome than the journal's.

use crate::domain::text::wrap;
use crate::tui::component::{Component, Effect, Env, Input, Reply, Update, View};
use crate::tui::keys::{Action, Context};
use crate::tui::route::Pending;
use crate::tui::widgets::{centered, focus_line, hints, popup};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub struct ConfirmPopup {
    pub title: String,
    pub question: String,
    pub pending: Pending,
}

impl ConfirmPopup {
    pub fn new(title: &str, question: String, pending: Pending) -> ConfirmPopup {
        ConfirmPopup {
            title: title.to_string(),
            question,
            pending,
        }
    }
}

impl Component for ConfirmPopup {
    fn context(&self) -> Context {
        Context::Confirm
    }

    fn update(&mut self, input: Input, _env: &mut Env) -> Update {
        Ok(match input {
            Input::Action(Action::Yes) => Effect::Reply(Reply::Confirmed(self.pending.clone())),
            Input::Action(Action::No) => Effect::Pop,
            _ => Effect::None,
        })
    }

    fn is_popup(&self) -> bool {
        true
    }

    fn view(&self, frame: &mut Frame, area: Rect, view: &View) {
        let theme = view.theme;
        let width = area.width.min(64);
        let text_cols = width.saturating_sub(2) as usize;
        let mut lines: Vec<Line> = wrap(&self.question, text_cols)
            .into_iter()
            .map(Line::from)
            .collect();
        let answer = hints(
            Context::Confirm,
            &[(Action::Yes, "oui"), (Action::No, "non, ne rien faire")],
        );
        lines.push(Line::default());
        lines.push(Line::from(Span::styled(answer, theme.label_focused())));
        let height = lines.len() as u16 + 2;
        let inner = popup(frame, centered(area, width, height), &self.title, theme);
        frame.render_widget(Paragraph::new(lines), inner);
        // A screen reader reads the question from its first line.
        focus_line(frame, inner, 0);
    }
}
