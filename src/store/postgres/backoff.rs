//! How long a store waits before trying the server again: the wait doubles from a quarter
//! of a second up to half a minute, and each is drawn at random between half and all of
//! it. Consoles that lost the server together (a restart, a full server) come back
//! spread over the wait instead of all at once, and a full server is not asked again and
//! again: sixty consoles against a small `max_connections` never take one another's place
//! in a loop.

use std::time::Duration;

/// The first wait, before it doubles.
const FIRST: Duration = Duration::from_millis(250);
/// The longest wait.
pub const LONGEST: Duration = Duration::from_secs(30);

/// The waits between the attempts to reach the server.
#[derive(Debug, Clone)]
pub struct Backoff {
    /// The ceiling of the next wait.
    ceiling: Duration,
    /// The state of the random draw (splitmix64).
    state: u64,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff::new()
    }
}

impl Backoff {
    /// A new sequence of waits, its draws seeded by this process, thread and moment, so
    /// that two consoles started together do not draw alike.
    pub fn new() -> Backoff {
        use std::hash::{BuildHasher, Hasher};
        // The standard hasher's keys are random per process; the moment and the thread
        // tell apart the stores of one process.
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u32(std::process::id());
        hasher.write(format!("{:?}", std::thread::current().id()).as_bytes());
        hasher.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos()),
        );
        Backoff::seeded(hasher.finish())
    }

    /// A sequence of waits drawn from `seed` (tests).
    pub fn seeded(seed: u64) -> Backoff {
        Backoff {
            ceiling: FIRST,
            state: seed,
        }
    }

    /// The wait before the next attempt; the one after may be twice as long.
    pub fn next_wait(&mut self) -> Duration {
        let ceiling = self.ceiling;
        self.ceiling = (ceiling * 2).min(LONGEST);
        let half = ceiling / 2;
        let spread = u64::try_from(half.as_micros()).unwrap_or(u64::MAX).max(1);
        half + Duration::from_micros(self.draw() % spread)
    }

    /// The server answered: the next loss starts again from the first wait.
    pub fn reset(&mut self) {
        self.ceiling = FIRST;
    }

    /// A random number (the order of the hosts with `load_balance_hosts=random`).
    pub(crate) fn draw(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_doubles_up_to_half_a_minute_each_drawn_in_its_upper_half() {
        let mut b = Backoff::seeded(7);
        let mut ceiling = FIRST;
        for _ in 0..12 {
            let wait = b.next_wait();
            assert!(
                wait >= ceiling / 2 && wait <= ceiling,
                "{wait:?} for {ceiling:?}"
            );
            ceiling = (ceiling * 2).min(LONGEST);
        }
        assert_eq!(ceiling, LONGEST);
        assert!(b.next_wait() >= LONGEST / 2);
        b.reset();
        assert!(b.next_wait() <= FIRST);
    }

    #[test]
    fn stores_that_lost_the_server_together_come_back_spread() {
        // Sixty stores, their fourth attempt (ceiling 2 s): spread over the second.
        let mut fourth: Vec<Duration> = (0..60)
            .map(|_| {
                let mut b = Backoff::new();
                (0..3).for_each(|_| {
                    b.next_wait();
                });
                b.next_wait()
            })
            .collect();
        fourth.sort();
        let spread = fourth[59] - fourth[0];
        assert!(spread > Duration::from_millis(500), "{fourth:?}");
        fourth.dedup();
        assert!(fourth.len() > 50, "{fourth:?}");
    }
}
