//! What the desk's own walks teach the ranking (issue 23: « the desk's own walks teach
//! the ranking »): a procedure followed to its end for calls that said « lecteur » is
//! proposed a little higher the next time a call says « lecteur ».
//!
//! Pure: the walks come from the store ([`Lesson`]), the boost goes to the search index,
//! which multiplies the score of a procedure the words already match by
//! [`Taught::factor`]. Three bounds keep it a tie-breaker, never a second ranking:
//!
//! - it only multiplies a score the words gave: a procedure no word matches stays out;
//! - the factor is at most 1 + [`CAP`]: the desk's habits are self-reinforcing (the first
//!   proposal is the one followed most) and may be wrong, so they may settle procedures
//!   whose words fit about as well (within a fifth), never bury one whose words fit
//!   clearly better; nor lift another service's procedure (× 0.45) over the call's own;
//! - it decays: a walk weighs half as much every [`HALF_LIFE_DAYS`] days, and the store
//!   reads those of the last [`WINDOW_DAYS`] days only, so a changed habit wears off.

use super::search::{folded_words, stem};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::HashMap;

/// The most a score can be multiplied by: × 1.2.
pub const CAP: f64 = 0.2;

/// A walk's weight halves every this many days.
pub const HALF_LIFE_DAYS: f64 = 30.0;

/// Walks older than this teach nothing (six half-lives: a sixty-fourth of their weight).
pub const WINDOW_DAYS: i64 = 180;

/// At most this many walks are read, the most recent first: what the console keeps of
/// them stays small on a desk of a million calls, and older ones weigh little anyway.
pub const MAX_WALKS: usize = 20_000;

/// A word must have sent the procedure's walk this many times to teach anything: one
/// walk is an anecdote.
pub const MIN_WALKS: u32 = 2;

/// How many (decayed) walks make half the confidence: 2 walks teach half of what many do.
const HALF_CONFIDENCE: f64 = 2.0;

/// One walk that teaches: followed to its end, not escalated, on a call saying `summary`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lesson {
    pub summary: String,
    pub procedure: String,
    pub at: DateTime<Utc>,
}

/// What one word taught of one procedure.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Taught {
    /// From 0 to 1: the share of the word's walks that went to this procedure (decayed),
    /// times how sure the count makes it.
    pub strength: f64,
    /// The walks counted, as they happened (not decayed), for the sentence.
    pub walks: u32,
}

impl Taught {
    /// What a score is multiplied by: from 1 to 1 + [`CAP`].
    pub fn factor(&self) -> f64 {
        1.0 + CAP * self.strength.clamp(0.0, 1.0)
    }
}

/// Why a procedure ranks higher: the query's word that carried it, as typed (folded), and
/// how many walks taught it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LearnedWhy {
    pub word: String,
    pub walks: u32,
    /// What the score was multiplied by.
    pub factor: f64,
}

impl LearnedWhy {
    /// « suivie 12 fois pour « lecteur » ».
    pub fn sentence(&self) -> String {
        format!("suivie {} fois pour « {} »", self.walks, self.word)
    }
}

/// What the walks taught, by word stem: each procedure it sent walks to.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Lessons {
    by_stem: HashMap<String, Vec<(String, Taught)>>,
}

/// What walks teach, counted one walk at a time (the store hands them as it reads them:
/// a million-call desk's walks are never all in memory at once).
#[derive(Debug, Clone)]
pub struct Learner {
    now: DateTime<Utc>,
    /// stem → procedure → (decayed weight, walks)
    counts: HashMap<String, HashMap<String, (f64, u32)>>,
    /// A desk's calls say the same words again and again: each is stemmed once (the
    /// stemmer was most of the cost of 20,000 summaries).
    stems_of: HashMap<String, String>,
}

impl Learner {
    /// Counts as seen at `now`.
    pub fn new(now: DateTime<Utc>) -> Learner {
        Learner {
            now,
            counts: HashMap::new(),
            stems_of: HashMap::new(),
        }
    }

    /// Counts one walk: per word stem of its call's summary (by the one text rule), for its
    /// procedure, weighing half as much every [`HALF_LIFE_DAYS`] days; a walk older than
    /// [`WINDOW_DAYS`] days counts for nothing, one dated ahead of `now` (another clock) as
    /// of now.
    pub fn add(&mut self, walk: &Lesson) {
        let age_days = (self.now - walk.at).num_seconds().max(0) as f64 / 86_400.0;
        if age_days > WINDOW_DAYS as f64 {
            return;
        }
        let weight = 0.5f64.powf(age_days / HALF_LIFE_DAYS);
        let mut stems: Vec<String> = folded_words(&walk.summary)
            .into_iter()
            .map(|word| match self.stems_of.get(&word) {
                Some(s) => s.clone(),
                None => {
                    let s = stem(&word);
                    self.stems_of.insert(word, s.clone());
                    s
                }
            })
            .collect();
        stems.sort_unstable();
        stems.dedup();
        for s in stems {
            let by_procedure = match self.counts.get_mut(&s) {
                Some(by_procedure) => by_procedure,
                None => self.counts.entry(s).or_default(),
            };
            let c = match by_procedure.get_mut(&walk.procedure) {
                Some(c) => c,
                None => by_procedure.entry(walk.procedure.clone()).or_default(),
            };
            c.0 += weight;
            c.1 += 1;
        }
    }

    /// What the walks counted teach.
    pub fn lessons(self) -> Lessons {
        let mut by_stem = HashMap::new();
        for (stem, procedures) in self.counts {
            let total: f64 = procedures.values().map(|c| c.0).sum();
            let mut taught: Vec<(String, Taught)> = procedures
                .into_iter()
                .filter(|(_, (_, walks))| *walks >= MIN_WALKS)
                .map(|(p, (weight, walks))| {
                    // A word said on every call (« probleme ») sends walks everywhere: its
                    // share for any one procedure stays small.
                    let share = weight / total;
                    let confidence = weight / (weight + HALF_CONFIDENCE);
                    (
                        p,
                        Taught {
                            strength: share * confidence,
                            walks,
                        },
                    )
                })
                .collect();
            if !taught.is_empty() {
                taught.sort_by(|a, b| a.0.cmp(&b.0));
                by_stem.insert(stem, taught);
            }
        }
        Lessons { by_stem }
    }
}

impl Lessons {
    /// What `walks` teach at `now` (see [`Learner::add`]).
    pub fn learn(walks: &[Lesson], now: DateTime<Utc>) -> Lessons {
        let mut learner = Learner::new(now);
        for walk in walks {
            learner.add(walk);
        }
        learner.lessons()
    }

    pub fn is_empty(&self) -> bool {
        self.by_stem.is_empty()
    }

    /// What the word stem `stem` taught: each procedure with its strength.
    pub fn taught(&self, stem: &str) -> &[(String, Taught)] {
        self.by_stem.get(stem).map_or(&[], Vec::as_slice)
    }

    /// Every (stem, procedure, taught), for an index to resolve the procedures once.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str, Taught)> {
        self.by_stem.iter().flat_map(|(stem, taught)| {
            taught
                .iter()
                .map(move |(p, t)| (stem.as_str(), p.as_str(), *t))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 6, 10, 0, 0).unwrap()
    }

    fn walks(n: usize, summary: &str, procedure: &str, days_ago: i64) -> Vec<Lesson> {
        (0..n)
            .map(|_| Lesson {
                summary: summary.into(),
                procedure: procedure.into(),
                at: now() - Duration::days(days_ago),
            })
            .collect()
    }

    fn strength(l: &Lessons, stem: &str, p: &str) -> f64 {
        l.taught(stem)
            .iter()
            .find(|(q, _)| q == p)
            .map_or(0.0, |(_, t)| t.strength)
    }

    #[test]
    fn walks_teach_their_words_by_stem() {
        let l = Lessons::learn(
            &walks(12, "Le lecteur de cartes ne répond plus", "card", 1),
            now(),
        );
        let taught = l.taught("lecteur");
        assert_eq!(taught.len(), 1);
        assert_eq!(taught[0].0, "card");
        assert_eq!(taught[0].1.walks, 12);
        // Stems by the one text rule: « cartes » is « cart », stop words teach nothing.
        assert_eq!(l.taught("cart")[0].1.walks, 12);
        assert!(l.taught("de").is_empty() && l.taught("ne").is_empty());
        let f = taught[0].1.factor();
        assert!(f > 1.1 && f <= 1.0 + CAP, "{f}");
    }

    #[test]
    fn one_walk_is_an_anecdote() {
        let l = Lessons::learn(&walks(1, "lecteur", "card", 0), now());
        assert!(l.is_empty());
    }

    #[test]
    fn the_factor_never_passes_the_cap() {
        let l = Lessons::learn(&walks(5_000, "lecteur", "card", 0), now());
        let t = l.taught("lecteur")[0].1;
        assert!(t.factor() <= 1.0 + CAP + 1e-12, "{}", t.factor());
        assert!(t.factor() > 1.19, "{}", t.factor());
        let beyond = Taught {
            strength: 7.0,
            walks: 1,
        };
        assert_eq!(beyond.factor(), 1.0 + CAP);
    }

    #[test]
    fn old_walks_weigh_less_and_the_oldest_nothing() {
        let fresh = Lessons::learn(&walks(6, "lecteur", "card", 0), now());
        let month = Lessons::learn(&walks(6, "lecteur", "card", 30), now());
        let old = Lessons::learn(&walks(6, "lecteur", "card", WINDOW_DAYS + 1), now());
        let (f, m) = (
            strength(&fresh, "lecteur", "card"),
            strength(&month, "lecteur", "card"),
        );
        // Six walks a half-life ago weigh as three today.
        let three = strength(
            &Lessons::learn(&walks(3, "lecteur", "card", 0), now()),
            "lecteur",
            "card",
        );
        assert!((m - three).abs() < 1e-9, "{m} {three}");
        assert!(m < f);
        assert!(old.is_empty());
        // A walk dated ahead (another clock) counts as of now, no more.
        let ahead = Lessons::learn(&walks(6, "lecteur", "card", -3), now());
        assert_eq!(strength(&ahead, "lecteur", "card"), f);
    }

    #[test]
    fn a_word_said_everywhere_teaches_little() {
        let mut all = walks(10, "probleme lecteur", "card", 0);
        for p in ["vpn", "mail", "printer", "wifi", "phone"] {
            all.extend(walks(10, "probleme", p, 0));
        }
        let l = Lessons::learn(&all, now());
        let common = strength(&l, "problem", "card");
        let specific = strength(&l, "lecteur", "card");
        assert!(common < specific / 4.0, "{common} {specific}");
    }

    #[test]
    fn the_sentence_says_the_walks_and_the_word() {
        let why = LearnedWhy {
            word: "lecteur".into(),
            walks: 12,
            factor: 1.15,
        };
        assert_eq!(why.sentence(), "suivie 12 fois pour « lecteur »");
    }
}
