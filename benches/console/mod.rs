//! Measuring the console as the operator's terminal sees it, shared by `benches/pty.rs`
//! and `benches/growth.rs`: the real release binary (and the bare ratatui floor) in a real
//! pseudo-terminal of 80x24 (`tests/integration/common/pty.rs`), its output kept on a
//! virtual screen (`screen.rs`).
//!
//! A key's latency runs from the key written to the end of the first frame that shows its
//! result on the screen: for typed text, the field holding the text typed so far (its last
//! characters, the field's cursor right after them). However late that frame comes, it is
//! waited for; the next key is sent only then. A key whose result is not on the screen after
//! the deadline (10 s, `GUICHET_BENCH_KEY_DEADLINE_S`) fails the run, loudly, and counts
//! as at least that long.

pub mod screen;

use crate::datagen;
use crate::pty;
use chrono::{DateTime, Utc};
use guichet::catalog::embedded_reference;
use guichet::catalog::procedures::{Catalog, embedded, load_dir};
use guichet::domain::text::fold;
use guichet::store::{LATEST_VERSION, Store};
use screen::Screen;
use std::error::Error;
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

pub type Res<T> = Result<T, Box<dyn Error>>;

pub const COLS: u16 = 80;
pub const ROWS: u16 = 24;
/// The console's operator in every run: one of the generated desk's.
pub const OPERATOR: &str = "mdupont";
pub const SEED: u64 = 20_250_101;
/// Keys away from the clock are sent in this part of the wall-clock second (ms): the
/// console redraws its clock (and saves the draft) on the whole second.
const SEND_WINDOW_MS: (u32, u32) = (50, 850);
/// Before a key, the output must have been quiet this long (nothing left of the last
/// frame).
const QUIET: Duration = Duration::from_millis(15);
/// After first paint and each key of a preamble.
const SETTLE: Duration = Duration::from_millis(150);
/// How many of the last typed characters must be on the screen, at the field's cursor.
const TAIL: usize = 12;
/// The summary typed in the new-call form: 48 keys, each one a procedure search.
pub const SUMMARY: &str = "carte agent perdue, noemi bloque depuis ce matin";

pub fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().replace('_', "").parse().ok())
        .unwrap_or(default)
}

pub fn key_deadline() -> Duration {
    Duration::from_secs(env_usize("GUICHET_BENCH_KEY_DEADLINE_S", 10) as u64)
}

pub fn paint_deadline() -> Duration {
    Duration::from_secs(env_usize("GUICHET_BENCH_PAINT_DEADLINE_S", 60) as u64)
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

// ---------------------------------------------------------------------------------------
// Programs

/// A program under measurement.
#[derive(Debug, Clone)]
pub struct Program {
    pub label: String,
    pub path: PathBuf,
    pub args: Vec<String>,
    /// The child's whole environment (nothing inherited).
    pub env: Vec<(String, String)>,
    /// Text on the first frame.
    pub marker: &'static str,
    /// Bytes that make it quit cleanly.
    pub quit: &'static [u8],
    /// Its text fields draw their cursor as a cell in reverse video after the text
    /// (guichet's do; bare-tui draws none).
    pub cursor: bool,
    /// The database a run may leave a draft in, emptied of drafts after each run so that
    /// the next one starts the same.
    pub db: Option<PathBuf>,
}

/// `target/release/guichet`, built when missing; `GUICHET_BENCH_GUICHET` names another
/// binary (a build of an earlier commit, to measure before and after in one bench).
pub fn guichet_binary() -> Res<PathBuf> {
    if let Some(path) = std::env::var_os("GUICHET_BENCH_GUICHET") {
        return Ok(PathBuf::from(path));
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let path = target.join("release/guichet");
    if !path.exists() {
        println!("{} missing: cargo build --release", path.display());
        let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args(["build", "--release", "--bin", "guichet"])
            .current_dir(root)
            .status()?;
        if !status.success() || !path.exists() {
            return Err(format!("cargo build --release failed ({status})").into());
        }
    }
    Ok(path)
}

/// The floor: `../shared/tools/bare-tui` copied into `target/bare-tui` (shared/ is
/// read-only and the floor has no Cargo.lock) and built there with `cargo build
/// --release`.
pub fn bare_binary() -> Res<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let source = root.join("../shared/tools/bare-tui");
    if !source.join("Cargo.toml").exists() {
        return Err(format!("{} not found", source.join("Cargo.toml").display()).into());
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let copy = target.join("bare-tui");
    std::fs::create_dir_all(copy.join("src"))?;
    // Copied only when changed: a fresh copy's time would make cargo build it again.
    let refresh = |from: &Path, to: &Path| -> io::Result<()> {
        if std::fs::read(to).ok() != Some(std::fs::read(from)?) {
            std::fs::copy(from, to)?;
        }
        Ok(())
    };
    refresh(&source.join("Cargo.toml"), &copy.join("Cargo.toml"))?;
    for entry in std::fs::read_dir(source.join("src"))? {
        let entry = entry?;
        refresh(&entry.path(), &copy.join("src").join(entry.file_name()))?;
    }
    let out = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["build", "--release", "--quiet", "--manifest-path"])
        .arg(copy.join("Cargo.toml"))
        .env_remove("CARGO_TARGET_DIR")
        .output()?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let tail: Vec<&str> = err.lines().rev().take(3).collect();
        return Err(format!(
            "cargo build --release in {} failed: {}",
            copy.display(),
            tail.into_iter().rev().collect::<Vec<_>>().join(" / ")
        )
        .into());
    }
    let path = copy.join("target/release/bare-tui");
    if !path.exists() {
        return Err(format!("{} not produced", path.display()).into());
    }
    Ok(path)
}

/// A home of its own for the consoles of a bench (configuration, data).
pub fn home() -> Res<tempfile::TempDir> {
    let dir = tempfile::Builder::new().prefix("guichet-bench").tempdir()?;
    std::fs::create_dir_all(dir.path().join("config"))?;
    std::fs::create_dir_all(dir.path().join("data"))?;
    Ok(dir)
}

/// guichet on the database `db`, with the catalogue folder `catalog` (none: the 40
/// embedded procedures).
pub fn guichet(
    label: &str,
    path: &Path,
    db: &Path,
    catalog: Option<&Path>,
    home: &Path,
) -> Program {
    let s = |p: &Path| p.to_string_lossy().into_owned();
    Program {
        label: label.to_string(),
        path: path.to_path_buf(),
        args: catalog
            .map(|c| vec!["--catalog".to_string(), s(c)])
            .unwrap_or_default(),
        env: vec![
            ("TERM".into(), "xterm-256color".into()),
            ("GUICHET_DB".into(), s(db)),
            ("GUICHET_OPERATOR".into(), OPERATOR.into()),
            ("XDG_CONFIG_HOME".into(), s(&home.join("config"))),
            ("XDG_DATA_HOME".into(), s(&home.join("data"))),
            ("HOME".into(), s(home)),
        ],
        marker: "guichet ·",
        quit: b"\x03",
        cursor: true,
        db: Some(db.to_path_buf()),
    }
}

pub fn bare(path: &Path) -> Program {
    Program {
        label: "bare-tui".into(),
        path: path.to_path_buf(),
        args: Vec::new(),
        env: vec![("TERM".into(), "xterm-256color".into())],
        marker: "guichet-bare",
        quit: b"\x1b",
        cursor: false,
        db: None,
    }
}

// ---------------------------------------------------------------------------------------
// Scenarios

/// When a typed key is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// 50–850 ms past a whole second: no clock frame, no draft commit.
    Away,
    /// 0–10 ms past a whole second, while the console redraws its clock and commits the
    /// draft typed so far.
    AtCommit,
}

#[derive(Debug, Clone)]
pub struct Scenario {
    pub name: &'static str,
    /// Keys sent one at a time after first paint, each waited for (the text it brings on
    /// the screen, or one frame), not measured.
    pub preamble: Vec<(&'static [u8], Option<&'static str>)>,
    /// The label on the typed field's row, before the text.
    pub anchor: Option<&'static str>,
    /// Typed one key at a time, each measured.
    pub text: String,
    /// Every `commit_every`-th key is sent at the draft commit (0: none).
    pub commit_every: usize,
    /// How long the output is read, unmeasured, after the preamble and before the first
    /// typed key: work done once at start (the catalogue loaded) is not charged to the
    /// keys (steady state).
    pub settle: Duration,
}

pub const F2: &[u8] = b"\x1bOQ";
pub const TAB: &[u8] = b"\t";

/// `/` then a caller's name, on the open calls.
pub fn search_open(name: &str) -> Scenario {
    Scenario {
        name: "search-open",
        preamble: vec![(b"/", Some("Recherche :"))],
        anchor: Some("Recherche :"),
        text: name.to_string(),
        commit_every: 0,
        settle: Duration::ZERO,
    }
}

/// `t` (every call), `/`, then a caller's name.
pub fn search_all(name: &str) -> Scenario {
    Scenario {
        name: "search-all",
        preamble: vec![(b"t", Some("Appels · tous")), (b"/", Some("Recherche :"))],
        anchor: Some("Recherche :"),
        text: name.to_string(),
        commit_every: 0,
        settle: Duration::ZERO,
    }
}

/// `F2`, five `Tab`s to the summary, then [`SUMMARY`]; every fourth key at the commit.
pub fn summary() -> Scenario {
    Scenario {
        name: "summary",
        preamble: vec![
            (F2, Some("Nouvel appel")),
            (TAB, None),
            (TAB, None),
            (TAB, None),
            (TAB, None),
            (TAB, None),
        ],
        anchor: Some("Objet"),
        text: SUMMARY.to_string(),
        commit_every: 4,
        settle: Duration::ZERO,
    }
}

/// The same typing on the floor, which has one field and no preamble.
pub fn on_floor(s: &Scenario) -> Scenario {
    Scenario {
        name: s.name,
        preamble: Vec::new(),
        anchor: None,
        text: s.text.clone(),
        commit_every: s.commit_every,
        settle: s.settle,
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Key {
    pub latency: Duration,
    pub bytes: usize,
    pub frames: u64,
    pub when: When,
    /// Not on the screen by the deadline: `latency` is the deadline, a lower bound.
    pub late: bool,
}

#[derive(Debug, Clone, Default)]
pub struct Run {
    pub first_paint: Option<Duration>,
    pub keys: Vec<Key>,
    /// VmHWM after the last key.
    pub peak: Option<u64>,
    pub ending: String,
    pub failure: Option<String>,
}

struct Seen {
    at: Instant,
    bytes: usize,
    frames: u64,
}

/// A running program, its screen, and the bytes read past the last frame looked at.
struct Session {
    child: pty::Child,
    screen: Screen,
    leftover: Vec<u8>,
}

impl Session {
    /// `program` started on a new pseudo-terminal of 80x24, its screen blank.
    fn start(program: &Program) -> io::Result<Session> {
        let args: Vec<&str> = program.args.iter().map(String::as_str).collect();
        Ok(Session {
            child: pty::Child::spawn(&program.path, &args, &program.env, COLS, ROWS)?,
            screen: Screen::new(COLS, ROWS),
            leftover: Vec::new(),
        })
    }

    /// Reads until a frame ends with `done` true of the screen, for up to `limit`: when it
    /// arrived, and the bytes and frames read until then.
    fn wait_frame(
        &mut self,
        limit: Duration,
        done: &dyn Fn(&Screen) -> bool,
    ) -> io::Result<Option<Seen>> {
        let start = Instant::now();
        let frames0 = self.screen.frames;
        let mut bytes = 0;
        let mut chunk = std::mem::take(&mut self.leftover);
        let mut arrived = Instant::now();
        loop {
            let mut off = 0;
            while off < chunk.len() {
                let (n, ended) = self.screen.feed(&chunk[off..]);
                off += n;
                bytes += n;
                if ended && done(&self.screen) {
                    self.leftover = chunk[off..].to_vec();
                    return Ok(Some(Seen {
                        at: arrived,
                        bytes,
                        frames: self.screen.frames - frames0,
                    }));
                }
            }
            chunk.clear();
            let left = limit.saturating_sub(start.elapsed());
            if left.is_zero() {
                return Ok(None);
            }
            match self.child.read(left, &mut chunk)? {
                pty::Read::Data(_) => arrived = Instant::now(),
                pty::Read::Timeout => {}
                pty::Read::Eof => {
                    return Err(io::Error::other(format!(
                        "the program ended ({})",
                        self.child.describe()
                    )));
                }
            }
        }
    }

    /// Reads until nothing came for `quiet`; returns the bytes read. A program that never
    /// stops writing fails after the key deadline.
    fn drain(&mut self, quiet: Duration) -> io::Result<usize> {
        let mut chunk = std::mem::take(&mut self.leftover);
        let mut total = 0;
        let start = Instant::now();
        loop {
            if start.elapsed() > key_deadline() {
                return Err(io::Error::other(format!(
                    "the output never went quiet for {quiet:?} in {:?}",
                    key_deadline()
                )));
            }
            let mut off = 0;
            while off < chunk.len() {
                off += self.screen.feed(&chunk[off..]).0;
            }
            total += chunk.len();
            chunk.clear();
            match self.child.read(quiet, &mut chunk)? {
                pty::Read::Data(_) => {}
                pty::Read::Timeout => return Ok(total),
                pty::Read::Eof => return Err(io::Error::other("the program ended")),
            }
        }
    }

    /// Waits until the wall clock is in the sending window, with the output quiet.
    fn away_from_second(&mut self) -> io::Result<()> {
        loop {
            let ms = millis_past_second();
            if ms < SEND_WINDOW_MS.0 {
                std::thread::sleep(Duration::from_millis(u64::from(SEND_WINDOW_MS.0 - ms)));
            } else if ms > SEND_WINDOW_MS.1 {
                std::thread::sleep(Duration::from_millis(u64::from(
                    1000 - ms + SEND_WINDOW_MS.0,
                )));
            }
            self.drain(QUIET)?;
            let ms = millis_past_second();
            if (SEND_WINDOW_MS.0..=SEND_WINDOW_MS.1).contains(&ms) {
                return Ok(());
            }
        }
    }

    /// Waits until `offset` ms past the next whole second (the output quiet before it).
    fn at_the_second(&mut self, offset: u32) -> io::Result<()> {
        let ms = millis_past_second();
        if ms < 900 {
            std::thread::sleep(Duration::from_millis(u64::from(900 - ms)));
        }
        self.drain(QUIET)?;
        let ms = millis_past_second();
        let wait = if ms >= 900 {
            1000 - ms + offset
        } else {
            // The drain ran past the second: wait for the next one.
            2000 - ms + offset
        };
        std::thread::sleep(Duration::from_millis(u64::from(wait)));
        Ok(())
    }

    /// Quits ([`Session::finish`]) and empties the run's database of the draft it left, so
    /// that the next run starts the same: how the program ended. A draft not cleared fails
    /// the run (`failure`).
    fn close(self, program: &Program, failure: &mut Option<String>) -> String {
        let ending = self.finish(program.quit);
        if let Some(db) = &program.db
            && let Err(e) = clear_drafts(db)
        {
            failure.get_or_insert(format!("drafts not cleared: {e}"));
        }
        ending
    }

    /// Quits with the program's own key; SIGTERM then SIGKILL if it lingers. Always reaps.
    fn finish(mut self, quit: &[u8]) -> String {
        let _ = self.child.write_all(quit);
        match self.child.wait_draining(Duration::from_secs(5)) {
            Some(status) => pty::describe(status),
            None => {
                self.child.signal(libc::SIGTERM);
                match self.child.wait_draining(Duration::from_secs(2)) {
                    Some(status) => format!("{} after SIGTERM", pty::describe(status)),
                    None => {
                        self.child.signal(libc::SIGKILL);
                        format!(
                            "{} after SIGKILL",
                            pty::describe(self.child.wait_blocking())
                        )
                    }
                }
            }
        }
    }
}

fn millis_past_second() -> u32 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_millis())
        .unwrap_or(500)
}

fn tail(text: &str, n: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    chars[chars.len().saturating_sub(n)..].iter().collect()
}

/// One run: start, first paint, the preamble, the text key by key, peak memory, quit.
pub fn run(program: &Program, scenario: &Scenario) -> Run {
    let mut out = Run::default();
    let t0 = Instant::now();
    let mut s = match Session::start(program) {
        Ok(s) => s,
        Err(e) => {
            out.failure = Some(format!("spawn: {e}"));
            return out;
        }
    };
    let failure = drive(program, scenario, &mut s, t0, &mut out);
    out.peak = s.child.peak_memory();
    if std::env::var_os("GUICHET_BENCH_SHOW").is_some() {
        println!(
            "-- {} · {}: the screen after the last key --\n{}",
            program.label,
            scenario.name,
            s.screen.text()
        );
    }
    if std::env::var_os("GUICHET_BENCH_KEYS").is_some() {
        // Each key's latency in order: whether the slow ones come at a pattern (the
        // draft committed every fourth key, a worker's wake-up) or at random.
        let each: Vec<String> = out
            .keys
            .iter()
            .map(|k| format!("{:.2}", k.latency.as_secs_f64() * 1000.0))
            .collect();
        println!(
            "keys {} · {} (ms): {}",
            program.label,
            scenario.name,
            each.join(" ")
        );
    }
    out.failure = failure;
    out.ending = s.close(program, &mut out.failure);
    out
}

fn drive(
    program: &Program,
    scenario: &Scenario,
    s: &mut Session,
    t0: Instant,
    out: &mut Run,
) -> Option<String> {
    let marker = program.marker;
    match s.wait_frame(paint_deadline(), &|sc| sc.contains(marker)) {
        Ok(Some(seen)) => out.first_paint = Some(seen.at - t0),
        Ok(None) => {
            return Some(format!(
                "no first paint ({marker:?} not on the screen) after {:?}; screen:\n{}",
                paint_deadline(),
                s.screen.text()
            ));
        }
        Err(e) => return Some(format!("before first paint: {e}")),
    }
    if let Err(e) = s.drain(SETTLE) {
        return Some(e.to_string());
    }
    let deadline = key_deadline();
    for (key, expect) in &scenario.preamble {
        if let Err(e) = s.drain(QUIET).and_then(|_| s.child.write_all(key)) {
            return Some(e.to_string());
        }
        let done = |sc: &Screen| expect.is_none_or(|t| sc.contains(t));
        match s.wait_frame(deadline, &done) {
            Ok(Some(_)) => {}
            Ok(None) => {
                return Some(format!(
                    "preamble key {:?}: {:?} not on the screen after {deadline:?}; screen:\n{}",
                    String::from_utf8_lossy(key),
                    expect,
                    s.screen.text()
                ));
            }
            Err(e) => return Some(e.to_string()),
        }
        if let Err(e) = s.drain(SETTLE) {
            return Some(e.to_string());
        }
    }
    if !scenario.settle.is_zero() {
        // Read (and drawn on the virtual screen) all the while: a console never waits on
        // a full terminal.
        if let Err(e) = s.wait_frame(scenario.settle, &|_| false) {
            return Some(e.to_string());
        }
    }
    let mut typed = String::new();
    let mut buf = [0u8; 4];
    for (i, c) in scenario.text.chars().enumerate() {
        let when = if scenario.commit_every > 0
            && i % scenario.commit_every == scenario.commit_every - 1
        {
            When::AtCommit
        } else {
            When::Away
        };
        let ready = match when {
            When::Away => s.away_from_second(),
            When::AtCommit => s.at_the_second((i as u32 * 3) % 11),
        };
        if let Err(e) = ready {
            return Some(e.to_string());
        }
        typed.push(c);
        let want = tail(&typed, TAIL);
        let want = if program.cursor {
            want
        } else {
            want.trim_end().to_string()
        };
        let anchor = scenario.anchor;
        let cursor = program.cursor;
        let sent = Instant::now();
        if let Err(e) = s.child.write_all(c.encode_utf8(&mut buf).as_bytes()) {
            return Some(e.to_string());
        }
        match s.wait_frame(deadline, &|sc| sc.shows_typed(anchor, &want, cursor)) {
            Ok(Some(seen)) => out.keys.push(Key {
                latency: seen.at - sent,
                bytes: seen.bytes,
                frames: seen.frames,
                when,
                late: false,
            }),
            Ok(None) => {
                out.keys.push(Key {
                    latency: deadline,
                    bytes: 0,
                    frames: 0,
                    when,
                    late: true,
                });
                return Some(format!(
                    "key {i} ({c:?}) of {:?}: {want:?} not in the field after {deadline:?}; screen:\n{}",
                    scenario.text,
                    s.screen.text()
                ));
            }
            Err(e) => return Some(format!("key {i} ({c:?}): {e}")),
        }
    }
    None
}

/// F3, the procedures screen (the catalogue, from the call list).
pub const F3: &[u8] = b"\x1bOR";

/// How soon the procedures can be searched, from the start of the console.
#[derive(Debug, Clone, Default)]
pub struct Usable {
    pub first_paint: Option<Duration>,
    /// From the spawn until the procedures screen shows the result of the query.
    pub usable: Option<Duration>,
    /// The console's peak memory (VmHWM) when the result was shown.
    pub peak: Option<u64>,
    pub ending: String,
    pub failure: Option<String>,
}

/// The procedure list as an operator reaches for it on a console just started: F3, `/`
/// and `query` sent the moment the first frame is on the screen, all at once; the time from
/// the spawn until a frame shows `query` in the search field and `expect` (the top match's
/// title, or its beginning) in the list. The catalogue is loaded after the first frame: this
/// is when the console can be used for procedures. Fails after the paint deadline.
pub fn procedures_usable(program: &Program, query: &str, expect: &str) -> Usable {
    let mut out = Usable::default();
    let t0 = Instant::now();
    let mut s = match Session::start(program) {
        Ok(s) => s,
        Err(e) => {
            out.failure = Some(format!("spawn: {e}"));
            return out;
        }
    };
    let marker = program.marker;
    let failure = match s.wait_frame(paint_deadline(), &|sc| sc.contains(marker)) {
        Ok(Some(seen)) => {
            out.first_paint = Some(seen.at - t0);
            let mut keys = F3.to_vec();
            keys.push(b'/');
            keys.extend_from_slice(query.as_bytes());
            let cursor = program.cursor;
            let shown = |sc: &Screen| {
                sc.shows_typed(Some("Recherche :"), query, cursor) && sc.contains(expect)
            };
            match s.child.write_all(&keys) {
                Err(e) => Some(e.to_string()),
                Ok(()) => match s.wait_frame(paint_deadline(), &shown) {
                    Ok(Some(seen)) => {
                        out.usable = Some(seen.at - t0);
                        // What the start left behind is in the high-water mark; a moment
                        // more for the frames after the result.
                        let _ = s.drain(SETTLE);
                        out.peak = s.child.peak_memory();
                        None
                    }
                    Ok(None) => Some(format!(
                        "{expect:?} not listed for {query:?} after {:?}; screen:\n{}",
                        paint_deadline(),
                        s.screen.text()
                    )),
                    Err(e) => Some(e.to_string()),
                },
            }
        }
        Ok(None) => Some(format!(
            "no first paint ({marker:?} not on the screen) after {:?}",
            paint_deadline()
        )),
        Err(e) => Some(format!("before first paint: {e}")),
    };
    out.failure = failure;
    out.ending = s.close(program, &mut out.failure);
    out
}

/// The procedures screen's top match for `query` in the index of the database `db`, as
/// its list shows it (the first 40 characters of its title).
pub fn top_title(db: &Path, query: &str) -> Res<String> {
    let index = Store::open(db)?.load_search_index()?;
    let top = index.search(&guichet::store::ProcedureQuery {
        text: query,
        limit: 1,
        ..Default::default()
    });
    let title = &top
        .first()
        .ok_or(format!("no procedure for {query:?}"))?
        .title;
    Ok(title.chars().take(40).collect())
}

/// A change an author makes to a file of the console's `--catalog` folder: the file's new
/// text, and what the procedures screen lists once the console has read it.
#[derive(Debug, Clone)]
pub struct Edit {
    pub text: String,
    pub shows: String,
}

/// How soon a console shows the changes to a file of its `--catalog` folder.
#[derive(Debug, Clone, Default)]
pub struct FileChanges {
    /// For each edit, from the file written to the end of the first frame that shows it.
    pub seen: Vec<Option<Duration>>,
    pub ending: String,
    pub failure: Option<String>,
}

/// What an author does while a console on their `--catalog` folder shows the procedures
/// screen: see [`file_changes`].
#[derive(Debug, Clone)]
pub struct Authoring<'a> {
    /// Typed first, until the second is listed: the catalogue is loaded.
    pub ready: (&'a str, &'a str),
    /// Typed then (the field emptied before): it lists nothing yet.
    pub query: &'a str,
    pub file: &'a Path,
    pub edits: &'a [Edit],
    /// How long an edit may take to show: the run fails after.
    pub deadline: Duration,
}

/// A console on a `--catalog` folder, its procedures screen open (`F3`, `/`) on
/// `ready.0` until `ready.1` is listed (however long a start takes), then the search field
/// emptied (Ctrl-U) and `query` typed. Then each edit in turn is written to `file`, the
/// output quiet before, and timed until a frame shows its `shows`.
pub fn file_changes(program: &Program, authoring: &Authoring<'_>) -> FileChanges {
    let mut out = FileChanges::default();
    let mut s = match Session::start(program) {
        Ok(s) => s,
        Err(e) => {
            out.failure = Some(format!("spawn: {e}"));
            return out;
        }
    };
    out.failure = drive_changes(&mut s, program, authoring, &mut out.seen)
        .err()
        .map(|e| format!("{e}; screen:\n{}", s.screen.text()));
    out.ending = s.close(program, &mut out.failure);
    out
}

fn drive_changes(
    s: &mut Session,
    program: &Program,
    authoring: &Authoring<'_>,
    seen: &mut Vec<Option<Duration>>,
) -> io::Result<()> {
    let Authoring {
        ready,
        query,
        file,
        edits,
        deadline,
    } = *authoring;
    let marker = program.marker;
    let cursor = program.cursor;
    let wait = |s: &mut Session, limit: Duration, what: &str, done: &dyn Fn(&Screen) -> bool| {
        s.wait_frame(limit, done)?
            .ok_or_else(|| io::Error::other(format!("{what} not on the screen after {limit:?}")))
    };
    wait(s, paint_deadline(), "the first paint", &|sc| {
        sc.contains(marker)
    })?;
    let mut keys = F3.to_vec();
    keys.push(b'/');
    keys.extend_from_slice(ready.0.as_bytes());
    s.child.write_all(&keys)?;
    wait(s, paint_deadline(), ready.1, &|sc| {
        sc.shows_typed(Some("Recherche :"), ready.0, cursor) && sc.contains(ready.1)
    })?;
    let mut keys = vec![0x15];
    keys.extend_from_slice(query.as_bytes());
    s.child.write_all(&keys)?;
    wait(s, key_deadline(), "the query, nothing listed", &|sc| {
        sc.shows_typed(Some("Recherche :"), query, cursor) && sc.contains("Aucune procédure")
    })?;
    for edit in edits {
        s.drain(SETTLE)?;
        std::fs::write(file, &edit.text)?;
        let written = Instant::now();
        let shown = wait(s, deadline, &edit.shows, &|sc| sc.contains(&edit.shows))?;
        seen.push(Some(shown.at.saturating_duration_since(written)));
    }
    s.drain(SETTLE)?;
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Figures

pub fn quantile<T: Copy + Ord>(v: &[T], p: f64) -> Option<T> {
    let mut s = v.to_vec();
    s.sort();
    if s.is_empty() {
        return None;
    }
    let i = ((p * s.len() as f64) as usize).min(s.len() - 1);
    Some(s[i])
}

pub fn median<T: Copy + Ord>(v: &[T]) -> Option<T> {
    quantile(v, 0.5)
}

/// Every run of one program on one scenario.
#[derive(Debug, Clone, Default)]
pub struct Samples {
    pub runs: Vec<Run>,
}

impl Samples {
    pub fn first_paints(&self) -> Vec<Duration> {
        self.runs.iter().filter_map(|r| r.first_paint).collect()
    }
    pub fn keys(&self, when: Option<When>) -> Vec<Key> {
        self.runs
            .iter()
            .flat_map(|r| r.keys.iter().copied())
            .filter(|k| when.is_none_or(|w| k.when == w))
            .collect()
    }
    pub fn latencies(&self, when: Option<When>) -> Vec<Duration> {
        self.keys(when).iter().map(|k| k.latency).collect()
    }
    /// Bytes per key, over keys sent away from the clock (a commit's frame is not the
    /// key's).
    pub fn bytes(&self) -> Vec<usize> {
        self.keys(Some(When::Away))
            .iter()
            .map(|k| k.bytes)
            .collect()
    }
    pub fn peak(&self) -> Option<u64> {
        self.runs.iter().filter_map(|r| r.peak).max()
    }
    pub fn late(&self) -> usize {
        self.keys(None).iter().filter(|k| k.late).count()
    }
    pub fn failures(&self) -> Vec<&str> {
        self.runs
            .iter()
            .filter_map(|r| r.failure.as_deref())
            .collect()
    }
    pub fn endings(&self) -> String {
        let mut e: Vec<&str> = self.runs.iter().map(|r| r.ending.as_str()).collect();
        e.sort();
        e.dedup();
        e.join(", ")
    }
}

pub fn fmt_ms(d: Option<Duration>) -> String {
    d.map_or_else(|| "-".into(), |d| format!("{:.2} ms", ms(d)))
}

pub fn fmt_mb(b: Option<u64>) -> String {
    b.map_or_else(|| "-".into(), |b| format!("{:.1} MB", b as f64 / 1e6))
}

/// A line of figures for one program on one scenario.
pub fn describe(label: &str, scenario: &str, s: &Samples) -> String {
    let lat = s.latencies(None);
    let late = s.late();
    let mut line = format!(
        "{label:<14} {scenario:<12} runs {:>2}  first paint {:>10}  key median {:>10} p99 {:>10} max {:>10}{}  bytes/key {:>5}  peak {:>8}",
        s.runs.len(),
        fmt_ms(median(&s.first_paints())),
        fmt_ms(median(&lat)),
        fmt_ms(quantile(&lat, 0.99)),
        fmt_ms(lat.iter().max().copied()),
        if late > 0 {
            format!(" ({late} keys past the deadline)")
        } else {
            String::new()
        },
        median(&s.bytes()).map_or_else(|| "-".into(), |b| b.to_string()),
        fmt_mb(s.peak())
    );
    let commit = s.latencies(Some(When::AtCommit));
    if !commit.is_empty() {
        let away = s.latencies(Some(When::Away));
        line.push_str(&format!(
            "\n{:<27} away from the second: {} keys, median {} p99 {} · at the draft commit: {} keys, median {} p99 {}",
            "",
            away.len(),
            fmt_ms(median(&away)),
            fmt_ms(quantile(&away, 0.99)),
            commit.len(),
            fmt_ms(median(&commit)),
            fmt_ms(quantile(&commit, 0.99)),
        ));
    }
    line
}

// ---------------------------------------------------------------------------------------
// Desks

/// 1000000 → "1m", 10000 → "10k", 40 → "40".
pub fn short(n: usize) -> String {
    if n >= 1_000_000 && n.is_multiple_of(1_000_000) {
        format!("{}m", n / 1_000_000)
    } else if n >= 1000 && n.is_multiple_of(1000) {
        format!("{}k", n / 1000)
    } else {
        n.to_string()
    }
}

#[derive(Debug, Clone)]
pub struct Desk {
    pub db: PathBuf,
    pub catalog: PathBuf,
    pub calls: i64,
    pub open: i64,
    pub procedures: usize,
    /// When it was generated (when known).
    pub now: Option<DateTime<Utc>>,
    pub how: String,
}

fn counts(db: &Path) -> Res<(i64, i64)> {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let calls = conn.query_row("SELECT count(*) FROM calls", [], |r| r.get(0))?;
    let open = conn.query_row(
        "SELECT count(*) FROM calls WHERE status = 'open'",
        [],
        |r| r.get(0),
    )?;
    Ok((calls, open))
}

fn toml_files(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(Result::ok)
                .filter(|e| e.path().extension().is_some_and(|x| x == "toml"))
                .count()
        })
        .unwrap_or(0)
}

/// The generated desk of `calls` calls and `procedures` procedures in
/// `target/bench-data/desk-<calls>-<procedures>/`, written by the datagen code unless a
/// previous run left one by this generator, this schema, less than
/// `GUICHET_BENCH_MAX_AGE_H` hours old (24: the desk's timeline ends when it was made).
pub fn generated_desk(calls: usize, procedures: usize) -> Res<Desk> {
    let dir = datagen::data_dir().join(format!("desk-{}-{}", short(calls), short(procedures)));
    let max_age = chrono::Duration::hours(env_usize("GUICHET_BENCH_MAX_AGE_H", 24) as i64);
    let fresh = datagen::desk::read_meta(&dir).filter(|m| {
        m.generator_version == datagen::GENERATOR_VERSION
            && m.schema_version == LATEST_VERSION
            && m.calls == calls
            && m.procedures == procedures
            && m.seed == SEED
            && Utc::now() - m.now < max_age
            && dir.join("guichet.db").exists()
    });
    let how = match &fresh {
        Some(m) => format!(
            "reused (generated {} min ago; delete the folder to regenerate)",
            (Utc::now() - m.now).num_minutes()
        ),
        None => {
            println!(
                "generating {calls} calls and {procedures} procedures into {} (cargo run --release --example datagen -- --calls {calls} --procedures {procedures} --out {})",
                dir.display(),
                dir.display()
            );
            let spec = datagen::desk::Spec {
                calls,
                procedures,
                seed: SEED,
                now: Utc::now(),
            };
            let w = datagen::desk::write(&dir, &spec, &mut |l| println!("  {l}"))?;
            format!("generated in {:.1} s", w.total.as_secs_f64())
        }
    };
    let db = dir.join("guichet.db");
    let (calls_n, open) = counts(&db)?;
    Ok(Desk {
        catalog: dir.join("procedures"),
        procedures: toml_files(&dir.join("procedures")),
        now: datagen::desk::read_meta(&dir).map(|m| m.now),
        db,
        calls: calls_n,
        open,
        how,
    })
}

/// `GUICHET_BENCH_DB` (a file written by the datagen command, its catalogue in the
/// `procedures/` folder beside it, or `GUICHET_BENCH_CATALOG`), else the generated desk of
/// 1,000,000 calls and 10,000 procedures.
/// The binaries and the desk a console bench runs on, each said on a line of its own:
/// (guichet, the bare floor, the desk).
pub fn bench_setup() -> Res<(PathBuf, PathBuf, Desk)> {
    let guichet_path = guichet_binary()?;
    let bare_path = bare_binary()?;
    println!("guichet  {}", guichet_path.display());
    println!("floor    {}", bare_path.display());
    let desk = bench_desk()?;
    println!(
        "desk     {} : {} calls ({} open), {} procedures in {} — {}",
        desk.db.display(),
        desk.calls,
        desk.open,
        desk.procedures,
        desk.catalog.display(),
        desk.how
    );
    Ok((guichet_path, bare_path, desk))
}

pub fn bench_desk() -> Res<Desk> {
    let Some(db) = std::env::var_os("GUICHET_BENCH_DB").map(PathBuf::from) else {
        return generated_desk(1_000_000, 10_000);
    };
    let catalog = std::env::var_os("GUICHET_BENCH_CATALOG")
        .map(PathBuf::from)
        .unwrap_or_else(|| db.parent().unwrap_or(Path::new(".")).join("procedures"));
    if !catalog.is_dir() {
        return Err(format!(
            "GUICHET_BENCH_DB={}: no catalogue folder {} (set GUICHET_BENCH_CATALOG)",
            db.display(),
            catalog.display()
        )
        .into());
    }
    let (calls, open) = counts(&db)?;
    Ok(Desk {
        procedures: toml_files(&catalog),
        now: db
            .parent()
            .and_then(datagen::desk::read_meta)
            .map(|m| m.now),
        db,
        catalog,
        calls,
        open,
        how: "from GUICHET_BENCH_DB".into(),
    })
}

/// The catalogue the console loads: a folder's, or the embedded one.
pub fn catalogue(dir: Option<&Path>) -> Res<Catalog> {
    let reference = embedded_reference();
    let c = match dir {
        Some(d) => load_dir(d, &reference)?,
        None => embedded(&reference),
    };
    if !c.problems.is_empty() {
        return Err(format!("{} problems in the catalogue", c.problems.len()).into());
    }
    Ok(c)
}

fn remove_with_sidecars(path: &Path) {
    remove_file_and_sidecars(path);
    remove_file_and_sidecars(&guichet::store::drafts_beside(path));
}

fn remove_file_and_sidecars(path: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
    let mut consoles = path.as_os_str().to_owned();
    consoles.push(".consoles");
    let _ = std::fs::remove_dir_all(PathBuf::from(consoles));
}

/// A copy of the desk's database for one catalogue, its search index brought in line
/// with that catalogue as the console would on its first start (so that the runs measure
/// a console whose catalogue did not change since the last one): the path, and how long
/// the index took.
pub fn run_copy(desk: &Desk, label: &str, catalog: Option<&Path>) -> Res<(PathBuf, Duration)> {
    let dir = datagen::data_dir().join("run");
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(format!("{label}.db"));
    remove_with_sidecars(&path);
    std::fs::copy(&desk.db, &path)?;
    let cat = catalogue(catalog)?;
    let t = Instant::now();
    Store::open(&path)?.sync_catalog(&cat)?;
    let took = t.elapsed();
    clear_drafts(&path)?;
    Ok((path, took))
}

pub fn remove_copy(path: &Path) {
    remove_with_sidecars(path);
}

/// A run leaves its draft (the console saves it on quitting, in the drafts file beside
/// the SQLite desk `db`): gone before the next run.
pub fn clear_drafts(db: &Path) -> Res<()> {
    let drafts = guichet::store::drafts_beside(db);
    if drafts.exists() {
        clear_drafts_file(&drafts)?;
    }
    Ok(())
}

/// Empties a drafts file (a desk's, or a server console's local one).
pub fn clear_drafts_file(drafts: &Path) -> Res<()> {
    let conn = rusqlite::Connection::open(drafts)?;
    conn.busy_timeout(Duration::from_secs(10))?;
    conn.execute("DELETE FROM console_drafts", [])?;
    Ok(())
}

/// The name the list search types: the caller of one of the open calls (the agent who
/// calls back about their call), written as operators type it (no accents, no capitals).
/// Of the open calls' callers named "First Last", the one whose name the fewest calls
/// share: the search cannot stop early on it. `GUICHET_BENCH_CALLER` chooses another.
/// Returns the name and how many open and all calls match it.
pub fn caller_to_type(db: &Path) -> Res<(String, usize, usize)> {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let mut candidates: Vec<String> = Vec::new();
    // The open calls; on a desk where none has a caller named "First Last" (a small desk
    // may have one open call, "Marie Le Goff"), the latest calls.
    for query in [
        "SELECT caller_name, search_key FROM calls WHERE status = 'open'",
        "SELECT caller_name, search_key FROM calls ORDER BY opened_at DESC LIMIT 50",
    ] {
        if !candidates.is_empty() {
            break;
        }
        let mut stmt = conn.prepare(query)?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        for row in rows {
            let (name, _key) = row?;
            let words: Vec<&str> = name.split(' ').collect();
            let plain = words.len() == 2
                && words.iter().all(|w| {
                    let mut c = w.chars();
                    c.next().is_some_and(char::is_uppercase)
                        && c.all(|c| c.is_lowercase() || c == '-')
                });
            if plain && !candidates.contains(&fold(&name)) {
                candidates.push(fold(&name));
            }
        }
    }
    if let Ok(name) = std::env::var("GUICHET_BENCH_CALLER") {
        candidates = vec![fold(&name)];
    }
    if candidates.is_empty() {
        return Err("no open call with a caller named « First Last » to search for".into());
    }
    let mut all = vec![0usize; candidates.len()];
    let mut stmt = conn.prepare("SELECT search_key FROM calls")?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let key: String = row.get(0)?;
        for (i, c) in candidates.iter().enumerate() {
            if key.contains(c.as_str()) {
                all[i] += 1;
            }
        }
    }
    let best = (0..candidates.len()).min_by_key(|&i| all[i]).unwrap_or(0);
    let name = candidates[best].clone();
    let open: usize = conn.query_row(
        "SELECT count(*) FROM calls WHERE status = 'open' AND instr(search_key, ?1) > 0",
        [&name],
        |r| r.get::<_, i64>(0),
    )? as usize;
    Ok((name, open, all[best]))
}

/// `guichet report handover` (the current shift's report, as text) on `program`'s desk,
/// `reps` times: how long each took, start to exit.
pub fn time_report(program: &Program, reps: usize) -> Res<Vec<Duration>> {
    let mut out = Vec::new();
    for _ in 0..reps {
        let t = Instant::now();
        let status = {
            let _no_pty_being_opened = pty::SPAWN.lock().unwrap_or_else(|e| e.into_inner());
            Command::new(&program.path)
                .args(&program.args)
                .args(["report", "handover"])
                .env_clear()
                .envs(program.env.iter().map(|(k, v)| (k, v)))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()?
        }
        .wait_with_output()?;
        let took = t.elapsed();
        if !status.status.success() {
            return Err(format!(
                "guichet report handover failed: {}",
                String::from_utf8_lossy(&status.stderr)
            )
            .into());
        }
        out.push(took);
    }
    Ok(out)
}
