//! The bundled web client: static files compiled into the binary (no CDN,
//! works offline) and the development token endpoint it signs in with.

use actix_web::{HttpResponse, http::header, web};
use serde::Deserialize;
use serde_json::json;
use signaling_core::{ErrorCode, RoomId, SignalError, UserId};

use crate::AppState;
use crate::http_error::ApiError;
use crate::openapi::Api;

/// The files under `apps/server/web/`, by URL path.
const ASSETS: &[(&str, &str, &str)] = &[
    (
        "/",
        "text/html; charset=utf-8",
        include_str!("../web/index.html"),
    ),
    (
        "/client/app.js",
        "text/javascript; charset=utf-8",
        include_str!("../web/app.js"),
    ),
    (
        "/client/rtc-client.js",
        "text/javascript; charset=utf-8",
        include_str!("../web/rtc-client.js"),
    ),
    (
        "/client/style.css",
        "text/css; charset=utf-8",
        include_str!("../web/style.css"),
    ),
];

/// Registers `/`, `/client/*` and `POST /webrtc/dev/token`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    for (path, mime, body) in ASSETS {
        cfg.api("GET", path, web::get().to(move || asset(mime, body)));
    }
    cfg.api("POST", "/webrtc/dev/token", web::post().to(dev_token));
}

async fn asset(mime: &'static str, body: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, mime))
        // The files change with the binary; revalidate rather than cache.
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .body(body)
}

/// `POST /webrtc/dev/token` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub(crate) struct DevTokenReq {
    /// The user id to sign in as; a fresh `guest-…` id when absent.
    user_id: Option<String>,
    /// Display name.
    name: Option<String>,
    /// Limit the token to this room.
    room: Option<String>,
}

/// Lifetime of a development token.
const DEV_TOKEN_SECS: i64 = 12 * 3600;

/// Signs a token for whoever asks, when `RTC_DEV_TOKENS` allows it. The
/// token names no role: the room decides (the first joiner hosts).
async fn dev_token(
    state: web::Data<AppState>,
    body: web::Json<DevTokenReq>,
) -> Result<HttpResponse, ApiError> {
    let Some(minter) = &state.dev_minter else {
        return Err(SignalError::new(
            ErrorCode::NotFound,
            "development tokens are disabled (RTC_DEV_TOKENS=false or a real RTC_JWT_SECRET is set)",
        )
        .into());
    };
    let body = body.into_inner();
    let user = match body.user_id.as_deref() {
        Some(u) => UserId::parse(u)?.to_string(),
        None => format!("guest-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]),
    };
    let room = body.room.as_deref().map(RoomId::parse).transpose()?;
    let name = body.name.filter(|n| !n.trim().is_empty());
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let s = &state.settings;
    let token = minter.mint(&auth::Claims {
        sub: user.clone(),
        exp: now + DEV_TOKEN_SECS,
        nbf: None,
        iat: Some(now),
        iss: s.jwt_issuer.clone(),
        aud: s.jwt_audience.clone().map(auth::Audience::One),
        name,
        room: room.map(|r| r.to_string()),
        role: None,
        permissions: None,
    })?;
    Ok(HttpResponse::Ok().json(json!({
        "token": token,
        "user_id": user,
        "expires_in": DEV_TOKEN_SECS,
    })))
}
