//! The values that cross the outbox port: events, claimed heads, replay
//! points, retention and a room's delivery state.

use serde::{Deserialize, Serialize};

/// One webhook event, exactly as it is POSTed (the JSON body).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookEvent {
    /// A UUID v4 assigned when the event is appended; every attempt and
    /// every replay carries the same id, so receivers drop duplicates by it
    /// (it is also the `Webhook-Id` header).
    pub id: String,
    /// What happened, e.g. `room_started`, `participant_joined`.
    pub event: String,
    /// The room the event belongs to; delivery is ordered per room.
    pub room_id: String,
    /// Per-room sequence number: starts at 1, no gaps, never reused.
    pub seq: u64,
    /// When it was appended, milliseconds since the Unix epoch.
    pub created_at: i64,
    /// Event-specific payload.
    pub data: serde_json::Value,
}

/// A room's head event handed out by [`Outbox::next_due`](crate::Outbox::next_due).
#[derive(Debug, Clone, PartialEq)]
pub struct Due {
    /// The event to deliver now.
    pub event: WebhookEvent,
    /// Failed attempts recorded for it so far (0 on the first try); the
    /// dispatcher derives the next backoff from it.
    pub attempts: u32,
}

/// An event whose delivery was given up (its retries ran out), kept until
/// an operator sends it again ([`Outbox::requeue_dead`](crate::Outbox::requeue_dead))
/// or the dead-letter list overflows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeadLetter {
    /// The event, as it was last sent.
    pub event: WebhookEvent,
    /// Failed attempts made.
    pub attempts: u32,
    /// Why the last attempt failed (`HTTP 503`, a connection error, ...).
    pub error: String,
    /// When it was given up, unix ms.
    pub dead_at: i64,
}

/// Where a replay starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplayFrom {
    /// From this sequence number on (in each selected room).
    Seq(u64),
    /// From the first event created at or after this time (unix ms).
    Since(i64),
}

/// How long delivered events are kept for replay. Pending events are never
/// dropped; the per-room sequence counter is never dropped either.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// Delivered events kept per room, newest first (0 keeps none).
    pub keep_delivered: usize,
    /// Delivered events older than this (by `created_at`) are neither
    /// replayed nor kept, milliseconds.
    pub max_age_ms: i64,
    /// Undelivered events kept per room: when an append would leave more
    /// pending, the oldest pending ones are skipped (treated as delivered,
    /// so they stay replayable while retained) and counted in
    /// [`Outbox::dropped_count`](crate::Outbox::dropped_count). 0: no cap.
    pub max_pending: usize,
    /// Dead letters kept (all rooms): when one more would go over, the
    /// oldest is discarded and counted in
    /// [`Outbox::dropped_count`](crate::Outbox::dropped_count). 0: no cap.
    pub max_dead: usize,
}

impl Default for Retention {
    /// The last 1000 delivered events per room, for at most 24 hours; at
    /// most 10,000 undelivered events per room (a receiver that is down
    /// for long cannot fill the store); at most 10,000 dead letters.
    fn default() -> Self {
        Retention {
            keep_delivered: 1000,
            max_age_ms: 24 * 3600 * 1000,
            max_pending: 10_000,
            max_dead: 10_000,
        }
    }
}

/// One room's delivery state, for operators and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoomState {
    /// The newest sequence number assigned.
    pub last_seq: u64,
    /// Every event up to and including this one was delivered.
    pub delivered_upto: u64,
    /// The lowest sequence number still stored (delivered ones kept for
    /// replay, then the pending ones); `last_seq + 1` when none is.
    pub retained_from: u64,
    /// Failed attempts of the current head.
    pub attempts: u32,
    /// The head is not handed out before this time (unix ms): its retry
    /// time, or the end of a dispatcher's claim. `None` when nothing is
    /// pending.
    pub not_before_ms: Option<i64>,
}

impl RoomState {
    /// Events appended but not yet delivered.
    pub fn pending(&self) -> u64 {
        self.last_seq - self.delivered_upto
    }
}

/// The bounds of a replay, shared by every adapter so they agree on what
/// "from this point" means: `(from_seq, since_ms)`. In each selected room,
/// the replay starts at the lowest retained, delivered event whose
/// sequence is at least `from_seq` and which was created at or after
/// `since_ms`; that event and every later one become pending again.
/// Events older than the retention's age never qualify.
pub fn replay_window(from: ReplayFrom, retention: Retention, now_ms: i64) -> (u64, i64) {
    let oldest = now_ms.saturating_sub(retention.max_age_ms);
    match from {
        ReplayFrom::Seq(s) => (s.max(1), oldest),
        ReplayFrom::Since(t) => (1, t.max(oldest)),
    }
}
