//! Pure types and rules of the desk: no I/O, no terminal, no SQL.

pub mod call;
pub mod procedure;
pub mod reference;
pub mod search;
pub mod text;
pub mod time;
pub mod walk;

#[cfg(test)]
mod tests;
