//! Plain configuration for the room engine (no configuration library here).

use crate::room::RoomSettings;

/// Limits and defaults of the room engine. Every value is configuration.
#[derive(Debug, Clone)]
pub struct RoomConfig {
    /// Settings a new room starts with (capacity 50 by default).
    pub default_settings: RoomSettings,
    /// Largest SDP accepted between peers, in bytes.
    pub max_sdp_bytes: usize,
    /// Largest SDP accepted for the media plane, in bytes: a participant's
    /// answer lists every track it receives, so it grows with the room
    /// (the WebSocket frame limit applies too).
    pub max_media_sdp_bytes: usize,
    /// Longest chat message after sanitizing, in characters.
    pub max_chat_chars: usize,
    /// How long after sending its author may edit or delete a message
    /// (moderators delete any, at any time), in seconds.
    pub chat_edit_window_secs: u64,
    /// Longest display name, in characters.
    pub max_name_chars: usize,
    /// Most breakout rooms per room.
    pub max_breakout_rooms: usize,
    /// Largest decoded E2EE key payload, in bytes.
    pub max_e2ee_key_bytes: usize,
    /// Recordings running at once across the deployment (seed 004: 10).
    pub max_concurrent_recordings: usize,
    /// Longest recording before it stops by itself, seconds (2 h).
    pub max_recording_secs: u64,
}

impl Default for RoomConfig {
    fn default() -> Self {
        RoomConfig {
            default_settings: RoomSettings {
                locked: false,
                mute_on_entry: false,
                waiting_room_enabled: false,
                chat_enabled: true,
                screen_share_allowed: true,
                max_participants: 50,
                media_mode: crate::room::MediaMode::Mesh,
            },
            max_sdp_bytes: 32 * 1024,
            max_media_sdp_bytes: 256 * 1024,
            max_chat_chars: 2000,
            chat_edit_window_secs: 900,
            max_name_chars: 64,
            max_breakout_rooms: 20,
            max_e2ee_key_bytes: 1024,
            max_concurrent_recordings: 10,
            max_recording_secs: 7200,
        }
    }
}
