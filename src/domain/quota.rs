//! The NOEMI 4G line's data use (seed 003, "Aide 4G"): when the « cellulaire » use read in
//! Windows is over 20 GB, the operator throttles the connection. The seed gives no period
//! (it never says "per month") and no date the throttling ends.

use serde::Serialize;
use thiserror::Error;

pub const THROTTLE_LIMIT_GB: f64 = 20.0;

/// What the operator has the caller read, in the guide's words (« Vérifier le nombre de Go
/// indiqué pour le « cellulaire » »): the guide gives no period, so none is said.
pub const READ_HINT: &str = "Lire avec l'agent le nombre de Go indiqué pour le « cellulaire » \
     (Paramètres > Réseau et Internet > Consommation des données).";

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuotaAnswer {
    pub used_gb: f64,
    pub limit_gb: f64,
    pub throttled: bool,
    /// What to tell the caller.
    pub advice: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("consommation invalide « {0} » : un nombre de Go, par exemple 12,5")]
pub struct BadQuota(pub String);

/// Reads "12,5", "12.5", "12 Go", "12GB".
pub fn parse_gb(text: &str) -> Result<f64, BadQuota> {
    let t = text.trim().to_lowercase();
    let number = t
        .trim_end_matches("go")
        .trim_end_matches("gb")
        .trim()
        .replace(',', ".");
    match number.parse::<f64>() {
        Ok(v) if v.is_finite() && (0.0..100_000.0).contains(&v) => Ok(v),
        _ => Err(BadQuota(text.to_string())),
    }
}

pub fn quota(used_gb: f64) -> QuotaAnswer {
    let throttled = used_gb > THROTTLE_LIMIT_GB;
    // Guide 003 says only « > 20 Go : connexion bridée par l'opérateur »: no period, no
    // end to the throttling. What to do about it is the desk's advice, marked as such.
    let advice = if throttled {
        format!(
            "{used_gb} Go de données « cellulaire » : au-delà de 20 Go, la connexion est bridée par l'opérateur ; \
             la lenteur peut venir de là. Le guide ne dit pas comment lever le bridage ni quand il cesse. \
             Conseil du guichet : proposer un Wi-Fi personnel, un câble ou le partage de connexion d'un \
             téléphone, et éviter les téléchargements lourds et la vidéo."
        )
    } else {
        format!(
            "{used_gb} Go de données « cellulaire » : 20 Go au plus, la connexion n'est pas bridée par l'opérateur. \
             Conseil du guichet : chercher une autre cause (couverture 4G, VPN : voir ResetVPN)."
        )
    };
    QuotaAnswer {
        used_gb,
        limit_gb: THROTTLE_LIMIT_GB,
        throttled,
        advice,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn over_twenty_gigabytes_is_throttled() {
        assert!(!quota(20.0).throttled, "20 GB exactly is not over 20 GB");
        assert!(quota(20.1).throttled);
        assert!(!quota(3.0).throttled);
        assert!(quota(25.0).advice.contains("bridée"));
        assert_eq!(parse_gb("12,5 Go"), Ok(12.5));
        assert_eq!(parse_gb("21GB"), Ok(21.0));
        assert!(
            parse_gb("beaucoup")
                .unwrap_err()
                .to_string()
                .contains("« beaucoup »")
        );
        assert!(parse_gb("-3").is_err());
    }

    /// Guide 003 says only « > 20 Go : connexion bridée par l'opérateur »: no month, no
    /// date the throttling ends. What to do about it is the desk's advice, marked as such.
    #[test]
    fn the_advice_says_what_the_guide_says_and_marks_the_desks_own() {
        for used in [3.0, 20.0, 20.1, 25.0] {
            let advice = quota(used).advice;
            assert!(
                !advice.contains("mois"),
                "the guide gives no period: {advice}"
            );
            assert!(advice.contains("20 Go"), "{advice}");
            let at = advice
                .find("Conseil du guichet : ")
                .unwrap_or_else(|| panic!("no desk advice marked: {advice}"));
            let guide = &advice[..at];
            for desk in ["Wi-Fi", "câble", "partage", "ResetVPN", "couverture"] {
                assert!(!guide.contains(desk), "{desk} is the desk's: {advice}");
            }
        }
        let over = quota(25.0).advice;
        assert!(over.contains("bridée par l'opérateur"), "{over}");
        assert!(over.contains("Le guide ne dit pas"), "{over}");
        assert!(quota(20.0).advice.contains("pas bridée"));
    }
}
