//! A word's postings: the procedures that have it, in increasing order, each with the
//! columns it has the word in. Each is written as a *step*: its distance from the previous
//! procedure (from 0 for the first) times 16, plus its columns.
//!
//! Two forms:
//! - the store's, text on both engines: the steps in decimal, separated by spaces, a few
//!   thousand rows for the words of 10,000 procedures;
//! - memory's, 16-bit units: a step whose distance is below 4,095 is one unit (the
//!   distance, then the columns in the low four bits), a longer one is a unit that says so
//!   (4,095, then the columns) and two more with the distance (low half first). The words
//!   of 10,000 procedures have some 1.7 million postings, nearly all a step short from the
//!   previous: as one `u32` each they were 6.8 MB, the largest part of the console's memory;
//!   as units, half. The index is built, written and read with this form (when the text
//!   was built a word at a time, its slack from doubling held 8 MB at the peak of a first
//!   start).
//!
//! Units of a fixed width, not bytes of a varying one (LEB128, a third smaller again): a
//! keystroke walks hundreds of thousands of postings, and reading a unit is one add and a
//! branch that is nearly always taken the same way. With LEB128 the search bench's
//! keystrokes took half as long again (one run each: median 0.065 -> 0.103 ms, p99 0.62
//! -> 0.98 ms); with units, 0.068 to 0.091 ms and 0.72 to 0.92 ms over three runs.

/// A distance this long or longer is written in the two units that follow.
const LONG: u16 = 0xfff;

/// One word's postings being written, one procedure at a time (in increasing order).
#[derive(Debug, Default, Clone)]
pub(crate) struct Packed {
    units: Vec<u16>,
    previous: u32,
}

impl Packed {
    /// Adds procedure `id` (greater than the previous one, or the first) with its columns
    /// (the low four bits).
    pub(crate) fn push(&mut self, id: u32, columns: u8) {
        push_step(&mut self.units, &mut self.previous, id, columns);
    }

    /// The store's form: the steps in decimal, separated by spaces.
    pub(crate) fn into_text(self) -> String {
        use std::fmt::Write;
        let mut text = String::with_capacity(self.units.len() * 4);
        for (distance, columns) in Steps(&self.units) {
            if !text.is_empty() {
                text.push(' ');
            }
            let step = u64::from(distance) << 4 | u64::from(columns);
            // Writing into a String cannot fail.
            let _ = write!(text, "{step}");
        }
        text
    }
}

/// How many units `postings` postings of `terms` words take at most, when they name
/// `places` procedures: a word's distances add up to less than `places`, so that at most
/// `places / 4,095` of them are long (two more units each).
pub(crate) fn units_at_most(postings: usize, terms: usize, places: usize) -> usize {
    postings.saturating_add(
        terms
            .saturating_mul(places / usize::from(LONG))
            .saturating_mul(2),
    )
}

/// Appends the step from `previous` to `id` to `out` and makes `id` the previous one.
pub(crate) fn push_step(out: &mut Vec<u16>, previous: &mut u32, id: u32, columns: u8) {
    let distance = id.saturating_sub(*previous);
    let columns = u16::from(columns & 0xf);
    match u16::try_from(distance).ok().filter(|d| *d < LONG) {
        Some(d) => out.push(d << 4 | columns),
        None => out.extend([
            LONG << 4 | columns,
            distance as u16,
            (distance >> 16) as u16,
        ]),
    }
    *previous = id;
}

/// The steps of units written by [`push_step`]: (distance, columns). A long step cut short
/// at the end is left out.
#[derive(Clone)]
struct Steps<'a>(&'a [u16]);

impl Iterator for Steps<'_> {
    type Item = (u32, u8);

    #[inline]
    fn next(&mut self) -> Option<(u32, u8)> {
        let (&unit, rest) = self.0.split_first()?;
        self.0 = rest;
        let columns = (unit & 0xf) as u8;
        let distance = unit >> 4;
        if distance != LONG {
            return Some((u32::from(distance), columns));
        }
        let [low, high, rest @ ..] = self.0 else {
            self.0 = &[];
            return None;
        };
        self.0 = rest;
        Some((u32::from(*low) | u32::from(*high) << 16, columns))
    }
}

/// The postings of units written by [`push_step`]: (procedure, columns), in order.
#[derive(Clone)]
pub(crate) struct Postings<'a> {
    steps: Steps<'a>,
    at: u32,
}

impl<'a> Postings<'a> {
    pub(crate) fn of(units: &'a [u16]) -> Self {
        Postings {
            steps: Steps(units),
            at: 0,
        }
    }
}

impl Iterator for Postings<'_> {
    type Item = (u32, u8);

    #[inline]
    fn next(&mut self) -> Option<(u32, u8)> {
        let (distance, columns) = self.steps.next()?;
        self.at = self.at.saturating_add(distance);
        Some((self.at, columns))
    }
}

/// The steps of the store's text; what does not read as a step is left out.
fn text_steps(text: &str) -> impl Iterator<Item = u64> + '_ {
    text.split(' ').filter_map(|s| s.parse::<u64>().ok())
}

/// The store's postings as (procedure id, columns), ids in increasing order: what an
/// update of a few procedures rewrites. Id 0, or one past `u32`, is left out.
pub(crate) fn ids_of_text(text: &str) -> Vec<(u32, u8)> {
    let mut id: u64 = 0;
    let mut out = Vec::new();
    for step in text_steps(text) {
        id += step >> 4;
        if let Ok(id) = u32::try_from(id)
            && id > 0
        {
            out.push((id, (step & 0xf) as u8));
        }
    }
    out
}

/// The store's postings appended to `into` in memory's form, each id replaced by its
/// place (`place[id]`, from 0, in the order of the ids). An id `place` does not place (out
/// of it, or `u32::MAX`), or a place of `limit` or more, is left out.
pub(crate) fn text_into_places(text: &str, place: &[u32], limit: u32, into: &mut Vec<u16>) {
    let mut id: u64 = 0;
    let mut previous = 0u32;
    for step in text_steps(text) {
        id += step >> 4;
        let Some(&doc) = usize::try_from(id).ok().and_then(|i| place.get(i)) else {
            continue;
        };
        if doc < limit {
            push_step(into, &mut previous, doc, (step & 0xf) as u8);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn packed(postings: &[(u32, u8)]) -> Packed {
        let mut p = Packed::default();
        for &(id, columns) in postings {
            p.push(id, columns);
        }
        p
    }

    #[test]
    fn the_text_is_the_steps_in_decimal_and_reads_back() {
        let postings = [(1, 1), (2, 8), (9, 15), (10_000, 4), (268_435_457, 2)];
        let p = packed(&postings);
        assert_eq!(Postings::of(&p.units).collect::<Vec<_>>(), postings);
        let text = p.into_text();
        // Distances from the previous procedure, times 16, plus the columns.
        assert_eq!(text, "17 24 127 159860 4294807314");
        assert_eq!(ids_of_text(&text), postings);
        assert_eq!(packed(&[]).into_text(), "");
    }

    #[test]
    fn a_step_below_4095_is_one_unit_and_a_longer_one_three() {
        let p = packed(&[(3, 2), (4_099, 1), (4_100, 0), (70_000, 15)]);
        assert_eq!(
            p.units,
            [
                3 << 4 | 2,
                // 4,096 away: said long, then 4,096 in two halves.
                0xfff << 4 | 1,
                4_096,
                0,
                1 << 4,
                // 65,900 away: 65,536 + 364.
                0xfff << 4 | 15,
                364,
                1,
            ]
        );
        assert_eq!(
            Postings::of(&p.units).collect::<Vec<_>>(),
            [(3, 2), (4_099, 1), (4_100, 0), (70_000, 15)]
        );
        // The bound: 4,094 away is one unit, 4,095 three.
        assert_eq!(packed(&[(4_094, 3)]).units, [4_094 << 4 | 3]);
        assert_eq!(packed(&[(4_095, 3)]).units, [0xfff << 4 | 3, 4_095, 0]);
        // Cut short: the long step is left out, the one before read.
        assert_eq!(
            Postings::of(&[3 << 4 | 2, 0xfff << 4 | 1, 4_096]).collect::<Vec<_>>(),
            [(3, 2)]
        );
    }

    #[test]
    fn the_texts_ids_become_places_and_unplaced_ones_are_left_out() {
        let text = packed(&[(1, 1), (2, 8), (9, 15), (10_000, 4), (268_435_457, 2)]).into_text();
        // Ids 1..=10,000 at places 0..10,000; 268,435,457 placed nowhere.
        let place: Vec<u32> = (0..=10_000u32).map(|id| id.wrapping_sub(1)).collect();
        let mut units = Vec::new();
        text_into_places(&text, &place, 1 << 28, &mut units);
        assert_eq!(
            Postings::of(&units).collect::<Vec<_>>(),
            [(0, 1), (1, 8), (8, 15), (9_999, 4)]
        );
        // Gaps: id 2 removed, the others moved up.
        let gaps = [u32::MAX, 0, u32::MAX, 1, 2, 3, 4, 5, 6, 7, 8];
        let mut units = Vec::new();
        text_into_places(&text, &gaps, 1 << 28, &mut units);
        assert_eq!(Postings::of(&units).collect::<Vec<_>>(), [(0, 1), (7, 15)]);
        let mut none = Vec::new();
        text_into_places("", &place, 1 << 28, &mut none);
        text_into_places("x 0 -3", &place, 1 << 28, &mut none);
        assert!(none.is_empty(), "{none:?}");
    }

    #[test]
    fn the_bound_on_units_holds_for_the_longest_distances() {
        // 10,000 places, one word with every 4,095th: as long as distances get.
        let places = 10_000u32;
        let mut p = Packed::default();
        let ids: Vec<u32> = (0..places).step_by(4_095).collect();
        for &id in &ids {
            p.push(id, 1);
        }
        assert_eq!(ids, [0, 4_095, 8_190]);
        assert_eq!(p.units.len(), 1 + 3 + 3);
        assert_eq!(units_at_most(ids.len(), 1, places as usize), 3 + 2 * 2);
    }
}
