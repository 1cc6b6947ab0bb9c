//! The signaling domain: protocol, rooms, roles and permissions, moderation,
//! error codes, and the ports it needs (room state, event bus, chat history,
//! analytics, clock) with in-memory implementations.
//!
//! The [`engine`] is pure (state + time + input -> effects); the
//! [`service`] runs it against the [`ports`]. Nothing here knows about HTTP,
//! WebSockets, Redis or MongoDB.

mod config;
pub mod engine;
pub mod memory;
pub mod ports;
pub mod protocol;
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
pub use engine::{
    Actor, Applied, Audience, Command, Effect, Engine, JoinOutcome, JoinRequest, Reply,
};
// The shared basics live in the kernel crate; re-exported here so
// `signaling_core::RoomId` and friends keep working.
/// The shared quotas port (byte budgets and slot sets), from the kernel.
pub use kernel::quota;
pub use kernel::{
    ADMIN_USER, ConnectionId, ErrorCode, InstanceTag, PortError, PortErrorKind, RoomId,
    SignalError, UserId,
};
pub use service::{Ports, ReplayOutcome, RoomService, live_stream_slot};
