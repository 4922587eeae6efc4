//! Text rules shared by every layer: accent folding for matching, and making untrusted text
//! safe to show on a terminal.

use std::borrow::Cow;
use unicode_width::UnicodeWidthStr;

/// Lower-cases and strips French diacritics so that "Clé", "cle" and "CLE" compare equal.
/// Ligatures are expanded (œ → oe, æ → ae, ß → ss) because callers type them both ways.
/// The one folding rule of the project: the procedure index, the query words and the
/// call search on both engines all go through it.
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
            'ß' | 'ẞ' => out.push_str("ss"),
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
/// they can neither drive the terminal nor reorder what the operator reads. This is the one
/// function every human-facing output goes through (see [`is_unsafe`] for what it replaces);
/// a line break is replaced too: for text of several lines, see [`visible_lines`].
pub fn visible(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        push_visible(&mut out, c);
    }
    Cow::Owned(out)
}

/// [`visible`], keeping the line breaks ("\n"; a "\r\n" becomes "\n"): for text of several
/// lines printed as lines (a procedure, an error message, a CSV cell).
pub fn visible_lines(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| c != '\n' && is_unsafe(c)) {
        return Cow::Borrowed(text);
    }
    let text = text.replace("\r\n", "\n");
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c == '\n' {
            out.push(c);
        } else {
            push_visible(&mut out, c);
        }
    }
    Cow::Owned(out)
}

fn push_visible(out: &mut String, c: char) {
    match c {
        // C0 controls map onto the Unicode "control pictures" block (␛, ␇, ␊ ...).
        '\u{0}'..='\u{1f}' => out.push(char::from_u32(0x2400 + c as u32).unwrap_or('�')),
        '\u{7f}' => out.push('␡'),
        _ if is_unsafe(c) => out.push('�'),
        _ => out.push(c),
    }
}

/// Whether a character must not reach a reader as it is:
///
/// - the C0 controls, DEL and the C1 controls (U+0080 to U+009F: 0x9b alone is a CSI to
///   many terminals);
/// - the bidirectional controls (marks, embeddings, overrides, isolates, the Arabic letter
///   mark): they reorder what is read ("Trojan source");
/// - the line and paragraph separators U+2028 and U+2029: a line break to some readers and
///   not to others;
/// - characters that are invisible and can hide or smuggle text: the zero-width space, the
///   word joiner and invisible operators (U+2060 to U+2064), the deprecated format
///   characters U+206A to U+206F, the Mongolian vowel separator, the zero-width no-break
///   space (a BOM inside text), the interlinear annotation characters and the tag
///   characters (U+E0000 to U+E007F, invisible ASCII).
///
/// The zero-width joiner and non-joiner (U+200C, U+200D) stay: emoji sequences and some
/// scripts need them, and they neither move nor hide text.
pub fn is_unsafe(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        | '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        | '\u{2028}' | '\u{2029}'
        | '\u{180e}' | '\u{200b}' | '\u{2060}'..='\u{2064}' | '\u{206a}'..='\u{206f}'
        | '\u{feff}' | '\u{fff9}'..='\u{fffb}' | '\u{e0000}'..='\u{e007f}')
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

/// Cuts a title "Subject : what it is about" to `max` columns keeping its subject and the
/// end of the rest, which is where titles name what tells them apart ("DIRECCTE : …avec
/// GEMINI"); a title without a subject is cut at its end.
pub fn truncate_title(text: &str, max: usize) -> Cow<'_, str> {
    if width(text) <= max {
        return Cow::Borrowed(text);
    }
    let Some((head, rest)) = text.split_once(" : ") else {
        return truncate(text, max);
    };
    let lead = format!("{head} : …");
    let room = max.saturating_sub(width(&lead));
    if room < 8 {
        return truncate(text, max);
    }
    // The last words of the rest that fit, whole.
    let words: Vec<&str> = rest.split(' ').collect();
    let mut tail: Vec<&str> = Vec::new();
    let mut used = 0;
    for w in words.iter().rev() {
        let need = width(w) + usize::from(!tail.is_empty());
        if used + need > room {
            break;
        }
        used += need;
        tail.push(w);
    }
    // A tail of one short word ("Rouen)") says less than the start of the text.
    if tail.len() < 2 {
        return truncate(text, max);
    }
    tail.reverse();
    Cow::Owned(format!("{lead}{}", tail.join(" ")))
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

/// Folds text into lines of at most `width` columns, breaking between words. A phone
/// number written in groups ("01 40 07 20 00") and an address are never broken; French
/// punctuation stays with its word (no line starts with « : » or « » »). A word wider than
/// the line is cut where it must be. Line breaks in the text are kept.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    wrap_hanging(text, width, width)
}

/// Like [`wrap`], with a first line of `first` columns and the others of `rest` (for a
/// label before the first line, or a hanging indent).
pub fn wrap_hanging(text: &str, first: usize, rest: usize) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        let mut used = 0;
        let room = |lines: &Vec<String>| if lines.is_empty() { first } else { rest }.max(1);
        for unit in units(paragraph) {
            let w = width(&unit);
            let sep = usize::from(used > 0);
            if used + sep + w <= room(&lines) {
                if sep == 1 {
                    line.push(' ');
                }
                line.push_str(&unit);
                used += sep + w;
                continue;
            }
            if used > 0 {
                lines.push(std::mem::take(&mut line));
            }
            // Wider than a whole line: cut it, after a '/', '-', '.' or '_' when there is
            // one (an address reads on), else where it must.
            let mut rest_of_unit = unit.as_str();
            while width(rest_of_unit) > room(&lines) {
                let max = room(&lines);
                let mut cut = 0;
                let mut soft = 0;
                let mut cols = 0;
                for (i, c) in rest_of_unit.char_indices() {
                    let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
                    if cols + cw > max {
                        break;
                    }
                    cols += cw;
                    cut = i + c.len_utf8();
                    if "/-._".contains(c) {
                        soft = cut;
                    }
                }
                // A break point in the last third of the line, not a stub of a line.
                if soft * 3 > cut * 2 {
                    cut = soft;
                }
                if cut == 0 {
                    // Not even one character fits: give up rather than loop.
                    break;
                }
                lines.push(rest_of_unit[..cut].to_string());
                rest_of_unit = &rest_of_unit[cut..];
            }
            line.push_str(rest_of_unit);
            used = width(rest_of_unit);
        }
        lines.push(line);
    }
    lines
}

/// The unbreakable units of a paragraph: words, with phone-number groups and French
/// punctuation glued to their neighbours by a no-break space.
fn units(paragraph: &str) -> Vec<String> {
    let words: Vec<&str> = paragraph.split(' ').filter(|w| !w.is_empty()).collect();
    let is_group = |w: &str| {
        let digits = w.strip_prefix('+').unwrap_or(w);
        !digits.is_empty() && digits.len() <= 4 && digits.bytes().all(|b| b.is_ascii_digit())
    };
    let mut out: Vec<String> = Vec::new();
    let mut glue_next = false;
    for (i, w) in words.iter().enumerate() {
        let previous_is_group = i > 0 && is_group(words[i - 1]);
        let next_is_group = words.get(i + 1).is_some_and(|n| is_group(n));
        let in_phone =
            is_group(w) && previous_is_group && (next_is_group || i >= 2 && is_group(words[i - 2]));
        let closing = matches!(*w, ":" | ";" | "!" | "?" | "»");
        match out.last_mut() {
            Some(last) if glue_next || closing || in_phone => {
                last.push('\u{a0}');
                last.push_str(w);
            }
            _ => out.push((*w).to_string()),
        }
        glue_next = *w == "«";
    }
    // The no-break spaces are for the folding only: the screen shows plain spaces.
    out.into_iter().map(|u| u.replace('\u{a0}', " ")).collect()
}

/// A value as an error message names it: control characters made visible, and cut after
/// 40 characters so that a pasted page stays one short sentence.
pub fn named(value: &str) -> String {
    const SHOWN: usize = 40;
    let shown = visible(value);
    let count = shown.chars().count();
    if count <= SHOWN {
        shown.into_owned()
    } else {
        let cut: String = shown.chars().take(SHOWN).collect();
        format!("{cut}… ({count} caractères)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_removes_accents_and_case() {
        assert_eq!(fold("Clé USB Œuvre Ça"), "cle usb oeuvre ca");
        assert_eq!(
            fold("cœur vitæ Straße STRAẞE"),
            "coeur vitae strasse strasse"
        );
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
    fn every_unsafe_class_is_replaced() {
        let cases = [
            ("\u{0}", "␀"),
            ("\u{1b}", "␛"),
            ("\u{7}", "␇"),
            ("\t", "␉"),
            ("\n", "␊"),
            ("\r", "␍"),
            ("\u{7f}", "␡"),
            ("\u{80}", "�"),
            ("\u{9b}", "�"),
            ("\u{9f}", "�"),
            ("\u{061c}", "�"),
            ("\u{200e}", "�"),
            ("\u{200f}", "�"),
            ("\u{202a}", "�"),
            ("\u{202e}", "�"),
            ("\u{2066}", "�"),
            ("\u{2069}", "�"),
            ("\u{2028}", "�"),
            ("\u{2029}", "�"),
            ("\u{200b}", "�"),
            ("\u{2060}", "�"),
            ("\u{2064}", "�"),
            ("\u{206f}", "�"),
            ("\u{180e}", "�"),
            ("\u{feff}", "�"),
            ("\u{fffb}", "�"),
            ("\u{e0041}", "�"),
            ("\u{e007f}", "�"),
        ];
        for (raw, shown) in cases {
            assert_eq!(
                visible(raw),
                shown,
                "U+{:04X}",
                raw.chars().next().unwrap() as u32
            );
            assert!(is_unsafe(raw.chars().next().unwrap()));
        }
        // What French text, emoji sequences and typography need stays as it is.
        for kept in [
            "Zoé Çà œ « » – — … ’",
            "👩\u{200d}💻",
            "a\u{200c}b",
            "\u{a0}\u{202f}",
            "\u{a0}",
            "😀",
        ] {
            assert!(matches!(visible(kept), Cow::Borrowed(_)), "{kept:?}");
        }
        // Replacing twice changes nothing.
        let once = visible("\u{1b}]0;x\u{7}\u{9b}\u{202e}").into_owned();
        assert_eq!(visible(&once), once);
    }

    #[test]
    fn visible_lines_keep_line_breaks_only() {
        assert_eq!(visible_lines("un\ndeux\r\ntrois"), "un\ndeux\ntrois");
        assert_eq!(visible_lines("a\rb\u{1b}[2J\n\u{2028}"), "a␍b␛[2J\n�");
        assert!(matches!(visible_lines("un\ndeux"), Cow::Borrowed(_)));
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

    #[test]
    fn wrapping_keeps_phone_numbers_addresses_and_punctuation_whole() {
        let text = "En cas de difficulté, appeler le centre d'appel : 01 40 07 20 00 ou ouvrir https://certif.messagerie.si.mi/ ensuite.";
        // From the width the address needs; narrower, it must be cut, and nothing is lost.
        let narrow = wrap(text, 20).join("");
        assert_eq!(narrow.replace(' ', ""), text.replace(' ', ""));
        for w in 33..60 {
            let lines = wrap(text, w);
            let joined = lines.join("\n");
            assert!(joined.contains("01 40 07 20 00"), "{w}: {joined}");
            assert!(
                joined.contains("https://certif.messagerie.si.mi/"),
                "{w}: {joined}"
            );
            assert!(lines.iter().all(|l| !l.starts_with(':')), "{w}: {joined}");
            assert!(lines.iter().all(|l| width(l) <= w), "{w}: {joined}");
        }
        assert_eq!(wrap("a b", 10), ["a b"]);
        assert_eq!(wrap("", 10), [""]);
        assert_eq!(wrap("un\ndeux", 10), ["un", "deux"]);
        // Too long for any line: cut, nothing lost; an address after a separator.
        assert_eq!(wrap("abcdefgh", 3), ["abc", "def", "gh"]);
        assert_eq!(
            wrap(
                "https://telemaintenance.ac-normandie.fr/start/ISLLightClient",
                56
            ),
            [
                "https://telemaintenance.ac-normandie.fr/start/",
                "ISLLightClient"
            ]
        );
        assert_eq!(wrap_hanging("un deux trois", 3, 10), ["un", "deux trois"]);
        // Ordinary numbers still break.
        assert_eq!(
            wrap("de 12 à 50 personnes", 9),
            ["de 12 à", "50", "personnes"]
        );
    }

    #[test]
    fn a_title_keeps_its_subject_and_what_tells_it_apart() {
        let t = "DIRECCTE : se connecter à distance avec GEMINI";
        assert_eq!(truncate_title(t, 60), t);
        assert_eq!(truncate_title(t, 34), "DIRECCTE : …à distance avec GEMINI");
        assert!(width(&truncate_title(t, 34)) <= 34);
        assert_eq!(
            truncate_title("Installer un logiciel avec WAPT", 20),
            "Installer un logici…"
        );
    }
}
