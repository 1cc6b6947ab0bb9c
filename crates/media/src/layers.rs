//! Simulcast: the layers a publisher sends of one video track, and which
//! one a subscriber gets.
//!
//! A publisher may send up to three encodings of a camera or screen (RIDs,
//! by convention `q`, `h` and `f` for quarter, half and full resolution).
//! Each subscriber gets one: the smallest that covers the size it asked
//! for (`subscription-update`), or the largest when it asked for none;
//! then, when the subscriber's bandwidth estimate cannot carry all its
//! tracks at those layers, lower ones ([`share`] splits the estimate among
//! its tracks, and each gets the largest layer its share carries). The
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

/// How long a layer's bytes are counted before its bitrate is updated.
const RATE_WINDOW: Duration = Duration::from_millis(1000);

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
    /// Bits per second over the last full window (0 until one passed).
    pub bitrate: u64,
    /// Bytes since `window`.
    bytes: u64,
    window: Instant,
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
        self.note(now, rid, size, data.data.len() as u64);
    }

    /// Notes `bytes` of layer `rid`, and its frame size when known.
    fn note(&mut self, now: Instant, rid: Rid, size: Option<(u16, u16)>, bytes: u64) {
        if let Some(l) = self.layers.iter_mut().find(|l| l.rid == rid) {
            l.seen = now;
            if size.is_some() {
                l.size = size;
            }
            l.bytes += bytes;
            let span = now.saturating_duration_since(l.window);
            if span >= RATE_WINDOW {
                l.bitrate = l.bytes * 8 * 1000 / span.as_millis().max(1) as u64;
                l.bytes = 0;
                l.window = now;
            }
        } else if self.layers.len() < MAX_LAYERS {
            self.layers.push(Layer {
                rid,
                size,
                seen: now,
                rank: rank_of(&rid),
                bitrate: 0,
                bytes,
                window: now,
            });
        }
    }

    /// The bitrate of layer `rid` (0: unknown yet).
    pub fn bitrate(&self, rid: Option<Rid>) -> u64 {
        self.layers
            .iter()
            .find(|l| Some(l.rid) == rid)
            .map_or(0, |l| l.bitrate)
    }

    /// The layer to forward to a subscriber that asked for at most
    /// `max` (width, height), or for the largest with `None`: the smallest
    /// live layer that covers it, else the largest live one. With a
    /// `budget` (bits per second), the largest of those up to that layer
    /// whose bitrate fits in it (a layer not yet measured fits), else the
    /// smallest.
    pub fn choose(
        &self,
        now: Instant,
        max: Option<(u32, u32)>,
        budget: Option<u64>,
    ) -> Option<Rid> {
        let mut live: Vec<&Layer> = self
            .layers
            .iter()
            .filter(|l| now.saturating_duration_since(l.seen) < LIVE)
            .collect();
        live.sort_by_key(|l| (l.size.map(|(w, h)| u32::from(w) * u32::from(h)), l.rank));
        let by_size = match max {
            None => live.len().checked_sub(1)?,
            Some((w, h)) => live
                .iter()
                .position(|l| match l.size {
                    Some((lw, lh)) => u32::from(lw) >= w && u32::from(lh) >= h,
                    // An unknown size (a codec other than VP8) covers
                    // nothing: the largest layer serves.
                    None => false,
                })
                .unwrap_or(live.len().checked_sub(1)?),
        };
        let Some(budget) = budget else {
            return Some(live[by_size].rid);
        };
        live[..=by_size]
            .iter()
            .rev()
            .find(|l| l.bitrate <= budget)
            .or(live.first())
            .map(|l| l.rid)
    }
}

/// Splits `budget` (bits per second) among tracks that want `wants` each:
/// max-min fair, so a track wanting less than an equal share gets all of
/// it and the rest is shared among the others.
pub(crate) fn share(budget: u64, wants: &[u64]) -> Vec<u64> {
    let mut order: Vec<usize> = (0..wants.len()).collect();
    order.sort_by_key(|&i| wants[i]);
    let mut out = vec![0; wants.len()];
    let mut left = budget;
    for (k, &i) in order.iter().enumerate() {
        let equal = left / (wants.len() - k) as u64;
        out[i] = wants[i].min(equal);
        left -= out[i];
    }
    out
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
                    bitrate: 0,
                    bytes: 0,
                    window: now,
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
        assert_eq!(l.choose(now, None, None), Some("f".into()));
        assert_eq!(l.choose(now, Some((160, 90)), None), Some("q".into()));
        assert_eq!(l.choose(now, Some((321, 100)), None), Some("h".into()));
        assert_eq!(l.choose(now, Some((1920, 1080)), None), Some("f".into()));
        // The top layer stopped: the largest live one serves.
        let later = now + Duration::from_secs(2);
        let mut l = l;
        l.layers[1].seen = later;
        l.layers[2].seen = later;
        assert_eq!(l.choose(later, None, None), Some("h".into()));
        // Sizes unknown: the ladder order decides the largest.
        let l = layers(now, &[("h", None), ("f", None), ("q", None)]);
        assert_eq!(l.choose(now, None, None), Some("f".into()));
    }

    #[test]
    fn a_budget_lowers_the_layer_to_the_largest_that_fits_and_never_raises_it() {
        let now = Instant::now();
        let mut l = layers(
            now,
            &[
                ("q", Some((320, 180))),
                ("h", Some((640, 360))),
                ("f", Some((1280, 720))),
            ],
        );
        for (layer, rate) in l.layers.iter_mut().zip([150_000, 500_000, 1_500_000]) {
            layer.bitrate = rate;
        }
        assert_eq!(l.choose(now, None, Some(2_000_000)), Some("f".into()));
        assert_eq!(l.choose(now, None, Some(1_000_000)), Some("h".into()));
        assert_eq!(l.choose(now, None, Some(200_000)), Some("q".into()));
        assert_eq!(
            l.choose(now, None, Some(50_000)),
            Some("q".into()),
            "the smallest when nothing fits"
        );
        assert_eq!(
            l.choose(now, Some((320, 180)), Some(10_000_000)),
            Some("q".into()),
            "a budget never raises the layer the size asked for"
        );
    }

    #[test]
    fn a_layer_measures_its_bitrate_over_a_second() {
        let t0 = Instant::now();
        let mut l = Layers::default();
        for k in 0..=30u32 {
            // 30 frames of 1,250 bytes in a second: 300 kbit/s.
            let now = t0 + Duration::from_millis(u64::from(k) * 1000 / 30 + 1);
            l.note(now, "h".into(), None, 1250);
        }
        let rate = l.bitrate(Some("h".into()));
        assert!((290_000..=320_000).contains(&rate), "{rate}");
    }

    #[test]
    fn shares_are_max_min_fair() {
        assert_eq!(share(1_000, &[100, 2_000, 2_000]), vec![100, 450, 450]);
        assert_eq!(share(10_000, &[100, 2_000]), vec![100, 2_000]);
        assert_eq!(share(0, &[100]), vec![0]);
        assert!(share(500, &[]).is_empty());
    }
}
