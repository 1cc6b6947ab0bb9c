//! Every port method against a real MongoDB-compatible server
//! (`MONGODB_URI`, started by `tests/services.sh`); each test has its own
//! database.

use super::*;

mod suites;

async fn mongo() -> Mongo {
    let uri = std::env::var("MONGODB_URI").expect(
        "MONGODB_URI must name a MongoDB server: run `just test mongo-adapter`, \
         or `tests/services.sh up` and source .services/env",
    );
    let mut cfg = MongoConfig::new(uri);
    cfg.database = format!("t{}", uuid::Uuid::new_v4().simple());
    cfg.chat_retention = Some(Duration::from_secs(86_400));
    let m = Mongo::new(cfg).await.unwrap();
    m.ensure_indexes().await.unwrap();
    m.ensure_indexes().await.expect("idempotent");
    m
}

fn at(s: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_700_000_000 + s).unwrap()
}

fn room(s: &str) -> RoomId {
    RoomId::parse(s).unwrap()
}

fn chat(id: &str, ts: i64) -> ChatRecord {
    ChatRecord {
        id: id.into(),
        room_id: "r".into(),
        from: "a".into(),
        from_name: "A".into(),
        message: format!("text of {id}"),
        to: None,
        breakout_room_id: None,
        reply_to: None,
        reactions: Default::default(),
        edited_at: None,
        timestamp: at(ts),
    }
}

/// Beyond the shared suite: messages that share a timestamp are ordered
/// by id, stably across pages.
#[tokio::test]
async fn chat_messages_sharing_a_timestamp_page_by_id() {
    let m = mongo().await;
    let h = m.chat();
    for (id, ts) in [("m0", 0), ("m1", 1), ("m2", 2), ("m3", 2), ("m4", 3)] {
        h.append(&chat(id, ts)).await.unwrap();
    }
    let mut seen = vec![];
    let mut cursor: Option<String> = None;
    loop {
        let p = h.page(&room("r"), cursor.as_deref(), 2).await.unwrap();
        seen.extend(p.messages.iter().map(|m| m.id.clone()));
        match p.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    assert_eq!(seen, ["m4", "m3", "m2", "m1", "m0"]);
}

#[tokio::test]
async fn an_unreachable_database_fails_fast_as_unavailable() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut cfg = MongoConfig::new(format!("mongodb://127.0.0.1:{port}/?directConnection=true"));
    cfg.timeout = Duration::from_millis(500);
    let m = Mongo::new(cfg).await.unwrap();
    let t = std::time::Instant::now();
    let e = m.chat().append(&chat("x", 0)).await.unwrap_err();
    assert!(e.is_unavailable(), "{e:?}");
    assert!(t.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn chat_order_holds_at_nanosecond_timestamps() {
    let m = mongo().await;
    let h = m.chat();
    let base = OffsetDateTime::now_utc();
    for i in 0..25i64 {
        let mut c = chat(
            &format!("{:02}-{}", 99 - i, uuid::Uuid::new_v4().simple()),
            0,
        );
        c.timestamp = base + time::Duration::microseconds(i * 1500 + 7);
        c.message = format!("msg {i}");
        h.append(&c).await.unwrap();
    }
    let mut seen = vec![];
    let mut cursor: Option<String> = None;
    loop {
        let p = h.page(&room("r"), cursor.as_deref(), 10).await.unwrap();
        seen.extend(p.messages.iter().map(|m| m.message.clone()));
        match p.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    let want: Vec<String> = (0..25).rev().map(|i| format!("msg {i}")).collect();
    assert_eq!(seen, want);
}
