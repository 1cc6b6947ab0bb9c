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
    settings.mongo.mongodb_uri = Some(uri.into());
    settings.mongo.mongodb_database = format!("ops_{}", uuid::Uuid::new_v4().simple());
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
async fn redis_call_latency_is_exported() {
    let url = redis_url();
    let prefix = format!("ops{}:", uuid::Uuid::new_v4().simple());
    let s = spawn_with(cluster_settings(&url, &prefix));
    let mut a = s.connect("rlat", "a").await;
    a.expect("room-state").await;
    let text = scrape(&s).await;
    assert!(
        sample(
            &text,
            "rtc_store_call_seconds_count",
            &[r#"store="redis""#, r#"outcome="ok""#]
        ) >= 3.0,
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

/// A method a documented path does not take is 405 with `Allow` listing
/// the methods it does take, before any token check and on room paths too
/// (where the guard answers it); the most specific path wins (`…/offer`
/// takes POST even though `…/{id}` takes DELETE); an unknown path is 404.
#[tokio::test]
async fn undeclared_methods_are_405_with_allow() {
    let s = spawn();
    let c = reqwest::Client::new();
    for (method, path, allow) in [
        (reqwest::Method::DELETE, "/webrtc/config", "GET"),
        (reqwest::Method::GET, "/webrtc/rooms/r1/hand-raise", "POST"),
        (
            reqwest::Method::PUT,
            "/webrtc/rooms/r1/breakout-rooms",
            "GET, POST",
        ),
        (
            reqwest::Method::OPTIONS,
            "/webrtc/rooms/r1/file-transfer/offer",
            "POST",
        ),
        (reqwest::Method::POST, "/webrtc/links/a/b.mp4", "GET"),
    ] {
        let r = c
            .request(method.clone(), s.http(path))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 405, "{method} {path}");
        assert_eq!(
            r.headers()["allow"].to_str().unwrap(),
            allow,
            "{method} {path}"
        );
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["error"]["code"], "METHOD_NOT_ALLOWED");
    }
    for path in ["/webrtc/rooms/r1/no-such-thing", "/webrtc/nothing"] {
        let r = c.get(s.http(path)).send().await.unwrap();
        assert_eq!(r.status(), 404, "{path}");
    }
    // A method the path does take still meets the guard first.
    let r = c
        .get(s.http("/webrtc/rooms/r1/hand-raise/queue"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}

#[tokio::test]
async fn openapi_document_is_valid_3_1_and_lists_every_route() {
    let validator = std::env::var("OPENAPI_VALIDATOR").expect(
        "OPENAPI_VALIDATOR must name openapi-spec-validator: run `just test`, or `tests/services.sh up`",
    );
    let s = spawn();
    let r = reqwest::get(s.http("/openapi.json")).await.unwrap();
    assert_eq!(r.status(), 200);
    let doc: serde_json::Value = r.json().await.unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let file = std::env::temp_dir().join(format!("openapi-{}.json", uuid::Uuid::new_v4()));
    std::fs::write(&file, doc.to_string()).unwrap();
    let out = std::process::Command::new(&validator)
        .args(["--schema", "3.1"])
        .arg(&file)
        .output()
        .expect("runs openapi-spec-validator");
    let _ = std::fs::remove_file(&file);
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );

    // Every path the app serves (read from actix's own resource map) is in
    // the document, and nothing else.
    let state = server::build_state(settings()).await.unwrap();
    let served = server::openapi::served_paths(state).await;
    let in_doc: std::collections::BTreeSet<String> =
        doc["paths"].as_object().unwrap().keys().cloned().collect();
    let missing: Vec<_> = served.difference(&in_doc).collect();
    let extra: Vec<_> = in_doc.difference(&served).collect();
    assert!(missing.is_empty(), "served but not documented: {missing:?}");
    assert!(extra.is_empty(), "documented but not served: {extra:?}");
    assert!(served.len() > 80, "{}", served.len());
    let operations = server::openapi::documented().len();
    assert!(operations > 90, "{operations}");

    // Every error code is in the error schema; bodies have schemas.
    let codes = &doc["components"]["schemas"]["Error"]["properties"]["error"]["properties"]["code"]
        ["oneOf"];
    for code in [
        "ROOM_FULL",
        "CHECKSUM_MISMATCH",
        "ROOM_ALREADY_EXISTS",
        "RATE_LIMIT_EXCEEDED",
    ] {
        assert!(
            codes.as_array().unwrap().iter().any(|c| c["const"] == code),
            "{code} missing"
        );
    }
    let offer = &doc["paths"]["/webrtc/rooms/{room_id}/file-transfer/offer"]["post"];
    assert_eq!(
        offer["requestBody"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/OfferReq"
    );
    let offer_schema = &doc["components"]["schemas"]["OfferReq"]["properties"];
    assert!(offer_schema["sha256"].is_object() && offer_schema["receiver"].is_object());

    // Responses carry schemas, not prose: typed answers reference their
    // Rust type's schema, and every success answer with a body has one.
    let ok = |path: &str, method: &str, status: &str| {
        doc["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"]
            ["$ref"]
            .clone()
    };
    for (path, method, status, schema) in [
        (
            "/webrtc/rooms/{room_id}/state",
            "get",
            "200",
            "RoomStateView",
        ),
        ("/webrtc/rooms/{room_id}/chat", "get", "200", "ChatPage"),
        (
            "/webrtc/rooms/{room_id}/recordings/{recording_id}/status",
            "get",
            "200",
            "RecordingView",
        ),
        (
            "/webrtc/rooms/{room_id}/file-transfer/offer",
            "post",
            "201",
            "TransferView",
        ),
        (
            "/webrtc/rooms/{room_id}/breakout-rooms",
            "post",
            "201",
            "BreakoutRoom",
        ),
    ] {
        assert_eq!(
            ok(path, method, status),
            format!("#/components/schemas/{schema}"),
            "{method} {path}"
        );
    }
    let recording = &doc["components"]["schemas"]["RecordingView"];
    assert!(
        recording.to_string().contains("\"duration\""),
        "{recording}"
    );
    assert!(
        recording
            .to_string()
            .contains("#/components/schemas/Recording\""),
        "{recording}"
    );
    assert!(doc["components"]["schemas"]["Recording"]["properties"]["recording_id"].is_object());
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            for (status, answer) in op["responses"].as_object().unwrap() {
                if status.starts_with('2') {
                    assert!(
                        answer["content"].is_object(),
                        "{method} {path} {status}: no schema"
                    );
                }
            }
        }
    }

    // The viewer page is served and loads nothing from elsewhere.
    let page = reqwest::get(s.http("/docs"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("fetch('/openapi.json')"));
    assert!(!page.contains("https://"));
}
