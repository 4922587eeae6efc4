//! The layers of the library, read from its own source and kept by a test.
//!
//! Each top-level module has a rank; a module imports only modules of a lower rank:
//!
//! | rank | modules                             | what they are                               |
//! |------|-------------------------------------|---------------------------------------------|
//! | 0    | `domain`, `private_file`            | pure types and rules, telephony's included; |
//! |      |                                     | the check of a file holding a secret        |
//! | 1    | `catalog`, `config`, `csv_export`   | data files, the desk's settings, a format   |
//! | 2    | `store`, `xlsx_export`              | the database; the xlsx (over CSV cells)     |
//! | 3    | `report`, `phone`, `glpi`           | what reads the store or feeds it            |
//! | 4    | `tui`                               | the console                                 |
//! | 5    | `cli`                               | the entry point, which opens the console    |
//!
//! Modules of one rank do not import one another. `cli` sits above `tui` because with no
//! command it opens the console; nothing imports `cli` (the binary, `src/main.rs`, is not
//! part of the library). A type two layers share lives in the lower one (the telephony's
//! events in `domain::phone`, which the store records).
//!
//! Besides the ranks, sibling modules never import one another in a circle: the top-level
//! ones, and the children of every module outside `src/tui` (whose inside is the router's;
//! its place in the ranks is checked). A module and its own children are no circle: a
//! parent's `mod` and `pub use` lines are its face, not a dependency.
//!
//! An import is a `use` of a `crate::`, `super::` or `self::` path, or such a path written
//! inline (comments and strings aside); a parent's re-export of a child's item
//! (`pub use child::Item`) counts as that child. Code under `#[cfg(test)]` is not shipped
//! and may reach any layer for its fixtures.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The rank of each top-level module; a module missing here fails the test.
const LAYERS: &[(&str, u8)] = &[
    ("domain", 0),
    ("private_file", 0),
    ("catalog", 1),
    ("config", 1),
    ("csv_export", 1),
    ("store", 2),
    ("xlsx_export", 2),
    ("glpi", 3),
    ("phone", 3),
    ("report", 3),
    ("tui", 4),
    ("cli", 5),
];

/// Modules whose inside is not checked for circles (their place in the layers still is).
const INSIDE_NOT_CHECKED: &[&str] = &["tui"];

type ModPath = Vec<String>;

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    /// `::`
    Sep,
    Punct(char),
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    line: usize,
}

impl Token {
    fn ident(&self) -> Option<&str> {
        match &self.tok {
            Tok::Ident(s) => Some(s),
            _ => None,
        }
    }
    fn is(&self, c: char) -> bool {
        self.tok == Tok::Punct(c)
    }
}

/// Rust source as tokens, without comments (documentation included), strings and chars:
/// only code names a module.
fn tokenize(src: &str) -> Vec<Token> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut line = 1;
    let mut i = 0;
    let at = |i: usize| chars.get(i).copied().unwrap_or('\0');
    while i < chars.len() {
        let c = chars[i];
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c == '/' && at(i + 1) == '/' {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && at(i + 1) == '*' {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && at(i + 1) == '*' {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && at(i + 1) == '/' {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    if chars[i] == '\n' {
                        line += 1;
                    }
                    i += 1;
                }
            }
        } else if c == '"' {
            i = skip_string(&chars, i + 1, 0, &mut line);
        } else if c == '\'' {
            if at(i + 1) == '\\' {
                // An escaped char: up to its closing quote.
                i += 3;
                while i < chars.len() && chars[i] != '\'' {
                    i += 1;
                }
                i += 1;
            } else if at(i + 2) == '\'' {
                i += 3;
            } else {
                // A lifetime or a label: its name is read as an ident, harmlessly.
                i += 1;
            }
        } else if c.is_alphanumeric() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            let raw_prefix = matches!(word.as_str(), "r" | "br" | "b" | "c" | "cr");
            if raw_prefix && at(i) == '"' {
                i = skip_string(&chars, i + 1, 0, &mut line);
            } else if raw_prefix && word.ends_with('r') && at(i) == '#' {
                let mut hashes = 0;
                while at(i) == '#' {
                    hashes += 1;
                    i += 1;
                }
                if at(i) == '"' {
                    i = skip_string(&chars, i + 1, hashes, &mut line);
                } else {
                    // A raw identifier, `r#name`: the name follows as an ident.
                }
            } else if word == "b" && at(i) == '\'' {
                i += 1;
                if at(i) == '\\' {
                    i += 1;
                }
                i += 1;
                while i < chars.len() && chars[i] != '\'' {
                    i += 1;
                }
                i += 1;
            } else {
                out.push(Token {
                    tok: Tok::Ident(word),
                    line,
                });
            }
        } else if c == ':' && at(i + 1) == ':' {
            out.push(Token {
                tok: Tok::Sep,
                line,
            });
            i += 2;
        } else {
            out.push(Token {
                tok: Tok::Punct(c),
                line,
            });
            i += 1;
        }
    }
    out
}

/// Skips a string's body from just after its opening quote; a raw string (`hashes` > 0, or
/// an `r"…"`) has no escapes, which only matter before a quote.
fn skip_string(chars: &[char], mut i: usize, hashes: usize, line: &mut usize) -> usize {
    while i < chars.len() {
        match chars[i] {
            '\n' => *line += 1,
            '\\' if hashes == 0 => {
                if chars.get(i + 1) == Some(&'\n') {
                    *line += 1;
                }
                i += 1;
            }
            '"' if (0..hashes).all(|k| chars.get(i + 1 + k) == Some(&'#')) => {
                return i + 1 + hashes;
            }
            _ => {}
        }
        i += 1;
    }
    i
}

/// The index just past the item starting at `i`: at its `;`, or at the `}` closing its
/// body, whichever comes first outside brackets.
fn item_end(toks: &[Token], mut i: usize) -> usize {
    let mut depth = 0i32;
    while i < toks.len() {
        match &toks[i].tok {
            Tok::Punct('(' | '[') => depth += 1,
            Tok::Punct(')' | ']') => depth -= 1,
            Tok::Punct('{') => depth += 1,
            Tok::Punct('}') => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            Tok::Punct(';') if depth == 0 => return i + 1,
            _ => {}
        }
        i += 1;
    }
    i
}

/// The index just past an attribute `#[…]` starting at `i`.
fn attribute_end(toks: &[Token], i: usize) -> usize {
    item_end(toks, i + 1)
}

fn is_cfg_test(toks: &[Token], i: usize) -> bool {
    let words: Vec<Option<&str>> = toks[i..].iter().take(7).map(|t| t.ident()).collect();
    toks.len() > i + 6
        && toks[i].is('#')
        && toks[i + 1].is('[')
        && words[2] == Some("cfg")
        && toks[i + 3].is('(')
        && words[4] == Some("test")
        && toks[i + 5].is(')')
        && toks[i + 6].is(']')
}

/// The tokens without the items under `#[cfg(test)]` (a `mod name;` among them takes its
/// file along, since the file is then never read); none if the file is `#![cfg(test)]`.
fn without_tests(toks: Vec<Token>) -> Vec<Token> {
    let mut kept = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        if toks[i].is('#') && toks.get(i + 1).is_some_and(|t| t.is('!')) {
            let inner: Vec<Token> = std::iter::once(toks[i].clone())
                .chain(toks.iter().skip(i + 2).take(6).cloned())
                .collect();
            if is_cfg_test(&inner, 0) {
                return Vec::new();
            }
        }
        if is_cfg_test(&toks, i) {
            let mut j = i + 7;
            while j < toks.len() && toks[j].is('#') {
                j = attribute_end(&toks, j);
            }
            i = item_end(&toks, j);
        } else {
            kept.push(toks[i].clone());
            i += 1;
        }
    }
    kept
}

/// One `use` tree expanded into its paths, each with the name it binds (`None` for a glob).
fn expand_use(toks: &[Token]) -> Vec<(Vec<String>, Option<String>)> {
    fn tree(
        toks: &[Token],
        i: &mut usize,
        prefix: &[String],
        out: &mut Vec<(Vec<String>, Option<String>)>,
    ) {
        let mut path = prefix.to_vec();
        loop {
            match toks.get(*i).map(|t| &t.tok) {
                Some(Tok::Punct('{')) => {
                    *i += 1;
                    while toks.get(*i).is_some_and(|t| !t.is('}')) {
                        let before = *i;
                        tree(toks, i, &path, out);
                        if toks.get(*i).is_some_and(|t| t.is(',')) || *i == before {
                            *i += 1;
                        }
                    }
                    *i += 1;
                    return;
                }
                Some(Tok::Punct('*')) => {
                    *i += 1;
                    out.push((path, None));
                    return;
                }
                Some(Tok::Sep) => *i += 1,
                Some(Tok::Ident(word)) => {
                    *i += 1;
                    let more = toks.get(*i).is_some_and(|t| t.tok == Tok::Sep);
                    // `{self, …}` binds the module its braces follow, under its own name.
                    let itself = word == "self" && !more && !path.is_empty();
                    if !itself {
                        path.push(word.clone());
                    }
                    if more {
                        continue;
                    }
                    let mut name = path.last().cloned();
                    if toks.get(*i).and_then(Token::ident) == Some("as") {
                        name = toks.get(*i + 1).and_then(Token::ident).map(str::to_string);
                        *i += 2;
                    }
                    out.push((path, name));
                    return;
                }
                _ => return,
            }
        }
    }
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        let before = i;
        tree(toks, &mut i, &[], &mut out);
        if toks.get(i).is_some_and(|t| t.is(',')) || i == before {
            i += 1;
        }
    }
    out
}

/// Something a module names: its path as written, made absolute when it can be.
#[derive(Debug, Clone)]
struct Mention {
    file: PathBuf,
    line: usize,
    from: ModPath,
    /// Absolute, `crate` left out.
    path: Vec<String>,
    written: String,
}

#[derive(Default)]
struct Crate {
    modules: BTreeSet<ModPath>,
    /// (module, name) → the absolute path a `use` in that module binds the name to.
    reexports: BTreeMap<(ModPath, String), Vec<String>>,
    mentions: Vec<Mention>,
}

/// `crate`, `super` and `self` at the head of `path` made absolute from module `at`; a path
/// starting with a child module of `at` too; `None` for another crate's path.
fn absolute(path: &[String], at: &ModPath, modules: &BTreeSet<ModPath>) -> Option<Vec<String>> {
    let first = path.first()?;
    if first == "crate" {
        return Some(path[1..].to_vec());
    }
    if first == "super" || first == "self" {
        let mut base = at.clone();
        let mut rest = path;
        while let Some(head) = rest.first() {
            match head.as_str() {
                "super" => {
                    base.pop()?;
                }
                "self" => {}
                _ => break,
            }
            rest = &rest[1..];
        }
        base.extend(rest.iter().cloned());
        return Some(base);
    }
    let mut child = at.clone();
    child.push(first.clone());
    modules.contains(&child).then(|| {
        let mut p = at.clone();
        p.extend(path.iter().cloned());
        p
    })
}

impl Crate {
    fn read(src: &Path) -> Crate {
        let mut krate = Crate::default();
        krate.modules.insert(Vec::new());
        let mut files = Vec::new();
        krate.collect(&src.join("lib.rs"), src, Vec::new(), &mut files);
        for (file, module, toks) in files {
            krate.scan(&file, &module, &toks);
        }
        krate
    }

    /// Follows the `mod name;` declarations from `file`, module `module`, whose children
    /// live in `dir`: every file of the library with its tokens, tests left out.
    fn collect(
        &mut self,
        file: &Path,
        dir: &Path,
        module: ModPath,
        files: &mut Vec<(PathBuf, ModPath, Vec<Token>)>,
    ) {
        let text = std::fs::read_to_string(file)
            .unwrap_or_else(|e| panic!("{} illisible : {e}", file.display()));
        let toks = without_tests(tokenize(&text));
        // `mod name;` and `mod name { … }`, the inline ones nesting the children's folder.
        let mut stack: Vec<(String, i32)> = Vec::new();
        let mut depth = 0;
        let mut i = 0;
        while i < toks.len() {
            match &toks[i].tok {
                Tok::Punct('{') => depth += 1,
                Tok::Punct('}') => {
                    depth -= 1;
                    if stack.last().is_some_and(|(_, d)| *d == depth) {
                        stack.pop();
                    }
                }
                Tok::Ident(w) if w == "mod" => {
                    if let (Some(name), Some(next)) =
                        (toks.get(i + 1).and_then(Token::ident), toks.get(i + 2))
                    {
                        let mut m = module.clone();
                        m.extend(stack.iter().map(|(n, _)| n.clone()));
                        m.push(name.to_string());
                        self.modules.insert(m.clone());
                        if next.is(';') {
                            let mut d = dir.to_path_buf();
                            d.extend(stack.iter().map(|(n, _)| n.as_str()));
                            let flat = d.join(format!("{name}.rs"));
                            let (child_file, child_dir) = if flat.exists() {
                                (flat, d.join(name))
                            } else {
                                (d.join(name).join("mod.rs"), d.join(name))
                            };
                            self.collect(&child_file, &child_dir, m, files);
                        } else if next.is('{') {
                            stack.push((name.to_string(), depth));
                            depth += 1;
                            i += 3;
                            continue;
                        }
                    }
                }
                _ => {}
            }
            i += 1;
        }
        files.push((file.to_path_buf(), module, toks));
    }

    /// Records the `use` paths and the inline `crate::`/`super::`/`self::` paths of one file.
    fn scan(&mut self, file: &Path, module: &ModPath, toks: &[Token]) {
        let mut stack: Vec<(String, i32)> = Vec::new();
        let mut depth = 0;
        let here = |stack: &[(String, i32)]| {
            let mut m = module.clone();
            m.extend(stack.iter().map(|(n, _)| n.clone()));
            m
        };
        let mut i = 0;
        while i < toks.len() {
            let t = &toks[i];
            match &t.tok {
                Tok::Punct('{') => depth += 1,
                Tok::Punct('}') => {
                    depth -= 1;
                    if stack.last().is_some_and(|(_, d)| *d == depth) {
                        stack.pop();
                    }
                }
                Tok::Ident(w) if w == "mod" => {
                    if let (Some(name), Some(next)) =
                        (toks.get(i + 1).and_then(Token::ident), toks.get(i + 2))
                        && next.is('{')
                    {
                        stack.push((name.to_string(), depth));
                        depth += 1;
                        i += 3;
                        continue;
                    }
                }
                Tok::Ident(w) if w == "use" => {
                    // A use tree holds no `;`: it ends at the first one.
                    let end = (i..toks.len())
                        .find(|&j| toks[j].is(';'))
                        .unwrap_or(toks.len());
                    let at = here(&stack);
                    for (path, name) in expand_use(&toks[i + 1..end]) {
                        let Some(abs) = absolute(&path, &at, &self.modules) else {
                            continue;
                        };
                        // Private or not, a `use` binds a name the module's descendants
                        // may reach through it (`super::Name`).
                        if let Some(name) = name {
                            self.reexports.insert((at.clone(), name), abs.clone());
                        }
                        self.mentions.push(Mention {
                            file: file.to_path_buf(),
                            line: t.line,
                            from: at.clone(),
                            path: abs,
                            written: path.join("::"),
                        });
                    }
                    i = end;
                    continue;
                }
                Tok::Ident(w)
                    if matches!(w.as_str(), "crate" | "super" | "self")
                        && toks.get(i + 1).is_some_and(|n| n.tok == Tok::Sep) =>
                {
                    let mut path = vec![w.clone()];
                    let mut j = i + 1;
                    while toks.get(j).is_some_and(|n| n.tok == Tok::Sep)
                        && let Some(word) = toks.get(j + 1).and_then(Token::ident)
                    {
                        path.push(word.to_string());
                        j += 2;
                    }
                    let at = here(&stack);
                    if let Some(abs) = absolute(&path, &at, &self.modules) {
                        self.mentions.push(Mention {
                            file: file.to_path_buf(),
                            line: t.line,
                            from: at,
                            path: abs,
                            written: path.join("::"),
                        });
                    }
                    i = j;
                    continue;
                }
                _ => {}
            }
            i += 1;
        }
    }

    /// The module a path leads to: down through modules, and through a module's re-export
    /// of something inside it (`pub use child::Item` counts as `child`), not past one that
    /// points elsewhere (naming `phone::X` is naming `phone`, wherever `X` lives).
    fn target(&self, path: &[String]) -> ModPath {
        let mut path = path.to_vec();
        let mut cur: ModPath = Vec::new();
        let mut i = 0;
        let mut hops = 0;
        while i < path.len() {
            let mut next = cur.clone();
            next.push(path[i].clone());
            if self.modules.contains(&next) {
                cur = next;
                i += 1;
                continue;
            }
            match self.reexports.get(&(cur.clone(), path[i].clone())) {
                Some(to) if to.starts_with(&cur) && to.len() > cur.len() && hops < 16 => {
                    hops += 1;
                    let mut spliced = to.clone();
                    spliced.extend(path[i + 1..].iter().cloned());
                    path = spliced;
                    cur = Vec::new();
                    i = 0;
                }
                _ => break,
            }
        }
        cur
    }

    /// Every import between two modules: (parent, importing child, imported child) and
    /// where, for the children of one parent that differ.
    fn edges(&self) -> Vec<(ModPath, String, String, &Mention)> {
        let mut out = Vec::new();
        for m in &self.mentions {
            let to = self.target(&m.path);
            let common = m.from.iter().zip(&to).take_while(|(a, b)| a == b).count();
            if common < m.from.len() && common < to.len() {
                out.push((
                    m.from[..common].to_vec(),
                    m.from[common].clone(),
                    to[common].clone(),
                    m,
                ));
            }
        }
        out
    }
}

fn place(m: &Mention) -> String {
    let file = m
        .file
        .strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .unwrap_or(&m.file);
    format!("{}:{}", file.display(), m.line)
}

/// Imports against the ranks, one line each.
fn layer_breaches(krate: &Crate) -> Vec<String> {
    let rank = |name: &str| LAYERS.iter().find(|(n, _)| *n == name).map(|(_, r)| *r);
    let mut out = Vec::new();
    for top in krate.modules.iter().filter(|m| m.len() == 1) {
        if rank(&top[0]).is_none() {
            out.push(format!(
                "src: module `{}` has no layer: give it a rank in src/layers_test.rs",
                top[0]
            ));
        }
    }
    // One line per line of source: (place, from, to) → the paths written there.
    let mut lines: BTreeMap<(String, String, String), Vec<&str>> = BTreeMap::new();
    for (parent, from, to, m) in krate.edges() {
        if !parent.is_empty() {
            continue;
        }
        let (Some(rf), Some(rt)) = (rank(&from), rank(&to)) else {
            continue;
        };
        if rt >= rf {
            lines
                .entry((place(m), from, to))
                .or_default()
                .push(&m.written);
        }
    }
    for ((place, from, to), written) in lines {
        let rf = rank(&from).unwrap_or(0);
        let below: Vec<&str> = LAYERS
            .iter()
            .filter(|(_, r)| *r < rf)
            .map(|(n, _)| *n)
            .collect();
        let below = if below.is_empty() {
            "nothing".to_string()
        } else {
            below.join(", ")
        };
        out.push(format!(
            "{place}: `{from}` imports `{to}` ({}): `{from}` may import only {below}",
            written.join(", ")
        ));
    }
    out
}

/// Circles between sibling modules (the top-level ones included): one line per pair of
/// modules in a circle, at the first place one imports the other.
fn circles(krate: &Crate) -> Vec<String> {
    type Places<'a> = Vec<&'a Mention>;
    let mut graphs: BTreeMap<ModPath, BTreeMap<(String, String), Places>> = BTreeMap::new();
    for (parent, from, to, m) in krate.edges() {
        if parent
            .first()
            .is_some_and(|p| INSIDE_NOT_CHECKED.contains(&p.as_str()))
        {
            continue;
        }
        graphs
            .entry(parent)
            .or_default()
            .entry((from, to))
            .or_default()
            .push(m);
    }
    let mut out = Vec::new();
    for (parent, edges) in &graphs {
        let reaches = |a: &str, b: &str| {
            let mut seen = BTreeSet::new();
            let mut todo = vec![a.to_string()];
            while let Some(n) = todo.pop() {
                if n == b {
                    return true;
                }
                if seen.insert(n.clone()) {
                    todo.extend(
                        edges
                            .keys()
                            .filter(|(f, _)| *f == n)
                            .map(|(_, t)| t.clone()),
                    );
                }
            }
            false
        };
        for ((from, to), places) in edges {
            let m = places[0];
            if reaches(to, from) {
                let within = if parent.is_empty() {
                    "src".to_string()
                } else {
                    parent.join("::")
                };
                let more = match places.len() {
                    1 => String::new(),
                    n => format!(" and {} more place(s)", n - 1),
                };
                out.push(format!(
                    "{}: in {within}, `{from}` imports `{to}` ({}{more}), which leads back to `{from}`",
                    place(m),
                    m.written
                ));
            }
        }
    }
    out
}

fn library() -> Crate {
    Crate::read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"))
}

#[test]
fn no_import_goes_up_a_layer() {
    let breaches = layer_breaches(&library());
    assert!(
        breaches.is_empty(),
        "imports against the layers:\n{}",
        breaches.join("\n")
    );
}

#[test]
fn no_modules_import_one_another_in_a_circle() {
    let found = circles(&library());
    assert!(found.is_empty(), "import circles:\n{}", found.join("\n"));
}

#[test]
fn the_reader_sees_the_library() {
    let krate = library();
    // Every ranked module is found, and imports of both kinds are read: `use` lines and a
    // path written inline.
    for (name, _) in LAYERS {
        assert!(
            krate.modules.contains(&vec![name.to_string()]),
            "module {name} missing"
        );
    }
    let edges = krate.edges();
    assert!(
        edges
            .iter()
            .any(|(p, f, t, _)| p.is_empty() && f == "store" && t == "domain"),
        "the store's imports of the domain were not read"
    );
    assert!(
        edges
            .iter()
            .any(|(p, f, t, _)| p.is_empty() && f == "cli" && t == "tui"),
        "the command line's inline `crate::tui::run` was not read"
    );
}

/// A crate made of files in a temporary folder.
fn crate_of(files: &[(&str, &str)]) -> Crate {
    let dir = std::env::temp_dir().join(format!(
        "guichet-layers-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    for (path, text) in files {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    let krate = Crate::read(&dir);
    std::fs::remove_dir_all(&dir).unwrap();
    krate
}

fn pairs(krate: &Crate) -> BTreeSet<(String, String, String)> {
    krate
        .edges()
        .into_iter()
        .map(|(p, f, t, _)| (p.join("::"), f, t))
        .collect()
}

fn pair(p: &str, f: &str, t: &str) -> (String, String, String) {
    (p.into(), f.into(), t.into())
}

#[test]
fn use_trees_super_and_reexports_are_followed() {
    let krate = crate_of(&[
        ("lib.rs", "pub mod domain;\npub mod store;\n"),
        ("domain.rs", "pub struct D;\n"),
        (
            "store/mod.rs",
            "mod a;\nmod b;\nmod c;\npub use c::Thing;\nuse crate::{domain::{self, D}};\n",
        ),
        ("store/a.rs", "use super::{b::{self, X}, Thing as T};\n"),
        ("store/b.rs", "fn f() { let _ = crate::store::a::g(); }\n"),
        ("store/c.rs", "pub struct Thing;\n"),
    ]);
    assert_eq!(
        pairs(&krate),
        BTreeSet::from([
            pair("", "store", "domain"),
            pair("store", "a", "b"),
            pair("store", "a", "c"),
            pair("store", "b", "a"),
        ])
    );
    let found = circles(&krate);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found[0].contains("store/a.rs:1"), "{found:?}");
    assert!(found[1].contains("store/b.rs:1"), "{found:?}");
}

#[test]
fn comments_strings_and_tests_are_not_imports() {
    let krate = crate_of(&[
        (
            "lib.rs",
            "pub mod domain;\npub mod tui;\n#[cfg(test)]\nmod checks;\n",
        ),
        (
            "domain.rs",
            "//! See [`crate::tui`].\n/* crate::tui::x */\nconst S: &str = \"crate::tui::y\";\n\
             const R: &str = r#\"crate::tui\"#;\nconst C: char = '\"';\nfn f<'a>(_: &'a str) {}\n\
             #[cfg(test)]\nmod tests {\n    use crate::tui::Z;\n}\n",
        ),
        ("tui.rs", "use crate::domain::S;\n"),
        ("checks.rs", "use crate::tui::Z;\n"),
    ]);
    assert_eq!(pairs(&krate), BTreeSet::from([pair("", "tui", "domain")]));
    assert!(!krate.modules.contains(&vec!["checks".to_string()]));
}

#[test]
fn an_import_up_a_layer_is_named_with_its_line() {
    let krate = crate_of(&[
        ("lib.rs", "pub mod domain;\npub mod store;\n"),
        ("domain.rs", "\n\nfn f() { crate::store::open(); }\n"),
        ("store.rs", "pub fn open() {}\n"),
    ]);
    let breaches = layer_breaches(&krate);
    assert!(
        breaches
            .iter()
            .any(|b| b.contains("domain.rs:3") && b.contains("`domain` imports `store`")),
        "{breaches:?}"
    );
    assert_eq!(breaches.len(), 1, "{breaches:?}");
}
