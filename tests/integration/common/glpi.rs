//! A GLPI stand-in: a small HTTP/1.1 server on loopback that follows GLPI's documented
//! REST API (`apirest.php`) for what guichet uses: it refuses a request without the right
//! App-Token, user token or Session-Token (401 and GLPI's error arrays), answers
//! `initSession` with a session token, lists request types ("Phone" at id 7, not 3),
//! answers `POST Ticket` and `POST ITILFollowup` with 201 and the new id, searches tickets
//! (`searchText`: a substring, any case, as GLPI's `LIKE` does), lists a ticket's
//! followups, and records every request it received. Its failure modes: 500 (before or
//! after storing the ticket), no answer at all, an expired session, a ticket created whose
//! 201 never comes, a connection dropped before anything is stored, a slow server (it
//! stores what it was sent at the end of its delay, like a PHP request that goes on after
//! its client gave up), redirects, an error that echoes what it was sent, a bad id.

#![allow(dead_code)]

use serde_json::{Value, json};
use std::collections::HashSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const APP_TOKEN: &str = "app-7f3c9e2d41";
pub const USER_TOKEN: &str = "usertok-Zq81xWk4fPp0LmN2";
/// The high-level API's OAuth2 client and user (GLPI 11 and later, `api.php`).
pub const CLIENT_ID: &str = "guichet-client-4e1f";
pub const CLIENT_SECRET: &str = "csecret-Hq72LmT5vX8wNb3";
pub const USERNAME: &str = "guichet";
pub const PASSWORD: &str = "pw-Hk7Rz3Nq1Ys6Ud9";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    Normal,
    /// Every request answered 500.
    Fail500,
    /// No request is ever answered.
    Hang,
    /// The next request in a session is refused as if the session had expired.
    ExpireOnce,
    /// `POST Ticket` stores the ticket, then never answers.
    HoldTicketAnswer,
    /// `POST Ticket` and `POST ITILFollowup`: the connection is closed, nothing stored.
    DropCreate,
    /// `POST Ticket`: stored, then answered 500 (a notification failed after the insert).
    StoreThen500,
    /// Every request answered with this redirect status to this `Location`.
    Redirect(u16, String),
    /// Every request refused (400) with an error that repeats its headers.
    Echo,
    /// `POST Ticket` and `POST ITILFollowup` answered 201 with this id (nothing stored).
    BadId(Value),
}

#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    /// The path after `/apirest.php/` (or `/api.php/`), query included, decoded.
    pub path: String,
    /// Sent to the high-level API (`api.php`).
    pub v2: bool,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
}

#[derive(Debug, Default)]
pub struct State {
    pub requests: Vec<Request>,
    sessions: HashSet<String>,
    next_session: u32,
    pub tickets: Vec<Value>,
    pub followups: Vec<Value>,
    mode: Option<Mode>,
    /// How long each request takes before it is handled (stored, answered).
    delay: Duration,
}

pub struct Glpi {
    pub port: u16,
    pub state: Arc<Mutex<State>>,
}

impl Glpi {
    pub fn start() -> Glpi {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(Mutex::new(State::default()));
        let shared = state.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let state = shared.clone();
                std::thread::spawn(move || serve(stream, &state));
            }
        });
        Glpi { port, state }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/glpi/apirest.php", self.port)
    }

    /// The high-level API's root, on the same stand-in (GLPI 11 serves both).
    pub fn url_v2(&self) -> String {
        format!("http://127.0.0.1:{}/glpi/api.php", self.port)
    }

    pub fn set_mode(&self, mode: Mode) {
        self.state.lock().unwrap().mode = Some(mode);
    }

    /// Every creation (`POST`) from now on is handled (stored, answered) this long after
    /// it came: GLPI runs its rules and notifications when an item is added.
    pub fn set_delay(&self, delay: Duration) {
        self.state.lock().unwrap().delay = delay;
    }

    pub fn requests(&self) -> Vec<Request> {
        self.state.lock().unwrap().requests.clone()
    }

    pub fn tickets(&self) -> Vec<Value> {
        self.state.lock().unwrap().tickets.clone()
    }

    pub fn followups(&self) -> Vec<Value> {
        self.state.lock().unwrap().followups.clone()
    }

    /// The requests whose method and path (without the query) are these.
    pub fn count(&self, method: &str, path: &str) -> usize {
        self.requests()
            .iter()
            .filter(|r| r.method == method && r.path.split('?').next() == Some(path))
            .count()
    }
}

/// A loopback address where nothing listens.
pub fn refused_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}/glpi/apirest.php")
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 3;
                    }
                    Err(_) => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn query_param(query: &str, key: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == key).then(|| v.to_string())
    })
}

fn answer(stream: &mut TcpStream, status: u16, body: &Value, location: Option<&str>) {
    let text = body.to_string();
    let reason = match status {
        200 => "OK",
        201 => "Created",
        301 => "Moved Permanently",
        302 => "Found",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        _ => "Internal Server Error",
    };
    let location = location
        .map(|l| format!("Location: {l}\r\n"))
        .unwrap_or_default();
    let _ = write!(
        stream,
        "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json; charset=UTF-8\r\n\
         {location}Content-Length: {}\r\nConnection: close\r\n\r\n{text}",
        text.len()
    );
    let _ = stream.flush();
}

fn hold(stream: TcpStream) {
    // Never answers: waits until the client goes away.
    let _ = stream.set_read_timeout(Some(Duration::from_secs(60)));
    let mut buf = [0u8; 64];
    let mut s = stream;
    let _ = s.read(&mut buf);
}

fn serve(stream: TcpStream, state: &Mutex<State>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or("").to_string();
    let target = parts.next().unwrap_or("").to_string();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 {
            break;
        }
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    let length: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; length];
    let _ = reader.read_exact(&mut body);
    let (v2, path) = match target.strip_prefix("/glpi/api.php/") {
        Some(rest) => (true, decode(rest)),
        None => (
            false,
            decode(target.strip_prefix("/glpi/apirest.php/").unwrap_or(&target)),
        ),
    };
    let request = Request {
        method,
        path,
        v2,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    };
    let creating = request.method == "POST" && !(v2 && request.path == "token");
    let mut stream = stream;
    let delay = {
        let mut st = state.lock().unwrap();
        st.requests.push(request.clone());
        if creating { st.delay } else { Duration::ZERO }
    };
    // A slow server: what it was sent is handled (stored) only at the end of its delay,
    // whether its client still waits or not.
    std::thread::sleep(delay);
    let mut location = None;
    let (status, value) = {
        let mut st = state.lock().unwrap();
        let mode = st.mode.clone().unwrap_or(Mode::Normal);
        match mode {
            Mode::Hang => {
                drop(st);
                return hold(stream);
            }
            Mode::Fail500 => (500, json!(["ERROR", "Internal server error (stand-in)"])),
            Mode::Redirect(code, to) => {
                let rest = target
                    .strip_prefix("/glpi/apirest.php")
                    .or_else(|| target.strip_prefix("/glpi/api.php"))
                    .unwrap_or(&target);
                location = Some(format!("{to}{rest}"));
                (code, Value::Null)
            }
            Mode::Echo => {
                // A server that repeats what it was sent in its error, the long way.
                let mut said = String::from("request refused, headers were: ");
                for (k, v) in &request.headers {
                    said.push_str(&format!("{k}={v}; "));
                }
                said.push_str("\u{1b}[31m please retry");
                (400, json!(["ERROR_BAD_REQUEST", said]))
            }
            Mode::DropCreate if creating => {
                // Closed without an answer nor anything stored.
                let _ = stream.shutdown(std::net::Shutdown::Both);
                return;
            }
            _ if v2 => {
                let (status, value) = route_v2(&mut st, &request, &mode);
                // A creation answers with the new item's address, also in Location.
                location = value.get("href").and_then(Value::as_str).map(String::from);
                (status, value)
            }
            _ => route(&mut st, &request, &mode),
        }
    };
    if status == 0 {
        return hold(stream);
    }
    answer(&mut stream, status, &value, location.as_deref());
}

/// GLPI's answer to one request; status 0 for « never answer ».
fn route(st: &mut State, r: &Request, mode: &Mode) -> (u16, Value) {
    if r.header("App-Token") != Some(APP_TOKEN) {
        return (
            401,
            json!([
                "ERROR_WRONG_APP_TOKEN_PARAMETER",
                "parameter app_token seems wrong"
            ]),
        );
    }
    let (route, query) = r.path.split_once('?').unwrap_or((&r.path, ""));
    if route == "initSession" {
        let expected = format!("user_token {USER_TOKEN}");
        return match r.header("Authorization") {
            Some(a) if a == expected => {
                st.next_session += 1;
                let token = format!("sess{:04}abcdef", st.next_session);
                st.sessions.insert(token.clone());
                (200, json!({ "session_token": token }))
            }
            _ => (
                401,
                json!([
                    "ERROR_GLPI_LOGIN_USER_TOKEN",
                    "parameter user_token seems invalid"
                ]),
            ),
        };
    }
    let Some(session) = r.header("Session-Token") else {
        return (
            401,
            json!([
                "ERROR_SESSION_TOKEN_MISSING",
                "parameter session_token is missing or empty"
            ]),
        );
    };
    if !st.sessions.contains(session) {
        return (
            401,
            json!(["ERROR_SESSION_TOKEN_INVALID", "session_token seems invalid"]),
        );
    }
    if *mode == Mode::ExpireOnce {
        st.sessions.clear();
        st.mode = Some(Mode::Normal);
        return (
            401,
            json!(["ERROR_SESSION_TOKEN_INVALID", "session_token seems invalid"]),
        );
    }
    let contains = |text: &Value, needle: &str| {
        text.as_str()
            .is_some_and(|t| t.to_lowercase().contains(&needle.to_lowercase()))
    };
    match (r.method.as_str(), route) {
        ("GET", "killSession") => {
            st.sessions.remove(session);
            (200, json!(true))
        }
        ("GET", "RequestType") => {
            let types = [
                json!({"id": 1, "name": "Helpdesk"}),
                json!({"id": 2, "name": "E-Mail"}),
                json!({"id": 6, "name": "Phone (callback)"}),
                json!({"id": 7, "name": "Phone"}),
                json!({"id": 8, "name": "Direct"}),
            ];
            let wanted = query_param(query, "searchText[name]");
            let list: Vec<Value> = types
                .into_iter()
                .filter(|t| wanted.as_deref().is_none_or(|w| contains(&t["name"], w)))
                .collect();
            (200, Value::Array(list))
        }
        ("GET", "Ticket") => {
            let mut list = st.tickets.clone();
            for field in ["name", "content"] {
                if let Some(w) = query_param(query, &format!("searchText[{field}]")) {
                    list.retain(|t| contains(&t[field], &w));
                }
            }
            (200, Value::Array(list))
        }
        ("GET", p) if p.starts_with("Ticket/") && p.ends_with("/ITILFollowup") => {
            let id: i64 = p
                .trim_start_matches("Ticket/")
                .trim_end_matches("/ITILFollowup")
                .parse()
                .unwrap_or(0);
            if !st.tickets.iter().any(|t| t["id"] == id) {
                return (404, json!(["ERROR_ITEM_NOT_FOUND", "not found"]));
            }
            let list: Vec<Value> = st
                .followups
                .iter()
                .filter(|f| f["items_id"] == id)
                .cloned()
                .collect();
            (200, Value::Array(list))
        }
        ("POST", "Ticket") => {
            let input = r.json()["input"].clone();
            if !input["name"].is_string() || !input["content"].is_string() {
                return (400, json!(["ERROR_BAD_ARRAY", "input is missing"]));
            }
            if let Mode::BadId(id) = mode {
                return (201, json!({ "id": id, "message": "" }));
            }
            let id = 1234 + st.tickets.len() as i64;
            let mut ticket = input;
            ticket["id"] = id.into();
            st.tickets.push(ticket);
            match mode {
                Mode::HoldTicketAnswer => (0, Value::Null),
                Mode::StoreThen500 => (500, json!(["ERROR", "notification failed (stand-in)"])),
                _ => (201, json!({ "id": id, "message": "" })),
            }
        }
        ("POST", "ITILFollowup") => {
            let input = r.json()["input"].clone();
            if input["itemtype"] != "Ticket"
                || !st.tickets.iter().any(|t| t["id"] == input["items_id"])
            {
                return (400, json!(["ERROR_GLPI_ADD", "ticket not found"]));
            }
            if let Mode::BadId(id) = mode {
                return (201, json!({ "id": id, "message": "" }));
            }
            let id = 90 + st.followups.len() as i64;
            let mut followup = input;
            followup["id"] = id.into();
            st.followups.push(followup);
            (201, json!({ "id": id, "message": "" }))
        }
        _ => (
            400,
            json!(["ERROR_RESOURCE_NOT_FOUND_NOR_COMMONDBTM", "unknown"]),
        ),
    }
}

/// The value of `key` in a form (`a=1&b=2`), decoded.
fn form_value(form: &str, key: &str) -> Option<String> {
    form.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (decode(k) == key).then(|| decode(v))
    })
}

/// RSQL's `=like=` as GLPI runs it: `*` any text, case-sensitive.
fn like(text: &str, pattern: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let Some((first, rest)) = parts.split_first() else {
        return text.is_empty();
    };
    let Some(mut left) = text.strip_prefix(first) else {
        return false;
    };
    for (i, part) in rest.iter().enumerate() {
        let last = i + 1 == rest.len();
        if last {
            return left.ends_with(part);
        }
        match left.find(part) {
            Some(at) => left = &left[at + part.len()..],
            None => return false,
        }
    }
    left.is_empty()
}

/// GLPI's high-level API (`api.php`, GLPI 11 and later): `POST token` (OAuth2, password
/// grant only: GLPI refuses the other grants for the `api` scope), then requests with
/// `Authorization: Bearer …`: `GET v2/Dropdowns/RequestType`, `GET`/`POST
/// v2/Assistance/Ticket` (`filter` in RSQL, `==` and `=like=`), `GET`/`POST
/// v2/Assistance/Ticket/{id}/Timeline/Followup`. A creation answers 200 with `{"id",
/// "href"}` and `Location`; errors are `{"status", "title", "detail"}`, the token
/// endpoint's OAuth2's `{"error", "error_description", "message"}`.
fn route_v2(st: &mut State, r: &Request, mode: &Mode) -> (u16, Value) {
    let (route, query) = r.path.split_once('?').unwrap_or((&r.path, ""));
    if (r.method.as_str(), route) == ("POST", "token") {
        let field = |k: &str| form_value(&r.body, k).unwrap_or_default();
        let oauth = |error: &str, description: &str| json!({ "error": error, "error_description": description, "message": description });
        if field("grant_type") != "password" {
            return (
                400,
                oauth(
                    "unsupported_grant_type",
                    "The authorization grant type is not supported by the authorization server.",
                ),
            );
        }
        if field("client_id") != CLIENT_ID || field("client_secret") != CLIENT_SECRET {
            return (401, oauth("invalid_client", "Client authentication failed"));
        }
        if field("username") != USERNAME || field("password") != PASSWORD {
            return (
                400,
                oauth("invalid_grant", "The user credentials were incorrect."),
            );
        }
        if !field("scope").split(' ').any(|s| s == "api") {
            return (
                400,
                oauth("invalid_scope", "The requested scope is invalid."),
            );
        }
        st.next_session += 1;
        let token = format!("at{:04}-Bq3xPz8KmW", st.next_session);
        st.sessions.insert(token.clone());
        return (
            200,
            json!({ "token_type": "Bearer", "expires_in": 3600, "access_token": token }),
        );
    }
    let unauthenticated = || {
        (
            401,
            json!({
                "status": "ERROR_SESSION_TOKEN_INVALID",
                "title": "You are not authenticated",
                "detail": null,
            }),
        )
    };
    let bearer = r
        .header("Authorization")
        .and_then(|a| a.strip_prefix("Bearer "));
    match bearer {
        Some(token) if st.sessions.contains(token) => {}
        _ => return unauthenticated(),
    }
    if *mode == Mode::ExpireOnce {
        st.sessions.clear();
        st.mode = Some(Mode::Normal);
        return unauthenticated();
    }
    let filter = query_param(query, "filter").unwrap_or_default();
    let quoted = |s: &str| s.trim_matches('"').to_string();
    let created = |id: i64, href: String| (200, json!({ "id": id, "href": href }));
    match (r.method.as_str(), route) {
        ("GET", "v2/Dropdowns/RequestType") => {
            let types = [
                json!({"id": 1, "name": "Helpdesk"}),
                json!({"id": 2, "name": "E-Mail"}),
                json!({"id": 6, "name": "Phone (callback)"}),
                json!({"id": 7, "name": "Phone"}),
                json!({"id": 8, "name": "Direct"}),
            ];
            let wanted = filter.strip_prefix("name==").map(quoted);
            let list: Vec<Value> = types
                .into_iter()
                .filter(|t| wanted.as_deref().is_none_or(|w| t["name"] == w))
                .collect();
            (200, Value::Array(list))
        }
        ("GET", "v2/Assistance/Ticket") => {
            let pattern = filter.strip_prefix("name=like=").map(quoted);
            let list: Vec<Value> = st
                .tickets
                .iter()
                .filter(|t| {
                    pattern
                        .as_deref()
                        .is_none_or(|p| like(t["name"].as_str().unwrap_or(""), p))
                })
                .cloned()
                .collect();
            (200, Value::Array(list))
        }
        ("POST", "v2/Assistance/Ticket") => {
            let input = r.json();
            if !input["name"].is_string() || !input["content"].is_string() {
                return (
                    400,
                    json!({
                        "status": "ERROR_INVALID_PARAMETER",
                        "title": "One or more parameters are invalid",
                        "detail": null,
                    }),
                );
            }
            if let Mode::BadId(id) = mode {
                return (200, json!({ "id": id, "href": "/Assistance/Ticket/0" }));
            }
            let id = 1234 + st.tickets.len() as i64;
            let mut ticket = input;
            ticket["id"] = id.into();
            st.tickets.push(ticket);
            match mode {
                Mode::HoldTicketAnswer => (0, Value::Null),
                Mode::StoreThen500 => (
                    500,
                    json!({ "status": "ERROR", "title": "notification failed (stand-in)", "detail": null }),
                ),
                _ => created(id, format!("/Assistance/Ticket/{id}")),
            }
        }
        (method, p)
            if p.starts_with("v2/Assistance/Ticket/") && p.ends_with("/Timeline/Followup") =>
        {
            let id: i64 = p
                .trim_start_matches("v2/Assistance/Ticket/")
                .trim_end_matches("/Timeline/Followup")
                .parse()
                .unwrap_or(0);
            if !st.tickets.iter().any(|t| t["id"] == id) {
                return (
                    404,
                    json!({ "status": "ERROR_ITEM_NOT_FOUND", "title": "Not found", "detail": null }),
                );
            }
            if method == "GET" {
                let list: Vec<Value> = st
                    .followups
                    .iter()
                    .filter(|f| f["items_id"] == id)
                    .cloned()
                    .collect();
                return (200, Value::Array(list));
            }
            let input = r.json();
            if let Mode::BadId(bad) = mode {
                return (200, json!({ "id": bad, "href": "/" }));
            }
            let followup_id = 90 + st.followups.len() as i64;
            st.followups.push(json!({
                "id": followup_id,
                "itemtype": "Ticket",
                "items_id": id,
                "content": input["content"],
            }));
            created(
                followup_id,
                format!("/Assistance/Ticket/{id}/Timeline/Followup/{followup_id}"),
            )
        }
        _ => (
            404,
            json!({ "status": "ERROR_ITEM_NOT_FOUND", "title": "Not found", "detail": null }),
        ),
    }
}
