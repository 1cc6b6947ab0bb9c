//! The read paths: the room as stored or as a member sees it, chat
//! history, the replay of missed events, recordings from the durable store.

use super::*;

impl RoomService {
    /// The room as stored.
    pub async fn room(&self, room_id: &RoomId) -> Result<Arc<Room>, SignalError> {
        self.snapshot(room_id).await
    }

    /// The room state as `viewer` sees it (a member).
    pub async fn room_state(
        &self,
        room_id: &RoomId,
        actor: &Actor,
    ) -> Result<RoomStateView, SignalError> {
        let room = self.snapshot(room_id).await?;
        self.engine.require_member(&room, actor)?;
        Ok(self.engine.room_state(&room, &actor.user_id, 0))
    }

    /// A page of chat history as the caller, who must be a member, could
    /// have received it live: public messages of their group (the main
    /// room or their breakout room), private messages they sent or
    /// received, and their own. Newest first, at most `limit`; pages past
    /// messages the caller may not see (a bounded number of store reads).
    ///
    /// With `thread`, only that thread: the message with that id and the
    /// replies to it, by the same visibility rules (a private reply stays
    /// between its two people).
    pub async fn chat_history(
        &self,
        room_id: &RoomId,
        actor: &Actor,
        before: Option<&str>,
        limit: usize,
        thread: Option<&str>,
    ) -> Result<ChatPage, SignalError> {
        self.visible_chat(room_id, actor, before, limit, thread, None)
            .await
    }

    /// [`RoomService::chat_history`] of the messages whose text contains
    /// `query`, ignoring case (`GET /rooms/{room}/chat/search`). The query
    /// is sanitized as messages are, so it matches what was stored: up to
    /// 100 characters that keep one visible once sanitized
    /// ([`crate::sanitize::VISIBLE_PATTERN`]), else `VALIDATION_ERROR`.
    pub async fn chat_search(
        &self,
        room_id: &RoomId,
        actor: &Actor,
        query: &str,
        before: Option<&str>,
        limit: usize,
    ) -> Result<ChatPage, SignalError> {
        // The limit is on what was typed; the match is on what would have
        // been stored (sanitized), which must keep something.
        let typed = query.chars().count();
        let query = crate::sanitize::sanitize_text(query.trim());
        if query.is_empty() || typed > 100 {
            return Err(SignalError::new(
                ErrorCode::ValidationError,
                "q must be 1 to 100 characters",
            ));
        }
        self.visible_chat(room_id, actor, before, limit, None, Some(&query))
            .await
    }

    /// Pages of the room's history (or of what matches `query`) kept to
    /// what the caller may see, and to `thread` when given.
    async fn visible_chat(
        &self,
        room_id: &RoomId,
        actor: &Actor,
        before: Option<&str>,
        limit: usize,
        thread: Option<&str>,
        query: Option<&str>,
    ) -> Result<ChatPage, SignalError> {
        /// Store pages read per request at most, however sparse the
        /// caller's share of the history.
        const MAX_READS: usize = 8;
        let room = self.snapshot(room_id).await?;
        let me = self.engine.require_member(&room, actor)?;
        let (user, group) = (me.user_id.as_str(), me.breakout_room_id.as_deref());
        let mut out = ChatPage {
            messages: Vec::with_capacity(limit),
            next_cursor: None,
        };
        let mut cursor = before.map(str::to_owned);
        for _ in 0..MAX_READS {
            let chat = &self.ports.chat;
            let page = match query {
                Some(q) => chat.search(room_id, q, cursor.as_deref(), limit).await?,
                None => chat.page(room_id, cursor.as_deref(), limit).await?,
            };
            let mut rest = page.messages.into_iter();
            for m in rest.by_ref() {
                let in_thread =
                    thread.is_none_or(|t| m.id == t || m.reply_to.as_deref() == Some(t));
                if in_thread && m.visible_to(user, group) {
                    out.messages.push(m);
                    if out.messages.len() == limit {
                        break;
                    }
                }
            }
            let more_here = rest.len() > 0;
            if out.messages.len() == limit {
                if more_here || page.next_cursor.is_some() {
                    out.next_cursor = out.messages.last().map(|m| m.id.clone());
                }
                return Ok(out);
            }
            match page.next_cursor {
                Some(c) => cursor = Some(c),
                None => return Ok(out),
            }
        }
        // Read enough for one request: the caller continues from here.
        out.next_cursor = cursor;
        Ok(out)
    }

    /// The newest sequence number of a room's replay log.
    pub async fn latest_sequence(&self, room_id: &RoomId) -> Result<u64, SignalError> {
        self.ports
            .log
            .latest(room_id.as_str())
            .await
            .map_err(log_unavailable)
    }

    /// What `user` missed after `last_seen`: exactly their events, in
    /// order, each serialized with its `seq`; or a resync verdict with the
    /// room state when the gap reaches past the buffer.
    pub async fn replay(
        &self,
        room_id: &RoomId,
        actor: &Actor,
        last_seen: u64,
    ) -> Result<ReplayOutcome, SignalError> {
        let room = self.snapshot(room_id).await?;
        self.engine.require_member(&room, actor)?;
        // Read before the events: what the replay covers is this or the
        // newest event `since` returns (see below).
        let before = self.latest_sequence(room_id).await?;
        let now_ms = unix_ms(self.now());
        let replay = self
            .ports
            .log
            .since(room_id.as_str(), now_ms, last_seen)
            .await
            .map_err(log_unavailable)?;
        let me = actor.user_id.as_str();
        Ok(match replay {
            // What the replay covers is what `since` read, never a number
            // read after it: an event appended in between would count as
            // covered, its live delivery be skipped, and the client would
            // never see it (found by the rolling-restart test). `since`
            // returns every kept event after `last_seen` up to the newest
            // it saw, which is at least `before`.
            reconnection::Replay::Events(events) => ReplayOutcome::Events {
                latest: events.last().map_or(before, |e| e.seq.max(before)),
                events: events
                    .into_iter()
                    .filter(|e| e.audience.iter().any(|u| u == me))
                    .map(|e| (e.seq, with_seq(&e.payload, e.seq)))
                    .collect(),
            },
            reconnection::Replay::ResyncRequired { latest } => ReplayOutcome::Resync {
                state: Box::new(self.engine.room_state(&room, &actor.user_id, latest)),
                latest,
            },
        })
    }

    /// A room's recordings from the durable store, oldest first. Records
    /// outlive the room, so this needs a token for the room, not membership.
    pub async fn recordings(&self, room_id: &RoomId) -> Result<Vec<RecordingView>, SignalError> {
        let now = self.now();
        let list = self.ports.recordings.list_room(room_id.as_str()).await?;
        Ok(list.iter().map(|r| RecordingView::of(r, now)).collect())
    }

    /// One recording of a room, from the durable store.
    pub async fn recording(
        &self,
        room_id: &RoomId,
        id: &str,
    ) -> Result<RecordingView, SignalError> {
        let r = self
            .ports
            .recordings
            .get(id)
            .await?
            .filter(|r| r.room_id == room_id.as_str())
            .ok_or_else(|| {
                SignalError::new(ErrorCode::RecordingNotFound, format!("no recording {id}"))
            })?;
        Ok(RecordingView::of(&r, self.now()))
    }

    /// Recordings `user` started, oldest first.
    pub async fn user_recordings(&self, user: &UserId) -> Result<Vec<RecordingView>, SignalError> {
        let now = self.now();
        let list = self.ports.recordings.list_user(user.as_str()).await?;
        Ok(list.iter().map(|r| RecordingView::of(r, now)).collect())
    }
}
