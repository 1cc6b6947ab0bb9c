//! Chat history: a sorted set of ids and a hash of records; idempotent, capped appends.

use async_trait::async_trait;
use deadpool_redis::redis::{self, AsyncCommands as _, Script};
use signaling_core::ports::*;
use signaling_core::protocol::ChatRecord;
use signaling_core::{PortError, RoomId};

use crate::{Redis, corrupt};

/// Per room: a sorted set of message ids scored by arrival order and a
/// hash id -> JSON, holding the newest `.1` messages (the append script
/// trims the oldest). Appends are idempotent on the id.
pub struct RedisChatHistory(pub(crate) Redis, pub(crate) usize);

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

/// Replaces a record only if the room still holds it.
const CHAT_REPLACE: &str = r"
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
";

/// Adds (`ARGV[4]` = 1) or takes back a reaction `ARGV[2]` of user
/// `ARGV[3]` on record `ARGV[1]`, in place (the rule of
/// `protocol::apply_reaction`); 0 if the room does not hold it.
const CHAT_REACT: &str = r"
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return 0 end
local rec = cjson.decode(raw)
local all = rec.reactions or {}
local users = all[ARGV[2]] or {}
local at = nil
for i, u in ipairs(users) do if u == ARGV[3] then at = i end end
if ARGV[4] == '1' then
  if not at then table.insert(users, ARGV[3]) end
elseif at then
  table.remove(users, at)
end
if #users > 0 then all[ARGV[2]] = users else all[ARGV[2]] = nil end
if next(all) == nil then rec.reactions = nil else rec.reactions = all end
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(rec))
return 1
";

impl RedisChatHistory {
    fn keys(&self, room: &str) -> (String, String) {
        (
            self.0.key(&["chat", room, "order"]),
            self.0.key(&["chat", room, "msgs"]),
        )
    }
}

#[async_trait]
impl ChatHistory for RedisChatHistory {
    async fn get(&self, room: &RoomId, id: &str) -> Result<Option<ChatRecord>, PortError> {
        let (_, msgs) = self.keys(room.as_str());
        let raw: Option<String> = self.0.run(async |c| c.hget(&msgs, id).await).await?;
        raw.map(|r| serde_json::from_str(&r).map_err(corrupt))
            .transpose()
    }

    async fn replace(&self, record: &ChatRecord) -> Result<bool, PortError> {
        let (_, msgs) = self.keys(&record.room_id);
        let json = serde_json::to_string(record).map_err(corrupt)?;
        let done: i64 = self
            .0
            .run(async |c| {
                Script::new(CHAT_REPLACE)
                    .key(&msgs)
                    .arg(&record.id)
                    .arg(&json)
                    .invoke_async(c)
                    .await
            })
            .await?;
        Ok(done == 1)
    }

    async fn react(
        &self,
        room: &RoomId,
        id: &str,
        emoji: &str,
        user: &str,
        active: bool,
    ) -> Result<bool, PortError> {
        let (_, msgs) = self.keys(room.as_str());
        let done: i64 = self
            .0
            .run(async |c| {
                Script::new(CHAT_REACT)
                    .key(&msgs)
                    .arg(id)
                    .arg(emoji)
                    .arg(user)
                    .arg(u8::from(active))
                    .invoke_async(c)
                    .await
            })
            .await?;
        Ok(done == 1)
    }

    async fn remove(&self, room: &RoomId, id: &str) -> Result<bool, PortError> {
        let (order, msgs) = self.keys(room.as_str());
        let (gone, _): (i64, i64) = self
            .0
            .run(async |c| {
                redis::pipe()
                    .atomic()
                    .hdel(&msgs, id)
                    .zrem(&order, id)
                    .query_async(c)
                    .await
            })
            .await?;
        Ok(gone == 1)
    }

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
