//! Read marks: per room, a hash of user to `position|json` and a sorted
//! set of users by read time, holding the newest [`RECEIPTS_CAP`]; a Lua
//! script moves a mark only forward.

use async_trait::async_trait;
use deadpool_redis::redis::{AsyncCommands as _, Script};
use signaling_core::ports::{RECEIPTS_CAP, ReadReceipts};
use signaling_core::protocol::ReadReceipt;
use signaling_core::{PortError, RoomId};

use crate::{Redis, corrupt};

/// [`ReadReceipts`] over Redis.
pub struct RedisReadReceipts(pub(crate) Redis);

/// Sets user `ARGV[1]`'s mark to `ARGV[2]|ARGV[3]` (position, JSON) if
/// `ARGV[2]` is past the stored position, scores them `ARGV[4]` (read
/// time, ms) and trims the room to the `ARGV[5]` most recently read.
const MARK: &str = r"
local old = redis.call('HGET', KEYS[1], ARGV[1])
if old then
  local sep = string.find(old, '|', 1, true)
  if string.sub(old, 1, sep - 1) >= ARGV[2] then return 0 end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. '|' .. ARGV[3])
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[1])
local over = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[5])
if over > 0 then
  local stale = redis.call('ZRANGE', KEYS[2], 0, over - 1)
  redis.call('ZREMRANGEBYRANK', KEYS[2], 0, over - 1)
  redis.call('HDEL', KEYS[1], unpack(stale))
end
return 1
";

impl RedisReadReceipts {
    fn keys(&self, room: &RoomId) -> (String, String) {
        (
            self.0.key(&["reads", room.as_str()]),
            self.0.key(&["reads", room.as_str(), "recent"]),
        )
    }
}

/// The receipt of a stored `position|json` value.
fn parse(raw: &str) -> Result<ReadReceipt, PortError> {
    let (_, json) = raw
        .split_once('|')
        .ok_or_else(|| PortError::corrupt("a read mark without its position"))?;
    serde_json::from_str(json).map_err(corrupt)
}

#[async_trait]
impl ReadReceipts for RedisReadReceipts {
    async fn mark(&self, room: &RoomId, receipt: &ReadReceipt) -> Result<bool, PortError> {
        let (marks, recent) = self.keys(room);
        let json = serde_json::to_string(receipt).map_err(corrupt)?;
        let read_ms = receipt.read_at.unix_timestamp_nanos() / 1_000_000;
        let moved: i64 = self
            .0
            .run(async |c| {
                Script::new(MARK)
                    .key(&marks)
                    .key(&recent)
                    .arg(&receipt.user_id)
                    .arg(receipt.position())
                    .arg(&json)
                    .arg(read_ms as i64)
                    .arg(RECEIPTS_CAP)
                    .invoke_async(c)
                    .await
            })
            .await?;
        Ok(moved == 1)
    }

    async fn get(&self, room: &RoomId, user: &str) -> Result<Option<ReadReceipt>, PortError> {
        let (marks, _) = self.keys(room);
        let raw: Option<String> = self.0.run(async |c| c.hget(&marks, user).await).await?;
        raw.as_deref().map(parse).transpose()
    }

    async fn list(&self, room: &RoomId, limit: usize) -> Result<Vec<ReadReceipt>, PortError> {
        if limit == 0 {
            return Ok(vec![]);
        }
        let (marks, recent) = self.keys(room);
        let users: Vec<String> = self
            .0
            .run(async |c| c.zrevrange(&recent, 0, limit as isize - 1).await)
            .await?;
        if users.is_empty() {
            return Ok(vec![]);
        }
        let raws: Vec<Option<String>> = self
            .0
            .run(async |c| {
                deadpool_redis::redis::cmd("HMGET")
                    .arg(&marks)
                    .arg(&users)
                    .query_async(c)
                    .await
            })
            .await?;
        raws.iter().flatten().map(|r| parse(r)).collect()
    }
}
