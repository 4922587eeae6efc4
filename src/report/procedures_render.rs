//! `report procedures` as text: its sections (a title, a header, rows) built once, written
//! as Markdown or as a terminal's table by the caller; and as CSV, one row per version and
//! per step of a version.

use super::procedures::{Figures, ProcedureFigures, ProceduresReport};
use crate::csv_export::{Cell, Column, Sheet};
use crate::domain::call::Outcome;
use crate::domain::phone::desk::rate_text;
use crate::domain::time::paris;
use std::fmt::Write as _;
use std::io;

/// One table of the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub title: String,
    pub headers: Vec<&'static str>,
    pub rows: Vec<Vec<String>>,
}

/// What the report covers, in one or two lines.
pub fn heading(r: &ProceduresReport) -> String {
    let mut out = format!(
        "Procédures du {} au {}",
        paris(r.from, "%d/%m/%Y %H:%M"),
        paris(r.to, "%d/%m/%Y %H:%M")
    );
    if let Some(s) = &r.service {
        let _ = write!(out, ", service {s}");
    }
    let _ = write!(
        out,
        "\nAppels clos : {} · suivis d'une procédure : {}",
        r.closed, r.closed_followed
    );
    if let Some(rate) = r.follow_rate {
        let _ = write!(out, " (taux de suivi {} %)", rate_text(rate));
    }
    let _ = write!(
        out,
        "\nRésolu au premier contact : pas de nouvel appel du même numéro dans les {} jours.",
        r.first_contact_days
    );
    out
}

/// A median handling time, « 9 min 05 s » (« — » without one).
pub fn duration(secs: Option<i64>) -> String {
    secs.map_or_else(|| "—".into(), |s| format!("{} min {:02} s", s / 60, s % 60))
}

/// The outcomes of the walks' calls by name, « Résolu 3 · Escaladé 1 ».
pub fn outcome_mix(f: &Figures) -> String {
    let mut parts: Vec<String> = Outcome::ALL
        .iter()
        .filter_map(|o| {
            f.outcomes
                .get(o.slug())
                .map(|n| format!("{} {n}", o.label()))
        })
        .collect();
    if parts.is_empty() {
        parts.push("—".into());
    }
    parts.join(" · ")
}

fn figure_cells(version: &str, proposed: String, f: &Figures, flags: usize) -> Vec<String> {
    vec![
        version.to_string(),
        proposed,
        f.followed.to_string(),
        f.completed.to_string(),
        f.escalated.to_string(),
        f.abandoned.to_string(),
        f.in_progress.to_string(),
        f.solved.to_string(),
        f.first_contact.to_string(),
        duration(f.median_handling_secs),
        flags.to_string(),
        outcome_mix(f),
    ]
}

const FIGURE_HEADERS: [&str; 13] = [
    "Procédure",
    "Version",
    "Proposée",
    "Suivie",
    "Terminée",
    "Escaladée",
    "Abandonnée",
    "En cours",
    "Résolue",
    "1er contact",
    "Durée médiane",
    "À revoir",
    "Issues",
];

fn name(p: &ProcedureFigures) -> String {
    let mut name = match &p.title {
        Some(t) => format!("{} — {t}", p.slug),
        None => format!("{} (hors catalogue)", p.slug),
    };
    if let Some(owner) = &p.owner {
        name.push_str(&format!(" (responsable : {owner})"));
    }
    name
}

/// The report's tables, in order: per procedure and version, the drop-off per step of
/// each version walked, the steps flagged, the words of the calls no procedure served.
pub fn sections(r: &ProceduresReport) -> Vec<Section> {
    let mut out = Vec::new();
    let mut rows = Vec::new();
    for p in &r.procedures {
        let mut row = vec![name(p)];
        row.extend(figure_cells(
            "toutes",
            p.proposed.to_string(),
            &p.figures,
            p.flags.len(),
        ));
        rows.push(row);
        if p.versions.len() > 1 {
            for v in &p.versions {
                let flags = p.flags.iter().filter(|f| f.version == v.version).count();
                let mut row = vec![String::new()];
                row.extend(figure_cells(
                    &version_name(&v.version),
                    String::new(),
                    &v.figures,
                    flags,
                ));
                rows.push(row);
            }
        }
    }
    out.push(Section {
        title: "Par procédure".into(),
        headers: FIGURE_HEADERS.to_vec(),
        rows,
    });
    for p in &r.procedures {
        for v in p.versions.iter().filter(|v| !v.steps.is_empty()) {
            out.push(Section {
                title: format!(
                    "Étapes de {} (version {})",
                    p.slug,
                    version_name(&v.version)
                ),
                headers: vec!["N°", "Étape", "Atteinte", "Répondue", "Quittée"],
                rows: v
                    .steps
                    .iter()
                    .map(|s| {
                        vec![
                            s.number.map_or_else(|| "—".into(), |n| n.to_string()),
                            s.step.clone(),
                            s.reached.to_string(),
                            s.answered.to_string(),
                            s.left.to_string(),
                        ]
                    })
                    .collect(),
            });
        }
    }
    let flags: Vec<Vec<String>> = r
        .procedures
        .iter()
        .flat_map(|p| &p.flags)
        .map(|f| {
            vec![
                f.procedure.clone(),
                version_name(&f.version),
                f.step.clone(),
                f.note.clone(),
                f.operator.clone(),
                paris(f.at, "%d/%m/%Y %H:%M"),
                f.call.to_string(),
            ]
        })
        .collect();
    if !flags.is_empty() {
        out.push(Section {
            title: "Étapes à revoir".into(),
            headers: vec![
                "Procédure",
                "Version",
                "Étape",
                "Note",
                "Opérateur",
                "Quand",
                "Appel",
            ],
            rows: flags,
        });
    }
    out.push(Section {
        title: format!(
            "Appels clos sans procédure suivie : {} — leurs mots",
            r.unfollowed
        ),
        headers: vec!["Mot", "Appels", "Exemples"],
        rows: r
            .holes
            .iter()
            .map(|h| {
                vec![
                    h.word.clone(),
                    h.calls.to_string(),
                    h.examples
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(", "),
                ]
            })
            .collect(),
    });
    out
}

/// A version as read: the empty one is a walk journaled before versions were kept.
fn version_name(v: &str) -> String {
    if v.is_empty() {
        "inconnue".into()
    } else {
        v.to_string()
    }
}

/// The report in Markdown.
pub fn to_markdown(r: &ProceduresReport) -> String {
    let mut out = String::new();
    let mut lines = heading(r).lines().map(String::from).collect::<Vec<_>>();
    let title = lines.remove(0);
    let _ = writeln!(out, "# {}\n", super::render::cell(&title));
    for l in lines {
        let _ = writeln!(out, "{}  ", super::render::cell(&l));
    }
    for s in sections(r) {
        let _ = writeln!(out, "\n## {}\n", super::render::cell(&s.title));
        if s.rows.is_empty() {
            let _ = writeln!(out, "Aucun.");
            continue;
        }
        let _ = writeln!(out, "| {} |", s.headers.join(" | "));
        let _ = writeln!(
            out,
            "|{}",
            s.headers.iter().map(|_| "---|").collect::<String>()
        );
        for row in &s.rows {
            let cells: Vec<String> = row.iter().map(|c| super::render::cell(c)).collect();
            let _ = writeln!(out, "| {} |", cells.join(" | "));
        }
    }
    out
}

/// The CSV's columns: one row per version of a procedure (`step` empty) and one per step
/// of that version.
pub const PROCEDURE_COLUMNS: [Column; 21] = [
    Column::new("procedure", "Procédure", 28.0),
    Column::new("title", "Titre", 40.0),
    Column::new("version", "Version", 16.0),
    Column::new("step", "Étape", 20.0),
    Column::new("step_number", "N° d'étape", 8.0),
    Column::new("proposed", "Proposée", 9.0),
    Column::new("followed", "Suivie", 9.0),
    Column::new("completed", "Terminée", 9.0),
    Column::new("escalated", "Escaladée", 9.0),
    Column::new("abandoned", "Abandonnée", 9.0),
    Column::new("in_progress", "En cours", 9.0),
    Column::new("solved", "Résolue", 9.0),
    Column::new("first_contact", "Résolue au premier contact", 9.0),
    Column::new("median_handling", "Durée médiane", 10.0),
    Column::new("reached", "Atteinte", 9.0),
    Column::new("answered", "Répondue", 9.0),
    Column::new("left", "Quittée", 9.0),
    Column::new("flags", "À revoir", 9.0),
    Column::new("outcomes", "Issues", 30.0),
    Column::new("notes", "Notes", 40.0),
    Column::new("owner", "Responsable", 30.0),
];

/// The report's rows, to a CSV (or any [`Sheet`]).
pub fn procedure_rows<S: Sheet>(sheet: &mut S, r: &ProceduresReport) -> io::Result<()> {
    for p in &r.procedures {
        let title = p.title.clone().unwrap_or_default();
        for v in &p.versions {
            let f = &v.figures;
            let flags: Vec<_> = p.flags.iter().filter(|x| x.version == v.version).collect();
            let notes: Vec<String> = flags
                .iter()
                .filter(|x| !x.note.is_empty())
                .map(|x| format!("{} : {}", x.step, x.note))
                .collect();
            let n = |v: u64| Cell::Integer(v as i64);
            sheet.row([
                Cell::from(&p.slug),
                Cell::from(&title),
                Cell::from(&v.version),
                Cell::Empty,
                Cell::Empty,
                n(p.proposed),
                n(f.followed),
                n(f.completed),
                n(f.escalated),
                n(f.abandoned),
                n(f.in_progress),
                n(f.solved),
                n(f.first_contact),
                f.median_handling_secs.map_or(Cell::Empty, Cell::Duration),
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
                n(flags.len() as u64),
                Cell::from(
                    f.outcomes
                        .iter()
                        .map(|(o, c)| format!("{o}={c}"))
                        .collect::<Vec<_>>()
                        .join(" "),
                ),
                Cell::from(notes.join(" / ")),
                Cell::from(p.owner.as_deref().unwrap_or_default()),
            ])?;
            for s in &v.steps {
                let flagged: Vec<String> = flags
                    .iter()
                    .filter(|x| x.step == s.step && !x.note.is_empty())
                    .map(|x| x.note.clone())
                    .collect();
                sheet.row([
                    Cell::from(&p.slug),
                    Cell::from(&title),
                    Cell::from(&v.version),
                    Cell::from(&s.step),
                    s.number.map_or(Cell::Empty, |n| Cell::Integer(n as i64)),
                    Cell::Empty,
                    Cell::Empty,
                    Cell::Empty,
                    Cell::Empty,
                    Cell::Empty,
                    Cell::Empty,
                    Cell::Empty,
                    Cell::Empty,
                    Cell::Empty,
                    n(s.reached),
                    n(s.answered),
                    n(s.left),
                    n(flags.iter().filter(|x| x.step == s.step).count() as u64),
                    Cell::Empty,
                    Cell::from(flagged.join(" / ")),
                    Cell::from(p.owner.as_deref().unwrap_or_default()),
                ])?;
            }
        }
    }
    Ok(())
}
