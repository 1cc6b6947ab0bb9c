//! The messages the server sends.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::room::{
    BreakoutRoom, HandRaiseEntry, LiveStream, MediaKind, NetworkStats, ParticipantView,
    RoomSettings, VirtualBackground,
};
use crate::{ErrorCode, SignalError};
use auth::{Permissions, Role};

use super::*;

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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    /// The receiver's unread chat (in a `room-state` sent on joining).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chat_unread: Option<ChatUnread>,
}

/// How far one user has read a room's chat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReadReceipt {
    /// The reader.
    pub user_id: String,
    /// The newest message they have read.
    pub message_id: String,
    /// When that message was sent.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    #[serde(with = "time::serde::rfc3339")]
    pub message_at: OffsetDateTime,
    /// When they read it.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    #[serde(with = "time::serde::rfc3339")]
    pub read_at: OffsetDateTime,
}

impl ReadReceipt {
    /// Its place in the history, as text that sorts like the history: the
    /// message's send time (zero-padded nanoseconds), then its id. A read
    /// mark only moves to a greater position.
    pub fn position(&self) -> String {
        position_of(self.message_at, &self.message_id)
    }
}

/// The [`ReadReceipt::position`] of a message sent at `at` with id `id`.
pub fn position_of(at: OffsetDateTime, id: &str) -> String {
    format!("{:020}:{id}", at.unix_timestamp_nanos().max(0))
}

/// A user's unread chat in a room.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChatUnread {
    /// Messages they could see, sent by others after their read mark (all
    /// of them without one).
    pub count: usize,
    /// Whether there are more than `count`: counting stops after a bounded
    /// read of the history.
    pub more: bool,
    /// Their read mark, if they have one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_read: Option<ReadReceipt>,
}

/// A waiting user, as moderators see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WaitingView {
    /// The user.
    pub user_id: String,
    /// Display name.
    pub name: String,
    /// Since when.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    #[serde(with = "time::serde::rfc3339")]
    pub since: OffsetDateTime,
}

/// A chat message as delivered and stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    /// The message this one replies to (its thread's first message).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<String>,
    /// Reactions on it: each emoji with who reacted, in order.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub reactions: std::collections::BTreeMap<String, Vec<String>>,
    /// When its author last changed its text, if they did.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "time::serde::rfc3339::option"
    )]
    pub edited_at: Option<OffsetDateTime>,
    /// When.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    #[serde(with = "time::serde::rfc3339")]
    pub timestamp: OffsetDateTime,
}

/// Adds `user` to the `emoji` list of `reactions` once (`active`), or
/// takes them out, dropping an emoji nobody is left on: the one rule every
/// chat store applies.
pub fn apply_reaction(
    reactions: &mut std::collections::BTreeMap<String, Vec<String>>,
    emoji: &str,
    user: &str,
    active: bool,
) {
    if active {
        let users = reactions.entry(emoji.to_owned()).or_default();
        if !users.iter().any(|u| u == user) {
            users.push(user.to_owned());
        }
    } else if let Some(users) = reactions.get_mut(emoji) {
        users.retain(|u| u != user);
        if users.is_empty() {
            reactions.remove(emoji);
        }
    }
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

/// Messages the server sends. Serialized with a `type` tag; clients (the
/// `rtc-client` crate) deserialize them back, ignoring the `seq` field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum ServerMessage {
    /// A relayed offer.
    Offer {
        /// Sender.
        from: String,
        /// SDP text (written as the sender's literal).
        sdp: RelayText,
    },
    /// A relayed answer.
    Answer {
        /// Sender.
        from: String,
        /// SDP text (written as the sender's literal).
        sdp: RelayText,
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
        /// What to do (a `Cow` so that clients can deserialize it).
        hint: std::borrow::Cow<'static, str>,
        /// Seconds before retrying (rate limits).
        #[serde(skip_serializing_if = "Option::is_none")]
        retry_after: Option<u64>,
        /// The type of the message that caused it, if known.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        in_reply_to: Option<std::borrow::Cow<'static, str>>,
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
    /// A chat message's author changed its text (`edited_at` set).
    ChatUpdated(ChatRecord),
    /// Someone read the room's chat up to a message (told to those who
    /// could see that message).
    ChatRead(ReadReceipt),
    /// Someone added or took back a reaction on a chat message.
    ChatReaction {
        /// The message.
        message_id: String,
        /// The reaction.
        emoji: String,
        /// Who.
        user_id: String,
        /// Added (`true`) or taken back.
        active: bool,
    },
    /// A chat message was deleted: its text is gone from every store.
    ChatDeleted {
        /// The message.
        message_id: String,
        /// Who deleted it (its author or a moderator).
        deleted_by: String,
    },
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
    /// A server stream's status changed (live, reconnecting, failed,
    /// stopped at the time limit or with the room).
    LiveStreamUpdate {
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
    /// The media plane's offer (tracks of others came or went); answer
    /// with `media-answer`.
    MediaOffer {
        /// SDP text.
        sdp: String,
    },
    /// The media plane's answer to the client's `media-offer`.
    MediaAnswer {
        /// SDP text.
        sdp: String,
    },
    /// The tracks the client receives from the media plane, by its own
    /// transceiver `mid`; sent before every `media-offer`.
    MediaTracks {
        /// The tracks.
        tracks: Vec<MediaTrackView>,
    },
    /// Someone started or stopped typing a chat message (never stored or
    /// replayed).
    Typing {
        /// Who.
        user_id: String,
        /// Typing now.
        active: bool,
        /// A private message to the receiver.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        private: bool,
    },
    /// Who speaks in an SFU room, loudest first; sent when it changes (at
    /// most every 300 ms).
    ActiveSpeakers {
        /// Everyone speaking now, loudest first.
        speakers: Vec<ActiveSpeaker>,
        /// The one who has been loudest for a while (kept through short
        /// interjections); `null` in silence.
        dominant: Option<String>,
    },
}

/// A participant heard speaking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActiveSpeaker {
    /// Who.
    pub user_id: String,
    /// Smoothed loudness, 0 (silence) to 1 (full scale).
    pub level: f32,
}

/// One track a participant receives in an SFU room.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaTrackView {
    /// The receiver's transceiver `mid` that carries it.
    pub mid: String,
    /// Whose track it is.
    pub user_id: String,
    /// What it carries.
    pub source: MediaSource,
    /// `audio` or `video`.
    pub kind: String,
}

/// Relayed `file-share-*` message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    pub transfer: Option<Box<file_transfer::TransferView>>,
}

impl From<file_transfer::Notice> for ServerMessage {
    /// The `file-share-*` message of a server-tracked transfer's notice.
    fn from(n: file_transfer::Notice) -> Self {
        use file_transfer::NoticeKind as K;
        let out = FileShareOut {
            from: n.from.to_string(),
            transfer_id: n.view.transfer.transfer_id.clone(),
            bytes_transferred: Some(n.view.bytes_transferred),
            transfer: Some(Box::new(n.view)),
        };
        match n.kind {
            K::Offer => ServerMessage::FileShareOffer(out),
            K::Accept => ServerMessage::FileShareAccept(out),
            K::Reject => ServerMessage::FileShareReject(out),
            K::Progress => ServerMessage::FileShareProgress(out),
            K::Complete => ServerMessage::FileShareComplete(out),
        }
    }
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
                | ServerMessage::MediaOffer { .. }
                | ServerMessage::MediaAnswer { .. }
                | ServerMessage::MediaTracks { .. }
                | ServerMessage::ActiveSpeakers { .. }
                | ServerMessage::Typing { .. }
                | ServerMessage::ChatRead(_)
        )
    }

    /// The `error` message for a domain error.
    pub fn error(e: &SignalError, in_reply_to: Option<MessageType>) -> Self {
        ServerMessage::Error {
            code: e.code,
            message: e.message.clone(),
            hint: e.code.hint().into(),
            retry_after: e.retry_after,
            in_reply_to: in_reply_to.map(|t| t.as_str().into()),
        }
    }

    /// Serializes to JSON text.
    pub fn to_json(&self) -> String {
        // Sized for a relay up front (an SDP, a candidate's strings), not
        // grown by doubling: a reallocation was 3 % of a candidate's relay.
        let relayed = match self {
            ServerMessage::Offer { sdp, .. } | ServerMessage::Answer { sdp, .. } => sdp.json_len(),
            ServerMessage::IceCandidate { from, candidate } => {
                let text = |s: &Option<String>| s.as_ref().map_or(0, |s| s.len() + 24);
                from.len()
                    + candidate.candidate.len()
                    + text(&candidate.sdp_mid)
                    + text(&candidate.username_fragment)
            }
            _ => 0,
        };
        let mut out = Vec::with_capacity(128 + relayed);
        serde_json::to_writer(&mut out, self).expect("server messages always serialize");
        String::from_utf8(out).expect("serde_json writes UTF-8")
    }
}
