//! Media signaling of SFU rooms: a participant's `media-offer` and
//! `media-answer` are checked here (membership, the room's media mode, SDP
//! size and send permissions) and handed to the media plane as an
//! [`Effect::Media`]. What a participant may publish travels with every
//! request, so the media plane forwards only what the room allows.

use super::*;
use crate::room::MediaMode;

/// What a participant may publish, as the media plane enforces it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MediaGrants {
    /// Microphone audio.
    pub audio: bool,
    /// Camera video.
    pub video: bool,
    /// Screen share.
    pub screen: bool,
}

impl MediaGrants {
    /// What `p` may publish in `room` now.
    pub fn of(room: &Room, p: &Participant) -> Self {
        let perms = &p.permissions;
        MediaGrants {
            audio: perms.can_share_audio,
            video: perms.can_share_video,
            screen: perms.can_share_screen && room.settings.screen_share_allowed,
        }
    }
}

/// Media signaling for the media plane.
#[derive(Debug, Clone, PartialEq)]
pub struct MediaRequest {
    /// The participant's connection (its media peer).
    pub connection: ConnectionId,
    /// The participant.
    pub user_id: UserId,
    /// What it may publish.
    pub grants: MediaGrants,
    /// The signaling.
    pub kind: MediaRequestKind,
}

/// What a [`MediaRequest`] carries.
#[derive(Debug, Clone, PartialEq)]
pub enum MediaRequestKind {
    /// An offer with its declared sources.
    Offer(MediaSdp),
    /// An answer to the media plane's offer.
    Answer(String),
}

/// Most declared sources in one `media-offer`.
const MAX_SOURCES: usize = 16;

impl Engine {
    /// `media-offer` (or, with `answer`, `media-answer`): checked and handed
    /// to the media plane.
    pub(super) fn media_sdp(
        &self,
        room: &Room,
        actor: &Actor,
        o: MediaSdp,
        answer: bool,
    ) -> Result<Vec<Effect>, SignalError> {
        let me = self.member(room, actor)?;
        if room.settings.media_mode != MediaMode::Sfu {
            return Err(SignalError::new(
                ErrorCode::MediaModeMismatch,
                "this room is in mesh mode: send offer/answer to peers instead",
            ));
        }
        let Some(connection) = actor.connection else {
            return Err(SignalError::invalid(
                "media signaling needs a WebSocket connection",
            ));
        };
        if o.sources.len() > MAX_SOURCES || o.sources.keys().any(|m| m.is_empty() || m.len() > 64) {
            return Err(SignalError::invalid(format!(
                "sources: at most {MAX_SOURCES} entries, each keyed by a mid of 1..=64 characters"
            )));
        }
        self.check_sdp_within(room, me, &o.sdp, self.config.max_media_sdp_bytes)?;
        let kind = if answer {
            MediaRequestKind::Answer(o.sdp)
        } else {
            MediaRequestKind::Offer(o)
        };
        Ok(vec![Effect::Media(MediaRequest {
            connection,
            user_id: me.user_id.clone(),
            grants: MediaGrants::of(room, me),
            kind,
        })])
    }
}
