//! What a system install needs of the command line: its shell completions and its man
//! page, generated from the same clap types that parse it, so they never drift apart.

use super::args::{Cli, SHELLS};
use super::manual;
use super::output::human;
use super::{CliError, named};
use clap::CommandFactory;
use clap_complete::Shell;
use std::io::Write;
use std::path::Path;

/// `guichet completions SHELL`: the completion script for bash, zsh or fish.
pub(crate) fn completions(shell: &str, out: &mut dyn Write) -> Result<(), CliError> {
    let shell = match shell {
        "bash" => Shell::Bash,
        "zsh" => Shell::Zsh,
        "fish" => Shell::Fish,
        _ => {
            return Err(CliError::BadInput(format!(
                "shell « {} » inconnu : choisir parmi {}",
                named(shell),
                SHELLS.join(", ")
            )));
        }
    };
    // Generated whole before it is written: the generators panic on a write error, and a
    // reader that closes the pipe early is no reason to.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "guichet", &mut script);
    out.write_all(&script)?;
    Ok(())
}

/// `guichet man`: the man page of section 1, in roff; with `--dir`, one page per command
/// written there, so that every page the list of subcommands names exists.
pub(crate) fn man(dir: Option<&Path>, out: &mut dyn Write) -> Result<(), CliError> {
    // `guichet help` is not a page of its own: `--help` says the same on every command.
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    let date = page_date(std::env::var("SOURCE_DATE_EPOCH").ok().as_deref())?;
    let Some(dir) = dir else {
        out.write_all(manual::page(&cmd, "guichet", &date)?.as_bytes())?;
        return Ok(());
    };
    let mut written = 0;
    write_pages(&cmd, dir, &date, &mut written).map_err(|e| {
        CliError::Failed(format!(
            "pages de manuel non écrites dans {} : {e}",
            named(&dir.display().to_string())
        ))
    })?;
    Ok(human(
        out,
        &format!(
            "{written} pages de manuel écrites dans {}\n",
            named(&dir.display().to_string())
        ),
    )?)
}

/// The pages' date: the day of `SOURCE_DATE_EPOCH` when given, as reproducible builds do
/// (.ci/deb gives the release's, from CHANGELOG.md, as dpkg-buildpackage gives the Debian
/// changelog's), so that one version gives the same pages; else today.
fn page_date(epoch: Option<&str>) -> Result<String, CliError> {
    let day = match epoch.filter(|e| !e.is_empty()) {
        None => chrono::Utc::now(),
        Some(text) => text
            .parse::<i64>()
            .ok()
            .and_then(|secs| chrono::DateTime::from_timestamp(secs, 0))
            .ok_or_else(|| {
                CliError::BadInput(format!(
                    "SOURCE_DATE_EPOCH « {} » n'est pas un nombre de secondes depuis 1970",
                    named(text)
                ))
            })?,
    };
    Ok(day.format("%Y-%m-%d").to_string())
}

/// The page of `cmd` and those of its subcommands, as `guichet-call-add.1`.
fn write_pages(
    cmd: &clap::Command,
    dir: &Path,
    date: &str,
    written: &mut usize,
) -> std::io::Result<()> {
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        write_pages(sub, dir, date, written)?;
    }
    let name = cmd.get_display_name().unwrap_or_else(|| cmd.get_name());
    std::fs::write(
        dir.join(format!("{name}.1")),
        manual::page(cmd, name, date)?.as_bytes(),
    )?;
    *written += 1;
    Ok(())
}
