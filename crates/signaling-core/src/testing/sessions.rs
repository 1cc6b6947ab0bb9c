//! The [`RoomSessions`] suite: one open session per room, its
//! participants, its end, newest-first listing.

use std::sync::Arc;

use crate::ports::RoomSessions;
use crate::{RoomId, UserId};

/// Generates the [`RoomSessions`] suite; `$make` is an
/// `async fn() -> Arc<dyn RoomSessions>` giving an empty store.
#[macro_export]
macro_rules! room_sessions_suite {
    ($make:path) => {
        $crate::__port_suite_cases!(sessions, $make;
            a_session_opens_once_collects_participants_and_ends,
            list_is_newest_first_limited_and_per_room,
            without_an_open_session_joins_and_ends_change_nothing,
        );
    };
}

fn rid(s: &str) -> RoomId {
    RoomId::parse(s).expect("valid")
}

fn user(s: &str) -> UserId {
    UserId::parse(s).expect("valid")
}

fn at(secs: i64) -> time::OffsetDateTime {
    super::at_ms(secs * 1000)
}

/// A second `started` keeps the open session; each participant is listed
/// once, in order of first join; `ended` closes it with its length.
pub async fn a_session_opens_once_collects_participants_and_ends(s: Arc<dyn RoomSessions>) {
    let r = rid("room");
    s.started(&r, at(0)).await.unwrap();
    s.started(&r, at(1)).await.unwrap();
    for u in ["alice", "bob", "alice"] {
        s.joined(&r, &user(u)).await.unwrap();
    }
    let open = s.list(&r, 10).await.unwrap();
    assert_eq!(open.len(), 1, "one open session");
    assert_eq!(open[0].started_at, at(0));
    assert_eq!((open[0].ended_at, open[0].duration_seconds), (None, None));
    assert_eq!(open[0].participants, ["alice", "bob"]);
    s.ended(&r, at(90)).await.unwrap();
    let done = &s.list(&r, 10).await.unwrap()[0];
    assert_eq!(done.room_id, "room");
    assert_eq!(
        (done.ended_at, done.duration_seconds),
        (Some(at(90)), Some(90))
    );
}

/// Sessions come newest first, at most `limit`, only the room's own.
pub async fn list_is_newest_first_limited_and_per_room(s: Arc<dyn RoomSessions>) {
    let r = rid("room");
    for i in 0..3 {
        s.started(&r, at(i * 100)).await.unwrap();
        s.joined(&r, &user(&format!("u{i}"))).await.unwrap();
        s.ended(&r, at(i * 100 + 10)).await.unwrap();
    }
    s.started(&rid("other"), at(5)).await.unwrap();
    let all = s.list(&r, 10).await.unwrap();
    let starts: Vec<_> = all.iter().map(|x| x.started_at).collect();
    assert_eq!(starts, [at(200), at(100), at(0)]);
    assert_eq!(all[0].participants, ["u2"], "a new life starts empty");
    assert_eq!(s.list(&r, 2).await.unwrap().len(), 2);
    assert_eq!(s.list(&rid("other"), 10).await.unwrap().len(), 1);
    assert!(s.list(&rid("never"), 10).await.unwrap().is_empty());
}

/// `joined` and `ended` for a room with no open session are no-ops.
pub async fn without_an_open_session_joins_and_ends_change_nothing(s: Arc<dyn RoomSessions>) {
    let r = rid("room");
    s.joined(&r, &user("alice")).await.unwrap();
    s.ended(&r, at(5)).await.unwrap();
    assert!(s.list(&r, 10).await.unwrap().is_empty());
    s.started(&r, at(10)).await.unwrap();
    s.ended(&r, at(20)).await.unwrap();
    s.joined(&r, &user("late")).await.unwrap();
    s.ended(&r, at(30)).await.unwrap();
    let list = s.list(&r, 10).await.unwrap();
    assert_eq!(list.len(), 1);
    assert!(list[0].participants.is_empty(), "joined after the end");
    assert_eq!(list[0].ended_at, Some(at(20)), "ended once");
}
