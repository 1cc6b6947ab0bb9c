//! Webhooks from a real server to a receiver that fails, goes away and
//! comes back: every lifecycle event arrives exactly once by id, in order
//! per room, validly signed; a replay sends a suffix again.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde_json::json;
use webhooks::WebhookEvent;
use webhooks::testing::{Hit, Receiver, Reply};

use crate::support::*;

const HOOK_SECRET: &str = "webhook-secret-0123456789abcdef";

/// The acknowledged events, deduplicated by id, in first-ack order.
fn acked(hits: &[Hit]) -> Vec<WebhookEvent> {
    let mut seen = std::collections::HashSet::new();
    hits.iter()
        .filter(|h| matches!(h.answer, Some((s, _)) if (200..300).contains(&s)))
        .filter_map(|h| h.event.clone())
        .filter(|e| seen.insert(e.id.clone()))
        .collect()
}

async fn wait_for(receiver: &Receiver, n: usize) -> Vec<WebhookEvent> {
    for _ in 0..300 {
        let got = acked(&receiver.hits());
        if got.len() >= n {
            return got;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "only {:?} acknowledged",
        acked(&receiver.hits())
            .iter()
            .map(|e| &e.event)
            .collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn lifecycle_webhooks_survive_failures_and_an_outage_in_order() {
    // The first three requests fail with 500.
    let calls = Arc::new(AtomicUsize::new(0));
    let c = calls.clone();
    let receiver = Receiver::start(Arc::new(move |_: &Hit| {
        if c.fetch_add(1, Ordering::SeqCst) < 3 {
            Reply::Status(500)
        } else {
            Reply::Status(204)
        }
    }))
    .await;
    let mut settings = settings();
    settings.webhooks.webhook_url = Some(receiver.url().into());
    settings.webhooks.webhook_secret = Some(HOOK_SECRET.parse().unwrap());
    settings.webhooks.webhook_retry_initial_ms = 50;
    settings.webhooks.webhook_retry_max_secs = 1;
    settings.webhooks.webhook_timeout_secs = 2;
    settings.rooms.empty_room_ttl_secs = 0;
    settings.redis.instance_ttl_secs = 1;
    settings.admin.admin_api_key = Some("ops".into());
    settings.admin.admin_api_secret =
        Some("ops-secret-0123456789abcdef-0123456789".parse().unwrap());
    let s = spawn_with(settings);

    let mut a = s.connect("hooks", "alice").await;
    a.expect("room-state").await;
    let mut b = s.connect("hooks", "bob").await;
    b.expect("room-state").await;
    a.expect("user-joined").await;
    a.send(json!({"type": "recording-control", "action": "start"}))
        .await;
    let rec = a.expect("recording_started").await["recording"]["recording_id"]
        .as_str()
        .unwrap()
        .to_owned();
    a.send(json!({"type": "recording-control", "action": "cancel", "recording_id": rec}))
        .await;
    a.expect("recording_cancelled").await;
    let first = wait_for(&receiver, 5).await;
    assert!(
        calls.load(Ordering::SeqCst) >= 8,
        "the failures were retried"
    );

    // The receiver goes away while the call goes on and ends.
    receiver.stop().await;
    let (st, t) = s
        .post(
            "/webrtc/rooms/hooks/file-transfer/offer",
            "alice",
            json!({"receiver": "bob", "file_name": "a.txt", "file_size": 3, "sha256": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"}),
        )
        .await;
    assert_eq!(st, 201, "{t}");
    let id = t["transfer_id"].as_str().unwrap();
    let (st, _) = s
        .post(
            &format!("/webrtc/rooms/hooks/file-transfer/{id}/reject"),
            "bob",
            json!({}),
        )
        .await;
    assert_eq!(st, 200);
    b.close().await;
    a.close().await;
    tokio::time::sleep(Duration::from_millis(1500)).await; // the room is swept meanwhile
    receiver.restart().await;

    let all = wait_for(&receiver, 10).await;
    let names: Vec<&str> = all.iter().map(|e| e.event.as_str()).collect();
    assert_eq!(
        names,
        [
            "room_started",
            "participant_joined",
            "participant_joined",
            "recording_started",
            "recording_cancelled",
            "transfer_offered",
            "transfer_rejected",
            "participant_left",
            "participant_left",
            "room_finished",
        ],
        "{all:#?}"
    );
    assert_eq!(first.len(), 5);
    let seqs: Vec<u64> = all.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (1..=10).collect::<Vec<_>>());
    assert!(all.iter().all(|e| e.room_id == "hooks"));
    assert_eq!(all[1].data["user_id"], "alice");
    assert_eq!(all[7].data["user_id"], "bob");
    assert_eq!(all[7].data["reason"], "left");
    assert_eq!(all[5].data["transfer"]["file_name"], "a.txt");
    // Signed, headers match bodies, order per room held on the wire, and
    // nothing beyond what was acknowledged.
    let summary =
        webhooks::testing::check_deliveries(&receiver.hits(), HOOK_SECRET.as_bytes(), &all)
            .unwrap_or_else(|e| panic!("{e}"));
    assert!(summary.requests > summary.acked, "{summary:?}");
    assert!(receiver.overlaps().is_empty(), "{:?}", receiver.overlaps());

    // A replay needs a point to start from.
    let bad = reqwest::Client::new()
        .post(s.http("/webrtc/admin/webhooks/replay"))
        .basic_auth("ops", Some("ops-secret-0123456789abcdef-0123456789"))
        .json(&json!({"from_seq": 8}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    let body: serde_json::Value = bad.json().await.unwrap();
    assert_eq!(body["error"]["code"], "VALIDATION_ERROR");

    // A replay from seq 8 sends 8, 9, 10 again, with their ids, in order.
    let before = receiver.hits().len();
    let r = reqwest::Client::new()
        .post(s.http("/webrtc/admin/webhooks/replay"))
        .basic_auth("ops", Some("ops-secret-0123456789abcdef-0123456789"))
        .json(&json!({"room_id": "hooks", "from_seq": 8}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["replayed"], 3);
    let mut again = Vec::new();
    for _ in 0..100 {
        again = receiver.hits()[before..]
            .iter()
            .filter(|h| matches!(h.answer, Some((s, _)) if (200..300).contains(&s)))
            .filter_map(|h| h.event.clone())
            .collect();
        if again.len() >= 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let ids: BTreeMap<u64, String> = all.iter().map(|e| (e.seq, e.id.clone())).collect();
    let replayed: Vec<(u64, String)> = again.iter().map(|e| (e.seq, e.id.clone())).collect();
    assert_eq!(
        replayed,
        (8..=10).map(|q| (q, ids[&q].clone())).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn webhooks_need_a_real_secret() {
    let mut settings = settings();
    settings.webhooks.webhook_url = Some("http://127.0.0.1:9/hook".into());
    settings.webhooks.webhook_secret = Some("short".parse().unwrap());
    let err = server::build_state(settings).await.err().expect("refused");
    assert!(err.to_string().contains("RTC_WEBHOOK_SECRET"), "{err}");
}
