//! Reconnection state and missed messages, and connection-quality reports.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use signaling_core::Command;

use super::{Res, actor};
use crate::AppState;
use crate::http_error::err;

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

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ReconnectQuery {
    /// The highest `seq` the client saw (sequence numbers are int64).
    #[param(value_type = Option<i64>, minimum = 0)]
    last_sequence: Option<u64>,
}

/// A returning client's state, and with `last_sequence` what it missed.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct ReconnectAnswer {
    room_id: signaling_core::RoomId,
    user_id: signaling_core::UserId,
    presence: signaling_core::room::Presence,
    /// Once the client reported stats (else null).
    #[schema(value_type = Option<QualityClass>, required = true)]
    quality: Option<&'static str>,
    /// The figures the client reported last (null before any).
    #[schema(required = true)]
    network_stats: Option<signaling_core::room::NetworkStats>,
    /// The room's newest sequence number.
    last_sequence: u64,
    /// With `last_sequence`: whether the missed messages are gone, so
    /// `state` replaces them.
    #[serde(skip_serializing_if = "Option::is_none")]
    resync_required: Option<bool>,
    /// How many messages were missed.
    #[serde(skip_serializing_if = "Option::is_none")]
    missed_message_count: Option<usize>,
    /// The missed messages, oldest first (seed 000's name for `events`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<Object>>)]
    missed_messages: Option<Vec<serde_json::Value>>,
    /// The missed messages, oldest first, as sent over the WebSocket.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<Object>>)]
    events: Option<Vec<serde_json::Value>>,
    /// The whole room state, when a resync is required.
    #[serde(skip_serializing_if = "Option::is_none")]
    state: Option<Box<signaling_core::protocol::RoomStateView>>,
}

/// The classes of `signaling_core::engine::classify_quality`, for the
/// document.
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)]
pub(crate) enum QualityClass {
    Excellent,
    Good,
    Poor,
    Lost,
}

/// A quality report's classification.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct QualityAnswer {
    user_id: signaling_core::UserId,
    #[schema(value_type = QualityClass)]
    quality: &'static str,
    stats: signaling_core::room::NetworkStats,
}

/// What a returning client missed (with `last_sequence`), and its
/// reconnection state: presence, quality, the room's newest sequence.
#[utoipa::path(
    get,
    path = "/webrtc/rooms/{room_id}/reconnect",
    tag = "Reconnection",
    summary = "What a returning client missed, and its reconnection state",
    security(("bearer" = []), ("query_token" = [])),
    params(ReconnectQuery),
    responses((status = 200, description = "The reconnection state", body = ReconnectAnswer)),
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
    let mut body = ReconnectAnswer {
        room_id: room_id.clone(),
        user_id: me.user_id,
        presence: me.presence,
        quality,
        network_stats: me.network_stats,
        last_sequence: state.service.latest_sequence(&room_id).await?,
        resync_required: None,
        missed_message_count: None,
        missed_messages: None,
        events: None,
        state: None,
    };
    if let Some(last) = q.last_sequence {
        if i64::try_from(last).is_err() {
            return err(
                signaling_core::ErrorCode::ValidationError,
                "last_sequence: sequence numbers are int64",
            );
        }
        match state.service.replay(&room_id, &a, last).await? {
            signaling_core::ReplayOutcome::Events { events, latest } => {
                let events: Vec<serde_json::Value> = events
                    .iter()
                    .filter_map(|(_, j)| serde_json::from_str(j).ok())
                    .collect();
                body.resync_required = Some(false);
                body.missed_message_count = Some(events.len());
                // Seed 000's client reads `missed_messages`.
                body.missed_messages = Some(events.clone());
                body.events = Some(events);
                body.last_sequence = latest;
            }
            signaling_core::ReplayOutcome::Resync { state: s, latest } => {
                // Nothing to replay: the whole state instead.
                body.resync_required = Some(true);
                body.missed_messages = Some(Vec::new());
                body.events = Some(Vec::new());
                body.state = Some(s);
                body.last_sequence = latest;
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
    responses((status = 200, description = "The quality class", body = QualityAnswer)),
)]
async fn quality(
    req: HttpRequest,
    path: web::Path<String>,
    body: crate::optional_json::JsonBody<signaling_core::room::NetworkStats>,
    state: web::Data<AppState>,
) -> Res {
    let (room_id, a) = actor(&req, &state, &path).await?;
    let stats = body.into_inner();
    state
        .service
        .execute(&room_id, &a, Command::NetworkStats(stats))
        .await?;
    let quality = signaling_core::engine::classify_quality(&stats);
    Ok(HttpResponse::Ok().json(QualityAnswer {
        user_id: a.user_id,
        quality,
        stats,
    }))
}

#[utoipa::path(
    get,
    path = "/webrtc/rooms/{room_id}/reconnection-state",
    tag = "Reconnection",
    summary = "Alias of /reconnect (seed 001)",
    security(("bearer" = []), ("query_token" = [])),
    params(ReconnectQuery),
    responses((status = 200, description = "As /reconnect", body = ReconnectAnswer)),
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
    responses((status = 200, description = "The quality class", body = QualityAnswer)),
)]
async fn connection_quality(
    req: HttpRequest,
    path: web::Path<String>,
    body: crate::optional_json::JsonBody<signaling_core::room::NetworkStats>,
    state: web::Data<AppState>,
) -> Res {
    quality(req, path, body, state).await
}
