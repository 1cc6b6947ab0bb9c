//! Every port method against a real Redis server (`REDIS_URL`, started by
//! `tests/services.sh`). Each test uses its own key prefix.

use recording::RecordingStore as _;
use signaling_core::ErrorCode;

use super::*;
use signaling_core::RoomId;
use signaling_core::ports::*;
use signaling_core::ratelimit::{Limit, RateLimiter as _};

fn url() -> String {
    std::env::var("REDIS_URL").expect(
        "REDIS_URL must name a Redis server: run `just test redis-adapter`, \
         or `tests/services.sh up` and source .services/env",
    )
}

fn redis() -> Redis {
    Redis::new(&config()).unwrap()
}

/// A configuration with a key prefix of its own.
fn config() -> RedisConfig {
    let mut cfg = RedisConfig::new(url());
    cfg.prefix = format!("t{}:", uuid::Uuid::new_v4().simple());
    cfg
}

mod suites;

/// Beyond the shared suite: a claim whose owner instance stopped
/// heartbeating is taken over before its lease lapses.
#[tokio::test]
async fn a_dead_owners_job_claim_is_taken_over_before_its_lease_lapses() {
    let r = redis();
    let (s, inst) = (r.ports().recordings, r.ports().instances);
    inst.heartbeat("a", 1).await.unwrap();
    inst.heartbeat("b", 30).await.unwrap();
    assert!(s.claim_job("r2", "a", 600).await.unwrap());
    assert!(!s.claim_job("r2", "b", 600).await.unwrap(), "a is alive");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert!(
        s.claim_job("r2", "b", 600).await.unwrap(),
        "a died; b takes over"
    );
    assert!(!s.claim_job("r2", "c", 600).await.unwrap(), "b is alive");
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

    #[tokio::test]
    async fn each_endpoint_has_its_own_outbox() {
        let r = super::redis();
        let (a, b) = (
            r.webhook_outbox(RETENTION),
            r.webhook_outbox_for("billing", RETENTION),
        );
        let ea = a
            .append("room", "x", serde_json::json!({}), 1)
            .await
            .unwrap();
        let eb = b
            .append("room", "x", serde_json::json!({}), 1)
            .await
            .unwrap();
        assert_eq!((ea.seq, eb.seq), (1, 1), "each endpoint counts its own");
        assert!(b.dead_letter("room", 1, 2, "HTTP 410", 5).await.unwrap());
        assert_eq!(a.dead_letter_count().await.unwrap(), 0);
        assert_eq!(b.dead_letter_count().await.unwrap(), 1);
        assert_eq!(a.pending_count().await.unwrap(), 1);
        assert_eq!(b.pending_count().await.unwrap(), 0);
        assert_eq!(a.requeue_dead(&eb.id, 6).await.unwrap(), None);
        assert_eq!(b.requeue_dead(&eb.id, 6).await.unwrap().unwrap().seq, 2);
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
            c.max_attempts = None;
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

/// Rooms are stored with their schema: a room written before the schema
/// field existed still loads, and a room of a newer schema is refused as
/// corrupt instead of being misread.
#[tokio::test]
async fn rooms_are_stored_with_their_schema() {
    let r = redis();
    let store = r.ports().rooms;
    let id = RoomId::parse("schema-room").unwrap();
    let room = signaling_core::Engine::new(signaling_core::RoomConfig::default())
        .new_room(id.clone(), time::OffsetDateTime::UNIX_EPOCH);
    assert_eq!(store.save(&room, None).await.unwrap(), Saved::Ok);
    let key = r.key(&["room", "schema-room"]);
    let hget = |field: &'static str| {
        let key = key.clone();
        let r = r.clone();
        async move {
            r.run(async |c| {
                redis::cmd("HGET")
                    .arg(&key)
                    .arg(field)
                    .query_async::<Option<String>>(c)
                    .await
            })
            .await
            .unwrap()
        }
    };
    assert_eq!(hget("s").await.as_deref(), Some("1"));
    // Written by an older version: no schema field.
    let hdel = |field: &'static str| {
        let key = key.clone();
        let r = r.clone();
        async move {
            r.run(async |c| {
                redis::cmd("HDEL")
                    .arg(&key)
                    .arg(field)
                    .query_async::<i64>(c)
                    .await
            })
            .await
            .unwrap()
        }
    };
    hdel("s").await;
    let loaded = store.load(&id).await.unwrap().expect("legacy room loads");
    assert_eq!(loaded.room.id, id);
    // Written by a newer version.
    let k = key.clone();
    r.run(async |c| {
        redis::cmd("HSET")
            .arg(&k)
            .arg("s")
            .arg(2)
            .query_async::<i64>(c)
            .await
    })
    .await
    .unwrap();
    let e = store.load(&id).await.unwrap_err();
    assert!(!e.is_unavailable(), "{e}");
    assert!(e.to_string().contains("schema 2"), "{e}");
}
