//! The [`InstanceRegistry`] suite: heartbeats keep an instance alive; a
//! dead one is handed, with the connections it still tracked, to exactly
//! one survivor. Cases wait for one-second heartbeats to lapse.

use std::sync::Arc;
use std::time::Duration;

use crate::ports::{InstanceRegistry, TrackedConnection};
use crate::{ConnectionId, RoomId, UserId};

/// Generates the [`InstanceRegistry`] suite; `$make` is an
/// `async fn() -> Arc<dyn InstanceRegistry>` giving an empty registry.
#[macro_export]
macro_rules! instance_registry_suite {
    ($make:path) => {
        $crate::__port_suite_cases!(instances, $make;
            live_instances_and_the_caller_are_never_claimed,
            a_dead_instance_goes_to_exactly_one_survivor_with_its_connections,
            a_heartbeat_keeps_an_instance_alive_past_its_first_ttl,
        );
    };
}

/// A connection of `user` in `room`.
pub fn tracked(room: &str, user: &str) -> TrackedConnection {
    TrackedConnection {
        room_id: RoomId::parse(room).expect("valid"),
        user_id: UserId::parse(user).expect("valid"),
        connection: ConnectionId::new(),
    }
}

async fn lapse() {
    tokio::time::sleep(Duration::from_millis(1_200)).await;
}

/// An instance within its TTL is not dead, and nobody claims itself.
pub async fn live_instances_and_the_caller_are_never_claimed(r: Arc<dyn InstanceRegistry>) {
    r.heartbeat("a", 30).await.unwrap();
    r.heartbeat("b", 1).await.unwrap();
    r.track("b", &tracked("room", "u1")).await.unwrap();
    assert!(r.claim_dead("a").await.unwrap().is_empty(), "b is alive");
    lapse().await;
    assert!(
        r.claim_dead("b").await.unwrap().is_empty(),
        "b does not claim itself, and a is alive"
    );
    let claims = r.claim_dead("a").await.unwrap();
    assert_eq!(claims.len(), 1, "b is still there to claim");
}

/// Two survivors race for a dead instance: one gets it with exactly the
/// connections still tracked, the other nothing, and it is forgotten.
pub async fn a_dead_instance_goes_to_exactly_one_survivor_with_its_connections(
    r: Arc<dyn InstanceRegistry>,
) {
    r.heartbeat("a", 30).await.unwrap();
    r.heartbeat("c", 30).await.unwrap();
    r.heartbeat("b", 1).await.unwrap();
    let (kept, gone) = (tracked("room", "u1"), tracked("room", "u2"));
    let elsewhere = tracked("other", "u3");
    r.track("b", &kept).await.unwrap();
    r.track("b", &gone).await.unwrap();
    r.track("b", &elsewhere).await.unwrap();
    r.track("a", &tracked("room", "u4")).await.unwrap();
    r.untrack("b", gone.connection).await.unwrap();
    lapse().await;
    let (x, y) = tokio::join!(r.claim_dead("a"), r.claim_dead("c"));
    let (x, y) = (x.unwrap(), y.unwrap());
    assert!(x.is_empty() || y.is_empty(), "claimed twice: {x:?} {y:?}");
    let mut claims = x;
    claims.extend(y);
    assert_eq!(claims.len(), 1, "{claims:?}");
    let (dead, mut conns) = claims.pop().expect("one claim");
    assert_eq!(dead, "b");
    conns.sort_by_key(|c| c.user_id.to_string());
    assert_eq!(conns, vec![kept, elsewhere]);
    assert!(r.claim_dead("a").await.unwrap().is_empty(), "claimed once");
    assert!(r.claim_dead("c").await.unwrap().is_empty());
}

/// Heartbeating again before the TTL runs out keeps the instance alive.
pub async fn a_heartbeat_keeps_an_instance_alive_past_its_first_ttl(r: Arc<dyn InstanceRegistry>) {
    r.heartbeat("b", 1).await.unwrap();
    r.heartbeat("b", 30).await.unwrap();
    lapse().await;
    assert!(r.claim_dead("a").await.unwrap().is_empty());
}
