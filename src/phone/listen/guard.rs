//! Refused tokens, counted per address: after a few, each further request from that address
//! waits for its turn, at growing intervals, however many connections it opens, so that
//! guessing the token from one machine drops to a try a second or less. Other addresses are
//! not held: the wait is the waiting connection's own.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Refusals an address may have at once: a telephony system configured with an old token
/// shows in the log as it is, one line per request.
pub const FREE: u32 = 5;
/// The first wait once an address is slowed down; each refusal doubles it, up to `MAX_WAIT`.
const FIRST_WAIT: Duration = Duration::from_millis(100);
const MAX_WAIT: Duration = Duration::from_secs(2);
/// An address whose turn would come further away than this is answered 429 at once.
const MAX_QUEUE: Duration = Duration::from_secs(5);
/// A burst of refusals ends after this long without one.
const FORGET: Duration = Duration::from_secs(60);
/// The most addresses remembered; past it, bursts already over are forgotten first.
const MAX_ADDRESSES: usize = 4096;

/// What an address's request may do now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Turn {
    /// Go on at once.
    Now,
    /// Wait until then, then go on.
    At(Instant),
    /// Refused without looking at the token: the address's turn is this far away.
    Later(Duration),
}

/// One address's refusals.
#[derive(Debug, Clone, Copy)]
struct Burst {
    refused: u32,
    last: Instant,
    /// The earliest time its next request goes on.
    next: Instant,
}

/// The refusals of every address, shared by the connections.
#[derive(Debug, Default)]
pub struct Refusals {
    by_address: Mutex<HashMap<IpAddr, Burst>>,
}

/// Whom refusals are counted for: an IPv4 address, or an IPv6 network of 64 bits (what one
/// machine is usually given).
pub fn who(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6((u128::from(v6) & !u128::from(u64::MAX)).into()),
        },
        v4 => v4,
    }
}

impl Refusals {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<IpAddr, Burst>> {
        // A panic elsewhere leaves the counts as valid as they were.
        self.by_address
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// When a request from `ip` may have its token looked at; a turn given is taken.
    pub fn turn(&self, ip: IpAddr, now: Instant) -> Turn {
        let mut all = self.lock();
        let Some(burst) = all.get_mut(&who(ip)) else {
            return Turn::Now;
        };
        if now.duration_since(burst.last) >= FORGET {
            all.remove(&who(ip));
            return Turn::Now;
        }
        if burst.refused < FREE {
            return Turn::Now;
        }
        let doublings = (burst.refused - FREE).min(16);
        let wait = FIRST_WAIT.saturating_mul(1 << doublings).min(MAX_WAIT);
        let turn = burst.next.max(now) + wait;
        if turn.duration_since(now) > MAX_QUEUE {
            return Turn::Later(burst.next.saturating_duration_since(now) + wait);
        }
        burst.next = turn;
        Turn::At(turn)
    }

    /// Counts a refused token from `ip`; how many refusals that address now has.
    pub fn refused(&self, ip: IpAddr, now: Instant) -> u32 {
        let mut all = self.lock();
        if all.len() >= MAX_ADDRESSES && !all.contains_key(&who(ip)) {
            all.retain(|_, b| now.duration_since(b.last) < FORGET);
            if all.len() >= MAX_ADDRESSES {
                // Too many addresses at once to remember another: its free refusals are
                // all it gets anyway before the oldest bursts end.
                return 1;
            }
        }
        let burst = all.entry(who(ip)).or_insert(Burst {
            refused: 0,
            last: now,
            next: now,
        });
        if now.duration_since(burst.last) >= FORGET {
            burst.refused = 0;
        }
        burst.refused += 1;
        burst.last = now;
        burst.refused
    }

    /// The right token came from `ip`: its refusals are forgotten.
    pub fn accepted(&self, ip: IpAddr) {
        self.lock().remove(&who(ip));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 1));
    const B: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 2));

    #[test]
    fn free_refusals_then_growing_turns_then_429() {
        let r = Refusals::default();
        let t0 = Instant::now();
        for n in 1..=FREE {
            assert_eq!(r.turn(A, t0), Turn::Now);
            assert_eq!(r.refused(A, t0), n);
        }
        // Another address is not concerned.
        assert_eq!(r.turn(B, t0), Turn::Now);
        // Connections opened at once queue one behind the other: 100 ms apart now.
        assert_eq!(r.turn(A, t0), Turn::At(t0 + FIRST_WAIT));
        assert_eq!(r.turn(A, t0), Turn::At(t0 + 2 * FIRST_WAIT));
        // Each refusal doubles the step, up to MAX_WAIT.
        let mut last = t0 + 2 * FIRST_WAIT;
        for (n, step) in [(6, 200), (7, 400), (8, 800), (9, 1600), (10, 2000)] {
            assert_eq!(r.refused(A, last), n);
            let turn = r.turn(A, last);
            assert_eq!(turn, Turn::At(last + Duration::from_millis(step)), "{n}");
            if let Turn::At(at) = turn {
                last = at;
            }
        }
        // Far enough ahead: refused without waiting.
        assert_eq!(r.turn(A, last), Turn::At(last + MAX_WAIT));
        assert_eq!(r.turn(A, last), Turn::At(last + 2 * MAX_WAIT));
        assert_eq!(r.turn(A, last), Turn::Later(3 * MAX_WAIT));
        // A minute without refusals ends the burst.
        let later = last + FORGET;
        assert_eq!(r.turn(A, later), Turn::Now);
        assert_eq!(r.refused(A, later), 1);
        // The right token forgets them at once.
        for _ in 0..FREE {
            r.refused(B, t0);
        }
        assert!(matches!(r.turn(B, t0), Turn::At(_)));
        r.accepted(B);
        assert_eq!(r.turn(B, t0), Turn::Now);
    }

    #[test]
    fn ipv6_counts_per_network() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert_eq!(who(ip("2001:db8:1:2:aaaa::1")), ip("2001:db8:1:2::"));
        assert_eq!(who(ip("2001:db8:1:2:bbbb::9")), ip("2001:db8:1:2::"));
        assert_eq!(who(ip("::ffff:192.0.2.1")), ip("192.0.2.1"));
        assert_eq!(who(ip("192.0.2.1")), ip("192.0.2.1"));
    }

    #[test]
    fn too_many_addresses_are_bounded() {
        let r = Refusals::default();
        let t0 = Instant::now();
        for i in 0..MAX_ADDRESSES as u32 + 10 {
            r.refused(IpAddr::V4(i.into()), t0);
        }
        assert_eq!(r.lock().len(), MAX_ADDRESSES);
        // Once their bursts are over, room is made.
        assert_eq!(r.refused(A, t0 + FORGET), 1);
        assert_eq!(r.lock().len(), 1);
    }
}
