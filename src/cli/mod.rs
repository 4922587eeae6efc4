//! The command line: parses arguments, calls the library, prints. Exit codes: 0 success,
//! 1 failure, 2 bad usage or bad input (DESIGN.md §5).

mod amigo;
mod args;
mod calls;
pub mod output;
mod procedures;
mod report;
mod tools;

pub use args::{CallCommand, Cli, Command, DbCommand, Format, FormatArg, ProceduresCommand};

use crate::catalog::embedded_reference;
use crate::catalog::procedures::{Catalog, embedded, load_dir};
use crate::config::{DeskConfig, resolve_db_path, resolve_operator};
use crate::domain::reference::Reference;
use crate::store::{FileAccess, Store, StoreError};
use clap::Parser;
use std::io::Write;
use std::path::Path;

/// An error that ends a command: its message is one sentence for stderr.
#[derive(Debug)]
pub enum CliError {
    /// The input named a bad value: exit 2.
    BadInput(String),
    /// The command could not do its work: exit 1.
    Failed(String),
}

impl CliError {
    pub fn code(&self) -> i32 {
        match self {
            CliError::BadInput(_) => 2,
            CliError::Failed(_) => 1,
        }
    }
    pub fn message(&self) -> &str {
        match self {
            CliError::BadInput(m) | CliError::Failed(m) => m,
        }
    }
    pub fn bad(e: impl std::fmt::Display) -> Self {
        CliError::BadInput(e.to_string())
    }
}

impl From<StoreError> for CliError {
    fn from(e: StoreError) -> Self {
        match e {
            // The input named a call that is not there, or asked for a correction that
            // does not apply to it.
            StoreError::UnknownCall(_)
            | StoreError::NotClosed(_)
            | StoreError::SameOutcome(..)
            // The backup's path names a link, a folder or a file to keep.
            | StoreError::BackupExists { .. }
            | StoreError::BackupLink { .. }
            | StoreError::BackupNotAFile { .. } => CliError::BadInput(e.to_string()),
            _ => CliError::Failed(e.to_string()),
        }
    }
}

/// Runs the program with the process's arguments and returns its exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help and version to stdout (exit 0) and usage errors to stderr.
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    match run(cli) {
        Ok(()) => 0,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "guichet : {}", e.message());
            e.code()
        }
    }
}

/// The active catalogue: `--catalog DIR`, else the embedded one. Broken files are reported
/// on stderr and skipped (except by `procedures lint`, which reports them as its result).
fn load_catalog(
    dir: Option<&Path>,
    reference: &Reference,
    warn: bool,
) -> Result<Catalog, CliError> {
    let catalog = match dir {
        Some(d) => load_dir(d, reference).map_err(|e| {
            CliError::BadInput(format!(
                "dossier de procédures illisible « {} » : {e}",
                d.display()
            ))
        })?,
        None => embedded(reference),
    };
    if warn {
        for p in &catalog.problems {
            let _ = writeln!(std::io::stderr(), "guichet : procédure ignorée : {p}");
        }
    }
    Ok(catalog)
}

pub fn run(cli: Cli) -> Result<(), CliError> {
    let db_path = resolve_db_path(cli.db.as_deref());
    let reference = embedded_reference();
    let is_lint = matches!(
        cli.command,
        Some(Command::Procedures(ProceduresCommand::Lint { .. }))
    );
    let catalog = load_catalog(cli.catalog.as_deref(), &reference, !is_lint)?;
    let desk = DeskConfig::load().map_err(|e| CliError::Failed(e.to_string()))?;
    let access = FileAccess {
        group: desk.db_group.clone(),
        read_only: cli.read_only,
    };
    let open_store = || Store::open_with(&db_path, &access).map_err(CliError::from);
    match cli.command {
        None => {
            let operator = resolve_operator(cli.operator.as_deref()).map_err(CliError::bad)?;
            let store = open_store()?;
            crate::tui::run(store, reference, catalog, operator, desk)
                .map_err(|e| CliError::Failed(format!("console : {e}")))
        }
        Some(Command::Call(cmd)) => {
            let mut store = open_store()?;
            let text = calls::run(
                *cmd,
                &mut store,
                &reference,
                &catalog,
                cli.operator.as_deref(),
            )?;
            print(&text)
        }
        Some(Command::Report(cmd)) => {
            let mut store = open_store()?;
            let text = report::run(
                cmd,
                &mut store,
                &reference,
                &catalog,
                &desk,
                cli.operator.as_deref(),
            )?;
            print(&text)
        }
        Some(Command::Tools(cmd)) => {
            let text = tools::run(cmd, cli.operator.as_deref(), open_store)?;
            print(&text)
        }
        Some(Command::Procedures(cmd)) => {
            let text = procedures::run(cmd, &catalog, &reference, open_store)?;
            print(&text)
        }
        Some(Command::Db(cmd)) => {
            let store = open_store()?;
            match cmd {
                DbCommand::Check => {
                    let problems = store.check()?;
                    if problems.is_empty() {
                        print(&format!(
                            "{} : intégrité vérifiée, aucun problème\n",
                            store.path()
                        ))
                    } else {
                        Err(CliError::Failed(format!(
                            "{} : {} problème(s) d'intégrité : {}",
                            store.path(),
                            problems.len(),
                            problems.join(" ; ")
                        )))
                    }
                }
                DbCommand::Backup { path, force } => {
                    store.backup_with(&path, force)?;
                    print(&format!("copie écrite dans {}\n", path.display()))
                }
            }
        }
    }
}

/// The chosen format, the first allowed one by default; a format the command does not
/// produce is a usage error naming it.
pub(crate) fn formats(arg: &FormatArg, allowed: &[Format]) -> Result<Format, CliError> {
    let chosen = arg.format.unwrap_or(allowed[0]);
    if allowed.contains(&chosen) {
        Ok(chosen)
    } else {
        let name = |f: &Format| format!("{f:?}").to_lowercase();
        Err(CliError::BadInput(format!(
            "format « {} » non disponible pour cette commande : choisir parmi {}",
            name(&chosen),
            allowed.iter().map(name).collect::<Vec<_>>().join(", ")
        )))
    }
}

/// A value as an error message names it: control characters made visible, and cut after
/// 40 characters so that a pasted page stays one short sentence.
pub(crate) fn named(value: &str) -> String {
    const SHOWN: usize = 40;
    let shown = crate::domain::text::visible(value);
    let count = shown.chars().count();
    if count <= SHOWN {
        shown.into_owned()
    } else {
        let cut: String = shown.chars().take(SHOWN).collect();
        format!("{cut}… ({count} caractères)")
    }
}

/// A free-text filter given as `option`: at most `max` characters, no control character.
pub(crate) fn filter_text(option: &str, value: String, max: usize) -> Result<String, CliError> {
    let count = value.chars().count();
    if count > max {
        return Err(CliError::BadInput(format!(
            "{option} trop long : {count} caractères, {max} au plus"
        )));
    }
    if value.chars().any(char::is_control) {
        return Err(CliError::BadInput(format!(
            "{option} « {} » contient un caractère de contrôle",
            named(&value)
        )));
    }
    Ok(value)
}

/// `--service` and `--device` name known slugs.
pub(crate) fn check_context(
    reference: &Reference,
    service: Option<&str>,
    device: Option<&str>,
) -> Result<(), CliError> {
    if let Some(s) = service
        && reference.service(s).is_none()
    {
        return Err(CliError::BadInput(format!(
            "service inconnu « {} » : choisir parmi {}",
            named(s),
            reference.service_slugs()
        )));
    }
    if let Some(d) = device
        && reference.device(d).is_none()
    {
        return Err(CliError::BadInput(format!(
            "poste inconnu « {} » : choisir parmi {}",
            named(d),
            reference.device_slugs()
        )));
    }
    Ok(())
}

fn print(text: &str) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        // A closed pipe (`guichet call list | head`) is the reader's choice, not a failure.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(CliError::Failed(format!("écriture impossible : {e}"))),
    }
}
