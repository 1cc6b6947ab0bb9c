//! The bundled web client: static files compiled into the binary (no CDN,
//! works offline) and the development token endpoint it signs in with.

use actix_web::{HttpResponse, http::header, web};
use serde::Deserialize;
use signaling_core::{ErrorCode, RoomId, SignalError};

use crate::AppState;
use crate::http_error::ApiError;

/// The page's content security policy: its own scripts, styles and
/// connections only (`'self'` covers its WebSocket), no framing, no plugins.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
    img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; \
    object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

// The files under `apps/server/web/`, one handler per URL path.
// `rtc-client.js` and `rtc-client.d.ts` are built from `clients/js`
// (TypeScript) and committed, so building the server needs no Node;
// `clients/js/check.sh` fails when they differ from the source.

/// The operations of this feature, documented by `#[utoipa::path]` on each
/// handler. Keep this list and `configure` together: the e2e test fails
/// when a path is served but missing here.
#[derive(utoipa::OpenApi)]
#[openapi(paths(index, app_js, rtc_client_js, rtc_client_dts, style_css, dev_token))]
pub(crate) struct Doc;

#[utoipa::path(
    get,
    path = "/",
    tag = "Web client",
    summary = "The bundled web client",
    security(()),
    responses((status = 200, description = "index.html", content_type = "text/html", body = String)),
)]
async fn index() -> HttpResponse {
    asset(
        "text/html; charset=utf-8",
        include_str!("../web/index.html"),
    )
    .await
}

#[utoipa::path(
    get,
    path = "/client/app.js",
    tag = "Web client",
    summary = "The web client's page script",
    security(()),
    responses((status = 200, description = "app.js", content_type = "text/javascript", body = String)),
)]
async fn app_js() -> HttpResponse {
    asset(
        "text/javascript; charset=utf-8",
        include_str!("../web/app.js"),
    )
    .await
}

#[utoipa::path(
    get,
    path = "/client/rtc-client.js",
    tag = "Web client",
    summary = "The signaling client module (docs/client.md)",
    security(()),
    responses((status = 200, description = "rtc-client.js", content_type = "text/javascript", body = String)),
)]
async fn rtc_client_js() -> HttpResponse {
    asset(
        "text/javascript; charset=utf-8",
        include_str!("../web/rtc-client.js"),
    )
    .await
}

#[utoipa::path(
    get,
    path = "/client/rtc-client.d.ts",
    tag = "Web client",
    summary = "TypeScript declarations of the client module (clients/js)",
    security(()),
    responses((status = 200, description = "rtc-client.d.ts", content_type = "application/typescript", body = String)),
)]
async fn rtc_client_dts() -> HttpResponse {
    asset(
        "application/typescript; charset=utf-8",
        include_str!("../web/rtc-client.d.ts"),
    )
    .await
}

#[utoipa::path(
    get,
    path = "/client/style.css",
    tag = "Web client",
    summary = "The web client's style sheet",
    security(()),
    responses((status = 200, description = "style.css", content_type = "text/css", body = String)),
)]
async fn style_css() -> HttpResponse {
    asset("text/css; charset=utf-8", include_str!("../web/style.css")).await
}

/// Registers `/`, `/client/*` and `POST /webrtc/dev/token`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(index))
        .route("/client/app.js", web::get().to(app_js))
        .route("/client/rtc-client.js", web::get().to(rtc_client_js))
        .route("/client/rtc-client.d.ts", web::get().to(rtc_client_dts))
        .route("/client/style.css", web::get().to(style_css));
    cfg.route("/webrtc/dev/token", web::post().to(dev_token));
}

async fn asset(mime: &'static str, body: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, mime))
        // The files change with the binary; revalidate rather than cache.
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header((header::CONTENT_SECURITY_POLICY, CSP))
        .insert_header((header::X_FRAME_OPTIONS, "DENY"))
        // The page's URL may carry `?token=`: never send it on.
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .insert_header((
            header::HeaderName::from_static("permissions-policy"),
            "camera=(self), microphone=(self), display-capture=(self)",
        ))
        .body(body)
}

/// `POST /webrtc/dev/token` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub(crate) struct DevTokenReq {
    /// Refused: the server picks the user id (a fresh `guest-…`), so nobody
    /// can sign in as someone else. Keep the token to resume a seat. Left
    /// out of the document: no value is accepted.
    #[schema(ignore)]
    user_id: Option<String>,
    /// Display name.
    name: Option<String>,
    /// The room the token is for (required: it is valid only there).
    #[schema(required = true, value_type = RoomId)]
    room: Option<String>,
}

/// A development token.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct DevToken {
    token: String,
    /// The id the server picked.
    user_id: String,
    /// Seconds it lasts.
    expires_in: i64,
}

/// Lifetime of a development token.
const DEV_TOKEN_SECS: i64 = 12 * 3600;

/// Signs a token for a fresh guest id in one room, when `RTC_DEV_TOKENS`
/// allows it. The token names no role: the room decides (the first joiner
/// hosts).
#[utoipa::path(
    post,
    path = "/webrtc/dev/token",
    tag = "Web client",
    summary = "A development token for a server-picked id, valid in one room (only while RTC_DEV_TOKENS is on)",
    security(()),
    request_body = DevTokenReq,
    responses((status = 200, description = "The token", body = DevToken)),
)]
async fn dev_token(
    state: web::Data<AppState>,
    body: crate::optional_json::JsonBody<DevTokenReq>,
) -> Result<HttpResponse, ApiError> {
    let Some(minter) = &state.dev_minter else {
        return Err(SignalError::new(
            ErrorCode::NotFound,
            "development tokens are disabled (RTC_DEV_TOKENS=false or a real RTC_JWT_SECRET is set)",
        )
        .into());
    };
    let body = body.into_inner();
    if body.user_id.is_some() {
        return Err(SignalError::new(
            ErrorCode::ValidationError,
            "user_id: the server picks the id of a development token; keep the token to resume your seat",
        )
        .into());
    }
    let room = body
        .room
        .as_deref()
        .map(RoomId::parse)
        .transpose()?
        .ok_or_else(|| SignalError::new(ErrorCode::ValidationError, "room is required"))?;
    let user = format!("guest-{}", uuid::Uuid::new_v4().simple());
    let name = body.name.filter(|n| !n.trim().is_empty());
    let now = state.now_unix();
    let s = &state.settings;
    let token = minter.mint(&auth::Claims {
        sub: user.clone(),
        exp: now + DEV_TOKEN_SECS,
        nbf: None,
        iat: Some(now),
        iss: s.auth.jwt_issuer.clone(),
        aud: s.auth.jwt_audience.clone().map(auth::Audience::One),
        name,
        room: Some(room.to_string()),
        role: None,
        permissions: None,
    })?;
    Ok(HttpResponse::Ok().json(DevToken {
        token,
        user_id: user,
        expires_in: DEV_TOKEN_SECS,
    }))
}
