//! The real binary in a real pseudo-terminal (80x24, libc only), every byte it writes to the
//! terminal collected: a caller's text cannot drive the operator's terminal, and the terminal
//! is given back as it was, on `q` and on SIGTERM or SIGHUP.
//!
//! Each console runs on its own database and configuration in a temporary directory, with
//! nothing of the test's environment; the child is killed and reaped when its guard drops, a
//! failing assertion included.

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
            if let pty::Read::Eof = self.child.read(Duration::from_millis(20), &mut self.out) {
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
            match self.child.read(Duration::from_millis(20), &mut self.out) {
                pty::Read::Data => last = Instant::now(),
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
            if let pty::Read::Eof = self.child.read(Duration::from_millis(10), &mut self.out) {
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
                match self.child.read(Duration::from_millis(20), &mut self.out) {
                    pty::Read::Data => last = Instant::now(),
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

/// A child in a pseudo-terminal, with libc only. The child is killed and reaped when the
/// guard drops, a panic included; the master side is closed with it.
mod pty {
    use std::ffi::{CString, c_char, c_int};
    use std::io;
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
    use std::os::unix::ffi::OsStrExt;
    use std::path::Path;
    use std::ptr;
    use std::sync::Mutex;
    use std::time::{Duration, Instant};

    /// Held from `openpty` until the descriptors are close-on-exec and the child forked:
    /// a process spawned by another test meanwhile would inherit them (and keep the
    /// terminal open). Every spawn in this file takes it.
    pub static SPAWN: Mutex<()> = Mutex::new(());

    pub struct Child {
        /// None once the test hung up.
        master: Option<OwnedFd>,
        pid: libc::pid_t,
        status: Option<c_int>,
    }

    pub enum Read {
        Data,
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
            env: &[(String, String)],
            cols: u16,
            rows: u16,
        ) -> io::Result<Child> {
            // Everything the child needs is allocated before fork: after it, only
            // async-signal-safe calls.
            let path = cstring(program.as_os_str().as_bytes())?;
            let env_owned = env
                .iter()
                .map(|(k, v)| cstring(format!("{k}={v}").as_bytes()))
                .collect::<io::Result<Vec<_>>>()?;
            let argv: [*const c_char; 2] = [path.as_ptr(), ptr::null()];
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
            let _spawning = SPAWN.lock().unwrap_or_else(|e| e.into_inner());
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
                    // A terminal program starts with default signals, whatever the test
                    // runner had.
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
                master: Some(master),
                pid,
                status: None,
            })
        }

        /// Waits up to `timeout` for output and appends what is there to `out`. An error
        /// of the terminal itself is a failure of the test.
        pub fn read(&mut self, timeout: Duration, out: &mut Vec<u8>) -> Read {
            let Some(fd) = self.master.as_ref().map(AsRawFd::as_raw_fd) else {
                std::thread::sleep(timeout);
                return Read::Eof;
            };
            let mut pfd = libc::pollfd {
                fd,
                events: libc::POLLIN,
                revents: 0,
            };
            let ms = timeout.as_millis().min(i32::MAX as u128) as c_int;
            loop {
                // SAFETY: one valid pollfd.
                let r = unsafe { libc::poll(&mut pfd, 1, ms) };
                if r == 0 {
                    return Read::Timeout;
                }
                if r > 0 {
                    break;
                }
                let e = io::Error::last_os_error();
                assert_eq!(e.kind(), io::ErrorKind::Interrupted, "poll: {e}");
            }
            let mut buf = [0u8; 65536];
            loop {
                // SAFETY: reading into a buffer of the given length.
                let n = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) };
                if n > 0 {
                    out.extend_from_slice(&buf[..n as usize]);
                    return Read::Data;
                }
                if n == 0 {
                    return Read::Eof;
                }
                let e = io::Error::last_os_error();
                match e.raw_os_error() {
                    Some(libc::EINTR) => continue,
                    Some(libc::EAGAIN) => return Read::Timeout,
                    // Linux: the slave side has no process left.
                    Some(libc::EIO) => return Read::Eof,
                    _ => panic!("read from the terminal: {e}"),
                }
            }
        }

        pub fn write_all(&mut self, mut bytes: &[u8]) -> io::Result<()> {
            let fd = self.master.as_ref().map_or(-1, AsRawFd::as_raw_fd);
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
                        std::thread::sleep(Duration::from_millis(5))
                    }
                    _ => return Err(e),
                }
            }
            Ok(())
        }

        /// Closes the terminal as a dropped SSH link or a closed window does: the kernel
        /// sends SIGHUP to the program and its reads of the terminal fail.
        pub fn hang_up(&mut self) {
            self.master = None;
        }

        /// Processor time used so far (user + system), from /proc: a program spinning on a
        /// dead terminal shows here.
        pub fn cpu_time(&self) -> Option<Duration> {
            let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid)).ok()?;
            // Fields after the command name, which is in parentheses.
            let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
            let ticks: u64 =
                fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
            // SAFETY: sysconf has no memory-safety requirement.
            let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
            (hz > 0).then(|| Duration::from_millis(ticks * 1000 / hz as u64))
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

        /// How the child ended so far: `running`, `exit N` or `signal N`.
        pub fn describe(&mut self) -> String {
            self.try_wait()
                .map_or_else(|| "running".to_string(), describe)
        }
    }

    impl Drop for Child {
        fn drop(&mut self) {
            if self.try_wait().is_none() {
                self.signal(libc::SIGKILL);
                let mut st = 0;
                // SAFETY: waitpid on our own child, killed just above.
                while unsafe { libc::waitpid(self.pid, &mut st, 0) } == -1
                    && io::Error::last_os_error().raw_os_error() == Some(libc::EINTR)
                {
                }
                self.status = Some(st);
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
