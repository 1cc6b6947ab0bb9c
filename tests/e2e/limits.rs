//! Limits with clear errors: a slow consumer is cut off without slowing its
//! room, idle and silent connections are closed, oversized bodies refused.

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use serde_json::{Value, json};
use tokio::io::AsyncReadExt;
use tokio_tungstenite::tungstenite::Message;

use crate::support::*;

fn offer(target: &str, pad: usize) -> Value {
    let sdp = format!(
        "v=0\r\na=x-pad:{}\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=sendrecv\r\n",
        "x".repeat(pad)
    );
    json!({"type": "offer", "target": target, "sdp": sdp})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_consumer_is_cut_off_and_its_room_keeps_flowing() {
    let mut settings = settings();
    settings.ws.send_queue = 16;
    settings.rooms.rate_limits = "signaling=1000000/60".into();
    let s = spawn_with(settings);
    let mut tx = s.connect("slow", "sender").await;
    tx.expect("room-state").await;
    let mut fast = s.connect("slow", "fast").await;
    fast.expect("room-state").await;
    let mut slow = s.connect("slow", "slow").await; // never reads until the end
    slow.expect("room-state").await;

    // 30 KB offers to the slow one fill its socket and then its queue; a
    // small offer to the fast one after each must still arrive at once.
    let started = Instant::now();
    let mut worst = Duration::ZERO;
    for i in 0..600 {
        tx.send(offer("slow", 30_000)).await;
        tx.send(offer("fast", 10)).await;
        let t = Instant::now();
        let m = fast.expect("offer").await;
        assert_eq!(m["from"], "sender", "{i}");
        worst = worst.max(t.elapsed());
    }
    assert!(
        worst < Duration::from_secs(1),
        "the fast peer waited {worst:?}"
    );
    let (_, m) = s.get("/webrtc/webrtc-metrics", "sender").await;
    assert!(
        m["this_instance"]["slow_consumer_closes"].as_u64().unwrap() >= 1,
        "no slow consumer was cut off after {:?}: {m}",
        started.elapsed()
    );
    // The slow one finds, after what was buffered, the reason and the close.
    // When even the close frame does not fit in its full socket, the slow
    // one sees the connection end instead; what it must never see is a
    // connection that stays open.
    let mut last_error = None;
    let mut close = None;
    let mut ended = false;
    loop {
        match tokio::time::timeout(Duration::from_secs(5), slow.ws.next()).await {
            Ok(Some(Ok(Message::Text(t)))) if t.contains("\"type\":\"error\"") => {
                last_error = Some(t.to_string())
            }
            Ok(Some(Ok(Message::Close(f)))) => {
                close = f.map(|f| u16::from(f.code));
                break;
            }
            Ok(Some(Ok(_))) => {}
            Ok(Some(Err(_)) | None) => {
                ended = true;
                break;
            }
            Err(_) => break, // still open after 5 s of silence
        }
    }
    assert!(
        last_error
            .as_deref()
            .is_some_and(|e| e.contains("SLOW_CONSUMER"))
            || close == Some(4503)
            || ended,
        "still open: error {last_error:?}, close {close:?}"
    );
    // The room goes on: the sender still reaches the fast peer.
    tx.send(offer("fast", 10)).await;
    fast.expect("offer").await;
}

#[tokio::test]
async fn an_idle_connection_is_closed_with_idle_timeout() {
    let mut settings = settings();
    settings.ws.heartbeat_secs = 1;
    settings.ws.idle_timeout_secs = 2;
    let s = spawn_with(settings);
    let mut c = s.connect("idle", "sleepy").await;
    c.expect("room-state").await;
    // Not reading means not answering the server's pings either. The
    // first ping comes within the first heartbeat (its point is spread by
    // the connection id), the close at the first tick past the idle
    // timeout: between 2.5 and 3 s. Read soon after, while the server
    // still holds the socket (a late reader's pongs meet a reset).
    tokio::time::sleep(Duration::from_millis(3100)).await;
    assert_eq!(c.expect_error().await, "IDLE_TIMEOUT");
    assert_eq!(c.expect_close().await, Some(4408));
    // A client that answers stays.
    let mut d = s.connect("idle", "awake").await;
    d.expect("room-state").await;
    for _ in 0..4 {
        tokio::time::sleep(Duration::from_millis(900)).await;
        d.ping().await;
    }
}

#[tokio::test]
async fn a_connection_that_never_sends_a_request_is_dropped() {
    let mut settings = settings();
    settings.http.handshake_timeout_secs = 1;
    let s = spawn_with(settings);
    let mut sock = tokio::net::TcpStream::connect(s.addr).await.unwrap();
    let started = Instant::now();
    let mut buf = [0u8; 256];
    let n = tokio::time::timeout(Duration::from_secs(5), sock.read(&mut buf))
        .await
        .expect("closed within 5 s")
        .unwrap_or(0);
    // Closed (EOF) or answered 408, after about the timeout.
    let head = String::from_utf8_lossy(&buf[..n]);
    assert!(n == 0 || head.starts_with("HTTP/1.1 408"), "{head}");
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn an_oversized_request_body_gets_413() {
    let s = spawn();
    let mut a = s.connect("big", "a").await;
    a.expect("room-state").await;
    let huge = json!({"display_name": "x".repeat(300 * 1024)});
    let (st, body) = s
        .post("/webrtc/rooms/big/participants/a/info", "a", huge)
        .await;
    assert_eq!(
        (st, body["error"]["code"].as_str()),
        (413, Some("MESSAGE_TOO_LARGE"))
    );
    a.ping().await;
}

/// Relays count against a per-connection `signaling` bucket: past it, the
/// sender gets `RATE_LIMIT_EXCEEDED` with a retry-after and its session
/// stays open (a chat message still goes through); the peer got exactly
/// the relays that passed; the REST status says the limit is counted per
/// connection.
#[tokio::test]
async fn relays_past_the_connection_limit_are_refused_and_the_session_goes_on() {
    let mut settings = settings();
    settings.rooms.rate_limits = "signaling=5/60".into();
    let s = spawn_with(settings);
    let mut a = s.connect("burst", "a").await;
    a.expect("room-state").await;
    let mut b = s.connect("burst", "b").await;
    b.expect("room-state").await;
    a.expect("user-joined").await;
    for _ in 0..6 {
        a.send(offer("b", 10)).await;
    }
    let e = a.expect("error").await;
    assert_eq!(
        (e["code"].as_str(), e["in_reply_to"].as_str()),
        (Some("RATE_LIMIT_EXCEEDED"), Some("offer"))
    );
    assert!(e["retry_after"].as_u64().unwrap() >= 1, "{e}");
    a.send(json!({"type": "chat-message", "message": "still here"}))
        .await;
    let mut offers = 0;
    loop {
        let crate::support::Next::Msg(m) = b.next().await else {
            panic!("b was closed")
        };
        match m["type"].as_str() {
            Some("offer") => offers += 1,
            Some("chat-message") => break,
            _ => {}
        }
    }
    assert_eq!(offers, 5);
    let (st, status) = s.get("/webrtc/rate-limits/signaling/status", "a").await;
    assert_eq!(st, 200);
    assert_eq!(
        (status["scope"].as_str(), status["limit"].as_u64()),
        (Some("connection"), Some(5))
    );
}
