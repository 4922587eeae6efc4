//! Text fields on top of `ratatui-textarea`, driven by the one editing table of `keys`, and
//! the type-ahead picker used for services and devices (its query is such a field too).
//! What reaches a field is a key, or a paste: the terminal's bracketed paste hands the
//! whole text at once, which goes in as one change.

use super::keys::{Edit, Key, edit_for};
use crate::domain::reference::{Pickable, pick};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::style::Style;
use ratatui_textarea::{CursorMove, TextArea};

/// What is typed into a field: one key, or a whole paste.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Typed {
    Key(KeyEvent),
    Paste(String),
}

/// A text field: one line, or several for notes.
#[derive(Debug, Clone)]
pub struct TextField {
    area: TextArea<'static>,
    multiline: bool,
    max_chars: usize,
    secret: bool,
}

impl Default for TextField {
    fn default() -> Self {
        TextField::single("", 200)
    }
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
        area.move_cursor(CursorMove::Bottom);
        area.move_cursor(CursorMove::End);
        area.set_cursor_line_style(Style::new());
        TextField {
            area,
            multiline,
            max_chars,
            secret: false,
        }
    }

    /// The same field, its long text folded onto the rows it is given (a note).
    pub fn wrapped(mut self) -> TextField {
        self.area
            .set_wrap_mode(ratatui_textarea::WrapMode::WordOrGlyph);
        self
    }

    /// A masked field for a secret: no undo history and no cut buffer keep a copy of what
    /// was typed.
    pub fn secret(max_chars: usize) -> TextField {
        let mut field = TextField::build(vec![String::new()], false, max_chars);
        field.area.set_max_histories(0);
        field.area.set_mask_char('•');
        field.secret = true;
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

    /// Overwrites the field's text in memory and empties it: what was typed (a secret, a
    /// password to spell) leaves no copy behind in this field.
    pub fn wipe(&mut self) {
        use zeroize::Zeroize;
        let masked = self.is_masked();
        let area = std::mem::take(&mut self.area);
        for mut line in area.into_lines() {
            line.zeroize();
        }
        let mut fresh = TextArea::new(vec![String::new()]);
        fresh.set_cursor_line_style(Style::new());
        if self.secret {
            fresh.set_max_histories(0);
        }
        if masked {
            fresh.set_mask_char('•');
        }
        self.area = fresh;
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

    pub fn chars(&self) -> usize {
        self.area.lines().iter().map(|l| l.chars().count()).sum()
    }

    pub fn max_chars(&self) -> usize {
        self.max_chars
    }

    /// Whether a printable key was refused because the field is full.
    pub fn is_full(&self) -> bool {
        self.chars() >= self.max_chars
    }

    /// Feeds what was typed to the field; returns whether the text changed.
    pub fn typed(&mut self, typed: &Typed) -> bool {
        match typed {
            Typed::Key(ev) => self.handle(*ev),
            Typed::Paste(text) => self.paste(text),
        }
    }

    /// Whether all of what is typed fits: a printable key in a field that is not full, a
    /// paste whose text fits in what is left.
    pub fn fits(&self, typed: &Typed) -> bool {
        match typed {
            Typed::Key(ev) => !(matches!(ev.code, KeyCode::Char(_)) && self.is_full()),
            Typed::Paste(text) => {
                let mut text = self.pasted(text);
                let fits = self.chars() + text.chars().count() <= self.max_chars;
                use zeroize::Zeroize;
                text.zeroize();
                fits
            }
        }
    }

    /// A paste goes in at the cursor as one change, cut at the field's limit. A one-line
    /// field turns each line break (and tab) into a space, so that nothing pasted is lost
    /// nor spills into the next field, the line break that ends a copied line aside; a
    /// multi-line field keeps its line breaks. Other control characters are dropped, as
    /// they are when typed.
    pub fn paste(&mut self, text: &str) -> bool {
        let room = self.max_chars.saturating_sub(self.chars());
        let mut text = self.pasted(text);
        let end = text.char_indices().nth(room).map_or(text.len(), |(i, _)| i);
        let changed = end > 0 && self.area.insert_str(&text[..end]);
        // A secret pasted leaves no copy behind in this buffer.
        use zeroize::Zeroize;
        text.zeroize();
        changed
    }

    /// The text of a paste as this field takes it, in one buffer that never grows (no
    /// copy of a secret left behind by a reallocation).
    fn pasted(&self, text: &str) -> String {
        let text = if self.multiline {
            text
        } else {
            text.trim_end_matches(['\r', '\n'])
        };
        let mut out = String::with_capacity(text.len());
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\r' | '\n' => {
                    if c == '\r' && chars.peek() == Some(&'\n') {
                        chars.next();
                    }
                    out.push(if self.multiline { '\n' } else { ' ' });
                }
                '\t' => out.push(' '),
                c if c.is_control() => {}
                c => out.push(c),
            }
        }
        out
    }

    /// Feeds a key to the field; returns whether the text changed. Editing keys follow
    /// `keys::EDITING`; printable characters are typed; Enter breaks the line of a
    /// multi-line field; anything else is ignored (never a hidden shortcut of the editor).
    /// A field never grows past its limit.
    pub fn handle(&mut self, ev: KeyEvent) -> bool {
        let Some(key) = Key::from_event(&ev) else {
            return false;
        };
        if let Some(edit) = edit_for(key) {
            return self.edit(edit);
        }
        match key {
            Key::Char(c) if !c.is_control() => {
                if self.is_full() {
                    return false;
                }
                self.area.insert_char(c);
                true
            }
            Key::Enter if self.multiline && !self.is_full() => {
                self.area.insert_newline();
                true
            }
            Key::Up if self.multiline => {
                self.area.move_cursor(CursorMove::Up);
                false
            }
            Key::Down if self.multiline => {
                self.area.move_cursor(CursorMove::Down);
                false
            }
            _ => false,
        }
    }

    fn edit(&mut self, edit: Edit) -> bool {
        let before = self.chars();
        let a = &mut self.area;
        match edit {
            Edit::Left => a.move_cursor(CursorMove::Back),
            Edit::Right => a.move_cursor(CursorMove::Forward),
            Edit::Home => a.move_cursor(CursorMove::Head),
            Edit::End => a.move_cursor(CursorMove::End),
            Edit::DeleteBack => return a.delete_char(),
            Edit::DeleteForward => return a.delete_next_char(),
            // The editor's own word and line deletions keep what they cut in a buffer: a
            // secret field deletes one character at a time instead.
            Edit::DeleteWordBack if self.secret => {
                let line = &a.lines()[a.cursor().0];
                let col = a.cursor().1;
                let head: Vec<char> = line.chars().take(col).collect();
                let spaces = head.iter().rev().take_while(|c| c.is_whitespace()).count();
                let word = head
                    .iter()
                    .rev()
                    .skip(spaces)
                    .take_while(|c| !c.is_whitespace())
                    .count();
                for _ in 0..spaces + word {
                    a.delete_char();
                }
            }
            Edit::DeleteToStart if self.secret => {
                for _ in 0..a.cursor().1 {
                    a.delete_char();
                }
            }
            Edit::DeleteToEnd if self.secret => {
                let ratatui_textarea::DataCursor(row, col) = a.cursor();
                let rest = a.lines()[row].chars().count().saturating_sub(col);
                for _ in 0..rest {
                    a.delete_next_char();
                }
            }
            Edit::DeleteWordBack => return a.delete_word(),
            Edit::DeleteToStart => return a.delete_line_by_head(),
            Edit::DeleteToEnd => return a.delete_line_by_end(),
            Edit::Undo => return a.undo(),
        }
        self.chars() != before
    }

    pub fn textarea(&self) -> &TextArea<'static> {
        &self.area
    }

    /// Where the field's cursor is on the screen, once drawn in `area` (drawing records
    /// how far the text scrolled).
    pub fn cursor_in(&self, area: ratatui::layout::Rect) -> ratatui::layout::Position {
        let at = self.area.screen_cursor();
        let (top, left) = self.area.scroll_offset();
        let row = at.row.saturating_sub(usize::from(top)) as u16;
        let col = at.col.saturating_sub(usize::from(left)) as u16;
        ratatui::layout::Position {
            x: area.x + col.min(area.width.saturating_sub(1)),
            y: area.y + row.min(area.height.saturating_sub(1)),
        }
    }
}

/// A key event for a printable character, for feeding text programmatically.
pub fn char_key(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
}

/// Type-ahead choice in a fixed list: typing narrows the proposals, arrows move, Enter or
/// Tab takes the highlighted one.
#[derive(Debug, Clone, Default)]
pub struct Picker {
    pub query: TextField,
    pub chosen: Option<usize>,
    pub highlight: usize,
    pub matches: Vec<usize>,
}

const PICKER_QUERY_MAX: usize = 40;

impl Picker {
    pub fn new<T: Pickable>(items: &[T], chosen_slug: &str) -> Picker {
        let chosen = items.iter().position(|i| i.slug() == chosen_slug);
        // A slug typed earlier that matches nothing stays visible so it can be fixed.
        let query = if chosen.is_none() { chosen_slug } else { "" };
        let mut p = Picker {
            query: TextField::single(query, PICKER_QUERY_MAX),
            chosen,
            ..Picker::default()
        };
        p.refresh(items);
        p
    }

    pub fn query_text(&self) -> String {
        self.query.value()
    }

    fn refresh<T: Pickable>(&mut self, items: &[T]) {
        self.matches = pick(items, &self.query.value());
        self.highlight = 0;
    }

    /// Feeds what was typed to the query; returns whether it changed (the choice is then
    /// undone until a proposal is taken).
    pub fn typed<T: Pickable>(&mut self, items: &[T], typed: &Typed) -> bool {
        match typed {
            Typed::Key(ev) => self.handle(items, *ev),
            Typed::Paste(text) => {
                if !self.query.paste(text) {
                    return false;
                }
                self.chosen = None;
                self.refresh(items);
                true
            }
        }
    }

    /// Feeds a key to the query; returns whether it changed (the choice is then undone
    /// until a proposal is taken).
    pub fn handle<T: Pickable>(&mut self, items: &[T], ev: KeyEvent) -> bool {
        let was_empty = self.query.is_empty();
        let backspace_on_empty = was_empty
            && matches!(Key::from_event(&ev), Some(k) if edit_for(k) == Some(Edit::DeleteBack));
        if backspace_on_empty && self.chosen.is_some() {
            // Backspace on a made choice undoes it, as erasing its text would.
            self.chosen = None;
            self.refresh(items);
            return true;
        }
        if !self.query.handle(ev) {
            return false;
        }
        self.chosen = None;
        self.refresh(items);
        true
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
        self.commit_highlighted()
    }

    /// Takes the highlighted proposal even without a query (Enter on the open list).
    pub fn commit_highlighted(&mut self) -> bool {
        match self.matches.get(self.highlight) {
            Some(&i) => {
                self.chosen = Some(i);
                self.query = TextField::single("", PICKER_QUERY_MAX);
                true
            }
            None => false,
        }
    }

    /// The value to store: the chosen slug, else what was typed (which validation names).
    pub fn value<T: Pickable>(&self, items: &[T]) -> String {
        match self.chosen {
            Some(i) => items[i].slug().to_string(),
            None => self.query.value().trim().to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctrl(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
    }

    fn typed(field: &mut TextField, text: &str) {
        for c in text.chars() {
            field.handle(char_key(c));
        }
    }

    #[test]
    fn editing_keys_do_what_the_help_says() {
        let mut f = TextField::single("", 100);
        typed(&mut f, "carte agent oubliée");
        f.handle(ctrl('w'));
        assert_eq!(f.value(), "carte agent ");
        f.handle(ctrl('a'));
        typed(&mut f, "la ");
        assert_eq!(f.value(), "la carte agent ");
        f.handle(ctrl('e'));
        typed(&mut f, "perdue");
        assert_eq!(f.value(), "la carte agent perdue");
        f.handle(ctrl('a'));
        f.handle(ctrl('k'));
        assert_eq!(f.value(), "");
        typed(&mut f, "abc");
        f.handle(ctrl('u'));
        assert_eq!(f.value(), "");
        f.handle(ctrl('z'));
        assert_eq!(f.value(), "abc");
        // Ctrl-V or Ctrl-Y are no hidden editor shortcuts.
        assert!(!f.handle(ctrl('y')));
        assert!(!f.handle(ctrl('v')));
        assert_eq!(f.value(), "abc");
    }

    #[test]
    fn a_secret_field_edits_without_keeping_copies() {
        let mut f = TextField::secret(50);
        typed(&mut f, "ab cd");
        f.handle(ctrl('w'));
        assert_eq!(f.value(), "ab ");
        f.handle(ctrl('u'));
        assert_eq!(f.value(), "");
        assert_eq!(f.textarea().yank_text(), "");
        typed(&mut f, "x");
        f.wipe();
        assert!(f.is_empty());
        assert!(f.is_masked());
    }

    #[test]
    fn a_field_stops_at_its_limit() {
        let mut f = TextField::single("", 3);
        typed(&mut f, "abcd");
        assert_eq!(f.value(), "abc");
        assert!(f.is_full());
    }

    #[test]
    fn a_paste_is_one_change_cut_at_the_limit_its_line_breaks_spaces_in_one_line() {
        let mut f = TextField::single("Objet : ", 30);
        assert!(f.fits(&Typed::Paste("carte\r\nperdue\tagent\n".into())));
        assert!(f.paste("carte\r\nperdue\tagent\u{7}\n"));
        assert_eq!(f.value(), "Objet : carte perdue agent");
        assert!(!f.fits(&Typed::Paste("et le reste".into())));
        assert!(f.paste("et le reste"));
        assert_eq!(f.value(), "Objet : carte perdue agentet l");
        assert!(f.is_full());
        assert!(!f.paste("x"), "a full field takes nothing");
        // One undo takes the whole paste back, as it came in one change.
        let mut g = TextField::single("", 100);
        g.paste("deux mots");
        g.handle(KeyEvent::new(KeyCode::Char('z'), KeyModifiers::CONTROL));
        assert_eq!(g.value(), "");
    }

    #[test]
    fn notes_keep_the_line_breaks_of_a_paste() {
        let mut f = TextField::multi("", 100);
        f.paste("ligne 1\r\nligne 2\rligne 3\n");
        assert_eq!(f.value(), "ligne 1\nligne 2\nligne 3\n");
    }
}
