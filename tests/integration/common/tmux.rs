//! A private tmux server driving the real console, shared by the end-to-end tests.

// Signals to the console tmux runs (kill), by its pid.
#![allow(unsafe_code)]
#![allow(dead_code)] // each test file uses part of the harness

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// How long to wait for the screen or the process before giving up.
const DEADLINE: Duration = Duration::from_secs(10);
/// How often to look at the screen while waiting.
const POLL: Duration = Duration::from_millis(50);

pub const OPERATOR: &str = "e2eop";

/// A private tmux server and the desk's files, all in one temporary directory.
pub struct Term {
    dir: tempfile::TempDir,
    /// The desk's store when it is a PostgreSQL server (a connection string), else the
    /// SQLite file `db()`.
    server: Option<String>,
}

impl Drop for Term {
    fn drop(&mut self) {
        // The server may already be gone (no session left): nothing to clean up then.
        let _ = self.tmux_command(&["kill-server"]).output();
    }
}

impl Term {
    pub fn new() -> Term {
        let dir = tempfile::tempdir().expect("temporary directory");
        // Our own configuration instead of the user's: a pane whose program ended stays, so
        // that its end and its exit status can be read.
        std::fs::write(
            dir.path().join("tmux.conf"),
            "set-option -g remain-on-exit on\n",
        )
        .expect("tmux configuration");
        Term { dir, server: None }
    }

    /// A desk whose store is the PostgreSQL database at `url` (its consoles' drafts in
    /// this test's folder).
    pub fn on_server(url: &str) -> Term {
        let mut term = Term::new();
        term.server = Some(url.to_string());
        term
    }

    pub fn socket(&self) -> PathBuf {
        self.dir.path().join("tmux.sock")
    }

    pub fn db(&self) -> PathBuf {
        self.dir.path().join("e2e.db")
    }

    /// The environment the binary runs with, in the console and as a CLI.
    pub fn desk_env(&self) -> Vec<(&'static str, String)> {
        let path = |p: &Path| p.to_str().expect("UTF-8 temporary path").to_string();
        vec![
            (
                "GUICHET_DB",
                self.server.clone().unwrap_or_else(|| path(&self.db())),
            ),
            ("GUICHET_STATE_DIR", path(&self.dir.path().join("state"))),
            ("GUICHET_OPERATOR", OPERATOR.to_string()),
            ("XDG_CONFIG_HOME", path(&self.dir.path().join("config"))),
            ("XDG_DATA_HOME", path(&self.dir.path().join("data"))),
            ("TERM", "xterm-256color".to_string()),
        ]
    }

    pub fn tmux_command(&self, args: &[&str]) -> Command {
        let mut c = Command::new("tmux");
        c.env_remove("TMUX")
            .arg("-u")
            .arg("-S")
            .arg(self.socket())
            .arg("-f")
            .arg(self.dir.path().join("tmux.conf"))
            .args(args);
        c
    }

    pub fn tmux(&self, args: &[&str]) -> Output {
        self.tmux_command(args).output().unwrap_or_else(|e| {
            panic!("tmux could not be run ({e}): tmux is required for these tests")
        })
    }

    pub fn tmux_ok(&self, args: &[&str]) -> String {
        let out = self.tmux(args);
        assert!(
            out.status.success(),
            "tmux {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Starts the console in a new detached 80x24 session.
    pub fn start(&self, session: &str) {
        self.start_with(session, &[]);
    }

    /// Starts the console with extra or replaced environment variables (`TERM`,
    /// `NO_COLOR`...).
    pub fn start_with(&self, session: &str, extra: &[(&'static str, &str)]) {
        self.start_with_args(session, extra, &[]);
    }

    /// [`Term::start_with`], the console given these arguments (`--screen-reader`).
    pub fn start_with_args(&self, session: &str, extra: &[(&'static str, &str)], given: &[&str]) {
        let mut vars = self.desk_env();
        for (k, v) in extra {
            vars.retain(|(name, _)| name != k);
            vars.push((k, v.to_string()));
        }
        let env: Vec<String> = vars.into_iter().map(|(k, v)| format!("{k}={v}")).collect();
        let mut args = vec![
            "new-session",
            "-d",
            "-s",
            session,
            "-x",
            "80",
            "-y",
            "24",
            // More than one word: tmux runs it directly, no shell quoting involved. `env -i`:
            // the console sees only the desk's environment, not the one tmux inherited.
            "env",
            "-i",
        ];
        args.extend(env.iter().map(String::as_str));
        args.push(env!("CARGO_BIN_EXE_guichet"));
        args.extend_from_slice(given);
        self.tmux_ok(&args);
    }

    /// The terminal's cursor: column, row, and whether it is shown.
    pub fn cursor(&self, session: &str) -> (usize, usize, bool) {
        let out = self.tmux_ok(&[
            "display-message",
            "-p",
            "-t",
            session,
            "#{cursor_x} #{cursor_y} #{cursor_flag}",
        ]);
        let v: Vec<usize> = out
            .split_whitespace()
            .map(|n| n.parse().expect("a number from tmux"))
            .collect();
        (v[0], v[1], v[2] == 1)
    }

    /// Waits until the screen's row under the cursor, from the cursor's column on, is what
    /// `ready` waits for; returns (that text, the whole row, the cursor).
    pub fn wait_cursor(
        &self,
        session: &str,
        what: &str,
        ready: impl Fn(&str, &str) -> bool,
    ) -> (String, String, (usize, usize, bool)) {
        let start = Instant::now();
        loop {
            let screen = self.capture(session);
            let at = self.cursor(session);
            let row = screen.lines().nth(at.1).unwrap_or_default().to_string();
            let from: String = row.chars().skip(at.0).collect();
            if ready(&from, &row) {
                return (from, row, at);
            }
            if start.elapsed() > DEADLINE {
                panic!(
                    "timed out waiting for the cursor on {what}; cursor at {at:?}, under it \
                     « {from} »; screen:\n{screen}"
                );
            }
            std::thread::sleep(POLL);
        }
    }

    /// Starts the console in `session` and waits until it shows `needle`; returns the
    /// screen.
    pub fn wait_for_start(&self, session: &str, needle: &str) -> String {
        self.start(session);
        self.wait_for(session, &["guichet ·", needle])
    }

    pub fn capture(&self, session: &str) -> String {
        self.tmux_ok(&["capture-pane", "-p", "-t", session])
    }

    /// Waits until the screen shows every one of `needles`; returns that screen.
    pub fn wait_for(&self, session: &str, needles: &[&str]) -> String {
        self.wait_until(session, &format!("{needles:?}"), |screen| {
            needles.iter().all(|n| screen.contains(n))
        })
    }

    /// Waits until the screen satisfies `ready` (described by `what` in the failure).
    pub fn wait_until(&self, session: &str, what: &str, ready: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.capture(session);
            if ready(&screen) {
                return screen;
            }
            if start.elapsed() > DEADLINE {
                panic!(
                    "timed out after {DEADLINE:?} waiting for {what}; last screen:\n\
                     ----------------\n{screen}----------------"
                );
            }
            std::thread::sleep(POLL);
        }
    }

    /// F2, then a call typed up to its summary (no phone, no email): Intérieur, NOEMI, a
    /// lost agent card; not saved.
    pub fn type_a_call(&self, session: &str, caller: &str) {
        self.press(session, "F2");
        self.wait_for(session, &["Nouvel appel"]);
        self.type_text(session, caller);
        for _ in 0..3 {
            self.press(session, "Tab");
        }
        self.type_text(session, "int");
        self.press(session, "Tab");
        self.type_text(session, "noe");
        self.press(session, "Tab");
        self.type_text(session, "carte agent oubliee");
    }

    /// Types literal text, accents included.
    pub fn type_text(&self, session: &str, text: &str) {
        self.tmux_ok(&["send-keys", "-t", session, "-l", text]);
    }

    /// Presses one key by its tmux name: `Tab`, `F2`, `C-s`, `Escape`, `q`...
    pub fn press(&self, session: &str, key: &str) {
        self.tmux_ok(&["send-keys", "-t", session, key]);
    }

    /// Waits for the console to end; returns how it ended: `exit N` or `signal N`.
    pub fn wait_exit(&self, session: &str) -> String {
        let start = Instant::now();
        let mut nudged = false;
        loop {
            let out = self.tmux_ok(&[
                "list-panes",
                "-t",
                session,
                "-F",
                "#{pane_dead}|#{pane_dead_status}|#{pane_dead_signal}",
            ]);
            let line = out.lines().next().unwrap_or_default().trim().to_string();
            match line.split('|').collect::<Vec<_>>()[..] {
                ["1", status, _] if !status.is_empty() => return format!("exit {status}"),
                ["1", _, signal] if !signal.is_empty() => return format!("signal {signal}"),
                // The terminal is closed but tmux has not reaped the process yet. A tmux
                // linked with libutempter can miss that SIGCHLD for good: it swaps in its
                // own handler while it removes the utmp record, which it does exactly when
                // the pane's terminal closes (tmux/tmux#311). Repeat the signal to our
                // private server so that it reaps the process and records its status.
                ["1", _, _] => {
                    self.nudge_server();
                    nudged = true;
                }
                _ => {}
            }
            if start.elapsed() > DEADLINE {
                panic!(
                    "the console did not end within {DEADLINE:?} (pane: {line:?}, server \
                     nudged: {nudged}); last screen:\n----------------\n{}----------------",
                    self.capture(session)
                );
            }
            std::thread::sleep(POLL);
        }
    }

    /// The process id of the program running in the session's pane.
    pub fn pane_pid(&self, session: &str) -> libc::pid_t {
        self.tmux_ok(&["display-message", "-p", "-t", session, "#{pane_pid}"])
            .trim()
            .parse()
            .expect("pane pid")
    }

    /// Sends a signal to the program in the pane.
    pub fn signal(&self, session: &str, signal: libc::c_int) {
        let pid = self.pane_pid(session);
        assert!(pid > 1, "unexpected pane pid {pid}");
        // SAFETY: kill(2) with a valid signal number has no memory-safety requirement.
        unsafe {
            libc::kill(pid, signal);
        }
    }

    /// Runs the binary as a command line on the same desk; returns stdout.
    pub fn cli(&self, args: &[&str]) -> String {
        let mut c = Command::new(env!("CARGO_BIN_EXE_guichet"));
        c.args(args).env_clear();
        for (k, v) in self.desk_env() {
            c.env(k, v);
        }
        let out = c.output().expect("run guichet");
        assert!(
            out.status.success(),
            "guichet {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("UTF-8 output")
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Sends SIGCHLD to this test's own tmux server, which then reaps its dead children.
    pub fn nudge_server(&self) {
        let pid: libc::pid_t = self
            .tmux_ok(&["display-message", "-p", "#{pid}"])
            .trim()
            .parse()
            .expect("tmux server pid");
        assert!(pid > 1, "unexpected tmux server pid {pid}");
        // SAFETY: kill(2) with a valid signal number has no memory-safety requirement.
        unsafe {
            libc::kill(pid, libc::SIGCHLD);
        }
    }

    /// `guichet call list --format json` on the same database.
    pub fn cli_calls(&self) -> Vec<Value> {
        let value = self.cli_json(&["call", "list", "--format", "json"]);
        value
            .as_array()
            .unwrap_or_else(|| panic!("call list is not a JSON array:\n{value}"))
            .clone()
    }

    /// What a `guichet` command that prints JSON says of this desk.
    pub fn cli_json(&self, args: &[&str]) -> Value {
        let mut c = Command::new(env!("CARGO_BIN_EXE_guichet"));
        c.args(args).env_clear();
        for (k, v) in self.desk_env() {
            c.env(k, v);
        }
        let out = c.output().expect("run guichet");
        assert!(
            out.status.success(),
            "guichet {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).expect("UTF-8 output");
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}):\n{text}"))
    }
}
