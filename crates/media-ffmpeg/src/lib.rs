//! [`recording::pipeline::Transcoder`] over the `ffmpeg` and `ffprobe`
//! programs. The source is probed first: when its codecs fit the requested
//! container and it is no larger than the preset, the streams are copied
//! (remux); otherwise they are transcoded to the preset (VP8 + Opus for
//! WebM, H.264 + AAC for MP4 and MKV), scaling down, never up.

use std::path::{Path, PathBuf};
use std::time::Duration;

use async_trait::async_trait;
use recording::pipeline::{MediaError, Transcoder};
use recording::{Format, MediaInfo, Quality};
use serde::Deserialize;

/// Runs ffmpeg and ffprobe.
#[derive(Debug, Clone)]
pub struct Ffmpeg {
    ffmpeg: PathBuf,
    ffprobe: PathBuf,
    timeout: Duration,
}

impl Default for Ffmpeg {
    fn default() -> Self {
        Ffmpeg {
            ffmpeg: "ffmpeg".into(),
            ffprobe: "ffprobe".into(),
            timeout: Duration::from_secs(3600),
        }
    }
}

#[derive(Deserialize)]
struct Probe {
    #[serde(default)]
    streams: Vec<ProbeStream>,
    format: Option<ProbeFormat>,
}

#[derive(Deserialize)]
struct ProbeStream {
    codec_type: Option<String>,
    codec_name: Option<String>,
    width: Option<u32>,
    height: Option<u32>,
}

#[derive(Deserialize)]
struct ProbeFormat {
    format_name: Option<String>,
    duration: Option<String>,
    size: Option<String>,
}

impl Ffmpeg {
    /// With explicit program paths and a time limit per run.
    pub fn new(ffmpeg: impl Into<PathBuf>, ffprobe: impl Into<PathBuf>, timeout: Duration) -> Self {
        Ffmpeg {
            ffmpeg: ffmpeg.into(),
            ffprobe: ffprobe.into(),
            timeout,
        }
    }

    async fn run(&self, program: &Path, args: &[String]) -> Result<Vec<u8>, MediaError> {
        let mut cmd = tokio::process::Command::new(program);
        cmd.args(args).kill_on_drop(true);
        let out = tokio::time::timeout(self.timeout, cmd.output())
            .await
            .map_err(|_| MediaError(format!("{} timed out", program.display())))?
            .map_err(|e| MediaError(format!("running {}: {e}", program.display())))?;
        if !out.status.success() {
            let err = String::from_utf8_lossy(&out.stderr);
            let tail: String = err.lines().rev().take(3).collect::<Vec<_>>().join(" | ");
            return Err(MediaError(format!(
                "{} exited with {}: {tail}",
                program.display(),
                out.status
            )));
        }
        Ok(out.stdout)
    }

    /// What `path` holds, as ffprobe sees it.
    pub async fn probe(&self, path: &Path) -> Result<MediaInfo, MediaError> {
        let args: Vec<String> = [
            "-v",
            "error",
            "-show_format",
            "-show_streams",
            "-of",
            "json",
        ]
        .iter()
        .map(|s| s.to_string())
        .chain([path.display().to_string()])
        .collect();
        let out = self.run(&self.ffprobe, &args).await?;
        let p: Probe = serde_json::from_slice(&out)
            .map_err(|e| MediaError(format!("unreadable ffprobe output: {e}")))?;
        let video = p
            .streams
            .iter()
            .find(|s| s.codec_type.as_deref() == Some("video"));
        let audio = p
            .streams
            .iter()
            .find(|s| s.codec_type.as_deref() == Some("audio"));
        let f = p
            .format
            .ok_or_else(|| MediaError("ffprobe found no container".into()))?;
        let size = match f.size.and_then(|s| s.parse().ok()) {
            Some(s) => s,
            None => tokio::fs::metadata(path)
                .await
                .map(|m| m.len())
                .unwrap_or(0),
        };
        Ok(MediaInfo {
            format_name: f.format_name.unwrap_or_default(),
            duration_ms: f
                .duration
                .and_then(|d| d.parse::<f64>().ok())
                .map(|d| (d * 1000.0).round() as u64)
                .unwrap_or(0),
            size,
            video_codec: video.and_then(|v| v.codec_name.clone()),
            audio_codec: audio.and_then(|a| a.codec_name.clone()),
            width: video.and_then(|v| v.width),
            height: video.and_then(|v| v.height),
        })
    }
}

/// Whether the source's codecs can go into `format` unchanged.
fn fits(format: Format, src: &MediaInfo) -> bool {
    let v = src.video_codec.as_deref();
    let a = src.audio_codec.as_deref();
    match format {
        Format::Webm => {
            matches!(v, None | Some("vp8" | "vp9" | "av1"))
                && matches!(a, None | Some("opus" | "vorbis"))
        }
        Format::Mp4 => {
            matches!(v, None | Some("h264" | "hevc" | "av1"))
                && matches!(a, None | Some("aac" | "mp3" | "opus"))
        }
        Format::Mkv => true,
    }
}

/// The ffmpeg arguments that make `output` from `input` (probed as `src`).
pub fn plan(
    input: &Path,
    output: &Path,
    format: Format,
    quality: Quality,
    src: &MediaInfo,
) -> Vec<String> {
    let p = quality.settings();
    let larger = src.width.unwrap_or(0) > p.width || src.height.unwrap_or(0) > p.height;
    let mut a: Vec<String> = vec![
        "-hide_banner".into(),
        "-loglevel".into(),
        "error".into(),
        "-y".into(),
        "-fflags".into(),
        "+genpts".into(),
        "-i".into(),
        input.display().to_string(),
    ];
    if fits(format, src) && !larger {
        a.extend(["-c".into(), "copy".into()]);
    } else {
        if src.video_codec.is_some() {
            a.extend([
                "-vf".into(),
                format!(
                    "scale='min({w},iw)':'min({h},ih)':force_original_aspect_ratio=decrease,scale=trunc(iw/2)*2:trunc(ih/2)*2,fps='min({fps},source_fps)'",
                    w = p.width,
                    h = p.height,
                    fps = p.fps
                ),
                "-b:v".into(),
                p.video_bps.to_string(),
            ]);
            match format {
                Format::Webm => a.extend(
                    ["-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8"].map(String::from),
                ),
                Format::Mp4 | Format::Mkv => a.extend(
                    [
                        "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p",
                    ]
                    .map(String::from),
                ),
            }
        }
        if src.audio_codec.is_some() {
            a.extend(["-b:a".into(), p.audio_bps.to_string()]);
            match format {
                Format::Webm => a.extend(["-c:a".into(), "libopus".into()]),
                Format::Mp4 | Format::Mkv => a.extend(["-c:a".into(), "aac".into()]),
            }
        }
    }
    if format == Format::Mp4 {
        a.extend(["-movflags".into(), "+faststart".into()]);
    }
    a.push(output.display().to_string());
    a
}

#[async_trait]
impl Transcoder for Ffmpeg {
    async fn transcode(
        &self,
        input: &Path,
        output: &Path,
        format: Format,
        quality: Quality,
    ) -> Result<MediaInfo, MediaError> {
        let src = self.probe(input).await?;
        if src.video_codec.is_none() && src.audio_codec.is_none() {
            return Err(MediaError(
                "the uploaded data holds no audio or video".into(),
            ));
        }
        let args = plan(input, output, format, quality, &src);
        tracing::debug!(?args, "ffmpeg");
        self.run(&self.ffmpeg, &args).await?;
        self.probe(output).await
    }

    async fn thumbnail(&self, media: &Path, output: &Path) -> Result<(), MediaError> {
        let info = self.probe(media).await?;
        let out = output.display().to_string();
        let args: Vec<String> = if info.video_codec.is_some() {
            let at = (info.duration_ms as f64 / 2000.0).min(1.0);
            vec![
                "-hide_banner".into(),
                "-loglevel".into(),
                "error".into(),
                "-y".into(),
                "-ss".into(),
                format!("{at:.3}"),
                "-i".into(),
                media.display().to_string(),
                "-frames:v".into(),
                "1".into(),
                "-vf".into(),
                "scale=320:-2".into(),
                out,
            ]
        } else {
            // Audio only: a neutral still.
            [
                "-hide_banner",
                "-loglevel",
                "error",
                "-y",
                "-f",
                "lavfi",
                "-i",
                "color=c=0x202020:s=320x180",
                "-frames:v",
                "1",
            ]
            .iter()
            .map(|s| s.to_string())
            .chain([out])
            .collect()
        };
        self.run(&self.ffmpeg, &args).await.map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(v: Option<&str>, a: Option<&str>, w: u32, h: u32) -> MediaInfo {
        MediaInfo {
            format_name: String::new(),
            duration_ms: 0,
            size: 0,
            video_codec: v.map(str::to_owned),
            audio_codec: a.map(str::to_owned),
            width: Some(w),
            height: Some(h),
        }
    }

    fn copies(args: &[String]) -> bool {
        args.windows(2).any(|w| w[0] == "-c" && w[1] == "copy")
    }

    #[test]
    fn remux_where_the_codec_allows_transcode_where_it_must() {
        let (i, o) = (Path::new("in"), Path::new("out"));
        let vp8 = info(Some("vp8"), Some("opus"), 1280, 720);
        assert!(copies(&plan(i, o, Format::Webm, Quality::Medium, &vp8)));
        assert!(copies(&plan(i, o, Format::Mkv, Quality::High, &vp8)));
        let mp4 = plan(i, o, Format::Mp4, Quality::Medium, &vp8);
        assert!(!copies(&mp4), "VP8 cannot go into MP4 unchanged");
        assert!(mp4.iter().any(|a| a == "libx264") && mp4.iter().any(|a| a == "aac"));
        let low = plan(i, o, Format::Webm, Quality::Low, &vp8);
        assert!(!copies(&low), "larger than the preset: scaled down");
        assert!(low.iter().any(|a| a.contains("min(854,iw)")));
    }
}
