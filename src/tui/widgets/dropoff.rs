//! The drop-off of one step as a bar: the walks that reached it, of which the part left
//! there drawn apart, so that the steps where callers get stuck stand out in a column of
//! bars. The figures beside it carry the meaning (a screen reader reads those).

use crate::report::StepFigures;
use crate::tui::theme::Theme;
use ratatui::text::Span;

/// The bar of `step`, `room` columns for the step of the most walks (`most`): the walks
/// that went on as a full block, the walks left there as a lighter one.
pub fn dropoff_bar(
    step: &StepFigures,
    most: u64,
    room: usize,
    theme: &Theme,
) -> Vec<Span<'static>> {
    let scale = |n: u64| -> usize {
        if most == 0 || n == 0 {
            0
        } else {
            // Never less than a column for a step someone reached or stopped at.
            ((n as f64 / most as f64) * room as f64).round().max(1.0) as usize
        }
    };
    let reached = scale(step.reached).min(room);
    let left = scale(step.left).min(reached);
    let went_on = reached - left;
    let mut spans = vec![Span::styled("█".repeat(went_on), theme.open_call())];
    if left > 0 {
        spans.push(Span::styled("░".repeat(left), theme.error()));
    }
    spans.push(Span::raw(" ".repeat(room - reached)));
    spans
}

/// « 30 atteintes, 2 quittées » for a step (the README's words) (short: the bar is beside it).
pub fn dropoff_words(step: &StepFigures) -> String {
    let plural = |n: u64, one: &str, many: &str| format!("{n} {}", if n > 1 { many } else { one });
    if step.reached == 0 {
        return "jamais atteinte".to_string();
    }
    let mut words = plural(step.reached, "atteinte", "atteintes");
    if step.left > 0 {
        words.push_str(&format!(", {}", plural(step.left, "quittée", "quittées")));
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(reached: u64, answered: u64) -> StepFigures {
        StepFigures {
            step: "s".into(),
            number: Some(1),
            reached,
            answered,
            left: reached - answered,
        }
    }

    fn text(spans: &[Span]) -> String {
        spans.iter().map(|s| s.content.as_ref()).collect()
    }

    #[test]
    fn the_bar_shows_the_walks_left_apart_and_keeps_its_width() {
        let theme = Theme { color: false };
        assert_eq!(
            text(&dropoff_bar(&step(10, 10), 10, 10, &theme)),
            "██████████"
        );
        assert_eq!(
            text(&dropoff_bar(&step(10, 6), 10, 10, &theme)),
            "██████░░░░"
        );
        assert_eq!(
            text(&dropoff_bar(&step(5, 0), 10, 10, &theme)),
            "░░░░░     "
        );
        // One walk of a thousand still shows.
        assert_eq!(
            text(&dropoff_bar(&step(1, 0), 1000, 10, &theme)),
            "░         "
        );
        assert_eq!(text(&dropoff_bar(&step(0, 0), 0, 4, &theme)), "    ");
        assert_eq!(dropoff_words(&step(30, 28)), "30 atteintes, 2 quittées");
        assert_eq!(dropoff_words(&step(1, 1)), "1 atteinte");
        assert_eq!(dropoff_words(&step(0, 0)), "jamais atteinte");
    }
}
