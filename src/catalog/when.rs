//! The `when`, `yes_when` and `no_when` tables of a procedure step, read and checked
//! (what needs the whole step graph, the values recorded before, is checked with it in
//! `Procedure::graph_problems`).

use crate::domain::condition::{Conditions, Test, ValueTest, When, milli};
use crate::domain::reference::Reference;
use serde::Deserialize;
use toml::Spanned;

/// One slug or a list of them: `service = "acn-caen"` or `service = ["mi", "mtes"]`.
#[derive(Deserialize)]
#[serde(untagged)]
pub(super) enum Slugs {
    One(String),
    Many(Vec<String>),
}

/// A bound as TOML writes it: `20` or `20.5`.
#[derive(Deserialize, Clone, Copy)]
#[serde(untagged)]
pub(super) enum Number {
    Int(i64),
    Float(f64),
}

impl Number {
    fn milli(self) -> Option<i64> {
        match self {
            Number::Int(n) => n.checked_mul(1000),
            Number::Float(f) => milli(f),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawWhen {
    #[serde(default)]
    service: Option<Slugs>,
    #[serde(default)]
    device: Option<Slugs>,
    #[serde(default)]
    value: Option<String>,
    #[serde(default)]
    above: Option<Number>,
    #[serde(default)]
    at_most: Option<Number>,
    #[serde(default)]
    reason: Option<String>,
}

/// The three conditions of a step as the file gives them.
#[derive(Default)]
pub(super) struct RawConditions<'a> {
    pub when: Option<&'a Spanned<RawWhen>>,
    pub yes_when: Option<&'a Spanned<RawWhen>>,
    pub no_when: Option<&'a Spanned<RawWhen>>,
}

/// The texts a condition holds, for the control-character check every text goes through.
pub(super) fn texts(raw: &RawConditions<'_>) -> Vec<(&'static str, String, usize)> {
    let mut out = Vec::new();
    for (key, w) in [
        ("when", raw.when),
        ("yes_when", raw.yes_when),
        ("no_when", raw.no_when),
    ] {
        let Some(w) = w else { continue };
        let at = w.span().start;
        let r = w.get_ref();
        for v in [&r.value, &r.reason].into_iter().flatten() {
            out.push((key, v.clone(), at));
        }
        for s in [&r.service, &r.device].into_iter().flatten() {
            match s {
                Slugs::One(one) => out.push((key, one.clone(), at)),
                Slugs::Many(many) => out.extend(many.iter().map(|m| (key, m.clone(), at))),
            }
        }
    }
    out
}

/// Reads a step's conditions; every problem comes with where it is in the file.
pub(super) fn read(
    raw: RawConditions<'_>,
    reference: &Reference,
) -> Result<Conditions, Vec<(usize, String)>> {
    let mut errors = Vec::new();
    let mut one = |key: &str, spanned: Option<&Spanned<RawWhen>>| -> Option<When> {
        let spanned = spanned?;
        let at = spanned.span().start;
        let r = spanned.get_ref();
        let mut slugs = |given: &Option<Slugs>, what: &str, known: &dyn Fn(&str) -> bool| {
            let list = match given {
                Some(Slugs::One(s)) => vec![s.clone()],
                Some(Slugs::Many(v)) => v.clone(),
                None => Vec::new(),
            };
            for s in &list {
                if !known(s) {
                    errors.push((at, format!("« {key} » : {what} inconnu « {s} »")));
                }
            }
            list
        };
        let service = slugs(&r.service, "service", &|s| reference.service(s).is_some());
        let device = slugs(&r.device, "poste", &|d| reference.device(d).is_some());
        let bound = |n: Option<Number>| n.map(|n| n.milli());
        let test = match (bound(r.above), bound(r.at_most)) {
            (Some(_), Some(_)) => {
                errors.push((
                    at,
                    format!("« {key} » : « above » ou « at_most », pas les deux"),
                ));
                None
            }
            (Some(None), _) | (_, Some(None)) => {
                errors.push((at, format!("« {key} » : borne hors limites")));
                None
            }
            (Some(Some(b)), None) => Some(Test::Above(b)),
            (None, Some(Some(b))) => Some(Test::AtMost(b)),
            (None, None) => Some(Test::Given),
        };
        let value = match (&r.value, test) {
            (Some(step), Some(test)) => Some(ValueTest {
                step: step.clone(),
                test,
            }),
            (None, Some(Test::Above(_) | Test::AtMost(_))) => {
                errors.push((
                    at,
                    format!("« {key} » : « above » et « at_most » comparent une valeur : donner « value »"),
                ));
                None
            }
            _ => None,
        };
        let bounded = r.above.is_some() || r.at_most.is_some();
        if service.is_empty() && device.is_empty() && r.value.is_none() && !bounded {
            errors.push((
                at,
                format!("« {key} » vide : donner « service », « device » ou « value »"),
            ));
        }
        if r.reason.as_ref().is_some_and(|t| t.trim().is_empty()) {
            errors.push((at, format!("« {key} » : « reason » est vide")));
        }
        Some(When {
            service,
            device,
            value,
            reason: r.reason.clone(),
        })
    };
    let conditions = Conditions {
        when: one("when", raw.when),
        yes_when: one("yes_when", raw.yes_when),
        no_when: one("no_when", raw.no_when),
    };
    if errors.is_empty() {
        Ok(conditions)
    } else {
        Err(errors)
    }
}
