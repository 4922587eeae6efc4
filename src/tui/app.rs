//! The console's state and how keys change it. Nothing here draws; the store is asked only
//! when something changes (a key, a tick that finds the database moved), never per frame.

use super::handover::HandoverState;
use super::input::{Picker, TextField};
use super::keys::{Action, Context, action_for};
use super::procedures::ProceduresState;
use super::runner::Runner;
use super::theme::Theme;
use super::tools::ToolsState;
use crate::catalog::calendar::embedded_calendar;
use crate::catalog::procedures::Catalog;
use crate::domain::amigo::{AmigoStatus, SchoolCalendar, amigo_status};
use crate::domain::call::{
    Call, CallDraft, CallRecord, CallRef, CallStatus, Field, InvalidCall, Outcome, check_note,
};
use crate::domain::reference::Reference;
use crate::domain::shifts::ShiftPlan;
use crate::store::{CallFilter, ProcedureHit, ProcedureQuery, SavedDraft, SearchIndex, Store};
use chrono::{DateTime, Duration, Utc};
use crossterm::event::{KeyCode, KeyEvent};

/// How many calls the list keeps in memory; older ones are reached by searching.
const LIST_WINDOW: u32 = 500;
/// How many procedures the form proposes.
const MATCHES: usize = 6;
/// How many open calls the form's side panel can show at most.
const OPEN_PANEL: u32 = 40;
/// How long a message stays in the status line.
const FLASH_FOR: Duration = Duration::seconds(6);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    List,
    Form,
    Detail,
    Procedures,
    Tools,
    Handover,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Open,
    Mine,
    All,
}

impl Scope {
    pub fn label(self) -> &'static str {
        match self {
            Scope::Open => "ouverts",
            Scope::Mine => "les miens",
            Scope::All => "tous",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flash {
    pub text: String,
    pub error: bool,
    pub until: DateTime<Utc>,
}

pub struct ListState {
    pub scope: Scope,
    pub service: Option<String>,
    pub search: TextField,
    pub searching: bool,
    pub calls: Vec<Call>,
    pub selected: usize,
    pub open_count: i64,
    /// The most recent open calls whatever the list's filters, for the form's side panel.
    pub open_calls: Vec<Call>,
}

pub struct FormState {
    pub opened_at: DateTime<Utc>,
    pub focus: Field,
    pub caller_name: TextField,
    pub phone: TextField,
    pub email: TextField,
    pub summary: TextField,
    pub notes: TextField,
    pub service: Picker,
    pub device: Picker,
    pub errors: Option<InvalidCall>,
    /// Changed since the draft was last saved.
    pub dirty: bool,
    /// Procedures matching the call as typed, best first.
    pub matches: Vec<ProcedureHit>,
    pub match_selected: usize,
    /// The keyboard is on the proposed procedures rather than on a field.
    pub in_matches: bool,
    /// (summary, service, device) the matches were computed for.
    matched_for: (String, String, String),
}

impl FormState {
    pub fn new(opened_at: DateTime<Utc>, draft: &CallDraft, reference: &Reference) -> FormState {
        FormState {
            opened_at,
            focus: Field::CallerName,
            caller_name: TextField::single(&draft.caller_name, Field::CallerName.max_chars()),
            phone: TextField::single(&draft.caller_phone, Field::Phone.max_chars()),
            email: TextField::single(&draft.caller_email, Field::Email.max_chars()),
            summary: TextField::single(&draft.summary, Field::Summary.max_chars()),
            notes: TextField::multi(&draft.notes, Field::Notes.max_chars()),
            service: Picker::new(&reference.services, &draft.service),
            device: Picker::new(&reference.devices, &draft.device),
            errors: None,
            dirty: false,
            matches: Vec::new(),
            match_selected: 0,
            in_matches: false,
            matched_for: Default::default(),
        }
    }

    pub fn draft(&self, reference: &Reference) -> CallDraft {
        CallDraft {
            caller_name: self.caller_name.value(),
            caller_phone: self.phone.value(),
            caller_email: self.email.value(),
            service: self.service.value(&reference.services),
            device: self.device.value(&reference.devices),
            summary: self.summary.value(),
            notes: self.notes.value(),
            procedures: Vec::new(),
        }
    }

    pub fn text_field(&mut self, field: Field) -> Option<&mut TextField> {
        match field {
            Field::CallerName => Some(&mut self.caller_name),
            Field::Phone => Some(&mut self.phone),
            Field::Email => Some(&mut self.email),
            Field::Summary => Some(&mut self.summary),
            Field::Notes => Some(&mut self.notes),
            Field::Service | Field::Device => None,
        }
    }

    fn move_focus(&mut self, delta: isize) {
        let all = Field::ALL;
        let i = all.iter().position(|f| *f == self.focus).unwrap_or(0) as isize;
        let n = all.len() as isize;
        self.focus = all[(i + delta).rem_euclid(n) as usize];
    }
}

#[derive(Debug, Clone)]
pub enum DetailMode {
    View,
    Note(TextField),
    Close {
        outcome: usize,
        note: TextField,
    },
    /// Someone else handles the call: ask before taking it over, then do `then`.
    TakeOver {
        then: Action,
    },
}

pub struct DetailState {
    pub record: CallRecord,
    /// First journal line shown.
    pub scroll: usize,
    pub mode: DetailMode,
    /// A note typed then cancelled, offered again next time.
    pub pending_note: String,
    /// The procedure being walked on this call, if any.
    pub runner: Option<Runner>,
}

pub struct App {
    pub store: Store,
    pub reference: Reference,
    pub catalog: Catalog,
    pub search_index: SearchIndex,
    pub operator: String,
    pub desk: String,
    pub theme: Theme,
    pub now: DateTime<Utc>,
    pub screen: Screen,
    pub help: bool,
    /// First line of the help shown, when it is taller than the screen.
    pub help_scroll: u16,
    pub list: ListState,
    pub form: Option<FormState>,
    pub detail: Option<DetailState>,
    pub procedures: ProceduresState,
    pub tools: ToolsState,
    pub handover: HandoverState,
    /// The school calendar AMIGO's hours depend on.
    pub calendar: SchoolCalendar,
    /// AMIGO's state now, refreshed on the clock's tick (shown for Normandie calls).
    pub amigo: AmigoStatus,
    pub flash: Option<Flash>,
    /// A call typed but never saved, found at start (the process was killed, the SSH link
    /// dropped): offered back before anything else.
    pub draft_offer: Option<SavedDraft>,
    pub quit: bool,
    data_version: i64,
}

impl App {
    pub fn new(
        mut store: Store,
        reference: Reference,
        catalog: Catalog,
        operator: String,
        desk: String,
        theme: Theme,
        now: DateTime<Utc>,
    ) -> App {
        let calendar = embedded_calendar();
        let (search_index, index_error) = match store.sync_catalog(&catalog) {
            Ok(index) => (index, None),
            Err(e) => (SearchIndex::default(), Some(e)),
        };
        let mut app = App {
            store,
            reference,
            catalog,
            search_index,
            operator,
            desk,
            theme,
            now,
            screen: Screen::List,
            help: false,
            help_scroll: 0,
            list: ListState {
                scope: Scope::Open,
                service: None,
                search: TextField::single("", 60),
                searching: false,
                calls: Vec::new(),
                selected: 0,
                open_count: 0,
                open_calls: Vec::new(),
            },
            form: None,
            detail: None,
            procedures: ProceduresState::default(),
            tools: ToolsState::default(),
            handover: HandoverState::new(ShiftPlan::default_plan()),
            amigo: amigo_status(now, &calendar),
            calendar,
            flash: None,
            draft_offer: None,
            quit: false,
            data_version: 0,
        };
        if let Some(e) = index_error {
            app.error(format!("index des procédures indisponible : {e}"));
        }
        app.data_version = app.store.data_version().unwrap_or(0);
        app.reload_list();
        match app.store.load_draft(&app.operator) {
            Ok(Some(saved)) if !saved.draft.is_blank() => app.draft_offer = Some(saved),
            Ok(_) => {}
            Err(e) => app.error(format!("brouillon illisible : {e}")),
        }
        app
    }

    pub fn context(&self) -> Context {
        if self.help {
            Context::Help
        } else if self.draft_offer.is_some() {
            Context::DraftOffer
        } else {
            self.screen_context()
        }
    }

    /// The call on screen (typed or stored) is from the Académie de Normandie, whose
    /// assistance platform AMIGO has opening hours worth seeing.
    pub fn is_normandie_call(&self) -> bool {
        let service = match self.screen {
            Screen::Form => self
                .form
                .as_ref()
                .map(|f| f.service.value(&self.reference.services)),
            Screen::Detail | Screen::Tools | Screen::Procedures | Screen::Handover => {
                self.detail.as_ref().map(|d| d.record.call.service.clone())
            }
            Screen::List => None,
        };
        matches!(service.as_deref(), Some("acn-caen" | "acn-rouen"))
    }

    /// Where the keyboard is on the screen itself, the help overlay aside.
    pub fn screen_context(&self) -> Context {
        match self.screen {
            Screen::List if self.list.searching => Context::ListSearch,
            Screen::List => Context::List,
            Screen::Form if self.form.as_ref().is_some_and(|f| f.in_matches) => {
                Context::FormMatches
            }
            Screen::Form => Context::Form,
            Screen::Detail => match self.detail.as_ref() {
                Some(DetailState {
                    mode: DetailMode::Note(_),
                    ..
                }) => Context::DetailNote,
                Some(DetailState {
                    mode: DetailMode::Close { .. },
                    ..
                }) => Context::DetailClose,
                Some(DetailState {
                    mode: DetailMode::TakeOver { .. },
                    ..
                }) => Context::DetailTakeOver,
                Some(DetailState {
                    runner: Some(runner),
                    ..
                }) if runner.wants_input() => Context::RunnerInput,
                Some(DetailState {
                    runner: Some(_), ..
                }) => Context::Runner,
                _ => Context::Detail,
            },
            Screen::Procedures => self.procedures_context(),
            Screen::Tools => Context::Tools,
            Screen::Handover => self.handover_context(),
        }
    }

    pub(super) fn info(&mut self, text: String) {
        self.flash = Some(Flash {
            text,
            error: false,
            until: self.now + FLASH_FOR,
        });
    }

    pub(super) fn error(&mut self, text: String) {
        self.flash = Some(Flash {
            text,
            error: true,
            until: self.now + FLASH_FOR,
        });
    }

    /// The clock moved: expire messages, save the draft, and pick up other operators'
    /// changes when the database says it changed.
    pub fn tick(&mut self, now: DateTime<Utc>) {
        self.now = now;
        self.amigo = amigo_status(now, &self.calendar);
        if self.flash.as_ref().is_some_and(|f| f.until <= now) {
            self.flash = None;
        }
        self.save_draft_if_dirty();
        if let Ok(v) = self.store.data_version()
            && v != self.data_version
        {
            self.data_version = v;
            self.reload_list();
            self.reload_detail();
            if self.screen == Screen::Handover {
                self.reload_handover();
            }
        }
    }

    /// Uses the desk's shift plan instead of the default one.
    pub fn with_shift_plan(mut self, plan: ShiftPlan) -> App {
        self.handover = HandoverState::new(plan);
        self
    }

    /// Saves the call being typed now, whatever its state (leaving the console).
    pub fn save_draft_now(&mut self) {
        if let Some(form) = self.form.as_mut() {
            form.dirty = true;
        }
        self.save_draft_if_dirty();
    }

    fn save_draft_if_dirty(&mut self) {
        if self.store.is_read_only() {
            return;
        }
        let Some(form) = self.form.as_mut().filter(|f| f.dirty) else {
            return;
        };
        form.dirty = false;
        let draft = form.draft(&self.reference);
        let opened_at = form.opened_at;
        if let Err(e) = self
            .store
            .save_draft(&self.operator, opened_at, self.now, &draft)
        {
            self.error(format!("brouillon non sauvegardé : {e}"));
        }
    }

    pub fn reload_list(&mut self) {
        let keep = self.list.calls.get(self.list.selected).map(|c| c.reference);
        let search = self.list.search.value();
        let filter = CallFilter {
            open_only: self.list.scope == Scope::Open,
            operator: (self.list.scope == Scope::Mine).then(|| self.operator.clone()),
            service: self.list.service.clone(),
            caller: (!search.trim().is_empty()).then_some(search),
            limit: Some(LIST_WINDOW),
            ..CallFilter::default()
        };
        match self.store.list_calls(&filter) {
            Ok(calls) => self.list.calls = calls,
            Err(e) => self.error(e.to_string()),
        }
        if let Ok(n) = self.store.count_open() {
            self.list.open_count = n;
        }
        let open = CallFilter {
            open_only: true,
            limit: Some(OPEN_PANEL),
            ..CallFilter::default()
        };
        match self.store.list_calls(&open) {
            Ok(calls) => self.list.open_calls = calls,
            Err(e) => self.error(e.to_string()),
        }
        self.list.selected = keep
            .and_then(|r| self.list.calls.iter().position(|c| c.reference == r))
            .unwrap_or(0)
            .min(self.list.calls.len().saturating_sub(1));
    }

    pub(super) fn reload_detail(&mut self) {
        let Some(detail) = self.detail.as_mut() else {
            return;
        };
        match self.store.get_call(detail.record.call.reference) {
            Ok(record) => detail.record = record,
            Err(e) => self.error(e.to_string()),
        }
    }

    pub(super) fn open_detail(&mut self, reference: CallRef) {
        match self.store.get_call(reference) {
            Ok(record) => {
                let scroll = record.journal.len().saturating_sub(1);
                self.detail = Some(DetailState {
                    record,
                    scroll,
                    mode: DetailMode::View,
                    pending_note: String::new(),
                    runner: None,
                });
                self.screen = Screen::Detail;
            }
            Err(e) => self.error(e.to_string()),
        }
    }

    pub fn handle_key(&mut self, ev: KeyEvent) {
        let ctx = self.context();
        match action_for(ctx, &ev) {
            Some(action) => self.act(ctx, action, ev),
            None if ctx.takes_text() => self.type_key(ctx, ev),
            None => {}
        }
    }

    fn act(&mut self, ctx: Context, action: Action, ev: KeyEvent) {
        match action {
            Action::Help => {
                self.help = !self.help;
                self.help_scroll = 0;
            }
            Action::ForceQuit | Action::Quit => {
                self.save_draft_if_dirty();
                self.quit = true;
            }
            Action::NewCall => {
                self.help = false;
                self.new_call();
            }
            Action::Procedures if ctx != Context::Help => self.open_procedures(),
            Action::Tools if ctx != Context::Help => self.open_tools(),
            Action::Handover if ctx != Context::Help => self.open_handover(),
            _ => match ctx {
                Context::Help => match action {
                    Action::Up => self.help_scroll = self.help_scroll.saturating_sub(1),
                    Action::Down => self.help_scroll = self.help_scroll.saturating_add(1),
                    _ => self.help = false,
                },
                Context::List => self.act_list(action),
                Context::ListSearch => self.act_search(action),
                Context::Form => self.act_form(action, ev),
                Context::Detail => self.act_detail(action),
                Context::DetailNote => self.act_note(action),
                Context::DetailClose => self.act_close(action),
                Context::DetailTakeOver => self.act_take_over(action),
                Context::DraftOffer => self.act_draft_offer(action),
                Context::FormMatches => self.act_form_matches(action),
                Context::Procedures | Context::ProceduresSearch | Context::ProcedureView => {
                    self.act_procedures(ctx, action)
                }
                Context::Runner | Context::RunnerInput => self.act_runner(action),
                Context::Tools => self.act_tools(action),
                Context::Handover | Context::HandoverNote => self.act_handover(ctx, action),
            },
        }
    }

    fn new_call(&mut self) {
        if let Some(saved) = self.draft_offer.take() {
            self.form = Some(FormState::new(
                saved.opened_at,
                &saved.draft,
                &self.reference,
            ));
        }
        if self.store.is_read_only() {
            self.error("base en lecture seule : aucun appel ne peut être enregistré ici".into());
            return;
        }
        if self.form.is_none() {
            self.form = Some(FormState::new(
                self.now,
                &CallDraft::default(),
                &self.reference,
            ));
        }
        if let Some(form) = self.form.as_mut() {
            form.focus = Field::CallerName;
            form.in_matches = false;
        }
        self.screen = Screen::Form;
        self.update_matches();
    }

    fn act_list(&mut self, action: Action) {
        let n = self.list.calls.len();
        let sel = &mut self.list.selected;
        match action {
            Action::Up => *sel = sel.saturating_sub(1),
            Action::Down => *sel = (*sel + 1).min(n.saturating_sub(1)),
            Action::PageUp => *sel = sel.saturating_sub(10),
            Action::PageDown => *sel = (*sel + 10).min(n.saturating_sub(1)),
            Action::First => *sel = 0,
            Action::Last => *sel = n.saturating_sub(1),
            Action::Open => {
                if let Some(r) = self.list.calls.get(self.list.selected).map(|c| c.reference) {
                    self.open_detail(r);
                }
            }
            Action::Search => self.list.searching = true,
            Action::NextScope | Action::ScopeOpen | Action::ScopeMine | Action::ScopeAll => {
                self.list.scope = match (action, self.list.scope) {
                    (Action::ScopeOpen, _) | (Action::NextScope, Scope::All) => Scope::Open,
                    (Action::ScopeMine, _) | (Action::NextScope, Scope::Open) => Scope::Mine,
                    _ => Scope::All,
                };
                self.reload_list();
            }
            Action::NextService => {
                let services = &self.reference.services;
                let next = match &self.list.service {
                    None => services.first(),
                    Some(cur) => services
                        .iter()
                        .position(|s| &s.slug == cur)
                        .and_then(|i| services.get(i + 1)),
                };
                self.list.service = next.map(|s| s.slug.clone());
                self.reload_list();
            }
            Action::Back => {
                self.list.service = None;
                self.list.search = TextField::single("", 60);
                self.reload_list();
            }
            _ => {}
        }
    }

    fn act_search(&mut self, action: Action) {
        match action {
            Action::Confirm => self.list.searching = false,
            Action::Back => {
                self.list.searching = false;
                self.list.search = TextField::single("", 60);
                self.reload_list();
            }
            _ => {}
        }
    }

    fn act_form(&mut self, action: Action, ev: KeyEvent) {
        let Some(form) = self.form.as_mut() else {
            return;
        };
        match (action, form.focus) {
            (Action::Save, _) => {
                self.save_call();
                return;
            }
            (Action::Back, _) => {
                commit_typed_pickers(form);
                self.save_draft_if_dirty();
                self.screen = Screen::List;
                self.info("Saisie gardée : F2 pour la reprendre".into());
                return;
            }
            (Action::NextField, f) | (Action::Confirm, f) if f != Field::Notes => {
                commit_picker(form, action == Action::Confirm);
                form.move_focus(1);
            }
            (Action::NextField, Field::Notes) => {
                if form.matches.is_empty() {
                    form.move_focus(1);
                } else {
                    form.in_matches = true;
                }
            }
            (Action::Run, _) => {
                commit_picker(form, false);
                if form.matches.is_empty() {
                    self.error(
                        "aucune procédure proposée : choisir le service, le poste et décrire l'objet"
                            .into(),
                    );
                } else {
                    form.in_matches = true;
                }
            }
            (Action::PrevField, _) => {
                commit_picker(form, false);
                form.move_focus(-1);
            }
            (Action::Up, Field::Service) => form.service.move_highlight(-1),
            (Action::Down, Field::Service) => form.service.move_highlight(1),
            (Action::Up, Field::Device) => form.device.move_highlight(-1),
            (Action::Down, Field::Device) => form.device.move_highlight(1),
            // In the notes, Enter and the arrows edit the text.
            (Action::Confirm | Action::Up | Action::Down, Field::Notes) => {
                let changed = form.notes.handle(ev);
                form.dirty |= changed;
            }
            (Action::Up, _) => form.move_focus(-1),
            (Action::Down, _) => form.move_focus(1),
            _ => {}
        }
        self.revalidate();
        self.update_matches();
    }

    fn type_key(&mut self, ctx: Context, ev: KeyEvent) {
        match ctx {
            Context::ListSearch if self.list.search.handle(ev) => {
                self.list.selected = 0;
                self.reload_list();
            }
            Context::Form => {
                let reference = &self.reference;
                let Some(form) = self.form.as_mut() else {
                    return;
                };
                let changed = match form.focus {
                    Field::Service => edit_picker(&mut form.service, &reference.services, ev),
                    Field::Device => edit_picker(&mut form.device, &reference.devices, ev),
                    f => form.text_field(f).is_some_and(|t| t.handle(ev)),
                };
                let focus = form.focus;
                let full = form
                    .text_field(focus)
                    .is_some_and(|t| t.value().chars().count() >= focus.max_chars());
                if changed {
                    form.dirty = true;
                    self.revalidate();
                    self.update_matches();
                } else if full && matches!(ev.code, KeyCode::Char(_)) {
                    self.error(format!(
                        "{} : {} caractères au plus, la suite n'est pas prise",
                        focus.label(),
                        focus.max_chars()
                    ));
                }
            }
            Context::DetailNote => {
                if let Some(DetailState {
                    mode: DetailMode::Note(field),
                    ..
                }) = self.detail.as_mut()
                {
                    field.handle(ev);
                }
            }
            Context::DetailClose => {
                if let Some(DetailState {
                    mode: DetailMode::Close { note, .. },
                    ..
                }) = self.detail.as_mut()
                {
                    note.handle(ev);
                }
            }
            Context::ProceduresSearch if self.procedures.search.handle(ev) => {
                self.procedures.selected = 0;
                self.reload_procedures();
            }
            Context::Tools => self.type_in_tools(ev),
            Context::HandoverNote => self.type_in_handover(ev),
            Context::RunnerInput => {
                if let Some(runner) = self.detail.as_mut().and_then(|d| d.runner.as_mut()) {
                    runner.hide();
                    runner.input.handle(ev);
                }
            }
            _ => {}
        }
    }

    /// Once a save has failed, errors follow the typing so a fixed field clears at once.
    fn revalidate(&mut self) {
        let Some(form) = self.form.as_mut() else {
            return;
        };
        if form.errors.is_some() {
            form.errors = form
                .draft(&self.reference)
                .validate(&self.reference, &self.operator, form.opened_at)
                .err();
        }
    }

    /// Saves the call being typed; on success shows it and returns its reference.
    pub(super) fn save_call(&mut self) -> Option<CallRef> {
        let form = self.form.as_mut()?;
        commit_typed_pickers(form);
        let draft = form.draft(&self.reference);
        match draft.validate(&self.reference, &self.operator, form.opened_at) {
            Err(errors) => {
                form.focus = errors.0[0].field;
                form.in_matches = false;
                let n = errors.0.len();
                form.errors = Some(errors);
                self.error(format!(
                    "{n} champ{} à corriger : l'appel n'est pas enregistré",
                    if n > 1 { "s" } else { "" }
                ));
                None
            }
            Ok(new_call) => match self.store.insert_call(&new_call) {
                Ok(call) => {
                    self.form = None;
                    if let Err(e) = self.store.clear_draft(&self.operator) {
                        self.error(format!("brouillon non effacé : {e}"));
                    }
                    self.reload_list();
                    self.open_detail(call.reference);
                    self.info(format!(
                        "Appel {} enregistré : référence à donner à l'appelant",
                        call.reference
                    ));
                    Some(call.reference)
                }
                Err(e) => {
                    self.error(format!("appel non enregistré, saisie gardée : {e}"));
                    None
                }
            },
        }
    }

    /// Re-runs the procedure search when the summary, service or device changed: one query
    /// per such key, never per frame.
    pub(super) fn update_matches(&mut self) {
        let Some(form) = self.form.as_mut() else {
            return;
        };
        let draft = form.draft(&self.reference);
        let key = (draft.summary, draft.service, draft.device);
        if key == form.matched_for {
            return;
        }
        let query = ProcedureQuery {
            text: &key.0,
            service: self.reference.service(&key.1).map(|s| s.slug.as_str()),
            device: self.reference.device(&key.2).map(|d| d.slug.as_str()),
            limit: MATCHES,
        };
        match self.store.search_procedures(&self.search_index, &query) {
            Ok(hits) => {
                form.matches = hits;
                form.match_selected = 0;
                if form.matches.is_empty() {
                    form.in_matches = false;
                }
                form.matched_for = key;
            }
            Err(e) => self.error(format!("recherche de procédures impossible : {e}")),
        }
    }

    fn act_form_matches(&mut self, action: Action) {
        let Some(form) = self.form.as_mut() else {
            return;
        };
        let n = form.matches.len();
        match action {
            Action::Up => form.match_selected = form.match_selected.saturating_sub(1),
            Action::Down => {
                form.match_selected = (form.match_selected + 1).min(n.saturating_sub(1))
            }
            Action::NextField => {
                form.in_matches = false;
                form.focus = Field::CallerName;
            }
            Action::PrevField => {
                form.in_matches = false;
                form.focus = Field::Notes;
            }
            Action::Back => {
                form.in_matches = false;
                self.act_form(Action::Back, KeyEvent::from(KeyCode::Esc));
            }
            Action::Save => {
                self.save_call();
            }
            Action::View => {
                if let Some(slug) = form
                    .matches
                    .get(form.match_selected)
                    .map(|h| h.slug.clone())
                {
                    self.view_procedure(&slug, None);
                }
            }
            Action::Run => {
                let Some(slug) = form
                    .matches
                    .get(form.match_selected)
                    .map(|h| h.slug.clone())
                else {
                    return;
                };
                if let Some(reference) = self.save_call() {
                    self.start_walk(reference, &slug);
                }
            }
            _ => {}
        }
    }

    fn act_detail(&mut self, action: Action) {
        let Some(detail) = self.detail.as_mut() else {
            return;
        };
        let call = &detail.record.call;
        let acts_on_call = matches!(action, Action::Run | Action::AddNote | Action::CloseCall);
        if acts_on_call && call.status == CallStatus::Open && call.handler != self.operator {
            detail.mode = DetailMode::TakeOver { then: action };
            return;
        }
        let last = detail.record.journal.len().saturating_sub(1);
        match action {
            Action::Up => detail.scroll = detail.scroll.saturating_sub(1),
            Action::Down => detail.scroll = (detail.scroll + 1).min(last),
            Action::Run => {
                let reference = detail.record.call.reference;
                self.resume_or_choose(reference);
            }
            Action::AddNote => {
                detail.mode = DetailMode::Note(TextField::single(
                    &detail.pending_note,
                    Field::Notes.max_chars(),
                ));
            }
            Action::CloseCall => {
                if detail.record.call.status == CallStatus::Closed {
                    let r = detail.record.call.reference;
                    self.error(format!("l'appel {r} est déjà clos"));
                } else {
                    detail.mode = DetailMode::Close {
                        outcome: 0,
                        note: TextField::single("", Field::Notes.max_chars()),
                    };
                }
            }
            Action::Back => {
                self.screen = Screen::List;
                self.detail = None;
            }
            _ => {}
        }
    }

    /// The draft found at start: take it back, keep it for later, or abandon it.
    fn act_draft_offer(&mut self, action: Action) {
        let Some(saved) = self.draft_offer.take() else {
            return;
        };
        match action {
            Action::Yes => {
                self.form = Some(FormState::new(
                    saved.opened_at,
                    &saved.draft,
                    &self.reference,
                ));
                self.screen = Screen::Form;
                self.update_matches();
                self.info("Saisie reprise : l'appel n'est pas encore enregistré (Ctrl-S)".into());
            }
            Action::Abandon => match self.store.clear_draft(&self.operator) {
                Ok(()) => self.info("Saisie abandonnée".into()),
                Err(e) => {
                    self.error(format!("brouillon non effacé : {e}"));
                    self.draft_offer = Some(saved);
                }
            },
            _ => {
                // Later: F2 takes it back.
                self.form = Some(FormState::new(
                    saved.opened_at,
                    &saved.draft,
                    &self.reference,
                ));
                self.info("Saisie gardée : F2 pour la reprendre".into());
            }
        }
    }

    fn act_take_over(&mut self, action: Action) {
        let Some(detail) = self.detail.as_mut() else {
            return;
        };
        let DetailMode::TakeOver { then } = detail.mode else {
            return;
        };
        detail.mode = DetailMode::View;
        if action != Action::Yes {
            return;
        }
        let reference = detail.record.call.reference;
        match self.store.take_over(reference, &self.operator, self.now) {
            Ok(_) => {
                self.reload_detail();
                self.info(format!("Vous avez repris l'appel {reference}"));
                self.act_detail(then);
            }
            Err(e) => self.error(format!("appel non repris : {e}")),
        }
    }

    fn act_note(&mut self, action: Action) {
        let Some(detail) = self.detail.as_mut() else {
            return;
        };
        let DetailMode::Note(field) = &detail.mode else {
            return;
        };
        let text = field.value();
        match action {
            Action::Back => {
                detail.pending_note = text;
                detail.mode = DetailMode::View;
            }
            Action::Confirm => {
                let reference = detail.record.call.reference;
                match check_note(&text) {
                    Err(e) => self.error(e.to_string()),
                    Ok(note) => {
                        match self
                            .store
                            .add_note(reference, &self.operator, self.now, &note)
                        {
                            Ok(()) => {
                                detail.pending_note.clear();
                                detail.mode = DetailMode::View;
                                self.reload_detail();
                                self.scroll_journal_to_end();
                                self.info(format!("Note ajoutée à {reference}"));
                            }
                            Err(e) => self.error(format!("note non ajoutée : {e}")),
                        }
                    }
                }
            }
            _ => {}
        }
    }

    fn act_close(&mut self, action: Action) {
        let Some(detail) = self.detail.as_mut() else {
            return;
        };
        let DetailMode::Close { outcome, note } = &mut detail.mode else {
            return;
        };
        let n = Outcome::ALL.len();
        match action {
            Action::Up => *outcome = (*outcome + n - 1) % n,
            Action::Down => *outcome = (*outcome + 1) % n,
            Action::Back => detail.mode = DetailMode::View,
            Action::Confirm => {
                let chosen = Outcome::ALL[*outcome];
                let text = note.value();
                let reference = detail.record.call.reference;
                let note = if text.trim().is_empty() {
                    None
                } else {
                    match check_note(&text) {
                        Ok(n) => Some(n),
                        Err(e) => {
                            self.error(e.to_string());
                            return;
                        }
                    }
                };
                match self.store.close_call(
                    reference,
                    &self.operator,
                    self.now,
                    chosen,
                    note.as_deref(),
                ) {
                    Ok(_) => {
                        detail.mode = DetailMode::View;
                        self.reload_detail();
                        self.reload_list();
                        self.scroll_journal_to_end();
                        self.info(format!("Appel {reference} clos : {}", chosen.label()));
                    }
                    Err(e) => self.error(e.to_string()),
                }
            }
            _ => {}
        }
    }

    fn scroll_journal_to_end(&mut self) {
        if let Some(d) = self.detail.as_mut() {
            d.scroll = d.record.journal.len().saturating_sub(1);
        }
    }
}

/// Leaving a picker takes the highlighted proposal if the operator typed something; Enter
/// takes it even on the untouched list.
fn commit_picker(form: &mut FormState, enter: bool) {
    let picker = match form.focus {
        Field::Service => &mut form.service,
        Field::Device => &mut form.device,
        _ => return,
    };
    let changed = if enter {
        picker.commit_highlighted()
    } else {
        picker.commit()
    };
    if changed {
        form.dirty = true;
    }
}

/// A query typed in a picker and left without Tab still means its best proposal.
fn commit_typed_pickers(form: &mut FormState) {
    let changed = form.service.commit() | form.device.commit();
    form.dirty |= changed;
}

fn edit_picker<T: crate::domain::reference::Pickable>(
    picker: &mut Picker,
    items: &[T],
    ev: KeyEvent,
) -> bool {
    match ev.code {
        KeyCode::Char(c)
            if !ev
                .modifiers
                .contains(crossterm::event::KeyModifiers::CONTROL) =>
        {
            picker.type_char(items, c);
            true
        }
        KeyCode::Backspace => {
            picker.backspace(items);
            true
        }
        KeyCode::Delete => {
            picker.clear(items);
            true
        }
        _ => false,
    }
}
