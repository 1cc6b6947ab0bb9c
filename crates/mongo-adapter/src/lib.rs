//! MongoDB adapters for the persistence ports (chat history, analytics,
//! room sessions, recording metadata). Only this crate knows the MongoDB
//! driver. The implementations arrive with the MongoDB issue; the ports are
//! `signaling_core::ports::{ChatHistory, Analytics}`.

pub use signaling_core::ports::{Analytics, ChatHistory};
