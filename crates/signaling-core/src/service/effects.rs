//! Carrying out an engine step's effects, in order: records first, then
//! deliveries (logged for replay, then published), then analytics; and
//! notices from other services, delivered the same way.

use super::*;

impl RoomService {
    /// Carries out effects: store chat and recording records first (so what
    /// a client has seen is already in history), then publish deliveries and
    /// disconnects, then record analytics. Storage failures are logged,
    /// never fail the action: live delivery matters more than history.
    /// A failed publish is logged too and does not fail the action either:
    /// the room change is already written and stands, and a replayable
    /// delivery was appended to the replay log before the publish, so a
    /// client that missed it gets it when it resumes.
    pub async fn run_effects(&self, room_id: &RoomId, effects: Vec<Effect>) {
        self.carry_out(room_id, effects, None, None).await
    }

    /// [`RoomService::run_effects`] after a write that left the room at
    /// `written` (`Some(None)`: a version unknown here, as when the write
    /// created it): every published event carries the version, and when
    /// nothing else is published a [`BusKind::RoomChanged`] is, so other
    /// instances drop their older view of the room; this instance drops
    /// its own at once. `room`, when given, is the room the effects came
    /// from: it says which instance holds each recipient, so that an event
    /// that follows no write goes only to the instances that need it.
    pub(super) async fn carry_out(
        &self,
        room_id: &RoomId,
        mut effects: Vec<Effect>,
        written: Option<Option<u64>>,
        room: Option<&Room>,
    ) {
        let announce = written.is_some();
        if let Some(v) = written {
            self.views.changed(room_id, v, self.now());
        }
        let version = written.flatten();
        let mut announced = written.is_none();
        effects.sort_by_key(|e| match e {
            Effect::StoreChat(_)
            | Effect::ReplaceChat(_)
            | Effect::ReactChat { .. }
            | Effect::MarkRead(_)
            | Effect::RemoveChat { .. }
            | Effect::StoreRecording(_) => 0,
            Effect::Deliver { .. } | Effect::Disconnect { .. } | Effect::Media(_) => 1,
            Effect::Analytics(_) => 2,
        });
        // Lifecycle events first, right after the write: a sweep that
        // deletes the room just emptied (and emits `room_finished`) must
        // not overtake the `participant_left` of the leave that emptied it.
        for e in &effects {
            self.emit_lifecycle(room_id, e).await;
        }
        for e in effects {
            let kind = match e {
                Effect::Deliver { to, message } => {
                    if matches!(&to, Audience::Users(u) if u.is_empty()) {
                        continue;
                    }
                    let mut payload = message.to_json();
                    let mut seq = None;
                    if let Audience::Users(users) = &to
                        && message.is_replayable()
                    {
                        let audience = users.iter().map(|u| u.to_string()).collect();
                        let now_ms = unix_ms(self.now());
                        match self
                            .ports
                            .log
                            .append(room_id.as_str(), now_ms, audience, payload.clone())
                            .await
                        {
                            Ok(n) => {
                                payload = with_seq(&payload, n);
                                seq = Some(n);
                            }
                            Err(err) => {
                                tracing::warn!(%room_id, error = %err, "replay log append failed")
                            }
                        }
                    }
                    BusKind::Deliver {
                        to,
                        payload: payload.into(),
                        seq,
                    }
                }
                Effect::Disconnect { connection, code } => BusKind::Disconnect { connection, code },
                Effect::StoreChat(record) => {
                    if let Err(err) = self.ports.chat.append(&record).await {
                        tracing::warn!(%room_id, error = %err, "chat history append failed");
                    }
                    continue;
                }
                Effect::ReactChat {
                    message_id,
                    emoji,
                    user_id,
                    active,
                } => {
                    let chat = &self.ports.chat;
                    if let Err(err) = chat
                        .react(room_id, &message_id, &emoji, &user_id, active)
                        .await
                    {
                        tracing::warn!(%room_id, error = %err, "chat reaction not stored");
                    }
                    continue;
                }
                Effect::MarkRead(receipt) => {
                    if let Err(err) = self.ports.receipts.mark(room_id, &receipt).await {
                        tracing::warn!(%room_id, error = %err, "read mark not stored");
                    }
                    continue;
                }
                Effect::ReplaceChat(record) => {
                    if let Err(err) = self.ports.chat.replace(&record).await {
                        tracing::warn!(%room_id, error = %err, "chat history edit failed");
                    }
                    continue;
                }
                Effect::RemoveChat {
                    message_id,
                    deleted_by,
                } => {
                    if let Err(err) = self.ports.chat.remove(room_id, &message_id).await {
                        tracing::warn!(%room_id, error = %err, "chat history delete failed");
                    }
                    // Its chat-message and chat-updated events in the
                    // replay log carry `"id":"<id>"` (a UUID): they become
                    // the deletion.
                    let needle = format!("\"id\":{}", serde_json::Value::from(message_id.clone()));
                    let gone = ServerMessage::ChatDeleted {
                        message_id,
                        deleted_by,
                    };
                    if let Err(err) = self
                        .ports
                        .log
                        .redact(room_id.as_str(), &needle, &gone.to_json())
                        .await
                    {
                        tracing::warn!(%room_id, error = %err, "replay log redaction failed");
                    }
                    continue;
                }
                Effect::Media(request) => {
                    // Boxed: it is rare, and would size every relay's future.
                    Box::pin(self.route_media(room_id, request)).await;
                    continue;
                }
                Effect::Analytics(record) => {
                    if let Err(err) = self.ports.analytics.record(&record).await {
                        tracing::warn!(%room_id, error = %err, "analytics record failed");
                    }
                    continue;
                }
                Effect::StoreRecording(record) => {
                    if !record.is_active() {
                        // Stopped or cancelled: its running slot is free.
                        let slots = crate::quota::keys::RECORDING_SLOTS;
                        if let Err(err) = self
                            .ports
                            .quotas
                            .release_slot(slots, &record.recording_id)
                            .await
                        {
                            tracing::warn!(%room_id, recording = %record.recording_id, error = %err, "freeing a recording slot failed");
                        }
                    }
                    if let Err(err) = self.ports.recordings.put(&record).await {
                        tracing::warn!(%room_id, recording = %record.recording_id, error = %err, "recording store put failed");
                    } else if matches!(
                        record.status,
                        recording::RecordingStatus::Processing
                            | recording::RecordingStatus::Cancelled
                    ) {
                        // Processing makes the files; a cancel removes the chunks.
                        self.ports.jobs.enqueue(&record.recording_id);
                    }
                    continue;
                }
            };
            announced = true;
            self.publish(room_id, kind, version, announce, room).await;
        }
        if !announced {
            self.publish(room_id, BusKind::RoomChanged, version, true, None)
                .await;
        }
    }

    /// Tells every instance the room is past `version` (a deletion).
    pub(super) async fn publish_changed(&self, room_id: &RoomId, version: u64) {
        self.publish(room_id, BusKind::RoomChanged, Some(version), true, None)
            .await;
    }

    /// Delivers one event to this instance's connections, then publishes
    /// what the others need (see [`RoomService::subscribe`]): after a
    /// write (`announce`), the event to every instance, so each learns the
    /// room's version; otherwise nothing when every recipient is here, and
    /// else one publish to each instance that holds a recipient, or to
    /// all when `room` cannot say where one is. A failure is logged (see
    /// `run_effects`).
    pub(super) async fn publish(
        &self,
        room_id: &RoomId,
        kind: BusKind,
        version: Option<u64>,
        announce: bool,
        room: Option<&Room>,
    ) {
        let event = BusEvent {
            room_id: room_id.clone(),
            kind,
            version,
            origin: Some(self.origin),
        };
        let Some(local) = self.local.get() else {
            // Not subscribed (a tool, a test): the bus carries everything.
            return self.publish_all(event).await;
        };
        let all_here = local.deliver_here(&event);
        if announce {
            return self.publish_all(event).await;
        }
        if all_here {
            return;
        }
        match self.routes(room, &event) {
            Some(routes) => {
                for (instance, event) in routes {
                    if let Err(err) = self.ports.bus.publish_to(instance, event).await {
                        tracing::warn!(%room_id, %instance, error = %err, "event bus publish failed");
                    }
                }
            }
            None => self.publish_all(event).await,
        }
    }

    async fn publish_all(&self, event: BusEvent) {
        let room_id = event.room_id.clone();
        if let Err(err) = self.ports.bus.publish(event).await {
            tracing::warn!(%room_id, error = %err, "event bus publish failed");
        }
    }

    /// The other instances `event` must go to, each with the part of its
    /// audience connected there: read from the connection ids
    /// ([`ConnectionId::instance`]), the users' in `room`. `None` when a
    /// recipient's instance is unknown, or users are named without a
    /// `room` (then every instance gets it).
    fn routes(
        &self,
        room: Option<&Room>,
        event: &BusEvent,
    ) -> Option<Vec<(InstanceTag, BusEvent)>> {
        let elsewhere = |c: ConnectionId| -> Option<Option<InstanceTag>> {
            let i = c.instance()?;
            Some((i != self.origin).then_some(i))
        };
        let to_one = |c: ConnectionId| -> Option<Vec<(InstanceTag, BusEvent)>> {
            Some(
                elsewhere(c)?
                    .map(|i| (i, event.clone()))
                    .into_iter()
                    .collect(),
            )
        };
        match &event.kind {
            BusKind::Deliver {
                to: Audience::Users(users),
                payload,
                seq,
            } => {
                let room = room?;
                let mut groups: Vec<(InstanceTag, Vec<UserId>)> = Vec::new();
                for u in users {
                    let connection = room.participant(u).map(|p| p.connection).or_else(|| {
                        room.waiting
                            .iter()
                            .find(|w| &w.user_id == u)
                            .map(|w| w.connection)
                    })?;
                    let Some(i) = elsewhere(connection)? else {
                        continue; // here: delivered already
                    };
                    match groups.iter_mut().find(|(g, _)| *g == i) {
                        Some((_, us)) => us.push(u.clone()),
                        None => groups.push((i, vec![u.clone()])),
                    }
                }
                Some(
                    groups
                        .into_iter()
                        .map(|(i, users)| {
                            // Field by field: `..event.clone()` copied
                            // the payload a second time.
                            let part = BusEvent {
                                room_id: event.room_id.clone(),
                                kind: BusKind::Deliver {
                                    to: Audience::Users(users),
                                    payload: payload.clone(),
                                    seq: *seq,
                                },
                                version: event.version,
                                origin: event.origin,
                            };
                            (i, part)
                        })
                        .collect(),
                )
            }
            BusKind::Deliver {
                to: Audience::Connection(c),
                ..
            } => to_one(*c),
            BusKind::Disconnect { connection, .. } => to_one(*connection),
            BusKind::RoomChanged | BusKind::Media(_) => None,
        }
    }

    /// Passes the lifecycle events among `effect` to the event sink
    /// (webhooks): joins and leaves from their analytics records (which the
    /// engine writes exactly once per fresh join and per leave; a resumed
    /// seat is neither), recording transitions from their broadcasts.
    async fn emit_lifecycle(&self, room_id: &RoomId, effect: &Effect) {
        let (event, data) = match effect {
            Effect::Analytics(r) if r.event_type == "join" || r.event_type == "leave" => {
                let mut data = r.data.clone();
                data.insert("user_id".into(), r.user_id.clone().into());
                let event = if r.event_type == "join" {
                    "participant_joined"
                } else {
                    "participant_left"
                };
                (event, serde_json::Value::Object(data))
            }
            Effect::Deliver { message, .. } => {
                let (event, recording) = match message {
                    ServerMessage::RecordingStarted { recording } => {
                        ("recording_started", recording)
                    }
                    ServerMessage::RecordingStopped { recording } => {
                        ("recording_stopped", recording)
                    }
                    ServerMessage::RecordingPaused { recording } => ("recording_paused", recording),
                    ServerMessage::RecordingResumed { recording } => {
                        ("recording_resumed", recording)
                    }
                    ServerMessage::RecordingCancelled { recording } => {
                        ("recording_cancelled", recording)
                    }
                    ServerMessage::LiveStreamStart { stream } => {
                        let data = serde_json::json!({ "stream": stream });
                        return self
                            .ports
                            .events
                            .emit(room_id, "live_stream_started", data)
                            .await;
                    }
                    ServerMessage::LiveStreamUpdate { stream } => {
                        let data = serde_json::json!({ "stream": stream });
                        return self
                            .ports
                            .events
                            .emit(room_id, "live_stream_updated", data)
                            .await;
                    }
                    ServerMessage::LiveStreamStop { stream } => {
                        let data = serde_json::json!({ "stream": stream });
                        return self
                            .ports
                            .events
                            .emit(room_id, "live_stream_stopped", data)
                            .await;
                    }
                    _ => return,
                };
                let data = serde_json::json!({ "recording": recording });
                (event, data)
            }
            _ => return,
        };
        self.ports.events.emit(room_id, event, data).await;
    }

    /// Delivers `message` to `users` of a room (notices of other services,
    /// such as file transfer), through the log and the bus like any event.
    pub async fn notify(&self, room_id: &RoomId, users: Vec<UserId>, message: ServerMessage) {
        self.run_effects(
            room_id,
            vec![Effect::Deliver {
                to: Audience::Users(users),
                message,
            }],
        )
        .await;
    }

    /// Tells everyone in a room, if it still exists.
    pub async fn notify_room(&self, room_id: &RoomId, message: ServerMessage) {
        if let Ok(room) = self.snapshot(room_id).await {
            let users = room
                .participants
                .iter()
                .map(|p| p.user_id.clone())
                .collect();
            self.notify(room_id, users, message).await;
        }
    }
}
