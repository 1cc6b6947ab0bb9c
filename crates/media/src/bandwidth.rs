//! Fitting each subscriber's video into its bandwidth estimate.
//!
//! Every subscriber's connection estimates the bandwidth towards it
//! (transport-wide congestion control, str0m's estimator fed by the
//! browser's feedback; or the browser's REMB). Twice a second each
//! subscriber's estimate, less what its audio takes, is split among its
//! video tracks that are not paused ([`share`]: max-min fair, wanting what
//! the layer its requested size picks sends), and each track gets a
//! budget: the largest layer up to that one whose measured bitrate fits
//! in it (`layers.rs`). The switch itself waits for a keyframe, as any
//! switch does. Each subscriber's connection is also told what all its
//! tracks would take at their requested layers, so its estimator probes
//! up to it and a recovered link gets the larger layers back.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use str0m::bwe::Bitrate;
use str0m::media::MediaKind;

use crate::layers::share;
use crate::peer::{OutState, Peer};
use crate::types::PeerId;

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
        let wanted: u64 = video.iter().map(|(_, w)| w).sum::<u64>() + audio as u64 * AUDIO_BPS;
        if wanted > 0 {
            // Probe up to what the tracks would take, with the headroom.
            let desired = wanted * 100 / USABLE_PERCENT;
            p.rtc.bwe().set_desired_bitrate(Bitrate::bps(desired));
        }
        let Some(estimate) = p.estimate else {
            continue;
        };
        let usable = (estimate * USABLE_PERCENT / 100).saturating_sub(audio as u64 * AUDIO_BPS);
        let wants: Vec<u64> = video.iter().map(|(_, w)| *w).collect();
        for ((i, want), budget) in video.iter().zip(share(usable, &wants)) {
            // A track whose layers are not measured yet wants 0: no limit.
            p.tracks_out[*i].budget = (*want > 0).then_some(budget);
        }
    }
}
