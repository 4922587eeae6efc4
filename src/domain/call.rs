//! Calls, their journal, and the rules a new call must meet before it is stored.

use super::reference::Reference;
use super::text::{digits, normalize_spaces};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use thiserror::Error;

/// The reference an operator reads aloud: "A-0042". The number is the call's row id, so it
/// is unique across operators without coordination.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CallRef(pub i64);

impl fmt::Display for CallRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "A-{:04}", self.0)
    }
}

impl Serialize for CallRef {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[derive(Debug, Error, PartialEq, Eq)]
#[error("référence d'appel invalide « {0} » : attendu A-0042 ou 42")]
pub struct BadCallRef(pub String);

/// The most digits a reference may have: far more calls than a desk will ever take, few
/// enough that a pasted phone number or a long run of digits is not read as one.
pub const REF_MAX_DIGITS: usize = 12;

impl FromStr for CallRef {
    type Err = BadCallRef;

    /// Accepts what an operator may type after hearing it: one optional `A` (any case),
    /// one optional separator (`-` or a space) after it, then ASCII digits: "A-0042",
    /// "a-0042", "a42", "A 42", "42", "0042". Anything else is refused rather than guessed
    /// at: "A--1", "A-1-2", "-1", "+1", "A-00 42", zero, more than [`REF_MAX_DIGITS`] digits.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || BadCallRef(s.to_string());
        let t = s.trim();
        let digits = match t.strip_prefix(['A', 'a']) {
            Some(rest) => rest.strip_prefix(['-', ' ']).unwrap_or(rest),
            None => t,
        };
        if digits.is_empty()
            || digits.len() > REF_MAX_DIGITS
            || !digits.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(bad());
        }
        match digits.parse::<i64>() {
            Ok(n) if n > 0 => Ok(CallRef(n)),
            _ => Err(bad()),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CallStatus {
    Open,
    Closed,
}

impl CallStatus {
    pub fn slug(self) -> &'static str {
        match self {
            CallStatus::Open => "open",
            CallStatus::Closed => "closed",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            CallStatus::Open => "ouvert",
            CallStatus::Closed => "clos",
        }
    }
    pub fn from_slug(s: &str) -> Option<Self> {
        match s {
            "open" => Some(CallStatus::Open),
            "closed" => Some(CallStatus::Closed),
            _ => None,
        }
    }
}

/// How a call ended (DESIGN.md §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Resolved,
    Escalated,
    Callback,
    Transferred,
    Abandoned,
}

impl Outcome {
    pub const ALL: [Outcome; 5] = [
        Outcome::Resolved,
        Outcome::Escalated,
        Outcome::Callback,
        Outcome::Transferred,
        Outcome::Abandoned,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Outcome::Resolved => "resolved",
            Outcome::Escalated => "escalated",
            Outcome::Callback => "callback",
            Outcome::Transferred => "transferred",
            Outcome::Abandoned => "abandoned",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Outcome::Resolved => "résolu",
            Outcome::Escalated => "escaladé (2e niveau)",
            Outcome::Callback => "à rappeler",
            Outcome::Transferred => "transféré",
            Outcome::Abandoned => "abandonné",
        }
    }

    pub fn from_slug(s: &str) -> Option<Self> {
        Outcome::ALL.into_iter().find(|o| o.slug() == s)
    }
}

#[derive(Debug, Error, PartialEq, Eq)]
#[error(
    "issue inconnue « {0} » : choisir parmi resolved, escalated, callback, transferred, abandoned"
)]
pub struct BadOutcome(pub String);

impl FromStr for Outcome {
    type Err = BadOutcome;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Outcome::from_slug(s.trim()).ok_or_else(|| BadOutcome(s.to_string()))
    }
}

/// A stored call, without its journal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Call {
    pub reference: CallRef,
    pub opened_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub operator: String,
    pub caller_name: String,
    pub caller_phone: Option<String>,
    pub caller_email: Option<String>,
    pub service: String,
    pub device: String,
    pub summary: String,
    pub status: CallStatus,
    pub outcome: Option<Outcome>,
    /// Who is handling the call now (the opener, until someone takes it over).
    pub handler: String,
    /// The telephony's identifier of the phone call it was opened from.
    pub telephony_id: Option<String>,
    /// How long the phone call was handled, answer to hangup, once it hung up.
    pub handled_seconds: Option<i64>,
    /// The GLPI ticket the call was pushed to (one per call).
    pub glpi_ticket: Option<i64>,
}

/// What a journal entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JournalKind {
    Opened,
    Note,
    Status,
    Outcome,
    Procedure,
    /// A step of a procedure walked on the call.
    Step,
    /// A closed call's outcome corrected afterwards; the body is the new outcome's slug.
    OutcomeCorrected,
    /// The phone call hung up: how long it was handled.
    Handled,
    /// The call became a GLPI ticket: « ticket GLPI n° 1234 ».
    GlpiTicket,
}

impl JournalKind {
    pub fn slug(self) -> &'static str {
        match self {
            JournalKind::Opened => "opened",
            JournalKind::Note => "note",
            JournalKind::Status => "status",
            JournalKind::Outcome => "outcome",
            JournalKind::Procedure => "procedure",
            JournalKind::Step => "step",
            JournalKind::OutcomeCorrected => "outcome_corrected",
            JournalKind::Handled => "handled",
            JournalKind::GlpiTicket => "glpi_ticket",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            JournalKind::Opened => "ouverture",
            JournalKind::Note => "note",
            JournalKind::Status => "statut",
            JournalKind::Outcome => "issue",
            JournalKind::Procedure => "procédure",
            JournalKind::Step => "étape",
            JournalKind::OutcomeCorrected => "issue corrigée",
            JournalKind::Handled => "durée",
            JournalKind::GlpiTicket => "GLPI",
        }
    }
    pub fn from_slug(s: &str) -> Option<Self> {
        [
            JournalKind::Opened,
            JournalKind::Note,
            JournalKind::Status,
            JournalKind::Outcome,
            JournalKind::Procedure,
            JournalKind::Step,
            JournalKind::OutcomeCorrected,
            JournalKind::Handled,
            JournalKind::GlpiTicket,
        ]
        .into_iter()
        .find(|k| k.slug() == s)
    }
}

/// One line of a call's history. Entries are only ever appended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JournalEntry {
    pub at: DateTime<Utc>,
    pub operator: String,
    pub kind: JournalKind,
    pub text: String,
}

/// A call with its whole journal, oldest entry first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CallRecord {
    #[serde(flatten)]
    pub call: Call,
    pub journal: Vec<JournalEntry>,
}

/// The fields of a call as typed, before any check. The console keeps one of these as the
/// draft; the command line builds one from its arguments.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallDraft {
    pub caller_name: String,
    pub caller_phone: String,
    pub caller_email: String,
    pub service: String,
    pub device: String,
    pub summary: String,
    pub notes: String,
    #[serde(default)]
    pub procedures: Vec<String>,
    /// The telephony's call the form was opened from (F2 while it rang), kept with the
    /// draft so that a console restarted mid-call still records the handling time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub telephony_id: Option<String>,
}

/// A call that passed every check and can be stored as is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCall {
    pub opened_at: DateTime<Utc>,
    pub operator: String,
    pub caller_name: String,
    pub caller_phone: Option<String>,
    pub caller_email: Option<String>,
    pub service: String,
    pub device: String,
    pub summary: String,
    pub notes: Option<String>,
    pub procedures: Vec<String>,
    /// The telephony's call this one answers (the console opened it from a ringing call).
    pub telephony_id: Option<String>,
}

/// The fields of the new-call form, in the order they are typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    CallerName,
    Phone,
    Email,
    Service,
    Device,
    Summary,
    Notes,
}

impl Field {
    pub const ALL: [Field; 7] = [
        Field::CallerName,
        Field::Phone,
        Field::Email,
        Field::Service,
        Field::Device,
        Field::Summary,
        Field::Notes,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Field::CallerName => "Appelant",
            Field::Phone => "Tél.",
            Field::Email => "Courriel",
            Field::Service => "Service",
            Field::Device => "Poste",
            Field::Summary => "Objet",
            Field::Notes => "Notes",
        }
    }

    /// Longest accepted value in characters: enough for any real value, small enough that a
    /// paste of a whole mail into a field is caught.
    pub fn max_chars(self) -> usize {
        match self {
            Field::CallerName => 120,
            Field::Phone => 30,
            Field::Email => 254,
            Field::Service | Field::Device => 40,
            Field::Summary => 300,
            Field::Notes => 4000,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: Field,
    pub message: String,
}

/// Every problem of a draft at once, in field order, so the form can show them all.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{}", .0.first().map(|e| e.message.as_str()).unwrap_or("appel invalide"))]
pub struct InvalidCall(pub Vec<FieldError>);

impl InvalidCall {
    pub fn for_field(&self, field: Field) -> Option<&str> {
        self.0
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

impl CallDraft {
    /// Checks every field and returns the call to store, or every problem found.
    pub fn validate(
        &self,
        reference: &Reference,
        operator: &str,
        opened_at: DateTime<Utc>,
    ) -> Result<NewCall, InvalidCall> {
        let mut errors = Vec::new();
        let mut fail = |field: Field, message: String| errors.push(FieldError { field, message });

        let caller_name = normalize_spaces(&self.caller_name);
        if caller_name.is_empty() {
            fail(Field::CallerName, "le nom de l'appelant est vide".into());
        }
        let phone = normalize_spaces(&self.caller_phone);
        if !phone.is_empty() {
            let ok_chars = phone
                .chars()
                .all(|c| c.is_ascii_digit() || " .-+()/".contains(c));
            let n = digits(&phone).len();
            if !ok_chars || !(2..=20).contains(&n) {
                fail(
                    Field::Phone,
                    format!(
                        "téléphone invalide « {phone} » : chiffres, espaces, points, + seulement"
                    ),
                );
            }
        }
        let email = self.caller_email.trim().to_string();
        if !email.is_empty() && !is_plausible_email(&email) {
            fail(
                Field::Email,
                format!("courriel invalide « {email} » : attendu nom@domaine.fr"),
            );
        }
        let service = self.service.trim();
        if service.is_empty() {
            fail(Field::Service, "service à choisir".into());
        } else if reference.service(service).is_none() {
            fail(
                Field::Service,
                format!(
                    "service inconnu « {service} » : choisir parmi {}",
                    reference.service_slugs()
                ),
            );
        }
        let device = self.device.trim();
        if device.is_empty() {
            fail(Field::Device, "poste à choisir".into());
        } else if reference.device(device).is_none() {
            fail(
                Field::Device,
                format!(
                    "poste inconnu « {device} » : choisir parmi {}",
                    reference.device_slugs()
                ),
            );
        }
        let summary = normalize_spaces(&self.summary);
        if summary.is_empty() {
            fail(Field::Summary, "l'objet de l'appel est vide".into());
        }
        let notes = self.notes.trim().to_string();

        for (field, value) in [
            (Field::CallerName, caller_name.as_str()),
            (Field::Phone, phone.as_str()),
            (Field::Email, email.as_str()),
            (Field::Summary, summary.as_str()),
            (Field::Notes, notes.as_str()),
        ] {
            let n = value.chars().count();
            if n > field.max_chars() {
                fail(
                    field,
                    format!(
                        "{} trop long : {n} caractères, {} au plus",
                        field.label(),
                        field.max_chars()
                    ),
                );
            }
        }
        for slug in &self.procedures {
            if !is_slug(slug) {
                fail(
                    Field::Summary,
                    format!(
                        "procédure invalide « {slug} » : attendu un identifiant comme mi-noemi-reset-vpn"
                    ),
                );
            }
        }

        if !errors.is_empty() {
            return Err(InvalidCall(errors));
        }
        let some = |s: String| if s.is_empty() { None } else { Some(s) };
        Ok(NewCall {
            opened_at,
            operator: operator.to_string(),
            caller_name,
            caller_phone: some(phone),
            caller_email: some(email),
            service: service.to_string(),
            device: device.to_string(),
            summary,
            notes: some(notes),
            procedures: self.procedures.clone(),
            telephony_id: self.telephony_id.clone(),
        })
    }

    pub fn is_blank(&self) -> bool {
        [
            &self.caller_name,
            &self.caller_phone,
            &self.caller_email,
            &self.service,
            &self.device,
            &self.summary,
            &self.notes,
        ]
        .iter()
        .all(|s| s.trim().is_empty())
    }
}

fn is_plausible_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// Slugs are lower-case ASCII words joined by hyphens.
pub fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 80
        && !s.starts_with('-')
        && !s.ends_with('-')
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Normalizes an operator name given on the command line or by the environment.
pub fn check_operator(name: &str) -> Result<String, BadOperator> {
    let n = normalize_spaces(name);
    if n.is_empty() || n.chars().count() > 64 || n.chars().any(char::is_control) {
        return Err(BadOperator(name.to_string()));
    }
    Ok(n)
}

#[derive(Debug, Error, PartialEq, Eq)]
#[error("opérateur invalide « {0} » : un nom de 1 à 64 caractères est attendu")]
pub struct BadOperator(pub String);

#[derive(Debug, Error, PartialEq, Eq)]
pub enum BadNote {
    #[error("la note est vide")]
    Empty,
    #[error("note trop longue : {0} caractères, 4000 au plus")]
    TooLong(usize),
}

/// Checks a journal note: not blank, not a pasted book.
pub fn check_note(text: &str) -> Result<String, BadNote> {
    let t = text.trim();
    let n = t.chars().count();
    if n == 0 {
        Err(BadNote::Empty)
    } else if n > Field::Notes.max_chars() {
        Err(BadNote::TooLong(n))
    } else {
        Ok(t.to_string())
    }
}

impl JournalEntry {
    /// The entry as one line of French for the journal views.
    pub fn describe(&self) -> String {
        match self.kind {
            JournalKind::Opened => format!("appel ouvert : {}", self.text),
            JournalKind::Note => self.text.clone(),
            JournalKind::Status => match CallStatus::from_slug(&self.text) {
                Some(CallStatus::Closed) => "appel clos".into(),
                Some(CallStatus::Open) => "appel rouvert".into(),
                None => format!("statut : {}", self.text),
            },
            JournalKind::Outcome => match Outcome::from_slug(&self.text) {
                Some(o) => format!("issue : {}", o.label()),
                None => format!("issue : {}", self.text),
            },
            JournalKind::OutcomeCorrected => match Outcome::from_slug(&self.text) {
                Some(o) => format!("issue corrigée : {}", o.label()),
                None => format!("issue corrigée : {}", self.text),
            },
            JournalKind::Procedure => format!("procédure suivie : {}", self.text),
            JournalKind::Step => self.text.clone(),
            JournalKind::Handled => self.text.clone(),
            JournalKind::GlpiTicket => self.text.clone(),
        }
    }
}

/// A closing dated before its call's opening: the handling time would be negative.
#[derive(Debug, Error, PartialEq, Eq)]
#[error(
    "l'appel {reference} ne peut pas être clos le {closing}, avant son ouverture le {opening} \
     : la durée de traitement serait négative ; vérifier l'horloge de ce poste"
)]
pub struct ClosedBeforeOpened {
    pub reference: CallRef,
    /// The opening, in Paris time to the second.
    pub opening: String,
    /// The closing, in Paris time to the second.
    pub closing: String,
}

/// Checks that a call closed at `closed_at` is not closed before it was opened: the
/// handling time, from the one to the other, is never negative. Both instants are named to
/// the second (a clock a minute off reads the same minute).
pub fn check_closing(
    reference: CallRef,
    opened_at: DateTime<Utc>,
    closed_at: DateTime<Utc>,
) -> Result<(), ClosedBeforeOpened> {
    if closed_at >= opened_at {
        return Ok(());
    }
    let shown = |at| super::time::paris(at, "%d/%m/%Y %H:%M:%S");
    Err(ClosedBeforeOpened {
        reference,
        opening: shown(opened_at),
        closing: shown(closed_at),
    })
}

/// The latest outcome a journal records (an `Outcome` entry, or a later correction), what
/// the call's outcome column holds once every write went through the store. Entries whose
/// body is no known outcome are skipped.
pub fn journal_outcome(journal: &[JournalEntry]) -> Option<Outcome> {
    journal
        .iter()
        .rev()
        .filter(|e| matches!(e.kind, JournalKind::Outcome | JournalKind::OutcomeCorrected))
        .find_map(|e| Outcome::from_slug(&e.text))
}
