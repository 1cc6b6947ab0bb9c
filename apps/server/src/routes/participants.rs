//! Participants, roles, permissions, settings, the room state, and kicks.

use actix_web::{HttpRequest, HttpResponse, web};
use auth::{PermissionsPatch, Role};
use serde::Deserialize;
use signaling_core::protocol::ParticipantUpdateReq;
use signaling_core::room::RoomSettingsPatch;
use signaling_core::{Command, ErrorCode, UserId};

use super::{Res, StatusAnswer, actor};
use crate::AppState;
use crate::http_error::{ApiError, err};
use crate::optional_json::OptionalJson;

/// The operations of this feature, documented by `#[utoipa::path]` on each
/// handler. Keep this list and `configure` together: the e2e test fails
/// when a path is served but missing here.
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    participants,
    room_state,
    update_info,
    kick,
    get_role,
    set_role,
    get_permissions,
    set_permissions,
    get_settings,
    set_settings,
    participants_enhanced
))]
pub(crate) struct Doc;

/// Registers the routes of this feature.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/webrtc/rooms/{room_id}/participants",
        web::get().to(participants),
    )
    .route(
        "/webrtc/rooms/{room_id}/participants/enhanced",
        web::get().to(participants_enhanced),
    )
    .route(
        "/webrtc/rooms/{room_id}/participants/{user_id}/info",
        web::post().to(update_info),
    )
    .route(
        "/webrtc/rooms/{room_id}/participants/{user_id}/kick",
        web::post().to(kick),
    )
    .route(
        "/webrtc/rooms/{room_id}/roles/{user_id}",
        web::get().to(get_role),
    )
    .route(
        "/webrtc/rooms/{room_id}/roles/{user_id}",
        web::post().to(set_role),
    )
    .route(
        "/webrtc/rooms/{room_id}/permissions/{user_id}",
        web::get().to(get_permissions),
    )
    .route(
        "/webrtc/rooms/{room_id}/permissions/{user_id}",
        web::post().to(set_permissions),
    )
    .route(
        "/webrtc/rooms/{room_id}/settings",
        web::get().to(get_settings),
    )
    .route(
        "/webrtc/rooms/{room_id}/settings",
        web::post().to(set_settings),
    )
    .route("/webrtc/rooms/{room_id}/state", web::get().to(room_state));
}

#[utoipa::path(
    get,
    path = "/webrtc/rooms/{room_id}/participants",
    tag = "Participants",
    summary = "Participants of the room (members)",
    security(("bearer" = []), ("query_token" = [])),
    responses((status = 200, description = "The participants", body = ParticipantList)),
)]
async fn participants(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Res {
    let (room_id, a) = actor(&req, &state, &path).await?;
    let room = state.service.room(&room_id).await?;
    state.service.engine().require_member(&room, &a)?;
    let views: Vec<signaling_core::room::ParticipantView> =
        room.participants.iter().map(Into::into).collect();
    Ok(HttpResponse::Ok().json(ParticipantList {
        room_id,
        count: views.len(),
        participants: views,
    }))
}

#[utoipa::path(
    get,
    path = "/webrtc/rooms/{room_id}/state",
    tag = "Participants",
    summary = "The room state as the caller sees it (as in room-state)",
    security(("bearer" = []), ("query_token" = [])),
    responses((status = 200, description = "The room state", body = signaling_core::protocol::RoomStateView)),
)]
async fn room_state(req: HttpRequest, path: web::Path<String>, state: web::Data<AppState>) -> Res {
    let (room_id, a) = actor(&req, &state, &path).await?;
    Ok(HttpResponse::Ok().json(state.service.room_state(&room_id, &a).await?))
}

#[utoipa::path(
    post,
    path = "/webrtc/rooms/{room_id}/participants/{user_id}/info",
    tag = "Participants",
    summary = "Update one's own display name, device, quality",
    security(("bearer" = []), ("query_token" = [])),
    request_body = ParticipantUpdateReq,
    responses((status = 200, description = "What was done", body = StatusAnswer)),
)]
async fn update_info(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: crate::optional_json::JsonBody<ParticipantUpdateReq>,
    state: web::Data<AppState>,
) -> Res {
    let (room_id, a) = actor(&req, &state, &path.0).await?;
    let user = UserId::parse(&path.1)?;
    let update = body.into_inner();
    let cmd = Command::ParticipantUpdate {
        user: Some(user),
        update,
    };
    state.service.execute(&room_id, &a, cmd).await?;
    Ok(StatusAnswer::ok("updated"))
}

/// The participants of a room.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct ParticipantList {
    room_id: signaling_core::RoomId,
    count: usize,
    participants: Vec<signaling_core::room::ParticipantView>,
}

/// A participant's role.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct RoleAnswer {
    user_id: UserId,
    role: Role,
}

/// A participant's permissions.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct PermissionsAnswer {
    user_id: UserId,
    permissions: auth::Permissions,
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct KickBody {
    #[serde(default)]
    ban: bool,
}

#[utoipa::path(
    post,
    path = "/webrtc/rooms/{room_id}/participants/{user_id}/kick",
    tag = "Moderation",
    summary = "Remove (and optionally ban) a participant (moderators)",
    security(("bearer" = []), ("query_token" = [])),
    request_body(content = Option<KickBody>, description = "Optional"),
    responses((status = 200, description = "What was done", body = StatusAnswer)),
)]
async fn kick(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: OptionalJson<KickBody>,
    state: web::Data<AppState>,
) -> Res {
    let (room_id, a) = actor(&req, &state, &path.0).await?;
    let user = UserId::parse(&path.1)?;
    let ban = body.into_inner().is_some_and(|b| b.ban);
    let cmd = Command::Kick { user, ban };
    state.service.execute(&room_id, &a, cmd).await?;
    Ok(StatusAnswer::ok(if ban { "banned" } else { "removed" }))
}

async fn member_view(
    req: &HttpRequest,
    state: &AppState,
    room: &str,
    user: &str,
) -> Result<signaling_core::room::Participant, ApiError> {
    let (room_id, a) = actor(req, state, room).await?;
    let user = UserId::parse(user)?;
    let room = state.service.room(&room_id).await?;
    state.service.engine().require_member(&room, &a)?;
    room.participant(&user).cloned().ok_or_else(|| {
        ApiError(signaling_core::SignalError::new(
            ErrorCode::UserNotInRoom,
            format!("{user} is not in this room"),
        ))
    })
}

#[utoipa::path(
    get,
    path = "/webrtc/rooms/{room_id}/roles/{user_id}",
    tag = "Moderation",
    summary = "A participant's role",
    security(("bearer" = []), ("query_token" = [])),
    responses((status = 200, description = "The role", body = RoleAnswer)),
)]
async fn get_role(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    state: web::Data<AppState>,
) -> Res {
    let p = member_view(&req, &state, &path.0, &path.1).await?;
    Ok(HttpResponse::Ok().json(RoleAnswer {
        user_id: p.user_id,
        role: p.role,
    }))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct RoleBody {
    #[schema(value_type = Role)]
    role: String,
}

#[utoipa::path(
    post,
    path = "/webrtc/rooms/{room_id}/roles/{user_id}",
    tag = "Moderation",
    summary = "Change a participant's role (host, moderator, participant, viewer)",
    security(("bearer" = []), ("query_token" = [])),
    request_body = RoleBody,
    responses((status = 200, description = "The role", body = RoleAnswer)),
)]
async fn set_role(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: crate::optional_json::JsonBody<RoleBody>,
    state: web::Data<AppState>,
) -> Res {
    let (room_id, a) = actor(&req, &state, &path.0).await?;
    let user = UserId::parse(&path.1)?;
    let Ok(role) = body.role.parse::<Role>() else {
        return err(
            ErrorCode::InvalidRole,
            format!("unknown role {:?}", body.role),
        );
    };
    let cmd = Command::SetRole {
        user: user.clone(),
        role,
    };
    state.service.execute(&room_id, &a, cmd).await?;
    Ok(HttpResponse::Ok().json(RoleAnswer {
        user_id: user,
        role,
    }))
}

#[utoipa::path(
    get,
    path = "/webrtc/rooms/{room_id}/permissions/{user_id}",
    tag = "Moderation",
    summary = "A participant's permissions",
    security(("bearer" = []), ("query_token" = [])),
    responses((status = 200, description = "The permissions", body = PermissionsAnswer)),
)]
async fn get_permissions(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    state: web::Data<AppState>,
) -> Res {
    let p = member_view(&req, &state, &path.0, &path.1).await?;
    Ok(HttpResponse::Ok().json(PermissionsAnswer {
        user_id: p.user_id,
        permissions: p.permissions,
    }))
}

#[utoipa::path(
    post,
    path = "/webrtc/rooms/{room_id}/permissions/{user_id}",
    tag = "Moderation",
    summary = "Change a participant's permissions (partial)",
    security(("bearer" = []), ("query_token" = [])),
    request_body = PermissionsPatch,
    responses((status = 200, description = "The permissions", body = PermissionsAnswer)),
)]
async fn set_permissions(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: crate::optional_json::JsonBody<PermissionsPatch>,
    state: web::Data<AppState>,
) -> Res {
    let (room_id, a) = actor(&req, &state, &path.0).await?;
    let user = UserId::parse(&path.1)?;
    let patch = body.into_inner();
    let cmd = Command::SetPermissions { user, patch };
    state.service.execute(&room_id, &a, cmd).await?;
    let p = member_view(&req, &state, &path.0, &path.1).await?;
    Ok(HttpResponse::Ok().json(PermissionsAnswer {
        user_id: p.user_id,
        permissions: p.permissions,
    }))
}

#[utoipa::path(
    get,
    path = "/webrtc/rooms/{room_id}/settings",
    tag = "Moderation",
    summary = "Room settings",
    security(("bearer" = []), ("query_token" = [])),
    responses((status = 200, description = "The room settings", body = signaling_core::room::RoomSettings)),
)]
async fn get_settings(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Res {
    let (room_id, a) = actor(&req, &state, &path).await?;
    let room = state.service.room(&room_id).await?;
    state.service.engine().require_member(&room, &a)?;
    Ok(HttpResponse::Ok().json(room.settings))
}

#[utoipa::path(
    post,
    path = "/webrtc/rooms/{room_id}/settings",
    tag = "Moderation",
    summary = "Change room settings (moderators; partial)",
    security(("bearer" = []), ("query_token" = [])),
    request_body = RoomSettingsPatch,
    responses((status = 200, description = "The room settings", body = signaling_core::room::RoomSettings)),
)]
async fn set_settings(
    req: HttpRequest,
    path: web::Path<String>,
    body: crate::optional_json::JsonBody<RoomSettingsPatch>,
    state: web::Data<AppState>,
) -> Res {
    let (room_id, a) = actor(&req, &state, &path).await?;
    let cmd = Command::UpdateSettings(body.into_inner());
    state.service.execute(&room_id, &a, cmd).await?;
    Ok(HttpResponse::Ok().json(state.service.room(&room_id).await?.settings))
}

#[utoipa::path(
    get,
    path = "/webrtc/rooms/{room_id}/participants/enhanced",
    tag = "Participants",
    summary = "Alias of /participants (seed 003)",
    security(("bearer" = []), ("query_token" = [])),
    responses((status = 200, description = "The participants", body = ParticipantList)),
)]
async fn participants_enhanced(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Res {
    participants(req, path, state).await
}
