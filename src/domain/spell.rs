//! Spelling a password aloud over the phone, one character per line (seed 003 warns that
//! special characters belong to the password and that 1/l and 0/O are confused).
//! Nothing spelled is ever stored or logged: these functions only return text.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Alphabet {
    /// Alfa, Bravo, Charlie... (ICAO / NATO).
    #[default]
    International,
    /// Anatole, Berthe, Célestin...
    French,
}

const INTERNATIONAL: [&str; 26] = [
    "Alfa", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf", "Hotel", "India", "Juliett",
    "Kilo", "Lima", "Mike", "November", "Oscar", "Papa", "Quebec", "Romeo", "Sierra", "Tango",
    "Uniform", "Victor", "Whiskey", "X-ray", "Yankee", "Zulu",
];

const FRENCH: [&str; 26] = [
    "Anatole",
    "Berthe",
    "Célestin",
    "Désiré",
    "Eugène",
    "François",
    "Gaston",
    "Henri",
    "Irma",
    "Joseph",
    "Kléber",
    "Louis",
    "Marcel",
    "Nicolas",
    "Oscar",
    "Pierre",
    "Quintal",
    "Raoul",
    "Suzanne",
    "Thérèse",
    "Ursule",
    "Victor",
    "William",
    "Xavier",
    "Yvonne",
    "Zoé",
];

const DIGITS: [&str; 10] = [
    "zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf",
];

/// French names of the characters found in passwords.
const SYMBOLS: &[(char, &str)] = &[
    (' ', "espace"),
    ('-', "tiret"),
    ('_', "tiret bas"),
    ('.', "point"),
    (',', "virgule"),
    (';', "point-virgule"),
    (':', "deux-points"),
    ('=', "égal"),
    ('?', "point d'interrogation"),
    ('!', "point d'exclamation"),
    ('@', "arobase"),
    ('#', "dièse"),
    ('$', "dollar"),
    ('€', "euro"),
    ('£', "livre sterling"),
    ('%', "pour cent"),
    ('&', "esperluette (et commercial)"),
    ('*', "astérisque"),
    ('+', "plus"),
    ('/', "barre oblique"),
    ('\\', "barre oblique inversée"),
    ('|', "barre verticale"),
    ('(', "parenthèse ouvrante"),
    (')', "parenthèse fermante"),
    ('[', "crochet ouvrant"),
    (']', "crochet fermant"),
    ('{', "accolade ouvrante"),
    ('}', "accolade fermante"),
    ('<', "inférieur (chevron ouvrant)"),
    ('>', "supérieur (chevron fermant)"),
    ('"', "guillemet droit"),
    ('\'', "apostrophe"),
    ('`', "accent grave seul"),
    ('^', "accent circonflexe seul"),
    ('~', "tilde"),
    ('§', "paragraphe"),
    ('°', "degré"),
    ('µ', "micro"),
    ('¤', "symbole monétaire"),
    ('²', "exposant deux"),
];

/// Characters callers and operators mix up when reading.
const CONFUSABLE: &[(char, &str)] = &[
    ('1', "chiffre un, pas l ni I"),
    ('l', "L minuscule, pas 1 ni I"),
    ('I', "i majuscule, pas 1 ni l"),
    ('|', "barre verticale, pas l ni 1"),
    ('0', "chiffre zéro, pas la lettre O"),
    ('O', "lettre O, pas le chiffre 0"),
    ('o', "lettre o, pas le chiffre 0"),
    ('5', "chiffre cinq, pas S"),
    ('S', "lettre S, pas 5"),
    ('2', "chiffre deux, pas Z"),
    ('Z', "lettre Z, pas 2"),
    ('8', "chiffre huit, pas B"),
    ('B', "lettre B, pas 8"),
];

/// One character as read aloud.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Spelled {
    /// The character as shown (a space shows as "␠").
    pub shown: String,
    /// What to say.
    pub say: String,
    /// A warning when the character is easily taken for another.
    pub confusable: Option<&'static str>,
}

fn accent_name(c: char) -> Option<(char, &'static str)> {
    Some(match c {
        'é' => ('e', "accent aigu"),
        'è' => ('e', "accent grave"),
        'ê' => ('e', "accent circonflexe"),
        'ë' => ('e', "tréma"),
        'à' => ('a', "accent grave"),
        'â' => ('a', "accent circonflexe"),
        'ä' => ('a', "tréma"),
        'î' => ('i', "accent circonflexe"),
        'ï' => ('i', "tréma"),
        'ô' => ('o', "accent circonflexe"),
        'ö' => ('o', "tréma"),
        'ù' => ('u', "accent grave"),
        'û' => ('u', "accent circonflexe"),
        'ü' => ('u', "tréma"),
        'ç' => ('c', "cédille"),
        'ÿ' => ('y', "tréma"),
        _ => return None,
    })
}

fn spell_char(c: char, alphabet: Alphabet) -> Spelled {
    let words = match alphabet {
        Alphabet::International => &INTERNATIONAL,
        Alphabet::French => &FRENCH,
    };
    let confusable = CONFUSABLE.iter().find(|(x, _)| *x == c).map(|(_, w)| *w);
    let shown = if c == ' ' {
        "␠".to_string()
    } else {
        c.to_string()
    };
    let say = if c.is_ascii_alphabetic() {
        let word = words[(c.to_ascii_lowercase() as u8 - b'a') as usize];
        let case = if c.is_ascii_uppercase() {
            "majuscule"
        } else {
            "minuscule"
        };
        format!("{} {case}, comme {word}", c.to_ascii_uppercase())
    } else if let Some(d) = c.to_digit(10) {
        format!("chiffre {d} ({})", DIGITS[d as usize])
    } else if let Some((name, what)) = SYMBOLS.iter().find(|(x, _)| *x == c) {
        let _ = name;
        what.to_string()
    } else if let Some((base, accent)) = accent_name(c.to_lowercase().next().unwrap_or(c)) {
        let case = if c.is_uppercase() {
            "majuscule"
        } else {
            "minuscule"
        };
        format!("{} {accent} {case}", base.to_ascii_uppercase())
    } else if c.is_control() {
        format!("caractère de contrôle U+{:04X}", c as u32)
    } else {
        format!("caractère « {c} » (U+{:04X})", c as u32)
    };
    Spelled {
        shown,
        say,
        confusable,
    }
}

/// Every character of `text`, in order.
pub fn spell(text: &str, alphabet: Alphabet) -> Vec<Spelled> {
    text.chars().map(|c| spell_char(c, alphabet)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_digits_and_symbols() {
        let s = spell("Ab1-_ .=?!", Alphabet::International);
        let says: Vec<&str> = s.iter().map(|x| x.say.as_str()).collect();
        assert_eq!(
            says,
            [
                "A majuscule, comme Alfa",
                "B minuscule, comme Bravo",
                "chiffre 1 (un)",
                "tiret",
                "tiret bas",
                "espace",
                "point",
                "égal",
                "point d'interrogation",
                "point d'exclamation"
            ]
        );
        assert_eq!(s[5].shown, "␠");
    }

    #[test]
    fn french_alphabet_and_accents() {
        let s = spell("cÉç", Alphabet::French);
        assert_eq!(s[0].say, "C minuscule, comme Célestin");
        assert_eq!(s[1].say, "E accent aigu majuscule");
        assert_eq!(s[2].say, "C cédille minuscule");
        assert_eq!(
            spell("z", Alphabet::French)[0].say,
            "Z minuscule, comme Zoé"
        );
    }

    #[test]
    fn confusable_characters_are_flagged() {
        let s = spell("1lI0Oa", Alphabet::International);
        assert!(s[0].confusable.unwrap().contains("pas l ni I"));
        assert!(s[1].confusable.is_some());
        assert!(s[2].confusable.is_some());
        assert!(s[3].confusable.unwrap().contains("pas la lettre O"));
        assert!(s[4].confusable.unwrap().contains("pas le chiffre 0"));
        assert!(s[4].confusable.is_some());
        assert!(s[5].confusable.is_none());
    }
}
