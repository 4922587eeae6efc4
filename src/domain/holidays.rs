//! French public holidays (jours fériés), computed rather than listed so that no year ever
//! runs out. Only the national list applies: the Académie de Normandie has none of the
//! Alsace-Moselle extra days (Good Friday, 26 December).

use chrono::{Datelike, Duration, NaiveDate};

/// Easter Sunday of a Gregorian year, by the anonymous Gregorian algorithm
/// (Meeus/Jones/Butcher). Valid for any year from 1583 that chrono can represent.
pub fn easter_sunday(year: i32) -> NaiveDate {
    let a = year.rem_euclid(19);
    let b = year.div_euclid(100);
    let c = year.rem_euclid(100);
    let d = b.div_euclid(4);
    let e = b.rem_euclid(4);
    let f = (b + 8).div_euclid(25);
    let g = (b - f + 1).div_euclid(3);
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let i = c.div_euclid(4);
    let k = c.rem_euclid(4);
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l).div_euclid(451);
    let month = (h + l - 7 * m + 114).div_euclid(31);
    let day = (h + l - 7 * m + 114).rem_euclid(31) + 1;
    // The algorithm only yields 22 March to 25 April, which always exist.
    NaiveDate::from_ymd_opt(year, month as u32, day as u32)
        .expect("the Easter algorithm yields a day of March or April")
}

/// The eleven national public holidays of a year, in date order, with their French names.
///
/// Whit Monday (lundi de Pentecôte) is included: many administrations make it their
/// "journée de solidarité" and some staff work, but it stays a legal public holiday in the
/// Code du travail (art. L3133-1) and nothing in seed 002 says AMIGO answers that day, so
/// the desk treats it as closed rather than send a caller to an empty platform.
pub fn public_holidays(year: i32) -> Vec<(NaiveDate, &'static str)> {
    let fixed = |month, day| {
        NaiveDate::from_ymd_opt(year, month, day).expect("fixed holidays are real calendar days")
    };
    let easter = easter_sunday(year);
    let mut days = vec![
        (fixed(1, 1), "Jour de l'an"),
        (easter + Duration::days(1), "Lundi de Pâques"),
        (fixed(5, 1), "Fête du Travail"),
        (fixed(5, 8), "Victoire 1945"),
        (easter + Duration::days(39), "Ascension"),
        (easter + Duration::days(50), "Lundi de Pentecôte"),
        (fixed(7, 14), "Fête nationale"),
        (fixed(8, 15), "Assomption"),
        (fixed(11, 1), "Toussaint"),
        (fixed(11, 11), "Armistice 1918"),
        (fixed(12, 25), "Noël"),
    ];
    // Ascension can fall on 1 or 8 May (e.g. 2008): keep date order, both names stay listed.
    days.sort_by_key(|&(date, _)| date);
    days
}

/// The name of the public holiday falling on `date`, if any. When two coincide (Ascension
/// on 1 May), the first listed is given.
pub fn public_holiday(date: NaiveDate) -> Option<&'static str> {
    public_holidays(date.year())
        .into_iter()
        .find(|&(d, _)| d == date)
        .map(|(_, name)| name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn easter_sundays_match_the_published_dates() {
        assert_eq!(easter_sunday(2024), d(2024, 3, 31));
        assert_eq!(easter_sunday(2025), d(2025, 4, 20));
        assert_eq!(easter_sunday(2026), d(2026, 4, 5));
        assert_eq!(easter_sunday(2027), d(2027, 3, 28));
        // The extremes of the range: 22 March 1818 and 25 April 1943.
        assert_eq!(easter_sunday(1818), d(1818, 3, 22));
        assert_eq!(easter_sunday(1943), d(1943, 4, 25));
    }

    #[test]
    fn movable_holidays_of_2026_follow_easter() {
        assert_eq!(public_holiday(d(2026, 4, 6)), Some("Lundi de Pâques"));
        assert_eq!(public_holiday(d(2026, 5, 14)), Some("Ascension"));
        assert_eq!(public_holiday(d(2026, 5, 25)), Some("Lundi de Pentecôte"));
        assert_eq!(public_holiday(d(2026, 5, 15)), None);
        assert_eq!(
            public_holiday(d(2026, 4, 5)),
            None,
            "Easter Sunday is a Sunday, not listed"
        );
    }

    #[test]
    fn a_year_has_eleven_holidays_in_date_order() {
        let days = public_holidays(2026);
        assert_eq!(days.len(), 11);
        assert!(days.windows(2).all(|w| w[0].0 <= w[1].0));
        assert_eq!(days[0], (d(2026, 1, 1), "Jour de l'an"));
        assert_eq!(days[10], (d(2026, 12, 25), "Noël"));
        assert_eq!(public_holiday(d(2026, 7, 14)), Some("Fête nationale"));
        assert_eq!(public_holiday(d(2026, 11, 11)), Some("Armistice 1918"));
        // 2008: Ascension fell on 1 May.
        assert_eq!(public_holidays(2008).len(), 11);
        assert!(public_holiday(d(2008, 5, 1)).is_some());
    }
}
