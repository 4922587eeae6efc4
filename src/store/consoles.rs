//! Which consoles are running. Each console takes a random id and holds an exclusive lock
//! on a file named after it, beside the database, for as long as it runs: the kernel
//! releases the lock when the process ends, however it ends (kill -9, a dropped SSH link),
//! so a draft whose console's lock is free belongs to nobody and can be offered back.

use super::{Result, SavedDraft, Store};
use std::fs::File;
use std::path::{Path, PathBuf};

/// This console's identity, and the lock that says it runs.
#[derive(Debug)]
pub struct ConsoleLock {
    id: String,
    /// The locked file (none for a database in memory, which no other console shares).
    file: Option<(File, PathBuf)>,
}

/// A fresh id: 16 hex digits from the system's random source.
fn random_id() -> String {
    use std::io::Read;
    let mut bytes = [0u8; 8];
    let read = File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut bytes));
    if read.is_err() {
        // No random source: the time and the process tell consoles apart well enough.
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let mixed = nanos ^ (u128::from(std::process::id()) << 64);
        bytes.copy_from_slice(&mixed.to_le_bytes()[..8]);
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Where the consoles whose drafts are in the file `drafts` keep their locks.
fn lock_dir(drafts: &Path) -> PathBuf {
    let mut name = drafts.as_os_str().to_os_string();
    name.push(".consoles");
    PathBuf::from(name)
}

/// Tries to take the lock of `path` without waiting: `Ok(true)` when taken.
fn try_lock(file: &File) -> std::io::Result<bool> {
    use rustix::fs::{FlockOperation, flock};
    match flock(file, FlockOperation::NonBlockingLockExclusive) {
        Ok(()) => Ok(true),
        Err(rustix::io::Errno::WOULDBLOCK) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// The lock folder made like the database: the owner's access, and the group's when the
/// database is shared with a group (db_group).
fn make_lock_dir(dir: &Path, db: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
    if !dir.exists() {
        std::fs::DirBuilder::new().mode(0o700).create(dir)?;
        if let Ok(meta) = std::fs::metadata(db) {
            let group_rw = meta.mode() & 0o060 == 0o060;
            if group_rw {
                std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o770))?;
                std::os::unix::fs::chown(dir, None, Some(meta.gid()))?;
            }
        }
    }
    Ok(())
}

impl ConsoleLock {
    /// A new console on the database at `store`'s path, holding its lock. When the lock
    /// cannot be made (a read-only folder), the console still runs: its draft is then
    /// never offered to another console while it might be alive.
    pub fn acquire(store: &Store) -> ConsoleLock {
        let id = random_id();
        let Some(drafts) = store.drafts_path() else {
            return ConsoleLock { id, file: None };
        };
        let dir = lock_dir(&drafts);
        let path = dir.join(format!("{id}.lock"));
        let file = make_lock_dir(&dir, &drafts)
            .and_then(|()| {
                use std::os::unix::fs::OpenOptionsExt;
                std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .mode(0o600)
                    .open(&path)
            })
            .and_then(|f| try_lock(&f).map(|locked| locked.then_some(f)));
        match file {
            Ok(Some(f)) => ConsoleLock {
                id,
                file: Some((f, path)),
            },
            _ => ConsoleLock { id, file: None },
        }
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    /// Whether console `id` of the drafts file `drafts` is running (its lock is held). A
    /// console whose lock file is gone, or was never made, is not.
    fn is_running(drafts: Option<&Path>, id: &str) -> bool {
        let Some(drafts) = drafts else {
            return false;
        };
        let dir = lock_dir(drafts);
        // Ids are ours (hex) or a migrated draft's; anything else names no lock file.
        if id.is_empty() || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return false;
        }
        let path = dir.join(format!("{id}.lock"));
        let Ok(file) = std::fs::OpenOptions::new().write(true).open(&path) else {
            return false;
        };
        match try_lock(&file) {
            // Free: its console is gone. The file goes with it.
            Ok(true) => {
                let _ = std::fs::remove_file(&path);
                false
            }
            Ok(false) => true,
            // Cannot tell: say it runs, so that a live draft is never taken away.
            Err(_) => true,
        }
    }

    /// Takes over the newest draft of `operator` whose console is no longer running, and
    /// returns it (this console's draft from now on). Drafts of running consoles are left
    /// to them.
    pub fn claim_orphan_draft(
        &self,
        store: &mut Store,
        operator: &str,
    ) -> Result<Option<SavedDraft>> {
        store.claim_orphan_draft(&self.id, operator)
    }
}

impl Store {
    /// [`ConsoleLock::claim_orphan_draft`] for the console `id` (the console asks from the
    /// store's own thread, which holds no lock).
    pub fn claim_orphan_draft(&mut self, id: &str, operator: &str) -> Result<Option<SavedDraft>> {
        if self.load_draft(id)?.is_some() {
            return Ok(None);
        }
        let drafts = self.drafts_path();
        for console in self.draft_consoles(operator)? {
            if console == id || ConsoleLock::is_running(drafts.as_deref(), &console) {
                continue;
            }
            if self.adopt_draft(&console, id)? {
                return self.load_draft(id);
            }
        }
        Ok(None)
    }
}

impl Drop for ConsoleLock {
    /// A console that ends cleanly takes its lock file away (a killed one leaves it, free,
    /// for the next console to find and remove).
    fn drop(&mut self) {
        if let Some((file, path)) = self.file.take() {
            let _ = std::fs::remove_file(&path);
            drop(file);
        }
    }
}
