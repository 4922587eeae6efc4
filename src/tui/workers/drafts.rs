//! The call being typed is written durably once a second, off the thread that reads the
//! keys: a thread of its own, with its own connection to the database, takes the latest
//! draft and says how the write went. A key never waits for a disk.

use crate::domain::call::CallDraft;
use crate::store::{FileAccess, Store};
use chrono::{DateTime, Utc};
use std::path::Path;
use std::sync::mpsc::{Receiver, Sender, channel};

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
    done: Receiver<Done>,
    /// Jobs sent whose answer has not come.
    pending: usize,
}

impl DraftWriter {
    /// A writer on the database at `path`; `None` when it cannot have its own connection
    /// (a database in memory): the console then writes on its own.
    pub fn spawn(path: &Path) -> Option<DraftWriter> {
        let (jobs, inbox) = channel::<Job>();
        let (outbox, done) = channel::<Done>();
        let path = path.to_path_buf();
        std::thread::spawn(move || {
            let mut store: Option<Store> = None;
            while let Ok(mut job) = inbox.recv() {
                // Only the newest draft matters: older ones waiting are skipped.
                while let Ok(newer) = inbox.try_recv() {
                    let aside = job.aside || newer.aside;
                    if outbox
                        .send(Done {
                            result: Ok(()),
                            aside: false,
                        })
                        .is_err()
                    {
                        return;
                    }
                    job = newer;
                    job.aside = aside;
                }
                let result = write(&mut store, &path, &job);
                if outbox
                    .send(Done {
                        result,
                        aside: job.aside,
                    })
                    .is_err()
                {
                    return;
                }
            }
        });
        Some(DraftWriter {
            jobs,
            done,
            pending: 0,
        })
    }

    /// Hands a draft over; never waits.
    pub fn send(&mut self, job: Job) -> bool {
        let sent = self.jobs.send(job).is_ok();
        if sent {
            self.pending += 1;
        }
        sent
    }

    /// The answers that came, without waiting.
    pub fn answers(&mut self) -> Vec<Done> {
        let mut out = Vec::new();
        while let Ok(d) = self.done.try_recv() {
            self.pending = self.pending.saturating_sub(1);
            out.push(d);
        }
        out
    }

    /// Every answer still to come, waiting for them (leaving the console).
    pub fn finish(&mut self) -> Vec<Done> {
        let mut out = self.answers();
        while self.pending > 0 {
            match self.done.recv() {
                Ok(d) => {
                    self.pending -= 1;
                    out.push(d);
                }
                Err(_) => {
                    out.push(Done {
                        result: Err("l'écriture de la saisie s'est arrêtée".into()),
                        aside: false,
                    });
                    self.pending = 0;
                }
            }
        }
        out
    }
}

fn write(store: &mut Option<Store>, path: &Path, job: &Job) -> Result<(), String> {
    if store.is_none() {
        *store = Some(Store::open_with(path, &FileAccess::default()).map_err(|e| e.to_string())?);
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
