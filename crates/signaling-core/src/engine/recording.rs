//! The room's recordings: one active at a time, each transition written to
//! the durable store (`Effect::StoreRecording`); the time limit; and the
//! check before recorded media is uploaded.

use super::*;

impl Engine {
    /// Starts, stops, pauses, resumes or cancels the room's recording (needs
    /// `can_record`; one active recording per room), or reports one to the
    /// asker (any member). Wrong transitions give `INVALID_STATE_TRANSITION`.
    pub(super) fn recording_control(
        &self,
        room: &mut Room,
        now: OffsetDateTime,
        actor: &Actor,
        req: RecordingControlReq,
    ) -> Result<(RecordingView, Vec<Effect>), SignalError> {
        let me = &self.member(room, actor)?.clone();
        let t = now;
        if req.action != RecordingAction::Status && !me.permissions.can_record {
            return Err(SignalError::denied("you may not control recordings"));
        }
        if req.action == RecordingAction::Start {
            if room.recordings.iter().any(|r| r.is_active()) {
                return Err(SignalError::new(
                    ErrorCode::RecordingAlreadyActive,
                    "a recording is already running in this room",
                ));
            }
            // The service names it after the slot it took; else a new id.
            let id = req
                .recording_id
                .clone()
                .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
            let r = ::recording::Recording::start(
                id,
                room.id.to_string(),
                me.user_id.to_string(),
                req.format.unwrap_or(::recording::Format::Webm),
                req.quality.unwrap_or(::recording::Quality::Medium),
                t,
            );
            room.recordings.push(r.clone());
            let view = RecordingView::of(&r, t);
            let msg = ServerMessage::RecordingStarted {
                recording: view.clone(),
            };
            return Ok((
                view,
                vec![deliver(everyone(room), msg), Effect::StoreRecording(r)],
            ));
        }
        let id = req
            .recording_id
            .as_deref()
            .ok_or_else(|| SignalError::invalid("recording_id is required"))?;
        let r = room
            .recordings
            .iter_mut()
            .find(|r| r.recording_id == id)
            .ok_or_else(|| {
                SignalError::new(ErrorCode::RecordingNotFound, format!("no recording {id}"))
            })?;
        if req.action != RecordingAction::Status
            && r.started_by != me.user_id.as_str()
            && me.role != Role::Host
        {
            return Err(SignalError::denied(
                "only who started the recording, or a host, may control it",
            ));
        }
        let transition = match req.action {
            RecordingAction::Stop => r.stop(t),
            RecordingAction::Pause => r.pause(t),
            RecordingAction::Resume => r.resume(t),
            RecordingAction::Cancel => r.cancel(t),
            RecordingAction::Start | RecordingAction::Status => Ok(()),
        };
        transition
            .map_err(|e| SignalError::new(ErrorCode::InvalidStateTransition, e.to_string()))?;
        let r = r.clone();
        let view = RecordingView::of(&r, t);
        let recording = view.clone();
        let (msg, to) = match req.action {
            RecordingAction::Stop => (
                ServerMessage::RecordingStopped { recording },
                everyone(room),
            ),
            RecordingAction::Pause => {
                (ServerMessage::RecordingPaused { recording }, everyone(room))
            }
            RecordingAction::Resume => (
                ServerMessage::RecordingResumed { recording },
                everyone(room),
            ),
            RecordingAction::Cancel => (
                ServerMessage::RecordingCancelled { recording },
                everyone(room),
            ),
            RecordingAction::Start | RecordingAction::Status => (
                ServerMessage::RecordingStatus { recording },
                vec![me.user_id.clone()],
            ),
        };
        let mut effects = vec![deliver(to, msg)];
        if req.action != RecordingAction::Status {
            effects.push(Effect::StoreRecording(r));
        }
        Ok((view, effects))
    }

    /// Stops a running recording that reached the maximum duration.
    pub fn recording_time_limit(
        &self,
        room: &mut Room,
        now: OffsetDateTime,
        id: &str,
    ) -> Vec<Effect> {
        let Some(r) = room
            .recordings
            .iter_mut()
            .find(|r| r.recording_id == id && r.is_active())
        else {
            return Vec::new();
        };
        if r.stop(now).is_err() {
            return Vec::new();
        }
        let r = r.clone();
        let recording = RecordingView::of(&r, now);
        vec![
            deliver(
                everyone(room),
                ServerMessage::RecordingStopped { recording },
            ),
            Effect::StoreRecording(r),
        ]
    }

    /// Checks that `actor` may upload media for recording `id` now: a
    /// member who may publish, while the recording runs (not while paused).
    pub(super) fn check_recording_upload(
        &self,
        room: &Room,
        actor: &Actor,
        id: &str,
    ) -> Result<::recording::Recording, SignalError> {
        let me = self.member(room, actor)?;
        if !me.permissions.can_publish() {
            return Err(SignalError::new(
                ErrorCode::MediaNotAllowed,
                "viewers do not upload media",
            ));
        }
        let r = room
            .recordings
            .iter()
            .find(|r| r.recording_id == id)
            .ok_or_else(|| {
                SignalError::new(ErrorCode::RecordingNotFound, format!("no recording {id}"))
            })?;
        if r.status != ::recording::RecordingStatus::Recording {
            return Err(SignalError::new(
                ErrorCode::InvalidStateTransition,
                format!(
                    "the recording is {:?}; media is accepted only while it records",
                    r.status
                ),
            ));
        }
        Ok(r.clone())
    }
}
