//! How a console starts: built on a store, its list at the bottom, a draft left by a
//! console that is gone offered back; its catalogue given parsed (tests, the gallery) or
//! loaded after the first paint (the console for real); the desk's shift plan.

use super::App;
use crate::catalog::calendar::embedded_calendar;
use crate::catalog::procedures::{Catalog, CatalogSource};
use crate::domain::amigo::amigo_status;
use crate::domain::reference::Reference;
use crate::domain::shifts::ShiftPlan;
use crate::store::link::StoreLink;
use crate::store::{ConsoleLock, Location, Store};
use crate::tui::channel::{Inbox, News};
use crate::tui::component::{Desk, Env, GlpiLink, Library};
use crate::tui::open::home;
use crate::tui::ringing::Ringing;
use crate::tui::route::Route;
use crate::tui::stack::Stack;
use crate::tui::theme::Theme;
use crate::tui::workers::catalog::CatalogLoad;
use chrono::{DateTime, Utc};

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
        app.start_draft_writer();
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
        app.after_paint = Some(CatalogLoad {
            location,
            read_only,
            source,
            changed: None,
            learning: true,
        });
        app
    }

    pub(super) fn build(
        store: Store,
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
        let patience = StoreLink::patience_for(&store);
        let store = StoreLink::spawn(store, patience);
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
            screen_reader: false,
            learning: true,
        };
        let (list, problem) = home(&mut Env {
            store: &store,
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
            reload: Default::default(),
            draft_writer: None,
            inbox: Inbox::default(),
            ringing: Ringing::default(),
        };
        app.data_version = app.store.data_version();
        app.store
            .tell_late(app.inbox.post(|late| News::Late(Box::new(late))));
        if let Some(p) = problem {
            app.error(p.0);
        }
        // A call typed in a console that is gone (killed, its SSH link dropped) is offered
        // back; the drafts of this operator's other running consoles are theirs.
        let (id, operator) = (app.desk.console.id().to_string(), app.desk.operator.clone());
        let claimed = app
            .store
            .finish(move |s| s.claim_orphan_draft(&id, &operator));
        match claimed {
            Ok(Some(saved)) if !saved.draft.is_blank() => {
                app.open(Route::DraftOffer(Box::new(saved)));
            }
            Ok(Some(_)) => app.clear_draft(),
            Ok(None) => {}
            Err(e) => app.error(format!("brouillon illisible : {e}")),
        }
        app
    }

    /// For a screen reader or a braille display: the terminal's cursor shown on what has
    /// the focus, and words for the decorative glyphs (`--screen-reader`).
    pub fn with_screen_reader(mut self, on: bool) -> App {
        self.desk.screen_reader = on;
        self
    }

    /// Proposes procedures on their words alone, without what the desk's finished walks
    /// taught (`--no-learning`, `learning = false`).
    pub fn with_learning(mut self, on: bool) -> App {
        self.desk.learning = on;
        if let Some(load) = self.after_paint.as_mut() {
            load.learning = on;
        }
        self
    }

    /// Whether the terminal's cursor is shown (it is placed on the focus either way).
    pub fn screen_reader(&self) -> bool {
        self.desk.screen_reader
    }

    /// Uses the desk's shift plan instead of the default one.
    pub fn with_shift_plan(mut self, plan: ShiftPlan) -> App {
        self.desk.shift_plan = plan;
        self
    }
}
