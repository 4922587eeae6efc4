//! The marks guichet puts on what it creates in GLPI, so that a push whose answer was lost
//! can find what it may have created: `[guichet 3fa9c01b2e7d A-0042]` at the start of a
//! ticket's name, `[guichet 3fa9c01b2e7d A-0042 envoi 7]` at the end of a followup. The
//! desk's part (made once, kept in the store) tells two desks sharing one GLPI apart; the
//! text a caller or an operator typed never holds one ([`defuse`]).

use crate::domain::call::CallRef;
use std::borrow::Cow;

/// The desk's marks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marker {
    desk: String,
}

impl Marker {
    /// The marks of the desk whose identifier (kept in the store) is `desk`.
    pub fn new(desk: &str) -> Marker {
        Marker {
            desk: desk.trim().to_string(),
        }
    }

    /// The mark of a call's ticket, at the start of its name.
    pub fn ticket(&self, call: CallRef) -> String {
        format!("[guichet {} {call}]", self.desk)
    }

    /// The mark of one push sent as a followup, at its end.
    pub fn followup(&self, call: CallRef, outbox_id: i64) -> String {
        format!("[guichet {} {call} envoi {outbox_id}]", self.desk)
    }

    /// Whether a ticket's name is the one guichet gave the call's ticket: its mark first,
    /// exactly (what follows it was defused when sent).
    pub fn names(&self, call: CallRef, name: &str) -> bool {
        let mark = self.ticket(call);
        let name = name.trim_start();
        name == mark || name.strip_prefix(&mark).is_some_and(|r| r.starts_with(' '))
    }
}

/// Typed text with nothing in it that looks like a mark: every `[guichet` (any case)
/// becomes `(guichet`, and the `]` that closes it a `)`. The text stays readable; no
/// search for a mark finds it.
pub fn defuse(text: &str) -> Cow<'_, str> {
    const OPEN: &str = "[guichet";
    let lower = text.to_ascii_lowercase();
    if !lower.contains(OPEN) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut closing = false;
    let mut at = 0;
    while at < text.len() {
        if lower[at..].starts_with(OPEN) {
            out.push('(');
            out.push_str(&text[at + 1..at + OPEN.len()]);
            at += OPEN.len();
            closing = true;
            continue;
        }
        let c = text[at..].chars().next().unwrap_or_default();
        if closing && c == ']' {
            out.push(')');
            closing = false;
        } else {
            out.push(c);
        }
        at += c.len_utf8();
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ticket_is_named_by_its_mark_exactly() {
        let m = Marker::new("3fa9c01b2e7d");
        let call = CallRef(42);
        assert_eq!(m.ticket(call), "[guichet 3fa9c01b2e7d A-0042]");
        assert_eq!(m.followup(call, 7), "[guichet 3fa9c01b2e7d A-0042 envoi 7]");
        assert!(m.names(call, "[guichet 3fa9c01b2e7d A-0042] VPN bleu"));
        assert!(m.names(call, "[guichet 3fa9c01b2e7d A-0042]"));
        // Another call whose summary holds the mark; another desk; a longer reference.
        assert!(!m.names(
            call,
            "[guichet 3fa9c01b2e7d A-0043] [guichet 3fa9c01b2e7d A-0042]"
        ));
        assert!(!m.names(call, "[guichet 000000000000 A-0042] VPN"));
        assert!(!m.names(CallRef(4), "[guichet 3fa9c01b2e7d A-00042] VPN"));
    }

    #[test]
    fn typed_marks_are_defused() {
        assert_eq!(defuse("rien à voir"), "rien à voir");
        assert_eq!(
            defuse("voir [guichet 3fa9 A-0001] et [GUICHET A-2]"),
            "voir (guichet 3fa9 A-0001) et (GUICHET A-2)"
        );
        assert_eq!(defuse("[guichet sans fin"), "(guichet sans fin");
        assert_eq!(defuse("é[guichet]é"), "é(guichet)é");
        assert_eq!(defuse("a] [b"), "a] [b");
    }
}
