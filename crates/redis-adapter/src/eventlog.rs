//! The per-room replay log: gap-free sequence numbers and trimming in one script.

use async_trait::async_trait;
use deadpool_redis::redis::{self, AsyncCommands as _, Script};
use signaling_core::PortError;

use crate::{Redis, corrupt};

/// Per room: a counter `{prefix}log:{room}:seq` and a list of the newest
/// events (JSON), trimmed to the buffer size in the same script that
/// assigns the sequence number. Age is applied when reading.
pub struct RedisEventLog(pub(crate) Redis, pub(crate) reconnection::BufferConfig);

const LOG_APPEND: &str = r#"
local seq = redis.call('INCR', KEYS[1])
redis.call('RPUSH', KEYS[2], '{"seq":' .. seq .. ',' .. ARGV[1])
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[2]), -1)
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return seq
"#;

/// Replaces the payload of the kept events that contain the needle.
const LOG_REDACT: &str = r"
local n = 0
local events = redis.call('LRANGE', KEYS[1], 0, -1)
for i, raw in ipairs(events) do
  local e = cjson.decode(raw)
  if string.find(e.payload, ARGV[1], 1, true) then
    e.payload = ARGV[2]
    redis.call('LSET', KEYS[1], i - 1, cjson.encode(e))
    n = n + 1
  end
end
return n
";

#[async_trait]
impl reconnection::EventLog for RedisEventLog {
    async fn redact(
        &self,
        room: &str,
        needle: &str,
        replacement: &str,
    ) -> Result<usize, PortError> {
        let list = self.0.key(&["log", room, "events"]);
        self.0
            .run(async |c| {
                Script::new(LOG_REDACT)
                    .key(&list)
                    .arg(needle)
                    .arg(replacement)
                    .invoke_async(c)
                    .await
            })
            .await
    }

    async fn append(
        &self,
        room: &str,
        now_ms: i64,
        audience: Vec<String>,
        payload: String,
    ) -> Result<u64, PortError> {
        let (seq_key, list) = (
            self.0.key(&["log", room, "seq"]),
            self.0.key(&["log", room, "events"]),
        );
        let ev = reconnection::SequencedEvent {
            seq: 0,
            at_ms: now_ms,
            audience,
            payload,
        };
        // The script prepends the sequence it assigns: send the rest.
        let json = serde_json::to_string(&ev).map_err(corrupt)?;
        let json = json
            .strip_prefix(r#"{"seq":0,"#)
            .expect("seq is the first field")
            .to_owned();
        // Keys outlive the buffer's age by a day so the sequence survives a
        // quiet room; the room sweep clears them when the room goes.
        let keep_ms = self.1.ttl_ms.max(0) + 86_400_000;
        self.0
            .run(async |c| {
                Script::new(LOG_APPEND)
                    .key(&seq_key)
                    .key(&list)
                    .arg(&json)
                    .arg(self.1.max_events.max(1))
                    .arg(keep_ms)
                    .invoke_async(c)
                    .await
            })
            .await
    }

    async fn since(
        &self,
        room: &str,
        now_ms: i64,
        last_seen: u64,
    ) -> Result<reconnection::Replay, PortError> {
        let (seq_key, list) = (
            self.0.key(&["log", room, "seq"]),
            self.0.key(&["log", room, "events"]),
        );
        let (latest, raw): (Option<u64>, Vec<String>) = self
            .0
            .run(async |c| {
                redis::pipe()
                    .get(&seq_key)
                    .lrange(&list, 0, -1)
                    .query_async(c)
                    .await
            })
            .await?;
        let events = raw
            .iter()
            .map(|r| serde_json::from_str::<reconnection::SequencedEvent>(r))
            .collect::<Result<Vec<_>, _>>()
            .map_err(corrupt)?;
        let mut buf = reconnection::ReplayBuffer::from_parts(latest.unwrap_or(0), events);
        Ok(buf.since(self.1, now_ms, last_seen))
    }

    async fn latest(&self, room: &str) -> Result<u64, PortError> {
        let seq_key = self.0.key(&["log", room, "seq"]);
        let v: Option<u64> = self.0.run(async |c| c.get(&seq_key).await).await?;
        Ok(v.unwrap_or(0))
    }

    async fn clear(&self, room: &str) -> Result<(), PortError> {
        let (seq_key, list) = (
            self.0.key(&["log", room, "seq"]),
            self.0.key(&["log", room, "events"]),
        );
        self.0
            .run(async |c| c.del::<_, i64>(&[&seq_key, &list]).await)
            .await
            .map(|_| ())
    }
}
