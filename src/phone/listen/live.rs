//! The connections being served, at most so many: each has its own thread, and its stream
//! here too, so that stopping the listener can shut them all down at once instead of
//! waiting for their deadlines.

use std::collections::HashMap;
use std::net::{Shutdown, TcpStream};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// The live connections.
#[derive(Debug)]
pub struct Live {
    max: usize,
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    next: u64,
    streams: HashMap<u64, Arc<TcpStream>>,
    /// Once set, no connection enters.
    closed: bool,
}

/// One connection's place among the live ones, given back when dropped.
#[derive(Debug)]
pub struct Slot<'a> {
    live: &'a Live,
    id: u64,
}

impl Live {
    pub fn new(max: usize) -> Live {
        Live {
            max: max.max(1),
            inner: Mutex::default(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A place for `stream`, or `None` when there are `max` already (or the listener stops).
    pub fn enter(&self, stream: &Arc<TcpStream>) -> Option<Slot<'_>> {
        let mut inner = self.lock();
        if inner.closed || inner.streams.len() >= self.max {
            return None;
        }
        let id = inner.next;
        inner.next += 1;
        inner.streams.insert(id, Arc::clone(stream));
        Some(Slot { live: self, id })
    }

    /// How many connections are being served.
    #[cfg(test)]
    pub fn count(&self) -> usize {
        self.lock().streams.len()
    }

    /// Lets no more in and shuts down those being served: their reads and writes end.
    pub fn close(&self) {
        let mut inner = self.lock();
        inner.closed = true;
        for stream in inner.streams.values() {
            let _ = stream.shutdown(Shutdown::Both);
        }
    }
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        self.live.lock().streams.remove(&self.id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;
    use std::net::TcpListener;

    #[test]
    fn at_most_max_and_closed_ones_end() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let _clients: Vec<TcpStream> = (0..3).map(|_| TcpStream::connect(addr).unwrap()).collect();
        let accepted: Vec<Arc<TcpStream>> = (0..3)
            .map(|_| Arc::new(listener.accept().unwrap().0))
            .collect();
        let live = Live::new(2);
        let a = live.enter(&accepted[0]).unwrap();
        let b = live.enter(&accepted[1]).unwrap();
        assert!(live.enter(&accepted[2]).is_none());
        drop(a);
        assert_eq!(live.count(), 1);
        let c = live.enter(&accepted[2]).unwrap();
        live.close();
        // A read on a closed connection ends at once rather than waiting for the client.
        assert_eq!((&*accepted[1]).read(&mut [0u8; 8]).unwrap(), 0);
        assert!(live.enter(&accepted[0]).is_none());
        drop((b, c));
        assert_eq!(live.count(), 0);
    }
}
