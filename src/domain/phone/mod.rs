//! The telephony's vocabulary: an event ([`event`]), a call as its events tell it
//! ([`call`]), the numbers in them ([`number`]) and what a desk makes of its calls
//! ([`desk`]). Pure, so that the store records them and the reports count them without
//! knowing the telephony's edge (`crate::phone`: reading requests, the listener).

pub mod call;
pub mod desk;
pub mod event;
pub mod number;
