//! The console as the operator's terminal sees it: the real release binary in a real
//! pseudo-terminal of 80x24, timed from outside.
//!
//! Measured per run: the first paint (spawn until the header "guichet ·" is on the output),
//! then, for each key typed one at a time, the bytes the console writes until its output goes
//! quiet (30 ms without a byte) and the latency from the key written to the last byte of that
//! burst. Two scenarios on a database of 200 calls: searching the call list (`/` then a
//! caller's name) and typing a call's summary in the new-call form (`F2`, five `Tab`s, then
//! the text). The same is measured on the bare ratatui floor of `../shared/tools/bare-tui`
//! when it can be built (in `target/bare-tui`, never in `shared/`).
//!
//! Target: a median under 1 KB written per key, in each scenario.
//!
//! `cargo bench --bench pty`. `GUICHET_BENCH_PTY_RUNS` sets the runs per scenario (5).
//!
//! Keys are sent away from the whole second: the console redraws its clock then, and that
//! frame is not the key's. Those clock frames are counted apart ("clock frames").

use chrono::{Duration as Minutes, Utc};
use guichet::catalog::embedded_reference;
use guichet::domain::call::{CallDraft, Outcome};
use guichet::store::Store;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const COLS: u16 = 80;
const ROWS: u16 = 24;
/// The output is over when nothing came for this long.
const QUIET: Duration = Duration::from_millis(30);
/// Between phases (after first paint, after each key of the preamble).
const SETTLE: Duration = Duration::from_millis(200);
/// How long a key may take to produce its first byte before it counts as silent.
const RESPONSE_LIMIT: Duration = Duration::from_secs(1);
/// A burst longer than this is cut (a program that never stops writing).
const BURST_LIMIT: Duration = Duration::from_secs(3);
const FIRST_PAINT_LIMIT: Duration = Duration::from_secs(10);
/// How long a program has to exit after its quit key, then after SIGTERM.
const EXIT_LIMIT: Duration = Duration::from_secs(2);
/// The target: median bytes written per key.
const TARGET_BYTES: usize = 1024;
const CALLS: usize = 200;
const OPERATOR: &str = "bench";

/// Keys are sent only in this window of the wall-clock second (milliseconds), so that the
/// console's once-a-second clock redraw does not fall inside a key's measurement.
const SEND_WINDOW_MS: (u32, u32) = (40, 850);

struct Scenario {
    name: &'static str,
    /// What the preamble is, for the report.
    preamble_label: &'static str,
    /// Keys sent one at a time after first paint, each followed by its redraw.
    preamble: &'static [&'static [u8]],
    /// Typed one key at a time, each measured.
    text: &'static str,
}

const F2: &[u8] = b"\x1bOQ";
const TAB: &[u8] = b"\t";

const SCENARIOS: &[Scenario] = &[
    Scenario {
        name: "search",
        preamble_label: "/",
        preamble: &[b"/"],
        // 20 characters: a caller's name as typed, no accents.
        text: "marie-claire lefevre",
    },
    Scenario {
        name: "summary",
        preamble_label: "F2, Tab x5",
        preamble: &[F2, TAB, TAB, TAB, TAB, TAB],
        // 31 characters: every key is also a procedure search.
        text: "carte agent perdue noemi bloque",
    },
];

/// A program under measurement.
struct Program {
    label: &'static str,
    path: PathBuf,
    marker: &'static str,
    /// Bytes that make it quit cleanly.
    quit: &'static [u8],
    /// The database copied fresh for every run (guichet only): a run's draft or search
    /// must not carry over to the next one.
    template_db: Option<PathBuf>,
}

#[derive(Default)]
struct Samples {
    first_paint: Vec<Duration>,
    bytes: Vec<usize>,
    latency: Vec<Duration>,
    first_byte: Vec<Duration>,
    silent_keys: usize,
    clock_frames: Vec<usize>,
    missing_paint: usize,
    endings: Vec<String>,
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let runs: usize = std::env::var("GUICHET_BENCH_PTY_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(5);

    let guichet = match guichet_binary(root) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("pty bench: no release binary: {e}");
            std::process::exit(1);
        }
    };
    let dir = tempfile::Builder::new()
        .prefix("guichet-pty-bench")
        .tempdir()
        .expect("temporary directory");
    let template = dir.path().join("template.db");
    let started = Instant::now();
    if let Err(e) = fill_database(&template, CALLS) {
        eprintln!("pty bench: could not prepare the database: {e}");
        std::process::exit(1);
    }
    println!(
        "pty bench: {} ({COLS}x{ROWS}), {CALLS} calls prepared in {:.0} ms, {runs} runs per scenario",
        guichet.display(),
        started.elapsed().as_secs_f64() * 1e3
    );

    let guichet = Program {
        label: "guichet",
        path: guichet,
        marker: "guichet ·",
        quit: b"\x03",
        template_db: Some(template),
    };
    let results: Vec<Samples> = SCENARIOS
        .iter()
        .map(|s| measure(&guichet, s, runs, dir.path()))
        .collect();
    for (scenario, samples) in SCENARIOS.iter().zip(&results) {
        report(&guichet, scenario, samples);
    }

    let bare_dir = root.join("../shared/tools/bare-tui");
    let bare = match build_bare(root, &bare_dir) {
        Ok(path) => Some(Program {
            label: "bare-tui",
            path,
            marker: "guichet-bare",
            quit: b"\x1b",
            template_db: None,
        }),
        Err(why) => {
            println!("\nbare-tui floor: skipped ({why})");
            None
        }
    };
    if let Some(bare) = &bare {
        let floor: Vec<Samples> = SCENARIOS
            .iter()
            .map(|s| measure(bare, s, runs, dir.path()))
            .collect();
        for (scenario, samples) in SCENARIOS.iter().zip(&floor) {
            report(bare, scenario, samples);
        }
        compare(&results, &floor);
    }

    println!("\ntarget: median bytes per key under {TARGET_BYTES} B");
    for (scenario, samples) in SCENARIOS.iter().zip(&results) {
        match median(&samples.bytes) {
            Some(m) if m < TARGET_BYTES => {
                println!("  PASS {:<8} median {m} B per key", scenario.name)
            }
            Some(m) => println!("  FAIL {:<8} median {m} B per key", scenario.name),
            None => println!("  FAIL {:<8} no key measured", scenario.name),
        }
    }
    // The temporary directory (databases, configuration) goes with `dir`; every child was
    // reaped by its guard before.
    drop(dir);
}

/// `target/release/guichet`, built when missing.
fn guichet_binary(root: &Path) -> Result<PathBuf, String> {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let path = target.join("release/guichet");
    if !path.exists() {
        println!(
            "pty bench: {} missing, cargo build --release",
            path.display()
        );
        let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args(["build", "--release", "--bin", "guichet"])
            .current_dir(root)
            .status()
            .map_err(|e| format!("cargo could not be run: {e}"))?;
        if !status.success() || !path.exists() {
            return Err(format!("cargo build --release failed ({status})"));
        }
    }
    Ok(path)
}

/// Builds the floor into `target/bare-tui` (not into `shared/`), with its own lock file
/// untouched. An error says why it was skipped.
fn build_bare(root: &Path, bare_dir: &Path) -> Result<PathBuf, String> {
    let manifest = bare_dir.join("Cargo.toml");
    if !manifest.exists() {
        return Err(format!("{} not found", manifest.display()));
    }
    let shared_target = bare_dir.join("target");
    let had_shared_target = shared_target.exists();
    let target_dir = root.join("target/bare-tui");
    println!(
        "\nbare-tui floor: cargo build --release (into {})",
        target_dir.display()
    );
    let out = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args([
            "build",
            "--release",
            "--locked",
            "--quiet",
            "--manifest-path",
        ])
        .arg(&manifest)
        .arg("--target-dir")
        .arg(&target_dir)
        .output();
    // Nothing of the build may stay in shared/.
    if !had_shared_target && shared_target.exists() {
        let _ = std::fs::remove_dir_all(&shared_target);
    }
    let out = out.map_err(|e| format!("cargo could not be run: {e}"))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let tail: Vec<&str> = err.lines().rev().take(3).collect();
        return Err(format!(
            "cargo build failed: {}",
            tail.into_iter().rev().collect::<Vec<_>>().join(" / ")
        ));
    }
    let path = target_dir.join("release/bare-tui");
    if path.exists() {
        Ok(path)
    } else {
        Err(format!("{} not produced", path.display()))
    }
}

/// A tiny deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

/// `n` calls over the last three days, a third of them still open, written with the
/// library exactly as the console would.
fn fill_database(path: &Path, n: usize) -> Result<(), Box<dyn std::error::Error>> {
    const FIRST: &[&str] = &[
        "Marie-Claire",
        "Jean-Baptiste",
        "Zoé",
        "Anne",
        "Éloïse",
        "François",
        "Mathieu",
        "Nadia",
        "Karim",
        "Sophie",
        "Hélène",
        "Thierry",
        "Céline",
        "Yannick",
        "Agnès",
        "Loïc",
    ];
    const LAST: &[&str] = &[
        "Lefèvre",
        "Martin",
        "Çelik",
        "Le Gall-N'Diaye",
        "Dupont",
        "Bernard",
        "Moreau",
        "Lefebvre",
        "Girard",
        "Rousseau",
        "Benali",
        "Fournier",
        "Lemaître",
        "Marchand",
    ];
    const PLACES: &[(&str, &str)] = &[
        ("mi", "noemi"),
        ("mi", "pc-pro"),
        ("mi", "span"),
        ("acn-caen", "pc-pro"),
        ("acn-caen", "copier"),
        ("acn-rouen", "pc-perso"),
        ("mtes", "smartphone-pro"),
        ("social-direccte", "ip-phone"),
        ("gip-tn", "usb-media"),
    ];
    const SUMMARIES: &[&str] = &[
        "carte agent oubliée, NOEMI en veille",
        "mot de passe CRYHOD refusé trois fois",
        "VPN : icône bleue, ne se connecte pas",
        "imprimante bloquée au bureau 204",
        "clé USB chiffrée BitLocker illisible",
        "code de télémaintenance demandé",
        "lecteur réseau U: introuvable",
        "renvoi d'appel XiVO à programmer",
        "poste éteint tout seul le soir",
        "compte COMU bloqué après congés",
    ];
    const OPERATORS: &[&str] = &[OPERATOR, "dupontje", "martinc"];

    let reference = embedded_reference();
    let mut store = Store::open(path)?;
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let now = Utc::now();
    for i in 0..n {
        let (service, device) = PLACES[(rng.next() % PLACES.len() as u64) as usize];
        let operator = rng.pick(OPERATORS);
        let at = now - Minutes::minutes(20 * (n - i) as i64);
        let phone = if rng.next() % 3 == 0 {
            String::new()
        } else {
            format!(
                "0{} {:02} {:02} {:02} {:02}",
                1 + rng.next() % 7,
                rng.next() % 100,
                rng.next() % 100,
                rng.next() % 100,
                rng.next() % 100
            )
        };
        let new = CallDraft {
            caller_name: format!("{} {}", rng.pick(FIRST), rng.pick(LAST)),
            caller_phone: phone,
            service: service.into(),
            device: device.into(),
            summary: rng.pick(SUMMARIES).into(),
            ..CallDraft::default()
        }
        .validate(&reference, operator, at)?;
        let call = store.insert_call(&new)?;
        if i % 3 != 0 {
            let outcome = Outcome::ALL[(rng.next() % Outcome::ALL.len() as u64) as usize];
            store.close_call(
                call.reference,
                operator,
                at + Minutes::minutes(9),
                outcome,
                None,
            )?;
        }
    }
    drop(store);
    Ok(())
}

fn measure(program: &Program, scenario: &Scenario, runs: usize, dir: &Path) -> Samples {
    let mut samples = Samples::default();
    for run in 0..runs {
        let env = match environment(
            program,
            dir,
            &format!("{}-{}-{run}", program.label, scenario.name),
        ) {
            Ok(env) => env,
            Err(e) => {
                eprintln!("pty bench: run environment: {e}");
                continue;
            }
        };
        if let Err(e) = one_run(program, scenario, &env, &mut samples) {
            eprintln!(
                "pty bench: {} {} run {run}: {e}",
                program.label, scenario.name
            );
        }
    }
    samples
}

/// The child's whole environment (nothing inherited).
fn environment(program: &Program, dir: &Path, tag: &str) -> std::io::Result<Vec<(String, String)>> {
    let mut env = vec![("TERM".to_string(), "xterm-256color".to_string())];
    if let Some(template) = &program.template_db {
        let run_dir = dir.join(tag);
        std::fs::create_dir_all(run_dir.join("config"))?;
        std::fs::create_dir_all(run_dir.join("data"))?;
        let db = run_dir.join("guichet.db");
        std::fs::copy(template, &db)?;
        let s = |p: &Path| p.to_string_lossy().into_owned();
        env.push(("GUICHET_DB".into(), s(&db)));
        env.push(("GUICHET_OPERATOR".into(), OPERATOR.into()));
        env.push(("XDG_CONFIG_HOME".into(), s(&run_dir.join("config"))));
        env.push(("XDG_DATA_HOME".into(), s(&run_dir.join("data"))));
        env.push(("HOME".into(), s(&run_dir)));
    }
    Ok(env)
}

fn one_run(
    program: &Program,
    scenario: &Scenario,
    env: &[(String, String)],
    samples: &mut Samples,
) -> std::io::Result<()> {
    let t0 = Instant::now();
    let mut child = pty::Child::spawn(&program.path, &[], env, COLS, ROWS)?;
    // First paint.
    let marker = program.marker.as_bytes();
    let mut seen = Vec::new();
    let mut painted = None;
    while t0.elapsed() < FIRST_PAINT_LIMIT {
        match child.read(Duration::from_millis(50), &mut seen)? {
            pty::Read::Data(_) => {
                if contains(&seen, marker) {
                    painted = Some(t0.elapsed());
                    break;
                }
            }
            pty::Read::Timeout => {}
            pty::Read::Eof => break,
        }
    }
    let Some(first_paint) = painted else {
        samples.missing_paint += 1;
        finish(&mut child, program.quit, samples);
        return Err(std::io::Error::other(format!(
            "no first paint ({:?} not seen in {} bytes)",
            program.marker,
            seen.len()
        )));
    };
    samples.first_paint.push(first_paint);
    burst(&mut child, SETTLE, SETTLE)?;
    for key in scenario.preamble {
        away_from_the_clock(&mut child, samples)?;
        child.write_all(key)?;
        burst(&mut child, SETTLE, RESPONSE_LIMIT)?;
    }
    let mut buf = [0u8; 4];
    for c in scenario.text.chars() {
        away_from_the_clock(&mut child, samples)?;
        let sent = Instant::now();
        child.write_all(c.encode_utf8(&mut buf).as_bytes())?;
        let b = burst(&mut child, QUIET, RESPONSE_LIMIT)?;
        samples.bytes.push(b.bytes);
        match (b.first, b.last) {
            (Some(first), Some(last)) => {
                samples.first_byte.push(first - sent);
                samples.latency.push(last - sent);
            }
            _ => samples.silent_keys += 1,
        }
    }
    finish(&mut child, program.quit, samples);
    Ok(())
}

/// Quits with the program's own key; SIGTERM then SIGKILL if it lingers. Always reaps.
fn finish(child: &mut pty::Child, quit: &[u8], samples: &mut Samples) {
    let _ = child.write_all(quit);
    let ending = match child.wait_draining(EXIT_LIMIT) {
        Some(status) => pty::describe(status),
        None => {
            child.signal(libc::SIGTERM);
            match child.wait_draining(EXIT_LIMIT) {
                Some(status) => format!("{} after SIGTERM", pty::describe(status)),
                None => {
                    child.signal(libc::SIGKILL);
                    format!("{} after SIGKILL", pty::describe(child.wait_blocking()))
                }
            }
        }
    };
    samples.endings.push(ending);
}

/// Waits, when needed, until the wall clock is inside the sending window, and takes any
/// clock frame written meanwhile out of the way.
fn away_from_the_clock(child: &mut pty::Child, samples: &mut Samples) -> std::io::Result<()> {
    loop {
        let ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.subsec_millis())
            .unwrap_or(500);
        if ms < SEND_WINDOW_MS.0 {
            std::thread::sleep(Duration::from_millis(u64::from(SEND_WINDOW_MS.0 - ms)));
        } else if ms > SEND_WINDOW_MS.1 {
            std::thread::sleep(Duration::from_millis(u64::from(
                1000 - ms + SEND_WINDOW_MS.0,
            )));
        }
        // Whatever is pending now was not asked for by a key.
        let b = burst(child, QUIET, Duration::ZERO)?;
        if b.bytes == 0 {
            return Ok(());
        }
        samples.clock_frames.push(b.bytes);
    }
}

struct Burst {
    bytes: usize,
    first: Option<Instant>,
    last: Option<Instant>,
}

/// Reads until `quiet` passes without a byte, waiting up to `first_limit` for the first one.
fn burst(child: &mut pty::Child, quiet: Duration, first_limit: Duration) -> std::io::Result<Burst> {
    let start = Instant::now();
    let mut out = Burst {
        bytes: 0,
        first: None,
        last: None,
    };
    let mut sink = Vec::new();
    loop {
        let wait = match out.last {
            None => first_limit.saturating_sub(start.elapsed()),
            Some(last) => quiet.saturating_sub(last.elapsed()),
        };
        if start.elapsed() > BURST_LIMIT {
            return Ok(out);
        }
        sink.clear();
        match child.read(wait, &mut sink)? {
            pty::Read::Data(n) => {
                let now = Instant::now();
                out.first.get_or_insert(now);
                out.last = Some(now);
                out.bytes += n;
            }
            pty::Read::Timeout | pty::Read::Eof => return Ok(out),
        }
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn median<T: Copy + Ord>(v: &[T]) -> Option<T> {
    let mut s = v.to_vec();
    s.sort();
    s.get(s.len() / 2).copied()
}

/// Nearest rank, as `pty_latency.py` computes it.
fn quantile<T: Copy + Ord>(v: &[T], p: f64) -> Option<T> {
    let mut s = v.to_vec();
    s.sort();
    if s.is_empty() {
        return None;
    }
    let i = ((p * s.len() as f64) as usize).min(s.len() - 1);
    Some(s[i])
}

fn ms(d: Option<Duration>) -> String {
    d.map(|d| format!("{:.2}", d.as_secs_f64() * 1e3))
        .unwrap_or_else(|| "-".into())
}

fn n(v: Option<usize>) -> String {
    v.map(|v| v.to_string()).unwrap_or_else(|| "-".into())
}

fn report(program: &Program, scenario: &Scenario, s: &Samples) {
    println!(
        "\n{} · {} ({} then {:?}, {} chars): {} keys over {} runs",
        program.label,
        scenario.name,
        scenario.preamble_label,
        scenario.text,
        scenario.text.chars().count(),
        s.bytes.len(),
        s.first_paint.len() + s.missing_paint
    );
    println!(
        "  first paint ms    median {:>8}  max {:>8}{}",
        ms(median(&s.first_paint)),
        ms(s.first_paint.iter().max().copied()),
        if s.missing_paint > 0 {
            format!("  ({} runs without a first paint)", s.missing_paint)
        } else {
            String::new()
        }
    );
    println!(
        "  bytes per key     median {:>8}  p99 {:>8}  max {:>8}",
        n(median(&s.bytes)),
        n(quantile(&s.bytes, 0.99)),
        n(s.bytes.iter().max().copied())
    );
    println!(
        "  key to quiet ms   median {:>8}  p99 {:>8}  max {:>8}   (key written -> last byte)",
        ms(median(&s.latency)),
        ms(quantile(&s.latency, 0.99)),
        ms(s.latency.iter().max().copied())
    );
    println!(
        "  key to 1st byte   median {:>8}  p99 {:>8}  max {:>8}",
        ms(median(&s.first_byte)),
        ms(quantile(&s.first_byte, 0.99)),
        ms(s.first_byte.iter().max().copied())
    );
    if s.silent_keys > 0 {
        println!(
            "  {} keys wrote nothing within {:?} (counted as 0 bytes)",
            s.silent_keys, RESPONSE_LIMIT
        );
    }
    if !s.clock_frames.is_empty() {
        println!(
            "  clock frames (not counted): {}, median {} bytes",
            s.clock_frames.len(),
            n(median(&s.clock_frames))
        );
    }
    let mut endings = s.endings.clone();
    endings.sort();
    endings.dedup();
    println!("  ended: {}", endings.join(", "));
}

fn compare(guichet: &[Samples], floor: &[Samples]) {
    println!("\ncomparison with the bare ratatui floor (medians)");
    println!(
        "  {:<8} {:>16} {:>16} {:>20} {:>20}",
        "", "first paint ms", "", "bytes per key", "key to quiet ms"
    );
    println!(
        "  {:<8} {:>8} {:>7} {:>10} {:>9} {:>10} {:>9}",
        "scenario", "guichet", "bare", "guichet", "bare", "guichet", "bare"
    );
    for ((scenario, g), b) in SCENARIOS.iter().zip(guichet).zip(floor) {
        println!(
            "  {:<8} {:>8} {:>7} {:>10} {:>9} {:>10} {:>9}",
            scenario.name,
            ms(median(&g.first_paint)),
            ms(median(&b.first_paint)),
            n(median(&g.bytes)),
            n(median(&b.bytes)),
            ms(median(&g.latency)),
            ms(median(&b.latency)),
        );
        let ratio = |a: Option<f64>, b: Option<f64>| match (a, b) {
            (Some(a), Some(b)) if b > 0.0 => format!("x{:.1}", a / b),
            _ => "-".into(),
        };
        let secs = |d: Option<Duration>| d.map(|d| d.as_secs_f64());
        let bytes = |v: Option<usize>| v.map(|v| v as f64);
        println!(
            "  {:<8} {:>16} {:>20} {:>20}   (guichet / bare)",
            "",
            ratio(secs(median(&g.first_paint)), secs(median(&b.first_paint))),
            ratio(bytes(median(&g.bytes)), bytes(median(&b.bytes))),
            ratio(secs(median(&g.latency)), secs(median(&b.latency))),
        );
    }
}

/// A child in a pseudo-terminal, with libc only. The child is killed and reaped when the
/// guard drops, a panic included; the master side is closed with it.
mod pty {
    use std::ffi::{CString, c_char, c_int};
    use std::io;
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
    use std::os::unix::ffi::OsStrExt;
    use std::path::Path;
    use std::ptr;
    use std::time::{Duration, Instant};

    pub struct Child {
        master: OwnedFd,
        pid: libc::pid_t,
        status: Option<c_int>,
    }

    pub enum Read {
        Data(usize),
        Timeout,
        /// The terminal's other side is closed (the program and its children are gone).
        Eof,
    }

    fn check(r: c_int) -> io::Result<c_int> {
        if r == -1 {
            Err(io::Error::last_os_error())
        } else {
            Ok(r)
        }
    }

    fn cstring(bytes: &[u8]) -> io::Result<CString> {
        CString::new(bytes).map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))
    }

    impl Child {
        /// Runs `program` with exactly `env` on a new terminal of `cols` x `rows`, as the
        /// leader of its own session with that terminal as its controlling one.
        pub fn spawn(
            program: &Path,
            args: &[&str],
            env: &[(String, String)],
            cols: u16,
            rows: u16,
        ) -> io::Result<Child> {
            // Everything the child needs is allocated before fork: after it, only
            // async-signal-safe calls.
            let path = cstring(program.as_os_str().as_bytes())?;
            let mut argv_owned = vec![path.clone()];
            for a in args {
                argv_owned.push(cstring(a.as_bytes())?);
            }
            let env_owned = env
                .iter()
                .map(|(k, v)| cstring(format!("{k}={v}").as_bytes()))
                .collect::<io::Result<Vec<_>>>()?;
            let argv: Vec<*const c_char> = argv_owned
                .iter()
                .map(|c| c.as_ptr())
                .chain([ptr::null()])
                .collect();
            let envp: Vec<*const c_char> = env_owned
                .iter()
                .map(|c| c.as_ptr())
                .chain([ptr::null()])
                .collect();

            let size = libc::winsize {
                ws_row: rows,
                ws_col: cols,
                ws_xpixel: 0,
                ws_ypixel: 0,
            };
            let (mut m, mut s): (c_int, c_int) = (-1, -1);
            // SAFETY: the out-pointers are valid; a null name and termios are allowed.
            check(unsafe { libc::openpty(&mut m, &mut s, ptr::null_mut(), ptr::null(), &size) })?;
            // SAFETY: openpty just returned these two descriptors; nothing else owns them.
            let (master, slave) = unsafe { (OwnedFd::from_raw_fd(m), OwnedFd::from_raw_fd(s)) };
            for fd in [m, s] {
                // SAFETY: fcntl on a descriptor we own.
                check(unsafe { libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC) })?;
            }
            // SAFETY: TIOCSWINSZ reads a winsize, which `size` is.
            check(unsafe { libc::ioctl(m, libc::TIOCSWINSZ, &size) })?;

            // SAFETY: the child branch below only calls async-signal-safe functions and
            // ends in execve or _exit.
            let pid = unsafe { libc::fork() };
            if pid == -1 {
                return Err(io::Error::last_os_error());
            }
            if pid == 0 {
                // SAFETY: async-signal-safe calls on descriptors and memory prepared above.
                unsafe {
                    libc::setsid();
                    libc::ioctl(s, libc::TIOCSCTTY, 0);
                    libc::dup2(s, 0);
                    libc::dup2(s, 1);
                    libc::dup2(s, 2);
                    // A terminal program starts with default signals, whatever the parent.
                    for sig in [
                        libc::SIGHUP,
                        libc::SIGINT,
                        libc::SIGQUIT,
                        libc::SIGTERM,
                        libc::SIGPIPE,
                    ] {
                        libc::signal(sig, libc::SIG_DFL);
                    }
                    let mut set: libc::sigset_t = std::mem::zeroed();
                    libc::sigemptyset(&mut set);
                    libc::sigprocmask(libc::SIG_SETMASK, &set, ptr::null_mut());
                    // m and s are close-on-exec; 0, 1 and 2 are not.
                    libc::execve(path.as_ptr(), argv.as_ptr(), envp.as_ptr());
                    libc::_exit(127);
                }
            }
            drop(slave);
            // SAFETY: fcntl on the master we own.
            unsafe {
                let flags = check(libc::fcntl(m, libc::F_GETFL))?;
                check(libc::fcntl(m, libc::F_SETFL, flags | libc::O_NONBLOCK))?;
            }
            Ok(Child {
                master,
                pid,
                status: None,
            })
        }

        /// Waits up to `timeout` for output and appends what is there to `out`.
        pub fn read(&mut self, timeout: Duration, out: &mut Vec<u8>) -> io::Result<Read> {
            let fd = self.master.as_raw_fd();
            let mut pfd = libc::pollfd {
                fd,
                events: libc::POLLIN,
                revents: 0,
            };
            let ms = timeout.as_millis().min(i32::MAX as u128) as c_int;
            loop {
                // SAFETY: one valid pollfd.
                let r = unsafe { libc::poll(&mut pfd, 1, ms) };
                if r == -1 {
                    let e = io::Error::last_os_error();
                    if e.kind() == io::ErrorKind::Interrupted {
                        continue;
                    }
                    return Err(e);
                }
                if r == 0 {
                    return Ok(Read::Timeout);
                }
                break;
            }
            let mut buf = [0u8; 65536];
            loop {
                // SAFETY: reading into a buffer of the given length.
                let n = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) };
                if n > 0 {
                    out.extend_from_slice(&buf[..n as usize]);
                    return Ok(Read::Data(n as usize));
                }
                if n == 0 {
                    return Ok(Read::Eof);
                }
                let e = io::Error::last_os_error();
                match e.raw_os_error() {
                    Some(libc::EINTR) => continue,
                    Some(libc::EAGAIN) => return Ok(Read::Timeout),
                    // Linux: the slave side has no process left.
                    Some(libc::EIO) => return Ok(Read::Eof),
                    _ => return Err(e),
                }
            }
        }

        pub fn write_all(&mut self, mut bytes: &[u8]) -> io::Result<()> {
            let fd = self.master.as_raw_fd();
            let deadline = Instant::now() + Duration::from_secs(2);
            while !bytes.is_empty() {
                // SAFETY: writing from a valid slice.
                let n = unsafe { libc::write(fd, bytes.as_ptr().cast(), bytes.len()) };
                if n >= 0 {
                    bytes = &bytes[n as usize..];
                    continue;
                }
                let e = io::Error::last_os_error();
                match e.raw_os_error() {
                    Some(libc::EINTR) => {}
                    Some(libc::EAGAIN) if Instant::now() < deadline => {
                        // The program is not reading: drain its output meanwhile.
                        self.read(Duration::from_millis(5), &mut Vec::new())?;
                    }
                    _ => return Err(e),
                }
            }
            Ok(())
        }

        pub fn signal(&self, sig: c_int) {
            if self.status.is_none() {
                // SAFETY: our own unreaped child: the pid cannot have been reused.
                unsafe {
                    libc::kill(self.pid, sig);
                }
            }
        }

        pub fn try_wait(&mut self) -> Option<c_int> {
            if self.status.is_none() {
                let mut st = 0;
                // SAFETY: waitpid on our own child.
                if unsafe { libc::waitpid(self.pid, &mut st, libc::WNOHANG) } == self.pid {
                    self.status = Some(st);
                }
            }
            self.status
        }

        /// Waits up to `limit` for the exit, reading (and dropping) the output meanwhile so
        /// that the program never blocks on a full terminal.
        pub fn wait_draining(&mut self, limit: Duration) -> Option<c_int> {
            let start = Instant::now();
            while start.elapsed() < limit {
                if let Some(st) = self.try_wait() {
                    return Some(st);
                }
                match self.read(Duration::from_millis(10), &mut Vec::new()) {
                    Ok(Read::Eof) | Err(_) => std::thread::sleep(Duration::from_millis(5)),
                    _ => {}
                }
            }
            self.try_wait()
        }

        pub fn wait_blocking(&mut self) -> c_int {
            if let Some(st) = self.status {
                return st;
            }
            let mut st = 0;
            loop {
                // SAFETY: waitpid on our own child.
                let r = unsafe { libc::waitpid(self.pid, &mut st, 0) };
                if r == self.pid || io::Error::last_os_error().raw_os_error() != Some(libc::EINTR) {
                    break;
                }
            }
            self.status = Some(st);
            st
        }
    }

    impl Drop for Child {
        fn drop(&mut self) {
            if self.try_wait().is_none() {
                self.signal(libc::SIGKILL);
                self.wait_blocking();
            }
        }
    }

    /// `exit N` or `signal N`.
    pub fn describe(status: c_int) -> String {
        if libc::WIFEXITED(status) {
            format!("exit {}", libc::WEXITSTATUS(status))
        } else if libc::WIFSIGNALED(status) {
            format!("signal {}", libc::WTERMSIG(status))
        } else {
            format!("status {status:#x}")
        }
    }
}
