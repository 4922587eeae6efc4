//! `guichet tools amigo`: the answer and its French text.

use crate::catalog::calendar::embedded_calendar;
use crate::domain::amigo::{ADDRESS, AmigoStatus, EMERGENCY, Period, amigo_status};
use crate::domain::time::paris;
use chrono::{DateTime, Utc};
use serde::Serialize;

pub fn answer(at: DateTime<Utc>) -> AmigoStatus {
    amigo_status(at, &embedded_calendar())
}

/// `tools amigo --format json` (DESIGN.md §5): `period` is the string `scolaire` or
/// `vacances` (null when the calendar does not cover the date), the holiday's name beside it.
#[derive(Debug, Serialize)]
pub struct Answer<'a> {
    pub open: bool,
    pub period: Option<&'static str>,
    /// The school holiday's name ("Vacances de Noël") during the holidays, else null.
    pub holiday: Option<&'a str>,
    pub reason: &'a str,
    pub next_opening: Option<DateTime<Utc>>,
    pub closes_at: Option<DateTime<Utc>>,
    pub calendar_year: &'a str,
    pub unchecked: bool,
}

impl<'a> Answer<'a> {
    pub fn of(status: &'a AmigoStatus) -> Answer<'a> {
        Answer {
            open: status.open,
            period: status.period.as_ref().map(|p| match p {
                Period::School => "scolaire",
                Period::Holidays { .. } => "vacances",
            }),
            holiday: match &status.period {
                Some(Period::Holidays { name }) => Some(name),
                _ => None,
            },
            reason: &status.reason,
            next_opening: status.next_opening,
            closes_at: status.closes_at,
            calendar_year: &status.calendar_year,
            unchecked: status.unchecked,
        }
    }
}

pub fn text(status: &AmigoStatus) -> String {
    // The reason already starts with "ouvert" or "fermé".
    let mut out = format!("AMIGO {}\n", status.reason);
    if let Some(next) = status.next_opening {
        out.push_str(&format!(
            "Prochaine ouverture : {}\n",
            paris(next, "%d/%m/%Y à %H:%M")
        ));
    }
    // The guide gives the emergency numbers without hours: always shown.
    {
        out.push_str("En cas d'urgence :\n");
        for (who, number) in EMERGENCY {
            out.push_str(&format!("  {who} : {number}\n"));
        }
    }
    out.push_str(&format!("Assistance : {ADDRESS}\n"));
    if status.calendar_year.is_empty() {
        out.push_str(
            "Calendrier scolaire : cette date n'est pas couverte (db/calendar/normandie.toml)\n",
        );
    } else {
        out.push_str(&format!(
            "Calendrier scolaire utilisé : {}{}\n",
            status.calendar_year,
            if status.unchecked {
                " (dates non vérifiées sur l'arrêté officiel)"
            } else {
                ""
            }
        ));
    }
    out
}
