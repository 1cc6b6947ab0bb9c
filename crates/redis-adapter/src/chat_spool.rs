//! The chat outbox's spool in Redis: one list of JSON messages, shared by
//! every instance, so that whichever is alive drains it once the history
//! store is back. Lua scripts make "pop the head if it is this message"
//! and in-place edits atomic against other drainers.
//!
//! A list item that does not decode (written by a broken or newer version,
//! or by hand) must not stop the drain, nor every edit: the head is moved
//! to `{prefix}chat:spool:bad` (the newest 1,000 kept for an operator,
//! logged), and the scripts pass over undecodable items.

use async_trait::async_trait;
use deadpool_redis::redis::{AsyncCommands as _, Script};
use signaling_core::ports::ChatSpool;
use signaling_core::protocol::ChatRecord;
use signaling_core::{PortError, RoomId};

use crate::{Redis, corrupt};

/// [`ChatSpool`] over Redis: the list `{prefix}chat:spool`.
pub struct RedisChatSpool(pub(crate) Redis);

/// Pops the head if its id is `ARGV[1]`.
const POP_IF: &str = r"
local h = redis.call('LINDEX', KEYS[1], 0)
if not h then return 0 end
local ok, r = pcall(cjson.decode, h)
if not ok or type(r) ~= 'table' or r.id ~= ARGV[1] then return 0 end
redis.call('LPOP', KEYS[1])
return 1
";

/// Moves the head to the list `KEYS[2]` if it is still `ARGV[1]`; that
/// list keeps the newest [`BAD_KEPT`] items.
const SET_ASIDE: &str = r"
if redis.call('LINDEX', KEYS[1], 0) ~= ARGV[1] then return 0 end
redis.call('LPOP', KEYS[1])
redis.call('RPUSH', KEYS[2], ARGV[1])
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[2]), -1)
return 1
";

/// Undecodable items kept in `chat:spool:bad` (the newest).
pub const BAD_KEPT: usize = 1000;

/// Replaces (`ARGV[3]` set) or removes (unset) the message of room
/// `ARGV[1]` with id `ARGV[2]`, in place.
const EDIT: &str = r"
local items = redis.call('LRANGE', KEYS[1], 0, -1)
for i, v in ipairs(items) do
  local ok, r = pcall(cjson.decode, v)
  if ok and type(r) == 'table' and r.id == ARGV[2] and r.room_id == ARGV[1] then
    if ARGV[3] then
      redis.call('LSET', KEYS[1], i - 1, ARGV[3])
    else
      redis.call('LREM', KEYS[1], 1, v)
    end
    return 1
  end
end
return 0
";

impl RedisChatSpool {
    fn list(&self) -> String {
        self.0.key(&["chat", "spool"])
    }

    /// Where undecodable items go: `{prefix}chat:spool:bad`.
    pub fn bad_list(&self) -> String {
        self.0.key(&["chat", "spool", "bad"])
    }

    async fn edit(&self, room: &str, id: &str, json: Option<String>) -> Result<bool, PortError> {
        let list = self.list();
        let done: i64 = self
            .0
            .run(async |c| {
                let s = Script::new(EDIT);
                let mut inv = s.key(&list);
                inv.arg(room).arg(id);
                if let Some(j) = &json {
                    inv.arg(j);
                }
                inv.invoke_async(c).await
            })
            .await?;
        Ok(done == 1)
    }
}

fn parse(raw: &str) -> Result<ChatRecord, PortError> {
    serde_json::from_str(raw).map_err(corrupt)
}

#[async_trait]
impl ChatSpool for RedisChatSpool {
    async fn push(&self, record: &ChatRecord) -> Result<(), PortError> {
        let json = serde_json::to_string(record).map_err(corrupt)?;
        let list = self.list();
        let _: i64 = self.0.run(async |c| c.rpush(&list, &json).await).await?;
        Ok(())
    }

    async fn front(&self) -> Result<Option<ChatRecord>, PortError> {
        let (list, bad) = (self.list(), self.bad_list());
        loop {
            let raw: Option<String> = self.0.run(async |c| c.lindex(&list, 0).await).await?;
            let Some(raw) = raw else { return Ok(None) };
            match parse(&raw) {
                Ok(r) => return Ok(Some(r)),
                Err(e) => {
                    let moved: i64 = self
                        .0
                        .run(async |c| {
                            Script::new(SET_ASIDE)
                                .key(&list)
                                .key(&bad)
                                .arg(&raw)
                                .arg(BAD_KEPT)
                                .invoke_async(c)
                                .await
                        })
                        .await?;
                    if moved == 1 {
                        tracing::error!(list = %bad, error = %e, "chat spool: an undecodable message was set aside");
                    }
                }
            }
        }
    }

    async fn pop_front(&self, id: &str) -> Result<bool, PortError> {
        let list = self.list();
        let done: i64 = self
            .0
            .run(async |c| Script::new(POP_IF).key(&list).arg(id).invoke_async(c).await)
            .await?;
        Ok(done == 1)
    }

    async fn waiting(&self) -> Result<usize, PortError> {
        let list = self.list();
        let n: usize = self.0.run(async |c| c.llen(&list).await).await?;
        Ok(n)
    }

    async fn find(&self, room: &RoomId, id: &str) -> Result<Option<ChatRecord>, PortError> {
        let list = self.list();
        let all: Vec<String> = self.0.run(async |c| c.lrange(&list, 0, -1).await).await?;
        // Undecodable items are passed over (the drain sets them aside).
        for r in all.iter().filter_map(|raw| parse(raw).ok()) {
            if r.id == id && r.room_id == room.as_str() {
                return Ok(Some(r));
            }
        }
        Ok(None)
    }

    async fn replace(&self, record: &ChatRecord) -> Result<bool, PortError> {
        let json = serde_json::to_string(record).map_err(corrupt)?;
        self.edit(&record.room_id, &record.id, Some(json)).await
    }

    async fn remove(&self, room: &RoomId, id: &str) -> Result<bool, PortError> {
        self.edit(room.as_str(), id, None).await
    }
}
