//! What a system install takes from the binary: completions, man pages, `--version`.

use guichet::store::Engine;
use guichet::store::migrations::{LATEST_VERSION, POSTGRES_LATEST_VERSION, latest};
use std::path::Path;
use std::process::{Command, Output};

/// The subcommands every generated file must know.
const SUBCOMMANDS: [&str; 8] = [
    "call",
    "procedures",
    "report",
    "tools",
    "db",
    "phone",
    "completions",
    "man",
];

/// Runs guichet in a home of its own, with no database named: what these commands print
/// needs none, and they must not create one.
fn guichet(home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_guichet"))
        .args(args)
        .env_remove("GUICHET_DB")
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_STATE_HOME", home.join("state"))
        .output()
        .unwrap()
}

fn ok(args: &[&str]) -> String {
    let home = tempfile::tempdir().unwrap();
    let out = guichet(home.path(), args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stderr.is_empty(), "{args:?}");
    let left: Vec<_> = std::fs::read_dir(home.path()).unwrap().collect();
    assert!(left.is_empty(), "{args:?} wrote {left:?}");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn completions_for_each_shell_know_every_subcommand() {
    for (shell, start, bind) in [
        ("bash", "_guichet() {", "--bind"),
        ("zsh", "#compdef guichet", "--bind"),
        ("fish", "complete -c guichet", "-l bind"),
    ] {
        let script = ok(&["completions", shell]);
        assert!(script.contains(start), "{shell}: {}", &script[..200]);
        for sub in SUBCOMMANDS {
            assert!(script.contains(sub), "{shell} without {sub}");
        }
        // Down to the leaves: `guichet phone listen --bind`.
        assert!(
            script.contains("listen") && script.contains(bind),
            "{shell}"
        );
    }
}

#[test]
fn a_shell_it_does_not_know_exits_2_with_one_french_sentence() {
    let home = tempfile::tempdir().unwrap();
    for name in ["tcsh", "Bash", ""] {
        let out = guichet(home.path(), &["completions", name]);
        assert_eq!(out.status.code(), Some(2), "{name:?}");
        assert!(out.stdout.is_empty());
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(
            err,
            format!("guichet : shell « {name} » inconnu : choisir parmi bash, zsh, fish\n")
        );
    }
    // The shells it knows are offered by the help.
    let help = ok(&["completions", "--help"]);
    assert!(help.contains("bash, zsh, fish"), "{help}");
}

#[test]
fn the_man_page_is_roff_with_its_sections_and_subcommands() {
    let page = ok(&["man"]);
    assert!(page.contains("\n.TH guichet 1 "), "{}", &page[..200]);
    for section in [".SH NAME", ".SH SYNOPSIS", ".SH OPTIONS", ".SH SUBCOMMANDS"] {
        assert!(page.lines().any(|l| l == section), "no {section}");
    }
    assert!(page.contains("guichet \\- Console de hotline"));
    for sub in SUBCOMMANDS {
        assert!(page.contains(&format!("guichet\\-{sub}(1)")), "no {sub}");
    }
    // `help` is no page of its own.
    assert!(!page.contains("guichet\\-help(1)"));
}

#[test]
fn man_dir_writes_every_page_the_others_name() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("man");
    std::fs::create_dir(&dir).unwrap();
    let out = guichet(home.path(), &["man", "--dir", dir.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pages: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    let said = String::from_utf8(out.stdout).unwrap();
    assert!(said.starts_with(&format!("{} pages de manuel écrites dans ", pages.len())));
    for page in [
        "guichet.1",
        "guichet-phone-listen.1",
        "guichet-tools-printer-decode.1",
    ] {
        assert!(pages.iter().any(|p| p == page), "no {page} in {pages:?}");
    }
    // Every page a page names exists.
    for page in &pages {
        let text = std::fs::read_to_string(dir.join(page)).unwrap();
        assert!(text.lines().any(|l| l == ".SH NAME"), "{page}");
        for named in text.split(|c: char| c.is_whitespace()) {
            if let Some(name) = named.strip_suffix("(1)") {
                let file = format!("{}.1", name.replace("\\-", "-"));
                assert!(pages.contains(&file), "{page} names {file}, absent");
            }
        }
    }
    // The one page `guichet man` prints is the top one.
    assert_eq!(
        std::fs::read_to_string(dir.join("guichet.1")).unwrap(),
        ok(&["man"])
    );
}

#[test]
fn version_says_the_schema_written_on_each_engine() {
    assert_eq!(latest(Engine::Sqlite), LATEST_VERSION);
    assert_eq!(latest(Engine::Postgres), POSTGRES_LATEST_VERSION);
    let expected = format!(
        "guichet {} (schéma SQLite {LATEST_VERSION}, PostgreSQL {POSTGRES_LATEST_VERSION})\n",
        env!("CARGO_PKG_VERSION")
    );
    assert_eq!(ok(&["--version"]), expected);
    assert_eq!(ok(&["-V"]), expected);
    // The man page carries the same.
    assert!(ok(&["man"]).contains(&format!(
        "\"guichet {}",
        expected.trim_start_matches("guichet ").trim_end()
    )));
}
