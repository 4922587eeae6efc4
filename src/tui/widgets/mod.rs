//! The drawing pieces screens and popups share, so that none imports another: a popup
//! frame, a label and its value cut to the room left, text folded to a width, hints from
//! the key table; a call's frame and journal heads (`call`); the search bar (`search_bar`).

mod call;
mod dropoff;
mod search_bar;

pub use call::{call_block, entry_head, short_outcome};
pub use dropoff::{dropoff_bar, dropoff_words};
pub use search_bar::SearchBar;

use super::keys::{Action, Context, hint};
use super::theme::Theme;
use crate::domain::text::{truncate, visible, width, wrap_hanging};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear};

/// Puts the terminal's cursor at the start of row `line` of `area`, on what has the
/// focus (a list line, a step), when that row is drawn: a screen reader or a braille
/// display follows the cursor. Each screen places it in its view; the popup drawn last
/// places it last.
pub fn focus_line(frame: &mut Frame, area: Rect, line: usize) {
    if line < usize::from(area.height) && area.width > 0 {
        frame.set_cursor_position((area.x, area.y + line as u16));
    }
}

/// The rows of a list of `len` that a frame of `height` rows shows with `selected` in
/// view, where ratatui's `List` would put them from a fresh state: the selection on the
/// last row once it is past the first screen. A screen builds the items of these rows
/// only: a list of 10,000 procedures drawn whole allocated each row's line every frame.
pub fn visible_rows(selected: usize, len: usize, height: u16) -> std::ops::Range<usize> {
    let height = usize::from(height).max(1);
    let start = selected
        .min(len.saturating_sub(1))
        .saturating_sub(height - 1);
    start..len.min(start + height)
}

/// Puts the terminal's cursor where the text field drawn in `area` has its own.
pub fn focus_text(frame: &mut Frame, field: &super::input::TextField, area: Rect) {
    if area.width > 0 && area.height > 0 {
        frame.set_cursor_position(field.cursor_in(area));
    }
}

/// A rectangle of at most `w` x `h` centred in `area`.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

/// Clears `area`, frames it as a focused popup titled `title`, and returns the inside.
pub fn popup(frame: &mut Frame, area: Rect, title: &str, theme: &Theme) -> Rect {
    frame.render_widget(Clear, area);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border_focused())
        .title(Span::styled(format!(" {title} "), theme.title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    inner
}

/// "Label      value": the label padded to `label_cols`, the value made inert and cut with
/// "…" to what is left of `cols`, so it never runs into what follows.
pub fn label_value(
    label: &str,
    value: &str,
    label_cols: usize,
    cols: usize,
    theme: &Theme,
) -> Line<'static> {
    let label = truncate(label, label_cols.saturating_sub(1)).into_owned();
    let pad = label_cols.saturating_sub(width(&label));
    let room = cols.saturating_sub(label_cols);
    Line::from(vec![
        Span::styled(format!("{label}{}", " ".repeat(pad)), theme.label()),
        Span::raw(truncate(&visible(value), room).into_owned()),
    ])
}

/// Text made inert and folded to `cols` columns, each line in `style`; the first line
/// after `lead` (already drawn by the caller, of `lead_cols` columns), the others indented
/// by `indent`.
pub fn folded(
    text: &str,
    cols: usize,
    lead_cols: usize,
    indent: usize,
    style: Style,
) -> Vec<Line<'static>> {
    let safe = visible(text);
    wrap_hanging(
        &safe,
        cols.saturating_sub(lead_cols),
        cols.saturating_sub(indent),
    )
    .into_iter()
    .enumerate()
    .map(|(i, l)| {
        let pad = if i == 0 { 0 } else { indent };
        Line::from(Span::styled(format!("{}{l}", " ".repeat(pad)), style))
    })
    .collect()
}

/// "Entrée : fermer · c : clore l'appel": the hints of the actions `ctx` binds, in order;
/// an action the context does not bind is left out, never printed.
pub fn hints(ctx: Context, entries: &[(Action, &str)]) -> String {
    entries
        .iter()
        .filter_map(|(action, what)| hint(ctx, *action, what))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// How many of `total` rows to skip so that row `selected` shows in `rows` rows.
pub fn scroll_to_show(selected: usize, total: usize, rows: usize, current: usize) -> usize {
    if rows == 0 || total <= rows {
        return 0;
    }
    let mut top = current.min(total - rows);
    if selected < top {
        top = selected;
    } else if selected >= top + rows {
        top = selected + 1 - rows;
    }
    top
}

/// A line folded to `cols` columns when it is wider: its text goes on with a two-column
/// indent, in the style of its last part (the value, after a label).
pub fn fold_line(line: Line<'static>, cols: usize) -> Vec<Line<'static>> {
    if line.width() <= cols || cols < 4 {
        return vec![line];
    }
    let style = line.spans.last().map(|s| s.style).unwrap_or_default();
    let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
    let first_style = line.spans.first().map(|s| s.style).unwrap_or_default();
    wrap_hanging(text.trim_end(), cols, cols - 2)
        .into_iter()
        .enumerate()
        .map(|(i, part)| {
            if i == 0 {
                Line::from(Span::styled(part, first_style))
            } else {
                Line::from(Span::styled(format!("  {part}"), style))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::visible_rows;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::widgets::{List, ListState};

    /// The rows are those ratatui's `List` shows from a fresh state, whatever the list's
    /// length, the selection and the frame's height.
    #[test]
    fn the_visible_rows_are_those_ratatui_shows() {
        for height in 1..8u16 {
            let mut terminal = Terminal::new(TestBackend::new(10, height)).unwrap();
            for len in 1..20usize {
                for selected in 0..len {
                    let mut state = ListState::default().with_selected(Some(selected));
                    let items: Vec<String> = (0..len).map(|i| i.to_string()).collect();
                    terminal
                        .draw(|f| f.render_stateful_widget(List::new(items), f.area(), &mut state))
                        .unwrap();
                    let rows = visible_rows(selected, len, height);
                    assert_eq!(rows.start, state.offset(), "{selected}/{len} in {height}");
                    assert_eq!(rows.end, len.min(state.offset() + usize::from(height)));
                }
            }
        }
    }
}
