//! Active speakers: from the audio levels publishers put in their packets
//! (RFC 6464), who speaks in each room, loudest first, and who dominates.
//! Checked every [`INTERVAL`]; a room hears of it only when it changes.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crate::peer::Peer;
use crate::types::*;

/// How often rooms are checked (and so the fastest their list changes).
pub(crate) const INTERVAL: Duration = Duration::from_millis(300);

/// Loudness (0..127) above which a participant counts as speaking: about
/// -50 dBov, well over a quiet room's noise.
const SPEAKING: f32 = 77.0;

/// A level older than this is silence.
const STALE: Duration = Duration::from_millis(1000);

/// Checks in a row a new loudest speaker must stay loudest to dominate.
const TAKE_OVER: u8 = 3;

/// One room's speakers as last told.
#[derive(Debug, Default)]
pub(crate) struct RoomSpeakers {
    told: Vec<(PeerId, u8)>,
    dominant: Option<PeerId>,
    challenger: Option<(PeerId, u8)>,
}

impl RoomSpeakers {
    /// The room's speakers now from `members`' microphone levels; `Some`
    /// when the list (by order and tenth of level) or the dominant changed.
    pub fn check(
        &mut self,
        now: Instant,
        members: &[PeerId],
        peers: &HashMap<PeerId, Peer>,
    ) -> Option<Speakers> {
        let mut speaking: Vec<(PeerId, f32)> = members
            .iter()
            .filter_map(|id| {
                let p = peers.get(id)?;
                if !p.grants.audio {
                    return None;
                }
                let level = p
                    .tracks_in
                    .iter()
                    .filter(|t| t.source == TrackSource::Microphone)
                    .filter(|t| {
                        t.heard
                            .is_some_and(|h| now.saturating_duration_since(h) < STALE)
                    })
                    .map(|t| t.level)
                    .fold(0.0, f32::max);
                (level > SPEAKING).then_some((*id, level))
            })
            .collect();
        speaking.sort_by(|a, b| b.1.total_cmp(&a.1));
        let dominant_before = self.dominant;
        match speaking.first() {
            None => self.challenger = None,
            Some((top, _)) if Some(*top) == self.dominant => self.challenger = None,
            Some((top, _)) => {
                let quiet = !self
                    .dominant
                    .is_some_and(|d| speaking.iter().any(|(id, _)| *id == d));
                let turns = match self.challenger {
                    Some((c, n)) if c == *top => n + 1,
                    _ => 1,
                };
                if quiet || turns >= TAKE_OVER {
                    self.dominant = Some(*top);
                    self.challenger = None;
                } else {
                    self.challenger = Some((*top, turns));
                }
            }
        }
        if speaking.is_empty() && self.dominant.is_some_and(|d| !members.contains(&d)) {
            self.dominant = None;
        }
        let told: Vec<(PeerId, u8)> = speaking
            .iter()
            .map(|(id, l)| (*id, (l / 127.0 * 10.0).round() as u8))
            .collect();
        if told == self.told && dominant_before == self.dominant {
            return None;
        }
        self.told = told;
        let user = |id: &PeerId| peers.get(id).map(|p| p.user.clone());
        Some(Speakers {
            speakers: speaking
                .iter()
                .filter_map(|(id, l)| {
                    Some(Speaker {
                        user_id: user(id)?,
                        level: (l / 127.0 * 100.0).round() / 100.0,
                    })
                })
                .collect(),
            dominant: self.dominant.as_ref().and_then(user),
        })
    }
}
