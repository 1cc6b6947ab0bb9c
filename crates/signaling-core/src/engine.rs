//! The room engine: pure functions from (room state, time, input) to effects.
//!
//! No sockets, no clocks, no stores: callers pass `now`, own the [`Room`] and
//! carry out the returned [`Effect`]s. Every permission check lives here, so
//! the WebSocket path and the REST path enforce the same rules.

use auth::{Permissions, PermissionsPatch, Role};
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::protocol::*;
use crate::room::*;
use crate::sanitize::{sanitize_name, sanitize_text};
use crate::sdp;
use crate::{ConnectionId, ErrorCode, RoomConfig, SignalError, UserId};

/// Largest `data` of a client's analytics event, serialized, in bytes
/// (`MESSAGE_TOO_LARGE` above it).
pub const MAX_ANALYTICS_DATA_BYTES: usize = 4096;

/// Who receives a delivery. Audiences are resolved to explicit users by the
/// engine, from the authoritative room state, so transport layers never
/// need to know who is waiting, in which breakout room, or a moderator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Audience {
    /// These users' current connections.
    Users(Vec<UserId>),
    /// Exactly this connection (a waiting user, a joiner's own state).
    Connection(ConnectionId),
}

/// Something the caller must do after a successful engine step.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Send a message.
    Deliver {
        /// Recipients.
        to: Audience,
        /// The message.
        message: ServerMessage,
    },
    /// Close a connection with an error code (kick, ban, replaced session).
    Disconnect {
        /// The connection.
        connection: ConnectionId,
        /// Why.
        code: ErrorCode,
    },
    /// Append a chat message to history.
    StoreChat(ChatRecord),
    /// Record an analytics event.
    Analytics(AnalyticsRecord),
    /// Write a recording's record to the durable store.
    StoreRecording(recording::Recording),
}

/// An analytics event as recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnalyticsRecord {
    /// Room.
    pub room_id: String,
    /// User.
    pub user_id: String,
    /// join, leave, quality, or a client-defined name.
    pub event_type: String,
    /// Event data.
    pub data: serde_json::Map<String, serde_json::Value>,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub timestamp: OffsetDateTime,
}

/// A request to enter a room, built from a verified grant.
#[derive(Debug, Clone)]
pub struct JoinRequest {
    /// The user.
    pub user_id: UserId,
    /// Display name.
    pub name: Option<String>,
    /// Role the token asks for.
    pub role: Option<Role>,
    /// Permission overrides from the token.
    pub permissions: Option<PermissionsPatch>,
    /// The new connection.
    pub connection: ConnectionId,
}

/// Result of a successful join.
#[derive(Debug, Clone, PartialEq)]
pub enum JoinOutcome {
    /// In the room; `state` is what the joiner sees.
    Joined {
        /// The room state for the joiner.
        state: Box<RoomStateView>,
        /// Whether this replaced an existing connection of the same user.
        rejoined: bool,
    },
    /// In the waiting room, at this 1-based position.
    Waiting {
        /// Position in line.
        position: usize,
    },
}

/// Who is acting: a user, and over WebSocket also their connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The user.
    pub user_id: UserId,
    /// The connection, for WebSocket messages; `None` for REST calls.
    pub connection: Option<ConnectionId>,
}

/// The stand-in participant the admin API acts as: a host of every room
/// who is in none of them.
pub(crate) fn admin_participant() -> &'static Participant {
    static ADMIN: std::sync::LazyLock<Participant> = std::sync::LazyLock::new(|| {
        let role = Role::Host;
        Participant {
            user_id: UserId::admin(),
            name: "admin".into(),
            role,
            permissions: Permissions::for_role(role),
            connection: ConnectionId(uuid::Uuid::nil()),
            joined_at: OffsetDateTime::UNIX_EPOCH,
            media: MediaState {
                audio_muted: true,
                video_muted: true,
                screen_sharing: false,
            },
            device_info: None,
            network_stats: None,
            video_quality: None,
            background: None,
            breakout_room_id: None,
            presence: Presence::Connected,
            disconnected_at: None,
        }
    });
    &ADMIN
}

impl Actor {
    /// The operator's backend, through the admin API: acts as a host of
    /// any room without being in it.
    pub fn admin() -> Self {
        Actor {
            user_id: UserId::admin(),
            connection: None,
        }
    }
}

/// The room engine with its configuration.
#[derive(Debug, Clone, Default)]
pub struct Engine {
    /// Limits and defaults.
    pub config: RoomConfig,
}

fn deliver(to: Vec<UserId>, message: ServerMessage) -> Effect {
    Effect::Deliver {
        to: Audience::Users(to),
        message,
    }
}

fn all_except(room: &Room, except: &UserId) -> Vec<UserId> {
    room.participants
        .iter()
        .filter(|p| &p.user_id != except)
        .map(|p| p.user_id.clone())
        .collect()
}

fn everyone(room: &Room) -> Vec<UserId> {
    room.participants
        .iter()
        .map(|p| p.user_id.clone())
        .collect()
}

/// Classifies reported network figures into excellent, good, poor or lost.
pub fn classify_quality(s: &NetworkStats) -> &'static str {
    let loss = s.packet_loss_percent.unwrap_or(0.0);
    let rtt = s.latency_ms.unwrap_or(0.0);
    let jitter = s.jitter_ms.unwrap_or(0.0);
    if loss >= 20.0 || rtt >= 1000.0 {
        "lost"
    } else if loss >= 5.0 || rtt >= 300.0 || jitter >= 50.0 {
        "poor"
    } else if loss >= 1.0 || rtt >= 100.0 || jitter >= 20.0 {
        "good"
    } else {
        "excellent"
    }
}

impl Engine {
    /// An engine with the given configuration.
    pub fn new(config: RoomConfig) -> Self {
        Engine { config }
    }

    /// A fresh room with the configured default settings.
    pub fn new_room(&self, id: crate::RoomId, now: OffsetDateTime) -> Room {
        Room::new(id, self.config.default_settings, now)
    }

    /// What `viewer` sees of the room.
    pub fn room_state(&self, room: &Room, viewer: &UserId, last_sequence: u64) -> RoomStateView {
        let is_mod = viewer.is_admin()
            || room
                .participant(viewer)
                .is_some_and(|p| p.role.is_moderator());
        RoomStateView {
            room_id: room.id.to_string(),
            you: viewer.to_string(),
            participants: room.participants.clone(),
            settings: room.settings,
            hand_raise_queue: room.hand_queue.clone(),
            breakout_rooms: room.breakout_rooms.clone(),
            live_streams: room.live_streams.clone(),
            waiting_room: if is_mod {
                room.waiting
                    .iter()
                    .map(|w| WaitingView {
                        user_id: w.user_id.to_string(),
                        name: w.name.clone(),
                        since: w.since,
                    })
                    .collect()
            } else {
                Vec::new()
            },
            last_sequence,
            metadata: room.metadata.clone(),
        }
    }

    /// Replaces the room's metadata (moderators; the admin API) and tells
    /// everyone.
    pub fn set_metadata(
        &self,
        room: &mut Room,
        actor: &Actor,
        metadata: String,
    ) -> Result<Vec<Effect>, SignalError> {
        self.moderator(room, actor)?;
        if metadata.len() > crate::room::MAX_METADATA_BYTES {
            return Err(SignalError::new(
                ErrorCode::MessageTooLarge,
                format!(
                    "metadata is limited to {} bytes",
                    crate::room::MAX_METADATA_BYTES
                ),
            ));
        }
        room.metadata = metadata.clone();
        Ok(vec![deliver(
            everyone(room),
            ServerMessage::RoomMetadataUpdate {
                metadata,
                by: actor.user_id.to_string(),
            },
        )])
    }

    /// Sends application data to the room, or to `to` (moderators; the
    /// admin API). Every recipient must be in the room.
    pub fn send_data(
        &self,
        room: &Room,
        actor: &Actor,
        to: Option<Vec<UserId>>,
        topic: Option<String>,
        data: serde_json::Value,
    ) -> Result<Vec<Effect>, SignalError> {
        self.moderator(room, actor)?;
        let audience = match to {
            Some(users) => {
                for u in &users {
                    if room.participant(u).is_none() {
                        return Err(SignalError::new(
                            ErrorCode::UserNotInRoom,
                            format!("{u} is not in this room"),
                        ));
                    }
                }
                users
            }
            None => everyone(room),
        };
        Ok(vec![deliver(
            audience,
            ServerMessage::DataMessage {
                from: actor.user_id.to_string(),
                topic,
                data,
            },
        )])
    }

    /// Removes everyone (and everyone waiting) from the room: `user-left`
    /// with `reason: "room_closed"`, then `ROOM_CLOSED` (close code 4410).
    pub fn close(&self, room: &mut Room, now: OffsetDateTime) -> (usize, Vec<Effect>) {
        let mut effects = Vec::new();
        let people: Vec<(UserId, ConnectionId)> = room
            .participants
            .iter()
            .map(|p| (p.user_id.clone(), p.connection))
            .chain(
                room.waiting
                    .iter()
                    .map(|w| (w.user_id.clone(), w.connection)),
            )
            .collect();
        for (user, connection) in &people {
            effects.extend(self.leave(room, now, user, None, LeaveReason::RoomClosed));
            effects.push(Effect::Disconnect {
                connection: *connection,
                code: ErrorCode::RoomClosed,
            });
        }
        (people.len(), effects)
    }

    // ------------------------------------------------------------ join / leave

    /// Admits a connection into the room, the waiting room, or refuses it.
    pub fn join(
        &self,
        room: &mut Room,
        now: OffsetDateTime,
        req: JoinRequest,
    ) -> Result<(JoinOutcome, Vec<Effect>), SignalError> {
        if room.banned.contains(&req.user_id) {
            return Err(SignalError::new(
                ErrorCode::UserBanned,
                "you are banned from this room",
            ));
        }
        let name = sanitize_name(
            req.name.as_deref().unwrap_or(req.user_id.as_str()),
            self.config.max_name_chars,
        );
        let mut effects = Vec::new();

        // The same user again: the new connection replaces the old one and keeps
        // role, hand-raise place and breakout assignment.
        if let Some(p) = room.participant_mut(&req.user_id) {
            let old = std::mem::replace(&mut p.connection, req.connection);
            p.presence = Presence::Connected;
            p.disconnected_at = None;
            let view = p.clone();
            if old != req.connection {
                effects.push(Effect::Disconnect {
                    connection: old,
                    code: ErrorCode::SessionReplaced,
                });
            }
            effects.push(deliver(
                all_except(room, &req.user_id),
                ServerMessage::UserJoined { participant: view },
            ));
            let state = Box::new(self.room_state(room, &req.user_id, 0));
            return Ok((
                JoinOutcome::Joined {
                    state,
                    rejoined: true,
                },
                effects,
            ));
        }
        if let Some(pos) = room.waiting.iter().position(|w| w.user_id == req.user_id) {
            let old = std::mem::replace(&mut room.waiting[pos].connection, req.connection);
            effects.push(Effect::Disconnect {
                connection: old,
                code: ErrorCode::SessionReplaced,
            });
            effects.extend(self.waiting_notice(room, pos));
            return Ok((JoinOutcome::Waiting { position: pos + 1 }, effects));
        }

        // Without a role in the token: host of a room that has none (the
        // first joiner, or the first after a host left only viewers behind).
        let role = req
            .role
            .unwrap_or(if room.participants.iter().any(|p| p.role == Role::Host) {
                Role::Participant
            } else {
                Role::Host
            });
        if room.settings.locked && !role.is_moderator() {
            return Err(SignalError::new(
                ErrorCode::RoomLocked,
                "the room is locked",
            ));
        }
        if room.participants.len() >= room.settings.max_participants as usize {
            return Err(SignalError::new(
                ErrorCode::RoomFull,
                format!(
                    "the room is full ({} participants)",
                    room.settings.max_participants
                ),
            ));
        }
        let admitted = room.admitted.iter().position(|u| u == &req.user_id);
        if room.settings.waiting_room_enabled && !role.is_moderator() && admitted.is_none() {
            room.waiting.push(WaitingEntry {
                user_id: req.user_id.clone(),
                name,
                connection: req.connection,
                since: now,
            });
            let pos = room.waiting.len() - 1;
            effects.extend(self.waiting_notice(room, pos));
            return Ok((JoinOutcome::Waiting { position: pos + 1 }, effects));
        }
        if let Some(i) = admitted {
            room.admitted.remove(i);
        }
        let mut permissions = Permissions::for_role(role);
        if let Some(patch) = &req.permissions {
            permissions = permissions.apply(patch);
        }
        let participant = Participant {
            user_id: req.user_id.clone(),
            name,
            role,
            permissions,
            connection: req.connection,
            joined_at: now,
            media: MediaState {
                audio_muted: room.settings.mute_on_entry,
                video_muted: false,
                screen_sharing: false,
            },
            device_info: None,
            network_stats: None,
            video_quality: None,
            background: None,
            breakout_room_id: None,
            presence: Presence::Connected,
            disconnected_at: None,
        };
        effects.push(deliver(
            all_except(room, &req.user_id),
            ServerMessage::UserJoined {
                participant: participant.clone(),
            },
        ));
        room.participants.push(participant);
        effects.push(self.analytics(room, &req.user_id, "join", now, serde_json::Map::new()));
        let state = Box::new(self.room_state(room, &req.user_id, 0));
        Ok((
            JoinOutcome::Joined {
                state,
                rejoined: false,
            },
            effects,
        ))
    }

    fn waiting_notice(&self, room: &Room, pos: usize) -> Vec<Effect> {
        let w = &room.waiting[pos];
        let msg = ServerMessage::WaitingRoomJoin {
            user_id: w.user_id.to_string(),
            name: w.name.clone(),
            position: pos + 1,
        };
        // Moderators learn of the knock; the waiting user learns its place.
        vec![
            Effect::Deliver {
                to: Audience::Users(room.moderators()),
                message: msg.clone(),
            },
            Effect::Deliver {
                to: Audience::Connection(w.connection),
                message: msg,
            },
        ]
    }

    fn analytics(
        &self,
        room: &Room,
        user: &UserId,
        event_type: &str,
        now: OffsetDateTime,
        data: serde_json::Map<String, serde_json::Value>,
    ) -> Effect {
        Effect::Analytics(AnalyticsRecord {
            room_id: room.id.to_string(),
            user_id: user.to_string(),
            event_type: event_type.to_owned(),
            data,
            timestamp: now,
        })
    }

    /// Removes `user` if `connection` still speaks for them (a replaced
    /// connection closing must not remove its successor).
    pub fn leave(
        &self,
        room: &mut Room,
        now: OffsetDateTime,
        user: &UserId,
        connection: Option<ConnectionId>,
        reason: LeaveReason,
    ) -> Vec<Effect> {
        let mut effects = Vec::new();
        if let Some(i) = room
            .waiting
            .iter()
            .position(|w| &w.user_id == user && connection.is_none_or(|c| c == w.connection))
        {
            room.waiting.remove(i);
            return effects;
        }
        let Some(i) = room
            .participants
            .iter()
            .position(|p| &p.user_id == user && connection.is_none_or(|c| c == p.connection))
        else {
            return effects;
        };
        let gone = room.participants.remove(i);
        let duration = (now - gone.joined_at).whole_seconds();
        effects.push(deliver(
            everyone(room),
            ServerMessage::UserLeft {
                user_id: user.to_string(),
                reason,
            },
        ));
        if let Some(q) = room.hand_queue.iter().position(|h| &h.user_id == user) {
            room.hand_queue.remove(q);
            effects.push(deliver(
                everyone(room),
                ServerMessage::HandRaiseQueue {
                    queue: room.hand_queue.clone(),
                },
            ));
        }
        if gone.role == Role::Host && !room.participants.iter().any(|p| p.role == Role::Host) {
            // Next moderator by join order, else the oldest participant.
            let next = room
                .participants
                .iter()
                .position(|p| p.role == Role::Moderator)
                .or_else(|| {
                    room.participants
                        .iter()
                        .position(|p| p.role == Role::Participant)
                });
            if let Some(n) = next {
                let p = &mut room.participants[n];
                p.role = Role::Host;
                p.permissions = Permissions::for_role(Role::Host);
                let msg = ServerMessage::RoleUpdated {
                    user_id: p.user_id.to_string(),
                    role: Role::Host,
                    permissions: p.permissions,
                    by: "system".into(),
                };
                effects.push(deliver(everyone(room), msg));
            }
        }
        let mut data = serde_json::Map::new();
        data.insert("duration_seconds".into(), duration.into());
        data.insert(
            "reason".into(),
            serde_json::to_value(reason).unwrap_or_default(),
        );
        effects.push(self.analytics(room, user, "leave", now, data));
        if room.participants.is_empty() {
            // Nobody is left to record: stop what is running so it gets processed.
            for r in room.recordings.iter_mut().filter(|r| r.is_active()) {
                if r.stop(now).is_ok() {
                    effects.push(Effect::StoreRecording(r.clone()));
                }
            }
        }
        effects
    }

    /// A connection dropped without saying goodbye: its participant is shown
    /// as reconnecting and keeps role, hand-raise place and breakout
    /// assignment until [`Engine::grace_expired`]. A waiting user simply
    /// leaves the queue. Nothing happens if `connection` no longer speaks
    /// for the user (it was replaced).
    pub fn connection_lost(
        &self,
        room: &mut Room,
        now: OffsetDateTime,
        user: &UserId,
        connection: ConnectionId,
    ) -> Vec<Effect> {
        if room
            .waiting
            .iter()
            .any(|w| &w.user_id == user && w.connection == connection)
        {
            return self.leave(room, now, user, Some(connection), LeaveReason::Disconnected);
        }
        let Some(p) = room
            .participants
            .iter_mut()
            .find(|p| &p.user_id == user && p.connection == connection)
        else {
            return Vec::new();
        };
        if p.presence == Presence::Reconnecting {
            return Vec::new();
        }
        p.presence = Presence::Reconnecting;
        p.disconnected_at = Some(now);
        vec![deliver(
            all_except(room, user),
            ServerMessage::ParticipantReconnecting {
                user_id: user.to_string(),
            },
        )]
    }

    /// The grace period of a lost connection ended: if the participant did
    /// not come back on a new connection, they leave as `disconnected`.
    pub fn grace_expired(
        &self,
        room: &mut Room,
        now: OffsetDateTime,
        user: &UserId,
        connection: ConnectionId,
    ) -> Vec<Effect> {
        let still_gone = room.participants.iter().any(|p| {
            &p.user_id == user && p.connection == connection && p.presence == Presence::Reconnecting
        });
        if !still_gone {
            return Vec::new();
        }
        self.leave(room, now, user, Some(connection), LeaveReason::Disconnected)
    }

    // ------------------------------------------------------------ checks

    fn member<'r>(&self, room: &'r Room, actor: &Actor) -> Result<&'r Participant, SignalError> {
        if actor.user_id.is_admin() {
            return Ok(admin_participant());
        }
        match room.participant(&actor.user_id) {
            Some(p) if actor.connection.is_none_or(|c| c == p.connection) => Ok(p),
            Some(_) => Err(SignalError::new(
                ErrorCode::SessionReplaced,
                "this connection was replaced",
            )),
            None if room.waiting.iter().any(|w| w.user_id == actor.user_id) => Err(
                SignalError::new(ErrorCode::InWaitingRoom, "wait to be admitted"),
            ),
            None => Err(SignalError::new(
                ErrorCode::UserNotInRoom,
                "you are not in this room",
            )),
        }
    }

    fn moderator<'r>(&self, room: &'r Room, actor: &Actor) -> Result<&'r Participant, SignalError> {
        let p = self.member(room, actor)?;
        if p.role.is_moderator() {
            Ok(p)
        } else {
            Err(SignalError::denied("only a host or moderator may do this"))
        }
    }

    fn peer<'r>(
        &self,
        room: &'r Room,
        from: &Participant,
        target: &UserId,
    ) -> Result<&'r Participant, SignalError> {
        if target == &from.user_id {
            return Err(SignalError::new(
                ErrorCode::InvalidTarget,
                "cannot address yourself",
            ));
        }
        let t = room.participant(target).ok_or_else(|| {
            SignalError::new(
                ErrorCode::UserNotInRoom,
                format!("{target} is not in this room"),
            )
        })?;
        if t.breakout_room_id != from.breakout_room_id {
            return Err(SignalError::new(
                ErrorCode::UserNotInRoom,
                format!("{target} is in another breakout room"),
            ));
        }
        Ok(t)
    }

    /// Size and shape, then every `m=` section that would send media
    /// against the sender's permissions (docs/protocol.md, "Media
    /// permissions in SDP"): audio needs `can_share_audio`; video needs
    /// `can_share_video`, or `can_share_screen` while the sender shares the
    /// screen; a section marked `a=content:slides` needs `can_share_screen`
    /// (and the room allowing it); data channels are always allowed; other
    /// kinds need some publishing permission.
    fn check_sdp(&self, room: &Room, from: &Participant, sdp: &str) -> Result<(), SignalError> {
        if sdp.len() > self.config.max_sdp_bytes {
            return Err(SignalError::new(
                ErrorCode::InvalidSdp,
                format!("SDP over {} bytes", self.config.max_sdp_bytes),
            ));
        }
        if !sdp.starts_with("v=0") {
            return Err(SignalError::new(
                ErrorCode::InvalidSdp,
                "SDP must start with v=0",
            ));
        }
        let parsed = sdp::parse(sdp).map_err(|m| SignalError::new(ErrorCode::InvalidSdp, m))?;
        let p = &from.permissions;
        let screen = p.can_share_screen && room.settings.screen_share_allowed;
        for (i, m) in parsed.media.iter().enumerate() {
            if !m.sends() {
                continue;
            }
            let (allowed, what) = match m.kind.as_str() {
                "application" => (true, ""),
                "audio" => (p.can_share_audio, "audio"),
                "video" if m.slides => (screen, "your screen"),
                "video" => (
                    p.can_share_video || (screen && from.media.screen_sharing),
                    "video",
                ),
                _ => (p.can_publish(), "media"),
            };
            if !allowed {
                return Err(SignalError::new(
                    ErrorCode::MediaNotAllowed,
                    format!(
                        "m={} (media section {}) would send ({}), but you may not share {what}; make it recvonly or inactive",
                        m.kind,
                        i + 1,
                        m.direction
                    ),
                ));
            }
        }
        Ok(())
    }

    fn check_b64(&self, field: &str, v: &str, max: usize) -> Result<(), SignalError> {
        let bad = |m: String| SignalError::new(ErrorCode::InvalidE2eePayload, m);
        if v.len() > max * 4 / 3 + 4 {
            return Err(bad(format!("{field} is larger than {max} bytes")));
        }
        let e = base64::engine::general_purpose::STANDARD
            .decode(v)
            .or_else(|_| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(v))
            .map_err(|_| bad(format!("{field} is not base64")))?;
        if e.is_empty() || e.len() > max {
            return Err(bad(format!("{field} must be 1..={max} bytes")));
        }
        Ok(())
    }

    // ------------------------------------------------------------ messages

    /// Whether handling `msg` never changes the room (relays, chat, reactions).
    /// Callers may then skip writing the room back.
    pub fn is_read_only(msg: &ClientMessage) -> bool {
        matches!(
            msg,
            ClientMessage::Offer(_)
                | ClientMessage::Answer(_)
                | ClientMessage::IceCandidate(_)
                | ClientMessage::ChatMessage(_)
                | ClientMessage::Reaction(_)
                | ClientMessage::E2eeKeyExchange(_)
                | ClientMessage::E2eeRatchetUpdate(_)
                | ClientMessage::AnalyticsEvent(_)
                | ClientMessage::FileShare(..)
                | ClientMessage::Ping(_)
        )
    }

    /// Handles a read-only message (see [`Engine::is_read_only`]).
    pub fn handle_read_only(
        &self,
        room: &Room,
        now: OffsetDateTime,
        actor: &Actor,
        msg: ClientMessage,
    ) -> Result<Vec<Effect>, SignalError> {
        let me = self.member(room, actor)?;
        let from = me.user_id.to_string();
        Ok(match msg {
            ClientMessage::Offer(o) => {
                let t = self.peer(room, me, &o.target)?;
                self.check_sdp(room, me, &o.sdp)?;
                vec![deliver(
                    vec![t.user_id.clone()],
                    ServerMessage::Offer { from, sdp: o.sdp },
                )]
            }
            ClientMessage::Answer(o) => {
                let t = self.peer(room, me, &o.target)?;
                self.check_sdp(room, me, &o.sdp)?;
                vec![deliver(
                    vec![t.user_id.clone()],
                    ServerMessage::Answer { from, sdp: o.sdp },
                )]
            }
            ClientMessage::IceCandidate(c) => {
                let t = self.peer(room, me, &c.target)?;
                let cand = &c.candidate;
                let ok = (cand.candidate.is_empty() || cand.candidate.starts_with("candidate:"))
                    && cand.candidate.len() <= 1024
                    && !cand.candidate.chars().any(char::is_control)
                    && cand.sdp_mid.as_ref().is_none_or(|m| m.len() <= 64)
                    && cand
                        .username_fragment
                        .as_ref()
                        .is_none_or(|u| u.len() <= 256);
                if !ok {
                    return Err(SignalError::new(
                        ErrorCode::InvalidIceCandidate,
                        "malformed ICE candidate",
                    ));
                }
                vec![deliver(
                    vec![t.user_id.clone()],
                    ServerMessage::IceCandidate {
                        from,
                        candidate: c.candidate,
                    },
                )]
            }
            ClientMessage::E2eeKeyExchange(k) => {
                let t = self.peer(room, me, &k.target)?;
                self.check_b64("public_key", &k.public_key, self.config.max_e2ee_key_bytes)?;
                if let Some(s) = &k.signature {
                    self.check_b64("signature", s, 512)?;
                }
                if k.algorithm
                    .as_ref()
                    .is_some_and(|a| a.len() > 64 || !a.bytes().all(|b| b.is_ascii_graphic()))
                {
                    return Err(SignalError::new(
                        ErrorCode::InvalidE2eePayload,
                        "algorithm label is invalid",
                    ));
                }
                vec![deliver(
                    vec![t.user_id.clone()],
                    ServerMessage::E2eeKeyExchange {
                        from,
                        key_id: k.key_id,
                        public_key: k.public_key,
                        signature: k.signature,
                        algorithm: k.algorithm,
                    },
                )]
            }
            ClientMessage::E2eeRatchetUpdate(r) => {
                self.check_b64(
                    "encrypted_key",
                    &r.encrypted_key,
                    self.config.max_e2ee_key_bytes,
                )?;
                let to = match &r.target {
                    Some(t) => vec![self.peer(room, me, t)?.user_id.clone()],
                    None => {
                        let mut g = room.group_members(me.breakout_room_id.as_deref());
                        g.retain(|u| u != &me.user_id);
                        g
                    }
                };
                vec![deliver(
                    to,
                    ServerMessage::E2eeRatchetUpdate {
                        from,
                        key_id: r.key_id,
                        generation: r.generation,
                        encrypted_key: r.encrypted_key,
                    },
                )]
            }
            ClientMessage::ChatMessage(c) => {
                if !room.settings.chat_enabled {
                    return Err(SignalError::new(
                        ErrorCode::ChatDisabled,
                        "chat is disabled in this room",
                    ));
                }
                if !me.permissions.can_chat {
                    return Err(SignalError::denied("you may not chat"));
                }
                let text = sanitize_text(&c.message);
                if text.is_empty() {
                    return Err(SignalError::new(ErrorCode::EmptyMessage, "empty message"));
                }
                if text.chars().count() > self.config.max_chat_chars {
                    return Err(SignalError::new(
                        ErrorCode::MessageTooLong,
                        format!(
                            "messages are limited to {} characters",
                            self.config.max_chat_chars
                        ),
                    ));
                }
                let to = match &c.to {
                    Some(t) => vec![self.peer(room, me, t)?.user_id.clone(), me.user_id.clone()],
                    None => room.group_members(me.breakout_room_id.as_deref()),
                };
                let record = ChatRecord {
                    id: uuid::Uuid::new_v4().to_string(),
                    room_id: room.id.to_string(),
                    from,
                    from_name: me.name.clone(),
                    message: text,
                    to: c.to.map(|u| u.to_string()),
                    breakout_room_id: me.breakout_room_id.clone(),
                    timestamp: now,
                };
                vec![
                    Effect::StoreChat(record.clone()),
                    deliver(to, ServerMessage::ChatMessage(record)),
                ]
            }
            ClientMessage::Reaction(r) => {
                if !me.permissions.can_react {
                    return Err(SignalError::denied("you may not react"));
                }
                let emoji = sanitize_text(&r.emoji);
                if emoji.is_empty() || emoji.chars().count() > 16 {
                    return Err(SignalError::invalid("a reaction is 1 to 16 characters"));
                }
                let to = room.group_members(me.breakout_room_id.as_deref());
                vec![deliver(
                    to,
                    ServerMessage::Reaction {
                        from,
                        emoji,
                        timestamp: now,
                    },
                )]
            }
            ClientMessage::AnalyticsEvent(a) => {
                let name = a.event_type.trim();
                if name.is_empty() || name.len() > 64 || !name.bytes().all(|b| b.is_ascii_graphic())
                {
                    return Err(SignalError::invalid(
                        "event_type must be 1-64 visible ASCII characters",
                    ));
                }
                // Stored per room (up to the analytics cap): a small,
                // fixed size per event keeps a room's history bounded.
                let size = serde_json::to_vec(&a.data).map_or(usize::MAX, |v| v.len());
                if size > MAX_ANALYTICS_DATA_BYTES {
                    return Err(SignalError::new(
                        ErrorCode::MessageTooLarge,
                        format!(
                            "analytics data is {size} bytes; the limit is {MAX_ANALYTICS_DATA_BYTES}"
                        ),
                    ));
                }
                vec![self.analytics(room, &me.user_id, name, now, a.data)]
            }
            ClientMessage::FileShare(ty, f) => {
                let t = self.peer(room, me, &f.target)?;
                if ty == MessageType::FileShareOffer && !me.permissions.can_share_files {
                    return Err(SignalError::denied("you may not share files"));
                }
                if f.transfer_id.is_empty() || f.transfer_id.len() > 128 {
                    return Err(SignalError::invalid("transfer_id must be 1-128 characters"));
                }
                let out = FileShareOut {
                    from,
                    transfer_id: f.transfer_id,
                    bytes_transferred: f.bytes_transferred,
                    transfer: None,
                };
                let msg = match ty {
                    MessageType::FileShareOffer => ServerMessage::FileShareOffer(out),
                    MessageType::FileShareAccept => ServerMessage::FileShareAccept(out),
                    MessageType::FileShareReject => ServerMessage::FileShareReject(out),
                    MessageType::FileShareProgress => ServerMessage::FileShareProgress(out),
                    _ => ServerMessage::FileShareComplete(out),
                };
                vec![deliver(vec![t.user_id.clone()], msg)]
            }
            ClientMessage::Ping(p) => {
                let to = actor
                    .connection
                    .map(Audience::Connection)
                    .unwrap_or(Audience::Users(vec![me.user_id.clone()]));
                vec![Effect::Deliver {
                    to,
                    message: ServerMessage::Pong {
                        ts: p.ts,
                        server_time: now,
                    },
                }]
            }
            other => return self.handle_mut(&mut room.clone(), now, actor, other),
        })
    }

    /// Handles any message, changing `room` where the message calls for it.
    pub fn handle(
        &self,
        room: &mut Room,
        now: OffsetDateTime,
        actor: &Actor,
        msg: ClientMessage,
    ) -> Result<Vec<Effect>, SignalError> {
        if Self::is_read_only(&msg) {
            self.handle_read_only(room, now, actor, msg)
        } else {
            self.handle_mut(room, now, actor, msg)
        }
    }

    fn handle_mut(
        &self,
        room: &mut Room,
        now: OffsetDateTime,
        actor: &Actor,
        msg: ClientMessage,
    ) -> Result<Vec<Effect>, SignalError> {
        let me = self.member(room, actor)?.clone();
        let by = me.user_id.to_string();
        match msg {
            ClientMessage::MediaControl(m) => {
                self.media_control(room, &me, m.kind, m.muted, m.target.as_ref())
            }
            ClientMessage::ScreenShareControl(s) => {
                let target = s.target.clone().unwrap_or_else(|| me.user_id.clone());
                let other = target != me.user_id;
                if other && !(me.role.is_moderator() && s.action == StartStop::Stop) {
                    return Err(SignalError::denied(
                        "only moderators may stop someone else's screen share",
                    ));
                }
                if s.action == StartStop::Start
                    && (!room.settings.screen_share_allowed || !me.permissions.can_share_screen)
                {
                    return Err(SignalError::new(
                        ErrorCode::ScreenShareNotAllowed,
                        "screen sharing is not allowed",
                    ));
                }
                let p = room.participant_mut(&target).ok_or_else(|| {
                    SignalError::new(
                        ErrorCode::UserNotInRoom,
                        format!("{target} is not in this room"),
                    )
                })?;
                p.media.screen_sharing = s.action == StartStop::Start;
                let msg = ServerMessage::ScreenShareControl {
                    user_id: target.to_string(),
                    active: p.media.screen_sharing,
                    by,
                };
                Ok(vec![deliver(everyone(room), msg)])
            }
            ClientMessage::HandRaise(h) => {
                self.hand_raise(room, now, &me, h.raised, h.target.as_ref())
            }
            ClientMessage::ParticipantUpdate(u) => {
                let max = self.config.max_name_chars;
                let p = room.participant_mut(&me.user_id).expect("member");
                if let Some(n) = u.display_name {
                    let n = sanitize_name(&n, max);
                    if n.is_empty() {
                        return Err(SignalError::invalid("display_name is empty"));
                    }
                    p.name = n;
                }
                if let Some(d) = u.device_info {
                    let f = |s: Option<String>| s.map(|s| sanitize_name(&s, max));
                    p.device_info = Some(DeviceInfo {
                        browser: f(d.browser),
                        os: f(d.os),
                        device_type: f(d.device_type),
                    });
                }
                if let Some(q) = u.video_quality {
                    p.video_quality = Some(sanitize_name(&q, 16));
                }
                if let Some(s) = u.network_stats {
                    p.network_stats = Some(s);
                }
                let view = p.clone();
                Ok(vec![deliver(
                    everyone(room),
                    ServerMessage::ParticipantUpdate { participant: view },
                )])
            }
            ClientMessage::NetworkStats(n) => {
                let p = room.participant_mut(&me.user_id).expect("member");
                let before = p.network_stats.as_ref().map(classify_quality);
                p.network_stats = Some(n.stats);
                let quality = classify_quality(&n.stats);
                // Share only changes of class, not every report.
                if before == Some(quality) {
                    return Ok(Vec::new());
                }
                let msg = ServerMessage::QualityUpdate {
                    user_id: by,
                    quality: quality.into(),
                    stats: n.stats,
                };
                Ok(vec![deliver(everyone(room), msg)])
            }
            ClientMessage::RoomSettingsUpdate(patch) => self.update_settings(room, &me, patch),
            ClientMessage::WaitingRoomAdmit(t) => self.admit(room, now, &me, &t.user_id),
            ClientMessage::WaitingRoomReject(t) => self.reject(room, &me, &t.user_id),
            ClientMessage::BreakoutRoomCreate(b) => self
                .breakout_create(room, now, &me, &b.name)
                .map(|(_, e)| e),
            ClientMessage::BreakoutRoomAssign(a) => {
                self.breakout_assign(room, &me, &a.user_id, a.breakout_room_id.as_deref())
            }
            ClientMessage::BreakoutRoomClose(b) => {
                self.breakout_close(room, &me, &b.breakout_room_id)
            }
            ClientMessage::VirtualBackgroundUpdate(v) => {
                if v.background
                    .image
                    .as_ref()
                    .is_some_and(|i| i.len() > 512 || i.chars().any(char::is_control))
                {
                    return Err(SignalError::invalid(
                        "image reference must be at most 512 characters",
                    ));
                }
                let p = room.participant_mut(&me.user_id).expect("member");
                p.background = Some(v.background.clone());
                let msg = ServerMessage::VirtualBackgroundUpdate {
                    user_id: by,
                    background: v.background,
                };
                Ok(vec![deliver(everyone(room), msg)])
            }
            ClientMessage::LiveStreamStart(s) => {
                self.stream_start(room, now, &me, s).map(|(_, e)| e)
            }
            ClientMessage::LiveStreamStop(s) => self
                .stream_stop(room, now, &me, &s.stream_id)
                .map(|(_, e)| e),
            ClientMessage::RecordingControl(r) => {
                self.recording_control(room, now, &me, r).map(|(_, e)| e)
            }
            other => self.handle_read_only(room, now, actor, other),
        }
    }

    // ------------------------------------------------------------ operations shared with REST

    /// Mutes or unmutes. Anyone may change their own media within their
    /// permissions; moderators may mute (never unmute) others.
    pub fn media_control(
        &self,
        room: &mut Room,
        me: &Participant,
        kind: MediaKind,
        muted: bool,
        target: Option<&UserId>,
    ) -> Result<Vec<Effect>, SignalError> {
        let target = target.cloned().unwrap_or_else(|| me.user_id.clone());
        if target != me.user_id {
            if !me.role.is_moderator() {
                return Err(SignalError::denied("only moderators may mute others"));
            }
            if !muted {
                return Err(SignalError::denied(
                    "others can only be muted; they unmute themselves",
                ));
            }
        } else if !muted {
            let allowed = match kind {
                MediaKind::Audio => me.permissions.can_share_audio,
                MediaKind::Video => me.permissions.can_share_video,
            };
            if !allowed {
                return Err(SignalError::new(
                    ErrorCode::MediaNotAllowed,
                    "you may not publish this media",
                ));
            }
        }
        let p = room.participant_mut(&target).ok_or_else(|| {
            SignalError::new(
                ErrorCode::UserNotInRoom,
                format!("{target} is not in this room"),
            )
        })?;
        match kind {
            MediaKind::Audio => p.media.audio_muted = muted,
            MediaKind::Video => p.media.video_muted = muted,
        }
        let msg = ServerMessage::MediaControl {
            user_id: target.to_string(),
            kind,
            muted,
            by: me.user_id.to_string(),
        };
        Ok(vec![deliver(everyone(room), msg)])
    }

    /// Mutes everyone's microphone except the moderator's own.
    pub fn mute_all(&self, room: &mut Room, actor: &Actor) -> Result<Vec<Effect>, SignalError> {
        let me = self.moderator(room, actor)?.clone();
        let mut effects = Vec::new();
        let targets: Vec<UserId> = room
            .participants
            .iter()
            .filter(|p| p.user_id != me.user_id && !p.media.audio_muted)
            .map(|p| p.user_id.clone())
            .collect();
        for t in targets {
            effects.extend(self.media_control(room, &me, MediaKind::Audio, true, Some(&t))?);
        }
        Ok(effects)
    }

    /// Raises or lowers a hand. The queue is first come, first served;
    /// moderators may lower anyone's hand.
    pub fn hand_raise(
        &self,
        room: &mut Room,
        now: OffsetDateTime,
        me: &Participant,
        raised: bool,
        target: Option<&UserId>,
    ) -> Result<Vec<Effect>, SignalError> {
        let target = target.cloned().unwrap_or_else(|| me.user_id.clone());
        if target != me.user_id && (raised || !me.role.is_moderator()) {
            return Err(SignalError::denied(
                "only moderators may lower someone else's hand",
            ));
        }
        if raised && !me.permissions.can_raise_hand {
            return Err(SignalError::denied("you may not raise your hand"));
        }
        if room.participant(&target).is_none() {
            return Err(SignalError::new(
                ErrorCode::UserNotInRoom,
                format!("{target} is not in this room"),
            ));
        }
        let pos = room.hand_queue.iter().position(|h| h.user_id == target);
        match (raised, pos) {
            (true, None) => room.hand_queue.push(HandRaiseEntry {
                user_id: target.clone(),
                raised_at: now,
            }),
            (false, Some(i)) => {
                room.hand_queue.remove(i);
            }
            // Idempotent: raising a raised hand keeps its place.
            _ => return Ok(Vec::new()),
        }
        let all = everyone(room);
        Ok(vec![
            deliver(
                all.clone(),
                ServerMessage::HandRaise {
                    user_id: target.to_string(),
                    raised,
                    by: me.user_id.to_string(),
                },
            ),
            deliver(
                all,
                ServerMessage::HandRaiseQueue {
                    queue: room.hand_queue.clone(),
                },
            ),
        ])
    }

    /// Lowers every hand (moderators).
    pub fn lower_all_hands(
        &self,
        room: &mut Room,
        actor: &Actor,
    ) -> Result<Vec<Effect>, SignalError> {
        let me = self.moderator(room, actor)?;
        let by = me.user_id.to_string();
        let all = everyone(room);
        let mut effects: Vec<Effect> = room
            .hand_queue
            .drain(..)
            .map(|h| {
                deliver(
                    all.clone(),
                    ServerMessage::HandRaise {
                        user_id: h.user_id.to_string(),
                        raised: false,
                        by: by.clone(),
                    },
                )
            })
            .collect();
        effects.push(deliver(
            all,
            ServerMessage::HandRaiseQueue { queue: Vec::new() },
        ));
        Ok(effects)
    }

    /// Changes settings (moderators).
    pub fn update_settings(
        &self,
        room: &mut Room,
        me: &Participant,
        patch: RoomSettingsPatch,
    ) -> Result<Vec<Effect>, SignalError> {
        if !me.role.is_moderator() {
            return Err(SignalError::denied(
                "only a host or moderator may change settings",
            ));
        }
        let s = &mut room.settings;
        if let Some(m) = patch.max_participants {
            if m == 0 || m > 10_000 {
                return Err(SignalError::invalid("max_participants must be 1..=10000"));
            }
            s.max_participants = m;
        }
        macro_rules! set { ($($f:ident),*) => { $( if let Some(v) = patch.$f { s.$f = v; } )* } }
        set!(
            locked,
            mute_on_entry,
            waiting_room_enabled,
            chat_enabled,
            screen_share_allowed
        );
        let settings = *s;
        Ok(vec![deliver(
            everyone(room),
            ServerMessage::RoomSettingsUpdate {
                settings,
                by: me.user_id.to_string(),
            },
        )])
    }

    /// Sets settings as a REST actor.
    pub fn update_settings_as(
        &self,
        room: &mut Room,
        actor: &Actor,
        patch: RoomSettingsPatch,
    ) -> Result<Vec<Effect>, SignalError> {
        let me = self.member(room, actor)?.clone();
        self.update_settings(room, &me, patch)
    }

    /// Admits a waiting user into the room (moderators).
    pub fn admit(
        &self,
        room: &mut Room,
        now: OffsetDateTime,
        me: &Participant,
        user: &UserId,
    ) -> Result<Vec<Effect>, SignalError> {
        if !me.role.is_moderator() {
            return Err(SignalError::denied("only a host or moderator may admit"));
        }
        let i = room
            .waiting
            .iter()
            .position(|w| &w.user_id == user)
            .ok_or_else(|| {
                SignalError::new(
                    ErrorCode::NotInWaitingRoom,
                    format!("{user} is not waiting"),
                )
            })?;
        if room.participants.len() >= room.settings.max_participants as usize {
            return Err(SignalError::new(ErrorCode::RoomFull, "the room is full"));
        }
        let w = room.waiting.remove(i);
        room.admitted.push(w.user_id.clone());
        let by = me.user_id.to_string();
        let mut effects = vec![
            Effect::Deliver {
                to: Audience::Connection(w.connection),
                message: ServerMessage::WaitingRoomAdmit {
                    user_id: w.user_id.to_string(),
                    by: by.clone(),
                },
            },
            deliver(
                room.moderators(),
                ServerMessage::WaitingRoomAdmit {
                    user_id: w.user_id.to_string(),
                    by,
                },
            ),
        ];
        let req = JoinRequest {
            user_id: w.user_id.clone(),
            name: Some(w.name),
            role: None,
            permissions: None,
            connection: w.connection,
        };
        let (outcome, more) = self.join(room, now, req)?;
        if let JoinOutcome::Joined { state, .. } = outcome {
            effects.push(Effect::Deliver {
                to: Audience::Connection(w.connection),
                message: ServerMessage::RoomState(*state),
            });
        }
        effects.extend(more);
        Ok(effects)
    }

    /// Admits everyone waiting, in order, as far as capacity allows.
    pub fn admit_all(
        &self,
        room: &mut Room,
        now: OffsetDateTime,
        actor: &Actor,
    ) -> Result<Vec<Effect>, SignalError> {
        let me = self.moderator(room, actor)?.clone();
        let mut effects = Vec::new();
        let waiting: Vec<UserId> = room.waiting.iter().map(|w| w.user_id.clone()).collect();
        for u in waiting {
            match self.admit(room, now, &me, &u) {
                Ok(e) => effects.extend(e),
                Err(e) if e.code == ErrorCode::RoomFull => break,
                Err(e) => return Err(e),
            }
        }
        Ok(effects)
    }

    /// Rejects a waiting user (moderators); their connection is closed.
    pub fn reject(
        &self,
        room: &mut Room,
        me: &Participant,
        user: &UserId,
    ) -> Result<Vec<Effect>, SignalError> {
        if !me.role.is_moderator() {
            return Err(SignalError::denied("only a host or moderator may reject"));
        }
        let i = room
            .waiting
            .iter()
            .position(|w| &w.user_id == user)
            .ok_or_else(|| {
                SignalError::new(
                    ErrorCode::NotInWaitingRoom,
                    format!("{user} is not waiting"),
                )
            })?;
        let w = room.waiting.remove(i);
        let by = me.user_id.to_string();
        Ok(vec![
            Effect::Deliver {
                to: Audience::Connection(w.connection),
                message: ServerMessage::WaitingRoomReject {
                    user_id: w.user_id.to_string(),
                    by: by.clone(),
                },
            },
            deliver(
                room.moderators(),
                ServerMessage::WaitingRoomReject {
                    user_id: w.user_id.to_string(),
                    by,
                },
            ),
            Effect::Disconnect {
                connection: w.connection,
                code: ErrorCode::WaitingRoomRejected,
            },
        ])
    }

    /// Sends a participant back to the waiting room (moderators).
    pub fn send_to_waiting_room(
        &self,
        room: &mut Room,
        now: OffsetDateTime,
        actor: &Actor,
        user: &UserId,
    ) -> Result<Vec<Effect>, SignalError> {
        let me = self.moderator(room, actor)?.clone();
        let target = room
            .participant(user)
            .ok_or_else(|| {
                SignalError::new(
                    ErrorCode::UserNotInRoom,
                    format!("{user} is not in this room"),
                )
            })?
            .clone();
        if target.role.rank() < me.role.rank() {
            return Err(SignalError::denied("cannot move a more privileged user"));
        }
        let mut effects = self.leave(
            room,
            now,
            user,
            Some(target.connection),
            LeaveReason::MovedToWaitingRoom,
        );
        room.waiting.push(WaitingEntry {
            user_id: target.user_id.clone(),
            name: target.name,
            connection: target.connection,
            since: now,
        });
        let pos = room.waiting.len() - 1;
        effects.extend(self.waiting_notice(room, pos));
        Ok(effects)
    }

    /// Creates a breakout room (moderators).
    pub fn breakout_create(
        &self,
        room: &mut Room,
        now: OffsetDateTime,
        me: &Participant,
        name: &str,
    ) -> Result<(BreakoutRoom, Vec<Effect>), SignalError> {
        if !me.role.is_moderator() {
            return Err(SignalError::denied(
                "only a host or moderator may create breakout rooms",
            ));
        }
        if room.breakout_rooms.len() >= self.config.max_breakout_rooms {
            return Err(SignalError::new(
                ErrorCode::BreakoutLimitReached,
                "too many breakout rooms",
            ));
        }
        let name = sanitize_name(name, self.config.max_name_chars);
        if name.is_empty() {
            return Err(SignalError::invalid("name is empty"));
        }
        let b = BreakoutRoom {
            id: room.local_id("br"),
            name,
            created_at: now,
        };
        room.breakout_rooms.push(b.clone());
        Ok((
            b.clone(),
            vec![deliver(
                everyone(room),
                ServerMessage::BreakoutRoomCreate { breakout_room: b },
            )],
        ))
    }

    /// Moves a participant into a breakout room, or back (`None`).
    pub fn breakout_assign(
        &self,
        room: &mut Room,
        me: &Participant,
        user: &UserId,
        breakout: Option<&str>,
    ) -> Result<Vec<Effect>, SignalError> {
        if !me.role.is_moderator() {
            return Err(SignalError::denied(
                "only a host or moderator may assign breakout rooms",
            ));
        }
        if let Some(b) = breakout
            && !room.breakout_rooms.iter().any(|r| r.id == b)
        {
            return Err(SignalError::new(
                ErrorCode::BreakoutRoomNotFound,
                format!("no breakout room {b}"),
            ));
        }
        let p = room.participant_mut(user).ok_or_else(|| {
            SignalError::new(
                ErrorCode::UserNotInRoom,
                format!("{user} is not in this room"),
            )
        })?;
        p.breakout_room_id = breakout.map(str::to_owned);
        let msg = ServerMessage::BreakoutRoomAssign {
            user_id: user.to_string(),
            breakout_room_id: breakout.map(str::to_owned),
        };
        Ok(vec![deliver(everyone(room), msg)])
    }

    /// Closes a breakout room; everyone in it returns to the main room.
    pub fn breakout_close(
        &self,
        room: &mut Room,
        me: &Participant,
        id: &str,
    ) -> Result<Vec<Effect>, SignalError> {
        if !me.role.is_moderator() {
            return Err(SignalError::denied(
                "only a host or moderator may close breakout rooms",
            ));
        }
        let i = room
            .breakout_rooms
            .iter()
            .position(|r| r.id == id)
            .ok_or_else(|| {
                SignalError::new(
                    ErrorCode::BreakoutRoomNotFound,
                    format!("no breakout room {id}"),
                )
            })?;
        room.breakout_rooms.remove(i);
        let mut returned = Vec::new();
        for p in room
            .participants
            .iter_mut()
            .filter(|p| p.breakout_room_id.as_deref() == Some(id))
        {
            p.breakout_room_id = None;
            returned.push(p.user_id.to_string());
        }
        Ok(vec![deliver(
            everyone(room),
            ServerMessage::BreakoutRoomClose {
                breakout_room_id: id.to_owned(),
                returned,
            },
        )])
    }

    /// Starts, stops, pauses, resumes or cancels the room's recording (needs
    /// `can_record`; one active recording per room), or reports one to the
    /// asker (any member). Wrong transitions give `INVALID_STATE_TRANSITION`.
    pub fn recording_control(
        &self,
        room: &mut Room,
        now: OffsetDateTime,
        me: &Participant,
        req: RecordingControlReq,
    ) -> Result<(RecordingView, Vec<Effect>), SignalError> {
        let t = now;
        if req.action != RecordingAction::Status && !me.permissions.can_record {
            return Err(SignalError::denied("you may not control recordings"));
        }
        if req.action == RecordingAction::Start {
            if room.recordings.iter().any(|r| r.is_active()) {
                return Err(SignalError::new(
                    ErrorCode::RecordingAlreadyActive,
                    "a recording is already running in this room",
                ));
            }
            // The service names it after the slot it took; else a new id.
            let id = req
                .recording_id
                .clone()
                .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
            let r = recording::Recording::start(
                id,
                room.id.to_string(),
                me.user_id.to_string(),
                req.format.unwrap_or(recording::Format::Webm),
                req.quality.unwrap_or(recording::Quality::Medium),
                t,
            );
            room.recordings.push(r.clone());
            let view = RecordingView::of(&r, t);
            let msg = ServerMessage::RecordingStarted {
                recording: view.clone(),
            };
            return Ok((
                view,
                vec![deliver(everyone(room), msg), Effect::StoreRecording(r)],
            ));
        }
        let id = req
            .recording_id
            .as_deref()
            .ok_or_else(|| SignalError::invalid("recording_id is required"))?;
        let r = room
            .recordings
            .iter_mut()
            .find(|r| r.recording_id == id)
            .ok_or_else(|| {
                SignalError::new(ErrorCode::RecordingNotFound, format!("no recording {id}"))
            })?;
        if req.action != RecordingAction::Status
            && r.started_by != me.user_id.as_str()
            && me.role != Role::Host
        {
            return Err(SignalError::denied(
                "only who started the recording, or a host, may control it",
            ));
        }
        let transition = match req.action {
            RecordingAction::Stop => r.stop(t),
            RecordingAction::Pause => r.pause(t),
            RecordingAction::Resume => r.resume(t),
            RecordingAction::Cancel => r.cancel(t),
            RecordingAction::Start | RecordingAction::Status => Ok(()),
        };
        transition
            .map_err(|e| SignalError::new(ErrorCode::InvalidStateTransition, e.to_string()))?;
        let r = r.clone();
        let view = RecordingView::of(&r, t);
        let recording = view.clone();
        let (msg, to) = match req.action {
            RecordingAction::Stop => (
                ServerMessage::RecordingStopped { recording },
                everyone(room),
            ),
            RecordingAction::Pause => {
                (ServerMessage::RecordingPaused { recording }, everyone(room))
            }
            RecordingAction::Resume => (
                ServerMessage::RecordingResumed { recording },
                everyone(room),
            ),
            RecordingAction::Cancel => (
                ServerMessage::RecordingCancelled { recording },
                everyone(room),
            ),
            RecordingAction::Start | RecordingAction::Status => (
                ServerMessage::RecordingStatus { recording },
                vec![me.user_id.clone()],
            ),
        };
        let mut effects = vec![deliver(to, msg)];
        if req.action != RecordingAction::Status {
            effects.push(Effect::StoreRecording(r));
        }
        Ok((view, effects))
    }

    /// Stops a running recording that reached the maximum duration.
    pub fn recording_time_limit(
        &self,
        room: &mut Room,
        now: OffsetDateTime,
        id: &str,
    ) -> Vec<Effect> {
        let Some(r) = room
            .recordings
            .iter_mut()
            .find(|r| r.recording_id == id && r.is_active())
        else {
            return Vec::new();
        };
        if r.stop(now).is_err() {
            return Vec::new();
        }
        let r = r.clone();
        let recording = RecordingView::of(&r, now);
        vec![
            deliver(
                everyone(room),
                ServerMessage::RecordingStopped { recording },
            ),
            Effect::StoreRecording(r),
        ]
    }

    /// Checks that `actor` may upload media for recording `id` now: a
    /// member who may publish, while the recording runs (not while paused).
    pub fn check_recording_upload(
        &self,
        room: &Room,
        actor: &Actor,
        id: &str,
    ) -> Result<recording::Recording, SignalError> {
        let me = self.member(room, actor)?;
        if !me.permissions.can_publish() {
            return Err(SignalError::new(
                ErrorCode::MediaNotAllowed,
                "viewers do not upload media",
            ));
        }
        let r = room
            .recordings
            .iter()
            .find(|r| r.recording_id == id)
            .ok_or_else(|| {
                SignalError::new(ErrorCode::RecordingNotFound, format!("no recording {id}"))
            })?;
        if r.status != recording::RecordingStatus::Recording {
            return Err(SignalError::new(
                ErrorCode::InvalidStateTransition,
                format!(
                    "the recording is {:?}; media is accepted only while it records",
                    r.status
                ),
            ));
        }
        Ok(r.clone())
    }

    /// Starts a live-stream session (moderators); one at a time.
    pub fn stream_start(
        &self,
        room: &mut Room,
        now: OffsetDateTime,
        me: &Participant,
        req: LiveStreamStartReq,
    ) -> Result<(LiveStream, Vec<Effect>), SignalError> {
        if !me.role.is_moderator() {
            return Err(SignalError::denied(
                "only a host or moderator may start a live stream",
            ));
        }
        if room.live_streams.iter().any(|s| s.stopped_at.is_none()) {
            return Err(SignalError::new(
                ErrorCode::StreamAlreadyActive,
                "a live stream is already running",
            ));
        }
        let max = self.config.max_name_chars;
        let s = LiveStream {
            stream_id: room.local_id("ls"),
            title: req.title.map(|t| sanitize_name(&t, 128)),
            platform: req.platform.map(|p| sanitize_name(&p, max)),
            started_by: me.user_id.clone(),
            started_at: now,
            stopped_at: None,
        };
        room.live_streams.push(s.clone());
        Ok((
            s.clone(),
            vec![deliver(
                everyone(room),
                ServerMessage::LiveStreamStart { stream: s },
            )],
        ))
    }

    /// Stops a live-stream session (moderators).
    pub fn stream_stop(
        &self,
        room: &mut Room,
        now: OffsetDateTime,
        me: &Participant,
        id: &str,
    ) -> Result<(LiveStream, Vec<Effect>), SignalError> {
        if !me.role.is_moderator() {
            return Err(SignalError::denied(
                "only a host or moderator may stop a live stream",
            ));
        }
        let s = room
            .live_streams
            .iter_mut()
            .find(|s| s.stream_id == id)
            .ok_or_else(|| {
                SignalError::new(ErrorCode::StreamNotFound, format!("no live stream {id}"))
            })?;
        if s.stopped_at.is_some() {
            return Err(SignalError::new(
                ErrorCode::InvalidStateTransition,
                "the stream already stopped",
            ));
        }
        s.stopped_at = Some(now);
        let s = s.clone();
        Ok((
            s.clone(),
            vec![deliver(
                everyone(room),
                ServerMessage::LiveStreamStop { stream: s },
            )],
        ))
    }

    /// Changes a participant's role. Hosts may set any role; moderators may
    /// set participant or viewer on non-moderators. A room keeps a host.
    pub fn set_role(
        &self,
        room: &mut Room,
        actor: &Actor,
        user: &UserId,
        role: Role,
    ) -> Result<Vec<Effect>, SignalError> {
        let me = self.moderator(room, actor)?.clone();
        let target = room
            .participant(user)
            .ok_or_else(|| {
                SignalError::new(
                    ErrorCode::UserNotInRoom,
                    format!("{user} is not in this room"),
                )
            })?
            .clone();
        if me.role != Role::Host && (role.is_moderator() || target.role.is_moderator()) {
            return Err(SignalError::new(
                ErrorCode::RoleChangeNotAllowed,
                "only a host may grant or remove moderation",
            ));
        }
        if target.role == Role::Host
            && role != Role::Host
            && room
                .participants
                .iter()
                .filter(|p| p.role == Role::Host)
                .count()
                == 1
        {
            return Err(SignalError::new(
                ErrorCode::RoleChangeNotAllowed,
                "the room must keep a host; promote another first",
            ));
        }
        let p = room.participant_mut(user).expect("checked");
        p.role = role;
        p.permissions = Permissions::for_role(role);
        if !p.permissions.can_share_screen {
            p.media.screen_sharing = false;
        }
        let msg = ServerMessage::RoleUpdated {
            user_id: user.to_string(),
            role,
            permissions: p.permissions,
            by: me.user_id.to_string(),
        };
        Ok(vec![deliver(everyone(room), msg)])
    }

    /// Changes a participant's permissions (moderators; not on more privileged users).
    pub fn set_permissions(
        &self,
        room: &mut Room,
        actor: &Actor,
        user: &UserId,
        patch: &PermissionsPatch,
    ) -> Result<Vec<Effect>, SignalError> {
        let me = self.moderator(room, actor)?.clone();
        let p = room.participant_mut(user).ok_or_else(|| {
            SignalError::new(
                ErrorCode::UserNotInRoom,
                format!("{user} is not in this room"),
            )
        })?;
        if p.role.rank() < me.role.rank() {
            return Err(SignalError::denied(
                "cannot change a more privileged user's permissions",
            ));
        }
        p.permissions = p.permissions.apply(patch);
        let msg = ServerMessage::PermissionUpdated {
            user_id: user.to_string(),
            permissions: p.permissions,
            by: me.user_id.to_string(),
        };
        Ok(vec![deliver(everyone(room), msg)])
    }

    /// Removes a participant (moderators), optionally banning them.
    pub fn kick(
        &self,
        room: &mut Room,
        now: OffsetDateTime,
        actor: &Actor,
        user: &UserId,
        ban: bool,
    ) -> Result<Vec<Effect>, SignalError> {
        let me = self.moderator(room, actor)?.clone();
        if let Some(t) = room.participant(user) {
            if t.role.rank() < me.role.rank() {
                return Err(SignalError::denied("cannot remove a more privileged user"));
            }
            let conn = t.connection;
            let reason = if ban {
                LeaveReason::Banned
            } else {
                LeaveReason::Kicked
            };
            let mut effects = self.leave(room, now, user, None, reason);
            effects.push(Effect::Disconnect {
                connection: conn,
                code: if ban {
                    ErrorCode::UserBanned
                } else {
                    ErrorCode::Kicked
                },
            });
            if ban && !room.banned.contains(user) {
                room.banned.push(user.clone());
            }
            Ok(effects)
        } else if ban {
            if !room.banned.contains(user) {
                room.banned.push(user.clone());
            }
            Ok(Vec::new())
        } else {
            Err(SignalError::new(
                ErrorCode::UserNotInRoom,
                format!("{user} is not in this room"),
            ))
        }
    }

    /// Updates a participant's info via REST (self, or moderators for anyone).
    pub fn update_info(
        &self,
        room: &mut Room,
        now: OffsetDateTime,
        actor: &Actor,
        user: &UserId,
        req: ParticipantUpdateReq,
    ) -> Result<Vec<Effect>, SignalError> {
        let me = self.member(room, actor)?.clone();
        if &me.user_id != user {
            return Err(SignalError::denied("you may update only your own info"));
        }
        self.handle_mut(room, now, actor, ClientMessage::ParticipantUpdate(req))
    }

    /// The acting participant, for REST handlers that need the member check only.
    pub fn require_member<'r>(
        &self,
        room: &'r Room,
        actor: &Actor,
    ) -> Result<&'r Participant, SignalError> {
        self.member(room, actor)
    }

    /// The acting participant, who must be a moderator.
    pub fn require_moderator<'r>(
        &self,
        room: &'r Room,
        actor: &Actor,
    ) -> Result<&'r Participant, SignalError> {
        self.moderator(room, actor)
    }
}

#[cfg(test)]
mod tests {
    //! Deterministic driver: a room, a fixed clock, inputs in, effects out.
    use super::*;
    use crate::RoomId;
    use time::macros::datetime;

    const T0: OffsetDateTime = datetime!(2026-01-01 00:00 UTC);

    struct Driver {
        engine: Engine,
        room: Room,
        now: OffsetDateTime,
        conns: std::collections::HashMap<String, ConnectionId>,
    }

    fn uid(s: &str) -> UserId {
        UserId::parse(s).unwrap()
    }

    impl Driver {
        fn new(capacity: u32) -> Self {
            let mut config = RoomConfig::default();
            config.default_settings.max_participants = capacity;
            let engine = Engine::new(config);
            let room = engine.new_room(RoomId::parse("r").unwrap(), T0);
            Driver {
                engine,
                room,
                now: T0,
                conns: Default::default(),
            }
        }

        fn join_as(
            &mut self,
            user: &str,
            role: Option<Role>,
        ) -> Result<(JoinOutcome, Vec<Effect>), SignalError> {
            self.now += time::Duration::seconds(1);
            let c = ConnectionId::new();
            self.conns.insert(user.into(), c);
            self.engine.join(
                &mut self.room,
                self.now,
                JoinRequest {
                    user_id: uid(user),
                    name: None,
                    role,
                    permissions: None,
                    connection: c,
                },
            )
        }

        fn join(&mut self, user: &str) -> Result<(JoinOutcome, Vec<Effect>), SignalError> {
            self.join_as(user, None)
        }

        fn actor(&self, user: &str) -> Actor {
            Actor {
                user_id: uid(user),
                connection: self.conns.get(user).copied(),
            }
        }

        fn send(&mut self, user: &str, json: &str) -> Result<Vec<Effect>, SignalError> {
            self.now += time::Duration::seconds(1);
            let msg = crate::protocol::decode(json).unwrap();
            let a = self.actor(user);
            self.engine.handle(&mut self.room, self.now, &a, msg)
        }

        fn role(&self, user: &str) -> Role {
            self.room.participant(&uid(user)).unwrap().role
        }
    }

    fn delivered_to(effects: &[Effect], ty: &str) -> Vec<Vec<String>> {
        effects
            .iter()
            .filter_map(|e| match e {
                Effect::Deliver {
                    to: Audience::Users(u),
                    message,
                } if message.to_json().contains(&format!("\"type\":\"{ty}\"")) => {
                    Some(u.iter().map(|u| u.to_string()).collect())
                }
                _ => None,
            })
            .collect()
    }

    #[test]
    fn first_joiner_hosts_and_capacity_is_never_exceeded() {
        let mut d = Driver::new(3);
        d.join("a").unwrap();
        assert_eq!(d.role("a"), Role::Host);
        d.join("b").unwrap();
        d.join("c").unwrap();
        assert_eq!(d.join("d").unwrap_err().code, ErrorCode::RoomFull);
        assert_eq!(d.room.participants.len(), 3);
        assert_eq!(d.role("b"), Role::Participant);
    }

    #[test]
    fn host_leaving_promotes_next_moderator_else_oldest() {
        let mut d = Driver::new(10);
        d.join("a").unwrap();
        d.join("b").unwrap();
        d.join_as("m", Some(Role::Moderator)).unwrap();
        let e = d
            .engine
            .leave(&mut d.room, d.now, &uid("a"), None, LeaveReason::Left);
        assert_eq!(
            d.role("m"),
            Role::Host,
            "moderator before older participant"
        );
        assert_eq!(delivered_to(&e, "role-updated").len(), 1);
        d.engine
            .leave(&mut d.room, d.now, &uid("m"), None, LeaveReason::Left);
        assert_eq!(d.role("b"), Role::Host);
    }

    #[test]
    fn stale_connection_cannot_remove_its_successor() {
        let mut d = Driver::new(10);
        d.join("a").unwrap();
        let old = d.conns["a"];
        let (_, e) = d.join("a").unwrap();
        assert!(e.contains(&Effect::Disconnect {
            connection: old,
            code: ErrorCode::SessionReplaced
        }));
        assert!(
            d.engine
                .leave(&mut d.room, d.now, &uid("a"), Some(old), LeaveReason::Left)
                .is_empty()
        );
        assert!(d.room.participant(&uid("a")).is_some());
    }

    #[test]
    fn relay_goes_only_to_the_target_and_requires_membership() {
        let mut d = Driver::new(10);
        d.join("a").unwrap();
        d.join("b").unwrap();
        d.join("c").unwrap();
        let e = d
            .send("a", r#"{"type":"offer","target":"b","sdp":"v=0\r\n"}"#)
            .unwrap();
        assert_eq!(delivered_to(&e, "offer"), vec![vec!["b".to_string()]]);
        assert_eq!(
            d.send("a", r#"{"type":"offer","target":"z","sdp":"v=0"}"#)
                .unwrap_err()
                .code,
            ErrorCode::UserNotInRoom
        );
        d.conns.insert("x".into(), ConnectionId::new());
        assert_eq!(
            d.send("x", r#"{"type":"ping"}"#).unwrap_err().code,
            ErrorCode::UserNotInRoom
        );
    }

    #[test]
    fn viewers_may_only_receive_media() {
        let mut d = Driver::new(10);
        d.join("a").unwrap();
        d.join_as("v", Some(Role::Viewer)).unwrap();
        let send = "v=0\r\nm=video 9 UDP 96\r\na=sendrecv\r\n";
        let recv = "v=0\r\nm=video 9 UDP 96\r\na=recvonly\r\n";
        assert_eq!(
            d.send("v", &sdp_msg("answer", send)).unwrap_err().code,
            ErrorCode::MediaNotAllowed
        );
        assert!(d.send("v", &sdp_msg("answer", recv)).is_ok());
        assert_eq!(
            d.send(
                "v",
                r#"{"type":"media-control","kind":"audio","muted":false}"#
            )
            .unwrap_err()
            .code,
            ErrorCode::MediaNotAllowed
        );
    }

    fn sdp_msg(ty: &str, sdp: &str) -> String {
        sdp_to(ty, "a", sdp)
    }

    fn sdp_to(ty: &str, target: &str, sdp: &str) -> String {
        format!(
            r#"{{"type":"{ty}","target":"{target}","sdp":{}}}"#,
            serde_json::to_string(sdp).unwrap()
        )
    }

    /// Outcome of an offer and of an answer with `sdp` from `user`: `None`
    /// when relayed, else the error's code and message.
    fn try_sdp(d: &mut Driver, user: &str, sdp: &str) -> Option<(ErrorCode, String)> {
        let to = if user == "a" { "v" } else { "a" };
        let r = ["offer", "answer"].map(|ty| d.send(user, &sdp_to(ty, to, sdp)).err());
        assert_eq!(r[0], r[1], "offers and answers are checked alike");
        r[0].clone().map(|e| (e.code, e.message))
    }

    #[test]
    fn each_media_section_is_held_to_the_senders_permissions() {
        let mut d = Driver::new(10);
        d.join("a").unwrap();
        d.join_as("v", Some(Role::Viewer)).unwrap();
        d.join("p").unwrap();
        let p = d.room.participant_mut(&uid("p")).unwrap();
        p.permissions.can_share_video = false; // audio and screen only
        let audio = "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n";
        let video = "m=video 9 UDP/TLS/RTP/SAVPF 96\r\n";
        let data = "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n";
        let sdp = |parts: &[&str]| format!("v=0\r\n{}", parts.concat());
        let refused = |r: Option<(ErrorCode, String)>, kind: &str| {
            let (code, msg) = r.expect("refused");
            assert_eq!(code, ErrorCode::MediaNotAllowed);
            assert!(msg.contains(&format!("m={kind}")), "{msg}");
        };
        // No direction at all is sendrecv; so is a session-level one.
        refused(try_sdp(&mut d, "v", &sdp(&[audio])), "audio");
        refused(
            try_sdp(&mut d, "v", &sdp(&["a=sendrecv\r\n", video])),
            "video",
        );
        // Receive-only, inactive, rejected (port 0) and data channels pass.
        let quiet = sdp(&[
            audio,
            "a=recvonly\r\n",
            video,
            "a=inactive\r\n",
            "m=video 0 UDP/TLS/RTP/SAVPF 96\r\na=sendrecv\r\n",
            data,
        ]);
        assert_eq!(try_sdp(&mut d, "v", &quiet), None);
        // Audio allowed, video not: named by kind.
        assert_eq!(try_sdp(&mut d, "p", &sdp(&[audio, "a=sendrecv\r\n"])), None);
        refused(
            try_sdp(
                &mut d,
                "p",
                &sdp(&[audio, "a=sendrecv\r\n", video, "a=sendonly\r\n"]),
            ),
            "video",
        );
        // A screen share (a=content:slides) needs the screen permission and
        // the room allowing it; plain video may be sent while sharing.
        let slides = sdp(&[video, "a=content:slides\r\na=sendonly\r\n"]);
        assert_eq!(try_sdp(&mut d, "p", &slides), None);
        refused(try_sdp(&mut d, "p", &sdp(&[video])), "video");
        d.send("p", r#"{"type":"screen-share-control","action":"start"}"#)
            .unwrap();
        assert_eq!(try_sdp(&mut d, "p", &sdp(&[video])), None);
        d.room.settings.screen_share_allowed = false;
        refused(try_sdp(&mut d, "p", &slides), "video");
        // The host may send everything.
        assert_eq!(try_sdp(&mut d, "a", &sdp(&[audio, video, data])), None);
        // A malformed m= line is not SDP.
        assert_eq!(
            try_sdp(&mut d, "v", "v=0\r\nm=audio\r\n").map(|e| e.0),
            Some(ErrorCode::InvalidSdp)
        );
    }

    #[test]
    fn hand_raise_queue_is_fifo_and_moderators_lower_others() {
        let mut d = Driver::new(10);
        d.join("host").unwrap();
        for u in ["p1", "p2", "p3"] {
            d.join(u).unwrap();
        }
        for u in ["p2", "p1", "p3"] {
            d.send(u, r#"{"type":"hand-raise","raised":true}"#).unwrap();
        }
        // Raising again keeps the place.
        assert!(
            d.send("p2", r#"{"type":"hand-raise","raised":true}"#)
                .unwrap()
                .is_empty()
        );
        let order: Vec<_> = d
            .room
            .hand_queue
            .iter()
            .map(|h| h.user_id.to_string())
            .collect();
        assert_eq!(order, ["p2", "p1", "p3"]);
        assert_eq!(
            d.send(
                "p1",
                r#"{"type":"hand-raise","raised":false,"target":"p2"}"#
            )
            .unwrap_err()
            .code,
            ErrorCode::PermissionDenied
        );
        d.send(
            "host",
            r#"{"type":"hand-raise","raised":false,"target":"p2"}"#,
        )
        .unwrap();
        let order: Vec<_> = d
            .room
            .hand_queue
            .iter()
            .map(|h| h.user_id.to_string())
            .collect();
        assert_eq!(order, ["p1", "p3"]);
    }

    #[test]
    fn waiting_room_admit_and_reject() {
        let mut d = Driver::new(10);
        d.join("host").unwrap();
        d.send(
            "host",
            r#"{"type":"room-settings-update","waiting_room_enabled":true}"#,
        )
        .unwrap();
        let (o, e) = d.join("guest").unwrap();
        assert_eq!(o, JoinOutcome::Waiting { position: 1 });
        assert_eq!(
            delivered_to(&e, "waiting-room-join"),
            vec![vec!["host".to_string()]]
        );
        assert_eq!(
            d.send("guest", r#"{"type":"chat-message","message":"hi"}"#)
                .unwrap_err()
                .code,
            ErrorCode::InWaitingRoom
        );
        d.join("other").unwrap();
        d.send("host", r#"{"type":"waiting-room-admit","user_id":"guest"}"#)
            .unwrap();
        assert!(d.room.participant(&uid("guest")).is_some());
        let e = d
            .send(
                "host",
                r#"{"type":"waiting-room-reject","user_id":"other"}"#,
            )
            .unwrap();
        assert!(e.iter().any(|e| matches!(
            e,
            Effect::Disconnect {
                code: ErrorCode::WaitingRoomRejected,
                ..
            }
        )));
        assert!(d.room.waiting.is_empty());
    }

    #[test]
    fn breakout_rooms_scope_signaling_and_close_returns_everyone() {
        let mut d = Driver::new(10);
        d.join("host").unwrap();
        d.join("a").unwrap();
        d.join("b").unwrap();
        d.send("host", r#"{"type":"breakout-room-create","name":"Team 1"}"#)
            .unwrap();
        let id = d.room.breakout_rooms[0].id.clone();
        d.send(
            "host",
            &format!(
                r#"{{"type":"breakout-room-assign","breakout_room_id":"{id}","user_id":"a"}}"#
            ),
        )
        .unwrap();
        assert_eq!(
            d.send("b", r#"{"type":"offer","target":"a","sdp":"v=0"}"#)
                .unwrap_err()
                .code,
            ErrorCode::UserNotInRoom
        );
        let e = d
            .send("a", r#"{"type":"chat-message","message":"in here"}"#)
            .unwrap();
        assert_eq!(
            delivered_to(&e, "chat-message"),
            vec![vec!["a".to_string()]]
        );
        d.send(
            "host",
            &format!(r#"{{"type":"breakout-room-close","breakout_room_id":"{id}"}}"#),
        )
        .unwrap();
        assert!(
            d.room
                .participants
                .iter()
                .all(|p| p.breakout_room_id.is_none())
        );
        assert!(
            d.send("b", r#"{"type":"offer","target":"a","sdp":"v=0"}"#)
                .is_ok()
        );
    }

    #[test]
    fn roles_only_hosts_grant_moderation_and_a_host_remains() {
        let mut d = Driver::new(10);
        d.join("h").unwrap();
        d.join_as("m", Some(Role::Moderator)).unwrap();
        d.join("p").unwrap();
        let m = d.actor("m");
        let h = d.actor("h");
        assert_eq!(
            d.engine
                .set_role(&mut d.room, &m, &uid("p"), Role::Moderator)
                .unwrap_err()
                .code,
            ErrorCode::RoleChangeNotAllowed
        );
        d.engine
            .set_role(&mut d.room, &m, &uid("p"), Role::Viewer)
            .unwrap();
        assert!(
            !d.room
                .participant(&uid("p"))
                .unwrap()
                .permissions
                .can_publish()
        );
        assert_eq!(
            d.engine
                .set_role(&mut d.room, &h, &uid("h"), Role::Participant)
                .unwrap_err()
                .code,
            ErrorCode::RoleChangeNotAllowed
        );
        let p = d.actor("p");
        assert_eq!(
            d.engine
                .set_role(&mut d.room, &p, &uid("m"), Role::Viewer)
                .unwrap_err()
                .code,
            ErrorCode::PermissionDenied
        );
    }

    #[test]
    fn kicked_and_banned_user_cannot_rejoin() {
        let mut d = Driver::new(10);
        d.join("h").unwrap();
        d.join("x").unwrap();
        let h = d.actor("h");
        let now = d.now;
        let e = d
            .engine
            .kick(&mut d.room, now, &h, &uid("x"), true)
            .unwrap();
        assert!(e.iter().any(|e| matches!(
            e,
            Effect::Disconnect {
                code: ErrorCode::UserBanned,
                ..
            }
        )));
        assert_eq!(d.join("x").unwrap_err().code, ErrorCode::UserBanned);
    }

    #[test]
    fn e2ee_payloads_are_structurally_checked_and_relayed_verbatim() {
        let mut d = Driver::new(10);
        d.join("a").unwrap();
        d.join("b").unwrap();
        let e = d
            .send(
                "a",
                r#"{"type":"e2ee-key-exchange","target":"b","key_id":7,"public_key":"AAECAw=="}"#,
            )
            .unwrap();
        assert_eq!(
            delivered_to(&e, "e2ee-key-exchange"),
            vec![vec!["b".to_string()]]
        );
        let bad = d.send(
            "a",
            r#"{"type":"e2ee-key-exchange","target":"b","key_id":7,"public_key":"not base64!"}"#,
        );
        assert_eq!(bad.unwrap_err().code, ErrorCode::InvalidE2eePayload);
        let huge = format!(
            r#"{{"type":"e2ee-ratchet-update","key_id":1,"generation":1,"encrypted_key":"{}"}}"#,
            "A".repeat(4000)
        );
        assert_eq!(
            d.send("a", &huge).unwrap_err().code,
            ErrorCode::InvalidE2eePayload
        );
    }

    #[test]
    fn analytics_events_are_bounded_in_size() {
        let mut d = Driver::new(10);
        d.join("a").unwrap();
        let ok = d
            .send(
                "a",
                r#"{"type":"analytics-event","event_type":"quality","data":{"rtt":42}}"#,
            )
            .unwrap();
        assert!(ok.iter().any(|e| matches!(e, Effect::Analytics(_))));
        let big = format!(
            r#"{{"type":"analytics-event","event_type":"x","data":{{"blob":"{}"}}}}"#,
            "A".repeat(MAX_ANALYTICS_DATA_BYTES)
        );
        assert_eq!(
            d.send("a", &big).unwrap_err().code,
            ErrorCode::MessageTooLarge,
            "never stored: the room's history would hold it"
        );
    }

    #[test]
    fn quality_classes() {
        let s = |l, p, j| NetworkStats {
            latency_ms: Some(l),
            packet_loss_percent: Some(p),
            jitter_ms: Some(j),
            bandwidth_kbps: None,
        };
        assert_eq!(classify_quality(&s(20.0, 0.0, 2.0)), "excellent");
        assert_eq!(classify_quality(&s(150.0, 0.5, 5.0)), "good");
        assert_eq!(classify_quality(&s(50.0, 8.0, 5.0)), "poor");
        assert_eq!(classify_quality(&s(50.0, 40.0, 5.0)), "lost");
    }
}
