//! The desk's reference lists: which services callers belong to and which devices they use.

use super::text::fold;
use serde::Serialize;

/// A sub-division of a service that changes how its agents log in (the Interior ministry's
/// COMU domains: AC, AT, PJ ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entity {
    pub code: String,
    pub label: String,
}

/// The assistance platforms a service's agents may be sent to, by the name
/// `services.toml` gives them (`assistance = "amigo"`).
pub const ASSISTANCE_PLATFORMS: &[&str] = &[AMIGO];

/// The Académie de Normandie's assistance platform, whose opening hours the console shows
/// for the academy's callers.
pub const AMIGO: &str = "amigo";

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Service {
    pub slug: String,
    pub label: String,
    pub short: String,
    pub keywords: Vec<String>,
    pub entities: Vec<Entity>,
    /// Names operators type for the service ("rectorat rouen"), matched by the pickers.
    pub aliases: Vec<String>,
    /// The assistance platform the service's agents depend on, if the desk should show
    /// its hours (one of [`ASSISTANCE_PLATFORMS`]).
    pub assistance: Option<String>,
}

impl Service {
    /// Whether the console shows the AMIGO platform's hours for this service's callers.
    pub fn shows_amigo(&self) -> bool {
        self.assistance.as_deref() == Some(AMIGO)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Device {
    pub slug: String,
    pub label: String,
    pub short: String,
    pub keywords: Vec<String>,
    /// Names operators type for the device ("tel fixe"), matched by the pickers.
    pub aliases: Vec<String>,
}

/// Something a type-ahead picker can offer.
pub trait Pickable {
    fn slug(&self) -> &str;
    fn label(&self) -> &str;
    fn short(&self) -> &str;
    fn keywords(&self) -> &[String];
    /// The names operators type for it ("tel fixe" for the IP phone); none by default.
    fn aliases(&self) -> &[String] {
        &[]
    }
}

impl Pickable for Service {
    fn slug(&self) -> &str {
        &self.slug
    }
    fn label(&self) -> &str {
        &self.label
    }
    fn short(&self) -> &str {
        &self.short
    }
    fn keywords(&self) -> &[String] {
        &self.keywords
    }
    fn aliases(&self) -> &[String] {
        &self.aliases
    }
}

impl Pickable for Device {
    fn slug(&self) -> &str {
        &self.slug
    }
    fn label(&self) -> &str {
        &self.label
    }
    fn short(&self) -> &str {
        &self.short
    }
    fn keywords(&self) -> &[String] {
        &self.keywords
    }
    fn aliases(&self) -> &[String] {
        &self.aliases
    }
}

/// The words of a text, folded (no accents, lower case), split at anything that is not a
/// letter or a digit: "Téléphone IP (poste fixe)" → téléphone, ip, poste, fixe.
fn folded_words(text: &str) -> Vec<String> {
    fold(text)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// How well an item answers a type-ahead query; `None` when it does not match at all.
///
/// One word: its slug (100), a whole alias (95), a word start in the label or short label
/// (80), the start of the slug (70), a word start in an alias (60), in a keyword (50), a
/// match inside the label, short label or slug (30); so "int" ranks "Ministère de
/// l'Intérieur" first. Several words: a whole alias (95), an alias the query begins
/// ("tel fi", 90), the query as a phrase at a word start of the label, short label, a
/// keyword or an alias (85); else every word must match, and the item scores its weakest
/// word. Accents, case and punctuation are ignored.
pub fn pick_score(item: &impl Pickable, query: &str) -> Option<u32> {
    if query.trim().is_empty() {
        return Some(0);
    }
    let slug = item.slug();
    if fold(query.trim()) == slug {
        return Some(100);
    }
    let words = folded_words(query);
    if words.is_empty() {
        return None;
    }
    let phrase = words.join(" ");
    // Every text as its folded words joined by one space, so phrases compare simply.
    let joined = |text: &str| folded_words(text).join(" ");
    let aliases: Vec<String> = item.aliases().iter().map(|a| joined(a)).collect();
    if aliases.contains(&phrase) {
        return Some(95);
    }
    let label = joined(item.label());
    let short = joined(item.short());
    let keywords: Vec<String> = item.keywords().iter().map(|k| joined(k)).collect();
    if words.len() > 1 {
        if aliases.iter().any(|a| a.starts_with(&phrase)) {
            return Some(90);
        }
        let phrase_start = format!(" {phrase}");
        let has_phrase = |hay: &String| format!(" {hay}").contains(&phrase_start);
        if [&label, &short]
            .into_iter()
            .chain(&keywords)
            .chain(&aliases)
            .any(has_phrase)
        {
            return Some(85);
        }
    }
    let (label_text, short_text) = (fold(item.label()), fold(item.short()));
    let word_score = |w: &String| -> Option<u32> {
        let starts = |hay: &String| hay.split(' ').any(|h| h.starts_with(w.as_str()));
        if slug == w {
            Some(100)
        } else if starts(&label) || starts(&short) {
            Some(80)
        } else if slug.starts_with(w.as_str()) {
            Some(70)
        } else if aliases.iter().any(starts) {
            Some(60)
        } else if keywords.iter().any(starts) {
            Some(50)
        } else if [&label_text, &short_text, &slug.to_string()]
            .iter()
            .any(|hay| hay.contains(w.as_str()))
        {
            Some(30)
        } else {
            None
        }
    };
    // Every word must match; the weakest one says how well the item does.
    words
        .iter()
        .map(word_score)
        .collect::<Option<Vec<u32>>>()?
        .into_iter()
        .min()
}

/// Indices of the items matching `query`, best first, catalogue order among equals.
pub fn pick<T: Pickable>(items: &[T], query: &str) -> Vec<usize> {
    let mut scored: Vec<(u32, usize)> = items
        .iter()
        .enumerate()
        .filter_map(|(i, it)| pick_score(it, query).map(|s| (s, i)))
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    scored.into_iter().map(|(_, i)| i).collect()
}

/// Services and devices known to the desk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    pub services: Vec<Service>,
    pub devices: Vec<Device>,
}

impl Reference {
    pub fn service(&self, slug: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.slug == slug)
    }

    pub fn device(&self, slug: &str) -> Option<&Device> {
        self.devices.iter().find(|d| d.slug == slug)
    }

    /// Whether a call from service `slug` shows AMIGO's hours; an unknown slug does not.
    pub fn shows_amigo(&self, slug: &str) -> bool {
        self.service(slug).is_some_and(Service::shows_amigo)
    }

    pub fn service_slugs(&self) -> String {
        self.services
            .iter()
            .map(|s| s.slug.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub fn device_slugs(&self) -> String {
        self.devices
            .iter()
            .map(|d| d.slug.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Short label of a service slug, or the slug itself when the service was removed from
    /// the reference after calls were logged with it.
    pub fn service_short<'a>(&'a self, slug: &'a str) -> &'a str {
        self.service(slug).map_or(slug, |s| s.short.as_str())
    }

    pub fn device_short<'a>(&'a self, slug: &'a str) -> &'a str {
        self.device(slug).map_or(slug, |d| d.short.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn device(slug: &str, label: &str, keywords: &[&str], aliases: &[&str]) -> Device {
        let own = |l: &[&str]| l.iter().map(|s| s.to_string()).collect();
        Device {
            slug: slug.into(),
            label: label.into(),
            short: label.into(),
            keywords: own(keywords),
            aliases: own(aliases),
        }
    }

    #[test]
    fn a_whole_alias_ranks_above_words_found_here_and_there() {
        let items = [
            device("desk-phone", "Poste de bureau", &["telephone"], &[]),
            device(
                "ip-phone",
                "Téléphone IP",
                &["renvoi"],
                &["tel fixe", "poste xivo"],
            ),
            device("fax", "Télécopieur", &[], &["fax fixe"]),
        ];
        let score = |i: usize, q: &str| pick_score(&items[i], q);
        // The exact alias, then an alias the query begins, then a phrase in the label,
        // then the weakest of the words.
        assert_eq!(score(1, "tel fixe"), Some(95));
        assert_eq!(score(1, "Tél  Fixe"), Some(95));
        assert_eq!(score(1, "tel fi"), Some(90));
        assert_eq!(score(0, "poste de bu"), Some(85));
        assert_eq!(
            score(1, "telephone renvoi"),
            Some(50),
            "label 80, keyword 50"
        );
        assert_eq!(
            score(1, "telephone xivo"),
            Some(60),
            "label 80, alias word 60"
        );
        assert_eq!(score(1, "xivo"), Some(60));
        assert_eq!(score(0, "telephone bureau"), Some(50));
        assert_eq!(score(0, "tel fixe"), None, "every word must match");
        assert_eq!(score(2, "fax"), Some(100), "the slug");
        assert_eq!(score(2, "fa"), Some(70), "slug prefix before an alias word");
        assert_eq!(score(2, "fax fixe"), Some(95));
        assert_eq!(score(2, "tel fixe"), Some(60), "label 80, alias word 60");
        assert_eq!(pick(&items, "tel fixe"), [1, 2]);
        assert_eq!(pick(&items, "fixe"), [1, 2]);
        assert_eq!(
            pick(&items, "tel"),
            [1, 2, 0],
            "label word starts, then a keyword"
        );
        assert_eq!(pick(&items, "desk-phone"), [0]);
        assert_eq!(
            pick(&items, "-").len(),
            0,
            "punctuation alone matches nothing"
        );
        assert_eq!(score(0, ""), Some(0));
        assert_eq!(score(0, "  "), Some(0));
    }
}
