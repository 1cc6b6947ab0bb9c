//! The room's recordings: one active at a time, each transition written to
//! the durable store (`Effect::StoreRecording`); the time limit; and the
//! check before recorded media is uploaded. A server recording (SFU rooms;
//! their default) is made by the room's media plane: each transition of
//! it also goes there ([`EgressRequest`]), and no client uploads.

use super::stream::{egress, egress_as};
use super::*;
use ::recording::{Recording, Source};

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
            let sfu = room.settings.media_mode == MediaMode::Sfu;
            let source = req
                .source
                .unwrap_or(if sfu { Source::Server } else { Source::Client });
            if source == Source::Server && !sfu {
                return Err(SignalError::new(
                    ErrorCode::MediaModeMismatch,
                    "a server recording needs an SFU room: in a mesh room the server has no media",
                ));
            }
            // The service names it after the slot it took; else a new id.
            let id = req
                .recording_id
                .clone()
                .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
            // The composite is H.264 and AAC: MP4 keeps it as it is.
            let format = req.format.unwrap_or(match source {
                Source::Server => ::recording::Format::Mp4,
                Source::Client => ::recording::Format::Webm,
            });
            let quality = req.quality.unwrap_or(::recording::Quality::Medium);
            let mut r = Recording::start(
                id,
                room.id.to_string(),
                me.user_id.to_string(),
                format,
                quality,
                t,
            );
            let mut effects = vec![];
            if source == Source::Server {
                let layout = req.layout.unwrap_or_default();
                r = r.by_server(layout);
                effects.push(egress(
                    me,
                    EgressRequest::Record {
                        recording_id: r.recording_id.clone(),
                        layout,
                        quality,
                    },
                ));
            }
            room.recordings.push(r.clone());
            let view = RecordingView::of(&r, t);
            let msg = ServerMessage::RecordingStarted {
                recording: view.clone(),
            };
            effects.splice(
                0..0,
                [deliver(everyone(room), msg), Effect::StoreRecording(r)],
            );
            return Ok((view, effects));
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
            if r.source == Source::Server {
                let id = r.recording_id.clone();
                effects.push(egress(
                    me,
                    match req.action {
                        RecordingAction::Pause => EgressRequest::Pause { id },
                        RecordingAction::Resume => EgressRequest::Resume { id },
                        _ => EgressRequest::Stop { id },
                    },
                ));
            }
            effects.push(Effect::StoreRecording(r));
        }
        Ok((view, effects))
    }

    /// Stops a running recording that reached the maximum duration, or
    /// whose server egress ended by itself (it failed).
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
        let mut effects = vec![deliver(
            everyone(room),
            ServerMessage::RecordingStopped { recording },
        )];
        effects.extend(stop_egress(&r));
        effects.push(Effect::StoreRecording(r));
        effects
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
        if r.source == Source::Server {
            return Err(SignalError::new(
                ErrorCode::InvalidStateTransition,
                "the server records this recording: clients upload nothing to it",
            ));
        }
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

/// For a server recording the server stopped (time limit, empty room): the
/// effect that stops its egress.
pub(super) fn stop_egress(r: &Recording) -> Option<Effect> {
    (r.source == Source::Server).then(|| {
        let user = UserId::parse(&r.started_by).unwrap_or_else(|_| UserId::admin());
        let id = r.recording_id.clone();
        egress_as(ConnectionId::new(), user, EgressRequest::Stop { id })
    })
}

#[cfg(test)]
mod tests {
    use super::super::stream::tests::egress_of;
    use super::super::testkit::*;
    use super::*;
    use ::recording::{Format, RecordingStatus};

    /// In an SFU room a recording is the server's by default (MP4, grid):
    /// each transition goes to the media plane, no client may upload to
    /// it, and the server's stops (an empty room, the time limit) stop its
    /// egress too. A mesh room has no media at the server.
    #[test]
    fn a_server_recording_follows_its_transitions_in_the_media_plane() {
        let mut d = Driver::new(10);
        d.join("host").unwrap();
        d.join("bob").unwrap();
        let start = r#"{"type":"recording-control","action":"start"}"#;
        let e = d
            .send(
                "host",
                r#"{"type":"recording-control","action":"start","source":"server"}"#,
            )
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::MediaModeMismatch);
        for bad in [
            r#"{"type":"recording-control","action":"start","source":"satellite"}"#,
            r#"{"type":"recording-control","action":"start","layout":"mosaic"}"#,
        ] {
            let e = crate::protocol::decode(bad).unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidMessage, "{bad}: {e:?}");
        }
        let fx = d.send("host", start).unwrap();
        assert!(egress_of(&fx).is_empty(), "a mesh room records on clients");
        assert_eq!(d.room.recordings[0].source, Source::Client);
        let id = d.room.recordings[0].recording_id.clone();
        d.send(
            "host",
            &format!(r#"{{"type":"recording-control","action":"cancel","recording_id":"{id}"}}"#),
        )
        .unwrap();

        d.send(
            "host",
            r#"{"type":"room-settings-update","media_mode":"sfu"}"#,
        )
        .unwrap();
        let fx = d
            .send(
                "host",
                r#"{"type":"recording-control","action":"start","layout":"speaker","quality":"low"}"#,
            )
            .unwrap();
        let r = d.room.recordings[1].clone();
        assert_eq!(
            (r.source, r.layout, r.format),
            (
                Source::Server,
                Some(::recording::Layout::Speaker),
                Format::Mp4
            )
        );
        assert!(matches!(
            egress_of(&fx)[..],
            [EgressRequest::Record { recording_id, layout: StreamLayout::Speaker, quality: ::recording::Quality::Low }]
                if *recording_id == r.recording_id
        ));
        let e = d
            .apply(
                &d.actor("bob"),
                Command::AuthorizeRecordingUpload {
                    recording_id: r.recording_id.clone(),
                },
            )
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidStateTransition, "{e:?}");

        let id = &r.recording_id;
        for (action, want) in [("pause", "Pause"), ("resume", "Resume"), ("stop", "Stop")] {
            let fx = d
                .send(
                    "host",
                    &format!(
                        r#"{{"type":"recording-control","action":"{action}","recording_id":"{id}"}}"#
                    ),
                )
                .unwrap();
            let got = egress_of(&fx);
            assert_eq!(got.len(), 1, "{action}");
            assert!(format!("{:?}", got[0]).starts_with(want), "{got:?}");
        }
        assert_eq!(d.room.recordings[1].status, RecordingStatus::Processing);

        // Stopped by the server: the time limit, and the room emptying.
        d.send("host", start).unwrap();
        let id = d.room.recordings[2].recording_id.clone();
        let now = d.now;
        let fx = d.engine.recording_time_limit(&mut d.room, now, &id);
        assert!(matches!(egress_of(&fx)[..], [EgressRequest::Stop { id: s }] if *s == id));
        d.send("host", start).unwrap();
        let id = d.room.recordings[3].recording_id.clone();
        let now = d.now;
        d.engine
            .leave(&mut d.room, now, &uid("bob"), None, LeaveReason::Left);
        let fx = d
            .engine
            .leave(&mut d.room, now, &uid("host"), None, LeaveReason::Left);
        assert!(matches!(egress_of(&fx)[..], [EgressRequest::Stop { id: s }] if *s == id));
    }
}
