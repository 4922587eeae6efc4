//! A small synchronous client of GLPI's REST API (`apirest.php`): `initSession` with the
//! user token and the application token, the items it needs, `killSession`. Every request
//! has a time limit (the connection and the whole exchange); an expired session is opened
//! again once. Its errors are one French sentence, never with a token in it.

use super::Settings;
use serde_json::Value;
use std::time::Duration;
use ureq::Agent;
use ureq::tls::{RootCerts, TlsConfig, TlsProvider};

/// Why a request to GLPI failed, in one sentence without any token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct GlpiError(pub String);

/// One conversation with GLPI: its session opened on the first request.
pub struct Client<'a> {
    settings: &'a Settings,
    agent: Agent,
    session: Option<String>,
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

impl<'a> Client<'a> {
    pub fn new(settings: &'a Settings) -> Client<'a> {
        Client {
            settings,
            agent: agent(settings.timeout),
            session: None,
            request_type: None,
        }
    }

    /// A sentence without the tokens, whatever a server or a library put in it.
    fn scrub(&self, text: String) -> String {
        let mut text = text.replace(self.settings.user_token(), "…");
        if let Some(s) = &self.session {
            text = text.replace(s.as_str(), "…");
        }
        text
    }

    fn transport(&self, what: &str, e: ureq::Error) -> GlpiError {
        let sentence = match &e {
            ureq::Error::Timeout(_) => format!(
                "GLPI ({}) n'a pas répondu à temps ({} s) pour {what}",
                self.settings.url,
                self.settings.timeout.as_secs()
            ),
            ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
                format!(
                    "GLPI injoignable ({}) : connexion refusée pour {what}",
                    self.settings.url
                )
            }
            ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => format!(
                "GLPI ({}) n'a pas répondu à temps ({} s) pour {what}",
                self.settings.url,
                self.settings.timeout.as_secs()
            ),
            other => format!(
                "GLPI injoignable ({}) pour {what} : {other}",
                self.settings.url
            ),
        };
        GlpiError(self.scrub(sentence))
    }

    fn refused(&self, what: &str, status: u16, body: &Value) -> GlpiError {
        // GLPI's errors are an array: ["ERROR_…", "a message"].
        let detail = match body {
            Value::Array(parts) => parts
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(" : "),
            Value::Null => String::new(),
            other => other.to_string(),
        };
        let detail: String = detail.chars().take(200).collect();
        let sentence = if detail.is_empty() {
            format!("GLPI a refusé {what} (HTTP {status})")
        } else {
            format!(
                "GLPI a refusé {what} (HTTP {status} : {})",
                crate::domain::text::visible(&detail)
            )
        };
        GlpiError(self.scrub(sentence))
    }

    /// One request; the status and the body read as JSON (`Null` when empty).
    fn raw(
        &self,
        what: &str,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Result<(u16, Value), GlpiError> {
        let url = format!("{}/{path}", self.settings.url);
        let response = match (method, body) {
            ("POST", Some(body)) => {
                let mut req = self
                    .agent
                    .post(&url)
                    .header("Content-Type", "application/json");
                for (k, v) in headers {
                    req = req.header(*k, *v);
                }
                req.send(body.to_string())
            }
            _ => {
                let mut req = self.agent.get(&url);
                for (k, v) in headers {
                    req = req.header(*k, *v);
                }
                req.call()
            }
        };
        let mut response = response.map_err(|e| self.transport(what, e))?;
        let status = response.status().as_u16();
        let text = response
            .body_mut()
            .read_to_string()
            .map_err(|e| self.transport(what, e))?;
        let value = if text.trim().is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        Ok((status, value))
    }

    fn open_session(&mut self) -> Result<String, GlpiError> {
        let authorization = format!("user_token {}", self.settings.user_token());
        let (status, body) = self.raw(
            "l'ouverture de session",
            "GET",
            "initSession",
            &[
                ("App-Token", &self.settings.app_token),
                ("Authorization", &authorization),
            ],
            None,
        )?;
        let token = body.get("session_token").and_then(Value::as_str);
        match (status, token) {
            (200, Some(token)) => {
                self.session = Some(token.to_string());
                Ok(token.to_string())
            }
            _ => Err(self.refused("l'ouverture de session", status, &body)),
        }
    }

    /// A request in the session (opened first if need be); a session GLPI says has
    /// expired is opened again, once.
    fn request(
        &mut self,
        what: &str,
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> Result<(u16, Value), GlpiError> {
        let mut renewed = false;
        loop {
            let session = match &self.session {
                Some(s) => s.clone(),
                None => self.open_session()?,
            };
            let (status, value) = self.raw(
                what,
                method,
                path,
                &[
                    ("App-Token", &self.settings.app_token),
                    ("Session-Token", &session),
                ],
                body,
            )?;
            let expired =
                status == 401 && value.to_string().contains("ERROR_SESSION_TOKEN_INVALID");
            if expired && !renewed {
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
        let path = format!("RequestType?searchText[name]={}&range=0-200", encode(name));
        let (status, body) = self.request(what, "GET", &path, None)?;
        if !(200..300).contains(&status) {
            return Err(self.refused(what, status, &body));
        }
        let found = body.as_array().and_then(|items| {
            items.iter().find_map(|item| {
                let same = item
                    .get("name")
                    .and_then(Value::as_str)
                    .is_some_and(|n| n.trim().eq_ignore_ascii_case(name.trim()));
                same.then(|| item.get("id").and_then(Value::as_i64))
                    .flatten()
            })
        });
        let Some(id) = found else {
            return Err(GlpiError(format!(
                "GLPI n'a pas de type de demande « {} » : vérifier request_type dans [glpi]",
                crate::domain::text::named(name)
            )));
        };
        self.request_type = Some((name.to_string(), id));
        Ok(id)
    }

    /// Creates an item (`POST itemtype` with `{"input": …}`): its new id.
    pub fn create(&mut self, itemtype: &str, input: Value) -> Result<i64, GlpiError> {
        let what = match itemtype {
            "Ticket" => "la création du ticket",
            _ => "l'ajout du suivi",
        };
        let body = serde_json::json!({ "input": input });
        let (status, value) = self.request(what, "POST", itemtype, Some(&body))?;
        if status != 201 {
            return Err(self.refused(what, status, &value));
        }
        value
            .get("id")
            .and_then(|id| id.as_i64().or_else(|| id.as_str()?.parse().ok()))
            .ok_or_else(|| GlpiError(format!("GLPI n'a pas donné le numéro de {what}")))
    }

    /// The ticket whose name or content holds `marker`, if GLPI has one (the oldest).
    pub fn find_ticket(&mut self, marker: &str) -> Result<Option<i64>, GlpiError> {
        let what = "la recherche d'un ticket déjà créé";
        for field in ["name", "content"] {
            let path = format!("Ticket?searchText[{field}]={}&range=0-50", encode(marker));
            let (status, body) = self.request(what, "GET", &path, None)?;
            if !(200..300).contains(&status) {
                return Err(self.refused(what, status, &body));
            }
            let found = body.as_array().and_then(|items| {
                items
                    .iter()
                    .filter(|item| {
                        item.get(field)
                            .and_then(Value::as_str)
                            .is_some_and(|t| t.contains(marker))
                    })
                    .filter_map(|item| item.get("id").and_then(Value::as_i64))
                    .min()
            });
            if found.is_some() {
                return Ok(found);
            }
        }
        Ok(None)
    }

    /// Whether the ticket already has a followup holding `marker`.
    pub fn has_followup(&mut self, ticket: i64, marker: &str) -> Result<bool, GlpiError> {
        let what = "la recherche d'un suivi déjà envoyé";
        let path = format!("Ticket/{ticket}/ITILFollowup?range=0-1000");
        let (status, body) = self.request(what, "GET", &path, None)?;
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

    /// Ends the session (`killSession`), if one was opened; a failure there changes
    /// nothing (GLPI ends idle sessions itself).
    pub fn close(&mut self) {
        if let Some(session) = self.session.take() {
            let _ = self.raw(
                "la fermeture de session",
                "GET",
                "killSession",
                &[
                    ("App-Token", &self.settings.app_token),
                    ("Session-Token", &session),
                ],
                None,
            );
        }
    }
}
