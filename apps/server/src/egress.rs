//! Server streams and server recordings of this instance's SFU rooms: an
//! [`egress::Egress`] each, fed by a tap on the room's media
//! ([`media::Command::Tap`]). A stream's statuses are kept on the stream
//! through the room service. A recording's composite is stored through the
//! blob store as the recording's chunks (`recording.rs`). Both run where
//! the room's media runs (a start claims the room like an offer).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use egress::{Codec, Egress, EgressConfig, Frame, Retry, Status};
use media::{FrameCodec, TapFrame, TapId, TrackSource};
use signaling_core::engine::EgressRequest;
use signaling_core::room::{StreamLayout, StreamStatus};
use signaling_core::{RoomId, RoomService};
use tokio::sync::mpsc;

/// The streams running here, by tap.
#[derive(Clone)]
pub struct Egresses {
    running: Arc<Mutex<HashMap<TapId, Running>>>,
    config: Arc<Settings>,
    taps: Arc<dyn Fn(TapJob) + Send + Sync>,
}

struct Running {
    room: RoomId,
    /// The stream's or the recording's id.
    id: String,
    recording: bool,
    /// None while it is still taking its slot.
    egress: Option<Egress>,
}

/// What every stream of this instance shares.
pub struct Settings {
    /// The ffmpeg program.
    pub ffmpeg: PathBuf,
    /// Where FIFOs go.
    pub scratch: PathBuf,
    /// Streams at once.
    pub max_concurrent: usize,
    /// Longest stream.
    pub max_duration: Duration,
    /// Streams at once across the deployment (slots in the shared store).
    pub max_deployment: usize,
    /// Server recordings at once on this instance.
    pub max_recordings: usize,
    /// Longest server recording (the room service stops it at its limit;
    /// this is the backstop).
    pub recording_max_duration: Duration,
    /// Where recordings' chunks go.
    pub blobs: Arc<dyn storage::BlobStore>,
}

/// What the media thread is asked to do for a stream.
pub enum TapJob {
    /// Start tap `.1` on room `.0`.
    Tap(RoomId, TapId),
    /// Stop a tap.
    Untap(TapId),
}

impl Egresses {
    /// No streams yet; `taps` takes tap jobs to the media thread.
    pub fn new(config: Settings, taps: impl Fn(TapJob) + Send + Sync + 'static) -> Self {
        Egresses {
            running: Arc::default(),
            config: Arc::new(config),
            taps: Arc::new(taps),
        }
    }

    /// The rooms with a stream here (their media claims must hold).
    pub fn rooms(&self) -> Vec<RoomId> {
        let running = self.running.lock().expect("egress lock");
        running.values().map(|r| r.room.clone()).collect()
    }

    /// The streams and recordings running here: (room, id).
    pub fn streams(&self) -> Vec<(RoomId, String)> {
        let running = self.running.lock().expect("egress lock");
        running
            .values()
            .map(|r| (r.room.clone(), r.id.clone()))
            .collect()
    }

    /// Hands a tapped frame to its stream.
    pub fn frame(&self, f: TapFrame) {
        let running = self.running.lock().expect("egress lock");
        let Some(Running {
            egress: Some(e), ..
        }) = running.get(&f.tap)
        else {
            return;
        };
        let codec = match f.codec {
            FrameCodec::Opus => Codec::Opus,
            FrameCodec::Vp8 => Codec::Vp8,
            FrameCodec::Vp9 => Codec::Vp9,
            FrameCodec::H264 => Codec::H264,
        };
        e.push(Frame {
            track: f.track,
            user: f.user,
            screen: matches!(f.source, TrackSource::Screen | TrackSource::ScreenAudio),
            codec,
            rtp_time: f.rtp_time,
            keyframe: f.keyframe,
            data: f.data,
        });
    }

    /// Starts or stops a stream of `room`. Must run within the tokio
    /// runtime the streams run on.
    pub fn request(&self, room: &RoomId, request: EgressRequest, service: &RoomService) {
        match request {
            EgressRequest::Start {
                stream_id,
                destination,
                hls,
                layout,
                quality,
            } => {
                let outputs = Outputs { destination, hls };
                self.start(room, stream_id, outputs, layout, quality, service)
            }
            EgressRequest::Record {
                recording_id,
                layout,
                quality,
            } => crate::egress_recording::start(self, room, recording_id, layout, quality, service),
            EgressRequest::Pause { ref id } | EgressRequest::Resume { ref id } => {
                let pause = matches!(request, EgressRequest::Pause { .. });
                let running = self.running.lock().expect("egress lock");
                let found = running.values().find(|r| r.room == *room && r.id == *id);
                match found.and_then(|r| r.egress.as_ref()) {
                    Some(e) if pause => e.pause(),
                    Some(e) => e.resume(),
                    None => {}
                }
            }
            EgressRequest::Stop { id } => {
                let tap = {
                    let running = self.running.lock().expect("egress lock");
                    running
                        .iter()
                        .find(|(_, r)| r.room == *room && r.id == id)
                        .map(|(t, _)| *t)
                };
                if let Some(tap) = tap {
                    self.stop_tap(tap);
                }
            }
        }
    }

    /// Stops the egress of `tap` (it ends on its own time); one still
    /// taking its slot will not start.
    fn stop_tap(&self, tap: TapId) {
        let taken = {
            let mut running = self.running.lock().expect("egress lock");
            let taken = running.get_mut(&tap).map(|r| r.egress.take());
            if let Some(None) = taken {
                running.remove(&tap);
            }
            taken.flatten()
        };
        if let Some(e) = taken {
            (self.taps)(TapJob::Untap(tap));
            tokio::spawn(e.stop());
        }
    }

    /// Stops every stream of `room` (it is gone, or its media moved).
    pub fn drop_room(&self, room: &RoomId) {
        let taps = &*self.taps;
        let gone: Vec<(TapId, Option<Egress>)> = {
            let mut running = self.running.lock().expect("egress lock");
            running
                .iter_mut()
                .filter(|(_, r)| r.room == *room)
                .map(|(t, r)| (*t, r.egress.take()))
                .collect()
        };
        for (tap, e) in gone {
            taps(TapJob::Untap(tap));
            if let Some(e) = e {
                tokio::spawn(e.stop());
            }
        }
    }

    fn start(
        &self,
        room: &RoomId,
        stream_id: String,
        outputs: Outputs,
        layout: StreamLayout,
        quality: recording::Quality,
        service: &RoomService,
    ) {
        let tap = next_tap();
        let fail = |reason: String| {
            let (service, room, id) = (service.clone(), room.clone(), stream_id.clone());
            tokio::spawn(async move {
                service
                    .live_stream_status(&room, &id, StreamStatus::Failed, Some(reason))
                    .await
            });
        };
        {
            let mut running = self.running.lock().expect("egress lock");
            if running.values().filter(|r| !r.recording).count() >= self.config.max_concurrent {
                drop(running);
                return fail(format!(
                    "LIVE_STREAM_FAILED: this instance runs {} live streams, its limit (RTC_LIVE_STREAM_MAX_CONCURRENT)",
                    self.config.max_concurrent
                ));
            }
            // Counts against the limit while the deployment's slot is taken.
            running.insert(
                tap,
                Running {
                    room: room.clone(),
                    id: stream_id.clone(),
                    recording: false,
                    egress: None,
                },
            );
        }
        let base = EgressConfig {
            ffmpeg: self.config.ffmpeg.clone(),
            layout,
            preset: quality.settings(),
            outputs: vec![],
            scratch: self.config.scratch.clone(),
            max_duration: self.config.max_duration,
            retry: Retry::default(),
        };
        let (this, service, room) = (self.clone(), service.clone(), room.clone());
        tokio::spawn(async move {
            let quotas = service.ports().quotas.clone();
            let slot = signaling_core::live_stream_slot(&room, &stream_id);
            let set = kernel::quota::keys::LIVE_STREAM_SLOTS;
            let max = this.config.max_deployment;
            let now_ms = (service.now().unix_timestamp_nanos() / 1_000_000) as i64;
            let refused = match quotas.acquire_slot(set, &slot, max, now_ms).await {
                Ok(true) => None,
                Ok(false) => Some(format!(
                    "LIVE_STREAM_FAILED: {max} live streams run across the deployment, its limit (RTC_LIVE_STREAM_MAX_DEPLOYMENT)"
                )),
                Err(e) => Some(format!(
                    "LIVE_STREAM_FAILED: the shared store is unavailable: {e}"
                )),
            };
            if let Some(reason) = refused {
                this.running.lock().expect("egress lock").remove(&tap);
                service
                    .live_stream_status(&room, &stream_id, StreamStatus::Failed, Some(reason))
                    .await;
                return;
            }
            let (tx, mut statuses) = mpsc::unbounded_channel();
            let mut hls = None;
            let started = {
                let mut running = this.running.lock().expect("egress lock");
                match running.get_mut(&tap) {
                    Some(r) => {
                        let mut cfg = base;
                        if let Some(url) = outputs.destination {
                            cfg.outputs.push(egress::Output::Rtmp(url));
                        }
                        if outputs.hls {
                            let dir = crate::hls::local_dir(&this.config.scratch, &stream_id);
                            cfg.outputs.push(egress::Output::Hls(dir.clone()));
                            hls = Some(dir);
                        }
                        r.egress = Some(Egress::start(cfg, tx));
                        true
                    }
                    // Stopped while the slot was being taken.
                    None => false,
                }
            };
            if !started {
                let _ = quotas.release_slot(set, &slot).await;
                return;
            }
            (this.taps)(TapJob::Tap(room.clone(), tap));
            let (done, done_rx) = tokio::sync::oneshot::channel();
            let uploads = hls.map(|dir| {
                let key = crate::hls::prefix(&room, &stream_id);
                let blobs = this.config.blobs.clone();
                tokio::spawn(crate::hls::upload(blobs, dir, key, done_rx))
            });
            while let Some(s) = statuses.recv().await {
                let (status, error) = match s {
                    Status::Starting => (StreamStatus::Starting, None),
                    Status::Live => (StreamStatus::Live, None),
                    Status::Reconnecting { attempt, reason } => (
                        StreamStatus::Reconnecting,
                        Some(format!("attempt {attempt}: {reason}")),
                    ),
                    Status::Failed { reason } => (
                        StreamStatus::Failed,
                        Some(format!("LIVE_STREAM_FAILED: {reason}")),
                    ),
                    Status::Stopped => (StreamStatus::Stopped, None),
                };
                service
                    .live_stream_status(&room, &stream_id, status, error)
                    .await;
            }
            // The egresses ended (stopped, failed, or at their time limit).
            this.running.lock().expect("egress lock").remove(&tap);
            (this.taps)(TapJob::Untap(tap));
            let _ = quotas.release_slot(set, &slot).await;
            let _ = done.send(());
            if let Some(u) = uploads {
                let _ = u.await;
            }
        });
    }
}

/// A stream's outputs.
struct Outputs {
    /// RTMP(S), with the key.
    destination: Option<String>,
    /// HLS served here.
    hls: bool,
}

/// Crate-internal access for the recording side (`egress_recording.rs`).
impl Egresses {
    pub(crate) fn settings(&self) -> &Settings {
        &self.config
    }

    /// Takes a place for a recording here; false at the instance's limit.
    pub(crate) fn admit_recording(&self, tap: TapId, room: &RoomId, id: &str) -> bool {
        let mut running = self.running.lock().expect("egress lock");
        if running.values().filter(|r| r.recording).count() >= self.config.max_recordings {
            return false;
        }
        running.insert(
            tap,
            Running {
                room: room.clone(),
                id: id.to_owned(),
                recording: true,
                egress: None,
            },
        );
        true
    }

    /// Starts the admitted recording's egress and its tap; false when it
    /// was stopped meanwhile.
    pub(crate) fn run_recording(&self, tap: TapId, room: &RoomId, e: Egress) -> bool {
        let started = {
            let mut running = self.running.lock().expect("egress lock");
            match running.get_mut(&tap) {
                Some(r) => {
                    r.egress = Some(e);
                    true
                }
                None => false,
            }
        };
        if started {
            (self.taps)(TapJob::Tap(room.clone(), tap));
        }
        started
    }

    /// Forgets an ended egress and stops its tap.
    pub(crate) fn ended(&self, tap: TapId) {
        self.running.lock().expect("egress lock").remove(&tap);
        (self.taps)(TapJob::Untap(tap));
    }
}

/// A new tap id.
pub(crate) fn next_tap() -> TapId {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(1);
    N.fetch_add(1, Ordering::Relaxed)
}
