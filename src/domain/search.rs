//! How an operator's words become search terms: the project's one folding rule
//! ([`fold`]: case, accents, œ/æ/ß), French stop words kept out, French stemming
//! (Snowball), and tolerance of one typo in a longer word. The index and the queries go
//! through the same functions, so a word is found however it is typed.

use super::text::fold;
use rust_stemmers::{Algorithm, Stemmer};
use std::collections::{HashMap, HashSet};
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
/// quoi », « il faut », « je prends quoi », « ça marche toujours pas », « ça fonctionne pas », « impossible
/// de », « j'arrive pas », « j'ai un souci, un problème », « le truc »), folded: stop
/// words too. That nothing works is every call's symptom; what does not work is the
/// call's own words. So are the fillers of speech (« euh », « ben », « voilà »), which a
/// transcript of the call keeps (not « du coup »: « coup » is the stem of « couper », and
/// a word whose stem is a stop word is kept whole).
/// Said on every kind of call, each would weigh as much as a rare word and bring forward
/// whichever procedure happens to hold it in a step.
const CALLERS_FILLERS: &[&str] = &[
    "arrive",
    "arrivent",
    "arriver",
    "bah",
    "ben",
    "beh",
    "bonjour",
    "bref",
    "chose",
    "dois",
    "doit",
    "euh",
    "faire",
    "fais",
    "faut",
    "fonctionne",
    "fonctionnent",
    "hein",
    "heu",
    "impossible",
    "marche",
    "marchent",
    "merci",
    "ok",
    "plein",
    "prend",
    "prendre",
    "prends",
    "prenez",
    "prenne",
    "prennent",
    "prenons",
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
    "voila",
    "voudrais",
    "voudrait",
];

/// The forms of the verbs a caller wraps any request in (« je pouvais », « vous pourriez »,
/// « je voulais », « on devrait », « il faudrait », « je croyais que »), folded: stop words
/// too, as « peut », « veut » and « dois » already were. They say the caller's mood, never
/// the topic; a step that happens to hold one (« vous pouvez… ») met every polite call.
const MODAL_VERBS: &[&str] = &[
    "croirais",
    "croit",
    "croyais",
    "croyait",
    "croyez",
    "crois",
    "devais",
    "devait",
    "devez",
    "devoir",
    "devons",
    "devrais",
    "devrait",
    "devriez",
    "doivent",
    "fallait",
    "faudra",
    "faudrait",
    "peuvent",
    "pourra",
    "pourrai",
    "pourraient",
    "pourrais",
    "pourrait",
    "pourrez",
    "pourriez",
    "pouvaient",
    "pouvais",
    "pouvait",
    "pouvez",
    "pouvoir",
    "pouvons",
    "puisse",
    "puissent",
    "veuillez",
    "voudraient",
    "voudriez",
    "voulais",
    "voulait",
    "voulez",
    "vouloir",
    "voulons",
    "veulent",
];

/// The same words as callers type them in a hurry or as an operator notes them (SMS
/// forms: « jarrive pa », « tjs », « ds le train », « slt vpn ko »), folded: stop words
/// and fillers too. Two-letter forms matter most: joined with their neighbour they made
/// words of the index (« pa co » → « paco »).
const SMS_FORMS: &[&str] = &[
    "allo", "bcp", "bjr", "bonsoir", "chui", "dc", "ds", "jai", "jsuis", "ke", "ki", "ko", "koi",
    "mm", "pa", "pk", "pq", "pr", "salut", "slt", "stp", "tjrs", "tjs", "ts", "tt",
];

/// An English-speaking caller's small words (a trainee from abroad: « my laptop is broken,
/// who do I call »), folded: stop words too, or « is », « it », « the » would meet the
/// procedures that hold them in a name (« soutien-IT », « the green bow »). Words the
/// catalogue or a desk uses as names are not here: « at » (the COMU domain AT), « any »
/// (AnyConnect), « we » (WeTransfer), « get » (wapt-get), « it » (« le service IT », « it
/// team »: without it, « team » alone would be Microsoft Teams).
const ENGLISH_SMALL_WORDS: &[&str] = &[
    "am", "an", "and", "are", "be", "been", "but", "by", "can", "cannot", "cant", "could", "did",
    "didn", "do", "does", "doesn", "don", "for", "from", "had", "has", "have", "hello", "hi",
    "how", "i", "if", "in", "is", "isn", "its", "my", "not", "of", "or", "please", "should", "so",
    "thank", "thanks", "that", "the", "then", "there", "this", "to", "was", "were", "what", "when",
    "where", "which", "who", "why", "will", "with", "would", "you", "your",
];

/// Whether a folded word is a stop word.
pub fn is_stop_word(word: &str) -> bool {
    // Asked for every word of every procedure and of every keystroke's query: one set
    // rather than five lists read end to end.
    static ALL: OnceLock<HashSet<&'static str>> = OnceLock::new();
    ALL.get_or_init(|| {
        [
            STOP_WORDS,
            CALLERS_FILLERS,
            MODAL_VERBS,
            SMS_FORMS,
            ENGLISH_SMALL_WORDS,
        ]
        .concat()
        .into_iter()
        .collect()
    })
    .contains(word)
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
    // The queries' own cut (with what each clause says), so that the index and the queries
    // can never cut a text differently.
    folded_words_aside(text)
        .into_iter()
        .map(|(word, _)| word)
        .collect()
}

/// Words saying that a thing works (« le wifi marche », « l'écran va », « la carte passe »),
/// folded: said last in their clause, or followed only by [`WORKS_WELL`].
const WORKS: &[&str] = &[
    "marche",
    "marchent",
    "fonctionne",
    "fonctionnent",
    "va",
    "vont",
    "passe",
    "ok",
    "nickel",
    "impec",
    "impeccable",
];

/// What may follow [`WORKS`] and still say it works (« marche très bien »).
const WORKS_WELL: &[&str] = &[
    "bien",
    "tres",
    "parfaitement",
    "normalement",
    "nickel",
    "impec",
    "super",
    "aussi",
    "egalement",
];

/// Words that say something does not work: a clause holding one is the problem.
const NOT: &[&str] = &[
    "pas", "plus", "mal", "jamais", "rien", "ne", "n", "non", "aucun", "aucune", "ko", "hs",
];

/// Words opening a new clause as punctuation does (« le wifi marche mais le vpn non »).
const CLAUSE_WORDS: &[&str] = &[
    "mais",
    "sauf",
    "cependant",
    "pourtant",
    "revanche",
    "contre",
    "sinon",
];

/// Words that say « this one too » at the end of a short clause (« tchap aussi »).
const TOO: &[&str] = &["aussi", "egalement", "pareil"];

/// The most meaningful words a « this one too » or a « c'est pas le … » clause holds: a
/// longer one tells more than a thing set aside.
const ASIDE_CLAUSE_MAX_WORDS: usize = 3;

/// Determiners after « c'est pas » that name a thing (« c'est pas le wifi »), not a judgement
/// (« c'est pas normal »).
const NAMING: &[&str] = &[
    "le", "la", "les", "l", "un", "une", "mon", "ma", "mes", "du", "des", "ce", "cette",
];

/// Whether a clause (its folded words, stop words included) says that what it names works
/// or is not the problem; `after_aside`: the clause before it did.
fn is_aside_clause(clause: &[&str], after_aside: bool) -> bool {
    if clause.iter().any(|w| NOT.contains(w)) {
        // « c'est pas le wifi » (a thing named, a few words): not the problem.
        return matches!(clause, ["c", "est", "pas", det, rest @ ..]
            if NAMING.contains(det) && meaningful(rest) <= ASIDE_CLAUSE_MAX_WORDS
                && rest.iter().all(|w| !NOT.contains(w)));
    }
    let works = says_it_works(clause);
    let too = after_aside
        && clause.last().is_some_and(|w| TOO.contains(w))
        && meaningful(clause) <= ASIDE_CLAUSE_MAX_WORDS;
    works || too
}

/// Whether a clause ends saying that what it names works: a word of [`WORKS`] after what it
/// names, followed by nothing but [`WORKS_WELL`].
fn says_it_works(clause: &[&str]) -> bool {
    clause.iter().enumerate().any(|(i, w)| {
        WORKS.contains(w)
            && i > 0
            // « le mot de passe », « de passe »: a noun, not a verb.
            && !(*w == "passe" && matches!(clause[i - 1], "de" | "mot"))
            && clause[i + 1..].iter().all(|w| WORKS_WELL.contains(w))
    })
}

/// Subjects that open a new clause when a caller does not stop between two (« tchap ca va je
/// l'utilise déjà », « le wifi marche on a essayé »): said right after a clause that says a
/// thing works, they end it as a comma would. Not « nous » or « vous », objects as often
/// (« l'outil de visio va nous bloquer ? »).
const SUBJECTS: &[&str] = &["je", "j", "il", "elle", "on", "ils", "elles"];

fn meaningful(words: &[&str]) -> usize {
    words.iter().filter(|w| !is_stop_word(w)).count()
}

/// The meaningful words of a query as [`folded_words`] has them, each with whether its
/// clause says it works or is not the problem.
fn folded_words_aside(text: &str) -> Vec<(String, bool)> {
    let folded = drive_letters(&fold(text));
    let mut out = Vec::new();
    let mut after_aside = false;
    let mut clause: Vec<&str> = Vec::new();
    let mut close = |clause: &mut Vec<&str>, out: &mut Vec<(String, bool)>| {
        if clause.is_empty() {
            return;
        }
        let aside = is_aside_clause(clause, after_aside);
        after_aside = aside;
        out.extend(
            clause
                .drain(..)
                .filter(|w| !is_stop_word(w))
                .map(|w| (w.to_string(), aside)),
        );
    };
    let mut rest = folded.as_str();
    while !rest.is_empty() {
        let end = rest
            .find(|c: char| !c.is_alphanumeric())
            .unwrap_or(rest.len());
        let word = &rest[..end];
        if CLAUSE_WORDS.contains(&word) {
            close(&mut clause, &mut out);
        } else if SUBJECTS.contains(&word) && says_it_works(&clause) {
            close(&mut clause, &mut out);
            clause.push(word);
        } else if !word.is_empty() {
            clause.push(word);
        }
        let Some(c) = rest[end..].chars().next() else {
            break;
        };
        if matches!(c, ',' | ';' | '.' | '!' | '?' | ':' | '(' | ')' | '\n') {
            close(&mut clause, &mut out);
        }
        rest = &rest[end + c.len_utf8()..];
    }
    close(&mut clause, &mut out);
    out
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
    /// Said as working or as not the problem (« le wifi marche », « c'est pas le wifi »):
    /// context of the call, worth less than its problem.
    pub aside: bool,
}

/// The meaningful words of a query, folded and stemmed like the index, in order,
/// deduplicated (by their stems).
pub fn query_terms(query: &str) -> Vec<QueryWord> {
    let mut terms: Vec<QueryWord> = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (folded, aside) in folded_words_aside(query) {
        let stem = stem(&folded);
        match seen.get(&stem) {
            // Said both as working and not: the problem.
            Some(&i) => terms[i].aside &= aside,
            None => {
                seen.insert(stem.clone(), terms.len());
                terms.push(QueryWord {
                    folded,
                    stem,
                    aside,
                });
            }
        }
    }
    terms
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

    /// The index of the first word not before `word` (the word count if none).
    fn first_not_before(&self, word: &str) -> usize {
        let (mut lo, mut hi) = (0, self.word_count());
        while lo < hi {
            let mid = (lo + hi) / 2;
            if self.word(mid) < word {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }

    fn find(&self, word: &str) -> Option<usize> {
        let i = self.first_not_before(word);
        (i < self.word_count() && self.word(i) == word).then_some(i)
    }
}

/// The letters a folded word is made of: what an edit may put in it.
const ALPHABET: &str = "abcdefghijklmnopqrstuvwxyz0123456789";

/// The indexes of the words one edit away from `word` (a letter missing, added, changed,
/// or two neighbours swapped; never `word` itself), for words long enough to forgive a
/// typo; at most `max`, in word order. The first letter is never changed: a caller who
/// mistypes rarely misses it, and two words that differ by their first letter are most
/// often two words (« gentil », « ventil »); it may be missing or too many (« lintranet »
/// for « l'intranet »). The variants are made and looked up one by one: no index of
/// deletions is kept in memory.
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
        // A letter changed, never the first.
        for c in ALPHABET.chars().filter(|_| i > 0) {
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
        // « Prendre » is any call's verb (« je prends quoi »): the hand that takes control
        // is « la main ».
        assert_eq!(query_words("on prend la webconf ?"), ["webconf"]);
        assert_eq!(query_words("il prend la main"), ["main"]);
        // The verbs a request is wrapped in say the caller's mood, not the topic.
        assert_eq!(
            query_words("je croyais que je pouvais partir pendant l'installation"),
            ["part", "install"]
        );
        assert_eq!(query_words("vous pourriez me dire"), ["dir"]);
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
    fn an_english_speaking_callers_small_words_are_stop_words() {
        assert_eq!(
            query_words("My laptop is broken, who do I call? The IT team?"),
            ["laptop", "broken", "call", "it", "team"]
        );
        // Names the catalogue holds stay words.
        assert_eq!(
            query_words("any connect, at, we transfer"),
            ["any", "connect", "at", "we", "transf"]
        );
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

    /// The words of `query` said as working or as not the problem, in order.
    fn aside(query: &str) -> Vec<String> {
        query_terms(query)
            .into_iter()
            .filter(|w| w.aside)
            .map(|w| w.folded)
            .collect()
    }

    #[test]
    fn what_the_caller_says_works_is_set_aside() {
        // A thing said to work, in its own clause, is context, not the call's problem.
        assert_eq!(
            aside("c est pas le wifi, le wifi marche, c est le vpn qui reste bleu"),
            ["wifi"]
        );
        assert_eq!(
            aside(
                "l imprimante de la maison marche, le mail marche bien, c est juste les lecteurs reseau"
            ),
            ["imprimante", "maison", "mail"]
        );
        assert_eq!(
            aside("l ecran va, la carte passe, mais il fait un bruit"),
            ["ecran", "va", "carte", "passe"]
        );
        // « aussi » after a thing that works: that one works too.
        assert_eq!(
            aside("nomade 2 marche, tchap aussi, y a un numero ?"),
            ["nomade", "2", "tchap"]
        );
        assert_eq!(aside("internet fonctionne mais le vpn non"), ["internet"]);
        // Said without a stop: a new subject after « ça va » opens a new clause; an object
        // does not.
        assert_eq!(
            aside("l outil de visio va nous bloquer ?"),
            Vec::<String>::new()
        );
        assert_eq!(
            aside("y a une doc de visio agents ? tchap ca va je l utilise deja"),
            ["tchap", "va"]
        );
        assert_eq!(aside("le wifi marche je peux pas imprimer"), ["wifi"]);
        // What does not work is the problem, however it is said.
        for problem in [
            "le wifi marche pas",
            "le wifi ne marche plus depuis hier",
            "le vpn marche mal",
            "la webcam fonctionne jamais",
            "le wifi marche pas, le vpn aussi",
            "mot de passe",
            "j ai oublie mon mot de passe",
            "ca va deconnecter le pc ?",
            "le vpn va et vient",
            "c est pas normal que le vpn plante",
            "c est pas la premiere fois que le vpn plante au demarrage",
        ] {
            assert_eq!(aside(problem), Vec::<String>::new(), "{problem}");
        }
        // A word said both ways is the problem.
        let words = query_terms("le vpn marche, enfin le vpn de la maison marche pas");
        assert!(words.iter().all(|w| !w.aside), "{words:?}");
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
            "intranet",
            "ventil",
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
        assert!(
            near("gentil").is_empty(),
            "the first letter is taken as typed"
        );
        assert_eq!(near("lintranet"), ["intranet"]); // « l'intranet » without apostrophe
    }
}
