//! Every port method against a real Redis server (`REDIS_URL`, started by
//! `tests/services.sh`). Each test uses its own key prefix.

use std::sync::Mutex;

use recording::RecordingStore as _;
use signaling_core::room::RoomSettings;
use signaling_core::{ErrorCode, UserId};
use time::OffsetDateTime;

use super::*;

fn url() -> String {
    std::env::var("REDIS_URL").expect(
        "REDIS_URL must name a Redis server: run `just test redis-adapter`, \
         or `tests/services.sh up` and source .services/env",
    )
}

fn redis() -> Redis {
    let mut cfg = RedisConfig::new(url());
    cfg.prefix = format!("t{}:", uuid::Uuid::new_v4().simple());
    Redis::new(&cfg).unwrap()
}

fn room(id: &str) -> Room {
    let settings = RoomSettings {
        locked: false,
        mute_on_entry: false,
        waiting_room_enabled: false,
        chat_enabled: true,
        screen_share_allowed: true,
        max_participants: 10,
    };
    Room::new(
        RoomId::parse(id).unwrap(),
        settings,
        OffsetDateTime::now_utc(),
    )
}

#[tokio::test]
async fn room_store_is_compare_and_swap_and_never_reuses_a_version() {
    let s = redis().ports().rooms;
    let id = RoomId::parse("r1").unwrap();
    assert!(s.load(&id).await.unwrap().is_none());
    let mut r = room("r1");
    assert_eq!(s.save(&r, None).await.unwrap(), Saved::Ok);
    assert_eq!(s.save(&r, None).await.unwrap(), Saved::Conflict, "exists");
    let v = s.load(&id).await.unwrap().unwrap();
    assert_eq!((v.version, &*v.room), (1, &r));
    r.next_local_id = 7;
    assert_eq!(s.save(&r, Some(1)).await.unwrap(), Saved::Ok);
    assert_eq!(s.save(&r, Some(1)).await.unwrap(), Saved::Conflict, "stale");
    assert_eq!(s.load(&id).await.unwrap().unwrap().room.next_local_id, 7);
    assert_eq!(s.list().await.unwrap(), vec![id.clone()]);
    assert_eq!(s.delete(&id, 1).await.unwrap(), Saved::Conflict);
    assert_eq!(s.delete(&id, 2).await.unwrap(), Saved::Ok);
    assert!(s.load(&id).await.unwrap().is_none());
    assert!(s.list().await.unwrap().is_empty());
    assert_eq!(
        s.save(&r, Some(2)).await.unwrap(),
        Saved::Conflict,
        "deleted"
    );
    assert_eq!(s.save(&r, None).await.unwrap(), Saved::Ok, "recreated");
    assert_eq!(
        s.load(&id).await.unwrap().unwrap().version,
        3,
        "a recreated room continues the version, so a stale writer cannot match it"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_read_modify_write_loses_no_update() {
    let s = redis().ports().rooms;
    s.save(&room("hot"), None).await.unwrap();
    let id = RoomId::parse("hot").unwrap();
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let s = s.clone();
            let id = id.clone();
            tokio::spawn(async move {
                loop {
                    let v = s.load(&id).await.unwrap().unwrap();
                    let mut r = (*v.room).clone();
                    r.next_local_id += 1;
                    if s.save(&r, Some(v.version)).await.unwrap() == Saved::Ok {
                        return;
                    }
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let v = s.load(&id).await.unwrap().unwrap();
    assert_eq!(v.room.next_local_id, 21);
    assert_eq!(v.version, 21);
}

#[derive(Default)]
struct Collect(Mutex<Vec<BusEvent>>);

impl EventSink for Collect {
    fn deliver(&self, event: &BusEvent) {
        self.0.lock().unwrap().push(event.clone());
    }
}

fn event(room: &str, payload: &str) -> BusEvent {
    BusEvent {
        room_id: RoomId::parse(room).unwrap(),
        kind: BusKind::Deliver {
            to: signaling_core::Audience::Users(vec![UserId::parse("u").unwrap()]),
            payload: payload.into(),
        },
    }
}

#[tokio::test]
async fn bus_fans_out_to_every_subscribed_instance() {
    let prefix = format!("t{}:", uuid::Uuid::new_v4().simple());
    let instance = || {
        let mut cfg = RedisConfig::new(url());
        cfg.prefix = prefix.clone();
        Redis::new(&cfg).unwrap().ports().bus
    };
    let (a, b) = (instance(), instance());
    let (sa, sb) = (Arc::new(Collect::default()), Arc::new(Collect::default()));
    a.subscribe(sa.clone());
    b.subscribe(sb.clone());
    // Subscriptions are asynchronous: probe until both hear.
    for _ in 0..100 {
        a.publish(event("r", "probe")).await.unwrap();
        tokio::time::sleep(Duration::from_millis(20)).await;
        if !sa.0.lock().unwrap().is_empty() && !sb.0.lock().unwrap().is_empty() {
            break;
        }
    }
    sa.0.lock().unwrap().clear();
    sb.0.lock().unwrap().clear();
    b.publish(event("r", "hello")).await.unwrap();
    for _ in 0..100 {
        if sa.0.lock().unwrap().len() == 1 && sb.0.lock().unwrap().len() == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(*sa.0.lock().unwrap(), vec![event("r", "hello")]);
    assert_eq!(*sb.0.lock().unwrap(), vec![event("r", "hello")]);
}

#[tokio::test]
async fn rate_limiter_counts_per_key_and_window() {
    let l = redis().ports().limiter;
    let limit = Limit {
        max: 3,
        window_secs: 60,
    };
    let now = 6_000; // start of a window
    for i in 1..=3 {
        let s = l.hit("chat:a", limit, now + 1).await.unwrap();
        assert!(s.allowed);
        assert_eq!((s.used, s.remaining), (i, 3 - i));
    }
    let s = l.hit("chat:a", limit, now + 2).await.unwrap();
    assert!(!s.allowed);
    assert_eq!(s.reset_in_secs, 58);
    let p = l.peek("chat:a", limit, now + 3).await.unwrap();
    assert_eq!((p.used, p.remaining, p.allowed), (3, 0, false));
    assert!(
        l.hit("chat:b", limit, now + 3).await.unwrap().allowed,
        "other key"
    );
    assert!(
        l.hit("chat:a", limit, now + 60).await.unwrap().allowed,
        "next window"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn rate_limiter_never_gives_the_last_slot_twice() {
    let l = redis().ports().limiter;
    let limit = Limit {
        max: 10,
        window_secs: 60,
    };
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let l = l.clone();
            tokio::spawn(async move { l.hit("k", limit, 120).await.unwrap().allowed })
        })
        .collect();
    let mut allowed = 0;
    for t in tasks {
        allowed += t.await.unwrap() as u32;
    }
    assert_eq!(allowed, 10);
}

fn chat(id: &str, n: i64) -> ChatRecord {
    ChatRecord {
        id: id.into(),
        room_id: "room".into(),
        from: "a".into(),
        from_name: "A".into(),
        message: format!("message {n}"),
        to: None,
        breakout_room_id: None,
        timestamp: OffsetDateTime::from_unix_timestamp(1_000 + n).unwrap(),
    }
}

#[tokio::test]
async fn chat_history_pages_newest_first_and_appends_once() {
    let h = redis().ports().chat;
    for n in 0..5 {
        h.append(&chat(&format!("m{n}"), n)).await.unwrap();
    }
    h.append(&chat("m2", 2)).await.unwrap(); // a retried append
    let room = RoomId::parse("room").unwrap();
    let mut seen = vec![];
    let mut cursor: Option<String> = None;
    loop {
        let p = h.page(&room, cursor.as_deref(), 2).await.unwrap();
        seen.extend(p.messages.iter().map(|m| m.id.clone()));
        match p.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    assert_eq!(seen, ["m4", "m3", "m2", "m1", "m0"]);
    let p = h.page(&room, Some("no-such-id"), 2).await.unwrap();
    assert!(p.messages.is_empty() && p.next_cursor.is_none());
    let other = RoomId::parse("other").unwrap();
    assert!(h.page(&other, None, 10).await.unwrap().messages.is_empty());
}

#[tokio::test]
async fn analytics_lists_in_order_and_summarizes() {
    let a = redis().ports().analytics;
    let ev = |user: &str, ty: &str, secs: Option<i64>| {
        let mut data = serde_json::Map::new();
        if let Some(s) = secs {
            data.insert("duration_seconds".into(), s.into());
        }
        AnalyticsRecord {
            room_id: "room".into(),
            user_id: user.into(),
            event_type: ty.into(),
            data,
            timestamp: OffsetDateTime::now_utc(),
        }
    };
    for e in [
        ev("a", "join", None),
        ev("b", "join", None),
        ev("a", "leave", Some(30)),
    ] {
        a.record(&e).await.unwrap();
    }
    let room = RoomId::parse("room").unwrap();
    let all = a.list(&room, 10).await.unwrap();
    assert_eq!(
        all.iter()
            .map(|e| e.event_type.as_str())
            .collect::<Vec<_>>(),
        ["join", "join", "leave"]
    );
    assert_eq!(a.list(&room, 2).await.unwrap().len(), 2);
    let s = a.summary(&room).await.unwrap();
    assert_eq!(
        (s.total_events, s.unique_participants, s.joins, s.leaves),
        (3, 2, 2, 1)
    );
    assert_eq!(s.average_session_seconds, 30.0);
}

#[tokio::test]
async fn recording_records_are_replaced_by_id_and_listed_by_room() {
    let s = redis().ports().recordings;
    let t0 = OffsetDateTime::from_unix_timestamp(1_000).unwrap();
    let mk = |id: &str, room: &str, at: i64| {
        recording::Recording::start(
            id.into(),
            room.into(),
            "alice".into(),
            recording::Format::Webm,
            recording::Quality::Medium,
            t0 + time::Duration::seconds(at),
        )
    };
    let (mut r2, r1) = (mk("r2", "room", 20), mk("r1", "room", 10));
    s.put(&r2).await.unwrap();
    s.put(&r1).await.unwrap();
    s.put(&mk("r3", "elsewhere", 0)).await.unwrap();
    r2.stop(t0 + time::Duration::seconds(30)).unwrap();
    s.put(&r2).await.unwrap();
    assert_eq!(s.get("r2").await.unwrap(), Some(r2.clone()));
    assert_eq!(s.get("nope").await.unwrap(), None);
    assert_eq!(
        s.list_room("room").await.unwrap(),
        vec![r1.clone(), r2.clone()]
    );
    assert_eq!(s.list_user("alice").await.unwrap().len(), 3);
    assert!(s.list_user("bob").await.unwrap().is_empty());
    // r2 is processing, r1 and r3 record: all unfinished.
    assert_eq!(s.list_unfinished().await.unwrap().len(), 3);
    let mut r1 = r1;
    r1.cancel(t0 + time::Duration::seconds(40)).unwrap();
    s.put(&r1).await.unwrap();
    let open: Vec<String> = s
        .list_unfinished()
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.recording_id)
        .collect();
    assert_eq!(open, ["r3", "r2"], "cancelled ones leave the set");
    // One processing job per recording: a live owner keeps it, a dead
    // owner's claim is taken over.
    let r = redis();
    let (s, inst) = (r.ports().recordings, r.ports().instances);
    inst.heartbeat("a", 30).await.unwrap();
    assert!(s.claim_job("r2", "a", 60).await.unwrap());
    assert!(!s.claim_job("r2", "b", 60).await.unwrap(), "a is alive");
    assert!(
        s.claim_job("r2", "a", 60).await.unwrap(),
        "the owner may renew"
    );
    inst.heartbeat("a", 1).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    inst.heartbeat("b", 30).await.unwrap();
    assert!(
        s.claim_job("r2", "b", 60).await.unwrap(),
        "a died; b takes over"
    );
    assert!(!s.claim_job("r2", "c", 60).await.unwrap());
}

fn tracked(room: &str, user: &str) -> TrackedConnection {
    TrackedConnection {
        room_id: RoomId::parse(room).unwrap(),
        user_id: UserId::parse(user).unwrap(),
        connection: ConnectionId::new(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_dead_instance_is_claimed_once_with_its_connections() {
    let r = redis().ports().instances;
    r.heartbeat("a", 30).await.unwrap();
    r.heartbeat("b", 1).await.unwrap();
    let (kept, gone) = (tracked("room", "u1"), tracked("room", "u2"));
    r.track("b", &kept).await.unwrap();
    r.track("b", &gone).await.unwrap();
    r.untrack("b", gone.connection).await.unwrap();
    assert!(r.claim_dead("a").await.unwrap().is_empty(), "b is alive");
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    // Two survivors race for it: exactly one wins.
    let (x, y) = tokio::join!(r.claim_dead("a"), r.claim_dead("c"));
    let mut claims = x.unwrap();
    claims.extend(y.unwrap());
    assert_eq!(claims, vec![("b".to_owned(), vec![kept])]);
    assert!(r.claim_dead("a").await.unwrap().is_empty(), "claimed once");
    assert!(
        r.claim_dead("b").await.unwrap().is_empty(),
        "a is alive and never claimed"
    );
}

#[tokio::test]
async fn an_unreachable_redis_fails_fast_as_unavailable() {
    // A port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut cfg = RedisConfig::new(format!("redis://127.0.0.1:{port}"));
    cfg.timeout = Duration::from_millis(500);
    let p = Redis::new(&cfg).unwrap().ports();
    let started = std::time::Instant::now();
    let e = p
        .rooms
        .load(&RoomId::parse("r").unwrap())
        .await
        .unwrap_err();
    assert!(e.is_unavailable(), "{e:?}");
    assert_eq!(
        signaling_core::SignalError::from(e).code,
        ErrorCode::ServiceUnavailable
    );
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn replay_log_numbers_without_gaps_and_trims_to_the_buffer() {
    use reconnection::{BufferConfig, EventLog as _, Replay};
    let cfg = BufferConfig {
        max_events: 5,
        ttl_ms: 60_000,
    };
    let log = redis().ports_with(cfg).log;
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let log = log.clone();
            tokio::spawn(async move {
                log.append("r", 1_000, vec![format!("u{i}")], format!(r#"{{"n":{i}}}"#))
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut seqs = vec![];
    for t in tasks {
        seqs.push(t.await.unwrap());
    }
    seqs.sort();
    assert_eq!(
        seqs,
        (1..=8).collect::<Vec<u64>>(),
        "gap-free under concurrency"
    );
    assert_eq!(log.latest("r").await.unwrap(), 8);
    // Five kept: resuming after 3 works, after 2 needs a resync.
    let Replay::Events(ev) = log.since("r", 2_000, 3).await.unwrap() else {
        panic!("expected events")
    };
    assert_eq!(
        ev.iter().map(|e| e.seq).collect::<Vec<_>>(),
        [4, 5, 6, 7, 8]
    );
    assert!(
        ev.iter()
            .all(|e| e.audience.len() == 1 && e.payload.starts_with("{\"n\":"))
    );
    assert_eq!(
        log.since("r", 2_000, 2).await.unwrap(),
        Replay::ResyncRequired { latest: 8 }
    );
    // Older than the buffer's age: resync, but an up-to-date client is fine.
    assert!(matches!(
        log.since("r", 1_000 + 60_001, 4).await.unwrap(),
        Replay::ResyncRequired { .. }
    ));
    assert_eq!(
        log.since("r", 99_000, 8).await.unwrap(),
        Replay::Events(vec![])
    );
    log.clear("r").await.unwrap();
    assert_eq!(log.latest("r").await.unwrap(), 0);
    assert_eq!(log.latest("other").await.unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn transfer_records_and_chunk_sets_survive_concurrent_marks() {
    use file_transfer::{Transfer, TransferMode, TransferState, TransferStore as _};
    let s = redis().ports().transfers;
    let now = OffsetDateTime::now_utc();
    let t = Transfer {
        transfer_id: "t1".into(),
        room_id: RoomId::parse("room").unwrap(),
        sender: UserId::parse("alice").unwrap(),
        receiver: UserId::parse("bob").unwrap(),
        file_name: "a.bin".into(),
        file_size: 100 * 1024,
        file_type: None,
        sha256: Some("0".repeat(64)),
        chunk_size: 1024,
        total_chunks: 100,
        mode: TransferMode::Server,
        state: TransferState::Active,
        bytes_transferred: 0,
        created_at: now,
        updated_at: now,
        expires_at: now,
        failure: None,
    };
    s.put(&t).await.unwrap();
    assert_eq!(s.get("t1").await.unwrap(), Some(t.clone()));
    assert_eq!(s.get("t2").await.unwrap(), None);
    let tasks: Vec<_> = (0..100u64)
        .rev()
        .map(|i| {
            let s = s.clone();
            tokio::spawn(async move { s.mark_chunk("t1", i).await.unwrap() })
        })
        .collect();
    let mut counts = vec![];
    for t in tasks {
        counts.push(t.await.unwrap());
    }
    counts.sort();
    assert_eq!(counts, (1..=100).collect::<Vec<u64>>(), "no mark lost");
    assert_eq!(
        s.mark_chunk("t1", 5).await.unwrap(),
        100,
        "a repeat counts once"
    );
    assert_eq!(
        s.chunks("t1").await.unwrap(),
        (0..100).collect::<Vec<u64>>()
    );
    let bob = UserId::parse("bob").unwrap();
    assert_eq!(s.list_user(&bob).await.unwrap(), vec![t.clone()]);
    assert_eq!(s.list_all().await.unwrap().len(), 1);
    s.delete("t1").await.unwrap();
    assert_eq!(s.get("t1").await.unwrap(), None);
    assert!(s.chunks("t1").await.unwrap().is_empty());
    assert!(s.list_user(&bob).await.unwrap().is_empty());
}

/// The webhook outbox: the adapter suite every outbox passes, and two
/// dispatchers (two pools, as two instances would have) on one outbox.
mod webhook_outbox {
    use std::collections::HashSet;
    use std::sync::Arc;
    use std::time::Duration;

    use ::webhooks::testing::{RETENTION, Receiver, Reply, check_deliveries};
    use ::webhooks::{Backoff, Dispatcher, DispatcherConfig, Outbox, unix_ms};

    async fn make() -> Arc<dyn Outbox> {
        super::redis().webhook_outbox(RETENTION)
    }

    ::webhooks::outbox_suite!(make);

    #[tokio::test]
    async fn ports_expose_the_webhook_outbox() {
        let o = super::redis().ports().webhooks;
        let e = o
            .append("room", "room_started", serde_json::json!({}), 1)
            .await
            .unwrap();
        assert_eq!(e.seq, 1);
        assert_eq!(o.pending_count().await.unwrap(), 1);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn two_dispatchers_on_one_redis_keep_each_room_in_order_and_lose_nothing() {
        const SECRET: &str = "two-dispatchers";
        let mut cfg = super::RedisConfig::new(super::url());
        cfg.prefix = format!("t{}:", uuid::Uuid::new_v4().simple());
        let a = super::Redis::new(&cfg).unwrap().webhook_outbox(RETENTION);
        let b = super::Redis::new(&cfg).unwrap().webhook_outbox(RETENTION);
        // Pseudo-random replies: a fifth fail, some answer late.
        let rx = Receiver::start(Arc::new(|hit| {
            let r = (hit.n as u64).wrapping_mul(2_654_435_761) % 100;
            match r {
                0..20 => Reply::Status(503),
                20..40 => Reply::After(200, Duration::from_millis(r % 15)),
                _ => Reply::Status(200),
            }
        }))
        .await;
        let config = || {
            let mut c = DispatcherConfig::new(rx.url(), SECRET);
            c.timeout = Duration::from_millis(500);
            c.backoff = Backoff {
                initial: Duration::from_millis(5),
                max: Duration::from_millis(50),
                jitter: 0.5,
            };
            c.poll_interval = Duration::from_millis(10);
            // Fewer slots than rooms, so both dispatchers get rooms.
            c.max_in_flight = 2;
            c.lease = Duration::from_secs(3);
            c
        };
        let client = reqwest::Client::new();
        let da = Dispatcher::new(a.clone(), client.clone(), config()).unwrap();
        let db = Dispatcher::new(b.clone(), client.clone(), config()).unwrap();
        let (sa, sb) = (da.stats(), db.stats());

        // Both instances append, interleaved, to the same rooms.
        let rooms: Vec<String> = (0..6).map(|i| format!("room-{i}")).collect();
        let mut appended = Vec::new();
        let append_round = async |round: usize, appended: &mut Vec<_>| {
            for (i, r) in rooms.iter().enumerate() {
                let via: &dyn Outbox = if (round + i).is_multiple_of(2) {
                    &*a
                } else {
                    &*b
                };
                let data = serde_json::json!({"round": round});
                appended.push(
                    via.append(r, "participant_joined", data, unix_ms())
                        .await
                        .unwrap(),
                );
            }
        };
        for round in 0..8 {
            append_round(round, &mut appended).await;
        }
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let stopped = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
            let _ = rx.wait_for(|s| *s).await;
        };
        let ra = tokio::spawn(da.clone().run(stopped(stop_rx.clone())));
        let rb = tokio::spawn(db.clone().run(stopped(stop_rx)));
        for round in 8..16 {
            append_round(round, &mut appended).await;
            da.wake();
            db.wake();
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let ids: HashSet<String> = appended.iter().map(|e| e.id.clone()).collect();
        assert!(
            rx.wait_acked(&ids, Duration::from_secs(60)).await,
            "not everything arrived"
        );
        stop_tx.send(true).unwrap();
        ra.await.unwrap();
        rb.await.unwrap();

        // Every (room, seq) was assigned exactly once across both instances.
        let mut seqs: Vec<(String, u64)> = appended
            .iter()
            .map(|e| (e.room_id.clone(), e.seq))
            .collect();
        seqs.sort();
        let want: Vec<(String, u64)> = rooms
            .iter()
            .flat_map(|r| (1..=16).map(move |s| (r.clone(), s)))
            .collect();
        assert_eq!(seqs, want);

        let hits = rx.hits();
        let summary = check_deliveries(&hits, SECRET.as_bytes(), &appended).unwrap();
        assert_eq!(
            rx.overlaps(),
            Vec::<String>::new(),
            "a room was sent by both at once"
        );
        assert_eq!(
            summary.acked,
            appended.len(),
            "each event acknowledged once"
        );
        assert_eq!(sa.delivered() + sb.delivered(), appended.len() as u64);
        assert!(
            sa.delivered() > 0 && sb.delivered() > 0,
            "both dispatchers worked: {} and {}",
            sa.delivered(),
            sb.delivered()
        );
        assert!(sa.failed_attempts() + sb.failed_attempts() > 0);
        assert_eq!(a.pending_count().await.unwrap(), 0);
    }
}

/// Quotas: the suite every implementation passes, and two instances (two
/// pools) racing for recording slots.
mod quotas {
    use std::sync::Arc;

    use signaling_core::quota::Quotas;

    async fn make() -> Arc<dyn Quotas> {
        super::redis().ports().quotas
    }

    signaling_core::quota_suite!(make);

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn two_instances_never_take_more_slots_than_max() {
        let mut cfg = super::RedisConfig::new(super::url());
        cfg.prefix = format!("t{}:", uuid::Uuid::new_v4().simple());
        let a = super::Redis::new(&cfg).unwrap().ports().quotas;
        let b = super::Redis::new(&cfg).unwrap().ports().quotas;
        let mut set = tokio::task::JoinSet::new();
        for i in 0..40 {
            let q = if i % 2 == 0 { a.clone() } else { b.clone() };
            set.spawn(async move { q.acquire_slot("recordings", &format!("r{i}"), 10, i).await });
        }
        let mut ok = 0;
        while let Some(r) = set.join_next().await {
            ok += usize::from(r.unwrap().unwrap());
        }
        assert_eq!(ok, 10);
        assert_eq!(b.slots("recordings").await.unwrap().len(), 10);
    }
}

#[tokio::test]
async fn chat_history_keeps_the_newest_per_room() {
    let caps = Caps {
        chat_per_room: 25,
        analytics_per_room: 25,
    };
    let chat = redis()
        .ports_with_caps(reconnection::BufferConfig::default(), caps)
        .chat;
    signaling_core::testing::chat_history_keeps_the_newest(chat, 25).await;
}

#[tokio::test]
async fn analytics_keep_the_newest_per_room() {
    let caps = Caps {
        chat_per_room: 25,
        analytics_per_room: 25,
    };
    let a = redis()
        .ports_with_caps(reconnection::BufferConfig::default(), caps)
        .analytics;
    signaling_core::testing::analytics_keep_the_newest(a, 25).await;
}

#[tokio::test]
async fn rate_limit_windows_expire_with_their_window() {
    let r = redis();
    let l = r.ports().limiter;
    let lim = Limit {
        max: 3,
        window_secs: 60,
    };
    l.hit("chat_message:alice", lim, 600).await.unwrap();
    let key = r.key(&["rl", "chat_message:alice", "600"]);
    let ttl: i64 = r
        .run(async |c| redis::cmd("TTL").arg(&key).query_async(c).await)
        .await
        .unwrap();
    assert!((1..=61).contains(&ttl), "TTL {ttl}: the key must expire");
}
