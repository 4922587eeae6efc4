//! How an operator's words become search terms: accent folding, stop words, and tolerance
//! of one typo in a longer word.

use super::text::fold;
use std::collections::HashSet;

/// Words that carry no meaning for matching a procedure.
const STOP_WORDS: &[&str] = &[
    "a", "ai", "ait", "alors", "as", "au", "aucun", "aucune", "aussi", "aux", "avec", "avez",
    "avoir", "bien", "ca", "ce", "cela", "ces", "cet", "cette", "chez", "comme", "comment", "d",
    "dans", "de", "deja", "depuis", "des", "donc", "du", "elle", "en", "encore", "est", "et",
    "etre", "fait", "il", "j", "je", "l", "la", "le", "les", "leur", "lui", "m", "ma", "mais",
    "me", "mes", "moi", "mon", "n", "ne", "nous", "on", "ont", "ou", "par", "pas", "peut", "peux",
    "plus", "pour", "quand", "que", "quel", "quelle", "qui", "qu", "s", "sa", "se", "ses", "si",
    "son", "suis", "sur", "t", "ta", "te", "tes", "toi", "ton", "tout", "tres", "tu", "un", "une",
    "veut", "veux", "vous", "y",
];

/// Shortest word in which one typo is forgiven.
pub const TYPO_MIN_LEN: usize = 5;

/// A word reduced to the form the index keeps: a French plural's final `s` or `x` goes
/// ("mails" and "mail", "appels" and "appel" meet). Applied to the index and the queries
/// alike, so it needs to be consistent, not linguistics.
pub fn stem(word: &str) -> &str {
    let n = word.len();
    if n > 3 && (word.ends_with('s') && !word.ends_with("ss") || word.ends_with('x')) {
        &word[..n - 1]
    } else {
        word
    }
}

/// A drive letter ("T:", "le t: a disparu") as a word of its own: a single letter would
/// be dropped as a stop word or match every elision.
fn drive_letters(folded: &str) -> String {
    let chars: Vec<char> = folded.chars().collect();
    let mut out = String::with_capacity(folded.len());
    for (i, &c) in chars.iter().enumerate() {
        let alone = (i == 0 || !chars[i - 1].is_alphanumeric())
            && chars.get(i + 1) == Some(&':')
            && chars.get(i + 2).is_none_or(|n| !n.is_alphanumeric());
        if c.is_ascii_alphabetic() && alone {
            out.push(' ');
            out.push(c);
            out.push_str("deuxpoints ");
        } else {
            out.push(c);
        }
    }
    out
}

/// Text as the index holds it: folded, cut into words, each stemmed.
pub fn index_text(text: &str) -> String {
    drive_letters(&fold(text))
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(stem)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The meaningful words of a query, folded (lower case, no accents) and stemmed like the
/// index, in order, deduplicated.
pub fn query_words(query: &str) -> Vec<String> {
    let mut seen = HashSet::new();
    drive_letters(&fold(query))
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && !STOP_WORDS.contains(w))
        .map(stem)
        .filter(|w| seen.insert(w.to_string()))
        .map(String::from)
        .collect()
}

/// Sorted words in which to look up a word's near spellings, held as one buffer: a
/// catalogue of ten thousand procedures has some hundred thousand words.
pub trait SortedWords {
    fn word_count(&self) -> usize;
    fn word(&self, i: usize) -> &str;

    fn find(&self, word: &str) -> Option<usize> {
        let (mut lo, mut hi) = (0, self.word_count());
        while lo < hi {
            let mid = (lo + hi) / 2;
            match self.word(mid).cmp(word) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(mid),
            }
        }
        None
    }
}

/// The letters a folded word is made of: what an edit may put in it.
const ALPHABET: &str = "abcdefghijklmnopqrstuvwxyz0123456789";

/// The indexes of the words one edit away from `word` (a letter missing, added, changed,
/// or two neighbours swapped; never `word` itself), for words long enough to forgive a
/// typo; at most `max`, in word order. The variants are made and looked up one by one:
/// no index of deletions is kept in memory.
pub fn near_words(words: &impl SortedWords, word: &str, max: usize) -> Vec<usize> {
    let chars: Vec<char> = word.chars().collect();
    let n = chars.len();
    if n < TYPO_MIN_LEN {
        return Vec::new();
    }
    let mut found: Vec<usize> = Vec::new();
    let mut try_variant = |v: &[char]| {
        let s: String = v.iter().collect();
        if s != word
            && let Some(i) = words.find(&s)
            && !found.contains(&i)
        {
            found.push(i);
        }
    };
    let mut v: Vec<char> = Vec::with_capacity(n + 1);
    for i in 0..n {
        // A letter too many.
        v.clear();
        v.extend(
            chars
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, c)| *c),
        );
        try_variant(&v);
        // Two neighbours swapped.
        if i + 1 < n {
            v.clear();
            v.extend_from_slice(&chars);
            v.swap(i, i + 1);
            try_variant(&v);
        }
        // A letter changed.
        for c in ALPHABET.chars() {
            if c != chars[i] {
                v.clear();
                v.extend_from_slice(&chars);
                v[i] = c;
                try_variant(&v);
            }
        }
    }
    // A letter missing.
    for i in 0..=n {
        for c in ALPHABET.chars() {
            v.clear();
            v.extend_from_slice(&chars[..i]);
            v.push(c);
            v.extend_from_slice(&chars[i..]);
            try_variant(&v);
        }
    }
    found.sort_unstable();
    found.truncate(max);
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_folded_and_stop_words_dropped() {
        assert_eq!(
            query_words("La carte d'agent est OUBLIÉE, la carte"),
            ["carte", "agent", "oubliee"]
        );
        assert_eq!(query_words("clé USB"), ["cle", "usb"]);
        assert_eq!(query_words("mes mails, ses appels"), ["mail", "appel"]);
        assert_eq!(index_text("Les Mails : accès"), "les mail acce");
        assert_eq!(stem("bus"), "bus");
        // Drive letters are words of their own, on both sides.
        assert_eq!(query_words("le t: a disparu"), ["tdeuxpoint", "disparu"]);
        assert!(index_text("lecteurs I:, S:, T:").contains("sdeuxpoint tdeuxpoint"));
        assert_eq!(query_words("http://x"), ["http", "x"]);
        assert_eq!(stem("class"), "class");
    }

    impl SortedWords for Vec<&str> {
        fn word_count(&self) -> usize {
            self.len()
        }
        fn word(&self, i: usize) -> &str {
            self[i]
        }
    }

    #[test]
    fn one_typo_is_forgiven_in_long_words() {
        let mut words = vec![
            "cryhod",
            "bitlocker",
            "imprimante",
            "vpn",
            "carte",
            "cartes",
        ];
        words.sort_unstable();
        let near = |w: &str| -> Vec<&str> {
            near_words(&words, w, 5)
                .into_iter()
                .map(|i| words[i])
                .collect()
        };
        assert_eq!(near("cryod"), ["cryhod"]); // missing letter
        assert_eq!(near("bitloker"), ["bitlocker"]); // missing letter
        assert_eq!(near("imprimnate"), ["imprimante"]); // swapped letters
        assert_eq!(near("imprimamte"), ["imprimante"]); // changed letter
        assert_eq!(near("cryhodd"), ["cryhod"]); // extra letter
        assert_eq!(near("carte"), ["cartes"]);
        assert!(near("vpm").is_empty(), "short words need exact letters");
        assert!(near("crayon").is_empty());
    }
}
