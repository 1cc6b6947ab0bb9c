//! Typed configuration: command-line flags override environment variables
//! (`RTC_*`), which override the defaults. Secrets never print.

use std::path::PathBuf;

use clap::Args;

/// A secret string: `Debug` and `Display` never show it.
#[derive(Clone, Default)]
pub struct Secret(String);

impl Secret {
    /// The secret value; call only where it is used.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

impl std::str::FromStr for Secret {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Secret(s.to_owned()))
    }
}

/// A URL that may carry credentials (`redis://:password@host`): `Debug` and
/// `Display` show it through [`redact::redact_url`], so the password and
/// secret-looking query values never print.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretUrl(String);

impl SecretUrl {
    /// The full URL, credentials included; call only where it is used.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for SecretUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&redact::redact_url(&self.0), f)
    }
}

impl std::fmt::Display for SecretUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&redact::redact_url(&self.0))
    }
}

impl std::str::FromStr for SecretUrl {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(SecretUrl(s.to_owned()))
    }
}

impl From<String> for SecretUrl {
    fn from(s: String) -> Self {
        SecretUrl(s)
    }
}

impl From<&str> for SecretUrl {
    fn from(s: &str) -> Self {
        SecretUrl(s.to_owned())
    }
}

/// The development JWT secret used when none is configured. It is public
/// (it is in this source), so a server using it accepts tokens anyone can
/// forge: it is only used on a loopback address or with `--insecure-dev`.
pub const DEV_JWT_SECRET: &str = "dev-only-insecure-secret-change-me";

/// Server settings.
#[derive(Debug, Clone, Args)]
pub struct Settings {
    /// A TOML file of settings (keys as in this list, e.g.
    /// `room_capacity = 20`); environment variables and flags override it.
    /// Unknown keys are an error.
    #[arg(long, env = "RTC_CONFIG")]
    pub config: Option<PathBuf>,
    /// Address to listen on; port 0 picks a free port (the bound address is printed).
    #[arg(long, env = "RTC_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,
    /// HTTP worker threads (default: one per core).
    #[arg(long, env = "RTC_WORKERS")]
    pub workers: Option<usize>,
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
    pub jwt_algorithm: String,
    /// PEM public key file for RS256 or EdDSA.
    #[arg(long, env = "RTC_JWT_PUBLIC_KEY_FILE")]
    pub jwt_public_key_file: Option<PathBuf>,
    /// Required `iss` claim.
    #[arg(long, env = "RTC_JWT_ISSUER")]
    pub jwt_issuer: Option<String>,
    /// Required `aud` claim.
    #[arg(long, env = "RTC_JWT_AUDIENCE")]
    pub jwt_audience: Option<String>,
    /// Default room capacity.
    #[arg(long, env = "RTC_ROOM_CAPACITY", default_value_t = 50)]
    pub room_capacity: u32,
    /// Largest WebSocket message accepted, in bytes.
    #[arg(long, env = "RTC_MAX_MESSAGE_BYTES", default_value_t = 64 * 1024)]
    pub max_message_bytes: usize,
    /// Largest REST request body, in bytes.
    #[arg(long, env = "RTC_MAX_BODY_BYTES", default_value_t = 256 * 1024)]
    pub max_body_bytes: usize,
    /// Seconds between server pings.
    #[arg(long, env = "RTC_HEARTBEAT_SECS", default_value_t = 15)]
    pub heartbeat_secs: u64,
    /// Seconds without any frame from the client before it is disconnected.
    #[arg(long, env = "RTC_IDLE_TIMEOUT_SECS", default_value_t = 45)]
    pub idle_timeout_secs: u64,
    /// Messages queued per connection before it counts as a slow consumer.
    #[arg(long, env = "RTC_SEND_QUEUE", default_value_t = 512)]
    pub send_queue: usize,
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
    /// Where files and recordings go: `local` (under `--data-dir`),
    /// `memory`, `s3` (the `S3_*` variables), or an object-store URL such as
    /// `gs://bucket` or `az://container` (credentials from the usual
    /// `GOOGLE_*` / `AZURE_*` variables).
    #[arg(long, env = "RTC_STORAGE", default_value = "local")]
    pub storage: String,
    /// Directory of the `local` storage.
    #[arg(long, env = "RTC_DATA_DIR", default_value = "./data")]
    pub data_dir: std::path::PathBuf,
    /// S3 endpoint for non-AWS servers, e.g. `http://127.0.0.1:9000`.
    #[arg(long, env = "S3_ENDPOINT")]
    pub s3_endpoint: Option<String>,
    /// S3 bucket.
    #[arg(long, env = "S3_BUCKET")]
    pub s3_bucket: Option<String>,
    /// S3 region.
    #[arg(long, env = "S3_REGION", default_value = "us-east-1")]
    pub s3_region: String,
    /// S3 access key id.
    #[arg(long, env = "S3_ACCESS_KEY", hide_env_values = true)]
    pub s3_access_key: Option<String>,
    /// S3 secret access key.
    #[arg(long, env = "S3_SECRET_KEY", hide_env_values = true)]
    pub s3_secret_key: Option<Secret>,
    /// Secret for the server's own expiring download links (at least 32
    /// bytes; set the same value on every instance). Random per process
    /// when unset.
    #[arg(long, env = "RTC_LINK_SECRET", hide_env_values = true)]
    pub link_secret: Option<Secret>,
    /// Largest file a transfer may carry, bytes.
    #[arg(long, env = "RTC_TRANSFER_MAX_BYTES", default_value_t = 500_000_000)]
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
    /// Recordings running at once across the deployment.
    #[arg(long, env = "RTC_RECORDING_MAX_CONCURRENT", default_value_t = 10)]
    pub recording_max_concurrent: usize,
    /// Longest recording, seconds; it then stops by itself.
    #[arg(long, env = "RTC_RECORDING_MAX_SECS", default_value_t = 7200)]
    pub recording_max_secs: u64,
    /// The ffmpeg program.
    #[arg(long, env = "RTC_FFMPEG", default_value = "ffmpeg")]
    pub ffmpeg: std::path::PathBuf,
    /// The ffprobe program.
    #[arg(long, env = "RTC_FFPROBE", default_value = "ffprobe")]
    pub ffprobe: std::path::PathBuf,
    /// Directory for temporary media files while processing recordings.
    #[arg(long, env = "RTC_SCRATCH_DIR", default_value_os_t = std::env::temp_dir())]
    pub scratch_dir: std::path::PathBuf,
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
    /// WebSocket connections one user may hold on this instance.
    #[arg(long, env = "RTC_MAX_CONNECTIONS_PER_USER", default_value_t = 10)]
    pub max_connections_per_user: usize,
    /// WebSocket connections one address may hold on this instance.
    #[arg(long, env = "RTC_MAX_CONNECTIONS_PER_IP", default_value_t = 500)]
    pub max_connections_per_ip: usize,
    /// Seconds a client has to send its request head (handshake timeout).
    #[arg(long, env = "RTC_HANDSHAKE_TIMEOUT_SECS", default_value_t = 5)]
    pub handshake_timeout_secs: u64,
    /// Rate-limit overrides, `kind=max/window_secs` comma separated (e.g.
    /// `chat_message=30/60,api_call=600/60`); unnamed kinds keep the defaults
    /// listed in docs/protocol.md.
    #[arg(long, env = "RTC_RATE_LIMITS", default_value = "")]
    pub rate_limits: String,
    /// Log as JSON lines.
    #[arg(long, env = "RTC_LOG_JSON", default_value_t = false)]
    pub log_json: bool,
    /// Key of the admin API (`/webrtc/admin/...`, HTTP Basic `key:secret`);
    /// the admin API is off unless both key and secret are set.
    #[arg(long, env = "RTC_ADMIN_API_KEY")]
    pub admin_api_key: Option<String>,
    /// Secret of the admin API key.
    #[arg(long, env = "RTC_ADMIN_API_SECRET", hide_env_values = true)]
    pub admin_api_secret: Option<Secret>,
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
    /// Longest wait between webhook retries (they never stop).
    #[arg(long, env = "RTC_WEBHOOK_RETRY_MAX_SECS", default_value_t = 300)]
    pub webhook_retry_max_secs: u64,
    /// Serve `POST /webrtc/dev/token`, which hands a token to anyone who
    /// asks (for trying the web client at `/`). Default: on only while the
    /// insecure development secret is in use, where anyone can mint tokens
    /// anyway; never turn it on in production.
    #[arg(long, env = "RTC_DEV_TOKENS")]
    pub dev_tokens: Option<bool>,
    /// Browser origins allowed to call the REST API (CORS) and to open the
    /// WebSocket, comma separated (`https://app.example.com`), or `*` for any.
    /// The server's own origin is always allowed; requests without an
    /// `Origin` header (non-browser clients) are not affected.
    #[arg(long, env = "RTC_ALLOWED_ORIGINS", value_delimiter = ',')]
    pub allowed_origins: Vec<String>,
    /// Seconds a client has to send a whole request body; slower bodies get
    /// `408 REQUEST_TIMEOUT`.
    #[arg(long, env = "RTC_BODY_TIMEOUT_SECS", default_value_t = 60)]
    pub body_timeout_secs: u64,
    /// Bearer token required by `/metrics`, `/webrtc/stats` and
    /// `/webrtc/webrtc-metrics`; open when unset (see `metrics_bind`).
    #[arg(long, env = "RTC_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<Secret>,
    /// Serve `/metrics`, `/webrtc/stats` and `/webrtc/webrtc-metrics` on
    /// this separate address (e.g. `127.0.0.1:9090`) instead of the main one.
    #[arg(long, env = "RTC_METRICS_BIND")]
    pub metrics_bind: Option<String>,
    /// Recording bytes one user may have uploaded and not yet processed
    /// (3 GiB: a 2-hour 720p WebM at ~2.6 Mbit/s is ~2.2 GiB).
    #[arg(long, env = "RTC_RECORDING_QUOTA_USER_BYTES", default_value_t = 3 << 30)]
    pub recording_quota_user_bytes: u64,
    /// Recording bytes all uploaders of one room may have uploaded and not
    /// yet processed (16 GiB: five full-length 720p uploads).
    #[arg(long, env = "RTC_RECORDING_QUOTA_ROOM_BYTES", default_value_t = 16 << 30)]
    pub recording_quota_room_bytes: u64,
    /// Bytes of server-mode transfers one sender may hold, finished ones
    /// included until they expire (1 GiB: two files of the 500 MB limit).
    #[arg(long, env = "RTC_TRANSFER_QUOTA_USER_BYTES", default_value_t = 1 << 30)]
    pub transfer_quota_user_bytes: u64,
    /// Bytes of server-mode transfers all senders of one room may hold.
    #[arg(long, env = "RTC_TRANSFER_QUOTA_ROOM_BYTES", default_value_t = 5 << 30)]
    pub transfer_quota_room_bytes: u64,
    /// Chat messages kept per room in memory and Redis (the oldest go
    /// first); MongoDB history is bounded by `RTC_CHAT_RETENTION_DAYS`.
    #[arg(long, env = "RTC_CHAT_HISTORY_CAP", default_value_t = 10_000)]
    pub chat_history_cap: usize,
    /// Analytics events kept per room in memory and Redis (the oldest go
    /// first); MongoDB keeps `RTC_ANALYTICS_RETENTION_DAYS`.
    #[arg(long, env = "RTC_ANALYTICS_CAP", default_value_t = 10_000)]
    pub analytics_cap: usize,
}

impl Settings {
    /// Whether `POST /webrtc/dev/token` is served (see `dev_tokens`).
    pub fn dev_tokens_enabled(&self) -> bool {
        let hs256 = self.jwt_algorithm.eq_ignore_ascii_case("HS256");
        hs256 && self.dev_tokens.unwrap_or(self.jwt_secret.is_none())
    }

    /// The HS256 secret `mint-token` signs with: the configured one, or the
    /// public development secret only when `insecure_dev` is set (with a
    /// warning on stderr).
    pub fn minting_secret(&self) -> anyhow::Result<String> {
        if let Some(s) = &self.jwt_secret {
            return Ok(s.expose().to_owned());
        }
        if !self.insecure_dev {
            anyhow::bail!(
                "no RTC_JWT_SECRET: set it to the server's secret, or pass --insecure-dev to sign \
                 with the public development secret (accepted only by a server that runs without \
                 RTC_JWT_SECRET)"
            );
        }
        eprintln!(
            "warning: signing with the PUBLIC development secret (no RTC_JWT_SECRET); anyone \
             can forge such tokens"
        );
        Ok(DEV_JWT_SECRET.to_owned())
    }

    /// Whether tokens are verified with the public development secret
    /// (HS256 and no `RTC_JWT_SECRET`).
    pub fn uses_dev_secret(&self) -> bool {
        self.jwt_algorithm.eq_ignore_ascii_case("HS256") && self.jwt_secret.is_none()
    }

    /// Refuses the public development secret on a non-loopback address
    /// unless `insecure_dev` is set; where it is allowed, prints a loud
    /// warning to stderr and the log.
    pub fn check_dev_secret(&self, addr: std::net::SocketAddr) -> anyhow::Result<()> {
        if !self.uses_dev_secret() {
            return Ok(());
        }
        if !addr.ip().to_canonical().is_loopback() && !self.insecure_dev {
            anyhow::bail!(
                "refusing to listen on {addr} without RTC_JWT_SECRET: the built-in development \
                 secret is public, so anyone could forge tokens. Set RTC_JWT_SECRET (at least \
                 16 random bytes, e.g. `openssl rand -base64 32`), or bind a loopback address \
                 (127.0.0.1), or pass --insecure-dev (RTC_INSECURE_DEV=true) for a throwaway \
                 development server"
            );
        }
        let dev_tokens = if self.dev_tokens_enabled() {
            "!!  POST /webrtc/dev/token hands a token to anyone who asks.\n"
        } else {
            ""
        };
        let banner = format!(
            "\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\
             !!  INSECURE DEVELOPMENT MODE: RTC_JWT_SECRET is not set.\n\
             !!  Tokens are verified with a PUBLIC development secret: anyone can\n\
             !!  forge a token for any user, room and role, and anyone can mint\n\
             !!  development tokens (`rtc-server mint-token --insecure-dev`).\n\
             {dev_tokens}\
             !!  Listening on {addr}. Never expose this server; set RTC_JWT_SECRET.\n\
             !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n"
        );
        eprintln!("{banner}");
        tracing::warn!(%addr, "INSECURE DEVELOPMENT MODE: no RTC_JWT_SECRET, anyone can forge tokens");
        Ok(())
    }

    /// Defaults as if no flag or variable were given, bound to `bind`.
    pub fn for_tests(bind: &str) -> Self {
        #[derive(clap::Parser)]
        struct P {
            #[command(flatten)]
            s: Settings,
        }
        let mut s = <P as clap::Parser>::parse_from(["test"]).s;
        s.bind = bind.to_owned();
        // The test environment exports REDIS_URL for the tests that want
        // it; everything else runs on the embedded defaults.
        s.redis_url = None;
        s.mongodb_uri = None;
        s.storage = "memory".into();
        s
    }
}

/// Reads `--config <file>` (or `RTC_CONFIG`): a TOML file whose keys are
/// the settings' names (`room_capacity = 20`, `stun_urls = ["stun:…"]`;
/// `-` and `_` are interchangeable). Its values become the defaults of
/// `command`, so the order is file < environment < flags. A key that names
/// no setting, or a table value, is an error; values are checked by the same
/// parsers as flags when the command is parsed. Values of secret settings
/// (those whose environment values are hidden) are hidden from `--help`.
pub fn apply_config_file(
    mut command: clap::Command,
    args: &[std::ffi::OsString],
) -> anyhow::Result<clap::Command> {
    let path = config_path(args).or_else(|| std::env::var_os("RTC_CONFIG").map(PathBuf::from));
    let Some(path) = path else {
        return Ok(command);
    };
    let text = std::fs::read_to_string(&path)
        .map_err(|e| anyhow::anyhow!("reading config file {}: {e}", path.display()))?;
    let table: toml::Table = text
        .parse()
        .map_err(|e| anyhow::anyhow!("config file {}: {e}", path.display()))?;
    let known: Vec<String> = command
        .get_arguments()
        .filter(|a| a.get_long().is_some() && a.get_id() != "config")
        .map(|a| a.get_id().to_string())
        .collect();
    for (key, value) in table {
        let id = key.replace('-', "_");
        if !known.contains(&id) {
            anyhow::bail!(
                "config file {}: unknown key `{key}`; known keys: {}",
                path.display(),
                known.join(", ")
            );
        }
        let text = match value {
            toml::Value::Array(items) => items
                .iter()
                .map(scalar)
                .collect::<Option<Vec<_>>>()
                .map(|v| v.join(",")),
            other => scalar(&other),
        }
        .ok_or_else(|| {
            anyhow::anyhow!(
                "config file {}: `{key}` must be a value or a list of values",
                path.display()
            )
        })?;
        // clap keeps defaults for the life of the program; this runs once.
        let text: &'static str = Box::leak(text.into_boxed_str());
        command = command.mut_arg(id, |a| {
            let secret = a.is_hide_env_values_set();
            a.default_value(text).hide_default_value(secret)
        });
    }
    Ok(command)
}

/// A scalar TOML value as the text a flag would carry; `None` for tables
/// and nested arrays.
fn scalar(v: &toml::Value) -> Option<String> {
    Some(match v {
        toml::Value::String(s) => s.clone(),
        toml::Value::Integer(i) => i.to_string(),
        toml::Value::Float(f) => f.to_string(),
        toml::Value::Boolean(b) => b.to_string(),
        toml::Value::Datetime(d) => d.to_string(),
        toml::Value::Array(_) | toml::Value::Table(_) => return None,
    })
}

/// The value of `--config <file>` or `--config=<file>` among `args`.
fn config_path(args: &[std::ffi::OsString]) -> Option<PathBuf> {
    let mut it = args.iter().skip(1);
    while let Some(a) = it.next() {
        let s = a.to_string_lossy();
        if s == "--config" {
            return it.next().map(PathBuf::from);
        }
        if let Some(p) = s.strip_prefix("--config=") {
            return Some(PathBuf::from(p));
        }
        if s == "--" {
            break;
        }
    }
    None
}
