//! The search index brought in line with a change to a few procedures, in place: their
//! rows and the rows of their words, nothing else (the whole index rebuilt for one file
//! changed in a folder of 10,000 took seconds). The result is the index a rebuild makes of
//! the same procedures but for their ids: an updated procedure keeps its id, a removed
//! one leaves a gap, a new one comes after the last; the ranking never depends on ids
//! (ties go by slug).
//!
//! On top of the index it was told of only: the fingerprint the index holds must be the
//! one the changes were read against. Else (another catalogue indexed meanwhile, a console
//! of the same server that rebuilt it) nothing is written and the caller rebuilds whole.
//! On a server, under the lock of whoever writes the index: consoles of several sites that
//! see the same change write it once, the others find it there.

use super::db::{DbResult, Value, args};
use super::procedures::postings::{Packed, ids_of_text};
use super::procedures::{INDEX_FORMAT, procedure_words, slug_list};
use super::{Result, Store, StoreError};
use crate::domain::procedure::Procedure;
use std::collections::{BTreeMap, HashMap, HashSet};

/// What [`Store::update_index`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexUpdate {
    /// The index holds the changes now.
    Applied,
    /// It held them already: another console of the store wrote them.
    AlreadyThere,
    /// It is not the index the changes were read against, or a procedure of it could not
    /// be read back: nothing written, the index is to be rebuilt whole.
    Stale,
}

/// How many words are read and written per statement.
const WORDS_PER_STATEMENT: usize = 500;

impl Store {
    /// Replaces the procedures of `upserted` (by slug; those the index lacks are added)
    /// and removes the slugs of `removed`, in the index whose fingerprint is `base`,
    /// which then says `target` (fingerprints as [`Store::ensure_catalog`] compares them,
    /// without the index's format).
    pub fn update_index(
        &mut self,
        upserted: &[Procedure],
        removed: &[String],
        base: &str,
        target: &str,
    ) -> Result<IndexUpdate> {
        if self.read_only {
            return Err(StoreError::ReadOnly {
                path: self.name.clone(),
            });
        }
        let base = format!("{INDEX_FORMAT}:{base}");
        let target = format!("{INDEX_FORMAT}:{target}");
        let err = |e| self.err(e);
        let (tx, current) = self.begin_index_write()?;
        if current.as_deref() == Some(target.as_str()) {
            tx.commit().map_err(err)?;
            return Ok(IndexUpdate::AlreadyThere);
        }
        if current.as_deref() != Some(base.as_str()) {
            return Ok(IndexUpdate::Stale);
        }
        let Some(terms) = write_procedures(&tx, upserted, removed).map_err(err)? else {
            return Ok(IndexUpdate::Stale);
        };
        write_terms(&tx, &terms).map_err(err)?;
        tx.execute(
            "UPDATE catalog_state SET fingerprint = ?1 WHERE id = 1",
            args![target],
        )
        .map_err(err)?;
        tx.commit().map_err(err)?;
        Ok(IndexUpdate::Applied)
    }
}

/// What changes in the words' rows: the ids whose postings are dropped wherever they are
/// (the procedures removed or rewritten), and each word's postings that join it.
#[derive(Default)]
struct Terms {
    rewritten: HashSet<u32>,
    joining: BTreeMap<String, Vec<(u32, u8)>>,
}

/// The procedures' rows written; what their words' rows must become. `None` when a
/// version in the index cannot be read back (its words unknown).
fn write_procedures(
    tx: &super::conn::Db,
    upserted: &[Procedure],
    removed: &[String],
) -> DbResult<Option<Terms>> {
    let mut terms = Terms::default();
    // The versions the index has: their ids, and their words (every word they had must
    // lose them).
    let mut ids: HashMap<&str, u32> = HashMap::new();
    let slugs = removed
        .iter()
        .map(String::as_str)
        .chain(upserted.iter().map(|p| p.slug.as_str()));
    for slug in slugs {
        if ids.contains_key(slug) {
            continue;
        }
        let row: Option<(i64, Option<String>)> = tx.query_one(
            "SELECT id, body FROM procedures WHERE slug = ?1",
            args![slug],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let Some((id, body)) = row else {
            continue;
        };
        let old = body.and_then(|b| serde_json::from_str::<Procedure>(&b).ok());
        let (Ok(id), Some(old)) = (u32::try_from(id), old) else {
            return Ok(None);
        };
        for (term, _) in procedure_words(&old) {
            terms.joining.entry(term).or_default();
        }
        terms.rewritten.insert(id);
        ids.insert(slug, id);
    }
    for slug in removed {
        if let Some(id) = ids.get(slug.as_str()) {
            tx.execute("DELETE FROM procedures WHERE id = ?1", args![*id])?;
        }
    }
    let mut next: Option<u32> = None;
    for p in upserted {
        // A procedure is plain data: serializing it cannot fail.
        let body = serde_json::to_string(p).unwrap_or_default();
        let (services, devices) = (slug_list(&p.services), slug_list(&p.devices));
        let id = match ids.get(p.slug.as_str()) {
            Some(&id) => {
                tx.execute(
                    "UPDATE procedures SET title = ?2, services = ?3, devices = ?4, body = ?5
                     WHERE id = ?1",
                    args![id, &p.title, services, devices, body],
                )?;
                id
            }
            None => {
                let id = match next {
                    Some(n) => n,
                    None => {
                        let last: Option<i64> = tx
                            .query_one("SELECT max(id) FROM procedures", &[], |r| r.get(0))?
                            .flatten();
                        let Ok(last) = u32::try_from(last.unwrap_or(0)) else {
                            return Ok(None);
                        };
                        last + 1
                    }
                };
                next = Some(id + 1);
                tx.execute(
                    "INSERT INTO procedures (id, slug, title, services, devices, body)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    args![id, &p.slug, &p.title, services, devices, body],
                )?;
                id
            }
        };
        terms.rewritten.insert(id);
        for (term, columns) in procedure_words(p) {
            terms.joining.entry(term).or_default().push((id, columns));
        }
    }
    Ok(Some(terms))
}

/// Each word the changes touch: its row read, its postings of the rewritten procedures
/// dropped, the new ones added, written back (a word left with none goes).
fn write_terms(tx: &super::conn::Db, terms: &Terms) -> DbResult<()> {
    let words: Vec<&String> = terms.joining.keys().collect();
    for chunk in words.chunks(WORDS_PER_STATEMENT) {
        let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("?{i}")).collect();
        let marks = marks.join(", ");
        let values: Vec<Value> = chunk.iter().map(|w| Value::from(*w)).collect();
        let mut stored: HashMap<String, String> = tx
            .query_vec(
                &format!("SELECT term, postings FROM procedure_terms WHERE term IN ({marks})"),
                &values,
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?
            .into_iter()
            .collect();
        tx.execute(
            &format!("DELETE FROM procedure_terms WHERE term IN ({marks})"),
            &values,
        )?;
        let mut rows = chunk.iter().filter_map(|word| {
            let mut postings = stored
                .remove(word.as_str())
                .map(|p| ids_of_text(&p))
                .unwrap_or_default();
            postings.retain(|(id, _)| !terms.rewritten.contains(id));
            postings.extend(terms.joining[*word].iter().copied());
            if postings.is_empty() {
                return None;
            }
            postings.sort_unstable_by_key(|p| p.0);
            let mut packed = Packed::default();
            for (id, columns) in postings {
                packed.push(id, columns);
            }
            Some(vec![Value::from(*word), Value::from(packed.into_text())])
        });
        tx.bulk_insert("procedure_terms", &["term", "postings"], &mut rows)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::IndexUpdate;
    use crate::catalog::embedded_reference;
    use crate::catalog::procedures::embedded;
    use crate::store::{ProcedureQuery, Store};

    #[test]
    fn an_update_in_place_reads_back_as_the_same_changes_made_in_memory() {
        let catalog = embedded(&embedded_reference());
        let mut store = Store::open_in_memory().unwrap();
        let before = store.sync_catalog(&catalog).unwrap();
        let base = catalog.fingerprint();
        // One rewritten, two removed (the first and one inside), two added: one sorting
        // before every slug, one after.
        let p = &catalog.procedures;
        let mut rewritten = p[3].clone();
        rewritten.title = "Zorglub en panne".into();
        rewritten.keywords = vec!["zorglub".into()];
        let mut last = p[5].clone();
        last.slug = "zz-ajoutee".into();
        let mut first = p[7].clone();
        first.slug = "aa-ajoutee".into();
        first.summary = "Une procédure zorglub ajoutée.".into();
        let upserted = vec![rewritten, last, first];
        let removed = vec![p[0].slug.clone(), p[9].slug.clone(), "absente".to_string()];
        let update = store.update_index(&upserted, &removed, &base, "suivante");
        assert_eq!(update.unwrap(), IndexUpdate::Applied);
        let read = store.load_search_index().unwrap();
        let made = before.with_changes(&upserted, &removed);
        assert_eq!(format!("{made:?}"), format!("{read:?}"));
        let zorglub = made.search(&ProcedureQuery {
            text: "zorglub",
            limit: 5,
            ..ProcedureQuery::default()
        });
        let slugs: Vec<&str> = zorglub.iter().map(|h| h.slug.as_str()).collect();
        assert_eq!(slugs, [p[3].slug.as_str(), "aa-ajoutee"]);
        // Two gone, two come.
        assert_eq!(made.browse(None, None).len(), p.len());

        // Written again: found there. Against another index: nothing written.
        let again = store.update_index(&upserted, &removed, &base, "suivante");
        assert_eq!(again.unwrap(), IndexUpdate::AlreadyThere);
        let other = store.update_index(&[], &removed[..1], &base, "autre");
        assert_eq!(other.unwrap(), IndexUpdate::Stale);
        assert_eq!(
            format!("{:?}", store.load_search_index().unwrap()),
            format!("{read:?}")
        );
        // Changed further on top of that: the gaps of removed ids are skipped, the new
        // ones come after the last.
        let back = vec![p[0].clone()];
        let update = store.update_index(&back, &[upserted[1].slug.clone()], "suivante", "3e");
        assert_eq!(update.unwrap(), IndexUpdate::Applied);
        let read = store.load_search_index().unwrap();
        let made = made.with_changes(&back, &[upserted[1].slug.clone()]);
        assert_eq!(format!("{made:?}"), format!("{read:?}"));
    }
}
