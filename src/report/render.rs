//! The report as Markdown (pasted into a mail or a Tchap message) and the window's calls
//! as CSV (opens right in LibreOffice Calc and Excel set to French with `;` and a BOM).

use super::{Count, Escalation, HandoverReport, WaitingLine};
use crate::csv_export::{self, Cell, CsvOptions, CsvWriter, phone_text};
use crate::domain::call::Call;
use crate::domain::phone::desk::{Answering, rate_text};
use crate::domain::reference::Reference;
use crate::domain::text::{normalize_spaces, visible, visible_lines};
use crate::domain::time::{age, paris, rfc3339};
use crate::store::HandoverKind;
use chrono::Duration;
use std::fmt::Write as _;
use std::io::{self, Write};

/// Markdown table cell: one line, no pipe breaking the table, nothing a terminal would run.
fn cell(text: &str) -> String {
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
pub const ESCALATION_CSV_HEADERS: [&str; 13] = [
    "reference",
    "opened_at",
    "opened_paris",
    "operator",
    "caller_name",
    "service",
    "service_label",
    "summary",
    "outcome",
    "outcome_label",
    "glpi_ticket",
    "handoff",
    "handoff_label",
];

/// The escalations as CSV, through the program's one CSV writer.
pub fn escalations_csv<W: Write>(
    out: W,
    escalations: &[Escalation],
    options: CsvOptions,
) -> io::Result<W> {
    let mut csv = CsvWriter::new(out, options, &ESCALATION_CSV_HEADERS)?;
    for e in escalations {
        csv.row([
            Cell::from(e.reference.to_string()),
            Cell::Number(rfc3339(e.opened_at)),
            Cell::Number(paris(e.opened_at, PARIS_CSV)),
            Cell::from(&e.operator),
            Cell::from(&e.caller_name),
            Cell::from(&e.service),
            Cell::from(&e.service_label),
            Cell::from(&e.summary),
            Cell::from(e.outcome.map(|o| o.slug())),
            Cell::from(e.outcome_label),
            Cell::Number(e.glpi_ticket.map(|t| t.to_string()).unwrap_or_default()),
            Cell::from(e.handoff.slug()),
            Cell::from(e.handoff.label()),
        ])?;
    }
    csv.finish()
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
pub const TELEPHONY_CSV_HEADERS: [&str; 4] = ["line", "answered", "missed", "answered_rate"];

/// The telephony's figures as CSV, through the program's one CSV writer.
pub fn telephony_csv<W: Write>(out: W, t: &Answering, options: CsvOptions) -> io::Result<W> {
    let decimal = options.decimal_mark().to_string();
    let mut csv = CsvWriter::new(out, options, &TELEPHONY_CSV_HEADERS)?;
    let rate = |r: Option<f64>| {
        r.map(|r| format!("{r:.1}").replace('.', &decimal))
            .unwrap_or_default()
    };
    for l in &t.by_line {
        csv.row([
            Cell::from(&l.line),
            Cell::Number(l.answered.to_string()),
            Cell::Number(l.missed.to_string()),
            Cell::Number(rate(l.answered_rate)),
        ])?;
    }
    csv.row([
        Cell::from("total"),
        Cell::Number(t.answered.to_string()),
        Cell::Number(t.missed.to_string()),
        Cell::Number(rate(t.answered_rate)),
    ])?;
    csv.finish()
}

/// The columns of a call in CSV, the same for `call list`, `call add` and
/// `report handover`: the slugs and UTC times a program reads, then the French labels, the
/// Paris times and the durations a person reads in a spreadsheet (docs/sorties.md lists them).
pub const CSV_HEADERS: [&str; 22] = [
    "reference",
    "opened_at",
    "opened_paris",
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
    "handling_minutes",
    "closed_paris",
    "status_label",
    "outcome_label",
    "handler",
    "service_label",
    "device_label",
    "handling_secs",
    "handling",
];

/// Paris local time as a French spreadsheet reads a date and time: "01/12/2026 14:05".
pub const PARIS_CSV: &str = "%d/%m/%Y %H:%M";

/// Calls as CSV rows, written one at a time through the program's one CSV writer.
pub struct CallCsv<'r, W: Write> {
    csv: CsvWriter<W>,
    reference: &'r Reference,
    decimal: char,
}

impl<'r, W: Write> CallCsv<'r, W> {
    /// Writes the header (and the byte order mark when asked).
    pub fn new(out: W, options: CsvOptions, reference: &'r Reference) -> io::Result<Self> {
        Ok(CallCsv {
            csv: CsvWriter::new(out, options, &CSV_HEADERS)?,
            reference,
            decimal: options.decimal_mark(),
        })
    }

    pub fn write(&mut self, c: &Call) -> io::Result<()> {
        let handling = c.closed_at.map(|t| (t - c.opened_at).num_seconds());
        let r = self.reference;
        self.csv.row([
            Cell::from(c.reference.to_string()),
            Cell::Number(rfc3339(c.opened_at)),
            Cell::Number(paris(c.opened_at, PARIS_CSV)),
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
            Cell::Number(
                handling
                    .map(|s| csv_export::minutes(s, self.decimal))
                    .unwrap_or_default(),
            ),
            Cell::Number(c.closed_at.map(|t| paris(t, PARIS_CSV)).unwrap_or_default()),
            Cell::from(c.status.label()),
            Cell::from(c.outcome.map(|o| o.label())),
            Cell::from(&c.handler),
            Cell::from(r.service(&c.service).map(|s| s.label.as_str())),
            Cell::from(r.device(&c.device).map(|d| d.label.as_str())),
            Cell::Number(handling.map(|s| s.to_string()).unwrap_or_default()),
            Cell::Number(handling.map(csv_export::hms).unwrap_or_default()),
        ])
    }

    /// Flushes and gives the writer back.
    pub fn finish(self) -> io::Result<W> {
        self.csv.finish()
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
