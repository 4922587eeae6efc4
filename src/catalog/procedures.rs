//! Procedure files: TOML in, checked `Procedure`s out, with every problem located by file
//! and line so that a desk fixes its own files without reading code.

use crate::domain::call::is_slug;
use crate::domain::procedure::{Applies, Procedure, Source, Step, StepKind};
use crate::domain::reference::Reference;
use crate::domain::text::is_unsafe;
use crate::domain::tool::ToolKind;
use serde::Deserialize;
use std::collections::HashMap;
use std::fmt;
use std::path::Path;
use toml::Spanned;

/// The catalogue embedded at build time: (file name, contents).
pub const EMBEDDED: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/procedures.rs"));

/// One problem in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LintError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

impl fmt::Display for LintError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProcedure {
    title: Spanned<String>,
    summary: Spanned<String>,
    services: Spanned<Vec<Spanned<String>>>,
    devices: Spanned<Vec<Spanned<String>>>,
    keywords: Spanned<Vec<Spanned<String>>>,
    #[serde(default)]
    editor_notes: Option<Spanned<String>>,
    #[serde(default)]
    tool: Option<Spanned<String>>,
    /// The authors' own version of the file (« 2.1 »), shown before the content's hash.
    #[serde(default)]
    version: Option<Spanned<String>>,
    #[serde(default)]
    owner: Option<Spanned<String>>,
    #[serde(default)]
    sources: Option<Spanned<Vec<Spanned<RawSource>>>>,
    #[serde(default)]
    steps: Vec<Spanned<RawStep>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    seed: Spanned<String>,
    section: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStep {
    id: String,
    kind: Spanned<String>,
    text: Spanned<String>,
    #[serde(default)]
    next: Option<String>,
    #[serde(default)]
    end: bool,
    #[serde(default)]
    yes: Option<String>,
    #[serde(default)]
    no: Option<String>,
    #[serde(default)]
    label: Option<Spanned<String>>,
    #[serde(default)]
    secret: bool,
    #[serde(default)]
    valid_for_months: Option<u32>,
    #[serde(default)]
    optional: Option<Spanned<bool>>,
    #[serde(default)]
    target: Option<Spanned<String>>,
    #[serde(default)]
    when: Option<Spanned<super::when::RawWhen>>,
    #[serde(default)]
    yes_when: Option<Spanned<super::when::RawWhen>>,
    #[serde(default)]
    no_when: Option<Spanned<super::when::RawWhen>>,
}

impl RawStep {
    fn conditions(&self) -> super::when::RawConditions<'_> {
        super::when::RawConditions {
            when: self.when.as_ref(),
            yes_when: self.yes_when.as_ref(),
            no_when: self.no_when.as_ref(),
        }
    }
}

/// A character a procedure's text must not hold (DESIGN.md §4: lint rejects control
/// characters in text): what [`is_unsafe`] names, but the line break of a multi-line
/// string. It could drive the operator's terminal, reorder or hide what they read aloud.
/// Nor a tab or the CR of a Windows line end (CR LF, kept by TOML in a multi-line string):
/// they are what an editor writes, and files with them were valid before control
/// characters were refused (DESIGN.md §4: « a file valid today stays valid »). See
/// [`editor_whitespace`].
fn control_character(value: &str) -> Option<char> {
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        let line_end = c == '\r' && chars.peek() == Some(&'\n');
        if c != '\n' && c != '\t' && !line_end && is_unsafe(c) {
            return Some(c);
        }
    }
    None
}

/// A tab read as a space, which it looks like (`lint` warns), and a Windows line end as a
/// line end.
fn editor_whitespace(p: &mut Procedure) {
    fn fix(s: &mut String) {
        if s.contains(['\t', '\r']) {
            *s = s.replace("\r\n", "\n").replace('\t', " ");
        }
    }
    fix(&mut p.title);
    fix(&mut p.summary);
    p.keywords.iter_mut().for_each(fix);
    p.editor_notes.iter_mut().for_each(fix);
    p.owner.iter_mut().for_each(fix);
    for source in &mut p.sources {
        fix(&mut source.seed);
        fix(&mut source.section);
    }
    for step in &mut p.steps {
        fix(&mut step.id);
        fix(&mut step.text);
        step.next.iter_mut().for_each(fix);
        match &mut step.kind {
            StepKind::Ask { yes, no } => {
                fix(yes);
                fix(no);
            }
            StepKind::Record { label, .. } => fix(label),
            StepKind::Escalate { target } => fix(target),
            StepKind::Say | StepKind::Check => {}
        }
    }
}

pub(crate) fn control_message(field: &str, c: char) -> String {
    format!(
        "caractère de contrôle ou invisible U+{:04X} dans « {field} » : le retirer \
         (il pourrait piloter le terminal de l'opérateur ou masquer du texte)",
        c as u32
    )
}

/// Whether an escalation says where the call goes, so that no branch ends on « the local
/// support » with nobody to reach: a phone number (five digits or more, grouped or not:
/// 72000, 01 40 07 20 00, 01-40-07-2000) or an address (web or mail) in the target or the
/// text; a named service in the target, written as an acronym (RSSI, SETNA, AMIGO, SSI) or
/// as the hotline or call centre the guides name; or the text's admission that the guide
/// gives no contact (« le guide ne donne pas de contact »).
fn names_a_contact(target: &str, text: &str) -> bool {
    let both = format!("{target} {text}");
    if has_phone_number(&both) || has_address(&both) {
        return true;
    }
    let acronym = target.split(|c: char| !c.is_alphanumeric()).any(|w| {
        w.chars().count() >= 3
            && w.chars().all(|c| c.is_uppercase() || c.is_ascii_digit())
            && w.chars().any(char::is_uppercase)
    });
    let folded_target = crate::domain::text::fold(target);
    let named = ["hotline", "hot-line", "hot line", "centre d'appel"]
        .iter()
        .any(|n| folded_target.contains(n));
    let folded_text = crate::domain::text::fold(text);
    let admitted = ["ne donne pas de contact", "ne donne aucun contact"]
        .iter()
        .any(|a| folded_text.contains(a));
    acronym || named || admitted
}

/// Five digits or more in one run, the groups separated by one space, dot or dash.
fn has_phone_number(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    let mut digits = 0;
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_digit() {
            digits += 1;
            if digits >= 5 {
                return true;
            }
        } else {
            let joins = matches!(c, ' ' | '.' | '-' | '\u{a0}' | '\u{202f}')
                && i > 0
                && chars[i - 1].is_ascii_digit()
                && chars.get(i + 1).is_some_and(char::is_ascii_digit);
            if !joins {
                digits = 0;
            }
        }
    }
    false
}

/// A web address (http://, https://, www.) or a mail address (x@y.z).
fn has_address(text: &str) -> bool {
    text.contains("http://")
        || text.contains("https://")
        || text.contains("www.")
        || text.split_whitespace().any(|w| {
            w.split_once('@').is_some_and(|(user, domain)| {
                !user.is_empty() && domain.contains('.') && !domain.starts_with('.')
            })
        })
}

/// The line (from 1) of a byte offset in a file's text.
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// A procedure read from its file, and what `procedures lint` warns about in it.
#[derive(Debug, Clone)]
pub struct Checked {
    pub procedure: Procedure,
    /// Rules added after the format was documented (DESIGN.md §4: « a file valid today
    /// stays valid »): a desk's file that breaks one still loads and is proposed; `lint`
    /// says it, `lint --strict` refuses it.
    pub warnings: Vec<LintError>,
}

/// A file that is not valid TOML, as one located problem: the parser's first line.
pub(crate) fn toml_problem(file: &str, text: &str, e: &toml::de::Error) -> LintError {
    let first = e
        .message()
        .lines()
        .next()
        .unwrap_or("TOML invalide")
        .to_string();
    LintError {
        file: file.to_string(),
        line: line_of(text, e.span().map_or(0, |s| s.start)),
        message: format!("TOML invalide : {first}"),
    }
}

/// Parses and checks one file. `file` is the name used in messages; the slug is the file
/// name without `.toml`. The warnings are dropped: see [`check_procedure`].
pub fn parse_procedure(
    file: &str,
    text: &str,
    reference: &Reference,
) -> Result<Procedure, Vec<LintError>> {
    check_procedure(file, text, reference).map(|c| c.procedure)
}

/// Parses and checks one file: the procedure and its warnings, or the errors that keep it
/// out of the catalogue.
pub fn check_procedure(
    file: &str,
    text: &str,
    reference: &Reference,
) -> Result<Checked, Vec<LintError>> {
    let err = |offset: usize, message: String| LintError {
        file: file.to_string(),
        line: line_of(text, offset),
        message,
    };
    let slug = Path::new(file)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let raw: RawProcedure = toml::from_str(text).map_err(|e| vec![toml_problem(file, text, &e)])?;
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    {
        // Every text of the file, with where it starts.
        let mut texts: Vec<(&str, &str, usize)> = vec![
            ("title", raw.title.get_ref(), raw.title.span().start),
            ("summary", raw.summary.get_ref(), raw.summary.span().start),
        ];
        for k in raw.keywords.get_ref() {
            texts.push(("keywords", k.get_ref(), k.span().start));
        }
        if let Some(n) = &raw.editor_notes {
            texts.push(("editor_notes", n.get_ref(), n.span().start));
        }
        if let Some(o) = &raw.owner {
            texts.push(("owner", o.get_ref(), o.span().start));
        }
        for s in raw.sources.iter().flat_map(|l| l.get_ref()) {
            let s = s.get_ref();
            texts.push(("seed", s.seed.get_ref(), s.seed.span().start));
            texts.push(("section", s.section.get_ref(), s.section.span().start));
        }
        for step in &raw.steps {
            let at = step.span().start;
            let r = step.get_ref();
            texts.push(("text", r.text.get_ref(), r.text.span().start));
            for (field, value) in [
                ("id", Some(&r.id)),
                ("next", r.next.as_ref()),
                ("yes", r.yes.as_ref()),
                ("no", r.no.as_ref()),
            ] {
                if let Some(v) = value {
                    texts.push((field, v, at));
                }
            }
            for (field, value) in [("label", &r.label), ("target", &r.target)] {
                if let Some(v) = value {
                    texts.push((field, v.get_ref(), v.span().start));
                }
            }
        }
        for (field, value, at) in texts {
            if let Some(c) = control_character(value) {
                errors.push(err(at, control_message(field, c)));
            }
            if value.contains('\t') {
                warnings.push(err(
                    at,
                    format!("caractère de tabulation dans « {field} » : lu comme une espace"),
                ));
            }
        }
        for step in &raw.steps {
            for (field, value, at) in super::when::texts(&step.get_ref().conditions()) {
                if let Some(c) = control_character(&value) {
                    errors.push(err(at, control_message(field, c)));
                }
            }
        }
    }
    if !is_slug(&slug) {
        errors.push(err(
            0,
            format!("nom de fichier invalide « {slug} » : minuscules, chiffres et tirets"),
        ));
    }
    for (field, value) in [("title", &raw.title), ("summary", &raw.summary)] {
        if value.get_ref().trim().is_empty() {
            errors.push(err(value.span().start, format!("« {field} » est vide")));
        }
    }
    if raw.title.get_ref().chars().count() > 80 {
        errors.push(err(
            raw.title.span().start,
            "titre trop long : 80 caractères au plus".into(),
        ));
    }
    let mut applies =
        |list: &Spanned<Vec<Spanned<String>>>, known: &dyn Fn(&str) -> bool, what: &str| {
            let items = list.get_ref();
            if items.is_empty() {
                errors.push(err(
                    list.span().start,
                    format!("liste « {what} » vide : donner des slugs ou [\"*\"]"),
                ));
                return Applies::All;
            }
            if items.len() == 1 && items[0].get_ref() == "*" {
                return Applies::All;
            }
            for item in items {
                if !known(item.get_ref()) {
                    errors.push(err(
                        item.span().start,
                        format!(
                            "{} inconnu « {} »",
                            if what == "services" {
                                "service"
                            } else {
                                "poste"
                            },
                            item.get_ref()
                        ),
                    ));
                }
            }
            Applies::Only(items.iter().map(|s| s.get_ref().clone()).collect())
        };
    let services = applies(
        &raw.services,
        &|s| reference.service(s).is_some(),
        "services",
    );
    let devices = applies(&raw.devices, &|d| reference.device(d).is_some(), "devices");
    let tool = raw.tool.as_ref().and_then(|t| {
        let found = ToolKind::from_slug(t.get_ref());
        if found.is_none() {
            errors.push(err(
                t.span().start,
                format!(
                    "outil inconnu « {} » : {}",
                    t.get_ref(),
                    ToolKind::slugs_in_french()
                ),
            ));
        }
        found
    });
    let version = raw.version.as_ref().and_then(|v| {
        let text = v.get_ref();
        let fits = (1..=20).contains(&text.chars().count())
            && text
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
        if !fits {
            errors.push(err(
                v.span().start,
                format!(
                    "version invalide « {} » : attendu 1 à 20 lettres, chiffres, points, \
                     tirets ou soulignés (comme 2.1)",
                    text.escape_debug()
                ),
            ));
        }
        fits.then(|| text.clone())
    });
    // Who maintains the procedure: a name or a mail, on one line.
    let owner = raw.owner.as_ref().and_then(|o| {
        let value = o.get_ref().trim();
        if value.is_empty() || value.contains('\n') {
            errors.push(err(
                o.span().start,
                format!(
                    "« owner » invalide « {} » : un nom ou une adresse, sur une ligne",
                    crate::domain::text::named(value)
                ),
            ));
            return None;
        }
        Some(value.to_string())
    });
    if raw.keywords.get_ref().is_empty() {
        errors.push(err(raw.keywords.span().start, "aucun mot-clé".into()));
    }
    let sources: Vec<Source> = match &raw.sources {
        None => {
            errors.push(err(
                0,
                "source manquante : ajouter une table [[sources]] (seed, section)".into(),
            ));
            Vec::new()
        }
        Some(list) => {
            if list.get_ref().is_empty() {
                errors.push(err(list.span().start, "source manquante".into()));
            }
            list.get_ref()
                .iter()
                .map(|s| {
                    let r = s.get_ref();
                    if r.seed.get_ref().trim().is_empty() || r.section.get_ref().trim().is_empty() {
                        errors.push(err(
                            s.span().start,
                            "source incomplète : seed et section".into(),
                        ));
                    }
                    Source {
                        seed: r.seed.get_ref().clone(),
                        section: r.section.get_ref().clone(),
                    }
                })
                .collect()
        }
    };
    let mut steps = Vec::new();
    for spanned in &raw.steps {
        let r = spanned.get_ref();
        let at = spanned.span().start;
        let missing = |field: &str| {
            err(
                at,
                format!(
                    "l'étape « {} » ({}) doit avoir « {field} »",
                    r.id,
                    r.kind.get_ref()
                ),
            )
        };
        if let Some(optional) = &r.optional {
            let kind = r.kind.get_ref();
            if kind != "record" {
                errors.push(err(
                    optional.span().start,
                    format!(
                        "« optional » ne s'applique qu'à une étape record : l'étape « {} » est {kind}",
                        r.id
                    ),
                ));
            } else if r.secret && *optional.get_ref() {
                errors.push(err(
                    optional.span().start,
                    format!(
                        "l'étape « {} » est secrète : elle ne peut pas être facultative \
                         (un secret se donne à l'appelant, il ne se saute pas)",
                        r.id
                    ),
                ));
            }
        }
        let kind = match r.kind.get_ref().as_str() {
            "say" => StepKind::Say,
            "check" => StepKind::Check,
            "ask" => match (&r.yes, &r.no) {
                (Some(yes), Some(no)) => StepKind::Ask {
                    yes: yes.clone(),
                    no: no.clone(),
                },
                (None, _) => {
                    errors.push(missing("yes"));
                    continue;
                }
                (_, None) => {
                    errors.push(missing("no"));
                    continue;
                }
            },
            "record" => match &r.label {
                Some(label) => StepKind::Record {
                    label: label.get_ref().clone(),
                    secret: r.secret,
                    valid_for_months: r.valid_for_months,
                    optional: r.optional.as_ref().is_some_and(|o| *o.get_ref()),
                },
                None => {
                    errors.push(missing("label"));
                    continue;
                }
            },
            "escalate" => match &r.target {
                Some(target) => {
                    // Added after the format was documented: a warning, never a drop
                    // (a desk's « Niveau 2 » is a contact the desk knows).
                    if !names_a_contact(target.get_ref(), r.text.get_ref()) {
                        warnings.push(err(
                            at,
                            format!(
                                "l'étape « {} » (escalate) ne dit pas où transmettre l'appel : \
                                 donner un numéro, une adresse ou un service nommé (RSSI, SETNA, \
                                 AMIGO, Hot-Line...), ou écrire « le guide ne donne pas de contact »",
                                r.id
                            ),
                        ));
                    }
                    StepKind::Escalate {
                        target: target.get_ref().clone(),
                    }
                }
                None => {
                    errors.push(missing("target"));
                    continue;
                }
            },
            other => {
                errors.push(err(
                    r.kind.span().start,
                    format!(
                        "sorte d'étape inconnue « {other} » : say, ask, check, record ou escalate"
                    ),
                ));
                continue;
            }
        };
        if r.text.get_ref().trim().is_empty() {
            errors.push(err(at, format!("l'étape « {} » n'a pas de texte", r.id)));
        }
        let conditions = match super::when::read(r.conditions(), reference) {
            Ok(c) => c,
            Err(problems) => {
                errors.extend(problems.into_iter().map(|(o, m)| err(o, m)));
                Default::default()
            }
        };
        steps.push((
            at,
            Step {
                id: r.id.clone(),
                kind,
                text: r.text.get_ref().clone(),
                next: r.next.clone(),
                end: r.end,
                conditions,
            },
        ));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let offsets: Vec<usize> = steps.iter().map(|(o, _)| *o).collect();
    let mut procedure = Procedure {
        slug,
        title: raw.title.into_inner(),
        summary: raw.summary.into_inner(),
        services,
        devices,
        keywords: raw
            .keywords
            .into_inner()
            .into_iter()
            .map(Spanned::into_inner)
            .collect(),
        sources,
        editor_notes: raw.editor_notes.map(Spanned::into_inner),
        tool,
        version,
        owner,
        steps: steps.into_iter().map(|(_, s)| s).collect(),
    };
    editor_whitespace(&mut procedure);
    let problems: Vec<LintError> = procedure
        .graph_problems()
        .iter()
        .map(|p| err(p.step().map_or(0, |i| offsets[i]), p.describe(&procedure)))
        .collect();
    if problems.is_empty() {
        Ok(Checked {
            procedure,
            warnings,
        })
    } else {
        Err(problems)
    }
}

/// A loaded catalogue: the procedures that passed, and the problems of those that did not
/// (reported and skipped: one broken file never hides the rest).
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    pub procedures: Vec<Procedure>,
    pub problems: Vec<LintError>,
    /// What `procedures lint` warns about in the procedures that loaded (see [`Checked`]).
    pub warnings: Vec<LintError>,
    /// What the catalogue was made from: see [`files_fingerprint`].
    pub source_fingerprint: String,
}

impl Catalog {
    pub fn get(&self, slug: &str) -> Option<&Procedure> {
        self.procedures.iter().find(|p| p.slug == slug)
    }

    /// A fingerprint of what the catalogue was made from, to know when the search index
    /// is stale: the files' names and bytes when it was read from files, else its content.
    pub fn fingerprint(&self) -> String {
        if !self.source_fingerprint.is_empty() {
            return self.source_fingerprint.clone();
        }
        let mut h = crate::domain::procedure::Fnv::new();
        h.write(format!("{:?}", self.procedures).as_bytes());
        h.finish(self.procedures.len())
    }
}

/// A 64-bit hash of bytes taken eight at a time (xor, multiply, xor-shift: each step
/// a bijection of the state), for telling that the catalogue's files changed: FNV-1a's
/// byte at a time was a third of the time a start took to check 10,000 files. Each write
/// ends with its length, so that where one piece ends counts. Not for anything
/// adversarial.
struct WordHash(u64);

impl WordHash {
    fn new() -> WordHash {
        WordHash(0xcbf2_9ce4_8422_2325)
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        let mut word = [0u8; 8];
        for chunk in &mut chunks {
            word.copy_from_slice(chunk);
            self.mix(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        word = [0u8; 8];
        word[..rest.len()].copy_from_slice(rest);
        self.mix(u64::from_le_bytes(word));
        self.mix(bytes.len() as u64);
    }

    fn mix(&mut self, word: u64) {
        let h = (self.0 ^ word).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        self.0 = h ^ (h >> 29);
    }

    fn finish(&self, count: usize) -> String {
        format!("{:016x}-{count}", self.0)
    }
}

/// The hash of one file's bytes: what the file gives to [`files_fingerprint`].
pub fn file_hash(bytes: &[u8]) -> u64 {
    let mut h = WordHash::new();
    h.write(bytes);
    h.0
}

/// A file's name without its folder.
fn base_name(file: &str) -> String {
    Path::new(file)
        .file_name()
        .map_or(file.to_string(), |n| n.to_string_lossy().into_owned())
}

/// The fingerprint of a set of procedure files, made one file at a time: their names
/// (without their folder) and the hashes of their bytes, in the order given. Each file's
/// bytes hashed apart, so that a folder's fingerprint after a change to a few files is
/// made from the others' hashes, without reading them again ([`FileHashes`]).
struct FilesFingerprint {
    h: WordHash,
    count: usize,
}

impl FilesFingerprint {
    fn new() -> FilesFingerprint {
        FilesFingerprint {
            h: WordHash::new(),
            count: 0,
        }
    }

    fn add(&mut self, name: &str, hash: u64) {
        self.h.write(base_name(name).as_bytes());
        self.h.mix(hash);
        self.count += 1;
    }

    fn finish(&self) -> String {
        self.h.finish(self.count)
    }
}

/// The fingerprint of a set of procedure files: their names (without their folder) and
/// bytes, in the order given. Known without parsing any of them.
pub fn files_fingerprint<'a>(files: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> String {
    let mut f = FilesFingerprint::new();
    for (name, bytes) in files {
        f.add(name, file_hash(bytes));
    }
    f.finish()
}

/// What a folder's fingerprint is made from: each `*.toml` file's name (without the
/// folder) and the hash of its bytes, in name order. Kept by a console on a `--catalog`
/// folder, so that the fingerprint of the folder after a change to a few files is known
/// from those files alone ([`FileHashes::set`]): a start on the folder then finds the
/// index in line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileHashes(Vec<(String, u64)>);

impl FileHashes {
    /// Every `*.toml` file of a folder read, one in memory at a time. A file that cannot
    /// be read counts as empty (its check then says why), as at start.
    pub fn of_dir(dir: &Path) -> std::io::Result<FileHashes> {
        let mut files = Vec::new();
        for p in toml_files(dir)? {
            let bytes = std::fs::read(&p).unwrap_or_default();
            files.push((base_name(&p.display().to_string()), file_hash(&bytes)));
        }
        Ok(FileHashes(files))
    }

    /// The file `name` now has bytes of this hash, or is gone (`None`).
    pub fn set(&mut self, name: &str, hash: Option<u64>) {
        let name = base_name(name);
        match (
            self.0.binary_search_by(|(n, _)| n.as_str().cmp(&name)),
            hash,
        ) {
            (Ok(i), Some(h)) => self.0[i].1 = h,
            (Ok(i), None) => {
                self.0.remove(i);
            }
            (Err(i), Some(h)) => self.0.insert(i, (name, h)),
            (Err(_), None) => {}
        }
    }

    /// The folder's fingerprint, as [`CatalogSource::fingerprint`] makes it.
    pub fn fingerprint(&self) -> String {
        let mut f = FilesFingerprint::new();
        for (name, hash) in &self.0 {
            f.add(name, *hash);
        }
        f.finish()
    }
}

/// The `*.toml` files of a folder, in name order. Sorted by their names alone (bytes),
/// which is the order of their paths in one folder: comparing whole paths component by
/// component was a sixth of the time a start took to check 10,000 files.
fn toml_files(dir: &Path) -> std::io::Result<Vec<std::path::PathBuf>> {
    let mut names: Vec<std::ffi::OsString> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| e.file_name())
        .filter(|n| Path::new(n).extension().is_some_and(|x| x == "toml"))
        .collect();
    names.sort();
    Ok(names.into_iter().map(|n| dir.join(n)).collect())
}

/// Where the active catalogue comes from: the one embedded in the binary, or a folder
/// (`--catalog DIR`). It is parsed only when something needs its procedures; its
/// fingerprint is known without parsing.
pub struct CatalogSource {
    dir: Option<std::path::PathBuf>,
    reference: Reference,
    parsed: std::sync::OnceLock<Result<Catalog, String>>,
    /// A folder's files as its fingerprint read them.
    hashes: std::sync::OnceLock<FileHashes>,
}

impl CatalogSource {
    pub fn embedded(reference: &Reference) -> CatalogSource {
        CatalogSource {
            dir: None,
            reference: reference.clone(),
            parsed: std::sync::OnceLock::new(),
            hashes: std::sync::OnceLock::new(),
        }
    }

    pub fn dir(dir: &Path, reference: &Reference) -> CatalogSource {
        CatalogSource {
            dir: Some(dir.to_path_buf()),
            reference: reference.clone(),
            parsed: std::sync::OnceLock::new(),
            hashes: std::sync::OnceLock::new(),
        }
    }

    /// A catalogue already parsed (tests, the screenshot gallery).
    pub fn parsed(catalog: Catalog, reference: &Reference) -> CatalogSource {
        let source = CatalogSource::embedded(reference);
        let _ = source.parsed.set(Ok(catalog));
        source
    }

    pub fn folder(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    /// The fingerprint of the files, read but not parsed.
    pub fn fingerprint(&self) -> Result<String, String> {
        if let Some(Ok(c)) = self.parsed.get() {
            return Ok(c.fingerprint());
        }
        match &self.dir {
            None => Ok(files_fingerprint(
                EMBEDDED.iter().map(|(n, t)| (*n, t.as_bytes())),
            )),
            Some(_) => Ok(self.file_hashes()?.unwrap_or_default().fingerprint()),
        }
    }

    /// A folder's files as its fingerprint reads them (the first time it is asked for:
    /// the same files then as the fingerprint's); `None` for the embedded catalogue.
    pub fn file_hashes(&self) -> Result<Option<FileHashes>, String> {
        let Some(dir) = &self.dir else {
            return Ok(None);
        };
        if let Some(hashes) = self.hashes.get() {
            return Ok(Some(hashes.clone()));
        }
        // One file in memory at a time; a file that cannot be read changes the
        // fingerprint: the parse then reports it.
        let hashes = FileHashes::of_dir(dir).map_err(|e| self.unreadable(&e))?;
        Ok(Some(self.hashes.get_or_init(|| hashes).clone()))
    }

    fn unreadable(&self, e: &std::io::Error) -> String {
        let dir = self.dir.as_deref().unwrap_or(Path::new("?"));
        format!(
            "dossier de procédures illisible « {} » : {e}",
            crate::domain::text::visible(&dir.display().to_string())
        )
    }

    /// The problems of some files of the folder (names without the folder), each checked
    /// alone: what a change to them broke, known without parsing the others. A file that
    /// is not there has none.
    pub fn check_files(&self, names: &[String]) -> Vec<LintError> {
        names
            .iter()
            .filter_map(|name| self.read_file(name))
            .flat_map(|read| match read {
                FileNow::Read {
                    checked: Err(problems),
                    ..
                } => problems,
                _ => Vec::new(),
            })
            .collect()
    }

    /// One file of the folder (its name without the folder) read and checked alone, as
    /// it is now; `None` for the embedded catalogue.
    pub fn read_file(&self, name: &str) -> Option<FileNow> {
        let path = self.dir.as_ref()?.join(name);
        let file = path.display().to_string();
        let problem = |message: String| {
            Err(vec![LintError {
                file: file.clone(),
                line: 1,
                message,
            }])
        };
        Some(match std::fs::read(&path) {
            Ok(bytes) => FileNow::Read {
                hash: file_hash(&bytes),
                checked: match String::from_utf8(bytes) {
                    Ok(text) => check_procedure(&file, &text, &self.reference)
                        .map(|c| Box::new(c.procedure)),
                    Err(_) => problem("le fichier n'est pas en UTF-8".into()),
                },
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => FileNow::Gone,
            // Counted as empty, as the fingerprint counts it.
            Err(e) => FileNow::Read {
                hash: file_hash(&[]),
                checked: problem(format!("illisible : {e}")),
            },
        })
    }

    /// The catalogue parsed, taken out of the source (which parses again if asked after):
    /// a reload indexes it with other versions without a copy of its procedures.
    pub fn take_catalog(&mut self) -> Result<Catalog, String> {
        self.catalog()?;
        match self.parsed.take() {
            Some(parsed) => parsed,
            None => self.catalog().cloned(),
        }
    }

    /// The catalogue's procedures one at a time, without keeping them: a folder's files
    /// are read and checked as the procedures are asked for, one file in memory at a time
    /// (the catalogue held whole, texts and procedures, was some 150 MB for 10,000 files).
    /// In the folder's file order, not by slug; the same procedures as [`Self::catalog`]'s.
    pub fn procedures(&self) -> Result<Procedures<'_>, String> {
        if let Some(parsed) = self.parsed.get() {
            let catalog = parsed.as_ref().map_err(Clone::clone)?;
            return Ok(Procedures {
                from: Origin::Parsed(catalog.procedures.iter()),
                checker: Checker::new(&self.reference),
                known_problems: catalog.problems.len(),
            });
        }
        let from = match &self.dir {
            None => Origin::Embedded(EMBEDDED.iter()),
            Some(dir) => Origin::Files(
                toml_files(dir)
                    .map_err(|e| self.unreadable(&e))?
                    .into_iter(),
            ),
        };
        Ok(Procedures {
            from,
            checker: Checker::new(&self.reference),
            known_problems: 0,
        })
    }

    /// The catalogue, parsed the first time it is asked for.
    pub fn catalog(&self) -> Result<&Catalog, String> {
        self.parsed
            .get_or_init(|| match &self.dir {
                None => Ok(embedded(&self.reference)),
                Some(dir) => load_dir(dir, &self.reference).map_err(|e| self.unreadable(&e)),
            })
            .as_ref()
            .map_err(Clone::clone)
    }
}

/// A file of a folder as it is now: gone, or read (the hash of its bytes) and checked.
#[derive(Debug, Clone)]
pub enum FileNow {
    Gone,
    Read {
        hash: u64,
        /// Boxed: a procedure is large beside a gone file.
        checked: Result<Box<Procedure>, Vec<LintError>>,
    },
}

/// Files checked one after the other: the procedures that pass, a slug taken by the first
/// file that has it, the problems and warnings of all.
struct Checker<'r> {
    reference: &'r Reference,
    /// Each slug taken, and by which file.
    seen: HashMap<String, String>,
    problems: Vec<LintError>,
    warnings: Vec<LintError>,
}

impl<'r> Checker<'r> {
    fn new(reference: &'r Reference) -> Checker<'r> {
        Checker {
            reference,
            seen: HashMap::new(),
            problems: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// The procedure of one file, or `None` (its problems noted).
    fn check(&mut self, file: String, text: &str) -> Option<Procedure> {
        match check_procedure(&file, text, self.reference) {
            Ok(Checked {
                procedure: p,
                warnings,
            }) => {
                if let Some(first) = self.seen.get(&p.slug) {
                    self.problems.push(LintError {
                        file: file.clone(),
                        line: 1,
                        message: format!("slug en double « {} » (déjà dans {first})", p.slug),
                    });
                    return None;
                }
                self.seen.insert(p.slug.clone(), file);
                self.warnings.extend(warnings);
                Some(p)
            }
            Err(errors) => {
                self.problems.extend(errors);
                None
            }
        }
    }
}

/// See [`CatalogSource::procedures`].
pub struct Procedures<'a> {
    from: Origin<'a>,
    checker: Checker<'a>,
    /// The problems of a catalogue parsed before.
    known_problems: usize,
}

enum Origin<'a> {
    Parsed(std::slice::Iter<'a, Procedure>),
    Embedded(std::slice::Iter<'static, (&'static str, &'static str)>),
    Files(std::vec::IntoIter<std::path::PathBuf>),
}

impl Procedures<'_> {
    /// How many files were left out so far (broken, unreadable, a slug taken).
    pub fn problems(&self) -> usize {
        self.known_problems + self.checker.problems.len()
    }
}

impl Iterator for Procedures<'_> {
    type Item = Procedure;

    fn next(&mut self) -> Option<Procedure> {
        loop {
            let found = match &mut self.from {
                Origin::Parsed(procedures) => return procedures.next().cloned(),
                Origin::Embedded(files) => {
                    let (name, text) = files.next()?;
                    self.checker.check(name.to_string(), text)
                }
                Origin::Files(paths) => {
                    let path = paths.next()?;
                    match read_text(&path) {
                        Ok(text) => self.checker.check(path.display().to_string(), &text),
                        Err(problem) => {
                            self.checker.problems.push(problem);
                            None
                        }
                    }
                }
            };
            // What `lint` warns about is not the index's business.
            self.checker.warnings.clear();
            if found.is_some() {
                return found;
            }
        }
    }
}

/// Checks and loads a set of files given as (file name, text).
pub fn load_files<'a>(
    files: impl IntoIterator<Item = (String, &'a str)>,
    reference: &Reference,
) -> Catalog {
    let mut catalog = Catalog::default();
    let mut checker = Checker::new(reference);
    let files: Vec<(String, &str)> = files.into_iter().collect();
    catalog.source_fingerprint =
        files_fingerprint(files.iter().map(|(n, t)| (n.as_str(), t.as_bytes())));
    for (file, text) in files {
        if let Some(p) = checker.check(file, text) {
            catalog.procedures.push(p);
        }
    }
    catalog.problems = checker.problems;
    catalog.warnings = checker.warnings;
    catalog.procedures.sort_by(|a, b| a.slug.cmp(&b.slug));
    catalog
}

pub fn embedded(reference: &Reference) -> Catalog {
    load_files(
        EMBEDDED
            .iter()
            .map(|(name, text)| (name.to_string(), *text)),
        reference,
    )
}

/// The text of one procedure file, or why it cannot be read.
fn read_text(p: &Path) -> Result<String, LintError> {
    match std::fs::read(p) {
        Ok(bytes) => String::from_utf8(bytes).map_err(|_| LintError {
            file: p.display().to_string(),
            line: 1,
            message: "le fichier n'est pas en UTF-8".into(),
        }),
        Err(e) => Err(LintError {
            file: p.display().to_string(),
            line: 1,
            message: format!("illisible : {e}"),
        }),
    }
}

/// Reads every `*.toml` of a folder (not recursive), in name order.
pub fn load_dir(dir: &Path, reference: &Reference) -> std::io::Result<Catalog> {
    let mut texts = Vec::new();
    let mut problems = Vec::new();
    for p in toml_files(dir)? {
        match read_text(&p) {
            Ok(t) => texts.push((p.display().to_string(), t)),
            Err(problem) => problems.push(problem),
        }
    }
    let mut catalog = load_files(
        texts.iter().map(|(f, t)| (f.clone(), t.as_str())),
        reference,
    );
    catalog.problems.splice(0..0, problems);
    Ok(catalog)
}

#[cfg(test)]
mod fingerprint_tests {
    use super::{CatalogSource, FileHashes, file_hash, files_fingerprint, load_dir};

    #[test]
    fn a_folders_hashes_changed_file_by_file_give_its_fingerprint_read_whole() {
        let dir = tempfile::tempdir().unwrap();
        let reference = crate::catalog::embedded_reference();
        let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
        let whole = || {
            let source = CatalogSource::dir(dir.path(), &reference);
            let fingerprint = source.fingerprint().unwrap();
            assert_eq!(
                load_dir(dir.path(), &reference).unwrap().fingerprint(),
                fingerprint
            );
            fingerprint
        };
        write("b.toml", "b");
        write("d.toml", "d");
        write("notes.txt", "pas une procédure");
        let mut hashes = FileHashes::of_dir(dir.path()).unwrap();
        assert_eq!(hashes.fingerprint(), whole());
        let two = files_fingerprint([("b.toml", &b"b"[..]), ("d.toml", &b"d"[..])]);
        assert_eq!(hashes.fingerprint(), two);
        // Added before and between, changed, removed: each file told alone.
        write("a.toml", "a");
        write("c.toml", "c");
        write("d.toml", "dd");
        std::fs::remove_file(dir.path().join("b.toml")).unwrap();
        for (name, text) in [
            ("d.toml", Some("dd")),
            ("a.toml", Some("a")),
            ("b.toml", None),
            ("c.toml", Some("c")),
            ("e.toml", None),
        ] {
            hashes.set(name, text.map(|t| file_hash(t.as_bytes())));
        }
        assert_eq!(hashes, FileHashes::of_dir(dir.path()).unwrap());
        assert_eq!(hashes.fingerprint(), whole());
        assert_ne!(hashes.fingerprint(), two);
    }

    #[test]
    fn any_byte_changed_moved_or_renamed_changes_the_fingerprint() {
        let text: Vec<u8> = (0..40u8).map(|i| b'a' + i % 26).collect();
        let base = files_fingerprint([("a.toml", &text[..]), ("b.toml", &b"slug = 'b'"[..])]);
        let mut seen = std::collections::HashSet::from([base.clone()]);
        for at in 0..text.len() {
            for bit in [0x01, 0x80] {
                let mut changed = text.clone();
                changed[at] ^= bit;
                let f =
                    files_fingerprint([("a.toml", &changed[..]), ("b.toml", &b"slug = 'b'"[..])]);
                assert!(
                    seen.insert(f),
                    "byte {at}, bit {bit:#x}: a fingerprint seen before"
                );
            }
        }
        // A byte moving from one file to the next, a file renamed, one more file.
        for other in [
            files_fingerprint([
                ("a.toml", &text[..39]),
                ("b.toml", &[&text[39..], b"slug = 'b'"].concat()[..]),
            ]),
            files_fingerprint([("c.toml", &text[..]), ("b.toml", &b"slug = 'b'"[..])]),
            files_fingerprint([
                ("a.toml", &text[..]),
                ("b.toml", &b"slug = 'b'"[..]),
                ("c.toml", &b""[..]),
            ]),
            files_fingerprint([("a.toml", &text[..]), ("b.toml", &b"slug = 'b'\0"[..])]),
        ] {
            assert!(seen.insert(other.clone()), "{other}");
        }
        assert!(base.ends_with("-2"), "{base}");
    }
}
