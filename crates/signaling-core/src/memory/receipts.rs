//! Read marks in memory: per room, a map of user to mark, holding the
//! [`RECEIPTS_CAP`] most recently read.

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;

use crate::ports::{RECEIPTS_CAP, ReadReceipts};
use crate::protocol::ReadReceipt;
use crate::{PortError, RoomId};

/// [`ReadReceipts`] in memory.
#[derive(Default)]
pub struct MemoryReadReceipts {
    rooms: Mutex<HashMap<RoomId, HashMap<String, ReadReceipt>>>,
}

#[async_trait]
impl ReadReceipts for MemoryReadReceipts {
    async fn mark(&self, room: &RoomId, receipt: &ReadReceipt) -> Result<bool, PortError> {
        let mut rooms = self.rooms.lock().expect("lock");
        let marks = rooms.entry(room.clone()).or_default();
        if marks
            .get(&receipt.user_id)
            .is_some_and(|old| old.position() >= receipt.position())
        {
            return Ok(false);
        }
        marks.insert(receipt.user_id.clone(), receipt.clone());
        if marks.len() > RECEIPTS_CAP {
            let stalest = marks
                .values()
                .min_by_key(|r| r.read_at)
                .map(|r| r.user_id.clone());
            if let Some(user) = stalest {
                marks.remove(&user);
            }
        }
        Ok(true)
    }

    async fn get(&self, room: &RoomId, user: &str) -> Result<Option<ReadReceipt>, PortError> {
        let rooms = self.rooms.lock().expect("lock");
        Ok(rooms.get(room).and_then(|m| m.get(user)).cloned())
    }

    async fn list(&self, room: &RoomId, limit: usize) -> Result<Vec<ReadReceipt>, PortError> {
        let rooms = self.rooms.lock().expect("lock");
        let mut all: Vec<ReadReceipt> = rooms
            .get(room)
            .map(|m| m.values().cloned().collect())
            .unwrap_or_default();
        all.sort_by(|a, b| b.read_at.cmp(&a.read_at).then(a.user_id.cmp(&b.user_id)));
        all.truncate(limit);
        Ok(all)
    }
}
