//! The console's background threads, each on its own connection to the store so that a
//! key never waits for a disk or a server: the catalogue loader, the watch of a
//! `--catalog` folder, the GLPI sender, the draft writer, the lessons of the desk's walks
//! read again. Each says what it did through a `Post` the router gives it: a message on
//! the console's one channel.

pub mod catalog;
pub mod catalog_watch;
pub mod drafts;
pub mod glpi;
pub mod lessons;

/// How a worker shares the machine's cores with the thread that draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Priority {
    /// The console's own (a worker that writes to the store other consoles use: the
    /// loader writing the index, the draft writer, the GLPI sender; at a lower priority on
    /// a busy server it would keep the database's write lock, and the other consoles
    /// waiting on it, longer).
    Normal,
    /// The lowest (nice 19): for work that holds nothing another waits on, and that takes
    /// a core for a while. The console's threads share the machine's cores with the
    /// terminal and with other consoles (two cores on a desk's small server): the look at
    /// a `--catalog` folder of 10,000 files (28 ms, 15 % of the console's samples while an
    /// operator typed for 40 s) took for a moment the core a key's frame waited for; at
    /// the lowest priority it runs whenever the frame does not need the core.
    GivesWay,
}

/// Starts a worker: a thread named `name` (as `top -H` and `perf` show it), at `priority`.
pub fn spawn<T: Send + 'static>(
    name: &str,
    priority: Priority,
    work: impl FnOnce() -> T + Send + 'static,
) -> std::thread::JoinHandle<T> {
    std::thread::Builder::new()
        .name(name.to_string())
        .spawn(move || {
            if priority == Priority::GivesWay {
                give_way();
            }
            work()
        })
        // As `std::thread::spawn`: a process that cannot start a thread cannot go on.
        .unwrap_or_else(|e| panic!("thread {name}: {e}"))
}

/// Lowers the calling thread's priority to the least (nice 19): on Linux the nice value
/// is the thread's own, and `setpriority` on the calling process id 0 sets the calling
/// thread's. A system that refuses leaves it as it was: only sooner, not different.
fn give_way() {
    #[cfg(target_os = "linux")]
    let _ = rustix::process::setpriority_process(None, 19);
}

/// How a worker hands over what it did; false once nobody listens (the console ended):
/// then the worker stops.
pub type Post<T> = Box<dyn Fn(T) -> bool + Send>;

/// Gives the memory the allocator holds free back to the system: after a worker's big
/// transient work (a catalogue parsed and indexed, then dropped), so that the next piece
/// does not stack on top of it. The console's peak memory is what a desk of many
/// consoles on one server pays.
pub fn release_free_memory() {
    // glibc's own call, which no safe crate wraps: libc and this unsafe stay.
    #[cfg(target_env = "gnu")]
    // SAFETY: malloc_trim only releases free memory of the allocator.
    #[allow(unsafe_code)]
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Has every thread allocate from one arena: glibc gives each new thread its own, whose
/// free memory the others cannot reuse, and the console's workers (the loader above all)
/// would each keep theirs. A console's few threads do not contend for it; its memory is
/// what a desk of many consoles on one server pays (one arena: about 1 MB less after
/// typing and at a first start on 10,000 procedures, `cargo bench --bench speed`).
pub fn share_one_arena() {
    // glibc's own call, which no safe crate wraps: libc and this unsafe stay.
    #[cfg(target_env = "gnu")]
    // SAFETY: mallopt only sets the allocator's parameter; before the workers start.
    #[allow(unsafe_code)]
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 1);
    }
}

#[cfg(test)]
mod tests {
    use super::Priority;

    fn started(priority: Priority) -> (Option<String>, i32) {
        super::spawn("guichet-test", priority, || {
            (
                std::thread::current().name().map(str::to_string),
                rustix::process::getpriority_process(None).unwrap(),
            )
        })
        .join()
        .unwrap()
    }

    /// A worker that gives way does, and only it: the thread that started it and a
    /// worker at the console's priority keep theirs.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_worker_runs_named_at_its_priority_and_its_starter_unchanged() {
        let before = rustix::process::getpriority_process(None).unwrap();
        assert_eq!(
            started(Priority::GivesWay),
            (Some("guichet-test".into()), 19)
        );
        assert_eq!(
            started(Priority::Normal),
            (Some("guichet-test".into()), before)
        );
        assert_eq!(rustix::process::getpriority_process(None).unwrap(), before);
    }
}
