//! clap speaks English: its headings, its help and version flags, its `help` command and
//! its usage errors. Here they are said in French, for the whole command tree, so that an
//! operator who mistypes an option reads the same language as the rest of the desk.

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Command, CommandFactory};

use super::args::Cli;

/// The command line as parsed, its texts in French.
pub(super) fn command() -> Command {
    let mut cmd = Cli::command();
    // The flags and the `help` command are clap's own, made when the tree is built.
    cmd.build();
    in_french(cmd)
}

/// A built command and its subcommands, clap's own texts in French.
pub(super) fn in_french(cmd: Command) -> Command {
    let has = |id: &str| cmd.get_arguments().any(|a| a.get_id() == id);
    let (help, version) = (has("help"), has("version"));
    let has_help_command = cmd.get_subcommands().any(|c| c.get_name() == "help");
    let mut cmd = cmd
        .help_template(TEMPLATE)
        .subcommand_help_heading("Commandes")
        .subcommand_value_name("COMMANDE");
    if help {
        cmd = cmd.mut_arg("help", |a| {
            a.help("Affiche l'aide (-h : en bref)")
                .long_help(None::<&str>)
        });
    }
    if version {
        cmd = cmd.mut_arg("version", |a| a.help("Affiche la version"));
    }
    if has_help_command {
        cmd = cmd.mut_subcommand("help", |c| {
            c.about("Affiche l'aide de guichet ou d'une de ses commandes")
        });
    }
    // The `help` command's own tree (a copy of the commands, to name one) too.
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|c| c.get_name().to_string())
        .collect();
    for name in names {
        cmd = cmd.mut_subcommand(name, in_french);
    }
    cmd
}

/// clap's default help, its « Usage: » heading said in French. The « Arguments » and
/// « Options » headings are the same words in both languages.
const TEMPLATE: &str = "\
{before-help}{about-with-newline}
Utilisation : {usage}

{all-args}{after-help}";

/// A usage error in one French sentence (or two: what was refused, then what would be
/// accepted), with the command's usage and where to read more.
pub(super) fn error_text(e: &clap::Error) -> String {
    let text = |kind| match e.get(kind) {
        Some(ContextValue::String(s)) => Some(s.clone()),
        Some(ContextValue::Strings(list)) => Some(list.join(", ")),
        Some(ContextValue::StyledStr(s)) => Some(s.to_string()),
        Some(ContextValue::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let list = |kind| match e.get(kind) {
        Some(ContextValue::Strings(list)) => list.clone(),
        Some(ContextValue::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    };
    let quoted = |s: &str| format!("« {s} »");
    let arg = text(ContextKind::InvalidArg).unwrap_or_default();
    let value = text(ContextKind::InvalidValue).unwrap_or_default();
    let mut said = match e.kind() {
        ErrorKind::UnknownArgument => match text(ContextKind::TrailingArg) {
            Some(_) => format!("argument en trop : {}", quoted(&arg)),
            None => format!("option inconnue : {}", quoted(&arg)),
        },
        ErrorKind::InvalidSubcommand => format!(
            "commande inconnue : {}",
            quoted(&text(ContextKind::InvalidSubcommand).unwrap_or_default())
        ),
        ErrorKind::InvalidValue if value.is_empty() => format!("{arg} attend une valeur"),
        ErrorKind::InvalidValue => {
            let mut s = format!("valeur refusée pour {arg} : {}", quoted(&value));
            let valid = list(ContextKind::ValidValue);
            if !valid.is_empty() {
                s.push_str(&format!(" (valeurs possibles : {})", valid.join(", ")));
            }
            s
        }
        ErrorKind::ValueValidation => {
            let why = std::error::Error::source(e)
                .map(|s| format!(" : {s}"))
                .unwrap_or_default();
            format!("valeur refusée pour {arg} : {}{why}", quoted(&value))
        }
        ErrorKind::MissingRequiredArgument => {
            let missing = list(ContextKind::InvalidArg);
            if missing.len() == 1 {
                format!("il manque {}", missing[0])
            } else {
                format!("il manque {}", missing.join(", "))
            }
        }
        ErrorKind::ArgumentConflict => match text(ContextKind::PriorArg) {
            Some(prior) if prior == arg => format!("{arg} ne se donne qu'une fois"),
            Some(prior) => format!("{arg} ne va pas avec {prior}"),
            None => format!("{arg} ne se donne qu'une fois"),
        },
        ErrorKind::TooManyValues => format!("valeur en trop pour {arg} : {}", quoted(&value)),
        ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues => {
            format!("nombre de valeurs incorrect pour {arg}")
        }
        ErrorKind::NoEquals => format!("{arg} s'écrit avec = avant sa valeur"),
        ErrorKind::MissingSubcommand => "il manque la commande".to_string(),
        ErrorKind::InvalidUtf8 => "un argument n'est pas de l'UTF-8 valide".to_string(),
        // Anything else clap may say: its own sentence rather than none.
        _ => e
            .render()
            .to_string()
            .lines()
            .next()
            .unwrap_or_default()
            .trim_start_matches("error: ")
            .to_string(),
    };
    let suggested = list(ContextKind::SuggestedArg)
        .into_iter()
        .chain(list(ContextKind::SuggestedSubcommand))
        .chain(list(ContextKind::SuggestedValue))
        .map(|s| quoted(&s))
        .collect::<Vec<_>>();
    if !suggested.is_empty() {
        said.push_str(&format!(" (voulez-vous dire {} ?)", suggested.join(" ou ")));
    }
    let mut out = format!("guichet : {said}\n");
    if let Some(usage) = text(ContextKind::Usage) {
        let usage = usage.trim().trim_start_matches("Usage:").trim();
        out.push_str(&format!("\nUtilisation : {usage}\n"));
    }
    out.push_str("\nPour en savoir plus : --help\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(args: &[&str]) -> String {
        let mut full = vec!["guichet"];
        full.extend_from_slice(args);
        let e = command().try_get_matches_from(full).unwrap_err();
        error_text(&e)
    }

    #[test]
    fn usage_errors_are_said_in_french() {
        let text = refused(&["call", "list", "--bogus"]);
        assert!(
            text.starts_with("guichet : option inconnue : « --bogus »"),
            "{text}"
        );
        assert!(text.contains("Utilisation : guichet call list"), "{text}");
        let text = refused(&["call", "lst"]);
        assert!(
            text.contains("commande inconnue : « lst » (voulez-vous dire « list » ?)"),
            "{text}"
        );
        let text = refused(&["call", "list", "--format", "xml"]);
        assert!(
            text.contains("valeur refusée pour --format <FORMAT> : « xml »"),
            "{text}"
        );
        assert!(text.contains("valeurs possibles : table, json"), "{text}");
        let text = refused(&["call", "add", "--service", "mi"]);
        assert!(text.contains("il manque --device <D>"), "{text}");
        let text = refused(&["call", "list", "--format", "json", "--format", "csv"]);
        assert!(text.contains("ne se donne qu'une fois"), "{text}");
        for english in ["error:", "Usage:", "For more information", "tip:"] {
            for args in [
                &["call", "list", "--bogus"][..],
                &["call", "lst"],
                &["call", "add", "--at"],
            ] {
                let text = refused(args);
                assert!(!text.contains(english), "{args:?}: {text}");
            }
        }
    }

    #[test]
    fn help_is_said_in_french_on_every_command() {
        fn walk(cmd: &mut Command, path: &str, found: &mut Vec<String>) {
            let help = cmd.render_long_help().to_string();
            for english in [
                "Print help",
                "Print version",
                "Usage:",
                "Commands:",
                "Print this",
            ] {
                if help.contains(english) {
                    found.push(format!("{path}: {english}"));
                }
            }
            for sub in cmd.get_subcommands_mut() {
                let path = format!("{path} {}", sub.get_name());
                walk(sub, &path, found);
            }
        }
        let mut found = Vec::new();
        walk(&mut command(), "guichet", &mut found);
        assert!(
            found.is_empty(),
            "clap's English left:\n{}",
            found.join("\n")
        );
        let help = command().render_help().to_string();
        assert!(help.contains("Utilisation : guichet"), "{help}");
        assert!(help.contains("Commandes:"), "{help}");
        assert!(help.contains("Affiche l'aide"), "{help}");
    }
}
