//! Procedure search "as the operator types": every keystroke of the call's summary is one
//! `Store::search_procedures`, as in the console. Measured on a catalogue of 10,000
//! procedures and a database of 1,000,000 calls (generated once, cached in
//! `target/bench-data/`).
//!
//! `cargo bench --bench search`. Sizes can be lowered for a quick look with
//! `GUICHET_BENCH_PROCEDURES`, `GUICHET_BENCH_CALLS` and `GUICHET_BENCH_REPS`.

// glibc's malloc_trim between measures.
#![allow(unsafe_code)]

// The desk writer and the store check are the example's and the terminal benches'.
#[allow(dead_code)]
mod datagen;

mod stats;

use datagen::Prepared;
use guichet::catalog::embedded_reference;
use guichet::catalog::procedures::{Catalog, embedded};
use guichet::domain::procedure::StepKind;
use guichet::store::{ProcedureQuery, SearchIndex, Store};
use rusqlite::{Connection, OpenFlags};
use stats::{env_usize, load_average, percentile, sorted};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

const SEED: u64 = 20_250_101;
/// Target per keystroke, median and p99.
const TARGET_MS: f64 = 2.0;
/// What the summary field asks for (the console shows a handful of matches).
const LIMIT: usize = 5;
/// Stop repeating once the measured passes took this long.
const BUDGET: Duration = Duration::from_secs(120);

/// What an operator types in the summary, with the call's context when already known.
struct Typed {
    text: &'static str,
    service: Option<&'static str>,
    device: Option<&'static str>,
}

const fn typed(
    text: &'static str,
    service: Option<&'static str>,
    device: Option<&'static str>,
) -> Typed {
    Typed {
        text,
        service,
        device,
    }
}

const QUERIES: &[Typed] = &[
    typed("carte agent oubliee", Some("mi"), Some("noemi")),
    typed("vpn icone bleue", Some("mi"), Some("noemi")),
    typed("imprimante bloquee", Some("acn-caen"), Some("copier")),
    typed("cle usb bitloker", Some("mi"), Some("usb-media")),
    typed(
        "code session prise en main",
        Some("acn-rouen"),
        Some("pc-pro"),
    ),
    typed("mot de passe cryhod", Some("mi"), Some("noemi")),
    typed(
        "anyconect ne se connecte pas",
        Some("acn-caen"),
        Some("pc-perso"),
    ),
    typed(
        "poste éteint tout seul le soir",
        Some("acn-rouen"),
        Some("pc-pro"),
    ),
    typed("renvoi d'appel xivo", Some("acn-caen"), Some("ip-phone")),
    typed(
        "fichier trop lourd a envoyer",
        Some("acn-rouen"),
        Some("pc-pro"),
    ),
    typed(
        "lecteur reseau U: introuvable",
        Some("acn-caen"),
        Some("pc-pro"),
    ),
    typed("webconférence comu pas de son", Some("mi"), Some("pc-pro")),
    typed(
        "tchap inscription telephone",
        Some("mtes"),
        Some("smartphone-pro"),
    ),
    typed("noemi 4g tres lent", Some("mi"), Some("noemi")),
    typed("wapt installer logiciel", Some("acn-rouen"), Some("pc-pro")),
    typed(
        "mail suspect hameconnage",
        Some("social-direccte"),
        Some("pc-pro"),
    ),
    typed(
        "partage de connexion iphone",
        Some("mi"),
        Some("smartphone-pro"),
    ),
    typed("webmel messagerie pleine", Some("mtes"), Some("pc-pro")),
    typed(
        "webex reunion micro",
        Some("social-drdjscs"),
        Some("pc-pro"),
    ),
    typed("migration noemi j-7", Some("mi"), Some("noemi")),
    typed(
        "impresion securisee copieur",
        Some("acn-caen"),
        Some("copier"),
    ),
    typed("teletravail connexion saturée", None, None),
    typed("intranet academique identifiant", Some("acn-caen"), None),
    typed("gemini connexion a distance", Some("social-direccte"), None),
    typed("audio conference numero", Some("mtes"), Some("ip-phone")),
    typed("certificat nomade 2 pc perso", Some("mi"), Some("pc-perso")),
    // Written as it sounds: words met only by their sound.
    typed("ma kart ajen é kassé", Some("mi"), Some("noemi")),
];

/// VmRSS and VmHWM in MiB.
fn memory() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map_or(f64::NAN, |kib| kib / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// The machine's load average, to judge whether other processes disturbed the timings.
/// Gives the generator's freed memory back to the system, then resets VmHWM (Linux ≥ 4.0),
/// so that the figures reported are the search's, not the generator's.
fn reset_peak_memory() {
    // glibc keeps freed memory in the process until asked (or until later allocations).
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free heap pages to the system.
    unsafe {
        libc::malloc_trim(0);
    }
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn print_memory(when: &str) {
    let (rss, hwm) = memory();
    println!("  mémoire {when:<34} VmRSS {rss:7.1} Mio   VmHWM {hwm:7.1} Mio");
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Every prefix of `text` the operator sees while typing it, one per key.
fn prefixes(text: &str) -> Vec<&str> {
    text.char_indices()
        .map(|(i, c)| &text[..i + c.len_utf8()])
        .collect()
}

/// One measured keystroke.
struct Keystroke {
    /// Index in `QUERIES`.
    query: usize,
    /// Index of the prefix in `prefixes(text)`.
    prefix: usize,
    ms: f64,
}

/// One search per keystroke of every query.
fn type_all(
    store: &Store,
    index: &SearchIndex,
    limit: usize,
) -> Result<Vec<Keystroke>, Box<dyn std::error::Error>> {
    let mut out = Vec::new();
    for (q, typed) in QUERIES.iter().enumerate() {
        for (k, prefix) in prefixes(typed.text).into_iter().enumerate() {
            let query = ProcedureQuery {
                text: prefix,
                service: typed.service,
                device: typed.device,
                limit,
            };
            let started = Instant::now();
            store.search_procedures(index, &query)?;
            out.push(Keystroke {
                query: q,
                prefix: k,
                ms: ms(started.elapsed()),
            });
        }
    }
    Ok(out)
}

fn summary_line(label: &str, values: &[f64]) {
    let s = sorted(values.to_vec());
    println!(
        "  {label:<28} n={:<6} médiane {:7.3} ms   p90 {:7.3} ms   p99 {:7.3} ms   max {:7.3} ms",
        s.len(),
        percentile(&s, 50.0),
        percentile(&s, 90.0),
        percentile(&s, 99.0),
        s.last().copied().unwrap_or(f64::NAN),
    );
}

fn catalogue_stats(catalog: &Catalog) {
    let n = catalog.procedures.len().max(1) as f64;
    let steps: usize = catalog.procedures.iter().map(|p| p.steps.len()).sum();
    let keywords: usize = catalog.procedures.iter().map(|p| p.keywords.len()).sum();
    let asks = catalog
        .procedures
        .iter()
        .flat_map(|p| &p.steps)
        .filter(|s| matches!(s.kind, StepKind::Ask { .. }))
        .count();
    let text: usize = catalog
        .procedures
        .iter()
        .map(|p| {
            p.title.len()
                + p.summary.len()
                + p.keywords.iter().map(String::len).sum::<usize>()
                + p.steps.iter().map(|s| s.text.len()).sum::<usize>()
        })
        .sum();
    println!(
        "  {} procédures, {:.1} étapes en moyenne ({} questions), {:.1} mots-clés en moyenne, \
         {:.1} Mo de texte indexé",
        catalog.procedures.len(),
        steps as f64 / n,
        asks,
        keywords as f64 / n,
        text as f64 / 1e6
    );
}

/// The FTS5 expression `search_procedures` builds for `text`: the rules of
/// src/store/procedures.rs as of commit 300a6bd (the word being typed and words of
/// `TYPO_MIN_LEN` letters or more are prefixes, shorter finished words match whole, up to 4
/// typo variants, words joined by OR), repeated here only to explain where the time goes.
/// If src changes these rules, the profile's counts drift from what is timed.
/// The slowest and fastest prefixes, by median time over the repetitions: where a
/// keystroke costs most.
fn profile(samples: &[Keystroke]) {
    let mut per_prefix: BTreeMap<(usize, usize), Vec<f64>> = BTreeMap::new();
    for s in samples {
        per_prefix
            .entry((s.query, s.prefix))
            .or_default()
            .push(s.ms);
    }
    let mut rows: Vec<(f64, f64, &str)> = per_prefix
        .iter()
        .map(|(&(q, k), times)| {
            let t = sorted(times.clone());
            (
                percentile(&t, 50.0),
                t.last().copied().unwrap_or(f64::NAN),
                prefixes(QUERIES[q].text)[k],
            )
        })
        .collect();
    rows.sort_by(|a, b| b.0.total_cmp(&a.0));
    println!("\n-- les 15 préfixes les plus lents (médiane et max sur les répétitions, ms) --");
    for (median, max, text) in rows.iter().take(15) {
        println!("  {:<40} {median:8.3} {max:8.3}", format!("« {text} »"));
    }
    println!("-- les 5 plus rapides --");
    for (median, max, text) in rows.iter().rev().take(5) {
        println!("  {:<40} {median:8.3} {max:8.3}", format!("« {text} »"));
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // `cargo bench` passes `--bench`; a filter argument would make no sense here.
    let whole = Instant::now();
    let n_procedures = env_usize("GUICHET_BENCH_PROCEDURES", 10_000);
    let n_calls = env_usize("GUICHET_BENCH_CALLS", 1_000_000);
    let reps = env_usize("GUICHET_BENCH_REPS", 5).max(1);

    println!("== guichet : recherche de procédures à la frappe ==");
    print_memory("au démarrage");
    let reference = embedded_reference();
    let real = embedded(&reference);
    if !real.problems.is_empty() {
        eprintln!("catalogue embarqué : {} problèmes", real.problems.len());
    }

    println!();
    println!("-- génération --");
    let started = Instant::now();
    let catalog = datagen::catalogue(&real.procedures, &reference, n_procedures, SEED);
    println!(
        "  catalogue : {} procédures dérivées des {} réelles en {:.2} s",
        catalog.procedures.len(),
        real.procedures.len(),
        started.elapsed().as_secs_f64()
    );
    catalogue_stats(&catalog);
    let (path, prepared) = datagen::calls_database(n_calls, &real.procedures, &reference, SEED)?;
    match prepared {
        Prepared::Reused => println!(
            "  base d'appels : {} réutilisée (supprimer le fichier pour la régénérer)",
            path.display()
        ),
        Prepared::Generated { took, journal } => println!(
            "  base d'appels : {n_calls} appels et {journal} entrées de journal générés en {:.1} s \
             → {}",
            took.as_secs_f64(),
            path.display()
        ),
    }

    // The cached file keeps the index of the previous run: forget its fingerprint so that
    // the first `sync_catalog` rebuilds it, as after a catalogue change.
    {
        let conn = Connection::open(&path)?;
        conn.execute("DELETE FROM catalog_state", [])?;
    }

    reset_peak_memory();

    println!();
    println!("-- ouverture et index --");
    print_memory("avant ouverture (catalogue en mémoire)");
    let started = Instant::now();
    let mut store = Store::open(&path)?;
    println!(
        "  Store::open                          {:9.1} ms",
        ms(started.elapsed())
    );
    let started = Instant::now();
    let index = store.sync_catalog(&catalog)?;
    let build = started.elapsed();
    println!(
        "  sync_catalog, index reconstruit      {:9.1} ms  ({} procédures)",
        ms(build),
        catalog.procedures.len()
    );
    print_memory("après construction de l'index");
    let started = Instant::now();
    let index_again = store.sync_catalog(&catalog)?;
    println!(
        "  sync_catalog, index à jour           {:9.1} ms  (empreinte + vocabulaire, \
         le coût de chaque démarrage de la console)",
        ms(started.elapsed())
    );
    drop(index_again);
    print_memory("après le second sync_catalog");

    let side = Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let count = |sql: &str| side.query_row(sql, [], |r| r.get::<_, i64>(0));
    let calls = count("SELECT count(*) FROM calls")?;
    let open = count("SELECT count(*) FROM calls WHERE status = 'open'")?;
    let journal = count("SELECT count(*) FROM journal")?;
    let indexed = count("SELECT count(*) FROM procedures")?;
    let terms = count("SELECT count(*) FROM procedure_terms")?;
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    println!(
        "  base : {calls} appels ({open} ouverts), {journal} entrées de journal, {indexed} \
         procédures indexées, {terms} termes distincts, fichier {:.0} Mo",
        size as f64 / 1e6
    );

    println!();
    println!("-- frappe --");
    let keys: usize = QUERIES.iter().map(|q| q.text.chars().count()).sum();
    println!(
        "  {} requêtes, {keys} frappes par passage, limit {LIMIT}",
        QUERIES.len()
    );
    println!("  charge de la machine avant : {}", load_average());
    let started = Instant::now();
    type_all(&store, &index, LIMIT)?;
    println!(
        "  échauffement : 1 passage en {:.2} s",
        started.elapsed().as_secs_f64()
    );
    let mut samples = Vec::new();
    let started = Instant::now();
    let mut done = 0;
    while done < reps {
        samples.extend(type_all(&store, &index, LIMIT)?);
        done += 1;
        if started.elapsed() > BUDGET && done >= 2 {
            break;
        }
    }
    println!(
        "  {done} passages mesurés en {:.2} s ; charge de la machine après : {}",
        started.elapsed().as_secs_f64(),
        load_average()
    );
    let all: Vec<f64> = samples.iter().map(|s| s.ms).collect();
    let s = sorted(all.clone());
    let (median, p90, p99, max) = (
        percentile(&s, 50.0),
        percentile(&s, 90.0),
        percentile(&s, 99.0),
        s.last().copied().unwrap_or(f64::NAN),
    );

    println!();
    println!("-- par requête (toutes frappes, tous passages) --");
    for (q, typed) in QUERIES.iter().enumerate() {
        let values: Vec<f64> = samples
            .iter()
            .filter(|s| s.query == q)
            .map(|s| s.ms)
            .collect();
        summary_line(&format!("« {} »", typed.text), &values);
    }
    println!();
    println!("-- premier résultat de chaque requête complète --");
    for typed in QUERIES {
        let hits = store.search_procedures(
            &index,
            &ProcedureQuery {
                text: typed.text,
                service: typed.service,
                device: typed.device,
                limit: LIMIT,
            },
        )?;
        let first = hits.first().map_or("(aucun)".to_string(), |h| {
            format!("{} — {} (score {:.1})", h.slug, h.title, h.score)
        });
        println!("  {:<34} {first}", format!("« {} »", typed.text));
    }

    println!();
    println!("-- écran Procédures (limit 100), 1 passage, pour comparaison --");
    let wide = type_all(&store, &index, 100)?;
    summary_line("limit 100", &wide.iter().map(|s| s.ms).collect::<Vec<_>>());

    profile(&samples);

    println!();
    println!("== résultat ==");
    println!(
        "  catalogue          {} procédures",
        catalog.procedures.len()
    );
    println!("  appels             {calls}");
    println!("  frappes mesurées   {}", samples.len());
    println!("  médiane            {median:8.3} ms");
    println!("  p90                {p90:8.3} ms");
    println!("  p99                {p99:8.3} ms");
    println!("  max                {max:8.3} ms");
    println!("  index (rebuild)    {:8.1} ms", ms(build));
    match prepared {
        Prepared::Reused => println!("  génération         (base réutilisée)"),
        Prepared::Generated { took, .. } => {
            println!("  génération         {:8.1} s", took.as_secs_f64())
        }
    }
    let (rss, hwm) = memory();
    println!("  mémoire            VmRSS {rss:.1} Mio, VmHWM {hwm:.1} Mio");
    let verdict = |ok: bool| if ok { "PASS" } else { "FAIL" };
    println!(
        "  {} médiane par frappe {median:.3} ms < {TARGET_MS} ms",
        verdict(median < TARGET_MS)
    );
    println!(
        "  {} p99 par frappe     {p99:.3} ms < {TARGET_MS} ms",
        verdict(p99 < TARGET_MS)
    );
    println!(
        "  durée totale du banc {:.1} s",
        whole.elapsed().as_secs_f64()
    );
    Ok(())
}
