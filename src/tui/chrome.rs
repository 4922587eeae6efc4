//! The frame around the screens: the header (desk, operator, clock, AMIGO), the place of
//! the ringing banner, the status line (what was done, what went wrong, what is still
//! wrong) and the footer (the keys of where the keyboard is, from the key table). It
//! draws from what the router hands it; the screens draw in the body it leaves.

use super::component::View;
use super::keys::{Context, footer};
use crate::domain::text::{truncate, visible, width};
use crate::domain::time::paris;
use chrono::{DateTime, Duration, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// How long a message stays in the status line.
const FLASH_FOR: Duration = Duration::seconds(6);

/// A message in the status line, shown until `until`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flash {
    pub text: String,
    pub error: bool,
    pub until: DateTime<Utc>,
}

impl Flash {
    /// A message said at `now`, for as long as messages stay.
    pub fn said(text: String, error: bool, now: DateTime<Utc>) -> Flash {
        Flash {
            text,
            error,
            until: now + FLASH_FOR,
        }
    }
}

/// What the chrome shows, as the router has it.
pub struct Chrome<'a> {
    /// Where the keyboard is: the footer's keys.
    pub context: Context,
    /// The service of the call on screen, if any: the header says whether AMIGO is open
    /// for a service that shows it.
    pub service: Option<&'a str>,
    /// The ringing banner's lines, if a call rings or is answered on the extension.
    pub banner: Option<Vec<Line<'static>>>,
    /// Why the call being typed could not be saved, while it cannot.
    pub draft_unsaved: Option<&'a str>,
    /// Why the shared store cannot be reached, while it cannot.
    pub store_unreachable: Option<&'a str>,
    /// The store has not answered for a while (« serveur lent : … »), while it has not.
    pub store_slow: Option<&'a str>,
    /// The last message, until it expires.
    pub flash: Option<&'a Flash>,
    /// The help is on top: it covers the status line, the only thing to read then.
    pub help_open: bool,
}

/// Where the screens draw: the body, and the body with the status line under it (for the
/// help, which may cover it).
#[derive(Debug, Clone, Copy)]
pub struct Body {
    pub area: Rect,
    pub with_status: Rect,
}

/// Draws the header and the banner, then the screens in the body (`screens`), then the
/// status line over what they left and the footer.
pub fn draw(
    frame: &mut Frame,
    mut chrome: Chrome,
    view: &View,
    screens: impl FnOnce(&mut Frame, Body),
) {
    let banner = chrome.banner.take();
    let banner_rows = banner.as_ref().map_or(0, |b| b.len() as u16);
    let [header, ringing, body, status, foot] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(banner_rows),
        Constraint::Min(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(frame.area());
    if let Some(lines) = banner {
        frame.render_widget(Paragraph::new(lines), ringing);
    }
    draw_header(frame, header, &chrome, view);
    screens(
        frame,
        Body {
            area: body,
            with_status: Rect {
                height: body.height + status.height,
                ..body
            },
        },
    );
    if !chrome.help_open {
        draw_status(frame, status, &chrome, view);
    }
    draw_footer(frame, foot, chrome.context, view);
}

fn draw_header(frame: &mut Frame, area: Rect, chrome: &Chrome, view: &View) {
    let desk = view.desk;
    let style = view.theme.header();
    let mut left = format!(
        " guichet · {} · {}",
        visible(&desk.name),
        visible(&desk.operator)
    );
    if view.read_only {
        left.push_str(" · LECTURE SEULE");
    }
    let mut right = format!(" {} ", paris(view.now, "%d/%m/%Y %H:%M"));
    if chrome.service.is_some_and(|s| desk.shows_amigo(s)) {
        let state = if view.amigo.open { "ouvert" } else { "fermé" };
        right = format!(" · AMIGO {state} ·{right}");
    }
    let right_cols = width(&right) as u16;
    let [l, r] =
        Layout::horizontal([Constraint::Min(1), Constraint::Length(right_cols)]).areas(area);
    let left = truncate(&left, l.width as usize).into_owned();
    frame.render_widget(Paragraph::new(left).style(style), l);
    frame.render_widget(Paragraph::new(right).style(style), r);
}

/// The status line: a draft that cannot be saved first, then a server out of reach, then
/// the last message.
fn draw_status(frame: &mut Frame, area: Rect, chrome: &Chrome, view: &View) {
    let unsaved = chrome.draft_unsaved.map(|p| {
        format!("saisie NON sauvegardée ({p}) : gardée en mémoire, nouvel essai chaque seconde")
    });
    let unreachable = chrome.store_unreachable.map(|p| {
        format!("serveur injoignable, nouvel essai automatique ; saisie gardée sur ce poste ({p})")
    });
    let slow = chrome.store_slow.map(String::from);
    let (text, error) = match (unsaved.or(slow).or(unreachable), chrome.flash) {
        (Some(text), _) => (text, true),
        (None, Some(flash)) => (flash.text.clone(), flash.error),
        (None, None) => return,
    };
    let theme = view.theme;
    let (mark, style) = if error {
        (view.mark("⚠ ", "Erreur : "), theme.error())
    } else {
        (view.mark("✓ ", ""), theme.success())
    };
    let room = (area.width as usize).saturating_sub(3);
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::raw(" "),
            Span::styled(mark, style),
            Span::styled(truncate(&visible(&text), room).into_owned(), style),
        ])),
        area,
    );
}

/// The footer: the keys of the context the keyboard is in, from the key table, as many as
/// fit (F1 lists them all).
fn draw_footer(frame: &mut Frame, area: Rect, context: Context, view: &View) {
    let theme = view.theme;
    let mut spans = vec![Span::raw(" ")];
    let mut used = 1;
    for (keys, label) in footer(context) {
        let k = format!(" {keys} ");
        let l = format!(" {label} ");
        let w = width(&k) + width(&l);
        if used + w > area.width as usize {
            break;
        }
        used += w;
        spans.push(Span::styled(k, theme.footer_key()));
        spans.push(Span::styled(l, theme.footer_text()));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
