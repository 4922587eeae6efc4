//! The telephony's edge: how a request body or a dialplan script's options become an
//! event ([`event`]), XiVO's and Wazo's own events read into one ([`xivo`], [`wazo`]), and
//! the HTTP listener the telephony system posts them to ([`listen`]). Storing them is the
//! caller's part: [`listen::serve`] hands each event to a sink.
//!
//! What an event, a call and a number are lives in the domain ([`crate::domain::phone`]),
//! below the store that records them; the front ends name it through here too, as the
//! telephony they deal with.

pub use crate::domain::phone::{call, desk, number};

pub mod event;
pub mod listen;
mod platform;
pub mod wazo;
pub mod xivo;

pub use crate::domain::phone::call::{PhoneCall, PhoneState, StoredEvent};
pub use event::{
    Direction, EventArgs, EventKind, HangupCause, PhoneEvent, Refused, event_from_args,
    parse_event, read_event,
};
pub use listen::{Exchange, ListenOptions, SinkError, bind, serve};
