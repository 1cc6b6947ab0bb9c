//! One participant's peer connection to the server: what it publishes,
//! what it receives, and the negotiation of both.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use str0m::change::{SdpAnswer, SdpOffer, SdpPendingOffer};
use str0m::media::{Direction, KeyframeRequestKind, MediaData, MediaKind, Mid, Rid};
use str0m::{Candidate, Rtc};

use crate::layers::Layers;
use crate::types::*;

/// Shortest time between two keyframe requests to one publisher track.
const KEYFRAME_INTERVAL: Duration = Duration::from_millis(500);

/// A track this peer publishes.
#[derive(Debug)]
pub(crate) struct TrackIn {
    pub mid: Mid,
    pub kind: MediaKind,
    pub source: TrackSource,
    last_keyframe_request: Option<Instant>,
    /// Smoothed audio level, 0 (silence) to 127 (full scale).
    pub level: f32,
    /// When a level last came.
    pub heard: Option<Instant>,
    /// Its simulcast layers, if it has several.
    pub layers: Layers,
}

impl TrackIn {
    /// Takes one packet's audio level (RFC 6464: -127 silence to 0 dBov).
    pub fn hear(&mut self, now: Instant, dbov: i8) {
        let loudness = f32::from(127 - dbov.unsigned_abs().min(127));
        self.level = self.level * 0.85 + loudness * 0.15;
        self.heard = Some(now);
    }
}

/// Where a track this peer receives stands in negotiation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OutState {
    /// To add in the next server offer.
    ToOpen,
    /// In a server offer not yet answered.
    Negotiating(Mid),
    /// Forwarding.
    Open(Mid),
    /// To stop in the next server offer.
    ToStop(Mid),
    /// Stopped in a server offer not yet answered.
    NegotiatingStop(Mid),
}

/// A track of another peer that this peer receives.
#[derive(Debug)]
pub(crate) struct TrackOut {
    pub from: PeerId,
    pub from_mid: Mid,
    pub kind: MediaKind,
    pub source: TrackSource,
    pub user: String,
    pub state: OutState,
    /// The simulcast layer forwarded, once one was seen.
    pub rid: Option<Rid>,
    /// The largest size the subscriber wants (`subscription-update`).
    pub max: Option<(u32, u32)>,
    /// The subscriber paused it: nothing is forwarded.
    pub paused: bool,
    /// Forwarding resumes on a keyframe (after a pause).
    pub need_keyframe: bool,
    /// Bits per second its layer may take, from the subscriber's
    /// bandwidth estimate (`bandwidth.rs`); `None`: no limit.
    pub budget: Option<u64>,
}

/// What [`Peer::forward`] did with one payload.
#[derive(Debug, Default)]
pub(crate) struct Forwarded {
    /// It was written to the subscriber.
    pub sent: bool,
    /// The publisher should send a keyframe of this layer (`Some(None)`:
    /// of its only one) so the subscriber can switch or resume.
    pub want_keyframe: Option<Option<Rid>>,
}

impl TrackOut {
    /// The subscriber-side mid, once negotiated or negotiating.
    pub fn mid(&self) -> Option<Mid> {
        match self.state {
            OutState::ToOpen => None,
            OutState::Negotiating(m)
            | OutState::Open(m)
            | OutState::ToStop(m)
            | OutState::NegotiatingStop(m) => Some(m),
        }
    }

    fn is_live(&self) -> bool {
        matches!(self.state, OutState::Negotiating(_) | OutState::Open(_))
    }
}

/// One participant's peer connection.
pub(crate) struct Peer {
    pub room: std::sync::Arc<str>,
    pub user: String,
    pub grants: Grants,
    pub rtc: Rtc,
    pending: Option<SdpPendingOffer>,
    /// Declared sources of its send sections, by mid.
    sources: HashMap<String, TrackSource>,
    pub tracks_in: Vec<TrackIn>,
    pub tracks_out: Vec<TrackOut>,
    /// When it next wants a timeout.
    pub deadline: Instant,
    /// The bandwidth towards it, from its loss reports.
    pub bandwidth: crate::bandwidth::Estimator,
    /// What every track it receives would take at its requested layer,
    /// bits per second (set by `bandwidth::allocate`).
    pub wanted: u64,
}

impl Peer {
    pub fn new(
        now: Instant,
        room: std::sync::Arc<str>,
        user: String,
        grants: Grants,
        candidate: Candidate,
    ) -> Self {
        // Resends of video come from a ring of sent packets; str0m keeps
        // 1,000 (7 s of a 1.5 Mbit/s camera), far more than a NACK needs
        // (a few round trips): 400 is still over 0.8 s at 5 Mbit/s and
        // halves the memory of each subscribed track.
        // A report a second of what was sent and lost feeds its bandwidth
        // estimate (`bandwidth.rs`).
        let mut rtc = Rtc::builder()
            .set_send_buffer_video(400)
            .set_stats_interval(Some(Duration::from_secs(1)))
            .build(now);
        rtc.add_local_candidate(candidate);
        Peer {
            room,
            user,
            grants,
            rtc,
            pending: None,
            sources: HashMap::new(),
            tracks_in: Vec::new(),
            tracks_out: Vec::new(),
            deadline: now,
            bandwidth: Default::default(),
            wanted: 0,
        }
    }

    /// Applies a client offer; the answer's SDP. A pending server offer is
    /// cancelled (the server yields) and made again later.
    pub fn accept_offer(
        &mut self,
        sdp: &str,
        sources: HashMap<String, TrackSource>,
    ) -> Result<String, String> {
        let offer = SdpOffer::from_sdp_string(sdp).map_err(|e| e.to_string())?;
        let answer = self
            .rtc
            .sdp_api()
            .accept_offer(offer)
            .map_err(|e| e.to_string())?;
        self.sources = sources;
        self.pending = None;
        for t in &mut self.tracks_out {
            t.state = match t.state {
                OutState::Negotiating(_) => OutState::ToOpen,
                OutState::NegotiatingStop(m) => OutState::ToStop(m),
                s => s,
            };
        }
        Ok(answer.to_sdp_string())
    }

    /// Applies the client's answer to the pending server offer. The mids
    /// of tracks that opened are returned (each wants a keyframe). An
    /// answer with no offer pending (it crossed a client offer) is dropped.
    pub fn accept_answer(&mut self, sdp: &str) -> Result<Vec<(PeerId, Mid)>, String> {
        let Some(pending) = self.pending.take() else {
            return Ok(Vec::new());
        };
        let answer = SdpAnswer::from_sdp_string(sdp).map_err(|e| e.to_string())?;
        self.rtc
            .sdp_api()
            .accept_answer(pending, answer)
            .map_err(|e| e.to_string())?;
        let mut opened = Vec::new();
        for t in &mut self.tracks_out {
            if let OutState::Negotiating(m) = t.state {
                t.state = OutState::Open(m);
                opened.push((t.from, t.from_mid));
            }
        }
        self.tracks_out
            .retain(|t| !matches!(t.state, OutState::NegotiatingStop(_)));
        Ok(opened)
    }

    /// The declared source of its send section `mid`.
    pub fn source_of(&self, mid: Mid, kind: MediaKind) -> TrackSource {
        self.sources
            .get(&mid.to_string())
            .copied()
            .unwrap_or_else(|| TrackSource::default_for(kind == MediaKind::Video))
    }

    /// Whether `mid` is one of the sections the server added to send on.
    pub fn is_out_mid(&self, mid: Mid) -> bool {
        self.tracks_out.iter().any(|t| t.mid() == Some(mid))
    }

    /// Receives `from`'s published `track` from the next server offer on.
    pub fn subscribe(&mut self, from: PeerId, track: &TrackIn, user: &str) {
        self.subscribe_to(from, track.mid, track.kind, track.source, user);
    }

    /// Receives `from`'s track `mid` from the next server offer on.
    pub fn subscribe_to(
        &mut self,
        from: PeerId,
        mid: Mid,
        kind: MediaKind,
        source: TrackSource,
        user: &str,
    ) {
        self.tracks_out.push(TrackOut {
            from,
            from_mid: mid,
            kind,
            source,
            user: user.to_owned(),
            state: OutState::ToOpen,
            rid: None,
            max: None,
            paused: false,
            need_keyframe: false,
            budget: None,
        });
    }

    /// Stops receiving `from`'s track `from_mid` (every track of `from`
    /// when `None`).
    pub fn unsubscribe(&mut self, from: PeerId, from_mid: Option<Mid>) {
        self.tracks_out.retain_mut(|t| {
            if t.from != from || from_mid.is_some_and(|m| m != t.from_mid) {
                return true;
            }
            match t.state {
                OutState::ToOpen => false,
                OutState::Negotiating(m) | OutState::Open(m) => {
                    t.state = OutState::ToStop(m);
                    true
                }
                _ => true,
            }
        });
    }

    /// Makes a server offer when tracks are to open or stop and none is
    /// pending: the track list, then the offer.
    pub fn negotiate(&mut self) -> Option<[Signal; 2]> {
        if self.pending.is_some() {
            return None;
        }
        let mut change = self.rtc.sdp_api();
        for t in &mut self.tracks_out {
            match t.state {
                OutState::ToOpen => {
                    let stream = if t.source.is_screen() {
                        format!("{}-screen", t.from)
                    } else {
                        t.from.to_string()
                    };
                    let track = format!("{}-{}", t.from, t.from_mid);
                    let mid = change.add_media(
                        t.kind,
                        Direction::SendOnly,
                        Some(stream),
                        Some(track),
                        None,
                    );
                    t.state = OutState::Negotiating(mid);
                }
                OutState::ToStop(m) => {
                    change.stop_media(m);
                    t.state = OutState::NegotiatingStop(m);
                }
                _ => {}
            }
        }
        if !change.has_changes() {
            return None;
        }
        let (offer, pending) = change.apply()?;
        self.pending = Some(pending);
        Some([
            Signal::Tracks(self.track_list()),
            Signal::Offer(offer.to_sdp_string()),
        ])
    }

    /// The tracks it receives (negotiating or open).
    pub fn track_list(&self) -> Vec<TrackInfo> {
        self.tracks_out
            .iter()
            .filter(|t| t.is_live())
            .filter_map(|t| {
                Some(TrackInfo {
                    mid: t.mid()?.to_string(),
                    user_id: t.user.clone(),
                    source: t.source,
                    kind: if t.kind == MediaKind::Video {
                        "video"
                    } else {
                        "audio"
                    },
                })
            })
            .collect()
    }

    /// Forwards `data` from `from` on the matching open track, on the
    /// layer this subscriber gets (see `layers.rs`): a switch of layer, or
    /// a resume after a pause, waits for a keyframe and asks for one.
    pub fn forward(
        &mut self,
        now: Instant,
        from: PeerId,
        data: &MediaData,
        layers: &Layers,
    ) -> Forwarded {
        let mut done = Forwarded::default();
        let Some(t) = self
            .tracks_out
            .iter_mut()
            .find(|t| t.from == from && t.from_mid == data.mid)
        else {
            return done;
        };
        let OutState::Open(mid) = t.state else {
            return done;
        };
        if t.paused {
            return done;
        }
        let keyframe = data.is_keyframe();
        if data.rid.is_some() {
            let target = layers.choose(now, t.max, t.budget);
            if data.rid == target && t.rid != target {
                // The layer to switch to: from its next keyframe on.
                if !keyframe {
                    done.want_keyframe = Some(target);
                    return done;
                }
                t.rid = target;
                t.need_keyframe = false;
            } else if data.rid != t.rid {
                return done;
            } else if t.rid != target {
                // Still the old layer while the new one's keyframe comes.
                done.want_keyframe = Some(target);
            }
        }
        if t.need_keyframe {
            if !keyframe {
                done.want_keyframe = Some(data.rid);
                return done;
            }
            t.need_keyframe = false;
        }
        let Some(writer) = self.rtc.writer(mid) else {
            return done;
        };
        let Some(pt) = writer.match_params(data.params) else {
            return done;
        };
        done.sent = writer
            .write(pt, data.network_time, data.time, data.data.clone())
            .is_ok();
        done
    }

    /// Applies a subscriber's wish for its track `mid` (its own mid): the
    /// largest size it wants, or a pause. False when it has no such track.
    pub fn subscription(&mut self, mid: &str, max: Option<(u32, u32)>, paused: bool) -> bool {
        let Some(t) = self
            .tracks_out
            .iter_mut()
            .find(|t| t.is_live() && t.mid().is_some_and(|m| *m == *mid))
        else {
            return false;
        };
        t.max = max;
        if t.paused && !paused && t.kind == MediaKind::Video {
            t.need_keyframe = true;
        }
        t.paused = paused;
        true
    }

    /// Asks for a keyframe on its published track `mid`; whether the
    /// request went out: not for audio, and not within
    /// [`KEYFRAME_INTERVAL`] of the last one (a keyframe is on its way).
    pub fn request_keyframe(&mut self, now: Instant, mid: Mid, rid: Option<Rid>) -> bool {
        let Some(t) = self.tracks_in.iter_mut().find(|t| t.mid == mid) else {
            return false;
        };
        if t.kind != MediaKind::Video
            || t.last_keyframe_request
                .is_some_and(|at| now.saturating_duration_since(at) < KEYFRAME_INTERVAL)
        {
            return false;
        }
        let Some(mut writer) = self.rtc.writer(mid) else {
            return false;
        };
        let sent = writer
            .request_keyframe(rid, KeyframeRequestKind::Pli)
            .is_ok();
        if sent {
            t.last_keyframe_request = Some(now);
        }
        sent
    }

    /// Starts forwarding its track `mid`.
    pub fn publish(&mut self, mid: Mid, kind: MediaKind, source: TrackSource) -> &TrackIn {
        self.tracks_in.retain(|t| t.mid != mid);
        self.tracks_in.push(TrackIn {
            mid,
            kind,
            source,
            last_keyframe_request: None,
            level: 0.0,
            heard: None,
            layers: Layers::default(),
        });
        self.tracks_in.last().expect("just pushed")
    }
}
