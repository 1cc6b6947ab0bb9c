//! Upload rules on the in-memory ports; the worker with a mocked
//! transcoder, event sink and job queue whose calls are asserted.

use std::path::Path;

use async_trait::async_trait;
use mockall::mock;
use mockall::predicate::eq;
use recording::{FailureCode, Format, JobQueue, MediaInfo, Quality, Recording, RecordingStore};
use signaling_core::ports::LifecycleEvents;
use signaling_core::quota::MemoryQuotas;
use signaling_core::{Engine, Ports, RoomConfig};
use storage::{ObjectBlobStore, StorageConfig};
use time::OffsetDateTime;

use super::*;

mock! {
    Transcoder {}
    #[async_trait]
    impl Transcoder for Transcoder {
        async fn transcode(
            &self,
            input: &Path,
            output: &Path,
            format: Format,
            quality: Quality,
        ) -> Result<MediaInfo, Failure>;
        async fn thumbnail(&self, media: &Path, output: &Path) -> Result<(), Failure>;
    }
}

mock! {
    Events {}
    #[async_trait]
    impl LifecycleEvents for Events {
        async fn emit(&self, room: &RoomId, event: &str, data: serde_json::Value);
    }
}

mock! {
    Jobs {}
    impl JobQueue for Jobs {
        fn enqueue(&self, recording_id: &str);
    }
}

const QUOTA: RecordingQuota = RecordingQuota {
    user_bytes: 10,
    room_bytes: 15,
};

struct Fixture {
    blobs: Arc<dyn BlobStore>,
    quotas: Arc<MemoryQuotas>,
    records: Arc<recording::MemoryRecordingStore>,
    ports: Ports,
    room: RoomId,
}

fn fixture() -> Fixture {
    let blobs: Arc<dyn BlobStore> =
        Arc::new(ObjectBlobStore::from_config(&StorageConfig::Memory).unwrap());
    let quotas = Arc::new(MemoryQuotas::default());
    let records = Arc::new(recording::MemoryRecordingStore::default());
    let mut ports = Ports::in_memory();
    ports.quotas = quotas.clone();
    ports.recordings = records.clone();
    Fixture {
        blobs,
        quotas,
        records,
        ports,
        room: RoomId::parse("r1").unwrap(),
    }
}

fn user(name: &str) -> UserId {
    UserId::parse(name).unwrap()
}

impl Fixture {
    fn uploads(&self) -> Uploads {
        Uploads::new(self.blobs.clone(), self.quotas.clone(), QUOTA)
    }

    async fn upload(
        &self,
        who: &str,
        id: &str,
        seq: u64,
        data: &'static [u8],
    ) -> Result<bool, SignalError> {
        self.uploads()
            .store(Chunk {
                room_id: &self.room,
                user_id: &user(who),
                recording_id: id,
                sequence: seq,
                data: Bytes::from_static(data),
            })
            .await
    }

    async fn used(&self, key: &str) -> u64 {
        self.quotas.used(key).await.unwrap()
    }

    async fn chunks(&self, id: &str) -> usize {
        self.blobs
            .list(&pipeline::chunks_prefix(id))
            .await
            .unwrap()
            .len()
    }

    /// A recording by alice in the fixture's room, stopped (processing)
    /// unless `cancel`.
    async fn record(&self, id: &str, cancel: bool) {
        let now = OffsetDateTime::now_utc();
        let mut r = Recording::start(
            id.into(),
            self.room.to_string(),
            "alice".into(),
            Format::Webm,
            Quality::Low,
            now,
        );
        if cancel {
            r.cancel(now).unwrap();
        } else {
            r.stop(now).unwrap();
        }
        self.records.put(&r).await.unwrap();
    }

    fn worker_with(&self, events: MockEvents, t: MockTranscoder) -> Worker {
        let mut ports = self.ports.clone();
        ports.events = Arc::new(events);
        let scratch = std::env::temp_dir().join(format!(
            "app-worker-{}-{}",
            std::process::id(),
            signaling_core::ConnectionId::new()
        ));
        Worker::new(
            RoomService::new(Engine::new(RoomConfig::default()), ports),
            self.blobs.clone(),
            Arc::new(t),
            "me".into(),
            scratch,
        )
    }

    async fn status(&self, id: &str) -> Recording {
        self.records.get(id).await.unwrap().unwrap()
    }
}

fn media() -> MediaInfo {
    MediaInfo {
        format_name: "matroska,webm".into(),
        duration_ms: 1000,
        size: 5,
        video_codec: Some("vp8".into()),
        audio_codec: None,
        width: None,
        height: None,
    }
}

/// A transcoder that makes `n` files and thumbnails.
fn transcoding(n: usize) -> MockTranscoder {
    let mut t = MockTranscoder::new();
    t.expect_transcode().times(n).returning(|_, out, _, _| {
        std::fs::write(out, b"video").unwrap();
        Ok(media())
    });
    t.expect_thumbnail().times(n).returning(|_, out| {
        std::fs::write(out, b"jpeg").unwrap();
        Ok(())
    });
    t
}

fn never_transcodes() -> MockTranscoder {
    let mut t = MockTranscoder::new();
    t.expect_transcode().never();
    t.expect_thumbnail().never();
    t
}

fn emits(event: &'static str, times: usize) -> MockEvents {
    let mut e = MockEvents::new();
    e.expect_emit()
        .withf(move |_, ev, data| ev == event && data["recording"].is_object())
        .times(times)
        .return_const(());
    e
}

#[tokio::test]
async fn a_chunk_sent_twice_is_stored_and_counted_once() {
    let f = fixture();
    assert!(!f.upload("alice", "rec1", 0, b"abcd").await.unwrap());
    assert!(
        f.upload("alice", "rec1", 0, b"abcd").await.unwrap(),
        "duplicate"
    );
    assert_eq!(f.used(&keys::recording_user("alice")).await, 4);
    assert_eq!(f.used(&keys::recording_room("r1")).await, 4);
    assert_eq!(f.chunks("rec1").await, 1);
}

#[tokio::test]
async fn other_bytes_under_a_taken_sequence_are_refused() {
    let f = fixture();
    f.upload("alice", "rec1", 3, b"abcd").await.unwrap();
    let e = f.upload("alice", "rec1", 3, b"abce").await.unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidChunk);
    assert!(e.message.contains("other bytes"), "{}", e.message);
    let kept = f
        .blobs
        .get(&pipeline::chunk_key("rec1", "alice", 3), None)
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(&kept[..], b"abcd", "the first upload stands");
}

#[tokio::test]
async fn a_chunk_over_a_quota_is_refused_and_never_written() {
    let f = fixture();
    f.upload("alice", "rec1", 0, b"12345678").await.unwrap();
    // Alice's budget is 10 bytes.
    let e = f.upload("alice", "rec1", 1, b"123").await.unwrap_err();
    assert_eq!(e.code, ErrorCode::QuotaExceeded);
    // Bob has his own budget, but the room's (15) is shared.
    f.upload("bob", "rec1", 0, b"1234567").await.unwrap();
    let e = f.upload("bob", "rec1", 1, b"1").await.unwrap_err();
    assert_eq!(e.code, ErrorCode::QuotaExceeded);
    assert_eq!(f.chunks("rec1").await, 2, "refused chunks are not stored");
    assert_eq!(f.used(&keys::recording_room("r1")).await, 15);
}

#[tokio::test]
async fn empty_chunks_and_sequences_past_the_limit_are_refused() {
    let f = fixture();
    let e = f.upload("alice", "rec1", 0, b"").await.unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidChunk);
    let e = f
        .upload("alice", "rec1", MAX_SEQUENCE + 1, b"x")
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidChunk);
    assert_eq!(f.chunks("rec1").await, 0);
    assert_eq!(f.used(&keys::recording_user("alice")).await, 0);
}

#[tokio::test]
async fn a_stopped_recording_is_transcoded_per_participant_and_completed() {
    let f = fixture();
    f.record("rec1", false).await;
    f.upload("alice", "rec1", 0, b"aa").await.unwrap();
    f.upload("alice", "rec1", 1, b"bb").await.unwrap();
    f.upload("bob", "rec1", 0, b"cc").await.unwrap();
    let w = f.worker_with(emits("recording_completed", 1), transcoding(2));
    assert_eq!(
        w.process_one("rec1").await.unwrap(),
        Processed::Completed { files: 2 }
    );
    let rec = f.status("rec1").await;
    assert_eq!(rec.status, RecordingStatus::Completed);
    let owners: Vec<_> = rec.outputs.iter().map(|o| o.user_id.as_str()).collect();
    assert_eq!(owners, ["alice", "bob"]);
    assert_eq!(f.chunks("rec1").await, 0, "chunks deleted after processing");
    assert_eq!(f.used(&keys::recording_user("alice")).await, 0);
    assert_eq!(f.used(&keys::recording_room("r1")).await, 0);
    // Done is done: a second delivery of the job changes nothing.
    assert_eq!(
        w.process_one("rec1").await.unwrap(),
        Processed::NotProcessing
    );
}

#[tokio::test]
async fn a_failed_transcode_fails_the_recording_and_frees_its_chunks() {
    let f = fixture();
    f.record("rec1", false).await;
    f.upload("alice", "rec1", 0, b"aa").await.unwrap();
    let mut t = MockTranscoder::new();
    t.expect_transcode().times(1).returning(|_, _, _, _| {
        Err(Failure::new(
            FailureCode::UnsupportedMediaFormat,
            "not media",
        ))
    });
    t.expect_thumbnail().never();
    let w = f.worker_with(emits("recording_failed", 1), t);
    let Processed::Failed(failure) = w.process_one("rec1").await.unwrap() else {
        panic!("failed expected")
    };
    assert_eq!(failure.code, FailureCode::UnsupportedMediaFormat);
    let rec = f.status("rec1").await;
    assert_eq!(rec.status, RecordingStatus::Failed);
    assert_eq!(rec.failure_code, Some(FailureCode::UnsupportedMediaFormat));
    assert_eq!(f.chunks("rec1").await, 0);
    assert_eq!(f.used(&keys::recording_user("alice")).await, 0);
}

#[tokio::test]
async fn a_cancelled_recording_is_deleted_and_never_transcoded() {
    let f = fixture();
    f.record("rec1", true).await;
    f.upload("alice", "rec1", 0, b"aa").await.unwrap();
    f.upload("alice", "rec1", 1, b"bb").await.unwrap();
    let w = f.worker_with(emits("recording_completed", 0), never_transcodes());
    assert_eq!(
        w.process_one("rec1").await.unwrap(),
        Processed::Cancelled { objects: 2 }
    );
    assert_eq!(f.chunks("rec1").await, 0);
    assert_eq!(f.used(&keys::recording_user("alice")).await, 0);
    assert_eq!(f.status("rec1").await.status, RecordingStatus::Cancelled);
}

#[tokio::test]
async fn a_job_another_instance_holds_is_left_to_it() {
    let f = fixture();
    f.record("rec1", false).await;
    f.upload("alice", "rec1", 0, b"aa").await.unwrap();
    assert!(
        f.records
            .claim_job("rec1", "other", JOB_CLAIM_SECS)
            .await
            .unwrap()
    );
    let w = f.worker_with(emits("recording_completed", 0), never_transcodes());
    assert_eq!(
        w.process_one("rec1").await.unwrap(),
        Processed::ClaimedElsewhere
    );
    assert_eq!(f.status("rec1").await.status, RecordingStatus::Processing);
    assert_eq!(f.chunks("rec1").await, 1, "the holder still needs them");
    assert_eq!(f.used(&keys::recording_user("alice")).await, 2);
}

#[tokio::test]
async fn an_unknown_recording_is_nothing_to_do() {
    let f = fixture();
    let w = f.worker_with(emits("recording_completed", 0), never_transcodes());
    assert_eq!(w.process_one("nope").await.unwrap(), Processed::Gone);
}

#[tokio::test]
async fn requeue_queues_exactly_the_recordings_waiting_for_processing() {
    let f = fixture();
    f.record("waiting", false).await;
    let running = Recording::start(
        "running".into(),
        "r1".into(),
        "alice".into(),
        Format::Webm,
        Quality::Low,
        OffsetDateTime::now_utc(),
    );
    f.records.put(&running).await.unwrap();
    let mut jobs = MockJobs::new();
    jobs.expect_enqueue()
        .with(eq("waiting"))
        .times(1)
        .return_const(());
    let mut ports = f.ports.clone();
    ports.jobs = Arc::new(jobs);
    let service = RoomService::new(Engine::new(RoomConfig::default()), ports);
    assert_eq!(requeue_processing(&service).await.unwrap(), 1);
}
