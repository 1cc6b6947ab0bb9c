//! Live streams.

use actix_web::{HttpRequest, HttpResponse, web};
use signaling_core::Command;
use signaling_core::protocol::LiveStreamStartReq;

use super::{Res, actor};
use crate::AppState;
use crate::optional_json::OptionalJson;

/// The operations of this feature, documented by `#[utoipa::path]` on each
/// handler. Keep this list and `configure` together: the e2e test fails
/// when a path is served but missing here.
#[derive(utoipa::OpenApi)]
#[openapi(paths(stream_start, stream_stop, stream_list))]
pub(crate) struct Doc;

/// Registers the routes of this feature.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/webrtc/rooms/{room_id}/live-streams/start",
        web::post().to(stream_start),
    )
    .route(
        "/webrtc/rooms/{room_id}/live-streams/{stream_id}/stop",
        web::post().to(stream_stop),
    )
    .route(
        "/webrtc/rooms/{room_id}/live-streams",
        web::get().to(stream_list),
    );
}

#[utoipa::path(
    post,
    path = "/webrtc/rooms/{room_id}/live-streams/start",
    tag = "Live streams",
    summary = "Start a live-stream session (moderators; one at a time)",
    security(("bearer" = []), ("query_token" = [])),
    request_body(content = Option<LiveStreamStartReq>, description = "Optional"),
    responses((status = 201, description = "The stream", body = signaling_core::room::LiveStream)),
)]
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

#[utoipa::path(
    post,
    path = "/webrtc/rooms/{room_id}/live-streams/{stream_id}/stop",
    tag = "Live streams",
    summary = "Stop it",
    security(("bearer" = []), ("query_token" = [])),
    responses((status = 200, description = "The stream", body = signaling_core::room::LiveStream)),
)]
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

/// The streams of a room.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct StreamList<'a> {
    live_streams: &'a [signaling_core::room::LiveStream],
}

#[utoipa::path(
    get,
    path = "/webrtc/rooms/{room_id}/live-streams",
    tag = "Live streams",
    summary = "Streams of the room",
    security(("bearer" = []), ("query_token" = [])),
    responses((status = 200, description = "The room's streams", body = StreamList)),
)]
async fn stream_list(req: HttpRequest, path: web::Path<String>, state: web::Data<AppState>) -> Res {
    let (room_id, a) = actor(&req, &state, &path).await?;
    let room = state.service.room(&room_id).await?;
    state.service.engine().require_member(&room, &a)?;
    Ok(HttpResponse::Ok().json(StreamList {
        live_streams: &room.live_streams,
    }))
}
