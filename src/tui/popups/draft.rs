//! The prompt that offers back a call typed but never saved (the process was killed, the
//! SSH link dropped).

use crate::domain::text::visible;
use crate::domain::time::paris;
use crate::store::SavedDraft;
use crate::tui::component::{Component, Doing, Effect, Env, Input, Update, View};
use crate::tui::keys::{Action, Context};
use crate::tui::route::Route;
use crate::tui::widgets::{centered, focus_line, hints, popup};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

pub struct DraftOffer {
    pub saved: SavedDraft,
}

impl Component for DraftOffer {
    fn context(&self) -> Context {
        Context::DraftOffer
    }

    fn update(&mut self, input: Input, env: &mut Env) -> Update {
        let Input::Action(action) = input else {
            return Ok(Effect::None);
        };
        match action {
            Action::Yes => Ok(
                Effect::Replace(Route::ResumedDraft(Box::new(self.saved.clone()))).and(
                    Effect::Info(
                        "Saisie reprise : l'appel n'est pas encore enregistré (Ctrl-S)".into(),
                    ),
                ),
            ),
            Action::Abandon => {
                let console = env.desk.console.id().to_string();
                let operator = env.desk.operator.clone();
                // Another console's draft left behind (both crashed) comes next.
                let next = env
                    .store
                    .change("abandon de la saisie", move |s| {
                        s.clear_draft(&console)?;
                        s.claim_orphan_draft(&console, &operator)
                    })
                    .doing("brouillon non effacé")?;
                let done = Effect::Info("Saisie abandonnée".into());
                Ok(match next {
                    Some(saved) => {
                        self.saved = saved;
                        done
                    }
                    None => Effect::Pop.and(done),
                })
            }
            Action::Back => Ok(Effect::Pop.and(Effect::Park(Box::new(self.saved.clone())))),
            _ => Ok(Effect::None),
        }
    }

    fn is_popup(&self) -> bool {
        true
    }

    fn view(&self, frame: &mut Frame, area: Rect, view: &View) {
        let theme = view.theme;
        let d = &self.saved.draft;
        let or_dash = |s: &str| {
            if s.trim().is_empty() {
                "—".to_string()
            } else {
                visible(s).into_owned()
            }
        };
        let answer = hints(
            Context::DraftOffer,
            &[
                (Action::Yes, "reprendre"),
                (Action::Back, "plus tard (F2)"),
                (Action::Abandon, "abandonner"),
            ],
        );
        let lines = vec![
            Line::from(format!(
                "Un appel commencé le {} n'a pas été enregistré",
                paris(self.saved.opened_at, "%d/%m/%Y à %H:%M")
            )),
            Line::from(Span::styled(
                format!(
                    "(dernière frappe gardée à {}).",
                    paris(self.saved.saved_at, "%H:%M:%S")
                ),
                theme.dim(),
            )),
            Line::default(),
            Line::from(format!("Appelant  {}", or_dash(&d.caller_name))),
            Line::from(format!("Tél.      {}", or_dash(&d.caller_phone))),
            Line::from(format!("Service   {}", or_dash(&d.service))),
            Line::from(format!("Objet     {}", or_dash(&d.summary))),
            Line::default(),
            Line::from(Span::styled(answer, theme.label_focused())),
        ];
        let rect = centered(area, 64, lines.len() as u16 + 2);
        let inner = popup(frame, rect, "Saisie retrouvée", theme);
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
        // A screen reader reads the offer from its first line.
        focus_line(frame, inner, 0);
    }
}
