//! Contract suites of the ports this crate owns (feature `testing`): one
//! suite per port, each generated into `#[tokio::test]`s by a macro and run
//! against the in-memory implementation here and against every adapter
//! (Redis in `redis-adapter`, MongoDB in `mongo-adapter`) there. A suite
//! asserts the contract written on its trait in [`crate::ports`]; if two
//! implementations disagree, one of them is wrong.
//!
//! | port | macro | implementations |
//! |---|---|---|
//! | [`RoomStore`](crate::ports::RoomStore) | [`room_store_suite!`](crate::room_store_suite) | memory, Redis |
//! | [`EventBus`](crate::ports::EventBus) | [`event_bus_suite!`](crate::event_bus_suite) | memory, Redis (two instances) |
//! | [`ChatHistory`](crate::ports::ChatHistory) | [`chat_history_suite!`](crate::chat_history_suite) | memory, Redis, MongoDB |
//! | [`ReadReceipts`](crate::ports::ReadReceipts) | [`read_receipts_suite!`](crate::read_receipts_suite) | memory, Redis, MongoDB |
//! | [`Analytics`](crate::ports::Analytics) | [`analytics_suite!`](crate::analytics_suite) | memory, Redis, MongoDB |
//! | [`RoomSessions`](crate::ports::RoomSessions) | [`room_sessions_suite!`](crate::room_sessions_suite) | memory, MongoDB |
//! | [`InstanceRegistry`](crate::ports::InstanceRegistry) | [`instance_registry_suite!`](crate::instance_registry_suite) | memory, Redis |
//! | [`MediaOwners`](crate::ports::MediaOwners) | [`media_owners_suite!`](crate::media_owners_suite) | memory, Redis |
//! | [`RateLimiter`](crate::ratelimit::RateLimiter) | [`rate_limiter_suite!`](crate::rate_limiter_suite) | memory, Redis |
//! | [`Quotas`](crate::quota::Quotas) | [`quota_suite!`](crate::quota_suite) | memory, Redis |
//! | [`ChatSpool`](crate::ports::ChatSpool) | [`chat_spool_suite!`](crate::chat_spool_suite) | memory, Redis, the server's file log |
//!
//! Suite functions panic on the first broken expectation, like tests do.
//! Each macro needs `tokio` with `macros` and `rt-multi-thread` among the
//! calling crate's dev-dependencies, and takes an `async fn` that builds a
//! fresh, empty implementation for every case.

pub mod analytics;
pub mod bus;
pub mod chat;
pub mod instances;
pub mod media_owners;
pub mod quota;
pub mod ratelimit;
pub mod receipts;
pub mod rooms;
pub mod sessions;
pub mod spool;

/// A fixed instant the suites count from, plus `ms` milliseconds.
pub fn at_ms(ms: i64) -> time::OffsetDateTime {
    time::OffsetDateTime::from_unix_timestamp(1_700_000_000).expect("valid")
        + time::Duration::milliseconds(ms)
}

/// Polls `done` every 10 ms for up to `secs` seconds; whether it came true.
pub async fn eventually(secs: u64, mut done: impl FnMut() -> bool) -> bool {
    let until = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    while std::time::Instant::now() < until {
        if done() {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    done()
}

/// Generates one test per listed case of a suite module. Not for direct
/// use: each suite has its own macro naming its cases.
#[doc(hidden)]
#[macro_export]
macro_rules! __port_suite_cases {
    ($module:ident, $make:path; $($case:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                $crate::testing::$module::$case($make().await).await;
            }
        )*
    };
}
