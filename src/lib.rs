//! guichet: a keyboard-driven console for IT hotline desks of French public administrations.
//!
//! Layers, each knowing only those below it: `domain` (pure rules); `catalog` (data
//! files), `config` (the desk's settings) and `csv_export`; `store` (SQLite or PostgreSQL);
//! `report`, `phone` and `glpi`; then the console, `tui`, and the command line, `cli`, that
//! opens it. `layers_test` keeps them, and keeps modules from importing one another in a
//! circle.

// The library's own rules, beside Cargo.toml's [lints] (which tests, benches and examples
// keep too): it prints nothing itself (the command line writes through its writer, the
// console draws through ratatui); it reads the wall clock (clippy.toml) only at its
// edges, which allow it by name below and in glpi and phone::listen, and hands it inward;
// each unsafe block says why it is sound.
#![deny(
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::disallowed_methods,
    clippy::undocumented_unsafe_blocks
)]

pub mod catalog;
// An edge: each command reads the clock and hands it inward.
#[allow(clippy::disallowed_methods)]
pub mod cli;
pub mod config;
pub mod csv_export;
pub mod domain;
pub mod glpi;
pub mod phone;
pub mod private_file;
pub mod report;
pub mod store;
pub mod xlsx_export;
// An edge: the console's loop and its crash report read the clock; its farewell and crash
// sentences go to standard error once the terminal is given back.
#[allow(clippy::disallowed_methods, clippy::print_stderr)]
pub mod tui;

#[cfg(test)]
mod layers_test;
