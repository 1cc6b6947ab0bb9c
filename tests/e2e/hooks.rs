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

async fn wait_for(receiver: &Receiver, n: usize) -> Vec<WebhookEvent> {
    for _ in 0..300 {
        let got = acked_events(&receiver.hits());
        if got.len() >= n {
            return got;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "only {:?} acknowledged",
        acked_events(&receiver.hits())
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

const OPS_SECRET: &str = "ops-secret-0123456789abcdef-0123456789";
const BILLING_SECRET: &str = "billing-secret-0123456789abcdef";

async fn admin(s: &TestServer, method: reqwest::Method, path: &str) -> serde_json::Value {
    let r = reqwest::Client::new()
        .request(method, s.http(path))
        .basic_auth("ops", Some(OPS_SECRET))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{path}");
    r.json().await.unwrap()
}

fn verified(hit: &Hit, secret: &str) -> bool {
    webhooks::verify(
        secret.as_bytes(),
        |n| hit.header(n),
        &hit.body,
        webhooks::unix_ms() / 1000,
        300,
    )
    .is_ok()
}

#[tokio::test]
async fn each_endpoint_gets_its_events_with_its_secret_and_keeps_its_dead_letters() {
    let default_rx = Receiver::start(Arc::new(|_: &Hit| Reply::Status(204))).await;
    let billing_rx = Receiver::start(Arc::new(|_: &Hit| Reply::Status(503))).await;
    let mut settings = settings();
    settings.webhooks.webhook_url = Some(default_rx.url().into());
    settings.webhooks.webhook_secret = Some(HOOK_SECRET.parse().unwrap());
    settings.webhooks.webhook_events = Some("room_*".into());
    let endpoints = json!([{
        "name": "billing",
        "url": billing_rx.url(),
        "secret": BILLING_SECRET,
        "events": ["participant_joined"],
    }]);
    settings.webhooks.webhook_endpoints = Some(endpoints.to_string().parse().unwrap());
    settings.webhooks.webhook_retry_initial_ms = 50;
    settings.webhooks.webhook_max_attempts = 2;
    settings.admin.admin_api_key = Some("ops".into());
    settings.admin.admin_api_secret = Some(OPS_SECRET.parse().unwrap());
    let s = spawn_with(settings);

    let mut a = s.connect("multi", "alice").await;
    a.expect("room-state").await;
    // The default endpoint takes room_* only, signed with its secret.
    let got = wait_for(&default_rx, 1).await;
    assert_eq!(got[0].event, "room_started");
    // Billing fails twice, then its event is a dead letter.
    let mut dead = json!(null);
    for _ in 0..100 {
        dead = admin(
            &s,
            reqwest::Method::GET,
            "/webrtc/admin/webhooks/billing/dead-letters",
        )
        .await;
        if dead["total"] == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(dead["total"], 1, "{dead}");
    let letter = &dead["dead_letters"][0];
    assert_eq!(letter["event"], "participant_joined");
    assert_eq!(letter["data"]["user_id"], "alice");
    assert_eq!(letter["attempts"], 2);
    assert!(
        letter["error"].as_str().unwrap().contains("503"),
        "{letter}"
    );
    let id = letter["id"].as_str().unwrap().to_owned();
    let hits = billing_rx.hits();
    assert_eq!(hits.len(), 2, "two attempts, then given up");
    assert!(
        hits.iter()
            .all(|h| verified(h, BILLING_SECRET) && !verified(h, HOOK_SECRET))
    );

    let list = admin(&s, reqwest::Method::GET, "/webrtc/admin/webhooks").await;
    let names: Vec<&str> = list["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["default", "billing"]);
    assert_eq!(list["endpoints"][1]["dead_letters"], 1);
    assert_eq!(
        list["endpoints"][1]["events"],
        json!(["participant_joined"])
    );
    assert!(!list.to_string().contains(BILLING_SECRET));
    let metrics = reqwest::get(s.http("/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains(r#"rtc_webhooks_dead_letters{endpoint="billing"} 1"#),
        "{metrics}"
    );
    assert!(metrics.contains("rtc_webhook_delivery_lag_seconds_bucket{endpoint=\"default\""));

    // The receiver is fixed; the operator sends the dead letter again.
    billing_rx.set_respond(Arc::new(|_: &Hit| Reply::Status(200)));
    let r = admin(
        &s,
        reqwest::Method::POST,
        "/webrtc/admin/webhooks/billing/dead-letters/replay",
    )
    .await;
    assert_eq!(
        (r["requeued"].as_u64(), r["remaining"].as_u64()),
        (Some(1), Some(0)),
        "{r}"
    );
    let again = wait_for(&billing_rx, 1).await;
    assert_eq!((again[0].id.as_str(), again[0].seq), (id.as_str(), 2));
    let r = admin(
        &s,
        reqwest::Method::POST,
        "/webrtc/admin/webhooks/billing/dead-letters/replay",
    )
    .await;
    assert_eq!(r["requeued"], 0, "nothing left: {r}");
    let r = reqwest::Client::new()
        .get(s.http("/webrtc/admin/webhooks/nobody/dead-letters"))
        .basic_auth("ops", Some(OPS_SECRET))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    // The default endpoint never saw a participant event.
    assert!(
        acked_events(&default_rx.hits())
            .iter()
            .all(|e| e.event.starts_with("room_"))
    );
    a.close().await;
}

#[tokio::test]
async fn endpoint_lists_are_checked_at_startup() {
    let cases = [
        (
            r#"[{"name":"Bad Name","url":"http://127.0.0.1:9/","secret":"0123456789abcdef"}]"#,
            "endpoint name",
        ),
        (
            r#"[{"name":"default","url":"http://127.0.0.1:9/","secret":"0123456789abcdef"}]"#,
            "belongs to RTC_WEBHOOK_URL",
        ),
        (
            r#"[{"name":"a","url":"http://127.0.0.1:9/","secret":"short-but-secret"},{"name":"a","url":"http://127.0.0.1:9/","secret":"0123456789abcdef"}]"#,
            "listed twice",
        ),
        (
            r#"[{"name":"a","url":"http://127.0.0.1:9/","secret":"tiny-secret-1"}]"#,
            "at least 16 bytes",
        ),
        (
            r#"[{"name":"a","url":"http://127.0.0.1:9/","secret":"0123456789abcdef","events":["room_strated"]}]"#,
            "unknown event",
        ),
        (
            r#"[{"name":"a","url":"ftp://127.0.0.1:9/","secret":"0123456789abcdef"}]"#,
            "http or https",
        ),
        (
            r#"{"name":"a","secret":"hunter2-hunter2-hunter2"}"#,
            "JSON array",
        ),
        // serde quotes a value of the wrong type: the message must not.
        (r#"["https://h/?token=hunter2-hunter2"]"#, "JSON array"),
        (
            r#"[{"name":"a","url":"http://h/","secret":"hunter2-hunter2","events":"hunter2"}]"#,
            "JSON array",
        ),
    ];
    for (json, want) in cases {
        let mut settings = settings();
        settings.webhooks.webhook_endpoints = Some(json.parse().unwrap());
        let err = server::build_state(settings).await.err().expect("refused");
        let msg = format!("{err:#}");
        assert!(msg.contains(want), "{json}: {msg}");
        assert!(!msg.contains("hunter2"), "{msg}");
    }
}
