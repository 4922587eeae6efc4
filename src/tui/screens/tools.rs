//! The tools (F4): the list of tools on the left, the chosen tool's fields and its live
//! answer on the right. Opened on a call, each tool is filled from that call only, and
//! what it computed can go to the call's journal with one key. What is typed in the
//! spelling tool is wiped as soon as the tool is left.

use crate::domain::call::{CallRecord, CallStatus, JournalKind};
use crate::domain::comu::{self, comu_login};
use crate::domain::printer::{self, Perimeter};
use crate::domain::quota::{parse_gb, quota};
use crate::domain::reference::Reference;
use crate::domain::spell::{Alphabet, spell};
use crate::domain::telemaintenance::{
    CLIENT_NAME, Channel, DOWNLOAD_ADDRESS, check_code, journal_line,
};
use crate::domain::text::visible;
use crate::domain::time::{DAY_AHEAD, YEAR_AHEAD, date_in, paris, parse_plausible};
use crate::domain::walk::valid_until;
use crate::domain::xivo;
use crate::tui::component::{
    About, Component, Doing, Effect, Env, Input, Problem, Reply, Update, View,
};
use crate::tui::input::TextField;
use crate::tui::keys::{Action, Context, hint};
use crate::tui::route::{Pending, Route};
use crate::tui::theme::Theme;
use crate::tui::widgets::{focus_text, fold_line};
use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, List, ListItem, ListState, Paragraph};

const FIELD_MAX: usize = 120;

/// The tools are the domain's; what the screen adds is their fields.
pub use crate::domain::tool::ToolKind as Tool;

/// The fields of a tool, in Tab order.
pub fn fields_of(tool: Tool) -> &'static [&'static str] {
    match tool {
        Tool::Printer => &["Nom"],
        Tool::Comu => &["Prénom", "Nom", "Domaine"],
        Tool::Spell => &["Texte"],
        Tool::Amigo => &["Date"],
        Tool::Cryhod => &["Donné le"],
        Tool::Quota => &["Go utilisés"],
        Tool::Xivo => &["Chercher"],
        Tool::Telemaintenance => &["Code"],
    }
}

fn index_of(tool: Tool) -> usize {
    Tool::ALL.iter().position(|t| *t == tool).unwrap_or(0)
}

pub struct ToolsScreen {
    pub tool: Tool,
    /// One row of fields per tool, for as long as the screen is open (never stored).
    pub fields: Vec<Vec<TextField>>,
    pub focus: usize,
    pub alphabet_french: bool,
    /// The call the tools were opened on: their prefills, and the journal their answers
    /// go to.
    pub call: Option<CallRecord>,
}

impl ToolsScreen {
    /// The tools; on a call, each filled from that call only, and the procedure's own
    /// tool first.
    pub fn open(
        call: Option<&CallRecord>,
        tool: Option<Tool>,
        offered: Option<&str>,
        reference: &Reference,
    ) -> ToolsScreen {
        let fields = Tool::ALL
            .iter()
            .map(|t| {
                fields_of(*t)
                    .iter()
                    .map(|_| TextField::single("", FIELD_MAX))
                    .collect()
            })
            .collect();
        let mut screen = ToolsScreen {
            tool: Tool::Printer,
            fields,
            focus: 0,
            alphabet_french: false,
            call: call.cloned(),
        };
        if let Some(record) = call {
            screen.fill_from(record, reference);
        }
        if let Some(tool) = tool {
            screen.tool = tool;
            // The value typed once in the walk, in the tool that needs it.
            if let Some(value) = offered {
                screen.set(tool, 0, value);
            }
        }
        screen
    }

    fn set(&mut self, tool: Tool, field: usize, value: &str) {
        self.fields[index_of(tool)][field] = TextField::single(value, FIELD_MAX);
    }

    /// What the call already says: the caller's name and the entity for COMU, a printer
    /// name, a date and time for AMIGO in the summary, when a CRYHOD password was given
    /// on it.
    fn fill_from(&mut self, record: &CallRecord, reference: &Reference) {
        let call = &record.call;
        let mut words = call.caller_name.split_whitespace();
        let first = words.next().unwrap_or("").to_string();
        let last = words.collect::<Vec<_>>().join(" ");
        self.set(Tool::Comu, 0, &first);
        self.set(Tool::Comu, 1, &last);
        if let Some(name) = printer_in(&call.summary) {
            self.set(Tool::Printer, 0, &name);
        }
        let entities = reference
            .service(&call.service)
            .map_or(&[][..], |s| &s.entities[..]);
        if let Some(domain) = comu::domain_in(&call.summary, entities) {
            self.set(Tool::Comu, 2, &domain);
        }
        if let Some(at) = date_in(&call.summary) {
            self.set(Tool::Amigo, 0, &at);
        }
        if let Some(at) = cryhod_given(record) {
            self.set(Tool::Cryhod, 0, &paris(at, "%d/%m/%Y %H:%M"));
        }
    }

    pub fn values(&self) -> Vec<String> {
        self.fields[index_of(self.tool)]
            .iter()
            .map(TextField::value)
            .collect()
    }

    pub fn field(&self, i: usize) -> &TextField {
        &self.fields[index_of(self.tool)][i]
    }

    fn focused_mut(&mut self) -> &mut TextField {
        let i = index_of(self.tool);
        let f = self.focus.min(self.fields[i].len() - 1);
        &mut self.fields[i][f]
    }

    /// What was typed to be spelled (a password perhaps) is not kept once the tool is
    /// left.
    fn wipe_spelling(&mut self) {
        for f in &mut self.fields[index_of(Tool::Spell)] {
            f.wipe();
        }
    }

    fn answer(
        &self,
        now: DateTime<Utc>,
        view: Option<&View>,
        calendar: &crate::domain::amigo::SchoolCalendar,
    ) -> Answer {
        answer(
            self.tool,
            &self.values(),
            self.alphabet_french,
            now,
            calendar,
            view.map(|v| v.theme),
            view.is_some_and(|v| v.screen_reader),
        )
    }

    /// Enter on a call: the tool's answer to the journal, asking first when someone else
    /// handles the call.
    fn note_on_call(&mut self, env: &mut Env) -> Update {
        let Some(record) = &self.call else {
            return Ok(Effect::None);
        };
        let line = self
            .answer(env.now, None, &env.desk.calendar)
            .journal
            .map_err(Problem)?;
        let call = &record.call;
        if call.handler != env.desk.operator {
            let take_over = call.status == CallStatus::Open;
            let question = if take_over {
                format!(
                    "{} est traité par {}. Le reprendre et y noter : « {} » ?",
                    call.reference,
                    visible(&call.handler),
                    visible(&line)
                )
            } else {
                format!(
                    "{} est clos et a été traité par {}. Y noter quand même : « {} » ?",
                    call.reference,
                    visible(&call.handler),
                    visible(&line)
                )
            };
            return Ok(Effect::Open(Route::Confirm {
                title: "Appel d'un autre opérateur".into(),
                question,
                pending: Pending::ToolNote { line, take_over },
            }));
        }
        self.write_note(env, &line, false)
    }

    fn write_note(&mut self, env: &mut Env, line: &str, take_over: bool) -> Update {
        let Some(record) = &self.call else {
            return Ok(Effect::None);
        };
        let reference = record.call.reference;
        let operator = env.desk.operator.clone();
        let (now, note) = (env.now, line.to_string());
        // Taken over and noted at once, on the store's thread.
        env.store
            .change(format!("note sur {reference}"), move |s| {
                if take_over {
                    s.take_over(reference, &operator, now)?;
                }
                s.add_note(reference, &operator, now, &note)
            })
            .doing("non noté sur l'appel")?;
        self.call = Some(
            env.store
                .read(move |s| s.get_call(reference))
                .doing("appel illisible")?,
        );
        if self.tool == Tool::Telemaintenance {
            self.set(Tool::Telemaintenance, 0, "");
        }
        Ok(Effect::Info(format!("Noté sur {reference} : {line}")))
    }
}

impl Drop for ToolsScreen {
    fn drop(&mut self) {
        self.wipe_spelling();
    }
}

/// The first word of `text` that reads as a printer name of the Académie (I14RC-DSI-RDC).
fn printer_in(text: &str) -> Option<String> {
    text.split(|c: char| c.is_whitespace() || ",;:()«»\"'".contains(c))
        .map(|w| w.trim_end_matches(['.', '!', '?']))
        .find(|w| w.len() >= 6 && printer::decode(w).is_ok())
        .map(str::to_uppercase)
}

/// When a CRYHOD password was last given on the call, from its journal.
fn cryhod_given(record: &CallRecord) -> Option<DateTime<Utc>> {
    record
        .journal
        .iter()
        .rev()
        .find(|e| {
            e.kind == JournalKind::Step
                && e.text.starts_with("[mi-agent-card-cryhod]")
                && e.text.contains("donné à l'appelant")
        })
        .map(|e| e.at)
}

impl Component for ToolsScreen {
    fn context(&self) -> Context {
        if self.tool == Tool::Spell {
            Context::ToolsSpell
        } else if self.call.is_some() {
            Context::ToolsOnCall
        } else {
            Context::Tools
        }
    }

    fn update(&mut self, input: Input, env: &mut Env) -> Update {
        let action = match input {
            Input::Text(typed) => {
                self.focused_mut().typed(&typed);
                return Ok(Effect::None);
            }
            Input::Action(a) => a,
        };
        let n_tools = Tool::ALL.len();
        let n_fields = fields_of(self.tool).len();
        match action {
            Action::PageDown | Action::PageUp => {
                let i = index_of(self.tool);
                let j = if action == Action::PageDown {
                    (i + 1) % n_tools
                } else {
                    (i + n_tools - 1) % n_tools
                };
                if self.tool == Tool::Spell {
                    self.wipe_spelling();
                }
                self.tool = Tool::ALL[j];
                self.focus = 0;
            }
            Action::NextField => self.focus = (self.focus + 1) % n_fields,
            Action::PrevField => self.focus = (self.focus + n_fields - 1) % n_fields,
            Action::Toggle => self.alphabet_french = !self.alphabet_french,
            Action::Confirm => return self.note_on_call(env),
            Action::Back => {
                self.wipe_spelling();
                // What the tool read (never what was spelled) goes back to the walk.
                let value = self.values().concat();
                if self.call.is_some() && self.tool.accepts(value.trim()) {
                    return Ok(Effect::Reply(Reply::Offer(self.tool, value)));
                }
                return Ok(Effect::Pop);
            }
            _ => {}
        }
        Ok(Effect::None)
    }

    fn resume(&mut self, reply: Reply, env: &mut Env) -> Update {
        match reply {
            Reply::Confirmed(Pending::ToolNote { line, take_over }) => {
                self.write_note(env, &line, take_over)
            }
            _ => Ok(Effect::None),
        }
    }

    fn refresh(&mut self, env: &mut Env) -> Result<(), Problem> {
        if let Some(record) = &self.call {
            let reference = record.call.reference;
            self.call = Some(
                env.store
                    .read(move |s| s.get_call(reference))
                    .doing("appel illisible")?,
            );
        }
        Ok(())
    }

    fn about(&self) -> About<'_> {
        About {
            call: self.call.as_ref(),
            service: self.call.as_ref().map(|r| r.call.service.as_str()),
            procedure: None,
            walk: None,
        }
    }

    fn view(&self, frame: &mut Frame, area: Rect, view: &View) {
        let theme = view.theme;
        let [menu, panel] =
            Layout::horizontal([Constraint::Length(21), Constraint::Min(20)]).areas(area);
        let items: Vec<ListItem> = Tool::ALL.iter().map(|t| ListItem::new(t.label())).collect();
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
            &mut ListState::default().with_selected(Some(index_of(self.tool))),
        );

        let title = match &self.call {
            Some(r) => format!(" {} · appel {} ", self.tool.label(), r.call.reference),
            None => format!(" {} ", self.tool.label()),
        };
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.border_focused())
            .title(Span::styled(title, theme.title()));
        let inner = block.inner(panel);
        frame.render_widget(block, panel);
        let fields = fields_of(self.tool);
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
            let focused = self.focus == i;
            let style = if focused {
                theme.label_focused()
            } else {
                theme.label()
            };
            frame.render_widget(
                Paragraph::new(Span::styled(format!("{label:<12}"), style)),
                l,
            );
            let field = self.field(i);
            if focused {
                frame.render_widget(field.textarea(), v);
                focus_text(frame, field, v);
            } else {
                frame.render_widget(Paragraph::new(visible(&field.value()).into_owned()), v);
            }
        }
        let answer = self.answer(view.now, Some(view), &view.desk.calendar);
        let mut lines = answer.lines;
        let ctx = self.context();
        match (&self.call, &answer.journal) {
            (Some(r), Ok(_)) => {
                if let Some(h) = hint(
                    ctx,
                    Action::Confirm,
                    &format!("noter cette réponse sur l'appel {}", r.call.reference),
                ) {
                    lines.push(Line::default());
                    lines.push(Line::from(Span::styled(h, theme.label_focused())));
                }
            }
            (None, Ok(_)) if self.tool != Tool::Spell => {
                lines.push(Line::default());
                lines.push(Line::from(Span::styled(
                    "Pour noter cette réponse sur un appel : ouvrir l'appel, puis F4.",
                    theme.dim(),
                )));
            }
            _ => {}
        }
        let cols = result_area.width as usize;
        let lines: Vec<Line> = lines.into_iter().flat_map(|l| fold_line(l, cols)).collect();
        frame.render_widget(Paragraph::new(lines), result_area);
    }
}

/// A tool's answer: what it shows, and the line it would add to a call's journal (or
/// why there is nothing to add yet).
pub struct Answer {
    pub lines: Vec<Line<'static>>,
    pub journal: Result<String, String>,
}

/// The tool's answer for what is typed, computed afresh (pure and cheap).
fn answer(
    tool: Tool,
    values: &[String],
    french: bool,
    now: DateTime<Utc>,
    calendar: &crate::domain::amigo::SchoolCalendar,
    theme: Option<&Theme>,
    screen_reader: bool,
) -> Answer {
    let plain = Theme { color: false };
    let theme = theme.unwrap_or(&plain);
    // Words for a screen reader, like `View::mark` (the view is not here: the journal's
    // line is computed from the same answer without one).
    let warning = if screen_reader {
        "Attention : "
    } else {
        "⚠ "
    };
    let v = |i: usize| values.get(i).map(String::as_str).unwrap_or("");
    let err = |e: String| Answer {
        lines: vec![Line::from(Span::styled(
            format!("{warning}{e}"),
            theme.error(),
        ))],
        journal: Err(e),
    };
    let hint_line = |t: &str| Line::from(Span::styled(t.to_string(), theme.dim()));
    let waiting = |lines: Vec<Line<'static>>, why: &str| Answer {
        lines,
        journal: Err(why.to_string()),
    };
    let pair = |k: &str, val: String| {
        Line::from(vec![
            Span::styled(format!("{k:<16}"), theme.label()),
            Span::raw(val),
        ])
    };
    match tool {
        Tool::Printer => {
            if v(0).trim().is_empty() {
                return waiting(
                    vec![hint_line(
                        "Taper un nom de copieur, par exemple I14RC-DSI-RDC ou I76RC-DSI04-B4.",
                    )],
                    "taper d'abord le nom du copieur",
                );
            }
            match printer::decode(v(0)) {
                Err(e) => err(e.to_string()),
                Ok(p) => {
                    let perimeter = if p.perimeter == Perimeter::Caen {
                        "Caen"
                    } else {
                        "Rouen"
                    };
                    let copier = p.copier_label.clone();
                    let journal = format!(
                        "Imprimante {} : {} ({}), site {} ({}), division {}, copieur {}, {} : {}, serveur {}",
                        v(0).trim().to_uppercase(),
                        p.department_name,
                        p.department_code,
                        p.site_name,
                        p.site_code,
                        p.division,
                        copier,
                        p.location,
                        p.location_label,
                        p.print_server
                    );
                    Answer {
                        lines: vec![
                            pair(
                                "Département",
                                format!("{} ({})", p.department_code, p.department_name),
                            ),
                            pair("Périmètre", perimeter.into()),
                            pair("Site", format!("{} ({})", p.site_code, p.site_name)),
                            pair("Division", p.division.clone()),
                            pair("Copieur", copier),
                            pair(
                                "Emplacement",
                                format!("{} : {}", p.location, p.location_label),
                            ),
                            pair("Serveur", p.print_server.clone()),
                        ],
                        journal: Ok(journal),
                    }
                }
            }
        }
        Tool::Comu => {
            if v(0).trim().is_empty() || v(1).trim().is_empty() || v(2).trim().is_empty() {
                return waiting(
                    vec![
                        hint_line(
                            "Prénom, nom, et domaine : AC, AT, PJ, SP, DG, CRS, PAF, PPOL ou gendarmerie.",
                        ),
                        hint_line("Adresse : https://webconf.comu.minint.fr"),
                    ],
                    "prénom, nom et domaine d'abord",
                );
            }
            match comu_login(v(0), v(1), v(2)) {
                Err(e) => err(e.to_string()),
                Ok(l) => Answer {
                    journal: Ok(format!(
                        "Identifiant COMU indiqué : {} ({}), sur {}",
                        l.login, l.password, l.address
                    )),
                    lines: vec![
                        pair("Identifiant", l.login),
                        pair("Mot de passe", l.password.to_string()),
                        pair("Adresse", l.address.to_string()),
                        hint_line(crate::domain::comu::FOLDING_RULE),
                    ],
                },
            }
        }
        Tool::Spell => {
            let alphabet = if french {
                Alphabet::French
            } else {
                Alphabet::International
            };
            let mut lines = vec![hint_line(&format!(
                "Alphabet : {}. Rien n'est conservé : le texte est effacé en quittant l'outil.",
                if french {
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
                    spans.push(Span::styled(format!("  {warning}{w}"), theme.error()));
                }
                lines.push(Line::from(spans));
            }
            waiting(lines, "ce qui est épelé n'est jamais noté")
        }
        Tool::Amigo => {
            let at = if v(0).trim().is_empty() {
                now
            } else {
                match parse_plausible(v(0), now, YEAR_AHEAD) {
                    Ok(t) => t,
                    Err(e) => return err(e.to_string()),
                }
            };
            let status = crate::domain::amigo::amigo_status(at, calendar);
            let when = paris(at, "%d/%m/%Y à %H:%M");
            let mut journal = format!(
                "AMIGO le {when} : {} ({})",
                if status.open { "ouvert" } else { "fermé" },
                status.reason
            );
            let mut lines = vec![
                Line::from(Span::styled(
                    format!(
                        "AMIGO {} le {when}",
                        if status.open { "OUVERT" } else { "FERMÉ" },
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
                let next = paris(next, "%d/%m/%Y à %H:%M");
                journal.push_str(&format!(", réouverture le {next}"));
                lines.push(pair("Réouverture", next));
            }
            // The guide gives the emergency numbers without hours: always shown.
            {
                lines.push(hint_line("En cas d'urgence :"));
                for (who, number) in crate::domain::amigo::EMERGENCY {
                    lines.push(Line::from(format!("  {who} : {number}")));
                }
            }
            lines.push(hint_line(&format!(
                "{} · calendrier {}{}",
                crate::domain::amigo::ADDRESS,
                status.calendar_year,
                if status.unchecked {
                    " (non vérifié)"
                } else {
                    ""
                }
            )));
            Answer {
                lines,
                journal: Ok(journal),
            }
        }
        Tool::Cryhod => {
            let issued = if v(0).trim().is_empty() {
                now
            } else {
                match parse_plausible(v(0), now, DAY_AHEAD) {
                    Ok(t) => t,
                    Err(e) => return err(e.to_string()),
                }
            };
            let given = paris(issued, "%d/%m/%Y à %H:%M");
            let until = paris(valid_until(issued, 1), "%d/%m/%Y à %H:%M");
            Answer {
                journal: Ok(format!(
                    "Mot de passe CRYHOD donné le {given} : valable jusqu'au {until}"
                )),
                lines: vec![
                    pair("Donné le", given),
                    pair("Valable jusqu'au", until),
                    hint_line(&format!(
                        "Mot de passe CRYHOD {}.",
                        crate::domain::walk::CRYHOD_VALIDITY
                    )),
                    hint_line(
                        "Ensuite : révocation/renouvellement de la carte si elle est perdue, volée ou cassée.",
                    ),
                ],
            }
        }
        Tool::Quota => {
            if v(0).trim().is_empty() {
                return waiting(
                    vec![hint_line(crate::domain::quota::READ_HINT)],
                    "taper d'abord la consommation en Go",
                );
            }
            match parse_gb(v(0)) {
                Err(e) => err(e.to_string()),
                Ok(gb) => {
                    let q = quota(gb);
                    let state = if q.throttled {
                        "Ligne bridée (plus de 20 Go)"
                    } else {
                        "Ligne non bridée"
                    };
                    Answer {
                        journal: Ok(format!(
                            "Quota 4G : {gb} Go utilisés, {}",
                            state.to_lowercase()
                        )),
                        lines: vec![
                            Line::from(Span::styled(
                                state,
                                if q.throttled {
                                    theme.error()
                                } else {
                                    theme.success()
                                },
                            )),
                            Line::from(q.advice),
                        ],
                    }
                }
            }
        }
        Tool::Xivo => {
            let codes = xivo::search(v(0));
            if codes.is_empty() {
                return err(format!("aucun code pour « {} »", visible(v(0))));
            }
            let journal = if v(0).trim().is_empty() {
                Err("chercher d'abord le renvoi voulu".to_string())
            } else {
                Ok(format!(
                    "Codes XiVO indiqués : {}",
                    codes
                        .iter()
                        .map(|c| format!("{} ({})", c.code, c.what))
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            };
            Answer {
                journal,
                lines: codes
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
                    .collect(),
            }
        }
        Tool::Telemaintenance => {
            let lines = vec![
                pair("Client", CLIENT_NAME.to_string()),
                pair("Téléchargement", DOWNLOAD_ADDRESS.to_string()),
                Line::default(),
                hint_line("Donner le code de session à l'agent."),
            ];
            let journal = if v(0).trim().is_empty() {
                Err("taper d'abord le code de session".to_string())
            } else {
                check_code(v(0))
                    .map(|code| journal_line(&code, Channel::Phone))
                    .map_err(|e| e.to_string())
            };
            Answer { lines, journal }
        }
    }
}
