//! The exports as LibreOffice Calc reads them, in a French locale: the xlsx of `call list`
//! and `report handover`, and the CSV with Calc's import settings. Calc (`soffice
//! --headless`, from `libreoffice-calc-nogui`) converts each file into a flat OpenDocument
//! spreadsheet (`fods`), whose cells say the type Calc gave them: `date`, `time`, `float`,
//! `string`. Calc runs with a profile of its own in a temporary folder, set to fr-FR; the
//! machine's profile and locales are not touched. Without soffice these tests fail.

use crate::common::{desk, pty};

use desk::{Desk, Engine};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Calc's start and one conversion take a few seconds; past this, it is stuck.
const CALC_DEADLINE: Duration = Duration::from_secs(120);

/// One cell as Calc read it: its type (`string`, `float`, `date`, `time`, `` for empty),
/// its value (`2026-12-01T14:05:00`, `PT00H00M41S`, `612345678`) and its shown text.
#[derive(Debug, Clone, PartialEq)]
struct Read {
    kind: String,
    value: String,
    text: String,
}

/// The first sheet of a converted file: rows of cells, and the columns' widths in cm.
struct Calc {
    rows: Vec<Vec<Read>>,
    widths: Vec<f64>,
}

impl Calc {
    fn column(&self, header: &str) -> usize {
        self.rows[0]
            .iter()
            .position(|c| c.text == header)
            .unwrap_or_else(|| panic!("no column {header:?} in {:?}", self.rows[0]))
    }

    /// The cell of `header` on the row whose first cell shows `reference`.
    fn cell(&self, reference: &str, header: &str) -> &Read {
        let col = self.column(header);
        let row = self
            .rows
            .iter()
            .find(|r| r.first().is_some_and(|c| c.text == reference))
            .unwrap_or_else(|| panic!("no row {reference}"));
        &row[col]
    }

    /// `kind` and `value` of the cell (the value for a string is its text).
    fn typed(&self, reference: &str, header: &str) -> (String, String) {
        let c = self.cell(reference, header);
        let value = if c.kind == "string" {
            c.text.clone()
        } else {
            c.value.clone()
        };
        (c.kind.clone(), value)
    }
}

/// The user profile that makes Calc French: its locale, hence its date order (day first),
/// its decimal comma and its parsing of what a CSV holds.
const FRENCH_PROFILE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooSetupSystemLocale" oor:op="fuse"><value>fr-FR</value></prop></item>
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooLocale" oor:op="fuse"><value>fr-FR</value></prop></item>
</oor:items>
"#;

/// Converts `file` with Calc (one process, bounded in time) and reads the result.
/// `infilter`: the CSV import's options, none for the defaults.
fn calc_reads(file: &Path, infilter: Option<&str>) -> Calc {
    let work = tempfile::tempdir().unwrap();
    let profile = work.path().join("profile");
    std::fs::create_dir_all(profile.join("user")).unwrap();
    std::fs::write(
        profile.join("user/registrymodifications.xcu"),
        FRENCH_PROFILE,
    )
    .unwrap();
    let out = work.path().join("out");
    let mut cmd = Command::new("soffice");
    cmd.arg(format!(
        "-env:UserInstallation=file://{}",
        profile.display()
    ))
    .args(["--headless", "--norestore", "--nolockcheck"]);
    if let Some(filter) = infilter {
        cmd.arg(format!("--infilter={filter}"));
    }
    cmd.args(["--convert-to", "fods", "--outdir"])
        .arg(&out)
        .arg(file)
        .env("HOME", work.path())
        // The profile makes Calc French; its own locale data need no system locale.
        .env("LC_ALL", "C.UTF-8")
        .env_remove("DISPLAY")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap_or_else(|e| {
        panic!(
            "soffice introuvable ({e}) : ces tests ont besoin de LibreOffice Calc \
             (apt-get install libreoffice-calc-nogui)"
        )
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > CALC_DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "soffice still converting {} after {CALC_DEADLINE:?}",
                file.display()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let output = child.wait_with_output().unwrap();
    let stem = file.file_stem().unwrap().to_string_lossy().into_owned();
    let converted = out.join(format!("{stem}.fods"));
    let xml = std::fs::read_to_string(&converted).unwrap_or_else(|e| {
        panic!(
            "soffice ({status}) wrote no {}: {e}\n{}\n{}",
            converted.display(),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    Calc {
        rows: parse_fods(&xml),
        widths: column_widths(&xml),
    }
}

/// The width of each column of the first table, in cm, from its column styles.
fn column_widths(xml: &str) -> Vec<f64> {
    let width_of = |style: &str| -> f64 {
        let at = xml
            .find(&format!(
                "style:name=\"{style}\" style:family=\"table-column\""
            ))
            .unwrap_or_else(|| panic!("no column style {style}"));
        let props = &xml[at..];
        attribute(props, "style:column-width")
            .and_then(|w| w.trim_end_matches("cm").parse().ok())
            .unwrap_or_else(|| panic!("no width for {style}"))
    };
    let table = &xml[xml.find("<table:table ").expect("a table")..];
    let mut widths = Vec::new();
    for column in table.split("<table:table-column ").skip(1) {
        let tag = &column[..column.find('>').unwrap()];
        let tag = format!(" {tag}");
        let Some(style) = attribute(&tag, "table:style-name") else {
            continue;
        };
        let repeat: usize = attribute(&tag, "table:number-columns-repeated")
            .and_then(|n| n.parse().ok())
            .unwrap_or(1);
        let w = width_of(&style);
        widths.extend(std::iter::repeat_n(w, repeat.min(64)));
    }
    widths
}

/// The xlsx's sheet as its own XML.
fn sheet_xml(file: &Path) -> String {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(file).unwrap()).unwrap();
    let mut entry = archive.by_name("xl/worksheets/sheet1.xml").unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut entry, &mut xml).unwrap();
    xml
}

/// The value of `name="…"` in a tag's attributes.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    let end = start + tag[start..].find('"')?;
    Some(unescape(&tag[start..end]))
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// The rows of the first table of a flat ODS: each cell's type, value and text (its
/// paragraphs joined by line breaks), repeated cells repeated.
fn parse_fods(xml: &str) -> Vec<Vec<Read>> {
    let table = &xml[xml.find("<table:table ").expect("a table")..];
    let table = &table[..table.find("</table:table>").expect("a table's end")];
    let mut rows = Vec::new();
    for row in table.split("<table:table-row").skip(1) {
        let mut cells = Vec::new();
        let mut rest = row;
        while let Some(at) = rest.find("<table:table-cell") {
            rest = &rest[at..];
            let tag_end = rest.find('>').unwrap();
            let tag = &rest[..tag_end];
            let (content, next) = if tag.ends_with('/') {
                ("", &rest[tag_end + 1..])
            } else {
                let close = rest.find("</table:table-cell>").unwrap();
                (&rest[tag_end + 1..close], &rest[close..])
            };
            rest = &next[1..];
            let paragraphs: Vec<String> = content
                .split("<text:p")
                .skip(1)
                .map(|p| {
                    let body = &p[p.find('>').unwrap() + 1..];
                    let body = &body[..body.find("</text:p>").unwrap_or(body.len())];
                    // Inner tags (spans, <text:s/> for spaces) out.
                    let mut text = String::new();
                    let mut in_tag = false;
                    let mut tag = String::new();
                    for ch in body.chars() {
                        match ch {
                            '<' => {
                                in_tag = true;
                                tag.clear();
                            }
                            '>' => {
                                in_tag = false;
                                if tag.starts_with("text:s") {
                                    let n = attribute(&format!(" {tag}"), "text:c")
                                        .and_then(|n| n.parse().ok())
                                        .unwrap_or(1);
                                    text.push_str(&" ".repeat(n));
                                }
                            }
                            c if in_tag => tag.push(c),
                            c => text.push(c),
                        }
                    }
                    unescape(&text)
                })
                .collect();
            let read = Read {
                kind: attribute(tag, "office:value-type").unwrap_or_default(),
                value: attribute(tag, "office:date-value")
                    .or_else(|| attribute(tag, "office:time-value"))
                    .or_else(|| attribute(tag, "office:value"))
                    .unwrap_or_default(),
                text: paragraphs.join("\n"),
            };
            let repeat: usize = attribute(tag, "table:number-columns-repeated")
                .and_then(|n| n.parse().ok())
                .unwrap_or(1);
            // A row's trailing empty cells repeat to the sheet's edge.
            for _ in 0..repeat.min(64) {
                cells.push(read.clone());
            }
        }
        if cells.iter().any(|c| !c.text.is_empty()) {
            rows.push(cells);
        }
    }
    rows
}

/// A desk with the calls the issue quotes: a caller named `0612345678`, a summary that
/// looks like a date, notes-like numbers, a number from La Réunion; the first lasted
/// 9 min 5 s.
fn desk_with_calls(engine: Engine) -> Desk {
    let desk = Desk::on(engine).with_user("dupontje");
    let add = |extra: &[&str]| {
        let mut args = vec!["call", "add", "--service", "mi", "--device", "noemi"];
        args.extend_from_slice(extra);
        desk.ok(&args).trim().to_string()
    };
    let a1 = add(&[
        "--caller",
        "0612345678",
        "--phone",
        "0612345678",
        "--summary",
        "12/01/2026",
        "--at",
        "2026-12-06T14:05",
    ]);
    assert_eq!(a1, "A-0001");
    add(&[
        "--caller",
        "1,5",
        "--phone",
        "+262 692 12 34 56",
        "--summary",
        "=1+1",
        "--at",
        "2026-12-06T14:30",
    ]);
    desk.ok(&["call", "close", "A-0001", "--outcome", "resolved"]);
    // The first call lasted 9 min 5 s: its closing is set where a real one would be.
    desk.with_record_guards_lifted(|desk| {
        desk.sql(
            "UPDATE calls SET closed_at = opened_at + 545 WHERE id = 1",
            &[],
        );
    });
    desk
}

fn s(kind: &str, value: &str) -> (String, String) {
    (kind.to_string(), value.to_string())
}

/// What Calc must read in the calls' xlsx: dates, durations and numbers typed, text as
/// text whatever it looks like, the French headers, columns as wide as their contents;
/// and the header row frozen.
fn check_xlsx(file: &Path) {
    let xml = sheet_xml(file);
    assert!(
        xml.contains(
            r#"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#
        ),
        "header row frozen: {xml}"
    );
    let calc = &calc_reads(file, None);
    let reference = calc.widths[calc.column("Référence")];
    let summary = calc.widths[calc.column("Objet")];
    assert!(
        reference > 2.0 && summary > 3.0 * reference,
        "widths: {:?}",
        calc.widths
    );
    let header: Vec<&str> = calc.rows[0].iter().map(|c| c.text.as_str()).collect();
    assert_eq!(
        &header[..22],
        [
            "Référence",
            "Ouverture (UTC)",
            "Ouverture",
            "Clôture (UTC)",
            "État (code)",
            "Issue (code)",
            "Opérateur",
            "Appelant",
            "Téléphone",
            "Courriel",
            "Service (code)",
            "Poste (code)",
            "Objet",
            "Durée (min)",
            "Clôture",
            "État",
            "Issue",
            "Traité par",
            "Service",
            "Poste",
            "Durée (s)",
            "Durée",
        ]
    );
    assert_eq!(calc.typed("A-0001", "Appelant"), s("string", "0612345678"));
    assert_eq!(calc.typed("A-0001", "Objet"), s("string", "12/01/2026"));
    assert_eq!(
        calc.typed("A-0001", "Téléphone"),
        s("string", "06 12 34 56 78")
    );
    assert_eq!(
        calc.typed("A-0001", "Ouverture"),
        s("date", "2026-12-06T14:05:00")
    );
    assert_eq!(
        calc.typed("A-0001", "Clôture"),
        s("date", "2026-12-06T14:14:05")
    );
    assert_eq!(calc.typed("A-0001", "Durée"), s("time", "PT00H09M05S"));
    assert_eq!(calc.cell("A-0001", "Durée").text, "0:09:05");
    assert_eq!(calc.typed("A-0001", "Durée (s)"), s("float", "545"));
    assert_eq!(calc.typed("A-0001", "Durée (min)"), s("float", "9.08"));
    assert_eq!(calc.cell("A-0001", "Durée (min)").text, "9,08");
    assert_eq!(
        calc.typed("A-0001", "Ouverture (UTC)"),
        s("string", "2026-12-06T13:05:00Z")
    );
    assert_eq!(calc.typed("A-0002", "Appelant"), s("string", "1,5"));
    assert_eq!(
        calc.typed("A-0002", "Téléphone"),
        s("string", "+262 692 12 34 56")
    );
    assert_eq!(calc.typed("A-0002", "Objet"), s("string", "=1+1"));
    assert_eq!(calc.cell("A-0002", "Durée").kind, "", "an open call: empty");
}

/// The xlsx of `call list` goes to `--output`, and to stdout when stdout is not a terminal.
fn xlsx_of(desk: &Desk, args: &[&str], dir: &Path, name: &str) -> std::path::PathBuf {
    let file = dir.join(format!("{name}.xlsx"));
    let mut with_output = args.to_vec();
    let path = file.to_string_lossy().into_owned();
    with_output.extend(["--format", "xlsx", "--output", &path]);
    let said = desk.ok(&with_output);
    assert_eq!(said, "", "nothing on stdout with --output");
    let mut piped = args.to_vec();
    piped.extend(["--format", "xlsx"]);
    let bytes = desk.bytes(&piped);
    assert_eq!(&bytes[..2], b"PK", "an xlsx (zip) on stdout");
    file
}

on_both_engines! {
fn calc_reads_the_xlsx_typed(engine: Engine) {
    let desk = desk_with_calls(engine);
    let dir = tempfile::tempdir().unwrap();
    let list = xlsx_of(&desk, &["call", "list"], dir.path(), "appels");
    check_xlsx(&list);
    let handover = xlsx_of(
        &desk,
        &["report", "handover", "--from", "2026-12-06T00:00", "--to", "2026-12-07T00:00"],
        dir.path(),
        "releve",
    );
    check_xlsx(&handover);
}
}

/// Calc's CSV import as the issue opened it: the comma separator, UTF-8, special numbers
/// (dates, times) detected, the language of the profile (fr-FR).
const CALC_CSV_IMPORT: &str = "CSV:44,34,76,1,,0,false,true";

/// Calc's CSV import with the dialog's defaults: the comma, UTF-8, nothing else. (A
/// conversion given no options at all reads the file as Windows-1252, which the dialog,
/// seeing UTF-8, does not.)
const CALC_CSV_DEFAULTS: &str = "CSV:44,34,76,1";

on_both_engines! {
fn calc_reads_the_csv_dates_and_durations(engine: Engine) {
    let desk = desk_with_calls(engine);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("appels.csv");
    std::fs::write(
        &file,
        desk.bytes(&["call", "list", "--format", "csv", "--labels", "fr"]),
    )
    .unwrap();
    let calc = calc_reads(&file, Some(CALC_CSV_IMPORT));
    assert_eq!(calc.rows[0][7].text, "Appelant", "French headers");
    assert_eq!(
        calc.typed("A-0001", "Ouverture"),
        s("date", "2026-12-06T14:05:00")
    );
    assert_eq!(
        calc.typed("A-0001", "Clôture"),
        s("date", "2026-12-06T14:14:05")
    );
    assert_eq!(calc.typed("A-0001", "Durée"), s("time", "PT00H09M05S"));
    assert_eq!(calc.typed("A-0001", "Durée (s)"), s("float", "545"));
    assert_eq!(
        calc.typed("A-0001", "Téléphone"),
        s("string", "06 12 34 56 78")
    );
    // Kept with its `+`, guarded by the CSV's apostrophe: text, no formula.
    assert_eq!(
        calc.typed("A-0002", "Téléphone"),
        s("string", "'+262 692 12 34 56")
    );
    assert_eq!(calc.typed("A-0002", "Objet"), s("string", "'=1+1"));
    // What a CSV cannot say: a text that looks like a number or a date is guessed by
    // the spreadsheet. This is why the xlsx exists.
    assert_eq!(calc.typed("A-0001", "Appelant"), s("float", "612345678"));
    assert_eq!(calc.typed("A-0001", "Objet"), s("date", "2026-01-12"));
    assert_eq!(calc.typed("A-0002", "Appelant"), s("float", "1.5"));

    // With the import dialog's own defaults (UTF-8, which the dialog finds in the file;
    // no special numbers: Calc 7.4 then keeps a date or a duration as text), the headers,
    // the phones and the numbers still read right.
    let plain = calc_reads(&file, Some(CALC_CSV_DEFAULTS));
    assert_eq!(plain.rows[0][7].text, "Appelant");
    assert_eq!(plain.typed("A-0001", "Durée (s)"), s("float", "545"));
    assert_eq!(
        plain.typed("A-0001", "Téléphone"),
        s("string", "06 12 34 56 78")
    );
    assert_eq!(
        plain.typed("A-0002", "Téléphone"),
        s("string", "'+262 692 12 34 56")
    );
    assert_eq!(plain.cell("A-0001", "Ouverture").text, "2026-12-06 14:05:00");
}
}

/// On a terminal, an xlsx is refused with one sentence: its bytes would only scramble the
/// screen. Nothing of the workbook is written.
#[test]
fn an_xlsx_is_not_written_on_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let path = |p: &Path| p.to_str().expect("UTF-8 temporary path").to_string();
    let env = vec![
        ("GUICHET_DB".to_string(), path(&dir.path().join("pty.db"))),
        ("GUICHET_OPERATOR".to_string(), "dupontje".to_string()),
        (
            "XDG_CONFIG_HOME".to_string(),
            path(&dir.path().join("config")),
        ),
        ("XDG_DATA_HOME".to_string(), path(&dir.path().join("data"))),
        ("HOME".to_string(), path(dir.path())),
        ("TERM".to_string(), "xterm-256color".to_string()),
    ];
    for args in [
        &["call", "list", "--format", "xlsx"][..],
        &["report", "handover", "--format", "xlsx"][..],
    ] {
        let mut child =
            pty::Child::spawn(Path::new(env!("CARGO_BIN_EXE_guichet")), args, &env, 80, 24)
                .expect("the command in a pseudo-terminal");
        let mut out = Vec::new();
        let started = Instant::now();
        let status = loop {
            if let Some(st) = child.try_wait() {
                break st;
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "{args:?} still running"
            );
            let _ = child.read(Duration::from_millis(50), &mut out);
        };
        let _ = child.read(Duration::from_millis(50), &mut out);
        let said = String::from_utf8_lossy(&out);
        assert!(
            libc::WIFEXITED(status),
            "{args:?}: {}",
            pty::describe(status)
        );
        assert_eq!(libc::WEXITSTATUS(status), 2, "{args:?}: {said}");
        assert!(
            said.contains("un classeur xlsx ne s'affiche pas dans un terminal : ajouter --output"),
            "{args:?}: {said}"
        );
        assert!(!said.contains("PK"), "{args:?}: no workbook bytes");
    }
}

/// `--labels` is the CSV's, `--output` the xlsx's: each refused elsewhere with a sentence.
#[test]
fn sheet_options_belong_to_their_format() {
    let desk = Desk::on(Engine::Sqlite).with_user("dupontje");
    let (code, err) = desk.fails(&["call", "list", "--format", "xlsx", "--labels", "fr"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("--labels ne sert qu'au format csv, pas au format « xlsx »"),
        "{err}"
    );
    let (code, err) = desk.fails(&["call", "list", "--format", "csv", "--output", "x.xlsx"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("--output « x.xlsx » ne sert qu'au format xlsx"),
        "{err}"
    );
    let (code, err) = desk.fails(&["call", "show", "A-0001", "--format", "xlsx"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("format « xlsx » non disponible pour cette commande"),
        "{err}"
    );
    // A file that cannot be written is named.
    let (code, err) = desk.fails(&[
        "call",
        "list",
        "--format",
        "xlsx",
        "--output",
        "/nonexistent/dir/appels.xlsx",
    ]);
    assert_eq!(code, 1);
    assert!(
        err.contains("impossible d'écrire « /nonexistent/dir/appels.xlsx »"),
        "{err}"
    );
}

/// The handover's escalations and telephony as xlsx: the same columns as their CSV, in
/// French.
#[test]
fn the_handovers_small_tables_in_xlsx_and_french_csv() {
    let desk = desk_with_calls(Engine::Sqlite);
    let window = ["--from", "2026-12-06T00:00", "--to", "2026-12-07T00:00"];
    let mut args = vec![
        "report",
        "handover",
        "--telephony",
        "--format",
        "csv",
        "--labels",
        "fr",
    ];
    args.extend(window);
    let csv = desk.ok(&args);
    assert!(
        csv.starts_with("Ligne appelée,Décrochés,Manqués,Taux de décroché (%)\r\n"),
        "{csv}"
    );
    let mut args = vec!["report", "handover", "--escalations", "--format", "xlsx"];
    args.extend(window);
    assert_eq!(&desk.bytes(&args)[..2], b"PK");
}
