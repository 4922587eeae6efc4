//! The console: ratatui + crossterm.

pub mod app;
pub mod component;
pub mod crash;
pub mod draft_writer;
#[cfg(any(test, feature = "test-support"))]
pub mod gallery;
pub mod input;
pub mod keys;
pub mod ringing;
pub mod screens;
#[cfg(any(test, feature = "test-support"))]
pub mod svg;
pub mod theme;
pub mod widgets;

use crate::catalog::procedures::CatalogSource;
use crate::config::DeskConfig;
use crate::domain::reference::Reference;
use crate::store::Store;
use app::App;
use chrono::Utc;
use crossterm::event::{self, Event, KeyEventKind};
use std::time::Duration;

/// Runs the console until the operator quits, the terminal goes away or a signal asks it
/// to stop. The terminal is restored on every exit path, a panic included, and the call
/// being typed is saved first.
pub fn run(
    store: Store,
    reference: Reference,
    catalog: CatalogSource,
    operator: String,
    desk: DeskConfig,
) -> std::io::Result<()> {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        return Err(std::io::Error::other(
            "la console demande un terminal ; hors terminal, utiliser les commandes \
             (guichet call list, guichet --help)",
        ));
    }
    let plan = desk
        .shift_plan()
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    let mut app = App::start(
        store,
        reference,
        catalog,
        operator,
        desk.desk.clone(),
        theme::Theme::from_env(),
        Utc::now(),
    )
    .with_shift_plan(plan)
    .with_extension(desk.extension.clone())
    .with_glpi(desk.glpi.as_ref());
    let signals = crash::Signals::install()?;
    let mut terminal = match ratatui::try_init() {
        Ok(t) => t,
        Err(e) => {
            ratatui::restore();
            return Err(e);
        }
    };
    crash::install_panic_hook();
    let draft: crash::DraftSlot = Default::default();
    crash::spawn_watchdog(&signals, Duration::from_millis(300), draft.clone());
    let result = event_loop(&mut terminal, &mut app, &signals, &draft);
    // Whatever ended the loop (a key, a signal, a terminal that went away), nothing typed
    // is lost.
    app.save_draft_now();
    ratatui::restore();
    if let Some(farewell) = app.farewell() {
        eprintln!("{farewell}");
    }
    result
}

/// How often the loop looks for a signal while nothing happens.
const SIGNAL_POLL: Duration = Duration::from_millis(200);

fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    app: &mut App,
    signals: &crash::Signals,
    draft: &crash::DraftSlot,
) -> std::io::Result<()> {
    let mut dirty = true;
    let mut next_tick = Utc::now();
    while !app.quit {
        if signals.received().is_some() {
            return Ok(());
        }
        if dirty {
            terminal.draw(|f| app.draw(f))?;
            dirty = false;
            app.painted();
        }
        let now = Utc::now();
        if now >= next_tick {
            app.tick(now);
            dirty = true;
            // The clock and the call timer change on whole seconds.
            let ms = i64::from(now.timestamp_subsec_millis());
            next_tick = now + chrono::Duration::milliseconds(1000 - ms);
            continue;
        }
        let until_tick = (next_tick - now).to_std().unwrap_or_default();
        if event::poll(until_tick.min(SIGNAL_POLL))? {
            match event::read()? {
                Event::Key(key) if key.kind != KeyEventKind::Release => {
                    app.handle_key(key);
                    dirty = true;
                    // For the watchdog, should the terminal vanish before the next save.
                    if let Ok(mut slot) = draft.lock() {
                        *slot = app.draft_snapshot();
                    }
                }
                Event::Resize(_, _) => dirty = true,
                _ => {}
            }
        } else if app.poll_store() {
            // A phone that rings is shown within a fraction of a second, not at the next
            // whole second.
            dirty = true;
        }
    }
    Ok(())
}
