//! What the desk's walks say a catalogue's author should look at (`procedures lint
//! --usage-days N`): the procedures the form never proposed, and the steps no walk of a
//! procedure's current version reached in the period.

use super::procedures::ProceduresReport;
use crate::domain::procedure::Procedure;

/// The warnings, one sentence each, in the catalogue's order; `None` for a period without
/// a call closed or a procedure proposed, rather than calling every procedure unused.
pub fn usage_warnings(
    report: &ProceduresReport,
    catalog: &[Procedure],
    days: i64,
) -> Option<Vec<String>> {
    if report.closed == 0 && report.procedures.is_empty() {
        return None;
    }
    let mut said = Vec::new();
    for p in catalog {
        let Some(figures) = report.procedures.iter().find(|f| f.slug == p.slug) else {
            said.push(format!(
                "{} : jamais proposée ni suivie en {days} jours",
                p.slug
            ));
            continue;
        };
        if figures.proposed == 0 {
            said.push(format!(
                "{} : jamais proposée par le formulaire en {days} jours (suivie {} fois)",
                p.slug, figures.figures.followed
            ));
        }
        let version = p.version();
        let Some(current) = figures
            .versions
            .iter()
            .find(|v| v.version == version && v.figures.followed > 0)
        else {
            continue;
        };
        for (i, step) in p.steps.iter().enumerate() {
            let reached = current
                .steps
                .iter()
                .any(|s| s.step == step.id && s.reached > 0);
            if !reached {
                said.push(format!(
                    "{} : étape {} ({}) jamais atteinte par les {} déroulés de la version {} \
                     en {days} jours",
                    p.slug,
                    i + 1,
                    step.id,
                    current.figures.followed,
                    version
                ));
            }
        }
    }
    Some(said)
}
