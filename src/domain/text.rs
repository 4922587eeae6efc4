//! Text rules shared by every layer: accent folding for matching, and making untrusted text
//! safe to show on a terminal.

use std::borrow::Cow;
use unicode_width::UnicodeWidthStr;

/// Lower-cases and strips French diacritics so that "Clé", "cle" and "CLE" compare equal.
/// Ligatures are expanded (œ → oe) because callers type them both ways.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' | 'À' | 'Á' | 'Â' | 'Ä' | 'Ã' | 'Å' => {
                out.push('a')
            }
            'ç' | 'Ç' => out.push('c'),
            'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => out.push('e'),
            'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => out.push('i'),
            'ñ' | 'Ñ' => out.push('n'),
            'ò' | 'ó' | 'ô' | 'ö' | 'õ' | 'Ò' | 'Ó' | 'Ô' | 'Ö' | 'Õ' => out.push('o'),
            'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' => out.push('u'),
            'ý' | 'ÿ' | 'Ý' | 'Ÿ' => out.push('y'),
            'œ' | 'Œ' => out.push_str("oe"),
            'æ' | 'Æ' => out.push_str("ae"),
            '’' | '‘' => out.push('\''),
            _ => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// The digits of a text, for matching phone numbers typed with or without separators.
pub fn digits(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

/// Makes text from a caller, the database or a file safe to draw: control characters,
/// escape sequences and bidirectional overrides are replaced by visible stand-ins so that
/// they can neither drive the terminal nor reorder what the operator reads.
pub fn visible(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_replacing) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            // C0 controls map onto the Unicode "control pictures" block (␛, ␇, ␊ ...).
            '\u{0}'..='\u{1f}' => out.push(char::from_u32(0x2400 + c as u32).unwrap_or('�')),
            '\u{7f}' => out.push('␡'),
            _ if needs_replacing(c) => out.push('�'),
            _ => out.push(c),
        }
    }
    Cow::Owned(out)
}

fn needs_replacing(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        | '\u{061c}')
}

/// Display width in terminal columns (é is one column, a CJK ideogram two).
pub fn width(text: &str) -> usize {
    UnicodeWidthStr::width(text)
}

/// Cuts `text` to at most `max` columns, ending with "…" when something was cut.
pub fn truncate(text: &str, max: usize) -> Cow<'_, str> {
    if width(text) <= max {
        return Cow::Borrowed(text);
    }
    if max == 0 {
        return Cow::Borrowed("");
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w > max - 1 {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push('…');
    Cow::Owned(out)
}

/// Pads `text` with spaces to exactly `cols` columns (cutting it first if it is wider).
pub fn pad(text: &str, cols: usize) -> String {
    let cut = truncate(text, cols);
    let w = width(&cut);
    let mut out = cut.into_owned();
    out.extend(std::iter::repeat_n(' ', cols.saturating_sub(w)));
    out
}

/// Collapses runs of white space and trims, so that "  Zoé   Martin " is stored as "Zoé Martin".
pub fn normalize_spaces(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_removes_accents_and_case() {
        assert_eq!(fold("Clé USB Œuvre Ça"), "cle usb oeuvre ca");
        assert_eq!(fold("Ministère de l’Intérieur"), "ministere de l'interieur");
    }

    #[test]
    fn escape_sequences_are_made_visible() {
        let hostile = "\u{1b}]0;pwned\u{7}\u{1b}[2J";
        let shown = visible(hostile);
        assert!(!shown.contains('\u{1b}'));
        assert!(!shown.contains('\u{7}'));
        assert_eq!(shown, "␛]0;pwned␇␛[2J");
        assert_eq!(visible("a\u{202e}b"), "a�b");
        assert!(matches!(visible("Zoé"), Cow::Borrowed(_)));
    }

    #[test]
    fn width_counts_accents_as_one_column() {
        assert_eq!(width("Çàéœ"), 4);
        assert_eq!(pad("Zoé", 5), "Zoé  ");
        assert_eq!(truncate("Préfecture", 6), "Préfe…");
        assert_eq!(width(&truncate("Préfecture", 6)), 6);
    }

    #[test]
    fn spaces_are_collapsed() {
        assert_eq!(normalize_spaces("  Zoé   Martin \t"), "Zoé Martin");
    }
}
