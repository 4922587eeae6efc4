//! The prompt that offers back a call typed but never saved.

use crate::domain::text::visible;
use crate::domain::time::paris;
use crate::store::SavedDraft;
use crate::tui::app::App;
use crate::tui::ui::centered;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

pub fn draw(frame: &mut Frame, area: Rect, app: &App, saved: &SavedDraft) {
    let theme = &app.theme;
    let d = &saved.draft;
    let or_dash = |s: &str| {
        if s.trim().is_empty() {
            "—".to_string()
        } else {
            visible(s).into_owned()
        }
    };
    let lines = vec![
        Line::from(format!(
            "Un appel commencé le {} n'a pas été enregistré",
            paris(saved.opened_at, "%d/%m/%Y à %H:%M")
        )),
        Line::from(Span::styled(
            format!(
                "(dernière frappe gardée à {}).",
                paris(saved.saved_at, "%H:%M:%S")
            ),
            theme.dim(),
        )),
        Line::default(),
        Line::from(format!("Appelant  {}", or_dash(&d.caller_name))),
        Line::from(format!("Tél.      {}", or_dash(&d.caller_phone))),
        Line::from(format!("Service   {}", or_dash(&d.service))),
        Line::from(format!("Objet     {}", or_dash(&d.summary))),
        Line::default(),
        Line::from(Span::styled(
            "o : reprendre · Échap : plus tard (F2) · x : abandonner",
            theme.label_focused(),
        )),
    ];
    let popup = centered(area, 64, lines.len() as u16 + 2);
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }).block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(theme.border_focused())
                .title(Span::styled(" Saisie retrouvée ", theme.title())),
        ),
        popup,
    );
}
