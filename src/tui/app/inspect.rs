//! What the tests and the screenshot gallery read of a running console: where the
//! keyboard is, what is on the stack, and the screens themselves. Nothing here changes it.

use super::App;
use crate::tui::keys::Context;
use crate::tui::popups::draft::DraftOffer;
use crate::tui::screens::Kind;
use crate::tui::screens::detail::DetailScreen;
use crate::tui::screens::form::FormScreen;
use crate::tui::screens::handover::HandoverScreen;
use crate::tui::screens::list::ListScreen;
use crate::tui::screens::procedures::ProceduresScreen;
use crate::tui::screens::runner::RunnerScreen;
use crate::tui::screens::tools::ToolsScreen;
use crate::tui::stack::Screen;

impl App {
    /// Where the keyboard is: the context of the screen on top.
    pub fn context(&self) -> Context {
        self.top().component().context()
    }

    /// The contexts of what is drawn: the screen shown and the popups over it. Each one's
    /// hints speak for its own keys.
    pub fn drawn_contexts(&self) -> Vec<Context> {
        self.stack
            .drawn()
            .iter()
            .map(|s| s.component().context())
            .collect()
    }

    /// The screen shown, popups aside.
    pub fn screen(&self) -> Kind {
        self.stack.drawn()[0].kind()
    }

    /// The screen on top, a popup perhaps.
    pub fn top_kind(&self) -> Kind {
        self.top().kind()
    }

    pub fn stack_kinds(&self) -> Vec<Kind> {
        self.stack.iter().map(Screen::kind).collect()
    }

    pub fn list(&self) -> &ListScreen {
        match self.stack.bottom() {
            Screen::List(l) => l,
            _ => unreachable!("the list is always at the bottom"),
        }
    }

    /// The call being typed, on screen or put aside.
    pub fn form(&self) -> Option<&FormScreen> {
        self.stack
            .find(|s| match s {
                Screen::Form(f) => Some(f.as_ref()),
                _ => None,
            })
            .or(self.parked.as_deref())
    }

    /// The topmost call screen.
    pub fn detail(&self) -> Option<&DetailScreen> {
        self.stack.find(|s| match s {
            Screen::Detail(d) => Some(d.as_ref()),
            _ => None,
        })
    }

    pub fn runner(&self) -> Option<&RunnerScreen> {
        self.stack.find(|s| match s {
            Screen::Runner(r) => Some(r.as_ref()),
            _ => None,
        })
    }

    pub fn tools(&self) -> Option<&ToolsScreen> {
        self.stack.find(|s| match s {
            Screen::Tools(t) => Some(t.as_ref()),
            _ => None,
        })
    }

    pub fn procedures(&self) -> Option<&ProceduresScreen> {
        self.stack.find(|s| match s {
            Screen::Procedures(p) => Some(p.as_ref()),
            _ => None,
        })
    }

    pub fn handover(&self) -> Option<&HandoverScreen> {
        self.stack.find(|s| match s {
            Screen::Handover(h) => Some(h.as_ref()),
            _ => None,
        })
    }

    pub fn draft_offer(&self) -> Option<&DraftOffer> {
        self.stack.find(|s| match s {
            Screen::DraftOffer(d) => Some(d),
            _ => None,
        })
    }

    pub fn help_open(&self) -> bool {
        self.top_kind() == Kind::Help
    }
}
