//! The seeds' own clients, unchanged: each test replays one seed document's
//! requests with its field names and reads the fields its client code reads.

use base64::Engine as _;
use serde_json::{Value, json};

use crate::support::*;

/// Uploads chunk `i` of `file` with its own checksum, as the seeds' chunk
/// senders do.
async fn send_chunk(s: &TestServer, room: &str, id: &str, i: usize, chunk: &[u8]) -> u16 {
    reqwest::Client::new()
        .put(s.http(&format!(
            "/webrtc/rooms/{room}/file-transfer/{id}/chunks/{i}"
        )))
        .bearer_auth(token("alice", None, None))
        .header("x-chunk-sha256", hex(chunk))
        .body(chunk.to_vec())
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn two_in(s: &TestServer, room: &str) -> (Client, Client) {
    let mut a = s.connect(room, "alice").await;
    a.expect("room-state").await;
    let mut b = s.connect(room, "bob").await;
    b.expect("room-state").await;
    (a, b)
}

/// Seed 000: an offer with `receiver_id`, `file_name`, `file_size` and
/// `file_type` and no checksum; progress read as `chunks_received` and
/// `total_chunks`; reconnection read as `missed_messages`. The transfer
/// says the whole file was not checked against anything, and the download
/// still carries the stored file's SHA-256.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seed_000_transfer_without_a_checksum_and_reconnect_with_missed_messages() {
    let s = spawn();
    let (mut a, mut b) = two_in(&s, "seed0").await;
    let file: Vec<u8> = (0..150_000u32).map(|i| (i % 251) as u8).collect();
    let (st, offer) = s
        .post(
            "/webrtc/rooms/seed0/file-transfer/offer",
            "alice",
            json!({"receiver_id": "bob", "file_name": "document.pdf",
                   "file_size": file.len(), "file_type": "application/pdf"}),
        )
        .await;
    assert_eq!(st, 201, "{offer}");
    assert_eq!(offer["file_checksum"], "not_offered");
    let id = offer["transfer_id"].as_str().unwrap().to_owned();
    let (st, _) = s
        .post(
            &format!("/webrtc/rooms/seed0/file-transfer/{id}/accept"),
            "bob",
            json!({}),
        )
        .await;
    assert_eq!(st, 200);
    let chunk = offer["chunk_size"].as_u64().unwrap() as usize;
    let chunks: Vec<&[u8]> = file.chunks(chunk).collect();
    // A chunk whose bytes differ from its own checksum is still refused.
    let bad = reqwest::Client::new()
        .put(s.http(&format!("/webrtc/rooms/seed0/file-transfer/{id}/chunks/0")))
        .bearer_auth(token("alice", None, None))
        .header("x-chunk-sha256", hex(b"other bytes"))
        .body(chunks[0].to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status().as_u16(), 422);
    let e: Value = bad.json().await.unwrap();
    assert_eq!(e["error"]["code"], "CHECKSUM_MISMATCH");
    assert_eq!(send_chunk(&s, "seed0", &id, 0, chunks[0]).await, 200);
    let (st, progress) = s
        .get(
            &format!("/webrtc/rooms/seed0/file-transfer/{id}/progress"),
            "alice",
        )
        .await;
    assert_eq!(st, 200);
    assert_eq!(
        (
            progress["chunks_received"].as_u64(),
            progress["total_chunks"].as_u64()
        ),
        (Some(1), Some(chunks.len() as u64))
    );
    for (i, c) in chunks.iter().enumerate().skip(1) {
        assert_eq!(send_chunk(&s, "seed0", &id, i, c).await, 200);
    }
    let (_, done) = s
        .get(
            &format!("/webrtc/rooms/seed0/file-transfer/{id}/progress"),
            "bob",
        )
        .await;
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(done["file_checksum"], "computed");
    assert_eq!(done["sha256"], hex(&file), "the stored file's digest");
    let got = reqwest::Client::new()
        .get(s.http(&format!("/webrtc/rooms/seed0/file-transfer/{id}/download")))
        .bearer_auth(token("bob", None, None))
        .send()
        .await
        .unwrap();
    assert_eq!(
        got.headers()["x-content-sha256"].to_str().unwrap(),
        hex(&file)
    );
    assert_eq!(got.bytes().await.unwrap().as_ref(), &file[..]);

    // Reconnection: what bob missed, under seed 000's name.
    let (st, before) = s.get("/webrtc/rooms/seed0/reconnect", "bob").await;
    assert_eq!(st, 200);
    let last = before["last_sequence"].as_u64().unwrap();
    for text in ["one", "two"] {
        a.send(json!({"type": "chat-message", "message": text}))
            .await;
        b.expect("chat-message").await;
    }
    let (_, r) = s
        .get(
            &format!("/webrtc/rooms/seed0/reconnect?last_sequence={last}"),
            "bob",
        )
        .await;
    let missed: Vec<&str> = r["missed_messages"]
        .as_array()
        .expect("missed_messages")
        .iter()
        .filter(|m| m["type"] == "chat-message")
        .map(|m| m["message"].as_str().unwrap())
        .collect();
    assert_eq!(missed, ["one", "two"], "{r}");
}

/// Seed 001: an offer with `filename` and `mime_type`; progress read as
/// `progress_percent` and `status`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seed_001_offer_with_filename_and_progress_with_status() {
    let s = spawn();
    let (_a, _b) = two_in(&s, "seed1").await;
    let (st, offer) = s
        .post(
            "/webrtc/rooms/seed1/file-transfer/offer",
            "alice",
            json!({"receiver_id": "bob", "filename": "notes.txt",
                   "file_size": 5, "mime_type": "text/plain"}),
        )
        .await;
    assert_eq!(st, 201, "{offer}");
    assert_eq!(
        (offer["file_name"].as_str(), offer["file_type"].as_str()),
        (Some("notes.txt"), Some("text/plain"))
    );
    let id = offer["transfer_id"].as_str().unwrap();
    let (_, p) = s
        .get(
            &format!("/webrtc/rooms/seed1/file-transfer/{id}/progress"),
            "bob",
        )
        .await;
    assert_eq!(
        (p["status"].as_str(), p["progress_percent"].as_f64()),
        (Some("pending"), Some(0.0))
    );
}

/// Seed 002: a recording chunk as JSON with its `chunk` field (and the
/// seed's other fields, which the server ignores).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seed_002_recording_chunk_field() {
    let s = spawn();
    let mut host = s.connect("seed2", "host").await;
    host.expect("room-state").await;
    let (st, r) = s
        .post("/webrtc/rooms/seed2/recordings/start", "host", json!({}))
        .await;
    assert_eq!(st, 201, "{r}");
    let id = r["recording_id"].as_str().unwrap();
    let bytes = b"\x1a\x45\xdf\xa3 webm bytes";
    let (st, ack): (u16, Value) = s
        .post(
            &format!("/webrtc/rooms/seed2/recordings/{id}/chunks"),
            "host",
            json!({"recordingId": id, "participantId": "host",
                   "chunk": base64::engine::general_purpose::STANDARD.encode(bytes),
                   "type": "video", "timestamp": 1234567890, "sequence": 1}),
        )
        .await;
    assert_eq!((st, ack["sequence"].as_u64()), (200, Some(1)), "{ack}");
}
