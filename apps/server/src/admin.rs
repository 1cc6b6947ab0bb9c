//! The admin API (`/webrtc/admin/...`): the operator's own backend drives
//! rooms with an API key and secret (HTTP Basic). Every call acts as
//! `#admin`, a host of every room who is in none of them.

use actix_web::{HttpRequest, HttpResponse, web};
use base64::Engine as _;
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use signaling_core::protocol::{ClientMessage, MediaControlReq};
use signaling_core::room::{MediaKind, RoomSettingsPatch};
use signaling_core::{Actor, ErrorCode, RoomId, SignalError, UserId};

use crate::AppState;
use crate::http_error::ApiError;
use crate::openapi::Api;

type Res = Result<HttpResponse, ApiError>;

/// Registers the admin routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.api("GET", "/webrtc/admin/rooms", web::get().to(list_rooms))
        .api("POST", "/webrtc/admin/rooms", web::post().to(create_room))
        .api(
            "GET",
            "/webrtc/admin/rooms/{room_id}",
            web::get().to(get_room),
        )
        .api(
            "DELETE",
            "/webrtc/admin/rooms/{room_id}",
            web::delete().to(close_room),
        )
        .api(
            "POST",
            "/webrtc/admin/rooms/{room_id}/participants/{user_id}/remove",
            web::post().to(remove_participant),
        )
        .api(
            "POST",
            "/webrtc/admin/rooms/{room_id}/participants/{user_id}/mute",
            web::post().to(mute_participant),
        )
        .api(
            "POST",
            "/webrtc/admin/rooms/{room_id}/data",
            web::post().to(send_data),
        )
        .api(
            "POST",
            "/webrtc/admin/rooms/{room_id}/metadata",
            web::post().to(set_metadata),
        )
        .api(
            "POST",
            "/webrtc/admin/webhooks/replay",
            web::post().to(replay_webhooks),
        );
}

/// Checks `Authorization: Basic base64(key:secret)` against the configured
/// pair. The admin API answers `404 NOT_FOUND` while no pair is configured.
fn authorize(req: &HttpRequest, state: &AppState) -> Result<(), ApiError> {
    let s = &state.settings;
    let (Some(key), Some(secret)) = (&s.admin_api_key, &s.admin_api_secret) else {
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
    // Comparing digests: equal length, and an early mismatch tells an
    // attacker nothing about the secret.
    if Sha256::digest(&given) != Sha256::digest(expected.as_bytes()) {
        return Err(SignalError::new(
            ErrorCode::Unauthorized,
            "admin API: send Authorization: Basic base64(key:secret)",
        )
        .into());
    }
    Ok(())
}

fn room_id(req: &HttpRequest, state: &AppState, raw: &str) -> Result<RoomId, ApiError> {
    authorize(req, state)?;
    Ok(RoomId::parse(raw)?)
}

async fn list_rooms(req: HttpRequest, state: web::Data<AppState>) -> Res {
    authorize(&req, &state)?;
    let mut rooms = Vec::new();
    for id in state.service.ports().rooms.list().await? {
        let Ok(r) = state.service.room(&id).await else {
            continue; // deleted meanwhile
        };
        rooms.push(json!({
            "room_id": r.id,
            "created_at": r.created_at,
            "participants": r.participants.len(),
            "waiting": r.waiting.len(),
            "settings": r.settings,
            "metadata": r.metadata,
            "recording": r.recordings.iter().any(|x| x.is_active()),
        }));
    }
    Ok(HttpResponse::Ok().json(json!({ "count": rooms.len(), "rooms": rooms })))
}

async fn get_room(req: HttpRequest, path: web::Path<String>, state: web::Data<AppState>) -> Res {
    let room_id = room_id(&req, &state, &path)?;
    let room = state.service.room(&room_id).await?;
    let last = state.service.latest_sequence(&room_id).await.unwrap_or(0);
    let view = state
        .service
        .engine()
        .room_state(&room, &UserId::admin(), last);
    Ok(HttpResponse::Ok().json(json!({
        "room": view,
        "created_at": room.created_at,
        "banned": room.banned,
    })))
}

/// `POST /webrtc/admin/rooms` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub(crate) struct CreateRoomReq {
    room_id: String,
    #[serde(default)]
    settings: Option<RoomSettingsPatch>,
    #[serde(default)]
    metadata: Option<String>,
}

async fn create_room(
    req: HttpRequest,
    body: web::Json<CreateRoomReq>,
    state: web::Data<AppState>,
) -> Res {
    authorize(&req, &state)?;
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
    Ok(HttpResponse::Created().json(json!({ "room": view })))
}

async fn close_room(req: HttpRequest, path: web::Path<String>, state: web::Data<AppState>) -> Res {
    let room_id = room_id(&req, &state, &path)?;
    let removed = state.service.close_room(&room_id).await?;
    Ok(HttpResponse::Ok().json(json!({ "room_id": room_id, "closed": true, "removed": removed })))
}

/// `…/remove` body.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub(crate) struct RemoveReq {
    /// Also ban: the ban is part of the room's shared state, so no instance
    /// of the cluster admits the user again.
    #[serde(default)]
    ban: bool,
}

async fn remove_participant(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: Option<web::Json<RemoveReq>>,
    state: web::Data<AppState>,
) -> Res {
    let room_id = room_id(&req, &state, &path.0)?;
    let user = UserId::parse(&path.1)?;
    let ban = body.map(|b| b.ban).unwrap_or(false);
    state
        .service
        .kick(&room_id, &Actor::admin(), &user, ban)
        .await?;
    Ok(HttpResponse::Ok()
        .json(json!({ "room_id": room_id, "user_id": user, "removed": true, "banned": ban })))
}

/// `…/mute` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub(crate) struct MuteReq {
    /// `audio` or `video`.
    kind: MediaKind,
}

async fn mute_participant(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: web::Json<MuteReq>,
    state: web::Data<AppState>,
) -> Res {
    let room_id = room_id(&req, &state, &path.0)?;
    let user = UserId::parse(&path.1)?;
    let msg = ClientMessage::MediaControl(MediaControlReq {
        kind: body.kind,
        muted: true,
        target: Some(user.clone()),
    });
    state.service.handle(&room_id, &Actor::admin(), msg).await?;
    Ok(HttpResponse::Ok()
        .json(json!({ "room_id": room_id, "user_id": user, "kind": body.kind, "muted": true })))
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

async fn send_data(
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Json<DataReq>,
    state: web::Data<AppState>,
) -> Res {
    let room_id = room_id(&req, &state, &path)?;
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
    state
        .service
        .send_data(&room_id, &Actor::admin(), body.to, body.topic, body.data)
        .await?;
    Ok(HttpResponse::Ok()
        .json(json!({ "room_id": room_id, "sent": true, "recipients": recipients })))
}

/// `POST /webrtc/admin/webhooks/replay` body: one of `from_seq` (needs
/// `room_id`) or `since` (unix seconds; all rooms unless `room_id`).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub(crate) struct ReplayReq {
    room_id: Option<String>,
    from_seq: Option<u64>,
    since: Option<i64>,
}

/// Sends delivered webhooks again from a point, in order, with their
/// original ids (receivers deduplicate by `Webhook-Id`).
async fn replay_webhooks(
    req: HttpRequest,
    body: web::Json<ReplayReq>,
    state: web::Data<AppState>,
) -> Res {
    authorize(&req, &state)?;
    let Some(w) = &state.webhooks else {
        return Err(
            SignalError::new(ErrorCode::NotFound, "webhooks are off: set RTC_WEBHOOK_URL").into(),
        );
    };
    let body = body.into_inner();
    let room = body.room_id.as_deref().map(RoomId::parse).transpose()?;
    let from = match (body.from_seq, body.since, &room) {
        (Some(seq), None, Some(_)) => webhooks::ReplayFrom::Seq(seq),
        (None, Some(t), _) => webhooks::ReplayFrom::Since(t.saturating_mul(1000)),
        _ => {
            return Err(SignalError::invalid(
                "give room_id with from_seq, or since (unix seconds) with an optional room_id",
            )
            .into());
        }
    };
    let n = w
        .outbox
        .replay(room.as_ref().map(|r| r.as_str()), from, webhooks::unix_ms())
        .await
        .map_err(|e| SignalError::new(ErrorCode::ServiceUnavailable, e.to_string()))?;
    w.dispatcher.wake();
    Ok(HttpResponse::Ok().json(json!({ "replayed": n })))
}

/// `…/metadata` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub(crate) struct MetadataReq {
    metadata: String,
}

async fn set_metadata(
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Json<MetadataReq>,
    state: web::Data<AppState>,
) -> Res {
    let room_id = room_id(&req, &state, &path)?;
    state
        .service
        .set_metadata(&room_id, &Actor::admin(), body.into_inner().metadata)
        .await?;
    let room = state.service.room(&room_id).await?;
    Ok(HttpResponse::Ok().json(json!({ "room_id": room_id, "metadata": room.metadata })))
}
