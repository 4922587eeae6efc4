//! What the words of a summary stood for at the previous keystrokes, kept for the next.
//!
//! Each keystroke searches the whole summary again, and every word used to be worked out
//! again: its terms (a binary search, a prefix scan, some hundred near spellings looked
//! up) and above all its quality for every procedure it matches (its terms' postings
//! walked: on a catalogue of 10,000 procedures, some 0.17 ms of a keystroke's 0.25 ms
//! searching in a loop, more in the console whose caches the drawing has cooled). From
//! one keystroke to the next only the word being typed changes, and its neighbours' when
//! they make a compound or a keyword phrase with it: the others are taken from here, so
//! that a keystroke's cost no longer grows with the words typed before it.
//!
//! Exact by construction, not by approximation: a word's own terms are kept under
//! everything they are worked out from (the word folded, its stem, whether it is the one
//! being typed), a word's quality under everything it is computed from (each of its
//! alternatives: terms, how each met, weight), both for one index ([`Generation`]): any
//! other index, or the same after `set_thesaurus` / `set_learned`, empties the cache
//! first. A few dozen entries of each, and a bound on the procedures' qualities held.
//!
//! Beside the words, how well every procedure fits the call's service and device: the
//! same for every key of a summary, and worked out once a procedure each key it cost a
//! walk through that procedure's lists (a tenth of a key in the console).

use super::{Alternative, Met, SearchIndex, Slot};
use crate::domain::search::QueryWord;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Words' own terms kept: a summary's words, and the prefixes of the last few typed.
const OWN_ENTRIES: usize = 48;
/// Words' qualities kept.
const QUALITY_ENTRIES: usize = 48;
/// At most this many (procedure, quality) pairs held (16 bytes each: 1 MB), whatever the
/// entries: a word of a catalogue of 10,000 procedures matches up to 10,000. The entries
/// of the keystroke that is searching are the last to go.
const QUALITY_PAIRS: usize = 1 << 16;

/// Which index the kept words were worked out on: a number no other index has had in this
/// process (its terms are positions in that index's own list).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) struct Generation(u64);

/// Not its number: an index's `Debug` shows what it holds, and two indexes read alike
/// from SQLite and from PostgreSQL are compared by it (`relevance_engines`).
impl std::fmt::Debug for Generation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Generation")
    }
}

impl Generation {
    pub(super) fn fresh() -> Generation {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        Generation(NEXT.fetch_add(1, Ordering::Relaxed))
    }
}

/// Every index made is a new one: built as `SearchIndex { .., ..default() }`.
impl Default for Generation {
    fn default() -> Generation {
        Generation::fresh()
    }
}

/// What a query word stands for by itself ([`SearchIndex::own`]).
pub(super) struct Own {
    /// Its terms and near spellings: the first part of its first alternative.
    pub(super) terms: Vec<(usize, Met)>,
    /// The two terms it is made of, if the index has it as two.
    pub(super) split: Option<Alternative>,
}

struct OwnEntry {
    folded: String,
    stem: String,
    last: bool,
    own: Arc<Own>,
    used: u64,
}

/// One alternative as its quality depends on it: its parts and the bits of its weight
/// (how it is shown, `Via`, does not count).
type AlternativeKey = (Vec<Vec<(usize, Met)>>, u64);

struct QualityEntry {
    alternatives: Vec<AlternativeKey>,
    quality: Arc<Vec<(u32, f64)>>,
    used: u64,
}

/// How well every procedure fits one call's service and device.
struct FitEntry {
    service: Option<String>,
    device: Option<String>,
    fit: Arc<Vec<f64>>,
}

/// Contexts whose fits are kept: the call's, and the one before while a picker moves.
const FIT_ENTRIES: usize = 2;

/// The cache itself: see the module's comment.
#[derive(Default)]
pub(super) struct KeyCache {
    generation: Option<Generation>,
    /// One tick per search: what a search used is the last to be dropped.
    clock: u64,
    own: Vec<OwnEntry>,
    quality: Vec<QualityEntry>,
    pairs: usize,
    fit: Vec<FitEntry>,
    /// Words' qualities worked out (not found here), for the tests.
    #[cfg(test)]
    misses: usize,
}

impl KeyCache {
    /// Starts a search on `index`: what was kept for another index is dropped.
    pub(super) fn begin(&mut self, index: &SearchIndex) {
        self.clock += 1;
        self.check(index);
    }

    fn check(&mut self, index: &SearchIndex) {
        if self.generation != Some(index.generation) {
            self.own.clear();
            self.quality.clear();
            self.pairs = 0;
            self.fit.clear();
            self.generation = Some(index.generation);
        }
    }

    /// [`SearchIndex::own`], kept.
    pub(super) fn own(&mut self, index: &SearchIndex, word: &QueryWord, last: bool) -> Arc<Own> {
        self.check(index);
        let clock = self.clock;
        if let Some(e) = self
            .own
            .iter_mut()
            .find(|e| e.last == last && e.stem == word.stem && e.folded == word.folded)
        {
            e.used = clock;
            return Arc::clone(&e.own);
        }
        let own = Arc::new(index.own(word, last));
        if self.own.len() >= OWN_ENTRIES
            && let Some(oldest) = oldest(self.own.iter().map(|e| e.used))
        {
            self.own.swap_remove(oldest);
        }
        self.own.push(OwnEntry {
            folded: word.folded.clone(),
            stem: word.stem.clone(),
            last,
            own: Arc::clone(&own),
            used: clock,
        });
        own
    }

    /// [`SearchIndex::slot_quality`], kept (`buffer` as it asks).
    pub(super) fn quality(
        &mut self,
        index: &SearchIndex,
        slot: &Slot,
        buffer: &mut [f64],
    ) -> Arc<Vec<(u32, f64)>> {
        self.check(index);
        let clock = self.clock;
        let same = |e: &QualityEntry| {
            e.alternatives.len() == slot.alternatives.len()
                && e.alternatives
                    .iter()
                    .zip(&slot.alternatives)
                    .all(|((parts, weight), alt)| {
                        *weight == alt.weight.to_bits() && *parts == alt.parts
                    })
        };
        if let Some(e) = self.quality.iter_mut().find(|e| same(e)) {
            e.used = clock;
            return Arc::clone(&e.quality);
        }
        #[cfg(test)]
        {
            self.misses += 1;
        }
        let quality = Arc::new(index.slot_quality(slot, buffer));
        self.pairs += quality.len();
        self.quality.push(QualityEntry {
            alternatives: slot
                .alternatives
                .iter()
                .map(|a| (a.parts.clone(), a.weight.to_bits()))
                .collect(),
            quality: Arc::clone(&quality),
            used: clock,
        });
        // The least recently used first; the one just made last of all (a word that alone
        // passes the bound is still used by this search, and dropped at the next).
        while self.quality.len() > 1
            && (self.quality.len() > QUALITY_ENTRIES || self.pairs > QUALITY_PAIRS)
        {
            let made = self.quality.len() - 1;
            let Some(oldest) = oldest(self.quality[..made].iter().map(|e| e.used)) else {
                break;
            };
            let gone = self.quality.remove(oldest);
            self.pairs -= gone.quality.len();
        }
        quality
    }
}

impl KeyCache {
    /// [`SearchIndex::fits`]: how well each procedure fits the call, worked out once for
    /// the call's service and device instead of once a matching procedure each keystroke
    /// (each a walk through its lists of services and devices: thousands of cache misses
    /// a keystroke on a catalogue of 10,000, a tenth of its time in the console).
    pub(super) fn fit(
        &mut self,
        index: &SearchIndex,
        service: Option<&str>,
        device: Option<&str>,
    ) -> Arc<Vec<f64>> {
        self.check(index);
        if let Some(e) = self
            .fit
            .iter()
            .find(|e| e.service.as_deref() == service && e.device.as_deref() == device)
        {
            return Arc::clone(&e.fit);
        }
        let fit = Arc::new(index.fits(service, device));
        if self.fit.len() >= FIT_ENTRIES {
            self.fit.remove(0);
        }
        self.fit.push(FitEntry {
            service: service.map(str::to_string),
            device: device.map(str::to_string),
            fit: Arc::clone(&fit),
        });
        fit
    }
}

/// The place of the smallest stamp.
fn oldest(used: impl Iterator<Item = u64>) -> Option<usize> {
    used.enumerate().min_by_key(|(_, u)| *u).map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::super::{KEY_CACHE, ProcedureHit, ProcedureQuery, SearchIndex};
    use crate::catalog::embedded_reference;
    use crate::catalog::procedures::{Catalog, embedded};
    use crate::domain::learned::{Lesson, Lessons};
    use crate::domain::thesaurus::{Group, Thesaurus};
    use crate::store::Store;

    fn now() -> chrono::DateTime<chrono::Utc> {
        use chrono::TimeZone;
        chrono::Utc.with_ymd_and_hms(2026, 12, 7, 10, 0, 0).unwrap()
    }

    fn catalogue() -> (Catalog, SearchIndex) {
        let catalog = embedded(&embedded_reference());
        let index = Store::open_in_memory()
            .unwrap()
            .sync_catalog(&catalog)
            .unwrap();
        (catalog, index)
    }

    /// Every field alike, the scores to the bit (`==` would take -0 for 0).
    fn same(cached: &[ProcedureHit], afresh: &[ProcedureHit], what: &str) {
        assert_eq!(cached, afresh, "{what}");
        for (c, a) in cached.iter().zip(afresh) {
            assert_eq!(c.score.to_bits(), a.score.to_bits(), "{what}: {}", c.slug);
            assert_eq!(
                c.relevance.to_bits(),
                a.relevance.to_bits(),
                "{what}: {}",
                c.slug
            );
        }
    }

    /// A call's service and device, either unknown.
    type Context = (Option<&'static str>, Option<&'static str>);

    /// The searches of one text, in the console's contexts: the form's few proposals
    /// and a long list, without and with the call's service and device.
    fn check(index: &SearchIndex, text: &str) -> usize {
        check_in(
            index,
            text,
            &[(None, None), (Some("mi"), Some("noemi"))],
            &[6, 200],
        )
    }

    /// The searches of one text in each context and at each length, each against a search
    /// without the cache; how many hits they found.
    fn check_in(index: &SearchIndex, text: &str, contexts: &[Context], limits: &[usize]) -> usize {
        let mut found = 0;
        for &(service, device) in contexts {
            for &limit in limits {
                let query = ProcedureQuery {
                    text,
                    service,
                    device,
                    limit,
                };
                let cached = index.search(&query);
                same(
                    &cached,
                    &index.search_uncached(&query),
                    &format!("{text:?} {service:?} {device:?} {limit}"),
                );
                found += cached.len();
            }
        }
        found
    }

    /// What the field holds after each key: `text` typed from the end of `from`, after
    /// `back` backspaces.
    fn typing(from: &str, back: usize, text: &str) -> Vec<String> {
        let mut field: Vec<char> = from.chars().collect();
        let mut out = Vec::new();
        for _ in 0..back.min(field.len()) {
            field.pop();
            out.push(field.iter().collect());
        }
        for c in text.chars() {
            field.push(c);
            out.push(field.iter().collect());
        }
        out
    }

    /// What the field holds as the word at `at` (in characters) of `text`, `len` long, is
    /// deleted key by key from its end and `word` typed in its place: the cursor moved
    /// back into the summary.
    fn changing(text: &str, at: usize, len: usize, word: &str) -> Vec<String> {
        let chars: Vec<char> = text.chars().collect();
        let (head, tail) = (&chars[..at], &chars[at + len..]);
        let mut out = Vec::new();
        for kept in (0..len).rev() {
            let mut field: Vec<char> = head.to_vec();
            field.extend(&chars[at..at + kept]);
            field.extend(tail);
            out.push(field.into_iter().collect());
        }
        for typed in 1..=word.chars().count() {
            let mut field: Vec<char> = head.to_vec();
            field.extend(word.chars().take(typed));
            field.extend(tail);
            out.push(field.into_iter().collect());
        }
        out
    }

    #[test]
    fn typing_a_summary_key_by_key_finds_what_a_search_afresh_finds() {
        let (_, mut index) = catalogue();
        // What the walks taught weighs in too, as in the console.
        let top = index.search_uncached(&ProcedureQuery {
            text: "lecteur de carte",
            limit: 1,
            ..ProcedureQuery::default()
        });
        let lessons: Vec<Lesson> = (0..12)
            .map(|_| Lesson {
                summary: "le lecteur ne voit plus la carte".into(),
                procedure: top[0].slug.clone(),
                at: now(),
            })
            .collect();
        index.set_learned(&Lessons::learn(&lessons, now()));
        let summaries = [
            "carte agent perdue, noemi bloque depuis ce matin",
            "le vpn icone bleue ne se connecte plus depuis la maison",
            "pass code oublie pour la web conf de 14h, on s'appelle tous ensemble",
            "la photocopieuse du 2e affiche bourrage, imprimnate bloquee aussi",
            "mon lecteur de cartes ne voit rien, carte agent dedans",
            "webconf tchap inscription impossible mot de passe cryhod expire",
            "cle usb chiffree bitloker demande un code de recuperation",
        ];
        let mut keys = 0;
        let mut found = 0;
        let (mut misses, mut words) = (0, 0);
        let mut field = String::new();
        for summary in summaries {
            // Each summary after the previous one, cleared key by key.
            let mut states = typing(&field, field.chars().count(), summary);
            // Five backspaces and the end typed again, another way.
            let n = summary.chars().count();
            let typed_again: String = summary.chars().skip(n - 5).collect();
            states.extend(typing(summary, 5, &typed_again.to_uppercase()));
            // A word in the middle changed: the cursor moved back into the summary.
            let at = summary
                .find(' ')
                .map_or(0, |i| summary[..i].chars().count() + 1);
            let len = summary.chars().skip(at).take_while(|c| *c != ' ').count();
            let mut last = summary.to_string();
            for changed in changing(&last.to_uppercase(), at, len, "imprimante") {
                states.push(changed.clone());
                last = changed;
            }
            for state in &states {
                // The key as the console searches it, then the same words afresh.
                let before = KEY_CACHE.with(|c| c.borrow().misses);
                index.search(&ProcedureQuery {
                    text: state,
                    limit: 6,
                    ..ProcedureQuery::default()
                });
                misses += KEY_CACHE.with(|c| c.borrow().misses) - before;
                words += crate::domain::search::query_terms(state).len();
                found += check(&index, state);
                keys += 1;
            }
            field = last;
        }
        assert!(keys > 500, "{keys}");
        assert!(found > 1000, "{found}");
        // The words typed before were taken from the cache, not worked out again: about
        // one a key (the word being typed, sometimes its neighbour).
        assert!(words > 4 * keys, "{words} words for {keys} keys");
        assert!(
            misses < 2 * keys,
            "{misses} words worked out for {keys} keys"
        );
    }

    #[test]
    fn a_changed_index_is_never_answered_from_the_cache_of_the_one_before() {
        let (catalog, before) = catalogue();
        let text = "tchap inscription salon";
        let query = ProcedureQuery {
            text,
            limit: 10,
            ..ProcedureQuery::default()
        };
        let first = before.search(&query);
        same(&first, &before.search_uncached(&query), "before");
        assert!(!first.is_empty());
        // The procedure found first removed, a copy of it added under another name with
        // a word the index did not have: its procedures and its terms move.
        let mut copy = catalog
            .procedures
            .iter()
            .find(|p| p.slug == first[0].slug)
            .unwrap()
            .clone();
        copy.slug = "tchap-zorglub".into();
        copy.title = format!("{} zorglub", copy.title);
        let changed = before.with_changes(&[copy], std::slice::from_ref(&first[0].slug));
        let after = changed.search(&query);
        same(
            &after,
            &changed.search_uncached(&query),
            "after with_changes",
        );
        assert_ne!(after, first, "the change shows");
        // Back and forth: each index answered as itself.
        same(&before.search(&query), &first, "before again");
        same(&changed.search(&query), &after, "after again");
        // A copy is the same index: its searches are the original's.
        let copied = changed.clone();
        same(&copied.search(&query), &after, "a copy");
        // What the walks taught changes the index the cache knew.
        let lessons: Vec<Lesson> = (0..20)
            .map(|_| Lesson {
                summary: text.into(),
                procedure: after.last().unwrap().slug.clone(),
                at: now(),
            })
            .collect();
        let mut taught = changed.clone();
        changed.search(&query);
        taught.set_learned(&Lessons::learn(&lessons, now()));
        let learned = taught.search(&query);
        same(
            &learned,
            &taught.search_uncached(&query),
            "after set_learned",
        );
        assert_ne!(learned, after, "the lessons show");
        // So does another thesaurus: a word the index lacks now says « tchap ».
        let mut synonyms = taught.clone();
        let zorglub = ProcedureQuery {
            text: "blorbo",
            ..query.clone()
        };
        assert!(taught.search(&zorglub).is_empty());
        synonyms.set_thesaurus(Thesaurus::new(vec![Group::new(vec![
            "blorbo".into(),
            "tchap".into(),
        ])]));
        let said = synonyms.search(&zorglub);
        same(
            &said,
            &synonyms.search_uncached(&zorglub),
            "after set_thesaurus",
        );
        assert!(!said.is_empty());
    }

    #[test]
    fn every_index_made_is_another_and_a_copy_the_same() {
        let (catalog, index) = catalogue();
        assert_eq!(index.clone().generation, index.generation);
        let changed = index.with_changes(&catalog.procedures[..1], &[]);
        assert_ne!(changed.generation, index.generation);
        assert_ne!(
            SearchIndex::default().generation,
            SearchIndex::default().generation
        );
        let mut learned = index.clone();
        learned.set_learned(&Lessons::default());
        assert_ne!(learned.generation, index.generation);
    }

    #[test]
    fn a_call_of_another_service_or_device_is_ranked_as_afresh() {
        let (_, index) = catalogue();
        // More contexts than are kept, in turn and back: each fit worked out for its own.
        let contexts: [Context; 5] = [
            (Some("mi"), Some("noemi")),
            (Some("mtes"), Some("pc-pro")),
            (None, Some("smartphone-perso")),
            (Some("gip-tn"), None),
            (None, None),
        ];
        for _ in 0..2 {
            for context in contexts.iter().chain(contexts.iter().rev()) {
                for text in ["carte agent perdue", "webconf", "vpn bleu ne se connecte"] {
                    let found = check_in(&index, text, std::slice::from_ref(context), &[6]);
                    assert!(found > 0, "{text:?} {context:?}");
                }
            }
        }
        KEY_CACHE.with(|c| assert!(c.borrow().fit.len() <= super::FIT_ENTRIES));
    }

    #[test]
    fn the_cache_stays_within_its_bounds() {
        let (_, index) = catalogue();
        // Far more words than entries, one search each, then one long summary.
        let words: Vec<String> = (0..200).map(|i| format!("tchap{i} salon")).collect();
        for w in &words {
            check(&index, w);
        }
        let long: String = (0..80).map(|i| format!("mot{i} ")).collect();
        check(&index, &long);
        KEY_CACHE.with(|c| {
            let c = c.borrow();
            assert!(c.own.len() <= super::OWN_ENTRIES, "{}", c.own.len());
            assert!(
                c.quality.len() <= super::QUALITY_ENTRIES,
                "{}",
                c.quality.len()
            );
            assert_eq!(
                c.pairs,
                c.quality.iter().map(|e| e.quality.len()).sum::<usize>()
            );
            assert!(c.pairs <= super::QUALITY_PAIRS);
        });
    }
}
