//! [`OutboxChatHistory`]: chat history that keeps appends through an
//! outage of its backend.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

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
///
/// A waiting message the backend refuses for good (it answers, with an
/// error other than being unavailable) is set aside with an error log and
/// counted in [`OutboxChatHistory::refused`]: waiting for it would hold
/// every later message back for ever.
pub struct OutboxChatHistory {
    inner: Arc<dyn ChatHistory>,
    spool: Arc<dyn ChatSpool>,
    cap: usize,
    refused: AtomicU64,
}

impl OutboxChatHistory {
    /// Wraps `inner` with an in-memory spool of at most `cap` unsent
    /// messages (the oldest are dropped beyond that, with an error log).
    pub fn new(inner: Arc<dyn ChatHistory>, cap: usize) -> Self {
        Self::with_spool(inner, Arc::new(super::MemoryChatSpool::default()), cap)
    }

    /// Wraps `inner` with `spool` (see [`OutboxChatHistory::new`]).
    pub fn with_spool(inner: Arc<dyn ChatHistory>, spool: Arc<dyn ChatSpool>, cap: usize) -> Self {
        OutboxChatHistory {
            inner,
            spool,
            cap,
            refused: AtomicU64::new(0),
        }
    }

    /// Waiting messages this process set aside because the backend
    /// refused them for good (see the type's docs).
    pub fn refused(&self) -> u64 {
        self.refused.load(Ordering::Relaxed)
    }

    /// Messages waiting for the backend (0 if the spool cannot say).
    pub async fn pending(&self) -> usize {
        self.spool.waiting().await.unwrap_or(0)
    }

    /// Writes waiting messages in order; stops while the backend is
    /// unavailable, sets aside a message it refuses for good. Returns how
    /// many were written.
    pub async fn flush(&self) -> usize {
        let mut n = 0;
        loop {
            let Ok(Some(next)) = self.spool.front().await else {
                return n;
            };
            match self.inner.append(&next).await {
                Ok(()) => {}
                Err(e) if e.is_unavailable() => return n,
                Err(e) => {
                    if self.spool.pop_front(&next.id).await.is_err() {
                        return n;
                    }
                    self.refused.fetch_add(1, Ordering::Relaxed);
                    tracing::error!(
                        room = %next.room_id,
                        id = %next.id,
                        error = %e,
                        "chat outbox: the history refused a waiting message for good; set aside so the \
                         rest can be stored"
                    );
                    continue;
                }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memory::{MemoryChatHistory, MemoryChatSpool};
    use crate::testing::chat::chat;

    /// A history that is down until told otherwise, and refuses message 1
    /// for good (as a store refuses a record it cannot take).
    #[derive(Default)]
    struct Picky {
        up: std::sync::atomic::AtomicBool,
        inner: MemoryChatHistory,
    }

    #[async_trait]
    impl ChatHistory for Picky {
        async fn append(&self, r: &ChatRecord) -> Result<(), PortError> {
            if !self.up.load(Ordering::SeqCst) {
                return Err(PortError::unavailable("down"));
            }
            if r.id == chat("r", 1).id {
                return Err(PortError::corrupt("refused"));
            }
            self.inner.append(r).await
        }
        async fn page(
            &self,
            room: &RoomId,
            b: Option<&str>,
            l: usize,
        ) -> Result<ChatPage, PortError> {
            self.inner.page(room, b, l).await
        }
        async fn get(&self, room: &RoomId, id: &str) -> Result<Option<ChatRecord>, PortError> {
            self.inner.get(room, id).await
        }
        async fn replace(&self, r: &ChatRecord) -> Result<bool, PortError> {
            self.inner.replace(r).await
        }
        async fn react(
            &self,
            room: &RoomId,
            id: &str,
            emoji: &str,
            user: &str,
            active: bool,
        ) -> Result<bool, PortError> {
            self.inner.react(room, id, emoji, user, active).await
        }
        async fn remove(&self, room: &RoomId, id: &str) -> Result<bool, PortError> {
            self.inner.remove(room, id).await
        }
        async fn search(
            &self,
            room: &RoomId,
            q: &str,
            b: Option<&str>,
            l: usize,
        ) -> Result<ChatPage, PortError> {
            self.inner.search(room, q, b, l).await
        }
    }

    #[tokio::test]
    async fn a_message_refused_for_good_does_not_hold_the_rest_back() {
        let picky = Arc::new(Picky::default());
        let o =
            OutboxChatHistory::with_spool(picky.clone(), Arc::new(MemoryChatSpool::default()), 10);
        for i in 0..4 {
            o.append(&chat("r", i)).await.unwrap();
        }
        assert_eq!(o.flush().await, 0, "down: nothing written, nothing dropped");
        assert_eq!((o.pending().await, o.refused()), (4, 0));
        picky.up.store(true, Ordering::SeqCst);
        assert_eq!(o.flush().await, 3);
        assert_eq!((o.pending().await, o.refused()), (0, 1));
        let room = RoomId::parse("r").unwrap();
        let ids: Vec<String> = o
            .page(&room, None, 10)
            .await
            .unwrap()
            .messages
            .into_iter()
            .map(|m| m.id)
            .collect();
        let want: Vec<String> = [3, 2, 0].map(|i| chat("r", i).id).to_vec();
        assert_eq!(ids, want, "newest first, message 1 set aside");
    }
}
