//! `guichet report ...`: the shift handover.

use super::args::{Format, ReportCommand};
use super::output::{human, json};
use super::{CliError, csv_options, formats};
use crate::catalog::procedures::CatalogSource;
use crate::config::{DeskConfig, resolve_operator};
use crate::domain::call::check_note;
use crate::domain::reference::Reference;
use crate::domain::shifts::{ShiftPlan, ShiftWindow};
use crate::domain::time::{DAY_AHEAD, paris, parse_plausible};
use crate::phone::desk::Answering;
use crate::report::{CallCsv, HandoverReport, escalations_csv, telephony_csv, to_markdown};
use crate::store::{HandoverKind, Store};
use chrono::{DateTime, Utc};

/// The window a report covers: both dates a free period, one the shift containing it,
/// none the current shift.
pub fn window(
    plan: &ShiftPlan,
    from: Option<&str>,
    to: Option<&str>,
    now: DateTime<Utc>,
) -> Result<ShiftWindow, CliError> {
    let read = |s: &str| parse_plausible(s, now, DAY_AHEAD);
    let from = from.map(read).transpose().map_err(CliError::bad)?;
    let to = to.map(read).transpose().map_err(CliError::bad)?;
    Ok(match (from, to) {
        (Some(f), Some(t)) => {
            if f >= t {
                return Err(CliError::BadInput(format!(
                    "--from ({}) doit précéder --to ({})",
                    paris(f, "%d/%m/%Y %H:%M"),
                    paris(t, "%d/%m/%Y %H:%M")
                )));
            }
            ShiftWindow {
                name: "période".into(),
                from: f,
                to: t,
            }
        }
        (Some(at), None) => plan.current(at),
        (None, Some(at)) => plan.current(at - chrono::Duration::seconds(1)),
        (None, None) => plan.current(now),
    })
}

pub fn run(
    cmd: ReportCommand,
    store: &mut Store,
    reference: &Reference,
    catalog: &CatalogSource,
    desk: &DeskConfig,
    default_operator: Option<&str>,
    out: &mut dyn std::io::Write,
) -> Result<(), CliError> {
    let plan = desk
        .shift_plan()
        .map_err(|e| CliError::Failed(e.to_string()))?;
    let now = Utc::now();
    match cmd {
        ReportCommand::Handover {
            from,
            to,
            operator,
            telephony,
            escalations,
            format,
            csv,
        } => {
            let fmt = formats(&format, &[Format::Md, Format::Json, Format::Csv])?;
            let shift = window(&plan, from.as_deref(), to.as_deref(), now)?;
            let options = csv_options(&csv, fmt)?;
            if telephony && fmt != Format::Csv {
                return Err(CliError::BadInput(
                    "--telephony : réservé au format csv ; en md et json, la téléphonie est \
                     dans le rapport"
                        .into(),
                ));
            }
            if escalations && fmt != Format::Csv {
                return Err(CliError::BadInput(
                    "--escalations : réservé au format csv ; en md et json, les escalades sont \
                     dans le rapport"
                        .into(),
                ));
            }
            if escalations {
                let list =
                    crate::report::escalations(store, reference, &shift, operator.as_deref())?;
                escalations_csv(&mut *out, &list, options)?;
                return Ok(());
            }
            if telephony {
                let figures = Answering::of(&store.phone_calls_between(shift.from, shift.to)?);
                telephony_csv(&mut *out, &figures, options)?;
                return Ok(());
            }
            if fmt == Format::Csv {
                // The window's calls, written as SQLite reads them.
                let mut w = CallCsv::new(&mut *out, options, reference)?;
                store.for_each_window_call(shift.from, shift.to, operator.as_deref(), |c| {
                    w.write(&c).map_err(CliError::from)
                })?;
                w.finish()?;
                return Ok(());
            }
            let previous = plan.previous(&shift);
            // Procedure titles come from the index: brought up to date when it can be (a
            // read-only or unreadable one keeps the titles it has).
            if let Err(e) = store.ensure_catalog(catalog) {
                if !matches!(e, crate::store::StoreError::ReadOnly { .. }) {
                    super::say(&format!("titres des procédures non mis à jour : {e}"));
                }
            }
            let report = HandoverReport::build(
                store,
                reference,
                &shift,
                &previous,
                operator.as_deref(),
                now,
            )?;
            match fmt {
                Format::Json => json(out, &report)?,
                _ => human(out, &to_markdown(&report, reference, &desk.desk))?,
            }
            Ok(())
        }
        ReportCommand::Note { text, at, operator } => {
            let op = resolve_operator(operator.operator.as_deref().or(default_operator))
                .map_err(CliError::bad)?;
            let text = check_note(&text).map_err(CliError::bad)?;
            let at_time = at
                .map(|s| parse_plausible(&s, now, DAY_AHEAD))
                .transpose()
                .map_err(CliError::bad)?;
            let shift = plan.current(at_time.unwrap_or(now));
            store.add_handover(HandoverKind::Note, &op, now, &shift, &text)?;
            Ok(human(
                out,
                &format!("note de relève enregistrée : {}\n", shift.label()),
            )?)
        }
        ReportCommand::Ack { operator } => {
            let op = resolve_operator(operator.operator.as_deref().or(default_operator))
                .map_err(CliError::bad)?;
            // The incoming operator acknowledges the shift that just ended.
            let shift = plan.previous(&plan.current(now));
            store.add_handover(HandoverKind::Ack, &op, now, &shift, "")?;
            Ok(human(
                out,
                &format!("prise de connaissance enregistrée : {}\n", shift.label()),
            )?)
        }
    }
}
