//! Graceful shutdown with real processes: SIGTERM moves an instance's
//! clients to another instance (close 1012, seats kept, resumed with
//! nothing missed), lets its webhook deliveries finish, and exits cleanly.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use webhooks::testing::{Hit, Receiver, Reply};

use crate::support::*;

const HOOK_SECRET: &str = "shutdown-hook-secret-0123456789";

/// The highest `seq` among `msgs`.
fn last_seq(msgs: &[&Value]) -> u64 {
    msgs.iter()
        .filter_map(|m| m["seq"].as_u64().or(m["last_sequence"].as_u64()))
        .max()
        .unwrap_or(0)
}

/// Reads until a message of type `ty`, returning the chat messages seen on
/// the way (a resume replays what was missed first).
async fn chats_until(c: &mut Client, ty: &str) -> (Vec<String>, Value) {
    let mut chats = Vec::new();
    loop {
        match c.next().await {
            Next::Msg(m) if m["type"] == ty => return (chats, m),
            Next::Msg(m) if m["type"] == "chat-message" => {
                chats.push(m["message"].as_str().unwrap().to_owned());
            }
            Next::Msg(_) => {}
            Next::Closed(code) => panic!("closed ({code:?}) while waiting for {ty}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_moves_clients_to_another_instance_and_loses_nothing() {
    // Webhook requests take 400 ms: some are in flight at the SIGTERM.
    let rx = Receiver::start(Arc::new(|_: &Hit| {
        Reply::After(204, Duration::from_millis(400))
    }))
    .await;
    let prefix = format!("shutdown-{}:", uuid::Uuid::new_v4().simple());
    let env = [
        ("REDIS_URL", redis_url()),
        ("RTC_REDIS_PREFIX", prefix),
        ("RTC_STORAGE", "memory".to_owned()),
        ("RTC_WEBHOOK_URL", rx.url()),
        ("RTC_WEBHOOK_SECRET", HOOK_SECRET.to_owned()),
        ("RTC_WEBHOOK_RETRY_INITIAL_MS", "100".to_owned()),
    ];
    let a = spawn_process(&env);
    let b = spawn_process(&env);

    let mut bob = b.connect("rolling", "bob").await;
    bob.expect("room-state").await;
    let mut moved = Vec::new();
    for user in ["alice", "carol"] {
        let mut c = a.connect("rolling", user).await;
        let state = c.expect("room-state").await;
        moved.push((user, c, last_seq(&[&state])));
    }
    // Everyone sees a message sent before the restart.
    bob.send(json!({"type": "chat-message", "message": "before"}))
        .await;
    for (_, c, last) in &mut moved {
        let (_, m) = chats_until(c, "chat-message").await;
        assert_eq!(m["message"], "before");
        *last = last_seq(&[&m]);
    }

    let sigterm = Instant::now();
    let stopped = tokio::spawn(async move {
        let status = a.terminate(Duration::from_secs(20)).await;
        (status, sigterm.elapsed())
    });
    // A's clients are told to reconnect: 1012, Service Restart.
    let mut closed_at = Vec::new();
    for (user, c, _) in &mut moved {
        loop {
            match c.next().await {
                Next::Closed(code) => {
                    assert_eq!(code, Some(1012), "{user}");
                    break;
                }
                Next::Msg(m) => assert_ne!(m["type"], "error", "{user}: {m}"),
            }
        }
        closed_at.push(Instant::now());
    }
    // Bob sees them reconnecting, not leaving, and chats meanwhile.
    for _ in 0..2 {
        let m = bob.expect("participant-reconnecting").await;
        assert!(["alice", "carol"].contains(&m["user_id"].as_str().unwrap()));
    }
    bob.send(json!({"type": "chat-message", "message": "while away"}))
        .await;
    bob.expect("chat-message").await;

    // They come back on B, resume, and get exactly what they missed.
    let mut back_after = Vec::new();
    for ((user, _, last), closed) in moved.iter().zip(&closed_at) {
        let mut c = b.resume("rolling", user, *last).await;
        let (missed, _) = chats_until(&mut c, "reconnection-detected").await;
        assert!(missed.is_empty());
        let mut replayed = Vec::new();
        while replayed.is_empty() {
            match c.next().await {
                Next::Msg(m) if m["type"] == "chat-message" => {
                    replayed.push(m["message"].as_str().unwrap().to_owned());
                }
                Next::Msg(_) => {}
                Next::Closed(code) => panic!("{user} closed {code:?}"),
            }
        }
        assert_eq!(replayed, ["while away"], "{user}");
        back_after.push(closed.elapsed());
        c.send(json!({"type": "ping", "ts": 1})).await;
        let (dups, _) = chats_until(&mut c, "pong").await;
        assert!(dups.is_empty(), "{user}: no duplicate after the replay");
    }
    for (user, _) in [("alice", 0), ("carol", 1)] {
        let m = bob.expect("user-joined").await;
        assert_eq!(m["participant"]["presence"], "connected", "{user}: {m}");
    }

    for (user, t) in ["alice", "carol"].iter().zip(&back_after) {
        assert!(*t < Duration::from_secs(2), "{user} back after {t:?}");
    }
    // A exited cleanly within its drain.
    let (status, took) = stopped.await.unwrap();
    let status = status.expect("A exits after SIGTERM");
    assert!(status.success(), "{status:?}");
    assert!(took < Duration::from_secs(10), "drained in {took:?}");

    // Every webhook event arrives, once by id, in order per room (B
    // delivers what A left).
    let mut events = Vec::new();
    for _ in 0..100 {
        let acked = acked_events(&rx.hits());
        // room_started, 3 joins, (no leaves: everyone came back)
        if acked.len() >= 4 {
            events = acked;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let names: Vec<&str> = events.iter().map(|e| e.event.as_str()).collect();
    assert_eq!(
        names,
        [
            "room_started",
            "participant_joined",
            "participant_joined",
            "participant_joined"
        ]
    );
    webhooks::testing::check_deliveries(&rx.hits(), HOOK_SECRET.as_bytes(), &events)
        .unwrap_or_else(|e| panic!("{e}"));
    println!("restart: clients back after {back_after:?}; A stopped in {took:?}");
}

/// Where the load balancer sends a client: the first live instance.
#[derive(Default)]
struct Balancer(std::sync::Mutex<Vec<std::net::SocketAddr>>);

impl Balancer {
    fn pick(&self) -> std::net::SocketAddr {
        self.0.lock().unwrap()[0]
    }
    fn set(&self, live: Vec<std::net::SocketAddr>) {
        *self.0.lock().unwrap() = live;
    }
}

/// What one member of the rolling-restart call saw.
#[derive(Debug, Default)]
struct Seen {
    user: String,
    /// (seq, text) of the chat received, in order (own echoes included).
    log: Vec<(u64, String)>,
    /// Chat texts received, in order (own echoes included).
    received: Vec<String>,
    /// Own messages the server echoed (acknowledged).
    acked: Vec<String>,
    /// From a 1012 close to the resumed session's `reconnection-detected`.
    back_after: Vec<Duration>,
}

/// A member that chats every 150 ms from `go` until `stop`, follows 1012 closes to
/// the instance the balancer names, and resumes with its last `seq`.
async fn member(
    room: &'static str,
    user: String,
    lb: Arc<Balancer>,
    joined: tokio::sync::mpsc::Sender<()>,
    mut go: tokio::sync::watch::Receiver<bool>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> Seen {
    use futures_util::{SinkExt as _, StreamExt as _};
    use tokio_tungstenite::tungstenite::Message;
    let mut seen = Seen {
        user: user.clone(),
        ..Seen::default()
    };
    let (mut last, mut closed_at, mut k) = (None::<u64>, None::<Instant>, 0);
    let mut pending: Option<String> = None;
    let mut signalled = false;
    'connections: loop {
        let mut url = format!(
            "ws://{}/webrtc/ws/{room}?token={}",
            lb.pick(),
            token(&user, None, None)
        );
        if let Some(l) = last {
            url.push_str(&format!("&last_sequence={l}"));
        }
        let mut ws = match tokio_tungstenite::connect_async(url).await {
            Ok((ws, _)) => ws,
            // A draining instance refuses upgrades with 503: try again.
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let mut tick = tokio::time::interval(Duration::from_millis(150));
        loop {
            tokio::select! {
                _ = tick.tick(), if *go.borrow() && !*stop.borrow() && pending.is_none() => {
                    let text = format!("{user}-{k}");
                    k += 1;
                    let frame = json!({"type": "chat-message", "message": text}).to_string();
                    if ws.send(Message::Text(frame.into())).await.is_ok() {
                        pending = Some(text);
                    }
                }
                _ = go.changed() => {}
                _ = stop.changed() => {}
                m = tokio::time::timeout(Duration::from_secs(1), ws.next()) => match m {
                    // Quiet for a second after the stop: everything arrived.
                    Err(_) if *stop.borrow() => return seen,
                    Err(_) => {}
                    Ok(Some(Ok(Message::Text(t)))) => {
                        let m: Value = serde_json::from_str(&t).unwrap();
                        if let Some(s) = m["seq"].as_u64().or(m["last_sequence"].as_u64()) {
                            last = Some(last.map_or(s, |l| l.max(s)));
                        }
                        match m["type"].as_str().unwrap_or_default() {
                            "room-state" if !signalled => {
                                signalled = true;
                                let _ = joined.send(()).await;
                            }
                            "reconnection-detected" => {
                                seen.back_after.push(closed_at.take().unwrap().elapsed());
                            }
                            "resync-required" | "error" => panic!("{user}: {m}"),
                            "chat-message" => {
                                let text = m["message"].as_str().unwrap().to_owned();
                                if pending.as_ref() == Some(&text) {
                                    seen.acked.push(pending.take().unwrap());
                                }
                                seen.log.push((m["seq"].as_u64().unwrap_or(0), text.clone()));
                                seen.received.push(text);
                            }
                            _ => {}
                        }
                    }
                    Ok(Some(Ok(Message::Close(f)))) => {
                        let code = f.map(|f| u16::from(f.code));
                        assert_eq!(code, Some(1012), "{user}");
                        closed_at = Some(Instant::now());
                        seen.log.push((last.unwrap_or(0), "<moved>".into()));
                        // Unechoed: the replay will show whether it went.
                        continue 'connections;
                    }
                    Ok(Some(Ok(_))) => {}
                    Ok(other) => panic!("{user}: connection broke: {other:?}"),
                },
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rolling_restart_of_two_instances_under_chat_loses_nothing() {
    let prefix = format!("rolling-{}:", uuid::Uuid::new_v4().simple());
    let env = vec![
        ("REDIS_URL", redis_url()),
        ("RTC_REDIS_PREFIX", prefix),
        ("RTC_STORAGE", "memory".to_owned()),
        // Room for the whole run's chat in the replay buffer.
        ("RTC_REPLAY_BUFFER_EVENTS", "1000".to_owned()),
    ];
    let start =
        |env: Vec<(&'static str, String)>| tokio::task::spawn_blocking(move || spawn_process(&env));
    let a = start(env.clone()).await.unwrap();
    let b = start(env.clone()).await.unwrap();
    let lb = Arc::new(Balancer::default());
    let (stop_tx, stop) = tokio::sync::watch::channel(false);
    let (go_tx, go) = tokio::sync::watch::channel(false);
    let (joined_tx, mut joined) = tokio::sync::mpsc::channel(64);
    let mut members = tokio::task::JoinSet::new();
    for i in 0..12 {
        // Half of each room on each instance.
        lb.set(vec![if i % 2 == 0 { a.addr } else { b.addr }]);
        let room = if i < 6 { "roll-1" } else { "roll-2" };
        let task = member(
            room,
            format!("u{i}"),
            lb.clone(),
            joined_tx.clone(),
            go.clone(),
            stop.clone(),
        );
        members.spawn(async move { (room, task.await) });
        joined.recv().await.unwrap();
    }
    // Everyone is in: the chat starts.
    go_tx.send(true).unwrap();
    tokio::time::sleep(Duration::from_millis(800)).await;

    // Restart A: the balancer stops sending to it, then SIGTERM.
    lb.set(vec![b.addr]);
    let st = a.terminate(Duration::from_secs(20)).await.expect("A exits");
    assert!(st.success(), "{st:?}");
    let a2 = start(env.clone()).await.unwrap();
    lb.set(vec![b.addr, a2.addr]);
    tokio::time::sleep(Duration::from_millis(800)).await;
    // Restart B.
    lb.set(vec![a2.addr]);
    let st = b.terminate(Duration::from_secs(20)).await.expect("B exits");
    assert!(st.success(), "{st:?}");
    tokio::time::sleep(Duration::from_millis(800)).await;
    stop_tx.send(true).unwrap();

    let mut rooms: std::collections::BTreeMap<&str, Vec<Seen>> = Default::default();
    while let Some(r) = members.join_next().await {
        let (room, seen) = r.unwrap();
        rooms.entry(room).or_default().push(seen);
    }
    let (mut moves, mut worst, mut messages) = (0, Duration::ZERO, 0);
    for (room, seen) in &rooms {
        let acked: std::collections::BTreeSet<&String> =
            seen.iter().flat_map(|s| &s.acked).collect();
        assert!(acked.len() > 30, "{room}: only {} messages", acked.len());
        messages += acked.len();
        for s in seen {
            let got: std::collections::BTreeSet<&String> = s.received.iter().collect();
            assert_eq!(got.len(), s.received.len(), "{room}: a duplicate");
            let missing: Vec<_> = acked.difference(&got).collect();
            assert!(
                missing.is_empty(),
                "{room}: {} missed {missing:?}; saw {:?}",
                s.user,
                s.log
            );
            moves += s.back_after.len();
            worst = worst.max(s.back_after.iter().copied().max().unwrap_or_default());
        }
    }
    // Members on A moved twice (A, then B), those on B once.
    assert_eq!(moves, 18, "every member followed every restart");
    assert!(
        worst < Duration::from_secs(2),
        "a client was back after {worst:?}"
    );
    println!(
        "rolling restart: {messages} acknowledged messages, each received once by all 6 members \
         of its room; {moves} moves; slowest back after {worst:?}"
    );
}

/// A stopping instance gives its SFU rooms up at once: the next offer on
/// the survivor takes the room within a second, where a killed instance's
/// claim holds for its TTL (`cluster::an_sfu_rooms_media_runs_on_one_instance_and_moves_when_it_dies`
/// measures at least 3 s).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_hands_an_sfu_rooms_media_over_at_once() {
    use str0m::media::Direction as D;
    let prefix = format!("sfu-stop-{}:", uuid::Uuid::new_v4().simple());
    let env = [
        ("REDIS_URL", redis_url()),
        ("RTC_REDIS_PREFIX", prefix.clone()),
        ("RTC_STORAGE", "memory".to_owned()),
        ("RTC_MEDIA_MODE", "sfu".to_owned()),
    ];
    let a = spawn_process(&env);
    let b = spawn_process(&env);
    let mut alice = a.connect("sfu-stop", "alice").await;
    alice.expect("room-state").await;
    let mut bob = b.connect("sfu-stop", "bob").await;
    bob.expect("room-state").await;
    alice
        .send(json!({"type": "media-offer", "sdp": str0m_offer(D::SendOnly)}))
        .await;
    let on_a = crate::cluster::media_port(&alice.expect("media-answer").await);
    bob.send(json!({"type": "media-offer", "sdp": str0m_offer(D::RecvOnly)}))
        .await;
    assert_eq!(
        crate::cluster::media_port(&bob.expect("media-answer").await),
        on_a,
        "a runs the room"
    );

    let st = a.terminate(Duration::from_secs(20)).await.expect("a exits");
    assert!(st.success(), "{st:?}");
    // The claim is gone, not left to lapse (its TTL is 6 s).
    let claim = format!("{prefix}media:sfu-stop");
    let held = std::process::Command::new("redis-cli")
        .args(["-u", &redis_url(), "exists", &claim])
        .output()
        .expect("redis-cli must be installed (tests/services.sh installs it)");
    assert_eq!(
        String::from_utf8_lossy(&held.stdout).trim(),
        "0",
        "{claim} released"
    );
    // Bob's client sees its media fail and offers again: b takes the room.
    let stopped = Instant::now();
    let answer = loop {
        assert!(
            stopped.elapsed() < Duration::from_secs(3),
            "the room's media did not move at once"
        );
        bob.send(json!({"type": "media-offer", "sdp": str0m_offer(D::RecvOnly)}))
            .await;
        if let Ok(a) =
            tokio::time::timeout(Duration::from_millis(300), bob.expect("media-answer")).await
        {
            break a;
        }
    };
    assert_ne!(
        crate::cluster::media_port(&answer),
        on_a,
        "b runs the room now"
    );
    println!("media moved {:?} after a exited", stopped.elapsed());
}

/// A chunk upload under way when SIGTERM arrives completes, and its chunk
/// is kept: the stopping server finishes requests in flight.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_lets_an_upload_in_flight_finish() {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let data = std::env::temp_dir().join(format!("rtc-stop-{}", uuid::Uuid::new_v4()));
    let env = [
        ("REDIS_URL", redis_url()),
        (
            "RTC_REDIS_PREFIX",
            format!("upload-stop-{}:", uuid::Uuid::new_v4().simple()),
        ),
        ("RTC_STORAGE", "local".to_owned()),
        ("RTC_DATA_DIR", data.display().to_string()),
    ];
    let a = spawn_process(&env);
    let b = spawn_process(&env);
    let mut host = a.connect("upload-stop", "host").await;
    host.expect("room-state").await;
    let mut guest = b.connect("upload-stop", "guest").await;
    guest.expect("room-state").await;
    let file: Vec<u8> = (0..2 * 65536).map(|i| (i % 241) as u8).collect();
    let (st, t) = a
        .post(
            "/webrtc/rooms/upload-stop/file-transfer/offer",
            "host",
            json!({"receiver": "guest", "file_name": "f.bin", "file_size": file.len(),
                   "sha256": hex(&file), "chunk_size": 65536}),
        )
        .await;
    assert_eq!(st, 201, "{t}");
    let tid = t["transfer_id"].as_str().unwrap().to_owned();
    guest.expect("file-share-offer").await;
    let path = format!("/webrtc/rooms/upload-stop/file-transfer/{tid}/accept");
    assert_eq!(b.post(&path, "guest", json!({})).await.0, 200);

    // Half of chunk 0's body, then SIGTERM, then the rest.
    let chunk = &file[..65536];
    let mut conn = tokio::net::TcpStream::connect(a.addr).await.unwrap();
    let head = format!(
        "PUT /webrtc/rooms/upload-stop/file-transfer/{tid}/chunks/0 HTTP/1.1\r\nHost: {}\r\n\
         Authorization: Bearer {}\r\nx-chunk-sha256: {}\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n",
        a.addr,
        token("host", None, None),
        hex(chunk),
        chunk.len()
    );
    conn.write_all(head.as_bytes()).await.unwrap();
    conn.write_all(&chunk[..32768]).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let stopping = tokio::spawn(async move {
        let st = a.terminate(Duration::from_secs(20)).await;
        (a, st)
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    conn.write_all(&chunk[32768..]).await.unwrap();
    let mut answer = String::new();
    conn.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let (_a, st) = stopping.await.unwrap();
    assert!(st.expect("a exits").success());

    let path = format!("/webrtc/rooms/upload-stop/file-transfer/{tid}/missing");
    let (st, m) = b.get(&path, "host").await;
    assert_eq!(st, 200, "{m}");
    assert_eq!(m["missing"], json!([1]), "chunk 0 was kept");
    let _ = std::fs::remove_dir_all(&data);
}
