//! Transfer records, states, limits and input checks.

use kernel::{RoomId, SignalError, UserId};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// Smallest chunk size a sender may choose (except for the last chunk).
pub const MIN_CHUNK: u64 = 1024;

/// Limits (seed defaults: 64 KiB chunks, 500 MiB (524,288,000-byte) files, 5 per user, 1 hour;
/// quotas 1 GiB per sender and 5 GiB per room).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransferLimits {
    /// Chunk size in bytes.
    pub chunk_size: u64,
    /// Largest file in bytes.
    pub max_file_size: u64,
    /// Concurrent transfers per user.
    pub max_per_user: usize,
    /// Seconds without progress before a transfer and its chunks are removed.
    pub cleanup_after_secs: u64,
    /// Largest chunk size a sender may choose.
    pub max_chunk_size: u64,
    /// Bytes of server-mode files one sender may hold at once: every
    /// transfer counts with its whole declared size from its offer until
    /// its bytes are deleted (rejected, cancelled, failed, or expired),
    /// finished ones included.
    pub quota_user_bytes: u64,
    /// The same, for all senders of one room together.
    pub quota_room_bytes: u64,
}

impl Default for TransferLimits {
    fn default() -> Self {
        TransferLimits {
            chunk_size: 64 * 1024,
            max_file_size: 500 * 1024 * 1024,
            max_per_user: 5,
            cleanup_after_secs: 3600,
            max_chunk_size: 8 * 1024 * 1024,
            quota_user_bytes: 1 << 30,
            quota_room_bytes: 5 << 30,
        }
    }
}

/// Transfer states.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TransferState {
    /// Offered, waiting for the receiver.
    Pending,
    /// Accepted; chunks flowing.
    Active,
    /// Paused by either party.
    Paused,
    /// All chunks verified.
    Completed,
    /// Refused by the receiver.
    Rejected,
    /// Cancelled by either party.
    Cancelled,
    /// Expired or failed verification.
    Failed,
}

/// Actions on a transfer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransferAction {
    /// Receiver accepts.
    Accept,
    /// Receiver rejects.
    Reject,
    /// Pause.
    Pause,
    /// Resume.
    Resume,
    /// Cancel.
    Cancel,
    /// Last chunk verified.
    Complete,
    /// Expired or corrupt.
    Fail,
}

/// A transition that is not allowed from the current state.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot {action:?} a transfer that is {from:?}")]
pub struct InvalidTransition {
    /// Current state.
    pub from: TransferState,
    /// Attempted action.
    pub action: TransferAction,
}

impl TransferState {
    /// The state after `action`, or an error if not allowed.
    pub fn apply(self, action: TransferAction) -> Result<TransferState, InvalidTransition> {
        use TransferAction as A;
        use TransferState as S;
        Ok(match (self, action) {
            (S::Pending, A::Accept) => S::Active,
            (S::Pending, A::Reject) => S::Rejected,
            (S::Active, A::Pause) => S::Paused,
            (S::Paused, A::Resume) => S::Active,
            (S::Active, A::Complete) => S::Completed,
            (S::Pending | S::Active | S::Paused, A::Cancel) => S::Cancelled,
            (S::Pending | S::Active | S::Paused, A::Fail) => S::Failed,
            (from, action) => return Err(InvalidTransition { from, action }),
        })
    }

    /// Whether no further action is possible.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            Self::Completed | Self::Rejected | Self::Cancelled | Self::Failed
        )
    }
}

/// How the bytes travel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum TransferMode {
    /// Uploaded to the server in chunks, downloaded from it.
    Server,
    /// Over a WebRTC data channel; the server tracks reported progress.
    PeerToPeer,
}

/// An offer's body.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OfferReq {
    /// The receiver.
    #[serde(alias = "receiver_id", alias = "target", alias = "to")]
    pub receiver: UserId,
    /// File name (no path). `filename` is seed 001's name for it.
    /// [`FILE_NAME_PATTERN`].
    #[serde(alias = "filename")]
    #[cfg_attr(
        feature = "openapi",
        schema(
            pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000/\\\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069.]|[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000/\\\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069.][^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000/\\\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]|\.[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000/\\\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069.]|[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000/\\\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069][^/\\\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]{1,253}[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000/\\\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069])[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
        )
    )]
    pub file_name: String,
    /// Size in bytes, at least 1, at most the deployment's limit (500 MiB
    /// by default; `413 FILE_TOO_LARGE` above it).
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 524_288_000.0))]
    pub file_size: u64,
    /// MIME type.
    #[serde(default, alias = "mime_type")]
    pub file_type: Option<String>,
    /// Hex SHA-256 of the whole file. Optional: without it every chunk is
    /// still checked against its own, and the transfer's `file_checksum`
    /// says the whole file was not.
    #[serde(default, alias = "checksum")]
    #[cfg_attr(
        feature = "openapi",
        schema(
            pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[0-9A-Fa-f]{64}[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
        )
    )]
    pub sha256: Option<String>,
    /// Chunk size in bytes (default 64 KiB): at least 1024, at most the
    /// deployment's `RTC_TRANSFER_MAX_CHUNK_BYTES` (8 MiB by default).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = 1024, maximum = 8_388_608.0))]
    pub chunk_size: Option<u64>,
    /// `server` (default) or `peer_to_peer`.
    #[serde(default)]
    pub mode: Option<TransferMode>,
}

/// A transfer record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Transfer {
    /// Id (UUID).
    pub transfer_id: String,
    /// The room it was offered in.
    pub room_id: RoomId,
    /// Who sends.
    pub sender: UserId,
    /// Who receives.
    pub receiver: UserId,
    /// File name.
    pub file_name: String,
    /// Size in bytes.
    pub file_size: u64,
    /// MIME type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_type: Option<String>,
    /// Hex SHA-256 of the whole file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// Chunk size.
    pub chunk_size: u64,
    /// Number of chunks.
    pub total_chunks: u64,
    /// Server or peer-to-peer.
    pub mode: TransferMode,
    /// State.
    pub state: TransferState,
    /// Bytes reported (peer-to-peer) or stored (server, once complete).
    pub bytes_transferred: u64,
    /// Created.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Last change.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    /// When it and its chunks are removed.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    /// Why it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<String>,
    /// What the whole file was checked against (every server-mode chunk
    /// is checked against its own SHA-256 either way).
    #[serde(default)]
    pub file_checksum: FileChecksum,
}

/// Whether the whole file of a transfer is verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum FileChecksum {
    /// The offer gave the file's SHA-256 and the stored file matched it
    /// (once complete).
    #[default]
    Offered,
    /// The offer gave none (as the seeds' clients send); not yet complete.
    NotOffered,
    /// The offer gave none; the server computed the stored file's SHA-256
    /// (in `sha256` and the download's header), which nothing checked.
    Computed,
}

impl Transfer {
    /// The exact length of chunk `index`.
    pub fn chunk_len(&self, index: u64) -> u64 {
        let start = index * self.chunk_size;
        self.chunk_size.min(self.file_size.saturating_sub(start))
    }
}

/// A transfer with its progress, as the parties see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TransferView {
    /// The record.
    #[serde(flatten)]
    pub transfer: Transfer,
    /// Chunks stored (server mode).
    pub received_chunks: u64,
    /// Bytes done.
    #[serde(rename = "bytes_done")]
    pub bytes_transferred: u64,
    /// Percent done.
    pub progress_percent: f64,
    /// `received_chunks` under seed 000's name.
    pub chunks_received: u64,
    /// `state` under seed 001's name.
    pub status: TransferState,
}

impl TransferView {
    /// The view of `t` with `received` chunks stored.
    pub fn of(t: &Transfer, received: u64) -> Self {
        let bytes = match t.mode {
            TransferMode::Server if received == t.total_chunks => t.file_size,
            TransferMode::Server => (received * t.chunk_size).min(t.file_size),
            TransferMode::PeerToPeer => t.bytes_transferred,
        };
        TransferView {
            transfer: t.clone(),
            received_chunks: received,
            bytes_transferred: bytes,
            progress_percent: (bytes as f64 * 100.0 / t.file_size.max(1) as f64 * 10.0).round()
                / 10.0,
            chunks_received: received,
            status: t.state,
        }
    }
}

/// What [`check_file_name`] accepts, as an ECMA-262 pattern for API
/// documents: white space around (trimmed), then 1 to 255 characters
/// without `/`, `\\`, control or bidi-override characters, not `.` or `..`.
/// White space is listed (Unicode `White_Space`, what `str::trim` removes)
/// so that no engine's idea of `\s` matters. Checked against the function.
pub const FILE_NAME_PATTERN: &str = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000/\\\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069.]|[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000/\\\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069.][^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000/\\\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]|\.[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000/\\\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069.]|[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000/\\\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069][^/\\\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]{1,253}[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000/\\\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069])[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$";

/// A file name without path: 1-255 characters, no `/`, `\`, control or
/// bidi-override characters, not `.` or `..`. Returned trimmed.
pub fn check_file_name(name: &str) -> Result<String, SignalError> {
    let n = name.trim();
    let bad = |why: &str| SignalError::invalid(format!("file_name {name:?}: {why}"));
    if n.is_empty() || n.chars().count() > 255 {
        return Err(bad("must be 1-255 characters"));
    }
    if n.chars().any(|c| {
        c == '/'
            || c == '\\'
            || c.is_control()
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    }) {
        return Err(bad("no path separators or control characters"));
    }
    if n == "." || n == ".." {
        return Err(bad("not a file name"));
    }
    Ok(n.to_owned())
}

/// A hex SHA-256, lower-cased.
pub fn check_sha256(h: &str) -> Result<String, SignalError> {
    let h = h.trim().to_ascii_lowercase();
    if h.len() != 64 || !h.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(SignalError::invalid("sha256 must be 64 hex characters"));
    }
    Ok(h)
}

#[cfg(test)]
mod pattern_tests {
    use super::*;

    /// The documented pattern accepts exactly what `check_file_name` does:
    /// every string of up to four characters over an alphabet of the
    /// interesting kinds, and names around the 255-character limit.
    #[test]
    fn file_name_pattern_matches_the_check() {
        let re = regex_lite::Regex::new(FILE_NAME_PATTERN).unwrap();
        let alphabet = [
            'a', '.', ' ', '\t', '/', '\\', '\u{202E}', '\u{3000}', '\u{85}', 'é',
        ];
        let mut all = vec![String::new()];
        let mut frontier = vec![String::new()];
        for _ in 0..4 {
            frontier = frontier
                .iter()
                .flat_map(|s| alphabet.iter().map(move |c| format!("{s}{c}")))
                .collect();
            all.extend(frontier.iter().cloned());
        }
        for n in [253, 254, 255, 256] {
            all.push("x".repeat(n));
            all.push(format!(" {} ", "é".repeat(n)));
            all.push(format!("a{}b", " ".repeat(n - 2)));
        }
        for s in all {
            assert_eq!(re.is_match(&s), check_file_name(&s).is_ok(), "{s:?}");
        }
    }
}
