//! The one input type of the room engine and the one `match` that applies
//! it. Every client message and every REST or admin operation on a room is
//! a [`Command`]; [`Engine::apply`] hands it to the module of its feature.
//!
//! Adding a command: a variant here, its arms in [`Command::mutates`],
//! [`Command::message_type`], [`Command::rate_limits`] and
//! [`Engine::apply`] (each `match` is exhaustive, so the compiler lists
//! what is missing), and the rule itself in the feature's module.

use std::borrow::Cow;

use auth::{PermissionsPatch, Role};
use serde::Serialize;
use time::OffsetDateTime;

use super::{Actor, Effect, Engine};
use crate::protocol::*;
use crate::ratelimit::LimitKind;
use crate::room::{BreakoutRoom, LiveStream, NetworkStats, Room, RoomSettingsPatch};
use crate::{SignalError, UserId};

/// Something a participant, a REST caller or the operator asks of a room.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    // ---------------------------------------------------------------- relay.rs
    /// Relay an SDP offer to one peer.
    Offer(SdpRelay),
    /// Relay an SDP answer to one peer.
    Answer(SdpRelay),
    /// Relay an ICE candidate to one peer.
    IceCandidate(IceRelay),
    /// Relay an end-to-end encryption public key to one peer.
    E2eeKeyExchange(E2eeKeyExchange),
    /// Relay an encrypted key ratchet to one peer or the sender's group.
    E2eeRatchetUpdate(E2eeRatchetUpdate),
    /// Relay peer-to-peer file-share signaling (`file-share-*`).
    FileShare(MessageType, FileShareSignal),
    /// May the caller offer a file to `receiver` through the server
    /// (`POST …/transfers`)? Both in the room, the caller with
    /// `can_share_files`. Changes nothing.
    AuthorizeFileOffer {
        /// Who would receive the file.
        receiver: UserId,
    },
    // ---------------------------------------------------------------- sfu.rs
    /// `media-offer`: an SDP offer to the media plane.
    MediaOffer(MediaSdp),
    /// `media-answer`: the answer to the media plane's offer.
    MediaAnswer(MediaSdp),
    /// `subscription-update`: sizes and pauses of received tracks.
    SubscriptionUpdate(SubscriptionUpdate),
    // ---------------------------------------------------------------- chat.rs
    /// `typing`: a typing indicator.
    Typing(TypingReq),
    /// A chat message to the sender's group or one peer.
    ChatMessage(ChatSend),
    /// `chat-edit`, with the stored message as the service read it
    /// (`None`: the room holds no such message).
    ChatEdit(ChatEditReq, Option<Box<ChatRecord>>),
    /// `chat-delete`, with the stored message as the service read it.
    ChatDelete(ChatDeleteReq, Option<Box<ChatRecord>>),
    /// `chat-read`, with the stored message and the reader's current mark
    /// as the service read them.
    ChatRead(
        ChatReadReq,
        Option<Box<ChatRecord>>,
        Option<Box<crate::protocol::ReadReceipt>>,
    ),
    /// `reaction` with a `message_id`: a reaction kept on that message,
    /// with the stored message as the service read it.
    ChatReact(ReactionSend, Option<Box<ChatRecord>>),
    /// An emoji reaction.
    Reaction(ReactionSend),
    /// Application data (`data-message`) to the room or to `to` (moderators;
    /// the admin API).
    SendData {
        /// Only these participants; everyone when `None`.
        to: Option<Vec<UserId>>,
        /// A label for the receivers.
        topic: Option<String>,
        /// Any JSON.
        data: serde_json::Value,
    },
    // ---------------------------------------------------------------- participant.rs
    /// Change one's own display name, device info or quality figures.
    ParticipantUpdate {
        /// Whose info, when the caller names it (REST); it must be their own.
        user: Option<UserId>,
        /// The changes.
        update: ParticipantUpdateReq,
    },
    /// A connection-quality report.
    NetworkStats(NetworkStats),
    /// Change one's own virtual background.
    VirtualBackgroundUpdate(VirtualBackgroundReq),
    /// A client-defined analytics event.
    AnalyticsEvent(AnalyticsEventReq),
    /// A ping through the room (the WebSocket answers pings itself).
    Ping(PingReq),
    // ---------------------------------------------------------------- media.rs
    /// Mute or unmute oneself, or (moderators) mute someone.
    MediaControl(MediaControlReq),
    /// Start or stop sharing one's screen, or (moderators) stop someone's.
    ScreenShareControl(ScreenShareReq),
    /// Mute every microphone but the caller's (moderators).
    MuteAll,
    // ---------------------------------------------------------------- hands.rs
    /// Raise or lower one's hand, or (moderators) lower someone's.
    HandRaise {
        /// Raise (true) or lower (false).
        raised: bool,
        /// Someone else's hand.
        target: Option<UserId>,
    },
    /// Lower every hand (moderators).
    LowerAllHands,
    // ---------------------------------------------------------------- settings.rs
    /// Change room settings (moderators).
    UpdateSettings(RoomSettingsPatch),
    /// Replace the room's metadata (moderators; the admin API).
    SetMetadata(String),
    // ---------------------------------------------------------------- roles.rs
    /// Change a participant's role.
    SetRole {
        /// The participant.
        user: UserId,
        /// The new role.
        role: Role,
    },
    /// Change a participant's permissions.
    SetPermissions {
        /// The participant.
        user: UserId,
        /// The changes.
        patch: PermissionsPatch,
    },
    // ---------------------------------------------------------------- moderation.rs
    /// Remove a participant (moderators), optionally banning them.
    Kick {
        /// The participant.
        user: UserId,
        /// Also ban.
        ban: bool,
    },
    /// Remove everyone from the room (the operator only). The service then
    /// deletes the room.
    CloseRoom,
    // ---------------------------------------------------------------- waiting.rs
    /// Let a waiting user in (moderators).
    Admit(UserId),
    /// Let everyone waiting in, as capacity allows (moderators).
    AdmitAll,
    /// Turn a waiting user away (moderators).
    Reject(UserId),
    /// Send a participant back to the waiting room (moderators).
    ReturnToWaitingRoom(UserId),
    // ---------------------------------------------------------------- breakout.rs
    /// Create a breakout room (moderators).
    BreakoutCreate {
        /// Its name.
        name: String,
    },
    /// Move a participant into a breakout room, or back with `None`.
    BreakoutAssign {
        /// The participant.
        user: UserId,
        /// The breakout room.
        breakout_room_id: Option<String>,
    },
    /// Close a breakout room; its members return to the main room.
    BreakoutClose {
        /// The breakout room.
        breakout_room_id: String,
    },
    // ---------------------------------------------------------------- stream.rs
    /// Start a live stream (moderators).
    StreamStart(LiveStreamStartReq),
    /// Stop a live stream (moderators).
    StreamStop {
        /// The stream.
        stream_id: String,
    },
    /// A server stream's status, from the media plane (the service's own
    /// command).
    StreamStatus {
        /// The stream.
        stream_id: String,
        /// Where it is now.
        status: crate::room::StreamStatus,
        /// Why, when reconnecting or failed.
        error: Option<String>,
    },
    // ---------------------------------------------------------------- recording.rs
    /// Start, stop, pause, resume, cancel or report a recording.
    Recording(RecordingControlReq),
    /// May the caller upload media for this recording now? Changes nothing.
    AuthorizeRecordingUpload {
        /// The recording.
        recording_id: String,
    },
}

impl Command {
    /// Whether applying the command may change the room. A command that
    /// does not is applied to the stored room without a write.
    pub fn mutates(&self) -> bool {
        use Command as C;
        match self {
            C::Offer(_)
            | C::Answer(_)
            | C::MediaOffer(_)
            | C::MediaAnswer(_)
            | C::SubscriptionUpdate(_)
            | C::Typing(_)
            | C::IceCandidate(_)
            | C::E2eeKeyExchange(_)
            | C::E2eeRatchetUpdate(_)
            | C::FileShare(..)
            | C::AuthorizeFileOffer { .. }
            | C::ChatMessage(_)
            | C::ChatEdit(..)
            | C::ChatDelete(..)
            | C::ChatReact(..)
            | C::ChatRead(..)
            | C::Reaction(_)
            | C::SendData { .. }
            | C::AnalyticsEvent(_)
            | C::Ping(_)
            | C::AuthorizeRecordingUpload { .. } => false,
            C::ParticipantUpdate { .. }
            | C::NetworkStats(_)
            | C::VirtualBackgroundUpdate(_)
            | C::MediaControl(_)
            | C::ScreenShareControl(_)
            | C::MuteAll
            | C::HandRaise { .. }
            | C::LowerAllHands
            | C::UpdateSettings(_)
            | C::SetMetadata(_)
            | C::SetRole { .. }
            | C::SetPermissions { .. }
            | C::Kick { .. }
            | C::CloseRoom
            | C::Admit(_)
            | C::AdmitAll
            | C::Reject(_)
            | C::ReturnToWaitingRoom(_)
            | C::BreakoutCreate { .. }
            | C::BreakoutAssign { .. }
            | C::BreakoutClose { .. }
            | C::StreamStart(_)
            | C::StreamStop { .. }
            | C::StreamStatus { .. }
            | C::Recording(_) => true,
        }
    }

    /// The WebSocket message type this command is sent as, if any (REST-
    /// and admin-only commands have none).
    pub fn message_type(&self) -> Option<MessageType> {
        use Command as C;
        use MessageType as T;
        Some(match self {
            C::Offer(_) => T::Offer,
            C::Answer(_) => T::Answer,
            C::MediaOffer(_) => T::MediaOffer,
            C::MediaAnswer(_) => T::MediaAnswer,
            C::SubscriptionUpdate(_) => T::SubscriptionUpdate,
            C::Typing(_) => T::Typing,
            C::IceCandidate(_) => T::IceCandidate,
            C::E2eeKeyExchange(_) => T::E2eeKeyExchange,
            C::E2eeRatchetUpdate(_) => T::E2eeRatchetUpdate,
            C::FileShare(t, _) => *t,
            C::ChatMessage(_) => T::ChatMessage,
            C::ChatEdit(..) => T::ChatEdit,
            C::ChatDelete(..) => T::ChatDelete,
            C::ChatReact(..) => T::Reaction,
            C::ChatRead(..) => T::ChatRead,
            C::Reaction(_) => T::Reaction,
            C::ParticipantUpdate { .. } => T::ParticipantUpdate,
            C::NetworkStats(_) => T::NetworkStats,
            C::VirtualBackgroundUpdate(_) => T::VirtualBackgroundUpdate,
            C::AnalyticsEvent(_) => T::AnalyticsEvent,
            C::Ping(_) => T::Ping,
            C::MediaControl(_) => T::MediaControl,
            C::ScreenShareControl(_) => T::ScreenShareControl,
            C::HandRaise { .. } => T::HandRaise,
            C::UpdateSettings(_) => T::RoomSettingsUpdate,
            C::Admit(_) => T::WaitingRoomAdmit,
            C::Reject(_) => T::WaitingRoomReject,
            C::BreakoutCreate { .. } => T::BreakoutRoomCreate,
            C::BreakoutAssign { .. } => T::BreakoutRoomAssign,
            C::BreakoutClose { .. } => T::BreakoutRoomClose,
            C::StreamStart(_) => T::LiveStreamStart,
            C::StreamStop { .. } => T::LiveStreamStop,
            C::Recording(_) => T::RecordingControl,
            C::AuthorizeFileOffer { .. }
            | C::StreamStatus { .. }
            | C::SendData { .. }
            | C::MuteAll
            | C::LowerAllHands
            | C::SetMetadata(_)
            | C::SetRole { .. }
            | C::SetPermissions { .. }
            | C::Kick { .. }
            | C::CloseRoom
            | C::AdmitAll
            | C::ReturnToWaitingRoom(_)
            | C::AuthorizeRecordingUpload { .. } => return None,
        })
    }

    /// The rate limits one command counts against, besides the `api_call`
    /// limit every REST request counts against at the door. Over a
    /// WebSocket: the shared limits of the message type
    /// ([`LimitKind::shared_for_message`]); its per-connection limit was
    /// counted by the session before the command was built. Over REST:
    /// settings changes and hand raises have their own limits, and a
    /// quality report counts as the WebSocket message it stands for.
    pub fn rate_limits(&self, over_websocket: bool) -> &'static [LimitKind] {
        if over_websocket {
            // The per-connection kinds were counted by the session.
            return self
                .message_type()
                .map_or(&[], LimitKind::shared_for_message);
        }
        match self {
            Command::UpdateSettings(_) => &[LimitKind::SettingsUpdate],
            Command::HandRaise { .. } => &[LimitKind::HandRaise],
            Command::NetworkStats(_) => &[LimitKind::WebsocketMessage],
            _ => &[],
        }
    }
}

impl From<ClientMessage> for Command {
    fn from(msg: ClientMessage) -> Self {
        use ClientMessage as M;
        use Command as C;
        match msg {
            M::Offer(o) => C::Offer(o),
            M::MediaOffer(o) => C::MediaOffer(o),
            M::MediaAnswer(o) => C::MediaAnswer(o),
            M::SubscriptionUpdate(s) => C::SubscriptionUpdate(s),
            M::Typing(t) => C::Typing(t),
            M::Answer(o) => C::Answer(o),
            M::IceCandidate(c) => C::IceCandidate(c),
            M::MediaControl(m) => C::MediaControl(m),
            M::ScreenShareControl(s) => C::ScreenShareControl(s),
            M::ChatMessage(c) => C::ChatMessage(c),
            M::ChatEdit(e) => C::ChatEdit(e, None),
            M::ChatDelete(d) => C::ChatDelete(d, None),
            M::ChatRead(r) => C::ChatRead(r, None, None),
            M::Reaction(r) if r.message_id.is_some() => C::ChatReact(r, None),
            M::Reaction(r) => C::Reaction(r),
            M::HandRaise(h) => C::HandRaise {
                raised: h.raised,
                target: h.target,
            },
            M::ParticipantUpdate(update) => C::ParticipantUpdate { user: None, update },
            M::NetworkStats(n) => C::NetworkStats(n.stats),
            M::RoomSettingsUpdate(patch) => C::UpdateSettings(patch),
            M::WaitingRoomAdmit(t) => C::Admit(t.user_id),
            M::WaitingRoomReject(t) => C::Reject(t.user_id),
            M::BreakoutRoomCreate(b) => C::BreakoutCreate { name: b.name },
            M::BreakoutRoomAssign(a) => C::BreakoutAssign {
                user: a.user_id,
                breakout_room_id: a.breakout_room_id,
            },
            M::BreakoutRoomClose(b) => C::BreakoutClose {
                breakout_room_id: b.breakout_room_id,
            },
            M::VirtualBackgroundUpdate(v) => C::VirtualBackgroundUpdate(v),
            M::LiveStreamStart(s) => C::StreamStart(s),
            M::LiveStreamStop(s) => C::StreamStop {
                stream_id: s.stream_id,
            },
            M::E2eeKeyExchange(k) => C::E2eeKeyExchange(k),
            M::E2eeRatchetUpdate(r) => C::E2eeRatchetUpdate(r),
            M::AnalyticsEvent(a) => C::AnalyticsEvent(a),
            M::RecordingControl(r) => C::Recording(r),
            M::FileShare(t, f) => C::FileShare(t, f),
            M::Ping(p) => C::Ping(p),
        }
    }
}

/// What a command answers besides its effects: the REST response body of
/// the commands that create or report something.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Reply {
    /// Nothing beyond success.
    Done,
    /// The breakout room created.
    BreakoutRoom(BreakoutRoom),
    /// The live stream started or stopped.
    LiveStream(LiveStream),
    /// The recording as it is now.
    Recording(RecordingView),
    /// How many people a closed room removed.
    Removed(usize),
}

/// The result of a command the engine accepted.
#[derive(Debug, Clone)]
pub struct Applied {
    /// What the caller answers.
    pub reply: Reply,
    /// What must happen next: deliveries, disconnects, records.
    pub effects: Vec<Effect>,
}

impl From<Vec<Effect>> for Applied {
    fn from(effects: Vec<Effect>) -> Self {
        Applied {
            reply: Reply::Done,
            effects,
        }
    }
}

fn with<T>(reply: impl FnOnce(T) -> Reply) -> impl FnOnce((T, Vec<Effect>)) -> Applied {
    move |(v, effects)| Applied {
        reply: reply(v),
        effects,
    }
}

impl Engine {
    /// Applies one command from `actor` to the room at time `now`.
    ///
    /// `room` starts borrowed from the stored state: a command that only
    /// reads it (see [`Command::mutates`]) leaves it borrowed, so relaying a
    /// frame never copies the room; one that changes it takes its own copy
    /// (`Cow::to_mut`), which the caller then writes back. A refused command
    /// changes nothing the caller keeps and has no effects.
    pub fn apply(
        &self,
        room: &mut Cow<'_, Room>,
        now: OffsetDateTime,
        actor: &Actor,
        cmd: Command,
    ) -> Result<Applied, SignalError> {
        use Command as C;
        // What each participant may publish, to tell the media plane of changes.
        let grants = if cmd.mutates() {
            super::sfu::grants_snapshot(room)
        } else {
            None
        };
        let mut applied = match cmd {
            // relay.rs
            C::Offer(o) => self.sdp(room, actor, o, false)?.into(),
            C::Answer(o) => self.sdp(room, actor, o, true)?.into(),
            C::IceCandidate(c) => self.ice_candidate(room, actor, c)?.into(),
            C::E2eeKeyExchange(k) => self.e2ee_key_exchange(room, actor, k)?.into(),
            C::E2eeRatchetUpdate(r) => self.e2ee_ratchet_update(room, actor, r)?.into(),
            C::FileShare(t, f) => self.file_share(room, actor, t, f)?.into(),
            C::AuthorizeFileOffer { receiver } => {
                self.authorize_file_offer(room, actor, &receiver)?.into()
            }
            // sfu.rs
            C::MediaOffer(o) => self.media_sdp(room, actor, o, false)?.into(),
            C::MediaAnswer(o) => self.media_sdp(room, actor, o, true)?.into(),
            C::SubscriptionUpdate(s) => self.subscription_update(room, actor, s)?.into(),
            // chat.rs
            C::Typing(t) => self.typing(room, actor, t)?.into(),
            C::ChatMessage(c) => self.chat_message(room, now, actor, c)?.into(),
            C::ChatEdit(e, record) => self
                .chat_change(room, now, actor, record, Some(e.message))?
                .into(),
            C::ChatDelete(_, record) => self.chat_change(room, now, actor, record, None)?.into(),
            C::ChatReact(r, record) => self.chat_react(room, actor, r, record)?.into(),
            C::ChatRead(_, record, mark) => self.chat_read(room, now, actor, record, mark)?.into(),
            C::Reaction(r) => self.reaction(room, now, actor, r)?.into(),
            C::SendData { to, topic, data } => self.send_data(room, actor, to, topic, data)?.into(),
            // participant.rs
            C::ParticipantUpdate { user, update } => self
                .participant_update(room.to_mut(), actor, user.as_ref(), update)?
                .into(),
            C::NetworkStats(s) => self.network_stats(room.to_mut(), actor, s)?.into(),
            C::VirtualBackgroundUpdate(v) => {
                self.virtual_background(room.to_mut(), actor, v)?.into()
            }
            C::AnalyticsEvent(a) => self.analytics_event(room, now, actor, a)?.into(),
            C::Ping(p) => self.ping(room, now, actor, p)?.into(),
            // media.rs
            C::MediaControl(m) => self.media_control_as(room.to_mut(), actor, m)?.into(),
            C::ScreenShareControl(s) => self.screen_share(room.to_mut(), actor, s)?.into(),
            C::MuteAll => self.mute_all(room.to_mut(), actor)?.into(),
            // hands.rs
            C::HandRaise { raised, target } => self
                .hand_raise(room.to_mut(), now, actor, raised, target.as_ref())?
                .into(),
            C::LowerAllHands => self.lower_all_hands(room.to_mut(), actor)?.into(),
            // settings.rs
            C::UpdateSettings(patch) => self.update_settings(room.to_mut(), actor, patch)?.into(),
            C::SetMetadata(m) => self.set_metadata(room.to_mut(), actor, m)?.into(),
            // roles.rs
            C::SetRole { user, role } => self.set_role(room.to_mut(), actor, &user, role)?.into(),
            C::SetPermissions { user, patch } => self
                .set_permissions(room.to_mut(), actor, &user, &patch)?
                .into(),
            // moderation.rs
            C::Kick { user, ban } => self.kick(room.to_mut(), now, actor, &user, ban)?.into(),
            C::CloseRoom => with(Reply::Removed)(self.close(room.to_mut(), now, actor)?),
            // waiting.rs
            C::Admit(user) => self.admit(room.to_mut(), now, actor, &user)?.into(),
            C::AdmitAll => self.admit_all(room.to_mut(), now, actor)?.into(),
            C::Reject(user) => self.reject(room.to_mut(), actor, &user)?.into(),
            C::ReturnToWaitingRoom(user) => self
                .send_to_waiting_room(room.to_mut(), now, actor, &user)?
                .into(),
            // breakout.rs
            C::BreakoutCreate { name } => {
                with(Reply::BreakoutRoom)(self.breakout_create(room.to_mut(), now, actor, &name)?)
            }
            C::BreakoutAssign {
                user,
                breakout_room_id,
            } => self
                .breakout_assign(room.to_mut(), actor, &user, breakout_room_id.as_deref())?
                .into(),
            C::BreakoutClose { breakout_room_id } => self
                .breakout_close(room.to_mut(), actor, &breakout_room_id)?
                .into(),
            // stream.rs
            C::StreamStart(req) => {
                with(Reply::LiveStream)(self.stream_start(room.to_mut(), now, actor, req)?)
            }
            C::StreamStatus {
                stream_id,
                status,
                error,
            } => self
                .stream_status(room.to_mut(), now, &stream_id, status, error)?
                .into(),
            C::StreamStop { stream_id } => {
                with(Reply::LiveStream)(self.stream_stop(room.to_mut(), now, actor, &stream_id)?)
            }
            // recording.rs
            C::Recording(req) => {
                with(Reply::Recording)(self.recording_control(room.to_mut(), now, actor, req)?)
            }
            C::AuthorizeRecordingUpload { recording_id } => {
                self.check_recording_upload(room, actor, &recording_id)?;
                Vec::new().into()
            }
        };
        if let Some(before) = grants {
            applied
                .effects
                .extend(super::sfu::grant_changes(room, &before));
        }
        Ok(applied)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::testkit::*;

    /// One frame of every type a client sends.
    const FRAMES: &[&str] = &[
        r#"{"type":"offer","target":"b","sdp":"v=0"}"#,
        r#"{"type":"answer","target":"b","sdp":"v=0"}"#,
        r#"{"type":"ice-candidate","target":"b","candidate":{"candidate":""}}"#,
        r#"{"type":"media-control","kind":"audio","muted":true}"#,
        r#"{"type":"screen-share-control","action":"stop"}"#,
        r#"{"type":"chat-message","message":"hi"}"#,
        r#"{"type":"recording-control","action":"status","recording_id":"x"}"#,
        r#"{"type":"file-share-offer","target":"b","transfer_id":"t"}"#,
        r#"{"type":"file-share-accept","target":"b","transfer_id":"t"}"#,
        r#"{"type":"file-share-reject","target":"b","transfer_id":"t"}"#,
        r#"{"type":"file-share-progress","target":"b","transfer_id":"t"}"#,
        r#"{"type":"file-share-complete","target":"b","transfer_id":"t"}"#,
        r#"{"type":"network-stats","latency_ms":20}"#,
        r#"{"type":"analytics-event","event_type":"x","data":{}}"#,
        r#"{"type":"participant-update","display_name":"B"}"#,
        r#"{"type":"room-settings-update","locked":false}"#,
        r#"{"type":"hand-raise","raised":true}"#,
        r#"{"type":"waiting-room-admit","user_id":"b"}"#,
        r#"{"type":"waiting-room-reject","user_id":"b"}"#,
        r#"{"type":"reaction","emoji":"+1"}"#,
        r#"{"type":"breakout-room-create","name":"B"}"#,
        r#"{"type":"breakout-room-assign","user_id":"b"}"#,
        r#"{"type":"breakout-room-close","breakout_room_id":"x"}"#,
        r#"{"type":"virtual-background-update","background":{"mode":"blur"}}"#,
        r#"{"type":"live-stream-start"}"#,
        r#"{"type":"live-stream-stop","stream_id":"x"}"#,
        r#"{"type":"e2ee-key-exchange","target":"b","key_id":1,"public_key":"AAEC"}"#,
        r#"{"type":"e2ee-ratchet-update","key_id":1,"generation":1,"encrypted_key":"AAEC"}"#,
        r#"{"type":"ping"}"#,
    ];

    /// A frame becomes the command of its own message type, so it counts
    /// against exactly the WebSocket rate limits of that type.
    #[test]
    fn every_client_frame_becomes_a_command_of_its_type() {
        for frame in FRAMES {
            let msg = crate::protocol::decode(frame).unwrap_or_else(|e| panic!("{frame}: {e:?}"));
            let ty = msg.message_type();
            let cmd = Command::from(msg);
            assert_eq!(cmd.message_type(), Some(ty), "{frame}");
            assert_eq!(
                cmd.rate_limits(true),
                LimitKind::shared_for_message(ty),
                "{frame}"
            );
        }
    }

    /// Relays, chat and the other commands that do not mutate are applied
    /// to the stored room without copying it; the driver asserts it on
    /// every command, and here every read-only kind runs once.
    #[test]
    fn commands_that_do_not_mutate_never_copy_the_room() {
        let mut d = Driver::new(10);
        d.join("a").unwrap();
        d.join("b").unwrap();
        let mut read_only = 0;
        for frame in FRAMES {
            let cmd = Command::from(crate::protocol::decode(frame).unwrap());
            if cmd.mutates() {
                continue;
            }
            read_only += 1;
            let mut room = Cow::Borrowed(&d.room);
            let a = d.actor("a");
            let _ = d.engine.apply(&mut room, d.now, &a, cmd);
            assert!(matches!(room, Cow::Borrowed(_)), "{frame} copied the room");
        }
        assert_eq!(
            read_only, 14,
            "offer, answer, ICE, 5 file-share, analytics, chat, reaction, 2 E2EE, ping"
        );
        // A command that writes takes its own copy and leaves the stored room alone.
        let stored = d.room.clone();
        let mut room = Cow::Borrowed(&stored);
        let a = d.actor("a");
        d.engine
            .apply(&mut room, d.now, &a, Command::SetMetadata("m".into()))
            .unwrap();
        assert_eq!(room.metadata, "m");
        assert_eq!(stored.metadata, "");
    }
}
