//! The router: the navigation stack, the effects screens ask for (routes to open, popups'
//! answers, messages), the global keys and the clock's tick. Screens do the rest; their
//! errors become status messages here, in one place. Its other parts, each a module of
//! app/: how a console starts (`start`), the workers' side (`workers`), the draft keeper
//! (`drafts`), what other consoles and the telephony changed (`watch`), a `--catalog`
//! folder read again when its files change (`reload`), the telephony's
//! keys F2/F6/F7/F8 (`phone`), the frame (`frame`), what tests read (`inspect`), the
//! writes a slow store finished after the console stopped waiting (`late`).

use super::channel::Inbox;
use super::chrome::Flash;
use super::component::{Component, Desk, Effect, Env, Input, Problem, Reply, Update};
use super::input::Typed;
use super::keys::{Action, Context, action_for};
use super::open::open;
use super::ringing::Ringing;
use super::route::{Pending, Route};
use super::screens::Kind;
use super::screens::form::FormScreen;
use super::stack::{Screen, Stack};
use super::workers::catalog::CatalogLoad;
use super::workers::drafts::DraftWriter;
use crate::domain::amigo::{AmigoStatus, amigo_status};
use crate::store::link::StoreLink;
use chrono::{DateTime, Utc};
use crossterm::event::KeyEvent;
use std::thread::JoinHandle;

mod drafts;
mod frame;
mod inspect;
mod late;
mod phone;
mod reload;
mod start;
mod watch;
mod workers;

pub struct App {
    /// The store, on a thread of its own: nothing here waits on it more than a moment.
    pub store: StoreLink,
    pub desk: Desk,
    pub now: DateTime<Utc>,
    /// The screens, the list at the bottom; popups are drawn over what is under them.
    stack: Stack,
    /// A call being typed, put aside with Échap: F2 takes it back.
    parked: Option<Box<FormScreen>>,
    pub flash: Option<Flash>,
    pub quit: bool,
    /// AMIGO's state now, refreshed on the clock's tick (shown for Normandie calls).
    pub amigo: AmigoStatus,
    data_version: i64,
    /// Why the call being typed could not be saved, while it cannot: said on the status
    /// line until a save succeeds, and asked about before quitting.
    pub draft_unsaved: Option<String>,
    /// Why the shared store cannot be reached, while it cannot (PostgreSQL): said on the
    /// status line; the store retries by itself and the draft stays on this machine.
    pub store_unreachable: Option<String>,
    /// What waits for the first paint: the loader and the draft writer start then, so
    /// that their threads and connections do not compete with it for the processor.
    after_paint: Option<CatalogLoad>,
    /// The catalogue loader at work, if it is.
    loader: Option<JoinHandle<()>>,
    /// A load that failed on a server store, to try again from this time on.
    loader_retry: Option<(DateTime<Utc>, CatalogLoad)>,
    /// The `--catalog` folder watched and its changes not read yet.
    reload: reload::Reload,
    /// Writes the draft off this thread (none for a database in memory).
    draft_writer: Option<DraftWriter>,
    /// The call ringing or answered on this console's extension, if it has one.
    pub ringing: Ringing,
    /// The one channel: the terminal's input, the signals, the workers' news.
    inbox: Inbox,
}

impl App {
    fn env(&mut self) -> Env<'_> {
        Env {
            store: &self.store,
            desk: &self.desk,
            now: self.now,
        }
    }

    fn top(&self) -> &Screen {
        self.stack.top()
    }

    fn info(&mut self, text: String) {
        self.flash = Some(Flash::said(text, false, self.now));
    }

    fn error(&mut self, text: String) {
        self.flash = Some(Flash::said(text, true, self.now));
    }

    pub fn handle_key(&mut self, ev: KeyEvent) {
        let ctx = self.context();
        match action_for(ctx, &ev) {
            Some(Action::Help) => self.toggle_help(ctx),
            Some(Action::ForceQuit | Action::Quit) => self.leave(),
            Some(Action::NewCall) => self.new_call(),
            Some(Action::Procedures) => self.open_procedures(),
            Some(Action::Tools) => self.open_tools(),
            Some(Action::Handover) => self.open_handover(),
            Some(Action::CallerCall) => self.open_caller_call(),
            Some(Action::Awaiting) => self.open_awaiting(),
            Some(Action::SetAside) => self.set_aside(),
            Some(action) => self.dispatch(Input::Action(action)),
            None if ctx.takes_text() => self.dispatch(Input::Text(Typed::Key(ev))),
            None => {}
        }
    }

    /// A paste (the terminal's bracketed paste): one input to the focused field, where the
    /// keyboard is in one; elsewhere it is no key and does nothing.
    pub fn handle_paste(&mut self, text: String) {
        if self.context().takes_text() {
            self.dispatch(Input::Text(Typed::Paste(text)));
        }
    }

    fn dispatch(&mut self, input: Input) {
        let result = self.with_top(|top, env| top.update(input, env));
        self.apply(result);
    }

    /// Lets the screen on top act, with the store, the desk and the time.
    fn with_top<R>(&mut self, act: impl FnOnce(&mut dyn Component, &mut Env) -> R) -> R {
        let mut env = Env {
            store: &self.store,
            desk: &self.desk,
            now: self.now,
        };
        act(self.stack.top_mut().component_mut(), &mut env)
    }

    /// Carries out what a screen asked; a problem becomes the status line's message. False
    /// when a route could not be opened (what followed it is not done).
    fn apply(&mut self, result: Update) -> bool {
        let effect = match result {
            Ok(e) => e,
            Err(Problem(text)) => {
                self.error(text);
                return true;
            }
        };
        match effect {
            Effect::None => {}
            Effect::Open(route) => return self.open(route),
            Effect::Pop => {
                self.pop();
                self.refresh_top();
            }
            Effect::Reply(Reply::Confirmed(Pending::QuitUnsaved)) => {
                self.quit = true;
            }
            Effect::Reply(reply) => {
                self.pop();
                // What the popup answers is acted on against the data as it is now.
                self.refresh_top();
                let result = self.with_top(|top, env| top.resume(reply, env));
                return self.apply(result);
            }
            Effect::Replace(route) => {
                let Some(screen) = self.screen_for(route) else {
                    return false;
                };
                // A form replaced by its saved call is done with: nothing to keep aside.
                self.stack.pop();
                self.push(screen);
            }
            Effect::Info(text) => self.info(text),
            Effect::ClearDraft => {
                self.settle_drafts();
                self.clear_draft();
            }
            Effect::Park(saved) => {
                let Some(Screen::Form(form)) = self.screen_for(Route::ResumedDraft(saved)) else {
                    return false;
                };
                self.parked = Some(form);
                self.keep_aside();
            }
            Effect::TakeUp(what) => self.take_up(what),
            Effect::Relearn => self.relearn(),
            Effect::Quit => self.leave(),
            Effect::Many(effects) => {
                // What follows a route that could not be opened would act on the wrong
                // screen.
                for e in effects {
                    if !self.apply(Ok(e)) {
                        return false;
                    }
                }
            }
        }
        true
    }

    /// Builds what `route` names; a problem goes to the status line.
    fn screen_for(&mut self, route: Route) -> Option<Screen> {
        match open(route, &mut self.env()) {
            Ok(screen) => Some(screen),
            Err(Problem(text)) => {
                self.error(text);
                None
            }
        }
    }

    /// Opens what `route` names on top; false when it could not be.
    fn open(&mut self, route: Route) -> bool {
        let Some(screen) = self.screen_for(route) else {
            return false;
        };
        let said = screen.component().opening();
        self.push(screen);
        if let Some(text) = said {
            self.info(text);
        }
        true
    }

    /// A screen on top; a call being typed belongs to the phone call in hand, if any.
    fn push(&mut self, screen: Screen) {
        let form = matches!(screen, Screen::Form(_));
        self.stack.push(screen);
        if form {
            self.link_form_to_answered();
        }
    }

    /// Closes the screen on top; a call being typed is put aside, not lost.
    fn pop(&mut self) {
        if let Some(Screen::Form(form)) = self.stack.pop() {
            self.parked = Some(form);
            self.keep_aside();
        }
    }

    fn refresh_top(&mut self) {
        if let Err(Problem(text)) = self.with_top(|top, env| top.refresh(env)) {
            self.error(text);
        }
    }

    /// Back down to the screen of `kind`, if one is open; true when found.
    fn back_to(&mut self, kind: Kind) -> bool {
        let Some(i) = self.stack.position(kind) else {
            return false;
        };
        while self.stack.depth() > i + 1 {
            self.pop();
        }
        self.refresh_top();
        true
    }

    fn toggle_help(&mut self, ctx: Context) {
        if self.top_kind() == Kind::Help {
            self.stack.pop();
        } else {
            self.open(Route::Help(ctx));
        }
    }

    /// F3: the catalogue; on a call (or a procedure walked on it), the procedures for it.
    fn open_procedures(&mut self) {
        if self.back_to(Kind::Procedures) {
            return;
        }
        let walkable = matches!(self.top_kind(), Kind::Detail | Kind::Runner);
        let record = if walkable {
            self.top().component().about().call.cloned()
        } else {
            None
        };
        self.open(match record {
            Some(r) => Route::ProceduresFor(Box::new(r)),
            None => Route::Catalogue,
        });
    }

    /// F4: the tools, filled from the call on screen (and opened on its procedure's
    /// tool).
    fn open_tools(&mut self) {
        if self.back_to(Kind::Tools) {
            return;
        }
        let about = self.top().component().about();
        let tool = about.procedure.and_then(|p| p.tool);
        let route = Route::Tools {
            call: about.call.cloned().map(Box::new),
            tool,
            offered: about
                .walk
                .zip(tool)
                .and_then(|(w, t)| w.offered(t))
                .map(str::to_string),
        };
        self.open(route);
    }

    /// F5: the handover of the shift in progress.
    fn open_handover(&mut self) {
        if self.back_to(Kind::Handover) {
            return;
        }
        self.open(Route::Handover);
    }

    /// The clock moved: expire messages, save the draft, and pick up other operators'
    /// changes when the database says it changed.
    pub fn tick(&mut self, now: DateTime<Utc>) {
        self.now = now;
        self.amigo = amigo_status(now, &self.desk.calendar);
        self.ringing.expire(now);
        if self.flash.as_ref().is_some_and(|f| f.until <= now) {
            self.flash = None;
        }
        while let Some(news) = self.inbox.next_news() {
            self.take(news);
        }
        self.save_draft_if_dirty(false);
        self.poll_store();
        self.check_loader();
        if self.store_unreachable.is_none()
            && self.loader.is_none()
            && self.loader_retry.as_ref().is_some_and(|(at, _)| *at <= now)
            && let Some((_, again)) = self.loader_retry.take()
        {
            self.load_catalog(again);
        }
    }
}
