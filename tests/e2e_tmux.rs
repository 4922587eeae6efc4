//! End to end: the real binary in a real terminal, driven through tmux at 80x24.
//!
//! Each test runs its own tmux server on a socket inside its own temporary directory, and
//! the server is killed when the test ends, a failing assertion included. tmux is
//! required: when it is missing the tests fail, they do not skip.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// How long to wait for the screen or the process before giving up.
const DEADLINE: Duration = Duration::from_secs(10);
/// How often to look at the screen while waiting.
const POLL: Duration = Duration::from_millis(50);

const OPERATOR: &str = "e2eop";

/// A private tmux server and the desk's files, all in one temporary directory.
struct Term {
    dir: tempfile::TempDir,
}

impl Drop for Term {
    fn drop(&mut self) {
        // The server may already be gone (no session left): nothing to clean up then.
        let _ = self.tmux_command(&["kill-server"]).output();
    }
}

impl Term {
    fn new() -> Term {
        let dir = tempfile::tempdir().expect("temporary directory");
        // Our own configuration instead of the user's: a pane whose program ended stays, so
        // that its end and its exit status can be read.
        std::fs::write(
            dir.path().join("tmux.conf"),
            "set-option -g remain-on-exit on\n",
        )
        .expect("tmux configuration");
        Term { dir }
    }

    fn socket(&self) -> PathBuf {
        self.dir.path().join("tmux.sock")
    }

    fn db(&self) -> PathBuf {
        self.dir.path().join("e2e.db")
    }

    /// The environment the binary runs with, in the console and as a CLI.
    fn desk_env(&self) -> Vec<(&'static str, String)> {
        let path = |p: &Path| p.to_str().expect("UTF-8 temporary path").to_string();
        vec![
            ("GUICHET_DB", path(&self.db())),
            ("GUICHET_OPERATOR", OPERATOR.to_string()),
            ("XDG_CONFIG_HOME", path(&self.dir.path().join("config"))),
            ("XDG_DATA_HOME", path(&self.dir.path().join("data"))),
            ("TERM", "xterm-256color".to_string()),
        ]
    }

    fn tmux_command(&self, args: &[&str]) -> Command {
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

    fn tmux(&self, args: &[&str]) -> Output {
        self.tmux_command(args).output().unwrap_or_else(|e| {
            panic!("tmux could not be run ({e}): tmux is required for these tests")
        })
    }

    fn tmux_ok(&self, args: &[&str]) -> String {
        let out = self.tmux(args);
        assert!(
            out.status.success(),
            "tmux {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Starts the console in a new detached 80x24 session.
    fn start(&self, session: &str) {
        let env: Vec<String> = self
            .desk_env()
            .into_iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
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
        self.tmux_ok(&args);
    }

    fn capture(&self, session: &str) -> String {
        self.tmux_ok(&["capture-pane", "-p", "-t", session])
    }

    /// Waits until the screen shows every one of `needles`; returns that screen.
    fn wait_for(&self, session: &str, needles: &[&str]) -> String {
        let start = Instant::now();
        loop {
            let screen = self.capture(session);
            if needles.iter().all(|n| screen.contains(n)) {
                return screen;
            }
            if start.elapsed() > DEADLINE {
                panic!(
                    "timed out after {DEADLINE:?} waiting for {needles:?}; last screen:\n\
                     ----------------\n{screen}----------------"
                );
            }
            std::thread::sleep(POLL);
        }
    }

    /// Types literal text, accents included.
    fn type_text(&self, session: &str, text: &str) {
        self.tmux_ok(&["send-keys", "-t", session, "-l", text]);
    }

    /// Presses one key by its tmux name: `Tab`, `F2`, `C-s`, `Escape`, `q`...
    fn press(&self, session: &str, key: &str) {
        self.tmux_ok(&["send-keys", "-t", session, key]);
    }

    /// Waits for the console to end; returns how it ended: `exit N` or `signal N`.
    fn wait_exit(&self, session: &str) -> String {
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

    /// Sends SIGCHLD to this test's own tmux server, which then reaps its dead children.
    fn nudge_server(&self) {
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
    fn cli_calls(&self) -> Vec<Value> {
        let mut c = Command::new(env!("CARGO_BIN_EXE_guichet"));
        c.args(["call", "list", "--format", "json"]).env_clear();
        for (k, v) in self.desk_env() {
            c.env(k, v);
        }
        let out = c.output().expect("run guichet call list");
        assert!(
            out.status.success(),
            "guichet call list failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).expect("UTF-8 output");
        let value: Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("call list is not JSON ({e}):\n{text}"));
        value
            .as_array()
            .unwrap_or_else(|| panic!("call list is not a JSON array:\n{text}"))
            .clone()
    }
}

#[test]
fn new_call_typed_at_the_keyboard_is_found_by_the_cli() {
    let term = Term::new();
    let s = "guichet";
    term.start(s);
    term.wait_for(s, &["guichet ·", OPERATOR, "Aucun appel ouvert"]);

    term.press(s, "F2");
    term.wait_for(s, &["Nouvel appel"]);
    term.type_text(s, "Zoé Martin");
    term.press(s, "Tab");
    term.type_text(s, "06 12 34 56 78");
    term.press(s, "Tab");
    term.press(s, "Tab"); // no email
    term.type_text(s, "int");
    term.press(s, "Tab");
    term.type_text(s, "noe");
    term.press(s, "Tab");
    term.type_text(s, "carte agent oubliée");
    term.press(s, "C-s");

    let screen = term.wait_for(s, &["A-0001", "enregistré"]);
    assert!(
        screen.contains("Zoé Martin"),
        "the saved call's detail should show the caller; screen:\n{screen}"
    );

    term.press(s, "Escape");
    // Only the list's footer offers "quitter": wait for it, so that `q` cannot arrive in the
    // same read as the escape and be taken for Alt-q.
    term.wait_for(s, &["quitter", "Zoé Martin"]);
    term.press(s, "q");
    assert_eq!(
        term.wait_exit(s),
        "exit 0",
        "the console should exit cleanly"
    );

    let calls = term.cli_calls();
    assert_eq!(calls.len(), 1, "exactly one call expected: {calls:#?}");
    let call = &calls[0];
    for (field, expected) in [
        ("reference", "A-0001"),
        ("caller_name", "Zoé Martin"),
        ("caller_phone", "06 12 34 56 78"),
        ("service", "mi"),
        ("device", "noemi"),
        ("summary", "carte agent oubliée"),
        ("operator", OPERATOR),
        ("status", "open"),
    ] {
        assert_eq!(
            call[field].as_str(),
            Some(expected),
            "field {field} of {call:#}"
        );
    }
}

#[test]
fn draft_survives_leaving_the_form_and_restarting() {
    let term = Term::new();
    let first = "first";
    term.start(first);
    term.wait_for(first, &["guichet ·", OPERATOR, "Aucun appel ouvert"]);

    term.press(first, "F2");
    term.wait_for(first, &["Nouvel appel"]);
    term.type_text(first, "Anne Çelik");
    term.press(first, "Tab");
    term.wait_for(first, &["Anne Çelik"]);
    term.press(first, "Escape");
    // Back on the list, the draft kept.
    term.wait_for(first, &["Saisie gardée", "quitter", "Aucun appel ouvert"]);
    term.press(first, "q");
    assert_eq!(
        term.wait_exit(first),
        "exit 0",
        "the console should exit cleanly"
    );

    let second = "second";
    term.start(second);
    term.wait_for(second, &["Saisie retrouvée", "Anne Çelik"]);
    term.press(second, "o");
    let screen = term.wait_for(second, &["Nouvel appel", "reprise", "Anne Çelik"]);
    assert!(
        screen.contains("guichet ·") && screen.contains(OPERATOR),
        "header expected; screen:\n{screen}"
    );
    term.press(second, "C-c");
    assert_eq!(
        term.wait_exit(second),
        "exit 0",
        "the console should exit cleanly"
    );

    let calls = term.cli_calls();
    assert!(calls.is_empty(), "a draft is not a call: {calls:#?}");
}
