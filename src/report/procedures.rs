//! `report procedures`: what the desk's walks say of each procedure and version — proposed,
//! followed, how the walks ended and where they stopped, the calls' outcomes and handling
//! time, solved and solved at first contact, the steps flagged — and the words of the calls
//! no procedure was followed for. Built from the store's rows ([`WalkFigures`]); the
//! definitions are the README's (« Les chiffres des procédures »).

use crate::domain::call::{CallRef, Outcome};
use crate::domain::procedure::Procedure;
use crate::domain::search::folded_words;
use crate::store::{
    FigureWindow, HOLE_FIRST, Result, StepFlag, StepRow, Store, Unfollowed, WalkFigures, WalkRow,
};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The default window of « resolved on first contact »: no new call from the same number
/// within 7 days.
pub const FIRST_CONTACT_DAYS: i64 = 7;

/// How many words of the calls no procedure was followed for the report lists.
pub const HOLE_WORDS: usize = 20;
/// How many references each of those words gives as examples: the first calls the store
/// keeps of each summary.
const HOLE_EXAMPLES: usize = HOLE_FIRST;

/// The figures of a set of walks (a version's, or a procedure's over its versions).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Figures {
    /// Walks of the procedure (a call that walks it twice counts twice).
    pub followed: u64,
    pub completed: u64,
    pub escalated: u64,
    pub abandoned: u64,
    pub in_progress: u64,
    /// The outcomes of the walks' calls, by slug (calls still open are not counted).
    pub outcomes: BTreeMap<String, u64>,
    /// The median handling time (opened to closed) of the closed calls that followed it.
    pub median_handling_secs: Option<i64>,
    /// Walks that solved the caller's problem: the « résolu ? » answer, or when none was
    /// given, the call closed as resolved.
    pub solved: u64,
    /// Of those, the ones whose caller did not call again from the same number within the
    /// window (a call without a number counts on its answer alone).
    pub first_contact: u64,
    /// Walks whose « résolu ? » was answered (the rest are derived from the outcome).
    pub answered_solved: u64,
}

/// One step of one version: walks that showed it, that went past it, that stopped on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepFigures {
    pub step: String,
    /// Its number in the procedure as the catalogue has it now (`None`: no longer there).
    pub number: Option<usize>,
    pub reached: u64,
    pub answered: u64,
    /// Reached and not answered: the walks left there (ended, or still on it).
    pub left: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VersionFigures {
    pub version: String,
    #[serde(flatten)]
    pub figures: Figures,
    /// In the procedure's order, the steps no longer in it last.
    pub steps: Vec<StepFigures>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProcedureFigures {
    pub slug: String,
    /// The catalogue's title (`None`: not in the catalogue any more).
    pub title: Option<String>,
    /// Who maintains it (the file's `owner`), for the figures to reach them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Calls for which the form proposed it among its first three.
    pub proposed: u64,
    /// Over all its versions.
    #[serde(flatten)]
    pub figures: Figures,
    /// Newest version first (the catalogue's current one, then by walks).
    pub versions: Vec<VersionFigures>,
    pub flags: Vec<StepFlag>,
}

/// A word of the calls closed without a procedure followed, and how many such calls say it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hole {
    pub word: String,
    pub calls: u64,
    pub examples: Vec<CallRef>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProceduresReport {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub service: Option<String>,
    /// « Resolved on first contact »: no new call within this many days.
    pub first_contact_days: i64,
    pub generated_at: DateTime<Utc>,
    /// Calls closed in the period, and how many followed a procedure.
    pub closed: u64,
    pub closed_followed: u64,
    /// closed_followed / closed, in percent (`None` when no call was closed).
    pub follow_rate: Option<f64>,
    /// Procedures proposed or followed in the period: those that need attention first
    /// (most abandoned, escalated, flagged), then by walks.
    pub procedures: Vec<ProcedureFigures>,
    /// Calls closed without a procedure followed.
    pub unfollowed: u64,
    pub holes: Vec<Hole>,
}

impl ProceduresReport {
    /// Reads the store for the calls of `window` and builds the report; `catalog` gives
    /// titles and the order of steps.
    pub fn build(
        store: &Store,
        catalog: &[Procedure],
        window: &FigureWindow,
        first_contact_days: i64,
        now: DateTime<Utc>,
    ) -> Result<ProceduresReport> {
        let figures = store.walk_figures(window, first_contact_days * 86_400)?;
        Ok(ProceduresReport::of(
            figures,
            catalog,
            window,
            first_contact_days,
            now,
        ))
    }

    /// The report of rows already read.
    pub fn of(
        data: WalkFigures,
        catalog: &[Procedure],
        window: &FigureWindow,
        first_contact_days: i64,
        now: DateTime<Utc>,
    ) -> ProceduresReport {
        let known: HashMap<&str, &Procedure> =
            catalog.iter().map(|p| (p.slug.as_str(), p)).collect();
        // Each row looked at once: the walks by procedure then version (in their order),
        // the proposals, steps and flags by procedure.
        let mut walked: HashMap<&str, Vec<(&str, Vec<&WalkRow>)>> = HashMap::new();
        for w in &data.walks {
            let versions = walked.entry(&*w.procedure).or_default();
            match versions.iter_mut().find(|(v, _)| *v == &*w.version) {
                Some((_, walks)) => walks.push(w),
                None => versions.push((&*w.version, vec![w])),
            }
        }
        let proposed: HashMap<&str, u64> = data
            .proposed
            .iter()
            .map(|(s, n)| (s.as_str(), *n))
            .collect();
        let mut steps: HashMap<(&str, &str), Vec<&StepRow>> = HashMap::new();
        for s in &data.steps {
            steps
                .entry((s.procedure.as_str(), s.version.as_str()))
                .or_default()
                .push(s);
        }
        let mut flags: HashMap<&str, Vec<StepFlag>> = HashMap::new();
        for f in &data.flags {
            flags
                .entry(f.procedure.as_str())
                .or_default()
                .push(f.clone());
        }
        let slugs: BTreeSet<&str> = proposed.keys().chain(walked.keys()).copied().collect();
        let mut procedures: Vec<ProcedureFigures> = slugs
            .into_iter()
            .map(|slug| {
                let p = known.get(slug).copied();
                let mut versions = walked.remove(slug).unwrap_or_default();
                versions.sort_unstable_by(|a, b| a.0.cmp(b.0));
                let current = p.map(Procedure::version);
                // The catalogue's version first, then the most walked.
                versions.sort_by_key(|(v, walks)| {
                    (
                        Some(*v) != current.as_deref(),
                        std::cmp::Reverse(walks.len()),
                    )
                });
                let figures = figures_of(versions.iter().flat_map(|(_, w)| w.iter().copied()));
                let versions = versions
                    .into_iter()
                    .map(|(version, walks)| VersionFigures {
                        figures: figures_of(walks.iter().copied()),
                        steps: steps_of(
                            steps.get(&(slug, version)).map_or(&[][..], Vec::as_slice),
                            p,
                        ),
                        version: version.to_string(),
                    })
                    .collect();
                ProcedureFigures {
                    title: p.map(|p| p.title.clone()),
                    owner: p.and_then(|p| p.owner.clone()),
                    proposed: proposed.get(slug).copied().unwrap_or(0),
                    figures,
                    versions,
                    flags: flags.remove(slug).unwrap_or_default(),
                    slug: slug.to_string(),
                }
            })
            .collect();
        procedures.sort_by_key(|p| {
            (
                std::cmp::Reverse(p.figures.abandoned),
                std::cmp::Reverse(p.figures.escalated),
                std::cmp::Reverse(p.flags.len()),
                std::cmp::Reverse(p.figures.followed),
                std::cmp::Reverse(p.proposed),
            )
        });
        let follow_rate =
            (data.closed > 0).then(|| data.closed_followed as f64 * 100.0 / data.closed as f64);
        ProceduresReport {
            from: window.from,
            to: window.to,
            service: window.service.clone(),
            first_contact_days,
            generated_at: now,
            closed: data.closed,
            closed_followed: data.closed_followed,
            follow_rate,
            procedures,
            unfollowed: data.unfollowed.iter().map(|u| u.calls).sum(),
            holes: holes(&data.unfollowed),
        }
    }
}

/// Whether a walk solved the caller's problem: said, or derived from the call's outcome.
fn solved(w: &WalkRow) -> bool {
    w.said_solved
        .unwrap_or(w.outcome.as_deref() == Some(Outcome::Resolved.slug()))
}

fn figures_of<'a>(walks: impl IntoIterator<Item = &'a WalkRow>) -> Figures {
    let mut f = Figures::default();
    // A handful of outcomes: looked for in a short list rather than hashed per walk.
    let mut outcomes: Vec<(&str, u64)> = Vec::new();
    let mut handled: Vec<(CallRef, i64)> = Vec::new();
    for w in walks {
        f.followed += 1;
        match w.state {
            "completed" => f.completed += 1,
            "escalated" => f.escalated += 1,
            "abandoned" => f.abandoned += 1,
            _ => f.in_progress += 1,
        }
        if let Some(o) = &w.outcome {
            match outcomes.iter_mut().find(|(seen, _)| *seen == &**o) {
                Some((_, n)) => *n += 1,
                None => outcomes.push((o, 1)),
            }
        }
        if let Some(secs) = w.handling_secs {
            handled.push((w.call, secs));
        }
        if w.said_solved.is_some() {
            f.answered_solved += 1;
        }
        if solved(w) {
            f.solved += 1;
            if !w.called_again {
                f.first_contact += 1;
            }
        }
    }
    f.outcomes = outcomes
        .into_iter()
        .map(|(o, n)| (o.to_string(), n))
        .collect();
    // A call's handling time counts once, however many walks it holds.
    handled.sort_unstable();
    handled.dedup_by_key(|(call, _)| *call);
    let mut handling: Vec<i64> = handled.into_iter().map(|(_, secs)| secs).collect();
    f.median_handling_secs = super::median(&mut handling);
    f
}

/// The steps of one version, numbered by the catalogue's procedure.
fn steps_of(rows: &[&StepRow], procedure: Option<&Procedure>) -> Vec<StepFigures> {
    let mut steps: Vec<StepFigures> = rows
        .iter()
        .map(|s| StepFigures {
            step: s.step.clone(),
            number: procedure.and_then(|p| p.step_index(&s.step)).map(|i| i + 1),
            reached: s.reached,
            answered: s.answered,
            left: s.reached.saturating_sub(s.answered),
        })
        .collect();
    steps.sort_by(|a, b| {
        (a.number.is_none(), a.number, &a.step).cmp(&(b.number.is_none(), b.number, &b.step))
    });
    steps
}

/// The words of the calls closed without a procedure followed (folded by the one rule of
/// the search, stop words left out), each with how many such calls say it, most said first,
/// and its first calls: each summary is folded once, its calls counted together, its first
/// calls among which are the first calls of each of its words.
fn holes(unfollowed: &[Unfollowed]) -> Vec<Hole> {
    let mut by_word: HashMap<String, (u64, Vec<CallRef>)> = HashMap::new();
    for u in unfollowed {
        let mut words = folded_words(&u.summary);
        words.sort();
        words.dedup();
        for word in words {
            let entry = by_word.entry(word).or_default();
            entry.0 += u.calls;
            entry.1.extend(&u.first);
            if entry.1.len() > HOLE_EXAMPLES {
                entry.1.sort_unstable();
                entry.1.truncate(HOLE_EXAMPLES);
            }
        }
    }
    let mut holes: Vec<Hole> = by_word
        .into_iter()
        .map(|(word, (calls, mut examples))| {
            examples.sort_unstable();
            Hole {
                word,
                calls,
                examples,
            }
        })
        .collect();
    holes.sort_by(|a, b| b.calls.cmp(&a.calls).then_with(|| a.word.cmp(&b.word)));
    holes.truncate(HOLE_WORDS);
    holes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_word_counts_its_calls_and_gives_its_first_ones_whatever_the_summaries() {
        let said = [
            (5, "imprimante bloquée"),
            (1, "scanner bloqué"),
            (9, "imprimante bloquée"),
            (2, "imprimante en panne"),
            (7, "imprimante bloquée"),
            (3, "imprimante bloquée"),
            (4, "scanner bloqué"),
        ];
        // As the store gives them: by summary, with their first calls.
        let mut by_summary: BTreeMap<&str, Vec<CallRef>> = BTreeMap::new();
        for (id, summary) in said {
            by_summary.entry(summary).or_default().push(CallRef(id));
        }
        let unfollowed: Vec<Unfollowed> = by_summary
            .into_iter()
            .map(|(summary, mut calls)| {
                calls.sort();
                Unfollowed {
                    summary: summary.to_string(),
                    calls: calls.len() as u64,
                    first: calls.into_iter().take(HOLE_FIRST).collect(),
                }
            })
            .collect();
        let holes = holes(&unfollowed);
        let of = |word: &str| {
            let h = holes.iter().find(|h| h.word == word).unwrap();
            (h.calls, h.examples.iter().map(|c| c.0).collect::<Vec<_>>())
        };
        assert_eq!(of("imprimante"), (5, vec![2, 3, 5]));
        assert_eq!(of("bloquee"), (4, vec![3, 5, 7]));
        assert_eq!(of("scanner"), (2, vec![1, 4]));
        assert_eq!(holes[0].word, "imprimante", "most said first");
    }
}
