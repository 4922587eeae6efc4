//! What happens when the console dies: the terminal is given back, and a panic leaves a
//! crash report (owner-only file under the data directory) that says where it stopped.
//! The report holds the panic message, its place in the code and a backtrace: never the
//! state of a call or a field, so no secret can be in it.

use crate::domain::call::CallDraft;
use chrono::{DateTime, Utc};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Where crash reports go.
pub fn crash_dir() -> PathBuf {
    dirs::data_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join("guichet")
        .join("crash")
}

/// Writes one report; returns its path.
pub fn write_report(dir: &Path, message: &str, location: &str) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let now = chrono::Utc::now();
    let path = dir.join(format!(
        "crash-{}-{}.txt",
        now.format("%Y%m%dT%H%M%SZ"),
        std::process::id()
    ));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&path)?;
    writeln!(
        file,
        "guichet {} — arrêt sur erreur interne",
        env!("CARGO_PKG_VERSION")
    )?;
    writeln!(file, "date : {}", now.to_rfc3339())?;
    writeln!(file, "message : {message}")?;
    writeln!(file, "endroit : {location}")?;
    writeln!(file, "\n{}", std::backtrace::Backtrace::force_capture())?;
    Ok(path)
}

/// Turns on what the console asks of the terminal beyond ratatui's setup: bracketed paste,
/// so that a paste comes as one text and not as keys.
pub fn enable_paste() {
    let _ = crossterm::execute!(std::io::stdout(), crossterm::event::EnableBracketedPaste);
}

/// Gives the terminal back as it was found: bracketed paste off, raw mode off, the main
/// screen back. Every way out takes it: a normal end, a panic, the watchdog.
pub fn restore_terminal() {
    let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableBracketedPaste);
    ratatui::restore();
}

/// Installs the panic hook: terminal back first (so the message is readable), then the
/// report, then the usual panic message.
pub fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore_terminal();
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "panique".into());
        let location = info
            .location()
            .map_or("inconnu".into(), |l| format!("{}:{}", l.file(), l.line()));
        match write_report(&crash_dir(), &message, &location) {
            Ok(path) => eprintln!(
                "guichet s'est arrêté sur une erreur interne. Rapport : {} (la saisie en cours a été gardée).",
                crate::domain::text::visible(&path.display().to_string())
            ),
            Err(e) => {
                eprintln!(
                    "guichet s'est arrêté sur une erreur interne (rapport impossible : {}).",
                    crate::domain::text::visible(&e.to_string())
                )
            }
        }
        previous(info);
    }));
}

/// Signals that end the console: SIGTERM (kill), SIGHUP (the SSH link dropped), SIGINT,
/// SIGQUIT. The handler only records the signal, for the watchdog; the event loop hears of
/// it on its channel (`events::forward_signals`) and leaves cleanly (draft saved, terminal
/// restored).
pub struct Signals {
    last: Arc<AtomicUsize>,
}

impl Signals {
    pub fn install() -> std::io::Result<Signals> {
        let last = Arc::new(AtomicUsize::new(0));
        for sig in [
            signal_hook::consts::SIGTERM,
            signal_hook::consts::SIGHUP,
            signal_hook::consts::SIGINT,
            signal_hook::consts::SIGQUIT,
        ] {
            signal_hook::flag::register_usize(sig, Arc::clone(&last), sig as usize)?;
        }
        Ok(Signals { last })
    }
}

/// Whether the terminal on standard input has gone away (the SSH link or the emulator
/// closed): its attributes can no longer be read.
fn terminal_gone() -> bool {
    rustix::termios::tcgetattr(std::io::stdin()).is_err()
}

/// The call being typed as it is now, with where to save it: for the watchdog, which
/// writes it through its own connection when the terminal has gone away.
#[derive(Debug, Clone)]
pub struct DraftSnapshot {
    pub db: String,
    pub console: String,
    pub operator: String,
    pub opened_at: DateTime<Utc>,
    pub draft: CallDraft,
}

/// The call being typed, as of the last key, shared with the watchdog.
pub type DraftSlot = Arc<std::sync::Mutex<Option<DraftSnapshot>>>;

/// The input thread can be stuck inside crossterm when its terminal hangs up (crossterm
/// 0.29 retries reads at end of file forever: crossterm-rs/crossterm#793), and the loop
/// inside a write to a terminal that no longer drains. This thread watches for a signal or a vanished terminal and, if
/// the loop has not ended `grace` later, saves the call being typed as of the last key
/// (through its own connection) and ends the process itself.
pub fn spawn_watchdog(signals: &Signals, grace: std::time::Duration, draft: DraftSlot) {
    let last = Arc::clone(&signals.last);
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(std::time::Duration::from_millis(50));
            if last.load(Ordering::Relaxed) != 0 || terminal_gone() {
                break;
            }
        }
        std::thread::sleep(grace);
        // Still here: the loop is stuck. Nothing typed is lost: the last key's draft is
        // written, then the terminal given back if it is still there.
        let snapshot = draft.lock().ok().and_then(|slot| slot.clone());
        if let Some(s) = snapshot
            && let Ok(mut store) = crate::store::Store::open_drafts_file(
                std::path::Path::new(&s.db),
                &crate::store::FileAccess::default(),
            )
        {
            let _ = store.save_draft(
                &s.console,
                &s.operator,
                s.opened_at,
                chrono::Utc::now(),
                &s.draft,
            );
        }
        restore_terminal();
        std::process::exit(0);
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_is_owner_only_and_says_where() {
        let dir = tempfile::tempdir().unwrap();
        let path = write_report(dir.path(), "boom", "src/x.rs:1").unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("message : boom"));
        assert!(text.contains("endroit : src/x.rs:1"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
