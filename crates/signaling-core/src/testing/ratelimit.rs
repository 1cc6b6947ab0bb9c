//! The [`RateLimiter`] suite: fixed windows per key, peeking without
//! counting, and no slot given twice under concurrency.

use std::sync::Arc;

use crate::ratelimit::{Limit, RateLimiter};

/// Generates the [`RateLimiter`] suite; `$make` is an
/// `async fn() -> Arc<dyn RateLimiter>` giving a limiter with no counts.
#[macro_export]
macro_rules! rate_limiter_suite {
    ($make:path) => {
        $crate::__port_suite_cases!(ratelimit, $make;
            a_window_fills_refuses_then_the_next_one_starts_afresh,
            peek_reports_without_counting,
            concurrent_hits_never_take_the_last_slot_twice,
        );
    };
}

const LIMIT: Limit = Limit {
    max: 3,
    window_secs: 60,
};

/// Hits count per key within the fixed window `now` falls in; past `max`
/// they are refused (without counting) until the next window.
pub async fn a_window_fills_refuses_then_the_next_one_starts_afresh(l: Arc<dyn RateLimiter>) {
    let start = 6_000; // a multiple of 60: a window starts here
    for i in 1..=3 {
        let s = l.hit("chat:a", LIMIT, start + 1).await.unwrap();
        assert!(s.allowed);
        assert_eq!((s.used, s.remaining, s.reset_in_secs), (i, 3 - i, 59));
    }
    for _ in 0..2 {
        let s = l.hit("chat:a", LIMIT, start + 2).await.unwrap();
        assert_eq!(
            (s.allowed, s.used, s.remaining, s.reset_in_secs),
            (false, 3, 0, 58)
        );
    }
    assert!(
        l.hit("chat:b", LIMIT, start + 3).await.unwrap().allowed,
        "other key"
    );
    let next = l.hit("chat:a", LIMIT, start + 60).await.unwrap();
    assert_eq!((next.allowed, next.used, next.reset_in_secs), (true, 1, 60));
}

/// `peek` shows the window's count and changes nothing.
pub async fn peek_reports_without_counting(l: Arc<dyn RateLimiter>) {
    let p = l.peek("k", LIMIT, 6_010).await.unwrap();
    assert_eq!(
        (p.allowed, p.used, p.remaining, p.reset_in_secs),
        (true, 0, 3, 50)
    );
    l.hit("k", LIMIT, 6_010).await.unwrap();
    for _ in 0..3 {
        let p = l.peek("k", LIMIT, 6_011).await.unwrap();
        assert_eq!((p.allowed, p.used, p.remaining), (true, 1, 2));
    }
    l.hit("k", LIMIT, 6_012).await.unwrap();
    l.hit("k", LIMIT, 6_012).await.unwrap();
    let p = l.peek("k", LIMIT, 6_013).await.unwrap();
    assert_eq!((p.allowed, p.used, p.remaining), (false, 3, 0));
    let later = l.peek("k", LIMIT, 6_060).await.unwrap();
    assert_eq!((later.allowed, later.used), (true, 0), "a new window");
}

/// Fifty concurrent hits on a limit of ten: exactly ten are allowed.
pub async fn concurrent_hits_never_take_the_last_slot_twice(l: Arc<dyn RateLimiter>) {
    let limit = Limit {
        max: 10,
        window_secs: 60,
    };
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..50 {
        let l = l.clone();
        set.spawn(async move { l.hit("k", limit, 120).await.unwrap().allowed });
    }
    let mut allowed = 0;
    while let Some(r) = set.join_next().await {
        allowed += usize::from(r.unwrap());
    }
    assert_eq!(allowed, 10);
    assert_eq!(l.peek("k", limit, 121).await.unwrap().used, 10);
}
