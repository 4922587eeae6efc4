//! The XiVO telephony codes of the Académie de Normandie (seed 002, "La téléphonie").

use super::text::fold;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PhoneCode {
    pub code: &'static str,
    pub what: &'static str,
    /// What to dial after the code, if anything.
    pub then: &'static str,
}

pub const CODES: &[PhoneCode] = &[
    PhoneCode {
        code: "*21",
        what: "Renvoi immédiat de tous les appels",
        then: "n° de poste ou n° de portable",
    },
    PhoneCode {
        code: "*22",
        what: "Renvoi sur non-réponse",
        then: "n° de poste ou n° de portable",
    },
    PhoneCode {
        code: "*23",
        what: "Renvoi sur occupation",
        then: "n° de poste ou n° de portable",
    },
    PhoneCode {
        code: "*20",
        what: "Désactiver tous les renvois",
        then: "",
    },
    PhoneCode {
        code: "*10",
        what: "État des renvois : une voix dit quels services sont activés",
        then: "",
    },
    PhoneCode {
        code: "*25",
        what: "Activer ou désactiver « Ne pas déranger » : les appels vont sur la messagerie",
        then: "",
    },
    PhoneCode {
        code: "*98",
        what: "Consulter la messagerie vocale",
        then: "",
    },
];

/// The codes whose number or description matches `query` (any case, any accents); all of
/// them for an empty query.
pub fn search(query: &str) -> Vec<PhoneCode> {
    let q = fold(query.trim());
    CODES
        .iter()
        .filter(|c| q.is_empty() || c.code.contains(&q) || fold(c.what).contains(&q))
        .copied()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_codes_are_all_there() {
        let codes: Vec<_> = CODES.iter().map(|c| c.code).collect();
        assert_eq!(codes, ["*21", "*22", "*23", "*20", "*10", "*25", "*98"]);
        assert_eq!(search("occupation")[0].code, "*23");
        assert_eq!(search("MESSAGERIE").len(), 2);
        assert_eq!(search("*2").len(), 5);
        assert_eq!(search("").len(), 7);
        assert!(search("fax").is_empty());
    }
}
