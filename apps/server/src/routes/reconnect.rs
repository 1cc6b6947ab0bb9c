//! Reconnection state and missed messages, and connection-quality reports.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::json;
use signaling_core::Command;

use super::{Res, actor};
use crate::AppState;
use crate::openapi::Api;

/// Registers the routes of this feature.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.api(
        "GET",
        "/webrtc/rooms/{room_id}/reconnect",
        web::get().to(reconnect),
    )
    .api(
        "GET",
        "/webrtc/rooms/{room_id}/reconnection-state",
        web::get().to(reconnect),
    )
    .api(
        "POST",
        "/webrtc/rooms/{room_id}/quality",
        web::post().to(quality),
    )
    .api(
        "POST",
        "/webrtc/rooms/{room_id}/connection-quality",
        web::post().to(quality),
    );
}

#[derive(Deserialize)]
struct ReconnectQuery {
    last_sequence: Option<u64>,
}

/// What a returning client missed (with `last_sequence`), and its
/// reconnection state: presence, quality, the room's newest sequence.
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
                body["events"] = json!(events);
                body["last_sequence"] = json!(latest);
            }
            signaling_core::ReplayOutcome::Resync { state: s, latest } => {
                body["resync_required"] = json!(true);
                body["state"] = json!(s);
                body["last_sequence"] = json!(latest);
            }
        }
    }
    Ok(HttpResponse::Ok().json(body))
}

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
