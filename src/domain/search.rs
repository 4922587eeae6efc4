//! How an operator's words become search terms: accent folding, stop words, and tolerance
//! of one typo in a longer word.

use super::text::fold;
use std::collections::{HashMap, HashSet};

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

/// The index's words, arranged to find in a few lookups every word one edit away from a
/// query word (one letter missing, added, changed, or two neighbours swapped).
#[derive(Debug, Clone, Default)]
pub struct TypoIndex {
    words: HashSet<String>,
    /// A word with one letter removed → the words it came from.
    deletions: HashMap<String, Vec<String>>,
}

fn deletions(word: &str) -> impl Iterator<Item = String> + '_ {
    let chars: Vec<char> = word.chars().collect();
    (0..chars.len()).map(move |i| {
        chars
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .map(|(_, c)| *c)
            .collect()
    })
}

impl TypoIndex {
    pub fn new(words: impl IntoIterator<Item = String>) -> TypoIndex {
        let mut index = TypoIndex::default();
        for w in words {
            if w.chars().count() >= TYPO_MIN_LEN {
                for d in deletions(&w) {
                    index.deletions.entry(d).or_default().push(w.clone());
                }
            }
            index.words.insert(w);
        }
        index
    }

    pub fn len(&self) -> usize {
        self.words.len()
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    pub fn contains(&self, word: &str) -> bool {
        self.words.contains(word)
    }

    /// Index words one edit away from `word` (never `word` itself), for words long enough
    /// to forgive a typo; at most `max`, in a stable order.
    pub fn near(&self, word: &str, max: usize) -> Vec<String> {
        if word.chars().count() < TYPO_MIN_LEN {
            return Vec::new();
        }
        let mut found: Vec<String> = Vec::new();
        let mut add = |w: &String| {
            if w != word && !found.contains(w) && one_edit_apart(word, w) {
                found.push(w.clone());
            }
        };
        // The index word has one letter more (the operator missed one).
        if let Some(ws) = self.deletions.get(word) {
            ws.iter().for_each(&mut add);
        }
        for d in deletions(word) {
            // The operator typed one letter too many.
            if let Some(w) = self.words.get(&d) {
                add(w);
            }
            // One letter changed, or two swapped.
            if let Some(ws) = self.deletions.get(&d) {
                ws.iter().for_each(&mut add);
            }
        }
        found.sort();
        found.truncate(max);
        found
    }
}

/// Optimal string alignment distance ≤ 1 (a swap of neighbours counts as one edit).
fn one_edit_apart(a: &str, b: &str) -> bool {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let (la, lb) = (a.len(), b.len());
    if la.abs_diff(lb) > 1 {
        return false;
    }
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    if prefix == la && prefix == lb {
        return true;
    }
    let (ra, rb) = (&a[prefix..], &b[prefix..]);
    if la == lb {
        ra[1..] == rb[1..]
            || (ra.len() >= 2 && ra[0] == rb[1] && ra[1] == rb[0] && ra[2..] == rb[2..])
    } else if la > lb {
        ra[1..] == *rb
    } else {
        *ra == rb[1..]
    }
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

    #[test]
    fn one_typo_is_forgiven_in_long_words() {
        let index = TypoIndex::new(
            [
                "cryhod",
                "bitlocker",
                "imprimante",
                "vpn",
                "carte",
                "cartes",
            ]
            .map(String::from),
        );
        assert_eq!(index.near("cryod", 5), ["cryhod"]); // missing letter
        assert_eq!(index.near("bitloker", 5), ["bitlocker"]); // missing letter
        assert_eq!(index.near("imprimnate", 5), ["imprimante"]); // swapped letters
        assert_eq!(index.near("imprimamte", 5), ["imprimante"]); // changed letter
        assert_eq!(index.near("cryhodd", 5), ["cryhod"]); // extra letter
        assert_eq!(index.near("carte", 5), ["cartes"]);
        assert!(
            index.near("vpm", 5).is_empty(),
            "short words need exact letters"
        );
        assert!(index.near("crayon", 5).is_empty());
    }

    #[test]
    fn edit_distance_is_exact() {
        assert!(one_edit_apart("abcd", "abdc"));
        assert!(one_edit_apart("abcd", "abce"));
        assert!(!one_edit_apart("abcd", "badc"));
        assert!(!one_edit_apart("abcd", "ab"));
    }
}
