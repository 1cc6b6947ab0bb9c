//! Each job on the in-memory ports with a hand-moved clock: what it
//! changes that a user or an operator would notice.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use kernel::{ManualClock, PortError};
use mockall::mock;
use mockall::predicate::eq;
use recording::{Format, JobQueue, Quality, Recording};
use signaling_core::memory::MemoryChatHistory;
use signaling_core::ports::{ChatHistory, ChatPage, TrackedConnection};
use signaling_core::protocol::ChatRecord;
use signaling_core::quota::keys::RECORDING_SLOTS;
use signaling_core::{Engine, JoinRequest, Ports, RoomConfig};
use time::OffsetDateTime;

use super::*;

fn start() -> OffsetDateTime {
    OffsetDateTime::UNIX_EPOCH + time::Duration::days(20_000)
}

fn secs(n: i64) -> time::Duration {
    time::Duration::seconds(n)
}

const PERIOD: Duration = Duration::from_secs(10);

struct Fixture {
    clock: Arc<ManualClock>,
    service: RoomService,
    room: RoomId,
}

fn fixture_with(config: RoomConfig, edit: impl FnOnce(&mut Ports)) -> Fixture {
    let clock = Arc::new(ManualClock::new(start()));
    let mut ports = Ports::in_memory();
    ports.clock = clock.clone();
    edit(&mut ports);
    Fixture {
        clock,
        service: RoomService::new(Engine::new(config), ports),
        room: RoomId::parse("r1").unwrap(),
    }
}

fn fixture() -> Fixture {
    fixture_with(RoomConfig::default(), |_| {})
}

fn user(name: &str) -> UserId {
    UserId::parse(name).unwrap()
}

impl Fixture {
    /// `name` joins the room with a new connection.
    async fn join(&self, name: &str) -> ConnectionId {
        let connection = ConnectionId::new();
        self.service
            .join(
                &self.room,
                JoinRequest {
                    user_id: user(name),
                    name: None,
                    role: None,
                    permissions: None,
                    connection,
                },
            )
            .await
            .unwrap();
        connection
    }

    async fn seated(&self, name: &str, connection: ConnectionId) -> bool {
        self.service
            .room(&self.room)
            .await
            .is_ok_and(|r| r.seats(&user(name), connection))
    }

    fn now_ms(&self) -> i64 {
        (self.service.now().unix_timestamp_nanos() / 1_000_000) as i64
    }
}

#[tokio::test]
async fn a_beating_instance_keeps_its_connections() {
    let f = fixture();
    let registry = &f.service.ports().instances;
    // Its last beat has lapsed: another instance would reap it now.
    registry.heartbeat("me", 0).await.unwrap();
    let conn = TrackedConnection {
        room_id: f.room.clone(),
        user_id: user("alice"),
        connection: ConnectionId::new(),
    };
    registry.track("me", &conn).await.unwrap();
    std::thread::sleep(Duration::from_millis(2));
    let job = Heartbeat {
        service: f.service.clone(),
        instance_id: "me".into(),
        ttl: Duration::from_secs(30),
    };
    assert_eq!(job.period(), PERIOD);
    job.run().await.unwrap();
    assert!(registry.claim_dead("other").await.unwrap().is_empty());
}

#[tokio::test]
async fn a_dead_instances_users_leave_their_rooms() {
    let f = fixture();
    let alice = f.join("alice").await;
    let bob = f.join("bob").await;
    let registry = &f.service.ports().instances;
    registry.heartbeat("dead", 0).await.unwrap();
    let tracked = TrackedConnection {
        room_id: f.room.clone(),
        user_id: user("alice"),
        connection: alice,
    };
    registry.track("dead", &tracked).await.unwrap();
    std::thread::sleep(Duration::from_millis(2));
    let job = ReapDeadInstances {
        service: f.service.clone(),
        instance_id: "me".into(),
        period: PERIOD,
    };
    assert_eq!(job.run().await.unwrap(), 1);
    assert!(!f.seated("alice", alice).await, "alice's place is free");
    assert!(f.seated("bob", bob).await, "bob was on a live instance");
    assert_eq!(job.run().await.unwrap(), 0, "reaped once");
}

#[tokio::test]
async fn an_empty_room_goes_after_the_delay_and_not_before() {
    let f = fixture();
    let alice = f.join("alice").await;
    f.service
        .leave(&f.room, &user("alice"), alice)
        .await
        .unwrap();
    let job = SweepEmptyRooms {
        service: f.service.clone(),
        delay: Duration::from_secs(60),
        period: PERIOD,
    };
    f.clock.advance(secs(59));
    assert_eq!(job.run().await.unwrap(), 0);
    assert!(f.service.room(&f.room).await.is_ok(), "still lingering");
    f.clock.advance(secs(1));
    assert_eq!(job.run().await.unwrap(), 1);
    let gone = f.service.room(&f.room).await.unwrap_err();
    assert_eq!(gone.code, ErrorCode::RoomNotFound);
}

#[tokio::test]
async fn a_room_with_people_is_never_swept() {
    let f = fixture();
    let alice = f.join("alice").await;
    f.clock.advance(secs(3600));
    let job = SweepEmptyRooms {
        service: f.service.clone(),
        delay: Duration::from_secs(60),
        period: PERIOD,
    };
    assert_eq!(job.run().await.unwrap(), 0);
    assert!(f.seated("alice", alice).await);
}

/// A history store that can be switched off.
#[derive(Default)]
struct Flaky {
    down: AtomicBool,
    inner: MemoryChatHistory,
}

#[async_trait]
impl ChatHistory for Flaky {
    async fn append(&self, record: &ChatRecord) -> Result<(), PortError> {
        if self.down.load(Ordering::SeqCst) {
            return Err(PortError::unavailable("history down"));
        }
        self.inner.append(record).await
    }
    async fn page(
        &self,
        room: &RoomId,
        before: Option<&str>,
        limit: usize,
    ) -> Result<ChatPage, PortError> {
        self.inner.page(room, before, limit).await
    }
    async fn get(&self, room: &RoomId, id: &str) -> Result<Option<ChatRecord>, PortError> {
        self.inner.get(room, id).await
    }
    async fn replace(&self, record: &ChatRecord) -> Result<bool, PortError> {
        self.inner.replace(record).await
    }
    async fn remove(&self, room: &RoomId, id: &str) -> Result<bool, PortError> {
        self.inner.remove(room, id).await
    }
    async fn react(
        &self,
        room: &RoomId,
        id: &str,
        emoji: &str,
        user: &str,
        active: bool,
    ) -> Result<bool, PortError> {
        self.inner.react(room, id, emoji, user, active).await
    }
}

fn chat(id: &str) -> ChatRecord {
    ChatRecord {
        id: id.into(),
        room_id: "r1".into(),
        from: "alice".into(),
        from_name: "Alice".into(),
        message: "hi".into(),
        to: None,
        breakout_room_id: None,
        reply_to: None,
        reactions: Default::default(),
        edited_at: None,
        timestamp: start(),
    }
}

#[tokio::test]
async fn chat_held_during_an_outage_is_written_when_the_store_returns() {
    let flaky = Arc::new(Flaky::default());
    let outbox = Arc::new(OutboxChatHistory::new(flaky.clone(), 100));
    flaky.down.store(true, Ordering::SeqCst);
    outbox.append(&chat("m1")).await.unwrap();
    outbox.append(&chat("m2")).await.unwrap();
    let job = FlushChatOutbox {
        outbox: outbox.clone(),
        period: PERIOD,
    };
    assert_eq!(job.run().await.unwrap(), 0, "still down");
    flaky.down.store(false, Ordering::SeqCst);
    assert_eq!(job.run().await.unwrap(), 2);
    assert_eq!(outbox.pending().await, 0);
    let page = flaky
        .page(&RoomId::parse("r1").unwrap(), None, 10)
        .await
        .unwrap();
    let ids: Vec<_> = page.messages.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(ids, ["m2", "m1"], "in order, newest first");
}

#[tokio::test]
async fn a_recording_past_the_maximum_length_is_stopped() {
    let config = RoomConfig {
        max_recording_secs: 60,
        ..RoomConfig::default()
    };
    let f = fixture_with(config, |_| {});
    f.join("alice").await;
    // A recording running in the room, as the engine leaves it.
    let ports = f.service.ports();
    let rec = Recording::start(
        "rec1".into(),
        "r1".into(),
        "alice".into(),
        Format::Webm,
        Quality::Low,
        start(),
    );
    let mut stored = ports.rooms.load(&f.room).await.unwrap().unwrap();
    let mut room = (*stored.room).clone();
    room.recordings.push(rec.clone());
    ports.rooms.save(&room, Some(stored.version)).await.unwrap();
    ports.recordings.put(&rec).await.unwrap();
    stored = ports.rooms.load(&f.room).await.unwrap().unwrap();
    assert!(stored.room.recordings[0].is_active());

    let job = StopOverlongRecordings {
        service: f.service.clone(),
        period: PERIOD,
    };
    f.clock.advance(secs(59));
    assert_eq!(job.run().await.unwrap(), 0);
    f.clock.advance(secs(1));
    assert_eq!(job.run().await.unwrap(), 1);
    let rec = ports.recordings.get("rec1").await.unwrap().unwrap();
    assert_eq!(rec.status, recording::RecordingStatus::Processing);
}

#[tokio::test]
async fn slots_of_recordings_no_longer_running_are_freed_after_the_grace() {
    let f = fixture();
    let ports = f.service.ports();
    let now = f.now_ms();
    let quotas = &ports.quotas;
    quotas
        .acquire_slot(RECORDING_SLOTS, "ghost", 9, now - 120_000)
        .await
        .unwrap();
    quotas
        .acquire_slot(RECORDING_SLOTS, "starting", 9, now - 1_000)
        .await
        .unwrap();
    quotas
        .acquire_slot(RECORDING_SLOTS, "live", 9, now - 120_000)
        .await
        .unwrap();
    let live = Recording::start(
        "live".into(),
        "r1".into(),
        "alice".into(),
        Format::Webm,
        Quality::Low,
        start(),
    );
    ports.recordings.put(&live).await.unwrap();
    let job = FreeRecordingSlots {
        service: f.service.clone(),
        grace: Duration::from_secs(60),
        period: PERIOD,
    };
    assert_eq!(job.run().await.unwrap(), 1);
    let mut left: Vec<_> = quotas
        .slots(RECORDING_SLOTS)
        .await
        .unwrap()
        .into_iter()
        .map(|(m, _)| m)
        .collect();
    left.sort();
    assert_eq!(left, ["live", "starting"]);
}

mock! {
    Jobs {}
    impl JobQueue for Jobs {
        fn enqueue(&self, recording_id: &str);
    }
}

#[tokio::test]
async fn recordings_left_processing_are_queued_again() {
    let mut jobs = MockJobs::new();
    jobs.expect_enqueue()
        .with(eq("rec1"))
        .times(1)
        .return_const(());
    let f = fixture_with(RoomConfig::default(), |p| p.jobs = Arc::new(jobs));
    let mut rec = Recording::start(
        "rec1".into(),
        "r1".into(),
        "alice".into(),
        Format::Webm,
        Quality::Low,
        start(),
    );
    rec.stop(start()).unwrap();
    f.service.ports().recordings.put(&rec).await.unwrap();
    let job = RequeueProcessing {
        service: f.service.clone(),
        period: PERIOD * 10,
    };
    assert_eq!(job.run().await.unwrap(), 1);
}

#[tokio::test]
async fn an_expired_transfer_is_deleted() {
    let f = fixture();
    let blobs: Arc<dyn storage::BlobStore> =
        Arc::new(storage::ObjectBlobStore::from_config(&storage::StorageConfig::Memory).unwrap());
    let transfers = TransferService::new(
        Arc::new(file_transfer::MemoryTransferStore::default()),
        blobs,
        f.clock.clone(),
        file_transfer::TransferLimits::default(),
    );
    let req = file_transfer::OfferReq {
        receiver: user("bob"),
        file_name: "notes.txt".into(),
        file_size: 10,
        file_type: None,
        sha256: Some(file_transfer::sha256_hex(b"0123456789")),
        chunk_size: None,
        mode: None,
    };
    let (t, _) = transfers
        .offer(&f.room, &user("alice"), &user("bob"), req)
        .await
        .unwrap();
    let job = SweepExpiredTransfers {
        transfers: transfers.clone(),
        period: PERIOD,
    };
    assert_eq!(job.run().await.unwrap(), 0, "fresh");
    f.clock.advance(time::Duration::hours(2));
    assert_eq!(job.run().await.unwrap(), 1);
    let gone = transfers.get_for(&t.transfer_id, &user("alice")).await;
    assert!(gone.is_err(), "the transfer is gone");
}

/// Local connections as the hub would report them; records closes.
struct Seats {
    held: Vec<(RoomId, Vec<(UserId, ConnectionId)>)>,
    closed: Mutex<Vec<(ConnectionId, ErrorCode)>>,
}

impl LocalSeats for Seats {
    fn settled_seats(&self, _: Duration) -> Vec<(RoomId, Vec<(UserId, ConnectionId)>)> {
        self.held.clone()
    }
    fn close(&self, connection: ConnectionId, code: ErrorCode) {
        self.closed.lock().unwrap().push((connection, code));
    }
}

#[tokio::test]
async fn connections_whose_seat_the_store_lost_are_told_to_rejoin() {
    let f = fixture();
    let alice = f.join("alice").await;
    let (ghost, stranger) = (ConnectionId::new(), ConnectionId::new());
    let seats = Arc::new(Seats {
        held: vec![
            // Alice is seated; bob's seat is not in the stored room.
            (
                f.room.clone(),
                vec![(user("alice"), alice), (user("bob"), ghost)],
            ),
            // A room the store lost altogether.
            (
                RoomId::parse("lost").unwrap(),
                vec![(user("carol"), stranger)],
            ),
        ],
        closed: Mutex::default(),
    });
    let job = AuditSeats {
        service: f.service.clone(),
        seats: seats.clone(),
        min_age: Duration::from_secs(30),
        period: PERIOD,
    };
    assert_eq!(job.run().await.unwrap(), 2);
    let closed = seats.closed.lock().unwrap().clone();
    assert_eq!(
        closed,
        [
            (ghost, ErrorCode::SessionLost),
            (stranger, ErrorCode::SessionLost)
        ]
    );
}

#[test]
fn the_standard_list_names_each_job_once() {
    let f = fixture();
    let blobs: Arc<dyn storage::BlobStore> =
        Arc::new(storage::ObjectBlobStore::from_config(&storage::StorageConfig::Memory).unwrap());
    let transfers = TransferService::new(
        Arc::new(file_transfer::MemoryTransferStore::default()),
        blobs,
        f.clock.clone(),
        file_transfer::TransferLimits::default(),
    );
    let seats = Arc::new(Seats {
        held: vec![],
        closed: Mutex::default(),
    });
    let config = MaintenanceConfig {
        instance_id: "me".into(),
        instance_ttl: Duration::from_secs(30),
        empty_room_ttl: Duration::from_secs(60),
    };
    let outbox = Arc::new(OutboxChatHistory::new(Arc::new(Flaky::default()), 10));
    let list = jobs(&config, &f.service, &transfers, Some(outbox), seats.clone());
    let mut names: Vec<_> = list.iter().map(|j| j.name()).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), 10);
    for j in &list {
        let expected = match j.name() {
            "requeue-processing" => PERIOD * 10,
            "renew-media-claims" => signaling_core::service::MEDIA_CLAIM_RENEW,
            _ => PERIOD,
        };
        assert_eq!(j.period(), expected, "{}", j.name());
    }
    let without_mongo = jobs(&config, &f.service, &transfers, None, seats);
    assert!(
        !without_mongo
            .iter()
            .any(|j| j.name() == "flush-chat-outbox")
    );
}
