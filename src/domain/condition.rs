//! Conditions on the call (`when` in a procedure file): what the call already says (its
//! service, its device) or a value recorded earlier in the walk decides a step, so that
//! the operator does not ask the caller what the call already answers.
//!
//! A condition holds, fails, or cannot be told (a value not recorded, or not a number):
//! a condition that cannot be told decides nothing and the step is walked as before.

use serde::{Deserialize, Serialize};

/// One condition: every part given must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct When {
    /// The call's service is one of these (none given: any).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub service: Vec<String>,
    /// The call's device is one of these (none given: any).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub device: Vec<String>,
    /// A value recorded earlier in the walk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<ValueTest>,
    /// What the journal says when the condition decides (« périmètre : Rouen »); without
    /// it, the service, device or value that decided.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// A test on the value a `record` step took. In JSON as the file writes it:
/// `{"step": "releve-go", "above": 20}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueTest {
    /// The id of the `record` step.
    pub step: String,
    pub test: Test,
}

impl Serialize for ValueTest {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("step", &self.step)?;
        match self.test {
            Test::Given => {}
            Test::Above(b) => map.serialize_entry("above", &(b as f64 / 1000.0))?,
            Test::AtMost(b) => map.serialize_entry("at_most", &(b as f64 / 1000.0))?,
        }
        map.end()
    }
}

/// Read back as [`Serialize`] writes it (the store keeps procedures in JSON).
impl<'de> Deserialize<'de> for ValueTest {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Raw {
            step: String,
            above: Option<f64>,
            at_most: Option<f64>,
        }
        let raw = Raw::deserialize(d)?;
        let bound = |b: f64| milli(b).ok_or_else(|| serde::de::Error::custom("borne hors limites"));
        let test = match (raw.above, raw.at_most) {
            (None, None) => Test::Given,
            (Some(b), None) => Test::Above(bound(b)?),
            (None, Some(b)) => Test::AtMost(bound(b)?),
            (Some(_), Some(_)) => {
                return Err(serde::de::Error::custom("above ou at_most, pas les deux"));
            }
        };
        Ok(ValueTest {
            step: raw.step,
            test,
        })
    }
}

/// Bounds are kept in thousandths, so that a procedure stays comparable (`Eq`) and
/// 20,5 is exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Test {
    /// A value was given (not left empty).
    Given,
    /// A number strictly above the bound.
    Above(i64),
    /// A number at most the bound.
    AtMost(i64),
}

/// The conditions a step may carry: on the step itself (not a question), or on each
/// answer of a question.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conditions {
    /// The step is walked only when this holds; when it fails, it is skipped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<When>,
    /// The question is answered « oui » when this holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub yes_when: Option<When>,
    /// The question is answered « non » when this holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_when: Option<When>,
}

impl Conditions {
    pub fn is_empty(&self) -> bool {
        self.when.is_none() && self.yes_when.is_none() && self.no_when.is_none()
    }

    /// Every condition, with the key it is written under.
    pub fn all(&self) -> impl Iterator<Item = (&'static str, &When)> {
        [
            ("when", &self.when),
            ("yes_when", &self.yes_when),
            ("no_when", &self.no_when),
        ]
        .into_iter()
        .filter_map(|(k, w)| w.as_ref().map(|w| (k, w)))
    }
}

/// What the call says, with the names the journal gives its service and device.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    pub service: String,
    pub service_name: String,
    pub device: String,
    pub device_name: String,
}

impl Facts {
    /// What `call` says, named as the desk's reference names its service and device.
    pub fn of(call: &super::call::Call, reference: &super::reference::Reference) -> Facts {
        Facts {
            service: call.service.clone(),
            service_name: reference.service_short(&call.service).to_string(),
            device: call.device.clone(),
            device_name: reference.device_short(&call.device).to_string(),
        }
    }
}

/// A value recorded in the walk: what was typed, under which label, at which step number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded<'a> {
    pub value: &'a str,
    pub label: &'a str,
    pub number: usize,
}

/// Whether a condition holds, with what the journal says about it; or that it cannot be
/// told. See [`decide`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Holds(String),
    Fails(String),
    Unknown,
}

/// Thousandths of a bound written in a file (20, 20.5).
pub fn milli(bound: f64) -> Option<i64> {
    let m = (bound * 1000.0).round();
    (m.is_finite() && m.abs() < 1e15).then_some(m as i64)
}

/// A number written the French way or not (« 23,4 », « 23.4 Go », « 12 »), in
/// thousandths: the first number of the text.
pub fn number_in(text: &str) -> Option<i64> {
    let start = text.find(|c: char| c.is_ascii_digit())?;
    let rest = &text[start..];
    let end = rest
        .char_indices()
        .find(|&(i, c)| {
            !(c.is_ascii_digit()
                || ((c == ',' || c == '.')
                    && rest[i + 1..].starts_with(|d: char| d.is_ascii_digit())))
        })
        .map_or(rest.len(), |(i, _)| i);
    let n: f64 = rest[..end].replace(',', ".").parse().ok()?;
    // A minus sign before the number makes it negative: "-3" is below any positive bound.
    let negative = text[..start].trim_end().ends_with('-');
    milli(if negative { -n } else { n })
}

/// A bound in thousandths as the journal writes it: « 20 », « 20,5 ».
pub fn show_milli(m: i64) -> String {
    let whole = m / 1000;
    let frac = (m % 1000).abs();
    if frac == 0 {
        whole.to_string()
    } else {
        format!("{whole},{}", format!("{frac:03}").trim_end_matches('0'))
    }
}

/// A condition in words, for `procedures show`: « service Acad. Caen (périmètre :
/// Caen) », « étape 4 notée plus de 20 ».
/// `number` gives a step's number from its id.
pub fn describe(
    when: &When,
    number: &dyn Fn(&str) -> Option<usize>,
    reference: &super::reference::Reference,
) -> String {
    let mut parts = Vec::new();
    let names = |slugs: &[String], name: &dyn Fn(&str) -> String| {
        slugs
            .iter()
            .map(|s| name(s))
            .collect::<Vec<_>>()
            .join(" ou ")
    };
    if !when.service.is_empty() {
        let name = |s: &str| reference.service_short(s).to_string();
        parts.push(format!("service {}", names(&when.service, &name)));
    }
    if !when.device.is_empty() {
        let name = |d: &str| reference.device_short(d).to_string();
        parts.push(format!("poste {}", names(&when.device, &name)));
    }
    if let Some(test) = &when.value {
        let step = number(&test.step).map_or_else(|| test.step.clone(), |n| format!("étape {n}"));
        parts.push(match test.test {
            Test::Given => format!("{step} renseignée"),
            Test::Above(b) => format!("{step} notée plus de {}", show_milli(b)),
            Test::AtMost(b) => format!("{step} notée {} au plus", show_milli(b)),
        });
    }
    let mut out = parts.join(" et ");
    if let Some(reason) = &when.reason {
        out.push_str(&format!(" ({reason})"));
    }
    out
}

/// Decides `when` on the call's facts and the values recorded so far (by step id).
pub fn decide<'a>(
    when: &When,
    facts: &Facts,
    recorded: &dyn Fn(&str) -> Option<Recorded<'a>>,
) -> Verdict {
    let mut why: Vec<String> = Vec::new();
    let mut from_call = false;
    let mut from_step = None;
    if !when.service.is_empty() {
        if !when.service.contains(&facts.service) {
            return Verdict::Fails(format!("service : {}, d'après l'appel", facts.service_name));
        }
        why.push(format!("service : {}", facts.service_name));
        from_call = true;
    }
    if !when.device.is_empty() {
        if !when.device.contains(&facts.device) {
            return Verdict::Fails(format!("poste : {}, d'après l'appel", facts.device_name));
        }
        why.push(format!("poste : {}", facts.device_name));
        from_call = true;
    }
    if let Some(test) = &when.value {
        let Some(r) = recorded(&test.step) else {
            return Verdict::Unknown;
        };
        let shown = format!("{} : {}", r.label, r.value.trim());
        let holds = match test.test {
            Test::Given => !r.value.trim().is_empty(),
            Test::Above(b) => match number_in(r.value) {
                Some(n) => n > b,
                None => return Verdict::Unknown,
            },
            Test::AtMost(b) => match number_in(r.value) {
                Some(n) => n <= b,
                None => return Verdict::Unknown,
            },
        };
        let said = match test.test {
            Test::Given => shown,
            Test::Above(b) if holds => format!("{shown}, plus de {}", show_milli(b)),
            Test::AtMost(b) if holds => format!("{shown}, {} au plus", show_milli(b)),
            Test::Above(b) => format!("{shown}, {} au plus", show_milli(b)),
            Test::AtMost(b) => format!("{shown}, plus de {}", show_milli(b)),
        };
        if !holds {
            return Verdict::Fails(format!("{said}, noté à l'étape {}", r.number));
        }
        why.push(said);
        from_step = Some(r.number);
    }
    let mut line = match &when.reason {
        Some(reason) => reason.clone(),
        None => why.join(", "),
    };
    if from_call {
        line.push_str(", d'après l'appel");
    }
    if let Some(n) = from_step {
        line.push_str(&format!(", noté à l'étape {n}"));
    }
    Verdict::Holds(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rouen() -> Facts {
        Facts {
            service: "acn-rouen".into(),
            service_name: "Acad. Rouen".into(),
            device: "pc-pro".into(),
            device_name: "PC pro".into(),
        }
    }

    fn none<'a>(_: &str) -> Option<Recorded<'a>> {
        None
    }

    #[test]
    fn a_value_test_goes_through_json_as_written() {
        for test in [Test::Given, Test::Above(20_000), Test::AtMost(20_500)] {
            let v = ValueTest {
                step: "releve-go".into(),
                test,
            };
            let json = serde_json::to_string(&v).unwrap();
            assert_eq!(
                serde_json::from_str::<ValueTest>(&json).unwrap(),
                v,
                "{json}"
            );
        }
    }

    #[test]
    fn numbers_are_read_the_french_way() {
        assert_eq!(number_in("23,4"), Some(23_400));
        assert_eq!(number_in(" 23.4 Go"), Some(23_400));
        assert_eq!(number_in("20"), Some(20_000));
        assert_eq!(number_in("environ 12 Go."), Some(12_000));
        assert_eq!(number_in("-3"), Some(-3_000));
        assert_eq!(number_in("beaucoup"), None);
        assert_eq!(show_milli(20_000), "20");
        assert_eq!(show_milli(20_500), "20,5");
        assert_eq!(milli(20.5), Some(20_500));
    }

    #[test]
    fn the_call_decides_with_its_reason() {
        let caen = When {
            service: vec!["acn-caen".into()],
            reason: Some("périmètre : Caen".into()),
            ..When::default()
        };
        let rouen_when = When {
            service: vec!["acn-rouen".into()],
            reason: Some("périmètre : Rouen".into()),
            ..When::default()
        };
        assert!(matches!(decide(&caen, &rouen(), &none), Verdict::Fails(_)));
        assert_eq!(
            decide(&rouen_when, &rouen(), &none),
            Verdict::Holds("périmètre : Rouen, d'après l'appel".into())
        );
        let device = When {
            device: vec!["pc-pro".into()],
            ..When::default()
        };
        assert_eq!(
            decide(&device, &rouen(), &none),
            Verdict::Holds("poste : PC pro, d'après l'appel".into())
        );
    }

    #[test]
    fn a_recorded_value_decides_or_tells_nothing() {
        let over = When {
            value: Some(ValueTest {
                step: "releve-go".into(),
                test: Test::Above(20_000),
            }),
            ..When::default()
        };
        let typed = |v: &'static str| {
            move |id: &str| {
                (id == "releve-go").then_some(Recorded {
                    value: v,
                    label: "Consommation (Go)",
                    number: 4,
                })
            }
        };
        assert_eq!(
            decide(&over, &rouen(), &typed("23,4")),
            Verdict::Holds("Consommation (Go) : 23,4, plus de 20, noté à l'étape 4".into())
        );
        assert!(matches!(
            decide(&over, &rouen(), &typed("20")),
            Verdict::Fails(_)
        ));
        assert_eq!(
            decide(&over, &rouen(), &typed("je ne sais pas")),
            Verdict::Unknown
        );
        assert_eq!(decide(&over, &rouen(), &none), Verdict::Unknown);
    }
}
