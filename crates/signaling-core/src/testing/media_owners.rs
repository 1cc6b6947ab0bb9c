//! The [`MediaOwners`] suite: one instance at a time holds a room's
//! media, renewing keeps it, and a claim nobody renews lapses so another
//! instance takes the room. Cases wait for 300 ms claims to lapse.

use std::sync::Arc;
use std::time::Duration;

use crate::ports::MediaOwners;
use crate::{InstanceTag, RoomId};

/// Generates the [`MediaOwners`] suite; `$make` is an
/// `async fn() -> Arc<dyn MediaOwners>` giving an empty set of claims.
#[macro_export]
macro_rules! media_owners_suite {
    ($make:path) => {
        $crate::__port_suite_cases!(media_owners, $make;
            the_first_claim_wins_and_others_see_its_owner,
            concurrent_claims_give_the_room_to_exactly_one,
            renewing_keeps_a_claim_past_its_ttl_and_reports_lost_rooms,
            a_lapsed_claim_goes_to_the_next_claimant,
            release_frees_only_the_callers_claim,
        );
    };
}

const TTL_MS: u64 = 300;

fn room(name: &str) -> RoomId {
    RoomId::parse(name).expect("valid")
}

async fn lapse() {
    tokio::time::sleep(Duration::from_millis(TTL_MS + 150)).await;
}

/// Nobody owns a fresh room; the first claimant does, and later ones get
/// its tag back without taking the room.
pub async fn the_first_claim_wins_and_others_see_its_owner(o: Arc<dyn MediaOwners>) {
    let (a, b) = (InstanceTag(1), InstanceTag(2));
    let r = room("call");
    assert_eq!(o.owner(&r).await.unwrap(), None);
    assert_eq!(o.claim(&r, a, 60_000).await.unwrap(), a);
    assert_eq!(o.claim(&r, b, 60_000).await.unwrap(), a, "a holds it");
    assert_eq!(o.claim(&r, a, 60_000).await.unwrap(), a, "a again");
    assert_eq!(o.owner(&r).await.unwrap(), Some(a));
    assert_eq!(
        o.claim(&room("other"), b, 60_000).await.unwrap(),
        b,
        "claims are per room"
    );
}

/// Eight instances claim one room at once: all agree on one owner.
pub async fn concurrent_claims_give_the_room_to_exactly_one(o: Arc<dyn MediaOwners>) {
    let r = room("race");
    let claims = (1..=8u64).map(|i| {
        let (o, r) = (o.clone(), r.clone());
        tokio::spawn(async move { o.claim(&r, InstanceTag(i), 60_000).await.unwrap() })
    });
    let mut owners = Vec::new();
    for c in claims {
        owners.push(c.await.unwrap());
    }
    let first = owners[0];
    assert!(owners.iter().all(|o| *o == first), "{owners:?}");
    assert_eq!(o.owner(&r).await.unwrap(), Some(first));
}

/// A renewed claim outlives its first TTL; renewing names the rooms the
/// caller does not hold and takes none of them.
pub async fn renewing_keeps_a_claim_past_its_ttl_and_reports_lost_rooms(o: Arc<dyn MediaOwners>) {
    let (a, b) = (InstanceTag(1), InstanceTag(2));
    let (mine, theirs, nobodys) = (room("mine"), room("theirs"), room("nobodys"));
    o.claim(&mine, a, TTL_MS).await.unwrap();
    o.claim(&theirs, b, 60_000).await.unwrap();
    for _ in 0..4 {
        tokio::time::sleep(Duration::from_millis(TTL_MS / 2)).await;
        let lost = o
            .renew(a, &[mine.clone(), theirs.clone(), nobodys.clone()], TTL_MS)
            .await
            .unwrap();
        assert_eq!(lost, vec![theirs.clone(), nobodys.clone()]);
    }
    assert_eq!(o.owner(&mine).await.unwrap(), Some(a), "kept by renewing");
    assert_eq!(o.owner(&theirs).await.unwrap(), Some(b), "not taken");
    assert_eq!(o.owner(&nobodys).await.unwrap(), None, "not taken");
}

/// The holder stops renewing (it died): after the TTL the room has no
/// owner, the next claimant gets it, and the old holder's renewal says it
/// lost the room.
pub async fn a_lapsed_claim_goes_to_the_next_claimant(o: Arc<dyn MediaOwners>) {
    let (a, b) = (InstanceTag(1), InstanceTag(2));
    let r = room("failover");
    o.claim(&r, a, TTL_MS).await.unwrap();
    lapse().await;
    assert_eq!(o.owner(&r).await.unwrap(), None, "lapsed");
    assert_eq!(o.claim(&r, b, 60_000).await.unwrap(), b);
    assert_eq!(
        o.renew(a, std::slice::from_ref(&r), TTL_MS).await.unwrap(),
        vec![r.clone()]
    );
    assert_eq!(o.owner(&r).await.unwrap(), Some(b));
}

/// Releasing frees the caller's own claim at once; releasing someone
/// else's changes nothing.
pub async fn release_frees_only_the_callers_claim(o: Arc<dyn MediaOwners>) {
    let (a, b) = (InstanceTag(1), InstanceTag(2));
    let r = room("release");
    o.claim(&r, a, 60_000).await.unwrap();
    o.release(&r, b).await.unwrap();
    assert_eq!(o.owner(&r).await.unwrap(), Some(a), "b cannot release a's");
    o.release(&r, a).await.unwrap();
    assert_eq!(o.owner(&r).await.unwrap(), None);
    assert_eq!(o.claim(&r, b, 60_000).await.unwrap(), b);
}
