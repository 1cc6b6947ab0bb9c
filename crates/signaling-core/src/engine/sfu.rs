//! Media signaling of SFU rooms: a participant's `media-offer` and
//! `media-answer` are checked here (membership, the room's media mode, SDP
//! size and send permissions) and handed to the media plane as an
//! [`Effect::Media`]. What a participant may publish travels with every
//! request, so the media plane forwards only what the room allows; and
//! every command that changes it (a mute, a role or permission, a screen
//! share stopped, a setting) sends the new grants, so a moderator's mute
//! stops the muted track at the server whatever the muted client does.

use super::*;
use crate::room::MediaMode;

/// What a participant may publish, as the media plane enforces it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MediaGrants {
    /// Microphone audio.
    pub audio: bool,
    /// Camera video.
    pub video: bool,
    /// Screen share.
    pub screen: bool,
}

impl MediaGrants {
    /// What `p` may publish in `room` now: what its permissions allow and
    /// it has not muted (or been muted); a screen only while it shares one.
    pub fn of(room: &Room, p: &Participant) -> Self {
        let perms = &p.permissions;
        MediaGrants {
            audio: perms.can_share_audio && !p.media.audio_muted,
            video: perms.can_share_video && !p.media.video_muted,
            screen: perms.can_share_screen
                && room.settings.screen_share_allowed
                && p.media.screen_sharing,
        }
    }
}

/// Media signaling for the media plane (on the bus when the room's media
/// runs on another instance).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
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
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum MediaRequestKind {
    /// An offer with its declared sources.
    Offer(MediaSdp),
    /// An answer to the media plane's offer.
    Answer(String),
    /// New grants only (see [`MediaRequest::grants`]).
    Grants,
    /// A subscriber's wishes for tracks it receives.
    Subscribe(Vec<TrackSubscription>),
    /// Its media peer goes (the room left SFU mode, or the connection
    /// closed).
    Leave,
    /// A server stream of the room starts or stops (`stream.rs`).
    Egress(super::EgressRequest),
}

/// Most entries in one `subscription-update`.
const MAX_SUBSCRIPTIONS: usize = 64;

/// Largest width or height a subscription may name.
const MAX_DIMENSION: u32 = 16_384;

/// Every participant's grants, when the room is in SFU mode.
pub(super) fn grants_snapshot(room: &Room) -> Option<Vec<(ConnectionId, MediaGrants)>> {
    (room.settings.media_mode == MediaMode::Sfu).then(|| {
        room.participants
            .iter()
            .map(|p| (p.connection, MediaGrants::of(room, p)))
            .collect()
    })
}

/// A [`MediaRequestKind::Grants`] for each participant whose grants
/// differ from `before` (taken by [`grants_snapshot`] before the command);
/// a [`MediaRequestKind::Leave`] for each when the room left SFU mode.
pub(super) fn grant_changes(room: &Room, before: &[(ConnectionId, MediaGrants)]) -> Vec<Effect> {
    if room.settings.media_mode != MediaMode::Sfu {
        return room
            .participants
            .iter()
            .filter(|p| before.iter().any(|(c, _)| *c == p.connection))
            .map(|p| {
                Effect::Media(MediaRequest {
                    connection: p.connection,
                    user_id: p.user_id.clone(),
                    grants: MediaGrants::of(room, p),
                    kind: MediaRequestKind::Leave,
                })
            })
            .collect();
    }
    room.participants
        .iter()
        .filter_map(|p| {
            let grants = MediaGrants::of(room, p);
            let (_, old) = before.iter().find(|(c, _)| *c == p.connection)?;
            (*old != grants).then(|| {
                Effect::Media(MediaRequest {
                    connection: p.connection,
                    user_id: p.user_id.clone(),
                    grants,
                    kind: MediaRequestKind::Grants,
                })
            })
        })
        .collect()
}

/// Most declared sources in one `media-offer`.
const MAX_SOURCES: usize = 16;

impl Engine {
    /// `subscription-update`: checked (SFU room, 1 to 64 entries, sane
    /// sizes) and handed to the media plane, which knows the tracks.
    pub(super) fn subscription_update(
        &self,
        room: &Room,
        actor: &Actor,
        s: SubscriptionUpdate,
    ) -> Result<Vec<Effect>, SignalError> {
        let (me, connection) = self.sfu_member(room, actor)?;
        let ok = |t: &TrackSubscription| {
            !t.mid.is_empty()
                && t.mid.len() <= 64
                && t.width.is_none_or(|w| (1..=MAX_DIMENSION).contains(&w))
                && t.height.is_none_or(|h| (1..=MAX_DIMENSION).contains(&h))
        };
        if s.tracks.is_empty() || s.tracks.len() > MAX_SUBSCRIPTIONS || !s.tracks.iter().all(ok) {
            return Err(SignalError::invalid(format!(
                "tracks: 1..={MAX_SUBSCRIPTIONS} entries, each a mid of 1..=64 characters, sizes 1..={MAX_DIMENSION}"
            )));
        }
        Ok(vec![Effect::Media(MediaRequest {
            connection,
            user_id: me.user_id.clone(),
            grants: MediaGrants::of(room, me),
            kind: MediaRequestKind::Subscribe(s.tracks),
        })])
    }

    /// The caller as a member of an SFU room, with its connection.
    fn sfu_member<'r>(
        &self,
        room: &'r Room,
        actor: &Actor,
    ) -> Result<(&'r Participant, ConnectionId), SignalError> {
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
        Ok((me, connection))
    }

    /// `media-offer` (or, with `answer`, `media-answer`): checked and handed
    /// to the media plane.
    pub(super) fn media_sdp(
        &self,
        room: &Room,
        actor: &Actor,
        o: MediaSdp,
        answer: bool,
    ) -> Result<Vec<Effect>, SignalError> {
        let (me, connection) = self.sfu_member(room, actor)?;
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

#[cfg(test)]
mod tests {
    use super::super::testkit::*;
    use super::*;

    fn media(effects: &[Effect]) -> Vec<(ConnectionId, MediaGrants, &MediaRequestKind)> {
        effects
            .iter()
            .filter_map(|e| match e {
                Effect::Media(r) => Some((r.connection, r.grants, &r.kind)),
                _ => None,
            })
            .collect()
    }

    fn sfu_room() -> Driver {
        let mut d = Driver::new(10);
        d.join("host").unwrap();
        d.join("bob").unwrap();
        d.send(
            "host",
            r#"{"type":"room-settings-update","media_mode":"sfu"}"#,
        )
        .unwrap();
        d
    }

    #[test]
    fn media_signaling_needs_an_sfu_room_and_carries_the_grants() {
        let mut d = Driver::new(10);
        d.join("host").unwrap();
        let e = d
            .send("host", r#"{"type":"media-offer","sdp":"v=0\r\n"}"#)
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::MediaModeMismatch);
        d.send(
            "host",
            r#"{"type":"room-settings-update","media_mode":"sfu"}"#,
        )
        .unwrap();
        let effects = d
            .send(
                "host",
                r#"{"type":"media-offer","sdp":"v=0\r\n","sources":{"0":"camera"}}"#,
            )
            .unwrap();
        let m = media(&effects);
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].0, d.conns["host"]);
        assert!(
            m[0].1.audio && m[0].1.video && !m[0].1.screen,
            "no screen until shared"
        );
        let e = d
            .send("host", r#"{"type":"subscription-update","tracks":[]}"#)
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::ValidationError);
        let many: Vec<String> = (0..17).map(|i| format!(r#""{i}":"camera""#)).collect();
        let offer = format!(
            r#"{{"type":"media-offer","sdp":"v=0\r\n","sources":{{{}}}}}"#,
            many.join(",")
        );
        let e = d.send("host", &offer).unwrap_err();
        assert_eq!(
            e.code,
            ErrorCode::ValidationError,
            "over 16 declared sources"
        );
    }

    #[test]
    fn a_moderators_mute_sends_the_muted_participant_new_grants_and_nobody_else() {
        let mut d = sfu_room();
        let effects = d
            .send(
                "host",
                r#"{"type":"media-control","kind":"audio","muted":true,"target":"bob"}"#,
            )
            .unwrap();
        let m = media(&effects);
        assert_eq!(m.len(), 1, "{m:?}");
        assert_eq!(m[0].0, d.conns["bob"]);
        assert!(!m[0].1.audio && m[0].1.video);
        assert!(matches!(m[0].2, MediaRequestKind::Grants));
        // A change that touches no grants sends none.
        let effects = d
            .send("bob", r#"{"type":"hand-raise","raised":true}"#)
            .unwrap();
        assert!(media(&effects).is_empty());
    }

    #[test]
    fn leaving_sfu_mode_removes_every_media_peer() {
        let mut d = sfu_room();
        let effects = d
            .send(
                "host",
                r#"{"type":"room-settings-update","media_mode":"mesh"}"#,
            )
            .unwrap();
        let m = media(&effects);
        assert_eq!(m.len(), 2);
        assert!(
            m.iter()
                .all(|(_, _, k)| matches!(k, MediaRequestKind::Leave))
        );
    }
}
