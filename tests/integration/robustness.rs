//! Random and mutated input for the parsers operators and desks feed: the procedure
//! parser, the printer decoder, the date parser, the call reference and the spelling. None
//! may panic; each either answers or says what is wrong.

use guichet::catalog::embedded_reference;
use guichet::catalog::procedures::{EMBEDDED, parse_procedure};
use guichet::domain::call::CallRef;
use guichet::domain::printer;
use guichet::domain::spell::{Alphabet, spell};
use guichet::domain::time::{parse_datetime, parse_when};

/// xorshift64*: deterministic, so a failure is replayed by its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Characters that break naive parsers: separators, quotes, control and escape characters,
/// multi-byte letters, a bidi override, a NUL.
const NASTY: &[char] = &[
    '-', '_', ' ', '\t', '\n', '\r', '"', '\'', '[', ']', '{', '}', '=', '#', '\\', ':', '+', 'T',
    'Z', '0', '9', 'é', 'Œ', '€', '\u{1b}', '\u{0}', '\u{202e}', '𝄞', 'I', 'R', 'C', '1', '4',
];

fn random_text(rng: &mut Rng, max: usize) -> String {
    let n = rng.below(max + 1);
    (0..n)
        .map(|_| match rng.below(3) {
            0 => NASTY[rng.below(NASTY.len())],
            1 => (b' ' + rng.below(95) as u8) as char,
            _ => char::from_u32(rng.below(0x3000) as u32).unwrap_or('?'),
        })
        .collect()
}

/// A valid input with a few characters replaced, removed or inserted.
fn mutate(rng: &mut Rng, valid: &str) -> String {
    let mut chars: Vec<char> = valid.chars().collect();
    for _ in 0..1 + rng.below(4) {
        if chars.is_empty() {
            break;
        }
        let i = rng.below(chars.len());
        match rng.below(3) {
            0 => chars[i] = NASTY[rng.below(NASTY.len())],
            1 => {
                chars.remove(i);
            }
            _ => chars.insert(i, NASTY[rng.below(NASTY.len())]),
        }
    }
    chars.into_iter().collect()
}

#[test]
fn the_printer_decoder_never_panics() {
    let mut rng = Rng(0x5eed_0001);
    for _ in 0..20_000 {
        let input = if rng.below(2) == 0 {
            random_text(&mut rng, 24)
        } else {
            mutate(&mut rng, "I76RC-DSI04-B4")
        };
        if let Err(e) = printer::decode(&input) {
            assert!(!e.to_string().is_empty());
        }
    }
}

#[test]
fn the_date_parser_never_panics() {
    let mut rng = Rng(0x5eed_0002);
    for _ in 0..20_000 {
        let input = match rng.below(3) {
            0 => random_text(&mut rng, 30),
            1 => mutate(&mut rng, "2026-11-23T09:41"),
            _ => mutate(&mut rng, "2026-03-29T02:30:00+01:00"),
        };
        if let Err(e) = parse_datetime(&input) {
            assert!(e.to_string().contains('«'), "{e}");
        }
    }
}

#[test]
fn the_french_date_parser_never_panics() {
    let mut rng = Rng(0x5eed_0005);
    let now = parse_datetime("2026-12-31T23:30:00Z").unwrap();
    for _ in 0..20_000 {
        let input = match rng.below(4) {
            0 => random_text(&mut rng, 30),
            1 => mutate(&mut rng, "18/12/2026 à 20h30"),
            2 => mutate(&mut rng, "8h05"),
            _ => mutate(&mut rng, "28/03 02:30"),
        };
        if let Err(e) = parse_when(&input, now) {
            assert!(e.to_string().contains('«'), "{e}");
        }
    }
}

#[test]
fn references_and_spelling_never_panic() {
    let mut rng = Rng(0x5eed_0003);
    for _ in 0..20_000 {
        let input = random_text(&mut rng, 16);
        let _ = input.parse::<CallRef>();
        let spelled = spell(&input, Alphabet::French);
        assert_eq!(spelled.len(), input.chars().count());
    }
}

#[test]
fn the_procedure_parser_never_panics() {
    let reference = embedded_reference();
    let mut rng = Rng(0x5eed_0004);
    let sources: Vec<&str> = EMBEDDED.iter().map(|(_, text)| *text).collect();
    for round in 0..1_500 {
        let base = sources[rng.below(sources.len())];
        let input = match rng.below(4) {
            0 => random_text(&mut rng, 400),
            // Cut the file anywhere (on a character boundary).
            1 => base
                .chars()
                .take(rng.below(base.chars().count() + 1))
                .collect(),
            // Shuffle whole lines: tables and keys move, targets dangle.
            2 => {
                let mut lines: Vec<&str> = base.lines().collect();
                for _ in 0..3 {
                    let (a, b) = (rng.below(lines.len()), rng.below(lines.len()));
                    lines.swap(a, b);
                }
                lines.join("\n")
            }
            _ => {
                let mut text = base.to_string();
                for _ in 0..5 {
                    text = mutate(&mut rng, &text);
                }
                text
            }
        };
        match parse_procedure(&format!("f{round}.toml"), &input, &reference) {
            Ok(p) => assert!(p.graph_problems().is_empty()),
            Err(errors) => {
                assert!(!errors.is_empty());
                for e in errors {
                    assert!(
                        e.line >= 1 && e.line <= input.lines().count().max(1) + 1,
                        "{e}"
                    );
                }
            }
        }
    }
}
