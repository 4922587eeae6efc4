//! The tools screen: the list of tools on the left, the chosen tool's fields and its live
//! answer on the right.

use crate::domain::comu::comu_login;
use crate::domain::printer::{self, Perimeter};
use crate::domain::quota::{parse_gb, quota};
use crate::domain::spell::{Alphabet, spell};
use crate::domain::telemaintenance::{CLIENT_NAME, DOWNLOAD_ADDRESS};
use crate::domain::text::visible;
use crate::domain::time::{paris, parse_datetime};
use crate::domain::walk::valid_until;
use crate::domain::xivo;
use crate::tui::app::App;
use crate::tui::tools::Tool;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, List, ListItem, ListState, Paragraph, Wrap};

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let theme = &app.theme;
    let state = &app.tools;
    let [menu, panel] =
        Layout::horizontal([Constraint::Length(21), Constraint::Min(20)]).areas(area);
    let items: Vec<ListItem> = Tool::ALL.iter().map(|t| ListItem::new(t.label())).collect();
    let selected = Tool::ALL.iter().position(|t| *t == state.tool);
    frame.render_stateful_widget(
        List::new(items)
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .border_style(theme.border())
                    .title(Span::styled(" Outils ", theme.title())),
            )
            .highlight_style(theme.selected()),
        menu,
        &mut ListState::default().with_selected(selected),
    );

    let title = match state.for_call {
        Some(call) => format!(" {} · appel {call} ", state.tool.label()),
        None => format!(" {} ", state.tool.label()),
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border_focused())
        .title(Span::styled(title, theme.title()));
    let inner = block.inner(panel);
    frame.render_widget(block, panel);
    let fields = state.tool.fields();
    let [fields_area, _, result_area] = Layout::vertical([
        Constraint::Length(fields.len() as u16),
        Constraint::Length(1),
        Constraint::Min(1),
    ])
    .areas(inner);
    let rows = Layout::vertical(vec![Constraint::Length(1); fields.len()]).split(fields_area);
    for (i, label) in fields.iter().enumerate() {
        let [l, v] =
            Layout::horizontal([Constraint::Length(13), Constraint::Min(1)]).areas(rows[i]);
        let focused = state.focus == i;
        let style = if focused {
            theme.label_focused()
        } else {
            theme.label()
        };
        frame.render_widget(
            Paragraph::new(Span::styled(format!("{label:<12}"), style)),
            l,
        );
        let field = state.field(i);
        if focused {
            frame.render_widget(field.textarea(), v);
        } else {
            frame.render_widget(Paragraph::new(visible(&field.value()).into_owned()), v);
        }
    }
    frame.render_widget(
        Paragraph::new(answer(app)).wrap(Wrap { trim: false }),
        result_area,
    );
}

/// The tool's answer for what is typed, computed afresh (pure and cheap).
fn answer(app: &App) -> Vec<Line<'static>> {
    let theme = &app.theme;
    let values = app.tools.values();
    let v = |i: usize| values.get(i).map(String::as_str).unwrap_or("");
    let err = |e: String| vec![Line::from(Span::styled(format!("⚠ {e}"), theme.error()))];
    let hint = |t: &str| Line::from(Span::styled(t.to_string(), theme.dim()));
    let pair = |k: &str, val: String| {
        Line::from(vec![
            Span::styled(format!("{k:<16}"), theme.label()),
            Span::raw(val),
        ])
    };
    match app.tools.tool {
        Tool::Printer => {
            if v(0).trim().is_empty() {
                return vec![hint(
                    "Taper un nom de copieur, par exemple I14RC-DSI-RDC ou I76RC-DSI04-B4.",
                )];
            }
            match printer::decode(v(0)) {
                Err(e) => err(e.to_string()),
                Ok(p) => vec![
                    pair(
                        "Département",
                        format!("{} ({})", p.department_code, p.department_name),
                    ),
                    pair(
                        "Périmètre",
                        if p.perimeter == Perimeter::Caen {
                            "Caen"
                        } else {
                            "Rouen"
                        }
                        .into(),
                    ),
                    pair("Site", format!("{} ({})", p.site_code, p.site_name)),
                    pair("Division", p.division.clone()),
                    pair(
                        "Copieur",
                        p.copier_number
                            .map_or("seul copieur de la division".into(), |n| format!("n° {n}")),
                    ),
                    pair(
                        "Emplacement",
                        format!("{} : {}", p.location, p.location_label),
                    ),
                    pair("Serveur", p.print_server),
                ],
            }
        }
        Tool::Comu => {
            if v(0).trim().is_empty() || v(1).trim().is_empty() || v(2).trim().is_empty() {
                return vec![
                    hint(
                        "Prénom, nom, et domaine : AC, AT, PJ, SP, DG, CRS, PAF, PPOL ou gendarmerie.",
                    ),
                    hint("Adresse : https://webconf.comu.minint.fr"),
                ];
            }
            match comu_login(v(0), v(1), v(2)) {
                Err(e) => err(e.to_string()),
                Ok(l) => vec![
                    pair("Identifiant", l.login),
                    pair("Mot de passe", l.password.to_string()),
                    pair("Adresse", l.address.to_string()),
                    hint(
                        "Accents retirés ; espaces, tirets, apostrophes ôtés (gendarmerie : tirets gardés).",
                    ),
                ],
            }
        }
        Tool::Spell => {
            let alphabet = if app.tools.alphabet_french {
                Alphabet::French
            } else {
                Alphabet::International
            };
            let mut lines = vec![hint(&format!(
                "Alphabet : {} (Ctrl-A pour changer). Rien n'est conservé.",
                if app.tools.alphabet_french {
                    "français (Anatole…)"
                } else {
                    "international (Alfa…)"
                }
            ))];
            for (i, s) in spell(v(0), alphabet).iter().enumerate() {
                let mut spans = vec![
                    Span::styled(format!("{:>3} ", i + 1), theme.dim()),
                    Span::styled(format!("{:<2}", visible(&s.shown)), theme.title()),
                    Span::raw(format!(" {}", s.say)),
                ];
                if let Some(w) = s.confusable {
                    spans.push(Span::styled(format!("  ⚠ {w}"), theme.error()));
                }
                lines.push(Line::from(spans));
            }
            lines
        }
        Tool::Amigo => {
            let at = if v(0).trim().is_empty() {
                app.now
            } else {
                match parse_datetime(v(0)) {
                    Ok(t) => t,
                    Err(e) => return err(e.to_string()),
                }
            };
            let status = crate::domain::amigo::amigo_status(at, &app.calendar);
            let mut lines = vec![
                Line::from(Span::styled(
                    format!(
                        "AMIGO {} le {}",
                        if status.open { "OUVERT" } else { "FERMÉ" },
                        paris(at, "%d/%m/%Y à %H:%M")
                    ),
                    if status.open {
                        theme.success()
                    } else {
                        theme.error()
                    },
                )),
                Line::from(status.reason.clone()),
            ];
            if let Some(next) = status.next_opening {
                lines.push(pair("Réouverture", paris(next, "%d/%m/%Y à %H:%M")));
            }
            if !status.open {
                lines.push(hint("En cas d'urgence :"));
                for (who, number) in crate::domain::amigo::EMERGENCY {
                    lines.push(Line::from(format!("  {who} : {number}")));
                }
            }
            lines.push(hint(&format!(
                "{} · calendrier {}{}",
                crate::domain::amigo::ADDRESS,
                status.calendar_year,
                if status.unchecked {
                    " (non vérifié)"
                } else {
                    ""
                }
            )));
            lines
        }
        Tool::Cryhod => {
            let issued = if v(0).trim().is_empty() {
                app.now
            } else {
                match parse_datetime(v(0)) {
                    Ok(t) => t,
                    Err(e) => return err(e.to_string()),
                }
            };
            vec![
                pair("Donné le", paris(issued, "%d/%m/%Y à %H:%M")),
                pair(
                    "Valable jusqu'au",
                    paris(valid_until(issued, 1), "%d/%m/%Y à %H:%M"),
                ),
                hint(
                    "Un mois : même jour du mois suivant ; donné un 31 janvier, valable jusqu'au dernier jour de février.",
                ),
                hint(
                    "Ensuite : révocation/renouvellement de la carte si elle est perdue, volée ou cassée.",
                ),
            ]
        }
        Tool::Quota => {
            if v(0).trim().is_empty() {
                return vec![hint(
                    "Lire avec l'agent la consommation « cellulaire » du mois, en Go.",
                )];
            }
            match parse_gb(v(0)) {
                Err(e) => err(e.to_string()),
                Ok(gb) => {
                    let q = quota(gb);
                    vec![
                        Line::from(Span::styled(
                            if q.throttled {
                                "Ligne bridée (plus de 20 Go)"
                            } else {
                                "Ligne non bridée"
                            },
                            if q.throttled {
                                theme.error()
                            } else {
                                theme.success()
                            },
                        )),
                        Line::from(q.advice),
                    ]
                }
            }
        }
        Tool::Xivo => {
            let codes = xivo::search(v(0));
            if codes.is_empty() {
                return err(format!("aucun code pour « {} »", v(0)));
            }
            codes
                .iter()
                .map(|c| {
                    let then = if c.then.is_empty() {
                        String::new()
                    } else {
                        format!(" + {}", c.then)
                    };
                    Line::from(vec![
                        Span::styled(format!("{:<5}", c.code), theme.title()),
                        Span::raw(format!("{}{then}", c.what)),
                    ])
                })
                .collect()
        }
        Tool::Telemaintenance => vec![
            pair("Client", CLIENT_NAME.to_string()),
            pair("Téléchargement", DOWNLOAD_ADDRESS.to_string()),
            Line::default(),
            match app.tools.for_call {
                Some(call) => hint(&format!(
                    "Donner le code à l'agent, puis Entrée pour le noter sur l'appel {call}."
                )),
                None => hint("Ouvrir l'appel (liste, Entrée) puis F4 pour y noter le code."),
            },
        ],
    }
}
