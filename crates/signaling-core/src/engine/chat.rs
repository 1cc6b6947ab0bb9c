//! Messages between people: chat (to the sender's group or one peer, stored
//! in history before it is delivered), typing indicators (never stored),
//! reactions, and the operator's application data messages. None of them
//! changes the room.

use time::OffsetDateTime;

use super::{Actor, Effect, Engine, deliver, everyone};
use crate::protocol::*;
use crate::room::{Participant, Room};
use crate::sanitize::sanitize_text;
use crate::{ErrorCode, SignalError, UserId};

impl Engine {
    /// The caller, if it may chat now: a member with `can_chat` in a room
    /// whose chat is on.
    fn chatter<'r>(&self, room: &'r Room, actor: &Actor) -> Result<&'r Participant, SignalError> {
        let me = self.member(room, actor)?;
        if !room.settings.chat_enabled {
            return Err(SignalError::new(
                ErrorCode::ChatDisabled,
                "chat is disabled in this room",
            ));
        }
        if !me.permissions.can_chat {
            return Err(SignalError::denied("you may not chat"));
        }
        Ok(me)
    }

    /// A message's text as stored: sanitized, not empty, not too long.
    fn chat_text(&self, raw: &str) -> Result<String, SignalError> {
        let text = sanitize_text(raw);
        if text.is_empty() {
            return Err(SignalError::new(ErrorCode::EmptyMessage, "empty message"));
        }
        if text.chars().count() > self.config.max_chat_chars {
            return Err(SignalError::new(
                ErrorCode::MessageTooLong,
                format!(
                    "messages are limited to {} characters",
                    self.config.max_chat_chars
                ),
            ));
        }
        Ok(text)
    }

    /// A chat message to the sender's group, or privately to one peer.
    pub(super) fn chat_message(
        &self,
        room: &Room,
        now: OffsetDateTime,
        actor: &Actor,
        c: ChatSend,
    ) -> Result<Vec<Effect>, SignalError> {
        let me = self.chatter(room, actor)?;
        let from = me.user_id.to_string();
        let text = self.chat_text(&c.message)?;
        if let Some(parent) = &c.reply_to
            && !is_message_id(parent)
        {
            return Err(SignalError::new(
                ErrorCode::ValidationError,
                "reply_to must be a message id",
            ));
        }
        let to = match &c.to {
            Some(t) => vec![self.peer(room, me, t)?.user_id.clone(), me.user_id.clone()],
            None => room.group_members(me.breakout_room_id.as_deref()),
        };
        let record = ChatRecord {
            id: uuid::Uuid::new_v4().to_string(),
            room_id: room.id.to_string(),
            from,
            from_name: me.name.clone(),
            message: text,
            to: c.to.map(|u| u.to_string()),
            breakout_room_id: me.breakout_room_id.clone(),
            reply_to: c.reply_to,
            reactions: Default::default(),
            edited_at: None,
            timestamp: now,
        };
        Ok(vec![
            Effect::StoreChat(record.clone()),
            deliver(to, ServerMessage::ChatMessage(record)),
        ])
    }

    /// A `chat-edit` (`text`) or `chat-delete` (`None`) of `record`, the
    /// message as stored. Only a message the caller can see is found at
    /// all; its author edits or deletes it within the edit window, a host
    /// or moderator deletes any. Everyone who could see it is told.
    pub(super) fn chat_change(
        &self,
        room: &Room,
        now: OffsetDateTime,
        actor: &Actor,
        record: Option<Box<ChatRecord>>,
        text: Option<String>,
    ) -> Result<Vec<Effect>, SignalError> {
        let me = self.require_member(room, actor)?;
        let record = seen_by(room, me, record)?;
        let own = record.from == me.user_id.as_str();
        let window = time::Duration::seconds(self.config.chat_edit_window_secs as i64);
        let in_window = now - record.timestamp <= window;
        let audience = audience_of(room, &record);
        let Some(text) = text else {
            let moderator = me.role.is_moderator();
            if !(moderator || own && in_window) {
                return Err(SignalError::denied(if own {
                    "the time to delete this message has passed"
                } else {
                    "only its author or a moderator may delete a message"
                }));
            }
            let message = ServerMessage::ChatDeleted {
                message_id: record.id.clone(),
                deleted_by: me.user_id.to_string(),
            };
            return Ok(vec![
                Effect::RemoveChat {
                    message_id: record.id.clone(),
                    deleted_by: me.user_id.to_string(),
                },
                deliver(audience, message),
            ]);
        };
        if !own {
            return Err(SignalError::denied("only its author may edit a message"));
        }
        if !in_window {
            return Err(SignalError::denied(
                "the time to edit this message has passed",
            ));
        }
        self.chatter(room, actor)?;
        let text = self.chat_text(&text)?;
        let edited = ChatRecord {
            message: text,
            edited_at: Some(now),
            ..*record
        };
        Ok(vec![
            Effect::ReplaceChat(edited.clone()),
            deliver(audience, ServerMessage::ChatUpdated(edited)),
        ])
    }

    /// A typing indicator, to the sender's group or, for a private
    /// message, to its one receiver. Ephemeral: never stored or replayed;
    /// it counts against the connection's message rate like any frame.
    pub(super) fn typing(
        &self,
        room: &Room,
        actor: &Actor,
        t: TypingReq,
    ) -> Result<Vec<Effect>, SignalError> {
        let me = self.chatter(room, actor)?;
        let to: Vec<UserId> = match &t.to {
            Some(u) => vec![self.peer(room, me, u)?.user_id.clone()],
            None => room
                .group_members(me.breakout_room_id.as_deref())
                .into_iter()
                .filter(|u| *u != me.user_id)
                .collect(),
        };
        Ok(vec![deliver(
            to,
            ServerMessage::Typing {
                user_id: me.user_id.to_string(),
                active: t.active,
                private: t.to.is_some(),
            },
        )])
    }

    /// An emoji reaction to the sender's group.
    pub(super) fn reaction(
        &self,
        room: &Room,
        now: OffsetDateTime,
        actor: &Actor,
        r: ReactionSend,
    ) -> Result<Vec<Effect>, SignalError> {
        let me = self.member(room, actor)?;
        let from = me.user_id.to_string();
        if !me.permissions.can_react {
            return Err(SignalError::denied("you may not react"));
        }
        let emoji = reaction_of(&r.emoji)?;
        let to = room.group_members(me.breakout_room_id.as_deref());
        Ok(vec![deliver(
            to,
            ServerMessage::Reaction {
                from,
                emoji,
                timestamp: now,
            },
        )])
    }

    /// A reaction kept on a stored chat message `record`, added or taken
    /// back: by members who may react and could see the message; everyone
    /// who could see it is told.
    pub(super) fn chat_react(
        &self,
        room: &Room,
        actor: &Actor,
        r: ReactionSend,
        record: Option<Box<ChatRecord>>,
    ) -> Result<Vec<Effect>, SignalError> {
        let me = self.member(room, actor)?;
        if !me.permissions.can_react {
            return Err(SignalError::denied("you may not react"));
        }
        let emoji = reaction_of(&r.emoji)?;
        let record = seen_by(room, me, record)?;
        if r.active
            && !record.reactions.contains_key(&emoji)
            && record.reactions.len() >= MAX_REACTION_KINDS
        {
            return Err(SignalError::invalid(format!(
                "a message holds at most {MAX_REACTION_KINDS} different reactions"
            )));
        }
        let user_id = me.user_id.to_string();
        let has = record
            .reactions
            .get(&emoji)
            .is_some_and(|users| users.contains(&user_id));
        if has == r.active {
            // Already so: nothing changes, nobody is told again.
            return Ok(vec![]);
        }
        let message = ServerMessage::ChatReaction {
            message_id: record.id.clone(),
            emoji: emoji.clone(),
            user_id: user_id.clone(),
            active: r.active,
        };
        Ok(vec![
            Effect::ReactChat {
                message_id: record.id.clone(),
                emoji,
                user_id,
                active: r.active,
            },
            deliver(audience_of(room, &record), message),
        ])
    }

    /// `chat-read`: moves the reader's mark to a stored message they could
    /// see, if it is further than `mark` (their current one); those who
    /// could see the message are told. Any member may; a mark that would
    /// not move changes nothing and tells nobody.
    pub(super) fn chat_read(
        &self,
        room: &Room,
        now: OffsetDateTime,
        actor: &Actor,
        record: Option<Box<ChatRecord>>,
        mark: Option<Box<ReadReceipt>>,
    ) -> Result<Vec<Effect>, SignalError> {
        let me = self.member(room, actor)?;
        let record = seen_by(room, me, record)?;
        let receipt = ReadReceipt {
            user_id: me.user_id.to_string(),
            message_id: record.id.clone(),
            message_at: record.timestamp,
            read_at: now,
        };
        if mark.is_some_and(|m| m.position() >= receipt.position()) {
            return Ok(vec![]);
        }
        Ok(vec![
            Effect::MarkRead(receipt.clone()),
            deliver(audience_of(room, &record), ServerMessage::ChatRead(receipt)),
        ])
    }

    /// Sends application data to the room, or to `to` (moderators; the
    /// admin API). Every recipient must be in the room.
    pub(super) fn send_data(
        &self,
        room: &Room,
        actor: &Actor,
        to: Option<Vec<UserId>>,
        topic: Option<String>,
        data: serde_json::Value,
    ) -> Result<Vec<Effect>, SignalError> {
        self.moderator(room, actor)?;
        let audience = match to {
            Some(users) => {
                for u in &users {
                    if room.participant(u).is_none() {
                        return Err(SignalError::new(
                            ErrorCode::UserNotInRoom,
                            format!("{u} is not in this room"),
                        ));
                    }
                }
                users
            }
            None => everyone(room),
        };
        Ok(vec![deliver(
            audience,
            ServerMessage::DataMessage {
                from: actor.user_id.to_string(),
                topic,
                data,
            },
        )])
    }
}

/// The stored message `record`, if `me` could have received it (else
/// `NOT_FOUND`: a message one may not see is not there for them).
fn seen_by(
    room: &Room,
    me: &Participant,
    record: Option<Box<ChatRecord>>,
) -> Result<Box<ChatRecord>, SignalError> {
    record
        .filter(|r| {
            r.room_id == room.id.as_str()
                && r.visible_to(me.user_id.as_str(), me.breakout_room_id.as_deref())
        })
        .ok_or_else(|| SignalError::new(ErrorCode::NotFound, "no such message"))
}

/// Who of the room could see `record`: its two people for a private
/// message, else its group's members.
fn audience_of(room: &Room, record: &ChatRecord) -> Vec<UserId> {
    match &record.to {
        Some(to) => [record.from.as_str(), to.as_str()]
            .into_iter()
            .filter_map(|u| UserId::parse(u).ok())
            .filter(|u| room.participant(u).is_some())
            .collect(),
        None => room.group_members(record.breakout_room_id.as_deref()),
    }
}

/// A reaction as kept: sanitized, 1 to 16 characters, without `.` or a
/// leading `$` (it names a field where MongoDB keeps it).
fn reaction_of(raw: &str) -> Result<String, SignalError> {
    let emoji = sanitize_text(raw);
    if emoji.is_empty()
        || emoji.chars().count() > 16
        || emoji.contains('.')
        || emoji.starts_with('$')
    {
        return Err(SignalError::invalid(
            "a reaction is 1 to 16 characters, without '.' or a leading '$'",
        ));
    }
    Ok(emoji)
}

/// Most different reactions on one chat message.
const MAX_REACTION_KINDS: usize = 20;

/// Whether `id` could name a message: what the server gives them (a
/// UUID), or any id of up to 64 letters, digits, `-` and `_`.
pub fn is_message_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod replies_and_typing {
    use super::super::testkit::*;

    #[test]
    fn a_reply_carries_its_parent_and_a_malformed_parent_is_refused() {
        let mut d = Driver::new(10);
        for u in ["host", "bob"] {
            d.join(u).unwrap();
        }
        let effects = d
            .send(
                "bob",
                r#"{"type":"chat-message","message":"yes","reply_to":"5f0c7a4e-1b2c-4d3e-8f9a-0b1c2d3e4f5a"}"#,
            )
            .unwrap();
        let stored = effects
            .iter()
            .find_map(|e| match e {
                Effect::StoreChat(r) => Some(r.clone()),
                _ => None,
            })
            .expect("stored");
        assert_eq!(
            stored.reply_to.as_deref(),
            Some("5f0c7a4e-1b2c-4d3e-8f9a-0b1c2d3e4f5a")
        );
        for bad in ["", "a b", "../x", &"x".repeat(65)] {
            let msg = serde_json::json!({"type": "chat-message", "message": "x", "reply_to": bad});
            let e = d.send("bob", &msg.to_string()).unwrap_err();
            assert_eq!(e.code, ErrorCode::ValidationError, "{bad:?}");
        }
    }

    #[test]
    fn typing_goes_to_the_others_of_the_group_or_to_the_one_private_receiver_and_is_never_stored() {
        let mut d = Driver::new(10);
        for u in ["host", "bob", "carol"] {
            d.join(u).unwrap();
        }
        let effects = d.send("bob", r#"{"type":"typing","active":true}"#).unwrap();
        let mut to = delivered_to(&effects, "typing");
        to[0].sort();
        assert_eq!(to, vec![vec!["carol".to_string(), "host".to_string()]]);
        assert!(!effects.iter().any(|e| matches!(e, Effect::StoreChat(_))));
        let effects = d
            .send("bob", r#"{"type":"typing","active":true,"to":"carol"}"#)
            .unwrap();
        assert_eq!(
            delivered_to(&effects, "typing"),
            vec![vec!["carol".to_string()]]
        );
        d.send(
            "host",
            r#"{"type":"room-settings-update","chat_enabled":false}"#,
        )
        .unwrap();
        let e = d
            .send("bob", r#"{"type":"typing","active":true}"#)
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::ChatDisabled);
    }
}
