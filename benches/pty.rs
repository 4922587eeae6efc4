//! The console as the operator's terminal sees it, on a large desk, beside the bare ratatui
//! floor measured in the same run: the real release binary in a real pseudo-terminal of
//! 80x24 (`tests/integration/common/pty.rs`), its output kept on a virtual screen.
//!
//! The desk: `GUICHET_BENCH_DB` (a file written by
//! `cargo run --release --example datagen -- … --out DIR`, its catalogue in `DIR/procedures`)
//! or, by default, 1,000,000 calls and 10,000 procedures generated once into
//! `target/bench-data/desk-1m-10k/` and reused (for a day: its timeline ends when it was
//! made). Each catalogue gets its own copy of the database, its search index already in
//! line with it, so that a run measures a console whose catalogue did not change.
//!
//! Scenarios, each run `GUICHET_BENCH_PTY_RUNS` times (5), every run a fresh console:
//! - the list search: `/` then an open call's caller's name, key by key, on the open calls;
//!   and on every call (`t` first);
//! - the summary typed with live matching: `F2`, five `Tab`s, then a sentence key by key;
//!   every fourth key is sent at the whole second, when the console redraws its clock and
//!   commits the draft (reported apart and counted in the whole);
//! - in each run: the first paint (start until the first frame showing "guichet ·"), the
//!   console's peak memory (VmHWM) after the last key, bytes written per key.
//!
//! With the 40 embedded procedures and with `--catalog DIR/procedures` (10,000). The floor
//! (`../shared/tools/bare-tui`, built in `target/bare-tui`) types the same text.
//!
//! A key's latency lasts until the first frame that shows its result (the typed text in
//! the field, its cursor after it), however long that takes; the next key waits for it. A
//! key not shown after `GUICHET_BENCH_KEY_DEADLINE_S` (10) seconds fails the run, loudly.
//!
//! `cargo bench --bench pty`.

#[path = "../tests/integration/common/pty.rs"]
mod pty;

// The generators are shared with the example and the other benches.
#[allow(dead_code)]
mod datagen;

#[allow(dead_code)]
mod console;

use console::{
    COLS, Program, ROWS, Res, Samples, When, bare, bench_setup, caller_to_type, describe,
    env_usize, fmt_mb, fmt_ms, guichet, home, load_average, median, ms, on_floor, quantile,
    remove_copy, run, run_copy, search_all, search_open, summary,
};
use std::time::{Duration, Instant};

/// Goals of issue 13.
const FIRST_PAINT_RATIO: f64 = 3.0;
const KEY_P99: Duration = Duration::from_millis(2);
const MEMORY_10K: u64 = 30_000_000;

fn main() {
    match bench() {
        Ok(true) => {}
        Ok(false) => {
            eprintln!("pty bench: some runs FAILED (see above)");
            std::process::exit(1);
        }
        Err(e) => {
            eprintln!("pty bench: {e}");
            std::process::exit(1);
        }
    }
}

fn bench() -> Res<bool> {
    let whole = Instant::now();
    let rounds = env_usize("GUICHET_BENCH_PTY_RUNS", 5).max(1);
    println!("== guichet in a real terminal ({COLS}x{ROWS}), beside the bare ratatui floor ==");
    let (guichet_path, bare_path, desk) = bench_setup()?;
    let home = home()?;
    let (db40, took40) = run_copy(&desk, "pty-40", None)?;
    let (db10k, took10k) = run_copy(&desk, "pty-10k", Some(&desk.catalog))?;
    println!(
        "copies   {} (index of the 40 embedded procedures: {:.1} s), {} (index already there: {:.1} s)",
        db40.display(),
        took40.as_secs_f64(),
        db10k.display(),
        took10k.as_secs_f64()
    );
    let (name, open_n, all_n) = caller_to_type(&db10k)?;
    println!(
        "search   types {name:?} (an open call's caller: {open_n} open calls and {all_n} calls in all match)"
    );
    println!(
        "rounds   {rounds}, key deadline {:?}, load average {}",
        console::key_deadline(),
        load_average()
    );

    let floor = bare(&bare_path);
    let g40 = guichet("guichet·40", &guichet_path, &db40, None, home.path());
    let big = format!("guichet·{}", desk.procedures);
    let g10k = guichet(
        &big,
        &guichet_path,
        &db10k,
        Some(&desk.catalog),
        home.path(),
    );
    let scenarios = [search_open(&name), search_all(&name), summary()];
    let programs: [&Program; 3] = [&floor, &g40, &g10k];
    let mut samples: Vec<Vec<Samples>> = vec![vec![Samples::default(); scenarios.len()]; 3];
    println!();
    for round in 0..rounds {
        for (p, program) in programs.iter().enumerate() {
            for (k, scenario) in scenarios.iter().enumerate() {
                // On the floor, both searches are the same typing.
                if p == 0 && k == 1 {
                    continue;
                }
                let scenario = if p == 0 {
                    on_floor(scenario)
                } else {
                    scenario.clone()
                };
                let r = run(program, &scenario);
                let lat: Vec<Duration> = r.keys.iter().map(|k| k.latency).collect();
                println!(
                    "round {}/{rounds}  {:<14} {:<12} first paint {:>10}  keys {:>2}  median {:>10}  p99 {:>10}  peak {:>8}  {}{}",
                    round + 1,
                    program.label,
                    scenario.name,
                    fmt_ms(r.first_paint),
                    lat.len(),
                    fmt_ms(median(&lat)),
                    fmt_ms(quantile(&lat, 0.99)),
                    fmt_mb(r.peak),
                    r.ending,
                    r.failure
                        .as_deref()
                        .map(|f| format!("\n  FAILED: {f}"))
                        .unwrap_or_default()
                );
                samples[p][k].runs.push(r);
            }
        }
    }

    println!("\n-- per program and scenario, over every run --");
    for (p, program) in programs.iter().enumerate() {
        for (k, scenario) in scenarios.iter().enumerate() {
            if !samples[p][k].runs.is_empty() {
                println!(
                    "{}",
                    describe(&program.label, scenario.name, &samples[p][k])
                );
            }
        }
    }
    let mut failed = 0;
    for (p, program) in programs.iter().enumerate() {
        for (k, scenario) in scenarios.iter().enumerate() {
            for f in samples[p][k].failures() {
                failed += 1;
                println!("FAILED {} {}: {}", program.label, scenario.name, f);
            }
            let ends = samples[p][k].endings();
            if !ends.is_empty() && ends != "exit 0" {
                println!("{} {} ended: {ends}", program.label, scenario.name);
            }
        }
    }

    // The table.
    let all = |s: &Samples| s.latencies(None);
    let fl_search = &samples[0][0];
    let fl_summary = &samples[0][2];
    let floor_paint = median(&[fl_search.first_paints(), fl_summary.first_paints()].concat());
    let paints = |p: usize| {
        median(
            &samples[p]
                .iter()
                .flat_map(Samples::first_paints)
                .collect::<Vec<_>>(),
        )
    };
    let peak = |p: usize| samples[p].iter().filter_map(Samples::peak).max();
    let floor_peak = peak(0);
    let mut rows: Vec<Row> = Vec::new();
    let time_row = |figure: String,
                    goal: Goal,
                    floor: Option<Duration>,
                    ours: Option<Duration>,
                    late: usize| Row {
        figure,
        goal,
        floor: fmt_ms(floor),
        ours: format!("{}{}", if late > 0 { "≥ " } else { "" }, fmt_ms(ours)),
        ratio: ratio(ours.map(ms), floor.map(ms)),
        verdict: goal.verdict(ours.map(ms), floor.map(ms)),
    };
    rows.push(time_row(
        "first paint, 40 procedures (median)".into(),
        Goal::TimesFloor(FIRST_PAINT_RATIO),
        floor_paint,
        paints(1),
        0,
    ));
    rows.push(time_row(
        format!("first paint, {} procedures (median)", desk.procedures),
        Goal::TimesFloor(FIRST_PAINT_RATIO),
        floor_paint,
        paints(2),
        0,
    ));
    let floor_search_p99 = quantile(&all(fl_search), 0.99);
    for (k, what) in [(0, "open calls"), (1, "all calls")] {
        let s = &samples[2][k];
        rows.push(time_row(
            format!("list search, {what}: per key p99"),
            Goal::AtMost(ms(KEY_P99)),
            floor_search_p99,
            quantile(&all(s), 0.99),
            s.late(),
        ));
    }
    let floor_summary_p99 = quantile(&all(fl_summary), 0.99);
    let s = &samples[2][2];
    rows.push(time_row(
        format!(
            "summary typing, {} procedures: per key p99",
            desk.procedures
        ),
        Goal::AtMost(ms(KEY_P99)),
        floor_summary_p99,
        quantile(&all(s), 0.99),
        s.late(),
    ));
    for (when, what) in [
        (When::Away, "  keys away from the whole second"),
        (When::AtCommit, "  keys at the draft commit"),
    ] {
        rows.push(time_row(
            format!("{what}: p99"),
            Goal::AtMost(ms(KEY_P99)),
            quantile(&fl_summary.latencies(Some(when)), 0.99),
            quantile(&s.latencies(Some(when)), 0.99),
            s.keys(Some(when)).iter().filter(|k| k.late).count(),
        ));
    }
    // Medians: the p99 of a shared machine's floor is a hiccup as often as not.
    for (k, what, fl) in [
        (0, "list search, open calls", fl_search),
        (1, "list search, all calls", fl_search),
        (2, "summary typing", fl_summary),
    ] {
        rows.push(time_row(
            format!("{what}: per key median"),
            Goal::None,
            median(&all(fl)),
            median(&all(&samples[2][k])),
            0,
        ));
    }
    let s40 = &samples[1][2];
    rows.push(time_row(
        "summary typing, 40 procedures: per key p99".into(),
        Goal::None,
        floor_summary_p99,
        quantile(&all(s40), 0.99),
        s40.late(),
    ));
    for (p, what, goal) in [
        (1, "40 procedures", Goal::None),
        (2, "", Goal::Below(MEMORY_10K as f64 / 1e6)),
    ] {
        let ours = peak(p);
        let what = if what.is_empty() {
            format!("{} procedures", desk.procedures)
        } else {
            what.to_string()
        };
        rows.push(Row {
            figure: format!("console peak memory (VmHWM), {what}"),
            goal,
            floor: fmt_mb(floor_peak),
            ours: fmt_mb(ours),
            ratio: ratio(ours.map(|b| b as f64), floor_peak.map(|b| b as f64)),
            verdict: goal.verdict(
                ours.map(|b| b as f64 / 1e6),
                floor_peak.map(|b| b as f64 / 1e6),
            ),
        });
    }
    for (k, what, floor) in [
        (0, "list search, open calls", fl_search),
        (1, "list search, all calls", fl_search),
        (2, "summary typing", fl_summary),
    ] {
        let ours = median(&samples[2][k].bytes());
        let fl = median(&floor.bytes());
        rows.push(Row {
            figure: format!("bytes per key, {what} (median)"),
            goal: Goal::None,
            floor: fl.map_or("-".into(), |b| format!("{b} B")),
            ours: ours.map_or("-".into(), |b| format!("{b} B")),
            ratio: ratio(ours.map(|b| b as f64), fl.map(|b| b as f64)),
            verdict: String::new(),
        });
    }
    println!(
        "\n-- summary: {} calls, {} procedures; {rounds} rounds; floor measured in the same run --",
        desk.calls, desk.procedures
    );
    print_table(&rows);
    println!(
        "\n(bench took {:.0} s; load average now {})",
        whole.elapsed().as_secs_f64(),
        load_average()
    );
    remove_copy(&db40);
    remove_copy(&db10k);
    Ok(failed == 0)
}

#[derive(Debug, Clone, Copy)]
enum Goal {
    None,
    /// At most this many times the floor.
    TimesFloor(f64),
    /// At most this (ms, or MB).
    AtMost(f64),
    /// Under this (MB).
    Below(f64),
}

impl Goal {
    fn label(self) -> String {
        match self {
            Goal::None => "—".into(),
            Goal::TimesFloor(r) => format!("≤ {r}× floor"),
            Goal::AtMost(v) => format!("≤ {v} ms"),
            Goal::Below(v) => format!("< {v} MB"),
        }
    }

    fn verdict(self, ours: Option<f64>, floor: Option<f64>) -> String {
        let pass = match (self, ours, floor) {
            (Goal::None, _, _) => return String::new(),
            (Goal::TimesFloor(r), Some(o), Some(f)) => o <= r * f,
            (Goal::AtMost(v), Some(o), _) => o <= v,
            (Goal::Below(v), Some(o), _) => o < v,
            _ => false,
        };
        if pass { "PASS" } else { "FAIL" }.into()
    }
}

struct Row {
    figure: String,
    goal: Goal,
    floor: String,
    ours: String,
    ratio: String,
    verdict: String,
}

fn ratio(ours: Option<f64>, floor: Option<f64>) -> String {
    match (ours, floor) {
        (Some(o), Some(f)) if f > 0.0 => format!("×{:.1}", o / f),
        _ => "-".into(),
    }
}

fn print_table(rows: &[Row]) {
    let w = rows
        .iter()
        .map(|r| r.figure.chars().count())
        .max()
        .unwrap_or(6);
    println!(
        "| {:<w$} | {:<12} | {:>10} | {:>12} | {:>8} | {:<4} |",
        "figure", "goal", "bare floor", "guichet", "ratio", ""
    );
    println!(
        "|{}|{}|{}|{}|{}|{}|",
        "-".repeat(w + 2),
        "-".repeat(14),
        "-".repeat(12),
        "-".repeat(14),
        "-".repeat(10),
        "-".repeat(6)
    );
    for r in rows {
        println!(
            "| {:<w$} | {:<12} | {:>10} | {:>12} | {:>8} | {:<4} |",
            r.figure,
            r.goal.label(),
            r.floor,
            r.ours,
            r.ratio,
            r.verdict
        );
    }
}
