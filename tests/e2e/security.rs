//! The security issue's defences, end to end (docs/security.md): private
//! reads need current membership, the head is checked before the body is
//! read, origins, and the operations surface. Chat's privacy rules are in
//! `chat.rs`.

use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::*;

/// The router matches the percent-decoded path: a room path spelt with
/// `%XX` meets the same token and membership checks as the plain one, so
/// a stranger's token reads nothing of the room through it.
#[tokio::test]
async fn encoded_room_paths_meet_the_same_checks() {
    let s = spawn();
    let mut host = s.connect("enc", "host").await;
    host.expect("room-state").await;
    let stranger = token("stranger", None, None);
    for path in [
        "/webrtc/rooms/enc/analytics",
        "/webrtc/room%73/enc/analytics",
        "/webrtc/%72ooms/enc/sessions",
        "/webrtc/rooms/%65nc/analytics/summary",
    ] {
        let (st, e) = get_tok(&s, path, &stranger).await;
        assert_eq!((st, code(&e)), (404, "USER_NOT_IN_ROOM"), "{path}");
        let r = reqwest::get(s.http(path)).await.unwrap();
        assert_eq!(r.status(), 401, "{path} without a token");
    }
    let (st, _) = s.get("/webrtc/room%73/enc/analytics", "host").await;
    assert_eq!(st, 200, "a member reads it either way");
}

/// Integers are int64, as the document says: a sequence number of 2^63 or
/// more is 422 VALIDATION_ERROR (bodies: `optional_json` unit tests).
#[tokio::test]
async fn integers_past_int64_are_refused() {
    let s = spawn();
    let mut host = s.connect("big", "host").await;
    host.expect("room-state").await;
    let (st, e) = s
        .get(
            "/webrtc/rooms/big/reconnect?last_sequence=9223372036854775808",
            "host",
        )
        .await;
    assert_eq!((st, code(&e)), (422, "VALIDATION_ERROR"), "{e}");
}

/// The WebSocket handshake carries its token in `?token=` (a browser cannot
/// set headers there): another scheme's `Authorization` header, such as a
/// proxy's Basic credentials the browser keeps sending, is passed over.
#[tokio::test]
async fn a_handshake_passes_over_another_schemes_authorization() {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
    let s = spawn();
    let url = format!(
        "ws://{}/webrtc/ws/bas?token={}",
        s.addr,
        token("alice", None, None)
    );
    let mut req = url.into_client_request().unwrap();
    req.headers_mut()
        .insert("authorization", "Basic dXNlcjpwYXNz".parse().unwrap());
    let (ws, _) = tokio_tungstenite::connect_async(req).await.expect("joins");
    drop(ws);
    // REST keeps the strict rule, and the scheme is case-insensitive.
    let c = reqwest::Client::new();
    let r = c
        .get(s.http("/webrtc/recordings"))
        .header(
            "authorization",
            format!("BEARER {}", token("alice", None, None)),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

/// RFC 6750 §2: a token goes one way. A request whose header and `?token=`
/// disagree is refused whichever of them is valid; the same token twice is
/// still one caller.
#[tokio::test]
async fn two_different_tokens_are_refused() {
    let s = spawn();
    let good = token("alice", None, None);
    let other = token("mallory", None, None);
    let c = reqwest::Client::new();
    for (header, query, want) in [
        (&good, "not-a-token", 401),
        (&good, other.as_str(), 401),
        (&other, good.as_str(), 401),
        (&good, good.as_str(), 200),
    ] {
        let r = c
            .get(s.http(&format!("/webrtc/recordings?token={query}")))
            .bearer_auth(header)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), want, "{query}");
    }
    // An Authorization header that is not a bearer token is refused, not
    // passed over for the query's token.
    let r = c
        .get(s.http(&format!("/webrtc/recordings?token={good}")))
        .header("authorization", "s(IY7*)")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    // A 401 names the scheme it wants (RFC 9110 §11.6.1).
    assert_eq!(
        r.headers()["www-authenticate"].to_str().unwrap(),
        "Bearer realm=\"rtc-server\""
    );
}

/// A struct in a body is a JSON object at any depth: serde would take
/// `[null, null]` for one (its fields in order), which nobody means.
#[tokio::test]
async fn arrays_are_not_objects_in_bodies() {
    let s = spawn();
    let mut host = s.connect("ao", "host").await;
    host.expect("room-state").await;
    for (path, body) in [
        ("/webrtc/rooms/ao/settings", "[null, null]"),
        (
            "/webrtc/rooms/ao/participants/host/info",
            r#"{"network_stats": [1, 2, 3, 4]}"#,
        ),
    ] {
        let (st, e) = s
            .post_raw(path, "host", Some("application/json"), Some(body))
            .await;
        assert_eq!((st, code(&e)), (422, "VALIDATION_ERROR"), "{path} {body}");
    }
}

async fn get_tok(srv: &TestServer, path: &str, tok: &str) -> (u16, Value) {
    let r = reqwest::Client::new()
        .get(srv.http(path))
        .bearer_auth(tok)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

fn code(v: &Value) -> &str {
    v["error"]["code"].as_str().unwrap_or("")
}

/// Every read of a room's private data: chat (with its unread count and
/// read marks), analytics, sessions, participants and recordings.
const READS: [&str; 9] = [
    "chat",
    "chat/unread",
    "chat/receipts",
    "analytics",
    "analytics/summary",
    "sessions",
    "participants",
    "recordings",
    "state",
];

async fn assert_reads(srv: &TestServer, room: &str, tok: &str, want: Option<&str>, who: &str) {
    for read in READS {
        let (s, body) = get_tok(srv, &format!("/webrtc/rooms/{room}/{read}"), tok).await;
        match want {
            None => assert_eq!(s, 200, "{who} reading {read}: {body}"),
            Some(c) => assert_eq!(code(&body), c, "{who} reading {read}: {s} {body}"),
        }
    }
}

#[tokio::test]
async fn private_reads_need_current_membership_on_every_instance() {
    let url = redis_url();
    let prefix = format!("sec-{}:", uuid::Uuid::new_v4());
    let a = spawn_with(cluster_settings(&url, &prefix));
    let b = spawn_with(cluster_settings(&url, &prefix));
    let room = "sec-members";
    let mut host = a.connect(room, "host").await;
    host.expect("room-state").await;
    let mut kim = b.connect(room, "kim").await;
    kim.expect("room-state").await;
    let mut bo = b.connect(room, "bo").await;
    bo.expect("room-state").await;
    let kim_tok = token("kim", Some(room), None);
    let bo_tok = token("bo", None, None);
    assert_reads(&b, room, &kim_tok, None, "kim (member)").await;
    assert_reads(&a, room, &bo_tok, None, "bo (member, room-less token)").await;

    // Never joined, with a room-less token or one for this room.
    assert_reads(
        &a,
        room,
        &token("eve", None, None),
        Some("USER_NOT_IN_ROOM"),
        "eve",
    )
    .await;
    assert_reads(
        &b,
        room,
        &token("eve", Some(room), None),
        Some("USER_NOT_IN_ROOM"),
        "eve",
    )
    .await;

    // In the waiting room.
    let (s, _) = a
        .post(
            &format!("/webrtc/rooms/{room}/settings"),
            "host",
            json!({"waiting_room_enabled": true}),
        )
        .await;
    assert_eq!(s, 200);
    let mut wes = b.connect(room, "wes").await;
    wes.expect("waiting-room-join").await;
    assert_reads(
        &b,
        room,
        &token("wes", Some(room), None),
        Some("IN_WAITING_ROOM"),
        "wes",
    )
    .await;

    // Kicked on instance A: refused at once on instance B, and banned too.
    let (s, body) = a
        .post(
            &format!("/webrtc/rooms/{room}/participants/kim/kick"),
            "host",
            json!({}),
        )
        .await;
    assert_eq!(s, 200, "{body}");
    assert_reads(&b, room, &kim_tok, Some("USER_NOT_IN_ROOM"), "kim (kicked)").await;
    let (s, body) = a
        .post(
            &format!("/webrtc/rooms/{room}/participants/bo/kick"),
            "host",
            json!({"ban": true}),
        )
        .await;
    assert_eq!(s, 200, "{body}");
    assert_reads(&b, room, &bo_tok, Some("USER_NOT_IN_ROOM"), "bo (banned)").await;
}

#[tokio::test]
async fn recordings_are_read_by_members_and_their_owner_only() {
    let srv = spawn();
    let room = "sec-rec";
    let mut host = srv.connect(room, "host").await;
    host.expect("room-state").await;
    let mut p = srv.connect(room, "pat").await;
    p.expect("room-state").await;
    let (s, r) = srv
        .post(
            &format!("/webrtc/rooms/{room}/recordings/start"),
            "host",
            json!({}),
        )
        .await;
    assert_eq!(s, 201, "{r}");
    let rec = r["recording_id"].as_str().unwrap().to_owned();
    let status = format!("/webrtc/rooms/{room}/recordings/{rec}/status");
    let link = format!("/webrtc/rooms/{room}/recordings/{rec}/link");
    assert_eq!(srv.get(&status, "pat").await.0, 200);
    // An outsider with a room-less token: no status, no 7-day link.
    for path in [&status, &link] {
        let (s, body) = srv.get(&format!("{path}?expires_in=604800"), "eve").await;
        assert_eq!(
            (s, code(&body)),
            (404, "USER_NOT_IN_ROOM"),
            "{path}: {body}"
        );
    }
    // Pat leaves: no longer reads it. The host (its owner) leaves too and
    // still does.
    p.close().await;
    let (s, body) = srv.get(&status, "pat").await;
    assert_eq!(code(&body), "USER_NOT_IN_ROOM", "{s} {body}");
    host.close().await;
    let (s, body) = srv.get(&status, "host").await;
    assert_eq!(s, 200, "the owner reads their recording: {body}");
}

/// Writes a request head announcing `len` body bytes plus `sent` of them,
/// and returns the status line of the answer (within `wait`).
async fn raw_upload(
    srv: &TestServer,
    head: &str,
    len: usize,
    sent: usize,
    wait: Duration,
) -> String {
    let mut s = tokio::net::TcpStream::connect(srv.addr).await.unwrap();
    let req = format!(
        "{head}\r\nHost: {}\r\nContent-Length: {len}\r\n\r\n",
        srv.addr
    );
    s.write_all(req.as_bytes()).await.unwrap();
    let _ = s.write_all(&vec![0u8; sent]).await;
    let mut buf = vec![0u8; 4096];
    let n = tokio::time::timeout(wait, s.read(&mut buf))
        .await
        .expect("an answer before the body is sent")
        .unwrap();
    String::from_utf8_lossy(&buf[..n]).into_owned()
}

#[tokio::test]
async fn uploads_are_refused_on_their_head_before_the_body_is_read() {
    let srv = spawn();
    let room = "sec-head";
    let mut host = srv.connect(room, "host").await;
    host.expect("room-state").await;
    let chunk = format!("/webrtc/rooms/{room}/file-transfer/t1/chunks/0");
    let rec = format!("/webrtc/rooms/{room}/recordings/r1/chunks/0");
    let wait = Duration::from_secs(2);
    // No token: 401 while 59 MB of the announced 60 MB are still unsent.
    for path in [&chunk, &rec] {
        let answer = raw_upload(
            &srv,
            &format!("PUT {path} HTTP/1.1"),
            60_000_000,
            1 << 20,
            wait,
        )
        .await;
        assert!(answer.starts_with("HTTP/1.1 401"), "{path}: {answer}");
    }
    // A token for another room, and one of a non-member.
    let other = token("host", Some("elsewhere"), None);
    let answer = raw_upload(
        &srv,
        &format!("PUT {chunk} HTTP/1.1\r\nAuthorization: Bearer {other}"),
        60_000_000,
        1 << 20,
        wait,
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 403"), "{answer}");
    let eve = token("eve", None, None);
    let answer = raw_upload(
        &srv,
        &format!("PUT {rec} HTTP/1.1\r\nAuthorization: Bearer {eve}"),
        60_000_000,
        1 << 20,
        wait,
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 404"), "{answer}");
    assert!(answer.contains("USER_NOT_IN_ROOM"), "{answer}");
}

#[tokio::test]
async fn a_body_that_does_not_arrive_in_time_gets_408() {
    let mut settings = settings();
    settings.http.body_timeout_secs = 1;
    let srv = spawn_with(settings);
    let room = "sec-slow";
    let mut host = srv.connect(room, "host").await;
    host.expect("room-state").await;
    let tok = token("host", None, None);
    let started = std::time::Instant::now();
    let answer = raw_upload(
        &srv,
        &format!(
            "POST /webrtc/rooms/{room}/settings HTTP/1.1\r\nAuthorization: Bearer {tok}\r\nContent-Type: application/json"
        ),
        1000,
        10,
        Duration::from_secs(5),
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("REQUEST_TIMEOUT"), "{answer}");
    assert!(started.elapsed() >= Duration::from_millis(900));
}

#[tokio::test]
async fn origins_outside_the_policy_are_refused_for_rest_and_websocket() {
    let mut settings = settings();
    settings.http.allowed_origins = vec!["https://app.example.com".into()];
    let srv = spawn_with(settings);
    let room = "sec-origin";
    let mut host = srv.connect(room, "host").await;
    host.expect("room-state").await;
    let http = reqwest::Client::new();
    let path = srv.http(&format!("/webrtc/rooms/{room}/participants"));
    let tok = token("host", None, None);

    // Preflight from the allowed origin, then the call itself.
    let r = http
        .request(reqwest::Method::OPTIONS, &path)
        .header("Origin", "https://app.example.com")
        .header("Access-Control-Request-Method", "GET")
        .header("Access-Control-Request-Headers", "authorization")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(
        r.headers()["access-control-allow-origin"],
        "https://app.example.com"
    );
    assert!(
        r.headers()["access-control-allow-headers"]
            .to_str()
            .unwrap()
            .contains("authorization")
    );
    let r = http
        .get(&path)
        .bearer_auth(&tok)
        .header("Origin", "https://app.example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["access-control-allow-origin"],
        "https://app.example.com"
    );

    // Another origin: refused, preflight and call alike.
    for method in [reqwest::Method::OPTIONS, reqwest::Method::GET] {
        let r = http
            .request(method.clone(), &path)
            .bearer_auth(&tok)
            .header("Origin", "https://evil.example")
            .header("Access-Control-Request-Method", "GET")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{method}");
        assert!(r.headers().get("access-control-allow-origin").is_none());
        let body: Value = r.json().await.unwrap();
        assert_eq!(code(&body), "ORIGIN_NOT_ALLOWED");
    }
    // The server's own origin needs no listing.
    let r = http
        .get(&path)
        .bearer_auth(&tok)
        .header("Origin", format!("http://{}", srv.addr))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    // The WebSocket upgrade follows the same policy.
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let ws = |origin: &str| {
        let mut req = format!(
            "ws://{}/webrtc/ws/{room}?token={}",
            srv.addr,
            token("wes", None, None)
        )
        .into_client_request()
        .unwrap();
        req.headers_mut().insert("origin", origin.parse().unwrap());
        req
    };
    match tokio_tungstenite::connect_async(ws("https://evil.example")).await {
        Err(e) => assert!(e.to_string().contains("403"), "{e}"),
        Ok(_) => panic!("a page on another origin opened the WebSocket"),
    }
    let (mut ok, _) = tokio_tungstenite::connect_async(ws("https://app.example.com"))
        .await
        .expect("the allowed origin connects");
    use futures_util::StreamExt;
    let first = tokio::time::timeout(Duration::from_secs(5), ok.next())
        .await
        .unwrap();
    assert!(format!("{first:?}").contains("room-state"), "{first:?}");
}

#[tokio::test]
async fn the_page_sends_security_headers() {
    let srv = spawn();
    let r = reqwest::get(srv.http("/")).await.unwrap();
    let h = r.headers();
    let csp = h["content-security-policy"].to_str().unwrap();
    for part in [
        "default-src 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
    ] {
        assert!(csp.contains(part), "{csp}");
    }
    assert_eq!(h["x-frame-options"], "DENY");
    assert_eq!(h["referrer-policy"], "no-referrer");
}

#[tokio::test]
async fn client_chosen_http_methods_do_not_become_metric_labels() {
    let srv = spawn();
    let http = reqwest::Client::new();
    for i in 0..3 {
        let m = reqwest::Method::from_bytes(format!("FOO{i}").as_bytes()).unwrap();
        http.request(m, srv.http("/webrtc/health"))
            .send()
            .await
            .unwrap();
    }
    let text = http
        .get(srv.http("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !text.contains("FOO"),
        "a client-chosen method became a label"
    );
    assert!(
        text.contains("method=\"OTHER\""),
        "unknown methods are counted as OTHER"
    );
}

#[tokio::test]
async fn operations_endpoints_take_a_token_or_their_own_address() {
    let mut with_token = settings();
    with_token.ops.metrics_token = Some("ops-token-0123456789".parse().unwrap());
    let srv = spawn_with(with_token);
    let http = reqwest::Client::new();
    // The router decodes `%XX`: so must the checks, or an encoded path
    // walks past them to the same handler.
    for path in [
        "/metrics",
        "/webrtc/stats",
        "/webrtc/webrtc-metrics",
        "/m%65trics",
        "/webrtc/stat%73",
    ] {
        let r = http.get(srv.http(path)).send().await.unwrap();
        assert_eq!(r.status(), 401, "{path}");
        let r = http
            .get(srv.http(path))
            .bearer_auth("wrong")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401, "{path}");
        let r = http
            .get(srv.http(path))
            .bearer_auth("ops-token-0123456789")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{path}");
    }

    let mut with_bind = settings();
    with_bind.ops.metrics_bind = Some("127.0.0.1:0".into());
    let srv = spawn_with(with_bind);
    let ops = srv.ops_addr.expect("a metrics address");
    for path in ["/metrics", "/webrtc/stats", "/webrtc/webrtc-metrics"] {
        let r = http.get(srv.http(path)).send().await.unwrap();
        assert_eq!(r.status(), 404, "{path} on the public address");
        let r = http
            .get(format!("http://{ops}{path}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{path} on the metrics address");
    }
    // Nothing else is served there.
    let r = http
        .get(format!("http://{ops}/webrtc/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn a_returning_member_gets_their_seat_and_a_new_connection_passes_every_gate() {
    let mut s = settings();
    s.rooms.reconnect_grace_secs = 30;
    let srv = spawn_with(s);
    let room = "sec-gates";
    let mut host = srv.connect(room, "host").await;
    host.expect("room-state").await;
    let pat_tok = token("pat", Some(room), None);
    let pat = srv.connect_token(room, &pat_tok).await.unwrap();
    host.expect("user-joined").await;
    let (s, _) = srv
        .post(
            &format!("/webrtc/rooms/{room}/settings"),
            "host",
            json!({"locked": true, "waiting_room_enabled": true, "max_participants": 2}),
        )
        .await;
    assert_eq!(s, 200);
    // Pat's connection drops; with their own token they come straight back
    // to their seat, past the lock, the waiting room and the full room.
    drop(pat);
    let mut back = srv.connect_token(room, &pat_tok).await.unwrap();
    let state = back.expect("room-state").await;
    assert_eq!(state["you"], "pat");
    // A new connection of someone else meets every gate: locked first.
    let mut eve = srv.connect(room, "eve").await;
    assert_eq!(eve.expect_error().await, "ROOM_LOCKED");
    let (s, _) = srv
        .post(
            &format!("/webrtc/rooms/{room}/settings"),
            "host",
            json!({"locked": false}),
        )
        .await;
    assert_eq!(s, 200);
    let mut eve = srv.connect(room, "eve").await;
    assert_eq!(eve.expect_error().await, "ROOM_FULL");
    let (s, _) = srv
        .post(
            &format!("/webrtc/rooms/{room}/settings"),
            "host",
            json!({"max_participants": 3}),
        )
        .await;
    assert_eq!(s, 200);
    let mut eve = srv.connect(room, "eve").await;
    eve.expect("waiting-room-join").await;
}

#[tokio::test]
async fn clients_never_see_the_servers_connection_ids() {
    let srv = spawn();
    let room = "sec-internals";
    let mut a = srv.connect(room, "ann").await;
    let state = a.expect("room-state").await;
    let mut b = srv.connect(room, "ben").await;
    b.expect("room-state").await;
    let joined = a.expect("user-joined").await;
    let (s, rest) = srv
        .get(&format!("/webrtc/rooms/{room}/participants"), "ann")
        .await;
    assert_eq!(s, 200);
    let (s, room_state) = srv.get(&format!("/webrtc/rooms/{room}/state"), "ann").await;
    assert_eq!(s, 200);
    for (what, v) in [
        ("room-state", &state["participants"][0]),
        ("user-joined", &joined["participant"]),
        ("GET participants", &rest["participants"][1]),
        ("GET state", &room_state["participants"][0]),
    ] {
        assert!(v["user_id"].is_string(), "{what}: {v}");
        assert!(
            v.get("connection").is_none(),
            "{what} shows a connection id: {v}"
        );
    }
}
