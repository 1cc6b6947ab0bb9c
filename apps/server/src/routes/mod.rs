//! REST routes under `/webrtc`, one module per feature. Each handler
//! parses, builds a `Command` (or calls a read), and serializes; no
//! business rule lives here. `guard.rs` has judged the token, the room grant
//! and membership before any handler runs.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use signaling_core::ratelimit::LimitKind;
use signaling_core::{Actor, RoomId, UserId};

use crate::AppState;
use crate::auth_extract::identity_from_request;
use crate::http_error::ApiError;

pub(crate) mod breakout;
pub(crate) mod hands;
pub(crate) mod history;
pub(crate) mod ops;
pub(crate) mod participants;
pub(crate) mod reconnect;
pub(crate) mod recordings;
pub(crate) mod streams;
pub(crate) mod waiting;

pub use ops::configure_ops;

type Res = Result<HttpResponse, ApiError>;

/// Registers every `/webrtc` REST route of the room features.
pub fn configure(cfg: &mut web::ServiceConfig) {
    ops::configure(cfg);
    participants::configure(cfg);
    hands::configure(cfg);
    waiting::configure(cfg);
    breakout::configure(cfg);
    streams::configure(cfg);
    reconnect::configure(cfg);
    history::configure(cfg);
    recordings::configure(cfg);
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

#[derive(Deserialize)]
struct PageQuery {
    before: Option<String>,
    limit: Option<usize>,
}
