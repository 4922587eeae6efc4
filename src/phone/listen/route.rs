//! Which addresses the listener answers, and in which tongue the body is written there.
//! One table, so that a telephony platform with its own events is one line more.

use crate::phone::event::{PhoneEvent, percent_decode, read_event};

/// The shape of the bodies posted to an address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// Zammad's generic CTI: `event`, `from`, `to`, `callId`… in a form or JSON.
    ZammadCti,
    /// The phone events XiVO's XUC posts to its `eventUrl` ([`crate::phone::xivo`]).
    Xivo,
    /// A Wazo webhookd subscription's call events ([`crate::phone::wazo`]).
    Wazo,
}

impl Dialect {
    /// The event a body gives; `None` for one that says nothing of a call's ringing,
    /// answer or end (a XiVO or Wazo event of another kind). A refusal comes with its
    /// status: Zammad's for its own events (422 for an event it refuses), 400 otherwise.
    pub fn parse(
        self,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Result<Option<PhoneEvent>, (u16, String)> {
        match self {
            Dialect::ZammadCti => read_event(content_type, body)
                .map(Some)
                .map_err(|r| (r.status(), r.message)),
            Dialect::Xivo => crate::phone::xivo::parse(content_type, body).map_err(|e| (400, e)),
            Dialect::Wazo => crate::phone::wazo::parse(content_type, body).map_err(|e| (400, e)),
        }
    }
}

/// What a request's path says: the dialect of its body and the token at its end, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub dialect: Dialect,
    /// The last segment, percent-decoded; `None` when the path ends at the prefix.
    pub token: Option<Vec<u8>>,
}

/// The prefixes answered: `/cti` as guichet has always been addressed, `/api/v1/cti` as
/// Zammad is (`config/routes/integration_cti.rb` in zammad/zammad:
/// `match '/api/v1/cti/:token', to: 'integration/cti#event', via: :post`); `/xivo` and
/// `/wazo` for the events those platforms post of themselves.
const ROUTES: &[(&str, Dialect)] = &[
    ("/cti", Dialect::ZammadCti),
    ("/api/v1/cti", Dialect::ZammadCti),
    ("/xivo", Dialect::Xivo),
    ("/wazo", Dialect::Wazo),
];

/// `PREFIX`, `PREFIX/` or `PREFIX/TOKEN` (one segment; a slash after it is ignored, as
/// Rails, and so Zammad, ignore it), the query left aside; `None` for any other path.
pub fn route(target: &str) -> Option<Route> {
    let path = target.split('?').next().unwrap_or("");
    ROUTES.iter().find_map(|&(prefix, dialect)| {
        let rest = path.strip_prefix(prefix)?;
        let token = match rest {
            "" | "/" => None,
            rest => {
                let segment = rest.strip_prefix('/')?;
                let segment = segment.strip_suffix('/').unwrap_or(segment);
                if segment.is_empty() || segment.contains('/') {
                    return None;
                }
                Some(percent_decode(segment.as_bytes(), false))
            }
        };
        Some(Route { dialect, token })
    })
}

/// Compares a token given by a client with the configured one in a time that depends on
/// the configured one's length only, so that timing tells nothing of how much matched.
pub fn same_token(given: &[u8], token: &[u8]) -> bool {
    let mut diff = u8::from(given.len() != token.len());
    for (i, &t) in token.iter().enumerate() {
        diff |= given.get(i).copied().unwrap_or(0) ^ t;
    }
    std::hint::black_box(diff) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cti(token: Option<&[u8]>) -> Option<Route> {
        Some(Route {
            dialect: Dialect::ZammadCti,
            token: token.map(<[u8]>::to_vec),
        })
    }

    #[test]
    fn tokens_compare_whole() {
        assert!(same_token(b"s3cret", b"s3cret"));
        for given in [&b""[..], b"s3cre", b"s3cret!", b"S3cret", b"s3cres"] {
            assert!(!same_token(given, b"s3cret"), "{given:?}");
        }
        assert!(same_token(b"", b""));
    }

    #[test]
    fn routes() {
        for prefix in ["/cti", "/api/v1/cti"] {
            assert_eq!(route(prefix), cti(None), "{prefix}");
            assert_eq!(route(&format!("{prefix}/")), cti(None));
            assert_eq!(route(&format!("{prefix}?x=1")), cti(None));
            assert_eq!(route(&format!("{prefix}/abc")), cti(Some(b"abc")));
            assert_eq!(route(&format!("{prefix}/abc/")), cti(Some(b"abc")));
            assert_eq!(route(&format!("{prefix}/abc/?q=1")), cti(Some(b"abc")));
            assert_eq!(route(&format!("{prefix}/a%2Fb+c?q")), cti(Some(b"a/b+c")));
        }
        for (prefix, dialect) in [("/xivo", Dialect::Xivo), ("/wazo", Dialect::Wazo)] {
            let at = |token: Option<&[u8]>| {
                Some(Route {
                    dialect,
                    token: token.map(<[u8]>::to_vec),
                })
            };
            assert_eq!(route(prefix), at(None), "{prefix}");
            assert_eq!(route(&format!("{prefix}/t0k?x")), at(Some(b"t0k")));
        }
        for other in [
            "/",
            "/xivox",
            "/wazo/a/b",
            "/ctix",
            "/cti/a/b",
            "/cti//",
            "/cti/a//",
            "/api/v1/ctix/a",
            "/api/v1",
            "/api/v2/cti/a",
            "/api/v1/cti/a/b",
            "//cti",
        ] {
            assert_eq!(route(other), None, "{other}");
        }
    }
}
