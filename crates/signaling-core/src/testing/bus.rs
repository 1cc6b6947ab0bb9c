//! The [`EventBus`] suite: what one instance publishes reaches every
//! subscribed instance, itself included, whole and in order.

use std::sync::{Arc, Mutex};

use crate::ports::{BusEvent, BusKind, EventBus, EventSink};
use crate::{Audience, ConnectionId, ErrorCode, InstanceTag, RoomId, UserId};

/// Generates the [`EventBus`] suite; `$make` is an
/// `async fn() -> (Arc<dyn EventBus>, Arc<dyn EventBus>)` giving two
/// instances' handles on one fresh bus (for an in-process bus, the same
/// one twice).
#[macro_export]
macro_rules! event_bus_suite {
    ($make:path) => {
        $crate::__port_suite_cases!(bus, $make;
            a_publish_reaches_every_subscribed_instance_once,
            events_arrive_whole_and_in_order,
            a_publish_to_one_instance_reaches_only_it_in_order,
            a_burst_to_one_instance_arrives_whole_and_in_order,
        );
    };
}

/// A sink that keeps what it is given.
#[derive(Default)]
pub struct Collect(pub Mutex<Vec<BusEvent>>);

impl EventSink for Collect {
    fn deliver(&self, event: &BusEvent) {
        self.0.lock().expect("lock").push(event.clone());
    }
}

impl Collect {
    fn take(&self) -> Vec<BusEvent> {
        std::mem::take(&mut *self.0.lock().expect("lock"))
    }

    fn len(&self) -> usize {
        self.0.lock().expect("lock").len()
    }
}

/// A delivery of `payload` in `room`.
pub fn deliver(room: &str, payload: &str) -> BusEvent {
    BusEvent {
        room_id: RoomId::parse(room).expect("valid"),
        kind: BusKind::Deliver {
            to: Audience::Users(vec![UserId::parse("u").expect("valid")]),
            payload: payload.into(),
            seq: None,
        },
        version: None,
        origin: None,
    }
}

/// Subscribes a sink on each handle and waits until both hear a probe
/// (a remote subscription may take a moment to start).
async fn subscribed(a: &dyn EventBus, b: &dyn EventBus) -> (Arc<Collect>, Arc<Collect>) {
    let (sa, sb) = (Arc::new(Collect::default()), Arc::new(Collect::default()));
    a.subscribe(sa.clone());
    b.subscribe(sb.clone());
    for _ in 0..100 {
        a.publish(deliver("probe", "probe")).await.unwrap();
        if super::eventually(0, || sa.len() > 0 && sb.len() > 0).await {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(sa.len() > 0 && sb.len() > 0, "subscriptions never started");
    // Late probes may still be on their way.
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    sa.take();
    sb.take();
    (sa, sb)
}

/// An event published on one handle reaches the sinks of both, once.
pub async fn a_publish_reaches_every_subscribed_instance_once(
    (a, b): (Arc<dyn EventBus>, Arc<dyn EventBus>),
) {
    let (sa, sb) = subscribed(&*a, &*b).await;
    b.publish(deliver("r", "hello")).await.unwrap();
    assert!(super::eventually(2, || sa.len() >= 1 && sb.len() >= 1).await);
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    assert_eq!(sa.take(), vec![deliver("r", "hello")], "the other instance");
    assert_eq!(sb.take(), vec![deliver("r", "hello")], "the publisher too");
}

/// Every kind of event arrives equal to what was published, and one
/// publisher's events arrive in the order it published them.
pub async fn events_arrive_whole_and_in_order((a, b): (Arc<dyn EventBus>, Arc<dyn EventBus>)) {
    let (_sa, sb) = subscribed(&*a, &*b).await;
    let mut sent = vec![BusEvent {
        room_id: RoomId::parse("r").expect("valid"),
        kind: BusKind::Disconnect {
            connection: ConnectionId::new(),
            code: ErrorCode::RoomClosed,
        },
        version: Some(7),
        origin: Some(InstanceTag(3)),
    }];
    sent.push(BusEvent {
        room_id: RoomId::parse("r").expect("valid"),
        kind: BusKind::Deliver {
            to: Audience::Connection(ConnectionId::new()),
            payload: r#"{"seq":12,"type":"chat-message","n":"é\n"}"#.into(),
            seq: Some(12),
        },
        version: None,
        origin: None,
    });
    sent.push(BusEvent {
        room_id: RoomId::parse("r").expect("valid"),
        kind: BusKind::RoomChanged,
        version: Some(8),
        origin: None,
    });
    sent.extend((0..20).map(|i| deliver("r", &format!("m{i}"))));
    for e in &sent {
        a.publish(e.clone()).await.unwrap();
    }
    assert!(super::eventually(3, || sb.len() >= sent.len()).await);
    assert_eq!(sb.take(), sent);
}

/// An event published to one instance reaches that instance's sink and no
/// other; mixed with events published to all, one publisher's events still
/// arrive in the order it published them.
pub async fn a_publish_to_one_instance_reaches_only_it_in_order(
    (a, b): (Arc<dyn EventBus>, Arc<dyn EventBus>),
) {
    let (ta, tb) = (InstanceTag::random(), InstanceTag::random());
    let (sa, sb) = (Arc::new(Collect::default()), Arc::new(Collect::default()));
    a.subscribe_as(ta, sa.clone());
    b.subscribe_as(tb, sb.clone());
    for _ in 0..100 {
        a.publish_to(ta, deliver("probe", "probe-a")).await.unwrap();
        a.publish_to(tb, deliver("probe", "probe-b")).await.unwrap();
        if super::eventually(0, || sa.len() > 0 && sb.len() > 0).await {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(sa.len() > 0 && sb.len() > 0, "subscriptions never started");
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    assert!(sa.take().iter().all(|e| *e == deliver("probe", "probe-a")));
    assert!(sb.take().iter().all(|e| *e == deliver("probe", "probe-b")));

    let sent = [
        deliver("r", "all-1"),
        deliver("r", "b-only-1"),
        deliver("r", "all-2"),
        deliver("r", "b-only-2"),
    ];
    for e in &sent {
        if matches!(&e.kind, BusKind::Deliver { payload, .. } if payload.starts_with("b-only")) {
            a.publish_to(tb, e.clone()).await.unwrap();
        } else {
            a.publish(e.clone()).await.unwrap();
        }
    }
    assert!(super::eventually(3, || sb.len() >= sent.len()).await);
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    assert_eq!(sb.take(), sent, "b gets everything, in order");
    assert_eq!(
        sa.take(),
        [deliver("r", "all-1"), deliver("r", "all-2")],
        "a gets only what went to all"
    );
}

/// A burst (a busy instance relaying to another: thousands of events, some
/// large, to one instance, mixed with events to all) arrives whole and in
/// the order it was published. An adapter that packs neighbouring events
/// into one message must keep both.
pub async fn a_burst_to_one_instance_arrives_whole_and_in_order(
    (a, b): (Arc<dyn EventBus>, Arc<dyn EventBus>),
) {
    let tb = InstanceTag::random();
    let sb = Arc::new(Collect::default());
    b.subscribe_as(tb, sb.clone());
    for _ in 0..100 {
        a.publish_to(tb, deliver("probe", "probe")).await.unwrap();
        if super::eventually(0, || sb.len() > 0).await {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(sb.len() > 0, "the subscription never started");
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    sb.take();

    let big = "x".repeat(40 * 1024);
    let sent: Vec<BusEvent> = (0..3000)
        .map(|i| match i % 500 {
            7 => deliver("r", &format!("{i}:{big}")),
            13 => BusEvent {
                room_id: RoomId::parse("r").expect("valid"),
                kind: BusKind::RoomChanged,
                version: Some(i),
                origin: None,
            },
            _ => deliver("r", &format!("m{i}")),
        })
        .collect();
    for e in &sent {
        if matches!(e.kind, BusKind::RoomChanged) {
            a.publish(e.clone()).await.unwrap();
        } else {
            a.publish_to(tb, e.clone()).await.unwrap();
        }
    }
    assert!(super::eventually(5, || sb.len() >= sent.len()).await);
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    assert!(sb.take() == sent, "every event, in order");
}
