//! The in-memory [`Outbox`]: the embedded default when nothing must
//! survive a restart, and the fake for tests.

use std::sync::{Mutex, MutexGuard};

use async_trait::async_trait;

use crate::ports::check_append;
use crate::state::{Record, State};
use crate::{DeadLetter, Due, Outbox, OutboxError, ReplayFrom, Retention, RoomState, WebhookEvent};

/// Every room's events in a map; lost when the process ends.
#[derive(Debug)]
pub struct MemoryOutbox {
    state: Mutex<State>,
}

impl MemoryOutbox {
    /// An empty outbox keeping delivered events as `retention` says.
    pub fn new(retention: Retention) -> Self {
        MemoryOutbox {
            state: Mutex::new(State::new(retention)),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave a half-applied
        // record: `apply` checks before it mutates.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Default for MemoryOutbox {
    fn default() -> Self {
        MemoryOutbox::new(Retention::default())
    }
}

#[async_trait]
impl Outbox for MemoryOutbox {
    async fn append(
        &self,
        room_id: &str,
        event: &str,
        data: serde_json::Value,
        now_ms: i64,
    ) -> Result<WebhookEvent, OutboxError> {
        check_append(room_id, event)?;
        let mut s = self.state();
        let ev = s.next_event(room_id, event, data, now_ms);
        let dropped = s.dropped_count();
        s.apply(&Record::Append { event: ev.clone() })?;
        crate::warn_dropped(room_id, s.dropped_count() - dropped);
        Ok(ev)
    }

    async fn next_due(
        &self,
        now_ms: i64,
        limit: usize,
        lease_ms: i64,
    ) -> Result<Vec<Due>, OutboxError> {
        Ok(self.state().next_due(now_ms, limit, lease_ms))
    }

    async fn delivered(&self, room_id: &str, seq: u64, now_ms: i64) -> Result<bool, OutboxError> {
        self.state().apply(&Record::Delivered {
            room: room_id.to_owned(),
            seq,
            at: now_ms,
        })
    }

    async fn retry_later(
        &self,
        room_id: &str,
        seq: u64,
        attempts: u32,
        next_attempt_ms: i64,
    ) -> Result<bool, OutboxError> {
        self.state().apply(&Record::Retry {
            room: room_id.to_owned(),
            seq,
            attempts,
            next_at: next_attempt_ms,
        })
    }

    async fn dead_letter(
        &self,
        room_id: &str,
        seq: u64,
        attempts: u32,
        error: &str,
        now_ms: i64,
    ) -> Result<bool, OutboxError> {
        self.state().apply(&Record::Dead {
            room: room_id.to_owned(),
            seq,
            attempts,
            error: error.to_owned(),
            at: now_ms,
        })
    }

    async fn dead_letters(&self, limit: usize) -> Result<Vec<DeadLetter>, OutboxError> {
        Ok(self.state().dead_letters(limit))
    }

    async fn dead_letter_count(&self) -> Result<u64, OutboxError> {
        Ok(self.state().dead_count())
    }

    async fn requeue_dead(
        &self,
        id: &str,
        _now_ms: i64,
    ) -> Result<Option<WebhookEvent>, OutboxError> {
        let mut s = self.state();
        let Some(event) = s.plan_revive(id) else {
            return Ok(None);
        };
        s.apply(&Record::Revive {
            event: event.clone(),
        })?;
        Ok(Some(event))
    }

    async fn replay(
        &self,
        room_id: Option<&str>,
        from: ReplayFrom,
        now_ms: i64,
    ) -> Result<u64, OutboxError> {
        let mut s = self.state();
        let mut total = 0;
        for (rec, n) in s.plan_replay(room_id, from, now_ms) {
            s.apply(&rec)?;
            total += n;
        }
        Ok(total)
    }

    async fn pending_count(&self) -> Result<u64, OutboxError> {
        Ok(self.state().pending_count())
    }

    async fn dropped_count(&self) -> Result<u64, OutboxError> {
        Ok(self.state().dropped_count())
    }

    async fn room_state(&self, room_id: &str) -> Result<Option<RoomState>, OutboxError> {
        Ok(self.state().room_state(room_id))
    }
}
