//! The one door for commands: [`RoomService::execute`]. WebSocket frames,
//! REST handlers and the admin API all come through here.

use super::*;

impl RoomService {
    /// Executes one command from `actor` on a room: counts it against its
    /// rate limits ([`Command::rate_limits`]; over a WebSocket when the
    /// actor has a connection), then applies it with [`Engine::apply`]. A
    /// command that does not mutate runs on the instance's local view of
    /// the room ([`views`](super::views); a load only when the view is
    /// stale) without a write; one that does runs in a compare-and-swap
    /// retry loop on a fresh load. Effects
    /// go out only after the write that landed.
    ///
    /// Two commands do more around the engine step: a recording start takes
    /// a running-recording slot first (see [`RoomService::start_recording`]),
    /// and closing a room deletes it afterwards.
    pub async fn execute(
        &self,
        room_id: &RoomId,
        actor: &Actor,
        cmd: Command,
    ) -> Result<Reply, SignalError> {
        for kind in cmd.rate_limits(actor.connection.is_some()) {
            self.check_rate(*kind, &actor.user_id).await?;
        }
        // An edit, delete, reaction or read mark is judged on the message
        // as stored.
        let cmd = match cmd {
            Command::ChatEdit(e, _) => {
                let record = self.stored_chat(room_id, &e.message_id).await?;
                Command::ChatEdit(e, record)
            }
            Command::ChatDelete(d, _) => {
                let record = self.stored_chat(room_id, &d.message_id).await?;
                Command::ChatDelete(d, record)
            }
            Command::ChatReact(r, _) => {
                let id = r.message_id.clone().unwrap_or_default();
                let record = self.stored_chat(room_id, &id).await?;
                Command::ChatReact(r, record)
            }
            Command::ChatRead(r, _, _) => {
                let record = self.stored_chat(room_id, &r.message_id).await?;
                let mark = self
                    .ports
                    .receipts
                    .get(room_id, actor.user_id.as_str())
                    .await?;
                Command::ChatRead(r, record, mark.map(Box::new))
            }
            cmd => cmd,
        };
        // The rare branches are boxed, so this future stays small where it
        // is awaited in place: in every WebSocket session's task.
        match &cmd {
            Command::Recording(req) if req.action == RecordingAction::Start => {
                return Box::pin(self.start_recording(room_id, actor, req.clone())).await;
            }
            Command::CloseRoom => {
                let removed = Box::pin(self.apply(room_id, actor, cmd)).await?;
                Box::pin(self.delete_closed_room(room_id)).await?;
                return Ok(removed);
            }
            _ => {}
        }
        self.apply(room_id, actor, cmd).await
    }

    /// Message `id` of the room's history, for an edit or a delete.
    async fn stored_chat(
        &self,
        room_id: &RoomId,
        id: &str,
    ) -> Result<Option<Box<crate::protocol::ChatRecord>>, SignalError> {
        if !crate::engine::is_message_id(id) {
            return Err(SignalError::new(
                ErrorCode::ValidationError,
                "message_id must be a message id",
            ));
        }
        Ok(self.ports.chat.get(room_id, id).await?.map(Box::new))
    }

    /// The engine step of [`RoomService::execute`], without the extras.
    async fn apply(
        &self,
        room_id: &RoomId,
        actor: &Actor,
        cmd: Command,
    ) -> Result<Reply, SignalError> {
        if !cmd.mutates() {
            let now = self.now();
            let room = self.view_at(room_id, now).await?;
            let mut view = Cow::Borrowed(&*room);
            let applied = self.engine.apply(&mut view, now, actor, cmd)?;
            debug_assert!(
                matches!(view, Cow::Borrowed(_)),
                "a command that does not mutate changed the room"
            );
            self.carry_out(room_id, applied.effects, None, Some(&room))
                .await;
            return Ok(applied.reply);
        }
        // Boxed: mutations are the rarer kind, and their retry loop is
        // kilobytes that a relay's future would otherwise carry too.
        Box::pin(self.mutate(room_id, false, |room, now| {
            let applied = self.engine.apply(room, now, actor, cmd.clone())?;
            Ok((applied.reply, applied.effects))
        }))
        .await
    }

    /// A recording start first takes one of `max_concurrent_recordings`
    /// slots in one atomic step of the [`Quotas`](crate::quota::Quotas)
    /// port (shared by every instance), and is refused with
    /// `RECORDING_LIMIT_REACHED` when none is free; the slot is named by the
    /// new recording's id and freed when the recording stops or is
    /// cancelled (see [`RoomService::run_effects`]), or at once if the
    /// start fails.
    async fn start_recording(
        &self,
        room_id: &RoomId,
        actor: &Actor,
        req: RecordingControlReq,
    ) -> Result<Reply, SignalError> {
        let id = uuid::Uuid::new_v4().to_string();
        let max = self.engine.config.max_concurrent_recordings;
        let slots = crate::quota::keys::RECORDING_SLOTS;
        if !self
            .ports
            .quotas
            .acquire_slot(slots, &id, max, unix_ms(self.now()))
            .await?
        {
            return Err(SignalError::new(
                ErrorCode::RecordingLimitReached,
                format!("{max} recordings are running (the limit)"),
            ));
        }
        // The service names the recording (a client's id is never used), so
        // the slot and the record share one id.
        let req = RecordingControlReq {
            recording_id: Some(id.clone()),
            ..req
        };
        let started = self.apply(room_id, actor, Command::Recording(req)).await;
        if started.is_err()
            && let Err(e) = self.ports.quotas.release_slot(slots, &id).await
        {
            tracing::warn!(recording = %id, error = %e, "freeing a recording slot failed");
        }
        started
    }

    /// After [`Command::CloseRoom`] removed everyone: deletes the room, its
    /// session and replay log at once (unless someone joined meanwhile).
    async fn delete_closed_room(&self, room_id: &RoomId) -> Result<(), SignalError> {
        for _ in 0..MAX_CAS_ATTEMPTS {
            match self.ports.rooms.load(room_id).await? {
                None => break,
                Some(v) if !v.room.is_empty() => break, // someone joined again meanwhile
                Some(v) => {
                    if self.delete_room(room_id, v.version).await? {
                        break;
                    }
                }
            }
        }
        Ok(())
    }
}
