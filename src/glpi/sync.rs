//! Sending the outbox: exactly one ticket per call, and each followup once, whatever the
//! network does.
//!
//! - **One sender per call.** A push is claimed in the store (« sending », one more
//!   attempt, committed) before any request, and only a call's oldest push not sent can be
//!   claimed: across processes, consoles and sites, on both engines, a call has one sender
//!   at a time and its pushes go in order. A claim whose process is gone (this machine) or
//!   that outlived a few time limits (any machine) is taken over.
//! - **En doute.** Right before a creating request (`POST Ticket`, `POST ITILFollowup`) the
//!   push is written « en doute » until two time limits later: the request's answer may
//!   come up to one time limit after it began, and GLPI is given one more to finish what it
//!   began after its client gave up. That write is fenced by the claim (a sender whose
//!   claim was taken over sends nothing). A lost answer (time limit, connection cut, kill,
//!   a server error, an answer without a valid id) leaves the push in doubt: nothing is
//!   created again for it until a search made at or after that time has looked for what
//!   the request may have created, by its marker ([`super::Marker`]): the ticket's name
//!   begins with it, a followup ends with it. Found: recorded, not sent again. This relies
//!   on GLPI having stored, by then, what it was sent (a request still running in GLPI two
//!   time limits after it began is not seen), and on nobody renaming the ticket.
//! - **GLPI down.** The first network failure (nothing reached GLPI, or no answer) ends the
//!   run: the pushes after it wait, said in one sentence. A run costs at most one time
//!   limit when GLPI is down.
//!
//! A call's ticket number is written once (`glpi_ticket IS NULL` in the update): a call
//! never gets a second one.

use super::client::{Client, GlpiError, Item};
use super::marker::Marker;
use super::settings::Settings;
use super::{followup_content, sealed, ticket_content, ticket_name};
use crate::domain::call::CallRef;
use crate::domain::time::paris;
use crate::store::{GLPI_OPERATOR, OutboxEntry, Store, StoreError};
use chrono::{DateTime, Utc};
use std::time::Duration;

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

/// A push « en doute »: GLPI may have received it; nothing is sent again for its call
/// before GLPI is searched, from `after` on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Doubt {
    pub call: CallRef,
    pub after: DateTime<Utc>,
    /// Why this run left it in doubt (its answer lost now); `None`: it was already, and
    /// its time has not come.
    pub why: Option<String>,
}

impl Doubt {
    /// One French sentence: what happened, and from when GLPI is looked at.
    pub fn sentence(&self) -> String {
        let when = paris(self.after, "%H:%M:%S");
        match &self.why {
            Some(why) => format!(
                "{} : envoi en doute ({why}) : rien ne sera renvoyé avant une vérification \
                 dans GLPI, possible à partir de {when}",
                self.call
            ),
            None => format!(
                "{} : envoi en doute, rien n'est renvoyé avant une vérification dans GLPI, \
                 possible à partir de {when}",
                self.call
            ),
        }
    }
}

/// What a sync did.
#[derive(Debug, Default)]
pub struct SyncReport {
    pub sent: Vec<Sent>,
    /// Pushes GLPI refused, each with its sentence (kept in the outbox).
    pub failed: Vec<(CallRef, String)>,
    /// Pushes in doubt (kept in the outbox).
    pub doubt: Vec<Doubt>,
    /// Pushes left waiting: behind a failed one of the same call, or being sent by
    /// another process.
    pub left: Vec<CallRef>,
    /// GLPI could not be reached (or did not answer): the run stopped there. One
    /// sentence: « GLPI injoignable : N envois attendent (why) ».
    pub unreachable: Option<String>,
}

impl SyncReport {
    /// The earliest time a push in doubt can be settled, if any is.
    pub fn next_check(&self) -> Option<DateTime<Utc>> {
        self.doubt.iter().map(|d| d.after).min()
    }
}

/// Who claims a push: this machine and this process.
fn claimer() -> String {
    format!("{}:{}", host_name(), std::process::id())
}

fn host_name() -> String {
    whoami::hostname().unwrap_or_else(|_| "?".into())
}

/// How long after a creating request began a search can see what it did: its answer may
/// come one time limit after it began, and GLPI is given one more.
fn doubt_span(timeout: Duration) -> chrono::Duration {
    chrono::Duration::seconds(2 * timeout.as_secs() as i64)
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

/// « GLPI injoignable : N envois attendent (why) ».
fn unreachable(waiting: usize, why: &str) -> String {
    let waits = if waiting == 1 {
        "1 envoi attend".to_string()
    } else {
        format!("{waiting} envois attendent")
    };
    format!("GLPI injoignable : {waits} ({why})")
}

/// Sends the pushes waiting (only those of `only` when given), oldest first: a call's
/// later pushes wait behind one of its that failed or is in doubt. Store errors stop the
/// sync; GLPI's errors are kept on the push, in its outbox row, and reported; the first
/// network failure ends the run.
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
    let marker = Marker::new(&store.glpi_desk_marker()?);
    let mut client = Client::new(settings);
    let me = claimer();
    let mut blocked: Vec<CallRef> = Vec::new();
    for entry in &waiting {
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
        let call = entry.call;
        let mut push = Push {
            store,
            client: &mut client,
            settings,
            marker: &marker,
            entry: &entry,
            me: &me,
            horizon: None,
        };
        let done = push.send();
        let horizon = push.horizon.or(entry.doubt_after);
        match done {
            Ok(sent) => report.sent.push(sent),
            Err(Failure::NotYet(after)) => {
                let doubt = Doubt {
                    call,
                    after,
                    why: None,
                };
                store.glpi_failed(entry.id, &doubt.sentence())?;
                blocked.push(call);
                report.doubt.push(doubt);
            }
            Err(Failure::ClaimLost) => {
                blocked.push(call);
                report.left.push(call);
            }
            Err(Failure::Glpi(e)) => {
                blocked.push(call);
                match horizon {
                    Some(after) if e.doubt => {
                        let doubt = Doubt {
                            call,
                            after,
                            why: Some(e.sentence.clone()),
                        };
                        store.glpi_failed(entry.id, &doubt.sentence())?;
                        report.doubt.push(doubt);
                    }
                    _ => {
                        store.glpi_failed(entry.id, &e.sentence)?;
                        report.failed.push((call, e.sentence.clone()));
                    }
                }
                if e.network() {
                    client.abandon();
                    let left = waiting.len() - report.sent.len();
                    report.unreachable = Some(unreachable(left, &e.sentence));
                    return Ok(report);
                }
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
    /// In doubt, and its time has not come: nothing asked.
    NotYet(DateTime<Utc>),
    /// Another sender took the push over (this one was thought gone): nothing sent.
    ClaimLost,
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

/// One claimed push on its way.
struct Push<'s, 'c, 'a> {
    store: &'s mut Store,
    client: &'c mut Client<'a>,
    settings: &'a Settings,
    marker: &'s Marker,
    entry: &'s OutboxEntry,
    me: &'s str,
    /// The doubt this try wrote, if it sent a creating request.
    horizon: Option<DateTime<Utc>>,
}

impl Push<'_, '_, '_> {
    /// Whether what an earlier try may have created must be looked for first: `Err` when
    /// that cannot be known yet.
    // An edge: a doubt is settled by the time the search is made.
    #[allow(clippy::disallowed_methods)]
    fn must_look(&self) -> Result<bool, Failure> {
        match self.entry.doubt_after {
            None => Ok(false),
            Some(after) if Utc::now() < after => Err(Failure::NotYet(after)),
            Some(_) => Ok(true),
        }
    }

    /// Writes the push « en doute » right before a creating request (fenced by the
    /// claim): `ClaimLost` when the push is no longer this sender's.
    // An edge: the doubt is measured from the time the request is sent.
    #[allow(clippy::disallowed_methods)]
    fn doubt(
        store: &mut Store,
        entry: &OutboxEntry,
        me: &str,
        timeout: Duration,
        horizon: &mut Option<DateTime<Utc>>,
    ) -> Result<(), Failure> {
        let after = Utc::now() + doubt_span(timeout);
        if !store.glpi_doubt(entry.id, me, entry.attempts, after)? {
            return Err(Failure::ClaimLost);
        }
        *horizon = Some(after);
        Ok(())
    }

    // An edge: what GLPI answered is journaled at the time it answered.
    #[allow(clippy::disallowed_methods)]
    fn send(&mut self) -> Result<Sent, Failure> {
        let entry = self.entry;
        let call = entry.call;
        let record = self.store.get_call(call)?;
        let now = Utc::now;
        match record.call.glpi_ticket {
            None => {
                let mark = self.marker.ticket(call);
                if self.must_look()? {
                    let names = |name: &str| self.marker.names(call, name);
                    if let Some(ticket) = self.client.find_ticket(&names, &mark)? {
                        self.store.glpi_ticket_recorded(
                            entry.id,
                            call,
                            ticket,
                            GLPI_OPERATOR,
                            now(),
                        )?;
                        return Ok(Sent::Found { call, ticket });
                    }
                }
                let entries = self.store.glpi_entries(call, 0, entry.through_entry)?;
                let walk = self.store.last_walk(call)?;
                let request_type = self.client.request_type_id(&self.settings.request_type)?;
                let item = Item::Ticket {
                    name: ticket_name(&mark, &record),
                    content: sealed(&ticket_content(&record, &entries, walk.as_ref()), &mark),
                    request_type,
                    urgency: self.settings.urgency,
                    category: self.settings.categories.get(&record.call.service).copied(),
                };
                let (store, me, timeout) = (&mut *self.store, self.me, self.settings.timeout);
                let horizon = &mut self.horizon;
                let ticket = self.client.create(&item, &mut || {
                    Self::doubt(store, entry, me, timeout, horizon)
                })?;
                self.store
                    .glpi_ticket_recorded(entry.id, call, ticket, GLPI_OPERATOR, now())?;
                Ok(Sent::Ticket { call, ticket })
            }
            Some(ticket) => {
                let entries =
                    self.store
                        .glpi_entries(call, entry.after_entry, entry.through_entry)?;
                let mark = self.marker.followup(call, entry.id);
                if entries.is_empty() {
                    self.store.glpi_followup_sent(entry.id, ticket, now())?;
                    return Ok(Sent::Followup {
                        call,
                        ticket,
                        entries: 0,
                    });
                }
                if self.must_look()? && self.client.has_followup(ticket, &mark)? {
                    self.store.glpi_followup_sent(entry.id, ticket, now())?;
                    return Ok(Sent::Found { call, ticket });
                }
                let (store, me, timeout) = (&mut *self.store, self.me, self.settings.timeout);
                let horizon = &mut self.horizon;
                let item = Item::Followup {
                    ticket,
                    content: sealed(&followup_content(&record, &entries), &mark),
                };
                self.client.create(&item, &mut || {
                    Self::doubt(store, entry, me, timeout, horizon)
                })?;
                self.store.glpi_followup_sent(entry.id, ticket, now())?;
                Ok(Sent::Followup {
                    call,
                    ticket,
                    entries: entries.len(),
                })
            }
        }
    }
}
