//! What the XiVO and Wazo adapters share: their JSON body read into an object, a field's
//! text, and the checks of a call identifier, an extension and a caller as guichet keeps
//! them. Every error is one French sentence that names the field as the platform spells
//! it and shows the value inert ([`named`]).

use crate::domain::phone::event::{MAX_CALL_ID, MAX_NAME};
use crate::domain::phone::number;
use crate::domain::text::{is_unsafe, named};
use serde_json::{Map, Value};

/// The body of a platform's event as a JSON object. JSON is what XiVO's XUC posts and
/// what docs/telephonie.md's webhookd subscription sends; `text/plain` is the content type
/// webhookd gives a templated body when the subscription names none
/// (wazo-webhookd, `wazo_webhookd/services/http/plugin.py`).
pub(super) fn object(
    content_type: Option<&str>,
    body: &[u8],
) -> Result<Map<String, Value>, String> {
    let ct = content_type.map(str::trim).unwrap_or("");
    let media = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let json = media.is_empty()
        || media == "application/json"
        || media == "text/plain"
        || (media.starts_with("application/") && media.ends_with("+json"));
    if !json {
        return Err(format!(
            "type de contenu « {} » non pris en charge : application/json attendu",
            named(ct)
        ));
    }
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        format!(
            "JSON illisible, ligne {}, colonne {} : un objet attendu",
            e.line(),
            e.column()
        )
    })?;
    match value {
        Value::Object(map) => Ok(map),
        _ => Err("JSON : un objet attendu".into()),
    }
}

/// The object in `field` of `object`; `None` when absent or null.
pub(super) fn nested<'a>(
    object: &'a Map<String, Value>,
    field: &str,
) -> Result<Option<&'a Map<String, Value>>, String> {
    match object.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(inner)) => Ok(Some(inner)),
        Some(_) => Err(format!("champ « {field} » : un objet JSON attendu")),
    }
}

/// The text of `field` in `object`, trimmed: a string, or a whole number's digits (an
/// identifier sent as a number); `None` when absent, null or blank.
pub(super) fn text(object: &Map<String, Value>, field: &str) -> Result<Option<String>, String> {
    let t = match object.get(field) {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::String(s)) => s.trim().to_string(),
        Some(Value::Number(n)) if n.is_u64() || n.is_i64() => n.to_string(),
        Some(_) => return Err(format!("champ « {field} » : du texte attendu dans le JSON")),
    };
    Ok((!t.is_empty()).then_some(t))
}

/// The boolean in `field` of `object`; `false` when absent or null.
pub(super) fn flag(object: &Map<String, Value>, field: &str) -> Result<bool, String> {
    match object.get(field) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(_) => Err(format!("champ « {field} » : true ou false attendu")),
    }
}

/// A word of at most `max` visible characters, no space.
fn word(value: &str, field: &str, max: usize, what: &str) -> Result<String, String> {
    let count = value.chars().count();
    if count > max {
        return Err(format!(
            "« {field} » trop long : {count} caractères, {max} au plus"
        ));
    }
    if value.chars().any(|c| c.is_whitespace() || is_unsafe(c)) {
        return Err(format!(
            "{what} invalide « {} » pour « {field} » : des caractères visibles sans espace \
             attendus",
            named(value)
        ));
    }
    Ok(value.to_string())
}

/// The platform's identifier of a call (of one agent's leg of it).
pub(super) fn call_id(value: &str, field: &str) -> Result<String, String> {
    word(value, field, MAX_CALL_ID, "identifiant d'appel")
}

/// An identifier of the platform's user (a login, a UUID): a word, never read as a
/// number.
pub(super) fn login(value: &str, field: &str) -> Result<String, String> {
    word(value, field, MAX_NAME, "identifiant d'utilisateur")
}

/// An agent's line or login, or a number dialled: normalised when it is a number (as
/// the consoles compare them), else kept as a word.
pub(super) fn extension(value: &str, field: &str) -> Result<String, String> {
    match number::normalize(value) {
        Ok(n) => Ok(n),
        Err(_) => word(value, field, MAX_NAME, "poste"),
    }
}

/// The caller as guichet keeps it: `None` when withheld (`anonymous`, empty…), the
/// number normalised when it is one, else the caller id as given (`sip:anonymous@…`, a
/// name), of at most [`MAX_NAME`] characters and no control character.
pub(super) fn caller(value: &str, field: &str) -> Result<Option<String>, String> {
    if number::is_withheld(value) {
        return Ok(None);
    }
    if let Ok(n) = number::normalize(value) {
        return Ok(Some(n));
    }
    if let Some(c) = value.chars().find(|&c| is_unsafe(c)) {
        return Err(format!(
            "appelant invalide « {} » pour « {field} » : caractère de contrôle U+{:04X}",
            named(value),
            c as u32
        ));
    }
    let count = value.chars().count();
    if count > MAX_NAME {
        return Err(format!(
            "« {field} » trop long : {count} caractères, {MAX_NAME} au plus"
        ));
    }
    Ok(Some(value.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => unreachable!(),
        }
    }

    #[test]
    fn bodies_are_json_objects() {
        for ct in [
            None,
            Some("application/json"),
            Some("application/json; charset=utf-8"),
            Some("text/plain; charset=utf-8"),
            Some("application/vnd.x+json"),
        ] {
            assert!(object(ct, b"{}").is_ok(), "{ct:?}");
        }
        assert_eq!(
            object(Some("application/x-www-form-urlencoded"), b"a=b").unwrap_err(),
            "type de contenu « application/x-www-form-urlencoded » non pris en charge : \
             application/json attendu"
        );
        assert_eq!(
            object(None, b"{\"a\":").unwrap_err(),
            "JSON illisible, ligne 1, colonne 5 : un objet attendu"
        );
        assert_eq!(object(None, b"[1]").unwrap_err(), "JSON : un objet attendu");
    }

    #[test]
    fn fields_are_read_as_text_flags_and_objects() {
        let m = map(
            json!({"s": " a ", "n": 42, "blank": " ", "null": null, "b": true,
                           "o": {"x": 1}, "f": 1.5}),
        );
        assert_eq!(text(&m, "s").unwrap().as_deref(), Some("a"));
        assert_eq!(text(&m, "n").unwrap().as_deref(), Some("42"));
        assert_eq!(text(&m, "blank").unwrap(), None);
        assert_eq!(text(&m, "null").unwrap(), None);
        assert_eq!(text(&m, "absent").unwrap(), None);
        assert_eq!(
            text(&m, "f").unwrap_err(),
            "champ « f » : du texte attendu dans le JSON"
        );
        assert!(flag(&m, "b").unwrap());
        assert!(!flag(&m, "absent").unwrap());
        assert_eq!(
            flag(&m, "s").unwrap_err(),
            "champ « s » : true ou false attendu"
        );
        assert!(nested(&m, "o").unwrap().is_some());
        assert_eq!(
            nested(&m, "s").unwrap_err(),
            "champ « s » : un objet JSON attendu"
        );
    }

    #[test]
    fn callers_extensions_and_ids() {
        assert_eq!(
            caller("06 12 34 56 78", "x").unwrap().as_deref(),
            Some("0612345678")
        );
        assert_eq!(caller("anonymous", "x").unwrap(), None);
        assert_eq!(
            caller("sip:anonymous@example.org", "x").unwrap().as_deref(),
            Some("sip:anonymous@example.org")
        );
        assert_eq!(
            caller("Zoé\u{7}", "otherDN").unwrap_err(),
            "appelant invalide « Zoé␇ » pour « otherDN » : caractère de contrôle U+0007"
        );
        assert_eq!(extension("1000", "DN").unwrap(), "1000");
        assert_eq!(extension("alicej", "DN").unwrap(), "alicej");
        assert_eq!(
            extension("jean dupont", "DN").unwrap_err(),
            "poste invalide « jean dupont » pour « DN » : des caractères visibles sans \
             espace attendus"
        );
        assert_eq!(
            call_id("1469709960.78", "uniqueId").unwrap(),
            "1469709960.78"
        );
        assert_eq!(
            call_id(&"a".repeat(MAX_CALL_ID + 1), "uniqueId").unwrap_err(),
            format!(
                "« uniqueId » trop long : {} caractères, {MAX_CALL_ID} au plus",
                MAX_CALL_ID + 1
            )
        );
    }
}
