//! Recording: the recording state machine, formats and quality presets, and
//! the port that stores recording metadata. Media goes through `storage`.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

/// Recording states (seed 004).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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

/// Errors of the metadata port.
#[derive(Debug, Clone, thiserror::Error)]
pub enum MetaError {
    /// The backing store is unreachable.
    #[error("recording store unavailable: {0}")]
    Unavailable(String),
}

/// Where recording metadata lives (in memory, Redis, MongoDB).
#[async_trait]
pub trait RecordingStore: Send + Sync {
    /// Stores a record (JSON) under its id.
    async fn put(&self, id: &str, record: &str) -> Result<(), MetaError>;
    /// Loads a record.
    async fn get(&self, id: &str) -> Result<Option<String>, MetaError>;
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
