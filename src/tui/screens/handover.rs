//! The handover screen: what happened in a shift, what still waits, the handover note.

use crate::domain::text::{truncate, visible, width};
use crate::domain::time::{age, paris};
use crate::report::{Count, HandoverReport};
use crate::tui::app::App;
use crate::tui::theme::Theme;
use chrono::Duration;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, List, ListItem, ListState, Paragraph};

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let theme = &app.theme;
    let state = &app.handover;
    let Some(report) = &state.report else {
        return;
    };
    let who = if state.mine {
        format!(" · appels de {}", visible(&app.operator))
    } else {
        String::new()
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border())
        .title(Span::styled(
            format!(" Relève · {}{who} ", report.shift_label),
            theme.title(),
        ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let note_height = if state.note.is_some() { 3 } else { 2 };
    let [summary, middle, notes] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Min(4),
        Constraint::Length(note_height),
    ])
    .areas(inner);
    frame.render_widget(
        Paragraph::new(summary_lines(report, theme, inner.width)),
        summary,
    );
    let [waiting, charts] =
        Layout::horizontal([Constraint::Percentage(56), Constraint::Percentage(44)]).areas(middle);
    draw_waiting(frame, waiting, app, report);
    draw_charts(frame, charts, theme, report);
    draw_notes(frame, notes, app, report);
}

fn duration(secs: i64) -> String {
    age(Duration::seconds(secs))
}

fn summary_lines(report: &HandoverReport, theme: &Theme, width_cols: u16) -> Vec<Line<'static>> {
    if report.is_empty() {
        return vec![
            Line::from(Span::styled(
                "Relève calme : aucun appel, rien en attente.",
                theme.success(),
            )),
            Line::default(),
        ];
    }
    let mut first = format!(
        "{} appel{} · {} encore ouvert{}",
        report.calls_total,
        if report.calls_total > 1 { "s" } else { "" },
        report.still_open,
        if report.still_open > 1 { "s" } else { "" }
    );
    if let Some(m) = report.handling.median_secs {
        first.push_str(&format!(" · durée médiane {}", duration(m)));
    }
    if let (Some(l), Some(r)) = (report.handling.longest_secs, &report.handling.longest_call) {
        first.push_str(&format!(" · max {} ({r})", duration(l)));
    }
    let procedures = if report.top_procedures.is_empty() {
        "Aucune procédure suivie.".to_string()
    } else {
        let list: Vec<String> = report
            .top_procedures
            .iter()
            .take(4)
            .map(|p| format!("{} ×{}", p.slug, p.calls))
            .collect();
        format!("Procédures : {}", list.join(" · "))
    };
    let w = width_cols as usize;
    vec![
        Line::from(Span::styled(
            truncate(&first, w).into_owned(),
            theme.title(),
        )),
        Line::from(Span::styled(
            truncate(&procedures, w).into_owned(),
            theme.dim(),
        )),
    ]
}

fn draw_waiting(frame: &mut Frame, area: Rect, app: &App, report: &HandoverReport) {
    let theme = &app.theme;
    let waiting = app.handover.waiting();
    let total = report.open_total + report.callbacks.len() as i64;
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border_focused())
        .title(Span::styled(
            format!(" En attente ({total}) "),
            theme.title(),
        ));
    if waiting.is_empty() {
        frame.render_widget(
            Paragraph::new(Span::styled(
                "Rien n'attend la relève suivante.",
                theme.dim(),
            ))
            .block(block),
            area,
        );
        return;
    }
    let room = area.width.saturating_sub(3) as usize;
    let items: Vec<ListItem> = waiting
        .iter()
        .map(|w| {
            let mark = if w.callback_due {
                Span::styled("☎ ", theme.error())
            } else if w.escalated {
                Span::styled("⇪ ", theme.open_call())
            } else {
                Span::raw("  ")
            };
            let head = format!(
                "{} {:>6} {} · {}",
                w.call.reference,
                duration(w.age_secs),
                visible(&w.call.caller_name),
                app.reference.service_short(&w.call.service)
            );
            let detail = match (&w.stopped_at, &w.last_journal) {
                (Some(step), _) => format!("   ▸ {step}"),
                (None, Some(last)) => format!("   {}", visible(last)),
                (None, None) => String::new(),
            };
            ListItem::new(vec![
                Line::from(vec![
                    mark,
                    Span::raw(truncate(&head, room.saturating_sub(2)).into_owned()),
                ]),
                Line::from(Span::styled(
                    truncate(&detail, room).into_owned(),
                    theme.dim(),
                )),
            ])
        })
        .collect();
    let list = List::new(items)
        .block(block)
        .highlight_style(theme.selected());
    let mut list_state = ListState::default().with_selected(Some(app.handover.selected));
    frame.render_stateful_widget(list, area, &mut list_state);
}

/// Counts as horizontal bars: label, bar scaled to the largest count, number.
fn bars(
    title: &str,
    counts: &[Count],
    room: usize,
    max_rows: usize,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let mut lines = vec![Line::from(Span::styled(
        title.to_string(),
        theme.label_focused(),
    ))];
    if counts.is_empty() {
        lines.push(Line::from(Span::styled("  —", theme.dim())));
        return lines;
    }
    let max = counts.iter().map(|c| c.count).max().unwrap_or(1).max(1);
    let label_w = 11;
    let number_w = counts
        .iter()
        .map(|c| c.count.to_string().len())
        .max()
        .unwrap_or(1);
    let bar_room = room.saturating_sub(label_w + number_w + 2).max(1);
    let shown = if counts.len() > max_rows {
        max_rows - 1
    } else {
        counts.len()
    };
    for c in &counts[..shown] {
        let filled = ((c.count as f64 / max as f64) * bar_room as f64)
            .round()
            .max(1.0) as usize;
        let label = truncate(&visible(&c.label), label_w - 1).into_owned();
        let pad = label_w - width(&label);
        lines.push(Line::from(vec![
            Span::raw(format!("{label}{}", " ".repeat(pad))),
            Span::styled("█".repeat(filled), theme.open_call()),
            Span::raw(format!(" {}", c.count)),
        ]));
    }
    if shown < counts.len() {
        let rest: i64 = counts[shown..].iter().map(|c| c.count).sum();
        lines.push(Line::from(Span::styled(
            format!("  + {} autres : {rest}", counts.len() - shown),
            theme.dim(),
        )));
    }
    lines
}

fn draw_charts(frame: &mut Frame, area: Rect, theme: &Theme, report: &HandoverReport) {
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border())
        .title(Span::styled(" Chiffres ", theme.title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let room = inner.width as usize;
    let groups = [
        ("Service", &report.services),
        ("Poste", &report.devices),
        ("Issue", &report.outcomes),
        ("Opérateur", &report.operators),
    ];
    // After the four titles, the rows left are dealt one at a time to the groups that
    // have more to show, so a long list does not starve a short one.
    let mut rows = [1usize; 4];
    let mut left = (inner.height as usize).saturating_sub(8);
    while left > 0 {
        let mut gave = false;
        for (i, (_, counts)) in groups.iter().enumerate() {
            if left > 0 && rows[i] < counts.len() {
                rows[i] += 1;
                left -= 1;
                gave = true;
            }
        }
        if !gave {
            break;
        }
    }
    let mut lines = Vec::new();
    for (i, (title, counts)) in groups.iter().enumerate() {
        lines.extend(bars(title, counts, room, rows[i], theme));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

fn draw_notes(frame: &mut Frame, area: Rect, app: &App, report: &HandoverReport) {
    let theme = &app.theme;
    if let Some(note) = &app.handover.note {
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.border_focused())
            .title(Span::styled(" Note de relève ", theme.title()));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        frame.render_widget(note.textarea(), inner);
        return;
    }
    let w = area.width as usize;
    let note_line = match report.note() {
        Some(n) => {
            let acks: Vec<String> = report
                .acknowledgements()
                .map(|a| format!("{} {}", visible(&a.operator), paris(a.at, "%H:%M")))
                .collect();
            let seen = if acks.is_empty() {
                " · pas encore lue (a)".to_string()
            } else {
                format!(" · lue par {}", acks.join(", "))
            };
            format!(
                "Note de {} ({}) : {}{seen}",
                visible(&n.operator),
                paris(n.at, "%H:%M"),
                visible(&n.text)
            )
        }
        None => "Pas de note pour cette relève : e pour l'écrire.".to_string(),
    };
    let previous = report
        .previous_notes
        .iter()
        .rev()
        .find(|e| e.kind == crate::store::HandoverKind::Note)
        .map_or("Relève précédente : pas de note.".to_string(), |n| {
            format!(
                "Relève précédente ({}, {}) : {}",
                visible(&n.shift_name),
                visible(&n.operator),
                visible(&n.text)
            )
        });
    frame.render_widget(
        Paragraph::new(vec![
            Line::from(Span::styled(
                truncate(&note_line, w).into_owned(),
                theme.title(),
            )),
            Line::from(Span::styled(
                truncate(&previous, w).into_owned(),
                theme.dim(),
            )),
        ]),
        area,
    );
}
