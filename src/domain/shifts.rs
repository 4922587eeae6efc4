//! The desk's shifts: daily time windows in Paris time. Which shift is current and which
//! came before, at any moment, across midnight and the summer-time changes.

use super::time::paris;
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Europe::Paris;
use serde::Serialize;
use thiserror::Error;

/// One shift of the day: from `start` to `end` local time; an `end` at or before `start`
/// ends the next day (a night shift), `24:00` is midnight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShiftDef {
    pub name: String,
    pub start: NaiveTime,
    /// Minutes after the start of the day the shift started: 1440 for 24:00.
    pub end_minutes: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShiftPlan {
    pub shifts: Vec<ShiftDef>,
}

/// One occurrence of a shift.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShiftWindow {
    pub name: String,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

impl ShiftWindow {
    /// "matin du 23/11/2026 (08:00 → 16:00)"; a window of a day or more names both ends,
    /// "période du 23/11/2026 08:00 au 25/11/2026 08:00". Under a day, the end needs no
    /// date even across midnight: "nuit du 23/11/2026 (22:00 → 06:00)".
    pub fn label(&self) -> String {
        if self.to - self.from >= Duration::days(1) {
            return format!(
                "{} du {} au {}",
                self.name,
                paris(self.from, "%d/%m/%Y %H:%M"),
                paris(self.to, "%d/%m/%Y %H:%M")
            );
        }
        format!(
            "{} du {} ({} → {})",
            self.name,
            paris(self.from, "%d/%m/%Y"),
            paris(self.from, "%H:%M"),
            paris(self.to, "%H:%M")
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ShiftError {
    #[error("aucune relève définie")]
    Empty,
    #[error("heure invalide « {0} » : attendu HH:MM, de 00:00 à 24:00")]
    Time(String),
    #[error("la relève « {0} » est de durée nulle")]
    ZeroLength(String),
    #[error("les relèves « {0} » et « {1} » se chevauchent")]
    Overlap(String, String),
}

/// "08:00", "8h", "24:00".
pub fn parse_clock(text: &str) -> Result<u32, ShiftError> {
    let t = text.trim().replace('h', ":");
    let t = if t.ends_with(':') {
        format!("{t}00")
    } else {
        t
    };
    let bad = || ShiftError::Time(text.to_string());
    let (h, m) = t.split_once(':').ok_or_else(bad)?;
    let h: u32 = h.parse().map_err(|_| bad())?;
    let m: u32 = m.parse().map_err(|_| bad())?;
    if m >= 60 || h > 24 || (h == 24 && m > 0) {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

/// A local date and minute of day as UTC. In the spring gap the first valid instant after
/// it is taken; in the autumn repeat, the first of the two.
fn local(date: NaiveDate, minutes: u32) -> DateTime<Utc> {
    let midnight = date.and_hms_opt(0, 0, 0).unwrap_or_default();
    let mut naive = midnight + Duration::minutes(i64::from(minutes));
    for _ in 0..4 {
        if let Some(dt) = Paris.from_local_datetime(&naive).earliest() {
            return dt.with_timezone(&Utc);
        }
        naive += Duration::minutes(30);
    }
    Utc.from_utc_datetime(&naive)
}

impl ShiftPlan {
    /// The default plan: morning, evening, night, covering the whole day.
    pub fn default_plan() -> ShiftPlan {
        ShiftPlan::new(vec![
            ("matin".into(), "08:00".into(), "16:00".into()),
            ("soir".into(), "16:00".into(), "24:00".into()),
            ("nuit".into(), "00:00".into(), "08:00".into()),
        ])
        .expect("the default plan is valid")
    }

    /// Builds a plan from (name, start, end) as a desk writes them.
    pub fn new(defs: Vec<(String, String, String)>) -> Result<ShiftPlan, ShiftError> {
        if defs.is_empty() {
            return Err(ShiftError::Empty);
        }
        let mut shifts = Vec::new();
        for (name, start, end) in defs {
            let s = parse_clock(&start)?;
            let e = parse_clock(&end)?;
            if s == 1440 {
                return Err(ShiftError::Time(start));
            }
            let end_minutes = if e <= s { e + 1440 } else { e };
            if end_minutes == s {
                return Err(ShiftError::ZeroLength(name));
            }
            shifts.push(ShiftDef {
                start: NaiveTime::from_num_seconds_from_midnight_opt(s * 60, 0).unwrap_or_default(),
                name,
                end_minutes,
            });
        }
        // Two shifts overlap when one starts inside the other, on the same or the next day.
        for (i, a) in shifts.iter().enumerate() {
            for b in shifts.iter().skip(i + 1) {
                let (a0, a1) = (minutes_of(a.start), a.end_minutes);
                let (b0, b1) = (minutes_of(b.start), b.end_minutes);
                let overlaps = |x0: u32, x1: u32, y0: u32, y1: u32| x0 < y1 && y0 < x1;
                if overlaps(a0, a1, b0, b1)
                    || overlaps(a0 + 1440, a1 + 1440, b0, b1)
                    || overlaps(a0, a1, b0 + 1440, b1 + 1440)
                {
                    return Err(ShiftError::Overlap(a.name.clone(), b.name.clone()));
                }
            }
        }
        Ok(ShiftPlan { shifts })
    }

    /// Every shift starting on `date`, in time order.
    fn windows_on(&self, date: NaiveDate) -> Vec<ShiftWindow> {
        let mut w: Vec<ShiftWindow> = self
            .shifts
            .iter()
            .map(|s| {
                let start = minutes_of(s.start);
                let end_day = date + Duration::days(i64::from(s.end_minutes / 1440));
                ShiftWindow {
                    name: s.name.clone(),
                    from: local(date, start),
                    to: local(end_day, s.end_minutes % 1440),
                }
            })
            .collect();
        w.sort_by_key(|x| x.from);
        w
    }

    /// Shifts around `at`, in time order (from two days before to one day after).
    fn around(&self, at: DateTime<Utc>) -> Vec<ShiftWindow> {
        let day = at.with_timezone(&Paris).date_naive();
        let mut all = Vec::new();
        for d in -2..=1 {
            all.extend(self.windows_on(day + Duration::days(d)));
        }
        all.sort_by_key(|w| w.from);
        all
    }

    /// The shift running at `at`; between two shifts of a plan with gaps, the one that
    /// ended last (its handover is the one to read).
    pub fn current(&self, at: DateTime<Utc>) -> ShiftWindow {
        let all = self.around(at);
        all.iter()
            .find(|w| w.from <= at && at < w.to)
            .or_else(|| all.iter().rev().find(|w| w.to <= at))
            .cloned()
            .unwrap_or_else(|| all[0].clone())
    }

    /// The shift before `window`.
    pub fn previous(&self, window: &ShiftWindow) -> ShiftWindow {
        let all = self.around(window.from);
        all.iter()
            .rev()
            .find(|w| w.from < window.from)
            .cloned()
            .unwrap_or_else(|| window.clone())
    }

    /// The shift after `window`.
    pub fn next(&self, window: &ShiftWindow) -> ShiftWindow {
        let all = self.around(window.to);
        all.iter()
            .find(|w| w.from > window.from)
            .cloned()
            .unwrap_or_else(|| window.clone())
    }
}

fn minutes_of(t: NaiveTime) -> u32 {
    use chrono::Timelike;
    t.hour() * 60 + t.minute()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::time::{parse_datetime, rfc3339};

    fn at(s: &str) -> DateTime<Utc> {
        parse_datetime(s).unwrap()
    }

    #[test]
    fn current_and_previous_shift_in_winter() {
        let plan = ShiftPlan::default_plan();
        let w = plan.current(at("2026-11-23T09:41"));
        assert_eq!(w.name, "matin");
        assert_eq!(rfc3339(w.from), "2026-11-23T07:00:00Z");
        assert_eq!(rfc3339(w.to), "2026-11-23T15:00:00Z");
        let p = plan.previous(&w);
        assert_eq!(p.name, "nuit");
        assert_eq!(rfc3339(p.from), "2026-11-22T23:00:00Z");
        let pp = plan.previous(&p);
        assert_eq!(pp.name, "soir");
        assert_eq!(rfc3339(pp.to), "2026-11-22T23:00:00Z", "24:00 is midnight");
        assert_eq!(plan.next(&pp), p);
        assert_eq!(w.label(), "matin du 23/11/2026 (08:00 → 16:00)");
    }

    #[test]
    fn a_window_of_a_day_or_more_names_both_ends() {
        let window = |from: &str, to: &str| ShiftWindow {
            name: "période".into(),
            from: at(from),
            to: at(to),
        };
        assert_eq!(
            window("2026-11-23T08:00", "2026-11-25T08:00").label(),
            "période du 23/11/2026 08:00 au 25/11/2026 08:00"
        );
        assert_eq!(
            window("2026-11-23T08:00", "2026-11-24T08:00").label(),
            "période du 23/11/2026 08:00 au 24/11/2026 08:00"
        );
        assert_eq!(
            window("2026-11-23T08:00", "2026-11-24T07:59").label(),
            "période du 23/11/2026 (08:00 → 07:59)"
        );
        assert_eq!(
            window("2026-11-23T16:00", "2026-11-24T00:00").label(),
            "période du 23/11/2026 (16:00 → 00:00)"
        );
    }

    #[test]
    fn across_midnight() {
        let plan = ShiftPlan::new(vec![
            ("jour".into(), "07:00".into(), "19:00".into()),
            ("nuit".into(), "19:00".into(), "07:00".into()),
        ])
        .unwrap();
        let w = plan.current(at("2026-11-24T02:00"));
        assert_eq!(w.name, "nuit");
        assert_eq!(rfc3339(w.from), "2026-11-23T18:00:00Z");
        assert_eq!(rfc3339(w.to), "2026-11-24T06:00:00Z");
        assert_eq!(plan.previous(&w).name, "jour");
    }

    #[test]
    fn summer_time_changes() {
        let plan = ShiftPlan::default_plan();
        // Night of 28 to 29 March 2026: clocks go from 02:00 to 03:00, the night lasts 7 h.
        let night = plan.current(at("2026-03-29T04:00"));
        assert_eq!(night.name, "nuit");
        assert_eq!(rfc3339(night.from), "2026-03-28T23:00:00Z");
        assert_eq!(rfc3339(night.to), "2026-03-29T06:00:00Z");
        assert_eq!((night.to - night.from).num_hours(), 7);
        // Night of 24 to 25 October 2026: 02:00-03:00 happens twice, the night lasts 9 h.
        let night = plan.current(at("2026-10-25T05:00"));
        assert_eq!((night.to - night.from).num_hours(), 9);
        // A shift starting in the spring gap starts at the first valid instant.
        let odd = ShiftPlan::new(vec![
            ("a".into(), "02:30".into(), "12:00".into()),
            ("b".into(), "12:00".into(), "02:30".into()),
        ])
        .unwrap();
        let w = odd.current(at("2026-03-29T06:00"));
        assert_eq!(w.name, "a");
        assert_eq!(rfc3339(w.from), "2026-03-29T01:00:00Z");
    }

    #[test]
    fn gaps_and_bad_plans() {
        let plan = ShiftPlan::new(vec![
            ("matin".into(), "08:00".into(), "16:00".into()),
            ("soir".into(), "16:00".into(), "24:00".into()),
        ])
        .unwrap();
        // At 03:00 no shift runs: the evening that ended is the one to hand over.
        assert_eq!(plan.current(at("2026-11-24T03:00")).name, "soir");
        assert_eq!(
            ShiftPlan::new(vec![
                ("a".into(), "08:00".into(), "17:00".into()),
                ("b".into(), "16:00".into(), "24:00".into())
            ]),
            Err(ShiftError::Overlap("a".into(), "b".into()))
        );
        assert!(matches!(
            ShiftPlan::new(vec![("a".into(), "25:00".into(), "08:00".into())]),
            Err(ShiftError::Time(_))
        ));
        assert_eq!(parse_clock("8h"), Ok(480));
        assert_eq!(parse_clock("24:00"), Ok(1440));
    }
}
