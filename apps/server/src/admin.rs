//! The admin API (`/webrtc/admin/...`): the operator's own backend drives
//! rooms with an API key and secret (HTTP Basic). Every call acts as
//! `#admin`, a host of every room who is in none of them.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{HttpRequest, HttpResponse, web};
use base64::Engine as _;
use serde::Deserialize;
use signaling_core::protocol::MediaControlReq;
use signaling_core::room::{MediaKind, RoomSettingsPatch};
use signaling_core::{Actor, Command, ErrorCode, RoomId, SignalError, UserId};

use crate::AppState;
use crate::http_error::ApiError;
use crate::optional_json::OptionalJson;

type Res = Result<HttpResponse, ApiError>;

/// The operations of this feature, documented by `#[utoipa::path]` on each
/// handler. Keep this list and `configure` together: the e2e test fails
/// when a path is served but missing here.
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    list_rooms,
    create_room,
    get_room,
    close_room,
    remove_participant,
    mute_participant,
    send_data,
    set_metadata
))]
pub(crate) struct Doc;

/// The admin API's path prefix.
pub const PREFIX: &str = "/webrtc/admin/";

/// Whether the admin API is on: both a key and a secret are configured.
/// While it is off its routes are not registered (they answer 404 like any
/// unknown path) and `/openapi.json` leaves them out.
pub fn enabled(settings: &crate::Settings) -> bool {
    settings.admin.admin_api_key.is_some() && settings.admin.admin_api_secret.is_some()
}

/// Registers the admin API, if [`enabled`].
pub fn configure_if_enabled(
    settings: &crate::Settings,
) -> impl FnOnce(&mut web::ServiceConfig) + use<> {
    let on = enabled(settings);
    move |cfg| {
        if on {
            configure(cfg);
        }
    }
}

/// Registers the admin routes, each behind [`require_admin`].
fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/webrtc/admin/rooms", guarded(web::get().to(list_rooms)))
        .route("/webrtc/admin/rooms", guarded(web::post().to(create_room)))
        .route(
            "/webrtc/admin/rooms/{room_id}",
            guarded(web::get().to(get_room)),
        )
        .route(
            "/webrtc/admin/rooms/{room_id}",
            guarded(web::delete().to(close_room)),
        )
        .route(
            "/webrtc/admin/rooms/{room_id}/participants/{user_id}/remove",
            guarded(web::post().to(remove_participant)),
        )
        .route(
            "/webrtc/admin/rooms/{room_id}/participants/{user_id}/mute",
            guarded(web::post().to(mute_participant)),
        )
        .route(
            "/webrtc/admin/rooms/{room_id}/data",
            guarded(web::post().to(send_data)),
        )
        .route(
            "/webrtc/admin/rooms/{room_id}/metadata",
            guarded(web::post().to(set_metadata)),
        )
        .configure(|cfg| crate::admin_webhooks::configure(cfg, guarded));
}

/// `route` behind [`require_admin`].
fn guarded(route: actix_web::Route) -> actix_web::Route {
    route.wrap(actix_web::middleware::from_fn(require_admin))
}

/// Authenticates an admin request on its head alone, before any extractor
/// runs: a caller without the credentials gets `401` (or `404` while the
/// admin API is off) and its body is never read or parsed, so it learns
/// nothing from body errors and costs no parsing.
async fn require_admin(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .expect("AppState is registered")
        .clone();
    if let Err(e) = authorize(req.request(), &state) {
        let mut res = actix_web::ResponseError::error_response(&e);
        if res.status() == actix_web::http::StatusCode::UNAUTHORIZED {
            res.headers_mut().insert(
                actix_web::http::header::WWW_AUTHENTICATE,
                actix_web::http::header::HeaderValue::from_static(
                    "Basic realm=\"rtc-server admin\"",
                ),
            );
        }
        return Ok(req.into_response(res).map_into_right_body());
    }
    Ok(next.call(req).await?.map_into_left_body())
}

/// A room in the admin list.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct RoomSummary {
    room_id: RoomId,
    #[schema(value_type = String, format = DateTime)]
    #[serde(with = "time::serde::rfc3339")]
    created_at: time::OffsetDateTime,
    participants: usize,
    waiting: usize,
    settings: signaling_core::room::RoomSettings,
    metadata: String,
    /// A recording is running.
    recording: bool,
}

/// Every room.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct RoomList {
    count: usize,
    rooms: Vec<RoomSummary>,
}

/// A room as the admin sees it (as a host who is not in it).
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct AdminRoom {
    room: signaling_core::protocol::RoomStateView,
    #[schema(value_type = Option<String>, format = DateTime)]
    #[serde(
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    created_at: Option<time::OffsetDateTime>,
    /// Banned user ids.
    #[serde(skip_serializing_if = "Option::is_none")]
    banned: Option<Vec<UserId>>,
}

/// A closed room.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct Closed {
    room_id: RoomId,
    closed: bool,
    /// How many participants were removed.
    removed: usize,
}

/// A removed participant.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct Removed {
    room_id: RoomId,
    user_id: UserId,
    removed: bool,
    banned: bool,
}

/// A muted participant.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct Muted {
    room_id: RoomId,
    user_id: UserId,
    kind: MediaKind,
    muted: bool,
}

/// Data sent to a room.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct Sent {
    room_id: RoomId,
    sent: bool,
    /// How many users it was addressed to; null when sent to everyone.
    #[schema(required = true)]
    recipients: Option<usize>,
}

/// A room's metadata.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct MetadataAnswer {
    room_id: RoomId,
    metadata: String,
}

/// Shortest admin secret accepted, in bytes.
pub const MIN_SECRET_BYTES: usize = 32;

/// Refuses an admin secret shorter than [`MIN_SECRET_BYTES`].
pub fn check_secret(settings: &crate::Settings) -> anyhow::Result<()> {
    if let Some(s) = &settings.admin.admin_api_secret
        && s.expose().len() < MIN_SECRET_BYTES
    {
        anyhow::bail!(
            "RTC_ADMIN_API_SECRET must be at least {MIN_SECRET_BYTES} bytes (e.g. `openssl rand -hex 32`)"
        );
    }
    Ok(())
}

/// Checks `Authorization: Basic base64(key:secret)` against the configured
/// pair. The admin API answers `404 NOT_FOUND` while no pair is configured.
/// Only [`require_admin`] calls it, before the handler's extractors.
fn authorize(req: &HttpRequest, state: &AppState) -> Result<(), ApiError> {
    let s = &state.settings;
    let (Some(key), Some(secret)) = (&s.admin.admin_api_key, &s.admin.admin_api_secret) else {
        return Err(SignalError::new(
            ErrorCode::NotFound,
            "the admin API is off: set RTC_ADMIN_API_KEY and RTC_ADMIN_API_SECRET",
        )
        .into());
    };
    let given = req
        .headers()
        .get("authorization")
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.strip_prefix("Basic "))
        .and_then(|b| {
            base64::engine::general_purpose::STANDARD
                .decode(b.trim())
                .ok()
        })
        .unwrap_or_default();
    let expected = format!("{key}:{}", secret.expose());
    if !crate::config::credentials_match(&given, expected.as_bytes()) {
        return Err(SignalError::new(
            ErrorCode::Unauthorized,
            "admin API: send Authorization: Basic base64(key:secret)",
        )
        .into());
    }
    Ok(())
}

#[utoipa::path(
    get,
    path = "/webrtc/admin/rooms",
    tag = "Admin",
    summary = "List rooms",
    security(("admin" = [])),
    responses((status = 200, description = "The rooms", body = RoomList)),
)]
async fn list_rooms(state: web::Data<AppState>) -> Res {
    let mut rooms = Vec::new();
    for id in state.service.ports().rooms.list().await? {
        let Ok(r) = state.service.room(&id).await else {
            continue; // deleted meanwhile
        };
        rooms.push(RoomSummary {
            recording: r.recordings.iter().any(|x| x.is_active()),
            participants: r.participants.len(),
            waiting: r.waiting.len(),
            room_id: r.id.clone(),
            created_at: r.created_at,
            settings: r.settings,
            metadata: r.metadata.clone(),
        });
    }
    Ok(HttpResponse::Ok().json(RoomList {
        count: rooms.len(),
        rooms,
    }))
}

#[utoipa::path(
    get,
    path = "/webrtc/admin/rooms/{room_id}",
    tag = "Admin",
    summary = "One room with its waiting room and bans",
    security(("admin" = [])),
    responses((status = 200, description = "The room", body = AdminRoom)),
)]
async fn get_room(path: web::Path<String>, state: web::Data<AppState>) -> Res {
    let room_id = RoomId::parse(&path)?;
    let room = state.service.room(&room_id).await?;
    let last = state.service.latest_sequence(&room_id).await.unwrap_or(0);
    let view = state
        .service
        .engine()
        .room_state(&room, &UserId::admin(), last);
    Ok(HttpResponse::Ok().json(AdminRoom {
        room: view,
        created_at: Some(room.created_at),
        banned: Some(room.banned.clone()),
    }))
}

/// `POST /webrtc/admin/rooms` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub(crate) struct CreateRoomReq {
    #[schema(value_type = RoomId)]
    room_id: String,
    #[serde(default)]
    settings: Option<RoomSettingsPatch>,
    #[serde(default)]
    metadata: Option<String>,
}

#[utoipa::path(
    post,
    path = "/webrtc/admin/rooms",
    tag = "Admin",
    summary = "Create a room ahead of its first participant",
    security(("admin" = [])),
    request_body = CreateRoomReq,
    responses((status = 201, description = "The room", body = AdminRoom)),
)]
async fn create_room(
    body: crate::optional_json::JsonBody<CreateRoomReq>,
    state: web::Data<AppState>,
) -> Res {
    let body = body.into_inner();
    let room_id = RoomId::parse(&body.room_id)?;
    let room = state
        .service
        .create_room(&room_id, body.settings, body.metadata)
        .await?;
    let view = state
        .service
        .engine()
        .room_state(&room, &UserId::admin(), 0);
    Ok(HttpResponse::Created().json(AdminRoom {
        room: view,
        created_at: None,
        banned: None,
    }))
}

#[utoipa::path(
    delete,
    path = "/webrtc/admin/rooms/{room_id}",
    tag = "Admin",
    summary = "Close a room: everyone is removed with ROOM_CLOSED",
    security(("admin" = [])),
    responses((status = 200, description = "Closed", body = Closed)),
)]
async fn close_room(path: web::Path<String>, state: web::Data<AppState>) -> Res {
    let room_id = RoomId::parse(&path)?;
    let removed = state
        .service
        .execute(&room_id, &Actor::admin(), Command::CloseRoom)
        .await?;
    let removed = match removed {
        signaling_core::engine::Reply::Removed(n) => n,
        _ => 0,
    };
    Ok(HttpResponse::Ok().json(Closed {
        room_id,
        closed: true,
        removed,
    }))
}

/// `…/remove` body.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub(crate) struct RemoveReq {
    /// Also ban: the ban is part of the room's shared state, so no instance
    /// of the cluster admits the user again.
    #[serde(default)]
    ban: bool,
}

#[utoipa::path(
    post,
    path = "/webrtc/admin/rooms/{room_id}/participants/{user_id}/remove",
    tag = "Admin",
    summary = "Remove a participant, optionally banning them on every instance",
    security(("admin" = [])),
    request_body(content = Option<RemoveReq>, description = "Optional"),
    responses((status = 200, description = "Removed", body = Removed)),
)]
async fn remove_participant(
    path: web::Path<(String, String)>,
    body: OptionalJson<RemoveReq>,
    state: web::Data<AppState>,
) -> Res {
    let room_id = RoomId::parse(&path.0)?;
    let user = UserId::parse(&path.1)?;
    let ban = body.into_inner().is_some_and(|b| b.ban);
    let cmd = Command::Kick {
        user: user.clone(),
        ban,
    };
    state
        .service
        .execute(&room_id, &Actor::admin(), cmd)
        .await?;
    Ok(HttpResponse::Ok().json(Removed {
        room_id,
        user_id: user,
        removed: true,
        banned: ban,
    }))
}

/// `…/mute` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub(crate) struct MuteReq {
    /// `audio` or `video`.
    kind: MediaKind,
}

#[utoipa::path(
    post,
    path = "/webrtc/admin/rooms/{room_id}/participants/{user_id}/mute",
    tag = "Admin",
    summary = "Mute a participant's audio or video",
    security(("admin" = [])),
    request_body = MuteReq,
    responses((status = 200, description = "Muted", body = Muted)),
)]
async fn mute_participant(
    path: web::Path<(String, String)>,
    body: crate::optional_json::JsonBody<MuteReq>,
    state: web::Data<AppState>,
) -> Res {
    let room_id = RoomId::parse(&path.0)?;
    let user = UserId::parse(&path.1)?;
    let cmd = Command::MediaControl(MediaControlReq {
        kind: body.kind,
        muted: true,
        target: Some(user.clone()),
    });
    state
        .service
        .execute(&room_id, &Actor::admin(), cmd)
        .await?;
    Ok(HttpResponse::Ok().json(Muted {
        room_id,
        user_id: user,
        kind: body.kind,
        muted: true,
    }))
}

/// `…/data` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub(crate) struct DataReq {
    /// Any JSON.
    data: serde_json::Value,
    /// A label for the receivers.
    #[serde(default)]
    topic: Option<String>,
    /// Only these participants; everyone when absent.
    #[serde(default)]
    to: Option<Vec<UserId>>,
}

/// Largest admin data message, in bytes of JSON.
const MAX_DATA_BYTES: usize = 16 * 1024;

#[utoipa::path(
    post,
    path = "/webrtc/admin/rooms/{room_id}/data",
    tag = "Admin",
    summary = "Send a data message to the room or some participants",
    security(("admin" = [])),
    request_body = DataReq,
    responses((status = 200, description = "Sent", body = Sent)),
)]
async fn send_data(
    path: web::Path<String>,
    body: crate::optional_json::JsonBody<DataReq>,
    state: web::Data<AppState>,
) -> Res {
    let room_id = RoomId::parse(&path)?;
    let body = body.into_inner();
    if body.data.to_string().len() > MAX_DATA_BYTES
        || body.topic.as_ref().is_some_and(|t| t.len() > 128)
    {
        return Err(SignalError::new(
            ErrorCode::MessageTooLarge,
            format!("data is limited to {MAX_DATA_BYTES} bytes of JSON, topics to 128"),
        )
        .into());
    }
    let recipients = body.to.as_ref().map(Vec::len);
    let cmd = Command::SendData {
        to: body.to,
        topic: body.topic,
        data: body.data,
    };
    state
        .service
        .execute(&room_id, &Actor::admin(), cmd)
        .await?;
    Ok(HttpResponse::Ok().json(Sent {
        room_id,
        sent: true,
        recipients,
    }))
}

/// `…/metadata` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub(crate) struct MetadataReq {
    metadata: String,
}

#[utoipa::path(
    post,
    path = "/webrtc/admin/rooms/{room_id}/metadata",
    tag = "Admin",
    summary = "Set the room's metadata",
    security(("admin" = [])),
    request_body = MetadataReq,
    responses((status = 200, description = "The metadata", body = MetadataAnswer)),
)]
async fn set_metadata(
    path: web::Path<String>,
    body: crate::optional_json::JsonBody<MetadataReq>,
    state: web::Data<AppState>,
) -> Res {
    let room_id = RoomId::parse(&path)?;
    let cmd = Command::SetMetadata(body.into_inner().metadata);
    state
        .service
        .execute(&room_id, &Actor::admin(), cmd)
        .await?;
    let room = state.service.room(&room_id).await?;
    Ok(HttpResponse::Ok().json(MetadataAnswer {
        room_id,
        metadata: room.metadata.clone(),
    }))
}
