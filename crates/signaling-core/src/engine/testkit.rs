//! Deterministic driver for the engine's unit tests: a room, a fixed clock,
//! inputs in, effects out. Each feature module's tests use it.

use std::borrow::Cow;

use time::OffsetDateTime;
use time::macros::datetime;

use super::*;
use crate::RoomId;

// What every feature's tests name, besides their module's own imports.
pub(super) use super::{Actor, Audience, Effect, JoinOutcome};
pub(super) use crate::{ConnectionId, ErrorCode};
pub(super) use auth::Role;

pub(super) const T0: OffsetDateTime = datetime!(2026-01-01 00:00 UTC);

pub(super) struct Driver {
    pub(super) engine: Engine,
    pub(super) room: Room,
    pub(super) now: OffsetDateTime,
    pub(super) conns: std::collections::HashMap<String, ConnectionId>,
}

pub(super) fn uid(s: &str) -> UserId {
    UserId::parse(s).unwrap()
}

impl Driver {
    pub(super) fn new(capacity: u32) -> Self {
        let mut config = RoomConfig::default();
        config.default_settings.max_participants = capacity;
        let engine = Engine::new(config);
        let room = engine.new_room(RoomId::parse("r").unwrap(), T0);
        Driver {
            engine,
            room,
            now: T0,
            conns: Default::default(),
        }
    }

    pub(super) fn join_as(
        &mut self,
        user: &str,
        role: Option<Role>,
    ) -> Result<(JoinOutcome, Vec<Effect>), SignalError> {
        self.now += time::Duration::seconds(1);
        let c = ConnectionId::new();
        self.conns.insert(user.into(), c);
        self.engine.join(
            &mut self.room,
            self.now,
            JoinRequest {
                user_id: uid(user),
                name: None,
                role,
                permissions: None,
                connection: c,
            },
        )
    }

    pub(super) fn join(&mut self, user: &str) -> Result<(JoinOutcome, Vec<Effect>), SignalError> {
        self.join_as(user, None)
    }

    pub(super) fn actor(&self, user: &str) -> Actor {
        Actor {
            user_id: uid(user),
            connection: self.conns.get(user).copied(),
        }
    }

    /// Applies `cmd` as the service does: on the room borrowed, keeping the
    /// copy only if the command wrote one and succeeded.
    pub(super) fn apply(&mut self, actor: &Actor, cmd: Command) -> Result<Applied, SignalError> {
        let mutates = cmd.mutates();
        let mut room = Cow::Borrowed(&self.room);
        let r = self.engine.apply(&mut room, self.now, actor, cmd);
        let written = match room {
            Cow::Owned(r) => Some(r),
            Cow::Borrowed(_) => None,
        };
        assert!(
            mutates || written.is_none(),
            "a command that does not mutate wrote the room"
        );
        if let (Ok(_), Some(room)) = (&r, written) {
            self.room = room;
        }
        r
    }

    /// A client frame from `user`, one second after the previous input.
    pub(super) fn send(&mut self, user: &str, json: &str) -> Result<Vec<Effect>, SignalError> {
        self.now += time::Duration::seconds(1);
        let msg = crate::protocol::decode(json).unwrap();
        let a = self.actor(user);
        self.apply(&a, msg.into()).map(|a| a.effects)
    }

    pub(super) fn role(&self, user: &str) -> Role {
        self.room.participant(&uid(user)).unwrap().role
    }
}

pub(super) fn delivered_to(effects: &[Effect], ty: &str) -> Vec<Vec<String>> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Deliver {
                to: Audience::Users(u),
                message,
            } if message.to_json().contains(&format!("\"type\":\"{ty}\"")) => {
                Some(u.iter().map(|u| u.to_string()).collect())
            }
            _ => None,
        })
        .collect()
}
