//! The bodies of the messages clients send.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::RelayText;
use crate::UserId;
use crate::room::{DeviceInfo, MediaKind, NetworkStats, VirtualBackground};

/// `offer` / `answer`: an SDP for one peer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SdpRelay {
    /// The peer to deliver to.
    #[serde(alias = "to", alias = "target_user_id", alias = "target_id")]
    pub target: UserId,
    /// The SDP text (`RTCSessionDescription.sdp`), with the literal it
    /// came as when [`decode`](super::decode) read it.
    pub sdp: RelayText,
}

/// What a published track carries (`media-offer.sources`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaSource {
    /// Microphone audio (the default for audio).
    Microphone,
    /// Camera video (the default for video).
    Camera,
    /// A screen share's video.
    Screen,
    /// A screen share's audio.
    ScreenAudio,
}

/// `media-offer` / `media-answer`: an SDP between a participant and the
/// server's media plane (SFU rooms).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MediaSdp {
    /// The SDP text.
    pub sdp: String,
    /// What each send section carries, by `mid` (offers only; at most 16;
    /// undeclared sections are microphone or camera by kind).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub sources: std::collections::BTreeMap<String, MediaSource>,
}

/// `typing`: the sender started or stopped typing a chat message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TypingReq {
    /// Typing now (`false`: stopped, or sent).
    pub active: bool,
    /// Typing a private message to this user: only they are told.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<UserId>,
}

/// `subscription-update`: what a subscriber wants of the tracks it
/// receives in an SFU room.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubscriptionUpdate {
    /// One entry per track (at most 64).
    pub tracks: Vec<TrackSubscription>,
}

/// A subscriber's wish for one track it receives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackSubscription {
    /// The subscriber's own transceiver mid (from `media-tracks`).
    pub mid: String,
    /// The largest width it renders the track at (the server picks the
    /// smallest simulcast layer that covers it); absent: the largest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    /// The largest height, with `width`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
    /// Forward nothing of it until unpaused (a hidden tile).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub paused: bool,
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IceRelay {
    /// The peer to deliver to.
    #[serde(alias = "to", alias = "target_user_id", alias = "target_id")]
    pub target: UserId,
    /// The candidate.
    pub candidate: IceCandidateInit,
}

/// `media-control`: mute or unmute oneself, or (moderators) mute someone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScreenShareReq {
    /// Start or stop sharing.
    pub action: StartStop,
    /// Someone else (moderators only, stop only).
    #[serde(default)]
    pub target: Option<UserId>,
}

/// `chat-message` from a client.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatSend {
    /// The text; markup is neutralized by the server.
    #[serde(alias = "text", alias = "content")]
    pub message: String,
    /// A private message to one participant.
    #[serde(default, alias = "target")]
    pub to: Option<UserId>,
    /// The id of the message this one replies to. A thread is a message
    /// and the replies naming it; a reply within a thread names the
    /// thread's first message (as in Slack).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<String>,
}

/// `chat-edit`: the author changes the text of their message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatEditReq {
    /// The message.
    pub message_id: String,
    /// Its new text (sanitized and bounded as a new message is).
    #[serde(alias = "text", alias = "content")]
    pub message: String,
}

/// `chat-delete`: the author, or a moderator, deletes a message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatDeleteReq {
    /// The message.
    pub message_id: String,
}

/// `chat-read`: the sender has read the room's chat up to this message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatReadReq {
    /// The newest message read.
    pub message_id: String,
}

/// `reaction` from a client.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReactionSend {
    /// A short emoji or reaction name.
    #[serde(alias = "reaction")]
    pub emoji: String,
    /// A reaction on this chat message (kept with it) instead of a
    /// passing one to the room.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    /// Adds (`true`, the default) or takes back (`false`) a reaction on a
    /// message.
    #[serde(default = "yes", skip_serializing_if = "is_yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

fn is_yes(b: &bool) -> bool {
    *b
}

/// `hand-raise` from a client.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HandRaiseReq {
    /// Raise (true) or lower (false).
    pub raised: bool,
    /// Someone else's hand (moderators, lowering only).
    #[serde(default)]
    pub target: Option<UserId>,
}

/// `participant-update` from a client (its own info).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ParticipantUpdateReq {
    /// New display name: it must keep a visible character once sanitized
    /// ([`crate::sanitize::VISIBLE_PATTERN`]).
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(
            pattern = r"[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200b\u2028\u2029\u202a-\u202f\u205f\u2066-\u2069\u3000\ufeff]"
        )
    )]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetUser {
    /// The user.
    #[serde(alias = "target")]
    pub user_id: UserId,
}

/// `breakout-room-create`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BreakoutCreate {
    /// Name shown to participants.
    pub name: String,
}

/// `breakout-room-assign`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BreakoutAssign {
    /// Target breakout room; `null` moves the user back to the main room.
    #[serde(default)]
    pub breakout_room_id: Option<String>,
    /// The user to move.
    pub user_id: UserId,
}

/// `breakout-room-close`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BreakoutRef {
    /// The breakout room.
    pub breakout_room_id: String,
}

/// `virtual-background-update` from a client.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VirtualBackgroundReq {
    /// The new background.
    pub background: VirtualBackground,
}

/// `live-stream-start`.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LiveStreamStartReq {
    /// Title.
    #[serde(default)]
    pub title: Option<String>,
    /// Target platform label, e.g. `youtube`.
    #[serde(default)]
    pub platform: Option<String>,
    /// RTMP(S) destination, `rtmp://host/app`: with it the server streams
    /// the room (SFU rooms); without, the stream is metadata only.
    #[serde(
        default,
        alias = "rtmp_url",
        alias = "destination",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(pattern = r"^\s*rtmps?://"))]
    pub url: Option<String>,
    /// The stream key, the last segment of the URL the server pushes to:
    /// a secret, never returned, logged or kept with the room.
    #[serde(default, alias = "key", skip_serializing_if = "Option::is_none")]
    pub stream_key: Option<String>,
    /// `grid` (the default) or `speaker`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layout: Option<crate::room::StreamLayout>,
    /// The preset: `low`, `medium` (the default), `high` or `ultra`.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<::recording::Quality>))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quality: Option<::recording::Quality>,
    /// Also (or only, without `url`) as HLS, served by this server (SFU
    /// rooms).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hls: Option<bool>,
}

impl std::fmt::Debug for LiveStreamStartReq {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveStreamStartReq")
            .field("title", &self.title)
            .field("platform", &self.platform)
            .field("url", &self.url)
            .field("stream_key", &self.stream_key.as_ref().map(|_| "<secret>"))
            .field("layout", &self.layout)
            .field("quality", &self.quality)
            .field("hls", &self.hls)
            .finish()
    }
}

/// `live-stream-stop`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnalyticsEventReq {
    /// Event name, e.g. `quality`, `screen-share`.
    pub event_type: String,
    /// Free-form data (bounded by the frame size).
    #[serde(default)]
    pub data: serde_json::Map<String, serde_json::Value>,
}

/// `network-stats` from a client.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NetworkStatsReq {
    /// The statistics.
    #[serde(flatten)]
    pub stats: NetworkStats,
}

/// `ping`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PingReq {
    /// Echoed back in the `pong`.
    #[serde(default)]
    pub ts: Option<serde_json::Value>,
}

/// P2P file-transfer signaling (`file-share-*`) relayed between sender and receiver.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    pub quality: Option<::recording::Quality>,
    /// Who makes the media, for `start`: `server` (the default in SFU
    /// rooms; SFU rooms only) or `client` (the default in mesh rooms).
    #[serde(default)]
    pub source: Option<::recording::Source>,
    /// The composite's layout for a server recording (default grid).
    #[serde(default)]
    pub layout: Option<::recording::Layout>,
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
