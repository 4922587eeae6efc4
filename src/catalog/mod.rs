//! Reads the desk's data files (services, devices) into domain types. The files are
//! embedded at build time so a fresh install needs nothing beside the binary.

pub mod calendar;
pub mod folder;
pub mod procedures;
pub mod skeleton;
pub mod thesaurus;
mod when;

use crate::domain::reference::{ASSISTANCE_PLATFORMS, Device, Entity, Reference, Service};
use serde::Deserialize;
use std::collections::HashSet;
use thiserror::Error;

pub const SERVICES_TOML: &str = include_str!("../../db/services.toml");
pub const DEVICES_TOML: &str = include_str!("../../db/devices.toml");

#[derive(Debug, Error)]
pub enum CatalogError {
    #[error("{file} : {message}")]
    Syntax { file: String, message: String },
    #[error("{file} : {message}")]
    Invalid { file: String, message: String },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ServicesFile {
    services: Vec<ServiceEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ServiceEntry {
    slug: String,
    label: String,
    short: String,
    #[serde(default)]
    keywords: Vec<String>,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    entities: Vec<EntityEntry>,
    /// The assistance platform whose hours the console shows for this service.
    #[serde(default)]
    assistance: Option<String>,
    #[allow(dead_code)] // kept in the file for reviewers; not shown anywhere yet
    source: Option<toml::Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EntityEntry {
    code: String,
    label: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DevicesFile {
    devices: Vec<DeviceEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DeviceEntry {
    slug: String,
    label: String,
    short: String,
    #[serde(default)]
    keywords: Vec<String>,
    #[serde(default)]
    aliases: Vec<String>,
}

/// The reference lists embedded in the binary.
pub fn embedded_reference() -> Reference {
    parse_reference(SERVICES_TOML, DEVICES_TOML)
        .expect("the embedded db/services.toml and db/devices.toml are checked by the tests")
}

/// Parses and checks the two reference files.
pub fn parse_reference(services: &str, devices: &str) -> Result<Reference, CatalogError> {
    let sf: ServicesFile = toml::from_str(services).map_err(|e| CatalogError::Syntax {
        file: "services.toml".into(),
        message: e.to_string(),
    })?;
    let df: DevicesFile = toml::from_str(devices).map_err(|e| CatalogError::Syntax {
        file: "devices.toml".into(),
        message: e.to_string(),
    })?;
    if let Some(s) = sf.services.iter().find(|s| {
        s.assistance
            .as_deref()
            .is_some_and(|a| !ASSISTANCE_PLATFORMS.contains(&a))
    }) {
        return Err(CatalogError::Invalid {
            file: "services.toml".into(),
            message: format!(
                "plateforme d'assistance inconnue « {} » pour le service « {} » : {}",
                s.assistance.as_deref().unwrap_or_default(),
                s.slug,
                ASSISTANCE_PLATFORMS.join(", ")
            ),
        });
    }
    let services: Vec<Service> = sf
        .services
        .into_iter()
        .map(|s| Service {
            assistance: s.assistance,
            slug: s.slug,
            label: s.label,
            short: s.short,
            keywords: s.keywords,
            aliases: s.aliases,
            entities: s
                .entities
                .into_iter()
                .map(|e| Entity {
                    code: e.code,
                    label: e.label,
                })
                .collect(),
        })
        .collect();
    let devices: Vec<Device> = df
        .devices
        .into_iter()
        .map(|d| Device {
            slug: d.slug,
            label: d.label,
            short: d.short,
            keywords: d.keywords,
            aliases: d.aliases,
        })
        .collect();
    check_slugs("services.toml", services.iter().map(|s| s.slug.as_str()))?;
    check_slugs("devices.toml", devices.iter().map(|d| d.slug.as_str()))?;
    Ok(Reference { services, devices })
}

fn check_slugs<'a>(file: &str, slugs: impl Iterator<Item = &'a str>) -> Result<(), CatalogError> {
    let mut seen = HashSet::new();
    for slug in slugs {
        if !crate::domain::call::is_slug(slug) {
            return Err(CatalogError::Invalid {
                file: file.into(),
                message: format!("identifiant invalide « {slug} »"),
            });
        }
        if !seen.insert(slug) {
            return Err(CatalogError::Invalid {
                file: file.into(),
                message: format!("identifiant en double « {slug} »"),
            });
        }
    }
    if seen.is_empty() {
        return Err(CatalogError::Invalid {
            file: file.into(),
            message: "la liste est vide".into(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_reference_has_the_design_slugs() {
        let r = embedded_reference();
        let services: Vec<_> = r.services.iter().map(|s| s.slug.as_str()).collect();
        assert_eq!(
            services,
            [
                "mi",
                "social-direccte",
                "social-drdjscs",
                "mtes",
                "acn-caen",
                "acn-rouen",
                "gip-tn"
            ]
        );
        let devices: Vec<_> = r.devices.iter().map(|d| d.slug.as_str()).collect();
        assert_eq!(
            devices,
            [
                "noemi",
                "span",
                "pc-pro",
                "pc-perso",
                "smartphone-pro",
                "smartphone-perso",
                "ip-phone",
                "copier",
                "usb-media",
                "other"
            ]
        );
    }

    #[test]
    fn interior_ministry_carries_its_comu_entities() {
        let r = embedded_reference();
        let codes: Vec<_> = r
            .service("mi")
            .unwrap()
            .entities
            .iter()
            .map(|e| e.code.as_str())
            .collect();
        assert_eq!(
            codes,
            [
                "AC",
                "AT",
                "PJ",
                "SP",
                "DG",
                "CRS",
                "PAF",
                "PPOL",
                "gendarmerie"
            ]
        );
        let ppol = &r.service("mi").unwrap().entities[7];
        assert_eq!(ppol.label, "Préfecture de police");
    }

    #[test]
    fn the_academys_two_perimeters_show_amigo() {
        let r = embedded_reference();
        let with_amigo: Vec<&str> = r
            .services
            .iter()
            .filter(|s| s.shows_amigo())
            .map(|s| s.slug.as_str())
            .collect();
        assert_eq!(with_amigo, ["acn-caen", "acn-rouen"]);
        assert_eq!(
            r.service("acn-caen").unwrap().assistance.as_deref(),
            Some("amigo")
        );
        assert_eq!(r.service("mi").unwrap().assistance, None);
        assert!(r.shows_amigo("acn-rouen"));
        assert!(!r.shows_amigo("mi"));
        assert!(!r.shows_amigo("gip-tn"));
        assert!(
            !r.shows_amigo("acn-lille"),
            "an unknown service shows nothing"
        );
        assert!(!r.shows_amigo(""));
    }

    #[test]
    fn an_unknown_assistance_platform_is_refused() {
        let services = "[[services]]\nslug='acn-x'\nlabel='X'\nshort='X'\nassistance='amgio'\n";
        let err = parse_reference(services, DEVICES_TOML).unwrap_err();
        assert_eq!(
            err.to_string(),
            "services.toml : plateforme d'assistance inconnue « amgio » pour le service « acn-x » : \
             amigo"
        );
        let services = "[[services]]\nslug='acn-x'\nlabel='X'\nshort='X'\nassistance='amigo'\n";
        assert!(
            parse_reference(services, DEVICES_TOML)
                .unwrap()
                .shows_amigo("acn-x")
        );
    }

    #[test]
    fn duplicate_and_bad_slugs_are_refused() {
        let dup = "[[devices]]\nslug='a'\nlabel='A'\nshort='A'\n[[devices]]\nslug='a'\nlabel='B'\nshort='B'\n";
        let err = parse_reference(SERVICES_TOML, dup).unwrap_err();
        assert_eq!(
            err.to_string(),
            "devices.toml : identifiant en double « a »"
        );
        let bad = "[[devices]]\nslug='A b'\nlabel='A'\nshort='A'\n";
        assert!(
            parse_reference(SERVICES_TOML, bad)
                .unwrap_err()
                .to_string()
                .contains("« A b »")
        );
    }
}
