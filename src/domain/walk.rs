//! Walking a procedure on a call: where the walk stands, and what each move writes in the
//! journal. Pure: the console applies the moves, the store keeps the entries.

use super::condition::{Facts, Recorded, Verdict, decide};
use super::procedure::{Procedure, StepKind, Successor};
use chrono::{DateTime, Months, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Where a walk stands, saved with every journal entry of the walk.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WalkMark {
    pub procedure: String,
    /// The procedure's title and version ([`Procedure::version`]) when the walk was made;
    /// absent from marks written before they were kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Steps done, in order (ids), skipped ones included.
    pub done: Vec<String>,
    /// The step to do now; `None` when the procedure is finished.
    pub current: Option<String>,
    /// The values recorded so far, by step id: never a secret's (the journal line already
    /// holds each of them). Kept so that a resumed walk still knows what was typed.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub values: BTreeMap<String, String>,
    /// The steps the call or a recorded value answered, by id, with why.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub skipped: BTreeMap<String, String>,
}

/// A walk in progress over a procedure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Walk {
    pub procedure: Procedure,
    pub done: Vec<usize>,
    pub current: Option<usize>,
    /// The values recorded so far, by step index (never a secret's).
    pub values: BTreeMap<usize, String>,
    /// The steps done that were skipped, by step index, with why (« périmètre : Rouen,
    /// d'après l'appel »).
    pub skipped: BTreeMap<usize, String>,
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
            values: BTreeMap::new(),
            skipped: BTreeMap::new(),
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
        let by_index = |map: &BTreeMap<String, String>| {
            map.iter()
                .filter_map(|(id, v)| procedure.step_index(id).map(|i| (i, v.clone())))
                .collect()
        };
        let values = by_index(&mark.values);
        let skipped = by_index(&mark.skipped);
        Walk {
            procedure,
            done,
            current,
            values,
            skipped,
        }
    }

    pub fn mark(&self) -> WalkMark {
        let id = |i: &usize| self.procedure.steps[*i].id.clone();
        let by_id =
            |map: &BTreeMap<usize, String>| map.iter().map(|(i, v)| (id(i), v.clone())).collect();
        WalkMark {
            procedure: self.procedure.slug.clone(),
            title: Some(self.procedure.title.clone()),
            version: Some(self.procedure.version()),
            done: self.done.iter().map(id).collect(),
            current: self.current.as_ref().map(id),
            values: by_id(&self.values),
            skipped: by_id(&self.skipped),
        }
    }

    /// The value recorded at the step `id` in this walk, with its label and step number.
    pub fn recorded(&self, id: &str) -> Option<Recorded<'_>> {
        let index = self.procedure.step_index(id)?;
        let value = self.values.get(&index)?;
        match &self.procedure.steps[index].kind {
            StepKind::Record { label, .. } => Some(Recorded {
                value,
                label,
                number: index + 1,
            }),
            _ => None,
        }
    }

    /// The last value recorded in this walk that `tool` takes, to offer it there rather
    /// than have it typed twice.
    pub fn offered(&self, tool: super::tool::ToolKind) -> Option<&str> {
        self.done
            .iter()
            .rev()
            .filter_map(|i| self.values.get(i))
            .map(String::as_str)
            .find(|v| tool.accepts(v))
    }

    /// Whether what the call says or what was recorded decides the step `index`: the
    /// answer it gives a question (`Some(yes)`), or `None` for a step skipped; with why.
    fn decided(&self, index: usize, facts: &Facts) -> Option<(Option<bool>, String)> {
        let step = &self.procedure.steps[index];
        let c = &step.conditions;
        let verdict = |w| decide(w, facts, &|id: &str| self.recorded(id));
        if let StepKind::Ask { .. } = step.kind {
            for (when, answer) in [(&c.yes_when, true), (&c.no_when, false)] {
                if let Some(Verdict::Holds(why)) = when.as_ref().map(verdict) {
                    return Some((Some(answer), why));
                }
            }
            return None;
        }
        match c.when.as_ref().map(verdict) {
            Some(Verdict::Fails(why)) => Some((None, why)),
            _ => None,
        }
    }

    /// Skips, from the current step on, the steps that the call or the values recorded
    /// already answer: a question is answered for the operator, a step whose `when` fails
    /// is passed. Returns one journal line per step skipped, saying why.
    pub fn settle(&mut self, facts: &Facts) -> Vec<String> {
        let mut lines = Vec::new();
        // A loop of skipped steps is cut after one pass over the steps.
        for _ in 0..self.procedure.steps.len() {
            let Some(index) = self.current else { break };
            let Some((answer, why)) = self.decided(index, facts) else {
                break;
            };
            let step = &self.procedure.steps[index];
            let mut line = format!(
                "[{}] étape {} sautée ({why}) : {}",
                self.procedure.slug,
                index + 1,
                whole(&step.text)
            );
            if let Some(yes) = answer {
                line.push_str(if yes { " → oui" } else { " → non" });
            }
            self.done.push(index);
            self.skipped.insert(index, why);
            self.current = match self.procedure.successor(index, answer) {
                Successor::Step(j) => Some(j),
                Successor::End | Successor::Missing => None,
            };
            lines.push(line);
        }
        if self.current.is_none()
            && let Some(last) = lines.last_mut()
        {
            last.push_str(" — procédure terminée");
        }
        lines
    }

    pub fn is_finished(&self) -> bool {
        self.current.is_none()
    }

    /// The steps likely to come after the current one (following "yes" at questions, or
    /// the answer the call gives; passing the steps it skips), at most `n`, for the
    /// runner's "next" hint.
    pub fn upcoming(&self, n: usize, facts: &Facts) -> Vec<usize> {
        let mut out = Vec::new();
        let mut at = self.current;
        let mut seen = Vec::new();
        while let Some(i) = at {
            if out.len() == n || seen.contains(&i) {
                break;
            }
            seen.push(i);
            let decided = (Some(i) != self.current)
                .then(|| self.decided(i, facts))
                .flatten();
            if Some(i) != self.current && decided.is_none() {
                out.push(i);
            }
            let answer = match (&self.procedure.steps[i].kind, decided) {
                (_, Some((answer, _))) => answer,
                (StepKind::Ask { .. }, None) => Some(true),
                _ => None,
            };
            at = match self.procedure.successor(i, answer) {
                Successor::Step(j) => Some(j),
                _ => None,
            };
        }
        out
    }

    /// Applies a move at time `at`. Returns `None` when the move does not fit the current
    /// step (an answer to a non-question, back at the first step...).
    pub fn apply(&mut self, mv: &Move, at: DateTime<Utc>) -> Option<Effect> {
        if *mv == Move::Back {
            // Back over the steps skipped for the operator, to the last one they did.
            let at = self
                .done
                .iter()
                .rposition(|i| !self.skipped.contains_key(i))?;
            let previous = self.done[at];
            for i in self.done.split_off(at) {
                self.skipped.remove(&i);
                self.values.remove(&i);
            }
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
        let mut recorded = None;
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
                    recorded = Some(value.to_string());
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
        match recorded {
            Some(value) => self.values.insert(index, value),
            None => self.values.remove(&index),
        };
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
    use crate::domain::procedure::Step;
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
            conditions: Default::default(),
        }
    }

    fn two_records() -> Procedure {
        Procedure::essai(vec![
            record("reference", "Référence du certificat", true),
            record("ticket", "Numéro de ticket", false),
        ])
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

    /// A question the call answers, then Back, then a walk resumed from its mark.
    #[test]
    fn a_skip_is_walked_back_over_and_survives_a_resume() {
        use crate::domain::condition::{Facts, When};
        let at = Utc.with_ymd_and_hms(2026, 11, 23, 8, 41, 0).unwrap();
        let mut p = two_records();
        p.steps.insert(
            1,
            Step {
                id: "caen".into(),
                kind: StepKind::Ask {
                    yes: "ticket".into(),
                    no: "ticket".into(),
                },
                text: "Caen ?".into(),
                next: None,
                end: false,
                conditions: crate::domain::condition::Conditions {
                    no_when: Some(When {
                        service: vec!["acn-rouen".into()],
                        ..When::default()
                    }),
                    ..Default::default()
                },
            },
        );
        let facts = Facts {
            service: "acn-rouen".into(),
            service_name: "Acad. Rouen".into(),
            ..Facts::default()
        };
        let mut walk = Walk::start(p.clone());
        walk.apply(&Move::Record("CERT-17".into()), at).unwrap();
        assert_eq!(
            walk.settle(&facts),
            ["[essai] étape 2 sautée (service : Acad. Rouen, d'après l'appel) : Caen ? → non"]
        );
        assert_eq!(walk.current, Some(2));
        let mark = walk.mark();
        assert_eq!(mark.values["reference"], "CERT-17");
        let resumed = Walk::resume(p.clone(), &mark);
        assert_eq!(resumed, walk);
        // Back passes the skipped step, to the one the operator did; its value goes.
        let effect = walk.apply(&Move::Back, at).unwrap();
        assert!(
            effect.journal.contains("retour à l'étape 1"),
            "{}",
            effect.journal
        );
        assert_eq!(walk.current, Some(0));
        assert!(walk.skipped.is_empty() && walk.values.is_empty() && walk.done.is_empty());
        assert_eq!(walk.apply(&Move::Back, at), None);
        // An old mark, without values or skips, reads as before.
        let old: WalkMark =
            serde_json::from_str(r#"{"procedure":"essai","done":["reference"],"current":"caen"}"#)
                .unwrap();
        let w = Walk::resume(p, &old);
        assert_eq!(w.current, Some(1));
        assert!(w.values.is_empty());
    }
}
