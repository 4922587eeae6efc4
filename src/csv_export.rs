//! The one CSV writer of the program: every CSV it writes (`call list`, `call show`,
//! `call add`, `report handover`, `procedures`, `tools`) goes through [`CsvWriter`], so
//! that quoting, line ends, the separator, the byte order mark and the neutralising of
//! formulas are the same everywhere.
//!
//! - RFC 4180 quoting by the `csv` crate (a field with the separator, a quote or a line
//!   break is quoted, quotes doubled), CR LF line ends.
//! - `--separator` `,` (default), `;` (a spreadsheet set to French) or tab; `--bom` writes a
//!   UTF-8 byte order mark first, which Excel needs to read accents right.
//! - Every text cell is made visible ([`visible_lines`]: control characters, escape
//!   sequences and bidirectional overrides become visible stand-ins; line breaks stay, the
//!   cell is then quoted).
//! - A text cell that a spreadsheet would run as a formula (one that begins with `=`, `+`,
//!   `-`, `@`, a tab or a carriage return, after any spaces, or their full-width forms) is
//!   prefixed with an apostrophe (OWASP's advice on CSV injection). The apostrophe stays
//!   visible in the cell: it says the cell was neutralised.
//! - Numbers and durations the program formats itself are written as they are
//!   ([`Cell::Number`], [`Cell::Integer`], [`Cell::Duration`], [`Cell::Minutes`]), never
//!   guarded: `-41` stays a number.
//! - Dates and times ([`Cell::DateTime`], Paris wall time) in ISO 8601, `2026-12-06
//!   14:05:00`, and durations as `[h]:mm:ss`, `0:09:05`: the forms LibreOffice Calc and
//!   Excel read as a date and a duration in any locale.
//! - Phone numbers are written in the French grouping (`06 12 34 56 78`, [`phone_text`]):
//!   a number with spaces between pairs of digits is read as text, its leading 0 kept.
//! - The columns of a table ([`Column`]) carry their slug (the documented header) and their
//!   French label (`--labels fr`, and the headers of the xlsx, `crate::xlsx_export`, which
//!   writes the same [`Cell`]s typed).

use crate::domain::text::{digits, visible_lines};
use chrono::{DateTime, NaiveDateTime, Utc};
use std::borrow::Cow;
use std::io::{self, Write};
use thiserror::Error;

/// How a CSV is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CsvOptions {
    /// `,`, `;` or a tab.
    pub separator: char,
    /// A UTF-8 byte order mark first, so that Excel reads the accents right.
    pub bom: bool,
}

impl Default for CsvOptions {
    fn default() -> Self {
        CsvOptions {
            separator: ',',
            bom: false,
        }
    }
}

#[derive(Debug, Error, PartialEq, Eq)]
#[error("séparateur « {0} » non pris en charge : « , », « ; » ou tab")]
pub struct BadSeparator(pub String);

impl CsvOptions {
    /// Options from the command line's `--separator` (`,`, `;`, `tab` or a tab) and `--bom`.
    pub fn parse(separator: &str, bom: bool) -> Result<CsvOptions, BadSeparator> {
        let separator = match separator {
            "," => ',',
            ";" => ';',
            "\t" | "tab" => '\t',
            other => return Err(BadSeparator(other.to_string())),
        };
        Ok(CsvOptions { separator, bom })
    }

    /// The decimal mark of a number with a fraction: a comma when `;` separates the cells
    /// (the French spreadsheet's convention, where the comma is the decimal mark), else a
    /// point.
    pub fn decimal_mark(&self) -> char {
        if self.separator == ';' { ',' } else { '.' }
    }
}

/// Which header a table's columns carry: the documented slugs (`caller_name`, for a
/// program) or French labels (« Appelant », for a person: `--labels fr`, and every xlsx).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Labels {
    #[default]
    Slugs,
    French,
}

/// One column of an exported table: its documented slug, its French label and its width
/// in an xlsx (in characters). The CSV and the xlsx read the same definitions.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Column {
    pub slug: &'static str,
    pub label: &'static str,
    pub width: f64,
}

impl Column {
    pub const fn new(slug: &'static str, label: &'static str, width: f64) -> Column {
        Column { slug, label, width }
    }
}

/// The header of `columns` in the chosen labels.
pub fn headers(columns: &[Column], labels: Labels) -> Vec<&'static str> {
    columns
        .iter()
        .map(|c| match labels {
            Labels::Slugs => c.slug,
            Labels::French => c.label,
        })
        .collect()
}

/// Where rows go: the CSV writer or the xlsx writer, so that a table's rows are built once.
pub trait Sheet {
    /// One row; it must have as many cells as the header.
    fn row<'c>(&mut self, cells: impl IntoIterator<Item = Cell<'c>>) -> io::Result<()>;
}

/// One cell of a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell<'a> {
    /// Text from a caller, the database or a file: made visible and guarded.
    Text(Cow<'a, str>),
    /// A number or a form for a program (an RFC 3339 instant) formatted by the program:
    /// written as it is.
    Number(String),
    /// A whole number.
    Integer(i64),
    /// A wall-clock date and time (Paris): `2026-12-06 14:05:00`, a date cell in an xlsx.
    DateTime(NaiveDateTime),
    /// A duration in seconds: `[h]:mm:ss` (`0:09:05`), a duration cell in an xlsx.
    Duration(i64),
    /// A duration in seconds as minutes with two decimals (`0.68`, `0,68` after `;`).
    Minutes(i64),
    /// Nothing (an open call's closing time).
    Empty,
}

/// ISO 8601 date and time with a space, as both spreadsheets read it as a date by default.
pub const ISO_DATE_TIME: &str = "%Y-%m-%d %H:%M:%S";

impl<'a> From<&'a str> for Cell<'a> {
    fn from(s: &'a str) -> Self {
        Cell::Text(Cow::Borrowed(s))
    }
}

impl From<String> for Cell<'_> {
    fn from(s: String) -> Self {
        Cell::Text(Cow::Owned(s))
    }
}

impl<'a> From<&'a String> for Cell<'a> {
    fn from(s: &'a String) -> Self {
        Cell::Text(Cow::Borrowed(s))
    }
}

impl<'a> From<Cow<'a, str>> for Cell<'a> {
    fn from(s: Cow<'a, str>) -> Self {
        Cell::Text(s)
    }
}

impl From<i64> for Cell<'_> {
    fn from(n: i64) -> Self {
        Cell::Integer(n)
    }
}

impl<'a, T: Into<Cell<'a>>> From<Option<T>> for Cell<'a> {
    fn from(v: Option<T>) -> Self {
        v.map_or(Cell::Text(Cow::Borrowed("")), Into::into)
    }
}

impl Cell<'_> {
    /// An instant as Paris wall-clock time, the time a person reads.
    pub fn paris(at: DateTime<Utc>) -> Cell<'static> {
        Cell::DateTime(at.with_timezone(&chrono_tz::Europe::Paris).naive_local())
    }

    /// The cell as a CSV writes it; `decimal` is the mark of a fraction.
    fn render(&self, decimal: char) -> Cow<'_, str> {
        match self {
            Cell::Text(t) => text_cell(t),
            Cell::Number(n) => Cow::Borrowed(n),
            Cell::Integer(n) => Cow::Owned(n.to_string()),
            Cell::DateTime(t) => Cow::Owned(t.format(ISO_DATE_TIME).to_string()),
            Cell::Duration(s) => Cow::Owned(hms(*s)),
            Cell::Minutes(s) => Cow::Owned(minutes(*s, decimal)),
            Cell::Empty => Cow::Borrowed(""),
        }
    }
}

/// Writes a CSV: the byte order mark and the header first, then one row at a time (nothing
/// is kept: an export of a million calls holds one row in memory).
pub struct CsvWriter<W: Write> {
    inner: csv::Writer<W>,
    decimal: char,
}

fn io_error(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("CSV : {other:?}")),
    }
}

impl<W: Write> CsvWriter<W> {
    pub fn new(mut out: W, options: CsvOptions, headers: &[&str]) -> io::Result<CsvWriter<W>> {
        if options.bom {
            out.write_all("\u{feff}".as_bytes())?;
        }
        let mut inner = csv::WriterBuilder::new()
            .delimiter(options.separator as u8)
            .terminator(csv::Terminator::CRLF)
            .quote_style(csv::QuoteStyle::Necessary)
            .from_writer(out);
        inner.write_record(headers).map_err(io_error)?;
        Ok(CsvWriter {
            inner,
            decimal: options.decimal_mark(),
        })
    }

    /// One row; it must have as many cells as the header.
    pub fn row<'c>(&mut self, cells: impl IntoIterator<Item = Cell<'c>>) -> io::Result<()> {
        for cell in cells {
            self.inner
                .write_field(cell.render(self.decimal).as_bytes())
                .map_err(io_error)?;
        }
        self.inner.write_record(None::<&[u8]>).map_err(io_error)
    }

    /// Flushes and gives the writer back.
    pub fn finish(self) -> io::Result<W> {
        self.inner.into_inner().map_err(|e| e.into_error())
    }
}

impl<W: Write> Sheet for CsvWriter<W> {
    fn row<'c>(&mut self, cells: impl IntoIterator<Item = Cell<'c>>) -> io::Result<()> {
        CsvWriter::row(self, cells)
    }
}

/// Writes a whole small CSV into a string (one object, a short list).
pub fn to_string<'c>(
    options: CsvOptions,
    headers: &[&str],
    rows: impl IntoIterator<Item = Vec<Cell<'c>>>,
) -> String {
    let mut w = match CsvWriter::new(Vec::new(), options, headers) {
        Ok(w) => w,
        // Writing into memory cannot fail.
        Err(_) => return String::new(),
    };
    for row in rows {
        if w.row(row).is_err() {
            break;
        }
    }
    w.finish()
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .unwrap_or_default()
}

/// What a spreadsheet would take for the start of a formula.
fn starts_like_formula(text: &str) -> bool {
    matches!(
        text.trim_start_matches(' ').chars().next(),
        Some('=' | '+' | '-' | '@' | '\t' | '\r' | '＝' | '＋' | '－' | '＠')
    )
}

/// A text cell as written: made visible, and prefixed with an apostrophe when a spreadsheet
/// would run it as a formula.
pub fn text_cell(text: &str) -> Cow<'_, str> {
    let shown = visible_lines(text);
    if starts_like_formula(text) || starts_like_formula(&shown) {
        Cow::Owned(format!("'{shown}"))
    } else {
        shown
    }
}

/// Digits in pairs from the left: "0612345678" → "06 12 34 56 78".
fn pairs(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() * 3 / 2);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && i % 2 == 0 {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

/// A phone number as a spreadsheet keeps it as text, with its leading 0, and without a
/// formula guard:
///
/// - a French number, national or international (`0612345678`, `06.12.34.56.78`,
///   `+33 6 12 34 56 78`, `0033 6…`, `+33 (0)6…`), in the national form and the French
///   grouping: `06 12 34 56 78`;
/// - another international number as typed, with its `+` (`+262 692 12 34 56`, `0044 20
///   7946 0958` → `+44 20 7946 0958`): its country code is not cut into pairs. It is text:
///   an xlsx writes it as a string, the CSV guards its leading `+` like any text cell;
/// - another number of four digits or more in pairs (`3939` → `39 39`); a short number
///   without a leading 0 (`15`, `112`) as it is: a spreadsheet shows it the same;
/// - anything that is not made of digits and separators, as it is (then guarded like any
///   text).
///
/// Digits in pairs separated by spaces are never read as a number: a thousands separator
/// comes before groups of three.
pub fn phone_text(raw: &str) -> Cow<'_, str> {
    let t = raw.trim();
    let d = digits(t);
    if d.is_empty()
        || !t
            .chars()
            .all(|c| c.is_ascii_digit() || " .-/()+".contains(c))
    {
        return Cow::Borrowed(raw);
    }
    let international = if t.starts_with('+') {
        Some(d.as_str())
    } else {
        d.strip_prefix("00")
    };
    Cow::Owned(match international {
        Some(intl) => {
            let french = intl.strip_prefix("33").map(|rest| {
                // "+33 (0)6 12 34 56 78": the national 0 in brackets.
                if rest.len() == 10 && rest.starts_with('0') {
                    &rest[1..]
                } else {
                    rest
                }
            });
            match french {
                Some(rest) if rest.len() == 9 => pairs(&format!("0{rest}")),
                _ => {
                    let typed = t.strip_prefix('+').or_else(|| t.strip_prefix("00"));
                    format!("+{}", typed.unwrap_or(intl).trim_start())
                }
            }
        }
        None if d.len() <= 3 && !d.starts_with('0') => d,
        None => pairs(&d),
    })
}

/// A duration in seconds as `h:mm:ss` ("0:00:41"): a spreadsheet reads it as a duration
/// (a bare "00:41" would read as 41 minutes).
pub fn hms(secs: i64) -> String {
    let sign = if secs < 0 { "-" } else { "" };
    let s = secs.unsigned_abs();
    format!("{sign}{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

/// A duration in seconds as minutes with two decimals ("0,68" or "0.68").
pub fn minutes(secs: i64, decimal_mark: char) -> String {
    let hundredths = (secs * 100 + if secs >= 0 { 30 } else { -30 }) / 60;
    let sign = if hundredths < 0 { "-" } else { "" };
    let h = hundredths.unsigned_abs();
    format!("{sign}{}{decimal_mark}{:02}", h / 100, h % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str, sep: u8) -> Vec<Vec<String>> {
        csv::ReaderBuilder::new()
            .delimiter(sep)
            .has_headers(false)
            .from_reader(text.as_bytes())
            .records()
            .map(|r| r.unwrap().iter().map(String::from).collect())
            .collect()
    }

    #[test]
    fn quoting_line_ends_separator_and_bom() {
        let rows = vec![
            vec![Cell::from("x,y"), Cell::from("dit \"oui\"")],
            vec![Cell::from("a;b"), Cell::from("deux\nlignes")],
        ];
        let comma = to_string(CsvOptions::default(), &["a", "b"], rows.clone());
        assert_eq!(
            comma,
            "a,b\r\n\"x,y\",\"dit \"\"oui\"\"\"\r\na;b,\"deux\nlignes\"\r\n"
        );
        let semi = to_string(
            CsvOptions {
                separator: ';',
                bom: true,
            },
            &["a", "b"],
            rows,
        );
        assert!(semi.starts_with("\u{feff}a;b\r\n"));
        let back = read(semi.trim_start_matches('\u{feff}'), b';');
        assert_eq!(back[1], ["x,y", "dit \"oui\""]);
        assert_eq!(back[2], ["a;b", "deux\nlignes"]);
    }

    #[test]
    fn separators_are_three() {
        assert_eq!(CsvOptions::parse(";", true).unwrap().separator, ';');
        assert_eq!(CsvOptions::parse("tab", false).unwrap().separator, '\t');
        assert_eq!(CsvOptions::parse("\t", false).unwrap().separator, '\t');
        assert_eq!(
            CsvOptions::parse("|", false).unwrap_err().to_string(),
            "séparateur « | » non pris en charge : « , », « ; » ou tab"
        );
        assert_eq!(CsvOptions::parse(";", false).unwrap().decimal_mark(), ',');
        assert_eq!(CsvOptions::parse(",", false).unwrap().decimal_mark(), '.');
    }

    #[test]
    fn formulas_are_neutralised_and_numbers_are_not() {
        for (raw, written) in [
            (
                "=HYPERLINK(\"http://x\",\"clic\")",
                "'=HYPERLINK(\"http://x\",\"clic\")",
            ),
            ("+1+cmd", "'+1+cmd"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1", "'␉=1"),
            ("\r=1", "'␍=1"),
            ("  =1", "'  =1"),
            ("＝1", "'＝1"),
            ("a=1", "a=1"),
            ("Zoé", "Zoé"),
            ("", ""),
        ] {
            assert_eq!(text_cell(raw), written, "{raw:?}");
        }
        assert_eq!(Cell::from(-41).render('.'), "-41");
        assert_eq!(Cell::Duration(-41).render('.'), "-0:00:41");
    }

    #[test]
    fn cells_are_made_visible() {
        assert_eq!(
            text_cell("\u{1b}]0;x\u{7}\u{9b}2J\u{202e}fin\nligne"),
            "␛]0;x␇�2J�fin\nligne"
        );
    }

    #[test]
    fn phones_in_the_french_grouping() {
        for (raw, written) in [
            ("06 12 34 56 78", "06 12 34 56 78"),
            ("0612345678", "06 12 34 56 78"),
            ("06.12.34.56.78", "06 12 34 56 78"),
            ("06-12-34-56-78", "06 12 34 56 78"),
            ("+33 6 12 34 56 78", "06 12 34 56 78"),
            ("+33612345678", "06 12 34 56 78"),
            ("0033 6 12 34 56 78", "06 12 34 56 78"),
            ("+33 (0)6 12 34 56 78", "06 12 34 56 78"),
            ("01 40 07 20 00", "01 40 07 20 00"),
            ("+44 20 7946 0958", "+44 20 7946 0958"),
            ("0044 20 7946 0958", "+44 20 7946 0958"),
            ("+262 692 12 34 56", "+262 692 12 34 56"),
            ("00262692123456", "+262692123456"),
            ("3939", "39 39"),
            ("0123", "01 23"),
            ("12345", "12 34 5"),
            ("112", "112"),
            ("15", "15"),
            ("poste 2000", "poste 2000"),
            ("", ""),
        ] {
            assert_eq!(phone_text(raw), written, "{raw:?}");
        }
        // A number kept with its `+` is still text the CSV guards.
        assert_eq!(
            Cell::from(phone_text("+262 692 12 34 56")).render('.'),
            "'+262 692 12 34 56"
        );
    }

    #[test]
    fn dates_and_durations_in_the_forms_spreadsheets_read() {
        let t = chrono::NaiveDate::from_ymd_opt(2026, 12, 6)
            .and_then(|d| d.and_hms_opt(14, 5, 0))
            .unwrap();
        assert_eq!(Cell::DateTime(t).render('.'), "2026-12-06 14:05:00");
        assert_eq!(Cell::Duration(545).render('.'), "0:09:05");
        assert_eq!(Cell::Duration(90061).render('.'), "25:01:01");
        assert_eq!(Cell::Minutes(41).render(','), "0,68");
        assert_eq!(Cell::Empty.render('.'), "");
    }

    #[test]
    fn durations() {
        assert_eq!(hms(41), "0:00:41");
        assert_eq!(hms(3725), "1:02:05");
        assert_eq!(hms(0), "0:00:00");
        assert_eq!(minutes(41, ','), "0,68");
        assert_eq!(minutes(60, '.'), "1.00");
        assert_eq!(minutes(125, ','), "2,08");
        assert_eq!(minutes(-41, ','), "-0,68");
    }
}
