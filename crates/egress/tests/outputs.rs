//! Against real ffmpeg and a real RTMP receiver (ffmpeg listening): three
//! synthetic participants (a red, a green and a blue camera in VP8, a
//! voice in Opus) are streamed; the receiver's file is H.264 and AAC of
//! the preset's size, as long as the stream ran, with three tiles of the
//! right colours and the fourth black; the receiver stopped mid-stream and
//! started again gets the stream back by itself. Recorded to a file
//! instead, the same room gives one Matroska file whose timeline leaves
//! out a pause; to HLS, a playlist whose segments decode to the grid.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use egress::{Codec, Egress, EgressConfig, Frame, Layout, Output, Retry, Status};
use tokio::sync::mpsc;

fn dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("rtc-egress-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn ffmpeg(args: &[&str]) {
    let out = Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-y"])
        .args(args)
        .output()
        .expect("ffmpeg (tests/services.sh installs it)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The frames of an IVF file with their 90 kHz times and keyframe flags.
fn ivf(path: &Path) -> Vec<(u64, bool, Vec<u8>)> {
    let b = std::fs::read(path).unwrap();
    let rate = u32::from_le_bytes(b[16..20].try_into().unwrap()) as u64;
    let scale = u32::from_le_bytes(b[20..24].try_into().unwrap()) as u64;
    let mut out = vec![];
    let mut at = 32;
    while at + 12 <= b.len() {
        let n = u32::from_le_bytes(b[at..at + 4].try_into().unwrap()) as usize;
        let pts = u64::from_le_bytes(b[at + 4..at + 12].try_into().unwrap());
        let data = b[at + 12..at + 12 + n].to_vec();
        out.push((pts * 90_000 * scale / rate, data[0] & 1 == 0, data));
        at += 12 + n;
    }
    out
}

/// The Opus packets of an Ogg file (20 ms each).
fn opus(path: &Path) -> Vec<Vec<u8>> {
    let f = std::fs::File::open(path).unwrap();
    let mut r = ogg::PacketReader::new(f);
    let mut out = vec![];
    while let Ok(Some(p)) = r.read_packet() {
        out.push(p.data);
    }
    out.split_off(2)
}

/// Feeds the three cameras and the voice in real time until `done`.
async fn feed(
    e: Arc<Egress>,
    cams: Vec<Vec<(u64, bool, Vec<u8>)>>,
    voice: Vec<Vec<u8>>,
    done: Arc<AtomicBool>,
) {
    let start = tokio::time::Instant::now();
    let mut next = [0usize; 4];
    while !done.load(Ordering::Relaxed) {
        let t90 = start.elapsed().as_micros() as u64 * 9 / 100;
        for (i, cam) in cams.iter().enumerate() {
            while next[i] < cam.len() && cam[next[i]].0 <= t90 {
                let (ts, key, data) = &cam[next[i]];
                e.push(Frame {
                    track: format!("cam{i}"),
                    user: format!("user{i}"),
                    screen: false,
                    codec: Codec::Vp8,
                    rtp_time: 1_000 + ts,
                    keyframe: *key,
                    data: data.clone(),
                });
                next[i] += 1;
            }
        }
        while next[3] < voice.len() && next[3] as u64 * 1_800 <= t90 {
            e.push(Frame {
                track: "mic0".into(),
                user: "user0".into(),
                screen: false,
                codec: Codec::Opus,
                rtp_time: next[3] as u64 * 960,
                keyframe: true,
                data: voice[next[3]].clone(),
            });
            next[3] += 1;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn receiver(port: u16, out: &Path) -> std::process::Child {
    Command::new("ffmpeg")
        .args([
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            "-listen",
            "1",
            "-i",
        ])
        .arg(format!("rtmp://127.0.0.1:{port}/live/sk-test-key"))
        .args(["-c", "copy", "-f", "flv"])
        .arg(out)
        .stdin(Stdio::null())
        .spawn()
        .unwrap()
}

fn interrupt(c: &std::process::Child) {
    Command::new("kill")
        .args(["-INT", &c.id().to_string()])
        .status()
        .unwrap();
}

async fn next_status(rx: &mut mpsc::UnboundedReceiver<Status>, secs: u64) -> Status {
    tokio::time::timeout(Duration::from_secs(secs), rx.recv())
        .await
        .unwrap_or_else(|_| panic!("no status within {secs} s"))
        .expect("egress running")
}

/// `(codec, width, height)` of each stream and the duration of `path`.
fn probe(path: &Path) -> (Vec<(String, u64, u64)>, f64) {
    let out = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-show_entries",
            "stream=codec_name,width,height:format=duration",
            "-of",
            "json",
        ])
        .arg(path)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let streams = v["streams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["codec_name"].as_str().unwrap_or_default().to_owned(),
                s["width"].as_u64().unwrap_or(0),
                s["height"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    let duration = v["format"]["duration"]
        .as_str()
        .unwrap_or("0")
        .parse()
        .unwrap_or(0.0);
    (streams, duration)
}

/// The RGB of pixel (x, y) of the picture at `at` seconds.
fn rgb_at(path: &Path, at: f64, points: &[(u32, u32)]) -> Vec<(u8, u8, u8)> {
    let out = Command::new("ffmpeg")
        .args([
            "-hide_banner",
            "-loglevel",
            "error",
            "-ss",
            &at.to_string(),
            "-i",
        ])
        .arg(path)
        .args([
            "-frames:v",
            "1",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "rgb24",
            "pipe:1",
        ])
        .output()
        .unwrap();
    points
        .iter()
        .map(|(x, y)| {
            let i = ((y * 1280 + x) * 3) as usize;
            (out.stdout[i], out.stdout[i + 1], out.stdout[i + 2])
        })
        .collect()
}

type Cameras = Vec<Vec<(u64, bool, Vec<u8>)>>;

/// A red, a green and a blue camera (VP8, 30 s) and a voice (Opus).
fn room(d: &Path) -> (Cameras, Vec<Vec<u8>>) {
    let mut cams = vec![];
    for colour in ["red", "green", "blue"] {
        let f = d.join(format!("{colour}.ivf"));
        ffmpeg(&[
            "-f",
            "lavfi",
            "-i",
            &format!("color=c={colour}:s=640x360:r=30"),
            "-t",
            "30",
            "-c:v",
            "libvpx",
            "-deadline",
            "realtime",
            "-cpu-used",
            "8",
            // One keyframe, at the start, as a browser sends until asked
            // for another: the decoder must not lose it.
            "-g",
            "100000",
            "-b:v",
            "200k",
            f.to_str().unwrap(),
        ]);
        cams.push(ivf(&f));
    }
    let ogg = d.join("voice.ogg");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=440:sample_rate=48000",
        "-t",
        "30",
        "-c:a",
        "libopus",
        "-b:a",
        "32k",
        "-frame_duration",
        "20",
        ogg.to_str().unwrap(),
    ]);
    let voice = opus(&ogg);
    (cams, voice)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_grid_of_three_reaches_an_rtmp_receiver_and_survives_its_restart() {
    let d = dir();
    let (cams, voice) = room(&d);

    let port = free_port();
    let (out1, out2) = (d.join("first.flv"), d.join("second.flv"));
    let mut rx1 = receiver(port, &out1);
    let (tx, mut status) = mpsc::unbounded_channel();
    let cfg = EgressConfig {
        ffmpeg: "ffmpeg".into(),
        layout: Layout::Grid,
        preset: recording::Quality::Medium.settings(),
        outputs: vec![Output::Rtmp(format!(
            "rtmp://127.0.0.1:{port}/live/sk-test-key"
        ))],
        scratch: d.clone(),
        max_duration: Duration::from_secs(120),
        retry: Retry {
            first: Duration::from_millis(500),
            max: Duration::from_secs(2),
            attempts: 20,
            hang: Duration::from_secs(15),
        },
    };
    let e = Arc::new(Egress::start(cfg, tx));
    let done = Arc::new(AtomicBool::new(false));
    let feeder = tokio::spawn(feed(e.clone(), cams, voice, done.clone()));
    assert_eq!(next_status(&mut status, 5).await, Status::Starting);
    // The receiver may still be starting: the first tries can fail.
    loop {
        match next_status(&mut status, 20).await {
            Status::Live => break,
            Status::Reconnecting { .. } => continue,
            other => panic!("{other:?}"),
        }
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    interrupt(&rx1);
    rx1.wait().unwrap();
    match next_status(&mut status, 15).await {
        Status::Reconnecting { attempt: 1, reason } => {
            assert!(!reason.contains("sk-test-key"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
    let mut rx2 = receiver(port, &out2);
    loop {
        match next_status(&mut status, 20).await {
            Status::Live => break,
            Status::Reconnecting { .. } => continue,
            other => panic!("{other:?}"),
        }
    }
    let live = Instant::now();
    tokio::time::sleep(Duration::from_secs(5)).await;
    done.store(true, Ordering::Relaxed);
    feeder.await.unwrap();
    let e = Arc::into_inner(e).expect("the feeder let go");
    e.stop().await;
    let ran = live.elapsed().as_secs_f64();
    assert_eq!(next_status(&mut status, 5).await, Status::Stopped);
    let waited = tokio::task::spawn_blocking(move || rx2.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(waited.success(), "the receiver saw a proper end");

    let (streams, duration) = probe(&out2);
    assert!(streams.contains(&("h264".into(), 1280, 720)), "{streams:?}");
    assert!(streams.iter().any(|s| s.0 == "aac"), "{streams:?}");
    assert!(
        (duration - ran).abs() <= 1.0,
        "{duration} s in the file, {ran} s live"
    );
    let (first, first_duration) = probe(&out1);
    assert!(
        first.contains(&("h264".into(), 1280, 720)) && first_duration >= 2.0,
        "{first:?} {first_duration}"
    );

    let px = rgb_at(
        &out2,
        2.0,
        &[(320, 180), (960, 180), (320, 540), (960, 540)],
    );
    eprintln!(
        "{duration:.2} s in the file, {ran:.2} s live; first file {first_duration:.2} s; tile centres {px:?}"
    );
    let [red, green, blue, empty] = [px[0], px[1], px[2], px[3]];
    assert!(red.0 > 200 && red.1 < 60 && red.2 < 60, "red tile {red:?}");
    assert!(
        green.1 > 90 && green.0 < 60 && green.2 < 60,
        "green tile {green:?}"
    );
    assert!(
        blue.2 > 200 && blue.0 < 60 && blue.1 < 60,
        "blue tile {blue:?}"
    );
    assert!(
        empty.0 < 30 && empty.1 < 30 && empty.2 < 30,
        "the fourth tile is black {empty:?}"
    );
    let _ = std::fs::remove_dir_all(&d);
}

/// An encoder that hangs (here a program that never says anything) is
/// killed after `hang` and reported; after `attempts` such tries the
/// stream fails, and the egress ends by itself.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hung_encoder_is_killed_and_reported_and_the_stream_fails() {
    let d = dir().join("hang");
    std::fs::create_dir_all(&d).unwrap();
    let fake = d.join("ffmpeg");
    std::fs::write(&fake, "#!/bin/sh\nexec sleep 600\n").unwrap();
    Command::new("chmod").arg("+x").arg(&fake).status().unwrap();
    let (tx, mut status) = mpsc::unbounded_channel();
    let cfg = EgressConfig {
        ffmpeg: fake,
        layout: Layout::Grid,
        preset: recording::Quality::Low.settings(),
        outputs: vec![Output::Rtmp("rtmp://127.0.0.1:9/live/sk-hang".into())],
        scratch: d.clone(),
        max_duration: Duration::from_secs(120),
        retry: Retry {
            first: Duration::from_millis(100),
            max: Duration::from_millis(100),
            attempts: 2,
            hang: Duration::from_secs(1),
        },
    };
    let started = Instant::now();
    let e = Egress::start(cfg, tx);
    assert_eq!(next_status(&mut status, 5).await, Status::Starting);
    for attempt in 1..=2 {
        match next_status(&mut status, 5).await {
            Status::Reconnecting { attempt: a, reason } => {
                assert_eq!(a, attempt);
                assert!(reason.contains("no progress for 1 s"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
    }
    match next_status(&mut status, 5).await {
        Status::Failed { reason } => assert!(reason.contains("no progress"), "{reason}"),
        other => panic!("{other:?}"),
    }
    assert!(started.elapsed() < Duration::from_secs(10));
    for _ in 0..50 {
        if e.is_finished() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(e.is_finished(), "a failed egress ends by itself");
}

/// Recorded to a file: a few seconds, a 3 s pause, 3 s more. The pieces
/// make one Matroska file of H.264 and AAC at the preset's size, as long
/// as the time recorded (within 1 s: the pause is left out), with the
/// three tiles; the pieces end (the channel closes) once the file is
/// complete.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recording_is_one_file_of_the_grid_without_its_pause() {
    let d = dir().join("file");
    std::fs::create_dir_all(&d).unwrap();
    let (cams, voice) = room(&d);
    let t0 = Instant::now();
    let (pieces, mut pieces_rx) = mpsc::channel::<Vec<u8>>(64);
    let collector = tokio::spawn(async move {
        let mut file = vec![];
        let mut n = 0;
        while let Some(p) = pieces_rx.recv().await {
            file.extend_from_slice(&p);
            n += 1;
        }
        (file, n)
    });
    let (tx, mut status) = mpsc::unbounded_channel();
    let cfg = EgressConfig {
        ffmpeg: "ffmpeg".into(),
        layout: Layout::Grid,
        preset: recording::Quality::Medium.settings(),
        outputs: vec![Output::File(pieces)],
        scratch: d.clone(),
        max_duration: Duration::from_secs(120),
        retry: Retry::default(),
    };
    let started = Instant::now();
    let e = Arc::new(Egress::start(cfg, tx));
    let done = Arc::new(AtomicBool::new(false));
    let feeder = tokio::spawn(feed(e.clone(), cams, voice, done.clone()));
    assert_eq!(next_status(&mut status, 5).await, Status::Starting);
    assert_eq!(next_status(&mut status, 20).await, Status::Live);
    tokio::time::sleep(Duration::from_secs(3)).await;
    e.pause();
    let paused = Instant::now();
    tokio::time::sleep(Duration::from_secs(3)).await;
    e.resume();
    let pause = paused.elapsed().as_secs_f64();
    tokio::time::sleep(Duration::from_secs(3)).await;
    done.store(true, Ordering::Relaxed);
    feeder.await.unwrap();
    let e = Arc::into_inner(e).expect("the feeder let go");
    let ran = started.elapsed().as_secs_f64();
    e.stop().await;
    assert_eq!(next_status(&mut status, 5).await, Status::Stopped);
    let (file, n) = tokio::time::timeout(Duration::from_secs(10), collector)
        .await
        .expect("the pieces end with the file")
        .unwrap();
    let live = d.join("live.mkv");
    std::fs::write(&live, &file).unwrap();
    assert_eq!(&file[..4], &[0x1A, 0x45, 0xDF, 0xA3], "Matroska");
    // Live Matroska has no duration in its header: a copy gets one.
    let path = d.join("recording.mkv");
    ffmpeg(&[
        "-i",
        live.to_str().unwrap(),
        "-c",
        "copy",
        path.to_str().unwrap(),
    ]);
    let (streams, duration) = probe(&path);
    eprintln!(
        "{n} pieces, {} bytes, {duration:.2} s; ran {:.1} s",
        file.len(),
        t0.elapsed().as_secs_f64()
    );
    assert!(streams.contains(&("h264".into(), 1280, 720)), "{streams:?}");
    assert!(streams.iter().any(|s| s.0 == "aac"), "{streams:?}");
    let recorded = ran - pause;
    assert!(
        (duration - recorded).abs() <= 1.0,
        "{recorded:.2} s recorded around a {pause:.2} s pause: {duration} s in the file"
    );
    let px = rgb_at(&path, 4.5, &[(320, 180), (960, 180), (320, 540)]);
    let [red, green, blue] = [px[0], px[1], px[2]];
    assert!(red.0 > 200 && red.1 < 60 && red.2 < 60, "red tile {red:?}");
    assert!(green.1 > 90 && green.0 < 60, "green tile {green:?}");
    assert!(blue.2 > 200 && blue.0 < 60, "blue tile {blue:?}");
    let _ = std::fs::remove_dir_all(&d);
}

/// To HLS and FLV at once (one composite, two encoders): a playlist of
/// two-second segments, ended when the stream stops; read through the
/// playlist, H.264 and AAC at the preset's size, as long as the stream
/// ran, with the three tiles; and the FLV as long too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hls_and_flv_come_from_one_composite() {
    let d = dir().join("hls");
    let out = d.join("out");
    std::fs::create_dir_all(&out).unwrap();
    let (cams, voice) = room(&d);
    let (tx, mut status) = mpsc::unbounded_channel();
    let cfg = EgressConfig {
        ffmpeg: "ffmpeg".into(),
        layout: Layout::Grid,
        preset: recording::Quality::Medium.settings(),
        // ffmpeg writes FLV to a file path as to an RTMP URL.
        outputs: vec![
            Output::Hls(out.clone()),
            Output::Rtmp(d.join("also.flv").display().to_string()),
        ],
        scratch: d.clone(),
        max_duration: Duration::from_secs(120),
        retry: Retry::default(),
    };
    let e = Arc::new(Egress::start(cfg, tx));
    let done = Arc::new(AtomicBool::new(false));
    let feeder = tokio::spawn(feed(e.clone(), cams, voice, done.clone()));
    assert_eq!(next_status(&mut status, 5).await, Status::Starting);
    assert_eq!(next_status(&mut status, 20).await, Status::Live);
    let live = Instant::now();
    tokio::time::sleep(Duration::from_secs(7)).await;
    done.store(true, Ordering::Relaxed);
    feeder.await.unwrap();
    let e = Arc::into_inner(e).expect("the feeder let go");
    let ran = live.elapsed().as_secs_f64();
    e.stop().await;
    assert_eq!(next_status(&mut status, 5).await, Status::Stopped);

    let playlist = out.join(egress::HLS_PLAYLIST);
    let text = std::fs::read_to_string(&playlist).unwrap();
    assert!(text.starts_with("#EXTM3U"), "{text}");
    assert!(text.contains("#EXT-X-ENDLIST"), "ended: {text}");
    let segments: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
    assert!(
        segments.len() >= 3
            && segments
                .iter()
                .all(|s| s.starts_with("seg_") && s.ends_with(".ts")),
        "{text}"
    );
    let (streams, duration) = probe(&playlist);
    eprintln!(
        "{} segments, {duration:.2} s, live {ran:.2} s",
        segments.len()
    );
    assert!(streams.contains(&("h264".into(), 1280, 720)), "{streams:?}");
    assert!(streams.iter().any(|s| s.0 == "aac"), "{streams:?}");
    assert!(
        (duration - ran).abs() <= 1.5,
        "{duration} s in the playlist, {ran} s live"
    );
    let (flv, flv_duration) = probe(&d.join("also.flv"));
    assert!(
        flv.contains(&("h264".into(), 1280, 720)) && (flv_duration - ran).abs() <= 1.5,
        "{flv:?} {flv_duration} s"
    );
    let px = rgb_at(
        &playlist,
        duration - 1.0,
        &[(320, 180), (960, 180), (320, 540)],
    );
    let [red, green, blue] = [px[0], px[1], px[2]];
    assert!(red.0 > 200 && red.1 < 60 && red.2 < 60, "red tile {red:?}");
    assert!(green.1 > 90 && green.0 < 60, "green tile {green:?}");
    assert!(blue.2 > 200 && blue.0 < 60, "blue tile {blue:?}");
    let _ = std::fs::remove_dir_all(&d);
}
