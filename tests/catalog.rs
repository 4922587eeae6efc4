//! The procedure catalogue: the shipped files pass the linter, the linter catches what it
//! must with file and line, and the seeds' facts are carried over exactly.

use guichet::catalog::embedded_reference;
use guichet::catalog::procedures::{embedded, load_files, parse_procedure};
use guichet::domain::procedure::{Applies, StepKind};

#[test]
fn the_shipped_catalogue_is_clean_and_complete() {
    let catalog = embedded(&embedded_reference());
    assert!(catalog.problems.is_empty(), "{:#?}", catalog.problems);
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
target = "support local"
text = "Non."
"#;

fn lint(text: &str) -> Vec<String> {
    match parse_procedure("essai.toml", text, &embedded_reference()) {
        Ok(_) => Vec::new(),
        Err(errors) => errors.iter().map(ToString::to_string).collect(),
    }
}

#[test]
fn the_linter_accepts_a_good_file() {
    assert_eq!(lint(GOOD), Vec::<String>::new());
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
        "kind = \"escalate\"\ntarget = \"support local\"",
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
        "kind = \"escalate\"\ntarget = \"support local\"\ntext = \"Non.\"",
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
