//! Analytics events per room, capped.

use async_trait::async_trait;
use deadpool_redis::redis::{self, AsyncCommands as _};
use signaling_core::engine::AnalyticsRecord;
use signaling_core::memory::summarize;
use signaling_core::ports::*;
use signaling_core::{PortError, RoomId};

use crate::{Redis, corrupt};

/// A list of JSON events per room, the newest `.1` kept (push and trim in
/// one transaction).
pub struct RedisAnalytics(pub(crate) Redis, pub(crate) usize);

#[async_trait]
impl Analytics for RedisAnalytics {
    async fn record(&self, event: &AnalyticsRecord) -> Result<(), PortError> {
        let key = self.0.key(&["analytics", &event.room_id]);
        let json = serde_json::to_string(event).map_err(corrupt)?;
        let keep = -(self.1 as isize);
        self.0
            .run(async |c| {
                redis::pipe()
                    .atomic()
                    .rpush(&key, &json)
                    .ignore()
                    .ltrim(&key, keep, -1)
                    .ignore()
                    .query_async::<()>(c)
                    .await
            })
            .await
    }

    async fn list(&self, room: &RoomId, limit: usize) -> Result<Vec<AnalyticsRecord>, PortError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let key = self.0.key(&["analytics", room.as_str()]);
        // The newest `limit`: the list's tail.
        let start = -(limit.min(isize::MAX as usize) as isize);
        let raw: Vec<String> = self
            .0
            .run(async |c| c.lrange(&key, start, -1).await)
            .await?;
        raw.iter()
            .map(|r| serde_json::from_str(r).map_err(corrupt))
            .collect()
    }

    async fn summary(&self, room: &RoomId) -> Result<AnalyticsSummary, PortError> {
        Ok(summarize(&self.list(room, usize::MAX / 2).await?))
    }
}
