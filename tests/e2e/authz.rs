//! The authorization table: every REST endpoint and every client message
//! type, called by a host, a moderator, a participant, a viewer, someone
//! not in the room and someone without a token, against the allow/deny the
//! design promises. Each row runs on a fresh room so that one allowed
//! action (a kick, a closed breakout) cannot change the next row's answer.

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::support::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Caller {
    Host,
    Moderator,
    Participant,
    Viewer,
    /// A valid token for the room, but not joined (REST), or waiting in the
    /// waiting room (WebSocket).
    Outsider,
    /// No token at all.
    Anonymous,
}

const ALL: [Caller; 6] = [
    Caller::Host,
    Caller::Moderator,
    Caller::Participant,
    Caller::Viewer,
    Caller::Outsider,
    Caller::Anonymous,
];

impl Caller {
    fn letter(self) -> char {
        match self {
            Caller::Host => 'H',
            Caller::Moderator => 'M',
            Caller::Participant => 'P',
            Caller::Viewer => 'V',
            Caller::Outsider => 'O',
            Caller::Anonymous => 'A',
        }
    }
    fn role(self) -> Option<&'static str> {
        match self {
            Caller::Moderator => Some("moderator"),
            Caller::Participant => Some("participant"),
            Caller::Viewer => Some("viewer"),
            _ => None,
        }
    }
}

/// What a row needs to exist before the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Setup {
    Base,
    /// Waiting room on, `{wait}` knocking.
    Waiting,
    /// A breakout room `{br}`.
    Breakout,
    /// `{target}` assigned to breakout `{br}`.
    BreakoutAssigned,
    /// A live stream `{ls}`.
    Stream,
    /// A running recording `{rec}`.
    Recording,
    /// A paused recording `{rec}`.
    RecordingPaused,
    /// The room in SFU mode.
    Sfu,
    /// `{target}` sent the chat message `{msg}`.
    TargetChat,
    /// The caller (if a member) sent the chat message `{msg}`.
    OwnChat,
}

/// A fresh room: host, caller (by role), target participant, and extras.
struct Fixture {
    vars: HashMap<&'static str, String>,
    token: Option<String>,
    caller_ws: Option<Client>,
    _others: Vec<Client>,
}

impl Fixture {
    fn fill(&self, s: &str) -> String {
        let mut s = s.to_owned();
        for (k, v) in &self.vars {
            s = s.replace(&format!("{{{k}}}"), v);
        }
        s
    }
}

async fn call(
    srv: &TestServer,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> (u16, Value) {
    let c = reqwest::Client::new();
    let url = srv.http(path);
    let mut r = match method {
        "GET" => c.get(url),
        "POST" => c.post(url),
        "DELETE" => c.delete(url),
        m => panic!("method {m}"),
    };
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    if let Some(b) = body {
        r = r.json(b);
    }
    let r = r.send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn fixture(srv: &TestServer, n: usize, caller: Caller, setup: Setup, ws: bool) -> Fixture {
    let room = format!("az-{n}");
    let host = format!("h{n}");
    let target = format!("t{n}");
    let me = if caller == Caller::Host {
        host.clone()
    } else {
        format!("c{n}")
    };
    let host_tok = token(&host, None, None);
    let mut vars = HashMap::from([
        ("room", room.clone()),
        ("target", target.clone()),
        ("me", me.clone()),
        ("wait", format!("w{n}")),
    ]);
    let mut others = Vec::new();
    let mut caller_ws = None;
    let mut h = srv.connect(&room, &host).await;
    h.expect("room-state").await;
    if caller.role().is_some() {
        let mut c = srv.connect_as(&room, &me, caller.role()).await;
        c.expect("room-state").await;
        caller_ws = Some(c);
    }
    let mut t = srv.connect(&room, &target).await;
    t.expect("room-state").await;
    let host_post = |path: String, body: Value| {
        let host_tok = host_tok.clone();
        async move {
            let (s, b) = call(srv, "POST", &path, Some(&host_tok), Some(&body)).await;
            assert!(s < 300, "setup {path}: {s} {b}");
            b
        }
    };
    let base = format!("/webrtc/rooms/{room}");
    // The waiting room: needed by waiting rows, and by WebSocket rows as
    // the place the outsider sits.
    if setup == Setup::Waiting || (ws && caller == Caller::Outsider) {
        host_post(
            format!("{base}/settings"),
            json!({"waiting_room_enabled": true}),
        )
        .await;
        let w = srv.connect(&room, &vars["wait"]).await;
        h.expect("waiting-room-join").await;
        if caller == Caller::Outsider {
            caller_ws = Some(w);
        } else {
            others.push(w);
        }
    }
    match setup {
        Setup::Breakout | Setup::BreakoutAssigned => {
            let b = host_post(format!("{base}/breakout-rooms"), json!({"name": "B"})).await;
            let br = b["id"].as_str().expect("breakout id").to_owned();
            if setup == Setup::BreakoutAssigned {
                host_post(
                    format!("{base}/breakout-rooms/{br}/assign/{target}"),
                    json!({}),
                )
                .await;
            }
            vars.insert("br", br);
        }
        Setup::Stream => {
            let s = host_post(format!("{base}/live-streams/start"), json!({})).await;
            vars.insert("ls", s["stream_id"].as_str().unwrap().to_owned());
        }
        Setup::Recording | Setup::RecordingPaused => {
            let r = host_post(format!("{base}/recordings/start"), json!({})).await;
            let rec = r["recording_id"].as_str().unwrap().to_owned();
            if setup == Setup::RecordingPaused {
                host_post(format!("{base}/recordings/{rec}/pause"), json!({})).await;
            }
            vars.insert("rec", rec);
        }
        Setup::Sfu => {
            host_post(format!("{base}/settings"), json!({"media_mode": "sfu"})).await;
        }
        Setup::TargetChat | Setup::OwnChat => {
            // The caller's own message when it is a member, else the
            // target's (an outsider has none).
            let own = setup == Setup::OwnChat && caller != Caller::Outsider;
            let sender = match (own, caller_ws.as_mut()) {
                (true, Some(c)) => c,
                (true, None) if caller == Caller::Host => &mut h,
                _ => &mut t,
            };
            sender
                .send(json!({"type": "chat-message", "message": "mine"}))
                .await;
            let m = sender.expect("chat-message").await;
            vars.insert("msg", m["id"].as_str().unwrap().to_owned());
        }
        Setup::Base | Setup::Waiting => {}
    }
    let token = match caller {
        Caller::Anonymous => None,
        _ => Some(token(&me, None, caller.role())),
    };
    if caller == Caller::Host {
        caller_ws = Some(h);
    } else {
        others.push(h);
    }
    others.push(t);
    Fixture {
        vars,
        token,
        caller_ws,
        _others: others,
    }
}

struct Rest {
    method: &'static str,
    path: &'static str,
    body: Option<Value>,
    setup: Setup,
    allow: &'static str,
    /// The code a role without the right gets.
    deny: &'static str,
}

fn rest(method: &'static str, path: &'static str, allow: &'static str) -> Rest {
    Rest {
        method,
        path,
        body: (method == "POST").then(|| json!({})),
        setup: Setup::Base,
        allow,
        deny: "PERMISSION_DENIED",
    }
}

impl Rest {
    fn body(mut self, b: Value) -> Self {
        self.body = Some(b);
        self
    }
    fn setup(mut self, s: Setup) -> Self {
        self.setup = s;
        self
    }
    fn deny(mut self, code: &'static str) -> Self {
        self.deny = code;
        self
    }
}

fn rest_table() -> Vec<Rest> {
    use Setup::*;
    let r = "/webrtc/rooms/{room}";
    let p = |s: &str| -> &'static str { Box::leak(format!("{r}{s}").into_boxed_str()) };
    vec![
        rest("GET", p("/participants"), "HMPV"),
        rest("GET", p("/participants/enhanced"), "HMPV"),
        rest("POST", p("/participants/{me}/info"), "HMPV").body(json!({"display_name": "X"})),
        rest("POST", p("/participants/{target}/kick"), "HM"),
        rest("GET", p("/roles/{target}"), "HMPV"),
        rest("POST", p("/roles/{target}"), "HM").body(json!({"role": "viewer"})),
        rest("GET", p("/permissions/{target}"), "HMPV"),
        rest("POST", p("/permissions/{target}"), "HM").body(json!({"can_chat": false})),
        rest("GET", p("/settings"), "HMPV"),
        rest("POST", p("/settings"), "HM").body(json!({"chat_enabled": false})),
        rest("GET", p("/state"), "HMPV"),
        rest("GET", p("/chat"), "HMPV"),
        rest("GET", p("/chat/search?q=hi"), "HMPV"),
        rest("GET", p("/chat/unread"), "HMPV"),
        rest("GET", p("/chat/receipts"), "HMPV"),
        rest("GET", p("/analytics"), "HMPV"),
        rest("GET", p("/analytics/summary"), "HMPV"),
        rest("GET", p("/sessions"), "HMPV"),
        rest("POST", p("/hand-raise"), "HMPV").body(json!({"raised": true})),
        rest("GET", p("/hand-raise/queue"), "HMPV"),
        rest("POST", p("/hand-raise/lower-all"), "HM"),
        rest("POST", p("/mute-all"), "HM"),
        rest("GET", p("/waiting-room"), "HM"),
        rest("POST", p("/waiting-room/admit-all"), "HM").setup(Waiting),
        rest("POST", p("/waiting-room/{wait}/admit"), "HM").setup(Waiting),
        rest("POST", p("/waiting-room/{wait}/reject"), "HM").setup(Waiting),
        rest("POST", p("/waiting-room/{target}/return"), "HM"),
        rest("POST", p("/breakout-rooms"), "HM").body(json!({"name": "B"})),
        rest("GET", p("/breakout-rooms"), "HMPV"),
        rest("POST", p("/breakout-rooms/{br}/assign/{target}"), "HM").setup(Breakout),
        rest("POST", p("/breakout-rooms/return/{target}"), "HM").setup(BreakoutAssigned),
        rest("DELETE", p("/breakout-rooms/{br}"), "HM").setup(Breakout),
        rest("POST", p("/live-streams/start"), "HM").body(json!({"title": "T"})),
        rest("POST", p("/live-streams/{ls}/stop"), "HM").setup(Stream),
        rest("GET", p("/live-streams"), "HMPV"),
        rest("POST", p("/recordings/start"), "HM"),
        rest("POST", p("/recording/start"), "HM"),
        // The host started these: only its owner (or a host) controls it.
        rest("POST", p("/recordings/{rec}/stop"), "H").setup(Recording),
        rest("POST", p("/recordings/{rec}/pause"), "H").setup(Recording),
        rest("POST", p("/recordings/{rec}/resume"), "H").setup(RecordingPaused),
        rest("DELETE", p("/recordings/{rec}"), "H").setup(Recording),
        rest("POST", p("/recordings/{rec}/chunks"), "HMP")
            .setup(Recording)
            .body(json!({"sequence": 0, "data": "AAECAw=="}))
            .deny("MEDIA_NOT_ALLOWED"),
        rest("GET", p("/recordings/{rec}/upload-status"), "HMPV").setup(Recording),
        rest("GET", "/webrtc/recordings", "HMPVO"),
        rest("GET", p("/recordings/{rec}/status"), "HMPV").setup(Recording),
        rest("GET", p("/recordings"), "HMPV"),
        rest("POST", p("/file-transfer/offer"), "HMP").body(json!({
            "receiver": "{target}", "file_name": "a.txt", "file_size": 5,
            "sha256": "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"})),
        rest("GET", "/webrtc/file-transfers", "HMPVO"),
        rest("GET", p("/reconnect?last_sequence=0"), "HMPV"),
        rest("GET", p("/reconnection-state"), "HMPV"),
        rest("POST", p("/quality"), "HMPV").body(json!({"latency_ms": 50})),
        rest("POST", p("/connection-quality"), "HMPV").body(json!({"latency_ms": 50})),
        rest("GET", "/webrtc/rate-limits/api_call/status", "HMPVO"),
        rest("GET", "/webrtc/config", "HMPVOA"),
        rest("GET", "/webrtc/health", "HMPVOA"),
        rest("GET", "/webrtc/stats", "HMPVOA"),
        rest("GET", "/webrtc/webrtc-metrics", "HMPVOA"),
    ]
}

#[tokio::test]
async fn every_endpoint_allows_and_denies_by_role() {
    let srv = spawn_with(authz_settings());
    let mut failures = Vec::new();
    let mut n = 0;
    for row in rest_table() {
        for caller in ALL {
            n += 1;
            let fx = fixture(&srv, n, caller, row.setup, false).await;
            let path = fx.fill(row.path);
            let body: Option<Value> = row
                .body
                .as_ref()
                .map(|b| serde_json::from_str(&fx.fill(&b.to_string())).unwrap());
            let (status, body) =
                call(&srv, row.method, &path, fx.token.as_deref(), body.as_ref()).await;
            let allowed = row.allow.contains(caller.letter());
            let want = match caller {
                _ if allowed => None,
                Caller::Anonymous => Some("UNAUTHORIZED"),
                Caller::Outsider => Some("USER_NOT_IN_ROOM"),
                _ => Some(row.deny),
            };
            let got = body["error"]["code"].as_str();
            let ok = match want {
                None => (200..300).contains(&status),
                Some(code) => got == Some(code),
            };
            if !ok {
                failures.push(format!(
                    "{} {} as {caller:?}: want {}, got {status} {body}",
                    row.method,
                    row.path,
                    want.unwrap_or("2xx")
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {n} cases wrong:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

struct Ws {
    msg: Value,
    setup: Setup,
    allow: &'static str,
    deny: &'static str,
}

fn ws(msg: Value, allow: &'static str) -> Ws {
    Ws {
        msg,
        setup: Setup::Base,
        allow,
        deny: "PERMISSION_DENIED",
    }
}

impl Ws {
    fn setup(mut self, s: Setup) -> Self {
        self.setup = s;
        self
    }
    fn deny(mut self, code: &'static str) -> Self {
        self.deny = code;
        self
    }
}

const SENDRECV: &str = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=sendrecv\r\n";
const RECVONLY: &str = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=recvonly\r\n";

fn ws_table() -> Vec<Ws> {
    use Setup::*;
    use str0m::media::Direction as D;
    let cand = json!({"candidate": "candidate:1 1 udp 2122260223 127.0.0.1 54321 typ host", "sdpMid": "0", "sdpMLineIndex": 0});
    vec![
        ws(json!({"type": "offer", "target": "{target}", "sdp": SENDRECV}), "HMP")
            .deny("MEDIA_NOT_ALLOWED"),
        ws(json!({"type": "offer", "target": "{target}", "sdp": RECVONLY}), "HMPV"),
        ws(json!({"type": "answer", "target": "{target}", "sdp": RECVONLY}), "HMPV"),
        ws(json!({"type": "ice-candidate", "target": "{target}", "candidate": cand}), "HMPV"),
        ws(json!({"type": "media-offer", "sdp": str0m_offer(D::SendOnly)}), "HMP")
            .deny("MEDIA_NOT_ALLOWED")
            .setup(Sfu),
        ws(json!({"type": "media-offer", "sdp": str0m_offer(D::RecvOnly), "sources": {"0": "microphone"}}), "HMPV").setup(Sfu),
        ws(json!({"type": "media-answer", "sdp": RECVONLY}), "HMPV").setup(Sfu),
        ws(json!({"type": "subscription-update", "tracks": [{"mid": "1", "width": 320, "height": 180}]}), "HMPV").setup(Sfu),
        // In a mesh room, media signaling is for nobody.
        ws(json!({"type": "media-offer", "sdp": RECVONLY}), "").deny("MEDIA_MODE_MISMATCH"),
        ws(json!({"type": "media-control", "kind": "audio", "muted": false}), "HMP")
            .deny("MEDIA_NOT_ALLOWED"),
        ws(json!({"type": "media-control", "kind": "audio", "muted": true}), "HMPV"),
        ws(json!({"type": "media-control", "kind": "audio", "muted": true, "target": "{target}"}), "HM"),
        ws(json!({"type": "screen-share-control", "action": "start"}), "HMP")
            .deny("SCREEN_SHARE_NOT_ALLOWED"),
        ws(json!({"type": "screen-share-control", "action": "stop", "target": "{target}"}), "HM"),
        ws(json!({"type": "chat-message", "message": "hi"}), "HMPV"),
        ws(json!({"type": "typing", "active": true}), "HMPV"),
        // Authors edit and delete their own; moderators delete anyone's.
        ws(json!({"type": "chat-edit", "message_id": "{msg}", "message": "new"}), "HMPV").setup(OwnChat),
        ws(json!({"type": "chat-edit", "message_id": "{msg}", "message": "new"}), "").setup(TargetChat),
        ws(json!({"type": "chat-delete", "message_id": "{msg}"}), "HMPV").setup(OwnChat),
        ws(json!({"type": "chat-delete", "message_id": "{msg}"}), "HM").setup(TargetChat),
        ws(json!({"type": "reaction", "emoji": "👍"}), "HMPV"),
        ws(json!({"type": "reaction", "emoji": "👍", "message_id": "{msg}"}), "HMPV").setup(TargetChat),
        ws(json!({"type": "chat-read", "message_id": "{msg}"}), "HMPV").setup(TargetChat),
        ws(json!({"type": "hand-raise", "raised": true}), "HMPV"),
        ws(json!({"type": "hand-raise", "raised": false, "target": "{target}"}), "HM"),
        ws(json!({"type": "participant-update", "display_name": "Z"}), "HMPV"),
        ws(json!({"type": "network-stats", "latency_ms": 40, "packet_loss_percent": 0.5, "jitter_ms": 4}), "HMPV"),
        ws(json!({"type": "analytics-event", "event_type": "x", "data": {}}), "HMPV"),
        ws(json!({"type": "room-settings-update", "locked": true}), "HM"),
        ws(json!({"type": "waiting-room-admit", "user_id": "{wait}"}), "HM").setup(Waiting),
        ws(json!({"type": "waiting-room-reject", "user_id": "{wait}"}), "HM").setup(Waiting),
        ws(json!({"type": "breakout-room-create", "name": "B"}), "HM"),
        ws(json!({"type": "breakout-room-assign", "breakout_room_id": "{br}", "user_id": "{target}"}), "HM").setup(Breakout),
        ws(json!({"type": "breakout-room-close", "breakout_room_id": "{br}"}), "HM").setup(Breakout),
        ws(json!({"type": "virtual-background-update", "background": {"mode": "blur"}}), "HMPV"),
        ws(json!({"type": "live-stream-start", "title": "T"}), "HM"),
        ws(json!({"type": "live-stream-stop", "stream_id": "{ls}"}), "HM").setup(Stream),
        ws(json!({"type": "e2ee-key-exchange", "target": "{target}", "key_id": 1, "public_key": "AAECAw=="}), "HMPV"),
        ws(json!({"type": "e2ee-ratchet-update", "key_id": 1, "generation": 2, "encrypted_key": "AAECAw=="}), "HMPV"),
        ws(json!({"type": "file-share-offer", "target": "{target}", "transfer_id": "f1", "file_name": "a.txt", "file_size": 3}), "HMP"),
        ws(json!({"type": "file-share-accept", "target": "{target}", "transfer_id": "f1"}), "HMPV"),
        ws(json!({"type": "file-share-reject", "target": "{target}", "transfer_id": "f1"}), "HMPV"),
        ws(json!({"type": "file-share-progress", "target": "{target}", "transfer_id": "f1", "bytes_transferred": 1}), "HMPV"),
        ws(json!({"type": "file-share-complete", "target": "{target}", "transfer_id": "f1"}), "HMPV"),
        ws(json!({"type": "recording-control", "action": "start"}), "HM"),
        ws(json!({"type": "recording-control", "action": "stop", "recording_id": "{rec}"}), "H").setup(Recording),
        ws(json!({"type": "recording-control", "action": "status", "recording_id": "{rec}"}), "HMPV").setup(Recording),
    ]
}

/// Sends `msg` and a ping; returns the code of an error answering `msg`'s
/// type that arrived before the pong, if any.
async fn ws_outcome(c: &mut Client, msg: &Value, n: usize) -> Option<String> {
    let ty = msg["type"].as_str().unwrap().to_owned();
    c.send(msg.clone()).await;
    c.send(json!({"type": "ping", "ts": n})).await;
    loop {
        match c.next().await {
            Next::Msg(m) if m["type"] == "pong" && m["ts"] == n => return None,
            Next::Msg(m) if m["type"] == "error" && m["in_reply_to"] == ty.as_str() => {
                return m["code"].as_str().map(str::to_owned);
            }
            Next::Msg(_) => continue,
            Next::Closed(code) => return Some(format!("closed {code:?}")),
        }
    }
}

#[tokio::test]
async fn every_message_type_allows_and_denies_by_role() {
    let srv = spawn_with(authz_settings());
    let mut failures = Vec::new();
    let mut n = 10_000;
    let table = ws_table();
    // Every client-to-server type has at least one row.
    for t in signaling_core::protocol::MessageType::ALL {
        if t.direction() != signaling_core::protocol::Direction::ServerToClient
            && *t != signaling_core::protocol::MessageType::Ping
        {
            assert!(
                table.iter().any(|w| w.msg["type"] == t.as_str()),
                "no authorization row for {}",
                t.as_str()
            );
        }
    }
    for row in table {
        for caller in [
            Caller::Host,
            Caller::Moderator,
            Caller::Participant,
            Caller::Viewer,
            Caller::Outsider,
        ] {
            n += 1;
            let mut fx = fixture(&srv, n, caller, row.setup, true).await;
            let msg: Value = serde_json::from_str(&fx.fill(&row.msg.to_string())).unwrap();
            let mut c = fx.caller_ws.take().expect("caller connection");
            let got = ws_outcome(&mut c, &msg, n).await;
            let allowed = row.allow.contains(caller.letter());
            let want = match caller {
                _ if allowed => None,
                Caller::Outsider => Some("IN_WAITING_ROOM"),
                _ => Some(row.deny),
            };
            if got.as_deref() != want {
                failures.push(format!("{msg} as {caller:?}: want {want:?}, got {got:?}"));
            }
        }
    }
    // Without a token, or with a token for another room, there is no
    // connection to send on.
    let status = |e: tokio_tungstenite::tungstenite::Error| match e {
        tokio_tungstenite::tungstenite::Error::Http(r) => r.status().as_u16(),
        other => panic!("expected an HTTP refusal, got {other}"),
    };
    let e = srv.connect_token("az-x", "").await.err().expect("refused");
    assert_eq!(status(e), 401);
    let t = token("u", Some("other-room"), None);
    let e = srv.connect_token("az-x", &t).await.err().expect("refused");
    assert_eq!(status(e), 403);
    assert!(
        failures.is_empty(),
        "{} cases wrong:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Hundreds of fixtures: lift the deployment-wide recording cap they would
/// otherwise reach (the cap has its own test in media.rs).
fn authz_settings() -> server::Settings {
    let mut s = settings();
    s.recording.recording_max_concurrent = 1_000_000;
    s
}
