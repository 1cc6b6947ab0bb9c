//! The settings groups of [`super::Settings`]. Each field is one flag,
//! one `RTC_*` variable and one config-file key, named by the field (the
//! group is not part of the name, so `room_capacity = 20` in the file and
//! `RTC_ROOM_CAPACITY` keep working).

use std::path::PathBuf;

use clap::Args;

use super::{Secret, SecretUrl};

/// The HTTP listener: address, workers, bodies, browser origins.
#[derive(Debug, Clone, Args)]
pub struct HttpSettings {
    /// Address to listen on; port 0 picks a free port (the bound address is printed).
    #[arg(long, env = "RTC_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,
    /// HTTP worker threads (default: one per core).
    #[arg(long, env = "RTC_WORKERS")]
    pub workers: Option<usize>,
    /// Largest REST request body, in bytes.
    #[arg(long, env = "RTC_MAX_BODY_BYTES", default_value_t = 256 * 1024)]
    pub max_body_bytes: usize,
    /// Seconds a client has to send a whole request body; slower bodies get
    /// `408 REQUEST_TIMEOUT`.
    #[arg(long, env = "RTC_BODY_TIMEOUT_SECS", default_value_t = 60)]
    pub body_timeout_secs: u64,
    /// Seconds a client has to send its request head (handshake timeout).
    #[arg(long, env = "RTC_HANDSHAKE_TIMEOUT_SECS", default_value_t = 5)]
    pub handshake_timeout_secs: u64,
    /// How long a graceful stop (SIGTERM) may take: the wait for clients
    /// to be moved off, then for requests in flight (uploads) to finish.
    /// One deadline for the whole stop; keep it under the orchestrator's
    /// kill timeout minus any pre-stop delay (Kubernetes: 30 s - 5 s).
    #[arg(long, env = "RTC_SHUTDOWN_TIMEOUT_SECS", default_value_t = 20)]
    pub shutdown_timeout_secs: u64,
    /// Browser origins allowed to call the REST API (CORS) and to open the
    /// WebSocket, comma separated (`https://app.example.com`), or `*` for any.
    /// The server's own origin is always allowed; requests without an
    /// `Origin` header (non-browser clients) are not affected.
    #[arg(long, env = "RTC_ALLOWED_ORIGINS", value_delimiter = ',')]
    pub allowed_origins: Vec<String>,
}

/// Token verification and development tokens.
#[derive(Debug, Clone, Args)]
pub struct AuthSettings {
    /// HS256 secret for verifying tokens (at least 16 bytes). Required unless
    /// the server listens on a loopback address or `--insecure-dev` is given;
    /// then a public development secret is used.
    #[arg(long, env = "RTC_JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<Secret>,
    /// Allow the public development JWT secret on a non-loopback address
    /// (and let `mint-token` sign with it). Anyone can then forge tokens:
    /// never in production.
    #[arg(long, env = "RTC_INSECURE_DEV", default_value_t = false, global = true)]
    pub insecure_dev: bool,
    /// Token algorithm: HS256, RS256 or EdDSA.
    #[arg(long, env = "RTC_JWT_ALGORITHM", default_value = "HS256")]
    pub jwt_algorithm: auth::Algorithm,
    /// PEM public key file for RS256 or EdDSA.
    #[arg(long, env = "RTC_JWT_PUBLIC_KEY_FILE")]
    pub jwt_public_key_file: Option<PathBuf>,
    /// Required `iss` claim.
    #[arg(long, env = "RTC_JWT_ISSUER")]
    pub jwt_issuer: Option<String>,
    /// Required `aud` claim.
    #[arg(long, env = "RTC_JWT_AUDIENCE")]
    pub jwt_audience: Option<String>,
    /// Serve `POST /webrtc/dev/token`, which hands a token to anyone who
    /// asks (for trying the web client at `/`). Default: on only while the
    /// insecure development secret is in use, where anyone can mint tokens
    /// anyway; never turn it on in production.
    #[arg(long, env = "RTC_DEV_TOKENS")]
    pub dev_tokens: Option<bool>,
}

/// WebSocket sessions: frame size, heartbeat, queues, connection limits.
#[derive(Debug, Clone, Args)]
pub struct WsSettings {
    /// Largest WebSocket message accepted, in bytes.
    #[arg(long, env = "RTC_MAX_MESSAGE_BYTES", default_value_t = 64 * 1024)]
    pub max_message_bytes: usize,
    /// Seconds between server pings.
    #[arg(long, env = "RTC_HEARTBEAT_SECS", default_value_t = 15)]
    pub heartbeat_secs: u64,
    /// Seconds without any frame from the client before it is disconnected.
    #[arg(long, env = "RTC_IDLE_TIMEOUT_SECS", default_value_t = 45)]
    pub idle_timeout_secs: u64,
    /// Messages queued per connection before it counts as a slow consumer.
    #[arg(long, env = "RTC_SEND_QUEUE", default_value_t = 512)]
    pub send_queue: usize,
    /// WebSocket connections one user may hold on this instance.
    #[arg(long, env = "RTC_MAX_CONNECTIONS_PER_USER", default_value_t = 10)]
    pub max_connections_per_user: usize,
    /// WebSocket connections one address may hold on this instance.
    #[arg(long, env = "RTC_MAX_CONNECTIONS_PER_IP", default_value_t = 500)]
    pub max_connections_per_ip: usize,
    /// WebSocket connections this instance holds at most; past it a new one
    /// is refused with `MAX_PARTICIPANTS_REACHED` (503), so a flood cannot
    /// exhaust the process's memory or file descriptors.
    #[arg(long, env = "RTC_MAX_CONNECTIONS", default_value_t = 50_000)]
    pub max_connections: usize,
}

/// STUN and TURN servers handed to clients.
#[derive(Debug, Clone, Args)]
pub struct IceSettings {
    /// STUN server URLs for clients (comma separated).
    #[arg(
        long,
        env = "RTC_STUN_URLS",
        value_delimiter = ',',
        default_value = "stun:stun.l.google.com:19302"
    )]
    pub stun_urls: Vec<String>,
    /// TURN server URLs for clients (comma separated).
    #[arg(long, env = "RTC_TURN_URLS", value_delimiter = ',')]
    pub turn_urls: Vec<String>,
    /// Shared secret of the TURN server (coturn `static-auth-secret`).
    #[arg(long, env = "RTC_TURN_SECRET", hide_env_values = true)]
    pub turn_secret: Option<Secret>,
    /// Lifetime of TURN credentials, seconds.
    #[arg(long, env = "RTC_TURN_TTL_SECS", default_value_t = 86_400)]
    pub turn_ttl_secs: u64,
}

/// The media plane (SFU): its UDP socket, the address it advertises, and
/// the rooms' default media mode.
#[derive(Debug, Clone, Args)]
pub struct MediaSettings {
    /// How new rooms carry media: `mesh` (browsers connect to each other;
    /// 2 to 5 people) or `sfu` (each browser connects to this server, which
    /// forwards every track). Moderators change it per room
    /// (`media_mode` in the room settings).
    #[arg(long, env = "RTC_MEDIA_MODE", default_value = "mesh")]
    pub media_mode: signaling_core::room::MediaMode,
    /// The one UDP port all media peers use; 0 picks a free port (fine on
    /// one host; behind a firewall or NAT fix it, LiveKit uses 7882).
    #[arg(long, env = "RTC_MEDIA_UDP_PORT", default_value_t = 0)]
    pub media_udp_port: u16,
    /// Address the media socket binds (default: the HTTP listener's).
    #[arg(long, env = "RTC_MEDIA_BIND_IP")]
    pub media_bind_ip: Option<std::net::IpAddr>,
    /// Address advertised to browsers as the server's ICE candidate: the
    /// public IP behind NAT (default: the bind address, or for 0.0.0.0 the
    /// address of the interface with the default route).
    #[arg(long, env = "RTC_MEDIA_PUBLIC_IP")]
    pub media_public_ip: Option<std::net::IpAddr>,
    /// Most media peers (participants in SFU rooms) on this instance.
    #[arg(long, env = "RTC_MEDIA_MAX_PEERS", default_value_t = 2_000)]
    pub media_max_peers: usize,
    /// Live streams (to RTMP) this instance composes and encodes at once;
    /// one more fails at once with `LIVE_STREAM_FAILED`. A 720p30 stream
    /// takes about a core (docs/performance.md).
    #[arg(long, env = "RTC_LIVE_STREAM_MAX_CONCURRENT", default_value_t = 2)]
    pub live_stream_max_concurrent: usize,
    /// Live streams running at once across the deployment (slots in the
    /// shared store); one more fails with `LIVE_STREAM_FAILED`.
    #[arg(long, env = "RTC_LIVE_STREAM_MAX_DEPLOYMENT", default_value_t = 10)]
    pub live_stream_max_deployment: usize,
    /// Longest live stream, seconds; it then stops by itself.
    #[arg(long, env = "RTC_LIVE_STREAM_MAX_SECS", default_value_t = 14_400)]
    pub live_stream_max_secs: u64,
}

/// Rooms: capacity, reconnection, replay, rate limits, history caps.
#[derive(Debug, Clone, Args)]
pub struct RoomsSettings {
    /// Default room capacity.
    #[arg(long, env = "RTC_ROOM_CAPACITY", default_value_t = 50)]
    pub room_capacity: u32,
    /// Seconds a dropped participant is shown as reconnecting (keeping role,
    /// hand-raise place and breakout room) before they are announced as
    /// left. 0: leave at once.
    #[arg(long, env = "RTC_RECONNECT_GRACE_SECS", default_value_t = 30)]
    pub reconnect_grace_secs: u64,
    /// Events per room kept for replay to reconnecting clients.
    #[arg(long, env = "RTC_REPLAY_BUFFER_EVENTS", default_value_t = 50)]
    pub replay_buffer_events: usize,
    /// Oldest event kept for replay, seconds.
    #[arg(long, env = "RTC_REPLAY_BUFFER_SECS", default_value_t = 300)]
    pub replay_buffer_secs: u64,
    /// Seconds an empty room (settings, bans, replay log) is kept before it
    /// is deleted.
    #[arg(long, env = "RTC_EMPTY_ROOM_TTL_SECS", default_value_t = 60)]
    pub empty_room_ttl_secs: u64,
    /// Rate-limit overrides, `kind=max/window_secs` comma separated (e.g.
    /// `chat_message=30/60,api_call=600/60`); unnamed kinds keep the defaults
    /// listed in docs/protocol.md.
    #[arg(long, env = "RTC_RATE_LIMITS", default_value = "")]
    pub rate_limits: String,
    /// Chat messages kept per room in memory and Redis (the oldest go
    /// first); MongoDB history is bounded by `RTC_CHAT_RETENTION_DAYS`.
    #[arg(long, env = "RTC_CHAT_HISTORY_CAP", default_value_t = 10_000)]
    pub chat_history_cap: usize,
    /// Seconds after sending in which an author may edit or delete their
    /// chat message (moderators delete any message at any time).
    #[arg(long, env = "RTC_CHAT_EDIT_WINDOW_SECS", default_value_t = 900)]
    pub chat_edit_window_secs: u64,
    /// Analytics events kept per room in memory and Redis (the oldest go
    /// first); MongoDB keeps `RTC_ANALYTICS_RETENTION_DAYS`.
    #[arg(long, env = "RTC_ANALYTICS_CAP", default_value_t = 10_000)]
    pub analytics_cap: usize,
}

/// Scaling out over Redis.
#[derive(Debug, Clone, Args)]
pub struct RedisSettings {
    /// Redis URL (`redis://host:port/db`). When set, room state, the event
    /// bus, rate limits, chat history, analytics and recording records are
    /// shared through Redis so that any number of instances serve one room;
    /// when unset, everything stays in this process. Its password never
    /// prints.
    #[arg(long, env = "REDIS_URL", hide_env_values = true)]
    pub redis_url: Option<SecretUrl>,
    /// Prefix of every Redis key and channel.
    #[arg(long, env = "RTC_REDIS_PREFIX", default_value = "rtc:")]
    pub redis_prefix: String,
    /// Seconds an instance stays "alive" without a heartbeat; when it
    /// lapses, another instance announces its participants as left.
    #[arg(long, env = "RTC_INSTANCE_TTL_SECS", default_value_t = 10)]
    pub instance_ttl_secs: u64,
}

/// Durable history in MongoDB.
#[derive(Debug, Clone, Args)]
pub struct MongoSettings {
    /// MongoDB URI. When set, chat history, analytics, recording records
    /// and room sessions are kept there (durable across restarts). Its
    /// password never prints.
    #[arg(long, env = "MONGODB_URI", hide_env_values = true)]
    pub mongodb_uri: Option<SecretUrl>,
    /// MongoDB database name.
    #[arg(long, env = "RTC_MONGODB_DB", default_value = "rtc")]
    pub mongodb_database: String,
    /// Days chat messages are kept in MongoDB; 0 keeps them.
    #[arg(long, env = "RTC_CHAT_RETENTION_DAYS", default_value_t = 0)]
    pub chat_retention_days: u64,
    /// Days analytics events are kept in MongoDB; 0 keeps them.
    #[arg(long, env = "RTC_ANALYTICS_RETENTION_DAYS", default_value_t = 90)]
    pub analytics_retention_days: u64,
    /// Days recording records are kept after their last change (seed 004: 7).
    #[arg(long, env = "RTC_RECORDING_RETENTION_DAYS", default_value_t = 7)]
    pub recording_retention_days: u64,
}

/// Where files and recordings go, and download links.
#[derive(Debug, Clone, Args)]
pub struct StorageSettings {
    /// Where files and recordings go: `local` (under `--data-dir`),
    /// `memory`, `s3` (the `S3_*` variables), or an object-store URL such as
    /// `gs://bucket` or `az://container` (credentials from the usual
    /// `GOOGLE_*` / `AZURE_*` variables).
    #[arg(long, env = "RTC_STORAGE", default_value = "local")]
    pub storage: StorageKind,
    /// Directory of the `local` storage.
    #[arg(long, env = "RTC_DATA_DIR", default_value = "./data")]
    pub data_dir: std::path::PathBuf,
    /// S3 endpoint for non-AWS servers, e.g. `http://127.0.0.1:9000`.
    #[arg(long, env = "S3_ENDPOINT")]
    pub s3_endpoint: Option<String>,
    /// S3 bucket.
    #[arg(long, env = "S3_BUCKET")]
    pub s3_bucket: Option<String>,
    /// S3 region (else `AWS_DEFAULT_REGION` or `AWS_REGION`).
    #[arg(long, env = "S3_REGION", default_value = "us-east-1")]
    pub s3_region: String,
    /// S3 access key id (else `AWS_ACCESS_KEY_ID`).
    #[arg(long, env = "S3_ACCESS_KEY", hide_env_values = true)]
    pub s3_access_key: Option<String>,
    /// S3 secret access key (else `AWS_SECRET_ACCESS_KEY`).
    #[arg(long, env = "S3_SECRET_KEY", hide_env_values = true)]
    pub s3_secret_key: Option<Secret>,
    /// Key prefix of every object the server stores (seed 004's
    /// `s3_prefix`; `S3_PREFIX` is read too). Unset: `webrtc-recordings/`
    /// in an S3 bucket or an object-store URL, where a bucket is often
    /// shared (seed 004's default), and none on local disk or in memory.
    /// Empty: the bucket's root.
    #[arg(long, env = "RTC_STORAGE_PREFIX", alias = "s3-prefix")]
    pub storage_prefix: Option<String>,
    /// Secret for the server's own expiring download links (at least 32
    /// bytes; set the same value on every instance). Random per process
    /// when unset.
    #[arg(long, env = "RTC_LINK_SECRET", hide_env_values = true)]
    pub link_secret: Option<Secret>,
}

/// File transfers: sizes, limits, quotas, expiry.
#[derive(Debug, Clone, Args)]
pub struct TransferSettings {
    /// Largest file a transfer may carry, bytes.
    #[arg(long, env = "RTC_TRANSFER_MAX_BYTES", default_value_t = 524_288_000)]
    pub transfer_max_bytes: u64,
    /// Default chunk size of transfers, bytes.
    #[arg(long, env = "RTC_TRANSFER_CHUNK_BYTES", default_value_t = 64 * 1024)]
    pub transfer_chunk_bytes: u64,
    /// Largest chunk size a sender may choose, bytes.
    #[arg(long, env = "RTC_TRANSFER_MAX_CHUNK_BYTES", default_value_t = 8 * 1024 * 1024)]
    pub transfer_max_chunk_bytes: u64,
    /// Unfinished transfers a user may have at once.
    #[arg(long, env = "RTC_TRANSFER_MAX_PER_USER", default_value_t = 5)]
    pub transfer_max_per_user: usize,
    /// Seconds without progress before a transfer and its bytes are deleted.
    #[arg(long, env = "RTC_TRANSFER_TTL_SECS", default_value_t = 3600)]
    pub transfer_ttl_secs: u64,
    /// Bytes of server-mode transfers one sender may hold, finished ones
    /// included until they expire (1 GiB: two files of the 500 MiB limit).
    #[arg(long, env = "RTC_TRANSFER_QUOTA_USER_BYTES", default_value_t = 1 << 30)]
    pub transfer_quota_user_bytes: u64,
    /// Bytes of server-mode transfers all senders of one room may hold.
    #[arg(long, env = "RTC_TRANSFER_QUOTA_ROOM_BYTES", default_value_t = 5 << 30)]
    pub transfer_quota_room_bytes: u64,
}

/// Recording: limits, quotas and the ffmpeg programs.
#[derive(Debug, Clone, Args)]
pub struct RecordingSettings {
    /// Recordings running at once across the deployment.
    #[arg(long, env = "RTC_RECORDING_MAX_CONCURRENT", default_value_t = 10)]
    pub recording_max_concurrent: usize,
    /// Longest recording, seconds; it then stops by itself.
    #[arg(long, env = "RTC_RECORDING_MAX_SECS", default_value_t = 7200)]
    pub recording_max_secs: u64,
    /// Server recordings (SFU rooms) this instance composes and encodes at
    /// once; one more is stopped at once with the reason. A 720p30
    /// composite takes about half a core (docs/performance.md).
    #[arg(long, env = "RTC_SERVER_RECORDING_MAX_CONCURRENT", default_value_t = 2)]
    pub server_recording_max_concurrent: usize,
    /// The ffmpeg program.
    #[arg(long, env = "RTC_FFMPEG", default_value = "ffmpeg")]
    pub ffmpeg: std::path::PathBuf,
    /// The ffprobe program.
    #[arg(long, env = "RTC_FFPROBE", default_value = "ffprobe")]
    pub ffprobe: std::path::PathBuf,
    /// Directory for temporary media files while processing recordings.
    #[arg(long, env = "RTC_SCRATCH_DIR", default_value_os_t = std::env::temp_dir())]
    pub scratch_dir: std::path::PathBuf,
    /// Recording bytes one user may have uploaded and not yet processed
    /// (3 GiB: a 2-hour 720p WebM at ~2.6 Mbit/s is ~2.2 GiB).
    #[arg(long, env = "RTC_RECORDING_QUOTA_USER_BYTES", default_value_t = 3 << 30)]
    pub recording_quota_user_bytes: u64,
    /// Recording bytes all uploaders of one room may have uploaded and not
    /// yet processed (16 GiB: five full-length 720p uploads).
    #[arg(long, env = "RTC_RECORDING_QUOTA_ROOM_BYTES", default_value_t = 16 << 30)]
    pub recording_quota_room_bytes: u64,
}

/// The admin API's credentials.
#[derive(Debug, Clone, Args)]
pub struct AdminSettings {
    /// Key of the admin API (`/webrtc/admin/...`, HTTP Basic `key:secret`);
    /// the admin API is off unless both key and secret are set.
    #[arg(long, env = "RTC_ADMIN_API_KEY")]
    pub admin_api_key: Option<String>,
    /// Secret of the admin API key.
    #[arg(long, env = "RTC_ADMIN_API_SECRET", hide_env_values = true)]
    pub admin_api_secret: Option<Secret>,
}

/// Webhooks: where, how signed, how retried.
#[derive(Debug, Clone, Args)]
pub struct WebhookSettings {
    /// Where webhooks are POSTed (lifecycle events, docs/operations.md);
    /// off when unset. Credentials in it never print.
    #[arg(long, env = "RTC_WEBHOOK_URL", hide_env_values = true)]
    pub webhook_url: Option<SecretUrl>,
    /// HMAC-SHA256 secret that signs webhooks (at least 16 bytes).
    #[arg(long, env = "RTC_WEBHOOK_SECRET", hide_env_values = true)]
    pub webhook_secret: Option<Secret>,
    /// Time limit of one webhook request.
    #[arg(long, env = "RTC_WEBHOOK_TIMEOUT_SECS", default_value_t = 10)]
    pub webhook_timeout_secs: u64,
    /// First wait before retrying a failed webhook; doubles per failure.
    #[arg(long, env = "RTC_WEBHOOK_RETRY_INITIAL_MS", default_value_t = 1000)]
    pub webhook_retry_initial_ms: u64,
    /// Longest wait between webhook retries.
    #[arg(long, env = "RTC_WEBHOOK_RETRY_MAX_SECS", default_value_t = 300)]
    pub webhook_retry_max_secs: u64,
    /// Attempts at one event before it is given up and moved to the
    /// endpoint's dead letters (replayable through the admin API); 0 retries
    /// for ever. 15 is about 34 minutes with the default waits.
    #[arg(long, env = "RTC_WEBHOOK_MAX_ATTEMPTS", default_value_t = 15)]
    pub webhook_max_attempts: u32,
    /// The events `RTC_WEBHOOK_URL` receives: comma-separated names, or
    /// prefixes ending in `*` (`recording_*`); all when unset.
    #[arg(long, env = "RTC_WEBHOOK_EVENTS")]
    pub webhook_events: Option<String>,
    /// More endpoints, as a JSON array of
    /// `{"name","url","secret","events"?}` (docs/operations.md); each has
    /// its own secret, event filter, ordered outbox and dead letters.
    #[arg(long, env = "RTC_WEBHOOK_ENDPOINTS", hide_env_values = true)]
    pub webhook_endpoints: Option<Secret>,
}

/// Logs, metrics and the stats endpoints.
#[derive(Debug, Clone, Args)]
pub struct OpsSettings {
    /// Log as JSON lines.
    #[arg(long, env = "RTC_LOG_JSON", default_value_t = false)]
    pub log_json: bool,
    /// Bearer token required by `/metrics`, `/webrtc/stats` and
    /// `/webrtc/webrtc-metrics`; open when unset (see `metrics_bind`).
    #[arg(long, env = "RTC_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<Secret>,
    /// Serve `/metrics`, `/webrtc/stats` and `/webrtc/webrtc-metrics` on
    /// this separate address (e.g. `127.0.0.1:9090`) instead of the main one.
    #[arg(long, env = "RTC_METRICS_BIND")]
    pub metrics_bind: Option<String>,
}

/// Where files and recordings go (`RTC_STORAGE`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StorageKind {
    /// Under `RTC_DATA_DIR`.
    Local,
    /// In this process (lost on exit).
    Memory,
    /// An S3 bucket (the `S3_*` settings).
    S3,
    /// An object-store URL such as `gs://bucket` or `az://container`.
    Url(String),
}

impl std::str::FromStr for StorageKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "local" => StorageKind::Local,
            "memory" => StorageKind::Memory,
            "s3" => StorageKind::S3,
            url if url.contains("://") => StorageKind::Url(url.to_owned()),
            other => {
                return Err(format!(
                    "unknown storage {other:?}: use local, memory, s3 or a URL (gs://…, az://…)"
                ));
            }
        })
    }
}
