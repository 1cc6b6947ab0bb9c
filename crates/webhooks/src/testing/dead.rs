//! Suite cases for the dead-letter list: giving up a head, requeueing it
//! once, and the list's bound.

use std::sync::Arc;

use super::{LONG, RETENTION, T, add, deliver_upto, h, heads};
use crate::{DeadLetter, Outbox};

/// Giving up the head moves the room on like a delivery and keeps the
/// event, with its attempts and last error, in the dead-letter list; only
/// the head can be given up.
pub async fn dead_letter_moves_the_room_on_and_keeps_the_event(o: Arc<dyn Outbox>) {
    let o = &*o;
    let e1 = add(o, "a", T).await;
    add(o, "a", T + 1).await;
    add(o, "a", T + 2).await;
    assert_eq!(
        heads(&o.next_due(T + 5, 10, LONG).await.unwrap()),
        [h("a", 1, 0)]
    );
    assert!(!o.dead_letter("a", 2, 1, "HTTP 503", T + 6).await.unwrap());
    assert!(
        !o.dead_letter("nowhere", 1, 1, "HTTP 503", T + 6)
            .await
            .unwrap()
    );
    assert!(o.dead_letter("a", 1, 7, "HTTP 503", T + 10).await.unwrap());
    assert!(
        !o.dead_letter("a", 1, 7, "HTTP 503", T + 10).await.unwrap(),
        "twice"
    );

    let st = o.room_state("a").await.unwrap().unwrap();
    assert_eq!((st.delivered_upto, st.pending(), st.attempts), (1, 2, 0));
    assert_eq!(o.pending_count().await.unwrap(), 2);
    // The next event is due at once, on a fresh count of attempts.
    assert_eq!(
        heads(&o.next_due(T + 10, 10, LONG).await.unwrap()),
        [h("a", 2, 0)]
    );
    assert_eq!(o.dead_letter_count().await.unwrap(), 1);
    let want = DeadLetter {
        event: e1,
        attempts: 7,
        error: "HTTP 503".into(),
        dead_at: T + 10,
    };
    assert_eq!(o.dead_letters(10).await.unwrap(), [want]);
    assert!(o.dead_letters(0).await.unwrap().is_empty());
}

/// A requeued dead letter keeps its id, name, payload and creation time,
/// takes the room's next sequence number behind its pending events, and
/// leaves the list; a second requeue of the same id (even a concurrent
/// one) finds nothing.
pub async fn requeue_dead_appends_the_event_again_once(o: Arc<dyn Outbox>) {
    let e1 = add(&*o, "a", T).await;
    add(&*o, "a", T + 1).await;
    assert!(o.dead_letter("a", 1, 3, "timeout", T + 5).await.unwrap());
    let e3 = add(&*o, "a", T + 6).await;
    assert_eq!(o.requeue_dead("no-such-id", T + 7).await.unwrap(), None);

    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let (o, id) = (o.clone(), e1.id.clone());
        tasks.spawn(async move { o.requeue_dead(&id, T + 7).await.unwrap() });
    }
    let mut requeued: Vec<_> = tasks.join_all().await.into_iter().flatten().collect();
    assert_eq!(requeued.len(), 1, "one requeue wins");
    let again = requeued.pop().unwrap();
    assert_eq!(
        (&again.id, &again.event, &again.data, again.created_at),
        (&e1.id, &e1.event, &e1.data, e1.created_at)
    );
    assert_eq!(again.seq, e3.seq + 1);
    assert_eq!(o.dead_letter_count().await.unwrap(), 0);
    assert!(o.dead_letters(10).await.unwrap().is_empty());
    assert_eq!(o.pending_count().await.unwrap(), 3);

    // Sent in order behind the room's pending events.
    deliver_upto(&*o, "a", e3.seq, T + 8).await;
    let due = o.next_due(T + 9, 10, LONG).await.unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].event, again);
    assert!(o.delivered("a", again.seq, T + 9).await.unwrap());
    assert_eq!(o.pending_count().await.unwrap(), 0);
}

/// The list keeps at most `max_dead` entries: the oldest are discarded
/// and counted as dropped.
pub async fn the_dead_letter_list_is_bounded(o: Arc<dyn Outbox>) {
    let o = &*o;
    let max = RETENTION.max_dead;
    let mut ids = Vec::new();
    for i in 0..max + 2 {
        let room = format!("r{i}");
        ids.push(add(o, &room, T).await.id);
        assert!(
            o.dead_letter(&room, 1, 1, "HTTP 500", T + i as i64)
                .await
                .unwrap()
        );
    }
    assert_eq!(o.dead_letter_count().await.unwrap(), max as u64);
    assert_eq!(o.dropped_count().await.unwrap(), 2);
    let kept: Vec<String> = o
        .dead_letters(100)
        .await
        .unwrap()
        .into_iter()
        .map(|d| d.event.id)
        .collect();
    assert_eq!(kept, ids[2..], "newest kept, oldest first");
    assert_eq!(o.requeue_dead(&ids[0], T + 50).await.unwrap(), None);
}

/// An event given up, replayed and given up again has one dead letter:
/// the newest.
pub async fn a_replayed_event_that_dies_again_has_one_dead_letter(o: Arc<dyn Outbox>) {
    let o = &*o;
    let e1 = add(o, "a", T).await;
    assert!(o.dead_letter("a", 1, 2, "first", T + 1).await.unwrap());
    let replayed = o.replay(Some("a"), crate::ReplayFrom::Seq(1), T + 2);
    assert_eq!(replayed.await.unwrap(), 1);
    assert!(o.dead_letter("a", 1, 3, "second", T + 3).await.unwrap());
    let dead = o.dead_letters(10).await.unwrap();
    assert_eq!(dead.len(), 1, "{dead:?}");
    assert_eq!((&dead[0].event, dead[0].error.as_str()), (&e1, "second"));
    assert_eq!(o.dead_letter_count().await.unwrap(), 1);
}
