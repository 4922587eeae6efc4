//! The new-call form: fields on the left; on the right the procedures matching the call
//! as typed and the open calls.

use crate::domain::call::{Call, CallDraft, Field, InvalidCall};
use crate::domain::reference::{Pickable, Reference};
use crate::domain::text::{truncate, truncate_title, visible, width};
use crate::domain::time::{paris, timer};
use crate::store::link::Late;
use crate::store::{
    CallFilter, KnownCaller, PROPOSALS_KEPT, ProcedureHit, ProcedureQuery, SavedDraft, StoreError,
};
use crate::tui::component::{About, Component, Doing, Effect, Env, Input, Problem, Update, View};
use crate::tui::input::{Picker, TextField, Typed};
use crate::tui::keys::{Action, Context, key_for};
use crate::tui::route::Route;
use crate::tui::widgets::{focus_line, focus_text};
use chrono::{DateTime, Utc};
use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Margin, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, List, ListItem, ListState, Paragraph};

const LABEL_WIDTH: u16 = 10;
/// How many procedures the form proposes.
const MATCHES: usize = 6;
/// How many open calls the side panel can show at most.
const OPEN_PANEL: u32 = 40;
/// How many known callers the form proposes.
const KNOWN_CALLERS: usize = 6;

pub struct FormScreen {
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
    /// The most recent open calls, for the side panel, and how many are open.
    pub open_calls: Vec<Call>,
    pub open_count: i64,
    /// The telephony's call the form was opened from (F2 while it rang).
    pub telephony_id: Option<String>,
    /// The callers known from past calls whose name or number holds what is typed in the
    /// name or phone field, newest first.
    pub known: Vec<KnownCaller>,
    pub known_selected: usize,
    /// The keyboard is on the known callers.
    pub in_callers: bool,
    /// What the known callers were looked up for.
    known_for: String,
    /// A save the store has not answered yet (a slow server), and the procedure to walk
    /// once saved: the call is not saved twice, and what was typed stays.
    saving: Option<PendingSave>,
}

impl FormScreen {
    pub fn new(env: &mut Env, opened_at: DateTime<Utc>, draft: &CallDraft) -> FormScreen {
        let reference = &env.desk.reference;
        let mut form = FormScreen {
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
            open_calls: Vec::new(),
            open_count: 0,
            telephony_id: draft.telephony_id.clone(),
            known: Vec::new(),
            known_selected: 0,
            in_callers: false,
            known_for: String::new(),
            saving: None,
        };
        // A form that cannot read the open calls or search procedures still takes the
        // call: those panels stay empty.
        let _ = form.load_open_calls(env);
        let _ = form.update_matches(env);
        form
    }

    /// A draft found in the store, typed again into a form.
    pub fn resumed(env: &mut Env, saved: &SavedDraft) -> FormScreen {
        FormScreen::new(env, saved.opened_at, &saved.draft)
    }

    /// A new call's form filled with `draft` (a phone call's number, a call back, a call
    /// set aside, or nothing). A caller the desk knows is filled in: what is left to type
    /// is what the call is about. Anything filled in is not saved yet as this console's
    /// draft: it is at the next tick.
    pub fn filled(env: &mut Env, opened_at: DateTime<Utc>, draft: &CallDraft) -> FormScreen {
        let mut form = FormScreen::new(env, opened_at, draft);
        form.dirty = *draft != CallDraft::default();
        form.focus = if form.caller_name.value().is_empty() {
            Field::CallerName
        } else {
            Field::Summary
        };
        form
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
            telephony_id: self.telephony_id.clone(),
        }
    }

    /// The draft to save when it changed since the last save.
    pub fn take_dirty(&mut self, reference: &Reference) -> Option<CallDraft> {
        if !self.dirty {
            return None;
        }
        self.dirty = false;
        Some(self.draft(reference))
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

    fn text_of(&self, field: Field) -> Option<&TextField> {
        match field {
            Field::CallerName => Some(&self.caller_name),
            Field::Phone => Some(&self.phone),
            Field::Email => Some(&self.email),
            Field::Summary => Some(&self.summary),
            Field::Notes => Some(&self.notes),
            Field::Service | Field::Device => None,
        }
    }

    fn move_focus(&mut self, delta: isize) {
        let all = Field::ALL;
        let i = all.iter().position(|f| *f == self.focus).unwrap_or(0) as isize;
        let n = all.len() as isize;
        self.focus = all[(i + delta).rem_euclid(n) as usize];
    }

    fn load_open_calls(&mut self, env: &mut Env) -> Result<(), Problem> {
        let open = CallFilter {
            open_only: true,
            limit: Some(OPEN_PANEL),
            ..CallFilter::default()
        };
        let (calls, count) = env
            .store
            .read(move |s| Ok((s.list_calls(&open)?, s.count_open()?)))
            .doing("appels ouverts illisibles")?;
        self.open_calls = calls;
        self.open_count = count;
        Ok(())
    }

    /// Leaving a picker takes the highlighted proposal if the operator typed something;
    /// Enter takes it even on the untouched list.
    fn commit_picker(&mut self, enter: bool) {
        let picker = match self.focus {
            Field::Service => &mut self.service,
            Field::Device => &mut self.device,
            _ => return,
        };
        let changed = if enter {
            picker.commit_highlighted()
        } else {
            picker.commit()
        };
        self.dirty |= changed;
    }

    /// A query typed in a picker and left without Tab still means its best proposal.
    fn commit_typed_pickers(&mut self) {
        let changed = self.service.commit() | self.device.commit();
        self.dirty |= changed;
    }

    /// Once a save has failed, errors follow the typing so a fixed field clears at once.
    fn revalidate(&mut self, env: &Env) {
        if self.errors.is_some() {
            self.errors = self
                .draft(&env.desk.reference)
                .validate(&env.desk.reference, &env.desk.operator, self.opened_at)
                .err();
        }
    }

    /// Re-runs the procedure search when the summary, service or device changed: one query
    /// per such key, never per frame.
    fn update_matches(&mut self, env: &mut Env) -> Result<(), Problem> {
        self.compute_matches(env, false)
    }

    /// The proposals for what is typed: computed again when the words, the service or the
    /// device changed, or always (`again`: the catalogue or the data changed).
    fn compute_matches(&mut self, env: &mut Env, again: bool) -> Result<(), Problem> {
        let reference = &env.desk.reference;
        let draft = self.draft(reference);
        let key = (draft.summary, draft.service, draft.device);
        if key == self.matched_for && !again {
            return Ok(());
        }
        let query = ProcedureQuery {
            text: &key.0,
            service: reference.service(&key.1).map(|s| s.slug.as_str()),
            device: reference.device(&key.2).map(|d| d.slug.as_str()),
            limit: MATCHES,
        };
        let hits = env.desk.library.index.search(&query);
        // The procedure the operator has moved to stays chosen when the same words are
        // matched again (another console wrote, the catalogue came): only new words
        // start the list from its top.
        let kept = self
            .matches
            .get(self.match_selected)
            .filter(|_| key == self.matched_for)
            .and_then(|chosen| hits.iter().position(|h| h.slug == chosen.slug));
        self.matches = hits;
        self.match_selected = kept.unwrap_or(0);
        if self.matches.is_empty() {
            self.in_matches = false;
        }
        self.matched_for = key;
        Ok(())
    }

    /// Looks the callers up again when the name or phone being typed changed: one query
    /// per such key, never per frame.
    fn update_known(&mut self, env: &mut Env) -> Result<(), Problem> {
        let typed = match self.focus {
            Field::CallerName => self.caller_name.value(),
            Field::Phone => self.phone.value(),
            _ => return Ok(()),
        };
        if typed == self.known_for {
            return Ok(());
        }
        let asked = typed.clone();
        self.known = env
            .store
            .read(move |s| s.known_callers(&asked, KNOWN_CALLERS))
            .doing("appelants connus illisibles")?;
        self.known_selected = 0;
        self.known_for = typed;
        Ok(())
    }

    /// Whether the known callers are what the side panel shows: while the name or the
    /// phone is typed and some are known.
    fn shows_known(&self) -> bool {
        !self.known.is_empty()
            && (self.in_callers || matches!(self.focus, Field::CallerName | Field::Phone))
    }

    /// Fills the form with a known caller: name, phone, email when known, service, device.
    fn take_known(&mut self, env: &mut Env) -> Result<(), Problem> {
        let Some(known) = self.known.get(self.known_selected).cloned() else {
            return Ok(());
        };
        let reference = &env.desk.reference;
        self.caller_name = TextField::single(&known.name, Field::CallerName.max_chars());
        if let Some(phone) = &known.phone {
            self.phone = TextField::single(phone, Field::Phone.max_chars());
        }
        self.service = Picker::new(&reference.services, &known.service);
        self.device = Picker::new(&reference.devices, &known.device);
        self.in_callers = false;
        self.known.clear();
        self.known_for.clear();
        self.focus = Field::Summary;
        self.dirty = true;
        self.revalidate(env);
        self.update_matches(env)
    }

    fn act_callers(&mut self, action: Action, env: &mut Env) -> Update {
        let n = self.known.len();
        match action {
            Action::Up => self.known_selected = self.known_selected.saturating_sub(1),
            Action::Down => {
                self.known_selected = (self.known_selected + 1).min(n.saturating_sub(1))
            }
            Action::Confirm => self.take_known(env)?,
            Action::Back => self.in_callers = false,
            _ => {}
        }
        Ok(Effect::None)
    }

    /// Saves the call being typed and says what comes next (its page, the procedure
    /// `walk` walked on it). A store that does not answer at once keeps the form, its text
    /// and the save: it ends when the store answers ([`FormScreen::saved_late`]).
    fn save_then(&mut self, walk: Option<String>, env: &mut Env) -> Update {
        if self.saving.is_some() {
            return Err(Problem(
                "enregistrement déjà en attente : l'appel sera enregistré dès que le serveur \
                 répondra"
                    .into(),
            ));
        }
        let sent = self.draft(&env.desk.reference);
        match self.save(env) {
            Ok(call) => Self::saved_effect(&call, walk.as_deref()),
            // The status line says the store is slow while it is; this, once it answers.
            Err(Saving::Waits) => {
                self.saving = Some(PendingSave { walk, sent });
                Err(Problem(
                    "enregistrement en attente : l'appel sera enregistré dès que le serveur \
                     répondra, saisie gardée"
                        .into(),
                ))
            }
            Err(Saving::Failed(problem)) => Err(problem),
        }
    }

    /// The save the store answered late: the call's page, as on a save answered at once;
    /// or why not, the form kept to be saved again.
    pub fn saved_late(&mut self, result: Result<Call, String>) -> Update {
        let walk = self.saving.take().and_then(|p| p.walk);
        match result {
            Ok(call) => Self::saved_effect(&call, walk.as_deref()),
            Err(e) => Err(Problem(format!(
                "appel non enregistré, saisie gardée : {e}"
            ))),
        }
    }

    /// Whether a save waits for the store.
    pub fn is_saving(&self) -> bool {
        self.saving.is_some()
    }

    /// What was typed after a save that waits for the store was asked for: the form as it
    /// is now, when it differs from what the save carries (kept when the save ends).
    pub fn typed_since_save(&self, reference: &Reference) -> Option<CallDraft> {
        let sent = &self.saving.as_ref()?.sent;
        let now = self.draft(reference);
        (&now != sent).then_some(now)
    }

    /// Saves the call being typed; on success, the call as stored.
    fn save(&mut self, env: &mut Env) -> Result<Call, Saving> {
        self.commit_typed_pickers();
        let reference = &env.desk.reference;
        let draft = self.draft(reference);
        match draft.validate(reference, &env.desk.operator, self.opened_at) {
            Err(errors) => {
                self.focus = errors.0[0].field;
                self.in_matches = false;
                let n = errors.0.len();
                self.errors = Some(errors);
                Err(Saving::Failed(Problem(format!(
                    "{n} champ{} à corriger : l'appel n'est pas enregistré",
                    if n > 1 { "s" } else { "" }
                ))))
            }
            Ok(new_call) => {
                // What the form proposed when the call was saved, for the figures of
                // `report procedures`.
                let proposed: Vec<String> = self
                    .matches
                    .iter()
                    .take(PROPOSALS_KEPT)
                    .map(|h| h.slug.clone())
                    .collect();
                match env.store.write(
                    move |s| s.insert_proposed_call(&new_call, &proposed),
                    |r| Late::CallSaved(r.map_err(|e| e.to_string())),
                ) {
                    Ok(call) => Ok(call),
                    Err(StoreError::Slow { .. }) => Err(Saving::Waits),
                    Err(e) => Err(Saving::Failed(Problem(format!(
                        "appel non enregistré, saisie gardée : {e}"
                    )))),
                }
            }
        }
    }

    fn saved_effect(call: &Call, walk: Option<&str>) -> Update {
        // The call is safe; a draft left behind would only be offered back.
        let mut effect = Effect::ClearDraft
            .and(Effect::Replace(Route::Call(call.reference)))
            .and(Effect::Info(format!(
                "Appel {} enregistré : référence à donner à l'appelant",
                call.reference
            )));
        if let Some(slug) = walk {
            effect = effect.and(Effect::Open(Route::Walk {
                call: call.reference,
                procedure: slug.to_string(),
            }));
        }
        Ok(effect)
    }

    /// A key or a paste into the focused field; what does not fit is said, not dropped
    /// silently.
    fn type_in(&mut self, typed: &Typed, env: &mut Env) -> Update {
        let reference = &env.desk.reference;
        let focus = self.focus;
        let fits = self.text_of(focus).is_none_or(|t| t.fits(typed));
        let changed = match focus {
            Field::Service => self.service.typed(&reference.services, typed),
            Field::Device => self.device.typed(&reference.devices, typed),
            f => self.text_field(f).is_some_and(|t| t.typed(typed)),
        };
        if changed {
            self.dirty = true;
            self.revalidate(env);
            self.update_matches(env)?;
            self.update_known(env)?;
        }
        let refused = match typed {
            Typed::Key(_) => !changed && !fits,
            Typed::Paste(_) => !fits,
        };
        if refused {
            return Err(Problem(format!(
                "{} : {} caractères au plus, la suite n'est pas prise",
                focus.label(),
                focus.max_chars()
            )));
        }
        Ok(Effect::None)
    }

    fn act_matches(&mut self, action: Action, env: &mut Env) -> Update {
        let n = self.matches.len();
        let selected = self
            .matches
            .get(self.match_selected)
            .map(|h| h.slug.clone());
        match action {
            Action::Up => self.match_selected = self.match_selected.saturating_sub(1),
            Action::Down => {
                self.match_selected = (self.match_selected + 1).min(n.saturating_sub(1))
            }
            Action::NextField => {
                self.in_matches = false;
                self.focus = Field::CallerName;
            }
            Action::PrevField => self.in_matches = false,
            Action::Back => {
                self.in_matches = false;
                return self.act_fields(Action::Back, env);
            }
            Action::Save => return self.save_then(None, env),
            Action::View => {
                if let Some(slug) = selected {
                    return Ok(Effect::Open(Route::Procedure {
                        slug,
                        for_call: None,
                    }));
                }
            }
            Action::Run => {
                if let Some(slug) = selected {
                    return self.save_then(Some(slug), env);
                }
            }
            _ => {}
        }
        Ok(Effect::None)
    }

    fn act_fields(&mut self, action: Action, env: &mut Env) -> Update {
        match (action, self.focus) {
            (Action::Save, _) => return self.save_then(None, env),
            (Action::Back, _) => {
                self.commit_typed_pickers();
                self.dirty = true;
                // The router says whether the draft was kept once it has tried to save it.
                return Ok(Effect::Pop);
            }
            (Action::NextField, f) | (Action::Confirm, f) if f != Field::Notes => {
                self.commit_picker(action == Action::Confirm);
                self.move_focus(1);
            }
            (Action::NextField, Field::Notes) => {
                if self.matches.is_empty() {
                    self.move_focus(1);
                } else {
                    self.in_matches = true;
                }
            }
            (Action::KnownCallers, _) => {
                if self.known.is_empty() {
                    return Err(Problem(
                        "aucun appelant connu : taper trois lettres du nom ou chiffres du téléphone"
                            .into(),
                    ));
                }
                self.in_callers = true;
            }
            (Action::Run, _) => {
                self.commit_picker(false);
                self.update_matches(env)?;
                if self.matches.is_empty() {
                    return Err(Problem(
                        "aucune procédure proposée : choisir le service, le poste et décrire l'objet"
                            .into(),
                    ));
                }
                self.in_matches = true;
            }
            (Action::PrevField, _) => {
                self.commit_picker(false);
                self.move_focus(-1);
            }
            (Action::Up, Field::Service) => self.service.move_highlight(-1),
            (Action::Down, Field::Service) => self.service.move_highlight(1),
            (Action::Up, Field::Device) => self.device.move_highlight(-1),
            (Action::Down, Field::Device) => self.device.move_highlight(1),
            // In the notes, Enter and the arrows edit the text.
            (Action::Confirm | Action::Up | Action::Down, Field::Notes) => {
                let code = match action {
                    Action::Up => crossterm::event::KeyCode::Up,
                    Action::Down => crossterm::event::KeyCode::Down,
                    _ => crossterm::event::KeyCode::Enter,
                };
                self.dirty |= self.notes.handle(KeyEvent::from(code));
            }
            (Action::Up, _) => self.move_focus(-1),
            (Action::Down, _) => self.move_focus(1),
            _ => {}
        }
        self.revalidate(env);
        self.update_matches(env)?;
        Ok(Effect::None)
    }
}

impl Component for FormScreen {
    fn context(&self) -> Context {
        if self.in_callers {
            Context::FormCallers
        } else if self.in_matches {
            Context::FormMatches
        } else {
            Context::Form
        }
    }

    fn update(&mut self, input: Input, env: &mut Env) -> Update {
        match input {
            // Typing while on the proposals goes back to the field left for them: nothing
            // typed is dropped.
            Input::Text(typed) => {
                self.in_matches = false;
                self.in_callers = false;
                self.type_in(&typed, env)
            }
            Input::Action(action) if self.in_callers => self.act_callers(action, env),
            Input::Action(action) if self.in_matches => self.act_matches(action, env),
            Input::Action(action) => self.act_fields(action, env),
        }
    }

    fn refresh(&mut self, env: &mut Env) -> Result<(), Problem> {
        self.load_open_calls(env)?;
        // The catalogue may have come or changed: the proposals are computed again.
        self.compute_matches(env, true)
    }

    fn about(&self) -> About<'_> {
        About {
            call: None,
            service: self
                .service
                .chosen
                .map(|_| self.matched_for.1.as_str())
                .filter(|s| !s.is_empty()),
            procedure: None,
            walk: None,
        }
    }

    fn view(&self, frame: &mut Frame, area: Rect, view: &View) {
        let [left, right] =
            Layout::horizontal([Constraint::Percentage(56), Constraint::Percentage(44)])
                .areas(area);
        self.draw_fields(frame, left, view);
        let [matches, open_calls] =
            Layout::vertical([Constraint::Length(9), Constraint::Min(3)]).areas(right);
        self.draw_matches(frame, matches, view);
        if self.shows_known() {
            self.draw_known(frame, open_calls, view);
        } else {
            self.draw_open_calls(frame, open_calls, view);
        }
    }
}

impl FormScreen {
    /// The procedures matching the call as typed; the place the operator goes with Ctrl-P.
    fn draw_matches(&self, frame: &mut Frame, area: Rect, view: &View) {
        let theme = view.theme;
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(if self.in_matches {
                theme.border_focused()
            } else {
                theme.border()
            })
            .title(Span::styled(" Procédures proposées ", theme.title()));
        if self.matches.is_empty() {
            let hint =
                "Choisir service et poste, décrire l'objet : les procédures s'affichent ici.";
            frame.render_widget(
                Paragraph::new(Span::styled(hint, theme.dim()))
                    .wrap(ratatui::widgets::Wrap { trim: true })
                    .block(block),
                area,
            );
            return;
        }
        let cols = area.width.saturating_sub(3) as usize;
        let items: Vec<ListItem> = self
            .matches
            .iter()
            .map(|hit| {
                let style = if hit.fits_service && hit.fits_device {
                    ratatui::style::Style::new()
                } else {
                    theme.dim()
                };
                // Another service's procedure says whose it is: why it is proposed here.
                let tag = (!hit.fits_service)
                    .then(|| other_service_tag(&hit.services, &view.desk.reference))
                    .flatten();
                let tag_cols = tag.as_ref().map_or(0, |t| width(t) + 1);
                let mut spans = vec![Span::styled(
                    truncate_title(&visible(&hit.title), cols.saturating_sub(tag_cols))
                        .into_owned(),
                    style,
                )];
                if let Some(t) = tag {
                    spans.push(Span::styled(format!(" {t}"), theme.label_focused()));
                }
                ListItem::new(Line::from(spans))
            })
            .collect();
        // Why the highlighted procedure is there: the words of the call it matched.
        let block = match self.matches.get(self.match_selected) {
            Some(hit) if self.in_matches && !hit.matched.is_empty() => {
                let words = format!(" mots : {} ", hit.matched.join(", "));
                block.title_bottom(Line::from(Span::styled(
                    truncate(&visible(&words), cols).into_owned(),
                    theme.dim(),
                )))
            }
            _ => block,
        };
        let list = List::new(items)
            .block(block)
            .highlight_symbol(view.mark("▶", " "))
            .highlight_style(if self.in_matches {
                theme.selected()
            } else {
                ratatui::style::Style::new()
            });
        let mut state = ListState::default().with_selected(Some(self.match_selected));
        frame.render_stateful_widget(list, area, &mut state);
        // And what the desk's finished walks taught for those words, on the line under the
        // proposals (the panel keeps one for it), when there is room.
        let inner = area.inner(Margin::new(1, 1));
        if let Some(learned) = self
            .matches
            .get(self.match_selected)
            .filter(|_| self.in_matches)
            .and_then(|hit| hit.learned.as_ref())
            && inner.height as usize > self.matches.len()
        {
            let line = Rect {
                y: inner.y + inner.height - 1,
                height: 1,
                ..inner
            };
            frame.render_widget(
                Paragraph::new(Span::styled(
                    truncate(&visible(&format!(" {}", learned.sentence())), cols).into_owned(),
                    theme.dim(),
                )),
                line,
            );
        }
        if self.in_matches {
            let line = self.match_selected.saturating_sub(state.offset());
            focus_line(frame, area.inner(Margin::new(1, 1)), line);
        }
    }

    fn draw_fields(&self, frame: &mut Frame, area: Rect, view: &View) {
        let theme = view.theme;
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.border_focused())
            .title(Span::styled(" Nouvel appel ", theme.title()))
            .title(Line::from(format!(" {} ", timer(view.now - self.opened_at))).right_aligned());
        let inner = block.inner(area);
        frame.render_widget(block, area);

        // One row per field, one more under a field that has an error; the notes take the
        // rest.
        let mut constraints = Vec::new();
        for field in Field::ALL {
            if field == Field::Notes {
                constraints.push(Constraint::Min(1));
            } else {
                constraints.push(Constraint::Length(1));
                if let Some(message) = self.error_of(field) {
                    constraints.push(Constraint::Length(error_height(message, inner.width)));
                }
            }
        }
        let rows = Layout::vertical(constraints).split(inner);
        let mut i = 0;
        let mut picker_row = None;
        for field in Field::ALL {
            let row = rows[i];
            i += 1;
            let focused = self.focus == field && !self.in_matches;
            let [label, value] =
                Layout::horizontal([Constraint::Length(LABEL_WIDTH), Constraint::Min(1)])
                    .areas(row);
            let label_style = if focused {
                theme.label_focused()
            } else {
                theme.label()
            };
            let mark = if focused { view.mark("▸", " ") } else { " " };
            frame.render_widget(
                Paragraph::new(Span::styled(
                    format!("{mark}{}", field.label()),
                    label_style,
                )),
                label,
            );
            match field {
                Field::Service | Field::Device => {
                    self.draw_picker_value(frame, value, view, field, focused);
                    if focused {
                        picker_row = Some(value);
                    }
                }
                Field::Notes => {
                    let notes_area = Rect {
                        x: inner.x + 1,
                        y: row.y + 1,
                        width: inner.width.saturating_sub(2),
                        height: row.height.saturating_sub(1),
                    };
                    self.draw_text(frame, notes_area, view, field, focused);
                }
                _ => self.draw_text(frame, value, view, field, focused),
            }
            if field != Field::Notes
                && let Some(message) = self.error_of(field)
            {
                let err_row = rows[i];
                i += 1;
                frame.render_widget(
                    Paragraph::new(Span::styled(
                        format!("{}{}", view.mark("⚠ ", "Erreur : "), visible(message)),
                        theme.error(),
                    ))
                    .wrap(ratatui::widgets::Wrap { trim: true }),
                    Rect {
                        x: err_row.x + LABEL_WIDTH,
                        width: err_row.width.saturating_sub(LABEL_WIDTH),
                        ..err_row
                    },
                );
            }
        }
        if let Some(anchor) = picker_row {
            self.draw_dropdown(frame, anchor, inner, view);
        }
    }

    fn error_of(&self, field: Field) -> Option<&str> {
        self.errors.as_ref().and_then(|e| e.for_field(field))
    }

    fn draw_text(&self, frame: &mut Frame, area: Rect, view: &View, field: Field, focused: bool) {
        let Some(text) = self.text_of(field) else {
            return;
        };
        if focused {
            frame.render_widget(text.textarea(), area);
            focus_text(frame, text, area);
            return;
        }
        let cols = area.width as usize;
        let value = text.value();
        let lines: Vec<Line> = value
            .lines()
            .map(|l| Line::from(truncate(&visible(l), cols).into_owned()))
            .collect();
        let style = if self.error_of(field).is_some() {
            view.theme.error()
        } else {
            ratatui::style::Style::new()
        };
        frame.render_widget(Paragraph::new(lines).style(style), area);
    }

    fn picker_of(&self, field: Field) -> &Picker {
        if field == Field::Service {
            &self.service
        } else {
            &self.device
        }
    }

    fn draw_picker_value(
        &self,
        frame: &mut Frame,
        area: Rect,
        view: &View,
        field: Field,
        focused: bool,
    ) {
        let picker = self.picker_of(field);
        let reference = &view.desk.reference;
        // The full label when it fits, else the short one: "Académie de Normandie —
        // périmètre Rouen" cut at the edge would hide the very word that matters.
        let chosen_label = picker.chosen.map(|i| {
            let (label, short) = match field {
                Field::Service => (reference.services[i].label(), reference.services[i].short()),
                _ => (reference.devices[i].label(), reference.devices[i].short()),
            };
            fitting_label(label, short, area.width as usize)
        });
        if focused && (picker.chosen.is_none() || !picker.query.is_empty()) {
            frame.render_widget(picker.query.textarea(), area);
            focus_text(frame, &picker.query, area);
            if picker.query.is_empty() {
                let hint_area = Rect {
                    x: area.x + 1,
                    width: area.width.saturating_sub(1),
                    ..area
                };
                frame.render_widget(
                    Paragraph::new(Span::styled("taper pour chercher", view.theme.dim())),
                    hint_area,
                );
            }
            return;
        }
        let line = if !picker.query.is_empty() {
            Line::from(visible(&picker.query.value()).into_owned())
        } else if let Some(label) = chosen_label {
            Line::from(label)
        } else {
            Line::from(Span::styled("—", view.theme.dim()))
        };
        frame.render_widget(Paragraph::new(line), area);
        if focused {
            focus_line(frame, area, 0);
        }
    }

    /// The proposals of the focused picker, under its row (or above when there is no
    /// room). Each shows what tells it apart from the others: the short label when the
    /// long one would be cut, and the slug.
    fn draw_dropdown(&self, frame: &mut Frame, anchor: Rect, bounds: Rect, view: &View) {
        let field = self.focus;
        let picker = self.picker_of(field);
        let reference = &view.desk.reference;
        let room = (anchor.width as usize).saturating_sub(2);
        let items: Vec<ListItem> = picker
            .matches
            .iter()
            .map(|&i| {
                let (slug, label, short) = match field {
                    Field::Service => (
                        reference.services[i].slug(),
                        reference.services[i].label(),
                        reference.services[i].short(),
                    ),
                    _ => (
                        reference.devices[i].slug(),
                        reference.devices[i].label(),
                        reference.devices[i].short(),
                    ),
                };
                let slug_cols = width(slug) + 2;
                let text = fitting_label(label, short, room.saturating_sub(slug_cols));
                let pad = room.saturating_sub(width(&text) + slug_cols);
                ListItem::new(Line::from(vec![
                    Span::raw(text),
                    Span::raw(" ".repeat(pad)),
                    Span::styled(format!("  {slug}"), view.theme.dim()),
                ]))
            })
            .collect();
        let empty = items.is_empty();
        let height = (items.len().clamp(1, 6) + 2) as u16;
        let below = bounds.bottom().saturating_sub(anchor.bottom());
        let y = if below >= height {
            anchor.bottom()
        } else {
            anchor.y.saturating_sub(height)
        };
        let area = Rect {
            x: anchor.x.saturating_sub(1),
            y,
            width: (anchor.width + 1)
                .min(bounds.right().saturating_sub(anchor.x.saturating_sub(1))),
            height,
        };
        frame.render_widget(Clear, area);
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(view.theme.border_focused());
        if empty {
            frame.render_widget(
                Paragraph::new(Span::styled("aucune correspondance", view.theme.error()))
                    .block(block),
                area,
            );
            return;
        }
        let list = List::new(items)
            .block(block)
            .highlight_style(view.theme.selected());
        let mut state = ListState::default().with_selected(Some(picker.highlight));
        frame.render_stateful_widget(list, area, &mut state);
        // The cursor on the proposal Enter would take, as a reader expects of a list.
        let line = picker.highlight.saturating_sub(state.offset());
        focus_line(frame, area.inner(Margin::new(1, 1)), line);
    }

    /// The callers known from past calls for what is typed; the place Ctrl-R goes.
    fn draw_known(&self, frame: &mut Frame, area: Rect, view: &View) {
        let theme = view.theme;
        let title = match key_for(Context::Form, Action::KnownCallers) {
            Some(k) if !self.in_callers => format!(" Appelants connus ({k}) "),
            _ => " Appelants connus ".to_string(),
        };
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(if self.in_callers {
                theme.border_focused()
            } else {
                theme.border()
            })
            .title(Span::styled(title, theme.title()));
        let cols = area.width.saturating_sub(3) as usize;
        let items: Vec<ListItem> = self
            .known
            .iter()
            .map(|k| {
                let phone = k
                    .phone
                    .as_deref()
                    .map(crate::phone::number::for_reading)
                    .unwrap_or_default();
                let first = format!("{} · {phone}", visible(&k.name));
                let second = format!(
                    "  {} · {} · {} {}",
                    view.desk.reference.service_short(&k.service),
                    view.desk.reference.device_short(&k.device),
                    k.reference,
                    paris(k.last_call, "%d/%m")
                );
                ListItem::new(vec![
                    Line::from(truncate(&first, cols).into_owned()),
                    Line::from(Span::styled(
                        truncate(&second, cols).into_owned(),
                        theme.dim(),
                    )),
                ])
            })
            .collect();
        let list = List::new(items)
            .block(block)
            .highlight_symbol(view.mark("▶", " "))
            .highlight_style(if self.in_callers {
                theme.selected()
            } else {
                ratatui::style::Style::new()
            });
        let mut state = ListState::default().with_selected(Some(self.known_selected));
        frame.render_stateful_widget(list, area, &mut state);
    }

    fn draw_open_calls(&self, frame: &mut Frame, area: Rect, view: &View) {
        let theme = view.theme;
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.border())
            .title(Span::styled(
                format!(" Appels ouverts ({}) ", self.open_count),
                theme.title(),
            ));
        let inner_width = area.width.saturating_sub(2) as usize;
        let lines: Vec<Line> = if self.open_calls.is_empty() {
            vec![Line::from(Span::styled("aucun appel ouvert", theme.dim()))]
        } else {
            self.open_calls
                .iter()
                .map(|c| {
                    let head = format!("{} {} ", c.reference, paris(c.opened_at, "%H:%M"));
                    let rest = format!(
                        "{} · {}",
                        visible(&c.caller_name),
                        view.desk.reference.service_short(&c.service)
                    );
                    let room = inner_width.saturating_sub(head.chars().count());
                    Line::from(vec![
                        Span::styled(head, theme.dim()),
                        Span::raw(truncate(&rest, room).into_owned()),
                    ])
                })
                .collect()
        };
        frame.render_widget(Paragraph::new(lines).block(block), area);
    }
}

/// The services of a procedure proposed to a caller of another service, shortly:
/// "[Intérieur]", "[MTES]", "[Acad. Caen/Rouen]".
fn other_service_tag(services: &[String], reference: &Reference) -> Option<String> {
    if services.is_empty() || services.iter().any(|s| s == "*") {
        return None;
    }
    let shorts: Vec<&str> = services
        .iter()
        .map(|s| reference.service_short(s))
        .collect();
    let text = match shorts.as_slice() {
        [one] => one.to_string(),
        // "Acad. Caen" and "Acad. Rouen" say their common word once.
        [a, b] => match (a.split_once(' '), b.split_once(' ')) {
            (Some((pa, ra)), Some((pb, rb))) if pa == pb => format!("{pa} {ra}/{rb}"),
            _ => format!("{a}/{b}"),
        },
        [first, rest @ ..] => format!("{first} +{}", rest.len()),
        [] => return None,
    };
    Some(format!("[{text}]"))
}

/// The long label when it fits in `cols`, else the short one, else the short one cut.
fn fitting_label(label: &str, short: &str, cols: usize) -> String {
    if width(label) <= cols {
        label.to_string()
    } else {
        truncate(short, cols).into_owned()
    }
}

/// An error takes the lines it needs under its field, two at most (the rest is cut).
fn error_height(message: &str, cols: u16) -> u16 {
    let room = usize::from(cols.saturating_sub(LABEL_WIDTH + 1)).max(1);
    let needed = (width(message) + 2).div_ceil(room);
    needed.clamp(1, 2) as u16
}

/// Why a save did not end at once.
enum Saving {
    /// The store is slow: the save waits for it (the status line says since when).
    Waits,
    Failed(Problem),
}

/// A save sent to a store that did not answer at once.
struct PendingSave {
    /// The procedure to walk on the call once saved.
    walk: Option<String>,
    /// What the save carries: what is typed afterwards is kept apart when it ends.
    sent: CallDraft,
}
