//! The [`Quotas`] suite: run against memory here and against a real Redis
//! in `redis-adapter` via [`quota_suite!`](crate::quota_suite).

use std::sync::Arc;

use crate::quota::{Budget, Quotas};

/// Generates one `#[tokio::test]` per quota case, each on a fresh store
/// from `$make` (an `async fn() -> Arc<dyn Quotas>`). The calling crate
/// needs `tokio` with `macros` and `rt-multi-thread` among its
/// dev-dependencies.
#[macro_export]
macro_rules! quota_suite {
    ($make:path) => {
        $crate::__port_suite_cases!(quota, $make;
            reserve_is_all_or_nothing_across_budgets,
            release_gives_back_exactly_the_token_once,
            concurrent_reserves_never_pass_the_max,
            slots_are_bounded_idempotent_and_freed,
            concurrent_slot_acquires_take_exactly_max,
        );
    };
}

/// Reserves go to every budget or none; a refusal changes nothing.
pub async fn reserve_is_all_or_nothing_across_budgets(q: Arc<dyn Quotas>) {
    let b = |user_max, room_max| {
        [
            Budget {
                key: "u:alice",
                max: user_max,
            },
            Budget {
                key: "r:room",
                max: room_max,
            },
        ]
    };
    assert!(q.reserve("t1", &b(100, 150), 60).await.unwrap());
    assert_eq!(q.used("u:alice").await.unwrap(), 60);
    assert_eq!(q.used("r:room").await.unwrap(), 60);
    // Fits the room, not the user: nothing moves.
    assert!(!q.reserve("t2", &b(100, 1000), 41).await.unwrap());
    // Fits the user, not the room.
    assert!(!q.reserve("t2", &b(1000, 100), 41).await.unwrap());
    assert_eq!(
        q.used("u:alice").await.unwrap(),
        60,
        "a refusal adds nothing"
    );
    assert_eq!(q.used("r:room").await.unwrap(), 60);
    // Exactly up to the max is allowed.
    assert!(q.reserve("t2", &b(100, 150), 40).await.unwrap());
    assert_eq!(q.used("u:alice").await.unwrap(), 100);
    assert!(!q.reserve("t3", &b(100, 150), 1).await.unwrap());
    assert_eq!(q.used("never").await.unwrap(), 0);
}

/// A release frees what its token holds, and only once.
pub async fn release_gives_back_exactly_the_token_once(q: Arc<dyn Quotas>) {
    let budgets = [
        Budget {
            key: "u:a",
            max: 1000,
        },
        Budget {
            key: "r:x",
            max: 1000,
        },
    ];
    let other = [
        Budget {
            key: "u:b",
            max: 1000,
        },
        Budget {
            key: "r:x",
            max: 1000,
        },
    ];
    assert!(q.reserve("rec1", &budgets, 10).await.unwrap());
    assert!(
        q.reserve("rec1", &budgets, 15).await.unwrap(),
        "accumulates"
    );
    assert!(q.reserve("rec1", &other, 7).await.unwrap(), "another user");
    assert!(q.reserve("rec2", &budgets, 100).await.unwrap());
    assert_eq!(q.used("r:x").await.unwrap(), 132);
    q.release("rec1").await.unwrap();
    assert_eq!(q.used("u:a").await.unwrap(), 100);
    assert_eq!(q.used("u:b").await.unwrap(), 0);
    assert_eq!(q.used("r:x").await.unwrap(), 100);
    q.release("rec1").await.unwrap();
    q.release("unknown").await.unwrap();
    assert_eq!(
        q.used("r:x").await.unwrap(),
        100,
        "a second release frees nothing still held"
    );
    q.release("rec2").await.unwrap();
    assert_eq!(q.used("u:a").await.unwrap(), 0);
    assert_eq!(q.used("r:x").await.unwrap(), 0);
}

/// Fifty concurrent reserves of 10 against a max of 100: exactly ten pass.
pub async fn concurrent_reserves_never_pass_the_max(q: Arc<dyn Quotas>) {
    let mut set = tokio::task::JoinSet::new();
    for i in 0..50 {
        let q = q.clone();
        set.spawn(async move {
            let token = format!("t{i}");
            let b = [Budget {
                key: "shared",
                max: 100,
            }];
            q.reserve(&token, &b, 10).await.unwrap()
        });
    }
    let mut ok = 0;
    while let Some(r) = set.join_next().await {
        ok += usize::from(r.unwrap());
    }
    assert_eq!(ok, 10);
    assert_eq!(q.used("shared").await.unwrap(), 100);
}

/// Slots: at most `max`; a holder asking again keeps its one slot; a
/// release frees it, twice is harmless.
pub async fn slots_are_bounded_idempotent_and_freed(q: Arc<dyn Quotas>) {
    assert!(q.acquire_slot("s", "a", 2, 1).await.unwrap());
    assert!(q.acquire_slot("s", "a", 2, 2).await.unwrap(), "again");
    assert!(q.acquire_slot("s", "b", 2, 3).await.unwrap());
    assert!(!q.acquire_slot("s", "c", 2, 4).await.unwrap(), "full");
    assert!(
        q.acquire_slot("other", "c", 2, 4).await.unwrap(),
        "sets apart"
    );
    let mut held = q.slots("s").await.unwrap();
    held.sort();
    assert_eq!(held, vec![("a".to_owned(), 1), ("b".to_owned(), 3)]);
    q.release_slot("s", "a").await.unwrap();
    q.release_slot("s", "a").await.unwrap();
    q.release_slot("s", "nobody").await.unwrap();
    assert!(q.acquire_slot("s", "c", 2, 5).await.unwrap());
    assert!(!q.acquire_slot("s", "d", 2, 6).await.unwrap());
    assert_eq!(q.slots("s").await.unwrap().len(), 2);
}

/// Thirty concurrent acquires of different members with `max` 4: four
/// hold a slot.
pub async fn concurrent_slot_acquires_take_exactly_max(q: Arc<dyn Quotas>) {
    let mut set = tokio::task::JoinSet::new();
    for i in 0..30 {
        let q = q.clone();
        set.spawn(async move {
            q.acquire_slot("race", &format!("m{i}"), 4, i)
                .await
                .unwrap()
        });
    }
    let mut ok = 0;
    while let Some(r) = set.join_next().await {
        ok += usize::from(r.unwrap());
    }
    assert_eq!(ok, 4);
    assert_eq!(q.slots("race").await.unwrap().len(), 4);
}
