//! The router's part in the telephony: which phone call the call being typed belongs to,
//! F2 on a ringing call, F6 on the caller's open call, F8 setting a call aside and F7
//! taking up what waits. The rule everywhere: the telephony link (and with it the timer and
//! the handling time) follows the call the operator actually handles, and the status line
//! says which.

use super::App;
use crate::domain::call::{CallDraft, Field};
use crate::domain::text::visible;
use crate::domain::time::paris;
use crate::phone::{PhoneCall, PhoneState};
use crate::store::link::Late;
use crate::store::{PhoneLink, StoreError};
use crate::tui::component::TakeUp;
use crate::tui::keys::{Action, key_for};
use crate::tui::route::Route;
use crate::tui::screens::Kind;
use crate::tui::screens::form::FormScreen;
use crate::tui::stack::Screen;

impl App {
    /// The call answered on this extension that no guichet call holds yet: the one the
    /// operator is on.
    fn answered_unheld(&self) -> Option<PhoneCall> {
        let call = self
            .ringing
            .calls
            .iter()
            .find(|c| c.state() == PhoneState::Answered)?;
        let id = call.telephony_id.clone();
        match self.store.read(move |s| s.call_of_phone(&id)) {
            Ok(None) => Some(call.clone()),
            _ => None,
        }
    }

    /// A call being typed that belongs to no phone call, while the operator is on one
    /// answered on this extension that no call holds yet: it is that call's. Linked, its
    /// timer from the answer, and said.
    pub(super) fn link_form_to_answered(&mut self) {
        if self.form().is_none_or(|f| f.telephony_id.is_some()) {
            return;
        }
        let Some(call) = self.answered_unheld() else {
            return;
        };
        let answered = call.answered_at.unwrap_or(self.now);
        if let Some(form) = self.form_mut() {
            form.telephony_id = Some(call.telephony_id.clone());
            form.opened_at = answered;
            form.dirty = true;
        }
        self.info(format!(
            "saisie liée à l'appel en ligne de {} (décroché à {})",
            call.caller_for_reading(),
            paris(answered, "%H:%M")
        ));
    }

    /// F2: the call being typed, or a new one; while a call rings or is answered on the
    /// extension, a new one is filled from the call in hand. A form left blank is no call:
    /// the call that rings gets its own. A call typed for another phone call comes back
    /// first (nothing typed is dropped), and the message names the key that sets it aside.
    pub(super) fn new_call(&mut self) {
        if self.store.is_read_only() {
            self.error("base en lecture seule : aucun appel ne peut être enregistré ici".into());
            return;
        }
        let live = self.ringing.live().cloned();
        let reference = self.desk.reference.clone();
        if let Some(call) = &live
            && self
                .form()
                .is_some_and(|f| f.telephony_id.is_none() && f.draft(&reference).is_blank())
        {
            // Nothing typed: dropped, and the call that rings gets a form of its own.
            self.discard_form();
            self.info(format!("nouvel appel de {}", call.caller_for_reading()));
        }
        let elsewhere = |form: &FormScreen| {
            live.as_ref()
                .is_some_and(|c| form.telephony_id.as_deref() != Some(c.telephony_id.as_str()))
        };
        if self.form().is_some_and(elsewhere) {
            self.link_form_to_answered();
        }
        if let Some(form) = self.form()
            && elsewhere(form)
        {
            let key =
                key_for(crate::tui::keys::Context::Form, Action::SetAside).unwrap_or_default();
            self.info(format!(
                "saisie en cours reprise : l'enregistrer, ou {key} la met de côté pour l'appel qui sonne"
            ));
        }
        if self.back_to(Kind::Form) {
            return;
        }
        while self.stack.depth() > 1 {
            self.pop();
        }
        if let Some(mut form) = self.parked.take() {
            // Back to the call put aside, from its first field.
            form.focus = Field::CallerName;
            form.in_matches = false;
            form.in_callers = false;
            self.push(Screen::Form(form));
            return;
        }
        let (draft, opened_at) = match live {
            Some(call) => (
                self.draft_from_phone(&call),
                call.answered_at.unwrap_or(self.now),
            ),
            None => (CallDraft::default(), self.now),
        };
        self.open(Route::NewCall {
            draft: Box::new(draft),
            opened_at,
        });
    }

    /// Whether the form on screen holds something typed for another call than the one in
    /// hand: the banner then names the key that sets it aside.
    pub(super) fn typing_another_call(&self) -> bool {
        let Some(live) = self.ringing.live() else {
            return false;
        };
        self.top_kind() == Kind::Form
            && self.form().is_some_and(|f| {
                f.telephony_id.as_deref() != Some(live.telephony_id.as_str())
                    && !f.draft(&self.desk.reference).is_blank()
            })
    }

    /// Drops the call being typed (blank: nothing is lost) and its saved draft.
    fn discard_form(&mut self) {
        self.parked = None;
        if let Some(i) = self.stack.position(Kind::Form) {
            self.stack.truncate(i);
        }
        self.settle_drafts();
        self.clear_draft();
    }

    /// A new call's fields from the phone call in hand: the number, and the name, service
    /// and device of the last call from it.
    fn draft_from_phone(&self, call: &PhoneCall) -> CallDraft {
        let mut draft = CallDraft {
            // A caller id that is no number (`sip:…`, a name) is no phone to call back.
            caller_phone: call
                .caller_number()
                .map(crate::phone::number::for_reading)
                .unwrap_or_default(),
            telephony_id: Some(call.telephony_id.clone()),
            ..CallDraft::default()
        };
        if let Some(facts) = self.ringing.facts() {
            draft.caller_name = facts.last.caller_name.clone();
            draft.caller_email = facts.last.caller_email.clone().unwrap_or_default();
            draft.service = facts.last.service.clone();
            draft.device = facts.last.device.clone();
        }
        draft
    }

    /// F6: the open call of the caller in hand. The phone call is taken on it: its
    /// handling time will be written there.
    pub(super) fn open_caller_call(&mut self) {
        let Some(reference) = self
            .ringing
            .facts()
            .and_then(|f| f.open.as_ref())
            .map(|(call, _)| call.reference)
        else {
            let text = if self.ringing.live().is_some() {
                "aucun appel encore ouvert pour ce numéro"
            } else {
                "aucun appel ne sonne sur ce poste"
            };
            self.error(text.into());
            return;
        };
        if let Some(call) = self.ringing.live().cloned()
            && !self.store.is_read_only()
        {
            let (operator, now, id) = (
                self.desk.operator.clone(),
                self.now,
                call.telephony_id.clone(),
            );
            match self.store.change(
                format!("appel téléphonique lié à {reference}"),
                move |s| s.link_phone_call(reference, &id, &operator, now),
            ) {
                Ok(PhoneLink::Linked { .. }) => self.info(format!(
                    "appel de {} pris sur {reference} : sa durée de traitement y sera inscrite",
                    call.caller_for_reading()
                )),
                Ok(PhoneLink::Already(other)) if other != reference => self.info(format!(
                    "l'appel de {} reste lié à {other}",
                    call.caller_for_reading()
                )),
                Ok(PhoneLink::Already(_)) => {}
                Err(e) => self.error(format!("appel téléphonique non lié à {reference} : {e}")),
            }
        }
        if self
            .detail()
            .is_some_and(|d| d.record.call.reference == reference)
        {
            self.back_to(Kind::Detail);
            self.refresh_top();
            return;
        }
        self.open(Route::Call(reference));
    }

    /// F7: the missed calls to call back and the calls set aside.
    pub(super) fn open_awaiting(&mut self) {
        if self.back_to(Kind::Awaiting) {
            return;
        }
        self.open(Route::Awaiting);
    }

    /// Sets the call being typed aside (kept on this machine, listed by F7); false, with
    /// the reason on the status line, when it could not be kept (then it stays).
    pub(super) fn put_form_aside(&mut self) -> bool {
        let reference = self.desk.reference.clone();
        let Some(form) = self.form() else {
            return true;
        };
        let draft = form.draft(&reference);
        if draft.is_blank() && draft.telephony_id.is_none() {
            self.discard_form();
            return true;
        }
        let opened_at = form.opened_at;
        let console = self.desk.console.id().to_string();
        let operator = self.desk.operator.clone();
        let now = self.now;
        // A slow store keeps the form open: the draft set aside late is then there twice,
        // never lost.
        match self.store.change("saisie mise de côté", move |s| {
            s.set_draft_aside(&console, &operator, opened_at, now, &draft)
        }) {
            Ok(_) => {
                self.discard_form();
                true
            }
            Err(e) => {
                self.error(format!(
                    "saisie non mise de côté (elle reste ouverte) : {e}"
                ));
                false
            }
        }
    }

    /// F8: the call being typed is set aside; a call that rings or is answered for
    /// another phone call gets its form at once.
    pub(super) fn set_aside(&mut self) {
        let reference = self.desk.reference.clone();
        let Some(form) = self.form() else {
            return;
        };
        let draft = form.draft(&reference);
        let own = draft.telephony_id.clone();
        if !self.put_form_aside() {
            return;
        }
        let who = if draft.caller_name.trim().is_empty() {
            String::new()
        } else {
            format!(" ({})", visible(draft.caller_name.trim()))
        };
        let key = key_for(self.context(), Action::Awaiting).unwrap_or_default();
        let said = format!("saisie mise de côté{who} : {key} pour la reprendre");
        let other = self
            .ringing
            .live()
            .is_some_and(|c| own.as_deref() != Some(c.telephony_id.as_str()));
        if other {
            self.new_call();
            let caller = self
                .ringing
                .live()
                .map(PhoneCall::caller_for_reading)
                .unwrap_or_default();
            self.info(format!("{said} ; nouvel appel de {caller}"));
        } else {
            while self.stack.depth() > 1 {
                self.pop();
            }
            self.refresh_top();
            self.info(said);
        }
    }

    /// Takes up what waited (F7): the call being typed is set aside first, then the call
    /// back or the call set aside opens in the form.
    pub(super) fn take_up(&mut self, what: TakeUp) {
        if !self.put_form_aside() {
            return;
        }
        let (draft, opened_at, said) = match what {
            TakeUp::CallBack { draft, said } => (*draft, self.now, said),
            TakeUp::Aside(id) => match self.store.write(
                move |s| s.take_aside_draft(id),
                |r| Late::AsideTaken(r.map_err(|e| e.to_string())),
            ) {
                Ok(Some(aside)) => (
                    aside.draft,
                    aside.opened_at,
                    "saisie reprise : l'appel n'est pas encore enregistré (Ctrl-S)".to_string(),
                ),
                Ok(None) => {
                    self.error("saisie déjà reprise ailleurs".into());
                    self.refresh_top();
                    return;
                }
                // Taken when the store answers, and opened then (told through `late`).
                Err(StoreError::Slow { message }) => {
                    self.error(format!("{message} — saisie reprise dès qu'il répondra"));
                    return;
                }
                Err(e) => {
                    self.error(format!("saisie mise de côté illisible : {e}"));
                    return;
                }
            },
        };
        self.open_taken_up(draft, opened_at, said);
    }

    /// The call taken up (called back, or set aside and taken again) opens in the form,
    /// alone over the list.
    pub(super) fn open_taken_up(
        &mut self,
        draft: CallDraft,
        opened_at: chrono::DateTime<chrono::Utc>,
        said: String,
    ) {
        while self.stack.depth() > 1 {
            self.pop();
        }
        let route = Route::NewCall {
            draft: Box::new(draft),
            opened_at,
        };
        let Some(form) = self.screen_for(route) else {
            return;
        };
        self.stack.push(form);
        self.info(said);
        // Said last: the call taken up now belongs to the phone call in hand.
        self.link_form_to_answered();
    }
}
