//! Dead letters: the dispatcher gives up after its last attempt, the file
//! log keeps the list across restarts and compaction.

use std::sync::Mutex;

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_last_failed_attempt_moves_the_event_to_the_dead_letters_and_the_room_on() {
    let status = Arc::new(AtomicUsize::new(503));
    let s = status.clone();
    let rx = Receiver::start(Arc::new(move |_| {
        Reply::Status(s.load(Ordering::SeqCst) as u16)
    }))
    .await;
    let outbox: Arc<dyn Outbox> = Arc::new(MemoryOutbox::new(RETENTION));
    let lags = Arc::new(Mutex::new(Vec::new()));
    let mut cfg = fast_config(rx.url());
    cfg.backoff.jitter = 0.0;
    cfg.max_attempts = Some(3);
    let seen = lags.clone();
    cfg.on_delivered = Some(Arc::new(move |lag| seen.lock().unwrap().push(lag)));
    let d = Dispatcher::new(outbox.clone(), reqwest::Client::new(), cfg).unwrap();
    let e1 = add(&*outbox, "a", T).await;
    let e2 = add(&*outbox, "a", T + 1).await;

    let report = |attempted, delivered, failed, dead| TickReport {
        attempted,
        delivered,
        failed,
        dead,
    };
    assert_eq!(d.tick(T).await.unwrap(), report(1, 0, 1, 0));
    assert_eq!(d.tick(T + 1000).await.unwrap(), report(1, 0, 1, 0));
    assert_eq!(d.tick(T + 2000).await.unwrap(), report(1, 0, 0, 1));
    assert_eq!(d.stats().dead_lettered(), 1);
    let dead = outbox.dead_letters(10).await.unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!((&dead[0].event, dead[0].attempts), (&e1, 3));
    assert!(dead[0].error.contains("503"), "{}", dead[0].error);

    // The room goes on with its next event, which the receiver now takes.
    status.store(200, Ordering::SeqCst);
    assert_eq!(d.tick(T + 2500).await.unwrap(), report(1, 1, 0, 0));
    // The operator sends the dead letter again: same id, next seq.
    let again = outbox
        .requeue_dead(&e1.id, T + 3000)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((again.id.as_str(), again.seq), (e1.id.as_str(), e2.seq + 1));
    assert_eq!(d.tick(T + 3500).await.unwrap(), report(1, 1, 0, 0));
    assert_eq!(outbox.pending_count().await.unwrap(), 0);
    assert_eq!(outbox.dead_letter_count().await.unwrap(), 0);

    let sent: Vec<(String, u64)> = rx
        .hits()
        .iter()
        .map(|h| h.event.as_ref().map(|e| (e.id.clone(), e.seq)).unwrap())
        .collect();
    let want = [
        (e1.id.clone(), 1),
        (e1.id.clone(), 1),
        (e1.id.clone(), 1),
        (e2.id.clone(), 2),
        (e1.id.clone(), 3),
    ];
    assert_eq!(sent, want);
    // Lag runs from creation to the 2xx, by the dispatcher's clock.
    let lags = lags.lock().unwrap().clone();
    assert_eq!(
        lags,
        [Duration::from_millis(2499), Duration::from_millis(3500)]
    );
}

#[tokio::test]
async fn file_outbox_keeps_dead_letters_across_reopen_and_compaction() {
    let dir = TempDir::new();
    let o = FileOutbox::open(&dir.0, RETENTION).unwrap();
    let e1 = add(&o, "a", T).await;
    let e2 = add(&o, "a", T + 1).await;
    let b1 = add(&o, "b", T + 2).await;
    assert!(o.dead_letter("a", 1, 4, "HTTP 500", T + 10).await.unwrap());
    assert!(o.dead_letter("a", 2, 5, "timeout", T + 11).await.unwrap());
    assert!(o.dead_letter("b", 1, 6, "refused", T + 12).await.unwrap());
    let again = o.requeue_dead(&e2.id, T + 13).await.unwrap().unwrap();
    let before = o.dead_letters(10).await.unwrap();
    assert_eq!(before.len(), 2);
    drop(o);

    let o = FileOutbox::open(&dir.0, RETENTION).unwrap();
    assert_eq!(o.dead_letters(10).await.unwrap(), before);
    let due = o.next_due(T + 20, 10, LONG).await.unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].event, again, "the requeued event survived");
    o.compact().await.unwrap();
    drop(o);

    let o = FileOutbox::open(&dir.0, RETENTION).unwrap();
    let ids: Vec<String> = o
        .dead_letters(10)
        .await
        .unwrap()
        .into_iter()
        .map(|d| d.event.id)
        .collect();
    assert_eq!(ids, [e1.id.clone(), b1.id.clone()]);
    assert_eq!(o.pending_count().await.unwrap(), 1);
    assert!(o.requeue_dead(&b1.id, T + 30).await.unwrap().is_some());
    assert_eq!(o.requeue_dead(&e2.id, T + 30).await.unwrap(), None);
}

/// A log written with a larger dead-letter list opens with a smaller one:
/// a requeue whose dead letter the smaller list dropped still counts, so
/// the room's sequence stays whole.
#[tokio::test]
async fn a_smaller_dead_letter_list_on_reopen_keeps_the_log_readable() {
    let dir = TempDir::new();
    let o = FileOutbox::open(&dir.0, RETENTION).unwrap();
    let first = add(&o, "a", T).await;
    assert!(o.dead_letter("a", 1, 1, "HTTP 500", T + 1).await.unwrap());
    for i in 0..RETENTION.max_dead as i64 - 1 {
        let room = format!("r{i}");
        add(&o, &room, T).await;
        assert!(
            o.dead_letter(&room, 1, 1, "HTTP 500", T + 2 + i)
                .await
                .unwrap()
        );
    }
    // The list is full; room a's dead letter is requeued.
    let again = o.requeue_dead(&first.id, T + 50).await.unwrap().unwrap();
    assert_eq!(again.seq, 2);
    drop(o);
    let smaller = Retention {
        max_dead: 1,
        ..RETENTION
    };
    let o = FileOutbox::open(&dir.0, smaller).unwrap();
    assert_eq!(add(&o, "a", T + 60).await.seq, 3, "the sequence continues");
    assert_eq!(o.dead_letter_count().await.unwrap(), 1);
}
