//! The telephony's call events: what an event is and how a request body or a dialplan
//! script's options become one ([`event`]), XiVO's and Wazo's own events read into one
//! ([`xivo`], [`wazo`]), the numbers in it ([`number`]), and the HTTP listener the
//! telephony system posts them to ([`listen`]). Storing them is the caller's
//! part: [`listen::serve`] hands each event to a sink.

pub mod call;
pub mod desk;
pub mod event;
pub mod listen;
pub mod number;
mod platform;
pub mod wazo;
pub mod xivo;

pub use call::{PhoneCall, PhoneState, StoredEvent};
pub use event::{
    Direction, EventArgs, EventKind, HangupCause, PhoneEvent, Refused, event_from_args,
    parse_event, read_event,
};
pub use listen::{Exchange, ListenOptions, SinkError, bind, serve};
