//! How long a statement waits for a lock another connection holds, on either engine:
//! SQLite's busy handler and PostgreSQL's `lock_timeout` wait the same time, so that a
//! stuck writer is reported alike (`StoreError::Locked`) whichever the engine.

use std::time::Duration;

/// How long a writer waits for another process's transaction before giving up. Writes are
/// short, so this only matters under heavy contention.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

thread_local! {
    /// This thread's own limit, shorter than the process's: see
    /// [`super::Store::limit_lock_waits`].
    static BUSY_LIMIT: std::cell::Cell<Option<Duration>> = const { std::cell::Cell::new(None) };
}

/// How long this thread waits for another connection's lock: its own limit, else
/// `GUICHET_BUSY_TIMEOUT_MS`, else 10 s.
pub(super) fn busy_timeout() -> Duration {
    if let Some(limit) = BUSY_LIMIT.with(std::cell::Cell::get) {
        return limit;
    }
    static TIMEOUT: std::sync::OnceLock<Duration> = std::sync::OnceLock::new();
    *TIMEOUT.get_or_init(|| {
        std::env::var("GUICHET_BUSY_TIMEOUT_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .map_or(BUSY_TIMEOUT, Duration::from_millis)
    })
}

/// From now on, this thread waits at most `limit` (its later connections included).
pub(super) fn limit_this_thread(limit: Duration) {
    BUSY_LIMIT.with(|cell| cell.set(Some(limit)));
}
