//! Uploaded "chunks" that try to make ffmpeg read local files, against the
//! real ffmpeg (tests/services.sh installs it). The secret is a Matroska
//! file (like another room's recording) carrying a unique marker in its
//! title and in a subtitle; an unprotected ffmpeg copies both into the
//! output.

use std::path::{Path, PathBuf};
use std::process::Command;

use media_ffmpeg::{Container, Ffmpeg};
use recording::pipeline::{Transcoder, extension};
use recording::{FailureCode, Format, Quality};

struct Dir(PathBuf);

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn scratch(name: &str) -> (Dir, String) {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let marker = format!("SECRET-{}-{nanos}", std::process::id());
    let dir = std::env::temp_dir().join(format!("media-hostile-{name}-{nanos}"));
    std::fs::create_dir_all(&dir).unwrap();
    (Dir(dir), marker)
}

fn ffmpeg(args: &[&str]) {
    let st = Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-y"])
        .args(args)
        .status()
        .expect("ffmpeg must be installed (tests/services.sh installs it)");
    assert!(st.success(), "ffmpeg {args:?}");
}

/// A 2 s VP8 + Opus Matroska file whose title and subtitle hold `marker`.
fn secret(dir: &Path, marker: &str) -> PathBuf {
    let srt = dir.join("s.srt");
    std::fs::write(
        &srt,
        format!("1\n00:00:00,000 --> 00:00:02,000\n{marker}\n"),
    )
    .unwrap();
    let out = dir.join("secret.mkv");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "testsrc=size=320x240:rate=10:duration=2",
        "-f",
        "lavfi",
        "-i",
        "sine=duration=2",
        "-i",
        srt.to_str().unwrap(),
        "-map",
        "0",
        "-map",
        "1",
        "-map",
        "2",
        "-c:v",
        "libvpx",
        "-c:a",
        "libopus",
        "-c:s",
        "srt",
        "-metadata",
        &format!("title={marker}"),
        out.to_str().unwrap(),
    ]);
    out
}

fn playlist(target: &Path) -> String {
    format!(
        "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:10\n#EXTINF:2,\nfile://{}\n#EXT-X-ENDLIST\n",
        target.display()
    )
}

/// Every file under `dir` except the secret's own sources, and `text`,
/// hold no `marker`.
fn assert_no_leak(dir: &Path, marker: &str, text: &str) {
    assert!(!text.contains(marker), "leaked into the message: {text}");
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        if name == "secret.mkv" || name == "s.srt" {
            continue;
        }
        let bytes = std::fs::read(&p).unwrap();
        assert!(
            !bytes.windows(marker.len()).any(|w| w == marker.as_bytes()),
            "{name} holds the secret"
        );
    }
}

#[tokio::test]
async fn a_playlist_pointing_at_a_local_file_fails_and_leaks_nothing() {
    let (dir, marker) = scratch("hls");
    let target = secret(&dir.0, &marker);
    let src = dir.0.join("host.src");
    std::fs::write(&src, playlist(&target)).unwrap();
    for format in [Format::Mkv, Format::Webm, Format::Mp4] {
        let out = dir.0.join(format!("host.{}", extension(format)));
        let e = Ffmpeg::default()
            .transcode(&src, &out, format, Quality::High)
            .await
            .expect_err("a playlist is no recording");
        assert_eq!(e.code, FailureCode::UnsupportedMediaFormat, "{e}");
        assert!(!out.exists(), "nothing was written");
        assert_no_leak(&dir.0, &marker, &e.to_string());
    }
}

#[tokio::test]
async fn a_playlist_behind_a_matroska_header_is_still_not_a_playlist() {
    let (dir, marker) = scratch("ebml");
    let target = secret(&dir.0, &marker);
    let src = dir.0.join("host.src");
    let mut bytes = vec![0x1A, 0x45, 0xDF, 0xA3];
    bytes.extend(playlist(&target).into_bytes());
    std::fs::write(&src, bytes).unwrap();
    let out = dir.0.join("host.mkv");
    let e = Ffmpeg::default()
        .transcode(&src, &out, Format::Mkv, Quality::High)
        .await
        .expect_err("read as Matroska, it is broken");
    assert_eq!(e.code, FailureCode::MediaProcessingFailed, "{e}");
    assert!(
        !e.message.contains(&*dir.0.to_string_lossy()),
        "no server paths: {e}"
    );
    assert_no_leak(&dir.0, &marker, &e.to_string());
}

#[tokio::test]
async fn a_concat_list_is_refused() {
    let (dir, marker) = scratch("concat");
    let target = secret(&dir.0, &marker);
    let src = dir.0.join("host.src");
    std::fs::write(
        &src,
        format!("ffconcat version 1.0\nfile '{}'\n", target.display()),
    )
    .unwrap();
    let e = Ffmpeg::default()
        .transcode(&src, &dir.0.join("host.mkv"), Format::Mkv, Quality::High)
        .await
        .expect_err("refused");
    assert_eq!(e.code, FailureCode::UnsupportedMediaFormat);
    assert_no_leak(&dir.0, &marker, &e.to_string());
}

#[tokio::test]
async fn webm_and_fragmented_mp4_recordings_still_convert() {
    let (dir, _) = scratch("ok");
    let webm = dir.0.join("chrome.src");
    let mp4 = dir.0.join("safari.src");
    let lavfi = [
        "-f",
        "lavfi",
        "-i",
        "testsrc=size=320x240:rate=15:duration=1",
        "-f",
        "lavfi",
        "-i",
        "sine=duration=1",
    ];
    let webm_s = webm.to_str().unwrap().to_owned();
    let mp4_s = mp4.to_str().unwrap().to_owned();
    let mut a: Vec<&str> = lavfi.to_vec();
    a.extend(["-c:v", "libvpx", "-c:a", "libopus", "-f", "webm", &webm_s]);
    ffmpeg(&a);
    // What Safari's MediaRecorder makes: fragmented MP4, H.264 + AAC.
    let mut a: Vec<&str> = lavfi.to_vec();
    a.extend([
        "-c:v",
        "libx264",
        "-pix_fmt",
        "yuv420p",
        "-c:a",
        "aac",
        "-movflags",
        "frag_keyframe+empty_moov",
        "-f",
        "mp4",
        &mp4_s,
    ]);
    ffmpeg(&a);
    let f = Ffmpeg::default();
    for (src, container, format, video) in [
        (&webm, Container::Matroska, Format::Mkv, "vp8"),
        (&mp4, Container::Mp4, Format::Webm, "vp8"),
        (&mp4, Container::Mp4, Format::Mp4, "h264"),
    ] {
        assert_eq!(Container::of_file(src).await.unwrap(), Some(container));
        let out = dir.0.join(format!("out.{}", extension(format)));
        let info = f
            .transcode(src, &out, format, Quality::Low)
            .await
            .unwrap_or_else(|e| panic!("{src:?} to {format:?}: {e}"));
        assert_eq!(info.video_codec.as_deref(), Some(video));
        assert!(
            info.audio_codec.is_some() && info.duration_ms > 500,
            "{info:?}"
        );
        let thumb = dir.0.join("t.jpg");
        f.thumbnail(&out, &thumb).await.unwrap();
        assert!(std::fs::metadata(&thumb).unwrap().len() > 0);
    }
}
