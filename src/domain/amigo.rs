//! AMIGO, the single entry point of the Académie de Normandie's assistance (seed 002,
//! section 8): is it open right now, and if not, when does it open again?
//!
//! Its hours depend on whether schools are in session, so the answer needs the school
//! calendar (data, see `catalog::calendar`). The seed gives hours « du lundi au vendredi »
//! and says nothing of public holidays: closing AMIGO on them (computed, Whit Monday
//! included) is the desk's rule, and every answer that relies on it says « règle du
//! guichet ». Every
//! rule is applied in Paris wall-clock time: an instant is turned into a Paris date and
//! time first, and opening times are turned back into UTC one day at a time, so the
//! summer-time changes need no special case.

use super::holidays::public_holiday;
use super::time::paris_to_utc;
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Timelike, Utc, Weekday};
use chrono_tz::Europe::Paris;
use serde::Serialize;

/// Where callers file their requests; AMIGO requests come before any other channel.
pub const ADDRESS: &str = "http://assistance.ac-normandie.fr/";

/// Emergency numbers: (who, numbers), as written in the seed, which gives them « en cas
/// d'urgence » without any hours: they hold whether AMIGO is open or not.
pub const EMERGENCY: &[(&str, &str)] = &[
    ("Lycées publics, EREA, ERPD, LPA, LPM", "09 70 80 97 97"),
    ("Autres", "0806 000 488 ou 0810 14 50 61"),
];

/// How far `amigo_status` looks for the next opening. The longest real closure is a few
/// days (a weekend next to public holidays), so reaching this bound means a broken calendar.
pub const NEXT_OPENING_SEARCH_DAYS: i64 = 60;

/// The school holidays of one academy, as read from its calendar file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SchoolCalendar {
    pub zone: String,
    pub academy: String,
    pub holidays: Vec<SchoolHoliday>,
}

/// One row of the calendar. The holiday days are `[from, resume)`: classes stop the evening
/// before `from` and resume the morning of `resume`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SchoolHoliday {
    pub name: String,
    pub school_year: String,
    pub from: NaiveDate,
    /// None while the date classes resume is not published (the next summer).
    pub resume: Option<NaiveDate>,
    /// Whether the row was checked against published copies of the national calendar.
    pub checked: bool,
}

/// Which set of AMIGO hours applies on a day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind")]
pub enum Period {
    #[serde(rename = "scolaire")]
    School,
    #[serde(rename = "vacances")]
    Holidays { name: String },
}

/// What the calendar says about one day, with the rows the answer relied on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarDay {
    pub period: Period,
    /// The school year of the row that decided: the holiday itself, or for a school day the
    /// holiday that ends its stretch of classes.
    pub school_year: String,
    /// False when one of those rows is marked `checked = false`.
    pub checked: bool,
}

impl SchoolCalendar {
    /// The period of `date`, or None when the calendar does not cover it.
    pub fn period_on(&self, date: NaiveDate) -> Option<Period> {
        self.day(date).map(|d| d.period)
    }

    /// The period of `date` with the rows it relied on, or None when the calendar does not
    /// cover it. A school day must lie between the end of one holiday and the start of the
    /// next: before the first row or after the last one nothing says when classes ran.
    /// The rows need not be sorted.
    pub fn day(&self, date: NaiveDate) -> Option<CalendarDay> {
        // From the start of a summer whose end is unknown, any day could be the rentrée:
        // every later date is unknown rather than guessed.
        if self
            .holidays
            .iter()
            .any(|h| h.resume.is_none() && h.from <= date)
        {
            return None;
        }
        if let Some(h) = self
            .holidays
            .iter()
            .find(|h| h.from <= date && h.resume.is_some_and(|r| date < r))
        {
            return Some(CalendarDay {
                period: Period::Holidays {
                    name: h.name.clone(),
                },
                school_year: h.school_year.clone(),
                checked: h.checked,
            });
        }
        let before = self
            .holidays
            .iter()
            .filter(|h| h.resume.is_some_and(|r| r <= date))
            .max_by_key(|h| h.resume)?;
        let after = self
            .holidays
            .iter()
            .filter(|h| h.from > date)
            .min_by_key(|h| h.from)?;
        Some(CalendarDay {
            period: Period::School,
            school_year: after.school_year.clone(),
            checked: before.checked && after.checked,
        })
    }

    /// The first and last days the calendar answers for, or None when it answers for none.
    /// Assumes rows that do not overlap, as `catalog::calendar` checks.
    pub fn coverage(&self) -> Option<(NaiveDate, NaiveDate)> {
        let first = self
            .holidays
            .iter()
            .filter(|h| h.resume.is_some())
            .map(|h| h.from)
            .min()?;
        let last_row = self.holidays.iter().max_by_key(|h| h.from)?;
        let last = match last_row.resume {
            Some(resume) => resume.pred_opt()?,
            None => last_row.from.pred_opt()?,
        };
        (first <= last).then_some((first, last))
    }
}

/// The answer to "is AMIGO open?" at one instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AmigoStatus {
    pub open: bool,
    /// None when the calendar does not cover the date.
    pub period: Option<Period>,
    /// One French sentence for the operator: why open or closed.
    pub reason: String,
    /// When closed: the next opening, or None when it lies beyond the calendar.
    pub next_opening: Option<DateTime<Utc>>,
    /// When open: the end of the current opening.
    pub closes_at: Option<DateTime<Utc>>,
    /// The school year of the calendar row the answer relied on ("2025-2026"); empty when
    /// the calendar does not cover the date.
    pub calendar_year: String,
    /// The answer (or its next opening) relied on a row marked `checked = false`.
    pub unchecked: bool,
}

/// Whether AMIGO is open at `at`, why, and when it closes or opens next.
///
/// Weekends (the seed's « du lundi au vendredi ») and public holidays (the desk's rule,
/// said in the reason) close it whatever the calendar says. On a date the calendar
/// does not cover, it is reported open only when both sets of hours agree it is.
pub fn amigo_status(at: DateTime<Utc>, calendar: &SchoolCalendar) -> AmigoStatus {
    let local = at.with_timezone(&Paris);
    let date = local.date_naive();
    let time = local.time();
    let today = calendar.day(date);
    let weekday = date.weekday();

    let (open, closes_at, mut reason) = if is_weekend(weekday) {
        (
            false,
            None,
            format!("fermé : week-end ({})", day_name(weekday)),
        )
    } else if let Some(name) = public_holiday(date) {
        (
            false,
            None,
            format!("fermé : jour férié ({name}), {DESK_HOLIDAY_RULE}"),
        )
    } else {
        match &today {
            Some(day) => known_day(date, time, &day.period),
            None => unknown_day(date, time, calendar),
        }
    };

    let mut unchecked = today.as_ref().is_some_and(|d| !d.checked);
    let next_opening = if open {
        None
    } else {
        match next_opening(date, time, calendar) {
            Ok(found) => {
                unchecked |= !found.checked;
                if let Some((day, name)) = found.skipped_holiday {
                    reason.push_str(&format!(
                        " ; {} {} ({name}) compté fermé, {DESK_HOLIDAY_RULE}",
                        day_name(day.weekday()),
                        date_phrase(day)
                    ));
                }
                Some(found.when)
            }
            // The reason of an uncovered day already says the calendar is unknown.
            Err(Search::BeyondCalendar) if today.is_none() && !is_closed_day(date) => None,
            Err(Search::BeyondCalendar) => {
                reason.push_str(&format!(
                    " ; prochaine ouverture inconnue : {}",
                    coverage_phrase(calendar)
                ));
                None
            }
            Err(Search::TooFar) => {
                reason.push_str(&format!(
                    " ; aucune ouverture dans les {NEXT_OPENING_SEARCH_DAYS} prochains jours"
                ));
                None
            }
        }
    };

    AmigoStatus {
        open,
        period: today.as_ref().map(|d| d.period.clone()),
        reason,
        next_opening,
        closes_at,
        calendar_year: today.map(|d| d.school_year).unwrap_or_default(),
        unchecked,
    }
}

/// The opening hours of a weekday (not a public holiday) in a period, as [start, end)
/// slots in Paris time.
///
/// The Friday after Ascension ("pont de l'Ascension") keeps school-period hours: pupils
/// have no class, but the seed does not say AMIGO changes its hours, and the school
/// calendar does not list that day as a holiday.
fn hours(weekday: Weekday, period: &Period) -> Vec<(NaiveTime, NaiveTime)> {
    match period {
        Period::School if weekday == Weekday::Wed => vec![(hm(8, 0), hm(13, 0))],
        Period::School => vec![(hm(8, 0), hm(17, 0))],
        Period::Holidays { .. } => vec![(hm(9, 0), hm(12, 30)), (hm(13, 30), hm(17, 0))],
    }
}

fn hm(hour: u32, minute: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(hour, minute, 0).expect("opening hours are valid times")
}

fn is_weekend(weekday: Weekday) -> bool {
    matches!(weekday, Weekday::Sat | Weekday::Sun)
}

fn is_closed_day(date: NaiveDate) -> bool {
    is_weekend(date.weekday()) || public_holiday(date).is_some()
}

fn slot_at(slots: &[(NaiveTime, NaiveTime)], time: NaiveTime) -> Option<(NaiveTime, NaiveTime)> {
    slots
        .iter()
        .copied()
        .find(|&(start, end)| start <= time && time < end)
}

/// Open/closed, closing instant and reason on a working day whose period is known.
fn known_day(
    date: NaiveDate,
    time: NaiveTime,
    period: &Period,
) -> (bool, Option<DateTime<Utc>>, String) {
    let weekday = date.weekday();
    let slots = hours(weekday, period);
    if let Some((_, end)) = slot_at(&slots, time) {
        let context = match period {
            Period::School if is_ascension_bridge(date) => {
                "période scolaire (pont de l'Ascension, horaires scolaires maintenus)".to_string()
            }
            Period::School => "période scolaire".to_string(),
            Period::Holidays { name } => holiday_phrase(name),
        };
        let reason = format!(
            "ouvert : {context}, {} {}",
            day_name(weekday),
            slots_phrase(&slots)
        );
        return (true, paris_to_utc(date.and_time(end)), reason);
    }
    let context = match period {
        Period::School if weekday == Weekday::Wed => "mercredi en période scolaire".to_string(),
        Period::School => "période scolaire".to_string(),
        Period::Holidays { name } => holiday_phrase(name),
    };
    let reason = match slots.iter().position(|&(start, _)| time < start) {
        Some(0) => format!(
            "fermé : {context}, l'assistance ouvre à {}",
            clock(slots[0].0)
        ),
        Some(i) => format!(
            "fermé : pause de {} à {} ({context})",
            clock(slots[i - 1].1),
            clock(slots[i].0)
        ),
        None => format!(
            "fermé : {context}, l'assistance ferme à {}",
            clock(slots[slots.len() - 1].1)
        ),
    };
    (false, None, reason)
}

/// A working day the calendar does not cover: answer only where school and holiday hours
/// agree, and never guess which period it is.
fn unknown_day(
    date: NaiveDate,
    time: NaiveTime,
    calendar: &SchoolCalendar,
) -> (bool, Option<DateTime<Utc>>, String) {
    let weekday = date.weekday();
    let school = slot_at(&hours(weekday, &Period::School), time);
    let holidays = slot_at(
        &hours(
            weekday,
            &Period::Holidays {
                name: String::new(),
            },
        ),
        time,
    );
    let unknown = format!(
        "calendrier scolaire inconnu pour le {} {} ({})",
        day_name(weekday),
        date_phrase(date),
        coverage_phrase(calendar)
    );
    match (school, holidays) {
        (Some((_, a)), Some((_, b))) => {
            let end = a.min(b);
            (
                true,
                paris_to_utc(date.and_time(end)),
                format!(
                    "ouvert : {unknown}, mais l'assistance est ouverte à cette heure en période scolaire comme en vacances, au moins jusqu'à {}",
                    clock(end)
                ),
            )
        }
        (None, None) => (
            false,
            None,
            format!(
                "fermé : {unknown}, mais l'assistance est fermée à cette heure en période scolaire comme en vacances"
            ),
        ),
        (Some(_), None) => (
            false,
            None,
            format!(
                "incertain : {unknown}, l'assistance n'est ouverte à cette heure qu'en période scolaire"
            ),
        ),
        (None, Some(_)) => (
            false,
            None,
            format!(
                "incertain : {unknown}, l'assistance n'est ouverte à cette heure qu'en vacances"
            ),
        ),
    }
}

/// What an answer adds when it relies on the desk's public-holiday rule.
const DESK_HOLIDAY_RULE: &str = "règle du guichet : le guide ne parle pas des jours fériés";

/// The next opening found by `next_opening`.
struct NextOpening {
    when: DateTime<Utc>,
    /// Whether the calendar rows for that day were checked.
    checked: bool,
    /// The first public holiday passed over on the way (not `date` itself), whose closing
    /// is the desk's rule.
    skipped_holiday: Option<(NaiveDate, &'static str)>,
}

enum Search {
    /// A working day the calendar does not cover came before any opening.
    BeyondCalendar,
    /// No opening within `NEXT_OPENING_SEARCH_DAYS`.
    TooFar,
}

/// The first opening strictly after `time` on `date`, or on a later day, with whether the
/// calendar rows for that day were checked and the public holiday it passed over, if any.
/// Each day's opening is converted from Paris time separately, so a summer-time change in
/// between shifts the UTC instant as it should.
fn next_opening(
    date: NaiveDate,
    time: NaiveTime,
    calendar: &SchoolCalendar,
) -> Result<NextOpening, Search> {
    let mut skipped_holiday = None;
    for offset in 0..=NEXT_OPENING_SEARCH_DAYS {
        let day = date + Duration::days(offset);
        if is_closed_day(day) {
            if offset > 0 && !is_weekend(day.weekday()) && skipped_holiday.is_none() {
                skipped_holiday = public_holiday(day).map(|name| (day, name));
            }
            continue;
        }
        let Some(known) = calendar.day(day) else {
            return Err(Search::BeyondCalendar);
        };
        let start = hours(day.weekday(), &known.period)
            .into_iter()
            .map(|(start, _)| start)
            .find(|&start| offset > 0 || start > time);
        if let Some(when) = start.and_then(|s| paris_to_utc(day.and_time(s))) {
            return Ok(NextOpening {
                when,
                checked: known.checked,
                skipped_holiday,
            });
        }
    }
    Err(Search::TooFar)
}

/// The Friday after Ascension, when pupils have no class.
fn is_ascension_bridge(date: NaiveDate) -> bool {
    date.weekday() == Weekday::Fri
        && date
            .pred_opt()
            .and_then(public_holiday)
            .is_some_and(|name| name == "Ascension")
}

/// "vacances de Noël", "vacances d'été"… for the row names the calendar file uses.
fn holiday_phrase(name: &str) -> String {
    match name.trim().to_lowercase().as_str() {
        "toussaint" => "vacances de la Toussaint".into(),
        "noël" | "noel" => "vacances de Noël".into(),
        "hiver" => "vacances d'hiver".into(),
        "printemps" => "vacances de printemps".into(),
        "été" | "ete" => "vacances d'été".into(),
        _ => format!("vacances ({})", name.trim()),
    }
}

fn coverage_phrase(calendar: &SchoolCalendar) -> String {
    match calendar.coverage() {
        Some((first, last)) => format!(
            "calendrier connu du {} au {}",
            date_phrase(first),
            date_phrase(last)
        ),
        None => "le calendrier scolaire ne couvre aucun jour".into(),
    }
}

fn slots_phrase(slots: &[(NaiveTime, NaiveTime)]) -> String {
    slots
        .iter()
        .map(|&(start, end)| format!("{} – {}", clock(start), clock(end)))
        .collect::<Vec<_>>()
        .join(" et ")
}

/// "8 h", "12 h 30".
fn clock(time: NaiveTime) -> String {
    match time.minute() {
        0 => format!("{} h", time.hour()),
        m => format!("{} h {m:02}", time.hour()),
    }
}

/// "1er juillet 2027", "15 septembre 2027".
fn date_phrase(date: NaiveDate) -> String {
    const MONTHS: [&str; 12] = [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ];
    let day = match date.day() {
        1 => "1er".to_string(),
        d => d.to_string(),
    };
    format!("{day} {} {}", MONTHS[date.month0() as usize], date.year())
}

fn day_name(weekday: Weekday) -> &'static str {
    match weekday {
        Weekday::Mon => "lundi",
        Weekday::Tue => "mardi",
        Weekday::Wed => "mercredi",
        Weekday::Thu => "jeudi",
        Weekday::Fri => "vendredi",
        Weekday::Sat => "samedi",
        Weekday::Sun => "dimanche",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::time::{parse_datetime, rfc3339};

    /// A small calendar in the shape of the embedded one, so these tests do not depend on
    /// the catalog layer (the catalog tests run the same checks on the real file).
    fn calendar() -> SchoolCalendar {
        let row =
            |name: &str, year: &str, from: &str, resume: Option<&str>, checked| SchoolHoliday {
                name: name.into(),
                school_year: year.into(),
                from: from.parse().unwrap(),
                resume: resume.map(|r| r.parse().unwrap()),
                checked,
            };
        SchoolCalendar {
            zone: "B".into(),
            academy: "Normandie".into(),
            holidays: vec![
                row("Été", "2024-2025", "2025-07-05", Some("2025-09-01"), true),
                row(
                    "Toussaint",
                    "2025-2026",
                    "2025-10-18",
                    Some("2025-11-03"),
                    true,
                ),
                row("Noël", "2025-2026", "2025-12-20", Some("2026-01-05"), true),
                row("Hiver", "2025-2026", "2026-02-14", Some("2026-03-02"), true),
                row(
                    "Printemps",
                    "2025-2026",
                    "2026-04-11",
                    Some("2026-04-27"),
                    true,
                ),
                row("Été", "2025-2026", "2026-07-04", Some("2026-09-01"), true),
                row(
                    "Toussaint",
                    "2026-2027",
                    "2026-10-17",
                    Some("2026-11-02"),
                    false,
                ),
                row("Noël", "2026-2027", "2026-12-19", Some("2027-01-04"), false),
                row(
                    "Hiver",
                    "2026-2027",
                    "2027-02-20",
                    Some("2027-03-08"),
                    false,
                ),
                row(
                    "Printemps",
                    "2026-2027",
                    "2027-04-17",
                    Some("2027-05-03"),
                    false,
                ),
                row("Été", "2026-2027", "2027-07-03", None, false),
            ],
        }
    }

    fn at(paris: &str) -> DateTime<Utc> {
        parse_datetime(paris).unwrap()
    }

    fn status(paris: &str) -> AmigoStatus {
        amigo_status(at(paris), &calendar())
    }

    fn next(s: &AmigoStatus) -> String {
        rfc3339(s.next_opening.expect("a next opening"))
    }

    fn holidays(name: &str) -> Option<Period> {
        Some(Period::Holidays { name: name.into() })
    }

    #[test]
    fn school_days_open_eight_to_five() {
        // Monday 2026-03-09, winter time.
        let s = status("2026-03-09T08:00");
        assert!(s.open);
        assert_eq!(s.period, Some(Period::School));
        assert_eq!(s.reason, "ouvert : période scolaire, lundi 8 h – 17 h");
        assert_eq!(rfc3339(s.closes_at.unwrap()), "2026-03-09T16:00:00Z");
        assert_eq!(s.next_opening, None);
        assert_eq!(s.calendar_year, "2025-2026");
        assert!(!s.unchecked);

        let s = status("2026-03-09T07:59");
        assert!(!s.open);
        assert_eq!(
            s.reason,
            "fermé : période scolaire, l'assistance ouvre à 8 h"
        );
        assert_eq!(next(&s), "2026-03-09T07:00:00Z");
        assert_eq!(s.closes_at, None);

        let s = status("2026-03-09T17:00");
        assert!(!s.open);
        assert_eq!(
            s.reason,
            "fermé : période scolaire, l'assistance ferme à 17 h"
        );
        assert_eq!(next(&s), "2026-03-10T07:00:00Z");
    }

    #[test]
    fn school_wednesdays_close_at_one() {
        // Wednesday 2026-03-11.
        let s = status("2026-03-11T12:59");
        assert!(s.open);
        assert_eq!(s.reason, "ouvert : période scolaire, mercredi 8 h – 13 h");
        assert_eq!(rfc3339(s.closes_at.unwrap()), "2026-03-11T12:00:00Z");

        let s = status("2026-03-11T13:00");
        assert!(!s.open);
        assert_eq!(
            s.reason,
            "fermé : mercredi en période scolaire, l'assistance ferme à 13 h"
        );
        // Thursday 8:00 Paris.
        assert_eq!(next(&s), "2026-03-12T07:00:00Z");
    }

    #[test]
    fn holiday_hours_apply_every_weekday_wednesday_included() {
        // Wednesday 2025-12-24, Christmas holidays.
        let s = status("2025-12-24T13:00");
        assert!(!s.open, "13:00 is the lunch pause in holidays");
        let s = status("2025-12-24T14:00");
        assert!(s.open);
        assert_eq!(s.period, holidays("Noël"));
        assert_eq!(
            s.reason,
            "ouvert : vacances de Noël, mercredi 9 h – 12 h 30 et 13 h 30 – 17 h"
        );
        assert_eq!(rfc3339(s.closes_at.unwrap()), "2025-12-24T16:00:00Z");
        // Wednesday 2026-02-18, winter holidays: open at 13:30 like any holiday weekday.
        let s = status("2026-02-18T13:30");
        assert!(s.open);
        assert_eq!(s.period, holidays("Hiver"));
        let s = status("2026-02-18T08:30");
        assert!(!s.open);
        assert_eq!(
            s.reason,
            "fermé : vacances d'hiver, l'assistance ouvre à 9 h"
        );
        assert_eq!(next(&s), "2026-02-18T08:00:00Z");
    }

    #[test]
    fn holiday_lunch_pause_reopens_the_same_day() {
        // Monday 2025-12-22.
        let s = status("2025-12-22T12:45");
        assert!(!s.open);
        assert_eq!(
            s.reason,
            "fermé : pause de 12 h 30 à 13 h 30 (vacances de Noël)"
        );
        assert_eq!(next(&s), "2025-12-22T12:30:00Z");
        let s = status("2025-12-22T12:29");
        assert!(s.open);
        assert_eq!(rfc3339(s.closes_at.unwrap()), "2025-12-22T11:30:00Z");
    }

    #[test]
    fn holidays_run_from_the_saturday_to_the_evening_before_classes_resume() {
        // Friday 2025-12-19: last school day.
        assert_eq!(status("2025-12-19T16:00").period, Some(Period::School));
        // Saturday 2025-12-20: first holiday day, closed (weekend).
        let s = status("2025-12-20T10:00");
        assert!(!s.open);
        assert_eq!(s.period, holidays("Noël"));
        assert_eq!(s.reason, "fermé : week-end (samedi)");
        // Sunday 2026-01-04: last holiday day, closed; reopens with school hours on Monday.
        let s = status("2026-01-04T10:00");
        assert!(!s.open);
        assert_eq!(s.period, holidays("Noël"));
        assert_eq!(s.reason, "fermé : week-end (dimanche)");
        assert_eq!(next(&s), "2026-01-05T07:00:00Z");
        // Monday 2026-01-05 08:30: classes resumed, school hours.
        let s = status("2026-01-05T08:30");
        assert!(s.open);
        assert_eq!(s.period, Some(Period::School));
        // Toussaint 2025: Saturday 2025-10-18 through Sunday 2025-11-02.
        assert_eq!(status("2025-10-18T10:00").period, holidays("Toussaint"));
        assert_eq!(status("2025-11-02T10:00").period, holidays("Toussaint"));
        assert_eq!(status("2025-11-03T10:00").period, Some(Period::School));
    }

    #[test]
    fn public_holidays_close_it() {
        let s = status("2026-04-06T10:00");
        assert!(!s.open);
        assert_eq!(
            s.reason,
            "fermé : jour férié (Lundi de Pâques), règle du guichet : le guide ne parle pas des jours fériés"
        );
        // Easter Monday 2026 falls in school period: Tuesday 8:00 Paris, summer time.
        assert_eq!(next(&s), "2026-04-07T06:00:00Z");
        let s = status("2026-05-14T10:00");
        assert!(!s.open);
        assert!(
            s.reason
                .starts_with("fermé : jour férié (Ascension), règle du guichet"),
            "{}",
            s.reason
        );
        let s = status("2026-05-25T10:00");
        assert!(!s.open, "Whit Monday is treated as a public holiday");
        assert_eq!(
            s.reason,
            "fermé : jour férié (Lundi de Pentecôte), règle du guichet : le guide ne parle pas des jours fériés"
        );
        // Christmas holidays: 2025-12-25 is closed, 2025-12-26 opens at 9:00.
        let s = status("2025-12-25T10:00");
        assert!(!s.open);
        assert_eq!(next(&s), "2025-12-26T08:00:00Z");
    }

    /// The seed gives « du lundi au vendredi » and says nothing of public holidays: an
    /// answer whose next opening skips one says the skip is the desk's rule.
    #[test]
    fn a_next_opening_past_a_public_holiday_says_it_is_the_desks_rule() {
        // Saturday before Easter Monday 2026: reopens on Tuesday.
        let s = status("2026-04-04T10:00");
        assert_eq!(next(&s), "2026-04-07T06:00:00Z");
        assert_eq!(
            s.reason,
            "fermé : week-end (samedi) ; lundi 6 avril 2026 (Lundi de Pâques) compté fermé, \
             règle du guichet : le guide ne parle pas des jours fériés"
        );
        // Friday before Whit Monday 2026, after hours.
        let s = status("2026-05-22T18:00");
        assert!(
            s.reason
                .contains("(Lundi de Pentecôte) compté fermé, règle du guichet")
        );
        // A plain weekend says nothing of the desk: the guide's « du lundi au vendredi ».
        let s = status("2026-03-14T10:00");
        assert!(!s.reason.contains("guichet"), "{}", s.reason);
    }

    #[test]
    fn ascension_bridge_keeps_school_hours() {
        // Friday 2026-05-15: no class for pupils, AMIGO keeps school-period hours.
        let s = status("2026-05-15T08:00");
        assert!(s.open);
        assert_eq!(s.period, Some(Period::School));
        assert!(s.reason.contains("pont de l'Ascension"), "{}", s.reason);
        assert_eq!(rfc3339(s.closes_at.unwrap()), "2026-05-15T15:00:00Z");
        // Thursday evening: the next opening is Friday 8:00, not Monday.
        let s = status("2026-05-14T18:00");
        assert_eq!(next(&s), "2026-05-15T06:00:00Z");
    }

    #[test]
    fn weekends_are_closed() {
        let s = status("2026-03-14T10:00");
        assert!(!s.open);
        assert_eq!(s.reason, "fermé : week-end (samedi)");
        assert_eq!(s.period, Some(Period::School));
        assert_eq!(
            status("2026-03-15T10:00").reason,
            "fermé : week-end (dimanche)"
        );
    }

    #[test]
    fn summer_time_changes_shift_the_utc_opening() {
        // Saturday 2026-03-28 evening, winter time; summer time starts on Sunday 29.
        let s = status("2026-03-28T20:00");
        assert!(!s.open);
        assert_eq!(next(&s), "2026-03-30T06:00:00Z", "Monday 8:00 Paris, UTC+2");
        // Saturday 2026-10-24, summer time; winter time is back on Sunday 25. Toussaint
        // holidays 2026: holiday hours, Monday 9:00 Paris, UTC+1.
        let s = status("2026-10-24T10:00");
        assert_eq!(s.period, holidays("Toussaint"));
        assert_eq!(s.calendar_year, "2026-2027");
        assert_eq!(next(&s), "2026-10-26T08:00:00Z");
        // During the repeated hour itself (01:30 UTC is 02:30 Paris, winter time).
        let s = amigo_status(at("2026-10-25T01:30:00Z"), &calendar());
        assert_eq!(next(&s), "2026-10-26T08:00:00Z");
    }

    #[test]
    fn dates_beyond_the_calendar_are_unknown() {
        // Wednesday 2027-09-15 at 10:00: open in both sets of hours, but the period is
        // unknown.
        let s = status("2027-09-15T10:00");
        assert_eq!(s.period, None);
        assert_eq!(s.calendar_year, "");
        assert!(
            s.reason.contains("calendrier scolaire inconnu"),
            "{}",
            s.reason
        );
        assert!(s.reason.contains("2 juillet 2027"), "{}", s.reason);
        assert!(s.open);
        // 8:30: open only in school periods, so the answer is not given as open.
        let s = status("2027-09-15T08:30");
        assert!(!s.open);
        assert!(
            s.reason
                .starts_with("incertain : calendrier scolaire inconnu"),
            "{}",
            s.reason
        );
        assert_eq!(s.next_opening, None);
        // The first day of the open-ended summer is already unknown.
        assert_eq!(status("2027-07-05T10:00").period, None);
        // A school evening right before it: no opening the calendar can vouch for.
        let s = status("2027-07-02T18:00");
        assert_eq!(s.period, Some(Period::School));
        assert_eq!(s.next_opening, None);
        assert!(
            s.reason.contains("prochaine ouverture inconnue"),
            "{}",
            s.reason
        );
        // Before the first row too.
        assert_eq!(status("2025-06-02T10:00").period, None);
    }

    #[test]
    fn answers_relying_on_unchecked_rows_say_so() {
        // Between the unchecked winter and spring rows of 2026-2027.
        let s = status("2027-03-10T10:00");
        assert_eq!(s.period, Some(Period::School));
        assert_eq!(s.calendar_year, "2026-2027");
        assert!(s.unchecked);
        // Friday evening before the unchecked winter holidays: the next opening relies on
        // the unchecked row.
        let s = status("2027-02-19T18:00");
        assert!(s.unchecked);
        assert_eq!(next(&s), "2027-02-22T08:00:00Z");
        assert!(!status("2026-03-10T10:00").unchecked);
    }

    #[test]
    fn coverage_matches_what_the_calendar_answers() {
        let cal = calendar();
        let (first, last) = cal.coverage().unwrap();
        assert_eq!(first.to_string(), "2025-07-05");
        assert_eq!(last.to_string(), "2027-07-02");
        assert!(cal.period_on(first).is_some());
        assert!(cal.period_on(first.pred_opt().unwrap()).is_none());
        assert!(cal.period_on(last).is_some());
        assert!(cal.period_on(last.succ_opt().unwrap()).is_none());
    }

    #[test]
    fn periods_serialize_in_french() {
        assert_eq!(
            serde_json::to_string(&Period::School).unwrap(),
            r#"{"kind":"scolaire"}"#
        );
        assert_eq!(
            serde_json::to_string(&Period::Holidays {
                name: "Noël".into()
            })
            .unwrap(),
            r#"{"kind":"vacances","name":"Noël"}"#
        );
    }

    #[test]
    fn emergency_numbers_are_the_seeds() {
        assert_eq!(ADDRESS, "http://assistance.ac-normandie.fr/");
        assert_eq!(EMERGENCY.len(), 2);
        assert_eq!(EMERGENCY[0].1, "09 70 80 97 97");
        assert_eq!(EMERGENCY[1].1, "0806 000 488 ou 0810 14 50 61");
    }
}
