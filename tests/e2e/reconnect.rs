//! Reconnection: a dropped client is shown as reconnecting, keeps its place
//! inside the grace period, and on return gets exactly what it missed.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::*;

/// The highest `seq` among messages, or the room state's `last_sequence`.
fn last_seq(msgs: &[&Value]) -> u64 {
    msgs.iter()
        .filter_map(|m| m["seq"].as_u64().or(m["last_sequence"].as_u64()))
        .max()
        .unwrap_or(0)
}

/// Drops `bob` without a close frame (a network cut) and waits until
/// `watcher` is told he is reconnecting.
async fn cut(bob: Client, watcher: &mut Client) {
    drop(bob);
    let m = watcher.expect("participant-reconnecting").await;
    assert!(m["seq"].as_u64().is_some(), "room events carry a seq: {m}");
}

/// Sends `n` chat messages from `from` and waits until they came back.
async fn chat_burst(from: &mut Client, n: usize) {
    for i in 0..n {
        from.send(json!({"type": "chat-message", "message": format!("m{i}")}))
            .await;
    }
    for _ in 0..n {
        from.expect("chat-message").await;
    }
}

/// Expects `reconnection-detected` and exactly `n` chat messages m0..m{n-1}
/// in order with rising seq, and nothing else before a pong.
async fn expect_replay(bob: &mut Client, n: usize) {
    let first = match bob.next().await {
        Next::Msg(m) => m,
        Next::Closed(c) => panic!("closed {c:?}"),
    };
    assert_eq!(first["type"], "reconnection-detected", "{first}");
    assert_eq!(first["missed_message_count"], n);
    let mut prev = 0;
    for i in 0..n {
        let Next::Msg(m) = bob.next().await else {
            panic!("closed during replay")
        };
        assert_eq!(m["type"], "chat-message", "{m}");
        assert_eq!(m["message"], format!("m{i}"), "in order");
        let seq = m["seq"].as_u64().unwrap();
        assert!(seq > prev, "rising seq");
        prev = seq;
    }
    bob.send(json!({"type": "ping", "ts": 7})).await;
    loop {
        let Next::Msg(m) = bob.next().await else {
            panic!("closed")
        };
        if m["type"] == "pong" {
            break;
        }
        assert_ne!(
            m["type"], "chat-message",
            "no duplicate after the replay: {m}"
        );
    }
}

#[tokio::test]
async fn a_returning_client_gets_exactly_the_thirty_events_it_missed() {
    let s = spawn();
    let mut alice = s.connect("rc", "alice").await;
    alice.expect("room-state").await;
    let mut bob = s.connect("rc", "bob").await;
    let state = bob.expect("room-state").await;
    bob.send(json!({"type": "chat-message", "message": "before"}))
        .await;
    let before = bob.expect("chat-message").await;
    let last = last_seq(&[&state, &before]);
    cut(bob, &mut alice).await;
    chat_burst(&mut alice, 30).await;
    let mut bob = s.resume("rc", "bob", last).await;
    expect_replay(&mut bob, 30).await;
    // Back: the others see him again, with the same role.
    let back = alice.expect("user-joined").await;
    assert_eq!(back["participant"]["presence"], "connected");
    // The REST replay answers the same question.
    let (st, r) = s
        .get(
            &format!("/webrtc/rooms/rc/reconnect?last_sequence={last}"),
            "bob",
        )
        .await;
    assert_eq!(st, 200);
    assert_eq!(
        (
            r["resync_required"].as_bool(),
            r["missed_message_count"].as_u64()
        ),
        (Some(false), Some(30))
    );
    assert_eq!(r["events"][29]["message"], "m29");
    let (st, _) = s
        .get("/webrtc/rooms/rc/reconnection-state?last_sequence=x", "bob")
        .await;
    assert_eq!(st, 422, "a malformed last_sequence is refused");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_works_when_the_client_returns_to_another_instance() {
    let (url, p) = (redis_url(), format!("rc{}:", uuid::Uuid::new_v4().simple()));
    let a = spawn_with(cluster_settings(&url, &p));
    let b = spawn_with(cluster_settings(&url, &p));
    let mut alice = a.connect("rx", "alice").await;
    alice.expect("room-state").await;
    let mut bob = b.connect("rx", "bob").await;
    let state = bob.expect("room-state").await;
    alice.expect("user-joined").await;
    let last = last_seq(&[&state]);
    cut(bob, &mut alice).await;
    chat_burst(&mut alice, 30).await;
    // Bob comes back through instance A this time.
    let mut bob = a.resume("rx", "bob", last).await;
    expect_replay(&mut bob, 30).await;
}

#[tokio::test]
async fn a_gap_older_than_the_buffer_gets_a_resync_and_the_full_state() {
    let mut settings = settings();
    settings.rooms.replay_buffer_events = 10;
    let s = spawn_with(settings);
    let mut alice = s.connect("rs", "alice").await;
    alice.expect("room-state").await;
    let mut bob = s.connect("rs", "bob").await;
    let state = bob.expect("room-state").await;
    let last = last_seq(&[&state]);
    cut(bob, &mut alice).await;
    chat_burst(&mut alice, 15).await;
    let mut bob = s.resume("rs", "bob", last).await;
    let Next::Msg(m) = bob.next().await else {
        panic!("closed")
    };
    assert_eq!(m["type"], "resync-required", "{m}");
    assert_eq!(m["requested_sequence"], last);
    let Next::Msg(st) = bob.next().await else {
        panic!("closed")
    };
    assert_eq!(st["type"], "room-state");
    assert_eq!(st["last_sequence"], m["last_sequence"]);
    assert_eq!(st["participants"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn inside_the_grace_period_a_participant_keeps_role_and_hand_raise_place() {
    let s = spawn();
    let mut alice = s.connect("rg", "alice").await;
    alice.expect("room-state").await;
    let mut bob = s.connect_as("rg", "bob", Some("moderator")).await;
    bob.expect("room-state").await;
    let mut carol = s.connect("rg", "carol").await;
    carol.expect("room-state").await;
    bob.send(json!({"type": "hand-raise", "raised": true}))
        .await;
    bob.expect("hand-raise-queue").await;
    carol
        .send(json!({"type": "hand-raise", "raised": true}))
        .await;
    carol.expect("hand-raise-queue").await;
    cut(bob, &mut alice).await;
    let (_, parts) = s.get("/webrtc/rooms/rg/participants", "alice").await;
    let bob_view = parts["participants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["user_id"] == "bob")
        .cloned()
        .expect("still listed while reconnecting");
    assert_eq!(bob_view["presence"], "reconnecting");
    let mut bob = s.connect("rg", "bob").await;
    let st = bob.expect("room-state").await;
    let queue: Vec<_> = st["hand_raise_queue"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["user_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(queue, ["bob", "carol"], "first place kept");
    let me = st["participants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["user_id"] == "bob")
        .unwrap()
        .clone();
    assert_eq!(
        (me["role"].as_str(), me["presence"].as_str()),
        (Some("moderator"), Some("connected"))
    );
}

#[tokio::test]
async fn after_the_grace_period_a_participant_is_announced_as_left() {
    let mut settings = settings();
    settings.rooms.reconnect_grace_secs = 1;
    let s = spawn_with(settings);
    let mut alice = s.connect("rl2", "alice").await;
    alice.expect("room-state").await;
    let mut carol = s.connect("rl2", "carol").await;
    carol.expect("room-state").await;
    carol
        .send(json!({"type": "hand-raise", "raised": true}))
        .await;
    carol.expect("hand-raise-queue").await;
    let t = Instant::now();
    cut(carol, &mut alice).await;
    let left = alice.expect("user-left").await;
    assert_eq!(
        (left["user_id"].as_str(), left["reason"].as_str()),
        (Some("carol"), Some("disconnected"))
    );
    assert!(
        t.elapsed() >= Duration::from_millis(900),
        "only after the grace period"
    );
    let (_, q) = s.get("/webrtc/rooms/rl2/hand-raise/queue", "alice").await;
    assert!(
        q["queue"].as_array().unwrap().is_empty(),
        "her hand is gone"
    );
}

#[tokio::test]
async fn quality_reports_are_classified_stored_and_shared() {
    let s = spawn();
    let mut alice = s.connect("rq", "alice").await;
    alice.expect("room-state").await;
    let mut bob = s.connect("rq", "bob").await;
    bob.expect("room-state").await;
    let (st, r) = s
        .post(
            "/webrtc/rooms/rq/quality",
            "bob",
            json!({"latency_ms": 400, "packet_loss_percent": 8, "jitter_ms": 60}),
        )
        .await;
    assert_eq!((st, r["quality"].as_str()), (200, Some("poor")));
    let u = alice.expect("quality-update").await;
    assert_eq!(
        (u["user_id"].as_str(), u["quality"].as_str()),
        (Some("bob"), Some("poor"))
    );
    // Seed 001's route and field names work too.
    let (st, r) = s
        .post(
            "/webrtc/rooms/rq/connection-quality",
            "bob",
            json!({"latency": 20, "packet_loss": 0, "jitter": 2}),
        )
        .await;
    assert_eq!((st, r["quality"].as_str()), (200, Some("excellent")));
    let (_, state) = s.get("/webrtc/rooms/rq/reconnection-state", "bob").await;
    assert_eq!(state["quality"], "excellent");
    assert_eq!(state["network_stats"]["latency_ms"], 20.0);
}

#[tokio::test]
async fn empty_rooms_are_cleaned_up_after_the_delay() {
    let mut settings = settings();
    settings.rooms.empty_room_ttl_secs = 2;
    settings.redis.instance_ttl_secs = 1;
    let s = spawn_with(settings);
    let mut alice = s.connect("re", "alice").await;
    alice.expect("room-state").await;
    let (_, st) = s
        .post(
            "/webrtc/rooms/re/settings",
            "alice",
            json!({"locked": true}),
        )
        .await;
    assert_eq!(st["locked"], true);
    let t = Instant::now();
    alice.close().await;
    let (_, stats) = s.get("/webrtc/stats", "alice").await;
    assert_eq!(
        stats["rooms"],
        1,
        "kept for a while after it empties ({:?})",
        t.elapsed()
    );
    loop {
        let (_, stats) = s.get("/webrtc/stats", "alice").await;
        if stats["rooms"] == 0 {
            break;
        }
        assert!(t.elapsed() < Duration::from_secs(6), "never cleaned up");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        t.elapsed() >= Duration::from_millis(1900),
        "cleaned after {:?}",
        t.elapsed()
    );
    // A fresh room: not locked any more, and the first joiner hosts it.
    let mut bob = s.connect("re", "bob").await;
    let st = bob.expect("room-state").await;
    assert_eq!(st["settings"]["locked"], false);
    assert_eq!(st["participants"][0]["role"], "host");
}
