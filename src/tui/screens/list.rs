//! The call list: newest first, filters, incremental search (name, phone or reference),
//! age of open calls.

use crate::domain::call::{Call, CallStatus};
use crate::domain::text::{visible, width};
use crate::domain::time::{age, paris};
use crate::store::{CallFilter, call_matches, narrows};
use crate::tui::component::{Component, Doing, Effect, Env, Input, Problem, Update, View};
use crate::tui::keys::{Action, Context};
use crate::tui::route::Route;
use crate::tui::widgets::{SearchBar, focus_line, short_outcome};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, TableState};

/// How many calls the list reads at a time: a screen and more; the next page is read as
/// the operator scrolls towards the end.
const PAGE: u32 = 100;
const SEARCH_MAX: usize = 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Open,
    Mine,
    All,
}

impl Scope {
    pub fn label(self) -> &'static str {
        match self {
            Scope::Open => "ouverts",
            Scope::Mine => "les miens",
            Scope::All => "tous",
        }
    }
}

pub struct ListScreen {
    pub scope: Scope,
    pub service: Option<String>,
    pub search: SearchBar,
    pub calls: Vec<Call>,
    pub selected: usize,
    pub open_count: i64,
    /// The last page read was full: there may be more below.
    more: bool,
}

impl ListScreen {
    pub fn new(env: &mut Env) -> (ListScreen, Option<Problem>) {
        let mut list = ListScreen {
            scope: Scope::Open,
            service: None,
            search: SearchBar::new("", SEARCH_MAX),
            calls: Vec::new(),
            selected: 0,
            open_count: 0,
            more: false,
        };
        let problem = list.reload(env).err();
        (list, problem)
    }

    fn filter(&self, env: &Env, offset: u32) -> CallFilter {
        let search = self.search.value();
        CallFilter {
            open_only: self.scope == Scope::Open,
            operator: (self.scope == Scope::Mine).then(|| env.desk.operator.clone()),
            service: self.service.clone(),
            caller: (!search.trim().is_empty()).then_some(search),
            limit: Some(PAGE),
            offset,
            ..CallFilter::default()
        }
    }

    /// Reads the first page again (the search or a filter changed), keeping the selected
    /// call selected when it is still there. At the top, the list stays at its top: the
    /// operator watches the newest calls there, and following the selected one down would
    /// scroll each new call out of sight once more came than the screen has rows.
    fn reload_rows(&mut self, env: &mut Env) -> Result<(), Problem> {
        let keep = (self.selected > 0)
            .then(|| self.calls.get(self.selected).map(|c| c.reference))
            .flatten();
        let filter = self.filter(env, 0);
        self.calls = env
            .store
            .read(move |s| s.list_calls(&filter))
            .doing("liste illisible")?;
        self.more = self.calls.len() == PAGE as usize;
        self.selected = keep
            .and_then(|r| self.calls.iter().position(|c| c.reference == r))
            .unwrap_or(0)
            .min(self.calls.len().saturating_sub(1));
        Ok(())
    }

    /// The search text went from `before` to what it is now. Typing on narrows what the
    /// list holds when it holds every match of `before` (fewer than a page): the calls
    /// are filtered here, by the store's own rule, instead of asked for again.
    fn search_changed(&mut self, before: &str, env: &mut Env) -> Result<(), Problem> {
        let now = self.search.value();
        if !self.more && narrows(before, &now) {
            let kept: Option<Vec<Call>> = self
                .calls
                .iter()
                .map(|c| call_matches(c, &now).map(|m| m.then(|| c.clone())))
                .collect::<Option<Vec<Option<Call>>>>()
                .map(|v| v.into_iter().flatten().collect());
            if let Some(kept) = kept {
                self.calls = kept;
                self.selected = 0;
                return Ok(());
            }
        }
        self.reload_rows(env)
    }

    /// Everything again, the count of open calls too: the data changed.
    fn reload(&mut self, env: &mut Env) -> Result<(), Problem> {
        self.reload_rows(env)?;
        self.open_count = env
            .store
            .read(|s| s.count_open())
            .doing("liste illisible")?;
        Ok(())
    }

    /// Near the end of what is read: the next page.
    fn read_ahead(&mut self, env: &mut Env) -> Result<(), Problem> {
        if self.more && self.selected + 20 >= self.calls.len() {
            let offset = self.calls.len() as u32;
            let filter = self.filter(env, offset);
            let next = env
                .store
                .read(move |s| s.list_calls(&filter))
                .doing("liste illisible")?;
            self.more = next.len() == PAGE as usize;
            self.calls.extend(next);
        }
        Ok(())
    }
}

impl Component for ListScreen {
    fn context(&self) -> Context {
        if self.search.active {
            Context::ListSearch
        } else {
            Context::List
        }
    }

    fn update(&mut self, input: Input, env: &mut Env) -> Update {
        let n = self.calls.len();
        let last = n.saturating_sub(1);
        let before = self.search.value();
        if let Some(changed) = self.search.update(&input) {
            if changed {
                self.selected = 0;
                self.search_changed(&before, env)?;
            }
            return Ok(Effect::None);
        }
        let Input::Action(action) = input else {
            return Ok(Effect::None);
        };
        let sel = &mut self.selected;
        match action {
            Action::Up => *sel = sel.saturating_sub(1),
            Action::Down => *sel = (*sel + 1).min(last),
            Action::PageUp => *sel = sel.saturating_sub(10),
            Action::PageDown => *sel = (*sel + 10).min(last),
            Action::First => *sel = 0,
            // The end of what is read, and the next page behind it: a million calls are
            // never read at once.
            Action::Last => *sel = last,
            Action::Open => {
                if let Some(r) = self.calls.get(self.selected).map(|c| c.reference) {
                    return Ok(Effect::Open(Route::Call(r)));
                }
            }
            Action::Search => self.search.open(),
            Action::NextScope | Action::ScopeOpen | Action::ScopeMine | Action::ScopeAll => {
                self.scope = match (action, self.scope) {
                    (Action::ScopeOpen, _) | (Action::NextScope, Scope::All) => Scope::Open,
                    (Action::ScopeMine, _) | (Action::NextScope, Scope::Open) => Scope::Mine,
                    _ => Scope::All,
                };
                self.reload(env)?;
            }
            Action::NextService => {
                let services = &env.desk.reference.services;
                let next = match &self.service {
                    None => services.first(),
                    Some(cur) => services
                        .iter()
                        .position(|s| &s.slug == cur)
                        .and_then(|i| services.get(i + 1)),
                };
                self.service = next.map(|s| s.slug.clone());
                self.reload(env)?;
            }
            Action::Back => {
                self.service = None;
                self.search.clear();
                self.reload(env)?;
            }
            _ => {}
        }
        self.read_ahead(env)?;
        Ok(Effect::None)
    }

    fn refresh(&mut self, env: &mut Env) -> Result<(), Problem> {
        self.reload(env)
    }

    fn view(&self, frame: &mut Frame, area: Rect, view: &View) {
        let theme = view.theme;
        let reference = &view.desk.reference;
        let service = self
            .service
            .as_deref()
            .map_or("tous", |s| reference.service_short(s));
        let title = format!(" Appels · {} · service : {} ", self.scope.label(), service);
        let count = format!(
            " {} affiché{} · {} ouvert{} ",
            self.calls.len(),
            plural(self.calls.len()),
            self.open_count,
            plural(self.open_count as usize)
        );
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.border())
            .title(Span::styled(title, theme.title()))
            .title(Line::from(count).right_aligned());
        let inner = block.inner(area);
        frame.render_widget(block, area);

        let (show_search, table_area) = self.search.draw(frame, inner, theme);

        if self.calls.is_empty() {
            let text = match (self.scope, show_search) {
                (_, true) => "Aucun appel ne correspond à la recherche.",
                (Scope::Open, false) => "Aucun appel ouvert. F2 ou n pour saisir un nouvel appel.",
                (Scope::Mine, false) => "Vous n'avez pris aucun appel. F2 ou n pour en saisir un.",
                (Scope::All, false) => "Aucun appel enregistré. F2 ou n pour saisir le premier.",
            };
            let [_, mid, _] = Layout::vertical([
                Constraint::Fill(1),
                Constraint::Length(1),
                Constraint::Fill(1),
            ])
            .areas(table_area);
            frame.render_widget(
                Paragraph::new(Span::styled(text, theme.dim())).centered(),
                mid,
            );
            // Nothing to choose: the cursor on the sentence that says so.
            if !self.search.active {
                let start = (mid.width.saturating_sub(width(text) as u16)) / 2;
                focus_line(
                    frame,
                    Rect {
                        x: mid.x + start,
                        ..mid
                    },
                    0,
                );
            }
            return;
        }

        let header = Row::new([
            "Réf.", "Heure", "État", "Appelant", "Service", "Poste", "Objet",
        ])
        .style(theme.title());
        // The reference takes what its longest needs (A-0042, A-1000000); the other
        // columns are fixed, and the summary takes the rest, cut with "…".
        let ref_cols = self
            .calls
            .iter()
            .map(|c| c.reference.to_string().len())
            .max()
            .unwrap_or(6)
            .max(4) as u16;
        let summary_cols = (table_area.width as usize)
            .saturating_sub(usize::from(ref_cols) + 5 + 10 + 17 + 11 + 8 + 6);
        let rows = self.calls.iter().map(|c| row(c, view, summary_cols));
        let table = Table::new(
            rows,
            [
                Constraint::Length(ref_cols),
                Constraint::Length(5),
                Constraint::Length(10),
                Constraint::Length(17),
                Constraint::Length(11),
                Constraint::Length(8),
                Constraint::Fill(1),
            ],
        )
        .header(header)
        .column_spacing(1)
        .row_highlight_style(theme.selected());
        let mut state = TableState::default().with_selected(Some(self.selected));
        frame.render_stateful_widget(table, table_area, &mut state);
        // The cursor on the selected line (under the header), unless the keyboard is in
        // the search bar.
        if !self.search.active {
            let line = 1 + self.selected.saturating_sub(state.offset());
            focus_line(frame, table_area, line);
        }
    }
}

/// A cell's text cut with "…" to its column, so a long name never looks complete.
fn cell(text: &str, cols: usize) -> Cell<'static> {
    Cell::from(crate::domain::text::truncate(&visible(text), cols).into_owned())
}

fn row(c: &Call, view: &View, summary_cols: usize) -> Row<'static> {
    let theme = view.theme;
    let state = match (c.status, c.outcome) {
        (CallStatus::Open, _) => Cell::from(age(view.now - c.opened_at)).style(theme.open_call()),
        (CallStatus::Closed, Some(o)) => Cell::from(short_outcome(o)).style(theme.dim()),
        (CallStatus::Closed, None) => Cell::from("clos").style(theme.dim()),
    };
    let reference = &view.desk.reference;
    Row::new(vec![
        Cell::from(c.reference.to_string()),
        Cell::from(when(c, view)),
        state,
        cell(&c.caller_name, 17),
        cell(reference.service_short(&c.service), 11),
        cell(reference.device_short(&c.device), 8),
        cell(&c.summary, summary_cols),
    ])
}

/// The time for today's calls, the date for older ones: five columns either way.
fn when(c: &Call, view: &View) -> String {
    if paris(c.opened_at, "%Y%m%d") == paris(view.now, "%Y%m%d") {
        paris(c.opened_at, "%H:%M")
    } else {
        paris(c.opened_at, "%d/%m")
    }
}

fn plural(n: usize) -> &'static str {
    if n > 1 { "s" } else { "" }
}
