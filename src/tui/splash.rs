//! The first frame, drawn before the store is opened: a server takes a moment to reach
//! (more when it is far, full or failing over), and the operator sees at once where the
//! console connects and what it waits for, instead of a terminal left as it was. The
//! terminal taken here is the console's: [`crate::tui::run`] goes on with it.

use super::crash;
use super::theme::Theme;
use crate::domain::text::{truncate, visible};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Span;
use ratatui::widgets::Paragraph;
use ratatui::{DefaultTerminal, Frame};

/// The console's terminal while its store is being opened.
pub struct Splash {
    terminal: Option<DefaultTerminal>,
    desk: String,
    operator: String,
    store: String,
    theme: Theme,
}

impl Splash {
    /// Takes the terminal and draws the first frame; an error when there is no terminal
    /// (the console is for people: the commands are for scripts).
    pub fn show(desk: &str, operator: &str, store: &str) -> std::io::Result<Splash> {
        use std::io::IsTerminal;
        if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
            return Err(std::io::Error::other(
                "la console demande un terminal ; hors terminal, utiliser les commandes \
                 (guichet call list, guichet --help)",
            ));
        }
        let terminal = match ratatui::try_init() {
            Ok(t) => t,
            Err(e) => {
                ratatui::restore();
                return Err(e);
            }
        };
        crash::enable_paste();
        crash::install_panic_hook();
        let mut splash = Splash {
            terminal: Some(terminal),
            desk: desk.to_string(),
            operator: operator.to_string(),
            store: store.to_string(),
            theme: Theme::from_env(),
        };
        splash.say(None);
        Ok(splash)
    }

    /// Draws the frame again with what the console waits for (a full server), if anything.
    pub fn say(&mut self, waiting: Option<&str>) {
        let Some(terminal) = self.terminal.as_mut() else {
            return;
        };
        let (desk, operator, store, theme) = (&self.desk, &self.operator, &self.store, &self.theme);
        let _ = terminal.draw(|f| draw(f, desk, operator, store, waiting, theme));
    }

    /// Waits `pause`, or less if the operator gives up (Ctrl-C, `q`, Échap: the terminal
    /// is raw, no signal comes); false then.
    pub fn wait(&mut self, pause: std::time::Duration) -> bool {
        use crossterm::event::{Event, KeyCode, KeyModifiers};
        let until = std::time::Instant::now() + pause;
        loop {
            let left = until.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                return true;
            }
            match crossterm::event::poll(left) {
                Ok(true) => {
                    if let Ok(Event::Key(key)) = crossterm::event::read() {
                        let ctrl_c = key.code == KeyCode::Char('c')
                            && key.modifiers.contains(KeyModifiers::CONTROL);
                        if ctrl_c || matches!(key.code, KeyCode::Char('q') | KeyCode::Esc) {
                            return false;
                        }
                    }
                }
                Ok(false) => return true,
                Err(_) => {
                    std::thread::sleep(left);
                    return true;
                }
            }
        }
    }

    /// The terminal, for the console to go on with.
    pub(super) fn into_terminal(mut self) -> Option<DefaultTerminal> {
        self.terminal.take()
    }
}

impl Drop for Splash {
    /// The store could not be opened: the terminal goes back as it was, for the sentence
    /// that says why.
    fn drop(&mut self) {
        if self.terminal.take().is_some() {
            crash::restore_terminal();
        }
    }
}

/// The frame: the header the console will have, in the middle where it connects and,
/// under it, what it waits for (wrapped: the whole sentence matters, the server's name
/// and the next try).
pub fn draw(
    frame: &mut Frame,
    desk: &str,
    operator: &str,
    store: &str,
    waiting: Option<&str>,
    theme: &Theme,
) {
    let [head, body] =
        Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(frame.area());
    let cols = |area: Rect| area.width as usize;
    let header = format!(" guichet · {} · {}", visible(desk), visible(operator));
    frame.render_widget(
        Paragraph::new(truncate(&header, cols(head)).into_owned()).style(theme.header()),
        head,
    );
    let [_, middle, _, below, _] = Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(4),
        Constraint::Fill(1),
    ])
    .areas(body);
    let connecting = format!("Connexion à {}…", visible(store));
    frame.render_widget(
        Paragraph::new(Span::styled(
            truncate(&connecting, cols(middle)).into_owned(),
            theme.dim(),
        ))
        .centered(),
        middle,
    );
    if let Some(text) = waiting {
        let [_, inner, _] = Layout::horizontal([
            Constraint::Length(2),
            Constraint::Fill(1),
            Constraint::Length(2),
        ])
        .areas(below);
        frame.render_widget(
            Paragraph::new(format!("⚠ {}", visible(text)))
                .style(theme.error())
                .wrap(ratatui::widgets::Wrap { trim: true })
                .centered(),
            inner,
        );
    }
}
