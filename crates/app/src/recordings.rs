//! Recording media after the room said yes: the rules for storing an
//! uploaded chunk ([`Uploads`]) and the worker that turns a stopped
//! recording's chunks into files ([`Worker`]), over the ports only
//! (`BlobStore`, `Quotas`, `RecordingStore`, `Transcoder`, `JobQueue`).
//! Whether the caller may upload at all is the room's rule
//! (`Command::AuthorizeRecordingUpload` through `RoomService::execute`), asked first by the handler.

use std::path::PathBuf;
use std::sync::Arc;

use bytes::Bytes;
use recording::pipeline::{self, MAX_SEQUENCE, Transcoder};
use recording::{Failure, RecordingStatus, Source};
use signaling_core::protocol::{RecordingView, ServerMessage};
use signaling_core::quota::{Budget, Quotas, keys};
use signaling_core::{ErrorCode, RoomId, RoomService, SignalError, UserId};
use storage::{BlobError, BlobStore};

/// How long one instance holds a processing job before another may take it.
pub const JOB_CLAIM_SECS: u64 = 900;

/// How long processing waits for a server recording's egress to store its
/// last chunk (it finishes its file within seconds of the stop; longer
/// means its instance died).
pub const COMPOSITE_END_WAIT: std::time::Duration = std::time::Duration::from_secs(30);

/// The byte budgets of recording media waiting to be processed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordingQuota {
    /// Per uploader.
    pub user_bytes: u64,
    /// Per room.
    pub room_bytes: u64,
}

/// A blob store failure as the error the caller sees.
pub fn blob_error(e: BlobError) -> SignalError {
    match e {
        BlobError::NotFound(m) => SignalError::new(ErrorCode::NotFound, m),
        BlobError::InvalidRange(m) => SignalError::new(ErrorCode::InvalidRange, m),
        BlobError::InvalidKey(m) => SignalError::new(ErrorCode::InvalidId, m),
        BlobError::Unavailable(m) => SignalError::new(ErrorCode::ServiceUnavailable, m),
    }
}

/// Stores uploaded chunks: idempotent, bounded by the quotas.
#[derive(Clone)]
pub struct Uploads {
    blobs: Arc<dyn BlobStore>,
    quotas: Arc<dyn Quotas>,
    quota: RecordingQuota,
}

/// One chunk of one participant's media.
#[derive(Debug, Clone)]
pub struct Chunk<'a> {
    /// The room (for the room's budget).
    pub room_id: &'a RoomId,
    /// The uploader.
    pub user_id: &'a UserId,
    /// The recording.
    pub recording_id: &'a str,
    /// Its place in the uploader's sequence, `0..=MAX_SEQUENCE`.
    pub sequence: u64,
    /// The bytes.
    pub data: Bytes,
}

impl Uploads {
    /// Uploads into `blobs`, counted against `quotas`.
    pub fn new(blobs: Arc<dyn BlobStore>, quotas: Arc<dyn Quotas>, quota: RecordingQuota) -> Self {
        Uploads {
            blobs,
            quotas,
            quota,
        }
    }

    /// Stores a chunk. Returns whether it was a duplicate: the same bytes
    /// under the same sequence are accepted again and stored (and counted)
    /// once; other bytes under a taken sequence are `INVALID_CHUNK`. A
    /// chunk that would pass the user's or the room's budget is
    /// `QUOTA_EXCEEDED` and never written: the bytes are counted before
    /// they are written.
    pub async fn store(&self, chunk: Chunk<'_>) -> Result<bool, SignalError> {
        let Chunk {
            room_id,
            user_id,
            recording_id: id,
            sequence: seq,
            data,
        } = chunk;
        if seq > MAX_SEQUENCE {
            return Err(SignalError::new(
                ErrorCode::InvalidChunk,
                format!("sequence must be 0..={MAX_SEQUENCE}"),
            ));
        }
        if data.is_empty() {
            return Err(SignalError::new(ErrorCode::InvalidChunk, "empty chunk"));
        }
        let key = pipeline::chunk_key(id, user_id.as_str(), seq);
        match self.blobs.get(&key, None).await {
            Ok(existing) => {
                let old = existing.bytes().await.map_err(blob_error)?;
                if old != data {
                    return Err(SignalError::new(
                        ErrorCode::InvalidChunk,
                        format!("chunk {seq} was already uploaded with other bytes"),
                    ));
                }
                Ok(true)
            }
            Err(BlobError::NotFound(_)) => {
                let (user_key, room_key) = (
                    keys::recording_user(user_id.as_str()),
                    keys::recording_room(room_id.as_str()),
                );
                let budgets = [
                    Budget {
                        key: &user_key,
                        max: self.quota.user_bytes,
                    },
                    Budget {
                        key: &room_key,
                        max: self.quota.room_bytes,
                    },
                ];
                if !self
                    .quotas
                    .reserve(&keys::recording_token(id), &budgets, data.len() as u64)
                    .await?
                {
                    return Err(SignalError::new(
                        ErrorCode::QuotaExceeded,
                        format!(
                            "chunk {seq} would pass the recording quota ({} bytes per user, {} per room) \
                             of media waiting to be processed; it was not stored",
                            self.quota.user_bytes, self.quota.room_bytes
                        ),
                    ));
                }
                self.blobs.put(&key, data).await.map_err(blob_error)?;
                Ok(false)
            }
            Err(e) => Err(blob_error(e)),
        }
    }
}

/// What [`Worker::process_one`] did with a job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Processed {
    /// No such record (any more): nothing to do.
    Gone,
    /// The recording was cancelled: its media (this many objects) deleted.
    Cancelled {
        /// Objects deleted.
        objects: usize,
    },
    /// The record is not waiting for processing (already done).
    NotProcessing,
    /// Another live instance holds the job.
    ClaimedElsewhere,
    /// Completed with this many files.
    Completed {
        /// Files made (one per participant who uploaded).
        files: usize,
    },
    /// Processing failed; the record says why.
    Failed(Failure),
}

/// Processes stopped recordings: assembles each participant's chunks,
/// transcodes, stores, and moves the record to completed or failed, then
/// tells the room and the webhooks.
#[derive(Clone)]
pub struct Worker {
    service: RoomService,
    blobs: Arc<dyn BlobStore>,
    transcoder: Arc<dyn Transcoder>,
    instance_id: String,
    scratch_dir: PathBuf,
}

impl Worker {
    /// A worker of instance `instance_id`, with scratch files under
    /// `scratch_dir`. Records, quotas and events come from the service's
    /// ports.
    pub fn new(
        service: RoomService,
        blobs: Arc<dyn BlobStore>,
        transcoder: Arc<dyn Transcoder>,
        instance_id: String,
        scratch_dir: PathBuf,
    ) -> Self {
        Worker {
            service,
            blobs,
            transcoder,
            instance_id,
            scratch_dir,
        }
    }

    /// Handles one queued recording id. A cancelled recording's media is
    /// deleted; a processing one is claimed (one instance at a time; a
    /// dead instance's claim is taken over), processed, finished and
    /// announced. Either way the chunk bytes go back to the quotas (the
    /// outputs are not counted). `Err` when a port failed before the
    /// record could be finished; the job is then picked up again by
    /// [`requeue_processing`].
    pub async fn process_one(&self, id: &str) -> Result<Processed, String> {
        let store = &self.service.ports().recordings;
        let Some(mut rec) = store.get(id).await.map_err(|e| e.to_string())? else {
            return Ok(Processed::Gone);
        };
        // A server recording's egress may still be storing its last
        // chunk: its end marker says it is done.
        let end = match rec.source {
            Source::Server
                if matches!(
                    rec.status,
                    RecordingStatus::Processing | RecordingStatus::Cancelled
                ) =>
            {
                pipeline::composite_end(self.blobs.as_ref(), id, COMPOSITE_END_WAIT).await
            }
            _ => None,
        };
        if rec.status == RecordingStatus::Cancelled {
            let objects = self
                .blobs
                .delete_prefix(&format!("recordings/{id}"))
                .await
                .map_err(|e| e.to_string())?;
            tracing::info!(recording = %id, objects, "cancelled recording's media deleted");
            self.release_quota(id).await;
            return Ok(Processed::Cancelled { objects });
        }
        if rec.status != RecordingStatus::Processing {
            return Ok(Processed::NotProcessing);
        }
        if !store
            .claim_job(id, &self.instance_id, JOB_CLAIM_SECS)
            .await
            .map_err(|e| e.to_string())?
        {
            return Ok(Processed::ClaimedElsewhere);
        }
        tracing::info!(recording = %id, "processing recording");
        let started = std::time::Instant::now();
        if rec.source == Source::Server && end.is_none() {
            tracing::warn!(recording = %id, "a server recording's egress never finished: what it stored is processed");
        }
        let result = pipeline::process_ended(
            &rec,
            end.as_ref(),
            self.blobs.as_ref(),
            self.transcoder.as_ref(),
            &self.scratch_dir,
        )
        .await;
        if result.is_err() {
            // Nothing will read a failed recording's chunks again.
            if let Err(e) = self.blobs.delete_prefix(&pipeline::chunks_prefix(id)).await {
                tracing::warn!(recording = %id, error = %e, "deleting a failed recording's chunks failed");
            }
        }
        // The chunks are gone (processing deletes them): their bytes no
        // longer count. Outputs are not counted (docs/security.md).
        self.release_quota(id).await;
        let processed = match &result {
            Ok(o) => {
                tracing::info!(recording = %id, files = o.len(), secs = started.elapsed().as_secs_f32(), "recording completed");
                Processed::Completed { files: o.len() }
            }
            Err(e) => {
                tracing::warn!(recording = %id, error = %e, "recording failed");
                Processed::Failed(e.clone())
            }
        };
        rec.finish(result).map_err(|e| e.to_string())?;
        store.put(&rec).await.map_err(|e| e.to_string())?;
        if let Ok(room_id) = RoomId::parse(&rec.room_id) {
            let recording = RecordingView::of(&rec, self.service.now());
            let event = if rec.status == RecordingStatus::Completed {
                "recording_completed"
            } else {
                "recording_failed"
            };
            self.service
                .ports()
                .events
                .emit(
                    &room_id,
                    event,
                    serde_json::json!({ "recording": recording }),
                )
                .await;
            self.service
                .notify_room(&room_id, ServerMessage::RecordingStatus { recording })
                .await;
        }
        Ok(processed)
    }

    /// Gives the recording's chunk bytes back to the uploaders' and the
    /// room's quotas; idempotent.
    async fn release_quota(&self, id: &str) {
        let token = keys::recording_token(id);
        if let Err(e) = self.service.ports().quotas.release(&token).await {
            tracing::warn!(recording = %id, error = %e, "releasing the recording's quota failed");
        }
    }
}

/// Queues every recording still marked processing (at start-up, and
/// periodically so one whose instance died is picked up again). Returns
/// how many were queued.
pub async fn requeue_processing(service: &RoomService) -> Result<usize, SignalError> {
    let list = service.ports().recordings.list_unfinished().await?;
    let mut n = 0;
    for r in list
        .iter()
        .filter(|r| r.status == RecordingStatus::Processing)
    {
        service.ports().jobs.enqueue(&r.recording_id);
        n += 1;
    }
    Ok(n)
}

#[cfg(test)]
mod tests;
