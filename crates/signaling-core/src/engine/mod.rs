//! The room engine: pure functions from (room state, time, input) to effects.
//!
//! No sockets, no clocks, no stores: callers pass `now`, own the [`Room`] and
//! carry out the returned [`Effect`]s. Every permission check lives here, so
//! the WebSocket path and the REST path enforce the same rules.
//!
//! One input type, [`Command`], enters through one exhaustive `match` in
//! [`Engine::apply`] (`command.rs`), which hands each command to the module
//! of its feature. The connection lifecycle (join, leave, a lost
//! connection, its grace period) and the recording time limit are driven by
//! the transport and the clock, not by a request, and keep their own entry
//! points in `join.rs` and `recording.rs`.

mod breakout;
mod chat;
mod command;
mod hands;
mod join;
mod media;
mod moderation;
mod participant;
mod recording;
mod relay;
mod roles;
mod settings;
mod sfu;
mod stream;
#[cfg(test)]
mod testkit;
mod waiting;

use auth::{Permissions, Role};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::protocol::*;
use crate::room::*;
use crate::{ConnectionId, ErrorCode, RoomConfig, SignalError, UserId};

pub use chat::is_message_id;
pub use command::{Applied, Command, Reply};
pub use join::{JoinOutcome, JoinRequest};
pub use participant::{MAX_ANALYTICS_DATA_BYTES, classify_quality};

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
    /// Store an edited chat message in place of the old one.
    ReplaceChat(ChatRecord),
    /// Move a reader's mark forward (only forward, in the store).
    MarkRead(crate::protocol::ReadReceipt),
    /// Add or take back a reaction on a stored chat message.
    ReactChat {
        /// The message.
        message_id: String,
        /// The reaction.
        emoji: String,
        /// Who.
        user_id: String,
        /// Added or taken back.
        active: bool,
    },
    /// Delete a chat message from history and its text from the replay
    /// log (its events there become this `chat-deleted`).
    RemoveChat {
        /// The message.
        message_id: String,
        /// Who deleted it.
        deleted_by: String,
    },
    /// Record an analytics event.
    Analytics(AnalyticsRecord),
    /// Write a recording's record to the durable store.
    StoreRecording(::recording::Recording),
    /// Hand media signaling to the media plane (SFU rooms).
    Media(MediaRequest),
}

pub use sfu::{MediaGrants, MediaRequest, MediaRequestKind};
pub use stream::EgressRequest;

/// An analytics event as recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    #[serde(with = "time::serde::rfc3339")]
    pub timestamp: OffsetDateTime,
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
fn admin_participant() -> &'static Participant {
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
            participants: room.participants.iter().map(Into::into).collect(),
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
            chat_unread: None,
        }
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
