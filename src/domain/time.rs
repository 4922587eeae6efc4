//! Time as the desk sees it: stored in UTC, read and shown in Europe/Paris.

use chrono::{DateTime, Duration, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Europe::Paris;
use thiserror::Error;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum TimeError {
    #[error(
        "date invalide « {0} » : attendu AAAA-MM-JJTHH:MM (heure de Paris), AAAA-MM-JJ ou RFC 3339"
    )]
    Unreadable(String),
    #[error("l'heure « {0} » n'existe pas à Paris (passage à l'heure d'été)")]
    Skipped(String),
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

    #[test]
    fn ages_and_timers_read_well() {
        assert_eq!(age(Duration::seconds(42)), "42 s");
        assert_eq!(age(Duration::minutes(12)), "12 min");
        assert_eq!(age(Duration::minutes(125)), "2 h 05");
        assert_eq!(age(Duration::days(3)), "3 j");
        assert_eq!(timer(Duration::seconds(157)), "02:37");
        assert_eq!(timer(Duration::seconds(3757)), "1:02:37");
    }
}
