//! Redis adapters for the shared-state ports: room state with
//! compare-and-swap (a Lua script), the event bus (pub/sub), rate limits,
//! chat history, analytics, recording records, instance liveness and the
//! webhook outbox. Only this crate knows the Redis client.
//!
//! Every key starts with a configurable prefix, so several deployments can
//! share one Redis. Every operation that must be atomic across instances is
//! one Lua script: a room save checks the version it read, a rate-limit hit
//! checks and counts, a chat append is idempotent, a dead instance is
//! claimed by exactly one survivor, and a room's webhook head is claimed by
//! one dispatcher at a time.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use deadpool_redis::redis::{self, AsyncCommands as _, Script};
use deadpool_redis::{Config, Connection, Pool, PoolConfig, Runtime, Timeouts};
use futures_util::StreamExt as _;
use signaling_core::engine::AnalyticsRecord;
use signaling_core::memory::summarize;
use signaling_core::ports::*;
use signaling_core::protocol::ChatRecord;
use signaling_core::ratelimit::{Limit, RateLimiter, RateStatus, window};
use signaling_core::room::Room;
use signaling_core::{ConnectionId, PortError, RoomId};

mod quota;
mod webhooks;
pub use self::quota::RedisQuotas;
pub use self::webhooks::RedisWebhookOutbox;

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
    /// Pooled connections.
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
#[derive(Clone)]
pub struct Redis {
    pool: Pool,
    client: redis::Client,
    prefix: Arc<str>,
    timeout: Duration,
}

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
    pub fn new(cfg: &RedisConfig) -> Result<Self, PortError> {
        let mut c = Config::from_url(cfg.url.clone());
        c.pool = Some(PoolConfig {
            max_size: cfg.pool_size,
            timeouts: Timeouts {
                wait: Some(cfg.timeout),
                create: Some(cfg.timeout),
                recycle: Some(cfg.timeout),
            },
            ..PoolConfig::default()
        });
        let pool = c.create_pool(Some(Runtime::Tokio1)).map_err(|e| {
            PortError::unavailable(redact::scrub(&format!("redis config: {e}"), &cfg.url))
        })?;
        let client = redis::Client::open(cfg.url.as_str()).map_err(|e| {
            PortError::unavailable(redact::scrub(&format!("redis url: {e}"), &cfg.url))
        })?;
        Ok(Redis {
            pool,
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

    async fn conn(&self) -> Result<Connection, PortError> {
        self.pool.get().await.map_err(unavailable)
    }

    /// Runs `f` on a pooled connection, bounded by the timeout.
    async fn run<T, F>(&self, f: F) -> Result<T, PortError>
    where
        F: AsyncFnOnce(&mut Connection) -> redis::RedisResult<T>,
    {
        let work = async {
            let mut c = self.conn().await?;
            f(&mut c).await.map_err(unavailable)
        };
        let started = std::time::Instant::now();
        let result = tokio::time::timeout(self.timeout, work)
            .await
            .map_err(unavailable)
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
        Arc::new(RedisWebhookOutbox::new(self.clone(), retention))
    }

    /// Every port over this connection, with the default replay buffer.
    pub fn ports(&self) -> RedisPorts {
        RedisPorts {
            rooms: Arc::new(RedisRoomStore(self.clone())),
            bus: Arc::new(RedisBus(self.clone())),
            chat: Arc::new(RedisChatHistory(
                self.clone(),
                signaling_core::memory::CHAT_CAP,
            )),
            analytics: Arc::new(RedisAnalytics(
                self.clone(),
                signaling_core::memory::ANALYTICS_CAP,
            )),
            limiter: Arc::new(RedisRateLimiter(self.clone())),
            recordings: Arc::new(RedisRecordingStore(self.clone())),
            instances: Arc::new(RedisInstanceRegistry(self.clone())),
            log: Arc::new(RedisEventLog(
                self.clone(),
                reconnection::BufferConfig::default(),
            )),
            transfers: Arc::new(RedisTransferStore(self.clone())),
            webhooks: self.webhook_outbox(::webhooks::Retention::default()),
            quotas: Arc::new(RedisQuotas(self.clone())),
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
    /// Analytics.
    pub analytics: Arc<RedisAnalytics>,
    /// Rate limits.
    pub limiter: Arc<RedisRateLimiter>,
    /// Recording records.
    pub recordings: Arc<RedisRecordingStore>,
    /// Instance liveness.
    pub instances: Arc<RedisInstanceRegistry>,
    /// Replay log.
    pub log: Arc<RedisEventLog>,
    /// File-transfer records.
    pub transfers: Arc<RedisTransferStore>,
    /// Webhook outbox, with the default retention (see
    /// [`Redis::webhook_outbox`] for another).
    pub webhooks: Arc<RedisWebhookOutbox>,
    /// Byte budgets and slot sets.
    pub quotas: Arc<RedisQuotas>,
}

// ------------------------------------------------------------------ rooms

/// Rooms as hashes `{prefix}room:{id}` with fields `v` (version) and `data`
/// (JSON), plus the set `{prefix}rooms`. A deleted room keeps its version
/// for a day, so a stale writer can never match a recreated room's version.
pub struct RedisRoomStore(Redis);

const SAVE_ROOM: &str = r"
local cur = redis.call('HGET', KEYS[1], 'v')
local exists = redis.call('HEXISTS', KEYS[1], 'data') == 1
if ARGV[1] == '' then
  if exists then return 0 end
else
  if not exists or cur ~= ARGV[1] then return 0 end
end
local nv = (tonumber(cur) or 0) + 1
redis.call('HSET', KEYS[1], 'v', nv, 'data', ARGV[2])
redis.call('PERSIST', KEYS[1])
redis.call('SADD', KEYS[2], ARGV[3])
return nv
";

const DELETE_ROOM: &str = r"
if redis.call('HEXISTS', KEYS[1], 'data') == 0 then return 1 end
if redis.call('HGET', KEYS[1], 'v') ~= ARGV[1] then return 0 end
redis.call('HDEL', KEYS[1], 'data')
redis.call('EXPIRE', KEYS[1], 86400)
redis.call('SREM', KEYS[2], ARGV[2])
return 1
";

#[async_trait]
impl RoomStore for RedisRoomStore {
    async fn load(&self, id: &RoomId) -> Result<Option<Versioned>, PortError> {
        let key = self.0.key(&["room", id.as_str()]);
        let (v, data): (Option<u64>, Option<String>) = self
            .0
            .run(async |c| {
                redis::cmd("HMGET")
                    .arg(&key)
                    .arg("v")
                    .arg("data")
                    .query_async(c)
                    .await
            })
            .await?;
        match (v, data) {
            (Some(version), Some(data)) => {
                let room: Room = serde_json::from_str(&data).map_err(corrupt)?;
                Ok(Some(Versioned {
                    version,
                    room: Arc::new(room),
                }))
            }
            _ => Ok(None),
        }
    }

    async fn save(&self, room: &Room, expected: Option<u64>) -> Result<Saved, PortError> {
        let key = self.0.key(&["room", room.id.as_str()]);
        let set = self.0.key(&["rooms"]);
        let data = serde_json::to_string(room).map_err(corrupt)?;
        let expected = expected.map(|v| v.to_string()).unwrap_or_default();
        let nv: u64 = self
            .0
            .run(async |c| {
                Script::new(SAVE_ROOM)
                    .key(&key)
                    .key(&set)
                    .arg(&expected)
                    .arg(&data)
                    .arg(room.id.as_str())
                    .invoke_async(c)
                    .await
            })
            .await?;
        Ok(if nv == 0 { Saved::Conflict } else { Saved::Ok })
    }

    async fn delete(&self, id: &RoomId, expected: u64) -> Result<Saved, PortError> {
        let key = self.0.key(&["room", id.as_str()]);
        let set = self.0.key(&["rooms"]);
        let ok: u8 = self
            .0
            .run(async |c| {
                Script::new(DELETE_ROOM)
                    .key(&key)
                    .key(&set)
                    .arg(expected)
                    .arg(id.as_str())
                    .invoke_async(c)
                    .await
            })
            .await?;
        Ok(if ok == 1 { Saved::Ok } else { Saved::Conflict })
    }

    async fn list(&self) -> Result<Vec<RoomId>, PortError> {
        let set = self.0.key(&["rooms"]);
        let ids: Vec<String> = self.0.run(async |c| c.smembers(&set).await).await?;
        ids.iter()
            .map(|i| RoomId::parse(i).map_err(|e| corrupt(e.message)))
            .collect()
    }
}

// -------------------------------------------------------------------- bus

/// Pub/sub on the channel `{prefix}bus`. The subscriber runs in a task
/// that reconnects by itself when Redis comes back; events published while
/// an instance is cut off are not replayed here (the reconnection log
/// covers clients).
pub struct RedisBus(Redis);

#[async_trait]
impl EventBus for RedisBus {
    async fn publish(&self, event: BusEvent) -> Result<(), PortError> {
        let channel = self.0.key(&["bus"]);
        let payload = serde_json::to_string(&event).map_err(corrupt)?;
        self.0
            .run(async |c| c.publish::<_, _, i64>(&channel, &payload).await)
            .await
            .map(|_| ())
    }

    fn subscribe(&self, sink: Arc<dyn EventSink>) {
        let client = self.0.client.clone();
        let channel = self.0.key(&["bus"]);
        tokio::spawn(async move {
            let mut backoff = Duration::from_millis(100);
            loop {
                match client.get_async_pubsub().await {
                    Ok(mut ps) => match ps.subscribe(&channel).await {
                        Ok(()) => {
                            tracing::info!(%channel, "event bus subscribed");
                            backoff = Duration::from_millis(100);
                            let mut stream = ps.on_message();
                            while let Some(msg) = stream.next().await {
                                let Ok(payload) = msg.get_payload::<String>() else {
                                    continue;
                                };
                                match serde_json::from_str::<BusEvent>(&payload) {
                                    Ok(ev) => sink.deliver(&ev),
                                    Err(e) => tracing::warn!(error = %e, "undecodable bus event"),
                                }
                            }
                            tracing::warn!(%channel, "event bus subscription lost; reconnecting");
                        }
                        Err(e) => tracing::warn!(error = %e, "event bus subscribe failed"),
                    },
                    Err(e) => tracing::debug!(error = %e, "event bus connect failed"),
                }
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(2));
            }
        });
    }
}

// ------------------------------------------------------------ rate limits

/// Fixed windows as counters `{prefix}rl:{key}:{window start}` that expire
/// with their window; check-and-count is one script.
pub struct RedisRateLimiter(Redis);

const HIT: &str = r"
local c = tonumber(redis.call('GET', KEYS[1]) or '0')
if c >= tonumber(ARGV[1]) then return {0, c} end
c = redis.call('INCR', KEYS[1])
if c == 1 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
return {1, c}
";

#[async_trait]
impl RateLimiter for RedisRateLimiter {
    async fn hit(&self, key: &str, limit: Limit, now: i64) -> Result<RateStatus, PortError> {
        let (start, reset) = window(limit, now);
        let k = self.0.key(&["rl", key, &start.to_string()]);
        let (allowed, used): (u8, u32) = self
            .0
            .run(async |c| {
                Script::new(HIT)
                    .key(&k)
                    .arg(limit.max)
                    .arg(limit.window_secs.max(1) + 1)
                    .invoke_async(c)
                    .await
            })
            .await?;
        Ok(RateStatus {
            allowed: allowed == 1,
            used,
            remaining: limit.max.saturating_sub(used),
            reset_in_secs: reset,
        })
    }

    async fn peek(&self, key: &str, limit: Limit, now: i64) -> Result<RateStatus, PortError> {
        let (start, reset) = window(limit, now);
        let k = self.0.key(&["rl", key, &start.to_string()]);
        let used: Option<u32> = self.0.run(async |c| c.get(&k).await).await?;
        let used = used.unwrap_or(0);
        Ok(RateStatus {
            allowed: used < limit.max,
            used,
            remaining: limit.max.saturating_sub(used),
            reset_in_secs: reset,
        })
    }
}

// ------------------------------------------------------------------- chat

/// Per room: a sorted set of message ids scored by arrival order and a
/// hash id -> JSON, holding the newest `.1` messages (the append script
/// trims the oldest). Appends are idempotent on the id.
pub struct RedisChatHistory(Redis, usize);

const CHAT_APPEND: &str = r"
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 then return 0 end
local seq = redis.call('INCR', KEYS[3])
redis.call('ZADD', KEYS[1], seq, ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
local over = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[3])
if over > 0 then
  local old = redis.call('ZRANGE', KEYS[1], 0, over - 1)
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, over - 1)
  redis.call('HDEL', KEYS[2], unpack(old))
end
return seq
";

#[async_trait]
impl ChatHistory for RedisChatHistory {
    async fn append(&self, record: &ChatRecord) -> Result<(), PortError> {
        let room = record.room_id.as_str();
        let (order, msgs, seq) = (
            self.0.key(&["chat", room, "order"]),
            self.0.key(&["chat", room, "msgs"]),
            self.0.key(&["chat", room, "seq"]),
        );
        let json = serde_json::to_string(record).map_err(corrupt)?;
        self.0
            .run(async |c| {
                Script::new(CHAT_APPEND)
                    .key(&order)
                    .key(&msgs)
                    .key(&seq)
                    .arg(&record.id)
                    .arg(&json)
                    .arg(self.1)
                    .invoke_async::<i64>(c)
                    .await
            })
            .await
            .map(|_| ())
    }

    async fn page(
        &self,
        room: &RoomId,
        before: Option<&str>,
        limit: usize,
    ) -> Result<ChatPage, PortError> {
        let (order, msgs) = (
            self.0.key(&["chat", room.as_str(), "order"]),
            self.0.key(&["chat", room.as_str(), "msgs"]),
        );
        let (ids, records): (Vec<String>, Vec<Option<String>>) = self
            .0
            .run(async |c| {
                let max = match before {
                    Some(id) => match c.zscore::<_, _, Option<f64>>(&order, id).await? {
                        Some(score) => format!("({score}"),
                        None => return Ok((vec![], vec![])),
                    },
                    None => "+inf".to_owned(),
                };
                let ids: Vec<String> = redis::cmd("ZREVRANGEBYSCORE")
                    .arg(&order)
                    .arg(&max)
                    .arg("-inf")
                    .arg("LIMIT")
                    .arg(0)
                    .arg(limit + 1)
                    .query_async(c)
                    .await?;
                if ids.is_empty() {
                    return Ok((ids, vec![]));
                }
                let recs: Vec<Option<String>> = redis::cmd("HMGET")
                    .arg(&msgs)
                    .arg(&ids)
                    .query_async(c)
                    .await?;
                Ok((ids, recs))
            })
            .await?;
        let more = ids.len() > limit;
        let mut messages = Vec::with_capacity(limit);
        for r in records.into_iter().take(limit).flatten() {
            messages.push(serde_json::from_str::<ChatRecord>(&r).map_err(corrupt)?);
        }
        let next_cursor = if more {
            messages.last().map(|m| m.id.clone())
        } else {
            None
        };
        Ok(ChatPage {
            messages,
            next_cursor,
        })
    }
}

// -------------------------------------------------------------- analytics

/// A list of JSON events per room, the newest `.1` kept (push and trim in
/// one transaction).
pub struct RedisAnalytics(Redis, usize);

#[async_trait]
impl Analytics for RedisAnalytics {
    async fn record(&self, event: &AnalyticsRecord) -> Result<(), PortError> {
        let key = self.0.key(&["analytics", &event.room_id]);
        let json = serde_json::to_string(event).map_err(corrupt)?;
        let keep = -(self.1 as isize);
        self.0
            .run(async |c| {
                redis::pipe()
                    .atomic()
                    .rpush(&key, &json)
                    .ignore()
                    .ltrim(&key, keep, -1)
                    .ignore()
                    .query_async::<()>(c)
                    .await
            })
            .await
    }

    async fn list(&self, room: &RoomId, limit: usize) -> Result<Vec<AnalyticsRecord>, PortError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let key = self.0.key(&["analytics", room.as_str()]);
        // The newest `limit`: the list's tail.
        let start = -(limit.min(isize::MAX as usize) as isize);
        let raw: Vec<String> = self
            .0
            .run(async |c| c.lrange(&key, start, -1).await)
            .await?;
        raw.iter()
            .map(|r| serde_json::from_str(r).map_err(corrupt))
            .collect()
    }

    async fn summary(&self, room: &RoomId) -> Result<AnalyticsSummary, PortError> {
        Ok(summarize(&self.list(room, usize::MAX / 2).await?))
    }
}

// ------------------------------------------------------------- recordings

/// Records as keys `{prefix}rec:{id}` (JSON) that expire 7 days after their
/// last change, with id sets per room and per user and the set of
/// unfinished recordings; ids whose record expired are skipped.
pub struct RedisRecordingStore(Redis);

/// A claim held by another instance that is still alive stands; one held by
/// a dead instance (its liveness key gone) is taken over.
const CLAIM_JOB: &str = r"
local cur = redis.call('GET', KEYS[1])
if cur and cur ~= ARGV[1] and redis.call('EXISTS', ARGV[3] .. cur) == 1 then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
return 1
";

/// How long a recording's record is kept after its last change.
pub const RECORDING_TTL_SECS: u64 = 7 * 24 * 3600;

impl RedisRecordingStore {
    async fn load_ids(&self, set: &str) -> Result<Vec<recording::Recording>, PortError> {
        let prefix = self.0.key(&["rec", ""]);
        let raw: Vec<Option<String>> = self
            .0
            .run(async |c| {
                let ids: Vec<String> = c.smembers(set).await?;
                if ids.is_empty() {
                    return Ok(vec![]);
                }
                let keys: Vec<String> = ids.iter().map(|i| format!("{prefix}{i}")).collect();
                redis::cmd("MGET").arg(&keys).query_async(c).await
            })
            .await?;
        let mut out = raw
            .into_iter()
            .flatten()
            .map(|r| serde_json::from_str::<recording::Recording>(&r))
            .collect::<Result<Vec<_>, _>>()
            .map_err(corrupt)?;
        out.sort_by_key(|r| r.started_at);
        Ok(out)
    }
}

#[async_trait]
impl recording::RecordingStore for RedisRecordingStore {
    async fn put(&self, r: &recording::Recording) -> Result<(), PortError> {
        let key = self.0.key(&["rec", &r.recording_id]);
        let room = self.0.key(&["rec", "room", &r.room_id]);
        let user = self.0.key(&["rec", "user", &r.started_by]);
        let unfinished = self.0.key(&["rec", "unfinished"]);
        let open = r.is_active() || r.status == recording::RecordingStatus::Processing;
        let json = serde_json::to_string(r).map_err(corrupt)?;
        self.0
            .run(async |c| {
                let mut p = redis::pipe();
                p.atomic()
                    .set_ex(&key, &json, RECORDING_TTL_SECS)
                    .sadd(&room, &r.recording_id)
                    .expire(&room, RECORDING_TTL_SECS as i64)
                    .sadd(&user, &r.recording_id)
                    .expire(&user, RECORDING_TTL_SECS as i64);
                if open {
                    p.sadd(&unfinished, &r.recording_id);
                } else {
                    p.srem(&unfinished, &r.recording_id);
                }
                p.query_async::<()>(c).await
            })
            .await
    }

    async fn get(&self, id: &str) -> Result<Option<recording::Recording>, PortError> {
        let key = self.0.key(&["rec", id]);
        let raw: Option<String> = self.0.run(async |c| c.get(&key).await).await?;
        raw.map(|r| serde_json::from_str(&r).map_err(corrupt))
            .transpose()
    }

    async fn list_room(&self, room_id: &str) -> Result<Vec<recording::Recording>, PortError> {
        self.load_ids(&self.0.key(&["rec", "room", room_id])).await
    }

    async fn list_user(&self, user_id: &str) -> Result<Vec<recording::Recording>, PortError> {
        self.load_ids(&self.0.key(&["rec", "user", user_id])).await
    }

    async fn list_unfinished(&self) -> Result<Vec<recording::Recording>, PortError> {
        Ok(self
            .load_ids(&self.0.key(&["rec", "unfinished"]))
            .await?
            .into_iter()
            .filter(|r| r.is_active() || r.status == recording::RecordingStatus::Processing)
            .collect())
    }

    async fn claim_job(&self, id: &str, owner: &str, ttl_secs: u64) -> Result<bool, PortError> {
        let key = self.0.key(&["rec", id, "job"]);
        let instance_prefix = self.0.key(&["instance", ""]);
        let won: u8 = self
            .0
            .run(async |c| {
                Script::new(CLAIM_JOB)
                    .key(&key)
                    .arg(owner)
                    .arg(ttl_secs.max(1))
                    .arg(&instance_prefix)
                    .invoke_async(c)
                    .await
            })
            .await?;
        Ok(won == 1)
    }
}

// -------------------------------------------------------------- instances

/// Liveness keys `{prefix}instance:{id}` with a TTL, the set
/// `{prefix}instances`, and per instance a hash connection -> JSON.
pub struct RedisInstanceRegistry(Redis);

/// Hands a dead instance's connections to exactly one caller: checks that
/// the liveness key is gone and removes the instance in the same script.
const CLAIM: &str = r"
if redis.call('EXISTS', KEYS[1]) == 1 then return false end
if redis.call('SREM', KEYS[2], ARGV[1]) == 0 then return false end
local conns = redis.call('HVALS', KEYS[3])
redis.call('DEL', KEYS[3])
return conns
";

#[async_trait]
impl InstanceRegistry for RedisInstanceRegistry {
    async fn heartbeat(&self, instance: &str, ttl_secs: u64) -> Result<(), PortError> {
        let alive = self.0.key(&["instance", instance]);
        let set = self.0.key(&["instances"]);
        self.0
            .run(async |c| {
                redis::pipe()
                    .set_ex(&alive, 1, ttl_secs.max(1))
                    .sadd(&set, instance)
                    .query_async::<()>(c)
                    .await
            })
            .await
    }

    async fn track(&self, instance: &str, conn: &TrackedConnection) -> Result<(), PortError> {
        let key = self.0.key(&["instance", instance, "conns"]);
        let json = serde_json::to_string(conn).map_err(corrupt)?;
        let field = conn.connection.to_string();
        self.0
            .run(async |c| c.hset::<_, _, _, i64>(&key, &field, &json).await)
            .await
            .map(|_| ())
    }

    async fn untrack(&self, instance: &str, connection: ConnectionId) -> Result<(), PortError> {
        let key = self.0.key(&["instance", instance, "conns"]);
        let field = connection.to_string();
        self.0
            .run(async |c| c.hdel::<_, _, i64>(&key, &field).await)
            .await
            .map(|_| ())
    }

    async fn claim_dead(
        &self,
        me: &str,
    ) -> Result<Vec<(String, Vec<TrackedConnection>)>, PortError> {
        let set = self.0.key(&["instances"]);
        let ids: Vec<String> = self.0.run(async |c| c.smembers(&set).await).await?;
        let mut out = Vec::new();
        for id in ids.into_iter().filter(|i| i != me) {
            let alive = self.0.key(&["instance", &id]);
            let conns_key = self.0.key(&["instance", &id, "conns"]);
            let claimed: Option<Vec<String>> = self
                .0
                .run(async |c| {
                    Script::new(CLAIM)
                        .key(&alive)
                        .key(&set)
                        .key(&conns_key)
                        .arg(&id)
                        .invoke_async(c)
                        .await
                })
                .await?;
            if let Some(raw) = claimed {
                let conns = raw
                    .iter()
                    .filter_map(|r| serde_json::from_str(r).ok())
                    .collect();
                out.push((id, conns));
            }
        }
        Ok(out)
    }
}

// ------------------------------------------------------------- replay log

/// Per room: a counter `{prefix}log:{room}:seq` and a list of the newest
/// events (JSON), trimmed to the buffer size in the same script that
/// assigns the sequence number. Age is applied when reading.
pub struct RedisEventLog(Redis, reconnection::BufferConfig);

const LOG_APPEND: &str = r#"
local seq = redis.call('INCR', KEYS[1])
redis.call('RPUSH', KEYS[2], '{"seq":' .. seq .. ',' .. ARGV[1])
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[2]), -1)
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return seq
"#;

#[async_trait]
impl reconnection::EventLog for RedisEventLog {
    async fn append(
        &self,
        room: &str,
        now_ms: i64,
        audience: Vec<String>,
        payload: String,
    ) -> Result<u64, PortError> {
        let (seq_key, list) = (
            self.0.key(&["log", room, "seq"]),
            self.0.key(&["log", room, "events"]),
        );
        let ev = reconnection::SequencedEvent {
            seq: 0,
            at_ms: now_ms,
            audience,
            payload,
        };
        // The script prepends the sequence it assigns: send the rest.
        let json = serde_json::to_string(&ev).map_err(corrupt)?;
        let json = json
            .strip_prefix(r#"{"seq":0,"#)
            .expect("seq is the first field")
            .to_owned();
        // Keys outlive the buffer's age by a day so the sequence survives a
        // quiet room; the room sweep clears them when the room goes.
        let keep_ms = self.1.ttl_ms.max(0) + 86_400_000;
        self.0
            .run(async |c| {
                Script::new(LOG_APPEND)
                    .key(&seq_key)
                    .key(&list)
                    .arg(&json)
                    .arg(self.1.max_events.max(1))
                    .arg(keep_ms)
                    .invoke_async(c)
                    .await
            })
            .await
    }

    async fn since(
        &self,
        room: &str,
        now_ms: i64,
        last_seen: u64,
    ) -> Result<reconnection::Replay, PortError> {
        let (seq_key, list) = (
            self.0.key(&["log", room, "seq"]),
            self.0.key(&["log", room, "events"]),
        );
        let (latest, raw): (Option<u64>, Vec<String>) = self
            .0
            .run(async |c| {
                redis::pipe()
                    .get(&seq_key)
                    .lrange(&list, 0, -1)
                    .query_async(c)
                    .await
            })
            .await?;
        let events = raw
            .iter()
            .map(|r| serde_json::from_str::<reconnection::SequencedEvent>(r))
            .collect::<Result<Vec<_>, _>>()
            .map_err(corrupt)?;
        let mut buf = reconnection::ReplayBuffer::from_parts(latest.unwrap_or(0), events);
        Ok(buf.since(self.1, now_ms, last_seen))
    }

    async fn latest(&self, room: &str) -> Result<u64, PortError> {
        let seq_key = self.0.key(&["log", room, "seq"]);
        let v: Option<u64> = self.0.run(async |c| c.get(&seq_key).await).await?;
        Ok(v.unwrap_or(0))
    }

    async fn clear(&self, room: &str) -> Result<(), PortError> {
        let (seq_key, list) = (
            self.0.key(&["log", room, "seq"]),
            self.0.key(&["log", room, "events"]),
        );
        self.0
            .run(async |c| c.del::<_, i64>(&[&seq_key, &list]).await)
            .await
            .map(|_| ())
    }
}

// -------------------------------------------------------------- transfers

/// Records in the hash `{prefix}ft` (id -> JSON), ids per user in
/// `{prefix}ft:user:{user}`, and received chunks as a bitmap
/// `{prefix}ft:{id}:chunks` (SETBIT is atomic; BITCOUNT counts).
pub struct RedisTransferStore(Redis);

const MARK_CHUNK: &str = r"
redis.call('SETBIT', KEYS[1], ARGV[1], 1)
return redis.call('BITCOUNT', KEYS[1])
";

#[async_trait]
impl file_transfer::TransferStore for RedisTransferStore {
    async fn put(&self, t: &file_transfer::Transfer) -> Result<(), PortError> {
        let all = self.0.key(&["ft"]);
        let (s, r) = (
            self.0.key(&["ft", "user", t.sender.as_str()]),
            self.0.key(&["ft", "user", t.receiver.as_str()]),
        );
        let json = serde_json::to_string(t).map_err(corrupt)?;
        self.0
            .run(async |c| {
                redis::pipe()
                    .atomic()
                    .hset(&all, &t.transfer_id, &json)
                    .sadd(&s, &t.transfer_id)
                    .sadd(&r, &t.transfer_id)
                    .query_async::<()>(c)
                    .await
            })
            .await
    }

    async fn get(&self, id: &str) -> Result<Option<file_transfer::Transfer>, PortError> {
        let all = self.0.key(&["ft"]);
        let raw: Option<String> = self.0.run(async |c| c.hget(&all, id).await).await?;
        raw.map(|r| serde_json::from_str(&r).map_err(corrupt))
            .transpose()
    }

    async fn list_user(
        &self,
        user: &signaling_core::UserId,
    ) -> Result<Vec<file_transfer::Transfer>, PortError> {
        let all = self.0.key(&["ft"]);
        let set = self.0.key(&["ft", "user", user.as_str()]);
        let raw: Vec<Option<String>> = self
            .0
            .run(async |c| {
                let ids: Vec<String> = c.smembers(&set).await?;
                if ids.is_empty() {
                    return Ok(vec![]);
                }
                redis::cmd("HMGET").arg(&all).arg(&ids).query_async(c).await
            })
            .await?;
        raw.into_iter()
            .flatten()
            .map(|r| serde_json::from_str(&r).map_err(corrupt))
            .collect()
    }

    async fn list_all(&self) -> Result<Vec<file_transfer::Transfer>, PortError> {
        let all = self.0.key(&["ft"]);
        let raw: Vec<String> = self.0.run(async |c| c.hvals(&all).await).await?;
        raw.iter()
            .map(|r| serde_json::from_str(r).map_err(corrupt))
            .collect()
    }

    async fn mark_chunk(&self, id: &str, index: u64) -> Result<u64, PortError> {
        let key = self.0.key(&["ft", id, "chunks"]);
        self.0
            .run(async |c| {
                Script::new(MARK_CHUNK)
                    .key(&key)
                    .arg(index)
                    .invoke_async(c)
                    .await
            })
            .await
    }

    async fn chunks(&self, id: &str) -> Result<Vec<u64>, PortError> {
        let key = self.0.key(&["ft", id, "chunks"]);
        let bits: Option<Vec<u8>> = self.0.run(async |c| c.get(&key).await).await?;
        let bits = bits.unwrap_or_default();
        let mut out = Vec::new();
        for (byte_i, b) in bits.iter().enumerate() {
            for bit in 0..8 {
                // Redis numbers bits from the most significant end.
                if b & (0x80 >> bit) != 0 {
                    out.push(byte_i as u64 * 8 + bit as u64);
                }
            }
        }
        Ok(out)
    }

    async fn delete(&self, id: &str) -> Result<(), PortError> {
        let Some(t) = self.get(id).await? else {
            return Ok(());
        };
        let all = self.0.key(&["ft"]);
        let (s, r, bits) = (
            self.0.key(&["ft", "user", t.sender.as_str()]),
            self.0.key(&["ft", "user", t.receiver.as_str()]),
            self.0.key(&["ft", id, "chunks"]),
        );
        self.0
            .run(async |c| {
                redis::pipe()
                    .atomic()
                    .hdel(&all, id)
                    .srem(&s, id)
                    .srem(&r, id)
                    .del(&bits)
                    .query_async::<()>(c)
                    .await
            })
            .await
    }
}

#[cfg(test)]
mod tests;
