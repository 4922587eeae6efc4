//! Issue 24: a console started with `--catalog DIR` on a folder of 10,000 procedure files
//! sees a changed file within a second. The real release binary in a real pseudo-terminal
//! of 80x24 (the shared harness, `benches/console`), on the small generated desk (1,000
//! calls, 10,000 procedures: `target/bench-data/desk-1k-10k`, written by `cargo run
//! --release --example datagen -- --calls 1000 --procedures 10000 --out DIR` otherwise), its
//! folder copied so that the bench may write in it, its index in line with it.
//!
//! Each run starts a console, opens the procedures screen on « vpn bleu » until its top
//! match is listed (the catalogue loaded), then searches a word no procedure has, and
//! edits one file of the folder (another file each run), timing from the write to the
//! first frame that shows it:
//!
//! - « premier changement » : the file's title now says that word (a file the console's
//!   watch never saw change: it is seen by the look at the whole folder);
//! - « fichier déjà modifié » : its title changed again (the watch looks at the files
//!   changed lately four times a second);
//! - « fichier rétabli » : its first text back, the list empty again (the store's index
//!   then says the folder as it was: the next run starts without rebuilding it).
//!
//! Medians over `GUICHET_BENCH_RELOAD_RUNS` runs (5), on SQLite, then on PostgreSQL (the
//! desk copied into a new database of the test server, as `guichet db copy` does;
//! `GUICHET_BENCH_PG=0` leaves it out). Target: a median under 1 s for each kind of edit.
//! `GUICHET_BENCH_GUICHET` measures another binary (an earlier build, for the figures
//! before); an edit not shown after `GUICHET_BENCH_RELOAD_DEADLINE_S` (60) fails the run.
//!
//! `pg_virtualenv -t cargo bench --bench reload`. Exits 1 when a target is missed or a run
//! failed.

#[path = "../tests/integration/common/pty.rs"]
mod pty;

// The generators are shared with the example and the other benches.
#[allow(dead_code)]
mod datagen;

#[allow(dead_code)]
mod console;

use console::{
    Authoring, Edit, Program, Res, env_usize, file_changes, fmt_ms, generated_desk, guichet,
    guichet_binary, home, load_average, median, remove_copy, run_copy, top_title,
};
use guichet::store::scratch::ScratchDb;
use guichet::store::{FileAccess, Store};
use std::path::{Path, PathBuf};
use std::time::Duration;

const CALLS: usize = 1_000;
const PROCEDURES: usize = 10_000;
const TARGET: Duration = Duration::from_secs(1);
/// What the procedures screen is asked first: its top match listed, the catalogue is
/// loaded.
const READY_QUERY: &str = "vpn bleu";
/// The word each run's edit brings into a title, one per run.
const WORDS: [&str; 10] = [
    "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet",
];
const KINDS: [&str; 3] = [
    "premier changement",
    "fichier déjà modifié",
    "fichier rétabli",
];

fn main() {
    match bench() {
        Ok(true) => {}
        Ok(false) => {
            eprintln!("reload bench: a target missed or a run failed (see above)");
            std::process::exit(1);
        }
        Err(e) => {
            eprintln!("reload bench: {e}");
            std::process::exit(1);
        }
    }
}

/// The folder's `*.toml` files, in name order.
fn toml_files(dir: &Path) -> Res<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    Ok(files)
}

/// A copy of the folder the bench may write in.
fn copy_folder(from: &Path, to: &Path) -> Res<()> {
    let _ = std::fs::remove_dir_all(to);
    std::fs::create_dir_all(to)?;
    for file in toml_files(from)? {
        if let Some(name) = file.file_name() {
            std::fs::copy(&file, to.join(name))?;
        }
    }
    Ok(())
}

/// `text` with its title line saying `title`.
fn retitled(text: &str, title: &str) -> Res<String> {
    let mut found = false;
    let lines: Vec<String> = text
        .lines()
        .map(|l| {
            if !found && l.starts_with("title = ") {
                found = true;
                format!("title = \"{title}\"")
            } else {
                l.to_string()
            }
        })
        .collect();
    if !found {
        return Err("no title line".into());
    }
    Ok(lines.join("\n") + "\n")
}

/// One engine's runs: each run's times, in the order of [`KINDS`].
fn runs(
    program: &Program,
    folder: &Path,
    ready: &str,
    rounds: usize,
) -> Res<(Vec<Vec<Duration>>, bool)> {
    let files = toml_files(folder)?;
    let deadline = Duration::from_secs(env_usize("GUICHET_BENCH_RELOAD_DEADLINE_S", 60) as u64);
    let mut times = vec![Vec::new(); KINDS.len()];
    let mut ok = true;
    for run in 0..rounds {
        // Another file each run, away from the real procedures at the folder's start.
        let file = &files[(files.len() / 3 + run * 977) % files.len()];
        let first = std::fs::read_to_string(file)?;
        let word = format!("brouillon{}", WORDS[run % WORDS.len()]);
        let title = format!(
            "Brouillon{} : en cours d'écriture",
            WORDS[run % WORDS.len()]
        );
        let again = format!(
            "Brouillon{} relu : en cours d'écriture",
            WORDS[run % WORDS.len()]
        );
        let edits = [
            Edit {
                text: retitled(&first, &title)?,
                shows: title.clone(),
            },
            Edit {
                text: retitled(&first, &again)?,
                shows: again.clone(),
            },
            Edit {
                text: first.clone(),
                shows: "Aucune procédure".into(),
            },
        ];
        let r = file_changes(
            program,
            &Authoring {
                ready: (READY_QUERY, ready),
                query: &word,
                file,
                edits: &edits,
                deadline,
            },
        );
        // Whatever happened, the file as it was.
        std::fs::write(file, &first)?;
        let shown: Vec<String> = r.seen.iter().map(|d| fmt_ms(*d)).collect();
        println!(
            "  run {}: {} — {} ({})",
            run + 1,
            file.file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default(),
            shown.join(" / "),
            r.ending
        );
        if let Some(f) = &r.failure {
            println!("  run {} failed: {f}", run + 1);
            ok = false;
        }
        for (k, d) in r.seen.iter().enumerate() {
            if let Some(d) = d {
                times[k].push(*d);
            }
        }
    }
    Ok((times, ok))
}

/// The medians, each with its verdict; false when one is missed or missing.
fn report(engine: &str, times: &[Vec<Duration>]) -> bool {
    let mut ok = true;
    for (kind, t) in KINDS.iter().zip(times) {
        let m = median(t);
        let pass = m.is_some_and(|m| m < TARGET);
        ok &= pass;
        let mut sorted = t.clone();
        sorted.sort();
        let all: Vec<String> = sorted
            .iter()
            .map(|d| format!("{:.0}", d.as_secs_f64() * 1e3))
            .collect();
        println!(
            "{engine:<10} {kind:<22} median {:>10} ({} runs: {} ms)  {}",
            fmt_ms(m),
            t.len(),
            all.join(", "),
            if pass { "PASS" } else { "FAIL" }
        );
    }
    ok
}

fn bench() -> Res<bool> {
    let rounds = env_usize("GUICHET_BENCH_RELOAD_RUNS", 5).max(1);
    println!("== issue 24: a changed file of a 10,000-file --catalog folder on the screen ==");
    let guichet_path = guichet_binary()?;
    println!("guichet  {}", guichet_path.display());
    let desk = generated_desk(CALLS, PROCEDURES)?;
    println!(
        "desk     {} : {} calls, {} procedures in {} — {}",
        desk.db.display(),
        desk.calls,
        desk.procedures,
        desk.catalog.display(),
        desk.how
    );
    let folder = datagen::data_dir().join("run/reload-catalog");
    copy_folder(&desk.catalog, &folder)?;
    let (db, took) = run_copy(&desk, "reload", Some(&folder))?;
    println!("index    in line with {} in {took:?}", folder.display());
    let ready = top_title(&db, READY_QUERY)?;
    println!("ready    {READY_QUERY:?} lists {ready:?}");
    println!("runs     {rounds}, load average {}", load_average());
    let home = home()?;
    let sqlite = guichet("sqlite", &guichet_path, &db, Some(&folder), home.path());
    let (times, mut ok) = runs(&sqlite, &folder, &ready, rounds)?;
    let mut lines = vec![("SQLite", times)];
    let pg = if std::env::var("GUICHET_BENCH_PG").as_deref() == Ok("0") {
        None
    } else {
        Some(ScratchDb::new())
    };
    if let Some(scratch) = &pg {
        let state = home.path().join("state");
        std::fs::create_dir_all(&state)?;
        let mut target = Store::connect_with_drafts(
            scratch.target(),
            &FileAccess::default(),
            &state.join("drafts.db"),
        )?;
        Store::open(&db)?.copy_to(&mut target)?;
        drop(target);
        let mut program = sqlite.clone();
        program.label = "postgres".into();
        program.db = None;
        for (k, v) in &mut program.env {
            if k == "GUICHET_DB" {
                *v = scratch.url();
            }
        }
        program.env.push((
            "GUICHET_STATE_DIR".into(),
            state.to_string_lossy().into_owned(),
        ));
        let (times, pg_ok) = runs(&program, &folder, &ready, rounds)?;
        ok &= pg_ok;
        lines.push(("PostgreSQL", times));
    }
    println!("load average {}", load_average());
    for (engine, times) in &lines {
        ok &= report(engine, times);
    }
    remove_copy(&db);
    Ok(ok)
}
