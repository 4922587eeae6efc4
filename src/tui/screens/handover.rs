//! The handover (F5): a shift's report, another shift, writing the handover note,
//! acknowledging it. The note is shown whole, every outcome is counted by name, and a
//! narrow terminal reads the report as one scrolled column.

use crate::domain::shifts::ShiftWindow;
use crate::domain::text::{truncate, visible, width, wrap_hanging};
use crate::domain::time::{age, paris};
use crate::report::{Count, Handoff, HandoverReport, WaitingLine};
use crate::store::HandoverKind;
use crate::tui::component::{Component, Doing, Effect, Env, Input, Problem, Reply, Update, View};
use crate::tui::keys::{Action, Context, hint};
use crate::tui::route::Route;
use crate::tui::theme::Theme;
use crate::tui::widgets::scroll_to_show;
use chrono::Duration;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use std::cell::Cell;

/// Below this width the report is one column.
const TWO_COLUMNS_FROM: u16 = 72;

pub struct HandoverScreen {
    /// The shift shown.
    pub shift: ShiftWindow,
    /// Only the operator's own calls.
    pub mine: bool,
    pub report: HandoverReport,
    /// The waiting call selected (Entrée opens it).
    pub selected: usize,
    /// First row shown of the one-column report.
    pub scroll: usize,
    max_scroll: Cell<usize>,
}

impl HandoverScreen {
    /// The shift in progress.
    pub fn open(env: &mut Env) -> Result<HandoverScreen, Problem> {
        let shift = env.desk.shift_plan.current(env.now);
        let report = build(env, &shift, false)?;
        Ok(HandoverScreen {
            shift,
            mine: false,
            report,
            selected: 0,
            scroll: 0,
            max_scroll: Cell::new(usize::MAX),
        })
    }

    /// The waiting calls in the order shown: callbacks first, then open calls.
    pub fn waiting(&self) -> Vec<&WaitingLine> {
        self.report
            .callbacks
            .iter()
            .chain(&self.report.open)
            .collect()
    }

    fn reload(&mut self, env: &mut Env) -> Result<(), Problem> {
        self.report = build(env, &self.shift, self.mine)?;
        let n = self.waiting().len();
        self.selected = self.selected.min(n.saturating_sub(1));
        Ok(())
    }

    fn acknowledge(&mut self, env: &mut Env) -> Update {
        let operator = &env.desk.operator;
        if self
            .report
            .acknowledgements()
            .any(|a| &a.operator == operator)
        {
            return Err("vous avez déjà pris connaissance de cette relève".into());
        }
        let (operator, now, shift) = (operator.clone(), env.now, self.shift.clone());
        env.store
            .change("prise de connaissance de la relève", move |s| {
                s.add_handover(HandoverKind::Ack, &operator, now, &shift, "")
            })
            .doing("prise de connaissance non notée")?;
        self.reload(env)?;
        Ok(Effect::Info(format!(
            "Prise de connaissance notée : {}",
            self.shift.label()
        )))
    }
}

/// Builds the report again: on entering, on changing shift or filter, and when another
/// operator's write moves the database (never per frame).
fn build(env: &mut Env, shift: &ShiftWindow, mine: bool) -> Result<HandoverReport, Problem> {
    let previous = env.desk.shift_plan.previous(shift);
    let operator = mine.then(|| env.desk.operator.clone());
    let (reference, shift, now) = (env.desk.reference.clone(), shift.clone(), env.now);
    env.store
        .read(move |s| {
            HandoverReport::build(s, &reference, &shift, &previous, operator.as_deref(), now)
        })
        .doing("relève illisible")
}

impl Component for HandoverScreen {
    fn context(&self) -> Context {
        Context::Handover
    }

    fn update(&mut self, input: Input, env: &mut Env) -> Update {
        let Input::Action(action) = input else {
            return Ok(Effect::None);
        };
        let n = self.waiting().len();
        match action {
            Action::Up => self.selected = self.selected.saturating_sub(1),
            Action::Down => self.selected = (self.selected + 1).min(n.saturating_sub(1)),
            Action::PageUp => self.scroll = self.scroll.saturating_sub(5),
            Action::PageDown => self.scroll = (self.scroll + 5).min(self.max_scroll.get()),
            Action::PrevShift | Action::NextShift => {
                let plan = &env.desk.shift_plan;
                let other = if action == Action::PrevShift {
                    plan.previous(&self.shift)
                } else {
                    plan.next(&self.shift)
                };
                // The future has no report yet.
                if other.from <= env.now {
                    self.shift = other;
                    self.selected = 0;
                    self.scroll = 0;
                    self.reload(env)?;
                }
            }
            Action::ScopeMine => {
                self.mine = !self.mine;
                self.reload(env)?;
            }
            Action::Figures => return Ok(Effect::Open(Route::Figures)),
            Action::AddNote => {
                let current = self
                    .report
                    .note()
                    .map(|n| n.text.clone())
                    .unwrap_or_default();
                return Ok(Effect::Open(Route::Note {
                    title: format!("Note de relève · {}", self.shift.label()),
                    text: current,
                }));
            }
            Action::Acknowledge => return self.acknowledge(env),
            Action::Open => {
                let reference = self.waiting().get(self.selected).map(|w| w.call.reference);
                if let Some(r) = reference {
                    return Ok(Effect::Open(Route::Call(r)));
                }
            }
            Action::Back => return Ok(Effect::Pop),
            _ => {}
        }
        Ok(Effect::None)
    }

    fn resume(&mut self, reply: Reply, env: &mut Env) -> Update {
        let Reply::Note(text) = reply else {
            return Ok(Effect::None);
        };
        let (operator, now, shift) = (env.desk.operator.clone(), env.now, self.shift.clone());
        env.store
            .change("note de relève", move |s| {
                s.add_handover(HandoverKind::Note, &operator, now, &shift, &text)
            })
            .doing("note de relève non enregistrée")?;
        self.reload(env)?;
        Ok(Effect::Info(format!(
            "Note de relève enregistrée : {}",
            self.shift.label()
        )))
    }

    fn refresh(&mut self, env: &mut Env) -> Result<(), Problem> {
        self.reload(env)
    }

    fn view(&self, frame: &mut Frame, area: Rect, view: &View) {
        let theme = view.theme;
        let report = &self.report;
        let who = if self.mine {
            format!(" · appels de {}", visible(&view.desk.operator))
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
        let cols = inner.width as usize;
        let mut top = summary_lines(report, view, cols);
        top.extend(escalation_lines(report, view, cols));
        top.extend(self.note_lines(view, cols));
        if inner.width < TWO_COLUMNS_FROM {
            let more = self.draw_one_column(frame, inner, view, top);
            // Say on the frame that there is more below, and the key that shows it.
            if more
                && let Some(h) = hint(Context::Handover, Action::PageDown, "suite")
                && area.height > 1
            {
                let tag = format!(" ↓ {h} ");
                let cols = width(&tag) as u16;
                let rect = Rect {
                    x: area.right().saturating_sub(cols + 1),
                    y: area.bottom() - 1,
                    width: cols.min(area.width),
                    height: 1,
                };
                frame.render_widget(
                    Paragraph::new(Span::styled(tag, theme.label_focused())),
                    rect,
                );
            }
            return;
        }
        let top_rows = (top.len() as u16).min(inner.height.saturating_sub(6));
        let [notes, middle] =
            Layout::vertical([Constraint::Length(top_rows), Constraint::Min(4)]).areas(inner);
        frame.render_widget(Paragraph::new(top), notes);
        let [waiting, charts] =
            Layout::horizontal([Constraint::Percentage(56), Constraint::Percentage(44)])
                .areas(middle);
        self.draw_waiting(frame, waiting, view);
        draw_charts(frame, charts, view, report);
    }
}

fn duration(secs: i64) -> String {
    age(Duration::seconds(secs))
}

fn summary_lines(report: &HandoverReport, view: &View, cols: usize) -> Vec<Line<'static>> {
    let theme = view.theme;
    let telephony = report.telephony.summary().map(|s| {
        Line::from(Span::styled(
            truncate(&format!("{}{s}", view.mark("☎ ", "Téléphonie : ")), cols).into_owned(),
            theme.dim(),
        ))
    });
    if report.is_empty() {
        let mut lines = vec![Line::from(Span::styled(
            "Relève calme : aucun appel, rien en attente.",
            theme.success(),
        ))];
        lines.extend(telephony);
        return lines;
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
    let mut lines = vec![Line::from(Span::styled(
        truncate(&first, cols).into_owned(),
        theme.title(),
    ))];
    lines.extend(telephony);
    lines.push(Line::from(Span::styled(
        truncate(&procedures, cols).into_owned(),
        theme.dim(),
    )));
    lines
}

/// The escalations, folded to the width: each with its GLPI ticket and whether it is sent,
/// waiting or in doubt; drawn as a warning while one of them is not sent.
fn escalation_lines(report: &HandoverReport, view: &View, cols: usize) -> Vec<Line<'static>> {
    let theme = view.theme;
    if report.escalations.is_empty() {
        return Vec::new();
    }
    let items: Vec<String> = report
        .escalations
        .iter()
        .map(|e| {
            format!(
                "{} {}, {}",
                e.reference,
                visible(&e.caller_name),
                e.ticket_text()
            )
        })
        .collect();
    let text = format!(
        "{}Escalades ({}) : {}",
        view.mark("⇪ ", ""),
        items.len(),
        items.join(" · ")
    );
    let settled = report
        .escalations
        .iter()
        .all(|e| e.handoff == Handoff::Sent);
    let style = if settled {
        theme.dim()
    } else {
        theme.open_call()
    };
    fold(&text, cols, style)
}

/// Text folded to the width, its next lines indented under the first.
fn fold(text: &str, cols: usize, style: Style) -> Vec<Line<'static>> {
    wrap_hanging(text, cols, cols.saturating_sub(2))
        .into_iter()
        .enumerate()
        .map(|(i, l)| {
            let pad = if i == 0 { "" } else { "  " };
            Line::from(Span::styled(format!("{pad}{l}"), style))
        })
        .collect()
}

impl HandoverScreen {
    /// The handover note whole, who has read it, and the previous shift's note.
    fn note_lines(&self, view: &View, cols: usize) -> Vec<Line<'static>> {
        let theme = view.theme;
        let report = &self.report;
        let mut lines = Vec::new();
        let fold = |text: &str, style| fold(text, cols, style);
        match report.note() {
            Some(n) => {
                lines.extend(fold(
                    &format!(
                        "Note de {} ({}) : {}",
                        visible(&n.operator),
                        paris(n.at, "%H:%M"),
                        visible(&n.text)
                    ),
                    theme.title(),
                ));
                let acks: Vec<String> = report
                    .acknowledgements()
                    .map(|a| format!("{} à {}", visible(&a.operator), paris(a.at, "%H:%M")))
                    .collect();
                let seen = if acks.is_empty() {
                    let mut s = "Pas encore lue".to_string();
                    if let Some(h) = hint(Context::Handover, Action::Acknowledge, "j'ai lu") {
                        s.push_str(&format!(" ({h})"));
                    }
                    s
                } else {
                    format!("{}Lue par {}", view.mark("✓ ", ""), acks.join(", "))
                };
                let style = if acks.is_empty() {
                    theme.open_call()
                } else {
                    theme.success()
                };
                lines.extend(fold(&seen, style));
            }
            None => {
                let mut s = "Pas de note pour cette relève".to_string();
                if let Some(h) = hint(Context::Handover, Action::AddNote, "l'écrire") {
                    s.push_str(&format!(" ({h})"));
                }
                lines.extend(fold(&format!("{s}."), theme.dim()));
            }
        }
        let previous = report
            .previous_notes
            .iter()
            .rev()
            .find(|e| e.kind == HandoverKind::Note)
            .map_or("Relève précédente : pas de note.".to_string(), |n| {
                format!(
                    "Relève précédente ({}, {}) : {}",
                    visible(&n.shift_name),
                    visible(&n.operator),
                    visible(&n.text)
                )
            });
        lines.extend(fold(&previous, theme.dim()));
        lines
    }

    /// One waiting call in two lines: who and how long, then where it stands.
    fn waiting_item(
        &self,
        w: &WaitingLine,
        view: &View,
        cols: usize,
        selected: bool,
    ) -> [Line<'static>; 2] {
        let theme = view.theme;
        let mark = if w.callback_due {
            Span::styled(view.mark("☎ ", "À rappeler : ").to_string(), theme.error())
        } else if w.escalated {
            Span::styled(
                view.mark("⇪ ", "Transmis : ").to_string(),
                theme.open_call(),
            )
        } else {
            Span::raw("  ")
        };
        let head = format!(
            "{} {:>6} {} · {}",
            w.call.reference,
            duration(w.age_secs),
            visible(&w.call.caller_name),
            view.desk.reference.service_short(&w.call.service)
        );
        let detail = match (&w.stopped_at, &w.last_journal) {
            (Some(step), _) => format!("   ▸ {step}"),
            (None, Some(last)) => format!("   {}", visible(last)),
            (None, None) => String::new(),
        };
        let style = if selected {
            theme.selected()
        } else {
            ratatui::style::Style::new()
        };
        [
            Line::from(vec![
                mark,
                Span::styled(truncate(&head, cols.saturating_sub(2)).into_owned(), style),
            ]),
            Line::from(Span::styled(
                truncate(&detail, cols).into_owned(),
                theme.dim(),
            )),
        ]
    }

    fn draw_waiting(&self, frame: &mut Frame, area: Rect, view: &View) {
        let theme = view.theme;
        let waiting = self.waiting();
        let total = self.report.open_total + self.report.callbacks.len() as i64;
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.border_focused())
            .title(Span::styled(
                format!(" En attente ({total}) "),
                theme.title(),
            ));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        if waiting.is_empty() {
            frame.render_widget(
                Paragraph::new(Span::styled(
                    "Rien n'attend la relève suivante.",
                    theme.dim(),
                )),
                inner,
            );
            return;
        }
        let cols = inner.width as usize;
        let per_page = (inner.height as usize / 2).max(1);
        let first = scroll_to_show(self.selected, waiting.len(), per_page, 0);
        let lines: Vec<Line> = waiting
            .iter()
            .enumerate()
            .skip(first)
            .take(per_page)
            .flat_map(|(i, w)| self.waiting_item(w, view, cols, i == self.selected))
            .collect();
        frame.render_widget(Paragraph::new(lines), inner);
    }

    /// Narrow terminals: the whole report as one column, scrolled with PgPréc/PgSuiv;
    /// the selected waiting call is kept in view. Returns whether more is below.
    fn draw_one_column(
        &self,
        frame: &mut Frame,
        area: Rect,
        view: &View,
        mut lines: Vec<Line<'static>>,
    ) -> bool {
        let theme = view.theme;
        let cols = area.width as usize;
        let waiting = self.waiting();
        let total = self.report.open_total + self.report.callbacks.len() as i64;
        lines.push(Line::default());
        lines.push(Line::from(Span::styled(
            format!("En attente ({total})"),
            theme.label_focused(),
        )));
        let mut selected_row = None;
        if waiting.is_empty() {
            lines.push(Line::from(Span::styled(
                "Rien n'attend la relève suivante.",
                theme.dim(),
            )));
        }
        for (i, w) in waiting.iter().enumerate() {
            if i == self.selected {
                selected_row = Some(lines.len());
            }
            lines.extend(self.waiting_item(w, view, cols, i == self.selected));
        }
        lines.push(Line::default());
        for (title, counts) in groups(&self.report) {
            lines.extend(inline_counts(title, counts, cols, theme));
        }
        let rows = area.height as usize;
        let max = lines.len().saturating_sub(rows);
        self.max_scroll.set(max);
        let mut scroll = self.scroll.min(max);
        if let Some(row) = selected_row
            && (row < scroll || row + 2 > scroll + rows)
        {
            scroll = row.saturating_sub(rows / 2).min(max);
        }
        frame.render_widget(Paragraph::new(lines).scroll((scroll as u16, 0)), area);
        scroll < max
    }
}

fn groups(report: &HandoverReport) -> [(&'static str, &Vec<Count>); 4] {
    [
        ("Issue", &report.outcomes),
        ("Service", &report.services),
        ("Poste", &report.devices),
        ("Opérateur", &report.operators),
    ]
}

/// "Issue : résolu 8 · escaladé 2": every count by name, folded to the width.
fn inline_counts(title: &str, counts: &[Count], cols: usize, theme: &Theme) -> Vec<Line<'static>> {
    let body = if counts.is_empty() {
        "—".to_string()
    } else {
        counts
            .iter()
            .map(|c| format!("{} {}", visible(&c.label), c.count))
            .collect::<Vec<_>>()
            .join(" · ")
    };
    let lead = width(title) + 3;
    wrap_hanging(&body, cols.saturating_sub(lead), cols.saturating_sub(2))
        .into_iter()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                Line::from(vec![
                    Span::styled(format!("{title} : "), theme.label_focused()),
                    Span::raw(l),
                ])
            } else {
                Line::from(format!("  {l}"))
            }
        })
        .collect()
}

/// Counts as horizontal bars: label, bar scaled to the largest count, number.
fn bars(title: &str, counts: &[Count], cols: usize, theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = vec![Line::from(Span::styled(
        title.to_string(),
        theme.label_focused(),
    ))];
    if counts.is_empty() {
        lines.push(Line::from(Span::styled("  —", theme.dim())));
        return lines;
    }
    let max = counts.iter().map(|c| c.count).max().unwrap_or(1).max(1);
    let number_w = counts
        .iter()
        .map(|c| c.count.to_string().len())
        .max()
        .unwrap_or(1);
    // Labels whole when the line leaves a bar of a few columns beside them.
    let longest = counts.iter().map(|c| width(&c.label)).max().unwrap_or(1) + 1;
    let label_w = longest.min(cols.saturating_sub(number_w + 6)).max(4);
    let bar_room = cols.saturating_sub(label_w + number_w + 2).max(1);
    for c in counts {
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
    lines
}

/// The figures: as bars when they all fit, else the outcomes as bars (every one of them,
/// an escalation is never folded away) and the others as counted text. For a screen
/// reader, all as counted text: a bar is a row of glyphs read out one by one.
fn draw_charts(frame: &mut Frame, area: Rect, view: &View, report: &HandoverReport) {
    let theme = view.theme;
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border())
        .title(Span::styled(" Chiffres ", theme.title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let cols = inner.width as usize;
    let rows = inner.height as usize;
    let all: Vec<Line> = groups(report)
        .iter()
        .flat_map(|(t, c)| bars(t, c, cols, theme))
        .collect();
    let lines = if view.screen_reader {
        groups(report)
            .into_iter()
            .flat_map(|(title, counts)| inline_counts(title, counts, cols, theme))
            .collect()
    } else if all.len() <= rows {
        all
    } else {
        let mut lines = bars("Issue", &report.outcomes, cols, theme);
        for (title, counts) in groups(report).into_iter().skip(1) {
            lines.extend(inline_counts(title, counts, cols, theme));
        }
        if lines.len() > rows && rows > 0 {
            lines.truncate(rows);
            let last = lines.pop().map(|l| l.to_string()).unwrap_or_default();
            lines.push(Line::from(format!(
                "{}…",
                truncate(&last, cols.saturating_sub(1))
            )));
        }
        lines
    };
    frame.render_widget(Paragraph::new(lines), inner);
}
