//! The shift report on a busy day: `Store::report_data` and the whole
//! `HandoverReport::build` for the busiest Paris calendar day of a database of 1,000,000
//! calls over two years (generated once, cached in `target/bench-data/`, shared with
//! `benches/search.rs`), compared with the `sqlite3` shell running the same five GROUP BY
//! counts on the same file.
//!
//! Targets: a median under 20 ms, and no more than 1.5 times what the `sqlite3` shell takes
//! for the same counts.
//!
//! `cargo bench --bench report`. `GUICHET_BENCH_CALLS` lowers the size for a quick look,
//! `GUICHET_BENCH_REPS` sets the measured repetitions (50, never fewer than 30).

// The catalogue generator is search.rs's; this bench only needs the calls.
#[allow(dead_code)]
mod datagen;

mod stats;

use chrono::{DateTime, Duration as Days, NaiveDate, TimeZone, Utc};
use chrono_tz::Europe::Paris;
use datagen::Prepared;
use guichet::catalog::embedded_reference;
use guichet::catalog::procedures::embedded;
use guichet::domain::shifts::ShiftWindow;
use guichet::report::HandoverReport;
use guichet::store::Store;
use rusqlite::{Connection, OpenFlags, params};
use stats::{env_usize, load_average, percentile, sorted};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Target for the median of `report_data` and of the whole build.
const TARGET_MS: f64 = 20.0;
/// Ours may take at most this many times what the sqlite3 shell takes.
const TARGET_RATIO: f64 = 1.5;
/// Stop repeating a measure once it took this long (after the minimum of repetitions).
const BUDGET: Duration = Duration::from_secs(20);
const MIN_REPS: usize = 30;
/// The columns `report_data` counts by, in its order.
const COLUMNS: [&str; 5] = ["service", "device", "outcome", "operator", "status"];
/// The seed of benches/search.rs: both benches share the cached database.
const SEED: u64 = 20_250_101;
/// `WAITING_LIMIT` of src/store/report.rs.
const WAITING_LIMIT: i64 = guichet::store::WAITING_LIMIT as i64;

type Res<T> = Result<T, Box<dyn std::error::Error>>;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Median, p90, p99 and max of a series of timings.
#[derive(Clone, Copy)]
struct Stats {
    n: usize,
    median: f64,
    p90: f64,
    p99: f64,
    max: f64,
    mean: f64,
}

fn stats(values: &[f64]) -> Stats {
    let s = sorted(values.to_vec());
    Stats {
        n: s.len(),
        median: percentile(&s, 50.0),
        p90: percentile(&s, 90.0),
        p99: percentile(&s, 99.0),
        max: s.last().copied().unwrap_or(f64::NAN),
        mean: s.iter().sum::<f64>() / s.len().max(1) as f64,
    }
}

fn print_stats(label: &str, s: &Stats) {
    println!(
        "  {label:<40} n={:<4} médiane {:8.3} ms   p90 {:8.3}   p99 {:8.3}   max {:8.3}   \
         moyenne {:8.3}",
        s.n, s.median, s.p90, s.p99, s.max, s.mean
    );
}

/// Runs `f` a few times to warm up, then at least `reps` times (fewer than `reps` only
/// above `MIN_REPS` when the budget is spent); milliseconds per run.
fn measure(reps: usize, mut f: impl FnMut() -> Res<()>) -> Res<Vec<f64>> {
    for _ in 0..3 {
        f()?;
    }
    let started = Instant::now();
    let mut out = Vec::with_capacity(reps);
    while out.len() < reps {
        let t = Instant::now();
        f()?;
        out.push(ms(t.elapsed()));
        if out.len() >= MIN_REPS && started.elapsed() > BUDGET {
            break;
        }
    }
    Ok(out)
}

/// Paris midnight of `date`, in Unix seconds (midnight always exists in Paris).
fn paris_midnight(date: NaiveDate) -> i64 {
    let naive = date.and_hms_opt(0, 0, 0).expect("valid time");
    Paris
        .from_local_datetime(&naive)
        .earliest()
        .map_or_else(|| naive.and_utc().timestamp(), |t| t.timestamp())
}

fn utc(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(secs, 0)
        .single()
        .expect("valid timestamp")
}

/// The Paris calendar days with the most calls, busiest first: one query counting each
/// day's [midnight, next midnight) range (bounds computed here with the Paris time zone,
/// so that the 23- and 25-hour days are right).
fn busiest_days(conn: &Connection, top: usize) -> Res<Vec<(NaiveDate, i64, i64, i64)>> {
    let (min, max): (i64, i64) = conn.query_row(
        "SELECT min(opened_at), max(opened_at) FROM calls",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let first = utc(min).with_timezone(&Paris).date_naive();
    let last = utc(max).with_timezone(&Paris).date_naive();
    let values = first
        .iter_days()
        .take_while(|d| *d <= last)
        .map(|d| {
            format!(
                "('{d}', {}, {})",
                paris_midnight(d),
                paris_midnight(d + Days::days(1))
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "WITH days(day, f, t) AS (VALUES {values}) \
         SELECT day, f, t, (SELECT count(*) FROM calls WHERE opened_at >= days.f \
         AND opened_at < days.t) AS n FROM days ORDER BY n DESC, day LIMIT {top}"
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, i64>(3)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter()
        .map(|(day, f, t, n)| Ok((NaiveDate::parse_from_str(&day, "%Y-%m-%d")?, f, t, n)))
        .collect()
}

/// One of the five GROUP BY of `report_data`, as it sends it (bound parameters).
fn group_sql(column: &str) -> String {
    format!(
        "SELECT {column}, count(*) FROM calls \
         WHERE opened_at >= ?1 AND opened_at < ?2 AND (?3 IS NULL OR operator = ?3) \
         GROUP BY {column} ORDER BY count(*) DESC, {column}"
    )
}

/// The same with literal numbers and NULL for the operator, as given to the shell.
fn literal_sql(column: &str, f: i64, t: i64) -> String {
    format!(
        "SELECT {column}, count(*) FROM calls \
         WHERE opened_at >= {f} AND opened_at < {t} AND (NULL IS NULL OR operator = NULL) \
         GROUP BY {column} ORDER BY count(*) DESC, {column};"
    )
}

type Groups = Vec<Vec<(Option<String>, i64)>>;

fn five_bound(conn: &Connection, f: i64, t: i64) -> Res<Groups> {
    let mut out = Vec::with_capacity(5);
    for column in COLUMNS {
        let mut stmt = conn.prepare_cached(&group_sql(column))?;
        let rows = stmt
            .query_map(params![f, t, None::<&str>], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        out.push(rows);
    }
    Ok(out)
}

fn five_literal(conn: &Connection, f: i64, t: i64) -> Res<Groups> {
    let mut out = Vec::with_capacity(5);
    for column in COLUMNS {
        let mut stmt = conn.prepare_cached(&literal_sql(column, f, t))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        out.push(rows);
    }
    Ok(out)
}

fn print_plan(conn: &Connection, label: &str, sql: &str, args: &[&dyn rusqlite::ToSql]) -> Res<()> {
    println!("  {label}");
    let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
    let rows = stmt
        .query_map(args, |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(3)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    // Indent each line under its parent.
    let mut depth: Vec<(i64, usize)> = Vec::new();
    for (id, parent, detail) in rows {
        let level = depth
            .iter()
            .find(|(i, _)| *i == parent)
            .map_or(0, |(_, l)| l + 1);
        depth.push((id, level));
        println!("    {}{detail}", "  ".repeat(level));
    }
    Ok(())
}

/// What the sqlite3 shell is, or `None` when it is not on PATH.
fn shell_version() -> Option<String> {
    Command::new("sqlite3")
        .arg("--version")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
}

/// Runs `sqlite3 -readonly path` with `script` on stdin: stdout, stderr, wall time.
fn run_shell(path: &Path, script: &str) -> Res<(String, String, Duration, bool)> {
    let started = Instant::now();
    let mut child = Command::new("sqlite3")
        .arg("-readonly")
        .arg(path)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    child
        .stdin
        .take()
        .ok_or("no stdin")?
        .write_all(script.as_bytes())?;
    let out = child.wait_with_output()?;
    let took = started.elapsed();
    Ok((
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        took,
        out.status.success(),
    ))
}

/// The "Run Time: real X" of each statement, in ms.
fn run_times(stdout: &str) -> Vec<f64> {
    stdout
        .lines()
        .filter_map(|l| l.strip_prefix("Run Time: real "))
        .filter_map(|rest| rest.split_whitespace().next()?.parse::<f64>().ok())
        .map(|s| s * 1000.0)
        .collect()
}

struct ShellResult {
    /// Sum of the five statements' "real" times of each measured set, in ms.
    per_set: Vec<f64>,
    /// Per query (in `COLUMNS` order), the "real" times in ms.
    per_query: Vec<Vec<f64>>,
    /// Mean per set from the wall clock: (warm-up + N sets) minus (warm-up only), over N.
    wall_mean: f64,
}

/// The five counts in the sqlite3 shell: `sets` sets of five after one warm-up set, in one
/// invocation with `.timer on`; then the same timed from outside against an invocation
/// running the warm-up set only.
fn shell_counts(path: &Path, f: i64, t: i64, sets: usize) -> Res<Result<ShellResult, String>> {
    let set: String = COLUMNS
        .iter()
        .map(|c| literal_sql(c, f, t) + "\n")
        .collect();
    let head = ".timer on\n.output /dev/null\n";
    let measured = format!("{head}{}", set.repeat(sets + 1));
    let (stdout, stderr, _, ok) = run_shell(path, &measured)?;
    let times = run_times(&stdout);
    if !ok || !stderr.trim().is_empty() || times.len() != 5 * (sets + 1) {
        return Ok(Err(format!(
            "statut {}, {} temps lus sur {} attendus, stderr : {}",
            if ok { "0" } else { "≠ 0" },
            times.len(),
            5 * (sets + 1),
            stderr.trim()
        )));
    }
    let measured_times = &times[5..];
    let per_set = measured_times
        .chunks(5)
        .map(|c| c.iter().sum::<f64>())
        .collect();
    let per_query = (0..5)
        .map(|q| measured_times.iter().skip(q).step_by(5).copied().collect())
        .collect();
    // Wall clock: best of 3 of each invocation.
    let warm_only = format!("{head}{set}");
    let mut full = f64::INFINITY;
    let mut base = f64::INFINITY;
    for _ in 0..3 {
        full = full.min(ms(run_shell(path, &measured)?.2));
        base = base.min(ms(run_shell(path, &warm_only)?.2));
    }
    Ok(Ok(ShellResult {
        per_set,
        per_query,
        wall_mean: (full - base) / sets as f64,
    }))
}

/// The shell's rows of the five counts, as "value|count" lines per query.
fn shell_rows(path: &Path, f: i64, t: i64) -> Res<Vec<Vec<String>>> {
    let script: String = COLUMNS
        .iter()
        .map(|c| format!("{}\nSELECT '#';\n", literal_sql(c, f, t)))
        .collect();
    let (stdout, _, _, _) = run_shell(path, &script)?;
    let mut out = vec![Vec::new()];
    for line in stdout.lines() {
        if line == "#" {
            out.push(Vec::new());
        } else if let Some(last) = out.last_mut() {
            last.push(line.to_string());
        }
    }
    out.pop();
    Ok(out)
}

fn as_lines(groups: &Groups) -> Vec<Vec<String>> {
    groups
        .iter()
        .map(|g| {
            g.iter()
                .map(|(k, n)| format!("{}|{n}", k.as_deref().unwrap_or("")))
                .collect()
        })
        .collect()
}

fn verdict(ok: bool) -> &'static str {
    if ok { "PASS" } else { "FAIL" }
}

fn main() -> Res<()> {
    let whole = Instant::now();
    let n_calls = env_usize("GUICHET_BENCH_CALLS", 1_000_000);
    let reps = env_usize("GUICHET_BENCH_REPS", 50).max(MIN_REPS);

    println!("== guichet : rapport de relève sur une journée chargée ==");
    let reference = embedded_reference();
    let catalog = embedded(&reference);
    if !catalog.problems.is_empty() {
        eprintln!("catalogue embarqué : {} problèmes", catalog.problems.len());
    }

    println!();
    println!("-- base --");
    let (path, prepared) = datagen::calls_database(n_calls, &catalog.procedures, &reference, SEED)?;
    match prepared {
        Prepared::Reused => println!(
            "  {} réutilisée (supprimer le fichier pour la régénérer)",
            path.display()
        ),
        Prepared::Generated { took, journal } => println!(
            "  {n_calls} appels et {journal} entrées de journal générés en {:.1} s → {}",
            took.as_secs_f64(),
            path.display()
        ),
    }
    let started = Instant::now();
    let store = Store::open(&path)?;
    println!("  Store::open {:.1} ms", ms(started.elapsed()));
    let side = Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let ours_version: String = side.query_row("SELECT sqlite_version()", [], |r| r.get(0))?;
    let calls: i64 = side.query_row("SELECT count(*) FROM calls", [], |r| r.get(0))?;
    let open: i64 = side.query_row(
        "SELECT count(*) FROM calls WHERE status = 'open'",
        [],
        |r| r.get(0),
    )?;
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    println!(
        "  {calls} appels dont {open} encore ouverts, fichier {:.0} Mo, SQLite {ours_version} \
         (rusqlite, bundled)",
        size as f64 / 1e6
    );

    println!();
    println!("-- journée la plus chargée (jour calendaire de Paris) --");
    let started = Instant::now();
    let days = busiest_days(&side, 3)?;
    let &(day, f, t, n_day) = days.first().ok_or("no calls")?;
    println!(
        "  calculée en {:.1} ms (une requête)",
        ms(started.elapsed())
    );
    for (d, df, dt, n) in &days {
        println!(
            "  {d} ({})  {n} appels   [{df}, {dt}) = {} → {} UTC, {} h",
            d.format("%A"),
            utc(*df).format("%Y-%m-%d %H:%M"),
            utc(*dt).format("%Y-%m-%d %H:%M"),
            (dt - df) / 3600
        );
    }
    let shift = ShiftWindow {
        name: "journée".into(),
        from: utc(f),
        to: utc(t),
    };
    let prev_day = day - Days::days(1);
    let previous = ShiftWindow {
        name: "journée".into(),
        from: utc(paris_midnight(prev_day)),
        to: utc(f),
    };
    let now = shift.to;
    println!(
        "  fenêtre : {} ; précédente : {}",
        shift.label(),
        previous.label()
    );

    // What the report holds, once.
    let data = store.report_data(shift.from, shift.to, None)?;
    let report = HandoverReport::build(&store, &reference, &shift, &previous, None, now)?;
    println!(
        "  report_data : {} appels, {} encore ouverts, {} durées, {} procédures, {} en attente \
         listés, {} appels ouverts en tout (limite {WAITING_LIMIT})",
        data.counts.calls_total,
        data.counts.still_open,
        data.counts.handling_secs.len(),
        data.procedures.len(),
        data.waiting.len(),
        data.open_total
    );
    println!(
        "  rapport : {} ouverts listés (sur {}), {} rappels, médiane de traitement {:?} s",
        report.open.len(),
        report.open_total,
        report.callbacks.len(),
        report.handling.median_secs
    );
    assert_eq!(
        data.counts.calls_total, n_day,
        "report_data counts the same day"
    );

    println!();
    println!("-- mesures ({reps} répétitions après 3 d'échauffement) --");
    println!("  charge de la machine avant : {}", load_average());
    let rd = stats(&measure(reps, || {
        std::hint::black_box(store.report_data(shift.from, shift.to, None)?);
        Ok(())
    })?);
    print_stats("Store::report_data", &rd);
    let build = stats(&measure(reps, || {
        std::hint::black_box(HandoverReport::build(
            &store, &reference, &shift, &previous, None, now,
        )?);
        Ok(())
    })?);
    print_stats("HandoverReport::build", &build);

    println!();
    println!("-- les comptes (service, poste, issue, opérateur, statut, durées) --");
    let ours = stats(&measure(reps, || {
        std::hint::black_box(store.window_counts(shift.from, shift.to, None)?);
        Ok(())
    })?);
    print_stats("Store::window_counts (une passe)", &ours);
    let counts = stats(&measure(reps, || {
        std::hint::black_box(five_bound(&side, f, t)?);
        Ok(())
    })?);
    print_stats("cinq GROUP BY, rusqlite (référence)", &counts);
    println!(
        "  report_data − window_counts {:.3} ms (appels en attente, procédures, dernières entrées)",
        rd.median - ours.median
    );

    println!();
    println!("-- plans (EXPLAIN QUERY PLAN, SQLite {ours_version}) --");
    print_plan(
        &side,
        "la passe des comptes",
        "SELECT service, device, outcome, operator, status, opened_at, closed_at, id \
         FROM calls WHERE opened_at >= ?1 AND opened_at < ?2",
        &[&f, &t],
    )?;
    print_plan(
        &side,
        "GROUP BY service, littéral (comme dans le shell)",
        &literal_sql("service", f, t),
        &[],
    )?;

    println!();
    println!("-- comparaison avec le shell sqlite3, mêmes cinq GROUP BY, même fichier --");
    let literal = stats(&measure(reps, || {
        std::hint::black_box(five_literal(&side, f, t)?);
        Ok(())
    })?);
    print_stats("rusqlite, cinq GROUP BY littéraux", &literal);
    print_stats("rusqlite, cinq GROUP BY liés", &counts);
    let mut shell_median = None;
    match shell_version() {
        None => {
            println!(
                "  sqlite3 n'est pas dans le PATH : comparaison sautée. L'installer avec \
                 `apt-get install sqlite3` (Debian/Ubuntu, après `apt-get update`), puis relancer."
            );
        }
        Some(version) => {
            println!("  shell : sqlite3 {version}");
            println!("  bibliothèque du banc : SQLite {ours_version}");
            match shell_counts(&path, f, t, reps)? {
                Err(why) => {
                    println!(
                        "  le shell sqlite3 {version} n'a pas pu exécuter les requêtes sur ce \
                         fichier ({why}). Le schéma contient une table FTS5 avec l'option \
                         contentless_delete (SQLite ≥ 3.43) : un shell plus ancien peut le \
                         refuser. Comparaison sautée."
                    );
                }
                Ok(shell) => {
                    let same = shell_rows(&path, f, t)? == as_lines(&five_literal(&side, f, t)?);
                    println!(
                        "  résultats du shell identiques aux nôtres : {}",
                        if same { "oui" } else { "NON" }
                    );
                    let s = stats(&shell.per_set);
                    print_stats("sqlite3 .timer, somme des cinq", &s);
                    for (column, times) in COLUMNS.iter().zip(&shell.per_query) {
                        print_stats(&format!("  sqlite3 GROUP BY {column}"), &stats(times));
                    }
                    println!(
                        "  sqlite3 horloge murale : {:.3} ms par série de cinq en moyenne \
                         ((échauffement + {reps} séries) − (échauffement seul), meilleur de 3)",
                        shell.wall_mean
                    );
                    println!(
                        "  (le shell arrondit « real » à la milliseconde : la médiane de la \
                         somme est quantifiée, la moyenne et l'horloge murale la recoupent)"
                    );
                    shell_median = Some((s.median, s.mean, shell.wall_mean));
                }
            }
        }
    }

    println!();
    println!("== résultat ==");
    println!("  journée la plus chargée   {day} : {n_day} appels");
    println!(
        "  report_data              médiane {:8.3} ms   p99 {:8.3} ms",
        rd.median, rd.p99
    );
    println!(
        "  HandoverReport::build    médiane {:8.3} ms   p99 {:8.3} ms",
        build.median, build.p99
    );
    println!(
        "  comptes (window_counts)  médiane {:8.3} ms ; cinq GROUP BY rusqlite {:8.3} ms (liés), {:8.3} ms (littéraux)",
        ours.median, counts.median, literal.median
    );
    println!(
        "  {} report_data médiane {:.3} ms < {TARGET_MS} ms",
        verdict(rd.median < TARGET_MS),
        rd.median
    );
    println!(
        "  {} build médiane {:.3} ms < {TARGET_MS} ms",
        verdict(build.median < TARGET_MS),
        build.median
    );
    match shell_median {
        None => println!("  ---- ratio avec le shell sqlite3 : non mesuré"),
        Some((median, mean, wall)) => {
            println!(
                "  sqlite3 shell            médiane {median:8.3} ms par série de cinq \
                 (moyenne {mean:.3} ms, horloge murale {wall:.3} ms)"
            );
            let ratio = |ours: f64| ours / median;
            println!(
                "       report_data entier / sqlite3  {:6.2} (il fait plus que compter)",
                ratio(rd.median)
            );
            println!(
                "  {} comptes (window_counts) / sqlite3 {:6.2} (≤ {TARGET_RATIO}) : les mêmes comptes",
                verdict(ratio(ours.median) <= TARGET_RATIO),
                ratio(ours.median)
            );
            println!(
                "       cinq GROUP BY rusqlite / sqlite3 {:6.2}",
                ratio(counts.median)
            );
            println!(
                "       cinq GROUP BY littéraux / sqlite3 {:6.2} ; par la moyenne du shell : \
                 report_data {:.2}, cinq GROUP BY {:.2}",
                ratio(literal.median),
                rd.median / mean,
                counts.median / mean
            );
        }
    }
    println!("  charge de la machine après : {}", load_average());
    println!(
        "  durée totale du banc {:.1} s",
        whole.elapsed().as_secs_f64()
    );
    Ok(())
}
