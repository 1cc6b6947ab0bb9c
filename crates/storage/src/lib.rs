//! Storage: the blob-store port that file transfer and recording write
//! through, implemented once over the `object_store` crate for local disk
//! (the embedded default), memory, S3 (any S3-compatible endpoint), GCS and
//! Azure. Backends that cannot sign URLs (disk, memory) answer
//! `signed_url` with `None`; the server then issues its own expiring links
//! (see [`LinkSigner`]).

mod links;

use std::ops::Range;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use futures_util::stream::BoxStream;
use futures_util::{StreamExt as _, TryStreamExt as _};
use object_store::path::Path;
use object_store::prefix::PrefixStore;
use object_store::signer::{Method, Signer};
use object_store::{GetOptions, ObjectStore, ObjectStoreExt as _, PutPayload, WriteMultipart};

pub use links::{LinkError, LinkSigner};

/// Errors a blob store returns.
#[derive(Debug, Clone, thiserror::Error)]
pub enum BlobError {
    /// No object at that key.
    #[error("not found: {0}")]
    NotFound(String),
    /// The key is not acceptable (empty, `..`, control characters...).
    #[error("invalid key: {0}")]
    InvalidKey(String),
    /// The requested range is outside the object.
    #[error("range not satisfiable: {0}")]
    InvalidRange(String),
    /// The backend is unreachable or failed.
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

/// A byte stream with what it covers.
pub struct Blob {
    /// The whole object's metadata.
    pub meta: BlobMeta,
    /// The bytes delivered (the requested range, or the whole object).
    pub range: Range<u64>,
    /// The bytes.
    pub stream: BoxStream<'static, Result<Bytes, BlobError>>,
}

impl Blob {
    /// Collects the stream.
    pub async fn bytes(self) -> Result<Bytes, BlobError> {
        let parts: Vec<Bytes> = self.stream.try_collect().await?;
        Ok(parts.concat().into())
    }
}

/// Called with the bytes written so far during a streamed upload.
pub type Progress<'a> = &'a (dyn Fn(u64) + Send + Sync);

/// A store of immutable blobs addressed by `/`-separated keys.
#[async_trait]
pub trait BlobStore: Send + Sync {
    /// Writes `bytes` at `key` atomically, replacing any object there.
    async fn put(&self, key: &str, bytes: Bytes) -> Result<BlobMeta, BlobError>;
    /// Writes a stream at `key` as a multipart upload, calling `progress`
    /// with the running byte count as parts complete. Nothing is visible at
    /// `key` until the whole stream is written.
    async fn put_stream(
        &self,
        key: &str,
        stream: BoxStream<'_, Result<Bytes, std::io::Error>>,
        progress: Option<Progress<'_>>,
    ) -> Result<BlobMeta, BlobError>;
    /// Reads the object, or `range` of it (end exclusive).
    async fn get(&self, key: &str, range: Option<Range<u64>>) -> Result<Blob, BlobError>;
    /// Metadata. MUST return [`BlobError::NotFound`] for a missing key.
    async fn head(&self, key: &str) -> Result<BlobMeta, BlobError>;
    /// Objects under `prefix` (whole path segments), sorted by key.
    async fn list(&self, prefix: &str) -> Result<Vec<BlobMeta>, BlobError>;
    /// Deletes; deleting a missing key is not an error.
    async fn delete(&self, key: &str) -> Result<(), BlobError>;
    /// Deletes everything under `prefix`; returns how many objects went.
    async fn delete_prefix(&self, prefix: &str) -> Result<usize, BlobError> {
        let all = self.list(prefix).await?;
        for m in &all {
            self.delete(&m.key).await?;
        }
        Ok(all.len())
    }
    /// A URL from which anyone may GET the object until it expires, if the
    /// backend can sign one (S3, GCS, Azure); `None` otherwise.
    async fn signed_url(
        &self,
        key: &str,
        expires_in: Duration,
    ) -> Result<Option<String>, BlobError>;
}

/// Where the bytes go.
#[derive(Debug, Clone)]
pub enum StorageConfig {
    /// Process memory (tests, throwaway servers).
    Memory,
    /// A directory on local disk.
    Local {
        /// The directory; created if missing.
        dir: std::path::PathBuf,
    },
    /// An S3-compatible bucket.
    S3(S3Config),
    /// Any `object_store` URL (`gs://bucket`, `az://container`, `s3://bucket`)
    /// with its options (credentials, endpoint...).
    Url {
        /// The URL.
        url: String,
        /// Builder options, e.g. `("google_service_account", "...")`.
        options: Vec<(String, String)>,
    },
}

/// An S3-compatible bucket.
#[derive(Clone)]
pub struct S3Config {
    /// `http(s)://host:port` for a non-AWS endpoint; `None` for AWS.
    pub endpoint: Option<String>,
    /// Bucket name.
    pub bucket: String,
    /// Region (any value for most S3-compatible servers).
    pub region: String,
    /// Access key id.
    pub access_key: String,
    /// Secret access key.
    pub secret_key: String,
}

impl std::fmt::Debug for S3Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Config")
            .field("endpoint", &self.endpoint)
            .field("bucket", &self.bucket)
            .field("region", &self.region)
            .field("access_key", &self.access_key)
            .field("secret_key", &"<redacted>")
            .finish()
    }
}

/// The one implementation of [`BlobStore`], over any `object_store` backend.
#[derive(Debug, Clone)]
pub struct ObjectBlobStore {
    store: Arc<dyn ObjectStore>,
    signer: Option<Arc<dyn Signer>>,
    /// Part size of streamed uploads.
    part_size: usize,
}

fn unavailable(e: object_store::Error) -> BlobError {
    match e {
        object_store::Error::NotFound { path, .. } => BlobError::NotFound(path),
        other => BlobError::Unavailable(other.to_string()),
    }
}

/// Validates a key: 1-1024 bytes, `/`-separated non-empty segments, no `.`
/// or `..` segment, no control characters or backslashes.
pub fn check_key(key: &str) -> Result<Path, BlobError> {
    let bad = |why: &str| BlobError::InvalidKey(format!("{key:?}: {why}"));
    if key.is_empty() || key.len() > 1024 {
        return Err(bad("length must be 1-1024"));
    }
    if key.chars().any(|c| c.is_control() || c == '\\') {
        return Err(bad("control characters and backslashes are not allowed"));
    }
    if key
        .split('/')
        .any(|s| s.is_empty() || s == "." || s == "..")
    {
        return Err(bad("empty, '.' and '..' segments are not allowed"));
    }
    Path::parse(key).map_err(|e| bad(&e.to_string()))
}

impl ObjectBlobStore {
    /// Over an existing `object_store` backend.
    pub fn new(store: Arc<dyn ObjectStore>, signer: Option<Arc<dyn Signer>>) -> Self {
        ObjectBlobStore {
            store,
            signer,
            part_size: 8 * 1024 * 1024,
        }
    }

    /// Builds the store a configuration names, at the root of its bucket,
    /// container or directory.
    pub fn from_config(cfg: &StorageConfig) -> Result<Self, BlobError> {
        Self::open(cfg, "")
    }

    /// Builds the store a configuration names, with every key under
    /// `prefix` (`webrtc-recordings/`, say; empty: the root). Keys given to
    /// the store and listed by it stay without the prefix, and signed URLs
    /// name the prefixed object. S3 buckets, GCS buckets (`gs://`) and
    /// Azure containers (`az://`) sign URLs; other URLs do not.
    pub fn open(cfg: &StorageConfig, prefix: &str) -> Result<Self, BlobError> {
        let cfg_err =
            |e: object_store::Error| BlobError::Unavailable(format!("storage config: {e}"));
        let prefix = prefix.trim_matches('/');
        if !prefix.is_empty() {
            check_key(prefix)?;
        }
        Ok(match cfg {
            StorageConfig::Memory => {
                Self::unsigned(Arc::new(object_store::memory::InMemory::new()), prefix)
            }
            StorageConfig::Local { dir } => {
                std::fs::create_dir_all(dir).map_err(|e| {
                    BlobError::Unavailable(format!("creating {}: {e}", dir.display()))
                })?;
                let fs = object_store::local::LocalFileSystem::new_with_prefix(dir)
                    .map_err(cfg_err)?
                    .with_automatic_cleanup(true);
                Self::unsigned(Arc::new(fs), prefix)
            }
            StorageConfig::S3(s) => {
                let mut b = object_store::aws::AmazonS3Builder::new()
                    .with_bucket_name(&s.bucket)
                    .with_region(&s.region)
                    .with_access_key_id(&s.access_key)
                    .with_secret_access_key(&s.secret_key);
                if let Some(ep) = &s.endpoint {
                    b = b
                        .with_endpoint(ep)
                        .with_allow_http(ep.starts_with("http://"))
                        .with_virtual_hosted_style_request(false);
                }
                Self::signing(b.build().map_err(cfg_err)?, prefix)
            }
            StorageConfig::Url { url, options } => {
                let u = url::Url::parse(url)
                    .map_err(|e| BlobError::Unavailable(format!("storage url: {e}")))?;
                Self::from_url(&u, options, prefix)?
            }
        })
    }

    /// A `gs://`, `az://` (or `azure://`, `abfs://`) or `s3://` URL through
    /// its builder, so that it signs URLs; any other URL object_store
    /// knows, unsigned. Options are the builders' keys (`google_…`,
    /// `azure_…`, `aws_…`); ones a builder does not know are ignored.
    fn from_url(
        u: &url::Url,
        options: &[(String, String)],
        prefix: &str,
    ) -> Result<Self, BlobError> {
        let cfg_err =
            |e: object_store::Error| BlobError::Unavailable(format!("storage config: {e}"));
        let with_path = || {
            BlobError::Unavailable(
                "storage url: give the bucket or container only, without a path \
                 (RTC_STORAGE_PREFIX sets a key prefix)"
                    .into(),
            )
        };
        let named = matches!(
            u.scheme(),
            "gs" | "gcs" | "az" | "azure" | "abfs" | "abfss" | "adl" | "s3" | "s3a"
        );
        if named && !u.path().trim_matches('/').is_empty() {
            return Err(with_path());
        }
        Ok(match u.scheme() {
            "gs" | "gcs" => {
                let mut b =
                    object_store::gcp::GoogleCloudStorageBuilder::new().with_url(u.as_str());
                for (k, v) in options {
                    if let Ok(key) = k.parse() {
                        b = b.with_config(key, v);
                    }
                }
                Self::signing(b.build().map_err(cfg_err)?, prefix)
            }
            "az" | "azure" | "abfs" | "abfss" | "adl" => {
                let mut b = object_store::azure::MicrosoftAzureBuilder::new().with_url(u.as_str());
                for (k, v) in options {
                    if let Ok(key) = k.parse() {
                        b = b.with_config(key, v);
                    }
                }
                Self::signing(b.build().map_err(cfg_err)?, prefix)
            }
            "s3" | "s3a" => {
                let mut b = object_store::aws::AmazonS3Builder::new().with_url(u.as_str());
                for (k, v) in options {
                    if let Ok(key) = k.parse() {
                        b = b.with_config(key, v);
                    }
                }
                Self::signing(b.build().map_err(cfg_err)?, prefix)
            }
            _ => {
                let (store, path) =
                    object_store::parse_url_opts(u, options.to_vec()).map_err(cfg_err)?;
                if !path.as_ref().is_empty() {
                    return Err(with_path());
                }
                Self::unsigned(Arc::from(store), prefix)
            }
        })
    }

    /// Over a backend that signs its own URLs, under `prefix`.
    fn signing<T: ObjectStore + Signer>(store: T, prefix: &str) -> Self {
        if prefix.is_empty() {
            let s = Arc::new(store);
            return Self::new(s.clone(), Some(s));
        }
        let s = Arc::new(PrefixStore::new(store, prefix));
        Self::new(s.clone(), Some(s))
    }

    /// Over a backend that cannot sign, under `prefix`.
    fn unsigned(store: Arc<dyn ObjectStore>, prefix: &str) -> Self {
        if prefix.is_empty() {
            return Self::new(store, None);
        }
        Self::new(Arc::new(PrefixStore::new(store, prefix)), None)
    }

    /// The part size of streamed uploads (at least 5 MiB for S3).
    pub fn with_part_size(mut self, bytes: usize) -> Self {
        self.part_size = bytes.max(5 * 1024 * 1024);
        self
    }
}

#[async_trait]
impl BlobStore for ObjectBlobStore {
    async fn put(&self, key: &str, bytes: Bytes) -> Result<BlobMeta, BlobError> {
        let path = check_key(key)?;
        let size = bytes.len() as u64;
        self.store
            .put(&path, PutPayload::from_bytes(bytes))
            .await
            .map_err(unavailable)?;
        Ok(BlobMeta {
            key: key.to_owned(),
            size,
        })
    }

    async fn put_stream(
        &self,
        key: &str,
        mut stream: BoxStream<'_, Result<Bytes, std::io::Error>>,
        progress: Option<Progress<'_>>,
    ) -> Result<BlobMeta, BlobError> {
        let path = check_key(key)?;
        let upload = self.store.put_multipart(&path).await.map_err(unavailable)?;
        let mut w = WriteMultipart::new_with_chunk_size(upload, self.part_size);
        let mut written = 0u64;
        while let Some(chunk) = stream.next().await {
            let chunk = match chunk {
                Ok(c) => c,
                Err(e) => {
                    let _ = w.abort().await;
                    return Err(BlobError::Unavailable(format!("reading the upload: {e}")));
                }
            };
            // At most 4 parts in flight; the rest waits (back-pressure).
            if let Err(e) = w.wait_for_capacity(4).await {
                return Err(unavailable(e));
            }
            w.write(&chunk);
            written += chunk.len() as u64;
            if let Some(p) = progress {
                p(written);
            }
        }
        w.finish().await.map_err(unavailable)?;
        Ok(BlobMeta {
            key: key.to_owned(),
            size: written,
        })
    }

    async fn get(&self, key: &str, range: Option<Range<u64>>) -> Result<Blob, BlobError> {
        let path = check_key(key)?;
        if let Some(r) = &range {
            let size = self.head(key).await?.size;
            if r.start >= r.end || r.end > size {
                return Err(BlobError::InvalidRange(format!(
                    "{}..{} of {size} bytes",
                    r.start, r.end
                )));
            }
        }
        let opts = GetOptions::default().with_range(range);
        let r = self
            .store
            .get_opts(&path, opts)
            .await
            .map_err(unavailable)?;
        let meta = BlobMeta {
            key: key.to_owned(),
            size: r.meta.size,
        };
        let range = r.range.clone();
        Ok(Blob {
            meta,
            range,
            stream: r.into_stream().map_err(unavailable).boxed(),
        })
    }

    async fn head(&self, key: &str) -> Result<BlobMeta, BlobError> {
        let path = check_key(key)?;
        let m = self.store.head(&path).await.map_err(unavailable)?;
        Ok(BlobMeta {
            key: key.to_owned(),
            size: m.size,
        })
    }

    async fn list(&self, prefix: &str) -> Result<Vec<BlobMeta>, BlobError> {
        let p = check_key(prefix.trim_end_matches('/'))?;
        let mut out: Vec<BlobMeta> = self
            .store
            .list(Some(&p))
            .map_ok(|m| BlobMeta {
                key: m.location.to_string(),
                size: m.size,
            })
            .try_collect()
            .await
            .map_err(unavailable)?;
        out.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(out)
    }

    async fn delete(&self, key: &str) -> Result<(), BlobError> {
        let path = check_key(key)?;
        match self.store.delete(&path).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(unavailable(e)),
        }
    }

    async fn signed_url(
        &self,
        key: &str,
        expires_in: Duration,
    ) -> Result<Option<String>, BlobError> {
        let path = check_key(key)?;
        let Some(s) = &self.signer else {
            return Ok(None);
        };
        let url = s
            .signed_url(Method::GET, &path, expires_in)
            .await
            .map_err(unavailable)?;
        Ok(Some(url.to_string()))
    }
}

#[cfg(test)]
mod tests;
