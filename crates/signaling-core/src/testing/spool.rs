//! The [`ChatSpool`] suite: run against memory here, against a real Redis
//! in `redis-adapter` and against the server's file log, via
//! [`chat_spool_suite!`](crate::chat_spool_suite).

use std::sync::Arc;

use crate::RoomId;
use crate::ports::ChatSpool;
use crate::testing::chat::chat;

/// Generates one `#[tokio::test]` per spool case, each on a fresh spool
/// from `$make` (an `async fn() -> Arc<dyn ChatSpool>`).
#[macro_export]
macro_rules! chat_spool_suite {
    ($make:path) => {
        $crate::__port_suite_cases!(spool, $make;
            waiting_messages_leave_in_order_and_only_from_the_head,
            waiting_messages_are_found_changed_and_removed_in_place,
            concurrent_drainers_take_each_message_once,
        );
    };
}

fn room(r: &str) -> RoomId {
    RoomId::parse(r).expect("valid room")
}

/// First in, first out; `pop_front` takes the head only when it is the
/// message named, so a drainer never removes what it did not write.
pub async fn waiting_messages_leave_in_order_and_only_from_the_head(s: Arc<dyn ChatSpool>) {
    assert_eq!(s.front().await.unwrap(), None);
    assert!(!s.pop_front("nothing").await.unwrap());
    let msgs: Vec<_> = (0..3).map(|i| chat("r1", i)).collect();
    for m in &msgs {
        s.push(m).await.unwrap();
    }
    assert_eq!(s.waiting().await.unwrap(), 3);
    assert_eq!(s.front().await.unwrap().as_ref(), Some(&msgs[0]));
    assert!(!s.pop_front(&msgs[1].id).await.unwrap(), "not the head");
    assert_eq!(s.waiting().await.unwrap(), 3);
    for m in &msgs {
        assert_eq!(s.front().await.unwrap().as_ref(), Some(m));
        assert!(s.pop_front(&m.id).await.unwrap());
    }
    assert_eq!(s.waiting().await.unwrap(), 0);
    assert_eq!(s.front().await.unwrap(), None);
}

/// A waiting message can be read, edited and removed before it is
/// written; other rooms' messages with the same id are not touched.
pub async fn waiting_messages_are_found_changed_and_removed_in_place(s: Arc<dyn ChatSpool>) {
    let a = chat("r1", 1);
    let b = chat("r1", 2);
    let c = chat("r1", 3);
    for m in [&a, &b, &c] {
        s.push(m).await.unwrap();
    }
    assert_eq!(s.find(&room("r1"), &b.id).await.unwrap().as_ref(), Some(&b));
    assert_eq!(s.find(&room("r2"), &b.id).await.unwrap(), None);
    let mut edited = b.clone();
    edited.message = "edited".into();
    assert!(s.replace(&edited).await.unwrap());
    let mut elsewhere = chat("r2", 9);
    elsewhere.id = a.id.clone();
    assert!(!s.replace(&elsewhere).await.unwrap(), "same id, other room");
    assert_eq!(
        s.find(&room("r1"), &b.id).await.unwrap().unwrap().message,
        "edited"
    );
    assert!(s.remove(&room("r1"), &a.id).await.unwrap());
    assert!(!s.remove(&room("r1"), &a.id).await.unwrap());
    assert_eq!(s.waiting().await.unwrap(), 2);
    // The edit kept its place: b (edited) then c.
    assert_eq!(s.front().await.unwrap().unwrap().message, "edited");
    assert!(s.pop_front(&b.id).await.unwrap());
    assert_eq!(s.front().await.unwrap().as_ref(), Some(&c));
}

/// Two drainers racing over the same spool take each message once.
pub async fn concurrent_drainers_take_each_message_once(s: Arc<dyn ChatSpool>) {
    for i in 0..40 {
        s.push(&chat("r1", i)).await.unwrap();
    }
    let drain = |s: Arc<dyn ChatSpool>| async move {
        let mut took = Vec::new();
        while let Some(head) = s.front().await.unwrap() {
            if s.pop_front(&head.id).await.unwrap() {
                took.push(head.id);
            }
        }
        took
    };
    let (x, y) = tokio::join!(
        tokio::spawn(drain(s.clone())),
        tokio::spawn(drain(s.clone()))
    );
    let mut all: Vec<String> = x.unwrap().into_iter().chain(y.unwrap()).collect();
    all.sort();
    let mut want: Vec<String> = (0..40).map(|i| chat("r1", i).id).collect();
    want.sort();
    assert_eq!(all, want);
    assert_eq!(s.waiting().await.unwrap(), 0);
}
