//! The media plane: a selective forwarding unit (SFU).
//!
//! Every participant of an SFU room has one WebRTC peer connection to the
//! server. It publishes its tracks on it and receives everyone else's: the
//! server forwards each RTP payload it receives to the other peers of the
//! room, without decoding it.
//!
//! The crate is sans-IO, like [str0m] (the WebRTC library it is built on):
//! [`Sfu`] takes signaling ([`Command`]), datagrams
//! ([`Sfu::receive`]) and time ([`Sfu::tick`]) in and hands datagrams and
//! signaling out ([`Sfu::poll`]). The UDP socket, the clock and the route
//! of signaling to the WebSocket belong to the caller (the server's media
//! driver), so the forwarding rules are tested without a network.
//!
//! Negotiation: the client offers first (its own tracks); the server
//! answers and, when tracks of other peers come or go, offers in turn. On
//! a collision the server yields: a client offer cancels the server's
//! pending one, which is made again after the answer.
//!
//! [str0m]: https://docs.rs/str0m

mod bandwidth;
mod layers;
mod peer;
mod sfu;
mod speakers;
mod tap;
mod types;

pub use sfu::{Sfu, SfuStats};
pub use tap::MAX_TAPS;
pub use types::*;

/// Installs the process-wide crypto provider of the WebRTC stack (pure
/// Rust). Call once before the first [`Sfu`] is used; later calls do
/// nothing.
pub fn init_crypto() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| str0m::crypto::from_feature_flags().install_process_default());
}

#[cfg(test)]
mod tests;
