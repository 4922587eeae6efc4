//! The router: a navigation stack of screens, the global keys, the status line, the draft
//! kept safe every second, and the once-a-second look for other consoles' writes. Screens
//! do the rest; their errors become status messages here, in one place.

use super::chrome::{self, Chrome, Flash};
use super::component::{Desk, Effect, Env, GlpiLink, Input, Library, Problem, Reply, Update, View};
use super::draft_writer::{self, DraftWriter};
use super::keys::{Action, Context, action_for};
use super::open::{home, open};
use super::popups::draft::DraftOffer;
use super::ringing::Ringing;
use super::route::{Pending, Route};
use super::screens::Kind;
use super::screens::detail::DetailScreen;
use super::screens::form::FormScreen;
use super::screens::handover::HandoverScreen;
use super::screens::list::ListScreen;
use super::screens::procedures::ProceduresScreen;
use super::screens::runner::RunnerScreen;
use super::screens::tools::ToolsScreen;
use super::stack::{Screen, Stack};
use super::theme::Theme;
use crate::catalog::calendar::embedded_calendar;
use crate::catalog::procedures::{Catalog, CatalogSource};
use crate::domain::amigo::{AmigoStatus, amigo_status};
use crate::domain::call::CallDraft;
use crate::domain::reference::Reference;
use crate::domain::shifts::ShiftPlan;
use crate::domain::text::visible;
use crate::store::Location;
use crate::store::{ConsoleLock, FileAccess, Store, StoreError};
use chrono::{DateTime, Utc};
use crossterm::event::KeyEvent;
use ratatui::Frame;
use std::sync::mpsc::Receiver;

mod phone;

/// The call being typed as it is now, with where to save it: for the watchdog, which
/// writes it through its own connection when the terminal has gone away.
#[derive(Debug, Clone)]
pub struct DraftSnapshot {
    pub db: String,
    pub console: String,
    pub operator: String,
    pub opened_at: DateTime<Utc>,
    pub draft: CallDraft,
}

pub struct App {
    pub store: Store,
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
    after_paint: Option<AfterPaint>,
    /// The catalogue being loaded after the first paint.
    loader: Option<Receiver<Loaded>>,
    /// A load that failed on a server store, to try again from this time on.
    loader_retry: Option<(DateTime<Utc>, AfterPaint)>,
    /// Writes the draft off this thread (none for a database in memory).
    draft_writer: Option<DraftWriter>,
    /// The call ringing or answered on this console's extension, if it has one.
    pub ringing: Ringing,
    /// What the GLPI sender thread did: sentences for the status line (true: a failure).
    glpi_results: Option<Receiver<(String, bool)>>,
}

/// How often the GLPI sender looks at the outbox when nobody wakes it.
const GLPI_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

/// The console's GLPI sender: sends what waits (at start, when woken, every minute) on
/// its own connection, and says what it did; ends with the console.
fn glpi_sender(
    location: Location,
    settings: crate::glpi::Settings,
    woken: Receiver<()>,
    report: std::sync::mpsc::Sender<(String, bool)>,
) {
    use std::sync::mpsc::RecvTimeoutError;
    let mut store: Option<Store> = None;
    loop {
        if store.is_none() {
            store = Store::open_location(&location, &FileAccess::default()).ok();
        }
        if let Some(s) = store.as_mut() {
            match crate::glpi::sync(s, &settings, None) {
                Ok(done) => {
                    for sent in &done.sent {
                        let _ = report.send((sent.sentence(), false));
                    }
                    for (call, why) in &done.failed {
                        let _ = report.send((
                            format!("{call} non envoyé à GLPI ({why}) : gardé en attente"),
                            true,
                        ));
                    }
                }
                Err(e) => {
                    let _ = report.send((format!("envoi à GLPI suspendu : {e}"), true));
                    store = None;
                }
            }
        }
        match woken.recv_timeout(GLPI_EVERY) {
            Ok(()) | Err(RecvTimeoutError::Timeout) => {
                // Several wakes at once: one sync sends them all.
                while woken.try_recv().is_ok() {}
            }
            Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}

/// How long after a failed load on a server store the catalogue is read again.
const LOADER_RETRY_SECS: i64 = 3;

/// The catalogue to check and load once the console has painted.
struct AfterPaint {
    location: Location,
    read_only: bool,
    source: CatalogSource,
}

/// What the loader thread hands over: the library and the broken files it skipped, or why
/// it could not, with the catalogue's source (to try again when the server is back).
type Loaded = Result<(Library, usize), (String, CatalogSource)>;

/// Checks the catalogue against the index (its files' fingerprint), rebuilds the index if
/// they changed, and reads it, on its own connection: the console paints meanwhile.
fn spawn_loader(location: Location, read_only: bool, source: CatalogSource) -> Receiver<Loaded> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let load = || -> Result<(Library, usize), String> {
            let access = FileAccess {
                group: None,
                read_only,
            };
            let mut store = Store::open_location(&location, &access).map_err(|e| e.to_string())?;
            match store.ensure_catalog(&source) {
                Ok(rebuilt) => {
                    let skipped = if rebuilt {
                        source.catalog().map_or(0, |c| c.problems.len())
                    } else {
                        0
                    };
                    Ok((
                        Library::from_store(&store).map_err(|e| e.to_string())?,
                        skipped,
                    ))
                }
                // A stale index that cannot be rewritten: the catalogue in memory.
                Err(StoreError::ReadOnly { .. }) => {
                    let catalog = source.catalog()?.clone();
                    let mut memory = Store::open_in_memory().map_err(|e| e.to_string())?;
                    let mut library =
                        Library::synced(&mut memory, &catalog).map_err(|e| e.to_string())?;
                    let skipped = catalog.problems.len();
                    library.in_memory = Some(catalog);
                    Ok((library, skipped))
                }
                Err(e) => Err(e.to_string()),
            }
        };
        let loaded = load().map_err(|e| (e, source));
        let _ = tx.send(loaded);
    });
    rx
}

impl App {
    /// A console whose catalogue is given parsed, its index brought up to date at once
    /// (tests, the screenshot gallery).
    pub fn new(
        mut store: Store,
        reference: Reference,
        catalog: Catalog,
        operator: String,
        desk: String,
        theme: Theme,
        now: DateTime<Utc>,
    ) -> App {
        let (library, index_error) = match Library::synced(&mut store, &catalog) {
            Ok(library) => (library, None),
            Err(e) => (Library::default(), Some(e)),
        };
        let mut app = App::build(store, reference, library, operator, desk, theme, now);
        if !app.store.is_read_only() {
            app.draft_writer = app.store.drafts_path().and_then(|p| DraftWriter::spawn(&p));
        }
        if let Some(e) = index_error {
            app.error(format!("index des procédures indisponible : {e}"));
        }
        app
    }

    /// The console as it starts for real: it paints at once; the catalogue is checked
    /// (nothing is parsed when its files did not change) and its index read by a loader
    /// thread, installed when ready.
    pub fn start(
        store: Store,
        reference: Reference,
        source: CatalogSource,
        operator: String,
        desk: String,
        theme: Theme,
        now: DateTime<Utc>,
    ) -> App {
        let location = store.location().clone();
        let read_only = store.is_read_only();
        if matches!(location, Location::Memory) {
            let catalog = source.catalog().cloned().unwrap_or_default();
            return App::new(store, reference, catalog, operator, desk, theme, now);
        }
        let mut app = App::build(
            store,
            reference,
            Library::default(),
            operator,
            desk,
            theme,
            now,
        );
        app.after_paint = Some(AfterPaint {
            location,
            read_only,
            source,
        });
        app
    }

    /// The first frame is on the screen: the catalogue's loader and the draft writer start.
    pub fn painted(&mut self) {
        let Some(AfterPaint {
            location,
            read_only,
            source,
        }) = self.after_paint.take()
        else {
            return;
        };
        if !read_only {
            self.draft_writer = self
                .store
                .drafts_path()
                .and_then(|p| DraftWriter::spawn(&p));
        }
        self.loader = Some(spawn_loader(location, read_only, source));
    }

    /// Installs the catalogue once the loader has it; true when it did.
    pub fn poll_loader(&mut self) -> bool {
        let Some(rx) = &self.loader else {
            return false;
        };
        let loaded = match rx.try_recv() {
            Ok(loaded) => loaded,
            Err(std::sync::mpsc::TryRecvError::Empty) => return false,
            Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                self.loader = None;
                self.error("catalogue des procédures indisponible : chargement interrompu".into());
                return true;
            }
        };
        self.loader = None;
        match loaded {
            Ok((library, skipped)) => {
                self.desk.library = library;
                // What the loader thread used while reading goes back to the system.
                #[cfg(target_env = "gnu")]
                // SAFETY: malloc_trim only releases free memory of the allocator.
                unsafe {
                    libc::malloc_trim(0);
                }
                if skipped > 0 {
                    self.error(format!(
                        "{skipped} procédure(s) ignorée(s) : voir guichet procedures lint"
                    ));
                }
                // The proposals and the catalogue screens read it again.
                self.refresh_all();
            }
            Err((e, source)) => {
                self.error(format!("catalogue des procédures indisponible : {e}"));
                // A server that went away while the catalogue was read: read again once it
                // is back (a file's error stays until the console starts again).
                let location = self.store.location().clone();
                if matches!(location, Location::Postgres(_)) {
                    self.loader_retry = Some((
                        self.now + chrono::Duration::seconds(LOADER_RETRY_SECS),
                        AfterPaint {
                            location,
                            read_only: self.store.is_read_only(),
                            source,
                        },
                    ));
                }
            }
        }
        true
    }

    /// Waits for the loader (tests that drive a console started for real).
    pub fn wait_for_catalog(&mut self) {
        self.painted();
        while self.loader.is_some() {
            if !self.poll_loader() {
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
        }
    }

    fn build(
        mut store: Store,
        reference: Reference,
        library: Library,
        operator: String,
        desk: String,
        theme: Theme,
        now: DateTime<Utc>,
    ) -> App {
        let calendar = embedded_calendar();
        let amigo = amigo_status(now, &calendar);
        let console = ConsoleLock::acquire(&store);
        let desk = Desk {
            name: desk,
            operator,
            console,
            reference,
            library,
            calendar,
            shift_plan: ShiftPlan::default_plan(),
            theme,
            glpi: GlpiLink::Off,
        };
        let (list, problem) = home(&mut Env {
            store: &mut store,
            desk: &desk,
            now,
        });
        let mut app = App {
            desk,
            store,
            now,
            stack: Stack::new(list),
            parked: None,
            flash: None,
            quit: false,
            amigo,
            data_version: 0,
            draft_unsaved: None,
            store_unreachable: None,
            after_paint: None,
            loader: None,
            loader_retry: None,
            draft_writer: None,
            ringing: Ringing::default(),
            glpi_results: None,
        };
        app.data_version = app.store.data_version().unwrap_or(0);
        if let Some(p) = problem {
            app.error(p.0);
        }
        // A call typed in a console that is gone (killed, its SSH link dropped) is offered
        // back; the drafts of this operator's other running consoles are theirs.
        let claimed = app
            .desk
            .console
            .claim_orphan_draft(&mut app.store, &app.desk.operator);
        match claimed {
            Ok(Some(saved)) if !saved.draft.is_blank() => {
                app.open(Route::DraftOffer(Box::new(saved)));
            }
            Ok(Some(_)) => {
                let _ = app.store.clear_draft(app.desk.console.id());
            }
            Ok(None) => {}
            Err(e) => app.error(format!("brouillon illisible : {e}")),
        }
        app
    }

    /// Uses the desk's shift plan instead of the default one.
    pub fn with_shift_plan(mut self, plan: ShiftPlan) -> App {
        self.desk.shift_plan = plan;
        self
    }

    /// Starts the GLPI sender when `[glpi]` is set: a thread on its own connection that
    /// sends what waits in the outbox at start, when a push is queued, and every minute;
    /// what it did comes back to the status line. A wrong `[glpi]` is said when `t` is
    /// pressed.
    pub fn with_glpi(mut self, config: Option<&crate::config::GlpiConfig>) -> App {
        let Some(config) = config else {
            return self;
        };
        let settings = match crate::glpi::Settings::resolve(Some(config)) {
            Ok(s) => s,
            Err(why) => {
                self.desk.glpi = GlpiLink::Broken(why);
                return self;
            }
        };
        if matches!(self.store.location(), Location::Memory) || self.store.is_read_only() {
            self.desk.glpi = GlpiLink::Broken(
                "envoi à GLPI impossible depuis une base en mémoire ou en lecture seule".into(),
            );
            return self;
        }
        let (wake, woken) = std::sync::mpsc::channel::<()>();
        let (report, results) = std::sync::mpsc::channel();
        let location = self.store.location().clone();
        std::thread::spawn(move || glpi_sender(location, settings, woken, report));
        self.desk.glpi = GlpiLink::On(wake);
        self.glpi_results = Some(results);
        self
    }

    /// Says on the status line what the GLPI sender did since last asked.
    fn poll_glpi(&mut self) {
        let Some(results) = &self.glpi_results else {
            return;
        };
        let mut said = Vec::new();
        while let Ok(r) = results.try_recv() {
            said.push(r);
        }
        for (text, failed) in said {
            if failed {
                self.error(text);
            } else {
                self.info(text);
            }
        }
    }

    fn env(&mut self) -> Env<'_> {
        Env {
            store: &mut self.store,
            desk: &self.desk,
            now: self.now,
        }
    }

    fn top(&self) -> &Screen {
        self.stack.top()
    }

    /// Where the keyboard is: the context of the screen on top.
    pub fn context(&self) -> Context {
        self.top().component().context()
    }

    /// The contexts of what is drawn: the screen shown and the popups over it. Each one's
    /// hints speak for its own keys.
    pub fn drawn_contexts(&self) -> Vec<Context> {
        self.stack
            .drawn()
            .iter()
            .map(|s| s.component().context())
            .collect()
    }

    /// The screen shown, popups aside.
    pub fn screen(&self) -> Kind {
        self.stack.drawn()[0].kind()
    }

    /// The screen on top, a popup perhaps.
    pub fn top_kind(&self) -> Kind {
        self.top().kind()
    }

    pub fn stack_kinds(&self) -> Vec<Kind> {
        self.stack.iter().map(Screen::kind).collect()
    }

    pub fn list(&self) -> &ListScreen {
        match self.stack.bottom() {
            Screen::List(l) => l,
            _ => unreachable!("the list is always at the bottom"),
        }
    }

    /// The call being typed, on screen or put aside.
    pub fn form(&self) -> Option<&FormScreen> {
        self.stack
            .find(|s| match s {
                Screen::Form(f) => Some(f.as_ref()),
                _ => None,
            })
            .or(self.parked.as_deref())
    }

    /// The topmost call screen.
    pub fn detail(&self) -> Option<&DetailScreen> {
        self.stack.find(|s| match s {
            Screen::Detail(d) => Some(d.as_ref()),
            _ => None,
        })
    }

    pub fn runner(&self) -> Option<&RunnerScreen> {
        self.stack.find(|s| match s {
            Screen::Runner(r) => Some(r.as_ref()),
            _ => None,
        })
    }

    pub fn tools(&self) -> Option<&ToolsScreen> {
        self.stack.find(|s| match s {
            Screen::Tools(t) => Some(t.as_ref()),
            _ => None,
        })
    }

    pub fn procedures(&self) -> Option<&ProceduresScreen> {
        self.stack.find(|s| match s {
            Screen::Procedures(p) => Some(p.as_ref()),
            _ => None,
        })
    }

    pub fn handover(&self) -> Option<&HandoverScreen> {
        self.stack.find(|s| match s {
            Screen::Handover(h) => Some(h.as_ref()),
            _ => None,
        })
    }

    pub fn draft_offer(&self) -> Option<&DraftOffer> {
        self.stack.find(|s| match s {
            Screen::DraftOffer(d) => Some(d),
            _ => None,
        })
    }

    pub fn help_open(&self) -> bool {
        self.top_kind() == Kind::Help
    }

    fn info(&mut self, text: String) {
        self.flash = Some(Flash::said(text, false, self.now));
    }

    fn error(&mut self, text: String) {
        self.flash = Some(Flash::said(text, true, self.now));
    }

    pub fn handle_key(&mut self, ev: KeyEvent) {
        self.poll_loader();
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
            None if ctx.takes_text() => self.dispatch(Input::Text(ev)),
            None => {}
        }
    }

    fn dispatch(&mut self, input: Input) {
        let mut env = Env {
            store: &mut self.store,
            desk: &self.desk,
            now: self.now,
        };
        let top = self.stack.top_mut();
        let result = top.component_mut().update(input, &mut env);
        self.apply(result);
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
                let mut env = Env {
                    store: &mut self.store,
                    desk: &self.desk,
                    now: self.now,
                };
                let top = self.stack.top_mut();
                let result = top.component_mut().resume(reply, &mut env);
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
                if let Err(e) = self.store.clear_draft(self.desk.console.id()) {
                    self.error(format!("brouillon non effacé : {e}"));
                }
            }
            Effect::Park(saved) => {
                let Some(Screen::Form(form)) = self.screen_for(Route::ResumedDraft(saved)) else {
                    return false;
                };
                self.parked = Some(form);
                self.keep_aside();
            }
            Effect::TakeUp(what) => self.take_up(what),
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
        let mut env = Env {
            store: &mut self.store,
            desk: &self.desk,
            now: self.now,
        };
        if let Err(Problem(text)) = self.stack.top_mut().component_mut().refresh(&mut env) {
            self.error(text);
        }
    }

    /// Back down to the screen of `kind`, if one is open; true when found.
    fn back_to(&mut self, kind: Kind) -> bool {
        let Some(i) = self.stack.position(kind) else {
            return false;
        };
        while self.stack.len() > i + 1 {
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
        let route = Route::Tools {
            call: about.call.cloned().map(Box::new),
            tool: about.procedure.and_then(|p| p.tool),
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

    /// The call being typed was put aside: saved now, and the operator told whether it
    /// really is kept.
    fn keep_aside(&mut self) {
        if let Some(form) = self.form_mut() {
            form.dirty = true;
        }
        // "Kept" is said once the draft is on disk, or why it is not.
        self.save_draft_if_dirty(true);
    }

    /// Quits, keeping the call being typed (saved now). When it cannot be saved, asks
    /// first: quitting would lose it.
    fn leave(&mut self) {
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

    /// The clock moved: expire messages, save the draft, and pick up other operators'
    /// changes when the database says it changed.
    pub fn tick(&mut self, now: DateTime<Utc>) {
        self.now = now;
        self.amigo = amigo_status(now, &self.desk.calendar);
        self.ringing.expire(now);
        if self.flash.as_ref().is_some_and(|f| f.until <= now) {
            self.flash = None;
        }
        self.poll_drafts();
        self.save_draft_if_dirty(false);
        self.poll_glpi();
        self.poll_store();
        self.poll_loader();
        if self.store_unreachable.is_none()
            && self.loader.is_none()
            && self.loader_retry.as_ref().is_some_and(|(at, _)| *at <= now)
            && let Some((_, again)) = self.loader_retry.take()
        {
            self.loader = Some(spawn_loader(again.location, again.read_only, again.source));
        }
    }

    /// Whether the store changed (another console wrote, the telephony rang): then every
    /// screen and the extension's call are read again. Cheap enough to ask several times
    /// a second (one pragma, or a counter the listening thread keeps); true when the
    /// screen must be drawn again.
    pub fn poll_store(&mut self) -> bool {
        let before = (self.data_version, self.store_unreachable.clone());
        // A server that went away is said on the status line until it is back; then what
        // changed meanwhile is read again (the store counts its return as a change).
        match self.store.data_version() {
            Ok(v) => {
                self.store_unreachable = None;
                if v != self.data_version {
                    self.data_version = v;
                    self.refresh_all();
                    self.refresh_ringing();
                }
            }
            Err(e) => {
                self.store_unreachable = Some(
                    self.store
                        .connection_problem()
                        .unwrap_or_else(|| e.to_string()),
                );
            }
        }
        (self.data_version, self.store_unreachable.clone()) != before
    }

    /// Every screen reads its data again (another console wrote, the catalogue came).
    fn refresh_all(&mut self) {
        let mut env = Env {
            store: &mut self.store,
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

    /// Saves the call being typed now, whatever its state (leaving the console).
    pub fn save_draft_now(&mut self) {
        if let Some(form) = self.form_mut() {
            form.dirty = true;
        }
        self.save_draft_if_dirty(false);
        self.settle_drafts();
    }

    /// Waits for the draft writer to answer everything it was given, and takes its
    /// answers (leaving the console; tests).
    pub fn settle_drafts(&mut self) {
        let answers = self
            .draft_writer
            .as_mut()
            .map(DraftWriter::finish)
            .unwrap_or_default();
        self.take_draft_answers(answers);
    }

    /// What the writer says of the drafts it wrote: kept, or why not (then the draft is
    /// tried again on the next tick).
    fn poll_drafts(&mut self) {
        let answers = self
            .draft_writer
            .as_mut()
            .map(DraftWriter::answers)
            .unwrap_or_default();
        self.take_draft_answers(answers);
    }

    fn take_draft_answers(&mut self, answers: Vec<draft_writer::Done>) {
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

    fn form_mut(&mut self) -> Option<&mut FormScreen> {
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
    fn save_draft_if_dirty(&mut self, aside: bool) {
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
            let job = draft_writer::Job {
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
        let saved =
            self.store
                .save_draft(&console, &self.desk.operator, opened_at, self.now, &draft);
        self.take_draft_answers(vec![draft_writer::Done {
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

    /// Draws the console: header, the screen (and its popups), status line, footer.
    pub fn draw(&self, frame: &mut Frame) {
        let view = View {
            desk: &self.desk,
            now: self.now,
            theme: &self.desk.theme,
            amigo: &self.amigo,
            read_only: self.store.is_read_only(),
        };
        let chrome = Chrome {
            context: self.context(),
            service: self.stack.find(|s| s.component().about().service),
            banner: self.ringing.banner(
                self.now,
                &self.desk.reference,
                self.context(),
                self.typing_another_call(),
                &self.desk.theme,
                frame.area().width as usize,
            ),
            draft_unsaved: self.draft_unsaved.as_deref(),
            store_unreachable: self.store_unreachable.as_deref(),
            flash: self.flash.as_ref(),
            help_open: self.help_open(),
        };
        chrome::draw(frame, chrome, &view, |frame, body| {
            for screen in self.stack.drawn() {
                // The help may cover the status line too: it is the only thing to read then.
                let area = if screen.kind() == Kind::Help {
                    body.with_status
                } else {
                    body.area
                };
                screen.component().view(frame, area, &view);
            }
        });
    }
}
