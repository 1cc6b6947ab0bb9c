//! One connection's send queue: the hub pushes without blocking, the
//! connection's session task takes. It is bounded (a push to a full queue
//! is refused, and the hub then flags the connection), carries the hub's
//! flag (a code that tells the session to close), and allocates nothing
//! until the first push.
//!
//! Why not `tokio::sync::mpsc`: its bounded channel sets aside a block of
//! 32 slots up front, about 2 KiB per connection with the channel itself,
//! and a flag beside it took an `Arc<Notify>` more. Here an idle connection
//! costs one small `Arc`; a queue grown by a burst is freed once drained.

use std::collections::VecDeque;
use std::future::poll_fn;
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::task::Poll;

use futures_util::task::AtomicWaker;

/// A drained queue that grew past this many slots gives its memory back.
const KEEP_SLOTS: usize = 64;

struct Shared<T> {
    /// `None` once the session has ended (its receiver is dropped).
    items: Mutex<Option<VecDeque<T>>>,
    cap: usize,
    /// The hub's flag: 0, or a code for the session.
    flag: AtomicU16,
    /// The session task, woken by a push and by the flag.
    waker: AtomicWaker,
}

/// The pushing end (the hub's), cloneable.
pub struct Sender<T>(Arc<Shared<T>>);

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

/// The taking end (the session task's).
pub struct Receiver<T> {
    shared: Arc<Shared<T>>,
    /// The flag was handed out by [`Receiver::next`] or [`Receiver::flagged`].
    flag_seen: bool,
}

/// What the session task gets next.
#[derive(Debug, PartialEq, Eq)]
pub enum Next<T> {
    /// The hub raised its flag with this code (once; before any item).
    Flagged(u16),
    /// The oldest queued item.
    Item(T),
}

/// A queue that holds at most `cap` items (at least one).
pub fn bounded<T>(cap: usize) -> (Sender<T>, Receiver<T>) {
    let shared = Arc::new(Shared {
        items: Mutex::new(Some(VecDeque::new())),
        cap: cap.max(1),
        flag: AtomicU16::new(0),
        waker: AtomicWaker::new(),
    });
    let rx = Receiver {
        shared: shared.clone(),
        flag_seen: false,
    };
    (Sender(shared), rx)
}

impl<T> Sender<T> {
    /// Queues `item`, or gives it back when the queue is full. After the
    /// session has ended, the item is dropped.
    pub fn try_push(&self, item: T) -> Result<(), T> {
        {
            let mut items = self.0.items.lock().expect("queue lock");
            let Some(items) = items.as_mut() else {
                return Ok(());
            };
            if items.len() >= self.0.cap {
                return Err(item);
            }
            items.push_back(item);
        }
        self.0.waker.wake();
        Ok(())
    }

    /// Raises the flag with `code` unless it is up already; true if this
    /// call raised it.
    pub fn raise(&self, code: u16) -> bool {
        let raised = self
            .0
            .flag
            .compare_exchange(0, code, Ordering::AcqRel, Ordering::Acquire)
            .is_ok();
        self.0.waker.wake();
        raised
    }

    /// Sets the flag to `code`, over any code it had.
    pub fn overrule(&self, code: u16) {
        self.0.flag.store(code, Ordering::Release);
        self.0.waker.wake();
    }

    /// The flag's code (0 when down).
    pub fn flag(&self) -> u16 {
        self.0.flag.load(Ordering::Acquire)
    }
}

impl<T> Receiver<T> {
    /// The flag, once it is up (and not handed out yet), else the oldest
    /// item; waits for either.
    pub async fn next(&mut self) -> Next<T> {
        self.wait_for(Self::take).await
    }

    /// Waits for the flag alone (queued items stay queued); its code, once.
    pub async fn flagged(&mut self) -> u16 {
        self.wait_for(Self::take_flag).await
    }

    /// Waits until `look` finds something: looks, registers the task for a
    /// wake-up, and looks again (a push or a flag may have come between).
    async fn wait_for<R>(&mut self, mut look: impl FnMut(&mut Self) -> Option<R>) -> R {
        poll_fn(|cx| {
            if let Some(found) = look(self) {
                return Poll::Ready(found);
            }
            self.shared.waker.register(cx.waker());
            look(self).map_or(Poll::Pending, Poll::Ready)
        })
        .await
    }

    /// The next item without waiting (the flag aside).
    pub fn try_next_item(&mut self) -> Option<T> {
        let mut items = self.shared.items.lock().expect("queue lock");
        let items = items.as_mut()?;
        let item = items.pop_front();
        if items.is_empty() && items.capacity() > KEEP_SLOTS {
            *items = VecDeque::new();
        }
        item
    }

    fn take(&mut self) -> Option<Next<T>> {
        if let Some(code) = self.take_flag() {
            return Some(Next::Flagged(code));
        }
        self.try_next_item().map(Next::Item)
    }

    fn take_flag(&mut self) -> Option<u16> {
        if self.flag_seen {
            return None;
        }
        let code = self.shared.flag.load(Ordering::Acquire);
        self.flag_seen = code != 0;
        (code != 0).then_some(code)
    }
}

impl<T> Drop for Receiver<T> {
    /// What is queued goes, and so does what the hub pushes afterwards
    /// (until it unregisters the connection).
    fn drop(&mut self) {
        *self.shared.items.lock().expect("queue lock") = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn items_come_in_order_and_a_full_queue_refuses_a_push() {
        let (tx, mut rx) = bounded(2);
        assert_eq!(tx.try_push(1), Ok(()));
        assert_eq!(tx.clone().try_push(2), Ok(()));
        assert_eq!(tx.try_push(3), Err(3), "full");
        assert_eq!(rx.next().await, Next::Item(1));
        assert_eq!(tx.try_push(4), Ok(()), "room again");
        assert_eq!(rx.next().await, Next::Item(2));
        assert_eq!(rx.next().await, Next::Item(4));
        assert_eq!(rx.try_next_item(), None);
    }

    #[tokio::test]
    async fn a_waiting_session_wakes_for_a_push_from_another_thread() {
        let (tx, mut rx) = bounded(4);
        let pusher = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            tx.try_push("hello").unwrap();
        });
        let got = tokio::time::timeout(Duration::from_secs(5), rx.next()).await;
        assert_eq!(got.expect("woken"), Next::Item("hello"));
        pusher.join().unwrap();
    }

    #[tokio::test]
    async fn the_flag_comes_once_and_before_what_is_queued() {
        let (tx, mut rx) = bounded(4);
        tx.try_push("queued").unwrap();
        assert!(tx.raise(1));
        assert!(!tx.raise(2), "the first code holds");
        assert_eq!(tx.flag(), 1);
        tx.overrule(2);
        assert_eq!(rx.next().await, Next::Flagged(2));
        assert_eq!(rx.next().await, Next::Item("queued"));
        let after = tokio::time::timeout(Duration::from_millis(50), rx.next()).await;
        assert!(after.is_err(), "the flag is handed out once");
    }

    #[tokio::test]
    async fn flagged_waits_for_the_flag_and_leaves_the_items() {
        let (tx, mut rx) = bounded(4);
        tx.try_push(7).unwrap();
        let early = tokio::time::timeout(Duration::from_millis(30), rx.flagged()).await;
        assert!(early.is_err(), "an item is not the flag");
        let raiser = {
            let tx = tx.clone();
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(20));
                tx.raise(1);
            })
        };
        let code = tokio::time::timeout(Duration::from_secs(5), rx.flagged()).await;
        assert_eq!(code.expect("woken by the flag"), 1);
        raiser.join().unwrap();
        assert_eq!(rx.next().await, Next::Item(7), "still queued");
    }

    #[test]
    fn a_drained_queue_that_grew_gives_its_memory_back() {
        let (tx, mut rx) = bounded(1000);
        for i in 0..500 {
            tx.try_push(i).unwrap();
        }
        let capacity = |rx: &Receiver<i32>| {
            let items = rx.shared.items.lock().unwrap();
            items.as_ref().unwrap().capacity()
        };
        while rx.try_next_item().is_some() {}
        assert_eq!(capacity(&rx), 0);
        for i in 0..3 {
            tx.try_push(i).unwrap();
        }
        rx.try_next_item();
        assert!(capacity(&rx) <= KEEP_SLOTS);
    }

    #[test]
    fn after_the_session_ends_pushes_are_dropped_not_kept() {
        let (tx, rx) = bounded(2);
        tx.try_push(1).unwrap();
        drop(rx);
        for i in 0..10 {
            assert_eq!(tx.try_push(i), Ok(()), "neither kept nor refused as full");
        }
        assert!(tx.0.items.lock().unwrap().is_none(), "nothing is held");
    }
}
