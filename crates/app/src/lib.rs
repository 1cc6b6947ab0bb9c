//! The application layer between the server and the domains: what one
//! WebSocket session does ([`session`], without I/O: inputs in, actions
//! out), the recording-upload rules and the processing worker
//! ([`recordings`]), and the periodic upkeep as a list of named jobs
//! ([`maintenance`]). The server drives these; it keeps the sockets, the
//! timers and the HTTP shapes. This crate knows no web framework and no
//! database driver (`just layering`).

pub mod maintenance;
pub mod recordings;
pub mod session;

pub use session::{Action, Closed, Frame, Outbound, Reply, Request, Session, SessionConfig};
