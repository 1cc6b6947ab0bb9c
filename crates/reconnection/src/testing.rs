//! The [`EventLog`] contract suite (feature `testing`), run against
//! [`MemoryEventLog`](crate::MemoryEventLog) here and Redis in
//! `redis-adapter` via [`event_log_suite!`](crate::event_log_suite).
//! Suite functions panic on the first broken expectation, like tests do.

use std::sync::Arc;

use crate::{BufferConfig, EventLog, Replay};

/// The buffer every suite log is built with.
pub const CFG: BufferConfig = BufferConfig {
    max_events: 5,
    ttl_ms: 60_000,
};

/// Generates one `#[tokio::test]` per case, each on a fresh log from
/// `$make`, an `async fn(BufferConfig) -> Arc<dyn EventLog>` (called with
/// [`CFG`]). The calling crate needs `tokio` with `macros` and
/// `rt-multi-thread` among its dev-dependencies.
#[macro_export]
macro_rules! event_log_suite {
    ($make:path) => {
        $crate::event_log_suite!(@cases $make;
            rooms_are_numbered_apart_from_one_and_clear_restarts,
            concurrent_appends_are_numbered_without_gaps,
            replay_gives_exactly_the_missed_events_with_their_audience,
            replay_past_the_buffer_or_its_age_requires_a_resync,
            redaction_replaces_the_payloads_that_name_it_and_keeps_the_rest,
        );
    };
    (@cases $make:path; $($case:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                $crate::testing::$case($make($crate::testing::CFG).await).await;
            }
        )*
    };
}

fn seqs(r: Replay) -> Vec<u64> {
    match r {
        Replay::Events(e) => e.iter().map(|e| e.seq).collect(),
        Replay::ResyncRequired { latest } => panic!("resync required (latest {latest})"),
    }
}

/// Each room counts from 1 on its own; `clear` forgets a room, whose
/// numbering then starts again.
pub async fn rooms_are_numbered_apart_from_one_and_clear_restarts(log: Arc<dyn EventLog>) {
    assert_eq!(log.latest("a").await.unwrap(), 0);
    assert_eq!(log.append("a", 0, vec![], "x".into()).await.unwrap(), 1);
    assert_eq!(log.append("a", 0, vec![], "y".into()).await.unwrap(), 2);
    assert_eq!(log.append("b", 0, vec![], "z".into()).await.unwrap(), 1);
    assert_eq!(log.latest("a").await.unwrap(), 2);
    log.clear("a").await.unwrap();
    assert_eq!(log.latest("a").await.unwrap(), 0);
    assert_eq!(log.latest("b").await.unwrap(), 1, "other rooms keep theirs");
    assert_eq!(log.since("a", 0, 0).await.unwrap(), Replay::Events(vec![]));
    assert_eq!(log.append("a", 0, vec![], "w".into()).await.unwrap(), 1);
    log.clear("never").await.unwrap();
}

/// Eight concurrent appends get 1..=8, each once.
pub async fn concurrent_appends_are_numbered_without_gaps(log: Arc<dyn EventLog>) {
    let mut set = tokio::task::JoinSet::new();
    for i in 0..8 {
        let log = log.clone();
        set.spawn(async move {
            log.append("r", 1_000, vec![format!("u{i}")], format!(r#"{{"n":{i}}}"#))
                .await
                .unwrap()
        });
    }
    let mut got = vec![];
    while let Some(r) = set.join_next().await {
        got.push(r.unwrap());
    }
    got.sort();
    assert_eq!(got, (1..=8).collect::<Vec<u64>>());
    assert_eq!(log.latest("r").await.unwrap(), 8);
}

/// After `last_seen`, exactly the later events, in order, as appended
/// (time, audience, payload); nothing for a client that is up to date or
/// ahead.
pub async fn replay_gives_exactly_the_missed_events_with_their_audience(log: Arc<dyn EventLog>) {
    for i in 0..3i64 {
        let audience = vec![format!("u{i}"), "all".to_owned()];
        log.append("r", 1_000 + i, audience, format!(r#"{{"n":{i}}}"#))
            .await
            .unwrap();
    }
    let Replay::Events(ev) = log.since("r", 2_000, 1).await.unwrap() else {
        panic!("expected events");
    };
    assert_eq!(ev.len(), 2);
    assert_eq!((ev[0].seq, ev[0].at_ms), (2, 1_001));
    assert_eq!(ev[0].audience, ["u1", "all"]);
    assert_eq!(ev[0].payload, r#"{"n":1}"#);
    assert_eq!(ev[1].seq, 3);
    assert_eq!(seqs(log.since("r", 2_000, 0).await.unwrap()), [1, 2, 3]);
    assert_eq!(
        seqs(log.since("r", 2_000, 3).await.unwrap()),
        Vec::<u64>::new()
    );
    assert_eq!(
        seqs(log.since("r", 2_000, 9).await.unwrap()),
        Vec::<u64>::new()
    );
}

/// The log keeps the newest `max_events` (5): resuming further back needs
/// a resync. Events older than `ttl_ms` are gone too, but a client that is
/// up to date is fine.
pub async fn replay_past_the_buffer_or_its_age_requires_a_resync(log: Arc<dyn EventLog>) {
    for i in 0..8 {
        log.append("r", 1_000, vec!["u".into()], format!("{i}"))
            .await
            .unwrap();
    }
    assert_eq!(
        seqs(log.since("r", 2_000, 3).await.unwrap()),
        [4, 5, 6, 7, 8]
    );
    assert_eq!(
        log.since("r", 2_000, 2).await.unwrap(),
        Replay::ResyncRequired { latest: 8 }
    );
    let late = 1_000 + CFG.ttl_ms + 1;
    assert_eq!(
        log.since("r", late, 4).await.unwrap(),
        Replay::ResyncRequired { latest: 8 }
    );
    assert_eq!(
        log.since("r", late, 8).await.unwrap(),
        Replay::Events(vec![])
    );
}

/// Redaction replaces exactly the payloads that contain the needle, in
/// its room, and keeps their numbers and audiences.
pub async fn redaction_replaces_the_payloads_that_name_it_and_keeps_the_rest(
    log: Arc<dyn EventLog>,
) {
    let who = || vec!["u".to_string()];
    log.append(
        "r",
        0,
        who(),
        r#"{"type":"chat-message","id":"m1","message":"secret"}"#.into(),
    )
    .await
    .unwrap();
    log.append(
        "r",
        0,
        who(),
        r#"{"type":"chat-message","id":"m2","message":"kept"}"#.into(),
    )
    .await
    .unwrap();
    log.append(
        "r",
        0,
        who(),
        r#"{"type":"chat-updated","id":"m1","message":"still secret"}"#.into(),
    )
    .await
    .unwrap();
    log.append("other", 0, who(), r#"{"id":"m1"}"#.into())
        .await
        .unwrap();
    let gone = r#"{"type":"chat-deleted","message_id":"m1"}"#;
    assert_eq!(log.redact("r", r#""id":"m1""#, gone).await.unwrap(), 2);
    let Replay::Events(ev) = log.since("r", 0, 0).await.unwrap() else {
        panic!("events")
    };
    let payloads: Vec<&str> = ev.iter().map(|e| e.payload.as_str()).collect();
    assert_eq!(
        payloads,
        [
            gone,
            r#"{"type":"chat-message","id":"m2","message":"kept"}"#,
            gone
        ]
    );
    assert_eq!(ev.iter().map(|e| e.seq).collect::<Vec<_>>(), [1, 2, 3]);
    assert!(ev.iter().all(|e| e.audience == who()));
    let Replay::Events(other) = log.since("other", 0, 0).await.unwrap() else {
        panic!("events")
    };
    assert_eq!(
        other[0].payload, r#"{"id":"m1"}"#,
        "other rooms are untouched"
    );
    assert_eq!(log.redact("none", "x", "y").await.unwrap(), 0);
}
