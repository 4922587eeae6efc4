//! Writing a note: on a call's journal, or the handover note. The text is checked here
//! (not blank, not a pasted book); the screen under it stores it.

use crate::domain::call::{Field, check_note};
use crate::tui::component::{Component, Effect, Env, Input, Reply, Update, View};
use crate::tui::input::{TextField, Typed};
use crate::tui::keys::{Action, Context};
use crate::tui::widgets::{centered, focus_text, popup};
use ratatui::Frame;
use ratatui::layout::Rect;

pub struct NotePopup {
    pub title: String,
    pub field: TextField,
}

impl NotePopup {
    pub fn new(title: &str, text: &str) -> NotePopup {
        NotePopup {
            title: title.to_string(),
            field: TextField::single(text, Field::Notes.max_chars()).wrapped(),
        }
    }
}

impl Component for NotePopup {
    fn context(&self) -> Context {
        Context::NoteInput
    }

    fn update(&mut self, input: Input, _env: &mut Env) -> Update {
        match input {
            Input::Text(typed) => {
                let fits = self.field.fits(&typed);
                let changed = self.field.typed(&typed);
                let refused = match typed {
                    Typed::Key(_) => !changed && self.field.is_full(),
                    Typed::Paste(_) => !fits,
                };
                if refused {
                    return Err(format!(
                        "note : {} caractères au plus, la suite n'est pas prise",
                        self.field.max_chars()
                    )
                    .into());
                }
                Ok(Effect::None)
            }
            Input::Action(Action::Confirm) => {
                let note = check_note(&self.field.value()).map_err(|e| e.to_string())?;
                Ok(Effect::Reply(Reply::Note(note)))
            }
            Input::Action(Action::Back) => Ok(Effect::Reply(Reply::Cancelled(self.field.value()))),
            Input::Action(_) => Ok(Effect::None),
        }
    }

    fn is_popup(&self) -> bool {
        true
    }

    fn view(&self, frame: &mut Frame, area: Rect, view: &View) {
        let width = area.width.min(76);
        let height = 7.min(area.height);
        // At the bottom of the screen, so the journal above stays readable.
        let rect = Rect {
            y: area.bottom().saturating_sub(height),
            ..centered(area, width, height)
        };
        let inner = popup(frame, rect, &self.title, view.theme);
        frame.render_widget(self.field.textarea(), inner);
        focus_text(frame, &self.field, inner);
    }
}
