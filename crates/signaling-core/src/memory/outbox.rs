//! [`OutboxChatHistory`]: chat history that keeps appends through an
//! outage of its backend.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;

use crate::ports::*;
use crate::protocol::ChatRecord;
use crate::{PortError, RoomId};

/// Chat history that never loses a message to an outage: an append that
/// fails for want of the backend is kept in an outbox, in order, and
/// written by [`OutboxChatHistory::flush`] when the backend is back. The
/// backend's append is idempotent on the message id, so a retry after an
/// ambiguous failure stores the message once.
pub struct OutboxChatHistory {
    inner: Arc<dyn ChatHistory>,
    outbox: Mutex<std::collections::VecDeque<crate::protocol::ChatRecord>>,
    cap: usize,
}

impl OutboxChatHistory {
    /// Wraps `inner`, holding at most `cap` unsent messages (the oldest are
    /// dropped beyond that, with a warning).
    pub fn new(inner: Arc<dyn ChatHistory>, cap: usize) -> Self {
        OutboxChatHistory {
            inner,
            outbox: Mutex::default(),
            cap,
        }
    }

    /// Messages waiting for the backend.
    pub fn pending(&self) -> usize {
        self.outbox.lock().expect("lock").len()
    }

    /// Writes waiting messages in order; stops at the first failure.
    /// Returns how many were written.
    pub async fn flush(&self) -> usize {
        let mut n = 0;
        loop {
            let Some(next) = self.outbox.lock().expect("lock").front().cloned() else {
                return n;
            };
            if self.inner.append(&next).await.is_err() {
                return n;
            }
            let mut q = self.outbox.lock().expect("lock");
            if q.front().is_some_and(|f| f.id == next.id) {
                q.pop_front();
            }
            n += 1;
        }
    }
}

impl OutboxChatHistory {
    /// Message `id` of `room` if it still waits in the outbox.
    fn waiting(&self, room: &RoomId, id: &str) -> Option<ChatRecord> {
        let q = self.outbox.lock().expect("lock");
        q.iter()
            .find(|w| w.id == id && w.room_id == room.as_str())
            .cloned()
    }
}

#[async_trait]
impl ChatHistory for OutboxChatHistory {
    async fn append(&self, record: &crate::protocol::ChatRecord) -> Result<(), PortError> {
        // Keep order: while older messages wait, newer ones queue behind them.
        if self.pending() == 0 {
            match self.inner.append(record).await {
                Ok(()) => return Ok(()),
                Err(e) if !e.is_unavailable() => return Err(e),
                Err(e) => {
                    tracing::warn!(error = %e, "chat history unavailable; keeping messages in the outbox");
                }
            }
        }
        let mut q = self.outbox.lock().expect("lock");
        q.push_back(record.clone());
        if q.len() > self.cap {
            q.pop_front();
            tracing::error!(
                cap = self.cap,
                "chat outbox full; the oldest unsent message was dropped"
            );
        }
        Ok(())
    }

    async fn page(
        &self,
        room: &RoomId,
        before: Option<&str>,
        limit: usize,
    ) -> Result<ChatPage, PortError> {
        self.inner.page(room, before, limit).await
    }

    async fn get(&self, room: &RoomId, id: &str) -> Result<Option<ChatRecord>, PortError> {
        let waiting = self.waiting(room, id);
        match waiting {
            Some(r) => Ok(Some(r)),
            None => self.inner.get(room, id).await,
        }
    }

    async fn replace(&self, record: &ChatRecord) -> Result<bool, PortError> {
        {
            let mut q = self.outbox.lock().expect("lock");
            if let Some(w) = q
                .iter_mut()
                .find(|w| w.id == record.id && w.room_id == record.room_id)
            {
                // Not written yet: it will be written as it is now.
                *w = record.clone();
                return Ok(true);
            }
        }
        self.inner.replace(record).await
    }

    async fn react(
        &self,
        room: &RoomId,
        id: &str,
        emoji: &str,
        user: &str,
        active: bool,
    ) -> Result<bool, PortError> {
        {
            let mut q = self.outbox.lock().expect("lock");
            if let Some(w) = q
                .iter_mut()
                .find(|w| w.id == id && w.room_id == room.as_str())
            {
                crate::protocol::apply_reaction(&mut w.reactions, emoji, user, active);
                return Ok(true);
            }
        }
        self.inner.react(room, id, emoji, user, active).await
    }

    async fn remove(&self, room: &RoomId, id: &str) -> Result<bool, PortError> {
        let queued = {
            let mut q = self.outbox.lock().expect("lock");
            let before = q.len();
            q.retain(|w| !(w.id == id && w.room_id == room.as_str()));
            q.len() < before
        };
        // Also from the store: an append may have landed meanwhile.
        let stored = self.inner.remove(room, id).await?;
        Ok(queued || stored)
    }

    async fn search(
        &self,
        room: &RoomId,
        query: &str,
        before: Option<&str>,
        limit: usize,
    ) -> Result<ChatPage, PortError> {
        self.inner.search(room, query, before, limit).await
    }
}
