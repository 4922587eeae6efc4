//! COMU web-conference logins of the Ministère de l'Intérieur (seed 003, "COMU").
//!
//! Form: `<domaine>-<nom><deux premières lettres du prénom>@comu.minint.fr`, in lower case
//! (Jean Dupont, AC → `ac-dupontje@comu.minint.fr`); the gendarmerie uses
//! `prenom.nom@comu.minint.fr`.
//!
//! Decisions the seed leaves open:
//! - the domain is `comu.minint.fr`: the seed's examples and the address
//!   webconf.comu.minint.fr agree; its format lines `@comun.minint.fr` and
//!   `@comun.mintint.fr` are typos;
//! - accents are removed (é → e, ç → c, œ → oe), as in every directory login;
//! - in the domain form the login is one word: spaces, hyphens and apostrophes of the names
//!   are dropped (Éloïse Le Gall-N'Diaye, AC → `ac-legallndiayeel`);
//! - in the gendarmerie form compound names keep their hyphens, spaces become hyphens and
//!   apostrophes are dropped (`eloise.le-gall-ndiaye`);
//! - the operator reads the result back to the caller: a directory may differ for rare
//!   names, and the caller's real login wins.

use super::text::fold;
use serde::Serialize;
use thiserror::Error;

pub const COMU_DOMAIN: &str = "comu.minint.fr";
pub const COMU_ADDRESS: &str = "https://webconf.comu.minint.fr";
/// The entity codes of the domain form.
/// How names become a login, said to the operator: the desk's rule, guide 003 says nothing
/// of accents or compound names (see the decisions above).
pub const FOLDING_RULE: &str = "Le guide ne parle ni d'accents ni de noms composés ; règle du \
     guichet : accents retirés ; espaces, tirets, apostrophes ôtés (gendarmerie : tirets gardés). \
     Relire l'identifiant avec l'agent : le sien prime.";

pub const ENTITIES: &[&str] = &["AC", "AT", "PJ", "SP", "DG", "CRS", "PAF", "PPOL"];

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ComuLogin {
    pub login: String,
    /// Which password goes with this form of login.
    pub password: &'static str,
    pub address: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ComuError {
    #[error("prénom vide")]
    NoFirstName,
    #[error("nom vide")]
    NoLastName,
    #[error("domaine « {0} » inconnu : attendu AC, AT, PJ, SP, DG, CRS, PAF, PPOL ou gendarmerie")]
    Domain(String),
    #[error("« {0} » ne contient aucune lettre utilisable dans un identifiant")]
    NoLetters(String),
}

/// Letters and digits of a folded name; `keep_hyphens` turns spaces and hyphens into single
/// hyphens instead of dropping them.
fn login_part(name: &str, keep_hyphens: bool) -> String {
    let folded = fold(name);
    let mut out = String::new();
    for c in folded.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if keep_hyphens && (c == '-' || c.is_whitespace()) && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}

/// The COMU domain a summary names: an entity's code written in capitals as a word
/// (« en PPOL »), its label (« police judiciaire »), or the gendarmerie (« un gendarme »),
/// from the `entities` of the call's service. Codes in lower case are not read: « pj »
/// is as often a « pièce jointe ».
pub fn domain_in(text: &str, entities: &[super::reference::Entity]) -> Option<String> {
    let folded = format!(" {} ", words_of(&fold(text)));
    let by_label = entities.iter().find(|e| {
        // « gendarme », « gendarmes », « gendarmerie »: the word its agents say.
        let gendarmerie = e.code.eq_ignore_ascii_case("gendarmerie") && folded.contains(" gendarm");
        gendarmerie || folded.contains(&format!(" {} ", words_of(&fold(&e.label))))
    });
    let by_code = || {
        text.split(|c: char| !c.is_alphanumeric())
            .find_map(|w| entities.iter().find(|e| e.code == w && w.len() > 1))
    };
    by_label.or_else(by_code).map(|e| e.code.clone())
}

/// Letters and digits of a folded text, the rest turned to single spaces.
fn words_of(folded: &str) -> String {
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn comu_login(first_name: &str, last_name: &str, domain: &str) -> Result<ComuLogin, ComuError> {
    if first_name.trim().is_empty() {
        return Err(ComuError::NoFirstName);
    }
    if last_name.trim().is_empty() {
        return Err(ComuError::NoLastName);
    }
    let domain_clean = domain.trim();
    if domain_clean.eq_ignore_ascii_case("gendarmerie") {
        let first = login_part(first_name, true);
        let last = login_part(last_name, true);
        for (part, raw) in [(&first, first_name), (&last, last_name)] {
            if part.is_empty() {
                return Err(ComuError::NoLetters(raw.to_string()));
            }
        }
        return Ok(ComuLogin {
            login: format!("{first}.{last}@{COMU_DOMAIN}"),
            password: "mot de passe intranet",
            address: COMU_ADDRESS,
        });
    }
    let code = domain_clean.to_uppercase();
    if !ENTITIES.contains(&code.as_str()) {
        return Err(ComuError::Domain(domain.to_string()));
    }
    let last = login_part(last_name, false);
    let first = login_part(first_name, false);
    if last.is_empty() {
        return Err(ComuError::NoLetters(last_name.to_string()));
    }
    if first.is_empty() {
        return Err(ComuError::NoLetters(first_name.to_string()));
    }
    let two: String = first.chars().take(2).collect();
    Ok(ComuLogin {
        login: format!("{}-{last}{two}@{COMU_DOMAIN}", code.to_lowercase()),
        password: "mot de passe de session Windows",
        address: COMU_ADDRESS,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_examples() {
        let jd = comu_login("Jean", "Dupont", "AC").unwrap();
        assert_eq!(jd.login, "ac-dupontje@comu.minint.fr");
        assert_eq!(jd.password, "mot de passe de session Windows");
        let g = comu_login("Jean", "Dupont", "gendarmerie").unwrap();
        assert_eq!(g.login, "jean.dupont@comu.minint.fr");
        assert_eq!(g.password, "mot de passe intranet");
        // The seed's screenshot shows ac-rolletva: a last name Rollet, first name Va...
        assert_eq!(
            comu_login("Valérie", "Rollet", "ac").unwrap().login,
            "ac-rolletva@comu.minint.fr"
        );
    }

    #[test]
    fn accents_spaces_hyphens_and_apostrophes() {
        assert_eq!(
            comu_login("Éloïse", "Le Gall-N'Diaye", "PPOL")
                .unwrap()
                .login,
            "ppol-legallndiayeel@comu.minint.fr"
        );
        assert_eq!(
            comu_login("Éloïse", "Le Gall-N'Diaye", "Gendarmerie")
                .unwrap()
                .login,
            "eloise.le-gall-ndiaye@comu.minint.fr"
        );
        assert_eq!(
            comu_login("Jean-Pierre", "Çelik", "crs").unwrap().login,
            "crs-celikje@comu.minint.fr"
        );
        assert_eq!(
            comu_login("Zoé", "Œuvray", "SP").unwrap().login,
            "sp-oeuvrayzo@comu.minint.fr"
        );
    }

    #[test]
    fn every_domain_and_bad_input() {
        for d in ENTITIES {
            let l = comu_login("Jean", "Dupont", d).unwrap().login;
            assert!(l.starts_with(&format!("{}-dupontje@", d.to_lowercase())));
            assert!(!l.contains("comun") && !l.contains("mintint"));
        }
        assert_eq!(
            comu_login("Jean", "Dupont", "XX").unwrap_err().to_string(),
            "domaine « XX » inconnu : attendu AC, AT, PJ, SP, DG, CRS, PAF, PPOL ou gendarmerie"
        );
        assert_eq!(comu_login(" ", "Dupont", "AC"), Err(ComuError::NoFirstName));
        assert!(matches!(
            comu_login("Jean", "'-", "AC"),
            Err(ComuError::NoLetters(_))
        ));
    }

    #[test]
    fn the_domain_is_read_from_a_summary() {
        let reference = crate::catalog::embedded_reference();
        let entities = &reference.service("mi").unwrap().entities;
        let found = |t: &str| domain_in(t, entities);
        assert_eq!(
            found("agent de la Police Judiciaire").as_deref(),
            Some("PJ")
        );
        assert_eq!(
            found("il est en PPOL, comu refuse").as_deref(),
            Some("PPOL")
        );
        assert_eq!(
            found("un gendarme ne se connecte pas").as_deref(),
            Some("gendarmerie")
        );
        // A code in lower case is not read: « pj » is as often a « pièce jointe ».
        assert_eq!(found("la pj ne part pas"), None);
        assert_eq!(found("connexion comu impossible"), None);
        assert_eq!(domain_in("police judiciaire", &[]), None);
    }
}
