//! Several processes on one database file: nothing acknowledged is ever lost, nobody sees
//! "database is locked", and a reader sees another process's writes.
//!
//! Every writer here is a real, separate OS process: either the `guichet` binary itself, or
//! this test binary re-executed with `GUICHET_STRESS_WRITER` set, which then runs only
//! `stress_writer_entry` and inserts calls through the library, one transaction per call,
//! exactly as `guichet call add` does (without paying for a process start per call; a
//! writer may sleep between calls instead).

use guichet::catalog::embedded_reference;
use guichet::domain::call::{Call, CallDraft, CallRef, JournalKind};
use guichet::store::{CallFilter, Store};
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Set in a re-executed copy of this binary: the writer's number.
const WRITER_ENV: &str = "GUICHET_STRESS_WRITER";
/// The database the writer writes to.
const WRITER_DB_ENV: &str = "GUICHET_STRESS_DB";
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
/// named `w<writer>-<i>` (i from 1) and prints `WROTE <writer> <count> <slowest µs>`, or
/// prints the error on stderr and exits with code 3 at the first failure.
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
    let db = PathBuf::from(std::env::var_os(WRITER_DB_ENV).ok_or("GUICHET_STRESS_DB absent")?);
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
    let mut store =
        Store::open(&db).map_err(|e| format!("ouverture (après {:?}) : {e}", t.elapsed()))?;
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
        let call = store
            .insert_call(&new)
            .map_err(|e| format!("appel {i} (après {:?}) : {e}", t.elapsed()))?;
        slowest = slowest.max(t.elapsed());
        if call.caller_name != draft.caller_name {
            return Err(format!("appel {i} relu sous le nom {}", call.caller_name));
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
    db: &'a Path,
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
            "stress_writer_entry",
            "--exact",
            "--nocapture",
            "--test-threads=1",
            "--quiet",
        ])
        .env(WRITER_ENV, id.to_string())
        .env(WRITER_DB_ENV, self.db)
        .env(WRITER_COUNT_ENV, self.count.to_string())
        .env(WRITER_PAUSE_ENV, self.pause_ms.to_string())
        .env_remove(WRITER_GO_ENV)
        .env_remove(WRITER_STOP_ENV)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
        if let Some(go) = self.go {
            cmd.env(WRITER_GO_ENV, go);
        }
        if let Some(stop) = self.stop {
            cmd.env(WRITER_STOP_ENV, stop);
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

/// Checks a writer's exit; returns how many calls it says it wrote, and its slowest.
fn writer_result(id: usize, out: &Output) -> (u64, Duration) {
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
    let prefix = format!("WROTE {id} ");
    let report: Vec<u64> = stdout
        .lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("l'écrivain {id} n'a pas rendu compte : {stdout}"))
        .split_whitespace()
        .map(|n| n.parse().unwrap())
        .collect();
    assert_eq!(report.len(), 2, "{stdout}");
    (report[0], Duration::from_micros(report[1]))
}

// ---------------------------------------------------------------------------------------
// The real binary.

fn guichet(dir: &Path, db: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_guichet"));
    c.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir)
        .env("XDG_DATA_HOME", dir.join("data"))
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env("USER", "loginname")
        .env("GUICHET_DB", db)
        .stdin(Stdio::null());
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
fn ok(dir: &Path, db: &Path, args: &[String]) -> String {
    let out = guichet(dir, db).args(args).output().unwrap();
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
fn assert_database_sound(dir: &Path, db: &Path) {
    let out = ok(dir, db, &strings(&["db", "check"]));
    assert!(out.contains("aucun problème"), "db check : {out}");
    let store = Store::open(db).unwrap();
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

// ---------------------------------------------------------------------------------------

/// Sixteen processes each committing as fast as they can
/// keep the write lock taken all the time. With SQLite's own busy handler (a waiter sleeps
/// up to 100 ms between tries while the others take the lock again) a writer starved past
/// the 10 s timeout in 7 runs of 9 on a loaded two-core machine; the store's jittered
/// short retries keep every writer in the race.
#[test]
fn sixteen_writers_in_tight_loops_never_time_out() {
    sixteen_writers("sixteen_writers_in_tight_loops_never_time_out", 0);
}

fn sixteen_writers(name: &str, pause_ms: u64) {
    const WRITERS: usize = 16;
    const PER_WRITER: u64 = 500;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.db");
    let go = dir.path().join("go");

    // The file does not exist yet: the sixteen also race to create it and migrate it.
    let started = Instant::now();
    let plan = Writer {
        db: &db,
        count: PER_WRITER,
        pause_ms,
        go: Some(&go),
        stop: None,
    };
    let children: Vec<Child> = (0..WRITERS).map(|w| plan.spawn(w)).collect();
    std::fs::write(&go, "").unwrap();
    let outputs = wait_all(children, Duration::from_secs(300));
    let writing = started.elapsed();
    let mut slowest = Duration::ZERO;
    for (w, out) in outputs.iter().enumerate() {
        let (written, slow) = writer_result(w, out);
        assert_eq!(written, PER_WRITER, "écrivain {w}");
        slowest = slowest.max(slow);
    }

    // Through the binary: every call, once, under its writer's name.
    let listed: Value = serde_json::from_str(&ok(
        dir.path(),
        &db,
        &strings(&["call", "list", "--limit", "0", "--format", "json"]),
    ))
    .unwrap();
    let listed = listed.as_array().unwrap();
    let total = WRITERS * PER_WRITER as usize;
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
        for i in 1..=PER_WRITER {
            let name = format!("w{w}-{i}");
            let (seen, operator) = by_caller.get(name.as_str()).copied().unwrap_or((0, ""));
            assert_eq!(seen, 1, "{name} vu {seen} fois");
            assert_eq!(operator, format!("w{w}"), "{name}");
        }
    }

    // Through the library: the same calls, each with its journal.
    let store = Store::open(&db).unwrap();
    let calls = all_calls(&store);
    assert_eq!(calls.len(), total);
    assert_journals_whole(&store, &calls);
    drop(store);
    assert_database_sound(dir.path(), &db);
    eprintln!(
        "{name} : {total} appels par {WRITERS} processus en {writing:.2?} \
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

#[test]
fn killed_writers_never_lose_an_acknowledged_call() {
    const MAX_ROUNDS: usize = 300;
    const TIME_BUDGET: Duration = Duration::from_secs(20);
    const BACKGROUND_PAUSE_MS: u64 = 3;
    const AIM_WINDOW_US: u64 = 10_000;
    const AIM_STEP_US: u64 = 3_000;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.db");
    let stop = dir.path().join("stop");
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
    let plan = Writer {
        db: &db,
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
        let out = ok(dir.path(), &db, &add_args(&caller));
        lives.push(t.elapsed());
        acknowledged.push((caller, parse_reference(&out).expect(&out)));
    }
    lives.sort();
    let span = lives[2]
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
    while rounds < MAX_ROUNDS && rounds_started.elapsed() < TIME_BUDGET {
        let caller = format!("k{rounds}");
        rounds += 1;
        let aimed = rounds % 2 == 0;
        let delay = Duration::from_micros(if aimed {
            (aim + rng.below(AIM_WINDOW_US)).saturating_sub(AIM_WINDOW_US * 3 / 4)
        } else {
            rng.below(span)
        });
        let child = guichet(dir.path(), &db)
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
        .map(|(w, out)| writer_result(w, out))
        .unzip();
    assert!(
        killed > 0,
        "aucun processus n'a été tué : le test n'a rien éprouvé"
    );

    assert_database_sound(dir.path(), &db);
    let store = Store::open(&db).unwrap();
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
        "killed_writers : {rounds} processus en {killing:.2?} (délai 0..{span} µs ou visé, \
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

#[test]
fn readers_see_writes_of_another_process_quickly() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.db");
    let store = Store::open(&db).unwrap();
    let mut version = store.data_version().unwrap();
    let mut slowest = Duration::ZERO;
    for n in 0..5 {
        let caller = format!("lecteur-{n}");
        let out = ok(dir.path(), &db, &add_args(&caller));
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
    eprintln!("readers_see_writes : plus long délai de visibilité {slowest:?}");
}
