//! A minimal virtual terminal: enough of VT100/xterm to keep the screen a ratatui program
//! draws through crossterm (cursor moves, erases, colours and reverse video, the
//! alternate screen, UTF-8 and wide characters), so that a bench can tell when a key's
//! result is on the screen rather than guess from the bytes.
//!
//! Frames: ratatui ends every `Terminal::draw` by hiding or showing the cursor
//! (`ESC [ ? 25 l` / `h`), after the whole diff is written. [`Screen::feed`] stops right
//! after such a sequence, so that the screen can be looked at exactly as it is at the end of
//! each frame.

use unicode_width::UnicodeWidthChar;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Cell {
    /// `'\0'` for the second column of a wide character.
    ch: char,
    reverse: bool,
}

const BLANK: Cell = Cell {
    ch: ' ',
    reverse: false,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Ground,
    Esc,
    /// ESC ( and the like: one more byte names a character set.
    Charset,
    Csi,
    Osc,
    /// ESC inside an OSC: `ESC \` ends it.
    OscEsc,
}

pub struct Screen {
    cols: usize,
    rows: usize,
    cells: Vec<Cell>,
    x: usize,
    y: usize,
    saved: (usize, usize),
    reverse: bool,
    state: State,
    params: Vec<u8>,
    utf8: Vec<u8>,
    /// Frame ends seen so far.
    pub frames: u64,
}

impl Screen {
    pub fn new(cols: u16, rows: u16) -> Screen {
        let (cols, rows) = (cols as usize, rows as usize);
        Screen {
            cols,
            rows,
            cells: vec![BLANK; cols * rows],
            x: 0,
            y: 0,
            saved: (0, 0),
            reverse: false,
            state: State::Ground,
            params: Vec::new(),
            utf8: Vec::new(),
            frames: 0,
        }
    }

    /// Takes `bytes` until the end of a frame: returns how many were taken and whether a
    /// frame ended there (then the rest is for the next call).
    pub fn feed(&mut self, bytes: &[u8]) -> (usize, bool) {
        for (i, &b) in bytes.iter().enumerate() {
            if self.byte(b) {
                self.frames += 1;
                return (i + 1, true);
            }
        }
        (bytes.len(), false)
    }

    /// One byte; true at the end of a frame.
    fn byte(&mut self, b: u8) -> bool {
        match self.state {
            State::Ground => self.ground(b),
            State::Esc => {
                self.state = State::Ground;
                match b {
                    b'[' => {
                        self.params.clear();
                        self.state = State::Csi;
                    }
                    b']' => self.state = State::Osc,
                    b'(' | b')' | b'*' | b'+' | b'#' => self.state = State::Charset,
                    b'7' => self.saved = (self.x, self.y),
                    b'8' => (self.x, self.y) = self.saved,
                    b'c' => self.clear(),
                    _ => {}
                }
            }
            State::Charset => self.state = State::Ground,
            State::Csi => {
                if (0x40..=0x7e).contains(&b) {
                    self.state = State::Ground;
                    return self.csi(b);
                }
                self.params.push(b);
            }
            State::Osc => match b {
                0x07 => self.state = State::Ground,
                0x1b => self.state = State::OscEsc,
                _ => {}
            },
            State::OscEsc => self.state = State::Ground,
        }
        false
    }

    fn ground(&mut self, b: u8) {
        if !self.utf8.is_empty() || b >= 0x80 {
            self.utf8.push(b);
            match std::str::from_utf8(&self.utf8) {
                Ok(s) => {
                    let c = s.chars().next().unwrap_or(' ');
                    self.utf8.clear();
                    self.print(c);
                }
                Err(e) if e.error_len().is_some() || self.utf8.len() >= 4 => {
                    self.utf8.clear();
                    self.print('\u{fffd}');
                }
                Err(_) => {}
            }
            return;
        }
        match b {
            0x1b => self.state = State::Esc,
            b'\r' => self.x = 0,
            b'\n' => self.line_feed(),
            0x08 => self.x = self.x.saturating_sub(1),
            b'\t' => self.x = ((self.x / 8 + 1) * 8).min(self.cols - 1),
            0x20..=0x7e => self.print(b as char),
            _ => {}
        }
    }

    fn line_feed(&mut self) {
        if self.y + 1 < self.rows {
            self.y += 1;
        } else {
            self.cells.drain(..self.cols);
            self.cells.extend(std::iter::repeat_n(BLANK, self.cols));
        }
    }

    fn print(&mut self, c: char) {
        let w = c.width().unwrap_or(0);
        if w == 0 {
            return;
        }
        if self.x + w > self.cols {
            self.x = 0;
            self.line_feed();
        }
        let at = self.y * self.cols + self.x;
        self.cells[at] = Cell {
            ch: c,
            reverse: self.reverse,
        };
        if w == 2 && self.x + 1 < self.cols {
            self.cells[at + 1] = Cell {
                ch: '\0',
                reverse: self.reverse,
            };
        }
        self.x += w;
        if self.x >= self.cols {
            // Pending wrap: the next character goes to the next line.
            self.x = self.cols;
        }
    }

    fn clear(&mut self) {
        self.cells.fill(BLANK);
    }

    fn erase(&mut self, from: usize, to: usize) {
        let to = to.min(self.cells.len());
        if from < to {
            self.cells[from..to].fill(BLANK);
        }
    }

    fn csi(&mut self, fin: u8) -> bool {
        let raw = std::mem::take(&mut self.params);
        let private = raw.first() == Some(&b'?');
        let text = String::from_utf8_lossy(if private { &raw[1..] } else { &raw }).into_owned();
        let nums: Vec<usize> = text
            .split(';')
            .map(|p| p.parse::<usize>().unwrap_or(0))
            .collect();
        let n = |i: usize| nums.get(i).copied().unwrap_or(0);
        let n1 = |i: usize| n(i).max(1);
        let cur = self.y * self.cols + self.x.min(self.cols - 1);
        match fin {
            b'H' | b'f' => {
                self.y = (n1(0) - 1).min(self.rows - 1);
                self.x = (n1(1) - 1).min(self.cols - 1);
            }
            b'A' => self.y = self.y.saturating_sub(n1(0)),
            b'B' => self.y = (self.y + n1(0)).min(self.rows - 1),
            b'C' => self.x = (self.x + n1(0)).min(self.cols - 1),
            b'D' => self.x = self.x.saturating_sub(n1(0)),
            b'G' => self.x = (n1(0) - 1).min(self.cols - 1),
            b'd' => self.y = (n1(0) - 1).min(self.rows - 1),
            b'J' => match n(0) {
                0 => self.erase(cur, self.cells.len()),
                1 => self.erase(0, cur + 1),
                _ => self.clear(),
            },
            b'K' => {
                let start = self.y * self.cols;
                match n(0) {
                    0 => self.erase(cur, start + self.cols),
                    1 => self.erase(start, cur + 1),
                    _ => self.erase(start, start + self.cols),
                }
            }
            b'm' => self.sgr(&nums),
            b'h' | b'l' if private => {
                for p in &nums {
                    match p {
                        25 => return true,
                        1049 | 1047 | 47 => self.clear(),
                        _ => {}
                    }
                }
            }
            _ => {}
        }
        false
    }

    fn sgr(&mut self, nums: &[usize]) {
        let mut i = 0;
        while i < nums.len() {
            match nums[i] {
                0 => self.reverse = false,
                7 => self.reverse = true,
                27 => self.reverse = false,
                // Extended colours: 38;5;n or 38;2;r;g;b (and 48, 58 for background and
                // underline): their numbers are not attributes.
                38 | 48 | 58 => {
                    i += match nums.get(i + 1) {
                        Some(5) => 2,
                        Some(2) => 4,
                        _ => 0,
                    };
                }
                _ => {}
            }
            i += 1;
        }
    }

    /// The text of row `y` (wide characters once).
    pub fn row(&self, y: usize) -> String {
        self.cells[y * self.cols..(y + 1) * self.cols]
            .iter()
            .filter(|c| c.ch != '\0')
            .map(|c| c.ch)
            .collect()
    }

    /// The whole screen, one line per row (for a failure message).
    pub fn text(&self) -> String {
        (0..self.rows)
            .map(|y| self.row(y).trim_end().to_string())
            .collect::<Vec<_>>()
            .join("\n")
    }

    pub fn contains(&self, needle: &str) -> bool {
        (0..self.rows).any(|y| self.row(y).contains(needle))
    }

    /// Whether a row holds `anchor` (if any) and, after it, `text`, immediately followed by
    /// a cell in reverse video when `cursor` (the text field's cursor): what a text field
    /// shows once `text` has been typed into it.
    pub fn shows_typed(&self, anchor: Option<&str>, text: &str, cursor: bool) -> bool {
        let want: Vec<char> = text.chars().collect();
        (0..self.rows).any(|y| {
            let cells: Vec<Cell> = self.cells[y * self.cols..(y + 1) * self.cols]
                .iter()
                .copied()
                .filter(|c| c.ch != '\0')
                .collect();
            let chars: Vec<char> = cells.iter().map(|c| c.ch).collect();
            if want.len() > chars.len() {
                return false;
            }
            let from = match anchor {
                None => 0,
                Some(a) => {
                    let a: Vec<char> = a.chars().collect();
                    match chars.windows(a.len()).position(|w| w == a.as_slice()) {
                        Some(i) => i + a.len(),
                        None => return false,
                    }
                }
            };
            (from..=chars.len().saturating_sub(want.len())).any(|i| {
                chars[i..i + want.len()] == want[..]
                    && (!cursor || cells.get(i + want.len()).is_some_and(|c| c.reverse))
            })
        })
    }
}
