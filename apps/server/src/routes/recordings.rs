//! Recording control, status and lists (the media itself: `crate::recordings`).

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use signaling_core::protocol::{RecordingAction, RecordingControlReq};
use signaling_core::{Actor, Command, RoomId};

use super::{Res, actor};
use crate::AppState;
use crate::optional_json::OptionalJson;

/// The operations of this feature, documented by `#[utoipa::path]` on each
/// handler. Keep this list and `configure` together: the e2e test fails
/// when a path is served but missing here.
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    recording_start,
    recording_start_alias,
    recording_action,
    recording_action_alias,
    recording_status,
    recording_status_alias,
    recording_cancel,
    recording_cancel_alias,
    recording_list
))]
pub(crate) struct Doc;

/// Registers the recording control routes: seed 003 names
/// (`recordings/...`) and seed 004's (`recording/...`) as aliases.
pub fn configure(cfg: &mut web::ServiceConfig) {
    let (p, alias) = (
        "/webrtc/rooms/{room_id}/recordings",
        "/webrtc/rooms/{room_id}/recording",
    );
    cfg.route(&format!("{p}/start"), web::post().to(recording_start))
        .route(
            &format!("{alias}/start"),
            web::post().to(recording_start_alias),
        )
        .route(
            &format!("{p}/{{recording_id}}/{{action}}"),
            web::post().to(recording_action),
        )
        .route(
            &format!("{alias}/{{recording_id}}/{{action}}"),
            web::post().to(recording_action_alias),
        )
        .route(
            &format!("{p}/{{recording_id}}/status"),
            web::get().to(recording_status),
        )
        .route(
            &format!("{alias}/{{recording_id}}/status"),
            web::get().to(recording_status_alias),
        )
        .route(
            &format!("{p}/{{recording_id}}"),
            web::delete().to(recording_cancel),
        )
        .route(
            &format!("{alias}/{{recording_id}}"),
            web::delete().to(recording_cancel_alias),
        )
        .route(p, web::get().to(recording_list));
}

/// The recordings of a room.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct RoomRecordings {
    room_id: signaling_core::RoomId,
    count: usize,
    recordings: Vec<signaling_core::protocol::RecordingView>,
}

/// How to record; in the query or the body (whose fields win).
#[derive(Deserialize, Default, utoipa::ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct RecordingStartQuery {
    /// The file format (`recording_format` is accepted too).
    #[serde(alias = "recording_format")]
    format: Option<recording::Format>,
    /// Encoding quality.
    quality: Option<recording::Quality>,
    /// `server` (the default in SFU rooms) or `client`.
    source: Option<recording::Source>,
    /// `grid` or `speaker`, for a server recording.
    layout: Option<recording::Layout>,
}

#[utoipa::path(
    post,
    path = "/webrtc/rooms/{room_id}/recordings/start",
    tag = "Recordings",
    summary = "Start a recording (can_record)",
    security(("bearer" = []), ("query_token" = [])),
    params(RecordingStartQuery), request_body(content = Option<RecordingStartQuery>, description = "Optional; its fields win over the query's"),
    responses((status = 201, description = "The recording", body = signaling_core::protocol::RecordingView)),
)]
async fn recording_start(
    req: HttpRequest,
    path: web::Path<String>,
    q: web::Query<RecordingStartQuery>,
    body: OptionalJson<RecordingStartQuery>,
    state: web::Data<AppState>,
) -> Res {
    let (room_id, a) = actor(&req, &state, &path).await?;
    let body = body.into_inner().unwrap_or_default();
    let cmd = Command::Recording(RecordingControlReq {
        action: RecordingAction::Start,
        recording_id: None,
        format: body.format.or(q.format),
        quality: body.quality.or(q.quality),
        source: body.source.or(q.source),
        layout: body.layout.or(q.layout),
    });
    let r = state.service.execute(&room_id, &a, cmd).await?;
    Ok(HttpResponse::Created().json(r))
}

#[utoipa::path(
    post,
    path = "/webrtc/rooms/{room_id}/recordings/{recording_id}/{action}",
    tag = "Recordings",
    summary = "stop, pause or resume (who started it, or a host)",
    security(("bearer" = []), ("query_token" = [])),
    responses((status = 200, description = "The recording", body = signaling_core::protocol::RecordingView)),
)]
async fn recording_action(
    req: HttpRequest,
    path: web::Path<(String, String, String)>,
    state: web::Data<AppState>,
) -> Res {
    let (room_id, a) = actor(&req, &state, &path.0).await?;
    let action = match path.2.as_str() {
        "stop" => RecordingAction::Stop,
        "pause" => RecordingAction::Pause,
        "resume" => RecordingAction::Resume,
        "cancel" => RecordingAction::Cancel,
        // `…/{id}/download` and the other reads match `{action}` too: a
        // POST there is 405 with their `Allow`, anything else 404.
        _ => return Ok(crate::openapi::not_routed(req).await),
    };
    recording_do(&state, &room_id, &a, &path.1, action).await
}

#[utoipa::path(
    delete,
    path = "/webrtc/rooms/{room_id}/recordings/{recording_id}",
    tag = "Recordings",
    summary = "Cancel; uploaded media is deleted",
    security(("bearer" = []), ("query_token" = [])),
    responses((status = 200, description = "The recording", body = signaling_core::protocol::RecordingView)),
)]
async fn recording_cancel(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    state: web::Data<AppState>,
) -> Res {
    let (room_id, a) = actor(&req, &state, &path.0).await?;
    recording_do(&state, &room_id, &a, &path.1, RecordingAction::Cancel).await
}

async fn recording_do(
    state: &AppState,
    room_id: &RoomId,
    a: &Actor,
    id: &str,
    action: RecordingAction,
) -> Res {
    let cmd = Command::Recording(RecordingControlReq {
        action,
        recording_id: Some(id.to_owned()),
        format: None,
        quality: None,
        source: None,
        layout: None,
    });
    let r = state.service.execute(room_id, a, cmd).await?;
    Ok(HttpResponse::Ok().json(r))
}

#[utoipa::path(
    get,
    path = "/webrtc/rooms/{room_id}/recordings/{recording_id}/status",
    tag = "Recordings",
    summary = "One recording, with outputs once completed; failure and failure_code (docs/errors.md) if failed",
    security(("bearer" = []), ("query_token" = [])),
    responses((status = 200, description = "The recording", body = signaling_core::protocol::RecordingView)),
)]
async fn recording_status(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    state: web::Data<AppState>,
) -> Res {
    let (_, _, view) = crate::recordings::readable(&req, &state, &path.0, &path.1).await?;
    Ok(HttpResponse::Ok().json(view))
}

#[utoipa::path(
    get,
    path = "/webrtc/rooms/{room_id}/recordings",
    tag = "Recordings",
    summary = "Recordings of the room",
    security(("bearer" = []), ("query_token" = [])),
    responses((status = 200, description = "The room's recordings", body = RoomRecordings)),
)]
async fn recording_list(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Res {
    let (room_id, _a) = actor(&req, &state, &path).await?;
    let list = state.service.recordings(&room_id).await?;
    Ok(HttpResponse::Ok().json(RoomRecordings {
        room_id,
        count: list.len(),
        recordings: list,
    }))
}

#[utoipa::path(
    post,
    path = "/webrtc/rooms/{room_id}/recording/start",
    tag = "Recordings",
    summary = "Alias of /recordings/start (seed 004)",
    security(("bearer" = []), ("query_token" = [])),
    params(RecordingStartQuery), request_body(content = Option<RecordingStartQuery>, description = "Optional; its fields win over the query's"),
    responses((status = 201, description = "The recording", body = signaling_core::protocol::RecordingView)),
)]
async fn recording_start_alias(
    req: HttpRequest,
    path: web::Path<String>,
    q: web::Query<RecordingStartQuery>,
    body: OptionalJson<RecordingStartQuery>,
    state: web::Data<AppState>,
) -> Res {
    recording_start(req, path, q, body, state).await
}

#[utoipa::path(
    post,
    path = "/webrtc/rooms/{room_id}/recording/{recording_id}/{action}",
    tag = "Recordings",
    summary = "Alias (seed 004)",
    security(("bearer" = []), ("query_token" = [])),
    responses((status = 200, description = "The recording", body = signaling_core::protocol::RecordingView)),
)]
async fn recording_action_alias(
    req: HttpRequest,
    path: web::Path<(String, String, String)>,
    state: web::Data<AppState>,
) -> Res {
    recording_action(req, path, state).await
}

#[utoipa::path(
    get,
    path = "/webrtc/rooms/{room_id}/recording/{recording_id}/status",
    tag = "Recordings",
    summary = "Alias (seed 004)",
    security(("bearer" = []), ("query_token" = [])),
    responses((status = 200, description = "The recording", body = signaling_core::protocol::RecordingView)),
)]
async fn recording_status_alias(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    state: web::Data<AppState>,
) -> Res {
    recording_status(req, path, state).await
}

#[utoipa::path(
    delete,
    path = "/webrtc/rooms/{room_id}/recording/{recording_id}",
    tag = "Recordings",
    summary = "Alias (seed 004)",
    security(("bearer" = []), ("query_token" = [])),
    responses((status = 200, description = "The recording", body = signaling_core::protocol::RecordingView)),
)]
async fn recording_cancel_alias(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    state: web::Data<AppState>,
) -> Res {
    recording_cancel(req, path, state).await
}
