//! Which instance runs each SFU room's media: one key per room holding
//! the owner's tag, with a TTL its owner renews.

use async_trait::async_trait;
use deadpool_redis::redis::{AsyncCommands as _, Script};
use signaling_core::ports::MediaOwners;
use signaling_core::{InstanceTag, PortError, RoomId};

use crate::{Redis, corrupt};

/// Keys `{prefix}media:{room}` -> the owner's [`InstanceTag`] in hex, with
/// a TTL in milliseconds.
pub struct RedisMediaOwners(pub(crate) Redis);

/// Takes a free room, or names its live owner.
const CLAIM: &str = r"
local cur = redis.call('GET', KEYS[1])
if cur then return cur end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return ARGV[1]
";

/// Extends the caller's claims; returns the (1-based) positions of the
/// keys it does not hold.
const RENEW: &str = r"
local lost = {}
for i, k in ipairs(KEYS) do
  if redis.call('GET', k) == ARGV[1] then
    redis.call('PEXPIRE', k, ARGV[2])
  else
    table.insert(lost, i)
  end
end
return lost
";

/// Deletes the key if the caller holds it.
const RELEASE: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1
";

fn tag(raw: &str) -> Result<InstanceTag, PortError> {
    u64::from_str_radix(raw, 16)
        .map(InstanceTag)
        .map_err(|e| corrupt(format!("media owner {raw:?}: {e}")))
}

impl RedisMediaOwners {
    fn key(&self, room: &RoomId) -> String {
        self.0.key(&["media", room.as_str()])
    }
}

#[async_trait]
impl MediaOwners for RedisMediaOwners {
    async fn claim(
        &self,
        room: &RoomId,
        me: InstanceTag,
        ttl_ms: u64,
    ) -> Result<InstanceTag, PortError> {
        let key = self.key(room);
        let raw: String = self
            .0
            .run(async |c| {
                Script::new(CLAIM)
                    .key(&key)
                    .arg(me.to_string())
                    .arg(ttl_ms.max(1))
                    .invoke_async(c)
                    .await
            })
            .await?;
        tag(&raw)
    }

    async fn owner(&self, room: &RoomId) -> Result<Option<InstanceTag>, PortError> {
        let key = self.key(room);
        let raw: Option<String> = self.0.run(async |c| c.get(&key).await).await?;
        raw.as_deref().map(tag).transpose()
    }

    async fn renew(
        &self,
        me: InstanceTag,
        rooms: &[RoomId],
        ttl_ms: u64,
    ) -> Result<Vec<RoomId>, PortError> {
        if rooms.is_empty() {
            return Ok(Vec::new());
        }
        let keys: Vec<String> = rooms.iter().map(|r| self.key(r)).collect();
        let lost: Vec<usize> = self
            .0
            .run(async |c| {
                let renew = Script::new(RENEW);
                let mut script = renew.prepare_invoke();
                for k in &keys {
                    script.key(k);
                }
                script
                    .arg(me.to_string())
                    .arg(ttl_ms.max(1))
                    .invoke_async(c)
                    .await
            })
            .await?;
        Ok(lost
            .into_iter()
            .filter_map(|i| rooms.get(i.checked_sub(1)?).cloned())
            .collect())
    }

    async fn release(&self, room: &RoomId, me: InstanceTag) -> Result<(), PortError> {
        let key = self.key(room);
        self.0
            .run(async |c| {
                Script::new(RELEASE)
                    .key(&key)
                    .arg(me.to_string())
                    .invoke_async::<i64>(c)
                    .await
            })
            .await
            .map(|_| ())
    }
}
