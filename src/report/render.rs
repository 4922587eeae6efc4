//! The report as Markdown (pasted into a mail or a Tchap message) and the window's calls
//! as CSV (opens right in LibreOffice Calc and Excel set to French with `;` and a BOM).

use super::{Count, Escalation, HandoverReport, WaitingLine};
use crate::csv_export::{Cell, Column, CsvOptions, CsvWriter, Labels, Sheet, headers, phone_text};
use crate::domain::call::Call;
use crate::domain::phone::desk::{Answering, rate_text};
use crate::domain::reference::Reference;
use crate::domain::text::{normalize_spaces, visible, visible_lines};
use crate::domain::time::{age, paris, rfc3339};
use crate::store::HandoverKind;
use crate::xlsx_export::XlsxWriter;
use chrono::Duration;
use std::fmt::Write as _;
use std::io::{self, Write};

/// Markdown table cell: one line, no pipe breaking the table, nothing a terminal would run.
pub(super) fn cell(text: &str) -> String {
    normalize_spaces(&visible(text)).replace('|', "\\|")
}

fn minutes(secs: i64) -> String {
    age(Duration::seconds(secs))
}

fn counts_table(out: &mut String, title: &str, column: &str, counts: &[Count]) {
    if counts.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n### {title}\n\n| {column} | Appels |\n|---|---:|");
    for c in counts {
        let _ = writeln!(out, "| {} | {} |", cell(&c.label), c.count);
    }
}

fn waiting_row(out: &mut String, w: &WaitingLine, reference: &Reference) {
    let mut flags = Vec::new();
    if w.callback_due {
        flags.push("**à rappeler**");
    }
    if w.escalated {
        flags.push("**escaladé, en attente**");
    }
    let whereabouts = match (&w.stopped_at, &w.last_journal) {
        (Some(step), _) => format!("procédure {}", cell(step)),
        (None, Some(last)) => cell(last),
        (None, None) => String::new(),
    };
    let _ = writeln!(
        out,
        "| {}{} | {} | {} | {} | {} | {} |",
        w.call.reference,
        if flags.is_empty() {
            String::new()
        } else {
            format!(" {}", flags.join(" "))
        },
        minutes(w.age_secs),
        cell(&w.call.caller_name),
        cell(reference.service_short(&w.call.service)),
        cell(reference.device_short(&w.call.device)),
        whereabouts
    );
}

pub fn to_markdown(report: &HandoverReport, reference: &Reference, desk: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Relève — {}", report.shift_label);
    let who = report
        .operator
        .as_deref()
        .map_or(String::new(), |o| format!(" · appels de {}", cell(o)));
    let _ = writeln!(
        out,
        "\n{} · rapport du {}{who}",
        cell(desk),
        paris(report.generated_at, "%d/%m/%Y à %H:%M")
    );
    if report.is_empty() {
        let _ = writeln!(
            out,
            "\nAucun appel pendant cette relève, aucun appel en attente."
        );
    } else {
        let mut summary = format!(
            "\n**{} appel{}** · {} encore ouvert{}",
            report.calls_total,
            if report.calls_total > 1 { "s" } else { "" },
            report.still_open,
            if report.still_open > 1 { "s" } else { "" }
        );
        if let Some(m) = report.handling.median_secs {
            let _ = write!(summary, " · durée médiane {}", minutes(m));
        }
        if let (Some(l), Some(r)) = (report.handling.longest_secs, &report.handling.longest_call) {
            let _ = write!(summary, " · la plus longue {} ({r})", minutes(l));
        }
        let _ = writeln!(out, "{summary}");
    }
    let waiting = report.open.len() + report.callbacks.len();
    if waiting > 0 {
        let _ = writeln!(
            out,
            "\n## En attente ({})\n\n| Réf. | Depuis | Appelant | Service | Poste | Où on en est |\n|---|---|---|---|---|---|",
            report.open_total + report.callbacks.len() as i64
        );
        for w in report.callbacks.iter().chain(&report.open) {
            waiting_row(&mut out, w, reference);
        }
        let more = report.open_total - report.open.len() as i64;
        if more > 0 {
            let _ = writeln!(out, "\n… et {more} autres appels ouverts plus récents.");
        }
    }
    escalations_section(&mut out, &report.escalations, reference);
    if report.calls_total > 0 {
        let _ = writeln!(out, "\n## Chiffres de la relève");
        counts_table(&mut out, "Par service", "Service", &report.services);
        counts_table(&mut out, "Par poste", "Poste", &report.devices);
        counts_table(&mut out, "Par issue", "Issue", &report.outcomes);
        counts_table(&mut out, "Par opérateur", "Opérateur", &report.operators);
    }
    telephony_section(&mut out, &report.telephony);
    if !report.top_procedures.is_empty() {
        let _ = writeln!(out, "\n## Procédures les plus suivies\n");
        for p in &report.top_procedures {
            let _ = writeln!(
                out,
                "- {} ({}) : {} appel{}",
                cell(&p.title),
                p.slug,
                p.calls,
                if p.calls > 1 { "s" } else { "" }
            );
        }
    }
    let _ = writeln!(out, "\n## Note de relève\n");
    match report.note() {
        Some(n) => {
            for line in visible_lines(&n.text).lines() {
                let _ = writeln!(out, "> {line}");
            }
            let _ = writeln!(
                out,
                "\n— {}, le {}",
                cell(&n.operator),
                paris(n.at, "%d/%m/%Y à %H:%M")
            );
        }
        None => {
            let _ = writeln!(out, "Pas encore de note pour cette relève.");
        }
    }
    let acks: Vec<String> = report
        .acknowledgements()
        .map(|a| {
            format!(
                "{} le {}",
                cell(&a.operator),
                paris(a.at, "%d/%m/%Y à %H:%M")
            )
        })
        .collect();
    if !acks.is_empty() {
        let _ = writeln!(out, "\nPrise de connaissance : {}.", acks.join(", "));
    }
    if let Some(prev) = report
        .previous_notes
        .iter()
        .rev()
        .find(|e| e.kind == HandoverKind::Note)
    {
        let _ = writeln!(
            out,
            "\nNote de la relève précédente ({}, {}) : {}",
            cell(&prev.shift_name),
            cell(&prev.operator),
            cell(&prev.text)
        );
    }
    out
}

/// The escalations, each with its GLPI ticket and whether it is sent, waiting or in doubt.
fn escalations_section(out: &mut String, escalations: &[Escalation], reference: &Reference) {
    if escalations.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\n## Escalades ({})\n\n| Réf. | Appelant | Service | Objet | Ticket GLPI | Envoi |\n|---|---|---|---|---|---|",
        escalations.len()
    );
    for e in escalations {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            e.reference,
            cell(&e.caller_name),
            cell(reference.service_short(&e.service)),
            cell(&e.summary),
            e.glpi_ticket.map_or("—".to_string(), |t| format!("n° {t}")),
            e.handoff.label()
        );
    }
}

/// The columns of the escalations in CSV (`report handover --escalations`): one row per
/// escalation, slugs and UTC for a program, labels and Paris time for a person.
pub const ESCALATION_COLUMNS: [Column; 13] = [
    Column::new("reference", "Référence", 12.0),
    Column::new("opened_at", "Ouverture (UTC)", 22.0),
    Column::new("opened_paris", "Ouverture", 20.0),
    Column::new("operator", "Opérateur", 14.0),
    Column::new("caller_name", "Appelant", 24.0),
    Column::new("service", "Service (code)", 14.0),
    Column::new("service_label", "Service", 24.0),
    Column::new("summary", "Objet", 48.0),
    Column::new("outcome", "Issue (code)", 14.0),
    Column::new("outcome_label", "Issue", 22.0),
    Column::new("glpi_ticket", "Ticket GLPI", 12.0),
    Column::new("handoff", "Envoi (code)", 12.0),
    Column::new("handoff_label", "Envoi", 14.0),
];

/// The escalations' rows, to the CSV or the xlsx.
pub fn escalation_rows<S: Sheet>(sheet: &mut S, escalations: &[Escalation]) -> io::Result<()> {
    for e in escalations {
        sheet.row([
            Cell::from(e.reference.to_string()),
            Cell::Number(rfc3339(e.opened_at)),
            Cell::paris(e.opened_at),
            Cell::from(&e.operator),
            Cell::from(&e.caller_name),
            Cell::from(&e.service),
            Cell::from(&e.service_label),
            Cell::from(&e.summary),
            Cell::from(e.outcome.map(|o| o.slug())),
            Cell::from(e.outcome_label),
            e.glpi_ticket.map_or(Cell::Empty, Cell::Integer),
            Cell::from(e.handoff.slug()),
            Cell::from(e.handoff.label()),
        ])?;
    }
    Ok(())
}

/// The calls that came in: how many were answered, how many missed, line by line.
fn telephony_section(out: &mut String, t: &Answering) {
    let Some(summary) = t.summary() else {
        return;
    };
    let _ = writeln!(
        out,
        "\n## Téléphonie\n\n{summary}\n\n| Ligne appelée | Décrochés | Manqués | Taux de décroché |\n|---|---:|---:|---:|"
    );
    for l in &t.by_line {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            cell(&l.line),
            l.answered,
            l.missed,
            l.answered_rate
                .map_or("—".to_string(), |r| format!("{} %", rate_text(r)))
        );
    }
}

/// The columns of the telephony's figures in CSV (`report handover --telephony`): one row
/// per line called, then the whole desk's on a row whose line is `total`.
pub const TELEPHONY_COLUMNS: [Column; 4] = [
    Column::new("line", "Ligne appelée", 20.0),
    Column::new("answered", "Décrochés", 12.0),
    Column::new("missed", "Manqués", 12.0),
    Column::new("answered_rate", "Taux de décroché (%)", 20.0),
];

/// The telephony's rows, to the CSV or the xlsx; `decimal` is the mark of the rate's
/// fraction in a CSV.
pub fn telephony_rows<S: Sheet>(sheet: &mut S, t: &Answering, decimal: char) -> io::Result<()> {
    let rate = |r: Option<f64>| {
        r.map_or(Cell::Empty, |r| {
            Cell::Number(format!("{r:.1}").replace('.', &decimal.to_string()))
        })
    };
    for l in &t.by_line {
        sheet.row([
            Cell::from(&l.line),
            Cell::Integer(l.answered),
            Cell::Integer(l.missed),
            rate(l.answered_rate),
        ])?;
    }
    sheet.row([
        Cell::from("total"),
        Cell::Integer(t.answered),
        Cell::Integer(t.missed),
        rate(t.answered_rate),
    ])
}

/// The columns of a call in CSV and xlsx, the same for `call list`, `call add` and
/// `report handover`: the slugs and UTC times a program reads, then the French labels, the
/// Paris times and the durations a person reads in a spreadsheet (docs/sorties.md lists them).
pub const CALL_COLUMNS: [Column; 22] = [
    Column::new("reference", "Référence", 12.0),
    Column::new("opened_at", "Ouverture (UTC)", 22.0),
    Column::new("opened_paris", "Ouverture", 20.0),
    Column::new("closed_at", "Clôture (UTC)", 22.0),
    Column::new("status", "État (code)", 10.0),
    Column::new("outcome", "Issue (code)", 14.0),
    Column::new("operator", "Opérateur", 14.0),
    Column::new("caller_name", "Appelant", 24.0),
    Column::new("caller_phone", "Téléphone", 18.0),
    Column::new("caller_email", "Courriel", 28.0),
    Column::new("service", "Service (code)", 14.0),
    Column::new("device", "Poste (code)", 14.0),
    Column::new("summary", "Objet", 48.0),
    Column::new("handling_minutes", "Durée (min)", 12.0),
    Column::new("closed_paris", "Clôture", 20.0),
    Column::new("status_label", "État", 10.0),
    Column::new("outcome_label", "Issue", 22.0),
    Column::new("handler", "Traité par", 14.0),
    Column::new("service_label", "Service", 24.0),
    Column::new("device_label", "Poste", 24.0),
    Column::new("handling_secs", "Durée (s)", 10.0),
    Column::new("handling", "Durée", 10.0),
];

/// A call's cells in the order of [`CALL_COLUMNS`]; the three durations run from the
/// opening to the closing, empty for an open call.
pub fn call_cells<'c>(c: &'c Call, r: &'c Reference) -> [Cell<'c>; 22] {
    let handling = c.closed_at.map(|t| (t - c.opened_at).num_seconds());
    [
        Cell::from(c.reference.to_string()),
        Cell::Number(rfc3339(c.opened_at)),
        Cell::paris(c.opened_at),
        Cell::Number(c.closed_at.map(rfc3339).unwrap_or_default()),
        Cell::from(c.status.slug()),
        Cell::from(c.outcome.map(|o| o.slug())),
        Cell::from(&c.operator),
        Cell::from(&c.caller_name),
        Cell::from(c.caller_phone.as_deref().map(phone_text)),
        Cell::from(c.caller_email.as_deref()),
        Cell::from(&c.service),
        Cell::from(&c.device),
        Cell::from(&c.summary),
        handling.map_or(Cell::Empty, Cell::Minutes),
        c.closed_at.map_or(Cell::Empty, Cell::paris),
        Cell::from(c.status.label()),
        Cell::from(c.outcome.map(|o| o.label())),
        Cell::from(&c.handler),
        Cell::from(r.service(&c.service).map(|s| s.label.as_str())),
        Cell::from(r.device(&c.device).map(|d| d.label.as_str())),
        handling.map_or(Cell::Empty, Cell::Integer),
        handling.map_or(Cell::Empty, Cell::Duration),
    ]
}

/// Calls as rows, written one at a time, to the CSV ([`CsvWriter`]) or the xlsx
/// ([`XlsxWriter`]).
pub struct CallRows<'r, S: Sheet> {
    sheet: S,
    reference: &'r Reference,
}

/// Calls as CSV rows, through the program's one CSV writer.
pub type CallCsv<'r, W> = CallRows<'r, CsvWriter<W>>;

impl<'r, W: Write> CallRows<'r, CsvWriter<W>> {
    /// Writes the header, the documented slugs (and the byte order mark when asked).
    pub fn new(out: W, options: CsvOptions, reference: &'r Reference) -> io::Result<Self> {
        Self::labelled(out, options, Labels::Slugs, reference)
    }

    /// Writes the header in the chosen labels.
    pub fn labelled(
        out: W,
        options: CsvOptions,
        labels: Labels,
        reference: &'r Reference,
    ) -> io::Result<Self> {
        Ok(CallRows {
            sheet: CsvWriter::new(out, options, &headers(&CALL_COLUMNS, labels))?,
            reference,
        })
    }

    /// Flushes and gives the writer back.
    pub fn finish(self) -> io::Result<W> {
        self.sheet.finish()
    }
}

impl<'r> CallRows<'r, XlsxWriter> {
    /// A sheet « Appels » with the French header.
    pub fn xlsx(reference: &'r Reference) -> io::Result<Self> {
        Ok(CallRows {
            sheet: XlsxWriter::new("Appels", &CALL_COLUMNS)?,
            reference,
        })
    }

    /// The workbook's bytes.
    pub fn finish(self) -> io::Result<Vec<u8>> {
        self.sheet.finish()
    }
}

impl<S: Sheet> CallRows<'_, S> {
    pub fn write(&mut self, c: &Call) -> io::Result<()> {
        self.sheet.row(call_cells(c, self.reference))
    }
}

/// Calls as a whole CSV in a string (a short list, the tests).
pub fn to_csv(calls: &[Call], reference: &Reference, options: CsvOptions) -> String {
    let write = || -> io::Result<Vec<u8>> {
        let mut csv = CallCsv::new(Vec::new(), options, reference)?;
        for c in calls {
            csv.write(c)?;
        }
        csv.finish()
    };
    // Writing into memory cannot fail.
    String::from_utf8(write().unwrap_or_default()).unwrap_or_default()
}
