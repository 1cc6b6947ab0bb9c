//! Every port method against a real MongoDB-compatible server
//! (`MONGODB_URI`, started by `tests/services.sh`); each test has its own
//! database.

use recording::RecordingStore as _;

use super::*;

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
        timestamp: at(ts),
    }
}

#[tokio::test]
async fn chat_pages_newest_first_by_cursor_and_appends_once() {
    let m = mongo().await;
    let h = m.chat();
    // m2 and m3 share a timestamp: the id breaks the tie, stably.
    for (id, ts) in [("m0", 0), ("m1", 1), ("m2", 2), ("m3", 2), ("m4", 3)] {
        h.append(&chat(id, ts)).await.unwrap();
    }
    h.append(&chat("m1", 1))
        .await
        .expect("a retried append is fine");
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
    let first = h.page(&room("r"), None, 10).await.unwrap();
    assert_eq!(first.messages[0], chat("m4", 3), "the record round-trips");
    assert!(first.next_cursor.is_none());
    assert!(
        h.page(&room("r"), Some("nope"), 2)
            .await
            .unwrap()
            .messages
            .is_empty()
    );
    assert!(
        h.page(&room("other"), None, 2)
            .await
            .unwrap()
            .messages
            .is_empty()
    );
}

fn event(user: &str, ty: &str, secs: i64, dur: Option<i64>) -> AnalyticsRecord {
    let mut data = serde_json::Map::new();
    if let Some(d) = dur {
        data.insert("duration_seconds".into(), d.into());
    }
    AnalyticsRecord {
        room_id: "r".into(),
        user_id: user.into(),
        event_type: ty.into(),
        data,
        timestamp: at(secs),
    }
}

#[tokio::test]
async fn analytics_lists_in_order_and_summarizes_in_the_database() {
    let m = mongo().await;
    let a = m.analytics();
    for e in [
        event("a", "join", 0, None),
        event("b", "join", 1, None),
        event("a", "screen-share", 2, None),
        event("a", "leave", 3, Some(30)),
        event("b", "leave", 4, Some(60)),
    ] {
        a.record(&e).await.unwrap();
    }
    let all = a.list(&room("r"), 10).await.unwrap();
    assert_eq!(
        all.iter()
            .map(|e| e.event_type.as_str())
            .collect::<Vec<_>>(),
        ["join", "join", "screen-share", "leave", "leave"]
    );
    assert_eq!(a.list(&room("r"), 2).await.unwrap().len(), 2);
    let s = a.summary(&room("r")).await.unwrap();
    assert_eq!(
        (s.total_events, s.unique_participants, s.joins, s.leaves),
        (5, 2, 2, 2)
    );
    assert_eq!(s.average_session_seconds, 45.0);
    assert_eq!(s.events_by_type["screen-share"], 1);
    assert_eq!(
        a.summary(&room("empty")).await.unwrap(),
        AnalyticsSummary::default()
    );
}

fn rec(id: &str, room: &str, user: &str, s: i64) -> recording::Recording {
    recording::Recording::start(
        id.into(),
        room.into(),
        user.into(),
        recording::Format::Webm,
        recording::Quality::Medium,
        at(s),
    )
}

#[tokio::test]
async fn recordings_are_replaced_listed_and_leased() {
    let m = mongo().await;
    let s = m.recordings();
    let (mut r2, r1) = (rec("r2", "room", "alice", 20), rec("r1", "room", "bob", 10));
    s.put(&r2).await.unwrap();
    s.put(&r1).await.unwrap();
    s.put(&rec("r3", "other", "alice", 0)).await.unwrap();
    r2.stop(at(30)).unwrap();
    s.put(&r2).await.unwrap();
    assert_eq!(s.get("r2").await.unwrap(), Some(r2.clone()));
    assert_eq!(s.get("nope").await.unwrap(), None);
    assert_eq!(
        s.list_room("room").await.unwrap(),
        vec![r1.clone(), r2.clone()]
    );
    let alice: Vec<String> = s
        .list_user("alice")
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.recording_id)
        .collect();
    assert_eq!(alice, ["r3", "r2"]);
    assert_eq!(s.list_unfinished().await.unwrap().len(), 3);
    r2.finish(Ok(vec![])).unwrap();
    s.put(&r2).await.unwrap();
    assert_eq!(
        s.list_unfinished().await.unwrap().len(),
        2,
        "completed ones leave"
    );
    assert!(s.claim_job("r1", "a", 60).await.unwrap());
    assert!(
        !s.claim_job("r1", "b", 60).await.unwrap(),
        "a holds the lease"
    );
    assert!(s.claim_job("r1", "a", 60).await.unwrap(), "renewal");
    assert!(s.claim_job("r3", "b", 1).await.unwrap());
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert!(
        s.claim_job("r3", "c", 60).await.unwrap(),
        "an expired lease is taken over"
    );
}

#[tokio::test]
async fn sessions_open_once_collect_participants_and_end() {
    let m = mongo().await;
    let s = m.sessions();
    let r = room("room");
    s.started(&r, at(0)).await.unwrap();
    s.started(&r, at(1))
        .await
        .expect("a second start keeps the open session");
    for u in ["alice", "bob", "alice"] {
        s.joined(&r, &UserId::parse(u).unwrap()).await.unwrap();
    }
    s.ended(&r, at(90)).await.unwrap();
    s.started(&r, at(100)).await.unwrap();
    let list = s.list(&r, 10).await.unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0].started_at, at(100), "newest first");
    assert!(list[0].ended_at.is_none());
    assert_eq!(list[1].participants, ["alice", "bob"]);
    assert_eq!(
        (list[1].ended_at, list[1].duration_seconds),
        (Some(at(90)), Some(90))
    );
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
