//! The thesaurus files: `db/thesaurus.toml`, embedded, and a desk's own `thesaurus.toml`
//! beside its `--catalog` folder, read into groups with every problem located by file and
//! line (what `procedures lint` prints). A broken group is left out, never the others.

use super::procedures::{LintError, control_message, line_of, toml_problem};
use crate::domain::text::is_unsafe;
use crate::domain::thesaurus::{Group, Thesaurus, entry_stems};
use serde::Deserialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// The desk-wide groups shipped in the binary.
pub const EMBEDDED: &str = include_str!("../../db/thesaurus.toml");

/// The name of a thesaurus file, embedded or a desk's own.
pub const FILE_NAME: &str = "thesaurus.toml";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawThesaurus {
    #[serde(default)]
    groups: Vec<Spanned<RawGroup>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGroup {
    entries: Vec<Spanned<String>>,
}

/// Parses one thesaurus file: the groups that pass, and the problems of those that do not.
/// A group needs two entries or more, each with a word that is not a stop word, and an
/// entry is in one group of the file only. A desk's group may share an entry with an
/// embedded group: a query saying it then finds the entries of both.
pub fn parse(file: &str, text: &str) -> (Vec<Group>, Vec<LintError>) {
    let mut seen: HashMap<Vec<String>, usize> = HashMap::new();
    let err = |offset: usize, message: String| LintError {
        file: file.to_string(),
        line: line_of(text, offset),
        message,
    };
    let raw: RawThesaurus = match toml::from_str(text) {
        Ok(r) => r,
        Err(e) => return (Vec::new(), vec![toml_problem(file, text, &e)]),
    };
    let mut groups = Vec::new();
    let mut problems = Vec::new();
    for group in raw.groups {
        let at = group.span().start;
        let mut ok = true;
        let entries = group.into_inner().entries;
        if entries.len() < 2 {
            problems.push(err(
                at,
                "groupe de moins de deux entrées : un synonyme seul ne sert à rien".into(),
            ));
            ok = false;
        }
        let mut texts = Vec::new();
        for entry in &entries {
            let where_ = entry.span().start;
            let value = entry.get_ref();
            if let Some(c) = value.chars().find(|&c| is_unsafe(c)) {
                problems.push(err(where_, control_message("entries", c)));
                ok = false;
                continue;
            }
            let stems = entry_stems(value);
            if stems.is_empty() {
                problems.push(err(
                    where_,
                    format!(
                        "entrée « {} » sans mot qui compte (vide ou seulement des mots outils)",
                        crate::domain::text::named(value)
                    ),
                ));
                ok = false;
                continue;
            }
            if texts.iter().any(|(other, _)| *other == stems) {
                problems.push(err(
                    where_,
                    format!(
                        "entrée « {} » en double dans son groupe (mêmes mots, aux accents, \
                         pluriels et mots outils près) : la retirer",
                        crate::domain::text::named(value)
                    ),
                ));
                ok = false;
                continue;
            }
            if let Some(first) = seen.get(&stems) {
                problems.push(err(
                    where_,
                    format!(
                        "entrée « {} » déjà dans le groupe de la ligne {first} : une entrée n'est \
                         que dans un groupe, réunir les deux groupes",
                        crate::domain::text::named(value)
                    ),
                ));
                ok = false;
                continue;
            }
            texts.push((stems, value.clone()));
        }
        if ok {
            for (stems, _) in &texts {
                seen.insert(stems.clone(), line_of(text, at));
            }
            groups.push(Group::new(texts.into_iter().map(|(_, v)| v).collect()));
        }
    }
    (groups, problems)
}

/// Where a desk's own thesaurus is: `thesaurus.toml` beside its catalogue folder (not in
/// it: every `*.toml` there is a procedure).
pub fn desk_file(catalog_dir: &Path) -> PathBuf {
    let dir = if catalog_dir.file_name().is_some() {
        catalog_dir.to_path_buf()
    } else {
        // "." or "..": the folder it names.
        std::fs::canonicalize(catalog_dir).unwrap_or_else(|_| catalog_dir.to_path_buf())
    };
    dir.with_file_name(FILE_NAME)
}

/// The thesaurus in force: the embedded groups, then the desk's own file when there is
/// one beside `catalog_dir`; and the problems of both.
pub fn load(catalog_dir: Option<&Path>) -> (Thesaurus, Vec<LintError>) {
    let (mut groups, mut problems) = parse("db/thesaurus.toml", EMBEDDED);
    if let Some(dir) = catalog_dir {
        let path = desk_file(dir);
        match std::fs::read_to_string(&path) {
            // The embedded file itself (a catalogue folder of the repository).
            Ok(text) if text == EMBEDDED => {}
            Ok(text) => {
                let (own, own_problems) = parse(&path.display().to_string(), &text);
                groups.extend(own);
                problems.extend(own_problems);
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => problems.push(LintError {
                file: path.display().to_string(),
                line: 1,
                message: format!("illisible : {e}"),
            }),
        }
    }
    (Thesaurus::new(groups), problems)
}

/// The embedded thesaurus alone, read once.
pub fn embedded() -> &'static Thesaurus {
    static EMBEDDED_THESAURUS: std::sync::OnceLock<Thesaurus> = std::sync::OnceLock::new();
    EMBEDDED_THESAURUS.get_or_init(|| load(None).0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_thesaurus_is_clean() {
        let (t, problems) = load(None);
        assert!(problems.is_empty(), "{problems:#?}");
        assert!(t.groups().len() >= 10);
    }

    #[test]
    fn lint_locates_each_problem_and_keeps_the_good_groups() {
        let text = "[[groups]]\nentries = [\"copieur\", \"photocopieuse\"]\n\n\
                    [[groups]]\nentries = [\"seul\"]\n\n\
                    [[groups]]\nentries = [\"de la\", \"toner\"]\n\n\
                    [[groups]]\nentries = [\"Copieurs\", \"machine\"]\n\n\
                    [[groups]]\nentries = [\"carte agent\", \"carte d'agent\"]\n";
        let (groups, problems) = parse("t.toml", text);
        assert_eq!(groups.len(), 1);
        let said: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(said.len(), 4, "{said:#?}");
        assert!(
            said[0].starts_with("t.toml:4: groupe de moins de deux"),
            "{said:?}"
        );
        assert!(
            said[1].starts_with("t.toml:8: entrée « de la » sans mot"),
            "{said:?}"
        );
        assert!(
            said[2].starts_with("t.toml:11: entrée « Copieurs » déjà"),
            "{said:?}"
        );
        let (_, bad) = parse("t.toml", "groups = 3");
        assert!(bad[0].message.starts_with("TOML invalide"), "{bad:?}");
    }

    #[test]
    fn a_desk_file_is_beside_the_catalogue_folder() {
        assert_eq!(
            desk_file(Path::new("/srv/guichet/procedures")),
            Path::new("/srv/guichet/thesaurus.toml")
        );
    }
}
