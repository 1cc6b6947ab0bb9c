//! The SFU between str0m clients on a simulated network: no sockets, a
//! manual clock.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use str0m::change::SdpPendingOffer;
use str0m::media::{Direction, MediaKind, Mid};
use str0m::net::{Protocol, Receive};
use str0m::{Candidate, Event, Input, Output as RtcOutput, Rtc};

use crate::*;

const SERVER: &str = "10.0.0.1:5000";

/// A client: its connection and what it received.
struct Client {
    id: PeerId,
    addr: SocketAddr,
    rtc: Rtc,
    pending: Option<SdpPendingOffer>,
    received: Vec<Vec<u8>>,
    tracks: Vec<TrackInfo>,
    errors: Vec<MediaError>,
    speakers: Vec<Speakers>,
    audio: Option<Mid>,
    sent: u64,
}

impl Client {
    fn new(now: Instant, port: u16) -> Self {
        let addr: SocketAddr = format!("10.0.0.2:{port}").parse().unwrap();
        let mut rtc = Rtc::builder().build(now);
        rtc.add_local_candidate(Candidate::host(addr, "udp").unwrap());
        Client {
            id: PeerId::new_v4(),
            addr,
            rtc,
            pending: None,
            received: Vec::new(),
            tracks: Vec::new(),
            errors: Vec::new(),
            speakers: Vec::new(),
            audio: None,
            sent: 0,
        }
    }
}

/// The SFU, its clients and the wire between them.
struct World {
    now: Instant,
    sfu: Sfu,
    clients: Vec<Client>,
}

impl World {
    fn new() -> Self {
        let sfu = Sfu::new(SfuConfig::new(SERVER.parse().unwrap())).unwrap();
        World {
            now: Instant::now(),
            sfu,
            clients: Vec::new(),
        }
    }

    /// A client joins: it offers a data channel and, if `publish`, a
    /// microphone track.
    fn join(&mut self, publish: bool, grants: Grants) -> usize {
        let mut c = Client::new(self.now, 6000 + self.clients.len() as u16);
        let mut change = c.rtc.sdp_api();
        change.add_channel("signal".into());
        if publish {
            c.audio =
                Some(change.add_media(MediaKind::Audio, Direction::SendOnly, None, None, None));
        }
        let (offer, pending) = change.apply().unwrap();
        c.pending = Some(pending);
        let cmd = Command::Offer {
            peer: c.id,
            room: "r".into(),
            user: format!("user{}", self.clients.len()),
            grants,
            sdp: offer.to_sdp_string(),
            sources: HashMap::new(),
        };
        self.clients.push(c);
        self.sfu.command(self.now, cmd);
        self.run(Duration::from_millis(50));
        self.clients.len() - 1
    }

    /// Moves datagrams and signaling until nothing moves, for `span` of
    /// simulated time in 5 ms steps.
    fn run(&mut self, span: Duration) {
        let end = self.now + span;
        let server: SocketAddr = SERVER.parse().unwrap();
        while self.now < end {
            for _ in 0..50 {
                let mut moved = false;
                while let Some(o) = self.sfu.poll() {
                    moved = true;
                    match o {
                        Output::Transmit {
                            destination,
                            contents,
                            ..
                        } => {
                            if let Some(c) = self.clients.iter_mut().find(|c| c.addr == destination)
                            {
                                let input = Input::Receive(
                                    self.now,
                                    Receive {
                                        proto: Protocol::Udp,
                                        source: server,
                                        destination,
                                        contents: contents.as_slice().try_into().unwrap(),
                                    },
                                );
                                c.rtc.handle_input(input).unwrap();
                            }
                        }
                        Output::Signal { peer, signal } => self.signal(peer, signal),
                    }
                }
                for i in 0..self.clients.len() {
                    while let Ok(out) = self.clients[i].rtc.poll_output() {
                        match out {
                            RtcOutput::Timeout(_) => break,
                            RtcOutput::Transmit(t) => {
                                moved = true;
                                let bytes: Vec<u8> = t.contents.into();
                                self.sfu.receive(self.now, t.source, t.destination, &bytes);
                            }
                            RtcOutput::Event(Event::MediaData(d)) => {
                                self.clients[i].received.push(d.data.to_vec())
                            }
                            RtcOutput::Event(_) => {}
                        }
                    }
                }
                if !moved {
                    break;
                }
            }
            self.now += Duration::from_millis(5);
            self.sfu.tick(self.now);
            for c in &mut self.clients {
                c.rtc.handle_input(Input::Timeout(self.now)).unwrap();
            }
        }
    }

    fn signal(&mut self, peer: PeerId, signal: Signal) {
        let c = self.clients.iter_mut().find(|c| c.id == peer).unwrap();
        match signal {
            Signal::Answer(sdp) => {
                let answer = str0m::change::SdpAnswer::from_sdp_string(&sdp).unwrap();
                let pending = c.pending.take().unwrap();
                c.rtc.sdp_api().accept_answer(pending, answer).unwrap();
            }
            Signal::Offer(sdp) => {
                let offer = str0m::change::SdpOffer::from_sdp_string(&sdp).unwrap();
                let answer = c.rtc.sdp_api().accept_offer(offer).unwrap();
                let cmd = Command::Answer {
                    peer,
                    sdp: answer.to_sdp_string(),
                };
                self.sfu.command(self.now, cmd);
            }
            Signal::Tracks(t) => c.tracks = t,
            Signal::Speakers(s) => c.speakers.push(s),
            Signal::Error { error, .. } => c.errors.push(error),
        }
    }

    /// Client `i` sends `n` audio frames, one every 20 ms.
    fn speak(&mut self, i: usize, n: u8) {
        self.speak_at(&[i], n, None);
    }

    /// Clients `who` send `n` audio frames each, one every 20 ms, at
    /// `dbov` (RFC 6464) when given.
    fn speak_at(&mut self, who: &[usize], n: u8, dbov: Option<i8>) {
        for k in 0..n {
            for &i in who {
                let c = &mut self.clients[i];
                let mid = c.audio.unwrap();
                let mut writer = c.rtc.writer(mid).unwrap();
                let pt = writer.payload_params().next().unwrap().pt();
                if let Some(l) = dbov {
                    writer = writer.audio_level(l, l > -60);
                }
                let time = str0m::media::MediaTime::from_90khz(c.sent * 1800);
                writer.write(pt, self.now, time, vec![k, 1, 2, 3]).unwrap();
                self.clients[i].sent += 1;
            }
            self.run(Duration::from_millis(20));
        }
    }
}

const ALL: Grants = Grants {
    audio: true,
    video: true,
    screen: true,
};

#[test]
fn a_publishers_audio_reaches_every_other_peer_and_not_itself() {
    let mut w = World::new();
    let a = w.join(true, ALL);
    let b = w.join(false, ALL);
    let c = w.join(false, ALL);
    w.run(Duration::from_millis(500));
    for i in [b, c] {
        assert_eq!(
            w.clients[i].tracks.len(),
            1,
            "client {i} was offered the track"
        );
        assert_eq!(w.clients[i].tracks[0].user_id, "user0");
        assert_eq!(w.clients[i].tracks[0].source, TrackSource::Microphone);
    }
    w.speak(a, 30);
    for i in [b, c] {
        let got = &w.clients[i].received;
        assert!(got.len() >= 20, "client {i} got {} of 30 frames", got.len());
        assert!(
            got.iter().all(|d| d[1..] == [1, 2, 3]),
            "payloads arrive unchanged"
        );
    }
    assert!(w.clients[a].received.is_empty(), "nothing echoes back");
    assert!(w.sfu.stats().media_forwarded >= 40);
}

#[test]
fn a_revoked_grant_stops_forwarding_and_a_leave_removes_the_track() {
    let mut w = World::new();
    let a = w.join(true, ALL);
    let b = w.join(false, ALL);
    w.run(Duration::from_millis(500));
    w.speak(a, 10);
    let before = w.clients[b].received.len();
    assert!(before > 0);
    let peer = w.clients[a].id;
    let muted = Grants {
        audio: false,
        ..ALL
    };
    w.sfu.command(
        w.now,
        Command::Grants {
            peer,
            grants: muted,
        },
    );
    w.speak(a, 10);
    assert_eq!(
        w.clients[b].received.len(),
        before,
        "a muted track is not forwarded"
    );
    assert!(w.sfu.stats().media_refused >= 10);
    w.sfu.command(w.now, Command::Leave { peer });
    w.run(Duration::from_millis(200));
    assert!(
        w.clients[b].tracks.is_empty(),
        "the track list no longer has it"
    );
    assert_eq!(w.sfu.peer_count(), 1);
}

#[test]
fn bad_sdp_gets_a_stable_code_and_leaves_no_peer() {
    let mut w = World::new();
    let peer = PeerId::new_v4();
    w.clients.push(Client {
        id: peer,
        ..Client::new(w.now, 7000)
    });
    let cmd = Command::Offer {
        peer,
        room: "r".into(),
        user: "x".into(),
        grants: ALL,
        sdp: "v=0\r\nnot sdp".into(),
        sources: HashMap::new(),
    };
    w.sfu.command(w.now, cmd);
    w.run(Duration::from_millis(10));
    assert_eq!(w.clients[0].errors, vec![MediaError::InvalidSdp]);
    assert_eq!(MediaError::InvalidSdp.code(), "INVALID_SDP");
    assert_eq!(w.sfu.peer_count(), 0);
}

#[test]
fn active_speakers_follow_the_loudest_microphone_and_the_dominant_one_holds_through_a_blip() {
    let mut w = World::new();
    let a = w.join(true, ALL);
    let b = w.join(true, ALL);
    let listener = w.join(false, ALL);
    w.run(Duration::from_millis(500));
    w.speak_at(&[a, b], 50, Some(-127));
    assert!(
        w.clients[listener]
            .speakers
            .iter()
            .all(|s| s.speakers.is_empty()),
        "silence names nobody"
    );
    // A talks, B is quiet.
    w.speak_at(&[a], 50, Some(-20));
    let last = w.clients[listener]
        .speakers
        .last()
        .expect("told of a speaker")
        .clone();
    assert_eq!(last.speakers[0].user_id, "user0");
    assert_eq!(last.dominant.as_deref(), Some("user0"));
    // B interjects louder for 100 ms: listed first, but A stays dominant.
    w.speak_at(&[b], 5, Some(-5));
    let last = w.clients[listener].speakers.last().unwrap().clone();
    assert_eq!(
        last.dominant.as_deref(),
        Some("user0"),
        "a blip does not take over"
    );
    // B talks on, A stops: B dominates.
    w.speak_at(&[b], 60, Some(-20));
    let last = w.clients[listener].speakers.last().unwrap().clone();
    assert_eq!(last.speakers.len(), 1, "{last:?}");
    assert_eq!(last.dominant.as_deref(), Some("user1"));
    // Everyone hears the same, and a message went out only on changes.
    assert_eq!(w.clients[a].speakers.last(), Some(&last));
    assert!(
        w.clients[listener].speakers.len() < 20,
        "{} messages",
        w.clients[listener].speakers.len()
    );
}
