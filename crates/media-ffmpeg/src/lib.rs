//! [`recording::pipeline::Transcoder`] over the `ffmpeg` and `ffprobe`
//! programs. The source is probed first: when its codecs fit the requested
//! container and it is no larger than the preset, the streams are copied
//! (remux); otherwise they are transcoded to the preset (VP8 + Opus for
//! WebM, H.264 + AAC for MP4 and MKV), scaling down, never up.
//!
//! Uploaded bytes never choose how they are read. ffmpeg left to itself
//! probes the format, and an HLS playlist or an ffconcat list "chunk" would
//! make it open local files (another room's recording, say) into the output.
//! So the container is recognised here from its first bytes (EBML for
//! WebM/Matroska, an `ftyp` box for MP4; anything else fails with
//! `UNSUPPORTED_MEDIA_FORMAT` before ffmpeg runs), and every ffmpeg and
//! ffprobe input is opened with that demuxer named (`-f`, so nothing is
//! probed), `-format_whitelist` of the two recording demuxers,
//! `-protocol_whitelist file`, and an explicit `file:` path.

use std::path::{Path, PathBuf};
use std::time::Duration;

use async_trait::async_trait;
use recording::pipeline::Transcoder;
use recording::{Failure, FailureCode, Format, MediaInfo, Quality};
use serde::Deserialize;
use tokio::io::AsyncReadExt as _;

/// The demuxers any input may be read with (ffmpeg's `-format_whitelist`).
const DEMUXERS: &str = "matroska,webm,mov,mp4,m4a,3gp,3g2,mj2";

/// A container a recording may arrive in, and the one demuxer that reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    /// WebM or Matroska (what Chromium's and Firefox's MediaRecorder make).
    Matroska,
    /// MP4 / ISO BMFF (what Safari's MediaRecorder makes).
    Mp4,
}

impl Container {
    /// Recognises a container from a file's first bytes: the EBML magic
    /// (WebM, Matroska) or an `ftyp` box (MP4). Anything else, such as a
    /// playlist or a concat list, is `None`.
    pub fn sniff(head: &[u8]) -> Option<Container> {
        if head.starts_with(&[0x1A, 0x45, 0xDF, 0xA3]) {
            Some(Container::Matroska)
        } else if head.len() >= 8 && &head[4..8] == b"ftyp" {
            Some(Container::Mp4)
        } else {
            None
        }
    }

    /// The container ffmpeg writes for `format`.
    pub fn of(format: Format) -> Container {
        match format {
            Format::Webm | Format::Mkv => Container::Matroska,
            Format::Mp4 => Container::Mp4,
        }
    }

    /// Recognises the container of the file at `path`.
    pub async fn of_file(path: &Path) -> Result<Option<Container>, Failure> {
        let mut head = [0u8; 12];
        let mut f = tokio::fs::File::open(path).await.map_err(io_failure)?;
        let mut n = 0;
        while n < head.len() {
            match f.read(&mut head[n..]).await.map_err(io_failure)? {
                0 => break,
                k => n += k,
            }
        }
        Ok(Container::sniff(&head[..n]))
    }

    /// The ffmpeg options that open `path` as this container and nothing
    /// else, ending with `-i` when `with_i` (ffprobe takes the bare path).
    pub fn input_args(self, path: &Path, with_i: bool) -> Vec<String> {
        let mut a: Vec<String> = [
            "-protocol_whitelist",
            "file",
            "-format_whitelist",
            DEMUXERS,
            "-f",
        ]
        .map(String::from)
        .into();
        match self {
            Container::Matroska => a.push("matroska".into()),
            // References to other files (`dref` atoms) stay off.
            Container::Mp4 => a.extend(["mov", "-enable_drefs", "0"].map(String::from)),
        }
        if with_i {
            a.push("-i".into());
        }
        a.push(format!("file:{}", path.display()));
        a
    }
}

fn io_failure(e: std::io::Error) -> Failure {
    tracing::warn!(error = %e, "reading a recording's working copy failed");
    Failure::new(
        FailureCode::MediaProcessingFailed,
        "the server could not read its working copy",
    )
}

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

    async fn run(&self, program: &Path, args: &[String]) -> Result<Vec<u8>, Failure> {
        let name = program
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let failed = |what: String| Failure::new(FailureCode::MediaProcessingFailed, what);
        let mut cmd = tokio::process::Command::new(program);
        cmd.args(args).kill_on_drop(true);
        let out = tokio::time::timeout(self.timeout, cmd.output())
            .await
            .map_err(|_| failed(format!("{name} timed out")))?
            .map_err(|e| {
                tracing::error!(program = %program.display(), error = %e, "cannot run");
                failed(format!("{name} could not be started"))
            })?;
        if !out.status.success() {
            // ffmpeg's words stay in the log: they name server paths.
            let err = String::from_utf8_lossy(&out.stderr);
            let tail: String = err.lines().rev().take(3).collect::<Vec<_>>().join(" | ");
            tracing::warn!(program = %name, status = %out.status, stderr = %tail, "media tool failed");
            return Err(failed(format!(
                "{name} could not process the media ({})",
                out.status
            )));
        }
        Ok(out.stdout)
    }

    /// What `path` holds, read as `container`, as ffprobe sees it.
    pub async fn probe(&self, path: &Path, container: Container) -> Result<MediaInfo, Failure> {
        let args: Vec<String> = ["-v", "error"]
            .iter()
            .map(|s| s.to_string())
            .chain(container.input_args(path, false))
            .chain(
                ["-show_format", "-show_streams", "-of", "json"]
                    .iter()
                    .map(|s| s.to_string()),
            )
            .collect();
        let out = self.run(&self.ffprobe, &args).await?;
        let p: Probe = serde_json::from_slice(&out).map_err(|e| {
            tracing::warn!(error = %e, "unreadable ffprobe output");
            Failure::new(
                FailureCode::MediaProcessingFailed,
                "unreadable ffprobe output",
            )
        })?;
        let video = p
            .streams
            .iter()
            .find(|s| s.codec_type.as_deref() == Some("video"));
        let audio = p
            .streams
            .iter()
            .find(|s| s.codec_type.as_deref() == Some("audio"));
        let f = p.format.ok_or_else(|| {
            Failure::new(
                FailureCode::MediaProcessingFailed,
                "ffprobe found no container",
            )
        })?;
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

/// The ffmpeg arguments that make `output` from `input` (read as
/// `container`, probed as `src`). Subtitle and data streams are dropped.
pub fn plan(
    input: &Path,
    container: Container,
    output: &Path,
    format: Format,
    quality: Quality,
    src: &MediaInfo,
) -> Vec<String> {
    let p = quality.settings();
    let larger = src.width.unwrap_or(0) > p.width || src.height.unwrap_or(0) > p.height;
    let mut a: Vec<String> = [
        "-hide_banner",
        "-loglevel",
        "error",
        "-y",
        "-fflags",
        "+genpts",
    ]
    .map(String::from)
    .into();
    a.extend(container.input_args(input, true));
    a.extend(["-sn".into(), "-dn".into()]);
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
    ) -> Result<MediaInfo, Failure> {
        let Some(container) = Container::of_file(input).await? else {
            return Err(Failure::new(
                FailureCode::UnsupportedMediaFormat,
                "the upload is not a WebM, Matroska or MP4 recording",
            ));
        };
        let src = self.probe(input, container).await?;
        if src.video_codec.is_none() && src.audio_codec.is_none() {
            return Err(Failure::new(
                FailureCode::UnsupportedMediaFormat,
                "the upload holds no audio or video",
            ));
        }
        let args = plan(input, container, output, format, quality, &src);
        tracing::debug!(?args, "ffmpeg");
        self.run(&self.ffmpeg, &args).await?;
        self.probe(output, Container::of(format)).await
    }

    async fn thumbnail(&self, media: &Path, output: &Path) -> Result<(), Failure> {
        // `media` is our own output; still read only as what it must be.
        let container = Container::of_file(media).await?.ok_or_else(|| {
            Failure::new(
                FailureCode::MediaProcessingFailed,
                "the converted file is unreadable",
            )
        })?;
        let info = self.probe(media, container).await?;
        let out = output.display().to_string();
        let mut args: Vec<String> = ["-hide_banner", "-loglevel", "error", "-y"]
            .map(String::from)
            .into();
        if info.video_codec.is_some() {
            let at = (info.duration_ms as f64 / 2000.0).min(1.0);
            args.extend(["-ss".into(), format!("{at:.3}")]);
            args.extend(container.input_args(media, true));
            args.extend(["-frames:v", "1", "-vf", "scale=320:-2"].map(String::from));
        } else {
            // Audio only: a neutral still.
            args.extend(
                [
                    "-f",
                    "lavfi",
                    "-i",
                    "color=c=0x202020:s=320x180",
                    "-frames:v",
                    "1",
                ]
                .map(String::from),
            );
        }
        args.push(out);
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
        let m = Container::Matroska;
        let vp8 = info(Some("vp8"), Some("opus"), 1280, 720);
        assert!(copies(&plan(i, m, o, Format::Webm, Quality::Medium, &vp8)));
        assert!(copies(&plan(i, m, o, Format::Mkv, Quality::High, &vp8)));
        let mp4 = plan(i, m, o, Format::Mp4, Quality::Medium, &vp8);
        assert!(!copies(&mp4), "VP8 cannot go into MP4 unchanged");
        assert!(mp4.iter().any(|a| a == "libx264") && mp4.iter().any(|a| a == "aac"));
        let low = plan(i, m, o, Format::Webm, Quality::Low, &vp8);
        assert!(!copies(&low), "larger than the preset: scaled down");
        assert!(low.iter().any(|a| a.contains("min(854,iw)")));
    }
}
