//! The [`TransferStore`] contract suite (feature `testing`), run against
//! [`MemoryTransferStore`](crate::MemoryTransferStore) here and Redis in
//! `redis-adapter` via [`transfer_store_suite!`](crate::transfer_store_suite).
//! Suite functions panic on the first broken expectation, like tests do.

use std::sync::Arc;

use kernel::{RoomId, UserId};
use time::OffsetDateTime;

use crate::{FileChecksum, Transfer, TransferMode, TransferState, TransferStore};

/// Generates one `#[tokio::test]` per case, each on a fresh store from
/// `$make`, an `async fn() -> Arc<dyn TransferStore>`. The calling crate
/// needs `tokio` with `macros` and `rt-multi-thread` among its
/// dev-dependencies.
#[macro_export]
macro_rules! transfer_store_suite {
    ($make:path) => {
        $crate::transfer_store_suite!(@cases $make;
            records_are_replaced_by_id_and_listed_per_party,
            concurrent_chunk_marks_are_never_lost,
            delete_forgets_the_record_and_its_chunks,
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

fn user(s: &str) -> UserId {
    UserId::parse(s).expect("valid")
}

/// A server-mode transfer `id` of 100 chunks from `from` to `to`.
pub fn transfer(id: &str, from: &str, to: &str) -> Transfer {
    let now = OffsetDateTime::from_unix_timestamp(1_700_000_000).expect("valid");
    Transfer {
        transfer_id: id.into(),
        room_id: RoomId::parse("room").expect("valid"),
        sender: user(from),
        receiver: user(to),
        file_name: "a.bin".into(),
        file_size: 100 * 1024,
        file_type: Some("application/octet-stream".into()),
        sha256: Some("0".repeat(64)),
        chunk_size: 1024,
        total_chunks: 100,
        mode: TransferMode::Server,
        state: TransferState::Pending,
        bytes_transferred: 0,
        created_at: now,
        updated_at: now,
        expires_at: now + time::Duration::hours(1),
        failure: None,
        file_checksum: FileChecksum::Offered,
    }
}

fn ids(mut list: Vec<Transfer>) -> Vec<String> {
    list.sort_by(|a, b| a.transfer_id.cmp(&b.transfer_id));
    list.into_iter().map(|t| t.transfer_id).collect()
}

/// `put` inserts or replaces by id; a record is listed for its sender and
/// its receiver, and by `list_all`.
pub async fn records_are_replaced_by_id_and_listed_per_party(s: Arc<dyn TransferStore>) {
    let mut t1 = transfer("t1", "alice", "bob");
    s.put(&t1).await.unwrap();
    s.put(&transfer("t2", "bob", "carol")).await.unwrap();
    assert_eq!(s.get("t1").await.unwrap(), Some(t1.clone()));
    t1.state = TransferState::Active;
    t1.bytes_transferred = 2048;
    s.put(&t1).await.unwrap();
    assert_eq!(s.get("t1").await.unwrap(), Some(t1.clone()), "replaced");
    assert_eq!(s.get("nope").await.unwrap(), None);
    assert_eq!(ids(s.list_user(&user("alice")).await.unwrap()), ["t1"]);
    assert_eq!(ids(s.list_user(&user("bob")).await.unwrap()), ["t1", "t2"]);
    assert_eq!(ids(s.list_user(&user("carol")).await.unwrap()), ["t2"]);
    assert!(s.list_user(&user("dave")).await.unwrap().is_empty());
    assert_eq!(ids(s.list_all().await.unwrap()), ["t1", "t2"]);
}

/// A hundred concurrent marks, in reverse order: each sees a distinct
/// count, none is lost, a repeat counts once, and `chunks` is ascending.
pub async fn concurrent_chunk_marks_are_never_lost(s: Arc<dyn TransferStore>) {
    s.put(&transfer("t1", "alice", "bob")).await.unwrap();
    assert!(s.chunks("t1").await.unwrap().is_empty());
    let mut set = tokio::task::JoinSet::new();
    for i in (0..100u64).rev() {
        let s = s.clone();
        set.spawn(async move { s.mark_chunk("t1", i).await.unwrap() });
    }
    let mut counts = vec![];
    while let Some(r) = set.join_next().await {
        counts.push(r.unwrap());
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
    assert!(
        s.chunks("other").await.unwrap().is_empty(),
        "sets are apart"
    );
}

/// `delete` forgets the record, its chunk set and its listings; deleting
/// an unknown id is fine.
pub async fn delete_forgets_the_record_and_its_chunks(s: Arc<dyn TransferStore>) {
    s.put(&transfer("t1", "alice", "bob")).await.unwrap();
    s.put(&transfer("t2", "alice", "bob")).await.unwrap();
    s.mark_chunk("t1", 3).await.unwrap();
    s.mark_chunk("t2", 4).await.unwrap();
    s.delete("t1").await.unwrap();
    s.delete("t1").await.unwrap();
    s.delete("nope").await.unwrap();
    assert_eq!(s.get("t1").await.unwrap(), None);
    assert!(s.chunks("t1").await.unwrap().is_empty());
    assert_eq!(ids(s.list_user(&user("bob")).await.unwrap()), ["t2"]);
    assert_eq!(ids(s.list_all().await.unwrap()), ["t2"]);
    assert_eq!(s.chunks("t2").await.unwrap(), [4]);
}
