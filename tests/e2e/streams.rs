//! Live streams through the real server: the deployment's limit on
//! streams at once, with the slot freed when a stream stops. (The picture
//! itself is checked against an RTMP receiver in `tests/browser` and in
//! the egress crate.)

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::*;

/// The next `live-stream-update` of `c` for stream `id`, within 20 s.
async fn update(c: &mut Client, id: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        assert!(Instant::now() < deadline, "no update of {id}");
        let next = tokio::time::timeout(Duration::from_secs(1), c.expect("live-stream-update"));
        if let Ok(u) = next.await
            && u["stream"]["stream_id"] == id
        {
            return u["stream"].clone();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_the_deployments_limit_a_stream_fails_with_the_reason_until_one_stops() {
    let mut s = settings();
    s.media.media_mode = signaling_core::room::MediaMode::Sfu;
    s.media.live_stream_max_deployment = 1;
    let srv = spawn_with(s);
    // Nothing listens at the destination: a started stream keeps trying.
    let body = json!({"url": "rtmp://127.0.0.1:9/live", "stream_key": "sk-limit"});
    let mut hosts = Vec::new();
    let mut ids = Vec::new();
    for room in ["lim-a", "lim-b"] {
        let mut host = srv.connect(room, "host").await;
        host.expect("room-state").await;
        let (st, stream) = srv
            .post(
                &format!("/webrtc/rooms/{room}/live-streams/start"),
                "host",
                body.clone(),
            )
            .await;
        assert_eq!(st, 201, "{stream}");
        ids.push(stream["stream_id"].as_str().unwrap().to_owned());
        hosts.push(host);
        if room == "lim-a" {
            // The first holds the slot (it is trying) when the second asks.
            let first = update(&mut hosts[0], &ids[0]).await;
            assert_eq!(first["status"], "reconnecting", "{first}");
        }
    }
    let refused = update(&mut hosts[1], &ids[1]).await;
    assert_eq!(refused["status"], "failed", "{refused}");
    let why = refused["error"].as_str().unwrap();
    assert!(
        why.starts_with("LIVE_STREAM_FAILED") && why.contains("RTC_LIVE_STREAM_MAX_DEPLOYMENT"),
        "{why}"
    );

    // The first stops: its slot is free for the next.
    let (st, _) = srv
        .post(
            &format!("/webrtc/rooms/lim-a/live-streams/{}/stop", ids[0]),
            "host",
            json!({}),
        )
        .await;
    assert_eq!(st, 200);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        assert!(Instant::now() < deadline, "the slot was never freed");
        let (_, again) = srv
            .post(
                "/webrtc/rooms/lim-b/live-streams/start",
                "host",
                body.clone(),
            )
            .await;
        let id = again["stream_id"].as_str().unwrap().to_owned();
        let u = update(&mut hosts[1], &id).await;
        if u["status"] == "reconnecting" {
            break;
        }
        assert_eq!(u["status"], "failed", "{u}");
    }
}
