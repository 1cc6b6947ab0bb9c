//! Breakout rooms: create, assign (or return), close. Signaling and chat
//! stay within a participant's group.

use super::*;
use crate::sanitize::sanitize_name;

impl Engine {
    /// Creates a breakout room (moderators).
    pub(super) fn breakout_create(
        &self,
        room: &mut Room,
        now: OffsetDateTime,
        actor: &Actor,
        name: &str,
    ) -> Result<(BreakoutRoom, Vec<Effect>), SignalError> {
        let me = &self.member(room, actor)?.clone();
        if !me.role.is_moderator() {
            return Err(SignalError::denied(
                "only a host or moderator may create breakout rooms",
            ));
        }
        if room.breakout_rooms.len() >= self.config.max_breakout_rooms {
            return Err(SignalError::new(
                ErrorCode::BreakoutLimitReached,
                "too many breakout rooms",
            ));
        }
        let name = sanitize_name(name, self.config.max_name_chars);
        if name.is_empty() {
            return Err(SignalError::invalid("name is empty"));
        }
        let b = BreakoutRoom {
            id: room.local_id("br"),
            name,
            created_at: now,
        };
        room.breakout_rooms.push(b.clone());
        Ok((
            b.clone(),
            vec![deliver(
                everyone(room),
                ServerMessage::BreakoutRoomCreate { breakout_room: b },
            )],
        ))
    }

    /// Moves a participant into a breakout room, or back (`None`).
    pub(super) fn breakout_assign(
        &self,
        room: &mut Room,
        actor: &Actor,
        user: &UserId,
        breakout: Option<&str>,
    ) -> Result<Vec<Effect>, SignalError> {
        let me = &self.member(room, actor)?.clone();
        if !me.role.is_moderator() {
            return Err(SignalError::denied(
                "only a host or moderator may assign breakout rooms",
            ));
        }
        if let Some(b) = breakout
            && !room.breakout_rooms.iter().any(|r| r.id == b)
        {
            return Err(SignalError::new(
                ErrorCode::BreakoutRoomNotFound,
                format!("no breakout room {b}"),
            ));
        }
        let p = room.participant_mut(user).ok_or_else(|| {
            SignalError::new(
                ErrorCode::UserNotInRoom,
                format!("{user} is not in this room"),
            )
        })?;
        p.breakout_room_id = breakout.map(str::to_owned);
        let msg = ServerMessage::BreakoutRoomAssign {
            user_id: user.to_string(),
            breakout_room_id: breakout.map(str::to_owned),
        };
        Ok(vec![deliver(everyone(room), msg)])
    }

    /// Closes a breakout room; everyone in it returns to the main room.
    pub(super) fn breakout_close(
        &self,
        room: &mut Room,
        actor: &Actor,
        id: &str,
    ) -> Result<Vec<Effect>, SignalError> {
        let me = &self.member(room, actor)?.clone();
        if !me.role.is_moderator() {
            return Err(SignalError::denied(
                "only a host or moderator may close breakout rooms",
            ));
        }
        let i = room
            .breakout_rooms
            .iter()
            .position(|r| r.id == id)
            .ok_or_else(|| {
                SignalError::new(
                    ErrorCode::BreakoutRoomNotFound,
                    format!("no breakout room {id}"),
                )
            })?;
        room.breakout_rooms.remove(i);
        let mut returned = Vec::new();
        for p in room
            .participants
            .iter_mut()
            .filter(|p| p.breakout_room_id.as_deref() == Some(id))
        {
            p.breakout_room_id = None;
            returned.push(p.user_id.to_string());
        }
        Ok(vec![deliver(
            everyone(room),
            ServerMessage::BreakoutRoomClose {
                breakout_room_id: id.to_owned(),
                returned,
            },
        )])
    }
}

#[cfg(test)]
mod tests {
    use crate::engine::testkit::*;

    #[test]
    fn breakout_rooms_scope_signaling_and_close_returns_everyone() {
        let mut d = Driver::new(10);
        d.join("host").unwrap();
        d.join("a").unwrap();
        d.join("b").unwrap();
        d.send("host", r#"{"type":"breakout-room-create","name":"Team 1"}"#)
            .unwrap();
        let id = d.room.breakout_rooms[0].id.clone();
        d.send(
            "host",
            &format!(
                r#"{{"type":"breakout-room-assign","breakout_room_id":"{id}","user_id":"a"}}"#
            ),
        )
        .unwrap();
        assert_eq!(
            d.send("b", r#"{"type":"offer","target":"a","sdp":"v=0"}"#)
                .unwrap_err()
                .code,
            ErrorCode::UserNotInRoom
        );
        let e = d
            .send("a", r#"{"type":"chat-message","message":"in here"}"#)
            .unwrap();
        assert_eq!(
            delivered_to(&e, "chat-message"),
            vec![vec!["a".to_string()]]
        );
        d.send(
            "host",
            &format!(r#"{{"type":"breakout-room-close","breakout_room_id":"{id}"}}"#),
        )
        .unwrap();
        assert!(
            d.room
                .participants
                .iter()
                .all(|p| p.breakout_room_id.is_none())
        );
        assert!(
            d.send("b", r#"{"type":"offer","target":"a","sdp":"v=0"}"#)
                .is_ok()
        );
    }
}
