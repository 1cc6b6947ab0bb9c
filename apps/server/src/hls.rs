//! HLS output of live streams: the egress writes segments and a playlist
//! into a local directory ([`local_dir`]); [`upload`] copies them through
//! the blob store under `live/{room}/{stream}/` as they are listed (a
//! segment before the playlist that names it, a segment dropped from the
//! playlist deleted), and everything is deleted a minute after the stream
//! ends. Members play them at
//! `/webrtc/rooms/{room}/live-streams/{id}/hls/index.m3u8`; any player can
//! through an expiring link (`…/hls-link`) whose signature is part of the
//! path, so the playlist's relative segment names resolve under it.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use actix_web::{HttpRequest, HttpResponse, web};
use bytes::Bytes;
use serde::Deserialize;
use signaling_core::{ErrorCode, RoomId};
use storage::BlobStore;
use tokio::sync::oneshot;

use crate::AppState;
use crate::auth_extract::actor;
use crate::http_error::{ApiError, err};
use crate::recordings::serve_blob;

type Res = Result<HttpResponse, ApiError>;

/// How often the directory is looked at.
const POLL: Duration = Duration::from_millis(500);
/// How long a stream's HLS stays after it ends (players finish the list).
const KEEP_AFTER: Duration = Duration::from_secs(60);

/// Where a stream's HLS objects go in the blob store.
pub fn prefix(room: &RoomId, stream_id: &str) -> String {
    format!("live/{room}/{stream_id}")
}

/// A fresh local directory for a stream's HLS output.
pub fn local_dir(scratch: &Path, stream_id: &str) -> PathBuf {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    let dir = scratch.join(format!("hls-{}-{stream_id}-{n}", std::process::id()));
    if let Err(e) = std::fs::create_dir_all(&dir) {
        tracing::warn!(error = %e, "HLS directory not made");
    }
    dir
}

/// Whether `name` is one of the files an HLS output holds.
pub fn is_hls_file(name: &str) -> bool {
    name == egress::HLS_PLAYLIST
        || name
            .strip_prefix("seg_")
            .and_then(|n| n.strip_suffix(".ts"))
            .is_some_and(|n| !n.is_empty() && n.len() <= 9 && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Copies `dir` to the blob store under `key` until `done`, then once
/// more; deletes `dir`, and the copies [`KEEP_AFTER`] later.
pub async fn upload(
    blobs: Arc<dyn BlobStore>,
    dir: PathBuf,
    key: String,
    mut done: oneshot::Receiver<()>,
) {
    let mut stored: BTreeSet<String> = BTreeSet::new();
    let mut playlist = String::new();
    loop {
        let finished = matches!(
            done.try_recv(),
            Ok(()) | Err(oneshot::error::TryRecvError::Closed)
        );
        sync(&*blobs, &dir, &key, &mut stored, &mut playlist).await;
        if finished {
            break;
        }
        tokio::select! {
            _ = tokio::time::sleep(POLL) => {}
            _ = &mut done => {}
        }
    }
    let _ = tokio::fs::remove_dir_all(&dir).await;
    tokio::spawn(async move {
        tokio::time::sleep(KEEP_AFTER).await;
        if let Err(e) = blobs.delete_prefix(&format!("{key}/")).await {
            tracing::warn!(%key, error = %e, "deleting a stream's HLS failed");
        }
    });
}

/// One pass: the segments the playlist lists that are not stored yet, then
/// the playlist if it changed, then the segments it no longer lists.
async fn sync(
    blobs: &dyn BlobStore,
    dir: &Path,
    key: &str,
    stored: &mut BTreeSet<String>,
    playlist: &mut String,
) {
    let Ok(text) = tokio::fs::read_to_string(dir.join(egress::HLS_PLAYLIST)).await else {
        return;
    };
    if text == *playlist {
        return;
    }
    let listed: BTreeSet<String> = text
        .lines()
        .filter(|l| !l.starts_with('#') && is_hls_file(l))
        .map(str::to_owned)
        .collect();
    for name in listed.difference(&stored.clone()) {
        let Ok(bytes) = tokio::fs::read(dir.join(name)).await else {
            return;
        };
        if let Err(e) = blobs
            .put(&format!("{key}/{name}"), Bytes::from(bytes))
            .await
        {
            tracing::warn!(%key, segment = %name, error = %e, "storing an HLS segment failed");
            return;
        }
        stored.insert(name.clone());
    }
    let put = blobs
        .put(
            &format!("{key}/{}", egress::HLS_PLAYLIST),
            Bytes::from(text.clone()),
        )
        .await;
    if let Err(e) = put {
        tracing::warn!(%key, error = %e, "storing an HLS playlist failed");
        return;
    }
    *playlist = text;
    let gone: Vec<String> = stored.difference(&listed).cloned().collect();
    for name in gone {
        let _ = blobs.delete(&format!("{key}/{name}")).await;
        stored.remove(&name);
    }
}

/// Registers the HLS routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    let p = "/webrtc/rooms/{room_id}/live-streams/{stream_id}";
    cfg.route(&format!("{p}/hls-link"), web::get().to(link))
        .route(&format!("{p}/hls/{{file}}"), web::get().to(member_file))
        .route(
            "/webrtc/hls/{room_id}/{stream_id}/{expires}/{sig}/{file}",
            web::get().to(linked_file),
        );
}

/// The operations of this module, documented by `#[utoipa::path]`.
#[derive(utoipa::OpenApi)]
#[openapi(paths(link, member_file, linked_file))]
pub(crate) struct Doc;

fn mime(file: &str) -> &'static str {
    if file.ends_with(".m3u8") {
        "application/vnd.apple.mpegurl"
    } else {
        "video/mp2t"
    }
}

/// The stream, checked: it is the room's and has HLS, and the caller is a
/// member of the room.
async fn member_stream(
    req: &HttpRequest,
    state: &AppState,
    room: &str,
    stream_id: &str,
) -> Result<RoomId, ApiError> {
    let (room_id, a) = actor(req, state, room).await?;
    let r = state.service.room(&room_id).await?;
    state.service.engine().require_member(&r, &a)?;
    if !r
        .live_streams
        .iter()
        .any(|s| s.stream_id == stream_id && s.hls_url.is_some())
    {
        return Err(ApiError(signaling_core::SignalError::new(
            ErrorCode::StreamNotFound,
            format!("no HLS stream {stream_id}"),
        )));
    }
    Ok(room_id)
}

#[utoipa::path(
    get,
    path = "/webrtc/rooms/{room_id}/live-streams/{stream_id}/hls/{file}",
    tag = "Live streams",
    summary = "A stream's HLS playlist (index.m3u8) or segment (members)",
    security(("bearer" = []), ("query_token" = [])),
    responses((status = 200, description = "The playlist or segment", content((String = "application/vnd.apple.mpegurl"), (crate::openapi::Binary = "video/mp2t")))),
)]
async fn member_file(
    req: HttpRequest,
    path: web::Path<(String, String, String)>,
    state: web::Data<AppState>,
) -> Res {
    let (room, stream_id, file) = path.into_inner();
    if !is_hls_file(&file) {
        return err(ErrorCode::NotFound, format!("no HLS file {file:?}"));
    }
    let room_id = member_stream(&req, &state, &room, &stream_id).await?;
    let key = format!("{}/{file}", prefix(&room_id, &stream_id));
    serve_blob(&req, &state, &key, mime(&file), None).await
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct LinkQuery {
    /// Seconds the link lasts: default 3600, clamped to 1 s..1 day.
    #[param(value_type = Option<i64>, minimum = 0, maximum = 4294967295.0)]
    expires_in: Option<u32>,
}

#[utoipa::path(
    get,
    path = "/webrtc/rooms/{room_id}/live-streams/{stream_id}/hls-link",
    tag = "Live streams",
    summary = "An expiring playlist URL any HLS player can open (members)",
    security(("bearer" = []), ("query_token" = [])),
    params(LinkQuery),
    responses((status = 200, description = "The link", body = crate::recordings::LinkAnswer)),
)]
async fn link(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    q: web::Query<LinkQuery>,
    state: web::Data<AppState>,
) -> Res {
    let (room, stream_id) = path.into_inner();
    let room_id = member_stream(&req, &state, &room, &stream_id).await?;
    let ttl = u64::from(q.expires_in.unwrap_or(3600)).clamp(1, 24 * 3600);
    let expires = state.now_unix() + ttl as i64;
    let sig = state.links.sign(&prefix(&room_id, &stream_id), expires);
    let url = format!(
        "/webrtc/hls/{room_id}/{stream_id}/{expires}/{sig}/{}",
        egress::HLS_PLAYLIST
    );
    Ok(HttpResponse::Ok().json(crate::recordings::LinkAnswer {
        url,
        expires_in: ttl,
    }))
}

#[utoipa::path(
    get,
    path = "/webrtc/hls/{room_id}/{stream_id}/{expires}/{sig}/{file}",
    tag = "Live streams",
    summary = "A stream's HLS file through an expiring link",
    security(()),
    responses((status = 200, description = "The playlist or segment", content((String = "application/vnd.apple.mpegurl"), (crate::openapi::Binary = "video/mp2t"))), (status = 403, description = "Expired or not signed")),
)]
async fn linked_file(
    req: HttpRequest,
    path: web::Path<(String, String, i64, String, String)>,
    state: web::Data<AppState>,
) -> Res {
    let (room, stream_id, expires, sig, file) = path.into_inner();
    if !is_hls_file(&file) {
        return err(ErrorCode::NotFound, format!("no HLS file {file:?}"));
    }
    let room_id = RoomId::parse(&room)?;
    let key = prefix(&room_id, &stream_id);
    if let Err(e) = state.links.verify(&key, expires, &sig, state.now_unix()) {
        return err(ErrorCode::Forbidden, e.to_string());
    }
    let blob = format!("{key}/{file}");
    serve_blob(&req, &state, &blob, mime(&file), None).await
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A pass stores what the playlist lists, segments before the playlist;
    /// a segment the playlist drops is deleted; a segment not listed yet
    /// (still being written) is left alone; an unchanged playlist costs
    /// nothing.
    #[tokio::test]
    async fn a_pass_stores_what_the_playlist_lists_and_deletes_what_it_dropped() {
        let blobs = storage::ObjectBlobStore::from_config(&storage::StorageConfig::Memory).unwrap();
        let dir = std::env::temp_dir().join(format!("rtc-hls-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let write = |name: &str, body: &str| std::fs::write(dir.join(name), body).unwrap();
        let list = |segs: &[&str]| {
            let mut p = "#EXTM3U\n#EXT-X-TARGETDURATION:2\n".to_owned();
            for s in segs {
                p.push_str(&format!("#EXTINF:2.0,\n{s}\n"));
            }
            p
        };
        for n in 1..=3 {
            write(&format!("seg_0000{n}.ts"), &format!("segment {n}"));
        }
        write("index.m3u8", &list(&["seg_00001.ts", "seg_00002.ts"]));
        let (mut stored, mut playlist) = (BTreeSet::new(), String::new());
        sync(&blobs, &dir, "live/r/ls-1", &mut stored, &mut playlist).await;
        let keys = |b: &storage::ObjectBlobStore| {
            let b = b.clone();
            async move {
                let mut k: Vec<String> = b
                    .list("live/r/ls-1")
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|m| m.key)
                    .collect();
                k.sort();
                k
            }
        };
        assert_eq!(
            keys(&blobs).await,
            [
                "live/r/ls-1/index.m3u8",
                "live/r/ls-1/seg_00001.ts",
                "live/r/ls-1/seg_00002.ts"
            ]
        );
        write("index.m3u8", &list(&["seg_00002.ts", "seg_00003.ts"]));
        sync(&blobs, &dir, "live/r/ls-1", &mut stored, &mut playlist).await;
        assert_eq!(
            keys(&blobs).await,
            [
                "live/r/ls-1/index.m3u8",
                "live/r/ls-1/seg_00002.ts",
                "live/r/ls-1/seg_00003.ts"
            ]
        );
        let body = blobs
            .get("live/r/ls-1/index.m3u8", None)
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        assert!(String::from_utf8_lossy(&body).contains("seg_00003.ts"));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn only_the_playlist_and_numbered_segments_are_hls_files() {
        for ok in ["index.m3u8", "seg_00001.ts", "seg_123456789.ts"] {
            assert!(is_hls_file(ok), "{ok}");
        }
        for bad in [
            "../index.m3u8",
            "seg_.ts",
            "seg_1a.ts",
            "seg_0000000001.ts",
            "other.m3u8",
            "seg_00001.ts/x",
        ] {
            assert!(!is_hls_file(bad), "{bad}");
        }
    }
}
