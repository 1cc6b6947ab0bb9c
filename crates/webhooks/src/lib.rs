//! Webhooks that arrive, in order, exactly once after deduplication.
//!
//! Every event is first written to an [`Outbox`] (memory, a local file log,
//! or Redis in `redis-adapter`), which gives it a UUID (the idempotency
//! key) and the room's next sequence number. A [`Dispatcher`] POSTs each
//! room's oldest undelivered event (its head) to the endpoint, signed with
//! HMAC-SHA256 ([`Signer`], checked by receivers with [`verify`]), and
//! moves to the room's next event only after a 2xx. Failures are retried
//! with exponential [`Backoff`]; an event that fails its last attempt
//! (`DispatcherConfig::max_attempts`) moves to the outbox's dead-letter
//! list ([`DeadLetter`], readable, and sent again with
//! [`Outbox::requeue_dead`]) and the room moves on. Rooms progress
//! independently. Delivered events are kept for a while ([`Retention`]) so
//! that [`Outbox::replay`] can send them again from a given point.
//!
//! Delivery is at least once: a crash between the receiver's 2xx and the
//! outbox update, or a replay, sends an event again with the same id.

mod dispatch;
mod error;
mod file;
mod memory;
mod model;
mod ports;
mod signing;
mod state;
#[cfg(any(test, feature = "testing"))]
pub mod testing;

pub use dispatch::{
    Backoff, DispatchStats, Dispatcher, DispatcherConfig, LagObserver, TickReport, unix_ms,
};
pub use error::{ConfigError, OutboxError, VerifyError};
pub use file::{FileOutbox, LOG_FILE};
pub use memory::MemoryOutbox;
pub use model::{DeadLetter, Due, ReplayFrom, Retention, RoomState, WebhookEvent, replay_window};
pub use ports::{Outbox, check_append};
pub use signing::{
    HEADER_EVENT, HEADER_ID, HEADER_SEQUENCE, HEADER_SIGNATURE, HEADER_TIMESTAMP, Signer, verify,
};

#[cfg(test)]
mod tests;

/// Logs that an append skipped `n` undelivered events of `room` because of
/// the pending cap; adapters call it after an append (`n` may be 0).
pub fn warn_dropped(room: &str, n: u64) {
    if n > 0 {
        tracing::warn!(
            room,
            skipped = n,
            "webhook outbox: too many undelivered events in this room; the oldest were skipped \
             (replayable while retained)"
        );
    }
}
