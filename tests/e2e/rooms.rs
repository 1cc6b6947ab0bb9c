//! Rooms and moderation over real HTTP and WebSocket.

use serde_json::json;

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
