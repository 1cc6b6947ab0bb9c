//! The signaling domain: protocol, rooms, roles and permissions, moderation,
//! error codes, and the ports it needs (room state, event bus, chat history,
//! analytics, clock) with in-memory implementations.
//!
//! The [`engine`] is pure (state + time + input -> effects); the
//! [`service`] runs it against the [`ports`]. Nothing here knows about HTTP,
//! WebSockets, Redis or MongoDB.

mod config;
pub mod engine;
mod error;
mod ids;
pub mod memory;
pub mod ports;
pub mod protocol;
pub mod quota;
pub mod ratelimit;
pub mod room;
pub mod sanitize;
pub mod sdp;
pub mod service;
#[cfg(any(test, feature = "testing"))]
pub mod testing;

#[cfg(test)]
mod invariants;

pub use config::RoomConfig;
pub use engine::{Actor, Audience, Effect, Engine, JoinOutcome, JoinRequest};
pub use error::{ErrorCode, PortError, SignalError};
pub use ids::{ConnectionId, RoomId, UserId};
pub use service::{Ports, ReplayOutcome, RoomService};
