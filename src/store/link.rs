//! The store's own thread: the console's one connection lives there, never on the thread
//! that draws. A screen asks through a [`StoreLink`] and waits a moment (its patience) for
//! the answer; a server that takes longer is said at once on the status line (« serveur
//! lent »), while the clock, the timer and the keys go on. A read given up is simply not
//! shown; a write given up still happens when the server answers, and what it came to is
//! then told through the console's channel ([`Late`]). Between requests the thread looks
//! whether another console wrote (SQLite's data version, the server's notifications on the
//! same connection), so that asking costs the drawing thread an atomic read.

use super::{Engine, Location, Result, Store, StoreError};
use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::mpsc::{RecvTimeoutError, Sender, channel};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// How often the thread, when idle, looks whether another console wrote.
const LOOK_EVERY: Duration = Duration::from_millis(100);

/// How long the drawing thread waits for the server before saying it is slow: short
/// enough that the clock and the call timer never miss a second; a normal answer
/// (a page of the list, a search in a million calls) takes a few milliseconds.
pub const SERVER_PATIENCE: Duration = Duration::from_millis(400);

/// The same for an SQLite file: what makes it wait is another process's write lock,
/// which SQLite itself waits for (its busy timeout).
pub const FILE_PATIENCE: Duration = Duration::from_secs(2);

/// What a write the console stopped waiting for came to, when the store answered.
#[derive(Debug)]
pub enum Late {
    /// The call typed in the form: saved (as stored), or why not.
    CallSaved(std::result::Result<crate::domain::call::Call, String>),
    /// A call set aside, taken up (F7): opened in the form when it comes.
    AsideTaken(std::result::Result<Option<super::AsideDraft>, String>),
    /// Another write: what it was, in words (« note sur A-0042 »), and why it failed.
    Wrote {
        what: String,
        outcome: std::result::Result<(), String>,
    },
}

/// Where a [`Late`] is told (the console's channel); false once nobody listens.
pub type Tell = Box<dyn Fn(Late) -> bool + Send>;

/// A request: run on the store, it returns what to do once it is counted done (tell a
/// late write), so that the console, told, finds the store answering again.
type Job = Box<dyn FnOnce(&mut Store) -> Option<Box<dyn FnOnce() + Send>> + Send>;

/// What the store's thread and the console share.
#[derive(Default)]
struct Shared {
    /// The store's count of others' writes, as last looked at.
    version: AtomicI64,
    /// Why the store cannot be used now, while it cannot.
    problem: Mutex<Option<String>>,
    /// Requests sent and not yet done.
    queued: AtomicUsize,
    /// Since when the console has been waiting on a request it gave up on, and how many
    /// writes wait behind it.
    stalled: Mutex<Option<Stall>>,
}

#[derive(Debug, Clone, Copy)]
struct Stall {
    since: Instant,
    writes: usize,
}

/// What does not change while the console runs, known without asking the thread.
#[derive(Debug, Clone)]
pub struct StoreFacts {
    pub name: String,
    pub engine: Engine,
    pub location: Location,
    pub read_only: bool,
    pub drafts_path: Option<PathBuf>,
}

/// The console's end of the store's thread.
pub struct StoreLink {
    jobs: Sender<Job>,
    shared: Arc<Shared>,
    facts: StoreFacts,
    patience: Duration,
    /// Where writes given up on are told when they end (the console's channel).
    late: Arc<Mutex<Option<Tell>>>,
}

/// A request's answer, handed from the store's thread to whoever still waits for it.
struct Handoff<R> {
    state: Mutex<HandoffState<R>>,
    done: Condvar,
}

enum HandoffState<R> {
    Waiting,
    Done(R),
    GivenUp,
}

impl StoreLink {
    /// Moves `store` onto a thread of its own. `patience`: how long a request waits before
    /// the console says the store is slow.
    pub fn spawn(store: Store, patience: Duration) -> StoreLink {
        let facts = StoreFacts {
            name: short_name(store.path()),
            engine: store.engine(),
            location: store.location().clone(),
            read_only: store.is_read_only(),
            drafts_path: store.drafts_path(),
        };
        let shared = Arc::new(Shared::default());
        shared
            .version
            .store(store.data_version().unwrap_or(0), Ordering::Relaxed);
        let (jobs, inbox) = channel::<Job>();
        let thread_shared = shared.clone();
        std::thread::Builder::new()
            .name("guichet-store".into())
            .spawn(move || serve(store, inbox, thread_shared))
            .expect("a thread for the store");
        StoreLink {
            jobs,
            shared,
            facts,
            patience,
            late: Default::default(),
        }
    }

    /// The patience suited to where the store is: a server or a file.
    pub fn patience_for(store: &Store) -> Duration {
        match store.engine() {
            Engine::Postgres => SERVER_PATIENCE,
            Engine::Sqlite => FILE_PATIENCE,
        }
    }

    /// Where the writes the console stopped waiting for are told.
    pub fn tell_late(&self, post: Tell) {
        if let Ok(mut late) = self.late.lock() {
            *late = Some(post);
        }
    }

    pub fn facts(&self) -> &StoreFacts {
        &self.facts
    }

    pub fn is_read_only(&self) -> bool {
        self.facts.read_only
    }

    pub fn location(&self) -> &Location {
        &self.facts.location
    }

    pub fn drafts_path(&self) -> Option<PathBuf> {
        self.facts.drafts_path.clone()
    }

    /// The store's count of others' writes, as its thread last saw it: no request.
    pub fn data_version(&self) -> i64 {
        self.shared.version.load(Ordering::Relaxed)
    }

    /// Why the store cannot be used now (the server went away), while it cannot.
    pub fn connection_problem(&self) -> Option<String> {
        self.shared.problem.lock().ok().and_then(|p| p.clone())
    }

    /// While the console waits on the store: « serveur lent : … ne répond pas depuis N s »,
    /// « serveur lent, enregistrement en attente : … » when writes wait behind.
    pub fn slowness(&self) -> Option<String> {
        let stall = (*self.shared.stalled.lock().ok()?)?;
        let seconds = stall.since.elapsed().as_secs().max(1);
        let what = match self.facts.engine {
            Engine::Postgres => "serveur lent",
            Engine::Sqlite => "base occupée",
        };
        // What waits first: the server's name may be long, the line is not.
        let waits = if stall.writes > 0 {
            ", enregistrement en attente"
        } else {
            ""
        };
        Some(format!(
            "{what}{waits} : {} ne répond pas depuis {seconds} s",
            self.facts.name
        ))
    }

    /// Says the server `name` has not answered for `seconds`, `writes` writes waiting (the
    /// screenshot gallery: the status line of a slow server, on a store in memory).
    #[cfg(any(test, feature = "test-support"))]
    pub fn pretend_slow(&mut self, name: &str, seconds: u64, writes: usize) {
        self.facts.name = name.to_string();
        self.facts.engine = Engine::Postgres;
        if let Ok(mut stall) = self.shared.stalled.lock() {
            *stall = Some(Stall {
                since: Instant::now() - Duration::from_secs(seconds),
                writes,
            });
        }
    }

    fn slow_error(&self) -> StoreError {
        StoreError::Slow {
            message: self
                .slowness()
                .unwrap_or_else(|| format!("serveur lent : {} ne répond pas", self.facts.name)),
        }
    }

    /// Reads from the store, waiting at most the patience; a store already slow is not
    /// asked again (the answer would come too late to be shown).
    pub fn read<R: Send + 'static>(
        &self,
        ask: impl FnOnce(&mut Store) -> Result<R> + Send + 'static,
    ) -> Result<R> {
        if self.is_stalled() {
            return Err(self.slow_error());
        }
        let handoff = self.send(move |store| ask(store), |_| None);
        self.wait(&handoff, self.patience, false)
    }

    /// Writes to the store, waiting at most the patience; past it the write goes on, and
    /// `late` says what it came to when it ends (told through the console's channel). A
    /// store already slow takes the write after what it is doing.
    pub fn write<R: Send + 'static>(
        &self,
        ask: impl FnOnce(&mut Store) -> Result<R> + Send + 'static,
        late: impl FnOnce(Result<R>) -> Late + Send + 'static,
    ) -> Result<R> {
        let teller = self.late.clone();
        let shared = self.shared.clone();
        let tell = move |result: Result<R>| {
            if let Ok(mut stall) = shared.stalled.lock()
                && let Some(s) = stall.as_mut()
            {
                s.writes = s.writes.saturating_sub(1);
            }
            let said = late(result);
            if let Some(post) = teller.lock().ok().as_ref().and_then(|p| p.as_ref()) {
                post(said);
            }
            None
        };
        let stalled = self.is_stalled();
        let handoff = self.send(move |store| ask(store), tell);
        let patience = if stalled {
            Duration::ZERO
        } else {
            self.patience
        };
        self.wait(&handoff, patience, true)
    }

    /// [`StoreLink::write`] told in words: `what` (« note sur A-0042 ») names it on the
    /// status line when it ends late.
    pub fn change<R: Send + 'static>(
        &self,
        what: impl Into<String>,
        ask: impl FnOnce(&mut Store) -> Result<R> + Send + 'static,
    ) -> Result<R> {
        let what = what.into();
        self.write(ask, move |r| Late::Wrote {
            outcome: r
                .map(|_| ())
                .map_err(|e| format!("{what} : non enregistré ({e})")),
            what,
        })
    }

    /// Waits as long as it takes (the console is leaving: its draft must be written).
    pub fn finish<R: Send + 'static>(
        &self,
        ask: impl FnOnce(&mut Store) -> Result<R> + Send + 'static,
    ) -> Result<R> {
        let handoff = self.send(move |store| ask(store), |_| None);
        self.wait(&handoff, Duration::from_secs(30), false)
    }

    /// Has the store's thread look at once whether another console wrote, and waits for
    /// it (tests, which write elsewhere and then look; the console lets the thread look
    /// by itself).
    pub fn look_now(&self) {
        let shared = self.shared.clone();
        let _ = self.read(move |store| {
            look(store, &shared);
            Ok(())
        });
    }

    fn is_stalled(&self) -> bool {
        self.shared.stalled.lock().is_ok_and(|s| s.is_some())
    }

    /// Queues `ask`; what it returns goes to whoever still waits, else to `given_up`.
    fn send<R: Send + 'static>(
        &self,
        ask: impl FnOnce(&mut Store) -> Result<R> + Send + 'static,
        given_up: impl FnOnce(Result<R>) -> Option<()> + Send + 'static,
    ) -> Arc<Handoff<Result<R>>> {
        let handoff = Arc::new(Handoff {
            state: Mutex::new(HandoffState::Waiting),
            done: Condvar::new(),
        });
        let theirs = handoff.clone();
        let job: Job = Box::new(move |store| {
            let result = ask(store);
            let mut state = theirs.state.lock().unwrap_or_else(|p| p.into_inner());
            match *state {
                HandoffState::GivenUp => {
                    drop(state);
                    Some(Box::new(move || {
                        given_up(result);
                    }))
                }
                _ => {
                    *state = HandoffState::Done(result);
                    theirs.done.notify_all();
                    None
                }
            }
        });
        self.shared.queued.fetch_add(1, Ordering::SeqCst);
        if self.jobs.send(job).is_err() {
            // The thread is gone (it panicked): nothing will answer.
            self.shared.queued.fetch_sub(1, Ordering::SeqCst);
            let mut state = handoff.state.lock().unwrap_or_else(|p| p.into_inner());
            *state = HandoffState::Done(Err(StoreError::Slow {
                message: format!(
                    "{} : la connexion de la console s'est arrêtée",
                    self.facts.name
                ),
            }));
        }
        handoff
    }

    fn wait<R>(&self, handoff: &Handoff<Result<R>>, patience: Duration, write: bool) -> Result<R> {
        let deadline = Instant::now() + patience;
        let mut state = handoff.state.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if let HandoffState::Done(_) = *state {
                let HandoffState::Done(result) =
                    std::mem::replace(&mut *state, HandoffState::GivenUp)
                else {
                    unreachable!("just matched");
                };
                return result;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                *state = HandoffState::GivenUp;
                drop(state);
                self.stall(write);
                return Err(self.slow_error());
            }
            state = handoff
                .done
                .wait_timeout(state, left)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
    }

    /// The console gave up on a request: slow until the thread has done everything sent.
    fn stall(&self, write: bool) {
        if let Ok(mut stall) = self.shared.stalled.lock() {
            let s = stall.get_or_insert(Stall {
                since: Instant::now() - self.patience,
                writes: 0,
            });
            if write {
                s.writes += 1;
            }
        }
    }
}

/// How the status line names the store, short enough for a line of 80 columns: the
/// server's `host:port`, or the file.
fn short_name(shown: &str) -> String {
    match shown.split_once("://") {
        Some((_, rest)) => {
            let authority = rest.split(['/', '?']).next().unwrap_or(rest);
            authority
                .rsplit_once('@')
                .map_or(authority, |(_, h)| h)
                .to_string()
        }
        None => shown.to_string(),
    }
}

/// The store's thread: runs what is asked, in order; between requests, looks whether
/// another console wrote. Ends when the console drops its link.
fn serve(mut store: Store, jobs: std::sync::mpsc::Receiver<Job>, shared: Arc<Shared>) {
    let mut looked = Instant::now();
    loop {
        match jobs.recv_timeout(LOOK_EVERY) {
            Ok(job) => {
                let then = job(&mut store);
                if shared.queued.fetch_sub(1, Ordering::SeqCst) == 1
                    && let Ok(mut stall) = shared.stalled.lock()
                {
                    // Everything asked is done: the store answers again.
                    *stall = None;
                }
                if let Some(tell) = then {
                    tell();
                }
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
        if looked.elapsed() >= LOOK_EVERY {
            looked = Instant::now();
            look(&store, &shared);
        }
    }
}

/// Whether another console wrote, and whether the store can be reached, as the console
/// will read them.
fn look(store: &Store, shared: &Shared) {
    let problem = match store.data_version() {
        Ok(v) => {
            shared.version.store(v, Ordering::Relaxed);
            None
        }
        Err(e) => Some(store.connection_problem().unwrap_or_else(|| e.to_string())),
    };
    if let Ok(mut p) = shared.problem.lock() {
        *p = problem;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(patience: Duration) -> StoreLink {
        StoreLink::spawn(Store::open_in_memory().unwrap(), patience)
    }

    #[test]
    fn the_status_line_names_the_server_by_its_host() {
        assert_eq!(
            short_name("postgresql://guichet@pg.interieur.gouv.fr:5432/guichet"),
            "pg.interieur.gouv.fr:5432"
        );
        assert_eq!(
            short_name("/var/lib/guichet/guichet.db"),
            "/var/lib/guichet/guichet.db"
        );
    }

    #[test]
    fn a_quick_answer_is_returned_as_is() {
        let link = link(Duration::from_secs(5));
        assert_eq!(link.read(|s| s.count_open()).unwrap(), 0);
        assert!(link.slowness().is_none());
    }

    #[test]
    fn a_slow_store_is_said_at_once_and_the_write_told_when_it_ends() {
        let link = link(Duration::from_millis(50));
        let (tx, rx) = channel();
        link.tell_late(Box::new(move |late| tx.send(late).is_ok()));
        let started = Instant::now();
        let err = link
            .write(
                |s| {
                    std::thread::sleep(Duration::from_millis(400));
                    s.count_open()
                },
                |r| Late::Wrote {
                    what: "essai".into(),
                    outcome: r.map(|_| ()).map_err(|e| e.to_string()),
                },
            )
            .unwrap_err();
        assert!(
            started.elapsed() < Duration::from_millis(300),
            "waited {:?}",
            started.elapsed()
        );
        assert!(matches!(err, StoreError::Slow { .. }), "{err}");
        let said = link.slowness().expect("slow");
        assert!(said.contains("base occupée"), "{said}");
        assert!(said.contains("enregistrement en attente"), "{said}");
        // A read meanwhile is not even asked: it fails at once.
        let asked = Instant::now();
        assert!(link.read(|s| s.count_open()).is_err());
        assert!(asked.elapsed() < Duration::from_millis(20));
        // The write ends, and says so.
        match rx.recv_timeout(Duration::from_secs(5)).unwrap() {
            Late::Wrote { what, outcome } => {
                assert_eq!(what, "essai");
                assert!(outcome.is_ok());
            }
            other => panic!("{other:?}"),
        }
        let deadline = Instant::now() + Duration::from_secs(2);
        while link.slowness().is_some() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(link.slowness().is_none(), "the store answers again");
        assert_eq!(link.read(|s| s.count_open()).unwrap(), 0);
    }

    #[test]
    fn a_read_given_up_is_never_told() {
        let link = link(Duration::from_millis(20));
        let (tx, rx) = channel();
        link.tell_late(Box::new(move |late| tx.send(late).is_ok()));
        assert!(
            link.read(|s| {
                std::thread::sleep(Duration::from_millis(100));
                s.count_open()
            })
            .is_err()
        );
        assert!(rx.recv_timeout(Duration::from_millis(300)).is_err());
    }
}
