//! The one key table. The router asks it which action a key means where the keyboard is;
//! the footer, the help overlay and every hint a screen prints ("c : clore l'appel") are
//! built from it, so what the screen says is what the keys do.

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
    Delete,
}

impl Key {
    pub fn from_event(ev: &KeyEvent) -> Option<Key> {
        let ctrl = ev.modifiers.contains(KeyModifiers::CONTROL);
        Some(match ev.code {
            KeyCode::Char(c) if ctrl => Key::Ctrl(c.to_ascii_lowercase()),
            // Alt-combinations are nobody's binding: they are not typed text either.
            KeyCode::Char(_) if ev.modifiers.contains(KeyModifiers::ALT) => return None,
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
            KeyCode::Delete => Key::Delete,
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
            Key::Delete => "Suppr".into(),
        }
    }
}

/// Where the keyboard is: each context has its own bindings, then the global ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    List,
    ListSearch,
    Form,
    /// The new-call form with the proposed procedures focused.
    FormMatches,
    /// The new-call form with the known callers focused.
    FormCallers,
    /// An open call.
    Detail,
    /// A closed call: its outcome can be corrected.
    DetailClosed,
    /// A note being written (on a call, or the handover note).
    NoteInput,
    /// Choosing the outcome to close a call with.
    CloseCall,
    /// Choosing the outcome that replaces a closed call's.
    CorrectOutcome,
    /// A yes/no question before acting.
    Confirm,
    /// One journal line, read whole.
    EntryView,
    /// A draft found at start is offered back.
    DraftOffer,
    /// The catalogue, for reading.
    Procedures,
    /// The catalogue, to choose a procedure to walk on a call.
    ProceduresForCall,
    ProceduresSearch,
    /// One procedure read as text.
    ProcedureRead,
    /// One procedure read as text, which can be walked on the call.
    ProcedureForCall,
    /// Walking a procedure: a step to confirm or an escalation.
    RunnerStep,
    /// Walking a procedure: a yes/no question.
    RunnerAsk,
    /// Walking a procedure: a value to record.
    RunnerInput,
    /// Walking a procedure: a secret to give, never written.
    RunnerSecret,
    /// The procedure is finished and the call still open.
    RunnerDone,
    /// The procedure is finished on a call already closed.
    RunnerDoneClosed,
    /// The tools, without a call.
    Tools,
    /// The tools opened on a call: the answer can go to its journal.
    ToolsOnCall,
    /// The spelling tool (never journaled).
    ToolsSpell,
    Handover,
    /// What the walks say of the procedures: those that need attention first.
    Figures,
    /// One procedure's steps annotated with its walks' figures.
    FigureSteps,
    /// What waits to be taken up: missed calls, calls set aside.
    Awaiting,
    Help,
}

impl Context {
    pub const ALL: [Context; 32] = [
        Context::List,
        Context::ListSearch,
        Context::Form,
        Context::FormMatches,
        Context::FormCallers,
        Context::Detail,
        Context::DetailClosed,
        Context::NoteInput,
        Context::CloseCall,
        Context::CorrectOutcome,
        Context::Confirm,
        Context::EntryView,
        Context::DraftOffer,
        Context::Procedures,
        Context::ProceduresForCall,
        Context::ProceduresSearch,
        Context::ProcedureRead,
        Context::ProcedureForCall,
        Context::RunnerStep,
        Context::RunnerAsk,
        Context::RunnerInput,
        Context::RunnerSecret,
        Context::RunnerDone,
        Context::RunnerDoneClosed,
        Context::Tools,
        Context::ToolsOnCall,
        Context::ToolsSpell,
        Context::Handover,
        Context::Figures,
        Context::FigureSteps,
        Context::Awaiting,
        Context::Help,
    ];

    /// In these contexts keys without a binding are typed into a field.
    pub fn takes_text(self) -> bool {
        matches!(
            self,
            Context::ListSearch
                | Context::Form
                | Context::FormMatches
                | Context::FormCallers
                | Context::NoteInput
                | Context::CloseCall
                | Context::CorrectOutcome
                | Context::ProceduresSearch
                | Context::RunnerInput
                | Context::RunnerSecret
                | Context::Tools
                | Context::ToolsOnCall
                | Context::ToolsSpell
        )
    }

    /// A dialog waits for its answer: the other screens are out of reach until then.
    pub fn is_modal(self) -> bool {
        matches!(
            self,
            Context::NoteInput
                | Context::CloseCall
                | Context::CorrectOutcome
                | Context::Confirm
                | Context::EntryView
                | Context::DraftOffer
                | Context::Help
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
    CorrectOutcome,
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
    /// The open call of the caller whose call rings or is answered on this extension.
    CallerCall,
    /// The callers known from past calls, proposed for what is typed.
    KnownCallers,
    /// Send the escalated call to GLPI: a ticket, then followups.
    Glpi,
    /// Set the call being typed aside (kept, listed, resumable) to take another one.
    SetAside,
    /// What waits to be taken up: missed calls to call back, calls set aside.
    Awaiting,
    /// The procedures' figures (from the handover).
    Figures,
    /// Flag the step of the walk « à revoir », with a short note for its authors.
    FlagStep,
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
    b(&[Key::F(4)], Action::Tools, None, "Outils : imprimante, COMU, épeler, AMIGO, CRYHOD, 4G, XiVO, télémaintenance"),
    b(&[Key::F(5)], Action::Handover, None, "Relève : la relève en cours, ce qui attend, la note"),
    b(&[Key::F(6)], Action::CallerCall, None, "Ouvrir l'appel encore ouvert de l'appelant qui sonne ou est en ligne sur ce poste"),
    b(&[Key::F(7)], Action::Awaiting, None, "À reprendre : les appels manqués à rappeler, les saisies mises de côté"),
    b(&[Key::Ctrl('c')], Action::ForceQuit, None, "Quitter (la saisie en cours est gardée)"),
];

/// In a dialog only the help and quitting reach past it.
#[rustfmt::skip]
const MODAL_GLOBAL: &[Binding] = &[
    b(&[Key::F(1)], Action::Help, Some("aide"), "Afficher ou fermer l'aide"),
    b(&[Key::Ctrl('c')], Action::ForceQuit, None, "Quitter (la saisie en cours est gardée)"),
];

/// What an editing key does to a text field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    Left,
    Right,
    Home,
    End,
    DeleteBack,
    DeleteForward,
    DeleteWordBack,
    DeleteToStart,
    DeleteToEnd,
    Undo,
}

pub struct EditBinding {
    pub keys: &'static [Key],
    pub edit: Edit,
    pub help: &'static str,
}

const fn e(keys: &'static [Key], edit: Edit, help: &'static str) -> EditBinding {
    EditBinding { keys, edit, help }
}

/// The editing keys of every text field, pickers and tools included: the field obeys this
/// table and the help prints it. Keys it does not name are typed (printable) or ignored.
#[rustfmt::skip]
pub const EDITING: &[EditBinding] = &[
    e(&[Key::Left], Edit::Left, "Caractère précédent"),
    e(&[Key::Right], Edit::Right, "Caractère suivant"),
    e(&[Key::Home, Key::Ctrl('a')], Edit::Home, "Début de la ligne"),
    e(&[Key::End, Key::Ctrl('e')], Edit::End, "Fin de la ligne"),
    e(&[Key::Backspace, Key::Ctrl('h')], Edit::DeleteBack, "Effacer le caractère avant le curseur"),
    e(&[Key::Delete, Key::Ctrl('d')], Edit::DeleteForward, "Effacer le caractère sous le curseur"),
    e(&[Key::Ctrl('w')], Edit::DeleteWordBack, "Effacer le mot avant le curseur"),
    e(&[Key::Ctrl('u')], Edit::DeleteToStart, "Effacer jusqu'au début de la ligne"),
    e(&[Key::Ctrl('k')], Edit::DeleteToEnd, "Effacer jusqu'à la fin de la ligne"),
    e(&[Key::Ctrl('z')], Edit::Undo, "Annuler la dernière modification"),
];

/// The edit an editing key means, if any.
pub fn edit_for(key: Key) -> Option<Edit> {
    EDITING
        .iter()
        .find(|b| b.keys.contains(&key))
        .map(|b| b.edit)
}

#[rustfmt::skip]
const LIST: &[Binding] = &[
    b(&[Key::F(2), Key::Char('n')], Action::NewCall, Some("appel"), "Nouvel appel"),
    b(&[Key::Char('/')], Action::Search, Some("chercher"), "Chercher un appel : nom, téléphone ou référence (A-0042)"),
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
    b(&[Key::Char('q')], Action::Quit, Some("quitter"), "Quitter guichet (la saisie en cours est gardée)"),
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
    b(&[Key::Ctrl('r')], Action::KnownCallers, None, "Aller aux appelants connus proposés pour le nom ou le téléphone tapé"),
    b(&[Key::Up], Action::Up, None, "Proposition précédente, ou champ précédent"),
    b(&[Key::Down], Action::Down, None, "Proposition suivante, ou champ suivant"),
    b(&[Key::Enter], Action::Confirm, None, "Choisir la proposition et passer au champ suivant ; nouvelle ligne dans Notes"),
    b(&[Key::F(8)], Action::SetAside, None, "Mettre la saisie de côté (gardée, reprise par F7) pour prendre un autre appel"),
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
    b(&[Key::BackTab], Action::PrevField, None, "Revenir au champ quitté"),
    b(&[Key::F(8)], Action::SetAside, None, "Mettre la saisie de côté (gardée, reprise par F7) pour prendre un autre appel"),
    b(&[Key::Esc], Action::Back, Some("liste"), "Revenir à la liste ; la saisie est gardée"),
];

#[rustfmt::skip]
const FORM_CALLERS: &[Binding] = &[
    b(&[Key::Enter], Action::Confirm, Some("reprendre"), "Remplir le formulaire avec cet appelant (nom, téléphone, service, poste)"),
    b(&[Key::Up, Key::Char('k')], Action::Up, None, "Appelant précédent"),
    b(&[Key::Down, Key::Char('j')], Action::Down, None, "Appelant suivant"),
    b(&[Key::Esc, Key::Tab], Action::Back, Some("retour"), "Revenir au champ, sans rien remplir"),
    b(&[Key::F(8)], Action::SetAside, None, "Mettre la saisie de côté (gardée, reprise par F7) pour prendre un autre appel"),
];

#[rustfmt::skip]
const DETAIL: &[Binding] = &[
    b(&[Key::Char('p')], Action::Run, Some("procédure"), "Suivre une procédure (reprend celle en cours)"),
    b(&[Key::Char('a')], Action::AddNote, Some("note"), "Ajouter une note au journal"),
    b(&[Key::Char('c')], Action::CloseCall, Some("clore"), "Clore l'appel avec son issue"),
    b(&[Key::Char('t')], Action::Glpi, None, "Envoyer l'appel escaladé à GLPI : un ticket, puis les nouvelles entrées du journal en suivis"),
    b(&[Key::Enter], Action::Open, None, "Lire en entier la ligne du journal sélectionnée"),
    b(&[Key::F(2), Key::Char('n')], Action::NewCall, Some("appel"), "Nouvel appel"),
    b(&[Key::Up, Key::Char('k')], Action::Up, None, "Ligne précédente du journal"),
    b(&[Key::Down, Key::Char('j')], Action::Down, None, "Ligne suivante du journal"),
    b(&[Key::Home, Key::Char('g')], Action::First, None, "Première ligne du journal"),
    b(&[Key::End, Key::Char('G')], Action::Last, None, "Dernière ligne du journal"),
    b(&[Key::Char('?')], Action::Help, None, "Aide"),
    b(&[Key::Esc, Key::Char('q')], Action::Back, Some("retour"), "Revenir à l'écran précédent"),
];

#[rustfmt::skip]
const DETAIL_CLOSED: &[Binding] = &[
    b(&[Key::Char('c')], Action::CorrectOutcome, Some("corriger l'issue"), "Corriger l'issue (ajouté au journal, qui garde l'ancienne)"),
    b(&[Key::Char('a')], Action::AddNote, Some("note"), "Ajouter une note au journal"),
    b(&[Key::Char('p')], Action::Run, Some("procédure"), "Suivre une procédure"),
    b(&[Key::Char('t')], Action::Glpi, None, "Envoyer l'appel escaladé à GLPI : un ticket, puis les nouvelles entrées du journal en suivis"),
    b(&[Key::Enter], Action::Open, None, "Lire en entier la ligne du journal sélectionnée"),
    b(&[Key::F(2), Key::Char('n')], Action::NewCall, Some("appel"), "Nouvel appel"),
    b(&[Key::Up, Key::Char('k')], Action::Up, None, "Ligne précédente du journal"),
    b(&[Key::Down, Key::Char('j')], Action::Down, None, "Ligne suivante du journal"),
    b(&[Key::Home, Key::Char('g')], Action::First, None, "Première ligne du journal"),
    b(&[Key::End, Key::Char('G')], Action::Last, None, "Dernière ligne du journal"),
    b(&[Key::Char('?')], Action::Help, None, "Aide"),
    b(&[Key::Esc, Key::Char('q')], Action::Back, Some("retour"), "Revenir à l'écran précédent"),
];

#[rustfmt::skip]
const NOTE_INPUT: &[Binding] = &[
    b(&[Key::Enter, Key::Ctrl('s')], Action::Confirm, Some("enregistrer"), "Enregistrer la note"),
    b(&[Key::Esc], Action::Back, Some("annuler"), "Annuler (le texte est gardé pour la prochaine fois)"),
];

#[rustfmt::skip]
const CLOSE_CALL: &[Binding] = &[
    b(&[Key::Up], Action::Up, None, "Issue précédente"),
    b(&[Key::Down], Action::Down, None, "Issue suivante"),
    b(&[Key::Enter, Key::Ctrl('s')], Action::Confirm, Some("clore"), "Clore avec l'issue choisie et la note"),
    b(&[Key::Esc], Action::Back, Some("annuler"), "Annuler"),
];

#[rustfmt::skip]
const CORRECT_OUTCOME: &[Binding] = &[
    b(&[Key::Up], Action::Up, None, "Issue précédente"),
    b(&[Key::Down], Action::Down, None, "Issue suivante"),
    b(&[Key::Enter, Key::Ctrl('s')], Action::Confirm, Some("corriger"), "Remplacer l'issue (le journal garde les deux)"),
    b(&[Key::Esc], Action::Back, Some("annuler"), "Annuler"),
];

#[rustfmt::skip]
const CONFIRM: &[Binding] = &[
    b(&[Key::Char('o')], Action::Yes, Some("oui"), "Oui"),
    b(&[Key::Char('n'), Key::Esc], Action::No, Some("non"), "Non : ne rien faire"),
];

#[rustfmt::skip]
const ENTRY_VIEW: &[Binding] = &[
    b(&[Key::Up, Key::Char('k')], Action::Up, None, "Remonter"),
    b(&[Key::Down, Key::Char('j')], Action::Down, None, "Descendre"),
    b(&[Key::Esc, Key::Enter, Key::Char('q')], Action::Back, Some("fermer"), "Revenir au journal"),
];

#[rustfmt::skip]
const DRAFT_OFFER: &[Binding] = &[
    b(&[Key::Char('o'), Key::Enter], Action::Yes, Some("reprendre"), "Reprendre la saisie retrouvée"),
    b(&[Key::Esc], Action::Back, Some("plus tard"), "La garder pour plus tard (F2 la reprend)"),
    b(&[Key::Char('x')], Action::Abandon, Some("abandonner"), "Abandonner la saisie retrouvée"),
];

#[rustfmt::skip]
const PROCEDURES: &[Binding] = &[
    b(&[Key::Enter, Key::Char('v')], Action::View, Some("lire"), "Lire la procédure en entier"),
    b(&[Key::Char('/')], Action::Search, Some("chercher"), "Chercher dans les procédures"),
    b(&[Key::Char('s')], Action::NextService, Some("service"), "Filtrer par service (tour à tour)"),
    b(&[Key::Char('d')], Action::NextDevice, Some("poste"), "Filtrer par poste (tour à tour)"),
    b(&[Key::Up, Key::Char('k')], Action::Up, None, "Procédure précédente"),
    b(&[Key::Down, Key::Char('j')], Action::Down, None, "Procédure suivante"),
    b(&[Key::Esc, Key::Char('q')], Action::Back, Some("retour"), "Revenir à l'écran précédent"),
];

#[rustfmt::skip]
const PROCEDURES_FOR_CALL: &[Binding] = &[
    b(&[Key::Enter], Action::Run, Some("suivre"), "Suivre la procédure sur l'appel"),
    b(&[Key::Char('v')], Action::View, Some("lire"), "Lire la procédure en entier"),
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
const PROCEDURE_READ: &[Binding] = &[
    b(&[Key::Up, Key::Char('k')], Action::Up, None, "Remonter"),
    b(&[Key::Down, Key::Char('j')], Action::Down, None, "Descendre"),
    b(&[Key::PageUp], Action::PageUp, None, "Page précédente"),
    b(&[Key::PageDown, Key::Char(' ')], Action::PageDown, Some("page suiv."), "Page suivante"),
    b(&[Key::Esc, Key::Char('q')], Action::Back, Some("retour"), "Revenir à l'écran précédent"),
];

#[rustfmt::skip]
const PROCEDURE_FOR_CALL: &[Binding] = &[
    b(&[Key::Enter], Action::Run, Some("suivre"), "Suivre cette procédure sur l'appel"),
    b(&[Key::Up, Key::Char('k')], Action::Up, None, "Remonter"),
    b(&[Key::Down, Key::Char('j')], Action::Down, None, "Descendre"),
    b(&[Key::PageUp], Action::PageUp, None, "Page précédente"),
    b(&[Key::PageDown, Key::Char(' ')], Action::PageDown, Some("page suiv."), "Page suivante"),
    b(&[Key::Esc, Key::Char('q')], Action::Back, Some("retour"), "Revenir à l'écran précédent"),
];

#[rustfmt::skip]
const RUNNER_STEP: &[Binding] = &[
    b(&[Key::Enter], Action::Confirm, Some("valider"), "Étape faite (dire, vérifier) ; escalade confirmée"),
    b(&[Key::Left, Key::Backspace], Action::StepBack, Some("précédente"), "Revenir à l'étape précédente (noté au journal)"),
    b(&[Key::F(9)], Action::FlagStep, Some("à revoir"), "Signaler l'étape « à revoir », avec une note courte pour les auteurs de la procédure"),
    b(&[Key::Esc], Action::Back, Some("quitter"), "Quitter le déroulé ; il reprendra à cette étape"),
];

#[rustfmt::skip]
const RUNNER_ASK: &[Binding] = &[
    b(&[Key::Char('o')], Action::Yes, Some("oui"), "Répondre oui à la question"),
    b(&[Key::Char('n')], Action::No, Some("non"), "Répondre non à la question"),
    b(&[Key::Left, Key::Backspace], Action::StepBack, Some("précédente"), "Revenir à l'étape précédente (noté au journal)"),
    b(&[Key::F(9)], Action::FlagStep, Some("à revoir"), "Signaler l'étape « à revoir », avec une note courte pour les auteurs de la procédure"),
    b(&[Key::Esc], Action::Back, Some("quitter"), "Quitter le déroulé ; il reprendra à cette étape"),
];

#[rustfmt::skip]
const RUNNER_INPUT: &[Binding] = &[
    b(&[Key::Enter], Action::Confirm, Some("noter"), "Noter la valeur au journal"),
    b(&[Key::Ctrl('b')], Action::StepBack, Some("précédente"), "Revenir à l'étape précédente (noté au journal)"),
    b(&[Key::F(9)], Action::FlagStep, Some("à revoir"), "Signaler l'étape « à revoir », avec une note courte pour les auteurs de la procédure"),
    b(&[Key::Esc], Action::Back, Some("quitter"), "Quitter le déroulé ; il reprendra à cette étape"),
];

#[rustfmt::skip]
const RUNNER_SECRET: &[Binding] = &[
    b(&[Key::Enter], Action::Confirm, Some("donné"), "Noter que le secret a été donné (le secret n'est jamais écrit)"),
    b(&[Key::Ctrl('r')], Action::Reveal, Some("montrer"), "Montrer le secret épelé, pour le lire à l'appelant ; toute autre touche le masque"),
    b(&[Key::Ctrl('b')], Action::StepBack, Some("précédente"), "Revenir à l'étape précédente (noté au journal)"),
    b(&[Key::F(9)], Action::FlagStep, None, "Signaler l'étape « à revoir », avec une note courte pour les auteurs de la procédure"),
    b(&[Key::Esc], Action::Back, Some("quitter"), "Quitter le déroulé ; il reprendra à cette étape"),
];

#[rustfmt::skip]
const RUNNER_DONE: &[Binding] = &[
    b(&[Key::Char('o')], Action::Yes, None, "Résolu ? oui : la procédure a réglé le problème de l'appelant"),
    b(&[Key::Char('n')], Action::No, None, "Résolu ? non : la procédure n'a pas réglé le problème"),
    b(&[Key::Char('c')], Action::CloseCall, Some("clore l'appel"), "Clore l'appel (l'issue du journal est proposée)"),
    b(&[Key::Char('t')], Action::Glpi, None, "Fermer le déroulé et envoyer l'appel escaladé à GLPI : un ticket, puis les nouvelles entrées du journal en suivis"),
    b(&[Key::Char('a')], Action::AddNote, Some("note"), "Ajouter une note au journal"),
    b(&[Key::Left, Key::Backspace], Action::StepBack, Some("précédente"), "Revenir à la dernière étape (noté au journal)"),
    b(&[Key::F(9)], Action::FlagStep, None, "Signaler la dernière étape « à revoir », avec une note courte pour les auteurs de la procédure"),
    b(&[Key::Enter, Key::Esc], Action::Back, Some("fermer"), "Fermer le déroulé et revenir à l'appel"),
];

#[rustfmt::skip]
const RUNNER_DONE_CLOSED: &[Binding] = &[
    b(&[Key::Char('o')], Action::Yes, None, "Résolu ? oui : la procédure a réglé le problème de l'appelant"),
    b(&[Key::Char('n')], Action::No, None, "Résolu ? non : la procédure n'a pas réglé le problème"),
    b(&[Key::Char('a')], Action::AddNote, Some("note"), "Ajouter une note au journal"),
    b(&[Key::Char('t')], Action::Glpi, None, "Fermer le déroulé et envoyer l'appel escaladé à GLPI : un ticket, puis les nouvelles entrées du journal en suivis"),
    b(&[Key::Left, Key::Backspace], Action::StepBack, Some("précédente"), "Revenir à la dernière étape (noté au journal)"),
    b(&[Key::F(9)], Action::FlagStep, None, "Signaler la dernière étape « à revoir », avec une note courte pour les auteurs de la procédure"),
    b(&[Key::Enter, Key::Esc], Action::Back, Some("fermer"), "Fermer le déroulé et revenir à l'appel"),
];

#[rustfmt::skip]
const TOOLS: &[Binding] = &[
    b(&[Key::PageDown], Action::PageDown, Some("outil suivant"), "Outil suivant"),
    b(&[Key::PageUp], Action::PageUp, None, "Outil précédent"),
    b(&[Key::Tab], Action::NextField, Some("champ"), "Champ suivant"),
    b(&[Key::BackTab], Action::PrevField, None, "Champ précédent"),
    b(&[Key::Esc], Action::Back, Some("retour"), "Revenir à l'écran précédent"),
];

#[rustfmt::skip]
const TOOLS_ON_CALL: &[Binding] = &[
    b(&[Key::Enter], Action::Confirm, Some("noter sur l'appel"), "Ajouter la réponse de l'outil au journal de l'appel"),
    b(&[Key::PageDown], Action::PageDown, Some("outil suivant"), "Outil suivant"),
    b(&[Key::PageUp], Action::PageUp, None, "Outil précédent"),
    b(&[Key::Tab], Action::NextField, Some("champ"), "Champ suivant"),
    b(&[Key::BackTab], Action::PrevField, None, "Champ précédent"),
    b(&[Key::Esc], Action::Back, Some("retour"), "Revenir à l'écran précédent"),
];

#[rustfmt::skip]
const TOOLS_SPELL: &[Binding] = &[
    b(&[Key::Ctrl('t')], Action::Toggle, Some("alphabet"), "Alphabet international ou français"),
    b(&[Key::PageDown], Action::PageDown, Some("outil suivant"), "Outil suivant (le texte épelé est effacé)"),
    b(&[Key::PageUp], Action::PageUp, None, "Outil précédent (le texte épelé est effacé)"),
    b(&[Key::Esc], Action::Back, Some("retour"), "Revenir à l'écran précédent (le texte épelé est effacé)"),
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
    b(&[Key::PageUp], Action::PageUp, None, "Remonter dans la relève"),
    b(&[Key::PageDown], Action::PageDown, None, "Descendre dans la relève"),
    b(&[Key::Enter], Action::Open, None, "Ouvrir l'appel en attente sélectionné"),
    b(&[Key::Char('p')], Action::Figures, Some("procédures"), "Les chiffres des procédures : abandons, escalades, étapes à revoir"),
    b(&[Key::Esc, Key::Char('q')], Action::Back, Some("retour"), "Revenir à l'écran précédent"),
];

#[rustfmt::skip]
const FIGURES: &[Binding] = &[
    b(&[Key::Enter], Action::Open, Some("étapes"), "Les étapes de la procédure sélectionnée, annotées de ses chiffres et des notes « à revoir »"),
    b(&[Key::Char('f')], Action::NextScope, Some("période"), "Période suivante : 7, 30 ou 90 derniers jours"),
    b(&[Key::Up, Key::Char('k')], Action::Up, None, "Procédure précédente"),
    b(&[Key::Down, Key::Char('j')], Action::Down, None, "Procédure suivante"),
    b(&[Key::Home, Key::Char('g')], Action::First, None, "Première procédure"),
    b(&[Key::End, Key::Char('G')], Action::Last, None, "Dernière procédure"),
    b(&[Key::Esc, Key::Char('q')], Action::Back, Some("retour"), "Revenir à la relève"),
];

#[rustfmt::skip]
const FIGURE_STEPS: &[Binding] = &[
    b(&[Key::Char('v')], Action::NextScope, Some("version"), "Version suivante de la procédure (la plus récente d'abord)"),
    b(&[Key::Up, Key::Char('k')], Action::Up, None, "Remonter"),
    b(&[Key::Down, Key::Char('j')], Action::Down, None, "Descendre"),
    b(&[Key::PageUp], Action::PageUp, None, "Page précédente"),
    b(&[Key::PageDown, Key::Char(' ')], Action::PageDown, Some("suite"), "Page suivante"),
    b(&[Key::Esc, Key::Char('q')], Action::Back, Some("retour"), "Revenir aux chiffres des procédures"),
];

#[rustfmt::skip]
const AWAITING: &[Binding] = &[
    b(&[Key::Enter], Action::Open, Some("reprendre"), "Rappeler le numéro de l'appel manqué (un nouvel appel à son nom) ; reprendre la saisie mise de côté"),
    b(&[Key::Up, Key::Char('k')], Action::Up, None, "Ligne précédente"),
    b(&[Key::Down, Key::Char('j')], Action::Down, None, "Ligne suivante"),
    b(&[Key::Home, Key::Char('g')], Action::First, None, "Première ligne"),
    b(&[Key::End, Key::Char('G')], Action::Last, None, "Dernière ligne"),
    b(&[Key::Char('?')], Action::Help, None, "Aide"),
    b(&[Key::Esc, Key::Char('q')], Action::Back, Some("retour"), "Revenir à l'écran précédent"),
];

#[rustfmt::skip]
const HELP: &[Binding] = &[
    b(&[Key::Esc, Key::Char('?'), Key::Char('q')], Action::Back, Some("fermer"), "Fermer l'aide"),
    b(&[Key::Up, Key::Char('k')], Action::Up, Some("défiler"), "Remonter dans l'aide"),
    b(&[Key::Down, Key::Char('j')], Action::Down, None, "Descendre dans l'aide"),
    b(&[Key::PageUp], Action::PageUp, None, "Page précédente de l'aide"),
    b(&[Key::PageDown, Key::Char(' ')], Action::PageDown, None, "Page suivante de l'aide"),
];

pub fn bindings(ctx: Context) -> &'static [Binding] {
    match ctx {
        Context::List => LIST,
        Context::ListSearch => LIST_SEARCH,
        Context::Form => FORM,
        Context::FormMatches => FORM_MATCHES,
        Context::FormCallers => FORM_CALLERS,
        Context::Detail => DETAIL,
        Context::DetailClosed => DETAIL_CLOSED,
        Context::NoteInput => NOTE_INPUT,
        Context::CloseCall => CLOSE_CALL,
        Context::CorrectOutcome => CORRECT_OUTCOME,
        Context::Confirm => CONFIRM,
        Context::EntryView => ENTRY_VIEW,
        Context::DraftOffer => DRAFT_OFFER,
        Context::Procedures => PROCEDURES,
        Context::ProceduresForCall => PROCEDURES_FOR_CALL,
        Context::ProceduresSearch => PROCEDURES_SEARCH,
        Context::ProcedureRead => PROCEDURE_READ,
        Context::ProcedureForCall => PROCEDURE_FOR_CALL,
        Context::RunnerStep => RUNNER_STEP,
        Context::RunnerAsk => RUNNER_ASK,
        Context::RunnerInput => RUNNER_INPUT,
        Context::RunnerSecret => RUNNER_SECRET,
        Context::RunnerDone => RUNNER_DONE,
        Context::RunnerDoneClosed => RUNNER_DONE_CLOSED,
        Context::Tools => TOOLS,
        Context::ToolsOnCall => TOOLS_ON_CALL,
        Context::ToolsSpell => TOOLS_SPELL,
        Context::Handover => HANDOVER,
        Context::Figures => FIGURES,
        Context::FigureSteps => FIGURE_STEPS,
        Context::Awaiting => AWAITING,
        Context::Help => HELP,
    }
}

/// The bindings that reach every screen of a context, after its own.
pub fn global(ctx: Context) -> &'static [Binding] {
    if ctx.is_modal() { MODAL_GLOBAL } else { GLOBAL }
}

fn all_bindings(ctx: Context) -> impl Iterator<Item = &'static Binding> {
    bindings(ctx).iter().chain(global(ctx))
}

/// The action a key triggers in a context: the context's own bindings first, then the
/// global ones.
pub fn action_for(ctx: Context, ev: &KeyEvent) -> Option<Action> {
    let key = Key::from_event(ev)?;
    all_bindings(ctx)
        .find(|b| b.keys.contains(&key))
        .map(|b| b.action)
}

/// Whether a key is bound in a context (its own table or the globals that reach it).
pub fn is_bound(ctx: Context, key: Key) -> bool {
    all_bindings(ctx).any(|b| b.keys.contains(&key))
}

/// The key to print for an action in a context, or `None` when the context does not bind
/// it: a screen's own hints ("c : clore l'appel") ask here, so they cannot lie.
pub fn key_for(ctx: Context, action: Action) -> Option<String> {
    all_bindings(ctx)
        .find(|b| b.action == action)
        .map(|b| b.keys[0].label())
}

/// "c : clore l'appel" when the context binds the action, else nothing.
pub fn hint(ctx: Context, action: Action, what: &str) -> Option<String> {
    key_for(ctx, action).map(|k| format!("{k} : {what}"))
}

/// The footer's entries for a context: the help, then the context's own, in table
/// order: (key, label).
pub fn footer(ctx: Context) -> Vec<(String, &'static str)> {
    // The help first, so that a narrow footer that must drop entries never drops it.
    global(ctx)
        .iter()
        .chain(bindings(ctx))
        // The footer names the first key only; the help lists them all.
        .filter_map(|b| b.footer.map(|f| (b.keys[0].label(), f)))
        .collect()
}

pub fn keys_label(keys: &[Key]) -> String {
    keys.iter().map(|k| k.label()).collect::<Vec<_>>().join("/")
}

/// Every key label any table knows, longest first: what the hint checks look for.
pub fn every_key_label() -> Vec<String> {
    let mut labels: Vec<String> = Context::ALL
        .iter()
        .flat_map(|c| all_bindings(*c))
        .flat_map(|b| b.keys.iter())
        .chain(EDITING.iter().flat_map(|b| b.keys.iter()))
        .map(|k| k.label())
        .collect();
    labels.sort_by(|a, b| b.chars().count().cmp(&a.chars().count()).then(a.cmp(b)));
    labels.dedup();
    labels
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(code: KeyCode, m: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, m)
    }

    #[test]
    fn contract_keys_of_design_section_6() {
        let none = KeyModifiers::NONE;
        let list = Context::List;
        for (code, action) in [
            (KeyCode::F(2), Action::NewCall),
            (KeyCode::Char('n'), Action::NewCall),
            (KeyCode::F(1), Action::Help),
            (KeyCode::Char('?'), Action::Help),
            (KeyCode::Char('/'), Action::Search),
            (KeyCode::Char('q'), Action::Quit),
            (KeyCode::Char('j'), Action::Down),
            (KeyCode::Up, Action::Up),
            (KeyCode::Enter, Action::Open),
            (KeyCode::F(3), Action::Procedures),
            (KeyCode::F(4), Action::Tools),
            (KeyCode::F(5), Action::Handover),
        ] {
            assert_eq!(action_for(list, &ev(code, none)), Some(action), "{code:?}");
        }
        let form = Context::Form;
        assert_eq!(action_for(form, &ev(KeyCode::Char('n'), none)), None);
        assert_eq!(action_for(form, &ev(KeyCode::Char('q'), none)), None);
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
        for ctx in Context::ALL {
            assert_eq!(
                action_for(ctx, &ev(KeyCode::Char('c'), KeyModifiers::CONTROL)),
                Some(Action::ForceQuit),
                "{ctx:?}"
            );
            assert_eq!(
                action_for(ctx, &ev(KeyCode::F(1), none)),
                Some(Action::Help),
                "{ctx:?}"
            );
        }
    }

    #[test]
    fn no_key_means_two_things_in_one_context() {
        for ctx in Context::ALL {
            let mut seen: Vec<(Key, Action)> = Vec::new();
            for b in all_bindings(ctx) {
                for k in b.keys {
                    // A screen may name a global key again (F2 in the list) for the same
                    // action; never for another one.
                    if let Some((_, a)) = seen.iter().find(|(s, _)| s == k) {
                        assert_eq!(*a, b.action, "{ctx:?}: {k:?} bound twice");
                    }
                    seen.push((*k, b.action));
                }
            }
        }
    }

    #[test]
    fn text_contexts_leave_the_editing_keys_to_the_field() {
        for ctx in Context::ALL.into_iter().filter(|c| c.takes_text()) {
            for b in EDITING {
                for k in b.keys {
                    // The arrows may move in a list where a field has no use for them
                    // (a picker); the control keys of the editing table never do.
                    if let Key::Ctrl(_) = k {
                        assert!(!is_bound(ctx, *k), "{ctx:?} takes {k:?} from the field");
                    }
                }
            }
        }
    }

    #[test]
    fn hints_exist_only_for_bound_actions() {
        assert_eq!(
            hint(Context::RunnerDone, Action::CloseCall, "clore l'appel").as_deref(),
            Some("c : clore l'appel")
        );
        assert_eq!(
            hint(Context::RunnerDoneClosed, Action::CloseCall, "x"),
            None
        );
        assert_eq!(hint(Context::DetailClosed, Action::CloseCall, "x"), None);
        assert_eq!(hint(Context::ProcedureRead, Action::Run, "x"), None);
    }
}
