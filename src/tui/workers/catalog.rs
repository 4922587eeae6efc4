//! The catalogue loader: checks the procedure files against the store's index (their
//! fingerprint), rebuilds the index when they changed, and reads it, on a thread with its
//! own connection, so that the console paints meanwhile. Told that files of a `--catalog`
//! folder changed, it reads those files alone and updates their procedures in the index
//! (`FolderIndex`, `Store::update_index`): within a second on a folder of 10,000 files,
//! where reading the folder again and rebuilding the whole index took 11 s. A file now
//! broken keeps the version the index had (an author's typo never takes a procedure away
//! from the desk).

use super::Post;
use crate::catalog::folder::FolderIndex;
use crate::catalog::procedures::{Catalog, CatalogSource, LintError};
use crate::domain::learned::Lessons;
use crate::store::{FileAccess, IndexUpdate, Location, SearchIndex, Store, StoreError};
use crate::tui::component::Library;
use std::path::Path;
use std::thread::JoinHandle;

/// How long after a failed load on a server store the catalogue is read again.
pub const RETRY_AFTER: chrono::Duration = chrono::Duration::seconds(3);

/// What the loader thread hands over, or why it could not, with the catalogue's source
/// (to try again when the server is back).
pub type Loaded = Result<Fresh, (String, CatalogSource)>;

/// A catalogue read.
pub struct Fresh {
    pub library: Library,
    /// How many broken files it skipped (on a first load).
    pub skipped: usize,
    /// What a reload after a change found, if it was one.
    pub reloaded: Option<Reloaded>,
    /// What the store's index holds of the `--catalog` folder, so that the next change is
    /// read from its files alone; `None` for the embedded catalogue or a database that
    /// cannot be written.
    pub indexed: Option<FolderIndex>,
    /// Why the lessons of the desk's walks could not be read, when they could not.
    pub unlearned: Option<String>,
}

/// What the folder said when read again.
pub struct Reloaded {
    /// The files that changed (names, as the watch saw them).
    pub changed: Vec<String>,
    /// The problems of the files that changed.
    pub problems: Vec<LintError>,
    /// The files broken whose procedure keeps the version the index had (names).
    pub kept: Vec<String>,
}

/// What a reload reads again: the files that changed, and those broken before whose
/// procedure keeps its previous version (checked again, so that it stays kept).
pub struct Rescan {
    pub changed: Vec<String>,
    pub kept: Vec<String>,
    /// What the index holds of the folder, when the last load said it: then the changed
    /// files alone are read, and their procedures alone written.
    pub indexed: Option<FolderIndex>,
    /// The index the console searches, which that describes: the changes are made to a
    /// copy of it in memory, not the whole index read back from the store.
    pub index: Option<SearchIndex>,
}

/// More files changed than this (a checkout) are read as a start reads the folder, one
/// file in memory at a time, and the index rebuilt: updated in place, their procedures
/// would all be in memory at once.
const ALONE_AT_MOST: usize = 500;

/// The catalogue to check and load, and where.
pub struct CatalogLoad {
    pub location: Location,
    pub read_only: bool,
    pub source: CatalogSource,
    /// Read again because these files changed: a broken one keeps its previous version.
    pub changed: Option<Rescan>,
    /// Also read what the desk's finished walks taught the ranking.
    pub learning: bool,
}

impl CatalogLoad {
    /// Starts the loader, which hands what it loaded, or why not, to `post`.
    pub fn spawn(self, post: Post<Loaded>) -> JoinHandle<()> {
        super::spawn("guichet-catalog", super::Priority::Normal, move || {
            let mut load = self;
            let loaded = load.load().map_err(|e| (e, load.source));
            post(loaded);
        })
    }

    /// The library, or why it could not be read.
    fn load(&mut self) -> Result<Fresh, String> {
        let CatalogLoad {
            location,
            read_only,
            source,
            changed,
            learning,
        } = self;
        let read_only = *read_only;
        let mut load = || -> Result<Fresh, String> {
            let access = FileAccess {
                group: None,
                read_only,
            };
            let mut store = Store::open_location(location, &access).map_err(|e| e.to_string())?;
            // What the desk's walks taught, from its own store (even when the index is then
            // made in memory). Lessons that cannot be read leave the ranking on words
            // alone, said on the status line: the catalogue is what the console cannot do
            // without.
            let (lessons, unlearned) = if *learning {
                match store.lessons(chrono::Utc::now()) {
                    Ok(lessons) => (lessons, None),
                    Err(e) => (Lessons::default(), Some(e.to_string())),
                }
            } else {
                (Lessons::default(), None)
            };
            if let Some(rescan) = changed {
                let mut fresh = reload(&mut store, source, rescan)?;
                fresh.library.index.set_learned(&lessons);
                fresh.unlearned = unlearned;
                return Ok(fresh);
            }
            let mut loaded = match store.ensure_catalog(source) {
                Ok(skipped) => {
                    if skipped.is_some() {
                        // The files parsed and their words counted are dropped: their
                        // memory goes back before the index is read (the first start's
                        // peak, `cargo bench --bench speed`).
                        super::release_free_memory();
                    }
                    Ok(Fresh {
                        library: Library::from_store(&store).map_err(|e| e.to_string())?,
                        skipped: skipped.unwrap_or(0),
                        reloaded: None,
                        indexed: if read_only { None } else { as_indexed(source)? },
                        unlearned: None,
                    })
                }
                // A stale index that cannot be rewritten: the catalogue in memory.
                Err(StoreError::ReadOnly { .. }) => {
                    let catalog = source.catalog()?.clone();
                    let skipped = catalog.problems.len();
                    Ok(Fresh {
                        library: in_memory(catalog)?,
                        skipped,
                        reloaded: None,
                        indexed: None,
                        unlearned: None,
                    })
                }
                Err(e) => Err(e.to_string()),
            };
            if let Ok(fresh) = &mut loaded {
                fresh.library.index.set_learned(&lessons);
                fresh.unlearned = unlearned;
            }
            loaded
        };
        let mut fresh = load()?;
        // The desk's own synonyms beside its folder; a broken group is left out (`procedures
        // lint` names it).
        fresh
            .library
            .index
            .set_thesaurus(crate::catalog::thesaurus::load(source.folder()).0);
        Ok(fresh)
    }
}

/// A catalogue indexed in a database in memory, held whole (a read-only database).
fn in_memory(catalog: Catalog) -> Result<Library, String> {
    let mut memory = Store::open_in_memory().map_err(|e| e.to_string())?;
    let mut library = Library::synced(&mut memory, &catalog).map_err(|e| e.to_string())?;
    library.in_memory = Some(catalog);
    Ok(library)
}

/// What the index holds of the folder once `ensure_catalog` brought it in line with the
/// files (their hashes read with its fingerprint).
fn as_indexed(source: &CatalogSource) -> Result<Option<FolderIndex>, String> {
    Ok(source.file_hashes()?.map(|files| {
        let fingerprint = files.fingerprint();
        FolderIndex::new(files, fingerprint)
    }))
}

/// The folder read again after a change: the changed files alone when the index is known
/// ([`reload_changed`]), else the whole folder ([`reload_whole`]).
fn reload(
    store: &mut Store,
    source: &mut CatalogSource,
    rescan: &mut Rescan,
) -> Result<Fresh, String> {
    if let Some(indexed) = rescan.indexed.take()
        && !store.is_read_only()
        && rescan.changed.len() <= ALONE_AT_MOST
        && let Some(fresh) =
            reload_changed(store, source, &rescan.changed, indexed, rescan.index.take())?
    {
        return Ok(fresh);
    }
    reload_whole(store, source, rescan)
}

/// The files that changed read and checked alone, their procedures alone written to the
/// index (a broken one keeping the version the index has), and the same changes made to
/// the console's index in memory (`current`; read again from the store without it).
/// `None` when the store's index is not the one `indexed` describes: nothing was written.
fn reload_changed(
    store: &mut Store,
    source: &CatalogSource,
    changed: &[String],
    mut indexed: FolderIndex,
    current: Option<SearchIndex>,
) -> Result<Option<Fresh>, String> {
    let base = indexed.fingerprint.clone();
    let changes = indexed.read_changes(source, changed);
    for (name, slug) in &changes.broken {
        if store
            .procedure_title(slug)
            .map_err(|e| e.to_string())?
            .is_some()
        {
            indexed.keep(name);
        }
    }
    let target = indexed.target();
    let update = store
        .update_index(&changes.upserted, &changes.removed, &base, &target)
        .map_err(|e| e.to_string())?;
    if update == IndexUpdate::Stale {
        return Ok(None);
    }
    indexed.fingerprint = target;
    let library = match current {
        Some(index) => Library {
            index: index.with_changes(&changes.upserted, &changes.removed),
            in_memory: None,
        },
        None => Library::from_store(store).map_err(|e| e.to_string())?,
    };
    Ok(Some(Fresh {
        library,
        skipped: 0,
        reloaded: Some(Reloaded {
            changed: changed.to_vec(),
            problems: changes.problems,
            kept: indexed.kept.clone(),
        }),
        indexed: Some(indexed),
        unlearned: None,
    }))
}

/// The whole folder read again. The files that changed (and those kept before) are
/// checked alone first: when none is broken, or none had a version in the index, the
/// catalogue is indexed as a start indexes it; else the broken ones keep the version the
/// index had, indexed with the others.
fn reload_whole(
    store: &mut Store,
    source: &mut CatalogSource,
    rescan: &Rescan,
) -> Result<Fresh, String> {
    let mut names = rescan.changed.clone();
    for k in &rescan.kept {
        if !names.contains(k) {
            names.push(k.clone());
        }
    }
    let problems = source.check_files(&names);
    let mut kept = Vec::new();
    let mut previous = Vec::new();
    for problem in &problems {
        let name = file_name(&problem.file);
        if kept.contains(&name) {
            continue;
        }
        let slug = Path::new(&name)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        // On a read-only database, the version its index had, if any.
        if let Some(p) = store.procedure(&slug).map_err(|e| e.to_string())? {
            kept.push(name);
            previous.push(p);
        }
    }
    kept.sort();
    let (library, indexed) = if previous.is_empty() {
        match store.ensure_catalog(source) {
            Ok(_) => (
                Library::from_store(store).map_err(|e| e.to_string())?,
                as_indexed(source)?,
            ),
            Err(StoreError::ReadOnly { .. }) => (in_memory(source.take_catalog()?)?, None),
            Err(e) => return Err(e.to_string()),
        }
    } else {
        let mut catalog = source.take_catalog()?;
        catalog.procedures.extend(previous);
        catalog.procedures.sort_by(|a, b| a.slug.cmp(&b.slug));
        if store.is_read_only() {
            (in_memory(catalog)?, None)
        } else {
            // The files' hashes read after their parse: a file changed in between is
            // said by the watch, and read again then.
            let files = source.file_hashes()?.unwrap_or_default();
            // Not the files' own fingerprint: a console started on them later indexes
            // them as they are, the broken file skipped.
            catalog.source_fingerprint = FolderIndex::fingerprint_of(&files, &kept);
            let fingerprint = catalog.source_fingerprint.clone();
            let library = Library::synced(store, &catalog).map_err(|e| e.to_string())?;
            let indexed = FolderIndex {
                files,
                kept: kept.clone(),
                fingerprint,
            };
            (library, Some(indexed))
        }
    };
    let problems = problems
        .into_iter()
        .filter(|p| rescan.changed.contains(&file_name(&p.file)))
        .collect();
    Ok(Fresh {
        library,
        skipped: 0,
        reloaded: Some(Reloaded {
            changed: rescan.changed.clone(),
            problems,
            kept,
        }),
        indexed,
        unlearned: None,
    })
}

/// A file's name without its folder.
pub fn file_name(file: &str) -> String {
    Path::new(file)
        .file_name()
        .map_or_else(|| file.to_string(), |n| n.to_string_lossy().into_owned())
}
