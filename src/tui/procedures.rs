//! The procedures screen's state and keys: the catalogue, filtered and searched, a
//! procedure read as text, and the choice of a procedure to walk on a call.

use super::app::{App, Screen};
use super::input::TextField;
use super::keys::{Action, Context};
use crate::domain::call::CallRef;
use crate::store::ProcedureQuery;

/// One line of the procedures list.
#[derive(Debug, Clone, PartialEq)]
pub struct ProcedureItem {
    pub slug: String,
    pub title: String,
    /// Fits the filters' service and device (always true without filters).
    pub fits: bool,
}

pub struct ProceduresState {
    pub service: Option<String>,
    pub device: Option<String>,
    pub search: TextField,
    pub searching: bool,
    pub items: Vec<ProcedureItem>,
    pub selected: usize,
    /// The procedure read as text, and its first line shown.
    pub view: Option<(String, u16)>,
    /// The call a chosen procedure will be walked on.
    pub for_call: Option<CallRef>,
    /// Where Échap goes back to.
    pub return_to: Screen,
    /// Set when the text view was opened from elsewhere: Échap goes straight back there.
    pub view_return: Option<Screen>,
}

impl Default for ProceduresState {
    fn default() -> Self {
        ProceduresState {
            service: None,
            device: None,
            search: TextField::single("", 80),
            searching: false,
            items: Vec::new(),
            selected: 0,
            view: None,
            for_call: None,
            return_to: Screen::List,
            view_return: None,
        }
    }
}

impl App {
    pub(super) fn procedures_context(&self) -> Context {
        if self.procedures.view.is_some() {
            Context::ProcedureView
        } else if self.procedures.searching {
            Context::ProceduresSearch
        } else {
            Context::Procedures
        }
    }

    /// F3: the catalogue. From a call, filtered to its service and device, and a chosen
    /// procedure is walked on it.
    pub(super) fn open_procedures(&mut self) {
        let from_call = match self.screen {
            Screen::Detail => self.detail.as_ref().map(|d| {
                (
                    d.record.call.reference,
                    d.record.call.service.clone(),
                    d.record.call.device.clone(),
                )
            }),
            _ => None,
        };
        if self.screen != Screen::Procedures {
            self.procedures.return_to = self.screen;
        }
        self.procedures.view = None;
        self.procedures.view_return = None;
        self.procedures.searching = false;
        match from_call {
            Some((reference, service, device)) => {
                self.procedures.for_call = Some(reference);
                self.procedures.service = Some(service);
                self.procedures.device = Some(device);
            }
            None if self.screen != Screen::Procedures => {
                self.procedures.for_call = None;
            }
            None => {}
        }
        self.screen = Screen::Procedures;
        self.reload_procedures();
    }

    /// Opens the procedures for `reference` with the call's summary as the search.
    pub(super) fn choose_procedure_for(&mut self, reference: CallRef) {
        let summary = self
            .detail
            .as_ref()
            .filter(|d| d.record.call.reference == reference)
            .map(|d| d.record.call.summary.clone())
            .unwrap_or_default();
        self.open_procedures();
        self.procedures.search = TextField::single(&summary, 80);
        self.reload_procedures();
    }

    pub(super) fn reload_procedures(&mut self) {
        let state = &mut self.procedures;
        let text = state.search.value();
        let fits = |p: &crate::domain::procedure::Procedure| {
            state
                .service
                .as_ref()
                .is_none_or(|s| p.services.includes(s))
                && state.device.as_ref().is_none_or(|d| p.devices.includes(d))
        };
        if text.trim().is_empty() {
            state.items = self
                .catalog
                .procedures
                .iter()
                .filter(|p| fits(p))
                .map(|p| ProcedureItem {
                    slug: p.slug.clone(),
                    title: p.title.clone(),
                    fits: true,
                })
                .collect();
            // Browsing reads titles: alphabetical, accents aside.
            state
                .items
                .sort_by_cached_key(|i| crate::domain::text::fold(&i.title));
        } else {
            let query = ProcedureQuery {
                text: &text,
                service: state.service.as_deref(),
                device: state.device.as_deref(),
                limit: 100,
            };
            match self.store.search_procedures(&self.search_index, &query) {
                Ok(hits) => {
                    state.items = hits
                        .into_iter()
                        .map(|h| ProcedureItem {
                            fits: h.fits_service && h.fits_device,
                            slug: h.slug,
                            title: h.title,
                        })
                        .collect();
                }
                Err(e) => {
                    self.error(format!("recherche impossible : {e}"));
                    return;
                }
            }
        }
        let state = &mut self.procedures;
        state.selected = state.selected.min(state.items.len().saturating_sub(1));
    }

    /// Shows a procedure as text; Échap comes back to `back` when given.
    pub(super) fn view_procedure(&mut self, slug: &str, back: Option<Screen>) {
        let back = back.unwrap_or(self.screen);
        if self.screen != Screen::Procedures {
            self.procedures.view_return = Some(back);
            self.procedures.for_call = None;
        }
        self.procedures.view = Some((slug.to_string(), 0));
        self.screen = Screen::Procedures;
    }

    pub(super) fn act_procedures(&mut self, ctx: Context, action: Action) {
        match ctx {
            Context::ProceduresSearch => match action {
                Action::Confirm => self.procedures.searching = false,
                Action::Back => {
                    self.procedures.searching = false;
                    self.procedures.search = TextField::single("", 80);
                    self.reload_procedures();
                }
                _ => {}
            },
            Context::ProcedureView => {
                let Some((slug, scroll)) = self.procedures.view.as_mut() else {
                    return;
                };
                match action {
                    Action::Up => *scroll = scroll.saturating_sub(1),
                    Action::Down => *scroll = scroll.saturating_add(1),
                    Action::PageUp => *scroll = scroll.saturating_sub(15),
                    Action::PageDown => *scroll = scroll.saturating_add(15),
                    Action::Run => {
                        let slug = slug.clone();
                        match self.procedures.for_call {
                            Some(reference) => self.start_walk(reference, &slug),
                            None => self.error(
                                "une procédure se suit sur un appel : ouvrir l'appel (ou F2) puis p"
                                    .into(),
                            ),
                        }
                    }
                    Action::Back => {
                        self.procedures.view = None;
                        if let Some(back) = self.procedures.view_return.take() {
                            self.screen = back;
                        }
                    }
                    _ => {}
                }
            }
            _ => {
                let state = &mut self.procedures;
                let n = state.items.len();
                let selected = state.items.get(state.selected).map(|i| i.slug.clone());
                match action {
                    Action::Up => state.selected = state.selected.saturating_sub(1),
                    Action::Down => state.selected = (state.selected + 1).min(n.saturating_sub(1)),
                    Action::Search => state.searching = true,
                    Action::NextService => {
                        state.service = cycle(
                            &state.service,
                            self.reference.services.iter().map(|s| s.slug.as_str()),
                        );
                        self.reload_procedures();
                    }
                    Action::NextDevice => {
                        state.device = cycle(
                            &state.device,
                            self.reference.devices.iter().map(|d| d.slug.as_str()),
                        );
                        self.reload_procedures();
                    }
                    Action::View => {
                        if let Some(slug) = selected {
                            self.procedures.view = Some((slug, 0));
                        }
                    }
                    Action::Run => match (selected, state.for_call) {
                        (Some(slug), Some(reference)) => self.start_walk(reference, &slug),
                        (Some(slug), None) => self.procedures.view = Some((slug, 0)),
                        (None, _) => {}
                    },
                    Action::Back => {
                        let back = state.return_to;
                        self.screen = match back {
                            Screen::Detail if self.detail.is_none() => Screen::List,
                            Screen::Form if self.form.is_none() => Screen::List,
                            other => other,
                        };
                    }
                    _ => {}
                }
            }
        }
    }
}

/// The next value of a filter that cycles through `all` then back to none.
fn cycle<'a>(current: &Option<String>, all: impl Iterator<Item = &'a str>) -> Option<String> {
    let all: Vec<&str> = all.collect();
    match current {
        None => all.first().map(|s| s.to_string()),
        Some(cur) => all
            .iter()
            .position(|s| s == cur)
            .and_then(|i| all.get(i + 1))
            .map(|s| s.to_string()),
    }
}
