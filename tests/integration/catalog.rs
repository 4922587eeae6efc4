//! The procedure catalogue: the shipped files pass the linter, the linter catches what it
//! must with file and line, and the seeds' facts are carried over exactly.

use guichet::catalog::embedded_reference;
use guichet::catalog::procedures::{check_procedure, embedded, load_files, parse_procedure};
use guichet::domain::procedure::{Applies, StepKind};

#[test]
fn the_shipped_catalogue_is_clean_and_complete() {
    let catalog = embedded(&embedded_reference());
    assert!(catalog.problems.is_empty(), "{:#?}", catalog.problems);
    assert!(catalog.warnings.is_empty(), "{:#?}", catalog.warnings);
    let required = [
        "mi-agent-card-cryhod",
        "mi-noemi-reset-vpn",
        "mi-noemi-wifi",
        "connection-sharing",
        "mi-noemi-4g",
        "mi-noemi-migration",
        "mi-comu-login",
        "mi-nomade2",
        "mi-usb-bitlocker",
        "mi-span",
        "mi-call-centre",
        "tchap",
        "webconf-etat",
        "social-gemini",
        "social-carinae",
        "phishing-check",
        "social-collab-spaces",
        "smartphone-hygiene",
        "mtes-audio-conference",
        "mtes-web-conference",
        "mtes-collab-space",
        "mtes-messaging",
        "acn-anyconnect",
        "acn-call-forwarding",
        "acn-telemaintenance",
        "acn-printers",
        "acn-wapt",
        "acn-amigo",
        "acn-intranet",
        "acn-large-files",
        "acn-webconf",
        "acn-auto-shutdown",
        "gip-remote-reflexes",
        "gip-tools",
        "gip-connexion-wifi",
        "social-connexion-lente",
    ];
    for slug in required {
        assert!(catalog.get(slug).is_some(), "missing procedure {slug}");
    }
}

fn full_text(slug: &str) -> String {
    let catalog = embedded(&embedded_reference());
    let p = catalog.get(slug).unwrap();
    let mut t = format!("{}\n{}\n", p.title, p.summary);
    for s in &p.steps {
        t.push_str(&s.text);
        t.push('\n');
    }
    t
}

#[test]
fn facts_from_the_seeds_are_exact() {
    let facts: &[(&str, &[&str])] = &[
        ("mi-call-centre", &["01 40 07 20 00", "72000", "SETNA"]),
        ("mi-noemi-reset-vpn", &["ResetVPN"]),
        ("mi-noemi-4g", &["20"]),
        (
            "mi-comu-login",
            &["webconf.comu.minint.fr", "ac-dupontje@comu.minint.fr"],
        ),
        (
            "mi-noemi-migration",
            &[
                "Beauvau", "Oudinot", "Lumière", "Lognes", "Garance", "72000",
            ],
        ),
        (
            "mi-nomade2",
            &["1h15", "Hesperis", "https://msg.interieur.gouv.fr"],
        ),
        (
            "acn-anyconnect",
            &["portailotp.ac-caen.fr", "api.ac-rouen.fr"],
        ),
        (
            "acn-call-forwarding",
            &["*21", "*22", "*23", "*20", "*10", "*25", "*98"],
        ),
        ("acn-printers", &["172.26.66.73"]),
        ("acn-auto-shutdown", &["21h30"]),
        (
            "acn-telemaintenance",
            &["https://telemaintenance.ac-normandie.fr/start/ISLLightClient"],
        ),
        ("acn-amigo", &["assistance.ac-normandie.fr"]),
        ("phishing-check", &["urldefense.proofpoint.com"]),
    ];
    for (slug, needles) in facts {
        let text = full_text(slug);
        for n in *needles {
            assert!(text.contains(n), "{slug} should say {n:?}:\n{text}");
        }
    }
    // The COMU domain decision: never the seed's typos.
    let comu = full_text("mi-comu-login");
    for typo in ["@comun.", "comun.minint.fr", "mintint.fr"] {
        assert!(!comu.contains(typo), "{typo}");
    }
}

#[test]
fn secrets_are_marked_secret() {
    let catalog = embedded(&embedded_reference());
    let secret_records = |slug: &str| -> Vec<(bool, Option<u32>)> {
        catalog
            .get(slug)
            .unwrap()
            .steps
            .iter()
            .filter_map(|s| match &s.kind {
                StepKind::Record {
                    secret,
                    valid_for_months,
                    ..
                } => Some((*secret, *valid_for_months)),
                _ => None,
            })
            .filter(|(secret, _)| *secret)
            .collect()
    };
    assert_eq!(secret_records("mi-agent-card-cryhod"), [(true, Some(1))]);
    assert!(!secret_records("mi-nomade2").is_empty());
    assert!(
        secret_records("acn-telemaintenance").is_empty(),
        "the session code is not secret"
    );
    let cryhod = catalog.get("mi-agent-card-cryhod").unwrap();
    assert_eq!(cryhod.services, Applies::Only(vec!["mi".into()]));
}

const GOOD: &str = r#"
title = "Essai"
summary = "Une procédure d'essai."
services = ["mi"]
devices = ["*"]
keywords = ["essai"]

[[sources]]
seed = "003_153f178d6c060759.txt"
section = "Aide VPN"

[[steps]]
id = "a"
kind = "ask"
text = "Question ?"
yes = "b"
no = "c"

[[steps]]
id = "b"
kind = "say"
text = "Oui."
end = true

[[steps]]
id = "c"
kind = "escalate"
target = "RSSI de la structure"
text = "Non."
"#;

/// What `procedures lint` warns about in a file that loads (empty when it does not load).
fn warnings(text: &str) -> Vec<String> {
    match check_procedure("essai.toml", text, &embedded_reference()) {
        Ok(checked) => checked.warnings.iter().map(ToString::to_string).collect(),
        Err(_) => Vec::new(),
    }
}

fn lint(text: &str) -> Vec<String> {
    match parse_procedure("essai.toml", text, &embedded_reference()) {
        Ok(_) => Vec::new(),
        Err(errors) => errors.iter().map(ToString::to_string).collect(),
    }
}

#[test]
fn the_linter_accepts_a_good_file() {
    assert_eq!(lint(GOOD), Vec::<String>::new());
    assert_eq!(warnings(GOOD), Vec::<String>::new());
}

#[test]
fn the_linter_reports_file_and_line() {
    assert_eq!(
        lint(&GOOD.replace("yes = \"b\"", "yes = \"zz\"")),
        [
            "essai.toml:12: l'étape « a » mène à une étape inconnue « zz »",
            "essai.toml:19: l'étape « b » n'est jamais atteinte depuis la première"
        ]
    );
    assert_eq!(
        lint(&GOOD.replace("services = [\"mi\"]", "services = [\"mi\", \"police\"]")),
        ["essai.toml:4: service inconnu « police »"]
    );
    assert_eq!(
        lint(&GOOD.replace("devices = [\"*\"]", "devices = [\"minitel\"]")),
        ["essai.toml:5: poste inconnu « minitel »"]
    );
    let no_source = GOOD.replace(
        "[[sources]]\nseed = \"003_153f178d6c060759.txt\"\nsection = \"Aide VPN\"\n",
        "",
    );
    assert_eq!(
        lint(&no_source),
        ["essai.toml:1: source manquante : ajouter une table [[sources]] (seed, section)"]
    );
    let broken = GOOD.replace("kind = \"say\"", "kind = say");
    let errors = lint(&broken);
    assert_eq!(errors.len(), 1);
    assert!(
        errors[0].starts_with("essai.toml:21: TOML invalide"),
        "{errors:?}"
    );
    assert_eq!(
        lint(&GOOD.replace("kind = \"escalate\"", "kind = \"shout\"")),
        ["essai.toml:27: sorte d'étape inconnue « shout » : say, ask, check, record ou escalate"]
    );
}

#[test]
fn a_loop_without_exit_is_caught() {
    let looping = GOOD.replace("end = true", "next = \"a\"").replace(
        "kind = \"escalate\"\ntarget = \"RSSI de la structure\"",
        "kind = \"say\"\nnext = \"b\"",
    );
    let errors = lint(&looping);
    assert!(
        errors.iter().any(|e| e.contains("ne mène à aucune fin")),
        "{errors:?}"
    );
}

#[test]
fn duplicate_slugs_and_broken_files_are_skipped_not_fatal() {
    let catalog = load_files(
        [
            ("a/essai.toml".to_string(), GOOD),
            ("b/essai.toml".to_string(), GOOD),
            ("casse.toml".to_string(), "title = "),
        ],
        &embedded_reference(),
    );
    assert_eq!(catalog.procedures.len(), 1);
    let msgs: Vec<String> = catalog.problems.iter().map(ToString::to_string).collect();
    assert!(
        msgs.iter()
            .any(|m| m.starts_with("b/essai.toml:1: slug en double « essai »")),
        "{msgs:?}"
    );
    assert!(
        msgs.iter()
            .any(|m| m.starts_with("casse.toml:1: TOML invalide")),
        "{msgs:?}"
    );
}

/// GOOD with its `no` branch leading to a record step (line 27 onwards).
fn with_record(extra: &str) -> String {
    GOOD.replace(
        "kind = \"escalate\"\ntarget = \"RSSI de la structure\"\ntext = \"Non.\"",
        &format!("kind = \"record\"\nlabel = \"Numéro de ticket\"\n{extra}text = \"Non.\""),
    )
}

fn parsed(text: &str) -> guichet::domain::procedure::Procedure {
    parse_procedure("essai.toml", text, &embedded_reference()).unwrap()
}

#[test]
fn an_optional_record_step_is_read_and_misplaced_optional_is_caught_with_its_line() {
    let record = |text: &str| match &parsed(text).steps[2].kind {
        StepKind::Record { optional, .. } => *optional,
        other => panic!("{other:?}"),
    };
    assert!(!record(&with_record("")), "optional defaults to false");
    assert!(record(&with_record("optional = true\n")));
    assert!(!record(&with_record("optional = false\n")));
    // A file valid before `optional` existed is read the same.
    assert_eq!(lint(GOOD), Vec::<String>::new());

    assert_eq!(
        lint(&GOOD.replace(
            "kind = \"say\"\ntext = \"Oui.\"",
            "kind = \"say\"\noptional = true\ntext = \"Oui.\""
        )),
        ["essai.toml:22: « optional » ne s'applique qu'à une étape record : l'étape « b » est say"]
    );
    assert_eq!(
        lint(&with_record("secret = true\noptional = true\n")),
        [
            "essai.toml:30: l'étape « c » est secrète : elle ne peut pas être facultative \
             (un secret se donne à l'appelant, il ne se saute pas)"
        ]
    );
    let errors = lint(&with_record("optional = \"oui\"\n"));
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with("essai.toml:29: TOML invalide"),
        "{errors:?}"
    );
}

#[test]
fn the_steps_whose_label_says_facultatif_are_optional() {
    use guichet::domain::text::fold;
    let catalog = embedded(&embedded_reference());
    let nomade = catalog.get("mi-nomade2").unwrap();
    let step = &nomade.steps[nomade.step_index("reference-certificat").unwrap()];
    assert!(
        matches!(
            &step.kind,
            StepKind::Record { label, optional: true, secret: false, .. }
                if label == "Référence du certificat (facultatif)"
        ),
        "{step:?}"
    );
    let mut optional = 0;
    for p in &catalog.procedures {
        for s in &p.steps {
            if let StepKind::Record {
                label, optional: o, ..
            } = &s.kind
            {
                assert_eq!(
                    fold(label).contains("facultati"),
                    *o,
                    "{} « {} »: the label and `optional` must agree",
                    p.slug,
                    s.id
                );
                optional += usize::from(*o);
            }
        }
    }
    assert!(optional >= 1);
}

#[test]
fn a_procedure_names_the_tool_it_opens() {
    use guichet::domain::tool::ToolKind;
    let catalog = embedded(&embedded_reference());
    let tools: Vec<(&str, ToolKind)> = catalog
        .procedures
        .iter()
        .filter_map(|p| p.tool.map(|t| (p.slug.as_str(), t)))
        .collect();
    assert_eq!(
        tools,
        [
            ("acn-amigo", ToolKind::Amigo),
            ("acn-call-forwarding", ToolKind::Xivo),
            ("acn-printers", ToolKind::Printer),
            ("acn-telemaintenance", ToolKind::Telemaintenance),
            ("mi-agent-card-cryhod", ToolKind::Spell),
            ("mi-comu-login", ToolKind::Comu),
            ("mi-noemi-4g", ToolKind::Quota),
            ("mi-nomade2", ToolKind::Spell),
        ]
    );
    assert_eq!(parsed(GOOD).tool, None, "no tool unless the file names one");
    let with_tool = |slug: &str| {
        GOOD.replace(
            "keywords = [\"essai\"]",
            &format!("keywords = [\"essai\"]\ntool = \"{slug}\""),
        )
    };
    for kind in ToolKind::ALL {
        assert_eq!(parsed(&with_tool(kind.slug())).tool, Some(kind));
    }
    assert_eq!(
        lint(&with_tool("fax")),
        [
            "essai.toml:7: outil inconnu « fax » : printer, comu, spell, amigo, cryhod, quota, xivo ou telemaintenance"
        ]
    );
    assert_eq!(
        lint(&with_tool("Printer")),
        [
            "essai.toml:7: outil inconnu « Printer » : printer, comu, spell, amigo, cryhod, quota, xivo ou telemaintenance"
        ]
    );
}

// ---------------------------------------------------------------------------------------
// Branches that lead somewhere: each test walks the path a caller takes, with the moves an
// operator makes at each step, and asserts that the step reached says the guide's fact.

use chrono::{TimeZone, Utc};
use guichet::domain::procedure::{Procedure, Successor};
use guichet::domain::text::fold;
use guichet::domain::walk::{Move, Walk};

fn shipped(slug: &str) -> Procedure {
    embedded(&embedded_reference())
        .get(slug)
        .unwrap_or_else(|| panic!("no procedure {slug}"))
        .clone()
}

/// Walks `slug` from its first step with `moves`; every move must fit the step it is made
/// at (an answer at a question, a confirmation at a say or check step...).
fn walk(slug: &str, moves: &[Move]) -> Walk {
    let at = Utc.with_ymd_and_hms(2026, 11, 23, 8, 41, 0).unwrap();
    let mut w = Walk::start(shipped(slug));
    for (n, mv) in moves.iter().enumerate() {
        let id = w.current.map(|i| w.procedure.steps[i].id.clone());
        assert!(
            w.apply(mv, at).is_some(),
            "{slug}: move {n} ({mv:?}) does not fit the step {id:?}"
        );
    }
    w
}

/// The id and text of the step the walk stands at.
fn here(w: &Walk) -> (&str, &str) {
    let s = &w.procedure.steps[w.current.expect("the walk is finished")];
    (s.id.as_str(), s.text.as_str())
}

/// The texts of the steps done so far, in order.
fn done_texts(w: &Walk) -> Vec<&str> {
    w.done
        .iter()
        .map(|&i| w.procedure.steps[i].text.as_str())
        .collect()
}

/// Every path from the step `from` to an end of the procedure, as step indices.
fn paths_from(p: &Procedure, from: &str) -> Vec<Vec<usize>> {
    fn go(p: &Procedure, i: usize, path: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
        if path.contains(&i) {
            return; // a loop is not a way to an end
        }
        path.push(i);
        for s in p.successors(i) {
            match s {
                Successor::Step(j) => go(p, j, path, out),
                Successor::End => out.push(path.clone()),
                Successor::Missing => panic!("{}: step {} leads nowhere", p.slug, p.steps[i].id),
            }
        }
        path.pop();
    }
    let start = p
        .step_index(from)
        .unwrap_or_else(|| panic!("{}: no step {from}", p.slug));
    let mut out = Vec::new();
    go(p, start, &mut Vec::new(), &mut out);
    assert!(!out.is_empty(), "{}: no end after {from}", p.slug);
    out
}

/// Every way on from `from` gives a step whose text contains `needle`.
fn every_path_says(slug: &str, from: &str, needle: &str) {
    let p = shipped(slug);
    for path in paths_from(&p, from) {
        let ids: Vec<&str> = path.iter().map(|&i| p.steps[i].id.as_str()).collect();
        assert!(
            path.iter().any(|&i| p.steps[i].text.contains(needle)),
            "{slug}: the path {ids:?} never says {needle:?}"
        );
    }
}

fn step_text<'a>(p: &'a Procedure, id: &str) -> &'a str {
    let i = p
        .step_index(id)
        .unwrap_or_else(|| panic!("{}: no step {id}", p.slug));
    &p.steps[i].text
}

#[test]
fn a_removable_media_not_yet_declared_still_gets_bitlocker() {
    use Move::*;
    // Not Linux, protection on, not declared: the RSSI declares it, then BitLocker.
    let to_rssi = [Confirm, Answer(false), Answer(true), Answer(false)];
    let w = walk("mi-usb-bitlocker", &to_rssi);
    assert_eq!(here(&w).0, "rssi-declaration");
    let declared = [&to_rssi[..], &[Escalate, Answer(true)]].concat();
    let w = walk("mi-usb-bitlocker", &declared);
    assert_eq!(
        here(&w),
        (
            "activer-bitlocker",
            step_text(&w.procedure, "activer-bitlocker")
        )
    );
    assert!(
        here(&w).1.contains("« Activer BitLocker »"),
        "{}",
        here(&w).1
    );
    let w = walk(
        "mi-usb-bitlocker",
        &[
            &declared[..],
            &[Confirm, Confirm, Confirm, Confirm, Confirm],
        ]
        .concat(),
    );
    assert!(
        here(&w).1.contains("« Démarrer le chiffrement »"),
        "{}",
        here(&w).1
    );
    // Declared later, after the call: the caller still hears the BitLocker steps.
    let later = walk(
        "mi-usb-bitlocker",
        &[&to_rssi[..], &[Escalate, Answer(false)]].concat(),
    );
    assert!(
        here(&later).1.contains("« Activer BitLocker »"),
        "{}",
        here(&later).1
    );
    // Whatever happens after the escalation, BitLocker (guide 003, « Étape 2 ») is given.
    every_path_says(
        "mi-usb-bitlocker",
        "rssi-declaration",
        "« Activer BitLocker »",
    );
    every_path_says(
        "mi-usb-bitlocker",
        "protection-active",
        "« Activer BitLocker »",
    );
}

#[test]
fn every_forwarding_path_says_how_to_cancel_it_with_star_20() {
    use Move::*;
    let w = walk(
        "acn-call-forwarding",
        &[Answer(true), Answer(true), Confirm],
    );
    assert!(done_texts(&w)[2].contains("*21"));
    assert!(here(&w).1.contains("*20"), "{}", here(&w).1);
    for from in ["renvoi-immediat", "renvoi-non-reponse", "renvoi-occupation"] {
        every_path_says("acn-call-forwarding", from, "*20");
    }
}

#[test]
fn a_pc_unlocked_by_a_colleague_is_then_logged_in_with_the_windows_password() {
    use Move::*;
    // Card not at hand, a colleague unlocks: then Windows with the usual login and
    // password instead of the card (guide 003, Aide Carte Agent, step 4).
    let w = walk(
        "mi-agent-card-cryhod",
        &[Answer(false), Answer(true), Confirm],
    );
    assert_eq!(here(&w).0, "carte-perdue");
    assert!(
        done_texts(&w)
            .iter()
            .any(|t| t
                .contains("session Windows avec son identifiant et son mot de passe habituels")),
        "{:#?}",
        done_texts(&w)
    );
    every_path_says(
        "mi-agent-card-cryhod",
        "collegue-present",
        "session Windows avec son identifiant et son mot de passe habituels",
    );
}

#[test]
fn an_interior_caller_sharing_a_connection_is_never_sent_to_carinae() {
    use Move::*;
    let p = shipped("connection-sharing");
    let first = &p.steps[0];
    assert!(
        matches!(first.kind, StepKind::Ask { .. }) && first.text.contains("ministères sociaux"),
        "the service is asked first: {first:?}"
    );
    // Not the ministères sociaux: nothing reachable mentions their portals.
    let StepKind::Ask { no, .. } = &first.kind else {
        unreachable!()
    };
    for path in paths_from(&p, no) {
        for &i in &path {
            let t = fold(&p.steps[i].text);
            assert!(
                !t.contains("carinae") && !t.contains("gemini"),
                "{} reached by an Interior caller: {}",
                p.steps[i].id,
                p.steps[i].text
            );
        }
    }
    // Interior, no connection, neither a NOEMI nor a SPAN: the guide says nothing; the
    // call centre is given.
    let w = walk(
        "connection-sharing",
        &[Answer(false), Answer(false), Answer(false), Answer(false)],
    );
    let (id, text) = here(&w);
    assert!(
        matches!(
            w.procedure.steps[w.current.unwrap()].kind,
            StepKind::Escalate { .. }
        ),
        "{id}"
    );
    assert!(
        text.contains("01 40 07 20 00") && text.contains("ne dit rien"),
        "{text}"
    );
    // Interior on a NOEMI with an iPhone: the iPhone path, then the NOEMI Wi-Fi.
    let w = walk(
        "connection-sharing",
        &[
            Answer(false),
            Answer(false),
            Answer(true),
            Answer(true),
            Confirm,
        ],
    );
    assert_eq!(here(&w).0, "noemi-wifi");
    // Ministères sociaux, DRDJSCS: CARINAE with the « SD » login.
    let w = walk(
        "connection-sharing",
        &[Answer(true), Answer(false), Confirm, Confirm, Answer(false)],
    );
    assert!(here(&w).1.contains("CARINAE") && here(&w).1.contains("« SD »"));
}

#[test]
fn nomade2_certificates_received_go_to_installation_and_generation_asks_for_the_rgt() {
    use Move::*;
    // Certificates already received (the guide's exceptional « COVID-19 » procedure):
    // straight to their installation in the browser.
    let w = walk("mi-nomade2", &[Answer(false), Answer(true)]);
    assert_eq!(here(&w).0, "installer-certificats");
    assert!(here(&w).1.contains("navigateur web"));
    // Confirmation mail received, not sure about the network: the RGT is asked.
    let w = walk("mi-nomade2", &[Answer(false), Answer(false), Answer(true)]);
    assert_eq!(here(&w).0, "sur-rgt");
    let rgt = walk(
        "mi-nomade2",
        &[Answer(false), Answer(false), Answer(true), Answer(true)],
    );
    assert_eq!(here(&rgt).0, "generer-certificat");
    let off = walk(
        "mi-nomade2",
        &[Answer(false), Answer(false), Answer(true), Answer(false)],
    );
    assert!(here(&off).1.contains("01 40 07 20 00"), "{}", here(&off).1);
    // No way to the generation (« depuis le RGT ») skips a question about the RGT.
    let p = shipped("mi-nomade2");
    let generation = p.step_index("generer-certificat").unwrap();
    assert!(
        p.steps[generation]
            .text
            .contains("https://certif.messagerie.si.mi/")
    );
    for path in paths_from(&p, &p.steps[0].id) {
        let Some(at) = path.iter().position(|&i| i == generation) else {
            continue;
        };
        assert!(
            path[..at].iter().any(|&i| {
                matches!(p.steps[i].kind, StepKind::Ask { .. }) && p.steps[i].text.contains("RGT")
            }),
            "{:?}",
            path.iter().map(|&i| &p.steps[i].id).collect::<Vec<_>>()
        );
    }
}

#[test]
fn a_failed_comu_login_goes_to_the_call_centre() {
    use Move::*;
    let w = walk(
        "mi-comu-login",
        &[
            Confirm,
            Answer(false),
            Confirm,
            Confirm,
            Answer(false),
            Confirm,
            Answer(false),
        ],
    );
    let (_, text) = here(&w);
    assert!(text.contains("01 40 07 20 00"), "{text}");
    assert!(matches!(
        w.procedure.steps[w.current.unwrap()].kind,
        StepKind::Escalate { .. }
    ));
}

#[test]
fn noemi_difficulties_go_to_setna_or_72000() {
    use Move::*;
    // VPN: icon not blue, network connected, still no VPN.
    let w = walk(
        "mi-noemi-reset-vpn",
        &[Confirm, Answer(false), Answer(true)],
    );
    // Wi-Fi: « Pas d'internet sécurisé » never shows.
    let wifi = walk(
        "mi-noemi-wifi",
        &[
            Confirm,
            Confirm,
            Confirm,
            Confirm,
            Confirm,
            Answer(false),
            Confirm,
            Answer(false),
        ],
    );
    for w in [w, wifi] {
        let step = &w.procedure.steps[w.current.unwrap()];
        let StepKind::Escalate { target } = &step.kind else {
            panic!("{step:?}")
        };
        let all = format!("{target} {}", step.text);
        assert!(all.contains("SETNA") && all.contains("72000"), "{all}");
    }
}

#[test]
fn amigo_asks_no_school_period_and_reads_the_hours_the_console_shows() {
    use Move::*;
    let p = shipped("acn-amigo");
    let ids: Vec<&str> = p.steps.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "point-entree",
            "encadre",
            "urgence",
            "type-etablissement",
            "urgence-lycees",
            "urgence-autres",
            "horaires-amigo",
            "inscrire-demande",
        ]
    );
    for s in &p.steps {
        if matches!(s.kind, StepKind::Ask { .. }) {
            assert!(!fold(&s.text).contains("scolaire"), "{}: {}", s.id, s.text);
        }
    }
    // Not urgent: the operator reads the hours the console shows (F4 → AMIGO).
    let w = walk("acn-amigo", &[Confirm, Confirm, Answer(false)]);
    let (id, text) = here(&w);
    assert_eq!(id, "horaires-amigo");
    assert!(matches!(p.steps[w.current.unwrap()].kind, StepKind::Say));
    assert!(text.contains("F4") && text.contains("AMIGO"), "{text}");
    // The guide's two sets of hours stay written, for when the console cannot tell.
    for hours in ["8h à 17h", "8h à 13h", "9h à 12h30", "13h30 à 17h"] {
        assert!(text.contains(hours), "{hours}: {text}");
    }
    // Urgent: the numbers, whatever the hour (the guide gives them without hours).
    let w = walk("acn-amigo", &[Confirm, Confirm, Answer(true), Answer(true)]);
    assert!(here(&w).1.contains("09 70 80 97 97"));
    let w = walk(
        "acn-amigo",
        &[Confirm, Confirm, Answer(true), Answer(false)],
    );
    assert!(here(&w).1.contains("0806 000 488") && here(&w).1.contains("0810 14 50 61"));
    for s in ["urgence-lycees", "urgence-autres"] {
        assert!(!fold(step_text(&p, s)).contains("ferm"), "{s}");
    }
}

#[test]
fn an_escalation_that_names_no_contact_is_warned_about_and_still_loads() {
    let with = |target: &str, text: &str| {
        GOOD.replace(
            "target = \"RSSI de la structure\"",
            &format!("target = {target:?}"),
        )
        .replace("text = \"Non.\"", &format!("text = {text:?}"))
    };
    let message = "essai.toml:25: l'étape « c » (escalate) ne dit pas où transmettre l'appel : \
                   donner un numéro, une adresse ou un service nommé (RSSI, SETNA, AMIGO, \
                   Hot-Line...), ou écrire « le guide ne donne pas de contact »";
    // A rule added after the format was documented: the file loads, lint warns.
    let local = with("Support informatique local", "Non.");
    assert_eq!(warnings(&local), [message]);
    assert_eq!(lint(&local), Vec::<String>::new());
    let niveau_2 = with("Niveau 2", "Transmettre au niveau 2.");
    assert_eq!(lint(&niveau_2), Vec::<String>::new());
    assert_eq!(warnings(&niveau_2), [message]);
    let catalog = load_files(
        [("essai.toml".to_string(), niveau_2.as_str())],
        &embedded_reference(),
    );
    assert_eq!(catalog.procedures.len(), 1, "{:?}", catalog.problems);
    assert!(catalog.problems.is_empty());
    assert_eq!(catalog.warnings.len(), 1);
    // Neither codes, durations, years nor addresses of nothing are contacts.
    for text in [
        "Composer *21.",
        "Attendre 1h15.",
        "Depuis 2026.",
        "Voir la procédure.",
    ] {
        assert_eq!(warnings(&with("support local", text)), [message], "{text}");
    }
    for (target, text) in [
        ("Support informatique local", "Appeler le 72000."),
        ("Support informatique local", "Appeler le 01 40 07 20 00."),
        ("Support informatique local", "Appeler le 01-40-07-2000."),
        (
            "Support",
            "Inscrire la demande sur http://assistance.ac-normandie.fr/.",
        ),
        (
            "Support",
            "Écrire à soutien-it.ac@developpement-durable.gouv.fr.",
        ),
        ("Ticket SETNA", "Non."),
        ("Référent SSI", "Non."),
        ("Hot-Line", "Non."),
        ("Hotline : révocation de la carte", "Non."),
        ("Centre d'appel du ministère", "Non."),
        ("Gestionnaire local", "Le guide ne donne pas de contact."),
    ] {
        assert_eq!(
            warnings(&with(target, text)),
            Vec::<String>::new(),
            "{target} / {text}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// Facts that are nobody's: what no guide says is gone or marked as the desk's own.

/// A step's text cut at « Conseil du guichet : »: what the guides say, then the desk's
/// own advice (empty when there is none).
fn guide_and_desk(text: &str) -> (&str, &str) {
    match text.find("Conseil du guichet :") {
        Some(i) => text.split_at(i),
        None => (text, ""),
    }
}

#[test]
fn what_to_use_past_the_webconf_and_tixeo_limits_is_the_desks_advice() {
    let webconf = shipped("webconf-etat");
    let (guide, desk) = guide_and_desk(step_text(&webconf, "limite-12"));
    assert!(guide.contains("12 participants simultanés"), "{guide}");
    assert!(
        !guide.contains("WEBEX") && !guide.contains("social-webex"),
        "{guide}"
    );
    assert!(desk.contains("social-webex"), "{desk}");
    let mtes = shipped("mtes-web-conference");
    let (guide, desk) = guide_and_desk(step_text(&mtes, "tixeo"));
    assert!(guide.contains("10 utilisateurs maximum"), "{guide}");
    assert!(
        !fold(guide).contains("revenir a la webconference"),
        "{guide}"
    );
    assert!(fold(guide).contains("le guide ne dit pas"), "{guide}");
    assert!(!desk.is_empty());
    // WEBEX's own file does not claim the guide makes it the fallback past 12.
    let webex = shipped("social-webex");
    let notes = webex.editor_notes.unwrap();
    assert!(notes.contains("conseil du guichet"), "{notes}");
}

#[test]
fn the_state_network_is_not_said_to_include_a_laptops_vpn() {
    let catalog = embedded(&embedded_reference());
    for p in &catalog.procedures {
        for s in &p.steps {
            let t = fold(&s.text);
            if t.contains("(rie)") {
                assert!(
                    !t.contains("par le vpn") && !t.contains("(vpn de son poste"),
                    "{} « {} »: {}",
                    p.slug,
                    s.id,
                    s.text
                );
            }
        }
    }
    let webconf = shipped("webconf-etat");
    let asked = fold(step_text(&webconf, "reseau-etat"));
    assert!(asked.contains("ne dit pas si"), "{asked}");
}

#[test]
fn the_desks_advice_is_marked_the_same_way_everywhere() {
    // One convention (db/procedures/README.md): « Conseil du guichet : » in a step's text,
    // written the same way each time so that an operator and a search both find it.
    let catalog = embedded(&embedded_reference());
    let mut marked = 0;
    for p in &catalog.procedures {
        for s in &p.steps {
            let loose = fold(&s.text).matches("conseil du guichet").count();
            let exact = s.text.matches("Conseil du guichet : ").count();
            assert_eq!(loose, exact, "{} « {} »: {}", p.slug, s.id, s.text);
            marked += exact;
            // A reading, a rule or a bound of the desk's: « (lecture du guichet : …) »,
            // lower case, inside the sentence it qualifies.
            for mark in [
                "lecture du guichet",
                "regle du guichet",
                "limite du guichet",
            ] {
                let loose = fold(&s.text).matches(mark).count();
                let exact = fold(&s.text).matches(&format!("({mark} : ")).count()
                    + fold(&s.text).matches(&format!("; {mark} : ")).count();
                assert_eq!(loose, exact, "{} « {} »: {}", p.slug, s.id, s.text);
                assert!(
                    !s.text.contains("Lecture du guichet")
                        && !s.text.contains("Règle du guichet")
                        && !s.text.contains("Limite du guichet"),
                    "{} « {} »: {}",
                    p.slug,
                    s.id,
                    s.text
                );
            }
        }
    }
    assert!(marked >= 3, "{marked}");
}

#[test]
fn only_the_calendar_rows_checked_against_the_published_calendar_say_so() {
    let cal = guichet::catalog::calendar::embedded_calendar();
    let mut seen = 0;
    for h in &cal.holidays {
        match h.school_year.as_str() {
            // Checked against several published copies (reference table).
            "2025-2026" => assert!(h.checked, "{} {}", h.name, h.school_year),
            // Not checked against the official decree.
            "2026-2027" => assert!(!h.checked, "{} {}", h.name, h.school_year),
            _ => continue,
        }
        seen += 1;
    }
    assert_eq!(seen, 10);
}

#[test]
fn the_readme_template_escalates_card_revocation_to_the_hot_line() {
    let readme = include_str!("../../db/procedures/README.md");
    let start = readme.find("```toml\n").unwrap() + "```toml\n".len();
    let end = start + readme[start..].find("```").unwrap();
    let template: toml::Value = toml::from_str(&readme[start..end]).unwrap();
    let revocation = template["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"].as_str() == Some("revocation"))
        .unwrap();
    let target = revocation["target"].as_str().unwrap();
    assert!(target.contains("Hot-Line"), "{target}");
    assert!(!target.contains("RSIM"), "{target}");
}

/// The headings of the guides the catalogue and the sets written from the guides
/// (`relevance_guide_sets`) cite, as written in the seeds (checked against the seed files by
/// `the_cited_headings_are_in_the_seeds` when they are at hand).
const SEED_HEADINGS: &[(&str, &[&str])] = &[
    (
        "000_d5abb56c715b756f.txt",
        &[
            "Utilisation des outils numériques",
            "Comment accéder à distance à votre environnement numérique de travail?",
            "Accès distants pour les DIRECCTE",
            "Accès distants pour les DRDJSCS",
            "Comment créer vos espaces numériques collaboratifs ?",
            "Comment organiser des réunions en audio et/ou en vidéo conférence ?",
            "Comment échanger avec une messagerie instantanée ?",
            "Où puis-je trouver l'offre de services numériques ? Comment en bénéficier ?",
            "Que faire en cas de difficultés liées à vos équipements ?",
            "Quelles bonnes pratiques ?",
            "Quelles bonnes pratiques d'utilisation pour son smartphone professionnel ?",
        ],
    ),
    (
        "001_1cd43477181311d7.txt",
        &[
            "Je veux organiser ou participer à une audio conférence",
            "Je veux organiser ou participer à une web conférence",
            "Je veux travailler sur un espace de travail collaboratif",
            "Je veux utiliser un service de messagerie",
            "Les offres numériques préconisées, alternatives ou de secours",
        ],
    ),
    (
        "002_3545f6e10c51b1c1.txt",
        &[
            "Particularités communes aux SA Normands",
            "1- Accéder aux dossiers partagés et aux applications métiers (cyclades, toasca, epp, ocean, agora, ...) en dehors des services académiques",
            "2- La téléphonie",
            "3- Accès à l'intranet",
            "4- Envoyer des fichiers volumineux",
            "5- Utilisation des webconférences",
            "6- Utilisation d'une messagerie instantanée et sécurisée",
            "7- Espaces collaboratifs",
            "8- Dispositif d'assistance académique",
            "9- La télémaintenance",
            "10- Impressions",
            "11- Outils Académiques",
            "12- Installer un logiciel avec WAPT Self Service",
            "13- Extinction automatique des postes",
            "14- Outils numériques du ministère de l'Education Nationale",
        ],
    ),
    (
        "003_153f178d6c060759.txt",
        &[
            "Présentation générale sur les outils de télétravail au ministère de l'intérieur",
            "SPAN",
            "J-7",
            "Jour - J",
            "Après J + 1",
            "Guide de prise en main du poste NOEMI",
            "Aide VPN",
            "Aide Carte Agent",
            "Renseignements",
            "Aide connexion Wi-Fi",
            "Partage de connexion",
            "Aide 4G",
            "COMU",
            "1 Je me connecte à l'Outil de Webconférence",
            "3 Passer un Appel",
            "NOMADE 2",
            "Mise en place du service",
            "LES SUPPORTS AMOVIBLES",
            "TCHAP",
            "JITSI",
            "BONNES PRATIQUES POUR UN USAGE D'INTERNET EN TÉLÉTRAVAIL",
        ],
    ),
    (
        "004_a5ea30a1e6417b83.txt",
        &[
            "TELETRAVAIL : LES BONS REFLEXES",
            "1. Accès aux applications du quotidien :",
            "2. Communication et travail collaboratif :",
            "a. Communication avec vos usagers",
            "b. Management",
            "c. Collaboration plus avancée",
            "Pour aller plus loin :",
        ],
    ),
];

pub(crate) fn is_seed_heading(seed: &str, section: &str) -> bool {
    SEED_HEADINGS
        .iter()
        .any(|(s, headings)| *s == seed && headings.contains(&section))
}

#[test]
fn every_source_names_a_real_heading_of_its_guide() {
    let catalog = embedded(&embedded_reference());
    for p in &catalog.procedures {
        for s in &p.sources {
            assert!(
                is_seed_heading(&s.seed, &s.section),
                "{}: « {} » is not a heading of {}",
                p.slug,
                s.section,
                s.seed
            );
        }
    }
    let services: toml::Value = toml::from_str(guichet::catalog::SERVICES_TOML).unwrap();
    let services = services["services"].as_array().unwrap();
    assert!(services.len() >= 7, "{}", services.len());
    for service in services {
        let slug = service["slug"].as_str().unwrap();
        let source = service
            .get("source")
            .unwrap_or_else(|| panic!("service {slug} cites no guide"));
        let (seed, section) = (
            source["seed"].as_str().unwrap(),
            source["section"].as_str().unwrap(),
        );
        assert!(
            is_seed_heading(seed, section),
            "service {slug}: « {section} » is not a heading of {seed}"
        );
    }
}

/// Where the seeds are at hand (GUICHET_SEEDS, or the shared folder of the desk's build
/// machine), every heading listed above is a whole line of its seed, markdown marks aside.
#[test]
fn the_cited_headings_are_in_the_seeds() {
    let dir = std::env::var("GUICHET_SEEDS").unwrap_or_else(|_| "/work/shared/seeds".into());
    let dir = std::path::Path::new(&dir);
    if !dir.is_dir() {
        eprintln!("seeds not found in {}: headings not checked", dir.display());
        return;
    }
    for (seed, headings) in SEED_HEADINGS {
        let text = std::fs::read_to_string(dir.join(seed)).unwrap();
        let lines: Vec<String> = text
            .lines()
            .map(|l| {
                l.trim_start_matches(['#', ' ', '\t'])
                    .trim()
                    .trim_matches('*')
                    .trim()
                    .to_string()
            })
            .collect();
        for h in *headings {
            assert!(lines.iter().any(|l| l == h), "{seed}: no heading « {h} »");
        }
    }
}

#[test]
fn a_file_saved_with_windows_line_ends_or_tabs_still_loads() {
    // Valid under the documented format before control characters were refused (a tab or
    // the CR of a Windows line end is what an editor writes): they load, a tab is read as a
    // space, and lint says so; the characters that could drive a terminal stay refused.
    let multi = GOOD.replace(
        "text = \"Oui.\"",
        "text = \"\"\"\nOui,\n\tle guide le dit.\"\"\"",
    );
    let crlf = multi.replace('\n', "\r\n");
    for file in [&multi, &crlf] {
        let p = parsed(file);
        assert_eq!(p.steps[1].text, "Oui,\n le guide le dit.", "{file:?}");
    }
    assert_eq!(
        warnings(&multi),
        ["essai.toml:22: caractère de tabulation dans « text » : lu comme une espace"]
    );
    let escape = GOOD.replace("text = \"Oui.\"", "text = \"Oui\\u001b[2J.\"");
    assert_eq!(
        lint(&escape),
        [
            "essai.toml:22: caractère de contrôle ou invisible U+001B dans « text » : le retirer \
             (il pourrait piloter le terminal de l'opérateur ou masquer du texte)"
        ]
    );
}

// ---------------------------------------------------------------------------------------
// True to its guides (issue 23's audit): each finding, the words that must be there and
// the words that must not.

/// Title, summary, editor notes and every step of a shipped procedure.
fn everything(slug: &str) -> String {
    let p = shipped(slug);
    format!(
        "{}\n{}\n{}",
        full_text(slug),
        p.editor_notes.clone().unwrap_or_default(),
        p.keywords.join("\n")
    )
}

#[test]
fn no_detail_the_guides_do_not_give_is_stated_as_theirs() {
    // phishing-check: guide 000 describes its own mail's link checking; no guide says the
    // other services' mail does not check links.
    let p = shipped("phishing-check");
    let asked = step_text(&p, "ministeres-sociaux");
    assert!(!asked.contains("celles des autres services non"), "{asked}");
    assert!(
        asked.contains("les guides des autres services n'en parlent pas"),
        "{asked}"
    );
    // social-gemini: guide 000 gives OWA « Si vous n'êtes pas équipés d'un ordinateur
    // portable professionnel »; it never says GEMINI cannot be used without one.
    let gemini = step_text(&shipped("social-gemini"), "repli-owa").to_string();
    assert!(!gemini.contains("n'est pas utilisable"), "{gemini}");
    assert!(gemini.contains("Outlook Web Access (OWA)"), "{gemini}");
    // acn-telemaintenance: guide 002, « L'outil de prise de main à distance est l'outil
    // académique : ISL Online »; « ISL Light » is nowhere in it (only the download
    // address ends in ISLLightClient).
    let tele = shipped("acn-telemaintenance");
    assert!(tele.title.contains("ISL Online"), "{}", tele.title);
    let words = full_text("acn-telemaintenance").replace("ISLLightClient", "");
    assert!(!words.contains("ISL Light"), "{words}");
    let notes = tele.editor_notes.unwrap();
    assert!(!notes.contains("ISL Light est le client"), "{notes}");
    // phishing-check cites guide 004 for « Sollicitez également votre service informatique
    // habituel ou vos prestataires », which is in « c. Collaboration plus avancée ».
    let cited: Vec<(&str, &str)> = p
        .sources
        .iter()
        .map(|s| (s.seed.as_str(), s.section.as_str()))
        .collect();
    assert!(
        cited.contains(&("004_a5ea30a1e6417b83.txt", "c. Collaboration plus avancée")),
        "{cited:?}"
    );
    assert!(
        !cited.contains(&("004_a5ea30a1e6417b83.txt", "b. Management")),
        "{cited:?}"
    );
}

#[test]
fn the_desks_own_advice_rules_and_readings_are_marked_as_the_desks() {
    // (procedure, step, words the guide does not give): they may only stand after
    // « Conseil du guichet : », or inside « (règle du guichet : …) ».
    let desk_only: &[(&str, &str, &str)] = &[
        ("phishing-check", "ne-pas-cliquer", "pièce jointe"),
        ("acn-anyconnect", "passcode", "dicter"),
        ("acn-auto-shutdown", "precaution", "enregistrer son travail"),
        ("acn-telemaintenance", "verifier-code", "nouveau code"),
        (
            "gip-remote-reflexes",
            "poste-compatible",
            "autre navigateur",
        ),
        (
            "gip-remote-reflexes",
            "compte-partage",
            "récupérer le mot de passe",
        ),
        ("mi-usb-bitlocker", "mot-de-passe", "ne pas le demander"),
        (
            "tchap",
            "securite",
            "ne pas mettre d'informations sensibles",
        ),
        ("social-webex", "participer", "redemander"),
        (
            "mtes-audio-conference",
            "autre-telephone",
            "Proposer le service",
        ),
        ("mi-nomade2", "attendre", "rappeler"),
        ("mi-agent-card-cryhod", "mot-de-passe-cryhod", "nulle part"),
        (
            "mi-nomade2",
            "mot-de-passe-certificat",
            "Ne jamais l'écrire",
        ),
        (
            "webconf-etat",
            "creation-impossible",
            "demander à un organisateur",
        ),
    ];
    for (slug, step, words) in desk_only {
        let p = shipped(slug);
        let text = step_text(&p, step);
        let (guide, desk) = guide_and_desk(text);
        let rule = text.find("(règle du guichet :").map_or("", |i| &text[i..]);
        let guide = guide.split("(règle du guichet :").next().unwrap();
        assert!(
            !fold(guide).contains(&fold(words)),
            "{slug} « {step} »: « {words} » is the desk's, not the guide's: {text}"
        );
        assert!(
            fold(desk).contains(&fold(words)) || fold(rule).contains(&fold(words)),
            "{slug} « {step} »: « {words} » should be kept, marked: {text}"
        );
    }
    // Words no guide gives, gone.
    let gone: &[(&str, &str)] = &[
        ("mi-call-centre", "transférer l'appel"),
        ("mi-noemi-migration", "le créer pour l'agent"),
        ("gip-tools", "suffit"),
    ];
    for (slug, words) in gone {
        let text = full_text(slug);
        assert!(!text.contains(words), "{slug}: « {words} »:\n{text}");
    }
}

#[test]
fn the_facts_the_guides_give_for_these_callers_are_there() {
    let catalog = embedded(&embedded_reference());
    let for_service = |service: &str| -> String {
        catalog
            .procedures
            .iter()
            .filter(|p| matches!(&p.services, Applies::Only(s) if s.iter().any(|x| x == service)))
            .map(|p| full_text(&p.slug))
            .collect::<Vec<_>>()
            .join("\n")
    };
    // Guide 000, « Quelles bonnes pratiques ? »: « Limitez l'utilisation d'internet sur vos
    // postes de travail, et particulièrement les vidéos, pour éviter la surcharge du
    // réseau. »
    for service in ["social-direccte", "social-drdjscs"] {
        let text = for_service(service);
        assert!(
            text.contains("particulièrement les vidéos") && text.contains("surcharge du réseau"),
            "{service}"
        );
    }
    // Guide 004, « Pour aller plus loin : ».
    let gip = for_service("gip-tn");
    for address in [
        "https://www.arcep.fr/demarches-et-services/utilisateurs/teletravail-et-connexion-internet.html",
        "https://www.francedigitale.org/actu-europe/coronavirus-tous-les-outils-et-contacts-dont-vous-aurez-besoin/",
        "https://www.fun-mooc.fr/news/fun-ouvre-ses-archives/",
    ] {
        assert!(gip.contains(address), "{address}");
    }
    // Guide 003, « SPAN »: its ways to connect, in connection-sharing too.
    let sharing = everything("connection-sharing");
    for fact in [
        "Ethernet",
        "box internet",
        "Domino Airbox 3G/4G",
        "Opache 4",
    ] {
        assert!(sharing.contains(fact), "{fact}");
    }
}

#[test]
fn the_authors_version_leads_the_content_hash() {
    let plain = parsed(GOOD);
    let hash = plain.version();
    assert_eq!(hash.len(), 8, "{hash}");
    assert!(hash.chars().all(|c| c.is_ascii_hexdigit()), "{hash}");
    let versioned = parsed(&GOOD.replace(
        "keywords = [\"essai\"]",
        "keywords = [\"essai\"]\nversion = \"2.1\"",
    ));
    assert_eq!(versioned.version.as_deref(), Some("2.1"));
    assert_eq!(versioned.version(), format!("2.1+{hash}"));
    // Any change to what the procedure says changes the hash.
    let changed = parsed(&GOOD.replace("text = \"Oui.\"", "text = \"Oui, merci.\""));
    assert_ne!(changed.version(), hash);
}

#[test]
fn a_version_that_would_blur_the_hash_is_refused_with_its_line() {
    let text = GOOD.replace(
        "keywords = [\"essai\"]",
        "keywords = [\"essai\"]\nversion = \"2.1+x\"",
    );
    assert_eq!(
        lint(&text),
        vec![
            "essai.toml:7: version invalide « 2.1+x » : attendu 1 à 20 lettres, chiffres, \
             points, tirets ou soulignés (comme 2.1)"
                .to_string()
        ]
    );
}
