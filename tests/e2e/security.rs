//! The security issue's defences, end to end (docs/security.md): private
//! reads need current membership, chat history keeps private and breakout
//! messages private, the head is checked before the body is read, origins,
//! and the operations surface.

use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::*;

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

/// Ann, Ben and Cat in `room`, each past its `room-state`.
async fn trio(srv: &TestServer, room: &str) -> (Client, Client, Client) {
    let mut out = Vec::new();
    for user in ["ann", "ben", "cat"] {
        let mut c = srv.connect(room, user).await;
        c.expect("room-state").await;
        out.push(c);
    }
    let c = out.pop().unwrap();
    let b = out.pop().unwrap();
    (out.pop().unwrap(), b, c)
}

/// Messages of a chat history page as `from: text`.
async fn history(srv: &TestServer, room: &str, user: &str) -> Vec<String> {
    let (s, page) = srv.get(&format!("/webrtc/rooms/{room}/chat"), user).await;
    assert_eq!(s, 200, "{page}");
    let mut v: Vec<String> = page["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            format!(
                "{}: {}",
                m["from"].as_str().unwrap(),
                m["message"].as_str().unwrap()
            )
        })
        .collect();
    v.sort();
    v
}

#[tokio::test]
async fn chat_history_returns_only_what_the_caller_could_receive_live() {
    let srv = spawn();
    let room = "sec-chat";
    let mut host = srv.connect(room, "host").await;
    host.expect("room-state").await;
    let (mut a, mut b, mut c) = trio(&srv, room).await;
    let (s, br) = srv
        .post(
            &format!("/webrtc/rooms/{room}/breakout-rooms"),
            "host",
            json!({"name": "B"}),
        )
        .await;
    assert_eq!(s, 201, "{br}");
    let br = br["id"].as_str().unwrap().to_owned();
    let (s, _) = srv
        .post(
            &format!("/webrtc/rooms/{room}/breakout-rooms/{br}/assign/cat"),
            "host",
            json!({}),
        )
        .await;
    assert_eq!(s, 200);
    c.expect("breakout-room-assign").await;

    host.send(json!({"type": "chat-message", "message": "hello all"}))
        .await;
    a.send(json!({"type": "chat-message", "message": "psst ben", "to": "ben"}))
        .await;
    c.send(json!({"type": "chat-message", "message": "in the breakout"}))
        .await;
    b.expect("chat-message").await;
    b.expect("chat-message").await;
    c.expect("chat-message").await;

    assert_eq!(history(&srv, room, "host").await, ["host: hello all"]);
    assert_eq!(
        history(&srv, room, "ann").await,
        ["ann: psst ben", "host: hello all"]
    );
    assert_eq!(
        history(&srv, room, "ben").await,
        ["ann: psst ben", "host: hello all"]
    );
    assert_eq!(history(&srv, room, "cat").await, ["cat: in the breakout"]);
}

/// A thread is its first message and the replies naming it, read with
/// `?thread=`; a private reply in it stays between its two people.
#[tokio::test]
async fn a_thread_holds_its_replies_and_keeps_private_ones_private() {
    let srv = spawn();
    let room = "sec-thread";
    let (mut a, mut b, mut c) = trio(&srv, room).await;
    a.send(json!({"type": "chat-message", "message": "lunch?"}))
        .await;
    let root = c.expect("chat-message").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    a.send(json!({"type": "chat-message", "message": "unrelated"}))
        .await;
    c.expect("chat-message").await;
    b.send(json!({"type": "chat-message", "message": "yes", "reply_to": root}))
        .await;
    assert_eq!(c.expect("chat-message").await["reply_to"], root.as_str());
    c.send(
        json!({"type": "chat-message", "message": "not with ben", "to": "ann", "reply_to": root}),
    )
    .await;
    a.expect("chat-message").await;
    b.send(json!({"type": "chat-message", "message": "x", "reply_to": "../../etc"}))
        .await;
    let e = b.expect("error").await;
    assert_eq!(e["code"], "VALIDATION_ERROR", "{e}");

    let thread = |user: &'static str| {
        let (srv, root) = (&srv, root.clone());
        async move {
            let (s, page) = srv
                .get(&format!("/webrtc/rooms/{room}/chat?thread={root}"), user)
                .await;
            assert_eq!(s, 200, "{page}");
            page["messages"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| {
                    format!(
                        "{}: {}",
                        m["from"].as_str().unwrap(),
                        m["message"].as_str().unwrap()
                    )
                })
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        thread("ann").await,
        ["cat: not with ben", "ben: yes", "ann: lunch?"]
    );
    assert_eq!(thread("ben").await, ["ben: yes", "ann: lunch?"]);
    assert_eq!(
        thread("cat").await,
        ["cat: not with ben", "ben: yes", "ann: lunch?"]
    );
}

/// Search finds text in what the caller could have received, and nothing
/// private to others; a query is text, sanitized like a message.
#[tokio::test]
async fn chat_search_finds_only_what_the_caller_may_see() {
    let srv = spawn();
    let room = "sec-search";
    let (mut a, mut b, mut c) = trio(&srv, room).await;
    for (from, text, to) in [
        (0, "Budget review at 3", None),
        (1, "the budget is secret", Some("ann")),
        (2, "<b>budget</b> & tea", None),
        (0, "nothing here", None),
    ] {
        let mut m = json!({"type": "chat-message", "message": text});
        if let Some(to) = to {
            m["to"] = json!(to);
        }
        let name = ["ann", "ben", "cat"][from];
        let sender = [&mut a, &mut b, &mut c].into_iter().nth(from).unwrap();
        sender.send(m).await;
        // Its own echo: the message is stored, so the next one is newer.
        while sender.expect("chat-message").await["from"] != name {}
    }
    let search = |user: &'static str, q: &'static str| {
        let srv = &srv;
        async move {
            let q = q
                .replace('&', "%26")
                .replace('<', "%3C")
                .replace('>', "%3E")
                .replace(' ', "%20");
            let (s, page) = srv
                .get(&format!("/webrtc/rooms/{room}/chat/search?q={q}"), user)
                .await;
            (s, page)
        }
    };
    let texts = |page: &Value| -> Vec<String> {
        page["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["message"].as_str().unwrap().to_owned())
            .collect()
    };
    let (s, ann) = search("ann", "BUDGET").await;
    assert_eq!(s, 200, "{ann}");
    assert_eq!(
        texts(&ann),
        [
            "&lt;b&gt;budget&lt;/b&gt; &amp; tea",
            "the budget is secret",
            "Budget review at 3"
        ]
    );
    let (_, cat) = search("cat", "budget").await;
    assert_eq!(
        texts(&cat),
        ["&lt;b&gt;budget&lt;/b&gt; &amp; tea", "Budget review at 3"],
        "ben's private message to ann is not cat's to find"
    );
    let (_, markup) = search("cat", "<b>budget</b>").await;
    assert_eq!(
        texts(&markup).len(),
        1,
        "the query is sanitized like a message"
    );
    let (s, empty) = search("ann", "   ").await;
    assert_eq!((s, code(&empty)), (422, "VALIDATION_ERROR"));
}

/// An author edits their message: everyone who saw it is told, history
/// shows the new text marked edited. A moderator deletes it: everyone is
/// told, and its text is gone from history, search and the replay log.
/// Past the edit window the author can do neither.
#[tokio::test]
async fn edits_and_deletes_reach_everyone_and_a_deleted_text_is_gone_everywhere() {
    let mut settings = settings();
    settings.rooms.chat_edit_window_secs = 2;
    let srv = spawn_with(settings);
    let room = "sec-edit";
    let (mut a, mut b, mut c) = trio(&srv, room).await;
    a.send(json!({"type": "chat-message", "message": "the code is 1234"}))
        .await;
    let id = c.expect("chat-message").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    b.expect("chat-message").await;
    b.send(json!({"type": "chat-edit", "message_id": id, "message": "mine now"}))
        .await;
    assert_eq!(b.expect("error").await["code"], "PERMISSION_DENIED");

    a.send(json!({"type": "chat-edit", "message_id": id, "message": "the code is <secret>"}))
        .await;
    let up = c.expect("chat-updated").await;
    assert_eq!(
        up["message"], "the code is &lt;secret&gt;",
        "sanitized as sent"
    );
    assert!(up["edited_at"].is_string(), "{up}");
    b.expect("chat-updated").await;
    let hist = history(&srv, room, "cat").await;
    assert_eq!(hist, ["ann: the code is &lt;secret&gt;"]);

    // Ben (a participant) may not delete it; the host may.
    b.send(json!({"type": "chat-delete", "message_id": id}))
        .await;
    assert_eq!(b.expect("error").await["code"], "PERMISSION_DENIED");
    let mut host = srv.connect_as(room, "boss", Some("moderator")).await;
    host.expect("room-state").await;
    host.send(json!({"type": "chat-delete", "message_id": id}))
        .await;
    let gone = c.expect("chat-deleted").await;
    assert_eq!(
        (gone["message_id"].as_str(), gone["deleted_by"].as_str()),
        (Some(id.as_str()), Some("boss"))
    );
    assert!(history(&srv, room, "cat").await.is_empty());
    let (_, found) = srv
        .get(&format!("/webrtc/rooms/{room}/chat/search?q=code"), "cat")
        .await;
    assert_eq!(found["messages"], json!([]));
    let (_, replay) = srv
        .get(
            &format!("/webrtc/rooms/{room}/reconnect?last_sequence=0"),
            "cat",
        )
        .await;
    let log = replay["events"].to_string();
    assert!(!log.contains("1234") && !log.contains("secret"), "{log}");
    assert!(log.contains("chat-deleted"), "{log}");

    // Past the window, the author's own message is theirs no more.
    a.send(json!({"type": "chat-message", "message": "late"}))
        .await;
    let late = loop {
        let m = a.expect("chat-message").await;
        if m["message"] == "late" {
            break m["id"].as_str().unwrap().to_owned();
        }
    };
    tokio::time::sleep(Duration::from_millis(2_200)).await;
    a.send(json!({"type": "chat-edit", "message_id": late, "message": "x"}))
        .await;
    assert_eq!(a.expect("error").await["code"], "PERMISSION_DENIED");
    a.send(json!({"type": "chat-delete", "message_id": "no-such-message"}))
        .await;
    assert_eq!(a.expect("error").await["code"], "NOT_FOUND");
}

#[tokio::test]
async fn chat_history_pages_past_messages_the_caller_may_not_see() {
    let srv = spawn();
    let room = "sec-pages";
    let (mut a, mut b, mut c) = trio(&srv, room).await;
    for i in 0..3 {
        a.send(json!({"type": "chat-message", "message": format!("public {i}")}))
            .await;
        c.expect("chat-message").await;
        a.send(json!({"type": "chat-message", "message": format!("private {i}"), "to": "ben"}))
            .await;
        b.expect("chat-message").await;
        b.expect("chat-message").await;
    }
    // Cat sees 3 of 6: two pages of 2, then the end.
    let path = format!("/webrtc/rooms/{room}/chat?limit=2");
    let (_, p1) = srv.get(&path, "cat").await;
    let texts = |p: &Value| -> Vec<String> {
        p["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["message"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(texts(&p1), ["public 2", "public 1"]);
    let cursor = p1["next_cursor"].as_str().expect("a next page").to_owned();
    let (_, p2) = srv.get(&format!("{path}&before={cursor}"), "cat").await;
    assert_eq!(texts(&p2), ["public 0"]);
    assert!(p2["next_cursor"].is_null(), "{p2}");
}

/// Every read of a room's private data: chat, analytics, sessions,
/// participants and recordings.
const READS: [&str; 7] = [
    "chat",
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
    for path in ["/metrics", "/webrtc/stats", "/webrtc/webrtc-metrics"] {
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
