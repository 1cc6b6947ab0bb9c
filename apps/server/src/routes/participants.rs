//! Participants, roles, permissions, settings, the room state, and kicks.

use actix_web::{HttpRequest, HttpResponse, web};
use auth::{PermissionsPatch, Role};
use serde::Deserialize;
use serde_json::json;
use signaling_core::protocol::ParticipantUpdateReq;
use signaling_core::room::RoomSettingsPatch;
use signaling_core::{Command, ErrorCode, UserId};

use super::{Res, actor};
use crate::AppState;
use crate::http_error::{ApiError, err};
use crate::openapi::Api;
use crate::optional_json::OptionalJson;

/// Registers the routes of this feature.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.api(
        "GET",
        "/webrtc/rooms/{room_id}/participants",
        web::get().to(participants),
    )
    .api(
        "GET",
        "/webrtc/rooms/{room_id}/participants/enhanced",
        web::get().to(participants),
    )
    .api(
        "POST",
        "/webrtc/rooms/{room_id}/participants/{user_id}/info",
        web::post().to(update_info),
    )
    .api(
        "POST",
        "/webrtc/rooms/{room_id}/participants/{user_id}/kick",
        web::post().to(kick),
    )
    .api(
        "GET",
        "/webrtc/rooms/{room_id}/roles/{user_id}",
        web::get().to(get_role),
    )
    .api(
        "POST",
        "/webrtc/rooms/{room_id}/roles/{user_id}",
        web::post().to(set_role),
    )
    .api(
        "GET",
        "/webrtc/rooms/{room_id}/permissions/{user_id}",
        web::get().to(get_permissions),
    )
    .api(
        "POST",
        "/webrtc/rooms/{room_id}/permissions/{user_id}",
        web::post().to(set_permissions),
    )
    .api(
        "GET",
        "/webrtc/rooms/{room_id}/settings",
        web::get().to(get_settings),
    )
    .api(
        "POST",
        "/webrtc/rooms/{room_id}/settings",
        web::post().to(set_settings),
    )
    .api(
        "GET",
        "/webrtc/rooms/{room_id}/state",
        web::get().to(room_state),
    );
}

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
    Ok(HttpResponse::Ok().json(json!({
        "room_id": room_id,
        "count": views.len(),
        "participants": views,
    })))
}

async fn room_state(req: HttpRequest, path: web::Path<String>, state: web::Data<AppState>) -> Res {
    let (room_id, a) = actor(&req, &state, &path).await?;
    Ok(HttpResponse::Ok().json(state.service.room_state(&room_id, &a).await?))
}

async fn update_info(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: web::Json<ParticipantUpdateReq>,
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
    Ok(HttpResponse::Ok().json(json!({ "status": "updated" })))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct KickBody {
    #[serde(default)]
    ban: bool,
}

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
    Ok(HttpResponse::Ok().json(json!({ "status": if ban { "banned" } else { "removed" } })))
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

async fn get_role(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    state: web::Data<AppState>,
) -> Res {
    let p = member_view(&req, &state, &path.0, &path.1).await?;
    Ok(HttpResponse::Ok().json(json!({ "user_id": p.user_id, "role": p.role })))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct RoleBody {
    role: String,
}

async fn set_role(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: web::Json<RoleBody>,
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
    Ok(HttpResponse::Ok().json(json!({ "user_id": user, "role": role })))
}

async fn get_permissions(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    state: web::Data<AppState>,
) -> Res {
    let p = member_view(&req, &state, &path.0, &path.1).await?;
    Ok(HttpResponse::Ok().json(json!({ "user_id": p.user_id, "permissions": p.permissions })))
}

async fn set_permissions(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: web::Json<PermissionsPatch>,
    state: web::Data<AppState>,
) -> Res {
    let (room_id, a) = actor(&req, &state, &path.0).await?;
    let user = UserId::parse(&path.1)?;
    let patch = body.into_inner();
    let cmd = Command::SetPermissions { user, patch };
    state.service.execute(&room_id, &a, cmd).await?;
    let p = member_view(&req, &state, &path.0, &path.1).await?;
    Ok(HttpResponse::Ok().json(json!({ "user_id": p.user_id, "permissions": p.permissions })))
}

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

async fn set_settings(
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Json<RoomSettingsPatch>,
    state: web::Data<AppState>,
) -> Res {
    let (room_id, a) = actor(&req, &state, &path).await?;
    let cmd = Command::UpdateSettings(body.into_inner());
    state.service.execute(&room_id, &a, cmd).await?;
    Ok(HttpResponse::Ok().json(state.service.room(&room_id).await?.settings))
}
