//! guichet: a keyboard-driven console for IT hotline desks of French public administrations.
//!
//! Layers, each knowing only those below it: `domain` (pure rules); `catalog` (data
//! files), `config` (the desk's settings) and `csv_export`; `store` (SQLite or PostgreSQL);
//! `report`, `phone` and `glpi`; then the console, `tui`, and the command line, `cli`, that
//! opens it. `layers_test` keeps them, and keeps modules from importing one another in a
//! circle.

pub mod catalog;
pub mod cli;
pub mod config;
pub mod csv_export;
pub mod domain;
pub mod glpi;
pub mod phone;
pub mod report;
pub mod store;
pub mod tui;

#[cfg(test)]
mod layers_test;
