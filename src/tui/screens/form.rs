//! The new-call form: fields on the left, the open calls on the right (the place where the
//! matching procedures will appear).

use crate::domain::call::Field;
use crate::domain::reference::Pickable;
use crate::domain::text::{truncate, visible};
use crate::domain::time::{paris, timer};
use crate::tui::app::{App, FormState};
use crate::tui::input::Picker;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, List, ListItem, ListState, Paragraph};

const LABEL_WIDTH: u16 = 10;

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let Some(form) = app.form.as_ref() else {
        return;
    };
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(56), Constraint::Percentage(44)]).areas(area);
    draw_fields(frame, left, app, form);
    let [matches, open_calls] =
        Layout::vertical([Constraint::Length(9), Constraint::Min(3)]).areas(right);
    draw_matches(frame, matches, app, form);
    draw_open_calls(frame, open_calls, app);
}

/// The procedures matching the call as typed; the place the operator goes with Ctrl-P.
fn draw_matches(frame: &mut Frame, area: Rect, app: &App, form: &FormState) {
    let theme = &app.theme;
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(if form.in_matches {
            theme.border_focused()
        } else {
            theme.border()
        })
        .title(Span::styled(" Procédures proposées ", theme.title()));
    if form.matches.is_empty() {
        let hint = "Choisir service et poste, décrire l'objet : les procédures s'affichent ici.";
        frame.render_widget(
            Paragraph::new(Span::styled(hint, theme.dim()))
                .wrap(ratatui::widgets::Wrap { trim: true })
                .block(block),
            area,
        );
        return;
    }
    let width = area.width.saturating_sub(3) as usize;
    let items: Vec<ListItem> = form
        .matches
        .iter()
        .map(|hit| {
            let style = if hit.fits_service && hit.fits_device {
                ratatui::style::Style::new()
            } else {
                theme.dim()
            };
            ListItem::new(Span::styled(
                truncate(&hit.title, width).into_owned(),
                style,
            ))
        })
        .collect();
    let list = List::new(items)
        .block(block)
        .highlight_symbol("▶")
        .highlight_style(if form.in_matches {
            theme.selected()
        } else {
            ratatui::style::Style::new()
        });
    let mut state = ListState::default().with_selected(Some(form.match_selected));
    frame.render_stateful_widget(list, area, &mut state);
}

fn draw_fields(frame: &mut Frame, area: Rect, app: &App, form: &FormState) {
    let theme = &app.theme;
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border_focused())
        .title(Span::styled(" Nouvel appel ", theme.title()))
        .title(Line::from(format!(" {} ", timer(app.now - form.opened_at))).right_aligned());
    let inner = block.inner(area);
    frame.render_widget(block, area);

    // One row per field, one more under a field that has an error; the notes take the rest.
    let mut constraints = Vec::new();
    for field in Field::ALL {
        if field == Field::Notes {
            constraints.push(Constraint::Min(1));
        } else {
            constraints.push(Constraint::Length(1));
            if let Some(message) = error_of(form, field) {
                constraints.push(Constraint::Length(error_height(message, inner.width)));
            }
        }
    }
    let rows = Layout::vertical(constraints).split(inner);
    let mut i = 0;
    let mut picker_row = None;
    for field in Field::ALL {
        let row = rows[i];
        i += 1;
        let focused = form.focus == field;
        let [label, value] =
            Layout::horizontal([Constraint::Length(LABEL_WIDTH), Constraint::Min(1)]).areas(row);
        let label_style = if focused {
            theme.label_focused()
        } else {
            theme.label()
        };
        let mark = if focused { "▸" } else { " " };
        frame.render_widget(
            Paragraph::new(Span::styled(
                format!("{mark}{}", field.label()),
                label_style,
            )),
            label,
        );
        match field {
            Field::Service | Field::Device => {
                draw_picker_value(frame, value, app, form, field, focused);
                if focused {
                    picker_row = Some(value);
                }
            }
            Field::Notes => {
                let notes_area = Rect {
                    x: inner.x + 1,
                    y: row.y + 1,
                    width: inner.width.saturating_sub(2),
                    height: row.height.saturating_sub(1),
                };
                draw_text(frame, notes_area, app, form, field, focused);
            }
            _ => draw_text(frame, value, app, form, field, focused),
        }
        if field != Field::Notes
            && let Some(message) = error_of(form, field)
        {
            let err_row = rows[i];
            i += 1;
            frame.render_widget(
                Paragraph::new(Span::styled(format!("⚠ {message}"), theme.error()))
                    .wrap(ratatui::widgets::Wrap { trim: true }),
                Rect {
                    x: err_row.x + LABEL_WIDTH,
                    width: err_row.width.saturating_sub(LABEL_WIDTH),
                    ..err_row
                },
            );
        }
    }
    if let Some(anchor) = picker_row {
        draw_dropdown(frame, anchor, inner, app, form);
    }
}

/// An error takes the lines it needs under its field, two at most (the rest is cut).
fn error_height(message: &str, width: u16) -> u16 {
    let room = usize::from(width.saturating_sub(LABEL_WIDTH + 1)).max(1);
    let needed = (crate::domain::text::width(message) + 2).div_ceil(room);
    needed.clamp(1, 2) as u16
}

fn error_of(form: &FormState, field: Field) -> Option<&str> {
    form.errors.as_ref().and_then(|e| e.for_field(field))
}

fn draw_text(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    form: &FormState,
    field: Field,
    focused: bool,
) {
    let text = match field {
        Field::CallerName => &form.caller_name,
        Field::Phone => &form.phone,
        Field::Email => &form.email,
        Field::Summary => &form.summary,
        Field::Notes => &form.notes,
        Field::Service | Field::Device => return,
    };
    if focused {
        frame.render_widget(text.textarea(), area);
    } else {
        let value = text.value();
        let lines: Vec<Line> = value
            .lines()
            .map(|l| Line::from(visible(l).into_owned()))
            .collect();
        let style = if error_of(form, field).is_some() {
            app.theme.error()
        } else {
            ratatui::style::Style::new()
        };
        frame.render_widget(Paragraph::new(lines).style(style), area);
    }
}

fn picker_of(form: &FormState, field: Field) -> &Picker {
    if field == Field::Service {
        &form.service
    } else {
        &form.device
    }
}

fn draw_picker_value(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    form: &FormState,
    field: Field,
    focused: bool,
) {
    let picker = picker_of(form, field);
    // The full label when it fits, else the short one: "Académie de Normandie — périmètre
    // Rouen" cut at the edge would hide the very word that matters.
    let chosen_label = picker.chosen.map(|i| {
        let (label, short) = match field {
            Field::Service => (
                app.reference.services[i].label(),
                app.reference.services[i].short(),
            ),
            _ => (
                app.reference.devices[i].label(),
                app.reference.devices[i].short(),
            ),
        };
        if crate::domain::text::width(label) <= area.width as usize {
            label.to_string()
        } else {
            short.to_string()
        }
    });
    let line = if !picker.query.is_empty() {
        let mut spans = vec![Span::raw(visible(&picker.query).into_owned())];
        if focused {
            spans.push(Span::styled(" ", app.theme.cursor()));
        }
        Line::from(spans)
    } else if let Some(label) = chosen_label {
        Line::from(label)
    } else if focused {
        Line::from(vec![
            Span::styled(" ", app.theme.cursor()),
            Span::styled("taper pour chercher", app.theme.dim()),
        ])
    } else {
        Line::from(Span::styled("—", app.theme.dim()))
    };
    frame.render_widget(Paragraph::new(line), area);
}

/// The proposals of the focused picker, under its row (or above when there is no room).
fn draw_dropdown(frame: &mut Frame, anchor: Rect, bounds: Rect, app: &App, form: &FormState) {
    let field = form.focus;
    let picker = picker_of(form, field);
    let items: Vec<ListItem> = picker
        .matches
        .iter()
        .map(|&i| {
            let (slug, label) = match field {
                Field::Service => (
                    app.reference.services[i].slug(),
                    app.reference.services[i].label(),
                ),
                _ => (
                    app.reference.devices[i].slug(),
                    app.reference.devices[i].label(),
                ),
            };
            ListItem::new(Line::from(vec![
                Span::raw(label.to_string()),
                Span::styled(format!("  {slug}"), app.theme.dim()),
            ]))
        })
        .collect();
    let empty = items.is_empty();
    let height = (items.len().clamp(1, 6) + 2) as u16;
    let below = bounds.bottom().saturating_sub(anchor.bottom());
    let y = if below >= height {
        anchor.bottom()
    } else {
        anchor.y.saturating_sub(height)
    };
    let area = Rect {
        x: anchor.x.saturating_sub(1),
        y,
        width: (anchor.width + 1).min(bounds.right() - anchor.x.saturating_sub(1)),
        height,
    };
    frame.render_widget(Clear, area);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(app.theme.border_focused());
    if empty {
        frame.render_widget(
            Paragraph::new(Span::styled("aucune correspondance", app.theme.error())).block(block),
            area,
        );
        return;
    }
    let list = List::new(items)
        .block(block)
        .highlight_style(app.theme.selected());
    let mut state = ListState::default().with_selected(Some(picker.highlight));
    frame.render_stateful_widget(list, area, &mut state);
}

fn draw_open_calls(frame: &mut Frame, area: Rect, app: &App) {
    let open = &app.list.open_calls;
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(app.theme.border())
        .title(Span::styled(
            format!(" Appels ouverts ({}) ", app.list.open_count),
            app.theme.title(),
        ));
    let inner_width = area.width.saturating_sub(2) as usize;
    let lines: Vec<Line> = if open.is_empty() {
        vec![Line::from(Span::styled(
            "aucun appel ouvert",
            app.theme.dim(),
        ))]
    } else {
        open.iter()
            .map(|c| {
                let head = format!("{} {} ", c.reference, paris(c.opened_at, "%H:%M"),);
                let rest = format!(
                    "{} · {}",
                    visible(&c.caller_name),
                    app.reference.service_short(&c.service)
                );
                let room = inner_width.saturating_sub(head.chars().count());
                Line::from(vec![
                    Span::styled(head, app.theme.dim()),
                    Span::raw(truncate(&rest, room).into_owned()),
                ])
            })
            .collect()
    };
    frame.render_widget(Paragraph::new(lines).block(block), area);
}
