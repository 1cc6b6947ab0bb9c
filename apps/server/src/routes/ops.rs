//! Operations and configuration: ICE servers, health, rate-limit status, and the stats and metrics endpoints (`configure_ops`).

use actix_web::{HttpRequest, HttpResponse, web};
use signaling_core::ratelimit::LimitKind;
use signaling_core::{ErrorCode, UserId};

use super::Res;
use crate::AppState;
use crate::auth_extract::identity_from_request;
use crate::http_error::{ApiError, err};

/// The operations of this feature, documented by `#[utoipa::path]` on each
/// handler. Keep this list and `configure` together: the e2e test fails
/// when a path is served but missing here.
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    ice_config,
    health,
    stats,
    rate_status,
    webrtc_metrics,
    prometheus_metrics
))]
pub(crate) struct Doc;

/// Registers the configuration, health and rate-limit status routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/webrtc/config", web::get().to(ice_config))
        .route("/webrtc/health", web::get().to(health))
        .route(
            "/webrtc/rate-limits/{limit_type}/status",
            web::get().to(rate_status),
        );
}

/// Registers the operations endpoints (`/metrics`, `/webrtc/stats`,
/// `/webrtc/webrtc-metrics`): on the main app, and on the metrics address
/// when `RTC_METRICS_BIND` is set (`guard.rs` decides which answers).
pub fn configure_ops(cfg: &mut web::ServiceConfig) {
    cfg.route("/webrtc/stats", web::get().to(stats))
        .route("/webrtc/webrtc-metrics", web::get().to(webrtc_metrics))
        .route("/metrics", web::get().to(prometheus_metrics));
}

/// One ICE server, as `RTCIceServer` takes it.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct IceServer {
    urls: Vec<String>,
    /// TURN username (time-limited, bound to the caller).
    #[serde(skip_serializing_if = "Option::is_none")]
    username: Option<String>,
    /// TURN credential.
    #[serde(skip_serializing_if = "Option::is_none")]
    credential: Option<String>,
    /// Seconds the TURN credential lasts.
    #[serde(skip_serializing_if = "Option::is_none")]
    ttl: Option<u64>,
}

impl IceServer {
    fn urls(urls: Vec<String>) -> Self {
        IceServer {
            urls,
            username: None,
            credential: None,
            ttl: None,
        }
    }
}

/// Limits a client should respect.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct ClientLimits {
    max_message_bytes: usize,
    max_chat_chars: usize,
    room_capacity: u32,
}

/// What a client needs before joining.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct ClientConfig {
    #[serde(rename = "iceServers")]
    ice_servers: Vec<IceServer>,
    limits: ClientLimits,
    heartbeat_secs: u64,
    idle_timeout_secs: u64,
}

/// The checks behind `/webrtc/health`.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct HealthChecks {
    /// `ok` or `unavailable`.
    room_store: &'static str,
    /// Chat messages waiting for the history store.
    chat_outbox_pending: usize,
}

/// Health of this instance.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct Health {
    /// `healthy`, `degraded` (the shared store is unreachable) or
    /// `draining` (the instance is stopping: send clients elsewhere).
    status: &'static str,
    uptime_seconds: u64,
    connections: usize,
    checks: HealthChecks,
}

/// Totals across the deployment.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct Stats {
    rooms: usize,
    participants: usize,
    connections_on_this_instance: usize,
    uptime_seconds: u64,
}

/// Where a rate limit is counted, for the document.
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)]
pub(crate) enum RateScope {
    User,
    Connection,
}

/// The caller's use of one rate limit.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct RateAnswer {
    limit_type: &'static str,
    /// `user`: counted across instances; `connection`: by each WebSocket
    /// session, so `used`, `remaining` and `reset_in_secs` are null.
    #[schema(value_type = RateScope)]
    scope: &'static str,
    limit: u32,
    window_secs: u64,
    /// Null for `connection` scope.
    #[schema(required = true)]
    used: Option<u32>,
    /// Null for `connection` scope.
    #[schema(required = true)]
    remaining: Option<u32>,
    /// Null for `connection` scope.
    #[schema(required = true)]
    reset_in_secs: Option<u64>,
}

/// Totals and this instance's counters.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct WebrtcMetrics {
    rooms: usize,
    participants: usize,
    participants_reconnecting: usize,
    this_instance: crate::telemetry::MetricsSnapshot,
    uptime_seconds: u64,
}

#[utoipa::path(
    get,
    path = "/webrtc/config",
    tag = "Signaling",
    summary = "ICE servers (STUN; TURN credentials need a token) and limits",
    security(()),
    responses((status = 200, description = "ICE servers and limits", body = ClientConfig)),
)]
async fn ice_config(req: HttpRequest, state: web::Data<AppState>) -> Res {
    let s = &state.settings;
    let mut servers = vec![];
    // `RTC_STUN_URLS=""` turns STUN off (a LAN or loopback-only setup).
    let stun: Vec<&String> = s.ice.stun_urls.iter().filter(|u| !u.is_empty()).collect();
    if !stun.is_empty() {
        servers.push(IceServer::urls(stun.into_iter().cloned().collect()));
    }
    if !s.ice.turn_urls.is_empty() {
        // TURN credentials are bound to an authenticated user.
        let identity = identity_from_request(&req, &state)?;
        match &s.ice.turn_secret {
            Some(secret) => {
                let c = auth::turn::credentials(
                    secret.expose().as_bytes(),
                    &identity.user_id,
                    state.now_unix(),
                    s.ice.turn_ttl_secs,
                );
                servers.push(IceServer {
                    urls: s.ice.turn_urls.clone(),
                    username: Some(c.username),
                    credential: Some(c.credential),
                    ttl: Some(c.ttl),
                });
            }
            None => servers.push(IceServer::urls(s.ice.turn_urls.clone())),
        }
    }
    Ok(HttpResponse::Ok().json(ClientConfig {
        ice_servers: servers,
        limits: ClientLimits {
            max_message_bytes: s.ws.max_message_bytes,
            max_chat_chars: state.service.engine().config.max_chat_chars,
            room_capacity: s.rooms.room_capacity,
        },
        heartbeat_secs: s.ws.heartbeat_secs,
        idle_timeout_secs: s.ws.idle_timeout_secs,
    }))
}

#[utoipa::path(
    get,
    path = "/webrtc/health",
    tag = "Operations",
    summary = "Health; 503 when the shared store is unreachable or the instance is stopping",
    security(()),
    responses((status = 200, description = "Healthy", body = Health), (status = 503, description = "Degraded (the shared store is unreachable) or draining (stopping)", body = Health)),
)]
async fn health(state: web::Data<AppState>) -> Res {
    let started = state.started.elapsed().as_secs();
    let outbox_pending = match &state.chat_outbox {
        Some(o) => o.pending().await,
        None => 0,
    };
    let rooms = state.service.ports().rooms.list().await;
    let (mut status, mut code, store) = match &rooms {
        Ok(_) => ("healthy", 200, "ok"),
        Err(_) => ("degraded", 503, "unavailable"),
    };
    if *state.stopping.borrow() {
        (status, code) = ("draining", 503);
    }
    Ok(
        HttpResponse::build(actix_web::http::StatusCode::from_u16(code).unwrap_or_default()).json(
            Health {
                status,
                uptime_seconds: started,
                connections: state.hub.connection_count(),
                checks: HealthChecks {
                    room_store: store,
                    chat_outbox_pending: outbox_pending,
                },
            },
        ),
    )
}

/// Rooms, participants and reconnecting participants across the deployment.
async fn room_totals(state: &AppState) -> Result<(usize, usize, usize), ApiError> {
    let ids = state.service.ports().rooms.list().await?;
    let (mut participants, mut reconnecting) = (0, 0);
    for id in &ids {
        if let Ok(r) = state.service.room(id).await {
            participants += r.participants.len();
            reconnecting += r
                .participants
                .iter()
                .filter(|p| p.presence != signaling_core::room::Presence::Connected)
                .count();
        }
    }
    Ok((ids.len(), participants, reconnecting))
}

#[utoipa::path(
    get,
    path = "/webrtc/stats",
    tag = "Operations",
    summary = "Rooms, participants, connections (RTC_METRICS_TOKEN / RTC_METRICS_BIND may guard it)",
    security(()),
    responses((status = 200, description = "Totals", body = Stats)),
)]
async fn stats(state: web::Data<AppState>) -> Res {
    let (rooms, participants, _) = room_totals(&state).await?;
    Ok(HttpResponse::Ok().json(Stats {
        rooms,
        participants,
        connections_on_this_instance: state.hub.connection_count(),
        uptime_seconds: state.started.elapsed().as_secs(),
    }))
}

#[utoipa::path(
    get,
    path = "/webrtc/rate-limits/{limit_type}/status",
    tag = "Signaling",
    summary = "The caller's use of one rate limit",
    security(("bearer" = []), ("query_token" = [])),
    responses((status = 200, description = "`scope` is `user` (counted across instances) or `connection` (`signaling`, `websocket_message`: counted by each WebSocket session, so `used`, `remaining` and `reset_in_secs` are null)", body = RateAnswer)),
)]
async fn rate_status(req: HttpRequest, path: web::Path<String>, state: web::Data<AppState>) -> Res {
    let Some(kind) = LimitKind::parse(&path) else {
        return err(
            ErrorCode::NotFound,
            format!("no limit type {:?}", path.as_str()),
        );
    };
    let identity = identity_from_request(&req, &state)?;
    let user = UserId::parse(&identity.user_id)?;
    let limit = state.service.policy().get(kind);
    if kind.is_per_connection() {
        // Counted by each WebSocket session, where REST cannot see it.
        return Ok(HttpResponse::Ok().json(RateAnswer {
            limit_type: kind.as_str(),
            scope: "connection",
            limit: limit.max,
            window_secs: limit.window_secs,
            used: None,
            remaining: None,
            reset_in_secs: None,
        }));
    }
    let status = state.service.rate_status(kind, &user).await?;
    Ok(HttpResponse::Ok().json(RateAnswer {
        limit_type: kind.as_str(),
        scope: "user",
        limit: limit.max,
        window_secs: limit.window_secs,
        used: Some(status.used),
        remaining: Some(status.remaining),
        reset_in_secs: Some(status.reset_in_secs),
    }))
}

#[utoipa::path(
    get,
    path = "/webrtc/webrtc-metrics",
    tag = "Operations",
    summary = "This instance's counters as JSON",
    security(()),
    responses((status = 200, description = "Counters", body = WebrtcMetrics)),
)]
async fn webrtc_metrics(state: web::Data<AppState>) -> Res {
    let (rooms, participants, reconnecting) = room_totals(&state).await?;
    Ok(HttpResponse::Ok().json(WebrtcMetrics {
        rooms,
        participants,
        participants_reconnecting: reconnecting,
        this_instance: state.metrics.snapshot(state.hub.connection_count()),
        uptime_seconds: state.started.elapsed().as_secs(),
    }))
}

/// `GET /metrics`: Prometheus text exposition. The room gauges need the
/// shared store; while it is away they keep their last value.
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "Operations",
    summary = "Prometheus text exposition (docs/operations.md)",
    security(()),
     responses((status = 200, description = "Prometheus text", content_type = "text/plain; version=0.0.4", body = String)),
)]
async fn prometheus_metrics(state: web::Data<AppState>) -> HttpResponse {
    let handle = crate::telemetry::prometheus();
    if let Some(w) = &state.webhooks {
        w.export_metrics().await;
    }
    metrics::gauge!("rtc_connections").set(state.hub.connection_count() as f64);
    if let Some(o) = &state.chat_outbox {
        metrics::gauge!("rtc_chat_outbox_pending").set(o.pending().await as f64);
        metrics::counter!("rtc_chat_outbox_refused_total").absolute(o.refused());
    }
    if let Ok((rooms, participants, reconnecting)) = room_totals(&state).await {
        metrics::gauge!("rtc_rooms").set(rooms as f64);
        metrics::gauge!("rtc_participants", "presence" => "connected")
            .set((participants - reconnecting) as f64);
        metrics::gauge!("rtc_participants", "presence" => "reconnecting").set(reconnecting as f64);
    }
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(handle.render())
}
