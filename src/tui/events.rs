//! The console's loop: it waits on the one channel (`channel`), takes everything pending
//! there (keys, a paste, a resize, a signal, the workers' news), and then draws once. The
//! terminal's input is read on a thread of its own and the signals are forwarded by
//! another, so that the loop never sits inside a read.

use super::app::App;
use super::channel::Message;
use super::crash::DraftSlot;
use chrono::Utc;
use crossterm::event::{Event, KeyEventKind};
use ratatui::Terminal;
use ratatui::backend::Backend;
use std::sync::mpsc::Sender;
use std::time::Duration;

/// How long the loop waits, when nothing comes, before it looks whether the store changed
/// (another console wrote, the telephony rang): a phone that rings is shown within a
/// fraction of a second, not at the next whole second.
const STORE_LOOK: Duration = Duration::from_millis(200);

/// Reads the terminal on a thread of its own, into the channel, until the console ends or
/// the terminal cannot be read any more.
pub fn spawn_input(tx: Sender<Message>) {
    std::thread::spawn(move || {
        loop {
            let message = match crossterm::event::read() {
                Ok(event) => Message::Terminal(event),
                Err(e) => {
                    let _ = tx.send(Message::TerminalLost(e));
                    return;
                }
            };
            if tx.send(message).is_err() {
                return;
            }
        }
    });
}

/// Forwards the signals that end the console into the channel.
pub fn forward_signals(tx: Sender<Message>) -> std::io::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGHUP, SIGINT, SIGQUIT])?;
    std::thread::spawn(move || {
        for signal in signals.forever() {
            if tx.send(Message::Signal(signal)).is_err() {
                return;
            }
        }
    });
    Ok(())
}

/// Runs until the operator quits, a signal asks it to stop, or the terminal goes away.
/// `painted` hears of each frame drawn, with the number of inputs taken since the frame
/// before (the tests count frames with it).
pub fn run<B: Backend>(
    terminal: &mut Terminal<B>,
    app: &mut App,
    draft: &DraftSlot,
    mut painted: impl FnMut(&App, usize),
) -> std::io::Result<()>
where
    B::Error: Send + Sync + 'static,
{
    let mut dirty = true;
    let mut inputs = 0;
    let mut next_tick = Utc::now();
    while !app.quit {
        if dirty {
            terminal.draw(|f| app.draw(f)).map_err(io_error)?;
            // The screens place the cursor on the focus; shown for a screen reader, else
            // hidden again at once (it stays where it was placed: a braille display that
            // follows a hidden cursor still finds it).
            if !app.screen_reader() {
                terminal.hide_cursor().map_err(io_error)?;
            }
            dirty = false;
            app.painted();
            painted(app, inputs);
            inputs = 0;
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
        let Some(first) = app.next_message(until_tick.min(STORE_LOOK)) else {
            dirty |= app.poll_store();
            continue;
        };
        // Everything that came at once, then one frame.
        let mut typed = false;
        let mut next = Some(first);
        while let Some(message) = next {
            match message {
                Message::Terminal(Event::Key(key)) if key.kind != KeyEventKind::Release => {
                    app.handle_key(key);
                    typed = true;
                    inputs += 1;
                }
                Message::Terminal(Event::Paste(text)) => {
                    app.handle_paste(text);
                    typed = true;
                    inputs += 1;
                }
                Message::Terminal(Event::Resize(_, _)) => dirty = true,
                Message::Terminal(_) => {}
                Message::TerminalLost(e) => return Err(e),
                Message::Signal(_) => return Ok(()),
                Message::News(news) => dirty |= app.take(news),
            }
            if app.quit {
                return Ok(());
            }
            next = app.next_message(Duration::ZERO);
        }
        if typed {
            dirty = true;
            // For the watchdog, should the terminal vanish before the next save.
            if let Ok(mut slot) = draft.lock() {
                *slot = app.draft_snapshot();
            }
        }
    }
    Ok(())
}

/// A backend's error as the terminal's: an I/O error stays one.
fn io_error<E: std::error::Error + Send + Sync + 'static>(e: E) -> std::io::Error {
    let e: Box<dyn std::error::Error + Send + Sync> = Box::new(e);
    match e.downcast::<std::io::Error>() {
        Ok(io) => *io,
        Err(other) => std::io::Error::other(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::embedded_reference;
    use crate::store::Store;
    use crate::tui::theme::Theme;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use ratatui::backend::TestBackend;

    pub(super) fn console() -> App {
        let reference = embedded_reference();
        let catalog = crate::catalog::procedures::embedded(&reference);
        App::new(
            Store::open_in_memory().unwrap(),
            reference,
            catalog,
            "dupontje".into(),
            "Hotline".into(),
            Theme { color: false },
            Utc::now(),
        )
    }

    pub(super) fn key(code: KeyCode) -> Message {
        Message::Terminal(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)))
    }

    /// Runs the loop until a frame shows what `done` waits for; returns, for each frame
    /// drawn, the inputs taken before it and what `look` saw in it.
    pub(super) fn frames<T>(
        app: &mut App,
        look: impl Fn(&App) -> T,
        done: impl Fn(&T) -> bool,
    ) -> Vec<(usize, T)> {
        let stop = app.sender();
        let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
        let mut seen = Vec::new();
        run(&mut terminal, app, &DraftSlot::default(), |app, inputs| {
            let what = look(app);
            if done(&what) {
                stop.send(Message::Signal(signal_hook::consts::SIGTERM))
                    .unwrap();
            }
            seen.push((inputs, what));
        })
        .unwrap();
        seen
    }

    #[test]
    fn keys_that_came_at_once_are_one_frame() {
        let mut app = console();
        let tx = app.sender();
        tx.send(key(KeyCode::F(2))).unwrap();
        for c in "Zoé Martin".chars() {
            tx.send(key(KeyCode::Char(c))).unwrap();
        }
        let name = |app: &App| app.form().map(|f| f.caller_name.value());
        let seen = frames(&mut app, name, |n| n.as_deref() == Some("Zoé Martin"));
        let typed: Vec<_> = seen.iter().filter(|(inputs, _)| *inputs > 0).collect();
        assert_eq!(
            typed,
            vec![&(11, Some("Zoé Martin".to_string()))],
            "{seen:?}"
        );
    }
}

#[cfg(test)]
mod paste {
    use super::tests::{console, frames};
    use super::*;
    use crate::domain::call::Field;
    use crossterm::event::KeyCode;

    #[test]
    fn a_paste_of_2000_characters_into_the_summary_is_one_input_and_one_frame() {
        let mut app = console();
        app.handle_key(crossterm::event::KeyEvent::from(KeyCode::F(2)));
        while app.form().unwrap().focus != Field::Summary {
            app.handle_key(crossterm::event::KeyEvent::from(KeyCode::Tab));
        }
        let text = "carte agent oubliée\n".repeat(100);
        assert_eq!(text.chars().count(), 2000);
        let tx = app.sender();
        tx.send(Message::Terminal(Event::Paste(text))).unwrap();
        let summary = |app: &App| app.form().map_or(0, |f| f.summary.chars());
        let seen = frames(&mut app, summary, |n| *n > 0);
        // One frame follows the paste, after one input, and shows it whole: as much as the
        // summary holds (300 characters), never a part of it.
        let typed: Vec<_> = seen.iter().filter(|(inputs, _)| *inputs > 0).collect();
        assert_eq!(typed, vec![&(1, 300)], "{seen:?}");
        assert!(seen.iter().all(|(_, n)| *n == 0 || *n == 300), "{seen:?}");
        let form = app.form().unwrap();
        assert!(
            form.summary
                .value()
                .starts_with("carte agent oubliée carte agent")
        );
        assert_eq!(form.focus, Field::Summary, "the paste stays in its field");
        let said = app.flash.as_ref().map(|f| (f.text.as_str(), f.error));
        assert_eq!(
            said,
            Some((
                "Objet : 300 caractères au plus, la suite n'est pas prise",
                true
            ))
        );
    }
}
