//! The popups, drawn over the screen under them: a yes/no question, a note to write, an
//! outcome to choose, a journal line read whole, the help, a draft offered back. A popup
//! answers the screen under it (`Effect::Reply`) and imports no screen.

pub mod confirm;
pub mod draft;
pub mod entry;
pub mod help;
pub mod note;
pub mod outcome;
