//! Issue 2: joining, relaying offer/answer/ICE, capacity, and bad input.

use serde_json::json;

use crate::support::*;

const SDP: &str = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=sendrecv\r\n";

#[tokio::test]
async fn two_peers_negotiate_and_see_join_and_leave() {
    let s = spawn();
    let mut a = s.connect("call", "alice").await;
    let st = a.expect("room-state").await;
    assert_eq!(st["you"], "alice");
    assert_eq!(st["participants"][0]["role"], "host", "first joiner hosts");

    let mut b = s.connect("call", "bob").await;
    let st = b.expect("room-state").await;
    assert_eq!(st["participants"].as_array().unwrap().len(), 2);
    let joined = a.expect("user-joined").await;
    assert_eq!(joined["participant"]["user_id"], "bob");
    assert_eq!(joined["participant"]["role"], "participant");

    a.send(json!({"type": "offer", "target": "bob", "sdp": SDP}))
        .await;
    let offer = b.expect("offer").await;
    assert_eq!(offer["from"], "alice");
    assert_eq!(offer["sdp"], SDP);

    b.send(json!({"type": "answer", "target": "alice", "sdp": SDP}))
        .await;
    assert_eq!(a.expect("answer").await["from"], "bob");

    let cand = json!({"candidate": "candidate:1 1 udp 2122260223 127.0.0.1 54321 typ host", "sdpMid": "0", "sdpMLineIndex": 0});
    a.send(json!({"type": "ice-candidate", "target": "bob", "candidate": cand}))
        .await;
    let got = b.expect("ice-candidate").await;
    assert_eq!(got["candidate"], cand);
    b.send(json!({"type": "ice-candidate", "target": "alice", "candidate": {"candidate": ""}}))
        .await;
    assert_eq!(a.expect("ice-candidate").await["from"], "bob");

    let (status, body) = s.get("/webrtc/rooms/call/participants", "alice").await;
    assert_eq!(status, 200);
    assert_eq!(body["count"], 2);

    b.close().await;
    let left = a.expect("user-left").await;
    assert_eq!(left["user_id"], "bob");
    a.ping().await;
}

#[tokio::test]
async fn third_peer_is_refused_when_capacity_is_two() {
    let mut cfg = settings();
    cfg.rooms.room_capacity = 2;
    let s = spawn_with(cfg);
    let mut a = s.connect("small", "a").await;
    a.expect("room-state").await;
    let mut b = s.connect("small", "b").await;
    b.expect("room-state").await;
    let mut c = s.connect("small", "c").await;
    assert_eq!(c.expect_error().await, "ROOM_FULL");
    assert_eq!(c.expect_close().await, Some(4403));
    // The two inside are untouched and can still talk.
    a.send(json!({"type": "offer", "target": "b", "sdp": SDP}))
        .await;
    b.expect("offer").await;
    let (_, body) = s.get("/webrtc/rooms/small/participants", "a").await;
    assert_eq!(body["count"], 2);
}

#[tokio::test]
async fn bad_frames_get_codes_and_harm_no_one() {
    let s = spawn();
    let mut a = s.connect("r", "a").await;
    a.expect("room-state").await;
    let mut b = s.connect("r", "b").await;
    b.expect("room-state").await;

    a.send_raw("{not json").await;
    assert_eq!(a.expect_error().await, "INVALID_MESSAGE");
    a.send_raw(r#"{"type":"teleport"}"#).await;
    assert_eq!(a.expect_error().await, "UNKNOWN_MESSAGE_TYPE");
    a.send_raw(r#"{"type":"user-joined"}"#).await;
    assert_eq!(a.expect_error().await, "UNSUPPORTED_MESSAGE_TYPE");
    a.send(json!({"type": "offer", "target": "ghost", "sdp": SDP}))
        .await;
    let e = a.expect("error").await;
    assert_eq!(e["code"], "USER_NOT_IN_ROOM");
    assert_eq!(e["in_reply_to"], "offer");
    a.send(json!({"type": "offer", "target": "a", "sdp": SDP}))
        .await;
    assert_eq!(a.expect_error().await, "INVALID_TARGET");
    a.send(json!({"type": "offer", "target": "b", "sdp": "hello"}))
        .await;
    assert_eq!(a.expect_error().await, "INVALID_SDP");
    a.send(json!({"type": "ice-candidate", "target": "b", "candidate": {"candidate": "nonsense"}}))
        .await;
    assert_eq!(a.expect_error().await, "INVALID_ICE_CANDIDATE");
    // Still connected after every error.
    a.ping().await;

    // An oversized message closes only the sender, with 1009.
    let mut c = s.connect("r", "c").await;
    c.expect("room-state").await;
    let big = format!(
        r#"{{"type":"chat-message","message":"{}"}}"#,
        "x".repeat(70 * 1024)
    );
    c.send_raw(&big).await;
    assert_eq!(c.expect_error().await, "MESSAGE_TOO_LARGE");
    assert_eq!(c.expect_close().await, Some(1009));

    assert_eq!(a.expect("user-left").await["user_id"], "c");
    a.send(json!({"type": "offer", "target": "b", "sdp": SDP}))
        .await;
    assert_eq!(b.expect("offer").await["from"], "a");
    b.ping().await;
}

#[tokio::test]
async fn token_problems_are_refused_before_upgrade() {
    let s = spawn();
    let mut a = s.connect("r", "a").await;
    a.expect("room-state").await;

    let http_status = |e: tokio_tungstenite::tungstenite::Error| match e {
        tokio_tungstenite::tungstenite::Error::Http(r) => {
            let body: serde_json::Value =
                serde_json::from_slice(r.body().as_deref().unwrap_or(b"null")).unwrap_or_default();
            (
                r.status().as_u16(),
                body["error"]["code"].as_str().unwrap_or("").to_owned(),
            )
        }
        other => panic!("expected an HTTP refusal, got {other}"),
    };
    // Missing token.
    let url = format!("ws://{}/webrtc/ws/r", s.addr);
    let e = tokio_tungstenite::connect_async(url).await.err().unwrap();
    assert_eq!(http_status(e), (401, "UNAUTHORIZED".into()));
    // Expired.
    let expired = auth::TokenMinter::hs256(SECRET.as_bytes())
        .mint_for("x", None, None, now() - 7200, 60)
        .unwrap();
    let e = s.connect_token("r", &expired).await.err().unwrap();
    assert_eq!(http_status(e), (401, "TOKEN_EXPIRED".into()));
    // Forged.
    let forged = auth::TokenMinter::hs256(b"some-other-secret-some-other")
        .mint_for("x", None, None, now(), 60)
        .unwrap();
    let e = s.connect_token("r", &forged).await.err().unwrap();
    assert_eq!(http_status(e), (401, "INVALID_TOKEN".into()));
    // A token for room A used in room B.
    let other_room = token("x", Some("A"), None);
    let e = s.connect_token("r", &other_room).await.err().unwrap();
    assert_eq!(http_status(e), (403, "ROOM_ACCESS_DENIED".into()));
    // Bad room id.
    let e = s
        .connect_token("..", &token("x", None, None))
        .await
        .err()
        .unwrap();
    assert_eq!(http_status(e).0, 400);

    a.ping().await;
}

#[tokio::test]
async fn ice_config_includes_coturn_compatible_turn_credentials() {
    let mut cfg = settings();
    cfg.ice.turn_urls = vec!["turn:turn.example.org:3478".into()];
    cfg.ice.turn_secret = Some("north".parse().unwrap());
    cfg.ice.turn_ttl_secs = 600;
    let s = spawn_with(cfg);
    let (status, body) = s.get("/webrtc/config", "alice").await;
    assert_eq!(status, 200);
    let turn = &body["iceServers"][1];
    let username = turn["username"].as_str().unwrap();
    let (expiry, user) = username.split_once(':').unwrap();
    assert_eq!(user, "alice");
    let expiry: i64 = expiry.parse().unwrap();
    assert!((expiry - now() - 600).abs() <= 5);
    let expected = auth::turn::credentials(b"north", "alice", expiry - 600, 600);
    assert_eq!(turn["credential"], expected.credential);
    // TURN credentials need a token.
    let r = reqwest::get(s.http("/webrtc/config")).await.unwrap();
    assert_eq!(r.status().as_u16(), 401);
}

#[tokio::test]
async fn same_user_reconnecting_replaces_the_old_connection() {
    let s = spawn();
    let mut a1 = s.connect("r", "a").await;
    a1.expect("room-state").await;
    let mut b = s.connect("r", "b").await;
    b.expect("room-state").await;
    let mut a2 = s.connect("r", "a").await;
    a2.expect("room-state").await;
    assert_eq!(a1.expect_error().await, "SESSION_REPLACED");
    assert_eq!(a1.expect_close().await, Some(4409));
    // b sees a rejoin, not a departure; a2 keeps host role.
    let j = b.expect("user-joined").await;
    assert_eq!(j["participant"]["user_id"], "a");
    assert_eq!(j["participant"]["role"], "host");
    b.send(json!({"type": "offer", "target": "a", "sdp": SDP}))
        .await;
    assert_eq!(a2.expect("offer").await["from"], "b");
    let (_, body) = s.get("/webrtc/rooms/r/participants", "b").await;
    assert_eq!(body["count"], 2);
}

#[tokio::test]
async fn connections_per_user_and_per_address_are_limited() {
    let mut settings = settings();
    settings.ws.max_connections_per_user = 2;
    settings.ws.max_connections_per_ip = 3;
    let s = spawn_with(settings);
    let status = |e: tokio_tungstenite::tungstenite::Error| match e {
        tokio_tungstenite::tungstenite::Error::Http(r) => {
            let body =
                String::from_utf8_lossy(r.body().as_deref().unwrap_or_default()).into_owned();
            (r.status().as_u16(), body)
        }
        other => panic!("expected an HTTP refusal, got {other}"),
    };
    let mut a1 = s.connect("lim-a", "u").await;
    a1.expect("room-state").await;
    let mut a2 = s.connect("lim-b", "u").await;
    a2.expect("room-state").await;
    let e = s
        .connect_token("lim-c", &token("u", None, None))
        .await
        .err()
        .expect("refused");
    let (st, body) = status(e);
    assert_eq!(st, 429);
    assert!(body.contains("TOO_MANY_CONNECTIONS"), "{body}");
    // Another user from the same address still fits (3 per address).
    let mut v = s.connect("lim-a", "v").await;
    v.expect("room-state").await;
    let e = s
        .connect_token("lim-a", &token("w", None, None))
        .await
        .err()
        .expect("refused");
    assert_eq!(status(e).0, 429, "the address is full");
    // A place frees up when a connection closes.
    a2.close().await;
    let mut w = s.connect("lim-a", "w").await;
    w.expect("room-state").await;
    a1.ping().await;
}

/// An instance holds at most `RTC_MAX_CONNECTIONS` WebSocket connections:
/// one more is refused before the upgrade with 503
/// `MAX_PARTICIPANTS_REACHED`, whoever it is from, and a place frees up when
/// a connection closes.
#[tokio::test]
async fn an_instance_holds_at_most_its_connection_limit() {
    let mut settings = settings();
    settings.ws.max_connections = 2;
    let s = spawn_with(settings);
    let mut a = s.connect("full-a", "a").await;
    a.expect("room-state").await;
    let mut b = s.connect("full-b", "b").await;
    b.expect("room-state").await;
    let e = s
        .connect_token("full-c", &token("c", None, None))
        .await
        .err()
        .expect("refused");
    let tokio_tungstenite::tungstenite::Error::Http(r) = e else {
        panic!("expected an HTTP refusal, got {e}")
    };
    let body = String::from_utf8_lossy(r.body().as_deref().unwrap_or_default()).into_owned();
    assert_eq!(r.status().as_u16(), 503);
    assert!(body.contains("MAX_PARTICIPANTS_REACHED"), "{body}");
    b.close().await;
    let mut c = s.connect("full-c", "c").await;
    c.expect("room-state").await;
    a.ping().await;
}

/// What Chromium's `createOffer` gives for a microphone, a camera and a
/// data channel (abridged: codecs, candidates and extensions cut).
const CHROMIUM_OFFER: &str = "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1 2\r\na=extmap-allow-mixed\r\na=msid-semantic: WMS 8f1c\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111 63\r\nc=IN IP4 0.0.0.0\r\na=rtcp:9 IN IP4 0.0.0.0\r\na=ice-ufrag:Wq3n\r\na=ice-pwd:4hGv9o1cZq2tJdQm0yQkS1pV\r\na=ice-options:trickle\r\na=fingerprint:sha-256 12:34:56:78:9A:BC:DE:F0:12:34:56:78:9A:BC:DE:F0:12:34:56:78:9A:BC:DE:F0:12:34:56:78:9A:BC:DE:F0\r\na=setup:actpass\r\na=mid:0\r\na=sendrecv\r\na=msid:8f1c 1b2e\r\na=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\na=ssrc:1001 cname:x\r\nm=video 9 UDP/TLS/RTP/SAVPF 96 97\r\nc=IN IP4 0.0.0.0\r\na=mid:1\r\na=sendrecv\r\na=msid:8f1c 3c4d\r\na=rtcp-mux\r\na=rtcp-rsize\r\na=rtpmap:96 VP8/90000\r\na=rtpmap:97 rtx/90000\r\na=fmtp:97 apt=96\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\na=mid:2\r\na=sctp-port:5000\r\na=max-message-size:262144\r\n";

#[tokio::test]
async fn sdp_is_checked_per_media_section_over_the_socket() {
    let s = spawn();
    let mut host = s.connect("sdp", "host").await;
    host.expect("room-state").await;
    let mut viewer = s.connect_as("sdp", "viewer", Some("viewer")).await;
    viewer.expect("room-state").await;
    host.expect("user-joined").await;
    // No direction attribute means sendrecv (RFC 3264): a viewer may not
    // send that, as an offer or as an answer.
    let silent = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\n";
    for ty in ["offer", "answer"] {
        viewer
            .send(json!({"type": ty, "target": "host", "sdp": silent}))
            .await;
        let e = viewer.expect("error").await;
        assert_eq!(e["code"], "MEDIA_NOT_ALLOWED", "{e}");
        assert_eq!(e["in_reply_to"], ty);
        assert!(e["message"].as_str().unwrap().contains("m=audio"), "{e}");
    }
    // Nor a direction given only at session level.
    let session = silent.replace("t=0 0\r\n", "t=0 0\r\na=sendrecv\r\n");
    viewer
        .send(json!({"type": "offer", "target": "host", "sdp": session}))
        .await;
    assert_eq!(viewer.expect_error().await, "MEDIA_NOT_ALLOWED");
    // Receive-only with a data channel is relayed.
    let recv = CHROMIUM_OFFER.replace("a=sendrecv", "a=recvonly");
    viewer
        .send(json!({"type": "offer", "target": "host", "sdp": recv}))
        .await;
    assert_eq!(host.expect("offer").await["sdp"], recv.as_str());
    host.ping().await;
    assert!(
        host.backlog()
            .iter()
            .all(|m| m["type"] != "offer" && m["type"] != "answer"),
        "nothing refused reached the host: {:?}",
        host.backlog()
    );
    // Chromium's own offer passes for someone who may publish.
    let mut guest = s.connect("sdp", "guest").await;
    guest.expect("room-state").await;
    guest
        .send(json!({"type": "offer", "target": "host", "sdp": CHROMIUM_OFFER}))
        .await;
    assert_eq!(host.expect("offer").await["from"], "guest");
}
