//! What changed elsewhere: other consoles' writes and the telephony's events, seen through
//! what the store's thread last saw (SQLite's data version, the server's notifications on
//! the console's one connection); then every screen and the extension's calls are read
//! again, and the call being typed follows its phone call.

use super::App;
use crate::tui::component::{Env, Problem};
use crate::tui::ringing::Ringing;
use crate::tui::screens::Kind;

impl App {
    /// Shows the calls that ring or are answered on `extension`.
    pub fn with_extension(mut self, extension: Option<String>) -> App {
        self.ringing = Ringing::new(extension);
        self.refresh_ringing();
        self
    }

    /// Reads the extension's calls again; the call being typed follows its phone call.
    pub(super) fn refresh_ringing(&mut self) {
        if let Err(e) = self.ringing.refresh(&self.store, self.now) {
            self.error(format!("appels téléphoniques illisibles : {e}"));
        }
        self.follow_answer();
        if self.top_kind() == Kind::Form {
            self.link_form_to_answered();
        }
    }

    /// The timer of a call typed from a phone call starts when that call was answered.
    fn follow_answer(&mut self) {
        let Some(id) = self.form().and_then(|f| f.telephony_id.clone()) else {
            return;
        };
        let Some(answered) = self.ringing.find(&id).and_then(|c| c.answered_at) else {
            return;
        };
        if let Some(form) = self.form_mut()
            && form.opened_at != answered
        {
            form.opened_at = answered;
            form.dirty = true;
        }
    }

    /// Whether the store changed (another console wrote, the telephony rang): then every
    /// screen and the extension's call are read again. Cheap enough to ask several times
    /// a second (two atomics the store's thread keeps, see `store::link`); true when the
    /// screen must be drawn again.
    pub fn poll_store(&mut self) -> bool {
        let before = (self.data_version, self.store_unreachable.clone());
        // A server that went away is said on the status line until it is back; then what
        // changed meanwhile is read again (the store counts its return as a change). Both
        // are what the store's thread last saw: no request from here.
        self.store_unreachable = self.store.connection_problem();
        let version = self.store.data_version();
        if self.store_unreachable.is_none() && version != self.data_version {
            self.data_version = version;
            self.refresh_all();
            self.refresh_ringing();
        }
        (self.data_version, self.store_unreachable.clone()) != before
    }

    /// [`App::poll_store`] once the store's thread has looked (tests: a write made
    /// elsewhere a moment ago is seen now, not within the thread's next look).
    pub fn settle_store(&mut self) -> bool {
        self.store.look_now();
        self.poll_store()
    }

    /// [`App::tick`] once the store's thread has looked (tests: what another process
    /// wrote a moment ago is taken on this tick).
    pub fn tick_settled(&mut self, now: chrono::DateTime<chrono::Utc>) {
        self.store.look_now();
        self.tick(now);
    }

    /// Every screen reads its data again (another console wrote, the catalogue came).
    pub(super) fn refresh_all(&mut self) {
        let mut env = Env {
            store: &self.store,
            desk: &self.desk,
            now: self.now,
        };
        let mut problem = None;
        for screen in self.stack.iter_mut() {
            if let Err(p) = screen.component_mut().refresh(&mut env) {
                problem = Some(p);
            }
        }
        if let Some(Problem(text)) = problem {
            self.error(text);
        }
    }
}
