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

#[derive(Deserialize)]
struct PageQuery {
    limit: Option<usize>,
}
