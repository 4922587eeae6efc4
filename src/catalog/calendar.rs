//! Reads a school calendar file (db/calendar/normandie.toml) into a `SchoolCalendar`. The
//! Normandie file is embedded; a desk can load its own copy to add next year's rows
//! without a rebuild. The checks here are what `SchoolCalendar::day` relies on: rows that
//! do not overlap and at most one open-ended row, the last.

use crate::domain::amigo::{SchoolCalendar, SchoolHoliday};
use chrono::NaiveDate;
use serde::Deserialize;
use std::path::Path;
use thiserror::Error;

pub const NORMANDIE_TOML: &str = include_str!("../../db/calendar/normandie.toml");

/// The name errors in the embedded file carry.
pub const NORMANDIE_FILE: &str = "db/calendar/normandie.toml";

#[derive(Debug, Error, PartialEq, Eq)]
pub enum CalendarError {
    #[error("{file} : lecture impossible ({message})")]
    Read { file: String, message: String },
    #[error("{file} : {message}")]
    Syntax { file: String, message: String },
    #[error("{file} : {message}")]
    Invalid { file: String, message: String },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CalendarFile {
    academy: String,
    zone: String,
    #[serde(default)]
    holidays: Vec<HolidayEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HolidayEntry {
    name: String,
    school_year: String,
    // Kept as raw values so that a date with a time, or a mistyped one, gets a French
    // message naming the row rather than serde's.
    from: toml::Value,
    resume: Option<toml::Value>,
    // A row nobody vouched for must not pass as checked.
    #[serde(default)]
    checked: bool,
}

/// The Normandie calendar embedded in the binary.
pub fn embedded_calendar() -> SchoolCalendar {
    parse_calendar(NORMANDIE_TOML)
        .expect("the embedded db/calendar/normandie.toml is checked by the tests")
}

/// Parses and checks a calendar file in the format of db/calendar/normandie.toml; errors
/// name that file.
pub fn parse_calendar(text: &str) -> Result<SchoolCalendar, CalendarError> {
    parse_named(text, NORMANDIE_FILE)
}

/// Reads and checks a desk's own calendar file; errors name its path.
pub fn load_calendar(path: &Path) -> Result<SchoolCalendar, CalendarError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| CalendarError::Read {
        file: file.clone(),
        message: e.to_string(),
    })?;
    parse_named(&text, &file)
}

fn parse_named(text: &str, file: &str) -> Result<SchoolCalendar, CalendarError> {
    let raw: CalendarFile = toml::from_str(text).map_err(|e| CalendarError::Syntax {
        file: file.into(),
        message: e.to_string(),
    })?;
    let invalid = |message: String| CalendarError::Invalid {
        file: file.into(),
        message,
    };
    if raw.academy.trim().is_empty() {
        return Err(invalid("« academy » est vide".into()));
    }
    if raw.zone.trim().is_empty() {
        return Err(invalid("« zone » est vide".into()));
    }
    if raw.holidays.is_empty() {
        return Err(invalid("aucune période de vacances ([[holidays]])".into()));
    }

    let mut holidays = Vec::with_capacity(raw.holidays.len());
    for (i, entry) in raw.holidays.into_iter().enumerate() {
        let name = entry.name.trim().to_string();
        if name.is_empty() {
            return Err(invalid(format!(
                "vacances n° {} : « name » est vide",
                i + 1
            )));
        }
        let row = format!("« {name} {} »", entry.school_year.trim());
        if !is_school_year(entry.school_year.trim()) {
            return Err(invalid(format!(
                "{row} : année scolaire « {} » invalide, attendu AAAA-AAAA (par exemple 2025-2026)",
                entry.school_year
            )));
        }
        let from = date_of(&entry.from).ok_or_else(|| {
            invalid(format!(
                "{row} : « from » doit être une date AAAA-MM-JJ, reçu {}",
                entry.from
            ))
        })?;
        let resume = match &entry.resume {
            None => None,
            Some(value) => Some(date_of(value).ok_or_else(|| {
                invalid(format!(
                    "{row} : « resume » doit être une date AAAA-MM-JJ, reçu {value}"
                ))
            })?),
        };
        if let Some(resume) = resume.filter(|&r| r <= from) {
            return Err(invalid(format!(
                "{row} : la reprise des cours ({resume}) n'est pas après le début des vacances ({from})"
            )));
        }
        holidays.push(SchoolHoliday {
            name,
            school_year: entry.school_year.trim().to_string(),
            from,
            resume,
            checked: entry.checked,
        });
    }

    holidays.sort_by_key(|h| h.from);
    for pair in holidays.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        let (la, lb) = (label(a), label(b));
        match a.resume {
            None => {
                return Err(invalid(format!(
                    "{la} n'a pas de date de reprise (« resume ») alors que {lb} vient après : seule la dernière période peut rester ouverte"
                )));
            }
            Some(resume) if resume > b.from => {
                return Err(invalid(format!(
                    "{la} (du {} à la reprise du {resume}) chevauche {lb} (à partir du {})",
                    a.from, b.from
                )));
            }
            Some(_) => {}
        }
        if b.school_year < a.school_year {
            return Err(invalid(format!(
                "{lb} commence après {la} mais appartient à une année scolaire antérieure"
            )));
        }
    }

    Ok(SchoolCalendar {
        zone: raw.zone.trim().to_string(),
        academy: raw.academy.trim().to_string(),
        holidays,
    })
}

fn label(h: &SchoolHoliday) -> String {
    format!("« {} {} »", h.name, h.school_year)
}

/// "2025-2026": two years, the second following the first.
fn is_school_year(s: &str) -> bool {
    let Some((a, b)) = s.split_once('-') else {
        return false;
    };
    let year = |y: &str| {
        (y.len() == 4 && y.bytes().all(|c| c.is_ascii_digit()))
            .then(|| y.parse::<i32>().ok())
            .flatten()
    };
    matches!((year(a), year(b)), (Some(a), Some(b)) if b == a + 1)
}

/// A bare TOML date (2025-10-18) or the same as a string; a date with a time or an offset
/// is refused, since a holiday is a whole day.
fn date_of(value: &toml::Value) -> Option<NaiveDate> {
    match value {
        toml::Value::Datetime(dt) if dt.time.is_none() && dt.offset.is_none() => {
            let d = dt.date?;
            NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
        }
        toml::Value::String(s) => NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::amigo::{Period, amigo_status};
    use crate::domain::time::{parse_datetime, rfc3339};

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    const HEAD: &str = "academy = 'Normandie'\nzone = 'B'\n";

    fn row(name: &str, year: &str, from: &str, resume: Option<&str>) -> String {
        let resume = resume
            .map(|r| format!("resume = {r}\n"))
            .unwrap_or_default();
        format!(
            "[[holidays]]\nname = '{name}'\nschool_year = '{year}'\nfrom = {from}\n{resume}checked = true\n"
        )
    }

    #[test]
    fn embedded_calendar_parses_and_covers_two_school_years() {
        let cal = embedded_calendar();
        assert_eq!(cal.academy, "Normandie");
        assert_eq!(cal.zone, "B");
        let (first, last) = cal.coverage().unwrap();
        assert!(first <= d("2025-09-01"), "{first}");
        assert!(last >= d("2027-07-02"), "{last}");
        assert_eq!(cal.period_on(d("2025-09-01")), Some(Period::School));
        assert_eq!(cal.period_on(d("2027-07-02")), Some(Period::School));
        assert_eq!(cal.period_on(d("2027-09-15")), None);
        // Every day in between is answered.
        let mut day = d("2025-09-01");
        while day <= d("2027-07-02") {
            assert!(cal.period_on(day).is_some(), "{day}");
            day = day.succ_opt().unwrap();
        }
        // Toussaint 2025: the Saturday through the Sunday, classes back on Monday.
        let toussaint = Some(Period::Holidays {
            name: "Toussaint".into(),
        });
        assert_eq!(cal.period_on(d("2025-10-17")), Some(Period::School));
        assert_eq!(cal.period_on(d("2025-10-18")), toussaint);
        assert_eq!(cal.period_on(d("2025-11-02")), toussaint);
        assert_eq!(cal.period_on(d("2025-11-03")), Some(Period::School));
        // The open-ended summer 2027 is the last row.
        let last_row = cal.holidays.last().unwrap();
        assert_eq!((last_row.name.as_str(), last_row.resume), ("Été", None));
        // Only the 2025-2026 rows were checked against the published calendar (reference
        // table); every 2026-2027 row is unchecked.
        let unchecked: Vec<_> = cal
            .holidays
            .iter()
            .filter(|h| !h.checked)
            .map(|h| format!("{} {}", h.name, h.school_year))
            .collect();
        assert_eq!(
            unchecked,
            [
                "Toussaint 2026-2027",
                "Noël 2026-2027",
                "Hiver 2026-2027",
                "Printemps 2026-2027",
                "Été 2026-2027"
            ]
        );
    }

    #[test]
    fn embedded_calendar_gives_the_expected_answers() {
        let cal = embedded_calendar();
        let status = |s: &str| amigo_status(parse_datetime(s).unwrap(), &cal);
        let s = status("2026-03-28T20:00");
        assert_eq!(rfc3339(s.next_opening.unwrap()), "2026-03-30T06:00:00Z");
        let s = status("2026-10-24T10:00");
        assert_eq!(rfc3339(s.next_opening.unwrap()), "2026-10-26T08:00:00Z");
        let s = status("2026-05-15T10:00");
        assert!(s.open);
        assert_eq!(s.period, Some(Period::School));
        let s = status("2027-09-15T10:00");
        assert_eq!(s.period, None);
        assert!(s.reason.contains("calendrier scolaire inconnu"));
        let s = status("2027-03-10T10:00");
        assert!(s.unchecked);
        assert_eq!(s.calendar_year, "2026-2027");
    }

    #[test]
    fn rows_are_sorted_and_string_dates_accepted() {
        let text = format!(
            "{HEAD}{}{}",
            row("Noël", "2025-2026", "'2025-12-20'", Some("2026-01-05")),
            row("Toussaint", "2025-2026", "2025-10-18", Some("2025-11-03")),
        );
        let cal = parse_calendar(&text).unwrap();
        assert_eq!(cal.holidays[0].name, "Toussaint");
        assert_eq!(cal.holidays[1].from, d("2025-12-20"));
        // `checked` absent means unchecked.
        let text = format!(
            "{HEAD}[[holidays]]\nname = 'Noël'\nschool_year = '2025-2026'\nfrom = 2025-12-20\nresume = 2026-01-05\n"
        );
        assert!(!parse_calendar(&text).unwrap().holidays[0].checked);
    }

    #[test]
    fn broken_calendars_name_the_file_and_the_problem() {
        let err = |text: String| parse_calendar(&text).unwrap_err().to_string();

        let e = err(format!(
            "{HEAD}{}",
            row("Toussaint", "2025-2026", "2025-10-18", Some("2025-10-01"))
        ));
        assert_eq!(
            e,
            "db/calendar/normandie.toml : « Toussaint 2025-2026 » : la reprise des cours (2025-10-01) n'est pas après le début des vacances (2025-10-18)"
        );

        let e = err(format!(
            "{HEAD}{}{}",
            row("Noël", "2025-2026", "2025-12-20", Some("2026-01-05")),
            row("Hiver", "2025-2026", "2026-01-02", Some("2026-01-20")),
        ));
        assert_eq!(
            e,
            "db/calendar/normandie.toml : « Noël 2025-2026 » (du 2025-12-20 à la reprise du 2026-01-05) chevauche « Hiver 2025-2026 » (à partir du 2026-01-02)"
        );

        let e = err(format!(
            "{HEAD}{}{}",
            row("Été", "2025-2026", "2026-07-04", None),
            row("Toussaint", "2026-2027", "2026-10-17", Some("2026-11-02")),
        ));
        assert!(
            e.contains("seule la dernière période peut rester ouverte"),
            "{e}"
        );

        let e = err(format!(
            "{HEAD}{}",
            row(
                "Noël",
                "2025-2026",
                "2025-12-20T08:00:00",
                Some("2026-01-05")
            )
        ));
        assert!(
            e.contains("« Noël 2025-2026 » : « from » doit être une date AAAA-MM-JJ"),
            "{e}"
        );

        let e = err(format!(
            "{HEAD}{}",
            row("Noël", "2025-26", "2025-12-20", Some("2026-01-05"))
        ));
        assert!(e.contains("année scolaire « 2025-26 » invalide"), "{e}");

        let e = err(format!(
            "{HEAD}{}{}",
            row("Noël", "2025-2026", "2025-12-20", Some("2026-01-05")),
            row("Hiver", "2024-2025", "2026-02-14", Some("2026-03-02")),
        ));
        assert!(e.contains("année scolaire antérieure"), "{e}");

        let e = err(HEAD.to_string());
        assert_eq!(
            e,
            "db/calendar/normandie.toml : aucune période de vacances ([[holidays]])"
        );

        let e = err("academy = 'Normandie'\nzone = 'B'\n[[holidays]]\nnom = 'x'\n".into());
        assert!(e.starts_with("db/calendar/normandie.toml : "), "{e}");
    }

    #[test]
    fn a_desks_own_file_is_named_by_its_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("calendrier.toml");
        std::fs::write(
            &path,
            format!(
                "{HEAD}{}",
                row("Toussaint", "2025-2026", "2025-10-18", Some("2025-10-18"))
            ),
        )
        .unwrap();
        let e = load_calendar(&path).unwrap_err().to_string();
        assert!(e.starts_with(&format!("{} : ", path.display())), "{e}");
        assert!(e.contains("n'est pas après"), "{e}");

        std::fs::write(&path, NORMANDIE_TOML).unwrap();
        assert_eq!(load_calendar(&path).unwrap(), embedded_calendar());

        let missing = dir.path().join("absent.toml");
        let e = load_calendar(&missing).unwrap_err().to_string();
        assert!(e.contains("absent.toml : lecture impossible"), "{e}");
    }
}
