//! Rate-limit policy: which limit applies to which action, and the
//! in-memory limiter. Fixed windows per (limit, user), so the same scheme
//! maps onto Redis `INCR` + `EXPIRE` for a cluster-wide limit.

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;
use serde::Serialize;

use crate::PortError;
use crate::protocol::MessageType;

/// The limits of seed 003, plus one for signaling relay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LimitKind {
    /// Any WebSocket message other than offer/answer/ICE (100/min).
    WebsocketMessage,
    /// Offer, answer and ICE relays (3000/min). Kept apart so that a join
    /// into a full mesh room (dozens of candidates per peer) is not refused.
    Signaling,
    /// Chat messages (60/min).
    ChatMessage,
    /// Hand raises and lowers (5/min).
    HandRaise,
    /// Reactions (20/min).
    Reaction,
    /// File offers (10/hour).
    FileShare,
    /// Rooms created (10/hour).
    RoomCreate,
    /// Settings changes (30/min).
    SettingsUpdate,
    /// REST calls (300/min).
    ApiCall,
}

impl LimitKind {
    /// All kinds.
    pub const ALL: [LimitKind; 9] = [
        LimitKind::WebsocketMessage,
        LimitKind::Signaling,
        LimitKind::ChatMessage,
        LimitKind::HandRaise,
        LimitKind::Reaction,
        LimitKind::FileShare,
        LimitKind::RoomCreate,
        LimitKind::SettingsUpdate,
        LimitKind::ApiCall,
    ];

    /// The wire name, as in `/webrtc/rate-limits/{limit_type}/status`.
    pub fn as_str(self) -> &'static str {
        match self {
            LimitKind::WebsocketMessage => "websocket_message",
            LimitKind::Signaling => "signaling",
            LimitKind::ChatMessage => "chat_message",
            LimitKind::HandRaise => "hand_raise",
            LimitKind::Reaction => "reaction",
            LimitKind::FileShare => "file_share",
            LimitKind::RoomCreate => "room_create",
            LimitKind::SettingsUpdate => "settings_update",
            LimitKind::ApiCall => "api_call",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Whether the kind is counted per connection, on the instance that
    /// holds it ([`TokenBucket`] in the WebSocket session), instead of in
    /// the shared [`RateLimiter`]: the relay kinds, whose count protects
    /// this instance and the peers, and which must not cost a round trip to
    /// the shared store per frame. Every other kind is a per-user count
    /// shared by all instances.
    pub fn is_per_connection(self) -> bool {
        matches!(self, LimitKind::Signaling | LimitKind::WebsocketMessage)
    }

    /// The per-connection limit a WebSocket message of type `t` counts
    /// against (see [`LimitKind::is_per_connection`]).
    pub fn per_connection_for_message(t: MessageType) -> LimitKind {
        match t {
            MessageType::Offer
            | MessageType::Answer
            | MessageType::IceCandidate
            | MessageType::MediaOffer
            | MessageType::MediaAnswer => LimitKind::Signaling,
            _ => LimitKind::WebsocketMessage,
        }
    }

    /// The shared (per-user) limits a WebSocket message of type `t` counts
    /// against besides its per-connection one.
    pub fn shared_for_message(t: MessageType) -> &'static [LimitKind] {
        use LimitKind as L;
        use MessageType as T;
        match t {
            T::ChatMessage | T::ChatEdit | T::ChatDelete => &[L::ChatMessage],
            T::HandRaise => &[L::HandRaise],
            T::Reaction => &[L::Reaction],
            T::FileShareOffer => &[L::FileShare],
            T::RoomSettingsUpdate => &[L::SettingsUpdate],
            _ => &[],
        }
    }

    /// Every limit a WebSocket message of type `t` counts against.
    pub fn for_message(t: MessageType) -> &'static [LimitKind] {
        use LimitKind as L;
        use MessageType as T;
        match t {
            T::Offer | T::Answer | T::IceCandidate | T::MediaOffer | T::MediaAnswer => {
                &[L::Signaling]
            }
            T::ChatMessage | T::ChatEdit | T::ChatDelete => &[L::WebsocketMessage, L::ChatMessage],
            T::HandRaise => &[L::WebsocketMessage, L::HandRaise],
            T::Reaction => &[L::WebsocketMessage, L::Reaction],
            T::FileShareOffer => &[L::WebsocketMessage, L::FileShare],
            T::RoomSettingsUpdate => &[L::WebsocketMessage, L::SettingsUpdate],
            _ => &[L::WebsocketMessage],
        }
    }
}

/// At most `max` actions per `window_secs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Limit {
    /// Actions allowed per window.
    pub max: u32,
    /// Window length in seconds.
    pub window_secs: u64,
}

/// The limit for every kind. Configuration, not constants.
#[derive(Debug, Clone)]
pub struct RatePolicy {
    limits: HashMap<LimitKind, Limit>,
}

impl Default for RatePolicy {
    fn default() -> Self {
        use LimitKind as L;
        let l = |max, window_secs| Limit { max, window_secs };
        RatePolicy {
            limits: HashMap::from([
                (L::WebsocketMessage, l(100, 60)),
                (L::Signaling, l(3000, 60)),
                (L::ChatMessage, l(60, 60)),
                (L::HandRaise, l(5, 60)),
                (L::Reaction, l(20, 60)),
                (L::FileShare, l(10, 3600)),
                (L::RoomCreate, l(10, 3600)),
                (L::SettingsUpdate, l(30, 60)),
                (L::ApiCall, l(300, 60)),
            ]),
        }
    }
}

impl RatePolicy {
    /// The limit of a kind.
    pub fn get(&self, kind: LimitKind) -> Limit {
        self.limits[&kind]
    }

    /// Replaces the limit of a kind.
    pub fn set(&mut self, kind: LimitKind, limit: Limit) {
        self.limits.insert(kind, limit);
    }

    /// Applies overrides written as `kind=max/window_secs`, comma separated,
    /// e.g. `chat_message=30/60,api_call=600/60`.
    pub fn apply_overrides(&mut self, spec: &str) -> Result<(), String> {
        for item in spec.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let bad = || format!("rate limit {item:?}: expected kind=max/window_secs");
            let (kind, rest) = item.split_once('=').ok_or_else(bad)?;
            let kind = LimitKind::parse(kind.trim())
                .ok_or_else(|| format!("unknown rate-limit kind {kind:?}"))?;
            let (max, window) = rest.split_once('/').ok_or_else(bad)?;
            let max: u32 = max.trim().parse().map_err(|_| bad())?;
            let window_secs: u64 = window.trim().parse().map_err(|_| bad())?;
            if window_secs == 0 {
                return Err(bad());
            }
            self.set(kind, Limit { max, window_secs });
        }
        Ok(())
    }
}

/// A token bucket for one per-connection limit: holds up to `max` tokens
/// and refills at `max / window_secs` per second, so a connection may burst
/// to the limit and then keeps the limit's average rate. Time is an input.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TokenBucket {
    capacity: f64,
    per_sec: f64,
    tokens: f64,
    at: i128,
}

impl TokenBucket {
    /// A full bucket for `limit`, as of `now_ms` (milliseconds).
    pub fn new(limit: Limit, now_ms: i128) -> Self {
        let capacity = f64::from(limit.max);
        TokenBucket {
            capacity,
            per_sec: capacity / limit.window_secs.max(1) as f64,
            tokens: capacity,
            at: now_ms,
        }
    }

    /// Takes one token at `now_ms`; when none is left, the whole seconds
    /// until one is (at least 1), and nothing is taken.
    pub fn take(&mut self, now_ms: i128) -> Result<(), u64> {
        let elapsed = (now_ms - self.at).max(0) as f64 / 1000.0;
        self.tokens = (self.tokens + elapsed * self.per_sec).min(self.capacity);
        self.at = now_ms.max(self.at);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            return Ok(());
        }
        if self.per_sec <= 0.0 {
            return Err(u64::MAX);
        }
        Err((((1.0 - self.tokens) / self.per_sec).ceil() as u64).max(1))
    }
}

/// Where a key stands in its current window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RateStatus {
    /// Whether the action (for `hit`) was allowed.
    pub allowed: bool,
    /// Actions used in this window.
    pub used: u32,
    /// Actions left in this window.
    pub remaining: u32,
    /// Seconds until the window resets.
    pub reset_in_secs: u64,
}

/// Counts actions per key in fixed windows, shared by all instances. The
/// window `now` falls in is the one [`window`] computes; a hit past `max`
/// is refused and not counted; keys are independent. Suite:
/// `rate_limiter_suite!`.
#[async_trait]
pub trait RateLimiter: Send + Sync {
    /// Counts one action at `now_unix` if the window has room. MUST be atomic
    /// across instances: two concurrent hits never both take the last slot.
    async fn hit(&self, key: &str, limit: Limit, now_unix: i64) -> Result<RateStatus, PortError>;
    /// Reports without counting.
    async fn peek(&self, key: &str, limit: Limit, now_unix: i64) -> Result<RateStatus, PortError>;
}

/// In-memory fixed-window limiter. Each key holds only its current window
/// (`start`, `end`, count); windows that ended are evicted whenever the map
/// has doubled since the last sweep, so the map stays about as large as
/// the keys active within one window (Redis expires its keys with their
/// window instead).
#[derive(Default)]
pub struct MemoryRateLimiter {
    windows: Mutex<Windows>,
}

#[derive(Default)]
struct Windows {
    map: HashMap<String, (i64, i64, u32)>,
    sweep_at: usize,
}

impl Windows {
    fn evict_ended(&mut self, now: i64) {
        if self.map.len() < self.sweep_at.max(1024) {
            return;
        }
        self.map.retain(|_, (_, end, _)| *end > now);
        self.sweep_at = self.map.len() * 2;
    }
}

/// The start of the fixed window `now` falls in, and the seconds until it
/// resets. Every limiter implementation counts in these windows.
pub fn window(limit: Limit, now: i64) -> (i64, u64) {
    let w = limit.window_secs.max(1) as i64;
    let start = now - now.rem_euclid(w);
    (start, (start + w - now) as u64)
}

#[async_trait]
impl RateLimiter for MemoryRateLimiter {
    async fn hit(&self, key: &str, limit: Limit, now: i64) -> Result<RateStatus, PortError> {
        let (start, reset) = window(limit, now);
        let end = start + limit.window_secs.max(1) as i64;
        let mut w = self.windows.lock().expect("lock");
        w.evict_ended(now);
        let e = w.map.entry(key.to_owned()).or_insert((start, end, 0));
        if e.0 != start {
            *e = (start, end, 0);
        }
        let allowed = e.2 < limit.max;
        if allowed {
            e.2 += 1;
        }
        Ok(RateStatus {
            allowed,
            used: e.2,
            remaining: limit.max.saturating_sub(e.2),
            reset_in_secs: reset,
        })
    }

    async fn peek(&self, key: &str, limit: Limit, now: i64) -> Result<RateStatus, PortError> {
        let (start, reset) = window(limit, now);
        let w = self.windows.lock().expect("lock");
        let used = w
            .map
            .get(key)
            .filter(|(s, _, _)| *s == start)
            .map(|(_, _, c)| *c)
            .unwrap_or(0);
        Ok(RateStatus {
            allowed: used < limit.max,
            used,
            remaining: limit.max.saturating_sub(used),
            reset_in_secs: reset,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A bucket bursts to its limit, then passes the limit's average rate
    /// and no more; it never holds more than the limit however long idle.
    #[test]
    fn a_token_bucket_bursts_then_keeps_the_average_rate() {
        let limit = Limit {
            max: 60,
            window_secs: 60,
        };
        let mut b = TokenBucket::new(limit, 0);
        for _ in 0..60 {
            b.take(0).unwrap();
        }
        assert_eq!(b.take(0), Err(1));
        assert_eq!(b.take(999), Err(1));
        b.take(1_000).unwrap();
        assert!(b.take(1_000).is_err());
        // An hour idle refills to the limit, not beyond.
        let later = 3_600_000;
        let passed = (0..100).filter(|_| b.take(later).is_ok()).count();
        assert_eq!(passed, 60);
        // A slow limit says how long to wait.
        let mut slow = TokenBucket::new(
            Limit {
                max: 1,
                window_secs: 30,
            },
            0,
        );
        slow.take(0).unwrap();
        assert_eq!(slow.take(0), Err(30));
        // Time going backwards refills nothing.
        assert!(slow.take(-5_000).is_err());
    }

    #[test]
    fn overrides_replace_named_limits_and_reject_nonsense() {
        let mut p = RatePolicy::default();
        p.apply_overrides("chat_message=30/10, api_call=600/60")
            .unwrap();
        assert_eq!(
            p.get(LimitKind::ChatMessage),
            Limit {
                max: 30,
                window_secs: 10
            }
        );
        assert_eq!(p.get(LimitKind::ApiCall).max, 600);
        assert_eq!(
            p.get(LimitKind::Reaction).max,
            20,
            "others keep the seed default"
        );
        for bad in [
            "teleport=1/1",
            "chat_message=1",
            "chat_message=x/60",
            "reaction=5/0",
        ] {
            assert!(p.apply_overrides(bad).is_err(), "{bad}");
        }
    }

    async fn memory() -> std::sync::Arc<dyn RateLimiter> {
        std::sync::Arc::new(MemoryRateLimiter::default())
    }

    crate::rate_limiter_suite!(memory);

    #[tokio::test]
    async fn ended_windows_are_evicted() {
        let l = MemoryRateLimiter::default();
        let lim = Limit {
            max: 5,
            window_secs: 60,
        };
        for i in 0..5000 {
            l.hit(&format!("user{i}"), lim, 600).await.unwrap();
        }
        // Within the window nothing may go: the counts are still in force.
        l.hit("late", lim, 659).await.unwrap();
        assert!(l.windows.lock().unwrap().map.len() > 5000);
        for i in 0..5000 {
            l.hit(&format!("next{i}"), lim, 660).await.unwrap();
        }
        let left = l.windows.lock().unwrap().map.len();
        assert!(left <= 5000, "{left} windows kept after theirs ended");
        assert_eq!(
            l.peek("next1", lim, 661).await.unwrap().used,
            1,
            "live windows stay"
        );
    }

    #[test]
    fn every_kind_has_a_limit_and_a_name() {
        let p = RatePolicy::default();
        for k in LimitKind::ALL {
            assert!(p.get(k).max > 0);
            assert_eq!(LimitKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(
            p.get(LimitKind::HandRaise),
            Limit {
                max: 5,
                window_secs: 60
            }
        );
    }
}
