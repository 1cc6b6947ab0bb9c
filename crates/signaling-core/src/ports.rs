//! Ports: what the signaling domain needs from the outside world.
//! Each has an in-memory implementation in [`crate::memory`], which is both
//! the embedded default and the fake for tests. Each trait's contract is
//! checked by one suite in `crate::testing` (feature `testing`), run
//! against memory and against every adapter.

use std::sync::Arc;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::engine::{AnalyticsRecord, Audience};
use crate::protocol::{ChatRecord, ReadReceipt};
use crate::room::Room;
use crate::{ConnectionId, ErrorCode, InstanceTag, PortError, RoomId, UserId};

/// A room snapshot with the version it was stored under.
#[derive(Debug, Clone)]
pub struct Versioned {
    /// Monotonic per room; bumped by every successful save.
    pub version: u64,
    /// The room.
    pub room: Arc<Room>,
}

/// Result of a conditional write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Saved {
    /// Written.
    Ok,
    /// The stored version was not the expected one; reload and retry.
    Conflict,
}

/// Shared room state with optimistic concurrency: every change is a
/// compare-and-swap on the room's version, so check-capacity-and-join,
/// hand-raise ordering and role changes are atomic across instances.
///
/// Versions of one room id never repeat: a deleted room's version is
/// remembered (at least a day), and recreating the room continues from it,
/// so a writer holding a version read before the delete can match neither
/// the deleted room nor its successor. Suite:
/// `room_store_suite!`.
#[async_trait]
pub trait RoomStore: Send + Sync {
    /// The room and its version, or `None` if it does not exist.
    async fn load(&self, id: &RoomId) -> Result<Option<Versioned>, PortError>;
    /// Writes `room` if the stored version is `expected` (`None`: the room must
    /// not exist). MUST return [`Saved::Conflict`], not an error, on a version
    /// mismatch, and then change nothing. On success the new version is
    /// `expected + 1`; a created room gets one more than the version it was
    /// deleted at, or 1 if it never existed.
    async fn save(&self, room: &Room, expected: Option<u64>) -> Result<Saved, PortError>;
    /// Deletes the room if its version is `expected`; MUST return
    /// [`Saved::Conflict`] on a mismatch. Deleting a room that does not
    /// exist is [`Saved::Ok`] (it is deleted already).
    async fn delete(&self, id: &RoomId, expected: u64) -> Result<Saved, PortError>;
    /// Ids of the rooms that exist (deleted ones are not listed), in no
    /// particular order.
    async fn list(&self) -> Result<Vec<RoomId>, PortError>;
}

/// What travels on the event bus between instances.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BusEvent {
    /// The room.
    pub room_id: RoomId,
    /// What to do.
    pub kind: BusKind,
    /// The room's version after the write that caused the event, when it
    /// followed a write: instances drop older local views of the room
    /// (`service::views`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u64>,
    /// The publishing service instance, which delivered the event to its
    /// own connections already and ignores it when the bus brings it back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<InstanceTag>,
}

/// Bus event kinds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum BusKind {
    /// Send `payload` (serialized server message) to the audience.
    Deliver {
        /// Recipients.
        to: Audience,
        /// JSON text of the message, shared (cloning it copies nothing, and
        /// the WebSocket layer sends it as it is).
        payload: ByteString,
        /// The room sequence number, for an event in the replay log (the
        /// payload then starts with the same `"seq"`); carried typed so no
        /// receiver reads it back out of the text.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        seq: Option<u64>,
    },
    /// Close a connection with a code.
    Disconnect {
        /// Which.
        connection: ConnectionId,
        /// Why.
        code: ErrorCode,
    },
    /// The room changed (to [`BusEvent::version`], or was created at a
    /// version unknown to the writer) and nobody was told anything else:
    /// instances drop their local view of it.
    RoomChanged,
    /// Media signaling for the instance that runs the room's media (see
    /// [`MediaOwners`]), checked by the engine on the participant's own
    /// instance; published to that instance alone.
    Media(crate::engine::MediaRequest),
}

/// The media plane of this instance: it takes the media signaling of SFU
/// rooms (already checked by the engine) and answers the participant's
/// connection itself. Submitting never blocks.
pub trait MediaPlane: Send + Sync {
    /// Hands over `request` for `room`.
    fn submit(&self, room: &RoomId, request: crate::engine::MediaRequest);
    /// The rooms it has media peers in now.
    fn rooms(&self) -> Vec<RoomId>;
    /// The server streams and server recordings it runs now: (room,
    /// stream or recording id).
    fn streams(&self) -> Vec<(RoomId, String)> {
        Vec::new()
    }
    /// Drops every media peer of `room` (this instance lost its claim on
    /// it; the participants' clients reconnect their media).
    fn drop_room(&self, room: &RoomId);
}

/// Which instance runs each SFU room's media: a room's media peers all
/// live on one instance (as LiveKit routes a room to one node), and the
/// others relay their participants' media signaling to it over the bus.
///
/// A claim is bound to its holder's liveness: it lapses `ttl_ms` after it
/// was taken or last renewed, and its holder renews it while it runs the
/// room's media. When the holder dies, the room goes to the first instance
/// that needs it after the lapse. Suite: `media_owners_suite!`.
#[async_trait]
pub trait MediaOwners: Send + Sync {
    /// The instance whose claim on `room` is live, after giving the room
    /// to `me` for `ttl_ms` when no claim was. MUST give a room to exactly
    /// one of several instances claiming it at once.
    async fn claim(
        &self,
        room: &RoomId,
        me: InstanceTag,
        ttl_ms: u64,
    ) -> Result<InstanceTag, PortError>;
    /// The instance whose claim on `room` is live, if one is; claims
    /// nothing.
    async fn owner(&self, room: &RoomId) -> Result<Option<InstanceTag>, PortError>;
    /// Extends `me`'s live claims on `rooms` to `ttl_ms` from now, and
    /// returns those of `rooms` `me` does not hold (its claim lapsed, or
    /// another's is live). MUST NOT take a room `me` does not hold.
    async fn renew(
        &self,
        me: InstanceTag,
        rooms: &[RoomId],
        ttl_ms: u64,
    ) -> Result<Vec<RoomId>, PortError>;
    /// Ends `me`'s claim on `room`; another instance's claim is untouched.
    async fn release(&self, room: &RoomId, me: InstanceTag) -> Result<(), PortError>;
}

/// Receives bus events on one instance (the server's connection hub).
pub trait EventSink: Send + Sync {
    /// Called for every event published by any instance, this one included.
    /// MUST NOT block.
    fn deliver(&self, event: &BusEvent);

    /// Called when the subscription was (re-)established after a gap in
    /// which events may have been missed; what was derived from them must
    /// be rebuilt. MUST NOT block.
    fn resync(&self) {}

    /// Delivers `event` to this instance's recipients as [`deliver`] does,
    /// and says whether it holds every recipient the event names (then no
    /// other instance needs it). The default holds none.
    ///
    /// [`deliver`]: EventSink::deliver
    fn deliver_here(&self, event: &BusEvent) -> bool {
        self.deliver(event);
        false
    }
}

/// Fan-out of room events to every instance. An event reaches every sink
/// subscribed on any instance (the publisher's own included) once, equal to
/// what was published, and one publisher's events arrive in the order it
/// published them. Delivery is live only: an instance cut off from the bus
/// misses what was published meanwhile (the replay log covers clients).
/// Suite: `event_bus_suite!`.
#[async_trait]
pub trait EventBus: Send + Sync {
    /// Publishes to all instances (including this one).
    async fn publish(&self, event: BusEvent) -> Result<(), PortError>;
    /// Registers this instance's sink.
    fn subscribe(&self, sink: Arc<dyn EventSink>);
    /// Publishes to the one instance subscribed as `instance` (and to
    /// sinks subscribed without a name); an instance that is gone misses
    /// it. The default publishes to all, which is correct but not lean.
    async fn publish_to(&self, instance: InstanceTag, event: BusEvent) -> Result<(), PortError> {
        let _ = instance;
        self.publish(event).await
    }
    /// Registers this instance's sink for what is published to all and
    /// what is published to `instance`. The default is
    /// [`subscribe`](EventBus::subscribe).
    fn subscribe_as(&self, instance: InstanceTag, sink: Arc<dyn EventSink>) {
        let _ = instance;
        self.subscribe(sink)
    }
}

/// A page of chat history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChatPage {
    /// Messages, newest first.
    pub messages: Vec<ChatRecord>,
    /// Pass as `before` to get the next (older) page; null at the end.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub next_cursor: Option<String>,
}

/// Chat messages waiting for the history store while it is away (the
/// outbox behind [`crate::memory::OutboxChatHistory`]): a FIFO that must
/// keep what it acknowledged through a crash of the process. Memory (the
/// embedded default), an fsynced local log (the server, without Redis) and
/// Redis (shared: whichever instance is alive drains it). Suite:
/// `chat_spool_suite!`.
#[async_trait]
pub trait ChatSpool: Send + Sync {
    /// Adds `record` at the back; stored for good when this returns `Ok`.
    async fn push(&self, record: &ChatRecord) -> Result<(), PortError>;
    /// The oldest waiting message, left in place.
    async fn front(&self) -> Result<Option<ChatRecord>, PortError>;
    /// Removes the oldest waiting message if its id is `id` (it was just
    /// written to the store); `false` when another drainer took it first.
    async fn pop_front(&self, id: &str) -> Result<bool, PortError>;
    /// How many wait.
    async fn waiting(&self) -> Result<usize, PortError>;
    /// The waiting message `id` of `room`, if it waits.
    async fn find(&self, room: &RoomId, id: &str) -> Result<Option<ChatRecord>, PortError>;
    /// Replaces the waiting message with `record`'s room and id, in place;
    /// `false` when none waits.
    async fn replace(&self, record: &ChatRecord) -> Result<bool, PortError>;
    /// Removes the waiting message `id` of `room`; `false` when none waits.
    async fn remove(&self, room: &RoomId, id: &str) -> Result<bool, PortError>;
}

/// Chat history. Message ids are unique across rooms; messages are
/// appended in the order they were sent, and "newest" means appended last.
/// A store may bound each room to its newest messages (memory and Redis:
/// a per-room cap) or by age (MongoDB: retention). Suite:
/// `chat_history_suite!`.
#[async_trait]
pub trait ChatHistory: Send + Sync {
    /// Appends a message. MUST be idempotent on `record.id`: appending an id
    /// the room still holds, however long ago it was first appended,
    /// changes nothing.
    async fn append(&self, record: &ChatRecord) -> Result<(), PortError>;
    /// Newest first, at most `limit`, strictly older than the `before` cursor.
    /// `next_cursor` is the id of the page's oldest message when older ones
    /// remain, else `None`. A cursor that names no message of the room, or
    /// a room without history, gives an empty page with no cursor.
    async fn page(
        &self,
        room: &RoomId,
        before: Option<&str>,
        limit: usize,
    ) -> Result<ChatPage, PortError>;
    /// Message `id` of `room`, if the room holds it.
    async fn get(&self, room: &RoomId, id: &str) -> Result<Option<ChatRecord>, PortError>;
    /// Stores `record` in place of the message with its id and room,
    /// keeping its place in the order; whether the room held it (if not,
    /// nothing is written).
    async fn replace(&self, record: &ChatRecord) -> Result<bool, PortError>;
    /// Deletes message `id` of `room`, so no read returns it or its text
    /// again; whether the room held it.
    async fn remove(&self, room: &RoomId, id: &str) -> Result<bool, PortError>;
    /// Adds `user` to the reactions `emoji` of message `id` (once), or
    /// takes them out (an emoji nobody is left on goes), in one atomic
    /// step: concurrent reactions are all kept. Whether the room held the
    /// message.
    async fn react(
        &self,
        room: &RoomId,
        id: &str,
        emoji: &str,
        user: &str,
        active: bool,
    ) -> Result<bool, PortError>;
    /// Like [`page`](ChatHistory::page), over the messages whose text
    /// contains `query` (a non-empty, already sanitized string), ignoring
    /// case. The default pages through the whole history; a store that
    /// keeps much of it should ask its database instead.
    async fn search(
        &self,
        room: &RoomId,
        query: &str,
        before: Option<&str>,
        limit: usize,
    ) -> Result<ChatPage, PortError> {
        /// Messages read per store page while searching.
        const SCAN: usize = 200;
        let needle = query.to_lowercase();
        let mut out = ChatPage {
            messages: Vec::new(),
            next_cursor: None,
        };
        let mut cursor = before.map(str::to_owned);
        loop {
            let page = self.page(room, cursor.as_deref(), SCAN).await?;
            let mut rest = page.messages.into_iter();
            for m in rest.by_ref() {
                if m.message.to_lowercase().contains(&needle) {
                    if out.messages.len() == limit {
                        out.next_cursor = out.messages.last().map(|m| m.id.clone());
                        return Ok(out);
                    }
                    out.messages.push(m);
                }
            }
            match page.next_cursor {
                Some(c) => cursor = Some(c),
                None => return Ok(out),
            }
        }
    }
}

/// Where each user has read each room's chat up to: one mark per user and
/// room, moving only forward (by [`ReadReceipt::position`]). A store may
/// keep only a room's most recently read marks (memory and Redis:
/// [`RECEIPTS_CAP`]) or bound them by age (MongoDB: chat retention).
/// Suite: `read_receipts_suite!`.
#[async_trait]
pub trait ReadReceipts: Send + Sync {
    /// Moves `receipt.user_id`'s mark in `room` to `receipt` if the room
    /// has none for them or `receipt` is further; whether it moved. MUST
    /// be atomic: of concurrent marks, the furthest stays.
    async fn mark(&self, room: &RoomId, receipt: &ReadReceipt) -> Result<bool, PortError>;
    /// `user`'s mark in `room`.
    async fn get(&self, room: &RoomId, user: &str) -> Result<Option<ReadReceipt>, PortError>;
    /// The room's marks, most recently read first, at most `limit`.
    async fn list(&self, room: &RoomId, limit: usize) -> Result<Vec<ReadReceipt>, PortError>;
}

/// Read marks kept per room by the memory and Redis stores; past it, the
/// least recently read goes.
pub const RECEIPTS_CAP: usize = 1_000;

/// Summary of a room's analytics.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AnalyticsSummary {
    /// Number of events.
    pub total_events: u64,
    /// Distinct users seen.
    pub unique_participants: u64,
    /// Joins.
    pub joins: u64,
    /// Leaves.
    pub leaves: u64,
    /// Mean session length over leaves, seconds.
    pub average_session_seconds: f64,
    /// Count per event type.
    pub events_by_type: std::collections::BTreeMap<String, u64>,
}

/// Analytics events, recorded in the order they happen. A store may bound
/// each room to its newest events (memory and Redis: a per-room cap) or by
/// age (MongoDB: retention). Suite:
/// `analytics_suite!`.
#[async_trait]
pub trait Analytics: Send + Sync {
    /// Records an event.
    async fn record(&self, event: &AnalyticsRecord) -> Result<(), PortError>;
    /// The newest `limit` events of a room, oldest first.
    async fn list(&self, room: &RoomId, limit: usize) -> Result<Vec<AnalyticsRecord>, PortError>;
    /// Summary of a room's events, computed where the data lives: events
    /// per type, distinct users, joins, leaves, and the mean of the leaves'
    /// `duration_seconds`; all zeros for a room without events.
    async fn summary(&self, room: &RoomId) -> Result<AnalyticsSummary, PortError>;
}

/// A WebSocket connection as the instance registry knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackedConnection {
    /// Its room.
    pub room_id: RoomId,
    /// Its user.
    pub user_id: UserId,
    /// The connection.
    pub connection: ConnectionId,
}

/// Liveness of server instances. Each instance heartbeats and records the
/// connections it holds; when one stops heartbeating, a live instance
/// claims its connections and announces their users as left. An instance
/// is dead once `ttl_secs` of its last heartbeat have passed. Suite:
/// `instance_registry_suite!`.
#[async_trait]
pub trait InstanceRegistry: Send + Sync {
    /// Marks `instance` alive for `ttl_secs` more seconds.
    async fn heartbeat(&self, instance: &str, ttl_secs: u64) -> Result<(), PortError>;
    /// Records that `instance` holds `conn`.
    async fn track(&self, instance: &str, conn: &TrackedConnection) -> Result<(), PortError>;
    /// Forgets a connection of `instance`.
    async fn untrack(&self, instance: &str, connection: ConnectionId) -> Result<(), PortError>;
    /// Instances other than `me` whose heartbeat lapsed, with the
    /// connections they still tracked. MUST hand each dead instance to
    /// exactly one caller across all instances, and forget it.
    async fn claim_dead(
        &self,
        me: &str,
    ) -> Result<Vec<(String, Vec<TrackedConnection>)>, PortError>;
}

/// One life of a room: from its creation until it was cleaned up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoomSession {
    /// The room.
    pub room_id: String,
    /// When it started.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    #[serde(with = "time::serde::rfc3339")]
    pub started_at: OffsetDateTime,
    /// When it ended, if it did.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    #[serde(
        default,
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub ended_at: Option<OffsetDateTime>,
    /// Length in seconds, once ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_seconds: Option<i64>,
    /// Everyone who joined.
    pub participants: Vec<String>,
}

/// The record of room sessions (seed 003's `webrtc_sessions`). Suite:
/// `room_sessions_suite!`.
#[async_trait]
pub trait RoomSessions: Send + Sync {
    /// A room came to exist. At most one session per room is open: while
    /// one is, this changes nothing.
    async fn started(&self, room: &RoomId, at: OffsetDateTime) -> Result<(), PortError>;
    /// Someone joined the open session; each user is listed once, in order
    /// of first join. Without an open session, nothing changes.
    async fn joined(&self, room: &RoomId, user: &UserId) -> Result<(), PortError>;
    /// The room was cleaned up: the open session (if any) ends at `at`.
    async fn ended(&self, room: &RoomId, at: OffsetDateTime) -> Result<(), PortError>;
    /// Sessions of a room, newest first.
    async fn list(&self, room: &RoomId, limit: usize) -> Result<Vec<RoomSession>, PortError>;
}

/// Where room lifecycle events go for the operator's backend (webhooks):
/// `room_started`, `room_finished`, `participant_joined`,
/// `participant_left`, `recording_*`, `transfer_*`. An implementation
/// should store the event durably before returning; failures are its own
/// to log, never the caller's action's.
#[async_trait]
pub trait LifecycleEvents: Send + Sync {
    /// One event of `room`.
    async fn emit(&self, room: &RoomId, event: &str, data: serde_json::Value);
}

/// Drops every event (no webhooks configured).
#[derive(Debug, Default, Clone, Copy)]
pub struct NoEvents;

#[async_trait]
impl LifecycleEvents for NoEvents {
    async fn emit(&self, _room: &RoomId, _event: &str, _data: serde_json::Value) {}
}

/// The shared text of a bus delivery ([`BusKind::Deliver`]).
pub use bytestring::ByteString;
/// The time source (the kernel's).
pub use kernel::{Clock, SystemClock};
