//! The calls that ring or are answered on this console's extension, and what the desk knows
//! of their callers: read from the store when the store changed (never per frame), shown as
//! a banner under the header.

use crate::domain::reference::Reference;
use crate::domain::text::{truncate, visible, width};
use crate::domain::time::{paris, timer, week_start};
use crate::phone::desk::console_calls;
use crate::phone::{PhoneCall, PhoneState};
use crate::store::link::StoreLink;
use crate::store::{CallerFacts, StoreError};
use crate::tui::component::View;
use crate::tui::keys::{Action, Context, key_for};
use chrono::{DateTime, Duration, Utc};
use ratatui::text::{Line, Span};

/// How far back the events are read: an answered call stays shown at most this long
/// (`phone::call::ANSWERED_FOR_AT_MOST`).
const LOOK_BACK: Duration = Duration::hours(4);

/// How many calls the banner shows, one line each; past that it says how many more.
pub const SHOWN: usize = 3;

/// The extension's calls now.
#[derive(Debug, Clone, Default)]
pub struct Ringing {
    pub extension: Option<String>,
    /// The live calls on the extension, the one in hand first
    /// ([`crate::phone::desk::console_calls`]).
    pub calls: Vec<PhoneCall>,
    /// What the desk knows of the number of each of the first [`SHOWN`] calls (none when
    /// withheld or never seen), in the same order.
    facts: Vec<Option<CallerFacts>>,
}

impl Ringing {
    pub fn new(extension: Option<String>) -> Ringing {
        Ringing {
            extension,
            ..Ringing::default()
        }
    }

    /// Reads the extension's calls again (the store changed).
    pub fn refresh(&mut self, store: &StoreLink, now: DateTime<Utc>) -> Result<(), StoreError> {
        let Some(extension) = self.extension.clone() else {
            return Ok(());
        };
        // The calls and their callers' facts, in one request to the store's thread.
        let (calls, facts) = store.read(move |store| {
            let calls = console_calls(store.phone_calls_since(now - LOOK_BACK)?, &extension, now);
            let mut facts = Vec::new();
            for call in calls.iter().take(SHOWN) {
                facts.push(match call.caller_number() {
                    Some(number) => store.caller_facts(number, week_start(now))?,
                    None => None,
                });
            }
            Ok((calls, facts))
        })?;
        self.calls = calls;
        self.facts = facts;
        Ok(())
    }

    /// The clock moved: a call left ringing by a lost event stops being shown.
    pub fn expire(&mut self, now: DateTime<Utc>) {
        let mut i = 0;
        while i < self.calls.len() {
            if self.calls[i].is_live(now) {
                i += 1;
            } else {
                self.calls.remove(i);
                if i < self.facts.len() {
                    self.facts.remove(i);
                }
            }
        }
    }

    /// The call in hand: answered on the extension, else the newest ringing.
    pub fn live(&self) -> Option<&PhoneCall> {
        self.calls.first()
    }

    /// What the desk knows of the caller in hand.
    pub fn facts(&self) -> Option<&CallerFacts> {
        self.facts.first().and_then(Option::as_ref)
    }

    /// One of the extension's live calls, by its telephony id.
    pub fn find(&self, telephony_id: &str) -> Option<&PhoneCall> {
        self.calls.iter().find(|c| c.telephony_id == telephony_id)
    }

    /// The banner: one line per call (the call in hand first, with the keys that act on
    /// it where the keyboard is, `ctx`, from the key table; « +N » past [`SHOWN`]), then
    /// the history of the caller in hand. `typing_another` (a form holds another call's
    /// typing): the key that sets it aside comes first.
    pub fn banner(
        &self,
        view: &View,
        ctx: Context,
        typing_another: bool,
        cols: usize,
    ) -> Option<Vec<Line<'static>>> {
        let (now, reference, theme) = (view.now, &view.desk.reference, view.theme);
        let screen_reader = view.screen_reader;
        let first = self.calls.first()?;
        let style = theme.ringing();
        let filled = |text: String, room: usize| {
            let text = truncate(&text, room).into_owned();
            let pad = room.saturating_sub(width(&text));
            vec![
                Span::styled(text, style),
                Span::styled(" ".repeat(pad), style),
            ]
        };
        let mut lines = Vec::new();
        let shown = self.calls.len().min(SHOWN);
        for (i, call) in self.calls.iter().take(shown).enumerate() {
            let facts = self.facts.get(i).and_then(Option::as_ref);
            let mut who = call_words(call, facts, now, reference, screen_reader);
            let more = self.calls.len() - shown;
            if i + 1 == shown && more > 0 {
                who.push(format!("+{more}"));
            }
            let keys = if i == 0 {
                self.keys(ctx, typing_another)
            } else {
                String::new()
            };
            let mut line = filled(
                format!(" {}", who.join(" · ")),
                cols.saturating_sub(width(&keys)),
            );
            if !keys.is_empty() {
                line.push(Span::styled(keys, theme.footer_key()));
            }
            lines.push(Line::from(line));
        }
        let history = history_words(first, self.facts());
        lines.push(Line::from(filled(
            format!("   {}", history.join(" · ")),
            cols,
        )));
        Some(lines)
    }

    /// The keys that act on the call in hand: F8 sets another call's typing aside for it,
    /// F2 takes it, F6 opens its caller's open call.
    fn keys(&self, ctx: Context, typing_another: bool) -> String {
        let mut keys = Vec::new();
        if typing_another && let Some(k) = key_for(ctx, Action::SetAside) {
            keys.push(format!("{k} de côté"));
        }
        if let Some(k) = key_for(ctx, Action::NewCall) {
            keys.push(format!("{k} appel"));
        }
        if let Some((open, _)) = self.facts().and_then(|f| f.open.as_ref())
            && let Some(k) = key_for(ctx, Action::CallerCall)
        {
            keys.push(format!("{k} {}", open.reference));
        }
        if keys.is_empty() {
            String::new()
        } else {
            format!(" {} ", keys.join(" · "))
        }
    }
}

/// What a call's line says: where it stands, the number, and who the desk knows it as.
fn call_words(
    call: &PhoneCall,
    facts: Option<&CallerFacts>,
    now: DateTime<Utc>,
    reference: &Reference,
    screen_reader: bool,
) -> Vec<String> {
    let state = match (call.state(), call.answered_at) {
        (PhoneState::Answered, Some(at)) => format!("en ligne {}", timer(now - at)),
        _ => "sonne".to_string(),
    };
    // A reader says « téléphone noir » for ☎, or nothing.
    let mark = if screen_reader {
        "Téléphone :"
    } else {
        "☎"
    };
    let mut who = vec![format!("{mark} {state} · {}", call.caller_for_reading())];
    if let Some(facts) = facts {
        let last = &facts.last;
        who.push(visible(&last.caller_name).into_owned());
        who.push(reference.service_short(&last.service).to_string());
        who.push(reference.device_short(&last.device).to_string());
    }
    who
}

/// What the desk knows of the caller in hand: calls this week, the open call and its last
/// line, or the last call.
fn history_words(call: &PhoneCall, facts: Option<&CallerFacts>) -> Vec<String> {
    let mut history = Vec::new();
    match facts {
        Some(facts) => {
            let last = &facts.last;
            history.push(match facts.this_week {
                0 => "aucun appel cette semaine".into(),
                1 => "1 appel cette semaine".into(),
                n => format!("{n} appels cette semaine"),
            });
            match &facts.open {
                Some((open, line)) => {
                    let said = line
                        .as_ref()
                        .map(|l| format!(" : {}", visible(&l.describe())))
                        .unwrap_or_default();
                    history.push(format!("{} encore ouvert{said}", open.reference));
                }
                None => history.push(format!(
                    "dernier appel {} le {}, {}",
                    last.reference,
                    paris(last.opened_at, "%d/%m"),
                    visible(&last.summary)
                )),
            }
        }
        None if call.from.is_some() => history.push("numéro inconnu du guichet".into()),
        None => history.push("l'appelant a masqué son numéro".into()),
    }
    history
}
