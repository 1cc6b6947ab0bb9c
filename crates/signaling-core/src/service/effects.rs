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
        self.carry_out(room_id, effects, None).await
    }

    /// [`RoomService::run_effects`] after a write that left the room at
    /// `written` (`Some(None)`: a version unknown here, as when the write
    /// created it): every published event carries the version, and when
    /// nothing else is published a [`BusKind::RoomChanged`] is, so other
    /// instances drop their older view of the room; this instance drops
    /// its own at once.
    pub(super) async fn carry_out(
        &self,
        room_id: &RoomId,
        mut effects: Vec<Effect>,
        written: Option<Option<u64>>,
    ) {
        if let Some(v) = written {
            self.views.changed(room_id, v, self.now());
        }
        let version = written.flatten();
        let mut announced = written.is_none();
        effects.sort_by_key(|e| match e {
            Effect::StoreChat(_) | Effect::StoreRecording(_) => 0,
            Effect::Deliver { .. } | Effect::Disconnect { .. } => 1,
            Effect::Analytics(_) => 2,
        });
        for e in effects {
            self.emit_lifecycle(room_id, &e).await;
            let kind = match e {
                Effect::Deliver { to, message } => {
                    if matches!(&to, Audience::Users(u) if u.is_empty()) {
                        continue;
                    }
                    let mut payload = message.to_json();
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
                            Ok(seq) => payload = with_seq(&payload, seq),
                            Err(err) => {
                                tracing::warn!(%room_id, error = %err, "replay log append failed")
                            }
                        }
                    }
                    BusKind::Deliver { to, payload }
                }
                Effect::Disconnect { connection, code } => BusKind::Disconnect { connection, code },
                Effect::StoreChat(record) => {
                    if let Err(err) = self.ports.chat.append(&record).await {
                        tracing::warn!(%room_id, error = %err, "chat history append failed");
                    }
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
            self.publish(room_id, kind, version).await;
        }
        if !announced {
            self.publish(room_id, BusKind::RoomChanged, version).await;
        }
    }

    /// Tells every instance the room is past `version` (a deletion).
    pub(super) async fn publish_changed(&self, room_id: &RoomId, version: u64) {
        self.publish(room_id, BusKind::RoomChanged, Some(version))
            .await;
    }

    /// Delivers one event to this instance's connections and publishes it
    /// for the others, unless every recipient is here and there is no
    /// write to announce (see [`RoomService::subscribe`]); a failure is
    /// logged (see `run_effects`).
    async fn publish(&self, room_id: &RoomId, kind: BusKind, version: Option<u64>) {
        let event = BusEvent {
            room_id: room_id.clone(),
            kind,
            version,
            origin: Some(self.origin),
        };
        let all_here = self.local.get().is_some_and(|s| s.deliver_here(&event));
        if all_here && version.is_none() {
            return;
        }
        if let Err(err) = self.ports.bus.publish(event).await {
            tracing::warn!(%room_id, error = %err, "event bus publish failed");
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

    /// Sends an `error` message to one connection (for frames that never
    /// reached the engine).
    pub async fn send_error(&self, room_id: &RoomId, connection: ConnectionId, msg: ServerMessage) {
        self.run_effects(
            room_id,
            vec![Effect::Deliver {
                to: Audience::Connection(connection),
                message: msg,
            }],
        )
        .await;
    }
}
