//! Recording control, status and lists (the media itself: `crate::recordings`).

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::json;
use signaling_core::protocol::{RecordingAction, RecordingControlReq};
use signaling_core::{Actor, Command, ErrorCode, RoomId};

use super::{Res, actor};
use crate::AppState;
use crate::http_error::err;
use crate::openapi::Api;
use crate::optional_json::OptionalJson;

/// Registers the recording control routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    // Recordings: seed 003 names (`recordings/...`) and seed 004's
    // (`recording/...`) as aliases.
    for base in ["recordings", "recording"] {
        cfg.api(
            "POST",
            &format!("/webrtc/rooms/{{room_id}}/{base}/start"),
            web::post().to(recording_start),
        )
        .api(
            "POST",
            &format!("/webrtc/rooms/{{room_id}}/{base}/{{recording_id}}/{{action}}"),
            web::post().to(recording_action),
        )
        .api(
            "GET",
            &format!("/webrtc/rooms/{{room_id}}/{base}/{{recording_id}}/status"),
            web::get().to(recording_status),
        )
        .api(
            "DELETE",
            &format!("/webrtc/rooms/{{room_id}}/{base}/{{recording_id}}"),
            web::delete().to(recording_cancel),
        );
    }
    cfg.api(
        "GET",
        "/webrtc/rooms/{room_id}/recordings",
        web::get().to(recording_list),
    );
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
pub(crate) struct RecordingStartQuery {
    #[serde(alias = "recording_format")]
    format: Option<recording::Format>,
    quality: Option<recording::Quality>,
}

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
    });
    let r = state.service.execute(&room_id, &a, cmd).await?;
    Ok(HttpResponse::Created().json(r))
}

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
        other => {
            return err(
                ErrorCode::NotFound,
                format!("no recording action {other:?}"),
            );
        }
    };
    recording_do(&state, &room_id, &a, &path.1, action).await
}

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
    });
    let r = state.service.execute(room_id, a, cmd).await?;
    Ok(HttpResponse::Ok().json(r))
}

async fn recording_status(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    state: web::Data<AppState>,
) -> Res {
    let (_, _, view) = crate::recordings::readable(&req, &state, &path.0, &path.1).await?;
    Ok(HttpResponse::Ok().json(view))
}

async fn recording_list(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Res {
    let (room_id, _a) = actor(&req, &state, &path).await?;
    let list = state.service.recordings(&room_id).await?;
    Ok(HttpResponse::Ok()
        .json(json!({ "room_id": room_id, "count": list.len(), "recordings": list })))
}
