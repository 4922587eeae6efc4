//! The procedure search gives the same results on PostgreSQL as on SQLite (issue 14): the
//! ranking is computed in memory on both, from the words each engine keeps, so the index
//! built and read back from the server must be the one built and read back from an SQLite
//! file, and every query of `relevance_set.toml` must rank the same procedures in the same
//! order with the same scores, whatever the engine. The PostgreSQL side must also meet the
//! figures `relevance_operators.rs` asks of SQLite (every query's procedure in the top
//! three, at least 85 % first).
//!
//! Needs the test server (`GUICHET_TEST_PG=postgresql://…`, or `pg_virtualenv cargo test`):
//! without one the tests fail with a sentence that says so, never skip.
//!
//! `cargo test --test relevance_engines -- --nocapture`

use guichet::catalog::embedded_reference;
use guichet::catalog::procedures::{Catalog, embedded};
use guichet::store::scratch::ScratchDb;
use guichet::store::{Engine, FileAccess, ProcedureHit, ProcedureQuery, SearchIndex, Store};
use serde::Deserialize;
use std::collections::BTreeSet;

/// The set, embedded so that a change to it rebuilds the test.
const SET_TOML: &str = include_str!("relevance_set.toml");

/// As in `relevance_operators.rs`.
const LIMIT: usize = 10;
const TOP: usize = 3;
const MIN_TOP1: f64 = 0.85;

#[derive(Debug, Deserialize)]
struct Set {
    query: Vec<Query>,
}

#[derive(Debug, Deserialize)]
struct Query {
    text: String,
    service: String,
    device: String,
    expected: String,
}

fn load_set() -> Vec<Query> {
    let set: Set = toml::from_str(SET_TOML)
        .unwrap_or_else(|e| panic!("tests/integration/relevance_set.toml does not parse: {e}"));
    assert!(
        !set.query.is_empty(),
        "tests/integration/relevance_set.toml is empty"
    );
    set.query
}

fn catalogue() -> Catalog {
    let reference = embedded_reference();
    let catalog = embedded(&reference);
    assert!(catalog.problems.is_empty(), "{:#?}", catalog.problems);
    catalog
}

/// One engine's store and the index it gave.
struct Side {
    label: &'static str,
    store: Store,
    index: SearchIndex,
}

impl Side {
    fn run(&self, q: &Query, limit: usize) -> Vec<ProcedureHit> {
        self.store
            .search_procedures(
                &self.index,
                &ProcedureQuery {
                    text: &q.text,
                    service: Some(&q.service),
                    device: Some(&q.device),
                    limit,
                },
            )
            .unwrap_or_else(|e| panic!("{}: search {:?}: {e}", self.label, q.text))
    }
}

/// Both engines, each with the index built by `Store::sync_catalog` from the catalogue.
/// The scratch database and the folder live as long as the returned guards.
fn both(catalog: &Catalog) -> (ScratchDb, tempfile::TempDir, Side, Side) {
    let dir = tempfile::tempdir().unwrap();
    let mut sqlite = Store::open(&dir.path().join("guichet.db")).unwrap();
    assert_eq!(sqlite.engine(), Engine::Sqlite);
    let sqlite_index = sqlite.sync_catalog(catalog).unwrap();

    let server = ScratchDb::new();
    let mut pg = Store::connect_with_drafts(
        server.target(),
        &FileAccess::default(),
        &dir.path().join("drafts.db"),
    )
    .unwrap_or_else(|e| panic!("PostgreSQL store on {}: {e}", server.target().shown()));
    assert_eq!(pg.engine(), Engine::Postgres);
    let pg_index = pg.sync_catalog(catalog).unwrap();
    (
        server,
        dir,
        Side {
            label: "SQLite",
            store: sqlite,
            index: sqlite_index,
        },
        Side {
            label: "PostgreSQL",
            store: pg,
            index: pg_index,
        },
    )
}

/// Where two renderings first differ, with some context.
fn first_difference(a: &str, b: &str) -> String {
    let at = a
        .char_indices()
        .zip(b.chars())
        .find(|((_, x), y)| x != y)
        .map_or(a.len().min(b.len()), |((i, _), _)| i);
    let from = a[..at].char_indices().rev().nth(80).map_or(0, |(i, _)| i);
    let cut = |s: &str| s[from..].chars().take(240).collect::<String>();
    format!(
        "at byte {at}:\n    SQLite     …{}\n    PostgreSQL …{}",
        cut(a),
        cut(b)
    )
}

/// The in-memory index itself: the same procedures, terms and postings from both engines.
fn assert_same_index(sqlite: &SearchIndex, pg: &SearchIndex, what: &str) {
    let (a, b) = (format!("{sqlite:?}"), format!("{pg:?}"));
    assert!(
        a == b,
        "{what}: the search index read from PostgreSQL differs from SQLite's {}",
        first_difference(&a, &b)
    );
}

/// One engine's figures on the set.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Figures {
    top1: usize,
    top3: usize,
    mrr: f64,
}

fn figures(side: &Side, set: &[Query]) -> (Figures, Vec<String>) {
    let mut f = Figures {
        top1: 0,
        top3: 0,
        mrr: 0.0,
    };
    let mut misses = Vec::new();
    for q in set {
        let hits = side.run(q, LIMIT);
        let rank = hits
            .iter()
            .take(LIMIT)
            .position(|h| h.slug == q.expected)
            .map(|i| i + 1);
        if rank == Some(1) {
            f.top1 += 1;
        }
        if rank.is_some_and(|r| r <= TOP) {
            f.top3 += 1;
        } else {
            misses.push(format!(
                "{:?} ({}, {}): {} at {:?}; top {TOP} {:?}",
                q.text,
                q.service,
                q.device,
                q.expected,
                rank,
                hits.iter().take(TOP).map(|h| &h.slug).collect::<Vec<_>>()
            ));
        }
        f.mrr += rank.map_or(0.0, |r| 1.0 / r as f64);
    }
    f.mrr /= set.len().max(1) as f64;
    (f, misses)
}

/// A ranking as the failure message shows it.
fn shown(hits: &[ProcedureHit]) -> String {
    hits.iter()
        .take(5)
        .map(|h| format!("{} {:.6} {:?}", h.slug, h.score, h.matched))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Every query of the set, its whole ranking (every procedure that matches, not only the
/// first ten) and its first ten, compared hit by hit: slug, title, score, relevance, the
/// words matched, the fit to the call.
fn differing_queries(sqlite: &Side, pg: &Side, set: &[Query], whole: usize) -> Vec<String> {
    let mut differ = Vec::new();
    for (i, q) in set.iter().enumerate() {
        for limit in [LIMIT, whole] {
            let (a, b) = (sqlite.run(q, limit), pg.run(q, limit));
            if a != b {
                differ.push(format!(
                    "query #{} {:?} ({}, {}), limit {limit}: {} hits on SQLite, {} on PostgreSQL\n      SQLite     {}\n      PostgreSQL {}",
                    i + 1,
                    q.text,
                    q.service,
                    q.device,
                    a.len(),
                    b.len(),
                    shown(&a),
                    shown(&b)
                ));
                break;
            }
        }
    }
    differ
}

#[test]
fn the_relevance_set_ranks_the_same_on_postgresql_as_on_sqlite() {
    let set = load_set();
    let catalog = catalogue();
    let whole = catalog.procedures.len();
    let (server, dir, sqlite, pg) = both(&catalog);

    assert_same_index(&sqlite.index, &pg.index, "after sync_catalog");

    // Another console of the desk: a new connection reads the index the first one built
    // (nothing to rebuild), as the console's loader does.
    let mut again = Store::connect_with_drafts(
        server.target(),
        &FileAccess::default(),
        &dir.path().join("drafts-2.db"),
    )
    .unwrap();
    let reread = again.load_search_index().unwrap();
    assert_same_index(&sqlite.index, &reread, "read by a second connection");
    let synced = again.sync_catalog(&catalog).unwrap();
    assert_same_index(&sqlite.index, &synced, "sync_catalog on an index in line");

    let differ = differing_queries(&sqlite, &pg, &set, whole);
    assert!(
        differ.is_empty(),
        "{} of {} queries rank differently on PostgreSQL:\n  {}",
        differ.len(),
        set.len(),
        differ.join("\n  ")
    );

    // The same bodies and titles are read back (the console's panel).
    for p in &catalog.procedures {
        let a = sqlite.store.procedure(&p.slug).unwrap();
        let b = pg.store.procedure(&p.slug).unwrap();
        assert!(a.is_some(), "{}: no body on SQLite", p.slug);
        assert_eq!(a, b, "{}: the procedure read back differs", p.slug);
        assert_eq!(
            sqlite.store.procedure_title(&p.slug).unwrap(),
            pg.store.procedure_title(&p.slug).unwrap(),
            "{}",
            p.slug
        );
    }

    // Browsing (no words yet) for every service and device of the set.
    let contexts: BTreeSet<(&str, &str)> = set
        .iter()
        .map(|q| (q.service.as_str(), q.device.as_str()))
        .collect();
    for (service, device) in contexts {
        for (s, d) in [
            (Some(service), Some(device)),
            (Some(service), None),
            (None, Some(device)),
            (None, None),
        ] {
            assert_eq!(
                sqlite.index.browse(s, d),
                pg.index.browse(s, d),
                "browse({s:?}, {d:?})"
            );
        }
    }

    // The figures, on each engine: the server's must be the ones asked of SQLite.
    let (fs, _) = figures(&sqlite, &set);
    let (fp, misses) = figures(&pg, &set);
    let n = set.len();
    let pct = |k: usize| 100.0 * k as f64 / n as f64;
    eprintln!(
        "relevance_set.toml, {n} queries: SQLite top-1 {} ({:.1} %) top-3 {} ({:.1} %) MRR {:.3}; \
         PostgreSQL top-1 {} ({:.1} %) top-3 {} ({:.1} %) MRR {:.3}",
        fs.top1,
        pct(fs.top1),
        fs.top3,
        pct(fs.top3),
        fs.mrr,
        fp.top1,
        pct(fp.top1),
        fp.top3,
        pct(fp.top3),
        fp.mrr
    );
    assert_eq!(fs, fp, "the figures differ between the engines");
    assert!(
        misses.is_empty(),
        "on PostgreSQL, {} of {n} queries miss the top {TOP}:\n  {}",
        misses.len(),
        misses.join("\n  ")
    );
    assert!(
        fp.top1 as f64 >= MIN_TOP1 * n as f64,
        "on PostgreSQL, top-1 is {:.1} % ({}/{n}), at least {:.0} % wanted",
        pct(fp.top1),
        fp.top1,
        MIN_TOP1 * 100.0
    );

    // The comparison is not blind: the server's words of one procedure's title, demoted
    // to words of its steps behind the store's back, must show in the rankings.
    let first = &catalog.procedures[0].slug;
    let mut client = server.target().connect().unwrap();
    let id: i64 = client
        .query_one("SELECT id FROM procedures WHERE slug = $1", &[first])
        .unwrap()
        .get(0);
    assert_eq!(id, 1, "{first} comes first in each word's postings");
    // Its posting leads each word's list: 1 × 16 + the columns; in the title, an odd
    // number, made 24 (the steps only).
    let changed = client
        .execute(
            "UPDATE procedure_terms SET postings = '24' || substr(postings, \
             strpos(postings || ' ', ' ')) WHERE split_part(postings, ' ', 1)::int \
             BETWEEN 16 AND 31 AND split_part(postings, ' ', 1)::int % 2 = 1",
            &[],
        )
        .unwrap();
    assert!(changed > 0, "{first}: no title words on the server");
    let tampered = Side {
        label: "PostgreSQL (tampered)",
        index: again.load_search_index().unwrap(),
        store: again,
    };
    assert!(
        !differing_queries(&sqlite, &tampered, &set, whole).is_empty(),
        "a server index with {first}'s title words demoted ranks the set as SQLite does: \
         the comparison sees nothing"
    );
}

/// Words the set does not have, where the engines could differ: the order of the terms
/// (bytes on both: a collation would put "e-mail" and "email" elsewhere), prefixes being
/// typed, typos, digits, drive letters, punctuation, accents.
#[test]
fn edge_queries_rank_the_same_on_postgresql_as_on_sqlite() {
    let catalog = catalogue();
    let whole = catalog.procedures.len();
    let (_server, _dir, sqlite, pg) = both(&catalog);
    let texts = [
        "e-mail",
        "email",
        "e mail",
        "mél",
        "Œuvre cœur",
        "co",
        "con",
        "conn",
        "connex",
        "t:",
        "lecteur t:",
        "u:",
        "4g",
        "20 go",
        "0800",
        "01 23 45 67 89",
        "wi-fi",
        "wifi",
        "WIFI!!",
        "l'imprimante",
        "imprimantes",
        "ÉCRAN NOIR",
        "ecran noir",
        "zzzz",
        "a",
        "",
        "   ",
        "vpn vpn vpn",
        "bitloker",
        "mot de passe oublie cle usb vpn bleu",
        "_%\\",
        "\"quoted\"",
    ];
    let reference = embedded_reference();
    let services: Vec<Option<&str>> = std::iter::once(None)
        .chain(
            reference
                .services
                .iter()
                .map(|s| Some(s.slug.as_str()))
                .take(3),
        )
        .collect();
    let mut differ = Vec::new();
    for text in texts {
        for service in &services {
            for limit in [1, LIMIT, whole] {
                let q = ProcedureQuery {
                    text,
                    service: *service,
                    device: Some("pc-pro"),
                    limit,
                };
                let a = sqlite.store.search_procedures(&sqlite.index, &q).unwrap();
                let b = pg.store.search_procedures(&pg.index, &q).unwrap();
                if a != b {
                    differ.push(format!(
                        "{text:?} ({service:?}, limit {limit}):\n      SQLite     {}\n      PostgreSQL {}",
                        shown(&a),
                        shown(&b)
                    ));
                }
            }
        }
    }
    assert!(
        differ.is_empty(),
        "{} queries rank differently on PostgreSQL:\n  {}",
        differ.len(),
        differ.join("\n  ")
    );
}
