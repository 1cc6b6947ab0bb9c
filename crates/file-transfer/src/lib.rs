//! File transfer: the transfer state machine and chunk vocabulary, with the
//! port that stores transfer records. Bytes go through the `storage` crate.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

/// Limits (seed defaults: 64 KiB chunks, 500 MB files, 5 per user, 1 hour).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransferLimits {
    /// Chunk size in bytes.
    pub chunk_size: u64,
    /// Largest file in bytes.
    pub max_file_size: u64,
    /// Concurrent transfers per user.
    pub max_per_user: usize,
    /// Seconds before an unfinished transfer and its chunks are removed.
    pub cleanup_after_secs: u64,
}

impl Default for TransferLimits {
    fn default() -> Self {
        TransferLimits {
            chunk_size: 64 * 1024,
            max_file_size: 500 * 1000 * 1000,
            max_per_user: 5,
            cleanup_after_secs: 3600,
        }
    }
}

/// Transfer states.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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

/// Errors of the transfer store port.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    /// The backing store is unreachable.
    #[error("transfer store unavailable: {0}")]
    Unavailable(String),
}

/// Where transfer records live (in memory or Redis).
#[async_trait]
pub trait TransferStore: Send + Sync {
    /// Stores a record (JSON) under its id.
    async fn put(&self, id: &str, record: &str) -> Result<(), StoreError>;
    /// Loads a record.
    async fn get(&self, id: &str) -> Result<Option<String>, StoreError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifecycle_and_refused_transitions() {
        let s = TransferState::Pending
            .apply(TransferAction::Accept)
            .unwrap();
        let s = s
            .apply(TransferAction::Pause)
            .unwrap()
            .apply(TransferAction::Resume)
            .unwrap();
        assert_eq!(
            s.apply(TransferAction::Complete).unwrap(),
            TransferState::Completed
        );
        assert!(
            TransferState::Completed
                .apply(TransferAction::Resume)
                .is_err()
        );
        assert!(TransferState::Pending.apply(TransferAction::Pause).is_err());
    }
}
