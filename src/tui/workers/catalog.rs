//! The catalogue loader: checks the procedure files against the store's index (their
//! fingerprint), rebuilds the index when they changed, and reads it, on a thread with its
//! own connection, so that the console paints meanwhile.

use super::Post;
use crate::catalog::procedures::CatalogSource;
use crate::store::{FileAccess, Location, Store, StoreError};
use crate::tui::component::Library;
use std::thread::JoinHandle;

/// How long after a failed load on a server store the catalogue is read again.
pub const RETRY_AFTER: chrono::Duration = chrono::Duration::seconds(3);

/// What the loader thread hands over: the library and the broken files it skipped, or why
/// it could not, with the catalogue's source (to try again when the server is back).
pub type Loaded = Result<(Library, usize), (String, CatalogSource)>;

/// The catalogue to check and load, and where.
pub struct CatalogLoad {
    pub location: Location,
    pub read_only: bool,
    pub source: CatalogSource,
}

impl CatalogLoad {
    /// Starts the loader, which hands what it loaded, or why not, to `post`.
    pub fn spawn(self, post: Post<Loaded>) -> JoinHandle<()> {
        std::thread::spawn(move || {
            let loaded = self.load().map_err(|e| (e, self.source));
            post(loaded);
        })
    }

    /// The library and how many broken files it skipped, or why it could not be read.
    fn load(&self) -> Result<(Library, usize), String> {
        let CatalogLoad {
            location,
            read_only,
            source,
        } = self;
        let read_only = *read_only;
        let load = || -> Result<(Library, usize), String> {
            let access = FileAccess {
                group: None,
                read_only,
            };
            let mut store = Store::open_location(location, &access).map_err(|e| e.to_string())?;
            match store.ensure_catalog(source) {
                Ok(skipped) => Ok((
                    Library::from_store(&store).map_err(|e| e.to_string())?,
                    skipped.unwrap_or(0),
                )),
                // A stale index that cannot be rewritten: the catalogue in memory.
                Err(StoreError::ReadOnly { .. }) => {
                    let catalog = source.catalog()?.clone();
                    let mut memory = Store::open_in_memory().map_err(|e| e.to_string())?;
                    let mut library =
                        Library::synced(&mut memory, &catalog).map_err(|e| e.to_string())?;
                    let skipped = catalog.problems.len();
                    library.in_memory = Some(catalog);
                    Ok((library, skipped))
                }
                Err(e) => Err(e.to_string()),
            }
        };
        let (mut library, skipped) = load()?;
        // The desk's own synonyms beside its folder; a broken group is left out (`procedures
        // lint` names it).
        library
            .index
            .set_thesaurus(crate::catalog::thesaurus::load(source.folder()).0);
        Ok((library, skipped))
    }
}
