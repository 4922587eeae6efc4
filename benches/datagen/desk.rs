//! A whole desk on disk, as `cargo run --release --example datagen` writes it and the
//! terminal benches reuse it: `DIR/guichet.db` (created by `Store::open`, so with the real
//! schema and migrations, then filled by [`super::calls::generate`]) and `DIR/procedures/`,
//! a catalogue folder for `--catalog` (the 40 real procedures as they are, then variants
//! recombined from them, one TOML file each, every one read back by `parse_procedure`).
//! `DIR/datagen.toml` says what was generated, for when, by which generator.

use super::calls::{self, Generated, Params};
use super::{GENERATOR_VERSION, catalog};
use chrono::{DateTime, Utc};
use guichet::catalog::embedded_reference;
use guichet::catalog::procedures::{EMBEDDED, embedded, load_dir, parse_procedure};
use guichet::domain::procedure::{Applies, Procedure, StepKind};
use guichet::store::{LATEST_VERSION, Store};
use std::error::Error;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

type Res<T> = Result<T, Box<dyn Error>>;

/// Days of history in a generated desk.
pub const DAYS: usize = 730;

#[derive(Debug, Clone, Copy)]
pub struct Spec {
    pub calls: usize,
    pub procedures: usize,
    pub seed: u64,
    pub now: DateTime<Utc>,
}

/// What [`write`] made, and how long each part took.
#[derive(Debug)]
pub struct Written {
    pub db: PathBuf,
    pub catalog: PathBuf,
    pub generated: Generated,
    pub real_procedures: usize,
    pub procedures: usize,
    pub db_bytes: u64,
    pub check: Duration,
    pub catalog_took: Duration,
    pub calls_took: Duration,
    pub index_took: Duration,
    pub total: Duration,
}

/// A TOML string literal.
fn q(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| q(s)).collect();
    format!("[{}]", quoted.join(", "))
}

fn applies(a: &Applies) -> String {
    match a {
        Applies::All => "[\"*\"]".into(),
        Applies::Only(slugs) => list(slugs),
    }
}

/// A procedure as a file of `db/procedures/` (see its README for the format).
pub fn to_toml(p: &Procedure) -> String {
    let mut out = String::new();
    let mut line = |k: &str, v: String| out.push_str(&format!("{k} = {v}\n"));
    line("title", q(&p.title));
    line("summary", q(&p.summary));
    line("services", applies(&p.services));
    line("devices", applies(&p.devices));
    line("keywords", list(&p.keywords));
    if let Some(n) = &p.editor_notes {
        line("editor_notes", q(n));
    }
    if let Some(t) = p.tool {
        line("tool", q(t.slug()));
    }
    if let Some(v) = &p.version {
        line("version", q(v));
    }
    if let Some(o) = &p.owner {
        line("owner", q(o));
    }
    for s in &p.sources {
        out.push_str(&format!(
            "\n[[sources]]\nseed = {}\nsection = {}\n",
            q(&s.seed),
            q(&s.section)
        ));
    }
    for s in &p.steps {
        out.push_str(&format!(
            "\n[[steps]]\nid = {}\nkind = {}\n",
            q(&s.id),
            q(s.kind.slug())
        ));
        match &s.kind {
            StepKind::Ask { yes, no } => {
                out.push_str(&format!("yes = {}\nno = {}\n", q(yes), q(no)));
            }
            StepKind::Record {
                label,
                secret,
                valid_for_months,
                optional,
            } => {
                out.push_str(&format!("label = {}\n", q(label)));
                if *secret {
                    out.push_str("secret = true\n");
                }
                if let Some(m) = valid_for_months {
                    out.push_str(&format!("valid_for_months = {m}\n"));
                }
                if *optional {
                    out.push_str("optional = true\n");
                }
            }
            StepKind::Escalate { target } => out.push_str(&format!("target = {}\n", q(target))),
            StepKind::Say | StepKind::Check => {}
        }
        out.push_str(&format!("text = {}\n", q(&s.text)));
        if let Some(next) = &s.next {
            out.push_str(&format!("next = {}\n", q(next)));
        }
        if s.end {
            out.push_str("end = true\n");
        }
    }
    out
}

fn remove_with_sidecars(path: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
    let mut consoles = path.as_os_str().to_owned();
    consoles.push(".consoles");
    let _ = std::fs::remove_dir_all(PathBuf::from(consoles));
}

/// Writes the catalogue folder `dir`: the real procedures' own files, then variants up
/// to `n` in all. Every generated file is read back by `parse_procedure` and must give the
/// procedure it was written from.
pub fn write_catalog(dir: &Path, n: usize, seed: u64) -> Res<(usize, usize)> {
    let reference = embedded_reference();
    let real = embedded(&reference);
    if !real.problems.is_empty() {
        return Err(format!("embedded catalogue: {:?}", real.problems).into());
    }
    let tmp = dir.with_extension("tmp");
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp)?;
    let mut files = 0;
    for (name, text) in EMBEDDED.iter().take(n) {
        std::fs::write(tmp.join(name), text)?;
        files += 1;
    }
    let real_files = files;
    let variants = catalog::procedures(&real.procedures, &reference, n - files, seed);
    let mut problems = Vec::new();
    for p in &variants {
        let name = format!("{}.toml", p.slug);
        let text = to_toml(p);
        match parse_procedure(&name, &text, &reference) {
            Ok(back) if back == *p => {}
            Ok(_) => problems.push(format!("{name}: read back differently")),
            Err(errors) => problems.extend(errors.iter().map(ToString::to_string)),
        }
        std::fs::write(tmp.join(&name), text)?;
        files += 1;
    }
    if !problems.is_empty() {
        let shown: Vec<&str> = problems.iter().take(10).map(String::as_str).collect();
        return Err(format!(
            "{} generated procedure files do not read back (first: {})",
            problems.len(),
            shown.join(" | ")
        )
        .into());
    }
    let _ = std::fs::remove_dir_all(dir);
    std::fs::rename(&tmp, dir)?;
    Ok((real_files, files))
}

/// Writes a whole desk into `dir` (created if needed; a previous desk there is replaced).
/// `say` hears each step as it is done.
pub fn write(dir: &Path, spec: &Spec, say: &mut dyn FnMut(&str)) -> Res<Written> {
    let started = Instant::now();
    std::fs::create_dir_all(dir)?;
    let reference = embedded_reference();
    let real = embedded(&reference);

    let t = Instant::now();
    calls::check_against_store(&real.procedures, &reference, spec.now)?;
    let check = t.elapsed();
    say(&format!(
        "écritures identiques à celles du Store (vérifié sur un petit guichet) : {:.1} s",
        check.as_secs_f64()
    ));

    let t = Instant::now();
    let catalog_dir = dir.join("procedures");
    let (real_files, files) = write_catalog(&catalog_dir, spec.procedures, spec.seed)?;
    let catalog_took = t.elapsed();
    say(&format!(
        "{} : {files} procédures ({real_files} réelles, {} dérivées) en {:.1} s",
        catalog_dir.display(),
        files - real_files,
        catalog_took.as_secs_f64()
    ));

    let t = Instant::now();
    let db = dir.join("guichet.db");
    let tmp = dir.join("guichet.db.tmp");
    remove_with_sidecars(&tmp);
    drop(Store::open(&tmp)?);
    let params = Params {
        calls: spec.calls,
        days: DAYS,
        seed: spec.seed,
        now: spec.now,
    };
    let generated = calls::generate(&tmp, &params, &real.procedures, &reference)?;
    let calls_took = t.elapsed();
    say(&format!(
        "{} appels ({} ouverts) et {} entrées de journal en {:.1} s",
        generated.calls,
        generated.open,
        generated.journal,
        calls_took.as_secs_f64()
    ));

    // The console of this desk has run with this catalogue: its search index is there.
    let t = Instant::now();
    let loaded = load_dir(&catalog_dir, &reference)?;
    if !loaded.problems.is_empty() {
        return Err(format!(
            "{} problems in the written catalogue",
            loaded.problems.len()
        )
        .into());
    }
    Store::open(&tmp)?.sync_catalog(&loaded)?;
    let index_took = t.elapsed();
    say(&format!(
        "index de recherche des {} procédures construit en {:.1} s",
        loaded.procedures.len(),
        index_took.as_secs_f64()
    ));

    remove_with_sidecars(&db);
    std::fs::rename(&tmp, &db)?;
    let db_bytes = std::fs::metadata(&db)?.len();
    let meta = format!(
        "# Written by `cargo run --release --example datagen` (benches/datagen).\n\
         generator_version = {GENERATOR_VERSION}\n\
         schema_version = {LATEST_VERSION}\n\
         calls = {}\n\
         procedures = {files}\n\
         seed = {}\n\
         now = {}\n\
         open_calls = {}\n\
         journal_entries = {}\n",
        spec.calls,
        spec.seed,
        q(&spec.now.to_rfc3339()),
        generated.open,
        generated.journal,
    );
    std::fs::write(dir.join("datagen.toml"), meta)?;
    Ok(Written {
        db,
        catalog: catalog_dir,
        generated,
        real_procedures: real_files,
        procedures: files,
        db_bytes,
        check,
        catalog_took,
        calls_took,
        index_took,
        total: started.elapsed(),
    })
}

/// What `DIR/datagen.toml` says of a desk.
#[derive(Debug, Clone)]
pub struct Meta {
    pub generator_version: u32,
    pub schema_version: i64,
    pub calls: usize,
    pub procedures: usize,
    pub seed: u64,
    pub now: DateTime<Utc>,
}

pub fn read_meta(dir: &Path) -> Option<Meta> {
    let text = std::fs::read_to_string(dir.join("datagen.toml")).ok()?;
    let t: toml::Table = text.parse().ok()?;
    let int = |k: &str| t.get(k).and_then(toml::Value::as_integer);
    Some(Meta {
        generator_version: int("generator_version")? as u32,
        schema_version: int("schema_version")?,
        calls: int("calls")? as usize,
        procedures: int("procedures")? as usize,
        seed: int("seed")? as u64,
        now: t
            .get("now")?
            .as_str()?
            .parse::<DateTime<chrono::FixedOffset>>()
            .ok()?
            .with_timezone(&Utc),
    })
}
