//! The one key table: the event handling, the footer and the help overlay all read it, so
//! what the screen says is what the keys do.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// A key as the table names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Char(char),
    Ctrl(char),
    F(u8),
    Enter,
    Esc,
    Tab,
    BackTab,
    Up,
    Down,
    PageUp,
    PageDown,
    Home,
    End,
    Left,
    Right,
    Backspace,
}

impl Key {
    pub fn from_event(ev: &KeyEvent) -> Option<Key> {
        let ctrl = ev.modifiers.contains(KeyModifiers::CONTROL);
        Some(match ev.code {
            KeyCode::Char(c) if ctrl => Key::Ctrl(c.to_ascii_lowercase()),
            KeyCode::Char(c) => Key::Char(c),
            KeyCode::F(n) => Key::F(n),
            KeyCode::Enter => Key::Enter,
            KeyCode::Esc => Key::Esc,
            KeyCode::Tab if ev.modifiers.contains(KeyModifiers::SHIFT) => Key::BackTab,
            KeyCode::Tab => Key::Tab,
            KeyCode::BackTab => Key::BackTab,
            KeyCode::Up => Key::Up,
            KeyCode::Down => Key::Down,
            KeyCode::PageUp => Key::PageUp,
            KeyCode::PageDown => Key::PageDown,
            KeyCode::Home => Key::Home,
            KeyCode::End => Key::End,
            KeyCode::Left => Key::Left,
            KeyCode::Right => Key::Right,
            KeyCode::Backspace => Key::Backspace,
            _ => return None,
        })
    }

    /// The key as printed in the footer and the help, in French.
    pub fn label(self) -> String {
        match self {
            Key::Char(' ') => "Espace".into(),
            Key::Char(c) => c.to_string(),
            Key::Ctrl(c) => format!("Ctrl-{}", c.to_ascii_uppercase()),
            Key::F(n) => format!("F{n}"),
            Key::Enter => "Entrée".into(),
            Key::Esc => "Échap".into(),
            Key::Tab => "Tab".into(),
            Key::BackTab => "Maj-Tab".into(),
            Key::Up => "↑".into(),
            Key::Down => "↓".into(),
            Key::PageUp => "PgPréc".into(),
            Key::PageDown => "PgSuiv".into(),
            Key::Home => "Début".into(),
            Key::End => "Fin".into(),
            Key::Left => "←".into(),
            Key::Right => "→".into(),
            Key::Backspace => "⌫".into(),
        }
    }
}

/// Where the keyboard is: each context has its own bindings, then the global ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    List,
    ListSearch,
    Form,
    Detail,
    DetailNote,
    DetailClose,
    DetailTakeOver,
    /// A draft found at start is offered back.
    DraftOffer,
    /// The new-call form with the proposed procedures focused.
    FormMatches,
    Procedures,
    ProceduresSearch,
    ProcedureView,
    /// Walking a procedure: a step to confirm, answer or escalate.
    Runner,
    /// Walking a procedure: a value to record.
    RunnerInput,
    Tools,
    Handover,
    HandoverNote,
    Help,
}

impl Context {
    /// In these contexts keys without a binding are typed into a field.
    pub fn takes_text(self) -> bool {
        matches!(
            self,
            Context::ListSearch
                | Context::Form
                | Context::DetailNote
                | Context::DetailClose
                | Context::ProceduresSearch
                | Context::RunnerInput
                | Context::Tools
                | Context::HandoverNote
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Help,
    NewCall,
    Quit,
    ForceQuit,
    Search,
    NextScope,
    ScopeOpen,
    ScopeMine,
    ScopeAll,
    NextService,
    Open,
    Up,
    Down,
    PageUp,
    PageDown,
    First,
    Last,
    Back,
    NextField,
    PrevField,
    Save,
    AddNote,
    CloseCall,
    Confirm,
    Procedures,
    NextDevice,
    View,
    Run,
    Yes,
    No,
    StepBack,
    Reveal,
    Tools,
    Toggle,
    Abandon,
    Handover,
    PrevShift,
    NextShift,
    Acknowledge,
}

pub struct Binding {
    pub keys: &'static [Key],
    pub action: Action,
    /// Short French label for the footer; `None` keeps the binding out of the footer.
    pub footer: Option<&'static str>,
    /// What the help overlay says.
    pub help: &'static str,
}

const fn b(
    keys: &'static [Key],
    action: Action,
    footer: Option<&'static str>,
    help: &'static str,
) -> Binding {
    Binding {
        keys,
        action,
        footer,
        help,
    }
}

#[rustfmt::skip]
const GLOBAL: &[Binding] = &[
    b(&[Key::F(1)], Action::Help, Some("aide"), "Afficher ou fermer l'aide de l'écran"),
    b(&[Key::F(2)], Action::NewCall, None, "Nouvel appel (reprend la saisie en cours)"),
    b(&[Key::F(3)], Action::Procedures, None, "Procédures : le catalogue, pour l'appel affiché s'il y en a un"),
    b(&[Key::F(5)], Action::Handover, None, "Relève : la relève en cours, ce qui attend, la note"),
    b(&[Key::F(4)], Action::Tools, None, "Outils : imprimante, COMU, épeler, AMIGO, CRYHOD, 4G, XiVO, télémaintenance"),
    b(&[Key::Ctrl('c')], Action::ForceQuit, None, "Quitter (la saisie en cours est gardée)"),
];

#[rustfmt::skip]
const LIST: &[Binding] = &[
    b(&[Key::F(2), Key::Char('n')], Action::NewCall, Some("appel"), "Nouvel appel"),
    b(&[Key::Char('/')], Action::Search, Some("chercher"), "Chercher un appelant (nom ou téléphone)"),
    b(&[Key::Enter], Action::Open, None, "Ouvrir l'appel sélectionné"),
    b(&[Key::Char('f')], Action::NextScope, Some("filtre"), "Filtre suivant : ouverts, les miens, tous"),
    b(&[Key::Char('o')], Action::ScopeOpen, None, "Afficher les appels ouverts"),
    b(&[Key::Char('m')], Action::ScopeMine, None, "Afficher mes appels"),
    b(&[Key::Char('t')], Action::ScopeAll, None, "Afficher tous les appels"),
    b(&[Key::Char('s')], Action::NextService, Some("service"), "Filtrer par service (tour à tour)"),
    b(&[Key::Up, Key::Char('k')], Action::Up, None, "Appel précédent"),
    b(&[Key::Down, Key::Char('j')], Action::Down, None, "Appel suivant"),
    b(&[Key::PageUp], Action::PageUp, None, "Page précédente"),
    b(&[Key::PageDown], Action::PageDown, None, "Page suivante"),
    b(&[Key::Home, Key::Char('g')], Action::First, None, "Premier appel"),
    b(&[Key::End, Key::Char('G')], Action::Last, None, "Dernier appel"),
    b(&[Key::Char('?')], Action::Help, None, "Aide"),
    b(&[Key::Esc], Action::Back, None, "Effacer la recherche et le filtre de service"),
    b(&[Key::Char('q')], Action::Quit, Some("quitter"), "Quitter guichet"),
];

#[rustfmt::skip]
const LIST_SEARCH: &[Binding] = &[
    b(&[Key::Enter, Key::Down], Action::Confirm, Some("valider"), "Garder la recherche et revenir à la liste"),
    b(&[Key::Esc], Action::Back, Some("effacer"), "Effacer la recherche"),
];

#[rustfmt::skip]
const FORM: &[Binding] = &[
    b(&[Key::Ctrl('s')], Action::Save, Some("enregistrer"), "Enregistrer l'appel"),
    b(&[Key::Tab], Action::NextField, Some("suivant"), "Champ suivant (choisit la proposition en cours) ; après Notes, les procédures proposées"),
    b(&[Key::BackTab], Action::PrevField, None, "Champ précédent"),
    b(&[Key::Ctrl('p')], Action::Run, Some("procédures"), "Aller aux procédures proposées"),
    b(&[Key::Up], Action::Up, None, "Proposition précédente, ou champ précédent"),
    b(&[Key::Down], Action::Down, None, "Proposition suivante, ou champ suivant"),
    b(&[Key::Enter], Action::Confirm, None, "Choisir la proposition et passer au champ suivant ; nouvelle ligne dans Notes"),
    b(&[Key::Esc], Action::Back, Some("liste"), "Revenir à la liste ; la saisie est gardée"),
];

#[rustfmt::skip]
const FORM_MATCHES: &[Binding] = &[
    b(&[Key::Enter], Action::Run, Some("suivre"), "Enregistrer l'appel et suivre la procédure choisie"),
    b(&[Key::Up, Key::Char('k')], Action::Up, None, "Procédure précédente"),
    b(&[Key::Down, Key::Char('j')], Action::Down, None, "Procédure suivante"),
    b(&[Key::Char('v')], Action::View, Some("lire"), "Lire la procédure en entier"),
    b(&[Key::Ctrl('s')], Action::Save, Some("enregistrer"), "Enregistrer l'appel"),
    b(&[Key::Tab], Action::NextField, None, "Revenir au premier champ"),
    b(&[Key::BackTab], Action::PrevField, None, "Revenir aux notes"),
    b(&[Key::Esc], Action::Back, Some("liste"), "Revenir à la liste ; la saisie est gardée"),
];

#[rustfmt::skip]
const DETAIL: &[Binding] = &[
    b(&[Key::Char('p')], Action::Run, Some("procédure"), "Suivre une procédure (reprend celle en cours)"),
    b(&[Key::Char('a')], Action::AddNote, Some("note"), "Ajouter une note au journal"),
    b(&[Key::Char('c')], Action::CloseCall, Some("clore"), "Clore l'appel avec son issue"),
    b(&[Key::F(2), Key::Char('n')], Action::NewCall, Some("appel"), "Nouvel appel"),
    b(&[Key::Up, Key::Char('k')], Action::Up, None, "Remonter dans le journal"),
    b(&[Key::Down, Key::Char('j')], Action::Down, None, "Descendre dans le journal"),
    b(&[Key::Char('?')], Action::Help, None, "Aide"),
    b(&[Key::Esc, Key::Char('q')], Action::Back, Some("retour"), "Revenir à la liste"),
];

#[rustfmt::skip]
const DETAIL_NOTE: &[Binding] = &[
    b(&[Key::Enter], Action::Confirm, Some("ajouter"), "Ajouter la note au journal"),
    b(&[Key::Esc], Action::Back, Some("annuler"), "Annuler (le texte est gardé pour plus tard)"),
];

#[rustfmt::skip]
const DETAIL_CLOSE: &[Binding] = &[
    b(&[Key::Up], Action::Up, None, "Issue précédente"),
    b(&[Key::Down], Action::Down, None, "Issue suivante"),
    b(&[Key::Enter, Key::Ctrl('s')], Action::Confirm, Some("clore"), "Clore avec l'issue choisie et la note"),
    b(&[Key::Esc], Action::Back, Some("annuler"), "Annuler"),
];

#[rustfmt::skip]
const DETAIL_TAKE_OVER: &[Binding] = &[
    b(&[Key::Char('o')], Action::Yes, Some("reprendre"), "Reprendre l'appel (noté au journal)"),
    b(&[Key::Char('n'), Key::Esc], Action::No, Some("laisser"), "Laisser l'appel à son opérateur"),
];

#[rustfmt::skip]
const DRAFT_OFFER: &[Binding] = &[
    b(&[Key::Char('o'), Key::Enter], Action::Yes, Some("reprendre"), "Reprendre la saisie retrouvée"),
    b(&[Key::Esc], Action::Back, Some("plus tard"), "La garder pour plus tard (F2 la reprend)"),
    b(&[Key::Char('x')], Action::Abandon, Some("abandonner"), "Abandonner la saisie retrouvée"),
];

#[rustfmt::skip]
const PROCEDURES: &[Binding] = &[
    b(&[Key::Enter], Action::Run, Some("ouvrir"), "Suivre la procédure sur l'appel, ou la lire s'il n'y a pas d'appel"),
    b(&[Key::Char('v')], Action::View, None, "Lire la procédure en entier"),
    b(&[Key::Char('/')], Action::Search, Some("chercher"), "Chercher dans les procédures"),
    b(&[Key::Char('s')], Action::NextService, Some("service"), "Filtrer par service (tour à tour)"),
    b(&[Key::Char('d')], Action::NextDevice, Some("poste"), "Filtrer par poste (tour à tour)"),
    b(&[Key::Up, Key::Char('k')], Action::Up, None, "Procédure précédente"),
    b(&[Key::Down, Key::Char('j')], Action::Down, None, "Procédure suivante"),
    b(&[Key::Esc, Key::Char('q')], Action::Back, Some("retour"), "Revenir à l'écran précédent"),
];

#[rustfmt::skip]
const PROCEDURES_SEARCH: &[Binding] = &[
    b(&[Key::Enter, Key::Down], Action::Confirm, Some("valider"), "Garder la recherche et revenir à la liste"),
    b(&[Key::Esc], Action::Back, Some("effacer"), "Effacer la recherche"),
];

#[rustfmt::skip]
const PROCEDURE_VIEW: &[Binding] = &[
    b(&[Key::Enter], Action::Run, Some("suivre"), "Suivre cette procédure sur l'appel"),
    b(&[Key::Up, Key::Char('k')], Action::Up, None, "Remonter"),
    b(&[Key::Down, Key::Char('j')], Action::Down, None, "Descendre"),
    b(&[Key::PageUp], Action::PageUp, None, "Page précédente"),
    b(&[Key::PageDown, Key::Char(' ')], Action::PageDown, None, "Page suivante"),
    b(&[Key::Esc, Key::Char('q')], Action::Back, Some("retour"), "Revenir à la liste"),
];

#[rustfmt::skip]
const RUNNER: &[Binding] = &[
    b(&[Key::Enter], Action::Confirm, Some("valider"), "Étape faite (dire, vérifier) ; escalade confirmée ; fermer une procédure terminée"),
    b(&[Key::Char('o')], Action::Yes, Some("oui"), "Répondre oui à la question"),
    b(&[Key::Char('n')], Action::No, Some("non"), "Répondre non à la question"),
    b(&[Key::Left, Key::Backspace], Action::StepBack, Some("précédente"), "Revenir à l'étape précédente (noté au journal)"),
    b(&[Key::Esc], Action::Back, Some("quitter"), "Quitter le déroulé ; il reprendra à cette étape"),
];

#[rustfmt::skip]
const RUNNER_INPUT: &[Binding] = &[
    b(&[Key::Enter], Action::Confirm, Some("noter"), "Noter la valeur au journal (un secret n'est jamais écrit)"),
    b(&[Key::Ctrl('r')], Action::Reveal, Some("montrer"), "Afficher le secret une seule fois, pour le lire à l'appelant"),
    b(&[Key::Ctrl('b')], Action::StepBack, Some("précédente"), "Revenir à l'étape précédente (noté au journal)"),
    b(&[Key::Esc], Action::Back, Some("quitter"), "Quitter le déroulé ; il reprendra à cette étape"),
];

#[rustfmt::skip]
const TOOLS: &[Binding] = &[
    b(&[Key::PageDown], Action::PageDown, Some("outil suivant"), "Outil suivant"),
    b(&[Key::PageUp], Action::PageUp, None, "Outil précédent"),
    b(&[Key::Tab], Action::NextField, Some("champ"), "Champ suivant"),
    b(&[Key::BackTab], Action::PrevField, None, "Champ précédent"),
    b(&[Key::Ctrl('a')], Action::Toggle, None, "Épeler : alphabet international ou français"),
    b(&[Key::Enter], Action::Confirm, None, "Télémaintenance : noter le code sur l'appel"),
    b(&[Key::Esc], Action::Back, Some("retour"), "Revenir à l'écran précédent"),
];

#[rustfmt::skip]
const HANDOVER: &[Binding] = &[
    b(&[Key::Left], Action::PrevShift, Some("relève préc."), "Relève précédente"),
    b(&[Key::Right], Action::NextShift, Some("suiv."), "Relève suivante"),
    b(&[Key::Char('e')], Action::AddNote, Some("note"), "Écrire la note de relève (l'opérateur qui part)"),
    b(&[Key::Char('a')], Action::Acknowledge, Some("j'ai lu"), "Prendre connaissance de la relève (l'opérateur qui arrive)"),
    b(&[Key::Char('m')], Action::ScopeMine, None, "Mes appels seulement, ou tous"),
    b(&[Key::Up, Key::Char('k')], Action::Up, None, "Appel en attente précédent"),
    b(&[Key::Down, Key::Char('j')], Action::Down, None, "Appel en attente suivant"),
    b(&[Key::Enter], Action::Open, None, "Ouvrir l'appel en attente sélectionné"),
    b(&[Key::Esc, Key::Char('q')], Action::Back, Some("retour"), "Revenir à l'écran précédent"),
];

#[rustfmt::skip]
const HANDOVER_NOTE: &[Binding] = &[
    b(&[Key::Enter], Action::Confirm, Some("enregistrer"), "Enregistrer la note de relève"),
    b(&[Key::Esc], Action::Back, Some("annuler"), "Annuler"),
];

#[rustfmt::skip]
const HELP: &[Binding] = &[
    b(&[Key::Esc, Key::Char('?'), Key::Char('q')], Action::Back, Some("fermer"), "Fermer l'aide"),
    b(&[Key::Up, Key::Char('k')], Action::Up, Some("défiler"), "Remonter dans l'aide"),
    b(&[Key::Down, Key::Char('j')], Action::Down, None, "Descendre dans l'aide"),
];

pub fn bindings(ctx: Context) -> &'static [Binding] {
    match ctx {
        Context::List => LIST,
        Context::ListSearch => LIST_SEARCH,
        Context::Form => FORM,
        Context::Detail => DETAIL,
        Context::DetailNote => DETAIL_NOTE,
        Context::DetailClose => DETAIL_CLOSE,
        Context::DetailTakeOver => DETAIL_TAKE_OVER,
        Context::DraftOffer => DRAFT_OFFER,
        Context::FormMatches => FORM_MATCHES,
        Context::Procedures => PROCEDURES,
        Context::ProceduresSearch => PROCEDURES_SEARCH,
        Context::ProcedureView => PROCEDURE_VIEW,
        Context::Runner => RUNNER,
        Context::RunnerInput => RUNNER_INPUT,
        Context::Tools => TOOLS,
        Context::Handover => HANDOVER,
        Context::HandoverNote => HANDOVER_NOTE,
        Context::Help => HELP,
    }
}

pub fn global() -> &'static [Binding] {
    GLOBAL
}

/// The action a key triggers in a context: the context's own bindings first, then the
/// global ones.
pub fn action_for(ctx: Context, ev: &KeyEvent) -> Option<Action> {
    let key = Key::from_event(ev)?;
    bindings(ctx)
        .iter()
        .chain(GLOBAL)
        .find(|b| b.keys.contains(&key))
        .map(|b| b.action)
}

/// The footer's entries for a context, in table order: (keys, label).
pub fn footer(ctx: Context) -> Vec<(String, &'static str)> {
    bindings(ctx)
        .iter()
        .chain(GLOBAL)
        // The footer names the first key only; the help lists them all.
        .filter_map(|b| b.footer.map(|f| (b.keys[0].label(), f)))
        .collect()
}

pub fn keys_label(keys: &[Key]) -> String {
    keys.iter().map(|k| k.label()).collect::<Vec<_>>().join("/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyEvent;

    fn ev(code: KeyCode, m: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, m)
    }

    #[test]
    fn contract_keys_of_design_section_6() {
        let none = KeyModifiers::NONE;
        let list = Context::List;
        assert_eq!(
            action_for(list, &ev(KeyCode::F(2), none)),
            Some(Action::NewCall)
        );
        assert_eq!(
            action_for(list, &ev(KeyCode::Char('n'), none)),
            Some(Action::NewCall)
        );
        assert_eq!(
            action_for(list, &ev(KeyCode::F(1), none)),
            Some(Action::Help)
        );
        assert_eq!(
            action_for(list, &ev(KeyCode::Char('?'), none)),
            Some(Action::Help)
        );
        assert_eq!(
            action_for(list, &ev(KeyCode::Char('/'), none)),
            Some(Action::Search)
        );
        assert_eq!(
            action_for(list, &ev(KeyCode::Char('q'), none)),
            Some(Action::Quit)
        );
        assert_eq!(
            action_for(list, &ev(KeyCode::Char('j'), none)),
            Some(Action::Down)
        );
        assert_eq!(action_for(list, &ev(KeyCode::Up, none)), Some(Action::Up));
        let form = Context::Form;
        assert_eq!(
            action_for(form, &ev(KeyCode::Char('n'), none)),
            None,
            "typed"
        );
        assert_eq!(
            action_for(form, &ev(KeyCode::Char('q'), none)),
            None,
            "typed"
        );
        assert_eq!(
            action_for(form, &ev(KeyCode::Tab, none)),
            Some(Action::NextField)
        );
        assert_eq!(
            action_for(form, &ev(KeyCode::BackTab, KeyModifiers::SHIFT)),
            Some(Action::PrevField)
        );
        assert_eq!(
            action_for(form, &ev(KeyCode::Char('s'), KeyModifiers::CONTROL)),
            Some(Action::Save)
        );
        assert_eq!(
            action_for(form, &ev(KeyCode::Esc, none)),
            Some(Action::Back)
        );
        for ctx in [
            Context::List,
            Context::Form,
            Context::Detail,
            Context::DetailNote,
            Context::Help,
        ] {
            assert_eq!(
                action_for(ctx, &ev(KeyCode::Char('c'), KeyModifiers::CONTROL)),
                Some(Action::ForceQuit)
            );
        }
    }

    #[test]
    fn no_key_is_bound_twice_in_one_context() {
        for ctx in [
            Context::List,
            Context::ListSearch,
            Context::Form,
            Context::Detail,
            Context::DetailNote,
            Context::DetailClose,
            Context::DetailTakeOver,
            Context::DraftOffer,
            Context::FormMatches,
            Context::Procedures,
            Context::ProceduresSearch,
            Context::ProcedureView,
            Context::Runner,
            Context::RunnerInput,
            Context::Tools,
            Context::Handover,
            Context::HandoverNote,
            Context::Help,
        ] {
            let mut seen = Vec::new();
            for b in bindings(ctx) {
                for k in b.keys {
                    assert!(!seen.contains(k), "{ctx:?}: {k:?} bound twice");
                    seen.push(*k);
                }
            }
        }
    }
}
