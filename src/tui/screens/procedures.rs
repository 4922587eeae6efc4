//! The procedures screen: the catalogue (filtered, searched) and one procedure as text.

use crate::domain::text::{truncate, visible};
use crate::tui::app::App;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, List, ListItem, ListState, Paragraph, Wrap};

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    match &app.procedures.view {
        Some((slug, scroll)) => draw_view(frame, area, app, slug, *scroll),
        None => draw_list(frame, area, app),
    }
}

fn draw_list(frame: &mut Frame, area: Rect, app: &App) {
    let state = &app.procedures;
    let theme = &app.theme;
    let service = state
        .service
        .as_deref()
        .map_or("tous", |s| app.reference.service_short(s));
    let device = state
        .device
        .as_deref()
        .map_or("tous", |d| app.reference.device_short(d));
    let mut title = format!(" Procédures · service : {service} · poste : {device} ");
    if let Some(call) = state.for_call {
        title = format!(" Procédures pour {call} · {service} · {device} ");
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border())
        .title(Span::styled(title, theme.title()))
        .title(Line::from(format!(" {} ", state.items.len())).right_aligned());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let (_, list_area) = super::search_bar::draw(frame, inner, app, &state.search, state.searching);
    if state.items.is_empty() {
        frame.render_widget(
            Paragraph::new(Span::styled(
                "Aucune procédure : changer la recherche (/) ou les filtres (s, d).",
                theme.dim(),
            ))
            .centered(),
            list_area,
        );
        return;
    }
    let width = list_area.width.saturating_sub(1) as usize;
    let items: Vec<ListItem> = state
        .items
        .iter()
        .map(|item| {
            // Procedures that do not fit the filters are marked; the slug shows when the
            // title leaves room for it.
            let mark = if item.fits { " " } else { "·" };
            let title = visible(&item.title);
            let slug_room = width.saturating_sub(crate::domain::text::width(&title) + 2);
            let mut spans = vec![Span::styled(mark, theme.dim())];
            if slug_room >= item.slug.len() {
                spans.push(Span::raw(title.into_owned()));
                spans.push(Span::styled(format!("  {}", item.slug), theme.dim()));
            } else {
                spans.push(Span::raw(truncate(&title, width).into_owned()));
            }
            ListItem::new(Line::from(spans))
        })
        .collect();
    let list = List::new(items).highlight_style(theme.selected());
    let mut list_state = ListState::default().with_selected(Some(state.selected));
    frame.render_stateful_widget(list, list_area, &mut list_state);
}

fn draw_view(frame: &mut Frame, area: Rect, app: &App, slug: &str, scroll: u16) {
    let theme = &app.theme;
    let Some(procedure) = app.catalog.get(slug) else {
        return;
    };
    let lines: Vec<Line> = procedure
        .readable_lines(&app.reference)
        .into_iter()
        .enumerate()
        .map(|(i, l)| {
            let text = visible(&l).into_owned();
            if i == 0 {
                Line::from(Span::styled(text, theme.title()))
            } else if l.starts_with("   ") {
                Line::from(Span::styled(text, theme.dim()))
            } else {
                Line::from(text)
            }
        })
        .collect();
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border_focused())
        .title(Span::styled(format!(" Procédure {slug} "), theme.title()));
    // Clamp the scroll so the last line stays reachable but the view never goes blank.
    let max_scroll = (lines.len() as u16).saturating_sub(area.height.saturating_sub(2));
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false })
            .scroll((scroll.min(max_scroll), 0)),
        area,
    );
}
