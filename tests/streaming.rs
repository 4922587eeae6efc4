//! Listings and exports stream their rows: on 100,000 calls, `call list --limit 0` in JSON
//! and CSV and the handover's CSV peak at about the memory of listing one call. The peak is
//! the child's maximum resident set size, as `wait4` reports it. (The table's bounded window
//! is tested in `cli::output`; running it here too would double the test's time.)

use rusqlite::params;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

const CALLS: i64 = 100_000;
/// How much more than listing one call a streamed listing may take, in kB: room for SQLite's
/// page cache, the table's first thousand rows and the allocator, not for the rows (the
/// calls alone, held in memory, take well over 100 MB).
const SLACK_KB: i64 = 24 * 1024;

/// Fills an empty guichet database with `CALLS` calls, one transaction, in 2026.
fn fill(db: &Path) {
    let mut conn = rusqlite::Connection::open(db).unwrap();
    let tx = conn.transaction().unwrap();
    {
        let mut insert = tx
            .prepare(
                "INSERT INTO calls (opened_at, closed_at, operator, caller_name, caller_phone, \
                 caller_email, service, device, summary, status, outcome, search_key, handler) \
                 VALUES (?1, ?2, ?3, ?4, '06 12 34 56 78', 'agent@interieur.gouv.fr', ?5, \
                 'noemi', ?6, ?7, ?8, ?4, ?3)",
            )
            .unwrap();
        let start = 1_767_225_600_i64; // 2026-01-01T00:00:00Z
        for i in 0..CALLS {
            let opened = start + i * 120;
            let closed = i % 10 != 0;
            insert
                .execute(params![
                    opened,
                    closed.then_some(opened + 41 + i % 600),
                    format!("op{}", i % 12),
                    format!("Appelant numéro {i}"),
                    if i % 3 == 0 { "mi" } else { "acn-caen" },
                    format!("Le VPN ne se connecte plus depuis ce matin, appel {i}"),
                    if closed { "closed" } else { "open" },
                    closed.then_some("resolved"),
                ])
                .unwrap();
        }
    }
    tx.commit().unwrap();
}

/// Runs guichet with stdout to a file; returns the child's peak RSS in kB and the file.
// The child is reaped by wait4 (for its rusage), not by Child::wait.
#[allow(clippy::zombie_processes)]
fn peak_kb(dir: &Path, db: &Path, args: &[&str]) -> (i64, std::path::PathBuf) {
    let out_path = dir.join("out");
    let err_path = dir.join("err");
    let child = Command::new(env!("CARGO_BIN_EXE_guichet"))
        .env_clear()
        .env("HOME", dir)
        .env("XDG_DATA_HOME", dir.join("data"))
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env("USER", "streamop")
        .env("GUICHET_DB", db)
        .args(args)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(std::fs::File::create(&err_path).unwrap())
        .spawn()
        .unwrap();
    let mut status = 0;
    // SAFETY: rusage is plain data; wait4 fills it for our own child, which nothing else
    // waits for (the Child handle is dropped without waiting).
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = child.id() as libc::pid_t;
    let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(reaped, pid);
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "{args:?}: {}",
        std::fs::read_to_string(&err_path).unwrap_or_default()
    );
    (usage.ru_maxrss, out_path)
}

fn count_lines(path: &Path, starting: &str) -> i64 {
    let file = BufReader::new(std::fs::File::open(path).unwrap());
    file.lines()
        .filter(|l| l.as_ref().is_ok_and(|l| l.starts_with(starting)))
        .count() as i64
}

#[test]
fn listings_and_exports_do_not_hold_their_rows() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("big.db");
    let started = Instant::now();
    let (created, _) = peak_kb(dir.path(), &db, &["db", "check"]);
    assert!(created > 0);
    fill(&db);
    let filled = started.elapsed();

    let (one, _) = peak_kb(
        dir.path(),
        &db,
        &["call", "list", "--limit", "1", "--format", "json"],
    );
    let cases: [(&[&str], &str, i64); 3] = [
        (
            &["call", "list", "--limit", "0", "--format", "json"],
            "    \"reference\": \"A-",
            CALLS,
        ),
        (
            &["call", "list", "--limit", "0", "--format", "csv"],
            "A-",
            CALLS,
        ),
        (
            &[
                "report",
                "handover",
                "--from",
                "2026-01-01T00:00",
                "--to",
                "2026-12-01T00:00",
                "--format",
                "csv",
            ],
            "A-",
            CALLS,
        ),
    ];
    for (args, line_start, rows) in cases {
        let t = Instant::now();
        let (peak, out) = peak_kb(dir.path(), &db, args);
        let took = t.elapsed();
        assert_eq!(count_lines(&out, line_start), rows, "{args:?}");
        eprintln!(
            "{args:?}: peak {} kB ({} MB) against {one} kB for one call, {:.1} s",
            peak,
            peak / 1024,
            took.as_secs_f64()
        );
        assert!(
            peak < one + SLACK_KB,
            "{args:?} peaked at {peak} kB, one call at {one} kB: the rows are held in memory"
        );
    }
    eprintln!("{CALLS} calls written in {:.1} s", filled.as_secs_f64());
}
