//! Room state: compare-and-swap saves and deletes in Lua.

use std::sync::Arc;

use async_trait::async_trait;
use deadpool_redis::redis::{self, AsyncCommands as _, Script};
use signaling_core::ports::*;
use signaling_core::room::Room;
use signaling_core::{PortError, RoomId};

use crate::{Redis, corrupt};

/// Rooms as hashes `{prefix}room:{id}` with fields `v` (version) and `data`
/// (JSON) and `s` (the schema of `data`, [`ROOM_SCHEMA`]), plus the set
/// `{prefix}rooms`. A deleted room keeps its version
/// for a day, so a stale writer can never match a recreated room's version.
pub struct RedisRoomStore(pub(crate) Redis);

/// The schema this version writes rooms in. A room stored without `s`
/// predates the field and has the same shape as schema 1. An instance that
/// meets a newer schema refuses to read it (`Corrupt`) rather than
/// misread it: renaming a field of the domain's `Room` means a new schema
/// here and a conversion in [`decode_room`].
pub const ROOM_SCHEMA: u32 = 1;

/// Decodes a stored room of schema `schema` (`None`: written before the
/// schema field existed).
fn decode_room(schema: Option<u32>, data: &str) -> Result<Room, PortError> {
    match schema.unwrap_or(1) {
        1 => serde_json::from_str(data).map_err(corrupt),
        n => Err(PortError::corrupt(format!(
            "room stored in schema {n}, newer than this instance's {ROOM_SCHEMA}: upgrade it"
        ))),
    }
}

const SAVE_ROOM: &str = r"
local cur = redis.call('HGET', KEYS[1], 'v')
local exists = redis.call('HEXISTS', KEYS[1], 'data') == 1
if ARGV[1] == '' then
  if exists then return 0 end
else
  if not exists or cur ~= ARGV[1] then return 0 end
end
local nv = (tonumber(cur) or 0) + 1
redis.call('HSET', KEYS[1], 'v', nv, 'data', ARGV[2], 's', ARGV[4])
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
        let (v, data, schema): (Option<u64>, Option<String>, Option<u32>) = self
            .0
            .run(async |c| {
                redis::cmd("HMGET")
                    .arg(&key)
                    .arg("v")
                    .arg("data")
                    .arg("s")
                    .query_async(c)
                    .await
            })
            .await?;
        match (v, data) {
            (Some(version), Some(data)) => {
                let room = decode_room(schema, &data)?;
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
                    .arg(ROOM_SCHEMA)
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
