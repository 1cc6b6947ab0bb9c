//! [`Quotas`] in Redis: counters `{prefix}quota:{key}`, reservation tokens
//! `{prefix}quota-token:{token}` (a hash: counter key -> amount), and slot
//! sets `{prefix}slots:{set}` (a sorted set: member scored by the time it
//! took its slot). Each operation is one Lua script, so check-and-add is
//! atomic across every instance sharing the Redis.
//!
//! A token's hash names the counters it added to, so a release touches
//! keys that were not passed as `KEYS`; that is fine on a single Redis
//! (the deployment this adapter targets), not on Redis Cluster.

use async_trait::async_trait;
use deadpool_redis::redis::{self, Script};
use signaling_core::PortError;
use signaling_core::quota::{Budget, Quotas};

use crate::Redis;

/// Redis quotas.
pub struct RedisQuotas(pub(crate) Redis);

/// KEYS[1] the token, KEYS[2..] the counters; ARGV[1] the amount,
/// ARGV[2..] each counter's max.
const RESERVE: &str = r"
local a = tonumber(ARGV[1])
for i = 2, #KEYS do
  if tonumber(redis.call('GET', KEYS[i]) or '0') + a > tonumber(ARGV[i]) then return 0 end
end
for i = 2, #KEYS do
  redis.call('INCRBY', KEYS[i], a)
  redis.call('HINCRBY', KEYS[1], KEYS[i], a)
end
return 1
";

/// KEYS[1] the token.
const RELEASE: &str = r"
local held = redis.call('HGETALL', KEYS[1])
for i = 1, #held, 2 do
  if redis.call('DECRBY', held[i], held[i + 1]) <= 0 then redis.call('DEL', held[i]) end
end
redis.call('DEL', KEYS[1])
return #held / 2
";

/// KEYS[1] the set; ARGV member, max, time.
const ACQUIRE: &str = r"
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 1 end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
return 1
";

#[async_trait]
impl Quotas for RedisQuotas {
    async fn reserve(
        &self,
        token: &str,
        budgets: &[Budget<'_>],
        amount: u64,
    ) -> Result<bool, PortError> {
        let reserve = Script::new(RESERVE);
        let mut script = reserve.prepare_invoke();
        script.key(self.0.key(&["quota-token", token]));
        for b in budgets {
            script.key(self.0.key(&["quota", b.key]));
        }
        script.arg(amount);
        for b in budgets {
            script.arg(b.max);
        }
        let ok: u8 = self.0.run(async |c| script.invoke_async(c).await).await?;
        Ok(ok == 1)
    }

    async fn release(&self, token: &str) -> Result<(), PortError> {
        let key = self.0.key(&["quota-token", token]);
        self.0
            .run(async |c| Script::new(RELEASE).key(&key).invoke_async::<i64>(c).await)
            .await
            .map(|_| ())
    }

    async fn used(&self, key: &str) -> Result<u64, PortError> {
        let key = self.0.key(&["quota", key]);
        let n: Option<i64> = self
            .0
            .run(async |c| redis::cmd("GET").arg(&key).query_async(c).await)
            .await?;
        Ok(n.unwrap_or(0).max(0) as u64)
    }

    async fn acquire_slot(
        &self,
        set: &str,
        member: &str,
        max: usize,
        at_ms: i64,
    ) -> Result<bool, PortError> {
        let key = self.0.key(&["slots", set]);
        let ok: u8 = self
            .0
            .run(async |c| {
                Script::new(ACQUIRE)
                    .key(&key)
                    .arg(member)
                    .arg(max)
                    .arg(at_ms)
                    .invoke_async(c)
                    .await
            })
            .await?;
        Ok(ok == 1)
    }

    async fn release_slot(&self, set: &str, member: &str) -> Result<(), PortError> {
        let key = self.0.key(&["slots", set]);
        self.0
            .run(async |c| {
                redis::cmd("ZREM")
                    .arg(&key)
                    .arg(member)
                    .query_async::<i64>(c)
                    .await
            })
            .await
            .map(|_| ())
    }

    async fn slots(&self, set: &str) -> Result<Vec<(String, i64)>, PortError> {
        let key = self.0.key(&["slots", set]);
        let list: Vec<(String, f64)> = self
            .0
            .run(async |c| {
                redis::cmd("ZRANGE")
                    .arg(&key)
                    .arg(0)
                    .arg(-1)
                    .arg("WITHSCORES")
                    .query_async(c)
                    .await
            })
            .await?;
        Ok(list.into_iter().map(|(m, t)| (m, t as i64)).collect())
    }
}
