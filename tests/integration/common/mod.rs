//! The harnesses the test modules share; each module takes the part it needs.

#[macro_use]
pub mod desk;

pub mod cluster;
pub mod cti;
pub mod glpi;
pub mod pty;
pub mod tmux;
