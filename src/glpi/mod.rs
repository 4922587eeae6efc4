//! The GLPI hand-off: an escalated call becomes a ticket in the desk's GLPI, through its
//! documented REST API (`apirest.php`), and the entries of its journal made since become
//! followups of that ticket. What waits to be sent is kept in the store's outbox
//! ([`crate::store::OutboxEntry`]); [`sync`] sends it, in order (see `sync.rs` for how a
//! call gets exactly one ticket, whatever the network does).

mod client;
mod marker;
mod secret;
mod settings;
mod sync;

pub use client::{Client, GlpiError, Item, Reach};
pub use marker::{Marker, defuse};
pub use settings::{CLIENT_SECRET_ENV, PASSWORD_ENV, Settings, USER_TOKEN_ENV};
pub use sync::{Doubt, Sent, SyncReport, sync};

use crate::domain::call::{CallRecord, CallRef, JournalEntry};
use crate::domain::time::paris;
use crate::domain::walk::WalkMark;

/// The ticket's title: its marker (`[guichet … A-0042]`) and the call's summary, which
/// holds no marker of its own once defused.
pub fn ticket_name(marker: &str, record: &CallRecord) -> String {
    let name = format!("{marker} {}", defuse(&record.call.summary));
    name.chars().take(250).collect()
}

/// A ticket's or a followup's rich text closed by its marker, on a line of its own.
pub fn sealed(content: &str, marker: &str) -> String {
    format!("{content}<br>\n<br>\n{marker}")
}

fn journal_lines(entries: &[JournalEntry], out: &mut String) {
    for e in entries {
        out.push_str(&format!(
            "{} {} — {}\n",
            paris(e.at, "%d/%m/%Y %H:%M"),
            e.operator,
            e.describe()
        ));
    }
}

/// The ticket's description (GLPI's rich text): the caller, the phone, the service, the
/// device, the procedure and the step reached, then the journal as text. Secrets are never in it:
/// the journal never holds one (a secret step journals only that it was given). The
/// hand-off closes it with the ticket's marker ([`sealed`]).
pub fn ticket_content(
    record: &CallRecord,
    entries: &[JournalEntry],
    walk: Option<&WalkMark>,
) -> String {
    let call = &record.call;
    let mut out = format!(
        "Appel {} reçu le {} par {}\n",
        call.reference,
        paris(call.opened_at, "%d/%m/%Y à %H:%M"),
        call.operator
    );
    out.push_str(&format!("Appelant : {}\n", call.caller_name));
    out.push_str(&format!(
        "Téléphone : {}\n",
        call.caller_phone.as_deref().unwrap_or("non donné")
    ));
    if let Some(mail) = &call.caller_email {
        out.push_str(&format!("Courriel : {mail}\n"));
    }
    out.push_str(&format!("Service : {}\n", call.service));
    out.push_str(&format!("Poste : {}\n", call.device));
    out.push_str(&format!("Objet : {}\n", call.summary));
    if let Some(walk) = walk {
        let reached = match &walk.current {
            Some(step) => format!("étape atteinte : {step}"),
            None => "terminée".to_string(),
        };
        out.push_str(&format!("Procédure : {} ({reached})\n", walk.procedure));
    }
    out.push_str("\nJournal :\n");
    journal_lines(entries, &mut out);
    rich_text(&out)
}

/// A followup's content: the journal entries made since the last push. The hand-off
/// closes it with the push's marker ([`sealed`]).
pub fn followup_content(call: CallRef, entries: &[JournalEntry]) -> String {
    let mut out = format!("Suite de l'appel {call} :\n");
    journal_lines(entries, &mut out);
    rich_text(&out)
}

/// Text as GLPI's rich text shows it: `&`, `<` and `>` escaped (what the caller or an
/// operator typed stays text), one `<br>` per line break (GLPI runs plain newlines
/// together), and anything that looks like a marker defused ([`defuse`]): only the
/// hand-off writes markers, after this.
pub fn rich_text(text: &str) -> String {
    let text = defuse(text);
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.trim_end().chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\n' => out.push_str("<br>\n"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rich_text_keeps_typed_text_inert_and_its_lines() {
        assert_eq!(rich_text("a <b> & c\nd\n"), "a &lt;b&gt; &amp; c<br>\nd");
        // Typed text never carries a marker.
        assert_eq!(
            rich_text("voir [guichet 3fa9 A-0042]"),
            "voir (guichet 3fa9 A-0042)"
        );
    }
}
