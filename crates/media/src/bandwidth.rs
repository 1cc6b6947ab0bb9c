//! Fitting each subscriber's video into the bandwidth towards it.
//!
//! Each subscriber's connection reports once a second what it sent and
//! the loss its receiver reports (RTCP receiver reports, which every
//! browser sends). [`Estimator`] turns that into an estimate with the
//! loss-based rule of Google congestion control: above 10 % loss the
//! estimate drops to what was sent times (1 - loss / 2); below 2 % it
//! grows 8 % a second, up to twice what its tracks want.
//! Twice a second each subscriber's estimate, less what its audio takes,
//! is split among its video tracks that are not paused ([`share`]:
//! max-min fair, wanting what the layer its requested size picks sends),
//! and each track gets a budget: the largest layer up to that one whose
//! measured bitrate fits in it (`layers.rs`). The switch itself waits for
//! a keyframe, as any switch does.
//!
//! Why not str0m's delay-based estimator: enabling it in str0m 0.24 also
//! paces every packet at 1.1 times the estimate, which holds a keyframe
//! burst back for hundreds of milliseconds. Measured with `just
//! bench-media`: video p99 from 4.7 to 900 ms with 25 subscribers, and 26 %
//! loss in the ten-person meeting (the estimate starts low and climbs
//! slower than ten cameras arrive). An SFU forwards streams it cannot
//! slow down, so it forwards at once and adapts by layer.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use str0m::media::MediaKind;

use crate::layers::share;
use crate::peer::{OutState, Peer};
use crate::types::PeerId;

/// Loss above which the estimate drops.
const LOSS_HIGH: f32 = 0.10;

/// Loss below which the estimate grows.
const LOSS_LOW: f32 = 0.02;

/// Growth per report without loss, in percent.
const GROWTH_PERCENT: u64 = 8;

/// The estimate never goes below this (the smallest layer and audio).
const FLOOR_BPS: u64 = 50_000;

/// A subscriber's estimate from its loss reports.
#[derive(Debug, Default)]
pub(crate) struct Estimator {
    /// Bytes sent at the last report, and when.
    last: Option<(Instant, u64)>,
    /// Bits per second the link carries, once loss limited it; `None`: no
    /// limit known.
    pub estimate: Option<u64>,
}

impl Estimator {
    /// Takes one report: `bytes_tx` sent so far, and the fraction of
    /// packets the receiver reported lost since the last one (`None`: no
    /// report came). `wanted` is what all its tracks would take.
    pub fn report(&mut self, at: Instant, bytes_tx: u64, loss: Option<f32>, wanted: u64) {
        let Some((then, before)) = self.last.replace((at, bytes_tx)) else {
            return;
        };
        let ms = at.saturating_duration_since(then).as_millis() as u64;
        if ms == 0 {
            return;
        }
        let sent = bytes_tx.saturating_sub(before) * 8 * 1000 / ms;
        match loss {
            Some(l) if l > LOSS_HIGH => {
                let base = self.estimate.map_or(sent, |e| e.min(sent));
                let cut = (base as f64 * (1.0 - f64::from(l) / 2.0)) as u64;
                self.estimate = Some(cut.max(FLOOR_BPS));
            }
            Some(l) if l >= LOSS_LOW => {}
            _ => {
                if let Some(e) = self.estimate {
                    // Growing past twice what it wants would only delay
                    // the next cut.
                    let grown = e + e * GROWTH_PERCENT / 100;
                    let cap = (wanted * 2).max(FLOOR_BPS);
                    self.estimate = Some(if e >= cap { e } else { grown.min(cap) });
                }
            }
        }
    }
}

/// How often budgets are recomputed.
pub(crate) const INTERVAL: Duration = Duration::from_millis(500);

/// What each audio track is assumed to take (Opus at its usual rate plus
/// headers).
const AUDIO_BPS: u64 = 50_000;

/// Part of the estimate used: the rest is headroom for retransmissions
/// and the estimate's own error.
const USABLE_PERCENT: u64 = 90;

/// One subscriber's open tracks: each video's index in its `tracks_out`
/// with the bitrate its requested layer takes, and how many audios.
struct Wants {
    peer: PeerId,
    video: Vec<(usize, u64)>,
    audio: usize,
}

/// Sets the budget of every video track each subscriber receives.
pub(crate) fn allocate(now: Instant, peers: &mut HashMap<PeerId, Peer>) {
    // What each open video track wants, read from its publisher's layers.
    let mut plan = Vec::new();
    for (id, p) in peers.iter() {
        let mut video = Vec::new();
        let mut audio = 0;
        for (i, t) in p.tracks_out.iter().enumerate() {
            if !matches!(t.state, OutState::Open(_)) || t.paused {
                continue;
            }
            if t.kind != MediaKind::Video {
                audio += 1;
                continue;
            }
            let Some(layers) = peers
                .get(&t.from)
                .and_then(|q| q.tracks_in.iter().find(|x| x.mid == t.from_mid))
                .map(|x| &x.layers)
            else {
                continue;
            };
            let want = layers.bitrate(layers.choose(now, t.max, None));
            video.push((i, want));
        }
        plan.push(Wants {
            peer: *id,
            video,
            audio,
        });
    }
    for Wants { peer, video, audio } in plan {
        let Some(p) = peers.get_mut(&peer) else {
            continue;
        };
        p.wanted = video.iter().map(|(_, w)| w).sum::<u64>() + audio as u64 * AUDIO_BPS;
        let Some(estimate) = p.bandwidth.estimate else {
            for (i, _) in &video {
                p.tracks_out[*i].budget = None;
            }
            continue;
        };
        let usable = (estimate * USABLE_PERCENT / 100).saturating_sub(audio as u64 * AUDIO_BPS);
        let wants: Vec<u64> = video.iter().map(|(_, w)| *w).collect();
        for ((i, want), budget) in video.iter().zip(share(usable, &wants)) {
            // A track whose share covers its wish is not limited (its
            // layers' rates move between two measurements); nor is one
            // whose layers are not measured yet (it wants 0).
            p.tracks_out[*i].budget = (budget < *want).then_some(budget);
        }
    }
}
