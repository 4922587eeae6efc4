//! A desk's thesaurus: groups of words and phrases that mean the same at the desk
//! (« photocopieuse, copieur, imprimante »). A query that says one of them also finds the
//! procedures that say another, for a little less than its own words. Data, not code:
//! `db/thesaurus.toml` and a desk's own file (see `catalog::thesaurus`).

use super::search::{folded_words, stem};
use std::collections::HashMap;

/// One group as written, and each of its entries as the index's stems.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub entries: Vec<String>,
    stems: Vec<Vec<String>>,
}

impl Group {
    /// A group of entries; an entry made only of stop words has no stems (lint says so).
    pub fn new(entries: Vec<String>) -> Group {
        let stems = entries.iter().map(|e| entry_stems(e)).collect();
        Group { entries, stems }
    }

    /// Each entry's stems, in the order of the entries.
    pub fn stems(&self) -> &[Vec<String>] {
        &self.stems
    }
}

/// An entry as the index's stems: its meaningful words, folded and stemmed.
pub fn entry_stems(entry: &str) -> Vec<String> {
    folded_words(entry).iter().map(|w| stem(w)).collect()
}

/// Where a query says an entry of a group: query words `start..start + len`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Said {
    pub start: usize,
    pub len: usize,
    pub group: usize,
    pub entry: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Thesaurus {
    groups: Vec<Group>,
    /// Each entry by its first stem: (group, entry).
    by_first: HashMap<String, Vec<(usize, usize)>>,
}

impl Thesaurus {
    pub fn new(groups: Vec<Group>) -> Thesaurus {
        let mut t = Thesaurus::default();
        t.extend(groups);
        t
    }

    /// Adds groups (a desk's own after the embedded ones).
    pub fn extend(&mut self, groups: impl IntoIterator<Item = Group>) {
        for group in groups {
            let g = self.groups.len();
            for (e, stems) in group.stems.iter().enumerate() {
                if let Some(first) = stems.first() {
                    self.by_first.entry(first.clone()).or_default().push((g, e));
                }
            }
            self.groups.push(group);
        }
    }

    pub fn groups(&self) -> &[Group] {
        &self.groups
    }

    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// Every entry a query's stems say, longest first where several start at one word.
    pub fn said(&self, stems: &[String]) -> Vec<Said> {
        let mut out = Vec::new();
        for start in 0..stems.len() {
            let Some(candidates) = self.by_first.get(&stems[start]) else {
                continue;
            };
            for &(group, entry) in candidates {
                let words = &self.groups[group].stems[entry];
                if stems[start..].starts_with(words) {
                    out.push(Said {
                        start,
                        len: words.len(),
                        group,
                        entry,
                    });
                }
            }
        }
        out.sort_by(|a, b| a.start.cmp(&b.start).then(b.len.cmp(&a.len)));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::search::query_words;

    #[test]
    fn a_query_says_the_entries_of_its_words_and_phrases() {
        let t = Thesaurus::new(vec![
            Group::new(vec![
                "photocopieuse".into(),
                "copieur".into(),
                "imprimante".into(),
            ]),
            Group::new(vec!["lecteur de carte".into(), "carte agent".into()]),
        ]);
        let said = t.said(&query_words("mon lecteur de cartes ne voit rien"));
        assert_eq!(
            said,
            [Said {
                start: 0,
                len: 2,
                group: 1,
                entry: 0
            }]
        );
        let said = t.said(&query_words("la photocopieuse du 2e"));
        assert_eq!((said[0].group, said[0].entry), (0, 0));
        assert!(t.said(&query_words("lecteur réseau")).is_empty());
    }
}
