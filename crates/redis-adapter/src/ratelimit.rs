//! Rate limits: check-and-count in one script.

use async_trait::async_trait;
use deadpool_redis::redis::{AsyncCommands as _, Script};
use signaling_core::PortError;
use signaling_core::ratelimit::{Limit, RateLimiter, RateStatus, window};

use crate::Redis;

/// Fixed windows as counters `{prefix}rl:{key}:{window start}` that expire
/// with their window; check-and-count is one script.
pub struct RedisRateLimiter(pub(crate) Redis);

const HIT: &str = r"
local c = tonumber(redis.call('GET', KEYS[1]) or '0')
if c >= tonumber(ARGV[1]) then return {0, c} end
c = redis.call('INCR', KEYS[1])
if c == 1 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
return {1, c}
";

#[async_trait]
impl RateLimiter for RedisRateLimiter {
    async fn hit(&self, key: &str, limit: Limit, now: i64) -> Result<RateStatus, PortError> {
        let (start, reset) = window(limit, now);
        let k = self.0.key(&["rl", key, &start.to_string()]);
        let (allowed, used): (u8, u32) = self
            .0
            .run(async |c| {
                Script::new(HIT)
                    .key(&k)
                    .arg(limit.max)
                    .arg(limit.window_secs.max(1) + 1)
                    .invoke_async(c)
                    .await
            })
            .await?;
        Ok(RateStatus {
            allowed: allowed == 1,
            used,
            remaining: limit.max.saturating_sub(used),
            reset_in_secs: reset,
        })
    }

    async fn peek(&self, key: &str, limit: Limit, now: i64) -> Result<RateStatus, PortError> {
        let (start, reset) = window(limit, now);
        let k = self.0.key(&["rl", key, &start.to_string()]);
        let used: Option<u32> = self.0.run(async |c| c.get(&k).await).await?;
        let used = used.unwrap_or(0);
        Ok(RateStatus {
            allowed: used < limit.max,
            used,
            remaining: limit.max.saturating_sub(used),
            reset_in_secs: reset,
        })
    }
}
