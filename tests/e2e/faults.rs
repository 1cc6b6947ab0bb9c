//! Faults with real server processes, short versions of `tests/chaos`
//! that run in CI: one of two instances killed with SIGKILL in the middle
//! of a file transfer, a recording, chat and webhook deliveries; Redis
//! stopped and restarted under chat. Whatever was acknowledged before the
//! fault is there afterwards, exactly once.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use webhooks::WebhookEvent;
use webhooks::testing::{Hit, Receiver, Reply};

use crate::support::*;

const HOOK_SECRET: &str = "faults-hook-secret-0123456789ab";

/// A PUT of raw bytes as `user`; the status and JSON answer.
async fn put(
    s: &TestServer,
    path: &str,
    user: &str,
    body: &[u8],
    sha: Option<&str>,
) -> (u16, Value) {
    let mut r = reqwest::Client::new()
        .put(s.http(path))
        .bearer_auth(token(user, None, None))
        .body(body.to_vec());
    if let Some(sha) = sha {
        r = r.header("x-chunk-sha256", sha);
    }
    let r = r.send().await.unwrap();
    let st = r.status().as_u16();
    (st, r.json().await.unwrap_or(Value::Null))
}

/// Sends chat messages and waits for each echo: the acknowledged ones.
/// `last` is raised to the newest `seq` seen.
async fn chat(
    c: &mut Client,
    texts: impl IntoIterator<Item = String>,
    last: &mut u64,
) -> Vec<String> {
    let mut acked = Vec::new();
    for t in texts {
        c.send(json!({"type": "chat-message", "message": t})).await;
        loop {
            let m = c.expect("chat-message").await;
            *last = (*last).max(m["seq"].as_u64().unwrap_or(0));
            if m["message"] == t.as_str() {
                break;
            }
        }
        acked.push(t);
    }
    acked
}

/// The room's chat history, oldest first.
async fn history(s: &TestServer, room: &str, user: &str) -> Vec<String> {
    let (st, page) = s
        .get(&format!("/webrtc/rooms/{room}/chat?limit=200"), user)
        .await;
    assert_eq!(st, 200, "{page}");
    let mut texts: Vec<String> = page["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["message"].as_str().unwrap().to_owned())
        .collect();
    texts.reverse();
    texts
}

/// Waits until the receiver acknowledged events named `want` (as a set).
async fn wait_events(rx: &Receiver, want: &[&str]) -> Vec<WebhookEvent> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let got = acked_events(&rx.hits());
        let mut names: Vec<&str> = got.iter().map(|e| e.event.as_str()).collect();
        names.sort_unstable();
        let mut w = want.to_vec();
        w.sort_unstable();
        if names == w {
            return got;
        }
        assert!(
            Instant::now() < deadline,
            "webhooks: got {names:?}, want {w:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_mid_transfer_recording_and_chat_loses_nothing_acknowledged() {
    let rx = Receiver::start(Arc::new(|_: &Hit| Reply::Status(204))).await;
    let data = std::env::temp_dir().join(format!("rtc-faults-{}", uuid::Uuid::new_v4()));
    let env = [
        ("REDIS_URL", redis_url()),
        (
            "RTC_REDIS_PREFIX",
            format!("faults-{}:", uuid::Uuid::new_v4().simple()),
        ),
        ("RTC_STORAGE", "local".to_owned()),
        ("RTC_DATA_DIR", data.display().to_string()),
        (
            "RTC_SCRATCH_DIR",
            data.join("scratch").display().to_string(),
        ),
        ("RTC_INSTANCE_TTL_SECS", "2".to_owned()),
        ("RTC_WEBHOOK_URL", rx.url()),
        ("RTC_WEBHOOK_SECRET", HOOK_SECRET.to_owned()),
        ("RTC_WEBHOOK_TIMEOUT_SECS", "1".to_owned()),
        ("RTC_WEBHOOK_RETRY_INITIAL_MS", "100".to_owned()),
    ];
    let a = spawn_process(&env);
    let b = spawn_process(&env);
    let room = "faults";
    let mut host = a.connect(room, "host").await;
    let state = host.expect("room-state").await;
    let mut guest = b.connect(room, "guest").await;
    guest.expect("room-state").await;

    // Chat through A, each message acknowledged by its echo.
    let mut last = state["last_sequence"].as_u64().unwrap_or(0);
    let mut acked = chat(&mut host, (0..10).map(|i| format!("before {i}")), &mut last).await;

    // A 1 MiB transfer from host to guest: half its chunks through A.
    let file: Vec<u8> = (0..1024 * 1024 + 77).map(|i| (i * 7 % 251) as u8).collect();
    let (st, t) = a
        .post(
            &format!("/webrtc/rooms/{room}/file-transfer/offer"),
            "host",
            json!({"receiver": "guest", "file_name": "f.bin", "file_size": file.len(),
                   "sha256": hex(&file), "chunk_size": 65536}),
        )
        .await;
    assert_eq!(st, 201, "{t}");
    let tid = t["transfer_id"].as_str().unwrap().to_owned();
    guest.expect("file-share-offer").await;
    let (st, _) = b
        .post(
            &format!("/webrtc/rooms/{room}/file-transfer/{tid}/accept"),
            "guest",
            json!({}),
        )
        .await;
    assert_eq!(st, 200);
    let parts: Vec<&[u8]> = file.chunks(65536).collect();
    let chunk_path = |i: usize| format!("/webrtc/rooms/{room}/file-transfer/{tid}/chunks/{i}");
    for (i, p) in parts.iter().enumerate().step_by(2) {
        let (st, r) = put(&a, &chunk_path(i), "host", p, Some(&hex(p))).await;
        assert_eq!(st, 200, "{r}");
    }

    // A recording: half its chunks through A.
    // The real WebM the media tests record (made once by ffmpeg).
    let media = &crate::media::source().1;
    let (st, r) = a
        .post(
            &format!("/webrtc/rooms/{room}/recordings/start"),
            "host",
            json!({"format": "webm", "quality": "low"}),
        )
        .await;
    assert_eq!(st, 201, "{r}");
    let rid = r["recording_id"].as_str().unwrap().to_owned();
    let media_parts: Vec<&[u8]> = media.chunks(64 * 1024).collect();
    let rec_path = |i: usize| format!("/webrtc/rooms/{room}/recordings/{rid}/chunks/{i}");
    let half = media_parts.len() / 2;
    for (i, p) in media_parts.iter().enumerate().take(half) {
        let (st, r) = put(&a, &rec_path(i), "host", p, None).await;
        assert_eq!(st, 200, "{r}");
    }

    // A dies without a word; the host comes back on B and resumes.
    a.kill().await;
    let last = host
        .backlog()
        .iter()
        .filter_map(|m| m["seq"].as_u64())
        .fold(last, u64::max);
    let mut host = b.resume(room, "host", last).await;
    host.expect("reconnection-detected").await;
    let mut last = 0;
    acked.extend(chat(&mut host, (0..5).map(|i| format!("after {i}")), &mut last).await);

    // Every chunk A acknowledged is kept; B takes the rest.
    let (st, m) = b
        .get(
            &format!("/webrtc/rooms/{room}/file-transfer/{tid}/missing"),
            "host",
        )
        .await;
    assert_eq!(st, 200, "{m}");
    let missing: Vec<usize> = m["missing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap() as usize)
        .collect();
    assert_eq!(missing, (1..parts.len()).step_by(2).collect::<Vec<_>>());
    for i in missing {
        let (st, r) = put(&b, &chunk_path(i), "host", parts[i], Some(&hex(parts[i]))).await;
        assert_eq!((st, r["duplicate"].as_bool()), (200, Some(false)), "{r}");
    }
    let r = reqwest::Client::new()
        .get(b.http(&format!(
            "/webrtc/rooms/{room}/file-transfer/{tid}/download"
        )))
        .bearer_auth(token("guest", None, None))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        hex(&r.bytes().await.unwrap()),
        hex(&file),
        "the file is whole"
    );

    let (st, up) = b
        .get(
            &format!("/webrtc/rooms/{room}/recordings/{rid}/upload-status"),
            "host",
        )
        .await;
    assert_eq!(st, 200, "{up}");
    assert_eq!(up["participants"]["host"]["chunks"], half, "{up}");
    for (i, p) in media_parts.iter().enumerate().skip(half) {
        let (st, r) = put(&b, &rec_path(i), "host", p, None).await;
        assert_eq!(st, 200, "{r}");
    }
    let (st, _) = b
        .post(
            &format!("/webrtc/rooms/{room}/recordings/{rid}/stop"),
            "host",
            json!({}),
        )
        .await;
    assert_eq!(st, 200);
    let done = finished(&b, room, &rid).await;
    assert_eq!(done["status"], "completed", "{done}");

    // Chat: every acknowledged message once, in order.
    assert_eq!(history(&b, room, "guest").await, acked);

    // Webhooks: every event once by id, in order per room, signed.
    let events = wait_events(
        &rx,
        &[
            "room_started",
            "participant_joined",
            "participant_joined",
            "transfer_offered",
            "transfer_accepted",
            "transfer_completed",
            "recording_started",
            "recording_stopped",
            "recording_completed",
        ],
    )
    .await;
    webhooks::testing::check_deliveries(&rx.hits(), HOOK_SECRET.as_bytes(), &events)
        .unwrap_or_else(|e| panic!("{e}"));
    let _ = std::fs::remove_dir_all(&data);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redis_restart_under_chat_keeps_every_acknowledged_message_once() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = std::env::temp_dir().join(format!("rtc-faults-redis-{port}"));
    std::fs::create_dir_all(&dir).unwrap();
    let redis = crate::cluster::OwnRedis::start(port, &dir);
    let rx = Receiver::start(Arc::new(|_: &Hit| Reply::Status(204))).await;
    let env = [
        ("REDIS_URL", format!("redis://127.0.0.1:{port}")),
        ("RTC_STORAGE", "memory".to_owned()),
        ("RTC_WEBHOOK_URL", rx.url()),
        ("RTC_WEBHOOK_SECRET", HOOK_SECRET.to_owned()),
        ("RTC_WEBHOOK_RETRY_INITIAL_MS", "100".to_owned()),
    ];
    let a = spawn_process(&env);
    let b = spawn_process(&env);
    let mut alice = a.connect("rr", "alice").await;
    alice.expect("room-state").await;
    let mut bob = b.connect("rr", "bob").await;
    bob.expect("room-state").await;
    let mut last = 0;
    let mut acked = chat(&mut alice, (0..5).map(|i| format!("before {i}")), &mut last).await;

    redis.stop();
    // Refused with a code, never acknowledged; the sessions stay open.
    alice
        .send(json!({"type": "chat-message", "message": "while down"}))
        .await;
    assert_eq!(alice.expect_error().await, "SERVICE_UNAVAILABLE");
    alice.ping().await;
    bob.ping().await;

    let _redis = crate::cluster::OwnRedis::start(port, &dir);
    // Delivery between the instances comes back by itself: a probe from
    // alice reaches bob.
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut n = 0;
    loop {
        n += 1;
        let probe = format!("probe {n}");
        alice
            .send(json!({"type": "chat-message", "message": probe}))
            .await;
        let echoed = tokio::time::timeout(Duration::from_millis(500), async {
            loop {
                match alice.next().await {
                    Next::Msg(m) if m["message"] == probe.as_str() => return true,
                    Next::Msg(m) if m["type"] == "error" => return false,
                    Next::Msg(_) => {}
                    Next::Closed(c) => panic!("closed {c:?}"),
                }
            }
        })
        .await;
        if echoed == Ok(true) {
            acked.push(probe.clone());
        }
        let heard = tokio::time::timeout(Duration::from_millis(500), async {
            loop {
                let m = bob.expect("chat-message").await;
                if m["message"] == probe.as_str() {
                    return;
                }
            }
        })
        .await;
        if heard.is_ok() {
            break;
        }
        assert!(Instant::now() < deadline, "the bus never came back");
    }
    acked.extend(chat(&mut alice, (0..5).map(|i| format!("after {i}")), &mut last).await);
    // Bob hears everything sent after the bus came back, in order (late
    // probes may come in between).
    let mut heard = Vec::new();
    while heard.len() < 5 {
        let m = bob.expect("chat-message").await;
        let text = m["message"].as_str().unwrap();
        if text.starts_with("after") {
            heard.push(text.to_owned());
        }
    }
    assert_eq!(
        heard,
        (0..5).map(|i| format!("after {i}")).collect::<Vec<_>>()
    );
    // The history holds every acknowledged message once, in order; the
    // refused one is not there. A probe whose echo came too late may be
    // there too: acknowledged means stored, not the other way round.
    let stored = history(&b, "rr", "bob").await;
    let unique: HashSet<&String> = stored.iter().collect();
    assert_eq!(unique.len(), stored.len(), "a duplicate: {stored:?}");
    assert!(!stored.iter().any(|t| t == "while down"), "{stored:?}");
    let kept: Vec<&String> = stored.iter().filter(|t| acked.contains(t)).collect();
    assert_eq!(kept, acked.iter().collect::<Vec<_>>(), "{stored:?}");
    assert!(
        stored
            .iter()
            .all(|t| acked.contains(t) || t.starts_with("probe"))
    );
    // Webhooks queued before the outage are delivered once.
    let events = wait_events(
        &rx,
        &["room_started", "participant_joined", "participant_joined"],
    )
    .await;
    webhooks::testing::check_deliveries(&rx.hits(), HOOK_SECRET.as_bytes(), &events)
        .unwrap_or_else(|e| panic!("{e}"));
    let _ = std::fs::remove_dir_all(&dir);
}
