//! What the command line writes, in its three shapes: text for people (tables, `text`, `md`),
//! JSON, CSV (`crate::csv_export`). Every shape is inert at this edge: text goes through
//! [`visible_lines`], JSON escapes what it must not carry raw, CSV cells are made visible and
//! guarded. Rows are written as they come: a listing of a million calls holds one in memory.

use super::CliError;
use super::args::{Format, LabelsChoice, SheetArg};
use crate::csv_export::{Cell, CsvOptions, Labels};
use crate::domain::text::named;
use crate::domain::text::{is_unsafe, pad, visible, visible_lines, width, wrap};
use serde::Serialize;
use serde::ser::{SerializeSeq, Serializer};
use serde_json::ser::{Formatter, PrettyFormatter};
use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;

/// Text for people, line by line: whatever it holds, no byte of it drives a terminal.
pub fn human(out: &mut dyn Write, text: &str) -> io::Result<()> {
    out.write_all(visible_lines(text).as_bytes())
}

/// What a short command prints: text for people, or data (JSON, CSV) already inert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Printed {
    Text(String),
    Data(String),
}

impl Printed {
    pub fn emit(&self, out: &mut dyn Write) -> io::Result<()> {
        match self {
            Printed::Text(t) => human(out, t),
            Printed::Data(d) => out.write_all(d.as_bytes()),
        }
    }
}

/// Text cells as a whole CSV, through the program's one CSV writer.
pub fn csv(options: CsvOptions, headers: &[&str], rows: &[Vec<String>]) -> Printed {
    Printed::Data(crate::csv_export::to_string(
        options,
        headers,
        rows.iter()
            .map(|r| r.iter().map(|c| Cell::from(c.as_str())).collect()),
    ))
}

/// How a spreadsheet export (`call list`, `report handover`) is written, from its options:
/// the CSV's labels, and where an xlsx goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetOptions {
    pub labels: Labels,
    /// The xlsx's file; `None`: standard output.
    pub output: Option<PathBuf>,
}

/// Checks the options against the format: `--labels` is the CSV's (an xlsx always has the
/// French labels), `--output` the xlsx's (a CSV goes where the shell sends it), and an xlsx
/// is not written on a terminal, where its bytes would only scramble the screen.
pub fn sheet_options(
    arg: &SheetArg,
    fmt: Format,
    stdout_is_terminal: bool,
) -> Result<SheetOptions, CliError> {
    if arg.labels.is_some() && fmt != Format::Csv {
        return Err(CliError::BadInput(format!(
            "--labels ne sert qu'au format csv, pas au format « {} » (un xlsx a toujours \
             les en-têtes en français) : ajouter --format csv ou retirer --labels",
            format!("{fmt:?}").to_lowercase()
        )));
    }
    if let Some(path) = &arg.output
        && fmt != Format::Xlsx
    {
        return Err(CliError::BadInput(format!(
            "--output « {} » ne sert qu'au format xlsx : ajouter --format xlsx, ou rediriger \
             la sortie (> FICHIER)",
            named(&path.to_string_lossy())
        )));
    }
    if fmt == Format::Xlsx && arg.output.is_none() && stdout_is_terminal {
        return Err(CliError::BadInput(
            "un classeur xlsx ne s'affiche pas dans un terminal : ajouter --output \
             FICHIER.xlsx ou rediriger la sortie (> FICHIER.xlsx)"
                .into(),
        ));
    }
    Ok(SheetOptions {
        labels: match arg.labels {
            Some(LabelsChoice::Fr) => Labels::French,
            Some(LabelsChoice::Slug) | None => Labels::Slugs,
        },
        output: arg.output.clone(),
    })
}

/// Whether the program's standard output is a terminal.
pub fn stdout_is_terminal() -> bool {
    io::stdout().is_terminal()
}

/// Writes a finished workbook to its file, or to `out`.
pub fn write_xlsx(
    out: &mut dyn Write,
    options: &SheetOptions,
    bytes: &[u8],
) -> Result<(), CliError> {
    match &options.output {
        None => Ok(out.write_all(bytes)?),
        Some(path) => std::fs::write(path, bytes).map_err(|e| {
            CliError::Failed(format!(
                "impossible d'écrire « {} » : {e}",
                named(&path.to_string_lossy())
            ))
        }),
    }
}

/// Pretty JSON, inert.
pub fn json_data<T: Serialize + ?Sized>(value: &T) -> Printed {
    Printed::Data(json_string(value))
}

/// serde_json's pretty output, with one more rule: besides the controls serde_json escapes
/// itself (ESC is written `\u001b`), DEL, the C1 controls, the bidirectional controls, the
/// line and paragraph separators and the invisible characters of [`is_unsafe`] are written as
/// `\uXXXX` escapes. The JSON carries the exact value; its bytes carry nothing a terminal
/// or a viewer would obey.
pub struct InertFormatter {
    pretty: PrettyFormatter<'static>,
}

impl InertFormatter {
    pub fn new() -> InertFormatter {
        InertFormatter {
            pretty: PrettyFormatter::new(),
        }
    }
}

impl Default for InertFormatter {
    fn default() -> Self {
        InertFormatter::new()
    }
}

impl Formatter for InertFormatter {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if is_unsafe(c) {
                writer.write_all(&fragment.as_bytes()[start..i])?;
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    write!(writer, "\\u{unit:04x}")?;
                }
                start = i + c.len_utf8();
            }
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }

    fn begin_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.pretty.begin_array(writer)
    }
    fn end_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.pretty.end_array(writer)
    }
    fn begin_array_value<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.pretty.begin_array_value(writer, first)
    }
    fn end_array_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.pretty.end_array_value(writer)
    }
    fn begin_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.pretty.begin_object(writer)
    }
    fn end_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.pretty.end_object(writer)
    }
    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.pretty.begin_object_key(writer, first)
    }
    fn end_object_key<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.pretty.end_object_key(writer)
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.pretty.begin_object_value(writer)
    }
    fn end_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.pretty.end_object_value(writer)
    }
}

fn json_error(e: serde_json::Error) -> io::Error {
    match e.io_error_kind() {
        Some(kind) => io::Error::new(kind, e),
        None => io::Error::other(e),
    }
}

/// One value as pretty JSON, then a line break.
pub fn json<T: Serialize + ?Sized>(out: &mut dyn Write, value: &T) -> io::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(&mut *out, InertFormatter::new());
    value.serialize(&mut ser).map_err(json_error)?;
    out.write_all(b"\n")
}

/// One value as pretty JSON, in a string (for the tests and the small answers).
pub fn json_string<T: Serialize + ?Sized>(value: &T) -> String {
    let mut bytes = Vec::new();
    // Our types are plain data: serializing them into memory cannot fail.
    let _ = json(&mut bytes, value);
    String::from_utf8(bytes).unwrap_or_default()
}

/// A JSON array written element by element, in the same layout as [`json`] of a `Vec`.
pub fn json_array<T: Serialize, E: From<io::Error>>(
    out: &mut dyn Write,
    fill: impl FnOnce(&mut dyn FnMut(&T) -> Result<(), E>) -> Result<(), E>,
) -> Result<(), E> {
    let mut ser = serde_json::Serializer::with_formatter(&mut *out, InertFormatter::new());
    let mut seq = ser
        .serialize_seq(None)
        .map_err(|e| E::from(json_error(e)))?;
    fill(&mut |item: &T| {
        seq.serialize_element(item)
            .map_err(|e| E::from(json_error(e)))
    })?;
    seq.end().map_err(|e| E::from(json_error(e)))?;
    out.write_all(b"\n").map_err(E::from)
}

/// How many rows a streamed table reads before it fixes its column widths.
pub const TABLE_WINDOW: usize = 1000;

/// Columns aligned on display width, so "Çelik" and "Celik" line up. Cell text is made
/// visible first: a caller's name cannot send escape sequences to the terminal.
///
/// The widths come from the header and the first [`TABLE_WINDOW`] rows, which are held until
/// then; later rows are written at once, a cell wider than its column cut with "…" (the last
/// column is never cut). A listing of a million calls holds a thousand rows, not a million.
pub struct TableWriter<'w> {
    out: &'w mut dyn Write,
    headers: Vec<String>,
    held: Vec<Vec<String>>,
    widths: Option<Vec<usize>>,
    rows: usize,
}

impl<'w> TableWriter<'w> {
    pub fn new(out: &'w mut dyn Write, headers: &[&str]) -> TableWriter<'w> {
        TableWriter {
            out,
            headers: headers.iter().map(|h| h.to_string()).collect(),
            held: Vec::new(),
            widths: None,
            rows: 0,
        }
    }

    pub fn row(&mut self, cells: Vec<String>) -> io::Result<()> {
        let cells: Vec<String> = cells
            .into_iter()
            .map(|c| match visible(&c) {
                std::borrow::Cow::Borrowed(_) => c,
                std::borrow::Cow::Owned(v) => v,
            })
            .collect();
        self.rows += 1;
        match &self.widths {
            Some(widths) => {
                let line = layout(widths, &cells, true);
                self.out.write_all(line.as_bytes())
            }
            None => {
                self.held.push(cells);
                if self.held.len() >= TABLE_WINDOW {
                    self.release()?;
                }
                Ok(())
            }
        }
    }

    fn release(&mut self) -> io::Result<()> {
        let mut widths: Vec<usize> = self.headers.iter().map(|h| width(h)).collect();
        for row in &self.held {
            for (w, c) in widths.iter_mut().zip(row) {
                *w = (*w).max(width(c));
            }
        }
        let mut text = layout(&widths, &self.headers, false);
        for row in self.held.drain(..) {
            text.push_str(&layout(&widths, &row, false));
        }
        self.widths = Some(widths);
        self.out.write_all(text.as_bytes())
    }

    /// Writes what is held; `empty` instead of a bare header when there was no row.
    pub fn finish(mut self, empty: Option<&str>) -> io::Result<()> {
        match empty {
            Some(message) if self.rows == 0 => human(self.out, message),
            _ if self.widths.is_none() => self.release(),
            _ => Ok(()),
        }
    }
}

/// One line of a table; `cut` pads (and cuts) every column but the last to its width.
fn layout<S: AsRef<str>>(widths: &[usize], cells: &[S], cut: bool) -> String {
    let mut l = String::new();
    for (i, c) in cells.iter().enumerate() {
        let c = c.as_ref();
        if i > 0 {
            l.push_str("  ");
        }
        let last = i + 1 >= widths.len();
        if last {
            l.push_str(c);
        } else if cut {
            l.push_str(&pad(c, widths[i]));
        } else {
            l.push_str(c);
            l.extend(std::iter::repeat_n(' ', widths[i].saturating_sub(width(c))));
        }
    }
    let mut line = l.trim_end().to_string();
    line.push('\n');
    line
}

/// A whole table in a string (short lists).
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut bytes = Vec::new();
    let mut t = TableWriter::new(&mut bytes, headers);
    for r in rows {
        // Writing into memory cannot fail.
        let _ = t.row(r.clone());
    }
    let _ = t.finish(None);
    String::from_utf8(bytes).unwrap_or_default()
}

/// A whole table in a string whose lines stay within `cols` columns: the last column (a
/// journal line, a long text) is folded by the program's one rule ([`wrap`]), its next
/// lines under its first. The other columns are short and kept whole.
pub fn table_folded(headers: &[&str], rows: &[Vec<String>], cols: usize) -> String {
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.iter().map(|c| visible(c).into_owned()).collect())
        .collect();
    let n = headers.len();
    let mut widths: Vec<usize> = headers.iter().map(|h| width(h)).collect();
    for row in &rows {
        for (w, c) in widths.iter_mut().zip(row).take(n.saturating_sub(1)) {
            *w = (*w).max(width(c));
        }
    }
    let lead: usize = widths[..n.saturating_sub(1)].iter().map(|w| w + 2).sum();
    // Never narrower than a few words, however wide the first columns.
    let room = cols.saturating_sub(lead).max(20);
    let mut text = layout(&widths, headers, false);
    for row in &rows {
        let (first, last) = row.split_at(n.saturating_sub(1).min(row.len()));
        let folded = last.first().map_or_else(Vec::new, |l| wrap(l, room));
        let mut cells: Vec<&str> = first.iter().map(String::as_str).collect();
        cells.push(folded.first().map_or("", String::as_str));
        text.push_str(&layout(&widths, &cells, false));
        for more in folded.iter().skip(1) {
            text.push_str(&" ".repeat(lead));
            text.push_str(more);
            text.push('\n');
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folded_table_wraps_its_last_column_under_itself() {
        let t = table_folded(
            &["Heure", "Détail"],
            &[vec![
                "09:00".into(),
                "un deux trois quatre cinq six sept huit neuf dix onze".into(),
            ]],
            30,
        );
        assert_eq!(
            t,
            "Heure  Détail\n09:00  un deux trois quatre\n       cinq six sept huit neuf\n       dix onze\n"
        );
    }

    #[test]
    fn tables_align_accented_text() {
        let t = table(
            &["Nom", "Service"],
            &[
                vec!["Zoé Çelik".into(), "mi".into()],
                vec!["Bob".into(), "acn-caen".into()],
            ],
        );
        assert_eq!(
            t,
            "Nom        Service\nZoé Çelik  mi\nBob        acn-caen\n"
        );
    }

    #[test]
    fn tables_neutralize_escape_sequences() {
        let t = table(&["Nom"], &[vec!["\u{1b}]0;pwned\u{7}".into()]]);
        assert!(!t.contains('\u{1b}'));
    }

    #[test]
    fn a_long_table_keeps_the_widths_of_its_first_rows() {
        let mut bytes = Vec::new();
        let mut t = TableWriter::new(&mut bytes, &["Nom", "Objet"]);
        for i in 0..TABLE_WINDOW + 2 {
            let name = if i == TABLE_WINDOW {
                "Bartholomé-Anatole"
            } else {
                "Zoé"
            };
            t.row(vec![name.into(), format!("objet {i}")]).unwrap();
        }
        t.finish(None).unwrap();
        let text = String::from_utf8(bytes).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), TABLE_WINDOW + 3);
        assert_eq!(lines[1], "Zoé  objet 0");
        assert_eq!(lines[TABLE_WINDOW + 1], "Ba…  objet 1000");
        assert_eq!(lines[TABLE_WINDOW + 2], "Zoé  objet 1001");
    }

    #[test]
    fn an_empty_table_says_so() {
        let mut bytes = Vec::new();
        let t = TableWriter::new(&mut bytes, &["Nom"]);
        t.finish(Some("Aucun appel ne correspond.\n")).unwrap();
        assert_eq!(bytes, b"Aucun appel ne correspond.\n");
    }

    #[test]
    fn json_escapes_what_a_terminal_would_obey_and_keeps_the_value() {
        let value = "a\u{1b}]0;x\u{7}\u{7f}\u{9b}\u{202e}\u{2066}\u{2028}\u{e0041}é";
        let text = json_string(&vec![value]);
        assert_eq!(
            text,
            "[\n  \"a\\u001b]0;x\\u0007\\u007f\\u009b\\u202e\\u2066\\u2028\\udb40\\udc41é\"\n]\n"
        );
        let back: Vec<String> = serde_json::from_str(&text).unwrap();
        assert_eq!(back, [value]);
    }

    #[test]
    fn a_streamed_array_is_laid_out_like_a_vec() {
        let items = [
            serde_json::json!({"a": 1}),
            serde_json::json!({"b": [2, 3]}),
        ];
        for n in [0, 1, 2] {
            let mut bytes = Vec::new();
            json_array::<_, io::Error>(&mut bytes, |push| {
                for item in &items[..n] {
                    push(item)?;
                }
                Ok(())
            })
            .unwrap();
            let mut expected = serde_json::to_string_pretty(&items[..n].to_vec()).unwrap();
            expected.push('\n');
            assert_eq!(String::from_utf8(bytes).unwrap(), expected);
        }
    }
}
