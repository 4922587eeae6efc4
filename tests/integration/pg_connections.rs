//! The commands against a PostgreSQL server that does not answer: a server that takes the
//! connection and never says a word, a backend stopped with SIGSTOP. Each command fails
//! within its timeout, in one sentence that names the server. And the system's
//! certificate bundle, read only by a mode that verifies a certificate, once.

use crate::common::desk::Desk;
use guichet::store::scratch::ScratchDb;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// `url` with one more parameter.
fn with_param(url: &str, param: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}{param}")
}

const CALL_ADD: &[&str] = &[
    "call",
    "add",
    "--service",
    "mi",
    "--device",
    "noemi",
    "--caller",
    "Zoé",
    "--summary",
    "VPN bleu",
];

const PHONE_EVENT: &[&str] = &[
    "phone",
    "event",
    "--event",
    "newCall",
    "--from",
    "0612345678",
    "--to",
    "3001",
    "--call-id",
    "1718-abc.42",
];

/// Runs `args` on the store at `url`; its output and how long it took.
fn timed(desk: &Desk, url: &str, args: &[&str]) -> (Output, Duration) {
    let start = Instant::now();
    let out = desk
        .cmd()
        .env("GUICHET_DB", url)
        .args(args)
        .output()
        .unwrap();
    (out, start.elapsed())
}

/// The one line a failed command wrote.
fn failure(out: &Output) -> String {
    assert!(!out.status.success(), "the command should fail");
    assert!(out.stdout.is_empty());
    String::from_utf8(out.stderr.clone()).unwrap()
}

#[test]
fn a_command_against_a_server_that_never_answers_fails_within_its_connect_timeout() {
    // The kernel takes the connections into the listener's queue; nobody ever reads them.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let server = format!("postgresql://agent@127.0.0.1:{port}/desk");
    let desk = Desk::new();
    let desk = &desk;
    let cases = [
        (with_param(&server, "connect_timeout=2"), CALL_ADD, 2),
        (with_param(&server, "connect_timeout=2"), PHONE_EVENT, 2),
        // No connect_timeout: five seconds.
        (server.clone(), CALL_ADD, 5),
    ];
    // At once: the test takes the longest wait, not their sum.
    let runs: Vec<_> = std::thread::scope(|s| {
        let running: Vec<_> = cases
            .into_iter()
            .map(|(url, args, limit)| s.spawn(move || (timed(desk, &url, args), limit)))
            .collect();
        running.into_iter().map(|r| r.join().unwrap()).collect()
    });
    for ((out, took), limit) in runs {
        let said = failure(&out);
        assert_eq!(
            said,
            format!(
                "guichet : {server} : serveur injoignable (aucune réponse en {limit} s) : \
                 rien n'a été fait\n"
            )
        );
        let limit = Duration::from_secs(limit);
        assert!(
            took >= limit - Duration::from_millis(100) && took < limit + Duration::from_secs(2),
            "{took:?} for {limit:?}"
        );
    }
    drop(silent);
}

#[test]
fn a_command_against_a_stopped_backend_fails_within_the_statement_timeout() {
    let desk = Desk::postgres();
    desk.add("Avant", "mi", "noemi", &[]);
    let dbname = desk.server().target().dbname().to_string();
    let mut admin = desk.admin();
    // Each insert waits in the server, long enough for the test to stop its backend there.
    admin
        .batch_execute(
            "CREATE FUNCTION test_linger() RETURNS trigger LANGUAGE plpgsql AS \
             $$ BEGIN PERFORM pg_sleep(60); RETURN NEW; END $$; \
             CREATE TRIGGER test_linger BEFORE INSERT ON calls \
             FOR EACH ROW EXECUTE FUNCTION test_linger(); \
             CREATE TRIGGER test_linger BEFORE INSERT ON phone_events \
             FOR EACH ROW EXECUTE FUNCTION test_linger();",
        )
        .unwrap();
    let url = with_param(
        &desk.url(),
        "options=-c%20statement_timeout%3D3000%20-c%20lock_timeout%3D1000",
    );
    for args in [CALL_ADD, PHONE_EVENT] {
        let start = Instant::now();
        let child = desk
            .cmd()
            .env("GUICHET_DB", &url)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Its backend, asleep in the trigger, is stopped there.
        let mut asleep = None;
        while asleep.is_none() {
            assert!(
                start.elapsed() < Duration::from_millis(2500),
                "{args:?}: never asleep"
            );
            asleep = admin
                .query_opt(
                    "SELECT pid FROM pg_stat_activity \
                     WHERE datname = $1 AND wait_event = 'PgSleep'",
                    &[&dbname],
                )
                .unwrap()
                .map(|r| r.get::<_, i32>(0));
        }
        let stopped = guichet::store::scratch::Stopped::pids(&[asleep.unwrap()]);
        let out = child.wait_with_output().unwrap();
        let took = start.elapsed();
        drop(stopped);
        assert_eq!(
            failure(&out),
            format!(
                "guichet : serveur lent : {} ne répond pas depuis 3 s : rien n'a été fait\n",
                desk.shown()
            ),
            "{args:?}"
        );
        assert!(took < Duration::from_secs(5), "{args:?}: {took:?}");
    }
}

/// Counts the times a process opens the FIFO at `path` for reading, until dropped.
struct OpenCounter {
    path: std::path::PathBuf,
    opened: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl OpenCounter {
    fn new(path: &std::path::Path) -> OpenCounter {
        use std::sync::atomic::Ordering;
        let status = Command::new("mkfifo").arg(path).status().unwrap();
        assert!(status.success());
        let opened = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let thread = {
            let (path, opened, stop) = (path.to_path_buf(), opened.clone(), stop.clone());
            std::thread::spawn(move || {
                // Opening for writing waits for a reader; the writer closes at once and the
                // reader reads an empty file.
                while let Ok(file) = std::fs::OpenOptions::new().write(true).open(&path) {
                    drop(file);
                    if stop.load(Ordering::SeqCst) {
                        return;
                    }
                    opened.fetch_add(1, Ordering::SeqCst);
                    // The reader's close before the next open is counted.
                    std::thread::sleep(Duration::from_millis(50));
                }
            })
        };
        OpenCounter {
            path: path.to_path_buf(),
            opened,
            stop,
            thread: Some(thread),
        }
    }

    fn take(&self) -> usize {
        self.opened.swap(0, std::sync::atomic::Ordering::SeqCst)
    }
}

impl Drop for OpenCounter {
    fn drop(&mut self) {
        use std::os::unix::fs::OpenOptionsExt;
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        // A reader that does not wait lets the waiting writer go.
        let _ = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(&self.path);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[test]
fn the_system_bundle_is_read_only_by_a_mode_that_verifies_and_once() {
    let desk = Desk::postgres();
    desk.add("Avant", "mi", "noemi", &[]);
    let dir = tempfile::tempdir().unwrap();
    // openssl reads the system's bundle where SSL_CERT_FILE says: a FIFO that counts.
    let bundle = dir.path().join("bundle.pem");
    let counter = OpenCounter::new(&bundle);
    let no_dir = dir.path().join("certs");
    std::fs::create_dir(&no_dir).unwrap();
    let run = |url: &str, args: &[&str]| {
        let out = desk
            .cmd()
            .env("GUICHET_DB", url)
            .env("SSL_CERT_FILE", &bundle)
            .env("SSL_CERT_DIR", &no_dir)
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{url}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    for mode in ["prefer", "require"] {
        run(
            &with_param(&desk.url(), &format!("sslmode={mode}")),
            &["call", "list"],
        );
        assert_eq!(
            counter.take(),
            0,
            "sslmode={mode} verifies nothing: no bundle read"
        );
    }
    // The test server's certificate (Debian's snakeoil) given as the authority: the
    // verification does not depend on the bundle, which is read all the same, once, for
    // the two stores of a copy.
    let verified = |url: &str| {
        with_param(
            url,
            "sslmode=verify-ca&sslrootcert=/etc/ssl/certs/ssl-cert-snakeoil.pem",
        )
    };
    let empty = ScratchDb::new();
    run(
        &verified(&desk.url()),
        &["db", "copy", "--to", &verified(&empty.url())],
    );
    assert_eq!(
        counter.take(),
        1,
        "verify-ca: the bundle read once for two stores"
    );
}
