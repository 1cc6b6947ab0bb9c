//! Live streams and server recordings through the real server: the
//! deployment's limit on streams at once, with the slot freed when a
//! stream stops; an HLS-only stream served to members and through an
//! expiring link; a server recording made, paused and processed with real
//! ffmpeg, and one refused by the instance's limit. (The picture itself is
//! checked against an RTMP receiver and in a recording of three browsers
//! in `tests/browser`, and in the egress crate.)

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

/// An SFU room with nobody publishing, recorded by the server (its
/// default there): a black composite at the preset's size with silent
/// audio, without the paused part; nobody may upload to it; processing
/// waits for the composite's end and makes one MP4.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_recording_is_made_paused_and_processed_without_any_upload() {
    let mut s = settings();
    s.media.media_mode = signaling_core::room::MediaMode::Sfu;
    let srv = spawn_with(s);
    let mut host = srv.connect("srec", "host").await;
    host.expect("room-state").await;
    for bad in [json!({"source": "satellite"}), json!({"layout": "mosaic"})] {
        let (st, e) = srv
            .post("/webrtc/rooms/srec/recordings/start", "host", bad.clone())
            .await;
        assert_eq!(
            (st, e["error"]["code"].as_str()),
            (422, Some("VALIDATION_ERROR")),
            "{bad}: {e}"
        );
    }
    let (st, rec) = srv
        .post(
            "/webrtc/rooms/srec/recordings/start",
            "host",
            json!({"quality": "low"}),
        )
        .await;
    assert_eq!(st, 201, "{rec}");
    assert_eq!(
        (&rec["source"], &rec["format"], &rec["layout"]),
        (&json!("server"), &json!("mp4"), &json!("grid")),
        "{rec}"
    );
    let id = rec["recording_id"].as_str().unwrap().to_owned();
    let chunk = reqwest::Client::new()
        .put(srv.http(&format!("/webrtc/rooms/srec/recordings/{id}/chunks/0")))
        .bearer_auth(token("host", None, None))
        .body(vec![0x1A, 0x45, 0xDF, 0xA3])
        .send()
        .await
        .unwrap();
    assert_eq!(chunk.status().as_u16(), 409);
    let body: Value = chunk.json().await.unwrap();
    assert_eq!(body["error"]["code"], "INVALID_STATE_TRANSITION", "{body}");

    let begun = Instant::now();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let path = |a: &str| format!("/webrtc/rooms/srec/recordings/{id}/{a}");
    assert_eq!(srv.post(&path("pause"), "host", json!({})).await.0, 200);
    let paused = Instant::now();
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(srv.post(&path("resume"), "host", json!({})).await.0, 200);
    let pause = paused.elapsed().as_secs_f64();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (st, stopped) = srv.post(&path("stop"), "host", json!({})).await;
    assert_eq!(st, 200, "{stopped}");
    let recorded = begun.elapsed().as_secs_f64() - pause;

    let done = finished(&srv, "srec", &id).await;
    assert_eq!(done["status"], "completed", "{done}");
    let outputs = done["outputs"].as_array().unwrap();
    assert_eq!(outputs.len(), 1, "{done}");
    let o = &outputs[0];
    assert_eq!(o["user_id"], "composite");
    let m = &o["media"];
    assert_eq!(
        (
            &m["video_codec"],
            &m["audio_codec"],
            &m["width"],
            &m["height"]
        ),
        (&json!("h264"), &json!("aac"), &json!(854), &json!(480)),
        "{m}"
    );
    let secs = m["duration_ms"].as_f64().unwrap() / 1000.0;
    assert!(
        (secs - recorded).abs() <= 1.0,
        "{secs} s in the file, {recorded:.2} s recorded around a {pause:.2} s pause"
    );
}

/// Past the instance's limit on server recordings, a started recording is
/// stopped at once and fails with `NO_MEDIA` and the setting's name.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_the_instances_limit_a_server_recording_stops_with_the_reason() {
    let mut s = settings();
    s.media.media_mode = signaling_core::room::MediaMode::Sfu;
    s.recording.server_recording_max_concurrent = 0;
    let srv = spawn_with(s);
    let mut host = srv.connect("srec-lim", "host").await;
    host.expect("room-state").await;
    let (st, rec) = srv
        .post("/webrtc/rooms/srec-lim/recordings/start", "host", json!({}))
        .await;
    assert_eq!(st, 201, "{rec}");
    let id = rec["recording_id"].as_str().unwrap().to_owned();
    let stopped = tokio::time::timeout(Duration::from_secs(10), host.expect("recording_stopped"))
        .await
        .expect("the room hears it stopped");
    assert_eq!(stopped["recording"]["recording_id"], id.as_str());
    let done = finished(&srv, "srec-lim", &id).await;
    assert_eq!(
        (&done["status"], &done["failure_code"]),
        (&json!("failed"), &json!("NO_MEDIA")),
        "{done}"
    );
    let why = done["failure"].as_str().unwrap();
    assert!(why.contains("RTC_SERVER_RECORDING_MAX_CONCURRENT"), "{why}");
}

/// A GET with `user`'s token (or none): status and body bytes.
async fn fetch(srv: &TestServer, path: &str, user: Option<&str>) -> (u16, String) {
    let mut r = reqwest::Client::new().get(srv.http(path));
    if let Some(u) = user {
        r = r.bearer_auth(token(u, None, None));
    }
    let r = r.send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap_or_default())
}

/// An HLS-only stream of an SFU room (no destination): members get its
/// playlist and segments, others and bad names get nothing; an expiring
/// link serves them to anyone until it expires, and a changed one serves
/// nothing; the playlist ends when the stream stops.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_hls_stream_is_served_to_members_and_through_an_expiring_link() {
    let mut s = settings();
    s.media.media_mode = signaling_core::room::MediaMode::Sfu;
    let srv = spawn_with(s);
    let mut host = srv.connect("hls", "host").await;
    host.expect("room-state").await;
    let (st, stream) = srv
        .post(
            "/webrtc/rooms/hls/live-streams/start",
            "host",
            json!({"hls": true, "quality": "low"}),
        )
        .await;
    assert_eq!(st, 201, "{stream}");
    let id = stream["stream_id"].as_str().unwrap().to_owned();
    let url = stream["hls_url"].as_str().unwrap().to_owned();
    assert_eq!(
        url,
        format!("/webrtc/rooms/hls/live-streams/{id}/hls/index.m3u8")
    );
    assert!(stream.get("destination").is_none(), "{stream}");
    let live = update(&mut host, &id).await;
    assert_eq!(live["status"], "live", "{live}");

    // The playlist appears once its first segments are stored.
    let deadline = Instant::now() + Duration::from_secs(20);
    let playlist = loop {
        let (st, body) = fetch(&srv, &url, Some("host")).await;
        if st == 200 && body.lines().filter(|l| l.starts_with("seg_")).count() >= 2 {
            break body;
        }
        assert!(Instant::now() < deadline, "no playlist: {st} {body}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    assert!(playlist.starts_with("#EXTM3U"), "{playlist}");
    let seg = playlist.lines().find(|l| l.starts_with("seg_")).unwrap();
    let base = url.trim_end_matches("index.m3u8");
    assert_eq!(
        fetch(&srv, &format!("{base}{seg}"), Some("host")).await.0,
        200
    );
    assert_eq!(fetch(&srv, &url, None).await.0, 401, "a token is needed");
    let (st, body) = fetch(&srv, &url, Some("stranger")).await;
    assert!(
        st == 404 && body.contains("NOT_IN_ROOM"),
        "members only: {st} {body}"
    );
    assert_eq!(
        fetch(&srv, &format!("{base}..%2Fx.m3u8"), Some("host"))
            .await
            .0,
        404
    );

    let (st, link) = srv
        .get(
            &format!("/webrtc/rooms/hls/live-streams/{id}/hls-link?expires_in=60"),
            "host",
        )
        .await;
    assert_eq!(st, 200, "{link}");
    let linked = link["url"].as_str().unwrap().to_owned();
    let (st, body) = fetch(&srv, &linked, None).await;
    assert_eq!((st, body.starts_with("#EXTM3U")), (200, true), "{body}");
    let linked_base = linked.trim_end_matches("index.m3u8");
    assert_eq!(
        fetch(&srv, &format!("{linked_base}{seg}"), None).await.0,
        200
    );
    let other = linked.replace(&format!("/{id}/"), "/ls-999/");
    assert_eq!(
        fetch(&srv, &other, None).await.0,
        403,
        "signed for one stream"
    );

    let (st, _) = srv
        .post(
            &format!("/webrtc/rooms/hls/live-streams/{id}/stop"),
            "host",
            json!({}),
        )
        .await;
    assert_eq!(st, 200);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (_, body) = fetch(&srv, &url, Some("host")).await;
        if body.contains("#EXT-X-ENDLIST") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the playlist never ended: {body}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}
