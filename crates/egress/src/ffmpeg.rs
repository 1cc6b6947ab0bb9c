//! The ffmpeg command lines: one decoder per track (its container on
//! standard input, raw pictures or samples on standard output) and the
//! encoder (raw composite pictures on standard input, the mix through a
//! FIFO, H.264 and AAC in FLV to the RTMP destination).

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
        "-fflags",
        "nobuffer",
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

/// The encoder of preset `p`: pictures on standard input, samples from
/// `audio` (a FIFO), progress on standard output, to `destination`.
pub fn encoder_args(p: &PresetSettings, audio: &Path, destination: &str) -> Vec<String> {
    let (w, h, fps) = (p.width, p.height, p.fps);
    let mut a = s(&[
        "-hide_banner",
        "-loglevel",
        "error",
        "-nostats",
        "-progress",
        "pipe:1",
        "-use_wallclock_as_timestamps",
        "1",
        "-f",
        "rawvideo",
        "-pix_fmt",
        "yuv420p",
        "-s",
    ]);
    a.push(format!("{w}x{h}"));
    a.extend(s(&["-framerate"]));
    a.push(fps.to_string());
    a.extend(s(&["-i", "pipe:0", "-use_wallclock_as_timestamps", "1"]));
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
    a.extend(s(&[
        "-ar",
        "48000",
        "-ac",
        "2",
        "-f",
        "flv",
        "-flvflags",
        "no_duration_filesize",
    ]));
    a.push(destination.to_owned());
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
        let a = decoder_args(Codec::Opus, 0, 0).join(" ");
        assert!(
            a.contains("-f ogg -i pipe:0") && a.contains("-f s16le -ac 1 -ar 48000"),
            "{a}"
        );
        let p = recording::Quality::Medium.settings();
        let e = encoder_args(&p, Path::new("/tmp/a.pcm"), "rtmp://h/live/key").join(" ");
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
    }
}
