//! The command line contract of DESIGN.md §5, as clap types.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "guichet",
    version,
    about = "Console de hotline : appels, procédures, relève",
    long_about = "Console de hotline pour les guichets d'assistance informatique. \
                  Sans commande, ouvre la console."
)]
pub struct Cli {
    /// Base de données (défaut : $XDG_DATA_HOME/guichet/guichet.db)
    #[arg(long, env = "GUICHET_DB", global = true, value_name = "PATH")]
    pub db: Option<PathBuf>,

    /// Dossier de procédures remplaçant le catalogue intégré
    #[arg(long, global = true, value_name = "DIR")]
    pub catalog: Option<PathBuf>,

    /// Opérateur de la console (défaut : GUICHET_OPERATOR, puis le nom de connexion)
    #[arg(long, value_name = "OP")]
    pub operator: Option<String>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Appels : saisir, lister, consulter, annoter, clore
    #[command(subcommand)]
    Call(Box<CallCommand>),
    /// Procédures : lister, chercher, afficher, vérifier
    #[command(subcommand)]
    Procedures(ProceduresCommand),
    /// Base de données : vérifier, sauvegarder
    #[command(subcommand)]
    Db(DbCommand),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
    Csv,
    Text,
}

#[derive(Debug, Args)]
pub struct FormatArg {
    /// Format de sortie
    #[arg(long, value_enum)]
    pub format: Option<Format>,
}

#[derive(Debug, Args)]
pub struct OperatorArg {
    /// Opérateur qui agit (défaut : GUICHET_OPERATOR, puis le nom de connexion)
    #[arg(long, value_name = "OP")]
    pub operator: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum CallCommand {
    /// Enregistre un appel et affiche sa référence
    Add {
        #[arg(long, value_name = "S")]
        service: String,
        #[arg(long, value_name = "D")]
        device: String,
        #[arg(long, value_name = "NAME")]
        caller: String,
        #[arg(long, value_name = "P")]
        phone: Option<String>,
        #[arg(long, value_name = "E")]
        email: Option<String>,
        #[arg(long, value_name = "TEXT")]
        summary: String,
        #[arg(long, value_name = "TEXT")]
        notes: Option<String>,
        /// Procédure suivie (répétable)
        #[arg(long = "procedure", value_name = "SLUG")]
        procedures: Vec<String>,
        #[command(flatten)]
        operator: OperatorArg,
        /// Heure de début de l'appel (défaut : maintenant)
        #[arg(long, value_name = "DATETIME")]
        at: Option<String>,
        #[command(flatten)]
        format: FormatArg,
    },
    /// Liste les appels, du plus récent au plus ancien
    List {
        /// Appels ouverts seulement
        #[arg(long)]
        open: bool,
        #[arg(long, value_name = "DT")]
        since: Option<String>,
        #[arg(long, value_name = "DT")]
        until: Option<String>,
        #[arg(long, value_name = "S")]
        service: Option<String>,
        #[arg(long, value_name = "D")]
        device: Option<String>,
        /// Appels pris par cet opérateur
        #[arg(long, value_name = "OP")]
        operator: Option<String>,
        /// Partie du nom ou du téléphone de l'appelant
        #[arg(long, value_name = "TEXT")]
        caller: Option<String>,
        /// Nombre maximal d'appels (0 : tous)
        #[arg(long, value_name = "N", default_value_t = 100)]
        limit: u32,
        #[command(flatten)]
        format: FormatArg,
    },
    /// Affiche un appel et son journal
    Show {
        #[arg(value_name = "REF")]
        reference: String,
        #[command(flatten)]
        format: FormatArg,
    },
    /// Ajoute une note au journal d'un appel
    Note {
        #[arg(value_name = "REF")]
        reference: String,
        #[arg(value_name = "TEXT")]
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
        #[arg(long, value_name = "TEXT")]
        note: Option<String>,
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
    },
    /// Une procédure, lisible en texte
    Show {
        #[arg(value_name = "SLUG")]
        slug: String,
        #[command(flatten)]
        format: FormatArg,
    },
    /// Vérifie des fichiers de procédures (défaut : le catalogue en usage)
    Lint {
        #[arg(value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Vérifie l'intégrité de la base
    Check,
    /// Copie cohérente de la base, même pendant que d'autres écrivent
    Backup {
        #[arg(value_name = "PATH")]
        path: PathBuf,
    },
}
