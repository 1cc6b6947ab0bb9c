//! One WebSocket session as a state machine without I/O, in str0m's
//! shape: the driver (the server's `ws.rs`) feeds it what happened
//! (`on_frame`, `on_outbound`, `on_reply`, `on_tick`, `on_overflow`,
//! `on_closed`, each but `on_outbound` with the time), then carries out what
//! [`Session::poll_action`] hands back (write a frame, call the room
//! service, close, leave) until it returns `None`. Time is an input;
//! nothing here sleeps, reads a socket or touches shared state, so every
//! rule below is unit-tested with plain inputs (`session/tests.rs`).
//!
//! The rules:
//! - joining: the outcome decides the first frames; a refused join sends
//!   the error and closes with `4000 + status`, without a leave.
//! - resuming (`?last_sequence=N`): the missed events addressed to the
//!   user are sent first, and live events they cover are skipped, so a
//!   resumed client gets no duplicate; a resume without a seat to take
//!   back, or past the replay buffer, gets `resync-required` and the state.
//! - goodbye vs drop: a close frame with 1000 (or no code) is a goodbye
//!   and the user leaves at once; anything else (1001, a broken
//!   connection) leaves a reconnecting participant for the grace period.
//! - seat loss: a `ROOM_NOT_FOUND` / `USER_NOT_IN_ROOM` answer is checked
//!   against the stored room; if the seat is gone the session closes with
//!   `SESSION_LOST` so the client joins again.
//! - slow consumer: a full send queue closes with `SLOW_CONSUMER`.
//! - restart: a server that stops closes with 1012 (Service Restart) and
//!   keeps the seat, as for a drop.
//! - heartbeat and idle: a ping every heartbeat, the first at a point of
//!   the first interval set by the connection id so that connections that
//!   joined together do not ping together; a client silent for longer than
//!   the idle timeout is closed with `IDLE_TIMEOUT`.
//! - pings (`{"type":"ping"}`) are answered here, without shared state, so
//!   a client can tell a live server from a dead one while the store is
//!   away.
//! - per-connection rate limits: every other message takes a token from
//!   the connection's `signaling` bucket (offer, answer, ICE) or its
//!   `websocket_message` bucket (the rest) before it reaches the service;
//!   an empty bucket refuses it with `RATE_LIMIT_EXCEEDED` and a
//!   `retry_after`, and the session stays open. No shared state is touched
//!   (the shared per-user limits of chat, hand raise and the like are
//!   counted by the service).

use std::collections::VecDeque;
use std::time::Duration;

use bytes::Bytes;
pub use bytestring::ByteString;
use signaling_core::protocol::{self, ClientMessage, MessageType, RoomStateView, ServerMessage};
use signaling_core::ratelimit::{Limit, LimitKind, TokenBucket};
use signaling_core::{ErrorCode, JoinOutcome, JoinRequest, ReplayOutcome, SignalError};
use time::OffsetDateTime;

/// WebSocket close code for a message over the size limit.
pub const CLOSE_TOO_BIG: u16 = 1009;
/// WebSocket close code for a protocol violation.
pub const CLOSE_PROTOCOL: u16 = 1002;
/// WebSocket close code of a normal close (a goodbye).
pub const CLOSE_NORMAL: u16 = 1000;
/// The close code of a server that is stopping (RFC 6455 registry: 1012,
/// Service Restart): the seat is kept, as for a drop, and the client
/// should reconnect at once (to another instance, through its load
/// balancer) and resume with `last_sequence`.
pub const CLOSE_SERVICE_RESTART: u16 = 1012;

/// What a session needs to know from the configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionConfig {
    /// Between two pings (at least a second is sensible).
    pub heartbeat: Duration,
    /// A client silent for longer is closed with `IDLE_TIMEOUT`.
    pub idle_timeout: Duration,
    /// How long a dropped participant may come back; zero makes every
    /// close a goodbye.
    pub reconnect_grace: Duration,
    /// The frame size limit, quoted in `MESSAGE_TOO_LARGE`.
    pub max_message_bytes: usize,
    /// The connection's `signaling` limit (offer, answer, ICE).
    pub signaling_limit: Limit,
    /// The connection's `websocket_message` limit (every other message).
    pub message_limit: Limit,
}

/// A frame (or a framing failure) read from the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame<'a> {
    /// A text frame: a protocol message.
    Text(&'a str),
    /// A binary frame (not part of the protocol).
    Binary,
    /// A WebSocket ping with its payload.
    Ping(Bytes),
    /// A WebSocket pong.
    Pong,
    /// A frame over the size limit.
    TooLarge,
    /// Any other WebSocket protocol violation.
    Malformed,
}

/// How the connection ended from the client's side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closed {
    /// The client sent a close frame with this code (or none).
    ByClient(Option<u16>),
    /// The connection broke: the stream ended, a read or write failed.
    Dropped,
}

/// What the hub queued for this connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outbound {
    /// A JSON text frame, shared between recipients (and handed to the
    /// socket without a copy).
    Text(ByteString),
    /// A JSON text frame of the room's replay log, with its sequence
    /// number (the text carries the same `"seq"`; the number comes typed,
    /// so the session never reads it back out of the text).
    Sequenced(u64, ByteString),
    /// Close with this code (kicked, replaced, seat lost, ...).
    Close(ErrorCode),
    /// The server is stopping: close with [`CLOSE_SERVICE_RESTART`],
    /// keeping the seat, as for a drop.
    Restart,
}

/// A call to the room service (or its liveness registry) the driver makes
/// for the session. Every request but [`Request::Track`] is answered with
/// [`Session::on_reply`].
#[derive(Debug, Clone)]
pub enum Request {
    /// Join the room; answer [`Reply::Joined`].
    Join(JoinRequest),
    /// Register the connection in the instance registry, so that another
    /// instance releases it if this one dies. No answer.
    Track,
    /// What the user missed after `after`; answer [`Reply::Replayed`].
    Replay {
        /// The last sequence the client saw.
        after: u64,
    },
    /// Handle one client message; answer [`Reply::Handled`].
    Handle(ClientMessage),
    /// Whether the stored room still seats this connection; answer
    /// [`Reply::Seat`] (a store error is not a lost seat).
    CheckSeat,
}

/// The answer to a [`Request`].
#[derive(Debug, Clone)]
pub enum Reply {
    /// To [`Request::Join`].
    Joined(Result<JoinOutcome, SignalError>),
    /// To [`Request::Replay`].
    Replayed(Result<ReplayOutcome, SignalError>),
    /// To [`Request::Handle`].
    Handled(Result<(), SignalError>),
    /// To [`Request::CheckSeat`].
    Seat {
        /// The room is gone or no longer holds this connection.
        lost: bool,
    },
}

/// Something to count in the instance's metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Count {
    /// A join was refused.
    JoinRefused,
    /// An error went to the client.
    Error(ErrorCode),
    /// The connection was cut off as a slow consumer.
    SlowConsumer,
}

/// A WebSocket close frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloseFrame {
    /// The close code.
    pub code: u16,
    /// The reason: the stable error code.
    pub reason: String,
}

impl CloseFrame {
    /// The close for an error: `4000 + HTTP status`, the code as reason.
    pub fn for_error(code: ErrorCode) -> Self {
        CloseFrame {
            code: 4000 + code.http_status(),
            reason: code.as_str().to_owned(),
        }
    }
}

/// What the driver must do, in order.
#[derive(Debug, Clone)]
pub enum Action {
    /// Write this text frame. If the write fails, report
    /// [`Closed::Dropped`].
    Send(String),
    /// Write this delivery from the hub (a relayed frame). If the queue
    /// overflows while the write waits, report [`Session::on_overflow`].
    Deliver(ByteString),
    /// Send a WebSocket ping.
    Ping,
    /// Answer a WebSocket ping.
    Pong(Bytes),
    /// Make this call and feed the answer back.
    Call(Request),
    /// Count this.
    Count(Count),
    /// Stop receiving from the hub and close the socket (with this frame,
    /// or none). No frame is written after it.
    Close(Option<CloseFrame>),
    /// The session is over: the user leaves at once (`goodbye`) or shows
    /// as reconnecting until the grace period ends.
    Leave {
        /// Gone for good.
        goodbye: bool,
    },
}

#[derive(Debug)]
enum Phase {
    /// Waiting for the join's answer.
    Joining,
    /// Joined; waiting for the replay, with the state to fall back on.
    Replaying {
        state: Box<RoomStateView>,
        last: u64,
    },
    /// In the room (or its waiting room): frames flow.
    Live,
    /// Closed; every later input is ignored.
    Over,
}

/// What an in-flight call was for.
#[derive(Debug)]
enum Pending {
    None,
    /// A client message of this type is being handled.
    Handle(MessageType),
    /// The seat is being checked after this error to this message.
    Seat(SignalError, MessageType),
}

/// One WebSocket session. See the module documentation.
#[derive(Debug)]
pub struct Session {
    config: SessionConfig,
    resume_after: Option<u64>,
    phase: Phase,
    /// Live events with a seq up to this one were covered by the replay
    /// sent first and are skipped. A fresh join skips nothing: the room
    /// state does not carry chat, so an event raced in between the join
    /// and the state must still be delivered (clients treat a repeated
    /// join or update as a no-op).
    covered_up_to: u64,
    last_seen: OffsetDateTime,
    next_ping: Option<OffsetDateTime>,
    pending: Pending,
    actions: VecDeque<Action>,
    /// The per-connection buckets (`signaling`, `websocket_message`),
    /// filled when the session goes live.
    buckets: Option<[TokenBucket; 2]>,
    /// From going live to the first ping: between half a heartbeat and a
    /// whole one, set by the connection id ([`first_ping`]).
    first_ping: Duration,
}

/// When a session pings first after going live: at its own point of the
/// second half of the first heartbeat interval, read from the random bits
/// of its connection id. Connections that join together (a reconnect
/// storm after a restart, a load test) would otherwise ping together every
/// interval, a burst that shows in every relay's latency tail; this way
/// their pings spread evenly and stay spread.
pub fn first_ping(heartbeat: Duration, connection: signaling_core::ConnectionId) -> Duration {
    let spread = (connection.0.as_u64_pair().1 % 1024) as f64 / 1024.0;
    heartbeat.mul_f64(1.0 - spread / 2.0)
}

impl Session {
    /// A session that starts by joining with `join`; `resume_after` is the
    /// `last_sequence` a resuming client sent.
    pub fn new(config: SessionConfig, join: JoinRequest, resume_after: Option<u64>) -> Self {
        let mut actions = VecDeque::with_capacity(4);
        let first_ping = first_ping(config.heartbeat, join.connection);
        actions.push_back(Action::Call(Request::Join(join)));
        Session {
            buckets: None,
            first_ping,
            config,
            resume_after,
            phase: Phase::Joining,
            covered_up_to: 0,
            last_seen: OffsetDateTime::UNIX_EPOCH,
            next_ping: None,
            pending: Pending::None,
            actions,
        }
    }

    /// The next thing to do, oldest first; `None` when the session waits
    /// for input.
    pub fn poll_action(&mut self) -> Option<Action> {
        self.actions.pop_front()
    }

    /// When [`Session::on_tick`] is due next (`None` before the join).
    pub fn next_timeout(&self) -> Option<OffsetDateTime> {
        self.next_ping
    }

    /// Whether the session is closed and every action was taken.
    pub fn is_over(&self) -> bool {
        matches!(self.phase, Phase::Over) && self.actions.is_empty()
    }

    fn live(&self) -> bool {
        matches!(self.phase, Phase::Live)
    }

    fn send(&mut self, m: ServerMessage) {
        self.actions.push_back(Action::Send(m.to_json()));
    }

    fn send_error(&mut self, e: &SignalError, ty: Option<MessageType>) {
        self.send(ServerMessage::error(e, ty));
    }

    fn count(&mut self, c: Count) {
        self.actions.push_back(Action::Count(c));
    }

    /// Ends the session: close, then leave (for good when `goodbye` or
    /// when there is no grace period to come back in).
    fn finish(&mut self, goodbye: bool, close: Option<CloseFrame>) {
        self.actions.push_back(Action::Close(close));
        self.actions.push_back(Action::Leave {
            goodbye: goodbye || self.config.reconnect_grace.is_zero(),
        });
        self.phase = Phase::Over;
        self.next_ping = None;
    }

    fn go_live(&mut self, now: OffsetDateTime) {
        let ms = now.unix_timestamp_nanos() / 1_000_000;
        self.buckets = Some([
            TokenBucket::new(self.config.signaling_limit, ms),
            TokenBucket::new(self.config.message_limit, ms),
        ]);
        self.phase = Phase::Live;
        self.last_seen = now;
        self.next_ping = Some(now + self.first_ping);
        tracing::debug!("joined");
    }

    /// The answer to the last [`Action::Call`].
    pub fn on_reply(&mut self, now: OffsetDateTime, reply: Reply) {
        match (std::mem::replace(&mut self.phase, Phase::Over), reply) {
            (Phase::Joining, Reply::Joined(joined)) => self.joined(now, joined),
            (Phase::Replaying { state, last }, Reply::Replayed(r)) => {
                self.replayed(now, *state, last, r)
            }
            (Phase::Live, Reply::Handled(r)) => {
                self.phase = Phase::Live;
                self.handled(r);
            }
            (Phase::Live, Reply::Seat { lost }) => {
                self.phase = Phase::Live;
                self.seat_checked(lost);
            }
            (phase, _) => self.phase = phase, // late or unexpected: ignored
        }
    }

    fn joined(&mut self, now: OffsetDateTime, joined: Result<JoinOutcome, SignalError>) {
        match joined {
            Ok(JoinOutcome::Joined { state, rejoined }) => {
                self.actions.push_back(Action::Call(Request::Track));
                match self.resume_after {
                    None => self.send(ServerMessage::RoomState(*state)),
                    // A resume that found no seat to take back (the grace
                    // period passed, or the shared state lost it):
                    // whatever the client holds is stale, so it gets the
                    // whole state.
                    Some(last) if !rejoined => {
                        self.send(ServerMessage::ResyncRequired {
                            requested_sequence: last,
                            last_sequence: state.last_sequence,
                        });
                        self.send(ServerMessage::RoomState(*state));
                    }
                    Some(last) => {
                        self.phase = Phase::Replaying { state, last };
                        self.actions
                            .push_back(Action::Call(Request::Replay { after: last }));
                        return;
                    }
                }
                self.go_live(now);
            }
            // The waiting notice comes through the hub.
            Ok(JoinOutcome::Waiting { .. }) => self.go_live(now),
            Err(e) => {
                self.count(Count::JoinRefused);
                self.count(Count::Error(e.code));
                self.send_error(&e, None);
                self.actions
                    .push_back(Action::Close(Some(CloseFrame::for_error(e.code))));
                self.phase = Phase::Over;
            }
        }
    }

    fn replayed(
        &mut self,
        now: OffsetDateTime,
        state: RoomStateView,
        last: u64,
        replay: Result<ReplayOutcome, SignalError>,
    ) {
        match replay {
            Ok(ReplayOutcome::Events { events, latest }) => {
                self.covered_up_to = latest;
                self.send(ServerMessage::ReconnectionDetected {
                    missed_message_count: events.len(),
                    last_sequence: latest,
                });
                self.actions
                    .extend(events.into_iter().map(|(_, json)| Action::Send(json)));
            }
            // As for a fresh join: nothing is skipped.
            Ok(ReplayOutcome::Resync { state, latest }) => {
                self.send(ServerMessage::ResyncRequired {
                    requested_sequence: last,
                    last_sequence: latest,
                });
                self.send(ServerMessage::RoomState(*state));
            }
            Err(e) => {
                tracing::warn!(error = %e, "replay failed; sending the state");
                self.send(ServerMessage::RoomState(state));
            }
        }
        self.go_live(now);
    }

    fn handled(&mut self, result: Result<(), SignalError>) {
        let Pending::Handle(ty) = std::mem::replace(&mut self.pending, Pending::None) else {
            return;
        };
        let Err(e) = result else { return };
        self.count(Count::Error(e.code));
        if e.code == ErrorCode::SessionReplaced {
            self.finish(true, Some(CloseFrame::for_error(e.code)));
            return;
        }
        // The room or our seat is gone although we never left: the shared
        // store may have lost its data. Checked before answering.
        if matches!(e.code, ErrorCode::RoomNotFound | ErrorCode::UserNotInRoom) {
            self.pending = Pending::Seat(e, ty);
            self.actions.push_back(Action::Call(Request::CheckSeat));
            return;
        }
        self.send_error(&e, Some(ty));
    }

    fn seat_checked(&mut self, lost: bool) {
        let Pending::Seat(e, ty) = std::mem::replace(&mut self.pending, Pending::None) else {
            return;
        };
        if !lost {
            self.send_error(&e, Some(ty));
            return;
        }
        // Close so the client joins again instead of failing forever.
        let lost = SignalError::new(ErrorCode::SessionLost, ErrorCode::SessionLost.hint());
        tracing::warn!("seat lost from the shared state; closing so the client rejoins");
        self.count(Count::Error(lost.code));
        self.send_error(&lost, Some(ty));
        self.finish(true, Some(CloseFrame::for_error(lost.code)));
    }

    /// Takes a token for a message of type `ty` from its per-connection
    /// bucket, or says when to retry.
    fn take_token(&mut self, now: OffsetDateTime, ty: MessageType) -> Result<(), SignalError> {
        let Some(buckets) = &mut self.buckets else {
            return Ok(());
        };
        let kind = LimitKind::per_connection_for_message(ty);
        let (bucket, limit) = match kind {
            LimitKind::Signaling => (&mut buckets[0], self.config.signaling_limit),
            _ => (&mut buckets[1], self.config.message_limit),
        };
        bucket
            .take(now.unix_timestamp_nanos() / 1_000_000)
            .map_err(|retry| {
                let code = match kind {
                    LimitKind::Signaling => ErrorCode::RateLimitExceeded,
                    _ => ErrorCode::TooManyMessages,
                };
                let mut e = SignalError::new(
                    code,
                    format!(
                        "{} limit of {} per {} s reached on this connection",
                        kind.as_str(),
                        limit.max,
                        limit.window_secs
                    ),
                );
                e.retry_after = Some(retry);
                e
            })
    }

    /// A frame from the client.
    pub fn on_frame(&mut self, now: OffsetDateTime, frame: Frame<'_>) {
        if !self.live() {
            return;
        }
        self.last_seen = now;
        match frame {
            Frame::Text(text) => match protocol::decode(text) {
                Ok(ClientMessage::Ping(p)) => self.send(ServerMessage::Pong {
                    ts: p.ts,
                    server_time: now,
                }),
                Ok(msg) => {
                    if let Err(e) = self.take_token(now, msg.message_type()) {
                        self.count(Count::Error(e.code));
                        self.send_error(&e, Some(msg.message_type()));
                        return;
                    }
                    self.pending = Pending::Handle(msg.message_type());
                    self.actions.push_back(Action::Call(Request::Handle(msg)));
                }
                Err(e) => {
                    self.count(Count::Error(e.code));
                    self.send_error(&e, None);
                }
            },
            Frame::Binary => self.send_error(
                &SignalError::new(
                    ErrorCode::InvalidMessage,
                    "binary frames are not part of the protocol",
                ),
                None,
            ),
            Frame::Ping(payload) => self.actions.push_back(Action::Pong(payload)),
            Frame::Pong => {}
            Frame::TooLarge => {
                let e = SignalError::new(
                    ErrorCode::MessageTooLarge,
                    format!(
                        "messages are limited to {} bytes",
                        self.config.max_message_bytes
                    ),
                );
                self.send_error(&e, None);
                self.finish(
                    true,
                    Some(CloseFrame {
                        code: CLOSE_TOO_BIG,
                        reason: e.code.as_str().to_owned(),
                    }),
                );
            }
            Frame::Malformed => self.finish(
                true,
                Some(CloseFrame {
                    code: CLOSE_PROTOCOL,
                    reason: ErrorCode::InvalidMessage.as_str().to_owned(),
                }),
            ),
        }
    }

    /// Something the hub queued for this connection. (Without the time:
    /// nothing here depends on it, and a delivery is the hottest input, so
    /// the driver does not read the clock for it.)
    pub fn on_outbound(&mut self, out: Outbound) {
        // A restart closes a session that is still joining too: nothing
        // else would tell it the server is going away.
        let restart = matches!(out, Outbound::Restart) && !matches!(self.phase, Phase::Over);
        if !self.live() && !restart {
            return;
        }
        match out {
            Outbound::Text(text) => self.actions.push_back(Action::Deliver(text)),
            Outbound::Sequenced(seq, text) => {
                if seq <= self.covered_up_to {
                    return; // already sent by the replay
                }
                self.actions.push_back(Action::Deliver(text));
            }
            Outbound::Close(code) => {
                self.count(Count::Error(code));
                self.send_error(&SignalError::new(code, code.hint()), None);
                self.finish(false, Some(CloseFrame::for_error(code)));
            }
            Outbound::Restart => {
                let frame = CloseFrame {
                    code: CLOSE_SERVICE_RESTART,
                    reason: "SERVICE_RESTART".into(),
                };
                self.finish(false, Some(frame));
            }
        }
    }

    /// The connection's send queue overflowed: the client does not read.
    pub fn on_overflow(&mut self, _now: OffsetDateTime) {
        if matches!(self.phase, Phase::Over) {
            return;
        }
        self.count(Count::SlowConsumer);
        self.finish(false, Some(CloseFrame::for_error(ErrorCode::SlowConsumer)));
    }

    /// Time passed: pings, and closes a client silent for too long.
    pub fn on_tick(&mut self, now: OffsetDateTime) {
        let Some(due) = self.next_ping.filter(|&t| t <= now && self.live()) else {
            return;
        };
        if now - self.last_seen > self.config.idle_timeout {
            let e = SignalError::new(
                ErrorCode::IdleTimeout,
                "no frames received within the idle timeout",
            );
            self.send_error(&e, None);
            self.finish(false, Some(CloseFrame::for_error(e.code)));
            return;
        }
        self.actions.push_back(Action::Ping);
        let mut next = due + self.config.heartbeat;
        if next <= now {
            next = now + self.config.heartbeat;
        }
        self.next_ping = Some(next);
    }

    /// The connection ended from the client's side (or broke).
    pub fn on_closed(&mut self, _now: OffsetDateTime, how: Closed) {
        if matches!(self.phase, Phase::Over) {
            return;
        }
        // 1000 or no code: the application closed on purpose. 1001 (page
        // unload or refresh) and the rest may come back.
        let goodbye = match how {
            Closed::ByClient(code) => code.is_none_or(|c| c == CLOSE_NORMAL),
            Closed::Dropped => false,
        };
        self.finish(goodbye, None);
    }
}

#[cfg(test)]
mod tests;
