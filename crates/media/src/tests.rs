//! The SFU between str0m clients on a simulated network: no sockets, a
//! manual clock.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use str0m::change::SdpPendingOffer;
use str0m::format::Codec;
use str0m::media::KeyframeRequestKind;
use str0m::media::{Direction, MediaKind, Mid, Simulcast, SimulcastLayer};
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
    video: Option<Mid>,
    /// Its camera goes out in three simulcast layers.
    simulcast: bool,
    video_frames: u64,
    /// Byte length of each video frame received.
    video_lens: Vec<usize>,
    /// Keyframe requests that reached it (as a publisher).
    keyframe_requests: u64,
    /// How many of those its last keyframe answered.
    answered: u64,
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
            video: None,
            simulcast: false,
            video_frames: 0,
            video_lens: Vec::new(),
            keyframe_requests: 0,
            answered: 0,
        }
    }
}

/// What a joining client publishes, and how it connects.
#[derive(Default)]
struct Joining {
    audio: bool,
    video: bool,
    /// The camera in the three [`LAYERS`].
    simulcast: bool,
}

/// Simulcast layers: rid, frame size, bytes per frame (at 30 fps: 48,
/// 144 and 480 kbit/s).
const LAYERS: [(&str, (u16, u16), usize); 3] = [
    ("q", (320, 180), 200),
    ("h", (640, 360), 600),
    ("f", (1280, 720), 2000),
];

/// The SFU, its clients and the wire between them.
struct World {
    now: Instant,
    sfu: Sfu,
    clients: Vec<Client>,
    /// Datagrams from the server to this client are lost, one in `.1`.
    lossy: Option<(usize, u32)>,
    datagrams: u32,
    /// Frames handed to taps.
    tapped: Vec<TapFrame>,
}

impl World {
    fn new() -> Self {
        Self::with(SfuConfig::new(SERVER.parse().unwrap()))
    }

    fn with(config: SfuConfig) -> Self {
        let sfu = Sfu::new(config).unwrap();
        World {
            now: Instant::now(),
            sfu,
            clients: Vec::new(),
            lossy: None,
            datagrams: 0,
            tapped: Vec::new(),
        }
    }

    /// A client joins: it offers a data channel and, if `publish`, a
    /// microphone track.
    fn join(&mut self, publish: bool, grants: Grants) -> usize {
        let how = Joining {
            audio: publish,
            ..Joining::default()
        };
        self.join_as(how, grants)
    }

    /// A client joins as `how` says.
    fn join_as(&mut self, how: Joining, grants: Grants) -> usize {
        let mut c = Client::new(self.now, 6000 + self.clients.len() as u16);
        let mut change = c.rtc.sdp_api();
        change.add_channel("signal".into());
        if how.audio {
            c.audio =
                Some(change.add_media(MediaKind::Audio, Direction::SendOnly, None, None, None));
        }
        if how.video {
            let simulcast = how.simulcast.then(|| Simulcast {
                send: LAYERS.iter().map(|l| SimulcastLayer::new(l.0)).collect(),
                recv: Vec::new(),
            });
            c.simulcast = how.simulcast;
            c.video = Some(change.add_media(
                MediaKind::Video,
                Direction::SendOnly,
                None,
                None,
                simulcast,
            ));
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
                            let to = self.clients.iter().position(|c| c.addr == destination);
                            if let Some((i, n)) = self.lossy
                                && to == Some(i)
                            {
                                self.datagrams += 1;
                                if self.datagrams.is_multiple_of(n) {
                                    continue;
                                }
                            }
                            if let Some(c) = to.map(|i| &mut self.clients[i]) {
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
                        Output::Frame(f) => self.tapped.push(*f),
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
                                if d.params.spec().codec == Codec::Vp8 {
                                    self.clients[i].video_frames += 1;
                                    self.clients[i].video_lens.push(d.data.len());
                                } else {
                                    self.clients[i].received.push(d.data.to_vec())
                                }
                            }
                            RtcOutput::Event(Event::KeyframeRequest(_)) => {
                                self.clients[i].keyframe_requests += 1
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

/// A VP8 frame of `len` bytes as a browser sends it: a keyframe (which
/// carries the frame size) or not.
fn vp8(key: bool, (w, h): (u16, u16), len: usize) -> Vec<u8> {
    let mut f = if key {
        let mut f = vec![0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a];
        f.extend_from_slice(&w.to_le_bytes());
        f.extend_from_slice(&h.to_le_bytes());
        f
    } else {
        vec![0x11, 0x02, 0x00]
    };
    f.resize(len, 7);
    f
}

impl World {
    /// Client `i` sends `n` camera frames at 30 fps (each of its layers
    /// when it sends simulcast): a keyframe first and after every keyframe
    /// request, as a browser does.
    fn show(&mut self, i: usize, n: u32) {
        for _ in 0..n {
            let c = &mut self.clients[i];
            let key = c.sent == 0 || c.keyframe_requests > c.answered;
            c.answered = c.keyframe_requests;
            let mid = c.video.unwrap();
            let time = str0m::media::MediaTime::from_90khz(c.sent * 3000);
            let layers: Vec<(Option<&str>, (u16, u16), usize)> = if c.simulcast {
                LAYERS.iter().map(|(r, s, l)| (Some(*r), *s, *l)).collect()
            } else {
                vec![(None, (640, 480), 13)]
            };
            for (rid, size, len) in layers {
                let mut writer = c.rtc.writer(mid).unwrap();
                let pt = writer
                    .payload_params()
                    .find(|p| p.spec().codec == Codec::Vp8)
                    .unwrap()
                    .pt();
                if let Some(rid) = rid {
                    writer = writer.rid(rid.into());
                }
                writer
                    .write(pt, self.now, time, vp8(key, size, len))
                    .unwrap();
            }
            c.sent += 1;
            self.run(Duration::from_millis(33));
        }
    }
}

/// A publisher of a simulcast camera and `n` subscribers, after two
/// seconds of video: every layer's bitrate is measured (over a second)
/// before budgets apply.
fn simulcast_to(n: usize) -> (World, usize, Vec<usize>) {
    let mut w = World::new();
    let simulcast = Joining {
        video: true,
        simulcast: true,
        ..Joining::default()
    };
    let a = w.join_as(simulcast, ALL);
    let subs = (0..n).map(|_| w.join(false, ALL)).collect();
    w.run(Duration::from_millis(500));
    w.show(a, 60);
    (w, a, subs)
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

#[test]
fn a_flood_of_keyframe_requests_is_absorbed_and_everyones_video_keeps_flowing() {
    let mut w = World::new();
    let camera = Joining {
        video: true,
        ..Joining::default()
    };
    let a = w.join_as(camera, ALL);
    let b = w.join(false, ALL);
    let c = w.join(false, ALL);
    w.run(Duration::from_millis(500));
    w.show(a, 30);
    let (c_before, b_before) = (w.clients[c].video_frames, w.clients[b].video_frames);
    assert!(c_before >= 20, "c decodes a's camera: {c_before} frames");
    let asked_before = w.clients[a].keyframe_requests;
    let mid = Mid::from(w.clients[b].tracks[0].mid.as_str());
    // B asks for a keyframe ten times a frame for two seconds.
    for _ in 0..60 {
        for _ in 0..10 {
            let mut writer = w.clients[b].rtc.writer(mid).unwrap();
            writer
                .request_keyframe(None, KeyframeRequestKind::Pli)
                .unwrap();
        }
        w.show(a, 1);
    }
    let passed = w.clients[a].keyframe_requests - asked_before;
    assert!(
        (1..=5).contains(&passed),
        "{passed} requests reached the publisher in 2 s (one per 500 ms at most)"
    );
    let dropped = w.sfu.stats().keyframe_requests_dropped;
    assert!(dropped >= 40, "{dropped} dropped and counted");
    for (i, before) in [(b, b_before), (c, c_before)] {
        let got = w.clients[i].video_frames - before;
        assert!(got >= 55, "client {i} got {got} of 60 frames meanwhile");
    }
}

#[test]
fn an_estimate_picks_the_largest_layer_that_fits_and_the_top_one_again_when_it_grows() {
    let (mut w, a, subs) = simulcast_to(1);
    let b = subs[0];
    let last = |w: &World, i: usize| *w.clients[i].video_lens.last().expect("video");
    assert_eq!(last(&w, b), 2000, "no estimate: the top layer");
    assert_eq!(w.sfu.estimate(w.clients[b].id), None, "no loss, no limit");

    // 300 kbit/s cannot carry the 480 kbit/s top layer: the half one.
    let peer = w.clients[b].id;
    w.sfu.set_estimate(peer, 300_000);
    w.show(a, 30);
    assert_eq!(last(&w, b), 600, "the largest layer that fits");
    w.sfu.set_estimate(peer, 100_000);
    w.show(a, 30);
    assert_eq!(last(&w, b), 200, "the smallest");
    w.sfu.set_estimate(peer, 2_000_000);
    w.show(a, 30);
    assert_eq!(last(&w, b), 2000, "the top layer again");
    // Each switch waited for a keyframe: nothing but whole layers arrived.
    assert!(
        w.clients[b]
            .video_lens
            .iter()
            .all(|l| [200, 600, 2000].contains(l)),
        "{:?}",
        w.clients[b].video_lens
    );
}

#[test]
fn past_max_peers_an_offer_is_refused_with_a_stable_code_and_the_others_keep_their_media() {
    let mut config = SfuConfig::new(SERVER.parse().unwrap());
    config.max_peers = 2;
    let mut w = World::with(config);
    let a = w.join(true, ALL);
    let b = w.join(false, ALL);
    let c = w.join(false, ALL);
    assert_eq!(w.clients[c].errors, vec![MediaError::CapacityReached]);
    assert_eq!(
        MediaError::CapacityReached.code(),
        "MAX_PARTICIPANTS_REACHED"
    );
    assert_eq!(w.sfu.peer_count(), 2);
    w.run(Duration::from_millis(500));
    w.speak(a, 20);
    assert!(w.clients[b].received.len() >= 15, "b still hears a");
}

#[test]
fn loss_towards_a_subscriber_lowers_its_layer_and_a_clean_link_brings_the_top_one_back() {
    let (mut w, a, subs) = simulcast_to(2);
    let (b, c) = (subs[0], subs[1]);
    let last = |w: &World, i: usize| *w.clients[i].video_lens.last().expect("video");
    assert_eq!((last(&w, b), last(&w, c)), (2000, 2000));

    // A third of what goes to B is lost: its receiver reports say so,
    // and B drops to a lower layer. C's link is clean and keeps the top.
    w.lossy = Some((b, 3));
    w.show(a, 150);
    let estimate = w.sfu.estimate(w.clients[b].id).expect("loss limits b");
    assert!(estimate < 480_000, "{estimate} bit/s");
    assert!(last(&w, b) < 2000, "b gets a lower layer");
    assert_eq!(last(&w, c), 2000, "c is not touched");
    assert_eq!(w.sfu.estimate(w.clients[c].id), None);

    // The loss stops: the estimate grows back past what B wants.
    w.lossy = None;
    w.show(a, 900);
    assert_eq!(last(&w, b), 2000, "the top layer again");
}

/// A tap gets every track of its room once: the largest layer of a
/// simulcast camera from a keyframe on (one is asked for when the tap
/// starts), the microphone, each with its publisher and source; nothing
/// after it stops.
#[test]
fn a_tap_gets_the_top_layer_from_a_keyframe_and_the_audio_until_it_stops() {
    let (mut w, a, _) = simulcast_to(1);
    let talker = w.join(true, ALL);
    w.run(Duration::from_millis(300));
    // Past any keyframe owed: the camera is mid-way between keyframes.
    w.show(a, 20);
    assert!(w.tapped.is_empty(), "no tap, no frames");
    let asked = w.clients[a].keyframe_requests;
    w.sfu.command(
        w.now,
        Command::Tap {
            tap: 7,
            room: "r".into(),
        },
    );
    w.run(Duration::from_millis(50));
    w.show(a, 30);
    assert!(
        w.clients[a].keyframe_requests > asked,
        "a keyframe is asked for"
    );
    w.speak(talker, 10);
    let video: Vec<&TapFrame> = w
        .tapped
        .iter()
        .filter(|f| f.codec == FrameCodec::Vp8)
        .collect();
    assert!(video.len() >= 25, "{} camera frames", video.len());
    assert!(video[0].keyframe, "the first is a keyframe");
    assert!(
        video.iter().all(|f| f.data.len() == 2000),
        "the top layer only (1280x720, 2000 bytes a frame)"
    );
    assert!(
        video
            .iter()
            .all(|f| f.tap == 7 && f.user == "user0" && f.source == TrackSource::Camera)
    );
    let audio: Vec<&TapFrame> = w
        .tapped
        .iter()
        .filter(|f| f.codec == FrameCodec::Opus)
        .collect();
    assert_eq!(audio.len(), 10, "every audio frame");
    assert!(
        audio
            .iter()
            .all(|f| f.keyframe && f.source == TrackSource::Microphone && f.user != "user0")
    );
    w.sfu.command(w.now, Command::Untap { tap: 7 });
    let before = w.tapped.len();
    w.show(a, 10);
    assert_eq!(w.tapped.len(), before, "nothing after the tap stops");
}
