//! Breakout rooms.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::json;
use signaling_core::{Command, UserId};

use super::{Res, actor};
use crate::AppState;
use crate::openapi::Api;

/// Registers the routes of this feature.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.api(
        "POST",
        "/webrtc/rooms/{room_id}/breakout-rooms",
        web::post().to(breakout_create),
    )
    .api(
        "GET",
        "/webrtc/rooms/{room_id}/breakout-rooms",
        web::get().to(breakout_list),
    )
    .api(
        "POST",
        "/webrtc/rooms/{room_id}/breakout-rooms/{breakout_id}/assign/{user_id}",
        web::post().to(breakout_assign),
    )
    .api(
        "POST",
        "/webrtc/rooms/{room_id}/breakout-rooms/return/{user_id}",
        web::post().to(breakout_return),
    )
    .api(
        "DELETE",
        "/webrtc/rooms/{room_id}/breakout-rooms/{breakout_id}",
        web::delete().to(breakout_close),
    );
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct BreakoutBody {
    name: String,
}

async fn breakout_create(
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Json<BreakoutBody>,
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
            let mut v = serde_json::to_value(b).unwrap_or_default();
            v["participants"] = json!(members);
            v
        })
        .collect();
    Ok(HttpResponse::Ok().json(json!({ "breakout_rooms": rooms })))
}

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
    Ok(HttpResponse::Ok()
        .json(json!({ "status": "assigned", "user_id": user, "breakout_room_id": path.1 })))
}

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
    Ok(HttpResponse::Ok().json(json!({ "status": "returned", "user_id": user })))
}

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
    Ok(HttpResponse::Ok().json(json!({ "status": "closed", "breakout_room_id": path.1 })))
}
