//! The tools screen's state and keys (F4): each tool a panel of fields and a live answer
//! computed by the domain's pure functions. Nothing typed here is stored, except a
//! telemaintenance code recorded on a call on purpose.

use super::app::{App, Screen};
use super::input::TextField;
use super::keys::Action;
use crate::domain::call::CallRef;
use crate::domain::telemaintenance::{Channel, check_code, journal_line};
use crossterm::event::KeyEvent;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    Printer,
    Comu,
    Spell,
    Amigo,
    Cryhod,
    Quota,
    Xivo,
    Telemaintenance,
}

impl Tool {
    pub const ALL: [Tool; 8] = [
        Tool::Printer,
        Tool::Comu,
        Tool::Spell,
        Tool::Amigo,
        Tool::Cryhod,
        Tool::Quota,
        Tool::Xivo,
        Tool::Telemaintenance,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Tool::Printer => "Imprimante",
            Tool::Comu => "Identifiant COMU",
            Tool::Spell => "Épeler",
            Tool::Amigo => "AMIGO ouvert ?",
            Tool::Cryhod => "Validité CRYHOD",
            Tool::Quota => "Quota 4G NOEMI",
            Tool::Xivo => "Codes XiVO",
            Tool::Telemaintenance => "Télémaintenance",
        }
    }

    /// The fields of the tool, in Tab order.
    pub fn fields(self) -> &'static [&'static str] {
        match self {
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

    /// The tool a procedure's steps call for, offered from the runner.
    pub fn for_procedure(slug: &str) -> Option<Tool> {
        Some(match slug {
            "acn-printers" => Tool::Printer,
            "mi-comu-login" => Tool::Comu,
            "mi-nomade2" | "mi-agent-card-cryhod" => Tool::Spell,
            "acn-amigo" => Tool::Amigo,
            "mi-noemi-4g" => Tool::Quota,
            "acn-call-forwarding" => Tool::Xivo,
            "acn-telemaintenance" => Tool::Telemaintenance,
            _ => return None,
        })
    }
}

pub struct ToolsState {
    pub tool: Tool,
    /// One row of fields per tool, kept while the console runs (never stored).
    pub fields: Vec<Vec<TextField>>,
    pub focus: usize,
    pub alphabet_french: bool,
    /// The call the tools were opened from, for prefills and the telemaintenance record.
    pub for_call: Option<CallRef>,
    pub return_to: Screen,
}

impl Default for ToolsState {
    fn default() -> Self {
        ToolsState {
            tool: Tool::Printer,
            fields: Tool::ALL
                .iter()
                .map(|t| {
                    t.fields()
                        .iter()
                        .map(|_| TextField::single("", 120))
                        .collect()
                })
                .collect(),
            focus: 0,
            alphabet_french: false,
            for_call: None,
            return_to: Screen::List,
        }
    }
}

impl ToolsState {
    fn index(&self) -> usize {
        Tool::ALL.iter().position(|t| *t == self.tool).unwrap_or(0)
    }

    pub fn values(&self) -> Vec<String> {
        self.fields[self.index()]
            .iter()
            .map(TextField::value)
            .collect()
    }

    pub fn field(&self, i: usize) -> &TextField {
        &self.fields[self.index()][i]
    }

    fn focused_mut(&mut self) -> &mut TextField {
        let i = self.index();
        let f = self.focus.min(self.fields[i].len() - 1);
        &mut self.fields[i][f]
    }

    fn set(&mut self, tool: Tool, field: usize, value: &str) {
        let i = Tool::ALL.iter().position(|t| *t == tool).unwrap_or(0);
        if self.fields[i][field].is_empty() {
            self.fields[i][field] = TextField::single(value, 120);
        }
    }
}

impl App {
    /// F4: the tools; from a call (or a procedure walked on it) the right tool, prefilled
    /// with what the call already says.
    pub(super) fn open_tools(&mut self) {
        if self.screen != Screen::Tools {
            self.tools.return_to = self.screen;
        }
        let call = match self.screen {
            Screen::Detail => self.detail.as_ref().map(|d| &d.record.call),
            _ => None,
        };
        self.tools.for_call = call.map(|c| c.reference);
        if let Some(c) = call {
            let mut words = c.caller_name.split_whitespace();
            let first = words.next().unwrap_or("").to_string();
            let last = words.collect::<Vec<_>>().join(" ");
            self.tools.set(Tool::Comu, 0, &first);
            self.tools.set(Tool::Comu, 1, &last);
        }
        let walked = self
            .detail
            .as_ref()
            .and_then(|d| d.runner.as_ref())
            .and_then(|r| Tool::for_procedure(&r.walk.procedure.slug));
        if let (Screen::Detail, Some(tool)) = (self.screen, walked) {
            self.tools.tool = tool;
            self.tools.focus = 0;
        }
        self.screen = Screen::Tools;
    }

    pub(super) fn act_tools(&mut self, action: Action) {
        let state = &mut self.tools;
        let n_tools = Tool::ALL.len();
        let n_fields = state.tool.fields().len();
        match action {
            Action::PageDown | Action::PageUp => {
                let i = state.index();
                let j = if action == Action::PageDown {
                    (i + 1) % n_tools
                } else {
                    (i + n_tools - 1) % n_tools
                };
                state.tool = Tool::ALL[j];
                state.focus = 0;
            }
            Action::NextField => state.focus = (state.focus + 1) % n_fields,
            Action::PrevField => state.focus = (state.focus + n_fields - 1) % n_fields,
            Action::Toggle => state.alphabet_french = !state.alphabet_french,
            Action::Confirm if state.tool == Tool::Telemaintenance => self.record_session_code(),
            Action::Back => {
                let back = state.return_to;
                self.screen = match back {
                    Screen::Detail if self.detail.is_none() => Screen::List,
                    Screen::Form if self.form.is_none() => Screen::List,
                    Screen::Tools => Screen::List,
                    other => other,
                };
            }
            _ => {}
        }
    }

    pub(super) fn type_in_tools(&mut self, ev: KeyEvent) {
        self.tools.focused_mut().handle(ev);
    }

    fn record_session_code(&mut self) {
        let Some(call) = self.tools.for_call else {
            self.error("ouvrir l'appel (Entrée dans la liste) puis F4 pour y noter le code".into());
            return;
        };
        let raw = self.tools.values()[0].clone();
        match check_code(&raw) {
            Err(e) => self.error(e.to_string()),
            Ok(code) => {
                let line = journal_line(&code, Channel::Phone);
                match self.store.add_note(call, &self.operator, self.now, &line) {
                    Ok(()) => {
                        self.tools.fields[Tool::ALL.len() - 1][0] = TextField::single("", 120);
                        self.reload_detail();
                        self.info(format!("Code de session {code} noté sur {call}"));
                    }
                    Err(e) => self.error(format!("code non noté : {e}")),
                }
            }
        }
    }
}
