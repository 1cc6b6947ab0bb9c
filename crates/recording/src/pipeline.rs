//! From uploaded chunks to playable files: where chunks are kept, the
//! transcoder port, and the processing job that assembles each
//! participant's chunks in order, transcodes them, thumbnails them and
//! stores the results through the blob store.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use bytes::Bytes;
use futures_util::StreamExt as _;
use storage::BlobStore;
use tokio::io::AsyncWriteExt as _;

use crate::{Failure, FailureCode, Format, MediaInfo, Quality, Recording, RecordingOutput};

/// Largest sequence number of a chunk.
pub const MAX_SEQUENCE: u64 = 1_000_000;

/// Where a participant's chunk `seq` of a recording is kept.
pub fn chunk_key(recording_id: &str, user_id: &str, seq: u64) -> String {
    format!("recordings/{recording_id}/chunks/{user_id}/{seq:08}")
}

/// Prefix of all chunks of a recording.
pub fn chunks_prefix(recording_id: &str) -> String {
    format!("recordings/{recording_id}/chunks")
}

/// Whose chunks a server recording's composite is (clients upload nothing
/// to a server recording, so no participant's chunks are named so).
pub const COMPOSITE: &str = "composite";

/// Where the egress of a server recording says it has stored its last
/// chunk ([`CompositeEnd`]).
pub fn composite_end_key(recording_id: &str) -> String {
    format!("recordings/{recording_id}/chunks/{COMPOSITE}.end")
}

/// The last word of a server recording's egress, stored after its last
/// chunk: how many chunks it stored, and why it ended early, if it did.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct CompositeEnd {
    /// Chunks stored.
    pub chunks: u64,
    /// Why the composite ended before the recording was stopped (a limit,
    /// an encoder failure), for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Waits up to `wait` for a server recording's [`CompositeEnd`]; `None`
/// when it never came (its instance died: what it stored is all there is).
pub async fn composite_end(
    blobs: &dyn BlobStore,
    recording_id: &str,
    wait: std::time::Duration,
) -> Option<CompositeEnd> {
    let key = composite_end_key(recording_id);
    let until = tokio::time::Instant::now() + wait;
    loop {
        if let Ok(blob) = blobs.get(&key, None).await
            && let Ok(bytes) = blob.bytes().await
        {
            return Some(serde_json::from_slice(&bytes).unwrap_or_default());
        }
        if tokio::time::Instant::now() >= until {
            return None;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
}

/// File extension of a container.
pub fn extension(f: Format) -> &'static str {
    match f {
        Format::Webm => "webm",
        Format::Mp4 => "mp4",
        Format::Mkv => "mkv",
    }
}

/// MIME type of a container.
pub fn mime(f: Format) -> &'static str {
    match f {
        Format::Webm => "video/webm",
        Format::Mp4 => "video/mp4",
        Format::Mkv => "video/x-matroska",
    }
}

/// Turns assembled source media into the requested container and preset.
///
/// The source is what participants uploaded, so it is hostile: an
/// implementation MUST NOT let its content choose how it is read (no
/// format probing that could pick a playlist or concat demuxer, no
/// protocols other than the local file it was given) and MUST return
/// [`FailureCode::UnsupportedMediaFormat`] for a source that is not a
/// recording container it reads. Failure messages are shown to the room:
/// no server paths, no tool output.
#[async_trait]
pub trait Transcoder: Send + Sync {
    /// Writes `output` from `input`; returns what the output holds.
    async fn transcode(
        &self,
        input: &Path,
        output: &Path,
        format: Format,
        quality: Quality,
    ) -> Result<MediaInfo, Failure>;
    /// Writes a JPEG still of `media` to `output`.
    async fn thumbnail(&self, media: &Path, output: &Path) -> Result<(), Failure>;
}

/// The received chunk sequences per participant.
pub async fn uploaded(
    blobs: &dyn BlobStore,
    recording_id: &str,
) -> Result<BTreeMap<String, Vec<(u64, u64)>>, String> {
    let list = blobs
        .list(&chunks_prefix(recording_id))
        .await
        .map_err(|e| format!("listing chunks: {e}"))?;
    let mut by_user: BTreeMap<String, Vec<(u64, u64)>> = BTreeMap::new();
    for m in list {
        let mut parts = m.key.rsplit('/');
        let (Some(seq), Some(user)) = (parts.next(), parts.next()) else {
            continue;
        };
        let Ok(seq) = seq.parse::<u64>() else {
            continue;
        };
        by_user
            .entry(user.to_owned())
            .or_default()
            .push((seq, m.size));
    }
    for v in by_user.values_mut() {
        v.sort();
    }
    Ok(by_user)
}

struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn storage(message: String) -> Failure {
    Failure::new(FailureCode::StorageUnavailable, message)
}

fn scratch(what: &str, e: std::io::Error) -> Failure {
    tracing::warn!(error = %e, "recording scratch {what} failed");
    Failure::new(
        FailureCode::MediaProcessingFailed,
        format!("the server could not {what} its working copy"),
    )
}

/// Processes a stopped recording: for each participant who uploaded (or
/// the server's composite), the chunks in sequence order become one
/// source file, which is transcoded
/// and thumbnailed; file and thumbnail are stored next to the chunks,
/// which are then deleted. Scratch files live under `scratch_dir` and are
/// always removed.
pub async fn process(
    rec: &Recording,
    blobs: &dyn BlobStore,
    transcoder: &dyn Transcoder,
    scratch_dir: &Path,
) -> Result<Vec<RecordingOutput>, Failure> {
    process_ended(rec, None, blobs, transcoder, scratch_dir).await
}

/// [`process`] for a recording whose media ended as `end` says (a server
/// recording's [`CompositeEnd`]): its reason becomes the failure's when
/// nothing was stored.
pub async fn process_ended(
    rec: &Recording,
    end: Option<&CompositeEnd>,
    blobs: &dyn BlobStore,
    transcoder: &dyn Transcoder,
    scratch_dir: &Path,
) -> Result<Vec<RecordingOutput>, Failure> {
    let id = &rec.recording_id;
    let users = uploaded(blobs, id).await.map_err(storage)?;
    if users.is_empty() {
        let why = match end.and_then(|e| e.error.as_deref()) {
            Some(error) => format!("the server recorded nothing: {error}"),
            None if rec.source == crate::Source::Server => {
                "the server recorded nothing (no media reached it)".to_owned()
            }
            None => "no media was uploaded for this recording".to_owned(),
        };
        return Err(Failure::new(FailureCode::NoMedia, why));
    }
    let dir = scratch_dir.join(format!("rec-{id}"));
    tokio::fs::create_dir_all(&dir)
        .await
        .map_err(|e| scratch("create", e))?;
    let _cleanup = Scratch(dir.clone());
    let ext = extension(rec.format);
    let mut outputs = Vec::new();
    for (user, seqs) in &users {
        let src = dir.join(format!("{user}.src"));
        let mut f = tokio::fs::File::create(&src)
            .await
            .map_err(|e| scratch("create", e))?;
        for (seq, _) in seqs {
            let blob = blobs
                .get(&chunk_key(id, user, *seq), None)
                .await
                .map_err(|e| storage(format!("reading chunk {seq} of {user}: {e}")))?;
            let mut s = blob.stream;
            while let Some(part) = s.next().await {
                let part =
                    part.map_err(|e| storage(format!("reading chunk {seq} of {user}: {e}")))?;
                f.write_all(&part).await.map_err(|e| scratch("write", e))?;
            }
        }
        f.flush().await.map_err(|e| scratch("write", e))?;
        drop(f);
        let out = dir.join(format!("{user}.{ext}"));
        let in_context =
            |f: Failure| Failure::new(f.code, format!("media of {user}: {}", f.message));
        let media = transcoder
            .transcode(&src, &out, rec.format, rec.quality)
            .await
            .map_err(in_context)?;
        let thumb = dir.join(format!("{user}.jpg"));
        transcoder
            .thumbnail(&out, &thumb)
            .await
            .map_err(in_context)?;
        let key = format!("recordings/{id}/{user}.{ext}");
        let thumbnail_key = format!("recordings/{id}/{user}.jpg");
        let file = tokio::fs::File::open(&out)
            .await
            .map_err(|e| scratch("read", e))?;
        let stream = tokio_util::io::ReaderStream::with_capacity(file, 1 << 20).boxed();
        blobs
            .put_stream(&key, stream, None)
            .await
            .map_err(|e| storage(format!("storing {key}: {e}")))?;
        let jpg = tokio::fs::read(&thumb)
            .await
            .map_err(|e| scratch("read", e))?;
        blobs
            .put(&thumbnail_key, Bytes::from(jpg))
            .await
            .map_err(|e| storage(format!("storing {thumbnail_key}: {e}")))?;
        outputs.push(RecordingOutput {
            user_id: user.clone(),
            key,
            thumbnail_key,
            media,
        });
    }
    if let Err(e) = blobs.delete_prefix(&chunks_prefix(id)).await {
        tracing::warn!(recording = %id, error = %e, "deleting processed chunks failed");
    }
    Ok(outputs)
}
