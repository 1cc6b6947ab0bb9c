//! The OpenAPI 3.1 document at `/openapi.json` and its offline viewer at
//! `/docs`.
//!
//! Every route is registered through [`Api::api`] (or
//! [`Api::api_resource`]), which records its method and path; the document
//! is built from [`OPERATIONS`], one entry per registered route, with
//! request-body schemas derived from the Rust types (`utoipa::ToSchema`) and
//! the error schema from the error-code table. `registered()` and
//! `documented()` let a test prove the two lists are the same.

use std::collections::BTreeSet;
use std::sync::{Mutex, OnceLock};

use actix_web::{HttpResponse, Resource, Route, http::header, web};
use serde_json::{Map, Value, json};
use signaling_core::ErrorCode;
use utoipa::openapi::{RefOr, schema::Schema};

type Schemas = Vec<(String, RefOr<Schema>)>;

/// Registers a route and records it for the OpenAPI completeness check.
pub trait Api {
    /// `cfg.route(path, route)` for `method`, recorded.
    fn api(&mut self, method: &'static str, path: &str, route: Route) -> &mut Self;
    /// `cfg.service(resource)` made with `web::resource(path)`, whose
    /// routes answer `methods`, recorded.
    fn api_resource(
        &mut self,
        methods: &[&'static str],
        path: &str,
        resource: Resource,
    ) -> &mut Self;
}

impl Api for web::ServiceConfig {
    fn api(&mut self, method: &'static str, path: &str, route: Route) -> &mut Self {
        record(method, path);
        self.route(path, route)
    }

    fn api_resource(
        &mut self,
        methods: &[&'static str],
        path: &str,
        resource: Resource,
    ) -> &mut Self {
        for m in methods {
            record(m, path);
        }
        self.service(resource)
    }
}

fn registry() -> &'static Mutex<BTreeSet<(String, String)>> {
    static R: OnceLock<Mutex<BTreeSet<(String, String)>>> = OnceLock::new();
    R.get_or_init(Default::default)
}

fn record(method: &str, path: &str) {
    registry()
        .lock()
        .expect("route registry")
        .insert((method.to_owned(), normalize(path)));
}

/// `{key:.*}` → `{key}`: actix patterns as OpenAPI paths.
fn normalize(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let (mut in_brace, mut skip) = (false, false);
    for c in path.chars() {
        match c {
            '{' => (in_brace, skip) = (true, false),
            '}' => (in_brace, skip) = (false, false),
            ':' if in_brace => {
                skip = true;
                continue;
            }
            _ if skip => continue,
            _ => {}
        }
        out.push(c);
    }
    out
}

/// Method and path of every route registered so far (after the app was
/// configured once).
pub fn registered() -> BTreeSet<(String, String)> {
    registry().lock().expect("route registry").clone()
}

/// Method and path of every documented operation.
pub fn documented() -> BTreeSet<(String, String)> {
    OPERATIONS
        .iter()
        .map(|o| (o.method.to_owned(), o.path.to_owned()))
        .collect()
}

/// How an operation authenticates.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Auth {
    /// Nothing.
    None,
    /// A room token (`Authorization: Bearer` or `?token=`).
    Token,
    /// The admin API key and secret (HTTP Basic).
    Admin,
}

/// A request body.
#[derive(Clone, Copy)]
enum Body {
    /// JSON of a Rust type with a derived schema.
    Json(fn(&mut Schemas) -> (String, RefOr<Schema>)),
    /// Raw bytes.
    Bytes(&'static str),
}

/// One documented operation.
struct Op {
    method: &'static str,
    path: &'static str,
    tag: &'static str,
    summary: &'static str,
    auth: Auth,
    body: Option<Body>,
    /// Query parameters: name and meaning.
    query: &'static [(&'static str, &'static str)],
    /// Success status and what it returns.
    ok: (u16, &'static str),
}

fn schema_of<T: utoipa::ToSchema>(all: &mut Schemas) -> (String, RefOr<Schema>) {
    <T as utoipa::ToSchema>::schemas(all);
    (
        T::name().into_owned(),
        <T as utoipa::PartialSchema>::schema(),
    )
}

macro_rules! json_body {
    ($t:ty) => {
        Some(Body::Json(schema_of::<$t>))
    };
}

macro_rules! op {
    ($m:literal $p:literal, $tag:literal, $auth:ident, $summary:literal $(, body = $body:expr)? $(, query = $q:expr)?, ok = $ok:literal $okd:literal) => {
        Op {
            method: $m,
            path: $p,
            tag: $tag,
            summary: $summary,
            auth: Auth::$auth,
            body: { #[allow(unused_mut, unused_assignments)] let mut b: Option<Body> = None; $( b = $body; )? b },
            query: { #[allow(unused_mut, unused_assignments)] let mut q: &'static [(&'static str, &'static str)] = &[]; $( q = $q; )? q },
            ok: ($ok, $okd),
        }
    };
}

use crate::admin::{CreateRoomReq, DataReq, MetadataReq, MuteReq, RemoveReq, ReplayReq};
use crate::recordings::JsonChunk;
use crate::routes::{BreakoutBody, HandBody, KickBody, RecordingStartQuery, RoleBody};
use crate::transfers::ProgressBody;
use crate::webclient::DevTokenReq;
use auth::PermissionsPatch;
use file_transfer::OfferReq;
use signaling_core::protocol::{LiveStreamStartReq, ParticipantUpdateReq};
use signaling_core::room::{NetworkStats, RoomSettingsPatch};

const PAGE: &[(&str, &str)] = &[
    ("limit", "How many, newest first (default 50, at most 100)"),
    ("before", "Cursor from the previous page's next_cursor"),
];
const USER_FILE: &[(&str, &str)] = &[(
    "user",
    "Whose file (a participant's user id); the first participant's by default",
)];

/// Every operation the server serves. Aliases say so in their summary.
static OPERATIONS: &[Op] = &[
    // ---- signaling
    op!("GET" "/webrtc/ws/{room_id}", "Signaling", Token, "Join a room over WebSocket (upgrade); the messages are in docs/protocol.md", query = &[("token", "The JWT, if not in Authorization"), ("last_sequence", "Resume after this room sequence (replay)")], ok = 101 "Switching protocols; then JSON text frames"),
    op!("GET" "/webrtc/config", "Signaling", None, "ICE servers (STUN; TURN credentials need a token) and limits", ok = 200 "{iceServers, limits, heartbeat_secs, idle_timeout_secs}"),
    op!("GET" "/webrtc/rate-limits/{limit_type}/status", "Signaling", Token, "The caller's use of one rate limit", ok = 200 "{limit_type, limit, window_secs, used, remaining, reset_in_secs}"),
    // ---- participants and moderation
    op!("GET" "/webrtc/rooms/{room_id}/participants", "Participants", Token, "Participants of the room (members)", ok = 200 "{room_id, count, participants}"),
    op!("GET" "/webrtc/rooms/{room_id}/participants/enhanced", "Participants", Token, "Alias of /participants (seed 003)", ok = 200 "{room_id, count, participants}"),
    op!("POST" "/webrtc/rooms/{room_id}/participants/{user_id}/info", "Participants", Token, "Update one's own display name, device, quality", body = json_body!(ParticipantUpdateReq), ok = 200 "The participant"),
    op!("POST" "/webrtc/rooms/{room_id}/participants/{user_id}/kick", "Moderation", Token, "Remove (and optionally ban) a participant (moderators)", body = json_body!(KickBody), ok = 200 "{kicked, banned}"),
    op!("GET" "/webrtc/rooms/{room_id}/roles/{user_id}", "Moderation", Token, "A participant's role", ok = 200 "{user_id, role}"),
    op!("POST" "/webrtc/rooms/{room_id}/roles/{user_id}", "Moderation", Token, "Change a participant's role (host, moderator, participant, viewer)", body = json_body!(RoleBody), ok = 200 "{user_id, role, permissions}"),
    op!("GET" "/webrtc/rooms/{room_id}/permissions/{user_id}", "Moderation", Token, "A participant's permissions", ok = 200 "{user_id, permissions}"),
    op!("POST" "/webrtc/rooms/{room_id}/permissions/{user_id}", "Moderation", Token, "Change a participant's permissions (partial)", body = json_body!(PermissionsPatch), ok = 200 "{user_id, permissions}"),
    op!("GET" "/webrtc/rooms/{room_id}/settings", "Moderation", Token, "Room settings", ok = 200 "{room_id, settings}"),
    op!("POST" "/webrtc/rooms/{room_id}/settings", "Moderation", Token, "Change room settings (moderators; partial)", body = json_body!(RoomSettingsPatch), ok = 200 "{room_id, settings}"),
    op!("GET" "/webrtc/rooms/{room_id}/state", "Participants", Token, "The room state as the caller sees it (as in room-state)", ok = 200 "room-state"),
    op!("POST" "/webrtc/rooms/{room_id}/mute-all", "Moderation", Token, "Mute everyone but moderators", ok = 200 "{muted: true}"),
    // ---- chat, analytics, sessions
    op!("GET" "/webrtc/rooms/{room_id}/chat", "History", Token, "Chat history the caller could have received live (members only), newest first", query = PAGE, ok = 200 "{messages, next_cursor}"),
    op!("GET" "/webrtc/rooms/{room_id}/analytics", "History", Token, "Analytics events", query = &[("limit", "How many")], ok = 200 "{room_id, events}"),
    op!("GET" "/webrtc/rooms/{room_id}/analytics/summary", "History", Token, "Joins, leaves, unique participants, mean session, counts by type", ok = 200 "Summary"),
    op!("GET" "/webrtc/rooms/{room_id}/sessions", "History", Token, "Lives of the room, newest first", query = &[("limit", "How many")], ok = 200 "{room_id, sessions}"),
    // ---- hand raise
    op!("POST" "/webrtc/rooms/{room_id}/hand-raise", "Hand raise", Token, "Raise or lower a hand (moderators may lower others')", body = json_body!(HandBody), ok = 200 "{queue}"),
    op!("GET" "/webrtc/rooms/{room_id}/hand-raise/queue", "Hand raise", Token, "Raised hands, oldest first", ok = 200 "{queue}"),
    op!("POST" "/webrtc/rooms/{room_id}/hand-raise/lower-all", "Hand raise", Token, "Lower every hand (moderators)", ok = 200 "{queue: []}"),
    // ---- waiting room
    op!("GET" "/webrtc/rooms/{room_id}/waiting-room", "Waiting room", Token, "Who is waiting (moderators)", ok = 200 "{waiting}"),
    op!("POST" "/webrtc/rooms/{room_id}/waiting-room/admit-all", "Waiting room", Token, "Admit everyone waiting", ok = 200 "{admitted}"),
    op!("POST" "/webrtc/rooms/{room_id}/waiting-room/{user_id}/admit", "Waiting room", Token, "Admit one", ok = 200 "{admitted}"),
    op!("POST" "/webrtc/rooms/{room_id}/waiting-room/{user_id}/reject", "Waiting room", Token, "Turn one away", ok = 200 "{rejected}"),
    op!("POST" "/webrtc/rooms/{room_id}/waiting-room/{user_id}/return", "Waiting room", Token, "Send a participant back to the waiting room", ok = 200 "{returned}"),
    // ---- breakout rooms
    op!("POST" "/webrtc/rooms/{room_id}/breakout-rooms", "Breakout rooms", Token, "Create a breakout room (moderators)", body = json_body!(BreakoutBody), ok = 201 "The breakout room"),
    op!("GET" "/webrtc/rooms/{room_id}/breakout-rooms", "Breakout rooms", Token, "Breakout rooms with their members", ok = 200 "{breakout_rooms}"),
    op!("POST" "/webrtc/rooms/{room_id}/breakout-rooms/{breakout_id}/assign/{user_id}", "Breakout rooms", Token, "Move a participant into a breakout room", ok = 200 "{assigned}"),
    op!("POST" "/webrtc/rooms/{room_id}/breakout-rooms/return/{user_id}", "Breakout rooms", Token, "Bring a participant back to the main room", ok = 200 "{returned}"),
    op!("DELETE" "/webrtc/rooms/{room_id}/breakout-rooms/{breakout_id}", "Breakout rooms", Token, "Close a breakout room; its members return", ok = 200 "{closed, returned}"),
    // ---- live streams
    op!("POST" "/webrtc/rooms/{room_id}/live-streams/start", "Live streams", Token, "Start a live-stream session (moderators; one at a time)", body = json_body!(LiveStreamStartReq), ok = 201 "The stream"),
    op!("POST" "/webrtc/rooms/{room_id}/live-streams/{stream_id}/stop", "Live streams", Token, "Stop it", ok = 200 "The stream"),
    op!("GET" "/webrtc/rooms/{room_id}/live-streams", "Live streams", Token, "Streams of the room", ok = 200 "{live_streams}"),
    // ---- reconnection
    op!("GET" "/webrtc/rooms/{room_id}/reconnect", "Reconnection", Token, "What a returning client missed, and its reconnection state", query = &[("last_sequence", "The highest seq the client saw")], ok = 200 "{room_id, user_id, presence, quality, last_sequence, resync_required?, missed_message_count?, events?, state?}"),
    op!("GET" "/webrtc/rooms/{room_id}/reconnection-state", "Reconnection", Token, "Alias of /reconnect (seed 001)", query = &[("last_sequence", "The highest seq the client saw")], ok = 200 "As /reconnect"),
    op!("POST" "/webrtc/rooms/{room_id}/quality", "Reconnection", Token, "Report connection quality; a change of class is broadcast", body = json_body!(NetworkStats), ok = 200 "{user_id, quality, stats}"),
    op!("POST" "/webrtc/rooms/{room_id}/connection-quality", "Reconnection", Token, "Alias of /quality (seed 001)", body = json_body!(NetworkStats), ok = 200 "{user_id, quality, stats}"),
    // ---- recordings
    op!("POST" "/webrtc/rooms/{room_id}/recordings/start", "Recordings", Token, "Start a recording (can_record)", body = json_body!(RecordingStartQuery), query = &[("recording_format", "webm, mp4 or mkv"), ("quality", "low, medium or high")], ok = 201 "The recording"),
    op!("POST" "/webrtc/rooms/{room_id}/recording/start", "Recordings", Token, "Alias of /recordings/start (seed 004)", body = json_body!(RecordingStartQuery), query = &[("recording_format", "webm, mp4 or mkv"), ("quality", "low, medium or high")], ok = 201 "The recording"),
    op!("POST" "/webrtc/rooms/{room_id}/recordings/{recording_id}/{action}", "Recordings", Token, "stop, pause or resume (who started it, or a host)", ok = 200 "The recording"),
    op!("POST" "/webrtc/rooms/{room_id}/recording/{recording_id}/{action}", "Recordings", Token, "Alias (seed 004)", ok = 200 "The recording"),
    op!("GET" "/webrtc/rooms/{room_id}/recordings/{recording_id}/status", "Recordings", Token, "One recording, with outputs once completed; failure and failure_code (docs/errors.md) if failed", ok = 200 "The recording"),
    op!("GET" "/webrtc/rooms/{room_id}/recording/{recording_id}/status", "Recordings", Token, "Alias (seed 004)", ok = 200 "The recording"),
    op!("DELETE" "/webrtc/rooms/{room_id}/recordings/{recording_id}", "Recordings", Token, "Cancel; uploaded media is deleted", ok = 200 "The recording"),
    op!("DELETE" "/webrtc/rooms/{room_id}/recording/{recording_id}", "Recordings", Token, "Alias (seed 004)", ok = 200 "The recording"),
    op!("GET" "/webrtc/rooms/{room_id}/recordings", "Recordings", Token, "Recordings of the room", ok = 200 "{room_id, count, recordings}"),
    op!("PUT" "/webrtc/rooms/{room_id}/recordings/{recording_id}/chunks/{seq}", "Recordings", Token, "Upload one MediaRecorder chunk (any order; a repeat with the same bytes is a duplicate)", body = Some(Body::Bytes("video/webm")), ok = 200 "{sequence, duplicate}"),
    op!("POST" "/webrtc/rooms/{room_id}/recordings/{recording_id}/chunks/{seq}", "Recordings", Token, "Same as PUT", body = Some(Body::Bytes("video/webm")), ok = 200 "{sequence, duplicate}"),
    op!("PUT" "/webrtc/rooms/{room_id}/recording/{recording_id}/chunks/{seq}", "Recordings", Token, "Alias (seed 004)", body = Some(Body::Bytes("video/webm")), ok = 200 "{sequence, duplicate}"),
    op!("POST" "/webrtc/rooms/{room_id}/recording/{recording_id}/chunks/{seq}", "Recordings", Token, "Alias (seed 004)", body = Some(Body::Bytes("video/webm")), ok = 200 "{sequence, duplicate}"),
    op!("POST" "/webrtc/rooms/{room_id}/recordings/{recording_id}/chunks", "Recordings", Token, "Upload one chunk as base64 JSON (seed 002)", body = json_body!(JsonChunk), ok = 200 "{sequence, duplicate}"),
    op!("POST" "/webrtc/rooms/{room_id}/recording/{recording_id}/chunks", "Recordings", Token, "Alias (seed 004)", body = json_body!(JsonChunk), ok = 200 "{sequence, duplicate}"),
    op!("GET" "/webrtc/rooms/{room_id}/recordings/{recording_id}/upload-status", "Recordings", Token, "What arrived, per participant", ok = 200 "{status, participants, outputs}"),
    op!("GET" "/webrtc/rooms/{room_id}/recording/{recording_id}/upload-status", "Recordings", Token, "Alias (seed 004)", ok = 200 "As above"),
    op!("GET" "/webrtc/rooms/{room_id}/recordings/{recording_id}/download", "Recordings", Token, "The processed file (Range supported)", query = USER_FILE, ok = 200 "The file (206 for a range)"),
    op!("GET" "/webrtc/rooms/{room_id}/recording/{recording_id}/download", "Recordings", Token, "Alias (seed 004)", query = USER_FILE, ok = 200 "The file"),
    op!("GET" "/webrtc/rooms/{room_id}/recordings/{recording_id}/thumbnail", "Recordings", Token, "A JPEG thumbnail", query = USER_FILE, ok = 200 "image/jpeg"),
    op!("GET" "/webrtc/rooms/{room_id}/recording/{recording_id}/thumbnail", "Recordings", Token, "Alias (seed 004)", query = USER_FILE, ok = 200 "image/jpeg"),
    op!("GET" "/webrtc/rooms/{room_id}/recordings/{recording_id}/link", "Recordings", Token, "An expiring download link", query = &[("user", "Whose file"), ("expires_in", "Seconds (default 3600)")], ok = 200 "{url, expires_in}"),
    op!("GET" "/webrtc/rooms/{room_id}/recording/{recording_id}/link", "Recordings", Token, "Alias (seed 004)", query = &[("user", "Whose file"), ("expires_in", "Seconds")], ok = 200 "{url, expires_in}"),
    op!("GET" "/webrtc/recordings", "Recordings", Token, "Recordings the caller started (seed 004)", query = &[("status", "Only this status")], ok = 200 "{recordings}"),
    op!("GET" "/webrtc/links/{key}", "Recordings", None, "Serve a signed link (local and memory storage)", query = &[("expires", "Expiry, Unix seconds"), ("sig", "HMAC signature")], ok = 200 "The file (Range supported)"),
    // ---- file transfer
    op!("POST" "/webrtc/rooms/{room_id}/file-transfer/offer", "File transfer", Token, "Offer a file to a participant (can_share_files)", body = json_body!(OfferReq), ok = 201 "The transfer"),
    op!("POST" "/webrtc/rooms/{room_id}/file-transfer/{id}/accept", "File transfer", Token, "Accept (receiver)", ok = 200 "The transfer"),
    op!("POST" "/webrtc/rooms/{room_id}/file-transfer/{id}/reject", "File transfer", Token, "Reject (receiver); stored chunks are deleted", ok = 200 "The transfer"),
    op!("POST" "/webrtc/rooms/{room_id}/file-transfer/{id}/pause", "File transfer", Token, "Pause (either party)", ok = 200 "The transfer"),
    op!("POST" "/webrtc/rooms/{room_id}/file-transfer/{id}/resume", "File transfer", Token, "Resume (either party)", ok = 200 "The transfer"),
    op!("DELETE" "/webrtc/rooms/{room_id}/file-transfer/{id}", "File transfer", Token, "Cancel; stored chunks are deleted", ok = 200 "The transfer"),
    op!("GET" "/webrtc/rooms/{room_id}/file-transfer/{id}/progress", "File transfer", Token, "Progress", ok = 200 "The transfer with received_chunks, bytes_done, progress_percent"),
    op!("POST" "/webrtc/rooms/{room_id}/file-transfer/{id}/progress", "File transfer", Token, "Report progress (peer-to-peer mode)", body = json_body!(ProgressBody), ok = 200 "The transfer"),
    op!("GET" "/webrtc/rooms/{room_id}/file-transfer/{id}/missing", "File transfer", Token, "Chunks still to send", ok = 200 "{missing, total_chunks, chunk_size}"),
    op!("GET" "/webrtc/rooms/{room_id}/file-transfer/{id}/download", "File transfer", Token, "The completed file (Range supported)", ok = 200 "The file (206 for a range)"),
    op!("PUT" "/webrtc/rooms/{room_id}/file-transfer/{id}/chunks/{index}", "File transfer", Token, "Upload one chunk with its SHA-256 (X-Chunk-Sha256 header or ?sha256=)", body = Some(Body::Bytes("application/octet-stream")), query = &[("sha256", "Hex SHA-256 of the chunk, if not in X-Chunk-Sha256")], ok = 200 "{index, duplicate, received_chunks, total_chunks, state}"),
    op!("POST" "/webrtc/rooms/{room_id}/file-transfer/{id}/chunks/{index}", "File transfer", Token, "Same as PUT", body = Some(Body::Bytes("application/octet-stream")), query = &[("sha256", "Hex SHA-256 of the chunk")], ok = 200 "As PUT"),
    op!("GET" "/webrtc/file-transfers", "File transfer", Token, "The caller's transfers, newest first", ok = 200 "{transfers}"),
    // ---- operations
    op!("GET" "/webrtc/health", "Operations", None, "Health; 503 when the shared store is unreachable", ok = 200 "{status, checks, connections, uptime_seconds}"),
    op!("GET" "/webrtc/stats", "Operations", None, "Rooms, participants, connections (RTC_METRICS_TOKEN / RTC_METRICS_BIND may guard it)", ok = 200 "{rooms, participants, connections_on_this_instance, uptime_seconds}"),
    op!("GET" "/webrtc/webrtc-metrics", "Operations", None, "This instance's counters as JSON", ok = 200 "Counters"),
    op!("GET" "/metrics", "Operations", None, "Prometheus text exposition (docs/operations.md)", ok = 200 "text/plain; version=0.0.4"),
    op!("GET" "/openapi.json", "Operations", None, "This document", ok = 200 "OpenAPI 3.1"),
    op!("GET" "/docs", "Operations", None, "A page that renders this document (works offline)", ok = 200 "text/html"),
    // ---- web client
    op!("GET" "/", "Web client", None, "The bundled web client", ok = 200 "text/html"),
    op!("GET" "/client/app.js", "Web client", None, "The web client's page script", ok = 200 "text/javascript"),
    op!("GET" "/client/rtc-client.js", "Web client", None, "The signaling client module (docs/client.md)", ok = 200 "text/javascript"),
    op!("GET" "/client/rtc-client.d.ts", "Web client", None, "TypeScript declarations of the client module (clients/js)", ok = 200 "application/typescript"),
    op!("GET" "/client/style.css", "Web client", None, "The web client's style sheet", ok = 200 "text/css"),
    op!("POST" "/webrtc/dev/token", "Web client", None, "A development token for a server-picked id, valid in one room (only while RTC_DEV_TOKENS is on)", body = json_body!(DevTokenReq), ok = 200 "{token, user_id, expires_in}"),
    // ---- admin
    op!("GET" "/webrtc/admin/rooms", "Admin", Admin, "List rooms", ok = 200 "{count, rooms}"),
    op!("POST" "/webrtc/admin/rooms", "Admin", Admin, "Create a room ahead of its first participant", body = json_body!(CreateRoomReq), ok = 201 "{room}"),
    op!("GET" "/webrtc/admin/rooms/{room_id}", "Admin", Admin, "One room with its waiting room and bans", ok = 200 "{room, created_at, banned}"),
    op!("DELETE" "/webrtc/admin/rooms/{room_id}", "Admin", Admin, "Close a room: everyone is removed with ROOM_CLOSED", ok = 200 "{room_id, closed, removed}"),
    op!("POST" "/webrtc/admin/rooms/{room_id}/participants/{user_id}/remove", "Admin", Admin, "Remove a participant, optionally banning them on every instance", body = json_body!(RemoveReq), ok = 200 "{room_id, user_id, removed, banned}"),
    op!("POST" "/webrtc/admin/rooms/{room_id}/participants/{user_id}/mute", "Admin", Admin, "Mute a participant's audio or video", body = json_body!(MuteReq), ok = 200 "{room_id, user_id, kind, muted}"),
    op!("POST" "/webrtc/admin/rooms/{room_id}/data", "Admin", Admin, "Send a data message to the room or some participants", body = json_body!(DataReq), ok = 200 "{room_id, sent, recipients}"),
    op!("POST" "/webrtc/admin/rooms/{room_id}/metadata", "Admin", Admin, "Set the room's metadata", body = json_body!(MetadataReq), ok = 200 "{room_id, metadata}"),
    op!("POST" "/webrtc/admin/webhooks/replay", "Admin", Admin, "Send webhooks again from a sequence (one room) or a time", body = json_body!(ReplayReq), ok = 200 "{replayed}"),
];

/// Builds the document.
pub fn document() -> Value {
    let mut components: Schemas = Vec::new();
    let mut paths: Map<String, Value> = Map::new();
    for op in OPERATIONS {
        let mut params: Vec<Value> = path_params(op.path)
            .map(|name| {
                json!({"name": name, "in": "path", "required": true,
                       "schema": {"type": "string"}, "description": param_doc(name)})
            })
            .collect();
        params.extend(op.query.iter().map(|(name, doc)| {
            json!({"name": name, "in": "query", "required": false,
                   "schema": {"type": "string"}, "description": doc})
        }));
        let mut operation = json!({
            "tags": [op.tag],
            "summary": op.summary,
            "operationId": operation_id(op),
            "parameters": params,
            "responses": responses(op),
        });
        match op.auth {
            Auth::None => operation["security"] = json!([]),
            Auth::Token => operation["security"] = json!([{"bearer": []}, {"query_token": []}]),
            Auth::Admin => operation["security"] = json!([{"admin": []}]),
        }
        if op.summary.starts_with("Alias") {
            operation["deprecated"] = json!(false);
        }
        if let Some(body) = op.body {
            operation["requestBody"] = match body {
                Body::Json(f) => {
                    let (name, schema) = f(&mut components);
                    components.push((name.clone(), schema));
                    json!({"required": true, "content": {"application/json": {
                        "schema": {"$ref": format!("#/components/schemas/{name}")}}}})
                }
                Body::Bytes(mime) => json!({"required": true, "content": {
                    mime: {"schema": {"type": "string", "contentMediaType": mime}}}}),
            };
        }
        paths
            .entry(op.path)
            .or_insert_with(|| json!({}))
            .as_object_mut()
            .expect("path item")
            .insert(op.method.to_lowercase(), operation);
    }
    let mut schemas: Map<String, Value> = components
        .into_iter()
        .map(|(name, s)| (name, serde_json::to_value(s).expect("schema serializes")))
        .collect();
    schemas.insert("Error".into(), error_schema());
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "rtc-server",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Self-hosted WebRTC signaling and collaboration backend. The WebSocket protocol is in docs/protocol.md; error codes in docs/errors.md.",
            "license": {"name": "Apache-2.0", "identifier": "Apache-2.0"},
        },
        "tags": tags(),
        "paths": paths,
        "components": {
            "schemas": schemas,
            "responses": {
                "Error": {"description": "An error with a stable code", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
            },
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
                "query_token": {"type": "apiKey", "in": "query", "name": "token"},
                "admin": {"type": "http", "scheme": "basic", "description": "RTC_ADMIN_API_KEY:RTC_ADMIN_API_SECRET"},
            },
        },
    })
}

fn tags() -> Vec<Value> {
    let mut seen = Vec::new();
    for op in OPERATIONS {
        if !seen.contains(&op.tag) {
            seen.push(op.tag);
        }
    }
    seen.into_iter().map(|t| json!({"name": t})).collect()
}

fn operation_id(op: &Op) -> String {
    let mut id = op.method.to_lowercase();
    for part in op.path.split(['/', '-', '.']).filter(|p| !p.is_empty()) {
        id.push('_');
        id.push_str(part.trim_matches(|c| c == '{' || c == '}'));
    }
    if op.path == "/" {
        id.push_str("_index");
    }
    id
}

fn path_params(path: &str) -> impl Iterator<Item = &str> {
    path.split('/')
        .filter_map(|seg| seg.strip_prefix('{')?.strip_suffix('}'))
}

fn param_doc(name: &str) -> &'static str {
    match name {
        "room_id" => "Room id (1-128 of A-Z a-z 0-9 _ - . @ : +)",
        "user_id" => "User id",
        "action" => "stop, pause or resume",
        "key" => "The signed object key",
        _ => "Identifier",
    }
}

fn responses(op: &Op) -> Value {
    let mut r = json!({
        op.ok.0.to_string(): {"description": op.ok.1},
        "4XX": {"$ref": "#/components/responses/Error"},
        "5XX": {"$ref": "#/components/responses/Error"},
    });
    if op.method == "GET" && op.ok.1.contains("Range") || op.ok.1.contains("206") {
        r["206"] = json!({"description": "Partial content (Range)"});
    }
    r
}

/// `{"error": {code, message, hint, retry_after}}` with every code.
fn error_schema() -> Value {
    let codes: Vec<Value> = ErrorCode::ALL
        .iter()
        .map(|c| {
            json!({"const": c.as_str(), "description": format!("HTTP {}. {}", c.http_status(), c.hint())})
        })
        .collect();
    json!({
        "type": "object",
        "required": ["error"],
        "properties": {"error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"oneOf": codes},
                "message": {"type": "string"},
                "hint": {"type": "string"},
                "retry_after": {"type": ["integer", "null"], "description": "Seconds, for RATE_LIMIT_EXCEEDED"},
            },
        }},
    })
}

/// Registers `/openapi.json` and `/docs`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.api("GET", "/openapi.json", web::get().to(openapi_json))
        .api("GET", "/docs", web::get().to(docs_page));
}

async fn openapi_json() -> HttpResponse {
    static DOC: OnceLock<String> = OnceLock::new();
    let body = DOC.get_or_init(|| document().to_string());
    HttpResponse::Ok()
        .content_type("application/json")
        .body(body.as_str())
}

async fn docs_page() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(include_str!("../web/docs.html"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_become_openapi_paths() {
        assert_eq!(normalize("/webrtc/links/{key:.*}"), "/webrtc/links/{key}");
        assert_eq!(normalize("/a/{b}/c"), "/a/{b}/c");
    }

    #[test]
    fn every_operation_has_a_unique_id_and_valid_params() {
        let doc = document();
        let mut ids = BTreeSet::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (_, op) in item.as_object().unwrap() {
                assert!(
                    ids.insert(op["operationId"].as_str().unwrap().to_owned()),
                    "{path}"
                );
            }
        }
        assert_eq!(ids.len(), OPERATIONS.len());
        let codes = doc["components"]["schemas"]["Error"]["properties"]["error"]["properties"]["code"]["oneOf"]
            .as_array()
            .unwrap()
            .len();
        assert_eq!(codes, ErrorCode::ALL.len());
    }
}
