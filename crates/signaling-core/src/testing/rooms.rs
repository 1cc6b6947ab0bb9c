//! The [`RoomStore`] suite: compare-and-swap saves and deletes on the
//! room's version, versions never reused, listing.

use std::sync::Arc;

use crate::ports::{RoomStore, Saved};
use crate::room::Room;
use crate::{Engine, RoomConfig, RoomId};

/// Generates the [`RoomStore`] suite; `$make` is an
/// `async fn() -> Arc<dyn RoomStore>` giving an empty store.
#[macro_export]
macro_rules! room_store_suite {
    ($make:path) => {
        $crate::__port_suite_cases!(rooms, $make;
            save_is_compare_and_swap_on_the_version,
            delete_is_compare_and_swap_and_a_missing_room_is_deleted_already,
            a_recreated_room_never_reuses_a_version,
            list_names_the_rooms_that_exist,
            concurrent_read_modify_write_loses_no_update,
        );
    };
}

fn id(s: &str) -> RoomId {
    RoomId::parse(s).expect("valid room id")
}

/// A fresh room `name`, as the engine makes one.
pub fn room(name: &str) -> Room {
    Engine::new(RoomConfig::default()).new_room(id(name), super::at_ms(0))
}

/// `None` creates, `Some(v)` replaces version `v`; any other expectation
/// is a `Conflict` that changes nothing. Versions count up from 1.
pub async fn save_is_compare_and_swap_on_the_version(s: Arc<dyn RoomStore>) {
    let rid = id("r1");
    assert!(s.load(&rid).await.unwrap().is_none());
    let mut r = room("r1");
    assert_eq!(
        s.save(&r, Some(1)).await.unwrap(),
        Saved::Conflict,
        "absent"
    );
    assert!(s.load(&rid).await.unwrap().is_none());
    assert_eq!(s.save(&r, None).await.unwrap(), Saved::Ok);
    let v = s.load(&rid).await.unwrap().expect("saved");
    assert_eq!((v.version, &*v.room), (1, &r), "the room round-trips");
    assert_eq!(s.save(&r, None).await.unwrap(), Saved::Conflict, "exists");
    r.next_local_id = 7;
    assert_eq!(s.save(&r, Some(1)).await.unwrap(), Saved::Ok);
    let mut stale = r.clone();
    stale.next_local_id = 99;
    assert_eq!(
        s.save(&stale, Some(1)).await.unwrap(),
        Saved::Conflict,
        "stale"
    );
    assert_eq!(
        s.save(&stale, Some(3)).await.unwrap(),
        Saved::Conflict,
        "ahead"
    );
    let v = s.load(&rid).await.unwrap().expect("kept");
    assert_eq!(v.version, 2);
    assert_eq!(v.room.next_local_id, 7, "a conflict writes nothing");
}

/// A delete at the wrong version is a `Conflict` and keeps the room; at
/// the right one the room is gone. Deleting an absent room is `Ok`.
pub async fn delete_is_compare_and_swap_and_a_missing_room_is_deleted_already(
    s: Arc<dyn RoomStore>,
) {
    let rid = id("r1");
    assert_eq!(s.delete(&rid, 1).await.unwrap(), Saved::Ok, "never existed");
    let r = room("r1");
    s.save(&r, None).await.unwrap();
    s.save(&r, Some(1)).await.unwrap();
    assert_eq!(s.delete(&rid, 1).await.unwrap(), Saved::Conflict);
    assert_eq!(s.load(&rid).await.unwrap().expect("kept").version, 2);
    assert_eq!(s.delete(&rid, 2).await.unwrap(), Saved::Ok);
    assert!(s.load(&rid).await.unwrap().is_none());
    assert_eq!(s.delete(&rid, 2).await.unwrap(), Saved::Ok, "twice");
}

/// A deleted room keeps its version: a writer that read it before the
/// delete can match neither the deleted room nor a recreated one.
pub async fn a_recreated_room_never_reuses_a_version(s: Arc<dyn RoomStore>) {
    let rid = id("r1");
    let r = room("r1");
    s.save(&r, None).await.unwrap();
    s.save(&r, Some(1)).await.unwrap();
    s.save(&r, Some(2)).await.unwrap();
    assert_eq!(s.delete(&rid, 3).await.unwrap(), Saved::Ok);
    assert_eq!(
        s.save(&r, Some(3)).await.unwrap(),
        Saved::Conflict,
        "a stale writer cannot resurrect a deleted room"
    );
    assert_eq!(s.save(&r, None).await.unwrap(), Saved::Ok, "recreated");
    let v = s.load(&rid).await.unwrap().expect("recreated");
    assert_eq!(v.version, 4, "the version continues after the delete");
    for stale in 1..=3 {
        assert_eq!(s.save(&r, Some(stale)).await.unwrap(), Saved::Conflict);
    }
}

/// `list` names exactly the rooms that exist.
pub async fn list_names_the_rooms_that_exist(s: Arc<dyn RoomStore>) {
    assert!(s.list().await.unwrap().is_empty());
    for name in ["a", "b", "c"] {
        s.save(&room(name), None).await.unwrap();
    }
    assert_eq!(s.delete(&id("b"), 1).await.unwrap(), Saved::Ok);
    let mut names: Vec<String> = s
        .list()
        .await
        .unwrap()
        .iter()
        .map(|r| r.to_string())
        .collect();
    names.sort();
    assert_eq!(names, ["a", "c"]);
}

/// Twenty concurrent load-change-save loops, retrying on `Conflict`: every
/// change lands once, and the version counts every write.
pub async fn concurrent_read_modify_write_loses_no_update(s: Arc<dyn RoomStore>) {
    let start = room("hot").next_local_id;
    s.save(&room("hot"), None).await.unwrap();
    let rid = id("hot");
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let (s, rid) = (s.clone(), rid.clone());
        set.spawn(async move {
            loop {
                let v = s.load(&rid).await.unwrap().expect("exists");
                let mut r = (*v.room).clone();
                r.next_local_id += 1;
                if s.save(&r, Some(v.version)).await.unwrap() == Saved::Ok {
                    return;
                }
                tokio::task::yield_now().await;
            }
        });
    }
    while let Some(r) = set.join_next().await {
        r.unwrap();
    }
    let v = s.load(&rid).await.unwrap().expect("exists");
    assert_eq!(v.room.next_local_id, start + 20);
    assert_eq!(v.version, 21);
}
