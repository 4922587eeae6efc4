//! A telephony event read from what the telephony sends, in the shape of the generic CTI
//! interface that desks already configure for Zammad: the checks of its fields, and the
//! reading of a request body (form, multipart form or JSON) or of the command line's
//! options into one.
//!
//! The fields and rules are those Zammad's controller (`Integration::CtiController`) and
//! its `Cti::Log.process` apply, so that every request Zammad takes is taken here:
//! `callId` or `call_id`; `event`, `direction` and the call id always; `to` on `newCall`
//! (Zammad's log requires it there), `from`, `user` (one or several), `answeringNumber`
//! and `cause` when given — an `answer` or a `hangup` is known by its call id alone. A
//! caller id that is not a telephone number (`sip:anonymous@…`, a name, a queue's name in
//! `to`) is kept as given and shown made inert; a number is normalised, so that it matches
//! the desk's past calls (`+33 (0)6 12…`, `0033…`). Who picked up an answered call is
//! `answeringNumber`, else the first `user`, as Zammad looks for the agent.
//!
//! Every error is one French sentence that names the field and shows the value inert
//! ([`named`]), with the status Zammad answers ([`Refused::status`]).
//!
//! The event's types live with the domain ([`crate::domain::phone::event`], which the store
//! records without knowing the telephony's edge); they are re-exported here, so that an
//! event is read and named in one place.

pub use crate::domain::phone::event::{
    Direction, EventKind, HangupCause, MAX_CALL_ID, MAX_CAUSE, MAX_NAME, MAX_USERS, PhoneEvent,
};
use crate::domain::phone::number::{self, NumberProblem};
use crate::domain::text::{is_unsafe, named, normalize_spaces};
use serde_json::Value;

/// Why a request body gives no event: the sentence, and whether the body could be read
/// at all. Zammad's controller answers 422 for an event it refuses (a direction it does
/// not know, an unknown event, a missing call id or number: `Invalid direction!`, an
/// `ArgumentError`, a NOT NULL column) and Rails a 400 for a body it cannot parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub message: String,
    /// The body is not a form or a JSON object (or not in a type this reads).
    pub unreadable: bool,
}

impl Refused {
    fn unreadable(message: impl Into<String>) -> Refused {
        Refused {
            message: message.into(),
            unreadable: true,
        }
    }

    /// The HTTP status to answer: 400 for a body that cannot be read, 422 for an event
    /// refused, as Zammad answers them.
    pub fn status(&self) -> u16 {
        if self.unreadable { 400 } else { 422 }
    }
}

impl From<String> for Refused {
    /// An event read but refused.
    fn from(message: String) -> Refused {
        Refused {
            message,
            unreadable: false,
        }
    }
}

/// Where an event's fields came from, for naming them in an error the way the sender
/// wrote them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    /// A request body: Zammad's field names.
    Http,
    /// The command line's options.
    Args,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Event,
    From,
    To,
    Direction,
    CallId,
    User,
    AnsweringNumber,
    Cause,
}

impl Field {
    /// The field's name in an error, between guillemets: `« callId »` or `« --call-id »`.
    fn named(self, source: Source) -> String {
        let name = match (source, self) {
            (Source::Http, Field::Event) => "event",
            (Source::Http, Field::From) => "from",
            (Source::Http, Field::To) => "to",
            (Source::Http, Field::Direction) => "direction",
            (Source::Http, Field::CallId) => "callId",
            (Source::Http, Field::User) => "user[]",
            (Source::Http, Field::AnsweringNumber) => "answeringNumber",
            (Source::Http, Field::Cause) => "cause",
            (Source::Args, Field::Event) => "--event",
            (Source::Args, Field::From) => "--from",
            (Source::Args, Field::To) => "--to",
            (Source::Args, Field::Direction) => "--direction",
            (Source::Args, Field::CallId) => "--call-id",
            (Source::Args, Field::User) => "--user",
            (Source::Args, Field::AnsweringNumber) => "--answering-number",
            (Source::Args, Field::Cause) => "--cause",
        };
        format!("« {name} »")
    }
}

/// An event's fields as they came, before any check.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct RawEvent {
    event: Option<String>,
    from: Option<String>,
    to: Option<String>,
    direction: Option<String>,
    /// `callId`, which Zammad reads first.
    call_id: Option<String>,
    /// `call_id`, which Zammad reads when there is no `callId` (the 3CX bridge and
    /// Zammad's own request tests send it).
    call_id_snake: Option<String>,
    users: Vec<String>,
    answering_number: Option<String>,
    cause: Option<String>,
}

impl RawEvent {
    /// Takes one field of a request body by its Zammad name; other names (`queue`,
    /// `callid`, …) are ignored. A field given twice keeps its last value, as Rails reads
    /// a form; `user` and `user[]` collect every value.
    fn take(&mut self, name: &str, value: String) {
        let slot = match name {
            "user" | "user[]" => {
                self.users.push(value);
                return;
            }
            "event" => &mut self.event,
            "from" => &mut self.from,
            "to" => &mut self.to,
            "direction" => &mut self.direction,
            "callId" => &mut self.call_id,
            "call_id" => &mut self.call_id_snake,
            "answeringNumber" => &mut self.answering_number,
            "cause" => &mut self.cause,
            _ => return,
        };
        *slot = Some(value);
    }

    /// Checks every field; the first problem found is the error.
    fn check(self, source: Source) -> Result<PhoneEvent, String> {
        let present = |v: Option<String>| v.filter(|s| !s.trim().is_empty());

        let kind = match present(self.event) {
            None => {
                return Err(format!(
                    "{} manque : newCall, answer ou hangup attendu",
                    Field::Event.named(source)
                ));
            }
            Some(e) => EventKind::from_slug(e.trim()).ok_or_else(|| {
                format!(
                    "événement inconnu « {} » : newCall, answer ou hangup attendu",
                    named(&e)
                )
            })?,
        };

        let call_id = match present(self.call_id).or(present(self.call_id_snake)) {
            None => {
                return Err(format!(
                    "{} manque : l'identifiant de l'appel est obligatoire",
                    Field::CallId.named(source)
                ));
            }
            Some(id) => word(
                &id,
                Field::CallId,
                source,
                MAX_CALL_ID,
                "identifiant d'appel",
            )?,
        };

        let direction = match present(self.direction) {
            None => {
                return Err(format!(
                    "{} manque : in ou out attendu",
                    Field::Direction.named(source)
                ));
            }
            Some(d) => Direction::from_slug(d.trim()).ok_or_else(|| {
                format!("direction inconnue « {} » : in ou out attendu", named(&d))
            })?,
        };

        // Zammad's log holds the number called of every call: a new call names it; an
        // answer and a hangup are found by their call id.
        let to = match present(self.to) {
            None if kind == EventKind::NewCall => {
                return Err(format!(
                    "{} manque : le numéro appelé est obligatoire pour un nouvel appel",
                    Field::To.named(source)
                ));
            }
            None => None,
            Some(n) => Some(party(&n, Field::To, source)?),
        };

        let from = match self.from {
            Some(n) if !number::is_withheld(&n) => Some(party(&n, Field::From, source)?),
            _ => None,
        };

        let mut users = Vec::new();
        for u in self.users {
            if let Some(c) = u.chars().find(|&c| is_unsafe(c)) {
                return Err(format!(
                    "nom d'agent invalide « {} » dans {} : caractère de contrôle U+{:04X}",
                    named(&u),
                    Field::User.named(source),
                    c as u32
                ));
            }
            let name = normalize_spaces(&u);
            let count = name.chars().count();
            if count > MAX_NAME {
                return Err(format!(
                    "nom d'agent trop long dans {} : {count} caractères, {MAX_NAME} au plus",
                    Field::User.named(source)
                ));
            }
            if !name.is_empty() {
                users.push(name);
            }
        }
        if users.len() > MAX_USERS {
            return Err(format!(
                "trop d'agents dans {} : {}, {MAX_USERS} au plus",
                Field::User.named(source),
                users.len()
            ));
        }

        // A number, a login or a name: Zammad looks the agent up by phone, then by login.
        // On an answer without it, the agent named is who picked up (FreeSWITCH scripts
        // and the Asterisk AMI bridge name them so).
        let answering_number = match present(self.answering_number) {
            Some(a) => Some(party(&a, Field::AnsweringNumber, source)?),
            None if kind == EventKind::Answer => users
                .first()
                .map(|u| number::normalize(u).unwrap_or_else(|_| u.clone())),
            None => None,
        };

        let cause = match present(self.cause) {
            None => None,
            Some(c) => Some(HangupCause::from_slug(&c).ok_or_else(|| {
                format!(
                    "cause de raccrochage invalide « {} » pour {} : {MAX_CAUSE} caractères au \
                     plus, sans caractère de contrôle",
                    named(c.trim()),
                    Field::Cause.named(source)
                )
            })?),
        };

        Ok(PhoneEvent {
            kind,
            from,
            to,
            direction,
            call_id,
            users,
            answering_number,
            cause,
        })
    }
}

/// A word of at most `max` visible characters, no space (trimmed first).
fn word(
    value: &str,
    field: Field,
    source: Source,
    max: usize,
    what: &str,
) -> Result<String, String> {
    let t = value.trim();
    let count = t.chars().count();
    if count > max {
        return Err(format!(
            "{} trop long : {count} caractères, {max} au plus",
            field.named(source)
        ));
    }
    if t.chars().any(|c| c.is_whitespace() || is_unsafe(c)) {
        return Err(format!(
            "{what} invalide « {} » pour {} : des caractères visibles sans espace attendus",
            named(t),
            field.named(source)
        ));
    }
    Ok(t.to_string())
}

/// A party to the call (`from`, `to`, `answeringNumber`): a number, normalised; else the
/// text as given, trimmed (a SIP address, a queue's name, a login), which Zammad stores as
/// it is too. A control character is refused rather than kept: no telephony system sends
/// one, and every screen and report shows these fields.
fn party(value: &str, field: Field, source: Source) -> Result<String, String> {
    let t = value.trim();
    match number::normalize(t) {
        Ok(n) => return Ok(n),
        Err(p @ NumberProblem::TooLong(_)) => {
            return Err(format!(
                "numéro trop long « {} » pour {} : {}",
                named(t),
                field.named(source),
                p.describe()
            ));
        }
        Err(_) => {}
    }
    if let Some(c) = t.chars().find(|&c| is_unsafe(c)) {
        return Err(format!(
            "valeur invalide « {} » pour {} : caractère de contrôle U+{:04X}",
            named(t),
            field.named(source),
            c as u32
        ));
    }
    let count = t.chars().count();
    if count > MAX_NAME {
        return Err(format!(
            "{} trop long : {count} caractères, {MAX_NAME} au plus",
            field.named(source)
        ));
    }
    Ok(t.to_string())
}

/// The options of `guichet phone event`, as typed: what a dialplan script gives.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EventArgs<'a> {
    /// `--event`: `newCall`, `answer` or `hangup`.
    pub event: &'a str,
    /// `--from`; `None`, empty or a word such as `anonymous` for a withheld caller.
    pub from: Option<&'a str>,
    /// `--to`: required for a new call, optional for an answer or a hangup.
    pub to: Option<&'a str>,
    /// `--call-id`.
    pub call_id: &'a str,
    /// `--cause` (a hangup's).
    pub cause: Option<&'a str>,
    /// `--direction`; `in` when not given.
    pub direction: Option<&'a str>,
    /// `--user`, repeated: the agents the call rings for.
    pub users: &'a [String],
    /// `--answering-number`: who picked up.
    pub answering_number: Option<&'a str>,
}

impl EventArgs<'_> {
    /// The event, checked as a request's would be; errors name the options
    /// (`--call-id`).
    pub fn check(&self) -> Result<PhoneEvent, String> {
        RawEvent {
            event: Some(self.event.to_string()),
            from: self.from.map(str::to_string),
            to: self.to.map(str::to_string),
            direction: Some(self.direction.unwrap_or("in").to_string()),
            call_id: Some(self.call_id.to_string()),
            call_id_snake: None,
            users: self.users.to_vec(),
            answering_number: self.answering_number.map(str::to_string),
            cause: self.cause.map(str::to_string),
        }
        .check(Source::Args)
    }
}

/// The event a dialplan script gives on the command line (`guichet phone event`), checked
/// as a request's would be; the direction is `in` when not given, an empty `to` is not
/// given. Errors name the options (`--call-id`). [`EventArgs`] takes the agents and the
/// answering number too.
pub fn event_from_args(
    event: &str,
    from: Option<&str>,
    to: &str,
    call_id: &str,
    cause: Option<&str>,
    direction: Option<&str>,
) -> Result<PhoneEvent, String> {
    EventArgs {
        event,
        from,
        to: Some(to),
        call_id,
        cause,
        direction,
        ..EventArgs::default()
    }
    .check()
}

/// The kinds of body an event comes in.
#[derive(Debug, Clone, PartialEq, Eq)]
enum BodyKind {
    Form,
    Multipart(String),
    Json,
}

/// What a `Content-Type` says about the body; with none, a body that starts with `{` is
/// JSON and any other a form (what `curl --data` sends).
fn body_kind(content_type: Option<&str>, body: &[u8]) -> Result<BodyKind, String> {
    let ct = content_type.map(str::trim).unwrap_or("");
    let mut params = ct.split(';');
    let media = params.next().unwrap_or("").trim().to_ascii_lowercase();
    match media.as_str() {
        "" => Ok(
            if body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') {
                BodyKind::Json
            } else {
                BodyKind::Form
            },
        ),
        "application/x-www-form-urlencoded" => Ok(BodyKind::Form),
        "application/json" => Ok(BodyKind::Json),
        m if m.starts_with("application/") && m.ends_with("+json") => Ok(BodyKind::Json),
        "multipart/form-data" => {
            let boundary = params
                .filter_map(|p| p.split_once('='))
                .find(|(k, _)| k.trim().eq_ignore_ascii_case("boundary"))
                .map(|(_, v)| v.trim().trim_matches('"').to_string())
                .filter(|b| !b.is_empty() && b.len() <= 70)
                .ok_or("formulaire multipart sans délimiteur (boundary) valable")?;
            Ok(BodyKind::Multipart(boundary))
        }
        _ => Err(format!(
            "type de contenu « {} » non pris en charge : \
             application/x-www-form-urlencoded, multipart/form-data ou application/json attendu",
            named(ct)
        )),
    }
}

/// Reads a request body into a checked event: a form (`application/x-www-form-urlencoded`
/// or `multipart/form-data`) or a JSON object, with the fields of Zammad's generic CTI:
/// `event`, `from`, `to`, `direction`, `callId` or `call_id`, `user[]` (repeated; `user`
/// too, and in JSON an array or a string), `answeringNumber`, `cause`. Other fields are
/// ignored; JSON numbers are taken as their digits, `null` as absent.
///
/// Where this answers otherwise than Zammad's controller, on purpose:
/// - a second `newCall` of a call id, or an `answer` or a `hangup` of a call never seen,
///   is taken (Zammad raises, a 500): a telephony system that sends an event again gets
///   it kept once, and a listener started in the middle of a call still records its end;
/// - a missing call id is a 422 for every event (Zammad's 500 on an `answer` or a
///   `hangup`, « No such call_id »): the request is at fault, not the server;
/// - a `newCall` without `from` is a withheld caller (Zammad's NOT NULL column, a 422);
/// - a call id with a space or a control character, and a control character in any other
///   field, are refused (422): no telephony system sends them, and the call id becomes the
///   telephony link of a saved call;
/// - no caller-id rewriting nor blocking list: an outgoing `newCall` is answered
///   `{"ok":true,…}`, never `{"action":"dial",…}`, and nothing is `reject`ed;
/// - `queue` is not kept (Zammad files the call under it for its caller-log filter), and
///   `user` sent once as `a,b` stays one agent, as Zammad's `to_comment` keeps it;
/// - every answer is `{"ok":true,…}` or `{"ok":false,"error":…}` rather than `{}` and
///   `{"error":…}`: the clients read the status (the 3CX bridge, the AMI bridge) or any
///   JSON object (py-zammad-cti).
pub fn read_event(content_type: Option<&str>, body: &[u8]) -> Result<PhoneEvent, Refused> {
    let mut raw = RawEvent::default();
    let fields = match body_kind(content_type, body).map_err(Refused::unreadable)? {
        BodyKind::Form => form_fields(body),
        BodyKind::Multipart(boundary) => multipart_fields(body, &boundary),
        BodyKind::Json => json_fields(body),
    }
    .map_err(Refused::unreadable)?;
    for (name, value) in fields {
        raw.take(&name, value);
    }
    Ok(raw.check(Source::Http)?)
}

/// [`read_event`], its refusal as the sentence alone.
pub fn parse_event(content_type: Option<&str>, body: &[u8]) -> Result<PhoneEvent, String> {
    read_event(content_type, body).map_err(|r| r.message)
}

/// The fields of an `application/x-www-form-urlencoded` body, decoded (`+` is a space, `%XX`
/// a byte; a `%` not followed by two hex digits stays as it is).
fn form_fields(body: &[u8]) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for pair in body.split(|&b| b == b'&') {
        if pair.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let (k, v) = match pair.iter().position(|&b| b == b'=') {
            Some(i) => (&pair[..i], &pair[i + 1..]),
            None => (pair, &[][..]),
        };
        let name = String::from_utf8_lossy(&percent_decode(k, true))
            .trim()
            .to_string();
        let value = String::from_utf8(percent_decode(v, true))
            .map_err(|_| format!("champ « {} » : texte UTF-8 attendu", named(&name)))?;
        out.push((name, value));
    }
    Ok(out)
}

/// `%XX` escapes decoded (a `%` not followed by two hex digits stays as it is); a `+` is a
/// space in a form (`plus_is_space`), itself in a path.
pub(super) fn percent_decode(s: &[u8], plus_is_space: bool) -> Vec<u8> {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        match s[i] {
            b'+' if plus_is_space => out.push(b' '),
            b'%' => match (
                s.get(i + 1).and_then(|&b| hex(b)),
                s.get(i + 2).and_then(|&b| hex(b)),
            ) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    out
}

/// The fields of a `multipart/form-data` body (what `curl --form` sends): each part's
/// `name` and its content as text.
fn multipart_fields(body: &[u8], boundary: &str) -> Result<Vec<(String, String)>, String> {
    let broken = || "formulaire multipart mal formé : délimiteur ou en-tête de partie attendu";
    let delimiter = format!("--{boundary}");
    let next = format!("\r\n--{boundary}");
    let start = find(body, delimiter.as_bytes()).ok_or_else(broken)?;
    let mut rest = &body[start + delimiter.len()..];
    let mut out = Vec::new();
    loop {
        if rest.starts_with(b"--") {
            return Ok(out);
        }
        // Spaces may follow a delimiter (RFC 2046's transport padding).
        let line_end = find(rest, b"\r\n").ok_or_else(broken)?;
        if !rest[..line_end].iter().all(|&b| b == b' ' || b == b'\t') {
            return Err(broken().into());
        }
        rest = &rest[line_end + 2..];
        let end = find(rest, next.as_bytes()).ok_or_else(broken)?;
        let part = &rest[..end];
        rest = &rest[end + next.len()..];
        let (head, content) = match find(part, b"\r\n\r\n") {
            Some(i) => (&part[..i], &part[i + 4..]),
            // A part with no header line at all.
            None if part.starts_with(b"\r\n") => (&b""[..], &part[2..]),
            None => return Err(broken().into()),
        };
        let head = String::from_utf8_lossy(head);
        let name = head
            .split("\r\n")
            .filter_map(|line| line.split_once(':'))
            .find(|(k, _)| k.trim().eq_ignore_ascii_case("content-disposition"))
            .and_then(|(_, v)| {
                v.split(';')
                    .filter_map(|p| p.split_once('='))
                    .find(|(k, _)| k.trim().eq_ignore_ascii_case("name"))
                    .map(|(_, n)| n.trim().trim_matches('"').to_string())
            });
        let Some(name) = name else {
            return Err(
                "formulaire multipart mal formé : une partie n'a pas de nom (Content-Disposition)"
                    .into(),
            );
        };
        let value = String::from_utf8(content.to_vec())
            .map_err(|_| format!("champ « {} » : texte UTF-8 attendu", named(&name)))?;
        out.push((name, value));
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The fields of a body that make an event ([`RawEvent::take`]).
const READ: [&str; 10] = [
    "event",
    "from",
    "to",
    "direction",
    "callId",
    "call_id",
    "user",
    "user[]",
    "answeringNumber",
    "cause",
];

/// The fields of a JSON object body; an array of agents gives one field each.
fn json_fields(body: &[u8]) -> Result<Vec<(String, String)>, String> {
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        format!(
            "JSON illisible, ligne {}, colonne {} : un objet attendu",
            e.line(),
            e.column()
        )
    })?;
    let Value::Object(map) = value else {
        return Err("JSON : un objet attendu, avec les champs event, callId, to…".into());
    };
    let mut out = Vec::new();
    for (name, value) in map {
        match (name.as_str(), value) {
            // Fields Zammad does not read are not looked at, whatever their type (the 3CX
            // bridge's `callid`, a timestamp, an object of the PBX's own).
            (n, _) if !READ.contains(&n) => {}
            (_, Value::Null) => {}
            ("user" | "user[]", Value::Array(users)) => {
                for u in users {
                    if let Some(u) = json_text(&name, u)? {
                        out.push((name.clone(), u));
                    }
                }
            }
            (_, value) => {
                if let Some(v) = json_text(&name, value)? {
                    out.push((name, v));
                }
            }
        }
    }
    Ok(out)
}

/// A JSON value as a field's text: a string, or a number's digits (`"callId": 123`).
fn json_text(name: &str, value: Value) -> Result<Option<String>, String> {
    match value {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s)),
        Value::Number(n) if n.is_u64() || n.is_i64() => Ok(Some(n.to_string())),
        _ => Err(format!(
            "champ « {} » : du texte attendu dans le JSON",
            named(name)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FORM: Option<&str> = Some("application/x-www-form-urlencoded");
    const JSON: Option<&str> = Some("application/json");

    #[test]
    fn slugs_round_trip() {
        for k in EventKind::ALL {
            assert_eq!(EventKind::from_slug(k.slug()), Some(k));
        }
        for d in Direction::ALL {
            assert_eq!(Direction::from_slug(d.slug()), Some(d));
        }
        for c in HangupCause::KNOWN {
            assert_eq!(HangupCause::from_slug(c.slug()), Some(c.clone()));
            assert_ne!(c.label(), HangupCause::Other(String::new()).label());
        }
        assert_eq!(EventKind::from_slug("NEWCALL"), Some(EventKind::NewCall));
        assert_eq!(EventKind::from_slug("ring"), None);
        assert_eq!(Direction::from_slug("Out"), Some(Direction::Out));
        assert_eq!(Direction::from_slug("both"), None);
        assert_eq!(
            HangupCause::from_slug("noanswer"),
            Some(HangupCause::NoAnswer)
        );
        assert_eq!(
            HangupCause::from_slug("CHANUNAVAIL"),
            Some(HangupCause::Other("CHANUNAVAIL".into()))
        );
        assert_eq!(
            HangupCause::from_slug("16"),
            Some(HangupCause::Other("16".into()))
        );
        for bad in ["", "  ", "x\u{1b}", &"a".repeat(65)] {
            assert_eq!(HangupCause::from_slug(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_form_new_call_with_several_agents() {
        let body = b"event=newCall&from=06+12+34+56+78&to=0140072000&direction=in\
                     &callId=a1b2&user%5B%5D=Zo%C3%A9+Martin&user[]=Bruno%20L.&queue=helpdesk";
        let e = parse_event(FORM, body).unwrap();
        assert_eq!(
            e,
            PhoneEvent {
                kind: EventKind::NewCall,
                from: Some("0612345678".into()),
                to: Some("0140072000".into()),
                direction: Direction::In,
                call_id: "a1b2".into(),
                users: vec!["Zoé Martin".into(), "Bruno L.".into()],
                answering_number: None,
                cause: None,
            }
        );
        assert_eq!(e.caller_for_reading(), "06 12 34 56 78");
        // With a charset, and without any content type (curl --data).
        let same = parse_event(
            Some("Application/X-WWW-Form-Urlencoded; charset=UTF-8"),
            body,
        );
        assert_eq!(same.as_ref(), Ok(&e));
        assert_eq!(parse_event(None, body).as_ref(), Ok(&e));
    }

    #[test]
    fn a_json_answer_and_hangup() {
        let e = parse_event(
            JSON,
            br#"{"event":"answer","from":"+33612345678","to":"2000","direction":"in",
                "callId":"307fa962","user":"Emma Taylor","answeringNumber":"emma@example.fr"}"#,
        )
        .unwrap();
        assert_eq!(e.kind, EventKind::Answer);
        assert_eq!(e.users, ["Emma Taylor"]);
        assert_eq!(e.answering_number.as_deref(), Some("emma@example.fr"));
        assert_eq!(e.caller_for_reading(), "+33 6 12 34 56 78");

        let e = parse_event(
            Some("application/json; charset=utf-8"),
            br#"{"event":"hangup","from":493055571600,"to":"2000","direction":"out",
                "callId":123456789,"user[]":["A","B"],"answeringNumber":"20 01",
                "cause":"normalClearing","queue":null}"#,
        )
        .unwrap();
        assert_eq!(e.kind, EventKind::Hangup);
        assert_eq!(e.from.as_deref(), Some("493055571600"));
        assert_eq!(e.call_id, "123456789");
        assert_eq!(e.users, ["A", "B"]);
        assert_eq!(e.answering_number.as_deref(), Some("2001"));
        assert_eq!(e.cause, Some(HangupCause::NormalClearing));
        assert_eq!(e.direction, Direction::Out);
        // Sniffed without a content type.
        assert_eq!(
            parse_event(
                None,
                br#" {"event":"hangup","to":"1","direction":"in","callId":"x"}"#
            )
            .map(|e| e.kind),
            Ok(EventKind::Hangup)
        );
    }

    #[test]
    fn a_multipart_form_as_curl_form_sends_it() {
        let body = "--XyZ\r\nContent-Disposition: form-data; name=\"event\"\r\n\r\nhangup\r\n\
                    --XyZ\r\nContent-Disposition: form-data; name=\"from\"\r\n\r\nanonymous\r\n\
                    --XyZ\r\nContent-Disposition: form-data; name=\"to\"\r\n\r\n2000\r\n\
                    --XyZ\r\nContent-Disposition: form-data; name=\"direction\"\r\n\r\nin\r\n\
                    --XyZ\r\ncontent-disposition: form-data; name=\"callId\"\r\n\r\nc-1\r\n\
                    --XyZ\r\nContent-Disposition: form-data; name=\"user[]\"\r\n\r\nZoé\r\n\
                    --XyZ\r\nContent-Disposition: form-data; name=\"user[]\"\r\n\r\nAnne\r\n\
                    --XyZ\r\nContent-Disposition: form-data; name=\"cause\"\r\n\r\ncancel\r\n\
                    --XyZ--\r\n";
        let e = parse_event(Some("multipart/form-data; boundary=XyZ"), body.as_bytes()).unwrap();
        assert_eq!(e.kind, EventKind::Hangup);
        assert_eq!(e.from, None);
        assert_eq!(e.caller_for_reading(), "numéro masqué");
        assert_eq!(e.call_id, "c-1");
        assert_eq!(e.users, ["Zoé", "Anne"]);
        assert_eq!(e.cause, Some(HangupCause::Cancel));
        for broken in [
            "",
            "--XyZ\r\nContent-Disposition: form-data; name=\"event\"\r\n\r\nhangup",
            "--XyZ\r\nX: y\r\n\r\nhangup\r\n--XyZ--",
        ] {
            let err = parse_event(
                Some("multipart/form-data; boundary=\"XyZ\""),
                broken.as_bytes(),
            )
            .unwrap_err();
            assert!(err.starts_with("formulaire multipart mal formé"), "{err}");
        }
        assert!(
            parse_event(Some("multipart/form-data"), body.as_bytes())
                .unwrap_err()
                .contains("boundary")
        );
    }

    #[test]
    fn withheld_callers_have_no_number() {
        for from in ["", "anonymous", "Unknown", "restricted", "private"] {
            let body = format!("event=newCall&from={from}&to=2000&direction=in&callId=1");
            assert_eq!(
                parse_event(FORM, body.as_bytes()).map(|e| e.from),
                Ok(None),
                "{from:?}"
            );
        }
        let no_from = parse_event(FORM, b"event=newCall&to=2000&direction=in&callId=1");
        assert_eq!(no_from.map(|e| e.from), Ok(None));
    }

    /// The error for `fields` sent as a form.
    fn form_error(fields: &str) -> String {
        parse_event(FORM, fields.as_bytes()).unwrap_err()
    }

    #[test]
    fn each_bad_field_is_named_in_one_sentence() {
        let ok = "to=2000&direction=in";
        for (body, error) in [
            (
                format!("{ok}&callId=1"),
                "« event » manque : newCall, answer ou hangup attendu",
            ),
            (
                format!("event=ring&{ok}&callId=1"),
                "événement inconnu « ring » : newCall, answer ou hangup attendu",
            ),
            (
                format!("event=newCall&{ok}"),
                "« callId » manque : l'identifiant de l'appel est obligatoire",
            ),
            (
                format!("event=newCall&{ok}&callId=+++"),
                "« callId » manque : l'identifiant de l'appel est obligatoire",
            ),
            (
                format!("event=newCall&{ok}&callId=a+b"),
                "identifiant d'appel invalide « a b » pour « callId » : des caractères \
                 visibles sans espace attendus",
            ),
            (
                format!("event=newCall&{ok}&callId=a%1B%5B2J"),
                "identifiant d'appel invalide « a␛[2J » pour « callId » : des caractères \
                 visibles sans espace attendus",
            ),
            (
                format!("event=newCall&{ok}&callId={}", "x".repeat(251)),
                "« callId » trop long : 251 caractères, 250 au plus",
            ),
            (
                "event=newCall&to=2000&callId=1".into(),
                "« direction » manque : in ou out attendu",
            ),
            (
                "event=newCall&to=2000&callId=1&direction=up".into(),
                "direction inconnue « up » : in ou out attendu",
            ),
            (
                "event=newCall&direction=in&callId=1".into(),
                "« to » manque : le numéro appelé est obligatoire pour un nouvel appel",
            ),
            (
                format!("event=newCall&{ok}&callId=1&from=06+12%1B%5D0%3B"),
                "valeur invalide « 06 12␛]0; » pour « from » : caractère de contrôle U+001B",
            ),
            (
                "event=newCall&direction=in&callId=1&to=support%07".into(),
                "valeur invalide « support␇ » pour « to » : caractère de contrôle U+0007",
            ),
            (
                format!("event=newCall&{ok}&callId=1&from={}", "a".repeat(129)),
                "« from » trop long : 129 caractères, 128 au plus",
            ),
            (
                format!("event=newCall&direction=in&callId=1&to={}", "1".repeat(41)),
                "numéro trop long « 1111111111111111111111111111111111111111… (41 caractères) » \
                 pour « to » : 41 chiffres, 32 au plus",
            ),
            (
                format!("event=newCall&{ok}&callId=1&user[]=Zo%C3%A9%07"),
                "nom d'agent invalide « Zoé␇ » dans « user[] » : caractère de contrôle U+0007",
            ),
            (
                format!("event=newCall&{ok}&callId=1&user[]={}", "z".repeat(129)),
                "nom d'agent trop long dans « user[] » : 129 caractères, 128 au plus",
            ),
            (
                format!("event=newCall&{ok}&callId=1{}", "&user[]=a".repeat(33)),
                "trop d'agents dans « user[] » : 33, 32 au plus",
            ),
            (
                format!("event=answer&{ok}&callId=1&answeringNumber=jean%0Adupont"),
                "valeur invalide « jean␊dupont » pour « answeringNumber » : caractère de \
                 contrôle U+000A",
            ),
            (
                format!("event=hangup&{ok}&callId=1&cause=no%1Banswer"),
                "cause de raccrochage invalide « no␛answer » pour « cause » : 64 caractères \
                 au plus, sans caractère de contrôle",
            ),
            (
                format!("event=hangup&{ok}&callId=1&cause={}", "c".repeat(65)),
                "cause de raccrochage invalide « cccccccccccccccccccccccccccccccccccccccc… \
                 (65 caractères) » pour « cause » : 64 caractères au plus, sans caractère de \
                 contrôle",
            ),
            (
                format!("event=hangup&{ok}&callId=%FF"),
                "champ « callId » : texte UTF-8 attendu",
            ),
        ] {
            assert_eq!(form_error(&body), error, "{body}");
        }
    }

    #[test]
    fn bodies_that_are_not_an_event() {
        for (ct, body, error) in [
            (
                JSON,
                "{",
                "JSON illisible, ligne 1, colonne 1 : un objet attendu",
            ),
            (
                JSON,
                "[1]",
                "JSON : un objet attendu, avec les champs event, callId, to…",
            ),
            (
                JSON,
                r#"{"event":"newCall","callId":{"a":1}}"#,
                "champ « callId » : du texte attendu dans le JSON",
            ),
            (
                JSON,
                r#"{"event":"newCall","user":[true]}"#,
                "champ « user » : du texte attendu dans le JSON",
            ),
            (
                JSON,
                r#"{"event":"newCall","callId":1.5}"#,
                "champ « callId » : du texte attendu dans le JSON",
            ),
            (
                Some("text/plain\u{1b}[2J"),
                "event=newCall",
                "type de contenu « text/plain␛[2J » non pris en charge : \
                 application/x-www-form-urlencoded, multipart/form-data ou application/json \
                 attendu",
            ),
            (
                FORM,
                "",
                "« event » manque : newCall, answer ou hangup attendu",
            ),
            (
                JSON,
                "{}",
                "« event » manque : newCall, answer ou hangup attendu",
            ),
        ] {
            assert_eq!(
                parse_event(ct, body.as_bytes()).unwrap_err(),
                error,
                "{body}"
            );
        }
    }

    #[test]
    fn percent_decoding_keeps_what_it_cannot_decode() {
        assert_eq!(percent_decode(b"a%41+b", true), b"aA b");
        assert_eq!(percent_decode(b"a%41+b", false), b"aA+b");
        assert_eq!(percent_decode(b"%", true), b"%");
        assert_eq!(percent_decode(b"%4", true), b"%4");
        assert_eq!(percent_decode(b"%zz", true), b"%zz");
        assert_eq!(percent_decode(b"%e9", true), [0xe9]);
    }

    #[test]
    fn the_command_line_gives_the_same_event_and_names_its_options() {
        let e =
            event_from_args("newCall", Some("06 12 34 56 78"), "2000", "c-9", None, None).unwrap();
        assert_eq!(
            Ok(e),
            parse_event(
                FORM,
                b"event=newCall&from=0612345678&to=2000&direction=in&callId=c-9"
            )
        );
        let e = event_from_args(
            "hangup",
            Some("anonymous"),
            "+33 1 40 07 20 00",
            "c-9",
            Some("busy"),
            Some("out"),
        )
        .unwrap();
        assert_eq!(e.from, None);
        assert_eq!(e.to.as_deref(), Some("+33140072000"));
        assert_eq!(e.direction, Direction::Out);
        assert_eq!(e.cause, Some(HangupCause::Busy));
        assert_eq!(
            event_from_args("newCall", None, "2000", "", None, None).unwrap_err(),
            "« --call-id » manque : l'identifiant de l'appel est obligatoire"
        );
        assert_eq!(
            event_from_args("newCall", Some("x\u{7}"), "2000", "1", None, None).unwrap_err(),
            "valeur invalide « x␇ » pour « --from » : caractère de contrôle U+0007"
        );
        assert_eq!(
            event_from_args("newCall", None, "", "1", None, None).unwrap_err(),
            "« --to » manque : le numéro appelé est obligatoire pour un nouvel appel"
        );
        // An answer and a hangup are known by their call id alone.
        let bare = event_from_args("hangup", None, "", "1", Some("a b"), None).unwrap();
        assert_eq!(bare.to, None);
        assert_eq!(bare.cause, Some(HangupCause::Other("a b".into())));
        assert_eq!(
            event_from_args("hangup", None, "1", "1", Some("a\u{1b}b"), None).unwrap_err(),
            "cause de raccrochage invalide « a␛b » pour « --cause » : 64 caractères au plus, \
             sans caractère de contrôle"
        );
    }

    #[test]
    fn the_command_line_names_its_agents_and_who_answered() {
        let users = vec![
            "Claire  Dupont".to_string(),
            " ".to_string(),
            "Luc".to_string(),
        ];
        let e = EventArgs {
            event: "answer",
            from: Some(""),
            to: Some("3001"),
            call_id: "c-2",
            users: &users,
            answering_number: Some("30 01"),
            ..EventArgs::default()
        }
        .check()
        .unwrap();
        assert_eq!(e.from, None);
        assert_eq!(e.users, ["Claire Dupont", "Luc"]);
        assert_eq!(e.answering_number.as_deref(), Some("3001"));
        assert_eq!(
            Ok(e),
            parse_event(
                FORM,
                "event=answer&from=&to=3001&direction=in&callId=c-2&user[]=Claire+Dupont\
                 &user[]=Luc&answeringNumber=3001"
                    .as_bytes()
            )
        );
        let bad = vec!["Zoé\u{7}".to_string()];
        let args = EventArgs {
            event: "newCall",
            to: Some("3001"),
            call_id: "c-2",
            users: &bad,
            ..EventArgs::default()
        };
        assert_eq!(
            args.check().unwrap_err(),
            "nom d'agent invalide « Zoé␇ » dans « --user » : caractère de contrôle U+0007"
        );
        let args = EventArgs {
            answering_number: Some("jean\u{1b}dupont"),
            users: &[],
            ..args
        };
        assert_eq!(
            args.check().unwrap_err(),
            "valeur invalide « jean␛dupont » pour « --answering-number » : caractère de \
             contrôle U+001B"
        );
        // A name is who picked up as much as a number: Zammad looks agents up by login too.
        let named = EventArgs {
            event: "answer",
            answering_number: Some("Jean Dupont"),
            ..args
        };
        assert_eq!(
            named.check().unwrap().answering_number.as_deref(),
            Some("Jean Dupont")
        );
    }

    #[test]
    fn an_event_serialises_with_its_slugs() {
        let e = event_from_args("hangup", None, "2000", "c-1", Some("CHANUNAVAIL"), None).unwrap();
        assert_eq!(
            serde_json::to_value(&e).unwrap(),
            serde_json::json!({
                "event": "hangup", "from": null, "to": "2000", "direction": "in",
                "call_id": "c-1", "users": [], "answering_number": null,
                "cause": "CHANUNAVAIL"
            })
        );
    }

    #[test]
    fn a_refused_event_is_a_422_and_an_unreadable_body_a_400() {
        for (ct, body) in [
            (FORM, "event=ring&to=1&direction=in&callId=1"),
            (FORM, "event=newCall&to=1&callId=1"),
            (FORM, "event=newCall&to=1&direction=sideways&callId=1"),
            (FORM, "event=newCall&direction=in&callId=1"),
            (FORM, "event=answer&direction=in"),
            (FORM, ""),
            (JSON, "{}"),
        ] {
            let r = read_event(ct, body.as_bytes()).unwrap_err();
            assert_eq!(r.status(), 422, "{body}: {r:?}");
        }
        for (ct, body) in [
            (JSON, "{"),
            (JSON, "[1]"),
            (JSON, r#"{"event":"newCall","callId":true}"#),
            (Some("text/xml"), "<event/>"),
            (Some("multipart/form-data"), "x"),
            (FORM, "event=hangup&to=1&direction=in&callId=%FF"),
        ] {
            let r = read_event(ct, body.as_bytes()).unwrap_err();
            assert_eq!(r.status(), 400, "{body}: {r:?}");
        }
    }

    #[test]
    fn call_id_or_callid_as_zammad_reads_them() {
        // Zammad's own request tests and the 3CX bridge send `call_id`.
        let e = parse_event(
            FORM,
            b"event=hangup&direction=out&call_id=1234567890-1&cause=cancel",
        )
        .unwrap();
        assert_eq!(e.call_id, "1234567890-1");
        assert_eq!((e.from, e.to), (None, None));
        // `callId` first, as `params['callId'] || params['call_id']`.
        let e = parse_event(
            JSON,
            br#"{"event":"answer","direction":"in","call_id":"b","callId":"a","callid":"c"}"#,
        )
        .unwrap();
        assert_eq!(e.call_id, "a");
        // An empty `callId` is no call id: `call_id` is read.
        let e = parse_event(FORM, b"event=hangup&direction=in&callId=&call_id=z").unwrap();
        assert_eq!(e.call_id, "z");
    }

    #[test]
    fn a_field_given_twice_keeps_its_last_value_as_rails_reads_it() {
        let e = parse_event(
            FORM,
            b"event=hangup&event=answer&to=1&to=2&direction=in&callId=1&user=a&user[]=b",
        )
        .unwrap();
        assert_eq!(e.kind, EventKind::Answer);
        assert_eq!(e.to.as_deref(), Some("2"));
        assert_eq!(e.users, ["a", "b"]);
    }

    #[test]
    fn caller_ids_that_are_not_numbers_are_kept_as_given() {
        for (from, kept, read) in [
            (
                "sip:anonymous@pbx.example",
                Some("sip:anonymous@pbx.example"),
                None,
            ),
            ("  Jean Dupont ", Some("Jean Dupont"), None),
            (
                "+33 (0)6 12 34 56 78",
                Some("+33612345678"),
                Some("+33612345678"),
            ),
            (
                "0033 6 12 34 56 78",
                Some("0033612345678"),
                Some("0033612345678"),
            ),
            (
                "+262 692 12 34 56",
                Some("+262692123456"),
                Some("+262692123456"),
            ),
            ("<unknown>", None, None),
            ("Anonymous", None, None),
        ] {
            let body = format!(
                "event=newCall&from={}&to=support&direction=in&callId=1",
                from.replace('+', "%2B").replace(' ', "+")
            );
            let e = parse_event(FORM, body.as_bytes()).unwrap();
            assert_eq!(e.from.as_deref(), kept, "{from:?}");
            assert_eq!(e.caller_number(), read, "{from:?}");
            assert_eq!(e.to.as_deref(), Some("support"), "a queue's name in `to`");
        }
        // Shown as given, made inert.
        let e = parse_event(
            FORM,
            b"event=newCall&from=sip%3Aanonymous%40h&to=1&direction=in&callId=1",
        )
        .unwrap();
        assert_eq!(e.caller_for_reading(), "sip:anonymous@h");
    }

    #[test]
    fn who_answered_is_the_answering_number_then_the_first_agent() {
        let answer = |fields: &str| {
            parse_event(
                FORM,
                format!("event=answer&direction=in&callId=1{fields}").as_bytes(),
            )
            .unwrap()
            .answering_number
        };
        // FreeSWITCH scripts: the extension that picked up in `user`.
        assert_eq!(answer("&user=1001"), Some("1001".into()));
        assert_eq!(answer("&user=30+01"), Some("3001".into()));
        // The Asterisk AMI bridge: the queue member's name.
        assert_eq!(answer("&user=agent.name"), Some("agent.name".into()));
        assert_eq!(answer("&user[]=Zo%C3%A9&user[]=Luc"), Some("Zoé".into()));
        assert_eq!(
            answer("&user=Luc&answeringNumber=2001"),
            Some("2001".into())
        );
        assert_eq!(answer(""), None);
        assert_eq!(answer("&user="), None);
        // Only an answer says who picked up; a new call's agents are whom it rings for.
        let ring =
            parse_event(FORM, b"event=newCall&to=1&direction=in&callId=1&user=1001").unwrap();
        assert_eq!(ring.answering_number, None);
    }

    #[test]
    fn pbx_causes_read_as_zammad_causes() {
        for (said, cause) in [
            ("NORMAL_CLEARING", HangupCause::NormalClearing),
            ("ORIGINATOR_CANCEL", HangupCause::Cancel),
            ("USER_BUSY", HangupCause::Busy),
            ("NO_ANSWER", HangupCause::NoAnswer),
            ("NOANSWER", HangupCause::NoAnswer),
            ("no answer", HangupCause::NoAnswer),
            ("ANSWER", HangupCause::NormalClearing),
            ("CANCEL", HangupCause::Cancel),
            ("UNALLOCATED_NUMBER", HangupCause::NotFound),
            ("NORMAL_CIRCUIT_CONGESTION", HangupCause::Congestion),
            ("CHANUNAVAIL", HangupCause::Other("CHANUNAVAIL".into())),
            (
                "  rappel programmé ",
                HangupCause::Other("rappel programmé".into()),
            ),
        ] {
            assert_eq!(HangupCause::from_slug(said), Some(cause), "{said:?}");
        }
    }

    #[test]
    fn fields_zammad_does_not_read_are_not_looked_at() {
        let e = parse_event(
            JSON,
            br#"{"event":"newCall","from":"0612345678","to":"101","direction":"in",
                "call_id":"u-1","callid":"u-1","timestamp":1.5,"extra":{"a":[true]}}"#,
        )
        .unwrap();
        assert_eq!(e.call_id, "u-1");
    }
}
