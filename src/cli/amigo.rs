//! `guichet tools amigo`: the answer and its French text.

use crate::catalog::calendar::embedded_calendar;
use crate::domain::amigo::{ADDRESS, AmigoStatus, EMERGENCY, amigo_status};
use crate::domain::time::paris;
use chrono::{DateTime, Utc};

pub fn answer(at: DateTime<Utc>) -> AmigoStatus {
    amigo_status(at, &embedded_calendar())
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
    if !status.open {
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
