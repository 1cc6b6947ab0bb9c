//! Credentials removed from URLs before they are printed: the password of
//! the userinfo (`redis://:hunter2@host` → `redis://:***@host`) and the
//! values of secret-looking query parameters (`?token=…`, `password=…`).
//! The server prints `REDIS_URL`, `MONGODB_URI` and `RTC_WEBHOOK_URL` only
//! through [`redact_url`], and passes driver messages that may quote one
//! through [`scrub`].
//!
//! Parsing is by RFC 3986's delimiters, by hand rather than with a URL
//! parser, because MongoDB's `mongodb://u:p@h1:27017,h2:27017/` (several
//! hosts) is no valid URL, and a URL that fails to parse must be redacted
//! all the same. Secrets in a URL's path (some webhook services put one
//! there) are not recognised.

/// What replaces a secret.
pub const MASK: &str = "***";

/// `url` with its userinfo password and the values of secret-looking query
/// parameters replaced by `***`. A userinfo without a password is replaced
/// whole (some services take a token as the user name). Text that is no
/// URL comes back unchanged unless it has `user:password@`.
pub fn redact_url(url: &str) -> String {
    let p = Parsed::new(url);
    let mut out = String::with_capacity(url.len());
    out.push_str(p.scheme);
    if let Some(userinfo) = p.userinfo {
        match userinfo.split_once(':') {
            Some((user, _)) => {
                out.push_str(user);
                out.push(':');
                out.push_str(MASK);
            }
            None => out.push_str(MASK),
        }
        out.push('@');
    }
    out.push_str(p.host);
    out.push_str(p.path);
    if let Some(query) = p.query {
        out.push('?');
        for (i, pair) in query.split('&').enumerate() {
            if i > 0 {
                out.push('&');
            }
            match pair.split_once('=') {
                Some((k, v)) if sensitive(k) && !v.is_empty() => {
                    out.push_str(k);
                    out.push('=');
                    out.push_str(MASK);
                }
                _ => out.push_str(pair),
            }
        }
    }
    out.push_str(p.fragment);
    out
}

/// `text` (say, a driver's error message) with every credential of `url`
/// removed: the URL itself becomes [`redact_url`]'s form, and its password
/// and secret query values (also percent-decoded) become `***` wherever
/// they appear. Secrets shorter than 4 bytes are only removed as part of
/// the whole URL, so that a short password does not mangle every word.
pub fn scrub(text: &str, url: &str) -> String {
    let mut out = text.replace(url, &redact_url(url));
    for secret in Parsed::new(url).secrets() {
        for s in [secret.to_owned(), percent_decode(secret)] {
            if s.len() >= 4 {
                out = out.replace(&s, MASK);
            }
        }
    }
    out
}

/// The pieces of a URL, split at RFC 3986's delimiters.
struct Parsed<'a> {
    /// `redis://`, or empty.
    scheme: &'a str,
    /// What precedes the last `@` of the authority.
    userinfo: Option<&'a str>,
    /// Host(s) and port(s).
    host: &'a str,
    path: &'a str,
    /// Without the `?`.
    query: Option<&'a str>,
    /// With the `#`, or empty.
    fragment: &'a str,
}

impl<'a> Parsed<'a> {
    fn new(url: &'a str) -> Self {
        let (scheme, rest) = match url.find("://") {
            Some(i) => url.split_at(i + 3),
            None => ("", url),
        };
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, rest) = rest.split_at(end);
        let (userinfo, host) = match authority.rfind('@') {
            Some(at) => (Some(&authority[..at]), &authority[at + 1..]),
            None => (None, authority),
        };
        let (rest, fragment) = match rest.find('#') {
            Some(i) => rest.split_at(i),
            None => (rest, ""),
        };
        let (path, query) = match rest.split_once('?') {
            Some((path, query)) => (path, Some(query)),
            None => (rest, None),
        };
        Parsed {
            scheme,
            userinfo,
            host,
            path,
            query,
            fragment,
        }
    }

    /// The password (or the whole userinfo without one) and the values of
    /// secret-looking query parameters.
    fn secrets(&self) -> Vec<&'a str> {
        let mut all: Vec<&str> = self
            .userinfo
            .map(|u| u.split_once(':').map_or(u, |(_, pw)| pw))
            .into_iter()
            .collect();
        if let Some(q) = self.query {
            all.extend(
                q.split('&')
                    .filter_map(|pair| pair.split_once('='))
                    .filter(|(k, _)| sensitive(k))
                    .map(|(_, v)| v),
            );
        }
        all.retain(|s| !s.is_empty());
        all
    }
}

/// Whether a query parameter's name suggests a secret value.
fn sensitive(key: &str) -> bool {
    let k = percent_decode(key).to_ascii_lowercase();
    const PARTS: [&str; 10] = [
        "pass",
        "pwd",
        "secret",
        "token",
        "signature",
        "credential",
        "apikey",
        "api_key",
        "api-key",
        "access_key",
    ];
    // MongoDB's `authMechanismProperties` may carry AWS_SESSION_TOKEN.
    const WHOLE: [&str; 5] = ["key", "sig", "auth", "accesskey", "authmechanismproperties"];
    PARTS.iter().any(|p| k.contains(p)) || WHOLE.contains(&k.as_str())
}

/// `%XX` sequences decoded (invalid ones kept as they are).
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        if b[i] == b'%'
            && i + 2 < b.len()
            && let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn userinfo_passwords_are_masked() {
        for (url, want) in [
            (
                "redis://:hunter2@127.0.0.1:6379/0",
                "redis://:***@127.0.0.1:6379/0",
            ),
            (
                "redis://rtc:hunter2@redis:6379",
                "redis://rtc:***@redis:6379",
            ),
            (
                "rediss://default:p%40ss@r.example:6380",
                "rediss://default:***@r.example:6380",
            ),
            (
                "mongodb://rtc:pw@h1:27017,h2:27017/rtc?authSource=rtc&replicaSet=rs0",
                "mongodb://rtc:***@h1:27017,h2:27017/rtc?authSource=rtc&replicaSet=rs0",
            ),
            (
                "mongodb+srv://u:pw@cluster0.example.net/?retryWrites=true",
                "mongodb+srv://u:***@cluster0.example.net/?retryWrites=true",
            ),
            (
                "https://TOKEN123@hooks.example/x",
                "https://***@hooks.example/x",
            ),
            ("https://a:b@c@host/p", "https://a:***@host/p"),
            ("user:pw@host:1", "user:***@host:1"),
        ] {
            assert_eq!(redact_url(url), want, "{url}");
        }
    }

    #[test]
    fn secret_query_values_are_masked_others_kept() {
        assert_eq!(
            redact_url("https://h.example/hook?token=abc&room=r1&api_key=k&X-Amz-Signature=s#frag"),
            "https://h.example/hook?token=***&room=r1&api_key=***&X-Amz-Signature=***#frag"
        );
        assert_eq!(
            redact_url(
                "mongodb://h/?authSource=admin&password=p&authMechanismProperties=AWS_SESSION_TOKEN:t"
            ),
            "mongodb://h/?authSource=admin&password=***&authMechanismProperties=***"
        );
        // Empty values and flags without a value stay as they are.
        assert_eq!(
            redact_url("https://h/?token=&secret"),
            "https://h/?token=&secret"
        );
    }

    #[test]
    fn urls_without_credentials_are_unchanged() {
        for url in [
            "redis://127.0.0.1:6379/0",
            "http://127.0.0.1:9/hook",
            "https://h.example/a/b?room=1#x",
            "mongodb://h1:27017,h2:27017/rtc?authSource=rtc",
            "not a url",
            "",
        ] {
            assert_eq!(redact_url(url), url);
        }
    }

    #[test]
    fn scrub_removes_the_url_and_its_secrets_from_messages() {
        let url = "redis://:hunter2pass@127.0.0.1:1/0";
        let msg = format!("connecting to {url}: refused (auth hunter2pass)");
        let out = scrub(&msg, url);
        assert_eq!(
            out,
            "connecting to redis://:***@127.0.0.1:1/0: refused (auth ***)"
        );
        // Percent-encoded passwords are removed in both spellings.
        let url = "mongodb://u:p%40ssw0rd@h/";
        assert_eq!(scrub("bad p@ssw0rd / p%40ssw0rd", url), "bad *** / ***");
        // Short secrets do not mangle the text.
        assert_eq!(scrub("a big cat", "redis://:a@h"), "a big cat");
        assert_eq!(scrub("no url here", "redis://h:1"), "no url here");
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("a%41%zz%4"), "aA%zz%4");
        assert!(sensitive("Pass%77ord"));
        assert!(!sensitive("authSource"));
    }
}
