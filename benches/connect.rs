//! What a connection to the PostgreSQL server costs this process in CPU: the store's own
//! connection (TCP, TLS as `sslmode` says, the login, the session's settings sent with
//! it), opened and closed again and again against the test server, in each mode; then a
//! command's whole store (the connection, the schema's version read, the drafts' file).
//! The first connection of each mode is shown apart: it builds the mode's TLS context,
//! once per process (and, for `verify-full`, reads the system's certificate bundle).
//!
//! Target (issue 21): under 10 ms of CPU per connection (it was about 58 ms, most of it
//! decoding the system's bundle, read twice, even with `sslmode=prefer`).
//!
//! `pg_virtualenv cargo bench --bench connect` (or `GUICHET_TEST_PG=postgresql://…`).
//! `GUICHET_BENCH_CONNECTS` sets the connections measured per mode (100). The CPU is the
//! process's (`CLOCK_PROCESS_CPUTIME_ID`: every thread, the name lookup's included), not
//! the server's.

mod stats;

use guichet::store::scratch::{self, ScratchDb};
use guichet::store::{FileAccess, PgTarget, Store};
use stats::{env_usize, load_average, percentile, sorted};
use std::time::{Duration, Instant};

type Res<T> = Result<T, Box<dyn std::error::Error>>;

const TARGET_MS: f64 = 10.0;

fn cpu() -> Duration {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ProcessCPUTime);
    Duration::new(
        u64::try_from(t.tv_sec).unwrap_or_default(),
        u32::try_from(t.tv_nsec).unwrap_or_default(),
    )
}

/// The CPU and the wall time `f` took, in milliseconds.
fn measure(f: impl FnOnce() -> Result<(), String>) -> Result<(f64, f64), String> {
    let (c, w) = (cpu(), Instant::now());
    f()?;
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    Ok((ms(cpu() - c), ms(w.elapsed())))
}

fn with_param(url: &str, param: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}{param}")
}

/// Median and 90th percentile of `n` runs of `f`, CPU then wall.
fn series(n: usize, mut f: impl FnMut() -> Result<(), String>) -> Result<[f64; 3], String> {
    let (mut cpus, mut walls) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for _ in 0..n {
        let (c, w) = measure(&mut f)?;
        cpus.push(c);
        walls.push(w);
    }
    let (cpus, walls) = (sorted(cpus), sorted(walls));
    Ok([
        percentile(&cpus, 50.0),
        percentile(&cpus, 90.0),
        percentile(&walls, 50.0),
    ])
}

fn main() -> Res<()> {
    let n = env_usize("GUICHET_BENCH_CONNECTS", 100);
    let db = ScratchDb::new();
    let dir = tempfile::tempdir()?;
    let drafts = dir.path().join("drafts.db");
    // The schema, made once (not measured).
    drop(Store::connect_with_drafts(
        &PgTarget::parse(&with_param(&db.url(), "sslmode=disable"))?,
        &FileAccess::default(),
        &drafts,
    )?);
    println!(
        "connexion au serveur de test, {n} par mode ; charge {}",
        load_average()
    );
    println!(
        "{:<12} {:>16} {:>14} {:>10} {:>12}",
        "sslmode", "1re (CPU, ms)", "médiane CPU", "p90 CPU", "médiane mur"
    );
    let mut worst: f64 = 0.0;
    for mode in ["disable", "prefer", "require", "verify-full"] {
        let target = PgTarget::parse(&with_param(&db.url(), &format!("sslmode={mode}")))?;
        let first = match measure(|| scratch::connect_and_close(&target)) {
            Ok((c, _)) => c,
            Err(e) => {
                println!("{mode:<12} refusé : {e}");
                continue;
            }
        };
        let [median, p90, wall] = series(n, || scratch::connect_and_close(&target))?;
        worst = worst.max(median);
        println!("{mode:<12} {first:>16.2} {median:>14.2} {p90:>10.2} {wall:>12.2}");
    }
    let target = PgTarget::parse(&db.url())?;
    let [median, p90, wall] = series(n, || {
        Store::connect_with_drafts(&target, &FileAccess::default(), &drafts)
            .map(drop)
            .map_err(|e| e.to_string())
    })?;
    println!(
        "{:<12} {:>16} {median:>14.2} {p90:>10.2} {wall:>12.2}   (le magasin d'une commande)",
        "défaut", "-"
    );
    println!(
        "cible : moins de {TARGET_MS} ms de CPU par connexion ; la pire médiane : {worst:.2} ms \
         ({})",
        if worst < TARGET_MS {
            "tenue"
        } else {
            "MANQUÉE"
        }
    );
    Ok(())
}
