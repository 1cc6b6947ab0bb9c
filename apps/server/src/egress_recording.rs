//! Server recordings: the room's composite (an [`egress::Egress`] with a
//! file output) stored through the blob store as the recording's chunks,
//! under the [`pipeline::COMPOSITE`] name, and the end marker
//! ([`pipeline::CompositeEnd`]) once the file is complete, which the
//! processing job waits for. An egress that ends by itself (a limit, a
//! failed encoder, the room's media moved) stops the recording, so what
//! it holds is processed like a stopped recording.

use std::time::Duration;

use bytes::Bytes;
use egress::{Egress, EgressConfig, Output, Retry, Status};
use recording::pipeline::{self, COMPOSITE, CompositeEnd};
use signaling_core::room::StreamLayout;
use signaling_core::{RoomId, RoomService};
use tokio::sync::mpsc;

use crate::egress::{Egresses, next_tap};

/// A chunk is stored once it holds this much…
const CHUNK_BYTES: usize = 4 << 20;
/// …or is this old, so a dead instance loses at most this much.
const CHUNK_AGE: Duration = Duration::from_secs(5);

/// Starts recording `room` as recording `id` on this instance.
pub(crate) fn start(
    egresses: &Egresses,
    room: &RoomId,
    id: String,
    layout: StreamLayout,
    quality: recording::Quality,
    service: &RoomService,
) {
    let cfg = egresses.settings();
    let tap = next_tap();
    let (this, service, room) = (egresses.clone(), service.clone(), room.clone());
    let blobs = cfg.blobs.clone();
    if !egresses.admit_recording(tap, &room, &id) {
        let error = format!(
            "this instance runs {} server recordings, its limit (RTC_SERVER_RECORDING_MAX_CONCURRENT)",
            cfg.max_recordings
        );
        tokio::spawn(async move {
            finish(&*blobs, &id, 0, Some(error)).await;
            service.server_recording_ended(&room, &id).await;
        });
        return;
    }
    let (pieces, mut pieces_rx) = mpsc::channel::<Vec<u8>>(64);
    let (tx, mut statuses) = mpsc::unbounded_channel();
    let config = EgressConfig {
        ffmpeg: cfg.ffmpeg.clone(),
        layout,
        preset: quality.settings(),
        outputs: vec![Output::File(pieces)],
        scratch: cfg.scratch.clone(),
        max_duration: cfg.recording_max_duration,
        retry: Retry::default(),
    };
    tokio::spawn(async move {
        if !this.run_recording(tap, &room, Egress::start(config, tx)) {
            // Stopped before it started.
            finish(&*blobs, &id, 0, None).await;
            return;
        }
        let mut chunk = Vec::with_capacity(CHUNK_BYTES);
        let mut since = tokio::time::Instant::now();
        let mut seq = 0u64;
        let mut error: Option<String> = None;
        let (mut pieces_open, mut statuses_open) = (true, true);
        let mut age = tokio::time::interval(Duration::from_secs(1));
        while pieces_open || statuses_open {
            tokio::select! {
                piece = pieces_rx.recv(), if pieces_open => match piece {
                    Some(p) => chunk.extend_from_slice(&p),
                    None => pieces_open = false,
                },
                status = statuses.recv(), if statuses_open => match status {
                    Some(Status::Failed { reason }) => error = Some(reason),
                    Some(_) => {}
                    None => statuses_open = false,
                },
                _ = age.tick() => {}
            }
            let full = chunk.len() >= CHUNK_BYTES;
            let old = !chunk.is_empty() && since.elapsed() >= CHUNK_AGE;
            if full || old || (!pieces_open && !chunk.is_empty()) {
                seq += 1;
                let bytes = Bytes::from(std::mem::take(&mut chunk));
                let key = pipeline::chunk_key(&id, COMPOSITE, seq);
                if let Err(e) = store(&*blobs, &key, bytes).await {
                    tracing::warn!(recording = %id, error = %e, "storing a server recording's chunk failed");
                    error.get_or_insert_with(|| format!("storing the recording failed: {e}"));
                }
                since = tokio::time::Instant::now();
            }
        }
        this.ended(tap);
        finish(&*blobs, &id, seq, error).await;
        // Stopped by the room already, or ended by itself: the recording
        // stops either way (nothing happens to one already stopped).
        service.server_recording_ended(&room, &id).await;
    });
}

/// Stores `bytes` at `key`, trying three times.
async fn store(blobs: &dyn storage::BlobStore, key: &str, bytes: Bytes) -> Result<(), String> {
    let mut last = String::new();
    for attempt in 0..3u32 {
        match blobs.put(key, bytes.clone()).await {
            Ok(_) => return Ok(()),
            Err(e) => last = e.to_string(),
        }
        tokio::time::sleep(Duration::from_millis(500 << attempt)).await;
    }
    Err(last)
}

/// Stores the end marker the processing job waits for.
async fn finish(blobs: &dyn storage::BlobStore, id: &str, chunks: u64, error: Option<String>) {
    let end = CompositeEnd { chunks, error };
    let body = serde_json::to_vec(&end).unwrap_or_default();
    if let Err(e) = store(blobs, &pipeline::composite_end_key(id), Bytes::from(body)).await {
        tracing::warn!(recording = %id, error = %e, "storing a server recording's end failed");
    }
}
