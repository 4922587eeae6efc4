//! The store's connection against a real server (`pg_virtualenv`, or `GUICHET_TEST_PG`):
//! the timeouts of every session, one connection per store that hears the writes, a full
//! server, a server that never answers, a backend stopped with SIGSTOP.

use super::*;
use crate::store::scratch::{self, ScratchDb};
use crate::store::{FileAccess, Store, StoreError};
use std::path::Path;
use std::time::{Duration, Instant};

/// `url` with one more parameter.
fn with_param(url: &str, param: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}{param}")
}

fn store_at(target: &PgTarget, dir: &Path, drafts: &str) -> Store {
    Store::connect_with_drafts(target, &FileAccess::default(), &dir.join(drafts))
        .unwrap_or_else(|e| panic!("{target:?}: {e}"))
}

/// A setting of the store's own session.
fn show(store: &Store, name: &str) -> crate::store::Result<String> {
    store
        .db
        .query_one(&format!("SHOW {name}"), &[], |r| r.get(0))
        .map(Option::unwrap_or_default)
        .map_err(|e| store.err(e))
}

fn backend_pid(store: &Store) -> i32 {
    let pid: i64 = store
        .db
        .query_one("SELECT pg_backend_pid()", &[], |r| r.get(0))
        .unwrap()
        .unwrap();
    i32::try_from(pid).unwrap()
}

/// Runs SQL as the test server's role, on the maintenance database.
fn admin(sql: &str) {
    scratch::test_server()
        .with_dbname("postgres")
        .connect()
        .unwrap()
        .batch_execute(sql)
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// How many sessions are open on `dbname` (as `role`, if given).
fn sessions(dbname: &str, role: Option<&str>) -> i64 {
    let mut client = scratch::test_server()
        .with_dbname("postgres")
        .connect()
        .unwrap();
    let row = client
        .query_one(
            "SELECT count(*) FROM pg_stat_activity \
             WHERE datname = $1 AND ($2::text IS NULL OR usename = $2)",
            &[&dbname, &role],
        )
        .unwrap();
    row.get(0)
}

/// Waits up to `limit` for `done`.
fn within(limit: Duration, what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < limit, "{what}: not within {limit:?}");
        std::thread::sleep(Duration::from_millis(25));
    }
}

#[test]
fn every_session_has_the_stores_timeouts_and_keeps_those_the_string_gives() {
    let db = ScratchDb::new();
    let dir = tempfile::tempdir().unwrap();
    let store = store_at(db.target(), dir.path(), "a.db");
    let lock = crate::store::wait::busy_timeout();
    let patience = db
        .target()
        .patience(&open::Settings {
            lock_timeout: lock,
            listen: false,
        })
        .unwrap();
    let ms = |d: Duration| {
        if d.subsec_millis() == 0 {
            format!("{}s", d.as_secs())
        } else {
            format!("{}ms", d.as_millis())
        }
    };
    assert_eq!(
        show(&store, "statement_timeout").unwrap(),
        ms(patience + Duration::from_secs(1))
    );
    assert_eq!(show(&store, "lock_timeout").unwrap(), ms(lock));
    assert_eq!(
        show(&store, "plan_cache_mode").unwrap(),
        "force_custom_plan"
    );
    assert_eq!(
        show(&store, "default_transaction_read_only").unwrap(),
        "off"
    );

    let given = PgTarget::parse(&with_param(
        &db.url(),
        "options=-c%20statement_timeout%3D2500%20-c%20lock_timeout%3D1s",
    ))
    .unwrap();
    let store = store_at(&given, dir.path(), "b.db");
    assert_eq!(show(&store, "statement_timeout").unwrap(), "2500ms");
    assert_eq!(show(&store, "lock_timeout").unwrap(), "1s");

    // A read-only store's session is read-only from the login, a session re-made after a
    // loss as well.
    let reader = Store::connect_with_drafts(
        db.target(),
        &FileAccess {
            group: None,
            read_only: true,
        },
        &dir.path().join("c.db"),
    )
    .unwrap();
    assert_eq!(
        show(&reader, "default_transaction_read_only").unwrap(),
        "on"
    );
    let first = backend_pid(&reader);
    admin(&format!("SELECT pg_terminate_backend({first})"));
    within(Duration::from_secs(10), "the reader back", || {
        show(&reader, "default_transaction_read_only").is_ok()
    });
    assert_eq!(
        show(&reader, "default_transaction_read_only").unwrap(),
        "on"
    );
    assert_ne!(backend_pid(&reader), first);
}

#[test]
fn a_console_hears_the_writes_on_its_only_connection_and_a_command_never_listens() {
    let db = ScratchDb::new();
    let dbname = db.target().dbname().to_string();
    let dir = tempfile::tempdir().unwrap();
    let console = store_at(db.target(), dir.path(), "console.db");
    let command = store_at(db.target(), dir.path(), "command.db");
    let listening = |s: &Store| -> i64 {
        s.db.query_one("SELECT count(*) FROM pg_listening_channels()", &[], |r| {
            r.get(0)
        })
        .unwrap()
        .unwrap()
    };
    assert_eq!(listening(&console), 0, "nobody asked for the changes yet");
    let before = console.data_version().unwrap();
    assert_eq!(listening(&console), 1, "listening on the query connection");
    let hears = |console: &Store, before: i64| {
        command.db.batch("NOTIFY guichet_changes").unwrap();
        within(Duration::from_secs(2), "the notification", || {
            console.data_version().unwrap() != before
        });
    };
    hears(&console, before);
    assert_eq!(listening(&command), 0, "a command never listens");
    assert_eq!(sessions(&dbname, None), 2, "one connection per store");

    // Asking is cheap: no statement, no wait (the console asks several times a second).
    let start = Instant::now();
    for _ in 0..1000 {
        console.data_version().unwrap();
    }
    let each = start.elapsed() / 1000;
    assert!(each < Duration::from_millis(1), "{each:?} per ask");

    // The connection lost: said at once, then re-made, listening again, still one.
    let pid = backend_pid(&console);
    admin(&format!("SELECT pg_terminate_backend({pid})"));
    within(Duration::from_secs(2), "the loss said", || {
        console.data_version().is_err()
    });
    within(Duration::from_secs(10), "the console back", || {
        console.data_version().is_ok()
    });
    assert_eq!(listening(&console), 1);
    hears(&console, console.data_version().unwrap());
    assert_eq!(sessions(&dbname, None), 2);

    // A store that first asks for the changes while its session is being re-made (after a
    // query found it lost) listens on the session it gets.
    let pid = backend_pid(&command);
    admin(&format!("SELECT pg_terminate_backend({pid})"));
    within(Duration::from_secs(2), "the loss found", || {
        show(&command, "lock_timeout").is_err()
    });
    assert!(show(&command, "lock_timeout").is_err(), "being re-made");
    within(Duration::from_secs(10), "the command's store back", || {
        command.data_version().is_ok()
    });
    assert_eq!(listening(&command), 1);
}

#[test]
fn a_full_server_is_said_as_such_and_the_stores_connected_keep_their_place() {
    const LIMIT: usize = 5;
    const STORES: usize = 60;
    let db = ScratchDb::new();
    let name = db.target().dbname().to_string();
    let dir = tempfile::tempdir().unwrap();
    drop(store_at(db.target(), dir.path(), "owner.db"));
    let role = format!("full_{name}");
    admin(&format!(
        "CREATE ROLE {role} LOGIN PASSWORD 'pw' CONNECTION LIMIT {LIMIT}"
    ));
    let limited = db.console_role(&role, "pw");

    // Sixty stores at once against five places.
    let start = Instant::now();
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(STORES));
    let opened: Vec<crate::store::Result<Store>> = (0..STORES)
        .map(|i| {
            let (limited, barrier) = (limited.clone(), barrier.clone());
            let drafts = dir.path().join(format!("d{i}.db"));
            std::thread::spawn(move || {
                barrier.wait();
                Store::connect_with_drafts(&limited, &FileAccess::default(), &drafts)
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|h| h.join().expect("no store panics"))
        .collect();
    assert!(
        start.elapsed() < Duration::from_secs(30),
        "{:?}",
        start.elapsed()
    );
    let (stores, refused): (Vec<_>, Vec<_>) = opened.into_iter().partition(Result::is_ok);
    let stores: Vec<Store> = stores.into_iter().map(Result::unwrap).collect();
    assert_eq!(stores.len(), LIMIT);
    let full = format!(
        "{} : le serveur n'accepte plus de connexions (max_connections)",
        limited.shown()
    );
    for e in refused {
        let e = e.err().unwrap();
        assert!(matches!(e, StoreError::Unreachable { .. }), "{e:?}");
        assert!(e.to_string().starts_with(&full), "{e}");
    }
    // Those connected listen on their one connection, and keep it.
    let pids: Vec<i32> = stores.iter().map(backend_pid).collect();
    for s in &stores {
        s.data_version().unwrap();
    }
    assert_eq!(sessions(&name, Some(&role)), LIMIT as i64);
    assert_eq!(stores.iter().map(backend_pid).collect::<Vec<_>>(), pids);

    // One loses its connection and another client takes its place: it says the server is
    // full, waits, tries again, and is back once a place frees.
    admin(&format!("SELECT pg_terminate_backend({})", pids[0]));
    let mut intruder = None;
    within(Duration::from_secs(5), "the freed place taken", || {
        intruder = limited.connect().ok();
        intruder.is_some()
    });
    within(Duration::from_secs(5), "the full server said", || {
        let _ = stores[0].data_version();
        stores[0]
            .connection_problem()
            .is_some_and(|p| p.starts_with(&full))
    });
    for s in &stores[1..] {
        s.data_version().unwrap();
    }
    drop(intruder);
    within(Duration::from_secs(20), "the store back", || {
        stores[0].data_version().is_ok()
    });
    assert_eq!(sessions(&name, Some(&role)), LIMIT as i64);

    drop(stores);
    admin(&format!(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{role}'"
    ));
    db.target()
        .connect()
        .unwrap()
        .batch_execute(&format!("DROP OWNED BY {role}"))
        .unwrap();
    admin(&format!("DROP ROLE {role}"));
}

#[test]
fn a_server_that_takes_the_connection_and_never_answers_is_given_up_host_by_host() {
    // The kernel takes the connections into the queue; nobody ever reads them.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    for mode in ["prefer", "disable"] {
        let target = PgTarget::parse(&format!(
            "postgresql://agent@127.0.0.1:{port}/desk?connect_timeout=1&sslmode={mode}"
        ))
        .unwrap();
        let start = Instant::now();
        let e = PgConn::open(&target).err().unwrap();
        assert!(
            start.elapsed() < Duration::from_secs(2),
            "{:?}",
            start.elapsed()
        );
        assert_eq!(
            e.to_string(),
            format!(
                "postgresql://agent@127.0.0.1:{port}/desk : serveur injoignable (aucune \
                 réponse en 1 s)"
            )
        );
    }
    // In a string of several hosts, each gets its own time, and the one that failed is
    // named: the silent one first, then the test server, reached.
    let db = ScratchDb::new();
    let url = db.url();
    let at = url.find('@').unwrap() + 1;
    let url = format!("{}127.0.0.1:{port},{}", &url[..at], &url[at..]);
    let url = with_param(&url, "connect_timeout=1");
    let target = PgTarget::parse(&url).unwrap();
    let start = Instant::now();
    let mut conn = PgConn::open(&target).unwrap();
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
    assert!(conn.batch("SELECT 1").is_ok());
    let both_silent = PgTarget::parse(&format!(
        "postgresql://agent@127.0.0.1:{port},127.0.0.1:{port}/desk?connect_timeout=1"
    ))
    .unwrap();
    let e = PgConn::open(&both_silent).err().unwrap().to_string();
    let one = format!("127.0.0.1:{port} : serveur injoignable (aucune réponse en 1 s)");
    assert_eq!(e, format!("{one} ; {one}"));
}

#[test]
fn a_stopped_backend_is_given_up_after_the_stores_patience_and_the_store_comes_back() {
    let db = ScratchDb::new();
    let dir = tempfile::tempdir().unwrap();
    let target = PgTarget::parse(&with_param(
        &db.url(),
        "options=-c%20statement_timeout%3D1500%20-c%20lock_timeout%3D500",
    ))
    .unwrap();
    let store = store_at(&target, dir.path(), "a.db");
    let stopped = crate::store::scratch::Stopped::pids(&[backend_pid(&store)]);
    let start = Instant::now();
    let e = store
        .list_calls(&crate::store::CallFilter::default())
        .err()
        .unwrap();
    let waited = start.elapsed();
    assert!(
        waited >= Duration::from_millis(1400) && waited < Duration::from_millis(2500),
        "{waited:?}"
    );
    let slow = format!("serveur lent : {} ne répond pas depuis 2 s", target.shown());
    assert!(matches!(e, StoreError::Unreachable { .. }), "{e:?}");
    assert_eq!(e.to_string(), format!("{slow} : rien n'a été fait"));
    assert_eq!(store.connection_problem(), Some(slow));
    // Only that backend is stopped: the server makes another for the store.
    within(Duration::from_secs(10), "the store back", || {
        store
            .list_calls(&crate::store::CallFilter::default())
            .is_ok()
    });
    drop(stopped);
}
