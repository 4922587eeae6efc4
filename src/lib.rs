//! guichet: a keyboard-driven console for IT hotline desks of French public administrations.
//!
//! Layers, each knowing only those below it: `domain` (pure rules), `catalog` (data files),
//! `store` (SQLite), then the two front ends, `cli` and `tui`.

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
