//! Telemaintenance sessions of the Académie de Normandie (seed 002, "9- La télémaintenance"):
//! the operator gives the caller a single-use session code by phone or mail; the code is
//! kept on the call (harmless once the session is over).

use thiserror::Error;

pub const CLIENT_NAME: &str = "Telemaintenance acNormandie Client";
pub const DOWNLOAD_ADDRESS: &str = "https://telemaintenance.ac-normandie.fr/start/ISLLightClient";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Phone,
    Mail,
}

impl Channel {
    pub fn label(self) -> &'static str {
        match self {
            Channel::Phone => "par téléphone",
            Channel::Mail => "par courriel",
        }
    }
}

/// The longest session code the desk accepts, separators left out. The guide gives no
/// length: this bound is the desk's, generous, only there to refuse a paste gone wrong.
pub const MAX_CODE_CHARS: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error(
    "code de session invalide « {0} » : le « numéro de session » que donne l'opérateur, des chiffres \
     (et des lettres s'il en a), lus avec des espaces ou des tirets ; {MAX_CODE_CHARS} caractères \
     au plus (limite du guichet : le guide ne donne pas de longueur)"
)]
pub struct BadSessionCode(pub String);

/// Checks a session code: letters and digits, with the spaces or dashes it is read out
/// with. The guide calls it a « numéro de session » and gives no length, so the desk asks
/// for at least one digit and nothing but letters and digits, and bounds the length
/// generously ([`MAX_CODE_CHARS`]).
pub fn check_code(code: &str) -> Result<String, BadSessionCode> {
    let clean: String = code
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    let readable = clean.chars().all(|c| c.is_ascii_alphanumeric());
    let has_digit = clean.chars().any(|c| c.is_ascii_digit());
    if readable && has_digit && clean.chars().count() <= MAX_CODE_CHARS {
        Ok(clean)
    } else {
        Err(BadSessionCode(code.to_string()))
    }
}

/// The journal line of a session code given to a caller.
pub fn journal_line(code: &str, channel: Channel) -> String {
    format!(
        "Télémaintenance : code de session {code} donné {} ; client « {CLIENT_NAME} » ({DOWNLOAD_ADDRESS})",
        channel.label()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_checked_and_journaled() {
        assert_eq!(check_code(" 123 456 ").unwrap(), "123456");
        assert_eq!(check_code("AB-12-CD").unwrap(), "AB12CD");
        assert!(
            check_code("12;DROP")
                .unwrap_err()
                .to_string()
                .contains("« 12;DROP »")
        );
        // The guide gives no length: a one-digit session number is not refused, and the
        // upper bound is the desk's own, said so in the message.
        assert_eq!(check_code("7").unwrap(), "7");
        assert_eq!(check_code("12").unwrap(), "12");
        let long = "1".repeat(MAX_CODE_CHARS);
        assert_eq!(check_code(&long).unwrap(), long);
        let too_long = "1".repeat(MAX_CODE_CHARS + 1);
        let msg = check_code(&too_long).unwrap_err().to_string();
        assert!(msg.contains("limite du guichet"), "{msg}");
        assert!(msg.contains("le guide ne donne pas de longueur"), "{msg}");
        assert!(!msg.contains("3 à 20"), "{msg}");
        // Nothing to read out, or nothing that reads as a session number.
        assert!(check_code("").is_err());
        assert!(check_code(" - ").is_err());
        assert!(
            check_code("x").is_err(),
            "a « numéro de session » has digits"
        );
        assert!(check_code("12\u{7}34").is_err());
        let line = journal_line("123456", Channel::Phone);
        assert!(line.contains("123456 donné par téléphone"));
        assert!(line.contains("https://telemaintenance.ac-normandie.fr/start/ISLLightClient"));
    }
}
