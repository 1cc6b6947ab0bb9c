//! Reconnection: the per-room sequence log and replay buffer, behind a port.
//!
//! The buffer is pure: the caller passes the time. A returning client asks
//! for everything after its last sequence number and gets either exactly the
//! missed events, in order, or a "resync required" verdict when the gap
//! reaches past what the buffer still holds.

use std::collections::VecDeque;

use async_trait::async_trait;
pub use kernel::PortError;
use serde::{Deserialize, Serialize};

/// One sequenced room event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SequencedEvent {
    /// Per-room sequence number, starting at 1, without gaps.
    pub seq: u64,
    /// When it was recorded, milliseconds since the Unix epoch.
    pub at_ms: i64,
    /// The users it was addressed to; a replay gives each user only theirs.
    pub audience: Vec<String>,
    /// The serialized message.
    pub payload: String,
}

/// What a reconnecting client gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Replay {
    /// Exactly the events after the client's last sequence, in order.
    Events(Vec<SequencedEvent>),
    /// The gap is older than the buffer: fetch the full room state.
    ResyncRequired {
        /// The newest sequence number.
        latest: u64,
    },
}

/// Buffer limits (50 messages and 5 minutes by default).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BufferConfig {
    /// Most events kept.
    pub max_events: usize,
    /// Oldest event kept, milliseconds.
    pub ttl_ms: i64,
}

impl Default for BufferConfig {
    fn default() -> Self {
        BufferConfig {
            max_events: 50,
            ttl_ms: 5 * 60 * 1000,
        }
    }
}

/// A bounded, time-limited log of one room's events.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplayBuffer {
    next_seq: u64,
    events: VecDeque<SequencedEvent>,
}

impl ReplayBuffer {
    /// A buffer from stored parts: the newest sequence number and the
    /// retained events, oldest first (how the Redis log rebuilds one).
    pub fn from_parts(latest: u64, events: Vec<SequencedEvent>) -> Self {
        ReplayBuffer {
            next_seq: latest,
            events: events.into(),
        }
    }

    /// Appends an event and returns its sequence number; trims by size and age.
    pub fn push(
        &mut self,
        cfg: BufferConfig,
        now_ms: i64,
        audience: Vec<String>,
        payload: String,
    ) -> u64 {
        self.next_seq += 1;
        let seq = self.next_seq;
        self.events.push_back(SequencedEvent {
            seq,
            at_ms: now_ms,
            audience,
            payload,
        });
        self.trim(cfg, now_ms);
        seq
    }

    fn trim(&mut self, cfg: BufferConfig, now_ms: i64) {
        while self.events.len() > cfg.max_events {
            self.events.pop_front();
        }
        while self
            .events
            .front()
            .is_some_and(|e| now_ms - e.at_ms > cfg.ttl_ms)
        {
            self.events.pop_front();
        }
    }

    /// The newest sequence number (0 when nothing was ever pushed).
    pub fn latest(&self) -> u64 {
        self.next_seq
    }

    /// Events after `last_seen`, or a resync verdict if some are gone.
    pub fn since(&mut self, cfg: BufferConfig, now_ms: i64, last_seen: u64) -> Replay {
        self.trim(cfg, now_ms);
        if last_seen >= self.next_seq {
            return Replay::Events(Vec::new());
        }
        let oldest = self
            .events
            .front()
            .map(|e| e.seq)
            .unwrap_or(self.next_seq + 1);
        if last_seen + 1 < oldest {
            return Replay::ResyncRequired {
                latest: self.next_seq,
            };
        }
        Replay::Events(
            self.events
                .iter()
                .filter(|e| e.seq > last_seen)
                .cloned()
                .collect(),
        )
    }
}

/// The per-room event log shared by all instances (in memory or Redis).
/// Rooms are numbered apart, from 1; the log keeps at most
/// `BufferConfig::max_events` events of a room and none older than
/// `BufferConfig::ttl_ms`, and [`EventLog::since`] answers as
/// [`ReplayBuffer::since`] does. Suite:
/// `event_log_suite!`.
#[async_trait]
pub trait EventLog: Send + Sync {
    /// Appends and returns the new sequence number. MUST assign gap-free,
    /// strictly increasing numbers per room, atomically across instances.
    async fn append(
        &self,
        room: &str,
        now_ms: i64,
        audience: Vec<String>,
        payload: String,
    ) -> Result<u64, PortError>;
    /// Events after `last_seen`, or a resync verdict.
    async fn since(&self, room: &str, now_ms: i64, last_seen: u64) -> Result<Replay, PortError>;
    /// The newest sequence number of a room (0 if none).
    async fn latest(&self, room: &str) -> Result<u64, PortError>;
    /// Forgets a room's log (when the room is cleaned up): its numbering
    /// starts again at 1.
    async fn clear(&self, room: &str) -> Result<(), PortError>;
    /// Replaces the payload of every kept event of `room` that contains
    /// `needle` with `replacement`, keeping its number and audience (a
    /// deleted chat message's text goes from the log); how many it
    /// replaced.
    async fn redact(&self, room: &str, needle: &str, replacement: &str)
    -> Result<usize, PortError>;
}

/// The in-memory [`EventLog`]: the embedded default and the unit-test fake.
#[derive(Debug, Default)]
pub struct MemoryEventLog {
    cfg: BufferConfig,
    rooms: std::sync::Mutex<std::collections::HashMap<String, ReplayBuffer>>,
}

impl MemoryEventLog {
    /// A log with these limits.
    pub fn new(cfg: BufferConfig) -> Self {
        MemoryEventLog {
            cfg,
            rooms: Default::default(),
        }
    }
}

#[async_trait]
impl EventLog for MemoryEventLog {
    async fn append(
        &self,
        room: &str,
        now_ms: i64,
        audience: Vec<String>,
        payload: String,
    ) -> Result<u64, PortError> {
        let mut rooms = self.rooms.lock().expect("log lock");
        Ok(rooms
            .entry(room.to_owned())
            .or_default()
            .push(self.cfg, now_ms, audience, payload))
    }

    async fn since(&self, room: &str, now_ms: i64, last_seen: u64) -> Result<Replay, PortError> {
        let mut rooms = self.rooms.lock().expect("log lock");
        Ok(rooms
            .entry(room.to_owned())
            .or_default()
            .since(self.cfg, now_ms, last_seen))
    }

    async fn latest(&self, room: &str) -> Result<u64, PortError> {
        let rooms = self.rooms.lock().expect("log lock");
        Ok(rooms.get(room).map(ReplayBuffer::latest).unwrap_or(0))
    }

    async fn clear(&self, room: &str) -> Result<(), PortError> {
        self.rooms.lock().expect("log lock").remove(room);
        Ok(())
    }

    async fn redact(
        &self,
        room: &str,
        needle: &str,
        replacement: &str,
    ) -> Result<usize, PortError> {
        let mut rooms = self.rooms.lock().expect("log lock");
        let Some(buf) = rooms.get_mut(room) else {
            return Ok(0);
        };
        let mut n = 0;
        for e in buf.events.iter_mut().filter(|e| e.payload.contains(needle)) {
            e.payload = replacement.to_owned();
            n += 1;
        }
        Ok(n)
    }
}

#[cfg(any(test, feature = "testing"))]
pub mod testing;

#[cfg(test)]
mod tests {
    use super::*;

    const CFG: BufferConfig = BufferConfig {
        max_events: 3,
        ttl_ms: 1000,
    };

    #[test]
    fn replays_exactly_the_missed_events_in_order() {
        let mut b = ReplayBuffer::default();
        for i in 0..3 {
            b.push(CFG, 0, vec!["u".into()], format!("e{i}"));
        }
        let Replay::Events(ev) = b.since(CFG, 0, 1) else {
            panic!()
        };
        assert_eq!(ev.iter().map(|e| e.seq).collect::<Vec<_>>(), [2, 3]);
        assert_eq!(b.since(CFG, 0, 3), Replay::Events(vec![]));
    }

    #[test]
    fn overflow_and_expiry_require_resync() {
        let mut b = ReplayBuffer::default();
        for i in 0..5 {
            b.push(CFG, 0, vec!["u".into()], format!("e{i}"));
        }
        assert_eq!(b.since(CFG, 0, 1), Replay::ResyncRequired { latest: 5 });
        assert!(matches!(b.since(CFG, 0, 2), Replay::Events(e) if e.len() == 3));
        assert_eq!(b.since(CFG, 5000, 4), Replay::ResyncRequired { latest: 5 });
        assert_eq!(
            b.since(CFG, 5000, 5),
            Replay::Events(vec![]),
            "up to date: nothing is missing even when everything expired"
        );
    }

    #[test]
    fn acknowledgements_in_any_order_get_consistent_answers() {
        let mut b = ReplayBuffer::default();
        for i in 0..3 {
            b.push(CFG, i * 10, vec!["u".into()], format!("e{i}"));
        }
        let seqs = |r: Replay| match r {
            Replay::Events(e) => e.iter().map(|e| e.seq).collect::<Vec<_>>(),
            Replay::ResyncRequired { .. } => panic!("resync"),
        };
        // A newer acknowledgement first, then an older one (two tabs, or a
        // retried request): each gets exactly what follows it.
        assert_eq!(seqs(b.since(CFG, 30, 2)), [3]);
        assert_eq!(seqs(b.since(CFG, 30, 0)), [1, 2, 3]);
        assert_eq!(
            seqs(b.since(CFG, 30, 9)),
            Vec::<u64>::new(),
            "ahead of the log"
        );
    }

    #[test]
    fn expiry_is_by_age_of_each_event() {
        let mut b = ReplayBuffer::default();
        b.push(CFG, 0, vec![], "old".into());
        b.push(CFG, 900, vec![], "newer".into());
        // At 1500 ms the first is older than the 1000 ms ttl, the second not.
        assert_eq!(b.since(CFG, 1500, 0), Replay::ResyncRequired { latest: 2 });
        assert!(matches!(b.since(CFG, 1500, 1), Replay::Events(e) if e.len() == 1));
    }

    async fn memory(cfg: BufferConfig) -> std::sync::Arc<dyn EventLog> {
        std::sync::Arc::new(MemoryEventLog::new(cfg))
    }

    crate::event_log_suite!(memory);
}
