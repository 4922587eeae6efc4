//! `report procedures` on a desk of known walks, on both engines: every figure (proposed,
//! followed, ended how, outcomes, median handling time, solved, solved at first contact),
//! the drop-off per step, the 7-day window at its edges, the steps flagged, the words of
//! the calls no procedure served, and the command's formats.

use chrono::{DateTime, Duration, TimeZone, Utc};
use guichet::catalog::embedded_reference;
use guichet::catalog::procedures::embedded;
use guichet::domain::call::{CallDraft, CallRef, JournalKind, Outcome};
use guichet::domain::procedure::Procedure;
use guichet::domain::walk::WalkMark;
use guichet::report::{ProceduresReport, procedures_markdown};
use guichet::store::{FigureWindow, Store, WalkEntry};
use std::collections::BTreeMap;

const P: &str = "mi-agent-card-cryhod";

/// 02/11/2026 09:00 UTC: the first call.
fn t() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap()
}

fn window() -> FigureWindow {
    FigureWindow {
        from: t(),
        to: t() + Duration::days(10),
        service: None,
    }
}

fn procedure(slug: &str) -> Procedure {
    embedded(&embedded_reference())
        .procedures
        .into_iter()
        .find(|p| p.slug == slug)
        .unwrap()
}

fn call(
    store: &mut Store,
    at: DateTime<Utc>,
    phone: &str,
    summary: &str,
    proposed: &[&str],
) -> CallRef {
    let new = CallDraft {
        caller_name: "Zoé Martin".into(),
        caller_phone: phone.into(),
        service: "mi".into(),
        device: "noemi".into(),
        summary: summary.into(),
        ..CallDraft::default()
    }
    .validate(&embedded_reference(), "op", at)
    .unwrap();
    let proposed: Vec<String> = proposed.iter().map(|s| s.to_string()).collect();
    store
        .insert_proposed_call(&new, &proposed)
        .unwrap()
        .reference
}

/// Walks P on the call: starts it, then one move per step of `done` (the first `done`
/// steps of the procedure), standing at the next one or, with `end`, at the end.
fn walk(store: &mut Store, call: CallRef, at: DateTime<Utc>, done: usize, end: Option<bool>) {
    let p = procedure(P);
    let ids: Vec<String> = p.steps.iter().map(|s| s.id.clone()).collect();
    let mark = |n: usize, last: bool| WalkMark {
        procedure: P.into(),
        title: Some(p.title.clone()),
        version: Some(p.version()),
        done: ids[..n].to_vec(),
        current: if last { None } else { Some(ids[n].clone()) },
        ..WalkMark::default()
    };
    let mut entry = |kind, mark: &WalkMark, escalated| {
        let e = WalkEntry {
            kind,
            line: "pas",
            mark,
            escalated,
        };
        store.append_walk(call, "op", at, &e).unwrap();
    };
    entry(JournalKind::Procedure, &mark(0, false), false);
    for n in 1..=done {
        let last = n == done && end.is_some();
        entry(JournalKind::Step, &mark(n, last), last && end == Some(true));
    }
}

/// The desk of known walks: returns the references in the order the comments name them.
fn known_walks(store: &mut Store) -> Vec<CallRef> {
    let (q, r, s) = ("mi-noemi-4g", "mi-nomade2", "mi-comu-login");
    let min = Duration::minutes;
    let h = Duration::hours;
    // A: completed, resolved in 10 min; the same number calls again 7 days later to the
    // second: not solved at first contact.
    let a = call(
        store,
        t(),
        "06 11 11 11 11",
        "carte agent oubliée",
        &[P, q, r, s],
    );
    walk(store, a, t(), 3, Some(false));
    store
        .close_call(a, "op", t() + min(10), Outcome::Resolved, None)
        .unwrap();
    // G: completed, resolved in 20 min; its number calls again a second after 7 days: solved
    // at first contact.
    let g = call(
        store,
        t() + h(1),
        "06 44 44 44 44",
        "carte agent perdue",
        &[],
    );
    walk(store, g, t() + h(1), 3, Some(false));
    store
        .close_call(g, "op", t() + h(1) + min(20), Outcome::Resolved, None)
        .unwrap();
    // B: left at the second step, flagged there, the call abandoned after 5 min.
    let b = call(store, t() + h(2), "06 22 22 22 22", "carte agent", &[q, P]);
    walk(store, b, t() + h(2), 1, None);
    let second = procedure(P).steps[1].id.clone();
    store
        .flag_step(b, "op", t() + h(2), P, &second, "texte flou")
        .unwrap();
    store
        .close_call(b, "op", t() + h(2) + min(5), Outcome::Abandoned, None)
        .unwrap();
    // C: escalated at the second step, « résolu ? » non, closed escalated after 30 min.
    let c = call(
        store,
        t() + h(3),
        "06 33 33 33 33",
        "carte agent cassée",
        &[],
    );
    walk(store, c, t() + h(3), 2, Some(true));
    store.answer_solved(c, "op", t() + h(3), P, false).unwrap();
    store
        .close_call(c, "op", t() + h(3) + min(30), Outcome::Escalated, None)
        .unwrap();
    // D: no number, still on the first step, the call open.
    let d = call(store, t() + h(4), "", "carte agent", &[]);
    walk(store, d, t() + h(4), 0, None);
    // E: no number, completed, « résolu ? » oui, closed « rappel » after 15 min.
    let e = call(store, t() + h(5), "", "carte agent", &[]);
    walk(store, e, t() + h(5), 3, Some(false));
    store.answer_solved(e, "op", t() + h(5), P, true).unwrap();
    store
        .close_call(e, "op", t() + h(5) + min(15), Outcome::Callback, None)
        .unwrap();
    // The callers of A and G again, with no procedure followed.
    let a2 = call(
        store,
        t() + Duration::days(7),
        "06 11 11 11 11",
        "Imprimante bloquée, bourrage",
        &[],
    );
    store
        .close_call(
            a2,
            "op",
            t() + Duration::days(7) + min(4),
            Outcome::Resolved,
            None,
        )
        .unwrap();
    let again = t() + h(1) + Duration::days(7) + Duration::seconds(1);
    let g2 = call(store, again, "06 44 44 44 44", "imprimante hors ligne", &[]);
    store
        .close_call(g2, "op", again + min(4), Outcome::Resolved, None)
        .unwrap();
    // Outside the window: not counted.
    let late = call(
        store,
        t() + Duration::days(11),
        "06 55 55 55 55",
        "carte agent",
        &[P],
    );
    walk(store, late, t() + Duration::days(11), 3, Some(false));
    vec![a, g, b, c, d, e, a2, g2]
}

fn report(store: &Store, days: i64) -> ProceduresReport {
    let catalog = embedded(&embedded_reference()).procedures;
    ProceduresReport::build(store, &catalog, &window(), days, t() + Duration::days(20)).unwrap()
}

on_both_engines! {
fn every_figure_of_a_desk_of_known_walks(desk) {
    let mut store = desk.store();
    let refs = known_walks(&mut store);
    let r = report(&store, 7);
    assert_eq!((r.closed, r.closed_followed), (7, 5));
    assert_eq!(format!("{:.2}", r.follow_rate.unwrap()), "71.43");
    let slugs: Vec<&str> = r.procedures.iter().map(|p| p.slug.as_str()).collect();
    // P first (abandoned, escalated, flagged), then the proposed ones by proposals.
    assert_eq!(slugs, [P, "mi-noemi-4g", "mi-nomade2"], "the fourth proposal is not kept");
    let p = &r.procedures[0];
    assert_eq!(p.title.as_deref(), Some(procedure(P).title.as_str()));
    assert_eq!(p.proposed, 2);
    assert_eq!(r.procedures[1].proposed, 2);
    assert_eq!(r.procedures[1].figures.followed, 0);
    assert_eq!(r.procedures[2].proposed, 1);
    let f = &p.figures;
    assert_eq!(
        (f.followed, f.completed, f.escalated, f.abandoned, f.in_progress),
        (6, 3, 1, 1, 1)
    );
    let outcomes: BTreeMap<String, u64> = [
        ("abandoned", 1),
        ("callback", 1),
        ("escalated", 1),
        ("resolved", 2),
    ]
    .into_iter()
    .map(|(o, n)| (o.to_string(), n))
    .collect();
    assert_eq!(f.outcomes, outcomes);
    // 5, 10, 15, 20 and 30 minutes: the median is 15.
    assert_eq!(f.median_handling_secs, Some(15 * 60));
    // Solved: A and G (resolved), E (said oui); not B (abandoned), C (said non), D (open).
    assert_eq!((f.solved, f.answered_solved), (3, 2));
    // At first contact: G (called again 7 days and a second later), E (no number); not A
    // (called again 7 days later to the second).
    assert_eq!(f.first_contact, 2);
    // One version, the catalogue's.
    assert_eq!(p.versions.len(), 1);
    assert_eq!(p.versions[0].version, procedure(P).version());
    assert_eq!(p.versions[0].figures, p.figures);
    let ids: Vec<String> = procedure(P).steps.iter().map(|s| s.id.clone()).collect();
    let steps: Vec<(String, Option<usize>, u64, u64, u64)> = p.versions[0]
        .steps
        .iter()
        .map(|s| (s.step.clone(), s.number, s.reached, s.answered, s.left))
        .collect();
    assert_eq!(
        steps,
        [
            (ids[0].clone(), Some(1), 6, 5, 1),
            (ids[1].clone(), Some(2), 5, 4, 1),
            (ids[2].clone(), Some(3), 3, 3, 0),
        ],
        "drop-off: D left at the first step, B at the second"
    );
    assert_eq!(p.flags.len(), 1);
    assert_eq!(
        (p.flags[0].call, p.flags[0].step.as_str(), p.flags[0].note.as_str(), p.flags[0].operator.as_str()),
        (refs[2], ids[1].as_str(), "texte flou", "op")
    );
    // The calls no procedure served: A2 and G2, by their words.
    assert_eq!(r.unfollowed, 2);
    assert_eq!(r.holes[0].word, "imprimante");
    assert_eq!((r.holes[0].calls, r.holes[0].examples.clone()), (2, vec![refs[6], refs[7]]));
    let md = procedures_markdown(&r);
    assert!(md.contains("| texte flou |"), "{md}");
    assert!(md.contains("taux de suivi 71,4 %"), "{md}");
}
}

on_both_engines! {
fn the_first_contact_window_counts_a_new_call_up_to_its_last_second(desk) {
    let mut store = desk.store();
    known_walks(&mut store);
    // A's caller came back 7 days later to the second, G's a second after: one more day of
    // window takes G too; six days neither.
    let first = |days| report(&store, days).procedures[0].figures.first_contact;
    assert_eq!(first(7), 2);
    assert_eq!(first(8), 1, "G's caller came back within 8 days");
    assert_eq!(first(6), 3, "nobody came back within 6 days");
}
}

on_both_engines! {
fn the_command_writes_the_figures_in_every_format(desk) {
    let mut store = desk.store();
    known_walks(&mut store);
    drop(store);
    // Paris time: 02/11 10:00 is 09:00 UTC.
    let args = |format: &'static str| {
        vec![
            "report", "procedures", "--from", "02/11/2026 10:00", "--to", "12/11/2026 10:00",
            "--format", format,
        ]
    };
    let json = desk.json(&args("json"));
    assert_eq!(json["closed"], 7);
    assert_eq!(json["procedures"][0]["slug"], P);
    assert_eq!(json["procedures"][0]["followed"], 6);
    assert_eq!(json["procedures"][0]["versions"][0]["steps"][1]["left"], 1);
    let csv = desk.ok(&args("csv"));
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with("procedure,title,version,step,step_number,proposed,followed"), "{csv}");
    assert!(lines[1].starts_with(&format!("{P},")), "{csv}");
    assert!(lines[1].contains(",2,6,3,1,1,1,3,2,0:15:00,,,,1,"), "{}", lines[1]);
    let table = desk.ok(&args("table"));
    assert!(table.contains("Étapes à revoir"), "{table}");
    assert!(table.contains("texte flou"), "{table}");
    let (code, err) = desk.fails(&["report", "procedures", "--first-contact-days", "0"]);
    assert_eq!(code, 2);
    assert!(err.contains("--first-contact-days 0 : attendu un nombre de jours de 1 à 365"), "{err}");
    let service = desk.json(&[
        "report", "procedures", "--from", "02/11/2026 10:00", "--to", "12/11/2026 10:00",
        "--service", "mtes", "--format", "json",
    ]);
    assert_eq!(service["closed"], 0);
}
}

on_both_engines! {
fn lint_with_usage_days_names_the_procedures_never_proposed_and_the_steps_never_reached(desk) {
    // What it prints: the summary on stdout, the warnings on stderr.
    let said = |args: &[&str]| {
        let out = desk.run(args);
        assert!(out.status.success(), "{args:?}: {out:?}");
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    };
    // Nothing called yet: said once, not a warning per procedure.
    let empty = said(&["procedures", "lint", "--usage-days", "30"]);
    assert!(empty.contains("ni appel clos ni procédure proposée dans les 30 derniers jours"), "{empty}");
    assert!(!empty.contains("jamais proposée"), "{empty}");
    let mut store = desk.store();
    let at = Utc::now() - Duration::days(3);
    // CRYHOD proposed and walked twice, never past its second step; the 4G procedure
    // proposed, never walked; the other procedures of the catalogue neither.
    for _ in 0..2 {
        let c = call(&mut store, at, "06 11 11 11 11", "carte agent oubliée", &[P, "mi-noemi-4g"]);
        walk(&mut store, c, at, 1, None);
    }
    drop(store);
    let (code, err) = desk.fails(&["procedures", "lint", "--usage-days", "30", "--strict"]);
    assert_eq!(code, 1, "usage warnings are refused by --strict: {err}");
    let out = said(&["procedures", "lint", "--usage-days", "30"]);
    let cryhod = procedure(P);
    let steps = cryhod.steps.len();
    for (i, step) in cryhod.steps.iter().enumerate().skip(2) {
        let said = format!(
            "usage : avertissement : {P} : étape {} ({}) jamais atteinte par les 2 déroulés \
             de la version {} en 30 jours",
            i + 1,
            step.id,
            cryhod.version()
        );
        assert!(out.contains(&said), "{said}\n{out}");
    }
    assert!(!out.contains(&format!("{P} : étape 1 ")), "{out}");
    assert!(!out.contains(&format!("{P} : étape 2 ")), "{out}");
    assert!(!out.contains(&format!("{P} : jamais")), "{out}");
    assert!(!out.contains("mi-noemi-4g : jamais proposée ni suivie"), "{out}");
    assert!(out.contains("mi-nomade2 : jamais proposée ni suivie en 30 jours"), "{out}");
    // Every step CRYHOD's walks never reached, and every other procedure of the catalogue
    // but the 4G one (proposed) never proposed nor walked.
    let never_proposed = embedded(&embedded_reference()).procedures.len() - 2;
    assert!(
        out.contains(&format!("{} avertissement", steps - 2 + never_proposed)),
        "{out}"
    );
    let (code, err) = desk.fails(&["procedures", "lint", "--usage-days", "0"]);
    assert_eq!(code, 2);
    assert!(err.contains("--usage-days 0 : attendu un nombre de jours de 1 à 365"), "{err}");
}
}

on_both_engines! {
fn the_figures_go_to_the_procedures_owner(desk) {
    let mut store = desk.store();
    known_walks(&mut store);
    drop(store);
    // The desk's catalogue: the shipped one, CRYHOD's file naming who maintains it.
    let catalog = desk.path().join("procedures");
    std::fs::create_dir(&catalog).unwrap();
    let shipped = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("db/procedures");
    for entry in std::fs::read_dir(&shipped).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let mut text = std::fs::read_to_string(&path).unwrap();
            if path.file_stem().unwrap() == P {
                text = format!("owner = \"Jeanne Dupont <jeanne.dupont@example.fr>\"\n{text}");
            }
            std::fs::write(catalog.join(path.file_name().unwrap()), text).unwrap();
        }
    }
    let dir = catalog.to_str().unwrap();
    let args = |owner: &'static str, format: &'static str| {
        vec![
            "report", "procedures", "--catalog", dir, "--from", "02/11/2026 10:00", "--to",
            "12/11/2026 10:00", "--owner", owner, "--format", format,
        ]
    };
    let json = desk.json(&args("DUPONT", "json"));
    let listed: Vec<&str> = json["procedures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["slug"].as_str().unwrap())
        .collect();
    assert_eq!(listed, [P], "{json:#}");
    assert_eq!(json["procedures"][0]["owner"], "Jeanne Dupont <jeanne.dupont@example.fr>");
    // The walks' version is the same with the owner written: it is not the text.
    assert_eq!(json["procedures"][0]["versions"][0]["version"], procedure(P).version());
    let csv = desk.ok(&args("jeanne.dupont@example.fr", "csv"));
    let mut lines = csv.lines();
    assert!(lines.next().unwrap().ends_with(",notes,owner"), "{csv}");
    assert!(
        lines.all(|l| l.starts_with(P) && l.ends_with("Jeanne Dupont <jeanne.dupont@example.fr>")),
        "{csv}"
    );
    let table = desk.ok(&args("dupont", "table"));
    assert!(table.contains("(responsable : Jeanne Dupont <jeanne.dupont@example.fr>)"), "{table}");
    let (code, err) = desk.fails(&args("Martin", "json"));
    assert_eq!(code, 2);
    assert!(err.contains("--owner « Martin » : aucune procédure du catalogue n'a ce responsable"), "{err}");
}
}

on_both_engines! {
fn a_call_of_the_last_second_counts_in_a_report_until_now(desk) {
    let mut store = desk.store();
    let a = call(&mut store, t(), "06 11 11 11 11", "carte agent", &[P]);
    walk(&mut store, a, t(), 1, None);
    let catalog = embedded(&embedded_reference()).procedures;
    let until = |to| FigureWindow { from: t() - Duration::days(1), to, service: None };
    let count = |to| {
        ProceduresReport::build(&store, &catalog, &until(to), 7, to).unwrap().procedures[0].figures.followed
    };
    // Stored to the second: opened at t() is before t() and half a second, not before t().
    assert_eq!(count(t() + Duration::milliseconds(500)), 1);
    assert!(ProceduresReport::build(&store, &catalog, &until(t()), 7, t()).unwrap().procedures.is_empty());
}
}

on_both_engines! {
fn a_call_back_written_after_the_walk_changes_first_contact_to_the_second(desk) {
    let mut store = desk.store();
    known_walks(&mut store);
    let first = |store: &Store, days| report(store, days).procedures[0].figures.first_contact;
    assert_eq!((first(&store, 1), first(&store, 7)), (3, 2));
    let h = Duration::hours;
    // G was opened at t() + 1 h; its caller came back 7 days and a second later. Calls from
    // its number written now, opened in the same second as G and before it, are no new call.
    call(&mut store, t() + h(1), "06 44 44 44 44", "encore la carte", &[]);
    call(&mut store, t(), "06 44 44 44 44", "avant", &[]);
    assert_eq!((first(&store, 1), first(&store, 7)), (3, 2));
    // One opened 7 days after G to the second, written after the later one: G's caller came
    // back within 7 days, not within 6.
    call(&mut store, t() + h(1) + Duration::days(7), "06 44 44 44 44", "retour", &[]);
    assert_eq!((first(&store, 6), first(&store, 7)), (3, 1));
    // A's caller came back after 7 days; a call written now says a day after A to the second.
    call(&mut store, t() + Duration::days(1), "06 11 11 11 11", "retour", &[]);
    assert_eq!(first(&store, 1), 2, "A's caller came back within a day");
    assert_eq!(
        report(&store, 1).procedures[0].figures.solved,
        3,
        "solved stays what the walks and outcomes say"
    );
}
}

on_both_engines! {
fn each_window_reads_the_answers_of_its_own_walks(desk) {
    let mut store = desk.store();
    let refs = known_walks(&mut store);
    // The walk outside the window, on day 11, gets its « résolu ? » answers (the last: oui).
    let late = CallRef(refs[7].0 + 1);
    let at = t() + Duration::days(11);
    store.answer_solved(late, "op", at, P, false).unwrap();
    store.answer_solved(late, "op", at, P, true).unwrap();
    let catalog = embedded(&embedded_reference()).procedures;
    let said = |window: &FigureWindow| {
        let r = ProceduresReport::build(&store, &catalog, window, 7, t() + Duration::days(20)).unwrap();
        let f = &r.procedures[0].figures;
        (f.followed, f.solved, f.answered_solved)
    };
    // The ten days: C's non and E's oui, not the late walk's answers.
    assert_eq!(said(&window()), (6, 3, 2));
    // Its own day: its last answer alone.
    let day11 = FigureWindow { from: at, to: at + Duration::days(1), service: None };
    assert_eq!(said(&day11), (1, 1, 1));
    // A window that cuts the first day: C and E, each with its answer.
    let from_c = FigureWindow { from: t() + Duration::hours(3), to: t() + Duration::hours(6), service: None };
    assert_eq!(said(&from_c), (3, 1, 2));
}
}
