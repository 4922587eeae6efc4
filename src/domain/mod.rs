//! Pure types and rules of the desk: no I/O, no terminal, no SQL.

pub mod amigo;
pub mod call;
pub mod comu;
pub mod condition;
pub mod holidays;
pub mod learned;
pub mod paths;
pub mod phone;
pub mod printer;
pub mod procedure;
pub mod quota;
pub mod reference;
pub mod search;
pub mod shifts;
pub mod sound;
pub mod spell;
pub mod telemaintenance;
pub mod text;
pub mod thesaurus;
pub mod time;
pub mod tool;
pub mod walk;

#[cfg(test)]
mod tests;
pub mod xivo;
