//! Storage: the blob-store port that file transfer and recording write
//! through. Adapters (local disk, memory, S3) arrive with the storage issue.

use async_trait::async_trait;

/// Errors a blob store returns.
#[derive(Debug, Clone, thiserror::Error)]
pub enum BlobError {
    /// No object at that key.
    #[error("not found: {0}")]
    NotFound(String),
    /// The backend is unreachable.
    #[error("storage unavailable: {0}")]
    Unavailable(String),
}

/// Object metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobMeta {
    /// Key.
    pub key: String,
    /// Size in bytes.
    pub size: u64,
}

/// A store of immutable blobs addressed by key.
#[async_trait]
pub trait BlobStore: Send + Sync {
    /// Writes `bytes` at `key`, replacing any object there.
    async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<BlobMeta, BlobError>;
    /// Reads `len` bytes from `offset` (the whole object when `None`).
    async fn get(&self, key: &str, range: Option<(u64, u64)>) -> Result<Vec<u8>, BlobError>;
    /// Metadata. MUST return [`BlobError::NotFound`] for a missing key.
    async fn head(&self, key: &str) -> Result<BlobMeta, BlobError>;
    /// Deletes; deleting a missing key is not an error.
    async fn delete(&self, key: &str) -> Result<(), BlobError>;
}
