//! `guichet report ...`: the shift handover.

use super::args::{Format, ReportCommand};
use super::output::{
    SheetOptions, human, json, sheet_options, stdout_is_terminal, table, write_xlsx,
};
use super::{CliError, csv_options, formats};
use crate::catalog::procedures::CatalogSource;
use crate::config::{DeskConfig, resolve_operator};
use crate::csv_export::{Column, CsvOptions, CsvWriter, Sheet, headers};
use crate::domain::call::check_note;
use crate::domain::reference::Reference;
use crate::domain::shifts::{ShiftPlan, ShiftWindow};
use crate::domain::time::{DAY_AHEAD, paris, parse_plausible};
use crate::phone::desk::Answering;
use crate::report::{
    CallCsv, CallRows, ESCALATION_COLUMNS, HandoverReport, PROCEDURE_COLUMNS, ProceduresReport,
    TELEPHONY_COLUMNS, escalation_rows, procedure_rows, procedures_heading, procedures_markdown,
    procedures_sections, telephony_rows, to_markdown,
};
use crate::store::{FigureWindow, HandoverKind, Store};
use crate::xlsx_export::XlsxWriter;
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

/// How many days `report procedures` covers when no date is given.
const PROCEDURES_DAYS: i64 = 30;

/// The calls `report procedures` counts: opened from `from` (30 days before `to` when not
/// given) until `to` (now when not given), of the service when given.
fn procedures_window(
    from: Option<&str>,
    to: Option<&str>,
    service: Option<String>,
    now: DateTime<Utc>,
) -> Result<FigureWindow, CliError> {
    let read = |s: &str| parse_plausible(s, now, DAY_AHEAD);
    let to = to
        .map(read)
        .transpose()
        .map_err(CliError::bad)?
        .unwrap_or(now);
    let from = from
        .map(read)
        .transpose()
        .map_err(CliError::bad)?
        .unwrap_or(to - chrono::Duration::days(PROCEDURES_DAYS));
    if from >= to {
        return Err(CliError::BadInput(format!(
            "--from ({}) doit précéder --to ({})",
            paris(from, "%d/%m/%Y %H:%M"),
            paris(to, "%d/%m/%Y %H:%M")
        )));
    }
    Ok(FigureWindow { from, to, service })
}

/// Whether the `owner` of a procedure file is the one asked for: the whole field or a part
/// of it (a name, an address), case and accents aside.
fn owned_by(owner: &str, asked: &str) -> bool {
    let asked = crate::domain::text::fold(asked.trim());
    !asked.is_empty() && crate::domain::text::fold(owner).contains(&asked)
}

/// Where a small table of the report goes.
enum Table<'o> {
    // Boxed: the two writers differ much in size.
    Csv(Box<CsvWriter<&'o mut dyn std::io::Write>>),
    Xlsx(Box<XlsxWriter>),
}

impl Sheet for Table<'_> {
    fn row<'c>(
        &mut self,
        cells: impl IntoIterator<Item = crate::csv_export::Cell<'c>>,
    ) -> std::io::Result<()> {
        match self {
            Table::Csv(w) => w.row(cells),
            Table::Xlsx(w) => w.row(cells),
        }
    }
}

/// A small table of the report (escalations, telephony) as CSV or xlsx.
fn table_out<'o>(
    out: &'o mut dyn std::io::Write,
    fmt: Format,
    options: CsvOptions,
    sheet: &SheetOptions,
    name: &str,
    columns: &[Column],
    rows: impl FnOnce(&mut Table<'o>) -> std::io::Result<()>,
) -> Result<(), CliError> {
    if fmt == Format::Xlsx {
        let mut t = Table::Xlsx(Box::new(XlsxWriter::new(name, columns)?));
        rows(&mut t)?;
        if let Table::Xlsx(w) = t {
            write_xlsx(out, sheet, &w.finish()?)?;
        }
        return Ok(());
    }
    let csv = CsvWriter::new(out, options, &headers(columns, sheet.labels))?;
    let mut t = Table::Csv(Box::new(csv));
    rows(&mut t)?;
    if let Table::Csv(w) = t {
        w.finish()?;
    }
    Ok(())
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
            sheet,
        } => {
            let fmt = formats(
                &format,
                &[Format::Md, Format::Json, Format::Csv, Format::Xlsx],
            )?;
            let shift = window(&plan, from.as_deref(), to.as_deref(), now)?;
            let options = csv_options(&csv, fmt)?;
            let sheet = sheet_options(&sheet, fmt, stdout_is_terminal())?;
            let table = matches!(fmt, Format::Csv | Format::Xlsx);
            if telephony && !table {
                return Err(CliError::BadInput(
                    "--telephony : réservé aux formats csv et xlsx ; en md et json, la \
                     téléphonie est dans le rapport"
                        .into(),
                ));
            }
            if escalations && !table {
                return Err(CliError::BadInput(
                    "--escalations : réservé aux formats csv et xlsx ; en md et json, les \
                     escalades sont dans le rapport"
                        .into(),
                ));
            }
            if escalations {
                let list =
                    crate::report::escalations(store, reference, &shift, operator.as_deref())?;
                return table_out(
                    out,
                    fmt,
                    options,
                    &sheet,
                    "Escalades",
                    &ESCALATION_COLUMNS,
                    |s| escalation_rows(s, &list),
                );
            }
            if telephony {
                let figures = Answering::of(&store.phone_calls_between(shift.from, shift.to)?);
                let decimal = if fmt == Format::Csv {
                    options.decimal_mark()
                } else {
                    '.'
                };
                return table_out(
                    out,
                    fmt,
                    options,
                    &sheet,
                    "Téléphonie",
                    &TELEPHONY_COLUMNS,
                    |s| telephony_rows(s, &figures, decimal),
                );
            }
            if fmt == Format::Csv {
                // The window's calls, written as SQLite reads them.
                let mut w = CallCsv::labelled(&mut *out, options, sheet.labels, reference)?;
                store.for_each_window_call(shift.from, shift.to, operator.as_deref(), |c| {
                    w.write(&c).map_err(CliError::from)
                })?;
                w.finish()?;
                return Ok(());
            }
            if fmt == Format::Xlsx {
                let mut w = CallRows::xlsx(reference)?;
                store.for_each_window_call(shift.from, shift.to, operator.as_deref(), |c| {
                    w.write(&c).map_err(CliError::from)
                })?;
                return write_xlsx(out, &sheet, &w.finish()?);
            }
            let previous = plan.previous(&shift);
            // Procedure titles come from the index: brought up to date when it can be (a
            // read-only or unreadable one keeps the titles it has).
            if let Err(e) = store.ensure_catalog(catalog)
                && !matches!(e, crate::store::StoreError::ReadOnly { .. })
            {
                super::say(&format!("titres des procédures non mis à jour : {e}"));
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
        ReportCommand::Procedures {
            from,
            to,
            service,
            first_contact_days,
            owner,
            format,
            csv,
            sheet,
        } => {
            let fmt = formats(
                &format,
                &[Format::Table, Format::Md, Format::Json, Format::Csv],
            )?;
            let options = csv_options(&csv, fmt)?;
            let sheet = sheet_options(&sheet, fmt, stdout_is_terminal())?;
            super::check_context(reference, service.as_deref(), None)?;
            if !(1..=365).contains(&first_contact_days) {
                return Err(CliError::BadInput(format!(
                    "--first-contact-days {first_contact_days} : attendu un nombre de jours \
                     de 1 à 365"
                )));
            }
            let window = procedures_window(from.as_deref(), to.as_deref(), service, now)?;
            let procedures = catalog
                .catalog()
                .map(|c| c.procedures.clone())
                .map_err(CliError::Failed)?;
            let mut report =
                ProceduresReport::build(store, &procedures, &window, first_contact_days, now)?;
            if let Some(owner) = &owner {
                let owns = |o: &Option<String>| o.as_deref().is_some_and(|o| owned_by(o, owner));
                if !procedures.iter().any(|p| owns(&p.owner)) {
                    return Err(CliError::BadInput(format!(
                        "--owner « {} » : aucune procédure du catalogue n'a ce responsable \
                         (champ owner)",
                        crate::domain::text::visible(owner)
                    )));
                }
                report.procedures.retain(|p| owns(&p.owner));
            }
            match fmt {
                Format::Json => json(out, &report)?,
                Format::Md => human(out, &procedures_markdown(&report))?,
                Format::Csv => {
                    let mut w = CsvWriter::new(
                        &mut *out,
                        options,
                        &headers(&PROCEDURE_COLUMNS, sheet.labels),
                    )?;
                    procedure_rows(&mut w, &report)?;
                    w.finish()?;
                }
                _ => {
                    let mut text = procedures_heading(&report);
                    text.push('\n');
                    for s in procedures_sections(&report) {
                        text.push_str(&format!("\n{}\n", s.title));
                        if s.rows.is_empty() {
                            text.push_str("aucun\n");
                        } else {
                            text.push_str(&table(&s.headers, &s.rows));
                        }
                    }
                    human(out, &text)?;
                }
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
