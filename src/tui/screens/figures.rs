//! What the desk's walks say of its procedures (from the handover): the procedures that
//! need attention first — most abandoned, escalated, flagged « à revoir » — with, for the
//! one selected, where its walks stop, step by step. Enter opens its steps annotated with
//! those figures and the flags' notes. The same report as `guichet report procedures`.

use crate::domain::procedure::Procedure;
use crate::domain::text::{truncate, visible, width};
use crate::report::{
    FIRST_CONTACT_DAYS, ProcedureFigures, ProceduresReport, handling_duration, outcome_mix,
};
use crate::store::FigureWindow;
use crate::tui::component::{Component, Doing, Effect, Env, Input, Problem, Update, View};
use crate::tui::keys::{Action, Context};
use crate::tui::route::Route;
use crate::tui::widgets::{dropoff_bar, dropoff_words, focus_line, scroll_to_show};
use chrono::Duration;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use std::cell::Cell;
use std::collections::BTreeSet;

/// The periods offered, in days: a week, a month, a quarter.
pub const PERIODS: [i64; 3] = [7, 30, 90];
/// The period the screen opens on.
const FIRST_PERIOD: usize = 1;

pub struct FiguresScreen {
    /// Index in [`PERIODS`].
    pub period: usize,
    pub report: ProceduresReport,
    pub selected: usize,
    top: Cell<usize>,
}

impl FiguresScreen {
    pub fn open(env: &mut Env) -> Result<FiguresScreen, Problem> {
        let report = build(env, PERIODS[FIRST_PERIOD])?;
        Ok(FiguresScreen {
            period: FIRST_PERIOD,
            report,
            selected: 0,
            top: Cell::new(0),
        })
    }

    fn chosen(&self) -> Option<&ProcedureFigures> {
        self.report.procedures.get(self.selected)
    }
}

/// The report of the last `days` days, read on the store's thread. The titles and the order
/// of steps come from the procedures the report names, read there too (the console holds
/// only the search index of its catalogue).
fn build(env: &mut Env, days: i64) -> Result<ProceduresReport, Problem> {
    let now = env.now;
    let window = FigureWindow {
        from: now - Duration::days(days),
        to: now,
        service: None,
    };
    let in_memory: Option<Vec<Procedure>> = env
        .desk
        .library
        .in_memory
        .as_ref()
        .map(|c| c.procedures.clone());
    env.store
        .read(move |s| {
            let figures = s.walk_figures(&window, FIRST_CONTACT_DAYS * 86_400)?;
            let procedures = match in_memory {
                Some(all) => all,
                None => {
                    let slugs: BTreeSet<&str> = figures
                        .proposed
                        .iter()
                        .map(|(slug, _)| slug.as_str())
                        .chain(figures.walks.iter().map(|w| &*w.procedure))
                        .collect();
                    let mut read = Vec::with_capacity(slugs.len());
                    for slug in slugs {
                        read.extend(s.procedure(slug)?);
                    }
                    read
                }
            };
            Ok(ProceduresReport::of(
                figures,
                &procedures,
                &window,
                FIRST_CONTACT_DAYS,
                now,
            ))
        })
        .doing("chiffres des procédures illisibles")
}

impl Component for FiguresScreen {
    fn context(&self) -> Context {
        Context::Figures
    }

    fn update(&mut self, input: Input, env: &mut Env) -> Update {
        let Input::Action(action) = input else {
            return Ok(Effect::None);
        };
        let n = self.report.procedures.len();
        match action {
            Action::Up => self.selected = self.selected.saturating_sub(1),
            Action::Down => self.selected = (self.selected + 1).min(n.saturating_sub(1)),
            Action::First => self.selected = 0,
            Action::Last => self.selected = n.saturating_sub(1),
            Action::NextScope => {
                self.period = (self.period + 1) % PERIODS.len();
                self.refresh(env)?;
                return Ok(Effect::Info(format!(
                    "Chiffres des {} derniers jours",
                    PERIODS[self.period]
                )));
            }
            Action::Open => {
                if let Some(chosen) = self.chosen() {
                    return Ok(Effect::Open(Route::FigureSteps(Box::new(chosen.clone()))));
                }
            }
            Action::Back => return Ok(Effect::Pop),
            _ => {}
        }
        Ok(Effect::None)
    }

    fn refresh(&mut self, env: &mut Env) -> Result<(), Problem> {
        let slug = self.chosen().map(|p| p.slug.clone());
        self.report = build(env, PERIODS[self.period])?;
        // The selection stays on its procedure when it is still listed.
        self.selected = slug
            .and_then(|s| self.report.procedures.iter().position(|p| p.slug == s))
            .unwrap_or(0)
            .min(self.report.procedures.len().saturating_sub(1));
        Ok(())
    }

    fn view(&self, frame: &mut Frame, area: Rect, view: &View) {
        let theme = view.theme;
        let r = &self.report;
        let mut title = format!(" Procédures · {} derniers jours", PERIODS[self.period]);
        if let Some(rate) = r.follow_rate {
            title.push_str(&format!(" · suivies pour {rate:.0} % des appels clos"));
        }
        title.push(' ');
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.border())
            .title(Span::styled(
                truncate(&title, area.width.saturating_sub(2) as usize).into_owned(),
                theme.title(),
            ));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        // The keys are on the footer, from the key table.
        let body = inner;
        let cols = body.width as usize;
        if r.procedures.is_empty() {
            frame.render_widget(
                Paragraph::new(Span::styled(
                    "Aucune procédure proposée ni suivie sur la période.",
                    theme.dim(),
                )),
                body,
            );
        } else {
            // The table takes what the steps of the selected procedure leave it, and at
            // least a few rows.
            let steps = self
                .chosen()
                .and_then(|p| p.versions.first())
                .map_or(0, |v| v.steps.len());
            let table_rows = (body.height as usize)
                .saturating_sub(steps + 4)
                .max(4)
                .min(r.procedures.len() + 1) as u16;
            let [table, detail] =
                Layout::vertical([Constraint::Length(table_rows), Constraint::Min(0)]).areas(body);
            self.draw_table(frame, table, view);
            if let Some(chosen) = self.chosen() {
                draw_dropoff(frame, detail, chosen, view, cols);
            }
        }
    }
}

/// The figures' columns: heading and width (the procedure's title takes the rest).
const COLUMNS: [(&str, usize); 6] = [
    ("Prop.", 6),
    ("Suiv.", 6),
    ("Term.", 6),
    ("Esc.", 5),
    ("Aband.", 7),
    ("À revoir", 9),
];

fn figures_of(p: &ProcedureFigures) -> [u64; 6] {
    let f = &p.figures;
    [
        p.proposed,
        f.followed,
        f.completed,
        f.escalated,
        f.abandoned,
        p.flags.len() as u64,
    ]
}

impl FiguresScreen {
    fn draw_table(&self, frame: &mut Frame, area: Rect, view: &View) {
        let theme = view.theme;
        let cols = area.width as usize;
        let numbers: usize = COLUMNS.iter().map(|(_, w)| w).sum();
        let name_w = cols.saturating_sub(numbers + 2).max(8);
        let cell = |text: &str, w: usize| format!("{text:>w$}");
        let mut head = format!("  {:<name_w$}", "Procédure");
        for (h, w) in COLUMNS {
            head.push_str(&cell(h, w));
        }
        let rows = (area.height as usize).saturating_sub(1);
        let top = scroll_to_show(
            self.selected,
            self.report.procedures.len(),
            rows,
            self.top.get(),
        );
        self.top.set(top);
        let mut lines = vec![Line::from(Span::styled(
            truncate(&head, cols).into_owned(),
            theme.label_focused(),
        ))];
        for (i, p) in self
            .report
            .procedures
            .iter()
            .enumerate()
            .skip(top)
            .take(rows)
        {
            let selected = i == self.selected;
            let (mark, style) = if selected {
                (view.mark("▶ ", "  "), theme.selected())
            } else {
                ("  ", Style::default())
            };
            let name = p
                .title
                .as_deref()
                .map_or_else(|| format!("{} (hors catalogue)", p.slug), |t| t.to_string());
            let name = truncate(&visible(&name), name_w).into_owned();
            let pad = name_w - width(&name);
            let mut text = format!("{mark}{name}{}", " ".repeat(pad));
            for ((_, w), n) in COLUMNS.iter().zip(figures_of(p)) {
                text.push_str(&cell(&n.to_string(), *w));
            }
            let text = truncate(&text, cols).into_owned();
            let fill = cols.saturating_sub(width(&text));
            lines.push(Line::from(vec![
                Span::styled(text, style),
                Span::styled(" ".repeat(fill), style),
            ]));
        }
        frame.render_widget(Paragraph::new(lines), area);
        focus_line(frame, area, 1 + self.selected.saturating_sub(top));
    }
}

/// Where the walks of `p`'s current version stop: a bar per step, the figures beside it.
fn draw_dropoff(frame: &mut Frame, area: Rect, p: &ProcedureFigures, view: &View, cols: usize) {
    let theme = view.theme;
    let Some(version) = p.versions.first() else {
        return;
    };
    let mut lines = vec![Line::from(Span::styled(
        truncate(
            &format!(
                "Où s'arrêtent les appels · {} · version {}",
                visible(&p.slug),
                visible(&version.version)
            ),
            cols,
        )
        .into_owned(),
        theme.title(),
    ))];
    let most = version.steps.iter().map(|s| s.reached).max().unwrap_or(0);
    let words: Vec<String> = version.steps.iter().map(dropoff_words).collect();
    let words_w = words.iter().map(|w| width(w)).max().unwrap_or(0);
    let room = cols.saturating_sub(words_w + 6).clamp(4, 40);
    for (s, w) in version.steps.iter().zip(&words) {
        let number = s
            .number
            .map_or_else(|| " –".to_string(), |n| format!("{n:>2}"));
        let mut spans = vec![Span::raw(format!("{number} "))];
        // For a screen reader the figures alone: a bar is glyphs read out one by one.
        if !view.screen_reader {
            spans.extend(dropoff_bar(s, most, room, theme));
        }
        spans.push(Span::raw(format!(" {w}")));
        lines.push(Line::from(spans));
    }
    let f = &p.figures;
    let mut said = format!("Issues : {}", outcome_mix(f));
    if f.median_handling_secs.is_some() {
        said.push_str(&format!(
            " · durée médiane {}",
            handling_duration(f.median_handling_secs)
        ));
    }
    said.push_str(&format!(
        " · résolue {} fois, dont {} au premier contact",
        f.solved, f.first_contact
    ));
    for part in crate::domain::text::wrap_hanging(&said, cols, cols.saturating_sub(2)) {
        lines.push(Line::from(Span::styled(part, theme.dim())));
    }
    if let Some(last) = p.flags.iter().max_by_key(|fl| fl.at) {
        lines.push(Line::from(Span::styled(
            truncate(
                &format!(
                    "{}{} à revoir, dernier : « {} »",
                    view.mark("⚑ ", ""),
                    p.flags.len(),
                    visible(&last.note)
                ),
                cols,
            )
            .into_owned(),
            theme.error(),
        )));
    }
    frame.render_widget(Paragraph::new(lines), area);
}
