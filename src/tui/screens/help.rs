//! The help overlay: every key of the current screen, from the key table itself.

use crate::tui::app::App;
use crate::tui::keys::{self, keys_label};
use crate::tui::ui::centered;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let theme = &app.theme;
    // The help describes the screen under it, not itself.
    let under = app.screen_context();
    let mut lines = Vec::new();
    let section = |title: &str| Line::from(Span::styled(title.to_string(), theme.title()));
    let entry = |keys: String, help: &str| {
        Line::from(vec![
            Span::styled(format!("  {keys:<14}"), theme.label_focused()),
            Span::raw(help.to_string()),
        ])
    };
    lines.push(section("Sur cet écran"));
    for b in keys::bindings(under) {
        lines.push(entry(keys_label(b.keys), b.help));
    }
    if under.takes_text() {
        lines.push(entry(
            "autres".into(),
            "Saisie dans le champ (←/→, Début/Fin, Ctrl-W, Ctrl-U...)",
        ));
    }
    lines.push(Line::default());
    lines.push(section("Partout"));
    for b in keys::global() {
        lines.push(entry(keys_label(b.keys), b.help));
    }
    let total = lines.len() as u16;
    let popup = centered(area, 74, total + 2);
    let visible_rows = popup.height.saturating_sub(2);
    // Scrolling stops once the last line is in view.
    let scroll = app.help_scroll.min(total.saturating_sub(visible_rows));
    let more = if scroll + visible_rows < total {
        " ↓ suite "
    } else {
        ""
    };
    frame.render_widget(Clear, popup);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border_focused())
        .title(Span::styled(" Aide · Échap pour fermer ", theme.title()))
        .title_bottom(Line::from(more).right_aligned());
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0)),
        popup,
    );
}
