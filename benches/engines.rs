//! The figures of issue 13 on both engines, side by side (issue 14): the same large desk on
//! an SQLite file and on a PostgreSQL database, measured in the same run; with the targets of
//! issue 21, each printed with its ratio and PASS or FAIL. A target missed (or a run that
//! failed) makes the bench exit non-zero; issue 13's per-key goals are printed for reading
//! (both engines miss them on a shared machine) and do not count.
//!
//! Targets of issue 21 (PostgreSQL against its floor or against SQLite, same run):
//! - `guichet call add` (process, median) ≤ 1.5× `psql` inserting one call row with the same
//!   connection string (TLS as the server offers it, `sslmode` left to its default, as
//!   guichet does): libpq's own floor for a process that connects and writes;
//! - 16 writers, 16 threads each running `guichet call add` processes one after the other,
//!   the same on both engines: PostgreSQL's rate (calls saved per second, wall clock) ≥ 50 %
//!   of SQLite's, 0 errors on either;
//! - first paint (median) ≤ 3× the bare ratatui floor, on both engines;
//! - procedures usable within 1 s of start, on both engines (median over the rounds): a
//!   fresh console, F3, `/` and a query sent the moment the first frame shows, timed from
//!   the spawn until the procedure list shows the query's top match;
//! - the list search on every call: p99 per key ≤ 2× SQLite's.
//!
//! The desk: `GUICHET_BENCH_DB` or the generated one of 1,000,000 calls and 10,000
//! procedures (`target/bench-data/desk-1m-10k/`, as `benches/pty.rs`). Its SQLite copy is
//! copied into a new database of the test server (`GUICHET_TEST_PG`, as the tests) with
//! `guichet --db URL db copy --from FILE`, the process timed; then `VACUUM (ANALYZE)` of
//! the three tables (timed: the server's autovacuum does it within a minute or two of the
//! copy, and would otherwise do it during the measures); whether the copy carried the index
//! of the 10,000 procedures (`Store::ensure_catalog` finds it in line, or rebuilds it:
//! timed), then that index read (`Store::sync_catalog`, timed on both).
//! `GUICHET_BENCH_PG_URL` names a database that already holds the copy (the copy is then
//! not measured); `GUICHET_BENCH_PG_KEEP=1` keeps the one this run made, for the next.
//!
//! Measured, for each engine:
//! - the first paint and the list search, through the real release console in a
//!   pseudo-terminal of 80x24 (`tests/integration/common/pty.rs`, `benches/console`): `/`
//!   then an open call's caller's name, key by key, on the open calls and on every call
//!   (`t` first), each key's latency lasting until the screen shows its result; the bare
//!   ratatui floor's first paint in the same rounds;
//! - the same searches in the store alone, `Store::list_calls` for the first page of 100
//!   of each text typed so far (no console, no terminal): which keys cost what;
//! - how soon the procedures can be searched (above), in the same rounds;
//! - `guichet report handover` as a process, start to exit;
//! - a call saved: `Store::insert_call` (a call with a note and a procedure: three journal
//!   entries), and `guichet call add` as a process (the same call, its procedure checked
//!   against the embedded catalogue: reading the 10,000 files would be the catalogue's
//!   cost, not the engine's), beside `psql` inserting a call row; then 16 writers at once.
//!   The calls saved are closed afterwards (not timed) and come last, after everything else
//!   was measured.
//!
//! `GUICHET_BENCH_ENGINES_RUNS` rounds of the console scenarios (5), every run a fresh
//! console, after one run of each not counted (the drafts file of a PostgreSQL console is
//! created on its first start); `GUICHET_BENCH_ENGINES_SAVES` library saves (300),
//! `GUICHET_BENCH_ENGINES_PROCESSES` runs of each command (20),
//! `GUICHET_BENCH_ENGINES_WRITES` calls by each of the 16 writers (5).
//!
//! `GUICHET_TEST_PG=postgresql://… cargo bench --bench engines`.

#[path = "../tests/integration/common/pty.rs"]
mod pty;

// The generators are shared with the example and the other benches.
#[allow(dead_code)]
mod datagen;

#[allow(dead_code)]
mod console;

use chrono::Utc;
use console::{
    OPERATOR, Program, Res, Samples, Usable, bare, bench_setup, caller_to_type, catalogue,
    clear_drafts_file, describe, env_usize, fmt_ms, guichet, home, load_average, median, ms,
    on_floor, procedures_usable, quantile, remove_copy, run, run_copy, search_all, search_open,
    time_report,
};
use guichet::catalog::embedded_reference;
use guichet::catalog::procedures::CatalogSource;
use guichet::domain::call::{CallDraft, Outcome};
use guichet::store::scratch::{ScratchDb, test_server};
use guichet::store::{CallFilter, FileAccess, PgTarget, ProcedureQuery, Store};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Goals of issue 13 (printed, not counted).
const KEY_P99: Duration = Duration::from_millis(2);

/// Targets of issue 21.
const FIRST_PAINT_RATIO: f64 = 3.0;
const CALL_ADD_OVER_PSQL: f64 = 1.5;
const WRITERS: usize = 16;
const WRITERS_SHARE: f64 = 0.5;
const PROCEDURES_USABLE: Duration = Duration::from_secs(1);
const SEARCH_ALL_P99_OVER_SQLITE: f64 = 2.0;

/// What an operator types in the procedure list on a console just started.
const PROCEDURE_QUERY: &str = "vpn bleu";

/// The calls this bench saves, apart from the desk's.
const SAVED_CALLER: &str = "Banc Enregistrement";
const SAVED_SUMMARY: &str = "VPN reste bleu après la mise à jour, redémarrage sans effet";
const SAVED_NOTES: &str = "rappeler après 14 h si le VPN ne revient pas";
const SAVED_PROCEDURE: &str = "mi-noemi-reset-vpn";

fn main() {
    match bench() {
        Ok(true) => {}
        Ok(false) => {
            eprintln!("engines bench: a target missed or a run FAILED (see above)");
            std::process::exit(1);
        }
        Err(e) => {
            eprintln!("engines bench: {e}");
            std::process::exit(1);
        }
    }
}

/// The PostgreSQL database of the run: made here (dropped at the end unless kept), or
/// named by `GUICHET_BENCH_PG_URL`.
struct PgDesk {
    target: PgTarget,
    /// The database made for this run; none when it was given.
    scratch: Option<ScratchDb>,
}

impl PgDesk {
    fn target(&self) -> &PgTarget {
        &self.target
    }
    fn url(&self) -> String {
        self.target.url_with_password()
    }
}

/// One engine's console, its store's location for the library figures.
struct Side {
    label: &'static str,
    program: Program,
    /// Where the drafts of its consoles go (cleared after each run).
    drafts: Drafts,
}

enum Drafts {
    /// In the SQLite database itself (`run` clears them).
    InDb,
    /// In the local files of this folder (`<state>/guichet/brouillons-*.db`).
    Local(PathBuf),
}

impl Side {
    fn run(&self, scenario: &console::Scenario) -> console::Run {
        let mut r = run(&self.program, scenario);
        if let Some(e) = self.clear_local_drafts() {
            r.failure.get_or_insert(e);
        }
        r
    }

    /// A console started, the procedure list searched at once.
    fn usable(&self, expect: &str) -> Usable {
        let mut r = procedures_usable(&self.program, PROCEDURE_QUERY, expect);
        if let Some(e) = self.clear_local_drafts() {
            r.failure.get_or_insert(e);
        }
        r
    }

    /// The drafts a server console left in its local files, gone before the next run.
    fn clear_local_drafts(&self) -> Option<String> {
        let Drafts::Local(state) = &self.drafts else {
            return None;
        };
        let dir = state.join("guichet");
        let files = std::fs::read_dir(&dir).into_iter().flatten().flatten();
        for f in files {
            let p = f.path();
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            if name.starts_with("brouillons-")
                && name.ends_with(".db")
                && let Err(e) = clear_drafts_file(&p)
            {
                return Some(format!("drafts of {} not cleared: {e}", p.display()));
            }
        }
        None
    }
}

fn bench() -> Res<bool> {
    let whole = Instant::now();
    let rounds = env_usize("GUICHET_BENCH_ENGINES_RUNS", 5).max(1);
    let saves = env_usize("GUICHET_BENCH_ENGINES_SAVES", 300).max(10);
    let processes = env_usize("GUICHET_BENCH_ENGINES_PROCESSES", 20).max(1);
    let writes = env_usize("GUICHET_BENCH_ENGINES_WRITES", 5).max(1);
    println!("== the figures of issues 13 and 21 on SQLite and on PostgreSQL, side by side ==");
    let (guichet_path, bare_path, desk) = bench_setup()?;
    let home = home()?;
    let state = home.path().join("state");
    std::fs::create_dir_all(&state)?;
    let catalog = catalogue(Some(&desk.catalog))?;
    let reference = embedded_reference();

    // SQLite: a copy of the desk, its index in line with the catalogue.
    let (db, sqlite_index) = run_copy(&desk, "engines-sqlite", Some(&desk.catalog))?;
    println!(
        "sqlite   {} (index of {} procedures: {:.1} s)",
        db.display(),
        desk.procedures,
        sqlite_index.as_secs_f64()
    );

    // PostgreSQL: the same desk copied into a new database by `guichet db copy --from`.
    let pg = match std::env::var("GUICHET_BENCH_PG_URL") {
        Ok(url) => PgDesk {
            target: PgTarget::parse(&url).map_err(|e| format!("GUICHET_BENCH_PG_URL: {e}"))?,
            scratch: None,
        },
        Err(_) => {
            let scratch = ScratchDb::new();
            PgDesk {
                target: scratch.target().clone(),
                scratch: Some(scratch),
            }
        }
    };
    let server = test_server();
    println!(
        "postgres {} (server {}, {})",
        pg.target().shown(),
        server.shown(),
        server_version(pg.target())?
    );
    let base_env = |db: &str| -> Vec<(String, String)> {
        let s = |p: &Path| p.to_string_lossy().into_owned();
        vec![
            ("TERM".into(), "xterm-256color".into()),
            ("GUICHET_DB".into(), db.to_string()),
            ("GUICHET_OPERATOR".into(), OPERATOR.into()),
            ("GUICHET_STATE_DIR".into(), s(&state)),
            ("XDG_CONFIG_HOME".into(), s(&home.path().join("config"))),
            ("XDG_DATA_HOME".into(), s(&home.path().join("data"))),
            ("HOME".into(), s(home.path())),
        ]
    };
    let mut copy_row = None;
    let mut analyze_row = None;
    if pg.scratch.is_some() {
        let t = Instant::now();
        let out = {
            let _no_pty_being_opened = pty::SPAWN.lock().unwrap_or_else(|e| e.into_inner());
            Command::new(&guichet_path)
                .args(["db", "copy", "--from"])
                .arg(&db)
                .env_clear()
                .envs(base_env(&pg.url()))
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()?
        }
        .wait_with_output()?;
        let took = t.elapsed();
        if !out.status.success() {
            return Err(format!(
                "guichet db copy --from failed: {}",
                String::from_utf8_lossy(&out.stderr)
            )
            .into());
        }
        println!(
            "copy     guichet --db {} db copy --from {}: {:.1} s\n         {}",
            pg.target().shown(),
            db.display(),
            took.as_secs_f64(),
            String::from_utf8_lossy(&out.stdout).trim()
        );
        copy_row = Some(took);
        // What autovacuum would do within a minute or two of the copy, done before
        // measuring rather than during it: statistics, the trigram index's pending list
        // merged, the visibility map.
        let t = Instant::now();
        let mut client = pg.target().connect()?;
        for table in ["calls", "journal", "handover_entries"] {
            client.batch_execute(&format!("VACUUM (ANALYZE) {table}"))?;
        }
        analyze_row = Some(t.elapsed());
        println!(
            "vacuum   VACUUM (ANALYZE): {:.1} s",
            t.elapsed().as_secs_f64()
        );
    }
    // The index as the copy left it: a console's loader asks `ensure_catalog` first.
    let t = Instant::now();
    let rebuilt = pg_store(pg.target(), home.path())?
        .ensure_catalog(&CatalogSource::dir(&desk.catalog, &reference))?
        .is_some();
    let carried = (!rebuilt, t.elapsed());
    println!(
        "postgres index of {} procedures after the copy: {}",
        desk.procedures,
        if rebuilt {
            format!("rebuilt, {:.1} s", carried.1.as_secs_f64())
        } else {
            format!("in line, nothing to rebuild ({})", fmt_ms(Some(carried.1)))
        }
    );
    let t = Instant::now();
    pg_store(pg.target(), home.path())?.sync_catalog(&catalog)?;
    let pg_index = t.elapsed();
    println!(
        "postgres index of {} procedures: {:.1} s; {}",
        desk.procedures,
        pg_index.as_secs_f64(),
        pg_sizes(pg.target())?
    );

    // The procedure list's answer to the query, its top match's title as the list shows
    // it (the beginning: a long title is cut to the screen).
    let expect: String = {
        let store = Store::open(&db)?;
        let index = store.load_search_index()?;
        let top = store.search_procedures(
            &index,
            &ProcedureQuery {
                text: PROCEDURE_QUERY,
                limit: 1,
                ..ProcedureQuery::default()
            },
        )?;
        let title = &top
            .first()
            .ok_or(format!("no procedure for {PROCEDURE_QUERY:?}"))?
            .title;
        title.chars().take(40).collect()
    };
    println!("procedures types {PROCEDURE_QUERY:?} at start, waits for {expect:?}");
    let (name, open_n, all_n) = caller_to_type(&db)?;
    println!(
        "search   types {name:?} (an open call's caller: {open_n} open calls and {all_n} calls in all match)"
    );
    println!(
        "rounds   {rounds}, key deadline {:?}, load average {}",
        console::key_deadline(),
        load_average()
    );

    let floor = bare(&bare_path);
    let mut sqlite_program = guichet(
        "sqlite",
        &guichet_path,
        &db,
        Some(&desk.catalog),
        home.path(),
    );
    sqlite_program.env = base_env(&db.to_string_lossy());
    let mut pg_program = sqlite_program.clone();
    pg_program.label = "postgres".into();
    pg_program.env = base_env(&pg.url());
    pg_program.db = None;
    let sides = [
        Side {
            label: "SQLite",
            program: sqlite_program,
            drafts: Drafts::InDb,
        },
        Side {
            label: "PostgreSQL",
            program: pg_program,
            drafts: Drafts::Local(state.clone()),
        },
    ];
    let scenarios = [search_open(&name), search_all(&name)];

    // One run of each, not counted: files created on a first start, caches warm.
    let mut failed = 0;
    for side in &sides {
        for scenario in &scenarios {
            let r = side.run(scenario);
            if let Some(f) = &r.failure {
                failed += 1;
                println!("FAILED warm-up {} {}: {f}", side.label, scenario.name);
            }
        }
        if let Some(f) = side.usable(&expect).failure {
            failed += 1;
            println!("FAILED warm-up {} procedures: {f}", side.label);
        }
    }

    let mut floor_samples = Samples::default();
    let mut samples: Vec<Vec<Samples>> = vec![vec![Samples::default(); scenarios.len()]; 2];
    let mut usable: Vec<Vec<Usable>> = vec![Vec::new(), Vec::new()];
    println!();
    for round in 0..rounds {
        let r = run(&floor, &on_floor(&scenarios[0]));
        println!(
            "round {}/{rounds}  {:<10} {:<12} first paint {:>10}",
            round + 1,
            "floor",
            "search-open",
            fmt_ms(r.first_paint),
        );
        floor_samples.runs.push(r);
        for (e, side) in sides.iter().enumerate() {
            for (k, scenario) in scenarios.iter().enumerate() {
                let r = side.run(scenario);
                let lat: Vec<Duration> = r.keys.iter().map(|k| k.latency).collect();
                println!(
                    "round {}/{rounds}  {:<10} {:<12} first paint {:>10}  keys {:>2}  median {:>10}  p99 {:>10}  {}{}",
                    round + 1,
                    side.label,
                    scenario.name,
                    fmt_ms(r.first_paint),
                    lat.len(),
                    fmt_ms(median(&lat)),
                    fmt_ms(quantile(&lat, 0.99)),
                    r.ending,
                    r.failure
                        .as_deref()
                        .map(|f| format!("\n  FAILED: {f}"))
                        .unwrap_or_default()
                );
                samples[e][k].runs.push(r);
            }
            let u = side.usable(&expect);
            println!(
                "round {}/{rounds}  {:<10} {:<12} first paint {:>10}  procedures usable {:>10}  {}{}",
                round + 1,
                side.label,
                "procedures",
                fmt_ms(u.first_paint),
                fmt_ms(u.usable),
                u.ending,
                u.failure
                    .as_deref()
                    .map(|f| format!("\n  FAILED: {f}"))
                    .unwrap_or_default()
            );
            if u.failure.is_some() {
                failed += 1;
            }
            usable[e].push(u);
        }
    }
    println!("\n-- per engine and scenario, over every run --");
    println!("{}", describe("floor", "search-open", &floor_samples));
    for (e, side) in sides.iter().enumerate() {
        for (k, scenario) in scenarios.iter().enumerate() {
            println!("{}", describe(side.label, scenario.name, &samples[e][k]));
            for f in samples[e][k].failures() {
                failed += 1;
                println!("FAILED {} {}: {f}", side.label, scenario.name);
            }
        }
    }
    // Per key, on every call: which keys cost what (the text typed so far).
    for (e, side) in sides.iter().enumerate() {
        let s = &samples[e][1];
        let typed: Vec<char> = name.chars().collect();
        let mut line = format!("{} search-all, per key (median of runs):", side.label);
        for (i, c) in typed.iter().enumerate() {
            let at: Vec<Duration> = s
                .runs
                .iter()
                .filter_map(|r| r.keys.get(i).map(|k| k.latency))
                .collect();
            line.push_str(&format!(" {c}={:.2}", median(&at).map_or(f64::NAN, ms)));
        }
        println!("{line}");
    }

    // The same searches in the store alone (no console, no terminal): the list's first
    // page for each text typed so far, as the console asks for it on each key.
    let reps = env_usize("GUICHET_BENCH_ENGINES_STORE_REPS", 20).max(1);
    let stores = [Store::open(&db)?, pg_store(pg.target(), home.path())?];
    println!("\n-- list_calls alone, first page of 100, median of {reps} (p99 in brackets) --");
    println!(
        "| typed | open: SQLite | open: PostgreSQL | all: SQLite | all: PostgreSQL | all: rows |"
    );
    println!("|---|---:|---:|---:|---:|---:|");
    let typed: Vec<char> = name.chars().collect();
    for n in 1..=typed.len() {
        let text: String = typed[..n].iter().collect();
        let mut cells = Vec::new();
        let mut rows = 0;
        for open_only in [true, false] {
            for store in &stores {
                let filter = CallFilter {
                    open_only,
                    caller: Some(text.clone()),
                    limit: Some(100),
                    ..CallFilter::default()
                };
                let mut t = Vec::with_capacity(reps);
                for _ in 0..reps {
                    let s = Instant::now();
                    rows = store.list_calls(&filter)?.len();
                    t.push(s.elapsed());
                }
                cells.push(format!(
                    "{:.2} ({:.2})",
                    median(&t).map_or(f64::NAN, ms),
                    quantile(&t, 0.99).map_or(f64::NAN, ms)
                ));
            }
        }
        println!("| `{text}` | {} | {rows} |", cells.join(" | "));
    }
    drop(stores);

    // The handover report, as a process.
    let mut reports = Vec::new();
    for side in &sides {
        let r = time_report(&side.program, processes)?;
        println!(
            "{} report handover: median {}, p99 {}",
            side.label,
            fmt_ms(median(&r)),
            fmt_ms(quantile(&r, 0.99))
        );
        reports.push(r);
    }

    // Saves, last: they add calls to the desk.
    let mut library = Vec::new();
    let mut commands = Vec::new();
    let mut psql_floor = Vec::new();
    let mut psql_writers: Option<Writers> = None;
    let mut pgbench_floor: Option<Result<f64, String>> = None;
    let mut writer_runs = Vec::new();
    for side in &sides {
        let mut store = match side.label {
            "SQLite" => Store::open(&db)?,
            _ => pg_store(pg.target(), home.path())?,
        };
        let mut times = Vec::with_capacity(saves);
        for i in 0..saves + 10 {
            let call = CallDraft {
                caller_name: SAVED_CALLER.into(),
                caller_phone: format!("06 12 34 {:02} {:02}", i / 100 % 100, i % 100),
                service: "mi".into(),
                device: "noemi".into(),
                summary: SAVED_SUMMARY.into(),
                notes: SAVED_NOTES.into(),
                procedures: vec![SAVED_PROCEDURE.into()],
                ..CallDraft::default()
            }
            .validate(&reference, OPERATOR, Utc::now())
            .map_err(|e| format!("{e:?}"))?;
            let t = Instant::now();
            let stored = store.insert_call(&call)?;
            let took = t.elapsed();
            // The first ten warm the statements' caches.
            if i >= 10 {
                times.push(took);
            }
            store.close_call(
                stored.reference,
                OPERATOR,
                Utc::now(),
                Outcome::Resolved,
                None,
            )?;
        }
        println!(
            "{} Store::insert_call: {} saves, median {}, p99 {}, max {}",
            side.label,
            times.len(),
            fmt_ms(median(&times)),
            fmt_ms(quantile(&times, 0.99)),
            fmt_ms(times.iter().max().copied())
        );
        library.push(times);

        let mut times = Vec::with_capacity(processes);
        for i in 0..processes {
            let phone = format!("07 98 76 {:02} {:02}", i / 100 % 100, i % 100);
            let t = Instant::now();
            let out = call_add(&side.program, &phone)?;
            let took = t.elapsed();
            if !out.status.success() {
                return Err(format!(
                    "{} guichet call add failed: {}",
                    side.label,
                    String::from_utf8_lossy(&out.stderr)
                )
                .into());
            }
            times.push(took);
        }
        println!(
            "{} guichet call add: {} runs, median {}, p99 {}",
            side.label,
            times.len(),
            fmt_ms(median(&times)),
            fmt_ms(quantile(&times, 0.99))
        );
        commands.push(times);
        if side.label == "PostgreSQL" {
            // libpq's floor: a process that connects as guichet does and writes one row.
            let insert = PsqlInsert::new(&side.program, &pg.url());
            let times = psql_inserts(&insert, processes)?;
            println!(
                "{} psql INSERT of a call: {} runs, median {}, p99 {}",
                side.label,
                times.len(),
                fmt_ms(median(&times)),
                fmt_ms(quantile(&times, 0.99))
            );
            psql_floor = times;
            // The same floor for the writers: 16 psql processes at once.
            let w = writers(WRITERS, writes, |_, _| insert.run());
            println!(
                "{} {WRITERS} writers, psql INSERT of a call: {} saved in {:.2} s ({:.1}/s), {} errors",
                side.label,
                w.saved,
                w.took.as_secs_f64(),
                w.rate(),
                w.errors
            );
            psql_writers = Some(w);
            // libpq's C benchmark, a connection per transaction and no process started:
            // what any client that connects for each write can reach here.
            pgbench_floor = Some(pgbench_connect_per_write(&insert, WRITERS, writes));
            if let Some(Ok(rate)) = &pgbench_floor {
                println!("{} {WRITERS} writers, pgbench -C: {rate:.1}/s", side.label);
            }
        }
        let w = writers(WRITERS, writes, |w, i| {
            call_add(
                &side.program,
                &format!("05 {:02} {:02} 00 00", w % 100, i % 100),
            )
        });
        println!(
            "{} {WRITERS} writers: {} calls saved in {:.2} s ({:.1} calls/s), {} errors{}",
            side.label,
            w.saved,
            w.took.as_secs_f64(),
            w.rate(),
            w.errors,
            w.first_error
                .as_deref()
                .map(|e| format!(" (first: {e})"))
                .unwrap_or_default()
        );
        writer_runs.push(w);
        // The calls saved by the commands, closed: the open calls stay the desk's.
        let open = store.list_calls(&CallFilter {
            open_only: true,
            caller: Some(SAVED_CALLER.to_lowercase()),
            ..CallFilter::default()
        })?;
        for call in open {
            store.close_call(
                call.reference,
                OPERATOR,
                Utc::now(),
                Outcome::Resolved,
                None,
            )?;
        }
    }

    // The table.
    let floor_paint = median(&floor_samples.first_paints());
    let paint = |e: usize| {
        median(
            &samples[e]
                .iter()
                .flat_map(Samples::first_paints)
                .collect::<Vec<_>>(),
        )
    };
    let keys = |e: usize, k: usize| samples[e][k].latencies(None);
    let usable_at =
        |e: usize| -> Vec<Duration> { usable[e].iter().filter_map(|u| u.usable).collect() };
    let mut rows: Vec<Row> = Vec::new();
    let info = |figure: String, a: Option<Duration>, b: Option<Duration>| Row {
        figure,
        goal: "—".into(),
        sqlite: fmt_ms(a),
        postgres: fmt_ms(b),
        ratio: ratio(b, a),
        verdict: None,
    };
    let secs =
        |d: Option<Duration>| d.map_or("—".to_string(), |d| format!("{:.1} s", d.as_secs_f64()));
    rows.push(Row {
        figure: format!("`db copy --from` the SQLite file ({} calls)", desk.calls),
        postgres: match copy_row {
            Some(d) => secs(Some(d)),
            None => "not measured (GUICHET_BENCH_PG_URL)".into(),
        },
        ..Row::blank()
    });
    rows.push(Row {
        figure: "`VACUUM (ANALYZE)` after the copy".into(),
        postgres: secs(analyze_row),
        ..Row::blank()
    });
    rows.push(Row {
        figure: "procedure index after the copy (`ensure_catalog`)".into(),
        postgres: if carried.0 {
            format!("carried, in line ({})", fmt_ms(Some(carried.1)))
        } else {
            format!("rebuilt: {}", secs(Some(carried.1)))
        },
        ..Row::blank()
    });
    rows.push(Row {
        figure: format!(
            "procedure index, {} procedures, read (`sync_catalog`)",
            desk.procedures
        ),
        sqlite: secs(Some(sqlite_index)),
        postgres: secs(Some(pg_index)),
        ratio: ratio(Some(pg_index), Some(sqlite_index)),
        ..Row::blank()
    });
    for (what, v) in [
        ("`Store::insert_call`", &library),
        ("`guichet call add` (process)", &commands),
    ] {
        rows.push(info(
            format!("call save, {what}: median"),
            median(&v[0]),
            median(&v[1]),
        ));
        rows.push(info(
            format!("call save, {what}: p99"),
            quantile(&v[0], 0.99),
            quantile(&v[1], 0.99),
        ));
    }
    let floor = median(&psql_floor);
    rows.push(Row::target(
        format!(
            "`guichet call add` (process) median, against `psql` INSERT of a call ({})",
            fmt_ms(floor)
        ),
        format!("≤ {CALL_ADD_OVER_PSQL}× psql"),
        None,
        times_floor(median(&commands[1]), floor, CALL_ADD_OVER_PSQL),
        String::new(),
    ));
    let (sw, pw) = (&writer_runs[0], &writer_runs[1]);
    let share = if sw.rate() > 0.0 {
        pw.rate() / sw.rate()
    } else {
        0.0
    };
    let writers_met = share >= WRITERS_SHARE && sw.errors == 0 && pw.errors == 0;
    rows.push(Row {
        figure: format!(
            "{WRITERS} writers (threads running `guichet call add` processes), calls/s"
        ),
        goal: format!("≥ {:.0} % of SQLite, 0 errors", WRITERS_SHARE * 100.0),
        sqlite: sw.cell(),
        postgres: format!(
            "{} ({:.0} %) {}",
            pw.cell(),
            share * 100.0,
            pass(writers_met)
        ),
        ratio: format!("×{share:.2}"),
        verdict: Some(writers_met),
    });
    if let Some(floor) = &psql_writers {
        // libpq's own floor for the same load: what any client that connects per write
        // can reach on this machine, beside SQLite's rate.
        let floor_share = if sw.rate() > 0.0 {
            floor.rate() / sw.rate()
        } else {
            0.0
        };
        rows.push(Row {
            figure: format!("{WRITERS} writers, floor: `psql` processes inserting a call, calls/s"),
            goal: "(for reading)".into(),
            sqlite: sw.cell(),
            postgres: format!("{} ({:.0} %)", floor.cell(), floor_share * 100.0),
            ratio: format!("×{floor_share:.2}"),
            verdict: None,
        });
    }
    if let Some(floor) = &pgbench_floor {
        let (postgres, ratio) = match floor {
            Ok(rate) if sw.rate() > 0.0 => {
                let share = rate / sw.rate();
                (
                    format!("{rate:.1}/s ({:.0} %)", share * 100.0),
                    format!("×{share:.2}"),
                )
            }
            Ok(rate) => (format!("{rate:.1}/s"), String::new()),
            Err(e) => (format!("not measured: {e}"), String::new()),
        };
        rows.push(Row {
            figure: format!(
                "{WRITERS} writers, floor: `pgbench -C` (libpq, a connection per call, no process), calls/s"
            ),
            goal: "(for reading)".into(),
            sqlite: sw.cell(),
            postgres,
            ratio,
            verdict: None,
        });
    }
    rows.push(info(
        "`guichet report handover` (process): median".into(),
        median(&reports[0]),
        median(&reports[1]),
    ));
    rows.push(info(
        "`guichet report handover` (process): p99".into(),
        quantile(&reports[0], 0.99),
        quantile(&reports[1], 0.99),
    ));
    for (k, what) in [(0, "open calls"), (1, "all calls")] {
        rows.push(info(
            format!("list search, {what}: per key median"),
            median(&keys(0, k)),
            median(&keys(1, k)),
        ));
        let (a, b) = (quantile(&keys(0, k), 0.99), quantile(&keys(1, k), 0.99));
        let at_most = |v: Option<Duration>| match v {
            Some(v) => format!(
                "{} {}",
                fmt_ms(Some(v)),
                if v <= KEY_P99 { "met" } else { "missed" }
            ),
            None => "-".into(),
        };
        rows.push(Row {
            figure: format!("list search, {what}: per key p99 (issue 13)"),
            goal: format!("≤ {} ms, not counted", ms(KEY_P99)),
            sqlite: at_most(a),
            postgres: at_most(b),
            ratio: ratio(b, a),
            verdict: None,
        });
        if k == 1 {
            rows.push(Row::target(
                "list search, all calls: per key p99, against SQLite's".into(),
                format!("≤ {SEARCH_ALL_P99_OVER_SQLITE}× SQLite"),
                None,
                times_floor(b, a, SEARCH_ALL_P99_OVER_SQLITE),
                ratio(b, a),
            ));
        }
    }
    rows.push(Row::target(
        format!(
            "first paint, median (bare floor {} in the same rounds)",
            fmt_ms(floor_paint)
        ),
        format!("≤ {FIRST_PAINT_RATIO}× floor"),
        Some(times_floor(paint(0), floor_paint, FIRST_PAINT_RATIO)),
        times_floor(paint(1), floor_paint, FIRST_PAINT_RATIO),
        ratio(paint(1), paint(0)),
    ));
    let within = |v: Option<Duration>| -> (String, bool) {
        match v {
            Some(v) => (
                format!("{} {}", fmt_ms(Some(v)), pass(v <= PROCEDURES_USABLE)),
                v <= PROCEDURES_USABLE,
            ),
            None => ("- FAIL".into(), false),
        }
    };
    rows.push(Row::target(
        format!(
            "procedures usable after start, median (max SQLite {}, PostgreSQL {})",
            fmt_ms(usable_at(0).iter().max().copied()),
            fmt_ms(usable_at(1).iter().max().copied())
        ),
        format!("≤ {} s", PROCEDURES_USABLE.as_secs()),
        Some(within(median(&usable_at(0)))),
        within(median(&usable_at(1))),
        ratio(median(&usable_at(1)), median(&usable_at(0))),
    ));
    println!(
        "\n-- {} calls, {} procedures; {rounds} rounds of the console, {saves} library saves, {processes} runs of each command, {WRITERS} writers × {writes} calls; SQLite and PostgreSQL in the same run --",
        desk.calls, desk.procedures
    );
    print_table(&rows);
    let missed: Vec<&str> = rows
        .iter()
        .filter(|r| r.verdict == Some(false))
        .map(|r| r.figure.as_str())
        .collect();
    let targets = rows.iter().filter(|r| r.verdict.is_some()).count();
    println!(
        "\ntargets of issue 21: {} of {targets} met{}",
        targets - missed.len(),
        if missed.is_empty() {
            String::new()
        } else {
            format!("; missed: {}", missed.join(" ; "))
        }
    );
    println!(
        "(bench took {:.0} s; load average now {})",
        whole.elapsed().as_secs_f64(),
        load_average()
    );

    remove_copy(&db);
    if let Some(s) = pg.scratch {
        if std::env::var_os("GUICHET_BENCH_PG_KEEP").is_some() {
            println!(
                "kept: GUICHET_BENCH_PG_URL={} (drop it with DROP DATABASE {})",
                s.target().shown(),
                s.target().dbname()
            );
            std::mem::forget(s);
        } else {
            drop(s);
        }
    }
    if failed > 0 {
        println!("{failed} runs FAILED (see above)");
    }
    Ok(failed == 0 && missed.is_empty())
}

/// A store on the server, its drafts in the bench's home.
fn pg_store(target: &PgTarget, home: &Path) -> Res<Store> {
    Ok(Store::connect_with_drafts(
        target,
        &FileAccess::default(),
        &home.join("bench-drafts.db"),
    )?)
}

fn server_version(target: &PgTarget) -> Res<String> {
    let mut c = target.connect()?;
    let v: String = c.query_one("SHOW server_version", &[])?.get(0);
    Ok(format!("PostgreSQL {v}"))
}

/// How big the copy is on the server.
fn pg_sizes(target: &PgTarget) -> Res<String> {
    let mut c = target.connect()?;
    let row = c.query_one(
        "SELECT pg_size_pretty(pg_database_size(current_database())), \
         pg_size_pretty(pg_relation_size('calls')), \
         pg_size_pretty(pg_relation_size('calls_search'))",
        &[],
    )?;
    Ok(format!(
        "database {}, calls {}, trigram index {}",
        row.get::<_, String>(0),
        row.get::<_, String>(1),
        row.get::<_, String>(2)
    ))
}

fn pass(met: bool) -> &'static str {
    if met { "PASS" } else { "FAIL" }
}

/// A figure against its floor: the cell (value, ratio, verdict) and whether it is within
/// `times` the floor.
fn times_floor(v: Option<Duration>, floor: Option<Duration>, times: f64) -> (String, bool) {
    match (v, floor) {
        (Some(v), Some(f)) if f > Duration::ZERO => {
            let x = ms(v) / ms(f);
            (
                format!("{} (×{x:.1}) {}", fmt_ms(Some(v)), pass(x <= times)),
                x <= times,
            )
        }
        (v, _) => (format!("{} FAIL", fmt_ms(v)), false),
    }
}

/// One line of the table; `verdict` for the targets of issue 21.
struct Row {
    figure: String,
    goal: String,
    sqlite: String,
    postgres: String,
    ratio: String,
    verdict: Option<bool>,
}

impl Row {
    fn blank() -> Row {
        Row {
            figure: String::new(),
            goal: "—".into(),
            sqlite: "—".into(),
            postgres: "—".into(),
            ratio: String::new(),
            verdict: None,
        }
    }

    /// A target, on PostgreSQL (SQLite's figure shown when it is a target there too).
    fn target(
        figure: String,
        goal: String,
        sqlite: Option<(String, bool)>,
        postgres: (String, bool),
        ratio: String,
    ) -> Row {
        let met = postgres.1 && sqlite.as_ref().is_none_or(|s| s.1);
        Row {
            figure,
            goal,
            sqlite: sqlite.map_or("—".into(), |s| s.0),
            postgres: postgres.0,
            ratio,
            verdict: Some(met),
        }
    }
}

/// PostgreSQL's figure over SQLite's.
fn ratio(pg: Option<Duration>, sqlite: Option<Duration>) -> String {
    match (pg, sqlite) {
        (Some(p), Some(s)) if s > Duration::ZERO => format!("×{:.1}", ms(p) / ms(s)),
        _ => String::new(),
    }
}

fn print_table(rows: &[Row]) {
    let w = |f: &dyn Fn(&Row) -> &str, head: &str| {
        rows.iter()
            .map(|r| f(r).chars().count())
            .chain([head.chars().count()])
            .max()
            .unwrap_or(4)
    };
    let (wf, wg, ws, wp, wr) = (
        w(&|r| &r.figure, "figure"),
        w(&|r| &r.goal, "goal"),
        w(&|r| &r.sqlite, "SQLite"),
        w(&|r| &r.postgres, "PostgreSQL"),
        w(&|r| &r.ratio, "PG / SQLite"),
    );
    let pad = |s: &str, n: usize| format!("{s}{}", " ".repeat(n.saturating_sub(s.chars().count())));
    let lpad =
        |s: &str, n: usize| format!("{}{s}", " ".repeat(n.saturating_sub(s.chars().count())));
    println!(
        "| {} | {} | {} | {} | {} |",
        pad("figure", wf),
        pad("goal", wg),
        lpad("SQLite", ws),
        lpad("PostgreSQL", wp),
        lpad("PG / SQLite", wr)
    );
    println!(
        "|{}|{}|{}:|{}:|{}:|",
        "-".repeat(wf + 2),
        "-".repeat(wg + 2),
        "-".repeat(ws + 1),
        "-".repeat(wp + 1),
        "-".repeat(wr + 1)
    );
    for r in rows {
        println!(
            "| {} | {} | {} | {} | {} |",
            pad(&r.figure, wf),
            pad(&r.goal, wg),
            lpad(&r.sqlite, ws),
            lpad(&r.postgres, wp),
            lpad(&r.ratio, wr)
        );
    }
}

/// `guichet call add` of the saved call as a process, start to exit.
fn call_add(program: &Program, phone: &str) -> std::io::Result<std::process::Output> {
    let child = {
        let _no_pty_being_opened = pty::SPAWN.lock().unwrap_or_else(|e| e.into_inner());
        Command::new(&program.path)
            .args([
                "call",
                "add",
                "--service",
                "mi",
                "--device",
                "noemi",
                "--caller",
                SAVED_CALLER,
                "--phone",
                phone,
                "--summary",
                SAVED_SUMMARY,
                "--notes",
                SAVED_NOTES,
                "--procedure",
                SAVED_PROCEDURE,
            ])
            .env_clear()
            .envs(program.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()?
    };
    child.wait_with_output()
}

/// `psql` inserting one call row and its opening journal line, started with the console's
/// connection string (the same server, role, password and TLS, `sslmode` left to its
/// default as guichet leaves it) and the bench's home: libpq's own floor for a process that
/// connects and writes. The row is the saved call's, open (closed with the others
/// afterwards).
struct PsqlInsert {
    url: String,
    sql: String,
    home: String,
}

impl PsqlInsert {
    fn new(program: &Program, url: &str) -> PsqlInsert {
        use guichet::domain::text::fold;
        let phone = "06 00 00 00 00";
        let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
        let quoted = |s: &str| format!("'{}'", s.replace('\'', "''"));
        // With its opening line in the journal, in the same statement: the server refuses
        // a call written without one (issue 21, the record kept by the server).
        let sql = format!(
            "WITH c AS (INSERT INTO calls (opened_at, operator, caller_name, caller_phone, \
             service, device, summary, search_key, search_text) VALUES \
             (extract(epoch FROM now())::bigint, {0}, {1}, {2}, 'mi', 'noemi', {3}, {4}, {5}) \
             RETURNING id) INSERT INTO journal (call_id, operator, kind, body) \
             SELECT id, {0}, 'opened', {3} FROM c",
            quoted(OPERATOR),
            quoted(SAVED_CALLER),
            quoted(phone),
            quoted(SAVED_SUMMARY),
            quoted(&format!("{} {digits}", fold(SAVED_CALLER))),
            quoted(&format!(
                "{} {digits} {}",
                fold(SAVED_CALLER),
                fold(SAVED_SUMMARY)
            )),
        );
        let home = program
            .env
            .iter()
            .find(|(k, _)| k == "HOME")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        PsqlInsert {
            url: url.to_string(),
            sql,
            home,
        }
    }

    /// One insert, a process of its own.
    fn run(&self) -> std::io::Result<std::process::Output> {
        let child = {
            let _no_pty_being_opened = pty::SPAWN.lock().unwrap_or_else(|e| e.into_inner());
            Command::new("psql")
                .args([
                    "-X",
                    "-q",
                    "-v",
                    "ON_ERROR_STOP=1",
                    "-d",
                    &self.url,
                    "-c",
                    &self.sql,
                ])
                .env_clear()
                .env("PATH", std::env::var_os("PATH").unwrap_or_default())
                .env("HOME", &self.home)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()?
        };
        child.wait_with_output()
    }
}

/// `pgbench -C` (PostgreSQL's own benchmark, on libpq) running the same insert as
/// [`PsqlInsert`] with `clients` clients of `each` transactions, a new connection for every
/// one: the rate any client that connects per write reaches, without starting a process.
/// pgbench is found beside the server's programs (`pg_config --bindir`).
fn pgbench_connect_per_write(
    insert: &PsqlInsert,
    clients: usize,
    each: usize,
) -> Result<f64, String> {
    let bindir = Command::new("pg_config")
        .arg("--bindir")
        .output()
        .map_err(|e| format!("pg_config: {e}"))?;
    let pgbench = Path::new(String::from_utf8_lossy(&bindir.stdout).trim()).join("pgbench");
    let script = tempfile::NamedTempFile::new().map_err(|e| e.to_string())?;
    std::fs::write(script.path(), format!("{};\n", insert.sql)).map_err(|e| e.to_string())?;
    let out = Command::new(&pgbench)
        .args([
            "-n",
            "-C",
            "-c",
            &clients.to_string(),
            "-j",
            &clients.to_string(),
        ])
        .args(["-t", &each.to_string(), "-f"])
        .arg(script.path())
        .arg(&insert.url)
        .env("HOME", &insert.home)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("{}: {e}", pgbench.display()))?;
    let text = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(format!(
            "pgbench: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    // « tps = 77.728048 (including reconnection times) »
    text.lines()
        .find_map(|l| l.strip_prefix("tps = "))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| format!("pgbench said no rate: {text}"))
}

/// [`PsqlInsert`] `n` times, one after the other: how long each took, start to exit.
fn psql_inserts(insert: &PsqlInsert, n: usize) -> Res<Vec<Duration>> {
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        let out = insert
            .run()
            .map_err(|e| format!("psql, libpq's client, is needed for its floor: {e}"))?;
        let took = t.elapsed();
        if !out.status.success() {
            return Err(format!(
                "psql INSERT failed: {}",
                String::from_utf8_lossy(&out.stderr)
            )
            .into());
        }
        times.push(took);
    }
    Ok(times)
}

/// What the writers did together.
#[derive(Debug, Default)]
struct Writers {
    saved: usize,
    errors: usize,
    first_error: Option<String>,
    took: Duration,
}

impl Writers {
    /// Calls saved per second, on the wall clock.
    fn rate(&self) -> f64 {
        self.saved as f64 / self.took.as_secs_f64().max(1e-9)
    }

    fn cell(&self) -> String {
        format!("{:.1}/s, {} errors", self.rate(), self.errors)
    }
}

/// `n` writers at once, each a thread running `each` processes one after the other
/// (`write(writer, i)` starts one and waits for it): every call a process of its own that
/// connects, saves and exits, as commands and scripts of a desk do.
fn writers(
    n: usize,
    each: usize,
    write: impl Fn(usize, usize) -> std::io::Result<std::process::Output> + Sync,
) -> Writers {
    let tally = Mutex::new(Writers::default());
    let start = Instant::now();
    std::thread::scope(|scope| {
        for w in 0..n {
            let tally = &tally;
            let write = &write;
            scope.spawn(move || {
                for i in 0..each {
                    let failure = match write(w, i) {
                        Ok(out) if out.status.success() => None,
                        Ok(out) => Some(String::from_utf8_lossy(&out.stderr).trim().to_string()),
                        Err(e) => Some(e.to_string()),
                    };
                    let mut t = tally.lock().unwrap_or_else(|e| e.into_inner());
                    match failure {
                        None => t.saved += 1,
                        Some(e) => {
                            t.errors += 1;
                            t.first_error.get_or_insert(e);
                        }
                    }
                }
            });
        }
    });
    let mut done = tally.into_inner().unwrap_or_else(|e| e.into_inner());
    done.took = start.elapsed();
    done
}
