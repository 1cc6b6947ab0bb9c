//! [`MemoryChatSpool`]: the embedded [`ChatSpool`], gone with the process.

use std::collections::VecDeque;
use std::sync::Mutex;

use async_trait::async_trait;

use crate::ports::ChatSpool;
use crate::protocol::ChatRecord;
use crate::{PortError, RoomId};

/// A [`ChatSpool`] in memory: for the embedded default and tests. A crash
/// loses what it holds; the server uses a durable one.
#[derive(Default)]
pub struct MemoryChatSpool(Mutex<VecDeque<ChatRecord>>);

impl MemoryChatSpool {
    fn q(&self) -> std::sync::MutexGuard<'_, VecDeque<ChatRecord>> {
        self.0.lock().expect("lock")
    }
}

#[async_trait]
impl ChatSpool for MemoryChatSpool {
    async fn push(&self, record: &ChatRecord) -> Result<(), PortError> {
        self.q().push_back(record.clone());
        Ok(())
    }

    async fn front(&self) -> Result<Option<ChatRecord>, PortError> {
        Ok(self.q().front().cloned())
    }

    async fn pop_front(&self, id: &str) -> Result<bool, PortError> {
        let mut q = self.q();
        if q.front().is_some_and(|f| f.id == id) {
            q.pop_front();
            return Ok(true);
        }
        Ok(false)
    }

    async fn waiting(&self) -> Result<usize, PortError> {
        Ok(self.q().len())
    }

    async fn find(&self, room: &RoomId, id: &str) -> Result<Option<ChatRecord>, PortError> {
        Ok(self
            .q()
            .iter()
            .find(|w| w.id == id && w.room_id == room.as_str())
            .cloned())
    }

    async fn replace(&self, record: &ChatRecord) -> Result<bool, PortError> {
        let mut q = self.q();
        match q
            .iter_mut()
            .find(|w| w.id == record.id && w.room_id == record.room_id)
        {
            Some(w) => {
                *w = record.clone();
                Ok(true)
            }
            None => Ok(false),
        }
    }

    async fn remove(&self, room: &RoomId, id: &str) -> Result<bool, PortError> {
        let mut q = self.q();
        let before = q.len();
        q.retain(|w| !(w.id == id && w.room_id == room.as_str()));
        Ok(q.len() < before)
    }
}
