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
