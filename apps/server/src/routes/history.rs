//! History: chat as the caller could have received it, analytics, sessions.

use actix_web::{HttpRequest, HttpResponse, web};

use super::{PageQuery, Res, actor};
use crate::AppState;

/// The operations of this feature, documented by `#[utoipa::path]` on each
/// handler. Keep this list and `configure` together: the e2e test fails
/// when a path is served but missing here.
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    chat_history,
    chat_search,
    chat_unread,
    chat_receipts,
    analytics,
    analytics_summary,
    sessions
))]
pub(crate) struct Doc;

/// Registers the routes of this feature.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/webrtc/rooms/{room_id}/chat", web::get().to(chat_history))
        .route(
            "/webrtc/rooms/{room_id}/chat/search",
            web::get().to(chat_search),
        )
        .route(
            "/webrtc/rooms/{room_id}/chat/unread",
            web::get().to(chat_unread),
        )
        .route(
            "/webrtc/rooms/{room_id}/chat/receipts",
            web::get().to(chat_receipts),
        )
        .route(
            "/webrtc/rooms/{room_id}/analytics",
            web::get().to(analytics),
        )
        .route(
            "/webrtc/rooms/{room_id}/analytics/summary",
            web::get().to(analytics_summary),
        )
        .route("/webrtc/rooms/{room_id}/sessions", web::get().to(sessions));
}

#[utoipa::path(
    get,
    path = "/webrtc/rooms/{room_id}/chat",
    tag = "History",
    summary = "Chat history the caller could have received live (members only), newest first",
    security(("bearer" = []), ("query_token" = [])),
    params(ChatQuery),
    responses((status = 200, description = "A page of messages", body = signaling_core::ports::ChatPage)),
)]
async fn chat_history(
    req: HttpRequest,
    path: web::Path<String>,
    q: web::Query<ChatQuery>,
    state: web::Data<AppState>,
) -> Res {
    let (room_id, a) = actor(&req, &state, &path).await?;
    let limit = (q.limit.unwrap_or(50) as usize).clamp(1, 200);
    let page = state
        .service
        .chat_history(
            &room_id,
            &a,
            q.before.as_deref(),
            limit,
            q.thread.as_deref(),
        )
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

#[utoipa::path(
    get,
    path = "/webrtc/rooms/{room_id}/chat/search",
    tag = "History",
    summary = "Chat messages containing q (ignoring case) that the caller could have received live, newest first",
    security(("bearer" = []), ("query_token" = [])),
    params(SearchQuery),
    responses((status = 200, description = "A page of matching messages", body = signaling_core::ports::ChatPage), (status = 422, description = "VALIDATION_ERROR: q is empty or too long")),
)]
async fn chat_search(
    req: HttpRequest,
    path: web::Path<String>,
    q: web::Query<SearchQuery>,
    state: web::Data<AppState>,
) -> Res {
    let (room_id, a) = actor(&req, &state, &path).await?;
    let limit = (q.limit.unwrap_or(50) as usize).clamp(1, 200);
    let page = state
        .service
        .chat_search(&room_id, &a, &q.q, q.before.as_deref(), limit)
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

#[utoipa::path(
    get,
    path = "/webrtc/rooms/{room_id}/chat/unread",
    tag = "History",
    summary = "The caller's unread chat: messages they could see, sent by others after their read mark",
    security(("bearer" = []), ("query_token" = [])),
    responses((status = 200, description = "The count and the caller's read mark", body = signaling_core::protocol::ChatUnread)),
)]
async fn chat_unread(req: HttpRequest, path: web::Path<String>, state: web::Data<AppState>) -> Res {
    let (room_id, a) = actor(&req, &state, &path).await?;
    let unread = state.service.chat_unread(&room_id, &a).await?;
    Ok(HttpResponse::Ok().json(unread))
}

#[utoipa::path(
    get,
    path = "/webrtc/rooms/{room_id}/chat/receipts",
    tag = "History",
    summary = "Read marks the caller may see (their own, and others' on messages they could see), most recently read first",
    security(("bearer" = []), ("query_token" = [])),
    params(super::PageQuery),
    responses((status = 200, description = "The read marks", body = ReceiptsView)),
)]
async fn chat_receipts(
    req: HttpRequest,
    path: web::Path<String>,
    q: web::Query<PageQuery>,
    state: web::Data<AppState>,
) -> Res {
    let (room_id, a) = actor(&req, &state, &path).await?;
    let limit = (q.limit.unwrap_or(100) as usize).clamp(1, 200);
    let receipts = state.service.chat_receipts(&room_id, &a, limit).await?;
    Ok(HttpResponse::Ok().json(ReceiptsView { receipts }))
}

/// The body of `GET /rooms/{room}/chat/receipts`.
#[derive(serde::Serialize, utoipa::ToSchema)]
struct ReceiptsView {
    /// Most recently read first.
    receipts: Vec<signaling_core::protocol::ReadReceipt>,
}

/// A room's analytics events.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct AnalyticsList {
    room_id: signaling_core::RoomId,
    events: Vec<signaling_core::engine::AnalyticsRecord>,
}

/// A room's analytics summary.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct SummaryAnswer {
    room_id: signaling_core::RoomId,
    summary: signaling_core::ports::AnalyticsSummary,
}

/// The lives of a room, newest first.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct SessionList {
    room_id: signaling_core::RoomId,
    sessions: Vec<signaling_core::ports::RoomSession>,
}

/// `?q=&before=&limit=` of a chat search.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct SearchQuery {
    /// What to find (case-insensitive): up to 100 characters, one of them
    /// visible (`signaling_core::sanitize::VISIBLE_PATTERN`).
    #[serde(default)]
    #[param(
        required = true,
        min_length = 1,
        max_length = 100,
        pattern = r"[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200b\u2028\u2029\u202a-\u202f\u205f\u2066-\u2069\u3000\ufeff]"
    )]
    q: String,
    /// Cursor from the previous page's `next_cursor`.
    before: Option<String>,
    /// How many, newest first: default 50, clamped to 1..200.
    #[param(value_type = Option<i64>, minimum = 0, maximum = 4294967295.0)]
    limit: Option<u32>,
}

/// `?before=&limit=&thread=` of the chat history.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ChatQuery {
    /// Cursor from the previous page's `next_cursor`.
    before: Option<String>,
    /// How many, newest first: default 50, clamped to 1..200.
    #[param(value_type = Option<i64>, minimum = 0, maximum = 4294967295.0)]
    limit: Option<u32>,
    /// Only this thread: the message with this id and the replies to it.
    thread: Option<String>,
}

#[utoipa::path(
    get,
    path = "/webrtc/rooms/{room_id}/analytics",
    tag = "History",
    summary = "Analytics events",
    security(("bearer" = []), ("query_token" = [])),
    params(super::PageQuery),
    responses((status = 200, description = "The events, oldest first", body = AnalyticsList)),
)]
async fn analytics(
    req: HttpRequest,
    path: web::Path<String>,
    q: web::Query<PageQuery>,
    state: web::Data<AppState>,
) -> Res {
    let (room_id, _a) = actor(&req, &state, &path).await?;
    let limit = (q.limit.unwrap_or(500) as usize).clamp(1, 5000);
    let events = state
        .service
        .ports()
        .analytics
        .list(&room_id, limit)
        .await?;
    Ok(HttpResponse::Ok().json(AnalyticsList { room_id, events }))
}

#[utoipa::path(
    get,
    path = "/webrtc/rooms/{room_id}/analytics/summary",
    tag = "History",
    summary = "Joins, leaves, unique participants, mean session, counts by type",
    security(("bearer" = []), ("query_token" = [])),
    responses((status = 200, description = "The summary", body = SummaryAnswer)),
)]
async fn analytics_summary(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Res {
    let (room_id, _a) = actor(&req, &state, &path).await?;
    let s = state.service.ports().analytics.summary(&room_id).await?;
    Ok(HttpResponse::Ok().json(SummaryAnswer {
        room_id,
        summary: s,
    }))
}

#[utoipa::path(
    get,
    path = "/webrtc/rooms/{room_id}/sessions",
    tag = "History",
    summary = "Lives of the room, newest first",
    security(("bearer" = []), ("query_token" = [])),
    params(super::PageQuery),
    responses((status = 200, description = "The sessions", body = SessionList)),
)]
async fn sessions(
    req: HttpRequest,
    path: web::Path<String>,
    q: web::Query<PageQuery>,
    state: web::Data<AppState>,
) -> Res {
    let (room_id, _a) = actor(&req, &state, &path).await?;
    let limit = (q.limit.unwrap_or(20) as usize).clamp(1, 200);
    let list = state.service.ports().sessions.list(&room_id, limit).await?;
    Ok(HttpResponse::Ok().json(SessionList {
        room_id,
        sessions: list,
    }))
}
