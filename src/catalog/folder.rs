//! What a store's index holds of a `--catalog` folder, as the console that watches the
//! folder knows it: each file's hash (the folder's fingerprint is made from them), the
//! broken files whose previous version the index keeps, and the fingerprint the index was
//! written with. A change to a few files is then read from those files alone: reading the
//! whole folder again and rebuilding the whole index took 11 s on 10,000 files.

use super::procedures::{CatalogSource, FileHashes, FileNow, LintError};
use crate::domain::procedure::Procedure;
use std::path::Path;

/// See the module's documentation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FolderIndex {
    pub files: FileHashes,
    /// The broken files (names) whose procedure keeps the version the index had.
    pub kept: Vec<String>,
    /// The fingerprint the index was written with (without the index's format).
    pub fingerprint: String,
}

/// What a change to some files of the folder does to the index.
#[derive(Debug, Default)]
pub struct Changes {
    /// The procedures of the changed files that pass: new, or replacing the version the
    /// index has.
    pub upserted: Vec<Procedure>,
    /// The slugs whose file is gone.
    pub removed: Vec<String>,
    /// The problems of the changed files.
    pub problems: Vec<LintError>,
    /// The changed files now broken, and their slugs: kept ([`FolderIndex::keep`]) when
    /// the index has a version of them, else left out as a start leaves them out.
    pub broken: Vec<(String, String)>,
}

impl FolderIndex {
    /// A folder indexed as it is (nothing kept).
    pub fn new(files: FileHashes, fingerprint: String) -> FolderIndex {
        FolderIndex {
            files,
            kept: Vec::new(),
            fingerprint,
        }
    }

    /// The fingerprint of an index made of these files, some broken ones kept at their
    /// previous version: not the files' own then, so that a console started on them later
    /// indexes them as they are, the broken files left out.
    pub fn fingerprint_of(files: &FileHashes, kept: &[String]) -> String {
        let own = files.fingerprint();
        if kept.is_empty() {
            own
        } else {
            format!("{own}+{}", kept.join("+"))
        }
    }

    /// Reads the files that changed (names without the folder), each alone, and takes
    /// their hashes: what they change in the index. A changed file is no longer kept
    /// unless [`Self::keep`] says so again.
    pub fn read_changes(&mut self, source: &CatalogSource, changed: &[String]) -> Changes {
        let mut changes = Changes::default();
        for name in changed {
            let Some(now) = source.read_file(name) else {
                continue;
            };
            self.kept.retain(|k| k != name);
            let slug = slug_of(name);
            match now {
                FileNow::Gone => {
                    self.files.set(name, None);
                    changes.removed.push(slug);
                }
                FileNow::Read { hash, checked } => {
                    self.files.set(name, Some(hash));
                    match checked {
                        Ok(procedure) => changes.upserted.push(*procedure),
                        Err(problems) => {
                            changes.problems.extend(problems);
                            changes.broken.push((name.clone(), slug));
                        }
                    }
                }
            }
        }
        changes
    }

    /// The broken file `name` keeps its previous version in the index.
    pub fn keep(&mut self, name: &str) {
        if !self.kept.iter().any(|k| k == name) {
            self.kept.push(name.to_string());
            self.kept.sort();
        }
    }

    /// The fingerprint of the index these files make, the kept ones at their previous
    /// version.
    pub fn target(&self) -> String {
        FolderIndex::fingerprint_of(&self.files, &self.kept)
    }
}

/// A file's slug: its name without `.toml` (see `check_procedure`).
fn slug_of(name: &str) -> String {
    Path::new(name)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}
