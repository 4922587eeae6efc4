//! The watch of a `--catalog` folder: a thread that looks at the names, sizes and
//! modification times of its `*.toml` files and says which changed, so that an author
//! walks a draft as they write it. It reads no file and opens no database: told, the
//! router has the catalogue loader read the folder again.
//!
//! Polling: it works the same on a network folder, where the system's notifications do
//! not come. A stat costs a few microseconds, but 10,000 of them are 20 to 30 ms here
//! (`a_look_at_ten_thousand_files_is_cheap`): the whole folder is looked at no more often
//! than twenty times what the last look took (a twentieth of a core at most; four times
//! a second for a folder of a few hundred files), and the files that changed lately, the
//! ones an author is writing, four times a second whatever the folder's size. On a busy
//! machine a look takes longer and the next one comes later: a file nobody touched lately
//! was seen one to three seconds after its change on 10,000 files. So where the system
//! says which files were written, moved or removed (Linux's inotify, through rustix,
//! already a dependency), those are looked at at once ([`Hints`]): a hint only, what
//! changed is still what the looks say.

use super::Post;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

/// How often the files that changed lately are looked at, and the whole folder at most.
pub const POLL: Duration = Duration::from_millis(250);

/// The whole folder is looked at after at least this many times what its last look took.
const SPARE: u32 = 20;

/// The same where the system's word can be trusted (a folder of a local filesystem it
/// watches): the whole look is then a safety net. At twenty times, the looks at 10,000
/// files took a twentieth of a core for good, in bursts of 28 ms that a key pressed then
/// waited behind on two cores (`perf record` while the speed bench typed: the watch the
/// console's busiest thread, 2.5 to 5 % of a core).
const SPARE_WATCHED: u32 = 400;

/// Filesystems whose changes the system names (`statfs`'s type): local ones. A network
/// or FUSE folder (NFS, SMB, sshfs) is written by other machines, which it never names.
#[cfg(target_os = "linux")]
const LOCAL_FILESYSTEMS: &[u64] = &[
    0xEF53,      // ext2, ext3, ext4
    0x5846_5342, // xfs
    0x9123_683E, // btrfs
    0x0102_1994, // tmpfs
    0x794C_7630, // overlayfs
    0x2FC1_2FC1, // zfs
    0xF2F5_2010, // f2fs
];

/// How many of the files that changed lately are looked at on every poll.
const HOT: usize = 8;

/// The files that changed since the last look: their names, in order (added, changed or
/// removed alike).
pub type Changed = Vec<String>;

/// What the folder's procedure files looked like: name, size, modification time, in name
/// order; `None` for a folder that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Look(Option<Vec<(OsString, u64, Option<SystemTime>)>>);

impl Look {
    /// The folder now. A file's link followed, as the loader reads it.
    pub fn of(dir: &Path) -> Look {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return Look(None);
        };
        let mut files: Vec<(OsString, u64, Option<SystemTime>)> = entries
            .filter_map(Result::ok)
            .filter(|e| is_procedure(&e.file_name()))
            .map(|e| {
                // Looked up from the folder, not along the whole path again: a look at
                // 10,000 files took 70 ms so in a debug build, 28 ms this way. A link
                // followed.
                let meta = match e.file_type() {
                    Ok(t) if !t.is_symlink() => e.metadata().ok(),
                    _ => std::fs::metadata(e.path()).ok(),
                };
                let size = meta.as_ref().map_or(0, std::fs::Metadata::len);
                (e.file_name(), size, meta.and_then(|m| m.modified().ok()))
            })
            .collect();
        files.sort();
        Look(Some(files))
    }

    /// The names of the files that differ between two looks (a folder that became
    /// unreadable, or readable again: all of its files).
    pub fn changed(&self, now: &Look) -> Changed {
        let empty = Vec::new();
        let (before, after) = (
            self.0.as_ref().unwrap_or(&empty),
            now.0.as_ref().unwrap_or(&empty),
        );
        let (mut i, mut j) = (0, 0);
        let mut names = Vec::new();
        let name = |n: &OsString| n.to_string_lossy().into_owned();
        while i < before.len() || j < after.len() {
            match (before.get(i), after.get(j)) {
                (Some(b), Some(a)) if b.0 == a.0 => {
                    if b != a {
                        names.push(name(&a.0));
                    }
                    i += 1;
                    j += 1;
                }
                (Some(b), Some(a)) if b.0 < a.0 => {
                    names.push(name(&b.0));
                    i += 1;
                }
                (Some(b), None) => {
                    names.push(name(&b.0));
                    i += 1;
                }
                (_, Some(a)) => {
                    names.push(name(&a.0));
                    j += 1;
                }
                (None, None) => break,
            }
        }
        names
    }
}

/// Whether a file of the folder is a procedure's (what the loader reads).
fn is_procedure(name: &std::ffi::OsStr) -> bool {
    Path::new(name).extension().is_some_and(|x| x == "toml")
}

impl Look {
    /// Looks again at the files named in `names` (those that changed lately, those the
    /// system named) and takes what changed into this look, as a look at the whole folder
    /// would see them (added, changed or removed): the names of those that did.
    fn again(&mut self, dir: &Path, names: &[OsString]) -> Changed {
        let Some(files) = self.0.as_mut() else {
            return Vec::new();
        };
        let mut changed = Vec::new();
        for name in names {
            let now = match std::fs::metadata(dir.join(name)) {
                Ok(meta) => Some((name.clone(), meta.len(), meta.modified().ok())),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                // What the look at the whole folder records of it.
                Err(_) => Some((name.clone(), 0, None)),
            };
            let found = files.binary_search_by(|f| f.0.cmp(name));
            let differs = match (found, now) {
                (Ok(i), Some(now)) if files[i] != now => {
                    files[i] = now;
                    true
                }
                (Ok(i), None) => {
                    files.remove(i);
                    true
                }
                (Err(i), Some(now)) => {
                    files.insert(i, now);
                    true
                }
                _ => false,
            };
            if differs {
                changed.push(name.to_string_lossy().into_owned());
            }
        }
        changed
    }
}

/// The system's word that files of the folder were written (and closed), moved or
/// removed: see the module's documentation. Where there is none (another system, a
/// folder the system cannot watch), waiting is sleeping.
struct Hints {
    #[cfg(target_os = "linux")]
    inotify: Option<rustix::fd::OwnedFd>,
}

impl Hints {
    /// Whether the system names every change of the folder (see [`SPARE_WATCHED`]).
    fn trusted(&self, dir: &Path) -> bool {
        #[cfg(target_os = "linux")]
        {
            self.inotify.is_some()
                && rustix::fs::statfs(dir)
                    .is_ok_and(|fs| LOCAL_FILESYSTEMS.contains(&(fs.f_type as u64)))
        }
        #[cfg(not(target_os = "linux"))]
        {
            let _ = dir;
            false
        }
    }

    fn on(dir: &Path) -> Hints {
        #[cfg(target_os = "linux")]
        {
            use rustix::fs::inotify::{CreateFlags, WatchFlags, add_watch, init};
            let what = WatchFlags::CLOSE_WRITE
                | WatchFlags::MOVED_TO
                | WatchFlags::MOVED_FROM
                | WatchFlags::DELETE;
            let inotify = init(CreateFlags::CLOEXEC | CreateFlags::NONBLOCK)
                .ok()
                .filter(|fd| add_watch(fd, dir, what).is_ok());
            Hints { inotify }
        }
        #[cfg(not(target_os = "linux"))]
        {
            let _ = dir;
            Hints {}
        }
    }

    /// Waits `timeout`, or less when the system names procedure files of the folder: their
    /// names.
    fn wait(&mut self, timeout: Duration) -> Vec<OsString> {
        #[cfg(target_os = "linux")]
        if let Some(fd) = &self.inotify {
            use rustix::event::{PollFd, PollFlags, Timespec, poll};
            if let Ok(t) = Timespec::try_from(timeout) {
                match poll(&mut [PollFd::new(fd, PollFlags::IN)], Some(&t)) {
                    Ok(0) | Err(rustix::io::Errno::INTR) => return Vec::new(),
                    Ok(_) => return named(fd),
                    // Polling alone from now on.
                    Err(_) => self.inotify = None,
                }
            }
        }
        std::thread::sleep(timeout);
        Vec::new()
    }
}

/// The procedure files the system's events waiting on `fd` name, each once. An event
/// without a name (the queue overflowed) names nothing: the looks see what it was.
#[cfg(target_os = "linux")]
fn named(fd: &rustix::fd::OwnedFd) -> Vec<OsString> {
    use std::os::unix::ffi::OsStrExt;
    let mut buffer = [std::mem::MaybeUninit::<u8>::uninit(); 4096];
    let mut events = rustix::fs::inotify::Reader::new(fd, &mut buffer);
    let mut names: Vec<OsString> = Vec::new();
    // Until none is left (the descriptor does not block).
    while let Ok(event) = events.next() {
        if let Some(name) = event.file_name() {
            let name = std::ffi::OsStr::from_bytes(name.to_bytes());
            if is_procedure(name) && !names.iter().any(|n| n == name) {
                names.push(name.to_owned());
            }
        }
    }
    names
}

/// Starts the watch of `dir`: from what it looks like now, every change is posted; the
/// thread ends when nobody listens any more.
pub fn spawn(dir: PathBuf, post: Post<Changed>) {
    super::spawn("guichet-watch", super::Priority::GivesWay, move || {
        // Before the first look: a change meanwhile is named, and found or not by it.
        let mut hints = Hints::on(&dir);
        let started = Instant::now();
        let mut last = Look::of(&dir);
        let spare = |hints: &Hints| {
            if hints.trusted(&dir) {
                SPARE_WATCHED
            } else {
                SPARE
            }
        };
        let mut next_look = Instant::now() + (started.elapsed() * spare(&hints)).max(POLL);
        let mut hot: Vec<OsString> = Vec::new();
        loop {
            let mut names = hints.wait(POLL);
            for name in &hot {
                if !names.contains(name) {
                    names.push(name.clone());
                }
            }
            let mut changed = last.again(&dir, &names);
            if Instant::now() >= next_look {
                let started = Instant::now();
                let now = Look::of(&dir);
                next_look = Instant::now() + (started.elapsed() * spare(&hints)).max(POLL);
                if now != last {
                    for name in last.changed(&now) {
                        if !changed.contains(&name) {
                            changed.push(name);
                        }
                    }
                    last = now;
                }
            }
            if changed.is_empty() {
                continue;
            }
            // The latest first; the oldest forgotten (a checkout that changed every file
            // makes no author's file hot: only a few are taken).
            for name in changed.iter().take(HOT).rev() {
                let name = OsString::from(name);
                hot.retain(|h| *h != name);
                hot.insert(0, name);
            }
            hot.truncate(HOT);
            if !post(changed) {
                return;
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_added_changed_or_removed_is_named_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
        write("a.toml", "a");
        write("b.toml", "b");
        write("notes.txt", "pas une procédure");
        let first = Look::of(dir.path());
        assert!(first.changed(&Look::of(dir.path())).is_empty());
        write("b.toml", "bb");
        write("c.toml", "c");
        write("notes.txt", "toujours pas");
        std::fs::remove_file(dir.path().join("a.toml")).unwrap();
        let second = Look::of(dir.path());
        assert_eq!(first.changed(&second), ["a.toml", "b.toml", "c.toml"]);
        // A folder gone: every file it had.
        let gone = Look::of(&dir.path().join("absent"));
        assert_eq!(second.changed(&gone), ["b.toml", "c.toml"]);
        assert_eq!(gone.changed(&second), ["b.toml", "c.toml"]);
    }

    #[test]
    fn files_named_are_looked_at_again_added_changed_or_removed() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
        write("a.toml", "a");
        write("b.toml", "b");
        let mut look = Look::of(dir.path());
        write("a.toml", "aa");
        write("c.toml", "c");
        std::fs::remove_file(dir.path().join("b.toml")).unwrap();
        let names: Vec<OsString> = ["a.toml", "b.toml", "c.toml", "d.toml"]
            .iter()
            .map(OsString::from)
            .collect();
        assert_eq!(
            look.again(dir.path(), &names),
            ["a.toml", "b.toml", "c.toml"]
        );
        // As a look at the whole folder sees it: nothing more to say.
        assert_eq!(look, Look::of(dir.path()));
        assert!(look.again(dir.path(), &names).is_empty());
    }

    /// The files written, moved or removed are named at once; other files are not.
    #[cfg(target_os = "linux")]
    #[test]
    fn the_system_names_the_procedure_files_written_moved_or_removed() {
        let dir = tempfile::tempdir().unwrap();
        let mut hints = Hints::on(dir.path());
        assert!(hints.inotify.is_some());
        assert!(hints.wait(Duration::from_millis(10)).is_empty());
        let path = |name: &str| dir.path().join(name);
        std::fs::write(path("notes.txt"), "pas une procédure").unwrap();
        std::fs::write(path("a.toml"), "a").unwrap();
        std::fs::rename(path("a.toml"), path("b.toml")).unwrap();
        std::fs::write(path("c.toml"), "c").unwrap();
        std::fs::remove_file(path("c.toml")).unwrap();
        let mut named: Vec<OsString> = Vec::new();
        let deadline = Instant::now() + Duration::from_secs(5);
        while named.len() < 3 && Instant::now() < deadline {
            let start = Instant::now();
            let names = hints.wait(Duration::from_secs(1));
            assert!(
                names.is_empty() || start.elapsed() < Duration::from_millis(900),
                "named after {:?}",
                start.elapsed()
            );
            for name in names {
                if !named.contains(&name) {
                    named.push(name);
                }
            }
        }
        named.sort();
        assert_eq!(named, ["a.toml", "b.toml", "c.toml"]);
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn the_systems_word_is_trusted_on_a_local_folder_it_watches() {
        let dir = tempfile::tempdir().unwrap();
        let hints = Hints::on(dir.path());
        // The tests' folders are on the machine's own disk (ext4, overlayfs or tmpfs).
        assert!(hints.trusted(dir.path()));
        let mut unwatched = Hints::on(&dir.path().join("absent"));
        assert!(!unwatched.trusted(dir.path()));
        unwatched.inotify = None;
        assert!(!unwatched.trusted(dir.path()));
    }

    #[test]
    fn a_look_at_ten_thousand_files_is_cheap() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..10_000 {
            std::fs::write(dir.path().join(format!("p-{i:05}.toml")), "x").unwrap();
        }
        let look = Look::of(dir.path());
        let rounds = 5;
        let start = std::time::Instant::now();
        for _ in 0..rounds {
            assert_eq!(Look::of(dir.path()), look);
        }
        let each = start.elapsed() / rounds;
        eprintln!("a look at 10,000 files: {each:?}");
        // Looked at every twenty times that, the whole folder stays a twentieth of a core;
        // on a quiet machine a change to a file nobody touched lately is seen within
        // about half a second (28 ms a look in a debug build). Bounded loosely here, the
        // machine may be busy: only stats, no read of a file.
        assert!(each < Duration::from_millis(500), "a look took {each:?}");
        // The files an author is writing, looked at on every poll: a few stats.
        let mut again = look.clone();
        let hot: Vec<OsString> = (0..HOT).map(|i| format!("p-{i:05}.toml").into()).collect();
        let start = std::time::Instant::now();
        assert!(again.again(dir.path(), &hot).is_empty());
        let took = start.elapsed();
        eprintln!("a look at {HOT} files: {took:?}");
        assert!(took < Duration::from_millis(50), "{took:?}");
        std::fs::write(dir.path().join("p-00003.toml"), "changé").unwrap();
        assert_eq!(again.again(dir.path(), &hot), ["p-00003.toml"]);
        assert_eq!(look.changed(&again), ["p-00003.toml"]);
        assert_eq!(again, Look::of(dir.path()));
    }
}
