//! Read marks and unread counts: the read side of `chat-read`. A mark is
//! moved by the `chat-read` command (engine `chat.rs`); here the caller's
//! unread count (on joining, and `GET /rooms/{room}/chat/unread`) and the
//! marks a member may see (`GET /rooms/{room}/chat/receipts`).

use super::*;
use crate::protocol::{ChatUnread, ReadReceipt, position_of};

/// Messages read per store page while counting unread chat.
const UNREAD_PAGE: usize = 100;
/// Store pages read at most while counting: past them the count says
/// `more`.
const UNREAD_PAGES: usize = 5;

impl RoomService {
    /// `user`'s unread chat in the room, seen from breakout group `group`
    /// (`None`: the main room): messages they could have received live,
    /// sent by others after their mark (all of them without one). Reads
    /// at most [`UNREAD_PAGES`] pages of history.
    pub(crate) async fn unread_chat(
        &self,
        room_id: &RoomId,
        user: &UserId,
        group: Option<&str>,
    ) -> Result<ChatUnread, SignalError> {
        let last_read = self.ports.receipts.get(room_id, user.as_str()).await?;
        let after = last_read.as_ref().map(ReadReceipt::position);
        let mut count = 0;
        let mut cursor: Option<String> = None;
        for _ in 0..UNREAD_PAGES {
            let page = self
                .ports
                .chat
                .page(room_id, cursor.as_deref(), UNREAD_PAGE)
                .await?;
            for m in &page.messages {
                if after
                    .as_deref()
                    .is_some_and(|a| position_of(m.timestamp, &m.id).as_str() <= a)
                {
                    return Ok(ChatUnread {
                        count,
                        more: false,
                        last_read,
                    });
                }
                if m.from != user.as_str() && m.visible_to(user.as_str(), group) {
                    count += 1;
                }
            }
            match page.next_cursor {
                Some(c) => cursor = Some(c),
                None => {
                    return Ok(ChatUnread {
                        count,
                        more: false,
                        last_read,
                    });
                }
            }
        }
        Ok(ChatUnread {
            count,
            more: true,
            last_read,
        })
    }

    /// The caller's unread chat (a member), as on joining.
    pub async fn chat_unread(
        &self,
        room_id: &RoomId,
        actor: &Actor,
    ) -> Result<ChatUnread, SignalError> {
        let room = self.snapshot(room_id).await?;
        let me = self.engine.require_member(&room, actor)?;
        self.unread_chat(room_id, &me.user_id, me.breakout_room_id.as_deref())
            .await
    }

    /// The room's read marks the caller (a member) may see, most recently
    /// read first, at most `limit`: their own, and others' on messages the
    /// caller could have received live. A mark on someone's private
    /// message, or on one of another breakout group, is left out: it would
    /// tell that the message exists.
    pub async fn chat_receipts(
        &self,
        room_id: &RoomId,
        actor: &Actor,
        limit: usize,
    ) -> Result<Vec<ReadReceipt>, SignalError> {
        let room = self.snapshot(room_id).await?;
        let me = self.engine.require_member(&room, actor)?;
        let (user, group) = (me.user_id.as_str(), me.breakout_room_id.as_deref());
        let mut out = Vec::new();
        for mark in self.ports.receipts.list(room_id, limit).await? {
            let visible = mark.user_id == user
                || self
                    .ports
                    .chat
                    .get(room_id, &mark.message_id)
                    .await?
                    .is_some_and(|m| m.visible_to(user, group));
            if visible {
                out.push(mark);
            }
        }
        Ok(out)
    }
}
