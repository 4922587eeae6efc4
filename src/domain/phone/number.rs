//! Telephone numbers as a telephony system sends them: recognised when withheld, checked,
//! normalised to their digits (with a leading `+` when international), and laid out for
//! reading aloud.
//!
//! The spreadsheet form of a number is another rule with another purpose
//! ([`crate::csv_export::phone_text`]: a French number in its national form, digits in
//! pairs, which a spreadsheet keeps as text; another one as typed, with its `+`); both count
//! digits with [`crate::domain::text::digits`].

use crate::domain::text::visible;

/// The most digits a number may have: E.164 allows 15, and a PBX may add a trunk prefix or
/// a suffix of its own; past this it is not a number.
pub const MAX_DIGITS: usize = 32;

/// The words telephony systems send instead of a number the caller withheld (Asterisk,
/// FreeSWITCH, SIP's "anonymous", French-speaking PBXes), compared in any case.
const WITHHELD: &[&str] = &[
    "anonymous",
    "unknown",
    "restricted",
    "private",
    "withheld",
    "unavailable",
    "anonyme",
    "inconnu",
    "masqué",
    "masque",
    "privé",
    "prive",
    // What Asterisk's manager interface (AMI) prints for a caller id it does not have.
    "<unknown>",
];

/// Whether `raw` says that there is no number to show: empty, or one of the words PBXes use
/// for a withheld caller ("anonymous", "unknown", "restricted", "private", Asterisk's
/// "<unknown>", …).
pub fn is_withheld(raw: &str) -> bool {
    let t = raw.trim().to_lowercase();
    t.is_empty() || WITHHELD.contains(&t.as_str())
}

/// Whether `text` is a telephone number ([`normalize`] takes it): what a caller's facts and
/// [`super::call::phone_key`] are looked up by. A caller id that is not one (a SIP
/// address, a name) is kept and shown as given, never matched.
pub fn is_number(text: &str) -> bool {
    normalize(text).is_ok()
}

/// Why a text is not a telephone number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NumberProblem {
    /// Nothing but spaces.
    Empty,
    /// A character other than digits, a leading `+`, spaces, dots, dashes and one pair of
    /// parentheses around digits.
    NotANumber,
    /// More than [`MAX_DIGITS`] digits (how many it has).
    TooLong(usize),
}

impl NumberProblem {
    /// What is wrong, as the end of a French sentence.
    pub fn describe(&self) -> String {
        match self {
            NumberProblem::Empty => "numéro vide".into(),
            NumberProblem::NotANumber => {
                "chiffres attendus, avec un + en tête, des espaces, points ou tirets".into()
            }
            NumberProblem::TooLong(n) => format!("{n} chiffres, {MAX_DIGITS} au plus"),
        }
    }
}

/// A number as it is kept: its digits, after a `+` when it was written with one; spaces,
/// dots and dashes between them are dropped (`06 12 34 56 78` → `0612345678`,
/// `+33 6.12.34.56.78` → `+33612345678`). One pair of parentheses around digits is read
/// as desks write an area code: kept digits (`(01) 40 07 20 00` → `0140072000`), except the
/// national trunk prefix written after a country code, which is not dialled from abroad and
/// is dropped (`+33 (0)6 12 34 56 78` → `+33612345678`, `0033 (0)6…` → `0033612345678`),
/// as Zammad's caller-id lookup reads it.
pub fn normalize(raw: &str) -> Result<String, NumberProblem> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(NumberProblem::Empty);
    }
    let (plus, rest) = match t.strip_prefix('+') {
        Some(rest) => ("+", rest),
        None => ("", t),
    };
    let mut d = String::with_capacity(rest.len());
    let mut group: Option<String> = None;
    let mut groups = 0;
    for c in rest.chars() {
        match (c, group.as_mut()) {
            ('0'..='9', Some(g)) => g.push(c),
            ('0'..='9', None) => d.push(c),
            (' ', _) => {}
            ('.' | '-', None) => {}
            ('(', None) if groups == 0 => group = Some(String::new()),
            (')', Some(g)) if !g.is_empty() => {
                let g = std::mem::take(g);
                group = None;
                groups += 1;
                let international = !plus.is_empty() || d.starts_with("00");
                if !(international && g == "0" && !d.is_empty()) {
                    d.push_str(&g);
                }
            }
            _ => return Err(NumberProblem::NotANumber),
        }
    }
    if group.is_some() || d.is_empty() {
        return Err(NumberProblem::NotANumber);
    }
    if d.len() > MAX_DIGITS {
        return Err(NumberProblem::TooLong(d.len()));
    }
    Ok(format!("{plus}{d}"))
}

/// A caller's number for reading aloud ([`for_reading`]), or « numéro masqué » when it
/// was withheld (`None`).
pub fn caller_for_reading(from: Option<&str>) -> String {
    match from {
        Some(n) => for_reading(n),
        None => "numéro masqué".into(),
    }
}

/// A number laid out the way a French operator reads it aloud:
///
/// - a national number of ten digits in pairs: `0612345678` → `06 12 34 56 78`;
/// - an international one (`+…`, or `00…` as dialled from France) with its country code,
///   then the rest in pairs from the right: `+33612345678` → `+33 6 12 34 56 78`,
///   `+442079460958` → `+44 20 79 46 09 58`;
/// - anything shorter (an extension, `3939`, `112`) as it is;
/// - a text that is not a number, as it is, made visible.
pub fn for_reading(number: &str) -> String {
    let Ok(n) = normalize(number) else {
        return visible(number.trim()).into_owned();
    };
    let international = match n.strip_prefix('+') {
        Some(rest) => Some(rest),
        None => n.strip_prefix("00").filter(|rest| rest.len() >= 8),
    };
    match international {
        Some(intl) => {
            let cc = country_code_len(intl);
            if intl.len() <= cc {
                format!("+{intl}")
            } else {
                format!("+{} {}", &intl[..cc], pairs_from_right(&intl[cc..]))
            }
        }
        None if n.len() == 10 && n.starts_with('0') => pairs_from_right(&n),
        None => n,
    }
}

/// How many digits the country code at the start of an international number has: country
/// codes are a prefix code (ITU-T E.164), one digit for zones 1 and 7, two for the codes
/// below, three for every other.
fn country_code_len(intl: &str) -> usize {
    const TWO: &[&str] = &[
        "20", "27", "30", "31", "32", "33", "34", "36", "39", "40", "41", "43", "44", "45", "46",
        "47", "48", "49", "51", "52", "53", "54", "55", "56", "57", "58", "60", "61", "62", "63",
        "64", "65", "66", "81", "82", "84", "86", "90", "91", "92", "93", "94", "95", "98",
    ];
    if intl.starts_with('1') || intl.starts_with('7') {
        1
    } else if TWO.iter().any(|c| intl.starts_with(c)) {
        2
    } else {
        3
    }
}

/// Digits in pairs counted from the right, an odd one alone in front (`612345678` →
/// `6 12 34 56 78`).
fn pairs_from_right(d: &str) -> String {
    let mut out = String::with_capacity(d.len() * 3 / 2);
    let lead = d.len() % 2;
    for (i, c) in d.chars().enumerate() {
        if i > 0 && (i + 2 - lead).is_multiple_of(2) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn withheld_numbers_are_recognised_in_any_case() {
        for w in [
            "",
            "  ",
            "anonymous",
            "Anonymous",
            "UNKNOWN",
            "restricted",
            "private",
            "Masqué",
        ] {
            assert!(is_withheld(w), "{w:?}");
        }
        for n in ["0612345678", "+33", "anonymous2", "0"] {
            assert!(!is_withheld(n), "{n:?}");
        }
        // Asterisk's manager interface for a caller id it has not got.
        assert!(is_withheld("<unknown>"));
        assert!(is_withheld(" <UNKNOWN> "));
    }

    #[test]
    fn only_numbers_are_numbers() {
        for n in [
            "0612345678",
            "+33 (0)6 12 34 56 78",
            "3001",
            "0033612345678",
        ] {
            assert!(is_number(n), "{n:?}");
        }
        for t in [
            "sip:anonymous@pbx.example",
            "support",
            "Jean Dupont",
            "",
            "06 12 AB",
        ] {
            assert!(!is_number(t), "{t:?}");
        }
    }

    #[test]
    fn numbers_keep_their_digits_and_a_leading_plus() {
        for (raw, kept) in [
            ("06 12 34 56 78", "0612345678"),
            ("06.12.34.56.78", "0612345678"),
            ("06-12-34-56-78", "0612345678"),
            (" +33 6 12 34 56 78 ", "+33612345678"),
            ("+ 33 6", "+336"),
            ("2000", "2000"),
            ("0", "0"),
            // The trunk prefix after a country code, as Zammad's caller-id lookup drops it.
            ("+33 (0)6 12 34 56 78", "+33612345678"),
            ("+33(0)612345678", "+33612345678"),
            ("0033 (0)6 12 34 56 78", "0033612345678"),
            ("+49 (0)30 1234567", "+49301234567"),
            // An area code in parentheses keeps its digits.
            ("(01) 40 07 20 00", "0140072000"),
            ("(0)6 12", "0612"),
            ("+262 (692) 12 34 56", "+262692123456"),
        ] {
            assert_eq!(normalize(raw).as_deref(), Ok(kept), "{raw:?}");
        }
        assert_eq!(normalize(&"1".repeat(32)).map(|n| n.len()), Ok(32));
        for (raw, problem) in [
            ("", NumberProblem::Empty),
            ("   ", NumberProblem::Empty),
            ("+", NumberProblem::NotANumber),
            ("- . -", NumberProblem::NotANumber),
            ("06 12 ab", NumberProblem::NotANumber),
            ("33+6", NumberProblem::NotANumber),
            ("++33", NumberProblem::NotANumber),
            ("+33 (0", NumberProblem::NotANumber),
            ("+33 ()6", NumberProblem::NotANumber),
            ("(01) (40)", NumberProblem::NotANumber),
            ("+33 (0-6)", NumberProblem::NotANumber),
            ("06)", NumberProblem::NotANumber),
            ("sip:anonymous@pbx.example", NumberProblem::NotANumber),
            ("<unknown>", NumberProblem::NotANumber),
            ("*21", NumberProblem::NotANumber),
            ("0612\u{1b}[2J", NumberProblem::NotANumber),
            ("٠٦١٢", NumberProblem::NotANumber),
            (&"1".repeat(33), NumberProblem::TooLong(33)),
        ] {
            assert_eq!(normalize(raw), Err(problem), "{raw:?}");
        }
    }

    #[test]
    fn numbers_read_in_the_french_grouping() {
        for (raw, read) in [
            ("0612345678", "06 12 34 56 78"),
            ("06.12.34.56.78", "06 12 34 56 78"),
            ("0140072000", "01 40 07 20 00"),
            ("+33612345678", "+33 6 12 34 56 78"),
            ("+33 1 40 07 20 00", "+33 1 40 07 20 00"),
            ("0033612345678", "+33 6 12 34 56 78"),
            ("+442079460958", "+44 20 79 46 09 58"),
            ("+12125550100", "+1 21 25 55 01 00"),
            ("+262692123456", "+262 6 92 12 34 56"),
            ("+687281234", "+687 28 12 34"),
            ("+68987123456", "+689 87 12 34 56"),
            ("+590590123456", "+590 5 90 12 34 56"),
            ("+33 (0)6 12 34 56 78", "+33 6 12 34 56 78"),
            ("sip:anonymous@pbx.example", "sip:anonymous@pbx.example"),
            ("+33", "+33"),
            ("2000", "2000"),
            ("3939", "3939"),
            ("112", "112"),
            ("0033", "0033"),
            ("061234567", "061234567"),
            ("anonymous", "anonymous"),
            ("06\u{1b}[2J", "06␛[2J"),
        ] {
            assert_eq!(for_reading(raw), read, "{raw:?}");
        }
    }

    #[test]
    fn pairs_are_counted_from_the_right() {
        assert_eq!(pairs_from_right(""), "");
        assert_eq!(pairs_from_right("1"), "1");
        assert_eq!(pairs_from_right("12"), "12");
        assert_eq!(pairs_from_right("123"), "1 23");
        assert_eq!(pairs_from_right("1234"), "12 34");
    }
}
