//! Live streams.

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;
use signaling_core::Command;
use signaling_core::protocol::LiveStreamStartReq;

use super::{Res, actor};
use crate::AppState;
use crate::openapi::Api;
use crate::optional_json::OptionalJson;

/// Registers the routes of this feature.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.api(
        "POST",
        "/webrtc/rooms/{room_id}/live-streams/start",
        web::post().to(stream_start),
    )
    .api(
        "POST",
        "/webrtc/rooms/{room_id}/live-streams/{stream_id}/stop",
        web::post().to(stream_stop),
    )
    .api(
        "GET",
        "/webrtc/rooms/{room_id}/live-streams",
        web::get().to(stream_list),
    );
}

async fn stream_start(
    req: HttpRequest,
    path: web::Path<String>,
    body: OptionalJson<LiveStreamStartReq>,
    state: web::Data<AppState>,
) -> Res {
    let (room_id, a) = actor(&req, &state, &path).await?;
    let cmd = Command::StreamStart(body.into_inner().unwrap_or_default());
    let s = state.service.execute(&room_id, &a, cmd).await?;
    Ok(HttpResponse::Created().json(s))
}

async fn stream_stop(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    state: web::Data<AppState>,
) -> Res {
    let (room_id, a) = actor(&req, &state, &path.0).await?;
    let cmd = Command::StreamStop {
        stream_id: path.1.clone(),
    };
    Ok(HttpResponse::Ok().json(state.service.execute(&room_id, &a, cmd).await?))
}

async fn stream_list(req: HttpRequest, path: web::Path<String>, state: web::Data<AppState>) -> Res {
    let (room_id, a) = actor(&req, &state, &path).await?;
    let room = state.service.room(&room_id).await?;
    state.service.engine().require_member(&room, &a)?;
    Ok(HttpResponse::Ok().json(json!({ "live_streams": room.live_streams })))
}
