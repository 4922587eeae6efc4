//! The command line: parses arguments, calls the library, prints. Exit codes: 0 success,
//! 1 failure, 2 bad usage or bad input (DESIGN.md §5).

mod amigo;
mod args;
mod calls;
mod french;
mod glpi;
mod install;
mod manual;
pub mod output;
mod phone;
mod procedures;
mod report;
mod simulate;
mod tools;

pub use args::{
    CallCommand, Cli, Command, CsvArg, DbCommand, Format, FormatArg, GlpiCommand, PhoneCommand,
    ProceduresCommand,
};

use crate::catalog::embedded_reference;
use crate::catalog::procedures::{Catalog, CatalogSource};
use crate::config::{DeskConfig, resolve_operator};
use crate::csv_export::CsvOptions;
use crate::domain::reference::Reference;
use crate::domain::text::visible_lines;
use crate::store::{FileAccess, Location, Store, StoreError};
use output::human;
use std::io::{self, Write};
use thiserror::Error;

/// An error that ends a command: its message is one sentence for stderr.
#[derive(Debug, Error)]
pub enum CliError {
    /// The input named a bad value: exit 2.
    #[error("{0}")]
    BadInput(String),
    /// The command could not do its work: exit 1.
    #[error("{0}")]
    Failed(String),
    /// The reader closed the output (`guichet call list | head`): their choice, not a
    /// failure; the command stops quietly.
    #[error("sortie fermée par le lecteur")]
    OutputClosed,
}

impl CliError {
    pub fn code(&self) -> i32 {
        match self {
            CliError::BadInput(_) => 2,
            CliError::Failed(_) => 1,
            CliError::OutputClosed => 0,
        }
    }
    pub fn message(&self) -> String {
        self.to_string()
    }
    pub fn bad(e: impl std::fmt::Display) -> Self {
        CliError::BadInput(e.to_string())
    }
}

impl From<io::Error> for CliError {
    fn from(e: io::Error) -> Self {
        if e.kind() == io::ErrorKind::BrokenPipe {
            CliError::OutputClosed
        } else {
            CliError::Failed(format!("écriture impossible : {e}"))
        }
    }
}

impl From<StoreError> for CliError {
    fn from(e: StoreError) -> Self {
        match e {
            // The input named a call that is not there, or asked for a correction that
            // does not apply to it.
            StoreError::UnknownCall(_)
            | StoreError::NotClosed(_)
            | StoreError::NoWalk(..)
            | StoreError::SameOutcome(..)
            // The clock of this machine says the call is closed before it was opened.
            | StoreError::ClosedBeforeOpened(_)
            // The backup's path names a link, a folder or a file to keep.
            | StoreError::BackupExists { .. }
            | StoreError::BackupLink { .. }
            | StoreError::BackupNotAFile { .. } => CliError::BadInput(e.to_string()),
            _ => CliError::Failed(e.to_string()),
        }
    }
}

/// The one place that writes to stderr: an error or a warning, after "guichet : ", made
/// visible line by line (a bad value, a file name or a configuration value quoted in it
/// cannot drive the terminal).
pub fn say(message: &str) {
    let mut err = io::stderr().lock();
    let _ = writeln!(err, "guichet : {}", visible_lines(message.trim_end()));
}

/// The CSV options of a command's `--separator` and `--bom`.
/// The CSV options of a command; given with another format, where they would change
/// nothing, they are refused (saying so beats ignoring them).
pub(crate) fn csv_options(arg: &CsvArg, fmt: Format) -> Result<CsvOptions, CliError> {
    if fmt != Format::Csv {
        let given = [(arg.bom, "--bom"), (arg.separator.is_some(), "--separator")];
        if let Some((_, option)) = given.iter().find(|(on, _)| *on) {
            return Err(CliError::BadInput(format!(
                "{option} ne sert qu'au format csv, pas au format « {} » : \
                 ajouter --format csv ou retirer {option}",
                format!("{fmt:?}").to_lowercase()
            )));
        }
    }
    CsvOptions::parse(arg.separator.as_deref().unwrap_or(","), arg.bom).map_err(CliError::bad)
}

/// Runs the program with the process's arguments and returns its exit code.
pub fn main() -> i32 {
    let parsed = french::command()
        .try_get_matches()
        .and_then(|m| <Cli as clap::FromArgMatches>::from_arg_matches(&m));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) if e.use_stderr() => {
            // A usage error quotes what was typed: plain text, made visible.
            let text = french::error_text(&e);
            let _ = io::stderr()
                .lock()
                .write_all(visible_lines(&text).as_bytes());
            return 2;
        }
        Err(e) => {
            // Help and version, on stdout.
            let _ = e.print();
            return 0;
        }
    };
    // Not locked for the whole run: the console writes to the terminal itself, from more
    // than one place.
    let mut out = io::BufWriter::with_capacity(64 * 1024, io::stdout());
    let result = run(cli, &mut out).and_then(|()| out.flush().map_err(CliError::from));
    match result {
        Ok(()) | Err(CliError::OutputClosed) => 0,
        Err(e) => {
            // What was written before the error is not taken back, but it goes first.
            let _ = out.flush();
            say(&e.message());
            e.code()
        }
    }
}

/// The active catalogue parsed (`--catalog DIR`, else the embedded one), its broken files
/// reported on stderr and skipped. Only the commands that need procedures ask for it.
pub(crate) fn active_catalog(source: &CatalogSource) -> Result<&Catalog, CliError> {
    let catalog = source.catalog().map_err(CliError::BadInput)?;
    for p in &catalog.problems {
        say(&format!("procédure ignorée : {p}"));
    }
    Ok(catalog)
}

/// The console's store; on a full server (every connection taken), said, then tried again
/// after a wait that grows and differs from one console to the next, until a place frees
/// up (Ctrl-C gives up): a desk that starts together does not take turns in a loop.
/// `wait` says the sentence and waits; false when the operator gave up meanwhile.
fn open_waiting_for_a_place(
    open: impl Fn() -> Result<Store, StoreError>,
    mut wait: impl FnMut(&str, std::time::Duration) -> bool,
) -> Result<Store, CliError> {
    let mut backoff = crate::store::postgres::Backoff::new();
    loop {
        match open() {
            Err(e) if e.is_full_server() => {
                let pause = backoff.next_wait();
                let waiting = format!(
                    "{e} ; nouvel essai dans {} s (Ctrl-C pour abandonner)",
                    pause.as_secs().max(1)
                );
                if !wait(&waiting, pause) {
                    return Err(CliError::Failed(format!("{e} : console abandonnée")));
                }
            }
            other => return other.map_err(CliError::from),
        }
    }
}

/// Runs one command, writing what it prints to `out`.
pub fn run(cli: Cli, out: &mut dyn Write) -> Result<(), CliError> {
    // What a package builds its files from needs no database and no configuration.
    match &cli.command {
        Some(Command::Completions { shell }) => return install::completions(shell, out),
        Some(Command::Man { dir }) => return install::man(dir.as_deref(), out),
        _ => {}
    }
    let location = Location::resolve(cli.db.as_deref())?;
    let reference = embedded_reference();
    // Parsed only by the commands that need procedures; the others never read a file.
    let catalog = match cli.catalog.as_deref() {
        Some(dir) => CatalogSource::dir(dir, &reference),
        None => CatalogSource::embedded(&reference),
    };
    let mut desk = DeskConfig::load().map_err(|e| CliError::Failed(e.to_string()))?;
    if let Some(extension) = cli.extension.as_deref() {
        desk.extension = Some(extension.to_string());
    }
    desk.screen_reader |= cli.screen_reader;
    desk.learning &= !cli.no_learning;
    desk.extension = match desk.extension.as_deref().map(check_extension).transpose()? {
        Some(e) if !e.is_empty() => Some(e),
        _ => None,
    };
    let access = FileAccess {
        group: desk.db_group.clone(),
        read_only: cli.read_only,
    };
    let open_store = || Store::open_location(&location, &access).map_err(CliError::from);
    match cli.command {
        None => {
            let operator = resolve_operator(cli.operator.as_deref()).map_err(CliError::bad)?;
            let console_failed = |e: std::io::Error| CliError::Failed(format!("console : {e}"));
            // The first frame before the store: a server takes a moment to reach.
            let mut splash =
                crate::tui::splash::Splash::show(&desk.desk, &operator, &location.shown())
                    .map_err(console_failed)?;
            let store = open_waiting_for_a_place(
                || Store::open_location(&location, &access),
                |waiting, wait| {
                    splash.say(Some(waiting));
                    splash.wait(wait)
                },
            )?;
            crate::tui::run(splash, store, reference, catalog, operator, desk)
                .map_err(console_failed)
        }
        Some(Command::Call(cmd)) => {
            let mut store = open_store()?;
            calls::run(
                *cmd,
                &mut store,
                &reference,
                &catalog,
                cli.operator.as_deref(),
                out,
            )
        }
        Some(Command::Report(cmd)) => {
            let mut store = open_store()?;
            report::run(
                cmd,
                &mut store,
                &reference,
                &catalog,
                &desk,
                cli.operator.as_deref(),
                out,
            )
        }
        Some(Command::Tools(cmd)) => tools::run(cmd, cli.operator.as_deref(), open_store, out),
        Some(Command::Procedures(cmd)) => {
            procedures::run(cmd, &catalog, &reference, desk.learning, open_store, out)
        }
        Some(Command::Phone(cmd)) => phone::run(cmd, &desk, cli.read_only, open_store, out),
        Some(Command::Glpi(cmd)) => glpi::run(cmd, &desk, cli.operator.as_deref(), open_store, out),
        Some(Command::Completions { .. } | Command::Man { .. }) => {
            unreachable!("answered before the store is located")
        }
        Some(Command::Db(cmd)) => {
            let store = open_store()?;
            match cmd {
                DbCommand::Check => {
                    let problems = store.check()?;
                    if problems.is_empty() {
                        Ok(human(
                            out,
                            &format!("{} : intégrité vérifiée, aucun problème\n", store.path()),
                        )?)
                    } else {
                        Err(CliError::Failed(format!(
                            "{} : {} problème(s) d'intégrité : {}",
                            store.path(),
                            problems.len(),
                            problems.join(" ; ")
                        )))
                    }
                }
                DbCommand::Copy { to, from, format } => {
                    let fmt = formats(&format, &[Format::Table, Format::Json])?;
                    let other_location = Location::resolve(to.as_deref().or(from.as_deref()))?;
                    let mut store = store;
                    let mut other = Store::open_location(&other_location, &FileAccess::default())?;
                    let report = if to.is_some() {
                        store.copy_to(&mut other)?
                    } else {
                        other.copy_to(&mut store)?
                    };
                    match fmt {
                        Format::Json => output::json(out, &report)?,
                        _ => human(
                            out,
                            &format!(
                                "{} → {} : {} appels, {} entrées de journal, {} entrées de \
                                 relève, {}, {} copiés{} ; somme du journal {} identique des \
                                 deux côtés\n",
                                report.from,
                                report.to,
                                report.calls,
                                report.journal,
                                report.handover,
                                counted(
                                    report.phone_events,
                                    "événement téléphonique",
                                    "événements téléphoniques"
                                ),
                                counted(report.glpi_outbox, "envoi GLPI", "envois GLPI"),
                                match report.procedures {
                                    0 => String::new(),
                                    n => format!(
                                        ", avec l'index de {}",
                                        counted(n, "procédure", "procédures")
                                    ),
                                },
                                report.journal_checksum
                            ),
                        )?,
                    }
                    Ok(())
                }
                DbCommand::Backup { path, force } => {
                    store.backup_with(&path, force)?;
                    Ok(human(
                        out,
                        &format!("copie écrite dans {}\n", path.display()),
                    )?)
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

pub(crate) use crate::domain::text::named;

/// `n` things, in the singular below two as French says it: « 1 envoi GLPI », « 0 envoi ».
fn counted(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n < 2 { one } else { many })
}

/// A console's extension as given: a number or a login, trimmed; blank means none.
fn check_extension(value: &str) -> Result<String, CliError> {
    let t = value.trim();
    if t.chars().count() > 64 || t.chars().any(char::is_control) {
        return Err(CliError::BadInput(format!(
            "poste « {} » invalide : un numéro (3001) ou un identifiant de 64 caractères au plus",
            named(value)
        )));
    }
    Ok(t.to_string())
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
