//! The frame: the chrome (header, banner, status line, footer) around the screen shown and
//! the popups over it, drawn from the router's state alone.

use super::App;
use crate::tui::chrome::{self, Chrome};
use crate::tui::component::View;
use crate::tui::screens::Kind;
use ratatui::Frame;

impl App {
    /// Draws the console: header, the screen (and its popups), status line, footer.
    pub fn draw(&self, frame: &mut Frame) {
        let view = View {
            desk: &self.desk,
            now: self.now,
            theme: &self.desk.theme,
            amigo: &self.amigo,
            read_only: self.store.is_read_only(),
            screen_reader: self.desk.screen_reader,
        };
        let slow = self.store.slowness();
        let chrome = Chrome {
            context: self.context(),
            service: self.stack.find(|s| s.component().about().service),
            banner: self.ringing.banner(
                &view,
                self.context(),
                self.typing_another_call(),
                frame.area().width as usize,
            ),
            draft_unsaved: self.draft_unsaved.as_deref(),
            store_unreachable: self.store_unreachable.as_deref(),
            store_slow: slow.as_deref(),
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
