//! Recording: the recording state machine, formats and quality presets, and
//! the port that stores recording metadata. Media goes through `storage`.

use async_trait::async_trait;
pub use kernel::PortError;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// Recording states (seed 004).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RecordingStatus {
    /// Created, not yet recording.
    Pending,
    /// Recording.
    Recording,
    /// Paused.
    Paused,
    /// Stopped; assembling and transcoding.
    Processing,
    /// A playable file is stored.
    Completed,
    /// Processing failed (with a reason).
    Failed,
    /// Cancelled; chunks removed.
    Cancelled,
}

/// Container formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Format {
    /// WebM (VP8/VP9 + Opus).
    Webm,
    /// MP4 (H.264 + AAC).
    Mp4,
    /// Matroska.
    Mkv,
}

/// Quality presets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Quality {
    /// 854x480, 1M video, 96k audio, 24 fps.
    Low,
    /// 1280x720, 2.5M video, 128k audio, 30 fps.
    Medium,
    /// 1920x1080, 5M video, 192k audio, 30 fps.
    High,
    /// 3840x2160, 15M video, 256k audio, 60 fps.
    Ultra,
}

/// Encoding parameters of a preset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PresetSettings {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Video bitrate, bits per second.
    pub video_bps: u32,
    /// Audio bitrate, bits per second.
    pub audio_bps: u32,
    /// Frames per second.
    pub fps: u32,
}

impl Quality {
    /// The preset's parameters.
    pub fn settings(self) -> PresetSettings {
        let p = |width, height, video_bps, audio_bps, fps| PresetSettings {
            width,
            height,
            video_bps,
            audio_bps,
            fps,
        };
        match self {
            Quality::Low => p(854, 480, 1_000_000, 96_000, 24),
            Quality::Medium => p(1280, 720, 2_500_000, 128_000, 30),
            Quality::High => p(1920, 1080, 5_000_000, 192_000, 30),
            Quality::Ultra => p(3840, 2160, 15_000_000, 256_000, 60),
        }
    }
}

/// Who makes a recording's media.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Source {
    /// Each participant's client uploads its own chunks (one file per
    /// participant).
    #[default]
    Client,
    /// The server composes the room's media (SFU rooms) into one file; no
    /// client uploads anything.
    Server,
}

/// The layout of a composite picture (a server recording or stream).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Layout {
    /// Every video (up to nine) in a grid.
    #[default]
    Grid,
    /// The active speaker full frame.
    Speaker,
}

/// Why a recording action was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    /// The action is not allowed from the current status.
    #[error("cannot {action} a recording that is {from:?}")]
    InvalidState {
        /// The attempted action.
        action: &'static str,
        /// The status it was in.
        from: RecordingStatus,
    },
}

/// One recording: who started it where, its format, and its life so far.
/// Times are RFC 3339 on the wire, like every other timestamp of the API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Recording {
    /// Globally unique id (a UUID).
    pub recording_id: String,
    /// The room it records.
    pub room_id: String,
    /// Who started it.
    pub started_by: String,
    /// Container format of the final file.
    pub format: Format,
    /// Quality preset.
    pub quality: Quality,
    /// Who makes its media (records from before this field are `client`).
    /// Always sent (the default is for reading old records).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub source: Source,
    /// The composite's layout, for a server recording.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layout: Option<Layout>,
    /// Where it is in its life.
    pub status: RecordingStatus,
    /// When it started.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    #[serde(with = "time::serde::rfc3339")]
    pub started_at: OffsetDateTime,
    /// When it was last paused, while paused.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    #[serde(
        default,
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub paused_at: Option<OffsetDateTime>,
    /// Seconds spent paused before `paused_at`. Always sent.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub paused_secs: i64,
    /// When it stopped or was cancelled.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    #[serde(
        default,
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub stopped_at: Option<OffsetDateTime>,
    /// Why processing failed, for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<String>,
    /// Why processing failed, as a stable code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_code: Option<FailureCode>,
    /// The playable files, one per participant who uploaded media.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outputs: Vec<RecordingOutput>,
}

/// Why processing failed, as a stable code a client can branch on
/// (docs/errors.md, "Recording failures").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FailureCode {
    /// No participant uploaded a chunk.
    NoMedia,
    /// The uploaded bytes are not a WebM/Matroska or MP4 recording (a
    /// playlist, a concat list, anything else): never handed to a demuxer.
    UnsupportedMediaFormat,
    /// ffmpeg could not read, convert or thumbnail the media, or ran out of
    /// time.
    MediaProcessingFailed,
    /// The chunks or the results could not be read from or written to
    /// storage.
    StorageUnavailable,
}

impl FailureCode {
    /// The wire name, e.g. `UNSUPPORTED_MEDIA_FORMAT`.
    pub fn as_str(self) -> &'static str {
        match self {
            FailureCode::NoMedia => "NO_MEDIA",
            FailureCode::UnsupportedMediaFormat => "UNSUPPORTED_MEDIA_FORMAT",
            FailureCode::MediaProcessingFailed => "MEDIA_PROCESSING_FAILED",
            FailureCode::StorageUnavailable => "STORAGE_UNAVAILABLE",
        }
    }
}

impl std::fmt::Display for FailureCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A failed processing job: a stable code and a message that is shown to
/// the room (so it names no server paths and quotes no tool output).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct Failure {
    /// The stable code.
    pub code: FailureCode,
    /// What happened, for people.
    pub message: String,
}

impl Failure {
    /// A failure with `code` and `message`.
    pub fn new(code: FailureCode, message: impl Into<String>) -> Self {
        Failure {
            code,
            message: message.into(),
        }
    }
}

/// One playable file of a recording.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordingOutput {
    /// Whose media it is.
    pub user_id: String,
    /// Blob key of the file.
    pub key: String,
    /// Blob key of the thumbnail (JPEG).
    pub thumbnail_key: String,
    /// What ffprobe says about the file.
    pub media: MediaInfo,
}

/// What a media file holds, as probed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MediaInfo {
    /// Container as ffprobe names it, e.g. `matroska,webm`.
    pub format_name: String,
    /// Duration in milliseconds.
    pub duration_ms: u64,
    /// Size in bytes.
    pub size: u64,
    /// Video codec, e.g. `vp8`, `h264`.
    pub video_codec: Option<String>,
    /// Audio codec, e.g. `opus`, `aac`.
    pub audio_codec: Option<String>,
    /// Frame width.
    pub width: Option<u32>,
    /// Frame height.
    pub height: Option<u32>,
}

impl Recording {
    /// A recording that starts now.
    pub fn start(
        recording_id: String,
        room_id: String,
        started_by: String,
        format: Format,
        quality: Quality,
        now: OffsetDateTime,
    ) -> Self {
        Recording {
            recording_id,
            room_id,
            started_by,
            format,
            quality,
            source: Source::Client,
            layout: None,
            status: RecordingStatus::Recording,
            started_at: now,
            paused_at: None,
            paused_secs: 0,
            stopped_at: None,
            failure: None,
            failure_code: None,
            outputs: Vec::new(),
        }
    }

    /// The same recording made by the server in `layout`.
    pub fn by_server(self, layout: Layout) -> Self {
        Recording {
            source: Source::Server,
            layout: Some(layout),
            ..self
        }
    }

    /// Whether it is still capturing (recording or paused).
    pub fn is_active(&self) -> bool {
        matches!(
            self.status,
            RecordingStatus::Recording | RecordingStatus::Paused
        )
    }

    /// Seconds recorded, excluding pauses, up to `now` or the stop.
    pub fn duration_secs(&self, now: OffsetDateTime) -> i64 {
        let end = self.stopped_at.or(self.paused_at).unwrap_or(now);
        ((end - self.started_at).whole_seconds() - self.paused_secs).max(0)
    }

    fn refuse(&self, action: &'static str) -> TransitionError {
        TransitionError::InvalidState {
            action,
            from: self.status,
        }
    }

    /// Recording → Paused.
    pub fn pause(&mut self, now: OffsetDateTime) -> Result<(), TransitionError> {
        if self.status != RecordingStatus::Recording {
            return Err(self.refuse("pause"));
        }
        self.status = RecordingStatus::Paused;
        self.paused_at = Some(now);
        Ok(())
    }

    /// Paused → Recording.
    pub fn resume(&mut self, now: OffsetDateTime) -> Result<(), TransitionError> {
        if self.status != RecordingStatus::Paused {
            return Err(self.refuse("resume"));
        }
        if let Some(p) = self.paused_at.take() {
            self.paused_secs += (now - p).whole_seconds().max(0);
        }
        self.status = RecordingStatus::Recording;
        Ok(())
    }

    /// Recording or Paused → Processing.
    pub fn stop(&mut self, now: OffsetDateTime) -> Result<(), TransitionError> {
        if !self.is_active() {
            return Err(self.refuse("stop"));
        }
        if let Some(p) = self.paused_at.take() {
            self.paused_secs += (now - p).whole_seconds().max(0);
        }
        self.status = RecordingStatus::Processing;
        self.stopped_at = Some(now);
        Ok(())
    }

    /// Pending, Recording or Paused → Cancelled.
    pub fn cancel(&mut self, now: OffsetDateTime) -> Result<(), TransitionError> {
        if !(self.is_active() || self.status == RecordingStatus::Pending) {
            return Err(self.refuse("cancel"));
        }
        if let Some(p) = self.paused_at.take() {
            self.paused_secs += (now - p).whole_seconds().max(0);
        }
        self.status = RecordingStatus::Cancelled;
        self.stopped_at = Some(now);
        Ok(())
    }

    /// Processing → Completed (with its files) or Failed (with a reason).
    pub fn finish(
        &mut self,
        result: Result<Vec<RecordingOutput>, Failure>,
    ) -> Result<(), TransitionError> {
        if self.status != RecordingStatus::Processing {
            return Err(self.refuse("finish"));
        }
        match result {
            Ok(outputs) => {
                self.status = RecordingStatus::Completed;
                self.outputs = outputs;
            }
            Err(f) => {
                self.status = RecordingStatus::Failed;
                self.failure = Some(f.message);
                self.failure_code = Some(f.code);
            }
        }
        Ok(())
    }
}

/// Where recording records live (memory, Redis, MongoDB). Records outlive
/// the room they were made in (7 days by default). Suite:
/// `recording_store_suite!`.
#[async_trait]
pub trait RecordingStore: Send + Sync {
    /// Inserts or replaces a record by its id.
    async fn put(&self, record: &Recording) -> Result<(), PortError>;
    /// Loads a record.
    async fn get(&self, id: &str) -> Result<Option<Recording>, PortError>;
    /// Records of a room, oldest first (by `started_at`).
    async fn list_room(&self, room_id: &str) -> Result<Vec<Recording>, PortError>;
    /// Records a user started, oldest first (by `started_at`).
    async fn list_user(&self, user_id: &str) -> Result<Vec<Recording>, PortError>;
    /// Records not yet completed, failed or cancelled (recording, paused or
    /// processing), in no particular order.
    async fn list_unfinished(&self) -> Result<Vec<Recording>, PortError>;
    /// Takes the processing job of a recording for instance `owner` for
    /// `ttl_secs`. MUST return `true` to one owner at a time, also under
    /// concurrent claims; the owner may renew its claim; once `ttl_secs`
    /// pass without renewal anyone may take it. A claim whose owner
    /// instance is no longer alive may be taken over earlier (Redis knows
    /// liveness; memory and MongoDB wait for the lease to lapse).
    async fn claim_job(&self, id: &str, owner: &str, ttl_secs: u64) -> Result<bool, PortError>;
}

/// Hands a stopped recording to the processing worker (and a cancelled one
/// to the clean-up).
pub trait JobQueue: Send + Sync {
    /// Queues work on `recording_id`.
    fn enqueue(&self, recording_id: &str);
}

/// A queue that drops everything (for deployments without a worker, and
/// unit tests).
#[derive(Debug, Default)]
pub struct NoJobs;

impl JobQueue for NoJobs {
    fn enqueue(&self, _: &str) {}
}

/// In-memory [`RecordingStore`]: the embedded default and the unit-test fake.
#[derive(Debug, Default)]
pub struct MemoryRecordingStore {
    records: std::sync::Mutex<Vec<Recording>>,
    jobs: std::sync::Mutex<std::collections::HashMap<String, (String, std::time::Instant)>>,
}

#[async_trait]
impl RecordingStore for MemoryRecordingStore {
    async fn put(&self, record: &Recording) -> Result<(), PortError> {
        let mut all = self.records.lock().expect("recording store lock");
        match all
            .iter_mut()
            .find(|r| r.recording_id == record.recording_id)
        {
            Some(r) => *r = record.clone(),
            None => all.push(record.clone()),
        }
        Ok(())
    }

    async fn get(&self, id: &str) -> Result<Option<Recording>, PortError> {
        let all = self.records.lock().expect("recording store lock");
        Ok(all.iter().find(|r| r.recording_id == id).cloned())
    }

    async fn list_room(&self, room_id: &str) -> Result<Vec<Recording>, PortError> {
        let all = self.records.lock().expect("recording store lock");
        let mut out: Vec<Recording> = all
            .iter()
            .filter(|r| r.room_id == room_id)
            .cloned()
            .collect();
        out.sort_by_key(|r| r.started_at);
        Ok(out)
    }

    async fn list_user(&self, user_id: &str) -> Result<Vec<Recording>, PortError> {
        let all = self.records.lock().expect("recording store lock");
        let mut out: Vec<Recording> = all
            .iter()
            .filter(|r| r.started_by == user_id)
            .cloned()
            .collect();
        out.sort_by_key(|r| r.started_at);
        Ok(out)
    }

    async fn list_unfinished(&self) -> Result<Vec<Recording>, PortError> {
        let all = self.records.lock().expect("recording store lock");
        Ok(all
            .iter()
            .filter(|r| r.is_active() || r.status == RecordingStatus::Processing)
            .cloned()
            .collect())
    }

    async fn claim_job(&self, id: &str, owner: &str, ttl_secs: u64) -> Result<bool, PortError> {
        // One process: every owner is alive, so only expiry frees a claim.
        let now = std::time::Instant::now();
        let mut jobs = self.jobs.lock().expect("recording store lock");
        match jobs.get(id) {
            Some((o, until)) if *until > now && o != owner => Ok(false),
            _ => {
                jobs.insert(
                    id.to_owned(),
                    (
                        owner.to_owned(),
                        now + std::time::Duration::from_secs(ttl_secs),
                    ),
                );
                Ok(true)
            }
        }
    }
}

pub mod pipeline;
#[cfg(any(test, feature = "testing"))]
pub mod testing;

#[cfg(test)]
mod tests {
    use super::*;

    fn t(secs: i64) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(secs).unwrap()
    }

    #[test]
    fn presets_match_the_seed_table() {
        assert_eq!(
            Quality::Medium.settings(),
            PresetSettings {
                width: 1280,
                height: 720,
                video_bps: 2_500_000,
                audio_bps: 128_000,
                fps: 30
            }
        );
        assert_eq!(Quality::Ultra.settings().fps, 60);
    }

    fn rec() -> Recording {
        Recording::start(
            "r1".into(),
            "room".into(),
            "alice".into(),
            Format::Webm,
            Quality::Medium,
            t(100),
        )
    }

    #[test]
    fn pauses_are_excluded_from_the_duration() {
        let mut r = rec();
        r.pause(t(110)).unwrap();
        assert_eq!(r.duration_secs(t(500)), 10, "paused time does not count");
        r.resume(t(130)).unwrap();
        r.stop(t(150)).unwrap();
        assert_eq!(r.status, RecordingStatus::Processing);
        assert_eq!(r.duration_secs(t(9999)), 30);
        r.finish(Ok(vec![])).unwrap();
        assert_eq!(r.status, RecordingStatus::Completed);
    }

    #[test]
    fn stopping_while_paused_counts_the_pause_once() {
        let mut r = rec();
        r.pause(t(110)).unwrap();
        r.stop(t(140)).unwrap();
        assert_eq!(r.duration_secs(t(9999)), 10);
    }

    #[test]
    fn wrong_transitions_are_refused_and_change_nothing() {
        let mut r = rec();
        assert!(r.resume(t(105)).is_err(), "resume while recording");
        r.stop(t(120)).unwrap();
        let before = r.clone();
        for res in [
            r.pause(t(130)),
            r.resume(t(130)),
            r.stop(t(130)),
            r.cancel(t(130)),
        ] {
            assert_eq!(
                res,
                Err(TransitionError::InvalidState {
                    action: match res {
                        Err(TransitionError::InvalidState { action, .. }) => action,
                        Ok(()) => "none",
                    },
                    from: RecordingStatus::Processing
                })
            );
        }
        assert_eq!(r, before);
        r.finish(Err(Failure::new(FailureCode::NoMedia, "nothing uploaded")))
            .unwrap();
        assert_eq!(r.status, RecordingStatus::Failed);
        assert_eq!(r.failure_code, Some(FailureCode::NoMedia));
        let wire = serde_json::to_value(&r).unwrap();
        assert_eq!(wire["failure_code"], "NO_MEDIA");
        assert_eq!(wire["failure"], "nothing uploaded");
        assert!(
            r.finish(Ok(vec![])).is_err(),
            "a failed recording stays failed"
        );
    }

    mod memory_store {
        async fn store() -> (
            std::sync::Arc<dyn crate::RecordingStore>,
            std::sync::Arc<dyn crate::testing::Liveness>,
        ) {
            (
                std::sync::Arc::new(crate::MemoryRecordingStore::default()),
                std::sync::Arc::new(crate::testing::EveryoneAlive),
            )
        }
        crate::recording_store_suite!(store);
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            /// Whatever is attempted, in whatever order: a finished
            /// recording never changes again, the recorded duration never
            /// shrinks, and a refused action changes nothing.
            #[test]
            fn finished_recordings_never_change_and_duration_only_grows(
                actions in proptest::collection::vec((0u8..6, 1i64..100), 1..40)
            ) {
                let mut r = rec();
                let mut now = 100;
                let mut last_duration = 0;
                let mut finished: Option<Recording> = None;
                for (a, dt) in actions {
                    now += dt;
                    let at = t(now);
                    let before = r.clone();
                    let res = match a {
                        0 => r.pause(at),
                        1 => r.resume(at),
                        2 => r.stop(at),
                        3 => r.cancel(at),
                        4 => r.finish(Ok(vec![])),
                        _ => r.finish(Err(Failure::new(FailureCode::MediaProcessingFailed, "ffmpeg failed"))),
                    };
                    if res.is_err() {
                        prop_assert_eq!(&r, &before);
                    }
                    if let Some(f) = &finished {
                        prop_assert_eq!(&r, f);
                    }
                    if matches!(r.status, RecordingStatus::Completed | RecordingStatus::Failed | RecordingStatus::Cancelled) {
                        finished.get_or_insert_with(|| r.clone());
                    }
                    let d = r.duration_secs(at);
                    prop_assert!(d >= last_duration, "duration went from {} to {}", last_duration, d);
                    last_duration = d;
                }
            }
        }
    }
}
