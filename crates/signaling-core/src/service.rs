//! The room service: runs the engine against the ports. Loads a room,
//! applies one engine step, writes it back with compare-and-swap (retrying
//! on conflict), and only then carries out the effects. Handlers in the
//! server call this and nothing else.

use std::sync::Arc;

use auth::{PermissionsPatch, Role};
use time::OffsetDateTime;

use crate::engine::{Actor, Audience, Effect, Engine, JoinOutcome, JoinRequest};
use crate::ports::*;
use crate::protocol::{
    ClientMessage, LeaveReason, LiveStreamStartReq, ParticipantUpdateReq, RecordingControlReq,
    RecordingView, RoomStateView, ServerMessage, with_seq,
};
use crate::ratelimit::{LimitKind, RatePolicy, RateStatus};
use crate::room::{BreakoutRoom, LiveStream, Room, RoomSettingsPatch};
use crate::{ConnectionId, ErrorCode, RoomId, SignalError, UserId};

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
        /// The newest sequence number of the room.
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
            analytics: Arc::new(MemoryAnalytics::default()),
            clock: Arc::new(SystemClock),
            limiter: Arc::new(crate::ratelimit::MemoryRateLimiter::default()),
            recordings: Arc::new(recording::MemoryRecordingStore::default()),
            instances: Arc::new(MemoryInstanceRegistry::default()),
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
        }
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
    /// (`tests/service` proves all three with mocked ports).
    async fn mutate<R>(
        &self,
        room_id: &RoomId,
        create: bool,
        mut step: impl FnMut(&mut Room, OffsetDateTime) -> Result<(R, Vec<Effect>), SignalError>,
    ) -> Result<R, SignalError> {
        for _ in 0..MAX_CAS_ATTEMPTS {
            let current = self.ports.rooms.load(room_id).await?;
            // After the load: a step that sees another's committed change
            // never carries an earlier time than it (hand-raise order).
            let now = self.now();
            let (mut room, version) = match &current {
                Some(v) => ((*v.room).clone(), Some(v.version)),
                None if create => (self.engine.new_room(room_id.clone(), now), None),
                None => {
                    return Err(SignalError::new(
                        ErrorCode::RoomNotFound,
                        format!("no room {room_id}"),
                    ));
                }
            };
            let (out, effects) = step(&mut room, now)?;
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
                self.run_effects(room_id, effects).await;
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
            .mutate(room_id, false, |room, now| Ok(((), step(room, now))))
            .await
        {
            Ok(()) => Ok(true),
            Err(e) if e.code == ErrorCode::RoomNotFound => Ok(false),
            Err(e) => Err(e),
        }
    }

    async fn snapshot(&self, room_id: &RoomId) -> Result<Arc<Room>, SignalError> {
        self.ports
            .rooms
            .load(room_id)
            .await?
            .map(|v| v.room)
            .ok_or_else(|| SignalError::new(ErrorCode::RoomNotFound, format!("no room {room_id}")))
    }

    /// Carries out effects: store chat and recording records first (so what
    /// a client has seen is already in history), then publish deliveries and
    /// disconnects, then record analytics. Storage failures are logged,
    /// never fail the action: live delivery matters more than history.
    /// A failed publish is logged too and does not fail the action either:
    /// the room change is already written and stands, and a replayable
    /// delivery was appended to the replay log before the publish, so a
    /// client that missed it gets it when it resumes.
    pub async fn run_effects(&self, room_id: &RoomId, mut effects: Vec<Effect>) {
        effects.sort_by_key(|e| match e {
            Effect::StoreChat(_) | Effect::StoreRecording(_) => 0,
            Effect::Deliver { .. } | Effect::Disconnect { .. } => 1,
            Effect::Analytics(_) => 2,
        });
        for e in effects {
            self.emit_lifecycle(room_id, &e).await;
            let kind = match e {
                Effect::Deliver { to, message } => {
                    if matches!(&to, Audience::Users(u) if u.is_empty()) {
                        continue;
                    }
                    let mut payload = message.to_json();
                    if let Audience::Users(users) = &to
                        && message.is_replayable()
                    {
                        let audience = users.iter().map(|u| u.to_string()).collect();
                        let now_ms = unix_ms(self.now());
                        match self
                            .ports
                            .log
                            .append(room_id.as_str(), now_ms, audience, payload.clone())
                            .await
                        {
                            Ok(seq) => payload = with_seq(&payload, seq),
                            Err(err) => {
                                tracing::warn!(%room_id, error = %err, "replay log append failed")
                            }
                        }
                    }
                    BusKind::Deliver { to, payload }
                }
                Effect::Disconnect { connection, code } => BusKind::Disconnect { connection, code },
                Effect::StoreChat(record) => {
                    if let Err(err) = self.ports.chat.append(&record).await {
                        tracing::warn!(%room_id, error = %err, "chat history append failed");
                    }
                    continue;
                }
                Effect::Analytics(record) => {
                    if let Err(err) = self.ports.analytics.record(&record).await {
                        tracing::warn!(%room_id, error = %err, "analytics record failed");
                    }
                    continue;
                }
                Effect::StoreRecording(record) => {
                    if !record.is_active() {
                        // Stopped or cancelled: its running slot is free.
                        let slots = crate::quota::keys::RECORDING_SLOTS;
                        if let Err(err) = self
                            .ports
                            .quotas
                            .release_slot(slots, &record.recording_id)
                            .await
                        {
                            tracing::warn!(%room_id, recording = %record.recording_id, error = %err, "freeing a recording slot failed");
                        }
                    }
                    if let Err(err) = self.ports.recordings.put(&record).await {
                        tracing::warn!(%room_id, recording = %record.recording_id, error = %err, "recording store put failed");
                    } else if matches!(
                        record.status,
                        recording::RecordingStatus::Processing
                            | recording::RecordingStatus::Cancelled
                    ) {
                        // Processing makes the files; a cancel removes the chunks.
                        self.ports.jobs.enqueue(&record.recording_id);
                    }
                    continue;
                }
            };
            if let Err(err) = self
                .ports
                .bus
                .publish(BusEvent {
                    room_id: room_id.clone(),
                    kind,
                })
                .await
            {
                tracing::warn!(%room_id, error = %err, "event bus publish failed");
            }
        }
    }

    /// Passes the lifecycle events among `effect` to the event sink
    /// (webhooks): joins and leaves from their analytics records (which the
    /// engine writes exactly once per fresh join and per leave; a resumed
    /// seat is neither), recording transitions from their broadcasts.
    async fn emit_lifecycle(&self, room_id: &RoomId, effect: &Effect) {
        let (event, data) = match effect {
            Effect::Analytics(r) if r.event_type == "join" || r.event_type == "leave" => {
                let mut data = r.data.clone();
                data.insert("user_id".into(), r.user_id.clone().into());
                let event = if r.event_type == "join" {
                    "participant_joined"
                } else {
                    "participant_left"
                };
                (event, serde_json::Value::Object(data))
            }
            Effect::Deliver { message, .. } => {
                let (event, recording) = match message {
                    ServerMessage::RecordingStarted { recording } => {
                        ("recording_started", recording)
                    }
                    ServerMessage::RecordingStopped { recording } => {
                        ("recording_stopped", recording)
                    }
                    ServerMessage::RecordingPaused { recording } => ("recording_paused", recording),
                    ServerMessage::RecordingResumed { recording } => {
                        ("recording_resumed", recording)
                    }
                    ServerMessage::RecordingCancelled { recording } => {
                        ("recording_cancelled", recording)
                    }
                    _ => return,
                };
                let data = serde_json::json!({ "recording": recording });
                (event, data)
            }
            _ => return,
        };
        self.ports.events.emit(room_id, event, data).await;
    }

    /// Joins a connection to a room (created on first join).
    pub async fn join(
        &self,
        room_id: &RoomId,
        req: JoinRequest,
    ) -> Result<JoinOutcome, SignalError> {
        let new_room = self.ports.rooms.load(room_id).await?.is_none();
        if new_room {
            self.check_rate(LimitKind::RoomCreate, &req.user_id).await?;
        }
        let user = req.user_id.clone();
        let engine = self.engine.clone();
        let mut out = self
            .mutate(room_id, true, move |room, now| {
                engine.join(room, now, req.clone())
            })
            .await?;
        if let JoinOutcome::Joined { state, .. } = &mut out {
            state.last_sequence = self.latest_sequence(room_id).await.unwrap_or(0);
            // Session records are history: their failure never blocks a join.
            if new_room && let Err(e) = self.ports.sessions.started(room_id, self.now()).await {
                tracing::warn!(%room_id, error = %e, "recording the session start failed");
            }
            if let Err(e) = self.ports.sessions.joined(room_id, &user).await {
                tracing::warn!(%room_id, error = %e, "recording the session participant failed");
            }
        }
        Ok(out)
    }

    /// Removes a connection's user from a room if that connection still speaks for them.
    pub async fn leave(
        &self,
        room_id: &RoomId,
        user: &UserId,
        connection: ConnectionId,
    ) -> Result<(), SignalError> {
        self.apply_if_present(room_id, |room, now| {
            self.engine
                .leave(room, now, user, Some(connection), LeaveReason::Left)
        })
        .await
        .map(|_| ())
    }

    /// Claims the connections of instances whose heartbeat lapsed and
    /// announces their users as disconnected, freeing their room slots.
    /// Returns how many connections were released.
    pub async fn reap_dead_instances(&self, me: &str) -> Result<usize, SignalError> {
        let mut released = 0;
        for (instance, conns) in self.ports.instances.claim_dead(me).await? {
            tracing::warn!(%instance, connections = conns.len(), "instance stopped heartbeating; releasing its connections");
            for c in conns {
                let applied = self
                    .apply_if_present(&c.room_id, |room, now| {
                        self.engine.leave(
                            room,
                            now,
                            &c.user_id,
                            Some(c.connection),
                            LeaveReason::Disconnected,
                        )
                    })
                    .await?;
                released += usize::from(applied);
            }
        }
        Ok(released)
    }

    /// The newest sequence number of a room's replay log.
    pub async fn latest_sequence(&self, room_id: &RoomId) -> Result<u64, SignalError> {
        self.ports
            .log
            .latest(room_id.as_str())
            .await
            .map_err(log_unavailable)
    }

    /// What `user` missed after `last_seen`: exactly their events, in
    /// order, each serialized with its `seq`; or a resync verdict with the
    /// room state when the gap reaches past the buffer.
    pub async fn replay(
        &self,
        room_id: &RoomId,
        actor: &Actor,
        last_seen: u64,
    ) -> Result<ReplayOutcome, SignalError> {
        let room = self.snapshot(room_id).await?;
        self.engine.require_member(&room, actor)?;
        let now_ms = unix_ms(self.now());
        let replay = self
            .ports
            .log
            .since(room_id.as_str(), now_ms, last_seen)
            .await
            .map_err(log_unavailable)?;
        let latest = self.latest_sequence(room_id).await?;
        let me = actor.user_id.as_str();
        Ok(match replay {
            reconnection::Replay::Events(events) => ReplayOutcome::Events {
                events: events
                    .into_iter()
                    .filter(|e| e.audience.iter().any(|u| u == me))
                    .map(|e| (e.seq, with_seq(&e.payload, e.seq)))
                    .collect(),
                latest,
            },
            reconnection::Replay::ResyncRequired { latest } => ReplayOutcome::Resync {
                state: Box::new(self.engine.room_state(&room, &actor.user_id, latest)),
                latest,
            },
        })
    }

    /// A connection dropped without a goodbye: its user shows as
    /// reconnecting until [`RoomService::grace_expired`].
    pub async fn connection_lost(
        &self,
        room_id: &RoomId,
        user: &UserId,
        connection: ConnectionId,
    ) -> Result<(), SignalError> {
        self.apply_if_present(room_id, |room, now| {
            self.engine.connection_lost(room, now, user, connection)
        })
        .await
        .map(|_| ())
    }

    /// The grace period after a lost connection ended: the user leaves as
    /// `disconnected` unless they came back.
    pub async fn grace_expired(
        &self,
        room_id: &RoomId,
        user: &UserId,
        connection: ConnectionId,
    ) -> Result<(), SignalError> {
        self.apply_if_present(room_id, |room, now| {
            self.engine.grace_expired(room, now, user, connection)
        })
        .await
        .map(|_| ())
    }

    /// Deletes rooms that have been empty for longer than `delay`, with
    /// their replay logs. Returns how many were deleted.
    pub async fn sweep_empty_rooms(&self, delay: time::Duration) -> Result<usize, SignalError> {
        let mut deleted = 0;
        for id in self.ports.rooms.list().await? {
            let Some(v) = self.ports.rooms.load(&id).await? else {
                continue;
            };
            let expired =
                v.room.is_empty() && v.room.emptied_at.is_some_and(|t| t + delay <= self.now());
            if expired && self.delete_room(&id, v.version).await? {
                deleted += 1;
            }
        }
        Ok(deleted)
    }

    async fn room_started(&self, room: &Room) {
        let data = serde_json::json!({
            "room_id": room.id,
            "created_at": room.created_at.unix_timestamp(),
            "settings": room.settings,
            "metadata": room.metadata,
        });
        self.ports.events.emit(&room.id, "room_started", data).await;
    }

    /// Deletes a room if it is still at `version`, ending its session and
    /// clearing its replay log; false when it changed meanwhile.
    async fn delete_room(&self, id: &RoomId, version: u64) -> Result<bool, SignalError> {
        if self.ports.rooms.delete(id, version).await? != Saved::Ok {
            return Ok(false);
        }
        let data = serde_json::json!({ "room_id": id, "finished_at": self.now().unix_timestamp() });
        self.ports.events.emit(id, "room_finished", data).await;
        if let Err(e) = self.ports.sessions.ended(id, self.now()).await {
            tracing::warn!(room_id = %id, error = %e, "recording the session end failed");
        }
        if let Err(e) = self.ports.log.clear(id.as_str()).await {
            tracing::warn!(room_id = %id, error = %e, "replay log clear failed");
        }
        Ok(true)
    }

    /// Creates an empty room ahead of its first participant (admin API),
    /// with settings and metadata. It is deleted like any empty room,
    /// `RTC_EMPTY_ROOM_TTL_SECS` after creation if nobody joins.
    pub async fn create_room(
        &self,
        room_id: &RoomId,
        settings: Option<RoomSettingsPatch>,
        metadata: Option<String>,
    ) -> Result<Arc<Room>, SignalError> {
        let now = self.now();
        let mut room = self.engine.new_room(room_id.clone(), now);
        if let Some(patch) = settings {
            self.engine
                .update_settings(&mut room, crate::engine::admin_participant(), patch)?;
        }
        if let Some(m) = metadata {
            self.engine.set_metadata(&mut room, &Actor::admin(), m)?;
        }
        room.emptied_at = Some(now);
        match self.ports.rooms.save(&room, None).await? {
            Saved::Ok => {
                self.room_started(&room).await;
                if let Err(e) = self.ports.sessions.started(room_id, now).await {
                    tracing::warn!(%room_id, error = %e, "recording the session start failed");
                }
                Ok(Arc::new(room))
            }
            Saved::Conflict => Err(SignalError::new(
                ErrorCode::RoomAlreadyExists,
                format!("room {room_id} exists already"),
            )),
        }
    }

    /// Closes a room (admin API): everyone is removed with `ROOM_CLOSED`,
    /// then the room, its session and replay log are deleted at once.
    /// Returns how many people were removed.
    pub async fn close_room(&self, room_id: &RoomId) -> Result<usize, SignalError> {
        let removed = self
            .mutate(room_id, false, |room, now| Ok(self.engine.close(room, now)))
            .await?;
        for _ in 0..MAX_CAS_ATTEMPTS {
            match self.ports.rooms.load(room_id).await? {
                None => break,
                Some(v) if !v.room.is_empty() => break, // someone joined again meanwhile
                Some(v) => {
                    if self.delete_room(room_id, v.version).await? {
                        break;
                    }
                }
            }
        }
        Ok(removed)
    }

    /// Replaces the room's metadata and tells everyone (`room-metadata-update`).
    pub async fn set_metadata(
        &self,
        room_id: &RoomId,
        actor: &Actor,
        metadata: String,
    ) -> Result<(), SignalError> {
        self.mutate(room_id, false, |room, _| {
            Ok(((), self.engine.set_metadata(room, actor, metadata.clone())?))
        })
        .await
    }

    /// Sends application data (`data-message`) to the room or to `to`.
    pub async fn send_data(
        &self,
        room_id: &RoomId,
        actor: &Actor,
        to: Option<Vec<UserId>>,
        topic: Option<String>,
        data: serde_json::Value,
    ) -> Result<(), SignalError> {
        let room = self.snapshot(room_id).await?;
        let effects = self.engine.send_data(&room, actor, to, topic, data)?;
        self.run_effects(room_id, effects).await;
        Ok(())
    }

    /// Stores a connection-quality report (REST form of `network-stats`) and
    /// returns its class: excellent, good, poor or lost.
    pub async fn report_quality(
        &self,
        room_id: &RoomId,
        actor: &Actor,
        stats: crate::room::NetworkStats,
    ) -> Result<&'static str, SignalError> {
        self.handle(
            room_id,
            actor,
            ClientMessage::NetworkStats(crate::protocol::NetworkStatsReq { stats }),
        )
        .await?;
        Ok(crate::engine::classify_quality(&stats))
    }

    /// Handles one client message from a WebSocket connection.
    pub async fn handle(
        &self,
        room_id: &RoomId,
        actor: &Actor,
        msg: ClientMessage,
    ) -> Result<(), SignalError> {
        for kind in LimitKind::for_message(msg.message_type()) {
            self.check_rate(*kind, &actor.user_id).await?;
        }
        if let ClientMessage::RecordingControl(req) = &msg
            && req.action == crate::protocol::RecordingAction::Start
        {
            // Through the same slot check as REST.
            let req = req.clone();
            return self
                .recording_control(room_id, actor, req)
                .await
                .map(|_| ());
        }
        if Engine::is_read_only(&msg) {
            let room = self.snapshot(room_id).await?;
            let effects = self
                .engine
                .handle_read_only(&room, self.now(), actor, msg)?;
            self.run_effects(room_id, effects).await;
            return Ok(());
        }
        self.mutate(room_id, false, |room, now| {
            Ok(((), self.engine.handle(room, now, actor, msg.clone())?))
        })
        .await
    }

    /// The room as stored.
    pub async fn room(&self, room_id: &RoomId) -> Result<Arc<Room>, SignalError> {
        self.snapshot(room_id).await
    }

    /// A page of chat history as the caller, who must be a member, could
    /// have received it live: public messages of their group (the main
    /// room or their breakout room), private messages they sent or
    /// received, and their own. Newest first, at most `limit`; pages past
    /// messages the caller may not see (a bounded number of store reads).
    pub async fn chat_history(
        &self,
        room_id: &RoomId,
        actor: &Actor,
        before: Option<&str>,
        limit: usize,
    ) -> Result<ChatPage, SignalError> {
        /// Store pages read per request at most, however sparse the
        /// caller's share of the history.
        const MAX_READS: usize = 8;
        let room = self.snapshot(room_id).await?;
        let me = self.engine.require_member(&room, actor)?;
        let (user, group) = (me.user_id.as_str(), me.breakout_room_id.as_deref());
        let mut out = ChatPage {
            messages: Vec::with_capacity(limit),
            next_cursor: None,
        };
        let mut cursor = before.map(str::to_owned);
        for _ in 0..MAX_READS {
            let page = self
                .ports
                .chat
                .page(room_id, cursor.as_deref(), limit)
                .await?;
            let mut rest = page.messages.into_iter();
            for m in rest.by_ref() {
                if m.visible_to(user, group) {
                    out.messages.push(m);
                    if out.messages.len() == limit {
                        break;
                    }
                }
            }
            let more_here = rest.len() > 0;
            if out.messages.len() == limit {
                if more_here || page.next_cursor.is_some() {
                    out.next_cursor = out.messages.last().map(|m| m.id.clone());
                }
                return Ok(out);
            }
            match page.next_cursor {
                Some(c) => cursor = Some(c),
                None => return Ok(out),
            }
        }
        // Read enough for one request: the caller continues from here.
        out.next_cursor = cursor;
        Ok(out)
    }

    /// The room state as `viewer` sees it (a member).
    pub async fn room_state(
        &self,
        room_id: &RoomId,
        actor: &Actor,
    ) -> Result<RoomStateView, SignalError> {
        let room = self.snapshot(room_id).await?;
        self.engine.require_member(&room, actor)?;
        Ok(self.engine.room_state(&room, &actor.user_id, 0))
    }

    /// Sets a role.
    pub async fn set_role(
        &self,
        room_id: &RoomId,
        actor: &Actor,
        user: &UserId,
        role: Role,
    ) -> Result<(), SignalError> {
        self.mutate(room_id, false, |room, _| {
            Ok(((), self.engine.set_role(room, actor, user, role)?))
        })
        .await
    }

    /// Sets permissions.
    pub async fn set_permissions(
        &self,
        room_id: &RoomId,
        actor: &Actor,
        user: &UserId,
        patch: &PermissionsPatch,
    ) -> Result<(), SignalError> {
        self.mutate(room_id, false, |room, _| {
            Ok(((), self.engine.set_permissions(room, actor, user, patch)?))
        })
        .await
    }

    /// Updates settings.
    pub async fn update_settings(
        &self,
        room_id: &RoomId,
        actor: &Actor,
        patch: RoomSettingsPatch,
    ) -> Result<(), SignalError> {
        self.check_rate(LimitKind::SettingsUpdate, &actor.user_id)
            .await?;
        self.mutate(room_id, false, |room, _| {
            Ok(((), self.engine.update_settings_as(room, actor, patch)?))
        })
        .await
    }

    /// Updates one's own participant info.
    pub async fn update_info(
        &self,
        room_id: &RoomId,
        actor: &Actor,
        user: &UserId,
        req: ParticipantUpdateReq,
    ) -> Result<(), SignalError> {
        self.mutate(room_id, false, |room, now| {
            Ok((
                (),
                self.engine
                    .update_info(room, now, actor, user, req.clone())?,
            ))
        })
        .await
    }

    /// Raises or lowers a hand (the actor's own, or a moderator lowering another).
    pub async fn hand_raise(
        &self,
        room_id: &RoomId,
        actor: &Actor,
        raised: bool,
        target: Option<&UserId>,
    ) -> Result<(), SignalError> {
        self.check_rate(LimitKind::HandRaise, &actor.user_id)
            .await?;
        self.mutate(room_id, false, |room, now| {
            let me = self.engine.require_member(room, actor)?.clone();
            Ok(((), self.engine.hand_raise(room, now, &me, raised, target)?))
        })
        .await
    }

    /// Lowers every hand.
    pub async fn lower_all_hands(
        &self,
        room_id: &RoomId,
        actor: &Actor,
    ) -> Result<(), SignalError> {
        self.mutate(room_id, false, |room, _| {
            Ok(((), self.engine.lower_all_hands(room, actor)?))
        })
        .await
    }

    /// Admits a waiting user.
    pub async fn admit(
        &self,
        room_id: &RoomId,
        actor: &Actor,
        user: &UserId,
    ) -> Result<(), SignalError> {
        self.mutate(room_id, false, |room, now| {
            let me = self.engine.require_member(room, actor)?.clone();
            Ok(((), self.engine.admit(room, now, &me, user)?))
        })
        .await
    }

    /// Admits everyone waiting, as capacity allows.
    pub async fn admit_all(&self, room_id: &RoomId, actor: &Actor) -> Result<(), SignalError> {
        self.mutate(room_id, false, |room, now| {
            Ok(((), self.engine.admit_all(room, now, actor)?))
        })
        .await
    }

    /// Rejects a waiting user.
    pub async fn reject(
        &self,
        room_id: &RoomId,
        actor: &Actor,
        user: &UserId,
    ) -> Result<(), SignalError> {
        self.mutate(room_id, false, |room, _| {
            let me = self.engine.require_member(room, actor)?.clone();
            Ok(((), self.engine.reject(room, &me, user)?))
        })
        .await
    }

    /// Sends a participant back to the waiting room.
    pub async fn send_to_waiting_room(
        &self,
        room_id: &RoomId,
        actor: &Actor,
        user: &UserId,
    ) -> Result<(), SignalError> {
        self.mutate(room_id, false, |room, now| {
            Ok((
                (),
                self.engine.send_to_waiting_room(room, now, actor, user)?,
            ))
        })
        .await
    }

    /// Creates a breakout room.
    pub async fn breakout_create(
        &self,
        room_id: &RoomId,
        actor: &Actor,
        name: &str,
    ) -> Result<BreakoutRoom, SignalError> {
        self.mutate(room_id, false, |room, now| {
            let me = self.engine.require_member(room, actor)?.clone();
            self.engine.breakout_create(room, now, &me, name)
        })
        .await
    }

    /// Assigns a participant to a breakout room, or back to the main room.
    pub async fn breakout_assign(
        &self,
        room_id: &RoomId,
        actor: &Actor,
        user: &UserId,
        breakout: Option<&str>,
    ) -> Result<(), SignalError> {
        self.mutate(room_id, false, |room, _| {
            let me = self.engine.require_member(room, actor)?.clone();
            Ok(((), self.engine.breakout_assign(room, &me, user, breakout)?))
        })
        .await
    }

    /// Closes a breakout room.
    pub async fn breakout_close(
        &self,
        room_id: &RoomId,
        actor: &Actor,
        id: &str,
    ) -> Result<(), SignalError> {
        self.mutate(room_id, false, |room, _| {
            let me = self.engine.require_member(room, actor)?.clone();
            Ok(((), self.engine.breakout_close(room, &me, id)?))
        })
        .await
    }

    /// Starts a live stream.
    pub async fn stream_start(
        &self,
        room_id: &RoomId,
        actor: &Actor,
        req: LiveStreamStartReq,
    ) -> Result<LiveStream, SignalError> {
        self.mutate(room_id, false, |room, now| {
            let me = self.engine.require_member(room, actor)?.clone();
            self.engine.stream_start(room, now, &me, req.clone())
        })
        .await
    }

    /// Stops a live stream.
    pub async fn stream_stop(
        &self,
        room_id: &RoomId,
        actor: &Actor,
        id: &str,
    ) -> Result<LiveStream, SignalError> {
        self.mutate(room_id, false, |room, now| {
            let me = self.engine.require_member(room, actor)?.clone();
            self.engine.stream_stop(room, now, &me, id)
        })
        .await
    }

    /// Starts, stops, pauses, resumes, cancels or reports a recording. A
    /// start first takes one of `max_concurrent_recordings` slots in one
    /// atomic step of the [`Quotas`](crate::quota::Quotas) port (shared by
    /// every instance), and is refused with `RECORDING_LIMIT_REACHED` when
    /// none is free; the slot is named by the new recording's id and freed
    /// when the recording stops or is cancelled (see
    /// [`RoomService::run_effects`]), or at once if the start fails.
    pub async fn recording_control(
        &self,
        room_id: &RoomId,
        actor: &Actor,
        req: RecordingControlReq,
    ) -> Result<RecordingView, SignalError> {
        if req.action != crate::protocol::RecordingAction::Start {
            return self
                .mutate(room_id, false, |room, now| {
                    let me = self.engine.require_member(room, actor)?.clone();
                    self.engine.recording_control(room, now, &me, req.clone())
                })
                .await;
        }
        let id = uuid::Uuid::new_v4().to_string();
        let max = self.engine.config.max_concurrent_recordings;
        let slots = crate::quota::keys::RECORDING_SLOTS;
        if !self
            .ports
            .quotas
            .acquire_slot(slots, &id, max, unix_ms(self.now()))
            .await?
        {
            return Err(SignalError::new(
                ErrorCode::RecordingLimitReached,
                format!("{max} recordings are running (the limit)"),
            ));
        }
        // The service names the recording (a client's id is never used), so
        // the slot and the record share one id.
        let req = RecordingControlReq {
            recording_id: Some(id.clone()),
            ..req
        };
        let started = self
            .mutate(room_id, false, |room, now| {
                let me = self.engine.require_member(room, actor)?.clone();
                self.engine.recording_control(room, now, &me, req.clone())
            })
            .await;
        if started.is_err()
            && let Err(e) = self.ports.quotas.release_slot(slots, &id).await
        {
            tracing::warn!(recording = %id, error = %e, "freeing a recording slot failed");
        }
        started
    }

    /// Frees recording slots whose recording is no longer running (its
    /// stop was never seen: the instance died between taking the slot and
    /// storing the record, or the release failed). Slots younger than
    /// `grace_ms` are left alone: their start may still be under way.
    /// Returns how many were freed.
    pub async fn reconcile_recording_slots(&self, grace_ms: i64) -> Result<usize, SignalError> {
        let slots = crate::quota::keys::RECORDING_SLOTS;
        let now = unix_ms(self.now());
        let mut n = 0;
        for (id, at) in self.ports.quotas.slots(slots).await? {
            if now - at < grace_ms {
                continue;
            }
            let running = self
                .ports
                .recordings
                .get(&id)
                .await?
                .is_some_and(|r| r.is_active());
            if !running {
                self.ports.quotas.release_slot(slots, &id).await?;
                n += 1;
            }
        }
        Ok(n)
    }

    /// Stops recordings that ran longer than the configured maximum.
    /// Returns how many were stopped.
    pub async fn stop_overlong_recordings(&self) -> Result<usize, SignalError> {
        let max = time::Duration::seconds(self.engine.config.max_recording_secs as i64);
        let now = self.now();
        let mut n = 0;
        let list = self.ports.recordings.list_unfinished().await?;
        for r in list.iter().filter(|r| r.is_active()) {
            if time::Duration::seconds(r.duration_secs(now)) < max {
                continue;
            }
            let Ok(room_id) = RoomId::parse(&r.room_id) else {
                continue;
            };
            let applied = self
                .apply_if_present(&room_id, |room, now| {
                    self.engine.recording_time_limit(room, now, &r.recording_id)
                })
                .await?;
            n += usize::from(applied);
        }
        Ok(n)
    }

    /// Checks an upload of recording media by `actor` and returns the
    /// recording.
    pub async fn check_recording_upload(
        &self,
        room_id: &RoomId,
        actor: &Actor,
        id: &str,
    ) -> Result<recording::Recording, SignalError> {
        let room = self.snapshot(room_id).await?;
        self.engine.check_recording_upload(&room, actor, id)
    }

    /// Recordings `user` started, oldest first.
    pub async fn user_recordings(&self, user: &UserId) -> Result<Vec<RecordingView>, SignalError> {
        let now = self.now();
        let list = self.ports.recordings.list_user(user.as_str()).await?;
        Ok(list.iter().map(|r| RecordingView::of(r, now)).collect())
    }

    /// Tells everyone in a room, if it still exists.
    pub async fn notify_room(&self, room_id: &RoomId, message: ServerMessage) {
        if let Ok(room) = self.snapshot(room_id).await {
            let users = room
                .participants
                .iter()
                .map(|p| p.user_id.clone())
                .collect();
            self.notify(room_id, users, message).await;
        }
    }

    /// A room's recordings from the durable store, oldest first. Records
    /// outlive the room, so this needs a token for the room, not membership.
    pub async fn recordings(&self, room_id: &RoomId) -> Result<Vec<RecordingView>, SignalError> {
        let now = self.now();
        let list = self.ports.recordings.list_room(room_id.as_str()).await?;
        Ok(list.iter().map(|r| RecordingView::of(r, now)).collect())
    }

    /// One recording of a room, from the durable store.
    pub async fn recording(
        &self,
        room_id: &RoomId,
        id: &str,
    ) -> Result<RecordingView, SignalError> {
        let r = self
            .ports
            .recordings
            .get(id)
            .await?
            .filter(|r| r.room_id == room_id.as_str())
            .ok_or_else(|| {
                SignalError::new(ErrorCode::RecordingNotFound, format!("no recording {id}"))
            })?;
        Ok(RecordingView::of(&r, self.now()))
    }

    /// Mutes everyone but the moderator.
    pub async fn mute_all(&self, room_id: &RoomId, actor: &Actor) -> Result<(), SignalError> {
        self.mutate(room_id, false, |room, _| {
            Ok(((), self.engine.mute_all(room, actor)?))
        })
        .await
    }

    /// Removes (and optionally bans) a participant.
    pub async fn kick(
        &self,
        room_id: &RoomId,
        actor: &Actor,
        user: &UserId,
        ban: bool,
    ) -> Result<(), SignalError> {
        self.mutate(room_id, false, |room, now| {
            Ok(((), self.engine.kick(room, now, actor, user, ban)?))
        })
        .await
    }

    /// Delivers `message` to `users` of a room (notices of other services,
    /// such as file transfer), through the log and the bus like any event.
    pub async fn notify(&self, room_id: &RoomId, users: Vec<UserId>, message: ServerMessage) {
        self.run_effects(
            room_id,
            vec![Effect::Deliver {
                to: Audience::Users(users),
                message,
            }],
        )
        .await;
    }

    /// Checks that `actor` may offer a file to `receiver` in the room: both
    /// are present, the sender has `can_share_files`.
    pub async fn check_file_offer(
        &self,
        room_id: &RoomId,
        actor: &Actor,
        receiver: &UserId,
    ) -> Result<(), SignalError> {
        let room = self.snapshot(room_id).await?;
        let me = self.engine.require_member(&room, actor)?;
        if !me.permissions.can_share_files {
            return Err(SignalError::denied("you may not share files"));
        }
        if room.participant(receiver).is_none() {
            return Err(SignalError::new(
                ErrorCode::UserNotInRoom,
                format!("{receiver} is not in this room"),
            ));
        }
        Ok(())
    }

    /// Sends an `error` message to one connection (for frames that never
    /// reached the engine).
    pub async fn send_error(&self, room_id: &RoomId, connection: ConnectionId, msg: ServerMessage) {
        self.run_effects(
            room_id,
            vec![Effect::Deliver {
                to: Audience::Connection(connection),
                message: msg,
            }],
        )
        .await;
    }
}
