//! The targets of issue 23 for a catalogue of 10,000 procedures, through the real release
//! binary in a real pseudo-terminal (the shared harness, `benches/console`), beside the
//! bare ratatui floor measured in the same rounds:
//!
//! - the summary typed with live matching (`F2`, five `Tab`s, then a sentence key by key,
//!   every fourth key at the whole second, when the console commits the draft), in steady
//!   state: the console is left `GUICHET_BENCH_SETTLE_S` (3) seconds after the preamble, its
//!   catalogue loaded, before the first key. Key p99 ≤ 2 ms on a small desk (1,000 calls)
//!   and on the desk of 1,000,000 calls;
//! - the console's peak memory (VmHWM) after those keys, < 30 MB;
//! - the console's peak memory on a first start on the 10,000-file `--catalog` folder whose
//!   index the database does not have yet (its fingerprint forgotten before each run: the
//!   console parses the files and builds the index on its loader thread), read once the
//!   procedures screen shows the result of a query, < 30 MB.
//!
//! Beside them, the keys by how many words the field holds (p50 / p90 of all runs'
//! keys): a key's cost should not grow with the words typed before it.
//!
//! Each figure is the median over the runs (`GUICHET_BENCH_SPEED_RUNS`, 5) of each run's
//! own figure; the keys of every run together are printed beside it. The desks are the
//! generated ones (`target/bench-data/desk-1k-10k` and `desk-1m-10k`, reused for a day,
//! written by `cargo run --release --example datagen -- --calls N --procedures 10000 --out
//! DIR` otherwise); `GUICHET_BENCH_SPEED_LARGE` (1000000) sets the large desk's calls.
//!
//! `cargo bench --bench speed`. Exits 1 when a target is missed or a run failed.

#[path = "../tests/integration/common/pty.rs"]
mod pty;

// The generators are shared with the example and the other benches.
#[allow(dead_code)]
mod datagen;

#[allow(dead_code)]
mod console;

use console::{
    Desk, Program, Res, Run, bare, bare_binary, env_usize, fmt_mb, fmt_ms, generated_desk, guichet,
    guichet_binary, home, load_average, median, procedures_usable, quantile, remove_copy, run,
    run_copy, summary, top_title,
};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const PROCEDURES: usize = 10_000;
const SMALL_CALLS: usize = 1_000;
/// Issue 23's targets.
const KEY_P99: Duration = Duration::from_millis(2);
const PEAK: u64 = 30_000_000;
/// What the procedures screen is asked on a first start.
const PROCEDURE_QUERY: &str = "vpn bleu";

fn main() {
    match bench() {
        Ok(true) => {}
        Ok(false) => {
            eprintln!("speed bench: a target missed or a run failed (see above)");
            std::process::exit(1);
        }
        Err(e) => {
            eprintln!("speed bench: {e}");
            std::process::exit(1);
        }
    }
}

/// One desk under measurement: its copy (index of the 10,000 procedures already built,
/// for the steady state) and what the first start waits for.
struct Under {
    name: String,
    desk: Desk,
    db: PathBuf,
    program: Program,
    expect: String,
    typing: Vec<Run>,
    first: Vec<console::Usable>,
}

/// Forgets which catalogue the database indexed: the next console rebuilds the index from
/// the files, as on a first start with a new `--catalog` folder.
fn forget_index(db: &Path) -> Res<()> {
    let conn = rusqlite::Connection::open(db)?;
    conn.busy_timeout(Duration::from_secs(10))?;
    conn.execute("DELETE FROM catalog_state", [])?;
    Ok(())
}

fn keys_ms(r: &Run) -> Vec<Duration> {
    r.keys.iter().map(|k| k.latency).collect()
}

/// Median over runs of each run's quantile `q` of its keys.
fn median_of_runs(runs: &[Run], q: f64) -> Option<Duration> {
    let per: Vec<Duration> = runs
        .iter()
        .filter_map(|r| quantile(&keys_ms(r), q))
        .collect();
    median(&per)
}

fn pooled(runs: &[Run], q: f64) -> Option<Duration> {
    quantile(&runs.iter().flat_map(keys_ms).collect::<Vec<_>>(), q)
}

/// How many words the field holds after each key of `text` (the one being typed counts).
fn words_typed(text: &str) -> Vec<usize> {
    text.char_indices()
        .map(|(i, c)| text[..i + c.len_utf8()].split_whitespace().count())
        .collect()
}

/// The keys of all runs by how many words the field held after them: whether a key costs
/// more as the summary grows (each key used to work every word out again).
fn by_words(label: &str, text: &str, runs: &[Run]) {
    let words = words_typed(text);
    let most = words.iter().copied().max().unwrap_or(0);
    let mut cells = Vec::new();
    for n in 1..=most {
        let keys: Vec<Duration> = runs
            .iter()
            .flat_map(|r| r.keys.iter().zip(&words))
            .filter(|(_, w)| **w == n)
            .map(|(k, _)| k.latency)
            .collect();
        cells.push(format!(
            "{n}: {} / {}",
            fmt_ms(median(&keys)),
            fmt_ms(quantile(&keys, 0.9))
        ));
    }
    println!("{label:<22} {}", cells.join("  "));
}

fn verdict(pass: bool) -> &'static str {
    if pass { "PASS" } else { "FAIL" }
}

fn bench() -> Res<bool> {
    let whole = Instant::now();
    let rounds = env_usize("GUICHET_BENCH_SPEED_RUNS", 5).max(1);
    let settle = Duration::from_secs(env_usize("GUICHET_BENCH_SETTLE_S", 3) as u64);
    let large = env_usize("GUICHET_BENCH_SPEED_LARGE", 1_000_000);
    println!("== issue 23: 10,000 procedures, typing with live matching and peak memory ==");
    let guichet_path = guichet_binary()?;
    let bare_path = bare_binary()?;
    println!("guichet  {}", guichet_path.display());
    println!("floor    {}", bare_path.display());
    let home = home()?;
    let mut under: Vec<Under> = Vec::new();
    for calls in [SMALL_CALLS, large] {
        let desk = generated_desk(calls, PROCEDURES)?;
        println!(
            "desk     {} : {} calls ({} open), {} procedures in {} — {}",
            desk.db.display(),
            desk.calls,
            desk.open,
            desk.procedures,
            desk.catalog.display(),
            desk.how
        );
        let name = format!("{} calls", desk.calls);
        let label = format!("speed-{}", console::short(calls));
        let (db, took) = run_copy(&desk, &label, Some(&desk.catalog))?;
        println!(
            "copy     {} (index of the {} procedures built in {:.1} s)",
            db.display(),
            desk.procedures,
            took.as_secs_f64()
        );
        let expect = top_title(&db, PROCEDURE_QUERY)?;
        let program = guichet(
            &format!("guichet·{}", console::short(calls)),
            &guichet_path,
            &db,
            Some(&desk.catalog),
            home.path(),
        );
        under.push(Under {
            name,
            desk,
            db,
            program,
            expect,
            typing: Vec::new(),
            first: Vec::new(),
        });
    }
    let floor = bare(&bare_path);
    let mut typing = summary();
    typing.settle = settle;
    println!(
        "typing   {:?} ({} keys), settled {settle:?} after the preamble; first start waits for {:?} after {PROCEDURE_QUERY:?}",
        typing.text,
        typing.text.chars().count(),
        under[0].expect
    );
    println!(
        "rounds   {rounds}, key deadline {:?}, load average {}",
        console::key_deadline(),
        load_average()
    );
    println!();

    let mut floor_runs: Vec<Run> = Vec::new();
    let mut failed = 0;
    let line = |round: usize, label: &str, what: &str, r: &Run| {
        let lat = keys_ms(r);
        println!(
            "round {round}/{rounds}  {label:<14} {what:<12} keys {:>2}  p50 {:>9}  p90 {:>9}  p99 {:>9}  peak {:>8}  {}{}",
            lat.len(),
            fmt_ms(median(&lat)),
            fmt_ms(quantile(&lat, 0.9)),
            fmt_ms(quantile(&lat, 0.99)),
            fmt_mb(r.peak),
            r.ending,
            r.failure
                .as_deref()
                .map(|f| format!("\n  FAILED: {f}"))
                .unwrap_or_default()
        );
    };
    for round in 1..=rounds {
        let r = run(&floor, &console::on_floor(&typing));
        line(round, &floor.label, "summary", &r);
        failed += usize::from(r.failure.is_some());
        floor_runs.push(r);
        for u in &mut under {
            // The first start, then the steady state on the index it built.
            forget_index(&u.db)?;
            let f = procedures_usable(&u.program, PROCEDURE_QUERY, &u.expect);
            println!(
                "round {round}/{rounds}  {:<14} {:<12} usable after {:>10}  peak {:>8}  {}{}",
                u.program.label,
                "first start",
                fmt_ms(f.usable),
                fmt_mb(f.peak),
                f.ending,
                f.failure
                    .as_deref()
                    .map(|f| format!("\n  FAILED: {f}"))
                    .unwrap_or_default()
            );
            failed += usize::from(f.failure.is_some());
            u.first.push(f);
            let r = run(&u.program, &typing);
            line(round, &u.program.label, "summary", &r);
            failed += usize::from(r.failure.is_some());
            u.typing.push(r);
        }
    }

    println!(
        "\n-- {PROCEDURES} procedures; medians of {rounds} runs (each run's own figure), all keys pooled in brackets; floor in the same rounds --"
    );
    let row = |label: &str, runs: &[Run]| {
        println!(
            "{label:<22} key p50 {:>9} p90 {:>9} p99 {:>9}   [pooled {} keys: p50 {} p90 {} p99 {} max {}]   peak {}",
            fmt_ms(median_of_runs(runs, 0.5)),
            fmt_ms(median_of_runs(runs, 0.9)),
            fmt_ms(median_of_runs(runs, 0.99)),
            runs.iter().map(|r| r.keys.len()).sum::<usize>(),
            fmt_ms(pooled(runs, 0.5)),
            fmt_ms(pooled(runs, 0.9)),
            fmt_ms(pooled(runs, 0.99)),
            fmt_ms(runs.iter().flat_map(keys_ms).max()),
            fmt_mb(median(
                &runs.iter().filter_map(|r| r.peak).collect::<Vec<_>>()
            )),
        );
    };
    row("bare floor", &floor_runs);
    let mut missed = 0;
    let mut verdicts: Vec<String> = Vec::new();
    for u in &under {
        row(&format!("guichet, {}", u.name), &u.typing);
        let p99 = median_of_runs(&u.typing, 0.99);
        let ok = p99.is_some_and(|p| p <= KEY_P99);
        missed += usize::from(!ok);
        verdicts.push(format!(
            "{} key p99, {}: {} (≤ {} ms)",
            verdict(ok),
            u.name,
            fmt_ms(p99),
            KEY_P99.as_millis()
        ));
        let peak = median(&u.typing.iter().filter_map(|r| r.peak).collect::<Vec<_>>());
        let ok = peak.is_some_and(|p| p < PEAK);
        missed += usize::from(!ok);
        verdicts.push(format!(
            "{} peak memory after typing, {}: {} (< {} MB)",
            verdict(ok),
            u.name,
            fmt_mb(peak),
            PEAK / 1_000_000
        ));
        let first: Vec<u64> = u.first.iter().filter_map(|f| f.peak).collect();
        let usable: Vec<Duration> = u.first.iter().filter_map(|f| f.usable).collect();
        let peak = median(&first);
        let ok = peak.is_some_and(|p| p < PEAK);
        missed += usize::from(!ok);
        verdicts.push(format!(
            "{} peak memory on a first start on the {}-file folder, {}: {} (< {} MB; max {}; procedures usable after {})",
            verdict(ok),
            u.desk.procedures,
            u.name,
            fmt_mb(peak),
            PEAK / 1_000_000,
            fmt_mb(first.iter().max().copied()),
            fmt_ms(median(&usable)),
        ));
    }
    println!(
        "\n-- key latency by words typed (the word being typed counts; all runs pooled): p50 / p90 --"
    );
    by_words("bare floor", &typing.text, &floor_runs);
    for u in &under {
        by_words(&format!("guichet, {}", u.name), &typing.text, &u.typing);
    }
    println!();
    for v in &verdicts {
        println!("{v}");
    }
    println!(
        "\n(bench took {:.0} s; load average now {})",
        whole.elapsed().as_secs_f64(),
        load_average()
    );
    for u in &under {
        remove_copy(&u.db);
    }
    Ok(failed == 0 && missed == 0)
}
