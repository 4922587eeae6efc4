//! How an operator's words become search terms: the project's one folding rule
//! ([`fold`]: case, accents, œ/æ/ß), French stop words kept out, French stemming
//! (Snowball), and tolerance of one typo in a longer word. The index and the queries go
//! through the same functions, so a word is found however it is typed.

use super::text::fold;
use rust_stemmers::{Algorithm, Stemmer};
use std::collections::HashSet;
use std::sync::OnceLock;

/// Words that carry no meaning for matching a procedure, folded: articles, pronouns,
/// prepositions, the forms of « être » and « avoir » (Snowball's French list, folded),
/// and what callers add around their words (« tous », « sans », « vers », « pendant »,
/// « juste »).
/// Kept out of the index and of the queries alike: « sans » and « sera » no longer meet
/// whatever procedure happens to hold them.
const STOP_WORDS: &[&str] = &[
    "a", "ai", "aie", "apres", "aient", "aies", "ait", "alors", "as", "au", "aucun", "aucune",
    "aura", "aurai", "auraient", "aurais", "aurait", "auras", "aurez", "auriez", "aurions",
    "aurons", "auront", "aussi", "autre", "aux", "avaient", "avais", "avait", "avec", "avez",
    "aviez", "avions", "avoir", "avons", "avant", "ayant", "bien", "c", "ca", "ce", "ceci", "cela",
    "celle", "celles", "celui", "ces", "cet", "cette", "ceux", "chez", "comme", "comment", "d",
    "dans", "de", "deja", "depuis", "des", "donc", "dont", "du", "elle", "elles", "en", "encore",
    "entre", "es", "est", "et", "etaient", "etais", "etait", "etant", "ete", "etes", "etre", "eu",
    "eux", "fait", "il", "ils", "j", "je", "juste", "l", "la", "le", "les", "leur", "leurs", "lui",
    "m", "ma", "mais", "me", "meme", "mes", "moi", "mon", "n", "ne", "ni", "nos", "notre", "nous",
    "on", "ont", "ou", "par", "pas", "pendant", "peut", "peux", "plus", "pour", "quand", "que",
    "quel", "quelle", "quelles", "quels", "qui", "qu", "s", "sa", "sans", "se", "sera", "serai",
    "seraient", "serais", "serait", "seras", "serez", "seriez", "serions", "serons", "seront",
    "ses", "si", "soi", "soit", "son", "sont", "sous", "suis", "sur", "t", "ta", "te", "tes",
    "toi", "ton", "tous", "tout", "toute", "toutes", "tres", "tu", "un", "une", "vers", "veut",
    "veux", "vos", "votre", "vous", "y",
];

/// What callers say around their words whatever the call (« c'est quoi », « je fais
/// quoi », « il faut », « ça marche toujours pas », « ça fonctionne pas », « impossible
/// de », « j'arrive pas », « j'ai un souci, un problème », « le truc »), folded: stop
/// words too. That nothing works is every call's symptom; what does not work is the
/// call's own words.
/// Said on every kind of call, each would weigh as much as a rare word and bring forward
/// whichever procedure happens to hold it in a step.
const CALLERS_FILLERS: &[&str] = &[
    "arrive",
    "arrivent",
    "arriver",
    "bonjour",
    "chose",
    "dois",
    "doit",
    "faire",
    "fais",
    "faut",
    "fonctionne",
    "fonctionnent",
    "impossible",
    "marche",
    "marchent",
    "merci",
    "ok",
    "plein",
    "probleme",
    "problemes",
    "quoi",
    "reussi",
    "reussie",
    "reussir",
    "reussis",
    "reussit",
    "souci",
    "soucis",
    "svp",
    "toujours",
    "truc",
    "voudrais",
    "voudrait",
];

/// The same words as callers type them in a hurry or as an operator notes them (SMS
/// forms: « jarrive pa », « tjs », « ds le train », « slt vpn ko »), folded: stop words
/// and fillers too. Two-letter forms matter most: joined with their neighbour they made
/// words of the index (« pa co » → « paco »).
const SMS_FORMS: &[&str] = &[
    "allo", "bcp", "bjr", "bonsoir", "chui", "dc", "ds", "jai", "jsuis", "ke", "ki", "ko", "koi",
    "mm", "pa", "pk", "pq", "pr", "salut", "slt", "stp", "tjrs", "tjs", "ts", "tt",
];

/// Whether a folded word is a stop word.
pub fn is_stop_word(word: &str) -> bool {
    STOP_WORDS.contains(&word) || CALLERS_FILLERS.contains(&word) || SMS_FORMS.contains(&word)
}

/// Shortest word in which one typo is forgiven.
pub const TYPO_MIN_LEN: usize = 5;

/// The token a drive letter becomes ("t:" → "tdeuxpoints"): a word of its own, never
/// stemmed.
const DRIVE_MARK: &str = "deuxpoints";

fn stemmer() -> &'static Stemmer {
    static STEMMER: OnceLock<Stemmer> = OnceLock::new();
    STEMMER.get_or_init(|| Stemmer::create(Algorithm::French))
}

/// A folded word reduced to the form the index keeps: Snowball's French stemmer
/// (« téléphone » and « téléphonique » meet in « telephon », « imprimantes » and
/// « imprimante » in « imprim »), applied to the folded word so that a word typed without
/// its accents stems as it does with them. A drive letter's token is kept whole, and a
/// word whose stem would be a stop word stays as it is (« pars » is not « par »).
pub fn stem(word: &str) -> String {
    if word.ends_with(DRIVE_MARK) && word.len() == DRIVE_MARK.len() + 1 {
        return word[..word.len() - 1].to_string();
    }
    let stemmed = stemmer().stem(word);
    if is_stop_word(&stemmed) {
        return word.to_string();
    }
    // Snowball keeps the s after an o (« gros », « dos »): the plurals of the words the
    // desk borrowed (« vidéos », « numéros », « photos », « logos ») would never meet their
    // singular. Words of five letters or more only: « gros » and « dos » stay whole.
    if word.len() >= PLURAL_OS_MIN_LEN
        && word.ends_with("os")
        && let Some(singular) = stemmed.strip_suffix("os")
    {
        return format!("{singular}o");
    }
    stemmed.into_owned()
}

/// Shortest word ending in « os » read as a plural (see [`stem`]).
const PLURAL_OS_MIN_LEN: usize = 5;

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
            out.push_str(DRIVE_MARK);
            out.push(' ');
        } else {
            out.push(c);
        }
    }
    out
}

/// The meaningful words of a text, folded and cut, stop words left out, in order (not
/// stemmed): what the index and the queries are made of.
pub fn folded_words(text: &str) -> Vec<String> {
    drive_letters(&fold(text))
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && !is_stop_word(w))
        .map(String::from)
        .collect()
}

/// Text as the index holds it: its meaningful words, folded and stemmed.
pub fn index_text(text: &str) -> String {
    folded_words(text)
        .iter()
        .map(|w| stem(w))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The words a text writes with a hyphen (« Wi-Fi », « visio-agents »), joined and
/// stemmed (« wif », « visioagent »): the index keeps them beside their parts, so that a
/// caller who types the word whole (« wifi ») finds it as well as one who types the parts
/// (the query joins neighbours: « wi fi »).
pub fn hyphen_joined(text: &str) -> Vec<String> {
    let folded = fold(text);
    folded
        .split(|c: char| !(c.is_alphanumeric() || c == '-'))
        .filter(|w| w.contains('-'))
        .filter_map(|w| {
            let parts: Vec<&str> = w.split('-').collect();
            (parts.len() > 1 && parts.iter().all(|p| !p.is_empty())).then(|| stem(&parts.concat()))
        })
        .collect()
}

/// One word of a query: as folded (for joining it with its neighbour: « pass code » is
/// « passcode ») and as stemmed (what is looked up).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryWord {
    pub folded: String,
    pub stem: String,
}

/// The meaningful words of a query, folded and stemmed like the index, in order,
/// deduplicated (by their stems).
pub fn query_terms(query: &str) -> Vec<QueryWord> {
    let mut seen = HashSet::new();
    folded_words(query)
        .into_iter()
        .map(|folded| QueryWord {
            stem: stem(&folded),
            folded,
        })
        .filter(|w| seen.insert(w.stem.clone()))
        .collect()
}

/// The stems of a query's meaningful words, in order, deduplicated.
pub fn query_words(query: &str) -> Vec<String> {
    query_terms(query).into_iter().map(|w| w.stem).collect()
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
            ["cart", "agent", "oublie"]
        );
        assert_eq!(query_words("clé USB"), ["cle", "usb"]);
        assert_eq!(query_words("mes mails, ses appels"), ["mail", "appel"]);
        assert_eq!(index_text("Les Mails : accès"), "mail acce");
        assert_eq!(stem("bus"), "bus");
        // Drive letters are words of their own, on both sides.
        assert_eq!(query_words("le t: a disparu"), ["tdeuxpoint", "disparu"]);
        assert!(index_text("lecteurs I:, S:, T:").contains("sdeuxpoint tdeuxpoint"));
        assert_eq!(query_words("http://x"), ["http", "x"]);
        assert_eq!(stem("class"), "class");
    }

    #[test]
    fn hyphenated_words_are_also_whole() {
        assert_eq!(
            hyphen_joined("Se connecter à un Wi-Fi (visio-agents) ; J-7 - fin"),
            [stem("wifi"), stem("visioagents"), "j7".to_string()]
        );
        assert!(hyphen_joined("sans trait d'union").is_empty());
    }

    #[test]
    fn a_word_is_never_cut_into_another_word() {
        // Issue 23: the hand-written plural rule made « san », « tou », « ver », « par »
        // and « livebo » of words that are not plurals.
        let words = query_words("sans tous vers sera livebox");
        assert_eq!(words, ["livebox"]);
        assert_eq!(index_text("Sans la Livebox, tous vers"), "livebox");
        // A stem that would be a stop word keeps its word: « pars » is not « par ».
        assert_eq!(query_words("je pars en congés"), ["pars", "cong"]);
        assert_eq!(stem("livebox"), "livebox");
        // What callers type in a hurry is no word of theirs: « pa co » made « paco ».
        assert_eq!(
            query_words("slt vpn ko tjs, jai pa de co ds le train"),
            ["vpn", "co", "train"]
        );
        // Short words in « os » are not plurals.
        assert_eq!(stem("gros"), "gros");
        assert_eq!(stem("dos"), "dos");
    }

    #[test]
    fn french_forms_of_a_word_meet() {
        for (a, b) in [
            ("téléphone", "téléphonique"),
            ("imprimante", "imprimantes"),
            ("réseau", "réseaux"),
            ("lecteurs", "lecteur"),
            ("partager", "partage"),
            ("conférence", "conferences"),
            ("certificats", "certificat"),
            ("vidéos", "vidéo"),
            ("numéros", "numéro"),
        ] {
            assert_eq!(query_words(a), query_words(b), "{a} / {b}");
        }
        // The same whether typed with its accents or without.
        assert_eq!(query_words("téléphonique"), query_words("telephonique"));
        assert_eq!(query_words("Œuvre Straße"), query_words("oeuvre strasse"));
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
