//! Reconnection state and missed messages, and connection-quality reports.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::json;
use signaling_core::Command;

use super::{Res, actor};
use crate::AppState;

/// The operations of this feature, documented by `#[utoipa::path]` on each
/// handler. Keep this list and `configure` together: the e2e test fails
/// when a path is served but missing here.
#[derive(utoipa::OpenApi)]
#[openapi(paths(reconnect, quality, reconnection_state, connection_quality))]
pub(crate) struct Doc;

/// Registers the routes of this feature.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/webrtc/rooms/{room_id}/reconnect",
        web::get().to(reconnect),
    )
    .route(
        "/webrtc/rooms/{room_id}/reconnection-state",
        web::get().to(reconnection_state),
    )
    .route("/webrtc/rooms/{room_id}/quality", web::post().to(quality))
    .route(
        "/webrtc/rooms/{room_id}/connection-quality",
        web::post().to(connection_quality),
    );
}

#[derive(Deserialize)]
struct ReconnectQuery {
    last_sequence: Option<u64>,
}

/// What a returning client missed (with `last_sequence`), and its
/// reconnection state: presence, quality, the room's newest sequence.
#[utoipa::path(
    get,
    path = "/webrtc/rooms/{room_id}/reconnect",
    tag = "Reconnection",
    summary = "What a returning client missed, and its reconnection state",
    security(("bearer" = []), ("query_token" = [])),
    params(("last_sequence" = Option<u64>, Query, description = "The highest seq the client saw")),
    responses((status = 200, description = "The reconnection state", body = Object)),
)]
async fn reconnect(
    req: HttpRequest,
    path: web::Path<String>,
    q: web::Query<ReconnectQuery>,
    state: web::Data<AppState>,
) -> Res {
    let (room_id, a) = actor(&req, &state, &path).await?;
    let room = state.service.room(&room_id).await?;
    let me = state.service.engine().require_member(&room, &a)?.clone();
    let quality = me
        .network_stats
        .as_ref()
        .map(signaling_core::engine::classify_quality);
    let mut body = json!({
        "room_id": room_id,
        "user_id": me.user_id,
        "presence": me.presence,
        "quality": quality,
        "network_stats": me.network_stats,
        "last_sequence": state.service.latest_sequence(&room_id).await?,
    });
    if let Some(last) = q.last_sequence {
        match state.service.replay(&room_id, &a, last).await? {
            signaling_core::ReplayOutcome::Events { events, latest } => {
                let events: Vec<serde_json::Value> = events
                    .iter()
                    .filter_map(|(_, j)| serde_json::from_str(j).ok())
                    .collect();
                body["resync_required"] = json!(false);
                body["missed_message_count"] = json!(events.len());
                // Seed 000's client reads `missed_messages`.
                body["missed_messages"] = json!(events);
                body["events"] = json!(events);
                body["last_sequence"] = json!(latest);
            }
            signaling_core::ReplayOutcome::Resync { state: s, latest } => {
                body["resync_required"] = json!(true);
                // Nothing to replay: the whole state instead.
                body["missed_messages"] = json!([]);
                body["events"] = json!([]);
                body["state"] = json!(s);
                body["last_sequence"] = json!(latest);
            }
        }
    }
    Ok(HttpResponse::Ok().json(body))
}

#[utoipa::path(
    post,
    path = "/webrtc/rooms/{room_id}/quality",
    tag = "Reconnection",
    summary = "Report connection quality; a change of class is broadcast",
    security(("bearer" = []), ("query_token" = [])),
    request_body = signaling_core::room::NetworkStats,
    responses((status = 200, description = "{user_id, quality, stats}", body = Object)),
)]
async fn quality(
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Json<signaling_core::room::NetworkStats>,
    state: web::Data<AppState>,
) -> Res {
    let (room_id, a) = actor(&req, &state, &path).await?;
    let stats = body.into_inner();
    state
        .service
        .execute(&room_id, &a, Command::NetworkStats(stats))
        .await?;
    let quality = signaling_core::engine::classify_quality(&stats);
    Ok(
        HttpResponse::Ok()
            .json(json!({ "user_id": a.user_id, "quality": quality, "stats": stats })),
    )
}

#[utoipa::path(
    get,
    path = "/webrtc/rooms/{room_id}/reconnection-state",
    tag = "Reconnection",
    summary = "Alias of /reconnect (seed 001)",
    security(("bearer" = []), ("query_token" = [])),
    params(("last_sequence" = Option<u64>, Query, description = "The highest seq the client saw")),
    responses((status = 200, description = "As /reconnect", body = Object)),
)]
async fn reconnection_state(
    req: HttpRequest,
    path: web::Path<String>,
    q: web::Query<ReconnectQuery>,
    state: web::Data<AppState>,
) -> Res {
    reconnect(req, path, q, state).await
}

#[utoipa::path(
    post,
    path = "/webrtc/rooms/{room_id}/connection-quality",
    tag = "Reconnection",
    summary = "Alias of /quality (seed 001)",
    security(("bearer" = []), ("query_token" = [])),
    request_body = signaling_core::room::NetworkStats,
    responses((status = 200, description = "{user_id, quality, stats}", body = Object)),
)]
async fn connection_quality(
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Json<signaling_core::room::NetworkStats>,
    state: web::Data<AppState>,
) -> Res {
    quality(req, path, body, state).await
}
