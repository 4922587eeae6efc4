//! Scripted procedures: a small graph of steps the operator walks with the caller.

use serde::{Deserialize, Serialize};

/// Which services or devices a procedure is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applies {
    /// `["*"]` in the file.
    All,
    Only(Vec<String>),
}

/// Read back as written: `"*"`, or a list of slugs.
impl<'de> Deserialize<'de> for Applies {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            All(String),
            Only(Vec<String>),
        }
        match Raw::deserialize(d)? {
            Raw::All(s) if s == "*" => Ok(Applies::All),
            Raw::All(s) => Err(serde::de::Error::custom(format!("« {s} » : attendu \"*\""))),
            Raw::Only(list) => Ok(Applies::Only(list)),
        }
    }
}

/// In JSON: `"*"` for every one, else the list of slugs.
impl Serialize for Applies {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Applies::All => s.serialize_str("*"),
            Applies::Only(list) => list.serialize(s),
        }
    }
}

impl Applies {
    pub fn includes(&self, slug: &str) -> bool {
        match self {
            Applies::All => true,
            Applies::Only(list) => list.iter().any(|s| s == slug),
        }
    }

    pub fn slugs(&self) -> Vec<&str> {
        match self {
            Applies::All => vec!["*"],
            Applies::Only(list) => list.iter().map(String::as_str).collect(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum StepKind {
    /// What the operator says or has the caller do.
    Say,
    /// A yes/no question; each answer leads to a step.
    Ask { yes: String, no: String },
    /// What the operator verifies before going on.
    Check,
    /// A value captured on the call. A secret one is never written anywhere; an optional
    /// one may be left empty.
    Record {
        label: String,
        secret: bool,
        valid_for_months: Option<u32>,
        optional: bool,
    },
    /// The call goes to another level.
    Escalate { target: String },
}

impl StepKind {
    pub fn slug(&self) -> &'static str {
        match self {
            StepKind::Say => "say",
            StepKind::Ask { .. } => "ask",
            StepKind::Check => "check",
            StepKind::Record { .. } => "record",
            StepKind::Escalate { .. } => "escalate",
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            StepKind::Say => "dire",
            StepKind::Ask { .. } => "question",
            StepKind::Check => "vérifier",
            StepKind::Record { .. } => "noter",
            StepKind::Escalate { .. } => "escalader",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub id: String,
    #[serde(flatten)]
    pub kind: StepKind,
    pub text: String,
    /// Explicit successor; `None` means the next step in the file.
    pub next: Option<String>,
    /// Ends the procedure here.
    pub end: bool,
    /// What the call or the walk so far may decide about this step (`when`, `yes_when`,
    /// `no_when` in the file); empty for a step always walked.
    #[serde(flatten, default)]
    pub conditions: super::condition::Conditions,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    pub seed: String,
    pub section: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Procedure {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub services: Applies,
    pub devices: Applies,
    pub keywords: Vec<String>,
    pub sources: Vec<Source>,
    pub editor_notes: Option<String>,
    /// The desk tool the procedure calls for (`tool = "printer"` in the file), which the
    /// console offers while the procedure is walked.
    pub tool: Option<super::tool::ToolKind>,
    /// The version its authors give it (`version = "2.1"` in the file), if any: it
    /// leads [`Procedure::version`], before the hash of the content.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    pub steps: Vec<Step>,
    /// Who maintains the procedure (`owner` in the file: a name or a mail), to whom its
    /// figures and flags go. Not part of its [`version`](Procedure::version).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
}

/// Where a step leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Successor {
    Step(usize),
    End,
    /// A target that names no step (the linter reports it; the runner stops).
    Missing,
}

/// What [`Procedure::version`] hashes: the content, printed as the procedure was before
/// fields that are not content (the authors' version, an owner) were added to it, so that
/// the walks already journaled keep the version they were made with.
mod hashed {
    use super::{Applies, Source, Step};
    use crate::domain::tool::ToolKind;

    // Its fields are read by `Debug` only: the text hashed.
    #[derive(Debug)]
    #[allow(dead_code)]
    pub(super) struct Procedure<'a> {
        slug: &'a String,
        title: &'a String,
        summary: &'a String,
        services: &'a Applies,
        devices: &'a Applies,
        keywords: &'a Vec<String>,
        sources: &'a Vec<Source>,
        editor_notes: &'a Option<String>,
        tool: &'a Option<ToolKind>,
        steps: &'a Vec<Step>,
    }

    impl<'a> Procedure<'a> {
        pub(super) fn of(p: &'a super::Procedure) -> Procedure<'a> {
            Procedure {
                slug: &p.slug,
                title: &p.title,
                summary: &p.summary,
                services: &p.services,
                devices: &p.devices,
                keywords: &p.keywords,
                sources: &p.sources,
                editor_notes: &p.editor_notes,
                tool: &p.tool,
                steps: &p.steps,
            }
        }
    }
}

/// FNV-1a, 64 bits: stable across builds and machines, cheap on a folder of files.
pub(crate) struct Fnv(u64);

impl Fnv {
    pub(crate) fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    pub(crate) fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 ^= u64::from(*byte);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }

    pub(crate) fn finish(&self, count: usize) -> String {
        format!("{:016x}-{count}", self.0)
    }
}

impl Procedure {
    /// A procedure « essai » for every service and device with these steps: the tests'
    /// one fixture.
    #[cfg(test)]
    pub(crate) fn essai(steps: Vec<Step>) -> Procedure {
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
            version: None,
            owner: None,
            steps,
        }
    }

    /// Which text of the procedure was followed: eight hex digits of a hash of all it
    /// says (title, steps, sources...), after the authors' version when the file gives one
    /// (`2.1+3fa4b2c1`). Any change to the file's content changes it; the ticket gives it
    /// so that the second level reads the same text the operator read, and the figures of
    /// `report procedures` are per version.
    pub fn version(&self) -> String {
        let mut h = Fnv::new();
        h.write(format!("{:?}", hashed::Procedure::of(self)).as_bytes());
        let hash = &h.finish(0)[..8];
        match &self.version {
            Some(authors) => format!("{authors}+{hash}"),
            None => hash.to_string(),
        }
    }

    pub fn step_index(&self, id: &str) -> Option<usize> {
        self.steps.iter().position(|s| s.id == id)
    }

    fn target(&self, id: &str) -> Successor {
        self.step_index(id)
            .map_or(Successor::Missing, Successor::Step)
    }

    /// The step after `index` for a non-question step, or after `answer` to a question.
    pub fn successor(&self, index: usize, answer: Option<bool>) -> Successor {
        let step = &self.steps[index];
        match (&step.kind, answer) {
            (StepKind::Ask { yes, .. }, Some(true)) => self.target(yes),
            (StepKind::Ask { no, .. }, Some(false)) => self.target(no),
            (StepKind::Ask { .. }, None) => Successor::Missing,
            _ if step.end => Successor::End,
            _ => match &step.next {
                Some(id) => self.target(id),
                None if index + 1 < self.steps.len() => Successor::Step(index + 1),
                None => Successor::End,
            },
        }
    }

    /// Every successor of a step (both answers of a question).
    pub fn successors(&self, index: usize) -> Vec<Successor> {
        match self.steps[index].kind {
            StepKind::Ask { .. } => vec![
                self.successor(index, Some(true)),
                self.successor(index, Some(false)),
            ],
            _ => vec![self.successor(index, None)],
        }
    }

    /// Problems of the step graph: targets naming no step, steps never reached from the
    /// first, steps from which no end can be reached, duplicate ids.
    pub fn graph_problems(&self) -> Vec<GraphProblem> {
        let mut problems = Vec::new();
        let n = self.steps.len();
        if n == 0 {
            problems.push(GraphProblem::NoSteps);
            return problems;
        }
        for (i, s) in self.steps.iter().enumerate() {
            if self.steps[..i].iter().any(|o| o.id == s.id) {
                problems.push(GraphProblem::DuplicateId(i));
            }
            let targets: Vec<&String> = match &s.kind {
                StepKind::Ask { yes, no } => vec![yes, no],
                _ => s.next.iter().collect(),
            };
            for t in targets {
                if self.step_index(t).is_none() {
                    problems.push(GraphProblem::UnknownTarget(i, t.clone()));
                }
            }
        }
        // Reachable from the first step.
        let mut reached = vec![false; n];
        let mut stack = vec![0];
        while let Some(i) = stack.pop() {
            if std::mem::replace(&mut reached[i], true) {
                continue;
            }
            for s in self.successors(i) {
                if let Successor::Step(j) = s {
                    stack.push(j);
                }
            }
        }
        for (i, r) in reached.iter().enumerate() {
            if !r {
                problems.push(GraphProblem::Unreachable(i));
            }
        }
        // Can reach an end: fixed point over the reverse graph.
        let mut ends = vec![false; n];
        loop {
            let mut changed = false;
            for i in 0..n {
                if ends[i] {
                    continue;
                }
                let ok = self.successors(i).iter().any(|s| match s {
                    Successor::End => true,
                    Successor::Step(j) => ends[*j],
                    Successor::Missing => false,
                });
                if ok {
                    ends[i] = true;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        for (i, e) in ends.iter().enumerate() {
            if !e && reached[i] {
                problems.push(GraphProblem::NoEnd(i));
            }
        }
        problems.extend(self.condition_problems(&reached));
        problems
    }

    /// For each step, the steps that record a value on every path from the first step to
    /// it: a `record` step, not secret (its value is never kept), without a `when` of its
    /// own (it could be skipped). A fixed point of intersections over the predecessors.
    fn recorded_on_every_path(&self, reached: &[bool]) -> Vec<Vec<bool>> {
        let n = self.steps.len();
        let records = |i: usize| {
            matches!(self.steps[i].kind, StepKind::Record { secret: false, .. })
                && self.steps[i].conditions.when.is_none()
        };
        // Unknown (everything) until a path reaches the step.
        let mut sure: Vec<Option<Vec<bool>>> = vec![None; n];
        sure[0] = Some(vec![false; n]);
        let mut changed = true;
        while changed {
            changed = false;
            for i in (0..n).filter(|&i| reached[i]) {
                let Some(before) = sure[i].clone() else {
                    continue;
                };
                let mut after = before;
                if records(i) {
                    after[i] = true;
                }
                for s in self.successors(i) {
                    let Successor::Step(j) = s else { continue };
                    let met = match &sure[j] {
                        None => after.clone(),
                        Some(old) => old.iter().zip(&after).map(|(a, b)| *a && *b).collect(),
                    };
                    if sure[j].as_ref() != Some(&met) {
                        sure[j] = Some(met);
                        changed = true;
                    }
                }
            }
        }
        sure.into_iter()
            .map(|s| s.unwrap_or_else(|| vec![false; n]))
            .collect()
    }

    /// Conditions that cannot work: a `when` on a question (its answers have `yes_when`
    /// and `no_when`), an answer's condition on a step that asks nothing, a value that is
    /// not a kept `record` step's or not recorded before on every path.
    fn condition_problems(&self, reached: &[bool]) -> Vec<GraphProblem> {
        let mut problems = Vec::new();
        let sure = self.recorded_on_every_path(reached);
        for (i, step) in self.steps.iter().enumerate() {
            let is_ask = matches!(step.kind, StepKind::Ask { .. });
            for (key, when) in step.conditions.all() {
                if is_ask == (key == "when") {
                    problems.push(GraphProblem::MisplacedCondition(i, key));
                }
                let Some(test) = &when.value else { continue };
                match self.step_index(&test.step) {
                    Some(j)
                        if matches!(self.steps[j].kind, StepKind::Record { secret: false, .. }) =>
                    {
                        if reached[i] && !sure[i][j] {
                            problems.push(GraphProblem::ValueNotRecorded(i, test.step.clone()));
                        }
                    }
                    _ => problems.push(GraphProblem::NotAValue(i, test.step.clone())),
                }
            }
        }
        problems
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GraphProblem {
    NoSteps,
    DuplicateId(usize),
    UnknownTarget(usize, String),
    Unreachable(usize),
    NoEnd(usize),
    /// `when` on a question, or `yes_when` / `no_when` on a step that asks nothing.
    MisplacedCondition(usize, &'static str),
    /// A condition on a value names no `record` step, or a secret one.
    NotAValue(usize, String),
    /// A condition on a value not recorded before the step on every path.
    ValueNotRecorded(usize, String),
}

impl GraphProblem {
    pub fn step(&self) -> Option<usize> {
        match self {
            GraphProblem::NoSteps => None,
            GraphProblem::DuplicateId(i)
            | GraphProblem::UnknownTarget(i, _)
            | GraphProblem::Unreachable(i)
            | GraphProblem::NoEnd(i)
            | GraphProblem::MisplacedCondition(i, _)
            | GraphProblem::NotAValue(i, _)
            | GraphProblem::ValueNotRecorded(i, _) => Some(*i),
        }
    }

    pub fn describe(&self, p: &Procedure) -> String {
        let id = |i: &usize| p.steps[*i].id.clone();
        match self {
            GraphProblem::NoSteps => "la procédure n'a aucune étape".into(),
            GraphProblem::DuplicateId(i) => format!("identifiant d'étape en double « {} »", id(i)),
            GraphProblem::UnknownTarget(i, t) => {
                format!("l'étape « {} » mène à une étape inconnue « {t} »", id(i))
            }
            GraphProblem::Unreachable(i) => {
                format!(
                    "l'étape « {} » n'est jamais atteinte depuis la première",
                    id(i)
                )
            }
            GraphProblem::NoEnd(i) => {
                format!(
                    "l'étape « {} » ne mène à aucune fin (boucle sans sortie)",
                    id(i)
                )
            }
            GraphProblem::MisplacedCondition(i, "when") => format!(
                "l'étape « {} » est une question : « when » ne s'y applique pas, \
                 donner « yes_when » ou « no_when »",
                id(i)
            ),
            GraphProblem::MisplacedCondition(i, key) => format!(
                "« {key} » ne s'applique qu'à une question : l'étape « {} » est {}",
                id(i),
                p.steps[*i].kind.slug()
            ),
            GraphProblem::NotAValue(i, v) => format!(
                "l'étape « {} » teste la valeur de « {v} », qui n'est pas une étape record \
                 non secrète (un secret n'est jamais gardé)",
                id(i)
            ),
            GraphProblem::ValueNotRecorded(i, v) => format!(
                "l'étape « {} » teste la valeur de « {v} », qui n'est pas notée avant elle \
                 sur tous les chemins",
                id(i)
            ),
        }
    }
}

impl Procedure {
    /// The procedure as plain French text, numbered steps with where each leads: what
    /// `procedures show` prints and what the console shows.
    pub fn readable_lines(&self, reference: &super::reference::Reference) -> Vec<String> {
        let names = |applies: &Applies, label: &dyn Fn(&str) -> Option<String>| match applies {
            Applies::All => "tous".to_string(),
            Applies::Only(list) => list
                .iter()
                .map(|s| label(s).unwrap_or_else(|| s.clone()))
                .collect::<Vec<_>>()
                .join(", "),
        };
        let mut out = vec![
            self.title.clone(),
            format!("[{}]", self.slug),
            String::new(),
            self.summary.clone(),
            String::new(),
        ];
        let number = |succ: Successor| match succ {
            Successor::Step(j) => format!("étape {}", j + 1),
            Successor::End => "fin".to_string(),
            Successor::Missing => "étape inconnue".to_string(),
        };
        for (i, step) in self.steps.iter().enumerate() {
            let tag = match &step.kind {
                StepKind::Record {
                    label,
                    secret,
                    valid_for_months,
                    optional,
                } => {
                    let mut t = format!("noter : {label}");
                    if *optional && !super::text::fold(label).contains("facultati") {
                        t.push_str(" (facultatif)");
                    }
                    if *secret {
                        t.push_str(", secret, jamais écrit");
                    }
                    if let Some(m) = valid_for_months {
                        t.push_str(&format!(", valable {m} mois"));
                    }
                    t
                }
                StepKind::Escalate { target } => format!("escalader vers {target}"),
                other => other.label().to_string(),
            };
            out.push(format!("{}. [{tag}] {}", i + 1, step.text));
            // What the call may decide, for the reviewer: said before where it leads.
            let c = &step.conditions;
            let step_number = |id: &str| self.step_index(id).map(|i| i + 1);
            let said = |w| super::condition::describe(w, &step_number, reference);
            if let Some(w) = &c.when {
                out.push(format!("   seulement si {} (sinon sautée)", said(w)));
            }
            for (when, answer) in [(&c.yes_when, "oui"), (&c.no_when, "non")] {
                if let Some(w) = when {
                    out.push(format!("   « {answer} » d'office si {}", said(w)));
                }
            }
            match step.kind {
                StepKind::Ask { .. } => out.push(format!(
                    "   oui → {} ; non → {}",
                    number(self.successor(i, Some(true))),
                    number(self.successor(i, Some(false)))
                )),
                _ => {
                    let next = self.successor(i, None);
                    if next != Successor::Step(i + 1) {
                        out.push(format!("   → {}", number(next)));
                    }
                }
            }
        }
        // What a reviewer needs comes after the steps the operator reads.
        out.push(String::new());
        out.push(format!(
            "Services : {}",
            names(&self.services, &|s| reference
                .service(s)
                .map(|x| x.short.clone()))
        ));
        out.push(format!(
            "Postes : {}",
            names(&self.devices, &|d| reference
                .device(d)
                .map(|x| x.short.clone()))
        ));
        for s in &self.sources {
            out.push(format!("Source : {} — {}", s.seed, s.section));
        }
        out.push(format!("Mots-clés : {}", self.keywords.join(", ")));
        if let Some(owner) = &self.owner {
            out.push(format!("Responsable : {owner}"));
        }
        if let Some(notes) = &self.editor_notes {
            out.push(String::new());
            out.push("Notes de rédaction :".to_string());
            out.extend(notes.lines().map(|l| format!("  {l}")));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(label: &str, optional: bool) -> Step {
        Step {
            id: "r".into(),
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

    #[test]
    fn the_version_hashes_the_content_as_printed_before_the_authors_version_existed() {
        let mut p = Procedure::essai(vec![record("Numéro de ticket", true)]);
        // The procedure printed without its new fields is what the hash read before them:
        // the walks journaled then keep their version.
        let before = format!("{p:?}")
            .replace(", version: None", "")
            .replace(", owner: None", "");
        assert_eq!(format!("{:?}", hashed::Procedure::of(&p)), before);
        let hash = p.version();
        p.version = Some("3".into());
        assert_eq!(p.version(), format!("3+{hash}"));
    }

    #[test]
    fn an_optional_step_reads_facultatif_once() {
        let reference = crate::catalog::embedded_reference();
        let mut p = Procedure::essai(vec![
            record("Numéro de ticket", true),
            record("Référence (facultative)", true),
            record("Code de session", false),
        ]);
        let lines = p.readable_lines(&reference);
        let steps: Vec<&str> = lines
            .iter()
            .filter(|l| l.contains(". [noter"))
            .map(String::as_str)
            .collect();
        assert_eq!(
            steps,
            [
                "1. [noter : Numéro de ticket (facultatif)] Noter.",
                "2. [noter : Référence (facultative)] Noter.",
                "3. [noter : Code de session] Noter.",
            ]
        );
        p.steps.truncate(1);
        assert!(
            !p.readable_lines(&reference)
                .concat()
                .contains("(facultatif) (facultatif)")
        );
    }
}

#[cfg(test)]
mod version_tests {
    /// Walks already recorded name the version they followed: who maintains a procedure
    /// (`owner`) is not its text, and a binary that learns a field must not change it.
    #[test]
    fn the_version_of_a_shipped_procedure_stays_what_the_walks_recorded() {
        let catalog = crate::catalog::procedures::embedded(&crate::catalog::embedded_reference());
        let versions: Vec<String> = ["mi-agent-card-cryhod", "acn-anyconnect", "mi-noemi-4g"]
            .iter()
            .map(|slug| catalog.get(slug).unwrap().version())
            .collect();
        assert_eq!(versions, ["f6c437b2", "4f87a61a", "e006d281"]);
    }
}
