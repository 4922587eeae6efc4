//! The procedures screen: the catalogue, filtered and searched; for a call, the choice of
//! the procedure to walk on it.

use crate::domain::call::{CallRecord, CallRef};
use crate::domain::text::{truncate, visible, width};
use crate::store::ProcedureQuery;
use crate::tui::component::{Component, Effect, Env, Input, Problem, Reply, Update, View};
use crate::tui::keys::{Action, Context, key_for};
use crate::tui::route::Route;
use crate::tui::widgets::{SearchBar, focus_line, visible_rows};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, List, ListItem, ListState, Paragraph};
use std::sync::Arc;

const SEARCH_MAX: usize = 80;

/// One line of the procedures list.
#[derive(Debug, Clone, PartialEq)]
pub struct ProcedureItem {
    /// The index's own (shared): browsing lists every procedure of the catalogue.
    pub slug: Arc<str>,
    pub title: Arc<str>,
    /// Fits the filters' service and device (always true without filters).
    pub fits: bool,
}

pub struct ProceduresScreen {
    pub service: Option<String>,
    pub device: Option<String>,
    pub search: SearchBar,
    pub items: Vec<ProcedureItem>,
    pub selected: usize,
    /// The call a chosen procedure will be walked on.
    pub for_call: Option<CallRef>,
}

impl ProceduresScreen {
    /// The whole catalogue, to read.
    pub fn browse(env: &mut Env) -> Result<ProceduresScreen, Problem> {
        let mut screen = ProceduresScreen {
            service: None,
            device: None,
            search: SearchBar::new("", SEARCH_MAX),
            items: Vec::new(),
            selected: 0,
            for_call: None,
        };
        screen.reload(env)?;
        Ok(screen)
    }

    /// The procedures for a call: filtered to its service and device, searched with its
    /// summary; Entrée walks the chosen one on it.
    pub fn for_call(env: &mut Env, record: &CallRecord) -> Result<ProceduresScreen, Problem> {
        let call = &record.call;
        let mut screen = ProceduresScreen {
            service: Some(call.service.clone()),
            device: Some(call.device.clone()),
            search: SearchBar::new(&call.summary, SEARCH_MAX),
            items: Vec::new(),
            selected: 0,
            for_call: Some(call.reference),
        };
        screen.reload(env)?;
        Ok(screen)
    }

    fn reload(&mut self, env: &mut Env) -> Result<(), Problem> {
        let text = self.search.value();
        if text.trim().is_empty() {
            // Browsing reads titles: alphabetical, accents aside.
            self.items = env
                .desk
                .library
                .index
                .browse(self.service.as_deref(), self.device.as_deref())
                .into_iter()
                .map(|(slug, title)| ProcedureItem {
                    slug,
                    title,
                    fits: true,
                })
                .collect();
        } else {
            let query = ProcedureQuery {
                text: &text,
                service: self.service.as_deref(),
                device: self.device.as_deref(),
                limit: 100,
            };
            let hits = env.desk.library.index.search(&query);
            self.items = hits
                .into_iter()
                .map(|h| ProcedureItem {
                    fits: h.fits_service && h.fits_device,
                    slug: h.slug.into(),
                    title: h.title.into(),
                })
                .collect();
        }
        self.selected = self.selected.min(self.items.len().saturating_sub(1));
        Ok(())
    }

    fn selected_slug(&self) -> Option<String> {
        self.items.get(self.selected).map(|i| i.slug.to_string())
    }
}

/// The next value of a filter that cycles through `all` then back to none.
fn cycle<'a>(current: &Option<String>, all: impl Iterator<Item = &'a str>) -> Option<String> {
    let all: Vec<&str> = all.collect();
    match current {
        None => all.first().map(|s| s.to_string()),
        Some(cur) => all
            .iter()
            .position(|s| s == cur)
            .and_then(|i| all.get(i + 1))
            .map(|s| s.to_string()),
    }
}

impl Component for ProceduresScreen {
    fn context(&self) -> Context {
        if self.search.active {
            Context::ProceduresSearch
        } else if self.for_call.is_some() {
            Context::ProceduresForCall
        } else {
            Context::Procedures
        }
    }

    fn update(&mut self, input: Input, env: &mut Env) -> Update {
        if let Some(changed) = self.search.update(&input) {
            if changed {
                self.selected = 0;
                self.reload(env)?;
            }
            return Ok(Effect::None);
        }
        let Input::Action(action) = input else {
            return Ok(Effect::None);
        };
        let n = self.items.len();
        match action {
            Action::Up => self.selected = self.selected.saturating_sub(1),
            Action::Down => self.selected = (self.selected + 1).min(n.saturating_sub(1)),
            Action::Search => self.search.open(),
            Action::NextService => {
                let services = env.desk.reference.services.iter().map(|s| s.slug.as_str());
                self.service = cycle(&self.service, services);
                self.reload(env)?;
            }
            Action::NextDevice => {
                let devices = env.desk.reference.devices.iter().map(|d| d.slug.as_str());
                self.device = cycle(&self.device, devices);
                self.reload(env)?;
            }
            Action::View => {
                if let Some(slug) = self.selected_slug() {
                    return Ok(Effect::Open(Route::Procedure {
                        slug,
                        for_call: self.for_call,
                    }));
                }
            }
            Action::Run if self.for_call.is_some() => {
                if let Some(slug) = self.selected_slug() {
                    return Ok(Effect::Reply(Reply::Walk(slug)));
                }
            }
            Action::Back => return Ok(Effect::Pop),
            _ => {}
        }
        Ok(Effect::None)
    }

    /// The catalogue came (it is read after the first frame) or changed: the list and
    /// the search typed meanwhile are read again from it.
    fn refresh(&mut self, env: &mut Env) -> Result<(), Problem> {
        self.reload(env)
    }

    /// A procedure chosen while reading it goes down to the call's screen.
    fn resume(&mut self, reply: Reply, _env: &mut Env) -> Update {
        Ok(match reply {
            Reply::Walk(slug) if self.for_call.is_some() => Effect::Reply(Reply::Walk(slug)),
            _ => Effect::None,
        })
    }

    fn view(&self, frame: &mut Frame, area: Rect, view: &View) {
        let theme = view.theme;
        let reference = &view.desk.reference;
        let service = self
            .service
            .as_deref()
            .map_or("tous", |s| reference.service_short(s));
        let device = self
            .device
            .as_deref()
            .map_or("tous", |d| reference.device_short(d));
        let title = match self.for_call {
            Some(call) => format!(" Procédures pour {call} · {service} · {device} "),
            None => format!(" Procédures · service : {service} · poste : {device} "),
        };
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.border())
            .title(Span::styled(title, theme.title()))
            .title(Line::from(format!(" {} ", self.items.len())).right_aligned());
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let (_, list_area) = self.search.draw(frame, inner, theme);
        if self.items.is_empty() {
            let ctx = self.context();
            let keys: Vec<String> = [Action::Search, Action::NextService, Action::NextDevice]
                .iter()
                .filter_map(|a| key_for(ctx, *a))
                .collect();
            let text = if keys.is_empty() {
                "Aucune procédure : changer la recherche.".to_string()
            } else {
                format!(
                    "Aucune procédure : changer la recherche ou les filtres ({}).",
                    keys.join(", ")
                )
            };
            frame.render_widget(
                Paragraph::new(Span::styled(text.clone(), theme.dim())).centered(),
                list_area,
            );
            // Nothing to choose: the cursor on the sentence that says so (a screen reader
            // reads it), unless the keyboard is in the search bar.
            if !self.search.active {
                let start = list_area.width.saturating_sub(width(&text) as u16) / 2;
                focus_line(
                    frame,
                    Rect {
                        x: list_area.x + start,
                        ..list_area
                    },
                    0,
                );
            }
            return;
        }
        let cols = list_area.width.saturating_sub(1) as usize;
        let rows = visible_rows(self.selected, self.items.len(), list_area.height);
        let first = rows.start;
        let items: Vec<ListItem> = self.items[rows]
            .iter()
            .map(|item| {
                // Procedures that do not fit the filters are marked; the slug shows when
                // the title leaves room for it.
                let mark = if item.fits { " " } else { "·" };
                let title = visible(&item.title);
                let slug_room = cols.saturating_sub(width(&title) + 2);
                let mut spans = vec![Span::styled(mark, theme.dim())];
                if slug_room >= item.slug.len() {
                    spans.push(Span::raw(title.into_owned()));
                    spans.push(Span::styled(format!("  {}", item.slug), theme.dim()));
                } else {
                    spans.push(Span::raw(truncate(&title, cols).into_owned()));
                }
                ListItem::new(Line::from(spans))
            })
            .collect();
        let list = List::new(items).highlight_style(theme.selected());
        let line = self.selected.min(self.items.len() - 1) - first;
        let mut list_state = ListState::default().with_selected(Some(line));
        frame.render_stateful_widget(list, list_area, &mut list_state);
        // The cursor on the selected procedure, unless the keyboard is in the search bar.
        if !self.search.active {
            focus_line(frame, list_area, line);
        }
    }
}
