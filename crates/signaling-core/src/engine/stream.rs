//! Live-stream sessions: one at a time, started and stopped by moderators.

use super::*;
use crate::sanitize::sanitize_name;

impl Engine {
    /// Starts a live-stream session (moderators); one at a time.
    pub(super) fn stream_start(
        &self,
        room: &mut Room,
        now: OffsetDateTime,
        actor: &Actor,
        req: LiveStreamStartReq,
    ) -> Result<(LiveStream, Vec<Effect>), SignalError> {
        let me = &self.member(room, actor)?.clone();
        if !me.role.is_moderator() {
            return Err(SignalError::denied(
                "only a host or moderator may start a live stream",
            ));
        }
        if room.live_streams.iter().any(|s| s.stopped_at.is_none()) {
            return Err(SignalError::new(
                ErrorCode::StreamAlreadyActive,
                "a live stream is already running",
            ));
        }
        let max = self.config.max_name_chars;
        let s = LiveStream {
            stream_id: room.local_id("ls"),
            title: req.title.map(|t| sanitize_name(&t, 128)),
            platform: req.platform.map(|p| sanitize_name(&p, max)),
            started_by: me.user_id.clone(),
            started_at: now,
            stopped_at: None,
        };
        room.live_streams.push(s.clone());
        Ok((
            s.clone(),
            vec![deliver(
                everyone(room),
                ServerMessage::LiveStreamStart { stream: s },
            )],
        ))
    }

    /// Stops a live-stream session (moderators).
    pub(super) fn stream_stop(
        &self,
        room: &mut Room,
        now: OffsetDateTime,
        actor: &Actor,
        id: &str,
    ) -> Result<(LiveStream, Vec<Effect>), SignalError> {
        let me = &self.member(room, actor)?.clone();
        if !me.role.is_moderator() {
            return Err(SignalError::denied(
                "only a host or moderator may stop a live stream",
            ));
        }
        let s = room
            .live_streams
            .iter_mut()
            .find(|s| s.stream_id == id)
            .ok_or_else(|| {
                SignalError::new(ErrorCode::StreamNotFound, format!("no live stream {id}"))
            })?;
        if s.stopped_at.is_some() {
            return Err(SignalError::new(
                ErrorCode::InvalidStateTransition,
                "the stream already stopped",
            ));
        }
        s.stopped_at = Some(now);
        let s = s.clone();
        Ok((
            s.clone(),
            vec![deliver(
                everyone(room),
                ServerMessage::LiveStreamStop { stream: s },
            )],
        ))
    }
}
