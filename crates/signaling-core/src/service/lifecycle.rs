//! The connection lifecycle (join, leave, a lost connection, its grace
//! period) and the birth and end of rooms (create, started, deleted). Not
//! commands: the transport drives them (see `execute.rs` for commands).

use super::*;

impl RoomService {
    /// Joins a connection to a room (created on first join).
    pub async fn join(
        &self,
        room_id: &RoomId,
        req: JoinRequest,
    ) -> Result<JoinOutcome, SignalError> {
        let new_room = self.ports.rooms.load(room_id).await?.is_none();
        if new_room {
            self.check_rate(LimitKind::RoomCreate, &req.user_id).await?;
        }
        let user = req.user_id.clone();
        let engine = self.engine.clone();
        let mut out = self
            .mutate(room_id, true, move |room, now| {
                engine.join(room.to_mut(), now, req.clone())
            })
            .await?;
        if let JoinOutcome::Joined { state, .. } = &mut out {
            state.last_sequence = self.latest_sequence(room_id).await.unwrap_or(0);
            let group = state
                .participants
                .iter()
                .find(|p| p.user_id.as_str() == state.you)
                .and_then(|p| p.breakout_room_id.clone());
            // Like the session records below, a count that cannot be read
            // never blocks a join.
            match self.unread_chat(room_id, &user, group.as_deref()).await {
                Ok(unread) => state.chat_unread = Some(unread),
                Err(e) => tracing::warn!(%room_id, error = %e, "counting unread chat failed"),
            }
            // Session records are history: their failure never blocks a join.
            if new_room && let Err(e) = self.ports.sessions.started(room_id, self.now()).await {
                tracing::warn!(%room_id, error = %e, "recording the session start failed");
            }
            if let Err(e) = self.ports.sessions.joined(room_id, &user).await {
                tracing::warn!(%room_id, error = %e, "recording the session participant failed");
            }
        }
        Ok(out)
    }

    /// Removes a connection's user from a room if that connection still speaks for them.
    pub async fn leave(
        &self,
        room_id: &RoomId,
        user: &UserId,
        connection: ConnectionId,
    ) -> Result<(), SignalError> {
        self.apply_if_present(room_id, |room, now| {
            self.engine
                .leave(room, now, user, Some(connection), LeaveReason::Left)
        })
        .await
        .map(|_| ())
    }

    /// A connection dropped without a goodbye: its user shows as
    /// reconnecting until [`RoomService::grace_expired`].
    pub async fn connection_lost(
        &self,
        room_id: &RoomId,
        user: &UserId,
        connection: ConnectionId,
    ) -> Result<(), SignalError> {
        self.apply_if_present(room_id, |room, now| {
            self.engine.connection_lost(room, now, user, connection)
        })
        .await
        .map(|_| ())
    }

    /// The grace period after a lost connection ended: the user leaves as
    /// `disconnected` unless they came back.
    pub async fn grace_expired(
        &self,
        room_id: &RoomId,
        user: &UserId,
        connection: ConnectionId,
    ) -> Result<(), SignalError> {
        self.apply_if_present(room_id, |room, now| {
            self.engine.grace_expired(room, now, user, connection)
        })
        .await
        .map(|_| ())
    }

    /// Creates an empty room ahead of its first participant (admin API),
    /// with settings and metadata. It is deleted like any empty room,
    /// `RTC_EMPTY_ROOM_TTL_SECS` after creation if nobody joins.
    pub async fn create_room(
        &self,
        room_id: &RoomId,
        settings: Option<RoomSettingsPatch>,
        metadata: Option<String>,
    ) -> Result<Arc<Room>, SignalError> {
        let now = self.now();
        // The operator's commands on the fresh room; nobody is there to be
        // told, so their effects are empty.
        let mut room = Cow::Owned(self.engine.new_room(room_id.clone(), now));
        let admin = Actor::admin();
        if let Some(patch) = settings {
            self.engine
                .apply(&mut room, now, &admin, Command::UpdateSettings(patch))?;
        }
        if let Some(m) = metadata {
            self.engine
                .apply(&mut room, now, &admin, Command::SetMetadata(m))?;
        }
        let mut room = room.into_owned();
        room.emptied_at = Some(now);
        match self.ports.rooms.save(&room, None).await? {
            Saved::Ok => {
                self.room_started(&room).await;
                if let Err(e) = self.ports.sessions.started(room_id, now).await {
                    tracing::warn!(%room_id, error = %e, "recording the session start failed");
                }
                Ok(Arc::new(room))
            }
            Saved::Conflict => Err(SignalError::new(
                ErrorCode::RoomAlreadyExists,
                format!("room {room_id} exists already"),
            )),
        }
    }

    pub(super) async fn room_started(&self, room: &Room) {
        let data = serde_json::json!({
            "room_id": room.id,
            "created_at": room.created_at.unix_timestamp(),
            "settings": room.settings,
            "metadata": room.metadata,
        });
        self.ports.events.emit(&room.id, "room_started", data).await;
    }

    /// Deletes a room if it is still at `version`, ending its session and
    /// clearing its replay log; false when it changed meanwhile.
    pub(super) async fn delete_room(&self, id: &RoomId, version: u64) -> Result<bool, SignalError> {
        if self.ports.rooms.delete(id, version).await? != Saved::Ok {
            return Ok(false);
        }
        // Views of the deleted room (at `version`) are stale everywhere.
        self.views.changed(id, Some(version + 1), self.now());
        // Its media here goes with it (peers and live streams).
        if let Some(plane) = self.media.get() {
            plane.drop_room(id);
        }
        self.publish_changed(id, version + 1).await;
        let data = serde_json::json!({ "room_id": id, "finished_at": self.now().unix_timestamp() });
        self.ports.events.emit(id, "room_finished", data).await;
        if let Err(e) = self.ports.sessions.ended(id, self.now()).await {
            tracing::warn!(room_id = %id, error = %e, "recording the session end failed");
        }
        if let Err(e) = self.ports.log.clear(id.as_str()).await {
            tracing::warn!(room_id = %id, error = %e, "replay log clear failed");
        }
        Ok(true)
    }
}
