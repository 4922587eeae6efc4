//! A `--catalog` folder read again when its files change, so that an author walks a draft
//! as they write it: the watch says which files changed, the catalogue loader reads them
//! (one load at a time: what changes meanwhile waits for it) and updates their procedures
//! in the index, and what it found is said on the status line. A file now broken keeps its
//! previous version.

use super::App;
use crate::catalog::folder::FolderIndex;
use crate::catalog::procedures::{CatalogSource, LintError};
use crate::tui::channel::News;
use crate::tui::workers::catalog::{CatalogLoad, Reloaded, Rescan, file_name};
use crate::tui::workers::catalog_watch::{self, Changed};
use std::path::PathBuf;

/// The folder watched, the files changed that no load has read yet, the broken files
/// whose procedure keeps its previous version, and what the index holds of the folder
/// (taken by the load at work, given back by it).
#[derive(Default)]
pub struct Reload {
    folder: Option<PathBuf>,
    waiting: Changed,
    kept: Vec<String>,
    pub(super) indexed: Option<FolderIndex>,
}

impl App {
    /// Starts watching the folder of the catalogue.
    pub(super) fn watch_catalog(&mut self, folder: PathBuf) {
        catalog_watch::spawn(folder.clone(), self.inbox.post(News::CatalogChanged));
        self.reload.folder = Some(folder);
    }

    /// Files of the folder changed: read it again, now or after the load at work.
    pub(super) fn catalog_changed(&mut self, changed: Changed) {
        // Sorted, not searched name by name: a checkout may change every file.
        self.reload.waiting.extend(changed);
        self.reload.waiting.sort_unstable();
        self.reload.waiting.dedup();
        self.reload_if_idle();
    }

    /// Reads the folder again when files changed and no load is at work.
    pub(super) fn reload_if_idle(&mut self) {
        if self.loader.is_some() || self.reload.waiting.is_empty() {
            return;
        }
        let Some(folder) = self.reload.folder.clone() else {
            return;
        };
        let changed = std::mem::take(&mut self.reload.waiting);
        // The index searched now, copied for the loader to change: what `indexed` says.
        let indexed = self.reload.indexed.take();
        let index = indexed.is_some().then(|| self.desk.library.index.clone());
        self.load_catalog(CatalogLoad {
            location: self.store.location().clone(),
            read_only: self.store.is_read_only(),
            source: CatalogSource::dir(&folder, &self.desk.reference),
            changed: Some(Rescan {
                changed,
                kept: self.reload.kept.clone(),
                indexed,
                index,
            }),
            learning: self.desk.learning,
        });
    }

    /// Says what the folder read again gave: the files read, or the first problem of a
    /// changed file and whether its procedure kept its previous version.
    pub(super) fn said_reloaded(&mut self, reloaded: Reloaded) {
        let Reloaded {
            changed,
            problems,
            kept,
        } = reloaded;
        self.reload.kept = kept;
        let broken: Vec<&LintError> = problems
            .iter()
            .filter(|p| changed.contains(&file_name(&p.file)))
            .collect();
        let Some(first) = broken.first() else {
            const NAMED: usize = 3;
            let mut names = changed[..changed.len().min(NAMED)].join(", ");
            if changed.len() > NAMED {
                names.push_str(&format!(" et {} autres", changed.len() - NAMED));
            }
            self.info(format!("Procédures relues : {names}"));
            return;
        };
        let name = file_name(&first.file);
        let what = if self.reload.kept.contains(&name) {
            "version précédente gardée"
        } else {
            "procédure ignorée"
        };
        let more = match broken.len() {
            1 => String::new(),
            n => format!(" ({} autres problèmes : guichet procedures lint)", n - 1),
        };
        self.error(format!(
            "{what}, {name}:{}: {}{more}",
            first.line, first.message
        ));
    }
}
