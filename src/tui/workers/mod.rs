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
