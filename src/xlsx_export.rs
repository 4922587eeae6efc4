//! The xlsx writer (`--format xlsx`): the same rows as the CSV ([`Cell`], [`Column`]), with
//! their types, which a CSV cannot carry and a spreadsheet then guesses:
//!
//! - text is a string cell, whatever it looks like (`0612345678`, `12/01/2026`, `1,5`,
//!   `+262 692 12 34 56`); a string cell is never run, so it needs no apostrophe, but it is
//!   made visible as in the CSV ([`visible_lines`]);
//! - a date and time is an Excel serial date with a date-time number format;
//! - a duration is a fraction of a day with the format `[h]:mm:ss`, minutes a number with
//!   two decimals, a whole number a number;
//! - the header row holds the French labels, bold and frozen; each column has its width.
//!
//! A workbook is built in memory (rust_xlsxwriter), then written whole: a sheet holds at most
//! 1 048 576 rows, and a longer export is refused with a sentence rather than cut.

use crate::csv_export::{Cell, Column, Sheet};
use crate::domain::text::visible_lines;
use chrono::{Datelike, NaiveDateTime, Timelike};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet, XlsxError};
use std::io;

/// The most rows of a sheet, the header's included (Excel's and Calc's limit).
pub const MAX_ROWS: u32 = 1_048_576;

/// The most characters of a cell (Excel's limit); a longer text is cut and says so.
const MAX_CELL_CHARS: usize = 32_767;

/// A date and time as a French reader sees it; the cell holds the date itself.
const DATE_TIME_FORMAT: &str = "dd/mm/yyyy hh:mm:ss";
const DURATION_FORMAT: &str = "[h]:mm:ss";
const MINUTES_FORMAT: &str = "0.00";

fn xlsx_error(e: XlsxError) -> io::Error {
    io::Error::other(format!("xlsx : {e}"))
}

/// Writes one sheet: the header first, then one row at a time, then the whole file.
pub struct XlsxWriter {
    sheet: Worksheet,
    next_row: u32,
    date_time: Format,
    duration: Format,
    minutes: Format,
}

impl XlsxWriter {
    /// A sheet named `name` with the French labels of `columns` as its frozen header.
    pub fn new(name: &str, columns: &[Column]) -> io::Result<XlsxWriter> {
        let mut sheet = Worksheet::new();
        sheet.set_name(name).map_err(xlsx_error)?;
        let bold = Format::new().set_bold();
        for (i, c) in columns.iter().enumerate() {
            let col = column_index(i)?;
            sheet
                .write_string_with_format(0, col, c.label, &bold)
                .map_err(xlsx_error)?;
            sheet.set_column_width(col, c.width).map_err(xlsx_error)?;
        }
        sheet.set_freeze_panes(1, 0).map_err(xlsx_error)?;
        Ok(XlsxWriter {
            sheet,
            next_row: 1,
            date_time: Format::new().set_num_format(DATE_TIME_FORMAT),
            duration: Format::new().set_num_format(DURATION_FORMAT),
            minutes: Format::new().set_num_format(MINUTES_FORMAT),
        })
    }

    fn cell(&mut self, row: u32, col: u16, cell: &Cell<'_>) -> Result<(), XlsxError> {
        let s = &mut self.sheet;
        match cell {
            Cell::Text(t) => {
                let shown = visible_lines(t);
                if shown.is_empty() {
                    return Ok(());
                }
                s.write_string(row, col, fit(&shown))?;
            }
            // A form the program made for another program (an RFC 3339 instant) or a number
            // it formatted: a number when it is one, else its text.
            Cell::Number(n) => match n.parse::<f64>() {
                Ok(v) if v.is_finite() => {
                    s.write_number(row, col, v)?;
                }
                _ if n.is_empty() => {}
                _ => {
                    s.write_string(row, col, n)?;
                }
            },
            Cell::Integer(n) => {
                s.write_number(row, col, *n as f64)?;
            }
            Cell::DateTime(t) => {
                s.write_datetime_with_format(row, col, excel_date_time(t)?, &self.date_time)?;
            }
            Cell::Duration(secs) => {
                s.write_number_with_format(row, col, *secs as f64 / 86_400.0, &self.duration)?;
            }
            Cell::Minutes(secs) => {
                let hundredths = (*secs as f64 / 60.0 * 100.0).round() / 100.0;
                s.write_number_with_format(row, col, hundredths, &self.minutes)?;
            }
            Cell::Empty => {}
        }
        Ok(())
    }

    /// The workbook's bytes.
    pub fn finish(self) -> io::Result<Vec<u8>> {
        let mut book = Workbook::new();
        book.push_worksheet(self.sheet);
        book.save_to_buffer().map_err(xlsx_error)
    }
}

impl Sheet for XlsxWriter {
    fn row<'c>(&mut self, cells: impl IntoIterator<Item = Cell<'c>>) -> io::Result<()> {
        if self.next_row >= MAX_ROWS {
            return Err(io::Error::other(format!(
                "plus de {} lignes : une feuille xlsx n'en contient pas davantage ; \
                 réduire la période ou utiliser --format csv",
                MAX_ROWS - 1
            )));
        }
        let row = self.next_row;
        for (i, cell) in cells.into_iter().enumerate() {
            let col = column_index(i)?;
            self.cell(row, col, &cell).map_err(xlsx_error)?;
        }
        self.next_row += 1;
        Ok(())
    }
}

fn column_index(i: usize) -> io::Result<u16> {
    u16::try_from(i).map_err(|_| io::Error::other("xlsx : trop de colonnes"))
}

/// A text no longer than a cell holds.
fn fit(text: &str) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(MAX_CELL_CHARS - 1) {
        Some((end, _)) => format!("{}…", &text[..end]).into(),
        None => text.into(),
    }
}

fn excel_date_time(t: &NaiveDateTime) -> Result<ExcelDateTime, XlsxError> {
    let date = |v: u32| u8::try_from(v).map_err(|_| XlsxError::DateTimeRangeError(t.to_string()));
    let year = u16::try_from(t.year()).map_err(|_| XlsxError::DateTimeRangeError(t.to_string()))?;
    ExcelDateTime::from_ymd(year, date(t.month())?, date(t.day())?)?.and_hms(
        t.hour() as u16,
        date(t.minute())?,
        t.second(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_text_is_cut_to_a_cell() {
        let long = "é".repeat(MAX_CELL_CHARS + 10);
        let cut = fit(&long);
        assert_eq!(cut.chars().count(), MAX_CELL_CHARS);
        assert!(cut.ends_with('…'));
        assert_eq!(fit("court"), "court");
    }

    #[test]
    fn a_workbook_is_written() {
        let columns = [Column::new("a", "Un", 10.0), Column::new("b", "Deux", 12.0)];
        let mut w = XlsxWriter::new("Appels", &columns).unwrap();
        let t = chrono::NaiveDate::from_ymd_opt(2026, 12, 6)
            .and_then(|d| d.and_hms_opt(14, 5, 0))
            .unwrap();
        w.row([Cell::from("0612345678"), Cell::DateTime(t)])
            .unwrap();
        let bytes = w.finish().unwrap();
        // A zip archive.
        assert_eq!(&bytes[..2], b"PK");
    }
}
