//! The command line contract of DESIGN.md §5, as clap types.

use crate::store::Engine;
use crate::store::migrations::latest;
use clap::builder::{PossibleValue, TypedValueParser};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::sync::LazyLock;

/// What `--version` says: the version and the schema it writes on each engine, read from
/// the migrations, so that a new one shows without touching this.
pub fn version() -> &'static str {
    static VERSION: LazyLock<String> = LazyLock::new(|| {
        format!(
            "{} (schéma SQLite {}, PostgreSQL {})",
            env!("CARGO_PKG_VERSION"),
            latest(Engine::Sqlite),
            latest(Engine::Postgres)
        )
    });
    &VERSION
}

#[derive(Debug, Parser)]
#[command(
    name = "guichet",
    version = version(),
    about = "Console de hotline : appels, procédures, relève",
    long_about = "Console de hotline pour les guichets d'assistance informatique. \
                  Sans commande, ouvre la console."
)]
pub struct Cli {
    /// Base de données : un fichier SQLite (défaut : $XDG_DATA_HOME/guichet/guichet.db) ou
    /// un serveur PostgreSQL (postgresql://utilisateur@hôte:port/base, avec PGHOST, PGPORT,
    /// PGUSER, PGPASSWORD, PGDATABASE et ~/.pgpass)
    #[arg(long, env = "GUICHET_DB", global = true, value_name = "PATH|URL")]
    pub db: Option<std::ffi::OsString>,

    /// Dossier de procédures remplaçant le catalogue intégré
    #[arg(long, global = true, value_name = "DIR")]
    pub catalog: Option<PathBuf>,

    /// Ouvre la base en lecture seule (consultation, relecture d'une relève)
    #[arg(long, global = true)]
    pub read_only: bool,

    /// Opérateur de la console (défaut : GUICHET_OPERATOR, puis le nom de connexion)
    #[arg(long, value_name = "OP")]
    pub operator: Option<String>,

    /// Poste téléphonique de la console : ses appels entrants s'affichent en tête
    /// (défaut : extension du fichier de configuration)
    #[arg(long, env = "GUICHET_EXTENSION", value_name = "POSTE")]
    pub extension: Option<String>,

    /// Console pour un lecteur d'écran ou une plage braille : le curseur du terminal
    /// visible sur le champ, la ligne ou l'étape active, des mots à la place des symboles
    /// (défaut : screen_reader du fichier de configuration)
    #[arg(long)]
    pub screen_reader: bool,

    /// Propose les procédures sur leurs seuls mots, sans ce qu'ont appris les procédures
    /// suivies jusqu'au bout au guichet (défaut : learning du fichier de configuration)
    #[arg(long, global = true)]
    pub no_learning: bool,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Appels : saisir, lister, consulter, annoter, clore, corriger l'issue
    #[command(subcommand)]
    Call(Box<CallCommand>),
    /// Procédures : lister, chercher, afficher, relire les chemins, créer, vérifier
    #[command(subcommand)]
    Procedures(ProceduresCommand),
    /// Relève : le rapport de la relève, sa note, sa prise de connaissance
    #[command(subcommand)]
    Report(ReportCommand),
    /// Outils de l'opérateur : imprimantes, COMU, épeler, AMIGO, CRYHOD, 4G, XiVO
    #[command(subcommand)]
    Tools(ToolsCommand),
    /// Base de données : vérifier, sauvegarder
    #[command(subcommand)]
    Db(DbCommand),
    /// Téléphonie : recevoir les événements d'appel de l'IPBX (XiVO, Wazo…)
    #[command(subcommand)]
    Phone(PhoneCommand),
    /// Complètement des commandes pour un shell : bash, zsh ou fish, sur la sortie standard
    Completions {
        #[arg(value_name = "SHELL", value_parser = ShellName)]
        shell: String,
    },
    /// La page de manuel (roff) sur la sortie standard ; avec --dir, une page par commande
    /// (guichet.1, guichet-call.1, guichet-call-add.1…) écrite dans ce dossier
    Man {
        /// Dossier où écrire toutes les pages (il doit exister)
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// GLPI : faire d'un appel un ticket, envoyer ce qui attend
    #[command(subcommand)]
    Glpi(GlpiCommand),
}

#[derive(Debug, Subcommand)]
pub enum GlpiCommand {
    /// Envoie l'appel à GLPI : un ticket la première fois, puis les entrées de journal
    /// nouvelles en suivis du même ticket ; en cas d'échec, l'envoi attend (glpi sync)
    Push {
        #[arg(value_name = "REF")]
        reference: String,
        #[command(flatten)]
        format: FormatArg,
    },
    /// Envoie à GLPI ce qui attend, dans l'ordre
    Sync {
        #[command(flatten)]
        format: FormatArg,
    },
}

/// The shells `guichet completions` knows, in the order help and errors list them.
pub const SHELLS: [&str; 3] = ["bash", "zsh", "fish"];

/// The `SHELL` argument: any text is taken, and checked by the command, so that a shell it
/// does not know gets one French sentence (clap's own refusal is in English); its possible
/// values still reach the help, the man page and the completions themselves.
#[derive(Clone)]
struct ShellName;

impl TypedValueParser for ShellName {
    type Value = String;

    fn parse_ref(
        &self,
        _cmd: &clap::Command,
        _arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        Ok(value.to_string_lossy().into_owned())
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(SHELLS.into_iter().map(PossibleValue::new)))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
    Csv,
    Text,
    Md,
    Xlsx,
}

#[derive(Debug, Args)]
pub struct FormatArg {
    /// Format de sortie
    #[arg(long, value_enum)]
    pub format: Option<Format>,
}

/// How a CSV is written: the same two options on every command that writes CSV.
#[derive(Debug, Args)]
pub struct CsvArg {
    /// CSV : séparateur, « , » (défaut), « ; » (tableur réglé en français) ou tab
    #[arg(long, value_name = "C")]
    pub separator: Option<String>,
    /// CSV : marque d'ordre UTF-8 en tête, pour Excel
    #[arg(long)]
    pub bom: bool,
}

/// The headers of a table: the documented slugs, or French labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LabelsChoice {
    Slug,
    Fr,
}

/// What a spreadsheet export takes besides its format (`call list`, `report handover`).
#[derive(Debug, Args)]
pub struct SheetArg {
    /// CSV : en-têtes « slug » (défaut, documentés) ou « fr » (ceux du xlsx)
    #[arg(long, value_enum, value_name = "L")]
    pub labels: Option<LabelsChoice>,
    /// xlsx : le fichier à écrire (défaut : la sortie standard, si ce n'est pas un terminal)
    #[arg(long, value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct OperatorArg {
    /// Opérateur qui agit (défaut : GUICHET_OPERATOR, puis le nom de connexion)
    #[arg(long, value_name = "OP")]
    pub operator: Option<String>,
}

/// A text typed where a text is expected (a summary, a note, a caller's name): taken whole
/// even when it begins with a dash (`-> rappeler`, `-2+3`, `-- à suivre`), as the options
/// that read it allow hyphen values. An option's shape alone (`--notes`, `-h`) is refused:
/// the value was left out, and the next option must not be swallowed as text.
pub fn text(s: &str) -> Result<String, String> {
    let option = |name: &str| {
        let mut chars = name.chars();
        chars.next().is_some_and(|c| c.is_ascii_alphabetic())
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    let looks_like_option = match s.strip_prefix("--") {
        Some(name) => option(name.split_once('=').map_or(name, |(n, _)| n)),
        None => s
            .strip_prefix('-')
            .is_some_and(|n| n.len() == 1 && option(n)),
    };
    if looks_like_option {
        Err(format!(
            "valeur manquante : « {s} » est une option, pas un texte (un texte qui \
             commence ainsi se tape entre guillemets, une espace devant : \" {s}\")"
        ))
    } else {
        Ok(s.to_string())
    }
}

#[derive(Debug, Subcommand)]
pub enum CallCommand {
    /// Enregistre un appel et affiche sa référence
    Add {
        #[arg(long, value_name = "S")]
        service: String,
        #[arg(long, value_name = "D")]
        device: String,
        #[arg(long, value_name = "NAME", allow_hyphen_values = true, value_parser = text)]
        caller: String,
        #[arg(long, value_name = "P")]
        phone: Option<String>,
        #[arg(long, value_name = "E")]
        email: Option<String>,
        #[arg(long, value_name = "TEXT", allow_hyphen_values = true, value_parser = text)]
        summary: String,
        #[arg(long, value_name = "TEXT", allow_hyphen_values = true, value_parser = text)]
        notes: Option<String>,
        /// Procédure suivie (répétable)
        #[arg(long = "procedure", value_name = "SLUG")]
        procedures: Vec<String>,
        #[command(flatten)]
        operator: OperatorArg,
        /// Heure de début de l'appel, heure de Paris (18/12 20h, 8h05, 2026-12-18T20:00 ;
        /// défaut : maintenant) ; jamais dans le futur : une heure seule est la dernière
        /// passée (23h tapé à 5h54 : hier 23:00)
        #[arg(long, value_name = "DATETIME")]
        at: Option<String>,
        /// Identifiant de l'appel téléphonique auquel l'appel répond (le callId de la
        /// téléphonie) : la durée de traitement s'y inscrit au raccrochage
        #[arg(long, value_name = "ID")]
        telephony_id: Option<String>,
        #[command(flatten)]
        format: FormatArg,
        #[command(flatten)]
        csv: CsvArg,
    },
    /// Liste les appels, du plus récent au plus ancien
    List {
        /// Appels ouverts seulement
        #[arg(long)]
        open: bool,
        /// Ouverts à partir de (18/12/2026 20:00, 18/12 20h, 20h30, 2026-12-18T20:00)
        #[arg(long, value_name = "DT")]
        since: Option<String>,
        /// Ouverts avant (mêmes formes que --since)
        #[arg(long, value_name = "DT")]
        until: Option<String>,
        #[arg(long, value_name = "S")]
        service: Option<String>,
        #[arg(long, value_name = "D")]
        device: Option<String>,
        /// Appels pris par cet opérateur
        #[arg(long, value_name = "OP")]
        operator: Option<String>,
        /// Partie du nom ou du téléphone de l'appelant, ou référence de l'appel (A-0005, a5)
        #[arg(long, value_name = "TEXT", allow_hyphen_values = true, value_parser = text)]
        caller: Option<String>,
        /// Nombre maximal d'appels (0 : tous)
        #[arg(long, value_name = "N", default_value_t = 100)]
        limit: u32,
        #[command(flatten)]
        format: FormatArg,
        #[command(flatten)]
        csv: CsvArg,
        #[command(flatten)]
        sheet: SheetArg,
    },
    /// Affiche un appel et son journal
    Show {
        #[arg(value_name = "REF")]
        reference: String,
        #[command(flatten)]
        format: FormatArg,
        #[command(flatten)]
        csv: CsvArg,
    },
    /// Ajoute une note au journal d'un appel
    Note {
        #[arg(value_name = "REF")]
        reference: String,
        #[arg(value_name = "TEXT", allow_hyphen_values = true, value_parser = text)]
        text: String,
        #[command(flatten)]
        operator: OperatorArg,
        #[command(flatten)]
        format: FormatArg,
    },
    /// Clôt un appel avec son issue
    Close {
        #[arg(value_name = "REF")]
        reference: String,
        /// resolved, escalated, callback, transferred ou abandoned
        #[arg(long, value_name = "O")]
        outcome: String,
        #[arg(long, value_name = "TEXT", allow_hyphen_values = true, value_parser = text)]
        note: Option<String>,
        #[command(flatten)]
        operator: OperatorArg,
        #[command(flatten)]
        format: FormatArg,
    },
    /// Corrige l'issue d'un appel clos (le journal garde l'ancienne et la nouvelle)
    Outcome {
        #[arg(value_name = "REF")]
        reference: String,
        /// La nouvelle issue : resolved, escalated, callback, transferred ou abandoned
        #[arg(long, value_name = "O")]
        outcome: String,
        /// Pourquoi l'issue change (ajoutée au journal avant la correction)
        #[arg(long, value_name = "TEXT", allow_hyphen_values = true, value_parser = text)]
        note: Option<String>,
        /// Confirme la correction d'un appel qui a un ticket GLPI (un suivi le dira au
        /// ticket)
        #[arg(long)]
        yes: bool,
        #[command(flatten)]
        operator: OperatorArg,
        #[command(flatten)]
        format: FormatArg,
    },
}

#[derive(Debug, Subcommand)]
pub enum ProceduresCommand {
    /// Le catalogue, filtré par service et poste
    List {
        #[arg(long, value_name = "S")]
        service: Option<String>,
        #[arg(long, value_name = "D")]
        device: Option<String>,
        #[command(flatten)]
        format: FormatArg,
        #[command(flatten)]
        csv: CsvArg,
    },
    /// Les procédures qui correspondent, les meilleures d'abord
    Search {
        #[arg(value_name = "QUERY")]
        query: String,
        #[arg(long, value_name = "S")]
        service: Option<String>,
        #[arg(long, value_name = "D")]
        device: Option<String>,
        #[arg(long, value_name = "N", default_value_t = 10)]
        limit: u32,
        #[command(flatten)]
        format: FormatArg,
        #[command(flatten)]
        csv: CsvArg,
    },
    /// Explique le score d'une procédure pour une recherche, mot par mot
    Why {
        #[arg(value_name = "QUERY")]
        query: String,
        #[arg(value_name = "SLUG")]
        slug: String,
        #[arg(long, value_name = "S")]
        service: Option<String>,
        #[arg(long, value_name = "D")]
        device: Option<String>,
        #[command(flatten)]
        format: FormatArg,
    },
    /// Une procédure, lisible en texte
    Show {
        #[arg(value_name = "SLUG")]
        slug: String,
        #[command(flatten)]
        format: FormatArg,
    },
    /// Tous les chemins d'une procédure, réponse par réponse, avec leur fin : ce qui est
    /// dit en dernier à l'appelant, où va une escalade (pour relire une procédure)
    Simulate {
        #[arg(value_name = "SLUG")]
        slug: String,
        #[command(flatten)]
        format: FormatArg,
    },
    /// Écrit le squelette commenté d'une nouvelle procédure, SLUG.toml, qui passe
    /// lint --strict : dans le dossier --dir, sinon dans celui de --catalog
    New {
        #[arg(value_name = "SLUG")]
        slug: String,
        /// Dossier où écrire le fichier (il doit exister ; défaut : celui de --catalog)
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// Vérifie des fichiers de procédures (défaut : le catalogue en usage)
    Lint {
        #[arg(value_name = "DIR")]
        dir: Option<PathBuf>,
        /// Refuse aussi les avertissements (ce que la CI vérifie sur db/procedures)
        #[arg(long)]
        strict: bool,
        /// Avertit aussi, d'après les déroulés des N derniers jours (lus dans la base),
        /// des procédures jamais proposées et des étapes jamais atteintes
        #[arg(long, value_name = "N")]
        usage_days: Option<i64>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Le rapport de relève (défaut : la relève en cours) ; --from et --to ensemble
    /// choisissent une période, l'un des deux seul la relève qui le contient
    Handover {
        /// Début (18/12/2026 8h, 18/12 8h, 8h, 2026-12-18T08:00)
        #[arg(long, value_name = "DT")]
        from: Option<String>,
        /// Fin (mêmes formes que --from)
        #[arg(long, value_name = "DT")]
        to: Option<String>,
        /// Les appels de cet opérateur seulement
        #[arg(long, value_name = "OP")]
        operator: Option<String>,
        /// CSV : les appels entrants par ligne appelée (décrochés, manqués, taux de
        /// décroché) au lieu des appels de la relève
        #[arg(long, conflicts_with = "escalations")]
        telephony: bool,
        /// CSV : les escalades (ticket GLPI, envoyé, en attente ou en doute) au lieu des
        /// appels de la relève
        #[arg(long)]
        escalations: bool,
        #[command(flatten)]
        format: FormatArg,
        #[command(flatten)]
        csv: CsvArg,
        #[command(flatten)]
        sheet: SheetArg,
    },
    /// Les chiffres des procédures : proposées, suivies, terminées, escaladées,
    /// abandonnées et à quelle étape, issues, durée médiane, résolues au premier contact,
    /// étapes à revoir, et les mots des appels sans procédure (défaut : les 30 derniers
    /// jours ; définitions dans le README)
    Procedures {
        /// Appels ouverts à partir de (18/12/2026 8h, 18/12 8h, 2026-12-18T08:00)
        #[arg(long, value_name = "DT")]
        from: Option<String>,
        /// Appels ouverts avant (mêmes formes que --from)
        #[arg(long, value_name = "DT")]
        to: Option<String>,
        /// Les appels de ce service seulement
        #[arg(long, value_name = "S")]
        service: Option<String>,
        /// Résolu au premier contact : pas de nouvel appel du même numéro dans ce nombre
        /// de jours
        #[arg(long, value_name = "JOURS", default_value_t = 7)]
        first_contact_days: i64,
        /// Les procédures de ce responsable seulement (le champ owner de leur fichier, ou
        /// une partie : un nom, une adresse), pour lui envoyer leurs chiffres
        #[arg(long, value_name = "NOM")]
        owner: Option<String>,
        #[command(flatten)]
        format: FormatArg,
        #[command(flatten)]
        csv: CsvArg,
        #[command(flatten)]
        sheet: SheetArg,
    },
    /// Écrit la note de relève de la relève en cours (ou de celle qui contient --at)
    Note {
        #[arg(value_name = "TEXT", allow_hyphen_values = true, value_parser = text)]
        text: String,
        #[arg(long, value_name = "DT")]
        at: Option<String>,
        #[command(flatten)]
        operator: OperatorArg,
    },
    /// Prend connaissance de la relève précédente (l'opérateur qui arrive)
    Ack {
        #[command(flatten)]
        operator: OperatorArg,
    },
}

#[derive(Debug, Subcommand)]
pub enum ToolsCommand {
    /// Noms des copieurs de l'Académie de Normandie
    #[command(subcommand)]
    Printer(PrinterCommand),
    /// Identifiant de connexion COMU (webconférence du ministère de l'Intérieur)
    Comu {
        #[arg(long, value_name = "F")]
        first_name: String,
        #[arg(long, value_name = "L")]
        last_name: String,
        /// AC, AT, PJ, SP, DG, CRS, PAF, PPOL ou gendarmerie
        #[arg(long, value_name = "D")]
        domain: String,
        #[command(flatten)]
        format: FormatArg,
    },
    /// Épelle un texte caractère par caractère (lu sur l'entrée standard s'il est absent ;
    /// rien n'est conservé)
    Spell {
        #[arg(value_name = "TEXT")]
        text: Option<String>,
        /// Alphabet des mots : international (Alfa, Bravo…) ou french (Anatole, Berthe…)
        #[arg(long, value_enum, default_value = "international")]
        alphabet: AlphabetArg,
        #[command(flatten)]
        format: FormatArg,
        #[command(flatten)]
        csv: CsvArg,
    },
    /// La plateforme d'assistance AMIGO est-elle ouverte ?
    Amigo {
        /// À cette heure (18/12 20h, 20h30, 2026-12-18T20:00 ; défaut : maintenant)
        #[arg(long, value_name = "DT")]
        at: Option<String>,
        #[command(flatten)]
        format: FormatArg,
    },
    /// Validité d'un mot de passe CRYHOD (un mois)
    Cryhod {
        /// Heure à laquelle il a été donné (18/12 9h, 9h, 2026-12-18T09:00 ; défaut :
        /// maintenant)
        #[arg(long, value_name = "DT")]
        issued: Option<String>,
        #[command(flatten)]
        format: FormatArg,
    },
    /// Ligne 4G NOEMI : bridée au-delà de 20 Go indiqués pour le « cellulaire » ?
    Quota {
        /// Données cellulaires utilisées, en Go, lues avec l'agent (12,5)
        #[arg(value_name = "GO")]
        used: String,
        #[command(flatten)]
        format: FormatArg,
    },
    /// Codes de renvoi et de messagerie de la téléphonie XiVO
    Xivo {
        #[arg(value_name = "QUERY")]
        query: Option<String>,
        #[command(flatten)]
        format: FormatArg,
        #[command(flatten)]
        csv: CsvArg,
    },
    /// Note sur un appel le code de session de télémaintenance donné à l'appelant
    Telemaintenance {
        #[arg(value_name = "REF")]
        reference: String,
        #[arg(long, value_name = "CODE")]
        code: String,
        /// Comment le code a été donné : phone ou mail
        #[arg(long, value_enum, default_value = "phone")]
        by: ChannelArg,
        #[command(flatten)]
        operator: OperatorArg,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AlphabetArg {
    International,
    French,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ChannelArg {
    Phone,
    Mail,
}

#[derive(Debug, Subcommand)]
pub enum PrinterCommand {
    /// Décode un nom (I14RC-DSI-RDC)
    Decode {
        #[arg(value_name = "NAME")]
        name: String,
        #[command(flatten)]
        format: FormatArg,
        #[command(flatten)]
        csv: CsvArg,
    },
    /// Construit un nom à partir de ses parties
    Encode {
        /// 14, 27, 50, 61 ou 76
        #[arg(long, value_name = "DD")]
        department: String,
        /// RC, DN, CI ou CR
        #[arg(long, value_name = "YY")]
        site: String,
        #[arg(long, value_name = "DIV")]
        division: String,
        /// Numéro du copieur quand la division en a plusieurs
        #[arg(long, value_name = "N")]
        copier: Option<String>,
        /// Bâtiment et étage (B4), RDC pour le rez-de-chaussée
        #[arg(long, value_name = "LOC")]
        location: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Vérifie l'intégrité de la base (sur PostgreSQL : schéma, déclencheurs, journal)
    Check,
    /// Copie toute la base (appels, journal, relève) vers une base neuve, ou depuis une
    /// autre base : d'un fichier SQLite vers PostgreSQL, et retour
    #[command(group(clap::ArgGroup::new("way").required(true).args(["to", "from"])))]
    Copy {
        /// La base neuve à remplir depuis --db (fichier ou postgresql://…)
        #[arg(long, value_name = "PATH|URL")]
        to: Option<std::ffi::OsString>,
        /// La base à copier dans --db, qui doit être neuve
        #[arg(long, value_name = "PATH|URL")]
        from: Option<std::ffi::OsString>,
        #[command(flatten)]
        format: FormatArg,
    },
    /// Copie cohérente de la base, même pendant que d'autres écrivent, avec les droits de
    /// la base (propriétaire seul par défaut)
    Backup {
        #[arg(value_name = "PATH")]
        path: PathBuf,
        /// Remplace le fichier PATH s'il existe (jamais un lien symbolique)
        #[arg(long)]
        force: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum PhoneCommand {
    /// Reçoit les événements d'appel de la téléphonie par HTTP et les enregistre : POST
    /// /cti (la CTI générique de Zammad), /xivo (les événements que le XUC de XiVO poste
    /// à son eventUrl), /wazo (un abonnement webhookd de Wazo) ; s'arrête sur SIGTERM ou
    /// Ctrl-C
    Listen {
        /// Adresse d'écoute (défaut : bind de [phone] dans config.toml, sinon
        /// 127.0.0.1:8015, la boucle locale seulement ; port 0 : un port libre)
        #[arg(long, value_name = "ADDR")]
        bind: Option<String>,
        /// Jeton partagé exigé des requêtes (POST /cti/JETON, /api/v1/cti/JETON,
        /// /xivo/JETON, /wazo/JETON ou Authorization: Bearer JETON), 16 caractères au moins
        /// (openssl rand -hex 16). Visible dans la liste des processus : préférer
        /// GUICHET_PHONE_TOKEN ou token de [phone] dans config.toml
        #[arg(long, value_name = "TOKEN")]
        token: Option<String>,
    },
    /// Enregistre un événement d'appel donné par un script du plan de numérotation (le
    /// System() ou un AGI de XiVO), sans écouteur
    Event {
        /// newCall (l'appel sonne), answer (décroché) ou hangup (raccroché)
        #[arg(long, value_name = "EVENT")]
        event: String,
        /// Numéro de l'appelant (absent, vide ou anonymous : numéro masqué)
        #[arg(long, value_name = "N")]
        from: Option<String>,
        /// Numéro appelé : le poste (3001) ou le numéro du guichet ; obligatoire pour
        /// newCall, facultatif pour answer et hangup (l'identifiant suffit)
        #[arg(long, value_name = "EXT")]
        to: Option<String>,
        /// Identifiant de l'appel dans la téléphonie, le même pour tous ses événements
        #[arg(long, value_name = "ID")]
        call_id: String,
        /// in (entrant, défaut) ou out (sortant)
        #[arg(long, value_name = "DIR")]
        direction: Option<String>,
        /// Cause du raccrochage : normalClearing, busy, cancel, noAnswer…
        #[arg(long, value_name = "C")]
        cause: Option<String>,
        /// Agent pour qui l'appel sonne (répétable)
        #[arg(long = "user", value_name = "NAME")]
        users: Vec<String>,
        /// Qui a décroché : son numéro ou son identifiant
        #[arg(long, value_name = "N")]
        answering_number: Option<String>,
        /// Heure de l'événement, heure de Paris (8h05, 2026-12-18T20:00:05 ; défaut :
        /// maintenant), pour rejouer un journal de la téléphonie
        #[arg(long, value_name = "DATETIME")]
        at: Option<String>,
        #[command(flatten)]
        format: FormatArg,
    },
}

#[cfg(test)]
mod tests {
    use super::version;
    use crate::store::migrations::{LATEST_VERSION, POSTGRES_LATEST_VERSION};

    /// A file of the repository, read when the test runs (not built in: a change to the
    /// documentation rebuilds nothing).
    fn repository_file(path: &str) -> String {
        let full = format!("{}/{path}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
    }

    /// The README and the pages of docs/ say what the binary says: every « schéma SQLite N,
    /// PostgreSQL M » they state is the schema this version writes, and the README quotes
    /// `guichet --version` as it is.
    #[test]
    fn the_documentation_states_the_schemas_the_binary_writes() {
        let readme = repository_file("README.md");
        assert!(
            readme.contains(&format!("`guichet {}`", version())),
            "the README does not quote `guichet {}`",
            version()
        );
        let mut pages = vec![("README.md".to_string(), readme)];
        let docs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs");
        for entry in std::fs::read_dir(docs).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "md") {
                let text = std::fs::read_to_string(&path).unwrap();
                pages.push((path.display().to_string(), text));
            }
        }
        let mut stated = 0;
        for (page, text) in &pages {
            for (at, _) in text.match_indices("schéma SQLite ") {
                let said: String = text[at..].chars().take(40).collect();
                let (sqlite, postgres) = said["schéma SQLite ".len()..]
                    .split_once(", PostgreSQL ")
                    .unwrap_or_else(|| panic!("{page}: « {said} » names no PostgreSQL schema"));
                let digits = |s: &str| {
                    s.chars()
                        .take_while(char::is_ascii_digit)
                        .collect::<String>()
                };
                assert_eq!(
                    (digits(sqlite), digits(postgres)),
                    (
                        LATEST_VERSION.to_string(),
                        POSTGRES_LATEST_VERSION.to_string()
                    ),
                    "{page} says « {said} »"
                );
                stated += 1;
            }
        }
        assert!(stated > 0, "no page states the schemas");
    }

    /// The changelogs begin with this version: CHANGELOG.md's first release and the Debian
    /// package's changelog (written from it by packaging/changelog-from-md, as .ci/deb
    /// does; its first entry must be the package's version for lintian).
    #[test]
    fn the_changelogs_begin_with_this_version() {
        let version = env!("CARGO_PKG_VERSION");
        let changelog = repository_file("CHANGELOG.md");
        let first = changelog
            .lines()
            .find(|l| l.starts_with("## [") && !l.starts_with("## [Non publié]"))
            .expect("CHANGELOG.md has no release");
        assert!(first.starts_with(&format!("## [{version}] - ")), "{first}");
        let root = env!("CARGO_MANIFEST_DIR");
        let made = std::process::Command::new("bash")
            .arg(format!("{root}/packaging/changelog-from-md"))
            .arg(format!("{root}/CHANGELOG.md"))
            .args(["guichet", "1", "Test <test@exemple.fr>", version])
            .output()
            .expect("bash runs packaging/changelog-from-md");
        assert!(
            made.status.success(),
            "{}",
            String::from_utf8_lossy(&made.stderr)
        );
        let debian = String::from_utf8_lossy(&made.stdout);
        let first = debian.lines().next().unwrap_or_default();
        assert!(
            first.starts_with(&format!("guichet ({version}-1) ")),
            "{first}"
        );
    }
}
