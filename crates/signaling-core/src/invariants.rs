//! Property tests of the room engine: random sequences of joins, leaves,
//! drops, role changes, capacity changes and hand raises, checked against
//! the invariants the rest of the system relies on.

use auth::Role;
use proptest::prelude::*;
use time::OffsetDateTime;

use crate::engine::{Actor, Command, Engine, JoinRequest};
use crate::protocol::LeaveReason;
use crate::room::{Room, RoomSettingsPatch};
use crate::{ConnectionId, RoomConfig, RoomId, UserId};

#[derive(Debug, Clone)]
enum Op {
    Join(u8, Option<u8>),
    Leave(u8),
    Drop(u8),
    GraceOver(u8),
    Capacity(u8),
    Hand(u8, bool),
    Promote(u8, u8),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        // Token roles: none, or viewer (moderators come from promotions; a
        // token that names host or moderator may legitimately start a room
        // without a host).
        4 => (0u8..12, proptest::option::of(Just(3u8))).prop_map(|(u, r)| Op::Join(u, r)),
        2 => (0u8..12).prop_map(Op::Leave),
        1 => (0u8..12).prop_map(Op::Drop),
        1 => (0u8..12).prop_map(Op::GraceOver),
        1 => (1u8..8).prop_map(Op::Capacity),
        2 => (0u8..12, any::<bool>()).prop_map(|(u, r)| Op::Hand(u, r)),
        1 => (0u8..12, 0u8..12).prop_map(|(a, b)| Op::Promote(a, b)),
    ]
}

/// Applies a command as the service does: the room changes only if the
/// command succeeds.
fn apply(
    engine: &Engine,
    room: &mut Room,
    now: OffsetDateTime,
    actor: &Actor,
    cmd: Command,
) -> Result<(), crate::SignalError> {
    let mut next = std::borrow::Cow::Borrowed(&*room);
    engine.apply(&mut next, now, actor, cmd)?;
    *room = next.into_owned();
    Ok(())
}

fn uid(n: u8) -> UserId {
    UserId::parse(&format!("u{n}")).unwrap()
}

fn role(n: u8) -> Role {
    [Role::Host, Role::Moderator, Role::Participant, Role::Viewer][n as usize % 4]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn room_invariants_hold_under_any_sequence(ops in proptest::collection::vec(op(), 1..80)) {
        let mut cfg = RoomConfig::default();
        cfg.default_settings.max_participants = 5;
        let engine = Engine::new(cfg);
        let now = OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap();
        let mut room: Room = engine.new_room(RoomId::parse("p").unwrap(), now);
        let mut conns = std::collections::HashMap::new();
        // A room may start without a host when tokens say so; once it has
        // had one, it keeps one while anyone who can lead remains.
        let mut had_host = false;
        for op in ops {
            let before = room.participants.len();
            match op {
                Op::Join(u, r) => {
                    let c = ConnectionId::new();
                    let rejoin = room.participant(&uid(u)).is_some();
                    let req = JoinRequest {
                        user_id: uid(u),
                        name: None,
                        role: r.map(role),
                        permissions: None,
                        connection: c,
                    };
                    if engine.join(&mut room, now, req).is_ok() {
                        conns.insert(u, c);
                        // A new participant is admitted only below capacity.
                        if !rejoin && room.participants.len() > before {
                            prop_assert!(before < room.settings.max_participants as usize);
                        }
                    }
                }
                Op::Leave(u) => {
                    engine.leave(&mut room, now, &uid(u), conns.get(&u).copied(), LeaveReason::Left);
                }
                Op::Drop(u) => {
                    if let Some(c) = conns.get(&u) {
                        engine.connection_lost(&mut room, now, &uid(u), *c);
                    }
                }
                Op::GraceOver(u) => {
                    if let Some(c) = conns.get(&u) {
                        engine.grace_expired(&mut room, now, &uid(u), *c);
                    }
                }
                Op::Capacity(n) => {
                    if let Some(host) = room.participants.iter().find(|p| p.role.is_moderator()).cloned() {
                        let patch = RoomSettingsPatch { max_participants: Some(n as u32), ..Default::default() };
                        let host = Actor { user_id: host.user_id, connection: None };
                        let _ = apply(&engine, &mut room, now, &host, Command::UpdateSettings(patch));
                    }
                }
                Op::Hand(u, raised) => {
                    if room.participant(&uid(u)).is_some() {
                        let me = Actor { user_id: uid(u), connection: None };
                        let _ = apply(&engine, &mut room, now, &me, Command::HandRaise { raised, target: None });
                    }
                }
                Op::Promote(a, b) => {
                    let actor = Actor { user_id: uid(a), connection: None };
                    let _ = apply(&engine, &mut room, now, &actor, Command::SetRole { user: uid(b), role: Role::Moderator });
                }
            }
            // One seat per user.
            let mut ids: Vec<_> = room.participants.iter().map(|p| p.user_id.clone()).collect();
            ids.sort();
            ids.dedup();
            prop_assert_eq!(ids.len(), room.participants.len());
            // Raised hands belong to present participants, once each.
            for h in &room.hand_queue {
                prop_assert!(room.participant(&h.user_id).is_some());
            }
            let mut hands: Vec<_> = room.hand_queue.iter().map(|h| h.user_id.clone()).collect();
            hands.sort();
            hands.dedup();
            prop_assert_eq!(hands.len(), room.hand_queue.len());
            let can_lead = room.participants.iter().any(|p| p.role != Role::Viewer);
            if room.participants.is_empty() {
                had_host = false;
            }
            if had_host && can_lead {
                prop_assert!(room.participants.iter().any(|p| p.role == Role::Host),
                    "no host among {:?}", room.participants.iter().map(|p| (p.user_id.to_string(), p.role)).collect::<Vec<_>>());
            }
            had_host |= room.participants.iter().any(|p| p.role == Role::Host);
            // Nobody is both waiting and inside.
            for w in &room.waiting {
                prop_assert!(room.participant(&w.user_id).is_none());
            }
        }
    }
}
