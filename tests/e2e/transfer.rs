//! File transfer with real bytes over HTTP: upload, verify, resume after a
//! restart, download with ranges; limits and bad input.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::*;

fn data(n: usize, seed: u8) -> Vec<u8> {
    (0..n)
        .map(|i| ((i * 31 + seed as usize) % 253) as u8)
        .collect()
}

async fn req(
    s: &TestServer,
    method: reqwest::Method,
    path: &str,
    user: &str,
) -> reqwest::RequestBuilder {
    reqwest::Client::new()
        .request(method, s.http(path))
        .bearer_auth(token(user, None, None))
}

async fn put_chunk(
    s: &TestServer,
    room: &str,
    id: &str,
    i: usize,
    bytes: &[u8],
    sha: &str,
) -> (u16, Value) {
    let r = req(
        s,
        reqwest::Method::PUT,
        &format!("/webrtc/rooms/{room}/file-transfer/{id}/chunks/{i}"),
        "alice",
    )
    .await
    .header("x-chunk-sha256", sha)
    .body(bytes.to_vec())
    .send()
    .await
    .unwrap();
    let st = r.status().as_u16();
    (st, r.json().await.unwrap_or(Value::Null))
}

async fn offer(s: &TestServer, room: &str, file: &[u8], chunk: usize) -> String {
    let (st, t) = s
        .post(
            &format!("/webrtc/rooms/{room}/file-transfer/offer"),
            "alice",
            json!({"receiver": "bob", "file_name": "big.bin", "file_size": file.len(),
                   "file_type": "application/octet-stream", "sha256": hex(file), "chunk_size": chunk}),
        )
        .await;
    assert_eq!(st, 201, "{t}");
    t["transfer_id"].as_str().unwrap().to_owned()
}

async fn two_in(s: &TestServer, room: &str) -> (Client, Client) {
    let mut a = s.connect(room, "alice").await;
    a.expect("room-state").await;
    let mut b = s.connect(room, "bob").await;
    b.expect("room-state").await;
    (a, b)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_100_mib_file_arrives_intact_and_strangers_see_nothing() {
    let s = spawn();
    let (mut alice, mut bob) = two_in(&s, "ft").await;
    let mut carol = s.connect("ft", "carol").await;
    carol.expect("room-state").await;
    const MIB: usize = 1024 * 1024;
    let file = data(100 * MIB, 7);
    let id = offer(&s, "ft", &file, MIB).await;
    let o = bob.expect("file-share-offer").await;
    assert_eq!(
        (
            o["transfer_id"].as_str(),
            o["transfer"]["file_name"].as_str()
        ),
        (Some(id.as_str()), Some("big.bin"))
    );
    let (st, _) = s
        .post(
            &format!("/webrtc/rooms/ft/file-transfer/{id}/accept"),
            "bob",
            json!({}),
        )
        .await;
    assert_eq!(st, 200);
    alice.expect("file-share-accept").await;
    // A corrupted chunk is refused and not stored.
    let mut bad = file[..MIB].to_vec();
    bad[10] ^= 0xff;
    let (st, e) = put_chunk(&s, "ft", &id, 0, &bad, &hex(&file[..MIB])).await;
    assert_eq!(
        (st, e["error"]["code"].as_str()),
        (422, Some("CHECKSUM_MISMATCH"))
    );
    for (i, c) in file.chunks(MIB).enumerate().rev() {
        let (st, ack) = put_chunk(&s, "ft", &id, i, c, &hex(c)).await;
        assert_eq!(st, 200, "{ack}");
    }
    let done = bob.expect("file-share-complete").await;
    assert_eq!(done["transfer"]["state"], "completed");
    // A third user cannot see or fetch it.
    let (st, e) = s
        .get(
            &format!("/webrtc/rooms/ft/file-transfer/{id}/progress"),
            "carol",
        )
        .await;
    assert_eq!(
        (st, e["error"]["code"].as_str()),
        (404, Some("TRANSFER_NOT_FOUND"))
    );
    let r = req(
        &s,
        reqwest::Method::GET,
        &format!("/webrtc/rooms/ft/file-transfer/{id}/download"),
        "carol",
    )
    .await
    .send()
    .await
    .unwrap();
    assert_eq!(r.status().as_u16(), 404);
    // The receiver gets exactly the bytes.
    let r = req(
        &s,
        reqwest::Method::GET,
        &format!("/webrtc/rooms/ft/file-transfer/{id}/download"),
        "bob",
    )
    .await
    .send()
    .await
    .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.headers()["accept-ranges"], "bytes");
    let got = r.bytes().await.unwrap();
    assert_eq!(got.len(), file.len());
    assert_eq!(hex(&got), hex(&file));
    let r = req(
        &s,
        reqwest::Method::GET,
        &format!("/webrtc/rooms/ft/file-transfer/{id}/download"),
        "bob",
    )
    .await
    .header("range", format!("bytes={}-{}", MIB - 10, MIB + 9))
    .send()
    .await
    .unwrap();
    assert_eq!(r.status().as_u16(), 206);
    assert_eq!(
        r.headers()["content-range"],
        format!("bytes {}-{}/{}", MIB - 10, MIB + 9, file.len())
    );
    assert_eq!(&r.bytes().await.unwrap()[..], &file[MIB - 10..MIB + 10]);
    let r = req(
        &s,
        reqwest::Method::GET,
        &format!("/webrtc/rooms/ft/file-transfer/{id}/download"),
        "bob",
    )
    .await
    .header("range", format!("bytes={}-", file.len() + 5))
    .send()
    .await
    .unwrap();
    assert_eq!(r.status().as_u16(), 416);
    let (_, list) = s.get("/webrtc/file-transfers", "bob").await;
    assert_eq!(list["transfers"][0]["transfer_id"], id.as_str());
    let (_, list) = s.get("/webrtc/file-transfers", "carol").await;
    assert_eq!(list["count"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_restart_mid_upload_only_the_missing_chunks_are_sent() {
    let (url, prefix) = (redis_url(), format!("ft{}:", uuid::Uuid::new_v4().simple()));
    let dir = std::env::temp_dir().join(format!("rtc-ft-{}", uuid::Uuid::new_v4()));
    let mk = || {
        let mut st = cluster_settings(&url, &prefix);
        st.store.storage = server::config::StorageKind::Local;
        st.store.data_dir = dir.clone();
        spawn_with(st)
    };
    let a = mk();
    let (_alice, mut bob) = two_in(&a, "rs").await;
    let file = data(2 * 1024 * 1024 + 123, 3);
    let id = offer(&a, "rs", &file, 64 * 1024).await;
    bob.expect("file-share-offer").await;
    a.post(
        &format!("/webrtc/rooms/rs/file-transfer/{id}/accept"),
        "bob",
        json!({}),
    )
    .await;
    let chunks: Vec<&[u8]> = file.chunks(64 * 1024).collect();
    assert_eq!(chunks.len(), 33);
    for i in (0..33).step_by(2) {
        let (st, _) = put_chunk(&a, "rs", &id, i, chunks[i], &hex(chunks[i])).await;
        assert_eq!(st, 200);
    }
    a.kill().await;
    drop(bob);
    let b = mk();
    // The same users come back to the new server.
    let (_alice, _bob) = two_in(&b, "rs").await;
    let (st, m) = b
        .get(
            &format!("/webrtc/rooms/rs/file-transfer/{id}/missing"),
            "alice",
        )
        .await;
    assert_eq!(st, 200, "{m}");
    let missing: Vec<usize> = m["missing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap() as usize)
        .collect();
    assert_eq!(
        missing,
        (1..33).step_by(2).collect::<Vec<_>>(),
        "verified chunks survived"
    );
    for i in missing {
        let (st, ack) = put_chunk(&b, "rs", &id, i, chunks[i], &hex(chunks[i])).await;
        assert_eq!(st, 200, "{ack}");
        assert_eq!(ack["duplicate"], false);
    }
    let r = req(
        &b,
        reqwest::Method::GET,
        &format!("/webrtc/rooms/rs/file-transfer/{id}/download"),
        "bob",
    )
    .await
    .send()
    .await
    .unwrap();
    assert_eq!(hex(&r.bytes().await.unwrap()), hex(&file));
}

#[tokio::test]
async fn limits_bad_names_and_expiry() {
    let mut settings = settings();
    settings.transfers.transfer_ttl_secs = 1;
    settings.redis.instance_ttl_secs = 1;
    settings.transfers.transfer_max_bytes = 10_000_000;
    let dir = std::env::temp_dir().join(format!("rtc-ft-{}", uuid::Uuid::new_v4()));
    settings.store.storage = server::config::StorageKind::Local;
    settings.store.data_dir = dir.clone();
    let s = spawn_with(settings);
    let (_alice, _bob) = two_in(&s, "lim").await;
    let path = "/webrtc/rooms/lim/file-transfer/offer";
    let base =
        json!({"receiver": "bob", "file_name": "ok.txt", "file_size": 5, "sha256": hex(b"hello")});
    for name in ["../../etc/passwd", "dir/file", "a\u{0007}b"] {
        let mut b = base.clone();
        b["file_name"] = json!(name);
        let (st, e) = s.post(path, "alice", b).await;
        assert_eq!(
            (st, e["error"]["code"].as_str()),
            (422, Some("VALIDATION_ERROR")),
            "{name:?}"
        );
    }
    let mut b = base.clone();
    b["file_size"] = json!(10_000_001);
    let (st, e) = s.post(path, "alice", b).await;
    assert_eq!(
        (st, e["error"]["code"].as_str()),
        (413, Some("FILE_TOO_LARGE"))
    );
    let mut b = base.clone();
    b["receiver"] = json!("nobody");
    let (st, _) = s.post(path, "alice", b).await;
    assert_eq!(st, 404, "the receiver must be in the room");
    let mut ids = vec![];
    for _ in 0..5 {
        let (st, t) = s.post(path, "alice", base.clone()).await;
        assert_eq!(st, 201);
        ids.push(t["transfer_id"].as_str().unwrap().to_owned());
    }
    let (st, e) = s.post(path, "alice", base.clone()).await;
    assert_eq!(
        (st, e["error"]["code"].as_str()),
        (429, Some("TOO_MANY_TRANSFERS"))
    );
    // One chunk lands on disk; the transfer then expires with it.
    let (st, _) = s
        .post(
            &format!("/webrtc/rooms/lim/file-transfer/{}/accept", ids[0]),
            "bob",
            json!({}),
        )
        .await;
    assert_eq!(st, 200);
    let (st, _) = put_chunk(&s, "lim", &ids[0], 0, b"hello", &hex(b"hello")).await;
    assert_eq!(st, 200);
    assert!(dir.join("transfers").join(&ids[0]).exists());
    let t = Instant::now();
    loop {
        let (st, _) = s
            .get(
                &format!("/webrtc/rooms/lim/file-transfer/{}/progress", ids[1]),
                "alice",
            )
            .await;
        if st == 404 && !dir.join("transfers").join(&ids[0]).join("chunks").exists() {
            break;
        }
        assert!(t.elapsed() < Duration::from_secs(6), "never expired");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (st, e) = s
        .get(
            &format!("/webrtc/rooms/lim/file-transfer/{}/progress", ids[0]),
            "alice",
        )
        .await;
    assert_eq!(
        (st, e["error"]["code"].as_str()),
        (404, Some("TRANSFER_NOT_FOUND"))
    );
}
