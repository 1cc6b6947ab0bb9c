//! Raised hands: a first-come, first-served queue; moderators lower
//! anyone's hand, or all of them.

use super::*;

impl Engine {
    /// Raises or lowers a hand. The queue is first come, first served;
    /// moderators may lower anyone's hand.
    pub(super) fn hand_raise(
        &self,
        room: &mut Room,
        now: OffsetDateTime,
        actor: &Actor,
        raised: bool,
        target: Option<&UserId>,
    ) -> Result<Vec<Effect>, SignalError> {
        let me = &self.member(room, actor)?.clone();
        let target = target.cloned().unwrap_or_else(|| me.user_id.clone());
        if target != me.user_id && (raised || !me.role.is_moderator()) {
            return Err(SignalError::denied(
                "only moderators may lower someone else's hand",
            ));
        }
        if raised && !me.permissions.can_raise_hand {
            return Err(SignalError::denied("you may not raise your hand"));
        }
        if room.participant(&target).is_none() {
            return Err(SignalError::new(
                ErrorCode::UserNotInRoom,
                format!("{target} is not in this room"),
            ));
        }
        let pos = room.hand_queue.iter().position(|h| h.user_id == target);
        match (raised, pos) {
            (true, None) => room.hand_queue.push(HandRaiseEntry {
                user_id: target.clone(),
                raised_at: now,
            }),
            (false, Some(i)) => {
                room.hand_queue.remove(i);
            }
            // Idempotent: raising a raised hand keeps its place.
            _ => return Ok(Vec::new()),
        }
        let all = everyone(room);
        Ok(vec![
            deliver(
                all.clone(),
                ServerMessage::HandRaise {
                    user_id: target.to_string(),
                    raised,
                    by: me.user_id.to_string(),
                },
            ),
            deliver(
                all,
                ServerMessage::HandRaiseQueue {
                    queue: room.hand_queue.clone(),
                },
            ),
        ])
    }

    /// Lowers every hand (moderators).
    pub(super) fn lower_all_hands(
        &self,
        room: &mut Room,
        actor: &Actor,
    ) -> Result<Vec<Effect>, SignalError> {
        let me = self.moderator(room, actor)?;
        let by = me.user_id.to_string();
        let all = everyone(room);
        let mut effects: Vec<Effect> = room
            .hand_queue
            .drain(..)
            .map(|h| {
                deliver(
                    all.clone(),
                    ServerMessage::HandRaise {
                        user_id: h.user_id.to_string(),
                        raised: false,
                        by: by.clone(),
                    },
                )
            })
            .collect();
        effects.push(deliver(
            all,
            ServerMessage::HandRaiseQueue { queue: Vec::new() },
        ));
        Ok(effects)
    }
}

#[cfg(test)]
mod tests {
    use crate::engine::testkit::*;

    #[test]
    fn hand_raise_queue_is_fifo_and_moderators_lower_others() {
        let mut d = Driver::new(10);
        d.join("host").unwrap();
        for u in ["p1", "p2", "p3"] {
            d.join(u).unwrap();
        }
        for u in ["p2", "p1", "p3"] {
            d.send(u, r#"{"type":"hand-raise","raised":true}"#).unwrap();
        }
        // Raising again keeps the place.
        assert!(
            d.send("p2", r#"{"type":"hand-raise","raised":true}"#)
                .unwrap()
                .is_empty()
        );
        let order: Vec<_> = d
            .room
            .hand_queue
            .iter()
            .map(|h| h.user_id.to_string())
            .collect();
        assert_eq!(order, ["p2", "p1", "p3"]);
        assert_eq!(
            d.send(
                "p1",
                r#"{"type":"hand-raise","raised":false,"target":"p2"}"#
            )
            .unwrap_err()
            .code,
            ErrorCode::PermissionDenied
        );
        d.send(
            "host",
            r#"{"type":"hand-raise","raised":false,"target":"p2"}"#,
        )
        .unwrap();
        let order: Vec<_> = d
            .room
            .hand_queue
            .iter()
            .map(|h| h.user_id.to_string())
            .collect();
        assert_eq!(order, ["p1", "p3"]);
    }
}
