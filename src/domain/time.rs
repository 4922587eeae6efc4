//! Time as the desk sees it: stored in UTC, read and shown in Europe/Paris.

use chrono::{DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Europe::Paris;
use thiserror::Error;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum TimeError {
    #[error(
        "date invalide « {0} » : attendu 18/12/2026 20:00, 18/12 20h, 20h30, \
         AAAA-MM-JJTHH:MM (heure de Paris) ou RFC 3339"
    )]
    Unreadable(String),
    #[error("l'heure « {0} » n'existe pas à Paris (passage à l'heure d'été)")]
    Skipped(String),
    /// Read, but no such day or time: 31/02, 25h, 20h60.
    #[error("date impossible « {0} » : ce jour ou cette heure n'existe pas")]
    Impossible(String),
    /// A real date, but before the desk could have taken a call: 1900 for 2000.
    #[error("date improbable « {0} » : antérieure au 01/01/2000")]
    TooEarly(String),
    /// A real date, but further ahead than the option allows.
    #[error("date improbable « {date} » : plus {ahead} après maintenant (au plus le {limit})")]
    TooLate {
        date: String,
        /// "d'un jour", "d'un an".
        ahead: String,
        /// The latest accepted date, in Paris time.
        limit: String,
    },
    /// When a call began, later than now.
    #[error("date « {date} » dans le futur : un appel commence au plus tard maintenant ({now})")]
    Future {
        date: String,
        /// Now, in Paris time.
        now: String,
    },
}

/// How far ahead a date may be for what the desk records or looks up: a day. Enough for a
/// clock a little off or a shift that ends after midnight; a call logged next month is a
/// typo.
pub const DAY_AHEAD: Duration = Duration::days(1);

/// How far ahead `tools amigo --at` may ask: a year. "Is AMIGO open next Tuesday?" is a
/// real question (a callback to plan); the calendar file covers the coming school year.
pub const YEAR_AHEAD: Duration = Duration::days(366);

/// The earliest date accepted anywhere: 1 January 2000, midnight in Paris. Nothing the
/// desk records or looks up is older.
pub fn earliest() -> DateTime<Utc> {
    paris_to_utc(
        NaiveDate::from_ymd_opt(2000, 1, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .unwrap_or_default(),
    )
    .unwrap_or_default()
}

/// A date the desk can believe: not before 2000-01-01 and not more than a day after `now`
/// ([`DAY_AHEAD`]). The CLI applies it to every date option but `tools amigo --at`; the
/// console's date fields may use it alike. The error names the date in Paris time.
pub fn plausible(at: DateTime<Utc>, now: DateTime<Utc>) -> Result<DateTime<Utc>, TimeError> {
    plausible_within(at, now, DAY_AHEAD)
}

/// [`plausible`] with another allowance for the future (`tools amigo` asks about next week).
pub fn plausible_within(
    at: DateTime<Utc>,
    now: DateTime<Utc>,
    ahead: Duration,
) -> Result<DateTime<Utc>, TimeError> {
    let shown = || paris(at, "%d/%m/%Y %H:%M");
    if at < earliest() {
        return Err(TimeError::TooEarly(shown()));
    }
    let limit = now + ahead;
    if at > limit {
        return Err(TimeError::TooLate {
            date: shown(),
            ahead: match ahead.num_days() {
                0 => format!("de {} h", ahead.num_hours()),
                1 => "d'un jour".into(),
                365 | 366 => "d'un an".into(),
                n => format!("de {n} jours"),
            },
            limit: paris(limit, "%d/%m/%Y %H:%M"),
        });
    }
    Ok(at)
}

/// Reads a date as [`parse_when`] does and checks it as [`plausible_within`] does; a date
/// refused as implausible is named as it was typed.
pub fn parse_plausible(
    input: &str,
    now: DateTime<Utc>,
    ahead: Duration,
) -> Result<DateTime<Utc>, TimeError> {
    let at = parse_when(input, now)?;
    let typed = input.trim().to_string();
    plausible_within(at, now, ahead).map_err(|e| match e {
        TimeError::TooEarly(_) => TimeError::TooEarly(typed),
        TimeError::TooLate { ahead, limit, .. } => TimeError::TooLate {
            date: typed,
            ahead,
            limit,
        },
        other => other,
    })
}

/// How far ahead of now a time typed without a day may be and still be refused rather
/// than read as the day before: « 8h05 » typed at 08:03 is a clock or a finger a little
/// off, not yesterday morning; « 23h » typed at 05:54 is last night.
pub const YESTERDAY_BEYOND: Duration = Duration::hours(1);

/// Reads when a call began, as [`parse_when`] reads it, and never later than now: a
/// handling time runs from the opening to the closing, and a closing cannot precede it.
/// - A time typed without a day (`23h`, `8h05`) is the last time the clock showed it: today
///   if it has gone by, yesterday if it is more than [`YESTERDAY_BEYOND`] ahead (the call
///   of last night logged at dawn); between the two it is refused.
/// - The minute under way is now (`14h05` typed at 14:05:40, or a watch a few seconds
///   ahead): the call began at most now.
/// - Anything else after now is refused, and so is a date before 2000; the error names the
///   date as it was typed.
pub fn parse_opening(input: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, TimeError> {
    let typed = input.trim().to_string();
    let (mut at, day_given) = read_when(input, now)?;
    if !day_given && at - now > YESTERDAY_BEYOND {
        let yesterday = at.with_timezone(&Paris).naive_local() - Duration::days(1);
        at = paris_to_utc(yesterday).ok_or_else(|| TimeError::Skipped(typed.clone()))?;
    }
    if at > now && at - now < Duration::minutes(1) {
        at = now;
    }
    if at > now {
        return Err(TimeError::Future {
            date: typed,
            now: paris(now, "%d/%m/%Y %H:%M:%S"),
        });
    }
    plausible(at, now).map_err(|e| match e {
        TimeError::TooEarly(_) => TimeError::TooEarly(typed),
        other => other,
    })
}

/// Reads a date as operators type it, in Paris time: everything [`parse_datetime`] reads,
/// and the French forms `18/12/2026 20:00`, `18/12/2026 20h30`, `18/12/2026` (midnight),
/// `18/12 20h` (this year), `18/12`, `20h30`, `20:30`, `8h05` (today), with an optional
/// `à` between the day and the time. "This year" and "today" are Paris's at `now`. Days
/// and times that do not exist (31/02, 25h) are refused, and so is the hour skipped in
/// spring; the autumn hour that happens twice is the earlier one.
pub fn parse_when(input: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, TimeError> {
    read_when(input, now).map(|(at, _)| at)
}

/// [`parse_when`], and whether a day was typed (a time alone is today's).
fn read_when(input: &str, now: DateTime<Utc>) -> Result<(DateTime<Utc>, bool), TimeError> {
    let s = input.trim();
    match parse_datetime(s) {
        Err(TimeError::Unreadable(_)) => {}
        other => return other.map(|at| (at, true)),
    }
    let unreadable = || TimeError::Unreadable(s.to_string());
    let impossible = || TimeError::Impossible(s.to_string());
    let words: Vec<&str> = s.split_whitespace().collect();
    let (day, time) = match words.as_slice() {
        [one] if one.contains('/') => (Some(*one), None),
        [one] => (None, Some(*one)),
        [day, time] => (Some(*day), Some(*time)),
        [day, "à" | "a" | "À" | "A", time] => (Some(*day), Some(*time)),
        _ => return Err(unreadable()),
    };
    let today = now.with_timezone(&Paris).date_naive();
    let date = match day {
        None => today,
        Some(d) => {
            let (day, month, year) = french_day(d).ok_or_else(unreadable)?;
            NaiveDate::from_ymd_opt(year.unwrap_or(today.year()), month, day)
                .ok_or_else(impossible)?
        }
    };
    let (hour, minute) = match time {
        None => (0, 0),
        Some(t) => french_time(t).ok_or_else(unreadable)?,
    };
    let naive = date.and_hms_opt(hour, minute, 0).ok_or_else(impossible)?;
    let at = paris_to_utc(naive).ok_or_else(|| TimeError::Skipped(s.to_string()))?;
    Ok((at, day.is_some()))
}

/// The first date or time in a text (a call's summary: « AMIGO ouvert le 24/12 à 10h ? »)
/// in a form [`parse_when`] reads, as written, the longest first (a day with its time,
/// then a day or a time alone). What the tool then makes of it is checked there.
pub fn date_in(text: &str) -> Option<String> {
    let words: Vec<&str> = text
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| ",;:!?()«»\"'".contains(c)))
        .map(|w| w.trim_end_matches('.'))
        .filter(|w| !w.is_empty())
        .collect();
    // Any year with a 29 February: only whether it reads matters here.
    let leap = Utc.with_ymd_and_hms(2028, 1, 1, 12, 0, 0).single()?;
    let found = (1..=3).rev().find_map(|n| {
        words.windows(n).find_map(|w| {
            // A date is written with figures: « à 10h » alone is not « à ».
            let dated = w
                .iter()
                .any(|x| x.starts_with(|c: char| c.is_ascii_digit()));
            let joined = w.join(" ");
            (dated && parse_when(&joined, leap).is_ok()).then_some(joined)
        })
    })?;
    // A day that does not exist (31/02) beside a time: not « today at 10h ».
    let day_written = words
        .iter()
        .any(|w| w.contains('/') && w.starts_with(|c: char| c.is_ascii_digit()));
    (found.contains('/') || !day_written).then_some(found)
}

/// An ASCII number of `min..=max` digits.
fn number(s: &str, min: usize, max: usize) -> Option<u32> {
    if (min..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()) {
        s.parse().ok()
    } else {
        None
    }
}

/// `18/12/2026` or `18/12`: (day, month, year), unchecked against the calendar.
fn french_day(s: &str) -> Option<(u32, u32, Option<i32>)> {
    let parts: Vec<&str> = s.split('/').collect();
    let (day, month, year) = match parts.as_slice() {
        [d, m] => (d, m, None),
        [d, m, y] => (d, m, Some(number(y, 4, 4)? as i32)),
        _ => return None,
    };
    Some((number(day, 1, 2)?, number(month, 1, 2)?, year))
}

/// `20h`, `20h30`, `8h05`, `20:30`: (hour, minute), unchecked against the clock.
fn french_time(s: &str) -> Option<(u32, u32)> {
    let (hour, minute) = match s.split_once(['h', 'H']) {
        Some((h, "")) => (h, None),
        Some((h, m)) => (h, Some(m)),
        None => {
            let (h, m) = s.split_once(':')?;
            (h, Some(m))
        }
    };
    let minute = match minute {
        Some(m) => number(m, 2, 2)?,
        None => 0,
    };
    Some((number(hour, 1, 2)?, minute))
}

/// Reads a date given on the command line: RFC 3339 (any offset), `YYYY-MM-DDTHH:MM`
/// (or with a space, or with seconds) read in Paris time, or a bare `YYYY-MM-DD` meaning
/// midnight in Paris.
pub fn parse_datetime(input: &str) -> Result<DateTime<Utc>, TimeError> {
    let s = input.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Ok(dt.with_timezone(&Utc));
    }
    let naive = [
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M:%S",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
    .or_else(|| {
        NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
    })
    .ok_or_else(|| TimeError::Unreadable(input.to_string()))?;
    paris_to_utc(naive).ok_or_else(|| TimeError::Skipped(input.to_string()))
}

/// A Paris wall-clock time in UTC. In the autumn hour that happens twice the earlier one is
/// taken (the desk's shift started then); a time skipped in spring has no answer.
pub fn paris_to_utc(naive: NaiveDateTime) -> Option<DateTime<Utc>> {
    match Paris.from_local_datetime(&naive) {
        LocalResult::Single(dt) => Some(dt.with_timezone(&Utc)),
        LocalResult::Ambiguous(early, _) => Some(early.with_timezone(&Utc)),
        LocalResult::None => None,
    }
}

/// When the week of `now` began: Monday 00:00 in Paris.
pub fn week_start(now: DateTime<Utc>) -> DateTime<Utc> {
    let local = now.with_timezone(&Paris).date_naive();
    let monday = local - Duration::days(i64::from(local.weekday().num_days_from_monday()));
    monday
        .and_hms_opt(0, 0, 0)
        .and_then(paris_to_utc)
        .unwrap_or(now)
}

/// Formats a UTC instant in Paris time with a chrono format string.
pub fn paris(dt: DateTime<Utc>, format: &str) -> String {
    dt.with_timezone(&Paris).format(format).to_string()
}

/// RFC 3339 in UTC with whole seconds, the form JSON and CSV exports use.
pub fn rfc3339(dt: DateTime<Utc>) -> String {
    dt.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A short French duration for the age of an open call: "45 s", "12 min", "2 h 05", "3 j".
pub fn age(elapsed: Duration) -> String {
    let secs = elapsed.num_seconds().max(0);
    match secs {
        0..=59 => format!("{secs} s"),
        60..=3599 => format!("{} min", secs / 60),
        3600..=86_399 => format!("{} h {:02}", secs / 3600, (secs % 3600) / 60),
        _ => format!("{} j", secs / 86_400),
    }
}

/// The running timer of a call being typed: "02:37", or "1:02:37" past an hour.
pub fn timer(elapsed: Duration) -> String {
    let secs = elapsed.num_seconds().max(0);
    if secs >= 3600 {
        format!("{}:{:02}:{:02}", secs / 3600, (secs % 3600) / 60, secs % 60)
    } else {
        format!("{:02}:{:02}", secs / 60, secs % 60)
    }
}

pub fn from_unix(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_opening_is_never_after_now() {
        // Sunday 6 December 2026, 05:54:20 in Paris (UTC+1).
        let now = Utc.with_ymd_and_hms(2026, 12, 6, 4, 54, 20).unwrap();
        let open = |s: &str| parse_opening(s, now).map(rfc3339);
        // Last night's call, logged at dawn.
        assert_eq!(open("23h").unwrap(), "2026-12-05T22:00:00Z");
        assert_eq!(open("06:55").unwrap(), "2026-12-05T05:55:00Z");
        // Gone by today.
        assert_eq!(open("5h30").unwrap(), "2026-12-06T04:30:00Z");
        // The minute under way, or a watch seconds ahead: now.
        assert_eq!(open("5h54").unwrap(), "2026-12-06T04:54:00Z");
        assert_eq!(open("5h55").unwrap(), "2026-12-06T04:54:20Z");
        // Less than an hour ahead: neither today nor last night.
        assert_eq!(
            open("6h30"),
            Err(TimeError::Future {
                date: "6h30".into(),
                now: "06/12/2026 05:54:20".into()
            })
        );
        // A day typed says which day: ahead of now is refused, whatever the distance.
        assert!(matches!(open("06/12 23h"), Err(TimeError::Future { .. })));
        assert!(matches!(
            open("2026-12-06T05:56"),
            Err(TimeError::Future { .. })
        ));
        assert_eq!(open("05/12 23h").unwrap(), "2026-12-05T22:00:00Z");
        assert!(matches!(open("1999-12-31"), Err(TimeError::TooEarly(d)) if d == "1999-12-31"));
        let said = open("06/12/2026 7h").unwrap_err().to_string();
        assert!(said.contains("« 06/12/2026 7h » dans le futur"), "{said}");
        assert!(said.contains("06/12/2026 05:54:20"), "{said}");
        // Last night across the spring change: 2h30 did not exist on 28 March 2027.
        let spring = Utc.with_ymd_and_hms(2027, 3, 28, 23, 0, 0).unwrap();
        assert_eq!(
            parse_opening("2h30", spring),
            Err(TimeError::Skipped("2h30".into()))
        );
    }

    #[test]
    fn local_times_are_read_in_paris() {
        // Winter: UTC+1.
        assert_eq!(
            rfc3339(parse_datetime("2026-11-23T09:41").unwrap()),
            "2026-11-23T08:41:00Z"
        );
        // Summer: UTC+2.
        assert_eq!(
            rfc3339(parse_datetime("2026-07-01 09:00").unwrap()),
            "2026-07-01T07:00:00Z"
        );
        assert_eq!(
            rfc3339(parse_datetime("2026-11-23").unwrap()),
            "2026-11-22T23:00:00Z"
        );
        assert_eq!(
            rfc3339(parse_datetime("2026-11-23T09:41:00+01:00").unwrap()),
            "2026-11-23T08:41:00Z"
        );
    }

    #[test]
    fn bad_and_skipped_times_name_the_value() {
        let err = parse_datetime("23/11/2026").unwrap_err();
        assert!(err.to_string().contains("« 23/11/2026 »"));
        // 2027-03-28 02:30 does not exist in Paris.
        assert_eq!(
            parse_datetime("2027-03-28T02:30"),
            Err(TimeError::Skipped("2027-03-28T02:30".into()))
        );
        // 2026-10-25 02:30 happens twice: the first (summer time, UTC+2) is taken.
        assert_eq!(
            rfc3339(parse_datetime("2026-10-25T02:30").unwrap()),
            "2026-10-25T00:30:00Z"
        );
    }

    /// 09:41 in Paris on Monday 23 November 2026 (winter time, UTC+1).
    fn monday() -> DateTime<Utc> {
        parse_datetime("2026-11-23T09:41").unwrap()
    }

    fn when(s: &str, now: DateTime<Utc>) -> String {
        rfc3339(parse_when(s, now).unwrap_or_else(|e| panic!("{s:?}: {e}")))
    }

    #[test]
    fn french_dates_with_a_year_are_read_in_paris() {
        let now = monday();
        for (typed, utc) in [
            ("18/12/2026 20:00", "2026-12-18T19:00:00Z"),
            ("18/12/2026 20h", "2026-12-18T19:00:00Z"),
            ("18/12/2026 20H", "2026-12-18T19:00:00Z"),
            ("18/12/2026 20h30", "2026-12-18T19:30:00Z"),
            ("18/12/2026 à 20h30", "2026-12-18T19:30:00Z"),
            ("18/12/2026 a 20:30", "2026-12-18T19:30:00Z"),
            ("18/12/2026", "2026-12-17T23:00:00Z"),
            ("8/1/2027 8h05", "2027-01-08T07:05:00Z"),
            ("  18/12/2026   20h ", "2026-12-18T19:00:00Z"),
            // Summer time: UTC+2.
            ("01/07/2026 09:00", "2026-07-01T07:00:00Z"),
            ("1/7/2026 9h", "2026-07-01T07:00:00Z"),
            // Another year than now's.
            ("29/02/2028 12h", "2028-02-29T11:00:00Z"),
        ] {
            assert_eq!(when(typed, now), utc, "{typed:?}");
        }
    }

    #[test]
    fn a_day_without_a_year_is_in_the_current_year_in_paris() {
        let now = monday();
        for (typed, utc) in [
            ("18/12 20h", "2026-12-18T19:00:00Z"),
            ("18/12 20:00", "2026-12-18T19:00:00Z"),
            ("18/12 à 20h", "2026-12-18T19:00:00Z"),
            ("18/12 20h30", "2026-12-18T19:30:00Z"),
            ("18/12", "2026-12-17T23:00:00Z"),
            ("02/01", "2026-01-01T23:00:00Z"),
            ("1/7 9h", "2026-07-01T07:00:00Z"),
        ] {
            assert_eq!(when(typed, now), utc, "{typed:?}");
        }
        // 23:30 UTC on 31 December is already 1 January in Paris: the year is Paris's.
        let new_year = parse_datetime("2026-12-31T23:30:00Z").unwrap();
        assert_eq!(when("18/12", new_year), "2027-12-17T23:00:00Z");
        assert_eq!(when("31/12 22h", new_year), "2027-12-31T21:00:00Z");
    }

    #[test]
    fn a_time_alone_is_today_in_paris() {
        let now = monday();
        for (typed, utc) in [
            ("20h30", "2026-11-23T19:30:00Z"),
            ("20h", "2026-11-23T19:00:00Z"),
            ("20:30", "2026-11-23T19:30:00Z"),
            ("8h05", "2026-11-23T07:05:00Z"),
            ("8h", "2026-11-23T07:00:00Z"),
            ("08:05", "2026-11-23T07:05:00Z"),
            ("0h", "2026-11-22T23:00:00Z"),
            ("23h59", "2026-11-23T22:59:00Z"),
            (" 20h30 ", "2026-11-23T19:30:00Z"),
        ] {
            assert_eq!(when(typed, now), utc, "{typed:?}");
        }
        // 23:30 UTC on 23 November is 00:30 on the 24th in Paris: "today" is the 24th.
        let after_midnight = parse_datetime("2026-11-23T23:30:00Z").unwrap();
        assert_eq!(when("8h05", after_midnight), "2026-11-24T07:05:00Z");
        // In summer, today's 9h is UTC+2.
        let summer = parse_datetime("2026-07-01T12:00").unwrap();
        assert_eq!(when("9h", summer), "2026-07-01T07:00:00Z");
    }

    #[test]
    fn french_dates_follow_the_clock_changes() {
        let now = monday();
        // 28 March 2027, 02:30 does not exist in Paris.
        for typed in ["28/03/2027 02:30", "28/03/2027 2h30", "28/03/2027 à 2h"] {
            assert_eq!(
                parse_when(typed, now),
                Err(TimeError::Skipped(typed.into())),
                "{typed:?}"
            );
        }
        let spring_day = parse_datetime("2027-03-28T12:00").unwrap();
        assert_eq!(
            parse_when("2h30", spring_day),
            Err(TimeError::Skipped("2h30".into()))
        );
        assert_eq!(when("3h", spring_day), "2027-03-28T01:00:00Z");
        // 25 October 2026, 02:30 happens twice: the earlier (summer time) is taken.
        assert_eq!(when("25/10/2026 2h30", now), "2026-10-25T00:30:00Z");
        assert_eq!(when("25/10 02:30", now), "2026-10-25T00:30:00Z");
    }

    #[test]
    fn what_parse_datetime_reads_parse_when_reads_alike() {
        let now = monday();
        for typed in [
            "2026-11-23T09:41",
            "2026-07-01 09:00",
            "2026-11-23",
            "2026-11-23T09:41:00+01:00",
            "2026-11-23T07:12:00Z",
            "2026-10-25T02:30",
        ] {
            assert_eq!(parse_when(typed, now), parse_datetime(typed), "{typed:?}");
        }
        assert_eq!(
            parse_when("2027-03-28T02:30", now),
            Err(TimeError::Skipped("2027-03-28T02:30".into()))
        );
    }

    #[test]
    fn impossible_and_unreadable_french_dates_name_the_value() {
        let now = monday();
        for typed in [
            "31/02/2026",
            "31/02",
            "29/02/2027 10h",
            "18/13",
            "0/12",
            "18/00/2026",
            "25h",
            "24:00",
            "20h60",
            "8h75",
            "18/12 25h",
            "18/12/2026 20:61",
        ] {
            let err = parse_when(typed, now).unwrap_err();
            assert_eq!(err, TimeError::Impossible(typed.into()), "{typed:?}");
            assert!(err.to_string().contains(&format!("« {typed} »")), "{err}");
        }
        for typed in [
            "",
            "hier",
            "demain 8h",
            "18/12/26",
            "18/12/02026",
            "18/12 20",
            "18/12 à",
            "à 20h",
            "20h30 18/12",
            "18/12 20h 30",
            "18//12",
            "/12",
            "18/12/",
            "20h3",
            "20:3",
            "123h",
            "h30",
            "20h30m",
            "٣/١٢",
            "18/12 ١٢h",
            "+18/12",
        ] {
            let err = parse_when(typed, now).unwrap_err();
            assert_eq!(err, TimeError::Unreadable(typed.into()), "{typed:?}");
        }
        let message = parse_when("hier", now).unwrap_err().to_string();
        assert_eq!(
            message,
            "date invalide « hier » : attendu 18/12/2026 20:00, 18/12 20h, 20h30, \
             AAAA-MM-JJTHH:MM (heure de Paris) ou RFC 3339"
        );
        // The value is named as typed, without the spaces around it.
        assert_eq!(
            parse_when("  31/02  ", now),
            Err(TimeError::Impossible("31/02".into()))
        );
    }

    #[test]
    fn implausible_dates_are_refused_and_named() {
        let now = monday();
        // The bounds themselves are accepted.
        assert_eq!(plausible(earliest(), now), Ok(earliest()));
        assert_eq!(
            rfc3339(earliest()),
            "1999-12-31T23:00:00Z",
            "midnight in Paris"
        );
        assert_eq!(plausible(now + DAY_AHEAD, now), Ok(now + DAY_AHEAD));
        assert_eq!(plausible(now, now), Ok(now));
        // A second outside is refused.
        assert_eq!(
            plausible(earliest() - Duration::seconds(1), now),
            Err(TimeError::TooEarly("31/12/1999 23:59".into()))
        );
        let late = plausible(now + DAY_AHEAD + Duration::seconds(1), now).unwrap_err();
        assert_eq!(
            late.to_string(),
            "date improbable « 24/11/2026 09:41 » : plus d'un jour après maintenant \
             (au plus le 24/11/2026 09:41)"
        );
        // Next week is fine for AMIGO, not for a call.
        let next_week = now + Duration::days(7);
        assert!(plausible(next_week, now).is_err());
        assert_eq!(plausible_within(next_week, now, YEAR_AHEAD), Ok(next_week));
        assert!(
            plausible_within(now + Duration::days(400), now, YEAR_AHEAD)
                .unwrap_err()
                .to_string()
                .contains("plus d'un an après maintenant")
        );
        // Typed dates are named as typed.
        assert_eq!(
            parse_plausible(" 1900-01-01T10:00 ", now, DAY_AHEAD),
            Err(TimeError::TooEarly("1900-01-01T10:00".into()))
        );
        assert_eq!(
            parse_plausible("01/01/1900 10h", now, DAY_AHEAD)
                .unwrap_err()
                .to_string(),
            "date improbable « 01/01/1900 10h » : antérieure au 01/01/2000"
        );
        assert!(matches!(
            parse_plausible("18/12", now, DAY_AHEAD),
            Err(TimeError::TooLate { date, .. }) if date == "18/12"
        ));
        assert_eq!(
            parse_plausible("24/11 9h", now, DAY_AHEAD).map(rfc3339),
            Ok("2026-11-24T08:00:00Z".into())
        );
        // Unreadable dates keep their own error.
        assert_eq!(
            parse_plausible("hier", now, DAY_AHEAD),
            Err(TimeError::Unreadable("hier".into()))
        );
    }

    #[test]
    fn ages_and_timers_read_well() {
        assert_eq!(age(Duration::seconds(42)), "42 s");
        assert_eq!(age(Duration::minutes(12)), "12 min");
        assert_eq!(age(Duration::minutes(125)), "2 h 05");
        assert_eq!(age(Duration::days(3)), "3 j");
        assert_eq!(timer(Duration::seconds(157)), "02:37");
        assert_eq!(timer(Duration::seconds(3757)), "1:02:37");
    }

    #[test]
    fn a_date_is_found_in_a_summary_as_written() {
        assert_eq!(
            date_in("AMIGO sera-t-il ouvert le 24/12 à 10h ?").as_deref(),
            Some("24/12 à 10h")
        );
        assert_eq!(
            date_in("rappeler 27/11/2026 19:00.").as_deref(),
            Some("27/11/2026 19:00")
        );
        assert_eq!(
            date_in("ouvert demain vers 14h30 ?").as_deref(),
            Some("14h30")
        );
        assert_eq!(date_in("le 29/02 au matin").as_deref(), Some("29/02"));
        // Nothing that reads as a date: no figures, a quota, a copier's name.
        assert_eq!(date_in("AMIGO est-il ouvert ?"), None);
        assert_eq!(date_in("23,4 Go consommés"), None);
        assert_eq!(date_in("copieur I76RC-DSI04-B4"), None);
        assert_eq!(date_in("le 31/02 à 10h"), None);
    }
}
