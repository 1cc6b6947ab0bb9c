//! Recording media: chunk upload (raw, or seed 002's base64 JSON), upload
//! status, the processing worker, download and thumbnail with ranges,
//! expiring links, and the caller's own recordings.

use actix_web::{HttpRequest, HttpResponse, web};
use app::recordings::{Chunk, Processed, Worker, blob_error};
use base64::Engine as _;
use recording::pipeline;
use recording::{Recording, RecordingOutput, RecordingStatus};
use serde::Deserialize;
use serde_json::json;
use signaling_core::protocol::RecordingView;
use signaling_core::{Command, ErrorCode, RoomId, SignalError, UserId};
use storage::BlobError;
use tokio::sync::mpsc;

use crate::AppState;
use crate::auth_extract::identity_from_request;
use crate::http_error::{ApiError, err};
use crate::openapi::Api;
use crate::ranged;
use crate::routes::actor;

type Res = Result<HttpResponse, ApiError>;

/// Largest chunk accepted, bytes.
pub const MAX_CHUNK_BYTES: usize = 32 * 1024 * 1024;

/// The job queue the service writes to: a channel to this instance's worker.
pub struct ChannelJobs(pub mpsc::UnboundedSender<String>);

impl recording::JobQueue for ChannelJobs {
    fn enqueue(&self, recording_id: &str) {
        let _ = self.0.send(recording_id.to_owned());
    }
}

/// Registers the routes. Must come before the generic
/// `/recordings/{id}/{action}` route of `routes.rs`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    for base in ["recordings", "recording"] {
        let p = format!("/webrtc/rooms/{{room_id}}/{base}/{{recording_id}}");
        let (raw, json) = (format!("{p}/chunks/{{seq}}"), format!("{p}/chunks"));
        cfg.api_resource(
            &["PUT", "POST"],
            &raw,
            web::resource(raw.as_str())
                .app_data(web::PayloadConfig::new(MAX_CHUNK_BYTES))
                .route(web::put().to(put_chunk_raw))
                .route(web::post().to(put_chunk_raw)),
        )
        .api_resource(
            &["POST"],
            &json,
            web::resource(json.as_str())
                .app_data(
                    web::JsonConfig::default()
                        .limit(MAX_CHUNK_BYTES * 4 / 3 + 4096)
                        .error_handler(|e, _| ApiError(SignalError::invalid(e.to_string())).into()),
                )
                .route(web::post().to(put_chunk_json)),
        )
        .api(
            "GET",
            &format!("{p}/upload-status"),
            web::get().to(upload_status),
        )
        .api("GET", &format!("{p}/download"), web::get().to(download))
        .api("GET", &format!("{p}/thumbnail"), web::get().to(thumbnail))
        .api("GET", &format!("{p}/link"), web::get().to(link));
    }
    cfg.api("GET", "/webrtc/recordings", web::get().to(mine))
        .api("GET", "/webrtc/links/{key:.*}", web::get().to(serve_link));
}

async fn store_chunk(
    req: &HttpRequest,
    state: &AppState,
    room: &str,
    id: &str,
    seq: u64,
    data: bytes::Bytes,
) -> Res {
    let (room_id, a) = actor(req, state, room).await?;
    let check = Command::AuthorizeRecordingUpload {
        recording_id: id.to_owned(),
    };
    state.service.execute(&room_id, &a, check).await?;
    let duplicate = state
        .uploads
        .store(Chunk {
            room_id: &room_id,
            user_id: &a.user_id,
            recording_id: id,
            sequence: seq,
            data,
        })
        .await?;
    Ok(HttpResponse::Ok().json(json!({
        "recording_id": id,
        "user_id": a.user_id,
        "sequence": seq,
        "duplicate": duplicate,
    })))
}

fn blob_err(e: BlobError) -> ApiError {
    ApiError(blob_error(e))
}

async fn put_chunk_raw(
    req: HttpRequest,
    path: web::Path<(String, String, u64)>,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Res {
    let (room, id, seq) = path.into_inner();
    store_chunk(&req, &state, &room, &id, seq, body).await
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct JsonChunk {
    #[serde(alias = "chunk_index", alias = "sequence_number")]
    sequence: u64,
    #[serde(alias = "chunk_data")]
    data: String,
}

async fn put_chunk_json(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: web::Json<JsonChunk>,
    state: web::Data<AppState>,
) -> Res {
    let (room, id) = path.into_inner();
    let b64 = body
        .data
        .split_once(',')
        .map(|(_, d)| d)
        .unwrap_or(&body.data);
    let data = base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .map_err(|_| ApiError(SignalError::invalid("data must be base64")))?;
    store_chunk(&req, &state, &room, &id, body.sequence, data.into()).await
}

/// The recording, which must belong to the path's room, as the caller may
/// read it: its owner (who started it) at any time, anyone else only while
/// a member of the room.
pub(crate) async fn readable(
    req: &HttpRequest,
    state: &AppState,
    room: &str,
    id: &str,
) -> Result<(RoomId, UserId, RecordingView), ApiError> {
    let (room_id, a) = actor(req, state, room).await?;
    let view = state.service.recording(&room_id, id).await?;
    if view.recording.started_by != a.user_id.as_str() {
        let room = state.service.room(&room_id).await?;
        state.service.engine().require_member(&room, &a)?;
    }
    Ok((room_id, a.user_id, view))
}

async fn in_room(
    req: &HttpRequest,
    state: &AppState,
    room: &str,
    id: &str,
) -> Result<(RoomId, UserId, Recording), ApiError> {
    let (room_id, user, view) = readable(req, state, room, id).await?;
    Ok((room_id, user, view.recording))
}

async fn upload_status(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    state: web::Data<AppState>,
) -> Res {
    let (_, _, rec) = in_room(&req, &state, &path.0, &path.1).await?;
    let uploaded = pipeline::uploaded(state.blobs.as_ref(), &rec.recording_id)
        .await
        .map_err(|e| ApiError(SignalError::new(ErrorCode::ServiceUnavailable, e)))?;
    let participants: serde_json::Map<String, serde_json::Value> = uploaded
        .into_iter()
        .map(|(user, seqs)| {
            let bytes: u64 = seqs.iter().map(|(_, s)| s).sum();
            let list: Vec<u64> = seqs.iter().map(|(q, _)| *q).collect();
            (
                user,
                json!({ "chunks": list.len(), "bytes": bytes, "sequences": list }),
            )
        })
        .collect();
    Ok(HttpResponse::Ok().json(json!({
        "recording_id": rec.recording_id,
        "status": rec.status,
        "participants": participants,
        "outputs": rec.outputs,
    })))
}

#[derive(Deserialize)]
struct OutputQuery {
    user: Option<String>,
    expires_in: Option<u64>,
}

fn pick<'a>(rec: &'a Recording, user: Option<&str>) -> Result<&'a RecordingOutput, ApiError> {
    if rec.status != RecordingStatus::Completed {
        return Err(ApiError(SignalError::new(
            ErrorCode::InvalidStateTransition,
            format!("the recording is {:?}, not completed", rec.status),
        )));
    }
    rec.outputs
        .iter()
        .find(|o| user.is_none_or(|u| o.user_id == u))
        .ok_or_else(|| {
            ApiError(SignalError::new(
                ErrorCode::NotFound,
                "no file for that participant",
            ))
        })
}

async fn serve_blob(
    req: &HttpRequest,
    state: &AppState,
    key: &str,
    mime: &str,
    filename: Option<&str>,
) -> Res {
    let size = state.blobs.head(key).await.map_err(blob_err)?.size;
    let range = ranged::requested(req, size)?;
    let partial = range.is_some();
    let blob = state.blobs.get(key, range).await.map_err(blob_err)?;
    Ok(ranged::respond(
        partial,
        blob.range.clone(),
        size,
        mime,
        filename,
        blob.stream,
    ))
}

async fn download(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    q: web::Query<OutputQuery>,
    state: web::Data<AppState>,
) -> Res {
    let (_, _, rec) = in_room(&req, &state, &path.0, &path.1).await?;
    let out = pick(&rec, q.user.as_deref())?;
    let name = out.key.rsplit('/').next().unwrap_or("recording");
    serve_blob(
        &req,
        &state,
        &out.key,
        pipeline::mime(rec.format),
        Some(name),
    )
    .await
}

async fn thumbnail(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    q: web::Query<OutputQuery>,
    state: web::Data<AppState>,
) -> Res {
    let (_, _, rec) = in_room(&req, &state, &path.0, &path.1).await?;
    let out = pick(&rec, q.user.as_deref())?;
    serve_blob(&req, &state, &out.thumbnail_key, "image/jpeg", None).await
}

/// An expiring URL for the file: the backend's own presigned URL where it
/// can sign (S3, GCS, Azure), else a link this server signs and serves.
async fn link(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    q: web::Query<OutputQuery>,
    state: web::Data<AppState>,
) -> Res {
    let (_, _, rec) = in_room(&req, &state, &path.0, &path.1).await?;
    let out = pick(&rec, q.user.as_deref())?;
    let ttl = q.expires_in.unwrap_or(3600).clamp(1, 7 * 24 * 3600);
    let url = match state
        .blobs
        .signed_url(&out.key, std::time::Duration::from_secs(ttl))
        .await
        .map_err(blob_err)?
    {
        Some(u) => u,
        None => {
            let expires = state.now_unix() + ttl as i64;
            format!(
                "/webrtc/links/{}?{}",
                out.key,
                state.links.query(&out.key, expires)
            )
        }
    };
    Ok(HttpResponse::Ok().json(json!({ "url": url, "expires_in": ttl })))
}

#[derive(Deserialize)]
struct LinkQuery {
    expires: i64,
    sig: String,
}

async fn serve_link(
    req: HttpRequest,
    path: web::Path<String>,
    q: web::Query<LinkQuery>,
    state: web::Data<AppState>,
) -> Res {
    let key = path.into_inner();
    let now = state.now_unix();
    if let Err(e) = state.links.verify(&key, q.expires, &q.sig, now) {
        return err(ErrorCode::Forbidden, e.to_string());
    }
    let mime = match key.rsplit('.').next() {
        Some("webm") => "video/webm",
        Some("mp4") => "video/mp4",
        Some("mkv") => "video/x-matroska",
        Some("jpg") => "image/jpeg",
        _ => "application/octet-stream",
    };
    serve_blob(&req, &state, &key, mime, None).await
}

#[derive(Deserialize)]
struct MineQuery {
    status: Option<RecordingStatus>,
}

async fn mine(req: HttpRequest, q: web::Query<MineQuery>, state: web::Data<AppState>) -> Res {
    let identity = identity_from_request(&req, &state)?;
    let user = UserId::parse(&identity.user_id)?;
    state
        .service
        .check_rate(signaling_core::ratelimit::LimitKind::ApiCall, &user)
        .await?;
    let list: Vec<RecordingView> = state
        .service
        .user_recordings(&user)
        .await?
        .into_iter()
        .filter(|r| q.status.is_none_or(|s| r.recording.status == s))
        .collect();
    Ok(HttpResponse::Ok().json(json!({ "count": list.len(), "recordings": list })))
}

/// Processes stopped recordings one at a time, as they are queued.
pub async fn worker(worker: Worker, mut rx: mpsc::UnboundedReceiver<String>) {
    while let Some(id) = rx.recv().await {
        match worker.process_one(&id).await {
            Ok(Processed::Completed { .. }) => crate::telemetry::recording_event("completed"),
            Ok(Processed::Failed(_)) => crate::telemetry::recording_event("failed"),
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(recording = %id, error = %e, "recording processing could not run")
            }
        }
    }
}
