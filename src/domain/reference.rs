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
}

/// Something a type-ahead picker can offer.
pub trait Pickable {
    fn slug(&self) -> &str;
    fn label(&self) -> &str;
    fn short(&self) -> &str;
    fn keywords(&self) -> &[String];
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
}

/// How well an item answers a type-ahead query; `None` when it does not match at all.
/// Word starts in the label beat the slug, which beats a keyword, which beats a match
/// inside a word, so "int" ranks "Ministère de l'Intérieur" first.
pub fn pick_score(item: &impl Pickable, query: &str) -> Option<u32> {
    let q = fold(query.trim());
    if q.is_empty() {
        return Some(0);
    }
    let label = fold(item.label());
    let short = fold(item.short());
    let slug = item.slug();
    let word_start = |hay: &str| {
        hay.split(|c: char| !c.is_alphanumeric())
            .any(|w| w.starts_with(&q))
    };
    if slug == q {
        Some(100)
    } else if word_start(&label) || word_start(&short) {
        Some(80)
    } else if slug.starts_with(&q) {
        Some(70)
    } else if item.keywords().iter().any(|k| word_start(&fold(k))) {
        Some(50)
    } else if label.contains(&q) || short.contains(&q) || slug.contains(&q) {
        Some(30)
    } else {
        None
    }
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
