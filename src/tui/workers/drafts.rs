//! The draft writer: the call being typed is written durably once a second, off the
//! thread that reads the keys: a thread of its own, with its own connection to the
//! database, takes the latest draft and says how the write went. A key never waits for a
//! disk.

use super::Post;
use crate::domain::call::CallDraft;
use crate::store::{FileAccess, Store};
use chrono::{DateTime, Utc};
use std::path::Path;
use std::sync::mpsc::{Sender, channel};
use std::thread::JoinHandle;

/// One draft to write.
pub struct Job {
    pub console: String,
    pub operator: String,
    pub opened_at: DateTime<Utc>,
    pub saved_at: DateTime<Utc>,
    pub draft: CallDraft,
    /// Asked by putting the call aside (Échap): the console says "kept" once it is.
    pub aside: bool,
}

/// How a write went: `Err` holds the sentence to show.
pub struct Done {
    pub result: Result<(), String>,
    pub aside: bool,
}

pub struct DraftWriter {
    jobs: Sender<Job>,
    thread: JoinHandle<()>,
    /// Jobs sent whose answer has not come.
    pending: usize,
}

impl DraftWriter {
    /// A writer on the database at `path`, that says how each write went through `post`.
    pub fn spawn(path: &Path, post: Post<Done>) -> DraftWriter {
        let (jobs, inbox) = channel::<Job>();
        let path = path.to_path_buf();
        let thread = super::spawn("guichet-drafts", super::Priority::Normal, move || {
            let mut store: Option<Store> = None;
            while let Ok(mut job) = inbox.recv() {
                // Only the newest draft matters: older ones waiting are skipped.
                while let Ok(newer) = inbox.try_recv() {
                    let aside = job.aside || newer.aside;
                    if !post(Done {
                        result: Ok(()),
                        aside: false,
                    }) {
                        return;
                    }
                    job = newer;
                    job.aside = aside;
                }
                let result = write(&mut store, &path, &job);
                if !post(Done {
                    result,
                    aside: job.aside,
                }) {
                    return;
                }
            }
        });
        DraftWriter {
            jobs,
            thread,
            pending: 0,
        }
    }

    /// Hands a draft over; never waits. False when the writer is gone.
    pub fn send(&mut self, job: Job) -> bool {
        let sent = self.jobs.send(job).is_ok();
        if sent {
            self.pending += 1;
        }
        sent
    }

    /// One of its answers came.
    pub fn answered(&mut self) {
        self.pending = self.pending.saturating_sub(1);
    }

    /// Answers still to come.
    pub fn pending(&self) -> usize {
        self.pending
    }

    /// Whether its thread has ended: no answer will come any more.
    pub fn has_stopped(&self) -> bool {
        self.thread.is_finished()
    }

    /// Stops waiting for answers that will not come.
    pub fn forget_pending(&mut self) {
        self.pending = 0;
    }
}

fn write(store: &mut Option<Store>, path: &Path, job: &Job) -> Result<(), String> {
    if store.is_none() {
        *store =
            Some(Store::open_drafts_file(path, &FileAccess::default()).map_err(|e| e.to_string())?);
    }
    let s = store.as_mut().expect("opened above");
    let written = s.save_draft(
        &job.console,
        &job.operator,
        job.opened_at,
        job.saved_at,
        &job.draft,
    );
    if written.is_err() {
        // A connection that failed (disk full) is opened afresh next time.
        *store = None;
    }
    written.map_err(|e| e.to_string())
}
