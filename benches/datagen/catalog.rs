//! A large, realistic procedure catalogue made by recombining the 40 real procedures:
//! their titles, summaries, keywords and steps are mixed across procedures, lightly
//! mutated (words swapped for other catalogue words, typo spellings as keywords, local
//! variants, application names), so that term frequencies stay those of help-desk French.

use super::rng::{Rng, Weighted};
use guichet::domain::procedure::{Applies, Procedure, Step, StepKind};
use guichet::domain::reference::Reference;
use guichet::domain::text::fold;
use std::collections::HashSet;

/// Local variants a desk writes into its own copies of a procedure.
const QUALIFIERS: &[&str] = &[
    "site de Caen",
    "site de Rouen",
    "site de Saint-Lô",
    "site d'Évreux",
    "site d'Alençon",
    "préfecture du Calvados",
    "préfecture de la Manche",
    "préfecture de l'Orne",
    "préfecture de Seine-Maritime",
    "sous-préfecture de Dieppe",
    "DDT de l'Eure",
    "DDTM de la Manche",
    "DREAL Normandie",
    "DIRECCTE Normandie",
    "DRDJSCS Normandie",
    "rectorat",
    "DSDEN du Calvados",
    "DSDEN de la Seine-Maritime",
    "circonscription",
    "lycée",
    "collège",
    "CIO",
    "Beauvau",
    "Oudinot",
    "Lumière",
    "Lognes",
    "Garance",
    "La Défense",
    "agents nomades",
    "télétravail",
    "poste partagé",
    "accueil du public",
    "nouveaux arrivants",
    "astreinte et week-end",
    "version 2025",
    "version 2026",
    "ancienne version",
    "Windows 10",
    "Windows 11",
    "Mac",
    "Linux",
    "iPhone",
    "Android",
    "cadres",
    "secrétariat",
    "service RH",
];

const SYLLABLES: &[&str] = &[
    "ar", "bel", "cal", "dor", "e", "fi", "gal", "hel", "ia", "lor", "mar", "nix", "o", "pra",
    "qua", "ris", "sol", "ta", "u", "ver", "xa", "zen", "ka", "lu", "mi", "no", "po", "ru", "si",
    "ve", "tra", "cor", "syl", "ges", "chor", "pla", "sir", "hu", "dia", "net",
];

/// Names of business applications, as many as a real ministry has.
fn application_names(rng: &mut Rng, n: usize) -> Vec<String> {
    let mut seen = HashSet::new();
    let mut names = Vec::with_capacity(n);
    while names.len() < n {
        let parts = rng.range(2, 4);
        let mut name = String::new();
        for _ in 0..parts {
            let syllable = *rng.pick(SYLLABLES);
            name.push_str(syllable);
        }
        if name.len() < 4 || !seen.insert(name.clone()) {
            continue;
        }
        let name = if rng.chance(0.35) {
            name.to_uppercase()
        } else {
            let mut c = name.chars();
            let first = c.next().map(|f| f.to_uppercase().collect::<String>());
            first.unwrap_or_default() + c.as_str()
        };
        names.push(name);
    }
    names
}

/// One letter dropped, doubled or two neighbours swapped: how callers spell a product.
fn typo(rng: &mut Rng, word: &str) -> String {
    let mut chars: Vec<char> = word.chars().collect();
    if chars.len() < 4 {
        return word.to_string();
    }
    let i = rng.range(1, chars.len() - 2);
    match rng.below(3) {
        0 => {
            chars.remove(i);
        }
        1 => chars.insert(i, chars[i]),
        _ => chars.swap(i, i + 1),
    }
    chars.into_iter().collect()
}

fn is_plain_word(w: &str) -> bool {
    w.chars().count() >= 5 && w.chars().all(char::is_alphabetic)
}

/// Cuts to at most `max` characters at a word boundary.
fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max).collect();
    match cut.rfind(' ') {
        Some(i) => cut[..i].trim_end_matches([' ', ':', ',', '—']).to_string(),
        None => cut,
    }
}

struct Vocabulary<'a> {
    real: &'a [Procedure],
    /// Parts of titles around " : ".
    segments: Vec<&'a str>,
    /// Sentences of summaries.
    sentences: Vec<String>,
    /// Plain words of step texts, with repetitions (so drawing keeps their frequencies).
    words: Vec<&'a str>,
    /// Every real step.
    steps: Vec<&'a Step>,
    applications: Vec<String>,
    application_weights: Weighted,
    base_weights: Weighted,
    service_weights: Weighted,
    device_weights: Weighted,
    services: Vec<&'a str>,
    devices: Vec<&'a str>,
}

impl<'a> Vocabulary<'a> {
    fn new(real: &'a [Procedure], reference: &'a Reference, rng: &mut Rng) -> Vocabulary<'a> {
        let mut segments = Vec::new();
        let mut sentences = Vec::new();
        let mut words = Vec::new();
        let mut steps = Vec::new();
        for p in real {
            segments.extend(p.title.split(" : ").map(str::trim));
            for s in p.summary.split(". ") {
                let s = s.trim().trim_end_matches('.');
                if !s.is_empty() {
                    sentences.push(format!("{s}."));
                }
            }
            for s in &p.steps {
                steps.push(s);
                words.extend(
                    s.text
                        .split(|c: char| !c.is_alphabetic() && c != '\'')
                        .filter(|w| is_plain_word(w)),
                );
            }
        }
        // Some topics (VPN, passwords, the agent card) have many more local variants.
        let mut ranks: Vec<usize> = (0..real.len()).collect();
        rng.shuffle(&mut ranks);
        let base_weights =
            Weighted::new((0..real.len()).map(|i| 1.0 / ((ranks[i] + 1) as f64).powf(0.6)));
        let applications = application_names(rng, 800);
        Vocabulary {
            real,
            segments,
            sentences,
            words,
            steps,
            application_weights: Weighted::zipf(applications.len(), 0.9),
            applications,
            base_weights,
            service_weights: Weighted::new(
                reference
                    .services
                    .iter()
                    .map(|s| super::service_weight(&s.slug)),
            ),
            device_weights: Weighted::new(
                reference
                    .devices
                    .iter()
                    .map(|d| super::device_weight(&d.slug)),
            ),
            services: reference.services.iter().map(|s| s.slug.as_str()).collect(),
            devices: reference.devices.iter().map(|d| d.slug.as_str()).collect(),
        }
    }

    /// Replaces one plain word of `text` by another word of the catalogue.
    fn swap_word(&self, rng: &mut Rng, text: &str) -> String {
        let tokens: Vec<&str> = text.split(' ').collect();
        let candidates: Vec<usize> = (0..tokens.len())
            .filter(|&i| is_plain_word(tokens[i]))
            .collect();
        if candidates.is_empty() {
            return text.to_string();
        }
        let at = *rng.pick(&candidates);
        let replacement = *rng.pick(&self.words);
        tokens
            .iter()
            .enumerate()
            .map(|(i, t)| if i == at { replacement } else { t })
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn applies(&self, rng: &mut Rng, base: &Applies, pool: &[&str], weights: &Weighted) -> Applies {
        if rng.chance(0.12) {
            return Applies::All;
        }
        if let Applies::Only(list) = base
            && rng.chance(0.5)
        {
            return Applies::Only(list.clone());
        }
        let n = rng.range(1, 3.min(pool.len()));
        let mut chosen: Vec<String> = Vec::new();
        while chosen.len() < n {
            let s = pool[weights.sample(rng)];
            if !chosen.iter().any(|c| c == s) {
                chosen.push(s.to_string());
            }
        }
        Applies::Only(chosen)
    }

    fn procedure(&self, rng: &mut Rng, index: usize) -> Procedure {
        let base = &self.real[self.base_weights.sample(rng)];
        let donor = &self.real[rng.below(self.real.len())];
        let application = rng
            .chance(0.45)
            .then(|| self.applications[self.application_weights.sample(rng)].clone());
        let qualifier = rng.chance(0.5).then(|| *rng.pick(QUALIFIERS));

        let head = base.title.split(" : ").next().unwrap_or(&base.title);
        let mut title = match rng.below(10) {
            0..=3 => base.title.clone(),
            4..=5 => format!("{head} : {}", rng.pick(&self.segments)),
            6..=7 => self.swap_word(rng, &base.title),
            _ => match &application {
                Some(app) => format!("{app} : {}", rng.pick(&self.segments)),
                None => format!(
                    "{} : {}",
                    donor.title.split(" : ").next().unwrap_or(head),
                    head
                ),
            },
        };
        if let Some(q) = qualifier {
            title = format!("{title} — {q}");
        }
        let title = clip(&title, 80);

        let mut summary = if rng.chance(0.5) {
            self.swap_word(rng, &base.summary)
        } else {
            base.summary.clone()
        };
        if rng.chance(0.4) {
            summary.push(' ');
            summary.push_str(rng.pick(&self.sentences).as_str());
        }
        if let Some(app) = &application {
            summary.push_str(&format!(" Concerne l'application {app}."));
        }

        let mut keywords: Vec<String> = base
            .keywords
            .iter()
            .filter(|_| rng.chance(0.7))
            .cloned()
            .collect();
        for _ in 0..rng.range(1, 4) {
            keywords.push(rng.pick(&donor.keywords).clone());
        }
        if rng.chance(0.3) && !base.keywords.is_empty() {
            let k = rng.pick(&base.keywords);
            let spelled = k
                .split(' ')
                .map(|w| {
                    if is_plain_word(w) {
                        typo(rng, w)
                    } else {
                        w.to_string()
                    }
                })
                .collect::<Vec<_>>()
                .join(" ");
            keywords.push(spelled);
        }
        if let Some(app) = &application {
            keywords.push(fold(app));
        }
        if let Some(q) = qualifier {
            keywords.push(fold(q));
        }
        let mut seen = HashSet::new();
        keywords.retain(|k| seen.insert(k.clone()));

        Procedure {
            slug: format!("{}-v{index:05}", base.slug),
            title,
            summary,
            services: self.applies(rng, &base.services, &self.services, &self.service_weights),
            devices: self.applies(rng, &base.devices, &self.devices, &self.device_weights),
            keywords,
            sources: base.sources.clone(),
            editor_notes: base.editor_notes.clone().filter(|_| rng.chance(0.3)),
            tool: base.tool,
            version: None,
            owner: base.owner.clone(),
            steps: self.steps(rng, base, donor, qualifier),
        }
    }

    /// 5 to 12 steps: the base's in order, completed by the donor's and random ones, with
    /// a valid graph (questions lead forward, the last step ends).
    fn steps(
        &self,
        rng: &mut Rng,
        base: &Procedure,
        donor: &Procedure,
        qualifier: Option<&str>,
    ) -> Vec<Step> {
        let n = rng.range(5, 12);
        let mut picked: Vec<&Step> = base.steps.iter().filter(|_| rng.chance(0.85)).collect();
        picked.truncate(n);
        while picked.len() < n {
            let extra = if rng.chance(0.6) && !donor.steps.is_empty() {
                rng.pick(&donor.steps)
            } else {
                *rng.pick(&self.steps)
            };
            let at = rng.range(0, picked.len());
            picked.insert(at, extra);
        }
        let id = |j: usize| format!("etape-{}", j + 1);
        picked
            .iter()
            .enumerate()
            .map(|(j, s)| {
                let last = j + 1 == n;
                let kind = match &s.kind {
                    StepKind::Ask { .. } if !last => StepKind::Ask {
                        yes: id(j + 1),
                        no: id((j + 2).min(n - 1)),
                    },
                    StepKind::Ask { .. } => StepKind::Check,
                    other => other.clone(),
                };
                // An escalation's text says where the call goes (lint checks it): its
                // words stay.
                let swap = rng.chance(0.25) && !matches!(s.kind, StepKind::Escalate { .. });
                let mut text = if swap {
                    self.swap_word(rng, &s.text)
                } else {
                    s.text.clone()
                };
                if let Some(q) = qualifier.filter(|_| rng.chance(0.1)) {
                    text.push_str(&format!(" ({q})"));
                }
                Step {
                    id: id(j),
                    kind,
                    text,
                    next: None,
                    end: last,
                    conditions: Default::default(),
                }
            })
            .collect()
    }
}

/// `n` procedures derived from `real`, sorted by slug like a loaded catalogue.
pub fn procedures(
    real: &[Procedure],
    reference: &Reference,
    n: usize,
    seed: u64,
) -> Vec<Procedure> {
    let mut rng = Rng::new(seed);
    let vocabulary = Vocabulary::new(real, reference, &mut rng);
    let mut out: Vec<Procedure> = (0..n).map(|i| vocabulary.procedure(&mut rng, i)).collect();
    out.sort_by(|a, b| a.slug.cmp(&b.slug));
    out
}
