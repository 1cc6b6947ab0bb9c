//! Instance liveness, and handing a dead instance's connections to one survivor.

use async_trait::async_trait;
use deadpool_redis::redis::{self, AsyncCommands as _, Script};
use signaling_core::ports::*;
use signaling_core::{ConnectionId, PortError};

use crate::{Redis, corrupt};

/// Liveness keys `{prefix}instance:{id}` with a TTL, the set
/// `{prefix}instances`, and per instance a hash connection -> JSON.
pub struct RedisInstanceRegistry(pub(crate) Redis);

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
