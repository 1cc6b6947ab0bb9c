//! Roles, permissions and the grant a token gives for one room.

use serde::{Deserialize, Serialize};

/// A participant's role in a room. Ordered from most to least privileged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Role {
    /// Owns the room: everything a moderator can do, plus changing roles of moderators.
    Host,
    /// Moderates: mutes, admits, moves to breakout rooms, changes settings.
    Moderator,
    /// Takes part: publishes media, chats, raises a hand.
    Participant,
    /// Watches: receives media and chat, never publishes.
    Viewer,
}

impl Role {
    /// Every role, most privileged first.
    pub const ALL: [Role; 4] = [Role::Host, Role::Moderator, Role::Participant, Role::Viewer];

    /// The wire name of the role.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Host => "host",
            Role::Moderator => "moderator",
            Role::Participant => "participant",
            Role::Viewer => "viewer",
        }
    }

    /// Whether this role may moderate others (mute, admit, move, change settings).
    pub fn is_moderator(self) -> bool {
        matches!(self, Role::Host | Role::Moderator)
    }

    /// Rank used to compare privilege: lower is more privileged.
    pub fn rank(self) -> u8 {
        match self {
            Role::Host => 0,
            Role::Moderator => 1,
            Role::Participant => 2,
            Role::Viewer => 3,
        }
    }
}

impl std::str::FromStr for Role {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "host" => Ok(Role::Host),
            "moderator" => Ok(Role::Moderator),
            "participant" => Ok(Role::Participant),
            "viewer" => Ok(Role::Viewer),
            _ => Err(()),
        }
    }
}

/// What one participant may do in a room, independent of moderation powers
/// (which come from the [`Role`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Permissions {
    /// May publish a microphone track.
    pub can_share_audio: bool,
    /// May publish a camera track.
    pub can_share_video: bool,
    /// May share the screen.
    pub can_share_screen: bool,
    /// May send chat messages.
    pub can_chat: bool,
    /// May offer files to others.
    pub can_share_files: bool,
    /// May start a recording.
    pub can_record: bool,
    /// May raise a hand.
    pub can_raise_hand: bool,
    /// May send reactions.
    pub can_react: bool,
}

impl Permissions {
    /// The default permissions of a role.
    pub fn for_role(role: Role) -> Self {
        let all = Permissions {
            can_share_audio: true,
            can_share_video: true,
            can_share_screen: true,
            can_chat: true,
            can_share_files: true,
            can_record: true,
            can_raise_hand: true,
            can_react: true,
        };
        match role {
            Role::Host | Role::Moderator => all,
            Role::Participant => Permissions {
                can_record: false,
                ..all
            },
            Role::Viewer => Permissions {
                can_share_audio: false,
                can_share_video: false,
                can_share_screen: false,
                can_share_files: false,
                can_record: false,
                ..all
            },
        }
    }

    /// Whether the holder may publish any media (audio, video or screen).
    pub fn can_publish(&self) -> bool {
        self.can_share_audio || self.can_share_video || self.can_share_screen
    }

    /// Returns these permissions with the fields set in `patch` replaced.
    pub fn apply(mut self, patch: &PermissionsPatch) -> Self {
        macro_rules! set {
            ($($f:ident),*) => { $( if let Some(v) = patch.$f { self.$f = v; } )* };
        }
        set!(
            can_share_audio,
            can_share_video,
            can_share_screen,
            can_chat,
            can_share_files,
            can_record,
            can_raise_hand,
            can_react
        );
        self
    }
}

/// A partial permission update: only the fields present are changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PermissionsPatch {
    /// See [`Permissions::can_share_audio`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub can_share_audio: Option<bool>,
    /// See [`Permissions::can_share_video`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub can_share_video: Option<bool>,
    /// See [`Permissions::can_share_screen`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub can_share_screen: Option<bool>,
    /// See [`Permissions::can_chat`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub can_chat: Option<bool>,
    /// See [`Permissions::can_share_files`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub can_share_files: Option<bool>,
    /// See [`Permissions::can_record`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub can_record: Option<bool>,
    /// See [`Permissions::can_raise_hand`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub can_raise_hand: Option<bool>,
    /// See [`Permissions::can_react`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub can_react: Option<bool>,
}

/// What a verified token allows in one particular room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomGrant {
    /// The user the token was issued to.
    pub user_id: String,
    /// Display name from the token, if any.
    pub name: Option<String>,
    /// Role the token asks for; `None` lets the room decide (first joiner hosts).
    pub role: Option<Role>,
    /// Permission overrides the token carries on top of the role defaults.
    pub permissions: Option<PermissionsPatch>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn viewer_cannot_publish_but_can_chat() {
        let p = Permissions::for_role(Role::Viewer);
        assert!(!p.can_publish());
        assert!(p.can_chat);
    }

    #[test]
    fn patch_changes_only_given_fields() {
        let p = Permissions::for_role(Role::Participant);
        let patched = p.apply(&PermissionsPatch {
            can_chat: Some(false),
            ..Default::default()
        });
        assert!(!patched.can_chat);
        assert_eq!(patched.can_share_audio, p.can_share_audio);
    }

    #[test]
    fn patch_rejects_unknown_fields() {
        let r: Result<PermissionsPatch, _> = serde_json::from_str(r#"{"can_fly":true}"#);
        assert!(r.is_err());
    }
}
