//! The room service: runs the engine against the ports. Loads a room,
//! applies one engine step, writes it back with compare-and-swap (retrying
//! on conflict), and only then carries out the effects. Handlers in the
//! server call this and nothing else.
//!
//! `execute.rs` is the one door for [`Command`]s; `lifecycle.rs` joins,
//! leaves and creates rooms; `reads.rs` answers the read paths;
//! `effects.rs` carries effects out; `maintenance.rs` holds the periodic
//! jobs (dead instances, empty rooms, recording limits); `media.rs` routes
//! SFU rooms' media signaling to the instance that runs their media;
//! `views.rs` keeps the instance's local view of rooms that relays are
//! authorised from.

mod effects;
mod execute;
mod lifecycle;
mod maintenance;
mod media;
mod reads;
mod receipts;
pub mod views;

pub use media::{MEDIA_CLAIM_RENEW, MEDIA_CLAIM_TTL, live_stream_slot};

use std::borrow::Cow;
use std::sync::Arc;

use time::OffsetDateTime;

use crate::engine::{Actor, Audience, Command, Effect, Engine, JoinOutcome, JoinRequest, Reply};
use crate::ports::*;
use crate::protocol::{
    LeaveReason, RecordingAction, RecordingControlReq, RecordingView, RoomStateView, ServerMessage,
    with_seq,
};
use crate::ratelimit::{LimitKind, RatePolicy, RateStatus};
use crate::room::{Room, RoomSettingsPatch};
use crate::{ConnectionId, ErrorCode, InstanceTag, RoomId, SignalError, UserId};

const MAX_CAS_ATTEMPTS: usize = 64;

fn unix_ms(t: OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

fn log_unavailable(e: crate::PortError) -> SignalError {
    // The event log failing, for whatever reason, is the log being
    // unavailable to the caller.
    SignalError::new(ErrorCode::ServiceUnavailable, e.message().to_owned())
}

/// The answer to a resuming client.
#[derive(Debug, Clone)]
pub enum ReplayOutcome {
    /// The missed events addressed to the user, oldest first, as
    /// `(seq, JSON text with seq)`.
    Events {
        /// The events.
        events: Vec<(u64, String)>,
        /// The newest sequence number the replay covers: live events up
        /// to it are already answered by the replay (or were not for this
        /// user), later ones must be delivered.
        latest: u64,
    },
    /// Too old: the full room state.
    Resync {
        /// The state, with `last_sequence` set.
        state: Box<RoomStateView>,
        /// The newest sequence number of the room.
        latest: u64,
    },
}

/// The limiter key of one user's counter for one limit.
fn rate_key(kind: LimitKind, user: &UserId) -> String {
    format!("{}:{}", kind.as_str(), user)
}

/// The ports the service runs on.
#[derive(Clone)]
pub struct Ports {
    /// Room state.
    pub rooms: Arc<dyn RoomStore>,
    /// Event fan-out.
    pub bus: Arc<dyn EventBus>,
    /// Chat history.
    pub chat: Arc<dyn ChatHistory>,
    /// Chat read marks.
    pub receipts: Arc<dyn ReadReceipts>,
    /// Analytics.
    pub analytics: Arc<dyn Analytics>,
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// Rate-limit counters.
    pub limiter: Arc<dyn crate::ratelimit::RateLimiter>,
    /// Durable recording records.
    pub recordings: Arc<dyn recording::RecordingStore>,
    /// Liveness of server instances.
    pub instances: Arc<dyn InstanceRegistry>,
    /// Which instance runs each SFU room's media.
    pub media_owners: Arc<dyn MediaOwners>,
    /// Per-room sequence log and replay buffer.
    pub log: Arc<dyn reconnection::EventLog>,
    /// Processing of stopped recordings.
    pub jobs: Arc<dyn recording::JobQueue>,
    /// Room sessions.
    pub sessions: Arc<dyn RoomSessions>,
    /// Lifecycle events for webhooks.
    pub events: Arc<dyn crate::ports::LifecycleEvents>,
    /// Byte budgets and the running-recordings slot set, shared by every
    /// instance.
    pub quotas: Arc<dyn crate::quota::Quotas>,
}

impl Ports {
    /// The embedded single-process set: everything in memory, system clock.
    pub fn in_memory() -> Self {
        use crate::memory::*;
        Ports {
            rooms: Arc::new(MemoryRoomStore::default()),
            bus: Arc::new(MemoryBus::default()),
            chat: Arc::new(MemoryChatHistory::default()),
            receipts: Arc::new(MemoryReadReceipts::default()),
            analytics: Arc::new(MemoryAnalytics::default()),
            clock: Arc::new(SystemClock),
            limiter: Arc::new(crate::ratelimit::MemoryRateLimiter::default()),
            recordings: Arc::new(recording::MemoryRecordingStore::default()),
            instances: Arc::new(MemoryInstanceRegistry::default()),
            media_owners: Arc::new(MemoryMediaOwners::default()),
            log: Arc::new(reconnection::MemoryEventLog::default()),
            jobs: Arc::new(recording::NoJobs),
            sessions: Arc::new(MemoryRoomSessions::default()),
            events: Arc::new(crate::ports::NoEvents),
            quotas: Arc::new(crate::quota::MemoryQuotas::default()),
        }
    }
}

/// The signaling service.
#[derive(Clone)]
pub struct RoomService {
    engine: Arc<Engine>,
    ports: Ports,
    policy: Arc<RatePolicy>,
    views: Arc<views::LocalViews>,
    /// This instance's own sink (its connections), once subscribed.
    local: Arc<std::sync::OnceLock<Arc<dyn EventSink>>>,
    /// Names this instance on the bus (see [`BusEvent::origin`]) and in
    /// the ids of its connections ([`RoomService::new_connection_id`]).
    origin: InstanceTag,
    /// The media plane SFU rooms' media signaling goes to, once attached.
    media: Arc<std::sync::OnceLock<Arc<dyn crate::ports::MediaPlane>>>,
    /// The rooms whose media this instance claimed, with when it last
    /// had use for each (`media.rs`).
    media_claims: Arc<std::sync::Mutex<std::collections::HashMap<RoomId, std::time::Instant>>>,
}

impl RoomService {
    /// A service over the given engine and ports.
    pub fn new(engine: Engine, ports: Ports) -> Self {
        Self::with_policy(engine, ports, RatePolicy::default())
    }

    /// A service with a rate-limit policy.
    pub fn with_policy(engine: Engine, ports: Ports, policy: RatePolicy) -> Self {
        RoomService {
            engine: Arc::new(engine),
            ports,
            policy: Arc::new(policy),
            views: Arc::default(),
            local: Arc::default(),
            origin: InstanceTag::random(),
            media: Arc::default(),
            media_claims: Arc::default(),
        }
    }

    /// Attaches this instance's media plane (the server's SFU). Without
    /// one, media signaling of SFU rooms is dropped with a warning. A
    /// second call keeps the first plane.
    pub fn attach_media(&self, plane: Arc<dyn crate::ports::MediaPlane>) {
        let _ = self.media.set(plane);
    }

    /// Subscribes this instance on the bus: `sink` (the instance's
    /// connections) gets every event, and the service keeps its local room
    /// views current from the same events ([`views`]). Call once per
    /// instance, instead of subscribing `sink` on the bus directly.
    ///
    /// From then on the service hands its own events to `sink` directly,
    /// and publishes them on the bus only when another instance needs
    /// them: a recipient not connected here, or a write to announce. So a
    /// relay between two users of this instance never leaves the process,
    /// and every event from this instance reaches a local recipient by the
    /// same path, in order.
    pub fn subscribe(&self, sink: Arc<dyn EventSink>) {
        if self.local.set(sink.clone()).is_err() {
            tracing::warn!("RoomService::subscribe called twice; keeping the first sink");
            return;
        }
        let sink = views::ViewSink {
            views: self.views.clone(),
            clock: self.ports.clock.clone(),
            inner: sink,
            origin: self.origin,
            media: self.media.clone(),
        };
        self.ports.bus.subscribe_as(self.origin, Arc::new(sink));
    }

    /// A fresh id for a connection this instance holds: it names the
    /// instance, so events for its user can be sent here alone.
    pub fn new_connection_id(&self) -> ConnectionId {
        ConnectionId::on_instance(self.origin)
    }

    /// The local room views (for metrics and tests).
    pub fn views(&self) -> &views::LocalViews {
        &self.views
    }

    /// The rate-limit policy.
    pub fn policy(&self) -> &RatePolicy {
        &self.policy
    }

    /// Counts one action of `kind` for `user`; refuses with
    /// `RATE_LIMIT_EXCEEDED` and a retry-after when the window is full.
    pub async fn check_rate(&self, kind: LimitKind, user: &UserId) -> Result<(), SignalError> {
        // The operator's own backend is not rate limited.
        if user.is_admin() {
            return Ok(());
        }
        let limit = self.policy.get(kind);
        let key = rate_key(kind, user);
        let s = self
            .ports
            .limiter
            .hit(&key, limit, self.now().unix_timestamp())
            .await?;
        if s.allowed {
            return Ok(());
        }
        let mut e = SignalError::new(
            ErrorCode::RateLimitExceeded,
            format!(
                "{} limit of {} per {} s reached",
                kind.as_str(),
                limit.max,
                limit.window_secs
            ),
        );
        e.retry_after = Some(s.reset_in_secs.max(1));
        Err(e)
    }

    /// Where `user` stands against the `kind` limit, without counting.
    pub async fn rate_status(
        &self,
        kind: LimitKind,
        user: &UserId,
    ) -> Result<RateStatus, SignalError> {
        let key = rate_key(kind, user);
        Ok(self
            .ports
            .limiter
            .peek(&key, self.policy.get(kind), self.now().unix_timestamp())
            .await?)
    }

    /// The engine (for its configuration).
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The ports.
    pub fn ports(&self) -> &Ports {
        &self.ports
    }

    /// Now, from the configured clock.
    pub fn now(&self) -> OffsetDateTime {
        self.ports.clock.now()
    }

    /// Runs `step` on the current room (a fresh one if `create` and absent)
    /// and stores the result atomically; on a `Conflict` it reloads and runs
    /// `step` again (up to `MAX_CAS_ATTEMPTS`, then `CONFLICT`). A store
    /// error fails the call (`SERVICE_UNAVAILABLE`) with no effect carried
    /// out. Effects are carried out once, after the write that landed
    /// (`tests/service` proves all three with mocked ports). `step` gets
    /// the stored room borrowed and copies it when it writes (see
    /// [`Engine::apply`]).
    async fn mutate<R>(
        &self,
        room_id: &RoomId,
        create: bool,
        mut step: impl FnMut(
            &mut Cow<'_, Room>,
            OffsetDateTime,
        ) -> Result<(R, Vec<Effect>), SignalError>,
    ) -> Result<R, SignalError> {
        for _ in 0..MAX_CAS_ATTEMPTS {
            let current = self.ports.rooms.load(room_id).await?;
            // After the load: a step that sees another's committed change
            // never carries an earlier time than it (hand-raise order).
            let now = self.now();
            let (mut room, version) = match &current {
                Some(v) => (Cow::Borrowed(&*v.room), Some(v.version)),
                None if create => (Cow::Owned(self.engine.new_room(room_id.clone(), now)), None),
                None => {
                    return Err(SignalError::new(
                        ErrorCode::RoomNotFound,
                        format!("no room {room_id}"),
                    ));
                }
            };
            let (out, effects) = step(&mut room, now)?;
            let mut room = room.into_owned();
            // An empty room stays (settings, bans, replay log) until the
            // cleanup delay passes; see `sweep_empty_rooms`.
            let empty = room.is_empty();
            match (empty, room.emptied_at) {
                (true, None) => room.emptied_at = Some(now),
                (false, Some(_)) => room.emptied_at = None,
                _ => {}
            }
            let saved = match (empty, version) {
                (true, None) => Saved::Ok,
                (_, v) => self.ports.rooms.save(&room, v).await?,
            };
            if saved == Saved::Ok {
                if version.is_none() && !empty {
                    // This write created the room (the compare-and-swap
                    // admits one creator), so the event is exactly once.
                    self.room_started(&room).await;
                }
                let written = match (empty, version) {
                    (true, None) => None, // nothing was written
                    (_, v) => Some(v.map(|v| v + 1)),
                };
                self.carry_out(room_id, effects, written, Some(&room)).await;
                return Ok(out);
            }
        }
        Err(SignalError::new(
            ErrorCode::Conflict,
            "too many concurrent updates; retry",
        ))
    }

    /// Applies an infallible engine step to a room if it still exists;
    /// `Ok(false)` when it is gone (the step then has nothing to do).
    async fn apply_if_present(
        &self,
        room_id: &RoomId,
        mut step: impl FnMut(&mut Room, OffsetDateTime) -> Vec<Effect>,
    ) -> Result<bool, SignalError> {
        match self
            .mutate(room_id, false, |room, now| {
                Ok(((), step(room.to_mut(), now)))
            })
            .await
        {
            Ok(()) => Ok(true),
            Err(e) if e.code == ErrorCode::RoomNotFound => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// The room for a command that changes nothing, at `now`: the local
    /// view when it is current, else a load that refreshes it.
    async fn view_at(
        &self,
        room_id: &RoomId,
        now: OffsetDateTime,
    ) -> Result<Arc<Room>, SignalError> {
        if let Some(room) = self.views.get(room_id, now) {
            return Ok(room);
        }
        let v = self.ports.rooms.load(room_id).await?.ok_or_else(|| {
            SignalError::new(ErrorCode::RoomNotFound, format!("no room {room_id}"))
        })?;
        self.views.loaded(v.room.clone(), v.version, now);
        Ok(v.room)
    }

    async fn snapshot(&self, room_id: &RoomId) -> Result<Arc<Room>, SignalError> {
        self.ports
            .rooms
            .load(room_id)
            .await?
            .map(|v| v.room)
            .ok_or_else(|| SignalError::new(ErrorCode::RoomNotFound, format!("no room {room_id}")))
    }
}
