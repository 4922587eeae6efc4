//! XiVO's phone events, as its CTI server (XUC) posts them to the URL of its `eventUrl`
//! setting (`/usr/share/xuc/application.conf`), read into guichet's events.
//!
//! What XUC sends, from XiVO's documentation (documentation.xivo.solutions,
//! `api_sdk/xuc/api/rest.rst`, « Phone Event Notification »): for one user, the phone event
//! in the same structure as the JavaScript API's `Cti.MessageType.PHONEEVENT`
//! (`api_sdk/xuc/api/phone.rst`, « Phone Events »):
//!
//! ```json
//! {"username":"alicej","message":{"msgType":"PhoneEvent","ctiMessage":{"eventType":"EventDialing",
//!  "DN":"1058","otherDN":"3000","linkedId":"1447670380.34","uniqueId":"1447670380.34",
//!  "userData":{"XIVO_USERID":"9"}}}}
//! ```
//!
//! - `eventType`: `EventDialing` (the user's line calls out), `EventRinging` (a call rings
//!   on it), `EventEstablished` (the line is in conversation: it answered, or the number
//!   it dialled did), `EventReleased` (the line hung up). Others (`EventOnHold`…) say
//!   nothing of a call's ringing, answer or end: ignored.
//! - `DN`: the user's line, the one that rings or dials; `otherDN` (and `otherDName`): the
//!   other party, the caller of a ringing call; `queueName`: the queue the call came
//!   through; `userData`: the call's variables.
//! - `uniqueId`: the line's own channel, the same on all the events of its part of the
//!   call; `linkedId`: the whole conversation, shared by every line it rings (XiVO's own
//!   client, xucmgt's `XucPhoneState`, ties a line's events by them).
//!
//! guichet's telephony id is `uniqueId` (`linkedId` when it is missing): each line's part
//! of a call is one phone call for guichet, because each console follows its own line and
//! the store keeps one event of each kind per id. With `linkedId`, a queue call ringing
//! two agents would keep the first agent's ring only, and the release of the agent who did
//! not answer would end the call of the one who did.
//!
//! The WebSocket message (`{"msgType":…,"ctiMessage":…}`) and the bare phone event (what
//! the JavaScript API hands its handlers) are taken too, for a relay that forwards them.

use super::platform::{call_id, caller, extension, login, nested, object, text};
use crate::domain::phone::event::{Direction, EventKind, PhoneEvent};

/// The event XUC's body gives, `None` when it says nothing of a call's ringing, answer or
/// end (another message, another phone event), or a French sentence naming the bad field.
pub fn parse(content_type: Option<&str>, body: &[u8]) -> Result<Option<PhoneEvent>, String> {
    let root = object(content_type, body)?;
    let (username, message) = match nested(&root, "message")? {
        Some(message) => (text(&root, "username")?, message),
        None => (None, &root),
    };
    let cti = match text(message, "msgType")? {
        Some(kind) if !kind.eq_ignore_ascii_case("PhoneEvent") => return Ok(None),
        Some(_) => nested(message, "ctiMessage")?
            .ok_or("« ctiMessage » manque : l'événement de téléphone est attendu")?,
        None => message,
    };

    let Some(event_type) = text(cti, "eventType")? else {
        return Err(
            "« eventType » manque : EventRinging, EventEstablished ou EventReleased attendu".into(),
        );
    };
    let (kind, direction) = match event_type.to_ascii_lowercase().as_str() {
        "eventringing" => (EventKind::NewCall, Direction::In),
        "eventdialing" => (EventKind::NewCall, Direction::Out),
        // Who called whom is said when the line rings or dials; the events after it are
        // found by their identifier.
        "eventestablished" => (EventKind::Answer, Direction::In),
        "eventreleased" => (EventKind::Hangup, Direction::In),
        _ => return Ok(None),
    };

    let dn = match text(cti, "DN")? {
        Some(dn) => extension(&dn, "DN")?,
        None => return Err("« DN » manque : la ligne de l'utilisateur est attendue".into()),
    };
    let call_id = match (text(cti, "uniqueId")?, text(cti, "linkedId")?) {
        (Some(id), _) => call_id(&id, "uniqueId")?,
        (None, Some(id)) => call_id(&id, "linkedId")?,
        (None, None) => {
            return Err("« uniqueId » manque : l'identifiant de l'appel est obligatoire".into());
        }
    };
    let other = text(cti, "otherDN")?;

    let (from, to) = match (kind, direction) {
        (EventKind::NewCall, Direction::Out) => {
            let Some(dialled) = other else {
                return Err(
                    "« otherDN » manque : le numéro composé est attendu pour EventDialing".into(),
                );
            };
            (Some(dn.clone()), extension(&dialled, "otherDN")?)
        }
        (EventKind::NewCall, Direction::In) => {
            let from = match other {
                Some(o) => caller(&o, "otherDN")?,
                None => None,
            };
            (from, dn.clone())
        }
        _ => (None, dn.clone()),
    };

    // The line and the user's login: a console follows either.
    let mut users = vec![dn.clone()];
    if let Some(name) = username {
        let name = login(&name, "username")?;
        if name != dn {
            users.push(name);
        }
    }
    Ok(Some(PhoneEvent {
        kind,
        from,
        to: Some(to),
        direction,
        call_id,
        users,
        answering_number: (kind == EventKind::Answer).then_some(dn),
        cause: None,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    const JSON: Option<&str> = Some("application/json");

    /// The ringing event of XiVO's documentation (documentation.xivo.solutions,
    /// `api_sdk/xuc/api/phone.rst`, « Cti.setData »), as XUC posts it to its `eventUrl`
    /// (`api_sdk/xuc/api/rest.rst`) for the user `alicej`.
    fn ringing(event_type: &str) -> String {
        format!(
            r#"{{"username":"alicej","message":{{"msgType":"PhoneEvent","ctiMessage":{{"eventType":"{event_type}","DN":"1000","otherDN":"0427466347","linkedId":"1469709757.74","uniqueId":"1469709960.78","queueName":"bluesky",
   "userData":{{    "XIVO_CONTEXT":"from-extern",
                   "XIVO_USERID":"1",
                   "USR_var1":"val1",
                   "USR_var2":"val2",
                   "XIVO_EXTENPATTERN":"_012305XXXX",
                   "XIVO_SRCNUM":"0427466347",
                   "XIVO_DST_FIRSTNAME":"Brucé",
                   "XIVO_DSTNUM":"0123053012","XIVO_DST_LASTNAME":"Wail"}}}}}}}}"#
        )
    }

    fn event(kind: EventKind, from: Option<&str>, to: &str) -> PhoneEvent {
        PhoneEvent {
            kind,
            from: from.map(String::from),
            to: Some(to.into()),
            direction: Direction::In,
            call_id: "1469709960.78".into(),
            users: vec!["1000".into(), "alicej".into()],
            answering_number: None,
            cause: None,
        }
    }

    #[test]
    fn a_call_rings_is_answered_and_released_on_a_line() {
        assert_eq!(
            parse(JSON, ringing("EventRinging").as_bytes()).unwrap(),
            Some(event(EventKind::NewCall, Some("0427466347"), "1000"))
        );
        assert_eq!(
            parse(JSON, ringing("EventEstablished").as_bytes()).unwrap(),
            Some(PhoneEvent {
                answering_number: Some("1000".into()),
                ..event(EventKind::Answer, None, "1000")
            })
        );
        assert_eq!(
            parse(JSON, ringing("EventReleased").as_bytes()).unwrap(),
            Some(event(EventKind::Hangup, None, "1000"))
        );
    }

    #[test]
    fn a_line_dials_out() {
        // documentation.xivo.solutions, `api_sdk/xuc/api/rest.rst`, « Phone Event
        // Notification ».
        let body = br#"{"username":"alicej","message":{"msgType":"PhoneEvent","ctiMessage":{"eventType":"EventDialing","DN":"1058","otherDN":"3000","linkedId":"1447670380.34","uniqueId":"1447670380.34","userData":{"XIVO_USERID":"9"}}}}"#;
        assert_eq!(
            parse(JSON, body).unwrap(),
            Some(PhoneEvent {
                kind: EventKind::NewCall,
                from: Some("1058".into()),
                to: Some("3000".into()),
                direction: Direction::Out,
                call_id: "1447670380.34".into(),
                users: vec!["1058".into(), "alicej".into()],
                answering_number: None,
                cause: None,
            })
        );
    }

    #[test]
    fn the_websocket_message_and_the_bare_event_are_taken_too() {
        let bare = r#"{"eventType":"EventRinging","DN":"1000","otherDN":"0427466347","linkedId":"1469709757.74","uniqueId":"1469709960.78","queueName":"bluesky"}"#;
        let expected = PhoneEvent {
            users: vec!["1000".into()],
            ..event(EventKind::NewCall, Some("0427466347"), "1000")
        };
        assert_eq!(
            parse(None, bare.as_bytes()).unwrap(),
            Some(expected.clone())
        );
        let message = format!(r#"{{"msgType":"PhoneEvent","ctiMessage":{bare}}}"#);
        assert_eq!(parse(JSON, message.as_bytes()).unwrap(), Some(expected));
    }

    #[test]
    fn what_says_nothing_of_a_ring_an_answer_or_an_end_is_ignored() {
        for body in [
            ringing("EventOnHold"),
            r#"{"username":"alicej","message":{"msgType":"AgentStateEvent","ctiMessage":{"name":"AgentReady"}}}"#.into(),
        ] {
            assert_eq!(parse(JSON, body.as_bytes()).unwrap(), None, "{body}");
        }
    }

    #[test]
    fn withheld_and_unreadable_callers() {
        let with_other = |other: &str| {
            format!(
                r#"{{"eventType":"EventRinging","DN":"1000","otherDN":"{other}","uniqueId":"u1"}}"#
            )
        };
        for withheld in ["", "anonymous"] {
            let e = parse(JSON, with_other(withheld).as_bytes())
                .unwrap()
                .unwrap();
            assert_eq!(e.from, None, "{withheld:?}");
        }
        let e = parse(JSON, with_other("sip:anonymous@10.0.0.1").as_bytes())
            .unwrap()
            .unwrap();
        assert_eq!(e.from.as_deref(), Some("sip:anonymous@10.0.0.1"));
        let no_other = r#"{"eventType":"EventRinging","DN":"1000","linkedId":"l1"}"#;
        let e = parse(JSON, no_other.as_bytes()).unwrap().unwrap();
        assert_eq!((e.from, e.call_id.as_str()), (None, "l1"));
    }

    #[test]
    fn errors_name_the_field() {
        for (body, error) in [
            (
                r#"{"DN":"1000","uniqueId":"u1"}"#,
                "« eventType » manque : EventRinging, EventEstablished ou EventReleased attendu",
            ),
            (
                r#"{"eventType":"EventRinging","uniqueId":"u1"}"#,
                "« DN » manque : la ligne de l'utilisateur est attendue",
            ),
            (
                r#"{"eventType":"EventReleased","DN":"1000"}"#,
                "« uniqueId » manque : l'identifiant de l'appel est obligatoire",
            ),
            (
                r#"{"eventType":"EventDialing","DN":"1000","uniqueId":"u1"}"#,
                "« otherDN » manque : le numéro composé est attendu pour EventDialing",
            ),
            (
                r#"{"eventType":"EventRinging","DN":"Jean Dupont","uniqueId":"u1"}"#,
                "poste invalide « Jean Dupont » pour « DN » : des caractères visibles sans espace \
                 attendus",
            ),
            (
                r#"{"eventType":"EventRinging","DN":"1000","uniqueId":"u 1"}"#,
                "identifiant d'appel invalide « u 1 » pour « uniqueId » : des caractères \
                 visibles sans espace attendus",
            ),
            (
                r#"{"eventType":"EventRinging","DN":"1000","uniqueId":"u1","otherDN":"06\u0007"}"#,
                "appelant invalide « 06␇ » pour « otherDN » : caractère de contrôle U+0007",
            ),
            (
                r#"{"msgType":"PhoneEvent"}"#,
                "« ctiMessage » manque : l'événement de téléphone est attendu",
            ),
            (
                r#"{"username":"alicej","message":"PhoneEvent"}"#,
                "champ « message » : un objet JSON attendu",
            ),
            (
                r#"{"eventType":["EventRinging"],"DN":"1000","uniqueId":"u1"}"#,
                "champ « eventType » : du texte attendu dans le JSON",
            ),
        ] {
            assert_eq!(parse(JSON, body.as_bytes()).unwrap_err(), error, "{body}");
        }
    }
}
