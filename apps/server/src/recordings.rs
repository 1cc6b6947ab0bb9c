//! Recording media: chunk upload (raw, or seed 002's base64 JSON), upload
//! status, the processing worker, download and thumbnail with ranges,
//! expiring links, and the caller's own recordings.

use actix_web::{HttpRequest, HttpResponse, web};
use app::recordings::{Chunk, Processed, Worker, blob_error};
use base64::Engine as _;
use recording::pipeline;
use recording::{Recording, RecordingOutput, RecordingStatus};
use serde::Deserialize;
use signaling_core::protocol::RecordingView;
use signaling_core::{Command, ErrorCode, RoomId, SignalError, UserId};
use storage::BlobError;
use tokio::sync::mpsc;

use crate::AppState;
use crate::auth_extract::actor;
use crate::auth_extract::identity_from_request;
use crate::http_error::{ApiError, err};
use crate::ranged;

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

/// The operations of this feature, documented by `#[utoipa::path]` on each
/// handler. Keep this list and `configure` together: the e2e test fails
/// when a path is served but missing here.
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    put_chunk_raw,
    put_chunk_raw_alias,
    put_chunk_json,
    put_chunk_json_alias,
    upload_status,
    upload_status_alias,
    download,
    download_alias,
    thumbnail,
    thumbnail_alias,
    link,
    link_alias,
    mine,
    serve_link
))]
pub(crate) struct Doc;

fn raw_limit() -> web::PayloadConfig {
    web::PayloadConfig::new(MAX_CHUNK_BYTES)
}

fn json_limit() -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(MAX_CHUNK_BYTES * 4 / 3 + 4096)
        .error_handler(|e, _| ApiError(SignalError::invalid(e.to_string())).into())
}

/// Registers the routes: seed 003 names (`recordings/...`) and seed 004's
/// (`recording/...`) as aliases. Must come before the generic
/// `/recordings/{id}/{action}` route of `routes.rs`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    let p = "/webrtc/rooms/{room_id}/recordings/{recording_id}";
    cfg.service(
        web::resource(format!("{p}/chunks/{{seq}}"))
            .app_data(raw_limit())
            .route(web::put().to(put_chunk_raw))
            .route(web::post().to(put_chunk_raw)),
    )
    .service(
        web::resource(format!("{p}/chunks"))
            .app_data(json_limit())
            .route(web::post().to(put_chunk_json)),
    )
    .route(&format!("{p}/upload-status"), web::get().to(upload_status))
    .route(&format!("{p}/download"), web::get().to(download))
    .route(&format!("{p}/thumbnail"), web::get().to(thumbnail))
    .route(&format!("{p}/link"), web::get().to(link));
    let p = "/webrtc/rooms/{room_id}/recording/{recording_id}";
    cfg.service(
        web::resource(format!("{p}/chunks/{{seq}}"))
            .app_data(raw_limit())
            .route(web::put().to(put_chunk_raw_alias))
            .route(web::post().to(put_chunk_raw_alias)),
    )
    .service(
        web::resource(format!("{p}/chunks"))
            .app_data(json_limit())
            .route(web::post().to(put_chunk_json_alias)),
    )
    .route(
        &format!("{p}/upload-status"),
        web::get().to(upload_status_alias),
    )
    .route(&format!("{p}/download"), web::get().to(download_alias))
    .route(&format!("{p}/thumbnail"), web::get().to(thumbnail_alias))
    .route(&format!("{p}/link"), web::get().to(link_alias));
    cfg.route("/webrtc/recordings", web::get().to(mine))
        .route("/webrtc/links/{key:.*}", web::get().to(serve_link));
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
    Ok(HttpResponse::Ok().json(ChunkStored {
        recording_id: id.to_owned(),
        user_id: a.user_id,
        sequence: seq,
        duplicate,
    }))
}

/// A stored recording chunk.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct ChunkStored {
    recording_id: String,
    user_id: UserId,
    sequence: u64,
    /// The same sequence number had arrived before; nothing was stored.
    duplicate: bool,
}

/// What one participant uploaded.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct Uploaded {
    chunks: usize,
    bytes: u64,
    sequences: Vec<u64>,
}

/// What arrived of a recording, per participant.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct UploadStatus {
    recording_id: String,
    status: RecordingStatus,
    /// By user id.
    participants: std::collections::BTreeMap<String, Uploaded>,
    outputs: Vec<RecordingOutput>,
}

/// An expiring URL.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct LinkAnswer {
    pub(crate) url: String,
    /// Seconds it lasts.
    pub(crate) expires_in: u64,
}

/// The caller's recordings.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct MyRecordings {
    count: usize,
    recordings: Vec<RecordingView>,
}

fn blob_err(e: BlobError) -> ApiError {
    ApiError(blob_error(e))
}

#[utoipa::path(
    method(put, post),
    path = "/webrtc/rooms/{room_id}/recordings/{recording_id}/chunks/{seq}",
    tag = "Recordings",
    summary = "Upload one MediaRecorder chunk (PUT or POST; any order; a repeat with the same bytes is a duplicate)",
    security(("bearer" = []), ("query_token" = [])),
    request_body(content((crate::openapi::Binary = "video/webm"), (crate::openapi::Binary = "application/octet-stream")), description = "The chunk bytes, of any media type"),
    responses((status = 200, description = "Stored (or a duplicate of a stored chunk)", body = ChunkStored)),
)]
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
    /// `0..=recording::pipeline::MAX_SEQUENCE`.
    #[serde(alias = "chunk_index", alias = "sequence_number")]
    #[schema(maximum = 1_000_000.0)]
    sequence: u64,
    /// Base64 of at least one byte (or a data URL); `chunk` is seed 002's
    /// name for it.
    #[serde(alias = "chunk_data", alias = "chunk")]
    #[schema(format = Byte, min_length = 4)]
    data: String,
}

#[utoipa::path(
    post,
    path = "/webrtc/rooms/{room_id}/recordings/{recording_id}/chunks",
    tag = "Recordings",
    summary = "Upload one chunk as base64 JSON",
    security(("bearer" = []), ("query_token" = [])),
    request_body = JsonChunk,
    responses((status = 200, description = "Stored (or a duplicate of a stored chunk)", body = ChunkStored)),
)]
async fn put_chunk_json(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: crate::optional_json::JsonBody<JsonChunk>,
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

#[utoipa::path(
    get,
    path = "/webrtc/rooms/{room_id}/recordings/{recording_id}/upload-status",
    tag = "Recordings",
    summary = "What arrived, per participant",
    security(("bearer" = []), ("query_token" = [])),
    responses((status = 200, description = "What arrived", body = UploadStatus)),
)]
async fn upload_status(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    state: web::Data<AppState>,
) -> Res {
    let (_, _, rec) = in_room(&req, &state, &path.0, &path.1).await?;
    let uploaded = pipeline::uploaded(state.blobs.as_ref(), &rec.recording_id)
        .await
        .map_err(|e| ApiError(SignalError::new(ErrorCode::ServiceUnavailable, e)))?;
    let participants = uploaded
        .into_iter()
        .map(|(user, seqs)| {
            let bytes: u64 = seqs.iter().map(|(_, s)| s).sum();
            let sequences: Vec<u64> = seqs.iter().map(|(q, _)| *q).collect();
            let chunks = sequences.len();
            (
                user,
                Uploaded {
                    chunks,
                    bytes,
                    sequences,
                },
            )
        })
        .collect();
    Ok(HttpResponse::Ok().json(UploadStatus {
        recording_id: rec.recording_id,
        status: rec.status,
        participants,
        outputs: rec.outputs,
    }))
}

/// Which participant's file (per-track recordings), for downloads and links.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct OutputQuery {
    /// Whose file (a participant user id); the first participant by default.
    user: Option<String>,
}

/// `OutputQuery` and the lifetime of a link.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct OutputLinkQuery {
    /// Whose file (a participant user id); the first participant by default.
    user: Option<String>,
    /// Seconds the link lasts: default 3600, clamped to 1 s..7 days.
    #[param(value_type = Option<i64>, minimum = 0, maximum = 4294967295.0)]
    expires_in: Option<u32>,
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

pub(crate) async fn serve_blob(
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

#[utoipa::path(
    get,
    path = "/webrtc/rooms/{room_id}/recordings/{recording_id}/download",
    tag = "Recordings",
    summary = "The processed file (Range supported)",
    security(("bearer" = []), ("query_token" = [])),
    params(OutputQuery), responses((status = 200, description = "The file, in the recording's format", content((crate::openapi::Binary = "video/webm"), (crate::openapi::Binary = "video/mp4"), (crate::openapi::Binary = "video/x-matroska"))), (status = 206, description = "Partial content (Range)", content((crate::openapi::Binary = "video/webm"), (crate::openapi::Binary = "video/mp4"), (crate::openapi::Binary = "video/x-matroska")))),
)]
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

#[utoipa::path(
    get,
    path = "/webrtc/rooms/{room_id}/recordings/{recording_id}/thumbnail",
    tag = "Recordings",
    summary = "A JPEG thumbnail",
    security(("bearer" = []), ("query_token" = [])),
    params(OutputQuery), responses((status = 200, description = "A JPEG", content_type = "image/jpeg", body = crate::openapi::Binary)),
)]
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
#[utoipa::path(
    get,
    path = "/webrtc/rooms/{room_id}/recordings/{recording_id}/link",
    tag = "Recordings",
    summary = "An expiring download link",
    security(("bearer" = []), ("query_token" = [])),
    params(OutputLinkQuery),
    responses((status = 200, description = "The link", body = LinkAnswer)),
)]
async fn link(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    q: web::Query<OutputLinkQuery>,
    state: web::Data<AppState>,
) -> Res {
    let (_, _, rec) = in_room(&req, &state, &path.0, &path.1).await?;
    let out = pick(&rec, q.user.as_deref())?;
    let ttl = u64::from(q.expires_in.unwrap_or(3600)).clamp(1, 7 * 24 * 3600);
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
    Ok(HttpResponse::Ok().json(LinkAnswer {
        url,
        expires_in: ttl,
    }))
}

#[derive(Deserialize)]
struct LinkQuery {
    expires: i64,
    sig: String,
}

#[utoipa::path(
    get,
    path = "/webrtc/links/{key}",
    tag = "Recordings",
    summary = "Serve a signed link (local and memory storage)",
    security(()),
    params(("expires" = i64, Query, description = "Expiry, Unix seconds"), ("sig" = String, Query, description = "HMAC signature")), responses((status = 200, description = "The object, typed by its extension", content((crate::openapi::Binary = "video/webm"), (crate::openapi::Binary = "video/mp4"), (crate::openapi::Binary = "video/x-matroska"), (crate::openapi::Binary = "image/jpeg"), (crate::openapi::Binary = "application/octet-stream"))), (status = 206, description = "Partial content (Range)", content((crate::openapi::Binary = "video/webm"), (crate::openapi::Binary = "video/mp4"), (crate::openapi::Binary = "video/x-matroska"), (crate::openapi::Binary = "image/jpeg"), (crate::openapi::Binary = "application/octet-stream")))),
)]
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

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct MineQuery {
    /// Only recordings in this status.
    status: Option<RecordingStatus>,
}

#[utoipa::path(
    get,
    path = "/webrtc/recordings",
    tag = "Recordings",
    summary = "Recordings the caller started (seed 004)",
    security(("bearer" = []), ("query_token" = [])),
    params(MineQuery),
    responses((status = 200, description = "The caller's recordings", body = MyRecordings)),
)]
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
    Ok(HttpResponse::Ok().json(MyRecordings {
        count: list.len(),
        recordings: list,
    }))
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

#[utoipa::path(
    method(put, post),
    path = "/webrtc/rooms/{room_id}/recording/{recording_id}/chunks/{seq}",
    tag = "Recordings",
    summary = "Alias (seed 004)",
    security(("bearer" = []), ("query_token" = [])),
    request_body(content((crate::openapi::Binary = "video/webm"), (crate::openapi::Binary = "application/octet-stream")), description = "The chunk bytes, of any media type"),
    responses((status = 200, description = "Stored (or a duplicate of a stored chunk)", body = ChunkStored)),
)]
async fn put_chunk_raw_alias(
    req: HttpRequest,
    path: web::Path<(String, String, u64)>,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Res {
    put_chunk_raw(req, path, body, state).await
}

#[utoipa::path(
    post,
    path = "/webrtc/rooms/{room_id}/recording/{recording_id}/chunks",
    tag = "Recordings",
    summary = "Alias (seed 004)",
    security(("bearer" = []), ("query_token" = [])),
    request_body = JsonChunk,
    responses((status = 200, description = "Stored (or a duplicate of a stored chunk)", body = ChunkStored)),
)]
async fn put_chunk_json_alias(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: crate::optional_json::JsonBody<JsonChunk>,
    state: web::Data<AppState>,
) -> Res {
    put_chunk_json(req, path, body, state).await
}

#[utoipa::path(
    get,
    path = "/webrtc/rooms/{room_id}/recording/{recording_id}/upload-status",
    tag = "Recordings",
    summary = "Alias (seed 004)",
    security(("bearer" = []), ("query_token" = [])),
    responses((status = 200, description = "What arrived", body = UploadStatus)),
)]
async fn upload_status_alias(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    state: web::Data<AppState>,
) -> Res {
    upload_status(req, path, state).await
}

#[utoipa::path(
    get,
    path = "/webrtc/rooms/{room_id}/recording/{recording_id}/download",
    tag = "Recordings",
    summary = "Alias (seed 004)",
    security(("bearer" = []), ("query_token" = [])),
    params(OutputQuery), responses((status = 200, description = "The file, in the recording's format", content((crate::openapi::Binary = "video/webm"), (crate::openapi::Binary = "video/mp4"), (crate::openapi::Binary = "video/x-matroska"))), (status = 206, description = "Partial content (Range)", content((crate::openapi::Binary = "video/webm"), (crate::openapi::Binary = "video/mp4"), (crate::openapi::Binary = "video/x-matroska")))),
)]
async fn download_alias(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    q: web::Query<OutputQuery>,
    state: web::Data<AppState>,
) -> Res {
    download(req, path, q, state).await
}

#[utoipa::path(
    get,
    path = "/webrtc/rooms/{room_id}/recording/{recording_id}/thumbnail",
    tag = "Recordings",
    summary = "Alias (seed 004)",
    security(("bearer" = []), ("query_token" = [])),
    params(OutputQuery), responses((status = 200, description = "A JPEG", content_type = "image/jpeg", body = crate::openapi::Binary)),
)]
async fn thumbnail_alias(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    q: web::Query<OutputQuery>,
    state: web::Data<AppState>,
) -> Res {
    thumbnail(req, path, q, state).await
}

#[utoipa::path(
    get,
    path = "/webrtc/rooms/{room_id}/recording/{recording_id}/link",
    tag = "Recordings",
    summary = "Alias (seed 004)",
    security(("bearer" = []), ("query_token" = [])),
    params(OutputLinkQuery),
    responses((status = 200, description = "The link", body = LinkAnswer)),
)]
async fn link_alias(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    q: web::Query<OutputLinkQuery>,
    state: web::Data<AppState>,
) -> Res {
    link(req, path, q, state).await
}
