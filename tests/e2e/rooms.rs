//! Rooms and moderation over real HTTP and WebSocket.

use serde_json::{Value, json};

use crate::support::*;

#[tokio::test]
async fn chat_is_sanitized_delivered_and_kept_in_history() {
    let s = spawn();
    let mut a = s.connect("chat", "a").await;
    a.expect("room-state").await;
    let mut b = s.connect("chat", "b").await;
    b.expect("room-state").await;
    for hostile in [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "\"><svg/onload=alert(1)>",
    ] {
        a.send(json!({"type": "chat-message", "message": hostile}))
            .await;
        let m = b.expect("chat-message").await;
        let text = m["message"].as_str().unwrap();
        assert!(!text.contains('<') && !text.contains('>'), "{text}");
        assert_eq!(m["from"], "a");
    }
    a.send(json!({"type": "chat-message", "message": "   "}))
        .await;
    assert_eq!(a.expect_error().await, "EMPTY_MESSAGE");
    let (status, page) = s.get("/webrtc/rooms/chat/chat?limit=2", "b").await;
    assert_eq!(status, 200);
    let msgs = page["messages"].as_array().unwrap();
    assert_eq!(msgs.len(), 2);
    assert!(
        msgs[0]["message"].as_str().unwrap().contains("svg"),
        "newest first"
    );
    let cursor = page["next_cursor"].as_str().unwrap();
    let (_, older) = s
        .get(
            &format!("/webrtc/rooms/chat/chat?limit=2&before={cursor}"),
            "b",
        )
        .await;
    assert!(
        older["messages"][0]["message"]
            .as_str()
            .unwrap()
            .contains("script")
    );
    assert!(older["next_cursor"].is_null());
}

#[tokio::test]
async fn waiting_room_flow_over_rest_and_ws() {
    let s = spawn();
    let mut host = s.connect("wr", "host").await;
    host.expect("room-state").await;
    let (st, _) = s
        .post(
            "/webrtc/rooms/wr/settings",
            "host",
            json!({"waiting_room_enabled": true}),
        )
        .await;
    assert_eq!(st, 200);
    host.expect("room-settings-update").await;

    let mut guest = s.connect("wr", "guest").await;
    assert_eq!(guest.expect("waiting-room-join").await["position"], 1);
    assert_eq!(host.expect("waiting-room-join").await["user_id"], "guest");
    guest
        .send(json!({"type": "chat-message", "message": "let me in"}))
        .await;
    assert_eq!(guest.expect_error().await, "IN_WAITING_ROOM");

    // A participant may not admit; the host may.
    let (_, list) = s.get("/webrtc/rooms/wr/waiting-room", "host").await;
    assert_eq!(list["waiting"][0]["user_id"], "guest");
    let (st, _) = s
        .post(
            "/webrtc/rooms/wr/waiting-room/guest/admit",
            "host",
            json!({}),
        )
        .await;
    assert_eq!(st, 200);
    guest.expect("waiting-room-admit").await;
    let state = guest.expect("room-state").await;
    assert_eq!(state["participants"].as_array().unwrap().len(), 2);
    host.expect("user-joined").await;
    let (st, body) = s
        .post(
            "/webrtc/rooms/wr/waiting-room/guest/admit",
            "guest",
            json!({}),
        )
        .await;
    assert_eq!(
        (st, body["error"]["code"].as_str()),
        (403, Some("PERMISSION_DENIED"))
    );

    // Rejection closes the rejected connection only.
    let mut other = s.connect("wr", "other").await;
    other.expect("waiting-room-join").await;
    let (st, _) = s
        .post(
            "/webrtc/rooms/wr/waiting-room/other/reject",
            "host",
            json!({}),
        )
        .await;
    assert_eq!(st, 200);
    other.expect("waiting-room-reject").await;
    assert_eq!(other.expect_close().await, Some(4403));
    guest.ping().await;
}

#[tokio::test]
async fn hand_raise_order_under_concurrent_raises() {
    let s = spawn();
    let mut host = s.connect("hr", "host").await;
    host.expect("room-state").await;
    let mut clients = Vec::new();
    for i in 0..8 {
        let mut c = s.connect("hr", &format!("p{i}")).await;
        c.expect("room-state").await;
        clients.push(c);
    }
    let raises = (0..8).map(|i| {
        let s = &s;
        async move {
            s.post(
                "/webrtc/rooms/hr/hand-raise",
                &format!("p{i}"),
                json!({"raised": true}),
            )
            .await
        }
    });
    for (st, _) in futures_util::future::join_all(raises).await {
        assert_eq!(st, 200);
    }
    let (_, q) = s.get("/webrtc/rooms/hr/hand-raise/queue", "host").await;
    let queue = q["queue"].as_array().unwrap();
    assert_eq!(queue.len(), 8, "no raise lost under concurrency");
    let times: Vec<&str> = queue
        .iter()
        .map(|e| e["raised_at"].as_str().unwrap())
        .collect();
    let mut sorted = times.clone();
    sorted.sort();
    assert_eq!(times, sorted, "queue is in raise order");
    let (st, q) = s
        .post("/webrtc/rooms/hr/hand-raise/lower-all", "host", json!({}))
        .await;
    assert_eq!(st, 200);
    assert!(q["queue"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn rate_limit_refuses_with_retry_after_and_keeps_the_session() {
    let s = spawn();
    let mut a = s.connect("rl", "a").await;
    a.expect("room-state").await;
    // hand_raise: 5 per minute, shared by WS and REST.
    for i in 0..5 {
        a.send(json!({"type": "hand-raise", "raised": i % 2 == 0}))
            .await;
        a.expect("hand-raise").await;
    }
    a.send(json!({"type": "hand-raise", "raised": false})).await;
    let e = a.expect("error").await;
    assert_eq!(e["code"], "RATE_LIMIT_EXCEEDED");
    assert!(e["retry_after"].as_u64().unwrap() >= 1);
    let (st, body) = s
        .post("/webrtc/rooms/rl/hand-raise", "a", json!({"raised": true}))
        .await;
    assert_eq!(
        (st, body["error"]["code"].as_str()),
        (429, Some("RATE_LIMIT_EXCEEDED"))
    );
    let (st, status) = s.get("/webrtc/rate-limits/hand_raise/status", "a").await;
    assert_eq!(st, 200);
    assert_eq!(
        (status["limit"].as_u64(), status["remaining"].as_u64()),
        (Some(5), Some(0))
    );
    let (st, _) = s.get("/webrtc/rate-limits/teleport/status", "a").await;
    assert_eq!(st, 404);
    // Other kinds are unaffected and the session stays open.
    a.send(json!({"type": "chat-message", "message": "still here"}))
        .await;
    a.expect("chat-message").await;
    a.ping().await;
}

#[tokio::test]
async fn recording_lifecycle_is_broadcast_and_outlives_the_room() {
    let s = spawn();
    let mut host = s.connect("rec", "host").await;
    host.expect("room-state").await;
    let mut bob = s.connect("rec", "bob").await;
    bob.expect("room-state").await;
    let base = "/webrtc/rooms/rec";
    // Seed 004's query form picks the format.
    let (st, r) = s
        .post(
            &format!("{base}/recording/start?recording_format=mp4&quality=high"),
            "host",
            json!({}),
        )
        .await;
    assert_eq!(st, 201, "{r}");
    assert_eq!(
        (r["format"].as_str(), r["quality"].as_str()),
        (Some("mp4"), Some("high"))
    );
    let id = r["recording_id"].as_str().unwrap().to_owned();
    let started = bob.expect("recording_started").await;
    assert_eq!(started["recording"]["recording_id"], id.as_str());
    assert_eq!(started["recording"]["status"], "recording");
    // One at a time.
    let (st, e) = s
        .post(&format!("{base}/recordings/start"), "host", json!({}))
        .await;
    assert_eq!(
        (st, e["error"]["code"].as_str()),
        (409, Some("RECORDING_ALREADY_ACTIVE"))
    );
    // Pause, resume, then a wrong transition.
    for (action, event) in [
        ("pause", "recording_paused"),
        ("resume", "recording_resumed"),
    ] {
        let (st, _) = s
            .post(
                &format!("{base}/recordings/{id}/{action}"),
                "host",
                json!({}),
            )
            .await;
        assert_eq!(st, 200, "{action}");
        assert_eq!(
            bob.expect(event).await["recording"]["recording_id"],
            id.as_str()
        );
    }
    let (st, e) = s
        .post(&format!("{base}/recordings/{id}/resume"), "host", json!({}))
        .await;
    assert_eq!(
        (st, e["error"]["code"].as_str()),
        (409, Some("INVALID_STATE_TRANSITION"))
    );
    // A participant may ask for the status over WebSocket but not stop it.
    bob.send(json!({"type": "recording-control", "action": "status", "recording_id": id}))
        .await;
    assert_eq!(
        bob.expect("recording-status").await["recording"]["status"],
        "recording"
    );
    bob.send(json!({"type": "recording-control", "action": "stop", "recording_id": id}))
        .await;
    assert_eq!(bob.expect_error().await, "PERMISSION_DENIED");
    // Everyone leaving stops the recording and hands it to processing
    // (which fails it: nothing was uploaded); the record stays listed among
    // its owner's recordings (the room's list is for members only).
    host.close().await;
    bob.close().await;
    let (st, e) = s.get(&format!("{base}/recordings"), "bob").await;
    assert_eq!(
        (st, e["error"]["code"].as_str()),
        (404, Some("USER_NOT_IN_ROOM"))
    );
    let mut listed = Value::Null;
    for _ in 0..100 {
        let (st, l) = s.get("/webrtc/recordings", "host").await;
        assert_eq!(st, 200);
        if l["recordings"][0]["status"] == "failed" {
            listed = l;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(
        listed["count"], 1,
        "stopped when the room emptied: {listed}"
    );
    let (st, one) = s
        .get(&format!("{base}/recordings/{id}/status"), "host")
        .await;
    assert_eq!((st, one["status"].as_str()), (200, Some("failed")));
    assert!(one["stopped_at"].is_string());
    let (st, e) = s
        .get(&format!("{base}/recordings/nope/status"), "host")
        .await;
    assert_eq!(
        (st, e["error"]["code"].as_str()),
        (404, Some("RECORDING_NOT_FOUND"))
    );
}

#[tokio::test]
async fn rest_calls_and_room_creation_have_their_own_limits() {
    let mut settings = settings();
    settings.rooms.rate_limits = "api_call=3/60,room_create=1/3600".into();
    let s = spawn_with(settings);
    let mut a = s.connect("lim-1", "a").await;
    a.expect("room-state").await;
    for _ in 0..3 {
        let (st, _) = s.get("/webrtc/rooms/lim-1/participants", "a").await;
        assert_eq!(st, 200);
    }
    let (st, e) = s.get("/webrtc/rooms/lim-1/participants", "a").await;
    assert_eq!(
        (st, e["error"]["code"].as_str()),
        (429, Some("RATE_LIMIT_EXCEEDED"))
    );
    // Another user's budget is untouched.
    let mut b = s.connect("lim-1", "b").await;
    b.expect("room-state").await;
    let (st, _) = s.get("/webrtc/rooms/lim-1/participants", "b").await;
    assert_eq!(st, 200);
    // `a` created lim-1; creating a second room is refused, joining one is not.
    let mut a2 = s.connect("lim-2", "a").await;
    assert_eq!(a2.expect_error().await, "RATE_LIMIT_EXCEEDED");
    let mut b2 = s.connect("lim-2", "b").await;
    b2.expect("room-state").await;
    let mut a3 = s.connect("lim-2", "a").await;
    a3.expect("room-state").await;
    a.ping().await;
}

#[tokio::test]
async fn malformed_optional_bodies_are_refused_not_ignored() {
    let s = spawn();
    let mut host = s.connect("mb", "host").await;
    host.expect("room-state").await;
    let mut bob = s.connect("mb", "bob").await;
    bob.expect("room-state").await;
    let kick = "/webrtc/rooms/mb/participants/bob/kick";
    let json = Some("application/json");
    // A body that is there must parse, as an object: none of these is
    // "no ban" (`[true]` would be one to serde, which takes a struct from
    // an array of its fields).
    for (ct, body) in [
        (json, r#"{"ban":"yes"}"#),
        (json, "{not json"),
        (json, "[true]"),
        (json, "[]"),
        (json, "5"),
        (Some("text/plain"), r#"{"ban":true}"#),
    ] {
        let (st, e) = s.post_raw(kick, "host", ct, Some(body)).await;
        assert_eq!(
            (st, e["error"]["code"].as_str()),
            (422, Some("VALIDATION_ERROR")),
            "{body}: {e}"
        );
    }
    let (_, people) = s.get("/webrtc/rooms/mb/participants", "host").await;
    assert!(people.to_string().contains("\"bob\""), "{people}");
    // No body, an empty one, or `null` (the document's optional body)
    // still means "remove without a ban".
    for body in [None, Some(""), Some("null")] {
        let (st, r) = s.post_raw(kick, "host", json, body).await;
        assert_eq!((st, r["status"].as_str()), (200, Some("removed")), "{r}");
        assert_eq!(bob.expect_error().await, "KICKED");
        bob = s.connect("mb", "bob").await;
        bob.expect("room-state").await;
    }
    let (st, r) = s
        .post_raw(kick, "host", json, Some(r#"{"ban":true}"#))
        .await;
    assert_eq!((st, r["status"].as_str()), (200, Some("banned")), "{r}");
    // The same for starting a live stream or a recording: a malformed body
    // is an error, not the defaults.
    for (path, body) in [
        ("/webrtc/rooms/mb/live-streams/start", r#"{"title":5}"#),
        ("/webrtc/rooms/mb/recordings/start", r#"{"format":"avi"}"#),
        ("/webrtc/rooms/mb/recordings/start", "{"),
    ] {
        let (st, e) = s.post_raw(path, "host", json, Some(body)).await;
        assert_eq!(
            (st, e["error"]["code"].as_str()),
            (422, Some("VALIDATION_ERROR")),
            "{path} {body}: {e}"
        );
    }
    let (_, streams) = s.get("/webrtc/rooms/mb/live-streams", "host").await;
    assert_eq!(streams["live_streams"], json!([]), "{streams}");
}
