//! The one channel the console listens on: the terminal's input (read on a thread of its
//! own), the signals that ask it to stop, and what the workers did all arrive here, in the
//! order they happened, so that the loop takes everything pending and then draws once.

use super::workers::Post;
use super::workers::catalog::Loaded;
use super::workers::drafts::Done;
use super::workers::glpi::Said;
use std::collections::VecDeque;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::time::Duration;

pub enum Message {
    /// What the terminal sent: a key, a paste, a resize.
    Terminal(crossterm::event::Event),
    /// The terminal can no longer be read (why).
    TerminalLost(std::io::Error),
    /// A signal asks the console to stop: SIGTERM, SIGHUP (the SSH link dropped), SIGINT,
    /// SIGQUIT.
    Signal(i32),
    /// What a worker did.
    News(News),
}

/// What the workers say.
pub enum News {
    /// The catalogue loader is done.
    Catalog(Loaded),
    /// The GLPI sender sent something, or could not.
    Glpi(Said),
    /// The draft writer wrote a draft, or could not.
    Draft(Done),
}

/// The receiving end, kept by the router; messages put aside while it waited for one kind
/// come back first, in their order.
pub struct Inbox {
    tx: Sender<Message>,
    rx: Receiver<Message>,
    kept: VecDeque<Message>,
}

impl Default for Inbox {
    fn default() -> Inbox {
        let (tx, rx) = channel();
        Inbox {
            tx,
            rx,
            kept: VecDeque::new(),
        }
    }
}

impl Inbox {
    /// Where the input and signal threads send.
    pub fn sender(&self) -> Sender<Message> {
        self.tx.clone()
    }

    /// How a worker says what it did: `wrap` makes its news a message.
    pub fn post<T: 'static>(&self, wrap: fn(T) -> News) -> Post<T> {
        let tx = self.tx.clone();
        Box::new(move |news| tx.send(Message::News(wrap(news))).is_ok())
    }

    /// The next message, waiting at most `timeout` for one.
    pub fn next(&mut self, timeout: Duration) -> Option<Message> {
        if let Some(m) = self.kept.pop_front() {
            return Some(m);
        }
        match self.rx.recv_timeout(timeout) {
            Ok(m) => Some(m),
            // The router holds a sender: the channel never disconnects while it waits.
            Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => None,
        }
    }

    /// Every piece of news that came, without waiting; the other messages stay, in order,
    /// for the loop.
    pub fn news(&mut self) -> Vec<News> {
        while let Ok(m) = self.rx.try_recv() {
            self.kept.push_back(m);
        }
        let mut news = Vec::new();
        let mut others = VecDeque::new();
        for m in self.kept.drain(..) {
            match m {
                Message::News(n) => news.push(n),
                other => others.push_back(other),
            }
        }
        self.kept = others;
        news
    }

    /// Waits at most `timeout` for a piece of news `pick` takes; whatever else comes
    /// meanwhile is kept, in order, for later.
    pub fn wait_for<T>(
        &mut self,
        timeout: Duration,
        pick: impl Fn(News) -> Result<T, News>,
    ) -> Option<T> {
        let mut i = 0;
        while i < self.kept.len() {
            if let Message::News(_) = &self.kept[i] {
                let Some(Message::News(n)) = self.kept.remove(i) else {
                    unreachable!("looked at just above");
                };
                match pick(n) {
                    Ok(t) => return Some(t),
                    Err(n) => self.kept.insert(i, Message::News(n)),
                }
            }
            i += 1;
        }
        let deadline = std::time::Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(Message::News(n)) => match pick(n) {
                    Ok(t) => return Some(t),
                    Err(n) => self.kept.push_back(Message::News(n)),
                },
                Ok(other) => self.kept.push_back(other),
                Err(_) => return None,
            }
        }
    }
}
