//! `guichet procedures simulate` as text: every path of a procedure, one block each, the
//! answers and conditions on the way, then how it ends.

use super::counted;
use crate::domain::paths::{PathEnd, Paths};

/// How many paths are listed at most: a procedure of questions in a row doubles its paths
/// at each one; past this, a reviewer reads the graph with `procedures show`.
pub const LIMIT: usize = 500;

pub fn text(paths: &Paths) -> String {
    let n = paths.paths.len() as u64;
    let count = |f: fn(&PathEnd) -> bool| paths.paths.iter().filter(|p| f(&p.end)).count() as u64;
    let escalations = count(|e| matches!(e, PathEnd::Escalate { .. }));
    let loops = count(|e| matches!(e, PathEnd::Loop { .. }));
    let mut out = format!("{} — {}\n", paths.slug, paths.title);
    let mut kinds = vec![counted(n - escalations - loops, "fin", "fins")];
    if escalations > 0 {
        kinds.push(counted(escalations, "escalade", "escalades"));
    }
    if loops > 0 {
        kinds.push(counted(loops, "boucle", "boucles"));
    }
    let tally = [counted(n, "chemin", "chemins"), kinds.join(", ")];
    out.push_str(&tally.join(" : "));
    out.push('\n');
    if !paths.complete {
        out.push_str(&format!(
            "Plus de {LIMIT} chemins : seuls les {LIMIT} premiers sont listés.\n"
        ));
    }
    for (i, path) in paths.paths.iter().enumerate() {
        let head = match &path.end {
            PathEnd::End { .. } => "fin".to_string(),
            PathEnd::Escalate { target, .. } => format!("escalade vers {target}"),
            PathEnd::Loop { number, .. } => format!("boucle, retour à l'étape {number}"),
            PathEnd::Unknown { .. } => "étape inconnue".to_string(),
        };
        out.push_str(&format!("\nChemin {} — {head}\n", i + 1));
        for s in &path.steps {
            let mut line = format!("  {}. {} ({})", s.number, s.id, s.kind_label);
            match s.answer {
                Some(true) => line.push_str(" → oui"),
                Some(false) => line.push_str(" → non"),
                None => {}
            }
            if let Some(target) = &s.target {
                line.push_str(&format!(" → vers {target}, puis la suite"));
            }
            if let Some(c) = &s.condition {
                line.push_str(&format!(" [{c}]"));
            }
            out.push_str(&line);
            out.push('\n');
        }
        out.push_str(&match &path.end {
            PathEnd::End { said } => format!("  Fin. Dit en dernier : « {said} »\n"),
            PathEnd::Escalate { target, said } => {
                format!("  Escalade vers {target}. Dit en dernier : « {said} »\n")
            }
            PathEnd::Loop { number, id } => format!(
                "  ↺ Retour à l'étape {number} ({id}), déjà sur ce chemin : la boucle n'est \
                 listée qu'une fois.\n"
            ),
            PathEnd::Unknown { said } => {
                format!("  Mène à une étape inconnue. Dit en dernier : « {said} »\n")
            }
        });
    }
    out
}
