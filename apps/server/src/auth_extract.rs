//! Reads the bearer token from `Authorization: Bearer …` or `?token=…`
//! and verifies it at the service clock's time; `actor` is the caller in
//! a room route (handlers of every feature use it).

use actix_web::HttpRequest;
use auth::Identity;
use signaling_core::ratelimit::LimitKind;
use signaling_core::{Actor, ErrorCode, RoomId, SignalError, UserId};

use crate::AppState;
use crate::http_error::ApiError;

/// The query parameters a request may authenticate with.
#[derive(serde::Deserialize)]
struct TokenQuery {
    token: Option<String>,
}

/// `?token=…`, percent-decoded by actix's query parser; a malformed query
/// carries no token.
fn token_from_query(req: &HttpRequest) -> Option<String> {
    actix_web::web::Query::<TokenQuery>::from_query(req.query_string())
        .ok()
        .and_then(|q| q.into_inner().token)
}

/// Verifies the request's token and returns the identity.
/// The guard (`guard.rs`) verifies room routes' tokens before the body is
/// read and leaves the identity in the request's extensions; it is reused.
/// An `Authorization` header that is there must be a bearer token.
pub fn identity_from_request(req: &HttpRequest, state: &AppState) -> Result<Identity, ApiError> {
    identity(req, state, true)
}

/// [`identity_from_request`] for the WebSocket handshake, whose token a
/// browser can send only as `?token=`: an `Authorization` header of
/// another scheme (a proxy's Basic credentials the browser keeps sending)
/// is not ours and is passed over.
pub fn identity_for_upgrade(req: &HttpRequest, state: &AppState) -> Result<Identity, ApiError> {
    identity(req, state, false)
}

fn unauthorized(message: &str) -> ApiError {
    ApiError(SignalError::new(ErrorCode::Unauthorized, message))
}

fn identity(req: &HttpRequest, state: &AppState, strict: bool) -> Result<Identity, ApiError> {
    if let Some(id) = actix_web::HttpMessage::extensions(req).get::<Identity>() {
        return Ok(id.clone());
    }
    let header = match req.headers().get("authorization") {
        None => None,
        Some(h) => {
            let h = h.to_str().unwrap_or("");
            // The scheme name is case-insensitive (RFC 9110 §11.1).
            let bearer = h
                .get(..7)
                .filter(|s| s.eq_ignore_ascii_case("bearer "))
                .map(|_| h[7..].trim())
                .filter(|t| !t.is_empty());
            match bearer {
                Some(t) => Some(t.to_owned()),
                None if strict => {
                    return Err(unauthorized(
                        "the Authorization header must be Bearer <token>",
                    ));
                }
                None => None,
            }
        }
    };
    let query = token_from_query(req);
    // RFC 6750 §2: one request, one way of sending the token. Two that
    // differ leave it unclear who is asking; refuse rather than pick one.
    if let (Some(h), Some(q)) = (&header, &query)
        && h != q
    {
        return Err(unauthorized(
            "two different tokens: send one, in Authorization: Bearer or ?token=",
        ));
    }
    let token = header.or(query).ok_or_else(|| unauthorized("no token"))?;
    let now = state.now_unix();
    Ok(state.verifier.verify(&token, now)?)
}

/// The authenticated caller in the path's room, counted against the
/// `api_call` rate limit.
pub(crate) async fn actor(
    req: &HttpRequest,
    state: &AppState,
    room: &str,
) -> Result<(RoomId, Actor), ApiError> {
    let room_id = RoomId::parse(room)?;
    let identity = identity_from_request(req, state)?;
    identity.grant_for(room_id.as_str())?;
    let user_id = UserId::parse(&identity.user_id)?;
    state
        .service
        .check_rate(LimitKind::ApiCall, &user_id)
        .await?;
    Ok((
        room_id,
        Actor {
            user_id,
            connection: None,
        },
    ))
}
