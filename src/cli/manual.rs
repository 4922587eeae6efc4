//! The man pages: clap_mangen's page of each command (synopsis, options, subcommands, from
//! the clap types that parse it), in French where clap writes
//! English, with what clap does not know: the requests `phone listen` answers, EXIT
//! STATUS, ENVIRONMENT and FILES. The whole program's page lists every variable and file;
//! a command's page those it reads.

use super::args::version;
use clap::Command;
use clap_mangen::Man;
use roff::{Roff, bold, italic, roman};

/// The pages an entry belongs on, besides the whole program's (which has them all).
#[derive(Clone, Copy)]
enum Scope {
    /// Every page.
    All,
    /// The pages of these commands and of their subcommands (`guichet-glpi` covers
    /// `guichet-glpi-push`); none but the program's when empty.
    Pages(&'static [&'static str]),
    /// The pages of the commands that take this argument (`operator`).
    WithArg(&'static str),
}

impl Scope {
    fn covers(self, cmd: &Command, page: &str) -> bool {
        page == "guichet"
            || match self {
                Scope::All => true,
                Scope::Pages(pages) => pages.iter().any(|p| {
                    page == *p || page.strip_prefix(p).is_some_and(|r| r.starts_with('-'))
                }),
                Scope::WithArg(id) => cmd.get_arguments().any(|a| a.get_id() == id),
            }
    }
}

/// One item of a section: its tag (a variable, a path, a code) and its text.
struct Entry {
    tag: &'static str,
    text: &'static str,
    scope: Scope,
}

const fn entry(tag: &'static str, scope: Scope, text: &'static str) -> Entry {
    Entry { tag, text, scope }
}

/// Every variable guichet reads (`std::env::var` in src/, clap's `env =`, and those its
/// libraries read on its behalf: the proxies of the GLPI client, OpenSSL's authorities).
const ENVIRONMENT: &[Entry] = &[
    entry(
        "GUICHET_DB",
        Scope::All,
        "La base de données quand --db n'est pas donné : un fichier SQLite ou une adresse \
         postgresql://utilisateur@hôte:port/base.",
    ),
    entry(
        "GUICHET_OPERATOR",
        Scope::WithArg("operator"),
        "L'opérateur quand --operator n'est pas donné (sinon le nom de connexion).",
    ),
    entry(
        "USER, LOGNAME",
        Scope::All,
        "Le nom de connexion : l'opérateur par défaut et le rôle PostgreSQL par défaut \
         (à défaut, la base des comptes du système).",
    ),
    entry(
        "GUICHET_EXTENSION",
        Scope::Pages(&[]),
        "Le poste téléphonique de la console, quand --extension n'est pas donné (sinon \
         extension dans config.toml).",
    ),
    entry(
        "GUICHET_PHONE_TOKEN",
        Scope::Pages(&["guichet-phone-listen"]),
        "Le jeton exigé des requêtes de l'écouteur (16 caractères au moins), quand --token \
         n'est pas donné ; sinon token de la table [phone] de config.toml.",
    ),
    entry(
        "GUICHET_GLPI_USER_TOKEN",
        Scope::Pages(&["guichet-glpi"]),
        "Le jeton utilisateur de GLPI ; sinon le fichier user_token_file de la table \
         [glpi] de config.toml.",
    ),
    entry(
        "GUICHET_GLPI_CLIENT_SECRET",
        Scope::Pages(&["guichet-glpi"]),
        "Avec api = \"v2\" (l'API de GLPI 11 et 12) : le secret du client OAuth2 ; sinon \
         le fichier client_secret_file de la table [glpi] de config.toml.",
    ),
    entry(
        "GUICHET_GLPI_PASSWORD",
        Scope::Pages(&["guichet-glpi"]),
        "Avec api = \"v2\" : le mot de passe de l'utilisateur GLPI (username) ; sinon le \
         fichier password_file de la table [glpi] de config.toml.",
    ),
    entry(
        "GUICHET_STATE_DIR",
        Scope::All,
        "Le dossier des brouillons locaux d'une base PostgreSQL (ce qui attend que le \
         serveur réponde), à la place de $XDG_STATE_HOME.",
    ),
    entry(
        "GUICHET_BUSY_TIMEOUT_MS",
        Scope::All,
        "Combien de millisecondes une écriture attend le verrou d'une autre connexion \
         (10000 par défaut).",
    ),
    entry(
        "PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE",
        Scope::All,
        "Ce qu'une adresse postgresql:// ne dit pas, comme libpq les lit.",
    ),
    entry(
        "PGPASSFILE",
        Scope::All,
        "Le fichier des mots de passe PostgreSQL (défaut : ~/.pgpass).",
    ),
    entry(
        "PGSSLMODE, PGSSLROOTCERT",
        Scope::All,
        "Le mode TLS de la connexion PostgreSQL et le fichier de ses autorités, quand \
         l'adresse ne les donne pas (sslmode, sslrootcert).",
    ),
    entry(
        "SSL_CERT_FILE, SSL_CERT_DIR",
        Scope::All,
        "Les autorités de certification du système, comme OpenSSL les lit (PostgreSQL en \
         verify-ca ou verify-full, GLPI).",
    ),
    entry(
        "HTTPS_PROXY, HTTP_PROXY, ALL_PROXY, NO_PROXY",
        Scope::Pages(&["guichet-glpi"]),
        "Le mandataire HTTP par lequel joindre GLPI, et les hôtes joints sans lui (en \
         minuscules aussi).",
    ),
    entry(
        "HOME, XDG_CONFIG_HOME, XDG_DATA_HOME, XDG_STATE_HOME",
        Scope::All,
        "Où sont les fichiers ci-dessous (défauts : ~/.config, ~/.local/share, \
         ~/.local/state).",
    ),
    entry(
        "SOURCE_DATE_EPOCH",
        Scope::Pages(&["guichet-man"]),
        "La date des pages, en secondes depuis 1970 (celle de la version publiée, pour qu'une \
         même version donne les mêmes pages) ; sinon le jour même.",
    ),
    entry(
        "NO_COLOR",
        Scope::Pages(&[]),
        "Non vide : la console s'affiche sans couleurs.",
    ),
];

/// Every file guichet reads or writes of itself.
const FILES: &[Entry] = &[
    entry(
        "$XDG_CONFIG_HOME/guichet/config.toml",
        Scope::All,
        "Les réglages du guichet : desk, shifts, db_group, extension, learning (false : \
         les procédures classées sur leurs seuls mots, comme --no-learning), [phone], \
         [glpi]. Absent : les défauts.",
    ),
    entry(
        "$XDG_DATA_HOME/guichet/guichet.db",
        Scope::All,
        "La base SQLite par défaut (avec ses fichiers -wal et -shm pendant l'usage), \
         lisible de son seul propriétaire, ou du groupe db_group.",
    ),
    entry(
        "$XDG_DATA_HOME/guichet/guichet-brouillons.db",
        Scope::All,
        "Les brouillons des consoles d'une base SQLite (l'appel en cours de saisie, écrit \
         chaque seconde, et les appels mis de côté), à côté de la base : NOM.db a \
         NOM-brouillons.db. Hors de la base, une saisie n'est pas un changement que les \
         autres consoles relisent.",
    ),
    entry(
        "$XDG_STATE_HOME/guichet/brouillons-SERVEUR.db",
        Scope::All,
        "Les brouillons locaux d'une base PostgreSQL, un fichier par serveur et base \
         (GUICHET_STATE_DIR/guichet/ s'il est donné).",
    ),
    entry(
        "$XDG_DATA_HOME/guichet/crash/",
        Scope::Pages(&[]),
        "Les rapports d'une erreur interne de la console (sans champ d'appel ni secret).",
    ),
    entry(
        "DIR/*.toml, DIR/../thesaurus.toml",
        Scope::Pages(&["guichet-procedures"]),
        "Les procédures d'un guichet (--catalog DIR), un fichier par procédure, au format de \
         db/procedures/README.md (owner : qui la tient à jour), et ses synonymes. guichet \
         procedures new SLUG écrit le squelette commenté de DIR/SLUG.toml ; guichet \
         procedures simulate SLUG en liste les chemins. La console ouverte avec --catalog \
         DIR relit un fichier modifié, ajouté ou retiré en moins d'une seconde ; un fichier \
         en erreur est dit sur la ligne d'état et sa version précédente reste proposée.",
    ),
    entry(
        "user_token_file",
        Scope::Pages(&["guichet-glpi"]),
        "Le fichier du jeton utilisateur de GLPI que nomme la table [glpi] de config.toml : \
         refusé s'il est lisible par d'autres que son propriétaire (chmod 600).",
    ),
    entry(
        "~/.pgpass",
        Scope::All,
        "Les mots de passe PostgreSQL, comme libpq les lit (ou PGPASSFILE).",
    ),
    entry(
        "/etc/guichet/phone.env",
        Scope::Pages(&["guichet-phone-listen"]),
        "L'environnement de l'unité systemd guichet-phone (GUICHET_DB, \
         GUICHET_PHONE_TOKEN), lu par systemd : root, 0600, dans /etc/guichet (root:hotline, \
         0750).",
    ),
    entry(
        "/usr/lib/systemd/system/guichet-phone.service",
        Scope::Pages(&["guichet-phone-listen"]),
        "L'unité de l'écouteur, sous l'utilisateur hotline, son état dans \
         /var/lib/guichet-phone (ni activée ni démarrée par le paquet).",
    ),
];

/// The exit codes of DESIGN.md §5 (and what `phone listen` adds).
const EXIT_STATUS: &[Entry] = &[
    entry(
        "0",
        Scope::All,
        "Fait (aussi quand le lecteur ferme la sortie : guichet call list | head).",
    ),
    entry(
        "1",
        Scope::All,
        "Échec : la base ne répond pas ou refuse, un fichier est illisible, GLPI refuse, un \
         fichier de procédure est en erreur ; une phrase le dit sur la sortie d'erreur.",
    ),
    entry(
        "2",
        Scope::All,
        "Mauvais usage ou valeur refusée (option inconnue, date, référence ou jeton \
         invalides) ; une phrase nomme la valeur.",
    ),
    entry(
        "SIGTERM, Ctrl-C",
        Scope::Pages(&["guichet-phone-listen"]),
        "L'écouteur s'arrête proprement, en code 0 ; un serveur PostgreSQL injoignable au \
         démarrage l'arrête en code 1.",
    ),
];

/// What `phone listen` answers (src/phone/listen.rs, docs/telephonie.md).
const REQUESTS: &[Entry] = &[
    entry(
        "POST /cti[/JETON], POST /api/v1/cti/JETON",
        Scope::All,
        "La CTI générique de Zammad, en formulaire (application/x-www-form-urlencoded, \
         multipart/form-data) ou en JSON. Champs : event (newCall, answer ou hangup), \
         from, to (obligatoire pour newCall), direction (in ou out), callId ou call_id, \
         user[] ou user, answeringNumber, cause (normalClearing, busy, cancel, noAnswer… ; \
         les mots de FreeSWITCH et le DIALSTATUS d'Asterisk sont compris).",
    ),
    entry(
        "POST /xivo[/JETON]",
        Scope::All,
        "Les événements que le XUC de XiVO poste à son eventUrl.",
    ),
    entry(
        "POST /wazo[/JETON]",
        Scope::All,
        "Les événements d'appel d'un abonnement webhookd de Wazo.",
    ),
    entry(
        "Authorization: Bearer JETON",
        Scope::All,
        "Le jeton en en-tête plutôt qu'à la fin de l'adresse. Avec un jeton configuré, une \
         requête sans lui reçoit un 401 ; après 5 jetons refusés, une adresse attend son \
         tour (429 avec Retry-After au-delà de 5 s).",
    ),
    entry(
        "200",
        Scope::All,
        "Un objet JSON sur une ligne : {\"ok\":true,\"event\":…,\"call_id\":…}, avec \
         reference (l'appel de guichet lié), handled_seconds (la durée de traitement \
         inscrite), repeated (déjà reçu, gardé une fois) ; {\"ok\":true,\"ignored\":true} \
         pour un événement XiVO ou Wazo qui n'est ni sonnerie, ni décroché, ni \
         raccrochage.",
    ),
    entry(
        "400, 401, 404, 405, 408, 411, 413, 422, 429, 431, 500, 501, 503",
        Scope::All,
        "{\"ok\":false,\"error\":\"…\"} : corps illisible (400), jeton absent ou faux (401), \
         événement refusé (422, comme Zammad), requête trop lente (408 : 5 s en tout, 2 s \
         entre deux morceaux) ou trop grande (413, 431), base qui refuse (500) ou ne répond \
         pas dans la seconde, ou plus de 1024 connexions (503 avec Retry-After).",
    ),
];

/// The page of `cmd` (built), whose file is `name`.1, dated `date` (YYYY-MM-DD).
pub(super) fn page(cmd: &Command, name: &str, date: &str) -> std::io::Result<String> {
    // The page's sections keep the names man pages are read by (SUBCOMMANDS, like EXIT
    // STATUS or ENVIRONMENT below), not the help's « Commandes ».
    let cmd = super::french::in_french(cmd.clone().version(version()))
        .subcommand_help_heading(None::<&str>);
    let mut clap_page = Vec::new();
    Man::new(cmd.clone())
        .date(date)
        .source(format!("guichet {}", env!("CARGO_PKG_VERSION")))
        // Short: the header holds the page's title twice around it in 80 columns.
        .manual("guichet")
        .render(&mut clap_page)?;
    let mut clap_page = tidy(&String::from_utf8_lossy(&clap_page));
    // Ragged right and no hyphenation: the roff renderers break French words with English
    // rules (« enreg-istre », « Post-greSQL ») and stretch the spaces of a justified line.
    if let Some(th) = clap_page.find("\n.TH ")
        && let Some(end) = clap_page[th + 1..].find('\n')
    {
        clap_page.insert_str(th + 1 + end + 1, ".nh\n.ad l\n");
    }
    let mut ours = Roff::new();
    if name == "guichet-phone-listen" {
        section(&mut ours, "REQUESTS", REQUESTS, &cmd, name);
        example(&mut ours);
    }
    section(&mut ours, "EXIT STATUS", EXIT_STATUS, &cmd, name);
    section(&mut ours, "ENVIRONMENT", ENVIRONMENT, &cmd, name);
    section(&mut ours, "FILES", FILES, &cmd, name);
    // Both renderings open with the same preamble (how to print an apostrophe).
    let preamble = Roff::new().render();
    let ours = ours.render();
    let ours = ours.strip_prefix(&preamble).unwrap_or(&ours);
    // Before the VERSION section clap ends with, as a man page orders them.
    Ok(match clap_page.split_once("\n.SH VERSION\n") {
        Some((head, tail)) => format!("{head}\n{ours}.SH VERSION\n{tail}"),
        None => format!("{clap_page}{ours}"),
    })
}

/// The entries of `entries` that belong on the page `name`, as a section.
fn section(roff: &mut Roff, title: &str, entries: &[Entry], cmd: &Command, name: &str) {
    let mut shown = entries
        .iter()
        .filter(|e| e.scope.covers(cmd, name))
        .peekable();
    if shown.peek().is_none() {
        return;
    }
    roff.control("SH", [title]);
    for e in shown {
        roff.control("TP", []);
        roff.text([bold(e.tag)]);
        // Source lines of a few words (roff joins them): mandoc's style is under 80 bytes.
        let mut line = String::new();
        for word in e.text.split(' ') {
            if !line.is_empty() && line.len() + word.len() > 60 {
                roff.text([roman(std::mem::take(&mut line))]);
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        roff.text([roman(line)]);
    }
}

/// A request as a telephony's script would send it.
fn example(roff: &mut Roff) {
    roff.control("PP", []).text([italic("Exemple :")]);
    roff.control("PP", [])
        .control("nf", [])
        .control("RS", ["4"]);
    roff.text([roman(
        "curl --data 'event=newCall&from=0612345678&to=3001&callId=abc' \\",
    )]);
    roff.text([roman("  http://127.0.0.1:8015/cti/$GUICHET_PHONE_TOKEN")]);
    roff.control("RE", []).control("fi", []);
}

/// What mandoc -T lint warns of in clap_mangen's rendering: the vertical space before the
/// list of possible values, written as an empty line between two line breaks (after an
/// option's help) or an empty line and a break (with no help); and that list's title, in
/// English.
fn tidy(page: &str) -> String {
    page.replace(
        ".br\n\n.br\n\\fIPossible values:\\fR",
        ".sp\n\\fIValeurs possibles :\\fR",
    )
    .replace(
        "\n\n.br\n\\fIPossible values:\\fR",
        "\n\\fIValeurs possibles :\\fR",
    )
}
