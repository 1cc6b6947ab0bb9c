//! Unit tests: the wire form of client messages, and resume/goodbye against
//! a scripted WebSocket server.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use signaling_core::protocol::{ServerMessage, decode};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};

use crate::{Client, Event, Options, encode};

/// One example of every message type a client may send (the list of
/// signaling-core's decoder test, plus optional fields).
const CLIENT_EXAMPLES: &[&str] = &[
    r#"{"type":"offer","target":"b","sdp":"v=0"}"#,
    r#"{"type":"answer","to":"b","sdp":"v=0"}"#,
    r#"{"type":"ice-candidate","target":"b","candidate":{"candidate":"c","sdpMid":"0","sdpMLineIndex":0}}"#,
    r#"{"type":"media-control","kind":"audio","muted":true,"target":"b"}"#,
    r#"{"type":"screen-share-control","action":"start"}"#,
    r#"{"type":"chat-message","message":"hi","to":"b"}"#,
    r#"{"type":"recording-control","action":"start","format":"mp4","quality":"high"}"#,
    r#"{"type":"file-share-offer","target":"b","transfer_id":"t"}"#,
    r#"{"type":"file-share-accept","target":"b","transfer_id":"t"}"#,
    r#"{"type":"file-share-reject","target":"b","transfer_id":"t"}"#,
    r#"{"type":"file-share-progress","target":"b","transfer_id":"t","bytes_transferred":5}"#,
    r#"{"type":"file-share-complete","target":"b","transfer_id":"t"}"#,
    r#"{"type":"network-stats","latency_ms":20,"packet_loss_percent":0.5}"#,
    r#"{"type":"analytics-event","event_type":"x","data":{"a":[1]}}"#,
    r#"{"type":"participant-update","display_name":"Al","device_info":{"browser":"b","os":"o","device_type":"desktop"}}"#,
    r#"{"type":"room-settings-update","locked":true,"max_participants":3}"#,
    r#"{"type":"hand-raise","raised":true}"#,
    r#"{"type":"waiting-room-admit","user_id":"b"}"#,
    r#"{"type":"waiting-room-reject","user_id":"b"}"#,
    r#"{"type":"reaction","emoji":"👍"}"#,
    r#"{"type":"breakout-room-create","name":"A"}"#,
    r#"{"type":"breakout-room-assign","breakout_room_id":"br-1","user_id":"b"}"#,
    r#"{"type":"breakout-room-assign","breakout_room_id":null,"user_id":"b"}"#,
    r#"{"type":"breakout-room-close","breakout_room_id":"br-1"}"#,
    r#"{"type":"virtual-background-update","background":{"mode":"image","image":"bg-3"}}"#,
    r#"{"type":"live-stream-start","title":"T"}"#,
    r#"{"type":"live-stream-stop","stream_id":"s"}"#,
    r#"{"type":"e2ee-key-exchange","target":"b","key_id":1,"public_key":"AAAA","algorithm":"X25519"}"#,
    r#"{"type":"e2ee-ratchet-update","key_id":1,"generation":2,"encrypted_key":"AAAA"}"#,
    r#"{"type":"ping","ts":42}"#,
    r#"{"type":"media-offer","sdp":"v=0\r\n","sources":{"0":"microphone","1":"screen"}}"#,
    r#"{"type":"media-answer","sdp":"v=0\r\n"}"#,
    r#"{"type":"subscription-update","tracks":[{"mid":"3","width":320,"height":180},{"mid":"4","paused":true}]}"#,
    r#"{"type":"typing","active":true,"to":"b"}"#,
    r#"{"type":"chat-edit","message_id":"m1","message":"new"}"#,
    r#"{"type":"chat-delete","message_id":"m1"}"#,
    r#"{"type":"reaction","emoji":"👍","message_id":"m1","active":false}"#,
    r#"{"type":"chat-read","message_id":"m1"}"#,
];

#[test]
fn every_client_message_round_trips_through_the_servers_decoder() {
    let mut types = std::collections::HashSet::new();
    for example in CLIENT_EXAMPLES {
        let message = decode(example).unwrap_or_else(|e| panic!("{example}: {e}"));
        let frame = encode(&message);
        let again = decode(&frame).unwrap_or_else(|e| panic!("{frame}: {e}"));
        assert_eq!(again, message, "{example} -> {frame}");
        types.insert(message.message_type());
    }
    for t in signaling_core::protocol::MessageType::ALL {
        if t.direction() != signaling_core::protocol::Direction::ServerToClient {
            assert!(types.contains(t), "no example for {}", t.as_str());
        }
    }
}

/// A scripted server: each accepted connection reports its request URI
/// and is handed to the test as a WebSocket.
struct FakeServer {
    base: String,
    conns: mpsc::UnboundedReceiver<(
        String,
        tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>,
    )>,
}

// The handshake callback's error type is tungstenite's.
#[allow(clippy::result_large_err)]
async fn fake_server() -> FakeServer {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (tx, conns) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let (uri_tx, uri_rx) = std::sync::mpsc::channel();
            let cb = move |req: &Request, resp: Response| {
                uri_tx.send(req.uri().to_string()).unwrap();
                Ok(resp)
            };
            if let Ok(ws) = tokio_tungstenite::accept_hdr_async(tcp, cb).await {
                let _ = tx.send((uri_rx.recv().unwrap(), ws));
            }
        }
    });
    FakeServer { base, conns }
}

impl FakeServer {
    async fn accept(
        &mut self,
    ) -> (
        String,
        tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>,
    ) {
        tokio::time::timeout(Duration::from_secs(5), self.conns.recv())
            .await
            .expect("a connection within 5 s")
            .unwrap()
    }
}

fn chat(seq: u64, text: &str) -> Message {
    Message::Text(
        format!(
            r#"{{"seq":{seq},"type":"chat-message","id":"{seq}","room_id":"r","from":"bob","from_name":"Bob","message":"{text}","timestamp":"2026-01-01T00:00:00Z"}}"#
        )
        .into(),
    )
}

async fn next_chat(c: &mut Client) -> String {
    c.wait_for(Duration::from_secs(5), |m| match m {
        ServerMessage::ChatMessage(r) => Some(r.message),
        _ => None,
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn a_drop_resumes_after_the_last_seq_and_skips_replayed_duplicates() {
    let mut server = fake_server().await;
    let opts = Options::new(&server.base, "r", "tok")
        .backoff(Duration::from_millis(20), Duration::from_millis(50));
    let mut client = Client::connect_with(opts).await.unwrap();
    let (uri, mut ws) = server.accept().await;
    assert_eq!(uri, "/webrtc/ws/r?token=tok");
    ws.send(chat(1, "one")).await.unwrap();
    ws.send(chat(2, "two")).await.unwrap();
    assert_eq!(next_chat(&mut client).await, "one");
    assert_eq!(next_chat(&mut client).await, "two");
    // The network goes away (no close frame).
    drop(ws);
    let (uri, mut ws) = server.accept().await;
    assert_eq!(uri, "/webrtc/ws/r?token=tok&last_sequence=2");
    // The replay overlaps what we had: 2 again, then 3.
    ws.send(Message::Text(
        r#"{"type":"reconnection-detected","missed_message_count":2,"last_sequence":3}"#.into(),
    ))
    .await
    .unwrap();
    ws.send(chat(2, "two")).await.unwrap();
    ws.send(chat(3, "three")).await.unwrap();
    ws.send(chat(4, "after")).await.unwrap();
    let mut seen = Vec::new();
    while seen.last().map(String::as_str) != Some("after") {
        match client.next_event().await.unwrap() {
            Event::Message(ServerMessage::ReconnectionDetected { .. }) => {
                seen.push("detected".to_owned())
            }
            Event::Message(ServerMessage::ChatMessage(r)) => seen.push(r.message),
            _ => {}
        }
    }
    assert_eq!(seen, ["detected", "three", "after"]);
    assert_eq!(client.last_sequence(), 4);
}

#[tokio::test]
async fn a_goodbye_closes_with_1000_and_never_reconnects() {
    let mut server = fake_server().await;
    let opts = Options::new(&server.base, "r", "tok")
        .backoff(Duration::from_millis(20), Duration::from_millis(50));
    let client = Client::connect_with(opts).await.unwrap();
    let (_, mut ws) = server.accept().await;
    let server_side = tokio::spawn(async move {
        loop {
            match ws.next().await {
                Some(Ok(Message::Close(f))) => return f.map(|f| u16::from(f.code)),
                Some(Ok(_)) => {}
                _ => return None,
            }
        }
    });
    client.close().await;
    assert_eq!(server_side.await.unwrap(), Some(1000));
    let again = tokio::time::timeout(Duration::from_millis(500), server.conns.recv()).await;
    assert!(again.is_err(), "a goodbye must not reconnect");
}

#[tokio::test]
async fn a_refusal_close_code_ends_the_client_without_reconnecting() {
    let mut server = fake_server().await;
    let opts = Options::new(&server.base, "r", "tok")
        .backoff(Duration::from_millis(20), Duration::from_millis(50));
    let mut client = Client::connect_with(opts).await.unwrap();
    let (_, mut ws) = server.accept().await;
    use tokio_tungstenite::tungstenite::protocol::CloseFrame;
    ws.close(Some(CloseFrame {
        code: 4409.into(),
        reason: "replaced".into(),
    }))
    .await
    .unwrap();
    let mut last = None;
    while let Some(e) = client.next_event().await {
        last = Some(e);
    }
    assert!(
        matches!(
            last,
            Some(Event::Closed {
                code: Some(4409),
                ..
            })
        ),
        "{last:?}"
    );
    let again = tokio::time::timeout(Duration::from_millis(300), server.conns.recv()).await;
    assert!(again.is_err(), "4409 must not reconnect");
}

#[tokio::test]
async fn a_refused_handshake_names_the_servers_code() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let (mut tcp, _) = listener.accept().await.unwrap();
        let mut buf = [0u8; 2048];
        let _ = tcp.read(&mut buf).await;
        let body = r#"{"error":{"code":"TOKEN_EXPIRED","message":"expired","hint":"h"}}"#;
        let resp = format!(
            "HTTP/1.1 401 Unauthorized\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
        tcp.write_all(resp.as_bytes()).await.unwrap();
    });
    let err = Client::connect(&base, "r", "tok").await.err().unwrap();
    assert_eq!(
        err.code(),
        Some(signaling_core::ErrorCode::TokenExpired),
        "{err}"
    );
}
