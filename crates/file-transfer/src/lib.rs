//! File transfer between two participants of a room, with real bytes.
//!
//! In server mode the sender uploads chunks with their SHA-256; each is
//! verified before it is stored through the blob-store port, repeats are
//! answered idempotently, the missing chunks can be listed at any time (so
//! an interrupted upload resumes), and when the last chunk arrives the
//! whole-file SHA-256 from the offer is checked. Chunks are refused until
//! the receiver accepts (`TRANSFER_NOT_ACCEPTED`), and each offer reserves
//! its whole file size against the sender's and the room's byte quotas
//! (`QUOTA_EXCEEDED`) until its bytes are deleted. The receiver then
//! downloads the file, with byte ranges, straight from the stored chunks.
//! In peer-to-peer mode the bytes travel over a WebRTC data channel and the
//! server only records the progress the parties report.
//!
//! Transfer records live behind [`TransferStore`] (memory, Redis); chunk
//! bytes behind `storage::BlobStore`.

mod memory;
mod model;
#[cfg(any(test, feature = "testing"))]
pub mod testing;

use std::ops::Range;
use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use futures_util::StreamExt as _;
use futures_util::stream::BoxStream;
use kernel::Clock;
use kernel::quota::{Budget, MemoryQuotas, Quotas, keys};
use kernel::{ErrorCode, PortError, RoomId, SignalError, UserId};
use sha2::{Digest, Sha256};
use storage::{BlobError, BlobStore};
use time::OffsetDateTime;

pub use memory::MemoryTransferStore;
pub use model::*;

/// Where transfer records and their received-chunk sets live. Suite:
/// `transfer_store_suite!`.
#[async_trait]
pub trait TransferStore: Send + Sync {
    /// Inserts or replaces a record.
    async fn put(&self, t: &Transfer) -> Result<(), PortError>;
    /// A record.
    async fn get(&self, id: &str) -> Result<Option<Transfer>, PortError>;
    /// Records where `user` is sender or receiver.
    async fn list_user(&self, user: &UserId) -> Result<Vec<Transfer>, PortError>;
    /// Every record (for the expiry sweep).
    async fn list_all(&self) -> Result<Vec<Transfer>, PortError>;
    /// Marks chunk `index` received; returns how many chunks are received
    /// now. MUST be atomic: concurrent marks never lose one.
    async fn mark_chunk(&self, id: &str, index: u64) -> Result<u64, PortError>;
    /// The received chunk indexes, ascending.
    async fn chunks(&self, id: &str) -> Result<Vec<u64>, PortError>;
    /// Forgets a record and its chunk set; an unknown id is fine.
    async fn delete(&self, id: &str) -> Result<(), PortError>;
}

/// A message for the parties, carried over the WebSocket by the caller
/// (the room crate turns it into a `file-share-*` server message).
#[derive(Debug, Clone)]
pub struct Notice {
    /// Recipients.
    pub to: Vec<UserId>,
    /// Which `file-share-*` message it is.
    pub kind: NoticeKind,
    /// Who the message is from: the sender for an offer and progress, the
    /// receiver for an answer and completion.
    pub from: UserId,
    /// The transfer with its progress.
    pub view: TransferView,
}

fn blob_err(e: BlobError) -> SignalError {
    match e {
        BlobError::NotFound(m) => SignalError::new(ErrorCode::TransferNotFound, m),
        BlobError::InvalidRange(m) => SignalError::new(ErrorCode::InvalidRange, m),
        other => SignalError::new(ErrorCode::ServiceUnavailable, other.to_string()),
    }
}

fn not_found(id: &str) -> SignalError {
    SignalError::new(ErrorCode::TransferNotFound, format!("no transfer {id}"))
}

/// Hex of a SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// What an upload answer says.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChunkAck {
    /// The chunk.
    pub index: u64,
    /// It had arrived before; nothing was written.
    pub duplicate: bool,
    /// Chunks received so far.
    pub received_chunks: u64,
    /// Chunks in the file.
    pub total_chunks: u64,
    /// The transfer's state after this chunk.
    pub state: TransferState,
}

/// The transfer service: state machine, limits, verification, bytes.
#[derive(Clone)]
pub struct TransferService {
    store: Arc<dyn TransferStore>,
    blobs: Arc<dyn BlobStore>,
    clock: Arc<dyn Clock>,
    limits: TransferLimits,
    quotas: Arc<dyn Quotas>,
}

impl TransferService {
    /// A service over its ports, with quotas kept in this process (see
    /// [`TransferService::with_quotas`]).
    pub fn new(
        store: Arc<dyn TransferStore>,
        blobs: Arc<dyn BlobStore>,
        clock: Arc<dyn Clock>,
        limits: TransferLimits,
    ) -> Self {
        TransferService {
            store,
            blobs,
            clock,
            limits,
            quotas: Arc::new(MemoryQuotas::default()),
        }
    }

    /// The same service counting its byte quotas in `quotas` (shared by
    /// every instance).
    pub fn with_quotas(mut self, quotas: Arc<dyn Quotas>) -> Self {
        self.quotas = quotas;
        self
    }

    /// Gives back what transfer `id` reserved; idempotent, so every path
    /// that deletes a transfer's bytes may call it.
    async fn release(&self, id: &str) {
        if let Err(e) = self.quotas.release(&keys::transfer_token(id)).await {
            tracing::warn!(transfer = %id, error = %e, "releasing the transfer's quota failed");
        }
    }

    /// The limits in force.
    pub fn limits(&self) -> TransferLimits {
        self.limits
    }

    fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    fn chunk_key(id: &str, index: u64) -> String {
        format!("transfers/{id}/chunks/{index:08}")
    }

    /// Loads a transfer the caller is a party of; anyone else gets
    /// `TRANSFER_NOT_FOUND`, so ids of others' transfers leak nothing.
    pub async fn get_for(&self, id: &str, user: &UserId) -> Result<Transfer, SignalError> {
        let t = self.store.get(id).await?.ok_or_else(|| not_found(id))?;
        if &t.sender != user && &t.receiver != user {
            return Err(not_found(id));
        }
        // Past its expiry the transfer is about to be swept with its bytes.
        if self.now() >= t.expires_at {
            return Err(SignalError::new(
                ErrorCode::TransferExpired,
                format!("transfer {id} expired; offer the file again"),
            ));
        }
        Ok(t)
    }

    /// A transfer as its parties see it.
    pub async fn view(&self, t: &Transfer) -> Result<TransferView, SignalError> {
        let received = match t.mode {
            TransferMode::Server => self.store.chunks(&t.transfer_id).await?.len() as u64,
            TransferMode::PeerToPeer => 0,
        };
        Ok(TransferView::of(t, received))
    }

    /// Offers a file from `sender` to `receiver` (both checked to be in the
    /// room by the caller).
    pub async fn offer(
        &self,
        room: &RoomId,
        sender: &UserId,
        receiver: &UserId,
        req: OfferReq,
    ) -> Result<(Transfer, Notice), SignalError> {
        if sender == receiver {
            return Err(SignalError::new(
                ErrorCode::InvalidTarget,
                "send files to someone else",
            ));
        }
        let file_name = check_file_name(&req.file_name)?;
        if req.file_size == 0 {
            return Err(SignalError::invalid("file_size must be at least 1 byte"));
        }
        if req.file_size > self.limits.max_file_size {
            return Err(SignalError::new(
                ErrorCode::FileTooLarge,
                format!(
                    "{} bytes is over the {} byte limit",
                    req.file_size, self.limits.max_file_size
                ),
            ));
        }
        let mode = req.mode.unwrap_or(TransferMode::Server);
        // The seeds' clients offer without a whole-file checksum; every
        // chunk is still checked against its own, and the transfer says
        // the whole file was not (`file_checksum`).
        let sha256 = req.sha256.as_deref().map(check_sha256).transpose()?;
        let file_checksum = match (&sha256, mode) {
            (Some(_), _) => FileChecksum::Offered,
            (None, TransferMode::Server) => FileChecksum::NotOffered,
            (None, TransferMode::PeerToPeer) => FileChecksum::NotOffered,
        };
        let chunk_size = req.chunk_size.unwrap_or(self.limits.chunk_size);
        if !(MIN_CHUNK..=self.limits.max_chunk_size).contains(&chunk_size) {
            return Err(SignalError::invalid(format!(
                "chunk_size must be {MIN_CHUNK}..={} bytes",
                self.limits.max_chunk_size
            )));
        }
        let active = self
            .store
            .list_user(sender)
            .await?
            .iter()
            .filter(|t| &t.sender == sender && !t.state.is_terminal())
            .count();
        if active >= self.limits.max_per_user {
            return Err(SignalError::new(
                ErrorCode::TooManyTransfers,
                format!(
                    "{} transfers in progress (limit {})",
                    active, self.limits.max_per_user
                ),
            ));
        }
        let now = self.now();
        let transfer_id = uuid::Uuid::new_v4().to_string();
        if mode == TransferMode::Server {
            // The whole file counts from the offer on: the bytes may all
            // arrive, and must fit before any of them is written.
            let (user_key, room_key) = (
                keys::transfer_user(sender.as_str()),
                keys::transfer_room(room.as_str()),
            );
            let budgets = [
                Budget {
                    key: &user_key,
                    max: self.limits.quota_user_bytes,
                },
                Budget {
                    key: &room_key,
                    max: self.limits.quota_room_bytes,
                },
            ];
            let token = keys::transfer_token(&transfer_id);
            if !self.quotas.reserve(&token, &budgets, req.file_size).await? {
                return Err(SignalError::new(
                    ErrorCode::QuotaExceeded,
                    format!(
                        "{} more bytes would pass your transfer quota of {} bytes or the room's of {}; \
                         finished files count until they expire",
                        req.file_size, self.limits.quota_user_bytes, self.limits.quota_room_bytes
                    ),
                ));
            }
        }
        let t = Transfer {
            transfer_id,
            room_id: room.clone(),
            sender: sender.clone(),
            receiver: receiver.clone(),
            file_name,
            file_size: req.file_size,
            file_type: req.file_type.map(|m| m.chars().take(128).collect()),
            sha256,
            chunk_size,
            total_chunks: req.file_size.div_ceil(chunk_size),
            mode,
            state: TransferState::Pending,
            bytes_transferred: 0,
            created_at: now,
            updated_at: now,
            expires_at: now + time::Duration::seconds(self.limits.cleanup_after_secs as i64),
            failure: None,
            file_checksum,
        };
        if let Err(e) = self.store.put(&t).await {
            self.release(&t.transfer_id).await;
            return Err(e.into());
        }
        let notice = self.notice(&t, 0, NoticeKind::Offer);
        Ok((t, notice))
    }

    fn notice(&self, t: &Transfer, received: u64, kind: NoticeKind) -> Notice {
        let from = match kind {
            NoticeKind::Offer | NoticeKind::Progress => t.sender.clone(),
            _ => t.receiver.clone(),
        };
        let to = match kind {
            NoticeKind::Offer => vec![t.receiver.clone()],
            NoticeKind::Accept | NoticeKind::Reject => vec![t.sender.clone()],
            NoticeKind::Progress | NoticeKind::Complete => {
                vec![t.sender.clone(), t.receiver.clone()]
            }
        };
        Notice {
            to,
            kind,
            from,
            view: TransferView::of(t, received),
        }
    }

    /// Accept, reject, pause, resume or cancel, by whoever may.
    pub async fn act(
        &self,
        id: &str,
        user: &UserId,
        action: TransferAction,
    ) -> Result<(TransferView, Option<Notice>), SignalError> {
        let mut t = self.get_for(id, user).await?;
        let receiver_only = matches!(action, TransferAction::Accept | TransferAction::Reject);
        if receiver_only && user != &t.receiver {
            return Err(SignalError::denied(
                "only the receiver may accept or reject",
            ));
        }
        if matches!(action, TransferAction::Complete | TransferAction::Fail) {
            return Err(SignalError::denied("transfers complete by themselves"));
        }
        t.state = t
            .state
            .apply(action)
            .map_err(|e| SignalError::new(ErrorCode::InvalidStateTransition, e.to_string()))?;
        t.updated_at = self.now();
        self.store.put(&t).await?;
        if t.state == TransferState::Cancelled || t.state == TransferState::Rejected {
            self.drop_chunks(&t.transfer_id).await;
            self.release(&t.transfer_id).await;
        }
        let received = self.view(&t).await?.received_chunks;
        let notice = match action {
            TransferAction::Accept => Some(self.notice(&t, received, NoticeKind::Accept)),
            TransferAction::Reject => Some(self.notice(&t, received, NoticeKind::Reject)),
            // Both parties hear about pauses, resumes and cancels.
            _ => Some(self.notice(&t, received, NoticeKind::Progress)),
        };
        Ok((TransferView::of(&t, received), notice))
    }

    async fn drop_chunks(&self, id: &str) {
        if let Err(e) = self.blobs.delete_prefix(&format!("transfers/{id}")).await {
            tracing::warn!(transfer = %id, error = %e, "deleting chunks failed");
        }
    }

    /// Stores one chunk from the sender after checking its index, size and
    /// SHA-256. A repeat of a stored chunk is acknowledged without writing.
    /// The last chunk triggers the whole-file check.
    pub async fn put_chunk(
        &self,
        id: &str,
        user: &UserId,
        index: u64,
        sha256: &str,
        data: Bytes,
    ) -> Result<(ChunkAck, Option<Notice>), SignalError> {
        let t = self.get_for(id, user).await?;
        if user != &t.sender {
            return Err(SignalError::denied("only the sender uploads"));
        }
        if t.mode != TransferMode::Server {
            return Err(SignalError::new(
                ErrorCode::InvalidStateTransition,
                "a peer-to-peer transfer has no server upload",
            ));
        }
        if t.state == TransferState::Pending {
            return Err(SignalError::new(
                ErrorCode::TransferNotAccepted,
                "the receiver has not accepted this transfer; upload after file-share-accept",
            ));
        }
        if t.state != TransferState::Active {
            return Err(SignalError::new(
                ErrorCode::InvalidStateTransition,
                format!("the transfer is {:?}; no chunks are accepted", t.state),
            ));
        }
        if index >= t.total_chunks {
            return Err(SignalError::new(
                ErrorCode::InvalidChunk,
                format!("chunk {index} is out of range 0..{}", t.total_chunks),
            ));
        }
        let want_len = t.chunk_len(index);
        if data.len() as u64 != want_len {
            return Err(SignalError::new(
                ErrorCode::InvalidChunk,
                format!("chunk {index} must be {want_len} bytes, got {}", data.len()),
            ));
        }
        let given = sha256.trim().to_ascii_lowercase();
        if sha256_hex(&data) != given {
            return Err(SignalError::new(
                ErrorCode::ChunkChecksumMismatch,
                format!("chunk {index} does not match its SHA-256; it was not stored"),
            ));
        }
        let received = self.store.chunks(id).await?;
        if received.binary_search(&index).is_ok() {
            return Ok((
                ChunkAck {
                    index,
                    duplicate: true,
                    received_chunks: received.len() as u64,
                    total_chunks: t.total_chunks,
                    state: t.state,
                },
                None,
            ));
        }
        self.blobs
            .put(&Self::chunk_key(id, index), data)
            .await
            .map_err(blob_err)?;
        let count = self.store.mark_chunk(id, index).await?;
        let mut t = t;
        t.updated_at = self.now();
        t.expires_at =
            t.updated_at + time::Duration::seconds(self.limits.cleanup_after_secs as i64);
        let mut notice = None;
        if count == t.total_chunks {
            match self.verify_whole(&mut t).await {
                Ok(()) => {
                    t.state = TransferState::Completed;
                    t.bytes_transferred = t.file_size;
                    notice = Some(self.notice(&t, count, NoticeKind::Complete));
                }
                Err(reason) => {
                    t.state = TransferState::Failed;
                    t.failure = Some(reason.clone());
                    self.store.put(&t).await?;
                    self.drop_chunks(id).await;
                    self.release(id).await;
                    return Err(SignalError::new(ErrorCode::FileChecksumMismatch, reason));
                }
            }
        } else if count.is_multiple_of(16) {
            notice = Some(self.notice(&t, count, NoticeKind::Progress));
        }
        // A racing pause or cancel wins over this write of the same record.
        if let Some(latest) = self.store.get(id).await?
            && latest.state != TransferState::Pending
            && latest.state != TransferState::Active
            && t.state != TransferState::Completed
        {
            t.state = latest.state;
        }
        self.store.put(&t).await?;
        Ok((
            ChunkAck {
                index,
                duplicate: false,
                received_chunks: count,
                total_chunks: t.total_chunks,
                state: t.state,
            },
            notice,
        ))
    }

    /// Checks the stored file against the offered SHA-256. Without one
    /// (a seed client's offer), computes it for the download's header and
    /// records that nothing could be checked against it.
    async fn verify_whole(&self, t: &mut Transfer) -> Result<(), String> {
        let mut h = Sha256::new();
        for i in 0..t.total_chunks {
            let blob = self
                .blobs
                .get(&Self::chunk_key(&t.transfer_id, i), None)
                .await
                .map_err(|e| format!("reading chunk {i}: {e}"))?;
            let mut s = blob.stream;
            while let Some(part) = s.next().await {
                h.update(&part.map_err(|e| format!("reading chunk {i}: {e}"))?);
            }
        }
        let got = hex(&h.finalize());
        let Some(want) = t.sha256.as_deref() else {
            t.sha256 = Some(got);
            t.file_checksum = FileChecksum::Computed;
            return Ok(());
        };
        if got == want {
            Ok(())
        } else {
            Err(format!(
                "the file's SHA-256 is {got}, the offer said {want}; the transfer failed"
            ))
        }
    }

    /// The chunk indexes still missing (server mode).
    pub async fn missing(&self, id: &str, user: &UserId) -> Result<Vec<u64>, SignalError> {
        let t = self.get_for(id, user).await?;
        let have = self.store.chunks(id).await?;
        Ok((0..t.total_chunks)
            .filter(|i| have.binary_search(i).is_err())
            .collect())
    }

    /// Progress reported by a party of a peer-to-peer transfer.
    pub async fn report_progress(
        &self,
        id: &str,
        user: &UserId,
        bytes: u64,
    ) -> Result<(TransferView, Notice), SignalError> {
        let mut t = self.get_for(id, user).await?;
        if t.mode != TransferMode::PeerToPeer {
            return Err(SignalError::new(
                ErrorCode::InvalidStateTransition,
                "server-mode progress comes from the uploaded chunks",
            ));
        }
        if t.state != TransferState::Active {
            return Err(SignalError::new(
                ErrorCode::InvalidStateTransition,
                format!("the transfer is {:?}", t.state),
            ));
        }
        if bytes > t.file_size {
            return Err(SignalError::invalid("bytes_transferred exceeds file_size"));
        }
        t.bytes_transferred = t.bytes_transferred.max(bytes);
        t.updated_at = self.now();
        let kind = if t.bytes_transferred == t.file_size {
            t.state = TransferState::Completed;
            NoticeKind::Complete
        } else {
            NoticeKind::Progress
        };
        self.store.put(&t).await?;
        let n = self.notice(&t, 0, kind);
        Ok((TransferView::of(&t, 0), n))
    }

    /// The file (or `range` of it) for a party, once complete: streamed
    /// from the stored chunks.
    pub async fn download(
        &self,
        id: &str,
        user: &UserId,
        range: Option<Range<u64>>,
    ) -> Result<
        (
            Transfer,
            Range<u64>,
            BoxStream<'static, Result<Bytes, BlobError>>,
        ),
        SignalError,
    > {
        let t = self.get_for(id, user).await?;
        if t.mode != TransferMode::Server || t.state != TransferState::Completed {
            return Err(SignalError::new(
                ErrorCode::InvalidStateTransition,
                "the file is not complete on the server",
            ));
        }
        let range = range.unwrap_or(0..t.file_size);
        if range.start >= range.end || range.end > t.file_size {
            return Err(SignalError::new(
                ErrorCode::InvalidRange,
                format!("{}..{} of {} bytes", range.start, range.end, t.file_size),
            ));
        }
        let blobs = self.blobs.clone();
        let (id2, cs) = (t.transfer_id.clone(), t.chunk_size);
        let first = range.start / cs;
        let last = (range.end - 1) / cs;
        let r = range.clone();
        let stream = futures_util::stream::iter(first..=last)
            .then(move |i| {
                let blobs = blobs.clone();
                let key = Self::chunk_key(&id2, i);
                let chunk_start = i * cs;
                let from = r.start.max(chunk_start) - chunk_start;
                let to = r.end.min(chunk_start + cs) - chunk_start;
                async move {
                    let b = blobs.get(&key, Some(from..to)).await?;
                    Ok::<_, BlobError>(b.stream)
                }
            })
            .map(|r| match r {
                Ok(s) => s,
                Err(e) => futures_util::stream::once(async move { Err(e) }).boxed(),
            })
            .flatten()
            .boxed();
        Ok((t, range, stream))
    }

    /// Transfers where `user` is a party, newest first.
    pub async fn list(&self, user: &UserId) -> Result<Vec<TransferView>, SignalError> {
        let mut out = Vec::new();
        for t in self.store.list_user(user).await? {
            out.push(self.view(&t).await?);
        }
        out.sort_by_key(|v| std::cmp::Reverse(v.transfer.created_at));
        Ok(out)
    }

    /// Deletes transfers (records and chunks) whose expiry passed:
    /// unfinished ones after an hour without progress, finished ones an hour
    /// after their last change, and gives their bytes back to the quotas.
    /// Returns how many went.
    pub async fn sweep_expired(&self) -> Result<usize, SignalError> {
        let now = self.now();
        let mut n = 0;
        for t in self.store.list_all().await? {
            if t.expires_at <= now {
                self.drop_chunks(&t.transfer_id).await;
                self.store.delete(&t.transfer_id).await?;
                self.release(&t.transfer_id).await;
                n += 1;
            }
        }
        Ok(n)
    }
}

/// Which `file-share-*` message a [`Notice`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeKind {
    /// `file-share-offer`, to the receiver.
    Offer,
    /// `file-share-accept`, to the sender.
    Accept,
    /// `file-share-reject`, to the sender.
    Reject,
    /// `file-share-progress`, to both.
    Progress,
    /// `file-share-complete`, to both.
    Complete,
}

#[cfg(test)]
mod tests;
