//! The waiting room.

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;
use signaling_core::{Command, UserId};

use super::{Res, actor};
use crate::AppState;
use crate::openapi::Api;

/// Registers the routes of this feature.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.api(
        "GET",
        "/webrtc/rooms/{room_id}/waiting-room",
        web::get().to(waiting_list),
    )
    .api(
        "POST",
        "/webrtc/rooms/{room_id}/waiting-room/admit-all",
        web::post().to(admit_all),
    )
    .api(
        "POST",
        "/webrtc/rooms/{room_id}/waiting-room/{user_id}/admit",
        web::post().to(admit),
    )
    .api(
        "POST",
        "/webrtc/rooms/{room_id}/waiting-room/{user_id}/reject",
        web::post().to(reject),
    )
    .api(
        "POST",
        "/webrtc/rooms/{room_id}/waiting-room/{user_id}/return",
        web::post().to(to_waiting),
    );
}

async fn waiting_list(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Res {
    let (room_id, a) = actor(&req, &state, &path).await?;
    let view = state.service.room_state(&room_id, &a).await?;
    let room = state.service.room(&room_id).await?;
    state.service.engine().require_moderator(&room, &a)?;
    Ok(HttpResponse::Ok().json(json!({ "waiting": view.waiting_room })))
}

async fn admit(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    state: web::Data<AppState>,
) -> Res {
    let (room_id, a) = actor(&req, &state, &path.0).await?;
    let user = UserId::parse(&path.1)?;
    let cmd = Command::Admit(user.clone());
    state.service.execute(&room_id, &a, cmd).await?;
    Ok(HttpResponse::Ok().json(json!({ "status": "admitted", "user_id": user })))
}

async fn admit_all(req: HttpRequest, path: web::Path<String>, state: web::Data<AppState>) -> Res {
    let (room_id, a) = actor(&req, &state, &path).await?;
    state
        .service
        .execute(&room_id, &a, Command::AdmitAll)
        .await?;
    Ok(HttpResponse::Ok().json(json!({ "status": "admitted" })))
}

async fn reject(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    state: web::Data<AppState>,
) -> Res {
    let (room_id, a) = actor(&req, &state, &path.0).await?;
    let user = UserId::parse(&path.1)?;
    let cmd = Command::Reject(user.clone());
    state.service.execute(&room_id, &a, cmd).await?;
    Ok(HttpResponse::Ok().json(json!({ "status": "rejected", "user_id": user })))
}

async fn to_waiting(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    state: web::Data<AppState>,
) -> Res {
    let (room_id, a) = actor(&req, &state, &path.0).await?;
    let user = UserId::parse(&path.1)?;
    let cmd = Command::ReturnToWaitingRoom(user.clone());
    state.service.execute(&room_id, &a, cmd).await?;
    Ok(HttpResponse::Ok().json(json!({ "status": "waiting", "user_id": user })))
}
