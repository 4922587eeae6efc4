//! Text fields on top of `ratatui-textarea`, which owns the editing keys (arrows, Home/End,
//! Ctrl-W, undo ...), and the type-ahead picker used for services and devices.

use crate::domain::reference::{Pickable, pick};
use crossterm::event::KeyEvent;
use ratatui::style::Style;
use ratatui_textarea::TextArea;

/// A text field: one line, or several for notes.
#[derive(Debug, Clone)]
pub struct TextField {
    area: TextArea<'static>,
    multiline: bool,
    max_chars: usize,
}

impl TextField {
    pub fn single(value: &str, max_chars: usize) -> TextField {
        TextField::build(vec![value.replace(['\n', '\r'], " ")], false, max_chars)
    }

    pub fn multi(value: &str, max_chars: usize) -> TextField {
        TextField::build(value.lines().map(String::from).collect(), true, max_chars)
    }

    fn build(lines: Vec<String>, multiline: bool, max_chars: usize) -> TextField {
        let mut area = TextArea::new(lines);
        area.move_cursor(ratatui_textarea::CursorMove::Bottom);
        area.move_cursor(ratatui_textarea::CursorMove::End);
        area.set_cursor_line_style(Style::new());
        TextField {
            area,
            multiline,
            max_chars,
        }
    }

    /// A masked field for a secret: no undo history keeps a copy of what was typed.
    pub fn secret(max_chars: usize) -> TextField {
        let mut field = TextField::build(vec![String::new()], false, max_chars);
        field.area.set_max_histories(0);
        field.area.set_mask_char('•');
        field
    }

    /// Shows or hides a secret field's characters.
    pub fn set_masked(&mut self, masked: bool) {
        if masked {
            self.area.set_mask_char('•');
        } else {
            self.area.clear_mask_char();
        }
    }

    /// Overwrites the field's text in memory before it is dropped: a secret once read out
    /// leaves no copy behind in this field.
    pub fn wipe(&mut self) {
        use zeroize::Zeroize;
        let area = std::mem::take(&mut self.area);
        for mut line in area.into_lines() {
            line.zeroize();
        }
    }

    pub fn is_masked(&self) -> bool {
        self.area.mask_char().is_some()
    }

    pub fn value(&self) -> String {
        self.area.lines().join("\n")
    }

    pub fn is_empty(&self) -> bool {
        self.area.is_empty()
    }

    /// Feeds a key to the editor; returns whether the text changed. A single-line field
    /// never takes a line break, and a field never grows past its limit (the form says so
    /// rather than silently cutting a paste).
    pub fn handle(&mut self, key: KeyEvent) -> bool {
        let before = self.value();
        let changed = self.area.input(key);
        if !changed {
            return false;
        }
        let after = self.value();
        let too_long = after.chars().count() > self.max_chars && after.len() > before.len();
        let broke_line = !self.multiline && self.area.lines().len() > 1;
        if too_long || broke_line {
            self.area.undo();
            return false;
        }
        before != after
    }

    pub fn textarea(&self) -> &TextArea<'static> {
        &self.area
    }
}

/// Type-ahead choice in a fixed list: typing narrows the proposals, arrows move, Enter or
/// Tab takes the highlighted one.
#[derive(Debug, Clone, Default)]
pub struct Picker {
    pub query: String,
    pub chosen: Option<usize>,
    pub highlight: usize,
    pub matches: Vec<usize>,
}

impl Picker {
    pub fn new<T: Pickable>(items: &[T], chosen_slug: &str) -> Picker {
        let chosen = items.iter().position(|i| i.slug() == chosen_slug);
        let mut p = Picker {
            // A slug typed earlier that matches nothing stays visible so it can be fixed.
            query: if chosen.is_none() {
                chosen_slug.to_string()
            } else {
                String::new()
            },
            chosen,
            ..Picker::default()
        };
        p.refresh(items);
        p
    }

    fn refresh<T: Pickable>(&mut self, items: &[T]) {
        self.matches = pick(items, &self.query);
        self.highlight = 0;
    }

    pub fn type_char<T: Pickable>(&mut self, items: &[T], c: char) {
        if c.is_control() || self.query.chars().count() >= 40 {
            return;
        }
        self.query.push(c);
        self.chosen = None;
        self.refresh(items);
    }

    pub fn backspace<T: Pickable>(&mut self, items: &[T]) {
        if self.query.pop().is_none() {
            self.chosen = None;
        }
        self.refresh(items);
    }

    pub fn clear<T: Pickable>(&mut self, items: &[T]) {
        self.query.clear();
        self.chosen = None;
        self.refresh(items);
    }

    pub fn move_highlight(&mut self, delta: isize) {
        if self.matches.is_empty() {
            return;
        }
        let n = self.matches.len() as isize;
        self.highlight = (self.highlight as isize + delta).rem_euclid(n) as usize;
    }

    /// Takes the highlighted proposal when the operator typed something to choose by.
    /// Returns whether a choice was made.
    pub fn commit(&mut self) -> bool {
        if self.query.is_empty() {
            return false;
        }
        match self.matches.get(self.highlight) {
            Some(&i) => {
                self.chosen = Some(i);
                self.query.clear();
                true
            }
            None => false,
        }
    }

    /// Takes the highlighted proposal even without a query (Enter on the open list).
    pub fn commit_highlighted(&mut self) -> bool {
        match self.matches.get(self.highlight) {
            Some(&i) => {
                self.chosen = Some(i);
                self.query.clear();
                true
            }
            None => false,
        }
    }

    /// The value to store: the chosen slug, else what was typed (which validation names).
    pub fn value<T: Pickable>(&self, items: &[T]) -> String {
        match self.chosen {
            Some(i) => items[i].slug().to_string(),
            None => self.query.trim().to_string(),
        }
    }
}
