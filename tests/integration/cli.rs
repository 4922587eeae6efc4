//! The command line contract (DESIGN.md §5), driving the real binary.

use crate::common::desk;

use desk::{Desk, Engine};
use serde_json::Value;
use std::path::Path;
use std::process::Command;

/// The smallest valid `call add`, for tests about everything but its fields.
const ADD_B: [&str; 10] = [
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
];

on_both_engines! {
fn add_prints_a_reference_to_read_aloud(desk) {
    assert_eq!(desk.add("Zoé Martin", "mi", "noemi", &[]), "A-0001");
    assert_eq!(desk.add("Bruno", "acn-caen", "copier", &[]), "A-0002");
}
}

on_both_engines! {
fn add_in_json_gives_the_call_object(desk) {
    let call = desk.json(&[
        "call",
        "add",
        "--service",
        "mi",
        "--device",
        "noemi",
        "--caller",
        "Zoé Martin",
        "--phone",
        "06 12 34 56 78",
        "--email",
        "zoe.martin@interieur.gouv.fr",
        "--summary",
        "carte agent oubliée",
        "--notes",
        "appelle de Beauvau",
        "--procedure",
        "mi-agent-card-cryhod",
        "--operator",
        "dupontje",
        "--at",
        "2026-11-23T09:41",
        "--format",
        "json",
    ]);
    assert_eq!(call["reference"], "A-0001");
    assert_eq!(call["opened_at"], "2026-11-23T08:41:00Z");
    assert_eq!(call["operator"], "dupontje");
    assert_eq!(call["caller_name"], "Zoé Martin");
    assert_eq!(call["caller_phone"], "06 12 34 56 78");
    assert_eq!(call["service"], "mi");
    assert_eq!(call["device"], "noemi");
    assert_eq!(call["status"], "open");
    assert_eq!(call["outcome"], Value::Null);
    let shown = desk.json(&["call", "show", "A-0001", "--format", "json"]);
    let kinds: Vec<_> = shown["journal"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(kinds, ["opened", "note", "procedure"]);
    assert_eq!(shown["journal"][1]["text"], "appelle de Beauvau");
    assert_eq!(shown["journal"][2]["text"], "mi-agent-card-cryhod");
}
}

on_both_engines! {
fn bad_input_exits_2_with_one_sentence_and_writes_nothing(desk) {
    desk.add("Témoin", "mi", "noemi", &[]);
    let cases: &[(&[&str], &str)] = &[
        (
            &[
                "call",
                "add",
                "--service",
                "interieur",
                "--device",
                "noemi",
                "--caller",
                "Zoé",
                "--summary",
                "x",
            ],
            "« interieur »",
        ),
        (
            &[
                "call",
                "add",
                "--service",
                "mi",
                "--device",
                "minitel",
                "--caller",
                "Zoé",
                "--summary",
                "x",
            ],
            "« minitel »",
        ),
        (
            &[
                "call",
                "add",
                "--service",
                "mi",
                "--device",
                "noemi",
                "--caller",
                "  ",
                "--summary",
                "x",
            ],
            "nom de l'appelant est vide",
        ),
        (
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
                "",
            ],
            "objet de l'appel est vide",
        ),
        (
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
                "--at",
                "31/11/2026",
            ],
            "« 31/11/2026 »",
        ),
        (
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
                "--phone",
                "abc",
            ],
            "« abc »",
        ),
        (
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
                "--email",
                "zoe",
            ],
            "« zoe »",
        ),
        (&["call", "list", "--since", "hier"], "« hier »"),
        (&["call", "list", "--service", "xyz"], "« xyz »"),
        (&["call", "show", "A-0999"], "« A-0999 »"),
        (&["call", "show", "B-12"], "« B-12 »"),
        (&["call", "note", "A-0999", "texte"], "« A-0999 »"),
        (&["call", "note", "A-0001", "  "], "la note est vide"),
        (
            &["call", "close", "A-0999", "--outcome", "resolved"],
            "« A-0999 »",
        ),
        (
            &["call", "close", "A-0001", "--outcome", "fixed"],
            "« fixed »",
        ),
        (&["call", "list", "--format", "text"], "« text »"),
    ];
    for (args, needle) in cases {
        let (code, err) = desk.fails(args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "one sentence: {err}");
    }
    assert_eq!(desk.count(), 1, "nothing written");
    let shown = desk.json(&["call", "show", "A-0001", "--format", "json"]);
    assert_eq!(shown["journal"].as_array().unwrap().len(), 1);
    assert_eq!(shown["status"], "open");
}
}

on_both_engines! {
fn list_filters_and_formats(desk) {
    desk.add(
        "Anne Çelik",
        "acn-caen",
        "copier",
        &[
            "--at",
            "2026-11-23T07:55",
            "--operator",
            "martinpa",
            "--phone",
            "02 31 30 15 00",
        ],
    );
    desk.add(
        "Bruno Lefèvre",
        "mi",
        "span",
        &["--at", "2026-11-23T08:12", "--operator", "dupontje"],
    );
    desk.add(
        "Chloé Œuvray",
        "mi",
        "noemi",
        &["--at", "2026-11-23T09:29", "--operator", "dupontje"],
    );
    desk.ok(&[
        "call",
        "close",
        "A-0002",
        "--outcome",
        "resolved",
        "--operator",
        "dupontje",
    ]);

    let refs = |args: &[&str]| -> Vec<String> {
        let mut full = vec!["call", "list", "--format", "json"];
        full.extend_from_slice(args);
        desk.json(&full)
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["reference"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(refs(&[]), ["A-0003", "A-0002", "A-0001"], "newest first");
    assert_eq!(refs(&["--open"]), ["A-0003", "A-0001"]);
    assert_eq!(refs(&["--service", "mi"]), ["A-0003", "A-0002"]);
    assert_eq!(refs(&["--device", "copier"]), ["A-0001"]);
    assert_eq!(refs(&["--operator", "martinpa"]), ["A-0001"]);
    assert_eq!(refs(&["--caller", "celik"]), ["A-0001"]);
    assert_eq!(refs(&["--caller", "ŒUVRAY"]), ["A-0003"]);
    assert_eq!(refs(&["--caller", "0231"]), ["A-0001"]);
    // A reference finds its call, however it is typed.
    for typed in ["A-0002", "a-0002", "a2", "A 2"] {
        assert_eq!(refs(&["--caller", typed]), ["A-0002"], "{typed:?}");
    }
    // Digits are a reference and part of a phone number: A-0001's (02 31 30 15 00)
    // holds a 2 and a 3.
    assert_eq!(refs(&["--caller", "2"]), ["A-0002", "A-0001"]);
    assert_eq!(refs(&["--caller", "3"]), ["A-0003", "A-0001"]);
    assert_eq!(refs(&["--caller", "0002"]), ["A-0002"]);
    assert_eq!(
        refs(&["--caller", "A-0002", "--open"]),
        Vec::<String>::new()
    );
    assert_eq!(
        refs(&["--since", "2026-11-23T08:00", "--until", "2026-11-23T09:00"]),
        ["A-0002"]
    );
    assert_eq!(
        refs(&["--since", "2026-11-23T07:12:00Z"]),
        ["A-0003", "A-0002"]
    );
    assert_eq!(refs(&["--limit", "1"]), ["A-0003"]);
    assert_eq!(refs(&["--limit", "0"]).len(), 3);

    let (code, err) = desk.fails(&[
        "call",
        "list",
        "--since",
        "2026-11-24",
        "--until",
        "2026-11-23",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("--since"), "{err}");

    let csv = desk.ok(&["call", "list", "--format", "csv"]);
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "reference,opened_at,opened_paris,closed_at,status,outcome,operator,caller_name,\
         caller_phone,caller_email,service,device,summary,handling_minutes,closed_paris,\
         status_label,outcome_label,handler,service_label,device_label,handling_secs,handling"
    );
    assert_eq!(lines.count(), 3);
    assert!(csv.contains("A-0002,2026-11-23T07:12:00Z,"));

    let table = desk.ok(&["call", "list"]);
    let lines: Vec<&str> = table.lines().collect();
    assert!(lines[0].starts_with("Réf."));
    // Accented names keep the next column aligned (display width, not bytes).
    let col = |l: &str, needle: &str| {
        let i = l.find(needle).unwrap();
        unicode_width_of(&l[..i])
    };
    assert_eq!(col(lines[1], "Intérieur"), col(lines[3], "Acad. Caen"));
    assert_eq!(col(lines[1], "Chloé"), col(lines[3], "Anne"));
}
}

fn unicode_width_of(s: &str) -> usize {
    s.chars().count()
}

on_both_engines! {
fn show_note_close_walk_a_call(desk) {
    desk.add("Zoé Martin", "mi", "noemi", &["--operator", "dupontje"]);
    assert_eq!(
        desk.ok(&[
            "call",
            "note",
            "a1",
            "rappel prévu",
            "--operator",
            "martinpa"
        ]),
        "note ajoutée à A-0001\n"
    );
    assert_eq!(
        desk.ok(&[
            "call",
            "close",
            "A-0001",
            "--outcome",
            "escalated",
            "--note",
            "ticket SETNA"
        ]),
        "A-0001 clos : escaladé (2e niveau)\n"
    );
    let text = desk.ok(&["call", "show", "A-0001"]);
    assert!(text.contains("Zoé Martin"));
    assert!(text.contains("Ministère de l'Intérieur (mi)"));
    assert!(text.contains("rappel prévu"));
    assert!(text.contains("martinpa"));
    assert!(text.contains("issue : escaladé (2e niveau)"));
    assert!(text.contains("appel clos"));
    let json = desk.json(&["call", "show", "1", "--format", "json"]);
    assert_eq!(json["status"], "closed");
    assert_eq!(json["outcome"], "escalated");
    assert_eq!(json["journal"][1]["operator"], "martinpa");
    assert_eq!(json["journal"][2]["operator"], "loginname");
    let (code, err) = desk.fails(&["call", "close", "A-0001", "--outcome", "resolved"]);
    assert_eq!(code, 1);
    assert!(err.contains("déjà clos"), "{err}");
}
}

on_both_engines! {
fn operator_comes_from_flag_then_environment_then_login(desk) {
    desk.add("A", "mi", "noemi", &[]);
    let out = desk
        .cmd()
        .env("GUICHET_OPERATOR", "envop")
        .args(ADD_B)
        .output()
        .unwrap();
    assert!(out.status.success());
    let out = desk
        .cmd()
        .env("GUICHET_OPERATOR", "envop")
        .args([
            "call",
            "add",
            "--service",
            "mi",
            "--device",
            "noemi",
            "--caller",
            "C",
            "--summary",
            "x",
            "--operator",
            "flagop",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let ops: Vec<String> = desk
        .json(&["call", "list", "--format", "json"])
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["operator"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ops, ["flagop", "envop", "loginname"]);
}
}

#[test]
fn database_path_from_flag_env_or_xdg_default() {
    let desk = Desk::new();
    let flagged = desk.dir.path().join("elsewhere").join("other.db");
    desk.ok(&[
        "--db",
        flagged.to_str().unwrap(),
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
    ]);
    assert!(
        flagged.exists(),
        "--db wins over GUICHET_DB and its folder is created"
    );
    assert!(!desk.db().exists());

    let out = Command::new(env!("CARGO_BIN_EXE_guichet"))
        .env_clear()
        .env("HOME", desk.dir.path())
        .env("XDG_DATA_HOME", desk.dir.path().join("xdg"))
        .env("USER", "u")
        .args(["call", "list", "--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8(out.stdout).unwrap().trim(), "[]");
    assert!(desk.dir.path().join("xdg/guichet/guichet.db").exists());
}

on_both_engines! {
fn a_database_from_a_newer_guichet_is_refused_untouched(desk) {
    // A real guichet database whose schema version is then bumped by hand, as a future
    // guichet would have left it.
    desk.add("Zoé", "mi", "noemi", &[]);
    let known = match desk.engine {
        Engine::Sqlite => {
            // Offset 60 of the SQLite header holds user_version as a big-endian u32.
            let mut bytes = std::fs::read(desk.db()).unwrap();
            bytes[60..64].copy_from_slice(&99u32.to_be_bytes());
            std::fs::write(desk.db(), bytes).unwrap();
            guichet::store::LATEST_VERSION
        }
        Engine::Postgres => {
            desk.sql(
                "INSERT INTO schema_migrations (version, name) VALUES (99, '0099_future')",
                &[],
            );
            guichet::store::POSTGRES_LATEST_VERSION
        }
    };
    let before = what_the_database_holds(&desk);
    // The same sentence on both engines, whatever the command.
    let sentence = format!(
        "guichet : la base {} a été écrite par une version plus récente de guichet \
         (schéma 99, cette version connaît le schéma {known}) : elle n'a pas été modifiée\n",
        desk.shown()
    );
    for args in [
        &["call", "list"][..],
        &ADD_B,
        &["db", "check"],
        &["report", "note", "relève"],
        &["--read-only", "call", "list"],
    ] {
        assert_eq!(desk.fails(args), (1, sentence.clone()), "{args:?}");
    }
    assert_eq!(what_the_database_holds(&desk), before);
}
}

/// What a database holds, to say it was left untouched: the file's bytes, or on the
/// server its tables, their rows counted, its schema versions and its extensions.
fn what_the_database_holds(desk: &Desk) -> Vec<String> {
    match desk.engine {
        Engine::Sqlite => vec![format!("{:?}", std::fs::read(desk.db()).unwrap())],
        Engine::Postgres => {
            let mut admin = desk.admin();
            let mut held = Vec::new();
            for row in admin
                .query(
                    "SELECT table_name::text FROM information_schema.tables \
                     WHERE table_schema = 'public' ORDER BY 1",
                    &[],
                )
                .unwrap()
            {
                let table: String = row.get(0);
                let rows: i64 = admin
                    .query_one(&format!("SELECT count(*) FROM {table}"), &[])
                    .unwrap()
                    .get(0);
                held.push(format!("{table}: {rows}"));
            }
            if held.iter().any(|t| t.starts_with("schema_migrations:")) {
                for row in admin
                    .query(
                        "SELECT version || ' ' || name FROM schema_migrations ORDER BY version",
                        &[],
                    )
                    .unwrap()
                {
                    held.push(row.get(0));
                }
            }
            for row in admin
                .query("SELECT extname::text FROM pg_extension ORDER BY 1", &[])
                .unwrap()
            {
                held.push(format!("extension {}", row.get::<_, String>(0)));
            }
            held
        }
    }
}

#[test]
fn db_check_and_backup() {
    let desk = Desk::new();
    desk.add("Zoé", "mi", "noemi", &[]);
    assert!(desk.ok(&["db", "check"]).contains("aucun problème"));
    let copy = desk.dir.path().join("copy.db");
    desk.ok(&["db", "backup", copy.to_str().unwrap()]);
    let out = desk
        .cmd()
        .env("GUICHET_DB", &copy)
        .args(["call", "list", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        serde_json::from_slice::<Value>(&out.stdout)
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let (code, err) = desk.fails(&["db", "backup", copy.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("existe déjà"));
}

on_both_engines! {
fn hostile_caller_names_cannot_drive_the_terminal(desk) {
    desk.add("\u{1b}]0;pwned\u{7}\u{1b}[2J", "mi", "noemi", &[]);
    let table = desk.ok(&["call", "list"]);
    assert!(!table.contains('\u{1b}'));
    assert!(!desk.ok(&["call", "show", "A-0001"]).contains('\u{1b}'));
    // JSON keeps the exact value, escaped.
    let json = desk.ok(&["call", "list", "--format", "json"]);
    assert!(json.contains("\\u001b]0;pwned"));
}
}

on_both_engines! {
fn top_level_operator_applies_to_commands(desk) {
    desk.ok(&[
        "--operator",
        "topop",
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
    ]);
    let calls = desk.json(&["call", "list", "--format", "json"]);
    assert_eq!(calls[0]["operator"], "topop");
}
}

on_both_engines! {
fn the_console_outside_a_terminal_says_so(desk) {
    let (code, err) = desk.fails(&[]);
    assert_eq!(code, 1);
    assert!(err.contains("demande un terminal"), "{err}");
}
}

on_both_engines! {
fn procedures_list_search_show(desk) {
    let all = desk.json(&["procedures", "list", "--format", "json"]);
    assert!(all.as_array().unwrap().len() >= 34);
    let acn = desk.json(&[
        "procedures",
        "list",
        "--service",
        "acn-rouen",
        "--format",
        "json",
    ]);
    assert!(
        acn.as_array().unwrap().iter().all(|p| {
            let s = &p["services"];
            s == "*"
                || s.as_array()
                    .is_some_and(|a| a.iter().any(|x| x == "acn-rouen"))
        }),
        "{acn}"
    );
    let hits = desk.json(&[
        "procedures",
        "search",
        "vpn icone bleue",
        "--service",
        "mi",
        "--device",
        "noemi",
        "--format",
        "json",
    ]);
    assert_eq!(hits[0]["slug"], "mi-noemi-reset-vpn");
    assert!(hits[0]["title"].as_str().unwrap().contains("ResetVPN"));
    let scores: Vec<f64> = hits
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["score"].as_f64().unwrap())
        .collect();
    assert!(
        scores.windows(2).all(|w| w[0] >= w[1]),
        "best first: {scores:?}"
    );
    let text = desk.ok(&["procedures", "show", "mi-call-centre"]);
    assert!(text.contains("01 40 07 20 00"), "{text}");
    assert!(text.contains("1. ["), "{text}");
    let (code, err) = desk.fails(&["procedures", "show", "nope"]);
    assert_eq!(code, 2);
    assert!(err.contains("« nope »"));
    let (code, err) = desk.fails(&["procedures", "search", "vpn", "--service", "police"]);
    assert_eq!(code, 2);
    assert!(err.contains("« police »"));
    let (code, err) = desk.fails(&[
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
        "mi-inexistante",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("« mi-inexistante »"), "{err}");
}
}

on_both_engines! {
fn lint_reports_file_and_line_and_a_broken_catalog_file_is_skipped(desk) {
    assert!(desk.ok(&["procedures", "lint"]).contains("aucun problème"));
    assert!(
        desk.ok(&[
            "procedures",
            "lint",
            concat!(env!("CARGO_MANIFEST_DIR"), "/db/procedures")
        ])
        .contains("aucun problème")
    );
    let dir = desk.dir.path().join("catalogue");
    std::fs::create_dir(&dir).unwrap();
    std::fs::copy(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/db/procedures/mi-call-centre.toml"
        ),
        dir.join("mi-call-centre.toml"),
    )
    .unwrap();
    std::fs::write(
        dir.join("casse.toml"),
        "title = \"x\"\nservices = [\"mi\"\n",
    )
    .unwrap();
    let (code, err) = desk.fails(&["procedures", "lint", dir.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("casse.toml:"), "{err}");
    // The console and the other commands skip the broken file and keep the rest.
    let out = desk
        .cmd()
        .args([
            "--catalog",
            dir.to_str().unwrap(),
            "procedures",
            "list",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert!(String::from_utf8_lossy(&out.stderr).contains("procédure ignorée"));
}
}

/// A desk's own procedure written under the documented format before escalations had to
/// name a contact (issue 23): its hand-off says « Niveau 2 », which the desk knows.
const NIVEAU_2: &str = r#"
title = "Badge du parking refusé à la barrière"
summary = "Le badge de parking de l'agent n'ouvre plus la barrière."
services = ["mi"]
devices = ["*"]
keywords = ["badge parking", "barriere"]

[[sources]]
seed = "003_153f178d6c060759.txt"
section = "Renseignements"

[[steps]]
id = "badge"
kind = "ask"
text = "Le badge ouvre-t-il la porte du bâtiment ?"
yes = "barriere"
no = "niveau-2"

[[steps]]
id = "barriere"
kind = "say"
text = "Présenter le badge plus près du lecteur de la barrière."
end = true

[[steps]]
id = "niveau-2"
kind = "escalate"
target = "Niveau 2"
text = "Transmettre au niveau 2."
"#;

on_both_engines! {
fn a_procedure_valid_under_the_documented_format_stays_valid(desk) {
    // DESIGN.md §4: « a file valid today stays valid ». The rule that an escalation names a
    // contact came later: it warns, it never drops the desk's procedure.
    let dir = desk.dir.path().join("catalogue");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("badge-parking.toml"), NIVEAU_2).unwrap();
    let catalog = dir.to_str().unwrap();
    let out = desk
        .cmd()
        .args(["--catalog", catalog, "procedures", "list", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("procédure ignorée"), "{stderr}");
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list[0]["slug"], "badge-parking", "{list}");
    // Proposed for its words.
    let hits = desk.json(&[
        "--catalog",
        catalog,
        "procedures",
        "search",
        "badge parking barriere",
        "--service",
        "mi",
        "--format",
        "json",
    ]);
    assert_eq!(hits[0]["slug"], "badge-parking", "{hits}");
    let shown = desk.ok(&["--catalog", catalog, "procedures", "show", "badge-parking"]);
    assert!(shown.contains("Niveau 2"), "{shown}");
    // lint warns, with the file and line, and succeeds.
    let out = desk.run(&["procedures", "lint", catalog]);
    assert!(out.status.success(), "{out:?}");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.starts_with("1 procédure vérifiée, "), "{said}");
    assert!(said.contains(" de synonymes, 1 avertissement (refusé par --strict)"), "{said}");
    let warned = String::from_utf8_lossy(&out.stderr);
    assert!(
        warned.contains(
            "badge-parking.toml:25: avertissement : l'étape « niveau-2 » (escalate) ne dit pas \
             où transmettre l'appel"
        ),
        "{warned}"
    );
    // --strict makes the warning an error.
    let (code, err) = desk.fails(&["procedures", "lint", "--strict", catalog]);
    assert_eq!(code, 1);
    assert!(
        err.contains("badge-parking.toml:25: l'étape « niveau-2 » (escalate) ne dit pas où"),
        "{err}"
    );
    // The shipped catalogue has no warning: CI lints it with --strict.
    assert!(
        desk.ok(&[
            "procedures",
            "lint",
            "--strict",
            concat!(env!("CARGO_MANIFEST_DIR"), "/db/procedures")
        ])
        .contains("aucun problème")
    );
}
}

#[test]
fn what_the_caller_says_works_counts_for_less_and_why_says_so() {
    let desk = Desk::new();
    let call = "c est pas le wifi, le wifi marche, c est le vpn du noemi qui reste bleu";
    let ask = |slug: &str| {
        desk.ok(&[
            "procedures",
            "why",
            call,
            slug,
            "--service",
            "mi",
            "--device",
            "noemi",
        ])
    };
    // The VPN is the problem: ResetVPN first, the Wi-Fi procedure only its context.
    let why = ask("mi-noemi-reset-vpn");
    assert!(why.contains("rang 1"), "{why}");
    let wifi = ask("mi-noemi-wifi");
    assert!(!wifi.contains("rang 1"), "{wifi}");
    assert!(wifi.contains("(contexte)"), "{wifi}");
    assert!(wifi.contains("compté pour moitié"), "{wifi}");
    let json = desk.ok(&[
        "procedures",
        "why",
        call,
        "mi-noemi-wifi",
        "--format",
        "json",
    ]);
    let json: Value = serde_json::from_str(&json).unwrap();
    let words = json["words"].as_array().unwrap();
    let aside = |w: &str| words.iter().find(|x| x["word"] == w).unwrap()["aside"].clone();
    assert_eq!(aside("wifi"), true, "{json}");
    assert_eq!(aside("vpn"), false, "{json}");
}

#[test]
fn a_desks_thesaurus_beside_its_catalogue_is_linted_used_and_explained() {
    let desk = Desk::new();
    let dir = desk.dir.path().join("procedures");
    std::fs::create_dir(&dir).unwrap();
    for slug in ["acn-printers", "mi-call-centre"] {
        std::fs::copy(
            format!("{}/db/procedures/{slug}.toml", env!("CARGO_MANIFEST_DIR")),
            dir.join(format!("{slug}.toml")),
        )
        .unwrap();
    }
    let catalog = dir.to_str().unwrap();
    let search = |query: &str| -> Vec<String> {
        let out = desk.ok(&[
            "--catalog",
            catalog,
            "procedures",
            "search",
            query,
            "--service",
            "acn-caen",
            "--format",
            "json",
        ]);
        let hits: Value = serde_json::from_str(&out).unwrap();
        hits.as_array()
            .unwrap()
            .iter()
            .map(|h| h["slug"].as_str().unwrap().to_string())
            .collect()
    };
    // A word of the desk's own, unknown to the catalogue and the embedded thesaurus.
    assert!(search("bécane").is_empty());
    let thesaurus = desk.dir.path().join("thesaurus.toml");
    std::fs::write(
        &thesaurus,
        "[[groups]]\nentries = [\"bécane\", \"imprimante\"]\n\n[[groups]]\nentries = [\"seul\"]\n",
    )
    .unwrap();
    // Lint names the broken group, file and line; the good one is used meanwhile.
    let (code, err) = desk.fails(&["--catalog", catalog, "procedures", "lint"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("thesaurus.toml:4: groupe de moins de deux entrées"),
        "{err}"
    );
    assert_eq!(search("bécane"), ["acn-printers"]);
    let why = desk.ok(&[
        "--catalog",
        catalog,
        "procedures",
        "why",
        "becane",
        "acn-printers",
        "--service",
        "acn-caen",
        "--device",
        "copier",
    ]);
    assert!(why.contains("rang 1"), "{why}");
    assert!(
        why.contains("synonyme : « bécane » → « imprimante »"),
        "{why}"
    );
    let json = desk.ok(&[
        "--catalog",
        catalog,
        "procedures",
        "why",
        "becane",
        "acn-printers",
        "--format",
        "json",
    ]);
    let json: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["words"][0]["via"]["via"], "synonym", "{json}");
    // An unknown procedure is one French sentence naming it.
    let (code, err) = desk.fails(&["procedures", "why", "x", "pas-ici"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("procédure inconnue « pas-ici »"), "{err}");
    std::fs::write(
        &thesaurus,
        "[[groups]]\nentries = [\"bécane\", \"imprimante\"]\n",
    )
    .unwrap();
    assert!(
        desk.ok(&["--catalog", catalog, "procedures", "lint"])
            .contains("aucun problème")
    );
}

#[test]
fn a_damaged_database_gets_one_sentence_and_is_left_alone() {
    let desk = Desk::new();
    std::fs::write(
        desk.db(),
        b"ceci n'est pas une base SQLite, juste du texte abime",
    )
    .unwrap();
    let before = std::fs::read(desk.db()).unwrap();
    let (code, err) = desk.fails(&["call", "list"]);
    assert_eq!(code, 1);
    assert!(err.contains("illisible"), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1);
    assert_eq!(std::fs::read(desk.db()).unwrap(), before);
}

on_both_engines! {
fn a_lock_held_too_long_gets_one_sentence(desk) {
    desk.add("Zoé", "mi", "noemi", &[]);
    // A stuck process holding the write lock: another program's transaction on the file,
    // an administrator's on the server.
    enum Holder {
        File(rusqlite::Connection),
        Server(postgres::Client),
    }
    let holder = match desk.engine {
        Engine::Sqlite => {
            let c = rusqlite::Connection::open(desk.db()).unwrap();
            c.execute_batch("BEGIN EXCLUSIVE").unwrap();
            Holder::File(c)
        }
        Engine::Postgres => {
            let mut c = desk.admin();
            c.batch_execute("BEGIN; LOCK TABLE calls IN EXCLUSIVE MODE").unwrap();
            Holder::Server(c)
        }
    };
    let started = std::time::Instant::now();
    let mut child = desk
        .cmd()
        .env("GUICHET_BUSY_TIMEOUT_MS", "300")
        .args(ADD_B)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // A wait without end fails the test rather than hanging it.
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > std::time::Duration::from_secs(10) {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("call add still waits for the lock after 10 s (its limit is 300 ms)");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        err,
        format!(
            "guichet : la base {} est verrouillée par un autre processus depuis plus de 1 s : \
             rien n'a été modifié ; réessayer, ou chercher le processus bloqué\n",
            desk.shown()
        )
    );
    assert!(out.stdout.is_empty());
    match holder {
        Holder::File(c) => c.execute_batch("ROLLBACK").unwrap(),
        Holder::Server(mut c) => c.batch_execute("ROLLBACK").unwrap(),
    }
    assert_eq!(desk.count(), 1, "nothing half-written");
    // Once the lock is gone, the same command goes through.
    assert_eq!(desk.ok(&ADD_B).trim(), "A-0002");
}
}

on_both_engines! {
fn read_only_reads_and_refuses_to_write(desk) {
    desk.add("Zoé", "mi", "noemi", &[]);
    let list = desk.ok(&["--read-only", "call", "list", "--format", "json"]);
    assert!(list.contains("Zoé"));
    let (code, err) = desk.fails(&[
        "--read-only",
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
    assert_eq!(code, 1);
    assert!(err.contains("lecture seule"), "{err}");
    assert_eq!(desk.count(), 1);
}
}

#[cfg(unix)]
#[test]
fn a_new_database_is_readable_by_its_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let desk = Desk::new();
    desk.add("Zoé", "mi", "noemi", &[]);
    let mode = std::fs::metadata(desk.db()).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "{mode:o}");
}

on_both_engines! {
fn a_closed_calls_outcome_is_corrected_everywhere_and_the_journal_keeps_both(desk) {
    desk.add(
        "Zoé Martin",
        "mi",
        "noemi",
        &["--at", "2026-11-23T09:41", "--operator", "dupontje"],
    );
    desk.add(
        "Témoin",
        "mi",
        "span",
        &["--at", "2026-11-23T09:50", "--operator", "dupontje"],
    );
    desk.ok(&["call", "close", "A-0001", "--outcome", "resolved"]);
    desk.ok(&["call", "close", "A-0002", "--outcome", "resolved"]);
    assert_eq!(
        desk.ok(&[
            "call",
            "outcome",
            "a1",
            "--outcome",
            "escalated",
            "--note",
            "l'agent a rappelé : ticket SETNA",
            "--operator",
            "martinpa",
        ]),
        "issue de A-0001 corrigée : escaladé (2e niveau)\n"
    );
    let shown = desk.json(&["call", "show", "A-0001", "--format", "json"]);
    assert_eq!(shown["outcome"], "escalated");
    assert_eq!(shown["status"], "closed");
    let journal: Vec<(String, String, String)> = shown["journal"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["kind"].as_str().unwrap().to_string(),
                e["text"].as_str().unwrap().to_string(),
                e["operator"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let kinds: Vec<&str> = journal.iter().map(|(k, _, _)| k.as_str()).collect();
    assert_eq!(
        kinds,
        ["opened", "outcome", "status", "note", "outcome_corrected"]
    );
    assert_eq!(
        journal[1].1, "resolved",
        "the first outcome stays in the journal"
    );
    assert_eq!(journal[3].1, "l'agent a rappelé : ticket SETNA");
    assert_eq!(journal[4].1, "escalated");
    assert_eq!(journal[4].2, "martinpa");

    let text = desk.ok(&["call", "show", "A-0001"]);
    let issue_line = text.lines().find(|l| l.starts_with("Issue")).unwrap();
    assert!(issue_line.contains("escaladé (2e niveau)"), "{text}");
    assert!(text.contains("issue : résolu"), "{text}");
    assert!(
        text.contains("issue corrigée : escaladé (2e niveau)"),
        "{text}"
    );
    let csv = desk.ok(&["call", "show", "A-0001", "--format", "csv"]);
    assert!(
        csv.lines().any(|l| l.contains(
            ",martinpa,outcome_corrected,issue corrigée,escalated,issue corrigée : escaladé (2e niveau)"
        )),
        "{csv}"
    );

    let listed = desk.json(&["call", "list", "--format", "json"]);
    assert_eq!(listed[1]["reference"], "A-0001");
    assert_eq!(listed[1]["outcome"], "escalated");
    assert_eq!(listed[0]["outcome"], "resolved");
    let table = desk.ok(&["call", "list"]);
    assert!(table.contains("clos (escaladé (2e niveau))"), "{table}");
    let list_csv = desk.ok(&["call", "list", "--format", "csv"]);
    assert!(list_csv.contains(",closed,escalated,"), "{list_csv}");

    let window = ["--from", "2026-11-23T08:00", "--to", "2026-11-23T16:00"];
    let mut args = vec!["report", "handover", "--format", "json"];
    args.extend_from_slice(&window);
    let report = desk.json(&args);
    assert_eq!(report["calls_total"], 2);
    assert_eq!(report["by_outcome"]["escalated"], 1);
    assert_eq!(report["by_outcome"]["resolved"], 1);
    let mut args = vec!["report", "handover", "--format", "csv"];
    args.extend_from_slice(&window);
    let report_csv = desk.ok(&args);
    let a1 = report_csv
        .lines()
        .find(|l| l.starts_with("A-0001"))
        .unwrap();
    assert!(a1.contains("escalated") && !a1.contains("resolved"), "{a1}");
    let mut args = vec!["report", "handover", "--format", "md"];
    args.extend_from_slice(&window);
    let md = desk.ok(&args);
    assert!(md.contains("escaladé (2e niveau)"), "{md}");

    // JSON gives the corrected call object; no note needed.
    let call = desk.json(&[
        "call",
        "outcome",
        "A-0001",
        "--outcome",
        "callback",
        "--format",
        "json",
    ]);
    assert_eq!(call["reference"], "A-0001");
    assert_eq!(call["outcome"], "callback");
    let shown = desk.json(&["call", "show", "A-0001", "--format", "json"]);
    assert_eq!(shown["journal"].as_array().unwrap().len(), 6);
}
}

on_both_engines! {
fn an_outcome_correction_that_cannot_be_made_exits_2_and_changes_nothing(desk) {
    desk.add("Ouvert", "mi", "noemi", &[]);
    desk.add("Clos", "mi", "noemi", &[]);
    desk.ok(&["call", "close", "A-0002", "--outcome", "resolved"]);
    let before: Vec<Value> = ["A-0001", "A-0002"]
        .iter()
        .map(|r| desk.json(&["call", "show", r, "--format", "json"]))
        .collect();
    let cases: &[(&[&str], &str)] = &[
        (
            &["call", "outcome", "A-0001", "--outcome", "escalated"],
            "l'appel A-0001 est ouvert : le clore (call close) avant d'en corriger l'issue",
        ),
        (
            &["call", "outcome", "A-0002", "--outcome", "resolved"],
            "« résolu » (resolved)",
        ),
        (
            &["call", "outcome", "A-0999", "--outcome", "escalated"],
            "« A-0999 »",
        ),
        (
            &["call", "outcome", "X-2", "--outcome", "escalated"],
            "« X-2 »",
        ),
        (
            &["call", "outcome", "A-0002", "--outcome", "fixed"],
            "« fixed »",
        ),
        (
            &[
                "call",
                "outcome",
                "A-0002",
                "--outcome",
                "escalated",
                "--note",
                " ",
            ],
            "la note est vide",
        ),
        (
            &[
                "call",
                "outcome",
                "A-0002",
                "--outcome",
                "escalated",
                "--format",
                "csv",
            ],
            "« csv »",
        ),
    ];
    for (args, needle) in cases {
        let (code, err) = desk.fails(args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "one sentence: {err}");
    }
    let after: Vec<Value> = ["A-0001", "A-0002"]
        .iter()
        .map(|r| desk.json(&["call", "show", r, "--format", "json"]))
        .collect();
    assert_eq!(before, after, "nothing written");
}
}

on_both_engines! {
fn dates_are_typed_the_french_way_on_every_option(desk) {
    use chrono::Datelike;
    // This year in Paris, for the forms without a year. Their day is 1 January: in the
    // past, or at most a day ahead on New Year's Day, whenever the test runs (dates more
    // than a day ahead are refused).
    let year = chrono::Utc::now()
        .with_timezone(&chrono_tz::Europe::Paris)
        .year();
    let add = |caller: &str, at: &str| {
        desk.json(&[
            "call",
            "add",
            "--service",
            "mi",
            "--device",
            "noemi",
            "--caller",
            caller,
            "--summary",
            "x",
            "--at",
            at,
            "--format",
            "json",
        ])["opened_at"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(add("Avant", "18/11/2026 19h30"), "2026-11-18T18:30:00Z");
    assert_eq!(add("Après", "18/11/2026 à 20:30"), "2026-11-18T19:30:00Z");
    add("Cette année, avant", &format!("{year}-01-01T19:30"));
    add("Cette année, après", &format!("{year}-01-01T20:30"));
    let names = |args: &[&str]| -> Vec<String> {
        let mut full = vec!["call", "list", "--format", "json"];
        full.extend_from_slice(args);
        desk.json(&full)
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["caller_name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        names(&["--since", "18/11/2026 20h", "--until", "19/11/2026"]),
        ["Après"]
    );
    assert_eq!(
        names(&["--since", "18/11/2026", "--until", "18/11/2026 à 20h"]),
        ["Avant"]
    );
    assert_eq!(
        names(&["--since", "01/01 20h", "--until", "01/01 21h"]),
        ["Cette année, après"]
    );
    assert_eq!(
        names(&["--since", "01/01", "--until", "01/01 20:00"]),
        ["Cette année, avant"]
    );

    // The handover report's window, French or ISO, gives the same report.
    // What depends on the moment the report is made (its time, the ages of what waits)
    // is left out: the two reports are made a moment apart.
    fn timeless(v: &mut Value) {
        match v {
            Value::Object(map) => {
                map.remove("generated_at");
                map.remove("age_secs");
                map.values_mut().for_each(timeless);
            }
            Value::Array(items) => items.iter_mut().for_each(timeless),
            _ => {}
        }
    }
    let report = |from: &str, to: &str| {
        let mut r = desk.json(&[
            "report", "handover", "--from", from, "--to", to, "--format", "json",
        ]);
        timeless(&mut r);
        r
    };
    let french = report("18/11/2026 16h", "18/11/2026 à 23h59");
    let iso = report("2026-11-18T16:00", "2026-11-18T23:59");
    assert_eq!(french, iso);
    assert_eq!(french["calls_total"], 2);

    // AMIGO and CRYHOD read the same forms.
    assert_eq!(
        desk.json(&[
            "tools",
            "amigo",
            "--at",
            "25/11/2026 13h",
            "--format",
            "json"
        ]),
        desk.json(&[
            "tools",
            "amigo",
            "--at",
            "2026-11-25T13:00",
            "--format",
            "json"
        ])
    );
    assert_eq!(
        desk.json(&[
            "tools",
            "cryhod",
            "--issued",
            "31/01/2026 9h",
            "--format",
            "json"
        ])["valid_until"],
        "2026-02-28T08:00:00Z"
    );

    // Impossible or unreadable dates: one sentence naming them, exit 2, nothing written.
    let before = desk.count();
    for (args, needle) in [
        (vec!["call", "list", "--since", "31/02"], "« 31/02 »"),
        (
            vec!["call", "list", "--until", "18/12 25h"],
            "« 18/12 25h »",
        ),
        (
            vec!["report", "handover", "--from", "hier", "--to", "20h"],
            "« hier »",
        ),
        (vec!["tools", "amigo", "--at", "20h61"], "« 20h61 »"),
        (
            vec!["tools", "cryhod", "--issued", "28/03/2027 2h30"],
            "« 28/03/2027 2h30 »",
        ),
        (
            [ADD_B.as_slice(), &["--at", "30/02/2026 10h"]].concat(),
            "« 30/02/2026 10h »",
        ),
    ] {
        let (code, err) = desk.fails(&args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "one sentence: {err}");
    }
    assert_eq!(desk.count(), before, "nothing written");
}
}

fn with<'a>(args: &[&'a str], extra: &[&'a str]) -> Vec<&'a str> {
    [args, extra].concat()
}

/// A Paris wall-clock time `offset` from now, as `2026-12-01T20:05`.
fn paris_from_now(offset: chrono::Duration) -> String {
    (chrono::Utc::now() + offset)
        .with_timezone(&chrono_tz::Europe::Paris)
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

on_both_engines! {
fn implausible_dates_are_refused_on_every_option(desk) {
    desk.add("Zoé", "mi", "noemi", &[]);
    let before = desk.count();
    let in_three_days = paris_from_now(chrono::Duration::days(3));
    let in_two_years = paris_from_now(chrono::Duration::days(800));
    for (args, needle) in [
        (
            with(&ADD_B, &["--at", "1900-01-01T10:00"]),
            "« 1900-01-01T10:00 » : antérieure au 01/01/2000",
        ),
        (
            with(&ADD_B, &["--at", "31/12/1999 23h59"]),
            "« 31/12/1999 23h59 »",
        ),
        (
            vec!["call", "list", "--since", "01/01/1999"],
            "« 01/01/1999 »",
        ),
        (
            vec!["call", "list", "--until", &in_three_days],
            "plus d'un jour",
        ),
        (
            vec![
                "report",
                "handover",
                "--from",
                "1900-01-01T08:00",
                "--to",
                "2026-11-23T08:00",
            ],
            "« 1900-01-01T08:00 »",
        ),
        (
            vec![
                "report",
                "handover",
                "--from",
                "2026-11-23T08:00",
                "--to",
                &in_three_days,
            ],
            "plus d'un jour",
        ),
        (
            vec!["report", "handover", "--from", &in_three_days],
            "plus d'un jour",
        ),
        (
            vec!["report", "note", "relève calme", "--at", "01/01/1990 9h"],
            "« 01/01/1990 9h »",
        ),
        (
            vec!["report", "note", "x", "--at", &in_three_days],
            "plus d'un jour",
        ),
        (
            vec!["tools", "amigo", "--at", "1999-06-01T10:00"],
            "antérieure au 01/01/2000",
        ),
        (
            vec!["tools", "amigo", "--at", &in_two_years],
            "plus d'un an",
        ),
        (
            vec!["tools", "cryhod", "--issued", "1980-01-01T10:00"],
            "« 1980-01-01T10:00 »",
        ),
        (
            vec!["tools", "cryhod", "--issued", &in_three_days],
            "plus d'un jour",
        ),
    ] {
        let (code, err) = desk.fails(&args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains("date improbable"), "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "one sentence: {err}");
    }
    assert_eq!(desk.count(), before, "nothing stored");
    let notes = desk.sql_i64("SELECT count(*) FROM handover_entries", &[]);
    assert_eq!(notes, 0, "no handover note stored");

    // A call cannot have been opened an hour or three days from now: refused in one
    // sentence (an_opening_in_the_future_is_refused says more), and nothing is stored.
    let in_an_hour = paris_from_now(chrono::Duration::hours(1));
    for ahead in [&in_an_hour, &in_three_days] {
        let (_, err) = desk.fails(&with(&ADD_B, &["--at", ahead]));
        assert!(err.contains("dans le futur"), "{err}");
        assert_eq!(err.trim_end().lines().count(), 1, "one sentence: {err}");
    }
    assert_eq!(desk.count(), before, "nothing stored");

    // Within the bounds: the first day of 2000, a call logged in the minute under way,
    // AMIGO next week (a callback to plan).
    let soon = paris_from_now(chrono::Duration::zero());
    let next_week = paris_from_now(chrono::Duration::days(7));
    desk.ok(&with(&ADD_B, &["--at", "2000-01-01T00:00"]));
    desk.ok(&with(&ADD_B, &["--at", &soon]));
    desk.ok(&["tools", "amigo", "--at", &next_week]);
    desk.ok(&["tools", "cryhod", "--issued", &in_an_hour]);
    desk.ok(&["call", "list", "--until", &in_an_hour]);
    assert_eq!(desk.count(), before + 2);
}
}

on_both_engines! {
fn references_are_read_strictly_everywhere(desk) {
    desk.add("Zoé", "mi", "noemi", &[]);
    for typed in ["A-0001", "a-0001", "A1", "a1", "A 1", "1", "0001"] {
        assert!(
            desk.ok(&["call", "show", typed]).contains("A-0001"),
            "{typed}"
        );
    }
    for typed in [
        "A--1",
        "A-",
        "A-1-2",
        "-1",
        "+1",
        "A-0 1",
        "A-1000000000000",
    ] {
        // `--` so that "-1" is read as the reference, not as an option.
        for args in [
            vec!["call", "show", "--", typed],
            vec!["call", "note", "--", typed, "rappel"],
            vec!["call", "close", "--outcome", "resolved", "--", typed],
            vec!["tools", "telemaintenance", "--code", "123456", "--", typed],
        ] {
            let (code, err) = desk.fails(&args);
            assert_eq!(code, 2, "{args:?}: {err}");
            assert!(err.contains(&format!("« {typed} »")), "{args:?}: {err}");
            assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        }
    }
    // The list's search reads references the same way: "A--1" is no reference.
    let refs = |caller: &str| -> Vec<String> {
        desk.json(&["call", "list", "--caller", caller, "--format", "json"])
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["reference"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(refs("a1"), ["A-0001"]);
    assert_eq!(refs("A-0001"), ["A-0001"]);
    assert!(refs("A--1").is_empty());
    assert!(refs("A-1-2").is_empty());
    let record = desk.json(&["call", "show", "A-0001", "--format", "json"]);
    assert_eq!(
        record["journal"].as_array().unwrap().len(),
        1,
        "nothing added"
    );
}
}

on_both_engines! {
fn absurd_filters_and_options_are_bad_input_in_one_short_sentence(desk) {
    for name in ["Zoé", "Bruno", "Anne"] {
        desk.add(name, "mi", "noemi", &[]);
    }
    let long_name = "é".repeat(10_000);
    let long_slug = "x".repeat(10_000);
    let garbage = "mi\n\u{1b}[2J\u{7}";
    for args in [
        vec!["call", "list", "--caller", &long_name],
        vec!["call", "list", "--caller", "Zoé\nBruno"],
        vec!["call", "list", "--service", &long_slug],
        vec!["call", "list", "--service", garbage],
        vec!["call", "list", "--device", &long_slug],
        vec!["call", "list", "--device", garbage],
        vec!["call", "list", "--operator", &long_slug],
        vec!["call", "list", "--operator", garbage],
        vec!["procedures", "search", "vpn", "--service", &long_slug],
        vec!["procedures", "search", "vpn", "--device", garbage],
        vec!["procedures", "list", "--service", garbage],
    ] {
        let (code, err) = desk.fails(&args);
        let shown: String = args
            .iter()
            .map(|a| a.chars().take(20).collect::<String>())
            .collect();
        assert_eq!(code, 2, "{shown}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "one sentence: {err}");
        assert!(
            err.len() < 400,
            "{shown}: a short sentence, not the value: {} bytes",
            err.len()
        );
        assert!(!err.contains('\u{1b}') && !err.contains('\u{7}'), "{err:?}");
        assert!(!err.contains("SQL") && !err.contains("sqlite"), "{err}");
    }
    // The option is named.
    let (_, err) = desk.fails(&["call", "list", "--caller", &long_name]);
    assert!(err.contains("--caller") && err.contains("10000"), "{err}");
    let (_, err) = desk.fails(&["call", "list", "--service", garbage]);
    assert!(err.contains("service inconnu « mi␊␛[2J␇ »"), "{err}");

    // --limit 0 means all, on every command that takes it.
    let listed = |limit: &str| {
        desk.json(&["call", "list", "--limit", limit, "--format", "json"])
            .as_array()
            .unwrap()
            .len()
    };
    assert_eq!(listed("1"), 1);
    assert_eq!(listed("0"), 3);
    let found = |limit: &str| {
        desk.json(&[
            "procedures",
            "search",
            "vpn",
            "--limit",
            limit,
            "--format",
            "json",
        ])
        .as_array()
        .unwrap()
        .len()
    };
    assert_eq!(found("1"), 1);
    assert!(found("0") > 1, "{}", found("0"));
    assert_eq!(found("0"), found("1000"));

    // An option that does nothing with the chosen format is refused, naming both.
    for (args, option, format) in [
        (vec!["report", "handover", "--bom"], "--bom", "md"),
        (
            vec!["report", "handover", "--bom", "--format", "md"],
            "--bom",
            "md",
        ),
        (
            vec!["report", "handover", "--bom", "--format", "json"],
            "--bom",
            "json",
        ),
        (
            vec!["report", "handover", "--separator", ";"],
            "--separator",
            "md",
        ),
        (
            vec!["report", "handover", "--separator", ";", "--format", "json"],
            "--separator",
            "json",
        ),
    ] {
        let (code, err) = desk.fails(&args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(
            err.contains(option) && err.contains(&format!("« {format} »")),
            "{args:?}: {err}"
        );
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    }
    let csv = desk.ok(&[
        "report",
        "handover",
        "--format",
        "csv",
        "--separator",
        ";",
        "--bom",
    ]);
    assert!(csv.starts_with('\u{feff}'), "{csv}");
    desk.ok(&["report", "handover", "--format", "md"]);
}
}

on_both_engines! {
fn a_handover_window_over_several_days_names_both_days(desk) {
    let title = |from: &str, to: &str| {
        let md = desk.ok(&[
            "report", "handover", "--from", from, "--to", to, "--format", "md",
        ]);
        let json = desk.json(&[
            "report", "handover", "--from", from, "--to", to, "--format", "json",
        ]);
        let first = md.lines().next().unwrap().to_string();
        assert_eq!(
            first,
            format!("# Relève — {}", json["shift_label"].as_str().unwrap())
        );
        first
    };
    assert_eq!(
        title("2026-11-23T08:00", "2026-11-25T08:00"),
        "# Relève — période du 23/11/2026 08:00 au 25/11/2026 08:00"
    );
    // A whole day is two days too: 08:00 → 08:00 would read as nothing.
    assert_eq!(
        title("23/11/2026 8h", "24/11/2026 8h"),
        "# Relève — période du 23/11/2026 08:00 au 24/11/2026 08:00"
    );
    // Within a day, and across one midnight for less than a day, one date is enough.
    assert_eq!(
        title("2026-11-23T08:00", "2026-11-23T16:00"),
        "# Relève — période du 23/11/2026 (08:00 → 16:00)"
    );
    assert_eq!(
        title("2026-11-23T22:00", "2026-11-24T06:00"),
        "# Relève — période du 23/11/2026 (22:00 → 06:00)"
    );
}
}

on_both_engines! {
/// Every JSON object DESIGN.md §5 names keeps its field names and their types.
fn json_fields_keep_the_names_and_types_of_the_contract(desk) {
    let at = ["--at", "2026-11-23T09:00"];
    desk.add("Zoé Martin", "mi", "noemi", &at);
    desk.add("Bruno", "acn-caen", "copier", &at);
    desk.ok(&["call", "close", "A-0002", "--outcome", "resolved"]);

    // procedures search: an array of objects with slug, title (strings) and score (a
    // number), best first.
    let hits = desk.json(&[
        "procedures",
        "search",
        "carte agent oubliée",
        "--service",
        "mi",
        "--format",
        "json",
    ]);
    let hits = hits.as_array().unwrap();
    assert!(!hits.is_empty());
    for h in hits {
        assert!(h["slug"].is_string() && h["title"].is_string(), "{h}");
        assert!(h["score"].is_number(), "{h}");
    }
    let scores: Vec<f64> = hits.iter().map(|h| h["score"].as_f64().unwrap()).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");

    // report handover: calls_total a count, open an array of calls, three objects of counts.
    let report = desk.json(&[
        "report",
        "handover",
        "--from",
        "2026-11-23T08:00",
        "--to",
        "2026-11-23T16:00",
        "--format",
        "json",
    ]);
    assert_eq!(report["calls_total"].as_u64(), Some(2));
    let open = report["open"].as_array().unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0]["reference"], "A-0001");
    assert!(open[0]["caller_name"].is_string() && open[0]["opened_at"].is_string());
    for key in ["by_service", "by_device", "by_outcome"] {
        let counts = report[key].as_object().unwrap();
        assert!(!counts.is_empty(), "{key}");
        assert!(counts.values().all(Value::is_u64), "{key}: {counts:?}");
    }
    assert_eq!(report["by_service"]["mi"], 1);
    assert_eq!(report["by_device"]["copier"], 1);
    assert_eq!(report["by_outcome"]["resolved"], 1);

    // tools printer decode: strings, copier_number null when there is none, perimeter
    // caen or rouen.
    for (name, copier, perimeter) in [
        ("I76RC-DSI04-B4", Value::from("04"), "rouen"),
        ("I14RC-DSI-RDC", Value::Null, "caen"),
    ] {
        let p = desk.json(&["tools", "printer", "decode", name, "--format", "json"]);
        for key in [
            "department_code",
            "department_name",
            "site_code",
            "site_name",
            "division",
            "location",
            "print_server",
        ] {
            assert!(p[key].is_string(), "{name} {key}: {p}");
        }
        assert_eq!(p["copier_number"], copier, "{name}");
        assert_eq!(p["perimeter"], perimeter, "{name}");
    }

    // tools amigo: open a bool, period the string scolaire or vacances, reason a string,
    // next_opening a time or null.
    for (at, period, open) in [
        ("2026-11-25T10:00", "scolaire", true),
        ("2026-11-25T13:00", "scolaire", false),
        ("2026-12-22T10:00", "vacances", true),
    ] {
        let a = desk.json(&["tools", "amigo", "--at", at, "--format", "json"]);
        assert_eq!(a["open"], open, "{at}: {a}");
        assert_eq!(a["period"], period, "{at}: {a}");
        assert!(a["reason"].is_string(), "{at}: {a}");
        assert!(
            a["next_opening"].is_string() || a["next_opening"].is_null(),
            "{at}: {a}"
        );
    }
    let holidays = desk.json(&[
        "tools",
        "amigo",
        "--at",
        "2026-12-22T10:00",
        "--format",
        "json",
    ]);
    assert_eq!(holidays["holiday"], "Noël");
    let school = desk.json(&[
        "tools",
        "amigo",
        "--at",
        "2026-11-25T10:00",
        "--format",
        "json",
    ]);
    assert_eq!(school["holiday"], Value::Null);
}
}

on_both_engines! {
fn a_handover_note_of_several_lines_is_quoted_line_by_line(desk) {
    desk.ok(&[
        "report",
        "note",
        "Imprimante B4 en panne\nRappeler Zoé\u{1b}[2J à 9 h",
    ]);
    let md = desk.ok(&["report", "handover", "--format", "md"]);
    assert!(
        md.contains("> Imprimante B4 en panne\n> Rappeler Zoé␛[2J à 9 h\n"),
        "{md}"
    );
}
}

// ---------------------------------------------------------------------------------------
// A desk on a PostgreSQL server: moving between engines, and what only a server has.

/// Every call of a desk as `call list` gives them in JSON, to compare two stores.
fn listing(desk: &Desk) -> Value {
    desk.json(&["call", "list", "--limit", "0", "--format", "json"])
}

/// The report of a window without what depends on the moment it is made.
fn report_of(desk: &Desk, window: &[&str]) -> Value {
    fn timeless(v: &mut Value) {
        match v {
            Value::Object(map) => {
                map.remove("generated_at");
                map.remove("age_secs");
                map.values_mut().for_each(timeless);
            }
            Value::Array(items) => items.iter_mut().for_each(timeless),
            _ => {}
        }
    }
    let mut args = vec!["report", "handover", "--format", "json"];
    args.extend_from_slice(window);
    let mut report = desk.json(&args);
    timeless(&mut report);
    report
}

/// The journal's checksum as `db copy` documents it (FNV-1a, 64 bits, over every column
/// of every entry in id order: NULL as 0, an integer as 1 and its 8 bytes little-endian,
/// text as 2, its length in 8 bytes and its bytes), read from an SQLite file by this
/// test itself.
fn journal_checksum(db: &Path) -> String {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut sum: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for b in bytes {
            sum ^= u64::from(*b);
            sum = sum.wrapping_mul(0x0100_0000_01b3);
        }
    };
    let mut stmt = conn
        .prepare(
            "SELECT id, call_id, at, operator, kind, body, walk, session_role FROM journal \
             ORDER BY id",
        )
        .unwrap();
    let mut rows = stmt.query([]).unwrap();
    while let Some(row) = rows.next().unwrap() {
        for i in 0..8 {
            match row.get_ref(i).unwrap() {
                rusqlite::types::ValueRef::Null => eat(&[0]),
                rusqlite::types::ValueRef::Integer(n) => {
                    eat(&[1]);
                    eat(&n.to_le_bytes());
                }
                rusqlite::types::ValueRef::Text(t) => {
                    eat(&[2]);
                    eat(&(t.len() as u64).to_le_bytes());
                    eat(t);
                }
                other => panic!("journal column {i}: {other:?}"),
            }
        }
    }
    drop(rows);
    format!("{sum:016x}")
}

/// A desk with some history: calls open and closed, notes, a procedure, an outcome
/// corrected, a walk's journal line, a handover note and its acknowledgement.
fn desk_with_history() -> Desk {
    let desk = Desk::new();
    desk.add(
        "Zoé Martin",
        "mi",
        "noemi",
        &[
            "--at",
            "2026-11-23T09:41",
            "--operator",
            "dupontje",
            "--phone",
            "06 12 34 56 78",
            "--notes",
            "appelle de Beauvau\ttab",
            "--procedure",
            "mi-agent-card-cryhod",
        ],
    );
    desk.add(
        "Anne Çelik",
        "acn-caen",
        "copier",
        &["--at", "2026-11-23T10:05", "--operator", "martinpa"],
    );
    desk.add("Bruno", "mi", "span", &["--at", "2026-11-23T10:30"]);
    desk.ok(&["call", "note", "A-0002", "rappel prévu\nà 11 h"]);
    desk.ok(&["call", "close", "A-0002", "--outcome", "resolved"]);
    desk.ok(&["call", "close", "A-0003", "--outcome", "callback"]);
    desk.ok(&["call", "outcome", "A-0003", "--outcome", "escalated"]);
    desk.ok(&["tools", "telemaintenance", "A-0001", "--code", "482 913"]);
    desk.ok(&["report", "note", "RAS", "--at", "2026-11-23T11:00"]);
    desk.ok(&["report", "ack"]);
    desk.ok(&[
        "phone",
        "event",
        "--event",
        "newCall",
        "--from",
        "0612345678",
        "--to",
        "3001",
        "--call-id",
        "ipbx-1",
        "--at",
        "2026-11-23T11:05",
    ]);
    // A push to GLPI waiting in the outbox (GLPI was not reached): it moves with the desk.
    desk.store()
        .glpi_queue(
            guichet::domain::call::CallRef(3),
            "dupontje",
            chrono::Utc::now(),
        )
        .unwrap()
        .expect("the escalated call is queued");
    desk
}

#[test]
fn db_copy_moves_a_desk_to_the_server_and_back_whole() {
    let desk = desk_with_history();
    let server = Desk::postgres();
    let window = ["--from", "2026-11-23T08:00", "--to", "2026-11-23T16:00"];
    let checksum = journal_checksum(&desk.db());
    let journal = desk.sql_i64("SELECT count(*) FROM journal", &[]);
    assert!(journal >= 9, "{journal}");

    // SQLite → PostgreSQL: the counts and the journal's checksum, said once, equal.
    let said = desk.ok(&["db", "copy", "--to", &server.url()]);
    assert_eq!(
        said,
        format!(
            "{} → {} : 3 appels, {journal} entrées de journal, 2 entrées de relève, 1 \
             événement téléphonique, 1 envoi GLPI copiés ; somme du journal {checksum} \
             identique des deux côtés\n",
            desk.shown(),
            server.shown()
        )
    );
    assert!(
        !said.contains("devpass") && !said.contains(&server.url()),
        "{said}"
    );
    assert_eq!(server.sql_i64("SELECT count(*) FROM journal", &[]), journal);
    // The server's store reads as the file's, to the last field.
    assert_eq!(listing(&server), listing(&desk));
    for reference in ["A-0001", "A-0002", "A-0003"] {
        assert_eq!(
            server.json(&["call", "show", reference, "--format", "json"]),
            desk.json(&["call", "show", reference, "--format", "json"]),
            "{reference}"
        );
    }
    assert_eq!(report_of(&server, &window), report_of(&desk, &window));
    for search in ["celik", "a3", "0612", "Zoé"] {
        let found = |d: &Desk| d.json(&["call", "list", "--caller", search, "--format", "json"]);
        assert_eq!(found(&server), found(&desk), "{search}");
    }
    assert!(server.ok(&["db", "check"]).contains("aucun problème"));
    // The desk's mark in GLPI moves with it: its tickets stay its own.
    let mark = desk.store().glpi_desk_marker().unwrap();
    assert_eq!(server.store().glpi_desk_marker().unwrap(), mark);
    // New calls take the references after the copied ones.
    assert_eq!(server.add("Nouveau", "mi", "noemi", &[]), "A-0004");

    // PostgreSQL → a new SQLite file, in JSON: the same counts, the same checksum.
    let back = Desk::new();
    let report = back.json(&["db", "copy", "--from", &server.url(), "--format", "json"]);
    assert_eq!(report["from"], server.shown());
    assert_eq!(report["to"], back.shown());
    assert_eq!(report["calls"], 4);
    assert_eq!(report["journal"], journal + 1);
    assert_eq!(report["handover"], 2);
    assert_eq!(report["phone_events"], 1);
    assert_eq!(report["glpi_outbox"], 1);
    assert_eq!(report["journal_checksum"], journal_checksum(&back.db()));
    assert_eq!(back.store().glpi_desk_marker().unwrap(), mark);
    assert_eq!(
        back.store().glpi_waiting(None).unwrap().len(),
        1,
        "the waiting push is still waiting on the new store"
    );
    assert_eq!(listing(&back), listing(&server));
    assert_eq!(report_of(&back, &window), report_of(&server, &window));
    assert!(back.ok(&["db", "check"]).contains("aucun problème"));
    assert_eq!(back.add("Encore", "mi", "noemi", &[]), "A-0005");
}

#[test]
fn db_copy_fills_only_an_empty_store_and_names_the_table_that_is_not() {
    let desk = desk_with_history();
    // The server already has a call: nothing is copied, the table is named.
    let server = Desk::postgres();
    server.add("Déjà là", "mi", "noemi", &[]);
    let before = listing(&server);
    let (code, err) = desk.fails(&["db", "copy", "--to", &server.url()]);
    assert_eq!(code, 1);
    assert_eq!(
        err,
        format!(
            "guichet : la base {} n'est pas vide (table calls) : la copie ne remplit qu'une \
             base neuve ; rien n'a été copié\n",
            server.shown()
        )
    );
    assert_eq!(listing(&server), before);
    // Only a handover note: that table is named.
    let noted = Desk::postgres();
    noted.ok(&["report", "note", "RAS"]);
    let (code, err) = desk.fails(&["db", "copy", "--to", &noted.url()]);
    assert_eq!(code, 1);
    assert!(err.contains("(table handover_entries)"), "{err}");
    assert_eq!(noted.count(), 0);
    assert_eq!(noted.sql_i64("SELECT count(*) FROM journal", &[]), 0);
    // Back into a file that has calls: refused the same way, naming the file.
    let (code, err) = desk.fails(&["db", "copy", "--from", &server.url()]);
    assert_eq!(code, 1);
    assert!(
        err.contains(&format!(
            "la base {} n'est pas vide (table calls)",
            desk.shown()
        )),
        "{err}"
    );
    assert_eq!(desk.count(), 3);
    // One way or the other, not both, not neither.
    let (code, _) = desk.fails(&["db", "copy"]);
    assert_eq!(code, 2);
}

/// The procedure index as a store reads it, and whether its catalogue would rebuild it:
/// `ensure_catalog` is what a console's loader and `procedures search` ask first.
fn index_of(desk: &Desk) -> (String, bool) {
    let reference = guichet::catalog::embedded_reference();
    let source = guichet::catalog::procedures::CatalogSource::embedded(&reference);
    let mut store = desk.store();
    let index = format!("{:?}", store.load_search_index().unwrap());
    let rebuilt = store.ensure_catalog(&source).unwrap().is_some();
    (index, rebuilt)
}

#[test]
fn db_copy_carries_the_procedure_index_both_ways_so_nothing_rebuilds_it() {
    let desk = desk_with_history();
    // The file's index, built as a command builds it (from the embedded catalogue).
    let searched = |d: &Desk| d.json(&["procedures", "search", "vpn", "--format", "json"]);
    let found = searched(&desk);
    assert!(!found.as_array().unwrap().is_empty(), "{found}");
    let procedures = desk.sql_i64("SELECT count(*) FROM procedures", &[]);
    let words = desk.sql_i64("SELECT count(*) FROM procedure_terms", &[]);
    assert!(procedures >= 40 && words > 500, "{procedures} {words}");
    let (index, rebuilt) = index_of(&desk);
    assert!(!rebuilt, "the file's own index is in line");

    // SQLite → PostgreSQL: the index comes with the calls, said and counted.
    let server = Desk::postgres();
    let report = desk.json(&["db", "copy", "--to", &server.url(), "--format", "json"]);
    let (copied, rebuilt) = index_of(&server);
    assert!(!rebuilt, "the server's index was rebuilt after the copy");
    assert!(
        copied == index,
        "the server's index differs from the file's"
    );
    assert_eq!(report["procedures"], procedures);
    assert_eq!(
        server.sql_i64("SELECT count(*) FROM procedure_terms", &[]),
        words
    );
    // A command on the server searches it as it is: no write to the index.
    let state = || server.sql_i64("SELECT xmin::text::bigint FROM catalog_state", &[]);
    let before = state();
    assert_eq!(searched(&server), found);
    assert_eq!(state(), before, "catalog_state written again by a search");
    assert_eq!(
        server.sql_i64("SELECT count(*) FROM procedure_terms", &[]),
        words
    );
    // Said in the sentence too.
    let said = desk.ok(&["db", "copy", "--to", &Desk::postgres().url()]);
    assert!(
        said.contains(&format!(
            " copiés, avec l'index de {procedures} procédures ;"
        )),
        "{said}"
    );

    // PostgreSQL → a new file: the same index, nothing to rebuild there either.
    let back = Desk::new();
    let report = back.json(&["db", "copy", "--from", &server.url(), "--format", "json"]);
    assert_eq!(report["procedures"], procedures);
    let (returned, rebuilt) = index_of(&back);
    assert!(!rebuilt, "the file's index was rebuilt after the copy back");
    assert!(
        returned == index,
        "the file's index differs from the server's"
    );
    assert_eq!(searched(&back), found);
}

#[test]
fn db_copy_of_a_store_without_index_leaves_the_target_to_build_its_own() {
    // No command built the file's index: nothing to carry, the copy says none.
    let desk = Desk::new();
    desk.add("Zoé Martin", "mi", "noemi", &[]);
    assert_eq!(desk.sql_i64("SELECT count(*) FROM catalog_state", &[]), 0);
    let server = Desk::postgres();
    let report = desk.json(&["db", "copy", "--to", &server.url(), "--format", "json"]);
    assert_eq!(report["procedures"], 0);
    assert_eq!(server.sql_i64("SELECT count(*) FROM procedures", &[]), 0);
    // The server's first command builds it from the catalogue, as before.
    let (_, rebuilt) = index_of(&server);
    assert!(rebuilt);
    assert!(
        !desk
            .ok(&["db", "copy", "--to", &Desk::postgres().url()])
            .contains("index"),
        "a copy without index does not speak of one"
    );
}

/// `postgresql://user:<password>@host:port/db` for the test server, another password.
fn with_password(desk: &Desk, password: &str) -> String {
    let shown = desk.shown();
    let (scheme_user, rest) = shown.split_once('@').unwrap();
    format!("{scheme_user}:{password}@{rest}")
}

#[test]
fn a_password_in_db_never_appears_in_a_message() {
    const SECRET: &str = "Zq9-pas-ce-mot-de-passe";
    let server = Desk::postgres();
    let file = Desk::new();
    file.add("Zoé", "mi", "noemi", &[]);
    let wrong = with_password(&server, SECRET);
    let dbname = server.server().target().dbname().to_string();
    let cases: Vec<(Vec<String>, &str)> = vec![
        // The server refuses the password.
        (
            vec!["--db".into(), wrong.clone(), "call".into(), "list".into()],
            "identification refusée",
        ),
        (
            vec![
                "--db".into(),
                format!(
                    "postgresql://{}/{dbname}?password={SECRET}",
                    server
                        .shown()
                        .split_once("://")
                        .unwrap()
                        .1
                        .split_once('/')
                        .unwrap()
                        .0
                ),
                "db".into(),
                "check".into(),
            ],
            "identification refusée",
        ),
        // Nobody listens on that port.
        (
            vec![
                "--db".into(),
                format!("postgresql://guichet:{SECRET}@127.0.0.1:1/guichet"),
                "call".into(),
                "list".into(),
            ],
            "injoignable",
        ),
        // The address cannot be read.
        (
            vec![
                "--db".into(),
                format!("postgresql://guichet:{SECRET}@localhost:pasunport/guichet"),
                "call".into(),
                "list".into(),
            ],
            "illisible",
        ),
        // The other side of a copy.
        (
            vec!["db".into(), "copy".into(), "--to".into(), wrong.clone()],
            "identification refusée",
        ),
        (
            vec!["db".into(), "copy".into(), "--from".into(), wrong.clone()],
            "identification refusée",
        ),
    ];
    for (args, needle) in &cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, err) = file.fails(&args);
        assert_eq!(code, 1, "{err}");
        assert!(!err.contains(SECRET), "the password is shown: {err}");
        assert!(err.contains(needle), "{err}");
        assert_eq!(err.trim_end().lines().count(), 1, "one sentence: {err}");
    }
    // From GUICHET_DB, with a command that writes.
    let out = file
        .cmd()
        .env("GUICHET_DB", &wrong)
        .args(ADD_B)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        !err.contains(SECRET) && err.contains("identification refusée"),
        "{err}"
    );
    // Nothing reached the server, nothing left the file.
    assert_eq!(
        server.sql_i64(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'",
            &[]
        ),
        0
    );
    assert_eq!(file.count(), 1);
}

#[test]
fn a_connection_string_in_db_wins_over_guichet_db() {
    let file = Desk::new();
    let server = Desk::postgres();
    file.ok(&[&["--db", server.url().as_str()][..], &ADD_B].concat());
    assert!(!file.db().exists(), "GUICHET_DB's file is not created");
    assert_eq!(server.sql_i64("SELECT count(*) FROM calls", &[]), 1);
    // A command saves its call and exits: it never opens the local drafts file a
    // console keeps for a server (every command would pay for it; the console's, in the
    // state folder, is checked in e2e_postgres).
    let drafts = std::fs::read_dir(file.state_dir().join("guichet"))
        .map(|dir| {
            dir.filter_map(Result::ok)
                .filter(|e| e.file_name().to_string_lossy().starts_with("brouillons-"))
                .count()
        })
        .unwrap_or(0);
    assert_eq!(drafts, 0, "no drafts file made by a command");
    // postgres:// is a connection string too.
    let short = server.url().replacen("postgresql://", "postgres://", 1);
    let listed = file.json(&["--db", &short, "call", "list", "--format", "json"]);
    assert_eq!(listed[0]["caller_name"], "B");
}

#[test]
fn db_check_on_the_server_passes_and_names_what_is_wrong() {
    let desk = Desk::postgres();
    desk.add("Zoé", "mi", "noemi", &[]);
    assert_eq!(
        desk.ok(&["db", "check"]),
        format!("{} : intégrité vérifiée, aucun problème\n", desk.shown())
    );
    let problems = |expected: &str| {
        let (code, err) = desk.fails(&["db", "check"]);
        assert_eq!(code, 1);
        assert_eq!(
            err,
            format!(
                "guichet : {} : 1 problème(s) d'intégrité : {expected}\n",
                desk.shown()
            )
        );
    };
    // An administrator switched off the guard that keeps the journal append-only.
    let mut admin = desk.admin();
    admin
        .batch_execute("ALTER TABLE journal DISABLE TRIGGER journal_no_update")
        .unwrap();
    problems("déclencheur journal_no_update désactivé");
    admin
        .batch_execute("ALTER TABLE journal ENABLE TRIGGER journal_no_update")
        .unwrap();
    assert!(desk.ok(&["db", "check"]).contains("aucun problème"));
    // A sequence set back (a restore by hand): the next call would be refused.
    admin
        .batch_execute("SELECT setval('calls_id_seq', 1, false)")
        .unwrap();
    problems(
        "la séquence des identifiants de calls est en retard sur 1 : les prochains \
         enregistrements seraient refusés",
    );
}

#[test]
fn db_backup_on_the_server_says_how_pg_dump_does_it() {
    let desk = Desk::postgres();
    desk.add("Zoé", "mi", "noemi", &[]);
    let dump = desk.path().join("copie.dump");
    let sentence = format!(
        "guichet : la base {} est sur un serveur PostgreSQL, qui se sauvegarde avec son propre \
         outil : pg_dump --format=custom --file=guichet.dump {} (et pg_restore pour la \
         remettre)\n",
        desk.shown(),
        desk.server().target().dbname()
    );
    for args in [
        &["db", "backup", dump.to_str().unwrap()][..],
        &["db", "backup", "--force", dump.to_str().unwrap()],
    ] {
        assert_eq!(desk.fails(args), (1, sentence.clone()));
    }
    assert!(!dump.exists());
    assert_eq!(desk.count(), 1);
}

#[test]
fn a_server_database_that_is_not_guichets_is_refused_untouched() {
    let desk = Desk::postgres();
    desk.admin()
        .batch_execute(
            "CREATE TABLE inventaire (poste TEXT PRIMARY KEY);
             INSERT INTO inventaire VALUES ('pc-42')",
        )
        .unwrap();
    let before = what_the_database_holds(&desk);
    assert_eq!(before, ["inventaire: 1", "extension plpgsql"]);
    let sentence = format!(
        "guichet : la base {} contient déjà des tables qui ne sont pas celles de guichet : rien \
         n'a été modifié ; donner une base vide, créée pour guichet (--db ou GUICHET_DB)\n",
        desk.shown()
    );
    for args in [
        &["call", "list"][..],
        &ADD_B,
        &["db", "check"],
        &["report", "handover"],
        &["--read-only", "call", "list"],
    ] {
        assert_eq!(desk.fails(args), (1, sentence.clone()), "{args:?}");
    }
    // Nor is it a copy's target.
    let file = desk_with_history();
    let (code, err) = file.fails(&["db", "copy", "--to", &desk.url()]);
    assert_eq!((code, err), (1, sentence));
    assert_eq!(what_the_database_holds(&desk), before);
}

/// The Paris wall clock `offset` from now, as `chrono` reads it.
fn paris_now_plus(offset: chrono::Duration) -> chrono::DateTime<chrono_tz::Tz> {
    (chrono::Utc::now() + offset).with_timezone(&chrono_tz::Europe::Paris)
}

on_both_engines! {
fn a_time_typed_without_a_day_is_the_last_one_gone_by(desk) {
    use chrono::{TimeZone, Timelike};
    // « 23h » typed at 05:54: the call of last night. Here, a time three hours ahead of the
    // clock, whatever the hour the test runs: the same time yesterday (or today, when three
    // hours ahead is already tomorrow).
    let ahead = paris_now_plus(chrono::Duration::hours(3));
    let typed = ahead.format("%Hh%M").to_string();
    let now = paris_now_plus(chrono::Duration::zero());
    let mut day = now.date_naive();
    if ahead.date_naive() == day {
        day = day.pred_opt().unwrap();
    }
    let expected = chrono_tz::Europe::Paris
        .from_local_datetime(&day.and_hms_opt(ahead.hour(), ahead.minute(), 0).unwrap())
        .earliest()
        .unwrap()
        .with_timezone(&chrono::Utc)
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let call = desk.json(&with(&ADD_B, &["--at", &typed, "--format", "json"]));
    assert_eq!(call["opened_at"], expected.as_str(), "{typed}");
    desk.ok(&["call", "close", "A-0001", "--outcome", "resolved"]);
    let csv = desk.ok(&["call", "list", "--format", "csv"]);
    let mut rows = csv::ReaderBuilder::new().from_reader(csv.as_bytes());
    let headers = rows.headers().unwrap().clone();
    let row = rows.records().next().unwrap().unwrap();
    let secs: i64 = row[headers.iter().position(|h| h == "handling_secs").unwrap()]
        .parse()
        .unwrap();
    // About 21 hours: never negative.
    assert!((20 * 3600..=22 * 3600).contains(&secs), "{secs}");
    let shown = &row[headers.iter().position(|h| h == "handling").unwrap()];
    assert!(!shown.starts_with('-'), "{shown}");
}
}

on_both_engines! {
fn an_opening_in_the_future_is_refused(desk) {
    desk.add("Témoin", "mi", "noemi", &[]);
    let before = desk.count();
    let in_ten_minutes = paris_now_plus(chrono::Duration::minutes(10));
    let in_two_minutes = paris_now_plus(chrono::Duration::minutes(2));
    for typed in [
        in_ten_minutes.format("%d/%m/%Y %Hh%M").to_string(),
        in_two_minutes.format("%Y-%m-%dT%H:%M").to_string(),
        (chrono::Utc::now() + chrono::Duration::minutes(3)).to_rfc3339(),
    ] {
        let (code, err) = desk.fails(&with(&ADD_B, &["--at", &typed]));
        assert_eq!(code, 2, "{typed}: {err}");
        assert!(err.contains(&format!("« {typed} »")), "{typed}: {err}");
        assert!(err.contains("dans le futur"), "{typed}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "one sentence: {err}");
    }
    assert_eq!(desk.count(), before, "nothing stored");
    // The minute under way is now: « 14h05 » typed at 14:05:40 is a call that began.
    let this_minute = paris_now_plus(chrono::Duration::zero()).format("%Y-%m-%dT%H:%M");
    desk.ok(&with(&ADD_B, &["--at", &this_minute.to_string()]));
}
}

on_both_engines! {
fn texts_that_begin_with_a_dash_are_taken_as_texts(desk) {
    let call = desk.json(&[
        "call", "add", "--service", "mi", "--device", "noemi", "--caller", "-Zoé-",
        "--summary", "-> rappeler", "--notes", "-2+3", "--format", "json",
    ]);
    assert_eq!(call["caller_name"], "-Zoé-");
    assert_eq!(call["summary"], "-> rappeler");
    desk.ok(&["call", "note", "A-0001", "-- à suivre"]);
    desk.ok(&["call", "note", "A-0001", "-1 poste"]);
    desk.ok(&[
        "call", "close", "A-0001", "--outcome", "callback", "--note", "-> rappeler demain",
    ]);
    desk.ok(&[
        "call", "outcome", "A-0001", "--outcome", "resolved", "--note", "-- réglé",
    ]);
    let shown = desk.json(&["call", "show", "A-0001", "--format", "json"]);
    let texts: Vec<&str> = shown["journal"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["text"].as_str().unwrap())
        .collect();
    for said in ["-2+3", "-- à suivre", "-1 poste", "-> rappeler demain", "-- réglé"] {
        assert!(texts.contains(&said), "{said}: {texts:?}");
    }
    let listed = desk.json(&["call", "list", "--caller", "-Zoé", "--format", "json"]);
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    desk.ok(&["report", "note", "-> relève calme"]);

    // A value left out is not filled with the next option: refused, nothing written.
    let before = desk.count();
    for args in [
        vec!["call", "add", "--service", "mi", "--device", "noemi", "--caller", "B",
             "--summary", "--notes", "x"],
        vec!["call", "add", "--service", "mi", "--device", "noemi", "--summary", "x",
             "--caller", "--notes", "y"],
        vec!["call", "add", "--service", "mi", "--device", "noemi", "--caller", "B",
             "--summary", "x", "--notes", "--operator", "dupontje"],
        vec!["call", "close", "A-0001", "--note", "--outcome", "resolved"],
        vec!["call", "list", "--caller", "--open"],
        vec!["call", "note", "A-0001", "--operator"],
    ] {
        let (code, err) = desk.fails(&args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(
            err.contains("est une option, pas un texte")
                || err.contains("option inconnue")
                || err.contains("argument en trop")
                || err.contains("attend une valeur"),
            "{args:?}: {err}"
        );
    }
    assert_eq!(desk.count(), before, "nothing stored");
    let after = desk.json(&["call", "show", "A-0001", "--format", "json"]);
    assert_eq!(after["journal"], shown["journal"], "no note added");
}
}
