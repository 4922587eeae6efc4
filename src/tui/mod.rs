//! The console: ratatui + crossterm.

pub mod app;
pub mod gallery;
pub mod handover;
pub mod input;
pub mod keys;
pub mod procedures;
pub mod runner;
pub mod screens;
pub mod svg;
pub mod theme;
pub mod tools;
pub mod ui;

use crate::catalog::procedures::Catalog;
use crate::config::DeskConfig;
use crate::domain::reference::Reference;
use crate::store::Store;
use app::App;
use chrono::Utc;
use crossterm::event::{self, Event, KeyEventKind};
use std::time::Duration;

/// Runs the console until the operator quits. The terminal is restored on every exit path,
/// a panic included (ratatui's init installs the hook).
pub fn run(
    store: Store,
    reference: Reference,
    catalog: Catalog,
    operator: String,
    desk: DeskConfig,
) -> std::io::Result<()> {
    let mut app = App::new(
        store,
        reference,
        catalog,
        operator,
        desk.desk.clone(),
        theme::Theme::from_env(),
        Utc::now(),
    )
    .with_shift_plan(
        desk.shift_plan()
            .map_err(|e| std::io::Error::other(e.to_string()))?,
    );
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        return Err(std::io::Error::other(
            "la console demande un terminal ; hors terminal, utiliser les commandes \
             (guichet call list, guichet --help)",
        ));
    }
    let mut terminal = match ratatui::try_init() {
        Ok(t) => t,
        Err(e) => {
            ratatui::restore();
            return Err(e);
        }
    };
    let result = event_loop(&mut terminal, &mut app);
    ratatui::restore();
    result
}

fn event_loop(terminal: &mut ratatui::DefaultTerminal, app: &mut App) -> std::io::Result<()> {
    let mut dirty = true;
    while !app.quit {
        if dirty {
            terminal.draw(|f| ui::draw(f, app))?;
            dirty = false;
        }
        // Wake at the next whole second for the clock and the call timer.
        let ms_into_second = u64::from(Utc::now().timestamp_subsec_millis());
        let wait = Duration::from_millis(1000 - ms_into_second.min(999));
        if event::poll(wait)? {
            match event::read()? {
                Event::Key(key) if key.kind != KeyEventKind::Release => {
                    app.handle_key(key);
                    dirty = true;
                }
                Event::Resize(_, _) => dirty = true,
                _ => {}
            }
        } else {
            app.tick(Utc::now());
            dirty = true;
        }
    }
    Ok(())
}
