//! Hand raise and mute-all.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};
use signaling_core::room::HandRaiseEntry;
use signaling_core::{Command, RoomId, UserId};

use super::{Res, StatusAnswer, actor};
use crate::AppState;

/// The operations of this feature, documented by `#[utoipa::path]` on each
/// handler. Keep this list and `configure` together: the e2e test fails
/// when a path is served but missing here.
#[derive(utoipa::OpenApi)]
#[openapi(paths(hand_raise, hand_queue, lower_all, mute_all))]
pub(crate) struct Doc;

/// Registers the routes of this feature.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/webrtc/rooms/{room_id}/hand-raise",
        web::post().to(hand_raise),
    )
    .route(
        "/webrtc/rooms/{room_id}/hand-raise/queue",
        web::get().to(hand_queue),
    )
    .route(
        "/webrtc/rooms/{room_id}/hand-raise/lower-all",
        web::post().to(lower_all),
    )
    .route("/webrtc/rooms/{room_id}/mute-all", web::post().to(mute_all));
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

/// Raised hands, oldest first.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct HandQueue<'a> {
    queue: &'a [HandRaiseEntry],
}

#[utoipa::path(
    post,
    path = "/webrtc/rooms/{room_id}/hand-raise",
    tag = "Hand raise",
    summary = "Raise or lower a hand (moderators may lower others')",
    security(("bearer" = []), ("query_token" = [])),
    request_body = HandBody,
    responses((status = 200, description = "The raised hands", body = HandQueue)),
)]
async fn hand_raise(
    req: HttpRequest,
    path: web::Path<String>,
    body: crate::optional_json::JsonBody<HandBody>,
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
    Ok(HttpResponse::Ok().json(HandQueue {
        queue: &room.hand_queue,
    }))
}

#[utoipa::path(
    get,
    path = "/webrtc/rooms/{room_id}/hand-raise/queue",
    tag = "Hand raise",
    summary = "Raised hands, oldest first",
    security(("bearer" = []), ("query_token" = [])),
    responses((status = 200, description = "The raised hands", body = HandQueue)),
)]
async fn hand_queue(req: HttpRequest, path: web::Path<String>, state: web::Data<AppState>) -> Res {
    let (room_id, a) = actor(&req, &state, &path).await?;
    let room = state.service.room(&room_id).await?;
    state.service.engine().require_member(&room, &a)?;
    Ok(HttpResponse::Ok().json(HandQueue {
        queue: &room.hand_queue,
    }))
}

#[utoipa::path(
    post,
    path = "/webrtc/rooms/{room_id}/hand-raise/lower-all",
    tag = "Hand raise",
    summary = "Lower every hand (moderators)",
    security(("bearer" = []), ("query_token" = [])),
    responses((status = 200, description = "The raised hands", body = HandQueue)),
)]
async fn lower_all(req: HttpRequest, path: web::Path<String>, state: web::Data<AppState>) -> Res {
    let (room_id, a) = actor(&req, &state, &path).await?;
    state
        .service
        .execute(&room_id, &a, Command::LowerAllHands)
        .await?;
    hand_queue_of(&state, &room_id).await
}

#[utoipa::path(
    post,
    path = "/webrtc/rooms/{room_id}/mute-all",
    tag = "Moderation",
    summary = "Mute everyone but moderators",
    security(("bearer" = []), ("query_token" = [])),
    responses((status = 200, description = "`muted`", body = StatusAnswer)),
)]
async fn mute_all(req: HttpRequest, path: web::Path<String>, state: web::Data<AppState>) -> Res {
    let (room_id, a) = actor(&req, &state, &path).await?;
    state
        .service
        .execute(&room_id, &a, Command::MuteAll)
        .await?;
    Ok(StatusAnswer::ok("muted"))
}
