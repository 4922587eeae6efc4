//! `guichet call ...`

use super::args::{CallCommand, Format, OperatorArg};
use super::output::{
    TableWriter, human, json, json_array, sheet_options, stdout_is_terminal, table_folded,
    write_xlsx,
};
use super::{CliError, check_context, csv_options, filter_text, formats, named};
use crate::catalog::procedures::CatalogSource;
use crate::config::resolve_operator;
use crate::csv_export::{Cell, CsvOptions, CsvWriter};
use crate::domain::call::{
    Call, CallDraft, CallRecord, CallRef, Field, Outcome, check_note, check_operator,
};
use crate::domain::reference::Reference;
use crate::domain::text::visible;
use crate::domain::time::{DAY_AHEAD, paris, parse_opening, parse_plausible, rfc3339};
use crate::report::{CallCsv, CallRows};
use crate::store::{CallFilter, Store};
use chrono::Utc;
use std::io::Write;

/// `default_operator` is the top-level `--operator`, used when the command has none.
pub fn run(
    cmd: CallCommand,
    store: &mut Store,
    reference: &Reference,
    catalog: &CatalogSource,
    default_operator: Option<&str>,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let operator_of = |arg: &OperatorArg| {
        resolve_operator(arg.operator.as_deref().or(default_operator)).map_err(CliError::bad)
    };
    let correcting = matches!(cmd, CallCommand::Outcome { .. });
    let confirmed = matches!(cmd, CallCommand::Outcome { yes: true, .. });
    match cmd {
        CallCommand::Add {
            service,
            device,
            caller,
            phone,
            email,
            summary,
            notes,
            procedures,
            operator,
            at,
            telephony_id,
            format,
            csv,
        } => {
            let fmt = formats(
                &format,
                &[Format::Text, Format::Table, Format::Json, Format::Csv],
            )?;
            let telephony_id = telephony_id.map(|id| check_telephony_id(&id)).transpose()?;
            let csv = csv_options(&csv, fmt)?;
            let operator = operator_of(&operator)?;
            let opened_at = match at {
                Some(s) => parse_opening(&s, Utc::now()).map_err(CliError::bad)?,
                None => Utc::now(),
            };
            let draft = CallDraft {
                caller_name: caller,
                caller_phone: phone.unwrap_or_default(),
                caller_email: email.unwrap_or_default(),
                service,
                device,
                summary,
                notes: notes.unwrap_or_default(),
                procedures,
                telephony_id,
            };
            let new = draft
                .validate(reference, &operator, opened_at)
                .map_err(CliError::bad)?;
            let known = if new.procedures.is_empty() {
                None
            } else {
                Some(super::active_catalog(catalog)?)
            };
            if let Some(unknown) = new
                .procedures
                .iter()
                .find(|s| known.is_some_and(|k| k.get(s).is_none()))
            {
                return Err(CliError::BadInput(format!(
                    "procédure inconnue « {unknown} » : voir guichet procedures list"
                )));
            }
            let call = store.insert_call(&new)?;
            match fmt {
                Format::Json => json(out, &call)?,
                Format::Csv => {
                    let mut w = CallCsv::new(&mut *out, csv, reference)?;
                    w.write(&call)?;
                    w.finish()?;
                }
                _ => human(out, &format!("{}\n", call.reference))?,
            }
            Ok(())
        }
        CallCommand::List {
            open,
            since,
            until,
            service,
            device,
            operator,
            caller,
            limit,
            format,
            csv,
            sheet,
        } => {
            let fmt = formats(
                &format,
                &[Format::Table, Format::Json, Format::Csv, Format::Xlsx],
            )?;
            let csv = csv_options(&csv, fmt)?;
            let sheet = sheet_options(&sheet, fmt, stdout_is_terminal())?;
            let now = Utc::now();
            let since = since
                .map(|s| parse_plausible(&s, now, DAY_AHEAD))
                .transpose()
                .map_err(CliError::bad)?;
            let until = until
                .map(|s| parse_plausible(&s, now, DAY_AHEAD))
                .transpose()
                .map_err(CliError::bad)?;
            if let (Some(s), Some(u)) = (since, until)
                && s > u
            {
                return Err(CliError::BadInput(format!(
                    "--since ({}) est après --until ({})",
                    paris(s, "%d/%m/%Y %H:%M"),
                    paris(u, "%d/%m/%Y %H:%M")
                )));
            }
            check_context(reference, service.as_deref(), device.as_deref())?;
            let operator = operator
                .map(|o| {
                    check_operator(&o).map_err(|_| {
                        CliError::BadInput(format!(
                            "opérateur invalide « {} » pour --operator : un nom de 1 à 64 \
                             caractères est attendu",
                            named(&o)
                        ))
                    })
                })
                .transpose()?;
            // Longest of a name, a phone number or a reference.
            let caller = caller
                .map(|c| filter_text("--caller", c, Field::CallerName.max_chars()))
                .transpose()?;
            let filter = CallFilter {
                open_only: open,
                since,
                until,
                service,
                device,
                operator,
                caller,
                limit: (limit > 0).then_some(limit),
                offset: 0,
            };
            // Rows go out as SQLite reads them, in every format.
            match fmt {
                Format::Json => json_array::<Call, CliError>(out, |push| {
                    store.for_each_call(&filter, |call| push(&call))
                })?,
                Format::Csv => {
                    let mut w = CallCsv::labelled(&mut *out, csv, sheet.labels, reference)?;
                    store.for_each_call(&filter, |call| w.write(&call).map_err(CliError::from))?;
                    w.finish()?;
                }
                Format::Xlsx => {
                    let mut w = CallRows::xlsx(reference)?;
                    store.for_each_call(&filter, |call| w.write(&call).map_err(CliError::from))?;
                    write_xlsx(out, &sheet, &w.finish()?)?;
                }
                _ => {
                    let mut t = TableWriter::new(out, &LIST_HEADERS);
                    store.for_each_call(&filter, |call| {
                        t.row(list_row(&call, reference)).map_err(CliError::from)
                    })?;
                    t.finish(Some("Aucun appel ne correspond.\n"))?;
                }
            }
            Ok(())
        }
        CallCommand::Show {
            reference: r,
            format,
            csv,
        } => {
            let fmt = formats(
                &format,
                &[Format::Text, Format::Table, Format::Json, Format::Csv],
            )?;
            let csv = csv_options(&csv, fmt)?;
            let call_ref: CallRef = r.parse().map_err(CliError::bad)?;
            let record = store.get_call(call_ref)?;
            match fmt {
                Format::Json => json(out, &record)?,
                Format::Csv => journal_csv(out, &record, csv)?,
                _ => human(out, &show_text(&record, reference))?,
            }
            Ok(())
        }
        CallCommand::Note {
            reference: r,
            text,
            operator,
            format,
        } => {
            let fmt = formats(&format, &[Format::Text, Format::Table, Format::Json])?;
            let call_ref: CallRef = r.parse().map_err(CliError::bad)?;
            let operator = operator_of(&operator)?;
            let note = check_note(&text).map_err(CliError::bad)?;
            store.add_note(call_ref, &operator, Utc::now(), &note)?;
            let record = store.get_call(call_ref)?;
            match fmt {
                Format::Json => json(out, &record)?,
                _ => human(out, &format!("note ajoutée à {call_ref}\n"))?,
            }
            Ok(())
        }
        // Closing and correcting a closed call's outcome read the same arguments.
        CallCommand::Close {
            reference: r,
            outcome,
            note,
            operator,
            format,
        }
        | CallCommand::Outcome {
            reference: r,
            outcome,
            note,
            operator,
            format,
            ..
        } => {
            let fmt = formats(&format, &[Format::Text, Format::Table, Format::Json])?;
            let call_ref: CallRef = r.parse().map_err(CliError::bad)?;
            let outcome: Outcome = outcome.parse().map_err(CliError::bad)?;
            let operator = operator_of(&operator)?;
            let note = note
                .map(|n| check_note(&n))
                .transpose()
                .map_err(CliError::bad)?;
            let (call, done) = if correcting {
                // The second level works from the ticket: a correction is said there too,
                // so it is asked for knowingly.
                if let Some(ticket) = store.get_call(call_ref)?.call.glpi_ticket
                    && !confirmed
                {
                    return Err(CliError::BadInput(format!(
                        "{call_ref} a le ticket GLPI n° {ticket} : corriger son issue y \
                         ajoutera un suivi ; redonner la commande avec --yes pour confirmer"
                    )));
                }
                let now = Utc::now();
                let call =
                    store.correct_outcome(call_ref, &operator, now, outcome, note.as_deref())?;
                let mut done = format!("issue de {call_ref} corrigée : {}", outcome.label());
                if let Some(ticket) = call.glpi_ticket {
                    store.glpi_queue(call_ref, &operator, now)?;
                    done.push_str(&format!(
                        "\nsuivi pour le ticket GLPI n° {ticket} mis en attente : guichet glpi \
                         sync l'enverra"
                    ));
                }
                (call, done)
            } else {
                let call =
                    store.close_call(call_ref, &operator, Utc::now(), outcome, note.as_deref())?;
                (call, format!("{call_ref} clos : {}", outcome.label()))
            };
            match fmt {
                Format::Json => json(out, &call)?,
                _ => human(out, &format!("{done}\n"))?,
            }
            Ok(())
        }
    }
}

const LIST_HEADERS: [&str; 9] = [
    "Réf.",
    "Ouvert",
    "Statut",
    "Opérateur",
    "Appelant",
    "Téléphone",
    "Service",
    "Poste",
    "Objet",
];

fn list_row(c: &Call, reference: &Reference) -> Vec<String> {
    vec![
        c.reference.to_string(),
        paris(c.opened_at, "%d/%m/%Y %H:%M"),
        match c.outcome {
            Some(o) if c.closed_at.is_some() => format!("clos ({})", o.label()),
            _ => c.status.label().to_string(),
        },
        c.operator.clone(),
        c.caller_name.clone(),
        c.caller_phone.clone().unwrap_or_default(),
        reference.service_short(&c.service).to_string(),
        reference.device_short(&c.device).to_string(),
        c.summary.clone(),
    ]
}

fn show_text(record: &CallRecord, reference: &Reference) -> String {
    let c = &record.call;
    let v = |s: &str| visible(s).into_owned();
    let mut out = String::new();
    let mut line = |label: &str, value: String| {
        out.push_str(&format!("{label:<11} {value}\n"));
    };
    line("Appel", format!("{} ({})", c.reference, c.status.label()));
    line(
        "Ouvert",
        format!(
            "{} par {}",
            paris(c.opened_at, "%d/%m/%Y %H:%M"),
            v(&c.operator)
        ),
    );
    if let Some(closed) = c.closed_at {
        line("Clos", paris(closed, "%d/%m/%Y %H:%M"));
    }
    if c.handler != c.operator {
        line("Traité par", v(&c.handler));
    }
    line("Appelant", v(&c.caller_name));
    line("Téléphone", v(c.caller_phone.as_deref().unwrap_or("—")));
    line("Courriel", v(c.caller_email.as_deref().unwrap_or("—")));
    let service = reference
        .service(&c.service)
        .map_or(c.service.clone(), |s| format!("{} ({})", s.label, s.slug));
    line("Service", service);
    let device = reference
        .device(&c.device)
        .map_or(c.device.clone(), |d| format!("{} ({})", d.label, d.slug));
    line("Poste", device);
    line("Objet", v(&c.summary));
    line(
        "Issue",
        c.outcome.map_or("—".into(), |o| o.label().to_string()),
    );
    out.push_str("Journal\n");
    let rows: Vec<Vec<String>> = record
        .journal
        .iter()
        .map(|e| {
            vec![
                paris(e.at, "%d/%m %H:%M"),
                e.operator.clone(),
                e.kind.label().to_string(),
                e.describe(),
            ]
        })
        .collect();
    // Folded to a terminal's usual 80 columns (the two of the indent included): journal
    // lines are kept whole, a step's text can run to several lines.
    let journal = table_folded(&["Heure", "Opérateur", "Quoi", "Détail"], &rows, 78);
    for l in journal.lines() {
        out.push_str("  ");
        out.push_str(l);
        out.push('\n');
    }
    out
}

/// The columns of `call show --format csv`: one line per journal entry.
pub const JOURNAL_HEADERS: [&str; 8] = [
    "reference",
    "at",
    "at_paris",
    "operator",
    "kind",
    "kind_label",
    "text",
    "detail",
];

fn journal_csv(
    out: &mut dyn Write,
    record: &CallRecord,
    options: CsvOptions,
) -> Result<(), CliError> {
    let mut w = CsvWriter::new(out, options, &JOURNAL_HEADERS)?;
    for e in &record.journal {
        w.row([
            Cell::from(record.call.reference.to_string()),
            Cell::Number(rfc3339(e.at)),
            Cell::paris(e.at),
            Cell::from(&e.operator),
            Cell::from(e.kind.slug()),
            Cell::from(e.kind.label()),
            Cell::from(&e.text),
            Cell::from(e.describe()),
        ])?;
    }
    w.finish()?;
    Ok(())
}

/// `--telephony-id`: the telephony's `callId`, checked as the listener checks it (a word of
/// visible characters, at most [`crate::phone::event::MAX_CALL_ID`]).
fn check_telephony_id(id: &str) -> Result<String, CliError> {
    let t = id.trim();
    let max = crate::phone::event::MAX_CALL_ID;
    let count = t.chars().count();
    if t.is_empty() {
        return Err(CliError::BadInput(
            "--telephony-id vide : l'identifiant de l'appel téléphonique (callId) est attendu"
                .into(),
        ));
    }
    if count > max {
        return Err(CliError::BadInput(format!(
            "--telephony-id trop long : {count} caractères, {max} au plus"
        )));
    }
    if t.chars()
        .any(|c| c.is_whitespace() || crate::domain::text::is_unsafe(c))
    {
        return Err(CliError::BadInput(format!(
            "identifiant d'appel invalide « {} » pour --telephony-id : des caractères \
             visibles sans espace attendus",
            named(t)
        )));
    }
    Ok(t.to_string())
}
