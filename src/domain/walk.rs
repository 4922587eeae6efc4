//! Walking a procedure on a call: where the walk stands, and what each move writes in the
//! journal. Pure: the console applies the moves, the store keeps the entries.

use super::procedure::{Procedure, StepKind, Successor};
use chrono::{DateTime, Months, Utc};
use serde::{Deserialize, Serialize};

/// Where a walk stands, saved with every journal entry of the walk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WalkMark {
    pub procedure: String,
    /// The procedure's title and version ([`Procedure::version`]) when the walk was made;
    /// absent from marks written before they were kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Steps done, in order (ids).
    pub done: Vec<String>,
    /// The step to do now; `None` when the procedure is finished.
    pub current: Option<String>,
}

/// A walk in progress over a procedure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Walk {
    pub procedure: Procedure,
    pub done: Vec<usize>,
    pub current: Option<usize>,
}

/// What the operator did at the current step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Move {
    /// A say or check step confirmed.
    Confirm,
    /// An answer to a question.
    Answer(bool),
    /// A value recorded; for a secret step only the fact that it was given is kept. Empty
    /// is accepted on an optional step only.
    Record(String),
    /// The hand-off to another level confirmed.
    Escalate,
    /// Back to the previous step.
    Back,
}

/// What a move produces: the journal line and, for an escalation, its target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Effect {
    pub journal: String,
    pub escalated_to: Option<String>,
}

/// The CRYHOD password's validity as the desk reads it: guide 003 says « valable 1 mois »;
/// the day it ends is the desk's reading of « 1 mois » (see [`valid_until`]).
pub const CRYHOD_VALIDITY: &str = "valable 1 mois d'après le guide ; lecture du guichet : \
     jusqu'au même jour du mois suivant, ou au dernier jour de ce mois quand ce jour n'existe \
     pas (donné un 31 janvier : fin février)";

/// Until when a secret valid for `months` months given at `at` can be used. A month later
/// on the same day; when that day does not exist (given 31 January) the last day of the
/// shorter month (28 or 29 February): the password never outlives the month it promises.
pub fn valid_until(at: DateTime<Utc>, months: u32) -> DateTime<Utc> {
    at.checked_add_months(Months::new(months)).unwrap_or(at)
}

impl Walk {
    pub fn start(procedure: Procedure) -> Walk {
        let current = if procedure.steps.is_empty() {
            None
        } else {
            Some(0)
        };
        Walk {
            procedure,
            done: Vec::new(),
            current,
        }
    }

    /// Resumes from a saved mark; ids that no longer exist (the file changed since) end
    /// the walk rather than guess.
    pub fn resume(procedure: Procedure, mark: &WalkMark) -> Walk {
        let done = mark
            .done
            .iter()
            .filter_map(|id| procedure.step_index(id))
            .collect();
        let current = mark
            .current
            .as_deref()
            .and_then(|id| procedure.step_index(id));
        Walk {
            procedure,
            done,
            current,
        }
    }

    pub fn mark(&self) -> WalkMark {
        let id = |i: &usize| self.procedure.steps[*i].id.clone();
        WalkMark {
            procedure: self.procedure.slug.clone(),
            title: Some(self.procedure.title.clone()),
            version: Some(self.procedure.version()),
            done: self.done.iter().map(id).collect(),
            current: self.current.as_ref().map(id),
        }
    }

    pub fn is_finished(&self) -> bool {
        self.current.is_none()
    }

    /// The steps likely to come after the current one (following "yes" at questions),
    /// at most `n`, for the runner's "next" hint.
    pub fn upcoming(&self, n: usize) -> Vec<usize> {
        let mut out = Vec::new();
        let mut at = self.current;
        while let Some(i) = at {
            if out.len() == n {
                break;
            }
            let next = match self.procedure.steps[i].kind {
                StepKind::Ask { .. } => self.procedure.successor(i, Some(true)),
                _ => self.procedure.successor(i, None),
            };
            at = match next {
                Successor::Step(j) if !out.contains(&j) && Some(j) != self.current => {
                    out.push(j);
                    Some(j)
                }
                _ => None,
            };
        }
        out
    }

    /// Applies a move at time `at`. Returns `None` when the move does not fit the current
    /// step (an answer to a non-question, back at the first step...).
    pub fn apply(&mut self, mv: &Move, at: DateTime<Utc>) -> Option<Effect> {
        if *mv == Move::Back {
            let previous = self.done.pop()?;
            self.current = Some(previous);
            let step = &self.procedure.steps[previous];
            return Some(Effect {
                journal: format!(
                    "[{}] retour à l'étape {} : {}",
                    self.procedure.slug,
                    previous + 1,
                    whole(&step.text)
                ),
                escalated_to: None,
            });
        }
        let index = self.current?;
        let step = &self.procedure.steps[index];
        let slug = &self.procedure.slug;
        let n = index + 1;
        let (line, answer, escalated_to) = match (&step.kind, mv) {
            (StepKind::Say | StepKind::Check, Move::Confirm) => (
                format!("[{slug}] étape {n} faite : {}", whole(&step.text)),
                None,
                None,
            ),
            (StepKind::Ask { .. }, &Move::Answer(yes)) => (
                format!(
                    "[{slug}] étape {n} : {} → {}",
                    whole(&step.text),
                    if yes { "oui" } else { "non" }
                ),
                Some(yes),
                None,
            ),
            (
                StepKind::Record {
                    label,
                    secret,
                    valid_for_months,
                    optional,
                },
                Move::Record(value),
            ) => {
                // A secret's value is never put in the line: only that it was given.
                let value = value.trim();
                let line = if value.is_empty() {
                    if !*optional {
                        return None;
                    }
                    format!("[{slug}] {label} : non renseigné")
                } else if *secret {
                    let mut l = format!(
                        "[{slug}] {label} donné à l'appelant le {} (secret : jamais conservé)",
                        super::time::paris(at, "%d/%m/%Y à %H:%M")
                    );
                    if let Some(m) = valid_for_months {
                        l.push_str(&format!(
                            ", valable jusqu'au {}",
                            super::time::paris(valid_until(at, *m), "%d/%m/%Y à %H:%M")
                        ));
                    }
                    l
                } else {
                    format!("[{slug}] {label} : {value}")
                };
                (line, None, None)
            }
            (StepKind::Escalate { target }, Move::Escalate) => (
                format!("[{slug}] escaladé vers {target} : {}", whole(&step.text)),
                None,
                Some(target.clone()),
            ),
            _ => return None,
        };
        self.done.push(index);
        self.current = match self.procedure.successor(index, answer) {
            Successor::Step(j) => Some(j),
            Successor::End | Successor::Missing => None,
        };
        let mut journal = line;
        if self.current.is_none() {
            journal.push_str(" — procédure terminée");
        }
        Some(Effect {
            journal,
            escalated_to,
        })
    }
}

/// A step's text as the journal keeps it: whole (the second level reads what was said),
/// on one line; whoever shows it folds it to its width.
fn whole(text: &str) -> String {
    super::text::normalize_spaces(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::procedure::{Applies, Step};
    use chrono::TimeZone;

    fn record(id: &str, label: &str, optional: bool) -> Step {
        Step {
            id: id.into(),
            kind: StepKind::Record {
                label: label.into(),
                secret: false,
                valid_for_months: None,
                optional,
            },
            text: "Noter.".into(),
            next: None,
            end: false,
        }
    }

    fn two_records() -> Procedure {
        Procedure {
            slug: "essai".into(),
            title: "Essai".into(),
            summary: "Essai.".into(),
            services: Applies::All,
            devices: Applies::All,
            keywords: vec!["essai".into()],
            sources: vec![],
            editor_notes: None,
            tool: None,
            steps: vec![
                record("reference", "Référence du certificat", true),
                record("ticket", "Numéro de ticket", false),
            ],
        }
    }

    #[test]
    fn an_optional_record_accepts_an_empty_answer_and_says_so() {
        let at = Utc.with_ymd_and_hms(2026, 11, 23, 8, 41, 0).unwrap();
        let mut walk = Walk::start(two_records());
        let effect = walk.apply(&Move::Record("  ".into()), at).unwrap();
        assert_eq!(
            effect.journal,
            "[essai] Référence du certificat : non renseigné"
        );
        assert_eq!(walk.current, Some(1));
        // The step that is not optional still wants a value, and stays where it is.
        assert_eq!(walk.apply(&Move::Record(String::new()), at), None);
        assert_eq!(walk.current, Some(1));
        let effect = walk.apply(&Move::Record(" 4242 ".into()), at).unwrap();
        assert_eq!(
            effect.journal,
            "[essai] Numéro de ticket : 4242 — procédure terminée"
        );
        // An optional step given a value records it as any other.
        let mut walk = Walk::start(two_records());
        let effect = walk.apply(&Move::Record("CERT-17".into()), at).unwrap();
        assert_eq!(effect.journal, "[essai] Référence du certificat : CERT-17");
    }

    #[test]
    fn a_month_later_clamps_at_month_ends() {
        let at = |y, m, d| Utc.with_ymd_and_hms(y, m, d, 9, 0, 0).unwrap();
        assert_eq!(valid_until(at(2026, 11, 23), 1), at(2026, 12, 23));
        assert_eq!(valid_until(at(2027, 1, 31), 1), at(2027, 2, 28));
        assert_eq!(valid_until(at(2028, 1, 31), 1), at(2028, 2, 29));
        assert_eq!(valid_until(at(2026, 12, 31), 1), at(2027, 1, 31));
    }
}
