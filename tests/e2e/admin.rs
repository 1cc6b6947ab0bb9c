//! The admin API: key and secret, every call, and a ban that holds on every
//! instance of a cluster.

use base64::Engine as _;
use serde_json::{Value, json};

use crate::support::*;

const KEY: &str = "ops-backend";
const SECRET_: &str = "admin-secret-0123456789abcdef-0123456789";

fn admin_settings() -> server::Settings {
    let mut s = settings();
    s.admin.admin_api_key = Some(KEY.into());
    s.admin.admin_api_secret = Some(SECRET_.parse().unwrap());
    s
}

fn basic(key: &str, secret: &str) -> String {
    let b = base64::engine::general_purpose::STANDARD.encode(format!("{key}:{secret}"));
    format!("Basic {b}")
}

async fn admin(
    s: &TestServer,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut r = reqwest::Client::new()
        .request(method, s.http(path))
        .header("authorization", basic(KEY, SECRET_));
    if let Some(b) = body {
        r = r.json(&b);
    }
    let r = r.send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

use reqwest::Method;

/// Every admin route that takes a body (optional for `remove`, where a
/// body that is there must parse all the same).
const BODY_ROUTES: [&str; 6] = [
    "/webrtc/admin/rooms",
    "/webrtc/admin/rooms/r1/participants/u1/remove",
    "/webrtc/admin/rooms/r1/participants/u1/mute",
    "/webrtc/admin/rooms/r1/data",
    "/webrtc/admin/rooms/r1/metadata",
    "/webrtc/admin/webhooks/replay",
];

/// POSTs a raw JSON body; the status and the error code.
async fn post_raw(s: &TestServer, path: &str, auth: Option<&str>, body: &str) -> (u16, String) {
    let mut r = reqwest::Client::new()
        .post(s.http(path))
        .header("content-type", "application/json")
        .body(body.to_owned());
    if let Some(a) = auth {
        r = r.header("authorization", a);
    }
    let r = r.send().await.unwrap();
    let status = r.status().as_u16();
    let body: Value = r.json().await.unwrap_or(Value::Null);
    (
        status,
        body["error"]["code"].as_str().unwrap_or("").to_owned(),
    )
}

#[tokio::test]
async fn credentials_are_checked_before_the_body_is_read() {
    let small = |mut s: server::Settings| {
        s.http.max_body_bytes = 1024;
        s
    };
    let s = spawn_with(small(admin_settings()));
    let off = spawn_with(small(settings()));
    let big = format!(r#"{{"room_id":"{}"}}"#, "a".repeat(4096));
    let good = basic(KEY, SECRET_);
    let wrong = basic(KEY, "wrong-secret");
    for path in BODY_ROUTES {
        for body in ["{not json", big.as_str()] {
            // With the credentials, these bodies are refused for what they are...
            let (st, code) = post_raw(&s, path, Some(&good), body).await;
            assert!(
                matches!(
                    (st, code.as_str()),
                    (422, "VALIDATION_ERROR") | (413, "MESSAGE_TOO_LARGE")
                ),
                "{path} {st} {code}"
            );
            // ... without them, the caller learns only that it is not allowed.
            for auth in [None, Some(wrong.as_str())] {
                assert_eq!(
                    post_raw(&s, path, auth, body).await,
                    (401, "UNAUTHORIZED".into()),
                    "{path} {auth:?} {}",
                    &body[..8]
                );
            }
            assert_eq!(
                post_raw(&off, path, Some(&good), body).await,
                (404, "NOT_FOUND".into()),
                "{path}"
            );
        }
    }
}

#[tokio::test]
async fn admin_api_refuses_without_key_and_is_off_by_default() {
    let off = spawn();
    let (st, body) = admin(&off, Method::GET, "/webrtc/admin/rooms", None).await;
    assert_eq!(
        (st, body["error"]["code"].as_str()),
        (404, Some("NOT_FOUND"))
    );
    // The document says what this server serves: no admin API while it is
    // off, nor a 405 for a method it "does not take".
    let doc: Value = reqwest::get(off.http("/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["paths"].get("/webrtc/admin/rooms").is_none());
    let (st, _) = admin(&off, Method::PUT, "/webrtc/admin/rooms", None).await;
    assert_eq!(st, 404);

    let s = spawn_with(admin_settings());
    let doc: Value = reqwest::get(s.http("/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        doc["paths"]["/webrtc/admin/rooms"]["get"]["security"],
        json!([{"admin": []}])
    );
    let (st, _) = admin(&s, Method::PUT, "/webrtc/admin/rooms", None).await;
    assert_eq!(st, 405);
    let c = reqwest::Client::new();
    for auth in [
        None,
        Some(basic(KEY, "wrong-secret")),
        Some(basic("other-key", SECRET_)),
        Some(format!("Bearer {}", token("alice", None, Some("host")))),
    ] {
        let mut r = c.get(s.http("/webrtc/admin/rooms"));
        if let Some(a) = &auth {
            r = r.header("authorization", a);
        }
        let r = r.send().await.unwrap();
        assert_eq!(r.status(), 401, "{auth:?}");
        assert_eq!(
            r.headers()["www-authenticate"].to_str().unwrap(),
            "Basic realm=\"rtc-server admin\""
        );
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"]["code"], "UNAUTHORIZED");
    }
    let (st, _) = admin(&s, Method::GET, "/webrtc/admin/rooms", None).await;
    assert_eq!(st, 200);
}

#[tokio::test]
async fn admin_creates_lists_updates_messages_mutes_and_closes_rooms() {
    let s = spawn_with(admin_settings());
    let (st, created) = admin(
        &s,
        Method::POST,
        "/webrtc/admin/rooms",
        Some(json!({"room_id": "town-hall", "settings": {"max_participants": 2}, "metadata": "{\"topic\":\"Q3\"}"})),
    )
    .await;
    assert_eq!(st, 201, "{created}");
    assert_eq!(created["room"]["settings"]["max_participants"], 2);
    let (st, again) = admin(
        &s,
        Method::POST,
        "/webrtc/admin/rooms",
        Some(json!({"room_id": "town-hall"})),
    )
    .await;
    assert_eq!(
        (st, again["error"]["code"].as_str()),
        (409, Some("ROOM_ALREADY_EXISTS"))
    );

    // Participants find the settings and metadata the backend set.
    let mut a = s.connect("town-hall", "alice").await;
    let state = a.expect("room-state").await;
    assert_eq!(state["metadata"], "{\"topic\":\"Q3\"}");
    let mut b = s.connect("town-hall", "bob").await;
    b.expect("room-state").await;
    a.expect("user-joined").await;
    let full = s
        .connect_token("town-hall", &token("carol", None, None))
        .await
        .unwrap();
    let mut full = full;
    assert_eq!(full.expect_error().await, "ROOM_FULL");

    let (st, list) = admin(&s, Method::GET, "/webrtc/admin/rooms", None).await;
    assert_eq!(st, 200);
    let room = list["rooms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["room_id"] == "town-hall")
        .unwrap();
    assert_eq!(room["participants"], 2);
    let (st, one) = admin(&s, Method::GET, "/webrtc/admin/rooms/town-hall", None).await;
    assert_eq!(st, 200);
    assert_eq!(one["room"]["participants"].as_array().unwrap().len(), 2);

    let (st, _) = admin(
        &s,
        Method::POST,
        "/webrtc/admin/rooms/town-hall/metadata",
        Some(json!({"metadata": "live"})),
    )
    .await;
    assert_eq!(st, 200);
    for c in [&mut a, &mut b] {
        let m = c.expect("room-metadata-update").await;
        assert_eq!(
            (m["metadata"].as_str(), m["by"].as_str()),
            (Some("live"), Some("#admin"))
        );
    }

    // Data to everyone, then to bob only.
    let (st, _) = admin(
        &s,
        Method::POST,
        "/webrtc/admin/rooms/town-hall/data",
        Some(json!({"data": {"poll": 1}, "topic": "polls"})),
    )
    .await;
    assert_eq!(st, 200);
    for c in [&mut a, &mut b] {
        let m = c.expect("data-message").await;
        assert_eq!(
            (
                m["data"]["poll"].as_i64(),
                m["topic"].as_str(),
                m["from"].as_str()
            ),
            (Some(1), Some("polls"), Some("#admin"))
        );
    }
    let (st, _) = admin(
        &s,
        Method::POST,
        "/webrtc/admin/rooms/town-hall/data",
        Some(json!({"data": "for bob", "to": ["bob"]})),
    )
    .await;
    assert_eq!(st, 200);
    assert_eq!(b.expect("data-message").await["data"], "for bob");
    let (st, e) = admin(
        &s,
        Method::POST,
        "/webrtc/admin/rooms/town-hall/data",
        Some(json!({"data": 1, "to": ["nobody"]})),
    )
    .await;
    assert_eq!(
        (st, e["error"]["code"].as_str()),
        (404, Some("USER_NOT_IN_ROOM"))
    );

    // Mute bob's microphone: everyone sees it, by #admin.
    let (st, _) = admin(
        &s,
        Method::POST,
        "/webrtc/admin/rooms/town-hall/participants/bob/mute",
        Some(json!({"kind": "audio"})),
    )
    .await;
    assert_eq!(st, 200);
    let m = a.expect("media-control").await;
    assert_eq!(
        (
            m["user_id"].as_str(),
            m["muted"].as_bool(),
            m["by"].as_str()
        ),
        (Some("bob"), Some(true), Some("#admin"))
    );
    // Alice never received bob's private data message.
    a.ping().await;
    assert!(
        !a.backlog().iter().any(|m| m["type"] == "data-message"),
        "alice got bob's data message: {:?}",
        a.backlog()
    );

    // Closing removes everyone with ROOM_CLOSED and deletes the room.
    let (st, closed) = admin(&s, Method::DELETE, "/webrtc/admin/rooms/town-hall", None).await;
    assert_eq!((st, closed["removed"].as_u64()), (200, Some(2)), "{closed}");
    for c in [&mut a, &mut b] {
        assert_eq!(c.expect_error().await, "ROOM_CLOSED");
        assert_eq!(c.expect_close().await, Some(4410));
    }
    let (st, gone) = admin(&s, Method::GET, "/webrtc/admin/rooms/town-hall", None).await;
    assert_eq!(
        (st, gone["error"]["code"].as_str()),
        (404, Some("ROOM_NOT_FOUND"))
    );
    // Oversized metadata and data are refused on a room that exists.
    let (st, _) = admin(
        &s,
        Method::POST,
        "/webrtc/admin/rooms",
        Some(json!({"room_id": "big"})),
    )
    .await;
    assert_eq!(st, 201);
    let (st, bad) = admin(
        &s,
        Method::POST,
        "/webrtc/admin/rooms/big/metadata",
        Some(json!({"metadata": "a".repeat(17 * 1024)})),
    )
    .await;
    assert_eq!(
        (st, bad["error"]["code"].as_str()),
        (413, Some("MESSAGE_TOO_LARGE"))
    );
    let (st, bad) = admin(
        &s,
        Method::POST,
        "/webrtc/admin/rooms/big/data",
        Some(json!({"data": "a".repeat(17 * 1024)})),
    )
    .await;
    assert_eq!(
        (st, bad["error"]["code"].as_str()),
        (413, Some("MESSAGE_TOO_LARGE"))
    );
    // Replaying webhooks when none are configured.
    let (st, bad) = admin(
        &s,
        Method::POST,
        "/webrtc/admin/webhooks/replay",
        Some(json!({"since": 0})),
    )
    .await;
    assert_eq!(
        (st, bad["error"]["code"].as_str()),
        (404, Some("NOT_FOUND"))
    );
}

#[tokio::test]
async fn an_admin_ban_holds_on_every_instance() {
    let url = redis_url();
    let prefix = format!("adm{}:", uuid::Uuid::new_v4().simple());
    let mut one = cluster_settings(&url, &prefix);
    one.admin.admin_api_key = Some(KEY.into());
    one.admin.admin_api_secret = Some(SECRET_.parse().unwrap());
    let s1 = spawn_with(one);
    let s2 = spawn_with(cluster_settings(&url, &prefix));
    let mut host = s2.connect("banned", "host").await;
    host.expect("room-state").await;
    let mut m = s2.connect("banned", "mallory").await;
    m.expect("room-state").await;
    host.expect("user-joined").await;
    let (st, body) = admin(
        &s1,
        Method::POST,
        "/webrtc/admin/rooms/banned/participants/mallory/remove",
        Some(json!({"ban": true})),
    )
    .await;
    assert_eq!(st, 200, "{body}");
    assert_eq!(m.expect_error().await, "USER_BANNED");
    let left = host.expect("user-left").await;
    assert_eq!(
        (left["user_id"].as_str(), left["reason"].as_str()),
        (Some("mallory"), Some("banned"))
    );
    for s in [&s1, &s2] {
        let mut again = s.connect("banned", "mallory").await;
        assert_eq!(again.expect_error().await, "USER_BANNED");
    }
    // Removing without a ban lets the user back in.
    let mut eve = s1.connect("banned", "eve").await;
    eve.expect("room-state").await;
    let (st, _) = admin(
        &s1,
        Method::POST,
        "/webrtc/admin/rooms/banned/participants/eve/remove",
        None,
    )
    .await;
    assert_eq!(st, 200);
    assert_eq!(eve.expect_error().await, "KICKED");
    let mut back = s2.connect("banned", "eve").await;
    back.expect("room-state").await;
}

/// The webhook admin routes take the admin key like the rest, and refuse
/// bad input with a stable code before doing anything.
#[tokio::test]
async fn webhook_admin_routes_take_the_admin_key_and_check_their_input() {
    let mut settings = admin_settings();
    settings.webhooks.webhook_url = Some("http://127.0.0.1:9/hook".into());
    settings.webhooks.webhook_secret = Some("webhook-secret-0123456789".parse().unwrap());
    let s = spawn_with(settings);
    let routes = [
        (Method::GET, "/webrtc/admin/webhooks"),
        (Method::GET, "/webrtc/admin/webhooks/default/dead-letters"),
        (
            Method::POST,
            "/webrtc/admin/webhooks/default/dead-letters/replay",
        ),
        (Method::POST, "/webrtc/admin/webhooks/replay"),
    ];
    let c = reqwest::Client::new();
    for (method, path) in &routes {
        for auth in [
            None,
            Some(basic(KEY, "wrong-secret")),
            Some(format!("Bearer {}", token("alice", None, Some("host")))),
        ] {
            let mut r = c.request(method.clone(), s.http(path));
            if let Some(a) = &auth {
                r = r.header("authorization", a);
            }
            let r = r.send().await.unwrap();
            assert_eq!(r.status(), 401, "{method} {path} {auth:?}");
        }
    }
    let code = |b: &Value| b["error"]["code"].as_str().unwrap_or("").to_owned();
    for limit in ["0", "1001"] {
        let path = format!("/webrtc/admin/webhooks/default/dead-letters?limit={limit}");
        let (st, b) = admin(&s, Method::GET, &path, None).await;
        assert_eq!((st, code(&b)), (422, "VALIDATION_ERROR".into()), "{limit}");
    }
    let ids: Vec<String> = (0..1001).map(|i| format!("id-{i}")).collect();
    let path = "/webrtc/admin/webhooks/default/dead-letters/replay";
    let (st, b) = admin(&s, Method::POST, path, Some(json!({ "ids": ids }))).await;
    assert_eq!((st, code(&b)), (422, "VALIDATION_ERROR".into()));
    let (st, b) = admin(
        &s,
        Method::POST,
        path,
        Some(json!({"ids": ["nothing-here"]})),
    )
    .await;
    assert_eq!(st, 200, "{b}");
    assert_eq!(
        (b["requeued"].as_u64(), &b["missing"]),
        (Some(0), &json!(["nothing-here"]))
    );
    let (st, b) = admin(
        &s,
        Method::POST,
        "/webrtc/admin/webhooks/replay",
        Some(json!({"since": 0, "endpoint": "nobody"})),
    )
    .await;
    assert_eq!((st, code(&b)), (404, "NOT_FOUND".into()));
    let (st, b) = admin(
        &s,
        Method::GET,
        "/webrtc/admin/webhooks/nobody/dead-letters",
        None,
    )
    .await;
    assert_eq!((st, code(&b)), (404, "NOT_FOUND".into()));
}
