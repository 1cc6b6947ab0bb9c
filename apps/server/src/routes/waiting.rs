//! The waiting room.

use actix_web::{HttpRequest, HttpResponse, web};
use signaling_core::{Command, UserId};

use super::{Res, StatusAnswer, actor};
use crate::AppState;

/// The operations of this feature, documented by `#[utoipa::path]` on each
/// handler. Keep this list and `configure` together: the e2e test fails
/// when a path is served but missing here.
#[derive(utoipa::OpenApi)]
#[openapi(paths(waiting_list, admit_all, admit, reject, to_waiting))]
pub(crate) struct Doc;

/// Registers the routes of this feature.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/webrtc/rooms/{room_id}/waiting-room",
        web::get().to(waiting_list),
    )
    .route(
        "/webrtc/rooms/{room_id}/waiting-room/admit-all",
        web::post().to(admit_all),
    )
    .route(
        "/webrtc/rooms/{room_id}/waiting-room/{user_id}/admit",
        web::post().to(admit),
    )
    .route(
        "/webrtc/rooms/{room_id}/waiting-room/{user_id}/reject",
        web::post().to(reject),
    )
    .route(
        "/webrtc/rooms/{room_id}/waiting-room/{user_id}/return",
        web::post().to(to_waiting),
    );
}

/// Who is waiting for admission.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct WaitingList {
    waiting: Vec<signaling_core::protocol::WaitingView>,
}

#[utoipa::path(
    get,
    path = "/webrtc/rooms/{room_id}/waiting-room",
    tag = "Waiting room",
    summary = "Who is waiting (moderators)",
    security(("bearer" = []), ("query_token" = [])),
    responses((status = 200, description = "Who is waiting, oldest first", body = WaitingList)),
)]
async fn waiting_list(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Res {
    let (room_id, a) = actor(&req, &state, &path).await?;
    let view = state.service.room_state(&room_id, &a).await?;
    let room = state.service.room(&room_id).await?;
    state.service.engine().require_moderator(&room, &a)?;
    Ok(HttpResponse::Ok().json(WaitingList {
        waiting: view.waiting_room,
    }))
}

#[utoipa::path(
    post,
    path = "/webrtc/rooms/{room_id}/waiting-room/{user_id}/admit",
    tag = "Waiting room",
    summary = "Admit one",
    security(("bearer" = []), ("query_token" = [])),
    responses((status = 200, description = "What was done", body = StatusAnswer)),
)]
async fn admit(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    state: web::Data<AppState>,
) -> Res {
    let (room_id, a) = actor(&req, &state, &path.0).await?;
    let user = UserId::parse(&path.1)?;
    let cmd = Command::Admit(user.clone());
    state.service.execute(&room_id, &a, cmd).await?;
    Ok(StatusAnswer::of("admitted", Some(user), None))
}

#[utoipa::path(
    post,
    path = "/webrtc/rooms/{room_id}/waiting-room/admit-all",
    tag = "Waiting room",
    summary = "Admit everyone waiting",
    security(("bearer" = []), ("query_token" = [])),
    responses((status = 200, description = "What was done", body = StatusAnswer)),
)]
async fn admit_all(req: HttpRequest, path: web::Path<String>, state: web::Data<AppState>) -> Res {
    let (room_id, a) = actor(&req, &state, &path).await?;
    state
        .service
        .execute(&room_id, &a, Command::AdmitAll)
        .await?;
    Ok(StatusAnswer::ok("admitted"))
}

#[utoipa::path(
    post,
    path = "/webrtc/rooms/{room_id}/waiting-room/{user_id}/reject",
    tag = "Waiting room",
    summary = "Turn one away",
    security(("bearer" = []), ("query_token" = [])),
    responses((status = 200, description = "What was done", body = StatusAnswer)),
)]
async fn reject(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    state: web::Data<AppState>,
) -> Res {
    let (room_id, a) = actor(&req, &state, &path.0).await?;
    let user = UserId::parse(&path.1)?;
    let cmd = Command::Reject(user.clone());
    state.service.execute(&room_id, &a, cmd).await?;
    Ok(StatusAnswer::of("rejected", Some(user), None))
}

#[utoipa::path(
    post,
    path = "/webrtc/rooms/{room_id}/waiting-room/{user_id}/return",
    tag = "Waiting room",
    summary = "Send a participant back to the waiting room",
    security(("bearer" = []), ("query_token" = [])),
    responses((status = 200, description = "What was done", body = StatusAnswer)),
)]
async fn to_waiting(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    state: web::Data<AppState>,
) -> Res {
    let (room_id, a) = actor(&req, &state, &path.0).await?;
    let user = UserId::parse(&path.1)?;
    let cmd = Command::ReturnToWaitingRoom(user.clone());
    state.service.execute(&room_id, &a, cmd).await?;
    Ok(StatusAnswer::of("waiting", Some(user), None))
}
