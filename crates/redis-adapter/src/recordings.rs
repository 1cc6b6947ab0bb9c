//! Recording records and processing-job leases.

use async_trait::async_trait;
use deadpool_redis::redis::{self, AsyncCommands as _, Script};
use signaling_core::PortError;

use crate::{Redis, corrupt};

/// Records as keys `{prefix}rec:{id}` (JSON) that expire 7 days after their
/// last change, with id sets per room and per user and the set of
/// unfinished recordings; ids whose record expired are skipped.
pub struct RedisRecordingStore(pub(crate) Redis);

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
