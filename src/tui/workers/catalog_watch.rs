//! The watch of a `--catalog` folder: a thread that looks at the names, sizes and
//! modification times of its `*.toml` files and says which changed, so that an author
//! walks a draft as they write it. It reads no file and opens no database: told, the
//! router has the catalogue loader read the folder again.
//!
//! Polling, not the system's notifications (inotify): it works the same on a network
//! folder, where notifications do not come, and needs no new dependency. A stat costs a
//! few microseconds, but 10,000 of them are 20 to 30 ms here
//! (`a_look_at_ten_thousand_files_is_cheap`): the whole folder is looked at no more often
//! than twenty times what the last look took (a twentieth of a core at most; four times
//! a second for a folder of a few hundred files), and the files that changed lately, the
//! ones an author is writing, four times a second whatever the folder's size.

use super::Post;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

/// How often the files that changed lately are looked at, and the whole folder at most.
pub const POLL: Duration = Duration::from_millis(250);

/// The whole folder is looked at after at least this many times what its last look took.
const SPARE: u32 = 20;

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
            .filter(|e| {
                Path::new(&e.file_name())
                    .extension()
                    .is_some_and(|x| x == "toml")
            })
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

impl Look {
    /// Looks again at the files named in `names` (those that changed lately) and takes
    /// what changed into this look: the names of those that did. A file that cannot be
    /// looked at is left to the next look at the whole folder.
    fn again(&mut self, dir: &Path, names: &[OsString]) -> Changed {
        let Some(files) = self.0.as_mut() else {
            return Vec::new();
        };
        let mut changed = Vec::new();
        for name in names {
            let Ok(i) = files.binary_search_by(|f| f.0.cmp(name)) else {
                continue;
            };
            let Ok(meta) = std::fs::metadata(dir.join(name)) else {
                continue;
            };
            let now = (name.clone(), meta.len(), meta.modified().ok());
            if files[i] != now {
                files[i] = now;
                changed.push(name.to_string_lossy().into_owned());
            }
        }
        changed
    }
}

/// Starts the watch of `dir`: from what it looks like now, every change is posted; the
/// thread ends when nobody listens any more.
pub fn spawn(dir: PathBuf, post: Post<Changed>) {
    std::thread::spawn(move || {
        let started = Instant::now();
        let mut last = Look::of(&dir);
        let mut next_look = Instant::now() + (started.elapsed() * SPARE).max(POLL);
        let mut hot: Vec<OsString> = Vec::new();
        loop {
            std::thread::sleep(POLL);
            let mut changed = last.again(&dir, &hot);
            if Instant::now() >= next_look {
                let started = Instant::now();
                let now = Look::of(&dir);
                next_look = Instant::now() + (started.elapsed() * SPARE).max(POLL);
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
