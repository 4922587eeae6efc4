//! `guichet tools ...`: the operator's small computations.

use super::args::{AlphabetArg, ChannelArg, Format, PrinterCommand, ToolsCommand};
use super::output::{Printed, csv, json_data, table};
use super::{CliError, csv_options, formats};
use crate::config::resolve_operator;
use crate::domain::call::CallRef;
use crate::domain::comu::comu_login;
use crate::domain::printer;
use crate::domain::quota::{parse_gb, quota};
use crate::domain::spell::{Alphabet, spell};
use crate::domain::telemaintenance::{Channel, check_code, journal_line};
use crate::domain::time::{DAY_AHEAD, YEAR_AHEAD, paris, parse_plausible, rfc3339};
use crate::domain::walk::valid_until;
use crate::domain::xivo;
use crate::store::Store;
use chrono::Utc;
use serde::Serialize;
use std::io::Read;

pub fn run(
    cmd: ToolsCommand,
    default_operator: Option<&str>,
    open_store: impl FnOnce() -> Result<Store, CliError>,
    out: &mut dyn std::io::Write,
) -> Result<(), CliError> {
    let printed = printed(cmd, default_operator, open_store)?;
    Ok(printed.emit(out)?)
}

fn printed(
    cmd: ToolsCommand,
    default_operator: Option<&str>,
    open_store: impl FnOnce() -> Result<Store, CliError>,
) -> Result<Printed, CliError> {
    use Printed::Text;
    match cmd {
        ToolsCommand::Printer(PrinterCommand::Decode {
            name,
            format,
            csv: csv_arg,
        }) => {
            let fmt = formats(
                &format,
                &[Format::Text, Format::Table, Format::Json, Format::Csv],
            )?;
            let options = csv_options(&csv_arg, fmt)?;
            let p = printer::decode(&name).map_err(CliError::bad)?;
            let rows = vec![
                ("department_code", p.department_code.clone()),
                ("department_name", p.department_name.clone()),
                ("site_code", p.site_code.clone()),
                ("site_name", p.site_name.clone()),
                ("division", p.division.clone()),
                ("copier_number", p.copier_number.clone().unwrap_or_default()),
                ("location", p.location.clone()),
                ("location_label", p.location_label.clone()),
                ("perimeter", format!("{:?}", p.perimeter).to_lowercase()),
                ("print_server", p.print_server.clone()),
            ];
            Ok(match fmt {
                Format::Json => json_data(&p),
                Format::Csv => csv(
                    options,
                    &rows.iter().map(|(k, _)| *k).collect::<Vec<_>>(),
                    &[rows.iter().map(|(_, v)| v.clone()).collect()],
                ),
                _ => Text(format!(
                    "Département  {} ({}), périmètre {}\nSite         {} ({})\nDivision     {}\nCopieur      {}\nEmplacement  {} ({})\nServeur      {}\n",
                    p.department_code,
                    p.department_name,
                    if p.perimeter == printer::Perimeter::Caen {
                        "Caen"
                    } else {
                        "Rouen"
                    },
                    p.site_code,
                    p.site_name,
                    p.division,
                    p.copier_label,
                    p.location,
                    p.location_label,
                    p.print_server
                )),
            })
        }
        ToolsCommand::Printer(PrinterCommand::Encode {
            department,
            site,
            division,
            copier,
            location,
        }) => {
            let name = printer::encode(&department, &site, &division, copier.as_deref(), &location)
                .map_err(CliError::bad)?;
            Ok(Text(format!("{name}\n")))
        }
        ToolsCommand::Comu {
            first_name,
            last_name,
            domain,
            format,
        } => {
            let fmt = formats(&format, &[Format::Text, Format::Table, Format::Json])?;
            let login = comu_login(&first_name, &last_name, &domain).map_err(CliError::bad)?;
            Ok(match fmt {
                Format::Json => json_data(&login),
                Format::Table => Text(format!(
                    "Identifiant   {}\nMot de passe  {}\nAdresse       {}\n",
                    login.login, login.password, login.address
                )),
                _ => Text(format!("{}\n", login.login)),
            })
        }
        ToolsCommand::Spell {
            text,
            alphabet,
            format,
            csv: csv_arg,
        } => {
            let fmt = formats(
                &format,
                &[Format::Text, Format::Table, Format::Json, Format::Csv],
            )?;
            let options = csv_options(&csv_arg, fmt)?;
            let text = match text {
                Some(t) => t,
                None => {
                    let mut s = String::new();
                    std::io::stdin().read_to_string(&mut s).map_err(|e| {
                        CliError::Failed(format!("lecture de l'entrée impossible : {e}"))
                    })?;
                    // The line break that ends what was typed is not part of the text.
                    s.strip_suffix('\n')
                        .map(|t| t.strip_suffix('\r').unwrap_or(t))
                        .unwrap_or(&s)
                        .to_string()
                }
            };
            let alphabet = match alphabet {
                AlphabetArg::International => Alphabet::International,
                AlphabetArg::French => Alphabet::French,
            };
            let spelled = spell(&text, alphabet);
            Ok(match fmt {
                Format::Json => json_data(&spelled),
                Format::Csv => csv(
                    options,
                    &["position", "character", "say", "confusable"],
                    &spelled
                        .iter()
                        .enumerate()
                        .map(|(i, s)| {
                            vec![
                                (i + 1).to_string(),
                                s.shown.clone(),
                                s.say.clone(),
                                s.confusable.unwrap_or("").to_string(),
                            ]
                        })
                        .collect::<Vec<_>>(),
                ),
                _ => {
                    let mut out = String::new();
                    for (i, s) in spelled.iter().enumerate() {
                        out.push_str(&format!(
                            "{:>3}  {}  {}",
                            i + 1,
                            crate::domain::text::visible(&s.shown),
                            s.say
                        ));
                        if let Some(w) = s.confusable {
                            out.push_str(&format!("  ⚠ {w}"));
                        }
                        out.push('\n');
                    }
                    out.push_str(&format!(
                        "{} caractère{}\n",
                        spelled.len(),
                        if spelled.len() > 1 { "s" } else { "" }
                    ));
                    Text(out)
                }
            })
        }
        ToolsCommand::Amigo { at, format } => {
            let fmt = formats(&format, &[Format::Text, Format::Table, Format::Json])?;
            // A year ahead: whether AMIGO is open next week is a real question.
            let at = match at {
                Some(s) => parse_plausible(&s, Utc::now(), YEAR_AHEAD).map_err(CliError::bad)?,
                None => Utc::now(),
            };
            let answer = super::amigo::answer(at);
            Ok(match fmt {
                Format::Json => json_data(&super::amigo::Answer::of(&answer)),
                _ => Text(super::amigo::text(&answer)),
            })
        }
        ToolsCommand::Cryhod { issued, format } => {
            let fmt = formats(&format, &[Format::Text, Format::Table, Format::Json])?;
            let issued = match issued {
                Some(s) => parse_plausible(&s, Utc::now(), DAY_AHEAD).map_err(CliError::bad)?,
                None => Utc::now(),
            };
            let until = valid_until(issued, 1);
            #[derive(Serialize)]
            struct Validity {
                issued_at: String,
                valid_until: String,
                rule: &'static str,
            }
            const RULE: &str = crate::domain::walk::CRYHOD_VALIDITY;
            Ok(match fmt {
                Format::Json => json_data(&Validity {
                    issued_at: rfc3339(issued),
                    valid_until: rfc3339(until),
                    rule: RULE,
                }),
                _ => Text(format!(
                    "Donné le {}, valable jusqu'au {} ({RULE})\n",
                    paris(issued, "%d/%m/%Y à %H:%M"),
                    paris(until, "%d/%m/%Y à %H:%M")
                )),
            })
        }
        ToolsCommand::Quota { used, format } => {
            let fmt = formats(&format, &[Format::Text, Format::Table, Format::Json])?;
            let answer = quota(parse_gb(&used).map_err(CliError::bad)?);
            Ok(match fmt {
                Format::Json => json_data(&answer),
                _ => Text(format!(
                    "{}\n{}\n",
                    if answer.throttled {
                        "Ligne bridée"
                    } else {
                        "Ligne non bridée"
                    },
                    answer.advice
                )),
            })
        }
        ToolsCommand::Xivo {
            query,
            format,
            csv: csv_arg,
        } => {
            let fmt = formats(&format, &[Format::Table, Format::Json, Format::Csv])?;
            let options = csv_options(&csv_arg, fmt)?;
            let codes = xivo::search(query.as_deref().unwrap_or(""));
            let rows: Vec<Vec<String>> = codes
                .iter()
                .map(|c| vec![c.code.to_string(), c.what.to_string(), c.then.to_string()])
                .collect();
            Ok(match fmt {
                Format::Json => json_data(&codes),
                Format::Csv => csv(options, &["code", "what", "then"], &rows),
                _ if codes.is_empty() => Text("Aucun code ne correspond.\n".into()),
                _ => Text(table(&["Code", "Effet", "Puis composer"], &rows)),
            })
        }
        ToolsCommand::Telemaintenance {
            reference,
            code,
            by,
            operator,
        } => {
            let call: CallRef = reference.parse().map_err(CliError::bad)?;
            let code = check_code(&code).map_err(CliError::bad)?;
            let operator = resolve_operator(operator.operator.as_deref().or(default_operator))
                .map_err(CliError::bad)?;
            let channel = match by {
                ChannelArg::Phone => Channel::Phone,
                ChannelArg::Mail => Channel::Mail,
            };
            let mut store = open_store()?;
            store.add_note(call, &operator, Utc::now(), &journal_line(&code, channel))?;
            Ok(Text(format!("code de session {code} noté sur {call}\n")))
        }
    }
}
