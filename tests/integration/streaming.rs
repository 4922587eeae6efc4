//! Listings and exports stream their rows: on 100,000 calls, `call list --limit 0` in JSON
//! and CSV and the handover's CSV peak at about the memory of listing one call. The peak is
//! the child's maximum resident set size, as `wait4` reports it. (The table's bounded window
//! is tested in `cli::output`; running it here too would double the test's time.)

// The child's peak memory (wait4's rusage).
#![allow(unsafe_code)]

use crate::common::desk;

use desk::{Desk, Engine};
use rusqlite::params;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::Stdio;
use std::time::Instant;

const CALLS: i64 = 100_000;
/// How much more than listing one call a streamed listing may take, in kB: room for SQLite's
/// page cache, the table's first thousand rows and the allocator, not for the rows (the
/// calls alone, held in memory, take well over 100 MB).
const SLACK_KB: i64 = 24 * 1024;

/// The columns of call `i` of `fill`: opened, closed, operator, caller, service, summary,
/// status, outcome.
#[allow(clippy::type_complexity)]
fn call_row(
    i: i64,
) -> (
    i64,
    Option<i64>,
    String,
    String,
    &'static str,
    String,
    &'static str,
    Option<&'static str>,
) {
    let start = 1_767_225_600_i64; // 2026-01-01T00:00:00Z
    let opened = start + i * 120;
    let closed = i % 10 != 0;
    (
        opened,
        closed.then_some(opened + 41 + i % 600),
        format!("op{}", i % 12),
        format!("Appelant numéro {i}"),
        if i % 3 == 0 { "mi" } else { "acn-caen" },
        format!("Le VPN ne se connecte plus depuis ce matin, appel {i}"),
        if closed { "closed" } else { "open" },
        closed.then_some("resolved"),
    )
}

/// Fills an empty guichet database with `CALLS` calls, one transaction, in 2026: one
/// prepared statement on SQLite, one COPY on the server.
fn fill(desk: &Desk) {
    match desk.engine {
        Engine::Sqlite => fill_file(&desk.db()),
        Engine::Postgres => {
            let mut admin = desk.admin();
            // Calls without their journal: the owner's bulk load, the guard that asks each
            // change for its journal line lifted around it.
            admin
                .batch_execute("ALTER TABLE calls DISABLE TRIGGER calls_journaled")
                .unwrap();
            let mut copy = admin
                .copy_in(
                    "COPY calls (opened_at, closed_at, operator, caller_name, caller_phone, \
                     caller_email, service, device, summary, status, outcome, search_key, \
                     handler) FROM STDIN",
                )
                .unwrap();
            let mut buffer = Vec::with_capacity(1 << 20);
            for i in 0..CALLS {
                let (opened, closed, op, caller, service, summary, status, outcome) = call_row(i);
                let closed = closed.map_or("\\N".to_string(), |c| c.to_string());
                writeln!(
                    buffer,
                    "{opened}\t{closed}\t{op}\t{caller}\t06 12 34 56 78\t\
                     agent@interieur.gouv.fr\t{service}\tnoemi\t{summary}\t{status}\t{}\t\
                     {caller}\t{op}",
                    outcome.unwrap_or("\\N")
                )
                .unwrap();
                if buffer.len() > 1 << 20 {
                    copy.write_all(&buffer).unwrap();
                    buffer.clear();
                }
            }
            copy.write_all(&buffer).unwrap();
            copy.finish().unwrap();
            admin
                .batch_execute("ALTER TABLE calls ENABLE TRIGGER calls_journaled")
                .unwrap();
        }
    }
}

fn fill_file(db: &Path) {
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
        for i in 0..CALLS {
            let (opened, closed, op, caller, service, summary, status, outcome) = call_row(i);
            insert
                .execute(params![
                    opened, closed, op, caller, service, summary, status, outcome
                ])
                .unwrap();
        }
    }
    tx.commit().unwrap();
}

/// Runs guichet with stdout to a file; returns the child's peak RSS in kB and the file.
// The child is reaped by wait4 (for its rusage), not by Child::wait.
#[allow(clippy::zombie_processes)]
fn peak_kb(desk: &Desk, args: &[&str]) -> (i64, std::path::PathBuf) {
    let out_path = desk.path().join("out");
    let err_path = desk.path().join("err");
    let child = desk
        .cmd()
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

on_both_engines! {
fn listings_and_exports_do_not_hold_their_rows(engine: Engine) {
    let desk = Desk::on(engine).with_user("streamop");
    let started = Instant::now();
    let (created, _) = peak_kb(&desk, &["db", "check"]);
    assert!(created > 0);
    fill(&desk);
    let filled = started.elapsed();

    let (one, _) = peak_kb(&desk, &["call", "list", "--limit", "1", "--format", "json"]);
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
        let (peak, out) = peak_kb(&desk, args);
        let took = t.elapsed();
        assert_eq!(count_lines(&out, line_start), rows, "{args:?}");
        eprintln!(
            "{engine:?} {args:?}: peak {} kB ({} MB) against {one} kB for one call, {:.1} s",
            peak,
            peak / 1024,
            took.as_secs_f64()
        );
        assert!(
            peak < one + SLACK_KB,
            "{args:?} peaked at {peak} kB, one call at {one} kB: the rows are held in memory"
        );
    }
    eprintln!(
        "{engine:?}: {CALLS} calls written in {:.1} s",
        filled.as_secs_f64()
    );
}
}
