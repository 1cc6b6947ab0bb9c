//! Operability: Prometheus metrics, request ids.

use serde_json::json;

use crate::support::*;

async fn scrape(s: &TestServer) -> String {
    let r = reqwest::get(s.http("/metrics")).await.unwrap();
    assert_eq!(r.status(), 200);
    let ct = r.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(ct.starts_with("text/plain; version=0.0.4"), "{ct}");
    r.text().await.unwrap()
}

/// The sum of every sample of `name` whose labels contain all of `labels`
/// (0 when there is none yet).
fn sample(text: &str, name: &str, labels: &[&str]) -> f64 {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let (series, value) = l.rsplit_once(' ')?;
            let (metric, rest) = series.split_once('{').unwrap_or((series, ""));
            (metric == name && labels.iter().all(|x| rest.contains(x)))
                .then(|| value.parse::<f64>().ok())?
        })
        .sum()
}

#[tokio::test]
async fn metrics_move_with_traffic() {
    let s = spawn();
    let before = scrape(&s).await;
    let mut a = s.connect("metrics", "a").await;
    a.expect("room-state").await;
    let mut b = s.connect("metrics", "b").await;
    b.expect("room-state").await;
    a.expect("user-joined").await;
    for i in 0..3 {
        a.send(json!({"type": "chat-message", "message": format!("m{i}")}))
            .await;
        b.expect("chat-message").await;
    }
    a.send(json!({"type": "offer", "target": "b", "sdp": "v=0\r\n"}))
        .await;
    b.expect("offer").await;
    a.send(json!({"type": "hand-raise", "raised": "yes"})).await;
    assert_eq!(a.expect_error().await, "INVALID_MESSAGE");
    let (st, _) = s.get("/webrtc/rooms/metrics/state", "nobody").await;
    assert_eq!(st, 404);
    let after = scrape(&s).await;

    let moved =
        |name: &str, labels: &[&str]| sample(&after, name, labels) - sample(&before, name, labels);
    assert_eq!(
        moved("rtc_messages_total", &[r#"type="chat-message""#]),
        3.0
    );
    assert_eq!(moved("rtc_messages_total", &[r#"type="offer""#]), 1.0);
    assert_eq!(
        moved("rtc_message_handling_seconds_count", &[r#"type="offer""#]),
        1.0
    );
    assert!(
        after.contains("rtc_message_handling_seconds_bucket{type=\"chat-message\",le=\"0.001\"}")
    );
    assert_eq!(
        moved("rtc_errors_total", &[r#"code="INVALID_MESSAGE""#]),
        1.0
    );
    assert_eq!(moved("rtc_connections_opened_total", &[]), 2.0);
    assert!(moved("rtc_frames_sent_total", &[]) >= 5.0);
    assert!(moved("rtc_http_requests_total", &[r#"status="404""#]) >= 1.0);
    assert_eq!(sample(&after, "rtc_connections", &[]), 2.0);
    assert_eq!(sample(&after, "rtc_rooms", &[]), 1.0);
    assert_eq!(
        sample(&after, "rtc_participants", &[r#"presence="connected""#]),
        2.0
    );
    // Every metric is described for Prometheus.
    assert!(after.contains("# HELP rtc_messages_total"));
    assert!(after.contains("# TYPE rtc_message_handling_seconds histogram"));
}

#[tokio::test]
async fn mongodb_call_latency_is_exported() {
    let uri = std::env::var("MONGODB_URI").expect(
        "MONGODB_URI must name a MongoDB server: run `just test`, or `tests/services.sh up`",
    );
    let mut settings = settings();
    settings.mongodb_uri = Some(uri);
    settings.mongodb_database = format!("ops_{}", uuid::Uuid::new_v4().simple());
    let s = spawn_with(settings);
    let mut a = s.connect("mlat", "a").await;
    a.expect("room-state").await;
    a.send(json!({"type": "chat-message", "message": "stored"}))
        .await;
    a.expect("chat-message").await;
    let (st, _) = s.get("/webrtc/rooms/mlat/chat", "a").await;
    assert_eq!(st, 200);
    let text = scrape(&s).await;
    assert!(
        sample(
            &text,
            "rtc_store_call_seconds_count",
            &[r#"store="mongodb""#, r#"op="find""#]
        ) >= 1.0,
        "{text}"
    );
}

#[tokio::test]
async fn every_response_names_its_request() {
    let s = spawn();
    let c = reqwest::Client::new();
    let r = c.get(s.http("/webrtc/health")).send().await.unwrap();
    let id = r.headers()["x-request-id"].to_str().unwrap();
    assert_eq!(uuid::Uuid::parse_str(id).unwrap().get_version_num(), 4);
    // A caller's id is kept, so logs of both sides line up.
    let r = c
        .get(s.http("/webrtc/nope"))
        .header("x-request-id", "lb-7f3a")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(r.headers()["x-request-id"], "lb-7f3a");
    // Not one that could forge log lines.
    let r = c
        .get(s.http("/webrtc/health"))
        .header("x-request-id", "a b\"c")
        .send()
        .await
        .unwrap();
    assert_ne!(r.headers()["x-request-id"], "a b\"c");
}
