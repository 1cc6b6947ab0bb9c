//! Checks made on the request head, before any body byte is read or any
//! handler runs:
//!
//! - the browser origin (CORS for REST, preflight included; see `origin.rs`);
//! - the operations endpoints (`/metrics`, `/webrtc/stats`,
//!   `/webrtc/webrtc-metrics`): their bearer token when one is configured,
//!   and 404 on the main listener when they have their own address;
//! - every `/webrtc/rooms/{room}/…` route: a valid token for that room and
//!   current membership of it (kicked, banned, waiting or never-joined
//!   callers are refused on every instance, since membership is the shared
//!   room state). Recording reads let the recording's owner through to the
//!   handler, which decides;
//! - a deadline on the whole body (`RTC_BODY_TIMEOUT_SECS`), answered
//!   `408 REQUEST_TIMEOUT`.
//!
//! An unauthenticated 60 MB upload is thus answered at once, unread.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::http::{Method, header};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpResponse, ResponseError, web};
use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use signaling_core::{Actor, ErrorCode, RoomId, SignalError, UserId};

use crate::AppState;
use crate::auth_extract::identity_from_request;
use crate::http_error::ApiError;
use crate::origin::Verdict;

/// Paths of the operations endpoints.
pub const OPS_PATHS: [&str; 3] = ["/metrics", "/webrtc/stats", "/webrtc/webrtc-metrics"];

/// Methods and headers a cross-origin page may use.
const CORS_METHODS: &str = "GET, POST, PUT, DELETE, OPTIONS";
const CORS_HEADERS: &str = "authorization, content-type, x-chunk-sha256, x-request-id, range";
const CORS_EXPOSE: &str =
    "x-request-id, x-content-sha256, content-range, content-disposition, retry-after";

/// The middleware: see the module documentation.
pub async fn guard(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return Ok(next.call(req).await?.map_into_left_body());
    };
    let verdict = state.origins.judge(req.headers());
    let cross_origin = match verdict {
        Verdict::Refused(origin) => {
            return Ok(refuse(
                req,
                SignalError::new(
                    ErrorCode::OriginNotAllowed,
                    format!("origin {origin} is not allowed (RTC_ALLOWED_ORIGINS)"),
                ),
            ));
        }
        Verdict::Allowed(origin) => Some(origin),
        Verdict::SameOrigin => None,
    };
    if req.method() == Method::OPTIONS
        && req
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD)
    {
        let mut res = HttpResponse::NoContent();
        if let Some(origin) = &cross_origin {
            res.insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone()))
                .insert_header((header::ACCESS_CONTROL_ALLOW_METHODS, CORS_METHODS))
                .insert_header((header::ACCESS_CONTROL_ALLOW_HEADERS, CORS_HEADERS))
                .insert_header((header::ACCESS_CONTROL_MAX_AGE, "600"))
                .insert_header((header::VARY, "Origin"));
        }
        return Ok(req.into_response(res.finish()).map_into_right_body());
    }
    if routed_path(&req).starts_with("/webrtc/rooms/") && !documented(&req, &state) {
        // No documented operation takes this method here: 404, or 405 with
        // `Allow`, whoever asks (the document says as much to anyone). It is
        // answered here, not by the router, so nothing under a room ever
        // runs unjudged.
        let res = crate::openapi::not_routed(req.request().clone()).await;
        let mut res = req.into_response(res).map_into_right_body();
        cors_headers(res.headers_mut(), cross_origin.as_ref());
        return Ok(res);
    }
    if let Err(e) = check_head(&req, &state).await {
        let mut res = refuse(req, e.0);
        cors_headers(res.headers_mut(), cross_origin.as_ref());
        return Ok(res);
    }
    let timed_out = Arc::new(AtomicBool::new(false));
    if has_body(&req) {
        let inner = req.take_payload();
        let deadline = Deadline {
            inner,
            sleep: Box::pin(tokio::time::sleep(Duration::from_secs(
                state.settings.http.body_timeout_secs.max(1),
            ))),
            fired: timed_out.clone(),
        };
        req.set_payload(Payload::Stream {
            payload: Box::pin(deadline),
        });
    }
    let res = next.call(req).await?;
    if timed_out.load(Ordering::Relaxed) {
        let (req, _) = res.into_parts();
        let e = ApiError(SignalError::new(
            ErrorCode::RequestTimeout,
            format!(
                "the body did not arrive within {} s",
                state.settings.http.body_timeout_secs
            ),
        ));
        let mut res = ServiceResponse::new(req, e.error_response()).map_into_right_body();
        cors_headers(res.headers_mut(), cross_origin.as_ref());
        return Ok(res);
    }
    let mut res = res.map_into_left_body();
    cors_headers(res.headers_mut(), cross_origin.as_ref());
    Ok(res)
}

fn refuse<B>(req: ServiceRequest, e: SignalError) -> ServiceResponse<EitherBody<B>> {
    req.into_response(ApiError(e).error_response())
        .map_into_right_body()
}

fn cors_headers(h: &mut header::HeaderMap, origin: Option<&header::HeaderValue>) {
    if let Some(origin) = origin {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
        h.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            header::HeaderValue::from_static(CORS_EXPOSE),
        );
        h.append(header::VARY, header::HeaderValue::from_static("Origin"));
    }
}

fn has_body(req: &ServiceRequest) -> bool {
    let h = req.headers();
    h.contains_key(header::TRANSFER_ENCODING)
        || h.get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v != "0")
}

/// The head checks: operations endpoints, then room routes.
async fn check_head(req: &ServiceRequest, state: &AppState) -> Result<(), ApiError> {
    let path = routed_path(req);
    if OPS_PATHS.contains(&path) {
        return check_ops(req, state);
    }
    let Some(rest) = path.strip_prefix("/webrtc/rooms/") else {
        return Ok(());
    };
    let (raw_room, tail) = rest.split_once('/').unwrap_or((rest, ""));
    let decoded = percent_encoding::percent_decode_str(raw_room).decode_utf8_lossy();
    let room_id = RoomId::parse(&decoded)?;
    let identity = identity_from_request(req.request(), state)?;
    identity.grant_for(room_id.as_str())?;
    let actor = Actor {
        user_id: UserId::parse(&identity.user_id)?,
        connection: None,
    };
    req.extensions_mut().insert(identity);
    if req.method() == Method::GET && is_recording_read(tail) {
        // The owner of a recording may read it after leaving (even after the
        // room is gone): `recordings::readable` decides, owner or member.
        return Ok(());
    }
    let room = state.service.room(&room_id).await?;
    state.service.engine().require_member(&room, &actor)?;
    Ok(())
}

/// The path as the router matches it: percent-decoded (all but `%2F`,
/// `%25`, `%2B`). Every decision here is made on it, not on the raw
/// `req.path()`, or `/webrtc/room%73/…` would pass the room checks by and
/// still reach a room handler.
fn routed_path(req: &ServiceRequest) -> &str {
    req.match_info().as_str()
}

/// Whether some documented operation takes this method on this path.
fn documented(req: &ServiceRequest, state: &AppState) -> bool {
    let path = routed_path(req);
    let served = req.resource_map().match_pattern(path);
    crate::openapi::allowed_methods(
        crate::openapi::Variant::of(&state.settings),
        path,
        served.as_deref(),
    )
    .contains(req.method().as_str())
}

/// `recordings/{id}/{status|download|thumbnail|link}` (or `recording/…`).
fn is_recording_read(tail: &str) -> bool {
    let mut parts = tail.split('/');
    matches!(parts.next(), Some("recordings" | "recording"))
        && parts.next().is_some_and(|id| !id.is_empty())
        && matches!(
            parts.next(),
            Some("status" | "download" | "thumbnail" | "link")
        )
        && parts.next().is_none()
}

/// `/metrics` and the stats endpoints: served on their own address when
/// `RTC_METRICS_BIND` is set (404 here), and behind `RTC_METRICS_TOKEN`
/// when that is set.
fn check_ops(req: &ServiceRequest, state: &AppState) -> Result<(), ApiError> {
    let s = &state.settings;
    let on_ops_listener = req.app_data::<web::Data<OpsListener>>().is_some();
    if s.ops.metrics_bind.is_some() && !on_ops_listener {
        return Err(SignalError::new(
            ErrorCode::NotFound,
            "served on the metrics address (RTC_METRICS_BIND)",
        )
        .into());
    }
    let Some(want) = &s.ops.metrics_token else {
        return Ok(());
    };
    let given = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.strip_prefix("Bearer "))
        .unwrap_or("");
    if crate::config::credentials_match(given.as_bytes(), want.expose().as_bytes()) {
        Ok(())
    } else {
        Err(SignalError::new(
            ErrorCode::Unauthorized,
            "send Authorization: Bearer <RTC_METRICS_TOKEN>",
        )
        .into())
    }
}

/// Marks the app that serves the operations endpoints on `RTC_METRICS_BIND`.
pub struct OpsListener;

/// A request body with a deadline: after it, the stream ends with an error
/// and `fired` is set so the middleware answers `408`.
struct Deadline {
    inner: Payload,
    sleep: Pin<Box<tokio::time::Sleep>>,
    fired: Arc<AtomicBool>,
}

impl Stream for Deadline {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.fired.load(Ordering::Relaxed) {
            return Poll::Ready(None);
        }
        if let Poll::Ready(item) = self.inner.poll_next_unpin(cx) {
            return Poll::Ready(item);
        }
        if self.sleep.as_mut().poll(cx).is_ready() {
            self.fired.store(true, Ordering::Relaxed);
            return Poll::Ready(Some(Err(PayloadError::Io(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "body read timeout",
            )))));
        }
        Poll::Pending
    }
}

#[cfg(test)]
mod tests {
    use super::is_recording_read;

    #[test]
    fn recording_reads_are_recognised_exactly() {
        for ok in [
            "recordings/r1/status",
            "recording/r1/download",
            "recordings/r1/thumbnail",
            "recordings/r1/link",
        ] {
            assert!(is_recording_read(ok), "{ok}");
        }
        for no in [
            "recordings/r1/chunks",
            "recordings//status",
            "recordings/r1/status/x",
            "chat",
            "recordings",
            "recordings/r1/upload-status",
        ] {
            assert!(!is_recording_read(no), "{no}");
        }
    }
}
