//! The webhook outbox on Redis, shared by every instance.
//!
//! Keys (all under the prefix):
//! - `wh:r:{room}` — hash: `last` (newest seq, by `HINCRBY`), `cur` (every
//!   seq up to it delivered), `first` (lowest seq still stored), `att`
//!   (failed attempts of the head). Never expires, so a room's sequence
//!   never restarts.
//! - `wh:e:{room}` — hash: seq -> event JSON, for `first..=last`.
//! - `wh:due` — sorted set of rooms with pending events, scored by the time
//!   their head may be handed out (unix ms): its creation or retry time, or
//!   the end of a dispatcher's claim. Claiming a room pushes its score to
//!   `now + lease`, so a claim is a lease that ends by itself when its
//!   holder dies.
//! - `wh:rooms` — set of every room (for a replay of all rooms).
//! - `wh:pending` — count of pending events.
//! - `wh:dropped` — count of pending events skipped by the per-room cap
//!   (`Retention::max_pending`).
//!
//! Every operation is one Lua script, so two instances polling the same
//! outbox never claim the same room twice and can never move a room's head
//! past an event that was not acknowledged. The claim script reads the
//! per-room keys by name from the prefix (as `CLAIM_JOB` does), which a
//! single Redis or a replicated one allows, not Redis Cluster.

use ::webhooks::{
    Due, Outbox, OutboxError, ReplayFrom, Retention, RoomState, WebhookEvent, check_append,
    replay_window,
};
use async_trait::async_trait;
use deadpool_redis::redis::{self, Script};
use signaling_core::{PortError, PortErrorKind};

use crate::Redis;

/// [`Outbox`] over Redis; see the module docs for the key layout.
pub struct RedisWebhookOutbox {
    redis: Redis,
    retention: Retention,
}

fn outbox_err(e: PortError) -> OutboxError {
    match e.kind() {
        PortErrorKind::Unavailable => OutboxError::Unavailable(e.message().to_owned()),
        PortErrorKind::Corrupt => OutboxError::Corrupt(e.message().to_owned()),
    }
}

/// KEYS: room, events, due, rooms, pending, dropped.
/// ARGV: room id, JSON before the seq, JSON after it, now, oldest kept,
/// max pending per room (0: no cap), delivered kept per room.
/// Returns `{seq, skipped}`.
const APPEND: &str = r#"
local seq = redis.call('HINCRBY', KEYS[1], 'last', 1)
redis.call('HSETNX', KEYS[1], 'first', 1)
redis.call('HSET', KEYS[2], seq, ARGV[2] .. seq .. ARGV[3])
local cur = tonumber(redis.call('HGET', KEYS[1], 'cur') or '0')
if cur + 1 == seq then
  redis.call('HSET', KEYS[1], 'att', 0)
  redis.call('ZADD', KEYS[3], ARGV[4], ARGV[1])
end
redis.call('SADD', KEYS[4], ARGV[1])
redis.call('INCR', KEYS[5])
local maxp = tonumber(ARGV[6])
local skipped = 0
if maxp > 0 and seq - cur > maxp then
  skipped = seq - cur - maxp
  cur = cur + skipped
  redis.call('HSET', KEYS[1], 'cur', cur, 'att', 0)
  redis.call('ZADD', KEYS[3], ARGV[4], ARGV[1])
  redis.call('DECRBY', KEYS[5], skipped)
  redis.call('INCRBY', KEYS[6], skipped)
  local first = tonumber(redis.call('HGET', KEYS[1], 'first'))
  local keep_from = cur - tonumber(ARGV[7]) + 1
  while first < keep_from do
    redis.call('HDEL', KEYS[2], first)
    first = first + 1
  end
  redis.call('HSET', KEYS[1], 'first', first)
end
local first = tonumber(redis.call('HGET', KEYS[1], 'first'))
local oldest = tonumber(ARGV[5])
while first <= cur do
  local e = redis.call('HGET', KEYS[2], first)
  local at = e and tonumber(string.match(e, ',"created_at":(%-?%d+)'))
  if at and at >= oldest then break end
  redis.call('HDEL', KEYS[2], first)
  first = first + 1
end
redis.call('HSET', KEYS[1], 'first', first)
return {seq, skipped}
"#;

/// KEYS: due. ARGV: key prefix (`{prefix}wh:`), now, limit, lease end.
/// Returns `{event JSON or '', attempts, room}` per claimed room.
const CLAIM: &str = r"
local rooms = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[2], 'LIMIT', 0, tonumber(ARGV[3]))
local out = {}
for _, room in ipairs(rooms) do
  local h = redis.call('HMGET', ARGV[1] .. 'r:' .. room, 'last', 'cur', 'att')
  local last, cur = tonumber(h[1] or '0'), tonumber(h[2] or '0')
  if cur >= last then
    redis.call('ZREM', KEYS[1], room)
  else
    redis.call('ZADD', KEYS[1], ARGV[4], room)
    local ev = redis.call('HGET', ARGV[1] .. 'e:' .. room, cur + 1)
    out[#out + 1] = {ev or '', tonumber(h[3] or '0'), room}
  end
end
return out
";

/// KEYS: room, events, due, pending. ARGV: room id, seq, now, keep.
const DELIVERED: &str = r"
local h = redis.call('HMGET', KEYS[1], 'last', 'cur', 'first')
local last, cur, first = tonumber(h[1] or '0'), tonumber(h[2] or '0'), tonumber(h[3] or '1')
local seq = tonumber(ARGV[2])
if seq ~= cur + 1 or seq > last then return 0 end
local keep_from = seq - tonumber(ARGV[4]) + 1
while first < keep_from do
  redis.call('HDEL', KEYS[2], first)
  first = first + 1
end
redis.call('HSET', KEYS[1], 'cur', seq, 'att', 0, 'first', first)
redis.call('DECR', KEYS[4])
if seq >= last then
  redis.call('ZREM', KEYS[3], ARGV[1])
else
  redis.call('ZADD', KEYS[3], ARGV[3], ARGV[1])
end
return 1
";

/// KEYS: room, due. ARGV: room id, seq, attempts, next attempt.
const RETRY: &str = r"
local h = redis.call('HMGET', KEYS[1], 'last', 'cur')
local last, cur = tonumber(h[1] or '0'), tonumber(h[2] or '0')
local seq = tonumber(ARGV[2])
if seq ~= cur + 1 or seq > last then return 0 end
redis.call('HSET', KEYS[1], 'att', ARGV[3])
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[1])
return 1
";

/// KEYS: room, events, due, pending. ARGV: room id, from seq, since ms, now.
/// Returns how many events became pending again.
const REWIND: &str = r#"
local h = redis.call('HMGET', KEYS[1], 'cur', 'first')
local cur, first = tonumber(h[1] or '0'), tonumber(h[2] or '1')
local s = math.max(first, tonumber(ARGV[2]))
local since = tonumber(ARGV[3])
while s <= cur do
  local e = redis.call('HGET', KEYS[2], s)
  local at = e and tonumber(string.match(e, ',"created_at":(%-?%d+)'))
  if at and at >= since then break end
  s = s + 1
end
if s > cur then return 0 end
redis.call('HSET', KEYS[1], 'cur', s - 1, 'att', 0)
redis.call('INCRBY', KEYS[4], cur - s + 1)
redis.call('ZADD', KEYS[3], ARGV[4], ARGV[1])
return cur - s + 1
"#;

fn json_str(s: &str) -> String {
    serde_json::Value::from(s).to_string()
}

impl RedisWebhookOutbox {
    pub(crate) fn new(redis: Redis, retention: Retention) -> Self {
        RedisWebhookOutbox { redis, retention }
    }

    fn room_keys(&self, room: &str) -> (String, String) {
        (
            self.redis.key(&["wh", "r", room]),
            self.redis.key(&["wh", "e", room]),
        )
    }

    async fn rewind(
        &self,
        room: &str,
        from_seq: u64,
        since_ms: i64,
        now_ms: i64,
    ) -> Result<u64, OutboxError> {
        let (rk, ek) = self.room_keys(room);
        let (due, pending) = (
            self.redis.key(&["wh", "due"]),
            self.redis.key(&["wh", "pending"]),
        );
        self.redis
            .run(async |c| {
                Script::new(REWIND)
                    .key(&rk)
                    .key(&ek)
                    .key(&due)
                    .key(&pending)
                    .arg(room)
                    .arg(from_seq)
                    .arg(since_ms)
                    .arg(now_ms)
                    .invoke_async(c)
                    .await
            })
            .await
            .map_err(outbox_err)
    }
}

#[async_trait]
impl Outbox for RedisWebhookOutbox {
    async fn append(
        &self,
        room_id: &str,
        event: &str,
        data: serde_json::Value,
        now_ms: i64,
    ) -> Result<WebhookEvent, OutboxError> {
        check_append(room_id, event)?;
        let id = uuid::Uuid::new_v4().to_string();
        // The script puts the sequence number between the two halves; the
        // field order is `WebhookEvent`'s, so the stored JSON decodes as one.
        let head = format!(
            r#"{{"id":{},"event":{},"room_id":{},"seq":"#,
            json_str(&id),
            json_str(event),
            json_str(room_id)
        );
        let tail = format!(r#","created_at":{now_ms},"data":{data}}}"#);
        let (rk, ek) = self.room_keys(room_id);
        let (due, rooms, pending, dropped) = (
            self.redis.key(&["wh", "due"]),
            self.redis.key(&["wh", "rooms"]),
            self.redis.key(&["wh", "pending"]),
            self.redis.key(&["wh", "dropped"]),
        );
        let oldest = now_ms.saturating_sub(self.retention.max_age_ms);
        let (seq, skipped): (u64, u64) = self
            .redis
            .run(async |c| {
                Script::new(APPEND)
                    .key(&rk)
                    .key(&ek)
                    .key(&due)
                    .key(&rooms)
                    .key(&pending)
                    .key(&dropped)
                    .arg(room_id)
                    .arg(&head)
                    .arg(&tail)
                    .arg(now_ms)
                    .arg(oldest)
                    .arg(self.retention.max_pending)
                    .arg(self.retention.keep_delivered)
                    .invoke_async(c)
                    .await
            })
            .await
            .map_err(outbox_err)?;
        ::webhooks::warn_dropped(room_id, skipped);
        Ok(WebhookEvent {
            id,
            event: event.to_owned(),
            room_id: room_id.to_owned(),
            seq,
            created_at: now_ms,
            data,
        })
    }

    async fn next_due(
        &self,
        now_ms: i64,
        limit: usize,
        lease_ms: i64,
    ) -> Result<Vec<Due>, OutboxError> {
        if limit == 0 {
            return Ok(vec![]);
        }
        let due = self.redis.key(&["wh", "due"]);
        let base = self.redis.key(&["wh", ""]);
        let claimed: Vec<(String, u32, String)> = self
            .redis
            .run(async |c| {
                Script::new(CLAIM)
                    .key(&due)
                    .arg(&base)
                    .arg(now_ms)
                    .arg(limit)
                    .arg(now_ms.saturating_add(lease_ms.max(0)))
                    .invoke_async(c)
                    .await
            })
            .await
            .map_err(outbox_err)?;
        let mut out = Vec::with_capacity(claimed.len());
        for (json, attempts, room) in claimed {
            match serde_json::from_str::<WebhookEvent>(&json) {
                Ok(event) => out.push(Due { event, attempts }),
                // One damaged room must not stop the others: it stays
                // claimed until the lease ends and is reported each time.
                Err(e) => tracing::error!(%room, error = %e, "undecodable webhook head in redis"),
            }
        }
        Ok(out)
    }

    async fn delivered(&self, room_id: &str, seq: u64, now_ms: i64) -> Result<bool, OutboxError> {
        let (rk, ek) = self.room_keys(room_id);
        let (due, pending) = (
            self.redis.key(&["wh", "due"]),
            self.redis.key(&["wh", "pending"]),
        );
        let done: u8 = self
            .redis
            .run(async |c| {
                Script::new(DELIVERED)
                    .key(&rk)
                    .key(&ek)
                    .key(&due)
                    .key(&pending)
                    .arg(room_id)
                    .arg(seq)
                    .arg(now_ms)
                    .arg(self.retention.keep_delivered)
                    .invoke_async(c)
                    .await
            })
            .await
            .map_err(outbox_err)?;
        Ok(done == 1)
    }

    async fn retry_later(
        &self,
        room_id: &str,
        seq: u64,
        attempts: u32,
        next_attempt_ms: i64,
    ) -> Result<bool, OutboxError> {
        let (rk, _) = self.room_keys(room_id);
        let due = self.redis.key(&["wh", "due"]);
        let done: u8 = self
            .redis
            .run(async |c| {
                Script::new(RETRY)
                    .key(&rk)
                    .key(&due)
                    .arg(room_id)
                    .arg(seq)
                    .arg(attempts)
                    .arg(next_attempt_ms)
                    .invoke_async(c)
                    .await
            })
            .await
            .map_err(outbox_err)?;
        Ok(done == 1)
    }

    async fn replay(
        &self,
        room_id: Option<&str>,
        from: ReplayFrom,
        now_ms: i64,
    ) -> Result<u64, OutboxError> {
        let (from_seq, since_ms) = replay_window(from, self.retention, now_ms);
        let rooms: Vec<String> = match room_id {
            Some(r) => vec![r.to_owned()],
            None => {
                let set = self.redis.key(&["wh", "rooms"]);
                self.redis
                    .run(async |c| redis::cmd("SMEMBERS").arg(&set).query_async(c).await)
                    .await
                    .map_err(outbox_err)?
            }
        };
        let mut total = 0;
        for room in rooms {
            total += self.rewind(&room, from_seq, since_ms, now_ms).await?;
        }
        Ok(total)
    }

    async fn pending_count(&self) -> Result<u64, OutboxError> {
        let key = self.redis.key(&["wh", "pending"]);
        let n: Option<u64> = self
            .redis
            .run(async |c| redis::cmd("GET").arg(&key).query_async(c).await)
            .await
            .map_err(outbox_err)?;
        Ok(n.unwrap_or(0))
    }

    async fn dropped_count(&self) -> Result<u64, OutboxError> {
        let key = self.redis.key(&["wh", "dropped"]);
        let n: Option<u64> = self
            .redis
            .run(async |c| redis::cmd("GET").arg(&key).query_async(c).await)
            .await
            .map_err(outbox_err)?;
        Ok(n.unwrap_or(0))
    }

    async fn room_state(&self, room_id: &str) -> Result<Option<RoomState>, OutboxError> {
        let (rk, _) = self.room_keys(room_id);
        let due = self.redis.key(&["wh", "due"]);
        let (fields, score): (Vec<Option<u64>>, Option<f64>) = self
            .redis
            .run(async |c| {
                redis::pipe()
                    .cmd("HMGET")
                    .arg(&rk)
                    .arg("last")
                    .arg("cur")
                    .arg("first")
                    .arg("att")
                    .cmd("ZSCORE")
                    .arg(&due)
                    .arg(room_id)
                    .query_async(c)
                    .await
            })
            .await
            .map_err(outbox_err)?;
        let Some(last_seq) = fields[0] else {
            return Ok(None);
        };
        let delivered_upto = fields[1].unwrap_or(0);
        let pending = delivered_upto < last_seq;
        Ok(Some(RoomState {
            last_seq,
            delivered_upto,
            retained_from: fields[2].unwrap_or(1),
            attempts: fields[3].unwrap_or(0) as u32,
            not_before_ms: if pending {
                score.map(|s| s as i64)
            } else {
                None
            },
        }))
    }
}
