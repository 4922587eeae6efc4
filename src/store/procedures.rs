//! The procedure search index: an FTS5 table rebuilt from the catalogue when it changes,
//! and the one search function the console and the command line share.

use super::{Result, Store, StoreError};
use crate::catalog::procedures::Catalog;
use crate::domain::procedure::{Applies, StepKind};
use crate::domain::search::{TYPO_MIN_LEN, TypoIndex, query_words};
use rusqlite::{OptionalExtension, TransactionBehavior, params};
use serde::Serialize;

/// At most this many near spellings are tried for one query word.
const MAX_VARIANTS: usize = 4;

/// What a search needs besides the database: the index's vocabulary, for typos.
#[derive(Debug, Clone, Default)]
pub struct SearchIndex {
    typos: TypoIndex,
}

/// What the operator typed, and the call's context.
#[derive(Debug, Clone, Default)]
pub struct ProcedureQuery<'a> {
    pub text: &'a str,
    pub service: Option<&'a str>,
    pub device: Option<&'a str>,
    pub limit: usize,
}

/// One match, best first. `score` orders the list: its thousands say how well the procedure
/// fits the call (3: service and device, 2: service, 1: device, 0: neither), the rest is the
/// text's relevance.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProcedureHit {
    pub slug: String,
    pub title: String,
    pub score: f64,
    pub relevance: f64,
    pub fits_service: bool,
    pub fits_device: bool,
}

fn slug_list(applies: &Applies) -> String {
    match applies {
        Applies::All => "*".into(),
        Applies::Only(list) => format!(" {} ", list.join(" ")),
    }
}

/// An FTS5 string literal.
fn quoted(word: &str) -> String {
    format!("\"{}\"", word.replace('"', "\"\""))
}

impl Store {
    /// Brings the search index in line with `catalog` (rebuilding it only when the
    /// catalogue changed) and returns what searches need in memory.
    pub fn sync_catalog(&mut self, catalog: &Catalog) -> Result<SearchIndex> {
        let fingerprint = catalog.fingerprint();
        let current: Option<String> = self
            .conn
            .query_row(
                "SELECT fingerprint FROM catalog_state WHERE id = 1",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        if current.as_deref() != Some(fingerprint.as_str()) {
            self.rebuild_index(catalog, &fingerprint)?;
        }
        self.load_search_index()
    }

    fn rebuild_index(&mut self, catalog: &Catalog, fingerprint: &str) -> Result<()> {
        let path = self.path.clone();
        let err = |source| StoreError::sqlite(&path, source);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(err)?;
        // Another process may have rebuilt it while we waited for the lock.
        let current: Option<String> = tx
            .query_row(
                "SELECT fingerprint FROM catalog_state WHERE id = 1",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(err)?;
        if current.as_deref() == Some(fingerprint) {
            return tx.commit().map_err(err);
        }
        tx.execute_batch(
            "INSERT INTO procedure_fts (procedure_fts) VALUES ('delete-all');
             DELETE FROM procedures;",
        )
        .map_err(err)?;
        {
            let mut meta = tx
                .prepare(
                    "INSERT INTO procedures (id, slug, title, services, devices) \
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )
                .map_err(err)?;
            let mut fts = tx
                .prepare(
                    "INSERT INTO procedure_fts (rowid, title, keywords, summary, body) \
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )
                .map_err(err)?;
            for (i, p) in catalog.procedures.iter().enumerate() {
                let id = i as i64 + 1;
                meta.execute(params![
                    id,
                    p.slug,
                    p.title,
                    slug_list(&p.services),
                    slug_list(&p.devices)
                ])
                .map_err(err)?;
                let mut body = String::new();
                for s in &p.steps {
                    body.push_str(&s.text);
                    body.push('\n');
                    match &s.kind {
                        StepKind::Record { label, .. } => body.push_str(label),
                        StepKind::Escalate { target } => body.push_str(target),
                        _ => {}
                    }
                    body.push('\n');
                }
                fts.execute(params![
                    id,
                    p.title,
                    p.keywords.join(" ; "),
                    p.summary,
                    body
                ])
                .map_err(err)?;
            }
        }
        tx.execute(
            "INSERT INTO catalog_state (id, fingerprint) VALUES (1, ?1)
             ON CONFLICT (id) DO UPDATE SET fingerprint = ?1",
            [fingerprint],
        )
        .map_err(err)?;
        tx.commit().map_err(err)
    }

    fn load_search_index(&self) -> Result<SearchIndex> {
        let mut stmt = self
            .conn
            .prepare("SELECT term FROM procedure_terms")
            .map_err(|e| self.err(e))?;
        let words = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(|e| self.err(e))?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.err(e))?;
        Ok(SearchIndex {
            typos: TypoIndex::new(words),
        })
    }

    /// Procedures matching what the operator typed, those that fit the call's service and
    /// device first. With no words, the procedures that fit the call, by title.
    pub fn search_procedures(
        &self,
        index: &SearchIndex,
        query: &ProcedureQuery<'_>,
    ) -> Result<Vec<ProcedureHit>> {
        let words = query_words(query.text);
        let fits = "CASE WHEN ?2 IS NULL OR p.services = '*' OR instr(p.services, ' ' || ?2 || ' ') > 0 \
                    THEN 1 ELSE 0 END AS fs, \
                    CASE WHEN ?3 IS NULL OR p.devices = '*' OR instr(p.devices, ' ' || ?3 || ' ') > 0 \
                    THEN 1 ELSE 0 END AS fd";
        let limit = query.limit.max(1) as i64;
        let map = |r: &rusqlite::Row<'_>| {
            let fs: i64 = r.get(2)?;
            let fd: i64 = r.get(3)?;
            let relevance: f64 = r.get(4)?;
            let tier = (fs * 2 + fd) as f64;
            Ok(ProcedureHit {
                slug: r.get(0)?,
                title: r.get(1)?,
                score: tier * 1000.0 + relevance.min(999.0),
                relevance,
                fits_service: fs == 1,
                fits_device: fd == 1,
            })
        };
        if words.is_empty() {
            if query.service.is_none() && query.device.is_none() {
                return Ok(Vec::new());
            }
            let sql = format!(
                "SELECT p.slug, p.title, {fits}, 0.0 FROM procedures p \
                 WHERE ?1 IS NULL AND fs = 1 AND fd = 1 ORDER BY p.title LIMIT ?4"
            );
            let mut stmt = self.conn.prepare_cached(&sql).map_err(|e| self.err(e))?;
            let rows = stmt
                .query_map(
                    params![Option::<String>::None, query.service, query.device, limit],
                    map,
                )
                .map_err(|e| self.err(e))?;
            return rows
                .collect::<rusqlite::Result<Vec<_>>>()
                .map_err(|e| self.err(e));
        }
        let last = words.len() - 1;
        let match_expr = words
            .iter()
            .enumerate()
            .map(|(i, w)| {
                let mut alternatives = Vec::new();
                // The last word is still being typed, and a long word may be a stem
                // ("impri"): both match as prefixes. A short finished word matches whole,
                // so "moi" does not find "mois".
                let len = w.chars().count();
                if (i == last && len >= 2) || len >= TYPO_MIN_LEN {
                    alternatives.push(format!("{}*", quoted(w)));
                } else {
                    alternatives.push(quoted(w));
                }
                if !index.typos.contains(w) {
                    for near in index.typos.near(w, MAX_VARIANTS) {
                        alternatives.push(quoted(&near));
                    }
                }
                format!("({})", alternatives.join(" OR "))
            })
            .collect::<Vec<_>>()
            .join(" OR ");
        // bm25 weights: title, keywords, summary, steps. Lower bm25 is better.
        let sql = format!(
            "SELECT p.slug, p.title, {fits}, -bm25(procedure_fts, 8.0, 6.0, 2.0, 1.0) AS relevance \
             FROM procedure_fts JOIN procedures p ON p.id = procedure_fts.rowid \
             WHERE procedure_fts MATCH ?1 \
             ORDER BY fs DESC, fd DESC, relevance DESC, p.slug LIMIT ?4"
        );
        let mut stmt = self.conn.prepare_cached(&sql).map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![match_expr, query.service, query.device, limit], map)
            .map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.err(e))
    }
}
