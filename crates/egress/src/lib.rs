//! Egress: a room's media out of the server, as one live stream or one
//! recorded file.
//!
//! The SFU hands every frame its publishers send ([`Frame`]: the encoded
//! payload, never decoded there) to an [`Egress`]. Each track gets an
//! ffmpeg decoder of its own, fed the track in its container (IVF for VP8
//! and VP9, Ogg for Opus, Annex B for H.264; [`containers`]); decoded
//! pictures and samples come back to this process, which keeps each
//! video's newest picture and mixes the audio ([`mixer`]). A clock at the
//! preset's frame rate draws the composite ([`canvas`], [`layout`]: a grid
//! of up to nine tiles or the active speaker full frame) and hands it with
//! the mix to an encoder ffmpeg per output: H.264 and AAC, in FLV to an
//! RTMP(S) destination, in HLS segments in a directory, or in live
//! Matroska handed back in pieces ([`Output`]). Live outputs share one
//! composite; the egress's status merges theirs (one failing fails it).
//!
//! Decoding outside the encoder is what keeps a live composite live: a
//! track that stalls (a muted camera, a participant gone) leaves its last
//! picture, or nothing, and the others go on; the encoder always gets a
//! picture and samples on time. When the destination drops, the encoder
//! exits; it is started again with backoff while the composite goes on
//! ([`Status::Reconnecting`]), and the stream fails after too many tries.
//! A file's timeline counts the pictures and samples it was given rather
//! than the wall clock, so a pause ([`Egress::pause`]) leaves no gap.

pub mod canvas;
pub mod containers;
mod ffmpeg;
pub mod layout;
pub mod mixer;
mod session;

pub use ffmpeg::{HLS_LIST, HLS_PLAYLIST};
pub use layout::Layout;
pub use session::{Egress, EgressConfig, Output, Retry, Status};

/// A track's codec.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Codec {
    /// VP8 video.
    Vp8,
    /// VP9 video.
    Vp9,
    /// H.264 video.
    H264,
    /// Opus audio.
    Opus,
}

impl Codec {
    /// Whether it is a video codec.
    pub fn is_video(self) -> bool {
        self != Codec::Opus
    }
}

/// One encoded frame of a published track, as the SFU received it.
#[derive(Debug, Clone)]
pub struct Frame {
    /// The track (unique within the room, e.g. `peer:mid`).
    pub track: String,
    /// Its publisher.
    pub user: String,
    /// Whether it is a screen share (shown first in the grid).
    pub screen: bool,
    /// Its codec.
    pub codec: Codec,
    /// RTP timestamp (90 kHz for video, 48 kHz for Opus), unwrapped.
    pub rtp_time: u64,
    /// Whether a decoder can start at it (always true for audio).
    pub keyframe: bool,
    /// The payload.
    pub data: Vec<u8>,
}
