//! The procedure search index: the words of each procedure (folded and stemmed here, by
//! the rule the queries follow), kept in the store and rebuilt when the catalogue
//! changes, and the one search function the console and the command line share.
//!
//! The words are read once, in order, into memory, and each keystroke is matched and
//! ranked there: the same on SQLite and on PostgreSQL. Asking SQLite to rank with bm25
//! cost time in proportion to the number of matching procedures: on a catalogue of 10,000
//! a two-letter prefix took 10 to 20 ms. In memory the same keystroke is a few lists
//! merged into one array.

use super::conn::Tx;
use super::db::{DbError, Engine, Value, args};
use super::{Result, Store, StoreError};
use crate::catalog::procedures::{Catalog, CatalogSource};
use crate::domain::learned::{LearnedWhy, Lessons, Taught};
use crate::domain::procedure::Procedure;
use crate::domain::procedure::{Applies, StepKind};
use crate::domain::search::{
    QueryWord, SortedWords, TYPO_MIN_LEN, hyphen_joined, index_text, is_stop_word, near_words,
    query_terms, stem,
};
use crate::domain::sound::sound_key;
use crate::domain::thesaurus::Thesaurus;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

mod key_cache;
pub(super) mod postings;

use key_cache::{Generation, KeyCache, Own};
use postings::{Packed, Postings, push_step};

/// At most this many near spellings are tried for one query word.
const MAX_VARIANTS: usize = 4;
/// Shortest stem the index does not know that is read as the head of longer terms.
const UNKNOWN_STEM_PREFIX_MIN: usize = 7;

/// Column bits of a posting, and what a match in each column is worth.
const TITLE: u8 = 1;
const KEYWORDS: u8 = 2;
const SUMMARY: u8 = 4;
const BODY: u8 = 8;

/// The best column a word matched in decides its weight: a word of the title says more
/// about a procedure than a word of its steps. Keywords at 5 (was 6): with long lists of
/// callers' words in the keywords, a title's word should stay clearly above them; measured
/// on the three development sets (6 and 7 lose calls of callers_set_2, 4 loses operators'
/// and callers' calls).
fn column_weight(mask: u8) -> f64 {
    if mask & TITLE != 0 {
        8.0
    } else if mask & KEYWORDS != 0 {
        5.0
    } else if mask & SUMMARY != 0 {
        2.0
    } else if mask & BODY != 0 {
        1.0
    } else {
        0.0
    }
}

/// SQLite's own page cache size (2,000 KiB), put back after the index's one pass.
const SQLITE_CACHE: i64 = -2000;

/// What a search needs in memory: the index's terms (sorted, in one buffer) and their
/// postings (packed), and which services and devices each procedure is for. Compact: a
/// catalogue of ten thousand procedures holds a few megabytes.
#[derive(Debug, Clone, Default)]
pub struct SearchIndex {
    procedures: Vec<Indexed>,
    /// The terms, one after the other; term i is `text[starts[i]..starts[i + 1]]`.
    text: String,
    starts: Vec<u32>,
    /// For term i: `postings[first[i]..first[i + 1]]`, the procedures (their places in
    /// `procedures`) that have it and the columns they have it in, as steps
    /// ([`postings`]: two bytes each, nearly all).
    postings: Vec<u16>,
    first: Vec<u32>,
    /// Each procedure's place in slug order: ties in the ranking are broken by slug, and
    /// comparing two numbers instead of two slugs keeps a keystroke's sort short when many
    /// procedures score alike (variants of one procedure across services).
    slug_rank: Vec<u32>,
    /// Each procedure's place in the order that breaks ties in the ranking: by shorter
    /// title, then by slug (`tie_rank`); for a call of a known service, by fewer services
    /// first (`tie_rank_service`). One number compared per tie, as with the slug alone: a
    /// catalogue of variants ties by the thousand on a short word, and reading each
    /// procedure's record instead cost a keystroke milliseconds in cache misses.
    tie_rank: Vec<u32>,
    tie_rank_service: Vec<u32>,
    /// The desk's groups of words that mean the same (embedded, and its own).
    thesaurus: Arc<Thesaurus>,
    /// What the desk's walks taught ([`Lessons`]), by word stem: the procedures (index)
    /// and how much. Empty unless [`SearchIndex::set_learned`] gave some.
    learned: Arc<HashMap<String, Vec<(u32, Taught)>>>,
    /// Which index this is, for the words a keystroke's search keeps for the next
    /// ([`KeyCache`]): a new one for each index made (read, changed) and each change of
    /// its thesaurus or lessons; a copy shares it with what it copies, being the same.
    generation: Generation,
    /// The terms by how they sound ([`sound_key`]), made the first time a query word
    /// meets nothing else: most searches never need it.
    sounds: SoundTable,
}

/// The index's terms (not its phrases) with their sound keys, sorted by key, in one
/// buffer as the terms are (a catalogue of ten thousand procedures has tens of thousands
/// of them). Shared by an index's copies; a new index starts without one.
#[derive(Clone, Default)]
struct SoundTable(Arc<OnceLock<Sounds>>);

/// Entry i: the key `keys[starts[i]..starts[i + 1]]`, of the term `terms[i]`.
struct Sounds {
    keys: String,
    starts: Vec<u32>,
    terms: Vec<u32>,
}

impl Sounds {
    fn of(index: &SearchIndex) -> Sounds {
        let mut keyed: Vec<(String, u32)> = (0..index.word_count())
            .filter(|&t| !index.word(t).contains(' '))
            .map(|t| (sound_key(index.word(t)), t as u32))
            .filter(|(k, _)| k.chars().count() >= SOUND_MIN_LEN)
            .collect();
        keyed.sort_unstable();
        let mut sounds = Sounds {
            keys: String::with_capacity(keyed.iter().map(|(k, _)| k.len()).sum()),
            starts: Vec::with_capacity(keyed.len() + 1),
            terms: Vec::with_capacity(keyed.len()),
        };
        for (key, term) in keyed {
            sounds.starts.push(sounds.keys.len() as u32);
            sounds.keys.push_str(&key);
            sounds.terms.push(term);
        }
        sounds.starts.push(sounds.keys.len() as u32);
        sounds
    }

    /// The terms whose key is `key`, at most `max`.
    fn terms_of(&self, key: &str, max: usize) -> Vec<usize> {
        (self.first_not_before(key)..self.terms.len())
            .take_while(|&i| self.word(i) == key)
            .take(max)
            .map(|i| self.terms[i] as usize)
            .collect()
    }
}

/// The keys, in order.
impl SortedWords for Sounds {
    fn word_count(&self) -> usize {
        self.terms.len()
    }
    fn word(&self, i: usize) -> &str {
        &self.keys[self.starts[i] as usize..self.starts[i + 1] as usize]
    }
}

/// Not its content: an index's `Debug` compares two engines' indexes
/// (`relevance_engines`), whether a search made the table or not.
impl std::fmt::Debug for SoundTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SoundTable")
    }
}

impl SortedWords for SearchIndex {
    fn word_count(&self) -> usize {
        self.starts.len().saturating_sub(1)
    }
    fn word(&self, i: usize) -> &str {
        &self.text[self.starts[i] as usize..self.starts[i + 1] as usize]
    }
}

impl SearchIndex {
    /// The procedures that fit a service and a device (either may be left open), by title
    /// (accents aside): (slug, title).
    pub fn browse(&self, service: Option<&str>, device: Option<&str>) -> Vec<(Arc<str>, Arc<str>)> {
        self.by_title(service, device)
            .into_iter()
            .map(|p| (p.slug.clone(), p.title.clone()))
            .collect()
    }

    /// The procedures that fit a service and a device, by title (accents aside), then by
    /// slug: the same whatever order the index holds them in.
    fn by_title(&self, service: Option<&str>, device: Option<&str>) -> Vec<&Indexed> {
        let mut fitting: Vec<(usize, &Indexed)> = self
            .procedures
            .iter()
            .enumerate()
            .filter(|(_, p)| p.fits(service, device) == (true, true))
            .collect();
        fitting.sort_by(|(a, pa), (b, pb)| {
            pa.title_key
                .cmp(&pb.title_key)
                .then_with(|| self.slug_rank[*a].cmp(&self.slug_rank[*b]))
        });
        fitting.into_iter().map(|(_, p)| p).collect()
    }

    pub fn is_empty(&self) -> bool {
        self.procedures.is_empty()
    }

    /// Searches with these groups of synonyms (the embedded ones and a desk's own, see
    /// `catalog::thesaurus::load`) instead of the embedded ones alone.
    pub fn set_thesaurus(&mut self, thesaurus: Thesaurus) {
        self.thesaurus = Arc::new(thesaurus);
        self.generation = Generation::fresh();
    }

    /// Ranks with what the desk's walks taught (see `domain::learned`), its procedures
    /// resolved once here so that a keystroke looks up a few words; a procedure the
    /// catalogue no longer has is left out. Empty lessons: the plain ranking.
    pub fn set_learned(&mut self, lessons: &Lessons) {
        let docs: HashMap<&str, u32> = self
            .procedures
            .iter()
            .enumerate()
            .map(|(i, p)| (&*p.slug, i as u32))
            .collect();
        let mut learned: HashMap<String, Vec<(u32, Taught)>> = HashMap::new();
        for (stem, slug, taught) in lessons.iter() {
            if let Some(&doc) = docs.get(slug) {
                learned
                    .entry(stem.to_string())
                    .or_default()
                    .push((doc, taught));
            }
        }
        self.learned = Arc::new(learned);
        self.generation = Generation::fresh();
    }

    /// What the walks taught for a query's words: for each procedure they taught, the
    /// factor of its score and why (the word that gave the strongest, at most one each).
    fn learned_for(&self, words: &[QueryWord]) -> HashMap<u32, LearnedWhy> {
        let mut out: HashMap<u32, LearnedWhy> = HashMap::new();
        if self.learned.is_empty() {
            return out;
        }
        // What works is not what the walks were for.
        for word in words.iter().filter(|w| !w.aside) {
            for &(doc, taught) in self.learned.get(&word.stem).into_iter().flatten() {
                let factor = taught.factor();
                if out.get(&doc).is_none_or(|w| factor > w.factor) {
                    out.insert(
                        doc,
                        LearnedWhy {
                            word: shown_word(word),
                            walks: taught.walks,
                            factor,
                        },
                    );
                }
            }
        }
        out
    }

    /// How well each procedure fits a call of `service` and `device`, in procedure order.
    fn fits(&self, service: Option<&str>, device: Option<&str>) -> Vec<f64> {
        self.procedures
            .iter()
            .map(|p| p.fit(service, device))
            .collect()
    }

    fn postings_of(&self, term: usize) -> Postings<'_> {
        Postings::of(&self.postings[self.first[term] as usize..self.first[term + 1] as usize])
    }
}

#[derive(Debug, Clone)]
struct Indexed {
    /// Shared with the screens that list procedures (a list of all 10,000 holds pointers,
    /// not copies).
    slug: Arc<str>,
    title: Arc<str>,
    title_key: String,
    /// How many words its title has (as indexed): ties in the ranking go to the shorter
    /// title, where the words that matched say more.
    title_words: u16,
    /// Shared between the procedures written for the same list (a desk's 10,000
    /// procedures name a few dozen lists: 0.8 MB of copies at the console's peak).
    services: Arc<Applies>,
    devices: Arc<Applies>,
}

impl Indexed {
    /// How many services it is written for (every one: more than any list).
    fn service_count(&self) -> usize {
        match &*self.services {
            Applies::All => usize::MAX,
            Applies::Only(v) => v.len(),
        }
    }

    fn fits(&self, service: Option<&str>, device: Option<&str>) -> (bool, bool) {
        (
            service.is_none_or(|s| self.services.includes(s)),
            device.is_none_or(|d| self.devices.includes(d)),
        )
    }

    /// What the call's service and device leave of the words' relevance (1: all of it).
    fn fit(&self, service: Option<&str>, device: Option<&str>) -> f64 {
        let (fits_service, fits_device) = self.fits(service, device);
        let general = service.is_some() && matches!(*self.services, Applies::All);
        fit_factor(fits_service, fits_device) - FIT_ANY_SERVICE * f64::from(u8::from(general))
    }

    fn hit(
        &self,
        relevance: f64,
        matched: Vec<String>,
        fits: (bool, bool),
        fit: f64,
        learned: Option<LearnedWhy>,
    ) -> ProcedureHit {
        let (fits_service, fits_device) = fits;
        let factor = learned.as_ref().map_or(1.0, |l| l.factor);
        ProcedureHit {
            slug: self.slug.to_string(),
            title: self.title.to_string(),
            score: relevance * fit * factor,
            relevance,
            learned,
            matched,
            fits_service,
            fits_device,
            services: self
                .services
                .slugs()
                .iter()
                .map(|s| s.to_string())
                .collect(),
        }
    }
}

fn parse_applies(stored: &str) -> Applies {
    if stored == "*" {
        Applies::All
    } else {
        Applies::Only(stored.split_whitespace().map(String::from).collect())
    }
}

/// The service and device lists of the index's procedures, each parsed once.
#[derive(Default)]
struct AppliesLists(HashMap<Box<str>, Arc<Applies>>);

impl AppliesLists {
    fn get(&mut self, stored: &str) -> Arc<Applies> {
        if let Some(list) = self.0.get(stored) {
            return list.clone();
        }
        let list = Arc::new(parse_applies(stored));
        self.0.insert(stored.into(), list.clone());
        list
    }
}

impl SearchIndex {
    /// The indexes of the terms a query word stands for: itself (as a prefix when it is
    /// being typed, from three letters, or may be a stem, from five, or is a stem of seven
    /// letters or more the index does not know) and, for a word the index does not know,
    /// the terms one typo away (flagged true).
    fn terms_for(&self, word: &str, last: bool, whole: bool) -> Vec<(usize, Met)> {
        let len = word.chars().count();
        let n = self.word_count();
        let lo = self.first_not_before(word);
        let known = lo < n && self.word(lo) == word;
        // Two letters as a prefix would match nearly everything ("co", "re"): they match
        // whole until a third letter comes. A word the stemmer cut (« habitants » →
        // « habit ») is a whole word: its stem is no prefix (« habituel »), unless it is a
        // long stem the index does not know: then it is the head of the terms it begins
        // (« reecrit » for « reecritur »), a derivation Snowball leaves apart.
        let prefix = (last && len >= 3)
            || (!whole && len >= TYPO_MIN_LEN)
            || (!known && len >= UNKNOWN_STEM_PREFIX_MIN);
        let mut found: Vec<(usize, Met)> = (lo..n)
            .take_while(|&i| {
                if prefix {
                    self.word(i).starts_with(word)
                } else {
                    self.word(i) == word
                }
            })
            // A word the caller finished, when the index knows it, is the head of a longer
            // term only when that term is a compound of it (« portail » in « portailotp »,
            // « otp » a term too), not any word that starts with its letters (« bureau » in
            // « bureautique »). A word the index does not know may be cut short
            // (« webconf » for « webconférence »).
            .filter(|&i| {
                !self.word(i).contains(' ')
                    && (last
                        || !known
                        || self.word(i).len() == word.len()
                        || self.is_compound_of(i, word))
            })
            .map(|i| {
                let met = if self.word(i).len() == word.len() {
                    Met::Exact
                } else {
                    Met::Prefix
                };
                (i, met)
            })
            .collect();
        if self.find(word).is_none() {
            for i in near_words(self, word, MAX_VARIANTS) {
                found.push((i, Met::Typo));
            }
        }
        found
    }

    /// Whether term `i` is `head` followed by another term of the index.
    fn is_compound_of(&self, i: usize, head: &str) -> bool {
        self.word(i)
            .get(head.len()..)
            .is_some_and(|rest| self.find(rest).is_some())
    }

    /// The terms a misspelt word's stem misses because the typo is in what the stemmer
    /// cuts (« imprimnate » stems to « imprimnat », not « imprim »): the stems of the
    /// word with two neighbours swapped or a letter too many, those the index has. Only
    /// these two edits: stemming every variant of a word (some 700) would cost a
    /// millisecond a keystroke.
    fn stemmed_near(&self, folded: &str, own_stem: &str) -> Vec<(usize, Met)> {
        let chars: Vec<char> = folded.chars().collect();
        if chars.len() < TYPO_MIN_LEN || self.find(own_stem).is_some() {
            return Vec::new();
        }
        let mut found: Vec<(usize, Met)> = Vec::new();
        let mut try_variant = |v: String| {
            let v = stem(&v);
            // A typo is forgiven in a word of five letters or more: the stem it lands on
            // must be a word of that length, not a short one the edit happens to make
            // (« disant » swapped to « dsiant », stem « dsi »).
            if v.chars().count() < TYPO_MIN_LEN - 1 {
                return;
            }
            if let Some(t) = self.find(&v)
                && !found.iter().any(|(f, _)| *f == t)
                && found.len() < MAX_VARIANTS
            {
                found.push((t, Met::Typo));
            }
        };
        for i in 0..chars.len() {
            let mut v = chars.clone();
            v.remove(i);
            try_variant(v.into_iter().collect());
            if i + 1 < chars.len() && chars[i] != chars[i + 1] {
                let mut v = chars.clone();
                v.swap(i, i + 1);
                try_variant(v.into_iter().collect());
            }
        }
        found
    }

    /// What a query word stands for by itself, whatever its neighbours: its own terms
    /// and near spellings, and the two terms it is made of (« webconf » → « web » and
    /// « conf »; three letters each at least), if the index has it as two.
    fn own(&self, word: &QueryWord, last: bool) -> Own {
        let whole = word.stem != word.folded;
        let mut terms = self.terms_for(&word.stem, last, whole);
        for near in self.stemmed_near(&word.folded, &word.stem) {
            if !terms.iter().any(|(t, _)| *t == near.0) {
                terms.push(near);
            }
        }
        let split = self.split(word);
        if terms.is_empty() && split.is_none() {
            terms = self.sounded(&word.folded);
        }
        Own { terms, split }
    }

    /// The terms a word written as it sounds stands for (« kart » → « cart », « ajen » →
    /// « agent », « konsomasion » → « consomm »): those whose sound key is the longest
    /// beginning of the word's, of three sounds at least and half the word's at least (a
    /// stem sounds as the beginning of its word).
    fn sounded(&self, folded: &str) -> Vec<(usize, Met)> {
        let key: Vec<char> = sound_key(folded).chars().collect();
        if key.len() < SOUND_MIN_LEN {
            return Vec::new();
        }
        let sounds = self.sounds.0.get_or_init(|| Sounds::of(self));
        for len in (SOUND_MIN_LEN..=key.len()).rev() {
            // A beginning shorter than the word is a stem: four sounds at least, three
            // would meet too much (« quarante » would begin as « carte »).
            if len * 2 < key.len() || (len < key.len() && len < SOUND_MIN_LEN + 1) {
                break;
            }
            let head: String = key[..len].iter().collect();
            let found = sounds.terms_of(&head, MAX_VARIANTS);
            if !found.is_empty() {
                return found.into_iter().map(|t| (t, Met::Sound)).collect();
            }
        }
        Vec::new()
    }

    /// The two terms of the index a word is made of, the first cut that finds both.
    fn split(&self, word: &QueryWord) -> Option<Alternative> {
        if self.find(&word.stem).is_some() {
            return None;
        }
        let folded = &word.folded;
        for (k, _) in folded.char_indices().skip(3) {
            let (a, b) = folded.split_at(k);
            if b.chars().count() < 3 {
                break;
            }
            if is_stop_word(a) || is_stop_word(b) {
                continue;
            }
            if let (Some(ta), Some(tb)) = (self.find(&stem(a)), self.find(&stem(b))) {
                return Some(Alternative {
                    parts: vec![vec![(ta, Met::Exact)], vec![(tb, Met::Exact)]],
                    weight: COMPOUND_WEIGHT,
                    via: Via::Split {
                        parts: format!("{a} {b}"),
                    },
                });
            }
        }
        None
    }

    /// What each word of a query stands for: its own terms, the term it makes with a
    /// neighbour (« pass code » → « passcode »), the two terms it is made of (« webconf »
    /// → « web » and « conf »), and the entries of the thesaurus groups it is said in.
    /// Each word's own part from `cache` when it has it (the words typed before the one
    /// being typed), else worked out here.
    fn slots(&self, words: &[QueryWord], mut cache: Option<&mut KeyCache>) -> Vec<Slot> {
        let last = words.len().saturating_sub(1);
        let owns: Vec<Arc<Own>> = words
            .iter()
            .enumerate()
            .map(|(i, w)| match cache.as_deref_mut() {
                Some(cache) => cache.own(self, w, i == last),
                None => Arc::new(self.own(w, i == last)),
            })
            .collect();
        let mut slots: Vec<Slot> = words
            .iter()
            .zip(&owns)
            .map(|(w, own)| Slot {
                word: w.clone(),
                alternatives: vec![Alternative {
                    parts: vec![own.terms.clone()],
                    weight: 1.0,
                    via: Via::Word,
                }],
            })
            .collect();
        // Two words the index has as one.
        for i in 0..last {
            let joined = format!("{}{}", words[i].folded, words[i + 1].folded);
            if let Some(t) = self.find(&stem(&joined)) {
                for j in [i, i + 1] {
                    slots[j].alternatives.push(Alternative {
                        parts: vec![vec![(t, Met::Exact)]],
                        weight: COMPOUND_WEIGHT,
                        via: Via::Joined {
                            compound: joined.clone(),
                        },
                    });
                }
            }
        }
        // Two words said side by side as a procedure's keyword phrase has them.
        for i in 0..last {
            let phrase = phrase_term(&words[i].stem, &words[i + 1].stem);
            if let Some(t) = self.find(&phrase) {
                for j in [i, i + 1] {
                    slots[j].alternatives.push(Alternative {
                        parts: vec![vec![(t, Met::Exact)]],
                        weight: PHRASE_WEIGHT,
                        via: Via::Phrase {
                            phrase: format!("{} {}", words[i].folded, words[i + 1].folded),
                        },
                    });
                }
            }
        }
        // One word the index has as two.
        for (slot, own) in slots.iter_mut().zip(&owns) {
            if let Some(split) = &own.split {
                slot.alternatives.push(split.clone());
            }
        }
        // The desk's synonyms: every other entry of a group the query says.
        let stems: Vec<String> = words.iter().map(|w| w.stem.clone()).collect();
        for said in self.thesaurus.said(&stems) {
            let group = &self.thesaurus.groups()[said.group];
            let said_stems = &group.stems()[said.entry];
            for (e, entry) in group.stems().iter().enumerate() {
                if e == said.entry || entry == said_stems {
                    continue;
                }
                // An entry that is the word said written out (« webconf », « webconférence »):
                // the thesaurus confirms a word cut short, worth what a word's own longer
                // form is (a prefix), not a synonym's less.
                let written_out = matches!((said_stems.as_slice(), entry.as_slice()),
                    ([short], [long]) if long.len() > short.len() && long.starts_with(short.as_str()));
                let (met, weight) = if written_out {
                    (Met::Prefix, 1.0)
                } else {
                    (Met::Exact, SYNONYM_WEIGHT)
                };
                let parts: Option<Vec<Vec<(usize, Met)>>> = entry
                    .iter()
                    .map(|s| self.find(s).map(|t| vec![(t, met)]))
                    .collect();
                let Some(parts) = parts else {
                    continue;
                };
                for slot in &mut slots[said.start..said.start + said.len] {
                    slot.alternatives.push(Alternative {
                        parts: parts.clone(),
                        weight,
                        via: Via::Synonym {
                            said: group.entries[said.entry].clone(),
                            entry: group.entries[e].clone(),
                        },
                    });
                }
            }
        }
        slots
    }

    /// How well each procedure matches one word of a query, from 0 (not at all) to 1 (in
    /// its title): the best of what the word stands for, each in the best column it is
    /// found in (all its parts found), a typo's or a synonym's match counting less. Only
    /// the procedures it matches, in procedure order; `quality` is a buffer of one value
    /// per procedure, all 0, left so.
    fn slot_quality(&self, slot: &Slot, quality: &mut [f64]) -> Vec<(u32, f64)> {
        for alt in &slot.alternatives {
            // One part (nearly every alternative): straight into the word's quality, no
            // vector of its own on the keystroke's path.
            if let [part] = alt.parts.as_slice() {
                for &(t, met) in part {
                    let x = met.weight() * alt.weight / column_weight(TITLE);
                    for (doc, bits) in self.postings_of(t) {
                        if let Some(q) = quality.get_mut(doc as usize) {
                            *q = q.max(column_weight(bits) * x);
                        }
                    }
                }
                continue;
            }
            // Several parts, all required: their postings (in procedure order) intersected,
            // the weakest part deciding.
            let mut all = self.part_postings(&alt.parts[0]);
            for part in &alt.parts[1..] {
                let other = self.part_postings(part);
                let mut j = 0;
                all.retain_mut(|(doc, q)| {
                    while j < other.len() && other[j].0 < *doc {
                        j += 1;
                    }
                    match other.get(j) {
                        Some((d, x)) if d == doc => {
                            *q = q.min(*x);
                            true
                        }
                        _ => false,
                    }
                });
            }
            for (doc, q) in all {
                if let Some(x) = quality.get_mut(doc as usize) {
                    *x = x.max(q * alt.weight);
                }
            }
        }
        let mut matched = Vec::new();
        for (doc, q) in quality.iter_mut().enumerate() {
            if *q > 0.0 {
                matched.push((doc as u32, *q));
            }
            *q = 0.0;
        }
        matched
    }

    /// The procedures a part of an alternative is in, in procedure order, each with how
    /// well (its best term, its best column).
    fn part_postings(&self, part: &[(usize, Met)]) -> Vec<(u32, f64)> {
        let mut found: Vec<(u32, f64)> = part
            .iter()
            .flat_map(|&(t, met)| {
                let discount = met.weight();
                self.postings_of(t).map(move |(doc, bits)| {
                    (doc, column_weight(bits) / column_weight(TITLE) * discount)
                })
            })
            .collect();
        if part.len() > 1 {
            found.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)));
            found.dedup_by_key(|p| p.0);
        }
        found
    }

    /// [`Self::slot_quality`] for one procedure, with what gave it: the alternative, the
    /// index's terms it matched and the best column.
    fn slot_why(&self, slot: &Slot, doc: u32) -> (f64, Option<(Via, Vec<String>, u8)>) {
        let mut best: (f64, Option<(Via, Vec<String>, u8)>) = (0.0, None);
        for alt in &slot.alternatives {
            let mut quality = f64::INFINITY;
            let mut terms = Vec::new();
            let mut columns = 0u8;
            let mut met_used = Met::Exact;
            for part in &alt.parts {
                let mut q = 0.0f64;
                let mut term = None;
                for &(t, met) in part {
                    if let Some((_, bits)) = self.postings_of(t).find(|(d, _)| *d == doc) {
                        let x = column_weight(bits) / column_weight(TITLE) * met.weight();
                        if x > q {
                            q = x;
                            term = Some((t, bits, met));
                        }
                    }
                }
                quality = quality.min(q);
                if let Some((t, bits, met)) = term {
                    terms.push(self.word(t).to_string());
                    columns |= best_column(bits);
                    // The weakest way a part was met says how the word was.
                    if met.weight() < met_used.weight() {
                        met_used = met;
                    }
                }
            }
            let quality = if quality.is_finite() {
                quality * alt.weight
            } else {
                0.0
            };
            if quality > best.0 {
                let via = match (met_used, &alt.via) {
                    (Met::Typo, Via::Word) => Via::Typo,
                    (Met::Prefix, Via::Word) => Via::Prefix,
                    (Met::Sound, Via::Word) => Via::Sound,
                    _ => alt.via.clone(),
                };
                best = (quality, Some((via, terms, columns)));
            }
        }
        best
    }
}

/// A word of a query and what it stands for.
struct Slot {
    word: QueryWord,
    alternatives: Vec<Alternative>,
}

/// One thing a query word stands for: terms of the index that must all be in a procedure
/// (each part one of its terms, flagged when only a typo away), and what it is worth.
#[derive(Clone)]
struct Alternative {
    parts: Vec<Vec<(usize, Met)>>,
    weight: f64,
    via: Via,
}

/// How a query word met a procedure: what `procedures why` says.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "via", rename_all = "snake_case")]
pub enum Via {
    /// The word itself (or a longer word it begins, as it is being typed).
    Word,
    /// A word one typo away.
    Typo,
    /// A longer word it begins (a word being typed, or one the index holds longer).
    Prefix,
    /// A word that sounds the same, written otherwise (« kart » → « carte »).
    Sound,
    /// The word joined with its neighbour: « pass code » → « passcode ».
    Joined { compound: String },
    /// The word cut in two: « webconf » → « web conf ».
    Split { parts: String },
    /// A synonym from the thesaurus: the query said `said`, the procedure says `entry`.
    Synonym { said: String, entry: String },
    /// The word and its neighbour, said as a keyword phrase of the procedure has them.
    Phrase { phrase: String },
}

/// A word found through a compound (joined or cut) is worth this much of the word itself:
/// a procedure that says « web conférence » answers « web conference » before one that
/// says « webconférence » (0.9; was 0.95: measured on the four development sets).
const COMPOUND_WEIGHT: f64 = 0.9;

/// Two words said side by side as a keyword phrase has them are worth this much of a
/// keyword each: 0.875 of a title's word instead of 0.625, the phrase the author wrote
/// telling more than its words apart (« mise en veille », « carte sim »). Measured on the
/// five development sets: 1.4 wins 8 calls first; 1.2 and 1.3 fewer, 1.5 loses some.
const PHRASE_WEIGHT: f64 = 1.4;

/// A word found through the thesaurus is worth this much of the word itself: the
/// procedure's own words come first.
const SYNONYM_WEIGHT: f64 = 0.8;

/// The best column of a posting's columns, alone.
fn best_column(bits: u8) -> u8 {
    [TITLE, KEYWORDS, SUMMARY, BODY]
        .into_iter()
        .find(|c| bits & c != 0)
        .unwrap_or(0)
}

/// A column as `procedures why` names it.
pub fn column_name(column: u8) -> &'static str {
    match best_column(column) {
        TITLE => "titre",
        KEYWORDS => "mots-clés",
        SUMMARY => "résumé",
        BODY => "étapes",
        _ => "—",
    }
}

/// A word matched only through a typo is worth this much of an exact one.
const TYPO_DISCOUNT: f64 = 0.8;

/// A word matched only as the beginning of a longer one (« portail » in « portailotp »,
/// « pro » in « procédure ») is worth this much of the word itself: a procedure that has
/// the word whole says it more surely. Still enough for a word being typed to find what
/// it begins. Measured on the four development sets: 0.9 wins calls of callers_set_2 and
/// callers_set_3 and loses none; 0.8 and lower lose an operators' query from the top 3.
const PREFIX_DISCOUNT: f64 = 0.9;

/// A word met only by its sound (« kart » for « carte ») is worth this much of an exact
/// one: less than a typo, the spelling being further off.
const SOUND_DISCOUNT: f64 = 0.7;

/// The fewest sounds a key is matched by: fewer would meet words at random.
const SOUND_MIN_LEN: usize = 3;

/// How a term of the index met a query word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Met {
    /// The word itself.
    Exact,
    /// A longer term it begins.
    Prefix,
    /// A term one typo away.
    Typo,
    /// A term that sounds as the word begins, when nothing else met it.
    Sound,
}

impl Met {
    fn weight(self) -> f64 {
        match self {
            Met::Exact => 1.0,
            Met::Prefix => PREFIX_DISCOUNT,
            Met::Typo => TYPO_DISCOUNT,
            Met::Sound => SOUND_DISCOUNT,
        }
    }
}

/// What the operator typed, and the call's context.
#[derive(Debug, Clone, Default)]
pub struct ProcedureQuery<'a> {
    pub text: &'a str,
    pub service: Option<&'a str>,
    pub device: Option<&'a str>,
    pub limit: usize,
}

/// One match, best first. `score` is comparable between queries: the share of the
/// query's words (weighed by rarity) the procedure matches, and how well (a word of its
/// title counts fully, of its steps an eighth), times how well it suits the call (1 for
/// the caller's service and device, 0.75 for another device, 0.35 for another service,
/// 0.1 for neither, 0.1 less for a procedure written for every service), times what the desk's walks taught (1 to 1.2, see
/// `domain::learned`): between 0 and 1 without them. Words that match no procedure at
/// all do not count against any.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProcedureHit {
    pub slug: String,
    pub title: String,
    pub score: f64,
    /// The words' part of the score, before the call's service and device weigh in.
    pub relevance: f64,
    /// What the desk's walks added: the score is multiplied by its factor (at most
    /// × 1.2); absent when they taught nothing for these words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub learned: Option<LearnedWhy>,
    /// The words of the query that matched (as folded: no accents, lower case).
    pub matched: Vec<String>,
    pub fits_service: bool,
    pub fits_device: bool,
    /// The services the procedure is for (`*`: every one), to say why another service's
    /// procedure is proposed.
    pub services: Vec<String>,
}

/// How much the call's context weighs: a procedure for the caller's service and device
/// keeps its whole relevance, one for another service about a third of it, so that only
/// words that fit it much better bring it forward (a suspicious mail from the Académie
/// finds the procedure written from the ministères sociaux' guide; the best match of the
/// words stays among the first proposals anyway, see `BEST_WORDS_WITHIN`). Tuned on the
/// development sets tests/integration/relevance_set.toml (operators' words) and
/// callers_set.toml (callers' words): callers say less of the tool and more of their
/// situation, which other services' procedures share. The device at 0.25 (was 0.2): the
/// certificate's password on a personal PC is NOMADE 2's, not the NOEMI card's; measured
/// on the four development sets with callers_set_2 and _3 (0.3 wins nothing more, 0.35
/// would leave nothing of a procedure for neither service nor device).
const FIT_SERVICE: f64 = 0.65;
const FIT_DEVICE: f64 = 0.25;
/// A procedure written for every service fits the caller's as a matter of course, not
/// because it is about that service: it gives way to one written for the caller's service
/// that the words match about as well (a mail question ends on the service's webmail
/// before the desk-wide phishing check).
const FIT_ANY_SERVICE: f64 = 0.1;

/// The best match of a query's words is never further down than this, however little it
/// fits the call.
const BEST_WORDS_WITHIN: usize = 3;

fn fit_factor(fits_service: bool, fits_device: bool) -> f64 {
    1.0 - FIT_SERVICE * f64::from(u8::from(!fits_service))
        - FIT_DEVICE * f64::from(u8::from(!fits_device))
}

/// Ids past this are left out of the index in memory (a posting holds its procedure's
/// place in 28 bits; ids grow by one for each procedure added after a rebuild).
const MAX_ID: usize = 1 << 28;

/// The advisory lock held by whoever writes the index on a server (a console rebuilding
/// it, a copy bringing one): one writer at a time.
pub(super) const INDEX_LOCK: i64 = 7_468_657_232;

/// What the index's content looks like; a change here rebuilds every index.
/// terms-2: Snowball's French stems, stop words left out, ß folded (issue 23).
/// terms-3: callers' fillers are stop words, plurals in « -os » meet their singular,
/// hyphenated words also kept whole (« Wi-Fi » → « wifi »).
/// terms-4: what callers say of any symptom (« marche », « fonctionne », « impossible »,
/// « problème », « souci », « j'arrive pas », « réussi ») are stop words too.
/// terms-5: each keyword phrase's neighbouring stems also kept as one term (« cart sim »).
/// terms-6: an English-speaking caller's small words (« the », « my », « is ») are stop words.
/// terms-7: « prendre » and its forms are callers' fillers (« on prend la webconf ? »).
/// terms-8: the fillers of speech (« euh », « ben », « bah », « hein », « voilà », « bref »).
/// terms-9: the modal verbs' forms (« pouvais », « pourriez », « voulais », « devrait »).
pub(super) const INDEX_FORMAT: &str = "terms-9";

pub(super) fn slug_list(applies: &Applies) -> String {
    match applies {
        Applies::All => "*".into(),
        Applies::Only(list) => format!(" {} ", list.join(" ")),
    }
}

/// The words of a procedure as the index keeps them, each with the columns it is in:
/// folded and stemmed by the same rule as the queries (œ → oe, accents, case,
/// apostrophes, plurals), so that a word is found however it is typed.
pub(super) fn procedure_words(p: &Procedure) -> Vec<(String, u8)> {
    let mut steps = String::new();
    for s in &p.steps {
        steps.push_str(&s.text);
        steps.push('\n');
        match &s.kind {
            StepKind::Record { label, .. } => steps.push_str(label),
            StepKind::Escalate { target } => steps.push_str(target),
            _ => {}
        }
        steps.push('\n');
    }
    let mut words: std::collections::HashMap<String, u8> = std::collections::HashMap::new();
    let keywords = p.keywords.join(" ; ");
    for (raw, bit) in [
        (p.title.as_str(), TITLE),
        (keywords.as_str(), KEYWORDS),
        (p.summary.as_str(), SUMMARY),
        (steps.as_str(), BODY),
    ] {
        let text = index_text(raw);
        let joined = hyphen_joined(raw);
        for word in text
            .split_whitespace()
            .chain(joined.iter().map(String::as_str))
        {
            match words.get_mut(word) {
                Some(bits) => *bits |= bit,
                None => {
                    words.insert(word.to_string(), bit);
                }
            }
        }
    }
    // Each keyword phrase's neighbouring words, as one term: a call that says them side by
    // side (« carte sim », « mise veille ») says the phrase the author wrote.
    for k in &p.keywords {
        let stems = index_text(k);
        let stems: Vec<&str> = stems.split_whitespace().collect();
        for pair in stems.windows(2) {
            *words.entry(phrase_term(pair[0], pair[1])).or_insert(0) |= KEYWORDS;
        }
    }
    let mut words: Vec<(String, u8)> = words.into_iter().collect();
    words.sort();
    words
}

/// The index's term for two neighbouring words of a keyword phrase: their stems with a
/// space between, which no word holds (a word's own terms never match it).
fn phrase_term(first: &str, second: &str) -> String {
    format!("{first} {second}")
}

impl Store {
    fn indexed_fingerprint(&self) -> Result<Option<String>> {
        self.db
            .query_one(
                "SELECT fingerprint FROM catalog_state WHERE id = 1",
                &[],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))
    }

    /// Brings the search index in line with `catalog` (rebuilding it only when the
    /// catalogue changed) and returns what searches need in memory.
    pub fn sync_catalog(&mut self, catalog: &Catalog) -> Result<SearchIndex> {
        let fingerprint = format!("{INDEX_FORMAT}:{}", catalog.fingerprint());
        if self.indexed_fingerprint()?.as_deref() != Some(fingerprint.as_str()) {
            self.rebuild_index(&mut catalog.procedures.iter(), &fingerprint)?;
        }
        self.load_search_index()
    }

    /// Brings the index in line with the active catalogue without parsing it when its
    /// files did not change (their fingerprint is compared, nothing more). Returns `None`
    /// when it was in line, else how many problems left files out of the index it rebuilt
    /// (each file read, checked and indexed in turn, never the whole catalogue in memory).
    /// A read-only database with a stale index is refused (`ReadOnly`): the caller may
    /// index in memory instead.
    pub fn ensure_catalog(&mut self, source: &CatalogSource) -> Result<Option<usize>> {
        let fingerprint = format!(
            "{INDEX_FORMAT}:{}",
            source.fingerprint().map_err(StoreError::Catalog)?
        );
        if self.indexed_fingerprint()?.as_deref() == Some(fingerprint.as_str()) {
            return Ok(None);
        }
        if self.read_only {
            return Err(StoreError::ReadOnly {
                path: self.name.clone(),
            });
        }
        let mut procedures = source.procedures().map_err(StoreError::Catalog)?;
        self.rebuild_index(&mut procedures, &fingerprint)?;
        Ok(Some(procedures.problems()))
    }

    /// One procedure of the indexed catalogue, whole; `None` for a slug it does not have.
    pub fn procedure(&self, slug: &str) -> Result<Option<Procedure>> {
        let body: Option<Option<String>> = self
            .db
            .query_one(
                "SELECT body FROM procedures WHERE slug = ?1",
                args![slug],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))?;
        Ok(body.flatten().and_then(|b| serde_json::from_str(&b).ok()))
    }

    /// The title of an indexed procedure.
    pub fn procedure_title(&self, slug: &str) -> Result<Option<String>> {
        self.db
            .query_one(
                "SELECT title FROM procedures WHERE slug = ?1",
                args![slug],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))
    }

    /// Writes the index of `procedures` (ids 1..=n in the order they come), streaming: each
    /// procedure is written and its words noted as it comes, then dropped; what stays until
    /// the end is each word's postings, as steps (a few megabytes for 10,000 procedures),
    /// written as the store's text a word at a time.
    fn rebuild_index<P: std::borrow::Borrow<Procedure>>(
        &mut self,
        procedures: &mut dyn Iterator<Item = P>,
        fingerprint: &str,
    ) -> Result<()> {
        self.with_small_cache(|| self.write_index(procedures, fingerprint))
    }

    fn write_index<P: std::borrow::Borrow<Procedure>>(
        &self,
        procedures: &mut dyn Iterator<Item = P>,
        fingerprint: &str,
    ) -> Result<()> {
        let err = |e| self.err(e);
        // Another process may have rebuilt it while we waited for the lock.
        let (tx, current) = self.begin_index_write()?;
        if current.as_deref() == Some(fingerprint) {
            return tx.commit().map_err(err);
        }
        tx.batch("DELETE FROM procedure_terms; DELETE FROM procedures;")
            .map_err(err)?;
        // Each word with the procedures it is in (ids 1..=n, in order), packed.
        let mut terms: std::collections::HashMap<Box<str>, Packed> =
            std::collections::HashMap::new();
        let mut id = 0u32;
        let mut procedures = procedures.map(|p| {
            let p = p.borrow();
            id += 1;
            for (term, columns) in procedure_words(p) {
                match terms.get_mut(term.as_str()) {
                    Some(packed) => packed.push(id, columns),
                    None => {
                        let mut packed = Packed::default();
                        packed.push(id, columns);
                        terms.insert(term.into_boxed_str(), packed);
                    }
                }
            }
            // A procedure is plain data: serializing it cannot fail.
            let body = serde_json::to_string(p).unwrap_or_default();
            vec![
                Value::from(i64::from(id)),
                Value::from(&p.slug),
                Value::from(&p.title),
                Value::from(slug_list(&p.services)),
                Value::from(slug_list(&p.devices)),
                Value::from(body),
            ]
        });
        tx.bulk_insert(
            "procedures",
            &["id", "slug", "title", "services", "devices", "body"],
            &mut procedures,
        )
        .map_err(err)?;
        // In word order, as the index is read.
        let mut terms: Vec<(Box<str>, Packed)> = terms.into_iter().collect();
        terms.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let mut rows = terms.into_iter().map(|(term, packed)| {
            vec![
                Value::from(String::from(term)),
                Value::from(packed.into_text()),
            ]
        });
        tx.bulk_insert("procedure_terms", &["term", "postings"], &mut rows)
            .map_err(err)?;
        tx.execute(
            "INSERT INTO catalog_state (id, fingerprint) VALUES (1, ?1)
             ON CONFLICT (id) DO UPDATE SET fingerprint = ?1",
            args![fingerprint],
        )
        .map_err(err)?;
        tx.commit().map_err(err)
    }

    /// The transaction of whoever writes the index, and the fingerprint the index holds
    /// then: on a server, under the lock of the index's writers (consoles of several sites
    /// that see a new catalogue, or a change to it, write it once).
    pub(super) fn begin_index_write(&self) -> Result<(Tx<'_>, Option<String>)> {
        let err = |e| self.err(e);
        let tx = self.db.begin().map_err(err)?;
        if tx.engine() == Engine::Postgres {
            tx.batch(&format!("SELECT pg_advisory_xact_lock({INDEX_LOCK})"))
                .map_err(err)?;
        }
        let current: Option<String> = tx
            .query_one(
                "SELECT fingerprint FROM catalog_state WHERE id = 1",
                &[],
                |r| r.get(0),
            )
            .map_err(err)?;
        Ok((tx, current))
    }

    /// What searches need in memory, read from the index the database keeps.
    pub fn load_search_index(&self) -> Result<SearchIndex> {
        // The sizes first, so that each vector is allocated once: grown by doubling, the
        // postings of 10,000 procedures held their old and new copies at once, the
        // console's peak memory (heaptrack). A hint only: a count that is off costs a
        // reallocation, not a wrong index.
        let (procedure_count, term_count, text_len, posting_count) = self
            .db
            .query_one(
                "SELECT (SELECT count(*) FROM procedures), count(*), \
                        coalesce(sum(length(term)), 0), \
                        coalesce(sum(length(postings) - length(replace(postings, ' ', '')) + 1), 0) \
                 FROM procedure_terms",
                &[],
                |r| {
                    let size = |i| r.get::<i64>(i).map(|n| usize::try_from(n).unwrap_or(0));
                    Ok((size(0)?, size(1)?, size(2)?, size(3)?))
                },
            )
            .map_err(|e| self.err(e))?
            .unwrap_or_default();
        // Read once, front to back.
        self.with_small_cache(|| {
            self.read_search_index(procedure_count, term_count, text_len, posting_count)
        })
    }

    /// `f` with SQLite's page cache small: for a pass that reads or writes the whole index
    /// once, front to back, the cache would only keep what the pass never reads again, at
    /// the peak of the console's memory (2 MB of 10,000 procedures' pages, heaptrack). The
    /// usual cache after, whatever `f` gave.
    fn with_small_cache<T>(&self, f: impl FnOnce() -> Result<T>) -> Result<T> {
        let small_cache = self.db.engine() == Engine::Sqlite;
        if small_cache {
            self.db
                .batch("PRAGMA cache_size = -128")
                .map_err(|e| self.err(e))?;
        }
        let out = f();
        if small_cache {
            self.db
                .batch(&format!("PRAGMA cache_size = {SQLITE_CACHE}"))
                .map_err(|e| self.err(e))?;
        }
        out
    }

    fn read_search_index(
        &self,
        procedure_count: usize,
        term_count: usize,
        text_len: usize,
        posting_count: usize,
    ) -> Result<SearchIndex> {
        // Ids are 1..=n in catalogue order after a rebuild; an update of a few procedures
        // (`index_update`) leaves the gaps of those removed and adds after the last. Each
        // id's place in memory: the procedures in id order, from 0.
        let mut procedures: Vec<Indexed> = Vec::with_capacity(procedure_count);
        let mut doc_of: Vec<u32> = Vec::with_capacity(procedure_count + 1);
        let mut lists = AppliesLists::default();
        self.db
            .query_each(
                "SELECT id, slug, title, services, devices FROM procedures ORDER BY id",
                &[],
                |r| {
                    let Some(id) = usize::try_from(r.get::<i64>(0)?)
                        .ok()
                        .filter(|id| *id < MAX_ID)
                    else {
                        return Ok::<(), DbError>(());
                    };
                    if doc_of.len() <= id {
                        doc_of.resize(id + 1, u32::MAX);
                    }
                    doc_of[id] = procedures.len() as u32;
                    let title = r.str(2)?;
                    procedures.push(Indexed {
                        slug: r.str(1)?.into(),
                        title_key: crate::domain::text::fold(title),
                        title_words: title_words(title),
                        title: title.into(),
                        services: lists.get(r.str(3)?),
                        devices: lists.get(r.str(4)?),
                    });
                    Ok(())
                },
            )
            .map_err(|e| self.err(e))?;
        let mut index = SearchIndex {
            slug_rank: slug_ranks(&procedures),
            tie_rank: tie_ranks(&procedures, false),
            tie_rank_service: tie_ranks(&procedures, true),
            procedures,
            text: String::with_capacity(text_len),
            starts: Vec::with_capacity(term_count + 1),
            postings: Vec::with_capacity(postings::units_at_most(
                posting_count,
                term_count,
                procedure_count,
            )),
            first: Vec::with_capacity(term_count + 1),
            thesaurus: Arc::new(crate::catalog::thesaurus::embedded().clone()),
            ..SearchIndex::default()
        };
        // In word order (bytes): one pass builds the sorted terms and their postings.
        self.db
            .query_each(
                "SELECT term, postings FROM procedure_terms ORDER BY term",
                &[],
                |r| {
                    index.starts.push(index.text.len() as u32);
                    index.first.push(index.postings.len() as u32);
                    index.text.push_str(r.str(0)?);
                    postings::text_into_places(
                        r.str(1)?,
                        &doc_of,
                        MAX_ID as u32,
                        &mut index.postings,
                    );
                    Ok::<(), DbError>(())
                },
            )
            .map_err(|e| self.err(e))?;
        index.starts.push(index.text.len() as u32);
        index.first.push(index.postings.len() as u32);
        index.text.shrink_to_fit();
        index.postings.shrink_to_fit();
        Ok(index)
    }

    /// Procedures matching what the operator typed, those that fit the call's service and
    /// device first. With no words, the procedures that fit the call, by title. All the
    /// words must match (typing more narrows the list); only when that leaves too few does
    /// any word suffice.
    pub fn search_procedures(
        &self,
        index: &SearchIndex,
        query: &ProcedureQuery<'_>,
    ) -> Result<Vec<ProcedureHit>> {
        Ok(index.search(query))
    }
}

/// How many words a title has, as the index holds them (stop words left out).
fn title_words(title: &str) -> u16 {
    let words = index_text(title);
    let mut distinct: Vec<&str> = words.split(' ').filter(|w| !w.is_empty()).collect();
    distinct.sort_unstable();
    distinct.dedup();
    u16::try_from(distinct.len()).unwrap_or(u16::MAX)
}

/// Each procedure's place in the order that breaks ties (see `SearchIndex::tie_rank`):
/// fewer services first if `by_services`, then shorter title, then slug.
fn tie_ranks(procedures: &[Indexed], by_services: bool) -> Vec<u32> {
    let mut order: Vec<u32> = (0..procedures.len() as u32).collect();
    order.sort_unstable_by(|&a, &b| {
        let (pa, pb) = (&procedures[a as usize], &procedures[b as usize]);
        let services = |p: &Indexed| if by_services { p.service_count() } else { 0 };
        services(pa)
            .cmp(&services(pb))
            .then_with(|| pa.title_words.cmp(&pb.title_words))
            .then_with(|| pa.slug.cmp(&pb.slug))
    });
    let mut rank = vec![0u32; procedures.len()];
    for (place, doc) in order.into_iter().enumerate() {
        rank[doc as usize] = place as u32;
    }
    rank
}

/// Each procedure's place in slug order.
fn slug_ranks(procedures: &[Indexed]) -> Vec<u32> {
    let mut by_slug: Vec<u32> = (0..procedures.len() as u32).collect();
    by_slug.sort_unstable_by(|&a, &b| {
        procedures[a as usize]
            .slug
            .cmp(&procedures[b as usize].slug)
    });
    let mut slug_rank = vec![0u32; procedures.len()];
    for (rank, doc) in by_slug.into_iter().enumerate() {
        slug_rank[doc as usize] = rank as u32;
    }
    slug_rank
}

impl Indexed {
    /// A procedure as the index in memory holds it, as read back from the store.
    fn of(p: &Procedure) -> Indexed {
        Indexed {
            slug: p.slug.as_str().into(),
            title_key: crate::domain::text::fold(&p.title),
            title_words: title_words(&p.title),
            title: p.title.as_str().into(),
            services: Arc::new(p.services.clone()),
            devices: Arc::new(p.devices.clone()),
        }
    }
}

impl SearchIndex {
    /// This index with the procedures of `upserted` replaced (by slug; those it lacks added
    /// after the others) and the slugs of `removed` gone: what
    /// [`Store::load_search_index`] reads after [`Store::update_index`] wrote the same
    /// changes, without reading the words of every procedure back from the store. The
    /// desk's synonyms are kept; what the walks taught is not (its procedures moved):
    /// [`SearchIndex::set_learned`] again.
    pub fn with_changes(&self, upserted: &[Procedure], removed: &[String]) -> SearchIndex {
        let n = self.procedures.len();
        let place: HashMap<&str, usize> = self
            .procedures
            .iter()
            .enumerate()
            .map(|(i, p)| (&*p.slug, i))
            .collect();
        // Each procedure before: kept as it was, rewritten, or gone.
        let mut rewritten = vec![false; n];
        let mut gone = vec![false; n];
        for slug in removed {
            if let Some(&i) = place.get(slug.as_str()) {
                gone[i] = true;
            }
        }
        let mut procedures = self.procedures.clone();
        let mut words: Vec<(usize, Vec<(String, u8)>)> = Vec::new();
        for p in upserted {
            let at = match place.get(p.slug.as_str()) {
                Some(&i) => {
                    procedures[i] = Indexed::of(p);
                    rewritten[i] = true;
                    i
                }
                None => {
                    procedures.push(Indexed::of(p));
                    procedures.len() - 1
                }
            };
            words.push((at, procedure_words(p)));
        }
        // Where each one goes once the gone ones are out.
        let mut moved = vec![u32::MAX; procedures.len()];
        let mut next = 0u32;
        for (i, to) in moved.iter_mut().enumerate() {
            if !gone.get(i).copied().unwrap_or(false) {
                *to = next;
                next += 1;
            }
        }
        let procedures: Vec<Indexed> = procedures
            .into_iter()
            .enumerate()
            .filter(|(i, _)| moved[*i] != u32::MAX)
            .map(|(_, p)| p)
            .collect();
        // The words the changed procedures have now, each with its postings, in order.
        let mut joining: std::collections::BTreeMap<String, Vec<u32>> =
            std::collections::BTreeMap::new();
        for (at, list) in words {
            for (term, columns) in list {
                joining
                    .entry(term)
                    .or_default()
                    .push(moved[at] << 4 | u32::from(columns & 0xf));
            }
        }
        for postings in joining.values_mut() {
            postings.sort_unstable();
        }
        let mut index = SearchIndex {
            slug_rank: slug_ranks(&procedures),
            tie_rank: tie_ranks(&procedures, false),
            tie_rank_service: tie_ranks(&procedures, true),
            procedures,
            thesaurus: Arc::clone(&self.thesaurus),
            ..SearchIndex::default()
        };
        let kept = |doc: u32| {
            let doc = doc as usize;
            !rewritten.get(doc).copied().unwrap_or(true) && !gone.get(doc).copied().unwrap_or(true)
        };
        let add = |index: &mut SearchIndex, term: &str, old: &[u16], new: &[u32]| {
            let first = index.postings.len();
            let mut previous = 0u32;
            // Both in procedure order: merged.
            let mut new = new.iter().map(|p| (p >> 4, (p & 0xf) as u8)).peekable();
            for (doc, columns) in Postings::of(old).filter(|(doc, _)| kept(*doc)) {
                let doc = moved[doc as usize];
                while let Some((q, c)) = new.next_if(|&(q, _)| q < doc) {
                    push_step(&mut index.postings, &mut previous, q, c);
                }
                push_step(&mut index.postings, &mut previous, doc, columns);
            }
            for (q, c) in new {
                push_step(&mut index.postings, &mut previous, q, c);
            }
            if index.postings.len() > first {
                index.starts.push(index.text.len() as u32);
                index.first.push(first as u32);
                index.text.push_str(term);
            }
        };
        let mut joining = joining.into_iter().peekable();
        for t in 0..self.word_count() {
            let term = self.word(t);
            while let Some((word, new)) = joining.next_if(|(w, _)| w.as_str() < term) {
                add(&mut index, &word, &[], &new);
            }
            let old = &self.postings[self.first[t] as usize..self.first[t + 1] as usize];
            match joining.next_if(|(w, _)| w.as_str() == term) {
                Some((_, new)) => add(&mut index, term, old, &new),
                None => add(&mut index, term, old, &[]),
            }
        }
        for (word, new) in joining {
            add(&mut index, &word, &[], &new);
        }
        index.starts.push(index.text.len() as u32);
        index.first.push(index.postings.len() as u32);
        index
    }

    /// [`Store::search_procedures`] without the store: the ranking reads only the index in
    /// memory (the console searches as it types, never asking the store). What the words
    /// already typed stand for is kept from one search to the next on this thread
    /// ([`KeyCache`]): a keystroke works out the word being typed, not the whole summary.
    pub fn search(&self, query: &ProcedureQuery<'_>) -> Vec<ProcedureHit> {
        KEY_CACHE.with(|cell| match cell.try_borrow_mut() {
            Ok(mut cache) => search(self, query, Some(&mut cache)),
            // Only a search inside a search would find it taken.
            Err(_) => search(self, query, None),
        })
    }

    /// [`Self::search`] working every word out afresh: what the kept words must give.
    #[cfg(test)]
    fn search_uncached(&self, query: &ProcedureQuery<'_>) -> Vec<ProcedureHit> {
        search(self, query, None)
    }
}

/// A query word as `matched` shows it: folded, a drive letter as the operator typed it
/// ("t:").
fn shown_word(word: &QueryWord) -> String {
    match word.folded.strip_suffix("deuxpoints") {
        Some(letter) if letter.len() == 1 => format!("{letter}:"),
        _ => word.folded.clone(),
    }
}

/// What a query makes of the index: each word's slot, its quality for the procedures it
/// matches (in procedure order), and its weight (rarity).
struct Scoring {
    slots: Vec<Slot>,
    /// Shared with the [`KeyCache`] that kept them for the next keystroke.
    quality: Vec<Arc<Vec<(u32, f64)>>>,
    idf: Vec<f64>,
    total: f64,
}

thread_local! {
    /// What the words of the last keystrokes stood for, on the thread that searches as
    /// the operator types (the console's): see [`KeyCache`].
    static KEY_CACHE: std::cell::RefCell<KeyCache> = std::cell::RefCell::new(KeyCache::default());

    /// One value per procedure, all 0 between searches: the buffer a keystroke's search
    /// works in, kept from one keystroke to the next. Allocated afresh for each, its
    /// hundred kilobytes went back to the system and were faulted in again every time
    /// (a fifth of the keystroke's time on a catalogue of 10,000).
    static SCRATCH: std::cell::RefCell<Vec<f64>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// What a word said as working or as not the problem weighs, against its rarity: half. The
/// thing that works is often the call's topic still (« le partage marche, mais le forfait
/// est à sec »): a fifth lost such calls on the development sets, a half none.
const ASIDE_WEIGHT: f64 = 0.5;

/// `f` with a buffer of `n` zeros.
fn with_scratch<T>(n: usize, f: impl FnOnce(&mut [f64]) -> T) -> T {
    SCRATCH.with(|cell| match cell.try_borrow_mut() {
        Ok(mut buffer) => {
            buffer.clear();
            buffer.resize(n, 0.0);
            f(&mut buffer)
        }
        // Only a search inside a search would find it taken.
        Err(_) => f(&mut vec![0.0; n]),
    })
}

/// What a query makes of the index; with a `cache`, what its words stood for at the
/// previous keystrokes is taken from there instead of worked out again: the same values.
fn scoring(
    index: &SearchIndex,
    words: &[QueryWord],
    buffer: &mut [f64],
    mut cache: Option<&mut KeyCache>,
) -> Scoring {
    let n = index.procedures.len();
    let slots = index.slots(words, cache.as_deref_mut());
    let quality: Vec<Arc<Vec<(u32, f64)>>> = slots
        .iter()
        .map(|s| match cache.as_deref_mut() {
            Some(cache) => cache.quality(index, s, buffer),
            None => Arc::new(index.slot_quality(s, buffer)),
        })
        .collect();
    // A rare word says more than a common one (inverse document frequency); a word no
    // procedure has ("bizarre", "demande") weighs nothing.
    // A word said as working or as not the problem (« le wifi marche ») is the call's
    // context: it still tells the place and the tools, for less.
    let idf: Vec<f64> = quality
        .iter()
        .zip(&slots)
        .map(|(q, slot)| {
            let df = q.len();
            let aside = if slot.word.aside { ASIDE_WEIGHT } else { 1.0 };
            if df == 0 {
                0.0
            } else {
                (1.0 + n as f64 / df as f64).ln() * aside
            }
        })
        .collect();
    let total = idf.iter().sum();
    Scoring {
        slots,
        quality,
        idf,
        total,
    }
}

impl Scoring {
    /// How well one word of the query matches a procedure (0: not at all).
    fn quality_of(&self, slot: usize, doc: u32) -> f64 {
        let q = &self.quality[slot];
        q.binary_search_by_key(&doc, |&(d, _)| d)
            .map_or(0.0, |i| q[i].1)
    }

    fn relevance(&self, doc: usize) -> f64 {
        (0..self.slots.len())
            .map(|s| self.quality_of(s, doc as u32) * self.idf[s])
            .sum::<f64>()
            / self.total
    }

    /// [`Self::relevance`] of every procedure, into `sums` (one value per procedure, all
    /// 0): the words' parts added in the same order, the procedures no word matches left
    /// at 0.
    fn relevances(&self, sums: &mut [f64]) {
        for (q, w) in self.quality.iter().zip(&self.idf) {
            for &(doc, x) in q.iter() {
                sums[doc as usize] += x * w;
            }
        }
        for s in sums.iter_mut() {
            *s /= self.total;
        }
    }
}

/// Score, relevance and procedure: light tuples ranked first, hits built for the top
/// ones.
type Scored = (f64, f64, usize);

/// The first `limit` procedures of the ranking (highest score first, ties as `order` says), from
/// their relevances (0: the words do not match it), and the best match of the words
/// whatever its service and device (highest relevance, then in that order). `fit`: each
/// procedure's fit to the query's service and device when already worked out.
fn ranked(
    index: &SearchIndex,
    query: &ProcedureQuery<'_>,
    relevances: &[f64],
    fit: Option<&[f64]>,
    learned: &HashMap<u32, LearnedWhy>,
    limit: usize,
) -> (Vec<Scored>, Option<Scored>) {
    // What the desk's walks taught: a factor on the score of a procedure the words match
    // already (never one they do not: its relevance is 0 and it stays out).
    // In procedure order, met as the procedures are walked: one hash a matching procedure
    // (thousands a keystroke on a desk whose walks taught) cost more than the rest of its
    // scoring.
    let mut factors: Vec<(usize, f64)> = learned
        .iter()
        .map(|(&doc, l)| (doc as usize, l.factor))
        .collect();
    factors.sort_unstable_by_key(|&(doc, _)| doc);
    let mut factors = factors.into_iter().peekable();
    let mut taught = |doc: usize| {
        while factors.next_if(|&(d, _)| d < doc).is_some() {}
        factors.next_if(|&(d, _)| d == doc).map_or(1.0, |(_, f)| f)
    };
    // Procedures the words and the call fit exactly as well (the same words in the same
    // places: short calls, « vpn », « webmel »): for a call of a known service, the one
    // written for fewer services is closer to the caller's (an MTES caller's « visio »
    // ends on the MTES procedure before the one shared by four services), then the shorter title, where the words that
    // matched weigh more; the slug only last: one number, ranked when the index was read.
    let tie = if query.service.is_some() {
        &index.tie_rank_service
    } else {
        &index.tie_rank
    };
    let order = |a: &Scored, b: &Scored| b.0.total_cmp(&a.0).then_with(|| tie[a.2].cmp(&tie[b.2]));
    let better_words = |a: &Scored, b: &Scored| b.1.total_cmp(&a.1).then_with(|| order(a, b));
    let mut best: Option<Scored> = None;
    // A few proposals (the form's): kept in order as the procedures are scored, no list of
    // every match to sort.
    let few = limit <= 64;
    let mut scored: Vec<Scored> = Vec::with_capacity(if few { limit + 1 } else { 0 });
    for (doc, &relevance) in relevances.iter().enumerate() {
        if relevance <= 0.0 {
            continue;
        }
        let fit = match fit {
            Some(fit) => fit[doc],
            None => index.procedures[doc].fit(query.service, query.device),
        };
        let s = (relevance * fit * taught(doc), relevance, doc);
        if best.is_none_or(|b| better_words(&s, &b).is_lt()) {
            best = Some(s);
        }
        if few {
            if scored.len() == limit && scored.last().is_some_and(|w| order(&s, w).is_gt()) {
                continue;
            }
            let at = scored.partition_point(|x| order(x, &s).is_lt());
            scored.insert(at, s);
            scored.truncate(limit);
        } else {
            scored.push(s);
        }
    }
    if !few {
        if scored.len() > limit {
            scored.select_nth_unstable_by(limit - 1, order);
            scored.truncate(limit);
        }
        scored.sort_by(order);
    }
    (scored, best)
}

/// The ranking itself: pure, on the in-memory index.
fn search(
    index: &SearchIndex,
    query: &ProcedureQuery<'_>,
    mut cache: Option<&mut KeyCache>,
) -> Vec<ProcedureHit> {
    if let Some(cache) = cache.as_deref_mut() {
        cache.begin(index);
    }
    let limit = query.limit.max(1);
    let words = query_terms(query.text);
    if words.is_empty() {
        if query.service.is_none() && query.device.is_none() {
            return Vec::new();
        }
        return index
            .by_title(query.service, query.device)
            .into_iter()
            .take(limit)
            .map(|p| p.hit(0.0, Vec::new(), (true, true), 1.0, None))
            .collect();
    }
    let n = index.procedures.len();
    let learned = index.learned_for(&words);
    let fit = cache
        .as_deref_mut()
        .map(|c| c.fit(index, query.service, query.device));
    let (scoring, mut scored, best_words) = with_scratch(n, |buffer| {
        let scoring = scoring(index, &words, buffer, cache);
        if scoring.total == 0.0 {
            return (scoring, Vec::new(), None);
        }
        scoring.relevances(buffer);
        let (scored, best) = ranked(
            index,
            query,
            buffer,
            fit.as_ref().map(|f| f.as_slice()),
            &learned,
            limit,
        );
        (scoring, scored, best)
    });
    if scoring.total == 0.0 {
        return Vec::new();
    }
    // The call's service and device order the procedures the words match; they never hide
    // a better match of the words from another service: the best one is among the first
    // proposals, after those that fit and match as well.
    if let Some(best) = best_words {
        let at = scored.iter().position(|s| s.2 == best.2);
        let place = BEST_WORDS_WITHIN - 1;
        if place < limit && at.is_none_or(|i| i > place) {
            if let Some(i) = at {
                scored.remove(i);
            } else {
                scored.pop();
            }
            scored.insert(place.min(scored.len()), best);
        }
    }
    scored
        .into_iter()
        .map(|(_, relevance, doc)| {
            let matched = scoring
                .slots
                .iter()
                .enumerate()
                .filter(|(i, _)| scoring.quality_of(*i, doc as u32) > 0.0)
                .map(|(_, s)| shown_word(&s.word))
                .collect();
            let p = &index.procedures[doc];
            let why = learned.get(&(doc as u32)).cloned();
            let (service, device) = (query.service, query.device);
            p.hit(
                relevance,
                matched,
                p.fits(service, device),
                p.fit(service, device),
                why,
            )
        })
        .collect()
}

/// Why a procedure scores what it does for a query: `procedures why`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    pub slug: String,
    pub title: String,
    /// Its place in the whole ranking (from 1), if the words match it at all.
    pub rank: Option<usize>,
    pub score: f64,
    pub relevance: f64,
    pub fits_service: bool,
    pub fits_device: bool,
    /// What the call's service and device leave of the relevance (1: all of it).
    pub fit: f64,
    pub words: Vec<WordWhy>,
    /// What the desk's walks added (the score's last factor), if they taught anything for
    /// these words.
    pub learned: Option<LearnedWhy>,
}

/// One word of the query, for one procedure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WordWhy {
    /// As typed, folded.
    pub word: String,
    /// As the index looks it up.
    pub stem: String,
    /// Its share of the query's weight (rarity), from 0 to 1.
    pub weight: f64,
    /// Said as working or as not the problem (« le wifi marche »): counted for less.
    pub aside: bool,
    /// How well it matches this procedure, from 0 to 1.
    pub quality: f64,
    /// What it adds to the relevance: weight × quality.
    pub part: f64,
    /// How it met the procedure, the index's terms it met and where.
    pub via: Option<Via>,
    pub terms: Vec<String>,
    pub column: Option<&'static str>,
}

impl SearchIndex {
    /// Why the procedure `slug` scores what it does for `query`, word by word; `None` for a
    /// slug the index does not have.
    pub fn explain(&self, query: &ProcedureQuery<'_>, slug: &str) -> Option<Explanation> {
        let doc = self.procedures.iter().position(|p| *p.slug == *slug)?;
        let p = &self.procedures[doc];
        let (fits_service, fits_device) = p.fits(query.service, query.device);
        let fit = p.fit(query.service, query.device);
        let words = query_terms(query.text);
        let scoring = with_scratch(self.procedures.len(), |buffer| {
            scoring(self, &words, buffer, None)
        });
        let total = scoring.total;
        let learned_why = self.learned_for(&words).remove(&(doc as u32));
        let relevance = if total > 0.0 {
            scoring.relevance(doc)
        } else {
            0.0
        };
        let rank = (relevance > 0.0)
            .then(|| {
                self.search(&ProcedureQuery {
                    limit: usize::MAX,
                    ..query.clone()
                })
                .iter()
                .position(|h| h.slug == slug)
                .map(|i| i + 1)
            })
            .flatten();
        let learned = learned_why.filter(|_| relevance > 0.0);
        let words = scoring
            .slots
            .iter()
            .zip(&scoring.idf)
            .map(|(slot, idf)| {
                let weight = if total > 0.0 { idf / total } else { 0.0 };
                let (quality, why) = self.slot_why(slot, doc as u32);
                let (via, terms, column) = match why {
                    Some((via, terms, column)) => (Some(via), terms, Some(column_name(column))),
                    None => (None, Vec::new(), None),
                };
                WordWhy {
                    word: shown_word(&slot.word),
                    stem: slot.word.stem.clone(),
                    weight,
                    aside: slot.word.aside,
                    quality,
                    part: weight * quality,
                    via,
                    terms,
                    column,
                }
            })
            .collect();
        Some(Explanation {
            slug: p.slug.to_string(),
            title: p.title.to_string(),
            rank,
            score: relevance * fit * learned.as_ref().map_or(1.0, |l| l.factor),
            relevance,
            fits_service,
            fits_device,
            fit,
            words,
            learned,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::{ProcedureQuery, Store};
    use crate::catalog::embedded_reference;
    use crate::catalog::procedures::{CatalogSource, EMBEDDED, load_dir};

    #[test]
    fn a_folder_indexed_file_by_file_searches_as_the_catalogue_read_whole() {
        // The embedded files, a broken one, and two copies of one procedure whose files
        // sort in the other order than their slugs (« tchap-copy-2.toml » before
        // « tchap-copy.toml »): they score alike, and the slug must still decide.
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in EMBEDDED {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        let tchap = EMBEDDED.iter().find(|(n, _)| *n == "tchap.toml").unwrap().1;
        std::fs::write(dir.path().join("tchap-copy.toml"), tchap).unwrap();
        std::fs::write(dir.path().join("tchap-copy-2.toml"), tchap).unwrap();
        std::fs::write(dir.path().join("broken.toml"), "title = ").unwrap();
        let reference = embedded_reference();
        let whole = load_dir(dir.path(), &reference).unwrap();
        assert!(!whole.problems.is_empty());

        let mut streamed = Store::open_in_memory().unwrap();
        let source = CatalogSource::dir(dir.path(), &reference);
        let skipped = streamed.ensure_catalog(&source).unwrap();
        assert_eq!(skipped, Some(whole.problems.len()));
        assert_eq!(streamed.ensure_catalog(&source).unwrap(), None, "in line");
        let streamed = streamed.load_search_index().unwrap();
        let parsed = Store::open_in_memory()
            .unwrap()
            .sync_catalog(&whole)
            .unwrap();

        let mut queries = 0;
        for text in [
            "tchap",
            "tchap inscription",
            "messagerie",
            "vpn bleu",
            "carte agent",
            "",
        ] {
            for (service, device) in [(None, None), (Some("mi"), Some("noemi"))] {
                for limit in [1, 5, 100] {
                    let q = ProcedureQuery {
                        text,
                        service,
                        device,
                        limit,
                    };
                    let hits = parsed.search(&q);
                    assert_eq!(streamed.search(&q), hits, "{text:?} {service:?} {limit}");
                    queries += usize::from(!hits.is_empty());
                }
            }
            assert_eq!(streamed.browse(None, None), parsed.browse(None, None));
        }
        assert!(queries > 20, "{queries}");
        // The three of them: the same score, by slug whatever their files' order.
        let copies: Vec<(String, f64)> = streamed
            .search(&ProcedureQuery {
                text: "tchap",
                limit: 10,
                ..ProcedureQuery::default()
            })
            .into_iter()
            .filter(|h| h.slug.starts_with("tchap"))
            .map(|h| (h.slug, h.score))
            .collect();
        let slugs: Vec<&str> = copies.iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(slugs, ["tchap", "tchap-copy", "tchap-copy-2"]);
        assert!(copies.iter().all(|(_, score)| *score == copies[0].1));
    }

    /// A file name and how the Tchap procedure's text is changed for it.
    type Variant<'a> = (&'a str, &'a dyn Fn(&str) -> String);

    /// A catalogue of copies of the Tchap procedure alone, each changed by its edit
    /// (file name, then the text with the change): an index to rank them against each
    /// other.
    fn tchap_variants(edits: &[Variant<'_>]) -> super::SearchIndex {
        let dir = tempfile::tempdir().unwrap();
        let tchap = EMBEDDED.iter().find(|(n, _)| *n == "tchap.toml").unwrap().1;
        for (name, edit) in edits {
            std::fs::write(dir.path().join(name), edit(tchap)).unwrap();
        }
        let reference = embedded_reference();
        let catalog = load_dir(dir.path(), &reference).unwrap();
        assert!(catalog.problems.is_empty(), "{:#?}", catalog.problems);
        Store::open_in_memory()
            .unwrap()
            .sync_catalog(&catalog)
            .unwrap()
    }

    /// `text` (a procedure file) with the word `word` made `into` wherever a keyword has it
    /// whole (« salon », « salon public »): the steps keep theirs. Whatever keywords the
    /// shipped file gains, the variant has the word in none.
    fn keyword_word_replaced(text: &str, word: &str, into: &str) -> String {
        let start = text.find("keywords = [").unwrap();
        let end = start + text[start..].find(']').unwrap();
        let list: Vec<String> = text[start..end]
            .split('"')
            .enumerate()
            .map(|(i, part)| {
                if i % 2 == 0 {
                    return part.to_string();
                }
                part.split(' ')
                    .map(|w| if w == word { into } else { w })
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        format!("{}{}{}", &text[..start], list.join("\""), &text[end..])
    }

    fn slugs_for(index: &super::SearchIndex, text: &str, service: Option<&str>) -> Vec<String> {
        index
            .search(&ProcedureQuery {
                text,
                service,
                device: None,
                limit: 10,
            })
            .into_iter()
            .map(|h| h.slug)
            .collect()
    }

    #[test]
    fn a_tie_goes_to_the_procedure_written_for_fewer_services_then_the_shorter_title() {
        const SERVICES: &str = r#"services = ["mi", "social-direccte", "social-drdjscs", "mtes", "acn-caen", "acn-rouen"]"#;
        let own = |t: &str| t.replace(SERVICES, r#"services = ["mtes"]"#);
        let same = |t: &str| t.to_string();
        let longer = |t: &str| {
            t.replacen(
                "Tchap : s'inscrire et utiliser la messagerie instantanée de l'État",
                "Tchap : s'inscrire, utiliser et retrouver les salons de la messagerie de l'État",
                1,
            )
        };
        // « a-shared » comes first by slug: only the tie-break can put « b-own » before it.
        let index = tchap_variants(&[("a-shared.toml", &same), ("b-own.toml", &own)]);
        assert_eq!(
            slugs_for(&index, "tchap", Some("mtes")),
            ["b-own", "a-shared"]
        );
        // Without a service the slug decides, as before.
        assert_eq!(slugs_for(&index, "tchap", None), ["a-shared", "b-own"]);
        // The same services: the shorter title first, whatever the slugs.
        let index = tchap_variants(&[("a-long.toml", &longer), ("b-short.toml", &same)]);
        let hits = index.search(&ProcedureQuery {
            text: "tchap",
            service: Some("mi"),
            device: None,
            limit: 10,
        });
        assert_eq!(hits[0].score, hits[1].score, "a tie");
        assert_eq!(
            slugs_for(&index, "tchap", Some("mi")),
            ["b-short", "a-long"]
        );
    }

    #[test]
    fn words_said_as_a_keyword_phrase_count_more_than_the_same_words_apart() {
        // Both have « carte » and « sim » in their keywords; one as the phrase « carte sim ».
        let apart = |t: &str| t.replace(r#""salon""#, r#""carte agent", "sim""#);
        let phrase = |t: &str| t.replace(r#""salon""#, r#""carte sim", "agent""#);
        let index = tchap_variants(&[("a-apart.toml", &apart), ("b-phrase.toml", &phrase)]);
        let query = ProcedureQuery {
            text: "ma carte sim",
            service: Some("mi"),
            device: None,
            limit: 10,
        };
        let hits = index.search(&query);
        let slugs: Vec<&str> = hits.iter().map(|h| h.slug.as_str()).collect();
        assert_eq!(slugs, ["b-phrase", "a-apart"]);
        // A keyword each (0.625) apart, 0.875 said as the phrase.
        assert!((hits[1].relevance - 0.625).abs() < 1e-9, "{hits:?}");
        assert!((hits[0].relevance - 0.875).abs() < 1e-9, "{hits:?}");
        let why = index.explain(&query, "b-phrase").unwrap();
        assert_eq!(
            why.words[0].via,
            Some(super::Via::Phrase {
                phrase: "carte sim".into()
            }),
            "{why:?}"
        );
        // The same words the other way round, or apart in the call, are no phrase.
        for text in ["sim carte", "carte de la puce sim"] {
            let hits = index.search(&ProcedureQuery { text, ..query });
            assert_eq!(hits.len(), 2, "{text}: {hits:?}");
            assert!(
                (hits[0].relevance - hits[1].relevance).abs() < 1e-9,
                "{text}: {hits:?}"
            );
        }
    }

    #[test]
    fn a_word_whole_counts_more_than_a_longer_word_it_begins() {
        // « salon » is in both keyword lists; one has it whole, the other only in a longer
        // word it makes with another term (as « portail » is in « portailotp »).
        let whole = |t: &str| t.to_string();
        let longer = |t: &str| keyword_word_replaced(t, "salon", "salontchap");
        let index = tchap_variants(&[("a-longer.toml", &longer), ("b-whole.toml", &whole)]);
        let hits = index.search(&ProcedureQuery {
            text: "salon inscription",
            service: Some("mi"),
            device: None,
            limit: 10,
        });
        let slugs: Vec<&str> = hits.iter().map(|h| h.slug.as_str()).collect();
        assert_eq!(slugs, ["b-whole", "a-longer"]);
        assert!(hits[1].score < hits[0].score && hits[1].score > 0.0);
        // `procedures why` says how the word was met.
        let why = index
            .explain(
                &ProcedureQuery {
                    text: "salon inscription",
                    service: Some("mi"),
                    device: None,
                    limit: 10,
                },
                "a-longer",
            )
            .unwrap();
        assert_eq!(why.words[0].via, Some(super::Via::Prefix), "{why:?}");
        assert_eq!(why.words[0].terms, ["salontchap"]);
    }
}
