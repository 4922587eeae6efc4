//! Several processes on one store, an SQLite file or a PostgreSQL database: nothing
//! acknowledged is ever lost, nobody sees "database is locked", and a reader sees another
//! process's writes. On PostgreSQL, the writers of two sites share the server, and
//! connections dropped by the server under writers and a reader lose nothing acknowledged
//! and fail in one sentence.
//!
//! Every writer here is a real, separate OS process: either the `guichet` binary itself, or
//! this test binary re-executed with `GUICHET_STRESS_WRITER` set, which then runs only
//! `stress_writer_entry` and inserts calls through the library, one transaction per call,
//! exactly as `guichet call add` does (without paying for a process start per call; a
//! writer may sleep between calls instead).

// kill -9 of writers in the middle of their writes.
#![allow(unsafe_code)]

use crate::common::desk;

use desk::{Desk, Engine};
use guichet::catalog::embedded_reference;
use guichet::domain::call::{Call, CallDraft, CallRef, JournalKind};
use guichet::store::{CallFilter, FileAccess, Location, Store};
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::ffi::OsStr;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Set in a re-executed copy of this binary: the writer's number.
const WRITER_ENV: &str = "GUICHET_STRESS_WRITER";
/// The store the writer writes to: a file, or a connection string.
const WRITER_DB_ENV: &str = "GUICHET_STRESS_DB";
/// When set, a failed call is reported (`FAILED <writer> <i> <message>` on stdout) and the
/// writer goes on with the next one, after a breath: for connections the server drops.
const WRITER_TOLERANT_ENV: &str = "GUICHET_STRESS_TOLERANT";
/// How many calls to write; 0 means "until the stop file exists".
const WRITER_COUNT_ENV: &str = "GUICHET_STRESS_COUNT";
/// When set, the writer waits for this file to exist before opening the database, so that
/// all writers start at the same moment.
const WRITER_GO_ENV: &str = "GUICHET_STRESS_GO";
/// When set (with a count of 0), the writer stops once this file exists.
const WRITER_STOP_ENV: &str = "GUICHET_STRESS_STOP";
/// Milliseconds the writer sleeps after each call, on average (from half to one and a half
/// times as long).
const WRITER_PAUSE_ENV: &str = "GUICHET_STRESS_PAUSE_MS";
/// Replays a given seed in `killed_writers_never_lose_an_acknowledged_call`.
const SEED_ENV: &str = "GUICHET_KILL_SEED";

/// What a healthy process never says, in English (SQLite) or in French (guichet).
fn assert_not_locked(who: &str, stderr: &str) {
    let lower = stderr.to_lowercase();
    assert!(
        !lower.contains("locked") && !lower.contains("verrouill") && !lower.contains("busy"),
        "{who} a vu un verrou : {stderr}"
    );
}

// ---------------------------------------------------------------------------------------
// The writer run in a child process.

/// Does nothing in a normal test run. In a child started by `Writer::spawn`, inserts calls
/// named `w<writer>-<i>` (i from 1) and prints `WROTE <writer> <last i> <slowest µs>`, or
/// prints the error on stderr and exits with code 3 at the first failure (a tolerant
/// writer reports it and goes on).
#[test]
fn stress_writer_entry() {
    let Ok(id) = std::env::var(WRITER_ENV) else {
        return;
    };
    if let Err(message) = run_writer(&id) {
        eprintln!("écrivain {id} : {message}");
        std::process::exit(3);
    }
}

fn env_number(name: &str) -> Result<u64, String> {
    std::env::var(name)
        .map_err(|e| format!("{name} : {e}"))?
        .parse()
        .map_err(|e| format!("{name} : {e}"))
}

fn run_writer(id: &str) -> Result<(), String> {
    let db = std::env::var_os(WRITER_DB_ENV).ok_or("GUICHET_STRESS_DB absent")?;
    let location = Location::from_arg(&db).map_err(|e| e.to_string())?;
    let tolerant = std::env::var_os(WRITER_TOLERANT_ENV).is_some();
    let count = env_number(WRITER_COUNT_ENV)?;
    let pause = Duration::from_millis(env_number(WRITER_PAUSE_ENV)?);
    let stop = std::env::var_os(WRITER_STOP_ENV).map(PathBuf::from);
    if count == 0 && stop.is_none() {
        return Err("ni nombre d'appels ni fichier d'arrêt".into());
    }
    if let Some(go) = std::env::var_os(WRITER_GO_ENV).map(PathBuf::from) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while !go.exists() {
            if Instant::now() > deadline {
                return Err("le signal de départ n'est jamais venu".into());
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    }
    let reference = embedded_reference();
    let operator = format!("w{id}");
    let t = Instant::now();
    let mut store = Store::open_location(&location, &FileAccess::default())
        .map_err(|e| format!("ouverture (après {:?}) : {e}", t.elapsed()))?;
    let mut written = 0u64;
    let mut slowest = Duration::ZERO;
    // The clock and the process id: each writer its own sequence.
    let mut rng = XorShift(seed_from_clock());
    loop {
        if count > 0 && written == count {
            break;
        }
        if count == 0 && stop.as_deref().is_some_and(Path::exists) {
            break;
        }
        let i = written + 1;
        let draft = CallDraft {
            caller_name: format!("w{id}-{i}"),
            service: "mi".into(),
            device: "noemi".into(),
            summary: format!("charge {id}/{i}"),
            ..CallDraft::default()
        };
        let new = draft
            .validate(&reference, &operator, chrono::Utc::now())
            .map_err(|e| format!("appel {i} refusé : {e:?}"))?;
        let t = Instant::now();
        match store.insert_call(&new) {
            Ok(call) => {
                slowest = slowest.max(t.elapsed());
                if call.caller_name != draft.caller_name {
                    return Err(format!("appel {i} relu sous le nom {}", call.caller_name));
                }
            }
            Err(e) if tolerant => {
                // Not acknowledged: the next call gets the next name, so that this one,
                // perhaps stored, is never stored twice. A sentence of several lines shows
                // its line breaks as ⏎.
                println!("FAILED {id} {i} {}", e.to_string().replace('\n', "⏎"));
                std::thread::sleep(Duration::from_millis(50));
            }
            Err(e) => return Err(format!("appel {i} (après {:?}) : {e}", t.elapsed())),
        }
        written = i;
        if !pause.is_zero() {
            // From half to one and a half times the pause, so writers do not march in step.
            let jitter = rng.below(pause.as_micros() as u64 + 1);
            std::thread::sleep(pause / 2 + Duration::from_micros(jitter));
        }
    }
    println!("WROTE {id} {written} {}", slowest.as_micros());
    Ok(())
}

/// A writer process to start (see `stress_writer_entry`).
struct Writer<'a> {
    /// The store: a file, or a connection string.
    db: &'a OsStr,
    /// Where its drafts go when the store is on a server (the folder of one site).
    state: &'a Path,
    /// Reports a failed call and goes on, instead of ending at the first.
    tolerant: bool,
    /// Calls to write; 0 to write until `stop` exists.
    count: u64,
    /// Sleep between two calls.
    pause_ms: u64,
    go: Option<&'a Path>,
    stop: Option<&'a Path>,
}

impl Writer<'_> {
    /// Starts this test binary again as writer number `id`.
    fn spawn(&self, id: usize) -> Child {
        let mut cmd = Command::new(std::env::current_exe().unwrap());
        cmd.args([
            "concurrency::stress_writer_entry",
            "--exact",
            "--nocapture",
            "--test-threads=1",
            "--quiet",
        ])
        .env(WRITER_ENV, id.to_string())
        .env(WRITER_DB_ENV, self.db)
        .env("GUICHET_STATE_DIR", self.state)
        .env(WRITER_COUNT_ENV, self.count.to_string())
        .env(WRITER_PAUSE_ENV, self.pause_ms.to_string())
        .env_remove(WRITER_GO_ENV)
        .env_remove(WRITER_STOP_ENV)
        .env_remove(WRITER_TOLERANT_ENV)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
        if let Some(go) = self.go {
            cmd.env(WRITER_GO_ENV, go);
        }
        if let Some(stop) = self.stop {
            cmd.env(WRITER_STOP_ENV, stop);
        }
        if self.tolerant {
            cmd.env(WRITER_TOLERANT_ENV, "1");
        }
        cmd.spawn().unwrap()
    }
}

/// Waits for every child, killing them all and failing if they are not done in `limit`
/// (a deadlock must fail the test, not hang it).
fn wait_all(children: Vec<Child>, limit: Duration) -> Vec<Output> {
    let pids: Vec<u32> = children.iter().map(Child::id).collect();
    let (tx, rx) = mpsc::channel();
    for (n, child) in children.into_iter().enumerate() {
        let tx = tx.clone();
        std::thread::spawn(move || {
            let _ = tx.send((n, child.wait_with_output()));
        });
    }
    drop(tx);
    let deadline = Instant::now() + limit;
    let mut outputs: Vec<Option<Output>> = pids.iter().map(|_| None).collect();
    for _ in 0..pids.len() {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok((n, out)) => outputs[n] = Some(out.unwrap()),
            Err(_) => {
                for (n, pid) in pids.iter().enumerate() {
                    if outputs[n].is_none() {
                        // Not reaped yet (its waiting thread has not returned), so the pid
                        // is still this child's.
                        unsafe { libc::kill(*pid as libc::pid_t, libc::SIGKILL) };
                    }
                }
                panic!("des écrivains n'ont pas fini en {limit:?} : interblocage ?");
            }
        }
    }
    outputs.into_iter().map(Option::unwrap).collect()
}

/// What a writer said it did.
struct Written {
    /// The number of its last call: it tried `w<id>-1` to `w<id>-<last>`.
    last: u64,
    slowest: Duration,
    /// The calls it was told failed, with the sentence it was told (tolerant writers).
    failed: Vec<(u64, String)>,
}

/// Checks a writer's exit (success, a silent stderr, nothing on stdout but its report).
fn writer_result(id: usize, out: &Output) -> Written {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_not_locked(&format!("l'écrivain {id}"), &stderr);
    assert!(
        out.status.success(),
        "l'écrivain {id} a échoué ({}) : {stderr}\n{stdout}",
        out.status
    );
    assert!(
        stderr.trim().is_empty(),
        "l'écrivain {id} a écrit sur stderr : {stderr}"
    );
    let wrote = format!("WROTE {id} ");
    let failed = format!("FAILED {id} ");
    let mut report = None;
    let mut failures = Vec::new();
    for line in stdout.lines() {
        if let Some(rest) = line.strip_prefix(&wrote) {
            let numbers: Vec<u64> = rest
                .split_whitespace()
                .map(|n| n.parse().unwrap())
                .collect();
            assert_eq!(numbers.len(), 2, "{stdout}");
            report = Some((numbers[0], Duration::from_micros(numbers[1])));
        } else if let Some(rest) = line.strip_prefix(&failed) {
            let (i, message) = rest.split_once(' ').unwrap();
            failures.push((i.parse().unwrap(), message.to_string()));
        }
    }
    let (last, slowest) =
        report.unwrap_or_else(|| panic!("l'écrivain {id} n'a pas rendu compte : {stdout}"));
    Written {
        last,
        slowest,
        failed: failures,
    }
}

// ---------------------------------------------------------------------------------------
// The real binary, on a desk of either engine.

/// `guichet` on the desk, its standard input closed.
fn guichet(desk: &Desk) -> Command {
    let mut c = desk.cmd();
    c.stdin(Stdio::null());
    c
}

fn add_args(caller: &str) -> Vec<String> {
    [
        "call",
        "add",
        "--service",
        "mi",
        "--device",
        "noemi",
        "--caller",
        caller,
        "--summary",
        "coupure VPN",
        "--operator",
        "tueur",
    ]
    .map(String::from)
    .to_vec()
}

/// Runs the binary, expecting success and a silent stderr; returns stdout.
fn ok(desk: &Desk, args: &[String]) -> String {
    let out = guichet(desk).args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_not_locked(&format!("guichet {args:?}"), &stderr);
    assert!(out.status.success(), "guichet {args:?} : {stderr}");
    assert!(
        stderr.trim().is_empty(),
        "guichet {args:?} a écrit sur stderr : {stderr}"
    );
    String::from_utf8(out.stdout).unwrap()
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| s.to_string()).collect()
}

/// `guichet db check` through the binary, then `Store::check` through the library.
fn assert_database_sound(desk: &Desk) {
    let out = ok(desk, &strings(&["db", "check"]));
    assert!(out.contains("aucun problème"), "db check : {out}");
    let store = desk.store();
    let problems = store.check().unwrap();
    assert!(problems.is_empty(), "Store::check : {problems:?}");
}

/// Every call has its opening entry, first in its journal, carrying its summary: a call is
/// never stored without its journal (they share one transaction).
fn assert_journals_whole(store: &Store, calls: &[Call]) {
    for call in calls {
        let record = store.get_call(call.reference).unwrap();
        let first = record
            .journal
            .first()
            .unwrap_or_else(|| panic!("{} sans journal", call.reference));
        assert_eq!(first.kind, JournalKind::Opened, "{}", call.reference);
        assert_eq!(first.text, call.summary, "{}", call.reference);
        assert_eq!(
            record
                .journal
                .iter()
                .filter(|e| e.kind == JournalKind::Opened)
                .count(),
            1,
            "{}",
            call.reference
        );
    }
}

fn all_calls(store: &Store) -> Vec<Call> {
    store
        .list_calls(&CallFilter {
            limit: None,
            ..CallFilter::default()
        })
        .unwrap()
}

/// The references of a listing are `A-0001` to `A-<n>`, each once: readable, unique, and
/// without a hole (no call was half-written and rolled back).
fn assert_references_read_in_order(listed: &[Value]) {
    let mut ids: Vec<i64> = listed
        .iter()
        .map(|call| {
            let reference = call["reference"].as_str().unwrap();
            let id: i64 = parse_reference(reference)
                .and_then(|r| r[2..].parse().ok())
                .unwrap_or_else(|| panic!("référence illisible {reference:?}"));
            assert_eq!(reference, format!("A-{id:04}"));
            id
        })
        .collect();
    ids.sort_unstable();
    let expected: Vec<i64> = (1..=listed.len() as i64).collect();
    assert!(ids == expected, "références en double ou manquantes");
}

// ---------------------------------------------------------------------------------------

on_both_engines! {
/// Sixteen processes each committing as fast as they can keep the write lock taken all the
/// time. With SQLite's own busy handler (a waiter sleeps up to 100 ms between tries while
/// the others take the lock again) a writer starved past the 10 s timeout in 7 runs of 9 on
/// a loaded two-core machine; the store's jittered short retries keep every writer in the
/// race. On PostgreSQL, two sites of eight writers each, each site with its own connection
/// string and its own folder for drafts, race to migrate a new database and then write.
fn sixteen_writers_in_tight_loops_never_time_out(engine: Engine) {
    sixteen_writers("sixteen_writers_in_tight_loops_never_time_out", engine, 0);
}
}

/// The same server by another address, for a second site: `127.0.0.1` where the test
/// server is `localhost` (else the same string).
fn other_site(url: &str) -> String {
    url.replacen("@localhost:", "@127.0.0.1:", 1)
}

fn sixteen_writers(name: &str, engine: Engine, pause_ms: u64) {
    const WRITERS: usize = 16;
    // On a server each call is a few round trips and a commit flushed to its disk: fewer
    // calls keep the test to seconds, and all sixteen still write at once.
    let per_writer: u64 = match engine {
        Engine::Sqlite => 500,
        Engine::Postgres => 150,
    };
    let desk = Desk::on(engine);
    let go = desk.path().join("go");
    let site_a = desk.location();
    let site_b = match engine {
        Engine::Sqlite => desk.location(),
        Engine::Postgres => other_site(&desk.url()).into(),
    };
    let (state_a, state_b) = (desk.path().join("site-a"), desk.path().join("site-b"));

    // The store is new: the sixteen also race to create it (the file) and migrate it.
    let started = Instant::now();
    let site = Writer {
        db: &site_a,
        state: &state_a,
        tolerant: false,
        count: per_writer,
        pause_ms,
        go: Some(&go),
        stop: None,
    };
    let sites = [
        Writer {
            db: &site_b,
            state: &state_b,
            ..site
        },
        site,
    ];
    let children: Vec<Child> = (0..WRITERS)
        .map(|w| sites[w * 2 / WRITERS].spawn(w))
        .collect();
    std::fs::write(&go, "").unwrap();
    let outputs = wait_all(children, Duration::from_secs(300));
    let writing = started.elapsed();
    let mut slowest = Duration::ZERO;
    for (w, out) in outputs.iter().enumerate() {
        let written = writer_result(w, out);
        assert_eq!(written.last, per_writer, "écrivain {w}");
        assert!(written.failed.is_empty(), "écrivain {w}");
        slowest = slowest.max(written.slowest);
    }

    // Through the binary: every call, once, under its writer's name.
    let listed: Value = serde_json::from_str(&ok(
        &desk,
        &strings(&["call", "list", "--limit", "0", "--format", "json"]),
    ))
    .unwrap();
    let listed = listed.as_array().unwrap();
    let total = WRITERS * per_writer as usize;
    assert_eq!(listed.len(), total);
    let mut by_caller: HashMap<&str, (usize, &str)> = HashMap::new();
    let mut references = HashSet::new();
    for call in listed {
        let caller = call["caller_name"].as_str().unwrap();
        let operator = call["operator"].as_str().unwrap();
        assert!(references.insert(call["reference"].as_str().unwrap()));
        by_caller.entry(caller).or_insert((0, operator)).0 += 1;
    }
    for w in 0..WRITERS {
        for i in 1..=per_writer {
            let name = format!("w{w}-{i}");
            let (seen, operator) = by_caller.get(name.as_str()).copied().unwrap_or((0, ""));
            assert_eq!(seen, 1, "{name} vu {seen} fois");
            assert_eq!(operator, format!("w{w}"), "{name}");
        }
    }
    assert_references_read_in_order(listed);

    // Through the library: the same calls, each with its journal.
    let store = desk.store();
    let calls = all_calls(&store);
    assert_eq!(calls.len(), total);
    assert_journals_whole(&store, &calls);
    drop(store);
    assert_database_sound(&desk);
    eprintln!(
        "{name} ({engine:?}) : {total} appels par {WRITERS} processus en {writing:.2?} \
         ({:.0} appels/s, écriture la plus lente {slowest:.2?}), {:.2?} en tout",
        total as f64 / writing.as_secs_f64(),
        started.elapsed()
    );
}

fn seed_from_clock() -> u64 {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    (nanos ^ u64::from(std::process::id()).rotate_left(32)) | 1
}

/// xorshift64*: enough randomness for kill delays, and replayable from its seed.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// Creates its file when dropped, even by a panic.
struct StopOnDrop(PathBuf);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::write(&self.0, "");
    }
}

/// A reference as printed by `guichet call add`: `A-` and digits.
fn parse_reference(s: &str) -> Option<String> {
    let s = s.trim();
    let digits = s.strip_prefix("A-")?;
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())).then(|| s.to_string())
}

on_both_engines! {
fn killed_writers_never_lose_an_acknowledged_call(engine: Engine) {
    killed_writers(engine);
}
}

fn killed_writers(engine: Engine) {
    const MAX_ROUNDS: usize = 300;
    // A `call add` on a server lives about as long as on a file; a third of the rounds is
    // enough there, the file's own races having had theirs.
    let time_budget = match engine {
        Engine::Sqlite => Duration::from_secs(20),
        Engine::Postgres => Duration::from_secs(7),
    };
    const BACKGROUND_PAUSE_MS: u64 = 3;
    const AIM_WINDOW_US: u64 = 10_000;
    const AIM_STEP_US: u64 = 3_000;
    let desk = Desk::on(engine);
    let location = desk.location();
    let stop = desk.path().join("stop");
    let started = Instant::now();

    let seed = std::env::var(SEED_ENV)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(seed_from_clock)
        | 1;
    eprintln!("killed_writers : graine {seed} (rejouer avec {SEED_ENV}={seed})");
    let mut rng = XorShift(seed);

    // (caller, reference) of every call whose process printed its reference.
    let mut acknowledged: Vec<(String, String)> = Vec::new();
    // Callers whose process died before printing anything.
    let mut unacknowledged: Vec<String> = Vec::new();

    // Two writers keep writing the whole time, with a short breath between calls as a
    // desk would (two writers in a tight loop kept a newcomer waiting for up to a second or
    // more: SQLite's busy handler is not fair). Should this test fail half-way, the guard creates the
    // stop file so that they do not run on.
    let stop_guard = StopOnDrop(stop.clone());
    let state = desk.state_dir();
    let plan = Writer {
        db: &location,
        state: &state,
        tolerant: false,
        count: 0,
        pause_ms: BACKGROUND_PAUSE_MS,
        go: None,
        stop: Some(&stop),
    };
    let background: Vec<Child> = (0..2).map(|w| plan.spawn(w)).collect();

    // How long a `call add` lives under this contention, so that kills land all along its
    // life (start, opening, transaction, commit, printing), not only in its start-up.
    let mut lives = Vec::new();
    for n in 0..5 {
        let caller = format!("mesure-{n}");
        let t = Instant::now();
        let out = ok(&desk, &add_args(&caller));
        lives.push(t.elapsed());
        acknowledged.push((caller, parse_reference(&out).expect(&out)));
    }
    lives.sort();
    let mut span = lives[2]
        .mul_f64(1.5)
        .max(Duration::from_millis(30))
        .as_micros() as u64;

    // Odd rounds kill anywhere in 0..span; even rounds aim at the moment the reference
    // comes out (where the commit is), an estimate nudged after each aimed round: later
    // when the process died silent, earlier when it got its reference out.
    let mut aim = lives[2].as_micros() as u64;
    let (mut killed, mut finished, mut killed_after_ack) = (0, 0, 0);
    let rounds_started = Instant::now();
    let mut rounds = 0;
    // The measured lives may have been slow (a busy machine): kills must land all the same,
    // so a round that finished before its kill shortens the span, and the rounds go on past
    // the budget (up to three times it) until a few processes were killed.
    while rounds < MAX_ROUNDS
        && (rounds_started.elapsed() < time_budget
            || (killed < 3 && rounds_started.elapsed() < time_budget * 3))
    {
        let caller = format!("k{rounds}");
        rounds += 1;
        let aimed = rounds % 2 == 0;
        let delay = Duration::from_micros(if aimed {
            (aim + rng.below(AIM_WINDOW_US)).saturating_sub(AIM_WINDOW_US * 3 / 4)
        } else {
            rng.below(span)
        });
        let child = guichet(&desk)
            .args(add_args(&caller))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        // Not yet reaped, so the pid is still this child's even if it has exited.
        unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGKILL) };
        let out = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_not_locked(&format!("{caller} (tué après {delay:?})"), &stderr);
        match out.status.signal() {
            Some(libc::SIGKILL) => killed += 1,
            Some(other) => panic!("{caller} mort du signal {other} : {stderr}"),
            None => {
                assert!(
                    out.status.success(),
                    "{caller} a échoué ({}) : {stderr}",
                    out.status
                );
                assert!(stderr.trim().is_empty(), "{caller} : {stderr}");
                finished += 1;
                if !aimed {
                    span = (span * 4 / 5).max(AIM_STEP_US);
                }
            }
        }
        if aimed {
            aim = if stdout.is_empty() {
                aim + AIM_STEP_US
            } else {
                aim.saturating_sub(AIM_STEP_US)
            };
        }
        if stdout.is_empty() {
            assert!(
                out.status.signal().is_some(),
                "{caller} fini sans référence"
            );
            unacknowledged.push(caller);
        } else {
            // Anything printed is the whole reference: it is one short write.
            let Some(reference) = parse_reference(&stdout) else {
                panic!("{caller} a imprimé {stdout:?}");
            };
            if out.status.signal().is_some() {
                killed_after_ack += 1;
            }
            acknowledged.push((caller, reference));
        }
    }
    let killing = rounds_started.elapsed();

    drop(stop_guard);
    let outputs = wait_all(background, Duration::from_secs(60));
    let (background_counts, background_slowest): (Vec<u64>, Vec<Duration>) = outputs
        .iter()
        .enumerate()
        .map(|(w, out)| {
            let written = writer_result(w, out);
            (written.last, written.slowest)
        })
        .unzip();
    assert!(
        killed > 0,
        "aucun processus n'a été tué : le test n'a rien éprouvé"
    );

    assert_database_sound(&desk);
    let store = desk.store();
    let calls = all_calls(&store);
    assert_journals_whole(&store, &calls);
    let mut by_caller: HashMap<&str, Vec<&Call>> = HashMap::new();
    for call in &calls {
        by_caller.entry(&call.caller_name).or_default().push(call);
    }
    for (caller, reference) in &acknowledged {
        let found = by_caller
            .get(caller.as_str())
            .map_or(&[][..], Vec::as_slice);
        assert_eq!(
            found.len(),
            1,
            "{caller} a reçu {reference} mais la base en a {} appel(s)",
            found.len()
        );
        assert_eq!(&found[0].reference.to_string(), reference, "{caller}");
        assert_eq!(found[0].operator, "tueur", "{caller}");
    }
    let mut saved_unacknowledged = 0;
    for caller in &unacknowledged {
        let found = by_caller.get(caller.as_str()).map_or(0, Vec::len);
        assert!(found <= 1, "{caller} enregistré {found} fois");
        saved_unacknowledged += found;
    }
    for (w, &count) in background_counts.iter().enumerate() {
        for i in 1..=count {
            let name = format!("w{w}-{i}");
            let found = by_caller.get(name.as_str()).map_or(0, Vec::len);
            assert_eq!(found, 1, "{name} de l'écrivain de fond {w} vu {found} fois");
        }
        assert!(!by_caller.contains_key(format!("w{w}-{}", count + 1).as_str()));
    }
    let expected =
        acknowledged.len() + saved_unacknowledged + background_counts.iter().sum::<u64>() as usize;
    assert_eq!(calls.len(), expected, "des appels venus de nulle part");
    // References are row ids: any one acknowledged must read back as itself.
    for (_, reference) in &acknowledged {
        let id: i64 = reference[2..].parse().unwrap();
        store.get_call(CallRef(id)).unwrap();
    }
    eprintln!(
        "killed_writers ({engine:?}) : {rounds} processus en {killing:.2?} (délai 0..{span} µs ou visé, \
         vies mesurées {:.2?}, visée finale {aim} µs) : {killed} tués dont {killed_after_ack} \
         après leur référence, {finished} finis ; {} sans référence dont \
         {saved_unacknowledged} enregistrés quand même ; écrivains de fond \
         {background_counts:?} appels, écriture la plus lente {background_slowest:.2?} ; \
         {:.2?} en tout",
        lives,
        unacknowledged.len(),
        started.elapsed()
    );
}

on_both_engines! {
fn readers_see_writes_of_another_process_quickly(desk) {
    let store = desk.store();
    let mut version = store.data_version().unwrap();
    let mut slowest = Duration::ZERO;
    for n in 0..5 {
        let caller = format!("lecteur-{n}");
        let out = ok(&desk, &add_args(&caller));
        let reference = parse_reference(&out).expect(&out);
        // The write is acknowledged: from now on the reader has one second.
        let acked = Instant::now();
        loop {
            let now = store.data_version().unwrap();
            let seen = now != version
                && all_calls(&store)
                    .iter()
                    .any(|c| c.reference.to_string() == reference && c.caller_name == caller);
            if seen {
                version = now;
                slowest = slowest.max(acked.elapsed());
                break;
            }
            assert!(
                acked.elapsed() < Duration::from_secs(1),
                "{reference} ({caller}) invisible au lecteur après 1 s \
                 (data_version {version} → {now})"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    assert_eq!(all_calls(&store).len(), 5);
    eprintln!(
        "readers_see_writes ({:?}) : plus long délai de visibilité {slowest:?}",
        desk.engine
    );
}
}

/// The password of a connection string, if it has one.
fn password_of(url: &str) -> Option<String> {
    let userinfo = url.split_once("://")?.1.split_once('@')?.0;
    userinfo.split_once(':').map(|(_, p)| p.to_string())
}

/// What a call or a command that failed because the server dropped its connection says:
/// one sentence, in French, that says the connection is gone; no lock, no panic, no
/// password.
fn assert_one_clear_sentence(who: &str, message: &str, password: Option<&str>) {
    assert_not_locked(who, message);
    let sentence = message.trim_end();
    assert!(
        !sentence.contains('\n') && !sentence.contains('⏎'),
        "{who} : plus d'une ligne : {message}"
    );
    assert!(
        !sentence.contains("panicked") && !sentence.contains("RUST_BACKTRACE"),
        "{who} : {message}"
    );
    if let Some(password) = password {
        assert!(
            !sentence.contains(password),
            "{who} : le mot de passe : {message}"
        );
    }
    assert!(
        sentence.contains("connexion perdue") || sentence.contains("injoignable"),
        "{who} : une phrase qui ne dit pas que la connexion est perdue : {message}"
    );
}

/// A call the server kept although its writer was told it failed (the connection went
/// while the server committed): the sentence must not have said nothing was done, or the
/// operator types the call again.
fn assert_not_denied(who: &str, said: &str) {
    assert!(
        !said.contains("rien n'a été fait") && said.contains("peut-être"),
        "{who} est enregistré, mais on a dit : {said}"
    );
}

/// The server drops every connection to the desk's database, three times, while four
/// writers (library processes), a stream of `guichet call add` and a reader (the
/// console's way: `data_version`, then the list) run. What was acknowledged is there, once;
/// what failed said so in one sentence; the writers and the reader carry on once the server
/// takes connections again. The connections are dropped by the server itself
/// (`pg_terminate_backend` from an administrator's connection), as a restart or a cut link
/// drops them, without restarting a server the other tests share.
#[test]
fn dropped_connections_lose_nothing_acknowledged_and_fail_in_one_sentence() {
    use std::sync::atomic::{AtomicBool, Ordering};
    const WRITERS: usize = 4;
    const DROPS: usize = 3;
    let desk = Desk::postgres();
    let password = password_of(&desk.url());
    let password = password.as_deref();
    let dbname = desk.server().target().dbname().to_string();
    // Migrated before anyone writes: the drops land on calls, not on the schema.
    ok(&desk, &strings(&["db", "check"]));
    let started = Instant::now();

    let location = desk.location();
    let state = desk.state_dir();
    let stop = desk.path().join("stop");
    let stop_guard = StopOnDrop(stop.clone());
    let plan = Writer {
        db: &location,
        state: &state,
        tolerant: true,
        count: 0,
        pause_ms: 5,
        go: None,
        stop: Some(&stop),
    };
    let writers: Vec<Child> = (0..WRITERS).map(|w| plan.spawn(w)).collect();
    let done = AtomicBool::new(false);
    let mut admin = desk.admin();
    let calls_now = |admin: &mut postgres::Client| -> i64 {
        admin
            .query_one("SELECT count(*) FROM calls", &[])
            .unwrap()
            .get(0)
    };

    let (reader, adder, dropped) = std::thread::scope(|scope| {
        let reader = scope.spawn(|| {
            let store = desk.store();
            let (mut reads, mut errors) = (0, Vec::new());
            while !done.load(Ordering::Relaxed) {
                match store.data_version().and_then(|_| {
                    store.list_calls(&CallFilter {
                        limit: None,
                        ..CallFilter::default()
                    })
                }) {
                    Ok(_) => reads += 1,
                    Err(e) => errors.push(e.to_string()),
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            (store, reads, errors)
        });
        let adder = scope.spawn(|| {
            let (mut acked, mut failed) = (Vec::new(), Vec::new());
            let mut n = 0;
            while !done.load(Ordering::Relaxed) {
                let caller = format!("b{n}");
                n += 1;
                let out = guichet(&desk).args(add_args(&caller)).output().unwrap();
                let stdout = String::from_utf8_lossy(&out.stdout).to_string();
                let stderr = String::from_utf8_lossy(&out.stderr).to_string();
                if out.status.success() {
                    assert!(stderr.is_empty(), "{caller} : {stderr}");
                    acked.push((caller, parse_reference(&stdout).expect(&stdout)));
                } else {
                    assert_eq!(out.status.code(), Some(1), "{caller} : {stderr}");
                    assert!(stdout.is_empty(), "{caller} : {stdout}");
                    failed.push((caller, stderr));
                }
            }
            (acked, failed)
        });

        // The writers are at work, then their connections are dropped, again and again.
        let deadline = Instant::now() + Duration::from_secs(20);
        while calls_now(&mut admin) < 40 {
            assert!(Instant::now() < deadline, "les écrivains n'écrivent pas");
            std::thread::sleep(Duration::from_millis(20));
        }
        let mut dropped = Vec::new();
        for _ in 0..DROPS {
            let before = calls_now(&mut admin);
            let n: i64 = admin
                .query_one(
                    "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) \
                     FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
                    &[&dbname],
                )
                .unwrap()
                .get(0);
            dropped.push(n);
            // Back to work after each drop: more calls than before it, soon.
            let deadline = Instant::now() + Duration::from_secs(10);
            while calls_now(&mut admin) < before + 20 {
                assert!(
                    Instant::now() < deadline,
                    "personne n'écrit plus après la coupure"
                );
                std::thread::sleep(Duration::from_millis(20));
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        done.store(true, Ordering::Relaxed);
        (reader.join().unwrap(), adder.join().unwrap(), dropped)
    });
    drop(stop_guard);
    let outputs = wait_all(writers, Duration::from_secs(30));
    let written: Vec<Written> = outputs
        .iter()
        .enumerate()
        .map(|(w, out)| writer_result(w, out))
        .collect();
    let (reader_store, reads, reader_errors) = reader;
    let (acked, adder_failed) = adder;

    // Every drop took the writers' connections (and the reader's, and its listener's).
    for n in &dropped {
        assert!(*n >= WRITERS as i64, "coupures : {dropped:?}");
    }
    // Each failure is one sentence that says what happened.
    let mut failures = 0;
    for (w, out) in written.iter().enumerate() {
        for (i, message) in &out.failed {
            assert_one_clear_sentence(&format!("w{w}-{i}"), message, password);
        }
        failures += out.failed.len();
        // It wrote again after its last failure.
        let last_failed = out.failed.iter().map(|(i, _)| *i).max().unwrap_or(0);
        assert!(
            out.last > last_failed,
            "l'écrivain {w} n'a plus rien écrit après sa dernière erreur"
        );
    }
    assert!(
        failures > 0,
        "aucun écrivain n'a vu la coupure : rien n'a été éprouvé"
    );
    for (caller, stderr) in &adder_failed {
        assert_one_clear_sentence(caller, stderr, password);
    }
    for message in &reader_errors {
        assert_one_clear_sentence("le lecteur", message, password);
    }
    assert!(
        !reader_errors.is_empty(),
        "le lecteur n'a pas vu la coupure : rien n'a été éprouvé"
    );

    // Nothing acknowledged is lost, nothing is there twice, nothing came from nowhere.
    let store = desk.store();
    let calls = all_calls(&store);
    assert_journals_whole(&store, &calls);
    let mut by_caller: HashMap<&str, Vec<&Call>> = HashMap::new();
    for call in &calls {
        by_caller.entry(&call.caller_name).or_default().push(call);
    }
    let found = |name: &str| by_caller.get(name).map_or(0, Vec::len);
    let mut expected = 0;
    let mut stored_though_failed = 0;
    for (w, out) in written.iter().enumerate() {
        let failed: HashSet<u64> = out.failed.iter().map(|(i, _)| *i).collect();
        for i in 1..=out.last {
            let name = format!("w{w}-{i}");
            if failed.contains(&i) {
                assert!(found(&name) <= 1, "{name} enregistré {} fois", found(&name));
                if found(&name) == 1 {
                    let said = &out.failed.iter().find(|(n, _)| *n == i).unwrap().1;
                    assert_not_denied(&name, said);
                }
                stored_though_failed += found(&name);
            } else {
                assert_eq!(
                    found(&name),
                    1,
                    "{name}, acquitté, vu {} fois",
                    found(&name)
                );
            }
        }
        expected += out.last as usize - failed.len();
        assert_eq!(found(&format!("w{w}-{}", out.last + 1)), 0);
    }
    for (caller, reference) in &acked {
        assert_eq!(found(caller), 1, "{caller} a reçu {reference}");
        assert_eq!(
            &by_caller[caller.as_str()][0].reference.to_string(),
            reference
        );
    }
    for (caller, _) in &adder_failed {
        assert!(
            found(caller) <= 1,
            "{caller} enregistré {} fois",
            found(caller)
        );
        stored_though_failed += found(caller);
    }
    expected += acked.len() + stored_though_failed;
    assert_eq!(calls.len(), expected, "des appels venus de nulle part");

    // The reader, on its own connection all along, sees them all once the server is back.
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        match reader_store.data_version().and_then(|_| {
            reader_store.list_calls(&CallFilter {
                limit: None,
                ..CallFilter::default()
            })
        }) {
            Ok(seen) if seen.len() == calls.len() => break,
            Ok(_) | Err(_) => {}
        }
        assert!(
            Instant::now() < deadline,
            "le lecteur ne voit pas tous les appels 5 s après la dernière coupure"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(reader_store.connection_problem().is_none());
    drop((reader_store, store));
    assert_database_sound(&desk);
    eprintln!(
        "dropped_connections : {DROPS} coupures ({dropped:?} connexions) en {:.2?} ; \
         {} appels, dont {} acquittés par les écrivains et {} par {} `call add` ; {failures} \
         échecs d'écrivains, {} de `call add`, dont {stored_through_failed} enregistrés \
         quand même ; le lecteur : {reads} lectures, {} erreurs",
        started.elapsed(),
        calls.len(),
        written
            .iter()
            .map(|w| w.last as usize - w.failed.len())
            .sum::<usize>(),
        acked.len(),
        acked.len() + adder_failed.len(),
        adder_failed.len(),
        reader_errors.len(),
        stored_through_failed = stored_though_failed,
    );
}
