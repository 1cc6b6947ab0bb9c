//! CPU of live streams and server recordings: `STREAMS` egresses at once,
//! each a grid of `TILES` synthetic 640x360 VP8 cameras plus one Opus
//! voice, encoded at preset `QUALITY` for `SECS` seconds to `OUTPUT`: `flv`
//! (a live stream's FLV, to a file: no receiver), `file` (a server
//! recording's live Matroska, collected in memory), `hls` (segments and
//! a playlist) or `both` (FLV and HLS from one composite). What is measured is the decoders, the composite and the
//! encoder. Prints the CPU time of this process and of every ffmpeg it
//! ran, per egress, as a share of one core, and whether each kept real
//! time (its output's duration).
//!
//! `cargo run --release -p egress --example bench_egress` (env:
//! `STREAMS`=1, `TILES`=4, `QUALITY`=medium, `SECS`=20, `OUTPUT`=flv).

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use egress::{Codec, Egress, EgressConfig, Frame, Layout, Output, Retry, Status};

fn env(k: &str, default: &str) -> String {
    std::env::var(k).unwrap_or_else(|_| default.to_owned())
}

fn ffmpeg(args: &[&str]) {
    let ok = Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-y"])
        .args(args)
        .status()
        .expect("ffmpeg")
        .success();
    assert!(ok, "ffmpeg {args:?}");
}

/// Clock ticks of this process and of its waited-for children
/// (`/proc/self/stat` fields 14 to 17).
fn cpu_ticks() -> u64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    let after = &stat[stat.rfind(')').unwrap() + 2..];
    let f: Vec<u64> = after
        .split_whitespace()
        .map(|v| v.parse().unwrap_or(0))
        .collect();
    // After the command: state is field 3, so utime (14) is index 11.
    f[11] + f[12] + f[13] + f[14]
}

fn ivf(path: &Path) -> Vec<(u64, bool, Vec<u8>)> {
    let b = std::fs::read(path).unwrap();
    let rate = u32::from_le_bytes(b[16..20].try_into().unwrap()) as u64;
    let scale = u32::from_le_bytes(b[20..24].try_into().unwrap()) as u64;
    let (mut out, mut at) = (vec![], 32);
    while at + 12 <= b.len() {
        let n = u32::from_le_bytes(b[at..at + 4].try_into().unwrap()) as usize;
        let pts = u64::from_le_bytes(b[at + 4..at + 12].try_into().unwrap());
        let data = b[at + 12..at + 12 + n].to_vec();
        out.push((pts * 90_000 * scale / rate, data[0] & 1 == 0, data));
        at += 12 + n;
    }
    out
}

#[tokio::main]
async fn main() {
    let streams: usize = env("STREAMS", "1").parse().unwrap();
    let tiles: usize = env("TILES", "4").parse().unwrap();
    let secs: u64 = env("SECS", "20").parse().unwrap();
    let quality = match env("QUALITY", "medium").as_str() {
        "low" => recording::Quality::Low,
        "high" => recording::Quality::High,
        "ultra" => recording::Quality::Ultra,
        _ => recording::Quality::Medium,
    };
    let dir = std::env::temp_dir().join(format!("rtc-bench-egress-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // A moving test pattern, so the encoder has real work.
    let cam = dir.join("cam.ivf");
    let pattern = format!("testsrc2=s=640x360:r=30:d={}", secs + 10);
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        &pattern,
        "-c:v",
        "libvpx",
        "-deadline",
        "realtime",
        "-cpu-used",
        "8",
        "-g",
        "60",
        "-b:v",
        "600k",
        cam.to_str().unwrap(),
    ]);
    let frames = Arc::new(ivf(&cam));
    let ogg = dir.join("voice.ogg");
    let tone = format!("sine=frequency=440:sample_rate=48000:d={}", secs + 10);
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        &tone,
        "-c:a",
        "libopus",
        "-b:a",
        "32k",
        ogg.to_str().unwrap(),
    ]);
    let mut r = ogg::PacketReader::new(std::fs::File::open(&ogg).unwrap());
    let mut voice = vec![];
    while let Ok(Some(p)) = r.read_packet() {
        voice.push(p.data);
    }
    let voice = Arc::new(voice.split_off(2));

    let output_kind = env("OUTPUT", "flv");
    let mut collectors = vec![];
    let before = cpu_ticks();
    let started = Instant::now();
    let mut running = vec![];
    for s in 0..streams {
        let (tx, mut status) = tokio::sync::mpsc::unbounded_channel();
        let (out, output) = match output_kind.as_str() {
            // ffmpeg writes FLV to a file path as to an RTMP URL.
            "flv" => {
                let out = dir.join(format!("out{s}.flv"));
                (out.clone(), vec![Output::Rtmp(out.display().to_string())])
            }
            "both" => {
                let out = dir.join(format!("out{s}.flv"));
                let hls = dir.join(format!("hls{s}"));
                std::fs::create_dir_all(&hls).unwrap();
                let flv = Output::Rtmp(out.display().to_string());
                (out, vec![flv, Output::Hls(hls)])
            }
            "hls" => {
                let hls = dir.join(format!("hls{s}"));
                std::fs::create_dir_all(&hls).unwrap();
                (hls.join(egress::HLS_PLAYLIST), vec![Output::Hls(hls)])
            }
            "file" => {
                let out = dir.join(format!("out{s}.mkv"));
                let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<u8>>(64);
                let path = out.clone();
                collectors.push(tokio::spawn(async move {
                    let mut all = vec![];
                    while let Some(p) = rx.recv().await {
                        all.extend(p);
                    }
                    std::fs::write(&path, all).unwrap();
                }));
                (out, vec![Output::File(tx)])
            }
            other => panic!("OUTPUT={other}: flv, file, hls or both"),
        };
        let e = Arc::new(Egress::start(
            EgressConfig {
                ffmpeg: "ffmpeg".into(),
                layout: Layout::Grid,
                preset: quality.settings(),
                outputs: output,
                scratch: dir.clone(),
                max_duration: Duration::from_secs(3600),
                retry: Retry::default(),
            },
            tx,
        ));
        let done = Arc::new(AtomicBool::new(false));
        let (f, v, d, e2) = (frames.clone(), voice.clone(), done.clone(), e.clone());
        let feeder = tokio::spawn(async move {
            let start = tokio::time::Instant::now();
            let mut next = vec![0usize; tiles + 1];
            while !d.load(Ordering::Relaxed) {
                let t90 = start.elapsed().as_micros() as u64 * 9 / 100;
                for (i, n) in next.iter_mut().enumerate().take(tiles) {
                    while *n < f.len() && f[*n].0 <= t90 {
                        let (ts, key, data) = &f[*n];
                        e2.push(Frame {
                            track: format!("cam{i}"),
                            user: format!("u{i}"),
                            screen: false,
                            codec: Codec::Vp8,
                            rtp_time: *ts,
                            keyframe: *key,
                            data: data.clone(),
                        });
                        *n += 1;
                    }
                }
                let a = &mut next[tiles];
                while *a < v.len() && *a as u64 * 1_800 <= t90 {
                    e2.push(Frame {
                        track: "mic".into(),
                        user: "u0".into(),
                        screen: false,
                        codec: Codec::Opus,
                        rtp_time: *a as u64 * 960,
                        keyframe: true,
                        data: v[*a].clone(),
                    });
                    *a += 1;
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        });
        tokio::spawn(
            async move { while status.recv().await.is_some_and(|s| s != Status::Stopped) {} },
        );
        running.push((e, done, feeder, out));
    }
    tokio::time::sleep(Duration::from_secs(secs)).await;
    let mut outs = vec![];
    for (e, done, feeder, out) in running {
        done.store(true, Ordering::Relaxed);
        feeder.await.unwrap();
        Arc::into_inner(e).unwrap().stop().await;
        outs.push(out);
    }
    let wall = started.elapsed().as_secs_f64();
    // Killed decoders are reaped in the background: give it a moment.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let ticks = (cpu_ticks() - before) as f64 / 100.0;
    for c in collectors {
        c.await.unwrap();
    }
    for out in outs {
        // A live Matroska file tells no duration: a copy does.
        let out = if out.extension().is_some_and(|e| e == "mkv") {
            let copy = out.with_extension("copy.mkv");
            ffmpeg(&[
                "-i",
                out.to_str().unwrap(),
                "-c",
                "copy",
                copy.to_str().unwrap(),
            ]);
            copy
        } else {
            out
        };
        let probe = Command::new("ffprobe")
            .args([
                "-v",
                "error",
                "-show_entries",
                "format=duration",
                "-of",
                "csv=p=0",
            ])
            .arg(&out)
            .output()
            .unwrap();
        println!(
            "{}: {} s of media",
            out.display(),
            String::from_utf8_lossy(&probe.stdout).trim()
        );
    }
    let p = quality.settings();
    println!(
        "{streams} {output_kind} egress(es) x {tiles} tiles at {}x{}@{}: {:.1} CPU-s in {:.1} s = {:.2} cores in all, {:.2} per egress",
        p.width,
        p.height,
        p.fps,
        ticks,
        wall,
        ticks / wall,
        ticks / wall / streams as f64
    );
    let _ = std::fs::remove_dir_all(&dir);
}
