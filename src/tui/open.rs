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
use super::screens::figure_steps::FigureStepsScreen;
use super::screens::figures::FiguresScreen;
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
        Route::Tools {
            call,
            tool,
            offered,
        } => Screen::Tools(Box::new(ToolsScreen::open(
            call.as_deref(),
            tool,
            offered.as_deref(),
            &env.desk.reference,
        ))),
        Route::Handover => Screen::Handover(Box::new(HandoverScreen::open(env)?)),
        Route::Awaiting => Screen::Awaiting(Box::new(AwaitingScreen::open(env)?)),
        Route::Figures => Screen::Figures(Box::new(FiguresScreen::open(env)?)),
        Route::FigureSteps(figures) => {
            Screen::FigureSteps(Box::new(FigureStepsScreen::open(env, *figures)?))
        }
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
        Route::CorrectOutcome {
            call,
            current,
            ticket,
        } => Screen::Outcome(OutcomeDialog::correct(call, current, ticket)),
        Route::Entry { call, entry } => Screen::Entry(EntryPopup::new(call, &entry)),
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// The `crate::tui::…` and `super::…` paths a source file names, tests aside.
    fn tui_paths(file: &Path) -> Vec<String> {
        let text = std::fs::read_to_string(file).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        let mut paths = Vec::new();
        for start in ["crate::tui::", "super::"] {
            for (i, _) in code.match_indices(start) {
                let rest = &code[i + start.len()..];
                let end = rest
                    .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                    .unwrap_or(rest.len());
                paths.push(format!("{start}{}", &rest[..end]));
            }
        }
        paths
    }

    fn sources(dir: &str) -> Vec<std::path::PathBuf> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("src/tui")
            .join(dir);
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "rs"))
            .collect();
        files.sort();
        files
    }

    /// What builds screens, holds them or runs them: the router's side.
    const ROUTER: [&str; 6] = ["screens", "popups", "stack", "open", "app", "events"];

    fn names_router(path: &str) -> bool {
        ["crate::tui::", "super::"].iter().any(|start| {
            ROUTER
                .iter()
                .any(|m| path.starts_with(&format!("{start}{m}")))
        })
    }

    /// Screens name routes and this module builds them: no screen nor popup imports
    /// another (a sibling through `super::` included) nor the router's side, and neither
    /// do the component contract and the widgets they share. Otherwise the screens would
    /// be one import circle again.
    #[test]
    fn no_screen_nor_popup_imports_another_or_the_router() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/tui");
        let mut wrong = Vec::new();
        let mut leaves = sources("screens");
        leaves.extend(sources("popups"));
        leaves.retain(|f| !f.ends_with("mod.rs"));
        for file in &leaves {
            for path in tui_paths(file) {
                if path.starts_with("super::") || names_router(&path) {
                    wrong.push(format!("{}: {path}", file.display()));
                }
            }
        }
        let mut shared = sources("widgets");
        shared.push(root.join("component.rs"));
        for file in &shared {
            for path in tui_paths(file).iter().filter(|p| names_router(p)) {
                wrong.push(format!("{}: {path}", file.display()));
            }
        }
        assert!(wrong.is_empty(), "{wrong:#?}");
    }
}
