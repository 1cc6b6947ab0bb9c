//! Simulcast: the layers a publisher sends of one video track, and which
//! one a subscriber gets.
//!
//! A publisher may send up to three encodings of a camera or screen (RIDs,
//! by convention `q`, `h` and `f` for quarter, half and full resolution).
//! Each subscriber gets one: the smallest that covers the size it asked
//! for (`subscription-update`), or the largest when it asked for none. The
//! server switches only on a keyframe of the new layer (a subscriber's
//! decoder cannot start mid-stream) and asks the publisher for one when it
//! wants to switch.

use std::time::{Duration, Instant};

use str0m::format::Codec;
use str0m::media::{MediaData, Rid};

/// A layer not heard from for this long is gone (the publisher's encoder
/// dropped it, as browsers do when their uplink shrinks).
const LIVE: Duration = Duration::from_millis(1500);

/// Most layers kept per track.
const MAX_LAYERS: usize = 4;

/// One encoding of a simulcast track.
#[derive(Debug, Clone)]
pub(crate) struct Layer {
    pub rid: Rid,
    /// Frame size, from its last VP8 keyframe.
    pub size: Option<(u16, u16)>,
    pub seen: Instant,
    /// Its place in the conventional ladder (`q` < `h` < `f`), for when
    /// sizes are unknown.
    rank: u8,
}

/// The layers of one published video track.
#[derive(Debug, Default)]
pub(crate) struct Layers {
    layers: Vec<Layer>,
}

impl Layers {
    /// Notes a payload of layer `data.rid` (and its size, from a keyframe).
    pub fn saw(&mut self, now: Instant, data: &MediaData) {
        let Some(rid) = data.rid else { return };
        let size = (data.is_keyframe() && data.params.spec().codec == Codec::Vp8)
            .then(|| vp8_keyframe_size(&data.data))
            .flatten();
        if let Some(l) = self.layers.iter_mut().find(|l| l.rid == rid) {
            l.seen = now;
            if size.is_some() {
                l.size = size;
            }
        } else if self.layers.len() < MAX_LAYERS {
            self.layers.push(Layer {
                rid,
                size,
                seen: now,
                rank: rank_of(&rid),
            });
        }
    }

    /// The layer to forward to a subscriber that asked for at most
    /// `max` (width, height), or for the largest with `None`: the smallest
    /// live layer that covers it, else the largest live one.
    pub fn choose(&self, now: Instant, max: Option<(u32, u32)>) -> Option<Rid> {
        let mut live: Vec<&Layer> = self
            .layers
            .iter()
            .filter(|l| now.saturating_duration_since(l.seen) < LIVE)
            .collect();
        live.sort_by_key(|l| (l.size.map(|(w, h)| u32::from(w) * u32::from(h)), l.rank));
        let largest = live.last().map(|l| l.rid);
        let Some((w, h)) = max else { return largest };
        live.iter()
            .find(|l| match l.size {
                Some((lw, lh)) => u32::from(lw) >= w && u32::from(lh) >= h,
                // An unknown size (a codec other than VP8) covers nothing:
                // the largest layer serves.
                None => false,
            })
            .map(|l| l.rid)
            .or(largest)
    }
}

fn rank_of(rid: &Rid) -> u8 {
    match &**rid {
        "q" | "l" | "0" => 0,
        "h" | "m" | "1" => 1,
        "f" | "2" => 2,
        _ => 3,
    }
}

/// Width and height of a VP8 keyframe (RFC 6386, section 9.1): a 3-byte
/// frame tag whose low bit is 0, the start code `9d 01 2a`, then 14-bit
/// little-endian width and height.
pub(crate) fn vp8_keyframe_size(frame: &[u8]) -> Option<(u16, u16)> {
    if frame.len() < 10 || frame[0] & 1 != 0 || frame[3..6] != [0x9d, 0x01, 0x2a] {
        return None;
    }
    let w = u16::from_le_bytes([frame[6], frame[7]]) & 0x3fff;
    let h = u16::from_le_bytes([frame[8], frame[9]]) & 0x3fff;
    (w > 0 && h > 0).then_some((w, h))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_vp8_keyframe_header_gives_its_size_and_other_frames_none() {
        let mut key = vec![0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a];
        key.extend_from_slice(&1280u16.to_le_bytes());
        key.extend_from_slice(&(720u16 | 0x4000).to_le_bytes()); // scale bits ignored
        assert_eq!(vp8_keyframe_size(&key), Some((1280, 720)));
        let mut inter = key.clone();
        inter[0] |= 1;
        assert_eq!(vp8_keyframe_size(&inter), None);
        assert_eq!(vp8_keyframe_size(&key[..8]), None);
    }

    fn layers(now: Instant, sizes: &[(&str, Option<(u16, u16)>)]) -> Layers {
        Layers {
            layers: sizes
                .iter()
                .map(|(r, s)| Layer {
                    rid: (*r).into(),
                    size: *s,
                    seen: now,
                    rank: rank_of(&(*r).into()),
                })
                .collect(),
        }
    }

    #[test]
    fn the_smallest_layer_covering_the_request_is_chosen_else_the_largest() {
        let now = Instant::now();
        let l = layers(
            now,
            &[
                ("f", Some((1280, 720))),
                ("q", Some((320, 180))),
                ("h", Some((640, 360))),
            ],
        );
        assert_eq!(l.choose(now, None), Some("f".into()));
        assert_eq!(l.choose(now, Some((160, 90))), Some("q".into()));
        assert_eq!(l.choose(now, Some((321, 100))), Some("h".into()));
        assert_eq!(l.choose(now, Some((1920, 1080))), Some("f".into()));
        // The top layer stopped: the largest live one serves.
        let later = now + Duration::from_secs(2);
        let mut l = l;
        l.layers[1].seen = later;
        l.layers[2].seen = later;
        assert_eq!(l.choose(later, None), Some("h".into()));
        // Sizes unknown: the ladder order decides the largest.
        let l = layers(now, &[("h", None), ("f", None), ("q", None)]);
        assert_eq!(l.choose(now, None), Some("f".into()));
    }
}
