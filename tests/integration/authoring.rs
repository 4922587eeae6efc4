//! Authoring without fear (issue 24): `procedures simulate` lists every path of a
//! procedure with its end, `procedures new` writes a skeleton that passes lint, and a
//! procedure names who maintains it (`owner`).

use crate::common::desk::Desk;
use serde_json::Value;

/// A path in short: the answers to its questions (o for oui, n for non), how it ends and
/// where an escalation sends the call.
fn summary(path: &Value) -> (String, String, String) {
    let answers: String = path["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["answer"].as_bool())
        .map(|a| if a { 'o' } else { 'n' })
        .collect();
    let end = &path["end"];
    (
        answers,
        end["kind"].as_str().unwrap().to_string(),
        end["target"].as_str().unwrap_or("").to_string(),
    )
}

#[test]
fn simulate_lists_every_path_of_the_cryhod_procedure_with_the_guides_words() {
    let desk = Desk::new();
    let sim = desk.json(&[
        "procedures",
        "simulate",
        "mi-agent-card-cryhod",
        "--format",
        "json",
    ]);
    assert_eq!(sim["complete"], true);
    let paths = sim["paths"].as_array().unwrap();
    let found: Vec<(String, String, String)> = paths.iter().map(summary).collect();
    let revocation = "Hot-Line : procédure de révocation/renouvellement de carte";
    let certificate = "Hot-Line (problème de carte agent)";
    let expected: Vec<(&str, &str, &str)> = vec![
        // Card in hand, the session found again.
        ("oo", "end", ""),
        // Card in hand, no session: a colleague unlocks, or the CRYHOD password.
        ("onoo", "escalate", revocation),
        ("onono", "end", ""),
        ("ononn", "escalate", certificate),
        ("onno", "escalate", revocation),
        ("onnno", "end", ""),
        ("onnnn", "escalate", certificate),
        // No card.
        ("noo", "escalate", revocation),
        ("nono", "end", ""),
        ("nonn", "escalate", certificate),
        ("nno", "escalate", revocation),
        ("nnno", "end", ""),
        ("nnnn", "escalate", certificate),
    ];
    let expected: Vec<(String, String, String)> = expected
        .into_iter()
        .map(|(a, k, t)| (a.into(), k.into(), t.into()))
        .collect();
    assert_eq!(found, expected);
    // What the caller is told last, in the guide's words.
    assert_eq!(
        paths[0]["end"]["said"],
        "Problème résolu : la carte fonctionne. Clore l'appel."
    );
    assert!(
        paths[2]["end"]["said"]
            .as_str()
            .unwrap()
            .starts_with("Carte simplement oubliée : pas de révocation."),
        "{}",
        paths[2]["end"]
    );
    assert!(
        paths[3]["end"]["said"]
            .as_str()
            .unwrap()
            .contains("le ticket dans l'application « SETNA » ou le 72000"),
        "{}",
        paths[3]["end"]
    );
    // The no-colleague path gives the CRYHOD password on the way (step 7).
    let ids: Vec<&str> = paths[11]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "carte-en-main",
            "collegue-present",
            "mot-de-passe-cryhod",
            "deverrouillage-cryhod",
            "connexion-windows",
            "carte-perdue",
            "carte-oubliee",
            "fin-oubli"
        ]
    );
    // As text, for a reviewer.
    let text = desk.ok(&["procedures", "simulate", "mi-agent-card-cryhod"]);
    assert!(
        text.starts_with(
            "mi-agent-card-cryhod — Carte agent oubliée, perdue, volée ou cassée : mot de passe \
             CRYHOD\n13 chemins : 5 fins, 8 escalades\n\nChemin 1 — fin\n  1. carte-en-main \
             (question) → oui\n  2. reveil-noemi (dire)\n  3. reveil-ok (question) → oui\n  4. \
             fin-reveil (dire)\n  Fin. Dit en dernier : « Problème résolu : la carte fonctionne. \
             Clore l'appel. »\n\nChemin 2 — escalade vers Hot-Line : procédure de \
             révocation/renouvellement de carte\n"
        ),
        "{text}"
    );
}

#[test]
fn simulate_shows_the_conditions_on_the_way_and_an_escalation_that_goes_on() {
    let desk = Desk::new();
    let text = desk.ok(&["procedures", "simulate", "acn-anyconnect"]);
    assert!(
        text.contains(
            "  2. perimetre-caen (question) → non [d'office si service Acad. Rouen (périmètre : \
             Rouen)]\n"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "  2. perimetre-caen (question) → oui [d'office si service Acad. Caen (périmètre : \
             Caen)]\n"
        ),
        "{text}"
    );
    // A value recorded earlier decides the 4G question.
    let text = desk.ok(&["procedures", "simulate", "mi-noemi-4g"]);
    assert!(
        text.contains("  6. plus-de-20-go (question) → oui [d'office si étape 5 notée plus de 20]"),
        "{text}"
    );
    // The RSSI declares the key, then BitLocker: the escalation is on the way, not the end.
    let text = desk.ok(&["procedures", "simulate", "mi-usb-bitlocker"]);
    assert!(
        text.contains(
            "  6. rssi-declaration (escalader) → vers RSSI de la structure, puis la suite\n"
        ),
        "{text}"
    );
    let (code, err) = desk.fails(&["procedures", "simulate", "nope"]);
    assert_eq!(code, 2);
    assert!(err.contains("procédure inconnue « nope »"), "{err}");
}

/// A desk's procedure whose retry loops back to an earlier question.
const RETRY_LOOP: &str = r#"
title = "Badge refusé, réessayer"
summary = "Le badge n'ouvre pas : réessayer jusqu'à ce qu'il ouvre, sinon le niveau 2."
services = ["mi"]
devices = ["*"]
keywords = ["badge"]

[[sources]]
seed = "003_153f178d6c060759.txt"
section = "Renseignements"

[[steps]]
id = "ouvre"
kind = "ask"
text = "Le badge ouvre-t-il la porte ?"
yes = "fin"
no = "encore"

[[steps]]
id = "encore"
kind = "ask"
text = "L'agent veut-il réessayer ?"
yes = "ouvre"
no = "niveau-2"

[[steps]]
id = "niveau-2"
kind = "escalate"
target = "Hot-Line"
text = "Transmettre à la Hot-Line."
end = true

[[steps]]
id = "fin"
kind = "say"
text = "Porte ouverte."
"#;

#[test]
fn simulate_in_a_desks_catalogue_lists_a_loop_once_and_marked() {
    let desk = Desk::new();
    let dir = desk.dir.path().join("catalogue");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("badge-retry.toml"), RETRY_LOOP).unwrap();
    let catalog = dir.to_str().unwrap();
    let text = desk.ok(&[
        "--catalog",
        catalog,
        "procedures",
        "simulate",
        "badge-retry",
    ]);
    assert!(
        text.contains("3 chemins : 1 fin, 1 escalade, 1 boucle\n"),
        "{text}"
    );
    assert!(
        text.contains(
            "Chemin 2 — boucle, retour à l'étape 1\n  1. ouvre (question) → non\n  2. encore \
             (question) → oui\n  ↺ Retour à l'étape 1 (ouvre), déjà sur ce chemin : la boucle \
             n'est listée qu'une fois.\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("Escalade vers Hot-Line. Dit en dernier : « Transmettre à la Hot-Line. »"),
        "{text}"
    );
}

#[test]
fn new_writes_a_commented_skeleton_that_passes_strict_lint_and_never_overwrites() {
    let desk = Desk::new();
    let dir = desk.dir.path().join("catalogue");
    std::fs::create_dir(&dir).unwrap();
    let catalog = dir.to_str().unwrap();
    let said = desk.ok(&["--catalog", catalog, "procedures", "new", "badge-parking"]);
    let file = dir.join("badge-parking.toml");
    assert_eq!(
        said,
        format!(
            "Procédure « badge-parking » écrite : {}\nÀ compléter, puis : guichet procedures \
             lint --strict {catalog}\n",
            file.display()
        )
    );
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        text.starts_with("# Procédure « badge-parking » : squelette écrit par"),
        "{text}"
    );
    assert!(text.contains("# owner = "), "{text}");
    assert!(
        desk.ok(&["procedures", "lint", "--strict", catalog])
            .starts_with("1 procédure vérifiée, "),
    );
    let shown = desk.ok(&["--catalog", catalog, "procedures", "show", "badge-parking"]);
    assert!(
        shown.starts_with("Badge parking\n[badge-parking]\n"),
        "{shown}"
    );
    // --dir writes elsewhere than the catalogue.
    let other = desk.dir.path().join("brouillons");
    std::fs::create_dir(&other).unwrap();
    desk.ok(&[
        "procedures",
        "new",
        "vpn-2",
        "--dir",
        other.to_str().unwrap(),
    ]);
    assert!(other.join("vpn-2.toml").is_file());
    // An existing file is kept as it was, said in one sentence naming it.
    std::fs::write(&file, "title = \"à moi\"\n").unwrap();
    let (code, err) = desk.fails(&["--catalog", catalog, "procedures", "new", "badge-parking"]);
    assert_eq!(code, 2);
    assert_eq!(
        err.trim_end(),
        format!(
            "guichet : la procédure « badge-parking » existe déjà : {} n'est pas remplacé (le \
             modifier, ou choisir un autre identifiant)",
            file.display()
        )
    );
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "title = \"à moi\"\n"
    );
    // A bad slug, and no folder to write in.
    let (code, err) = desk.fails(&["--catalog", catalog, "procedures", "new", "Badge Parking"]);
    assert_eq!(code, 2);
    assert!(
        err.starts_with("guichet : identifiant de procédure invalide « Badge Parking » : "),
        "{err}"
    );
    assert!(!dir.join("Badge Parking.toml").exists());
    let (code, err) = desk.fails(&["procedures", "new", "badge-parking"]);
    assert_eq!(code, 2);
    assert!(err.contains("donner --dir DIR ou --catalog DIR"), "{err}");
    let missing = desk.dir.path().join("absent");
    let (code, err) = desk.fails(&["procedures", "new", "x", "--dir", missing.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("dossier de procédures introuvable"), "{err}");
}

#[test]
fn a_procedure_names_its_owner_and_show_prints_it() {
    let desk = Desk::new();
    let dir = desk.dir.path().join("catalogue");
    std::fs::create_dir(&dir).unwrap();
    let catalog = dir.to_str().unwrap();
    let with_owner = RETRY_LOOP.replace(
        "keywords = [\"badge\"]\n",
        "keywords = [\"badge\"]\nowner = \"Jeanne Dupont <jeanne.dupont@example.fr>\"\n",
    );
    std::fs::write(dir.join("badge-retry.toml"), &with_owner).unwrap();
    let shown = desk.ok(&["--catalog", catalog, "procedures", "show", "badge-retry"]);
    assert!(
        shown.contains("\nResponsable : Jeanne Dupont <jeanne.dupont@example.fr>\n"),
        "{shown}"
    );
    let json = desk.json(&[
        "--catalog",
        catalog,
        "procedures",
        "show",
        "badge-retry",
        "--format",
        "json",
    ]);
    assert_eq!(json["owner"], "Jeanne Dupont <jeanne.dupont@example.fr>");
    // Without one, nothing is said.
    let shown = desk.ok(&["procedures", "show", "mi-agent-card-cryhod"]);
    assert!(!shown.contains("Responsable"), "{shown}");
    // An empty owner is refused, with the line.
    std::fs::write(
        dir.join("badge-retry.toml"),
        with_owner.replace("Jeanne Dupont <jeanne.dupont@example.fr>", " "),
    )
    .unwrap();
    let (code, err) = desk.fails(&["procedures", "lint", catalog]);
    assert_eq!(code, 1);
    assert!(
        err.contains(
            "badge-retry.toml:7: « owner » invalide «  » : un nom ou une adresse, sur une ligne"
        ),
        "{err}"
    );
}

/// A console started on a desk's folder reads a file again within a second of its change:
/// the new title proposed; a file broken meanwhile is said on the status line and its
/// previous version stays proposed.
#[test]
fn a_console_on_a_catalog_folder_follows_its_files_within_a_second() {
    follows_its_catalog_folder(&crate::common::tmux::Term::new());
}

#[test]
fn a_console_on_postgresql_follows_its_catalog_folder_within_a_second() {
    let db = guichet::store::scratch::ScratchDb::new();
    follows_its_catalog_folder(&crate::common::tmux::Term::on_server(&db.url()));
}

fn follows_its_catalog_folder(term: &crate::common::tmux::Term) {
    use crate::common::tmux::OPERATOR;
    use std::time::{Duration, Instant};
    let dir = term.dir().join("catalogue");
    std::fs::create_dir(&dir).unwrap();
    let file = dir.join("badge-retry.toml");
    std::fs::write(&file, RETRY_LOOP).unwrap();
    let s = "author";
    term.start_with_args(s, &[], &["--catalog", dir.to_str().unwrap()]);
    term.wait_for(s, &["guichet ·", OPERATOR, "Aucun appel ouvert", "quitter"]);
    crate::e2e_desk::type_call(term, s, "Zoé Martin", "int", "noe", "badge refusé");
    // The proposals come with the catalogue, loaded after the first paint.
    term.wait_for(s, &["▶", "Badge refusé, réessayer"]);

    // The author renames the procedure: the console proposes the new title.
    let renamed = RETRY_LOOP.replace("Badge refusé, réessayer", "Badge du parking refusé");
    let written = Instant::now();
    std::fs::write(&file, &renamed).unwrap();
    let screen = term.wait_for(s, &["Badge du parking refusé"]);
    let seen = written.elapsed();
    assert!(
        seen < Duration::from_secs(1),
        "the new title showed after {seen:?}; screen:\n{screen}"
    );
    assert!(!screen.contains("Badge refusé, réessayer"), "{screen}");
    term.wait_for(s, &["Procédures relues : badge-retry.toml"]);

    // A typo: the status line names the file and line, the last good version stays.
    let broken = renamed.replace("[[steps]]\nid = \"encore\"", "[[steps]\nid = \"encore\"");
    let written = Instant::now();
    std::fs::write(&file, &broken).unwrap();
    let screen = term.wait_for(s, &["version précédente gardée, badge-retry.toml:"]);
    let seen = written.elapsed();
    assert!(
        seen < Duration::from_secs(1),
        "the error showed after {seen:?}; screen:\n{screen}"
    );
    assert!(screen.contains("Badge du parking refusé"), "{screen}");
    // The search follows the kept version too: its words still find it.
    assert!(screen.lines().any(|l| l.contains('▶')), "{screen}");

    // Another file added meanwhile: the broken one keeps its last good version still.
    std::fs::write(
        dir.join("badge-neuf.toml"),
        RETRY_LOOP.replace("Badge refusé, réessayer", "Badge neuf refusé"),
    )
    .unwrap();
    term.wait_for(
        s,
        &[
            "Procédures relues : badge-neuf.toml",
            "Badge du parking refusé",
            "Badge neuf refusé",
        ],
    );
    // Fixed, renamed again; then removed.
    std::fs::write(&file, renamed.replace("du parking", "de la barrière")).unwrap();
    term.wait_for(s, &["Badge de la barrière refusé", "Badge neuf refusé"]);
    std::fs::remove_file(&file).unwrap();
    term.wait_until(s, "the removed procedure no longer proposed", |screen| {
        screen.contains("Badge neuf refusé") && !screen.contains("Badge de la barrière")
    });
    term.press(s, "C-c");
    term.wait_exit(s);
    // Each change was written to the index alone, its fingerprint with it: the next start
    // finds the index in line with the folder and rebuilds nothing.
    let (_, db) = term
        .desk_env()
        .into_iter()
        .find(|(k, _)| *k == "GUICHET_DB")
        .unwrap();
    let location = guichet::store::Location::resolve(Some(std::ffi::OsStr::new(&db))).unwrap();
    let mut store =
        guichet::store::Store::open_location(&location, &guichet::store::FileAccess::default())
            .unwrap();
    let source = guichet::catalog::procedures::CatalogSource::dir(
        &dir,
        &guichet::catalog::embedded_reference(),
    );
    assert_eq!(store.ensure_catalog(&source).unwrap(), None);
}
