//! The console: ratatui + crossterm. Its modules, each importing only those listed before
//! it (a unit test in `open` keeps the screens and popups to that):
//!
//! - `keys`, `theme`, `input`: the one key table, the styles, the text fields;
//! - `route` (where the console can go) and `component` (the contract every screen keeps,
//!   the effects it returns, naming routes);
//! - `widgets`: the drawing pieces screens and popups share;
//! - `screens`, `popups`: one component each; none imports another;
//! - `stack` (what the navigation stack holds) and `open` (the one place screens are
//!   built);
//! - `workers` (the background threads) and `channel` (the one channel they, the
//!   terminal's input and the signals speak on);
//! - `chrome` (header, status line, footer) and `ringing` (the extension's calls);
//! - `crash` (the terminal given back, the crash report, the watchdog), `splash` (the
//!   first frame, before the store is opened), `app` (the router) and `events` (the
//!   loop);
//! - `gallery` and `svg`: the screenshots, from the same buffers as the snapshot tests.

pub mod app;
pub mod channel;
pub mod chrome;
pub mod component;
pub mod crash;
pub mod events;
#[cfg(any(test, feature = "test-support"))]
pub mod gallery;
pub mod input;
pub mod keys;
pub mod open;
pub mod popups;
pub mod ringing;
pub mod route;
pub mod screens;
pub mod splash;
pub mod stack;
#[cfg(any(test, feature = "test-support"))]
pub mod svg;
pub mod theme;
pub mod widgets;
pub mod workers;

use crate::catalog::procedures::CatalogSource;
use crate::config::DeskConfig;
use crate::domain::reference::Reference;
use crate::store::Store;
use app::App;
use chrono::Utc;
use std::time::Duration;

/// Runs the console until the operator quits, the terminal goes away or a signal asks it
/// to stop, on the terminal its first frame took ([`splash::Splash`], drawn before the
/// store was opened). The terminal is restored on every exit path, a panic included, and
/// the call being typed is saved first.
pub fn run(
    splash: splash::Splash,
    store: Store,
    reference: Reference,
    catalog: CatalogSource,
    operator: String,
    desk: DeskConfig,
) -> std::io::Result<()> {
    workers::share_one_arena();
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
    .with_screen_reader(desk.screen_reader)
    .with_learning(desk.learning)
    .with_extension(desk.extension.clone())
    .with_glpi(desk.glpi.as_ref());
    let signals = crash::Signals::install()?;
    events::forward_signals(app.sender())?;
    let Some(mut terminal) = splash.into_terminal() else {
        return Err(std::io::Error::other("terminal déjà rendu"));
    };
    let draft: crash::DraftSlot = Default::default();
    crash::spawn_watchdog(&signals, Duration::from_millis(300), draft.clone());
    events::spawn_input(app.sender());
    let result = events::run(&mut terminal, &mut app, &draft, |_, _| ());
    // Whatever ended the loop (a key, a signal, a terminal that went away), nothing typed
    // is lost.
    app.save_draft_now();
    crash::restore_terminal();
    if let Some(farewell) = app.farewell() {
        eprintln!("{farewell}");
    }
    result
}
