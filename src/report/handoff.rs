//! Where each escalation's hand-off to GLPI stands, as the handover says it: sent,
//! waiting, in doubt, or never queued. The outbox's states map here one line each.

use crate::domain::call::{Call, CallRef, Outcome};
use crate::domain::reference::Reference;
use crate::store::OutboxState;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// A call's hand-off to GLPI. Ordered from the most settled to the least: a call's is
/// its least settled push's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Handoff {
    /// Never queued: nobody pressed `t` nor ran `glpi push`.
    NotQueued,
    Sent,
    Waiting,
    /// A request may or may not have reached GLPI: the next sync looks before sending.
    InDoubt,
}

impl Handoff {
    /// What one push of the outbox says. A new state of the outbox is one line here (and
    /// the compiler asks for it).
    fn of_push(state: OutboxState) -> Handoff {
        match state {
            OutboxState::Sent => Handoff::Sent,
            OutboxState::Waiting => Handoff::Waiting,
            // Claimed by a process that wrote so before its request: until it records
            // GLPI's answer, nobody knows whether GLPI has it.
            OutboxState::Sending => Handoff::InDoubt,
        }
    }

    /// A call's, from its pushes' states: the least settled of them; never queued when it
    /// has none.
    pub fn of_call(states: impl IntoIterator<Item = OutboxState>) -> Handoff {
        states
            .into_iter()
            .map(Handoff::of_push)
            .max()
            .unwrap_or(Handoff::NotQueued)
    }

    pub fn label(self) -> &'static str {
        match self {
            Handoff::NotQueued => "non transmis",
            Handoff::Sent => "envoyé",
            Handoff::Waiting => "en attente",
            Handoff::InDoubt => "en doute",
        }
    }

    pub fn slug(self) -> &'static str {
        match self {
            Handoff::NotQueued => "not_queued",
            Handoff::Sent => "sent",
            Handoff::Waiting => "waiting",
            Handoff::InDoubt => "in_doubt",
        }
    }
}

/// An escalation on the handover: the call, its ticket, where its hand-off stands.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Escalation {
    pub reference: CallRef,
    pub opened_at: DateTime<Utc>,
    pub operator: String,
    pub caller_name: String,
    pub service: String,
    pub service_label: String,
    pub summary: String,
    pub outcome: Option<Outcome>,
    pub outcome_label: Option<&'static str>,
    pub glpi_ticket: Option<i64>,
    pub handoff: Handoff,
    pub handoff_label: &'static str,
}

impl Escalation {
    pub fn new(call: Call, handoff: Handoff, reference: &Reference) -> Escalation {
        Escalation {
            reference: call.reference,
            opened_at: call.opened_at,
            service_label: reference
                .service(&call.service)
                .map_or(call.service.clone(), |s| s.label.clone()),
            operator: call.operator,
            caller_name: call.caller_name,
            service: call.service,
            summary: call.summary,
            outcome: call.outcome,
            outcome_label: call.outcome.map(Outcome::label),
            glpi_ticket: call.glpi_ticket,
            handoff,
            handoff_label: handoff.label(),
        }
    }

    /// « ticket n° 1234, envoyé », « pas de ticket, en attente ».
    pub fn ticket_text(&self) -> String {
        match self.glpi_ticket {
            Some(t) => format!("ticket n° {t}, {}", self.handoff.label()),
            None => format!("pas de ticket, {}", self.handoff.label()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_call_is_as_settled_as_its_least_settled_push() {
        use OutboxState::*;
        assert_eq!(Handoff::of_call([]), Handoff::NotQueued);
        assert_eq!(Handoff::of_call([Sent, Sent]), Handoff::Sent);
        assert_eq!(Handoff::of_call([Sent, Waiting]), Handoff::Waiting);
        assert_eq!(Handoff::of_call([Waiting, Sending, Sent]), Handoff::InDoubt);
        assert_eq!(Handoff::InDoubt.label(), "en doute");
    }
}
