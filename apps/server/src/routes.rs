//! REST routes under `/webrtc`. Each handler parses, authenticates, calls
//! one service method and serializes; no business rule lives here.

use actix_web::{HttpRequest, HttpResponse, web};
use auth::{PermissionsPatch, Role};
use serde::Deserialize;
use serde_json::json;
use signaling_core::protocol::{
    LiveStreamStartReq, ParticipantUpdateReq, RecordingAction, RecordingControlReq,
};
use signaling_core::ratelimit::LimitKind;
use signaling_core::room::RoomSettingsPatch;
use signaling_core::{Actor, Command, ErrorCode, RoomId, UserId};

use crate::AppState;
use crate::auth_extract::identity_from_request;
use crate::http_error::{ApiError, err};
use crate::openapi::Api;
use crate::optional_json::OptionalJson;

type Res = Result<HttpResponse, ApiError>;

/// Registers every `/webrtc` REST route.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.api("GET", "/webrtc/config", web::get().to(ice_config))
        .api("GET", "/webrtc/health", web::get().to(health))
        .api(
            "GET",
            "/webrtc/rate-limits/{limit_type}/status",
            web::get().to(rate_status),
        )
        .api(
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
        )
        .api(
            "GET",
            "/webrtc/rooms/{room_id}/chat",
            web::get().to(chat_history),
        )
        .api(
            "GET",
            "/webrtc/rooms/{room_id}/analytics",
            web::get().to(analytics),
        )
        .api(
            "GET",
            "/webrtc/rooms/{room_id}/analytics/summary",
            web::get().to(analytics_summary),
        )
        .api(
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
        )
        .api(
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
        )
        .api(
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
        )
        .api(
            "POST",
            "/webrtc/rooms/{room_id}/live-streams/start",
            web::post().to(stream_start),
        )
        .api(
            "POST",
            "/webrtc/rooms/{room_id}/live-streams/{stream_id}/stop",
            web::post().to(stream_stop),
        )
        .api(
            "GET",
            "/webrtc/rooms/{room_id}/live-streams",
            web::get().to(stream_list),
        )
        // Seed 000 names, with seed 001's as aliases.
        .api(
            "GET",
            "/webrtc/rooms/{room_id}/reconnect",
            web::get().to(reconnect),
        )
        .api(
            "GET",
            "/webrtc/rooms/{room_id}/reconnection-state",
            web::get().to(reconnect),
        )
        .api(
            "GET",
            "/webrtc/rooms/{room_id}/sessions",
            web::get().to(sessions),
        )
        .api(
            "POST",
            "/webrtc/rooms/{room_id}/quality",
            web::post().to(quality),
        )
        .api(
            "POST",
            "/webrtc/rooms/{room_id}/connection-quality",
            web::post().to(quality),
        );
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

/// Registers the operations endpoints (`/metrics`, `/webrtc/stats`,
/// `/webrtc/webrtc-metrics`): on the main app, and on the metrics address
/// when `RTC_METRICS_BIND` is set (`guard.rs` decides which answers).
pub fn configure_ops(cfg: &mut web::ServiceConfig) {
    cfg.api("GET", "/webrtc/stats", web::get().to(stats))
        .api(
            "GET",
            "/webrtc/webrtc-metrics",
            web::get().to(webrtc_metrics),
        )
        .api("GET", "/metrics", web::get().to(prometheus_metrics));
}

/// The authenticated caller in the path's room, counted against the
/// `api_call` rate limit.
pub(crate) async fn actor(
    req: &HttpRequest,
    state: &AppState,
    room: &str,
) -> Result<(RoomId, Actor), ApiError> {
    let room_id = RoomId::parse(room)?;
    let identity = identity_from_request(req, state)?;
    identity.grant_for(room_id.as_str())?;
    let user_id = UserId::parse(&identity.user_id)?;
    state
        .service
        .check_rate(LimitKind::ApiCall, &user_id)
        .await?;
    Ok((
        room_id,
        Actor {
            user_id,
            connection: None,
        },
    ))
}

async fn ice_config(req: HttpRequest, state: web::Data<AppState>) -> Res {
    let s = &state.settings;
    let mut servers = vec![];
    // `RTC_STUN_URLS=""` turns STUN off (a LAN or loopback-only setup).
    let stun: Vec<&String> = s.ice.stun_urls.iter().filter(|u| !u.is_empty()).collect();
    if !stun.is_empty() {
        servers.push(json!({ "urls": stun }));
    }
    if !s.ice.turn_urls.is_empty() {
        // TURN credentials are bound to an authenticated user.
        let identity = identity_from_request(&req, &state)?;
        match &s.ice.turn_secret {
            Some(secret) => {
                let c = auth::turn::credentials(
                    secret.expose().as_bytes(),
                    &identity.user_id,
                    state.now_unix(),
                    s.ice.turn_ttl_secs,
                );
                servers.push(json!({ "urls": s.ice.turn_urls, "username": c.username, "credential": c.credential, "ttl": c.ttl }));
            }
            None => servers.push(json!({ "urls": s.ice.turn_urls })),
        }
    }
    Ok(HttpResponse::Ok().json(json!({
        "iceServers": servers,
        "limits": {
            "max_message_bytes": s.ws.max_message_bytes,
            "max_chat_chars": state.service.engine().config.max_chat_chars,
            "room_capacity": s.rooms.room_capacity,
        },
        "heartbeat_secs": s.ws.heartbeat_secs,
        "idle_timeout_secs": s.ws.idle_timeout_secs,
    })))
}

async fn health(state: web::Data<AppState>) -> Res {
    let started = state.started.elapsed().as_secs();
    let rooms = state.service.ports().rooms.list().await;
    let (status, code, store) = match &rooms {
        Ok(_) => ("healthy", 200, "ok"),
        Err(_) => ("degraded", 503, "unavailable"),
    };
    Ok(
        HttpResponse::build(actix_web::http::StatusCode::from_u16(code).unwrap_or_default()).json(
            json!({
                "status": status,
                "uptime_seconds": started,
                "connections": state.hub.connection_count(),
                "checks": {
                    "room_store": store,
                    "chat_outbox_pending": state.chat_outbox.as_ref().map(|o| o.pending()).unwrap_or(0),
                },
            }),
        ),
    )
}

/// Rooms, participants and reconnecting participants across the deployment.
async fn room_totals(state: &AppState) -> Result<(usize, usize, usize), ApiError> {
    let ids = state.service.ports().rooms.list().await?;
    let (mut participants, mut reconnecting) = (0, 0);
    for id in &ids {
        if let Ok(r) = state.service.room(id).await {
            participants += r.participants.len();
            reconnecting += r
                .participants
                .iter()
                .filter(|p| p.presence != signaling_core::room::Presence::Connected)
                .count();
        }
    }
    Ok((ids.len(), participants, reconnecting))
}

async fn stats(state: web::Data<AppState>) -> Res {
    let (rooms, participants, _) = room_totals(&state).await?;
    Ok(HttpResponse::Ok().json(json!({
        "rooms": rooms,
        "participants": participants,
        "connections_on_this_instance": state.hub.connection_count(),
        "uptime_seconds": state.started.elapsed().as_secs(),
    })))
}

async fn participants(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Res {
    let (room_id, a) = actor(&req, &state, &path).await?;
    let room = state.service.room(&room_id).await?;
    state.service.engine().require_member(&room, &a)?;
    Ok(HttpResponse::Ok().json(json!({
        "room_id": room_id,
        "count": room.participants.len(),
        "participants": room.participants,
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

#[derive(Deserialize)]
struct PageQuery {
    before: Option<String>,
    limit: Option<usize>,
}

async fn chat_history(
    req: HttpRequest,
    path: web::Path<String>,
    q: web::Query<PageQuery>,
    state: web::Data<AppState>,
) -> Res {
    let (room_id, a) = actor(&req, &state, &path).await?;
    let limit = q.limit.unwrap_or(50).clamp(1, 200);
    let page = state
        .service
        .chat_history(&room_id, &a, q.before.as_deref(), limit)
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

async fn analytics(
    req: HttpRequest,
    path: web::Path<String>,
    q: web::Query<PageQuery>,
    state: web::Data<AppState>,
) -> Res {
    let (room_id, _a) = actor(&req, &state, &path).await?;
    let limit = q.limit.unwrap_or(500).clamp(1, 5000);
    let events = state
        .service
        .ports()
        .analytics
        .list(&room_id, limit)
        .await?;
    Ok(HttpResponse::Ok().json(json!({ "room_id": room_id, "events": events })))
}

async fn analytics_summary(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Res {
    let (room_id, _a) = actor(&req, &state, &path).await?;
    let s = state.service.ports().analytics.summary(&room_id).await?;
    Ok(HttpResponse::Ok().json(json!({ "room_id": room_id, "summary": s })))
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

async fn stream_start(
    req: HttpRequest,
    path: web::Path<String>,
    body: OptionalJson<LiveStreamStartReq>,
    state: web::Data<AppState>,
) -> Res {
    let (room_id, a) = actor(&req, &state, &path).await?;
    let cmd = Command::StreamStart(body.into_inner().unwrap_or_default());
    let s = state.service.execute(&room_id, &a, cmd).await?;
    Ok(HttpResponse::Created().json(s))
}

async fn stream_stop(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    state: web::Data<AppState>,
) -> Res {
    let (room_id, a) = actor(&req, &state, &path.0).await?;
    let cmd = Command::StreamStop {
        stream_id: path.1.clone(),
    };
    Ok(HttpResponse::Ok().json(state.service.execute(&room_id, &a, cmd).await?))
}

async fn stream_list(req: HttpRequest, path: web::Path<String>, state: web::Data<AppState>) -> Res {
    let (room_id, a) = actor(&req, &state, &path).await?;
    let room = state.service.room(&room_id).await?;
    state.service.engine().require_member(&room, &a)?;
    Ok(HttpResponse::Ok().json(json!({ "live_streams": room.live_streams })))
}

async fn rate_status(req: HttpRequest, path: web::Path<String>, state: web::Data<AppState>) -> Res {
    let Some(kind) = LimitKind::parse(&path) else {
        return err(
            ErrorCode::NotFound,
            format!("no limit type {:?}", path.as_str()),
        );
    };
    let identity = identity_from_request(&req, &state)?;
    let user = UserId::parse(&identity.user_id)?;
    let status = state.service.rate_status(kind, &user).await?;
    let limit = state.service.policy().get(kind);
    Ok(HttpResponse::Ok().json(json!({
        "limit_type": kind.as_str(),
        "limit": limit.max,
        "window_secs": limit.window_secs,
        "used": status.used,
        "remaining": status.remaining,
        "reset_in_secs": status.reset_in_secs,
    })))
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

async fn webrtc_metrics(state: web::Data<AppState>) -> Res {
    let (rooms, participants, reconnecting) = room_totals(&state).await?;
    Ok(HttpResponse::Ok().json(json!({
        "rooms": rooms,
        "participants": participants,
        "participants_reconnecting": reconnecting,
        "this_instance": state.metrics.snapshot(state.hub.connection_count()),
        "uptime_seconds": state.started.elapsed().as_secs(),
    })))
}

/// `GET /metrics`: Prometheus text exposition. The room gauges need the
/// shared store; while it is away they keep their last value.
async fn prometheus_metrics(state: web::Data<AppState>) -> HttpResponse {
    let handle = crate::telemetry::prometheus();
    if let Some(w) = &state.webhooks {
        w.export_metrics().await;
    }
    metrics::gauge!("rtc_connections").set(state.hub.connection_count() as f64);
    if let Ok((rooms, participants, reconnecting)) = room_totals(&state).await {
        metrics::gauge!("rtc_rooms").set(rooms as f64);
        metrics::gauge!("rtc_participants", "presence" => "connected")
            .set((participants - reconnecting) as f64);
        metrics::gauge!("rtc_participants", "presence" => "reconnecting").set(reconnecting as f64);
    }
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(handle.render())
}

#[derive(Deserialize)]
struct ReconnectQuery {
    last_sequence: Option<u64>,
}

/// What a returning client missed (with `last_sequence`), and its
/// reconnection state: presence, quality, the room's newest sequence.
async fn reconnect(
    req: HttpRequest,
    path: web::Path<String>,
    q: web::Query<ReconnectQuery>,
    state: web::Data<AppState>,
) -> Res {
    let (room_id, a) = actor(&req, &state, &path).await?;
    let room = state.service.room(&room_id).await?;
    let me = state.service.engine().require_member(&room, &a)?.clone();
    let quality = me
        .network_stats
        .as_ref()
        .map(signaling_core::engine::classify_quality);
    let mut body = json!({
        "room_id": room_id,
        "user_id": me.user_id,
        "presence": me.presence,
        "quality": quality,
        "network_stats": me.network_stats,
        "last_sequence": state.service.latest_sequence(&room_id).await?,
    });
    if let Some(last) = q.last_sequence {
        match state.service.replay(&room_id, &a, last).await? {
            signaling_core::ReplayOutcome::Events { events, latest } => {
                let events: Vec<serde_json::Value> = events
                    .iter()
                    .filter_map(|(_, j)| serde_json::from_str(j).ok())
                    .collect();
                body["resync_required"] = json!(false);
                body["missed_message_count"] = json!(events.len());
                body["events"] = json!(events);
                body["last_sequence"] = json!(latest);
            }
            signaling_core::ReplayOutcome::Resync { state: s, latest } => {
                body["resync_required"] = json!(true);
                body["state"] = json!(s);
                body["last_sequence"] = json!(latest);
            }
        }
    }
    Ok(HttpResponse::Ok().json(body))
}

async fn quality(
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Json<signaling_core::room::NetworkStats>,
    state: web::Data<AppState>,
) -> Res {
    let (room_id, a) = actor(&req, &state, &path).await?;
    let stats = body.into_inner();
    state
        .service
        .execute(&room_id, &a, Command::NetworkStats(stats))
        .await?;
    let quality = signaling_core::engine::classify_quality(&stats);
    Ok(
        HttpResponse::Ok()
            .json(json!({ "user_id": a.user_id, "quality": quality, "stats": stats })),
    )
}

async fn sessions(
    req: HttpRequest,
    path: web::Path<String>,
    q: web::Query<PageQuery>,
    state: web::Data<AppState>,
) -> Res {
    let (room_id, _a) = actor(&req, &state, &path).await?;
    let limit = q.limit.unwrap_or(20).clamp(1, 200);
    let list = state.service.ports().sessions.list(&room_id, limit).await?;
    Ok(HttpResponse::Ok().json(json!({ "room_id": room_id, "sessions": list })))
}
