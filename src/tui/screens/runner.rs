//! Walking a procedure on a call. Every move is journaled on the call at once; a secret is
//! typed masked, shown spelled while the step is open (Ctrl-R), and never written.

use crate::domain::call::{CallRecord, CallRef, CallStatus, JournalKind};
use crate::domain::condition::Facts;
use crate::domain::procedure::{Procedure, StepKind, Successor};
use crate::domain::spell::{Alphabet, spell};
use crate::domain::text::{truncate, visible, wrap};
use crate::domain::time::paris;
use crate::domain::walk::{Move, Walk, valid_until};
use crate::store::{FLAG_NOTE_MAX, StoreError, WalkEntry};
use crate::tui::component::{
    About, Component, Doing, Effect, Env, GlpiLink, Input, Problem, Reply, Update, View,
};
use crate::tui::input::{TextField, Typed};
use crate::tui::keys::{Action, Context, hint};
use crate::tui::route::Route;
use crate::tui::widgets::{call_block, focus_line, focus_text, hints};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

const VALUE_MAX: usize = 200;

pub struct RunnerScreen {
    /// The call walked on, as last read.
    pub record: CallRecord,
    pub walk: Walk,
    /// The value of a `record` step being typed.
    pub input: TextField,
    /// The secret is shown, spelled, right now.
    pub revealed: bool,
    /// The walk was resumed where it had stopped (said once, when it opens).
    resumed: bool,
    /// « Résolu ? » answered at the end of this walk (the last answer counts).
    solved: Option<bool>,
}

impl RunnerScreen {
    /// Walks `slug` on the call: resumes where it stopped if it was interrupted, else
    /// starts it (and journals that the procedure is used).
    pub fn start(env: &mut Env, reference: CallRef, slug: &str) -> Result<RunnerScreen, Problem> {
        let procedure: Procedure = env
            .desk
            .library
            .procedure(env.store, slug)?
            .ok_or_else(|| Problem(format!("procédure inconnue « {} »", visible(slug))))?;
        let mark = env
            .store
            .read(move |s| s.last_walk(reference))
            .doing("déroulé illisible")?;
        let record = env
            .store
            .read(move |s| s.get_call(reference))
            .doing("appel illisible")?;
        let resumable = mark.filter(|m| m.procedure == slug && m.current.is_some());
        let resumed = resumable.is_some();
        let mut walk = match resumable {
            Some(mark) => Walk::resume(procedure, &mark),
            None => Walk::start(procedure),
        };
        let started = (!resumed).then(|| (slug.to_string(), walk.mark()));
        // What the call already answers is skipped at once, each skip journaled with why.
        let skipped = walk.settle(&Facts::of(&record.call, &env.desk.reference));
        let wrote = started.is_some() || !skipped.is_empty();
        if wrote {
            let mark = walk.mark();
            let (operator, now) = (env.desk.operator.clone(), env.now);
            env.store
                .change(format!("procédure commencée sur {reference}"), move |s| {
                    if let Some((line, mark)) = &started {
                        let entry = WalkEntry {
                            kind: JournalKind::Procedure,
                            line,
                            mark,
                            escalated: false,
                        };
                        s.append_walk(reference, &operator, now, &entry)?;
                    }
                    for line in &skipped {
                        let entry = WalkEntry {
                            kind: JournalKind::Step,
                            line,
                            mark: &mark,
                            escalated: false,
                        };
                        s.append_walk(reference, &operator, now, &entry)?;
                    }
                    Ok(())
                })
                .doing("procédure non commencée")?;
        }
        // Read again to show the lines just journaled.
        let record = if wrote {
            env.store
                .read(move |s| s.get_call(reference))
                .doing("appel illisible")?
        } else {
            record
        };
        let mut runner = RunnerScreen {
            record,
            walk,
            input: TextField::single("", VALUE_MAX),
            revealed: false,
            resumed,
            solved: None,
        };
        runner.reset_input();
        Ok(runner)
    }

    fn current_kind(&self) -> Option<&StepKind> {
        self.walk
            .current
            .map(|i| &self.walk.procedure.steps[i].kind)
    }

    pub fn wants_input(&self) -> bool {
        matches!(self.current_kind(), Some(StepKind::Record { .. }))
    }

    pub fn is_secret(&self) -> bool {
        matches!(
            self.current_kind(),
            Some(StepKind::Record { secret: true, .. })
        )
    }

    /// A fresh field for the current step; the previous value (a secret perhaps) is wiped.
    fn reset_input(&mut self) {
        self.input.wipe();
        self.input = if self.is_secret() {
            TextField::secret(VALUE_MAX)
        } else {
            TextField::single("", VALUE_MAX)
        };
        self.revealed = false;
    }

    fn hide(&mut self) {
        if self.revealed {
            self.revealed = false;
            self.input.set_masked(true);
        }
    }

    /// Applies a move: journaled first, then the walk goes on.
    fn apply(&mut self, mv: Move, env: &mut Env) -> Update {
        let mut next = self.walk.clone();
        let applied = next.apply(&mv, env.now);
        if let Move::Record(mut value) = mv.clone() {
            use zeroize::Zeroize;
            value.zeroize();
        }
        let Some(effect) = applied else {
            let message = match mv {
                Move::Back => "déjà à la première étape",
                Move::Record(_) => "valeur vide : la saisir avant Entrée",
                _ => "action impossible à cette étape",
            };
            return Err(message.into());
        };
        let reference = self.record.call.reference;
        let (line, mark) = (effect.journal.clone(), next.mark());
        // The steps the move's answer or value now decides are skipped with it, in the
        // same change: the journal never holds the move without its skips.
        let skipped = next.settle(&Facts::of(&self.record.call, &env.desk.reference));
        let settled = next.mark();
        let escalated = effect.escalated_to.is_some();
        let (operator, now) = (env.desk.operator.clone(), env.now);
        let recorded = env
            .store
            .change(format!("étape sur {reference}"), move |s| {
                let entry = WalkEntry {
                    kind: JournalKind::Step,
                    line: &line,
                    mark: &mark,
                    escalated,
                };
                s.append_walk(reference, &operator, now, &entry)?;
                for line in &skipped {
                    let entry = WalkEntry {
                        kind: JournalKind::Step,
                        line,
                        mark: &settled,
                        escalated: false,
                    };
                    s.append_walk(reference, &operator, now, &entry)?;
                }
                Ok(())
            });
        match recorded {
            Ok(()) => {}
            // The step goes on to the store (told when it is there): the walk goes on.
            Err(StoreError::Slow { message }) => {
                self.walk = next;
                self.reset_input();
                return Err(Problem(format!("{message} — étape en attente")));
            }
            Err(e) => return Err(Problem(format!("étape non enregistrée : {e}"))),
        }
        self.walk = next;
        self.reset_input();
        self.record = env
            .store
            .read(move |s| s.get_call(reference))
            .doing("appel illisible")?;
        if let Some(target) = effect.escalated_to {
            let mut message = format!("Appel escaladé vers {target} (issue : escaladé)");
            if !matches!(env.desk.glpi, GlpiLink::Off)
                && let Some(h) = hint(self.context(), Action::Glpi, "l'envoyer à GLPI")
            {
                message.push_str(&format!(" ; {h}"));
            }
            return Ok(Effect::Info(message));
        }
        if self.walk.is_finished() {
            let ctx = self.context();
            let mut message = "Procédure terminée".to_string();
            if let Some(h) = hint(ctx, Action::CloseCall, "clore l'appel") {
                message.push_str(&format!(" ({h})"));
            }
            // A walk ended without escalating teaches the ranking.
            return Ok(Effect::Info(message).and(Effect::Relearn));
        }
        Ok(Effect::None)
    }
}

impl RunnerScreen {
    /// The step a flag is about: the one shown, or at the end the last one done.
    fn flagged_step(&self) -> Option<usize> {
        self.walk.current.or_else(|| self.walk.done.last().copied())
    }

    /// Opens the note of a flag on the step (F9).
    fn ask_flag(&self) -> Update {
        let Some(index) = self.flagged_step() else {
            return Ok(Effect::None);
        };
        Ok(Effect::Open(Route::Note {
            title: format!(
                "Étape {} à revoir — une note courte ({FLAG_NOTE_MAX} caractères au plus)",
                index + 1
            ),
            text: String::new(),
        }))
    }

    /// Stores the flag of the step with its note, through the store's worker.
    fn flag(&mut self, note: String, env: &mut Env) -> Update {
        let Some(index) = self.flagged_step() else {
            return Ok(Effect::None);
        };
        let n = note.chars().count();
        if n > FLAG_NOTE_MAX {
            // The note is offered again to be shortened: nothing typed is lost.
            return Ok(Effect::Open(Route::Note {
                title: format!("Étape {} à revoir — note à raccourcir", index + 1),
                text: note,
            })
            .and(Effect::Info(format!(
                "note de {n} caractères : {FLAG_NOTE_MAX} au plus pour une étape à revoir"
            ))));
        }
        let reference = self.record.call.reference;
        let slug = self.walk.procedure.slug.clone();
        let step = self.walk.procedure.steps[index].id.clone();
        let (operator, now) = (env.desk.operator.clone(), env.now);
        match env
            .store
            .change(format!("étape à revoir sur {reference}"), move |s| {
                s.flag_step(reference, &operator, now, &slug, &step, &note)
            }) {
            Ok(()) => {}
            Err(StoreError::Slow { message }) => {
                return Err(Problem(format!("{message} — signalement en attente")));
            }
            Err(e) => return Err(Problem(format!("étape non signalée : {e}"))),
        }
        self.refresh(env)?;
        Ok(Effect::Info(format!(
            "Étape {} signalée « à revoir »",
            index + 1
        )))
    }

    /// Stores the « résolu ? » answer of the walk, through the store's worker.
    fn answer_solved(&mut self, solved: bool, env: &mut Env) -> Update {
        let reference = self.record.call.reference;
        let slug = self.walk.procedure.slug.clone();
        let (operator, now) = (env.desk.operator.clone(), env.now);
        match env
            .store
            .change(format!("« résolu ? » sur {reference}"), move |s| {
                s.answer_solved(reference, &operator, now, &slug, solved)
            }) {
            Ok(()) => {}
            Err(StoreError::Slow { message }) => {
                self.solved = Some(solved);
                return Err(Problem(format!("{message} — réponse en attente")));
            }
            Err(e) => return Err(Problem(format!("réponse non enregistrée : {e}"))),
        }
        self.solved = Some(solved);
        self.refresh(env)?;
        Ok(Effect::Info(format!(
            "Résolu : {} (noté)",
            if solved { "oui" } else { "non" }
        )))
    }
}

impl Component for RunnerScreen {
    fn context(&self) -> Context {
        match self.current_kind() {
            None if self.record.call.status == CallStatus::Closed => Context::RunnerDoneClosed,
            None => Context::RunnerDone,
            Some(StepKind::Ask { .. }) => Context::RunnerAsk,
            Some(StepKind::Record { secret: true, .. }) => Context::RunnerSecret,
            Some(StepKind::Record { .. }) => Context::RunnerInput,
            Some(_) => Context::RunnerStep,
        }
    }

    fn update(&mut self, input: Input, env: &mut Env) -> Update {
        let action = match input {
            Input::Text(typed) => {
                self.hide();
                self.input.typed(&typed);
                if let Typed::Paste(mut text) = typed {
                    // A secret pasted leaves no copy behind in the paste either.
                    use zeroize::Zeroize;
                    text.zeroize();
                }
                return Ok(Effect::None);
            }
            Input::Action(Action::Reveal) => {
                // Shown spelled while the step is open, as often as needed; any other key
                // masks it again.
                if self.is_secret() {
                    self.revealed = !self.revealed;
                    self.input.set_masked(!self.revealed);
                }
                return Ok(Effect::None);
            }
            Input::Action(a) => a,
        };
        self.hide();
        let finished = self.walk.is_finished();
        let mv = match action {
            Action::Back if !finished => {
                let mut message = "Procédure interrompue".to_string();
                if let Some(h) = hint(Context::Detail, Action::Run, "la reprendre à cette étape")
                {
                    message.push_str(&format!(" ({h})"));
                }
                return Ok(Effect::Pop.and(Effect::Info(message)));
            }
            Action::Back => return Ok(Effect::Pop),
            Action::CloseCall => return Ok(Effect::Reply(Reply::Then(Action::CloseCall))),
            Action::AddNote => return Ok(Effect::Reply(Reply::Then(Action::AddNote))),
            Action::Glpi => return Ok(Effect::Reply(Reply::Then(Action::Glpi))),
            Action::FlagStep => return self.ask_flag(),
            Action::Yes | Action::No if finished => {
                return self.answer_solved(action == Action::Yes, env);
            }
            Action::StepBack => Move::Back,
            Action::Yes => Move::Answer(true),
            Action::No => Move::Answer(false),
            Action::Confirm => match self.current_kind() {
                Some(StepKind::Say | StepKind::Check) => Move::Confirm,
                Some(StepKind::Escalate { .. }) => Move::Escalate,
                Some(StepKind::Record { .. }) => Move::Record(self.input.value()),
                _ => return Ok(Effect::None),
            },
            _ => return Ok(Effect::None),
        };
        self.apply(mv, env)
    }

    fn refresh(&mut self, env: &mut Env) -> Result<(), Problem> {
        let reference = self.record.call.reference;
        self.record = env
            .store
            .read(move |s| s.get_call(reference))
            .doing("appel illisible")?;
        Ok(())
    }

    /// Another procedure chosen for the call (F3 while walking): it replaces this one. A
    /// value typed in the procedure's tool fills the step that records it, if empty.
    fn resume(&mut self, reply: Reply, env: &mut Env) -> Update {
        match reply {
            Reply::Walk(slug) => Ok(Effect::Replace(Route::Walk {
                call: self.record.call.reference,
                procedure: slug,
            })),
            Reply::Offer(tool, value) => {
                let open = self.wants_input() && !self.is_secret() && self.input.value().is_empty();
                if open && self.walk.procedure.tool == Some(tool) {
                    self.input = TextField::single(value.trim(), VALUE_MAX);
                }
                Ok(Effect::None)
            }
            Reply::Note(note) => self.flag(note, env),
            _ => Ok(Effect::None),
        }
    }

    /// Said as it opens: whether the walk resumed where it had stopped.
    fn opening(&self) -> Option<String> {
        self.resumed.then(|| {
            format!(
                "Procédure reprise là où elle s'était arrêtée : {}",
                self.walk.procedure.slug
            )
        })
    }

    fn about(&self) -> About<'_> {
        About {
            call: Some(&self.record),
            service: Some(&self.record.call.service),
            procedure: Some(&self.walk.procedure),
            walk: Some(&self.walk),
        }
    }

    fn view(&self, frame: &mut Frame, area: Rect, view: &View) {
        let [head, body] =
            Layout::vertical([Constraint::Length(3), Constraint::Min(3)]).areas(area);
        self.draw_compact(frame, head, view);
        self.draw_runner(frame, body, view);
    }
}

impl Drop for RunnerScreen {
    fn drop(&mut self) {
        self.input.wipe();
    }
}

impl RunnerScreen {
    /// The call in three lines, so the runner gets the room.
    fn draw_compact(&self, frame: &mut Frame, area: Rect, view: &View) {
        let c = &self.record.call;
        let block = call_block(&self.record, view);
        let reference = &view.desk.reference;
        let line = format!(
            "{} · {} · {} · {}",
            visible(&c.caller_name),
            reference.service_short(&c.service),
            reference.device_short(&c.device),
            visible(&c.summary)
        );
        let cols = area.width.saturating_sub(2) as usize;
        frame.render_widget(
            Paragraph::new(truncate(&line, cols).into_owned()).block(block),
            area,
        );
    }

    fn draw_runner(&self, frame: &mut Frame, area: Rect, view: &View) {
        let theme = view.theme;
        let walk = &self.walk;
        let procedure = &walk.procedure;
        let total = procedure.steps.len();
        let position = match walk.current {
            Some(i) => format!(" étape {} sur {total} ", i + 1),
            None => " terminée ".to_string(),
        };
        let room = (area.width as usize).saturating_sub(position.chars().count() + 6);
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.border_focused())
            .title(Span::styled(
                format!(" {} ", truncate(&visible(&procedure.title), room)),
                theme.title(),
            ))
            .title(Line::from(position).right_aligned());
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let cols = inner.width as usize;
        let rows = inner.height as usize;
        let ctx = self.context();

        // What the operator must see, in order of need: the step's kind, the spelled
        // secret and the field to type in, then the step's text, then what was done and
        // what comes next with what room is left.
        let mut essential: Vec<Line> = Vec::new();
        let mut text: Vec<Line> = Vec::new();
        let mut after: Vec<Line> = Vec::new();
        let mut input_row = None;
        match walk.current {
            None => {
                essential.push(Line::from(Span::styled(
                    format!("{}Procédure terminée.", view.mark("✓ ", "")),
                    theme.success(),
                )));
                let asked = match self.solved {
                    None => format!(
                        "Résolu ? {}",
                        hints(ctx, &[(Action::Yes, "oui"), (Action::No, "non")])
                    ),
                    Some(solved) => format!(
                        "Résolu : {} (noté ; {})",
                        if solved { "oui" } else { "non" },
                        hints(ctx, &[(Action::Yes, "oui"), (Action::No, "non")])
                    ),
                };
                for l in wrap(&asked, cols) {
                    essential.push(Line::from(Span::styled(l, theme.label_focused())));
                }
                let h = hints(
                    ctx,
                    &[
                        (Action::Back, "fermer le déroulé"),
                        (Action::CloseCall, "clore l'appel"),
                        (Action::AddNote, "ajouter une note"),
                    ],
                );
                for l in wrap(&h, cols) {
                    essential.push(Line::from(l));
                }
            }
            Some(current) => {
                let step = &procedure.steps[current];
                let kind = match &step.kind {
                    StepKind::Say => "DIRE".to_string(),
                    StepKind::Check => "VÉRIFIER".to_string(),
                    StepKind::Ask { .. } => {
                        let answers = hints(ctx, &[(Action::Yes, "oui"), (Action::No, "non")]);
                        format!("QUESTION · {answers}")
                    }
                    StepKind::Record { label, secret, .. } => {
                        if *secret {
                            format!("NOTER · SECRET, jamais écrit : {}", visible(label))
                        } else {
                            format!("NOTER : {}", visible(label))
                        }
                    }
                    StepKind::Escalate { target } => {
                        format!("ESCALADER vers {}", visible(target))
                    }
                };
                essential.push(Line::from(Span::styled(
                    truncate(
                        &format!("{}{}. {kind}", view.mark("▶ ", "Étape "), current + 1),
                        cols,
                    )
                    .into_owned(),
                    theme.label_focused(),
                )));
                for l in wrap(&visible(&step.text), cols) {
                    text.push(Line::from(Span::styled(l, theme.title())));
                }
                if self.revealed {
                    // Spelled to be read aloud, the confusable characters flagged.
                    let parts: Vec<String> = spell(&self.input.value(), Alphabet::International)
                        .iter()
                        .map(|s| match s.confusable {
                            Some(_) => format!("{}{}", s.say, view.mark(" ⚠", " (à distinguer)")),
                            None => s.say.clone(),
                        })
                        .collect();
                    let spelled = format!("À lire : {}", parts.join(" · "));
                    for l in wrap(&spelled, cols) {
                        essential.push(Line::from(Span::styled(l, theme.label_focused())));
                    }
                }
                if let StepKind::Record {
                    secret: true,
                    valid_for_months: Some(m),
                    ..
                } = &step.kind
                {
                    let until = valid_until(view.now, *m);
                    essential.push(Line::from(Span::styled(
                        format!("Valable jusqu'au {}", paris(until, "%d/%m/%Y à %H:%M")),
                        theme.dim(),
                    )));
                }
                if self.wants_input() {
                    input_row = Some(essential.len());
                    essential.push(Line::default());
                }
                // A procedure about AMIGO's hours shows them: the console knows the school
                // calendar, the operator need not work it out.
                if procedure.tool == Some(crate::domain::tool::ToolKind::Amigo) {
                    let a = view.amigo;
                    let mut line = format!(
                        "AMIGO maintenant : {} — {}",
                        if a.open { "OUVERT" } else { "FERMÉ" },
                        a.reason
                    );
                    if let Some(next) = a.next_opening {
                        line.push_str(&format!(
                            " (réouverture le {})",
                            paris(next, "%d/%m/%Y à %H:%M")
                        ));
                    }
                    let style = if a.open {
                        theme.success()
                    } else {
                        theme.error()
                    };
                    for l in wrap(&line, cols) {
                        essential.push(Line::from(Span::styled(l, style)));
                    }
                }
                if let Some(tool) = procedure.tool
                    && let Some(h) =
                        hint(ctx, Action::Tools, &format!("outil « {} »", tool.label()))
                {
                    after.push(Line::from(Span::styled(h, theme.label())));
                }
                // What was typed once stays in sight for the steps after it (the session
                // code to read again, the quota): the latest first, never a secret.
                for i in walk
                    .done
                    .iter()
                    .rev()
                    .filter(|i| walk.values.contains_key(i))
                    .take(2)
                {
                    if let StepKind::Record { label, .. } = &procedure.steps[*i].kind {
                        let line =
                            format!("Noté : {} : {}", visible(label), visible(&walk.values[i]));
                        after.push(Line::from(Span::styled(
                            truncate(&line, cols).into_owned(),
                            theme.label(),
                        )));
                    }
                }
                let facts = Facts::of(&self.record.call, &view.desk.reference);
                for (k, i) in walk.upcoming(2, &facts).into_iter().enumerate() {
                    let head = if k == 0 { "Ensuite : " } else { "          " };
                    let line = format!("{head}{}. {}", i + 1, visible(&procedure.steps[i].text));
                    after.push(Line::from(Span::styled(
                        truncate(&line, cols).into_owned(),
                        theme.dim(),
                    )));
                }
            }
        }
        let done = self.done_lines(cols, view);

        // Rows go to what is essential, then the step's text, then what comes next, and
        // the steps done take all that is left.
        let essential_rows = essential.len().min(rows);
        let mut left = rows - essential_rows;
        let text_rows = text.len().min(left);
        left -= text_rows;
        let after_rows = after.len().min(left.saturating_sub(1));
        left -= after_rows + usize::from(after_rows > 0);
        let done_rows = done.len().min(left.saturating_sub(1));

        let mut lines: Vec<Line> = Vec::new();
        if done_rows > 0 {
            lines.extend(done[done.len() - done_rows..].iter().cloned());
            lines.push(Line::default());
        }
        // The kind line, the step's text, then the rest of what is essential.
        let (first, rest) = essential.split_at(essential_rows.min(1));
        lines.extend(first.iter().cloned());
        if text_rows < text.len() && text_rows > 0 {
            lines.extend(text[..text_rows - 1].iter().cloned());
            let last = text[text_rows - 1].to_string();
            lines.push(Line::from(Span::styled(
                format!("{}…", truncate(&last, cols.saturating_sub(1))),
                theme.title(),
            )));
        } else {
            lines.extend(text[..text_rows].iter().cloned());
        }
        let rest_start = lines.len();
        lines.extend(rest.iter().take(essential_rows.saturating_sub(1)).cloned());
        if after_rows > 0 {
            lines.push(Line::default());
            lines.extend(after[..after_rows].iter().cloned());
        }
        frame.render_widget(Paragraph::new(lines), inner);
        // The cursor on the step (its kind line, after the steps done and a blank), or in
        // its field below when it asks for a value.
        focus_line(frame, inner, if done_rows > 0 { done_rows + 1 } else { 0 });
        if let Some(row) = input_row {
            // The field goes on its reserved row, after the label.
            let y = rest_start + row.saturating_sub(1);
            if y < rows {
                let line_area = Rect {
                    y: inner.y + y as u16,
                    height: 1,
                    ..inner
                };
                let [label, field] =
                    Layout::horizontal([Constraint::Length(9), Constraint::Min(1)])
                        .areas(line_area);
                frame.render_widget(
                    Paragraph::new(Span::styled("Valeur : ", theme.label())),
                    label,
                );
                frame.render_widget(self.input.textarea(), field);
                focus_text(frame, &self.input, field);
            }
        }
    }

    /// Steps done, most recent last, with the answer given to questions.
    fn done_lines(&self, cols: usize, view: &View) -> Vec<Line<'static>> {
        let theme = view.theme;
        let walk = &self.walk;
        let procedure = &walk.procedure;
        walk.done
            .iter()
            .enumerate()
            .map(|(k, &i)| {
                let step = &procedure.steps[i];
                let after = walk.done.get(k + 1).copied().or(walk.current);
                let answer = match step.kind {
                    StepKind::Ask { .. } => {
                        let yes = procedure.successor(i, Some(true));
                        match (after, yes) {
                            (Some(a), Successor::Step(y)) if a == y => {
                                view.mark(" → oui", " : oui")
                            }
                            _ => view.mark(" → non", " : non"),
                        }
                    }
                    _ => "",
                };
                // A step the call answered says so, with why: the operator sees what
                // was not asked and can go back if the call was wrong.
                if let Some(why) = walk.skipped.get(&i) {
                    let head = format!("{}{}. ", view.mark("↷ ", "Étape "), i + 1);
                    let said = format!(
                        "sautée{answer} ({}) : {}",
                        visible(why),
                        visible(&step.text)
                    );
                    let room = cols.saturating_sub(head.chars().count());
                    return Line::from(vec![
                        Span::styled(head, theme.dim()),
                        Span::styled(truncate(&said, room).into_owned(), theme.dim()),
                    ]);
                }
                let head = format!("{}{}. ", view.mark("✓ ", "Fait "), i + 1);
                let room = cols.saturating_sub(head.chars().count() + answer.chars().count());
                Line::from(vec![
                    Span::styled(head, theme.dim()),
                    Span::styled(
                        truncate(&visible(&step.text), room).into_owned(),
                        theme.dim(),
                    ),
                    Span::styled(answer, theme.dim()),
                ])
            })
            .collect()
    }
}
