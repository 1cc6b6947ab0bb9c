//! The outbox suite on memory and on the file log, the file log across
//! restarts and crashes, signatures, backoff, and the dispatcher against a
//! real HTTP receiver on 127.0.0.1.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde_json::json;

use super::*;
use crate::testing::{LONG, RETENTION, Receiver, Reply, T, check_deliveries};

async fn memory() -> Arc<dyn Outbox> {
    Arc::new(MemoryOutbox::new(RETENTION))
}

/// A fresh directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Self {
        TempDir(std::env::temp_dir().join(format!("webhooks-test-{}", uuid::Uuid::new_v4())))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A file outbox that removes its directory when the test drops it.
struct ScratchFileOutbox {
    outbox: FileOutbox,
    _dir: TempDir,
}

#[async_trait::async_trait]
impl Outbox for ScratchFileOutbox {
    async fn append(
        &self,
        room_id: &str,
        event: &str,
        data: serde_json::Value,
        now_ms: i64,
    ) -> Result<WebhookEvent, OutboxError> {
        self.outbox.append(room_id, event, data, now_ms).await
    }
    async fn next_due(
        &self,
        now_ms: i64,
        limit: usize,
        lease_ms: i64,
    ) -> Result<Vec<Due>, OutboxError> {
        self.outbox.next_due(now_ms, limit, lease_ms).await
    }
    async fn delivered(&self, room_id: &str, seq: u64, now_ms: i64) -> Result<bool, OutboxError> {
        self.outbox.delivered(room_id, seq, now_ms).await
    }
    async fn retry_later(
        &self,
        room_id: &str,
        seq: u64,
        attempts: u32,
        next_attempt_ms: i64,
    ) -> Result<bool, OutboxError> {
        self.outbox
            .retry_later(room_id, seq, attempts, next_attempt_ms)
            .await
    }
    async fn dead_letter(
        &self,
        room_id: &str,
        seq: u64,
        attempts: u32,
        error: &str,
        now_ms: i64,
    ) -> Result<bool, OutboxError> {
        self.outbox
            .dead_letter(room_id, seq, attempts, error, now_ms)
            .await
    }
    async fn dead_letters(&self, limit: usize) -> Result<Vec<DeadLetter>, OutboxError> {
        self.outbox.dead_letters(limit).await
    }
    async fn dead_letter_count(&self) -> Result<u64, OutboxError> {
        self.outbox.dead_letter_count().await
    }
    async fn requeue_dead(
        &self,
        id: &str,
        now_ms: i64,
    ) -> Result<Option<WebhookEvent>, OutboxError> {
        self.outbox.requeue_dead(id, now_ms).await
    }
    async fn replay(
        &self,
        room_id: Option<&str>,
        from: ReplayFrom,
        now_ms: i64,
    ) -> Result<u64, OutboxError> {
        self.outbox.replay(room_id, from, now_ms).await
    }
    async fn pending_count(&self) -> Result<u64, OutboxError> {
        self.outbox.pending_count().await
    }

    async fn dropped_count(&self) -> Result<u64, OutboxError> {
        self.outbox.dropped_count().await
    }
    async fn room_state(&self, room_id: &str) -> Result<Option<RoomState>, OutboxError> {
        self.outbox.room_state(room_id).await
    }
}

async fn file() -> Arc<dyn Outbox> {
    let dir = TempDir::new();
    Arc::new(ScratchFileOutbox {
        outbox: FileOutbox::open(&dir.0, RETENTION).unwrap(),
        _dir: dir,
    })
}

mod memory_outbox {
    crate::outbox_suite!(super::memory);
}

mod file_outbox {
    crate::outbox_suite!(super::file);
}

// ------------------------------------------------------------ file outbox

async fn add(o: &dyn Outbox, room: &str, at: i64) -> WebhookEvent {
    o.append(room, "participant_joined", json!({"n": at - T}), at)
        .await
        .unwrap()
}

async fn states(o: &dyn Outbox, rooms: &[&str]) -> Vec<Option<RoomState>> {
    let mut v = Vec::new();
    for r in rooms {
        v.push(o.room_state(r).await.unwrap());
    }
    v
}

#[tokio::test]
async fn file_outbox_survives_reopen_with_pending_delivered_and_retry_state() {
    let dir = TempDir::new();
    let o = FileOutbox::open(&dir.0, RETENTION).unwrap();
    let mut a = Vec::new();
    for i in 0..4 {
        a.push(add(&o, "a", T + i).await);
    }
    let b1 = add(&o, "b", T + 10).await;
    add(&o, "b", T + 11).await;
    assert!(o.delivered("a", 1, T + 20).await.unwrap());
    assert!(o.delivered("a", 2, T + 21).await.unwrap());
    assert!(o.retry_later("b", 1, 3, T + 5000).await.unwrap());
    let before = states(&o, &["a", "b"]).await;
    // A claim is not state worth keeping: after a restart it is gone.
    assert_eq!(o.next_due(T + 30, 10, LONG).await.unwrap().len(), 1);
    drop(o);

    let o = FileOutbox::open(&dir.0, RETENTION).unwrap();
    assert_eq!(states(&o, &["a", "b"]).await, before);
    assert_eq!(o.pending_count().await.unwrap(), 4);
    let due = o.next_due(T + 30, 10, LONG).await.unwrap();
    assert_eq!(due.len(), 1, "b waits for its retry time");
    assert_eq!((&due[0].event, due[0].attempts), (&a[2], 0));
    let due = o.next_due(T + 5000, 10, LONG).await.unwrap();
    assert_eq!((&due[0].event, due[0].attempts), (&b1, 3));
    assert_eq!(add(&o, "a", T + 40).await.seq, 5, "the sequence continues");
    // Delivered events came back too: a replay re-sends them unchanged.
    assert_eq!(
        o.replay(Some("a"), ReplayFrom::Seq(1), T + 50)
            .await
            .unwrap(),
        2
    );
    drop(o);

    let o = FileOutbox::open(&dir.0, RETENTION).unwrap();
    let due = o.next_due(T + 60, 10, LONG).await.unwrap();
    let a_head = due.iter().find(|d| d.event.room_id == "a").unwrap();
    assert_eq!(a_head.event, a[0], "the replay survived the restart");
    assert_eq!(o.pending_count().await.unwrap(), 7);
}

#[tokio::test]
async fn file_outbox_drops_a_torn_last_line_and_keeps_working() {
    let whole_append = {
        let ev = WebhookEvent {
            id: "torn".into(),
            event: "x".into(),
            room_id: "a".into(),
            seq: 4,
            created_at: T,
            data: json!({}),
        };
        serde_json::to_string(&crate::state::Record::Append { event: ev }).unwrap()
    };
    let tails: [&[u8]; 4] = [
        br#"{"op":"delivered","room":"a","se"#,
        b"\0\0\0\0\0\0\0\0",
        b"{\"op\":\"garbage\n",
        whole_append.as_bytes(),
    ];
    for tail in tails {
        let dir = TempDir::new();
        let o = FileOutbox::open(&dir.0, RETENTION).unwrap();
        for i in 0..3 {
            add(&o, "a", T + i).await;
        }
        assert!(o.delivered("a", 1, T + 5).await.unwrap());
        let before = states(&o, &["a"]).await;
        drop(o);
        let path = dir.0.join(LOG_FILE);
        let good_len = std::fs::metadata(&path).unwrap().len();
        let mut bytes = std::fs::read(&path).unwrap();
        bytes.extend_from_slice(tail);
        std::fs::write(&path, &bytes).unwrap();

        let o = FileOutbox::open(&dir.0, RETENTION).unwrap();
        assert_eq!(states(&o, &["a"]).await, before, "tail {tail:?}");
        assert_eq!(
            std::fs::metadata(&path).unwrap().len(),
            good_len,
            "the torn line is cut off"
        );
        let e4 = add(&o, "a", T + 6).await;
        assert_eq!(e4.seq, 4);
        assert_ne!(e4.id, "torn", "an unacknowledged write is not resurrected");
        drop(o);

        let o = FileOutbox::open(&dir.0, RETENTION).unwrap();
        let st = o.room_state("a").await.unwrap().unwrap();
        assert_eq!((st.last_seq, st.delivered_upto), (4, 1));
        assert_eq!(o.pending_count().await.unwrap(), 3);
    }
}

#[tokio::test]
async fn file_outbox_refuses_a_damaged_line_in_the_middle() {
    let dir = TempDir::new();
    let o = FileOutbox::open(&dir.0, RETENTION).unwrap();
    add(&o, "a", T).await;
    add(&o, "a", T + 1).await;
    drop(o);
    let path = dir.0.join(LOG_FILE);
    let text = std::fs::read_to_string(&path).unwrap();
    let damaged = text.replacen("\"seq\":1", "\"seq\":\"x\"", 1);
    std::fs::write(&path, damaged).unwrap();
    assert!(matches!(
        FileOutbox::open(&dir.0, RETENTION),
        Err(OutboxError::Corrupt(m)) if m.contains("line 1")
    ));
    // A sequence gap is refused as well: a lost line is not papered over.
    let lines: Vec<&str> = text.lines().collect();
    std::fs::write(&path, format!("{}\n", lines[1])).unwrap();
    assert!(matches!(
        FileOutbox::open(&dir.0, RETENTION),
        Err(OutboxError::Corrupt(_))
    ));
}

#[tokio::test]
async fn file_outbox_compaction_keeps_the_state_and_shrinks_the_log() {
    let dir = TempDir::new();
    let o = FileOutbox::open(&dir.0, RETENTION).unwrap();
    let mut a = Vec::new();
    for i in 0..40 {
        a.push(add(&o, "a", T + i).await);
        assert!(o.delivered("a", i as u64 + 1, T + i).await.unwrap());
    }
    for i in 0..5 {
        add(&o, "b", T + 100 + i).await;
    }
    assert!(o.retry_later("b", 1, 2, T + 9000).await.unwrap());
    let before = states(&o, &["a", "b"]).await;
    let path = dir.0.join(LOG_FILE);
    let big = std::fs::metadata(&path).unwrap().len();
    o.compact().await.unwrap();
    let small = std::fs::metadata(&path).unwrap().len();
    assert!(small < big / 4, "{small} vs {big}");
    assert_eq!(states(&o, &["a", "b"]).await, before);
    add(&o, "b", T + 200).await;
    drop(o);

    // An interrupted compaction leaves a temp file; it is ignored.
    std::fs::write(dir.0.join("outbox.jsonl.tmp"), b"{\"op\":").unwrap();
    let o = FileOutbox::open(&dir.0, RETENTION).unwrap();
    assert!(!dir.0.join("outbox.jsonl.tmp").exists());
    let st = states(&o, &["a", "b"]).await;
    assert_eq!(st[0], before[0]);
    assert_eq!(st[1].unwrap().last_seq, 6);
    assert_eq!(st[1].unwrap().attempts, 2);
    assert_eq!(
        o.replay(Some("a"), ReplayFrom::Seq(1), T + 300)
            .await
            .unwrap(),
        3
    );
    let due = o.next_due(T + 300, 10, LONG).await.unwrap();
    assert_eq!(due[0].event, a[37], "retained events kept their ids");
}

// ---------------------------------------------------------------- signing

fn header_fn<'a>(headers: &'a [(&'static str, String)]) -> impl Fn(&str) -> Option<String> + 'a {
    move |name| {
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    }
}

fn sample() -> WebhookEvent {
    WebhookEvent {
        id: "8f1c3a52-7d0e-4b6f-9a51-0c2d7e4b9f10".into(),
        event: "room_started".into(),
        room_id: "standup".into(),
        seq: 7,
        created_at: T,
        data: json!({"by": "alice"}),
    }
}

#[test]
fn signature_matches_an_independent_hmac_sha256() {
    // python3: hmac.new(b'whsec-test', b'msg_1.1700000000.{"a":1}', sha256)
    let sig = Signer::new("whsec-test").sign("msg_1", 1_700_000_000, br#"{"a":1}"#);
    assert_eq!(
        sig,
        "v1=26178b842f976b359f29cccf76d74277bc0a6c32386e25dbde12d28aa08d4015"
    );
}

#[test]
fn signed_headers_verify_and_carry_the_event() {
    let s = Signer::new("k1");
    let ev = sample();
    let body = serde_json::to_vec(&ev).unwrap();
    let hs = s.headers(&ev, &body, 1_700_000_000);
    let get = header_fn(&hs);
    assert_eq!(get("webhook-id").as_deref(), Some(ev.id.as_str()));
    assert_eq!(get("Webhook-Event").as_deref(), Some("room_started"));
    assert_eq!(get("Webhook-Sequence").as_deref(), Some("7"));
    assert_eq!(get("Webhook-Timestamp").as_deref(), Some("1700000000"));
    assert_eq!(verify(b"k1", &get, &body, 1_700_000_000, 300), Ok(()));
    assert_eq!(verify(b"k1", &get, &body, 1_700_000_300, 300), Ok(()));
}

#[test]
fn verify_refuses_tampering_a_wrong_secret_and_stale_timestamps() {
    let ev = sample();
    let body = serde_json::to_vec(&ev).unwrap();
    let hs = Signer::new("k1").headers(&ev, &body, 1_700_000_000);
    let get = header_fn(&hs);
    let now = 1_700_000_000;
    let mut tampered = body.clone();
    tampered[10] ^= 1;
    assert_eq!(
        verify(b"k1", &get, &tampered, now, 300),
        Err(VerifyError::Mismatch)
    );
    assert_eq!(
        verify(b"k2", &get, &body, now, 300),
        Err(VerifyError::Mismatch)
    );
    assert!(matches!(
        verify(b"k1", &get, &body, now + 301, 300),
        Err(VerifyError::Stale { .. })
    ));
    assert!(matches!(
        verify(b"k1", &get, &body, now - 301, 300),
        Err(VerifyError::Stale { .. })
    ));
    // Another id or timestamp with the same signature does not pass.
    for (name, value) in [(HEADER_ID, "other-id"), (HEADER_TIMESTAMP, "1700000001")] {
        let mut changed = hs.clone();
        changed.iter_mut().find(|(k, _)| *k == name).unwrap().1 = value.into();
        assert_eq!(
            verify(b"k1", header_fn(&changed), &body, now, 300),
            Err(VerifyError::Mismatch),
            "{name}"
        );
    }
    let without = |name: &str| -> Vec<(&'static str, String)> {
        hs.iter().filter(|(k, _)| *k != name).cloned().collect()
    };
    assert_eq!(
        verify(
            b"k1",
            header_fn(&without(HEADER_SIGNATURE)),
            &body,
            now,
            300
        ),
        Err(VerifyError::MissingHeader(HEADER_SIGNATURE))
    );
    let mut bad = hs.clone();
    bad.iter_mut()
        .find(|(k, _)| *k == HEADER_SIGNATURE)
        .unwrap()
        .1 = "v1=zz".into();
    assert_eq!(
        verify(b"k1", header_fn(&bad), &body, now, 300),
        Err(VerifyError::Malformed(HEADER_SIGNATURE))
    );
}

#[test]
fn verify_accepts_any_of_several_signatures_during_secret_rotation() {
    let ev = sample();
    let body = serde_json::to_vec(&ev).unwrap();
    let ts = 1_700_000_000;
    let old = Signer::new("old").sign(&ev.id, ts, &body);
    let new = Signer::new("new").sign(&ev.id, ts, &body);
    let hs = vec![
        (HEADER_ID, ev.id.clone()),
        (HEADER_TIMESTAMP, ts.to_string()),
        (HEADER_SIGNATURE, format!("v2=whatever {old} {new}")),
    ];
    assert_eq!(verify(b"new", header_fn(&hs), &body, ts, 60), Ok(()));
    assert_eq!(verify(b"old", header_fn(&hs), &body, ts, 60), Ok(()));
    assert_eq!(
        verify(b"other", header_fn(&hs), &body, ts, 60),
        Err(VerifyError::Mismatch)
    );
}

// ---------------------------------------------------------------- backoff

#[test]
fn backoff_doubles_up_to_the_cap_and_jitter_only_shortens() {
    let b = Backoff::default();
    let s = Duration::from_secs;
    assert_eq!(b.delay(1, 0.0), s(1));
    assert_eq!(b.delay(2, 0.0), s(2));
    assert_eq!(b.delay(3, 0.0), s(4));
    assert_eq!(b.delay(9, 0.0), s(256));
    assert_eq!(b.delay(10, 0.0), s(300));
    assert_eq!(b.delay(u32::MAX, 0.0), s(300));
    assert_eq!(b.delay(3, 0.5), Duration::from_millis(3600));
    assert_eq!(
        b.delay(20, 0.999_999),
        s(300).mul_f64(1.0 - 0.2 * 0.999_999)
    );
}

// ------------------------------------------------------------- dispatcher

#[test]
fn dispatcher_refuses_unusable_configurations() {
    let o: Arc<dyn Outbox> = Arc::new(MemoryOutbox::default());
    let c = reqwest::Client::new();
    let mk = |cfg: DispatcherConfig| Dispatcher::new(o.clone(), c.clone(), cfg).err();
    assert!(matches!(
        mk(DispatcherConfig::new("not a url", "s")),
        Some(ConfigError::Url { .. })
    ));
    assert!(matches!(
        mk(DispatcherConfig::new("ftp://h/x", "s")),
        Some(ConfigError::Url { .. })
    ));
    assert_eq!(
        mk(DispatcherConfig::new("http://h/x", "")),
        Some(ConfigError::EmptySecret)
    );
    let mut cfg = DispatcherConfig::new("http://h/x", "s");
    cfg.lease = cfg.timeout;
    assert!(matches!(mk(cfg), Some(ConfigError::Lease { .. })));
    let mut cfg = DispatcherConfig::new("http://h/x", "s");
    cfg.max_in_flight = 0;
    assert_eq!(mk(cfg), Some(ConfigError::NoConcurrency));
    let mut cfg = DispatcherConfig::new("http://h/x", "s");
    cfg.max_attempts = Some(0);
    assert_eq!(mk(cfg), Some(ConfigError::NoAttempts));
    assert!(mk(DispatcherConfig::new("https://h/x", "s")).is_none());
    let shown = format!("{:?}", DispatcherConfig::new("http://h/x", "hunter2"));
    assert!(!shown.contains("hunter2"), "{shown}");
}

mod dead;

const SECRET: &str = "whsec-dispatch-test";

fn fast_config(url: String) -> DispatcherConfig {
    let mut cfg = DispatcherConfig::new(url, SECRET);
    cfg.timeout = Duration::from_millis(300);
    cfg.backoff = Backoff {
        initial: Duration::from_millis(10),
        max: Duration::from_millis(80),
        jitter: 0.5,
    };
    cfg.poll_interval = Duration::from_millis(20);
    cfg.max_in_flight = 4;
    cfg.lease = Duration::from_secs(5);
    // These tests outlast many fast retries; giving up has its own tests.
    cfg.max_attempts = None;
    cfg
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tick_retries_with_backoff_then_moves_to_the_next_event() {
    let status = Arc::new(AtomicUsize::new(500));
    let s = status.clone();
    let rx = Receiver::start(Arc::new(move |_| {
        Reply::Status(s.load(Ordering::SeqCst) as u16)
    }))
    .await;
    let outbox: Arc<dyn Outbox> = Arc::new(MemoryOutbox::new(RETENTION));
    let mut cfg = fast_config(rx.url());
    cfg.backoff = Backoff {
        initial: Duration::from_secs(1),
        max: Duration::from_secs(3),
        jitter: 0.0,
    };
    let d = Dispatcher::new(outbox.clone(), reqwest::Client::new(), cfg).unwrap();
    let e1 = add(&*outbox, "a", T).await;
    let e2 = add(&*outbox, "a", T + 1).await;

    let report = |attempted, delivered, failed| TickReport {
        attempted,
        delivered,
        failed,
        dead: 0,
    };
    assert_eq!(d.tick(T).await.unwrap(), report(1, 0, 1));
    let st = outbox.room_state("a").await.unwrap().unwrap();
    assert_eq!((st.attempts, st.not_before_ms), (1, Some(T + 1000)));
    assert_eq!(d.tick(T + 999).await.unwrap(), report(0, 0, 0));
    assert_eq!(d.tick(T + 1000).await.unwrap(), report(1, 0, 1));
    assert_eq!(
        outbox.room_state("a").await.unwrap().unwrap().not_before_ms,
        Some(T + 3000)
    );
    assert_eq!(d.tick(T + 3000).await.unwrap(), report(1, 0, 1));
    assert_eq!(
        outbox.room_state("a").await.unwrap().unwrap().not_before_ms,
        Some(T + 6000),
        "capped at 3 s"
    );
    status.store(200, Ordering::SeqCst);
    assert_eq!(d.tick(T + 6000).await.unwrap(), report(1, 1, 0));
    assert_eq!(d.tick(T + 6000).await.unwrap(), report(1, 1, 0));
    assert_eq!(outbox.pending_count().await.unwrap(), 0);
    assert_eq!((d.stats().delivered(), d.stats().failed_attempts()), (2, 3));

    let hits = rx.hits();
    let seqs: Vec<u64> = hits.iter().map(|h| h.event.as_ref().unwrap().seq).collect();
    assert_eq!(seqs, [1, 1, 1, 1, 2], "never #2 before #1 was acknowledged");
    for (hit, at) in hits.iter().zip([T, T + 1000, T + 3000, T + 6000, T + 6000]) {
        assert_eq!(hit.header(HEADER_TIMESTAMP), Some((at / 1000).to_string()));
        verify(
            SECRET.as_bytes(),
            |n| hit.header(n),
            &hit.body,
            at / 1000,
            5,
        )
        .unwrap();
    }
    assert_eq!(hits[0].event.as_ref(), Some(&e1));
    assert_eq!(hits[4].event.as_ref(), Some(&e2));
}

/// Three rooms, interleaved; the receiver fails the first five requests,
/// is then down (connections refused) while more events are appended,
/// comes back hanging one request past the timeout, then accepts.
async fn outage_scenario(outbox: Arc<dyn Outbox>) {
    let seen = Arc::new(AtomicUsize::new(0));
    let s = seen.clone();
    let rx = Receiver::start(Arc::new(move |hit| {
        s.fetch_add(1, Ordering::SeqCst);
        if hit.n < 5 {
            Reply::Status(500)
        } else if hit.n % 7 == 0 {
            Reply::After(204, Duration::from_millis(5))
        } else {
            Reply::Status(200)
        }
    }))
    .await;
    let d = Dispatcher::new(
        outbox.clone(),
        reqwest::Client::new(),
        fast_config(rx.url()),
    )
    .unwrap();
    let stats = d.stats();
    let rooms = ["r1", "r2", "r3"];
    let mut appended = Vec::new();
    let mut at = T;
    let mut append_round = async |n: usize, d: &Dispatcher, appended: &mut Vec<WebhookEvent>| {
        for _ in 0..n {
            for r in rooms {
                at += 1;
                appended.push(
                    outbox
                        .append(r, "participant_joined", json!({"at": at}), unix_ms())
                        .await
                        .unwrap(),
                );
                d.wake();
            }
        }
    };
    append_round(8, &d, &mut appended).await;
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(d.clone().run(async {
        let _ = stop_rx.await;
    }));

    // Let the failures happen and some deliveries through, then go down.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while seen.load(Ordering::SeqCst) < 9 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the receiver got too little"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    rx.stop().await;
    let failed_before_outage = stats.failed_attempts();
    append_round(4, &d, &mut appended).await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert!(
        stats.failed_attempts() > failed_before_outage,
        "attempts failed while the receiver was down"
    );
    let requests_while_down = rx.hits().len();

    // Back, but the first request hangs past the client's timeout.
    let hung = Arc::new(AtomicUsize::new(0));
    let h = hung.clone();
    rx.set_respond(Arc::new(move |_| {
        if h.fetch_add(1, Ordering::SeqCst) == 0 {
            Reply::Hang
        } else {
            Reply::Status(200)
        }
    }));
    rx.restart().await;
    append_round(4, &d, &mut appended).await;

    let ids: HashSet<String> = appended.iter().map(|e| e.id.clone()).collect();
    assert!(
        rx.wait_acked(&ids, Duration::from_secs(30)).await,
        "not everything arrived"
    );
    stop_tx.send(()).unwrap();
    running.await.unwrap();

    let hits = rx.hits();
    let summary = check_deliveries(&hits, SECRET.as_bytes(), &appended).unwrap();
    assert_eq!(
        rx.overlaps(),
        Vec::<String>::new(),
        "one request per room at a time"
    );
    assert!(hits.len() > requests_while_down, "requests resumed");
    assert!(hits.iter().any(|h| h.answer.is_none()), "one request hung");
    assert_eq!(
        summary.acked,
        appended.len(),
        "every event acknowledged exactly once"
    );
    assert_eq!(stats.delivered(), appended.len() as u64);
    // Five 500s, at least one refused connection, one timeout.
    let at_least: u64 = 5 + 1 + 1;
    assert!(
        stats.failed_attempts() >= at_least,
        "{}",
        stats.failed_attempts()
    );
    assert_eq!(stats.in_flight(), 0);
    assert_eq!(outbox.pending_count().await.unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dispatcher_delivers_in_order_through_errors_an_outage_and_a_timeout_memory() {
    outage_scenario(Arc::new(MemoryOutbox::new(RETENTION))).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dispatcher_delivers_in_order_through_errors_an_outage_and_a_timeout_file() {
    let dir = TempDir::new();
    outage_scenario(Arc::new(FileOutbox::open(&dir.0, RETENTION).unwrap())).await;
}

/// One writer per directory: a second open is refused with `InUse` while the
/// first is open (the lock is the OS's, so a killed process releases it),
/// and succeeds once the first is dropped.
#[tokio::test]
async fn a_file_outbox_directory_has_one_writer() {
    let dir = TempDir::new();
    let o = FileOutbox::open(&dir.0, RETENTION).unwrap();
    add(&o, "a", T).await;
    match FileOutbox::open(&dir.0, RETENTION) {
        Err(OutboxError::InUse(m)) => assert!(m.contains(crate::file::LOCK_FILE), "{m}"),
        other => panic!("a second writer was let in: {other:?}"),
    }
    drop(o);
    let o = FileOutbox::open(&dir.0, RETENTION).unwrap();
    assert_eq!(o.pending_count().await.unwrap(), 1);
}
