//! `guichet glpi push REF` and `guichet glpi sync`: calls become GLPI tickets (see
//! `crate::glpi`), what could not be sent waits in the store's outbox.

use super::args::GlpiCommand;
use super::output::human;
use super::{CliError, Format, formats};
use crate::config::{DeskConfig, resolve_operator};
use crate::domain::call::CallRef;
use crate::glpi::{Settings, SyncReport, sync};
use crate::store::Store;
use chrono::Utc;
use std::io::Write;

pub fn run(
    cmd: GlpiCommand,
    desk: &DeskConfig,
    operator: Option<&str>,
    open_store: impl FnOnce() -> Result<Store, CliError>,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    match cmd {
        GlpiCommand::Push { reference, format } => {
            let fmt = formats(&format, &[Format::Table, Format::Json])?;
            let call: CallRef = reference.parse().map_err(CliError::bad)?;
            let settings = Settings::resolve(desk.glpi.as_ref()).map_err(CliError::BadInput)?;
            let operator = resolve_operator(operator).map_err(CliError::bad)?;
            let mut store = open_store()?;
            let queued = store.glpi_queue(call, &operator, Utc::now())?;
            let report = sync(&mut store, &settings, Some(call))?;
            let nothing_said = report.failed.is_empty() && report.doubt.is_empty();
            if queued.is_none() && report.sent.is_empty() && nothing_said {
                let ticket = store.get_call(call)?.call.glpi_ticket;
                let line = match ticket {
                    Some(t) => format!("{call} : rien de nouveau à envoyer au ticket GLPI n° {t}"),
                    None => format!("{call} : rien à envoyer"),
                };
                print(out, fmt, &report, &[line])?;
                return finish(&report);
            }
            let mut lines = Vec::new();
            if !report.left.is_empty() && nothing_said {
                lines.push(format!(
                    "{call} : un envoi précédent est en cours par un autre processus ; \
                     celui-ci attend (guichet glpi sync)"
                ));
            }
            print(out, fmt, &report, &lines)?;
            if let Some(doubt) = report.doubt.first() {
                return Err(CliError::Failed(format!(
                    "{} (guichet glpi sync la fera)",
                    doubt.sentence()
                )));
            }
            match report.failed.first() {
                Some((_, sentence)) => Err(CliError::Failed(format!(
                    "{call} non envoyé à GLPI ({sentence}) : mis en attente, guichet glpi sync \
                     l'enverra"
                ))),
                None => Ok(()),
            }
        }
        GlpiCommand::Sync { format } => {
            let fmt = formats(&format, &[Format::Table, Format::Json])?;
            let settings = Settings::resolve(desk.glpi.as_ref()).map_err(CliError::BadInput)?;
            let mut store = open_store()?;
            let report = sync(&mut store, &settings, None)?;
            let mut lines = Vec::new();
            let quiet = report.failed.is_empty() && report.doubt.is_empty();
            if report.sent.is_empty() && quiet && report.left.is_empty() {
                lines.push("rien en attente pour GLPI".to_string());
            }
            print(out, fmt, &report, &lines)?;
            if let Some(sentence) = &report.unreachable {
                return Err(CliError::Failed(sentence.clone()));
            }
            finish(&report)
        }
    }
}

fn print(
    out: &mut dyn Write,
    fmt: Format,
    report: &SyncReport,
    extra: &[String],
) -> Result<(), CliError> {
    if fmt == Format::Json {
        let sent: Vec<serde_json::Value> = report
            .sent
            .iter()
            .map(|s| serde_json::json!({ "sent": s.sentence() }))
            .collect();
        let failed: Vec<serde_json::Value> = report
            .failed
            .iter()
            .map(|(c, e)| serde_json::json!({ "reference": c, "error": e }))
            .collect();
        let doubt: Vec<serde_json::Value> = report
            .doubt
            .iter()
            .map(|d| {
                serde_json::json!({
                    "reference": d.call,
                    "after": d.after.to_rfc3339(),
                    "doubt": d.sentence(),
                })
            })
            .collect();
        return Ok(super::output::json(
            out,
            &serde_json::json!({
                "sent": sent,
                "failed": failed,
                "doubt": doubt,
                "waiting": report.left.len(),
                "unreachable": report.unreachable,
            }),
        )?);
    }
    let mut text = String::new();
    for s in &report.sent {
        text.push_str(&s.sentence());
        text.push('\n');
    }
    for line in extra {
        text.push_str(line);
        text.push('\n');
    }
    Ok(human(out, &text)?)
}

fn finish(report: &SyncReport) -> Result<(), CliError> {
    let mut parts = Vec::new();
    if !report.failed.is_empty() {
        let all: Vec<String> = report
            .failed
            .iter()
            .map(|(c, e)| format!("{c} : {e}"))
            .collect();
        parts.push(format!(
            "{} envoi(s) à GLPI en échec, gardé(s) en attente : {}",
            report.failed.len(),
            all.join(" ; ")
        ));
    }
    parts.extend(report.doubt.iter().map(|d| d.sentence()));
    if parts.is_empty() {
        return Ok(());
    }
    Err(CliError::Failed(parts.join(" ; ")))
}
