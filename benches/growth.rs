//! How the console's cost grows with the desk: the figures of `benches/pty.rs` (first
//! paint, per-key latency of the list search on the open calls and on every call, of the
//! summary typed with live matching, the console's peak memory) and the time of
//! `guichet report handover`, at 10,000, 100,000 and 1,000,000 calls (10,000 procedures),
//! and at 40, 1,000 and 10,000 procedures (1,000,000 calls). The smaller desks come from the
//! same generator (`target/bench-data/desk-*`, reused for a day); the bare ratatui floor is
//! measured beside each desk, round by round.
//!
//! `cargo bench --bench growth`. `GUICHET_BENCH_GROWTH_RUNS` sets the runs per scenario and
//! desk (3), `GUICHET_BENCH_GROWTH_CALLS` the largest desk (1000000: the sweep is it, a
//! tenth and a hundredth of it).

#[path = "../tests/integration/common/pty.rs"]
mod pty;

// The generators are shared with the example and the other benches.
#[allow(dead_code)]
mod datagen;

#[allow(dead_code)]
mod console;

use console::{
    Res, Samples, bare, bare_binary, caller_to_type, env_usize, fmt_mb, fmt_ms, generated_desk,
    guichet, guichet_binary, home, load_average, median, ms, on_floor, quantile, remove_copy, run,
    run_copy, search_all, search_open, short, summary, time_report,
};
use std::path::PathBuf;
use std::time::{Duration, Instant};

const PROCEDURES: usize = 10_000;
/// What the floor types for the list search (any name of that length does).
const FLOOR_NAME: &str = "marie-claire lefevre";

fn main() {
    match bench() {
        Ok(true) => {}
        Ok(false) => {
            eprintln!("growth bench: some runs FAILED (see above)");
            std::process::exit(1);
        }
        Err(e) => {
            eprintln!("growth bench: {e}");
            std::process::exit(1);
        }
    }
}

/// One desk size and catalogue.
struct Point {
    calls: usize,
    procedures: usize,
    first_paint: Option<Duration>,
    search_open: Option<Duration>,
    search_all: Option<Duration>,
    summary: Option<Duration>,
    late: usize,
    report: Option<Duration>,
    peak: Option<u64>,
    failures: usize,
    floor_paint: Option<Duration>,
    floor_key: Option<Duration>,
}

fn bench() -> Res<bool> {
    let whole = Instant::now();
    let rounds = env_usize("GUICHET_BENCH_GROWTH_RUNS", 3).max(1);
    let largest = env_usize("GUICHET_BENCH_GROWTH_CALLS", 1_000_000).max(100);
    println!("== guichet: how the cost grows with calls and procedures ==");
    let guichet_path = guichet_binary()?;
    let bare_path = bare_binary()?;
    let home = home()?;

    // The desks, and the catalogue of 1,000.
    let sizes = [largest / 100, largest / 10, largest];
    let mut desks = Vec::new();
    for &calls in &sizes {
        let desk = generated_desk(calls, PROCEDURES)?;
        println!(
            "desk {:>7} calls: {} ({} open) — {}",
            calls,
            desk.db.display(),
            desk.open,
            desk.how
        );
        desks.push(desk);
    }
    let thousand = datagen::data_dir().join(format!("catalog-1k-v{}", datagen::GENERATOR_VERSION));
    if std::fs::read_dir(&thousand).map_or(0, |d| d.count()) != 1000 {
        datagen::desk::write_catalog(&thousand, 1000, console::SEED)?;
    }
    let points: Vec<(usize, usize)> = sizes
        .iter()
        .map(|&c| (c, PROCEDURES))
        .chain([(largest, 40), (largest, 1000)])
        .collect();
    println!(
        "rounds {rounds} per scenario and desk; load average {}",
        load_average()
    );

    // The floor runs beside each desk, round by round: its own times drift too.
    let floor = bare(&bare_path);
    let floor_scenarios = [on_floor(&search_open(FLOOR_NAME)), on_floor(&summary())];

    let mut results = Vec::new();
    for &(calls, procedures) in &points {
        let desk = &desks[sizes.iter().position(|&s| s == calls).unwrap_or(2)];
        let catalog: Option<PathBuf> = match procedures {
            40 => None,
            1000 => Some(thousand.clone()),
            _ => Some(desk.catalog.clone()),
        };
        let label = format!("growth-{}-{}", short(calls), short(procedures));
        let (db, took) = run_copy(desk, &label, catalog.as_deref())?;
        let (name, _, matching) = caller_to_type(&db)?;
        let program = guichet(&label, &guichet_path, &db, catalog.as_deref(), home.path());
        println!(
            "\n{calls} calls, {procedures} procedures (index {:.1} s); the search types {name:?} ({matching} calls match)",
            took.as_secs_f64()
        );
        let scenarios = [search_open(&name), search_all(&name), summary()];
        let mut samples = vec![Samples::default(); scenarios.len()];
        let mut floor_samples = Samples::default();
        for _ in 0..rounds {
            for s in &floor_scenarios {
                let r = run(&floor, s);
                if let Some(f) = &r.failure {
                    println!("  FAILED floor {}: {f}", s.name);
                }
                floor_samples.runs.push(r);
            }
            for (k, s) in scenarios.iter().enumerate() {
                let r = run(&program, s);
                if let Some(f) = &r.failure {
                    println!("  FAILED {}: {f}", s.name);
                }
                samples[k].runs.push(r);
            }
        }
        for (k, s) in scenarios.iter().enumerate() {
            println!("  {}", console::describe(&label, s.name, &samples[k]));
        }
        println!(
            "  {}",
            console::describe("bare-tui", "both", &floor_samples)
        );
        let report = time_report(&program, 5)?;
        println!(
            "  report handover: median {}, max {}",
            fmt_ms(median(&report)),
            fmt_ms(report.iter().max().copied())
        );
        let p99 = |s: &Samples| quantile(&s.latencies(None), 0.99);
        results.push(Point {
            calls,
            procedures,
            first_paint: median(
                &samples
                    .iter()
                    .flat_map(Samples::first_paints)
                    .collect::<Vec<_>>(),
            ),
            search_open: p99(&samples[0]),
            search_all: p99(&samples[1]),
            summary: p99(&samples[2]),
            late: samples.iter().map(Samples::late).sum(),
            report: median(&report),
            peak: samples.iter().filter_map(Samples::peak).max(),
            failures: samples.iter().map(|s| s.failures().len()).sum::<usize>()
                + floor_samples.failures().len(),
            floor_paint: median(&floor_samples.first_paints()),
            floor_key: quantile(&floor_samples.latencies(None), 0.99),
        });
        remove_copy(&db);
    }

    let times = |d: Option<Duration>, f: Option<Duration>| match (d, f) {
        (Some(d), Some(f)) if f > Duration::ZERO => {
            format!("{} (×{:.1})", fmt_ms(Some(d)), ms(d) / ms(f))
        }
        _ => fmt_ms(d),
    };
    println!(
        "\n-- growth: {rounds} runs per scenario and desk; the floor measured beside each desk --"
    );
    println!(
        "| calls | procedures | first paint (median, × floor) | list search, open: key p99 | list search, all: key p99 | summary typing: key p99 | report handover (median) | console peak memory | floor: first paint, key p99 |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let mut failed = 0;
    for p in &results {
        failed += p.failures;
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {}, {} |{}",
            p.calls,
            p.procedures,
            times(p.first_paint, p.floor_paint),
            fmt_ms(p.search_open),
            fmt_ms(p.search_all),
            fmt_ms(p.summary),
            fmt_ms(p.report),
            fmt_mb(p.peak),
            fmt_ms(p.floor_paint),
            fmt_ms(p.floor_key),
            if p.late > 0 {
                format!(" {} keys past the deadline", p.late)
            } else {
                String::new()
            }
        );
    }
    println!(
        "\n(bench took {:.0} s; load average now {})",
        whole.elapsed().as_secs_f64(),
        load_average()
    );
    Ok(failed == 0)
}
