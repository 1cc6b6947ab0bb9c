//! The [`RecordingStore`] contract suite (feature `testing`), run against
//! [`MemoryRecordingStore`](crate::MemoryRecordingStore) here, Redis in
//! `redis-adapter` and MongoDB in `mongo-adapter` via
//! [`recording_store_suite!`](crate::recording_store_suite). Suite
//! functions panic on the first broken expectation, like tests do.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::{Format, Quality, Recording, RecordingStore};

/// Generates one `#[tokio::test]` per case, each on a fresh store from
/// `$make`, an `async fn() -> (Arc<dyn RecordingStore>, Arc<dyn Liveness>)`.
/// The calling crate needs `tokio` with `macros` and `rt-multi-thread`
/// among its dev-dependencies.
#[macro_export]
macro_rules! recording_store_suite {
    ($make:path) => {
        $crate::recording_store_suite!(@cases $make;
            records_are_replaced_by_id_and_read_back_whole,
            lists_are_per_room_and_per_user_oldest_first,
            unfinished_are_those_recording_paused_or_processing,
            a_job_claim_is_exclusive_renewable_and_lapses,
            concurrent_claims_of_a_free_job_have_one_winner,
        );
    };
    (@cases $make:path; $($case:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                let (store, alive) = $make().await;
                $crate::testing::$case(store, alive).await;
            }
        )*
    };
}

/// How the suite tells a store that knows instance liveness (Redis) that
/// an owner is alive; stores that do not know it use [`EveryoneAlive`].
#[async_trait]
pub trait Liveness: Send + Sync {
    /// `owner` is alive for `ttl_secs` more seconds.
    async fn alive(&self, owner: &str, ttl_secs: u64);
}

/// For stores that do not know liveness: nothing to do.
#[derive(Debug, Default, Clone, Copy)]
pub struct EveryoneAlive;

#[async_trait]
impl Liveness for EveryoneAlive {
    async fn alive(&self, _owner: &str, _ttl_secs: u64) {}
}

fn at(secs: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_700_000_000 + secs).expect("valid")
}

/// A recording `id` in `room` started by `user` at `secs`.
pub fn rec(id: &str, room: &str, user: &str, secs: i64) -> Recording {
    Recording::start(
        id.into(),
        room.into(),
        user.into(),
        Format::Webm,
        Quality::Medium,
        at(secs),
    )
}

fn ids(list: Vec<Recording>) -> Vec<String> {
    list.into_iter().map(|r| r.recording_id).collect()
}

/// `put` inserts or replaces by id; `get` reads back exactly what was put.
pub async fn records_are_replaced_by_id_and_read_back_whole(
    s: Arc<dyn RecordingStore>,
    _: Arc<dyn Liveness>,
) {
    let mut r = rec("r1", "room", "alice", 0);
    s.put(&r).await.unwrap();
    assert_eq!(s.get("r1").await.unwrap(), Some(r.clone()));
    r.pause(at(5)).unwrap();
    r.resume(at(8)).unwrap();
    r.stop(at(20)).unwrap();
    s.put(&r).await.unwrap();
    assert_eq!(s.get("r1").await.unwrap(), Some(r.clone()), "replaced");
    r.finish(Err(crate::Failure::new(
        crate::FailureCode::NoMedia,
        "nothing uploaded",
    )))
    .unwrap();
    s.put(&r).await.unwrap();
    assert_eq!(s.get("r1").await.unwrap(), Some(r));
    assert_eq!(s.get("nope").await.unwrap(), None);
    assert_eq!(s.list_room("room").await.unwrap().len(), 1, "still one");
}

/// Each list holds only its room's or user's records, oldest first by
/// start time whatever the order of the puts.
pub async fn lists_are_per_room_and_per_user_oldest_first(
    s: Arc<dyn RecordingStore>,
    _: Arc<dyn Liveness>,
) {
    for r in [
        rec("r2", "room", "alice", 20),
        rec("r1", "room", "bob", 10),
        rec("r3", "other", "alice", 0),
        rec("r4", "room", "alice", 30),
    ] {
        s.put(&r).await.unwrap();
    }
    let mut r2 = rec("r2", "room", "alice", 20);
    r2.stop(at(40)).unwrap();
    s.put(&r2).await.unwrap();
    assert_eq!(ids(s.list_room("room").await.unwrap()), ["r1", "r2", "r4"]);
    assert_eq!(s.list_room("room").await.unwrap()[1], r2, "the latest put");
    assert_eq!(ids(s.list_user("alice").await.unwrap()), ["r3", "r2", "r4"]);
    assert_eq!(ids(s.list_user("bob").await.unwrap()), ["r1"]);
    assert!(s.list_room("empty").await.unwrap().is_empty());
    assert!(s.list_user("carol").await.unwrap().is_empty());
}

/// Unfinished: recording, paused or processing; a record leaves the list
/// when it completes, fails or is cancelled.
pub async fn unfinished_are_those_recording_paused_or_processing(
    s: Arc<dyn RecordingStore>,
    _: Arc<dyn Liveness>,
) {
    let (mut paused, mut stopped) = (rec("p", "a", "u", 1), rec("s", "a", "u", 2));
    let (mut done, mut cancelled) = (rec("d", "b", "u", 3), rec("c", "b", "u", 4));
    paused.pause(at(5)).unwrap();
    stopped.stop(at(5)).unwrap();
    done.stop(at(5)).unwrap();
    done.finish(Ok(vec![])).unwrap();
    cancelled.cancel(at(5)).unwrap();
    for r in [&rec("r", "a", "u", 0), &paused, &stopped, &done, &cancelled] {
        s.put(r).await.unwrap();
    }
    let mut open = ids(s.list_unfinished().await.unwrap());
    open.sort();
    assert_eq!(open, ["p", "r", "s"]);
    stopped.finish(Ok(vec![])).unwrap();
    s.put(&stopped).await.unwrap();
    let mut open = ids(s.list_unfinished().await.unwrap());
    open.sort();
    assert_eq!(open, ["p", "r"], "completed ones leave");
}

/// One owner at a time; the owner renews; a lapsed claim is anyone's.
pub async fn a_job_claim_is_exclusive_renewable_and_lapses(
    s: Arc<dyn RecordingStore>,
    alive: Arc<dyn Liveness>,
) {
    for owner in ["a", "b", "c"] {
        alive.alive(owner, 60).await;
    }
    assert!(s.claim_job("j1", "a", 60).await.unwrap(), "free");
    assert!(!s.claim_job("j1", "b", 60).await.unwrap(), "a holds it");
    assert!(s.claim_job("j1", "a", 60).await.unwrap(), "a renews");
    assert!(!s.claim_job("j1", "b", 60).await.unwrap(), "still a's");
    assert!(s.claim_job("j2", "b", 60).await.unwrap(), "jobs are apart");
    assert!(s.claim_job("j3", "b", 1).await.unwrap());
    assert!(!s.claim_job("j3", "c", 60).await.unwrap());
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    assert!(
        s.claim_job("j3", "c", 60).await.unwrap(),
        "a lapsed claim is taken over"
    );
    assert!(!s.claim_job("j3", "b", 60).await.unwrap(), "now c's");
}

/// Ten owners claim one free job at once: exactly one wins.
pub async fn concurrent_claims_of_a_free_job_have_one_winner(
    s: Arc<dyn RecordingStore>,
    alive: Arc<dyn Liveness>,
) {
    for i in 0..10 {
        alive.alive(&format!("o{i}"), 60).await;
    }
    let mut set = tokio::task::JoinSet::new();
    for i in 0..10 {
        let s = s.clone();
        set.spawn(async move { s.claim_job("race", &format!("o{i}"), 60).await.unwrap() });
    }
    let mut won = 0;
    while let Some(r) = set.join_next().await {
        won += usize::from(r.unwrap());
    }
    assert_eq!(won, 1);
}
