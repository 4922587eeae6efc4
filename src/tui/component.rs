//! The contract every screen keeps: it owns its state, names the key context it is in,
//! turns keys into state changes and effects, and draws itself from its state alone. The
//! router (`app`) applies the effects: a navigation stack, the status line, quitting.
//! Effects name routes (`route`), never screens: this module knows no screen.

use super::input::Typed;
use super::keys::{Action, Context};
use super::route::{Pending, Route};
use super::theme::Theme;
use crate::catalog::procedures::Catalog;
use crate::domain::amigo::{AmigoStatus, SchoolCalendar};
use crate::domain::call::{Call, CallDraft, CallRecord, CallStatus, Outcome};
use crate::domain::procedure::Procedure;
use crate::domain::reference::Reference;
use crate::domain::shifts::ShiftPlan;
use crate::store::link::StoreLink;
use crate::store::{ConsoleLock, SavedDraft, SearchIndex, Store, StoreError};
use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;
use std::fmt::Display;

/// What the desk is: its lists, its catalogue, who is at the keyboard. Fixed while the
/// console runs.
pub struct Desk {
    pub name: String,
    pub operator: String,
    /// This console: its draft is its own, not the operator's (one technician may run
    /// two consoles).
    pub console: ConsoleLock,
    pub reference: Reference,
    /// The procedures: filled at start, or a moment after the first paint by a loader
    /// thread (see `App::start`).
    pub library: Library,
    pub calendar: SchoolCalendar,
    pub shift_plan: ShiftPlan,
    pub theme: Theme,
    /// The GLPI hand-off, as config.toml sets it.
    pub glpi: GlpiLink,
    /// For a screen reader (`--screen-reader`, `screen_reader = true`): the cursor shown,
    /// words instead of decorative glyphs.
    pub screen_reader: bool,
    /// Whether the catalogue's loader reads what the desk's finished walks taught
    /// (`--no-learning`, `learning = false` turn it off).
    pub learning: bool,
}

/// The GLPI hand-off as the console sees it: not configured, configured wrongly (why, in
/// one sentence), or a background sender, woken when a push is queued.
#[derive(Debug, Default)]
pub enum GlpiLink {
    #[default]
    Off,
    Broken(String),
    On(std::sync::mpsc::Sender<()>),
}

impl Desk {
    /// Whether calls of this service show the hours of the Académie de Normandie's
    /// assistance platform (AMIGO).
    pub fn shows_amigo(&self, service: &str) -> bool {
        self.reference.shows_amigo(service)
    }
}

/// The catalogue as the console uses it: the search index and the list of procedures in
/// memory; each procedure's steps read from the store when it is opened.
#[derive(Default)]
pub struct Library {
    pub index: SearchIndex,
    /// A catalogue held in memory instead of the store's index (a read-only database whose
    /// index is stale).
    pub in_memory: Option<Catalog>,
}

impl Library {
    /// The library of a store whose index is in line with `catalog` (or made so).
    pub fn synced(store: &mut Store, catalog: &Catalog) -> Result<Library, StoreError> {
        let index = store.sync_catalog(catalog)?;
        Ok(Library {
            index,
            in_memory: None,
        })
    }

    /// The library of a store whose index is current (`ensure_catalog` ran).
    pub fn from_store(store: &Store) -> Result<Library, StoreError> {
        Ok(Library {
            index: store.load_search_index()?,
            in_memory: None,
        })
    }

    /// One procedure, whole, read when it is opened.
    pub fn procedure(&self, store: &StoreLink, slug: &str) -> Result<Option<Procedure>, Problem> {
        if let Some(c) = &self.in_memory {
            return Ok(c.get(slug).cloned());
        }
        let slug = slug.to_string();
        store
            .read(move |s| s.procedure(&slug))
            .doing("procédure illisible")
    }
}

/// What an update may use: the store, the desk, the time.
pub struct Env<'a> {
    /// The store, on its own thread: asked with a patience, never per frame.
    pub store: &'a StoreLink,
    pub desk: &'a Desk,
    pub now: DateTime<Utc>,
}

/// What a view may read: never the store.
pub struct View<'a> {
    pub desk: &'a Desk,
    pub now: DateTime<Utc>,
    pub theme: &'a Theme,
    pub amigo: &'a AmigoStatus,
    pub read_only: bool,
    /// Words instead of decorative glyphs ([`View::mark`]).
    pub screen_reader: bool,
}

impl View<'_> {
    /// A decorative glyph (⚠, ✓, ☎, ▶), or for a screen reader the word it stands for:
    /// readers spell glyphs out (« panneau d'avertissement ») or skip them.
    pub fn mark<'s>(&self, glyph: &'s str, word: &'s str) -> &'s str {
        if self.screen_reader { word } else { glyph }
    }
}

/// A key, as the screen receives it: an action of its context, or what is typed in a
/// text context (a key, or a whole paste).
#[derive(Debug, Clone)]
pub enum Input {
    Action(Action),
    Text(Typed),
}

/// What a popup hands back to the screen under it when it closes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// A yes/no question was answered yes.
    Confirmed(Pending),
    /// A note was written (already checked: not blank, not too long).
    Note(String),
    /// A note was typed then cancelled: kept for next time.
    Cancelled(String),
    /// An outcome was chosen in the close (or correction) dialog, with its note.
    Outcome(Outcome, Option<String>),
    /// A procedure was chosen to walk on the call.
    Walk(String),
    /// Do this action on return (the runner's end asks the call to close).
    Then(Action),
    /// A value typed in a tool (a quota, a session code), offered to the step that
    /// records it so that it is not typed twice.
    Offer(crate::domain::tool::ToolKind, String),
}

/// What waited and is taken up again (F7).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TakeUp {
    /// A new call with these fields (a missed number called back); `said` goes to the
    /// status line.
    CallBack { draft: Box<CallDraft>, said: String },
    /// The call set aside with this id.
    Aside(i64),
}

/// What an update asks of the router.
pub enum Effect {
    None,
    /// Open what the route names, on top.
    Open(Route),
    /// Close this screen.
    Pop,
    /// Close this popup and hand its answer to the screen under it.
    Reply(Reply),
    /// Open what the route names in this one's place (a form by its saved call, a walk by
    /// another); the screen that asks says what happened.
    Replace(Route),
    /// A message in the status line.
    Info(String),
    /// The call being typed is saved: its draft goes (after any write of it still on its
    /// way, so that it cannot come back).
    ClearDraft,
    /// Type this draft again into a form kept aside: F2 takes it back.
    Park(Box<SavedDraft>),
    /// Take up something that waited: a new call to call a missed number back, or a call
    /// set aside. The router sets the call being typed aside first, so nothing is lost.
    TakeUp(TakeUp),
    /// A walk ended as one that teaches the ranking: what the desk's walks taught is read
    /// again, off the drawing thread.
    Relearn,
    Quit,
    Many(Vec<Effect>),
}

impl Effect {
    pub fn and(self, other: Effect) -> Effect {
        match (self, other) {
            (Effect::None, e) | (e, Effect::None) => e,
            (Effect::Many(mut v), e) => {
                v.push(e);
                Effect::Many(v)
            }
            (a, b) => Effect::Many(vec![a, b]),
        }
    }
}

/// A sentence for the status line: what went wrong, in the operator's words. Screens
/// return it; the router shows it, in one place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem(pub String);

impl<T: Into<String>> From<T> for Problem {
    fn from(text: T) -> Problem {
        Problem(text.into())
    }
}

pub type Update = Result<Effect, Problem>;

/// Puts what was being done in front of a lower layer's error.
pub trait Doing<T> {
    fn doing(self, what: &str) -> Result<T, Problem>;
}

impl<T, E: Display> Doing<T> for Result<T, E> {
    fn doing(self, what: &str) -> Result<T, Problem> {
        self.map_err(|e| Problem(format!("{what} : {e}")))
    }
}

/// What a screen is about, for the header and for the screens opened from it (F3, F4).
#[derive(Default, Clone, Copy)]
pub struct About<'a> {
    pub call: Option<&'a CallRecord>,
    /// The caller's service, even before the call is saved.
    pub service: Option<&'a str>,
    pub procedure: Option<&'a Procedure>,
    /// The walk on screen, whose values the tools are offered.
    pub walk: Option<&'a crate::domain::walk::Walk>,
}

pub trait Component {
    /// Where the keyboard is on this screen: the key table it obeys and prints.
    fn context(&self) -> Context;

    /// One key: an action of `context()`, or a key to type in a text context.
    fn update(&mut self, input: Input, env: &mut Env) -> Update;

    /// Draws the screen from its state; never asks the store.
    fn view(&self, frame: &mut Frame, area: Rect, view: &View);

    /// The data may have changed (another console wrote, or a popup above did): read
    /// again what is shown. Never called per frame.
    fn refresh(&mut self, _env: &mut Env) -> Result<(), Problem> {
        Ok(())
    }

    /// A popup above this screen closed with an answer.
    fn resume(&mut self, _reply: Reply, _env: &mut Env) -> Update {
        Ok(Effect::None)
    }

    fn about(&self) -> About<'_> {
        About::default()
    }

    /// What to say on the status line as the screen opens (a walk resumed where it
    /// stopped).
    fn opening(&self) -> Option<String> {
        None
    }

    /// Drawn over the screen under it rather than in its place.
    fn is_popup(&self) -> bool {
        false
    }
}

/// The question to ask before `action` on `call`, when someone else handles it: taking
/// an open call over, or acting on a closed one.
pub fn ask_before(call: &Call, operator: &str, action: Action) -> Option<Pending> {
    if call.handler == operator {
        return None;
    }
    Some(match call.status {
        CallStatus::Open => Pending::TakeOver(action),
        CallStatus::Closed => Pending::ActOnClosed(action),
    })
}
