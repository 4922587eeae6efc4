//! Wazo's call events, as a wazo-webhookd subscription posts them, read into guichet's
//! events.
//!
//! wazo-calld publishes one event per channel (wazo-calld,
//! `wazo_calld/plugins/calls/notifier.py` and `bus_consume.py`): `call_created` when the
//! channel appears, `call_answered` when it goes up, `call_ended` when it is destroyed.
//! Their data is the channel as `CallSchema` dumps it (`wazo_calld/plugins/calls/schemas.py`;
//! wazo-bus, `wazo_bus/resources/calls/types.py`, `CallDict`): `call_id` (the channel),
//! `conversation_id` (Asterisk's linkedid, shared by every channel of the call),
//! `user_uuid` (the user whose line the channel is; none for a trunk), `is_caller`,
//! `caller_id_number`, `peer_caller_id_number`, `dialed_extension`, `status`, …;
//! `call_ended` adds `reason_code` (the Q.850 cause).
//!
//! - Only a user's channel is taken: its `call_id` is guichet's telephony id, each agent's
//!   leg one phone call, because each console follows its own line and the store keeps one
//!   event of each kind per id (with `conversation_id`, the colleague's leg cleared when an
//!   agent answers a group call would end the answered call). A trunk's channel
//!   (`user_uuid` null) is ignored.
//! - On the user's channel, `caller_id_*` is the user's own line and `peer_caller_id_*`
//!   the other party; an empty peer number is dumped as `dialed_extension`. `call_ended`
//!   swaps them (`CallsService.channel_destroyed_event` reads `caller_id_*` from the
//!   connected line): there the peer is the user's line.
//!
//! webhookd posts the event's data alone unless the subscription gives a body template
//! (`wazo_webhookd/services/http/plugin.py`); the subscription of docs/telephonie.md sends
//! `{"name": …, "data": …}`. Data alone is taken too: `reason_code` is in `call_ended`'s
//! data only, and a channel is `Up` in `call_answered`'s.

use super::platform::{call_id, caller, extension, flag, login, nested, object, text};
use crate::domain::phone::event::{Direction, EventKind, HangupCause, PhoneEvent};
use serde_json::{Map, Value};

/// The event a webhookd request gives, `None` when it says nothing of an agent's call
/// ringing, answered or ended (another event, a trunk's channel), or a French sentence
/// naming the bad field.
pub fn parse(content_type: Option<&str>, body: &[u8]) -> Result<Option<PhoneEvent>, String> {
    let root = object(content_type, body)?;
    let (kind, data) = match nested(&root, "data")? {
        Some(data) => {
            let Some(name) = text(&root, "name")? else {
                return Err(
                    "« name » manque : call_created, call_answered ou call_ended attendu".into(),
                );
            };
            let kind = match name.as_str() {
                "call_created" => EventKind::NewCall,
                "call_answered" => EventKind::Answer,
                "call_ended" => EventKind::Hangup,
                _ => return Ok(None),
            };
            (kind, data)
        }
        None => (kind_of_bare_data(&root)?, &root),
    };

    let Some(user_uuid) = text(data, "user_uuid")? else {
        return Ok(None);
    };
    let user_uuid = login(&user_uuid, "user_uuid")?;
    let call_id = match text(data, "call_id")? {
        Some(id) => call_id(&id, "call_id")?,
        None => {
            return Err("« call_id » manque : l'identifiant de l'appel est obligatoire".into());
        }
    };
    let direction = if flag(data, "is_caller")? {
        Direction::Out
    } else {
        Direction::In
    };

    // The user's line and the other party, on either side of call_ended's swap.
    let (own_field, other_field) = match kind {
        EventKind::Hangup => ("peer_caller_id_number", "caller_id_number"),
        _ => ("caller_id_number", "peer_caller_id_number"),
    };
    let own = match text(data, own_field)? {
        Some(n) => Some(extension(&n, own_field)?),
        None => None,
    };
    let dialled = text(data, "dialed_extension")?;
    let other = text(data, other_field)?;
    let line = own.clone().unwrap_or_else(|| user_uuid.clone());

    let (from, to) = match direction {
        Direction::In => {
            // webhookd's stand-in for an empty peer number is no caller's number.
            let from = match other.filter(|o| Some(o) != dialled.as_ref()) {
                Some(o) if kind != EventKind::Hangup => caller(&o, other_field)?,
                _ => None,
            };
            (from, line.clone())
        }
        Direction::Out => {
            let from = (kind != EventKind::Hangup).then(|| line.clone());
            let to = match (other, dialled) {
                (Some(o), _) => extension(&o, other_field)?,
                (None, Some(d)) => extension(&d, "dialed_extension")?,
                (None, None) => line.clone(),
            };
            (from, to)
        }
    };

    let mut users = Vec::new();
    users.extend(own);
    if !users.contains(&user_uuid) {
        users.push(user_uuid);
    }
    let cause = match text(data, "reason_code")? {
        Some(code) if kind == EventKind::Hangup => q850(&code),
        _ => None,
    };
    Ok(Some(PhoneEvent {
        kind,
        from,
        to: Some(to),
        direction,
        call_id,
        users,
        answering_number: (kind == EventKind::Answer).then_some(line),
        cause,
    }))
}

/// Which event webhookd's default body (the data alone) is: `call_ended`'s data alone
/// has `reason_code` (`CallNotifier.call_ended`), `call_answered`'s channel is `Up`.
fn kind_of_bare_data(data: &Map<String, Value>) -> Result<EventKind, String> {
    if data.contains_key("reason_code") {
        return Ok(EventKind::Hangup);
    }
    if text(data, "call_id")?.is_none() {
        return Err(
            "ni « name » et « data » (le corps de l'abonnement), ni « call_id » (les données \
             d'un appel) : événement d'appel de Wazo attendu"
                .into(),
        );
    }
    Ok(match text(data, "status")?.as_deref() {
        Some("Up") => EventKind::Answer,
        _ => EventKind::NewCall,
    })
}

/// A hangup cause from its Q.850 code (ITU-T Q.850, which Asterisk's `HANGUPCAUSE` and
/// calld's `reason_code` follow), as Zammad's causes name them; another code is kept as
/// it is, `0` (no cause) is none.
fn q850(code: &str) -> Option<HangupCause> {
    Some(match code {
        "0" => return None,
        "16" => HangupCause::NormalClearing,
        "17" => HangupCause::Busy,
        // No user responding, no answer, call rejected.
        "18" | "19" | "21" => HangupCause::NoAnswer,
        // Unallocated number, subscriber absent.
        "1" | "20" => HangupCause::NotFound,
        // Non-selected user clearing: another line of the group or queue answered.
        "26" => HangupCause::Forwarded,
        // No circuit available, network out of order, switching equipment congestion.
        "34" | "38" | "42" => HangupCause::Congestion,
        other => return HangupCause::from_slug(other),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const JSON: Option<&str> = Some("application/json");
    const BERNARD: &str = "6f1f2a0e-5b3c-4a7e-9d61-3b2f0c9a7e11";

    /// A user's channel as calld's `CallSchema` dumps it (wazo-calld,
    /// `wazo_calld/plugins/calls/schemas.py`): an outside caller reaching the user 1001
    /// on the desk's number.
    fn leg() -> Value {
        json!({
            "bridges": [], "call_id": "1764583200.41", "conversation_id": "1764583200.40",
            "caller_id_name": "Bernard Bernoulli", "caller_id_number": "1001",
            "peer_caller_id_name": "", "peer_caller_id_number": "0612345678",
            "creation_time": "2026-12-01T10:00:00.120+01:00", "status": "Down",
            "on_hold": false, "muted": false, "record_state": "inactive", "talking_to": {},
            "user_uuid": BERNARD, "is_caller": false, "is_video": false,
            "dialed_extension": "0231000000", "sip_call_id": "a84b4c76e66710", "line_id": 3,
            "answer_time": null, "hangup_time": null, "direction": "inbound", "parked": false
        })
    }

    /// The body of docs/telephonie.md's subscription: `{"name": …, "data": …}`.
    fn posted(name: &str, data: Value) -> Vec<u8> {
        json!({"name": name, "data": data}).to_string().into_bytes()
    }

    fn answered(mut data: Value) -> Value {
        data["status"] = "Up".into();
        data["answer_time"] = "2026-12-01T10:00:06.000+01:00".into();
        data
    }

    /// `call_ended`'s data: caller and peer swapped, `reason_code` added.
    fn ended(mut data: Value, code: i64) -> Value {
        let (c, p) = (
            data["caller_id_number"].clone(),
            data["peer_caller_id_number"].clone(),
        );
        data["caller_id_number"] = p;
        data["peer_caller_id_number"] = c;
        data["hangup_time"] = "2026-12-01T10:04:11.000+01:00".into();
        data["reason_code"] = code.into();
        data
    }

    fn event(kind: EventKind) -> PhoneEvent {
        PhoneEvent {
            kind,
            from: None,
            to: Some("1001".into()),
            direction: Direction::In,
            call_id: "1764583200.41".into(),
            users: vec!["1001".into(), BERNARD.into()],
            answering_number: None,
            cause: None,
        }
    }

    #[test]
    fn a_user_leg_is_created_answered_and_ended() {
        assert_eq!(
            parse(JSON, &posted("call_created", leg())).unwrap(),
            Some(PhoneEvent {
                from: Some("0612345678".into()),
                ..event(EventKind::NewCall)
            })
        );
        assert_eq!(
            parse(JSON, &posted("call_answered", answered(leg()))).unwrap(),
            Some(PhoneEvent {
                from: Some("0612345678".into()),
                answering_number: Some("1001".into()),
                ..event(EventKind::Answer)
            })
        );
        assert_eq!(
            parse(JSON, &posted("call_ended", ended(answered(leg()), 16))).unwrap(),
            Some(PhoneEvent {
                cause: Some(HangupCause::NormalClearing),
                ..event(EventKind::Hangup)
            })
        );
    }

    #[test]
    fn webhookd_default_body_is_the_data_alone() {
        let bare = |data: Value| data.to_string().into_bytes();
        assert_eq!(
            parse(Some("application/json; charset=utf-8"), &bare(leg()))
                .unwrap()
                .map(|e| e.kind),
            Some(EventKind::NewCall)
        );
        assert_eq!(
            parse(JSON, &bare(answered(leg()))).unwrap().map(|e| e.kind),
            Some(EventKind::Answer)
        );
        let e = parse(JSON, &bare(ended(leg(), 26))).unwrap().unwrap();
        assert_eq!(
            (e.kind, e.cause),
            (EventKind::Hangup, Some(HangupCause::Forwarded))
        );
    }

    #[test]
    fn a_user_dials_out() {
        let mut out = leg();
        out["is_caller"] = true.into();
        out["status"] = "Ring".into();
        out["peer_caller_id_number"] = "0231000000".into();
        out["direction"] = "outbound".into();
        let e = parse(JSON, &posted("call_created", out.clone()))
            .unwrap()
            .unwrap();
        assert_eq!(
            (
                e.direction,
                e.from.as_deref(),
                e.to.as_deref().unwrap_or("")
            ),
            (Direction::Out, Some("1001"), "0231000000")
        );
        let e = parse(JSON, &posted("call_ended", ended(out, 17)))
            .unwrap()
            .unwrap();
        assert_eq!(
            (e.from, e.to.as_deref().unwrap_or(""), e.cause),
            (None, "0231000000", Some(HangupCause::Busy))
        );
    }

    #[test]
    fn withheld_callers() {
        // An empty peer number is dumped as the dialled extension (`CallSchema`'s
        // `default_peer_caller_id_number`).
        let mut hidden = leg();
        hidden["peer_caller_id_number"] = "0231000000".into();
        for data in [hidden, {
            let mut a = leg();
            a["peer_caller_id_number"] = "anonymous".into();
            a
        }] {
            let e = parse(JSON, &posted("call_created", data)).unwrap().unwrap();
            assert_eq!(e.from, None);
        }
    }

    #[test]
    fn what_says_nothing_of_an_agent_call_is_ignored() {
        let mut trunk = leg();
        trunk["user_uuid"] = Value::Null;
        trunk["is_caller"] = true.into();
        for body in [
            posted("call_created", trunk.clone()),
            trunk.to_string().into_bytes(),
            posted("call_updated", leg()),
            posted(
                "call_held",
                json!({"call_id": "1764583200.41", "user_uuid": BERNARD}),
            ),
        ] {
            assert_eq!(
                parse(JSON, &body).unwrap(),
                None,
                "{}",
                String::from_utf8_lossy(&body)
            );
        }
    }

    #[test]
    fn hangup_causes() {
        for (code, cause) in [
            ("16", Some(HangupCause::NormalClearing)),
            ("17", Some(HangupCause::Busy)),
            ("19", Some(HangupCause::NoAnswer)),
            ("21", Some(HangupCause::NoAnswer)),
            ("1", Some(HangupCause::NotFound)),
            ("26", Some(HangupCause::Forwarded)),
            ("34", Some(HangupCause::Congestion)),
            ("0", None),
            ("127", Some(HangupCause::Other("127".into()))),
        ] {
            assert_eq!(q850(code), cause, "{code}");
        }
    }

    #[test]
    fn errors_name_the_field() {
        let mut no_id = leg();
        no_id.as_object_mut().unwrap().remove("call_id");
        let mut bad_caller = leg();
        bad_caller["is_caller"] = "yes".into();
        for (body, error) in [
            (
                json!({"data": leg()}).to_string().into_bytes(),
                "« name » manque : call_created, call_answered ou call_ended attendu",
            ),
            (
                posted("call_created", no_id.clone()),
                "« call_id » manque : l'identifiant de l'appel est obligatoire",
            ),
            (
                no_id.to_string().into_bytes(),
                "ni « name » et « data » (le corps de l'abonnement), ni « call_id » (les \
                 données d'un appel) : événement d'appel de Wazo attendu",
            ),
            (
                posted("call_created", bad_caller),
                "champ « is_caller » : true ou false attendu",
            ),
            (
                json!({"name": "call_created", "data": "x"})
                    .to_string()
                    .into_bytes(),
                "champ « data » : un objet JSON attendu",
            ),
        ] {
            assert_eq!(
                parse(JSON, &body).unwrap_err(),
                error,
                "{}",
                String::from_utf8_lossy(&body)
            );
        }
    }
}
