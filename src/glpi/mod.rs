//! The GLPI hand-off: an escalated call becomes a ticket in the desk's GLPI, through its
//! documented REST API (`apirest.php`), and the entries of its journal made since become
//! followups of that ticket. What waits to be sent is kept in the store's outbox
//! ([`crate::store::OutboxEntry`]); [`sync`] sends it, in order.
//!
//! Exactly once, even under `kill -9`: a push is claimed in the store (« sending », one
//! more attempt, committed) *before* its request to GLPI, and every request carries a
//! marker unique to what it creates (`[guichet A-0042]` in the ticket's name and content,
//! `[guichet A-0042 envoi 7]` in a followup). A push tried before (attempts > 1: a crash,
//! a timeout or a lost answer after GLPI may have created it) first looks its marker up in
//! GLPI and records what it finds instead of creating it again. This relies on GLPI
//! answering 201 only once the item is stored (so a later search sees it), and on nobody
//! removing the marker from the ticket in GLPI between the crash and the retry. A call's
//! ticket number is written once (`glpi_ticket IS NULL` in the update): a call never gets
//! a second ticket.

mod client;

pub use client::{Client, GlpiError};

use crate::catalog::embedded_reference;
use crate::config::GlpiConfig;
use crate::domain::call::{
    CallRecord, CallRef, CallStatus, JournalEntry, JournalKind, Outcome, journal_outcome,
};
use crate::domain::reference::Reference;
use crate::domain::text::named;
use crate::domain::time::paris;
use crate::domain::walk::WalkMark;
use crate::store::{GLPI_OPERATOR, OutboxEntry, Store, StoreError};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::sync::OnceLock;
use std::time::Duration;
use zeroize::Zeroizing;

/// The environment variable holding the GLPI user token (before `user_token_file`).
pub const USER_TOKEN_ENV: &str = "GUICHET_GLPI_USER_TOKEN";

/// The `[glpi]` table checked, with the user token read: ready to talk to GLPI.
pub struct Settings {
    /// The API root, without a trailing slash: `https://…/apirest.php`.
    pub url: String,
    pub app_token: String,
    pub request_type: String,
    pub urgency: u8,
    pub categories: BTreeMap<String, i64>,
    pub timeout: Duration,
    user_token: Zeroizing<String>,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("url", &self.url)
            .field("request_type", &self.request_type)
            .finish_non_exhaustive()
    }
}

impl Settings {
    /// Checks the `[glpi]` table (absent: one sentence saying how to add it) and reads the
    /// user token: `GUICHET_GLPI_USER_TOKEN`, else `user_token_file`, which must be
    /// readable by its owner only. Errors are one sentence, never with the token.
    pub fn resolve(config: Option<&GlpiConfig>) -> Result<Settings, String> {
        let Some(config) = config else {
            return Err(
                "aucune table [glpi] dans config.toml : y donner au moins url et \
                        app_token (voir le README, « GLPI »)"
                    .into(),
            );
        };
        let url = config.url.trim().trim_end_matches('/').to_string();
        let scheme_ok = url.starts_with("https://") || url.starts_with("http://");
        if !scheme_ok || !url.ends_with("/apirest.php") {
            return Err(format!(
                "url GLPI « {} » invalide dans [glpi] : donner la racine de l'API, en http(s) \
                 et terminée par apirest.php (https://glpi.exemple.gouv.fr/apirest.php)",
                named(&config.url)
            ));
        }
        if !(1..=5).contains(&config.urgency) {
            return Err(format!(
                "urgency {} invalide dans [glpi] : de 1 (très basse) à 5 (très haute)",
                config.urgency
            ));
        }
        if config.app_token.trim().is_empty() {
            return Err(
                "app_token vide dans [glpi] : donner le jeton de l'application \
                        (Configuration > Générale > API dans GLPI)"
                    .into(),
            );
        }
        let user_token = read_user_token(config)?;
        Ok(Settings {
            url,
            app_token: config.app_token.trim().to_string(),
            request_type: config.request_type.clone(),
            urgency: config.urgency,
            categories: config.categories.clone(),
            timeout: Duration::from_secs(config.timeout_seconds.clamp(1, 120)),
            user_token,
        })
    }

    pub(crate) fn user_token(&self) -> &str {
        &self.user_token
    }
}

fn read_user_token(config: &GlpiConfig) -> Result<Zeroizing<String>, String> {
    if let Ok(token) = std::env::var(USER_TOKEN_ENV) {
        let token = Zeroizing::new(token);
        if !token.trim().is_empty() {
            return Ok(Zeroizing::new(token.trim().to_string()));
        }
    }
    let Some(path) = &config.user_token_file else {
        return Err(format!(
            "aucun jeton utilisateur GLPI : le donner dans {USER_TOKEN_ENV} ou dans un \
             fichier lisible par son seul propriétaire (user_token_file dans [glpi])"
        ));
    };
    use std::os::unix::fs::MetadataExt;
    let shown = path.display().to_string();
    let meta = std::fs::metadata(path)
        .map_err(|e| format!("fichier du jeton GLPI {} illisible : {e}", named(&shown)))?;
    if !meta.is_file() {
        return Err(format!(
            "le jeton GLPI {} n'est pas un fichier",
            named(&shown)
        ));
    }
    if meta.mode() & 0o077 != 0 {
        return Err(format!(
            "le fichier du jeton GLPI {} est lisible par d'autres que son propriétaire \
             (mode {:04o}) : le protéger (chmod 600)",
            named(&shown),
            meta.mode() & 0o7777
        ));
    }
    let text = Zeroizing::new(
        std::fs::read_to_string(path)
            .map_err(|e| format!("fichier du jeton GLPI {} illisible : {e}", named(&shown)))?,
    );
    let token = text.trim();
    if token.is_empty() {
        return Err(format!(
            "le fichier du jeton GLPI {} est vide",
            named(&shown)
        ));
    }
    Ok(Zeroizing::new(token.to_string()))
}

/// The marker of a call's ticket, in its name and its content.
pub fn ticket_marker(call: CallRef) -> String {
    format!("[guichet {call}]")
}

/// The marker of one push sent as a followup.
pub fn followup_marker(call: CallRef, outbox_id: i64) -> String {
    format!("[guichet {call} envoi {outbox_id}]")
}

/// The ticket's title: the marker and the call's summary.
pub fn ticket_name(record: &CallRecord) -> String {
    let name = format!(
        "{} {}",
        ticket_marker(record.call.reference),
        record.call.summary
    );
    name.chars().take(250).collect()
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
/// journals only that it was given).
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
    out.push_str(&format!("\n{}\n", ticket_marker(call.reference)));
    rich_text(&out)
}

/// A followup's content: the journal entries made since the last push, by their labels
/// (the closing with its outcome and its note, a correction with the outcome it replaces).
pub fn followup_content(record: &CallRecord, outbox_id: i64, entries: &[JournalEntry]) -> String {
    let call = record.call.reference;
    let mut out = format!("Suite de l'appel {call} :\n");
    journal_lines(&record.journal, entries, None, &mut out);
    out.push_str(&format!("\n{}\n", followup_marker(call, outbox_id)));
    rich_text(&out)
}

/// Text as GLPI's rich text shows it: `&`, `<` and `>` escaped (what the caller or an
/// operator typed stays text), one `<br>` per line break (GLPI runs plain newlines
/// together). The markers hold none of these characters: a search finds them as sent.
pub fn rich_text(text: &str) -> String {
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

/// What one push did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sent {
    /// A new ticket.
    Ticket { call: CallRef, ticket: i64 },
    /// Entries added to the call's ticket.
    Followup {
        call: CallRef,
        ticket: i64,
        entries: usize,
    },
    /// Tried before (killed, timed out) and found in GLPI: recorded, not sent again.
    Found { call: CallRef, ticket: i64 },
}

impl Sent {
    /// One French line saying what was sent.
    pub fn sentence(&self) -> String {
        match self {
            Sent::Ticket { call, ticket } => format!("{call} : ticket GLPI n° {ticket} créé"),
            Sent::Followup {
                call,
                ticket,
                entries,
            } => format!(
                "{call} : {entries} entrée(s) de journal ajoutée(s) au ticket GLPI n° {ticket}"
            ),
            Sent::Found { call, ticket } => format!(
                "{call} : déjà reçu par GLPI (ticket n° {ticket}), enregistré sans le renvoyer"
            ),
        }
    }
}

/// What a sync did.
#[derive(Debug, Default)]
pub struct SyncReport {
    pub sent: Vec<Sent>,
    /// Pushes that failed, each with its sentence (kept in the outbox).
    pub failed: Vec<(CallRef, String)>,
    /// Pushes left waiting: behind a failed one of the same call, or being sent by
    /// another process.
    pub left: Vec<CallRef>,
}

/// Who claims a push: this machine and this process.
fn claimer() -> String {
    format!("{}:{}", host_name(), std::process::id())
}

fn host_name() -> String {
    whoami::hostname().unwrap_or_else(|_| "?".into())
}

/// Whether a push claimed as « sending » was left by a process that is gone: one of this
/// machine whose process no longer runs, or any claim older than a few request timeouts.
fn abandoned(entry: &OutboxEntry, now: DateTime<Utc>, timeout: Duration) -> bool {
    let lease = chrono::Duration::seconds(4 * timeout.as_secs() as i64 + 30);
    if entry.claimed_at.is_none_or(|at| now - at > lease) {
        return true;
    }
    let Some((host, pid)) = entry.claimed_by.as_deref().and_then(|c| c.rsplit_once(':')) else {
        return true;
    };
    let Ok(pid) = pid.parse::<i32>() else {
        return true;
    };
    if host != host_name() || pid as u32 == std::process::id() {
        return false;
    }
    // No process has an id of 0 or below (kill would name a group): such a claim is no
    // guichet's, abandoned like one that does not parse.
    let Some(pid) = rustix::process::Pid::from_raw(pid) else {
        return true;
    };
    // Signal 0 only checks that the process exists; EPERM: it does, another user's.
    let alive = matches!(
        rustix::process::test_kill_process(pid),
        Ok(()) | Err(rustix::io::Errno::PERM)
    );
    !alive
}

/// Sends the pushes waiting (only those of `only` when given), oldest first: a call's
/// later pushes wait behind one of its that failed. Store errors stop the sync; GLPI's
/// errors are kept on the push, in its outbox row, and reported.
// An edge: each push is claimed, and its lease measured, at the time it is sent.
#[allow(clippy::disallowed_methods)]
pub fn sync(
    store: &mut Store,
    settings: &Settings,
    only: Option<CallRef>,
) -> Result<SyncReport, StoreError> {
    let mut report = SyncReport::default();
    let waiting = store.glpi_waiting(only)?;
    if waiting.is_empty() {
        return Ok(report);
    }
    let mut client = Client::new(settings);
    let me = claimer();
    let mut blocked: Vec<CallRef> = Vec::new();
    for entry in waiting {
        if blocked.contains(&entry.call) {
            report.left.push(entry.call);
            continue;
        }
        let now = Utc::now();
        let claimed =
            store.glpi_claim(entry.id, &me, now, &|e| abandoned(e, now, settings.timeout))?;
        let Some(entry) = claimed else {
            blocked.push(entry.call);
            report.left.push(entry.call);
            continue;
        };
        match send_one(store, &mut client, settings, &entry) {
            Ok(sent) => report.sent.push(sent),
            Err(Failure::Glpi(e)) => {
                let sentence = e.to_string();
                store.glpi_failed(entry.id, &sentence)?;
                blocked.push(entry.call);
                report.failed.push((entry.call, sentence));
            }
            Err(Failure::Store(e)) => return Err(e),
        }
    }
    client.close();
    Ok(report)
}

enum Failure {
    Glpi(GlpiError),
    Store(StoreError),
}

impl From<GlpiError> for Failure {
    fn from(e: GlpiError) -> Self {
        Failure::Glpi(e)
    }
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        Failure::Store(e)
    }
}

// An edge: what GLPI answered is journaled at the time it answered.
#[allow(clippy::disallowed_methods)]
fn send_one(
    store: &mut Store,
    client: &mut Client,
    settings: &Settings,
    entry: &OutboxEntry,
) -> Result<Sent, Failure> {
    let record = store.get_call(entry.call)?;
    let call = entry.call;
    // Tried before: GLPI may hold what that try sent (killed after GLPI answered, a lost
    // answer, a timeout): look for it first.
    let retry = entry.attempts > 1;
    let now = Utc::now;
    match record.call.glpi_ticket {
        None => {
            if retry && let Some(ticket) = client.find_ticket(&ticket_marker(call))? {
                store.glpi_ticket_recorded(entry.id, call, ticket, GLPI_OPERATOR, now())?;
                return Ok(Sent::Found { call, ticket });
            }
            let entries = store.glpi_entries(call, 0, entry.through_entry)?;
            let walk = store.last_walk(call)?;
            let requesttypes_id = client.request_type_id(&settings.request_type)?;
            let mut input = serde_json::json!({
                "name": ticket_name(&record),
                "content": ticket_content(&record, &entries, walk.as_ref()),
                "requesttypes_id": requesttypes_id,
                "urgency": settings.urgency,
            });
            if let Some(category) = settings.categories.get(&record.call.service) {
                input["itilcategories_id"] = (*category).into();
            }
            let ticket = client.create("Ticket", input)?;
            store.glpi_ticket_recorded(entry.id, call, ticket, GLPI_OPERATOR, now())?;
            Ok(Sent::Ticket { call, ticket })
        }
        Some(ticket) => {
            let entries = store.glpi_entries(call, entry.after_entry, entry.through_entry)?;
            let marker = followup_marker(call, entry.id);
            if entries.is_empty() {
                store.glpi_followup_sent(entry.id, ticket, now())?;
                return Ok(Sent::Followup {
                    call,
                    ticket,
                    entries: 0,
                });
            }
            if retry && client.has_followup(ticket, &marker)? {
                store.glpi_followup_sent(entry.id, ticket, now())?;
                return Ok(Sent::Found { call, ticket });
            }
            client.create(
                "ITILFollowup",
                serde_json::json!({
                    "itemtype": "Ticket",
                    "items_id": ticket,
                    "content": followup_content(&record, entry.id, &entries),
                }),
            )?;
            store.glpi_followup_sent(entry.id, ticket, now())?;
            Ok(Sent::Followup {
                call,
                ticket,
                entries: entries.len(),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rich_text_keeps_typed_text_inert_and_its_lines() {
        assert_eq!(rich_text("a <b> & c\nd\n"), "a &lt;b&gt; &amp; c<br>\nd");
        assert_eq!(rich_text(&ticket_marker(CallRef(42))), "[guichet A-0042]");
        assert_eq!(
            rich_text(&followup_marker(CallRef(42), 7)),
            "[guichet A-0042 envoi 7]"
        );
    }
}
