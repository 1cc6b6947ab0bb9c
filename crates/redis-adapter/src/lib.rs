//! Redis adapters for the shared-state ports (room store with
//! compare-and-swap, event bus, rate limits, replay log). Only this crate
//! knows the Redis client. The implementations arrive with the Redis issue;
//! the ports they implement are `signaling_core::ports::{RoomStore, EventBus}`
//! and `reconnection::EventLog`.

pub use signaling_core::ports::{EventBus, RoomStore};
