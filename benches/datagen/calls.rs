//! A desk's call history, as the console would have written it: two years of calls up to
//! now, more on weekdays and office hours (Europe/Paris) with each shift's own operators,
//! callers who call again, summaries in the words of the procedures; a journal per call
//! (opening, notes, procedure walks step by step, take-overs, closing with its outcome),
//! handover notes and their acknowledgements. Calls older than a day are closed; a few dozen
//! recent ones are still open (in progress, or waiting); nothing is dated after `now`.
//!
//! Every write is one of the [`Op`]s the `Store` API offers (insert_call, append_walk,
//! add_note, take_over, close_call, add_handover), in time order across calls. The bulk
//! load runs them through [`Writer`], the store's own statements prepared once in one
//! transaction, so that whatever the schema keeps beside a row (its triggers and every
//! index over it) is kept by the same SQL. [`check_against_store`] runs a small desk
//! through both `Writer` and the real `Store` and compares every table, so that a store
//! that starts writing something else (a new column, a search table filled from Rust) stops
//! the generator instead of leaving a file the console would not have written.

use super::names::{FIRST_NAMES, OPERATORS, SURNAMES};
use super::rng::{Rng, Weighted};
use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Timelike, Utc, Weekday};
use chrono_tz::Europe::Paris;
use guichet::domain::call::{CallDraft, CallRef, JournalKind, NewCall, Outcome};
use guichet::domain::holidays::public_holiday;
use guichet::domain::procedure::{Procedure, StepKind};
use guichet::domain::reference::Reference;
use guichet::domain::shifts::{ShiftPlan, ShiftWindow};
use guichet::domain::text::{digits, fold};
use guichet::domain::time::from_unix;
use guichet::domain::walk::{Move, Walk, WalkMark};
use guichet::store::{HandoverKind, PROPOSALS_KEPT, Store, WalkEntry};
use rusqlite::{Connection, OptionalExtension, Statement, params};
use std::collections::BinaryHeap;
use std::error::Error;
use std::path::Path;

type Res<T> = Result<T, Box<dyn Error>>;

/// How closed calls end, in proportion, when no procedure walked on them escalated them
/// (about one call in ten is): in all, about 70 % resolved, 12 % escalated, 8 % to call
/// back, 6 % transferred, 4 % abandoned.
const OUTCOMES: &[(Outcome, f64)] = &[
    (Outcome::Resolved, 70.0),
    (Outcome::Escalated, 3.0),
    (Outcome::Callback, 8.0),
    (Outcome::Transferred, 6.0),
    (Outcome::Abandoned, 4.0),
];

/// How much of the calls have a procedure walked on them, a note, a take-over.
const WALKED: f64 = 0.3;
/// One walked call in this many flags a step « à revoir ».
const FLAGGED_ONE_IN: i64 = 40;

/// What an operator writes on a step to review.
const FLAG_NOTES: &[&str] = &[
    "le texte ne dit pas quoi faire si l'agent est en télétravail",
    "étape à scinder : deux questions en une",
    "lien vers le portail mort",
    "l'appelant ne comprend pas ce qui est demandé",
];
const NOTED: f64 = 0.35;
const TAKEN_OVER: f64 = 0.03;
/// Still open, by age: in progress (not over yet) always; then waiting for something.
const OPEN_UNDER_3H: f64 = 0.04;
const OPEN_UNDER_DAY: f64 = 0.015;

const SINCE: &[&str] = &[
    " depuis ce matin",
    " depuis hier",
    " depuis la mise à jour",
    " après redémarrage",
    " depuis lundi",
    " en télétravail",
    " au bureau",
    " - urgent",
    " (rappel)",
];

const CANNOT: &[&str] = &[
    "ne peut plus se connecter",
    "n'arrive pas à imprimer",
    "ne peut pas ouvrir sa session",
    "impossible de lancer le VPN",
    "n'accède plus à sa messagerie",
    "ne trouve plus ses fichiers",
    "ne reçoit plus les appels",
    "ne peut pas rejoindre la réunion",
    "écran noir au démarrage",
    "demande comment installer",
];

const NOTES: &[&str] = &[
    "a redémarré le poste, même problème",
    "l'agent rappellera après sa réunion",
    "poste en 4G, connexion très lente",
    "message d'erreur lu par l'agent",
    "agent en télétravail, pas de câble réseau",
    "problème déjà signalé la semaine dernière",
    "vérifié avec l'agent : voyant du VPN bleu",
    "la carte agent est restée au bureau",
    "l'agent n'a pas son code PIN",
    "transmis au support local",
    "collègue du même service touché",
    "mot de passe changé ce matin",
];

const CLOSING_NOTES: &[&str] = &[
    "résolu après redémarrage",
    "l'agent a pu se connecter",
    "escaladé au 2e niveau",
    "pas de réponse au rappel",
    "procédure suivie jusqu'au bout, OK",
    "ticket ouvert chez le prestataire",
    "rappel prévu demain matin",
    "l'agent rappellera si le problème revient",
    "transféré à l'équipe réseau",
];

const EMAIL_DOMAINS: &[(&str, &str)] = &[
    ("mi", "interieur.gouv.fr"),
    ("social-direccte", "direccte.gouv.fr"),
    ("social-drdjscs", "jscs.gouv.fr"),
    ("mtes", "developpement-durable.gouv.fr"),
    ("acn-caen", "ac-caen.fr"),
    ("acn-rouen", "ac-rouen.fr"),
    ("gip-tn", "gip-tn.fr"),
];

const CALLBACK_NOTES: &[&str] = &[
    "rappeler l'agent demain matin",
    "rappel prévu à 14h, l'agent sera au bureau",
    "l'agent attend le retour du 2e niveau : le rappeler",
    "rappeler après le redémarrage du serveur",
    "rappel promis avant midi",
];

const HANDOVER_NOTES: &[&str] = &[
    "RAS",
    "deux agents à rappeler (voir la liste des rappels)",
    "VPN lent pour les agents en 4G depuis 15h",
    "messagerie indisponible une heure en début d'après-midi, rétablie",
    "imprimante du 2e étage en panne, ticket ouvert chez le prestataire",
    "plusieurs comptes COMU bloqués après les congés",
    "mise à jour NOEMI prévue cette nuit : prévenir les agents qui appellent",
    "ticket SETNA en attente pour un poste qui ne démarre plus",
    "appel escaladé au 2e niveau, réponse attendue demain",
    "beaucoup d'appels sur les mots de passe CRYHOD ce matin",
];

/// A caller of the desk: most calls come from people who called before.
struct Agent {
    name: String,
    phone: Option<String>,
    email: Option<String>,
    service: usize,
    device: usize,
}

fn phone(rng: &mut Rng) -> String {
    let mobile = rng.chance(0.4);
    let first = if mobile {
        *rng.pick(&["6", "7"])
    } else {
        *rng.pick(&["1", "2", "3", "4", "5", "9"])
    };
    let pairs: Vec<String> = (0..4).map(|_| format!("{:02}", rng.below(100))).collect();
    match rng.below(10) {
        0..=5 => format!("0{first} {}", pairs.join(" ")),
        6 => format!("0{first}.{}", pairs.join(".")),
        7 => format!("+33 {first} {}", pairs.join(" ")),
        _ => format!("0{first}{}", pairs.concat()),
    }
}

fn email_part(text: &str) -> String {
    fold(text)
        .chars()
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

struct Generator<'a> {
    services: Vec<&'a str>,
    devices: Vec<&'a str>,
    /// Per real procedure: the procedure and its title's first part.
    topics: Vec<(&'a Procedure, &'a str)>,
    topic_weights: Weighted,
    outcome_weights: Weighted,
    service_weights: Weighted,
    device_weights: Weighted,
    /// Each shift's operators (morning, evening, night) and how often each one answers.
    teams: [(&'static [&'static str], Weighted); 3],
}

impl Generator<'_> {
    /// What the operator types as the call's summary, and the procedure it is about.
    fn summary(&self, rng: &mut Rng, service: &str) -> (String, usize) {
        // Most calls are about a procedure that fits the caller's service.
        let mut index = self.topic_weights.sample(rng);
        for _ in 0..3 {
            if self.topics[index].0.services.includes(service) {
                break;
            }
            index = self.topic_weights.sample(rng);
        }
        let (p, head) = self.topics[index];
        let kw = |rng: &mut Rng| -> String {
            if p.keywords.is_empty() {
                head.to_string()
            } else {
                rng.pick(&p.keywords).clone()
            }
        };
        let text = match rng.below(20) {
            0..=5 => kw(rng),
            6..=8 => format!("{}{}", kw(rng), rng.pick(SINCE)),
            9..=11 => format!("{} / {}", kw(rng), kw(rng)),
            12..=14 => head.to_string(),
            15..=16 => format!("{} ({})", rng.pick(CANNOT), kw(rng)),
            17 => format!("rappel : {}", kw(rng)),
            _ => {
                let step = rng.pick(&p.steps);
                step.text
                    .split(['.', '?', ':'])
                    .next()
                    .unwrap_or(head)
                    .trim()
                    .to_string()
            }
        };
        // Operators typing fast drop accents and capitals half the time.
        let text = if rng.chance(0.5) { fold(&text) } else { text };
        let text = if text.trim().is_empty() {
            head.to_string()
        } else {
            text
        };
        (text, index)
    }

    fn agent(&self, rng: &mut Rng, first_names: &Weighted, surnames: &Weighted) -> Agent {
        let first = FIRST_NAMES[first_names.sample(rng)];
        let last = SURNAMES[surnames.sample(rng)];
        let name = match rng.below(20) {
            0..=15 => format!("{first} {last}"),
            16..=17 => format!("{} {first}", last.to_uppercase()),
            18 => format!("Mme {last}"),
            _ => format!("M. {last}"),
        };
        let service = self.service_weights.sample(rng);
        let mut device = self.device_weights.sample(rng);
        // NOEMI and SPAN are the Interior ministry's.
        if self.services[service] != "mi" && matches!(self.devices[device], "noemi" | "span") {
            device = self
                .devices
                .iter()
                .position(|d| *d == "pc-pro")
                .unwrap_or(0);
        }
        let domain = EMAIL_DOMAINS
            .iter()
            .find(|(s, _)| *s == self.services[service])
            .map_or("gouv.fr", |(_, d)| d);
        Agent {
            phone: rng.chance(0.85).then(|| phone(rng)),
            email: rng
                .chance(0.35)
                .then(|| format!("{}.{}@{domain}", email_part(first), email_part(last))),
            name,
            service,
            device,
        }
    }

    /// The team on duty at `at` (Paris time): morning 8h–16h, evening 16h–24h, night.
    fn team(&self, at: i64) -> usize {
        match from_unix(at).with_timezone(&Paris).hour() {
            8..=15 => 0,
            16..=23 => 1,
            _ => 2,
        }
    }

    fn operator(&self, rng: &mut Rng, team: usize) -> &'static str {
        let (names, weights) = &self.teams[team];
        names[weights.sample(rng)]
    }

    /// Another operator of the same team, when there is one.
    fn colleague(&self, rng: &mut Rng, team: usize, not: &str) -> &'static str {
        for _ in 0..8 {
            let o = self.operator(rng, team);
            if o != not {
                return o;
            }
        }
        self.teams[team]
            .0
            .iter()
            .find(|o| **o != not)
            .copied()
            .unwrap_or(self.teams[team].0[0])
    }
}

/// Weight of a day: weekdays, a quiet weekend, public holidays, summer and Christmas.
fn day_weight(day: NaiveDate) -> f64 {
    if public_holiday(day).is_some() {
        return 0.03;
    }
    let mut w = match day.weekday() {
        Weekday::Mon => 1.2,
        Weekday::Tue => 1.05,
        Weekday::Wed => 0.95,
        Weekday::Thu => 1.0,
        Weekday::Fri => 0.85,
        Weekday::Sat => 0.05,
        Weekday::Sun => 0.02,
    };
    if day.month() == 8 {
        w *= 0.55;
    }
    if day.month() == 12 && day.day() >= 22 {
        w *= 0.5;
    }
    if day.month() == 9 && day.day() <= 15 {
        w *= 1.4; // la rentrée
    }
    w
}

/// Weight of each local hour: the desk opens 8h–18h, with morning and afternoon peaks.
const HOUR_WEIGHTS: [f64; 24] = [
    0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.01, 0.25, 1.0, 1.6, 1.7, 1.4, 0.7, 0.8, 1.5, 1.5, 1.3, 0.9,
    0.25, 0.07, 0.02, 0.005, 0.0, 0.0,
];

/// One write of the console or of the command line, as the `Store` method of the same
/// name takes it.
#[derive(Debug, Clone)]
pub enum Op {
    /// `insert_proposed_call`: the call, its opening entry, its notes and the procedures the
    /// form proposed for it, best first.
    Call(NewCall, Vec<String>),
    /// `append_walk`: one move of a procedure walked on the call.
    Walk {
        call: CallRef,
        at: i64,
        operator: &'static str,
        kind: JournalKind,
        line: String,
        mark: WalkMark,
        escalated: bool,
    },
    /// `add_note`.
    Note {
        call: CallRef,
        at: i64,
        operator: &'static str,
        text: &'static str,
    },
    /// `take_over`.
    TakeOver {
        call: CallRef,
        at: i64,
        operator: &'static str,
    },
    /// `close_call`.
    Close {
        call: CallRef,
        at: i64,
        operator: &'static str,
        outcome: Outcome,
        note: Option<&'static str>,
    },
    /// `flag_step`: a step of the call's walk flagged « à revoir ».
    Flag {
        call: CallRef,
        at: i64,
        operator: &'static str,
        procedure: String,
        step: String,
        note: &'static str,
    },
    /// `answer_solved`: « résolu ? » answered at the end of the call's walk.
    Solved {
        call: CallRef,
        at: i64,
        operator: &'static str,
        procedure: String,
        solved: bool,
    },
    /// `add_handover`.
    Handover {
        kind: HandoverKind,
        at: i64,
        operator: &'static str,
        shift: ShiftWindow,
        text: String,
    },
}

impl Op {
    pub fn at(&self) -> i64 {
        match self {
            Op::Call(c, _) => c.opened_at.timestamp(),
            Op::Walk { at, .. }
            | Op::Flag { at, .. }
            | Op::Solved { at, .. }
            | Op::Note { at, .. }
            | Op::TakeOver { at, .. }
            | Op::Close { at, .. }
            | Op::Handover { at, .. } => *at,
        }
    }
}

/// Where the ops go: the store's statements (bulk load) or the `Store` itself.
pub trait Sink {
    /// Applies one op; a new call's reference for `Op::Call`.
    fn apply(&mut self, op: &Op) -> Res<Option<CallRef>>;
}

/// `calls.search_key` as `src/store/calls.rs` computes it.
pub fn search_key(name: &str, phone: Option<&str>) -> String {
    format!(
        "{}\u{1f}{}",
        fold(name),
        phone.map(digits).unwrap_or_default()
    )
}

/// `calls.search_text` as `src/store/calls.rs` computes it (the trigram index's text).
pub fn search_text(name: &str, phone: Option<&str>, summary: &str) -> String {
    format!(
        "{} {} {}",
        fold(name),
        phone.map(digits).unwrap_or_default(),
        fold(summary)
    )
}

/// The SQL of `src/store/calls.rs` and `src/store/report.rs`, statement for statement,
/// prepared once. Reads the store makes before a write (a call's status, its recorded
/// outcome, its handler) are made too where the write depends on them.
pub struct Writer<'c> {
    conn: &'c Connection,
    insert_call: Statement<'c>,
    append: Statement<'c>,
    append_walk: Statement<'c>,
    escalate: Statement<'c>,
    handler_of: Statement<'c>,
    set_handler: Statement<'c>,
    outcome_of: Statement<'c>,
    close: Statement<'c>,
    handover: Statement<'c>,
    propose: Statement<'c>,
    start_walk: Statement<'c>,
    latest_walk: Statement<'c>,
    walk_step: Statement<'c>,
    walk_end: Statement<'c>,
    flag: Statement<'c>,
    answer: Statement<'c>,
}

impl<'c> Writer<'c> {
    pub fn new(conn: &'c Connection) -> rusqlite::Result<Writer<'c>> {
        Ok(Writer {
            conn,
            insert_call: conn.prepare(
                "INSERT INTO calls (opened_at, operator, caller_name, caller_phone, caller_email, \
                 service, device, summary, status, search_key, handler, search_text) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'open', ?9, ?2, ?10)",
            )?,
            append: conn.prepare(
                "INSERT INTO journal (call_id, at, operator, kind, body) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?,
            append_walk: conn.prepare(
                "INSERT INTO journal (call_id, at, operator, kind, body, walk) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?,
            escalate: conn.prepare("UPDATE calls SET outcome = 'escalated' WHERE id = ?1")?,
            handler_of: conn.prepare("SELECT handler, operator FROM calls WHERE id = ?1")?,
            set_handler: conn.prepare("UPDATE calls SET handler = ?2 WHERE id = ?1")?,
            outcome_of: conn.prepare("SELECT outcome FROM calls WHERE id = ?1")?,
            close: conn.prepare(
                "UPDATE calls SET status = 'closed', closed_at = ?2, outcome = ?3 WHERE id = ?1",
            )?,
            handover: conn.prepare(
                "INSERT INTO handover_entries (at, operator, kind, shift_name, shift_from, shift_to, body) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?,
            // src/store/walk_records.rs
            propose: conn.prepare(
                "INSERT INTO call_proposals (call_id, rank, procedure) VALUES (?1, ?2, ?3) \
                 ON CONFLICT DO NOTHING",
            )?,
            start_walk: conn.prepare(
                "INSERT INTO walks (call_id, procedure, version, started_at, operator) \
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?,
            latest_walk: conn
                .prepare("SELECT max(id) FROM walks WHERE call_id = ?1 AND procedure = ?2")?,
            walk_step: conn.prepare(
                "INSERT INTO walk_steps (walk_id, step, answered, at) VALUES (?1, ?2, ?3, ?4) \
                 ON CONFLICT DO NOTHING",
            )?,
            walk_end: conn.prepare(
                "INSERT INTO walk_ends (walk_id, at, state) VALUES (?1, ?2, ?3) \
                 ON CONFLICT DO NOTHING",
            )?,
            flag: conn.prepare(
                "INSERT INTO step_flags (walk_id, step, note, operator, at) \
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?,
            answer: conn.prepare(
                "INSERT INTO walk_answers (walk_id, solved, operator, at) VALUES (?1, ?2, ?3, ?4)",
            )?,
        })
    }

    fn entry(
        &mut self,
        call: i64,
        at: i64,
        operator: &str,
        kind: JournalKind,
        body: &str,
    ) -> rusqlite::Result<()> {
        self.append
            .execute(params![call, at, operator, kind.slug(), body])
            .map(|_| ())
    }

    /// The latest walk of `procedure` on the call, as `walk_records::current_walk` reads it.
    fn latest_walk(&mut self, call: i64, procedure: &str) -> rusqlite::Result<Option<i64>> {
        self.latest_walk
            .query_row(params![call, procedure], |r| r.get(0))
    }

    /// `walk_records::record_move`.
    fn record_move(
        &mut self,
        call: i64,
        operator: &str,
        at: i64,
        kind: JournalKind,
        mark: &WalkMark,
        escalated: bool,
    ) -> rusqlite::Result<()> {
        let walk = match kind {
            JournalKind::Procedure => None,
            _ => self.latest_walk(call, &mark.procedure)?,
        };
        let walk = match walk {
            Some(id) => id,
            None => {
                self.start_walk.execute(params![
                    call,
                    mark.procedure,
                    mark.version.as_deref().unwrap_or_default(),
                    at,
                    operator
                ])?;
                self.conn.last_insert_rowid()
            }
        };
        for id in mark
            .done
            .iter()
            .filter(|id| !mark.skipped.contains_key(*id))
        {
            self.walk_step.execute(params![walk, id, 0, at])?;
            self.walk_step.execute(params![walk, id, 1, at])?;
        }
        match &mark.current {
            Some(id) => {
                self.walk_step.execute(params![walk, id, 0, at])?;
            }
            None if !mark.done.is_empty() => {
                let state = if escalated { "escalated" } else { "completed" };
                self.walk_end.execute(params![walk, at, state])?;
            }
            None => {}
        }
        Ok(())
    }
}

impl Sink for Writer<'_> {
    fn apply(&mut self, op: &Op) -> Res<Option<CallRef>> {
        match op {
            Op::Call(c, proposed) => {
                let at = c.opened_at.timestamp();
                self.insert_call.execute(params![
                    at,
                    c.operator,
                    c.caller_name,
                    c.caller_phone,
                    c.caller_email,
                    c.service,
                    c.device,
                    c.summary,
                    search_key(&c.caller_name, c.caller_phone.as_deref()),
                    search_text(&c.caller_name, c.caller_phone.as_deref(), &c.summary),
                ])?;
                let id = self.conn.last_insert_rowid();
                self.entry(id, at, &c.operator, JournalKind::Opened, &c.summary)?;
                if let Some(notes) = &c.notes {
                    self.entry(id, at, &c.operator, JournalKind::Note, notes)?;
                }
                for slug in &c.procedures {
                    self.entry(id, at, &c.operator, JournalKind::Procedure, slug)?;
                }
                // `walk_records::record_proposals`: each procedure once, the first three.
                let mut seen = std::collections::HashSet::new();
                let distinct = proposed.iter().filter(|slug| seen.insert(slug.as_str()));
                for (rank, slug) in distinct.take(PROPOSALS_KEPT).enumerate() {
                    self.propose.execute(params![id, rank as i64 + 1, slug])?;
                }
                return Ok(Some(CallRef(id)));
            }
            Op::Walk {
                call,
                at,
                operator,
                kind,
                line,
                mark,
                escalated,
            } => {
                let json = serde_json::to_string(mark).unwrap_or_default();
                self.append_walk
                    .execute(params![call.0, at, operator, kind.slug(), line, json])?;
                self.record_move(call.0, operator, *at, *kind, mark, *escalated)?;
                if *escalated {
                    self.escalate.execute([call.0])?;
                    self.entry(
                        call.0,
                        *at,
                        operator,
                        JournalKind::Outcome,
                        Outcome::Escalated.slug(),
                    )?;
                }
            }
            Op::Note {
                call,
                at,
                operator,
                text,
            } => self.entry(call.0, *at, operator, JournalKind::Note, text)?,
            Op::Flag {
                call,
                at,
                operator,
                procedure,
                step,
                note,
            } => {
                let walk = self
                    .latest_walk(call.0, procedure)?
                    .ok_or("a flag on a call without its walk")?;
                self.flag.execute(params![walk, step, note, operator, at])?;
                let line = format!("[{procedure}] étape {step} à revoir : {note}");
                self.entry(call.0, *at, operator, JournalKind::Note, &line)?;
            }
            Op::Solved {
                call,
                at,
                operator,
                procedure,
                solved,
            } => {
                let walk = self
                    .latest_walk(call.0, procedure)?
                    .ok_or("an answer on a call without its walk")?;
                self.answer
                    .execute(params![walk, i64::from(*solved), operator, at])?;
                let line = format!(
                    "[{procedure}] résolu : {}",
                    if *solved { "oui" } else { "non" }
                );
                self.entry(call.0, *at, operator, JournalKind::Note, &line)?;
            }
            Op::TakeOver { call, at, operator } => {
                let (handler, opener): (Option<String>, String) = self
                    .handler_of
                    .query_row([call.0], |r| Ok((r.get(0)?, r.get(1)?)))?;
                let previous = handler.unwrap_or(opener);
                self.set_handler.execute(params![call.0, operator])?;
                let note = format!("appel repris par {operator} (le tenait : {previous})");
                self.entry(call.0, *at, operator, JournalKind::Note, &note)?;
            }
            Op::Close {
                call,
                at,
                operator,
                outcome,
                note,
            } => {
                let recorded: Option<String> = self
                    .outcome_of
                    .query_row([call.0], |r| r.get(0))
                    .optional()?
                    .flatten();
                self.close.execute(params![call.0, at, outcome.slug()])?;
                if let Some(note) = note {
                    self.entry(call.0, *at, operator, JournalKind::Note, note)?;
                }
                if recorded.as_deref() != Some(outcome.slug()) {
                    self.entry(call.0, *at, operator, JournalKind::Outcome, outcome.slug())?;
                }
                self.entry(call.0, *at, operator, JournalKind::Status, "closed")?;
            }
            Op::Handover {
                kind,
                at,
                operator,
                shift,
                text,
            } => {
                self.handover.execute(params![
                    at,
                    operator,
                    match kind {
                        HandoverKind::Note => "note",
                        HandoverKind::Ack => "ack",
                    },
                    shift.name,
                    shift.from.timestamp(),
                    shift.to.timestamp(),
                    text
                ])?;
            }
        }
        Ok(None)
    }
}

/// The real `Store`, one method per op.
pub struct StoreSink<'s>(pub &'s mut Store);

impl Sink for StoreSink<'_> {
    fn apply(&mut self, op: &Op) -> Res<Option<CallRef>> {
        let store = &mut *self.0;
        match op {
            Op::Call(c, proposed) => {
                return Ok(Some(store.insert_proposed_call(c, proposed)?.reference));
            }
            Op::Flag {
                call,
                at,
                operator,
                procedure,
                step,
                note,
            } => store.flag_step(*call, operator, from_unix(*at), procedure, step, note)?,
            Op::Solved {
                call,
                at,
                operator,
                procedure,
                solved,
            } => store.answer_solved(*call, operator, from_unix(*at), procedure, *solved)?,
            Op::Walk {
                call,
                at,
                operator,
                kind,
                line,
                mark,
                escalated,
            } => store.append_walk(
                *call,
                operator,
                from_unix(*at),
                &WalkEntry {
                    kind: *kind,
                    line,
                    mark,
                    escalated: *escalated,
                },
            )?,
            Op::Note {
                call,
                at,
                operator,
                text,
            } => store.add_note(*call, operator, from_unix(*at), text)?,
            Op::TakeOver { call, at, operator } => {
                store.take_over(*call, operator, from_unix(*at))?;
            }
            Op::Close {
                call,
                at,
                operator,
                outcome,
                note,
            } => {
                store.close_call(*call, operator, from_unix(*at), *outcome, *note)?;
            }
            Op::Handover {
                kind,
                at,
                operator,
                shift,
                text,
            } => store.add_handover(*kind, operator, from_unix(*at), shift, text)?,
        }
        Ok(None)
    }
}

/// An op waiting for its time, in a min-heap on (time, order of creation).
struct Pending {
    at: i64,
    seq: u64,
    op: Op,
}

impl PartialEq for Pending {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.seq) == (other.at, other.seq)
    }
}
impl Eq for Pending {}
impl PartialOrd for Pending {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Pending {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (other.at, other.seq).cmp(&(self.at, self.seq))
    }
}

struct Queue {
    heap: BinaryHeap<Pending>,
    seq: u64,
}

impl Queue {
    fn push(&mut self, op: Op) {
        self.seq += 1;
        self.heap.push(Pending {
            at: op.at(),
            seq: self.seq,
            op,
        });
    }

    /// Applies every op due at or before `until`, oldest first.
    fn flush(&mut self, until: i64, sink: &mut dyn Sink, tally: &mut Generated) -> Res<()> {
        while self.heap.peek().is_some_and(|p| p.at <= until) {
            let p = self.heap.pop().expect("peeked");
            tally.count(&p.op);
            sink.apply(&p.op)?;
        }
        Ok(())
    }
}

/// What was generated.
#[derive(Debug, Default, Clone)]
pub struct Generated {
    pub calls: usize,
    pub open: usize,
    pub walks: usize,
    pub walk_moves: usize,
    pub notes: usize,
    pub take_overs: usize,
    /// Steps flagged « à revoir », « résolu ? » answered.
    pub flags: usize,
    pub answers: usize,
    pub handover_notes: usize,
    pub handover_acks: usize,
    pub outcomes: [usize; 5],
    pub oldest: i64,
    pub newest: i64,
    /// Journal entries (filled by `generate` from the file).
    pub journal: usize,
}

impl Generated {
    fn count(&mut self, op: &Op) {
        match op {
            Op::Call(..) => {}
            Op::Flag { .. } => self.flags += 1,
            Op::Solved { .. } => self.answers += 1,
            Op::Walk { kind, .. } => {
                if *kind == JournalKind::Procedure {
                    self.walks += 1;
                } else {
                    self.walk_moves += 1;
                }
            }
            Op::Note { .. } => self.notes += 1,
            Op::TakeOver { .. } => self.take_overs += 1,
            Op::Close { outcome, .. } => {
                let i = Outcome::ALL.iter().position(|o| o == outcome).unwrap_or(0);
                self.outcomes[i] += 1;
            }
            Op::Handover { kind, .. } => match kind {
                HandoverKind::Note => self.handover_notes += 1,
                HandoverKind::Ack => self.handover_acks += 1,
            },
        }
    }
}

/// How large a desk, over how long, up to when.
#[derive(Debug, Clone, Copy)]
pub struct Params {
    pub calls: usize,
    /// Days of history, today included.
    pub days: usize,
    pub seed: u64,
    pub now: DateTime<Utc>,
}

/// A value recorded at a walk's step (a ticket number, an asset tag…); a secret's value is
/// never kept, only that it was given.
fn recorded_value(rng: &mut Rng, label: &str) -> String {
    let label = fold(label);
    if label.contains("ticket") {
        format!("SETNA-{:06}", rng.below(1_000_000))
    } else if label.contains("nom") {
        rng.pick(SURNAMES).to_string()
    } else {
        format!("{:06}", rng.below(1_000_000))
    }
}

/// The walk of `procedure` on a call from `start`: its ops (time, kind, line, mark,
/// escalated) and whether it handed the call over.
#[allow(clippy::type_complexity)]
fn walk(
    rng: &mut Rng,
    procedure: &Procedure,
    start: i64,
) -> (Vec<(i64, JournalKind, String, WalkMark, bool)>, bool) {
    let mut walk = Walk::start(procedure.clone());
    let mut out = vec![(
        start,
        JournalKind::Procedure,
        procedure.slug.clone(),
        walk.mark(),
        false,
    )];
    // Some walks stop halfway: the caller hangs up, the operator goes on without it.
    let stop_after = if rng.chance(0.15) {
        rng.range(1, 4)
    } else {
        usize::MAX
    };
    let mut t = start;
    let mut escalated = false;
    for moves in 0..30 {
        let Some(current) = walk.current else {
            break;
        };
        if moves >= stop_after {
            break;
        }
        t += rng.range(15, 75) as i64;
        let mv = if moves > 0 && rng.chance(0.03) {
            Move::Back
        } else {
            match &walk.procedure.steps[current].kind {
                StepKind::Say | StepKind::Check => Move::Confirm,
                StepKind::Ask { .. } => Move::Answer(rng.chance(0.6)),
                StepKind::Record {
                    label,
                    secret,
                    optional,
                    ..
                } => {
                    if *optional && rng.chance(0.2) {
                        Move::Record(String::new())
                    } else if *secret {
                        Move::Record("secret".into())
                    } else {
                        Move::Record(recorded_value(rng, label))
                    }
                }
                StepKind::Escalate { .. } => Move::Escalate,
            }
        };
        let Some(effect) = walk.apply(&mv, from_unix(t)) else {
            continue;
        };
        let handed = effect.escalated_to.is_some();
        out.push((t, JournalKind::Step, effect.journal, walk.mark(), handed));
        if handed {
            escalated = true;
            break;
        }
    }
    (out, escalated)
}

/// Paris local `day` at `hour:minute:second`, in Unix seconds.
fn local(day: NaiveDate, hour: u32, minute: u32, second: u32) -> i64 {
    let naive = day.and_hms_opt(hour, minute, second).expect("valid time");
    Paris
        .from_local_datetime(&naive)
        .earliest()
        .map_or_else(|| naive.and_utc().timestamp(), |t| t.timestamp())
}

/// Runs a whole desk's writes through `sink`, in time order.
pub fn generate_ops(
    params: &Params,
    real: &[Procedure],
    reference: &Reference,
    sink: &mut dyn Sink,
) -> Res<Generated> {
    let n = params.calls;
    let now = params.now.timestamp();
    let mut rng = Rng::new(params.seed);
    let mut topic_rng = rng.fork(1);
    let mut ranks: Vec<usize> = (0..real.len()).collect();
    topic_rng.shuffle(&mut ranks);
    let team = |names: &'static [&'static str]| (names, Weighted::zipf(names.len(), 0.6));
    let generator = Generator {
        services: reference.services.iter().map(|s| s.slug.as_str()).collect(),
        devices: reference.devices.iter().map(|d| d.slug.as_str()).collect(),
        topics: real
            .iter()
            .map(|p| (p, p.title.split(" : ").next().unwrap_or(&p.title)))
            .collect(),
        topic_weights: Weighted::new(ranks.iter().map(|r| 1.0 / ((r + 1) as f64).powf(1.0))),
        outcome_weights: Weighted::new(OUTCOMES.iter().map(|(_, w)| *w)),
        service_weights: Weighted::new(
            reference
                .services
                .iter()
                .map(|s| super::service_weight(&s.slug)),
        ),
        device_weights: Weighted::new(
            reference
                .devices
                .iter()
                .map(|d| super::device_weight(&d.slug)),
        ),
        teams: [
            team(&OPERATORS[..16]),
            team(&OPERATORS[16..26]),
            team(&OPERATORS[26..]),
        ],
    };

    // Callers: about one for eight calls, some calling very often.
    let mut agent_rng = rng.fork(2);
    let first_names = Weighted::zipf(FIRST_NAMES.len(), 0.8);
    let surnames = Weighted::zipf(SURNAMES.len(), 0.9);
    let agents: Vec<Agent> = (0..(n / 8).max(50))
        .map(|_| generator.agent(&mut agent_rng, &first_names, &surnames))
        .collect();
    let agent_weights = Weighted::zipf(agents.len(), 0.75);

    // Opening times over the last `days` days, sorted so that references grow with time
    // as on a real desk; none later than a minute ago.
    let mut time_rng = rng.fork(3);
    let today = params.now.with_timezone(&Paris).date_naive();
    let first_day = today - Duration::days(params.days.max(1) as i64 - 1);
    let days: Vec<NaiveDate> = first_day.iter_days().take(params.days.max(1)).collect();
    let len = days.len() as f64;
    // The desk grows: two thirds more calls at the end than at the start.
    let day_weights = Weighted::new(
        days.iter()
            .enumerate()
            .map(|(i, d)| day_weight(*d) * (1.0 + 0.66 * i as f64 / len)),
    );
    let hour_weights = Weighted::new(HOUR_WEIGHTS);
    let latest = now - 60;
    let mut opened: Vec<i64> = (0..n)
        .map(|_| {
            for _ in 0..1000 {
                let day = days[day_weights.sample(&mut time_rng)];
                let hour = hour_weights.sample(&mut time_rng) as u32;
                let at = local(
                    day,
                    hour,
                    time_rng.below(60) as u32,
                    time_rng.below(60) as u32,
                );
                if at <= latest {
                    return at;
                }
            }
            latest
        })
        .collect();
    opened.sort_unstable();
    // The newest call came in a few minutes ago, whatever the hour.
    if let Some(last) = opened.last_mut()
        && *last < now - 600
    {
        *last = now - time_rng.range(90, 400) as i64;
    }

    let mut tally = Generated {
        calls: n,
        oldest: opened.first().copied().unwrap_or(now),
        newest: opened.last().copied().unwrap_or(now),
        ..Generated::default()
    };
    let mut queue = Queue {
        heap: BinaryHeap::new(),
        seq: 0,
    };

    // Handover: most shifts leave a note near their end, which the next shift's operator
    // acknowledges when they come in.
    let mut shift_rng = rng.fork(4);
    let plan = ShiftPlan::default_plan();
    let start = local(first_day, 0, 0, 0);
    let mut window = plan.current(params.now);
    // The shift that ended last always left one: it is the one the console shows.
    let mut last_ended = true;
    while window.from.timestamp() > start {
        let previous = plan.previous(&window);
        let to = window.to.timestamp();
        let t = generator.team(window.from.timestamp() + 60);
        let p = if t == 2 { 0.3 } else { 0.7 };
        let ended = to <= now;
        let forced = ended && std::mem::take(&mut last_ended);
        if ended && (shift_rng.chance(p) || forced) {
            let at = to - shift_rng.range(5 * 60, 25 * 60) as i64;
            let fragments = shift_rng.range(1, 3);
            let text = (0..fragments)
                .map(|_| *shift_rng.pick(HANDOVER_NOTES))
                .collect::<Vec<_>>()
                .join(" ; ");
            queue.push(Op::Handover {
                kind: HandoverKind::Note,
                at,
                operator: generator.operator(&mut shift_rng, t),
                shift: window.clone(),
                text,
            });
            let next = plan.next(&window);
            let ack_at = next.from.timestamp() + shift_rng.range(2 * 60, 20 * 60) as i64;
            if ack_at <= now && (shift_rng.chance(0.85) || forced) {
                let next_team = generator.team(next.from.timestamp() + 60);
                queue.push(Op::Handover {
                    kind: HandoverKind::Ack,
                    at: ack_at,
                    operator: generator.operator(&mut shift_rng, next_team),
                    shift: window.clone(),
                    text: String::new(),
                });
            }
        }
        if previous.from >= window.from {
            break;
        }
        window = previous;
    }

    for &at in &opened {
        queue.flush(at, sink, &mut tally)?;
        let agent = &agents[agent_weights.sample(&mut rng)];
        let service = generator.services[agent.service];
        let device = if rng.chance(0.8) {
            generator.devices[agent.device]
        } else {
            *rng.pick(&generator.devices)
        };
        let team = generator.team(at);
        let operator = generator.operator(&mut rng, team);
        let (summary, topic) = generator.summary(&mut rng, service);
        let notes = if rng.chance(0.08) {
            rng.pick(NOTES).to_string()
        } else {
            String::new()
        };
        let draft = CallDraft {
            caller_name: agent.name.clone(),
            caller_phone: agent.phone.clone().unwrap_or_default(),
            caller_email: agent.email.clone().unwrap_or_default(),
            service: service.into(),
            device: device.into(),
            summary,
            notes,
            procedures: Vec::new(),
            telephony_id: None,
        };
        let new = draft
            .validate(reference, operator, from_unix(at))
            .map_err(|e| format!("generated call refused by the form's checks: {e} ({draft:?})"))?;
        // What the form proposed: the call's topic first, then its neighbours in the
        // catalogue (no draw from the generator: the desk stays the same as before).
        let n = generator.topics.len();
        let proposed: Vec<String> = (0..PROPOSALS_KEPT)
            .map(|k| generator.topics[(topic + k) % n].0.slug.clone())
            .collect();
        let op = Op::Call(new, proposed);
        tally.count(&op);
        let call = sink
            .apply(&op)?
            .ok_or("the sink gave no reference for a new call")?;

        // What happens on the call after it is opened, in time order.
        let mut later: Vec<Op> = Vec::new();
        let mut t = at + rng.range(20, 60) as i64;
        let mut escalated = false;
        if rng.chance(WALKED) {
            let (moves, handed) = walk(&mut rng, generator.topics[topic].0, t);
            escalated = handed;
            let last = moves.last().map(|(_, _, _, mark, _)| mark.clone());
            for (when, kind, line, mark, esc) in moves {
                t = when;
                later.push(Op::Walk {
                    call,
                    at: when,
                    operator,
                    kind,
                    line,
                    mark,
                    escalated: esc,
                });
            }
            // Some walks flag the step they stopped on, some answer « résolu ? » at their
            // end: chosen by the call's number, not drawn, so that the rest of the desk
            // stays the same.
            if let Some(mark) = last {
                let procedure = mark.procedure.clone();
                let flagged = mark.current.clone().or_else(|| mark.done.last().cloned());
                if call.0 % FLAGGED_ONE_IN == 0
                    && let Some(step) = flagged
                {
                    later.push(Op::Flag {
                        call,
                        at: t,
                        operator,
                        procedure: procedure.clone(),
                        step,
                        note: FLAG_NOTES
                            [(call.0 as usize / FLAGGED_ONE_IN as usize) % FLAG_NOTES.len()],
                    });
                }
                if mark.current.is_none() && call.0 % 3 != 0 {
                    // Before the call is closed: it lasts 10 s at least after its walk.
                    later.push(Op::Solved {
                        call,
                        at: t + 5,
                        operator,
                        procedure,
                        solved: !handed,
                    });
                }
            }
        }
        // Calls last a few minutes (log-normal, median about 5 min), from tens of seconds
        // to an hour.
        let minutes = (1.6 + 0.8 * rng.normal()).exp().clamp(0.33, 60.0);
        let end = (at + (minutes * 60.0) as i64).max(t + rng.range(10, 40) as i64);
        let span = |rng: &mut Rng| at + 10 + rng.below((end - at - 10).max(1) as usize) as i64;
        if rng.chance(NOTED) {
            later.push(Op::Note {
                call,
                at: span(&mut rng),
                operator,
                text: NOTES[rng.below(NOTES.len())],
            });
        }
        let mut closer = operator;
        if rng.chance(TAKEN_OVER) {
            closer = generator.colleague(&mut rng, team, operator);
            later.push(Op::TakeOver {
                call,
                at: span(&mut rng),
                operator: closer,
            });
        }
        let age = now - at;
        let open = end > now - 20
            || (age < 3 * 3600 && rng.chance(OPEN_UNDER_3H))
            || (age < 24 * 3600 && rng.chance(OPEN_UNDER_DAY));
        if open {
            tally.open += 1;
        } else {
            let outcome = if escalated && rng.chance(0.95) {
                Outcome::Escalated
            } else {
                OUTCOMES[generator.outcome_weights.sample(&mut rng)].0
            };
            let note = if outcome == Outcome::Callback {
                rng.chance(0.8).then(|| *rng.pick(CALLBACK_NOTES))
            } else {
                rng.chance(0.4).then(|| *rng.pick(CLOSING_NOTES))
            };
            if closer == operator && rng.chance(0.1) {
                closer = generator.colleague(&mut rng, team, operator);
            }
            later.push(Op::Close {
                call,
                at: end,
                operator: closer,
                outcome,
                note,
            });
        }
        for op in later {
            // A call in progress has done only what it did until now.
            if op.at() <= now {
                queue.push(op);
            }
        }
    }
    queue.flush(i64::MAX, sink, &mut tally)?;
    Ok(tally)
}

/// Writes a desk of `params.calls` calls into the (migrated, empty) database at `path`,
/// in one transaction through the store's statements; the file is left in WAL mode, as the
/// console leaves it.
pub fn generate(
    path: &Path,
    params: &Params,
    real: &[Procedure],
    reference: &Reference,
) -> Res<Generated> {
    let mut conn = Connection::open(path)?;
    // A file being filled once: no rollback journal, no fsync, a big cache. The store's
    // connection has foreign keys on: so does this one.
    conn.execute_batch(
        "PRAGMA journal_mode = OFF;
         PRAGMA synchronous = OFF;
         PRAGMA foreign_keys = ON;
         PRAGMA cache_size = -400000;",
    )?;
    let tx = conn.transaction()?;
    let mut generated = {
        let mut writer = Writer::new(&tx)?;
        generate_ops(params, real, reference, &mut writer)?
    };
    tx.commit()?;
    let journal: i64 = conn.query_row("SELECT count(*) FROM journal", [], |r| r.get(0))?;
    generated.journal = journal as usize;
    // Handed over as a real one: WAL, as `Store::open` sets it.
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    if mode != "wal" {
        return Err(format!("the file stayed in journal mode {mode}, not wal").into());
    }
    conn.execute_batch("PRAGMA synchronous = FULL;")?;
    drop(conn);
    Ok(generated)
}

/// Every row of every table (the FTS5 ones and their shadow tables included), but the
/// migrations' own record, which holds when each was applied.
fn dump(conn: &Connection) -> Res<Vec<(String, Vec<Vec<rusqlite::types::Value>>)>> {
    let mut names: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    names.retain(|n| n != "schema_migrations");
    let mut out = Vec::new();
    for name in names {
        let mut stmt = conn.prepare(&format!("SELECT * FROM \"{name}\""))?;
        let columns = stmt.column_count();
        let mut rows: Vec<Vec<rusqlite::types::Value>> = stmt
            .query_map([], |r| {
                (0..columns)
                    .map(|i| r.get::<_, rusqlite::types::Value>(i))
                    .collect()
            })?
            .collect::<rusqlite::Result<_>>()?;
        rows.sort_by(|a, b| format!("{a:?}").cmp(&format!("{b:?}")));
        out.push((name, rows));
    }
    Ok(out)
}

/// A small desk written once through the real `Store` and once through [`Writer`]: every
/// table must come out the same. Run before a bulk load; an error says which table differs.
pub fn check_against_store(
    real: &[Procedure],
    reference: &Reference,
    now: DateTime<Utc>,
) -> Res<()> {
    // On a memory file system when there is one: the store syncs every write.
    let base = Path::new("/dev/shm");
    let dir = if base.is_dir() {
        tempfile::Builder::new()
            .prefix("guichet-datagen")
            .tempdir_in(base)?
    } else {
        tempfile::Builder::new()
            .prefix("guichet-datagen")
            .tempdir()?
    };
    let params = Params {
        calls: 150,
        days: 4,
        seed: 7,
        now,
    };
    let by_store = dir.path().join("store.db");
    {
        let mut store = Store::open(&by_store)?;
        generate_ops(&params, real, reference, &mut StoreSink(&mut store))?;
    }
    let by_writer = dir.path().join("writer.db");
    drop(Store::open(&by_writer)?);
    generate(&by_writer, &params, real, reference)?;
    let a = dump(&Connection::open(&by_store)?)?;
    let b = dump(&Connection::open(&by_writer)?)?;
    let tables = |d: &[(String, Vec<Vec<rusqlite::types::Value>>)]| {
        d.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>()
    };
    if tables(&a) != tables(&b) {
        return Err(format!(
            "the store's file has tables {:?}, the generator's {:?}",
            tables(&a),
            tables(&b)
        )
        .into());
    }
    for ((name, ra), (_, rb)) in a.iter().zip(&b) {
        // Every desk makes its own identity when its file is created (the GLPI marker):
        // two files, two identities, one row each.
        let differs = if name == "desk_identity" {
            ra.len() != rb.len()
        } else {
            ra != rb
        };
        if differs {
            let first = ra
                .iter()
                .zip(rb)
                .find(|(x, y)| x != y)
                .map(|(x, y)| format!("store {x:?}\n  generator {y:?}"))
                .unwrap_or_else(|| format!("{} rows against {}", ra.len(), rb.len()));
            return Err(format!(
                "table {name} differs between what the Store writes and what the generator \
                 writes (update benches/datagen/calls.rs to the store's SQL):\n  {first}"
            )
            .into());
        }
    }
    Ok(())
}
