//! `RoomService` in isolation: the room store and the event bus are
//! `mockall` mocks that assert the calls the service makes (the retry on a
//! `Conflict`, no publish before or without the write); every other port
//! is the real in-memory one.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use auth::Role;
use mockall::{Sequence, mock};
use signaling_core::engine::JoinRequest;
use signaling_core::ports::{BusEvent, BusKind, EventBus, EventSink, RoomStore, Saved, Versioned};
use signaling_core::room::Room;
use signaling_core::{
    Actor, Command, ConnectionId, Engine, ErrorCode, PortError, Ports, RoomConfig, RoomId,
    RoomService, UserId,
};

mock! {
    Store {}
    #[async_trait]
    impl RoomStore for Store {
        async fn load(&self, id: &RoomId) -> Result<Option<Versioned>, PortError>;
        async fn save(&self, room: &Room, expected: Option<u64>) -> Result<Saved, PortError>;
        async fn delete(&self, id: &RoomId, expected: u64) -> Result<Saved, PortError>;
        async fn list(&self) -> Result<Vec<RoomId>, PortError>;
    }
}

mock! {
    Bus {}
    #[async_trait]
    impl EventBus for Bus {
        async fn publish(&self, event: BusEvent) -> Result<(), PortError>;
        fn subscribe(&self, sink: Arc<dyn EventSink>);
    }
}

fn rid() -> RoomId {
    RoomId::parse("mocked").unwrap()
}

fn alice() -> UserId {
    UserId::parse("alice").unwrap()
}

fn host() -> Actor {
    Actor {
        user_id: alice(),
        connection: None,
    }
}

/// The adapter's failure; one place, so a change of `PortError`'s shape
/// touches one line.
fn down() -> PortError {
    PortError::unavailable("store down")
}

/// A stored room with alice in it as host, made by a real service on
/// memory ports: what the mocked store will hand out.
async fn stored_room() -> Versioned {
    let real = RoomService::new(Engine::new(RoomConfig::default()), Ports::in_memory());
    let req = JoinRequest {
        user_id: alice(),
        name: Some("Alice".into()),
        role: Some(Role::Host),
        permissions: None,
        connection: ConnectionId::new(),
    };
    real.join(&rid(), req).await.unwrap();
    real.ports().rooms.load(&rid()).await.unwrap().unwrap()
}

fn service(store: impl RoomStore + 'static, bus: impl EventBus + 'static) -> RoomService {
    let mut ports = Ports::in_memory();
    ports.rooms = Arc::new(store);
    ports.bus = Arc::new(bus);
    RoomService::new(Engine::new(RoomConfig::default()), ports)
}

fn is_metadata_update(e: &BusEvent, text: &str) -> bool {
    matches!(&e.kind, BusKind::Deliver { payload, .. }
        if payload.contains("room-metadata-update") && payload.contains(text))
}

/// Two conflicting writes, then one that lands: the step is run again on
/// a fresh load each time, and the one delivery goes out exactly once,
/// after the write that landed.
#[tokio::test]
async fn a_conflict_twice_retries_the_step_and_publishes_once_after_the_write() {
    let v = stored_room().await;
    let version = v.version;
    let mut store = MockStore::new();
    let mut bus = MockBus::new();
    let mut order = Sequence::new();
    let written: Arc<Mutex<Vec<Room>>> = Arc::default();
    for attempt in 0..3 {
        let v = v.clone();
        store
            .expect_load()
            .times(1)
            .in_sequence(&mut order)
            .returning(move |_| Ok(Some(v.clone())));
        let written = written.clone();
        store
            .expect_save()
            .withf(move |room, expected| room.metadata == "agenda" && *expected == Some(version))
            .times(1)
            .in_sequence(&mut order)
            .returning(move |room, _| {
                written.lock().unwrap().push(room.clone());
                Ok(if attempt < 2 {
                    Saved::Conflict
                } else {
                    Saved::Ok
                })
            });
    }
    bus.expect_publish()
        .withf(|e| is_metadata_update(e, "agenda"))
        .times(1)
        .in_sequence(&mut order)
        .returning(|_| Ok(()));
    let s = service(store, bus);

    s.execute(&rid(), &host(), Command::SetMetadata("agenda".into()))
        .await
        .expect("the third write lands");

    let attempts = written.lock().unwrap().len();
    assert_eq!(attempts, 3, "the engine step ran once per attempt");
    assert_eq!(s.latest_sequence(&rid()).await.unwrap(), 1, "logged once");
    // The mocks verify on drop: three loads and saves, then one publish.
}

/// A store that cannot write: the caller gets `SERVICE_UNAVAILABLE` and
/// nothing is published, logged for replay, or retried.
#[tokio::test]
async fn a_failed_write_is_service_unavailable_and_publishes_nothing() {
    let v = stored_room().await;
    let mut store = MockStore::new();
    let mut bus = MockBus::new();
    store
        .expect_load()
        .times(1)
        .returning(move |_| Ok(Some(v.clone())));
    store.expect_save().times(1).returning(|_, _| Err(down()));
    bus.expect_publish().never();
    let s = service(store, bus);

    let e = s
        .execute(&rid(), &host(), Command::SetMetadata("agenda".into()))
        .await
        .unwrap_err();

    assert_eq!(e.code, ErrorCode::ServiceUnavailable);
    assert_eq!(
        s.latest_sequence(&rid()).await.unwrap(),
        0,
        "nothing logged"
    );
}

/// The bus fails after the write: the change stands (a later read shows
/// it), the caller is told the action succeeded, and the delivery is in
/// the replay log, so a client that resumes still gets it.
#[tokio::test]
async fn a_bus_failure_after_the_write_leaves_the_change_standing() {
    let v = stored_room().await;
    let store = signaling_core::memory::MemoryRoomStore::default();
    store.save(&v.room, None).await.unwrap();
    let mut bus = MockBus::new();
    bus.expect_publish()
        .withf(|e| is_metadata_update(e, "agenda"))
        .times(1)
        .returning(|_| Err(down()));
    let s = service(store, bus);

    s.execute(&rid(), &host(), Command::SetMetadata("agenda".into()))
        .await
        .expect("a lost publish does not fail the action");

    assert_eq!(s.room(&rid()).await.unwrap().metadata, "agenda");
    assert_eq!(s.latest_sequence(&rid()).await.unwrap(), 1, "replayable");
}

fn reaction() -> Command {
    Command::Reaction(signaling_core::protocol::ReactionSend {
        emoji: "👍".into(),
        message_id: None,
        active: true,
    })
}

fn is_reaction(e: &BusEvent) -> bool {
    matches!(&e.kind, BusKind::Deliver { payload, .. } if payload.contains("\"reaction\""))
}

/// Commands that change nothing run on the instance's local view: three
/// reactions cost one load of the shared store, and their events carry no
/// version (they follow no write).
#[tokio::test]
async fn relays_run_on_the_local_view_with_one_load() {
    let v = stored_room().await;
    let mut store = MockStore::new();
    let mut bus = MockBus::new();
    store
        .expect_load()
        .times(1)
        .returning(move |_| Ok(Some(v.clone())));
    bus.expect_publish()
        .withf(|e| is_reaction(e) && e.version.is_none())
        .times(3)
        .returning(|_| Ok(()));
    let s = service(store, bus);
    for _ in 0..3 {
        s.execute(&rid(), &host(), reaction()).await.unwrap();
    }
}

/// Another instance's write, announced on the bus with the room's new
/// version, retires the view: the next relay loads again and sees the
/// change (here a member who lost the right to react is refused at once).
#[tokio::test]
async fn an_announced_write_retires_the_view() {
    let real = RoomService::new(Engine::new(RoomConfig::default()), Ports::in_memory());
    let store = real.ports().rooms.clone();
    let bus = real.ports().bus.clone();
    let bob = UserId::parse("bob").unwrap();
    for (user, role) in [(alice(), Role::Host), (bob.clone(), Role::Participant)] {
        let req = JoinRequest {
            user_id: user,
            name: None,
            role: Some(role),
            permissions: None,
            connection: ConnectionId::new(),
        };
        real.join(&rid(), req).await.unwrap();
    }
    // A second instance on the same store and bus.
    let mut ports = Ports::in_memory();
    ports.rooms = store;
    ports.bus = bus;
    let other = RoomService::new(Engine::new(RoomConfig::default()), ports);
    struct Nobody;
    impl EventSink for Nobody {
        fn deliver(&self, _: &BusEvent) {}
    }
    other.subscribe(Arc::new(Nobody));
    let bob_actor = Actor {
        user_id: bob.clone(),
        connection: None,
    };
    other.execute(&rid(), &bob_actor, reaction()).await.unwrap();
    assert_eq!(other.views().len(), 1, "the relay left a view");
    // The host, on the first instance, takes bob's right to react.
    real.execute(
        &rid(),
        &host(),
        Command::SetPermissions {
            user: bob.clone(),
            patch: auth::PermissionsPatch {
                can_react: Some(false),
                ..Default::default()
            },
        },
    )
    .await
    .unwrap();
    let e = other
        .execute(&rid(), &bob_actor, reaction())
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::PermissionDenied);
}

/// An event log that gets one more event appended right after a read, as
/// when another instance appends while a client resumes.
struct AppendsAfterRead(reconnection::MemoryEventLog);

#[async_trait]
impl reconnection::EventLog for AppendsAfterRead {
    async fn append(
        &self,
        room: &str,
        now_ms: i64,
        audience: Vec<String>,
        payload: String,
    ) -> Result<u64, PortError> {
        self.0.append(room, now_ms, audience, payload).await
    }
    async fn since(
        &self,
        room: &str,
        now_ms: i64,
        last_seen: u64,
    ) -> Result<reconnection::Replay, PortError> {
        let read = self.0.since(room, now_ms, last_seen).await;
        let late = r#"{"type":"chat-message","message":"late"}"#.to_owned();
        self.0
            .append(room, now_ms, vec!["alice".into()], late)
            .await?;
        read
    }
    async fn latest(&self, room: &str) -> Result<u64, PortError> {
        self.0.latest(room).await
    }
    async fn clear(&self, room: &str) -> Result<(), PortError> {
        self.0.clear(room).await
    }
    async fn redact(&self, room: &str, needle: &str, with: &str) -> Result<usize, PortError> {
        self.0.redact(room, needle, with).await
    }
}

/// A replay covers what it read, not an event appended after the read:
/// that one comes in the next replay (or live), never counted as sent.
#[tokio::test]
async fn a_replay_does_not_cover_an_event_appended_after_its_read() {
    let mut ports = Ports::in_memory();
    ports.log = Arc::new(AppendsAfterRead(reconnection::MemoryEventLog::default()));
    let s = RoomService::new(Engine::new(RoomConfig::default()), ports);
    for (user, conn) in [("alice", ConnectionId::new()), ("bob", ConnectionId::new())] {
        let req = JoinRequest {
            user_id: UserId::parse(user).unwrap(),
            name: None,
            role: Some(Role::Host),
            permissions: None,
            connection: conn,
        };
        s.join(&rid(), req).await.unwrap();
    }
    let first = s.replay(&rid(), &host(), 0).await.unwrap();
    let signaling_core::ReplayOutcome::Events { events, latest } = first else {
        panic!("events expected")
    };
    let newest_read = events.last().map(|e| e.0).unwrap();
    assert_eq!(latest, newest_read, "covers only what it sent");
    let again = s.replay(&rid(), &host(), latest).await.unwrap();
    let signaling_core::ReplayOutcome::Events { events, .. } = again else {
        panic!("events expected")
    };
    assert!(events[0].1.contains("late"), "{events:?}");
}
