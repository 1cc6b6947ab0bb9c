//! The outbox port: where webhook events wait, in order per room, until
//! the receiver acknowledges them.

use async_trait::async_trait;

use crate::{DeadLetter, Due, OutboxError, ReplayFrom, RoomState, WebhookEvent};

/// A durable, per-room ordered queue of webhook events.
///
/// Each room's events form one sequence `1, 2, 3, ...`. Everything up to a
/// cursor is delivered; the event right after it is the room's **head**,
/// the only one of the room a dispatcher may send. The head becomes
/// delivered only through [`delivered`](Outbox::delivered), so the next
/// event of a room is never handed out before the previous one was
/// acknowledged. Delivered events stay for a while (the adapter's
/// [`Retention`](crate::Retention)) so that [`replay`](Outbox::replay) can
/// send them again.
///
/// Several dispatchers (in one process or in several instances sharing
/// the store) may poll the same outbox: [`next_due`](Outbox::next_due)
/// claims the heads it returns for a lease, so two dispatchers never hold
/// the same room at once unless a lease ran out.
///
/// Every method MUST be atomic with respect to the others, across every
/// process that shares the store. Failures of the backing store MUST be
/// reported as [`OutboxError::Unavailable`], undecodable stored data as
/// [`OutboxError::Corrupt`].
#[async_trait]
pub trait Outbox: Send + Sync {
    /// Stores a new event for `room_id` and returns it. MUST assign a fresh
    /// UUID v4 id and the room's next sequence number (1 for a new room,
    /// gap-free, atomically even with concurrent appends from other
    /// instances), set `created_at = now_ms`, and be durable when it
    /// returns `Ok`. MUST return `InvalidInput` for an empty room id or
    /// event name.
    async fn append(
        &self,
        room_id: &str,
        event: &str,
        data: serde_json::Value,
        now_ms: i64,
    ) -> Result<WebhookEvent, OutboxError>;

    /// Claims and returns up to `limit` heads that are due: for each room
    /// with pending events whose head's retry time is at or before `now_ms`
    /// and that no one else holds, that room's head only. The oldest-due
    /// rooms come first. Each returned room is held until
    /// `now_ms + lease_ms` or until [`delivered`](Outbox::delivered) /
    /// [`retry_later`](Outbox::retry_later) releases it; a dispatcher that
    /// dies simply lets the lease run out.
    async fn next_due(
        &self,
        now_ms: i64,
        limit: usize,
        lease_ms: i64,
    ) -> Result<Vec<Due>, OutboxError>;

    /// Marks the head `seq` of `room_id` delivered and releases the room;
    /// the next event becomes the head, due at once. Returns `false` (and
    /// changes nothing) if `seq` is not the room's head: it was already
    /// marked, or a replay moved the head back meanwhile.
    async fn delivered(&self, room_id: &str, seq: u64, now_ms: i64) -> Result<bool, OutboxError>;

    /// Records a failed attempt at the head `seq`: stores `attempts` (the
    /// total so far) and hands the head out again no earlier than
    /// `next_attempt_ms`; releases the room. Returns `false` (and changes
    /// nothing) if `seq` is not the room's head.
    async fn retry_later(
        &self,
        room_id: &str,
        seq: u64,
        attempts: u32,
        next_attempt_ms: i64,
    ) -> Result<bool, OutboxError>;

    /// Gives up the head `seq` of `room_id` after `attempts` failed
    /// attempts, the last of which failed with `error`: the room moves on
    /// as after [`delivered`](Outbox::delivered) (the event stays retained
    /// like a delivered one), and the event joins the dead-letter list,
    /// newest last. When the list would hold more than
    /// [`Retention::max_dead`](crate::Retention::max_dead), its oldest entry
    /// is discarded and counted in [`dropped_count`](Outbox::dropped_count).
    /// Returns `false` (and changes nothing) if `seq` is not the room's head.
    async fn dead_letter(
        &self,
        room_id: &str,
        seq: u64,
        attempts: u32,
        error: &str,
        now_ms: i64,
    ) -> Result<bool, OutboxError>;

    /// Up to `limit` dead letters, oldest first.
    async fn dead_letters(&self, limit: usize) -> Result<Vec<DeadLetter>, OutboxError>;

    /// How many dead letters are kept.
    async fn dead_letter_count(&self) -> Result<u64, OutboxError>;

    /// Takes the dead letter whose event id is `id` off the list and
    /// appends its event to its room again, pending: the same id, name,
    /// payload and `created_at`, with the room's next sequence number (it
    /// is sent after the room's pending events). Returns the event as it
    /// will be sent, or `None` when no dead letter has that id (already
    /// requeued, or discarded). Atomic: two concurrent calls for one id
    /// requeue it once.
    async fn requeue_dead(
        &self,
        id: &str,
        now_ms: i64,
    ) -> Result<Option<WebhookEvent>, OutboxError>;

    /// Makes delivered events pending again from `from` on (see
    /// [`replay_window`](crate::replay_window)), in one room or in every
    /// room: they are re-sent in order, ahead of the room's newer events,
    /// with their original ids. Only retained events can be replayed.
    /// Returns how many events became pending again.
    async fn replay(
        &self,
        room_id: Option<&str>,
        from: ReplayFrom,
        now_ms: i64,
    ) -> Result<u64, OutboxError>;

    /// Events pending in all rooms (appended or replayed, not delivered).
    async fn pending_count(&self) -> Result<u64, OutboxError>;

    /// Undelivered events skipped so far because a room had more than
    /// [`Retention::max_pending`](crate::Retention::max_pending) pending
    /// (an append that goes over the cap skips the room's oldest pending
    /// events and MUST count them here, atomically with the append), plus
    /// dead letters discarded because the list was full.
    async fn dropped_count(&self) -> Result<u64, OutboxError>;

    /// One room's state; `None` for a room that never had an event.
    async fn room_state(&self, room_id: &str) -> Result<Option<RoomState>, OutboxError>;
}

/// Checks what [`Outbox::append`] refuses; adapters call it first.
pub fn check_append(room_id: &str, event: &str) -> Result<(), OutboxError> {
    if room_id.is_empty() {
        return Err(OutboxError::InvalidInput("empty room id".into()));
    }
    if event.is_empty() {
        return Err(OutboxError::InvalidInput("empty event name".into()));
    }
    Ok(())
}
