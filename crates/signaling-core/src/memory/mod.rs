//! In-memory implementations of every port: the embedded single-process
//! default and the fakes for tests.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex, RwLock};

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::engine::AnalyticsRecord;
use crate::ports::*;
use crate::protocol::ChatRecord;
use crate::room::Room;
use crate::{InstanceTag, PortError, RoomId};

mod outbox;
mod receipts;
mod spool;
pub use outbox::OutboxChatHistory;
pub use receipts::MemoryReadReceipts;
pub use spool::{MemoryChatSpool, SpoolQueue};

/// Rooms in a map, versioned like any other store. A deleted room's
/// version is kept for a day (as Redis does), so a recreated room
/// continues from it and a stale writer never matches.
#[derive(Default)]
pub struct MemoryRoomStore {
    rooms: RwLock<HashMap<RoomId, Versioned>>,
    deleted: Mutex<Tombstones>,
}

/// Versions of deleted rooms, with when they were deleted.
#[derive(Default)]
struct Tombstones {
    versions: HashMap<RoomId, (u64, std::time::Instant)>,
    sweep_at: usize,
}

/// How long a deleted room's version is remembered.
const TOMBSTONE_TTL: std::time::Duration = std::time::Duration::from_secs(86_400);

impl Tombstones {
    fn take(&mut self, id: &RoomId) -> u64 {
        match self.versions.remove(id) {
            Some((v, at)) if at.elapsed() < TOMBSTONE_TTL => v,
            _ => 0,
        }
    }

    fn put(&mut self, id: RoomId, version: u64) {
        self.versions
            .insert(id, (version, std::time::Instant::now()));
        // Forget lapsed ones whenever the map has doubled since the last sweep.
        if self.versions.len() >= self.sweep_at.max(1024) {
            self.versions
                .retain(|_, (_, at)| at.elapsed() < TOMBSTONE_TTL);
            self.sweep_at = self.versions.len() * 2;
        }
    }
}

#[async_trait]
impl RoomStore for MemoryRoomStore {
    async fn load(&self, id: &RoomId) -> Result<Option<Versioned>, PortError> {
        Ok(self.rooms.read().expect("lock").get(id).cloned())
    }

    async fn save(&self, room: &Room, expected: Option<u64>) -> Result<Saved, PortError> {
        let mut rooms = self.rooms.write().expect("lock");
        let current = rooms.get(&room.id).map(|v| v.version);
        if current != expected {
            return Ok(Saved::Conflict);
        }
        let version = match expected {
            Some(v) => v + 1,
            None => self.deleted.lock().expect("lock").take(&room.id) + 1,
        };
        rooms.insert(
            room.id.clone(),
            Versioned {
                version,
                room: Arc::new(room.clone()),
            },
        );
        Ok(Saved::Ok)
    }

    async fn delete(&self, id: &RoomId, expected: u64) -> Result<Saved, PortError> {
        let mut rooms = self.rooms.write().expect("lock");
        match rooms.get(id) {
            Some(v) if v.version == expected => {
                rooms.remove(id);
                self.deleted.lock().expect("lock").put(id.clone(), expected);
                Ok(Saved::Ok)
            }
            None => Ok(Saved::Ok),
            _ => Ok(Saved::Conflict),
        }
    }

    async fn list(&self) -> Result<Vec<RoomId>, PortError> {
        Ok(self.rooms.read().expect("lock").keys().cloned().collect())
    }
}

/// A bus with one process: publishing calls every sink directly.
#[derive(Default)]
pub struct MemoryBus {
    sinks: RwLock<Vec<Subscriber>>,
}

/// A sink with the instance it subscribed as, if any.
type Subscriber = (Option<InstanceTag>, Arc<dyn EventSink>);

#[async_trait]
impl EventBus for MemoryBus {
    async fn publish(&self, event: BusEvent) -> Result<(), PortError> {
        for (_, s) in self.sinks.read().expect("lock").iter() {
            s.deliver(&event);
        }
        Ok(())
    }

    fn subscribe(&self, sink: Arc<dyn EventSink>) {
        self.sinks.write().expect("lock").push((None, sink));
    }

    async fn publish_to(&self, instance: InstanceTag, event: BusEvent) -> Result<(), PortError> {
        for (tag, s) in self.sinks.read().expect("lock").iter() {
            if tag.is_none_or(|t| t == instance) {
                s.deliver(&event);
            }
        }
        Ok(())
    }

    fn subscribe_as(&self, instance: InstanceTag, sink: Arc<dyn EventSink>) {
        self.sinks
            .write()
            .expect("lock")
            .push((Some(instance), sink));
    }
}

/// Chat history kept per room, oldest first, capped per room.
pub struct MemoryChatHistory {
    rooms: Mutex<HashMap<RoomId, RoomChat>>,
    cap: usize,
}

/// One room's messages, oldest first, and their ids (appends are
/// idempotent on the id however old the first append).
#[derive(Default)]
struct RoomChat {
    list: Vec<ChatRecord>,
    ids: HashSet<String>,
}

impl MemoryChatHistory {
    /// Keeps at most `cap` messages per room (oldest dropped first).
    pub fn new(cap: usize) -> Self {
        MemoryChatHistory {
            rooms: Mutex::default(),
            cap,
        }
    }
}

/// Messages kept per room by default (memory and Redis).
pub const CHAT_CAP: usize = 10_000;

impl Default for MemoryChatHistory {
    fn default() -> Self {
        Self::new(CHAT_CAP)
    }
}

#[async_trait]
impl ChatHistory for MemoryChatHistory {
    async fn append(&self, record: &ChatRecord) -> Result<(), PortError> {
        let room = RoomId::parse(&record.room_id).map_err(|e| PortError::corrupt(e.to_string()))?;
        let mut rooms = self.rooms.lock().expect("lock");
        let chat = rooms.entry(room).or_default();
        if !chat.ids.insert(record.id.clone()) {
            return Ok(());
        }
        chat.list.push(record.clone());
        if chat.list.len() > self.cap {
            let excess = chat.list.len() - self.cap;
            for old in chat.list.drain(..excess) {
                chat.ids.remove(&old.id);
            }
        }
        Ok(())
    }

    async fn get(&self, room: &RoomId, id: &str) -> Result<Option<ChatRecord>, PortError> {
        let rooms = self.rooms.lock().expect("lock");
        Ok(rooms
            .get(room)
            .and_then(|c| c.list.iter().find(|r| r.id == id).cloned()))
    }

    async fn replace(&self, record: &ChatRecord) -> Result<bool, PortError> {
        let room = RoomId::parse(&record.room_id).map_err(|e| PortError::corrupt(e.to_string()))?;
        let mut rooms = self.rooms.lock().expect("lock");
        let Some(slot) = rooms
            .get_mut(&room)
            .and_then(|c| c.list.iter_mut().find(|r| r.id == record.id))
        else {
            return Ok(false);
        };
        *slot = record.clone();
        Ok(true)
    }

    async fn react(
        &self,
        room: &RoomId,
        id: &str,
        emoji: &str,
        user: &str,
        active: bool,
    ) -> Result<bool, PortError> {
        let mut rooms = self.rooms.lock().expect("lock");
        let Some(record) = rooms
            .get_mut(room)
            .and_then(|c| c.list.iter_mut().find(|r| r.id == id))
        else {
            return Ok(false);
        };
        crate::protocol::apply_reaction(&mut record.reactions, emoji, user, active);
        Ok(true)
    }

    async fn remove(&self, room: &RoomId, id: &str) -> Result<bool, PortError> {
        let mut rooms = self.rooms.lock().expect("lock");
        let Some(chat) = rooms.get_mut(room) else {
            return Ok(false);
        };
        let Some(i) = chat.list.iter().position(|r| r.id == id) else {
            return Ok(false);
        };
        chat.list.remove(i);
        chat.ids.remove(id);
        Ok(true)
    }

    async fn page(
        &self,
        room: &RoomId,
        before: Option<&str>,
        limit: usize,
    ) -> Result<ChatPage, PortError> {
        let rooms = self.rooms.lock().expect("lock");
        let Some(RoomChat { list, .. }) = rooms.get(room) else {
            return Ok(ChatPage {
                messages: Vec::new(),
                next_cursor: None,
            });
        };
        let end = match before {
            Some(c) => list.iter().position(|r| r.id == c).unwrap_or(0),
            None => list.len(),
        };
        let start = end.saturating_sub(limit);
        let messages: Vec<ChatRecord> = list[start..end].iter().rev().cloned().collect();
        let next_cursor = if start > 0 {
            messages.last().map(|m| m.id.clone())
        } else {
            None
        };
        Ok(ChatPage {
            messages,
            next_cursor,
        })
    }
}

/// Analytics events per room, the newest `cap` kept per room.
pub struct MemoryAnalytics {
    rooms: Mutex<HashMap<RoomId, std::collections::VecDeque<AnalyticsRecord>>>,
    cap: usize,
}

impl MemoryAnalytics {
    /// Keeps at most `cap` events per room (oldest dropped first).
    pub fn new(cap: usize) -> Self {
        MemoryAnalytics {
            rooms: Mutex::default(),
            cap: cap.max(1),
        }
    }
}

/// Events kept per room by default (memory and Redis).
pub const ANALYTICS_CAP: usize = 10_000;

impl Default for MemoryAnalytics {
    fn default() -> Self {
        Self::new(ANALYTICS_CAP)
    }
}

#[async_trait]
impl Analytics for MemoryAnalytics {
    async fn record(&self, event: &AnalyticsRecord) -> Result<(), PortError> {
        let room = RoomId::parse(&event.room_id).map_err(|e| PortError::corrupt(e.to_string()))?;
        let mut rooms = self.rooms.lock().expect("lock");
        let list = rooms.entry(room).or_default();
        list.push_back(event.clone());
        while list.len() > self.cap {
            list.pop_front();
        }
        Ok(())
    }

    async fn list(&self, room: &RoomId, limit: usize) -> Result<Vec<AnalyticsRecord>, PortError> {
        let rooms = self.rooms.lock().expect("lock");
        Ok(rooms
            .get(room)
            .map(|l| l.iter().rev().take(limit).rev().cloned().collect())
            .unwrap_or_default())
    }

    async fn summary(&self, room: &RoomId) -> Result<AnalyticsSummary, PortError> {
        let rooms = self.rooms.lock().expect("lock");
        let list: Vec<AnalyticsRecord> = rooms
            .get(room)
            .map(|l| l.iter().cloned().collect())
            .unwrap_or_default();
        Ok(summarize(&list))
    }
}

/// Computes a summary from events (used by in-memory adapters).
pub fn summarize(events: &[AnalyticsRecord]) -> AnalyticsSummary {
    let mut by_type = BTreeMap::new();
    let mut users = HashSet::new();
    let (mut joins, mut leaves, mut total_secs) = (0u64, 0u64, 0f64);
    for e in events {
        *by_type.entry(e.event_type.clone()).or_insert(0) += 1;
        users.insert(e.user_id.as_str());
        match e.event_type.as_str() {
            "join" => joins += 1,
            "leave" => {
                leaves += 1;
                total_secs += e
                    .data
                    .get("duration_seconds")
                    .and_then(|v| v.as_f64())
                    .unwrap_or(0.0);
            }
            _ => {}
        }
    }
    AnalyticsSummary {
        total_events: events.len() as u64,
        unique_participants: users.len() as u64,
        joins,
        leaves,
        average_session_seconds: if leaves > 0 {
            total_secs / leaves as f64
        } else {
            0.0
        },
        events_by_type: by_type,
    }
}

/// A clock that moves only when told (the kernel's).
pub use kernel::ManualClock;

/// One process's registry: heartbeats expire on the system clock.
#[derive(Default)]
pub struct MemoryInstanceRegistry {
    inner: Mutex<MemoryInstances>,
}

#[derive(Default)]
struct MemoryInstances {
    alive_until: HashMap<String, std::time::Instant>,
    conns: HashMap<String, Vec<TrackedConnection>>,
}

#[async_trait]
impl InstanceRegistry for MemoryInstanceRegistry {
    async fn heartbeat(&self, instance: &str, ttl_secs: u64) -> Result<(), PortError> {
        let until = std::time::Instant::now() + std::time::Duration::from_secs(ttl_secs);
        let mut i = self.inner.lock().expect("lock");
        i.alive_until.insert(instance.to_owned(), until);
        Ok(())
    }

    async fn track(&self, instance: &str, conn: &TrackedConnection) -> Result<(), PortError> {
        let mut i = self.inner.lock().expect("lock");
        i.conns
            .entry(instance.to_owned())
            .or_default()
            .push(conn.clone());
        Ok(())
    }

    async fn untrack(
        &self,
        instance: &str,
        connection: crate::ConnectionId,
    ) -> Result<(), PortError> {
        let mut i = self.inner.lock().expect("lock");
        if let Some(c) = i.conns.get_mut(instance) {
            c.retain(|c| c.connection != connection);
        }
        Ok(())
    }

    async fn claim_dead(
        &self,
        me: &str,
    ) -> Result<Vec<(String, Vec<TrackedConnection>)>, PortError> {
        let now = std::time::Instant::now();
        let mut i = self.inner.lock().expect("lock");
        let dead: Vec<String> = i
            .alive_until
            .iter()
            .filter(|(id, until)| id.as_str() != me && **until < now)
            .map(|(id, _)| id.clone())
            .collect();
        Ok(dead
            .into_iter()
            .map(|id| {
                i.alive_until.remove(&id);
                let conns = i.conns.remove(&id).unwrap_or_default();
                (id, conns)
            })
            .collect())
    }
}

/// Media claims in a map: the embedded default, where every claim is this
/// process's own, and the fake two services share in tests.
#[derive(Default)]
pub struct MemoryMediaOwners {
    claims: Mutex<HashMap<RoomId, (InstanceTag, std::time::Instant)>>,
}

impl MemoryMediaOwners {
    fn live(
        claims: &HashMap<RoomId, (InstanceTag, std::time::Instant)>,
        room: &RoomId,
    ) -> Option<InstanceTag> {
        claims
            .get(room)
            .filter(|(_, until)| *until > std::time::Instant::now())
            .map(|(owner, _)| *owner)
    }
}

#[async_trait]
impl MediaOwners for MemoryMediaOwners {
    async fn claim(
        &self,
        room: &RoomId,
        me: InstanceTag,
        ttl_ms: u64,
    ) -> Result<InstanceTag, PortError> {
        let mut claims = self.claims.lock().expect("lock");
        if let Some(owner) = Self::live(&claims, room) {
            return Ok(owner);
        }
        if claims.len() >= 1024 {
            // Lapsed claims of rooms nobody asked about since.
            let now = std::time::Instant::now();
            claims.retain(|_, (_, until)| *until > now);
        }
        let until = std::time::Instant::now() + std::time::Duration::from_millis(ttl_ms);
        claims.insert(room.clone(), (me, until));
        Ok(me)
    }

    async fn owner(&self, room: &RoomId) -> Result<Option<InstanceTag>, PortError> {
        Ok(Self::live(&self.claims.lock().expect("lock"), room))
    }

    async fn renew(
        &self,
        me: InstanceTag,
        rooms: &[RoomId],
        ttl_ms: u64,
    ) -> Result<Vec<RoomId>, PortError> {
        let mut claims = self.claims.lock().expect("lock");
        let until = std::time::Instant::now() + std::time::Duration::from_millis(ttl_ms);
        let mut lost = Vec::new();
        for room in rooms {
            if Self::live(&claims, room) == Some(me) {
                claims.insert(room.clone(), (me, until));
            } else {
                lost.push(room.clone());
            }
        }
        Ok(lost)
    }

    async fn release(&self, room: &RoomId, me: InstanceTag) -> Result<(), PortError> {
        let mut claims = self.claims.lock().expect("lock");
        if claims.get(room).is_some_and(|(owner, _)| *owner == me) {
            claims.remove(room);
        }
        Ok(())
    }
}

/// Sessions kept per room by [`MemoryRoomSessions`] (the oldest go first).
pub const SESSIONS_PER_ROOM: usize = 100;

/// Distinct participants listed per session by [`MemoryRoomSessions`];
/// later joiners of a very long session are not listed.
pub const PARTICIPANTS_PER_SESSION: usize = 10_000;

/// Room sessions in memory, the newest [`SESSIONS_PER_ROOM`] per room.
#[derive(Default)]
pub struct MemoryRoomSessions {
    rooms: Mutex<HashMap<RoomId, std::collections::VecDeque<RoomSession>>>,
}

fn open_session<'a>(
    rooms: &'a mut HashMap<RoomId, std::collections::VecDeque<RoomSession>>,
    room: &RoomId,
) -> Option<&'a mut RoomSession> {
    rooms
        .get_mut(room)?
        .back_mut()
        .filter(|x| x.ended_at.is_none())
}

#[async_trait]
impl RoomSessions for MemoryRoomSessions {
    async fn started(&self, room: &RoomId, at: OffsetDateTime) -> Result<(), PortError> {
        let mut rooms = self.rooms.lock().expect("lock");
        if open_session(&mut rooms, room).is_some() {
            return Ok(());
        }
        let list = rooms.entry(room.clone()).or_default();
        list.push_back(RoomSession {
            room_id: room.to_string(),
            started_at: at,
            ended_at: None,
            duration_seconds: None,
            participants: Vec::new(),
        });
        while list.len() > SESSIONS_PER_ROOM {
            list.pop_front();
        }
        Ok(())
    }

    async fn joined(&self, room: &RoomId, user: &crate::UserId) -> Result<(), PortError> {
        let mut rooms = self.rooms.lock().expect("lock");
        if let Some(x) = open_session(&mut rooms, room)
            && x.participants.len() < PARTICIPANTS_PER_SESSION
            && !x.participants.iter().any(|p| p == user.as_str())
        {
            x.participants.push(user.to_string());
        }
        Ok(())
    }

    async fn ended(&self, room: &RoomId, at: OffsetDateTime) -> Result<(), PortError> {
        let mut rooms = self.rooms.lock().expect("lock");
        if let Some(x) = open_session(&mut rooms, room) {
            x.ended_at = Some(at);
            x.duration_seconds = Some((at - x.started_at).whole_seconds());
        }
        Ok(())
    }

    async fn list(&self, room: &RoomId, limit: usize) -> Result<Vec<RoomSession>, PortError> {
        let rooms = self.rooms.lock().expect("lock");
        Ok(rooms
            .get(room)
            .map(|l| l.iter().rev().take(limit).cloned().collect())
            .unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The port suites of `crate::testing`, on the memory implementations.
    mod suites {
        use std::sync::Arc;

        use crate::memory::*;

        async fn rooms() -> Arc<dyn RoomStore> {
            Arc::new(MemoryRoomStore::default())
        }
        crate::room_store_suite!(rooms);

        mod bus {
            use super::*;
            async fn bus() -> (Arc<dyn EventBus>, Arc<dyn EventBus>) {
                let b: Arc<dyn EventBus> = Arc::new(MemoryBus::default());
                (b.clone(), b)
            }
            crate::event_bus_suite!(bus);
        }

        mod chat {
            use super::*;
            async fn chat() -> Arc<dyn ChatHistory> {
                Arc::new(MemoryChatHistory::default())
            }
            async fn capped() -> Arc<dyn ChatHistory> {
                Arc::new(MemoryChatHistory::new(crate::testing::chat::CAP))
            }
            crate::chat_history_suite!(chat, cap: capped);

            async fn outbox() -> Arc<dyn ChatHistory> {
                Arc::new(OutboxChatHistory::new(
                    Arc::new(MemoryChatHistory::default()),
                    100,
                ))
            }
            /// The outbox wrapper is a `ChatHistory` like any other.
            mod through_the_outbox {
                crate::chat_history_suite!(super::outbox);
            }
        }

        mod spool {
            use super::*;
            async fn spool() -> Arc<dyn ChatSpool> {
                Arc::new(MemoryChatSpool::default())
            }
            crate::chat_spool_suite!(spool);
        }

        mod receipts {
            use super::*;
            async fn receipts() -> Arc<dyn ReadReceipts> {
                Arc::new(MemoryReadReceipts::default())
            }
            crate::read_receipts_suite!(receipts);
        }

        mod analytics {
            use super::*;
            async fn analytics() -> Arc<dyn Analytics> {
                Arc::new(MemoryAnalytics::default())
            }
            async fn capped() -> Arc<dyn Analytics> {
                Arc::new(MemoryAnalytics::new(crate::testing::analytics::CAP))
            }
            crate::analytics_suite!(analytics, cap: capped);
        }

        mod sessions {
            use super::*;
            async fn sessions() -> Arc<dyn RoomSessions> {
                Arc::new(MemoryRoomSessions::default())
            }
            crate::room_sessions_suite!(sessions);
        }

        mod instances {
            use super::*;
            async fn instances() -> Arc<dyn InstanceRegistry> {
                Arc::new(MemoryInstanceRegistry::default())
            }
            crate::instance_registry_suite!(instances);
        }

        mod media_owners {
            use super::*;
            async fn owners() -> Arc<dyn MediaOwners> {
                Arc::new(MemoryMediaOwners::default())
            }
            crate::media_owners_suite!(owners);
        }

        mod quotas {
            use super::*;
            async fn quotas() -> Arc<dyn crate::quota::Quotas> {
                Arc::new(crate::quota::MemoryQuotas::default())
            }
            crate::quota_suite!(quotas);
        }
    }

    #[tokio::test]
    async fn sessions_keep_the_newest_per_room_and_bound_participants() {
        let s = MemoryRoomSessions::default();
        let room = RoomId::parse("busy").unwrap();
        let t0 = OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap();
        for i in 0..SESSIONS_PER_ROOM as i64 + 30 {
            let at = t0 + time::Duration::minutes(i);
            s.started(&room, at).await.unwrap();
            s.ended(&room, at + time::Duration::seconds(10))
                .await
                .unwrap();
        }
        let list = s.list(&room, usize::MAX).await.unwrap();
        assert_eq!(list.len(), SESSIONS_PER_ROOM);
        assert_eq!(
            list[0].started_at,
            t0 + time::Duration::minutes(SESSIONS_PER_ROOM as i64 + 29),
            "newest first"
        );
        s.started(&room, t0).await.unwrap();
        for i in 0..PARTICIPANTS_PER_SESSION + 10 {
            let u = crate::UserId::parse(&format!("u{i}")).unwrap();
            s.joined(&room, &u).await.unwrap();
        }
        let open = &s.list(&room, 1).await.unwrap()[0];
        assert_eq!(open.participants.len(), PARTICIPANTS_PER_SESSION);
    }
}
