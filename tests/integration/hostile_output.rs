//! Text that could attack the reader's terminal or spreadsheet, fed through every output of
//! the command line: stored call fields, a hostile `--catalog` folder (titles, step text, a
//! file name), bad values on the command line, configuration values, paths. Whatever the
//! format, nothing that drives a terminal or reorders text comes out on stdout or stderr:
//! no C0 control (but the line ends, and the tab of a tab-separated CSV), no DEL, no C1, no
//! bidirectional control, no line or paragraph separator.

use crate::common::desk;

use desk::Desk;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Output;

/// Retitles the terminal (OSC 0), clears it (CSI 2J), writes the clipboard (OSC 52), starts
/// a C1 CSI (0x9b), reverses what follows (RLO), opens an isolate (LRI), a DEL, a paragraph
/// separator and a line separator.
const HOSTILE: &str = "Zoé\u{1b}]0;TITRE\u{7}\u{1b}[2J\u{1b}]52;c;cHduZWQ=\u{7}\u{9b}31m\u{202e}lin\u{2066}\u{7f}x\u{2029}y\u{2028}fin";

/// The same in TOML's escapes, for the catalogue files.
const HOSTILE_TOML: &str = "Zoé\\u001b]0;TITRE\\u0007\\u001b[2J\\u001b]52;c;cHduZWQ=\\u0007\\u009b31m\\u202elin\\u2066\\u007fx";

const WINDOW: [&str; 4] = ["--from", "2026-11-23T08:00", "--to", "2026-11-23T16:00"];

/// What a format may carry besides printable text: CSV ends its lines with CR LF, and a
/// tab-separated CSV separates with tabs.
#[derive(Clone, Copy)]
struct Allow {
    cr: bool,
    tab: bool,
}

const PLAIN: Allow = Allow {
    cr: false,
    tab: false,
};
const CSV: Allow = Allow {
    cr: true,
    tab: false,
};
const TSV: Allow = Allow {
    cr: true,
    tab: true,
};

fn forbidden(c: char, allow: Allow) -> bool {
    match c {
        '\n' => false,
        '\r' => !allow.cr,
        '\t' => !allow.tab,
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' => true,
        '\u{061c}'
        | '\u{200e}'
        | '\u{200f}'
        | '\u{202a}'..='\u{202e}'
        | '\u{2066}'..='\u{2069}' => true,
        '\u{2028}' | '\u{2029}' => true,
        _ => false,
    }
}

/// Panics when `bytes` hold anything a terminal would obey or that reorders text.
fn assert_inert(what: &str, stream: &str, bytes: &[u8], allow: Allow) {
    let text =
        std::str::from_utf8(bytes).unwrap_or_else(|e| panic!("{what}: {stream} is not UTF-8: {e}"));
    if let Some((i, c)) = text.char_indices().find(|&(_, c)| forbidden(c, allow)) {
        let from = text[..i].char_indices().rev().nth(30).map_or(0, |(j, _)| j);
        panic!(
            "{what}: {stream} carries U+{:04X} at byte {i}, after {:?}",
            c as u32,
            &text[from..i]
        );
    }
    if allow.cr {
        // CR only in the CR LF that ends a line.
        let stray = text
            .char_indices()
            .any(|(i, c)| c == '\r' && !text[i + 1..].starts_with('\n'));
        assert!(!stray, "{what}: {stream} has a CR that ends no line");
    }
}

impl Desk {
    /// Runs a command and checks both its streams; returns its output.
    fn inert(&self, args: &[&str], allow: Allow) -> Output {
        let out = self.run(args);
        let what = format!("{args:?}");
        assert_inert(&what, "stdout", &out.stdout, allow);
        assert_inert(&what, "stderr", &out.stderr, PLAIN);
        out
    }

    /// The same in every format the command knows (others are refused in one sentence,
    /// which is checked too).
    fn every_format(&self, args: &[&str]) {
        for format in ["table", "text", "md", "json"] {
            let mut a = args.to_vec();
            a.extend(["--format", format]);
            self.inert(&a, PLAIN);
        }
        for (extra, allow) in [
            (&[][..], CSV),
            (&["--separator", ";", "--bom"][..], CSV),
            (&["--separator", "tab"][..], TSV),
        ] {
            let mut a = args.to_vec();
            a.extend(["--format", "csv"]);
            a.extend(extra);
            self.inert(&a, allow);
        }
    }

    fn catalog_dir(&self) -> PathBuf {
        self.path().join("catalogue")
    }

    /// A catalogue folder with a good procedure, one whose title and step hold escape
    /// sequences, and one whose file name does.
    fn write_hostile_catalog(&self) {
        let dir = self.catalog_dir();
        std::fs::create_dir_all(&dir).unwrap();
        let good = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("db/procedures/tchap.toml"),
        )
        .unwrap();
        std::fs::write(dir.join("tchap.toml"), &good).unwrap();
        let hostile = format!(
            "title = \"{HOSTILE_TOML}\"\n\
             summary = \"Résumé {HOSTILE_TOML}\"\n\
             services = [\"mi\"]\n\
             devices = [\"*\"]\n\
             keywords = [\"titre\", \"{HOSTILE_TOML}\"]\n\
             \n\
             [[sources]]\n\
             seed = \"001.txt\"\n\
             section = \"{HOSTILE_TOML}\"\n\
             \n\
             [[steps]]\n\
             id = \"dire\"\n\
             kind = \"say\"\n\
             text = \"Lire {HOSTILE_TOML}\"\n\
             end = true\n"
        );
        std::fs::write(dir.join("hostile.toml"), &hostile).unwrap();
        std::fs::write(dir.join("\u{1b}]0;NOM\u{7}\u{9b}2J.toml"), &good).unwrap();
        // The same procedure with the raw bytes in the file (TOML refuses them).
        std::fs::write(dir.join("raw.toml"), hostile.replace("\\u001b", "\u{1b}")).unwrap();
    }
}

/// A call whose every text column is hostile, written as an older version or another tool
/// might have written it, with journal lines and a handover note just as hostile.
fn store_hostile_call(desk: &Desk) -> String {
    let opened = 1_795_425_600_i64; // 2026-11-23T09:20:00Z, in the morning shift
    // Rows as another tool wrote them: a server would date the lines itself and ask the
    // call for its journal line in the same statement, so the owner lifts those guards
    // around them (a file keeps the time it is given).
    let server = desk.engine == desk::Engine::Postgres;
    if server {
        desk.sql("ALTER TABLE calls DISABLE TRIGGER calls_journaled", &[]);
        desk.sql(
            "ALTER TABLE journal DISABLE TRIGGER journal_by_the_server",
            &[],
        );
    }
    let id = desk.sql_i64(
        "INSERT INTO calls (opened_at, closed_at, operator, caller_name, caller_phone, \
         caller_email, service, device, summary, status, outcome, search_key, handler) \
         VALUES (?1, ?2, ?3, ?3, ?3, ?3, 'mi', 'noemi', ?3, 'closed', 'callback', 'x', ?3) \
         RETURNING id",
        sql_args![opened, opened + 41, HOSTILE],
    );
    for kind in ["opened", "note", "procedure", "step", "outcome", "status"] {
        desk.sql(
            "INSERT INTO journal (call_id, at, operator, kind, body) VALUES (?1, ?2, ?3, ?4, ?3)",
            sql_args![id, opened, HOSTILE, kind],
        );
    }
    if server {
        desk.sql(
            "ALTER TABLE journal ENABLE TRIGGER journal_by_the_server",
            &[],
        );
        desk.sql("ALTER TABLE calls ENABLE TRIGGER calls_journaled", &[]);
    }
    desk.sql(
        "INSERT INTO handover_entries (at, operator, kind, shift_name, shift_from, shift_to, body) \
         VALUES (?1, ?2, 'note', ?2, ?3, ?4, ?2)",
        // The window 08:00-16:00, Paris time.
        sql_args![opened, HOSTILE, 1_795_417_200_i64, 1_795_446_000_i64],
    );
    format!("A-{id:04}")
}

on_both_engines! {
fn stored_call_fields_come_out_inert_in_every_format(desk) {
    // Through `call add`: the caller, the summary and the notes are stored as typed.
    let mut add = vec![
        "call",
        "add",
        "--service",
        "mi",
        "--device",
        "noemi",
        "--caller",
        HOSTILE,
        "--summary",
        HOSTILE,
        "--notes",
        HOSTILE,
        "--at",
        "2026-11-23T10:00",
    ];
    desk.ok(&add);
    desk.every_format(&add);
    // A hostile e-mail address or phone number is refused, in one inert sentence.
    add.extend(["--email", HOSTILE, "--phone", HOSTILE]);
    let refused = desk.inert(&add, PLAIN);
    assert_eq!(refused.status.code(), Some(2));
    let stored = store_hostile_call(&desk);
    let stored = stored.as_str();
    desk.ok(&["report", "note", HOSTILE]);

    desk.every_format(&["call", "list"]);
    desk.every_format(&["call", "list", "--limit", "0", "--caller", HOSTILE]);
    for reference in ["A-0001", stored, "A-0999"] {
        desk.every_format(&["call", "show", reference]);
    }
    desk.every_format(&["call", "note", "A-0001", HOSTILE]);
    desk.every_format(&[
        "call",
        "close",
        "A-0001",
        "--outcome",
        "resolved",
        "--note",
        HOSTILE,
    ]);
    desk.every_format(&[
        "call",
        "outcome",
        stored,
        "--outcome",
        "resolved",
        "--note",
        HOSTILE,
    ]);
    let mut report = vec!["report", "handover"];
    report.extend(WINDOW);
    desk.every_format(&report);
    desk.every_format(&["report", "handover"]);

    // Visible stand-ins in the text, the exact value in JSON.
    let shown = desk.ok(&["call", "show", stored]);
    assert!(shown.contains("Zoé␛]0;TITRE␇␛[2J"), "{shown}");
    let json: Value =
        serde_json::from_str(&desk.ok(&["call", "show", stored, "--format", "json"])).unwrap();
    assert_eq!(json["caller_name"], HOSTILE);
    assert_eq!(json["journal"][1]["text"], HOSTILE);
    let listed: Value =
        serde_json::from_str(&desk.ok(&["call", "list", "--format", "json"])).unwrap();
    let hostile_listed = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["reference"] == stored)
        .unwrap();
    assert_eq!(hostile_listed["summary"], HOSTILE);
}
}

#[test]
fn the_tools_echo_nothing_raw() {
    let desk = Desk::new();
    for args in [
        &["tools", "spell", HOSTILE][..],
        &["tools", "xivo", HOSTILE],
        &["tools", "printer", "decode", HOSTILE],
        &[
            "tools",
            "comu",
            "--first-name",
            HOSTILE,
            "--last-name",
            HOSTILE,
            "--domain",
            "AC",
        ],
        &[
            "tools",
            "comu",
            "--first-name",
            "Jean",
            "--last-name",
            "Dupont",
            "--domain",
            HOSTILE,
        ],
        &["tools", "quota", HOSTILE],
        &["tools", "amigo", "--at", HOSTILE],
        &["tools", "cryhod", "--issued", HOSTILE],
        &["tools", "telemaintenance", HOSTILE, "--code", "123456"],
        &["tools", "telemaintenance", "A-0001", "--code", HOSTILE],
        &[
            "tools",
            "printer",
            "encode",
            "--department",
            HOSTILE,
            "--site",
            "RC",
            "--division",
            "DSI",
            "--location",
            "B4",
        ],
    ] {
        desk.every_format(args);
    }
    let spelled = desk.ok(&["tools", "spell", HOSTILE]);
    assert!(spelled.contains('␛'), "{spelled}");
}

on_both_engines! {
fn a_hostile_catalogue_reaches_no_terminal(desk) {
    desk.write_hostile_catalog();
    let dir = desk.catalog_dir();
    let catalog = dir.to_str().unwrap();
    for args in [
        &["procedures", "list"][..],
        &["procedures", "search", "titre"],
        &["procedures", "search", HOSTILE],
        &["procedures", "show", "hostile"],
        &["procedures", "show", "tchap"],
        &["procedures", "show", HOSTILE],
        &["call", "list"],
        &[
            "call",
            "add",
            "--service",
            "mi",
            "--device",
            "noemi",
            "--caller",
            "Zoé",
            "--summary",
            "x",
            "--procedure",
            "hostile",
        ],
    ] {
        let mut a = vec!["--catalog", catalog];
        a.extend(args);
        desk.every_format(&a);
    }
    // The console's catalogue warnings name the file, made visible.
    let out = desk.inert(&["--catalog", catalog, "procedures", "list"], PLAIN);
    let warnings = String::from_utf8(out.stderr).unwrap();
    assert!(warnings.contains("␛]0;NOM␇"), "{warnings}");

    // Lint refuses text with control characters, with the file and the line.
    let out = desk.inert(&["procedures", "lint", catalog], PLAIN);
    assert_eq!(out.status.code(), Some(1));
    let lint = String::from_utf8(out.stderr).unwrap();
    let hostile = dir.join("hostile.toml").display().to_string();
    for line in [1, 2, 5, 9, 14] {
        let located = format!("{hostile}:{line}: ");
        assert!(
            lint.lines()
                .any(|l| l.contains(&located) && l.contains("caractère de contrôle")),
            "line {line} not reported:\n{lint}"
        );
    }
    assert!(lint.contains("raw.toml:1: "), "{lint}");
    assert!(lint.contains("␛]0;NOM␇"), "{lint}");
    // The same folder without its hostile files passes.
    for name in ["hostile.toml", "raw.toml", "\u{1b}]0;NOM\u{7}\u{9b}2J.toml"] {
        std::fs::remove_file(dir.join(name)).unwrap();
    }
    let out = desk.inert(&["procedures", "lint", catalog], PLAIN);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
}

on_both_engines! {
fn bad_values_on_the_command_line_are_named_inertly(desk) {
    desk.ok(&[
        "call",
        "add",
        "--service",
        "mi",
        "--device",
        "noemi",
        "--caller",
        "B",
        "--summary",
        "x",
    ]);
    let bad_ref = "A-1\u{1b}]0;X\u{7}";
    for args in [
        &["call", "show", bad_ref][..],
        &["call", "note", bad_ref, "texte"],
        &["call", "close", bad_ref, "--outcome", "resolved"],
        &["call", "close", "A-0001", "--outcome", HOSTILE],
        &["call", "outcome", bad_ref, "--outcome", "resolved"],
        &["call", "list", "--service", HOSTILE],
        &["call", "list", "--device", HOSTILE],
        &["call", "list", "--since", HOSTILE],
        &["call", "list", "--limit", HOSTILE],
        &[
            "call",
            "add",
            "--service",
            HOSTILE,
            "--device",
            HOSTILE,
            "--caller",
            "B",
            "--summary",
            "x",
        ],
        &[
            "call",
            "add",
            "--service",
            "mi",
            "--device",
            "noemi",
            "--caller",
            "B",
            "--summary",
            "x",
            "--at",
            HOSTILE,
        ],
        &[
            "call",
            "add",
            "--service",
            "mi",
            "--device",
            "noemi",
            "--caller",
            "B",
            "--summary",
            "x",
            "--procedure",
            HOSTILE,
        ],
        &[
            "call",
            "add",
            "--service",
            "mi",
            "--device",
            "noemi",
            "--caller",
            "B",
            "--summary",
            "x",
            "--operator",
            HOSTILE,
        ],
        &["report", "handover", "--from", HOSTILE],
        &["report", "handover", "--separator", HOSTILE],
        &["call", "list", "--separator", HOSTILE],
        &["procedures", "search", "x", "--service", HOSTILE],
        &["procedures", "lint", HOSTILE],
        &[HOSTILE],
        &["call", HOSTILE],
        &["call", "list", "--format", HOSTILE],
    ] {
        let out = desk.inert(args, PLAIN);
        assert!(!out.status.success(), "{args:?} should fail");
    }
    // Filters echo nothing raw either.
    desk.every_format(&["report", "handover", "--operator", HOSTILE]);
    // A database named with escapes (in the desk's folder, the working directory).
    desk.inert(&["--db", HOSTILE, "call", "list"], PLAIN);
    let out = desk.inert(&["call", "show", bad_ref], PLAIN);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("« A-1␛]0;X␇ »"), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    // Every format of every call command refuses the bad reference the same way.
    desk.every_format(&["call", "show", bad_ref]);
}
}

#[test]
fn configuration_values_and_paths_are_echoed_inertly() {
    let desk = Desk::new();
    let config = desk.path().join("config/guichet");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(
        config.join("config.toml"),
        format!("desk = \"{HOSTILE_TOML}\"\n"),
    )
    .unwrap();
    desk.ok(&[
        "call",
        "add",
        "--service",
        "mi",
        "--device",
        "noemi",
        "--caller",
        "B",
        "--summary",
        "x",
    ]);
    desk.every_format(&["report", "handover"]);
    // A configuration that cannot be read is named with its content made visible.
    std::fs::write(
        config.join("config.toml"),
        format!("desk = \"{HOSTILE_TOML}\"\n{HOSTILE} = 3\n"),
    )
    .unwrap();
    let out = desk.inert(&["call", "list"], PLAIN);
    assert!(!out.status.success());
    std::fs::remove_file(config.join("config.toml")).unwrap();

    // A database path, a backup path: named in messages.
    let hostile_dir = desk.path().join("\u{1b}]0;DOSSIER\u{7}");
    let db_in_hostile = hostile_dir.join("x.db");
    let db_arg = db_in_hostile.to_str().unwrap();
    let out = desk.inert(&["--db", db_arg, "db", "check"], PLAIN);
    assert!(out.status.success());
    let backup = hostile_dir.join("copie\u{9b}2J.db");
    let backup = backup.to_str().unwrap();
    let out = desk.inert(&["db", "backup", backup], PLAIN);
    assert!(out.status.success());
    let out = desk.inert(&["db", "backup", backup], PLAIN);
    assert_eq!(out.status.code(), Some(2));
    let blocked = desk.path().join("bloque\u{1b}[2J");
    std::fs::write(&blocked, "pas un dossier").unwrap();
    let under_file = blocked.join("x.db");
    let out = desk.inert(
        &["--db", under_file.to_str().unwrap(), "call", "list"],
        PLAIN,
    );
    assert!(!out.status.success());
}

#[test]
fn the_servers_own_messages_come_out_inert() {
    let desk = Desk::postgres();
    // The server quotes the name of a database it does not have, escapes and all.
    let (start, _) = desk
        .url()
        .rsplit_once('/')
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .unwrap();
    let hostile_db = format!("{start}/{HOSTILE}");
    let out = desk.inert(&["--db", &hostile_db, "call", "list"], PLAIN);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("base inexistante") && err.contains("Zoé␛]0;TITRE␇"),
        "{err}"
    );
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    // And the name of a role it does not know.
    let (scheme, rest) = desk
        .url()
        .split_once("://")
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .unwrap();
    let host = rest.split_once('@').unwrap().1;
    let hostile_user = format!(
        "{scheme}://{}:x@{host}",
        HOSTILE.replace(['@', ':', '/'], "")
    );
    let out = desk.inert(&["--db", &hostile_user, "call", "list"], PLAIN);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("identification refusée") && err.contains("Zoé␛]0;TITRE␇"),
        "{err}"
    );
    assert!(!err.contains(":x@"), "{err}");
}
