//! Every integration test, as modules of one test executable: after a change in the
//! library, one executable to compile and link instead of one per file (31 of them, about
//! 90 MB each). A test is named by its file: `cargo test --test integration cli::` runs
//! those of `cli.rs`.
//!
//! A new file of tests here needs its `mod` line below (`layout.rs` fails without it).
//! `common` holds the shared harnesses (a desk on either engine, tmux, a pseudo-terminal,
//! the telephony listener, a GLPI stand-in). It comes first: its macros
//! (`on_both_engines!`, `sql_args!`) are then in scope of every module after it.

#[macro_use]
mod common;

mod authoring;
mod calc;
mod catalog;
mod catalog_reload;
mod cli;
mod concurrency;
mod console;
mod console_phone;
mod csv_exports;
mod drafts;
mod e2e_conditions;
mod e2e_desk;
mod e2e_phone;
mod e2e_postgres;
mod e2e_tmux;
mod failover;
mod files;
mod glpi;
mod glpi_ticket;
mod hostile_output;
mod install;
mod layout;
mod learned;
mod live_list;
mod pbx_clients;
mod pg_connections;
mod phone_cli;
mod phone_listen;
mod procedure_figures;
mod procedure_paths;
mod pty_hostile;
mod relevance;
mod relevance_blind;
mod relevance_callers;
mod relevance_engines;
mod relevance_guide_sets;
mod relevance_operators;
mod report;
mod robustness;
mod screens;
mod streaming;
mod tools_cli;
mod walks_when;
mod xivo_wazo;
mod zammad_cti;
