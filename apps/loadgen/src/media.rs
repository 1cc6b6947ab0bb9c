//! `loadgen media`: the SFU under load.
//!
//! Publishers are str0m peers that send pre-encoded VP8 (an IVF file) at
//! 30 frames/s and Opus (an Ogg file) at 50 packets/s, in a loop, each
//! payload followed by a 16-byte trailer: a magic, the send time, the
//! frame's index and kind. Subscribers are str0m peers in RTP mode: they
//! count every packet and byte, check every audio payload against the
//! file and that every frame's last video packet ends with a trailer, and
//! time each frame from its trailer. Both ends live in this process, so
//! one clock times them. Signaling goes through the server's WebSocket as
//! any client's does (`media-offer`, `media-answer`, `media-tracks`).

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use futures_util::{SinkExt as _, StreamExt as _};
use str0m::change::{SdpAnswer, SdpOffer, SdpPendingOffer};
use str0m::format::Codec;
use str0m::media::{Direction, MediaKind, MediaTime, Mid};
use str0m::net::{Protocol, Receive};
use str0m::{Candidate, Event, Input, Output, Rtc};
use tokio::net::UdpSocket;
use tokio_tungstenite::tungstenite::Message;

use crate::Cli;

/// The trailer's first bytes.
const MAGIC: &[u8; 4] = b"RTCB";
/// Trailer length: magic, send time (ns since the run began), index with
/// the audio bit.
const TRAILER: usize = 16;
/// Marks an audio frame's index.
const AUDIO: u32 = 1 << 31;

/// The payloads publishers send, in a loop.
pub struct Clip {
    video: Vec<Vec<u8>>,
    audio: Vec<Vec<u8>>,
}

impl Clip {
    /// Reads VP8 frames from an IVF file and Opus packets from an Ogg file.
    pub fn load(ivf: &Path, ogg: &Path) -> anyhow::Result<Clip> {
        let video = ivf_frames(&std::fs::read(ivf).with_context(|| ivf.display().to_string())?)?;
        let audio = ogg_packets(&std::fs::read(ogg).with_context(|| ogg.display().to_string())?);
        if video.is_empty() || audio.len() < 3 {
            bail!("the clip has no frames");
        }
        // The first two Ogg packets are the Opus headers.
        Ok(Clip {
            video,
            audio: audio[2..].to_vec(),
        })
    }

    /// Average video bitrate of the clip, bits/s at 30 frames/s.
    fn video_bps(&self) -> f64 {
        let bytes: usize = self.video.iter().map(Vec::len).sum();
        bytes as f64 * 8.0 * 30.0 / self.video.len() as f64
    }
}

/// Frames of an IVF file: a header whose length is at bytes 6..8, then
/// per frame a 12-byte header (length, timestamp) and the frame.
fn ivf_frames(b: &[u8]) -> anyhow::Result<Vec<Vec<u8>>> {
    if b.len() < 32 || &b[..4] != b"DKIF" {
        bail!("not an IVF file");
    }
    let mut i = usize::from(u16::from_le_bytes([b[6], b[7]]));
    let mut frames = Vec::new();
    while i + 12 <= b.len() {
        let n = u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]) as usize;
        i += 12;
        let Some(f) = b.get(i..i + n) else { break };
        frames.push(f.to_vec());
        i += n;
    }
    Ok(frames)
}

/// Packets of an Ogg stream (one logical stream): pages of segments, a
/// packet ending at the first segment shorter than 255 bytes.
fn ogg_packets(b: &[u8]) -> Vec<Vec<u8>> {
    let mut packets = Vec::new();
    let mut current = Vec::new();
    let mut i = 0;
    while i + 27 <= b.len() && &b[i..i + 4] == b"OggS" {
        let segments = usize::from(b[i + 26]);
        let table = &b[i + 27..(i + 27 + segments).min(b.len())];
        let mut at = i + 27 + segments;
        for &len in table {
            let len = usize::from(len);
            current.extend_from_slice(&b[at.min(b.len())..(at + len).min(b.len())]);
            at += len;
            if len < 255 {
                packets.push(std::mem::take(&mut current));
            }
        }
        i = at;
    }
    packets
}

fn with_trailer(payload: &[u8], index: u32, t0: Instant) -> Vec<u8> {
    let mut v = Vec::with_capacity(payload.len() + TRAILER);
    v.extend_from_slice(payload);
    v.extend_from_slice(MAGIC);
    v.extend_from_slice(&(t0.elapsed().as_nanos() as u64).to_le_bytes());
    v.extend_from_slice(&index.to_le_bytes());
    v
}

/// The trailer at the end of `payload`: (send time in ns, index).
fn trailer(payload: &[u8]) -> Option<(u64, u32)> {
    let t = payload.len().checked_sub(TRAILER).map(|s| &payload[s..])?;
    if &t[..4] != MAGIC {
        return None;
    }
    let ns = u64::from_le_bytes(t[4..12].try_into().ok()?);
    let index = u32::from_le_bytes(t[12..16].try_into().ok()?);
    Some((ns, index))
}

/// What every peer adds to.
#[derive(Default)]
struct Counters {
    measuring: AtomicBool,
    /// Frames publishers wrote (video, audio).
    sent_video: AtomicU64,
    sent_audio: AtomicU64,
    /// Bytes publishers wrote (payload and trailer).
    sent_bytes: AtomicU64,
    /// Packets and RTP bytes (payload and 12-byte header) subscribers got.
    packets: AtomicU64,
    bytes: AtomicU64,
    /// Frames whose trailer arrived (video, audio).
    got_video: AtomicU64,
    got_audio: AtomicU64,
    /// Audio payloads that differ from the file, video frames whose last
    /// packet had no trailer.
    bad: AtomicU64,
    /// Subscribers that have had a frame of every track they expect.
    ready: AtomicU64,
    /// Per-frame latency, µs (video, audio), while measuring.
    lat_video: Mutex<Vec<u32>>,
    lat_audio: Mutex<Vec<u32>>,
}

/// What a peer does.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Publisher,
    /// A subscriber that expects this many tracks.
    Subscriber(usize),
}

/// Runs one peer until `stop` is set.
#[allow(clippy::too_many_arguments)]
async fn peer(
    cli: &Cli,
    room: &str,
    user: &str,
    role: Role,
    clip: Arc<Clip>,
    c: Arc<Counters>,
    t0: Instant,
    stop: Arc<AtomicBool>,
) -> anyhow::Result<()> {
    let mut ws = crate::bench::Proto::Rtc
        .connect(cli, &cli.url, room, user)
        .await?;
    let socket = UdpSocket::bind("127.0.0.1:0").await?;
    let local = socket.local_addr()?;
    let mut rtc = Rtc::builder()
        .set_rtp_mode(matches!(role, Role::Subscriber(_)))
        .build(Instant::now());
    rtc.add_local_candidate(Candidate::host(local, "udp")?);
    let mut change = rtc.sdp_api();
    let (mut video, mut audio): (Option<Mid>, Option<Mid>) = (None, None);
    match role {
        Role::Publisher => {
            video = Some(change.add_media(MediaKind::Video, Direction::SendOnly, None, None, None));
            audio = Some(change.add_media(MediaKind::Audio, Direction::SendOnly, None, None, None));
        }
        Role::Subscriber(_) => {
            change.add_channel("bench".into());
        }
    }
    let (offer, pending) = change.apply().context("an offer")?;
    let mut pending: Option<SdpPendingOffer> = Some(pending);
    let msg = serde_json::json!({"type": "media-offer", "sdp": offer.to_sdp_string()});
    ws.send(Message::text(msg.to_string())).await?;
    let mut buf = vec![0u8; 2048];
    let mut connected = false;
    let (mut vi, mut ai) = (0u32, 0u32);
    let mut next_video = Instant::now();
    let mut next_audio = Instant::now();
    let mut seen_tracks = std::collections::HashSet::new();
    let mut ready = false;
    while !stop.load(Relaxed) {
        // Everything the connection wants to send or say, until it waits.
        let timeout = loop {
            match rtc.poll_output()? {
                Output::Timeout(t) => break t,
                Output::Transmit(t) => {
                    let _ = socket.send_to(&t.contents, t.destination).await;
                }
                Output::Event(e) => match e {
                    Event::Connected => connected = true,
                    Event::RtpPacket(p) => {
                        c.packets.fetch_add(1, Relaxed);
                        c.bytes.fetch_add(p.payload.len() as u64 + 12, Relaxed);
                        match trailer(&p.payload) {
                            Some((ns, index)) => {
                                let is_audio = index & AUDIO != 0;
                                let body = &p.payload[..p.payload.len() - TRAILER];
                                if is_audio {
                                    c.got_audio.fetch_add(1, Relaxed);
                                    let want =
                                        &clip.audio[(index & !AUDIO) as usize % clip.audio.len()];
                                    if body != want.as_slice() {
                                        c.bad.fetch_add(1, Relaxed);
                                    }
                                } else {
                                    c.got_video.fetch_add(1, Relaxed);
                                }
                                seen_tracks.insert(p.header.ssrc);
                                if let Role::Subscriber(n) = role
                                    && !ready
                                    && seen_tracks.len() >= n
                                {
                                    ready = true;
                                    c.ready.fetch_add(1, Relaxed);
                                }
                                if c.measuring.load(Relaxed) {
                                    let sent = t0 + Duration::from_nanos(ns);
                                    let us =
                                        Instant::now().saturating_duration_since(sent).as_micros()
                                            as u32;
                                    let lat = if is_audio { &c.lat_audio } else { &c.lat_video };
                                    lat.lock().expect("lock").push(us);
                                }
                            }
                            None if p.header.marker && p.payload.len() > 200 => {
                                c.bad.fetch_add(1, Relaxed);
                            }
                            None => {}
                        }
                    }
                    _ => {}
                },
            }
        };
        let now = Instant::now();
        let mut wake = timeout.min(now + Duration::from_millis(100));
        if role == Role::Publisher && connected {
            wake = wake.min(next_video).min(next_audio);
        }
        tokio::select! {
            r = socket.recv_from(&mut buf) => {
                let (n, source) = r?;
                if let Ok(contents) = buf[..n].try_into() {
                    let input = Input::Receive(Instant::now(), Receive { proto: Protocol::Udp, source, destination: local, contents });
                    rtc.handle_input(input)?;
                }
            }
            m = ws.next() => {
                let t = match m {
                    Some(Ok(Message::Text(t))) => t,
                    // Pings are answered by the library on the next read.
                    Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Binary(_) | Message::Frame(_))) => continue,
                    other => bail!("{user}: the WebSocket closed: {other:?}"),
                };
                let v: serde_json::Value = serde_json::from_str(&t)?;
                match v["type"].as_str() {
                    Some("media-answer") => {
                        if let Some(p) = pending.take() {
                            let answer = SdpAnswer::from_sdp_string(v["sdp"].as_str().unwrap_or(""))?;
                            rtc.sdp_api().accept_answer(p, answer)?;
                        }
                    }
                    Some("media-offer") => {
                        let offer = SdpOffer::from_sdp_string(v["sdp"].as_str().unwrap_or(""))?;
                        let answer = rtc.sdp_api().accept_offer(offer)?;
                        let msg = serde_json::json!({"type": "media-answer", "sdp": answer.to_sdp_string()});
                        ws.send(Message::text(msg.to_string())).await?;
                    }
                    Some("error") => bail!("{user}: {t}"),
                    _ => {}
                }
            }
            _ = tokio::time::sleep_until(wake.into()) => {
                let now = Instant::now();
                if role == Role::Publisher && connected {
                    while now >= next_video {
                        let frame = &clip.video[vi as usize % clip.video.len()];
                        let data = with_trailer(frame, vi, t0);
                        let w = rtc.writer(video.expect("video")).context("video writer")?;
                        let pt = w.payload_params().find(|p| p.spec().codec == Codec::Vp8).context("VP8")?.pt();
                        c.sent_bytes.fetch_add(data.len() as u64, Relaxed);
                        w.write(pt, now, MediaTime::from_90khz(u64::from(vi) * 3000), data)?;
                        if c.measuring.load(Relaxed) {
                            c.sent_video.fetch_add(1, Relaxed);
                        }
                        vi += 1;
                        next_video += Duration::from_micros(33_333);
                    }
                    while now >= next_audio {
                        let packet = &clip.audio[ai as usize % clip.audio.len()];
                        let data = with_trailer(packet, ai | AUDIO, t0);
                        let w = rtc.writer(audio.expect("audio")).context("audio writer")?;
                        let pt = w.payload_params().find(|p| p.spec().codec == Codec::Opus).context("Opus")?.pt();
                        c.sent_bytes.fetch_add(data.len() as u64, Relaxed);
                        w.write(pt, now, MediaTime::new(u64::from(ai) * 960, str0m::media::Frequency::FORTY_EIGHT_KHZ), data)?;
                        if c.measuring.load(Relaxed) {
                            c.sent_audio.fetch_add(1, Relaxed);
                        }
                        ai += 1;
                        next_audio += Duration::from_millis(20);
                    }
                }
                rtc.handle_input(Input::Timeout(now))?;
            }
        }
    }
    Ok(())
}

fn pct_ms(v: &mut [u32], p: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_unstable();
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    f64::from(v[i]) / 1000.0
}

/// `pubs` publishers and `subs` subscribers in one room for `secs` after
/// every subscriber receives every track; prints one line of figures.
pub async fn run(
    cli: &Cli,
    clip: Clip,
    pubs: usize,
    subs: usize,
    secs: u64,
    label: &str,
) -> anyhow::Result<()> {
    media::init_crypto();
    let clip = Arc::new(clip);
    let c = Arc::new(Counters::default());
    let stop = Arc::new(AtomicBool::new(false));
    let t0 = Instant::now();
    let room = format!("media-{}", crate::now_ns() % 1_000_000_007);
    let before = crate::sample(cli.server_pid);
    // Every peer is a future of this task (the load generator runs on one
    // core anyway); the measurement runs beside them and stops them.
    let mut peers = Vec::new();
    for p in 0..pubs {
        peers.push((format!("pub{p}"), Role::Publisher));
    }
    for s in 0..subs {
        peers.push((format!("sub{s}"), Role::Subscriber(pubs * 2)));
    }
    let all = futures_util::future::join_all(peers.iter().enumerate().map(|(i, (user, role))| {
        let (room, clip, c, stop) = (&room, clip.clone(), c.clone(), stop.clone());
        async move {
            // Staggered: publishers first, then subscribers.
            tokio::time::sleep(Duration::from_millis(10 * i as u64)).await;
            if let Err(e) = peer(cli, room, user, *role, clip, c, t0, stop.clone()).await
                && !stop.load(Relaxed)
            {
                eprintln!("{user}: {e:#}");
            }
        }
    }));
    // The measurement stops the peers when it ends, whatever its outcome.
    let measure = async {
        let r = measure(cli, &c, pubs, subs, secs, label, before, clip.video_bps()).await;
        stop.store(true, Relaxed);
        r
    };
    let (_, result) = tokio::join!(all, measure);
    result
}

/// Waits until every subscriber gets every track, then measures for
/// `secs` and prints the figures.
#[allow(clippy::too_many_arguments)]
async fn measure(
    cli: &Cli,
    c: &Counters,
    pubs: usize,
    subs: usize,
    secs: u64,
    label: &str,
    before: Option<crate::ProcSample>,
    clip_bps: f64,
) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(60);
    while c.ready.load(Relaxed) < subs as u64 {
        if Instant::now() > deadline {
            bail!(
                "{label}: only {} of {subs} subscribers got every track",
                c.ready.load(Relaxed)
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Settle, then measure.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let a = crate::sample(cli.server_pid);
    let me = Some(std::process::id());
    let a_self = crate::sample(me);
    let (p0, b0, sb0) = (
        c.packets.load(Relaxed),
        c.bytes.load(Relaxed),
        c.sent_bytes.load(Relaxed),
    );
    let (gv0, ga0) = (c.got_video.load(Relaxed), c.got_audio.load(Relaxed));
    c.measuring.store(true, Relaxed);
    let started = Instant::now();
    tokio::time::sleep(Duration::from_secs(secs)).await;
    c.measuring.store(false, Relaxed);
    let elapsed = started.elapsed().as_secs_f64();
    let sent_bytes = c.sent_bytes.load(Relaxed) - sb0;
    // Frames sent at the end of the window are still on the way: wait
    // for them before counting what arrived.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let b = crate::sample(cli.server_pid);
    let b_self = crate::sample(me);
    let packets = (c.packets.load(Relaxed) - p0) as f64;
    let bytes = (c.bytes.load(Relaxed) - b0) as f64;
    let sent_bps = sent_bytes as f64 * 8.0 / elapsed / pubs as f64;
    let got = (c.got_video.load(Relaxed) - gv0) + (c.got_audio.load(Relaxed) - ga0);
    let sent = c.sent_video.load(Relaxed) + c.sent_audio.load(Relaxed);
    let expected = sent as f64 * subs as f64;
    let loss = (1.0 - got as f64 / expected).max(0.0) * 100.0;
    let mbps = bytes * 8.0 / elapsed / 1e6;
    let cpu = match (&a, &b) {
        (Some(a), Some(b)) => (b.cpu_ticks - a.cpu_ticks) as f64 / elapsed,
        _ => f64::NAN,
    };
    let self_cpu = match (&a_self, &b_self) {
        (Some(a), Some(b)) => (b.cpu_ticks - a.cpu_ticks) as f64 / elapsed,
        _ => f64::NAN,
    };
    let rss_per_track = match (&before, &a) {
        (Some(x), Some(y)) => (y.rss_kib as f64 - x.rss_kib as f64) / (subs * pubs * 2) as f64,
        _ => f64::NAN,
    };
    let mut lv = std::mem::take(&mut *c.lat_video.lock().expect("lock"));
    let mut la = std::mem::take(&mut *c.lat_audio.lock().expect("lock"));
    println!(
        "media {label} {pubs}x{subs}: forwarded {mbps:.1} Mbit/s {:.0} pkt/s, loss {loss:.2}%, bad {}, server cpu {cpu:.0}% ({:.0} Mbit/s per core), latency video p50 {:.2} p99 {:.2} ms, audio p50 {:.2} p99 {:.2} ms, rss/subscribed track {rss_per_track:.0} KiB, upload per publisher {:.2} Mbit/s (clip {:.2}), load generator cpu {self_cpu:.0}%",
        packets / elapsed,
        c.bad.load(Relaxed),
        mbps / (cpu / 100.0),
        pct_ms(&mut lv, 0.5),
        pct_ms(&mut lv, 0.99),
        pct_ms(&mut la, 0.5),
        pct_ms(&mut la, 0.99),
        sent_bps / 1e6,
        clip_bps / 1e6,
    );
    // A payload that arrives changed is a forwarding bug, whatever the load.
    let bad = c.bad.load(Relaxed);
    if bad > 0 {
        bail!("{label}: {bad} payloads arrived changed or without their trailer");
    }
    Ok(())
}
