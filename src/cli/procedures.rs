//! `guichet procedures ...`

use super::args::{Format, ProceduresCommand};
use super::output::{Printed, csv, json_data, table};
use super::{CliError, check_context, csv_options};
use crate::catalog::procedures::{CatalogSource, LintError, load_dir};
use crate::catalog::thesaurus;
use crate::domain::learned::Lessons;
use crate::domain::procedure::Procedure;
use crate::domain::reference::Reference;
use crate::store::{Explanation, ProcedureQuery, SearchIndex, Store, StoreError, Via};
use std::path::Path;

pub fn run(
    cmd: ProceduresCommand,
    source: &CatalogSource,
    reference: &Reference,
    learning: bool,
    open_store: impl FnOnce() -> Result<Store, CliError>,
    out: &mut dyn std::io::Write,
) -> Result<(), CliError> {
    let printed = match cmd {
        ProceduresCommand::List {
            service,
            device,
            format,
            csv: csv_arg,
        } => {
            let fmt = super::formats(&format, &[Format::Table, Format::Json, Format::Csv])?;
            let options = csv_options(&csv_arg, fmt)?;
            check_context(reference, service.as_deref(), device.as_deref())?;
            let catalog = super::active_catalog(source)?;
            let list: Vec<_> = catalog
                .procedures
                .iter()
                .filter(|p| service.as_ref().is_none_or(|s| p.services.includes(s)))
                .filter(|p| device.as_ref().is_none_or(|d| p.devices.includes(d)))
                .collect();
            let rows: Vec<Vec<String>> = list
                .iter()
                .map(|p| {
                    vec![
                        p.slug.clone(),
                        p.title.clone(),
                        p.services.slugs().join(" "),
                        p.devices.slugs().join(" "),
                    ]
                })
                .collect();
            match fmt {
                Format::Json => json_data(&list),
                Format::Csv => csv(options, &["slug", "title", "services", "devices"], &rows),
                _ => Printed::Text(table(&["Procédure", "Titre", "Services", "Postes"], &rows)),
            }
        }
        ProceduresCommand::Search {
            query,
            service,
            device,
            limit,
            format,
            csv: csv_arg,
        } => {
            let fmt = super::formats(&format, &[Format::Table, Format::Json, Format::Csv])?;
            let options = csv_options(&csv_arg, fmt)?;
            check_context(reference, service.as_deref(), device.as_deref())?;
            let (store, index) = search_index(source, learning, open_store)?;
            let hits = store.search_procedures(
                &index,
                &ProcedureQuery {
                    text: &query,
                    service: service.as_deref(),
                    device: device.as_deref(),
                    // 0: every match.
                    limit: if limit == 0 {
                        usize::MAX
                    } else {
                        limit as usize
                    },
                },
            )?;
            let rows: Vec<Vec<String>> = hits
                .iter()
                .map(|h| vec![format!("{:.2}", h.score), h.slug.clone(), h.title.clone()])
                .collect();
            match fmt {
                Format::Json => json_data(&hits),
                Format::Csv => csv(options, &["score", "slug", "title"], &rows),
                _ if hits.is_empty() => {
                    Printed::Text(format!("Aucune procédure ne correspond à « {query} ».\n"))
                }
                _ => Printed::Text(table(&["Score", "Procédure", "Titre"], &rows)),
            }
        }
        ProceduresCommand::Why {
            query,
            slug,
            service,
            device,
            format,
        } => {
            let fmt = super::formats(&format, &[Format::Text, Format::Json])?;
            check_context(reference, service.as_deref(), device.as_deref())?;
            let (_store, index) = search_index(source, learning, open_store)?;
            let why = index
                .explain(
                    &ProcedureQuery {
                        text: &query,
                        service: service.as_deref(),
                        device: device.as_deref(),
                        limit: 10,
                    },
                    &slug,
                )
                .ok_or_else(|| {
                    CliError::BadInput(format!(
                        "procédure inconnue « {} » : voir guichet procedures list",
                        crate::domain::text::named(&slug)
                    ))
                })?;
            match fmt {
                Format::Json => json_data(&why),
                _ => Printed::Text(why_text(&why, &query)),
            }
        }
        ProceduresCommand::Show { slug, format } => {
            let fmt = super::formats(&format, &[Format::Text, Format::Json])?;
            let catalog = super::active_catalog(source)?;
            let p = catalog.get(&slug).ok_or_else(|| {
                CliError::BadInput(format!(
                    "procédure inconnue « {slug} » : voir guichet procedures list"
                ))
            })?;
            match fmt {
                Format::Json => json_data(p),
                _ => {
                    let mut text = p.readable_lines(reference).join("\n");
                    text.push('\n');
                    Printed::Text(text)
                }
            }
        }
        ProceduresCommand::Simulate { slug, format } => {
            let fmt = super::formats(&format, &[Format::Text, Format::Json])?;
            let catalog = super::active_catalog(source)?;
            let p = catalog.get(&slug).ok_or_else(|| {
                CliError::BadInput(format!(
                    "procédure inconnue « {} » : voir guichet procedures list",
                    crate::domain::text::named(&slug)
                ))
            })?;
            let paths = crate::domain::paths::paths(p, reference, super::simulate::LIMIT);
            match fmt {
                Format::Json => json_data(&paths),
                _ => Printed::Text(super::simulate::text(&paths)),
            }
        }
        ProceduresCommand::New { slug, dir } => {
            Printed::Text(new_procedure(&slug, dir.as_deref().or(source.folder()))?)
        }
        ProceduresCommand::Lint {
            dir,
            strict,
            usage_days,
        } => {
            let usage = match usage_days {
                Some(days) if !(1..=365).contains(&days) => {
                    return Err(CliError::BadInput(format!(
                        "--usage-days {days} : attendu un nombre de jours de 1 à 365"
                    )));
                }
                Some(days) => Some((days, open_store()?)),
                None => None,
            };
            Printed::Text(lint(dir.as_deref(), strict, usage, source, reference)?)
        }
    };
    Ok(printed.emit(out)?)
}

/// The search index of the active catalogue, with the desk's thesaurus and, when
/// `learning`, what the desk's finished walks taught: the one the database keeps, parsed
/// again only when the files changed.
fn search_index(
    source: &CatalogSource,
    learning: bool,
    open_store: impl FnOnce() -> Result<Store, CliError>,
) -> Result<(Store, SearchIndex), CliError> {
    let mut store = open_store()?;
    // Read from the desk's store, even when the index is then made in memory.
    let lessons = if learning {
        store.lessons(chrono::Utc::now())?
    } else {
        Lessons::default()
    };
    let mut index = match store.ensure_catalog(source) {
        Ok(_) => store.load_search_index()?,
        // The file's index is stale or absent and cannot be rewritten: the catalogue is
        // indexed in memory instead, the database is not needed.
        Err(StoreError::ReadOnly { .. }) if store.is_read_only() => {
            store = Store::open_in_memory()?;
            store.sync_catalog(super::active_catalog(source)?)?
        }
        Err(e) => return Err(e.into()),
    };
    // A broken group of the desk's own file is left out here; `lint` names it.
    index.set_thesaurus(thesaurus::load(source.folder()).0);
    index.set_learned(&lessons);
    Ok((store, index))
}

/// `procedures why` as text: the procedure, its rank and score, then each word of the
/// query with its weight, how well and how it matched, and what it adds.
fn why_text(why: &Explanation, query: &str) -> String {
    use crate::domain::text::visible;
    let mut out = format!("{} — {}\n", visible(&why.slug), visible(&why.title));
    out.push_str(&format!(
        "Recherche « {} » : {}, score {:.2} = pertinence {:.2} × adéquation {:.2} ({}, {}){}\n\n",
        visible(query),
        match why.rank {
            Some(r) => format!("rang {r}"),
            None => "aucun mot ne correspond".to_string(),
        },
        why.score,
        why.relevance,
        why.fit,
        if why.fits_service {
            "service de l'appel"
        } else {
            "autre service"
        },
        if why.fits_device {
            "poste de l'appel"
        } else {
            "autre poste"
        },
        match &why.learned {
            Some(l) => format!(" × appris {:.2}", l.factor),
            None => String::new(),
        },
    ));
    let rows: Vec<Vec<String>> = why
        .words
        .iter()
        .map(|w| {
            let how = match &w.via {
                None => "absent".to_string(),
                Some(Via::Word) => format!("« {} »", w.terms.join(" ")),
                Some(Via::Typo) => format!("« {} » (une faute)", w.terms.join(" ")),
                Some(Via::Prefix) => format!("« {} » (début du mot)", w.terms.join(" ")),
                Some(Via::Sound) => format!("« {} » (à l'oreille)", w.terms.join(" ")),
                Some(Via::Joined { compound }) => format!("mot composé « {compound} »"),
                Some(Via::Split { parts }) => format!("mot coupé « {parts} »"),
                Some(Via::Synonym { said, entry }) => {
                    format!("synonyme : « {said} » → « {entry} »")
                }
                Some(Via::Phrase { phrase }) => format!("expression « {phrase} »"),
            };
            vec![
                w.word.clone(),
                if w.aside {
                    format!("{:.2} (contexte)", w.weight)
                } else {
                    format!("{:.2}", w.weight)
                },
                how,
                w.column.unwrap_or("—").to_string(),
                format!("{:.2}", w.quality),
                format!("{:.2}", w.part),
            ]
        })
        .collect();
    out.push_str(&table(
        &["Mot", "Poids", "Trouvé", "Où", "Qualité", "Apport"],
        &rows,
    ));
    if why.words.iter().any(|w| w.aside) {
        out.push_str(
            "\nContexte : mot dit marcher ou hors du problème (« le wifi marche », « c'est pas \
             le wifi »), compté pour moitié.\n",
        );
    }
    // What the desk's walks taught, the score's last factor.
    if let Some(l) = &why.learned {
        out.push_str(&format!(
            "\nAppris du guichet : {} (score × {:.2})\n",
            visible(&l.sentence()),
            l.factor
        ));
    }
    out
}

/// `procedures lint`: the given folder, else the active catalogue. Exit 1 with one
/// `file:line: message` per problem. A warning (a rule added after the format was
/// documented) is said on stderr and does not fail, unless `strict` makes it an error.
fn lint(
    dir: Option<&Path>,
    strict: bool,
    usage: Option<(i64, Store)>,
    active: &CatalogSource,
    reference: &Reference,
) -> Result<String, CliError> {
    let loaded;
    let catalog = match dir {
        Some(d) => {
            loaded = load_dir(d, reference).map_err(|e| {
                CliError::BadInput(format!(
                    "dossier de procédures illisible « {} » : {e}",
                    d.display()
                ))
            })?;
            &loaded
        }
        // Its problems are the result here, not warnings.
        None => active.catalog().map_err(CliError::BadInput)?,
    };
    // The thesaurus beside the folder (the embedded one always).
    let (thesaurus, thesaurus_problems) = thesaurus::load(dir.or(active.folder()));
    let warned = |w: &LintError| format!("{}:{}: avertissement : {}", w.file, w.line, w.message);
    let usage = match usage {
        Some((days, store)) => usage_of(&store, &catalog.procedures, days)?,
        None => Vec::new(),
    };
    let mut warnings: Vec<String> = catalog.warnings.iter().map(warned).collect();
    warnings.extend(usage.iter().map(|w| format!("usage : avertissement : {w}")));
    let mut refused: Vec<String> = catalog.problems.iter().map(ToString::to_string).collect();
    refused.extend(thesaurus_problems.iter().map(ToString::to_string));
    if strict {
        // Refused, they are errors: said as the errors are.
        refused.extend(catalog.warnings.iter().map(ToString::to_string));
        refused.extend(usage.iter().map(|w| format!("usage : {w}")));
    } else if !refused.is_empty() {
        refused.extend(warnings.iter().cloned());
    }
    if !refused.is_empty() {
        return Err(CliError::Failed(refused.join("\n")));
    }
    for w in &warnings {
        super::say(w);
    }
    let plural = |n: usize| if n > 1 { "s" } else { "" };
    let (n, g) = (catalog.procedures.len(), thesaurus.groups().len());
    let checked = format!(
        "{n} procédure{} vérifiée{}, {g} groupe{} de synonymes",
        plural(n),
        plural(n),
        plural(g)
    );
    Ok(match warnings.len() {
        0 => format!("{checked}, aucun problème\n"),
        w => format!(
            "{checked}, {w} avertissement{} (refusé{} par --strict)\n",
            plural(w),
            plural(w)
        ),
    })
}

/// What the last `days` days of walks say of the catalogue (`lint --usage-days`).
fn usage_of(store: &Store, catalog: &[Procedure], days: i64) -> Result<Vec<String>, CliError> {
    let now = chrono::Utc::now();
    let window = crate::store::FigureWindow {
        from: now - chrono::Duration::days(days),
        to: now,
        service: None,
    };
    let report = crate::report::ProceduresReport::build(
        store,
        catalog,
        &window,
        crate::report::FIRST_CONTACT_DAYS,
        now,
    )?;
    Ok(crate::report::usage_warnings(&report, catalog, days).unwrap_or_else(|| {
        super::say(&format!(
            "usage : ni appel clos ni procédure proposée dans les {days} derniers jours, rien à \
             dire de l'usage des procédures"
        ));
        Vec::new()
    }))
}

/// `procedures new`: the skeleton written as `SLUG.toml` in `dir`, never over a file.
fn new_procedure(slug: &str, dir: Option<&Path>) -> Result<String, CliError> {
    // Paths whole: what prints them (stdout, `say`) makes them inert.
    let text = crate::catalog::skeleton::skeleton(slug).map_err(CliError::BadInput)?;
    let dir = dir.ok_or_else(|| {
        CliError::BadInput(format!(
            "pas de dossier où écrire « {slug}.toml » : donner --dir DIR ou --catalog DIR"
        ))
    })?;
    let shown_dir = dir.display();
    if !dir.is_dir() {
        return Err(CliError::BadInput(format!(
            "dossier de procédures introuvable « {shown_dir} » : le créer d'abord"
        )));
    }
    let path = dir.join(format!("{slug}.toml"));
    let shown = path.display();
    // create_new: a file that appeared meanwhile is not overwritten either.
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path);
    let mut file = match file {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(CliError::BadInput(format!(
                "la procédure « {slug} » existe déjà : {shown} n'est pas remplacé \
                 (le modifier, ou choisir un autre identifiant)"
            )));
        }
        Err(e) => {
            return Err(CliError::Failed(format!("{shown} non écrit : {e}")));
        }
    };
    std::io::Write::write_all(&mut file, text.as_bytes())
        .map_err(|e| CliError::Failed(format!("{shown} non écrit : {e}")))?;
    Ok(format!(
        "Procédure « {slug} » écrite : {shown}\n\
         À compléter, puis : guichet procedures lint --strict {shown_dir}\n"
    ))
}
