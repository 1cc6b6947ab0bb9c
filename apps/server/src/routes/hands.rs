//! Hand raise and mute-all.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::json;
use signaling_core::{Command, RoomId, UserId};

use super::{Res, actor};
use crate::AppState;
use crate::openapi::Api;

/// Registers the routes of this feature.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.api(
        "POST",
        "/webrtc/rooms/{room_id}/hand-raise",
        web::post().to(hand_raise),
    )
    .api(
        "GET",
        "/webrtc/rooms/{room_id}/hand-raise/queue",
        web::get().to(hand_queue),
    )
    .api(
        "POST",
        "/webrtc/rooms/{room_id}/hand-raise/lower-all",
        web::post().to(lower_all),
    )
    .api(
        "POST",
        "/webrtc/rooms/{room_id}/mute-all",
        web::post().to(mute_all),
    );
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct HandBody {
    #[serde(default = "yes")]
    raised: bool,
    #[serde(default)]
    user_id: Option<UserId>,
}

fn yes() -> bool {
    true
}

async fn hand_raise(
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Json<HandBody>,
    state: web::Data<AppState>,
) -> Res {
    let (room_id, a) = actor(&req, &state, &path).await?;
    let body = body.into_inner();
    let cmd = Command::HandRaise {
        raised: body.raised,
        target: body.user_id,
    };
    state.service.execute(&room_id, &a, cmd).await?;
    hand_queue_of(&state, &room_id).await
}

async fn hand_queue_of(state: &AppState, room_id: &RoomId) -> Res {
    let room = state.service.room(room_id).await?;
    Ok(HttpResponse::Ok().json(json!({ "queue": room.hand_queue })))
}

async fn hand_queue(req: HttpRequest, path: web::Path<String>, state: web::Data<AppState>) -> Res {
    let (room_id, a) = actor(&req, &state, &path).await?;
    let room = state.service.room(&room_id).await?;
    state.service.engine().require_member(&room, &a)?;
    Ok(HttpResponse::Ok().json(json!({ "queue": room.hand_queue })))
}

async fn lower_all(req: HttpRequest, path: web::Path<String>, state: web::Data<AppState>) -> Res {
    let (room_id, a) = actor(&req, &state, &path).await?;
    state
        .service
        .execute(&room_id, &a, Command::LowerAllHands)
        .await?;
    hand_queue_of(&state, &room_id).await
}

async fn mute_all(req: HttpRequest, path: web::Path<String>, state: web::Data<AppState>) -> Res {
    let (room_id, a) = actor(&req, &state, &path).await?;
    state
        .service
        .execute(&room_id, &a, Command::MuteAll)
        .await?;
    Ok(HttpResponse::Ok().json(json!({ "status": "muted" })))
}
