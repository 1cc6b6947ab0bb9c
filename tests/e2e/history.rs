//! Durable history in a real MongoDB-compatible server: chat survives a
//! full restart; chat sent while the database is down is delivered live and
//! stored exactly once when it returns.

use std::process::{Child, Command};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::*;

fn mongo_settings(uri: &str, db: &str) -> server::Settings {
    let mut s = settings();
    s.mongo.mongodb_uri = Some(uri.into());
    s.mongo.mongodb_database = db.to_owned();
    s.redis.instance_ttl_secs = 1;
    s
}

fn mongo_uri() -> String {
    std::env::var("MONGODB_URI").expect(
        "MONGODB_URI must name a MongoDB server: run `just test`, or `tests/services.sh up`",
    )
}

async fn all_history(s: &TestServer, room: &str, user: &str) -> Vec<Value> {
    let mut out = vec![];
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/webrtc/rooms/{room}/chat?limit=10&before={c}"),
            None => format!("/webrtc/rooms/{room}/chat?limit=10"),
        };
        let (st, page) = s.get(&path, user).await;
        assert_eq!(st, 200, "{page}");
        out.extend(page["messages"].as_array().unwrap().iter().cloned());
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => return out,
        }
    }
}

/// The texts of `room`'s history, newest first, once the database answers
/// and holds at least `n` messages (the outbox has drained); 30 s at most.
async fn drained_texts(s: &TestServer, room: &str, n: usize) -> Vec<String> {
    let t = Instant::now();
    loop {
        let (st, _) = s
            .get(&format!("/webrtc/rooms/{room}/chat?limit=1"), "alice")
            .await;
        if st == 200 {
            let h = all_history(s, room, "alice").await;
            if h.len() >= n {
                return h
                    .iter()
                    .map(|m| m["message"].as_str().unwrap().to_owned())
                    .collect();
            }
        }
        assert!(
            t.elapsed() < Duration::from_secs(30),
            "the outbox of {room} never drained"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chat_history_and_sessions_survive_a_full_restart() {
    let db = format!("h{}", uuid::Uuid::new_v4().simple());
    let uri = mongo_uri();
    let a = spawn_with(mongo_settings(&uri, &db));
    let mut alice = a.connect("hist", "alice").await;
    alice.expect("room-state").await;
    let mut bob = a.connect("hist", "bob").await;
    bob.expect("room-state").await;
    for i in 0..25 {
        let text = format!("msg {i}");
        let from = if i % 2 == 0 { &mut alice } else { &mut bob };
        from.send(json!({"type": "chat-message", "message": text}))
            .await;
        // Strictly one after another: both have seen it before the next.
        for c in [&mut alice, &mut bob] {
            assert_eq!(c.expect("chat-message").await["message"], text.as_str());
        }
    }
    a.kill().await;
    drop((alice, bob));
    // A new process, nothing in memory: the history comes from MongoDB.
    let b = spawn_with(mongo_settings(&uri, &db));
    let mut alice = b.connect("hist", "alice").await;
    alice.expect("room-state").await;
    let got: Vec<String> = all_history(&b, "hist", "alice")
        .await
        .iter()
        .map(|m| m["message"].as_str().unwrap().to_owned())
        .collect();
    let want: Vec<String> = (0..25).rev().map(|i| format!("msg {i}")).collect();
    assert_eq!(got, want, "every message, newest first, across pages");
    let (_, summary) = b.get("/webrtc/rooms/hist/analytics/summary", "alice").await;
    assert!(
        summary["summary"]["joins"].as_u64().unwrap() >= 3,
        "{summary}"
    );
    let (_, sessions) = b.get("/webrtc/rooms/hist/sessions", "alice").await;
    let first = sessions["sessions"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    let people = first["participants"].as_array().unwrap();
    assert!(
        people.contains(&json!("alice")) && people.contains(&json!("bob")),
        "{sessions}"
    );
}

struct OwnMongo {
    child: Child,
}

impl OwnMongo {
    fn start(port: u16, dir: &std::path::Path) -> Self {
        let bin = std::env::var("SECANTUSD").expect("SECANTUSD is set by tests/services.sh");
        let child = Command::new(bin)
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .arg("--storage-path")
            .arg(dir)
            .args(["--cache-size", "128M", "--sync-on-commit"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let t = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                t.elapsed() < Duration::from_secs(20),
                "database did not start"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        OwnMongo { child }
    }

    fn stop(mut self, port: u16) {
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
        let t = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            assert!(
                t.elapsed() < Duration::from_secs(10),
                "database did not stop"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for OwnMongo {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chat_sent_while_the_database_is_down_is_delivered_and_stored_once() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = std::env::temp_dir().join(format!("rtc-mongo-{}", uuid::Uuid::new_v4()));
    let db = OwnMongo::start(port, &dir);
    let uri = format!("mongodb://127.0.0.1:{port}/?directConnection=true");
    let s = spawn_with(mongo_settings(&uri, "outage"));
    let mut alice = s.connect("down", "alice").await;
    alice.expect("room-state").await;
    let mut bob = s.connect("down", "bob").await;
    bob.expect("room-state").await;
    alice
        .send(json!({"type": "chat-message", "message": "before"}))
        .await;
    bob.expect("chat-message").await;
    db.stop(port);
    let t = Instant::now();
    for i in 0..10 {
        alice
            .send(json!({"type": "chat-message", "message": format!("down {i}")}))
            .await;
    }
    for i in 0..10 {
        assert_eq!(
            bob.expect("chat-message").await["message"],
            format!("down {i}")
        );
    }
    assert!(
        t.elapsed() < Duration::from_secs(5),
        "live chat kept flowing ({:?})",
        t.elapsed()
    );
    let (_, health) = s.get("/webrtc/health", "alice").await;
    assert!(
        health["checks"]["chat_outbox_pending"].as_u64().unwrap() >= 9,
        "{health}"
    );
    let _db = OwnMongo::start(port, &dir);
    let texts = drained_texts(&s, "down", 11).await;
    let mut want: Vec<String> = (0..10).rev().map(|i| format!("down {i}")).collect();
    want.push("before".into());
    assert_eq!(texts, want, "each message once, in order");
}

/// Chat acknowledged while the database is down outlives the server
/// process: the outbox is an fsynced log under `RTC_DATA_DIR`, so a server
/// killed with SIGKILL before the database returns leaves it to the next
/// process on that directory, which writes every message once, in order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chat_acknowledged_while_the_database_is_down_survives_sigkill() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = std::env::temp_dir().join(format!("rtc-mongo-{}", uuid::Uuid::new_v4()));
    let data = std::env::temp_dir().join(format!("rtc-data-{}", uuid::Uuid::new_v4()));
    let db = OwnMongo::start(port, &dir);
    let env = [
        (
            "MONGODB_URI",
            format!("mongodb://127.0.0.1:{port}/?directConnection=true"),
        ),
        ("RTC_MONGODB_DB", "restart".to_owned()),
        ("RTC_STORAGE", "local".to_owned()),
        ("RTC_DATA_DIR", data.display().to_string()),
    ];
    let a = spawn_process(&env);
    let mut alice = a.connect("spool", "alice").await;
    alice.expect("room-state").await;
    let mut bob = a.connect("spool", "bob").await;
    bob.expect("room-state").await;
    db.stop(port);
    for i in 0..5 {
        alice
            .send(json!({"type": "chat-message", "message": format!("kept {i}")}))
            .await;
    }
    for i in 0..5 {
        assert_eq!(
            bob.expect("chat-message").await["message"],
            format!("kept {i}")
        );
    }
    let (_, health) = a.get("/webrtc/health", "alice").await;
    assert_eq!(health["checks"]["chat_outbox_pending"], 5, "{health}");
    a.kill().await;
    drop((alice, bob));

    // A new process on the same data directory, then the database.
    let b = spawn_process(&env);
    let (_, health) = b.get("/webrtc/health", "alice").await;
    assert_eq!(health["checks"]["chat_outbox_pending"], 5, "{health}");
    let _db = OwnMongo::start(port, &dir);
    let mut alice = b.connect("spool", "alice").await;
    alice.expect("room-state").await;
    let texts = drained_texts(&b, "spool", 5).await;
    let want: Vec<String> = (0..5).rev().map(|i| format!("kept {i}")).collect();
    assert_eq!(texts, want, "each message once, in order");
    let (_, health) = b.get("/webrtc/health", "alice").await;
    assert_eq!(health["checks"]["chat_outbox_pending"], 0, "{health}");
    let _ = std::fs::remove_dir_all(&data);
}
