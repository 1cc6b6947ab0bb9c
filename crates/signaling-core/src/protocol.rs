//! The WebSocket protocol: every message type as typed Rust values.
//!
//! Frames are JSON objects with a `type` field. Decoding is two-phase: the
//! `type` is read first (borrowed, cheap), then the body is parsed into that
//! type's struct. This gives distinct codes for "not JSON / missing fields"
//! (`INVALID_MESSAGE`), "no such type" (`UNKNOWN_MESSAGE_TYPE`) and "a type
//! only the server sends" (`UNSUPPORTED_MESSAGE_TYPE`), and avoids serde's
//! buffering of internally tagged enums on the hot relay path.
//! Unknown extra fields are ignored so that clients can evolve.

use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use time::OffsetDateTime;

use crate::room::{
    BreakoutRoom, DeviceInfo, HandRaiseEntry, LiveStream, MediaKind, NetworkStats, ParticipantView,
    RoomSettings, RoomSettingsPatch, VirtualBackground,
};
use crate::{ErrorCode, SignalError, UserId};
use auth::{Permissions, Role};

macro_rules! message_types {
    ($( $variant:ident = $wire:literal, $dir:ident; )*) => {
        /// Every message type name of the protocol.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum MessageType { $( #[doc = $wire] $variant, )* }

        impl MessageType {
            /// All message types.
            pub const ALL: &'static [MessageType] = &[$(MessageType::$variant),*];
            /// The wire name.
            pub fn as_str(self) -> &'static str { match self { $(MessageType::$variant => $wire,)* } }
            /// Looks up a wire name.
            pub fn from_wire(s: &str) -> Option<Self> { match s { $($wire => Some(MessageType::$variant),)* _ => None } }
            /// Who sends it.
            pub fn direction(self) -> Direction { match self { $(MessageType::$variant => Direction::$dir,)* } }
        }
    };
}

/// Which side of the connection sends a message type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Only clients send it.
    ClientToServer,
    /// Only the server sends it.
    ServerToClient,
    /// Clients send it and the server relays or echoes it.
    Both,
}

message_types! {
    Offer = "offer", Both;
    Answer = "answer", Both;
    IceCandidate = "ice-candidate", Both;
    UserJoined = "user-joined", ServerToClient;
    UserLeft = "user-left", ServerToClient;
    Error = "error", ServerToClient;
    RoomState = "room-state", ServerToClient;
    MediaControl = "media-control", Both;
    ScreenShareControl = "screen-share-control", Both;
    ChatMessage = "chat-message", Both;
    RoleUpdated = "role-updated", ServerToClient;
    PermissionUpdated = "permission-updated", ServerToClient;
    RecordingControl = "recording-control", ClientToServer;
    RecordingStatus = "recording-status", ServerToClient;
    RecordingStarted = "recording_started", ServerToClient;
    RecordingStopped = "recording_stopped", ServerToClient;
    RecordingPaused = "recording_paused", ServerToClient;
    RecordingResumed = "recording_resumed", ServerToClient;
    RecordingCancelled = "recording_cancelled", ServerToClient;
    FileShareOffer = "file-share-offer", Both;
    FileShareAccept = "file-share-accept", Both;
    FileShareReject = "file-share-reject", Both;
    FileShareProgress = "file-share-progress", Both;
    FileShareComplete = "file-share-complete", Both;
    NetworkStats = "network-stats", ClientToServer;
    QualityUpdate = "quality-update", ServerToClient;
    AnalyticsEvent = "analytics-event", ClientToServer;
    ParticipantUpdate = "participant-update", Both;
    RoomSettingsUpdate = "room-settings-update", Both;
    HandRaise = "hand-raise", Both;
    HandRaiseQueue = "hand-raise-queue", ServerToClient;
    WaitingRoomJoin = "waiting-room-join", ServerToClient;
    WaitingRoomAdmit = "waiting-room-admit", Both;
    WaitingRoomReject = "waiting-room-reject", Both;
    Reaction = "reaction", Both;
    BreakoutRoomCreate = "breakout-room-create", Both;
    BreakoutRoomAssign = "breakout-room-assign", Both;
    BreakoutRoomClose = "breakout-room-close", Both;
    VirtualBackgroundUpdate = "virtual-background-update", Both;
    LiveStreamStart = "live-stream-start", Both;
    LiveStreamStop = "live-stream-stop", Both;
    E2eeKeyExchange = "e2ee-key-exchange", Both;
    E2eeRatchetUpdate = "e2ee-ratchet-update", Both;
    ReconnectionDetected = "reconnection-detected", ServerToClient;
    ResyncRequired = "resync-required", ServerToClient;
    ParticipantReconnecting = "participant-reconnecting", ServerToClient;
    DataMessage = "data-message", ServerToClient;
    RoomMetadataUpdate = "room-metadata-update", ServerToClient;
    Ping = "ping", ClientToServer;
    Pong = "pong", ServerToClient;
}

// ---------------------------------------------------------------- client bodies

/// `offer` / `answer`: an SDP for one peer.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SdpRelay {
    /// The peer to deliver to.
    #[serde(alias = "to", alias = "target_user_id", alias = "target_id")]
    pub target: UserId,
    /// The SDP text (`RTCSessionDescription.sdp`).
    pub sdp: String,
}

/// An ICE candidate as the browser's `RTCIceCandidate.toJSON()` produces it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IceCandidateInit {
    /// The `candidate:` line; empty signals end of candidates.
    pub candidate: String,
    /// Media stream id.
    #[serde(
        rename = "sdpMid",
        alias = "sdp_mid",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub sdp_mid: Option<String>,
    /// Media line index.
    #[serde(
        rename = "sdpMLineIndex",
        alias = "sdp_m_line_index",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub sdp_m_line_index: Option<u32>,
    /// ICE ufrag.
    #[serde(
        rename = "usernameFragment",
        alias = "username_fragment",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub username_fragment: Option<String>,
}

/// `ice-candidate` from a client.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct IceRelay {
    /// The peer to deliver to.
    #[serde(alias = "to", alias = "target_user_id", alias = "target_id")]
    pub target: UserId,
    /// The candidate.
    pub candidate: IceCandidateInit,
}

/// `media-control`: mute or unmute oneself, or (moderators) mute someone.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct MediaControlReq {
    /// Audio or video.
    pub kind: MediaKind,
    /// The new state.
    pub muted: bool,
    /// Someone else (moderators only, mute only); `None` is oneself.
    #[serde(default)]
    pub target: Option<UserId>,
}

/// Start or stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StartStop {
    /// Start.
    Start,
    /// Stop.
    Stop,
}

/// `screen-share-control`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ScreenShareReq {
    /// Start or stop sharing.
    pub action: StartStop,
    /// Someone else (moderators only, stop only).
    #[serde(default)]
    pub target: Option<UserId>,
}

/// `chat-message` from a client.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ChatSend {
    /// The text; markup is neutralized by the server.
    #[serde(alias = "text", alias = "content")]
    pub message: String,
    /// A private message to one participant.
    #[serde(default, alias = "target")]
    pub to: Option<UserId>,
}

/// `reaction` from a client.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ReactionSend {
    /// A short emoji or reaction name.
    #[serde(alias = "reaction")]
    pub emoji: String,
}

/// `hand-raise` from a client.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct HandRaiseReq {
    /// Raise (true) or lower (false).
    pub raised: bool,
    /// Someone else's hand (moderators, lowering only).
    #[serde(default)]
    pub target: Option<UserId>,
}

/// `participant-update` from a client (its own info).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ParticipantUpdateReq {
    /// New display name.
    #[serde(default)]
    pub display_name: Option<String>,
    /// Device details.
    #[serde(default)]
    pub device_info: Option<DeviceInfo>,
    /// Sending video quality label, e.g. `720p`.
    #[serde(default)]
    pub video_quality: Option<String>,
    /// Network statistics.
    #[serde(default)]
    pub network_stats: Option<NetworkStats>,
}

/// A message naming one user (`waiting-room-admit`, `waiting-room-reject`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct TargetUser {
    /// The user.
    #[serde(alias = "target")]
    pub user_id: UserId,
}

/// `breakout-room-create`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct BreakoutCreate {
    /// Name shown to participants.
    pub name: String,
}

/// `breakout-room-assign`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct BreakoutAssign {
    /// Target breakout room; `null` moves the user back to the main room.
    #[serde(default)]
    pub breakout_room_id: Option<String>,
    /// The user to move.
    pub user_id: UserId,
}

/// `breakout-room-close`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct BreakoutRef {
    /// The breakout room.
    pub breakout_room_id: String,
}

/// `virtual-background-update` from a client.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct VirtualBackgroundReq {
    /// The new background.
    pub background: VirtualBackground,
}

/// `live-stream-start`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LiveStreamStartReq {
    /// Title.
    #[serde(default)]
    pub title: Option<String>,
    /// Target platform label, e.g. `youtube`.
    #[serde(default)]
    pub platform: Option<String>,
}

/// `live-stream-stop`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct LiveStreamRef {
    /// The stream.
    pub stream_id: String,
}

/// `e2ee-key-exchange`: a public key for one peer. Relayed, never interpreted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct E2eeKeyExchange {
    /// The peer (in client messages); the sender (in server messages, as `from`).
    #[serde(alias = "to")]
    pub target: UserId,
    /// Key identifier chosen by the sender.
    pub key_id: u32,
    /// Base64 public key.
    pub public_key: String,
    /// Optional base64 signature over the key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
    /// Optional algorithm label such as `X25519`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub algorithm: Option<String>,
}

/// `e2ee-ratchet-update`: a new encrypted sender key. Relayed, never interpreted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct E2eeRatchetUpdate {
    /// One peer, or everyone in the sender's group when absent.
    #[serde(default, alias = "to", skip_serializing_if = "Option::is_none")]
    pub target: Option<UserId>,
    /// Key identifier.
    pub key_id: u32,
    /// Ratchet generation, increasing.
    pub generation: u64,
    /// Base64 ciphertext of the new key.
    pub encrypted_key: String,
}

/// `analytics-event` from a client.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct AnalyticsEventReq {
    /// Event name, e.g. `quality`, `screen-share`.
    pub event_type: String,
    /// Free-form data (bounded by the frame size).
    #[serde(default)]
    pub data: serde_json::Map<String, serde_json::Value>,
}

/// `network-stats` from a client.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NetworkStatsReq {
    /// The statistics.
    #[serde(flatten)]
    pub stats: NetworkStats,
}

/// `ping`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct PingReq {
    /// Echoed back in the `pong`.
    #[serde(default)]
    pub ts: Option<serde_json::Value>,
}

/// P2P file-transfer signaling (`file-share-*`) relayed between sender and receiver.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct FileShareSignal {
    /// The other party.
    #[serde(alias = "to")]
    pub target: UserId,
    /// The transfer this is about.
    pub transfer_id: String,
    /// Bytes acknowledged so far (progress).
    #[serde(default)]
    pub bytes_transferred: Option<u64>,
}

/// `recording-control` from a client.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct RecordingControlReq {
    /// What to do.
    pub action: RecordingAction,
    /// Which recording, for all but start.
    #[serde(default)]
    pub recording_id: Option<String>,
    /// Container for `start` (default webm).
    #[serde(default)]
    pub format: Option<recording::Format>,
    /// Quality preset for `start` (default medium).
    #[serde(default)]
    pub quality: Option<recording::Quality>,
}

/// What a `recording-control` message or recording endpoint asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RecordingAction {
    /// Start a new recording.
    Start,
    /// Stop and process.
    Stop,
    /// Pause.
    Pause,
    /// Resume after a pause.
    Resume,
    /// Cancel and discard.
    Cancel,
    /// Report the state.
    Status,
}

/// A recording as clients see it: the record plus its running duration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordingView {
    /// The record.
    #[serde(flatten)]
    pub recording: recording::Recording,
    /// Seconds recorded so far, pauses excluded.
    pub duration: i64,
}

impl RecordingView {
    /// The view of `r` at `now`.
    pub fn of(r: &recording::Recording, now: OffsetDateTime) -> Self {
        RecordingView {
            recording: r.clone(),
            duration: r.duration_secs(now),
        }
    }
}

/// A serialized server message with `"seq":N` as its first field.
pub fn with_seq(json: &str, seq: u64) -> String {
    match json.strip_prefix('{') {
        Some(rest) => format!("{{\"seq\":{seq},{rest}"),
        None => json.to_owned(),
    }
}

/// The `seq` of a message made by [`with_seq`], if it has one.
pub fn seq_of(json: &str) -> Option<u64> {
    let rest = json.strip_prefix("{\"seq\":")?;
    let end = rest.find(',')?;
    rest[..end].parse().ok()
}

/// A decoded client frame.
#[derive(Debug, Clone, PartialEq)]
pub enum ClientMessage {
    /// `offer`
    Offer(SdpRelay),
    /// `answer`
    Answer(SdpRelay),
    /// `ice-candidate`
    IceCandidate(IceRelay),
    /// `media-control`
    MediaControl(MediaControlReq),
    /// `screen-share-control`
    ScreenShareControl(ScreenShareReq),
    /// `chat-message`
    ChatMessage(ChatSend),
    /// `reaction`
    Reaction(ReactionSend),
    /// `hand-raise`
    HandRaise(HandRaiseReq),
    /// `participant-update`
    ParticipantUpdate(ParticipantUpdateReq),
    /// `network-stats`
    NetworkStats(NetworkStatsReq),
    /// `room-settings-update`
    RoomSettingsUpdate(RoomSettingsPatch),
    /// `waiting-room-admit`
    WaitingRoomAdmit(TargetUser),
    /// `waiting-room-reject`
    WaitingRoomReject(TargetUser),
    /// `breakout-room-create`
    BreakoutRoomCreate(BreakoutCreate),
    /// `breakout-room-assign`
    BreakoutRoomAssign(BreakoutAssign),
    /// `breakout-room-close`
    BreakoutRoomClose(BreakoutRef),
    /// `virtual-background-update`
    VirtualBackgroundUpdate(VirtualBackgroundReq),
    /// `live-stream-start`
    LiveStreamStart(LiveStreamStartReq),
    /// `live-stream-stop`
    LiveStreamStop(LiveStreamRef),
    /// `e2ee-key-exchange`
    E2eeKeyExchange(E2eeKeyExchange),
    /// `e2ee-ratchet-update`
    E2eeRatchetUpdate(E2eeRatchetUpdate),
    /// `analytics-event`
    AnalyticsEvent(AnalyticsEventReq),
    /// `recording-control`
    RecordingControl(RecordingControlReq),
    /// `file-share-*` (peer-to-peer mode signaling)
    FileShare(MessageType, FileShareSignal),
    /// `ping`
    Ping(PingReq),
}

impl ClientMessage {
    /// The message's type.
    pub fn message_type(&self) -> MessageType {
        use ClientMessage as C;
        use MessageType as T;
        match self {
            C::Offer(_) => T::Offer,
            C::Answer(_) => T::Answer,
            C::IceCandidate(_) => T::IceCandidate,
            C::MediaControl(_) => T::MediaControl,
            C::ScreenShareControl(_) => T::ScreenShareControl,
            C::ChatMessage(_) => T::ChatMessage,
            C::Reaction(_) => T::Reaction,
            C::HandRaise(_) => T::HandRaise,
            C::ParticipantUpdate(_) => T::ParticipantUpdate,
            C::NetworkStats(_) => T::NetworkStats,
            C::RoomSettingsUpdate(_) => T::RoomSettingsUpdate,
            C::WaitingRoomAdmit(_) => T::WaitingRoomAdmit,
            C::WaitingRoomReject(_) => T::WaitingRoomReject,
            C::BreakoutRoomCreate(_) => T::BreakoutRoomCreate,
            C::BreakoutRoomAssign(_) => T::BreakoutRoomAssign,
            C::BreakoutRoomClose(_) => T::BreakoutRoomClose,
            C::VirtualBackgroundUpdate(_) => T::VirtualBackgroundUpdate,
            C::LiveStreamStart(_) => T::LiveStreamStart,
            C::LiveStreamStop(_) => T::LiveStreamStop,
            C::E2eeKeyExchange(_) => T::E2eeKeyExchange,
            C::E2eeRatchetUpdate(_) => T::E2eeRatchetUpdate,
            C::AnalyticsEvent(_) => T::AnalyticsEvent,
            C::RecordingControl(_) => T::RecordingControl,
            C::FileShare(t, _) => *t,
            C::Ping(_) => T::Ping,
        }
    }
}

#[derive(Deserialize)]
struct Head<'a> {
    #[serde(rename = "type", borrow, default)]
    ty: Option<Cow<'a, str>>,
}

fn body<'a, T: Deserialize<'a>>(text: &'a str) -> Result<T, SignalError> {
    serde_json::from_str(text)
        .map_err(|e| SignalError::new(ErrorCode::InvalidMessage, e.to_string()))
}

/// Decodes one client frame.
pub fn decode(text: &str) -> Result<ClientMessage, SignalError> {
    let head: Head<'_> = serde_json::from_str(text).map_err(|e| {
        SignalError::new(ErrorCode::InvalidMessage, format!("not a JSON object: {e}"))
    })?;
    let ty = head
        .ty
        .ok_or_else(|| SignalError::new(ErrorCode::InvalidMessage, "missing \"type\""))?;
    let Some(mt) = MessageType::from_wire(&ty) else {
        let shown: String = ty.chars().take(40).collect();
        return Err(SignalError::new(
            ErrorCode::UnknownMessageType,
            format!("unknown type {shown:?}"),
        ));
    };
    use ClientMessage as C;
    use MessageType as T;
    Ok(match mt {
        T::Offer => C::Offer(body(text)?),
        T::Answer => C::Answer(body(text)?),
        T::IceCandidate => C::IceCandidate(body(text)?),
        T::MediaControl => C::MediaControl(body(text)?),
        T::ScreenShareControl => C::ScreenShareControl(body(text)?),
        T::ChatMessage => C::ChatMessage(body(text)?),
        T::Reaction => C::Reaction(body(text)?),
        T::HandRaise => C::HandRaise(body(text)?),
        T::ParticipantUpdate => C::ParticipantUpdate(body(text)?),
        T::NetworkStats => C::NetworkStats(body(text)?),
        T::RoomSettingsUpdate => C::RoomSettingsUpdate(body(text)?),
        T::WaitingRoomAdmit => C::WaitingRoomAdmit(body(text)?),
        T::WaitingRoomReject => C::WaitingRoomReject(body(text)?),
        T::BreakoutRoomCreate => C::BreakoutRoomCreate(body(text)?),
        T::BreakoutRoomAssign => C::BreakoutRoomAssign(body(text)?),
        T::BreakoutRoomClose => C::BreakoutRoomClose(body(text)?),
        T::VirtualBackgroundUpdate => C::VirtualBackgroundUpdate(body(text)?),
        T::LiveStreamStart => C::LiveStreamStart(body(text)?),
        T::LiveStreamStop => C::LiveStreamStop(body(text)?),
        T::E2eeKeyExchange => C::E2eeKeyExchange(body(text)?),
        T::E2eeRatchetUpdate => C::E2eeRatchetUpdate(body(text)?),
        T::AnalyticsEvent => C::AnalyticsEvent(body(text)?),
        T::RecordingControl => C::RecordingControl(body(text)?),
        T::FileShareOffer
        | T::FileShareAccept
        | T::FileShareReject
        | T::FileShareProgress
        | T::FileShareComplete => C::FileShare(mt, body(text)?),
        T::Ping => C::Ping(body(text)?),
        other => {
            debug_assert_eq!(other.direction(), Direction::ServerToClient);
            return Err(SignalError::new(
                ErrorCode::UnsupportedMessageType,
                format!("{} is sent only by the server", other.as_str()),
            ));
        }
    })
}

// ---------------------------------------------------------------- server messages

/// Why a participant left.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeaveReason {
    /// Closed the connection.
    Left,
    /// Connection lost and not back within the grace period.
    Disconnected,
    /// Removed by a moderator.
    Kicked,
    /// Removed and banned by a moderator.
    Banned,
    /// Sent to the waiting room by a moderator.
    MovedToWaitingRoom,
    /// The room was closed through the admin API.
    RoomClosed,
}

/// The full state of a room as one participant sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoomStateView {
    /// The room.
    pub room_id: String,
    /// The receiving participant's own id.
    pub you: String,
    /// Everyone in the room, in join order.
    pub participants: Vec<ParticipantView>,
    /// Room settings.
    pub settings: RoomSettings,
    /// Raised hands, oldest first.
    pub hand_raise_queue: Vec<HandRaiseEntry>,
    /// Breakout rooms.
    pub breakout_rooms: Vec<BreakoutRoom>,
    /// Live streams (active and ended).
    pub live_streams: Vec<LiveStream>,
    /// Users waiting for admission (moderators only; empty for others).
    pub waiting_room: Vec<WaitingView>,
    /// Sequence number of the last room event (for resuming).
    pub last_sequence: u64,
    /// Application data set through the admin API (empty when none).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub metadata: String,
}

/// A waiting user, as moderators see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WaitingView {
    /// The user.
    pub user_id: String,
    /// Display name.
    pub name: String,
    /// Since when.
    #[serde(with = "time::serde::rfc3339")]
    pub since: OffsetDateTime,
}

/// A chat message as delivered and stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatRecord {
    /// Unique id.
    pub id: String,
    /// The room.
    pub room_id: String,
    /// Sender.
    pub from: String,
    /// Sender's display name.
    pub from_name: String,
    /// Sanitized text.
    pub message: String,
    /// Private recipient, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// Breakout group it was sent in, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub breakout_room_id: Option<String>,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub timestamp: OffsetDateTime,
}

impl ChatRecord {
    /// Whether `user`, now in breakout group `group` (`None`: the main
    /// room), could have received this message live: a private message
    /// only by its sender and recipient, a public one by its group; the
    /// sender always sees their own.
    pub fn visible_to(&self, user: &str, group: Option<&str>) -> bool {
        if self.from == user {
            return true;
        }
        match &self.to {
            Some(to) => to == user,
            None => self.breakout_room_id.as_deref() == group,
        }
    }
}

/// Messages the server sends. Serialized with a `type` tag.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum ServerMessage {
    /// A relayed offer.
    Offer {
        /// Sender.
        from: String,
        /// SDP text.
        sdp: String,
    },
    /// A relayed answer.
    Answer {
        /// Sender.
        from: String,
        /// SDP text.
        sdp: String,
    },
    /// A relayed ICE candidate.
    IceCandidate {
        /// Sender.
        from: String,
        /// The candidate.
        candidate: IceCandidateInit,
    },
    /// Someone joined.
    UserJoined {
        /// Who.
        participant: ParticipantView,
    },
    /// Someone left.
    UserLeft {
        /// Who.
        user_id: String,
        /// Why.
        reason: LeaveReason,
    },
    /// The full room state (on join and on resync).
    RoomState(RoomStateView),
    /// An error caused by the receiving client.
    Error {
        /// Stable code.
        code: ErrorCode,
        /// Human-readable detail.
        message: String,
        /// What to do.
        hint: &'static str,
        /// Seconds before retrying (rate limits).
        #[serde(skip_serializing_if = "Option::is_none")]
        retry_after: Option<u64>,
        /// The type of the message that caused it, if known.
        #[serde(skip_serializing_if = "Option::is_none")]
        in_reply_to: Option<&'static str>,
    },
    /// Someone's microphone or camera was muted or unmuted.
    MediaControl {
        /// Whose.
        user_id: String,
        /// Audio or video.
        kind: MediaKind,
        /// New state.
        muted: bool,
        /// Who did it.
        by: String,
    },
    /// Someone started or stopped sharing their screen.
    ScreenShareControl {
        /// Whose.
        user_id: String,
        /// Whether sharing now.
        active: bool,
        /// Who did it.
        by: String,
    },
    /// A chat message.
    ChatMessage(ChatRecord),
    /// A role changed.
    RoleUpdated {
        /// Whose.
        user_id: String,
        /// New role.
        role: Role,
        /// New effective permissions.
        permissions: Permissions,
        /// Who did it (`system` for automatic promotion).
        by: String,
    },
    /// Permissions changed.
    PermissionUpdated {
        /// Whose.
        user_id: String,
        /// New effective permissions.
        permissions: Permissions,
        /// Who did it.
        by: String,
    },
    /// A participant's info changed.
    ParticipantUpdate {
        /// The new view.
        participant: ParticipantView,
    },
    /// A participant's connection quality, classified.
    QualityUpdate {
        /// Whose.
        user_id: String,
        /// excellent, good, poor or lost.
        quality: String,
        /// The figures.
        stats: NetworkStats,
    },
    /// Data from the operator's backend (admin API), to the room or to
    /// some participants.
    DataMessage {
        /// Always `#admin`.
        from: String,
        /// The application's label for the data, if any.
        #[serde(skip_serializing_if = "Option::is_none")]
        topic: Option<String>,
        /// Any JSON.
        data: serde_json::Value,
    },
    /// The room's metadata changed.
    RoomMetadataUpdate {
        /// The new metadata.
        metadata: String,
        /// Who changed it.
        by: String,
    },
    /// Settings changed.
    RoomSettingsUpdate {
        /// The new settings.
        settings: RoomSettings,
        /// Who did it.
        by: String,
    },
    /// A hand was raised or lowered.
    HandRaise {
        /// Whose.
        user_id: String,
        /// New state.
        raised: bool,
        /// Who did it.
        by: String,
    },
    /// The hand-raise queue, oldest first.
    HandRaiseQueue {
        /// The queue.
        queue: Vec<HandRaiseEntry>,
    },
    /// To moderators: someone is waiting. To the waiting user: you are waiting.
    WaitingRoomJoin {
        /// Who.
        user_id: String,
        /// Display name.
        name: String,
        /// 1-based place in the waiting line.
        position: usize,
    },
    /// A waiting user was admitted.
    WaitingRoomAdmit {
        /// Who.
        user_id: String,
        /// Who did it.
        by: String,
    },
    /// A waiting user was rejected.
    WaitingRoomReject {
        /// Who.
        user_id: String,
        /// Who did it.
        by: String,
    },
    /// A reaction.
    Reaction {
        /// Sender.
        from: String,
        /// The emoji.
        emoji: String,
        /// When.
        #[serde(with = "time::serde::rfc3339")]
        timestamp: OffsetDateTime,
    },
    /// A breakout room was created.
    BreakoutRoomCreate {
        /// The new room.
        breakout_room: BreakoutRoom,
    },
    /// A user was moved into (or out of, when `null`) a breakout room.
    BreakoutRoomAssign {
        /// Who.
        user_id: String,
        /// Where; `null` is the main room.
        breakout_room_id: Option<String>,
    },
    /// A breakout room was closed and its members returned to the main room.
    BreakoutRoomClose {
        /// Which.
        breakout_room_id: String,
        /// Who returned.
        returned: Vec<String>,
    },
    /// A participant's virtual background changed.
    VirtualBackgroundUpdate {
        /// Whose.
        user_id: String,
        /// The background.
        background: VirtualBackground,
    },
    /// A recording started (seed 004 name).
    #[serde(rename = "recording_started")]
    RecordingStarted {
        /// The recording.
        recording: RecordingView,
    },
    /// A recording stopped and is being processed.
    #[serde(rename = "recording_stopped")]
    RecordingStopped {
        /// The recording.
        recording: RecordingView,
    },
    /// A recording was paused.
    #[serde(rename = "recording_paused")]
    RecordingPaused {
        /// The recording.
        recording: RecordingView,
    },
    /// A recording was resumed.
    #[serde(rename = "recording_resumed")]
    RecordingResumed {
        /// The recording.
        recording: RecordingView,
    },
    /// A recording was cancelled.
    #[serde(rename = "recording_cancelled")]
    RecordingCancelled {
        /// The recording.
        recording: RecordingView,
    },
    /// The state of a recording (answer to `recording-control` `status`, and
    /// on processing results).
    RecordingStatus {
        /// The recording.
        recording: RecordingView,
    },
    /// A live stream started.
    LiveStreamStart {
        /// The stream.
        stream: LiveStream,
    },
    /// A live stream stopped.
    LiveStreamStop {
        /// The stream.
        stream: LiveStream,
    },
    /// Relayed E2EE public key.
    E2eeKeyExchange {
        /// Sender.
        from: String,
        /// Key id.
        key_id: u32,
        /// Base64 public key.
        public_key: String,
        /// Base64 signature.
        #[serde(skip_serializing_if = "Option::is_none")]
        signature: Option<String>,
        /// Algorithm label.
        #[serde(skip_serializing_if = "Option::is_none")]
        algorithm: Option<String>,
    },
    /// Relayed E2EE ratchet update.
    E2eeRatchetUpdate {
        /// Sender.
        from: String,
        /// Key id.
        key_id: u32,
        /// Generation.
        generation: u64,
        /// Base64 ciphertext.
        encrypted_key: String,
    },
    /// Relayed `file-share-offer` (peer-to-peer mode).
    FileShareOffer(FileShareOut),
    /// Relayed `file-share-accept`.
    FileShareAccept(FileShareOut),
    /// Relayed `file-share-reject`.
    FileShareReject(FileShareOut),
    /// Relayed `file-share-progress`.
    FileShareProgress(FileShareOut),
    /// Relayed `file-share-complete`.
    FileShareComplete(FileShareOut),
    /// Sent first on a connection that resumed with `last_sequence`: the
    /// missed events follow, in order, each with its `seq`.
    ReconnectionDetected {
        /// How many events follow.
        missed_message_count: usize,
        /// The newest sequence number of the room.
        last_sequence: u64,
    },
    /// The gap is older than the replay buffer: a full `room-state` follows.
    ResyncRequired {
        /// The sequence the client asked to resume after.
        requested_sequence: u64,
        /// The newest sequence number of the room.
        last_sequence: u64,
    },
    /// A participant lost its connection and may come back.
    ParticipantReconnecting {
        /// Who.
        user_id: String,
    },
    /// Reply to `ping`.
    Pong {
        /// The client's `ts`, echoed.
        #[serde(skip_serializing_if = "Option::is_none")]
        ts: Option<serde_json::Value>,
        /// Server time.
        #[serde(with = "time::serde::rfc3339")]
        server_time: OffsetDateTime,
    },
}

/// Relayed `file-share-*` message.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FileShareOut {
    /// Sender.
    pub from: String,
    /// Transfer id.
    pub transfer_id: String,
    /// Progress, if reported.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bytes_transferred: Option<u64>,
    /// The transfer record with its progress, for server-tracked transfers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transfer: Option<serde_json::Value>,
}

impl ServerMessage {
    /// Whether the message goes into the room's replay log and carries a
    /// `seq`. Offers, answers and ICE candidates do not: after a reconnect
    /// the client restarts ICE, and a stale SDP would do harm. Replies to one
    /// connection (pong, error, room-state, replay notices) do not either.
    pub fn is_replayable(&self) -> bool {
        !matches!(
            self,
            ServerMessage::Offer { .. }
                | ServerMessage::Answer { .. }
                | ServerMessage::IceCandidate { .. }
                | ServerMessage::RoomState(_)
                | ServerMessage::Error { .. }
                | ServerMessage::ReconnectionDetected { .. }
                | ServerMessage::ResyncRequired { .. }
                | ServerMessage::Pong { .. }
        )
    }

    /// The `error` message for a domain error.
    pub fn error(e: &SignalError, in_reply_to: Option<MessageType>) -> Self {
        ServerMessage::Error {
            code: e.code,
            message: e.message.clone(),
            hint: e.code.hint(),
            retry_after: e.retry_after,
            in_reply_to: in_reply_to.map(MessageType::as_str),
        }
    }

    /// Serializes to JSON text.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("server messages always serialize")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chat_records_are_visible_to_their_live_audience_only() {
        let rec = |from: &str, to: Option<&str>, group: Option<&str>| ChatRecord {
            id: "1".into(),
            room_id: "r".into(),
            from: from.into(),
            from_name: from.into(),
            message: "m".into(),
            to: to.map(Into::into),
            breakout_room_id: group.map(Into::into),
            timestamp: OffsetDateTime::UNIX_EPOCH,
        };
        let public = rec("a", None, None);
        assert!(public.visible_to("b", None));
        assert!(!public.visible_to("b", Some("g1")));
        let private = rec("a", Some("b"), None);
        assert!(private.visible_to("a", Some("g1")) && private.visible_to("b", None));
        assert!(!private.visible_to("c", None));
        let breakout = rec("a", None, Some("g1"));
        assert!(breakout.visible_to("c", Some("g1")));
        assert!(!breakout.visible_to("c", None) && !breakout.visible_to("c", Some("g2")));
        assert!(breakout.visible_to("a", None), "the sender keeps their own");
    }

    #[test]
    fn decodes_offer_with_aliases() {
        let m = decode(r#"{"type":"offer","to":"bob","sdp":"v=0\r\n"}"#).unwrap();
        assert_eq!(m.message_type(), MessageType::Offer);
        let ClientMessage::Offer(o) = m else { panic!() };
        assert_eq!(o.target.as_str(), "bob");
    }

    #[test]
    fn decodes_browser_ice_candidate() {
        let m = decode(
            r#"{"type":"ice-candidate","target":"b","candidate":{"candidate":"candidate:1 1 udp 1 127.0.0.1 5000 typ host","sdpMid":"0","sdpMLineIndex":0}}"#,
        )
        .unwrap();
        let ClientMessage::IceCandidate(c) = m else {
            panic!()
        };
        assert_eq!(c.candidate.sdp_m_line_index, Some(0));
    }

    #[test]
    fn error_codes_for_bad_frames() {
        let code = |s: &str| decode(s).unwrap_err().code;
        assert_eq!(code("not json"), ErrorCode::InvalidMessage);
        assert_eq!(code("[1,2]"), ErrorCode::InvalidMessage);
        assert_eq!(code(r#"{"sdp":"x"}"#), ErrorCode::InvalidMessage);
        assert_eq!(
            code(r#"{"type":"teleport"}"#),
            ErrorCode::UnknownMessageType
        );
        assert_eq!(
            code(r#"{"type":"user-joined"}"#),
            ErrorCode::UnsupportedMessageType
        );
        assert_eq!(
            code(r#"{"type":"offer","sdp":"v=0"}"#),
            ErrorCode::InvalidMessage
        );
        assert_eq!(
            code(r#"{"type":"offer","target":"../x","sdp":"v=0"}"#),
            ErrorCode::InvalidMessage
        );
        assert_eq!(code(r#"{"type":5}"#), ErrorCode::InvalidMessage);
    }

    #[test]
    fn every_client_sendable_type_decodes_from_an_example() {
        // Each non-server-only type has a minimal valid example; keeps docs/protocol.md honest.
        let examples = [
            r#"{"type":"offer","target":"b","sdp":"v=0"}"#,
            r#"{"type":"answer","target":"b","sdp":"v=0"}"#,
            r#"{"type":"ice-candidate","target":"b","candidate":{"candidate":""}}"#,
            r#"{"type":"media-control","kind":"audio","muted":true}"#,
            r#"{"type":"screen-share-control","action":"start"}"#,
            r#"{"type":"chat-message","message":"hi"}"#,
            r#"{"type":"recording-control","action":"start"}"#,
            r#"{"type":"file-share-offer","target":"b","transfer_id":"t"}"#,
            r#"{"type":"file-share-accept","target":"b","transfer_id":"t"}"#,
            r#"{"type":"file-share-reject","target":"b","transfer_id":"t"}"#,
            r#"{"type":"file-share-progress","target":"b","transfer_id":"t","bytes_transferred":5}"#,
            r#"{"type":"file-share-complete","target":"b","transfer_id":"t"}"#,
            r#"{"type":"network-stats","latency_ms":20}"#,
            r#"{"type":"analytics-event","event_type":"x"}"#,
            r#"{"type":"participant-update","display_name":"Al"}"#,
            r#"{"type":"room-settings-update","locked":true}"#,
            r#"{"type":"hand-raise","raised":true}"#,
            r#"{"type":"waiting-room-admit","user_id":"b"}"#,
            r#"{"type":"waiting-room-reject","user_id":"b"}"#,
            r#"{"type":"reaction","emoji":"👍"}"#,
            r#"{"type":"breakout-room-create","name":"A"}"#,
            r#"{"type":"breakout-room-assign","breakout_room_id":"br-1","user_id":"b"}"#,
            r#"{"type":"breakout-room-close","breakout_room_id":"br-1"}"#,
            r#"{"type":"virtual-background-update","background":{"mode":"blur"}}"#,
            r#"{"type":"live-stream-start"}"#,
            r#"{"type":"live-stream-stop","stream_id":"s"}"#,
            r#"{"type":"e2ee-key-exchange","target":"b","key_id":1,"public_key":"AAAA"}"#,
            r#"{"type":"e2ee-ratchet-update","key_id":1,"generation":2,"encrypted_key":"AAAA"}"#,
            r#"{"type":"ping"}"#,
        ];
        let mut seen = std::collections::HashSet::new();
        for e in examples {
            let m = decode(e).unwrap_or_else(|err| panic!("{e}: {err}"));
            seen.insert(m.message_type());
        }
        for t in MessageType::ALL {
            if t.direction() != Direction::ServerToClient {
                assert!(seen.contains(t), "no example for {}", t.as_str());
            }
        }
    }

    #[test]
    fn server_messages_carry_their_wire_type() {
        let m = ServerMessage::UserLeft {
            user_id: "a".into(),
            reason: LeaveReason::Left,
        };
        let v: serde_json::Value = serde_json::from_str(&m.to_json()).unwrap();
        assert_eq!(v["type"], "user-left");
        let e = ServerMessage::error(&SignalError::new(ErrorCode::RoomFull, "full"), None);
        let v: serde_json::Value = serde_json::from_str(&e.to_json()).unwrap();
        assert_eq!(v["type"], "error");
        assert_eq!(v["code"], "ROOM_FULL");
        assert!(v["hint"].as_str().unwrap().len() > 5);
    }
}
