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
//!   (`Retention::max_pending`), and of dead letters discarded by
//!   `Retention::max_dead`.
//! - `wh:dead` — hash: event id -> dead letter JSON (`DeadLetter`).
//! - `wh:deadq` — list of the dead letters' ids, oldest first.
//!
//! `wh` is the default endpoint's namespace; another endpoint's outbox
//! ([`Redis::webhook_outbox_for`](crate::Redis::webhook_outbox_for)) uses
//! `whe:{endpoint}` in its place, so every endpoint has its own ordered
//! stream, claims and dead letters.
//!
//! Every operation is one Lua script, so two instances polling the same
//! outbox never claim the same room twice and can never move a room's head
//! past an event that was not acknowledged. The claim script reads the
//! per-room keys by name from the prefix (as `CLAIM_JOB` does), which a
//! single Redis or a replicated one allows, not Redis Cluster.

use ::webhooks::{
    DeadLetter, Due, Outbox, OutboxError, ReplayFrom, Retention, RoomState, WebhookEvent,
    check_append, replay_window,
};
use async_trait::async_trait;
use deadpool_redis::redis::{self, Script};
use signaling_core::{PortError, PortErrorKind};

use crate::Redis;

/// [`Outbox`] over Redis; see the module docs for the key layout.
pub struct RedisWebhookOutbox {
    redis: Redis,
    retention: Retention,
    /// The first part of every key: `wh`, or `whe:{endpoint}`.
    ns: String,
}

fn outbox_err(e: PortError) -> OutboxError {
    match e.kind() {
        PortErrorKind::Unavailable => OutboxError::Unavailable(e.message().to_owned()),
        PortErrorKind::Corrupt => OutboxError::Corrupt(e.message().to_owned()),
    }
}

/// KEYS: room, events, due, rooms, pending, dropped, dead, dead ids.
/// ARGV: room id, JSON before the seq, JSON after it, now, oldest kept,
/// max pending per room (0: no cap), delivered kept per room, and the id of
/// the dead letter this append requeues ('' for a new event).
/// Returns `{seq, skipped}`; `{0, 0}` when the dead letter is gone.
const APPEND: &str = r#"
if ARGV[8] ~= '' then
  if redis.call('HDEL', KEYS[7], ARGV[8]) == 0 then return {0, 0} end
  redis.call('LREM', KEYS[8], 0, ARGV[8])
end
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

/// The start of `DELIVERED` and `DEAD`: if `seq` is the head, reads its
/// event into `ev`, moves the room past it (trimming what is kept) and
/// reschedules the room. KEYS: room, events, due, pending. ARGV: room id,
/// seq, now, keep.
macro_rules! pass_head {
    () => {
        r"
local h = redis.call('HMGET', KEYS[1], 'last', 'cur', 'first')
local last, cur, first = tonumber(h[1] or '0'), tonumber(h[2] or '0'), tonumber(h[3] or '1')
local seq = tonumber(ARGV[2])
if seq ~= cur + 1 or seq > last then return 0 end
local ev = redis.call('HGET', KEYS[2], seq)
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
"
    };
}

/// KEYS: room, events, due, pending. ARGV: room id, seq, now, keep.
const DELIVERED: &str = concat!(pass_head!(), "return 1\n");

/// KEYS: room, events, due, pending, dead, dead ids, dropped.
/// ARGV: room id, seq, now, keep, attempts, error as a JSON string,
/// max dead letters (0: no cap). The head moves on as in `DELIVERED`; its
/// event joins the dead letters (replacing an older one with its id).
/// Returns 2 when the head's event was missing (a damaged store): the room
/// moved on, and nothing could be kept.
const DEAD: &str = concat!(
    pass_head!(),
    r#"
if not ev then return 2 end
local id = string.match(ev, '^{"id":"([^"]*)"')
if redis.call('HSET', KEYS[5], id, '{"event":' .. ev .. ',"attempts":' .. ARGV[5] ..
    ',"error":' .. ARGV[6] .. ',"dead_at":' .. ARGV[3] .. '}') == 0 then
  redis.call('LREM', KEYS[6], 0, id)
end
redis.call('RPUSH', KEYS[6], id)
local maxd = tonumber(ARGV[7])
while maxd > 0 and redis.call('LLEN', KEYS[6]) > maxd do
  redis.call('HDEL', KEYS[5], redis.call('LPOP', KEYS[6]))
  redis.call('INCR', KEYS[7])
end
return 1
"#
);

/// KEYS: dead, dead ids. ARGV: limit. The oldest dead letters' JSON.
const LIST_DEAD: &str = r"
local ids = redis.call('LRANGE', KEYS[2], 0, tonumber(ARGV[1]) - 1)
if #ids == 0 then return {} end
return redis.call('HMGET', KEYS[1], unpack(ids))
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
    /// The outbox of the endpoint whose namespace is `ns` (module docs).
    pub(crate) fn new(redis: Redis, retention: Retention, ns: String) -> Self {
        RedisWebhookOutbox {
            redis,
            retention,
            ns,
        }
    }

    /// `{prefix}{ns}:{part}`.
    fn k(&self, part: &str) -> String {
        self.redis.key(&[&self.ns, part])
    }

    fn room_keys(&self, room: &str) -> (String, String) {
        (
            self.redis.key(&[&self.ns, "r", room]),
            self.redis.key(&[&self.ns, "e", room]),
        )
    }

    /// Runs `APPEND` for `event` (its `seq` is ignored: the script assigns
    /// it); `requeue` is the id of the dead letter it replaces, if any.
    /// Returns `(seq, skipped)`, `(0, 0)` when that dead letter is gone.
    async fn append_event(
        &self,
        event: &WebhookEvent,
        now_ms: i64,
        requeue: &str,
    ) -> Result<(u64, u64), OutboxError> {
        // The script puts the sequence number between the two halves; the
        // field order is `WebhookEvent`'s, so the stored JSON decodes as one.
        let head = format!(
            r#"{{"id":{},"event":{},"room_id":{},"seq":"#,
            json_str(&event.id),
            json_str(&event.event),
            json_str(&event.room_id)
        );
        let tail = format!(
            r#","created_at":{},"data":{}}}"#,
            event.created_at, event.data
        );
        let (rk, ek) = self.room_keys(&event.room_id);
        let keys = [
            self.k("due"),
            self.k("rooms"),
            self.k("pending"),
            self.k("dropped"),
            self.k("dead"),
            self.k("deadq"),
        ];
        let oldest = now_ms.saturating_sub(self.retention.max_age_ms);
        self.redis
            .run(async |c| {
                Script::new(APPEND)
                    .key(&rk)
                    .key(&ek)
                    .key(&keys[..])
                    .arg(&event.room_id)
                    .arg(&head)
                    .arg(&tail)
                    .arg(now_ms)
                    .arg(oldest)
                    .arg(self.retention.max_pending)
                    .arg(self.retention.keep_delivered)
                    .arg(requeue)
                    .invoke_async(c)
                    .await
            })
            .await
            .map_err(outbox_err)
    }

    async fn rewind(
        &self,
        room: &str,
        from_seq: u64,
        since_ms: i64,
        now_ms: i64,
    ) -> Result<u64, OutboxError> {
        let (rk, ek) = self.room_keys(room);
        let (due, pending) = (self.k("due"), self.k("pending"));
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
        let ev = WebhookEvent {
            id: uuid::Uuid::new_v4().to_string(),
            event: event.to_owned(),
            room_id: room_id.to_owned(),
            seq: 0,
            created_at: now_ms,
            data,
        };
        let (seq, skipped) = self.append_event(&ev, now_ms, "").await?;
        ::webhooks::warn_dropped(room_id, skipped);
        Ok(WebhookEvent { seq, ..ev })
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
        let due = self.k("due");
        let base = self.k("");
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
        let (due, pending) = (self.k("due"), self.k("pending"));
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
        let due = self.k("due");
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

    async fn dead_letter(
        &self,
        room_id: &str,
        seq: u64,
        attempts: u32,
        error: &str,
        now_ms: i64,
    ) -> Result<bool, OutboxError> {
        let (rk, ek) = self.room_keys(room_id);
        let keys = [
            self.k("due"),
            self.k("pending"),
            self.k("dead"),
            self.k("deadq"),
            self.k("dropped"),
        ];
        let done: u8 = self
            .redis
            .run(async |c| {
                Script::new(DEAD)
                    .key(&rk)
                    .key(&ek)
                    .key(&keys[..])
                    .arg(room_id)
                    .arg(seq)
                    .arg(now_ms)
                    .arg(self.retention.keep_delivered)
                    .arg(attempts)
                    .arg(json_str(error))
                    .arg(self.retention.max_dead)
                    .invoke_async(c)
                    .await
            })
            .await
            .map_err(outbox_err)?;
        if done == 2 {
            return Err(OutboxError::Corrupt(format!(
                "webhook head {seq} of room {room_id} was missing; it could not be kept"
            )));
        }
        Ok(done == 1)
    }

    async fn dead_letters(&self, limit: usize) -> Result<Vec<DeadLetter>, OutboxError> {
        if limit == 0 {
            return Ok(vec![]);
        }
        let (dead, ids) = (self.k("dead"), self.k("deadq"));
        let raw: Vec<Option<String>> = self
            .redis
            .run(async |c| {
                Script::new(LIST_DEAD)
                    .key(&dead)
                    .key(&ids)
                    .arg(limit)
                    .invoke_async(c)
                    .await
            })
            .await
            .map_err(outbox_err)?;
        raw.into_iter()
            .flatten()
            .map(|j| {
                serde_json::from_str(&j)
                    .map_err(|e| OutboxError::Corrupt(format!("webhook dead letter: {e}")))
            })
            .collect()
    }

    async fn dead_letter_count(&self) -> Result<u64, OutboxError> {
        let key = self.k("deadq");
        self.redis
            .run(async |c| redis::cmd("LLEN").arg(&key).query_async(c).await)
            .await
            .map_err(outbox_err)
    }

    async fn requeue_dead(
        &self,
        id: &str,
        now_ms: i64,
    ) -> Result<Option<WebhookEvent>, OutboxError> {
        let key = self.k("dead");
        let raw: Option<String> = self
            .redis
            .run(async |c| redis::cmd("HGET").arg(&key).arg(id).query_async(c).await)
            .await
            .map_err(outbox_err)?;
        let Some(raw) = raw else {
            return Ok(None);
        };
        let dead: DeadLetter = serde_json::from_str(&raw)
            .map_err(|e| OutboxError::Corrupt(format!("webhook dead letter {id}: {e}")))?;
        // The script requeues it only if it is still a dead letter, so two
        // concurrent calls requeue it once.
        let (seq, skipped) = self.append_event(&dead.event, now_ms, id).await?;
        if seq == 0 {
            return Ok(None);
        }
        ::webhooks::warn_dropped(&dead.event.room_id, skipped);
        Ok(Some(WebhookEvent { seq, ..dead.event }))
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
                let set = self.k("rooms");
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
        let key = self.k("pending");
        let n: Option<u64> = self
            .redis
            .run(async |c| redis::cmd("GET").arg(&key).query_async(c).await)
            .await
            .map_err(outbox_err)?;
        Ok(n.unwrap_or(0))
    }

    async fn dropped_count(&self) -> Result<u64, OutboxError> {
        let key = self.k("dropped");
        let n: Option<u64> = self
            .redis
            .run(async |c| redis::cmd("GET").arg(&key).query_async(c).await)
            .await
            .map_err(outbox_err)?;
        Ok(n.unwrap_or(0))
    }

    async fn room_state(&self, room_id: &str) -> Result<Option<RoomState>, OutboxError> {
        let (rk, _) = self.room_keys(room_id);
        let due = self.k("due");
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
