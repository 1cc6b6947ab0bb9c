//! History: chat as the caller could have received it, analytics, sessions.

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

use super::{PageQuery, Res, actor};
use crate::AppState;
use crate::openapi::Api;

/// Registers the routes of this feature.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.api(
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
        "GET",
        "/webrtc/rooms/{room_id}/sessions",
        web::get().to(sessions),
    );
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
