//! Plain renderers for the command line: aligned tables, CSV, JSON.

use crate::domain::text::{visible, width};
use serde::Serialize;

/// Columns aligned on display width, so "Çelik" and "Celik" line up. Cell text is made
/// visible first: a caller's name cannot send escape sequences to the terminal.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.iter().map(|c| visible(c).into_owned()).collect())
        .collect();
    let mut widths: Vec<usize> = headers.iter().map(|h| width(h)).collect();
    for row in &cells {
        for (i, c) in row.iter().enumerate() {
            widths[i] = widths[i].max(width(c));
        }
    }
    let mut out = String::new();
    let mut line = |cols: &mut dyn Iterator<Item = &str>| {
        let mut l = String::new();
        for (i, c) in cols.enumerate() {
            if i > 0 {
                l.push_str("  ");
            }
            l.push_str(c);
            if i + 1 < widths.len() {
                l.extend(std::iter::repeat_n(' ', widths[i] - width(c)));
            }
        }
        out.push_str(l.trim_end());
        out.push('\n');
    };
    line(&mut headers.iter().copied());
    for row in &cells {
        line(&mut row.iter().map(String::as_str));
    }
    out
}

/// RFC 4180 CSV with a comma separator and CRLF-free lines.
pub fn csv(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = String::new();
    let mut line = |cols: &mut dyn Iterator<Item = &str>| {
        let fields: Vec<String> = cols.map(csv_field).collect();
        out.push_str(&fields.join(","));
        out.push('\n');
    };
    line(&mut headers.iter().copied());
    for row in rows {
        line(&mut row.iter().map(String::as_str));
    }
    out
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

pub fn json<T: Serialize + ?Sized>(value: &T) -> String {
    // Our types are plain data: serialization cannot fail.
    let mut s = serde_json::to_string_pretty(value).unwrap_or_default();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn csv_quotes_what_needs_it() {
        assert_eq!(
            csv(&["a", "b"], &[vec!["x,y".into(), "dit \"oui\"".into()]]),
            "a,b\n\"x,y\",\"dit \"\"oui\"\"\"\n"
        );
    }
}
