//! REST routes under `/webrtc`, one module per feature. Each handler
//! parses, builds a `Command` (or calls a read), and serializes; no
//! business rule lives here. `guard.rs` has judged the token, the room grant
//! and membership before any handler runs.

use actix_web::{HttpResponse, web};
use serde::Deserialize;

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

pub(crate) use crate::auth_extract::actor;

type Res = Result<HttpResponse, ApiError>;

/// What a moderation action did: `{status}`, with the user and breakout
/// room it concerned where there is one.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct StatusAnswer {
    /// What happened: `muted`, `updated`, `removed`, `banned`, `admitted`,
    /// `rejected`, `waiting`, `assigned`, `returned` or `closed`.
    status: &'static str,
    /// The participant concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    user_id: Option<signaling_core::UserId>,
    /// The breakout room concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    breakout_room_id: Option<String>,
}

impl StatusAnswer {
    /// `{status}` alone.
    pub(crate) fn ok(status: &'static str) -> HttpResponse {
        Self::of(status, None, None)
    }

    /// `{status, user_id?, breakout_room_id?}`.
    pub(crate) fn of(
        status: &'static str,
        user_id: Option<signaling_core::UserId>,
        breakout_room_id: Option<String>,
    ) -> HttpResponse {
        HttpResponse::Ok().json(StatusAnswer {
            status,
            user_id,
            breakout_room_id,
        })
    }
}

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

/// `?limit=` of a list, newest first.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct PageQuery {
    /// How many, newest first; each list has its own default and clamps
    /// to 1..its maximum.
    #[param(value_type = Option<i64>, minimum = 0, maximum = 4294967295.0)]
    limit: Option<u32>,
}
