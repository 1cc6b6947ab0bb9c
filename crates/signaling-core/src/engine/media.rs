//! Media state: muting and unmuting (one's own within one's permissions;
//! moderators mute others, never unmute them), mute-all, screen sharing.

use super::{Actor, Effect, Engine, deliver, everyone};
use crate::protocol::*;
use crate::room::*;
use crate::{ErrorCode, SignalError, UserId};

impl Engine {
    /// `media-control` from `actor`.
    pub(super) fn media_control_as(
        &self,
        room: &mut Room,
        actor: &Actor,
        m: MediaControlReq,
    ) -> Result<Vec<Effect>, SignalError> {
        let me = self.member(room, actor)?.clone();
        self.media_control(room, &me, m.kind, m.muted, m.target.as_ref())
    }

    /// Starts or stops the caller's screen share; moderators may stop
    /// anyone's.
    pub(super) fn screen_share(
        &self,
        room: &mut Room,
        actor: &Actor,
        s: ScreenShareReq,
    ) -> Result<Vec<Effect>, SignalError> {
        let me = self.member(room, actor)?.clone();
        let target = s.target.clone().unwrap_or_else(|| me.user_id.clone());
        let other = target != me.user_id;
        if other && !(me.role.is_moderator() && s.action == StartStop::Stop) {
            return Err(SignalError::denied(
                "only moderators may stop someone else's screen share",
            ));
        }
        if s.action == StartStop::Start
            && (!room.settings.screen_share_allowed || !me.permissions.can_share_screen)
        {
            return Err(SignalError::new(
                ErrorCode::ScreenShareNotAllowed,
                "screen sharing is not allowed",
            ));
        }
        let p = room.participant_mut(&target).ok_or_else(|| {
            SignalError::new(
                ErrorCode::UserNotInRoom,
                format!("{target} is not in this room"),
            )
        })?;
        p.media.screen_sharing = s.action == StartStop::Start;
        let msg = ServerMessage::ScreenShareControl {
            user_id: target.to_string(),
            active: p.media.screen_sharing,
            by: me.user_id.to_string(),
        };
        Ok(vec![deliver(everyone(room), msg)])
    }

    /// Mutes or unmutes. Anyone may change their own media within their
    /// permissions; moderators may mute (never unmute) others.
    fn media_control(
        &self,
        room: &mut Room,
        me: &Participant,
        kind: MediaKind,
        muted: bool,
        target: Option<&UserId>,
    ) -> Result<Vec<Effect>, SignalError> {
        let target = target.cloned().unwrap_or_else(|| me.user_id.clone());
        if target != me.user_id {
            if !me.role.is_moderator() {
                return Err(SignalError::denied("only moderators may mute others"));
            }
            if !muted {
                return Err(SignalError::denied(
                    "others can only be muted; they unmute themselves",
                ));
            }
        } else if !muted {
            let allowed = match kind {
                MediaKind::Audio => me.permissions.can_share_audio,
                MediaKind::Video => me.permissions.can_share_video,
            };
            if !allowed {
                return Err(SignalError::new(
                    ErrorCode::MediaNotAllowed,
                    "you may not publish this media",
                ));
            }
        }
        let p = room.participant_mut(&target).ok_or_else(|| {
            SignalError::new(
                ErrorCode::UserNotInRoom,
                format!("{target} is not in this room"),
            )
        })?;
        match kind {
            MediaKind::Audio => p.media.audio_muted = muted,
            MediaKind::Video => p.media.video_muted = muted,
        }
        let msg = ServerMessage::MediaControl {
            user_id: target.to_string(),
            kind,
            muted,
            by: me.user_id.to_string(),
        };
        Ok(vec![deliver(everyone(room), msg)])
    }

    /// Mutes everyone's microphone except the moderator's own.
    pub(super) fn mute_all(
        &self,
        room: &mut Room,
        actor: &Actor,
    ) -> Result<Vec<Effect>, SignalError> {
        let me = self.moderator(room, actor)?.clone();
        let mut effects = Vec::new();
        let targets: Vec<UserId> = room
            .participants
            .iter()
            .filter(|p| p.user_id != me.user_id && !p.media.audio_muted)
            .map(|p| p.user_id.clone())
            .collect();
        for t in targets {
            effects.extend(self.media_control(room, &me, MediaKind::Audio, true, Some(&t))?);
        }
        Ok(effects)
    }
}
