//! Where a procedure's branches lead, walked as the console walks them: the answers given
//! reach the steps that say what the guides say to that caller.

use chrono::{TimeZone, Utc};
use guichet::catalog::embedded_reference;
use guichet::catalog::procedures::embedded;
use guichet::domain::procedure::StepKind;
use guichet::domain::walk::{Move, Walk};

/// Walks `slug` answering the questions in `answers` in order (confirming every other
/// step), and returns the texts (and escalation targets) of the steps passed through.
fn walk(slug: &str, answers: &[bool]) -> Vec<String> {
    let catalog = embedded(&embedded_reference());
    let procedure = catalog.get(slug).unwrap().clone();
    let mut walk = Walk::start(procedure);
    let mut answers = answers.iter();
    let mut seen = Vec::new();
    let at = Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap();
    while let Some(i) = walk.current {
        let step = walk.procedure.steps[i].clone();
        seen.push(match &step.kind {
            StepKind::Escalate { target } => format!("{target} — {}", step.text),
            _ => step.text.clone(),
        });
        let mv = match step.kind {
            StepKind::Ask { .. } => Move::Answer(*answers.next().expect("an answer per question")),
            StepKind::Escalate { .. } => Move::Escalate,
            StepKind::Record { .. } => Move::Record("x".into()),
            _ => Move::Confirm,
        };
        walk.apply(&mv, at).expect("a move that fits the step");
        assert!(seen.len() < 50, "{slug}: the walk does not end");
    }
    assert!(answers.next().is_none(), "{slug}: answers left over");
    seen
}

#[test]
fn a_suspicious_mail_is_handled_for_every_service() {
    let catalog = embedded(&embedded_reference());
    let p = catalog.get("phishing-check").unwrap();
    assert!(p.services.includes("acn-rouen") && p.services.includes("gip-tn"));
    // Ministères sociaux, read on the workstation: the link rewriting, their IT team.
    let social = walk("phishing-check", &[true, true, true]).join("\n");
    assert!(social.contains("urldefense.proofpoint.com"), "{social}");
    assert!(social.contains("Équipe informatique habituelle (ministères sociaux)"));
    // Anyone else: the general checks, never the rewriting that is not theirs.
    for (answers, contact) in [
        (&[false, true, true][..], "01 40 07 20 00"),
        (&[false, true, false, true][..], "AMIGO"),
        (
            &[false, true, false, false][..],
            "service informatique habituel",
        ),
    ] {
        let path = walk("phishing-check", answers).join("\n");
        assert!(!path.contains("urldefense"), "{path}");
        assert!(path.contains("expéditeur"), "the general checks:\n{path}");
        assert!(path.contains(contact), "{contact} expected:\n{path}");
    }
    // No doubt left: the call ends without an escalation.
    let calm = walk("phishing-check", &[false, false]).join("\n");
    assert!(calm.contains("rester vigilant"), "{calm}");
}

// ---------------------------------------------------------------------------------------
// Branches true to their guides (issue 23): each path below misled a caller before.

/// The texts joined, and whether one of them says `needle`.
fn says(path: &[String], needle: &str) -> bool {
    path.iter().any(|t| t.contains(needle))
}

#[test]
fn a_card_in_hand_with_an_invalid_certificate_is_not_a_forgotten_card() {
    // Guide 003, « Aide Carte Agent »: « (oubli, perte, vol, certificat non valide...) »;
    // the revocation is for a card « perdue, volée ou défectueuse ».
    // Card in hand, the session does not come back, no colleague, CRYHOD given, the card
    // is neither lost, stolen nor broken, and it is not forgotten either.
    let path = walk("mi-agent-card-cryhod", &[true, false, false, false, false]);
    assert!(!says(&path, "simplement oubliée"), "{path:#?}");
    let last = path.last().unwrap();
    assert!(last.contains("certificat non valide"), "{last}");
    assert!(last.starts_with("Hot-Line"), "{last}");
    // A forgotten card still ends on « simplement oubliée », without revocation.
    let forgotten = walk("mi-agent-card-cryhod", &[false, false, false, true]);
    assert!(
        says(&forgotten, "Carte simplement oubliée"),
        "{forgotten:#?}"
    );
    // Lost, stolen or broken: the Hot-Line's revocation/renewal.
    let lost = walk("mi-agent-card-cryhod", &[false, false, true]);
    assert!(
        lost.last().unwrap().contains("Révocation/Renouvellement"),
        "{lost:#?}"
    );
}

#[test]
fn an_mtes_organiser_with_a_vpn_creates_the_web_conference() {
    // Guide 001: « L'organisateur doit être un agent doté d'un VPN niveau 1/2/3. » — not
    // « only from the RIE », which is guide 003's rule for its own agents.
    let path = walk("webconf-etat", &[true, true, true, false, true]);
    assert!(says(&path, "choisir un nom de conférence"), "{path:#?}");
    assert!(
        !says(&path, "uniquement depuis le réseau de l'État"),
        "{path:#?}"
    );
    // Without that VPN, the MTES guide's condition is said, not the RIE.
    let no_vpn = walk("webconf-etat", &[true, true, false]);
    let last = no_vpn.last().unwrap();
    assert!(last.contains("VPN niveau 1/2/3"), "{last}");
    assert!(!last.contains("RIE"), "{last}");
    // Another ministry, off the State network: guide 003's rule, said as its own.
    let off = walk("webconf-etat", &[true, false, false]);
    let last = off.last().unwrap();
    assert!(last.contains("réseau de l'État (RIE)"), "{last}");
    assert!(last.contains("ministère de l'Intérieur"), "{last}");
    assert!(!last.contains("VPN niveau"), "{last}");
}

#[test]
fn a_span_that_does_not_connect_and_a_security_question_both_give_the_call_centre() {
    // Guide 003, « SPAN »: « Contactez le 01 40 07 20 00 en cas de difficultés » and « Par
    // une liaison filaire (Ethernet), Wifi (Box internet) ou 3G/4G (via un boîtier Domino
    // Airbox 3G/4G…) ».
    let broken = walk("mi-span", &[true]);
    for fact in ["Ethernet", "box internet", "Domino Airbox"] {
        assert!(says(&broken, fact), "{fact}: {broken:#?}");
    }
    assert!(
        broken.last().unwrap().contains("01 40 07 20 00"),
        "{broken:#?}"
    );
    // Not broken, no 3G/4G, no COMU, a security question: the SSI referent, and the call
    // centre for difficulties.
    let ssi = walk("mi-span", &[false, false, false, true]);
    let last = ssi.last().unwrap();
    assert!(last.contains("référent SSI"), "{last}");
    assert!(last.contains("01 40 07 20 00"), "{last}");
}

#[test]
fn a_caller_who_has_another_connection_is_not_stuck_on_a_check() {
    // connection-sharing, Interior: the guide shares a phone's connection only « Si vous
    // n'avez aucun Wifi, pas de câble réseau, pas d'accès à votre 4G ». A caller who has
    // one is told what to use, and the SPAN's own ways are given.
    let has_one = walk("connection-sharing", &[false, true]);
    assert!(has_one.len() <= 3, "{has_one:#?}");
    for fact in ["mi-noemi-wifi", "Ethernet", "Domino Airbox"] {
        assert!(says(&has_one, fact), "{fact}: {has_one:#?}");
    }
    // No connection at all, on a SPAN: its ways to connect and the call centre.
    let span = walk("connection-sharing", &[false, false, false, true]);
    assert!(says(&span, "Domino Airbox"), "{span:#?}");
    assert!(span.last().unwrap().contains("01 40 07 20 00"), "{span:#?}");
    // Ministères sociaux with a working box: no hotspot, the portal over the box.
    let box_ok = walk("connection-sharing", &[true, true]);
    assert!(says(&box_ok, "box"), "{box_ok:#?}");
    assert!(
        !says(&box_ok, "Point d'accès mobile et modem"),
        "{box_ok:#?}"
    );
    // DIRECCTE over the hotspot, the mail page does not show: not GEMINI, the IT team
    // (guide 000: « Dès que la page de la messagerie s'affiche, lancez GEMINI »).
    let no_page = walk("connection-sharing", &[true, false, true, false]);
    assert!(!says(&no_page, "Lancer GEMINI"), "{no_page:#?}");
    assert!(
        no_page.last().unwrap().contains("équipe informatique"),
        "{no_page:#?}"
    );
    // mi-noemi-4g: « en étant sur de la 4G »; a caller not on 4G leaves with where to go.
    let not_4g = walk("mi-noemi-4g", &[false]);
    assert_eq!(not_4g.len(), 2, "{not_4g:#?}");
    for fact in ["mi-noemi-wifi", "mi-noemi-reset-vpn", "carte SIM", "72000"] {
        assert!(says(&not_4g, fact), "{fact}: {not_4g:#?}");
    }
}

#[test]
fn no_check_step_states_a_precondition_without_a_way_out() {
    // A check is what the operator verifies before going on; « vérifier que l'agent n'a
    // aucun Wi-Fi » has no way on for a caller who has one: such a step is a question.
    let catalog = embedded(&embedded_reference());
    for slug in ["connection-sharing", "mi-noemi-4g"] {
        let p = catalog.get(slug).unwrap();
        for s in &p.steps {
            if matches!(s.kind, StepKind::Check) {
                let t = guichet::domain::text::fold(&s.text);
                for precondition in ["n'a aucun", "ne peut pas", "est bien connecte en 4g"] {
                    assert!(!t.contains(precondition), "{slug} « {} »: {}", s.id, s.text);
                }
            }
        }
    }
}
