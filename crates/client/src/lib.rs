//! A Rust client for the signaling server: join a room as a bot, a
//! recorder, a moderator or a test driver.
//!
//! - [`Client`] speaks the WebSocket protocol (`docs/protocol.md`) with the
//!   server's own types: you send a [`ClientMessage`] and receive
//!   [`Event`]s carrying typed [`ServerMessage`]s. A dropped connection is
//!   resumed by itself with `?last_sequence=` (the missed events are
//!   replayed, and duplicates skipped by their `seq`); [`Client::close`] is a
//!   goodbye and never reconnects.
//! - [`RestClient`] (also reachable as [`Client::rest`]) has the REST calls
//!   a bot needs: chat history paging, file transfers through the server
//!   (offer, wait for the accept, chunked upload with a SHA-256 per chunk,
//!   resume from `/missing`, download checked against the whole file's
//!   SHA-256) and recordings (start, stop, status, chunk upload, link).
//!
//! The message types are those of `signaling-core` (re-exported in
//! [`protocol`]), so the client cannot drift from the server. They carry no
//! I/O; this crate adds tokio, tokio-tungstenite and reqwest.
//!
//! # Example
//!
//! ```no_run
//! use rtc_client::{Client, ClientMessage, Event, ServerMessage, protocol::ChatSend};
//!
//! # async fn run() -> Result<(), rtc_client::Error> {
//! let token = std::env::var("RTC_TOKEN").unwrap(); // a JWT from your backend
//! let mut client = Client::connect("http://127.0.0.1:8080", "standup", &token).await?;
//! client.send(&ClientMessage::ChatMessage(ChatSend { message: "hello".into(), to: None, reply_to: None }))?;
//! while let Some(event) = client.next_event().await {
//!     match event {
//!         Event::Message(ServerMessage::ChatMessage(chat)) => println!("{}: {}", chat.from, chat.message),
//!         Event::Message(ServerMessage::RoomState(state)) => println!("joined as {}", state.you),
//!         Event::Reconnecting { attempt, .. } => println!("reconnecting ({attempt})"),
//!         Event::Closed { code, .. } => { println!("closed: {code:?}"); break }
//!         _ => {}
//!     }
//! }
//! # Ok(()) }
//! ```
//!
//! A complete bot that answers chat and uploads a file:
//! `crates/client/examples/bot.rs`.
//!
//! # Types that are not the server's own
//!
//! Transfers ([`Transfer`]) and a few REST answers are thin client-side
//! views: the server's records live in crates with storage I/O
//! (`file-transfer`), which a client should not build. They keep the wire
//! names, and keep any field they do not name in `extra`.

mod connection;
mod error;
mod rest;

pub use connection::{Client, Event, Options};
pub use error::{Error, Result};
pub use rest::{
    ChatPage, ChunkAck, Missing, RecordingChunkAck, RecordingLink, RestClient, Transfer, sha256_hex,
};

/// The protocol types of the server (`signaling_core::protocol`).
pub mod protocol {
    pub use recording::{Format, Quality, RecordingStatus};
    pub use signaling_core::protocol::*;
    pub use signaling_core::room::{
        BackgroundMode, DeviceInfo, MediaKind, NetworkStats, Participant, RoomSettings,
        RoomSettingsPatch, VirtualBackground,
    };
    pub use signaling_core::{ErrorCode, UserId};
}

pub use signaling_core::protocol::{ClientMessage, ServerMessage};

/// Encodes a client message as the JSON text frame the server decodes:
/// the body's fields plus `"type"`.
///
/// ```
/// use rtc_client::{ClientMessage, encode, protocol::ReactionSend};
/// let frame = encode(&ClientMessage::Reaction(ReactionSend { emoji: "👍".into(), message_id: None, active: true }));
/// assert_eq!(frame, r#"{"emoji":"👍","type":"reaction"}"#);
/// ```
pub fn encode(message: &ClientMessage) -> String {
    use ClientMessage as C;
    let body = match message {
        C::Offer(b) | C::Answer(b) => serde_json::to_value(b),
        C::IceCandidate(b) => serde_json::to_value(b),
        C::MediaOffer(b) | C::MediaAnswer(b) => serde_json::to_value(b),
        C::SubscriptionUpdate(b) => serde_json::to_value(b),
        C::Typing(b) => serde_json::to_value(b),
        C::ChatEdit(b) => serde_json::to_value(b),
        C::ChatDelete(b) => serde_json::to_value(b),
        C::ChatRead(b) => serde_json::to_value(b),
        C::MediaControl(b) => serde_json::to_value(b),
        C::ScreenShareControl(b) => serde_json::to_value(b),
        C::ChatMessage(b) => serde_json::to_value(b),
        C::Reaction(b) => serde_json::to_value(b),
        C::HandRaise(b) => serde_json::to_value(b),
        C::ParticipantUpdate(b) => serde_json::to_value(b),
        C::NetworkStats(b) => serde_json::to_value(b),
        C::RoomSettingsUpdate(b) => serde_json::to_value(b),
        C::WaitingRoomAdmit(b) | C::WaitingRoomReject(b) => serde_json::to_value(b),
        C::BreakoutRoomCreate(b) => serde_json::to_value(b),
        C::BreakoutRoomAssign(b) => serde_json::to_value(b),
        C::BreakoutRoomClose(b) => serde_json::to_value(b),
        C::VirtualBackgroundUpdate(b) => serde_json::to_value(b),
        C::LiveStreamStart(b) => serde_json::to_value(b),
        C::LiveStreamStop(b) => serde_json::to_value(b),
        C::E2eeKeyExchange(b) => serde_json::to_value(b),
        C::E2eeRatchetUpdate(b) => serde_json::to_value(b),
        C::AnalyticsEvent(b) => serde_json::to_value(b),
        C::RecordingControl(b) => serde_json::to_value(b),
        C::FileShare(_, b) => serde_json::to_value(b),
        C::Ping(b) => serde_json::to_value(b),
    };
    // The bodies are plain structs of strings, numbers and maps: they
    // always serialize, to an object.
    let mut body = match body {
        Ok(serde_json::Value::Object(map)) => map,
        _ => serde_json::Map::new(),
    };
    body.insert("type".into(), message.message_type().as_str().into());
    serde_json::Value::Object(body).to_string()
}

#[cfg(test)]
mod tests;
