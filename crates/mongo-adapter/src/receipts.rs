//! Read marks: one document per room and user, moved only forward by a
//! conditional upsert; kept as long as chat (`RTC_CHAT_RETENTION_DAYS`).

use async_trait::async_trait;
use futures_util::TryStreamExt as _;
use mongodb::bson::{Document, doc};
use mongodb::{Collection, options::UpdateOptions};
use signaling_core::ports::ReadReceipts;
use signaling_core::protocol::ReadReceipt;
use signaling_core::{PortError, RoomId};

use crate::{date, from_doc, is_duplicate, to_doc, unavailable};

/// [`ReadReceipts`] over MongoDB: `_id` `{room, user}`, the mark's
/// position `pos`, read time `at`, the receipt as `r`.
pub struct MongoReadReceipts(pub(crate) Collection<Document>);

#[async_trait]
impl ReadReceipts for MongoReadReceipts {
    /// Matches the user's document only while its `pos` is behind, and
    /// upserts: a document at or past the mark makes the insert collide on
    /// `_id`, which is the "did not move" answer.
    async fn mark(&self, room: &RoomId, receipt: &ReadReceipt) -> Result<bool, PortError> {
        let pos = receipt.position();
        let id = doc! {"room": room.as_str(), "user": &receipt.user_id};
        let set = doc! {"$set": {
            "room_id": room.as_str(),
            "pos": &pos,
            "at": date(receipt.read_at),
            "r": to_doc(receipt)?,
        }};
        let upsert = UpdateOptions::builder().upsert(true).build();
        match self
            .0
            .update_one(doc! {"_id": id, "pos": {"$lt": &pos}}, set)
            .with_options(upsert)
            .await
        {
            Ok(r) => Ok(r.modified_count == 1 || r.upserted_id.is_some()),
            Err(e) if is_duplicate(&e) => Ok(false),
            Err(e) => Err(unavailable(e)),
        }
    }

    async fn get(&self, room: &RoomId, user: &str) -> Result<Option<ReadReceipt>, PortError> {
        let d = self
            .0
            .find_one(doc! {"_id": {"room": room.as_str(), "user": user}})
            .await
            .map_err(unavailable)?;
        d.as_ref().map(from_doc::<ReadReceipt>).transpose()
    }

    async fn list(&self, room: &RoomId, limit: usize) -> Result<Vec<ReadReceipt>, PortError> {
        let docs: Vec<Document> = self
            .0
            .find(doc! {"room_id": room.as_str()})
            .sort(doc! {"at": -1, "_id": 1})
            .limit(limit as i64)
            .await
            .map_err(unavailable)?
            .try_collect()
            .await
            .map_err(unavailable)?;
        docs.iter().map(from_doc::<ReadReceipt>).collect()
    }
}
