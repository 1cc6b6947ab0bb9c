//! The transfer service on in-memory ports with a hand-moved clock.

use kernel::ManualClock;
use storage::{ObjectBlobStore, StorageConfig};

use super::*;

struct Fx {
    svc: TransferService,
    blobs: Arc<dyn BlobStore>,
    clock: Arc<ManualClock>,
}

fn fx() -> Fx {
    let blobs: Arc<dyn BlobStore> =
        Arc::new(ObjectBlobStore::from_config(&StorageConfig::Memory).unwrap());
    let clock = Arc::new(ManualClock::new(
        OffsetDateTime::from_unix_timestamp(1_000_000).unwrap(),
    ));
    let limits = TransferLimits {
        chunk_size: 4096,
        max_file_size: 1_000_000,
        max_per_user: 5,
        cleanup_after_secs: 3600,
        max_chunk_size: 65536,
        quota_user_bytes: 50_000,
        quota_room_bytes: 80_000,
    };
    Fx {
        svc: TransferService::new(
            Arc::new(MemoryTransferStore::default()),
            blobs.clone(),
            clock.clone(),
            limits,
        ),
        blobs,
        clock,
    }
}

fn u(s: &str) -> UserId {
    UserId::parse(s).unwrap()
}

fn room() -> RoomId {
    RoomId::parse("room").unwrap()
}

fn file(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i % 251) as u8).collect()
}

async fn offer(f: &Fx, data: &[u8]) -> Transfer {
    let req = OfferReq {
        receiver: u("bob"),
        file_name: "report.pdf".into(),
        file_size: data.len() as u64,
        file_type: Some("application/pdf".into()),
        sha256: Some(sha256_hex(data)),
        chunk_size: None,
        mode: None,
    };
    let (t, n) = f
        .svc
        .offer(&room(), &u("alice"), &u("bob"), req)
        .await
        .unwrap();
    assert_eq!(n.to, vec![u("bob")]);
    t
}

async fn send(f: &Fx, t: &Transfer, data: &[u8], i: u64) -> Result<ChunkAck, SignalError> {
    let c = &data[(i * t.chunk_size) as usize..((i * t.chunk_size) + t.chunk_len(i)) as usize];
    f.svc
        .put_chunk(
            &t.transfer_id,
            &u("alice"),
            i,
            &sha256_hex(c),
            Bytes::copy_from_slice(c),
        )
        .await
        .map(|(a, _)| a)
}

async fn accept(f: &Fx, t: &Transfer) {
    f.svc
        .act(&t.transfer_id, &u("bob"), TransferAction::Accept)
        .await
        .unwrap();
}

async fn offer_as(f: &Fx, from: &str, to: &str, size: u64) -> Result<Transfer, SignalError> {
    let req = OfferReq {
        receiver: u(to),
        file_name: "big.bin".into(),
        file_size: size,
        file_type: None,
        sha256: Some(sha256_hex(b"x")),
        chunk_size: None,
        mode: None,
    };
    f.svc
        .offer(&room(), &u(from), &u(to), req)
        .await
        .map(|(t, _)| t)
}

async fn used(f: &Fx, user: &str) -> (u64, u64) {
    let q = &f.svc.quotas;
    (
        q.used(&keys::transfer_user(user)).await.unwrap(),
        q.used(&keys::transfer_room("room")).await.unwrap(),
    )
}

#[tokio::test]
async fn finished_transfers_count_against_the_quota_until_they_expire() {
    let f = fx();
    let data = file(30_000);
    let t = offer(&f, &data).await;
    assert_eq!(
        used(&f, "alice").await,
        (30_000, 30_000),
        "reserved at offer"
    );
    accept(&f, &t).await;
    for i in 0..t.total_chunks {
        send(&f, &t, &data, i).await.unwrap();
    }
    assert_eq!(
        f.svc
            .get_for(&t.transfer_id, &u("bob"))
            .await
            .unwrap()
            .state,
        TransferState::Completed
    );
    // Finished, yet its bytes are still stored: 30,000 + 30,000 > 50,000.
    let e = offer_as(&f, "alice", "bob", 30_000).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::QuotaExceeded);
    assert_eq!(
        used(&f, "alice").await,
        (30_000, 30_000),
        "a refusal holds nothing"
    );
    offer_as(&f, "alice", "bob", 20_000).await.unwrap();
    // Another sender fills the room: 50,000 + 30,001 > 80,000.
    let e = offer_as(&f, "carol", "bob", 30_001).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::QuotaExceeded, "the room's quota");
    // Expiry deletes the bytes and gives the quota back.
    f.clock.advance(time::Duration::minutes(61));
    assert_eq!(f.svc.sweep_expired().await.unwrap(), 2);
    assert_eq!(used(&f, "alice").await, (0, 0));
    offer_as(&f, "alice", "bob", 50_000).await.unwrap();
}

#[tokio::test]
async fn rejected_cancelled_and_failed_transfers_give_their_bytes_back() {
    let f = fx();
    let a = offer_as(&f, "alice", "bob", 20_000).await.unwrap();
    let b = offer_as(&f, "alice", "bob", 20_000).await.unwrap();
    assert_eq!(used(&f, "alice").await.0, 40_000);
    f.svc
        .act(&a.transfer_id, &u("bob"), TransferAction::Reject)
        .await
        .unwrap();
    assert_eq!(used(&f, "alice").await.0, 20_000);
    f.svc
        .act(&b.transfer_id, &u("alice"), TransferAction::Cancel)
        .await
        .unwrap();
    assert_eq!(used(&f, "alice").await, (0, 0));
    // A whole-file mismatch fails the transfer and frees its bytes.
    let data = file(5_000);
    let mut req_hash = data.clone();
    req_hash[0] ^= 1;
    let t = offer(&f, &req_hash).await;
    accept(&f, &t).await;
    for i in 0..t.total_chunks {
        let _ = send(&f, &t, &data, i).await;
    }
    assert_eq!(used(&f, "alice").await, (0, 0));
    // Peer-to-peer bytes never touch the server: no quota.
    let req = OfferReq {
        receiver: u("bob"),
        file_name: "p2p.bin".into(),
        file_size: 1_000_000,
        file_type: None,
        sha256: None,
        chunk_size: None,
        mode: Some(TransferMode::PeerToPeer),
    };
    f.svc
        .offer(&room(), &u("alice"), &u("bob"), req)
        .await
        .unwrap();
    assert_eq!(used(&f, "alice").await, (0, 0));
}

#[tokio::test]
async fn out_of_order_and_repeated_chunks_assemble_the_exact_file() {
    let f = fx();
    let data = file(10_000); // 3 chunks: 4096, 4096, 1808
    let t = offer(&f, &data).await;
    f.svc
        .act(&t.transfer_id, &u("bob"), TransferAction::Accept)
        .await
        .unwrap();
    assert_eq!(send(&f, &t, &data, 2).await.unwrap().received_chunks, 1);
    let again = send(&f, &t, &data, 2).await.unwrap();
    assert!(
        again.duplicate,
        "a repeat is acknowledged, not stored twice"
    );
    assert_eq!(
        f.svc.missing(&t.transfer_id, &u("bob")).await.unwrap(),
        [0, 1]
    );
    send(&f, &t, &data, 0).await.unwrap();
    let last = send(&f, &t, &data, 1).await.unwrap();
    assert_eq!(last.state, TransferState::Completed);
    let (_, range, s) = f
        .svc
        .download(&t.transfer_id, &u("bob"), None)
        .await
        .unwrap();
    assert_eq!(range, 0..10_000);
    let got: Vec<Bytes> = futures_util::TryStreamExt::try_collect(s).await.unwrap();
    assert_eq!(got.concat(), data);
    // A range across a chunk boundary.
    let (_, _, s) = f
        .svc
        .download(&t.transfer_id, &u("alice"), Some(4000..4200))
        .await
        .unwrap();
    let got: Vec<Bytes> = futures_util::TryStreamExt::try_collect(s).await.unwrap();
    assert_eq!(got.concat(), &data[4000..4200]);
    assert!(
        f.svc
            .download(&t.transfer_id, &u("bob"), Some(9_000..10_001))
            .await
            .is_err()
    );
}

#[tokio::test]
async fn bad_chunks_are_refused_and_never_stored() {
    let f = fx();
    let data = file(10_000);
    let t = offer(&f, &data).await;
    let id = &t.transfer_id;
    let code = |r: Result<(ChunkAck, Option<Notice>), SignalError>| r.unwrap_err().code;
    let c0 = Bytes::copy_from_slice(&data[..4096]);
    assert_eq!(
        code(
            f.svc
                .put_chunk(id, &u("alice"), 0, &sha256_hex(&c0), c0.clone())
                .await
        ),
        ErrorCode::TransferNotAccepted,
        "a good chunk before the receiver accepted"
    );
    accept(&f, &t).await;
    let wrong = sha256_hex(b"something else");
    assert_eq!(
        code(
            f.svc
                .put_chunk(id, &u("alice"), 0, &wrong, c0.clone())
                .await
        ),
        ErrorCode::ChunkChecksumMismatch
    );
    assert_eq!(
        code(
            f.svc
                .put_chunk(id, &u("alice"), 3, &sha256_hex(&c0), c0.clone())
                .await
        ),
        ErrorCode::InvalidChunk,
        "index out of range"
    );
    let short = c0.slice(..100);
    assert_eq!(
        code(
            f.svc
                .put_chunk(id, &u("alice"), 0, &sha256_hex(&short), short)
                .await
        ),
        ErrorCode::InvalidChunk,
        "wrong size"
    );
    assert_eq!(
        code(
            f.svc
                .put_chunk(id, &u("bob"), 0, &sha256_hex(&c0), c0.clone())
                .await
        ),
        ErrorCode::PermissionDenied,
        "the receiver does not upload"
    );
    assert_eq!(
        code(
            f.svc
                .put_chunk(id, &u("carol"), 0, &sha256_hex(&c0), c0.clone())
                .await
        ),
        ErrorCode::TransferNotFound,
        "a third user sees nothing"
    );
    assert!(
        f.blobs.list("transfers").await.unwrap().is_empty(),
        "nothing stored"
    );
    f.svc
        .act(id, &u("alice"), TransferAction::Cancel)
        .await
        .unwrap();
    assert_eq!(
        code(
            f.svc
                .put_chunk(id, &u("alice"), 0, &sha256_hex(&c0), c0)
                .await
        ),
        ErrorCode::InvalidStateTransition,
        "a chunk after cancel"
    );
}

#[tokio::test]
async fn a_whole_file_mismatch_fails_the_transfer_and_drops_its_chunks() {
    let f = fx();
    let data = file(5_000);
    let mut t = offer(&f, &data).await;
    accept(&f, &t).await;
    // The offer announced a different file than the chunks make up.
    let mut other = data.clone();
    other[0] ^= 1;
    for i in 0..2 {
        let c = &other[(i * 4096) as usize..((i * 4096) + t.chunk_len(i)) as usize];
        let r = f
            .svc
            .put_chunk(
                &t.transfer_id,
                &u("alice"),
                i,
                &sha256_hex(c),
                Bytes::copy_from_slice(c),
            )
            .await;
        if i == 1 {
            assert_eq!(r.unwrap_err().code, ErrorCode::FileChecksumMismatch);
        }
    }
    t = f.svc.get_for(&t.transfer_id, &u("bob")).await.unwrap();
    assert_eq!(t.state, TransferState::Failed);
    assert!(f.blobs.list("transfers").await.unwrap().is_empty());
}

#[tokio::test]
async fn offers_are_checked_and_limited() {
    let f = fx();
    let base = OfferReq {
        receiver: u("bob"),
        file_name: "a.txt".into(),
        file_size: 10,
        file_type: None,
        sha256: Some(sha256_hex(b"0123456789")),
        chunk_size: None,
        mode: None,
    };
    let (r0, alice, bob) = (room(), u("alice"), u("bob"));
    let offer = |r: OfferReq| f.svc.offer(&r0, &alice, &bob, r);
    for name in [
        "../etc/passwd",
        "a/b",
        "a\\b",
        "bad\u{0}name",
        "x\u{202e}fdp.exe",
        "..",
        "",
    ] {
        let e = offer(OfferReq {
            file_name: name.into(),
            ..base.clone()
        })
        .await
        .unwrap_err();
        assert_eq!(e.code, ErrorCode::ValidationError, "{name:?}");
    }
    let e = offer(OfferReq {
        file_size: 1_000_001,
        ..base.clone()
    })
    .await
    .unwrap_err();
    assert_eq!(e.code, ErrorCode::FileTooLarge);
    // The seeds' clients send no file hash: accepted, and the transfer
    // says the whole file is not checked against one.
    let (t, _) = offer(OfferReq {
        sha256: None,
        ..base.clone()
    })
    .await
    .unwrap();
    assert_eq!(t.file_checksum, FileChecksum::NotOffered);
    f.svc
        .act(&t.transfer_id, &u("alice"), TransferAction::Cancel)
        .await
        .unwrap();
    for _ in 0..5 {
        offer(base.clone()).await.unwrap();
    }
    let e = offer(base.clone()).await.unwrap_err();
    assert_eq!(
        e.code,
        ErrorCode::TooManyTransfers,
        "the sixth concurrent transfer"
    );
}

#[tokio::test]
async fn expired_transfers_lose_their_chunks() {
    let f = fx();
    let data = file(10_000);
    let t = offer(&f, &data).await;
    accept(&f, &t).await;
    send(&f, &t, &data, 0).await.unwrap();
    assert_eq!(f.blobs.list("transfers").await.unwrap().len(), 1);
    f.clock.advance(time::Duration::minutes(59));
    assert_eq!(
        f.svc.sweep_expired().await.unwrap(),
        0,
        "progress an hour ago keeps it"
    );
    f.clock.advance(time::Duration::minutes(2));
    // Past its expiry and before the sweep: every party action is refused
    // as expired, not served from bytes about to go.
    let e = send(&f, &t, &data, 1).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::TransferExpired);
    assert_eq!(e.code.http_status(), 410);
    assert_eq!(
        f.svc
            .get_for(&t.transfer_id, &u("bob"))
            .await
            .unwrap_err()
            .code,
        ErrorCode::TransferExpired
    );
    assert_eq!(f.svc.sweep_expired().await.unwrap(), 1);
    assert!(f.blobs.list("transfers").await.unwrap().is_empty());
    assert_eq!(
        f.svc
            .get_for(&t.transfer_id, &u("alice"))
            .await
            .unwrap_err()
            .code,
        ErrorCode::TransferNotFound
    );
}

#[tokio::test]
async fn peer_to_peer_transfers_track_reported_progress() {
    let f = fx();
    let req = OfferReq {
        receiver: u("bob"),
        file_name: "clip.mp4".into(),
        file_size: 1000,
        file_type: None,
        sha256: None,
        chunk_size: None,
        mode: Some(TransferMode::PeerToPeer),
    };
    let (t, _) = f
        .svc
        .offer(&room(), &u("alice"), &u("bob"), req)
        .await
        .unwrap();
    let id = &t.transfer_id;
    assert_eq!(
        f.svc
            .report_progress(id, &u("bob"), 10)
            .await
            .unwrap_err()
            .code,
        ErrorCode::InvalidStateTransition,
        "not accepted yet"
    );
    f.svc
        .act(id, &u("bob"), TransferAction::Accept)
        .await
        .unwrap();
    let (v, n) = f.svc.report_progress(id, &u("bob"), 400).await.unwrap();
    assert_eq!((v.bytes_transferred, v.progress_percent), (400, 40.0));
    assert_eq!(n.to.len(), 2, "both parties hear of progress");
    f.svc.report_progress(id, &u("alice"), 300).await.unwrap();
    let (v, _) = f.svc.report_progress(id, &u("alice"), 1000).await.unwrap();
    assert_eq!(v.transfer.state, TransferState::Completed);
    assert_eq!(
        f.svc
            .act(id, &u("alice"), TransferAction::Accept)
            .await
            .unwrap_err()
            .code,
        ErrorCode::PermissionDenied
    );
}

mod props {
    //! Random uploads and actions against the transfer service, checked
    //! after every step: a chunk is stored only if its bytes match the hash
    //! the sender declared and the hash the offer implies; a finished
    //! transfer never changes; completion means every chunk is there.

    use super::*;
    use proptest::prelude::*;

    #[derive(Debug, Clone)]
    enum Step {
        /// Send chunk `index` (modulo the chunk count, or one past it).
        Chunk {
            index: u8,
            corrupt: bool,
            wrong_hash: bool,
        },
        Act(u8),
    }

    fn step() -> impl Strategy<Value = Step> {
        prop_oneof![
            4 => (any::<u8>(), proptest::bool::weighted(0.2), proptest::bool::weighted(0.15))
                .prop_map(|(index, corrupt, wrong_hash)| Step::Chunk { index, corrupt, wrong_hash }),
            1 => (0u8..5).prop_map(Step::Act),
        ]
    }

    async fn stored(f: &Fx, id: &str) -> Vec<(u64, Vec<u8>)> {
        let mut out = vec![];
        for m in f
            .blobs
            .list(&format!("transfers/{id}/chunks"))
            .await
            .unwrap()
        {
            let index: u64 = m.key.rsplit('/').next().unwrap().parse().unwrap();
            let bytes = f
                .blobs
                .get(&m.key, None)
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap();
            out.push((index, bytes.to_vec()));
        }
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn only_verified_chunks_are_stored_and_finished_transfers_stay_finished(
            size in 1usize..20_000,
            steps in proptest::collection::vec(step(), 1..60),
        ) {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            rt.block_on(async {
                let f = fx();
                let data = file(size);
                let t = offer(&f, &data).await;
                let n = t.total_chunks;
                let mut finished: Option<TransferState> = None;
                for s in steps {
                    match s {
                        Step::Chunk { index, corrupt, wrong_hash } => {
                            let i = u64::from(index) % (n + 1);
                            let (lo, len) = if i < n {
                                ((i * t.chunk_size) as usize, t.chunk_len(i) as usize)
                            } else {
                                (0, 1)
                            };
                            let mut bytes = data[lo..lo + len].to_vec();
                            let mut hash = sha256_hex(&bytes);
                            if corrupt {
                                bytes[0] ^= 0x5a;
                            }
                            if wrong_hash {
                                hash = sha256_hex(b"something else");
                            }
                            let r = f.svc.put_chunk(&t.transfer_id, &u("alice"), i, &hash, Bytes::from(bytes)).await;
                            if corrupt || wrong_hash || i >= n {
                                prop_assert!(r.is_err(), "a bad chunk {i} was accepted");
                            }
                        }
                        Step::Act(a) => {
                            let (who, action) = match a {
                                0 => ("bob", TransferAction::Accept),
                                1 => ("bob", TransferAction::Reject),
                                2 => ("alice", TransferAction::Pause),
                                3 => ("bob", TransferAction::Resume),
                                _ => ("alice", TransferAction::Cancel),
                            };
                            let _ = f.svc.act(&t.transfer_id, &u(who), action).await;
                        }
                    }
                    let now = f.svc.get_for(&t.transfer_id, &u("alice")).await.unwrap();
                    if let Some(state) = finished {
                        prop_assert_eq!(now.state, state, "a finished transfer changed");
                    } else if now.state.is_terminal() {
                        finished = Some(now.state);
                    }
                    let chunks = stored(&f, &t.transfer_id).await;
                    for (i, bytes) in &chunks {
                        let lo = (*i * t.chunk_size) as usize;
                        prop_assert_eq!(&bytes[..], &data[lo..lo + t.chunk_len(*i) as usize], "chunk {} stored unverified", i);
                    }
                    match now.state {
                        TransferState::Completed => prop_assert_eq!(chunks.len() as u64, n),
                        TransferState::Cancelled | TransferState::Rejected | TransferState::Failed => {
                            prop_assert!(chunks.is_empty(), "chunks kept after {:?}", now.state)
                        }
                        _ => {}
                    }
                }
                Ok(())
            })?;
        }
    }
}
