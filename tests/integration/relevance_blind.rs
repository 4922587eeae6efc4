//! The blind sets of issue 23 (`blind_set.toml`, and `blind_set_2.toml` written later by
//! another hand): calls written from the five guides' situations in callers' words (no
//! accents, typos, « le truc bleu en bas ») by someone who had not read the catalogue nor the
//! other sets, each naming the guide section it comes from; the expected procedure was mapped
//! afterwards from the procedures' `[[sources]]` alone. They measure the ranking on words it
//! was never tuned for, so they must never be tuned against: the development set stays
//! `relevance_set.toml` (`relevance_operators`). Both go through the same checks and the same
//! counting (`assert_well_formed`, `assert_meets_goal`), so their figures compare.
//!
//! Each call goes through the same search as the console (`relevance_operators::Search`).
//! Top-1: the expected procedure comes first. Top-3: it, or one of the call's `also`, is in
//! the first three. Calls marked `expected = "none"` are coverage gaps: listed, not counted.
//!
//! `cargo test --test integration relevance_blind -- --include-ignored --nocapture`

use super::catalog::is_seed_heading;
use super::relevance_operators::{Search, percent, repeated};
use serde::Deserialize;

/// The sets, embedded so that a change to one rebuilds the test.
const FIRST_SET: &str = include_str!("blind_set.toml");
const SECOND_SET: &str = include_str!("blind_set_2.toml");

/// `expected` of a call whose situation no procedure covers.
const GAP: &str = "none";
/// How many hits each call asks for.
const LIMIT: usize = 10;
/// The expected procedure (or an accepted alternative) must be in the first `TOP` hits.
const TOP: usize = 3;
/// Issue 23's goal on unseen calls: share whose expected procedure comes first.
const GOAL_TOP1: f64 = 0.90;
const MIN_CALLS: usize = 80;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Set {
    calls: Vec<Call>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Call {
    text: String,
    service: String,
    device: String,
    /// The guide the situation comes from (a file of the seeds).
    seed: String,
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

/// `name` is the set's file name, for messages.
fn load_set(text: &str, name: &str) -> Vec<Call> {
    let set: Set = toml::from_str(text)
        .unwrap_or_else(|e| panic!("tests/integration/{name} does not parse: {e}"));
    set.calls
}

/// What is wrong with the set itself, whatever the ranking does.
fn problems(set: &[Call], search: &Search) -> Vec<String> {
    let mut problems = Vec::new();
    let known = |slug: &str| search.catalog.get(slug).is_some();
    if set.len() < MIN_CALLS {
        problems.push(format!(
            "the set has {} calls, at least {MIN_CALLS} wanted",
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

/// Fails with every problem of the set named `name` whose text is `text`.
fn assert_well_formed(text: &str, name: &str, search: &Search) -> Vec<Call> {
    let set = load_set(text, name);
    let problems = problems(&set, search);
    assert!(
        problems.is_empty(),
        "tests/integration/{name}:\n  {}",
        problems.join("\n  ")
    );
    set
}

#[test]
fn the_blind_set_is_well_formed() {
    assert_well_formed(FIRST_SET, "blind_set.toml", &Search::new());
}

#[test]
fn the_second_blind_set_is_well_formed() {
    assert_well_formed(SECOND_SET, "blind_set_2.toml", &Search::new());
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

#[test]
#[ignore = "issue 23: blind set goal (90 % top-1, 100 % top-3) not met yet; run with --ignored"]
fn blind_calls_meet_the_goal() {
    assert_meets_goal(FIRST_SET, "blind_set.toml");
}

#[test]
#[ignore = "issue 23: blind set goal (90 % top-1, 100 % top-3) not met yet; run with --ignored"]
fn second_blind_calls_meet_the_goal() {
    assert_meets_goal(SECOND_SET, "blind_set_2.toml");
}

/// Runs every counted call of the set through the console's search, prints the figures and
/// the misses, and fails unless issue 23's goal is met.
fn assert_meets_goal(text: &str, name: &str) {
    let search = Search::new();
    let set = assert_well_formed(text, name, &search);

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

    let mut failures = Vec::new();
    if (top1 as f64) < GOAL_TOP1 * n as f64 {
        failures.push(format!(
            "top-1 is {:.1} % ({top1}/{n}), at least {:.0} % wanted",
            percent(top1, n),
            GOAL_TOP1 * 100.0
        ));
    }
    if top3 < n {
        failures.push(format!(
            "{} of {n} calls miss the top {TOP}:\n    {}",
            n - top3,
            not_in_top.join("\n    ")
        ));
    }
    assert!(failures.is_empty(), "{name}: {}", failures.join("\n  "));
}
