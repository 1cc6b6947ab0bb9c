//! The connection lifecycle: joining (or waiting, or being refused),
//! leaving, a lost connection's reconnecting state and the end of its grace
//! period. Driven by the transport, not by a request, so these are entry
//! points of their own rather than [`Command`](super::Command)s.

use auth::PermissionsPatch;

use super::*;
use crate::sanitize::sanitize_name;

/// A request to enter a room, built from a verified grant.
#[derive(Debug, Clone)]
pub struct JoinRequest {
    /// The user.
    pub user_id: UserId,
    /// Display name.
    pub name: Option<String>,
    /// Role the token asks for.
    pub role: Option<Role>,
    /// Permission overrides from the token.
    pub permissions: Option<PermissionsPatch>,
    /// The new connection.
    pub connection: ConnectionId,
}

/// Result of a successful join.
#[derive(Debug, Clone, PartialEq)]
pub enum JoinOutcome {
    /// In the room; `state` is what the joiner sees.
    Joined {
        /// The room state for the joiner.
        state: Box<RoomStateView>,
        /// Whether this replaced an existing connection of the same user.
        rejoined: bool,
    },
    /// In the waiting room, at this 1-based position.
    Waiting {
        /// Position in line.
        position: usize,
    },
}

impl Engine {
    /// Admits a connection into the room, the waiting room, or refuses it.
    pub fn join(
        &self,
        room: &mut Room,
        now: OffsetDateTime,
        req: JoinRequest,
    ) -> Result<(JoinOutcome, Vec<Effect>), SignalError> {
        if room.banned.contains(&req.user_id) {
            return Err(SignalError::new(
                ErrorCode::UserBanned,
                "you are banned from this room",
            ));
        }
        let name = sanitize_name(
            req.name.as_deref().unwrap_or(req.user_id.as_str()),
            self.config.max_name_chars,
        );
        let mut effects = Vec::new();

        // The same user again: the new connection replaces the old one and keeps
        // role, hand-raise place and breakout assignment.
        if let Some(p) = room.participant_mut(&req.user_id) {
            let old = std::mem::replace(&mut p.connection, req.connection);
            p.presence = Presence::Connected;
            p.disconnected_at = None;
            let view = p.clone();
            if old != req.connection {
                effects.push(Effect::Disconnect {
                    connection: old,
                    code: ErrorCode::SessionReplaced,
                });
            }
            effects.push(deliver(
                all_except(room, &req.user_id),
                ServerMessage::UserJoined {
                    participant: (&view).into(),
                },
            ));
            let state = Box::new(self.room_state(room, &req.user_id, 0));
            return Ok((
                JoinOutcome::Joined {
                    state,
                    rejoined: true,
                },
                effects,
            ));
        }
        if let Some(pos) = room.waiting.iter().position(|w| w.user_id == req.user_id) {
            let old = std::mem::replace(&mut room.waiting[pos].connection, req.connection);
            effects.push(Effect::Disconnect {
                connection: old,
                code: ErrorCode::SessionReplaced,
            });
            effects.extend(self.waiting_notice(room, pos));
            return Ok((JoinOutcome::Waiting { position: pos + 1 }, effects));
        }

        // Without a role in the token: host of a room that has none (the
        // first joiner, or the first after a host left only viewers behind).
        let role = req
            .role
            .unwrap_or(if room.participants.iter().any(|p| p.role == Role::Host) {
                Role::Participant
            } else {
                Role::Host
            });
        if room.settings.locked && !role.is_moderator() {
            return Err(SignalError::new(
                ErrorCode::RoomLocked,
                "the room is locked",
            ));
        }
        if room.participants.len() >= room.settings.max_participants as usize {
            return Err(SignalError::new(
                ErrorCode::RoomFull,
                format!(
                    "the room is full ({} participants)",
                    room.settings.max_participants
                ),
            ));
        }
        let admitted = room.admitted.iter().position(|u| u == &req.user_id);
        if room.settings.waiting_room_enabled && !role.is_moderator() && admitted.is_none() {
            room.waiting.push(WaitingEntry {
                user_id: req.user_id.clone(),
                name,
                connection: req.connection,
                since: now,
            });
            let pos = room.waiting.len() - 1;
            effects.extend(self.waiting_notice(room, pos));
            return Ok((JoinOutcome::Waiting { position: pos + 1 }, effects));
        }
        if let Some(i) = admitted {
            room.admitted.remove(i);
        }
        let mut permissions = Permissions::for_role(role);
        if let Some(patch) = &req.permissions {
            permissions = permissions.apply(patch);
        }
        let participant = Participant {
            user_id: req.user_id.clone(),
            name,
            role,
            permissions,
            connection: req.connection,
            joined_at: now,
            media: MediaState {
                audio_muted: room.settings.mute_on_entry,
                video_muted: false,
                screen_sharing: false,
            },
            device_info: None,
            network_stats: None,
            video_quality: None,
            background: None,
            breakout_room_id: None,
            presence: Presence::Connected,
            disconnected_at: None,
        };
        effects.push(deliver(
            all_except(room, &req.user_id),
            ServerMessage::UserJoined {
                participant: (&participant).into(),
            },
        ));
        room.participants.push(participant);
        effects.push(self.analytics(room, &req.user_id, "join", now, serde_json::Map::new()));
        let state = Box::new(self.room_state(room, &req.user_id, 0));
        Ok((
            JoinOutcome::Joined {
                state,
                rejoined: false,
            },
            effects,
        ))
    }

    /// Removes `user` if `connection` still speaks for them (a replaced
    /// connection closing must not remove its successor).
    pub fn leave(
        &self,
        room: &mut Room,
        now: OffsetDateTime,
        user: &UserId,
        connection: Option<ConnectionId>,
        reason: LeaveReason,
    ) -> Vec<Effect> {
        let mut effects = Vec::new();
        if let Some(i) = room
            .waiting
            .iter()
            .position(|w| &w.user_id == user && connection.is_none_or(|c| c == w.connection))
        {
            room.waiting.remove(i);
            return effects;
        }
        let Some(i) = room
            .participants
            .iter()
            .position(|p| &p.user_id == user && connection.is_none_or(|c| c == p.connection))
        else {
            return effects;
        };
        let gone = room.participants.remove(i);
        let duration = (now - gone.joined_at).whole_seconds();
        effects.push(deliver(
            everyone(room),
            ServerMessage::UserLeft {
                user_id: user.to_string(),
                reason,
            },
        ));
        if let Some(q) = room.hand_queue.iter().position(|h| &h.user_id == user) {
            room.hand_queue.remove(q);
            effects.push(deliver(
                everyone(room),
                ServerMessage::HandRaiseQueue {
                    queue: room.hand_queue.clone(),
                },
            ));
        }
        if gone.role == Role::Host && !room.participants.iter().any(|p| p.role == Role::Host) {
            // Next moderator by join order, else the oldest participant.
            let next = room
                .participants
                .iter()
                .position(|p| p.role == Role::Moderator)
                .or_else(|| {
                    room.participants
                        .iter()
                        .position(|p| p.role == Role::Participant)
                });
            if let Some(n) = next {
                let p = &mut room.participants[n];
                p.role = Role::Host;
                p.permissions = Permissions::for_role(Role::Host);
                let msg = ServerMessage::RoleUpdated {
                    user_id: p.user_id.to_string(),
                    role: Role::Host,
                    permissions: p.permissions,
                    by: "system".into(),
                };
                effects.push(deliver(everyone(room), msg));
            }
        }
        let mut data = serde_json::Map::new();
        data.insert("duration_seconds".into(), duration.into());
        data.insert(
            "reason".into(),
            serde_json::to_value(reason).unwrap_or_default(),
        );
        effects.push(self.analytics(room, user, "leave", now, data));
        if room.participants.is_empty() {
            // Nobody is left to record: stop what is running so it gets processed.
            for r in room.recordings.iter_mut().filter(|r| r.is_active()) {
                if r.stop(now).is_ok() {
                    effects.extend(super::recording::stop_egress(r));
                    effects.push(Effect::StoreRecording(r.clone()));
                }
            }
        }
        effects
    }

    /// A connection dropped without saying goodbye: its participant is shown
    /// as reconnecting and keeps role, hand-raise place and breakout
    /// assignment until [`Engine::grace_expired`]. A waiting user simply
    /// leaves the queue. Nothing happens if `connection` no longer speaks
    /// for the user (it was replaced).
    pub fn connection_lost(
        &self,
        room: &mut Room,
        now: OffsetDateTime,
        user: &UserId,
        connection: ConnectionId,
    ) -> Vec<Effect> {
        if room
            .waiting
            .iter()
            .any(|w| &w.user_id == user && w.connection == connection)
        {
            return self.leave(room, now, user, Some(connection), LeaveReason::Disconnected);
        }
        let Some(p) = room
            .participants
            .iter_mut()
            .find(|p| &p.user_id == user && p.connection == connection)
        else {
            return Vec::new();
        };
        if p.presence == Presence::Reconnecting {
            return Vec::new();
        }
        p.presence = Presence::Reconnecting;
        p.disconnected_at = Some(now);
        vec![deliver(
            all_except(room, user),
            ServerMessage::ParticipantReconnecting {
                user_id: user.to_string(),
            },
        )]
    }

    /// The grace period of a lost connection ended: if the participant did
    /// not come back on a new connection, they leave as `disconnected`.
    pub fn grace_expired(
        &self,
        room: &mut Room,
        now: OffsetDateTime,
        user: &UserId,
        connection: ConnectionId,
    ) -> Vec<Effect> {
        let still_gone = room.participants.iter().any(|p| {
            &p.user_id == user && p.connection == connection && p.presence == Presence::Reconnecting
        });
        if !still_gone {
            return Vec::new();
        }
        self.leave(room, now, user, Some(connection), LeaveReason::Disconnected)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::testkit::*;

    #[test]
    fn first_joiner_hosts_and_capacity_is_never_exceeded() {
        let mut d = Driver::new(3);
        d.join("a").unwrap();
        assert_eq!(d.role("a"), Role::Host);
        d.join("b").unwrap();
        d.join("c").unwrap();
        assert_eq!(d.join("d").unwrap_err().code, ErrorCode::RoomFull);
        assert_eq!(d.room.participants.len(), 3);
        assert_eq!(d.role("b"), Role::Participant);
    }

    #[test]
    fn host_leaving_promotes_next_moderator_else_oldest() {
        let mut d = Driver::new(10);
        d.join("a").unwrap();
        d.join("b").unwrap();
        d.join_as("m", Some(Role::Moderator)).unwrap();
        let e = d
            .engine
            .leave(&mut d.room, d.now, &uid("a"), None, LeaveReason::Left);
        assert_eq!(
            d.role("m"),
            Role::Host,
            "moderator before older participant"
        );
        assert_eq!(delivered_to(&e, "role-updated").len(), 1);
        d.engine
            .leave(&mut d.room, d.now, &uid("m"), None, LeaveReason::Left);
        assert_eq!(d.role("b"), Role::Host);
    }

    #[test]
    fn stale_connection_cannot_remove_its_successor() {
        let mut d = Driver::new(10);
        d.join("a").unwrap();
        let old = d.conns["a"];
        let (_, e) = d.join("a").unwrap();
        assert!(e.contains(&Effect::Disconnect {
            connection: old,
            code: ErrorCode::SessionReplaced
        }));
        assert!(
            d.engine
                .leave(&mut d.room, d.now, &uid("a"), Some(old), LeaveReason::Left)
                .is_empty()
        );
        assert!(d.room.participant(&uid("a")).is_some());
    }
}
