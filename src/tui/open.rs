//! Opening a route: the one place screens and popups are built. Screens name routes; the
//! router hands them here and puts what comes back on its stack.

use super::component::{Env, Problem};
use super::popups::confirm::ConfirmPopup;
use super::popups::draft::DraftOffer;
use super::popups::entry::EntryPopup;
use super::popups::help::HelpPopup;
use super::popups::note::NotePopup;
use super::popups::outcome::OutcomeDialog;
use super::route::Route;
use super::screens::awaiting::AwaitingScreen;
use super::screens::detail::DetailScreen;
use super::screens::form::FormScreen;
use super::screens::handover::HandoverScreen;
use super::screens::list::ListScreen;
use super::screens::procedure_view::ProcedureView;
use super::screens::procedures::ProceduresScreen;
use super::screens::runner::RunnerScreen;
use super::screens::tools::ToolsScreen;
use super::stack::Screen;

/// The calls list, at the bottom of the stack for as long as the console runs: it is there
/// even when its calls cannot be read (then the problem says why).
pub fn home(env: &mut Env) -> (Screen, Option<Problem>) {
    let (list, problem) = ListScreen::new(env);
    (Screen::List(list), problem)
}

/// The screen or popup `route` names, built on the data as it is now.
pub fn open(route: Route, env: &mut Env) -> Result<Screen, Problem> {
    Ok(match route {
        Route::Call(reference) => Screen::Detail(Box::new(DetailScreen::open(env, reference)?)),
        Route::Walk { call, procedure } => {
            Screen::Runner(Box::new(RunnerScreen::start(env, call, &procedure)?))
        }
        Route::Catalogue => Screen::Procedures(Box::new(ProceduresScreen::browse(env)?)),
        Route::ProceduresFor(record) => {
            Screen::Procedures(Box::new(ProceduresScreen::for_call(env, &record)?))
        }
        Route::Procedure { slug, for_call } => {
            Screen::ProcedureView(ProcedureView::read(env, &slug, for_call)?)
        }
        Route::NewCall { draft, opened_at } => {
            Screen::Form(Box::new(FormScreen::filled(env, opened_at, &draft)))
        }
        Route::ResumedDraft(saved) => Screen::Form(Box::new(FormScreen::resumed(env, &saved))),
        Route::Tools { call, tool } => {
            Screen::Tools(Box::new(ToolsScreen::open(call.as_deref(), tool)))
        }
        Route::Handover => Screen::Handover(Box::new(HandoverScreen::open(env)?)),
        Route::Awaiting => Screen::Awaiting(Box::new(AwaitingScreen::open(env)?)),
        Route::Help(under) => Screen::Help(HelpPopup::new(under)),
        Route::DraftOffer(saved) => Screen::DraftOffer(DraftOffer { saved: *saved }),
        Route::Confirm {
            title,
            question,
            pending,
        } => Screen::Confirm(ConfirmPopup::new(&title, question, pending)),
        Route::Note { title, text } => Screen::Note(NotePopup::new(&title, &text)),
        Route::CloseCall { call, recorded } => {
            Screen::Outcome(OutcomeDialog::close(call, recorded))
        }
        Route::CorrectOutcome { call, current } => {
            Screen::Outcome(OutcomeDialog::correct(call, current))
        }
        Route::Entry { call, entry } => Screen::Entry(EntryPopup::new(call, &entry)),
    })
}
