//! Several server instances sharing one real Redis: a room behaves as on
//! one instance, capacity holds across instances, a dead instance's
//! participants leave, and a Redis restart is survived.

use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::*;

const SDP: &str = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=sendrecv\r\n";

fn prefix() -> String {
    format!("e2e{}:", uuid::Uuid::new_v4().simple())
}

fn pair() -> (TestServer, TestServer) {
    let (url, p) = (redis_url(), prefix());
    (
        spawn_with(cluster_settings(&url, &p)),
        spawn_with(cluster_settings(&url, &p)),
    )
}

/// Waits until the bus subscription of an instance delivers: a fresh
/// connection in a throwaway room must see another instance's join.
async fn await_bus(a: &TestServer, b: &TestServer) {
    let room = format!("probe-{}", uuid::Uuid::new_v4().simple());
    let mut x = a.connect(&room, "probe-a").await;
    x.expect("room-state").await;
    let mut y = b.connect(&room, "probe-b").await;
    y.expect("room-state").await;
    x.expect("user-joined").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn peers_on_different_instances_negotiate_and_share_the_room() {
    let (a, b) = pair();
    await_bus(&a, &b).await;
    await_bus(&b, &a).await;
    let mut alice = a.connect("x", "alice").await;
    alice.expect("room-state").await;
    let mut bob = b.connect("x", "bob").await;
    let state = bob.expect("room-state").await;
    assert_eq!(state["participants"].as_array().unwrap().len(), 2);
    assert_eq!(
        alice.expect("user-joined").await["participant"]["user_id"],
        "bob"
    );

    alice
        .send(json!({"type": "offer", "target": "bob", "sdp": SDP}))
        .await;
    let offer = bob.expect("offer").await;
    assert_eq!(
        (offer["from"].as_str(), offer["sdp"].as_str()),
        (Some("alice"), Some(SDP))
    );
    bob.send(json!({"type": "answer", "target": "alice", "sdp": SDP}))
        .await;
    assert_eq!(alice.expect("answer").await["from"], "bob");
    let cand = json!({"candidate": "candidate:1 1 udp 2122260223 10.0.0.1 5000 typ host", "sdpMid": "0", "sdpMLineIndex": 0});
    bob.send(json!({"type": "ice-candidate", "target": "alice", "candidate": cand}))
        .await;
    assert_eq!(alice.expect("ice-candidate").await["candidate"], cand);

    bob.send(json!({"type": "chat-message", "message": "from b"}))
        .await;
    assert_eq!(alice.expect("chat-message").await["message"], "from b");
    bob.expect("chat-message").await;
    let (_, history) = a.get("/webrtc/rooms/x/chat", "alice").await;
    assert_eq!(history["messages"][0]["message"], "from b");

    bob.send(json!({"type": "hand-raise", "raised": true}))
        .await;
    alice.expect("hand-raise-queue").await;
    let (_, qa) = a.get("/webrtc/rooms/x/hand-raise/queue", "alice").await;
    let (_, qb) = b.get("/webrtc/rooms/x/hand-raise/queue", "bob").await;
    assert_eq!(qa, qb);
    assert_eq!(qa["queue"][0]["user_id"], "bob");

    let strip = |mut v: Value| {
        v.as_object_mut().unwrap().remove("you");
        v
    };
    let (_, sa) = a.get("/webrtc/rooms/x/state", "alice").await;
    let (_, sb) = b.get("/webrtc/rooms/x/state", "bob").await;
    assert_eq!(strip(sa), strip(sb), "both instances see the same room");

    bob.close().await;
    let left = alice.expect("user-left").await;
    assert_eq!(
        (left["user_id"].as_str(), left["reason"].as_str()),
        (Some("bob"), Some("left"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_concurrent_joins_across_instances_admit_exactly_ten() {
    let (url, p) = (redis_url(), prefix());
    let mk = || {
        let mut s = cluster_settings(&url, &p);
        s.rooms.room_capacity = 10;
        spawn_with(s)
    };
    let (a, b) = (mk(), mk());
    let joins = (0..20).map(|i| {
        let srv = if i % 2 == 0 { &a } else { &b };
        async move {
            let mut c = srv.connect("cap", &format!("u{i}")).await;
            match c.next().await {
                Next::Msg(m) if m["type"] == "room-state" => (true, Some(c)),
                Next::Msg(m) => {
                    assert_eq!(m["code"], "ROOM_FULL", "{m}");
                    (false, None)
                }
                Next::Closed(code) => panic!("closed {code:?} without an error"),
            }
        }
    });
    let results = futures_util::future::join_all(joins).await;
    let admitted: Vec<usize> = (0..20).filter(|i| results[*i].0).collect();
    assert_eq!(admitted.len(), 10);
    // Both instances agree on who is in.
    for srv in [&a, &b] {
        let (st, p) = srv
            .get(
                "/webrtc/rooms/cap/participants",
                &format!("u{}", admitted[0]),
            )
            .await;
        assert_eq!((st, p["count"].as_u64()), (200, Some(10)));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn participants_of_a_dead_instance_leave_after_the_grace_period() {
    let (url, p) = (redis_url(), prefix());
    let mk = || {
        let mut s = cluster_settings(&url, &p);
        s.redis.instance_ttl_secs = 1;
        spawn_with(s)
    };
    let (a, b) = (mk(), mk());
    await_bus(&a, &b).await;
    let mut alice = a.connect("dead", "alice").await;
    alice.expect("room-state").await;
    let mut bob = b.connect("dead", "bob").await;
    bob.expect("room-state").await;
    alice.expect("user-joined").await;
    let killed = Instant::now();
    b.kill().await;
    let left = alice.expect("user-left").await;
    assert_eq!(
        (left["user_id"].as_str(), left["reason"].as_str()),
        (Some("bob"), Some("disconnected"))
    );
    let after = killed.elapsed();
    assert!(
        after >= Duration::from_millis(500),
        "announced only after the heartbeat lapsed ({after:?})"
    );
    let (_, parts) = a.get("/webrtc/rooms/dead/participants", "alice").await;
    assert_eq!(parts["count"], 1, "bob's slot is free");
}

/// The UDP port of the host candidate in a `media-answer`: which
/// instance's media plane answered.
pub(crate) fn media_port(answer: &Value) -> u16 {
    let sdp = answer["sdp"].as_str().expect("an SDP");
    let line = sdp
        .lines()
        .find(|l| l.starts_with("a=candidate:"))
        .unwrap_or_else(|| panic!("no candidate in {sdp}"));
    line.split_whitespace().nth(5).unwrap().parse().unwrap()
}

/// An SFU room's media runs on the instance that took it first: a
/// participant connected to the other instance has its offer relayed
/// there over the bus and the answer relayed back, naming the owner's
/// media socket. When the owner dies its claim lapses and the next offer
/// moves the room to the survivor.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_sfu_rooms_media_runs_on_one_instance_and_moves_when_it_dies() {
    use str0m::media::Direction as D;
    let (url, p) = (redis_url(), prefix());
    let mk = || {
        let mut s = cluster_settings(&url, &p);
        s.media.media_mode = signaling_core::room::MediaMode::Sfu;
        spawn_with(s)
    };
    let (a, b) = (mk(), mk());
    await_bus(&a, &b).await;
    await_bus(&b, &a).await;
    let mut alice = a.connect("sfu", "alice").await;
    alice.expect("room-state").await;
    let mut bob = b.connect("sfu", "bob").await;
    assert_eq!(
        bob.expect("room-state").await["settings"]["media_mode"],
        "sfu"
    );

    alice
        .send(json!({"type": "media-offer", "sdp": str0m_offer(D::SendOnly)}))
        .await;
    let on_a = media_port(&alice.expect("media-answer").await);
    bob.send(json!({"type": "media-offer", "sdp": str0m_offer(D::RecvOnly)}))
        .await;
    assert_eq!(
        media_port(&bob.expect("media-answer").await),
        on_a,
        "bob's media goes to a, which runs the room"
    );

    // Alice (the host) streams the room; a runs it. Nothing listens at
    // the destination, so it keeps reconnecting.
    let (s, stream) = a
        .post(
            "/webrtc/rooms/sfu/live-streams/start",
            "alice",
            json!({"url": "rtmp://127.0.0.1:9/live", "stream_key": "sk-cluster"}),
        )
        .await;
    assert_eq!(
        (s, stream["status"].as_str()),
        (201, Some("starting")),
        "{stream}"
    );
    let stream_id = stream["stream_id"].as_str().unwrap().to_owned();

    let killed = Instant::now();
    a.kill().await;
    // Bob's client sees its media fail and offers again until answered.
    let answer = loop {
        assert!(
            killed.elapsed() < Duration::from_secs(15),
            "the room's media never moved to b"
        );
        bob.send(json!({"type": "media-offer", "sdp": str0m_offer(D::RecvOnly)}))
            .await;
        if let Ok(a) =
            tokio::time::timeout(Duration::from_secs(1), bob.expect("media-answer")).await
        {
            break a;
        }
    };
    let moved = killed.elapsed();
    assert_ne!(media_port(&answer), on_a, "b runs the room now");
    assert!(
        moved >= Duration::from_secs(3),
        "the claim held while it could still be renewed ({moved:?})"
    );
    // The stream died with a: b, which runs the room now, says so.
    let failed = loop {
        assert!(
            killed.elapsed() < Duration::from_secs(40),
            "the stream was never marked failed"
        );
        let next = tokio::time::timeout(Duration::from_secs(1), bob.expect("live-stream-update"));
        if let Ok(u) = next.await
            && u["stream"]["status"] == "failed"
        {
            break u;
        }
    };
    assert_eq!(failed["stream"]["stream_id"], stream_id.as_str());
    assert!(
        failed["stream"]["error"]
            .as_str()
            .is_some_and(|e| e == "LIVE_STREAM_FAILED: the instance running it stopped"),
        "{failed}"
    );
    assert!(!failed.to_string().contains("sk-cluster"));
}

/// A server recording runs on the instance that runs the room's media.
/// When that instance dies, the one that takes the room over stops the
/// recording (the room is told), and what the dead one stored in the
/// shared bucket (its composite goes out every 5 s) is processed into a
/// file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_recording_whose_instance_dies_keeps_what_it_stored() {
    use str0m::media::Direction as D;
    let (url, p) = (redis_url(), prefix());
    let mk = || {
        let mut s = cluster_settings(&url, &p);
        s.media.media_mode = signaling_core::room::MediaMode::Sfu;
        s.store.storage = server::config::StorageKind::S3;
        assert!(
            s.store.s3_endpoint.is_some(),
            "S3_ENDPOINT must be set (tests/services.sh)"
        );
        spawn_with(s)
    };
    let (a, b) = (mk(), mk());
    await_bus(&a, &b).await;
    await_bus(&b, &a).await;
    let mut alice = a.connect("srec-die", "alice").await;
    alice.expect("room-state").await;
    let mut bob = b.connect("srec-die", "bob").await;
    bob.expect("room-state").await;
    alice
        .send(json!({"type": "media-offer", "sdp": str0m_offer(D::SendOnly)}))
        .await;
    alice.expect("media-answer").await;
    let (st, rec) = a
        .post(
            "/webrtc/rooms/srec-die/recordings/start",
            "alice",
            json!({"quality": "low"}),
        )
        .await;
    assert_eq!((st, rec["source"].as_str()), (201, Some("server")), "{rec}");
    let id = rec["recording_id"].as_str().unwrap().to_owned();
    // Long enough for a's composite to reach the bucket once.
    tokio::time::sleep(Duration::from_secs(7)).await;
    let killed = Instant::now();
    a.kill().await;
    loop {
        assert!(
            killed.elapsed() < Duration::from_secs(15),
            "the room's media never moved to b"
        );
        bob.send(json!({"type": "media-offer", "sdp": str0m_offer(D::RecvOnly)}))
            .await;
        if tokio::time::timeout(Duration::from_secs(1), bob.expect("media-answer"))
            .await
            .is_ok()
        {
            break;
        }
    }
    let stopped = loop {
        assert!(
            killed.elapsed() < Duration::from_secs(40),
            "the recording was never stopped"
        );
        let next = tokio::time::timeout(Duration::from_secs(1), bob.expect("recording_stopped"));
        if let Ok(m) = next.await {
            break m;
        }
    };
    assert_eq!(stopped["recording"]["recording_id"], id.as_str());
    let deadline = Instant::now() + Duration::from_secs(90);
    let done = loop {
        let (_, r) = b
            .get(
                &format!("/webrtc/rooms/srec-die/recordings/{id}/status"),
                "bob",
            )
            .await;
        if r["status"] == "completed" || r["status"] == "failed" {
            break r;
        }
        assert!(Instant::now() < deadline, "still {r}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    assert_eq!(done["status"], "completed", "{done}");
    let media = &done["outputs"][0]["media"];
    assert_eq!(done["outputs"][0]["user_id"], "composite", "{done}");
    assert!(
        media["duration_ms"].as_u64().unwrap() >= 4_000,
        "at least the first chunk's seconds: {media}"
    );
}

/// A private Redis with an append-only file, so a restart keeps the data
/// like a production Redis would.
pub(crate) struct OwnRedis {
    port: u16,
    dir: std::path::PathBuf,
}

impl OwnRedis {
    pub(crate) fn start(port: u16, dir: &std::path::Path) -> Self {
        let status = Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--port", &port.to_string()])
            .args([
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
                "--save",
                "",
            ])
            .args(["--daemonize", "yes", "--dir"])
            .arg(dir)
            .arg("--pidfile")
            .arg(dir.join("redis.pid"))
            .status()
            .expect("redis-server must be installed (tests/services.sh installs it)");
        assert!(status.success());
        let r = OwnRedis {
            port,
            dir: dir.to_owned(),
        };
        let deadline = Instant::now() + Duration::from_secs(5);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "redis did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        r
    }

    pub(crate) fn stop(&self) {
        let pid = std::fs::read_to_string(self.dir.join("redis.pid")).unwrap();
        Command::new("kill").arg(pid.trim()).status().unwrap();
        let deadline = Instant::now() + Duration::from_secs(5);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
            assert!(Instant::now() < deadline, "redis did not stop");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        if let Ok(pid) = std::fs::read_to_string(self.dir.join("redis.pid")) {
            let _ = Command::new("kill").arg(pid.trim()).status();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redis_restart_under_traffic_is_survived() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = std::env::temp_dir().join(format!("rtc-redis-{port}"));
    std::fs::create_dir_all(&dir).unwrap();
    let redis = OwnRedis::start(port, &dir);
    let url = format!("redis://127.0.0.1:{port}");
    let p = prefix();
    let (a, b) = (
        spawn_with(cluster_settings(&url, &p)),
        spawn_with(cluster_settings(&url, &p)),
    );
    await_bus(&a, &b).await;
    let mut alice = a.connect("rr", "alice").await;
    alice.expect("room-state").await;
    let mut bob = b.connect("rr", "bob").await;
    bob.expect("room-state").await;
    alice.expect("user-joined").await;

    redis.stop();
    // Requests that need Redis fail fast with a code; sessions stay open.
    let t = Instant::now();
    alice
        .send(json!({"type": "chat-message", "message": "while down"}))
        .await;
    assert_eq!(alice.expect_error().await, "SERVICE_UNAVAILABLE");
    assert!(t.elapsed() < Duration::from_secs(3), "failed fast");
    alice.ping().await;
    bob.ping().await;
    let (st, health) = a.get("/webrtc/health", "alice").await;
    assert_eq!((st, health["status"].as_str()), (503, Some("degraded")));

    let _redis = OwnRedis::start(port, &dir);
    // Recovers by itself: health, state, and the bus between instances.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (st, _) = a.get("/webrtc/health", "alice").await;
        if st == 200 {
            break;
        }
        assert!(Instant::now() < deadline, "health never recovered");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut n = 0;
    loop {
        n += 1;
        bob.send(json!({"type": "chat-message", "message": format!("back {n}")}))
            .await;
        let got =
            tokio::time::timeout(Duration::from_millis(500), alice.expect("chat-message")).await;
        if let Ok(m) = got {
            assert!(m["message"].as_str().unwrap().starts_with("back"));
            break;
        }
        assert!(Instant::now() < deadline, "the bus never came back");
    }
    let (st, parts) = b.get("/webrtc/rooms/rr/participants", "bob").await;
    assert_eq!((st, parts["count"].as_u64()), (200, Some(2)));
}

/// Deletes every key under `prefix`, as a Redis that lost its data would.
fn wipe(url: &str, prefix: &str) {
    let keys = Command::new("redis-cli")
        .args(["-u", url, "--scan", "--pattern", &format!("{prefix}*")])
        .output()
        .expect("redis-cli must be installed (tests/services.sh installs it)");
    let keys: Vec<String> = String::from_utf8_lossy(&keys.stdout)
        .lines()
        .map(str::to_owned)
        .collect();
    assert!(!keys.is_empty(), "nothing stored under {prefix}");
    let st = Command::new("redis-cli")
        .args(["-u", url, "del"])
        .args(&keys)
        .output()
        .unwrap();
    assert!(st.status.success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_whose_seats_the_store_lost_are_told_to_rejoin_and_can() {
    let (url, p) = (redis_url(), prefix());
    let mut settings = cluster_settings(&url, &p);
    settings.redis.instance_ttl_secs = 1;
    let s = spawn_with(settings);
    let mut a = s.connect("wiped", "alice").await;
    a.expect("room-state").await;
    let mut b = s.connect("wiped", "bob").await;
    b.expect("room-state").await;
    a.expect("user-joined").await;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    wipe(&url, &p);
    // Both are told, although neither sent anything.
    for c in [&mut a, &mut b] {
        assert_eq!(c.expect_error().await, "SESSION_LOST");
        assert_eq!(c.expect_close().await, Some(4503));
    }
    // Rejoining rebuilds the room; signaling works again. A client that
    // resumes (as browsers do) finds no seat to take back: it gets the
    // whole state, not an empty replay.
    let mut a = s.resume("wiped", "alice", 2).await;
    let r = a.expect("resync-required").await;
    assert_eq!(r["requested_sequence"], 2);
    a.expect("room-state").await;
    let mut b = s.connect("wiped", "bob").await;
    b.expect("room-state").await;
    a.send(json!({"type": "offer", "target": "bob", "sdp": SDP}))
        .await;
    assert_eq!(b.expect("offer").await["from"], "alice");
}

/// Relays between two users of one instance never reach the shared bus;
/// a relay to a user on another instance is one publish, on that
/// instance's own channel. A tap subscribed to every bus channel of the
/// cluster (`{prefix}bus*`) sees the one offer to bob (on B), on a channel
/// of its own, and none of the twenty candidates between alice and carol
/// (both on A), which still arrive, in order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relays_between_users_of_one_instance_never_reach_the_bus() {
    use deadpool_redis::redis::AsyncCommands as _;
    use futures_util::StreamExt as _;

    let (url, p) = (redis_url(), prefix());
    let a = spawn_with(cluster_settings(&url, &p));
    let b = spawn_with(cluster_settings(&url, &p));
    await_bus(&a, &b).await;
    await_bus(&b, &a).await;
    let mut alice = a.connect("tap", "alice").await;
    alice.expect("room-state").await;
    let mut carol = a.connect("tap", "carol").await;
    carol.expect("room-state").await;
    let mut bob = b.connect("tap", "bob").await;
    bob.expect("room-state").await;
    alice.expect("user-joined").await;
    alice.expect("user-joined").await;

    let client = deadpool_redis::redis::Client::open(url).unwrap();
    let mut ps = client.get_async_pubsub().await.unwrap();
    ps.psubscribe(format!("{p}bus*")).await.unwrap();
    let seen: std::sync::Arc<std::sync::Mutex<Vec<(String, String)>>> = Default::default();
    let log = seen.clone();
    tokio::spawn(async move {
        let mut stream = ps.on_message();
        while let Some(m) = stream.next().await {
            let payload: String = m.get_payload().unwrap_or_default();
            log.lock()
                .unwrap()
                .push((m.get_channel_name().to_owned(), payload));
        }
    });
    // The tap listens once it hears a publish of its own.
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let probe = format!("{p}bus:probe");
    let started = Instant::now();
    while !seen.lock().unwrap().iter().any(|(c, _)| *c == probe) {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "tap never subscribed"
        );
        let _: i64 = conn.publish(&probe, "probe").await.unwrap();
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    seen.lock().unwrap().clear();

    for i in 0..20 {
        let cand = format!("candidate:{i} 1 udp 1 127.0.0.1 9 typ host");
        alice
            .send(json!({"type": "ice-candidate", "target": "carol", "candidate": {"candidate": cand}}))
            .await;
    }
    for i in 0..20 {
        let c = carol.expect("ice-candidate").await;
        assert_eq!(
            c["candidate"]["candidate"].as_str().unwrap(),
            format!("candidate:{i} 1 udp 1 127.0.0.1 9 typ host")
        );
    }
    alice
        .send(json!({"type": "offer", "target": "bob", "sdp": SDP}))
        .await;
    assert_eq!(bob.expect("offer").await["from"], "alice");
    tokio::time::sleep(Duration::from_millis(200)).await;
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1, "{seen:?}");
    let (channel, payload) = &seen[0];
    assert!(payload.contains("\"type\":\"offer\""), "{payload}");
    assert!(
        channel.starts_with(&format!("{p}bus:")),
        "the offer went to every instance: {channel}"
    );
}
