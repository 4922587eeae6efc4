//! How a console starts: built on a store, its list at the bottom, a draft left by a
//! console that is gone offered back; the desk's settings (shift plan, GLPI); after the
//! first paint, the catalogue loader and the draft writer; the catalogue installed when the
//! loader has it.

use super::App;
use crate::catalog::calendar::embedded_calendar;
use crate::catalog::procedures::{Catalog, CatalogSource};
use crate::domain::amigo::amigo_status;
use crate::domain::reference::Reference;
use crate::domain::shifts::ShiftPlan;
use crate::store::{ConsoleLock, Location, Store};
use crate::tui::channel::{Inbox, News};
use crate::tui::component::{Desk, Env, GlpiLink, Library};
use crate::tui::open::home;
use crate::tui::ringing::Ringing;
use crate::tui::route::Route;
use crate::tui::stack::Stack;
use crate::tui::theme::Theme;
use crate::tui::workers::catalog::{self, CatalogLoad, Loaded};
use crate::tui::workers::drafts::DraftWriter;
use crate::tui::workers::glpi;
use chrono::{DateTime, Utc};

/// How often a wait for the loader looks whether it is still at work.
const LOADER_LOOK: std::time::Duration = std::time::Duration::from_millis(50);

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
        });
        app
    }

    /// The first frame is on the screen: the catalogue's loader and the draft writer start.
    pub fn painted(&mut self) {
        let Some(CatalogLoad {
            location,
            read_only,
            source,
        }) = self.after_paint.take()
        else {
            return;
        };
        self.start_draft_writer();
        self.load_catalog(CatalogLoad {
            location,
            read_only,
            source,
        });
    }

    /// The draft writer, on a database it can open again on its own (not one in memory)
    /// and may write to.
    fn start_draft_writer(&mut self) {
        if self.store.is_read_only() {
            return;
        }
        if let Some(path) = self.store.drafts_path() {
            let post = self.inbox.post(News::Draft);
            self.draft_writer = Some(DraftWriter::spawn(&path, post));
        }
    }

    pub(super) fn load_catalog(&mut self, load: CatalogLoad) {
        self.loader = Some(load.spawn(self.inbox.post(News::Catalog)));
    }

    /// A loader that ended without a word (it panicked) is said once.
    pub(super) fn check_loader(&mut self) {
        if self.loader.as_ref().is_some_and(|l| l.is_finished()) {
            // What it sent before it ended comes first.
            for news in self.inbox.news() {
                self.take(news);
            }
            if self.loader.take().is_some() {
                self.error("catalogue des procédures indisponible : chargement interrompu".into());
            }
        }
    }

    /// Installs the catalogue the loader read, or says why it could not.
    pub(super) fn install_catalog(&mut self, loaded: Loaded) {
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
                        self.now + catalog::RETRY_AFTER,
                        CatalogLoad {
                            location,
                            read_only: self.store.is_read_only(),
                            source,
                        },
                    ));
                }
            }
        }
    }

    /// Waits for the loader (tests that drive a console started for real).
    pub fn wait_for_catalog(&mut self) {
        self.painted();
        while self.loader.is_some() {
            let loaded = self.inbox.wait_for(LOADER_LOOK, |news| match news {
                News::Catalog(loaded) => Ok(loaded),
                other => Err(other),
            });
            match loaded {
                Some(loaded) => self.install_catalog(loaded),
                None => self.check_loader(),
            }
        }
    }

    pub(super) fn build(
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
            inbox: Inbox::default(),
            ringing: Ringing::default(),
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
        let post = self.inbox.post(News::Glpi);
        let wake = glpi::spawn(self.store.location().clone(), settings, post);
        self.desk.glpi = GlpiLink::On(wake);
        self
    }
}
