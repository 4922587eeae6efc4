//! What the sets of calls written from the guides share (issue 23): `blind_set.toml`
//! (`relevance_blind`, never tuned against) and `callers_set.toml` (`relevance_callers`, a
//! development set). Each call is written in a caller's words from one situation of a
//! guide and names that guide's section; its expected procedure was mapped afterwards from
//! the procedures' `[[sources]]` alone.
//!
//! Each call goes through the same search as the console (`relevance_operators::Search`).
//! Top-1: the expected procedure comes first. Top-3: it, or one of the call's `also`, is in
//! the first three. Calls marked `expected = "none"` are coverage gaps: listed, not counted.

use super::catalog::is_seed_heading;
use super::relevance_operators::{Search, percent, repeated};
use serde::Deserialize;

/// `expected` of a call whose situation no procedure covers.
const GAP: &str = "none";
/// How many hits each call asks for.
const LIMIT: usize = 10;
/// The expected procedure (or an accepted alternative) must be in the first `TOP` hits.
pub(crate) const TOP: usize = 3;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Set {
    calls: Vec<Call>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Call {
    text: String,
    service: String,
    device: String,
    /// The guide the situation comes from (a file of the seeds).
    pub(crate) seed: String,
    /// The guide's heading of that situation, as written there.
    section: String,
    expected: String,
    /// Other procedures citing the same section that answer the call too: accepted in the
    /// top three, not first.
    #[serde(default)]
    also: Vec<String>,
}

impl Call {
    fn is_gap(&self) -> bool {
        self.expected == GAP
    }

    fn accepts(&self, slug: &str) -> bool {
        slug == self.expected || self.also.iter().any(|a| a == slug)
    }
}

/// The calls of the set `name` (a file of tests/integration), from its text.
pub(crate) fn load(name: &str, toml: &str) -> Vec<Call> {
    let set: Set = toml::from_str(toml)
        .unwrap_or_else(|e| panic!("tests/integration/{name} does not parse: {e}"));
    set.calls
}

/// What is wrong with the set itself, whatever the ranking does.
pub(crate) fn problems(set: &[Call], search: &Search, min_calls: usize) -> Vec<String> {
    let mut problems = Vec::new();
    let known = |slug: &str| search.catalog.get(slug).is_some();
    if set.len() < min_calls {
        problems.push(format!(
            "the set has {} calls, at least {min_calls} wanted",
            set.len()
        ));
    }
    for (i, c) in set.iter().enumerate() {
        let at = format!("call #{} {:?}", i + 1, c.text);
        for p in search.call_problems(&c.text, &c.service, &c.device) {
            problems.push(format!("{at}: {p}"));
        }
        if c.seed.trim().is_empty() || c.section.trim().is_empty() {
            problems.push(format!("{at}: names no guide section"));
        } else if !is_seed_heading(&c.seed, &c.section) {
            problems.push(format!(
                "{at}: « {} » is not a heading of {}",
                c.section, c.seed
            ));
        }
        if !c.is_gap() && !known(&c.expected) {
            problems.push(format!(
                "{at}: expected {:?} is not in the catalogue",
                c.expected
            ));
        }
        if c.is_gap() && !c.also.is_empty() {
            problems.push(format!("{at}: a coverage gap accepts no alternative"));
        }
        for a in &c.also {
            if a == &c.expected || !known(a) {
                problems.push(format!(
                    "{at}: alternative {a:?} is the expected one or not in the catalogue"
                ));
            }
        }
    }
    for (i, first) in repeated(set.iter().map(|c| (c.text.as_str(), c.service.as_str()))) {
        problems.push(format!(
            "call #{i} {:?}: same text and service as call #{first}",
            set[i - 1].text
        ));
    }
    problems
}

/// Panics with the set's problems, if it has any.
pub(crate) fn assert_well_formed(name: &str, set: &[Call], search: &Search, min_calls: usize) {
    let problems = problems(set, search, min_calls);
    assert!(
        problems.is_empty(),
        "tests/integration/{name}:\n  {}",
        problems.join("\n  ")
    );
}

/// One call's outcome.
struct Outcome<'a> {
    call: &'a Call,
    /// 1-based rank of the expected procedure within the first `LIMIT` hits.
    rank: Option<usize>,
    /// The expected procedure or an alternative is in the first `TOP`.
    in_top: bool,
    top: Vec<String>,
}

impl Outcome<'_> {
    fn line(&self) -> String {
        let rank = self.rank.map_or_else(
            || format!("absent des {LIMIT} premières"),
            |r| format!("rang {r}"),
        );
        let also = if self.call.also.is_empty() {
            String::new()
        } else {
            format!(" (ou {})", self.call.also.join(", "))
        };
        format!(
            "{:?} ({}, {}): attendue {}{also}, {rank} ; en tête {:?}",
            self.call.text, self.call.service, self.call.device, self.call.expected, self.top
        )
    }
}

/// A set's figures: the calls counted, how many have their procedure first and how many in
/// the first `TOP`, and those that miss the top `TOP` (one line each).
pub(crate) struct Measure {
    pub(crate) counted: usize,
    pub(crate) top1: usize,
    pub(crate) top3: usize,
    pub(crate) not_in_top: Vec<String>,
}

/// Loads the set `name` from its text, checks it (panics on its problems), then runs and
/// reports it (see [`measure`]).
pub(crate) fn run(name: &str, toml: &str, min_calls: usize) -> Measure {
    let search = Search::new();
    let set = load(name, toml);
    assert_well_formed(name, &set, &search, min_calls);
    measure(name, &set, &search)
}

/// Runs every call of the set `name` and prints its report (`--nocapture`): the totals,
/// the calls outside the top `TOP`, those in it but not first, and the coverage gaps.
pub(crate) fn measure(name: &str, set: &[Call], search: &Search) -> Measure {
    let (gaps, scored): (Vec<&Call>, Vec<&Call>) = set.iter().partition(|c| c.is_gap());
    let outcomes: Vec<Outcome> = scored
        .into_iter()
        .map(|call| {
            let hits = search.run(&call.text, &call.service, &call.device, LIMIT);
            let top: Vec<String> = hits.iter().take(TOP).map(|h| h.slug.clone()).collect();
            Outcome {
                call,
                rank: hits
                    .iter()
                    .position(|h| h.slug == call.expected)
                    .map(|i| i + 1),
                in_top: top.iter().any(|s| call.accepts(s)),
                top,
            }
        })
        .collect();

    let n = outcomes.len();
    let top1 = outcomes.iter().filter(|o| o.rank == Some(1)).count();
    let top3 = outcomes.iter().filter(|o| o.in_top).count();
    let not_first: Vec<String> = outcomes
        .iter()
        .filter(|o| o.rank != Some(1) && o.in_top)
        .map(Outcome::line)
        .collect();
    let not_in_top: Vec<String> = outcomes
        .iter()
        .filter(|o| !o.in_top)
        .map(Outcome::line)
        .collect();

    eprintln!();
    eprintln!(
        "{name}: {n} appels comptés, {} trous de couverture",
        gaps.len()
    );
    eprintln!(
        "top-1 {top1}/{n} = {:.1} %   top-3 {top3}/{n} = {:.1} %   (objectif 90 % et 100 %)",
        percent(top1, n),
        percent(top3, n)
    );
    eprintln!();
    eprintln!("{} hors des {TOP} premières :", not_in_top.len());
    for m in &not_in_top {
        eprintln!("  {m}");
    }
    eprintln!();
    eprintln!(
        "{} dans les {TOP} premières mais pas en tête :",
        not_first.len()
    );
    for m in &not_first {
        eprintln!("  {m}");
    }
    eprintln!();
    eprintln!("{} trous de couverture (hors compte) :", gaps.len());
    for c in &gaps {
        let first = search.run(&c.text, &c.service, &c.device, 1);
        eprintln!(
            "  {:?} ({}, {}) — {} « {} » ; en tête {:?}",
            c.text,
            c.service,
            c.device,
            c.seed,
            c.section,
            first.first().map(|h| h.slug.as_str())
        );
    }
    Measure {
        counted: n,
        top1,
        top3,
        not_in_top,
    }
}
