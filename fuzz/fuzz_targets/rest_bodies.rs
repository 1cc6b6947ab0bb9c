//! REST request bodies: a file-transfer offer and a chunk upload through the
//! transfer service, and a permissions patch. Nothing may
//! panic; a stored chunk must be one whose bytes match its declared hash.
#![no_main]

use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use file_transfer::{MemoryTransferStore, OfferReq, TransferLimits, TransferService};
use libfuzzer_sys::fuzz_target;
use signaling_core::memory::ManualClock;
use signaling_core::{RoomId, UserId};
use storage::{BlobStore, ObjectBlobStore, StorageConfig};
use time::OffsetDateTime;

fn rt() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    })
}

fuzz_target!(|data: &[u8]| {
    // Split: a JSON body, then chunk bytes, then a declared hash.
    let mut parts = data.splitn(3, |b| *b == 0);
    let body = parts.next().unwrap_or_default();
    let chunk = parts.next().unwrap_or_default();
    let hash = std::str::from_utf8(parts.next().unwrap_or_default()).unwrap_or("");

    // (Settings patches are fuzzed through the engine by ws_message.)
    let _ = serde_json::from_slice::<auth::PermissionsPatch>(body)
        .map(|p| auth::Permissions::for_role(auth::Role::Participant).apply(&p));

    let Ok(req) = serde_json::from_slice::<OfferReq>(body) else {
        return;
    };
    rt().block_on(async {
        let blobs: Arc<dyn BlobStore> =
            Arc::new(ObjectBlobStore::from_config(&StorageConfig::Memory).unwrap());
        let clock = Arc::new(ManualClock::new(
            OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap(),
        ));
        let limits = TransferLimits {
            chunk_size: 64,
            max_file_size: 4096,
            max_per_user: 5,
            cleanup_after_secs: 3600,
            max_chunk_size: 1024,
            quota_user_bytes: 1 << 20,
            quota_room_bytes: 1 << 20,
        };
        let svc = TransferService::new(
            Arc::new(MemoryTransferStore::default()),
            blobs.clone(),
            clock,
            limits,
        );
        let room = RoomId::parse("fuzz").unwrap();
        let (alice, bob) = (
            UserId::parse("alice").unwrap(),
            UserId::parse("bob").unwrap(),
        );
        let Ok((t, _)) = svc.offer(&room, &alice, &bob, req).await else {
            return;
        };
        if t.mode == file_transfer::TransferMode::Server {
            svc.act(&t.transfer_id, &bob, file_transfer::TransferAction::Accept)
                .await
                .unwrap();
        }
        let index = u64::from(chunk.first().copied().unwrap_or(0)) % (t.total_chunks + 1);
        let r = svc
            .put_chunk(
                &t.transfer_id,
                &alice,
                index,
                hash,
                Bytes::copy_from_slice(chunk),
            )
            .await;
        for m in blobs
            .list(&format!("transfers/{}/chunks", t.transfer_id))
            .await
            .unwrap()
        {
            let stored = blobs
                .get(&m.key, None)
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap();
            assert!(r.is_ok(), "a refused chunk was stored");
            assert_eq!(
                file_transfer::sha256_hex(&stored),
                hash.to_ascii_lowercase(),
                "stored bytes differ from the declared hash"
            );
        }
    });
});
