//! The router's side of the workers: they start after the first paint (the catalogue
//! loader and the watch of its folder, the draft writer) or with the desk's settings (the GLPI sender), and what they
//! say comes on the one channel and is taken here: the catalogue installed, a draft kept
//! or not, GLPI's answers on the status line.

use super::App;
use crate::store::Location;
use crate::tui::channel::{Message, News};
use crate::tui::component::GlpiLink;
use crate::tui::workers::catalog::{self, CatalogLoad, Fresh, Loaded};
use crate::tui::workers::drafts::DraftWriter;
use crate::tui::workers::{glpi, lessons};
use std::sync::mpsc::Sender;

/// How often a wait for the loader looks whether it is still at work.
const LOADER_LOOK: std::time::Duration = std::time::Duration::from_millis(50);

impl App {
    /// Where the terminal's input and the signals are sent.
    pub fn sender(&self) -> Sender<Message> {
        self.inbox.sender()
    }

    /// The next message on the channel, waiting at most `timeout`.
    pub fn next_message(&mut self, timeout: std::time::Duration) -> Option<Message> {
        self.inbox.next(timeout)
    }

    /// What a worker did; true when it shows (a message, the catalogue).
    pub fn take(&mut self, news: News) -> bool {
        let said = (self.flash.clone(), self.draft_unsaved.clone());
        match news {
            News::Catalog(loaded) => {
                self.install_catalog(*loaded);
                return true;
            }
            News::CatalogChanged(changed) => {
                self.catalog_changed(changed);
                return false;
            }
            News::Draft(done) => self.draft_written(done),
            News::Glpi((text, false)) => self.info(text),
            News::Glpi((text, true)) => self.error(text),
            News::Late(late) => {
                self.late_write(*late);
                return true;
            }
            // The next proposals rank with them; nothing on the screen changes now.
            News::Lessons(Ok(lessons)) if self.desk.learning => {
                self.desk.library.index.set_learned(&lessons);
            }
            News::Lessons(Err(why)) if self.desk.learning => self.unlearned(&why),
            News::Lessons(_) => {}
        }
        // A draft written as asked changes nothing on the screen: no frame for it.
        (self.flash.clone(), self.draft_unsaved.clone()) != said
    }

    /// The first frame is on the screen: the catalogue's loader and the draft writer start.
    pub fn painted(&mut self) {
        let Some(load) = self.after_paint.take() else {
            return;
        };
        self.start_draft_writer();
        // Watched from before it is read: a change while it is read is read again after.
        if let Some(folder) = load.source.folder() {
            self.watch_catalog(folder.to_path_buf());
        }
        self.load_catalog(load);
    }

    /// The draft writer, on a database it can open again on its own (not one in memory)
    /// and may write to.
    pub(super) fn start_draft_writer(&mut self) {
        if self.store.is_read_only() {
            return;
        }
        if let Some(path) = self.store.drafts_path() {
            let post = self.inbox.post(News::Draft);
            self.draft_writer = Some(DraftWriter::spawn(&path, post));
        }
    }

    pub(super) fn load_catalog(&mut self, load: CatalogLoad) {
        self.loader = Some(load.spawn(self.inbox.post(|l| News::Catalog(Box::new(l)))));
    }

    /// The lessons of the desk's walks could not be read: the proposals rank on the words
    /// alone until they can.
    fn unlearned(&mut self, why: &str) {
        self.error(format!(
            "apprentissage des déroulés illisible, propositions classées sur les seuls mots : {why}"
        ));
    }

    /// A walk of this console ended as one that teaches: the lessons are read again by a
    /// thread of their own. A database in memory (tests, the gallery) has no second
    /// connection to read them on.
    pub(super) fn relearn(&mut self) {
        let location = self.store.location().clone();
        if !self.desk.learning || matches!(location, Location::Memory) {
            return;
        }
        let post = self.inbox.post(News::Lessons);
        lessons::spawn(location, self.store.is_read_only(), post);
    }

    /// A loader that ended without a word (it panicked) is said once.
    pub(super) fn check_loader(&mut self) {
        if self.loader.as_ref().is_some_and(|l| l.is_finished()) {
            // What it sent before it ended comes first.
            while let Some(news) = self.inbox.next_news() {
                self.take(news);
            }
            if self.loader.take().is_some() {
                self.error("catalogue des procédures indisponible : chargement interrompu".into());
                self.reload_if_idle();
            }
        }
    }

    /// Installs the catalogue the loader read, or says why it could not.
    pub(super) fn install_catalog(&mut self, loaded: Loaded) {
        self.loader = None;
        match loaded {
            Ok(Fresh {
                library,
                skipped,
                reloaded,
                indexed,
                unlearned,
            }) => {
                self.desk.library = library;
                if let Some(why) = unlearned {
                    self.unlearned(&why);
                }
                self.reload.indexed = indexed;
                // What the loader thread used while reading goes back to the system.
                crate::tui::workers::release_free_memory();
                if skipped > 0 {
                    self.error(format!(
                        "{skipped} procédure(s) ignorée(s) : voir guichet procedures lint"
                    ));
                }
                if let Some(reloaded) = reloaded {
                    self.said_reloaded(reloaded);
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
                            changed: None,
                            learning: self.desk.learning,
                        },
                    ));
                }
            }
        }
        // Files that changed while it was read are read now.
        self.reload_if_idle();
    }

    /// Waits for the loader (tests that drive a console started for real).
    pub fn wait_for_catalog(&mut self) {
        self.painted();
        while self.loader.is_some() {
            let loaded = self
                .inbox
                .wait_for(LOADER_LOOK, |n| matches!(n, News::Catalog(_)));
            match loaded {
                Some(News::Catalog(loaded)) => self.install_catalog(*loaded),
                _ => self.check_loader(),
            }
        }
    }

    /// Waits at most `timeout` for the lessons read again after a walk, and takes them;
    /// false when none came (tests that drive a console started for real).
    pub fn wait_for_lessons(&mut self, timeout: std::time::Duration) -> bool {
        match self
            .inbox
            .wait_for(timeout, |n| matches!(n, News::Lessons(_)))
        {
            Some(news) => {
                self.take(news);
                true
            }
            None => false,
        }
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
