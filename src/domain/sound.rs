//! How a French word sounds, roughly: the key that a word written as it sounds (« kart »,
//! « ajen », « konsomasion », « rektora ») shares with the word as the guides write it
//! (« carte », « agent », « consommation », « rectorat »). After Sonnex (Frédéric Bisson's
//! alternative to Soundex for French): the letters that write one sound are written one
//! way (« qu », « c », « k » → k; « ge », « j » → j; « au », « eau », « o » → o; « ph » →
//! f), a doubled letter once, a silent « h » and final consonant dropped. Unlike Sonnex,
//! every « e » sound is dropped (« é », « è », « ai », « er » written for one another,
//! or left out: « messajri », « jpeu ») and nasals keep their letters (a stem cut before
//! its vowel, « person », must sound as the word whole, « persone »).
//!
//! Used only for a query word that meets nothing else in the index (no word, no typo, no
//! compound, no synonym): see `store::procedures`.

/// The sound key of a folded word (lower case, no accents), as letters: `k`, `s`, `z`,
/// `j`, `g`, `f`, `v`, `C` (« ch »), `a`, `i`, `o`, `u`, `U` (« ou »), and the others
/// as written. Digits are kept.
pub fn sound_key(folded: &str) -> String {
    let c: Vec<char> = folded
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    let at = |i: usize| c.get(i).copied().unwrap_or(' ');
    let is_vowel = |ch: char| matches!(ch, 'a' | 'e' | 'i' | 'o' | 'u' | 'y');
    let soft = |ch: char| matches!(ch, 'e' | 'i' | 'y');
    let mut out: Vec<char> = Vec::with_capacity(c.len());
    let mut i = 0;
    while i < c.len() {
        let starts = |with: &str| with.chars().enumerate().all(|(k, ch)| at(i + k) == ch);
        let (sound, used): (&str, usize) = match at(i) {
            'e' if starts("eau") => ("o", 3),
            'a' if starts("au") => ("o", 2),
            'o' if starts("ou") => ("U", 2),
            'o' if starts("oi") => ("va", 2),
            // « travail », « travay »: the vowel and its yod.
            'a' if starts("aill") => ("ai", 4),
            'a' if starts("ail") || starts("ay") => ("ai", 2 + usize::from(at(i + 1) == 'i')),
            'e' if starts("eill") => ("i", 4),
            'e' if starts("eil") || starts("ey") => ("i", 2 + usize::from(at(i + 1) == 'i')),
            // « agent », « ajen »: an « e » before a nasal sounds « a ».
            'e' if matches!(at(i + 1), 'n' | 'm')
                && !is_vowel(at(i + 2))
                && at(i + 2) != at(i + 1) =>
            {
                ("a", 1)
            }
            'a' | 'e'
                if at(i + 1) == 'i' && matches!(at(i + 2), 'n' | 'm') && !is_vowel(at(i + 3)) =>
            {
                ("i", 2)
            }
            'a' | 'e' if at(i + 1) == 'i' => ("", 2),
            'e' => ("", 1),
            'o' if starts("ow") && !is_vowel(at(i + 2)) => ("o", 2),
            'p' if at(i + 1) == 'h' => ("f", 2),
            'c' if at(i + 1) == 'h' => ("C", 2),
            's' if at(i + 1) == 'h' => ("C", 2),
            'h' => ("", 1),
            'q' if at(i + 1) == 'u' => ("k", 2),
            'q' => ("k", 1),
            'c' if at(i + 1) == 'k' => ("k", 2),
            'c' if soft(at(i + 1)) => ("s", 1),
            'c' => ("k", 1),
            'g' if at(i + 1) == 'u' && soft(at(i + 2)) => ("g", 2),
            'g' if at(i + 1) == 'e' && matches!(at(i + 2), 'a' | 'o' | 'u') => ("j", 2),
            'g' if soft(at(i + 1)) => ("j", 1),
            't' if starts("tion") => ("s", 1),
            's' if at(i + 1) == 's' => ("s", 2),
            's' if i > 0 && is_vowel(at(i - 1)) && is_vowel(at(i + 1)) => ("z", 1),
            'x' => ("ks", 1),
            'w' => ("v", 1),
            'y' => ("i", 1),
            _ => ("", 0),
        };
        if used == 0 {
            push_once(&mut out, c[i]);
            i += 1;
        } else {
            for ch in sound.chars() {
                push_once(&mut out, ch);
            }
            i += used;
        }
    }
    // A final consonant is mostly silent (« agent », « rectorat », « windows »).
    if out.len() > 1 && matches!(out.last(), Some('t' | 'd' | 's' | 'x' | 'z' | 'p')) {
        out.pop();
    }
    out.into_iter().collect()
}

/// A letter, unless it repeats the one before (« nn », « ll », « ss » written once).
fn push_once(out: &mut Vec<char>, ch: char) {
    if out.last() != Some(&ch) {
        out.push(ch);
    }
}

#[cfg(test)]
mod tests {
    use super::sound_key;

    #[test]
    fn words_written_as_they_sound_share_the_key_of_the_guides_words() {
        for (said, written) in [
            ("kart", "carte"),
            ("ajen", "agent"),
            ("rektora", "rectorat"),
            ("teletravay", "teletravail"),
            ("debloke", "debloque"),
            ("persone", "personne"),
            ("komune", "commune"),
            ("konseye", "conseil"),
            ("windos", "windows"),
            ("foto", "photo"),
        ] {
            assert_eq!(sound_key(said), sound_key(written), "{said} / {written}");
        }
    }

    #[test]
    fn a_stem_sounds_as_the_beginning_of_its_word() {
        for (word, stem) in [
            ("konsomasion", "consomm"),
            ("messajri", "messager"),
            ("seluler", "cellulair"),
            ("utilize", "utilis"),
        ] {
            assert!(
                sound_key(word).starts_with(&sound_key(stem)),
                "{word} {} / {stem} {}",
                sound_key(word),
                sound_key(stem)
            );
        }
    }

    #[test]
    fn different_sounds_keep_different_keys() {
        for (a, b) in [
            ("carte", "code"),
            ("agent", "argent"),
            ("poste", "post-it"),
            ("cle", "code"),
        ] {
            assert_ne!(sound_key(a), sound_key(b), "{a} / {b}");
        }
    }
}
