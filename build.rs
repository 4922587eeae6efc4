//! Embeds every `db/procedures/*.toml` in the binary, so a fresh install has the whole
//! catalogue with no files beside it; and gives the man pages the day this version was
//! released, as CHANGELOG.md says it (`GUICHET_RELEASE_DATE`).

use std::fmt::Write;
use std::path::Path;

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("db")
        .join("procedures");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    let mut out = String::from("&[\n");
    for path in &files {
        println!("cargo:rerun-if-changed={}", path.display());
        let name = path.file_name().unwrap().to_string_lossy();
        let _ = writeln!(
            out,
            "    ({name:?}, include_str!({:?})),",
            path.display().to_string()
        );
    }
    out.push(']');
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap()).join("procedures.rs");
    std::fs::write(dest, out).unwrap();
    release_date();
}

/// The day of `## [VERSION] - YYYY-MM-DD` in CHANGELOG.md for this version, else of the
/// newest release (a version not released yet): the same bytes for the same sources, where
/// the day of the build would change every page at every build.
fn release_date() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("CHANGELOG.md");
    println!("cargo:rerun-if-changed={}", path.display());
    let text = std::fs::read_to_string(&path).expect("CHANGELOG.md");
    let released: Vec<(&str, &str)> = text
        .lines()
        .filter_map(|l| l.strip_prefix("## ["))
        .filter_map(|l| l.split_once("] - "))
        .collect();
    let version = env!("CARGO_PKG_VERSION");
    let (_, day) = released
        .iter()
        .find(|(v, _)| *v == version)
        .or(released.first())
        .expect("CHANGELOG.md has no released version (## [X.Y.Z] - YYYY-MM-DD)");
    println!("cargo:rustc-env=GUICHET_RELEASE_DATE={}", day.trim());
}
