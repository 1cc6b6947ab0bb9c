//! File-transfer routes: offer, accept/reject/pause/resume/cancel, chunk
//! upload with SHA-256, missing chunks, progress, and ranged download.
//! Seed 000's paths, under `/webrtc`.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use file_transfer::{Notice, OfferReq, TransferAction};
use serde::Deserialize;
use serde_json::json;
use signaling_core::{Command, ErrorCode, RoomId, SignalError, UserId};

use crate::AppState;
use crate::auth_extract::actor;
use crate::auth_extract::identity_from_request;
use crate::http_error::ApiError;
use crate::ranged;
use crate::telemetry;

type Res = Result<HttpResponse, ApiError>;

/// The operations of this feature, documented by `#[utoipa::path]` on each
/// handler. Keep this list and `configure` together: the e2e test fails
/// when a path is served but missing here.
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    offer,
    accept,
    reject,
    pause,
    resume,
    cancel,
    progress,
    report_progress,
    missing,
    download,
    put_chunk,
    list
))]
pub(crate) struct Doc;

/// Registers the transfer routes; chunk bodies are limited to
/// `max_chunk` bytes (`RTC_TRANSFER_MAX_CHUNK_BYTES`).
pub fn configure(max_chunk: usize) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| routes(cfg, max_chunk)
}

fn routes(cfg: &mut web::ServiceConfig, max_chunk: usize) {
    let base = "/webrtc/rooms/{room_id}/file-transfer";
    let chunk = format!("{base}/{{id}}/chunks/{{index}}");
    cfg.route(&format!("{base}/offer"), web::post().to(offer))
        .route(&format!("{base}/{{id}}/accept"), web::post().to(accept))
        .route(&format!("{base}/{{id}}/reject"), web::post().to(reject))
        .route(&format!("{base}/{{id}}/pause"), web::post().to(pause))
        .route(&format!("{base}/{{id}}/resume"), web::post().to(resume))
        .route(&format!("{base}/{{id}}"), web::delete().to(cancel))
        .route(&format!("{base}/{{id}}/progress"), web::get().to(progress))
        .route(
            &format!("{base}/{{id}}/progress"),
            web::post().to(report_progress),
        )
        .route(&format!("{base}/{{id}}/missing"), web::get().to(missing))
        .route(&format!("{base}/{{id}}/download"), web::get().to(download))
        .service(
            web::resource(chunk.as_str())
                // Raw chunk bytes: the JSON body limit does not apply.
                .app_data(web::PayloadConfig::new(max_chunk))
                .route(web::put().to(put_chunk))
                .route(web::post().to(put_chunk)),
        )
        .route("/webrtc/file-transfers", web::get().to(list));
}

/// A transfer changed state: counted for `/metrics` and sent as the
/// `transfer_{event}` webhook with the transfer's public view.
async fn changed(state: &AppState, room: &RoomId, event: &'static str, view: serde_json::Value) {
    telemetry::transfer_event(event);
    state
        .service
        .ports()
        .events
        .emit(
            room,
            &format!("transfer_{event}"),
            json!({ "transfer": view }),
        )
        .await;
}

async fn deliver(state: &AppState, room: &RoomId, n: Option<Notice>) {
    if let Some(n) = n {
        let to = n.to.clone();
        state.service.notify(room, to, n.into()).await;
    }
}

/// The caller and the transfer, which must belong to the path's room.
async fn party(
    req: &HttpRequest,
    state: &AppState,
    room: &str,
    id: &str,
) -> Result<(RoomId, UserId, file_transfer::Transfer), ApiError> {
    let (room_id, a) = actor(req, state, room).await?;
    let t = state.transfers.get_for(id, &a.user_id).await?;
    if t.room_id != room_id {
        return Err(ApiError(SignalError::new(
            ErrorCode::TransferNotFound,
            format!("no transfer {id} in this room"),
        )));
    }
    Ok((room_id, a.user_id, t))
}

#[utoipa::path(
    post,
    path = "/webrtc/rooms/{room_id}/file-transfer/offer",
    tag = "File transfer",
    summary = "Offer a file to a participant (can_share_files)",
    security(("bearer" = []), ("query_token" = [])),
    request_body = OfferReq,
    responses((status = 201, description = "The transfer", body = file_transfer::TransferView)),
)]
async fn offer(
    req: HttpRequest,
    path: web::Path<String>,
    body: crate::optional_json::JsonBody<OfferReq>,
    state: web::Data<AppState>,
) -> Res {
    let (room_id, a) = actor(&req, &state, &path).await?;
    let body = body.into_inner();
    let check = Command::AuthorizeFileOffer {
        receiver: body.receiver.clone(),
    };
    state.service.execute(&room_id, &a, check).await?;
    state
        .service
        .check_rate(signaling_core::ratelimit::LimitKind::FileShare, &a.user_id)
        .await?;
    let receiver = body.receiver.clone();
    let (t, notice) = state
        .transfers
        .offer(&room_id, &a.user_id, &receiver, body)
        .await?;
    deliver(&state, &room_id, Some(notice)).await;
    let view = state.transfers.view(&t).await?;
    changed(&state, &room_id, "offered", json!(view)).await;
    Ok(HttpResponse::Created().json(view))
}

async fn act(
    req: HttpRequest,
    path: (String, String),
    state: &AppState,
    action: TransferAction,
) -> Res {
    let (room_id, user, _) = party(&req, state, &path.0, &path.1).await?;
    let (view, notice) = state.transfers.act(&path.1, &user, action).await?;
    deliver(state, &room_id, notice).await;
    let event = match action {
        TransferAction::Accept => "accepted",
        TransferAction::Reject => "rejected",
        TransferAction::Pause => "paused",
        TransferAction::Resume => "resumed",
        TransferAction::Cancel => "cancelled",
        TransferAction::Complete => "completed",
        TransferAction::Fail => "failed",
    };
    changed(state, &room_id, event, json!(view)).await;
    Ok(HttpResponse::Ok().json(view))
}

#[utoipa::path(
    post,
    path = "/webrtc/rooms/{room_id}/file-transfer/{id}/accept",
    tag = "File transfer",
    summary = "Accept (receiver)",
    security(("bearer" = []), ("query_token" = [])),
    responses((status = 200, description = "The transfer", body = file_transfer::TransferView)),
)]
async fn accept(req: HttpRequest, p: web::Path<(String, String)>, s: web::Data<AppState>) -> Res {
    act(req, p.into_inner(), &s, TransferAction::Accept).await
}

#[utoipa::path(
    post,
    path = "/webrtc/rooms/{room_id}/file-transfer/{id}/reject",
    tag = "File transfer",
    summary = "Reject (receiver); stored chunks are deleted",
    security(("bearer" = []), ("query_token" = [])),
    responses((status = 200, description = "The transfer", body = file_transfer::TransferView)),
)]
async fn reject(req: HttpRequest, p: web::Path<(String, String)>, s: web::Data<AppState>) -> Res {
    act(req, p.into_inner(), &s, TransferAction::Reject).await
}

#[utoipa::path(
    post,
    path = "/webrtc/rooms/{room_id}/file-transfer/{id}/pause",
    tag = "File transfer",
    summary = "Pause (either party)",
    security(("bearer" = []), ("query_token" = [])),
    responses((status = 200, description = "The transfer", body = file_transfer::TransferView)),
)]
async fn pause(req: HttpRequest, p: web::Path<(String, String)>, s: web::Data<AppState>) -> Res {
    act(req, p.into_inner(), &s, TransferAction::Pause).await
}

#[utoipa::path(
    post,
    path = "/webrtc/rooms/{room_id}/file-transfer/{id}/resume",
    tag = "File transfer",
    summary = "Resume (either party)",
    security(("bearer" = []), ("query_token" = [])),
    responses((status = 200, description = "The transfer", body = file_transfer::TransferView)),
)]
async fn resume(req: HttpRequest, p: web::Path<(String, String)>, s: web::Data<AppState>) -> Res {
    act(req, p.into_inner(), &s, TransferAction::Resume).await
}

#[utoipa::path(
    delete,
    path = "/webrtc/rooms/{room_id}/file-transfer/{id}",
    tag = "File transfer",
    summary = "Cancel; stored chunks are deleted",
    security(("bearer" = []), ("query_token" = [])),
    responses((status = 200, description = "The transfer", body = file_transfer::TransferView)),
)]
async fn cancel(req: HttpRequest, p: web::Path<(String, String)>, s: web::Data<AppState>) -> Res {
    act(req, p.into_inner(), &s, TransferAction::Cancel).await
}

#[utoipa::path(
    get,
    path = "/webrtc/rooms/{room_id}/file-transfer/{id}/progress",
    tag = "File transfer",
    summary = "Progress",
    security(("bearer" = []), ("query_token" = [])),
    responses((status = 200, description = "The transfer with received_chunks, bytes_done, progress_percent", body = file_transfer::TransferView)),
)]
async fn progress(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    state: web::Data<AppState>,
) -> Res {
    let (_, _, t) = party(&req, &state, &path.0, &path.1).await?;
    Ok(HttpResponse::Ok().json(state.transfers.view(&t).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct ProgressBody {
    bytes_transferred: u64,
}

#[utoipa::path(
    post,
    path = "/webrtc/rooms/{room_id}/file-transfer/{id}/progress",
    tag = "File transfer",
    summary = "Report progress (peer-to-peer mode)",
    security(("bearer" = []), ("query_token" = [])),
    request_body = ProgressBody,
    responses((status = 200, description = "The transfer", body = file_transfer::TransferView)),
)]
async fn report_progress(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: crate::optional_json::JsonBody<ProgressBody>,
    state: web::Data<AppState>,
) -> Res {
    let (room_id, user, _) = party(&req, &state, &path.0, &path.1).await?;
    let (view, notice) = state
        .transfers
        .report_progress(&path.1, &user, body.bytes_transferred)
        .await?;
    deliver(&state, &room_id, Some(notice)).await;
    Ok(HttpResponse::Ok().json(view))
}

#[utoipa::path(
    get,
    path = "/webrtc/rooms/{room_id}/file-transfer/{id}/missing",
    tag = "File transfer",
    summary = "Chunks still to send",
    security(("bearer" = []), ("query_token" = [])),
    responses((status = 200, description = "The chunks still to send", body = Missing)),
)]
async fn missing(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    state: web::Data<AppState>,
) -> Res {
    let (_, user, t) = party(&req, &state, &path.0, &path.1).await?;
    let missing = state.transfers.missing(&path.1, &user).await?;
    Ok(HttpResponse::Ok().json(Missing {
        transfer_id: t.transfer_id,
        total_chunks: t.total_chunks,
        chunk_size: t.chunk_size,
        missing,
    }))
}

/// The chunks of a transfer still to send.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct Missing {
    transfer_id: String,
    total_chunks: u64,
    chunk_size: u64,
    /// Chunk indexes, ascending.
    missing: Vec<u64>,
}

/// The caller's transfers, newest first.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct TransferList {
    count: usize,
    transfers: Vec<file_transfer::TransferView>,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ChunkQuery {
    /// Hex SHA-256 of the chunk, if not in `X-Chunk-Sha256`.
    sha256: Option<String>,
}

#[utoipa::path(
    method(put, post),
    path = "/webrtc/rooms/{room_id}/file-transfer/{id}/chunks/{index}",
    tag = "File transfer",
    summary = "Upload one chunk (PUT or POST) with its SHA-256 (X-Chunk-Sha256 header or ?sha256=)",
    security(("bearer" = []), ("query_token" = [])),
    request_body(content = crate::openapi::Binary, content_type = "application/octet-stream", description = "The chunk bytes"), params(ChunkQuery),
    responses((status = 200, description = "{index, duplicate, received_chunks, total_chunks, state}", body = file_transfer::ChunkAck)),
)]
async fn put_chunk(
    req: HttpRequest,
    path: web::Path<(String, String, u64)>,
    q: web::Query<ChunkQuery>,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Res {
    let (room, id, index) = path.into_inner();
    let (room_id, user, _) = party(&req, &state, &room, &id).await?;
    let sha = req
        .headers()
        .get("x-chunk-sha256")
        .and_then(|h| h.to_str().ok())
        .map(str::to_owned)
        .or_else(|| q.sha256.clone())
        .ok_or_else(|| {
            ApiError(SignalError::invalid(
                "send the chunk's SHA-256 as an X-Chunk-Sha256 header or ?sha256=",
            ))
        })?;
    let len = body.len() as u64;
    let result = state
        .transfers
        .put_chunk(&id, &user, index, &sha, body)
        .await;
    let (ack, notice) = match result {
        Ok(r) => r,
        Err(e) => {
            if e.code == ErrorCode::FileChecksumMismatch {
                let view = json!({ "transfer_id": id, "state": "failed", "failure": e.code });
                changed(&state, &room_id, "failed", view).await;
            }
            return Err(e.into());
        }
    };
    deliver(&state, &room_id, notice).await;
    if !ack.duplicate {
        telemetry::transfer_bytes(len);
        if ack.state == file_transfer::TransferState::Completed {
            let t = state.transfers.get_for(&id, &user).await?;
            let view = state.transfers.view(&t).await?;
            changed(&state, &room_id, "completed", json!(view)).await;
        }
    }
    Ok(HttpResponse::Ok().json(ack))
}

#[utoipa::path(
    get,
    path = "/webrtc/rooms/{room_id}/file-transfer/{id}/download",
    tag = "File transfer",
    summary = "The completed file (Range supported)",
    security(("bearer" = []), ("query_token" = [])),
    responses((status = 200, description = "The file", content_type = "application/octet-stream", body = crate::openapi::Binary), (status = 206, description = "Partial content (Range)", content_type = "application/octet-stream", body = crate::openapi::Binary)),
)]
async fn download(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    state: web::Data<AppState>,
) -> Res {
    let (_, user, t) = party(&req, &state, &path.0, &path.1).await?;
    let range = ranged::requested(&req, t.file_size)?;
    let partial = range.is_some();
    let (t, r, stream) = state.transfers.download(&path.1, &user, range).await?;
    let mime = t
        .file_type
        .clone()
        .unwrap_or_else(|| "application/octet-stream".into());
    let mut resp = ranged::respond(partial, r, t.file_size, &mime, Some(&t.file_name), stream);
    if let Some(sha) = &t.sha256
        && let Ok(v) = header::HeaderValue::from_str(sha)
    {
        resp.headers_mut()
            .insert(header::HeaderName::from_static("x-content-sha256"), v);
    }
    Ok(resp)
}

#[utoipa::path(
    get,
    path = "/webrtc/file-transfers",
    tag = "File transfer",
    summary = "The caller's transfers, newest first",
    security(("bearer" = []), ("query_token" = [])),
    responses((status = 200, description = "The caller's transfers", body = TransferList)),
)]
async fn list(req: HttpRequest, state: web::Data<AppState>) -> Res {
    let identity = identity_from_request(&req, &state)?;
    let user = UserId::parse(&identity.user_id)?;
    state
        .service
        .check_rate(signaling_core::ratelimit::LimitKind::ApiCall, &user)
        .await?;
    let list = state.transfers.list(&user).await?;
    Ok(HttpResponse::Ok().json(TransferList {
        count: list.len(),
        transfers: list,
    }))
}
