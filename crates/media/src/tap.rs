//! Taps: every frame a room's publishers send, handed out of the SFU as
//! [`Output::Frame`] (for egress: live streams and server recordings).
//! A tap gets one layer of each track: the largest live one of a simulcast
//! track, switching only at a keyframe of the new layer, and each video
//! track from a keyframe on (one is asked for when the tap starts).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use str0m::format::Codec;
use str0m::media::{MediaData, MediaKind, Mid, Rid};

use crate::peer::TrackIn;
use crate::types::*;

/// The taps of one SFU.
#[derive(Default)]
pub(crate) struct Taps {
    taps: HashMap<TapId, Tap>,
}

struct Tap {
    room: Arc<str>,
    tracks: HashMap<(PeerId, Mid), Choice>,
}

/// The layer a tap takes of one track.
struct Choice {
    rid: Option<Rid>,
    /// Frames wait for a keyframe of `rid` (at the start, after a switch).
    waiting: bool,
}

/// Most taps at once (each costs a copy of every frame of its room).
pub const MAX_TAPS: usize = 64;

impl Taps {
    /// Starts tap `tap` on `room`; false past [`MAX_TAPS`].
    pub fn add(&mut self, tap: TapId, room: Arc<str>) -> bool {
        if self.taps.len() >= MAX_TAPS && !self.taps.contains_key(&tap) {
            return false;
        }
        self.taps.insert(
            tap,
            Tap {
                room,
                tracks: HashMap::new(),
            },
        );
        true
    }

    /// Ends a tap.
    pub fn remove(&mut self, tap: TapId) {
        self.taps.remove(&tap);
    }

    /// Whether any tap is on `room`.
    pub fn on(&self, room: &str) -> bool {
        self.taps.values().any(|t| &*t.room == room)
    }

    /// Forgets a peer that left.
    pub fn forget(&mut self, peer: PeerId) {
        for t in self.taps.values_mut() {
            t.tracks.retain(|(p, _), _| *p != peer);
        }
    }

    /// The frames for the taps on `room` of payload `d` of `peer`'s track
    /// `t`, and the layers a keyframe is wanted of.
    pub fn frame(
        &mut self,
        now: Instant,
        room: &str,
        peer: PeerId,
        user: &str,
        t: &TrackIn,
        d: &MediaData,
    ) -> (Vec<Output>, Vec<Option<Rid>>) {
        let mut out = Vec::new();
        let mut keyframes = Vec::new();
        let video = t.kind == MediaKind::Video;
        let codec = match d.params.spec().codec {
            Codec::Opus => FrameCodec::Opus,
            Codec::Vp8 => FrameCodec::Vp8,
            Codec::Vp9 => FrameCodec::Vp9,
            Codec::H264 => FrameCodec::H264,
            _ => return (out, keyframes),
        };
        for (id, tap) in self.taps.iter_mut().filter(|(_, t)| &*t.room == room) {
            let want = match d.rid {
                None => None,
                Some(_) => t.layers.choose(now, None, None).or(d.rid),
            };
            let c = tap.tracks.entry((peer, d.mid)).or_insert(Choice {
                rid: want,
                waiting: video,
            });
            if c.rid != want {
                c.rid = want;
                c.waiting = video;
            }
            if d.rid != c.rid {
                continue;
            }
            if c.waiting {
                if !d.is_keyframe() {
                    if !keyframes.contains(&c.rid) {
                        keyframes.push(c.rid);
                    }
                    continue;
                }
                c.waiting = false;
            }
            out.push(Output::Frame(Box::new(TapFrame {
                tap: *id,
                track: format!("{peer}:{}", d.mid),
                user: user.to_owned(),
                source: t.source,
                codec,
                rtp_time: d.time.numer(),
                keyframe: !video || d.is_keyframe(),
                data: d.data.to_vec(),
            })));
        }
        (out, keyframes)
    }
}
