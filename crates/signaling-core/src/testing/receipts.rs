//! The [`ReadReceipts`] suite: marks move only forward, atomically, one per
//! user and room, listed most recently read first.

use std::sync::Arc;

use crate::RoomId;
use crate::ports::ReadReceipts;
use crate::protocol::ReadReceipt;

/// Generates the [`ReadReceipts`] suite; `$make` is an
/// `async fn() -> Arc<dyn ReadReceipts>` giving an empty store.
#[macro_export]
macro_rules! read_receipts_suite {
    ($make:path) => {
        $crate::__port_suite_cases!(receipts, $make;
            a_mark_moves_only_forward,
            marks_are_per_user_and_room_and_listed_newest_read_first,
            of_concurrent_marks_the_furthest_stays,
        );
    };
}

/// `user` has read up to message `m{i:05}` (sent `i` ms after the suite's
/// epoch), at `read_ms`.
pub fn receipt(user: &str, i: i64, read_ms: i64) -> ReadReceipt {
    ReadReceipt {
        user_id: user.into(),
        message_id: format!("m{i:05}"),
        message_at: super::at_ms(i),
        read_at: super::at_ms(read_ms),
    }
}

fn rid(s: &str) -> RoomId {
    RoomId::parse(s).expect("valid")
}

/// The first mark lands; a further one moves it; an earlier or equal one
/// changes nothing.
pub async fn a_mark_moves_only_forward(h: Arc<dyn ReadReceipts>) {
    let r = rid("r");
    assert_eq!(h.get(&r, "bob").await.unwrap(), None);
    assert!(h.mark(&r, &receipt("bob", 5, 100)).await.unwrap());
    assert!(h.mark(&r, &receipt("bob", 7, 200)).await.unwrap());
    assert!(!h.mark(&r, &receipt("bob", 6, 300)).await.unwrap(), "back");
    assert!(!h.mark(&r, &receipt("bob", 7, 400)).await.unwrap(), "same");
    assert_eq!(
        h.get(&r, "bob").await.unwrap(),
        Some(receipt("bob", 7, 200))
    );
    // Same send time: the id decides.
    let mut tie = receipt("bob", 7, 500);
    tie.message_id = "m00007b".into();
    assert!(h.mark(&r, &tie).await.unwrap());
    assert_eq!(h.get(&r, "bob").await.unwrap(), Some(tie));
}

/// Users and rooms are apart; `list` is most recently read first, at most
/// `limit`.
pub async fn marks_are_per_user_and_room_and_listed_newest_read_first(h: Arc<dyn ReadReceipts>) {
    let (r, other) = (rid("r"), rid("other"));
    h.mark(&r, &receipt("ann", 3, 300)).await.unwrap();
    h.mark(&r, &receipt("bob", 9, 100)).await.unwrap();
    h.mark(&r, &receipt("cat", 1, 200)).await.unwrap();
    h.mark(&other, &receipt("ann", 50, 50)).await.unwrap();
    let users = |v: Vec<ReadReceipt>| v.into_iter().map(|r| r.user_id).collect::<Vec<_>>();
    assert_eq!(users(h.list(&r, 10).await.unwrap()), ["ann", "cat", "bob"]);
    assert_eq!(users(h.list(&r, 2).await.unwrap()), ["ann", "cat"]);
    assert_eq!(
        h.get(&r, "ann").await.unwrap(),
        Some(receipt("ann", 3, 300))
    );
    assert_eq!(
        h.get(&other, "ann").await.unwrap(),
        Some(receipt("ann", 50, 50))
    );
    assert!(h.list(&rid("none"), 10).await.unwrap().is_empty());
}

/// Twenty marks of one user at once, in any order: the furthest stays.
pub async fn of_concurrent_marks_the_furthest_stays(h: Arc<dyn ReadReceipts>) {
    let r = rid("r");
    let mut all = tokio::task::JoinSet::new();
    for i in [
        7, 3, 19, 12, 0, 15, 8, 1, 18, 4, 11, 6, 16, 2, 10, 14, 5, 17, 9, 13,
    ] {
        let (h, r) = (h.clone(), r.clone());
        all.spawn(async move { h.mark(&r, &receipt("bob", i, i)).await });
    }
    while let Some(done) = all.join_next().await {
        done.unwrap().unwrap();
    }
    assert_eq!(
        h.get(&r, "bob").await.unwrap(),
        Some(receipt("bob", 19, 19))
    );
}
