//! Walking a procedure on a call: the runner's state and keys. Every move is journaled on
//! the call at once; a secret is typed masked, can be shown once, and is never written.

use super::app::{App, Screen};
use super::input::TextField;
use super::keys::Action;
use crate::domain::call::{CallRef, JournalKind};
use crate::domain::procedure::StepKind;
use crate::domain::walk::{Move, Walk};
use crate::store::WalkEntry;

const VALUE_MAX: usize = 200;

pub struct Runner {
    pub call: CallRef,
    pub walk: Walk,
    /// The value of a `record` step being typed.
    pub input: TextField,
    /// The secret is shown in clear right now.
    pub revealed: bool,
    /// The one showing of this secret has been used.
    pub reveal_used: bool,
}

impl Runner {
    fn new(call: CallRef, walk: Walk) -> Runner {
        let mut runner = Runner {
            call,
            walk,
            input: TextField::single("", VALUE_MAX),
            revealed: false,
            reveal_used: false,
        };
        runner.reset_input();
        runner
    }

    fn current_kind(&self) -> Option<&StepKind> {
        self.walk
            .current
            .map(|i| &self.walk.procedure.steps[i].kind)
    }

    pub fn wants_input(&self) -> bool {
        matches!(self.current_kind(), Some(StepKind::Record { .. }))
    }

    pub fn is_secret(&self) -> bool {
        matches!(
            self.current_kind(),
            Some(StepKind::Record { secret: true, .. })
        )
    }

    /// A fresh field for the current step; the previous value (a secret perhaps) is wiped.
    fn reset_input(&mut self) {
        self.input.wipe();
        self.input = if self.is_secret() {
            TextField::secret(VALUE_MAX)
        } else {
            TextField::single("", VALUE_MAX)
        };
        self.revealed = false;
        self.reveal_used = false;
    }

    /// Any key after the one showing hides the secret again.
    pub fn hide(&mut self) {
        if self.revealed {
            self.revealed = false;
            self.input.set_masked(true);
        }
    }
}

impl App {
    /// Walks `slug` on the call: resumes where it stopped if it was interrupted, else
    /// starts it (and journals that the procedure is used).
    pub(super) fn start_walk(&mut self, reference: CallRef, slug: &str) {
        let Some(procedure) = self.catalog.get(slug).cloned() else {
            self.error(format!("procédure inconnue « {slug} »"));
            return;
        };
        if self
            .detail
            .as_ref()
            .is_none_or(|d| d.record.call.reference != reference)
        {
            self.open_detail(reference);
        }
        let resumable = match self.store.last_walk(reference) {
            Ok(Some(mark)) if mark.procedure == slug && mark.current.is_some() => Some(mark),
            Ok(_) => None,
            Err(e) => {
                self.error(e.to_string());
                return;
            }
        };
        let walk = match resumable {
            Some(mark) => {
                self.info(format!(
                    "Procédure reprise là où elle s'était arrêtée : {slug}"
                ));
                Walk::resume(procedure, &mark)
            }
            None => {
                let walk = Walk::start(procedure);
                let entry = WalkEntry {
                    kind: JournalKind::Procedure,
                    line: slug,
                    mark: &walk.mark(),
                    escalated: false,
                };
                if let Err(e) = self
                    .store
                    .append_walk(reference, &self.operator, self.now, &entry)
                {
                    self.error(format!("procédure non commencée : {e}"));
                    return;
                }
                walk
            }
        };
        self.reload_detail();
        if let Some(detail) = self.detail.as_mut() {
            detail.runner = Some(Runner::new(reference, walk));
            detail.scroll = detail.record.journal.len().saturating_sub(1);
        }
        self.screen = Screen::Detail;
    }

    /// `p` on a call: resume the walk in progress, else choose a procedure.
    pub(super) fn resume_or_choose(&mut self, reference: CallRef) {
        match self.store.last_walk(reference) {
            Ok(Some(mark))
                if mark.current.is_some() && self.catalog.get(&mark.procedure).is_some() =>
            {
                self.start_walk(reference, &mark.procedure)
            }
            Ok(_) => self.choose_procedure_for(reference),
            Err(e) => self.error(e.to_string()),
        }
    }

    pub(super) fn act_runner(&mut self, action: Action) {
        let Some(runner) = self.detail.as_mut().and_then(|d| d.runner.as_mut()) else {
            return;
        };
        if action != Action::Reveal {
            runner.hide();
        }
        let mv = match action {
            Action::Back => {
                if let Some(d) = self.detail.as_mut() {
                    d.runner = None;
                }
                self.info("Procédure interrompue : p pour la reprendre à cette étape".into());
                return;
            }
            Action::Reveal => {
                if runner.is_secret() && !runner.reveal_used {
                    runner.revealed = true;
                    runner.reveal_used = true;
                    runner.input.set_masked(false);
                } else if runner.is_secret() {
                    self.error("le secret ne s'affiche qu'une fois".into());
                }
                return;
            }
            Action::StepBack => Move::Back,
            Action::Yes => Move::Answer(true),
            Action::No => Move::Answer(false),
            Action::Confirm => match runner.current_kind() {
                None => {
                    if let Some(d) = self.detail.as_mut() {
                        d.runner = None;
                    }
                    return;
                }
                Some(StepKind::Say | StepKind::Check) => Move::Confirm,
                Some(StepKind::Escalate { .. }) => Move::Escalate,
                Some(StepKind::Record { .. }) => Move::Record(runner.input.value()),
                Some(StepKind::Ask { .. }) => {
                    self.error("répondre o (oui) ou n (non)".into());
                    return;
                }
            },
            _ => return,
        };
        let mut next = runner.walk.clone();
        let applied = next.apply(&mv, self.now);
        let mut mv = mv;
        if let Move::Record(value) = &mut mv {
            use zeroize::Zeroize;
            value.zeroize();
        }
        let Some(effect) = applied else {
            let message = match mv {
                Move::Back => "déjà à la première étape",
                Move::Record(_) => "valeur vide : la saisir avant Entrée",
                Move::Answer(_) => "cette étape n'est pas une question : Entrée pour la valider",
                _ => "action impossible à cette étape",
            };
            self.error(message.into());
            return;
        };
        let call = runner.call;
        let entry = WalkEntry {
            kind: JournalKind::Step,
            line: &effect.journal,
            mark: &next.mark(),
            escalated: effect.escalated_to.is_some(),
        };
        match self
            .store
            .append_walk(call, &self.operator, self.now, &entry)
        {
            Ok(()) => {
                let finished = next.is_finished();
                if let Some(runner) = self.detail.as_mut().and_then(|d| d.runner.as_mut()) {
                    runner.walk = next;
                    runner.reset_input();
                }
                self.reload_detail();
                if let Some(d) = self.detail.as_mut() {
                    d.scroll = d.record.journal.len().saturating_sub(1);
                }
                if let Some(target) = effect.escalated_to {
                    self.info(format!("Appel escaladé vers {target} (issue : escaladé)"));
                } else if finished {
                    self.info(
                        "Procédure terminée : Entrée pour fermer, c pour clore l'appel".into(),
                    );
                }
            }
            Err(e) => self.error(format!("étape non enregistrée : {e}")),
        }
    }
}
