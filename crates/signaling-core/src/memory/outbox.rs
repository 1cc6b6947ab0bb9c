//! [`OutboxChatHistory`]: chat history that keeps appends through an
//! outage of its backend.

use std::sync::Arc;

use async_trait::async_trait;

use crate::ports::*;
use crate::protocol::ChatRecord;
use crate::{PortError, RoomId};

/// Chat history that never loses a message to an outage: an append that
/// fails for want of the backend is kept in a [`ChatSpool`], in order, and
/// written by [`OutboxChatHistory::flush`] when the backend is back. With a
/// durable spool (a local fsynced log, or Redis) the message survives a
/// crash of the process too; with Redis any live instance drains it. The
/// backend's append is idempotent on the message id, so a retry after an
/// ambiguous failure, or two instances draining at once, stores the
/// message once.
pub struct OutboxChatHistory {
    inner: Arc<dyn ChatHistory>,
    spool: Arc<dyn ChatSpool>,
    cap: usize,
}

impl OutboxChatHistory {
    /// Wraps `inner` with an in-memory spool of at most `cap` unsent
    /// messages (the oldest are dropped beyond that, with an error log).
    pub fn new(inner: Arc<dyn ChatHistory>, cap: usize) -> Self {
        Self::with_spool(inner, Arc::new(super::MemoryChatSpool::default()), cap)
    }

    /// Wraps `inner` with `spool` (see [`OutboxChatHistory::new`]).
    pub fn with_spool(inner: Arc<dyn ChatHistory>, spool: Arc<dyn ChatSpool>, cap: usize) -> Self {
        OutboxChatHistory { inner, spool, cap }
    }

    /// Messages waiting for the backend (0 if the spool cannot say).
    pub async fn pending(&self) -> usize {
        self.spool.waiting().await.unwrap_or(0)
    }

    /// Writes waiting messages in order; stops at the first failure.
    /// Returns how many were written.
    pub async fn flush(&self) -> usize {
        let mut n = 0;
        loop {
            let Ok(Some(next)) = self.spool.front().await else {
                return n;
            };
            if self.inner.append(&next).await.is_err() {
                return n;
            }
            // Another instance may have drained it meanwhile: the append
            // was idempotent, and only the head with this id goes.
            if self.spool.pop_front(&next.id).await.is_err() {
                return n;
            }
            n += 1;
        }
    }
}

#[async_trait]
impl ChatHistory for OutboxChatHistory {
    async fn append(&self, record: &crate::protocol::ChatRecord) -> Result<(), PortError> {
        // Keep order: while older messages wait, newer ones queue behind them.
        if self.spool.waiting().await? == 0 {
            match self.inner.append(record).await {
                Ok(()) => return Ok(()),
                Err(e) if !e.is_unavailable() => return Err(e),
                Err(e) => {
                    tracing::warn!(error = %e, "chat history unavailable; keeping messages in the outbox");
                }
            }
        }
        // Acknowledged only once the spool holds it.
        self.spool.push(record).await?;
        // Keeping to the cap is best effort: the message is stored already.
        if self.spool.waiting().await.unwrap_or(0) > self.cap
            && let Ok(Some(oldest)) = self.spool.front().await
            && self.spool.pop_front(&oldest.id).await.unwrap_or(false)
        {
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
        match self.spool.find(room, id).await? {
            Some(r) => Ok(Some(r)),
            None => self.inner.get(room, id).await,
        }
    }

    async fn replace(&self, record: &ChatRecord) -> Result<bool, PortError> {
        // Not written yet: it will be written as it is now.
        if self.spool.replace(record).await? {
            return Ok(true);
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
        if let Some(mut w) = self.spool.find(room, id).await? {
            crate::protocol::apply_reaction(&mut w.reactions, emoji, user, active);
            if self.spool.replace(&w).await? {
                return Ok(true);
            }
        }
        self.inner.react(room, id, emoji, user, active).await
    }

    async fn remove(&self, room: &RoomId, id: &str) -> Result<bool, PortError> {
        let queued = self.spool.remove(room, id).await?;
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
