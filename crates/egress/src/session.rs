//! One running egress: the decoders, the composite clock, and what is fed
//! to the encoder (`encoder.rs`: starting it, its exits and restarts).

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use recording::PresetSettings;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::process::{Child, Command};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::canvas::{I420, i420_len};
use crate::containers::Muxer;
use crate::ffmpeg::decoder_args;
use crate::layout::{Layout, tiles};
use crate::mixer::{Mixer, RATE};
use crate::{Codec, Frame};

mod encoder;

use encoder::Encoder;

/// How an [`Egress`] runs.
#[derive(Clone)]
pub struct EgressConfig {
    /// The ffmpeg program.
    pub ffmpeg: PathBuf,
    /// Grid or active speaker.
    pub layout: Layout,
    /// Size, frame rate and bitrates of the stream.
    pub preset: PresetSettings,
    /// Where the composite goes: one output, or several live ones
    /// (RTMP and HLS) sharing the decoders and the composite, each with
    /// its own encoder. A file output must be alone (its timeline counts
    /// what it was given).
    pub outputs: Vec<Output>,
    /// A directory for the encoder's audio FIFO.
    pub scratch: PathBuf,
    /// The stream stops by itself after this long.
    pub max_duration: Duration,
    /// Restarts of the encoder when the destination drops.
    pub retry: Retry,
}

impl std::fmt::Debug for EgressConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EgressConfig")
            .field("layout", &self.layout)
            .field("preset", &self.preset)
            .field("outputs", &self.outputs)
            .finish_non_exhaustive()
    }
}

/// Where an egress sends the composite: H.264 and AAC either way.
#[derive(Clone)]
pub enum Output {
    /// FLV to an `rtmp://` or `rtmps://` URL with the stream key: a
    /// secret, never logged (it is on the encoder's command line, which
    /// local users of the machine can list). A drop is retried
    /// ([`Retry`]).
    Rtmp(String),
    /// HLS in this directory ([`crate::HLS_PLAYLIST`] and its segments),
    /// for the caller to serve; an encoder that exits fails the egress.
    Hls(PathBuf),
    /// Live Matroska, handed over in pieces as the encoder writes them; the
    /// channel closes once the file is complete. Its timeline counts only
    /// what was recorded ([`Egress::pause`] leaves no gap), and an encoder
    /// that exits fails the egress at once (a file cannot be resumed).
    File(mpsc::Sender<Vec<u8>>),
}

impl std::fmt::Debug for Output {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Output::Rtmp(_) => "Rtmp(<secret>)",
            Output::Hls(_) => "Hls",
            Output::File(_) => "File",
        })
    }
}

/// Restarts of the encoder: after `first`, doubling up to `max`, at most
/// `attempts` in a row without going live in between. An encoder that
/// reports no progress for `hang` (stuck connecting, or stuck writing) is
/// killed, which counts as a failed start.
#[derive(Debug, Clone, Copy)]
pub struct Retry {
    /// The first wait.
    pub first: Duration,
    /// The longest wait.
    pub max: Duration,
    /// Failed starts in a row before the stream fails.
    pub attempts: u32,
    /// How long an encoder may go without progress.
    pub hang: Duration,
}

impl Default for Retry {
    fn default() -> Self {
        Retry {
            first: Duration::from_secs(1),
            max: Duration::from_secs(30),
            attempts: 8,
            hang: Duration::from_secs(15),
        }
    }
}

/// Where a stream is; each change is sent once, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// The encoder is starting (the destination not reached yet).
    Starting,
    /// Media is reaching the destination.
    Live,
    /// The destination dropped or refused; trying again.
    Reconnecting {
        /// Tries in a row so far.
        attempt: u32,
        /// What the encoder said last.
        reason: String,
    },
    /// Given up after [`Retry::attempts`] tries.
    Failed {
        /// What the encoder said last.
        reason: String,
    },
    /// Stopped (asked to, or [`EgressConfig::max_duration`] passed).
    Stopped,
}

enum Input {
    Frame(Frame),
    Stop,
}

/// A running egress. Dropping it stops it (without waiting).
pub struct Egress {
    tx: mpsc::Sender<Input>,
    paused: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

/// Frames waiting for the egress; past this, frames are dropped.
const QUEUE: usize = 1024;

impl Egress {
    /// Starts an egress on the current tokio runtime; its statuses go to
    /// `status`, the first being [`Status::Starting`], the last
    /// [`Status::Stopped`] or [`Status::Failed`].
    pub fn start(config: EgressConfig, status: mpsc::UnboundedSender<Status>) -> Egress {
        let (tx, rx) = mpsc::channel(QUEUE);
        let (paused, paused_rx) = watch::channel(false);
        let task = tokio::spawn(run(config, rx, paused_rx, status));
        Egress {
            tx,
            paused,
            task: Some(task),
        }
    }

    /// Pauses a file egress: nothing is recorded until [`Egress::resume`]
    /// and the file has no gap (an RTMP stream goes on: it is live).
    pub fn pause(&self) {
        self.paused.send_replace(true);
    }

    /// Resumes after [`Egress::pause`].
    pub fn resume(&self) {
        self.paused.send_replace(false);
    }

    /// Hands over one frame; false when the queue is full or the egress
    /// ended.
    pub fn push(&self, frame: Frame) -> bool {
        self.tx.try_send(Input::Frame(frame)).is_ok()
    }

    /// Whether it ended (stopped, failed or past its duration).
    pub fn is_finished(&self) -> bool {
        self.task.as_ref().is_none_or(|t| t.is_finished())
    }

    /// Stops it and waits until the encoder has finished the stream.
    pub async fn stop(mut self) {
        let _ = self.tx.send(Input::Stop).await;
        if let Some(t) = self.task.take() {
            let _ = t.await;
        }
    }
}

impl Drop for Egress {
    fn drop(&mut self) {
        let _ = self.tx.try_send(Input::Stop);
    }
}

/// A track's decoder.
struct Decoder {
    user: String,
    screen: bool,
    codec: Codec,
    muxer: Muxer,
    input: mpsc::Sender<Vec<u8>>,
    started: bool,
    last: Instant,
    _child: Child,
}

/// The newest picture of each video track, and when it came.
type Pictures = Arc<Mutex<HashMap<String, (I420, Instant)>>>;

/// A video not drawn for this long leaves the layout.
const STALE: Duration = Duration::from_secs(3);
/// A decoder fed nothing for this long is stopped.
const IDLE: Duration = Duration::from_secs(10);
/// How long a new loudest voice must last to become the speaker.
const SPEAKER_HOLD: Duration = Duration::from_millis(1500);

/// What an encoder tells the loop.
enum Event {
    /// Output `.0`'s media gets through.
    Live(usize),
}

/// One output and its encoder.
struct Sink {
    output: Output,
    encoder: Option<Encoder>,
    /// Where this output is.
    status: Status,
    /// Failed starts in a row.
    attempts: u32,
    restart_at: Option<Instant>,
}

struct Run {
    cfg: EgressConfig,
    status: mpsc::UnboundedSender<Status>,
    last_status: Option<Status>,
    decoders: HashMap<String, Decoder>,
    /// Video tracks in the order they came, screens first.
    order: Vec<String>,
    pictures: Pictures,
    mixer: Arc<Mutex<Mixer>>,
    canvas: I420,
    /// The decoders' picture size (the canvas for the speaker layout, a
    /// quarter of it for the grid).
    tile: (u32, u32),
    speaker: Option<String>,
    candidate: Option<(String, Instant)>,
    sinks: Vec<Sink>,
    events: mpsc::UnboundedSender<Event>,
    /// Whether input timestamps count what was given (a file) rather
    /// than follow the wall clock (a live stream).
    counted: bool,
    paused: watch::Receiver<bool>,
    /// Time recorded so far (counted) or since the egress started.
    media_time: Duration,
    last_tick: Instant,
    frames_sent: u64,
    samples_sent: u64,
}

async fn run(
    mut cfg: EgressConfig,
    mut rx: mpsc::Receiver<Input>,
    paused: watch::Receiver<bool>,
    status: mpsc::UnboundedSender<Status>,
) {
    let outputs = std::mem::take(&mut cfg.outputs);
    let counted = outputs.iter().any(|o| matches!(o, Output::File(_)));
    if outputs.is_empty() || (counted && outputs.len() > 1) {
        let _ = status.send(Status::Failed {
            reason: "an egress has one file output, or live outputs only".into(),
        });
        return;
    }
    let sinks = outputs
        .into_iter()
        .map(|output| Sink {
            output,
            encoder: None,
            status: Status::Starting,
            attempts: 0,
            restart_at: None,
        })
        .collect();
    let (events, mut events_rx) = mpsc::unbounded_channel();
    let p = cfg.preset;
    let tile = match cfg.layout {
        Layout::Speaker => (p.width, p.height),
        Layout::Grid => ((p.width / 2) & !1, (p.height / 2) & !1),
    };
    let mut r = Run {
        canvas: I420::black(p.width, p.height),
        tile,
        cfg,
        status,
        last_status: None,
        decoders: HashMap::new(),
        order: vec![],
        pictures: Pictures::default(),
        mixer: Arc::default(),
        speaker: None,
        candidate: None,
        sinks,
        events,
        counted,
        paused,
        media_time: Duration::ZERO,
        last_tick: Instant::now(),
        frames_sent: 0,
        samples_sent: 0,
    };
    r.set(Status::Starting);
    for i in 0..r.sinks.len() {
        r.start_encoder(i);
    }
    let started = Instant::now();
    let end = started + r.cfg.max_duration;
    let mut tick = tokio::time::interval(Duration::from_secs(1) / p.fps.max(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        tokio::select! {
            input = rx.recv() => match input {
                Some(Input::Frame(f)) => r.frame(f),
                Some(Input::Stop) | None => break,
            },
            Some(Event::Live(i)) = events_rx.recv() => {
                r.sinks[i].attempts = 0;
                r.set_output(i, Status::Live);
            }
            _ = tick.tick() => {
                let now = Instant::now();
                if now >= end {
                    break;
                }
                for i in 0..r.sinks.len() {
                    if r.encoder_exited(i) && !r.give_up_or_wait(i, now) {
                        // One output failed: the egress ends with it.
                        return r.shutdown().await;
                    }
                    if r.sinks[i].restart_at.is_some_and(|t| now >= t) {
                        r.sinks[i].restart_at = None;
                        r.start_encoder(i);
                    }
                }
                r.compose(now);
                r.feed(now);
                r.reap(now);
            }
        }
    }
    for k in &mut r.sinks {
        k.status = Status::Stopped;
    }
    r.set(Status::Stopped);
    r.shutdown().await;
}

impl Run {
    /// Output `i` is at `s`: the egress's status follows ([`merged`]).
    fn set_output(&mut self, i: usize, s: Status) {
        self.sinks[i].status = s;
        let all: Vec<&Status> = self.sinks.iter().map(|k| &k.status).collect();
        self.set(merged(&all));
    }

    /// Tells `s` unless it is the last told, and nothing after a failure.
    fn set(&mut self, s: Status) {
        if matches!(self.last_status, Some(Status::Failed { .. })) {
            return;
        }
        if self.last_status.as_ref() == Some(&s) {
            return;
        }
        if !matches!(s, Status::Starting | Status::Live) {
            tracing::info!(status = ?s, "egress");
        }
        self.last_status = Some(s.clone());
        let _ = self.status.send(s);
    }

    /// Hands a frame to its track's decoder (started on the first frame,
    /// fed from the first keyframe).
    fn frame(&mut self, f: Frame) {
        if !self.decoders.contains_key(&f.track) {
            let Some(d) = self.spawn_decoder(&f) else {
                return;
            };
            if f.codec.is_video() {
                if f.screen {
                    self.order.insert(0, f.track.clone());
                } else {
                    self.order.push(f.track.clone());
                }
            }
            self.decoders.insert(f.track.clone(), d);
        }
        let Some(d) = self.decoders.get_mut(&f.track) else {
            return;
        };
        d.last = Instant::now();
        if !d.started {
            if d.codec.is_video() && !f.keyframe {
                return;
            }
            d.started = true;
            tracing::debug!(track = %f.track, user = %d.user, "egress track starts");
            let header = d.muxer.header();
            if !header.is_empty() {
                let _ = d.input.try_send(header);
            }
        }
        let bytes = d.muxer.frame(f.rtp_time, &f.data);
        if !bytes.is_empty() && d.input.try_send(bytes).is_err() {
            tracing::debug!(track = %f.track, "egress decoder behind: a frame was dropped");
        }
    }

    fn spawn_decoder(&self, f: &Frame) -> Option<Decoder> {
        let (w, h) = self.tile;
        let mut child = Command::new(&self.cfg.ffmpeg)
            .args(decoder_args(f.codec, w, h))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| tracing::warn!(error = %e, "egress decoder did not start"))
            .ok()?;
        let mut stdin = child.stdin.take()?;
        let mut stdout = child.stdout.take()?;
        let (input, mut rx) = mpsc::channel::<Vec<u8>>(256);
        tokio::spawn(async move {
            while let Some(b) = rx.recv().await {
                if stdin.write_all(&b).await.is_err() {
                    return;
                }
            }
        });
        let track = f.track.clone();
        if f.codec.is_video() {
            let pictures = self.pictures.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; i420_len(w, h)];
                while stdout.read_exact(&mut buf).await.is_ok() {
                    if let Some(p) = I420::from_bytes(w, h, buf.clone()) {
                        let mut all = pictures.lock().expect("pictures");
                        all.insert(track.clone(), (p, Instant::now()));
                    }
                }
                pictures.lock().expect("pictures").remove(&track);
            });
        } else {
            let mixer = self.mixer.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 1920];
                loop {
                    let n = match stdout.read(&mut buf).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => n & !1,
                    };
                    let samples: Vec<i16> = buf[..n]
                        .chunks_exact(2)
                        .map(|c| i16::from_le_bytes([c[0], c[1]]))
                        .collect();
                    mixer.lock().expect("mixer").push(&track, &samples);
                }
                mixer.lock().expect("mixer").remove(&track);
            });
        }
        Some(Decoder {
            user: f.user.clone(),
            screen: f.screen,
            codec: f.codec,
            muxer: Muxer::new(f.codec),
            input,
            started: false,
            last: Instant::now(),
            _child: child,
        })
    }

    /// Draws the composite and hands it to the encoder.
    fn compose(&mut self, now: Instant) {
        self.follow_speaker(now);
        let pictures = self.pictures.lock().expect("pictures");
        let shown: Vec<String> = self
            .order
            .iter()
            .filter(|t| {
                pictures
                    .get(*t)
                    .is_some_and(|(_, at)| now.duration_since(*at) < STALE)
            })
            .cloned()
            .collect();
        let speaker_video = self.speaker.as_ref().and_then(|u| {
            shown.iter().find(|t| {
                self.decoders
                    .get(*t)
                    .is_some_and(|d| &d.user == u && !d.screen)
            })
        });
        self.canvas.clear();
        let (w, h) = (self.canvas.w, self.canvas.h);
        for (track, rect) in tiles(
            self.cfg.layout,
            w,
            h,
            &shown,
            speaker_video.map(|s| s.as_str()),
        ) {
            if let Some((p, _)) = pictures.get(track) {
                self.canvas.draw(p, rect);
            }
        }
        drop(pictures);
    }

    /// Hands the encoder the pictures and samples due since the last tick.
    /// A live stream gets the newest picture and the mix of the wall-clock
    /// time passed; a file gets as many pictures as its frame rate asks
    /// for the time recorded (so it stays in step with the audio), and
    /// nothing while paused.
    fn feed(&mut self, now: Instant) {
        let dt = now - self.last_tick;
        self.last_tick = now;
        let paused = self.counted && *self.paused.borrow();
        if paused {
            // The voices go on; what they say while paused is not kept.
            let n = (dt.as_micros() as u64 * RATE as u64 / 1_000_000) as usize;
            self.mixer.lock().expect("mixer").take(n.min(RATE));
            for e in self.sinks.iter().filter_map(|k| k.encoder.as_ref()) {
                *e.progress.lock().expect("progress") = now;
            }
            return;
        }
        self.media_time += dt;
        let encoders: Vec<&Encoder> = self
            .sinks
            .iter()
            .filter_map(|k| k.encoder.as_ref())
            .collect();
        if encoders.is_empty() {
            return;
        }
        if let ([e], true) = (&encoders[..], self.counted) {
            let due = (self.media_time.as_micros() as u64 * self.cfg.preset.fps as u64) / 1_000_000;
            // Behind by more than a second: the rest is given up.
            let fps = self.cfg.preset.fps as u64;
            if due > self.frames_sent + fps {
                self.frames_sent = due - fps;
            }
            while self.frames_sent < due && e.video.try_send(self.canvas.data.clone()).is_ok() {
                self.frames_sent += 1;
            }
        } else {
            for e in &encoders {
                let _ = e.video.try_send(self.canvas.data.clone());
            }
        }
        // The mix keeps pace with the time passed, whatever ticks were
        // skipped; after a stall, at most 200 ms at once (live) or a
        // second (file): the rest is skipped.
        let due = self.media_time.as_micros() as u64 * RATE as u64 / 1_000_000;
        let most = if self.counted { RATE } else { RATE / 5 } as u64;
        let n = due.saturating_sub(self.samples_sent).min(most) as usize;
        self.samples_sent = due;
        let mix = self.mixer.lock().expect("mixer").take(n);
        let bytes: Vec<u8> = mix.iter().flat_map(|s| s.to_le_bytes()).collect();
        for e in &encoders {
            let _ = e.audio.try_send(bytes.clone());
        }
    }

    /// The speaker is the loudest voice once it has lasted
    /// [`SPEAKER_HOLD`].
    fn follow_speaker(&mut self, now: Instant) {
        let loudest = {
            let mixer = self.mixer.lock().expect("mixer");
            mixer
                .loudest()
                .and_then(|track| self.decoders.get(track))
                .map(|d| d.user.clone())
        };
        match (loudest, &self.candidate) {
            (None, _) => self.candidate = None,
            (Some(u), _) if self.speaker.as_ref() == Some(&u) => self.candidate = None,
            (Some(u), Some((c, since))) if *c == u => {
                if now.duration_since(*since) >= SPEAKER_HOLD {
                    self.speaker = Some(u);
                    self.candidate = None;
                }
            }
            (Some(u), _) => {
                if self.speaker.is_none() {
                    self.speaker = Some(u);
                } else {
                    self.candidate = Some((u, now));
                }
            }
        }
    }

    /// Stops decoders fed nothing for [`IDLE`].
    fn reap(&mut self, now: Instant) {
        let idle: Vec<String> = self
            .decoders
            .iter()
            .filter(|(_, d)| now.duration_since(d.last) > IDLE)
            .map(|(t, _)| t.clone())
            .collect();
        for t in idle {
            self.decoders.remove(&t);
            self.order.retain(|o| *o != t);
        }
    }

    /// Ends the stream: the encoders get the end of their input and a
    /// few seconds to finish it; decoders go.
    async fn shutdown(mut self) {
        self.decoders.clear();
        // Every encoder gets its end of input first, so they finish
        // together; then each gets what is left of five seconds.
        let mut children = vec![];
        for k in &mut self.sinks {
            if let Some(e) = k.encoder.take() {
                let Encoder {
                    child,
                    video,
                    audio,
                    ..
                } = e;
                drop((video, audio));
                children.push(child);
            }
        }
        let deadline = Instant::now() + Duration::from_secs(5);
        for mut child in children {
            if tokio::time::timeout_at(deadline, child.wait())
                .await
                .is_err()
            {
                let _ = child.kill().await;
            }
        }
    }
}

/// The status of an egress from those of its outputs: failed when one
/// failed, reconnecting when one is, stopped when one is (they stop
/// together), live when all are, else starting.
fn merged(each: &[&Status]) -> Status {
    let all = |f: fn(&Status) -> bool| each.iter().all(|s| f(s));
    if let Some(f) = each.iter().find(|s| matches!(s, Status::Failed { .. })) {
        (*f).clone()
    } else if let Some(r) = each
        .iter()
        .find(|s| matches!(s, Status::Reconnecting { .. }))
    {
        (*r).clone()
    } else if each.iter().any(|s| **s == Status::Stopped) {
        Status::Stopped
    } else if all(|s| *s == Status::Live) {
        Status::Live
    } else {
        Status::Starting
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two outputs: live when both are, reconnecting while one is, failed
    /// when one fails.
    #[test]
    fn an_egress_status_merges_its_outputs() {
        let (live, starting, stopped) = (Status::Live, Status::Starting, Status::Stopped);
        let reconnecting = Status::Reconnecting {
            attempt: 1,
            reason: "refused".into(),
        };
        let failed = Status::Failed {
            reason: "gone".into(),
        };
        assert_eq!(merged(&[&starting, &live]), Status::Starting);
        assert_eq!(merged(&[&live, &live]), Status::Live);
        assert_eq!(merged(&[&reconnecting, &live]), reconnecting);
        assert_eq!(merged(&[&reconnecting, &failed]), failed);
        assert_eq!(merged(&[&stopped, &live]), Status::Stopped);
        assert_eq!(merged(&[&stopped, &stopped]), Status::Stopped);
        assert_eq!(merged(&[&live]), Status::Live);
    }
}
