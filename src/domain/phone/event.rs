//! A telephony event (a call arrives, is answered, hangs up) in the shape of the generic
//! CTI interface that desks already configure for Zammad: what happened, in which
//! direction, why it ended, and the fields of one event with their limits. The store
//! records these and the console shows them; reading one from a request body or from the
//! command line is the telephony edge's part (`crate::phone::event`).

use super::number;
use crate::domain::text::is_unsafe;
use serde::{Serialize, Serializer};

/// The most characters of a call identifier (Zammad's `call_id` column holds 250).
pub const MAX_CALL_ID: usize = 250;
/// The most characters of an agent's name, of the answering number or login, and of a
/// caller id or a number called that is not a number.
pub const MAX_NAME: usize = 128;
/// The most agents named on one event (`user[]`).
pub const MAX_USERS: usize = 32;
/// The most characters of a hangup cause.
pub const MAX_CAUSE: usize = 64;

/// What happened to the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum EventKind {
    /// A call starts ringing (incoming) or is dialled (outgoing).
    #[serde(rename = "newCall")]
    NewCall,
    /// Someone picked up.
    #[serde(rename = "answer")]
    Answer,
    /// The call ended.
    #[serde(rename = "hangup")]
    Hangup,
}

impl EventKind {
    pub const ALL: [EventKind; 3] = [EventKind::NewCall, EventKind::Answer, EventKind::Hangup];

    /// The word on the wire, as Zammad's generic CTI spells it.
    pub fn slug(self) -> &'static str {
        match self {
            EventKind::NewCall => "newCall",
            EventKind::Answer => "answer",
            EventKind::Hangup => "hangup",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            EventKind::NewCall => "nouvel appel",
            EventKind::Answer => "décroché",
            EventKind::Hangup => "raccroché",
        }
    }

    /// The event a word names, in any case (`newCall`, `newcall`).
    pub fn from_slug(s: &str) -> Option<Self> {
        EventKind::ALL
            .into_iter()
            .find(|k| k.slug().eq_ignore_ascii_case(s))
    }
}

/// Who called whom: `in`, a caller reaching the desk; `out`, the desk calling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    In,
    Out,
}

impl Direction {
    pub const ALL: [Direction; 2] = [Direction::In, Direction::Out];

    pub fn slug(self) -> &'static str {
        match self {
            Direction::In => "in",
            Direction::Out => "out",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Direction::In => "entrant",
            Direction::Out => "sortant",
        }
    }

    /// The direction a word names, in any case.
    pub fn from_slug(s: &str) -> Option<Self> {
        Direction::ALL
            .into_iter()
            .find(|d| d.slug().eq_ignore_ascii_case(s))
    }
}

/// Why a call ended: the causes Zammad's generic CTI documents, and any other a telephony
/// system sends (kept as it is, so that nothing it says is lost).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum HangupCause {
    /// One of the parties hung up after the call was established.
    NormalClearing,
    /// The called party was busy.
    Busy,
    /// The caller hung up before anyone picked up.
    Cancel,
    /// Nobody answered, or the called party refused the call.
    NoAnswer,
    /// The called party could not be reached.
    Congestion,
    /// The number does not exist, or the called party is offline.
    NotFound,
    /// The call was sent on to someone else.
    Forwarded,
    /// Another cause, as the telephony system named it (Asterisk's `CHANUNAVAIL`, a Q.850
    /// code `16`): at most [`MAX_CAUSE`] characters, no control character.
    Other(String),
}

impl HangupCause {
    /// The causes with a name of their own.
    pub const KNOWN: [HangupCause; 7] = [
        HangupCause::NormalClearing,
        HangupCause::Busy,
        HangupCause::Cancel,
        HangupCause::NoAnswer,
        HangupCause::Congestion,
        HangupCause::NotFound,
        HangupCause::Forwarded,
    ];

    /// The word on the wire (Zammad's spelling), or the other cause as it came.
    pub fn slug(&self) -> &str {
        match self {
            HangupCause::NormalClearing => "normalClearing",
            HangupCause::Busy => "busy",
            HangupCause::Cancel => "cancel",
            HangupCause::NoAnswer => "noAnswer",
            HangupCause::Congestion => "congestion",
            HangupCause::NotFound => "notFound",
            HangupCause::Forwarded => "forwarded",
            HangupCause::Other(s) => s,
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            HangupCause::NormalClearing => "fin normale",
            HangupCause::Busy => "occupé",
            HangupCause::Cancel => "raccroché avant réponse",
            HangupCause::NoAnswer => "sans réponse",
            HangupCause::Congestion => "injoignable",
            HangupCause::NotFound => "numéro inexistant",
            HangupCause::Forwarded => "renvoyé",
            HangupCause::Other(_) => "autre cause",
        }
    }

    /// The cause a text names: a known one in any case and spelling (`noAnswer`,
    /// `NO_ANSWER`, `no answer`), or the same cause as FreeSWITCH's `hangup_cause` or
    /// Asterisk's `DIALSTATUS` name it (`NORMAL_CLEARING`, `ORIGINATOR_CANCEL`,
    /// `USER_BUSY`, `NOANSWER`, `ANSWER`…, which dialplan scripts pass on as they are);
    /// else [`HangupCause::Other`], trimmed, when it has at most [`MAX_CAUSE`] characters
    /// and no control character; `None` for anything else.
    pub fn from_slug(s: &str) -> Option<Self> {
        let t = s.trim();
        let folded: String = t
            .chars()
            .filter(|c| !matches!(c, '_' | '-' | ' '))
            .flat_map(char::to_lowercase)
            .collect();
        let known = match folded.as_str() {
            "normalclearing" | "answer" | "answered" => Some(HangupCause::NormalClearing),
            "busy" | "userbusy" => Some(HangupCause::Busy),
            "cancel" | "originatorcancel" => Some(HangupCause::Cancel),
            "noanswer" | "nouserresponse" | "callrejected" => Some(HangupCause::NoAnswer),
            "congestion" | "normalcircuitcongestion" => Some(HangupCause::Congestion),
            "notfound" | "unallocatednumber" => Some(HangupCause::NotFound),
            "forwarded" | "blindtransfer" | "attendedtransfer" => Some(HangupCause::Forwarded),
            _ => None,
        };
        if known.is_some() {
            return known;
        }
        let other = !t.is_empty() && t.chars().count() <= MAX_CAUSE && !t.chars().any(is_unsafe);
        other.then(|| HangupCause::Other(t.to_string()))
    }
}

impl Serialize for HangupCause {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.slug())
    }
}

/// One telephony event, checked: what the store records and the console shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PhoneEvent {
    #[serde(rename = "event")]
    pub kind: EventKind,
    /// The caller: the number, normalised ([`number::normalize`]), when the caller id is
    /// one; else the caller id as given, trimmed (`sip:anonymous@pbx`, a name), shown made
    /// inert and never matched; `None` when withheld or not sent.
    pub from: Option<String>,
    /// The number called, normalised, or what the telephony put there as given (a queue's
    /// name); `None` when not sent (an `answer` or a `hangup` may leave it out).
    pub to: Option<String>,
    pub direction: Direction,
    /// The telephony system's identifier of the call, the same on all its events.
    pub call_id: String,
    /// The agents' names: those the call rings for (`in`), or the one calling (`out`).
    pub users: Vec<String>,
    /// Who picked up (`answer`, `hangup`): a number (normalised) or a login, as the
    /// telephony system knows the agent. On an `answer`, `answeringNumber`, else the first
    /// agent named.
    pub answering_number: Option<String>,
    /// Why the call ended (`hangup`).
    pub cause: Option<HangupCause>,
}

impl PhoneEvent {
    /// The caller's number for reading aloud ([`number::for_reading`]), the caller id as
    /// given made inert when it is not a number, or « numéro masqué » when withheld.
    pub fn caller_for_reading(&self) -> String {
        number::caller_for_reading(self.from.as_deref())
    }

    /// The caller's number when the caller id is one (what the desk's calls are matched
    /// by); `None` when withheld or not a number.
    pub fn caller_number(&self) -> Option<&str> {
        self.from.as_deref().filter(|f| number::is_number(f))
    }
}
