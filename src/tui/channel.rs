//! The one channel the console listens on: the terminal's input (read on a thread of its
//! own), the signals that ask it to stop, and what the workers did all arrive here, in the
//! order they happened, so that the loop takes everything pending and then draws once.

use super::workers::Post;
use super::workers::catalog::Loaded;
use super::workers::catalog_watch::Changed;
use super::workers::drafts::Done;
use super::workers::glpi::Said;
use std::collections::VecDeque;
use std::sync::mpsc::{Receiver, Sender, channel};
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
    /// The catalogue loader is done (boxed: the catalogue, its index and the thesaurus
    /// would make every message as large).
    Catalog(Box<Loaded>),
    /// Files of the `--catalog` folder changed (their names).
    CatalogChanged(Changed),
    /// The GLPI sender sent something, or could not.
    Glpi(Said),
    /// The draft writer wrote a draft, or could not.
    Draft(Done),
    /// A write the console stopped waiting for (a slow server) ended.
    Late(Box<crate::store::link::Late>),
    /// What the desk's finished walks teach, read again after a walk ended, or why they
    /// could not be read.
    Lessons(Result<Box<crate::domain::learned::Lessons>, String>),
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
        // The router holds a sender: the channel never disconnects while it waits.
        self.rx.recv_timeout(timeout).ok()
    }

    /// The first piece of news that came, without waiting; the other messages stay, in
    /// order, for the loop. One at a time: taking one may wait for another (the draft
    /// writer's answer), which must still be in the channel then.
    pub fn next_news(&mut self) -> Option<News> {
        while let Ok(m) = self.rx.try_recv() {
            self.kept.push_back(m);
        }
        let i = self
            .kept
            .iter()
            .position(|m| matches!(m, Message::News(_)))?;
        match self.kept.remove(i) {
            Some(Message::News(n)) => Some(n),
            _ => None,
        }
    }

    /// Waits at most `timeout` for a piece of news `wanted` picks; whatever else comes
    /// meanwhile is kept, in order, for later.
    pub fn wait_for(&mut self, timeout: Duration, wanted: impl Fn(&News) -> bool) -> Option<News> {
        let kept = self
            .kept
            .iter()
            .position(|m| matches!(m, Message::News(n) if wanted(n)));
        if let Some(Message::News(n)) = kept.and_then(|i| self.kept.remove(i)) {
            return Some(n);
        }
        let deadline = std::time::Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(Message::News(n)) if wanted(&n) => return Some(n),
                Ok(other) => self.kept.push_back(other),
                Err(_) => return None,
            }
        }
    }
}
