//! Drawing: reads the App, never changes it, never asks the store.

use super::app::{App, Screen};
use super::keys;
use super::screens;
use crate::domain::text::visible;
use crate::domain::time::paris;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn draw(frame: &mut Frame, app: &App) {
    let [header, body, status, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(frame.area());
    draw_header(frame, header, app);
    match app.screen {
        Screen::List => screens::list::draw(frame, body, app),
        Screen::Form => screens::form::draw(frame, body, app),
        Screen::Detail => screens::detail::draw(frame, body, app),
        Screen::Procedures => screens::procedures::draw(frame, body, app),
        Screen::Tools => screens::tools::draw(frame, body, app),
        Screen::Handover => screens::handover::draw(frame, body, app),
    }
    draw_status(frame, status, app);
    draw_footer(frame, footer, app);
    if let Some(saved) = &app.draft_offer {
        screens::draft::draw(frame, body, app, saved);
    }
    if app.help {
        // The help may cover the status line too: it is the only thing to read then.
        let area = Rect {
            height: body.height + status.height,
            ..body
        };
        screens::help::draw(frame, area, app);
    }
}

fn draw_header(frame: &mut Frame, area: Rect, app: &App) {
    let style = app.theme.header();
    let mut left = format!(
        " guichet · {} · {}",
        visible(&app.desk),
        visible(&app.operator)
    );
    if app.store.is_read_only() {
        left.push_str(" · LECTURE SEULE");
    }
    let mut right = format!(" {} ", paris(app.now, "%d/%m/%Y %H:%M"));
    if app.is_normandie_call() {
        let state = if app.amigo.open { "ouvert" } else { "fermé" };
        right = format!(" AMIGO {state} ·{right}");
    }
    let width = crate::domain::text::width(&right) as u16;
    let [l, r] = Layout::horizontal([Constraint::Min(1), Constraint::Length(width)]).areas(area);
    frame.render_widget(Paragraph::new(left).style(style), l);
    frame.render_widget(Paragraph::new(right).style(style), r);
}

fn draw_status(frame: &mut Frame, area: Rect, app: &App) {
    let Some(flash) = &app.flash else {
        return;
    };
    let (mark, style) = if flash.error {
        ("⚠ ", app.theme.error())
    } else {
        ("✓ ", app.theme.success())
    };
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::raw(" "),
            Span::styled(mark, style),
            Span::styled(visible(&flash.text).into_owned(), style),
        ])),
        area,
    );
}

fn draw_footer(frame: &mut Frame, area: Rect, app: &App) {
    let mut spans = vec![Span::raw(" ")];
    for (keys, label) in keys::footer(app.context()) {
        spans.push(Span::styled(format!(" {keys} "), app.theme.footer_key()));
        spans.push(Span::styled(format!(" {label} "), app.theme.footer_text()));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// A rectangle of at most `w` x `h` centred in `area`.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}
