//! The real binary in a real pseudo-terminal (80x24, libc only), every byte it writes to the
//! terminal collected: a caller's text cannot drive the operator's terminal, and the terminal
//! is given back as it was, on `q` and on SIGTERM or SIGHUP.
//!
//! Each console runs on its own database and configuration in a temporary directory, with
//! nothing of the test's environment; the child is killed and reaped when its guard drops, a
//! failing assertion included.

use crate::common::pty;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

const COLS: u16 = 80;
const ROWS: u16 = 24;
const OPERATOR: &str = "ptyop";
/// Waiting for something on the screen.
const DEADLINE: Duration = Duration::from_secs(5);
/// The output counts as settled after this long without a byte.
const QUIET: Duration = Duration::from_millis(300);

/// Sets the window title, then clears the screen, if written raw to a terminal.
const HOSTILE_CALLER: &str = "\u{1b}]0;pwned\u{7}\u{1b}[2J";
/// Red text, then a right-to-left override that would reverse what follows on screen.
const HOSTILE_SUMMARY: &str = "\u{1b}[31mrouge\u{202e}abc";

const ENTER_ALT: &[u8] = b"\x1b[?1049h";
const LEAVE_ALT: &[u8] = b"\x1b[?1049l";
const HIDE_CURSOR: &[u8] = b"\x1b[?25l";
const SHOW_CURSOR: &[u8] = b"\x1b[?25h";
const CLEAR: &[u8] = b"\x1b[2J";
/// How close to the end the restoring sequences must be: room for a short message, not for
/// another frame.
const TAIL: usize = 256;

/// A desk: a database and a configuration of its own.
struct Desk {
    dir: tempfile::TempDir,
}

impl Desk {
    fn new() -> Desk {
        Desk {
            dir: tempfile::tempdir().expect("temporary directory"),
        }
    }

    fn env(&self) -> Vec<(String, String)> {
        let path = |p: PathBuf| p.to_str().expect("UTF-8 temporary path").to_string();
        let root = self.dir.path();
        vec![
            ("GUICHET_DB".into(), path(root.join("pty.db"))),
            ("GUICHET_OPERATOR".into(), OPERATOR.into()),
            ("XDG_CONFIG_HOME".into(), path(root.join("config"))),
            ("XDG_DATA_HOME".into(), path(root.join("data"))),
            ("HOME".into(), path(root.to_path_buf())),
            ("TERM".into(), "xterm-256color".into()),
        ]
    }

    /// The binary as a command line tool, on this desk.
    fn cli(&self, args: &[&str]) -> Output {
        let mut c = Command::new(env!("CARGO_BIN_EXE_guichet"));
        c.args(args).env_clear().envs(self.env());
        let child = {
            let _no_pty_being_opened = pty::SPAWN.lock().unwrap_or_else(|e| e.into_inner());
            c.stdin(std::process::Stdio::null())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("run guichet")
        };
        child.wait_with_output().expect("guichet output")
    }

    fn add_call(&self, caller: &str, summary: &str) {
        let out = self.cli(&[
            "call",
            "add",
            "--service",
            "mi",
            "--device",
            "noemi",
            "--caller",
            caller,
            "--summary",
            summary,
        ]);
        assert!(
            out.status.success(),
            "guichet call add failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "A-0001");
    }

    /// The console on this desk, in a new terminal.
    fn console(&self) -> Console {
        let child = pty::Child::spawn(
            Path::new(env!("CARGO_BIN_EXE_guichet")),
            &[],
            &self.env(),
            COLS,
            ROWS,
        )
        .expect("console in a pseudo-terminal");
        Console {
            child,
            out: Vec::new(),
        }
    }
}

/// A running console and everything it wrote so far.
struct Console {
    child: pty::Child,
    out: Vec<u8>,
}

impl Console {
    /// One read of the terminal into `out`; an error of the terminal itself fails the test.
    fn read(&mut self, timeout: Duration) -> pty::Read {
        self.child
            .read(timeout, &mut self.out)
            .unwrap_or_else(|e| panic!("read from the terminal: {e}"))
    }

    /// Waits until `needle` is written after byte `from`.
    fn wait_for(&mut self, needle: &str, from: usize) {
        let start = Instant::now();
        loop {
            if find(&self.out[from.min(self.out.len())..], needle.as_bytes()).is_some() {
                return;
            }
            assert!(
                start.elapsed() < DEADLINE,
                "{needle:?} not written within {DEADLINE:?}; last bytes:\n{}",
                escaped_tail(&self.out, 600)
            );
            if let pty::Read::Eof = self.read(Duration::from_millis(20)) {
                panic!(
                    "the console ended while waiting for {needle:?} ({}); last bytes:\n{}",
                    self.child.describe(),
                    escaped_tail(&self.out, 600)
                );
            }
        }
    }

    /// Reads until nothing came for `QUIET` (the frame for the last key is out).
    fn settle(&mut self) {
        let start = Instant::now();
        let mut last = Instant::now();
        while last.elapsed() < QUIET && start.elapsed() < DEADLINE {
            match self.read(Duration::from_millis(20)) {
                pty::Read::Data(_) => last = Instant::now(),
                pty::Read::Timeout => {}
                pty::Read::Eof => return,
            }
        }
    }

    fn press(&mut self, key: &[u8]) {
        self.child
            .write_all(key)
            .expect("key written to the terminal");
    }

    /// Waits up to `limit` for the exit, then reads what is left. None: still running.
    fn wait_exit(&mut self, limit: Duration) -> Option<libc::c_int> {
        let start = Instant::now();
        let status = loop {
            if let Some(st) = self.child.try_wait() {
                break Some(st);
            }
            if start.elapsed() > limit {
                break None;
            }
            if let pty::Read::Eof = self.read(Duration::from_millis(10)) {
                std::thread::sleep(Duration::from_millis(5));
            }
        };
        if status.is_some() {
            // The last bytes written before the exit are still in the terminal.
            let start = Instant::now();
            let mut last = Instant::now();
            while start.elapsed() < Duration::from_secs(1)
                && last.elapsed() < Duration::from_millis(100)
            {
                match self.read(Duration::from_millis(20)) {
                    pty::Read::Data(_) => last = Instant::now(),
                    pty::Read::Timeout => {}
                    pty::Read::Eof => break,
                }
            }
        }
        status
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn rfind(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

fn count(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .filter(|w| *w == needle)
        .count()
}

fn escaped(bytes: &[u8]) -> String {
    bytes.escape_ascii().to_string()
}

fn escaped_tail(bytes: &[u8], n: usize) -> String {
    escaped(&bytes[bytes.len().saturating_sub(n)..])
}

/// The bytes around the first `needle`, for a failure message.
fn around(bytes: &[u8], needle: &[u8]) -> String {
    match find(bytes, needle) {
        Some(i) => format!(
            "at byte {i} of {}: …{}…",
            bytes.len(),
            escaped(&bytes[i.saturating_sub(80)..(i + needle.len() + 80).min(bytes.len())])
        ),
        None => "absent".into(),
    }
}

/// What is wrong with the end of the output, if the terminal was not given back: the last
/// alternate-screen sequence must leave it, the last cursor sequence must show it, both
/// within the last `TAIL` bytes.
fn restoration_problems(out: &[u8]) -> Vec<String> {
    let mut problems = Vec::new();
    let near_end = |at: usize| out.len() - at <= TAIL;
    match (rfind(out, LEAVE_ALT), rfind(out, ENTER_ALT)) {
        (None, _) => problems.push("the alternate screen is never left (no \\x1b[?1049l)".into()),
        (Some(leave), Some(enter)) if leave < enter => problems.push(format!(
            "the alternate screen is entered again (byte {enter}) after it is left (byte {leave})"
        )),
        (Some(leave), _) if !near_end(leave) => problems.push(format!(
            "\\x1b[?1049l is {} bytes before the end, not in the last {TAIL}",
            out.len() - leave
        )),
        _ => {}
    }
    match (rfind(out, SHOW_CURSOR), rfind(out, HIDE_CURSOR)) {
        (None, _) => problems.push("the cursor is never shown again (no \\x1b[?25h)".into()),
        (Some(show), Some(hide)) if show < hide => problems.push(format!(
            "the cursor is hidden (byte {hide}) after it is last shown (byte {show})"
        )),
        (Some(show), _) if !near_end(show) => problems.push(format!(
            "\\x1b[?25h is {} bytes before the end, not in the last {TAIL}",
            out.len() - show
        )),
        _ => {}
    }
    problems
}

/// A call with this caller and summary, opened in the console, then back to the list and
/// quit: every byte written and how the console ended.
fn open_the_call_and_quit(caller: &str, summary: &str) -> (Vec<u8>, Option<libc::c_int>) {
    let desk = Desk::new();
    desk.add_call(caller, summary);
    let mut console = desk.console();
    console.wait_for("A-0001", 0);
    console.settle();

    let before = console.out.len();
    console.press(b"\r");
    // The call's detail is drawn.
    console.wait_for("Trait", before);
    console.settle();

    console.press(b"\x1b");
    // Back on the list before `q`, so that `q` is not read with the escape as Alt-q.
    console.settle();
    console.press(b"q");
    let status = console.wait_exit(DEADLINE);
    (std::mem::take(&mut console.out), status)
}

#[test]
fn a_hostile_caller_text_does_not_drive_the_terminal() {
    let (control, control_status) = open_the_call_and_quit("Zoé Martin", "carte agent oubliée");
    assert_eq!(
        control_status.map(pty::describe),
        Some("exit 0".to_string()),
        "the control console should exit cleanly; last bytes:\n{}",
        escaped_tail(&control, 400)
    );
    let (out, status) = open_the_call_and_quit(HOSTILE_CALLER, HOSTILE_SUMMARY);

    let mut failures = Vec::new();
    if find(&out, b"\x1b]0;pwned").is_some() {
        failures.push(format!(
            "the window title was set from the caller's name: \\x1b]0;pwned {}",
            around(&out, b"\x1b]0;pwned")
        ));
    }
    let (clears, control_clears) = (count(&out, CLEAR), count(&control, CLEAR));
    if clears > control_clears {
        failures.push(format!(
            "\\x1b[2J written {clears} times, {control_clears} with a harmless caller: first {}",
            around(&out, CLEAR)
        ));
    }
    let rlo = "\u{202e}".as_bytes();
    if find(&out, rlo).is_some() {
        failures.push(format!(
            "the bidi override U+202E reached the terminal: {}",
            around(&out, rlo)
        ));
    }
    if find(&out, b"\x1b[31mrouge").is_some() {
        failures.push(format!(
            "the summary's own colour reached the terminal: \\x1b[31mrouge {}",
            around(&out, b"\x1b[31mrouge")
        ));
    }
    let ended = status.map_or_else(|| "still running".to_string(), pty::describe);
    if ended != "exit 0" {
        failures.push(format!("the console ended with {ended}, not exit 0"));
    }
    failures.extend(restoration_problems(&out));
    assert!(
        failures.is_empty(),
        "{} problem(s) with a hostile caller:\n- {}\nlast bytes written:\n{}",
        failures.len(),
        failures.join("\n- "),
        escaped_tail(&out, 300)
    );
    // The text is still shown, made harmless.
    assert!(
        find(&out, "pwned".as_bytes()).is_some(),
        "the caller's name should still be shown (made visible)"
    );
}

#[test]
fn the_terminal_is_restored_on_sigterm_and_sighup() {
    let mut report = Vec::new();
    let mut failed = false;
    for (name, signal) in [("SIGTERM", libc::SIGTERM), ("SIGHUP", libc::SIGHUP)] {
        let desk = Desk::new();
        let mut console = desk.console();
        console.wait_for("guichet ·", 0);
        console.settle();
        let painted = console.out.len();
        let sent = Instant::now();
        console.child.signal(signal);
        let status = console.wait_exit(Duration::from_secs(2));
        let took = sent.elapsed();
        let mut problems = Vec::new();
        match status {
            None => problems.push("still running 2 s after the signal".to_string()),
            Some(_) => problems.extend(restoration_problems(&console.out)),
        }
        let ended = status.map_or_else(|| "still running".to_string(), pty::describe);
        let after = escaped(&console.out[painted..]);
        report.push(format!(
            "{name}: {ended} after {:.0} ms; {} bytes written after the signal: \"{}\"{}",
            took.as_secs_f64() * 1e3,
            console.out.len() - painted,
            if after.len() > 300 {
                escaped_tail(&console.out, 300)
            } else {
                after
            },
            if problems.is_empty() {
                "; restored".to_string()
            } else {
                format!("; NOT RESTORED: {}", problems.join("; "))
            }
        ));
        failed |= !problems.is_empty();
        eprintln!("{}", report.last().expect("just pushed"));
        // The guard kills (if needed) and reaps the console here.
    }
    assert!(
        !failed,
        "the terminal must be restored within 2 s of SIGTERM or SIGHUP:\n{}",
        report.join("\n")
    );
}

#[test]
fn the_console_exits_when_its_terminal_hangs_up() {
    // What a dropped SSH link or a closed terminal window does: the terminal goes away, the
    // kernel sends SIGHUP. Nothing can be restored on a terminal that is gone, but the
    // console must end (draft saved) instead of staying behind.
    let desk = Desk::new();
    let mut console = desk.console();
    console.wait_for("guichet ·", 0);
    console.settle();
    let cpu_before = console.child.cpu_time();
    console.child.hang_up();
    let start = Instant::now();
    let status = loop {
        if let Some(st) = console.child.try_wait() {
            break Some(st);
        }
        if start.elapsed() > Duration::from_secs(2) {
            break None;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let cpu = match (cpu_before, console.child.cpu_time()) {
        (Some(a), Some(b)) => format!(
            "{} ms of processor time in the {} ms since the hangup",
            b.saturating_sub(a).as_millis(),
            start.elapsed().as_millis()
        ),
        _ => "processor time unknown".into(),
    };
    assert!(
        status.is_some(),
        "the console is still running 2 s after its terminal hung up ({cpu})"
    );
}

#[test]
fn what_was_typed_up_to_the_hangup_is_in_the_draft_and_the_console_ends_within_two_seconds() {
    // The SSH link drops while the operator types: every key the console took is in the
    // draft, and the console is gone within two seconds. Three rounds, the hang-up coming
    // at different moments of the once-a-second save.
    for round in 0..3 {
        let desk = Desk::new();
        let mut console = desk.console();
        console.wait_for("guichet ·", 0);
        console.settle();
        console.press(b"\x1bOQ"); // F2
        console.wait_for("Nouvel appel", 0);
        let name = format!("Bruno Lefèvre-{round} appelle depuis Lognes");
        for c in name.chars() {
            let mut buf = [0u8; 4];
            console.press(c.encode_utf8(&mut buf).as_bytes());
            std::thread::sleep(Duration::from_millis(3));
        }
        // The console has the last key once it has drawn it; hang up then, at a different
        // moment of its once-a-second tick in each round.
        console.settle();
        std::thread::sleep(Duration::from_millis(10 + 150 * round));
        console.child.hang_up();
        let start = Instant::now();
        let status = loop {
            if let Some(st) = console.child.try_wait() {
                break Some(st);
            }
            if start.elapsed() > Duration::from_secs(3) {
                break None;
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        let took = start.elapsed();
        eprintln!(
            "round {round}: ended {} ms after the hang-up",
            took.as_millis()
        );
        assert!(
            status.is_some(),
            "round {round}: still running 3 s after the hang-up"
        );
        assert!(
            took < Duration::from_secs(2),
            "round {round}: the console took {} ms to end after the hang-up",
            took.as_millis()
        );
        let store = guichet::store::Store::open(&desk.dir.path().join("pty.db")).unwrap();
        let consoles = store.draft_consoles(OPERATOR).unwrap();
        assert_eq!(consoles.len(), 1, "round {round}: one draft expected");
        let saved = store.load_draft(&consoles[0]).unwrap().unwrap();
        assert_eq!(
            saved.draft.caller_name, name,
            "round {round}: the draft lost the last keys"
        );
    }
}
