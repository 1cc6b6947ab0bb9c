//! What goes into and out of the [`crate::Sfu`].

use std::collections::HashMap;
use std::net::SocketAddr;

use serde::{Deserialize, Serialize};

/// A media peer: the signaling connection it belongs to (one peer
/// connection per WebSocket connection).
pub type PeerId = uuid::Uuid;

/// What a peer may publish. Tracks it may not publish are not forwarded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Grants {
    /// Microphone audio.
    pub audio: bool,
    /// Camera video.
    pub video: bool,
    /// Screen share (video and its audio).
    pub screen: bool,
}

impl Grants {
    /// Whether a track of `source` may be forwarded.
    pub fn allows(self, source: TrackSource) -> bool {
        match source {
            TrackSource::Microphone => self.audio,
            TrackSource::Camera => self.video,
            TrackSource::Screen | TrackSource::ScreenAudio => self.screen,
        }
    }
}

/// What a published track carries, as its publisher declares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrackSource {
    /// Microphone audio (the default for audio).
    Microphone,
    /// Camera video (the default for video).
    Camera,
    /// A screen share's video.
    Screen,
    /// A screen share's audio.
    ScreenAudio,
}

impl TrackSource {
    /// The source of an undeclared track of this kind.
    pub fn default_for(video: bool) -> Self {
        if video {
            Self::Camera
        } else {
            Self::Microphone
        }
    }

    /// Whether this source is part of a screen share.
    pub fn is_screen(self) -> bool {
        matches!(self, Self::Screen | Self::ScreenAudio)
    }
}

/// Signaling from a participant, already checked by the room (membership,
/// media mode, SDP size and send permissions), and the server's own taps.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// An SDP offer: the first one creates the peer in `room`.
    Offer {
        /// The peer.
        peer: PeerId,
        /// The room it is in.
        room: String,
        /// The participant's user id (told to subscribers).
        user: String,
        /// What it may publish.
        grants: Grants,
        /// The offer.
        sdp: String,
        /// What its send sections carry, by `mid` (undeclared ones are
        /// microphone or camera by kind). At most [`MAX_SOURCES`] entries.
        sources: HashMap<String, TrackSource>,
    },
    /// An SDP answer to the server's latest offer.
    Answer {
        /// The peer.
        peer: PeerId,
        /// The answer.
        sdp: String,
    },
    /// New grants (a role or permission change, a moderator's mute):
    /// tracks no longer allowed stop being forwarded at once.
    Grants {
        /// The peer.
        peer: PeerId,
        /// What it may publish now.
        grants: Grants,
    },
    /// A subscriber's wish for one track it receives: the largest size it
    /// wants (the simulcast layer follows), or a pause.
    Subscribe {
        /// The subscriber.
        peer: PeerId,
        /// Its own mid of the track (from [`Signal::Tracks`]).
        mid: String,
        /// At most this (width, height); `None`: the largest layer.
        max: Option<(u32, u32)>,
        /// Forward nothing until unpaused.
        paused: bool,
    },
    /// The participant left or its connection closed: its peer and tracks go.
    Leave {
        /// The peer.
        peer: PeerId,
    },
    /// Starts handing every frame published in `room` out as
    /// [`Output::Frame`] (a keyframe is asked of every video track).
    Tap {
        /// The tap's name.
        tap: TapId,
        /// The room.
        room: String,
    },
    /// Stops a tap.
    Untap {
        /// The tap.
        tap: TapId,
    },
}

/// Most declared sources per offer.
pub const MAX_SOURCES: usize = 16;

/// A track the server sends to a subscriber, by the subscriber's `mid`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrackInfo {
    /// The subscriber-side `mid` of the transceiver that carries it.
    pub mid: String,
    /// The publisher's user id.
    pub user_id: String,
    /// What it carries.
    pub source: TrackSource,
    /// `audio` or `video`.
    pub kind: &'static str,
}

/// A participant heard speaking.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Speaker {
    /// Their user id.
    pub user_id: String,
    /// Smoothed loudness, 0 (silence) to 1 (full scale), from the audio
    /// level their browser puts in each packet (RFC 6464).
    pub level: f32,
}

/// Who speaks in a room.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Speakers {
    /// Everyone speaking now, loudest first.
    pub speakers: Vec<Speaker>,
    /// The dominant speaker: the one who has been loudest for a while
    /// (kept through short pauses and interjections); `None` in silence.
    pub dominant: Option<String>,
}

/// Why the media plane refused something; each has a stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaError {
    /// The SDP could not be parsed or applied.
    InvalidSdp,
    /// The instance has as many media peers as it takes.
    CapacityReached,
    /// A track the peer may not publish; it is not forwarded.
    MediaNotAllowed,
    /// The peer belongs to another room.
    WrongRoom,
    /// A subscription names a track the peer does not receive.
    TrackNotFound,
}

impl MediaError {
    /// The stable error code.
    pub fn code(self) -> &'static str {
        match self {
            MediaError::InvalidSdp => "INVALID_SDP",
            MediaError::CapacityReached => "MAX_PARTICIPANTS_REACHED",
            MediaError::MediaNotAllowed => "MEDIA_NOT_ALLOWED",
            MediaError::WrongRoom => "VALIDATION_ERROR",
            MediaError::TrackNotFound => "TRACK_NOT_FOUND",
        }
    }
}

/// Signaling for one participant.
#[derive(Debug, Clone, PartialEq)]
pub enum Signal {
    /// The answer to its offer.
    Answer(String),
    /// A server offer (tracks came or went); it answers with
    /// [`Command::Answer`].
    Offer(String),
    /// The tracks it receives, sent before each server offer.
    Tracks(Vec<TrackInfo>),
    /// Who speaks in its room, loudest first, when that changes.
    Speakers(Speakers),
    /// Something it sent was refused.
    Error {
        /// Why.
        error: MediaError,
        /// For people.
        message: String,
    },
}

/// What the caller carries out.
#[derive(Debug, Clone, PartialEq)]
pub enum Output {
    /// Send a datagram.
    Transmit {
        /// The local address to send from.
        source: SocketAddr,
        /// Where to.
        destination: SocketAddr,
        /// The bytes.
        contents: Vec<u8>,
    },
    /// Send signaling to a participant over its WebSocket.
    Signal {
        /// The peer.
        peer: PeerId,
        /// The message.
        signal: Signal,
    },
    /// A frame for a tap ([`Command::Tap`]).
    Frame(Box<TapFrame>),
}

/// Names a tap ([`Command::Tap`]).
pub type TapId = u64;

/// The codec of a tapped frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameCodec {
    /// Opus audio.
    Opus,
    /// VP8 video.
    Vp8,
    /// VP9 video.
    Vp9,
    /// H.264 video.
    H264,
}

/// One frame a publisher sent, as a tap receives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TapFrame {
    /// The tap.
    pub tap: TapId,
    /// The track, `peer:mid` (unique within the SFU).
    pub track: String,
    /// Its publisher.
    pub user: String,
    /// What it carries.
    pub source: TrackSource,
    /// Its codec.
    pub codec: FrameCodec,
    /// Its RTP time (the codec's clock), unwrapped.
    pub rtp_time: u64,
    /// Whether a decoder can start at it (always true for audio).
    pub keyframe: bool,
    /// The payload.
    pub data: Vec<u8>,
}

/// How an [`crate::Sfu`] runs.
#[derive(Debug, Clone)]
pub struct SfuConfig {
    /// The address peers send media to: the host candidate the server
    /// advertises (the public address behind NAT).
    pub candidate: SocketAddr,
    /// Most media peers at once.
    pub max_peers: usize,
    /// Most tracks one peer may publish at once.
    pub max_published_tracks: usize,
}

impl SfuConfig {
    /// Defaults around `candidate`: 2,000 peers, 8 published tracks each.
    pub fn new(candidate: SocketAddr) -> Self {
        SfuConfig {
            candidate,
            max_peers: 2_000,
            max_published_tracks: 8,
        }
    }
}
