//! Reads the bearer token from `Authorization: Bearer …` or `?token=…`.

use actix_web::HttpRequest;
use auth::Identity;
use signaling_core::{ErrorCode, SignalError};

use crate::AppState;
use crate::http_error::ApiError;

/// A query-string parameter, percent-decoded.
pub fn query_param(q: &str, name: &str) -> Option<String> {
    q.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        (k == name).then(|| percent_decode(v))
    })
}

fn token_from_query(q: &str) -> Option<String> {
    query_param(q, "token")
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Ok(v) =
                u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("zz"), 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(if b[i] == b'+' { b' ' } else { b[i] });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Verifies the request's token and returns the identity.
/// The guard (`guard.rs`) verifies room routes' tokens before the body is
/// read and leaves the identity in the request's extensions; it is reused.
pub fn identity_from_request(req: &HttpRequest, state: &AppState) -> Result<Identity, ApiError> {
    if let Some(id) = actix_web::HttpMessage::extensions(req).get::<Identity>() {
        return Ok(id.clone());
    }
    let header = req
        .headers()
        .get("authorization")
        .and_then(|h| h.to_str().ok())
        .and_then(|h| {
            h.strip_prefix("Bearer ")
                .or_else(|| h.strip_prefix("bearer "))
        })
        .map(str::to_owned);
    let token = header
        .or_else(|| token_from_query(req.query_string()))
        .ok_or_else(|| ApiError(SignalError::new(ErrorCode::Unauthorized, "no token")))?;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    Ok(state.verifier.verify(&token, now)?)
}
