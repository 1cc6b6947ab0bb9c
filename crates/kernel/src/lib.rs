//! The shared basics every domain crate builds on, and nothing else:
//! validated ids ([`RoomId`], [`UserId`], [`ConnectionId`]), the
//! [`Clock`], the one error-code table ([`ErrorCode`], [`SignalError`]) and
//! the error every port returns ([`PortError`], which keeps its cause), and
//! the [`quota`] port every domain that takes bytes or slots shares.
//!
//! It depends on no other crate of the workspace, so the domains
//! (`signaling-core`, `file-transfer`, `recording`, `reconnection`, `auth`)
//! meet here instead of depending on each other.

mod clock;
mod error;
mod ids;
pub mod quota;

pub use clock::{Clock, ManualClock, SystemClock};
pub use error::{ErrorCode, PortError, PortErrorKind, SignalError};
#[cfg(feature = "openapi")]
pub use ids::id_schema;
pub use ids::{ADMIN_USER, ConnectionId, ID_PATTERN, InstanceTag, RoomId, UserId};
