//! Roles and permissions: hosts set any role, moderators manage
//! non-moderators, and a room keeps a host.

use auth::PermissionsPatch;

use super::*;

impl Engine {
    /// Changes a participant's role. Hosts may set any role; moderators may
    /// set participant or viewer on non-moderators. A room keeps a host.
    pub(super) fn set_role(
        &self,
        room: &mut Room,
        actor: &Actor,
        user: &UserId,
        role: Role,
    ) -> Result<Vec<Effect>, SignalError> {
        let me = self.moderator(room, actor)?.clone();
        let target = room
            .participant(user)
            .ok_or_else(|| {
                SignalError::new(
                    ErrorCode::UserNotInRoom,
                    format!("{user} is not in this room"),
                )
            })?
            .clone();
        if me.role != Role::Host && (role.is_moderator() || target.role.is_moderator()) {
            return Err(SignalError::new(
                ErrorCode::RoleChangeNotAllowed,
                "only a host may grant or remove moderation",
            ));
        }
        if target.role == Role::Host
            && role != Role::Host
            && room
                .participants
                .iter()
                .filter(|p| p.role == Role::Host)
                .count()
                == 1
        {
            return Err(SignalError::new(
                ErrorCode::RoleChangeNotAllowed,
                "the room must keep a host; promote another first",
            ));
        }
        let p = room.participant_mut(user).expect("checked");
        p.role = role;
        p.permissions = Permissions::for_role(role);
        if !p.permissions.can_share_screen {
            p.media.screen_sharing = false;
        }
        let msg = ServerMessage::RoleUpdated {
            user_id: user.to_string(),
            role,
            permissions: p.permissions,
            by: me.user_id.to_string(),
        };
        Ok(vec![deliver(everyone(room), msg)])
    }

    /// Changes a participant's permissions (moderators; not on more privileged users).
    pub(super) fn set_permissions(
        &self,
        room: &mut Room,
        actor: &Actor,
        user: &UserId,
        patch: &PermissionsPatch,
    ) -> Result<Vec<Effect>, SignalError> {
        let me = self.moderator(room, actor)?.clone();
        let p = room.participant_mut(user).ok_or_else(|| {
            SignalError::new(
                ErrorCode::UserNotInRoom,
                format!("{user} is not in this room"),
            )
        })?;
        if p.role.rank() < me.role.rank() {
            return Err(SignalError::denied(
                "cannot change a more privileged user's permissions",
            ));
        }
        p.permissions = p.permissions.apply(patch);
        let msg = ServerMessage::PermissionUpdated {
            user_id: user.to_string(),
            permissions: p.permissions,
            by: me.user_id.to_string(),
        };
        Ok(vec![deliver(everyone(room), msg)])
    }
}

#[cfg(test)]
mod tests {
    use crate::engine::testkit::*;

    #[test]
    fn roles_only_hosts_grant_moderation_and_a_host_remains() {
        let mut d = Driver::new(10);
        d.join("h").unwrap();
        d.join_as("m", Some(Role::Moderator)).unwrap();
        d.join("p").unwrap();
        let m = d.actor("m");
        let h = d.actor("h");
        assert_eq!(
            d.engine
                .set_role(&mut d.room, &m, &uid("p"), Role::Moderator)
                .unwrap_err()
                .code,
            ErrorCode::RoleChangeNotAllowed
        );
        d.engine
            .set_role(&mut d.room, &m, &uid("p"), Role::Viewer)
            .unwrap();
        assert!(
            !d.room
                .participant(&uid("p"))
                .unwrap()
                .permissions
                .can_publish()
        );
        assert_eq!(
            d.engine
                .set_role(&mut d.room, &h, &uid("h"), Role::Participant)
                .unwrap_err()
                .code,
            ErrorCode::RoleChangeNotAllowed
        );
        let p = d.actor("p");
        assert_eq!(
            d.engine
                .set_role(&mut d.room, &p, &uid("m"), Role::Viewer)
                .unwrap_err()
                .code,
            ErrorCode::PermissionDenied
        );
    }
}
