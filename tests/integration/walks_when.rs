//! Walks that use what the call says (issue 23): `when` on a step or an answer, a question
//! the call already answers skipped with a journal line saying why, a value typed once
//! offered to the steps and tools that need it, the tools filled from the summary. On both
//! engines where the journal is involved.

use crate::console::{ctrl, key, screen_text, type_text, typed_call, walk_new_call};
use chrono::{TimeZone, Utc};
use crossterm::event::KeyCode;
use guichet::catalog::embedded_reference;
use guichet::catalog::procedures::{embedded, parse_procedure};
use guichet::domain::condition::Facts;
use guichet::domain::walk::{Move, Walk};
use guichet::store::Store;
use guichet::tui::app::App;
use guichet::tui::screens::tools::Tool;
use guichet::tui::theme::Theme;

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 8, 41, 0).unwrap()
}

fn app_with(store: Store) -> App {
    guichet::tui::gallery::app_with(store, Theme { color: false })
}

/// The id of the step the runner stands at.
fn here(app: &App) -> String {
    let w = &app.runner().unwrap().walk;
    w.current
        .map(|i| w.procedure.steps[i].id.clone())
        .unwrap_or_else(|| "fin".into())
}

/// The call's journal as the runner last read it.
fn journal(app: &App) -> Vec<String> {
    app.runner()
        .unwrap()
        .record
        .journal
        .iter()
        .map(|e| e.text.clone())
        .collect()
}

on_both_engines! {
    /// Reproduced: the AnyConnect walk asked « périmètre de Caen ? » on a Rouen call.
    fn anyconnect_on_a_rouen_call_does_not_ask_for_caen(desk) {
        let mut app = app_with(desk.store());
        walk_new_call(&mut app, "rouen", "pc pro", "vpn anyconnect", "acn-anyconnect");
        assert_eq!(here(&app), "ouvrir-client");
        key(&mut app, KeyCode::Enter);
        assert_eq!(here(&app), "serveur-rouen", "the Caen question is not asked");
        let lines = journal(&app);
        let skip = lines
            .iter()
            .find(|l| l.contains("sautée"))
            .unwrap_or_else(|| panic!("no skip journaled: {lines:#?}"));
        assert!(
            skip.starts_with("[acn-anyconnect] étape 2 sautée (périmètre : Rouen, d'après l'appel)"),
            "{skip}"
        );
        assert!(skip.ends_with("→ non"), "{skip}");
        let shown = screen_text(&app, 80, 24);
        assert!(shown.contains("↷ 2. sautée → non (périmètre : Rouen, d'après l'appel)"), "{shown}");
        assert!(shown.contains("api.ac-rouen.fr"), "{shown}");

        // Back goes to the step the operator did, over the step skipped for them.
        key(&mut app, KeyCode::Left);
        assert_eq!(here(&app), "ouvrir-client");

        // Left and taken up again: the walk resumes where it stood, the skip remembered.
        key(&mut app, KeyCode::Enter);
        assert_eq!(here(&app), "serveur-rouen");
        let mark = desk
            .store()
            .last_walk(app.runner().unwrap().record.call.reference)
            .unwrap()
            .unwrap();
        assert_eq!(mark.current.as_deref(), Some("serveur-rouen"));
        assert_eq!(
            mark.skipped.get("perimetre-caen").map(String::as_str),
            Some("périmètre : Rouen, d'après l'appel")
        );
    }
}

on_both_engines! {
    fn anyconnect_on_a_caen_call_goes_to_the_caen_server(desk) {
        let mut app = app_with(desk.store());
        walk_new_call(&mut app, "caen", "pc pro", "vpn anyconnect", "acn-anyconnect");
        key(&mut app, KeyCode::Enter);
        assert_eq!(here(&app), "serveur-caen");
        assert!(
            journal(&app)
                .iter()
                .any(|l| l.contains("étape 2 sautée (périmètre : Caen, d'après l'appel)")
                    && l.ends_with("→ oui")),
            "{:#?}",
            journal(&app)
        );
    }
}

on_both_engines! {
    /// A call whose service says nothing of the perimeter is asked, as before.
    fn anyconnect_on_another_service_still_asks(desk) {
        let mut app = app_with(desk.store());
        walk_new_call(&mut app, "int", "pc pro", "vpn anyconnect", "acn-anyconnect");
        key(&mut app, KeyCode::Enter);
        assert_eq!(here(&app), "perimetre-caen");
        assert!(!journal(&app).iter().any(|l| l.contains("sautée")));
    }
}

/// From the 4G walk's start to the step that records the data used: « connecté en 4G ? »
/// answered yes, then the two steps that open the data usage.
fn to_the_quota_step(app: &mut App) {
    key(app, KeyCode::Char('o'));
    for _ in 0..2 {
        key(app, KeyCode::Enter);
    }
    assert_eq!(here(app), "releve-go");
}

on_both_engines! {
    /// Reproduced: the 4G walk asked « plus de 20 Go ? » right after 23,4 was typed; and
    /// the quota tool wanted it typed again.
    fn the_4g_walk_uses_the_quota_typed(desk) {
        let mut app = app_with(desk.store());
        walk_new_call(&mut app, "int", "noemi", "4g lente bridée", "mi-noemi-4g");
        to_the_quota_step(&mut app);
        assert_eq!(here(&app), "releve-go");
        type_text(&mut app, "23,4");
        key(&mut app, KeyCode::Enter);
        assert_eq!(here(&app), "ligne-bridee", "{:#?}", journal(&app));
        let lines = journal(&app);
        assert!(
            lines.iter().any(|l| l
                == "[mi-noemi-4g] étape 6 sautée (Consommation « cellulaire » (Go) : 23,4, \
                    plus de 20, noté à l'étape 5) : Ce nombre dépasse-t-il 20 Go ? → oui"),
            "{lines:#?}"
        );

        // The quota tool opened on the walk holds the value typed once.
        key(&mut app, KeyCode::F(4));
        let tools = app.tools().unwrap();
        assert_eq!(tools.tool, Tool::Quota);
        assert_eq!(tools.values(), ["23,4"]);
        let shown = screen_text(&app, 80, 24);
        assert!(shown.contains("Ligne bridée"), "{shown}");
    }
}

#[test]
fn the_4g_walk_asks_when_the_value_says_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_with(Store::open(&dir.path().join("g.db")).unwrap());
    walk_new_call(&mut app, "int", "noemi", "4g lente bridée", "mi-noemi-4g");
    to_the_quota_step(&mut app);
    type_text(&mut app, "je ne sais pas");
    key(&mut app, KeyCode::Enter);
    assert_eq!(here(&app), "plus-de-20-go");
    // 20 exactly is not over 20.
    key(&mut app, KeyCode::Left);
    assert_eq!(here(&app), "releve-go");
    type_text(&mut app, "20");
    key(&mut app, KeyCode::Enter);
    assert_eq!(here(&app), "pas-bridee");
}

on_both_engines! {
    /// Reproduced: the telemaintenance code was typed in the step, then again in the tool.
    fn the_telemaintenance_code_is_typed_once(desk) {
        let mut app = app_with(desk.store());
        walk_new_call(
            &mut app,
            "rouen",
            "pc pro",
            "télémaintenance prise en main à distance",
            "acn-telemaintenance",
        );
        while here(&app) != "code-session" {
            let ask = matches!(
                app.runner().unwrap().walk.procedure.steps
                    [app.runner().unwrap().walk.current.unwrap()].kind,
                guichet::domain::procedure::StepKind::Ask { .. }
            );
            key(&mut app, if ask { KeyCode::Char('o') } else { KeyCode::Enter });
        }
        type_text(&mut app, "482 913");
        key(&mut app, KeyCode::Enter);
        // The next step, « faire entrer le code », has it in sight.
        assert_eq!(here(&app), "saisir-code");
        let shown = screen_text(&app, 80, 24);
        assert!(
            shown.contains("Noté : Code de session de télémaintenance : 482 913"),
            "{shown}"
        );
        key(&mut app, KeyCode::F(4));
        let tools = app.tools().unwrap();
        assert_eq!(tools.tool, Tool::Telemaintenance);
        assert_eq!(tools.values(), ["482 913"], "offered, not typed again");
        key(&mut app, KeyCode::Enter);
        key(&mut app, KeyCode::Esc);
        let lines = journal(&app);
        assert!(
            lines.iter().any(|l| l.contains("code de session 482913 donné par téléphone")),
            "{lines:#?}"
        );
    }
}

#[test]
fn the_tools_take_what_the_summary_holds() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_with(Store::open(&dir.path().join("g.db")).unwrap());
    // Reproduced: the AMIGO date and the COMU domain were not taken from the summary.
    typed_call(
        &mut app,
        "Hugo Bernard",
        "rouen",
        "pc pro",
        "demande si AMIGO sera ouvert le 24/12 à 10h, copieur I76RC-DSI04-B4",
    );
    ctrl(&mut app, 's');
    key(&mut app, KeyCode::F(4));
    let tools = app.tools().unwrap();
    assert_eq!(tools.fields[3][0].value(), "24/12 à 10h");
    assert_eq!(tools.fields[0][0].value(), "I76RC-DSI04-B4");
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Esc);

    for (summary, domain) in [
        ("identifiant comu, agent de la police judiciaire", "PJ"),
        ("COMU refuse le login, il est en PPOL", "PPOL"),
        ("webconf comu pour un gendarme", "gendarmerie"),
        ("connexion comu impossible", ""),
    ] {
        typed_call(&mut app, "Hugo Bernard", "int", "noemi", summary);
        ctrl(&mut app, 's');
        key(&mut app, KeyCode::F(4));
        assert_eq!(
            app.tools().unwrap().fields[1][2].value(),
            domain,
            "« {summary} »"
        );
        key(&mut app, KeyCode::Esc);
        key(&mut app, KeyCode::Esc);
    }
}

/// A file without `when` keeps its meaning: the shipped catalogue loads whole, and a walk
/// of a file without conditions skips nothing.
#[test]
fn a_file_without_when_walks_as_before() {
    let reference = embedded_reference();
    let catalog = embedded(&reference);
    assert!(catalog.problems.is_empty(), "{:#?}", catalog.problems);
    let facts = Facts {
        service: "acn-rouen".into(),
        service_name: "Acad. Rouen".into(),
        device: "pc-pro".into(),
        device_name: "PC pro".into(),
    };
    for p in &catalog.procedures {
        if p.steps.iter().any(|s| !s.conditions.is_empty()) {
            continue;
        }
        let mut w = Walk::start(p.clone());
        assert!(w.settle(&facts).is_empty(), "{}", p.slug);
        assert_eq!(w.current, Some(0));
    }
}

const HEAD: &str = r#"title = "Essai"
summary = "Essai."
services = ["*"]
devices = ["*"]
keywords = ["essai"]

[[sources]]
seed = "002_3545f6e10c51b1c1.txt"
section = "Essai"
"#;

fn lint(steps: &str) -> Result<(), Vec<String>> {
    parse_procedure(
        "essai.toml",
        &format!("{HEAD}{steps}"),
        &embedded_reference(),
    )
    .map(|_| ())
    .map_err(|e| e.iter().map(ToString::to_string).collect())
}

#[test]
fn lint_checks_when() {
    let good = r#"
[[steps]]
id = "quota"
kind = "record"
label = "Go"
text = "Noter."

[[steps]]
id = "q"
kind = "ask"
text = "Plus de 20 ?"
yes = "a"
no = "b"
yes_when = { value = "quota", above = 20 }
no_when = { value = "quota", at_most = 20.5, reason = "peu" }

[[steps]]
id = "a"
kind = "say"
text = "A."
when = { service = ["acn-caen", "acn-rouen"], device = "pc-pro" }
end = true

[[steps]]
id = "b"
kind = "say"
text = "B."
"#;
    assert_eq!(lint(good), Ok(()));
    let one = |steps: &str| -> String {
        let errors = lint(steps).expect_err("refused");
        assert_eq!(errors.len(), 1, "{errors:#?}");
        errors[0].clone()
    };
    let e = one(&good.replace("\"acn-caen\"", "\"acn-lyon\""));
    assert!(
        e.contains("essai.toml:") && e.contains("service inconnu « acn-lyon »"),
        "{e}"
    );
    let e = one(&good.replace("device = \"pc-pro\"", "device = \"minitel\""));
    assert!(e.contains("poste inconnu « minitel »"), "{e}");
    // A value that names no record step, or one recorded on one path only.
    let e = one(&good.replace("value = \"quota\", above", "value = \"quot\", above"));
    assert!(e.contains("« quot »") && e.contains("record"), "{e}");
    let branch = good.replace(
        "when = { service = [\"acn-caen\", \"acn-rouen\"], device = \"pc-pro\" }",
        "when = { value = \"note-b\" }",
    ) + "next = \"a\"\n\n[[steps]]\nid = \"note-b\"\nkind = \"record\"\nlabel = \"Note\"\ntext = \"Noter.\"\nnext = \"a\"\n";
    let e = one(&branch.replace(
        "text = \"B.\"\nnext = \"a\"",
        "text = \"B.\"\nnext = \"note-b\"",
    ));
    assert!(
        e.contains("« note-b »") && e.contains("pas notée avant elle sur tous les chemins"),
        "{e}"
    );
    // A secret is never kept: no condition can read it.
    let errors = lint(&good.replace("label = \"Go\"", "label = \"Go\"\nsecret = true"))
        .expect_err("refused");
    assert!(
        errors
            .iter()
            .all(|e| e.contains("« quota »") && e.contains("secret")),
        "{errors:#?}"
    );
    // `when` on a question, an answer's condition on a step that asks nothing.
    let e = one(&good.replace(
        "yes_when = { value = \"quota\", above = 20 }",
        "when = { service = \"mi\" }",
    ));
    assert!(e.contains("« yes_when » ou « no_when »"), "{e}");
    let e = one(&good.replace("when = { service = [", "yes_when = { service = ["));
    assert!(e.contains("ne s'applique qu'à une question"), "{e}");
    // A condition with nothing to test, or a bound with no value to compare.
    let e = one(&good.replace("text = \"B.\"", "text = \"B.\"\nwhen = {}"));
    assert!(e.contains("« when » vide"), "{e}");
    let e = one(&good.replace("value = \"quota\", above = 20", "above = 20"));
    assert!(e.contains("donner « value »"), "{e}");
    let e = one(&good.replace("reason = \"peu\"", "raison = \"peu\""));
    assert!(e.contains("raison"), "{e}");
}

/// The shipped conditions: the AnyConnect perimeter from the service, the 4G question from
/// the quota typed.
#[test]
fn the_shipped_walks_carry_their_conditions() {
    let catalog = embedded(&embedded_reference());
    let anyconnect = catalog.get("acn-anyconnect").unwrap();
    let ask = &anyconnect.steps[anyconnect.step_index("perimetre-caen").unwrap()];
    assert_eq!(
        ask.conditions.yes_when.as_ref().unwrap().service,
        ["acn-caen"]
    );
    assert_eq!(
        ask.conditions.no_when.as_ref().unwrap().service,
        ["acn-rouen"]
    );
    // Every walk of the Académie that asks the caller's perimeter takes it from the call.
    let rouen = Facts {
        service: "acn-rouen".into(),
        service_name: "Acad. Rouen".into(),
        ..Facts::default()
    };
    let mut asking = Vec::new();
    for p in &catalog.procedures {
        for (i, step) in p.steps.iter().enumerate() {
            if !step
                .text
                .starts_with("L'agent dépend-il du périmètre de Caen")
            {
                continue;
            }
            asking.push(p.slug.as_str());
            let mut w = Walk::start(p.clone());
            w.current = Some(i);
            let lines = w.settle(&rouen);
            assert!(
                lines
                    .first()
                    .is_some_and(|l| l.contains("(périmètre : Rouen, d'après l'appel)")
                        && l.ends_with("→ non")),
                "{}: {lines:?}",
                p.slug
            );
        }
    }
    assert_eq!(
        asking,
        [
            "acn-anyconnect",
            "acn-intranet",
            "acn-large-files",
            "acn-tribu",
            "acn-webconf"
        ]
    );
    let four_g = catalog.get("mi-noemi-4g").unwrap();
    let ask = &four_g.steps[four_g.step_index("plus-de-20-go").unwrap()];
    assert!(ask.conditions.yes_when.is_some() && ask.conditions.no_when.is_some());
    // A walk made in the domain, moves as the operator makes them.
    let mut w = Walk::start(four_g.clone());
    let facts = Facts::default();
    // Connected in 4G, then the two steps that open the data usage.
    w.apply(&Move::Answer(true), now()).unwrap();
    for _ in 0..2 {
        w.apply(&Move::Confirm, now()).unwrap();
    }
    w.apply(&Move::Record("25 Go".into()), now()).unwrap();
    let lines = w.settle(&facts);
    assert_eq!(lines.len(), 1, "{lines:#?}");
    assert!(lines[0].contains("25 Go, plus de 20"), "{}", lines[0]);
}

/// The real binary at 80x24 through tmux: AnyConnect walked on a Rouen call passes the
/// Caen question, shows it skipped with why, and the journal says so.
#[test]
fn anyconnect_on_a_rouen_call_in_a_real_terminal() {
    use crate::e2e_desk::{call_json, journal, select_proposal, started, type_call};
    let s = "anyconnect";
    let term = started(s);
    type_call(&term, s, "Zoé Martin", "rouen", "pc pro", "vpn anyconnect");
    // The proposals come with the catalogue, loaded after the first paint.
    term.wait_for(s, &["▶"]);
    term.press(s, "C-p");
    select_proposal(&term, s, "VPN Cisco AnyConnect");
    term.press(s, "Enter");
    term.wait_for(s, &["enregistré", "▶ 1. DIRE", "Cisco AnyConnect"]);
    term.press(s, "Enter");
    let screen = term.wait_for(
        s,
        &[
            "↷ 2. sautée → non (périmètre : Rouen, d'après l'appel)",
            "▶ 4. DIRE",
            "api.ac-rouen.fr",
        ],
    );
    assert!(!screen.contains("▶ 2."), "{screen}");
    assert!(!screen.contains("portailotp.ac-caen.fr"), "{screen}");
    let call = call_json(&term, "A-0001");
    let lines = journal(&call);
    assert!(
        lines.iter().any(|(kind, text)| kind == "step"
            && text.starts_with(
                "[acn-anyconnect] étape 2 sautée (périmètre : Rouen, d'après l'appel) :"
            )),
        "{lines:#?}"
    );
}

on_both_engines! {
    /// The other way round: the quota typed in the tool first fills the step that records
    /// it, and the walk goes on from it.
    fn a_value_typed_in_the_tool_fills_the_step(desk) {
        let mut app = app_with(desk.store());
        walk_new_call(&mut app, "int", "noemi", "4g lente bridée", "mi-noemi-4g");
        to_the_quota_step(&mut app);
        assert_eq!(here(&app), "releve-go");
        key(&mut app, KeyCode::F(4));
        assert_eq!(app.tools().unwrap().tool, Tool::Quota);
        type_text(&mut app, "23,4");
        key(&mut app, KeyCode::Esc);
        let runner = app.runner().expect("back on the walk");
        assert_eq!(runner.input.value(), "23,4");
        key(&mut app, KeyCode::Enter);
        assert_eq!(here(&app), "ligne-bridee");
        // A spelled password is never offered anywhere.
        key(&mut app, KeyCode::F(4));
        while app.tools().unwrap().tool != Tool::Spell {
            key(&mut app, KeyCode::PageDown);
        }
        type_text(&mut app, "12345");
        key(&mut app, KeyCode::Esc);
        assert_eq!(here(&app), "ligne-bridee");
        assert_eq!(app.runner().unwrap().input.value(), "");
    }
}
