//! Recording with real media: WebM made by ffmpeg, cut into
//! MediaRecorder-sized chunks, uploaded out of order, processed by the
//! server's ffmpeg, checked with ffprobe.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::*;

/// 4 s of 1280x720 VP8 + Opus, made once per test run.
pub(crate) fn source() -> &'static (PathBuf, Vec<u8>) {
    static SRC: OnceLock<(PathBuf, Vec<u8>)> = OnceLock::new();
    SRC.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("rtc-media-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let out = dir.join("src.webm");
        let st = Command::new("ffmpeg")
            .args(["-hide_banner", "-loglevel", "error", "-y"])
            .args([
                "-f",
                "lavfi",
                "-i",
                "testsrc=size=1280x720:rate=30:duration=4",
            ])
            .args(["-f", "lavfi", "-i", "sine=frequency=440:duration=4"])
            .args([
                "-c:v",
                "libvpx",
                "-deadline",
                "realtime",
                "-cpu-used",
                "8",
                "-b:v",
                "800k",
            ])
            .args(["-c:a", "libopus", "-shortest"])
            .arg(&out)
            .status()
            .expect("ffmpeg must be installed (tests/services.sh installs it)");
        assert!(st.success());
        let bytes = std::fs::read(&out).unwrap();
        (out, bytes)
    })
}

#[derive(Debug)]
struct Probe {
    format: String,
    duration: f64,
    video: String,
    audio: String,
    width: u64,
    height: u64,
}

fn probe(path: &Path) -> Probe {
    let out = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-show_format",
            "-show_streams",
            "-of",
            "json",
        ])
        .arg(path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "ffprobe: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let stream = |ty: &str| {
        v["streams"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["codec_type"] == ty)
            .cloned()
            .unwrap_or(Value::Null)
    };
    let (vs, a) = (stream("video"), stream("audio"));
    Probe {
        format: v["format"]["format_name"].as_str().unwrap().to_owned(),
        duration: v["format"]["duration"].as_str().unwrap().parse().unwrap(),
        video: vs["codec_name"].as_str().unwrap_or("").to_owned(),
        audio: a["codec_name"].as_str().unwrap_or("").to_owned(),
        width: vs["width"].as_u64().unwrap_or(0),
        height: vs["height"].as_u64().unwrap_or(0),
    }
}

fn chunks(bytes: &[u8]) -> Vec<&[u8]> {
    bytes.chunks(64 * 1024).collect()
}

async fn upload(
    s: &TestServer,
    room: &str,
    id: &str,
    user: &str,
    seq: usize,
    data: &[u8],
) -> (u16, Value) {
    let r = reqwest::Client::new()
        .put(s.http(&format!(
            "/webrtc/rooms/{room}/recordings/{id}/chunks/{seq}"
        )))
        .bearer_auth(token(user, None, None))
        .body(data.to_vec())
        .send()
        .await
        .unwrap();
    let st = r.status().as_u16();
    (st, r.json().await.unwrap_or(Value::Null))
}

async fn get_bytes(s: &TestServer, path: &str, user: &str, range: Option<&str>) -> (u16, Vec<u8>) {
    let mut r = reqwest::Client::new()
        .get(s.http(path))
        .bearer_auth(token(user, None, None));
    if let Some(h) = range {
        r = r.header("range", h);
    }
    let r = r.send().await.unwrap();
    (r.status().as_u16(), r.bytes().await.unwrap().to_vec())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_format_and_preset_becomes_a_playable_file() {
    let (_, src) = source();
    let s = spawn();
    // (format, quality, video, audio, width, height, container)
    let cases = [
        ("webm", "medium", "vp8", "opus", 1280, 720, "webm"),
        ("webm", "low", "vp8", "opus", 852, 480, "webm"),
        ("mp4", "low", "h264", "aac", 852, 480, "mp4"),
        ("mkv", "high", "vp8", "opus", 1280, 720, "matroska"),
    ];
    for (n, (format, quality, vc, ac, w, h, container)) in cases.into_iter().enumerate() {
        let room = format!("media-{n}");
        let mut host = s.connect(&room, "host").await;
        host.expect("room-state").await;
        let mut guest = s.connect(&room, "guest").await;
        guest.expect("room-state").await;
        let (st, r) = s
            .post(
                &format!("/webrtc/rooms/{room}/recordings/start"),
                "host",
                json!({"format": format, "quality": quality}),
            )
            .await;
        assert_eq!(st, 201, "{r}");
        let id = r["recording_id"].as_str().unwrap().to_owned();
        guest.expect("recording_started").await;
        let parts = chunks(src);
        // Out of order: odd sequences first, then even ones, and one repeat.
        let order: Vec<usize> = (1..parts.len())
            .step_by(2)
            .chain((0..parts.len()).step_by(2))
            .collect();
        let half = order.len() / 2;
        for &i in &order[..half] {
            let (st, a) = upload(&s, &room, &id, "host", i, parts[i]).await;
            assert_eq!(st, 200, "{a}");
        }
        let (st, again) = upload(&s, &room, &id, "host", order[0], parts[order[0]]).await;
        assert_eq!((st, again["duplicate"].as_bool()), (200, Some(true)));
        if n == 0 {
            // While paused nothing is taken: the paused span is not in the file.
            let (st, _) = s
                .post(
                    &format!("/webrtc/rooms/{room}/recordings/{id}/pause"),
                    "host",
                    json!({}),
                )
                .await;
            assert_eq!(st, 200);
            let (st, e) = upload(&s, &room, &id, "host", 9999, b"captured while paused").await;
            assert_eq!(
                (st, e["error"]["code"].as_str()),
                (409, Some("INVALID_STATE_TRANSITION"))
            );
            s.post(
                &format!("/webrtc/rooms/{room}/recordings/{id}/resume"),
                "host",
                json!({}),
            )
            .await;
            // The guest uploads too: one file per participant.
            for (i, p) in parts.iter().enumerate() {
                upload(&s, &room, &id, "guest", i, p).await;
            }
        }
        for &i in &order[half..] {
            let (st, a) = upload(&s, &room, &id, "host", i, parts[i]).await;
            assert_eq!(st, 200, "{a}");
        }
        let (_, status) = s
            .get(
                &format!("/webrtc/rooms/{room}/recordings/{id}/upload-status"),
                "host",
            )
            .await;
        assert_eq!(status["participants"]["host"]["chunks"], parts.len());
        let (st, _) = s
            .post(
                &format!("/webrtc/rooms/{room}/recordings/{id}/stop"),
                "host",
                json!({}),
            )
            .await;
        assert_eq!(st, 200);
        let done = finished(&s, &room, &id).await;
        assert_eq!(done["status"], "completed", "{done}");
        let outputs = done["outputs"].as_array().unwrap();
        assert_eq!(outputs.len(), if n == 0 { 2 } else { 1 });
        let (st, file) = get_bytes(
            &s,
            &format!("/webrtc/rooms/{room}/recordings/{id}/download?user=host"),
            "guest",
            None,
        )
        .await;
        assert_eq!(st, 200);
        let path =
            std::env::temp_dir().join(format!("rtc-out-{}-{n}.{format}", std::process::id()));
        std::fs::write(&path, &file).unwrap();
        let p = probe(&path);
        assert!(p.format.contains(container), "{format}/{quality}: {p:?}");
        assert_eq!(
            (p.video.as_str(), p.audio.as_str()),
            (vc, ac),
            "{format}/{quality}"
        );
        assert_eq!((p.width, p.height), (w, h), "{format}/{quality}");
        assert!(
            (p.duration - 4.0).abs() <= 0.5,
            "{format}/{quality}: {} s",
            p.duration
        );
        assert_eq!(
            outputs[0]["media"]["size"].as_u64(),
            Some(file.len() as u64)
        );
        let (st, part) = get_bytes(
            &s,
            &format!("/webrtc/rooms/{room}/recordings/{id}/download"),
            "host",
            Some("bytes=0-99"),
        )
        .await;
        assert_eq!((st, &part[..]), (206, &file[..100]));
        let (st, jpg) = get_bytes(
            &s,
            &format!("/webrtc/rooms/{room}/recordings/{id}/thumbnail"),
            "host",
            None,
        )
        .await;
        assert_eq!((st, &jpg[..2]), (200, &[0xff, 0xd8][..]), "a JPEG");
        // An expiring link works without a token; a tampered one does not.
        let (_, l) = s
            .get(
                &format!("/webrtc/rooms/{room}/recordings/{id}/link?expires_in=60"),
                "host",
            )
            .await;
        let url = l["url"].as_str().unwrap();
        let r = reqwest::get(s.http(url)).await.unwrap();
        assert_eq!(r.status().as_u16(), 200);
        assert_eq!(r.bytes().await.unwrap().len(), file.len());
        let r = reqwest::get(s.http(&url.replace("sig=", "sig=x")))
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 403);
        let _ = std::fs::remove_file(&path);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limits_owners_viewers_and_the_time_limit() {
    let mut settings = settings();
    settings.recording.recording_max_concurrent = 1;
    settings.recording.recording_max_secs = 2;
    settings.redis.instance_ttl_secs = 1;
    let s = spawn_with(settings);
    let mut host = s.connect("rl-a", "host").await;
    host.expect("room-state").await;
    let mut moder = s.connect_as("rl-a", "mod", Some("moderator")).await;
    moder.expect("room-state").await;
    let mut viewer = s.connect_as("rl-a", "viewer", Some("viewer")).await;
    viewer.expect("room-state").await;
    let mut other = s.connect("rl-b", "other").await;
    other.expect("room-state").await;
    let (st, r) = s
        .post("/webrtc/rooms/rl-a/recordings/start", "host", json!({}))
        .await;
    assert_eq!(st, 201);
    let id = r["recording_id"].as_str().unwrap().to_owned();
    let (st, e) = s
        .post("/webrtc/rooms/rl-b/recordings/start", "other", json!({}))
        .await;
    assert_eq!(
        (st, e["error"]["code"].as_str()),
        (429, Some("RECORDING_LIMIT_REACHED"))
    );
    let (st, e) = s
        .post(
            &format!("/webrtc/rooms/rl-a/recordings/{id}/stop"),
            "mod",
            json!({}),
        )
        .await;
    assert_eq!(
        (st, e["error"]["code"].as_str()),
        (403, Some("PERMISSION_DENIED")),
        "owner-only"
    );
    let (st, e) = upload(&s, "rl-a", &id, "viewer", 0, b"data").await;
    assert_eq!(
        (st, e["error"]["code"].as_str()),
        (403, Some("MEDIA_NOT_ALLOWED"))
    );
    let (st, e) = upload(&s, "rl-a", &id, "other", 0, b"data").await;
    assert_eq!(st, 404, "not in this room: {e}");
    // The time limit stops it by itself; with no media it then fails, with a reason.
    let stopped = moder.expect("recording_stopped").await;
    assert_eq!(stopped["recording"]["recording_id"], id.as_str());
    let done = finished(&s, "rl-a", &id).await;
    assert_eq!(done["status"], "failed");
    assert!(
        done["failure"].as_str().unwrap().contains("no media"),
        "{done}"
    );
    let (_, mine) = s.get("/webrtc/recordings?status=failed", "host").await;
    assert_eq!(mine["count"], 1);
    let (_, mine) = s.get("/webrtc/recordings", "mod").await;
    assert_eq!(mine["count"], 0, "lists what the caller started");
    // A slot is free again.
    let (st, _) = s
        .post("/webrtc/rooms/rl-b/recordings/start", "other", json!({}))
        .await;
    assert_eq!(st, 201);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recording_left_processing_by_a_dead_server_is_picked_up() {
    let (_, src) = source();
    let (url, prefix) = (redis_url(), format!("md{}:", uuid::Uuid::new_v4().simple()));
    let dir = std::env::temp_dir().join(format!("rtc-md-{}", uuid::Uuid::new_v4()));
    // A "hung" ffprobe on the first server: processing never finishes there.
    let hang = std::env::temp_dir().join(format!("rtc-hang-{}.sh", std::process::id()));
    std::fs::write(&hang, "#!/bin/sh\nsleep 60\n").unwrap();
    Command::new("chmod").arg("+x").arg(&hang).status().unwrap();
    let mk = |probe: Option<&Path>| {
        let mut st = cluster_settings(&url, &prefix);
        st.store.storage = server::config::StorageKind::Local;
        st.store.data_dir = dir.clone();
        st.redis.instance_ttl_secs = 1;
        if let Some(p) = probe {
            st.recording.ffprobe = p.to_owned();
        }
        spawn_with(st)
    };
    let a = mk(Some(&hang));
    let mut host = a.connect("pick", "host").await;
    host.expect("room-state").await;
    let (_, r) = a
        .post(
            "/webrtc/rooms/pick/recordings/start",
            "host",
            json!({"format": "mp4", "quality": "low"}),
        )
        .await;
    let id = r["recording_id"].as_str().unwrap().to_owned();
    for (i, p) in chunks(src).iter().enumerate() {
        let (st, _) = upload(&a, "pick", &id, "host", i, p).await;
        assert_eq!(st, 200);
    }
    a.post(
        &format!("/webrtc/rooms/pick/recordings/{id}/stop"),
        "host",
        json!({}),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (_, st) = a
        .get(
            &format!("/webrtc/rooms/pick/recordings/{id}/status"),
            "host",
        )
        .await;
    assert_eq!(st["status"], "processing");
    a.kill().await;
    drop(host);
    let b = mk(None);
    let mut host = b.connect("pick", "host").await;
    host.expect("room-state").await;
    let t = Instant::now();
    let done = loop {
        let (_, r) = b
            .get(
                &format!("/webrtc/rooms/pick/recordings/{id}/status"),
                "host",
            )
            .await;
        if r["status"] != "processing" {
            break r;
        }
        assert!(t.elapsed() < Duration::from_secs(60), "never picked up");
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    assert_eq!(done["status"], "completed", "{done}");
    let (_, file) = get_bytes(
        &b,
        &format!("/webrtc/rooms/pick/recordings/{id}/download"),
        "host",
        None,
    )
    .await;
    let path = dir.join("check.mp4");
    std::fs::write(&path, &file).unwrap();
    let p = probe(&path);
    assert_eq!((p.video.as_str(), p.width), ("h264", 852));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_s3_storage_transfers_and_recordings_land_in_the_bucket() {
    use sha2::{Digest, Sha256};
    let (_, src) = source();
    let mut settings = settings();
    settings.store.storage = server::config::StorageKind::S3;
    assert!(
        settings.store.s3_endpoint.is_some(),
        "S3_ENDPOINT must be set (tests/services.sh)"
    );
    let s = spawn_with(settings.clone());
    let mut host = s.connect("s3", "host").await;
    host.expect("room-state").await;
    let mut guest = s.connect("s3", "guest").await;
    guest.expect("room-state").await;
    // A file transfer.
    let file: Vec<u8> = (0..200_000u32).map(|i| (i % 241) as u8).collect();
    let hex = |b: &[u8]| {
        Sha256::digest(b)
            .iter()
            .map(|x| format!("{x:02x}"))
            .collect::<String>()
    };
    let (st, t) = s
        .post("/webrtc/rooms/s3/file-transfer/offer", "host",
              json!({"receiver": "guest", "file_name": "f.bin", "file_size": file.len(), "sha256": hex(&file)}))
        .await;
    assert_eq!(st, 201, "{t}");
    let tid = t["transfer_id"].as_str().unwrap().to_owned();
    let (st, _) = s
        .post(
            &format!("/webrtc/rooms/s3/file-transfer/{tid}/accept"),
            "guest",
            json!({}),
        )
        .await;
    assert_eq!(st, 200);
    for (i, c) in file.chunks(64 * 1024).enumerate() {
        let r = reqwest::Client::new()
            .put(s.http(&format!("/webrtc/rooms/s3/file-transfer/{tid}/chunks/{i}")))
            .bearer_auth(token("host", None, None))
            .header("x-chunk-sha256", hex(c))
            .body(c.to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200);
    }
    let (st, got) = get_bytes(
        &s,
        &format!("/webrtc/rooms/s3/file-transfer/{tid}/download"),
        "guest",
        None,
    )
    .await;
    assert_eq!((st, hex(&got)), (200, hex(&file)));
    // A recording.
    let (_, r) = s
        .post("/webrtc/rooms/s3/recordings/start", "host", json!({}))
        .await;
    let rid = r["recording_id"].as_str().unwrap().to_owned();
    for (i, p) in chunks(src).iter().enumerate() {
        upload(&s, "s3", &rid, "host", i, p).await;
    }
    s.post(
        &format!("/webrtc/rooms/s3/recordings/{rid}/stop"),
        "host",
        json!({}),
    )
    .await;
    let done = finished(&s, "s3", &rid).await;
    assert_eq!(done["status"], "completed", "{done}");
    // Both are in the bucket under the default key prefix (seed 004's
    // `webrtc-recordings/`), seen by an independent S3 client.
    let bucket =
        storage::ObjectBlobStore::from_config(&storage::StorageConfig::S3(storage::S3Config {
            endpoint: settings.store.s3_endpoint.clone(),
            bucket: settings.store.s3_bucket.clone().unwrap(),
            region: settings.store.s3_region.clone(),
            access_key: settings.store.s3_access_key.clone().unwrap(),
            secret_key: std::env::var("S3_SECRET_KEY").unwrap(),
        }))
        .unwrap();
    use storage::BlobStore as _;
    let chunks_in_bucket = bucket
        .list(&format!("webrtc-recordings/transfers/{tid}"))
        .await
        .unwrap();
    assert_eq!(chunks_in_bucket.len(), 4, "the transfer's chunks");
    assert!(
        bucket
            .list(&format!("transfers/{tid}"))
            .await
            .unwrap()
            .is_empty()
    );
    let key = format!(
        "webrtc-recordings/{}",
        done["outputs"][0]["key"].as_str().unwrap()
    );
    let obj = bucket.get(&key, None).await.unwrap().bytes().await.unwrap();
    let (_, via_server) = get_bytes(
        &s,
        &format!("/webrtc/rooms/s3/recordings/{rid}/download"),
        "guest",
        None,
    )
    .await;
    assert_eq!(obj.len(), via_server.len());
    assert_eq!(hex(&obj), hex(&via_server));
    // The link is S3's own presigned URL.
    let (_, l) = s
        .get(&format!("/webrtc/rooms/s3/recordings/{rid}/link"), "host")
        .await;
    let url = l["url"].as_str().unwrap();
    assert!(url.contains("X-Amz-Signature"), "{url}");
    assert!(url.contains("/webrtc-recordings/recordings/"), "{url}");
    let r = reqwest::get(url).await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(hex(&r.bytes().await.unwrap()), hex(&obj));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_recording_leaves_no_media_behind() {
    let mut settings = settings();
    let dir = std::env::temp_dir().join(format!("rtc-cancel-{}", uuid::Uuid::new_v4()));
    settings.store.storage = server::config::StorageKind::Local;
    settings.store.data_dir = dir.clone();
    let s = spawn_with(settings);
    let mut host = s.connect("cx", "host").await;
    host.expect("room-state").await;
    let (_, r) = s
        .post("/webrtc/rooms/cx/recordings/start", "host", json!({}))
        .await;
    let id = r["recording_id"].as_str().unwrap().to_owned();
    for i in 0..3 {
        let (st, _) = upload(&s, "cx", &id, "host", i, b"some media bytes").await;
        assert_eq!(st, 200);
    }
    let chunks = dir.join("recordings").join(&id);
    assert!(chunks.exists());
    let r = reqwest::Client::new()
        .delete(s.http(&format!("/webrtc/rooms/cx/recordings/{id}")))
        .bearer_auth(token("host", None, None))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(
        host.expect("recording_cancelled").await["recording"]["status"],
        "cancelled"
    );
    let t = Instant::now();
    while chunks.join("chunks").exists() {
        assert!(t.elapsed() < Duration::from_secs(10), "chunks still there");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn bad_recording_chunks_get_stable_codes() {
    let s = spawn();
    let mut host = s.connect("badc", "host").await;
    host.expect("room-state").await;
    let (_, r) = s
        .post("/webrtc/rooms/badc/recordings/start", "host", json!({}))
        .await;
    let id = r["recording_id"].as_str().unwrap().to_owned();
    let code = |v: &Value| v["error"]["code"].as_str().map(str::to_owned);
    let (st, _) = upload(&s, "badc", &id, "host", 0, b"first bytes").await;
    assert_eq!(st, 200);
    let (st, e) = upload(&s, "badc", &id, "host", 0, b"other bytes").await;
    assert_eq!(
        (st, code(&e).as_deref()),
        (400, Some("INVALID_CHUNK")),
        "same sequence, other bytes"
    );
    let (st, e) = upload(&s, "badc", &id, "host", 1, b"").await;
    assert_eq!(
        (st, code(&e).as_deref()),
        (400, Some("INVALID_CHUNK")),
        "empty"
    );
    let (st, e) = upload(&s, "badc", &id, "host", 2_000_000, b"x").await;
    assert_eq!(
        (st, code(&e).as_deref()),
        (400, Some("INVALID_CHUNK")),
        "sequence too large"
    );
    let (st, e) = s
        .post(
            &format!("/webrtc/rooms/badc/recordings/{id}/chunks"),
            "host",
            json!({"sequence": 3, "data": "not base64!"}),
        )
        .await;
    assert_eq!((st, code(&e).as_deref()), (422, Some("VALIDATION_ERROR")));
    let (st, ok) = s
        .post(
            &format!("/webrtc/rooms/badc/recordings/{id}/chunks"),
            "host",
            json!({"chunk_index": 3, "chunk_data": "data:video/webm;base64,AAEC"}),
        )
        .await;
    assert_eq!(
        (st, ok["sequence"].as_u64()),
        (200, Some(3)),
        "seed 002's names and data URLs"
    );
    let (st, e) = upload(&s, "badc", "no-such-recording", "host", 0, b"x").await;
    assert_eq!(
        (st, code(&e).as_deref()),
        (404, Some("RECORDING_NOT_FOUND"))
    );
    // Nothing harmed the good chunk.
    let (_, status) = s
        .get(
            &format!("/webrtc/rooms/badc/recordings/{id}/upload-status"),
            "host",
        )
        .await;
    assert_eq!(status["participants"]["host"]["sequences"], json!([0, 3]));
}

/// A "chunk" that is an HLS playlist naming a local file (here: a Matroska
/// file with a unique marker in its title and subtitle, like another
/// room's recording) must not be read into the recording.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_playlist_chunk_fails_the_recording_and_leaks_no_local_file() {
    let marker = format!("SECRET-{}-{}", std::process::id(), now());
    let dir = std::env::temp_dir().join(format!("rtc-secret-{marker}"));
    std::fs::create_dir_all(&dir).unwrap();
    let srt = dir.join("s.srt");
    std::fs::write(
        &srt,
        format!("1\n00:00:00,000 --> 00:00:02,000\n{marker}\n"),
    )
    .unwrap();
    let secret = dir.join("other-room.mkv");
    let st = Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-y"])
        .args([
            "-f",
            "lavfi",
            "-i",
            "testsrc=size=320x240:rate=10:duration=2",
        ])
        .args(["-f", "lavfi", "-i", "sine=duration=2"])
        .arg("-i")
        .arg(&srt)
        .args(["-map", "0", "-map", "1", "-map", "2"])
        .args(["-c:v", "libvpx", "-c:a", "libopus", "-c:s", "srt"])
        .args(["-metadata", &format!("title={marker}")])
        .arg(&secret)
        .status()
        .expect("ffmpeg must be installed (tests/services.sh installs it)");
    assert!(st.success());
    let playlist = format!(
        "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:10\n#EXTINF:2,\nfile://{}\n#EXT-X-ENDLIST\n",
        secret.display()
    );

    let s = spawn();
    let room = "hls";
    let mut host = s.connect(room, "host").await;
    host.expect("room-state").await;
    let (st, r) = s
        .post(
            &format!("/webrtc/rooms/{room}/recordings/start"),
            "host",
            json!({"format": "mkv", "quality": "high"}),
        )
        .await;
    assert_eq!(st, 201, "{r}");
    let id = r["recording_id"].as_str().unwrap().to_owned();
    let (st, a) = upload(&s, room, &id, "host", 0, playlist.as_bytes()).await;
    assert_eq!(st, 200, "{a}");
    let (st, _) = s
        .post(
            &format!("/webrtc/rooms/{room}/recordings/{id}/stop"),
            "host",
            json!({}),
        )
        .await;
    assert_eq!(st, 200);
    let done = finished(&s, room, &id).await;
    assert_eq!(done["status"], "failed", "{done}");
    assert_eq!(done["failure_code"], "UNSUPPORTED_MEDIA_FORMAT", "{done}");
    assert!(done["failure"].as_str().unwrap().contains("host"), "{done}");
    // The room hears it with the same code.
    let mut seen = host.expect("recording-status").await;
    while seen["recording"]["status"] != "failed" {
        seen = host.expect("recording-status").await;
    }
    assert_eq!(
        seen["recording"]["failure_code"],
        "UNSUPPORTED_MEDIA_FORMAT"
    );
    // Nothing anyone can fetch holds the secret.
    let base = format!("/webrtc/rooms/{room}/recordings/{id}");
    let mut fetched = vec![seen.to_string(), done.to_string()];
    for path in ["download", "thumbnail", "link", "upload-status", "status"] {
        let (st, body) = get_bytes(&s, &format!("{base}/{path}"), "host", None).await;
        if matches!(path, "download" | "thumbnail" | "link") {
            assert_eq!(st, 409, "{path}: no file for a failed recording");
        }
        fetched.push(String::from_utf8_lossy(&body).into_owned());
    }
    let (_, list) = s
        .get(&format!("/webrtc/rooms/{room}/recordings"), "host")
        .await;
    fetched.push(list.to_string());
    for f in &fetched {
        assert!(!f.contains(&marker), "leaked: {f}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
