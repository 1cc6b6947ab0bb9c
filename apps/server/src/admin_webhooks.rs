//! The webhook part of the admin API: the endpoints and their state,
//! replays of delivered events, and the dead letters (read, sent again).

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use signaling_core::{ErrorCode, RoomId, SignalError};

use crate::AppState;
use crate::hooks::{Endpoint, Webhooks};
use crate::http_error::ApiError;
use crate::optional_json::{JsonBody, OptionalJson};

type Res = Result<HttpResponse, ApiError>;

/// Most dead letters one call lists or requeues.
pub const MAX_BATCH: usize = 1000;

/// The operations of this module (merged into the admin document).
#[derive(utoipa::OpenApi)]
#[openapi(paths(list_endpoints, replay_webhooks, dead_letters, requeue_dead_letters))]
pub(crate) struct Doc;

/// Registers the routes, each wrapped by `guarded` (the admin check).
pub(crate) fn configure(
    cfg: &mut web::ServiceConfig,
    guarded: fn(actix_web::Route) -> actix_web::Route,
) {
    cfg.route(
        "/webrtc/admin/webhooks",
        guarded(web::get().to(list_endpoints)),
    )
    .route(
        "/webrtc/admin/webhooks/replay",
        guarded(web::post().to(replay_webhooks)),
    )
    .route(
        "/webrtc/admin/webhooks/{endpoint}/dead-letters",
        guarded(web::get().to(dead_letters)),
    )
    .route(
        "/webrtc/admin/webhooks/{endpoint}/dead-letters/replay",
        guarded(web::post().to(requeue_dead_letters)),
    );
}

fn webhooks(state: &AppState) -> Result<&Webhooks, ApiError> {
    state.webhooks.as_ref().ok_or_else(|| {
        SignalError::new(
            ErrorCode::NotFound,
            "webhooks are off: set RTC_WEBHOOK_URL or RTC_WEBHOOK_ENDPOINTS",
        )
        .into()
    })
}

fn endpoint<'a>(w: &'a Webhooks, name: &str) -> Result<&'a Endpoint, ApiError> {
    w.endpoint(name).ok_or_else(|| {
        SignalError::new(ErrorCode::NotFound, format!("no webhook endpoint {name:?}")).into()
    })
}

fn unavailable(e: webhooks::OutboxError) -> ApiError {
    SignalError::new(ErrorCode::ServiceUnavailable, e.to_string()).into()
}

/// One endpoint and its delivery state.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct EndpointInfo {
    /// `default` (`RTC_WEBHOOK_URL`) or its name in `RTC_WEBHOOK_ENDPOINTS`.
    name: String,
    /// Its URL, credentials masked.
    url: String,
    /// The events it receives: names or prefixes ending in `*`.
    events: Vec<String>,
    /// Events waiting for delivery (all instances).
    pending: u64,
    /// Events given up after their last attempt, kept for a replay.
    dead_letters: u64,
    /// Events skipped by the per-room cap or discarded from a full
    /// dead-letter list.
    dropped: u64,
    /// Deliveries this instance made since it started.
    delivered: u64,
    /// Failed attempts this instance made since it started.
    failed_attempts: u64,
}

/// Every webhook endpoint.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct EndpointList {
    endpoints: Vec<EndpointInfo>,
}

/// Lists the webhook endpoints with their backlog and dead letters.
#[utoipa::path(
    get,
    path = "/webrtc/admin/webhooks",
    tag = "Admin",
    summary = "The webhook endpoints and their delivery state",
    security(("admin" = [])),
    responses((status = 200, description = "The endpoints", body = EndpointList)),
)]
async fn list_endpoints(state: web::Data<AppState>) -> Res {
    let w = webhooks(&state)?;
    let mut endpoints = Vec::new();
    for e in w.endpoints() {
        let stats = e.dispatcher.stats();
        endpoints.push(EndpointInfo {
            name: e.name.clone(),
            url: e.url.clone(),
            events: e.events.patterns(),
            pending: e.outbox.pending_count().await.map_err(unavailable)?,
            dead_letters: e.outbox.dead_letter_count().await.map_err(unavailable)?,
            dropped: e.outbox.dropped_count().await.map_err(unavailable)?,
            delivered: stats.delivered(),
            failed_attempts: stats.failed_attempts(),
        });
    }
    Ok(HttpResponse::Ok().json(EndpointList { endpoints }))
}

/// `POST /webrtc/admin/webhooks/replay` body: one of `from_seq` (needs
/// `room_id`) or `since` (unix seconds; all rooms unless `room_id`), for
/// one endpoint or (without `endpoint`) every one.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub(crate) struct ReplayReq {
    #[schema(value_type = Option<RoomId>)]
    room_id: Option<String>,
    from_seq: Option<u64>,
    since: Option<i64>,
    // The pattern is `hooks::endpoints::NAME_PATTERN` (a literal here).
    /// One endpoint by name; every endpoint without it.
    #[schema(pattern = "^[a-z0-9][a-z0-9_-]{0,31}$")]
    endpoint: Option<String>,
}

/// Webhook events queued again.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Replayed {
    replayed: u64,
}

/// Sends delivered webhooks again from a point, in order, with their
/// original ids (receivers deduplicate by `Webhook-Id`).
#[utoipa::path(
    post,
    path = "/webrtc/admin/webhooks/replay",
    tag = "Admin",
    summary = "Send webhooks again from a sequence (one room) or a time",
    security(("admin" = [])),
    request_body = ReplayReq,
    responses((status = 200, description = "How many events were queued again", body = Replayed)),
)]
async fn replay_webhooks(body: JsonBody<ReplayReq>, state: web::Data<AppState>) -> Res {
    let w = webhooks(&state)?;
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
    let targets: Vec<&Endpoint> = match &body.endpoint {
        Some(name) => vec![endpoint(w, name)?],
        None => w.endpoints().iter().collect(),
    };
    let mut replayed = 0;
    for e in targets {
        replayed += e
            .outbox
            .replay(room.as_ref().map(|r| r.as_str()), from, webhooks::unix_ms())
            .await
            .map_err(unavailable)?;
        e.dispatcher.wake();
    }
    Ok(HttpResponse::Ok().json(Replayed { replayed }))
}

/// `?limit=` of the dead-letter list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct DeadQuery {
    /// At most this many, oldest first (default 100, at most 1000).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<u32>,
}

/// An event given up after its last attempt.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct DeadLetterInfo {
    /// The event's id (its `Webhook-Id`); the key of a replay.
    id: String,
    /// Its name.
    event: String,
    #[schema(value_type = String)]
    room_id: String,
    /// Its sequence number when it was given up.
    seq: u64,
    /// When it happened, unix ms.
    created_at: i64,
    /// Its payload.
    #[schema(value_type = Object)]
    data: serde_json::Value,
    /// Failed attempts made.
    attempts: u32,
    /// Why the last one failed.
    error: String,
    /// When it was given up, unix ms.
    dead_at: i64,
}

/// An endpoint's dead letters.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct DeadLetterList {
    endpoint: String,
    /// How many there are (the list holds at most `limit`).
    total: u64,
    dead_letters: Vec<DeadLetterInfo>,
}

/// Lists an endpoint's dead letters, oldest first.
#[utoipa::path(
    get,
    path = "/webrtc/admin/webhooks/{endpoint}/dead-letters",
    tag = "Admin",
    summary = "Events a webhook endpoint gave up on",
    security(("admin" = [])),
    params(DeadQuery),
    responses((status = 200, description = "The dead letters", body = DeadLetterList)),
)]
async fn dead_letters(
    path: web::Path<String>,
    query: web::Query<DeadQuery>,
    state: web::Data<AppState>,
) -> Res {
    let e = endpoint(webhooks(&state)?, &path)?;
    let limit = query.limit.map_or(100, |l| l as usize);
    if !(1..=MAX_BATCH).contains(&limit) {
        return Err(SignalError::invalid(format!("limit is 1 to {MAX_BATCH}")).into());
    }
    let list = e.outbox.dead_letters(limit).await.map_err(unavailable)?;
    let total = e.outbox.dead_letter_count().await.map_err(unavailable)?;
    let dead_letters = list
        .into_iter()
        .map(|d| DeadLetterInfo {
            id: d.event.id,
            event: d.event.event,
            room_id: d.event.room_id,
            seq: d.event.seq,
            created_at: d.event.created_at,
            data: d.event.data,
            attempts: d.attempts,
            error: d.error,
            dead_at: d.dead_at,
        })
        .collect();
    Ok(HttpResponse::Ok().json(DeadLetterList {
        endpoint: e.name.clone(),
        total,
        dead_letters,
    }))
}

/// Which dead letters to send again; without `ids`, the oldest 1000.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub(crate) struct RequeueReq {
    #[schema(max_items = 1000)]
    ids: Option<Vec<String>>,
}

/// What a requeue did.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Requeued {
    /// Events queued again (each keeps its id and gets its room's next
    /// sequence number).
    requeued: u64,
    /// Asked-for ids that are not dead letters (any more).
    missing: Vec<String>,
    /// Dead letters still waiting after this call.
    remaining: u64,
}

/// Sends dead letters again: each is queued behind its room's pending
/// events with its original id, and leaves the list.
#[utoipa::path(
    post,
    path = "/webrtc/admin/webhooks/{endpoint}/dead-letters/replay",
    tag = "Admin",
    summary = "Send a webhook endpoint's dead letters again",
    security(("admin" = [])),
    request_body(content = Option<RequeueReq>),
    responses((status = 200, description = "What was queued again", body = Requeued)),
)]
async fn requeue_dead_letters(
    path: web::Path<String>,
    body: OptionalJson<RequeueReq>,
    state: web::Data<AppState>,
) -> Res {
    let e = endpoint(webhooks(&state)?, &path)?;
    let ids = match body.into_inner().unwrap_or_default().ids {
        Some(ids) if ids.len() > MAX_BATCH => {
            return Err(SignalError::invalid(format!("at most {MAX_BATCH} ids per call")).into());
        }
        Some(ids) => ids,
        None => {
            let list = e
                .outbox
                .dead_letters(MAX_BATCH)
                .await
                .map_err(unavailable)?;
            list.into_iter().map(|d| d.event.id).collect()
        }
    };
    let (mut requeued, mut missing) = (0, Vec::new());
    for id in ids {
        match e
            .outbox
            .requeue_dead(&id, webhooks::unix_ms())
            .await
            .map_err(unavailable)?
        {
            Some(ev) => {
                tracing::info!(endpoint = %e.name, id = %ev.id, room = %ev.room_id, seq = ev.seq, "dead letter requeued");
                requeued += 1;
            }
            None => missing.push(id),
        }
    }
    if requeued > 0 {
        e.dispatcher.wake();
    }
    let remaining = e.outbox.dead_letter_count().await.map_err(unavailable)?;
    Ok(HttpResponse::Ok().json(Requeued {
        requeued,
        missing,
        remaining,
    }))
}
