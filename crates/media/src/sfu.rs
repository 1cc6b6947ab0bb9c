//! The router: which peer a datagram belongs to, and where each track's
//! packets go.

use std::collections::{HashMap, HashSet, VecDeque};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use str0m::media::{MediaData, MediaKind, Mid, Rid};
use str0m::net::{Protocol, Receive};
use str0m::{Candidate, Event, Input, Output as RtcOutput};

use crate::bandwidth;
use crate::peer::{OutState, Peer};
use crate::speakers::{self, RoomSpeakers};
use crate::types::*;

/// Counters of what the SFU did and dropped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SfuStats {
    /// Datagrams received.
    pub datagrams_in: u64,
    /// Datagrams no peer accepted (dropped).
    pub unrouted: u64,
    /// Media payloads received from publishers.
    pub media_in: u64,
    /// Media payloads written to subscribers.
    pub media_forwarded: u64,
    /// Payloads dropped because their track may not be forwarded (a
    /// viewer's track, a muted one).
    pub media_refused: u64,
    /// Answers that arrived with no server offer pending (dropped).
    pub stale_answers: u64,
    /// Subscribers' keyframe requests (PLI/FIR) not passed on to the
    /// publisher: one went out for the track within the last 500 ms, so a
    /// subscriber flooding them cannot make everyone's video spike.
    pub keyframe_requests_dropped: u64,
}

/// What a peer's connection reported, taken out of it before acting on
/// other peers.
enum Happened {
    Added(Mid, MediaKind),
    Stopped(Mid),
    Data(Box<MediaData>),
    Keyframe(Mid),
    Connected,
}

/// The selective forwarding unit of one instance: every media peer of
/// every SFU room it hosts.
pub struct Sfu {
    config: SfuConfig,
    candidate: Candidate,
    peers: HashMap<PeerId, Peer>,
    rooms: HashMap<Arc<str>, Vec<PeerId>>,
    speakers: HashMap<Arc<str>, RoomSpeakers>,
    next_speakers: Instant,
    /// When video budgets are next recomputed (`bandwidth.rs`).
    next_allocation: Instant,
    by_addr: HashMap<SocketAddr, PeerId>,
    dirty: Vec<PeerId>,
    negotiate: HashSet<PeerId>,
    out: VecDeque<Output>,
    stats: SfuStats,
    taps: crate::tap::Taps,
}

impl Sfu {
    /// An SFU advertising `config.candidate`. Fails when that is not an
    /// address peers can use (unspecified or multicast).
    pub fn new(config: SfuConfig) -> Result<Self, String> {
        crate::init_crypto();
        let candidate = Candidate::host(config.candidate, "udp")
            .map_err(|e| format!("{}: {e}", config.candidate))?;
        Ok(Sfu {
            config,
            candidate,
            peers: HashMap::new(),
            rooms: HashMap::new(),
            speakers: HashMap::new(),
            next_speakers: Instant::now(),
            next_allocation: Instant::now(),
            by_addr: HashMap::new(),
            dirty: Vec::new(),
            negotiate: HashSet::new(),
            out: VecDeque::new(),
            stats: SfuStats::default(),
            taps: crate::tap::Taps::default(),
        })
    }

    /// Counters so far.
    pub fn stats(&self) -> SfuStats {
        self.stats
    }

    /// Media peers now.
    pub fn peer_count(&self) -> usize {
        self.peers.len()
    }

    /// The next output to carry out.
    pub fn poll(&mut self) -> Option<Output> {
        self.out.pop_front()
    }

    /// The bandwidth towards `peer` in bits per second, once loss limited
    /// it (see `bandwidth.rs`); `None`: no limit known.
    pub fn estimate(&self, peer: PeerId) -> Option<u64> {
        self.peers.get(&peer)?.bandwidth.estimate
    }

    /// Sets `peer`'s estimate as if its connection had made it.
    #[cfg(test)]
    pub(crate) fn set_estimate(&mut self, peer: PeerId, bps: u64) {
        if let Some(p) = self.peers.get_mut(&peer) {
            p.bandwidth.estimate = Some(bps);
        }
    }

    /// When [`Sfu::tick`] should next be called.
    pub fn deadline(&self) -> Option<Instant> {
        let peers = self.peers.values().map(|p| p.deadline).min()?;
        Some(peers.min(self.next_speakers).min(self.next_allocation))
    }

    /// Drives time: peers whose timers are due run them.
    pub fn tick(&mut self, now: Instant) {
        for (id, p) in &mut self.peers {
            if p.deadline <= now {
                if p.rtc.handle_input(Input::Timeout(now)).is_err() {
                    p.rtc.disconnect();
                }
                self.dirty.push(*id);
            }
        }
        self.drive(now);
        if now >= self.next_speakers {
            self.next_speakers = now + speakers::INTERVAL;
            self.tell_speakers(now);
        }
        if now >= self.next_allocation {
            self.next_allocation = now + bandwidth::INTERVAL;
            bandwidth::allocate(now, &mut self.peers);
        }
    }

    /// Tells each room whose speakers changed.
    fn tell_speakers(&mut self, now: Instant) {
        for (room, members) in &self.rooms {
            let state = self.speakers.entry(room.clone()).or_default();
            if let Some(s) = state.check(now, members, &self.peers) {
                for id in members {
                    self.out.push_back(Output::Signal {
                        peer: *id,
                        signal: Signal::Speakers(s.clone()),
                    });
                }
            }
        }
    }

    /// A datagram arrived at `destination` (the local socket) from `source`.
    pub fn receive(
        &mut self,
        now: Instant,
        source: SocketAddr,
        destination: SocketAddr,
        bytes: &[u8],
    ) {
        self.stats.datagrams_in += 1;
        let Ok(contents) = bytes.try_into() else {
            self.stats.unrouted += 1;
            return;
        };
        let input = Input::Receive(
            now,
            Receive {
                proto: Protocol::Udp,
                source,
                destination,
                contents,
            },
        );
        let cached = self
            .by_addr
            .get(&source)
            .copied()
            .filter(|id| self.peers.get(id).is_some_and(|p| p.rtc.accepts(&input)));
        let found = cached.or_else(|| {
            let id = self
                .peers
                .iter()
                .find(|(_, p)| p.rtc.accepts(&input))
                .map(|(id, _)| *id)?;
            self.by_addr.insert(source, id);
            Some(id)
        });
        let Some(id) = found else {
            self.stats.unrouted += 1;
            return;
        };
        let p = self.peers.get_mut(&id).expect("found above");
        if p.rtc.handle_input(input).is_err() {
            p.rtc.disconnect();
        }
        self.dirty.push(id);
        self.drive(now);
    }

    /// Signaling from a participant.
    pub fn command(&mut self, now: Instant, command: Command) {
        match command {
            Command::Offer {
                peer,
                room,
                user,
                grants,
                sdp,
                sources,
            } => self.offer(now, peer, room, user, grants, &sdp, sources),
            Command::Answer { peer, sdp } => {
                let Some(p) = self.peers.get_mut(&peer) else {
                    return;
                };
                match p.accept_answer(&sdp) {
                    Ok(opened) if opened.is_empty() => self.stats.stale_answers += 1,
                    Ok(opened) => {
                        for (from, mid) in opened {
                            let _ = self.keyframe(now, from, mid, None);
                        }
                    }
                    Err(e) => self.refuse(peer, MediaError::InvalidSdp, e),
                }
                self.negotiate.insert(peer);
                self.dirty.push(peer);
            }
            Command::Grants { peer, grants } => {
                if let Some(p) = self.peers.get_mut(&peer) {
                    p.grants = grants;
                }
            }
            Command::Subscribe {
                peer,
                mid,
                max,
                paused,
            } => {
                let Some(q) = self.peers.get_mut(&peer) else {
                    return;
                };
                if !q.subscription(&mid, max, paused) {
                    let shown: String = mid.chars().take(16).collect();
                    self.refuse(
                        peer,
                        MediaError::TrackNotFound,
                        format!("you receive no track with mid {shown:?}"),
                    );
                }
                self.dirty.push(peer);
            }
            Command::Leave { peer } => self.remove(peer),
            Command::Tap { tap, room } => {
                if !self.taps.add(tap, Arc::from(room.as_str())) {
                    tracing::warn!(tap, "too many media taps: one was refused");
                    return;
                }
                let members = self.rooms.get(room.as_str()).cloned().unwrap_or_default();
                for from in members {
                    // Of the layer the tap will take (see `tap.rs`).
                    let video: Vec<(Mid, Option<Rid>)> = self.peers[&from]
                        .tracks_in
                        .iter()
                        .filter(|t| t.kind == MediaKind::Video)
                        .map(|t| (t.mid, t.layers.choose(now, None, None)))
                        .collect();
                    for (mid, rid) in video {
                        let _ = self.keyframe(now, from, mid, rid);
                    }
                }
            }
            Command::Untap { tap } => self.taps.remove(tap),
        }
        self.drive(now);
    }

    #[allow(clippy::too_many_arguments)]
    fn offer(
        &mut self,
        now: Instant,
        peer: PeerId,
        room: String,
        user: String,
        grants: Grants,
        sdp: &str,
        sources: HashMap<String, TrackSource>,
    ) {
        if sources.len() > MAX_SOURCES {
            return self.refuse(
                peer,
                MediaError::InvalidSdp,
                format!("at most {MAX_SOURCES} sources may be declared"),
            );
        }
        let created = !self.peers.contains_key(&peer);
        if created {
            if self.peers.len() >= self.config.max_peers {
                return self.refuse(
                    peer,
                    MediaError::CapacityReached,
                    "the media server is full".into(),
                );
            }
            let room: Arc<str> = room.into();
            let mut p = Peer::new(now, room.clone(), user, grants, self.candidate.clone());
            let members = self.rooms.entry(room).or_default();
            for other in members.iter() {
                let o = &self.peers[other];
                for t in &o.tracks_in {
                    p.subscribe(*other, t, &o.user);
                }
            }
            members.push(peer);
            self.peers.insert(peer, p);
        } else if *self.peers[&peer].room != *room {
            return self.refuse(
                peer,
                MediaError::WrongRoom,
                "a media peer stays in its room".into(),
            );
        }
        let p = self.peers.get_mut(&peer).expect("present");
        p.grants = grants;
        match p.accept_offer(sdp, sources) {
            Ok(answer) => self.signal(peer, Signal::Answer(answer)),
            Err(e) => {
                self.refuse(peer, MediaError::InvalidSdp, e);
                if created {
                    self.remove(peer);
                }
                return;
            }
        }
        self.negotiate.insert(peer);
        self.dirty.push(peer);
    }

    fn signal(&mut self, peer: PeerId, signal: Signal) {
        self.out.push_back(Output::Signal { peer, signal });
    }

    fn refuse(&mut self, peer: PeerId, error: MediaError, message: String) {
        self.signal(peer, Signal::Error { error, message });
    }

    /// Removes a peer and its tracks from every subscriber.
    fn remove(&mut self, peer: PeerId) {
        let Some(mut p) = self.peers.remove(&peer) else {
            return;
        };
        p.rtc.disconnect();
        self.taps.forget(peer);
        self.by_addr.retain(|_, id| *id != peer);
        if let Some(members) = self.rooms.get_mut(&p.room) {
            members.retain(|id| *id != peer);
            for id in members.iter() {
                if let Some(q) = self.peers.get_mut(id) {
                    q.unsubscribe(peer, None);
                    self.negotiate.insert(*id);
                    self.dirty.push(*id);
                }
            }
            if members.is_empty() {
                self.rooms.remove(&p.room);
                self.speakers.remove(&p.room);
            }
        }
    }

    /// Asks `from` for a keyframe on its track `mid`; whether it went out.
    fn keyframe(&mut self, now: Instant, from: PeerId, mid: Mid, rid: Option<Rid>) -> bool {
        let Some(p) = self.peers.get_mut(&from) else {
            return false;
        };
        let sent = p.request_keyframe(now, mid, rid);
        self.dirty.push(from);
        sent
    }

    /// Polls every peer with input until each waits for time, acting on
    /// what they report; then makes the server offers that are due.
    fn drive(&mut self, now: Instant) {
        let mut dead = Vec::new();
        while let Some(id) = self.dirty.pop() {
            let Some(p) = self.peers.get_mut(&id) else {
                continue;
            };
            let mut happened = Vec::new();
            loop {
                if !p.rtc.is_alive() {
                    dead.push(id);
                    break;
                }
                match p.rtc.poll_output() {
                    Ok(RtcOutput::Timeout(t)) => {
                        p.deadline = t;
                        break;
                    }
                    Ok(RtcOutput::Transmit(t)) => self.out.push_back(Output::Transmit {
                        source: t.source,
                        destination: t.destination,
                        contents: t.contents.into(),
                    }),
                    Ok(RtcOutput::Event(e)) => match e {
                        Event::Connected => happened.push(Happened::Connected),
                        Event::MediaAdded(m)
                            if m.direction.is_receiving() && !p.is_out_mid(m.mid) =>
                        {
                            happened.push(Happened::Added(m.mid, m.kind))
                        }
                        Event::MediaChanged(m) if !p.is_out_mid(m.mid) => {
                            if m.direction.is_receiving() {
                                if !p.tracks_in.iter().any(|t| t.mid == m.mid) {
                                    let kind = p
                                        .rtc
                                        .media(m.mid)
                                        .map(|x| x.kind())
                                        .unwrap_or(MediaKind::Audio);
                                    happened.push(Happened::Added(m.mid, kind));
                                }
                            } else {
                                happened.push(Happened::Stopped(m.mid));
                            }
                        }
                        Event::MediaData(d) => happened.push(Happened::Data(Box::new(d))),
                        Event::KeyframeRequest(r) => happened.push(Happened::Keyframe(r.mid)),
                        Event::PeerStats(st) => p.bandwidth.report(
                            st.timestamp,
                            st.peer_bytes_tx,
                            st.egress_loss_fraction,
                            p.wanted,
                        ),
                        _ => {}
                    },
                    Err(e) => {
                        tracing::debug!(peer = %id, error = %e, "media peer failed");
                        p.rtc.disconnect();
                    }
                }
            }
            for h in happened {
                self.act(now, id, h);
            }
        }
        for id in dead {
            self.remove(id);
        }
        if !self.dirty.is_empty() {
            return self.drive(now);
        }
        let due: Vec<PeerId> = self.negotiate.drain().collect();
        for id in due {
            let Some(p) = self.peers.get_mut(&id) else {
                continue;
            };
            if let Some([tracks, offer]) = p.negotiate() {
                self.signal(id, tracks);
                self.signal(id, offer);
            }
        }
    }

    /// Acts on what peer `id` reported.
    fn act(&mut self, now: Instant, id: PeerId, happened: Happened) {
        match happened {
            Happened::Connected => {
                let Some(p) = self.peers.get(&id) else { return };
                let open: Vec<(PeerId, Mid, Option<Rid>)> = p
                    .tracks_out
                    .iter()
                    .filter(|t| matches!(t.state, OutState::Open(_)))
                    .map(|t| (t.from, t.from_mid, t.rid))
                    .collect();
                for (from, mid, rid) in open {
                    let _ = self.keyframe(now, from, mid, rid);
                }
            }
            Happened::Added(mid, kind) => {
                let Some(p) = self.peers.get_mut(&id) else {
                    return;
                };
                if p.tracks_in.len() >= self.config.max_published_tracks
                    && !p.tracks_in.iter().any(|t| t.mid == mid)
                {
                    let max = self.config.max_published_tracks;
                    return self.refuse(
                        id,
                        MediaError::MediaNotAllowed,
                        format!("at most {max} tracks may be published"),
                    );
                }
                // A track its grants do not allow now (muted, or a screen
                // not yet announced) is published but not forwarded until
                // they do: see `Happened::Data`.
                let source = p.source_of(mid, kind);
                p.publish(mid, kind, source);
                let room = p.room.clone();
                let user = p.user.clone();
                let track = self.peers[&id]
                    .tracks_in
                    .last()
                    .map(|t| (t.mid, t.kind, t.source));
                let Some((mid, kind, source)) = track else {
                    return;
                };
                for other in self.rooms.get(&room).into_iter().flatten() {
                    if *other == id {
                        continue;
                    }
                    if let Some(q) = self.peers.get_mut(other) {
                        q.unsubscribe(id, Some(mid));
                        q.subscribe_to(id, mid, kind, source, &user);
                        self.negotiate.insert(*other);
                    }
                }
            }
            Happened::Stopped(mid) => {
                let Some(p) = self.peers.get_mut(&id) else {
                    return;
                };
                p.tracks_in.retain(|t| t.mid != mid);
                let room = p.room.clone();
                for other in self.rooms.get(&room).into_iter().flatten() {
                    if let Some(q) = self.peers.get_mut(other) {
                        q.unsubscribe(id, Some(mid));
                        self.negotiate.insert(*other);
                    }
                }
            }
            Happened::Data(d) => {
                self.stats.media_in += 1;
                let Some(p) = self.peers.get_mut(&id) else {
                    return;
                };
                let grants = p.grants;
                let Some(t) = p.tracks_in.iter_mut().find(|t| t.mid == d.mid) else {
                    self.stats.media_refused += 1;
                    return;
                };
                if !grants.allows(t.source) {
                    self.stats.media_refused += 1;
                    return;
                }
                if let Some(dbov) = d.ext_vals.audio_level {
                    t.hear(now, dbov);
                }
                t.layers.saw(now, &d);
                if self.taps.on(&p.room) {
                    let (frames, keyframes) = self.taps.frame(now, &p.room, id, &p.user, t, &d);
                    self.out.extend(frames);
                    for rid in keyframes {
                        if p.request_keyframe(now, d.mid, rid) {
                            self.dirty.push(id);
                        }
                    }
                }
                let Some(p) = self.peers.get_mut(&id) else {
                    return;
                };
                let Some(t) = p.tracks_in.iter_mut().find(|t| t.mid == d.mid) else {
                    return;
                };
                // Lent to the subscribers' choice below, then put back.
                let layers = std::mem::take(&mut t.layers);
                if !d.contiguous {
                    let _ = p.request_keyframe(now, d.mid, d.rid);
                }
                let room = p.room.clone();
                let mut wanted: Vec<Option<Rid>> = Vec::new();
                let Sfu {
                    rooms,
                    peers,
                    dirty,
                    stats,
                    ..
                } = self;
                for other in rooms.get(&room).into_iter().flatten() {
                    if *other == id {
                        continue;
                    }
                    let Some(q) = peers.get_mut(other) else {
                        continue;
                    };
                    let f = q.forward(now, id, &d, &layers);
                    if f.sent {
                        stats.media_forwarded += 1;
                        dirty.push(*other);
                    }
                    if let Some(w) = f.want_keyframe
                        && !wanted.contains(&w)
                    {
                        wanted.push(w);
                    }
                }
                let Some(p) = self.peers.get_mut(&id) else {
                    return;
                };
                if let Some(t) = p.tracks_in.iter_mut().find(|t| t.mid == d.mid) {
                    t.layers = layers;
                }
                for rid in wanted {
                    let _ = p.request_keyframe(now, d.mid, rid);
                    self.dirty.push(id);
                }
            }
            Happened::Keyframe(mid) => {
                let Some(q) = self.peers.get(&id) else { return };
                let Some(t) = q.tracks_out.iter().find(|t| t.mid() == Some(mid)) else {
                    return;
                };
                let (from, from_mid, rid) = (t.from, t.from_mid, t.rid);
                if !self.keyframe(now, from, from_mid, rid) {
                    self.stats.keyframe_requests_dropped += 1;
                }
            }
        }
    }
}
