//! `guichet procedures ...`

use super::args::{Format, ProceduresCommand};
use super::output::{Printed, csv, json_data, table};
use super::{CliError, check_context, csv_options};
use crate::catalog::procedures::{CatalogSource, LintError, load_dir};
use crate::domain::reference::Reference;
use crate::store::{ProcedureQuery, Store, StoreError};
use std::path::Path;

pub fn run(
    cmd: ProceduresCommand,
    source: &CatalogSource,
    reference: &Reference,
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
            let mut store = open_store()?;
            // The index the database keeps, parsed again only when the files changed.
            let index = match store.ensure_catalog(source) {
                Ok(_) => store.load_search_index()?,
                // The file's index is stale or absent and cannot be rewritten: the
                // catalogue is indexed in memory instead, the database is not needed.
                Err(StoreError::ReadOnly { .. }) if store.is_read_only() => {
                    store = Store::open_in_memory()?;
                    store.sync_catalog(super::active_catalog(source)?)?
                }
                Err(e) => return Err(e.into()),
            };
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
        ProceduresCommand::Lint { dir, strict } => {
            Printed::Text(lint(dir.as_deref(), strict, source, reference)?)
        }
    };
    Ok(printed.emit(out)?)
}

/// `procedures lint`: the given folder, else the active catalogue. Exit 1 with one
/// `file:line: message` per problem. A warning (a rule added after the format was
/// documented) is said on stderr and does not fail, unless `strict` makes it an error.
fn lint(
    dir: Option<&Path>,
    strict: bool,
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
    let warned = |w: &LintError| format!("{}:{}: avertissement : {}", w.file, w.line, w.message);
    let mut refused: Vec<String> = catalog.problems.iter().map(ToString::to_string).collect();
    if strict {
        refused.extend(catalog.warnings.iter().map(ToString::to_string));
    } else if !refused.is_empty() {
        refused.extend(catalog.warnings.iter().map(warned));
    }
    if !refused.is_empty() {
        return Err(CliError::Failed(refused.join("\n")));
    }
    for w in &catalog.warnings {
        super::say(&warned(w));
    }
    let n = catalog.procedures.len();
    let plural = |n: usize| if n > 1 { "s" } else { "" };
    Ok(match catalog.warnings.len() {
        0 => format!(
            "{n} procédure{} vérifiée{}, aucun problème\n",
            plural(n),
            plural(n)
        ),
        w => format!(
            "{n} procédure{} vérifiée{}, {w} avertissement{} (refusé{} par --strict)\n",
            plural(n),
            plural(n),
            plural(w),
            plural(w)
        ),
    })
}
