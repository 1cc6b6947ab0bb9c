//! The [`Analytics`] suite: listing, the summary, rooms kept apart, and
//! (for capped stores) the per-room cap.

use std::sync::Arc;

use crate::RoomId;
use crate::engine::AnalyticsRecord;
use crate::ports::{Analytics, AnalyticsSummary};

/// The cap a capped store under test must be built with.
pub const CAP: usize = 25;

/// Generates the [`Analytics`] suite; `$make` is an
/// `async fn() -> Arc<dyn Analytics>` giving an empty store. With
/// `cap: $capped`, also the cap case on a store from `$capped` built to
/// keep [`CAP`] events per room (memory and Redis; MongoDB bounds events
/// by retention instead).
#[macro_export]
macro_rules! analytics_suite {
    ($make:path) => {
        $crate::__port_suite_cases!(analytics, $make;
            list_gives_the_newest_events_oldest_first,
            summary_counts_types_people_and_the_mean_session,
            records_round_trip_and_rooms_are_apart,
        );
    };
    ($make:path, cap: $capped:path) => {
        $crate::analytics_suite!($make);
        $crate::__port_suite_cases!(analytics, $capped; a_capped_store_keeps_the_newest);
    };
}

/// Event `i` of `room`: a `custom` event by alice with `{"i": i}`, `i` ms
/// after the suite's epoch.
pub fn event(room: &str, i: usize) -> AnalyticsRecord {
    let mut data = serde_json::Map::new();
    data.insert("i".into(), i.into());
    AnalyticsRecord {
        room_id: room.to_owned(),
        user_id: "alice".into(),
        event_type: "custom".into(),
        timestamp: super::at_ms(i as i64),
        data,
    }
}

fn typed(user: &str, ty: &str, i: i64, secs: Option<i64>) -> AnalyticsRecord {
    let mut data = serde_json::Map::new();
    if let Some(s) = secs {
        data.insert("duration_seconds".into(), s.into());
    }
    AnalyticsRecord {
        room_id: "r".into(),
        user_id: user.into(),
        event_type: ty.into(),
        data,
        timestamp: super::at_ms(i * 1000),
    }
}

fn rid(s: &str) -> RoomId {
    RoomId::parse(s).expect("valid")
}

fn numbers(list: &[AnalyticsRecord]) -> Vec<u64> {
    list.iter()
        .map(|e| e.data["i"].as_u64().expect("numbered"))
        .collect()
}

/// `list(room, limit)` gives the newest `limit` events, oldest first.
pub async fn list_gives_the_newest_events_oldest_first(a: Arc<dyn Analytics>) {
    for i in 0..6 {
        a.record(&event("r", i)).await.unwrap();
    }
    assert_eq!(
        numbers(&a.list(&rid("r"), 100).await.unwrap()),
        [0, 1, 2, 3, 4, 5]
    );
    assert_eq!(
        numbers(&a.list(&rid("r"), 6).await.unwrap()),
        [0, 1, 2, 3, 4, 5]
    );
    assert_eq!(
        numbers(&a.list(&rid("r"), 2).await.unwrap()),
        [4, 5],
        "the newest two"
    );
    assert!(a.list(&rid("empty"), 10).await.unwrap().is_empty());
}

/// The summary counts events per type, distinct users, joins and leaves,
/// and the mean `duration_seconds` over leaves; an empty room's summary is
/// all zeros.
pub async fn summary_counts_types_people_and_the_mean_session(a: Arc<dyn Analytics>) {
    for e in [
        typed("a", "join", 0, None),
        typed("b", "join", 1, None),
        typed("a", "screen-share", 2, None),
        typed("a", "leave", 3, Some(30)),
        typed("b", "leave", 4, Some(60)),
        typed("c", "quality", 5, None),
    ] {
        a.record(&e).await.unwrap();
    }
    let s = a.summary(&rid("r")).await.unwrap();
    assert_eq!(
        (s.total_events, s.unique_participants, s.joins, s.leaves),
        (6, 3, 2, 2)
    );
    assert_eq!(s.average_session_seconds, 45.0);
    let by_type: Vec<(&str, u64)> = s
        .events_by_type
        .iter()
        .map(|(k, v)| (k.as_str(), *v))
        .collect();
    assert_eq!(
        by_type,
        [
            ("join", 2),
            ("leave", 2),
            ("quality", 1),
            ("screen-share", 1)
        ]
    );
    assert_eq!(
        a.summary(&rid("empty")).await.unwrap(),
        AnalyticsSummary::default()
    );
}

/// What is read back equals what was recorded, and each room has only its
/// own events.
pub async fn records_round_trip_and_rooms_are_apart(a: Arc<dyn Analytics>) {
    let mut rich = event("a", 1);
    rich.data
        .insert("nested".into(), serde_json::json!({"k": [1, "two", null]}));
    a.record(&event("a", 0)).await.unwrap();
    a.record(&rich).await.unwrap();
    a.record(&event("b", 2)).await.unwrap();
    assert_eq!(
        a.list(&rid("a"), 10).await.unwrap(),
        vec![event("a", 0), rich]
    );
    assert_eq!(a.list(&rid("b"), 10).await.unwrap(), vec![event("b", 2)]);
    assert_eq!(a.summary(&rid("b")).await.unwrap().total_events, 1);
}

/// A store built with a cap of [`CAP`] events per room keeps the newest.
pub async fn a_capped_store_keeps_the_newest(a: Arc<dyn Analytics>) {
    for i in 0..CAP + 5 {
        a.record(&event("capped", i)).await.unwrap();
    }
    a.record(&event("other", 0)).await.unwrap();
    let list = a.list(&rid("capped"), CAP * 2).await.unwrap();
    let want: Vec<u64> = (5..CAP as u64 + 5).collect();
    assert_eq!(numbers(&list), want, "the newest {CAP}, oldest first");
    assert_eq!(
        a.summary(&rid("capped")).await.unwrap().total_events,
        CAP as u64
    );
    assert_eq!(a.list(&rid("other"), 10).await.unwrap().len(), 1);
}
