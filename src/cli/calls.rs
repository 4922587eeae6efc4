//! `guichet call ...`

use super::args::{CallCommand, Format, OperatorArg};
use super::output::{csv, json, table};
use super::{CliError, check_context, filter_text, formats, named};
use crate::catalog::procedures::Catalog;
use crate::config::resolve_operator;
use crate::domain::call::{
    Call, CallDraft, CallRecord, CallRef, Field, Outcome, check_note, check_operator,
};
use crate::domain::reference::Reference;
use crate::domain::text::visible;
use crate::domain::time::{DAY_AHEAD, paris, parse_plausible, rfc3339};
use crate::store::{CallFilter, Store};
use chrono::Utc;

/// `default_operator` is the top-level `--operator`, used when the command has none.
pub fn run(
    cmd: CallCommand,
    store: &mut Store,
    reference: &Reference,
    catalog: &Catalog,
    default_operator: Option<&str>,
) -> Result<String, CliError> {
    let operator_of = |arg: &OperatorArg| {
        resolve_operator(arg.operator.as_deref().or(default_operator)).map_err(CliError::bad)
    };
    let correcting = matches!(cmd, CallCommand::Outcome { .. });
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
            format,
        } => {
            let fmt = formats(
                &format,
                &[Format::Text, Format::Table, Format::Json, Format::Csv],
            )?;
            let operator = operator_of(&operator)?;
            let opened_at = match at {
                Some(s) => parse_plausible(&s, Utc::now(), DAY_AHEAD).map_err(CliError::bad)?,
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
            };
            let new = draft
                .validate(reference, &operator, opened_at)
                .map_err(CliError::bad)?;
            if let Some(unknown) = new.procedures.iter().find(|s| catalog.get(s).is_none()) {
                return Err(CliError::BadInput(format!(
                    "procédure inconnue « {unknown} » : voir guichet procedures list"
                )));
            }
            let call = store.insert_call(&new)?;
            Ok(match fmt {
                Format::Json => json(&call),
                Format::Csv => csv(&CALL_HEADERS, &[call_row(&call)]),
                _ => format!("{}\n", call.reference),
            })
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
        } => {
            let fmt = formats(&format, &[Format::Table, Format::Json, Format::Csv])?;
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
            };
            let calls = store.list_calls(&filter)?;
            Ok(match fmt {
                Format::Json => json(&calls),
                Format::Csv => csv(
                    &CALL_HEADERS,
                    &calls.iter().map(call_row).collect::<Vec<_>>(),
                ),
                _ if calls.is_empty() => "Aucun appel ne correspond.\n".into(),
                _ => list_table(&calls, reference),
            })
        }
        CallCommand::Show {
            reference: r,
            format,
        } => {
            let fmt = formats(
                &format,
                &[Format::Text, Format::Table, Format::Json, Format::Csv],
            )?;
            let call_ref: CallRef = r.parse().map_err(CliError::bad)?;
            let record = store.get_call(call_ref)?;
            Ok(match fmt {
                Format::Json => json(&record),
                Format::Csv => journal_csv(&record),
                _ => show_text(&record, reference),
            })
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
            Ok(match fmt {
                Format::Json => json(&record),
                _ => format!("note ajoutée à {call_ref}\n"),
            })
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
                let call = store.correct_outcome(
                    call_ref,
                    &operator,
                    Utc::now(),
                    outcome,
                    note.as_deref(),
                )?;
                (call, format!("issue de {call_ref} corrigée"))
            } else {
                let call =
                    store.close_call(call_ref, &operator, Utc::now(), outcome, note.as_deref())?;
                (call, format!("{call_ref} clos"))
            };
            Ok(match fmt {
                Format::Json => json(&call),
                _ => format!("{done} : {}\n", outcome.label()),
            })
        }
    }
}

const CALL_HEADERS: [&str; 12] = [
    "reference",
    "opened_at",
    "closed_at",
    "status",
    "outcome",
    "operator",
    "caller_name",
    "caller_phone",
    "caller_email",
    "service",
    "device",
    "summary",
];

fn call_row(c: &Call) -> Vec<String> {
    vec![
        c.reference.to_string(),
        rfc3339(c.opened_at),
        c.closed_at.map(rfc3339).unwrap_or_default(),
        c.status.slug().into(),
        c.outcome.map(|o| o.slug().to_string()).unwrap_or_default(),
        c.operator.clone(),
        c.caller_name.clone(),
        c.caller_phone.clone().unwrap_or_default(),
        c.caller_email.clone().unwrap_or_default(),
        c.service.clone(),
        c.device.clone(),
        c.summary.clone(),
    ]
}

fn list_table(calls: &[Call], reference: &Reference) -> String {
    let rows: Vec<Vec<String>> = calls
        .iter()
        .map(|c| {
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
        })
        .collect();
    table(
        &[
            "Réf.",
            "Ouvert",
            "Statut",
            "Opérateur",
            "Appelant",
            "Téléphone",
            "Service",
            "Poste",
            "Objet",
        ],
        &rows,
    )
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
    for l in table(&["Heure", "Opérateur", "Quoi", "Détail"], &rows).lines() {
        out.push_str("  ");
        out.push_str(l);
        out.push('\n');
    }
    out
}

fn journal_csv(record: &CallRecord) -> String {
    let rows: Vec<Vec<String>> = record
        .journal
        .iter()
        .map(|e| {
            vec![
                record.call.reference.to_string(),
                rfc3339(e.at),
                e.operator.clone(),
                e.kind.slug().to_string(),
                e.text.clone(),
            ]
        })
        .collect();
    csv(&["reference", "at", "operator", "kind", "text"], &rows)
}
