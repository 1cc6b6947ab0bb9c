//! Test support shared by every outbox adapter (feature `testing`): the one
//! outbox suite (run against memory and file here, against Redis in
//! `redis-adapter` via [`outbox_suite!`](crate::outbox_suite)), a tiny
//! scripted HTTP/1.1 receiver on 127.0.0.1, and the delivery checks.
//!
//! Suite functions panic on the first broken expectation, like tests do.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

use crate::{Outbox, OutboxError, ReplayFrom, Retention, RoomState, WebhookEvent, verify};

mod dead;
pub use dead::*;

/// The retention every suite outbox must be built with.
pub const RETENTION: Retention = Retention {
    keep_delivered: 3,
    max_age_ms: 3_600_000,
    max_pending: 50,
    max_dead: 4,
};

/// The suite's "now" (unix ms); tests move time by adding to it.
pub const T: i64 = 1_700_000_000_000;

/// A lease long enough never to run out within a suite test.
pub const LONG: i64 = 600_000;

/// Generates one `#[tokio::test]` per suite case, each on a fresh outbox
/// from `$make` (an `async fn() -> Arc<dyn Outbox>` built with
/// [`RETENTION`]). The calling crate needs `tokio` with `macros` and
/// `rt-multi-thread` among its dev-dependencies.
#[macro_export]
macro_rules! outbox_suite {
    ($make:path) => {
        $crate::outbox_suite!(@cases $make;
            append_assigns_ids_and_gap_free_seq_per_room,
            concurrent_appends_get_gap_free_seqs,
            next_due_hands_out_only_each_rooms_head,
            next_due_serves_the_oldest_due_rooms_first_up_to_the_limit,
            a_claim_expires_after_its_lease,
            delivered_advances_the_head_and_only_the_head,
            retry_later_schedules_the_head_and_keeps_attempts,
            replay_requeues_delivered_events_from_a_seq_ahead_of_newer_ones,
            replay_since_a_time_covers_every_room,
            retention_bounds_what_is_kept_and_replayed,
            concurrent_polls_never_hand_out_a_room_twice,
            undelivered_events_are_capped_per_room_and_counted,
            dead_letter_moves_the_room_on_and_keeps_the_event,
            requeue_dead_appends_the_event_again_once,
            the_dead_letter_list_is_bounded,
            a_replayed_event_that_dies_again_has_one_dead_letter,
        );
    };
    (@cases $make:path; $($case:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                $crate::testing::$case($make().await).await;
            }
        )*
    };
}

fn heads(due: &[crate::Due]) -> Vec<(String, u64, u32)> {
    let mut v: Vec<_> = due
        .iter()
        .map(|d| (d.event.room_id.clone(), d.event.seq, d.attempts))
        .collect();
    v.sort();
    v
}

fn h(room: &str, seq: u64, attempts: u32) -> (String, u64, u32) {
    (room.to_owned(), seq, attempts)
}

async fn add(o: &dyn Outbox, room: &str, at: i64) -> WebhookEvent {
    o.append(
        room,
        "participant_joined",
        json!({"at": at, "room": room}),
        at,
    )
    .await
    .unwrap()
}

/// Delivers every event of `room` up to `upto` (claiming each head first).
async fn deliver_upto(o: &dyn Outbox, room: &str, upto: u64, now: i64) {
    let st = o.room_state(room).await.unwrap().unwrap();
    for seq in st.delivered_upto + 1..=upto {
        assert!(o.delivered(room, seq, now).await.unwrap(), "{room} #{seq}");
    }
}

/// Ids, sequence numbers, timestamps and the room state after appends;
/// invalid input is refused and stores nothing.
pub async fn append_assigns_ids_and_gap_free_seq_per_room(o: Arc<dyn Outbox>) {
    let o = &*o;
    let mut got = Vec::new();
    for (i, room) in ["a", "b", "a", "a", "b"].iter().enumerate() {
        got.push(add(o, room, T + i as i64).await);
    }
    let seqs: Vec<_> = got.iter().map(|e| (e.room_id.as_str(), e.seq)).collect();
    assert_eq!(seqs, [("a", 1), ("b", 1), ("a", 2), ("a", 3), ("b", 2)]);
    for (i, e) in got.iter().enumerate() {
        assert_eq!(e.created_at, T + i as i64);
        assert_eq!(e.event, "participant_joined");
        assert_eq!(e.data, json!({"at": T + i as i64, "room": e.room_id}));
        let id = uuid::Uuid::parse_str(&e.id).expect("a uuid");
        assert_eq!(id.get_version_num(), 4);
    }
    let ids: HashSet<_> = got.iter().map(|e| &e.id).collect();
    assert_eq!(ids.len(), 5, "ids are unique");
    assert_eq!(o.pending_count().await.unwrap(), 5);
    assert_eq!(
        o.room_state("a").await.unwrap(),
        Some(RoomState {
            last_seq: 3,
            delivered_upto: 0,
            retained_from: 1,
            attempts: 0,
            not_before_ms: Some(T),
        })
    );
    assert_eq!(o.room_state("nope").await.unwrap(), None);
    for (room, event) in [("", "x"), ("a", "")] {
        assert!(matches!(
            o.append(room, event, json!({}), T).await,
            Err(OutboxError::InvalidInput(_))
        ));
    }
    assert_eq!(
        o.pending_count().await.unwrap(),
        5,
        "refused appends store nothing"
    );
}

/// Forty appends racing on one room get 1..=40, each once.
pub async fn concurrent_appends_get_gap_free_seqs(o: Arc<dyn Outbox>) {
    let tasks: Vec<_> = (0..40)
        .map(|i| {
            let o = o.clone();
            tokio::spawn(async move { add(&*o, "hot", T + i).await })
        })
        .collect();
    let mut seqs = Vec::new();
    let mut ids = HashSet::new();
    for t in tasks {
        let e = t.await.unwrap();
        seqs.push(e.seq);
        ids.insert(e.id);
    }
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=40).collect::<Vec<_>>());
    assert_eq!(ids.len(), 40);
    assert_eq!(o.pending_count().await.unwrap(), 40);
}

/// One head per room, equal to what was appended; claimed heads are not
/// handed out twice.
pub async fn next_due_hands_out_only_each_rooms_head(o: Arc<dyn Outbox>) {
    let o = &*o;
    let a1 = add(o, "a", T).await;
    add(o, "a", T + 1).await;
    let b1 = add(o, "b", T + 2).await;
    add(o, "a", T + 3).await;
    add(o, "b", T + 4).await;
    let c1 = add(o, "c", T + 5).await;
    let due = o.next_due(T + 10, 10, LONG).await.unwrap();
    assert_eq!(heads(&due), [h("a", 1, 0), h("b", 1, 0), h("c", 1, 0)]);
    for d in &due {
        let want = [&a1, &b1, &c1]
            .into_iter()
            .find(|e| e.room_id == d.event.room_id)
            .unwrap();
        assert_eq!(&d.event, want, "the stored event comes back unchanged");
    }
    assert!(
        o.next_due(T + 10, 10, LONG).await.unwrap().is_empty(),
        "every room is claimed"
    );
}

/// Rooms come oldest-due first, at most `limit` of them; an event is not
/// due before it was created.
pub async fn next_due_serves_the_oldest_due_rooms_first_up_to_the_limit(o: Arc<dyn Outbox>) {
    let o = &*o;
    add(o, "x", T + 5).await;
    add(o, "y", T + 1).await;
    add(o, "z", T + 3).await;
    add(o, "later", T + 50).await;
    let first = o.next_due(T + 10, 2, LONG).await.unwrap();
    let rooms: Vec<_> = first.iter().map(|d| d.event.room_id.as_str()).collect();
    assert_eq!(rooms, ["y", "z"]);
    let next = o.next_due(T + 10, 2, LONG).await.unwrap();
    assert_eq!(heads(&next), [h("x", 1, 0)]);
    assert_eq!(
        heads(&o.next_due(T + 50, 5, LONG).await.unwrap()),
        [h("later", 1, 0)]
    );
}

/// A claim holds the room until the lease ends, then the head is due again.
pub async fn a_claim_expires_after_its_lease(o: Arc<dyn Outbox>) {
    let o = &*o;
    add(o, "a", T).await;
    assert_eq!(
        heads(&o.next_due(T, 10, 1000).await.unwrap()),
        [h("a", 1, 0)]
    );
    assert_eq!(
        o.room_state("a").await.unwrap().unwrap().not_before_ms,
        Some(T + 1000)
    );
    assert!(o.next_due(T + 999, 10, 1000).await.unwrap().is_empty());
    assert_eq!(
        heads(&o.next_due(T + 1000, 10, 1000).await.unwrap()),
        [h("a", 1, 0)],
        "a dead holder's claim runs out"
    );
}

/// Only the head can be marked; marking it releases the room and makes the
/// next event the head, due at once.
pub async fn delivered_advances_the_head_and_only_the_head(o: Arc<dyn Outbox>) {
    let o = &*o;
    for i in 0..3 {
        add(o, "a", T + i).await;
    }
    assert_eq!(
        heads(&o.next_due(T + 10, 10, LONG).await.unwrap()),
        [h("a", 1, 0)]
    );
    assert!(!o.delivered("a", 2, T + 11).await.unwrap(), "not the head");
    assert!(o.delivered("a", 1, T + 11).await.unwrap());
    assert!(
        !o.delivered("a", 1, T + 11).await.unwrap(),
        "already marked"
    );
    assert!(!o.delivered("nope", 1, T + 11).await.unwrap());
    let st = o.room_state("a").await.unwrap().unwrap();
    assert_eq!((st.delivered_upto, st.pending()), (1, 2));
    assert_eq!(o.pending_count().await.unwrap(), 2);
    assert_eq!(
        heads(&o.next_due(T + 11, 10, LONG).await.unwrap()),
        [h("a", 2, 0)],
        "the claim ended with the delivery; the next event is due at once"
    );
    assert!(o.delivered("a", 2, T + 12).await.unwrap());
    assert_eq!(
        heads(&o.next_due(T + 12, 10, LONG).await.unwrap()),
        [h("a", 3, 0)]
    );
    assert!(o.delivered("a", 3, T + 13).await.unwrap());
    assert!(
        !o.delivered("a", 4, T + 13).await.unwrap(),
        "nothing pending"
    );
    assert!(o.next_due(T + 100, 10, LONG).await.unwrap().is_empty());
    assert_eq!(o.pending_count().await.unwrap(), 0);
    let st = o.room_state("a").await.unwrap().unwrap();
    assert_eq!(
        (st.last_seq, st.delivered_upto, st.not_before_ms),
        (3, 3, None)
    );
    let e4 = add(o, "a", T + 20).await;
    assert_eq!(e4.seq, 4, "the sequence continues after delivery");
    assert_eq!(
        heads(&o.next_due(T + 20, 10, LONG).await.unwrap()),
        [h("a", 4, 0)]
    );
}

/// A failed head waits for its retry time with its attempt count; other
/// rooms go on; a delivery resets the count for the next head.
pub async fn retry_later_schedules_the_head_and_keeps_attempts(o: Arc<dyn Outbox>) {
    let o = &*o;
    add(o, "a", T).await;
    add(o, "a", T + 1).await;
    add(o, "b", T + 2).await;
    assert_eq!(
        heads(&o.next_due(T + 10, 10, LONG).await.unwrap()),
        [h("a", 1, 0), h("b", 1, 0)]
    );
    assert!(
        !o.retry_later("a", 2, 1, T + 1000).await.unwrap(),
        "not the head"
    );
    assert!(o.retry_later("a", 1, 1, T + 1000).await.unwrap());
    let st = o.room_state("a").await.unwrap().unwrap();
    assert_eq!((st.attempts, st.not_before_ms), (1, Some(T + 1000)));
    assert!(o.delivered("b", 1, T + 20).await.unwrap());
    add(o, "b", T + 30).await;
    assert_eq!(
        heads(&o.next_due(T + 30, 10, LONG).await.unwrap()),
        [h("b", 2, 0)],
        "a waiting room does not hold up others"
    );
    assert!(o.next_due(T + 999, 10, LONG).await.unwrap().is_empty());
    assert_eq!(
        heads(&o.next_due(T + 1000, 10, LONG).await.unwrap()),
        [h("a", 1, 1)]
    );
    assert!(o.retry_later("a", 1, 2, T + 3000).await.unwrap());
    assert!(o.next_due(T + 2999, 10, LONG).await.unwrap().is_empty());
    assert_eq!(
        heads(&o.next_due(T + 3000, 10, LONG).await.unwrap()),
        [h("a", 1, 2)]
    );
    assert!(o.delivered("a", 1, T + 3001).await.unwrap());
    assert_eq!(
        heads(&o.next_due(T + 3001, 10, LONG).await.unwrap()),
        [h("a", 2, 0)],
        "the next head starts with no attempts, at once"
    );
}

/// A replay from a sequence number re-sends the delivered events from
/// there, with their ids, in order, before the newer pending event.
pub async fn replay_requeues_delivered_events_from_a_seq_ahead_of_newer_ones(o: Arc<dyn Outbox>) {
    let o = &*o;
    let mut evs = Vec::new();
    for i in 0..4 {
        evs.push(add(o, "a", T + i).await);
    }
    assert_eq!(
        o.replay(Some("a"), ReplayFrom::Seq(1), T + 5)
            .await
            .unwrap(),
        0,
        "nothing delivered yet"
    );
    deliver_upto(o, "a", 3, T + 5).await;
    assert_eq!(o.pending_count().await.unwrap(), 1);
    assert_eq!(
        o.replay(Some("a"), ReplayFrom::Seq(2), T + 10)
            .await
            .unwrap(),
        2
    );
    assert_eq!(o.pending_count().await.unwrap(), 3);
    assert_eq!(o.room_state("a").await.unwrap().unwrap().delivered_upto, 1);
    for want in &evs[1..] {
        let due = o.next_due(T + 10, 10, LONG).await.unwrap();
        assert_eq!(due.len(), 1);
        assert_eq!(&due[0].event, want, "same event, same id, in order");
        assert!(o.delivered("a", want.seq, T + 10).await.unwrap());
    }
    assert_eq!(
        o.replay(Some("a"), ReplayFrom::Seq(9), T + 10)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        o.replay(Some("nope"), ReplayFrom::Seq(1), T + 10)
            .await
            .unwrap(),
        0
    );
    assert_eq!(o.pending_count().await.unwrap(), 0);
}

/// A replay by time starts, in each room, at the first event created at
/// or after that time.
pub async fn replay_since_a_time_covers_every_room(o: Arc<dyn Outbox>) {
    let o = &*o;
    for at in [T, T + 10, T + 20] {
        add(o, "a", at).await;
    }
    for at in [T + 5, T + 15] {
        add(o, "b", at).await;
    }
    add(o, "c", T + 1).await;
    deliver_upto(o, "a", 3, T + 30).await;
    deliver_upto(o, "b", 2, T + 30).await;
    deliver_upto(o, "c", 1, T + 30).await;
    assert_eq!(
        o.replay(None, ReplayFrom::Since(T + 10), T + 100)
            .await
            .unwrap(),
        3
    );
    assert_eq!(
        heads(&o.next_due(T + 100, 10, LONG).await.unwrap()),
        [h("a", 2, 0), h("b", 2, 0)],
        "c has nothing that recent"
    );
    assert_eq!(o.pending_count().await.unwrap(), 3);
}

/// Delivered events beyond `keep_delivered` per room, or older than
/// `max_age_ms`, are gone; pending ones are dropped only by the
/// `max_pending` cap (see `undelivered_events_are_capped_per_room_and_counted`).
pub async fn retention_bounds_what_is_kept_and_replayed(o: Arc<dyn Outbox>) {
    let o = &*o;
    let keep = RETENTION.keep_delivered as u64;
    for i in 0..6 {
        add(o, "a", T + i).await;
    }
    deliver_upto(o, "a", 6, T + 10).await;
    assert_eq!(
        o.room_state("a").await.unwrap().unwrap().retained_from,
        7 - keep
    );
    assert_eq!(
        o.replay(Some("a"), ReplayFrom::Seq(1), T + 20)
            .await
            .unwrap(),
        keep
    );
    assert_eq!(
        heads(&o.next_due(T + 20, 10, LONG).await.unwrap()),
        [h("a", 7 - keep, 0)]
    );
    // Age: b#1 is older than max_age at replay time, b#2 is not.
    let age = RETENTION.max_age_ms;
    add(o, "b", T).await;
    add(o, "b", T + 1).await;
    deliver_upto(o, "b", 2, T + 2).await;
    assert_eq!(
        o.replay(Some("b"), ReplayFrom::Seq(1), T + age + 1)
            .await
            .unwrap(),
        1
    );
    let due = heads(&o.next_due(T + age + 1, 10, LONG).await.unwrap());
    assert!(due.contains(&h("b", 2, 0)), "{due:?}");
    assert!(o.delivered("b", 2, T + age + 1).await.unwrap());
    // An append drops the room's delivered events that are too old.
    add(o, "b", T + age + 1).await;
    assert_eq!(o.room_state("b").await.unwrap().unwrap().retained_from, 2);
    // Pending events are never dropped, however old or many.
    for i in 0..(keep + 3) {
        add(o, "c", T + i as i64).await;
    }
    add(o, "c", T + 10 * age).await;
    let st = o.room_state("c").await.unwrap().unwrap();
    assert_eq!((st.retained_from, st.pending()), (1, keep + 4));
    let due = heads(&o.next_due(T + 10 * age, 10, LONG).await.unwrap());
    assert!(due.contains(&h("c", 1, 0)), "{due:?}");
}

/// Many pollers at once: each room is handed out to one of them only.
pub async fn concurrent_polls_never_hand_out_a_room_twice(o: Arc<dyn Outbox>) {
    for r in 0..8 {
        for i in 0..2 {
            add(&*o, &format!("r{r}"), T + i).await;
        }
    }
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let o = o.clone();
            tokio::spawn(async move { o.next_due(T + 10, 3, LONG).await.unwrap() })
        })
        .collect();
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let rooms: Vec<_> = all.iter().map(|d| d.event.room_id.clone()).collect();
    let unique: HashSet<_> = rooms.iter().collect();
    assert_eq!(
        rooms.len(),
        unique.len(),
        "a room was handed out twice: {rooms:?}"
    );
    assert_eq!(unique.len(), 8, "every room is claimed by someone");
    assert!(all.iter().all(|d| d.event.seq == 1));
}

// ---------------------------------------------------------------- receiver

/// What the receiver answers to one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reply {
    /// This status at once.
    Status(u16),
    /// This status after a pause.
    After(u16, Duration),
    /// No answer; the connection stays open (up to 30 s) until the
    /// client closes it. Not counted as in flight for
    /// [`Receiver::overlaps`].
    Hang,
}

/// One request as the receiver saw it.
#[derive(Debug, Clone)]
pub struct Hit {
    /// Arrival order, from 0.
    pub n: usize,
    /// Header names lower-cased.
    pub headers: Vec<(String, String)>,
    /// The raw body.
    pub body: Vec<u8>,
    /// The body decoded, if it is an event.
    pub event: Option<WebhookEvent>,
    /// Logical time the request was complete.
    pub arrived: u64,
    /// The status decided, and the logical time it was decided (before
    /// the response is written, so it precedes anything the client does
    /// after reading it). `None` while pending or for `Hang`.
    pub answer: Option<(u16, u64)>,
}

impl Hit {
    /// A header by name, case-insensitively.
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    }
}

/// Decides the reply to each request (it sees the hit, answer unset).
pub type Respond = Arc<dyn Fn(&Hit) -> Reply + Send + Sync>;

#[derive(Default)]
struct Log {
    hits: Vec<Hit>,
    clock: u64,
    in_flight: HashMap<String, usize>,
    overlaps: Vec<String>,
}

struct Shared {
    log: Mutex<Log>,
    respond: Mutex<Respond>,
}

/// A scripted HTTP/1.1 server on 127.0.0.1 that records every request.
/// It can be stopped (connections refused) and restarted on the same port.
pub struct Receiver {
    addr: SocketAddr,
    shared: Arc<Shared>,
    server: Mutex<Option<JoinHandle<()>>>,
}

impl Receiver {
    /// Binds a free port and serves with `respond`.
    pub async fn start(respond: Respond) -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let shared = Arc::new(Shared {
            log: Mutex::default(),
            respond: Mutex::new(respond),
        });
        let server = tokio::spawn(serve(listener, shared.clone()));
        Receiver {
            addr,
            shared,
            server: Mutex::new(Some(server)),
        }
    }

    /// `http://127.0.0.1:{port}/hook`.
    pub fn url(&self) -> String {
        format!("http://{}/hook", self.addr)
    }

    /// Replaces the reply script.
    pub fn set_respond(&self, respond: Respond) {
        *self.shared.respond.lock().unwrap() = respond;
    }

    /// Closes the listener and every open connection: clients get
    /// connection errors until [`restart`](Self::restart).
    pub async fn stop(&self) {
        let server = self.server.lock().unwrap().take();
        if let Some(s) = server {
            s.abort();
            let _ = s.await;
        }
    }

    /// Listens again on the same port.
    pub async fn restart(&self) {
        let mut tries = 0;
        let listener = loop {
            match TcpListener::bind(self.addr).await {
                Ok(l) => break l,
                Err(_) if tries < 100 => {
                    tries += 1;
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                Err(e) => panic!("cannot listen on {} again: {e}", self.addr),
            }
        };
        let s = tokio::spawn(serve(listener, self.shared.clone()));
        *self.server.lock().unwrap() = Some(s);
    }

    /// Every request so far, in arrival order.
    pub fn hits(&self) -> Vec<Hit> {
        self.shared.log.lock().unwrap().hits.clone()
    }

    /// Requests that arrived while another request of the same room was
    /// still unanswered (as `room#seq`).
    pub fn overlaps(&self) -> Vec<String> {
        self.shared.log.lock().unwrap().overlaps.clone()
    }

    /// Waits until every id in `ids` got a 2xx; false on timeout.
    pub async fn wait_acked(&self, ids: &HashSet<String>, timeout: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let acked: HashSet<String> = self
                .hits()
                .iter()
                .filter(|h| matches!(h.answer, Some((s, _)) if (200..300).contains(&s)))
                .filter_map(|h| h.event.as_ref().map(|e| e.id.clone()))
                .collect();
            if ids.is_subset(&acked) {
                return true;
            }
            if tokio::time::Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

async fn serve(listener: TcpListener, shared: Arc<Shared>) {
    // Owned here: aborting the server drops every connection too.
    let mut conns = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                if let Ok((stream, _)) = accepted {
                    conns.spawn(connection(stream, shared.clone()));
                }
            }
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
        }
    }
}

/// Counts a request as in flight for its room while alive.
struct InFlight<'a> {
    shared: &'a Shared,
    room: String,
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        let mut log = self.shared.log.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = log.in_flight.get_mut(&self.room) {
            *n = n.saturating_sub(1);
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

async fn connection(mut stream: TcpStream, shared: Arc<Shared>) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        let head_end = loop {
            if let Some(i) = find(&buf, b"\r\n\r\n") {
                break i;
            }
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
        let headers: Vec<(String, String)> = head
            .split("\r\n")
            .skip(1)
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        let len: usize = headers
            .iter()
            .find(|(k, _)| k == "content-length")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0);
        let body_start = head_end + 4;
        while buf.len() < body_start + len {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        let body = buf[body_start..body_start + len].to_vec();
        buf.drain(..body_start + len);
        let event: Option<WebhookEvent> = serde_json::from_slice(&body).ok();
        let room = event
            .as_ref()
            .map(|e| e.room_id.clone())
            .unwrap_or_default();
        let (idx, reply) = {
            let mut log = shared.log.lock().unwrap();
            log.clock += 1;
            let hit = Hit {
                n: log.hits.len(),
                headers,
                body,
                event,
                arrived: log.clock,
                answer: None,
            };
            let busy = log.in_flight.entry(room.clone()).or_default();
            *busy += 1;
            if *busy > 1 {
                let seq = hit.event.as_ref().map_or(0, |e| e.seq);
                log.overlaps.push(format!("{room}#{seq}"));
            }
            let reply = (shared.respond.lock().unwrap())(&hit);
            log.hits.push(hit);
            (log.hits.len() - 1, reply)
        };
        // Dropped when answered, or when the server is stopped mid-request.
        let busy = InFlight {
            shared: &shared,
            room: room.clone(),
        };
        let status = match reply {
            Reply::Status(s) => s,
            Reply::After(s, pause) => {
                tokio::time::sleep(pause).await;
                s
            }
            Reply::Hang => {
                // The client abandons the request at its timeout, which
                // cannot be seen from here (it may keep the connection
                // open): the request stops counting as in flight now.
                drop(busy);
                let _ = tokio::time::timeout(Duration::from_secs(30), async {
                    while matches!(stream.read(&mut chunk).await, Ok(n) if n > 0) {}
                })
                .await;
                return;
            }
        };
        {
            let mut log = shared.log.lock().unwrap();
            log.clock += 1;
            let t = log.clock;
            log.hits[idx].answer = Some((status, t));
        }
        drop(busy);
        let resp = format!("HTTP/1.1 {status} Scripted\r\ncontent-length: 0\r\n\r\n");
        if stream.write_all(resp.as_bytes()).await.is_err() {
            return;
        }
    }
}

/// What [`check_deliveries`] counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeliverySummary {
    /// Requests received.
    pub requests: usize,
    /// Requests answered 2xx.
    pub acked: usize,
}

/// Checks what a receiver got against what was appended:
/// - every request is signed with `secret` and its headers match its body;
/// - after dropping duplicates by `Webhook-Id`, the acknowledged events
///   are exactly `appended`, byte for byte the same JSON values;
/// - per room, events first arrive in sequence order, and each one first
///   arrives only after its predecessor was answered 2xx.
pub fn check_deliveries(
    hits: &[Hit],
    secret: &[u8],
    appended: &[WebhookEvent],
) -> Result<DeliverySummary, String> {
    let now = crate::unix_ms() / 1000;
    let mut first_arrival: HashMap<&str, u64> = HashMap::new();
    let mut first_ack: HashMap<&str, u64> = HashMap::new();
    let mut by_room_arrivals: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
    let mut acked = 0;
    for hit in hits {
        verify(secret, |n| hit.header(n), &hit.body, now, 600)
            .map_err(|e| format!("request {}: {e}", hit.n))?;
        let ev = hit
            .event
            .as_ref()
            .ok_or_else(|| format!("request {}: body is not an event", hit.n))?;
        let hdr = |n: &str| hit.header(n).unwrap_or_default();
        if hdr(crate::HEADER_ID) != ev.id
            || hdr(crate::HEADER_SEQUENCE) != ev.seq.to_string()
            || hdr(crate::HEADER_EVENT) != ev.event
            || hdr("content-type") != "application/json"
        {
            return Err(format!("request {}: headers do not match the body", hit.n));
        }
        let want = appended
            .iter()
            .find(|e| e.id == ev.id)
            .ok_or_else(|| format!("request {}: unknown event {}", hit.n, ev.id))?;
        if want != ev {
            return Err(format!(
                "request {}: event {} changed in transit",
                hit.n, ev.id
            ));
        }
        if !first_arrival.contains_key(ev.id.as_str()) {
            first_arrival.insert(&ev.id, hit.arrived);
            by_room_arrivals
                .entry(&ev.room_id)
                .or_default()
                .push(ev.seq);
        }
        if let Some((s, t)) = hit.answer
            && (200..300).contains(&s)
        {
            acked += 1;
            first_ack.entry(&ev.id).or_insert(t);
        }
    }
    let mut rooms: BTreeMap<&str, Vec<&WebhookEvent>> = BTreeMap::new();
    for e in appended {
        rooms.entry(&e.room_id).or_default().push(e);
        if !first_ack.contains_key(e.id.as_str()) {
            return Err(format!(
                "{}#{} ({}) never acknowledged",
                e.room_id, e.seq, e.id
            ));
        }
    }
    for (room, evs) in &mut rooms {
        evs.sort_by_key(|e| e.seq);
        let want: Vec<u64> = evs.iter().map(|e| e.seq).collect();
        let got = by_room_arrivals.get(room).cloned().unwrap_or_default();
        if got != want {
            return Err(format!(
                "room {room}: first arrivals {got:?}, appended {want:?}"
            ));
        }
        for pair in evs.windows(2) {
            let acked_prev = first_ack[pair[0].id.as_str()];
            let arrived = first_arrival[pair[1].id.as_str()];
            if arrived < acked_prev {
                return Err(format!(
                    "room {room}: #{} arrived before #{} was acknowledged",
                    pair[1].seq, pair[0].seq
                ));
            }
        }
    }
    Ok(DeliverySummary {
        requests: hits.len(),
        acked,
    })
}

/// A room never holds more than `max_pending` undelivered events: the
/// append that goes over skips the room's oldest pending events (counted
/// in `dropped_count`); the head moves to the oldest one kept; other rooms
/// are untouched.
pub async fn undelivered_events_are_capped_per_room_and_counted(o: Arc<dyn Outbox>) {
    let o = &*o;
    let max = RETENTION.max_pending as u64;
    add(o, "quiet", T).await;
    for i in 0..max + 3 {
        add(o, "busy", T + i as i64).await;
    }
    assert_eq!(o.dropped_count().await.unwrap(), 3);
    assert_eq!(o.pending_count().await.unwrap(), max + 1);
    let busy = o.room_state("busy").await.unwrap().unwrap();
    assert_eq!((busy.last_seq, busy.delivered_upto), (max + 3, 3));
    let due = o.next_due(T + 10_000, 10, LONG).await.unwrap();
    assert_eq!(
        heads(&due),
        vec![("busy".to_owned(), 4, 0), ("quiet".to_owned(), 1, 0)]
    );
    let quiet = o.room_state("quiet").await.unwrap().unwrap();
    assert_eq!((quiet.last_seq, quiet.delivered_upto), (1, 0));
}
