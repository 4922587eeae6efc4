//! What a system install takes from the binary: completions, man pages, `--version`.

use guichet::store::Engine;
use guichet::store::migrations::{LATEST_VERSION, POSTGRES_LATEST_VERSION, latest};
use std::path::{Path, PathBuf};
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

/// The man pages' date these tests give (`SOURCE_DATE_EPOCH`): 2026-12-06, 00:00 UTC.
const PAGES_EPOCH: &str = "1796515200";

/// Runs guichet in a home of its own, with no database named: what these commands print
/// needs none, and they must not create one.
fn guichet(home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_guichet"))
        .args(args)
        .env_remove("GUICHET_DB")
        .env("SOURCE_DATE_EPOCH", PAGES_EPOCH)
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
    // The man page carries the same, in its VERSION section; its footer the version only.
    let page = ok(&["man"]);
    assert!(page.contains(&format!(
        "\n.SH VERSION\nv{}\n",
        expected.trim_start_matches("guichet ").trim_end()
    )));
    assert!(page.contains(&format!(
        "\n.TH guichet 1 2026-12-06 \"guichet {}\" ",
        env!("CARGO_PKG_VERSION")
    )));
}

#[test]
fn the_pages_are_dated_by_source_date_epoch_else_today() {
    let home = tempfile::tempdir().unwrap();
    let dated = |epoch: Option<&str>| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_guichet"));
        cmd.arg("man")
            .env("HOME", home.path())
            .env_remove("SOURCE_DATE_EPOCH");
        if let Some(epoch) = epoch {
            cmd.env("SOURCE_DATE_EPOCH", epoch);
        }
        cmd.output().unwrap()
    };
    let th = |out: &Output| {
        let page = String::from_utf8_lossy(&out.stdout).into_owned();
        page.lines()
            .find(|l| l.starts_with(".TH "))
            .map(|l| l.split(' ').nth(3).unwrap().to_string())
            .unwrap()
    };
    assert_eq!(th(&dated(Some("1796515200"))), "2026-12-06");
    assert_eq!(th(&dated(Some("1796601599"))), "2026-12-06");
    let today = th(&dated(None));
    let now = chrono::Utc::now().format("%Y-%m-%d").to_string();
    assert_eq!(today, now);
    for bad in ["hier", "1,5", "99999999999999999999"] {
        let out = dated(Some(bad));
        assert_eq!(out.status.code(), Some(2), "{bad}");
        assert_eq!(
            String::from_utf8_lossy(&out.stderr),
            format!(
                "guichet : SOURCE_DATE_EPOCH « {bad} » n'est pas un nombre de secondes depuis 1970\n"
            )
        );
    }
}

/// Every page `guichet man --dir` writes, in a folder of their own.
fn man_pages() -> (tempfile::TempDir, Vec<PathBuf>) {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("man");
    std::fs::create_dir(&dir).unwrap();
    let out = guichet(home.path(), &["man", "--dir", dir.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut pages: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    pages.sort();
    assert!(pages.len() > 30, "{pages:?}");
    (home, pages)
}

/// A page's name, as its title says it: `guichet-call-add`.
fn title(page: &Path) -> String {
    page.file_stem().unwrap().to_string_lossy().into_owned()
}

/// Runs a man page tool, which these tests need (.ci/run installs mandoc and man-db):
/// without it they fail, they do not skip.
fn tool(program: &str, args: &[&str], page: &Path) -> Output {
    Command::new(program)
        .args(args)
        .arg(page)
        .env("LC_ALL", "C.UTF-8")
        .env("MANWIDTH", "80")
        // man-db's sandbox cannot start in some containers; the page is ours.
        .env("MAN_DISABLE_SECCOMP", "1")
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "{program} is needed to check the man pages (apt-get install mandoc man-db): {e}"
            )
        })
}

#[test]
fn every_man_page_passes_mandoc_lint_without_a_warning() {
    let (_home, pages) = man_pages();
    for page in &pages {
        let out = tool("mandoc", &["-T", "lint", "-W", "warning"], page);
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.status.success() && said.is_empty(),
            "{}:\n{said}",
            title(page)
        );
    }
}

/// Terminal output with its overstrikes (bold `c BACKSPACE c`, underline `_ BACKSPACE c`)
/// resolved to what shows.
fn plain(bytes: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(bytes)
        .lines()
        .map(|line| {
            let mut shown = String::new();
            for c in line.chars() {
                if c == '\u{8}' {
                    shown.pop();
                } else {
                    shown.push(c);
                }
            }
            shown
        })
        .collect()
}

#[test]
fn every_man_page_reads_at_80_columns_with_its_header_and_footer_whole() {
    let (_home, pages) = man_pages();
    let source = format!("guichet {}", env!("CARGO_PKG_VERSION"));
    for page in &pages {
        let name = format!("{}(1)", title(page));
        for (renderer, args) in [
            ("mandoc", &["-T", "utf8", "-O", "width=80"][..]),
            ("man", &["-l"][..]),
        ] {
            let out = tool(renderer, args, page);
            assert!(
                out.status.success(),
                "{renderer} {name}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let lines = plain(&out.stdout);
            for line in &lines {
                let width = line.replace('\t', "        ").chars().count();
                assert!(width <= 80, "{renderer} {name}: {width} columns: {line:?}");
            }
            let text: Vec<&String> = lines.iter().filter(|l| !l.trim().is_empty()).collect();
            let (head, foot) = (text[0], text[text.len() - 1]);
            assert_eq!(
                head.matches(&name).count(),
                2,
                "{renderer} header: {head:?}"
            );
            // The footer on one line, each part whole: source, date (its year, however the
            // renderer writes the day), name.
            assert!(
                foot.trim_start().starts_with(&format!("{source} ")),
                "{renderer} footer: {foot:?}"
            );
            assert!(
                foot.trim_end().ends_with(&format!(" {name}")),
                "{renderer} footer: {foot:?}"
            );
            assert!(foot.contains("2026"), "{renderer} footer: {foot:?}");
        }
    }
}

/// The variables the source reads: `var("…")`, `var_os("…")`, clap's `env = "…"` and the
/// `…_ENV` constants, in every file of src/.
fn variables_read_by_the_source() -> std::collections::BTreeSet<String> {
    fn walk(dir: &Path, found: &mut std::collections::BTreeSet<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                for opening in ["var(\"", "var_os(\"", "env = \"", "_ENV: &str = \""] {
                    for (at, _) in text.match_indices(opening) {
                        let rest = &text[at + opening.len()..];
                        let name: String = rest
                            .chars()
                            .take_while(|c| {
                                c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_'
                            })
                            .collect();
                        if name.len() > 1 && rest[name.len()..].starts_with('"') {
                            found.insert(name);
                        }
                    }
                }
            }
        }
    }
    let mut found = std::collections::BTreeSet::new();
    walk(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut found,
    );
    found
}

/// The text of a page's section `name`, up to the next section (roff quotes a name with a
/// space: `.SH "EXIT STATUS"`).
fn section<'a>(page: &'a str, name: &str) -> &'a str {
    let heading = if name.contains(' ') {
        format!("\n.SH \"{name}\"\n")
    } else {
        format!("\n.SH {name}\n")
    };
    let start = page
        .find(&heading)
        .unwrap_or_else(|| panic!("no {name} section"));
    let rest = &page[start + heading.len()..];
    &rest[..rest.find("\n.SH ").unwrap_or(rest.len())]
}

#[test]
fn the_man_page_names_every_variable_every_file_and_the_exit_codes() {
    let page = ok(&["man"]);
    let found = variables_read_by_the_source();
    // The test-support database of the tests and benches: the shipped binary lacks it.
    let not_shipped = ["GUICHET_TEST_PG"];
    assert!(
        found.contains("GUICHET_DB") && found.contains("PGHOST"),
        "{found:?}"
    );
    let environment = section(&page, "ENVIRONMENT");
    for name in found.iter().filter(|n| !not_shipped.contains(&n.as_str())) {
        assert!(
            environment.contains(name.as_str()),
            "ENVIRONMENT lacks {name}"
        );
    }
    let files = section(&page, "FILES");
    for file in [
        "config.toml",
        "guichet.db",
        "brouillons",
        "user_token_file",
        "phone.env",
    ] {
        assert!(files.contains(file), "FILES lacks {file}");
    }
    let exit = section(&page, "EXIT STATUS");
    for code in ["0", "1", "2"] {
        let item = format!(".TP\n\\fB{code}\\fR\n");
        assert!(exit.contains(&item), "EXIT STATUS lacks {code}: {exit}");
    }
}

#[test]
fn each_command_page_says_what_it_reads_and_the_listener_its_requests() {
    let (_home, pages) = man_pages();
    let read = |name: &str| {
        std::fs::read_to_string(pages.iter().find(|p| title(p) == name).unwrap()).unwrap()
    };
    for page in &pages {
        let text = std::fs::read_to_string(page).unwrap();
        for name in ["EXIT STATUS", "ENVIRONMENT", "FILES"] {
            section(&text, name);
        }
        assert!(
            section(&text, "ENVIRONMENT").contains("GUICHET_DB"),
            "{}",
            title(page)
        );
    }
    let listen = read("guichet-phone-listen");
    let requests = section(&listen, "REQUESTS");
    for said in [
        "POST /cti",
        "/api/v1/cti/JETON",
        "/xivo",
        "/wazo",
        "Authorization: Bearer",
        "newCall",
        "callId",
        "422",
        "503",
    ] {
        assert!(requests.contains(said), "REQUESTS lacks {said}: {requests}");
    }
    assert!(section(&listen, "ENVIRONMENT").contains("GUICHET_PHONE_TOKEN"));
    assert!(section(&listen, "FILES").contains("/etc/guichet/phone.env"));
    // A page says only what its command reads.
    let add = read("guichet-call-add");
    assert!(section(&add, "ENVIRONMENT").contains("GUICHET_OPERATOR"));
    assert!(!add.contains("GUICHET_PHONE_TOKEN") && !add.contains("REQUESTS"));
    let push = read("guichet-glpi-push");
    assert!(section(&push, "ENVIRONMENT").contains("GUICHET_GLPI_USER_TOKEN"));
    assert!(section(&push, "FILES").contains("user_token_file"));
    // The desk's procedure files, on the program's page and the procedures' commands.
    for name in [
        "guichet",
        "guichet-procedures-new",
        "guichet-procedures-simulate",
    ] {
        assert!(
            section(&read(name), "FILES").contains("DIR/*.toml"),
            "{name}"
        );
    }
    assert!(!section(&add, "FILES").contains("DIR/*.toml"));
    // clap's English is not left in a page.
    for page in &pages {
        let text = std::fs::read_to_string(page).unwrap();
        for english in ["Print help", "Print version", "Possible values"] {
            assert!(!text.contains(english), "{}: {english}", title(page));
        }
    }
}
