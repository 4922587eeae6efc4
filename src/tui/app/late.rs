//! What a slow store did after the console stopped waiting for it: a write the screen
//! gave up on (the status line said « serveur lent … enregistrement en attente ») is told
//! when it ends; the call being typed, saved late, is then done with as if saved at once.

use super::App;
use crate::store::StoreError;
use crate::store::link::Late;
use crate::tui::screens::Kind;

impl App {
    pub(super) fn late_write(&mut self, late: Late) {
        match late {
            Late::CallSaved(result) => self.call_saved_late(result),
            Late::AsideTaken(Ok(Some(aside))) => {
                if self.put_form_aside() {
                    self.open_taken_up(
                        aside.draft,
                        aside.opened_at,
                        "saisie reprise : l'appel n'est pas encore enregistré (Ctrl-S)".into(),
                    );
                }
            }
            Late::AsideTaken(Ok(None)) => self.error("saisie déjà reprise ailleurs".into()),
            Late::AsideTaken(Err(e)) => self.error(format!("saisie mise de côté illisible : {e}")),
            Late::Wrote { what, outcome } => match outcome {
                Ok(()) if what.is_empty() => {}
                Ok(()) => self.info(format!("{what} : enregistré (le serveur a répondu)")),
                Err(e) => self.error(e),
            },
        }
        // What was written shows in the screens under it too.
        self.refresh_all();
    }

    /// The call typed in the form reached the store late: the form is done with, as on a
    /// save that answered at once; or it stays, with why, to be saved again.
    fn call_saved_late(&mut self, result: Result<crate::domain::call::Call, String>) {
        // What was typed after Ctrl-S is not in the saved call: it is set aside (F7), not
        // lost.
        let kept = result.is_ok() && self.keep_typed_since_save();
        let reference = result.as_ref().ok().map(|c| c.reference);
        if self.top_kind() == Kind::Form {
            let answer = self
                .form_mut()
                .map(|form| form.saved_late(result))
                .unwrap_or(Ok(crate::tui::component::Effect::None));
            self.apply(answer);
            if kept && let Some(reference) = reference {
                self.info(format!(
                    "Appel {reference} enregistré ; tapé depuis Ctrl-S : gardé de côté (F7)"
                ));
            }
            return;
        }
        // The operator went elsewhere meanwhile: the form (in the stack or put aside) is
        // the call now saved, or keeps its text to be saved again.
        match result {
            Ok(call) => {
                if let Some(i) = self.stack.position(Kind::Form) {
                    self.stack.remove(i);
                }
                self.parked = None;
                self.clear_draft();
                self.info(format!(
                    "Appel {} enregistré : référence à donner à l'appelant",
                    call.reference
                ));
            }
            Err(e) => {
                if let Some(form) = self.form_mut() {
                    let _ = form.saved_late(Err(e.clone()));
                }
                self.error(format!("appel non enregistré, saisie gardée : {e}"));
            }
        }
    }

    /// True when something was typed since, and set aside.
    fn keep_typed_since_save(&mut self) -> bool {
        let reference = self.desk.reference.clone();
        let Some((draft, opened_at)) = self
            .form()
            .and_then(|f| Some((f.typed_since_save(&reference)?, f.opened_at)))
        else {
            return false;
        };
        let (console, operator, now) = (
            self.desk.console.id().to_string(),
            self.desk.operator.clone(),
            self.now,
        );
        let kept = self.store.write(
            move |s| s.set_draft_aside(&console, &operator, opened_at, now, &draft),
            |r| Late::Wrote {
                what: String::new(),
                outcome: r
                    .map(|_| ())
                    .map_err(|e| format!("saisie faite pendant l'enregistrement perdue : {e}")),
            },
        );
        match kept {
            // Set aside now, or once the store answers (a failure is told then).
            Ok(_) | Err(StoreError::Slow { .. }) => true,
            Err(e) => {
                self.error(format!("saisie faite pendant l'enregistrement : {e}"));
                false
            }
        }
    }
}
