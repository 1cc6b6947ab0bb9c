//! Breakout rooms.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use signaling_core::{Command, UserId};

use super::{Res, StatusAnswer, actor};
use crate::AppState;

/// The operations of this feature, documented by `#[utoipa::path]` on each
/// handler. Keep this list and `configure` together: the e2e test fails
/// when a path is served but missing here.
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    breakout_create,
    breakout_list,
    breakout_assign,
    breakout_return,
    breakout_close
))]
pub(crate) struct Doc;

/// Registers the routes of this feature.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/webrtc/rooms/{room_id}/breakout-rooms",
        web::post().to(breakout_create),
    )
    .route(
        "/webrtc/rooms/{room_id}/breakout-rooms",
        web::get().to(breakout_list),
    )
    .route(
        "/webrtc/rooms/{room_id}/breakout-rooms/{breakout_id}/assign/{user_id}",
        web::post().to(breakout_assign),
    )
    .route(
        "/webrtc/rooms/{room_id}/breakout-rooms/return/{user_id}",
        web::post().to(breakout_return),
    )
    .route(
        "/webrtc/rooms/{room_id}/breakout-rooms/{breakout_id}",
        web::delete().to(breakout_close),
    );
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct BreakoutBody {
    /// It must keep a visible character once sanitized
    /// (`signaling_core::sanitize::VISIBLE_PATTERN`).
    #[schema(
        pattern = r"[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200b\u2028\u2029\u202a-\u202f\u205f\u2066-\u2069\u3000\ufeff]"
    )]
    name: String,
}

#[utoipa::path(
    post,
    path = "/webrtc/rooms/{room_id}/breakout-rooms",
    tag = "Breakout rooms",
    summary = "Create a breakout room (moderators)",
    security(("bearer" = []), ("query_token" = [])),
    request_body = BreakoutBody,
    responses((status = 201, description = "The breakout room", body = signaling_core::room::BreakoutRoom)),
)]
async fn breakout_create(
    req: HttpRequest,
    path: web::Path<String>,
    body: crate::optional_json::JsonBody<BreakoutBody>,
    state: web::Data<AppState>,
) -> Res {
    let (room_id, a) = actor(&req, &state, &path).await?;
    let name = body.into_inner().name;
    let b = state
        .service
        .execute(&room_id, &a, Command::BreakoutCreate { name })
        .await?;
    Ok(HttpResponse::Created().json(b))
}

/// A breakout room and who is in it.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct BreakoutWithMembers<'a> {
    #[serde(flatten)]
    room: &'a signaling_core::room::BreakoutRoom,
    /// Who is in it now.
    participants: Vec<&'a signaling_core::UserId>,
}

/// The breakout rooms of a room.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct BreakoutList<'a> {
    breakout_rooms: Vec<BreakoutWithMembers<'a>>,
}

#[utoipa::path(
    get,
    path = "/webrtc/rooms/{room_id}/breakout-rooms",
    tag = "Breakout rooms",
    summary = "Breakout rooms with their members",
    security(("bearer" = []), ("query_token" = [])),
    responses((status = 200, description = "The breakout rooms", body = BreakoutList)),
)]
async fn breakout_list(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Res {
    let (room_id, a) = actor(&req, &state, &path).await?;
    let room = state.service.room(&room_id).await?;
    state.service.engine().require_member(&room, &a)?;
    let rooms: Vec<_> = room
        .breakout_rooms
        .iter()
        .map(|b| {
            let members: Vec<_> = room
                .participants
                .iter()
                .filter(|p| p.breakout_room_id.as_deref() == Some(&b.id))
                .map(|p| &p.user_id)
                .collect();
            BreakoutWithMembers {
                room: b,
                participants: members,
            }
        })
        .collect();
    Ok(HttpResponse::Ok().json(BreakoutList {
        breakout_rooms: rooms,
    }))
}

#[utoipa::path(
    post,
    path = "/webrtc/rooms/{room_id}/breakout-rooms/{breakout_id}/assign/{user_id}",
    tag = "Breakout rooms",
    summary = "Move a participant into a breakout room",
    security(("bearer" = []), ("query_token" = [])),
    responses((status = 200, description = "What was done", body = StatusAnswer)),
)]
async fn breakout_assign(
    req: HttpRequest,
    path: web::Path<(String, String, String)>,
    state: web::Data<AppState>,
) -> Res {
    let (room_id, a) = actor(&req, &state, &path.0).await?;
    let user = UserId::parse(&path.2)?;
    let cmd = Command::BreakoutAssign {
        user: user.clone(),
        breakout_room_id: Some(path.1.clone()),
    };
    state.service.execute(&room_id, &a, cmd).await?;
    Ok(StatusAnswer::of(
        "assigned",
        Some(user),
        Some(path.1.clone()),
    ))
}

#[utoipa::path(
    post,
    path = "/webrtc/rooms/{room_id}/breakout-rooms/return/{user_id}",
    tag = "Breakout rooms",
    summary = "Bring a participant back to the main room",
    security(("bearer" = []), ("query_token" = [])),
    responses((status = 200, description = "What was done", body = StatusAnswer)),
)]
async fn breakout_return(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    state: web::Data<AppState>,
) -> Res {
    let (room_id, a) = actor(&req, &state, &path.0).await?;
    let user = UserId::parse(&path.1)?;
    let cmd = Command::BreakoutAssign {
        user: user.clone(),
        breakout_room_id: None,
    };
    state.service.execute(&room_id, &a, cmd).await?;
    Ok(StatusAnswer::of("returned", Some(user), None))
}

#[utoipa::path(
    delete,
    path = "/webrtc/rooms/{room_id}/breakout-rooms/{breakout_id}",
    tag = "Breakout rooms",
    summary = "Close a breakout room; its members return",
    security(("bearer" = []), ("query_token" = [])),
    responses((status = 200, description = "What was done", body = StatusAnswer)),
)]
async fn breakout_close(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    state: web::Data<AppState>,
) -> Res {
    let (room_id, a) = actor(&req, &state, &path.0).await?;
    let cmd = Command::BreakoutClose {
        breakout_room_id: path.1.clone(),
    };
    state.service.execute(&room_id, &a, cmd).await?;
    Ok(StatusAnswer::of("closed", None, Some(path.1.clone())))
}
