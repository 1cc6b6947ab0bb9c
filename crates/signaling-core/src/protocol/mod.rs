//! The WebSocket protocol: every message type as typed Rust values.
//!
//! Frames are JSON objects with a `type` field. Decoding is two-phase: the
//! `type` is read first (borrowed, cheap), then the body is parsed into that
//! type's struct. This gives distinct codes for "not JSON / missing fields"
//! (`INVALID_MESSAGE`), "no such type" (`UNKNOWN_MESSAGE_TYPE`) and "a type
//! only the server sends" (`UNSUPPORTED_MESSAGE_TYPE`), and avoids serde's
//! buffering of internally tagged enums on the hot relay path.
//! Unknown extra fields are ignored so that clients can evolve.
//!
//! `client.rs` holds the bodies of the messages clients send, `server.rs`
//! the messages the server sends; this file the type table and decoding.

mod client;
mod relay_text;
mod server;

pub use client::*;
pub use relay_text::RelayText;
pub use server::*;

use serde::Deserialize;
use std::borrow::Cow;

use crate::room::RoomSettingsPatch;
use crate::{ErrorCode, SignalError};

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
    LiveStreamUpdate = "live-stream-update", ServerToClient;
    E2eeKeyExchange = "e2ee-key-exchange", Both;
    E2eeRatchetUpdate = "e2ee-ratchet-update", Both;
    ReconnectionDetected = "reconnection-detected", ServerToClient;
    ResyncRequired = "resync-required", ServerToClient;
    ParticipantReconnecting = "participant-reconnecting", ServerToClient;
    DataMessage = "data-message", ServerToClient;
    RoomMetadataUpdate = "room-metadata-update", ServerToClient;
    Ping = "ping", ClientToServer;
    MediaOffer = "media-offer", Both;
    MediaAnswer = "media-answer", Both;
    MediaTracks = "media-tracks", ServerToClient;
    SubscriptionUpdate = "subscription-update", ClientToServer;
    ActiveSpeakers = "active-speakers", ServerToClient;
    Typing = "typing", Both;
    ChatEdit = "chat-edit", ClientToServer;
    ChatDelete = "chat-delete", ClientToServer;
    ChatUpdated = "chat-updated", ServerToClient;
    ChatDeleted = "chat-deleted", ServerToClient;
    ChatReaction = "chat-reaction", ServerToClient;
    ChatRead = "chat-read", Both;
    Pong = "pong", ServerToClient;
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
    /// `media-offer` (SFU rooms)
    MediaOffer(MediaSdp),
    /// `media-answer` (SFU rooms)
    MediaAnswer(MediaSdp),
    /// `subscription-update` (SFU rooms)
    SubscriptionUpdate(SubscriptionUpdate),
    /// `typing`
    Typing(TypingReq),
    /// `chat-edit`
    ChatEdit(ChatEditReq),
    /// `chat-delete`
    ChatDelete(ChatDeleteReq),
    /// `chat-read`
    ChatRead(ChatReadReq),
}

impl ClientMessage {
    /// The message's type.
    pub fn message_type(&self) -> MessageType {
        use ClientMessage as C;
        use MessageType as T;
        match self {
            C::Offer(_) => T::Offer,
            C::MediaOffer(_) => T::MediaOffer,
            C::MediaAnswer(_) => T::MediaAnswer,
            C::SubscriptionUpdate(_) => T::SubscriptionUpdate,
            C::Typing(_) => T::Typing,
            C::ChatEdit(_) => T::ChatEdit,
            C::ChatDelete(_) => T::ChatDelete,
            C::ChatRead(_) => T::ChatRead,
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
    serde_json::from_str(text).map_err(invalid)
}

fn invalid(e: serde_json::Error) -> SignalError {
    SignalError::new(ErrorCode::InvalidMessage, e.to_string())
}

/// [`SdpRelay`] as it comes: the SDP borrowed as its JSON literal.
#[derive(Deserialize)]
struct SdpWire<'a> {
    #[serde(alias = "to", alias = "target_user_id", alias = "target_id")]
    target: crate::UserId,
    #[serde(borrow)]
    sdp: &'a serde_json::value::RawValue,
}

/// An `offer` or `answer`, its SDP kept with its literal (see [`RelayText`]).
fn sdp_relay(text: &str) -> Result<SdpRelay, SignalError> {
    let wire: SdpWire<'_> = body(text)?;
    Ok(SdpRelay {
        target: wire.target,
        sdp: RelayText::from_literal(wire.sdp).map_err(invalid)?,
    })
}

/// The type of a frame that starts `{"type":"` with a plain name (no
/// escapes), as every client writes it: read without a JSON pass. The body
/// is parsed in full afterwards, so a frame that is not JSON is still
/// refused; anything else goes through [`Head`].
fn leading_type(text: &str) -> Option<&str> {
    let rest = text.strip_prefix(r#"{"type":""#)?;
    let end = rest.find(['"', '\\'])?;
    (rest.as_bytes()[end] == b'"').then(|| &rest[..end])
}

/// Decodes one client frame.
pub fn decode(text: &str) -> Result<ClientMessage, SignalError> {
    // A type a client may send, read off the front; anything else (an
    // unknown or server-only type, another layout) takes the JSON pass, so
    // a broken frame is `INVALID_MESSAGE` before its type is judged.
    let fast = leading_type(text)
        .and_then(MessageType::from_wire)
        .filter(|m| m.direction() != Direction::ServerToClient);
    let mt = match fast {
        Some(mt) => mt,
        None => {
            let head: Head<'_> = serde_json::from_str(text).map_err(|e| {
                SignalError::new(ErrorCode::InvalidMessage, format!("not a JSON object: {e}"))
            })?;
            let ty = head
                .ty
                .ok_or_else(|| SignalError::new(ErrorCode::InvalidMessage, "missing \"type\""))?;
            MessageType::from_wire(&ty).ok_or_else(|| {
                let shown: String = ty.chars().take(40).collect();
                SignalError::new(
                    ErrorCode::UnknownMessageType,
                    format!("unknown type {shown:?}"),
                )
            })?
        }
    };
    use ClientMessage as C;
    use MessageType as T;
    Ok(match mt {
        T::Offer => C::Offer(sdp_relay(text)?),
        T::MediaOffer => C::MediaOffer(body(text)?),
        T::MediaAnswer => C::MediaAnswer(body(text)?),
        T::SubscriptionUpdate => C::SubscriptionUpdate(body(text)?),
        T::Typing => C::Typing(body(text)?),
        T::ChatEdit => C::ChatEdit(body(text)?),
        T::ChatDelete => C::ChatDelete(body(text)?),
        T::ChatRead => C::ChatRead(body(text)?),
        T::Answer => C::Answer(sdp_relay(text)?),
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

#[cfg(test)]
mod tests {
    use super::*;
    use time::OffsetDateTime;

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
            reply_to: None,
            reactions: Default::default(),
            edited_at: None,
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

    /// `decode` reads offers and answers through its own wire struct: every
    /// name [`SdpRelay`] accepts for the target must work there too.
    #[test]
    fn every_target_alias_of_an_sdp_relay_decodes() {
        for ty in ["offer", "answer"] {
            for key in ["target", "to", "target_user_id", "target_id"] {
                let body = format!(r#""{key}":"bob","sdp":"v=0\r\n""#);
                let public: SdpRelay = serde_json::from_str(&format!("{{{body}}}")).unwrap();
                let (ClientMessage::Offer(r) | ClientMessage::Answer(r)) =
                    decode(&format!(r#"{{"type":"{ty}",{body}}}"#)).unwrap()
                else {
                    panic!("{ty} with {key}: not an sdp relay")
                };
                assert_eq!(r, public, "{ty} with {key}");
                assert_eq!(r.target.as_str(), "bob", "{ty} with {key}");
            }
        }
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
        // An offer's SDP must be a string; a lone surrogate is no text.
        for sdp in ["42", "null", "{}", r#""\ud800""#] {
            let frame = format!(r#"{{"type":"offer","target":"b","sdp":{sdp}}}"#);
            assert_eq!(code(&frame), ErrorCode::InvalidMessage, "{frame}");
        }
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
        // The type read off the front never lets a broken frame through,
        // nor changes which error a broken one gets.
        assert_eq!(code(r#"{"type":"ping","ts":1"#), ErrorCode::InvalidMessage);
        assert_eq!(
            code(r#"{"type":"ping","ts":1} x"#),
            ErrorCode::InvalidMessage
        );
        assert_eq!(code(r#"{"type":"teleport""#), ErrorCode::InvalidMessage);
        assert_eq!(code(r#"{"type":"user-joined""#), ErrorCode::InvalidMessage);
    }

    /// Frames whose type is read off the front decode as they do through
    /// the JSON pass (other layouts, an escaped name).
    #[test]
    fn the_leading_type_and_the_json_pass_agree() {
        assert_eq!(leading_type(r#"{"type":"ping","ts":1}"#), Some("ping"));
        assert_eq!(leading_type(r#"{"type":"p\u0069ng"}"#), None);
        assert_eq!(leading_type(r#"{ "type":"ping"}"#), None);
        assert_eq!(leading_type(r#"{"type":"ping"#), None);
        for frame in [
            r#"{"type":"ping","ts":7}"#,
            r#"{"ts":7,"type":"ping"}"#,
            r#" {"type" : "ping", "ts":7}"#,
            r#"{"type":"p\u0069ng","ts":7}"#,
        ] {
            let m = decode(frame).unwrap();
            assert_eq!(m.message_type(), MessageType::Ping, "{frame}");
        }
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
            r#"{"type":"reaction","emoji":"👍","message_id":"m1","active":false}"#,
            r#"{"type":"chat-read","message_id":"m1"}"#,
            r#"{"type":"breakout-room-create","name":"A"}"#,
            r#"{"type":"breakout-room-assign","breakout_room_id":"br-1","user_id":"b"}"#,
            r#"{"type":"breakout-room-close","breakout_room_id":"br-1"}"#,
            r#"{"type":"virtual-background-update","background":{"mode":"blur"}}"#,
            r#"{"type":"live-stream-start"}"#,
            r#"{"type":"live-stream-stop","stream_id":"s"}"#,
            r#"{"type":"e2ee-key-exchange","target":"b","key_id":1,"public_key":"AAAA"}"#,
            r#"{"type":"e2ee-ratchet-update","key_id":1,"generation":2,"encrypted_key":"AAAA"}"#,
            r#"{"type":"ping"}"#,
            r#"{"type":"media-offer","sdp":"v=0\r\n","sources":{"0":"camera"}}"#,
            r#"{"type":"media-answer","sdp":"v=0\r\n"}"#,
            r#"{"type":"subscription-update","tracks":[{"mid":"3","width":320,"height":180},{"mid":"4","paused":true}]}"#,
            r#"{"type":"typing","active":true}"#,
            r#"{"type":"chat-edit","message_id":"m1","message":"new"}"#,
            r#"{"type":"chat-delete","message_id":"m1"}"#,
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
    fn server_messages_round_trip_through_their_wire_form() {
        use crate::room::{BreakoutRoom, HandRaiseEntry, MediaState, Participant, Presence};
        use auth::{Permissions, Role};
        let t = OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap();
        let p = Participant {
            user_id: crate::UserId::parse("bob").unwrap(),
            name: "Bob".into(),
            role: Role::Participant,
            permissions: Permissions::for_role(Role::Participant),
            connection: crate::ConnectionId::new(),
            joined_at: t,
            media: MediaState::default(),
            device_info: None,
            network_stats: None,
            video_quality: Some("720p".into()),
            background: None,
            breakout_room_id: None,
            presence: Presence::Reconnecting,
            disconnected_at: Some(t),
        };
        let rec = recording::Recording {
            recording_id: "rec-1".into(),
            room_id: "r".into(),
            started_by: "alice".into(),
            format: recording::Format::Webm,
            quality: recording::Quality::Medium,
            source: recording::Source::Client,
            layout: None,
            status: recording::RecordingStatus::Recording,
            started_at: t,
            paused_at: None,
            paused_secs: 3,
            stopped_at: None,
            failure: None,
            failure_code: None,
            outputs: vec![],
        };
        let chat = ChatRecord {
            id: "c1".into(),
            room_id: "r".into(),
            from: "alice".into(),
            from_name: "Alice".into(),
            message: "hi &lt;b&gt;".into(),
            to: Some("bob".into()),
            breakout_room_id: None,
            reply_to: Some("c0".into()),
            reactions: Default::default(),
            edited_at: None,
            timestamp: t,
        };
        let samples = vec![
            ServerMessage::Offer {
                from: "a".into(),
                sdp: "v=0\r\n".into(),
            },
            ServerMessage::UserJoined {
                participant: (&p).into(),
            },
            ServerMessage::UserLeft {
                user_id: "bob".into(),
                reason: LeaveReason::MovedToWaitingRoom,
            },
            ServerMessage::RoomState(RoomStateView {
                room_id: "r".into(),
                you: "alice".into(),
                participants: vec![(&p).into()],
                settings: crate::RoomConfig::default().default_settings,
                hand_raise_queue: vec![HandRaiseEntry {
                    user_id: crate::UserId::parse("bob").unwrap(),
                    raised_at: t,
                }],
                breakout_rooms: vec![BreakoutRoom {
                    id: "br-1".into(),
                    name: "A".into(),
                    created_at: t,
                }],
                live_streams: vec![],
                waiting_room: vec![WaitingView {
                    user_id: "g".into(),
                    name: "G".into(),
                    since: t,
                }],
                last_sequence: 81,
                metadata: "m".into(),
                chat_unread: Some(ChatUnread {
                    count: 3,
                    more: false,
                    last_read: Some(ReadReceipt {
                        user_id: "alice".into(),
                        message_id: "c0".into(),
                        message_at: t,
                        read_at: t,
                    }),
                }),
            }),
            ServerMessage::error(
                &SignalError {
                    retry_after: Some(7),
                    ..SignalError::new(ErrorCode::RateLimitExceeded, "slow down")
                },
                Some(MessageType::ChatMessage),
            ),
            ServerMessage::ChatMessage(chat.clone()),
            ServerMessage::RecordingStarted {
                recording: RecordingView::of(&rec, t),
            },
            ServerMessage::RecordingStatus {
                recording: RecordingView::of(&rec, t),
            },
            ServerMessage::FileShareOffer(FileShareOut {
                from: "alice".into(),
                transfer_id: "t1".into(),
                bytes_transferred: None,
                transfer: Some(Box::new(file_transfer::TransferView::of(
                    &file_transfer::Transfer {
                        transfer_id: "t1".into(),
                        room_id: crate::RoomId::parse("r").unwrap(),
                        sender: crate::UserId::parse("alice").unwrap(),
                        receiver: crate::UserId::parse("bob").unwrap(),
                        file_name: "a.bin".into(),
                        file_size: 3,
                        file_type: None,
                        sha256: None,
                        chunk_size: 65_536,
                        total_chunks: 1,
                        mode: file_transfer::TransferMode::Server,
                        state: file_transfer::TransferState::Pending,
                        bytes_transferred: 0,
                        created_at: t,
                        updated_at: t,
                        expires_at: t,
                        failure: None,
                        file_checksum: file_transfer::FileChecksum::NotOffered,
                    },
                    0,
                ))),
            }),
            ServerMessage::ReconnectionDetected {
                missed_message_count: 3,
                last_sequence: 9,
            },
            ServerMessage::ResyncRequired {
                requested_sequence: 1,
                last_sequence: 90,
            },
            ServerMessage::ParticipantReconnecting {
                user_id: "bob".into(),
            },
            ServerMessage::DataMessage {
                from: "#admin".into(),
                topic: None,
                data: serde_json::json!([1]),
            },
            ServerMessage::Pong {
                ts: Some(serde_json::json!(42)),
                server_time: t,
            },
            ServerMessage::Typing {
                user_id: "bob".into(),
                active: true,
                private: false,
            },
            ServerMessage::ChatUpdated(ChatRecord {
                edited_at: Some(t),
                ..chat.clone()
            }),
            ServerMessage::ChatDeleted {
                message_id: "c1".into(),
                deleted_by: "alice".into(),
            },
            ServerMessage::ChatRead(ReadReceipt {
                user_id: "bob".into(),
                message_id: "c1".into(),
                message_at: t,
                read_at: t,
            }),
            ServerMessage::ChatReaction {
                message_id: "c1".into(),
                emoji: "👍".into(),
                user_id: "bob".into(),
                active: true,
            },
            ServerMessage::MediaOffer {
                sdp: "v=0\r\n".into(),
            },
            ServerMessage::MediaAnswer {
                sdp: "v=0\r\n".into(),
            },
            ServerMessage::MediaTracks {
                tracks: vec![MediaTrackView {
                    mid: "3".into(),
                    user_id: "bob".into(),
                    source: MediaSource::Screen,
                    kind: "video".into(),
                }],
            },
            ServerMessage::ActiveSpeakers {
                speakers: vec![ActiveSpeaker {
                    user_id: "bob".into(),
                    level: 0.5,
                }],
                dominant: Some("bob".into()),
            },
        ];
        for m in samples {
            let json = m.to_json();
            let back: ServerMessage =
                serde_json::from_str(&json).unwrap_or_else(|e| panic!("{json}: {e}"));
            assert_eq!(back, m, "{json}");
            // The replay log's form (`seq` first) reads back the same.
            let seq: ServerMessage = serde_json::from_str(&with_seq(&json, 5)).unwrap();
            assert_eq!(seq, m);
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
