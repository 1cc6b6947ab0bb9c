//! Any frame a client can send: decoded, then (if it decodes) handled by
//! the room engine for a member of a busy room. Nothing may panic, and the
//! room's invariants hold afterwards.
#![no_main]

use libfuzzer_sys::fuzz_target;
use signaling_core::engine::{Actor, Engine, JoinRequest};
use signaling_core::{ConnectionId, RoomConfig, RoomId, UserId, protocol};
use time::OffsetDateTime;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(msg) = protocol::decode(text) else {
        return;
    };
    let engine = Engine {
        config: RoomConfig::default(),
    };
    let now = OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap();
    let mut room = engine.new_room(RoomId::parse("fuzz").unwrap(), now);
    let mut conn = None;
    for (i, user) in ["alice", "bob", "carol", "dave"].iter().enumerate() {
        let c = ConnectionId::new();
        if i == 1 {
            conn = Some(c);
        }
        let req = JoinRequest {
            user_id: UserId::parse(user).unwrap(),
            name: Some((*user).into()),
            role: None,
            permissions: None,
            connection: c,
        };
        engine.join(&mut room, now, req).expect("joins");
    }
    // Bob (a participant) sends it; then Alice (the host) does.
    for (user, connection) in [("bob", conn), ("alice", None)] {
        let actor = Actor {
            user_id: UserId::parse(user).unwrap(),
            connection,
        };
        // As the service applies it: the room changes only on success.
        let mut next = std::borrow::Cow::Borrowed(&room);
        if engine
            .apply(&mut next, now, &actor, msg.clone().into())
            .is_ok()
        {
            room = next.into_owned();
        }
        assert!(room.participants.len() <= room.settings.max_participants.max(4) as usize);
        let mut ids: Vec<_> = room
            .participants
            .iter()
            .map(|p| p.user_id.clone())
            .collect();
        ids.sort();
        ids.dedup();
        assert_eq!(
            ids.len(),
            room.participants.len(),
            "a user is in the room twice"
        );
        assert!(
            room.participants.iter().any(|p| p.role == auth::Role::Host)
                || room.participants.is_empty(),
            "the room lost its host"
        );
        let json = serde_json::to_string(&room).expect("the room serializes");
        let _: signaling_core::room::Room = serde_json::from_str(&json).expect("and reads back");
    }
});
