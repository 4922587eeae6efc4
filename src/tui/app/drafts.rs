//! The draft keeper: the call being typed is handed to the draft writer once a second when
//! it changed (written here when there is no writer), the writer's answers become the
//! status line's, the watchdog gets a snapshot of it; quitting saves it first (and asks
//! when it cannot), and the farewell says where it went.

use super::App;
use crate::domain::text::visible;
use crate::store::StoreError;
use crate::store::link::Late;
use crate::tui::channel::News;
use crate::tui::crash::DraftSnapshot;
use crate::tui::route::{Pending, Route};
use crate::tui::screens::Kind;
use crate::tui::screens::form::FormScreen;
use crate::tui::stack::Screen;
use crate::tui::workers::drafts::{self, DraftWriter};

/// How often a wait for the draft writer looks whether it is still at work.
const WRITER_LOOK: std::time::Duration = std::time::Duration::from_millis(50);

fn writer_stopped(writer: &Option<DraftWriter>) -> bool {
    writer.as_ref().is_some_and(DraftWriter::has_stopped)
}

impl App {
    /// Quits, keeping the call being typed (saved now). When it cannot be saved, asks
    /// first: quitting would lose it.
    pub(super) fn leave(&mut self) {
        self.save_draft_now();
        let Some(problem) = self.draft_unsaved.clone() else {
            self.quit = true;
            return;
        };
        if self.top_kind() == Kind::Confirm {
            // Asked already, and asked again: the operator means it.
            self.quit = true;
            return;
        }
        let question = format!(
            "La saisie en cours n'a pas pu être sauvegardée ({problem}). En quittant, elle \
             sera perdue. Quitter quand même ?"
        );
        self.open(Route::Confirm {
            title: "Saisie non sauvegardée".into(),
            question,
            pending: Pending::QuitUnsaved,
        });
    }

    /// The call being typed was put aside: saved now, and the operator told whether it
    /// really is kept.
    pub(super) fn keep_aside(&mut self) {
        if let Some(form) = self.form_mut() {
            form.dirty = true;
        }
        // "Kept" is said once the draft is on disk, or why it is not.
        self.save_draft_if_dirty(true);
    }

    /// What to say once the terminal is given back: where the call being typed went.
    pub fn farewell(&self) -> Option<String> {
        let form = self.form()?;
        let draft = form.draft(&self.desk.reference);
        if draft.is_blank() {
            return None;
        }
        let who = if draft.caller_name.trim().is_empty() {
            String::new()
        } else {
            format!(" ({})", visible(draft.caller_name.trim()))
        };
        if let Some(problem) = &self.draft_unsaved {
            return Some(format!(
                "Saisie en cours{who} perdue : elle n'a pas pu être sauvegardée ({})",
                visible(problem)
            ));
        }
        Some(format!(
            "Saisie en cours gardée{who} : au prochain lancement de guichet, elle vous sera \
             proposée (o pour la reprendre)."
        ))
    }

    /// Saves the call being typed now, whatever its state (leaving the console).
    pub fn save_draft_now(&mut self) {
        if let Some(form) = self.form_mut() {
            form.dirty = true;
        }
        self.save_draft_if_dirty(false);
        self.settle_drafts();
    }

    /// Waits for the draft writer to answer everything it was given, and takes its
    /// answers (leaving the console; tests). Whatever else comes meanwhile waits its turn.
    pub fn settle_drafts(&mut self) {
        while self.draft_writer.as_ref().is_some_and(|w| w.pending() > 0) {
            let answer = self
                .inbox
                .wait_for(WRITER_LOOK, |n| matches!(n, News::Draft(_)));
            match answer {
                Some(News::Draft(done)) => self.draft_written(done),
                None if writer_stopped(&self.draft_writer) => {
                    if let Some(writer) = self.draft_writer.as_mut() {
                        writer.forget_pending();
                    }
                    self.take_draft_answers(vec![drafts::Done {
                        result: Err("l'écriture de la saisie s'est arrêtée".into()),
                        aside: false,
                    }]);
                }
                _ => {}
            }
        }
    }

    /// The writer says how a draft went: kept, or why not (then the draft is tried again
    /// on the next tick).
    pub(super) fn draft_written(&mut self, done: drafts::Done) {
        if let Some(writer) = self.draft_writer.as_mut() {
            writer.answered();
        }
        self.take_draft_answers(vec![done]);
    }

    fn take_draft_answers(&mut self, answers: Vec<drafts::Done>) {
        for done in answers {
            match done.result {
                Ok(()) => {
                    if self.draft_unsaved.take().is_some() {
                        self.info("Saisie de nouveau sauvegardée".into());
                    } else if done.aside {
                        self.info("Saisie gardée : F2 pour la reprendre".into());
                    }
                }
                Err(e) => {
                    if let Some(form) = self.form_mut() {
                        form.dirty = true;
                    }
                    self.draft_unsaved = Some(e);
                }
            }
        }
    }

    pub(super) fn form_mut(&mut self) -> Option<&mut FormScreen> {
        let in_stack = self.stack.find_mut(|s| match s {
            Screen::Form(f) => Some(f.as_mut()),
            _ => None,
        });
        match in_stack {
            Some(f) => Some(f),
            None => self.parked.as_deref_mut(),
        }
    }

    /// Saves the call being typed if it changed: handed to the writer thread, or written
    /// here when there is none.
    pub(super) fn save_draft_if_dirty(&mut self, aside: bool) {
        if self.store.is_read_only() {
            return;
        }
        let reference = self.desk.reference.clone();
        let Some(form) = self.form_mut() else {
            return;
        };
        let Some(draft) = form.take_dirty(&reference) else {
            return;
        };
        let opened_at = form.opened_at;
        let console = self.desk.console.id().to_string();
        if let Some(writer) = self.draft_writer.as_mut() {
            let job = drafts::Job {
                console,
                operator: self.desk.operator.clone(),
                opened_at,
                saved_at: self.now,
                draft,
                aside,
            };
            if writer.send(job) {
                return;
            }
            // The writer is gone: write here from now on.
            self.draft_writer = None;
            if let Some(form) = self.form_mut() {
                form.dirty = true;
            }
            return self.save_draft_if_dirty(aside);
        }
        let (operator, now) = (self.desk.operator.clone(), self.now);
        let saved = self
            .store
            .finish(move |s| s.save_draft(&console, &operator, opened_at, now, &draft));
        self.take_draft_answers(vec![drafts::Done {
            result: saved.map_err(|e| e.to_string()),
            aside,
        }]);
    }

    /// What the watchdog saves if the terminal goes away while the loop is stuck: the call
    /// being typed, as it is now.
    pub fn draft_snapshot(&self) -> Option<DraftSnapshot> {
        if self.store.is_read_only() {
            return None;
        }
        let drafts = self.store.drafts_path()?;
        let form = self.form()?;
        let draft = form.draft(&self.desk.reference);
        (!draft.is_blank()).then(|| DraftSnapshot {
            db: drafts.display().to_string(),
            console: self.desk.console.id().to_string(),
            operator: self.desk.operator.clone(),
            opened_at: form.opened_at,
            draft,
        })
    }

    /// Forgets this console's draft: the call was saved, or given up.
    pub(super) fn clear_draft(&mut self) {
        let console = self.desk.console.id().to_string();
        let cleared = self.store.write(
            move |s| s.clear_draft(&console),
            |r| Late::Wrote {
                what: String::new(),
                outcome: r.map_err(|e| format!("brouillon non effacé : {e}")),
            },
        );
        match cleared {
            // Said on the status line; the end is told when it comes.
            Ok(()) | Err(StoreError::Slow { .. }) => {}
            Err(e) => self.error(format!("brouillon non effacé : {e}")),
        }
    }
}
