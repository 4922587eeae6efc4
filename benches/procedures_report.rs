//! `report procedures` over a desk of 1,000,000 calls (the cached database of
//! benches/report.rs and benches/search.rs, its walks, proposals, flags and « résolu ? »
//! answers written by the generator), for the whole desk and for its last 30 days: on
//! SQLite, then on PostgreSQL (the same desk copied into a new database of the test server
//! by `Store::copy_to`, as `guichet db copy` does).
//!
//! Targets: under 1 s on SQLite and under 2 s on PostgreSQL (median).
//!
//! `cargo bench --bench procedures_report`. `GUICHET_BENCH_CALLS` lowers the size for a quick
//! look, `GUICHET_BENCH_REPS` sets the measured repetitions (5). `GUICHET_BENCH_PG=0` leaves
//! PostgreSQL out; `GUICHET_BENCH_PG_DB=NAME` copies the desk once into that database of the
//! test server and measures it there on the next runs. `GUICHET_BENCH_JSON=DIR` writes each report built, as JSON, into DIR
//! (`sqlite-whole.json`, `postgres-month.json`…): two versions of the code must give the
//! same files.

// The catalogue generator is search.rs's; this bench only needs the calls.
#[allow(dead_code)]
mod datagen;

mod stats;

use chrono::{DateTime, Duration as Days, TimeZone, Utc};
use guichet::catalog::embedded_reference;
use guichet::catalog::procedures::embedded;
use guichet::domain::procedure::Procedure;
use guichet::report::ProceduresReport;
use guichet::store::scratch::ScratchDb;
use guichet::store::{FigureWindow, FileAccess, Store};
use stats::{env_usize, load_average, percentile, sorted};
use std::time::{Duration, Instant};

const SQLITE_TARGET: Duration = Duration::from_secs(1);
const POSTGRES_TARGET: Duration = Duration::from_secs(2);
/// The seed of benches/search.rs and benches/report.rs: the three share the database.
const SEED: u64 = 20_250_101;

type Res<T> = Result<T, Box<dyn std::error::Error>>;

fn utc(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(secs, 0)
        .single()
        .expect("valid timestamp")
}

/// The time this thread has spent on a processor (Linux's schedstat, in nanoseconds): on a
/// shared machine, what the report costs this process whatever the others run meanwhile.
fn on_cpu() -> Duration {
    let ns = std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0);
    Duration::from_nanos(ns)
}

/// The medians of `reps` builds of the report over `window` (as `ProceduresReport::build`
/// does it): its time, the time of its reading of the store alone and the processor time
/// of this process (the server's own is not in it); and the last report built.
fn measure(
    store: &Store,
    catalog: &[Procedure],
    window: &FigureWindow,
    reps: usize,
) -> Res<([Duration; 3], ProceduresReport)> {
    let mut times = Vec::new();
    let mut reads = Vec::new();
    let mut cpus = Vec::new();
    let mut last = None;
    // One run to warm the caches, then the measured ones.
    for i in 0..=reps {
        let cpu = on_cpu();
        let t = Instant::now();
        let figures = store.walk_figures(window, 7 * 86_400)?;
        let read = t.elapsed();
        let report = ProceduresReport::of(figures, catalog, window, 7, window.to);
        if i > 0 {
            times.push(t.elapsed().as_secs_f64());
            reads.push(read.as_secs_f64());
            cpus.push((on_cpu() - cpu).as_secs_f64());
        }
        last = Some(report);
    }
    let median = |v: Vec<f64>| Duration::from_secs_f64(percentile(&sorted(v), 50.0));
    Ok((
        [median(times), median(reads), median(cpus)],
        last.ok_or("no report built")?,
    ))
}

/// Writes the report as JSON into `GUICHET_BENCH_JSON`'s directory, when set.
fn keep_json(engine: &str, window: &str, r: &ProceduresReport) -> Res<()> {
    let Some(dir) = std::env::var_os("GUICHET_BENCH_JSON") else {
        return Ok(());
    };
    let path = std::path::Path::new(&dir).join(format!("{engine}-{window}.json"));
    std::fs::write(&path, serde_json::to_string_pretty(r)?)?;
    Ok(())
}

fn line(
    engine: &str,
    label: &str,
    [took, read, cpu]: [Duration; 3],
    target: Duration,
    r: &ProceduresReport,
) {
    let walks: u64 = r.procedures.iter().map(|p| p.figures.followed).sum();
    let flags: usize = r.procedures.iter().map(|p| p.flags.len()).sum();
    println!(
        "  {engine:<10} {label:<22} médiane {:7.0} ms (cible {} ms) {}   dont lecture {:.0} ms   \
         processeur du client {:.0} ms   \
         {} appels clos, {} déroulés, {} procédures, {} étapes à revoir",
        took.as_secs_f64() * 1000.0,
        target.as_millis(),
        if took <= target { "OK" } else { "DÉPASSÉ" },
        read.as_secs_f64() * 1000.0,
        cpu.as_secs_f64() * 1000.0,
        r.closed,
        walks,
        r.procedures.len(),
        flags,
    );
}

fn main() -> Res<()> {
    let n_calls = env_usize("GUICHET_BENCH_CALLS", 1_000_000);
    let reps = env_usize("GUICHET_BENCH_REPS", 5).max(1);
    println!("== guichet : report procedures sur {n_calls} appels ==");
    println!("  charge : {}", load_average());
    let reference = embedded_reference();
    let catalog = embedded(&reference).procedures;
    let (path, _) = datagen::calls_database(n_calls, &catalog, &reference, SEED)?;
    let store = Store::open(&path)?;
    let (first, last): (i64, i64) = {
        let conn = rusqlite::Connection::open(&path)?;
        conn.query_row(
            "SELECT min(opened_at), max(opened_at) FROM calls",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?
    };
    let whole = FigureWindow {
        from: utc(first),
        to: utc(last + 1),
        service: None,
    };
    let month = FigureWindow {
        from: utc(last + 1) - Days::days(30),
        ..whole.clone()
    };
    for (label, file, window) in [
        ("tout le guichet", "whole", &whole),
        ("30 derniers jours", "month", &month),
    ] {
        let (times, r) = measure(&store, &catalog, window, reps)?;
        line("SQLite", label, times, SQLITE_TARGET, &r);
        keep_json("sqlite", file, &r)?;
    }
    if std::env::var("GUICHET_BENCH_PG").as_deref() == Ok("0") {
        return Ok(());
    }
    // A database kept between runs (GUICHET_BENCH_PG_DB, on the test server: created when
    // missing, the desk copied into it once), else a new one, dropped at the end.
    let kept = std::env::var("GUICHET_BENCH_PG_DB").ok();
    let scratch = kept.is_none().then(ScratchDb::new);
    let target = match (&kept, &scratch) {
        (_, Some(scratch)) => scratch.target().clone(),
        (Some(name), None) => {
            let server = guichet::store::scratch::test_server();
            let mut admin = server.with_dbname("postgres").connect()?;
            let exists = admin
                .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[name])?
                .is_some();
            if !exists {
                admin.batch_execute(&format!("CREATE DATABASE {name}"))?;
            }
            server.with_dbname(name)
        }
        (None, None) => return Err("ni base gardée ni base neuve".into()),
    };
    let drafts = tempfile::tempdir()?;
    let mut pg = Store::connect_with_drafts(
        &target,
        &FileAccess::default(),
        &drafts.path().join("drafts.db"),
    )?;
    let mut client = target.connect()?;
    let copied: i64 = client.query_one("SELECT count(*) FROM calls", &[])?.get(0);
    if copied == 0 {
        let t = Instant::now();
        store.copy_to(&mut pg)?;
        println!(
            "  copie vers PostgreSQL en {:.0} s",
            t.elapsed().as_secs_f64()
        );
    } else {
        println!(
            "  guichet déjà copié dans {} ({copied} appels)",
            target.dbname()
        );
    }
    client.batch_execute("ANALYZE")?;
    for (label, file, window) in [
        ("tout le guichet", "whole", &whole),
        ("30 derniers jours", "month", &month),
    ] {
        let (times, r) = measure(&pg, &catalog, window, reps)?;
        line("PostgreSQL", label, times, POSTGRES_TARGET, &r);
        keep_json("postgres", file, &r)?;
    }
    Ok(())
}
