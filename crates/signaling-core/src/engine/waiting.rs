//! The waiting room: who knocks, admit (one or all, as capacity allows),
//! reject, and sending a participant back to wait.

use super::*;

impl Engine {
    pub(super) fn waiting_notice(&self, room: &Room, pos: usize) -> Vec<Effect> {
        let w = &room.waiting[pos];
        let msg = ServerMessage::WaitingRoomJoin {
            user_id: w.user_id.to_string(),
            name: w.name.clone(),
            position: pos + 1,
        };
        // Moderators learn of the knock; the waiting user learns its place.
        vec![
            Effect::Deliver {
                to: Audience::Users(room.moderators()),
                message: msg.clone(),
            },
            Effect::Deliver {
                to: Audience::Connection(w.connection),
                message: msg,
            },
        ]
    }

    /// Admits a waiting user into the room (moderators).
    pub(super) fn admit(
        &self,
        room: &mut Room,
        now: OffsetDateTime,
        actor: &Actor,
        user: &UserId,
    ) -> Result<Vec<Effect>, SignalError> {
        let me = self.member(room, actor)?.clone();
        self.admit_one(room, now, &me, user)
    }

    fn admit_one(
        &self,
        room: &mut Room,
        now: OffsetDateTime,
        me: &Participant,
        user: &UserId,
    ) -> Result<Vec<Effect>, SignalError> {
        if !me.role.is_moderator() {
            return Err(SignalError::denied("only a host or moderator may admit"));
        }
        let i = room
            .waiting
            .iter()
            .position(|w| &w.user_id == user)
            .ok_or_else(|| {
                SignalError::new(
                    ErrorCode::NotInWaitingRoom,
                    format!("{user} is not waiting"),
                )
            })?;
        if room.participants.len() >= room.settings.max_participants as usize {
            return Err(SignalError::new(ErrorCode::RoomFull, "the room is full"));
        }
        let w = room.waiting.remove(i);
        room.admitted.push(w.user_id.clone());
        let by = me.user_id.to_string();
        let mut effects = vec![
            Effect::Deliver {
                to: Audience::Connection(w.connection),
                message: ServerMessage::WaitingRoomAdmit {
                    user_id: w.user_id.to_string(),
                    by: by.clone(),
                },
            },
            deliver(
                room.moderators(),
                ServerMessage::WaitingRoomAdmit {
                    user_id: w.user_id.to_string(),
                    by,
                },
            ),
        ];
        let req = JoinRequest {
            user_id: w.user_id.clone(),
            name: Some(w.name),
            role: None,
            permissions: None,
            connection: w.connection,
        };
        let (outcome, more) = self.join(room, now, req)?;
        if let JoinOutcome::Joined { state, .. } = outcome {
            effects.push(Effect::Deliver {
                to: Audience::Connection(w.connection),
                message: ServerMessage::RoomState(*state),
            });
        }
        effects.extend(more);
        Ok(effects)
    }

    /// Admits everyone waiting, in order, as far as capacity allows.
    pub(super) fn admit_all(
        &self,
        room: &mut Room,
        now: OffsetDateTime,
        actor: &Actor,
    ) -> Result<Vec<Effect>, SignalError> {
        let me = self.moderator(room, actor)?.clone();
        let mut effects = Vec::new();
        let waiting: Vec<UserId> = room.waiting.iter().map(|w| w.user_id.clone()).collect();
        for u in waiting {
            match self.admit_one(room, now, &me, &u) {
                Ok(e) => effects.extend(e),
                Err(e) if e.code == ErrorCode::RoomFull => break,
                Err(e) => return Err(e),
            }
        }
        Ok(effects)
    }

    /// Rejects a waiting user (moderators); their connection is closed.
    pub(super) fn reject(
        &self,
        room: &mut Room,
        actor: &Actor,
        user: &UserId,
    ) -> Result<Vec<Effect>, SignalError> {
        let me = &self.member(room, actor)?.clone();
        if !me.role.is_moderator() {
            return Err(SignalError::denied("only a host or moderator may reject"));
        }
        let i = room
            .waiting
            .iter()
            .position(|w| &w.user_id == user)
            .ok_or_else(|| {
                SignalError::new(
                    ErrorCode::NotInWaitingRoom,
                    format!("{user} is not waiting"),
                )
            })?;
        let w = room.waiting.remove(i);
        let by = me.user_id.to_string();
        Ok(vec![
            Effect::Deliver {
                to: Audience::Connection(w.connection),
                message: ServerMessage::WaitingRoomReject {
                    user_id: w.user_id.to_string(),
                    by: by.clone(),
                },
            },
            deliver(
                room.moderators(),
                ServerMessage::WaitingRoomReject {
                    user_id: w.user_id.to_string(),
                    by,
                },
            ),
            Effect::Disconnect {
                connection: w.connection,
                code: ErrorCode::WaitingRoomRejected,
            },
        ])
    }

    /// Sends a participant back to the waiting room (moderators).
    pub(super) fn send_to_waiting_room(
        &self,
        room: &mut Room,
        now: OffsetDateTime,
        actor: &Actor,
        user: &UserId,
    ) -> Result<Vec<Effect>, SignalError> {
        let me = self.moderator(room, actor)?.clone();
        let target = room
            .participant(user)
            .ok_or_else(|| {
                SignalError::new(
                    ErrorCode::UserNotInRoom,
                    format!("{user} is not in this room"),
                )
            })?
            .clone();
        if target.role.rank() < me.role.rank() {
            return Err(SignalError::denied("cannot move a more privileged user"));
        }
        let mut effects = self.leave(
            room,
            now,
            user,
            Some(target.connection),
            LeaveReason::MovedToWaitingRoom,
        );
        room.waiting.push(WaitingEntry {
            user_id: target.user_id.clone(),
            name: target.name,
            connection: target.connection,
            since: now,
        });
        let pos = room.waiting.len() - 1;
        effects.extend(self.waiting_notice(room, pos));
        Ok(effects)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::testkit::*;

    #[test]
    fn waiting_room_admit_and_reject() {
        let mut d = Driver::new(10);
        d.join("host").unwrap();
        d.send(
            "host",
            r#"{"type":"room-settings-update","waiting_room_enabled":true}"#,
        )
        .unwrap();
        let (o, e) = d.join("guest").unwrap();
        assert_eq!(o, JoinOutcome::Waiting { position: 1 });
        assert_eq!(
            delivered_to(&e, "waiting-room-join"),
            vec![vec!["host".to_string()]]
        );
        assert_eq!(
            d.send("guest", r#"{"type":"chat-message","message":"hi"}"#)
                .unwrap_err()
                .code,
            ErrorCode::InWaitingRoom
        );
        d.join("other").unwrap();
        d.send("host", r#"{"type":"waiting-room-admit","user_id":"guest"}"#)
            .unwrap();
        assert!(d.room.participant(&uid("guest")).is_some());
        let e = d
            .send(
                "host",
                r#"{"type":"waiting-room-reject","user_id":"other"}"#,
            )
            .unwrap();
        assert!(e.iter().any(|e| matches!(
            e,
            Effect::Disconnect {
                code: ErrorCode::WaitingRoomRejected,
                ..
            }
        )));
        assert!(d.room.waiting.is_empty());
    }
}
