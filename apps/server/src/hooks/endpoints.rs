//! Which webhook endpoints there are and which events each receives: the
//! legacy single endpoint (`RTC_WEBHOOK_URL`, named `default`) and the
//! named ones of `RTC_WEBHOOK_ENDPOINTS`, checked at startup.

use serde::Deserialize;

use crate::config::Settings;

/// Every event the server emits (docs/operations.md lists when).
pub const EVENT_NAMES: &[&str] = &[
    "room_started",
    "room_finished",
    "participant_joined",
    "participant_left",
    "recording_started",
    "recording_paused",
    "recording_resumed",
    "recording_stopped",
    "recording_cancelled",
    "recording_completed",
    "recording_failed",
    "live_stream_started",
    "live_stream_updated",
    "live_stream_stopped",
    "transfer_offered",
    "transfer_accepted",
    "transfer_rejected",
    "transfer_paused",
    "transfer_resumed",
    "transfer_cancelled",
    "transfer_completed",
    "transfer_failed",
];

/// The name of the endpoint configured by `RTC_WEBHOOK_URL`.
pub const DEFAULT_ENDPOINT: &str = "default";

/// At most this many endpoints (each has a dispatcher and an outbox).
pub const MAX_ENDPOINTS: usize = 16;

/// Which events an endpoint receives: names, or prefixes ending in `*`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventFilter(Option<Vec<String>>);

impl EventFilter {
    /// Every event.
    pub fn all() -> Self {
        EventFilter(None)
    }

    /// Checks each pattern: a known name, or a prefix ending in `*` that
    /// matches at least one (`*` alone is every event). None or an empty
    /// list is refused: an endpoint that takes nothing is a mistake.
    pub fn parse<S: AsRef<str>>(patterns: &[S]) -> Result<Self, String> {
        if patterns.is_empty() {
            return Err("an empty event list (leave it out for every event)".into());
        }
        let mut out = Vec::with_capacity(patterns.len());
        for p in patterns {
            let p = p.as_ref().trim();
            let known = match p.strip_suffix('*') {
                Some(prefix) => EVENT_NAMES.iter().any(|n| n.starts_with(prefix)),
                None => EVENT_NAMES.contains(&p),
            };
            if !known {
                return Err(format!(
                    "unknown event {p:?} (known: {}; a prefix may end in *)",
                    EVENT_NAMES.join(", ")
                ));
            }
            if p == "*" {
                return Ok(EventFilter::all());
            }
            out.push(p.to_owned());
        }
        Ok(EventFilter(Some(out)))
    }

    /// Whether `event` goes to the endpoint.
    pub fn accepts(&self, event: &str) -> bool {
        self.0.as_ref().is_none_or(|ps| {
            ps.iter().any(|p| match p.strip_suffix('*') {
                Some(prefix) => event.starts_with(prefix),
                None => p == event,
            })
        })
    }

    /// The patterns, `["*"]` for every event (for the admin API).
    pub fn patterns(&self) -> Vec<String> {
        self.0.clone().unwrap_or_else(|| vec!["*".into()])
    }
}

/// One endpoint as configured (the secret stays private).
#[derive(Clone)]
pub struct EndpointSpec {
    /// `default`, or the name given in `RTC_WEBHOOK_ENDPOINTS`.
    pub name: String,
    /// Where events are POSTed.
    pub url: String,
    /// Signs its requests (at least 16 bytes).
    pub secret: String,
    /// What it receives.
    pub events: EventFilter,
}

impl std::fmt::Debug for EndpointSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EndpointSpec")
            .field("name", &self.name)
            .field("url", &redact::redact_url(&self.url))
            .field("events", &self.events)
            .finish_non_exhaustive()
    }
}

/// An entry of `RTC_WEBHOOK_ENDPOINTS`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEndpoint {
    name: String,
    url: String,
    secret: String,
    events: Option<Vec<String>>,
}

/// What [`check_name`] accepts, for the API document (a unit test holds
/// the two together).
pub const NAME_PATTERN: &str = "^[a-z0-9][a-z0-9_-]{0,31}$";

/// A name is 1–32 of `a-z 0-9 _ -`, starting with a letter or digit (it
/// names a directory and a Redis key part).
fn check_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= 32
        && name.as_bytes()[0].is_ascii_alphanumeric()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "endpoint name {name:?}: use 1-32 of a-z, 0-9, _ and -, starting with a letter or digit"
        ))
    }
}

fn check_secret(name: &str, secret: &str) -> Result<(), String> {
    if secret.len() < 16 {
        return Err(format!(
            "endpoint {name:?}: the secret must be at least 16 bytes"
        ));
    }
    Ok(())
}

/// The endpoints the settings configure, in order (`default` first);
/// empty when webhooks are off. Every mistake is an error naming the
/// endpoint, never a silently ignored endpoint.
pub fn from_settings(s: &Settings) -> anyhow::Result<Vec<EndpointSpec>> {
    let w = &s.webhooks;
    let mut out = Vec::new();
    match (&w.webhook_url, &w.webhook_secret) {
        (Some(url), secret) => {
            let secret = secret.as_ref().map(|x| x.expose()).unwrap_or_default();
            if secret.len() < 16 {
                anyhow::bail!("RTC_WEBHOOK_URL needs RTC_WEBHOOK_SECRET of at least 16 bytes");
            }
            let events = match &w.webhook_events {
                Some(list) => {
                    let items: Vec<&str> =
                        list.split(',').filter(|x| !x.trim().is_empty()).collect();
                    EventFilter::parse(&items)
                        .map_err(|e| anyhow::anyhow!("RTC_WEBHOOK_EVENTS: {e}"))?
                }
                None => EventFilter::all(),
            };
            out.push(EndpointSpec {
                name: DEFAULT_ENDPOINT.into(),
                url: url.expose().to_owned(),
                secret: secret.to_owned(),
                events,
            });
        }
        (None, _) if w.webhook_events.is_some() => {
            anyhow::bail!("RTC_WEBHOOK_EVENTS is set without RTC_WEBHOOK_URL")
        }
        (None, _) => {}
    }
    if let Some(json) = &w.webhook_endpoints {
        // serde_json's messages may quote the input (an invalid type shows
        // the value): say where and what kind of mistake, never the text.
        let raw: Vec<RawEndpoint> = serde_json::from_str(json.expose()).map_err(|e| {
            anyhow::anyhow!(
                "RTC_WEBHOOK_ENDPOINTS: not a JSON array of {{\"name\",\"url\",\"secret\",\"events\"?}} \
                 ({:?} error at line {}, column {})",
                e.classify(),
                e.line(),
                e.column()
            )
        })?;
        for r in raw {
            let bad = |m: String| anyhow::anyhow!("RTC_WEBHOOK_ENDPOINTS: {m}");
            check_name(&r.name).map_err(bad)?;
            if r.name == DEFAULT_ENDPOINT {
                return Err(bad(format!(
                    "the name {DEFAULT_ENDPOINT:?} belongs to RTC_WEBHOOK_URL"
                )));
            }
            if out.iter().any(|e: &EndpointSpec| e.name == r.name) {
                return Err(bad(format!("endpoint {:?} is listed twice", r.name)));
            }
            check_secret(&r.name, &r.secret).map_err(bad)?;
            let events = match &r.events {
                Some(list) => EventFilter::parse(list)
                    .map_err(|e| bad(format!("endpoint {:?}: {e}", r.name)))?,
                None => EventFilter::all(),
            };
            out.push(EndpointSpec {
                name: r.name,
                url: r.url,
                secret: r.secret,
                events,
            });
        }
    }
    if out.len() > MAX_ENDPOINTS {
        anyhow::bail!("at most {MAX_ENDPOINTS} webhook endpoints");
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_take_names_and_prefixes_and_refuse_typos() {
        let f = EventFilter::parse(&["room_started", "recording_*"]).unwrap();
        assert!(f.accepts("room_started") && f.accepts("recording_failed"));
        assert!(!f.accepts("room_finished") && !f.accepts("participant_joined"));
        assert!(
            EventFilter::parse(&["*"])
                .unwrap()
                .accepts("transfer_failed")
        );
        assert_eq!(EventFilter::parse(&["*"]).unwrap().patterns(), ["*"]);
        for bad in [&["room_strated"][..], &["nothing_*"], &[]] {
            assert!(EventFilter::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn names_are_safe_for_paths_and_keys() {
        for ok in ["billing", "a", "ops-2", "x_y"] {
            assert!(check_name(ok).is_ok(), "{ok}");
        }
        let long = "a".repeat(33);
        for bad in ["", "-a", "Billing", "a/b", "a:b", "..", long.as_str()] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_documented_pattern_is_the_rule() {
        let re = regex_lite::Regex::new(NAME_PATTERN).unwrap();
        let alphabet = ["a", "z", "0", "9", "_", "-", "A", ":", "/", ".", "é", " "];
        let mut names = vec![String::new(), "a".repeat(32), "a".repeat(33)];
        for x in alphabet {
            for y in alphabet {
                names.push(format!("{x}{y}"));
                names.push(format!("{x}b{y}"));
            }
        }
        for n in names {
            assert_eq!(re.is_match(&n), check_name(&n).is_ok(), "{n:?}");
        }
    }
}
