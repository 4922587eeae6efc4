//! Deterministic generators of a large, realistic data set for the benchmarks and for
//! `cargo run --release --example datagen` (which includes this folder with `#[path]`): a
//! procedure catalogue derived from the real one, a desk's call history written through the
//! store's own statements, and a whole desk on disk (`desk`: database and catalogue
//! folder). Files are cached under `target/bench-data/`.

pub mod calls;
pub mod catalog;
pub mod desk;
mod names;
pub mod rng;

use guichet::catalog::procedures::Catalog;
use guichet::domain::procedure::Procedure;
use guichet::domain::reference::Reference;
use guichet::store::{LATEST_VERSION, Store};
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Bump when the generators change, so that a stale cached file is not reused.
pub const GENERATOR_VERSION: u32 = 3;

/// How often callers belong to each service (unknown slugs get a small share).
pub fn service_weight(slug: &str) -> f64 {
    match slug {
        "mi" => 5.0,
        "acn-caen" => 2.0,
        "acn-rouen" => 1.8,
        "mtes" => 2.5,
        "social-direccte" => 1.5,
        "social-drdjscs" => 1.2,
        "gip-tn" => 0.8,
        _ => 0.5,
    }
}

/// How often callers are on each device.
pub fn device_weight(slug: &str) -> f64 {
    match slug {
        "pc-pro" => 4.0,
        "noemi" => 3.0,
        "smartphone-pro" => 1.5,
        "span" => 1.5,
        "pc-perso" => 1.5,
        "ip-phone" => 1.0,
        "copier" => 1.2,
        "usb-media" => 0.8,
        "smartphone-perso" => 0.8,
        _ => 0.7,
    }
}

/// `n` procedures recombined from the real catalogue.
pub fn catalogue(real: &[Procedure], reference: &Reference, n: usize, seed: u64) -> Catalog {
    Catalog {
        procedures: catalog::procedures(real, reference, n, seed),
        problems: vec![],
        warnings: vec![],
        source_fingerprint: String::new(),
    }
}

/// `target/bench-data` (or under `CARGO_TARGET_DIR`).
pub fn data_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"))
        .join("bench-data")
}

fn count_calls(path: &Path) -> Option<i64> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).ok()?;
    conn.query_row("SELECT count(*) FROM calls", [], |r| r.get(0))
        .ok()
}

fn remove_with_sidecars(path: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
}

/// What `calls_database` did.
pub enum Prepared {
    Reused,
    Generated { took: Duration, journal: usize },
}

/// The path of a database holding exactly `n` generated calls, generating it (into a
/// temporary file renamed at the end) unless a previous run left it.
pub fn calls_database(
    n: usize,
    real: &[Procedure],
    reference: &Reference,
    seed: u64,
) -> Result<(PathBuf, Prepared), Box<dyn std::error::Error>> {
    let dir = data_dir();
    std::fs::create_dir_all(&dir)?;
    // The schema version is in the name: a file migrated by a newer guichet would be refused
    // by an older one.
    let path = dir.join(format!(
        "calls-v{GENERATOR_VERSION}-schema{LATEST_VERSION}-s{seed}-{n}.db"
    ));
    if count_calls(&path) == Some(n as i64) {
        return Ok((path, Prepared::Reused));
    }
    let started = Instant::now();
    remove_with_sidecars(&path);
    let tmp = path.with_extension("db.tmp");
    remove_with_sidecars(&tmp);
    // The library creates the schema exactly as the application would.
    drop(Store::open(&tmp)?);
    let params = calls::Params {
        calls: n,
        days: desk::DAYS,
        seed,
        now: chrono::Utc::now(),
    };
    let generated = calls::generate(&tmp, &params, real, reference)?;
    assert_eq!(generated.calls, n);
    remove_with_sidecars(&path);
    std::fs::rename(&tmp, &path)?;
    Ok((
        path,
        Prepared::Generated {
            took: started.elapsed(),
            journal: generated.journal,
        },
    ))
}
