//! Removing people: kick and ban (moderators), and closing the whole room
//! (the operator).

use super::*;

impl Engine {
    /// Removes everyone (and everyone waiting) from the room: `user-left`
    /// with `reason: "room_closed"`, then `ROOM_CLOSED` (close code 4410).
    /// Only the operator (the admin API) closes a room; returns how many
    /// people were removed.
    pub(super) fn close(
        &self,
        room: &mut Room,
        now: OffsetDateTime,
        actor: &Actor,
    ) -> Result<(usize, Vec<Effect>), SignalError> {
        if !actor.user_id.is_admin() {
            return Err(SignalError::denied("only the operator may close a room"));
        }
        let mut effects = Vec::new();
        let people: Vec<(UserId, ConnectionId)> = room
            .participants
            .iter()
            .map(|p| (p.user_id.clone(), p.connection))
            .chain(
                room.waiting
                    .iter()
                    .map(|w| (w.user_id.clone(), w.connection)),
            )
            .collect();
        for (user, connection) in &people {
            effects.extend(self.leave(room, now, user, None, LeaveReason::RoomClosed));
            effects.push(Effect::Disconnect {
                connection: *connection,
                code: ErrorCode::RoomClosed,
            });
        }
        Ok((people.len(), effects))
    }

    /// Removes a participant (moderators), optionally banning them.
    pub(super) fn kick(
        &self,
        room: &mut Room,
        now: OffsetDateTime,
        actor: &Actor,
        user: &UserId,
        ban: bool,
    ) -> Result<Vec<Effect>, SignalError> {
        let me = self.moderator(room, actor)?.clone();
        if let Some(t) = room.participant(user) {
            if t.role.rank() < me.role.rank() {
                return Err(SignalError::denied("cannot remove a more privileged user"));
            }
            let conn = t.connection;
            let reason = if ban {
                LeaveReason::Banned
            } else {
                LeaveReason::Kicked
            };
            let mut effects = self.leave(room, now, user, None, reason);
            effects.push(Effect::Disconnect {
                connection: conn,
                code: if ban {
                    ErrorCode::UserBanned
                } else {
                    ErrorCode::Kicked
                },
            });
            if ban && !room.banned.contains(user) {
                room.banned.push(user.clone());
            }
            Ok(effects)
        } else if ban {
            if !room.banned.contains(user) {
                room.banned.push(user.clone());
            }
            Ok(Vec::new())
        } else {
            Err(SignalError::new(
                ErrorCode::UserNotInRoom,
                format!("{user} is not in this room"),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::testkit::*;

    /// Closing a room is the operator's: a host is refused and nothing
    /// changes; the operator removes everyone, the waiting included, each
    /// closed with `ROOM_CLOSED`.
    #[test]
    fn only_the_operator_closes_a_room() {
        let mut d = Driver::new(10);
        d.join("h").unwrap();
        d.join("p").unwrap();
        let h = d.actor("h");
        let e = d.apply(&h, Command::CloseRoom).unwrap_err();
        assert_eq!(e.code, ErrorCode::PermissionDenied);
        assert_eq!(d.room.participants.len(), 2);
        let closed = d.apply(&Actor::admin(), Command::CloseRoom).unwrap();
        assert!(matches!(closed.reply, crate::engine::Reply::Removed(2)));
        let closes = closed
            .effects
            .iter()
            .filter(|e| {
                matches!(
                    e,
                    Effect::Disconnect {
                        code: ErrorCode::RoomClosed,
                        ..
                    }
                )
            })
            .count();
        assert_eq!(closes, 2);
        assert!(d.room.participants.is_empty());
    }

    #[test]
    fn kicked_and_banned_user_cannot_rejoin() {
        let mut d = Driver::new(10);
        d.join("h").unwrap();
        d.join("x").unwrap();
        let h = d.actor("h");
        let now = d.now;
        let e = d
            .engine
            .kick(&mut d.room, now, &h, &uid("x"), true)
            .unwrap();
        assert!(e.iter().any(|e| matches!(
            e,
            Effect::Disconnect {
                code: ErrorCode::UserBanned,
                ..
            }
        )));
        assert_eq!(d.join("x").unwrap_err().code, ErrorCode::UserBanned);
    }
}
