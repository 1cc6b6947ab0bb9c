//! The browser-origin policy: which pages may call the REST API (CORS) and
//! open the WebSocket. One rule for both: the server's own origin, plus the
//! origins in `RTC_ALLOWED_ORIGINS` (`*` for any). A request without an
//! `Origin` header comes from a non-browser client and is not affected.

use actix_web::http::header::{self, HeaderMap, HeaderValue};

/// What the policy says about one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// No `Origin` header, or the page is on the server's own origin: no
    /// CORS headers are needed.
    SameOrigin,
    /// Another origin that is allowed: echo it in `Access-Control-Allow-Origin`.
    Allowed(HeaderValue),
    /// An origin that is not allowed.
    Refused(String),
}

/// The origins allowed besides the server's own.
#[derive(Debug, Clone, Default)]
pub struct OriginPolicy {
    any: bool,
    allowed: Vec<String>,
}

impl OriginPolicy {
    /// From `RTC_ALLOWED_ORIGINS` entries (`https://app.example.com`, `*`).
    /// Entries are compared without a trailing slash, case-insensitively.
    pub fn new(entries: &[String]) -> Self {
        let allowed: Vec<String> = entries
            .iter()
            .map(|e| e.trim().trim_end_matches('/').to_ascii_lowercase())
            .filter(|e| !e.is_empty())
            .collect();
        OriginPolicy {
            any: allowed.iter().any(|e| e == "*"),
            allowed,
        }
    }

    /// Judges a request by its `Origin` and `Host` headers.
    pub fn judge(&self, headers: &HeaderMap) -> Verdict {
        let Some(origin) = headers.get(header::ORIGIN) else {
            return Verdict::SameOrigin;
        };
        let Ok(text) = origin.to_str() else {
            return Verdict::Refused("<non-ASCII origin>".into());
        };
        let lower = text.trim_end_matches('/').to_ascii_lowercase();
        let host = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .map(str::to_ascii_lowercase);
        // Same origin: the page's authority is the Host the browser sent
        // here (behind a TLS proxy the scheme differs, the authority not).
        let authority = lower.split_once("://").map(|(_, a)| a);
        if authority.is_some() && authority == host.as_deref() {
            return Verdict::SameOrigin;
        }
        if lower != "null" && (self.any || self.allowed.contains(&lower)) {
            return Verdict::Allowed(origin.clone());
        }
        Verdict::Refused(text.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::{HeaderName, HeaderValue};

    fn headers(origin: Option<&str>, host: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            HeaderName::from_static("host"),
            HeaderValue::from_str(host).unwrap(),
        );
        if let Some(o) = origin {
            h.insert(
                HeaderName::from_static("origin"),
                HeaderValue::from_str(o).unwrap(),
            );
        }
        h
    }

    #[test]
    fn own_origin_and_listed_origins_pass_others_do_not() {
        let p = OriginPolicy::new(&["https://App.example.com/".into()]);
        assert_eq!(p.judge(&headers(None, "rtc:8080")), Verdict::SameOrigin);
        assert_eq!(
            p.judge(&headers(Some("http://rtc:8080"), "rtc:8080")),
            Verdict::SameOrigin
        );
        // Behind a TLS proxy: https page, Host forwarded.
        assert_eq!(
            p.judge(&headers(
                Some("https://meet.example.com"),
                "meet.example.com"
            )),
            Verdict::SameOrigin
        );
        assert!(matches!(
            p.judge(&headers(Some("https://app.example.com"), "rtc:8080")),
            Verdict::Allowed(_)
        ));
        for bad in [
            "https://evil.example",
            "null",
            "http://rtc:8081",
            "https://app.example.com.evil",
        ] {
            assert!(
                matches!(
                    p.judge(&headers(Some(bad), "rtc:8080")),
                    Verdict::Refused(_)
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn star_allows_any_origin_but_not_null() {
        let p = OriginPolicy::new(&["*".into()]);
        assert!(matches!(
            p.judge(&headers(Some("https://x.example"), "rtc")),
            Verdict::Allowed(_)
        ));
        assert!(matches!(
            p.judge(&headers(Some("null"), "rtc")),
            Verdict::Refused(_)
        ));
    }
}
