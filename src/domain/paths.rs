//! Every path through a procedure's step graph with its end, for the reviewers of a
//! procedure (`guichet procedures simulate`): which answers lead where, what the caller is
//! told last, where an escalation sends the call. A path that comes back to a step it
//! already went through stops there, marked as a loop: a cycle is listed once, never
//! unrolled.

use super::condition;
use super::procedure::{Procedure, StepKind, Successor};
use super::reference::Reference;
use serde::Serialize;

/// One step on a path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PathStep {
    /// The step's number in the file, from 1 (as `procedures show` numbers it).
    pub number: usize,
    pub id: String,
    /// `say`, `ask`, `check`, `record` or `escalate`.
    pub kind: &'static str,
    /// The kind in French (« question »), as `procedures show` writes it.
    #[serde(skip)]
    pub kind_label: &'static str,
    /// The answer taken on this path, for a question.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answer: Option<bool>,
    /// Where an escalation sends the call, for an `escalate` step the path goes on after.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// What the call may decide here, in words: « seulement si … (sinon sautée) » for a
    /// `when`, « d'office si … » for the answer's `yes_when` / `no_when`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
}

/// How a path ends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum PathEnd {
    /// The procedure ends; `said` is the text of its last step.
    End { said: String },
    /// The procedure ends on an escalation: where the call goes and what is passed on.
    Escalate { target: String, said: String },
    /// The path comes back to a step already on it (number from 1, id): the cycle is
    /// listed once.
    Loop { number: usize, id: String },
    /// A target naming no step (`procedures lint` refuses it; shown, not hidden).
    Unknown { said: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Path {
    pub steps: Vec<PathStep>,
    pub end: PathEnd,
}

/// The paths of a procedure, in the order of the file (a question's « oui » first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Paths {
    pub slug: String,
    pub title: String,
    pub paths: Vec<Path>,
    /// False when there were more than the limit: only the first ones are listed.
    pub complete: bool,
}

/// The paths of `procedure` from its first step, at most `limit` of them (a graph of
/// questions in a row doubles its paths at each one).
pub fn paths(procedure: &Procedure, reference: &Reference, limit: usize) -> Paths {
    let mut out = Paths {
        slug: procedure.slug.clone(),
        title: procedure.title.clone(),
        paths: Vec::new(),
        complete: true,
    };
    if !procedure.steps.is_empty() {
        let mut walker = Walker {
            procedure,
            reference,
            limit,
            on_path: vec![false; procedure.steps.len()],
            steps: Vec::new(),
            out: &mut out,
        };
        walker.from(0);
    }
    out
}

struct Walker<'a> {
    procedure: &'a Procedure,
    reference: &'a Reference,
    limit: usize,
    on_path: Vec<bool>,
    steps: Vec<PathStep>,
    out: &'a mut Paths,
}

impl Walker<'_> {
    fn from(&mut self, index: usize) {
        let step = &self.procedure.steps[index];
        let answers: &[Option<bool>] = match step.kind {
            StepKind::Ask { .. } => &[Some(true), Some(false)],
            _ => &[None],
        };
        self.on_path[index] = true;
        for &answer in answers {
            if self.out.paths.len() >= self.limit {
                self.out.complete = false;
                break;
            }
            self.steps.push(self.path_step(index, answer));
            match self.procedure.successor(index, answer) {
                Successor::Step(next) if self.on_path[next] => {
                    let end = PathEnd::Loop {
                        number: next + 1,
                        id: self.procedure.steps[next].id.clone(),
                    };
                    self.finish(end);
                }
                Successor::Step(next) => self.from(next),
                Successor::End => {
                    let said = step.text.clone();
                    let end = match &step.kind {
                        StepKind::Escalate { target } => PathEnd::Escalate {
                            target: target.clone(),
                            said,
                        },
                        _ => PathEnd::End { said },
                    };
                    // The end says where the call goes: not said twice on the step.
                    if let Some(last) = self.steps.last_mut() {
                        last.target = None;
                    }
                    self.finish(end);
                }
                Successor::Missing => self.finish(PathEnd::Unknown {
                    said: step.text.clone(),
                }),
            }
            self.steps.pop();
        }
        self.on_path[index] = false;
    }

    fn finish(&mut self, end: PathEnd) {
        self.out.paths.push(Path {
            steps: self.steps.clone(),
            end,
        });
    }

    fn path_step(&self, index: usize, answer: Option<bool>) -> PathStep {
        let p = self.procedure;
        let step = &p.steps[index];
        let number = |id: &str| p.step_index(id).map(|i| i + 1);
        let said = |w| condition::describe(w, &number, self.reference);
        let c = &step.conditions;
        let condition = match answer {
            None => c
                .when
                .as_ref()
                .map(|w| format!("seulement si {} (sinon sautée)", said(w))),
            Some(true) => c
                .yes_when
                .as_ref()
                .map(|w| format!("d'office si {}", said(w))),
            Some(false) => c
                .no_when
                .as_ref()
                .map(|w| format!("d'office si {}", said(w))),
        };
        PathStep {
            number: index + 1,
            id: step.id.clone(),
            kind: step.kind.slug(),
            kind_label: step.kind.label(),
            answer,
            target: match &step.kind {
                StepKind::Escalate { target } => Some(target.clone()),
                _ => None,
            },
            condition,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::procedure::Step;

    fn step(id: &str, kind: StepKind, next: Option<&str>) -> Step {
        Step {
            id: id.into(),
            kind,
            text: format!("Texte de {id}."),
            next: next.map(String::from),
            end: false,
            conditions: Default::default(),
        }
    }

    fn ask(yes: &str, no: &str) -> StepKind {
        StepKind::Ask {
            yes: yes.into(),
            no: no.into(),
        }
    }

    fn procedure(steps: Vec<Step>) -> Procedure {
        Procedure::essai(steps)
    }

    #[test]
    fn a_cycle_ends_its_path_once_marked_and_the_way_out_is_listed() {
        // a: question, oui → b, non → fin ; b goes back to a.
        let mut end = step("fin", StepKind::Say, None);
        end.end = true;
        let p = procedure(vec![
            step("a", ask("b", "fin"), None),
            step("b", StepKind::Say, Some("a")),
            end,
        ]);
        let reference = crate::catalog::embedded_reference();
        let found = paths(&p, &reference, 100);
        assert!(found.complete);
        assert_eq!(found.paths.len(), 2);
        assert_eq!(
            found.paths[0].end,
            PathEnd::Loop {
                number: 1,
                id: "a".into()
            }
        );
        let ids: Vec<&str> = found.paths[0].steps.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["a", "b"]);
        assert_eq!(found.paths[0].steps[0].answer, Some(true));
        assert_eq!(
            found.paths[1].end,
            PathEnd::End {
                said: "Texte de fin.".into()
            }
        );
    }

    #[test]
    fn the_limit_stops_the_listing_and_says_so() {
        // Ten questions in a row: 1,024 paths.
        let mut steps: Vec<Step> = (0..10)
            .map(|i| {
                let next = format!("q{}", i + 1);
                step(&format!("q{i}"), ask(&next, &next), None)
            })
            .collect();
        steps.push(step("q10", StepKind::Say, None));
        let reference = crate::catalog::embedded_reference();
        let all = paths(&procedure(steps.clone()), &reference, 2000);
        assert_eq!((all.paths.len(), all.complete), (1024, true));
        let some = paths(&procedure(steps), &reference, 100);
        assert_eq!((some.paths.len(), some.complete), (100, false));
    }
}
