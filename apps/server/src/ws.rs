//! One WebSocket session: authenticate, join, then a loop that feeds client
//! frames to the room service and writes hub output back, with heartbeat,
//! idle timeout, size limit and slow-consumer handling.

use std::time::{Duration, Instant};
use tracing::Instrument;

use actix_web::{HttpRequest, HttpResponse, web};
use actix_ws::{AggregatedMessage, CloseCode, CloseReason};
use futures_util::StreamExt as _;
use signaling_core::protocol::{self, ServerMessage};
use signaling_core::{
    Actor, ConnectionId, ErrorCode, JoinOutcome, JoinRequest, ReplayOutcome, RoomId, SignalError,
    UserId,
};

use crate::AppState;
use crate::auth_extract::identity_from_request;
use crate::http_error::{ApiError, close_code};
use crate::hub::Outbound;

fn close_reason(code: ErrorCode) -> CloseReason {
    CloseReason {
        code: CloseCode::Other(close_code(code)),
        description: Some(code.as_str().to_owned()),
    }
}

/// `?last_sequence=N` of a resuming client (the token may be there too).
#[derive(serde::Deserialize)]
struct ResumeQuery {
    last_sequence: Option<u64>,
}

/// `GET /webrtc/ws/{room_id}`: token errors are refused before the upgrade
/// with an HTTP error; room refusals (full, locked, banned) are sent as an
/// `error` message followed by a close with code `4000 + status`.
pub async fn ws_entry(
    req: HttpRequest,
    body: web::Payload,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let room_id = RoomId::parse(&path)?;
    let identity = identity_from_request(&req, &state)?;
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
        state.settings.ws.max_connections_per_user,
        state.settings.ws.max_connections_per_ip,
    )?;
    let (response, mut session, stream) = actix_ws::handle(&req, body).map_err(|e| {
        ApiError(SignalError::new(
            ErrorCode::InvalidMessage,
            format!("WebSocket handshake failed: {e}"),
        ))
    })?;
    let settings = state.settings.clone();
    let max = settings.ws.max_message_bytes;
    let mut stream = stream
        .max_frame_size(max)
        .aggregate_continuations()
        .max_continuation_size(max);
    let connection = ConnectionId::new();
    let (handle, mut rx) =
        state
            .hub
            .register(&room_id, &user_id, connection, settings.ws.send_queue);

    let state = state.into_inner();
    state.metrics.connection_opened();
    let span =
        tracing::info_span!("ws", connection = %connection, room = %room_id, user = %user_id);
    actix_rt::spawn(
        async move {
        // Held for the life of the session.
        let admitted = admitted;
        let service = &state.service;
        let metrics = &state.metrics;
        let join = service
            .join(
                &room_id,
                JoinRequest {
                    user_id: user_id.clone(),
                    name: grant.name.clone(),
                    role: grant.role,
                    permissions: grant.permissions,
                    connection,
                },
            )
            .await;
        let tracked = signaling_core::ports::TrackedConnection {
            room_id: room_id.clone(),
            user_id: user_id.clone(),
            connection,
        };
        if join.is_ok()
            && let Err(e) = service
                .ports()
                .instances
                .track(&state.instance_id, &tracked)
                .await
        {
            tracing::warn!(%room_id, %user_id, error = %e, "could not register the connection for liveness");
        }
        let actor = Actor {
            user_id: user_id.clone(),
            connection: Some(connection),
        };
        // Live events with a seq up to this one are covered by the replay
        // sent first and are skipped: no duplicates.
        // A fresh join skips nothing: the room state does not carry chat,
        // so an event raced in between the join and the state must still
        // be delivered (clients treat a repeated join or update as a no-op).
        let mut covered_up_to = 0u64;
        let first: Vec<String> = match join {
            Ok(JoinOutcome::Joined { state: view, rejoined }) => {
                let state_msg = ServerMessage::RoomState(*view);
                match resume_after {
                    None => vec![state_msg.to_json()],
                    // A resume that found no seat to take back (the grace
                    // period passed, or the shared state lost it): whatever
                    // the client holds is stale, so it gets the whole state.
                    Some(last) if !rejoined => {
                        let latest = state_msg_latest(&state_msg);
                        vec![
                            ServerMessage::ResyncRequired {
                                requested_sequence: last,
                                last_sequence: latest,
                            }
                            .to_json(),
                            state_msg.to_json(),
                        ]
                    }
                    Some(last) => match service.replay(&room_id, &actor, last).await {
                        Ok(ReplayOutcome::Events { events, latest }) => {
                            covered_up_to = latest;
                            let mut out = vec![
                                ServerMessage::ReconnectionDetected {
                                    missed_message_count: events.len(),
                                    last_sequence: latest,
                                }
                                .to_json(),
                            ];
                            out.extend(events.into_iter().map(|(_, json)| json));
                            out
                        }
                        Ok(ReplayOutcome::Resync { state: s, latest }) => {
                            // As for a fresh join: nothing is skipped.
                            vec![
                                ServerMessage::ResyncRequired {
                                    requested_sequence: last,
                                    last_sequence: latest,
                                }
                                .to_json(),
                                ServerMessage::RoomState(*s).to_json(),
                            ]
                        }
                        Err(e) => {
                            tracing::warn!(%room_id, %user_id, error = %e, "replay failed; sending the state");
                            vec![state_msg.to_json()]
                        }
                    },
                }
            }
            Ok(JoinOutcome::Waiting { .. }) => vec![], // the waiting notice comes through the hub
            Err(e) => {
                metrics.join_refused();
                metrics.error(e.code);
                let _ = session.text(ServerMessage::error(&e, None).to_json()).await;
                let _ = session.close(Some(close_reason(e.code))).await;
                state.hub.unregister(&room_id, &user_id, connection);
                return;
            }
        };
        for m in first {
            if session.text(m).await.is_err() {
                state.hub.unregister(&room_id, &user_id, connection);
                let _ = service
                    .connection_lost(&room_id, &user_id, connection)
                    .await;
                schedule_grace(state.clone(), room_id, user_id, connection);
                return;
            }
        }
        tracing::debug!(%room_id, %user_id, %connection, "joined");
        // Whether the client is gone for good (a goodbye, or the server closed
        // it for misbehaving) or may come back (a drop).
        let mut goodbye = false;
        let idle = Duration::from_secs(settings.ws.idle_timeout_secs);
        let mut heartbeat =
            tokio::time::interval(Duration::from_secs(settings.ws.heartbeat_secs.max(1)));
        heartbeat.tick().await;
        let mut last_seen = Instant::now();
        // The hub notifies only when this connection's queue overflowed. One
        // long-lived waiter: making one per loop turn cost 3 % of the relay.
        let kill = handle.kill.notified();
        tokio::pin!(kill);
        let close: Option<CloseReason> = loop {
            tokio::select! {
                biased;
                _ = &mut kill => {
                    metrics.slow_consumer();
                    break Some(close_reason(ErrorCode::SlowConsumer));
                }
                out = rx.recv() => match out {
                    Some(Outbound::Text(t)) => {
                        if protocol::seq_of(&t).is_some_and(|s| s <= covered_up_to) { continue; }
                        // A client that stopped reading blocks this write; its
                        // queue then fills and the hub flags it: stop waiting.
                        tokio::select! {
                            biased;
                            r = session.text(&*t) => if r.is_err() { break None; },
                            _ = &mut kill => {
                                metrics.slow_consumer();
                                break Some(close_reason(ErrorCode::SlowConsumer));
                            }
                        }
                        metrics.frame_sent();
                    }
                    Some(Outbound::Close(code)) => {
                        metrics.error(code);
                        let e = SignalError::new(code, code.hint());
                        let _ = session.text(ServerMessage::error(&e, None).to_json()).await;
                        break Some(close_reason(code));
                    }
                    None => break None,
                },
                frame = stream.next() => {
                    last_seen = Instant::now();
                    match frame {
                        Some(Ok(AggregatedMessage::Text(text))) => {
                            metrics.frame_received();
                            let result = match protocol::decode(&text) {
                                // Answered here, without shared state, so a
                                // client can tell a live server from a dead
                                // one even while Redis is away.
                                Ok(protocol::ClientMessage::Ping(p)) => {
                                    let pong = ServerMessage::Pong { ts: p.ts, server_time: state.service.now() };
                                    if session.text(pong.to_json()).await.is_err() { break None; }
                                    Ok(())
                                }
                                Ok(msg) => {
                                    let ty = msg.message_type();
                                    let started = Instant::now();
                                    let r = service.execute(&room_id, &actor, msg.into()).await;
                                    metrics.message_handled(ty, started.elapsed());
                                    r.map(drop).map_err(|e| (e, Some(ty)))
                                }
                                Err(e) => Err((e, None)),
                            };
                            if let Err((e, ty)) = result {
                                metrics.error(e.code);
                                if e.code == ErrorCode::SessionReplaced {
                                    goodbye = true;
                                    break Some(close_reason(e.code));
                                }
                                // The room or our seat is gone although we never
                                // left: the shared store lost its data. Close so
                                // the client joins again instead of failing forever.
                                if matches!(e.code, ErrorCode::RoomNotFound | ErrorCode::UserNotInRoom)
                                    && seat_lost(service, &room_id, &user_id, connection).await
                                {
                                    let lost = SignalError::new(ErrorCode::SessionLost, ErrorCode::SessionLost.hint());
                                    metrics.error(lost.code);
                                    tracing::warn!(%room_id, %user_id, "seat lost from the shared state; closing so the client rejoins");
                                    let _ = session.text(ServerMessage::error(&lost, ty).to_json()).await;
                                    goodbye = true;
                                    break Some(close_reason(lost.code));
                                }
                                if session.text(ServerMessage::error(&e, ty).to_json()).await.is_err() { break None; }
                            }
                        }
                        Some(Ok(AggregatedMessage::Binary(_))) => {
                            let e = SignalError::new(ErrorCode::InvalidMessage, "binary frames are not part of the protocol");
                            if session.text(ServerMessage::error(&e, None).to_json()).await.is_err() { break None; }
                        }
                        Some(Ok(AggregatedMessage::Ping(b))) => {
                            if session.pong(&b).await.is_err() { break None; }
                        }
                        Some(Ok(AggregatedMessage::Pong(_))) => {}
                        Some(Ok(AggregatedMessage::Close(reason))) => {
                            // 1000 or no code: the application closed on purpose.
                            // 1001 (page unload or refresh) and the rest may come back.
                            goodbye = reason.as_ref().is_none_or(|r| r.code == CloseCode::Normal);
                            break None;
                        }
                        None => break None,
                        Some(Err(actix_ws::ProtocolError::Overflow)) => {
                            goodbye = true;
                            let e = SignalError::new(ErrorCode::MessageTooLarge, format!("messages are limited to {max} bytes"));
                            let _ = session.text(ServerMessage::error(&e, None).to_json()).await;
                            break Some(CloseReason { code: CloseCode::Size, description: Some(e.code.as_str().into()) });
                        }
                        Some(Err(actix_ws::ProtocolError::Io(err))) => {
                            // The network went away: the client may come back.
                            tracing::debug!(%room_id, %user_id, error = %err, "connection lost");
                            break None;
                        }
                        Some(Err(err)) => {
                            goodbye = true;
                            tracing::debug!(%room_id, %user_id, error = %err, "protocol error");
                            break Some(CloseReason { code: CloseCode::Protocol, description: Some("INVALID_MESSAGE".into()) });
                        }
                    }
                }
                _ = heartbeat.tick() => {
                    if last_seen.elapsed() > idle {
                        let e = SignalError::new(ErrorCode::IdleTimeout, "no frames received within the idle timeout");
                        let _ = session.text(ServerMessage::error(&e, None).to_json()).await;
                        break Some(close_reason(ErrorCode::IdleTimeout));
                    }
                    if session.ping(b"").await.is_err() { break None; }
                }
            }
        };
        state.hub.unregister(&room_id, &user_id, connection);
        // The place is free before the client sees the close.
        drop(admitted);
        // A client that does not read cannot take the close frame either.
        let _ = tokio::time::timeout(Duration::from_secs(2), session.close(close)).await;
        if goodbye || settings.rooms.reconnect_grace_secs == 0 {
            if let Err(e) = service.leave(&room_id, &user_id, connection).await {
                tracing::warn!(%room_id, %user_id, error = %e, "leave failed");
            }
            untrack(&state, connection).await;
        } else {
            if let Err(e) = service
                .connection_lost(&room_id, &user_id, connection)
                .await
            {
                tracing::warn!(%room_id, %user_id, error = %e, "marking reconnecting failed");
            }
            schedule_grace(state.clone(), room_id.clone(), user_id.clone(), connection);
        }
        tracing::debug!(%room_id, %user_id, %connection, "closed");
        }
        .instrument(span),
    );
    Ok(response)
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

/// Closes, with `SESSION_LOST`, every settled local connection whose seat
/// the shared state no longer holds (the store lost its data, e.g. a Redis
/// restarted without persistence): its client rejoins and the room is
/// rebuilt, instead of the connection staying open and deaf. Returns how
/// many were closed. One room read per room with local connections;
/// connections younger than `min_age` may still be joining and are left.
pub async fn audit_seats(state: &AppState, min_age: Duration) -> usize {
    let mut lost = 0;
    for (room_id, seats) in state.hub.settled_seats(min_age) {
        if seats.is_empty() {
            continue;
        }
        let room = match state.service.room(&room_id).await {
            Ok(r) => Some(r),
            Err(e) if e.code == ErrorCode::RoomNotFound => None,
            Err(_) => continue, // the store is away: nothing to conclude
        };
        for (user, connection) in seats {
            let seated = room.as_ref().is_some_and(|r| r.seats(&user, connection));
            if !seated {
                state.hub.close(connection, ErrorCode::SessionLost);
                lost += 1;
            }
        }
    }
    lost
}

/// The `last_sequence` a `room-state` message carries.
fn state_msg_latest(m: &ServerMessage) -> u64 {
    match m {
        ServerMessage::RoomState(v) => v.last_sequence,
        _ => 0,
    }
}
