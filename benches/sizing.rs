//! How big a server a desk needs (issue 21): 50, 200 and 500 consoles connected at once to
//! a PostgreSQL server made for the run (`tests/integration/common/cluster.rs`: initdb of
//! the installed server, loopback, `max_connections = 600`), each console's store as the
//! console runs it (`StoreLink`: its own thread, one connection, listening for the others'
//! writes, looking every 100 ms). Measured for each size:
//!
//! - the server's connections for the desk's database (`pg_stat_activity`);
//! - the memory of those backends (proportional set size, from `/proc/PID/smaps_rollup`:
//!   the shared buffers counted once, shared among them), in total and per console;
//! - the server's processor while the desk is idle (its backends' CPU time over 5 s);
//! - a call saved by one more store while the others listen (median of 30,
//!   `GUICHET_BENCH_SIZING_SAVES`), and how long
//!   until every console has heard of it (median and slowest of 10 writes).
//!
//! `cargo bench --bench sizing` (as root or as a user that can run the server's programs;
//! `GUICHET_BENCH_SIZES=50,200` for other sizes). One thread per console in this process,
//! the server on the same two cores: the figures are an upper bound of the load.

#[path = "../tests/integration/common/cluster.rs"]
mod cluster;
mod stats;

use chrono::Utc;
use guichet::domain::call::NewCall;
use guichet::store::link::{SERVER_PATIENCE, StoreLink};
use guichet::store::{FileAccess, PgTarget, Store};
use stats::{env_usize, load_average, percentile, sorted};
use std::time::{Duration, Instant};

fn new_call(n: usize) -> NewCall {
    NewCall {
        opened_at: Utc::now(),
        operator: "dimensionnement".into(),
        caller_name: format!("Appelant {n}"),
        caller_phone: None,
        caller_email: None,
        service: "mi".into(),
        device: "pc-pro".into(),
        summary: "VPN bleu".into(),
        notes: None,
        procedures: vec![],
        telephony_id: None,
    }
}

fn store(target: &PgTarget, dir: &std::path::Path, n: usize) -> Store {
    Store::connect_with_drafts(
        target,
        &FileAccess::default(),
        &dir.join(format!("brouillons-{n}.db")),
    )
    .expect("a console's store")
}

/// The desk's backends: their pids.
fn backends(client: &mut postgres::Client, db: &str) -> Vec<i32> {
    client
        .query(
            "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
            &[&db],
        )
        .expect("pg_stat_activity")
        .iter()
        .map(|r| r.get(0))
        .collect()
}

/// A backend's proportional set size, in kB.
fn pss_kb(pid: i32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Pss:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// A process's CPU time so far (user and system), in clock ticks.
fn cpu_ticks(pid: i32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| {
            let after = s.rsplit_once(')')?.1;
            let fields: Vec<&str> = after.split_whitespace().collect();
            Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
        })
        .unwrap_or(0)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let sizes: Vec<usize> = std::env::var("GUICHET_BENCH_SIZES")
        .unwrap_or_else(|_| "50,200,500".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let most = sizes.iter().copied().max().unwrap_or(0);
    let server = cluster::Cluster::primary(&[&format!("max_connections = {}", most + 100)]);
    println!(
        "Dimensionnement : {} consoles au plus, serveur PostgreSQL sur la même machine, \
         charge {}",
        most,
        load_average()
    );
    println!(
        "| consoles | connexions | mémoire des connexions (total, par console) | CPU du serveur au repos | appel enregistré (médiane) | entendu par toutes (médiane, pire) |"
    );
    println!("|---|---|---|---|---|---|");
    for size in sizes {
        let db = format!("sizing_{size}");
        server.admin(&format!("CREATE DATABASE {db}"));
        let target = PgTarget::parse(&server.url(&db)).expect("the server's address");
        let dir = tempfile::tempdir().expect("a folder for the drafts");
        let mut writer = store(&target, dir.path(), usize::MAX);
        let links: Vec<StoreLink> = (0..size)
            .map(|n| StoreLink::spawn(store(&target, dir.path(), n), SERVER_PATIENCE))
            .collect();
        // Every console listening (its first look), the desk settled.
        for link in &links {
            link.look_now();
        }
        std::thread::sleep(Duration::from_secs(2));
        let mut admin = server.client("postgres");
        let pids = backends(&mut admin, &db);
        let pss: u64 = pids.iter().map(|p| pss_kb(*p)).sum();
        let before: u64 = pids.iter().map(|p| cpu_ticks(*p)).sum();
        let idle = Duration::from_secs(5);
        std::thread::sleep(idle);
        let after: u64 = pids.iter().map(|p| cpu_ticks(*p)).sum();
        let ticks_per_s = 100.0; // USER_HZ on Linux
        let idle_cpu = (after.saturating_sub(before)) as f64 / ticks_per_s / idle.as_secs_f64();

        let mut saves = Vec::new();
        for n in 0..env_usize("GUICHET_BENCH_SIZING_SAVES", 30) {
            let t = Instant::now();
            writer.insert_call(&new_call(n)).expect("a call saved");
            saves.push(ms(t.elapsed()));
        }
        let mut heard = Vec::new();
        for n in 0..10 {
            let seen: Vec<i64> = links.iter().map(|l| l.data_version()).collect();
            let t = Instant::now();
            writer
                .insert_call(&new_call(100 + n))
                .expect("a call saved");
            let deadline = t + Duration::from_secs(10);
            while links.iter().zip(&seen).any(|(l, v)| l.data_version() == *v) {
                assert!(
                    Instant::now() < deadline,
                    "a console never heard of the call"
                );
                std::thread::sleep(Duration::from_millis(2));
            }
            heard.push(ms(t.elapsed()));
        }
        let saves = sorted(saves);
        let heard = sorted(heard);
        println!(
            "| {size} | {} | {:.0} Mo, {:.1} Mo | {:.1} % d'un cœur | {:.1} ms | {:.0} ms, {:.0} ms |",
            pids.len(),
            pss as f64 / 1024.0,
            pss as f64 / 1024.0 / size.max(1) as f64,
            idle_cpu * 100.0,
            percentile(&saves, 50.0),
            percentile(&heard, 50.0),
            heard.last().copied().unwrap_or(0.0),
        );
        drop(links);
        drop(writer);
        std::thread::sleep(Duration::from_millis(500));
        server.admin(&format!("DROP DATABASE {db} WITH (FORCE)"));
    }
}
