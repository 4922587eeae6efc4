//! The SQLite side of the store: opening a file with care (who may read it, a file of
//! another program, a read-only folder), its pragmas, its checks and its backups.

use super::conn::Db;
use super::wait::{busy_timeout, limit_this_thread};
use super::{
    FileAccess, LocalDrafts, Location, Result, Store, StoreError, drafts_beside, migrations,
};
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::time::Duration;

thread_local! {
    /// When the current wait for the lock began.
    static BUSY_SINCE: std::cell::Cell<Option<std::time::Instant>> =
        const { std::cell::Cell::new(None) };
}

/// SQLite calls this while another connection holds the lock. Its own handler backs off to
/// 100 ms sleeps, so a writer that has waited long sleeps long and keeps losing the lock to
/// writers that retry sooner: under sixteen busy writers one could starve past the timeout.
/// Short sleeps with jitter give every waiter the same chance at each release.
fn retry_while_busy(attempt: i32) -> bool {
    let now = std::time::Instant::now();
    let since = BUSY_SINCE.with(|cell| match cell.get() {
        Some(t) if attempt > 0 => t,
        _ => {
            cell.set(Some(now));
            now
        }
    });
    if now.duration_since(since) >= busy_timeout() {
        return false;
    }
    let jitter = u64::from(now.elapsed().subsec_nanos() ^ std::process::id()) % 1500;
    std::thread::sleep(Duration::from_micros(250 + jitter));
    true
}

/// One connection to a guichet database.
impl Store {
    /// From now on, this thread waits at most `limit` for a lock another connection holds
    /// (then the statement fails with [`StoreError::Locked`]), instead of the process's
    /// 10 s: for the telephony listener, whose client would rather be told to send again
    /// than wait. On PostgreSQL, the server's `lock_timeout` of this connection and of
    /// those it reconnects with, from this thread.
    pub fn limit_lock_waits(&mut self, limit: Duration) -> Result<()> {
        limit_this_thread(limit);
        if let Some(c) = self.db.postgres() {
            c.borrow_mut()
                .set_lock_timeout(limit)
                .map_err(|e| self.err(e))?;
        }
        Ok(())
    }

    /// Opens (creating it and its folder if needed) the database at `path` and brings its
    /// schema up to date. A database from a newer guichet is refused untouched.
    pub fn open(path: &Path) -> Result<Store> {
        Store::open_with(path, &FileAccess::default())
    }

    /// Opens or creates the database; a new file is readable by its owner only (and the
    /// configured group). A file the process cannot write is opened read-only.
    ///
    /// Nothing is created or changed before the path is known to be fit: an unknown group,
    /// a directory or a device, an SQLite file of another program are refused as they are.
    pub fn open_with(path: &Path, access: &FileAccess) -> Result<Store> {
        let mut store = Store::open_file(path, access)?;
        if !store.read_only {
            // The call being typed is written every second: in the desk's own file, each
            // write would be a change of the desk that every console on it reads all its
            // screens again for. Beside it, the desk changes when calls do.
            store.local = Some(LocalDrafts {
                path: drafts_beside(path),
                group: access.group.clone(),
                store: std::cell::OnceCell::new(),
            });
            store.move_drafts_out()?;
        }
        Ok(store)
    }

    /// Opens the SQLite file that keeps the drafts of a desk (beside an SQLite desk, or a
    /// file of this machine for a server): its drafts are its own rows.
    pub fn open_drafts_file(path: &Path, access: &FileAccess) -> Result<Store> {
        Store::open_file(path, access)
    }

    /// [`Store::open_with`], the drafts in the file itself.
    fn open_file(path: &Path, access: &FileAccess) -> Result<Store> {
        let display = path.display().to_string();
        let gid = access.group.as_deref().map(group_id).transpose()?;
        let exists = match std::fs::metadata(path) {
            Ok(meta) if meta.is_file() => true,
            Ok(meta) => {
                return Err(StoreError::NotAFile {
                    path: display,
                    what: not_a_file(&meta),
                });
            }
            // A link to nowhere: creating the database would create its target.
            Err(e)
                if e.kind() == std::io::ErrorKind::NotFound
                    && std::fs::symlink_metadata(path).is_ok() =>
            {
                return Err(StoreError::NotAFile {
                    path: display,
                    what: "est un lien symbolique vers un fichier qui n'existe pas",
                });
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
            Err(source) => {
                return Err(StoreError::Inspect {
                    path: display,
                    source,
                });
            }
        };
        if !exists {
            if access.read_only {
                return Err(StoreError::Missing { path: display });
            }
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                create_dir(dir, gid)?;
            }
            create_private(path, gid).map_err(|source| StoreError::Create {
                path: display.clone(),
                source,
            })?;
        }
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        // Writing needs the file and its folder (where SQLite creates the -wal and -shm).
        let file_writable = may_write(path);
        let dir_writable = may_write(dir);
        let writable = !access.read_only && file_writable && dir_writable;
        let mode = if writable {
            OpenMode::ReadWrite
        } else {
            read_only_mode(path, file_writable && dir_writable)
        };
        let conn = mode
            .open(path)
            .map_err(|source| StoreError::sqlite(&display, source))?;
        let mut store = Store {
            db: Db::Sqlite(conn),
            name: display,
            location: Location::Sqlite(path.to_path_buf()),
            read_only: !writable,
            local: None,
        };
        match store.prepare() {
            // SQLite could neither find nor create the -shm its WAL needs.
            Err(StoreError::Sqlite { source, .. })
                if !writable
                    && source.sqlite_error_code() == Some(rusqlite::ErrorCode::CannotOpen) =>
            {
                return Err(StoreError::WalUnreadable {
                    path: store.name,
                    dir: dir.display().to_string(),
                });
            }
            other => other?,
        }
        store.share_side_files(path, gid, writable)?;
        Ok(store)
    }

    /// The desk's group (`gid`, from `db_group`) gets read and write on the database, when
    /// this process owns it and opened it for writing. Then the -wal and -shm this process
    /// created, which SQLite gives the database's mode but this process's group, are given
    /// the database's group: another operator of the desk can use them, whether or not
    /// this operator's config.toml names the group (as SQLite does for root, which also
    /// gives them the database's owner). A group that cannot be given is an error only
    /// when `db_group` asks for it.
    fn share_side_files(&self, path: &Path, gid: Option<u32>, writable: bool) -> Result<()> {
        use std::os::unix::fs::MetadataExt;
        let failed = |file: &Path| {
            let path = file.display().to_string();
            move |source| StoreError::Group { path, source }
        };
        if let (Some(gid), true) = (gid, writable) {
            set_group_and_mode(path, gid, |mode| mode | 0o060).map_err(failed(path))?;
        }
        let Ok(db) = std::fs::metadata(path) else {
            return Ok(());
        };
        for suffix in ["-wal", "-shm"] {
            let file = side_file(path, suffix);
            match set_group_and_mode(&file, db.gid(), |_| db.mode() & 0o777) {
                Err(e) if gid.is_some() => return Err(failed(&file)(e)),
                _ => {}
            }
        }
        Ok(())
    }

    /// A private database in memory, for tests and the screenshot gallery.
    pub fn open_in_memory() -> Result<Store> {
        let conn = Connection::open_in_memory()
            .map_err(|source| StoreError::sqlite(":memory:", source))?;
        let mut store = Store {
            db: Db::Sqlite(conn),
            name: ":memory:".into(),
            location: Location::Memory,
            read_only: false,
            local: None,
        };
        store.prepare()?;
        Ok(store)
    }

    fn prepare(&mut self) -> Result<()> {
        let handler = match &mut self.db {
            Db::Sqlite(c) => c.busy_handler(Some(retry_while_busy)),
            Db::Postgres(_) => Ok(()),
        };
        handler.map_err(|e| self.err(e))?;
        // Checked before any pragma that writes to the file (journal_mode does): another
        // program's file, or a newer guichet's, is left exactly as it is.
        let version = migrations::inspect(self)?;
        if self.read_only {
            return migrations::require_current(self, version);
        }
        // Switching a new file to WAL needs its exclusive lock, and SQLite answers "busy"
        // at once, without its busy handler, when waiting could deadlock (several processes
        // opening a fresh file together): retry here until the same timeout.
        let started = std::time::Instant::now();
        loop {
            let attempt = self
                .sqlite()
                .execute_batch(
                    "PRAGMA journal_mode = WAL;
                     PRAGMA synchronous = FULL;
                     PRAGMA foreign_keys = ON;",
                )
                .map_err(|e| self.err(e))
                .and_then(|()| migrations::migrate(self));
            match attempt {
                Err(StoreError::Locked { .. }) if started.elapsed() < busy_timeout() => {
                    let jitter = u64::from(started.elapsed().subsec_nanos() % 3000);
                    std::thread::sleep(Duration::from_micros(500 + jitter));
                }
                other => return other,
            }
        }
    }

    /// `PRAGMA integrity_check` and the foreign keys check: empty when all is well.
    pub(super) fn check_sqlite(&self) -> Result<Vec<String>> {
        let mut problems = Vec::new();
        let mut stmt = self
            .sqlite()
            .prepare("PRAGMA integrity_check")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(|e| self.err(e))?;
        for row in rows {
            let line = row.map_err(|e| self.err(e))?;
            if line != "ok" {
                problems.push(line);
            }
        }
        let mut stmt = self
            .sqlite()
            .prepare("PRAGMA foreign_key_check")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(format!(
                    "clé étrangère rompue : table {} ligne {}",
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?
                ))
            })
            .map_err(|e| self.err(e))?;
        for row in rows {
            problems.push(row.map_err(|e| self.err(e))?);
        }
        Ok(problems)
    }

    /// A consistent copy of the live database at `to`, with the database's own mode and
    /// group (owner-only by default) whatever the umask. A symbolic link at `to` is refused,
    /// never followed; an existing file is refused unless `replace`. The copy is written
    /// into a new file beside `to`, then renamed onto it: `to` is never half-written.
    pub(super) fn backup_sqlite(&self, to: &Path, replace: bool) -> Result<()> {
        let target = to.display().to_string();
        match std::fs::symlink_metadata(to) {
            Ok(meta) if meta.file_type().is_symlink() => {
                return Err(StoreError::BackupLink { path: target });
            }
            Ok(meta) if !meta.is_file() => {
                return Err(StoreError::BackupNotAFile {
                    path: target,
                    what: not_a_file(&meta),
                });
            }
            Ok(_) if !replace => return Err(StoreError::BackupExists { path: target }),
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => {
                return Err(StoreError::BackupIo {
                    path: target,
                    source,
                });
            }
        }
        let io = |source| StoreError::BackupIo {
            path: target.clone(),
            source,
        };
        // The database's mode and group; a database in memory is owner-only.
        let (mode, gid) = match std::fs::metadata(&self.name) {
            Ok(meta) if self.name != ":memory:" => {
                use std::os::unix::fs::MetadataExt;
                (meta.mode() & 0o777, Some(meta.gid()))
            }
            _ => (0o600, None),
        };
        let temp = TempCopy::create(to, mode, gid).map_err(io)?;
        let written = self
            .sqlite()
            .execute("VACUUM INTO ?1", [temp.path.display().to_string()])
            .map_err(|source| StoreError::Backup {
                path: target.clone(),
                source,
            });
        if let Err(e) = written {
            temp.discard();
            return Err(e);
        }
        match temp.install(to, replace) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                Err(StoreError::BackupExists { path: target })
            }
            Err(e) => Err(io(e)),
        }
    }
}

/// The file a backup is written into before it takes its name: created here, empty, with
/// its final group and owner-only until written, in the target's folder (so that the rename
/// stays on one file system). It is ours as long as the name still leads to the inode we
/// created.
struct TempCopy {
    path: PathBuf,
    file: std::fs::File,
    /// The mode it gets once written (the database's may not even let its owner write).
    mode: u32,
}

impl TempCopy {
    fn create(to: &Path, mode: u32, gid: Option<u32>) -> std::io::Result<TempCopy> {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        let dir = to
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let name = to
            .file_name()
            .map_or("copie".into(), |n| n.to_string_lossy().into_owned());
        let mut attempt = 0u32;
        loop {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos());
            let path = dir.join(format!(
                ".{name}.{}-{nanos:x}-{attempt}.tmp",
                std::process::id()
            ));
            match std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create_new(true)
                .mode(0o600)
                .custom_flags(NO_FOLLOW_CLOEXEC)
                .open(&path)
            {
                Ok(file) => {
                    // A group we cannot give keeps the copy owner-only: the mode opens it to
                    // the group only once it is the database's group's.
                    let mode = match gid {
                        Some(gid) if std::os::unix::fs::fchown(&file, None, Some(gid)).is_err() => {
                            mode & 0o700
                        }
                        _ => mode,
                    };
                    let temp = TempCopy { path, file, mode };
                    // Owner-only while written, whatever the umask took away.
                    if let Err(e) = temp
                        .file
                        .set_permissions(std::fs::Permissions::from_mode(0o600))
                    {
                        temp.discard();
                        return Err(e);
                    }
                    return Ok(temp);
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempt < 100 => {
                    attempt += 1;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// The name still leads to the file created here (nobody swapped it meanwhile).
    fn still_ours(&self) -> bool {
        use std::os::unix::fs::MetadataExt;
        match (std::fs::symlink_metadata(&self.path), self.file.metadata()) {
            (Ok(named), Ok(open)) => named.dev() == open.dev() && named.ino() == open.ino(),
            _ => false,
        }
    }

    fn discard(self) {
        if self.still_ours() {
            let _ = std::fs::remove_file(&self.path);
        }
    }

    /// Makes the copy durable, then gives it its name: a rename onto `to` when replacing
    /// (a link there is replaced, not followed), a hard link that fails if anything
    /// exists there otherwise.
    fn install(self, to: &Path, replace: bool) -> std::io::Result<()> {
        if !self.still_ours() {
            return Err(std::io::Error::other(
                "le fichier temporaire a été remplacé pendant la copie",
            ));
        }
        use std::os::unix::fs::PermissionsExt;
        let done = self
            .file
            .set_permissions(std::fs::Permissions::from_mode(self.mode))
            .and_then(|()| self.file.sync_all());
        if let Err(e) = done {
            self.discard();
            return Err(e);
        }
        let named = if replace {
            std::fs::rename(&self.path, to)
        } else {
            match std::fs::hard_link(&self.path, to) {
                Ok(()) => std::fs::remove_file(&self.path),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(e),
                // A file system without hard links: check, then rename.
                Err(_) if std::fs::symlink_metadata(to).is_err() => std::fs::rename(&self.path, to),
                Err(_) => Err(std::io::Error::from(std::io::ErrorKind::AlreadyExists)),
            }
        };
        if let Err(e) = named {
            self.discard();
            return Err(e);
        }
        if let Some(dir) = to.parent().filter(|d| !d.as_os_str().is_empty()) {
            // The new name survives a power cut.
            let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
        }
        Ok(())
    }
}

/// How a connection opens the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OpenMode {
    ReadWrite,
    /// SQLite's read-only open: it reads a WAL database through its -shm, creating it (and
    /// an empty -wal) when there is none.
    ReadOnly,
    /// `immutable=1`: the file is read as it is, no lock, nothing created beside it.
    Immutable,
}

impl OpenMode {
    fn open(self, path: &Path) -> rusqlite::Result<Connection> {
        let base = OpenFlags::SQLITE_OPEN_NO_MUTEX;
        match self {
            OpenMode::ReadWrite => {
                Connection::open_with_flags(path, base | OpenFlags::SQLITE_OPEN_READ_WRITE)
            }
            OpenMode::ReadOnly => {
                Connection::open_with_flags(path, base | OpenFlags::SQLITE_OPEN_READ_ONLY)
            }
            OpenMode::Immutable => Connection::open_with_flags(
                file_uri(path, "mode=ro&immutable=1"),
                base | OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI,
            ),
        }
    }
}

/// How to read a database this process will not write. A rollback-journal file is read
/// as it is. A WAL database is read through its -shm, which SQLite creates when missing and
/// leaves behind (a read-only connection cannot clean up): that is done only where a
/// writer would create the same -shm (this process may write the file and its folder, so
/// the -shm gets the file's own mode and owner), or where a writer's -wal and -shm are
/// already there. Otherwise, when the -wal holds nothing, the file alone is the whole
/// database and is read `immutable`: nothing is created, so no -shm with a read-only mode
/// is left to stop a writer once the file is writable again. The price: such a reader does
/// not see what a writer starting after it writes (a console left open keeps its first
/// view). A -wal with writes, no -shm and no way to create one cannot be read.
fn read_only_mode(path: &Path, could_write: bool) -> OpenMode {
    if !header_says_wal(path) {
        return OpenMode::ReadOnly;
    }
    let wal = std::fs::metadata(side_file(path, "-wal")).ok();
    let shm_exists = std::fs::metadata(side_file(path, "-shm")).is_ok();
    if could_write || (wal.is_some() && shm_exists) {
        return OpenMode::ReadOnly;
    }
    if wal.is_none_or(|w| w.len() == 0) {
        OpenMode::Immutable
    } else {
        // SQLite says what it cannot open; prepare turns it into a sentence.
        OpenMode::ReadOnly
    }
}

/// Bytes 18 and 19 of an SQLite header are 2 in WAL mode.
fn header_says_wal(path: &Path) -> bool {
    use std::io::Read;
    let mut header = [0u8; 20];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut header))
        .is_ok()
        && header.starts_with(b"SQLite format 3\0")
        && header[18] == 2
        && header[19] == 2
}

/// The database's companion file: `desk.db-wal`, `desk.db-shm`.
fn side_file(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push(suffix);
    PathBuf::from(name)
}

/// This process may write `path` (its effective ids, as the kernel decides: root may).
fn may_write(path: &Path) -> bool {
    use rustix::fs::{Access, AtFlags, CWD, accessat};
    accessat(CWD, path, Access::WRITE_OK, AtFlags::EACCESS).is_ok()
}

/// `O_NOFOLLOW`, for `OpenOptionsExt::custom_flags`: a link is refused, never followed.
const NO_FOLLOW: i32 = rustix::fs::OFlags::NOFOLLOW.bits() as i32;
/// The same, and closed across exec.
const NO_FOLLOW_CLOEXEC: i32 = NO_FOLLOW | rustix::fs::OFlags::CLOEXEC.bits() as i32;

/// An SQLite URI for `path` with `query`: every byte but the unreserved ones and `/`
/// percent-encoded, so that `?`, `#` or `%` in a folder's name stay part of the path.
fn file_uri(path: &Path, query: &str) -> String {
    use std::os::unix::ffi::OsStrExt;
    let mut uri = String::from(if path.is_absolute() {
        "file://"
    } else {
        "file:"
    });
    for &b in path.as_os_str().as_bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            uri.push(char::from(b));
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    uri.push('?');
    uri.push_str(query);
    uri
}

/// Gives `path` the group `gid` and `mode`, if it is a regular file this process owns and
/// it has not both already. Never follows a link. The group is given first: the mode opens
/// the file to a group only once it is that group's.
fn set_group_and_mode(path: &Path, gid: u32, mode: impl Fn(u32) -> u32) -> std::io::Result<()> {
    use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return Ok(());
    };
    let me = rustix::process::geteuid().as_raw();
    if !meta.is_file() || meta.uid() != me {
        return Ok(());
    }
    let now = meta.mode() & 0o777;
    let wanted = mode(now);
    if meta.gid() == gid && now == wanted {
        return Ok(());
    }
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(NO_FOLLOW_CLOEXEC)
        .open(path)?;
    std::os::unix::fs::fchown(&file, None, Some(gid))?;
    file.set_permissions(std::fs::Permissions::from_mode(wanted))
}

/// What a path that is not a regular file is, for the sentence that refuses it.
fn not_a_file(meta: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_dir() {
        "est un dossier, pas un fichier"
    } else if t.is_char_device() || t.is_block_device() {
        "n'est pas un fichier mais un périphérique"
    } else if t.is_fifo() {
        "n'est pas un fichier mais un tube nommé"
    } else if t.is_socket() {
        "n'est pas un fichier mais une socket"
    } else {
        "n'est pas un fichier ordinaire"
    }
}

/// The id of the desk's group, or the sentence that refuses an unknown one.
#[allow(unsafe_code)] // getgrnam: see below why it stays
fn group_id(group: &str) -> Result<u32> {
    let unknown = || StoreError::UnknownGroup {
        group: group.to_string(),
    };
    let name = std::ffi::CString::new(group).map_err(|_| unknown())?;
    if group.is_empty() {
        return Err(unknown());
    }
    // No crate in the tree reads the group database, which may be more than /etc/group
    // (LDAP, sssd: whatever nsswitch.conf names): rustix makes system calls only, whoami
    // knows users, not groups. So libc's getgrnam stays, and with it this unsafe block.
    // SAFETY: the pointer comes from a live CString; getgrnam's result is read at once and
    // never kept.
    unsafe {
        let gr = libc::getgrnam(name.as_ptr());
        if gr.is_null() {
            return Err(unknown());
        }
        Ok((*gr).gr_gid)
    }
}

/// Creates the database's folder. The folder itself (not its parents), when guichet creates
/// it for a desk's group, belongs to that group, which may create files in it (the `-wal`
/// and `-shm` beside the database), and new files there inherit the group (setgid).
fn create_dir(dir: &Path, gid: Option<u32>) -> Result<()> {
    let failed = |source| StoreError::CreateDir {
        path: dir.display().to_string(),
        source,
    };
    if dir.is_dir() {
        return Ok(());
    }
    std::fs::create_dir_all(dir).map_err(failed)?;
    if let Some(gid) = gid {
        use std::os::unix::fs::PermissionsExt;
        std::os::unix::fs::chown(dir, None, Some(gid)).map_err(failed)?;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o2770)).map_err(failed)?;
    }
    Ok(())
}

/// Creates an empty database file readable by its owner only (0600), or read and written by
/// the desk's group too (0660). The mode is set on the open file, so the umask has no say.
fn create_private(path: &Path, gid: Option<u32>) -> std::io::Result<()> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let file = match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .custom_flags(NO_FOLLOW)
        .open(path)
    {
        Ok(file) => file,
        // Another process created it first: theirs is as good.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Ok(()),
        Err(e) => return Err(e),
    };
    if let Some(gid) = gid {
        std::os::unix::fs::fchown(&file, None, Some(gid))?;
    }
    file.set_permissions(std::fs::Permissions::from_mode(if gid.is_some() {
        0o660
    } else {
        0o600
    }))
}
