//! The commented file `guichet procedures new SLUG` writes: a procedure that passes
//! `procedures lint --strict` as it is, whose comments (in French, for the desk's authors)
//! say what each field is for, as db/procedures/README.md does.

use crate::domain::call::is_slug;

/// The skeleton of procedure `slug`, or the sentence refusing a slug that is not one.
pub fn skeleton(slug: &str) -> Result<String, String> {
    if !is_slug(slug) {
        return Err(format!(
            "identifiant de procédure invalide « {} » : minuscules, chiffres et tirets \
             (80 au plus, ni au début ni à la fin), par exemple badge-parking",
            crate::domain::text::named(slug)
        ));
    }
    // The slug is only lowercase letters, digits and dashes: safe in a TOML string.
    let words = slug.replace('-', " ");
    let mut title = words.clone();
    if let Some(first) = title.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    Ok(TEMPLATE
        .replace("{slug}", slug)
        .replace("{title}", &title)
        .replace("{words}", &words))
}

const TEMPLATE: &str = r#"# Procédure « {slug} » : squelette écrit par « guichet procedures new ».
# Le nom du fichier est l'identifiant de la procédure ; le format complet est décrit dans
# db/procedures/README.md. Chaque texte est lu par l'opérateur au téléphone : des phrases
# courtes, en français. Chaque fait (numéro, adresse, code, horaire, délai, nom d'outil)
# vient d'un guide, recopié exactement, et le guide est cité dans [[sources]].
#
# Vérifier le fichier :       guichet procedures lint --strict DOSSIER
# Relire tous ses chemins :   guichet --catalog DOSSIER procedures simulate {slug}
# Le dérouler en l'écrivant : guichet --catalog DOSSIER (la console relit le fichier enregistré)

# Titre court (80 caractères au plus), celui que l'opérateur voit dans la liste.
title = "{title}"
# Une ou deux phrases : le problème de l'appelant et ce que la procédure fait.
summary = "À compléter : le problème de l'appelant et ce que la procédure fait."
# Slugs des services (db/services.toml) et des postes (db/devices.toml), ou ["*"] pour tous.
services = ["*"]
devices = ["*"]
# Les mots des appelants, tels qu'ils les disent (avec et sans accents, fautes fréquentes).
keywords = ["{words}"]
# Qui tient la procédure à jour : un nom, une adresse de courriel, ou les deux.
# owner = "Prénom Nom <prenom.nom@exemple.fr>"
# L'outil du guichet (F4) que la procédure ouvre : printer, comu, spell, amigo, cryhod,
# quota, xivo ou telemaintenance.
# tool = "spell"
# Contradictions des guides et choix faits, pour les relecteurs.
# editor_notes = "..."

# Le guide d'où viennent les faits : son fichier et le titre de la section, recopié tel
# qu'il y est écrit. Une table [[sources]] par section citée.
[[sources]]
seed = "guide.txt"
section = "Titre de la section"

# Les étapes, dans l'ordre : la première est le point de départ. Sortes : say (dire),
# ask (question fermée, yes et no donnent la suite), check (vérifier), record (noter une
# valeur : label, secret, optional) et escalate (transmettre : target).
# Suite d'une étape : next = "id", sinon l'étape suivante du fichier ; end = true ou la
# dernière étape du fichier terminent la procédure.
[[steps]]
id = "question"
kind = "ask"
text = "À compléter : une question fermée à poser à l'appelant ?"
yes = "solution"
no = "transmettre"
# Répondue d'office quand l'appel le dit déjà, par exemple :
# yes_when = { service = "acn-caen", reason = "périmètre : Caen" }

[[steps]]
id = "solution"
kind = "say"
text = "À compléter : ce que l'opérateur dit ou fait faire à l'appelant."
end = true

# Une escalade dit où va l'appel : un numéro, une adresse ou un service nommé (Hot-Line,
# RSSI...). Si le guide n'en donne pas, le texte le dit (« le guide ne donne pas de
# contact ») : remplacer cette phrase par le contact quand le guide le donne.
[[steps]]
id = "transmettre"
kind = "escalate"
target = "Hot-Line"
text = "À compléter : ce qu'il faut transmettre. Le guide ne donne pas de contact."
end = true
"#;

#[cfg(test)]
mod tests {
    use super::skeleton;
    use crate::catalog::procedures::check_procedure;

    #[test]
    fn the_skeleton_passes_lint_without_a_warning() {
        let reference = crate::catalog::embedded_reference();
        for slug in ["badge-parking", "x", "vpn2-rouen"] {
            let text = skeleton(slug).unwrap();
            let checked = check_procedure(&format!("{slug}.toml"), &text, &reference)
                .unwrap_or_else(|e| panic!("{slug}: {e:?}"));
            assert!(checked.warnings.is_empty(), "{:?}", checked.warnings);
            assert_eq!(checked.procedure.slug, slug);
        }
        let p = check_procedure(
            "badge-parking.toml",
            &skeleton("badge-parking").unwrap(),
            &reference,
        )
        .unwrap()
        .procedure;
        assert_eq!(p.title, "Badge parking");
        assert_eq!(p.keywords, ["badge parking"]);
    }

    #[test]
    fn a_bad_slug_is_named_in_one_sentence() {
        for bad in ["Badge", "badge parking", "-badge", "", "badge.toml"] {
            let e = skeleton(bad).unwrap_err();
            assert!(
                e.starts_with(&format!("identifiant de procédure invalide « {bad} »")),
                "{e}"
            );
        }
    }
}
