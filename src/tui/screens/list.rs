//! The call list: newest first, filters, incremental search, age of open calls.

use crate::domain::call::{Call, CallStatus};
use crate::domain::text::visible;
use crate::domain::time::{age, paris};
use crate::tui::app::{App, Scope};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, TableState};

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let list = &app.list;
    let service = list
        .service
        .as_deref()
        .map_or("tous", |s| app.reference.service_short(s));
    let title = format!(" Appels · {} · service : {} ", list.scope.label(), service);
    let count = format!(
        " {} affiché{} · {} ouvert{} ",
        list.calls.len(),
        plural(list.calls.len()),
        list.open_count,
        plural(list.open_count as usize)
    );
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(app.theme.border())
        .title(Span::styled(title, app.theme.title()))
        .title(Line::from(count).right_aligned());
    let inner = block.inner(area);
    frame.render_widget(block, area);

    let (show_search, table_area) =
        super::search_bar::draw(frame, inner, app, &list.search, list.searching);

    if list.calls.is_empty() {
        let text = match (list.scope, show_search) {
            (_, true) => "Aucun appelant ne correspond à la recherche.",
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
            Paragraph::new(Span::styled(text, app.theme.dim())).centered(),
            mid,
        );
        return;
    }

    let header = Row::new([
        "Réf.", "Heure", "État", "Appelant", "Service", "Poste", "Objet",
    ])
    .style(app.theme.title());
    let rows = list.calls.iter().map(|c| row(c, app));
    let table = Table::new(
        rows,
        [
            Constraint::Length(6),
            Constraint::Length(5),
            Constraint::Length(9),
            Constraint::Length(17),
            Constraint::Length(11),
            Constraint::Length(8),
            Constraint::Fill(1),
        ],
    )
    .header(header)
    .column_spacing(1)
    .row_highlight_style(app.theme.selected());
    let mut state = TableState::default().with_selected(Some(list.selected));
    frame.render_stateful_widget(table, table_area, &mut state);
}

fn row<'a>(c: &'a Call, app: &'a App) -> Row<'a> {
    let state = match (c.status, c.outcome) {
        (CallStatus::Open, _) => {
            Cell::from(age(app.now - c.opened_at)).style(app.theme.open_call())
        }
        (CallStatus::Closed, Some(o)) => Cell::from(short_outcome(o)).style(app.theme.dim()),
        (CallStatus::Closed, None) => Cell::from("clos").style(app.theme.dim()),
    };
    Row::new(vec![
        Cell::from(c.reference.to_string()),
        Cell::from(when(c, app)),
        state,
        Cell::from(visible(&c.caller_name).into_owned()),
        Cell::from(app.reference.service_short(&c.service).to_string()),
        Cell::from(app.reference.device_short(&c.device).to_string()),
        Cell::from(visible(&c.summary).into_owned()),
    ])
}

/// The time for today's calls, the date for older ones: five columns either way.
fn when(c: &Call, app: &App) -> String {
    if paris(c.opened_at, "%Y%m%d") == paris(app.now, "%Y%m%d") {
        paris(c.opened_at, "%H:%M")
    } else {
        paris(c.opened_at, "%d/%m")
    }
}

fn short_outcome(o: crate::domain::call::Outcome) -> &'static str {
    use crate::domain::call::Outcome::*;
    match o {
        Resolved => "résolu",
        Escalated => "escaladé",
        Callback => "à rappeler",
        Transferred => "transféré",
        Abandoned => "abandonné",
    }
}

fn plural(n: usize) -> &'static str {
    if n > 1 { "s" } else { "" }
}
