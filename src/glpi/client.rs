//! A small synchronous client of GLPI's APIs, the legacy one (`apirest.php`: `initSession`
//! with the user token and the application token, the items it needs, `killSession`) and
//! the high-level one of GLPI 11 and later (`api.php`: an OAuth2 access token by the
//! password grant, `Assistance/Ticket` and its timeline's followups). Every request has a
//! time limit (the connection and the whole exchange); an expired session or access token
//! is renewed once; no redirect is followed (the secrets go to the configured address only).
//! Its errors are one French sentence, with GLPI's own text quoted short, made inert and
//! scrubbed of every secret guichet sent, and say whether GLPI could be reached and
//! whether a creating request may have created something.

use super::Settings;
use super::secret::scrub;
use super::settings::Auth;
use crate::domain::text::visible;
use serde_json::Value;
use std::time::Duration;
use ureq::Agent;
use ureq::tls::{RootCerts, TlsConfig, TlsProvider};
use zeroize::Zeroizing;

/// How a request to GLPI failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// GLPI answered: a refusal, a redirect, a bad answer.
    Answered,
    /// Nothing reached GLPI (the connection was refused, the name is unknown).
    Unreached,
    /// The answer never came (a time limit, a connection cut): GLPI may have done it.
    Lost,
}

/// Why a request to GLPI failed, in one sentence without any secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{sentence}")]
pub struct GlpiError {
    pub sentence: String,
    pub reach: Reach,
    /// A creating request that may have created its item in GLPI all the same (its answer
    /// lost, a server error, an answer without a valid id): « en doute ».
    pub doubt: bool,
}

impl GlpiError {
    fn answered(sentence: String) -> GlpiError {
        GlpiError {
            sentence,
            reach: Reach::Answered,
            doubt: false,
        }
    }

    /// Whether the network failed (GLPI not reached, or its answer lost): the requests
    /// after it would fail alike.
    pub fn network(&self) -> bool {
        self.reach != Reach::Answered
    }
}

/// What the hand-off creates in GLPI, whichever API it speaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    Ticket {
        name: String,
        content: String,
        request_type: i64,
        urgency: u8,
        category: Option<i64>,
    },
    Followup {
        ticket: i64,
        content: String,
    },
}

/// A request's body.
enum Body<'b> {
    Json(&'b Value),
    /// `application/x-www-form-urlencoded` (OAuth2's token request).
    Form(&'b str),
}

/// One conversation with GLPI: its session (or access token) opened on the first request.
pub struct Client<'a> {
    settings: &'a Settings,
    agent: Agent,
    session: Option<Zeroizing<String>>,
    /// Every session token GLPI gave, scrubbed from what comes back.
    sessions: Vec<Zeroizing<String>>,
    /// GLPI refused to open a session: said again without asking it each time.
    refused: Option<GlpiError>,
    request_type: Option<(String, i64)>,
}

fn agent(timeout: Duration) -> Agent {
    // native-tls with the system's authorities: the one crypto stack of the program
    // (PostgreSQL's connections use it too).
    let tls = TlsConfig::builder()
        .provider(TlsProvider::NativeTls)
        .root_certs(RootCerts::PlatformVerifier)
        .build();
    Agent::config_builder()
        .timeout_connect(Some(timeout.min(Duration::from_secs(3))))
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        // A redirect is answered as it is, and refused: the tokens never follow one.
        .max_redirects(0)
        .tls_config(tls)
        .user_agent("guichet")
        .build()
        .into()
}

/// Percent-encodes a query value.
fn encode(value: &str) -> String {
    let mut out = String::new();
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// An id GLPI gave: a positive integer (a JSON number, or digits in a string).
pub fn positive_id(value: &Value) -> Option<i64> {
    let id = match value {
        Value::Number(n) => n.as_i64()?,
        Value::String(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
            s.parse().ok()?
        }
        _ => return None,
    };
    (id > 0).then_some(id)
}

/// How much of GLPI's own text an error quotes.
const QUOTED: usize = 160;

impl<'a> Client<'a> {
    pub fn new(settings: &'a Settings) -> Client<'a> {
        Client {
            settings,
            agent: agent(settings.timeout),
            session: None,
            sessions: Vec::new(),
            refused: None,
            request_type: None,
        }
    }

    /// Text from GLPI or the network library as a sentence may quote it: bounded, without
    /// any secret guichet sent (nor a piece of one), inert, cut to `QUOTED` characters.
    fn quote(&self, text: &str) -> String {
        let bounded: String = text.chars().take(4000).collect();
        let mut secrets = self.settings.secrets();
        secrets.extend(self.sessions.iter().map(|s| s.as_str()));
        let clean = scrub(&bounded, &secrets);
        let shown = visible(&clean);
        let count = shown.chars().count();
        if count <= QUOTED {
            shown.into_owned()
        } else {
            let cut: String = shown.chars().take(QUOTED).collect();
            format!("{cut}…")
        }
    }

    fn transport(&self, what: &str, e: ureq::Error) -> GlpiError {
        let url = &self.settings.shown_url;
        let late = || {
            format!(
                "GLPI ({url}) n'a pas répondu à temps ({} s) pour {what}",
                self.settings.timeout.as_secs()
            )
        };
        let (sentence, reach) = match &e {
            ureq::Error::Timeout(_) => (late(), Reach::Lost),
            ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => {
                (late(), Reach::Lost)
            }
            ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => (
                format!("GLPI injoignable ({url}) : connexion refusée pour {what}"),
                Reach::Unreached,
            ),
            ureq::Error::HostNotFound => (
                format!("GLPI injoignable ({url}) : nom inconnu pour {what}"),
                Reach::Unreached,
            ),
            other => (
                format!(
                    "GLPI injoignable ({url}) pour {what} : {}",
                    self.quote(&other.to_string())
                ),
                Reach::Lost,
            ),
        };
        GlpiError {
            sentence,
            reach,
            doubt: false,
        }
    }

    fn refused(&self, what: &str, status: u16, body: &Value) -> GlpiError {
        // The legacy API's errors are an array: ["ERROR_…", "a message"]; the high-level
        // API's an object ({"status", "title", "detail"}), its token endpoint's OAuth2's
        // ({"error", "error_description"}).
        let detail = match body {
            Value::Array(parts) => parts
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(" : "),
            Value::Object(fields) => {
                let known = ["status", "title", "detail", "error", "error_description"];
                let parts: Vec<&str> = known
                    .iter()
                    .filter_map(|k| fields.get(*k).and_then(Value::as_str))
                    .collect();
                if parts.is_empty() {
                    body.to_string()
                } else {
                    parts.join(" : ")
                }
            }
            Value::Null => String::new(),
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let sentence = if detail.trim().is_empty() {
            format!("GLPI a refusé {what} (HTTP {status})")
        } else {
            format!(
                "GLPI a refusé {what} (HTTP {status} : {})",
                self.quote(&detail)
            )
        };
        GlpiError::answered(sentence)
    }

    /// One request; the status and the body read as JSON (`Null` when empty). A redirect
    /// is an error naming where it led.
    fn raw(
        &self,
        what: &str,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<Body<'_>>,
    ) -> Result<(u16, Value), GlpiError> {
        let url = Zeroizing::new(format!("{}/{path}", self.settings.url()));
        let response = match (method, body) {
            ("POST", Some(body)) => {
                let (kind, text) = match body {
                    Body::Json(value) => ("application/json", Zeroizing::new(value.to_string())),
                    Body::Form(form) => (
                        "application/x-www-form-urlencoded",
                        Zeroizing::new(form.to_string()),
                    ),
                };
                let mut req = self.agent.post(url.as_str()).header("Content-Type", kind);
                for (k, v) in headers {
                    req = req.header(*k, *v);
                }
                req.send(text.as_bytes())
            }
            _ => {
                let mut req = self.agent.get(url.as_str());
                for (k, v) in headers {
                    req = req.header(*k, *v);
                }
                req.call()
            }
        };
        let mut response = response.map_err(|e| self.transport(what, e))?;
        let status = response.status().as_u16();
        if (300..400).contains(&status) {
            let target = response
                .headers()
                .get("location")
                .and_then(|l| l.to_str().ok())
                .map(|l| super::secret::split_userinfo(l).0)
                .unwrap_or_default();
            return Err(GlpiError::answered(format!(
                "GLPI ({}) renvoie ailleurs (HTTP {status} vers « {} ») pour {what} : \
                 redirection refusée, les jetons ne partent que vers l'url de [glpi] (y \
                 mettre la bonne adresse)",
                self.settings.shown_url,
                self.quote(&target)
            )));
        }
        let text = Zeroizing::new(
            response
                .body_mut()
                .read_to_string()
                .map_err(|e| self.transport(what, e))?,
        );
        let value = if text.trim().is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|_| Value::String(text.to_string()))
        };
        Ok((status, value))
    }

    /// The session (legacy API) or the access token (high-level API), opened first if need
    /// be. GLPI refusing to open one is said once per conversation: the pushes after it
    /// are refused alike, without asking again.
    fn session(&mut self) -> Result<Zeroizing<String>, GlpiError> {
        if let Some(s) = &self.session {
            return Ok(s.clone());
        }
        if let Some(e) = &self.refused {
            return Err(e.clone());
        }
        let what = "l'ouverture de session";
        let (status, body, field) = match self.settings.auth() {
            Auth::Legacy {
                app_token,
                user_token,
            } => {
                let authorization = Zeroizing::new(format!("user_token {}", user_token.as_str()));
                let (status, body) = self.raw(
                    what,
                    "GET",
                    "initSession",
                    &[("App-Token", app_token), ("Authorization", &authorization)],
                    None,
                )?;
                (status, body, "session_token")
            }
            Auth::V2 {
                client_id,
                username,
                client_secret,
                password,
            } => {
                let form = Zeroizing::new(format!(
                    "grant_type=password&client_id={}&client_secret={}&username={}\
                     &password={}&scope=api",
                    encode(client_id),
                    Zeroizing::new(encode(client_secret)).as_str(),
                    encode(username),
                    Zeroizing::new(encode(password)).as_str(),
                ));
                let (status, body) =
                    self.raw(what, "POST", "token", &[], Some(Body::Form(&form)))?;
                (status, body, "access_token")
            }
        };
        let token = body.get(field).and_then(Value::as_str);
        match (status, token) {
            (200, Some(token)) if !token.trim().is_empty() => {
                let token = Zeroizing::new(token.to_string());
                self.sessions.push(token.clone());
                self.session = Some(token.clone());
                Ok(token)
            }
            _ => {
                let e = self.refused(what, status, &body);
                self.refused = Some(e.clone());
                Err(e)
            }
        }
    }

    /// The headers that carry the session (legacy) or the access token (high-level).
    fn credentials(&self, session: &str) -> Vec<(&'static str, Zeroizing<String>)> {
        match self.settings.auth() {
            Auth::Legacy { app_token, .. } => vec![
                ("App-Token", app_token.clone()),
                ("Session-Token", Zeroizing::new(session.to_string())),
            ],
            Auth::V2 { .. } => vec![("Authorization", Zeroizing::new(format!("Bearer {session}")))],
        }
    }

    fn legacy(&self) -> bool {
        matches!(self.settings.auth(), Auth::Legacy { .. })
    }

    /// Whether GLPI says the session (legacy) or the access token (high-level) has
    /// expired: worth opening a new one, once.
    fn expired(&self, status: u16, value: &Value) -> bool {
        status == 401
            && (!self.legacy() || value.to_string().contains("ERROR_SESSION_TOKEN_INVALID"))
    }

    /// A request in the session (opened first if need be); a session GLPI says has
    /// expired is opened again, once.
    fn request(&mut self, what: &str, path: &str) -> Result<(u16, Value), GlpiError> {
        let mut renewed = false;
        loop {
            let session = self.session()?;
            let credentials = self.credentials(&session);
            let headers: Vec<(&str, &str)> =
                credentials.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let (status, value) = self.raw(what, "GET", path, &headers, None)?;
            if self.expired(status, &value) && !renewed {
                self.session = None;
                renewed = true;
                continue;
            }
            return Ok((status, value));
        }
    }

    /// The id of the request type named `name` (any case), looked up in GLPI.
    pub fn request_type_id(&mut self, name: &str) -> Result<i64, GlpiError> {
        if let Some((n, id)) = &self.request_type
            && n == name
        {
            return Ok(*id);
        }
        let what = "la recherche du type de demande";
        let path = if self.legacy() {
            format!("RequestType?searchText[name]={}&range=0-200", encode(name))
        } else {
            let filter = format!("name==\"{}\"", name.replace('"', ""));
            format!(
                "v2/Dropdowns/RequestType?filter={}&limit=200",
                encode(&filter)
            )
        };
        let (status, body) = self.request(what, &path)?;
        if !(200..300).contains(&status) {
            return Err(self.refused(what, status, &body));
        }
        let found = body.as_array().and_then(|items| {
            items.iter().find_map(|item| {
                let same = item
                    .get("name")
                    .and_then(Value::as_str)
                    .is_some_and(|n| n.trim().eq_ignore_ascii_case(name.trim()));
                same.then(|| item.get("id").and_then(positive_id)).flatten()
            })
        });
        let Some(id) = found else {
            return Err(GlpiError::answered(format!(
                "GLPI n'a pas de type de demande « {} » : vérifier request_type dans [glpi]",
                crate::domain::text::named(name)
            )));
        };
        self.request_type = Some((name.to_string(), id));
        Ok(id)
    }

    /// Creates an item (legacy: `POST Ticket` or `POST ITILFollowup` with `{"input": …}`;
    /// high-level: `POST v2/Assistance/Ticket` or its `Timeline/Followup`): its new id.
    /// `before` runs right before each request is sent (the push is then written « en
    /// doute »); what it refuses stops everything. A lost answer, a server error or an
    /// answer without a valid id is an error in doubt: GLPI may have created the item.
    pub fn create<E: From<GlpiError>>(
        &mut self,
        item: &Item,
        before: &mut dyn FnMut() -> Result<(), E>,
    ) -> Result<i64, E> {
        let (what, path, body) = self.creation(item);
        let mut renewed = false;
        loop {
            let session = self.session()?;
            before()?;
            let credentials = self.credentials(&session);
            let headers: Vec<(&str, &str)> =
                credentials.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let sent = self.raw(what, "POST", &path, &headers, Some(Body::Json(&body)));
            let (status, value) = match sent {
                Ok(answer) => answer,
                Err(mut e) => {
                    e.doubt = e.reach == Reach::Lost;
                    return Err(e.into());
                }
            };
            if self.expired(status, &value) && !renewed {
                self.session = None;
                renewed = true;
                continue;
            }
            // The legacy API answers 201; the high-level one 200 (or 201), with the id and
            // the item's address.
            let created = status == 201 || (status == 200 && !self.legacy());
            if !created {
                let mut e = self.refused(what, status, &value);
                e.doubt = status >= 500;
                return Err(e.into());
            }
            let id = value.get("id").cloned().unwrap_or(Value::Null);
            return positive_id(&id).ok_or_else(|| {
                let shown = match &id {
                    Value::Null => "rien".to_string(),
                    other => format!("« {} »", self.quote(&other.to_string())),
                };
                GlpiError {
                    sentence: format!(
                        "GLPI a répondu à {what} sans numéro valable ({shown} au lieu d'un \
                         entier positif)"
                    ),
                    reach: Reach::Answered,
                    doubt: true,
                }
                .into()
            });
        }
    }

    /// What creating `item` is called, where it is sent, and its body, in this API.
    fn creation(&self, item: &Item) -> (&'static str, String, Value) {
        match (item, self.legacy()) {
            (
                Item::Ticket {
                    name,
                    content,
                    request_type,
                    urgency,
                    category,
                },
                legacy,
            ) => {
                let mut body =
                    serde_json::json!({ "name": name, "content": content, "urgency": urgency });
                let (request_key, category_key) = if legacy {
                    ("requesttypes_id", "itilcategories_id")
                } else {
                    ("request_type", "category")
                };
                body[request_key] = (*request_type).into();
                if let Some(category) = category {
                    body[category_key] = (*category).into();
                }
                if legacy {
                    let body = serde_json::json!({ "input": body });
                    ("la création du ticket", "Ticket".into(), body)
                } else {
                    ("la création du ticket", "v2/Assistance/Ticket".into(), body)
                }
            }
            (Item::Followup { ticket, content }, true) => (
                "l'ajout du suivi",
                "ITILFollowup".into(),
                serde_json::json!({ "input": {
                    "itemtype": "Ticket",
                    "items_id": ticket,
                    "content": content,
                } }),
            ),
            (Item::Followup { ticket, content }, false) => (
                "l'ajout du suivi",
                format!("v2/Assistance/Ticket/{ticket}/Timeline/Followup"),
                serde_json::json!({ "content": content }),
            ),
        }
    }

    /// The ticket guichet named with `marker` (its name begins with it, exactly), if GLPI
    /// has one: the oldest.
    pub fn find_ticket(
        &mut self,
        names: &dyn Fn(&str) -> bool,
        marker: &str,
    ) -> Result<Option<i64>, GlpiError> {
        let what = "la recherche d'un ticket déjà créé";
        let path = if self.legacy() {
            format!("Ticket?searchText[name]={}&range=0-50", encode(marker))
        } else {
            // RSQL's =like= (case-sensitive): `*` any text; the marker holds no `%`, `*`
            // nor `"`.
            let filter = format!("name=like=\"{marker}*\"");
            format!("v2/Assistance/Ticket?filter={}&limit=50", encode(&filter))
        };
        let (status, body) = self.request(what, &path)?;
        if !(200..300).contains(&status) {
            return Err(self.refused(what, status, &body));
        }
        Ok(body.as_array().and_then(|items| {
            items
                .iter()
                .filter(|item| item.get("name").and_then(Value::as_str).is_some_and(names))
                .filter_map(|item| item.get("id").and_then(positive_id))
                .min()
        }))
    }

    /// Whether the ticket already has a followup holding `marker`.
    pub fn has_followup(&mut self, ticket: i64, marker: &str) -> Result<bool, GlpiError> {
        let what = "la recherche d'un suivi déjà envoyé";
        let path = if self.legacy() {
            format!("Ticket/{ticket}/ITILFollowup?range=0-1000")
        } else {
            format!("v2/Assistance/Ticket/{ticket}/Timeline/Followup?limit=1000")
        };
        let (status, body) = self.request(what, &path)?;
        if !(200..300).contains(&status) {
            return Err(self.refused(what, status, &body));
        }
        Ok(body.as_array().is_some_and(|items| {
            items.iter().any(|item| {
                item.get("content")
                    .and_then(Value::as_str)
                    .is_some_and(|c| c.contains(marker))
            })
        }))
    }

    /// Forgets the session without ending it: GLPI is not answering, and saying goodbye
    /// would cost one more time limit (GLPI ends idle sessions itself).
    pub fn abandon(&mut self) {
        self.session = None;
    }

    /// Ends the legacy API's session (`killSession`), if one was opened; a failure there
    /// changes nothing (GLPI ends idle sessions itself). The high-level API's access token
    /// is left to expire (GLPI documents no revocation).
    pub fn close(&mut self) {
        if let Some(session) = self.session.take()
            && self.legacy()
        {
            let credentials = self.credentials(&session);
            let headers: Vec<(&str, &str)> =
                credentials.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let _ = self.raw(
                "la fermeture de session",
                "GET",
                "killSession",
                &headers,
                None,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ids_are_positive_integers() {
        assert_eq!(positive_id(&json!(1234)), Some(1234));
        assert_eq!(positive_id(&json!("1234")), Some(1234));
        for bad in [
            json!(-5),
            json!(0),
            json!("-5"),
            json!("12abc"),
            json!(""),
            json!(1.5),
            json!(null),
            json!([1]),
            json!(u64::MAX),
        ] {
            assert_eq!(positive_id(&bad), None, "{bad}");
        }
    }
}
