//! Operations and configuration: ICE servers, health, rate-limit status, and the stats and metrics endpoints (`configure_ops`).

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;
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

#[utoipa::path(
    get,
    path = "/webrtc/config",
    tag = "Signaling",
    summary = "ICE servers (STUN; TURN credentials need a token) and limits",
    security(()),
    responses((status = 200, description = "{iceServers, limits, heartbeat_secs, idle_timeout_secs}", body = Object)),
)]
async fn ice_config(req: HttpRequest, state: web::Data<AppState>) -> Res {
    let s = &state.settings;
    let mut servers = vec![];
    // `RTC_STUN_URLS=""` turns STUN off (a LAN or loopback-only setup).
    let stun: Vec<&String> = s.ice.stun_urls.iter().filter(|u| !u.is_empty()).collect();
    if !stun.is_empty() {
        servers.push(json!({ "urls": stun }));
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
                servers.push(json!({ "urls": s.ice.turn_urls, "username": c.username, "credential": c.credential, "ttl": c.ttl }));
            }
            None => servers.push(json!({ "urls": s.ice.turn_urls })),
        }
    }
    Ok(HttpResponse::Ok().json(json!({
        "iceServers": servers,
        "limits": {
            "max_message_bytes": s.ws.max_message_bytes,
            "max_chat_chars": state.service.engine().config.max_chat_chars,
            "room_capacity": s.rooms.room_capacity,
        },
        "heartbeat_secs": s.ws.heartbeat_secs,
        "idle_timeout_secs": s.ws.idle_timeout_secs,
    })))
}

#[utoipa::path(
    get,
    path = "/webrtc/health",
    tag = "Operations",
    summary = "Health; 503 when the shared store is unreachable",
    security(()),
    responses((status = 200, description = "{status, checks, connections, uptime_seconds}", body = Object)),
)]
async fn health(state: web::Data<AppState>) -> Res {
    let started = state.started.elapsed().as_secs();
    let rooms = state.service.ports().rooms.list().await;
    let (status, code, store) = match &rooms {
        Ok(_) => ("healthy", 200, "ok"),
        Err(_) => ("degraded", 503, "unavailable"),
    };
    Ok(
        HttpResponse::build(actix_web::http::StatusCode::from_u16(code).unwrap_or_default()).json(
            json!({
                "status": status,
                "uptime_seconds": started,
                "connections": state.hub.connection_count(),
                "checks": {
                    "room_store": store,
                    "chat_outbox_pending": state.chat_outbox.as_ref().map(|o| o.pending()).unwrap_or(0),
                },
            }),
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
    responses((status = 200, description = "{rooms, participants, connections_on_this_instance, uptime_seconds}", body = Object)),
)]
async fn stats(state: web::Data<AppState>) -> Res {
    let (rooms, participants, _) = room_totals(&state).await?;
    Ok(HttpResponse::Ok().json(json!({
        "rooms": rooms,
        "participants": participants,
        "connections_on_this_instance": state.hub.connection_count(),
        "uptime_seconds": state.started.elapsed().as_secs(),
    })))
}

#[utoipa::path(
    get,
    path = "/webrtc/rate-limits/{limit_type}/status",
    tag = "Signaling",
    summary = "The caller's use of one rate limit",
    security(("bearer" = []), ("query_token" = [])),
    responses((status = 200, description = "{limit_type, scope, limit, window_secs, used, remaining, reset_in_secs}; `scope` is `user` (counted across instances) or `connection` (`signaling`, `websocket_message`: counted by each WebSocket session, so `used`, `remaining` and `reset_in_secs` are null)", body = Object)),
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
        return Ok(HttpResponse::Ok().json(json!({
            "limit_type": kind.as_str(),
            "scope": "connection",
            "limit": limit.max,
            "window_secs": limit.window_secs,
            "used": null,
            "remaining": null,
            "reset_in_secs": null,
        })));
    }
    let status = state.service.rate_status(kind, &user).await?;
    Ok(HttpResponse::Ok().json(json!({
        "scope": "user",
        "limit_type": kind.as_str(),
        "limit": limit.max,
        "window_secs": limit.window_secs,
        "used": status.used,
        "remaining": status.remaining,
        "reset_in_secs": status.reset_in_secs,
    })))
}

#[utoipa::path(
    get,
    path = "/webrtc/webrtc-metrics",
    tag = "Operations",
    summary = "This instance's counters as JSON",
    security(()),
    responses((status = 200, description = "Counters", body = Object)),
)]
async fn webrtc_metrics(state: web::Data<AppState>) -> Res {
    let (rooms, participants, reconnecting) = room_totals(&state).await?;
    Ok(HttpResponse::Ok().json(json!({
        "rooms": rooms,
        "participants": participants,
        "participants_reconnecting": reconnecting,
        "this_instance": state.metrics.snapshot(state.hub.connection_count()),
        "uptime_seconds": state.started.elapsed().as_secs(),
    })))
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
