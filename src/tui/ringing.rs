//! The call that rings or is answered on this console's extension, and what the desk knows
//! of its caller: read from the store when the store changed (never per frame), shown as
//! a banner under the header.

use crate::domain::reference::Reference;
use crate::domain::text::{truncate, visible, width};
use crate::domain::time::{paris, timer, week_start};
use crate::phone::{PhoneCall, PhoneState};
use crate::store::{CallerFacts, Store, StoreError};
use crate::tui::keys::{Action, Context, key_for};
use crate::tui::theme::Theme;
use chrono::{DateTime, Duration, Utc};
use ratatui::text::{Line, Span};

/// How far back the events are read: an answered call stays shown at most this long
/// (`phone::call::ANSWERED_FOR_AT_MOST`).
const LOOK_BACK: Duration = Duration::hours(4);

/// The extension's call now, if any.
#[derive(Debug, Clone, Default)]
pub struct Ringing {
    pub extension: Option<String>,
    /// The newest live call on the extension.
    pub call: Option<PhoneCall>,
    /// What the desk knows of its number (none when withheld or never seen).
    pub facts: Option<CallerFacts>,
}

impl Ringing {
    pub fn new(extension: Option<String>) -> Ringing {
        Ringing {
            extension,
            ..Ringing::default()
        }
    }

    /// Reads the extension's calls again (the store changed).
    pub fn refresh(&mut self, store: &Store, now: DateTime<Utc>) -> Result<(), StoreError> {
        let Some(extension) = self.extension.as_deref() else {
            return Ok(());
        };
        let calls = store.phone_calls_since(now - LOOK_BACK)?;
        let call = calls
            .into_iter()
            .rev()
            .find(|c| c.is_live(now) && c.concerns(extension));
        self.facts = match call.as_ref().and_then(|c| c.from.as_deref()) {
            Some(number) => store.caller_facts(number, week_start(now))?,
            None => None,
        };
        self.call = call;
        Ok(())
    }

    /// The clock moved: a call left ringing by a lost event stops being shown.
    pub fn expire(&mut self, now: DateTime<Utc>) {
        if self.call.as_ref().is_some_and(|c| !c.is_live(now)) {
            self.call = None;
            self.facts = None;
        }
    }

    /// The live call, if any.
    pub fn live(&self) -> Option<&PhoneCall> {
        self.call.as_ref()
    }

    /// The banner, two lines: what rings and who it is, with the keys that act on it
    /// where the keyboard is (`ctx`, from the key table); then the caller's history.
    pub fn banner(
        &self,
        now: DateTime<Utc>,
        reference: &Reference,
        ctx: Context,
        theme: &Theme,
        cols: usize,
    ) -> Option<Vec<Line<'static>>> {
        let call = self.call.as_ref()?;
        let state = match (call.state(), call.answered_at) {
            (PhoneState::Answered, Some(at)) => format!("en ligne {}", timer(now - at)),
            _ => "sonne".to_string(),
        };
        let mut who = vec![format!("☎ {state} · {}", call.caller_for_reading())];
        let mut history = Vec::new();
        match &self.facts {
            Some(facts) => {
                let last = &facts.last;
                who.push(visible(&last.caller_name).into_owned());
                who.push(reference.service_short(&last.service).to_string());
                who.push(reference.device_short(&last.device).to_string());
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
        let mut keys = Vec::new();
        if let Some(k) = key_for(ctx, Action::NewCall) {
            keys.push(format!("{k} appel"));
        }
        if let Some((open, _)) = self.facts.as_ref().and_then(|f| f.open.as_ref())
            && let Some(k) = key_for(ctx, Action::CallerCall)
        {
            keys.push(format!("{k} {}", open.reference));
        }
        let keys = if keys.is_empty() {
            String::new()
        } else {
            format!(" {} ", keys.join(" · "))
        };
        let style = theme.ringing();
        let filled = |text: String, room: usize| {
            let text = truncate(&text, room).into_owned();
            let pad = room.saturating_sub(width(&text));
            [
                Span::styled(text, style),
                Span::styled(" ".repeat(pad), style),
            ]
        };
        let mut first: Vec<Span> = filled(
            format!(" {}", who.join(" · ")),
            cols.saturating_sub(width(&keys)),
        )
        .into();
        first.push(Span::styled(keys, theme.footer_key()));
        let second = filled(format!("   {}", history.join(" · ")), cols);
        Some(vec![Line::from(first), Line::from(second.to_vec())])
    }
}
