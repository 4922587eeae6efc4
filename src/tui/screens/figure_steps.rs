//! One procedure's steps annotated with what its walks did there (from the figures
//! screen): for each step, how many walks reached it and how many were left there, as a
//! bar and in words, and the notes of the steps flagged « à revoir ». One version at a
//! time, the newest first: a step an older version had and the current one lost is listed
//! after the others.

use crate::domain::procedure::Procedure;
use crate::domain::text::{truncate, visible, wrap_hanging};
use crate::domain::time::paris;
use crate::report::{ProcedureFigures, StepFigures};
use crate::tui::component::{Component, Effect, Env, Input, Problem, Update, View};
use crate::tui::keys::{Action, Context};
use crate::tui::widgets::{dropoff_bar, dropoff_words, focus_line};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use std::cell::Cell;

pub struct FigureStepsScreen {
    pub figures: ProcedureFigures,
    /// The procedure as the catalogue has it now (`None`: no longer in it).
    pub procedure: Option<Procedure>,
    /// Index in `figures.versions`.
    pub version: usize,
    pub scroll: usize,
    max_scroll: Cell<usize>,
    page: Cell<usize>,
}

impl FigureStepsScreen {
    pub fn open(env: &Env, figures: ProcedureFigures) -> Result<FigureStepsScreen, Problem> {
        let procedure = env.desk.library.procedure(env.store, &figures.slug)?;
        Ok(FigureStepsScreen {
            figures,
            procedure,
            version: 0,
            scroll: 0,
            max_scroll: Cell::new(usize::MAX),
            page: Cell::new(10),
        })
    }

    /// The lines of the annotated steps, folded to `cols`.
    fn lines(&self, view: &View, cols: usize) -> Vec<Line<'static>> {
        let theme = view.theme;
        let Some(version) = self.figures.versions.get(self.version) else {
            return vec![Line::from(Span::styled(
                "Aucune marche de cette procédure sur la période : seulement proposée.",
                theme.dim(),
            ))];
        };
        let f = &version.figures;
        let mut lines = Vec::new();
        let summary = format!(
            "Suivie {} fois : terminée {}, escaladée {}, abandonnée {}, en cours {} ; \
             résolue {} fois",
            f.followed, f.completed, f.escalated, f.abandoned, f.in_progress, f.solved
        );
        for part in wrap_hanging(&summary, cols, cols) {
            lines.push(Line::from(Span::styled(part, theme.label_focused())));
        }
        let most = version.steps.iter().map(|s| s.reached).max().unwrap_or(0);
        let room = cols.saturating_sub(30).clamp(4, 30);
        let text_of = |s: &StepFigures| -> Option<String> {
            let p = self.procedure.as_ref()?;
            p.steps
                .iter()
                .find(|st| st.id == s.step)
                .map(|st| st.text.clone())
        };
        // The catalogue's version shows every step, the ones no walk reached too (« 0
        // atteinte » says as much as a drop); an older one, the steps its walks reached.
        let current = self
            .procedure
            .as_ref()
            .filter(|p| p.version() == version.version);
        let steps: Vec<StepFigures> = match current {
            Some(p) => p
                .steps
                .iter()
                .enumerate()
                .map(|(i, st)| {
                    version
                        .steps
                        .iter()
                        .find(|s| s.step == st.id)
                        .cloned()
                        .unwrap_or(StepFigures {
                            step: st.id.clone(),
                            number: Some(i + 1),
                            reached: 0,
                            answered: 0,
                            left: 0,
                        })
                })
                .chain(version.steps.iter().filter(|s| s.number.is_none()).cloned())
                .collect(),
            None => version.steps.clone(),
        };
        let mut gone_said = false;
        for s in &steps {
            if s.number.is_none() && !gone_said {
                lines.push(Line::default());
                lines.push(Line::from(Span::styled(
                    "Étapes que la procédure n'a plus :",
                    theme.title(),
                )));
                gone_said = true;
            }
            lines.push(Line::default());
            let head = match s.number {
                Some(n) => format!("{n}. "),
                None => "–  ".to_string(),
            };
            let text = text_of(s).unwrap_or_else(|| format!("(étape {})", s.step));
            let body = visible(&format!("{head}{text}")).into_owned();
            for part in wrap_hanging(&body, cols, cols.saturating_sub(head.len())) {
                lines.push(Line::from(part));
            }
            let mut bar = vec![Span::raw("   ")];
            // For a screen reader the figures alone: a bar is glyphs read out one by one.
            if !view.screen_reader {
                bar.extend(dropoff_bar(s, most, room, theme));
            }
            bar.push(Span::styled(
                format!(" {}", dropoff_words(s)),
                if s.left > 0 || s.reached == 0 {
                    theme.error()
                } else {
                    theme.dim()
                },
            ));
            lines.push(Line::from(bar));
            for flag in self
                .figures
                .flags
                .iter()
                .filter(|fl| fl.step == s.step && fl.version == version.version)
            {
                let said = format!(
                    "{}à revoir ({}, {}) : « {} »",
                    view.mark("⚑ ", ""),
                    visible(&flag.operator),
                    paris(flag.at, "%d/%m %H:%M"),
                    visible(&flag.note)
                );
                for part in wrap_hanging(&said, cols.saturating_sub(3), cols.saturating_sub(5)) {
                    lines.push(Line::from(Span::styled(
                        format!("   {part}"),
                        theme.error(),
                    )));
                }
            }
        }
        lines
    }
}

impl Component for FigureStepsScreen {
    fn context(&self) -> Context {
        Context::FigureSteps
    }

    fn update(&mut self, input: Input, _env: &mut Env) -> Update {
        let Input::Action(action) = input else {
            return Ok(Effect::None);
        };
        let max = self.max_scroll.get();
        let page = self.page.get().max(1);
        match action {
            Action::Up => self.scroll = self.scroll.saturating_sub(1),
            Action::Down => self.scroll = (self.scroll + 1).min(max),
            Action::PageUp => self.scroll = self.scroll.saturating_sub(page),
            Action::PageDown => self.scroll = (self.scroll + page).min(max),
            Action::NextScope if self.figures.versions.len() > 1 => {
                self.version = (self.version + 1) % self.figures.versions.len();
                self.scroll = 0;
                return Ok(Effect::Info(format!(
                    "Version {}",
                    visible(&self.figures.versions[self.version].version)
                )));
            }
            Action::Back => return Ok(Effect::Pop),
            _ => {}
        }
        Ok(Effect::None)
    }

    fn view(&self, frame: &mut Frame, area: Rect, view: &View) {
        let theme = view.theme;
        let version = self
            .figures
            .versions
            .get(self.version)
            .map(|v| format!(" · version {}", v.version))
            .unwrap_or_default();
        let title = self
            .figures
            .title
            .clone()
            .unwrap_or_else(|| self.figures.slug.clone());
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.border_focused())
            .title(Span::styled(
                truncate(
                    &format!(" {}{version} ", visible(&title)),
                    area.width.saturating_sub(2) as usize,
                )
                .into_owned(),
                theme.title(),
            ));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        // The keys are on the footer, from the key table.
        let body = inner;
        let lines = self.lines(view, body.width as usize);
        let rows = body.height as usize;
        let max = lines.len().saturating_sub(rows);
        self.max_scroll.set(max);
        self.page.set(rows.saturating_sub(1));
        let scroll = self.scroll.min(max) as u16;
        frame.render_widget(Paragraph::new(lines).scroll((scroll, 0)), body);
        focus_line(frame, body, 0);
    }
}
