//! The server: configuration, wiring of domain services to adapters, the
//! actix-web application, REST routes and WebSocket sessions. This is the
//! only crate that knows about actix.

pub mod admin;
pub mod admin_webhooks;
pub mod auth_extract;
pub mod chat_spool;
pub mod config;
pub mod egress;
mod egress_recording;
pub mod guard;
pub mod hls;
pub mod hooks;
pub mod http_error;
pub mod hub;
pub mod media_plane;
pub mod openapi;
pub mod optional_json;
pub mod origin;
pub mod ranged;
pub mod recordings;
pub mod routes;
pub mod shutdown;
pub mod telemetry;
pub mod transfers;
pub mod webclient;
pub mod ws;

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::Instant;

use actix_web::{App, HttpServer, web};
use anyhow::Context as _;
use auth::{Algorithm, KeyMaterial, TokenVerifier, VerifierConfig};
use signaling_core::{Engine, ErrorCode, Ports, RoomConfig, RoomService, SignalError};

pub use config::Settings;
use http_error::ApiError;
use hub::Hub;

/// Everything handlers need.
pub struct AppState {
    /// The signaling service.
    pub service: RoomService,
    /// Token verification.
    pub verifier: TokenVerifier,
    /// Signs tokens for `POST /webrtc/dev/token`, when that is enabled.
    pub dev_minter: Option<auth::TokenMinter>,
    /// This instance's connections.
    pub hub: Arc<Hub>,
    /// The media plane (SFU) of this instance.
    pub media: media_plane::MediaHandle,
    /// Settings.
    pub settings: Arc<Settings>,
    /// Start time.
    pub started: Instant,
    /// Counters of this instance.
    pub metrics: telemetry::Metrics,
    /// Connection limits per user and address.
    pub admission: Arc<hub::Admission>,
    /// This instance's id in the instance registry.
    pub instance_id: String,
    /// File transfers.
    pub transfers: file_transfer::TransferService,
    /// Where file and recording bytes go.
    pub blobs: Arc<dyn storage::BlobStore>,
    /// Recording chunk uploads (the rules in `app::recordings`).
    pub uploads: app::recordings::Uploads,
    /// Signs the server's own download links.
    pub links: storage::LinkSigner,
    /// Webhook endpoints, when `RTC_WEBHOOK_URL` or
    /// `RTC_WEBHOOK_ENDPOINTS` is set.
    pub webhooks: Option<hooks::Webhooks>,
    /// Set to `true` when the process begins to stop; background loops
    /// (the webhook dispatchers) watch it.
    pub stopping: tokio::sync::watch::Sender<bool>,
    /// The live WebSocket sessions, which a graceful stop waits for.
    pub sessions: Arc<shutdown::SessionCount>,
    /// Chat messages waiting for MongoDB, when MongoDB is configured.
    pub chat_outbox: Option<Arc<signaling_core::memory::OutboxChatHistory>>,
    /// The recording worker's queue, taken when the worker starts.
    pub job_rx: std::sync::Mutex<Option<tokio::sync::mpsc::UnboundedReceiver<String>>>,
    /// Which browser origins may call the API and open the WebSocket.
    pub origins: origin::OriginPolicy,
}

impl AppState {
    /// Now, in seconds since the Unix epoch, from the service's clock port
    /// (token expiry, link expiry, TURN credentials).
    pub fn now_unix(&self) -> i64 {
        self.service.now().unix_timestamp()
    }
}

/// The blob store the settings name.
pub fn blob_store_from(settings: &Settings) -> anyhow::Result<Arc<dyn storage::BlobStore>> {
    use config::StorageKind;
    use storage::{ObjectBlobStore, S3Config, StorageConfig};
    let cfg = match &settings.store.storage {
        StorageKind::Memory => StorageConfig::Memory,
        StorageKind::Local => StorageConfig::Local {
            dir: settings.store.data_dir.clone(),
        },
        StorageKind::S3 => StorageConfig::S3(S3Config {
            endpoint: settings.store.s3_endpoint.clone(),
            bucket: settings
                .store
                .s3_bucket
                .clone()
                .context("RTC_STORAGE=s3 needs S3_BUCKET")?,
            region: settings.store.s3_region.clone(),
            access_key: settings
                .store
                .s3_access_key
                .clone()
                .context("RTC_STORAGE=s3 needs S3_ACCESS_KEY")?,
            secret_key: settings
                .store
                .s3_secret_key
                .as_ref()
                .context("RTC_STORAGE=s3 needs S3_SECRET_KEY")?
                .expose()
                .to_owned(),
        }),
        StorageKind::Url(url) => StorageConfig::Url {
            url: url.clone(),
            options: std::env::vars()
                .filter(|(k, _)| k.starts_with("GOOGLE_") || k.starts_with("AZURE_"))
                .map(|(k, v)| (k.to_ascii_lowercase(), v))
                .collect(),
        },
    };
    let prefix = settings
        .store
        .storage_prefix
        .as_deref()
        .unwrap_or(match cfg {
            StorageConfig::S3(_) | StorageConfig::Url { .. } => "webrtc-recordings/",
            StorageConfig::Memory | StorageConfig::Local { .. } => "",
        });
    Ok(Arc::new(ObjectBlobStore::open(&cfg, prefix)?))
}

/// Builds the token verifier from settings.
pub fn verifier_from(settings: &Settings) -> anyhow::Result<TokenVerifier> {
    let algorithm: Algorithm = settings.auth.jwt_algorithm;
    let key = match algorithm {
        Algorithm::Hs256 => {
            // Without a secret, `Settings::check_dev_secret` has allowed
            // the public one (loopback or --insecure-dev) and said so loudly.
            let secret = settings
                .auth
                .jwt_secret
                .as_ref()
                .map(|s| s.expose().to_owned())
                .unwrap_or_else(|| config::DEV_JWT_SECRET.to_owned());
            KeyMaterial::Secret(secret.into_bytes())
        }
        _ => {
            let path = settings
                .auth
                .jwt_public_key_file
                .as_ref()
                .context("RS256/EdDSA need --jwt-public-key-file")?;
            KeyMaterial::Pem(
                std::fs::read_to_string(path)
                    .with_context(|| format!("reading {}", path.display()))?,
            )
        }
    };
    Ok(TokenVerifier::new(VerifierConfig {
        algorithm,
        key,
        issuer: settings.auth.jwt_issuer.clone(),
        audience: settings.auth.jwt_audience.clone(),
        leeway_secs: 30,
    })?)
}

/// Builds the shared state with the embedded (in-memory) adapters.
pub async fn build_state(settings: Settings) -> anyhow::Result<AppState> {
    admin::check_secret(&settings)?;
    // Installed before anything is counted: the facade drops what comes earlier.
    telemetry::prometheus();
    let mut room_config = RoomConfig::default();
    room_config.default_settings.max_participants = settings.rooms.room_capacity;
    room_config.default_settings.media_mode = settings.media.media_mode;
    room_config.chat_edit_window_secs = settings.rooms.chat_edit_window_secs;
    room_config.max_concurrent_recordings = settings.recording.recording_max_concurrent;
    room_config.max_recording_secs = settings.recording.recording_max_secs;
    let buffer = reconnection::BufferConfig {
        max_events: settings.rooms.replay_buffer_events.max(1),
        ttl_ms: settings.rooms.replay_buffer_secs as i64 * 1000,
    };
    let mut ports = Ports::in_memory();
    ports.log = Arc::new(reconnection::MemoryEventLog::new(buffer));
    ports.chat = Arc::new(signaling_core::memory::MemoryChatHistory::new(
        settings.rooms.chat_history_cap.max(1),
    ));
    ports.analytics = Arc::new(signaling_core::memory::MemoryAnalytics::new(
        settings.rooms.analytics_cap,
    ));
    let mut transfer_store: Arc<dyn file_transfer::TransferStore> =
        Arc::new(file_transfer::MemoryTransferStore::default());
    let mut shared_redis: Option<redis_adapter::Redis> = None;
    let mut redis_spool: Option<Arc<dyn signaling_core::ports::ChatSpool>> = None;
    if let Some(url) = &settings.redis.redis_url {
        let mut cfg = redis_adapter::RedisConfig::new(url.expose());
        cfg.prefix = settings.redis.redis_prefix.clone();
        let caps = redis_adapter::Caps {
            chat_per_room: settings.rooms.chat_history_cap,
            analytics_per_room: settings.rooms.analytics_cap,
        };
        let redis = redis_adapter::Redis::new(&cfg).with_context(|| format!("Redis at {url}"))?;
        let r = redis.ports_with_caps(buffer, caps);
        ports.rooms = r.rooms;
        ports.bus = r.bus;
        ports.chat = r.chat;
        ports.receipts = r.receipts;
        ports.analytics = r.analytics;
        ports.limiter = r.limiter;
        ports.recordings = r.recordings;
        ports.instances = r.instances;
        ports.media_owners = r.media_owners;
        ports.log = r.log;
        transfer_store = r.transfers;
        ports.quotas = r.quotas;
        shared_redis = Some(redis);
        redis_spool = Some(r.chat_spool);
        tracing::info!(prefix = %settings.redis.redis_prefix, "shared state in Redis");
    }
    let webhooks = hooks::Webhooks::from_settings(&settings, shared_redis.as_ref())?;
    if let Some(w) = &webhooks {
        ports.events = Arc::new(hooks::WebhookSink(w.clone()));
    }
    let mut outbox = None;
    if let Some(uri) = &settings.mongo.mongodb_uri {
        let mut cfg = mongo_adapter::MongoConfig::new(uri.expose());
        cfg.database = settings.mongo.mongodb_database.clone();
        let days = |d: u64| (d > 0).then(|| std::time::Duration::from_secs(d * 86_400));
        cfg.chat_retention = days(settings.mongo.chat_retention_days);
        cfg.analytics_retention = days(settings.mongo.analytics_retention_days);
        cfg.recording_retention =
            std::time::Duration::from_secs(settings.mongo.recording_retention_days.max(1) * 86_400);
        let m = mongo_adapter::Mongo::new(cfg)
            .await
            .with_context(|| format!("MongoDB at {uri}"))?;
        // Chat written while MongoDB is away waits in a spool that outlives
        // the process: Redis (any instance drains it), else a local fsynced
        // log; memory only with RTC_STORAGE=memory.
        let spool: Arc<dyn signaling_core::ports::ChatSpool> = match redis_spool.take() {
            Some(r) => r,
            None if settings.store.storage == config::StorageKind::Memory => {
                Arc::new(signaling_core::memory::MemoryChatSpool::default())
            }
            None => {
                // Blocking file I/O (and maybe a wait for a predecessor's lock).
                let dir = settings.store.data_dir.join("chat-outbox");
                Arc::new(
                    tokio::task::spawn_blocking(move || chat_spool::FileChatSpool::open(dir))
                        .await??,
                )
            }
        };
        let chat = Arc::new(signaling_core::memory::OutboxChatHistory::with_spool(
            Arc::new(m.chat()),
            spool,
            100_000,
        ));
        ports.chat = chat.clone();
        ports.receipts = Arc::new(m.receipts());
        outbox = Some(chat);
        ports.analytics = Arc::new(m.analytics());
        ports.recordings = Arc::new(m.recordings());
        ports.sessions = Arc::new(m.sessions());
        // Indexes before serving if the database is there, else as soon as
        // it is (queries must not race an index build).
        let ready = tokio::time::timeout(std::time::Duration::from_secs(10), m.ensure_indexes())
            .await
            .is_ok_and(|r| r.is_ok());
        actix_rt::spawn(async move {
            if ready {
                return;
            }
            let mut logged = false;
            loop {
                match m.ensure_indexes().await {
                    Ok(()) => break,
                    Err(e) if !logged => {
                        tracing::warn!(error = %e, "MongoDB indexes not created yet; retrying");
                        logged = true;
                    }
                    Err(_) => {}
                }
                tokio::time::sleep(std::time::Duration::from_secs(2)).await;
            }
        });
        tracing::info!(database = %settings.mongo.mongodb_database, "history and records in MongoDB");
    }
    let (job_tx, job_rx) = tokio::sync::mpsc::unbounded_channel();
    ports.jobs = Arc::new(recordings::ChannelJobs(job_tx));
    let hub = Arc::new(Hub::default());
    let blobs = blob_store_from(&settings)?;
    let limits = file_transfer::TransferLimits {
        chunk_size: settings.transfers.transfer_chunk_bytes,
        max_file_size: settings.transfers.transfer_max_bytes,
        max_per_user: settings.transfers.transfer_max_per_user,
        cleanup_after_secs: settings.transfers.transfer_ttl_secs,
        max_chunk_size: settings.transfers.transfer_max_chunk_bytes,
        quota_user_bytes: settings.transfers.transfer_quota_user_bytes,
        quota_room_bytes: settings.transfers.transfer_quota_room_bytes,
    };
    let transfers = file_transfer::TransferService::new(
        transfer_store,
        blobs.clone(),
        ports.clock.clone(),
        limits,
    )
    .with_quotas(ports.quotas.clone());
    let links = match &settings.store.link_secret {
        Some(s) if s.expose().len() >= 32 => storage::LinkSigner::new(s.expose().as_bytes()),
        Some(_) => anyhow::bail!("RTC_LINK_SECRET must be at least 32 bytes"),
        None => storage::LinkSigner::new(uuid::Uuid::new_v4().as_bytes().repeat(2).as_slice()),
    };
    let mut policy = signaling_core::ratelimit::RatePolicy::default();
    policy
        .apply_overrides(&settings.rooms.rate_limits)
        .map_err(anyhow::Error::msg)?;
    let settings_origins = settings.http.allowed_origins.clone();
    let uploads = app::recordings::Uploads::new(
        blobs.clone(),
        ports.quotas.clone(),
        app::recordings::RecordingQuota {
            user_bytes: settings.recording.recording_quota_user_bytes,
            room_bytes: settings.recording.recording_quota_room_bytes,
        },
    );
    let service = RoomService::with_policy(Engine::new(room_config), ports, policy);
    // The hub gets every bus event; the service keeps its room views from them.
    service.subscribe(hub.clone());
    let http_ip = settings
        .http
        .bind
        .parse::<std::net::SocketAddr>()
        .map(|a| a.ip())
        .unwrap_or(std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED));
    let streams = egress::Settings {
        ffmpeg: settings.recording.ffmpeg.clone(),
        scratch: settings.recording.scratch_dir.clone(),
        max_concurrent: settings.media.live_stream_max_concurrent,
        max_duration: std::time::Duration::from_secs(settings.media.live_stream_max_secs),
        max_deployment: settings.media.live_stream_max_deployment,
        max_recordings: settings.recording.server_recording_max_concurrent,
        // The room service stops a recording at its limit; this is the
        // backstop, a minute later.
        recording_max_duration: std::time::Duration::from_secs(
            settings.recording.recording_max_secs + 60,
        ),
        blobs: blobs.clone(),
    };
    let media = media_plane::start(&settings.media, http_ip, service.clone(), streams)?;
    service.attach_media(Arc::new(media.clone()));
    Ok(AppState {
        service,
        verifier: verifier_from(&settings)?,
        dev_minter: settings.dev_tokens_enabled().then(|| {
            let secret = settings
                .auth
                .jwt_secret
                .as_ref()
                .map(|s| s.expose().to_owned());
            auth::TokenMinter::hs256(
                secret
                    .as_deref()
                    .unwrap_or(config::DEV_JWT_SECRET)
                    .as_bytes(),
            )
        }),
        hub,
        media,
        settings: Arc::new(settings),
        started: Instant::now(),
        metrics: Default::default(),
        admission: Default::default(),
        instance_id: uuid::Uuid::new_v4().to_string(),
        transfers,
        uploads,
        blobs,
        links,
        job_rx: std::sync::Mutex::new(Some(job_rx)),
        chat_outbox: outbox,
        webhooks,
        stopping: tokio::sync::watch::Sender::new(false),
        sessions: Arc::default(),
        origins: origin::OriginPolicy::new(&settings_origins),
    })
}

fn json_error(code: ErrorCode, message: String) -> actix_web::Error {
    ApiError(SignalError::new(code, message)).into()
}

/// Gives every request an id (the caller's `X-Request-Id` when it is short
/// and plain, else a new one), runs the request inside a tracing span that
/// carries it (so every log line of the request names it), echoes it back
/// and counts the request for `/metrics`. The span has the path without the
/// query string, which may hold a token.
async fn request_context(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody>,
) -> Result<actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    use tracing::Instrument;
    let id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 64
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let method = req.method().to_string();
    let span = tracing::info_span!("http", request_id = %id, method = %method, path = %req.path());
    let started = Instant::now();
    let mut res = next.call(req).instrument(span).await?;
    telemetry::http_request(&method, res.status().as_u16(), started.elapsed());
    if let Ok(v) = actix_web::http::header::HeaderValue::from_str(&id) {
        res.headers_mut().insert(
            actix_web::http::header::HeaderName::from_static("x-request-id"),
            v,
        );
    }
    Ok(res)
}

/// Registers all routes and limits on an actix `App`; `main` and tests share it.
pub fn configure_app(state: web::Data<AppState>) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        let max_body = state.settings.http.max_body_bytes;
        let admin_api = admin::configure_if_enabled(&state.settings);
        let max_chunk = usize::try_from(state.settings.transfers.transfer_max_chunk_bytes)
            .unwrap_or(usize::MAX);
        cfg.app_data(state)
            .app_data(
                web::JsonConfig::default()
                    .limit(max_body)
                    .error_handler(|e, _| match e {
                        actix_web::error::JsonPayloadError::OverflowKnownLength { .. }
                        | actix_web::error::JsonPayloadError::Overflow { .. } => {
                            json_error(ErrorCode::MessageTooLarge, e.to_string())
                        }
                        _ => json_error(ErrorCode::ValidationError, e.to_string()),
                    }),
            )
            .app_data(
                web::PathConfig::default()
                    .error_handler(|e, _| json_error(ErrorCode::InvalidId, e.to_string())),
            )
            .app_data(
                web::QueryConfig::default()
                    .error_handler(|e, _| json_error(ErrorCode::ValidationError, e.to_string())),
            )
            .configure(ws::configure)
            .configure(recordings::configure)
            .configure(hls::configure)
            .configure(routes::configure)
            .configure(routes::configure_ops)
            .configure(transfers::configure(max_chunk))
            .configure(webclient::configure)
            .configure(admin_api)
            .configure(openapi::configure)
            .default_service(web::to(openapi::not_routed));
    }
}

/// Runs each maintenance job (`app::maintenance`) on its own timer, the
/// first run at once. A failing job is logged once per outage, and again
/// when it recovers.
fn schedule(jobs: Vec<Arc<dyn app::maintenance::Job>>) {
    for job in jobs {
        actix_rt::spawn(async move {
            let period = job.period().max(std::time::Duration::from_millis(10));
            let mut tick = tokio::time::interval(period);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let mut failing = false;
            loop {
                tick.tick().await;
                match job.run().await {
                    Ok(_) if failing => {
                        failing = false;
                        tracing::info!(job = job.name(), "maintenance job works again");
                    }
                    Ok(_) => {}
                    Err(e) if !failing => {
                        failing = true;
                        tracing::warn!(job = job.name(), error = %e, "{}", job.failure());
                    }
                    Err(e) => {
                        tracing::debug!(job = job.name(), error = %e, "maintenance job still failing")
                    }
                }
            }
        });
    }
}

/// The maintenance jobs of this instance.
fn maintenance_jobs(state: &AppState) -> Vec<Arc<dyn app::maintenance::Job>> {
    let config = app::maintenance::MaintenanceConfig {
        instance_id: state.instance_id.clone(),
        instance_ttl: std::time::Duration::from_secs(state.settings.redis.instance_ttl_secs),
        empty_room_ttl: std::time::Duration::from_secs(state.settings.rooms.empty_room_ttl_secs),
    };
    app::maintenance::jobs(
        &config,
        &state.service,
        &state.transfers,
        state.chat_outbox.clone(),
        state.hub.clone(),
    )
}

/// A bound, not yet running server.
pub struct Application {
    server: actix_web::dev::Server,
    addr: SocketAddr,
    ops_addr: Option<SocketAddr>,
    stopper: shutdown::Stopper,
}

impl Application {
    /// Binds `settings.bind` (port 0 allowed) and builds the server.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(&settings.http.bind)
            .with_context(|| format!("binding {}", settings.http.bind))?;
        Self::from_listener(listener, settings).await
    }

    /// Builds the server on an already bound listener. Refuses the public
    /// development JWT secret on a non-loopback address unless
    /// `insecure_dev` is set ([`Settings::check_dev_secret`]).
    pub async fn from_listener(listener: TcpListener, settings: Settings) -> anyhow::Result<Self> {
        let addr = listener.local_addr()?;
        settings.check_dev_secret(addr)?;
        let workers = settings.http.workers;
        let handshake_secs = settings.http.handshake_timeout_secs.max(1);
        let state = web::Data::new(build_state(settings).await?);
        schedule(maintenance_jobs(&state));
        actix_rt::spawn(telemetry::upkeep());
        let dispatchers = match &state.webhooks {
            Some(w) => w.spawn_dispatchers(&state.stopping.subscribe()),
            None => Vec::new(),
        };
        if let Some(rx) = state.job_rx.lock().expect("job queue").take() {
            let s = &state.settings;
            let ffmpeg = media_ffmpeg::Ffmpeg::new(
                &s.recording.ffmpeg,
                &s.recording.ffprobe,
                std::time::Duration::from_secs(s.recording.recording_max_secs.max(600)),
            );
            let worker = app::recordings::Worker::new(
                state.service.clone(),
                state.blobs.clone(),
                Arc::new(ffmpeg),
                state.instance_id.clone(),
                s.recording.scratch_dir.clone(),
            );
            actix_rt::spawn(recordings::worker(worker, rx));
        }
        let app_state = state.clone();
        let mut server = HttpServer::new(move || {
            let state = app_state.clone();
            App::new()
                .wrap(actix_web::middleware::from_fn(guard::guard))
                .wrap(actix_web::middleware::from_fn(request_context))
                .configure(configure_app(state.clone()))
        })
        // Signaling frames are small and latency-bound: without this, Nagle's
        // algorithm holds a frame written while the previous one is unacked
        // (actix keeps the OS default, which is Nagle on).
        .tcp_nodelay(true)
        .listen(listener)?
        .client_request_timeout(std::time::Duration::from_secs(handshake_secs))
        .shutdown_timeout(state.settings.http.shutdown_timeout_secs.max(1))
        // Signals are ours (`shutdown::on_signals`): the drain comes first.
        .disable_signals();
        if let Some(w) = workers {
            server = server.workers(w);
        }
        let ops_addr = match state.settings.ops.metrics_bind.clone() {
            Some(bind) => Some(Self::serve_ops(state.clone(), &bind)?),
            None => None,
        };
        let server = server.run();
        let stopper = shutdown::Stopper {
            state: state.clone(),
            server: server.handle(),
            dispatchers: Arc::new(std::sync::Mutex::new(dispatchers)),
        };
        Ok(Application {
            server,
            addr,
            ops_addr,
            stopper,
        })
    }

    /// Serves the operations endpoints on their own address
    /// (`RTC_METRICS_BIND`), for a port that is not exposed publicly.
    fn serve_ops(state: web::Data<AppState>, bind: &str) -> anyhow::Result<SocketAddr> {
        let listener =
            TcpListener::bind(bind).with_context(|| format!("binding metrics address {bind}"))?;
        let addr = listener.local_addr()?;
        let ops = HttpServer::new(move || {
            let state = state.clone();
            App::new()
                .app_data(web::Data::new(guard::OpsListener))
                .wrap(actix_web::middleware::from_fn(guard::guard))
                .configure(move |cfg| {
                    cfg.app_data(state);
                    routes::configure_ops(cfg);
                })
        })
        .listen(listener)?
        .workers(1)
        .disable_signals()
        .run();
        actix_rt::spawn(ops);
        tracing::info!(%addr, "metrics and stats on their own address");
        Ok(addr)
    }

    /// Where the operations endpoints are served, when `RTC_METRICS_BIND` is set.
    pub fn ops_addr(&self) -> Option<SocketAddr> {
        self.ops_addr
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// A handle to stop the server; `stop(false)` drops every connection at
    /// once, like a crash as far as peers and other instances can tell.
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// Starts a graceful stop ([`shutdown`]) from the program, as SIGTERM
    /// does.
    pub fn stopper(&self) -> shutdown::Stopper {
        self.stopper.clone()
    }

    /// Runs until stopped (by a [`handle`](Self::handle) or the
    /// [`stopper`](Self::stopper)); signals are left to the program.
    pub async fn run(self) -> std::io::Result<()> {
        self.server.await
    }

    /// Runs until stopped; SIGTERM or SIGINT drains and stops gracefully
    /// ([`shutdown`]), a second one stops at once. What `rtc-server` runs.
    pub async fn run_until_signal(self) -> std::io::Result<()> {
        actix_rt::spawn(shutdown::on_signals(self.stopper.clone()));
        self.server.await
    }
}
