//! Printer names of the Académie de Normandie (seed 002, "10- Impressions"):
//! `I` + department + site `-` division [+ copier number] `-` building and floor,
//! e.g. `I14RC-DSI-RDC` or `I76RC-DSI04-B4`, all served by one print server.
//!
//! Two readings are the desk's, not the seed's, and the labels say so: « RDC » (written in
//! the Caen example, never explained) read as the ground floor, and a name without copier
//! number read as the division's only copier (the seed numbers copiers « si plusieurs
//! copieurs »).

use serde::Serialize;
use thiserror::Error;

/// The print server the seed gives for every copier, Caen and Rouen alike.
pub const PRINT_SERVER: &str = "172.26.66.73";

/// (code, name, perimeter)
pub const DEPARTMENTS: &[(&str, &str, Perimeter)] = &[
    ("14", "Calvados", Perimeter::Caen),
    ("27", "Eure", Perimeter::Rouen),
    ("50", "Manche", Perimeter::Caen),
    ("61", "Orne", Perimeter::Caen),
    ("76", "Seine-Maritime", Perimeter::Rouen),
];

/// (code, name)
pub const SITES: &[(&str, &str)] = &[
    ("RC", "Rectorat"),
    ("DN", "DSDEN"),
    ("CI", "CIO"),
    ("CR", "CIRCO"),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Perimeter {
    Caen,
    Rouen,
}

/// The parts of a printer name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrinterName {
    pub department_code: String,
    pub department_name: String,
    pub site_code: String,
    pub site_name: String,
    pub division: String,
    /// The copier's number when a division has several, as written ("04").
    pub copier_number: Option<String>,
    /// The copier number in words for the operator: "n° 04", or, without a number, the
    /// desk's reading that it is the division's only copier, marked as such.
    pub copier_label: String,
    /// Building and floor as written ("B4", "RDC").
    pub location: String,
    /// The location in words ("bâtiment B, étage 4"); "RDC" is the desk's reading, marked.
    pub location_label: String,
    pub perimeter: Perimeter,
    pub print_server: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PrinterError {
    #[error("nom d'imprimante vide : attendu par exemple I14RC-DSI-RDC")]
    Empty,
    #[error("« {0} » ne commence pas par I (imprimante) : attendu par exemple I14RC-DSI-RDC")]
    NoPrefix(String),
    #[error(
        "« {0} » n'a pas trois parties séparées par des tirets : attendu I + département + site, division, emplacement (I14RC-DSI-RDC)"
    )]
    Shape(String),
    #[error("département « {0} » inconnu : attendu 14, 27, 50, 61 ou 76")]
    Department(String),
    #[error("site « {0} » inconnu : attendu RC (Rectorat), DN (DSDEN), CI (CIO) ou CR (CIRCO)")]
    Site(String),
    #[error(
        "division « {0} » invalide : attendu des lettres (DSI), suivies du numéro du copieur s'il y en a plusieurs (DSI04) ; de 2 à 8 lettres et 3 chiffres au plus (limite du guichet : le guide ne donne pas de longueur)"
    )]
    Division(String),
    #[error(
        "emplacement « {0} » invalide : attendu le bâtiment et l'étage (B4, C2), ou RDC comme l'exemple caennais du guide (ou BRDC) ; 2 lettres et 2 chiffres au plus (limite du guichet : le guide ne donne pas de longueur)"
    )]
    Location(String),
}

fn department(code: &str) -> Result<(&'static str, &'static str, Perimeter), PrinterError> {
    DEPARTMENTS
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(c, n, p)| (*c, *n, *p))
        .ok_or_else(|| PrinterError::Department(code.to_string()))
}

fn site(code: &str) -> Result<(&'static str, &'static str), PrinterError> {
    SITES
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(c, n)| (*c, *n))
        .ok_or_else(|| PrinterError::Site(code.to_string()))
}

/// What the desk adds to a label it reads itself.
const RDC_READING: &str = "(lecture du guichet : le guide écrit « RDC » sans l'expliquer)";
const NO_NUMBER_READING: &str = "sans numéro (lecture du guichet : le seul copieur de la division ; \
     le guide ne numérote les copieurs que « si plusieurs copieurs »)";

/// "B4" → "bâtiment B, étage 4"; "RDC" → "rez-de-chaussée (lecture du guichet…)"; "BRDC" →
/// "bâtiment B, rez-de-chaussée (lecture du guichet…)". The seed names the part "bâtiment et
/// étage" (C2 in its model); it writes RDC in the Caen example without explaining it, so
/// the ground floor is the desk's reading and the label says so.
fn location_label(location: &str) -> Result<String, PrinterError> {
    let bad = || PrinterError::Location(location.to_string());
    let (building, floor) = match location.strip_suffix("RDC") {
        Some(b) => (b, None),
        None => {
            let split = location
                .find(|c: char| c.is_ascii_digit())
                .ok_or_else(bad)?;
            let (b, f) = location.split_at(split);
            if f.is_empty() || !f.bytes().all(|c| c.is_ascii_digit()) || f.len() > 2 {
                return Err(bad());
            }
            (b, Some(f))
        }
    };
    if building.len() > 2 || !building.bytes().all(|c| c.is_ascii_uppercase()) {
        return Err(bad());
    }
    let floor_words = match floor {
        None => format!("rez-de-chaussée {RDC_READING}"),
        Some(f) => format!("étage {}", f.trim_start_matches('0').max("0")),
    };
    Ok(if building.is_empty() {
        floor_words
    } else {
        format!("bâtiment {building}, {floor_words}")
    })
}

/// Reads a printer name, whatever its case and stray spaces.
pub fn decode(name: &str) -> Result<PrinterName, PrinterError> {
    let clean: String = name
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase();
    if clean.is_empty() {
        return Err(PrinterError::Empty);
    }
    let rest = clean
        .strip_prefix('I')
        .ok_or_else(|| PrinterError::NoPrefix(name.trim().to_string()))?;
    let parts: Vec<&str> = rest.split('-').collect();
    let [head, division_part, location] = parts[..] else {
        return Err(PrinterError::Shape(name.trim().to_string()));
    };
    if head.len() != 4 || !head.is_char_boundary(2) {
        // Name the department when it is the part that is wrong.
        let digits: String = head.chars().take_while(char::is_ascii_digit).collect();
        if digits.len() != 2 {
            return Err(PrinterError::Department(digits));
        }
        return Err(PrinterError::Site(head[2..].to_string()));
    }
    let (dep_code, dep_name, perimeter) = department(&head[..2])?;
    let (site_code, site_name) = site(&head[2..])?;
    let letters: String = division_part
        .chars()
        .take_while(char::is_ascii_uppercase)
        .collect();
    let number = &division_part[letters.len()..];
    if !(2..=8).contains(&letters.len())
        || (!number.is_empty() && !number.bytes().all(|b| b.is_ascii_digit()))
        || number.len() > 3
    {
        return Err(PrinterError::Division(division_part.to_string()));
    }
    let location_label = location_label(location)?;
    Ok(PrinterName {
        department_code: dep_code.to_string(),
        department_name: dep_name.to_string(),
        site_code: site_code.to_string(),
        site_name: site_name.to_string(),
        division: letters,
        copier_number: (!number.is_empty()).then(|| number.to_string()),
        copier_label: if number.is_empty() {
            NO_NUMBER_READING.to_string()
        } else {
            format!("n° {number}")
        },
        location: location.to_string(),
        location_label,
        perimeter,
        print_server: PRINT_SERVER.to_string(),
    })
}

/// Builds a printer name from its parts, checking each the same way `decode` does.
pub fn encode(
    department_code: &str,
    site_code: &str,
    division: &str,
    copier_number: Option<&str>,
    location: &str,
) -> Result<String, PrinterError> {
    let name = format!(
        "I{}{}-{}{}-{}",
        department_code.trim(),
        site_code.trim().to_uppercase(),
        division.trim().to_uppercase(),
        copier_number.map(str::trim).unwrap_or(""),
        location.trim().to_uppercase()
    );
    // Decoding what was built checks every part and catches parts that would run together.
    let parts = decode(&name)?;
    if parts.division != division.trim().to_uppercase() {
        return Err(PrinterError::Division(division.to_string()));
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_examples_decode() {
        let caen = decode("I14RC-DSI-RDC").unwrap();
        assert_eq!(caen.department_name, "Calvados");
        assert_eq!(caen.site_name, "Rectorat");
        assert_eq!(caen.division, "DSI");
        assert_eq!(caen.copier_number, None);
        // The guide writes « RDC » without saying what it means: the desk's reading.
        assert_eq!(
            caen.location_label,
            "rez-de-chaussée (lecture du guichet : le guide écrit « RDC » sans l'expliquer)"
        );
        // No copier number: the guide numbers copiers only « si plusieurs copieurs ».
        assert_eq!(
            caen.copier_label,
            "sans numéro (lecture du guichet : le seul copieur de la division ; le guide ne \
             numérote les copieurs que « si plusieurs copieurs »)"
        );
        assert_eq!(caen.perimeter, Perimeter::Caen);
        assert_eq!(caen.print_server, "172.26.66.73");
        let rouen = decode(" i76rc-dsi04 - b4 ").unwrap();
        assert_eq!(rouen.department_name, "Seine-Maritime");
        assert_eq!(rouen.copier_number.as_deref(), Some("04"));
        assert_eq!(rouen.location, "B4");
        assert_eq!(rouen.location_label, "bâtiment B, étage 4");
        assert_eq!(rouen.copier_label, "n° 04");
        assert_eq!(rouen.perimeter, Perimeter::Rouen);
    }

    #[test]
    fn every_department_and_site() {
        for (dep, name, perimeter) in DEPARTMENTS {
            for (site_code, site_name) in SITES {
                let n = decode(&format!("I{dep}{site_code}-DAF-C2")).unwrap();
                assert_eq!(&n.department_name, name);
                assert_eq!(n.perimeter, *perimeter);
                assert_eq!(&n.site_name, site_name);
            }
        }
        assert_eq!(decode("I27DN-DPE-RDC").unwrap().perimeter, Perimeter::Rouen);
        assert_eq!(decode("I50CI-SG-A1").unwrap().perimeter, Perimeter::Caen);
        assert_eq!(
            decode("I61CR-DEC-BRDC").unwrap().location_label,
            "bâtiment B, rez-de-chaussée (lecture du guichet : le guide écrit « RDC » sans l'expliquer)"
        );
    }

    #[test]
    fn a_broken_name_says_which_part_is_wrong() {
        let msg = |n: &str| decode(n).unwrap_err().to_string();
        assert_eq!(
            msg("I99RC-DSI-RDC"),
            "département « 99 » inconnu : attendu 14, 27, 50, 61 ou 76"
        );
        assert!(msg("I14ZZ-DSI-RDC").starts_with("site « ZZ » inconnu"));
        assert!(msg("P14RC-DSI-RDC").contains("ne commence pas par I"));
        assert!(msg("I14RC-DSI").contains("trois parties"));
        assert!(msg("I14RC-123-RDC").starts_with("division « 123 »"));
        assert!(msg("I14RC-DSI-SOUSSOL").starts_with("emplacement « SOUSSOL »"));
        assert!(msg("I1RC-DSI-RDC").starts_with("département « 1 »"));
        assert_eq!(decode("   "), Err(PrinterError::Empty));
    }

    #[test]
    fn encoding_checks_and_builds() {
        assert_eq!(
            encode("76", "rc", "dsi", Some("04"), "b4").unwrap(),
            "I76RC-DSI04-B4"
        );
        assert_eq!(
            encode("14", "RC", "DSI", None, "RDC").unwrap(),
            "I14RC-DSI-RDC"
        );
        assert!(matches!(
            encode("99", "RC", "DSI", None, "RDC"),
            Err(PrinterError::Department(_))
        ));
        assert!(matches!(
            encode("14", "RC", "DSI", Some("x"), "RDC"),
            Err(PrinterError::Division(_))
        ));
    }

    /// A small deterministic generator: decoding an encoded name gives back its parts,
    /// over every department and site and many divisions, numbers and locations.
    #[test]
    fn decoding_an_encoded_name_gives_back_its_parts() {
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        for _ in 0..5000 {
            let (dep, _, _) = DEPARTMENTS[next(5) as usize];
            let (site_code, _) = SITES[next(4) as usize];
            let division: String = (0..2 + next(7))
                .map(|_| (b'A' + next(26) as u8) as char)
                .collect();
            let number = match next(3) {
                0 => None,
                1 => Some(format!("{}", next(10))),
                _ => Some(format!("{:02}", next(100))),
            };
            let location = match next(3) {
                0 => "RDC".to_string(),
                1 => format!("{}RDC", (b'A' + next(26) as u8) as char),
                _ => format!("{}{}", (b'A' + next(26) as u8) as char, next(20)),
            };
            let name = encode(dep, site_code, &division, number.as_deref(), &location).unwrap();
            let parts = decode(&name).unwrap();
            assert_eq!(parts.department_code, dep, "{name}");
            assert_eq!(parts.site_code, site_code, "{name}");
            assert_eq!(parts.division, division, "{name}");
            assert_eq!(parts.copier_number, number, "{name}");
            assert_eq!(parts.location, location, "{name}");
        }
    }
}
