//! The callers' set of issue 23 (`callers_set.toml`): calls written from the five guides'
//! situations in callers' words (no accents, typos, « le truc bleu en bas », « on s'appelle
//! tous ensemble ») before reading anything of the catalogue, each naming the guide section
//! it comes from; the expected procedure was mapped afterwards from the procedures'
//! `[[sources]]` alone. Unlike the blind set (`relevance_blind`), it is a development set:
//! the ranking is tuned against it, with `relevance_set.toml` (`relevance_operators`).
//!
//! The set's format, its checks and its counting are those of every set written from the
//! guides (`relevance_guide_sets`); here the figures reached are a floor: a change to the
//! ranking that loses calls fails.
//!
//! `cargo test --test integration relevance_callers -- --nocapture`

use super::relevance_guide_sets::{Call, TOP, assert_well_formed, load, run};
use super::relevance_operators::{Search, percent};

/// The set, embedded so that a change to it rebuilds the test.
const SET_TOML: &str = include_str!("callers_set.toml");
const SET_NAME: &str = "callers_set.toml";

const MIN_CALLS: usize = 150;
/// Every guide has its callers: at least this many calls from each.
const MIN_PER_GUIDE: usize = 20;
/// The five guides (/work/shared/seeds).
const GUIDES: [&str; 5] = [
    "000_d5abb56c715b756f.txt",
    "001_1cd43477181311d7.txt",
    "002_3545f6e10c51b1c1.txt",
    "003_153f178d6c060759.txt",
    "004_a5ea30a1e6417b83.txt",
];

/// What the ranking reaches on the counted calls (the floor a change must keep): calls
/// whose expected procedure comes first, and whose expected procedure or an accepted one
/// is in the first three.
const FLOOR_TOP1: usize = 223;
const FLOOR_TOP3: usize = 245;

fn guide_problems(set: &[Call]) -> Vec<String> {
    GUIDES
        .iter()
        .filter_map(|g| {
            let n = set.iter().filter(|c| c.seed == *g).count();
            (n < MIN_PER_GUIDE)
                .then(|| format!("{g} has {n} calls, at least {MIN_PER_GUIDE} wanted"))
        })
        .collect()
}

#[test]
fn the_callers_set_is_well_formed_and_covers_every_guide() {
    let search = Search::new();
    let set = load(SET_NAME, SET_TOML);
    assert_well_formed(SET_NAME, &set, &search, MIN_CALLS);
    let problems = guide_problems(&set);
    assert!(
        problems.is_empty(),
        "tests/integration/{SET_NAME}:\n  {}",
        problems.join("\n  ")
    );
}

#[test]
fn callers_calls_keep_their_ranking() {
    let m = run(SET_NAME, SET_TOML, MIN_CALLS);
    let n = m.counted;

    let mut failures = Vec::new();
    if m.top1 < FLOOR_TOP1 {
        failures.push(format!(
            "top-1 is {}/{n} ({:.1} %), it was {FLOOR_TOP1}/{n}",
            m.top1,
            percent(m.top1, n)
        ));
    }
    if m.top3 < FLOOR_TOP3 {
        failures.push(format!(
            "top-{TOP} is {}/{n} ({:.1} %), it was {FLOOR_TOP3}/{n}; outside the top {TOP}:\n    {}",
            m.top3,
            percent(m.top3, n),
            m.not_in_top.join("\n    ")
        ));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n  "));
}
