//! File-transfer records with a chunk bitmap, so concurrent marks never get lost.

use async_trait::async_trait;
use deadpool_redis::redis::{self, AsyncCommands as _, Script};
use signaling_core::PortError;

use crate::{Redis, corrupt};

/// Records in the hash `{prefix}ft` (id -> JSON), ids per user in
/// `{prefix}ft:user:{user}`, and received chunks as a bitmap
/// `{prefix}ft:{id}:chunks` (SETBIT is atomic; BITCOUNT counts).
pub struct RedisTransferStore(pub(crate) Redis);

const MARK_CHUNK: &str = r"
redis.call('SETBIT', KEYS[1], ARGV[1], 1)
return redis.call('BITCOUNT', KEYS[1])
";

#[async_trait]
impl file_transfer::TransferStore for RedisTransferStore {
    async fn put(&self, t: &file_transfer::Transfer) -> Result<(), PortError> {
        let all = self.0.key(&["ft"]);
        let (s, r) = (
            self.0.key(&["ft", "user", t.sender.as_str()]),
            self.0.key(&["ft", "user", t.receiver.as_str()]),
        );
        let json = serde_json::to_string(t).map_err(corrupt)?;
        self.0
            .run(async |c| {
                redis::pipe()
                    .atomic()
                    .hset(&all, &t.transfer_id, &json)
                    .sadd(&s, &t.transfer_id)
                    .sadd(&r, &t.transfer_id)
                    .query_async::<()>(c)
                    .await
            })
            .await
    }

    async fn get(&self, id: &str) -> Result<Option<file_transfer::Transfer>, PortError> {
        let all = self.0.key(&["ft"]);
        let raw: Option<String> = self.0.run(async |c| c.hget(&all, id).await).await?;
        raw.map(|r| serde_json::from_str(&r).map_err(corrupt))
            .transpose()
    }

    async fn list_user(
        &self,
        user: &signaling_core::UserId,
    ) -> Result<Vec<file_transfer::Transfer>, PortError> {
        let all = self.0.key(&["ft"]);
        let set = self.0.key(&["ft", "user", user.as_str()]);
        let raw: Vec<Option<String>> = self
            .0
            .run(async |c| {
                let ids: Vec<String> = c.smembers(&set).await?;
                if ids.is_empty() {
                    return Ok(vec![]);
                }
                redis::cmd("HMGET").arg(&all).arg(&ids).query_async(c).await
            })
            .await?;
        raw.into_iter()
            .flatten()
            .map(|r| serde_json::from_str(&r).map_err(corrupt))
            .collect()
    }

    async fn list_all(&self) -> Result<Vec<file_transfer::Transfer>, PortError> {
        let all = self.0.key(&["ft"]);
        let raw: Vec<String> = self.0.run(async |c| c.hvals(&all).await).await?;
        raw.iter()
            .map(|r| serde_json::from_str(r).map_err(corrupt))
            .collect()
    }

    async fn mark_chunk(&self, id: &str, index: u64) -> Result<u64, PortError> {
        let key = self.0.key(&["ft", id, "chunks"]);
        self.0
            .run(async |c| {
                Script::new(MARK_CHUNK)
                    .key(&key)
                    .arg(index)
                    .invoke_async(c)
                    .await
            })
            .await
    }

    async fn chunks(&self, id: &str) -> Result<Vec<u64>, PortError> {
        let key = self.0.key(&["ft", id, "chunks"]);
        let bits: Option<Vec<u8>> = self.0.run(async |c| c.get(&key).await).await?;
        let bits = bits.unwrap_or_default();
        let mut out = Vec::new();
        for (byte_i, b) in bits.iter().enumerate() {
            for bit in 0..8 {
                // Redis numbers bits from the most significant end.
                if b & (0x80 >> bit) != 0 {
                    out.push(byte_i as u64 * 8 + bit as u64);
                }
            }
        }
        Ok(out)
    }

    async fn delete(&self, id: &str) -> Result<(), PortError> {
        let Some(t) = self.get(id).await? else {
            return Ok(());
        };
        let all = self.0.key(&["ft"]);
        let (s, r, bits) = (
            self.0.key(&["ft", "user", t.sender.as_str()]),
            self.0.key(&["ft", "user", t.receiver.as_str()]),
            self.0.key(&["ft", id, "chunks"]),
        );
        self.0
            .run(async |c| {
                redis::pipe()
                    .atomic()
                    .hdel(&all, id)
                    .srem(&s, id)
                    .srem(&r, id)
                    .del(&bits)
                    .query_async::<()>(c)
                    .await
            })
            .await
    }
}
