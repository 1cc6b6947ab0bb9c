//! One WebSocket session's I/O: authenticate and admit on the request
//! head, upgrade, then drive the sans-IO [`app::Session`] (which holds the
//! session rules: resume, goodbye vs drop, seat loss, slow consumer, idle
//! timeout) in a short loop: carry out its actions, feed it what the
//! socket, the hub and the timer say.

use std::sync::Arc;
use std::time::{Duration, Instant};
use tracing::Instrument;

use actix_web::{HttpRequest, HttpResponse, web};
use actix_ws::{AggregatedMessage, AggregatedMessageStream, CloseCode, CloseReason};
use app::session::Count;
use app::{Action, Closed, Frame, Reply, Request, Session, SessionConfig};
use futures_util::StreamExt as _;
use signaling_core::ports::TrackedConnection;
use signaling_core::ratelimit::LimitKind;
use signaling_core::{Actor, ConnectionId, ErrorCode, JoinRequest, RoomId, SignalError, UserId};
use time::OffsetDateTime;

use crate::AppState;
use crate::auth_extract::identity_for_upgrade;
use crate::http_error::ApiError;
use crate::hub::{AdmissionGuard, Outbound, queue};

/// `?last_sequence=N` of a resuming client (the token may be there too).
#[derive(serde::Deserialize)]
struct ResumeQuery {
    last_sequence: Option<u64>,
}

/// The operation of this module, documented by `#[utoipa::path]` on its
/// handler, served by [`configure`].
#[derive(utoipa::OpenApi)]
#[openapi(paths(ws_entry))]
pub(crate) struct Doc;

/// Registers the WebSocket entry.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/webrtc/ws/{room_id}", web::get().to(ws_entry));
}

/// `GET /webrtc/ws/{room_id}`: token errors are refused before the upgrade
/// with an HTTP error; room refusals (full, locked, banned) are sent as an
/// `error` message followed by a close with code `4000 + status`.
#[utoipa::path(
    get,
    path = "/webrtc/ws/{room_id}",
    tag = "Signaling",
    summary = "Join a room over WebSocket (upgrade); the messages are in docs/protocol.md",
    security(("bearer" = []), ("query_token" = [])),
    params(("token" = Option<String>, Query, description = "The JWT, if not in Authorization"), ("last_sequence" = Option<u64>, Query, description = "Resume after this room sequence (replay)")), responses((status = 101, description = "Switching protocols; then JSON text frames")),
)]
pub async fn ws_entry(
    req: HttpRequest,
    body: web::Payload,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let room_id = RoomId::parse(&path)?;
    if *state.stopping.borrow() {
        let mut e = SignalError::new(
            ErrorCode::ServiceUnavailable,
            "this instance is restarting: connect again (to another instance)",
        );
        e.retry_after = Some(1);
        return Err(e.into());
    }
    let identity = identity_for_upgrade(&req, &state)?;
    // A client resuming after a drop says what it saw last.
    let resume_after = web::Query::<ResumeQuery>::from_query(req.query_string())
        .map_err(|_| {
            ApiError(SignalError::new(
                ErrorCode::ValidationError,
                "last_sequence must be a non-negative integer",
            ))
        })?
        .into_inner()
        .last_sequence;
    let grant = identity.grant_for(room_id.as_str())?;
    let user_id = UserId::parse(&grant.user_id)?;
    let admitted = state.admission.admit(
        &user_id,
        req.peer_addr().map(|a| a.ip()),
        crate::hub::AdmissionLimits {
            per_user: state.settings.ws.max_connections_per_user,
            per_ip: state.settings.ws.max_connections_per_ip,
            total: state.settings.ws.max_connections,
        },
    )?;
    let (response, ws, stream) = actix_ws::handle(&req, body).map_err(|e| {
        ApiError(SignalError::new(
            ErrorCode::InvalidMessage,
            format!("WebSocket handshake failed: {e}"),
        ))
    })?;
    let settings = &state.settings;
    let max = settings.ws.max_message_bytes;
    let stream = stream
        .max_frame_size(max)
        .aggregate_continuations()
        .max_continuation_size(max);
    // The id names this instance, so events for the user come here alone.
    let connection = state.service.new_connection_id();
    let (handle, rx) = state
        .hub
        .register(&room_id, &user_id, connection, settings.ws.send_queue);
    // A drain that began after the check above may have told every
    // connection to restart before this one was registered: tell it too.
    if *state.stopping.borrow() {
        handle.restart();
    }
    let secs = Duration::from_secs;
    let session = Session::new(
        SessionConfig {
            heartbeat: secs(settings.ws.heartbeat_secs.max(1)),
            idle_timeout: secs(settings.ws.idle_timeout_secs),
            reconnect_grace: secs(settings.rooms.reconnect_grace_secs),
            max_message_bytes: max,
            signaling_limit: state.service.policy().get(LimitKind::Signaling),
            message_limit: state.service.policy().get(LimitKind::WebsocketMessage),
        },
        JoinRequest {
            user_id: user_id.clone(),
            name: grant.name.clone(),
            role: grant.role,
            permissions: grant.permissions,
            connection,
        },
        resume_after,
    );
    let state = state.into_inner();
    state.metrics.connection_opened();
    let span =
        tracing::info_span!("ws", connection = %connection, room = %room_id, user = %user_id);
    let alive = state.sessions.enter();
    let link = Link {
        state,
        actor: Actor {
            user_id,
            connection: Some(connection),
        },
        room_id,
        connection,
        ws,
        admitted: Some(admitted),
        _alive: alive,
    };
    actix_rt::spawn(link.drive(session, stream, rx).instrument(span));
    Ok(response)
}

/// One session's sockets and handles: carries out what the [`Session`]
/// asks and feeds it what happens.
struct Link {
    state: Arc<AppState>,
    room_id: RoomId,
    actor: Actor,
    connection: ConnectionId,
    ws: actix_ws::Session,
    /// The connection's place under the admission limits, held until close.
    admitted: Option<AdmissionGuard>,
    /// Counts this session as live until it has recorded its departure
    /// (a graceful stop waits for it).
    _alive: crate::shutdown::SessionGuard,
}

impl Link {
    fn now(&self) -> OffsetDateTime {
        self.state.service.now()
    }

    fn user(&self) -> &UserId {
        &self.actor.user_id
    }

    /// The session loop: take every action, then wait for the next input
    /// (the hub's kill flag, the hub's queue, a client frame, the timer).
    async fn drive(
        mut self,
        mut session: Session,
        mut stream: AggregatedMessageStream,
        mut rx: queue::Receiver<Outbound>,
    ) {
        let timer = tokio::time::sleep(Duration::from_secs(3600));
        tokio::pin!(timer);
        let mut due = None;
        loop {
            while let Some(action) = session.poll_action() {
                match action {
                    Action::Deliver(text) => {
                        // A client that stopped reading blocks this write; its
                        // queue then fills and the hub flags it: stop waiting.
                        let written = tokio::select! {
                            biased;
                            r = self.ws.text(text) => Ok(r.is_ok()),
                            code = rx.flagged() => Err(code),
                        };
                        match written {
                            Ok(true) => self.state.metrics.frame_sent(),
                            Ok(false) => session.on_closed(self.now(), Closed::Dropped),
                            Err(code) => on_kill(&mut session, code, self.now()),
                        }
                    }
                    // A command, the hot path, is awaited in place (the
                    // service keeps that future small by boxing its rare
                    // branches); the other calls, the close and the leave
                    // take kilobytes and are rare, so they are boxed: they
                    // hold that memory while they run, not for the life of
                    // every idle connection.
                    Action::Call(Request::Handle(msg)) => {
                        let reply = self.handle(msg).await;
                        session.on_reply(self.now(), reply);
                    }
                    other => Box::pin(self.act(&mut session, other)).await,
                }
            }
            if session.is_over() {
                break;
            }
            if session.next_timeout() != due {
                due = session.next_timeout();
                let wait = due.map_or(Duration::from_secs(3600), |t| {
                    Duration::try_from(t - self.now()).unwrap_or_default()
                });
                timer.as_mut().reset(tokio::time::Instant::now() + wait);
            }
            tokio::select! {
                biased;
                next = rx.next() => match next {
                    queue::Next::Flagged(code) => on_kill(&mut session, code, self.now()),
                    queue::Next::Item(out) => session.on_outbound(out),
                },
                frame = stream.next() => self.read(&mut session, frame),
                () = &mut timer => {
                    due = None; // re-armed from the session's next timeout
                    session.on_tick(self.now());
                }
            }
        }
        tracing::debug!(room_id = %self.room_id, user_id = %self.user(), connection = %self.connection, "closed");
    }

    /// Feeds one item of the client's stream to the session.
    fn read(
        &self,
        session: &mut Session,
        frame: Option<Result<AggregatedMessage, actix_ws::ProtocolError>>,
    ) {
        let now = self.now();
        let frame = match frame {
            Some(Ok(AggregatedMessage::Text(text))) => {
                self.state.metrics.frame_received();
                return session.on_frame(now, Frame::Text(&text));
            }
            Some(Ok(AggregatedMessage::Binary(_))) => Frame::Binary,
            Some(Ok(AggregatedMessage::Ping(b))) => Frame::Ping(b),
            Some(Ok(AggregatedMessage::Pong(_))) => Frame::Pong,
            Some(Ok(AggregatedMessage::Close(reason))) => {
                let code = reason.map(|r| u16::from(r.code));
                return session.on_closed(now, Closed::ByClient(code));
            }
            None => return session.on_closed(now, Closed::Dropped),
            Some(Err(actix_ws::ProtocolError::Overflow)) => Frame::TooLarge,
            Some(Err(actix_ws::ProtocolError::Io(err))) => {
                // The network went away: the client may come back.
                tracing::debug!(error = %err, "connection lost");
                return session.on_closed(now, Closed::Dropped);
            }
            Some(Err(err)) => {
                tracing::debug!(error = %err, "protocol error");
                Frame::Malformed
            }
        };
        session.on_frame(now, frame);
    }

    /// Carries out one action other than a delivery.
    async fn act(&mut self, session: &mut Session, action: Action) {
        let failed = match action {
            Action::Send(text) => self.ws.text(text).await.is_err(),
            Action::Deliver(text) => self.ws.text(text).await.is_err(),
            Action::Ping => self.ws.ping(b"").await.is_err(),
            Action::Pong(payload) => self.ws.pong(&payload).await.is_err(),
            Action::Call(request) => {
                if let Some(reply) = self.call(request).await {
                    session.on_reply(self.now(), reply);
                }
                false
            }
            Action::Count(c) => {
                let m = &self.state.metrics;
                match c {
                    Count::JoinRefused => m.join_refused(),
                    Count::Error(code) => m.error(code),
                    Count::SlowConsumer => m.slow_consumer(),
                }
                false
            }
            Action::Close(frame) => {
                self.state
                    .hub
                    .unregister(&self.room_id, self.user(), self.connection);
                let (service, room) = (self.state.service.clone(), self.room_id.clone());
                let (user, connection) = (self.user().clone(), self.connection);
                actix_rt::spawn(async move {
                    service
                        .media_connection_closed(&room, &user, connection)
                        .await
                });
                // The place is free before the client sees the close.
                drop(self.admitted.take());
                let reason = frame.map(|f| CloseReason {
                    code: CloseCode::from(f.code),
                    description: Some(f.reason),
                });
                // A client that does not read cannot take the close frame either.
                let _ = tokio::time::timeout(Duration::from_secs(2), self.ws.clone().close(reason))
                    .await;
                false
            }
            Action::Leave { goodbye } => {
                self.leave(goodbye).await;
                false
            }
        };
        if failed {
            session.on_closed(self.now(), Closed::Dropped);
        }
    }

    /// The room service calls a session makes, in one place.
    async fn call(&self, request: Request) -> Option<Reply> {
        let service = &self.state.service;
        let room_id = &self.room_id;
        Some(match request {
            Request::Join(join) => Reply::Joined(service.join(room_id, join).await),
            Request::Track => {
                let tracked = TrackedConnection {
                    room_id: room_id.clone(),
                    user_id: self.user().clone(),
                    connection: self.connection,
                };
                if let Err(e) = service
                    .ports()
                    .instances
                    .track(&self.state.instance_id, &tracked)
                    .await
                {
                    tracing::warn!(error = %e, "could not register the connection for liveness");
                }
                return None;
            }
            Request::Replay { after } => {
                Reply::Replayed(service.replay(room_id, &self.actor, after).await)
            }
            Request::Handle(msg) => self.handle(msg).await,
            Request::CheckSeat => Reply::Seat {
                lost: seat_lost(service, room_id, self.user(), self.connection).await,
            },
        })
    }

    /// One client message, executed by the room service.
    async fn handle(&self, msg: signaling_core::protocol::ClientMessage) -> Reply {
        let ty = msg.message_type();
        let started = Instant::now();
        let r = self
            .state
            .service
            .execute(&self.room_id, &self.actor, msg.into())
            .await
            .map(drop);
        self.state.metrics.message_handled(ty, started.elapsed());
        Reply::Handled(r)
    }

    /// The user leaves (a goodbye), or shows as reconnecting until the
    /// grace period ends.
    async fn leave(&self, goodbye: bool) {
        let (service, room_id, user) = (&self.state.service, &self.room_id, self.user());
        if goodbye {
            if let Err(e) = service.leave(room_id, user, self.connection).await {
                tracing::warn!(error = %e, "leave failed");
            }
            untrack(&self.state, self.connection).await;
        } else {
            if let Err(e) = service
                .connection_lost(room_id, user, self.connection)
                .await
            {
                tracing::warn!(error = %e, "marking reconnecting failed");
            }
            schedule_grace(
                self.state.clone(),
                room_id.clone(),
                user.clone(),
                self.connection,
            );
        }
    }
}

/// The hub flagged this connection: a full queue (a slow consumer), or a
/// restart that found the queue full (still a 1012, not a slow consumer).
fn on_kill(session: &mut Session, code: u16, now: OffsetDateTime) {
    if code == crate::hub::KILL_RESTART {
        session.on_outbound(Outbound::Restart);
    } else {
        session.on_overflow(now);
    }
}

async fn untrack(state: &AppState, connection: ConnectionId) {
    if let Err(e) = state
        .service
        .ports()
        .instances
        .untrack(&state.instance_id, connection)
        .await
    {
        tracing::debug!(%connection, error = %e, "untrack failed");
    }
}

/// After the reconnect grace period, the user leaves unless they came back.
/// If this instance dies first, the connection is still tracked, and the
/// instance that claims it announces the leave.
fn schedule_grace(
    state: std::sync::Arc<AppState>,
    room_id: RoomId,
    user_id: UserId,
    connection: ConnectionId,
) {
    let grace = Duration::from_secs(state.settings.rooms.reconnect_grace_secs);
    actix_rt::spawn(async move {
        tokio::time::sleep(grace).await;
        if let Err(e) = state
            .service
            .grace_expired(&room_id, &user_id, connection)
            .await
        {
            tracing::warn!(%room_id, %user_id, error = %e, "ending the grace period failed");
            return;
        }
        untrack(&state, connection).await;
    });
}

/// Whether the stored room no longer seats this connection: the room is
/// gone, or holds neither the user nor the user in the waiting room with
/// this connection. A store error is not a lost seat (the store may be
/// briefly away).
async fn seat_lost(
    service: &signaling_core::RoomService,
    room_id: &signaling_core::RoomId,
    user_id: &signaling_core::UserId,
    connection: signaling_core::ConnectionId,
) -> bool {
    match service.room(room_id).await {
        Err(e) => e.code == ErrorCode::RoomNotFound,
        Ok(room) => !room.seats(user_id, connection),
    }
}
