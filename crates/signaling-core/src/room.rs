//! The room model: participants, roles, permissions, settings and the
//! collaboration state (hand raises, waiting room, breakout rooms, streams).
//! Plain data, serializable so any state store can hold it.

use auth::{Permissions, Role};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::{ConnectionId, RoomId, UserId};

/// Audio or video.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum MediaKind {
    /// Microphone.
    Audio,
    /// Camera.
    Video,
}

/// What a participant is publishing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MediaState {
    /// Microphone muted.
    pub audio_muted: bool,
    /// Camera off.
    pub video_muted: bool,
    /// Sharing the screen.
    pub screen_sharing: bool,
}

/// Device details a client reports.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceInfo {
    /// Browser name and version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub browser: Option<String>,
    /// Operating system.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os: Option<String>,
    /// desktop, mobile, tablet...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_type: Option<String>,
}

/// Network statistics a client reports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NetworkStats {
    /// Round-trip latency in milliseconds.
    #[serde(default, alias = "latency", skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<f64>,
    /// Packet loss in percent (0-100).
    #[serde(
        default,
        alias = "packet_loss",
        skip_serializing_if = "Option::is_none"
    )]
    pub packet_loss_percent: Option<f64>,
    /// Jitter in milliseconds.
    #[serde(default, alias = "jitter", skip_serializing_if = "Option::is_none")]
    pub jitter_ms: Option<f64>,
    /// Available bandwidth in kbit/s.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bandwidth_kbps: Option<f64>,
}

/// A virtual background choice (the processing happens in the client).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VirtualBackground {
    /// none, blur or image.
    pub mode: BackgroundMode,
    /// Image reference for `image` mode (an id or URL, at most 512 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
}

/// Virtual background modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum BackgroundMode {
    /// No processing.
    None,
    /// Blurred background.
    Blur,
    /// Replaced by an image.
    Image,
}

/// Connection status of a participant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Presence {
    /// Connected now.
    Connected,
    /// Connection lost; inside the grace period.
    Reconnecting,
}

/// A participant as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Participant {
    /// The user.
    pub user_id: UserId,
    /// Display name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Effective permissions.
    pub permissions: Permissions,
    /// The connection currently speaking for this user.
    pub connection: ConnectionId,
    /// When they joined.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    #[serde(with = "time::serde::rfc3339")]
    pub joined_at: OffsetDateTime,
    /// Media state.
    pub media: MediaState,
    /// Device details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_info: Option<DeviceInfo>,
    /// Latest network statistics.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_stats: Option<NetworkStats>,
    /// Sending video quality label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub video_quality: Option<String>,
    /// Virtual background.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub background: Option<VirtualBackground>,
    /// Breakout room the participant is in; `None` is the main room.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub breakout_room_id: Option<String>,
    /// Connected or reconnecting.
    pub presence: Presence,
    /// When the connection was lost, while reconnecting.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    #[serde(
        default,
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub disconnected_at: Option<OffsetDateTime>,
}

/// What clients see of a participant (WebSocket messages and REST): the
/// participant without the server's internals (the id of the connection
/// that speaks for them is for the engine and the hub only).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ParticipantView {
    /// The user.
    pub user_id: UserId,
    /// Display name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Effective permissions.
    pub permissions: Permissions,
    /// When they joined.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    #[serde(with = "time::serde::rfc3339")]
    pub joined_at: OffsetDateTime,
    /// Media state.
    pub media: MediaState,
    /// Device details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_info: Option<DeviceInfo>,
    /// Latest network statistics.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_stats: Option<NetworkStats>,
    /// Sending video quality label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub video_quality: Option<String>,
    /// Virtual background.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub background: Option<VirtualBackground>,
    /// Breakout room the participant is in; `None` is the main room.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub breakout_room_id: Option<String>,
    /// Connected or reconnecting.
    pub presence: Presence,
    /// When the connection was lost, while reconnecting.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    #[serde(
        default,
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub disconnected_at: Option<OffsetDateTime>,
}

impl From<&Participant> for ParticipantView {
    fn from(p: &Participant) -> Self {
        ParticipantView {
            user_id: p.user_id.clone(),
            name: p.name.clone(),
            role: p.role,
            permissions: p.permissions,
            joined_at: p.joined_at,
            media: p.media,
            device_info: p.device_info.clone(),
            network_stats: p.network_stats,
            video_quality: p.video_quality.clone(),
            background: p.background.clone(),
            breakout_room_id: p.breakout_room_id.clone(),
            presence: p.presence,
            disconnected_at: p.disconnected_at,
        }
    }
}

/// Room settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoomSettings {
    /// No new participants may join.
    pub locked: bool,
    /// New participants join with audio muted.
    pub mute_on_entry: bool,
    /// Participants wait for admission.
    pub waiting_room_enabled: bool,
    /// Chat is allowed.
    pub chat_enabled: bool,
    /// Screen sharing is allowed.
    pub screen_share_allowed: bool,
    /// Capacity.
    pub max_participants: u32,
    /// How media flows: between the browsers (`mesh`) or through the
    /// server's media plane (`sfu`). Records written before it existed
    /// read as mesh.
    #[serde(default)]
    pub media_mode: MediaMode,
}

/// How a room's media flows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum MediaMode {
    /// Each browser sends its tracks to every other (`offer`/`answer`
    /// between peers): best for 2 to 5 people.
    #[default]
    Mesh,
    /// Each browser has one connection to the server, which forwards
    /// every track to the others (`media-offer`/`media-answer`).
    Sfu,
}

impl std::str::FromStr for MediaMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "mesh" => Ok(MediaMode::Mesh),
            "sfu" => Ok(MediaMode::Sfu),
            _ => Err(format!("media mode must be mesh or sfu, not {s:?}")),
        }
    }
}

/// A partial settings update.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoomSettingsPatch {
    /// See [`RoomSettings::locked`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locked: Option<bool>,
    /// See [`RoomSettings::mute_on_entry`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mute_on_entry: Option<bool>,
    /// See [`RoomSettings::waiting_room_enabled`].
    #[serde(
        default,
        alias = "waiting_room",
        skip_serializing_if = "Option::is_none"
    )]
    pub waiting_room_enabled: Option<bool>,
    /// See [`RoomSettings::chat_enabled`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chat_enabled: Option<bool>,
    /// See [`RoomSettings::screen_share_allowed`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub screen_share_allowed: Option<bool>,
    /// See [`RoomSettings::max_participants`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 10000))]
    pub max_participants: Option<u32>,
    /// See [`RoomSettings::media_mode`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_mode: Option<MediaMode>,
}

/// A raised hand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HandRaiseEntry {
    /// Whose.
    pub user_id: UserId,
    /// When.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    #[serde(with = "time::serde::rfc3339")]
    pub raised_at: OffsetDateTime,
}

/// Someone waiting for admission.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WaitingEntry {
    /// Who.
    pub user_id: UserId,
    /// Display name.
    pub name: String,
    /// Their waiting connection.
    pub connection: ConnectionId,
    /// Since when.
    #[serde(with = "time::serde::rfc3339")]
    pub since: OffsetDateTime,
}

/// A breakout room: a sub-group of the room; signaling and chat stay inside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BreakoutRoom {
    /// Id, unique in the room.
    pub id: String,
    /// Name.
    pub name: String,
    /// When created.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// A live-stream session record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LiveStream {
    /// Id.
    pub stream_id: String,
    /// Title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Platform label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    /// Who started it.
    pub started_by: UserId,
    /// When.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    #[serde(with = "time::serde::rfc3339")]
    pub started_at: OffsetDateTime,
    /// When it stopped, if it did.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    #[serde(
        default,
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub stopped_at: Option<OffsetDateTime>,
    /// Where the server streams it (`rtmp://host/app`, never the key);
    /// absent for a stream the server only records as metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination: Option<String>,
    /// The composite's layout, for a server stream.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layout: Option<StreamLayout>,
    /// The preset, for a server stream.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<::recording::Quality>))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quality: Option<::recording::Quality>,
    /// Where a server stream is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<StreamStatus>,
    /// Why it is reconnecting or failed (the encoder's last words, without
    /// the destination).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Where members play its HLS output, when it has one (this server's
    /// path; `…/hls/link` gives an expiring one for any player).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hls_url: Option<String>,
}

/// The layout of a server stream's (or server recording's) picture.
pub use ::recording::Layout as StreamLayout;

/// Where a server stream is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum StreamStatus {
    /// The encoder is starting; the destination is not reached yet.
    Starting,
    /// Media reaches the destination.
    Live,
    /// The destination dropped or refused; the server tries again.
    Reconnecting,
    /// Given up (`LIVE_STREAM_FAILED`; see `error`).
    Failed,
    /// Stopped by a moderator, with the room, or at the time limit.
    Stopped,
}

impl StreamStatus {
    /// Whether the stream has ended.
    pub fn is_over(self) -> bool {
        matches!(self, StreamStatus::Failed | StreamStatus::Stopped)
    }
}

/// The whole state of one room.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Room {
    /// Id.
    pub id: RoomId,
    /// When the room came to exist.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Settings.
    pub settings: RoomSettings,
    /// Participants in join order.
    pub participants: Vec<Participant>,
    /// Raised hands, oldest first.
    pub hand_queue: Vec<HandRaiseEntry>,
    /// Waiting for admission, oldest first.
    pub waiting: Vec<WaitingEntry>,
    /// Users admitted from the waiting room who may now join directly.
    pub admitted: Vec<UserId>,
    /// Users refused entry until the room ends.
    pub banned: Vec<UserId>,
    /// Breakout rooms.
    pub breakout_rooms: Vec<BreakoutRoom>,
    /// Live streams.
    pub live_streams: Vec<LiveStream>,
    /// Recordings made in this room's life (the durable copy lives in the
    /// recording store and outlives the room).
    #[serde(default)]
    pub recordings: Vec<recording::Recording>,
    /// Counter for breakout and stream ids.
    pub next_local_id: u64,
    /// Since when nobody is in or waiting for the room; it is deleted, with
    /// its replay log, once this is older than the cleanup delay.
    #[serde(
        default,
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub emptied_at: Option<OffsetDateTime>,
    /// Free-form application data set through the admin API, shown to
    /// everyone in `room-state` (at most [`MAX_METADATA_BYTES`]).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub metadata: String,
}

/// Largest room metadata, in bytes.
pub const MAX_METADATA_BYTES: usize = 16 * 1024;

impl Room {
    /// An empty room with the given default settings.
    pub fn new(id: RoomId, settings: RoomSettings, now: OffsetDateTime) -> Self {
        Room {
            id,
            created_at: now,
            settings,
            participants: Vec::new(),
            hand_queue: Vec::new(),
            waiting: Vec::new(),
            admitted: Vec::new(),
            banned: Vec::new(),
            breakout_rooms: Vec::new(),
            live_streams: Vec::new(),
            recordings: Vec::new(),
            next_local_id: 1,
            emptied_at: None,
            metadata: String::new(),
        }
    }

    /// The participant with this id.
    pub fn participant(&self, user: &UserId) -> Option<&Participant> {
        self.participants.iter().find(|p| &p.user_id == user)
    }

    /// Mutable access to a participant.
    pub fn participant_mut(&mut self, user: &UserId) -> Option<&mut Participant> {
        self.participants.iter_mut().find(|p| &p.user_id == user)
    }

    /// Whether `connection` holds `user`'s place here, in the room or in
    /// the waiting room.
    pub fn seats(&self, user: &UserId, connection: ConnectionId) -> bool {
        self.participant(user)
            .is_some_and(|p| p.connection == connection)
            || self
                .waiting
                .iter()
                .any(|w| &w.user_id == user && w.connection == connection)
    }

    /// Whether nobody is in or waiting for the room.
    pub fn is_empty(&self) -> bool {
        self.participants.is_empty() && self.waiting.is_empty()
    }

    /// Users whose role can moderate.
    pub fn moderators(&self) -> Vec<UserId> {
        self.participants
            .iter()
            .filter(|p| p.role.is_moderator())
            .map(|p| p.user_id.clone())
            .collect()
    }

    /// Users in the same group (main room or breakout) as `group`.
    pub fn group_members(&self, group: Option<&str>) -> Vec<UserId> {
        self.participants
            .iter()
            .filter(|p| p.breakout_room_id.as_deref() == group)
            .map(|p| p.user_id.clone())
            .collect()
    }

    /// A fresh local id with a prefix, e.g. `br-3`.
    pub fn local_id(&mut self, prefix: &str) -> String {
        let id = format!("{prefix}-{}", self.next_local_id);
        self.next_local_id += 1;
        id
    }
}
