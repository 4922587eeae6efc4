//! One module per screen.

pub mod detail;
pub mod draft;
pub mod form;
pub mod handover;
pub mod help;
pub mod list;
pub mod procedures;
pub mod search_bar;
pub mod tools;
