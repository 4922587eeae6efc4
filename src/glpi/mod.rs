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

use crate::catalog::embedded_reference;
use crate::domain::call::{
    CallRecord, CallStatus, JournalEntry, JournalKind, Outcome, journal_outcome,
};
use crate::domain::reference::Reference;
use crate::domain::time::paris;
use crate::domain::walk::WalkMark;
use std::sync::OnceLock;

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

/// The desk's services and devices, for their labels: the reference the commands and the
/// console use (embedded in the binary), read once.
fn reference() -> &'static Reference {
    static REFERENCE: OnceLock<Reference> = OnceLock::new();
    REFERENCE.get_or_init(embedded_reference)
}

/// « Label (slug) », as `call show` writes them; the slug alone when the reference no
/// longer knows it.
fn labelled(label: Option<&str>, slug: &str) -> String {
    label.map_or(slug.to_string(), |l| format!("{l} ({slug})"))
}

/// The outcome the call had just after `entry` (the journal up to it), for the lines that
/// close it or correct it: the technician reads what it was then, not what it became.
fn outcome_through(journal: &[JournalEntry], entry: &JournalEntry) -> Option<Outcome> {
    let upto = journal
        .iter()
        .position(|e| e == entry)
        .map_or(journal.len(), |i| i + 1);
    journal_outcome(&journal[..upto])
}

/// One journal entry as the second level reads it: labels, not slugs; the closing says
/// the outcome and the closing note; a correction says what the outcome was before.
fn glpi_line(
    journal: &[JournalEntry],
    entry: &JournalEntry,
    note: Option<&str>,
    walk: Option<&WalkMark>,
) -> String {
    let label = |o: Option<Outcome>| o.map_or("non donnée", Outcome::label);
    match entry.kind {
        JournalKind::Procedure => match walk.filter(|w| w.procedure == entry.text) {
            Some(WalkMark {
                title: Some(title), ..
            }) => format!("procédure suivie : {title} ({})", entry.text),
            _ => entry.describe(),
        },
        JournalKind::Status if CallStatus::from_slug(&entry.text) == Some(CallStatus::Closed) => {
            let mut line = format!(
                "appel clos, issue : {}",
                label(outcome_through(journal, entry))
            );
            if let Some(note) = note {
                line.push_str(&format!(" — note de clôture : {note}"));
            }
            line
        }
        JournalKind::OutcomeCorrected => {
            let before = journal
                .iter()
                .position(|e| e == entry)
                .and_then(|i| journal_outcome(&journal[..i]));
            format!(
                "issue corrigée : {} (était : {})",
                label(Outcome::from_slug(&entry.text)),
                label(before)
            )
        }
        _ => entry.describe(),
    }
}

/// The journal entries as lines, whole (GLPI folds them). The note written with the
/// closing (same time, same operator, just before it) is said on the closing's line.
fn journal_lines(
    journal: &[JournalEntry],
    entries: &[JournalEntry],
    walk: Option<&WalkMark>,
    out: &mut String,
) {
    let closes = |e: &JournalEntry| {
        e.kind == JournalKind::Status && CallStatus::from_slug(&e.text) == Some(CallStatus::Closed)
    };
    let closing_note = |i: usize| -> Option<&JournalEntry> {
        let closing = &entries[i];
        entries[..i]
            .iter()
            .rev()
            .take_while(|e| e.at == closing.at && e.operator == closing.operator)
            .find(|e| e.kind == JournalKind::Note)
    };
    let folded: Vec<&JournalEntry> = (0..entries.len())
        .filter(|&i| closes(&entries[i]))
        .filter_map(closing_note)
        .collect();
    for (i, e) in entries.iter().enumerate() {
        if folded.iter().any(|f| std::ptr::eq(*f, e)) {
            continue;
        }
        let note = if closes(e) { closing_note(i) } else { None };
        out.push_str(&format!(
            "{} {} — {}\n",
            paris(e.at, "%d/%m/%Y %H:%M"),
            e.operator,
            glpi_line(journal, e, note.map(|n| n.text.as_str()), walk)
        ));
    }
}

/// The procedure walked, as the ticket names it: its title and version when the walk
/// kept them, its slug (which the journal's lines carry in brackets), the step reached.
fn procedure_line(walk: &WalkMark) -> String {
    let reached = match &walk.current {
        Some(step) => format!("étape atteinte : {step}"),
        None => "terminée".to_string(),
    };
    let named = match (&walk.title, &walk.version) {
        (Some(title), Some(version)) => {
            format!("{title} ({}, version {version})", walk.procedure)
        }
        (Some(title), None) => format!("{title} ({})", walk.procedure),
        _ => walk.procedure.clone(),
    };
    format!("Procédure : {named} — {reached}\n")
}

/// The ticket's description (GLPI's rich text): the caller, the phone, the service, the
/// device, the outcome, the procedure and the step reached, then the journal as text, each
/// by its label. Secrets are never in it: the journal never holds one (a secret step
/// journals only that it was given). The hand-off closes it with the ticket's marker
/// ([`sealed`]).
pub fn ticket_content(
    record: &CallRecord,
    entries: &[JournalEntry],
    walk: Option<&WalkMark>,
) -> String {
    let call = &record.call;
    let reference = reference();
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
    let service = reference.service(&call.service).map(|s| s.label.as_str());
    out.push_str(&format!("Service : {}\n", labelled(service, &call.service)));
    let device = reference.device(&call.device).map(|d| d.label.as_str());
    out.push_str(&format!("Poste : {}\n", labelled(device, &call.device)));
    out.push_str(&format!("Objet : {}\n", call.summary));
    let outcome = match (call.status, call.outcome) {
        (_, Some(o)) => o.label(),
        (CallStatus::Open, None) => "appel en cours",
        (CallStatus::Closed, None) => "non donnée",
    };
    out.push_str(&format!("Issue : {outcome}\n"));
    if let Some(walk) = walk {
        out.push_str(&procedure_line(walk));
    }
    out.push_str("\nJournal :\n");
    journal_lines(&record.journal, entries, walk, &mut out);
    rich_text(&out)
}

/// A followup's content: the journal entries made since the last push, by their labels
/// (the closing with its outcome and its note, a correction with the outcome it replaces).
/// The hand-off closes it with the push's marker ([`sealed`]).
pub fn followup_content(record: &CallRecord, entries: &[JournalEntry]) -> String {
    let call = record.call.reference;
    let mut out = format!("Suite de l'appel {call} :\n");
    journal_lines(&record.journal, entries, None, &mut out);
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
