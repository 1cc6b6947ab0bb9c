//! Redis adapters for the shared-state ports: room state with
//! compare-and-swap (a Lua script), the event bus (pub/sub), rate limits,
//! chat history, analytics, recording records, instance liveness and the
//! webhook outbox. Only this crate knows the Redis client.
//!
//! Every key starts with a configurable prefix, so several deployments can
//! share one Redis. Every operation that must be atomic across instances is
//! one Lua script: a room save checks the version it read, a rate-limit hit
//! checks and counts, a chat append is idempotent, a dead instance is
//! claimed by exactly one survivor, an SFU room's media by one instance, and a room's webhook head is claimed by
//! one dispatcher at a time.
//!
//! One module per port (`rooms`, `bus`, `ratelimit`, `chat`, `analytics`,
//! `recordings`, `instances`, `media`, `eventlog`, `transfers`, `quota`,
//! `webhooks`); this file holds the connection pool, the one call path
//! with its timeout and latency metric, and the ports bundle.

use std::sync::Arc;
use std::time::Duration;

use deadpool_redis::redis;
use deadpool_redis::{Pool, PoolConfig, Runtime, Timeouts};
use signaling_core::PortError;

mod analytics;
mod bus;
mod chat;
mod chat_spool;
mod eventlog;
mod instances;
mod media;
mod quota;
mod ratelimit;
mod receipts;
mod recordings;
mod rooms;
mod transfers;
mod webhooks;

pub use self::quota::RedisQuotas;
pub use self::webhooks::RedisWebhookOutbox;
pub use analytics::RedisAnalytics;
pub use bus::RedisBus;
pub use chat::RedisChatHistory;
pub use chat_spool::RedisChatSpool;
pub use eventlog::RedisEventLog;
pub use instances::RedisInstanceRegistry;
pub use media::RedisMediaOwners;
pub use ratelimit::RedisRateLimiter;
pub use receipts::RedisReadReceipts;
pub use recordings::{RECORDING_TTL_SECS, RedisRecordingStore};
pub use rooms::{ROOM_SCHEMA, RedisRoomStore};
pub use transfers::RedisTransferStore;

/// Per-room caps of the Redis collections (the newest are kept).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caps {
    /// Chat messages per room.
    pub chat_per_room: usize,
    /// Analytics events per room.
    pub analytics_per_room: usize,
}

impl Default for Caps {
    /// The in-memory adapters' defaults.
    fn default() -> Self {
        Caps {
            chat_per_room: signaling_core::memory::CHAT_CAP,
            analytics_per_room: signaling_core::memory::ANALYTICS_CAP,
        }
    }
}

/// How to reach Redis. `Debug` shows the URL with its credentials redacted.
#[derive(Clone)]
pub struct RedisConfig {
    /// `redis://host:port/db`.
    pub url: String,
    /// Prepended to every key and channel, e.g. `rtc:`.
    pub prefix: String,
    /// Connections the pool may open. Requests share one multiplexed
    /// connection from it at a time (see [`Redis`]).
    pub pool_size: usize,
    /// How long a request waits for a connection or an answer before
    /// failing with `SERVICE_UNAVAILABLE`.
    pub timeout: Duration,
}

impl std::fmt::Debug for RedisConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisConfig")
            .field("url", &redact::redact_url(&self.url))
            .field("prefix", &self.prefix)
            .field("pool_size", &self.pool_size)
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl RedisConfig {
    /// Defaults for `url`: prefix `rtc:`, 32 connections, 2 s timeout.
    pub fn new(url: impl Into<String>) -> Self {
        RedisConfig {
            url: url.into(),
            prefix: "rtc:".into(),
            pool_size: 32,
            timeout: Duration::from_secs(2),
        }
    }
}

/// A connection pool plus the key prefix; every adapter holds one.
///
/// Requests share one multiplexed connection taken from the pool (the
/// driver pipelines concurrent requests on it) and keep it until it fails;
/// then the next request takes a fresh one. Taking a connection from the
/// pool per request cost a second round trip each time: the pool checks a
/// connection it hands out with `UNWATCH` + `PING`.
#[derive(Clone)]
pub struct Redis {
    pool: Pool,
    shared: Arc<std::sync::Mutex<Option<Connection>>>,
    client: redis::Client,
    prefix: Arc<str>,
    timeout: Duration,
}

/// The connection requests run on.
type Connection = redis::aio::MultiplexedConnection;

/// A Redis call failed; the driver's error is kept as the source.
fn unavailable<E: std::error::Error + Send + Sync + 'static>(e: E) -> PortError {
    PortError::unavailable(format!("redis: {e}")).with_source(e)
}

fn corrupt(e: impl std::fmt::Display) -> PortError {
    PortError::corrupt(format!("redis: {e}"))
}

impl Redis {
    /// Builds the pool. Connects lazily: a Redis that is down now is not an
    /// error here, only for the requests that need it.
    ///
    /// Every connection, pooled or pub/sub, has `TCP_NODELAY` set (the
    /// driver leaves Nagle's algorithm on by default): small commands and
    /// pipelined publishes go out at once instead of waiting for the
    /// previous segment's acknowledgement, which held a relay to another
    /// instance for milliseconds.
    pub fn new(cfg: &RedisConfig) -> Result<Self, PortError> {
        use redis::IntoConnectionInfo as _;
        let bad = |what: &str, e: redis::RedisError| {
            PortError::unavailable(redact::scrub(&format!("redis {what}: {e}"), &cfg.url))
        };
        let info = cfg
            .url
            .as_str()
            .into_connection_info()
            .map_err(|e| bad("url", e))?
            .set_tcp_settings(redis::io::tcp::TcpSettings::default().set_nodelay(true));
        let manager = deadpool_redis::Manager::new(info.clone()).map_err(|e| bad("config", e))?;
        let pool = Pool::builder(manager)
            .config(PoolConfig {
                max_size: cfg.pool_size,
                timeouts: Timeouts {
                    wait: Some(cfg.timeout),
                    create: Some(cfg.timeout),
                    recycle: Some(cfg.timeout),
                },
                ..PoolConfig::default()
            })
            .runtime(Runtime::Tokio1)
            .build()
            .map_err(|e| {
                PortError::unavailable(redact::scrub(&format!("redis config: {e}"), &cfg.url))
            })?;
        let client = redis::Client::open(info).map_err(|e| bad("url", e))?;
        Ok(Redis {
            pool,
            shared: Arc::default(),
            client,
            prefix: cfg.prefix.as_str().into(),
            timeout: cfg.timeout,
        })
    }

    fn key(&self, parts: &[&str]) -> String {
        let mut k = String::from(&*self.prefix);
        k.push_str(&parts.join(":"));
        k
    }

    /// The shared connection, or a fresh one from the pool.
    async fn conn(&self) -> Result<Connection, PortError> {
        if let Some(c) = self.shared.lock().expect("redis lock").clone() {
            return Ok(c);
        }
        let pooled = self.pool.get().await.map_err(unavailable)?;
        let c: Connection = (*pooled).clone();
        *self.shared.lock().expect("redis lock") = Some(c.clone());
        Ok(c)
    }

    /// Forgets the shared connection (it failed); the next request takes
    /// a fresh one.
    fn drop_conn(&self) {
        *self.shared.lock().expect("redis lock") = None;
    }

    /// Runs `f` on the shared connection, bounded by the timeout.
    async fn run<T, F>(&self, f: F) -> Result<T, PortError>
    where
        F: AsyncFnOnce(&mut Connection) -> redis::RedisResult<T>,
    {
        let work = async {
            let mut c = self.conn().await?;
            f(&mut c).await.map_err(|e| {
                if e.is_unrecoverable_error() || e.is_io_error() || e.is_connection_dropped() {
                    self.drop_conn();
                }
                unavailable(e)
            })
        };
        let started = std::time::Instant::now();
        let result = tokio::time::timeout(self.timeout, work)
            .await
            .map_err(|e| {
                self.drop_conn();
                unavailable(e)
            })
            .and_then(|r| r);
        // Through the `metrics` facade: the server exports it at /metrics.
        let outcome = if result.is_ok() { "ok" } else { "error" };
        metrics::histogram!("rtc_store_call_seconds", "store" => "redis", "op" => "call", "outcome" => outcome)
            .record(started.elapsed().as_secs_f64());
        result
    }

    /// `PING`: for readiness checks.
    pub async fn ping(&self) -> Result<(), PortError> {
        self.run(async |c| redis::cmd("PING").query_async::<String>(c).await)
            .await
            .map(|_| ())
    }

    /// Every port over this connection; the replay log keeps `buffer`.
    pub fn ports_with(&self, buffer: reconnection::BufferConfig) -> RedisPorts {
        let mut p = self.ports();
        p.log = Arc::new(RedisEventLog(self.clone(), buffer));
        p
    }

    /// Every port over this connection, with `buffer` and per-room `caps`.
    pub fn ports_with_caps(&self, buffer: reconnection::BufferConfig, caps: Caps) -> RedisPorts {
        let mut p = self.ports_with(buffer);
        p.chat = Arc::new(RedisChatHistory(self.clone(), caps.chat_per_room.max(1)));
        p.analytics = Arc::new(RedisAnalytics(self.clone(), caps.analytics_per_room.max(1)));
        p
    }

    /// The webhook outbox over this connection, keeping delivered events
    /// for replay as `retention` says.
    pub fn webhook_outbox(&self, retention: ::webhooks::Retention) -> Arc<RedisWebhookOutbox> {
        Arc::new(RedisWebhookOutbox::new(
            self.clone(),
            retention,
            "wh".into(),
        ))
    }

    /// The outbox of the named webhook endpoint `endpoint` (keys under
    /// `whe:{endpoint}:`), apart from the default endpoint's and every
    /// other one's. The caller keeps names free of `:`.
    pub fn webhook_outbox_for(
        &self,
        endpoint: &str,
        retention: ::webhooks::Retention,
    ) -> Arc<RedisWebhookOutbox> {
        Arc::new(RedisWebhookOutbox::new(
            self.clone(),
            retention,
            format!("whe:{endpoint}"),
        ))
    }

    /// Every port over this connection, with the default replay buffer.
    pub fn ports(&self) -> RedisPorts {
        RedisPorts {
            rooms: Arc::new(RedisRoomStore(self.clone())),
            bus: Arc::new(RedisBus::new(self.clone())),
            chat: Arc::new(RedisChatHistory(
                self.clone(),
                signaling_core::memory::CHAT_CAP,
            )),
            receipts: Arc::new(RedisReadReceipts(self.clone())),
            analytics: Arc::new(RedisAnalytics(
                self.clone(),
                signaling_core::memory::ANALYTICS_CAP,
            )),
            limiter: Arc::new(RedisRateLimiter(self.clone())),
            recordings: Arc::new(RedisRecordingStore(self.clone())),
            instances: Arc::new(RedisInstanceRegistry(self.clone())),
            media_owners: Arc::new(RedisMediaOwners(self.clone())),
            log: Arc::new(RedisEventLog(
                self.clone(),
                reconnection::BufferConfig::default(),
            )),
            transfers: Arc::new(RedisTransferStore(self.clone())),
            webhooks: self.webhook_outbox(::webhooks::Retention::default()),
            quotas: Arc::new(RedisQuotas(self.clone())),
            chat_spool: Arc::new(RedisChatSpool(self.clone())),
        }
    }
}

/// The Redis implementation of each port.
pub struct RedisPorts {
    /// Room state.
    pub rooms: Arc<RedisRoomStore>,
    /// Event bus.
    pub bus: Arc<RedisBus>,
    /// Chat history.
    pub chat: Arc<RedisChatHistory>,
    /// Chat read marks.
    pub receipts: Arc<RedisReadReceipts>,
    /// Analytics.
    pub analytics: Arc<RedisAnalytics>,
    /// Rate limits.
    pub limiter: Arc<RedisRateLimiter>,
    /// Recording records.
    pub recordings: Arc<RedisRecordingStore>,
    /// Instance liveness.
    pub instances: Arc<RedisInstanceRegistry>,
    /// Which instance runs each SFU room's media.
    pub media_owners: Arc<RedisMediaOwners>,
    /// Replay log.
    pub log: Arc<RedisEventLog>,
    /// File-transfer records.
    pub transfers: Arc<RedisTransferStore>,
    /// Webhook outbox, with the default retention (see
    /// [`Redis::webhook_outbox`] for another).
    pub webhooks: Arc<RedisWebhookOutbox>,
    /// Byte budgets and slot sets.
    pub quotas: Arc<RedisQuotas>,
    /// The chat outbox's spool (messages waiting for MongoDB).
    pub chat_spool: Arc<RedisChatSpool>,
}

#[cfg(test)]
mod tests;
