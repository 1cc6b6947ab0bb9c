//! [`MemoryChatSpool`]: the embedded [`ChatSpool`], gone with the process,
//! and [`SpoolQueue`], the waiting messages and their rules, which the
//! server's durable file spool keeps in memory too.

use std::collections::VecDeque;
use std::sync::Mutex;

use async_trait::async_trait;

use crate::ports::ChatSpool;
use crate::protocol::ChatRecord;
use crate::{PortError, RoomId};

/// Messages waiting for the history store, oldest first, with the rules of
/// [`ChatSpool`]: only the head leaves, and only when it is the message
/// named; a waiting message is found, replaced and removed by room and id.
/// Each change has a `can_…` twin that says whether it would change
/// anything, for a log that writes only what applies.
#[derive(Debug, Default, Clone)]
pub struct SpoolQueue(VecDeque<ChatRecord>);

impl SpoolQueue {
    fn position(&self, room: &str, id: &str) -> Option<usize> {
        self.0.iter().position(|w| w.id == id && w.room_id == room)
    }

    /// Adds at the back.
    pub fn push(&mut self, record: ChatRecord) {
        self.0.push_back(record);
    }

    /// The oldest.
    pub fn front(&self) -> Option<&ChatRecord> {
        self.0.front()
    }

    /// Whether the head is `id`.
    pub fn can_pop(&self, id: &str) -> bool {
        self.0.front().is_some_and(|f| f.id == id)
    }

    /// Removes the head if it is `id`.
    pub fn pop_front(&mut self, id: &str) -> bool {
        self.can_pop(id) && self.0.pop_front().is_some()
    }

    /// How many wait.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether none waits.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The waiting message `id` of `room`.
    pub fn find(&self, room: &str, id: &str) -> Option<&ChatRecord> {
        self.position(room, id).map(|i| &self.0[i])
    }

    /// Replaces the waiting message with `record`'s room and id, in place.
    pub fn replace(&mut self, record: &ChatRecord) -> bool {
        match self.position(&record.room_id, &record.id) {
            Some(i) => {
                self.0[i] = record.clone();
                true
            }
            None => false,
        }
    }

    /// Removes the waiting message `id` of `room`.
    pub fn remove(&mut self, room: &str, id: &str) -> bool {
        self.position(room, id)
            .and_then(|i| self.0.remove(i))
            .is_some()
    }

    /// The waiting messages, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = &ChatRecord> {
        self.0.iter()
    }
}

/// A [`ChatSpool`] in memory: for the embedded default and tests. A crash
/// loses what it holds; the server uses a durable one.
#[derive(Default)]
pub struct MemoryChatSpool(Mutex<SpoolQueue>);

impl MemoryChatSpool {
    fn q(&self) -> std::sync::MutexGuard<'_, SpoolQueue> {
        self.0.lock().expect("lock")
    }
}

#[async_trait]
impl ChatSpool for MemoryChatSpool {
    async fn push(&self, record: &ChatRecord) -> Result<(), PortError> {
        self.q().push(record.clone());
        Ok(())
    }

    async fn front(&self) -> Result<Option<ChatRecord>, PortError> {
        Ok(self.q().front().cloned())
    }

    async fn pop_front(&self, id: &str) -> Result<bool, PortError> {
        Ok(self.q().pop_front(id))
    }

    async fn waiting(&self) -> Result<usize, PortError> {
        Ok(self.q().len())
    }

    async fn find(&self, room: &RoomId, id: &str) -> Result<Option<ChatRecord>, PortError> {
        Ok(self.q().find(room.as_str(), id).cloned())
    }

    async fn replace(&self, record: &ChatRecord) -> Result<bool, PortError> {
        Ok(self.q().replace(record))
    }

    async fn remove(&self, room: &RoomId, id: &str) -> Result<bool, PortError> {
        Ok(self.q().remove(room.as_str(), id))
    }
}
