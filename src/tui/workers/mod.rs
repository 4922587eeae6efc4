//! The console's background threads, each on its own connection to the store so that a
//! key never waits for a disk or a server: the catalogue loader, the GLPI sender, the
//! draft writer.

pub mod catalog;
pub mod drafts;
pub mod glpi;
