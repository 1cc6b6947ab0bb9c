//! The ffmpeg command lines: one decoder per track (its container on
//! standard input, raw pictures or samples on standard output) and the
//! encoder (raw composite pictures on standard input, the mix through a
//! FIFO, progress and errors on standard error; H.264 and AAC in FLV to
//! the RTMP destination, in HLS segments and a playlist in a directory, or
//! in live Matroska on standard output).

use std::path::Path;

use recording::PresetSettings;

use crate::Codec;

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|a| (*a).to_owned()).collect()
}

/// A decoder of `codec` giving `w` × `h` I420 pictures (letterboxed) or,
/// for audio, 48 kHz mono s16 samples.
pub fn decoder_args(codec: Codec, w: u32, h: u32) -> Vec<String> {
    let mut a = s(&[
        "-hide_banner",
        "-loglevel",
        "error",
        "-nostdin",
        // Not `-fflags nobuffer`: it drops the packets read while the
        // input is opened, the track's first keyframe among them, and a
        // browser sends the next only when asked.
        "-flags",
        "low_delay",
        "-probesize",
        "32",
        "-analyzeduration",
        "0",
        "-f",
    ]);
    a.push(
        match codec {
            Codec::Vp8 | Codec::Vp9 => "ivf",
            Codec::H264 => "h264",
            Codec::Opus => "ogg",
        }
        .into(),
    );
    a.extend(s(&["-i", "pipe:0"]));
    if codec == Codec::Opus {
        a.extend(s(&["-f", "s16le", "-ac", "1", "-ar", "48000"]));
    } else {
        a.extend(s(&["-vf"]));
        a.push(format!(
            "scale={w}:{h}:force_original_aspect_ratio=decrease,pad={w}:{h}:(ow-iw)/2:(oh-ih)/2:color=black,format=yuv420p"
        ));
        a.extend(s(&[
            "-fps_mode",
            "passthrough",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "yuv420p",
        ]));
    }
    a.extend(s(&["-flush_packets", "1", "pipe:1"]));
    a
}

/// Where the encoder writes.
pub enum Target<'a> {
    /// FLV to this RTMP(S) URL; input timestamps are the wall clock, so a
    /// stall shows as a stall.
    Rtmp(&'a str),
    /// HLS in this directory: `index.m3u8` and two-second segments
    /// `seg_NNNNN.ts`, the playlist holding the last six; wall-clock
    /// timestamps, as for RTMP.
    Hls(&'a Path),
    /// Live Matroska (written front to back, never sought) on standard
    /// output; input timestamps count the pictures and samples given, so
    /// what was never given (a pause) leaves no gap.
    Matroska,
}

/// The playlist's name in an HLS directory.
pub const HLS_PLAYLIST: &str = "index.m3u8";

/// Segments the playlist lists (older ones are deleted).
pub const HLS_LIST: u32 = 6;

/// The encoder of preset `p`: pictures on standard input, samples from
/// `audio` (a FIFO), progress and errors on standard error, to `target`.
pub fn encoder_args(p: &PresetSettings, audio: &Path, target: Target<'_>) -> Vec<String> {
    let (w, h, fps) = (p.width, p.height, p.fps);
    let wallclock: &[&str] = match target {
        Target::Rtmp(_) | Target::Hls(_) => &["-use_wallclock_as_timestamps", "1"],
        Target::Matroska => &[],
    };
    let mut a = s(&[
        "-hide_banner",
        "-loglevel",
        "error",
        "-nostats",
        "-progress",
        "pipe:2",
    ]);
    a.extend(s(wallclock));
    a.extend(s(&["-f", "rawvideo", "-pix_fmt", "yuv420p", "-s"]));
    a.push(format!("{w}x{h}"));
    a.extend(s(&["-framerate"]));
    a.push(fps.to_string());
    a.extend(s(&["-i", "pipe:0"]));
    a.extend(s(wallclock));
    a.extend(s(&["-f", "s16le", "-ar", "48000", "-ac", "1", "-i"]));
    a.push(audio.display().to_string());
    a.extend(s(&[
        "-map",
        "0:v",
        "-map",
        "1:a",
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
        "-tune",
        "zerolatency",
        "-pix_fmt",
        "yuv420p",
        "-fps_mode",
        "cfr",
        "-r",
    ]));
    a.push(fps.to_string());
    // A keyframe every two seconds: what streaming platforms ask for.
    a.extend(s(&["-g"]));
    a.push((2 * fps).to_string());
    a.extend(s(&["-sc_threshold", "0", "-b:v"]));
    a.push(p.video_bps.to_string());
    a.extend(s(&["-maxrate"]));
    a.push(p.video_bps.to_string());
    a.extend(s(&["-bufsize"]));
    a.push((2 * p.video_bps).to_string());
    a.extend(s(&["-af", "aresample=async=1000", "-c:a", "aac", "-b:a"]));
    a.push(p.audio_bps.to_string());
    a.extend(s(&["-ar", "48000", "-ac", "2"]));
    match target {
        Target::Rtmp(destination) => {
            a.extend(s(&["-f", "flv", "-flvflags", "no_duration_filesize"]));
            a.push(destination.to_owned());
        }
        Target::Hls(dir) => {
            a.extend(s(&["-f", "hls", "-hls_time", "2", "-hls_list_size"]));
            a.push(HLS_LIST.to_string());
            a.extend(s(&[
                "-hls_flags",
                "delete_segments+independent_segments",
                "-hls_segment_filename",
            ]));
            a.push(dir.join("seg_%05d.ts").display().to_string());
            a.push(dir.join(HLS_PLAYLIST).display().to_string());
        }
        Target::Matroska => a.extend(s(&["-f", "matroska", "-live", "1", "pipe:1"])),
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_lines_name_their_formats_and_the_preset() {
        let v = decoder_args(Codec::Vp8, 640, 360).join(" ");
        assert!(
            v.contains("-f ivf -i pipe:0") && v.contains("scale=640:360"),
            "{v}"
        );
        assert!(!v.contains("nobuffer"), "the first keyframe is kept: {v}");
        let a = decoder_args(Codec::Opus, 0, 0).join(" ");
        assert!(
            a.contains("-f ogg -i pipe:0") && a.contains("-f s16le -ac 1 -ar 48000"),
            "{a}"
        );
        let p = recording::Quality::Medium.settings();
        let e = encoder_args(
            &p,
            Path::new("/tmp/a.pcm"),
            Target::Rtmp("rtmp://h/live/key"),
        )
        .join(" ");
        for part in [
            "-s 1280x720",
            "-framerate 30",
            "-i /tmp/a.pcm",
            "libx264",
            "-g 60",
            "-b:v 2500000",
            "-b:a 128000",
            "-f flv",
            "rtmp://h/live/key",
        ] {
            assert!(e.contains(part), "{part} in {e}");
        }
        assert!(e.contains("-use_wallclock_as_timestamps 1"), "{e}");
        let m = encoder_args(&p, Path::new("/tmp/a.pcm"), Target::Matroska).join(" ");
        assert!(m.ends_with("-f matroska -live 1 pipe:1"), "{m}");
        let h = encoder_args(
            &p,
            Path::new("/tmp/a.pcm"),
            Target::Hls(Path::new("/tmp/h")),
        )
        .join(" ");
        assert!(
            h.contains("-f hls -hls_time 2 -hls_list_size 6")
                && h.ends_with("/tmp/h/seg_%05d.ts /tmp/h/index.m3u8"),
            "{h}"
        );
        assert!(
            !m.contains("wallclock"),
            "a recording's time counts what it was given: {m}"
        );
    }
}
