//! Room settings (capacity, lock, waiting room, chat, screen sharing, mute
//! on entry) and the room's metadata.

use super::*;

impl Engine {
    /// Replaces the room's metadata (moderators; the admin API) and tells
    /// everyone.
    pub(super) fn set_metadata(
        &self,
        room: &mut Room,
        actor: &Actor,
        metadata: String,
    ) -> Result<Vec<Effect>, SignalError> {
        self.moderator(room, actor)?;
        if metadata.len() > crate::room::MAX_METADATA_BYTES {
            return Err(SignalError::new(
                ErrorCode::MessageTooLarge,
                format!(
                    "metadata is limited to {} bytes",
                    crate::room::MAX_METADATA_BYTES
                ),
            ));
        }
        room.metadata = metadata.clone();
        Ok(vec![deliver(
            everyone(room),
            ServerMessage::RoomMetadataUpdate {
                metadata,
                by: actor.user_id.to_string(),
            },
        )])
    }

    /// Changes settings (moderators).
    pub(super) fn update_settings(
        &self,
        room: &mut Room,
        actor: &Actor,
        patch: RoomSettingsPatch,
    ) -> Result<Vec<Effect>, SignalError> {
        let me = &self.member(room, actor)?.clone();
        if !me.role.is_moderator() {
            return Err(SignalError::denied(
                "only a host or moderator may change settings",
            ));
        }
        let s = &mut room.settings;
        if let Some(m) = patch.max_participants {
            if m == 0 || m > 10_000 {
                return Err(SignalError::invalid("max_participants must be 1..=10000"));
            }
            s.max_participants = m;
        }
        macro_rules! set { ($($f:ident),*) => { $( if let Some(v) = patch.$f { s.$f = v; } )* } }
        set!(
            locked,
            mute_on_entry,
            waiting_room_enabled,
            chat_enabled,
            screen_share_allowed,
            media_mode
        );
        let settings = *s;
        Ok(vec![deliver(
            everyone(room),
            ServerMessage::RoomSettingsUpdate {
                settings,
                by: me.user_id.to_string(),
            },
        )])
    }
}
