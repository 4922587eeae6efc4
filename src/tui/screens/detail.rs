//! One call: its fields, its journal, adding a note, closing it.

use crate::domain::call::{CallStatus, Outcome};
use crate::domain::procedure::{StepKind, Successor};
use crate::domain::text::{truncate, visible};
use crate::domain::time::{age, paris};
use crate::tui::app::{App, DetailMode, DetailState};
use crate::tui::runner::Runner;
use crate::tui::ui::centered;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, List, ListItem, ListState, Paragraph};

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let Some(detail) = app.detail.as_ref() else {
        return;
    };
    if let Some(runner) = &detail.runner {
        let [head, body] =
            Layout::vertical([Constraint::Length(3), Constraint::Min(5)]).areas(area);
        draw_compact(frame, head, app, detail);
        draw_runner(frame, body, app, runner);
        return;
    }
    let note_height = if matches!(detail.mode, DetailMode::Note(_)) {
        3
    } else {
        0
    };
    let [fields, journal, note] = Layout::vertical([
        Constraint::Length(8),
        Constraint::Min(3),
        Constraint::Length(note_height),
    ])
    .areas(area);
    draw_fields(frame, fields, app, detail);
    draw_journal(frame, journal, app, detail);
    match &detail.mode {
        DetailMode::Note(field) => {
            let block = Block::default()
                .borders(Borders::ALL)
                .border_style(app.theme.border_focused())
                .title(Span::styled(" Nouvelle note ", app.theme.title()));
            let inner = block.inner(note);
            frame.render_widget(block, note);
            frame.render_widget(field.textarea(), inner);
        }
        DetailMode::Close { outcome, note } => draw_close(frame, area, app, detail, *outcome, note),
        DetailMode::TakeOver { .. } => {
            let c = &detail.record.call;
            let popup = centered(area, 60, 5);
            frame.render_widget(Clear, popup);
            let block = Block::default()
                .borders(Borders::ALL)
                .border_style(app.theme.border_focused())
                .title(Span::styled(
                    " Appel pris par un autre opérateur ",
                    app.theme.title(),
                ));
            let text = vec![
                Line::from(format!(
                    "{} est traité par {}.",
                    c.reference,
                    visible(&c.handler)
                )),
                Line::from(Span::styled(
                    "Le reprendre ? o : oui (noté au journal) · n : non",
                    app.theme.label_focused(),
                )),
            ];
            frame.render_widget(
                Paragraph::new(text)
                    .block(block)
                    .wrap(ratatui::widgets::Wrap { trim: true }),
                popup,
            );
        }
        DetailMode::View => {}
    }
}

fn draw_fields(frame: &mut Frame, area: Rect, app: &App, detail: &DetailState) {
    let c = &detail.record.call;
    let theme = &app.theme;
    let state = match c.status {
        CallStatus::Open => format!("ouvert depuis {}", age(app.now - c.opened_at)),
        CallStatus::Closed => format!(
            "clos le {}",
            c.closed_at
                .map_or(String::new(), |t| paris(t, "%d/%m %H:%M"))
        ),
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border())
        .title(Span::styled(
            format!(" Appel {} ", c.reference),
            theme.title(),
        ))
        .title(Line::from(format!(" {state} ")).right_aligned());
    let inner = block.inner(area);
    frame.render_widget(block, area);

    let [left, right] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(inner);
    let pair = |label: &str, value: String| {
        Line::from(vec![
            Span::styled(format!("{label:<11}"), theme.label()),
            Span::raw(visible(&value).into_owned()),
        ])
    };
    let service = app
        .reference
        .service(&c.service)
        .map_or(c.service.clone(), |s| s.short.clone());
    let device = app
        .reference
        .device(&c.device)
        .map_or(c.device.clone(), |d| d.label.clone());
    let dash = || "—".to_string();
    let left_lines = vec![
        pair("Appelant", c.caller_name.clone()),
        pair("Tél.", c.caller_phone.clone().unwrap_or_else(dash)),
        pair("Courriel", c.caller_email.clone().unwrap_or_else(dash)),
        pair("Ouvert", paris(c.opened_at, "%d/%m/%Y %H:%M")),
    ];
    let right_lines = vec![
        pair("Service", service),
        pair("Poste", device),
        pair(
            "Traité par",
            if c.handler == c.operator {
                c.handler.clone()
            } else {
                format!("{} (ouvert par {})", c.handler, c.operator)
            },
        ),
        pair(
            "Issue",
            c.outcome.map_or_else(dash, |o| o.label().to_string()),
        ),
    ];
    let [top_left, summary_left] =
        Layout::vertical([Constraint::Length(4), Constraint::Min(1)]).areas(left);
    let [top_right, _] = Layout::vertical([Constraint::Length(4), Constraint::Min(1)]).areas(right);
    frame.render_widget(Paragraph::new(left_lines), top_left);
    frame.render_widget(Paragraph::new(right_lines), top_right);
    let summary_area = Rect {
        width: inner.width,
        ..summary_left
    };
    frame.render_widget(
        Paragraph::new(pair("Objet", c.summary.clone()))
            .wrap(ratatui::widgets::Wrap { trim: true }),
        summary_area,
    );
}

fn draw_journal(frame: &mut Frame, area: Rect, app: &App, detail: &DetailState) {
    let theme = &app.theme;
    let journal = &detail.record.journal;
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border())
        .title(Span::styled(
            format!(" Journal ({}) ", journal.len()),
            theme.title(),
        ));
    let width = area.width.saturating_sub(2) as usize;
    let items: Vec<ListItem> = journal
        .iter()
        .map(|e| {
            let head = format!(
                "{} {:<10} ",
                paris(e.at, "%d/%m %H:%M"),
                truncate(&e.operator, 10)
            );
            let room = width.saturating_sub(head.chars().count());
            ListItem::new(Line::from(vec![
                Span::styled(head, theme.dim()),
                Span::raw(truncate(&visible(&e.describe()), room).into_owned()),
            ]))
        })
        .collect();
    let list = List::new(items).block(block);
    // Keeps the line at `scroll` in view; without a highlight style nothing looks selected.
    let mut state = ListState::default().with_selected(Some(detail.scroll));
    frame.render_stateful_widget(list, area, &mut state);
}

fn draw_close(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    detail: &DetailState,
    outcome: usize,
    note: &crate::tui::input::TextField,
) {
    let theme = &app.theme;
    let popup = centered(area, 52, 11);
    frame.render_widget(Clear, popup);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border_focused())
        .title(Span::styled(
            format!(" Clore l'appel {} ", detail.record.call.reference),
            theme.title(),
        ));
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    let [label, choices, note_label, note_area] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(Outcome::ALL.len() as u16),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(inner);
    frame.render_widget(
        Paragraph::new(Span::styled("Issue (↑/↓) :", theme.label())),
        label,
    );
    let items: Vec<ListItem> = Outcome::ALL
        .iter()
        .map(|o| ListItem::new(format!("  {}", o.label())))
        .collect();
    let mut state = ListState::default().with_selected(Some(outcome));
    frame.render_stateful_widget(
        List::new(items).highlight_style(theme.selected()),
        choices,
        &mut state,
    );
    frame.render_widget(
        Paragraph::new(Span::styled(
            "Note de clôture (facultative) :",
            theme.label(),
        )),
        note_label,
    );
    frame.render_widget(note.textarea(), note_area);
}

/// The call in three lines, so the runner gets the room.
fn draw_compact(frame: &mut Frame, area: Rect, app: &App, detail: &DetailState) {
    let c = &detail.record.call;
    let theme = &app.theme;
    let state = match c.status {
        CallStatus::Open => format!("ouvert depuis {}", age(app.now - c.opened_at)),
        CallStatus::Closed => "clos".to_string(),
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border())
        .title(Span::styled(
            format!(" Appel {} ", c.reference),
            theme.title(),
        ))
        .title(Line::from(format!(" {state} ")).right_aligned());
    let line = format!(
        "{} · {} · {} · {}",
        visible(&c.caller_name),
        app.reference.service_short(&c.service),
        app.reference.device_short(&c.device),
        visible(&c.summary)
    );
    frame.render_widget(Paragraph::new(line).block(block), area);
}

fn draw_runner(frame: &mut Frame, area: Rect, app: &App, runner: &Runner) {
    let theme = &app.theme;
    let walk = &runner.walk;
    let procedure = &walk.procedure;
    let total = procedure.steps.len();
    let position = match walk.current {
        Some(i) => format!(" étape {} sur {total} ", i + 1),
        None => " terminée ".to_string(),
    };
    let room = (area.width as usize).saturating_sub(position.chars().count() + 6);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border_focused())
        .title(Span::styled(
            format!(" {} ", truncate(&visible(&procedure.title), room)),
            theme.title(),
        ))
        .title(Line::from(position).right_aligned());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = inner.width as usize;

    // Steps done, most recent last, with the answer given to questions.
    let done: Vec<Line> = walk
        .done
        .iter()
        .enumerate()
        .map(|(k, &i)| {
            let step = &procedure.steps[i];
            let after = walk.done.get(k + 1).copied().or(walk.current);
            let answer = match step.kind {
                StepKind::Ask { .. } => {
                    let yes = procedure.successor(i, Some(true));
                    match (after, yes) {
                        (Some(a), Successor::Step(y)) if a == y => " → oui",
                        _ => " → non",
                    }
                }
                _ => "",
            };
            let head = format!("✓ {}. ", i + 1);
            let room = width.saturating_sub(head.chars().count() + answer.chars().count());
            Line::from(vec![
                Span::styled(head, theme.dim()),
                Span::styled(
                    truncate(&visible(&step.text), room).into_owned(),
                    theme.dim(),
                ),
                Span::styled(answer, theme.dim()),
            ])
        })
        .collect();
    let shown_done = done.len().min(3);
    let upcoming = walk.upcoming(2);
    let input_height = u16::from(runner.wants_input());
    let [done_area, _, current_area, input_area, _, next_area] = Layout::vertical([
        Constraint::Length(shown_done as u16),
        Constraint::Length(u16::from(shown_done > 0)),
        Constraint::Min(2),
        Constraint::Length(input_height),
        Constraint::Length(1),
        Constraint::Length(
            upcoming.len().min(2) as u16
                + u16::from(crate::tui::tools::Tool::for_procedure(&procedure.slug).is_some()),
        ),
    ])
    .areas(inner);
    frame.render_widget(
        Paragraph::new(done[done.len() - shown_done..].to_vec()),
        done_area,
    );

    let Some(current) = walk.current else {
        frame.render_widget(
            Paragraph::new(vec![
                Line::from(Span::styled("✓ Procédure terminée.", theme.success())),
                Line::from("Entrée : fermer le déroulé · c : clore l'appel · a : ajouter une note"),
            ]),
            current_area,
        );
        return;
    };
    let step = &procedure.steps[current];
    let kind = match &step.kind {
        StepKind::Say => "DIRE".to_string(),
        StepKind::Check => "VÉRIFIER".to_string(),
        StepKind::Ask { .. } => "QUESTION · o : oui · n : non".to_string(),
        StepKind::Record { label, secret, .. } => {
            if *secret {
                format!("NOTER · SECRET, jamais écrit : {label}")
            } else {
                format!("NOTER : {label}")
            }
        }
        StepKind::Escalate { target } => format!("ESCALADER vers {target}"),
    };
    let mut lines = vec![
        Line::from(Span::styled(
            format!("▶ {}. {kind}", current + 1),
            theme.label_focused(),
        )),
        Line::from(Span::styled(
            visible(&step.text).into_owned(),
            theme.title(),
        )),
    ];
    if runner.revealed {
        // Shown once to be read aloud: spelled, with the confusable characters flagged.
        let spelled = crate::domain::spell::spell(
            &runner.input.value(),
            crate::domain::spell::Alphabet::International,
        );
        let parts: Vec<String> = spelled
            .iter()
            .map(|s| match s.confusable {
                Some(_) => format!("{} ⚠", s.say),
                None => s.say.clone(),
            })
            .collect();
        lines.push(Line::from(Span::styled(
            format!("À lire : {}", parts.join(" · ")),
            theme.label_focused(),
        )));
    }
    if let StepKind::Record {
        secret: true,
        valid_for_months: Some(m),
        ..
    } = &step.kind
    {
        let until = crate::domain::walk::valid_until(app.now, *m);
        lines.push(Line::from(Span::styled(
            format!("Valable jusqu'au {}", paris(until, "%d/%m/%Y à %H:%M")),
            theme.dim(),
        )));
    }
    frame.render_widget(
        Paragraph::new(lines).wrap(ratatui::widgets::Wrap { trim: true }),
        current_area,
    );
    if runner.wants_input() {
        let [label, field] =
            Layout::horizontal([Constraint::Length(9), Constraint::Min(1)]).areas(input_area);
        frame.render_widget(
            Paragraph::new(Span::styled("Valeur : ", theme.label())),
            label,
        );
        frame.render_widget(runner.input.textarea(), field);
    }
    let mut next: Vec<Line> = Vec::new();
    if let Some(tool) = crate::tui::tools::Tool::for_procedure(&procedure.slug) {
        next.push(Line::from(Span::styled(
            format!("F4 : outil « {} » pour cette procédure", tool.label()),
            theme.label(),
        )));
    }
    next.extend(upcoming.iter().take(2).enumerate().map(|(k, &i)| {
        let head = if k == 0 { "Ensuite : " } else { "          " };
        let text = format!("{head}{}. {}", i + 1, visible(&procedure.steps[i].text));
        Line::from(Span::styled(
            truncate(&text, width).into_owned(),
            theme.dim(),
        ))
    }));
    frame.render_widget(Paragraph::new(next), next_area);
}
