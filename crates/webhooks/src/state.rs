//! The outbox as a pure state machine shared by [`MemoryOutbox`] and
//! [`FileOutbox`]: every change is a [`Record`], applied the same way when
//! it happens and when the file log is read back after a restart.
//!
//! [`MemoryOutbox`]: crate::MemoryOutbox
//! [`FileOutbox`]: crate::FileOutbox

use std::collections::{BTreeMap, VecDeque};

use serde::{Deserialize, Serialize};

use crate::{
    DeadLetter, Due, OutboxError, ReplayFrom, Retention, RoomState, WebhookEvent, replay_window,
};

/// One change. The file adapter writes each as a JSON line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub(crate) enum Record {
    /// A new event; its `seq` is the room's next.
    Append {
        /// The event.
        event: WebhookEvent,
    },
    /// The room's head `seq` was acknowledged at `at`.
    Delivered { room: String, seq: u64, at: i64 },
    /// The head `seq` failed; try again at `next_at`.
    Retry {
        room: String,
        seq: u64,
        attempts: u32,
        next_at: i64,
    },
    /// The head `seq` was given up at `at`: the room moves on and the event
    /// joins the dead letters.
    Dead {
        room: String,
        seq: u64,
        attempts: u32,
        error: String,
        at: i64,
    },
    /// The dead letter with `event.id` was appended to its room again as
    /// `event` (its new `seq` is the room's next).
    Revive {
        /// The event as requeued.
        event: WebhookEvent,
    },
    /// A dead letter restored by a snapshot (oldest first).
    DeadKept {
        /// The dead letter.
        dead: DeadLetter,
    },
    /// A replay moved the room's cursor back to `cursor` at `at`.
    Rewind { room: String, cursor: u64, at: i64 },
    /// Snapshot of a room's counters (written by compaction), followed by
    /// its retained events as `Kept` records.
    Room {
        room: String,
        last_seq: u64,
        cursor: u64,
        attempts: u32,
        next_at: i64,
    },
    /// A retained event restored by a snapshot.
    Kept {
        /// The event.
        event: WebhookEvent,
    },
}

#[derive(Debug, Default)]
struct RoomLog {
    last_seq: u64,
    /// Every event up to this one is delivered.
    cursor: u64,
    /// Retained events, contiguous, ending at `last_seq` (or empty).
    events: VecDeque<WebhookEvent>,
    attempts: u32,
    next_at: i64,
    /// A dispatcher's claim; never persisted (a restart ends every claim).
    lease_until: i64,
}

impl RoomLog {
    fn first(&self) -> u64 {
        self.events.front().map_or(self.last_seq + 1, |e| e.seq)
    }

    fn get(&self, seq: u64) -> Option<&WebhookEvent> {
        let first = self.first();
        if seq < first {
            return None;
        }
        self.events.get((seq - first) as usize)
    }

    fn pending(&self) -> bool {
        self.cursor < self.last_seq
    }

    fn not_before(&self) -> i64 {
        self.next_at.max(self.lease_until)
    }

    /// Drops delivered events beyond the count limit.
    fn trim_count(&mut self, keep: usize) {
        while let Some(front) = self.events.front() {
            if front.seq <= self.cursor && (self.cursor - front.seq) as usize >= keep {
                self.events.pop_front();
            } else {
                break;
            }
        }
    }

    /// Drops delivered events created before `oldest`.
    fn trim_age(&mut self, oldest: i64) {
        while let Some(front) = self.events.front() {
            if front.seq <= self.cursor && front.created_at < oldest {
                self.events.pop_front();
            } else {
                break;
            }
        }
    }
}

fn corrupt(m: impl Into<String>) -> OutboxError {
    OutboxError::Corrupt(m.into())
}

/// Every room's log.
#[derive(Debug)]
pub(crate) struct State {
    rooms: BTreeMap<String, RoomLog>,
    retention: Retention,
    pending: u64,
    retained: usize,
    /// Pending events skipped by the cap (`Retention::max_pending`), and
    /// dead letters discarded by `Retention::max_dead`.
    dropped: u64,
    /// Dead letters, oldest first.
    dead: VecDeque<DeadLetter>,
}

impl State {
    pub(crate) fn new(retention: Retention) -> Self {
        State {
            rooms: BTreeMap::new(),
            retention,
            pending: 0,
            retained: 0,
            dropped: 0,
            dead: VecDeque::new(),
        }
    }

    /// How many records a snapshot of this state takes.
    pub(crate) fn live_records(&self) -> usize {
        self.rooms.len() + self.retained + self.dead.len()
    }

    /// The `Revive` record that requeues dead letter `id` (not applied yet).
    pub(crate) fn plan_revive(&self, id: &str) -> Option<WebhookEvent> {
        let d = self.dead.iter().find(|d| d.event.id == id)?;
        let mut event = d.event.clone();
        event.seq = self.rooms.get(&event.room_id).map_or(0, |r| r.last_seq) + 1;
        Some(event)
    }

    /// Up to `limit` dead letters, oldest first.
    pub(crate) fn dead_letters(&self, limit: usize) -> Vec<DeadLetter> {
        self.dead.iter().take(limit).cloned().collect()
    }

    pub(crate) fn dead_count(&self) -> u64 {
        self.dead.len() as u64
    }

    /// Adds a dead letter (replacing an older one of the same event, which
    /// a replay can make die twice), discarding the oldest over the cap.
    fn push_dead(&mut self, dead: DeadLetter) {
        self.dead.retain(|d| d.event.id != dead.event.id);
        self.dead.push_back(dead);
        let max = self.retention.max_dead;
        while max > 0 && self.dead.len() > max {
            if let Some(d) = self.dead.pop_front() {
                tracing::warn!(
                    room = %d.event.room_id,
                    seq = d.event.seq,
                    id = %d.event.id,
                    "webhook dead-letter list full: discarded its oldest entry"
                );
            }
            self.dropped += 1;
        }
    }

    /// The event `append` would store (not applied yet).
    pub(crate) fn next_event(
        &self,
        room_id: &str,
        event: &str,
        data: serde_json::Value,
        now_ms: i64,
    ) -> WebhookEvent {
        let seq = self.rooms.get(room_id).map_or(0, |r| r.last_seq) + 1;
        WebhookEvent {
            id: uuid::Uuid::new_v4().to_string(),
            event: event.to_owned(),
            room_id: room_id.to_owned(),
            seq,
            created_at: now_ms,
            data,
        }
    }

    /// Whether `seq` is the current head of `room`.
    pub(crate) fn is_head(&self, room: &str, seq: u64) -> bool {
        self.rooms
            .get(room)
            .is_some_and(|r| r.pending() && r.cursor + 1 == seq)
    }

    fn append_event(&mut self, event: &WebhookEvent) -> Result<bool, OutboxError> {
        let keep = self.retention.keep_delivered;
        let last = self.rooms.get(&event.room_id).map_or(0, |r| r.last_seq);
        if event.seq != last + 1 {
            return Err(corrupt(format!(
                "room {}: event seq {} after {last}",
                event.room_id, event.seq
            )));
        }
        let r = self.rooms.entry(event.room_id.clone()).or_default();
        if !r.pending() {
            // The new event is the head, due at once.
            r.attempts = 0;
            r.next_at = event.created_at;
            r.lease_until = 0;
        }
        r.last_seq = event.seq;
        r.events.push_back(event.clone());
        let before = r.events.len();
        r.trim_age(event.created_at.saturating_sub(self.retention.max_age_ms));
        self.retained = self.retained + 1 + r.events.len() - before;
        self.pending += 1;
        // The cap on undelivered events: skip the oldest pending
        // ones (as if delivered: still replayable while retained).
        let max = self.retention.max_pending as u64;
        if max > 0 && r.last_seq - r.cursor > max {
            let skipped = r.last_seq - r.cursor - max;
            r.cursor += skipped;
            r.attempts = 0;
            r.next_at = event.created_at;
            r.lease_until = 0;
            let before = r.events.len();
            r.trim_count(keep);
            self.retained -= before - r.events.len();
            self.pending -= skipped;
            self.dropped += skipped;
        }
        Ok(true)
    }

    /// Applies one record. Refuses (`Corrupt`) what cannot follow the
    /// current state, which only a damaged log can produce; a `Delivered`
    /// or `Retry` for a seq that is not the head is ignored (returns
    /// `false`), as the live operation would have.
    pub(crate) fn apply(&mut self, rec: &Record) -> Result<bool, OutboxError> {
        match rec {
            Record::Append { event } => self.append_event(event),
            Record::Delivered { room, seq, at } => Ok(self.pass_head(room, *seq, *at).is_some()),
            Record::Dead {
                room,
                seq,
                attempts,
                error,
                at,
            } => {
                let Some(event) = self.pass_head(room, *seq, *at) else {
                    return Ok(false);
                };
                self.push_dead(DeadLetter {
                    event,
                    attempts: *attempts,
                    error: error.clone(),
                    dead_at: *at,
                });
                Ok(true)
            }
            // Authoritative when read back: the event was requeued, even if
            // the list no longer holds it (a smaller `max_dead` on reopen).
            Record::Revive { event } => {
                self.append_event(event)?;
                self.dead.retain(|d| d.event.id != event.id);
                Ok(true)
            }
            Record::DeadKept { dead } => {
                self.push_dead(dead.clone());
                Ok(true)
            }
            Record::Retry {
                room,
                seq,
                attempts,
                next_at,
            } => {
                if !self.is_head(room, *seq) {
                    return Ok(false);
                }
                let r = self.rooms.get_mut(room).expect("head exists");
                r.attempts = *attempts;
                r.next_at = *next_at;
                r.lease_until = 0;
                Ok(true)
            }
            Record::Rewind { room, cursor, at } => {
                let Some(r) = self.rooms.get_mut(room) else {
                    return Err(corrupt(format!("rewind of unknown room {room}")));
                };
                if *cursor >= r.cursor {
                    return Ok(false);
                }
                if cursor + 1 < r.first() {
                    return Err(corrupt(format!(
                        "room {room}: rewind to {cursor} before the retained {}",
                        r.first()
                    )));
                }
                self.pending += r.cursor - cursor;
                r.cursor = *cursor;
                r.attempts = 0;
                r.next_at = *at;
                r.lease_until = 0;
                Ok(true)
            }
            Record::Room {
                room,
                last_seq,
                cursor,
                attempts,
                next_at,
            } => {
                if cursor > last_seq || self.rooms.contains_key(room) {
                    return Err(corrupt(format!("bad snapshot of room {room}")));
                }
                self.rooms.insert(
                    room.clone(),
                    RoomLog {
                        last_seq: *last_seq,
                        cursor: *cursor,
                        events: VecDeque::new(),
                        attempts: *attempts,
                        next_at: *next_at,
                        lease_until: 0,
                    },
                );
                self.pending += last_seq - cursor;
                Ok(true)
            }
            Record::Kept { event } => {
                let Some(r) = self.rooms.get_mut(&event.room_id) else {
                    return Err(corrupt(format!(
                        "kept event of unknown room {}",
                        event.room_id
                    )));
                };
                // Kept events arrive oldest first and end at last_seq; a
                // pending event must never be missing.
                let expected = match r.events.back() {
                    Some(b) => b.seq + 1,
                    None => event.seq,
                };
                if event.seq != expected || event.seq > r.last_seq {
                    return Err(corrupt(format!(
                        "room {}: kept event {} out of place",
                        event.room_id, event.seq
                    )));
                }
                r.events.push_back(event.clone());
                self.retained += 1;
                Ok(true)
            }
        }
    }

    /// Moves `room` past its head `seq` at `at` (delivered or given up) and
    /// returns that event; `None` (nothing changed) if `seq` is not the head.
    fn pass_head(&mut self, room: &str, seq: u64, at: i64) -> Option<WebhookEvent> {
        if !self.is_head(room, seq) {
            return None;
        }
        let keep = self.retention.keep_delivered;
        let r = self.rooms.get_mut(room).expect("head exists");
        // Pending events are always retained (`check_complete`).
        let event = r.get(seq).cloned()?;
        r.cursor = seq;
        r.attempts = 0;
        r.next_at = at;
        r.lease_until = 0;
        let before = r.events.len();
        r.trim_count(keep);
        self.retained -= before - r.events.len();
        self.pending -= 1;
        Some(event)
    }

    /// After loading: every pending event must be present.
    pub(crate) fn check_complete(&self) -> Result<(), OutboxError> {
        for (room, r) in &self.rooms {
            let ends = r.events.back().map_or(r.last_seq, |e| e.seq);
            if ends != r.last_seq || (r.pending() && r.first() > r.cursor + 1) {
                return Err(corrupt(format!("room {room}: pending events are missing")));
            }
        }
        Ok(())
    }

    /// Claims the due heads (in memory only: claims are not persisted).
    pub(crate) fn next_due(&mut self, now_ms: i64, limit: usize, lease_ms: i64) -> Vec<Due> {
        let mut due: Vec<(i64, &String)> = self
            .rooms
            .iter()
            .filter(|(_, r)| r.pending() && r.not_before() <= now_ms)
            .map(|(id, r)| (r.not_before(), id))
            .collect();
        due.sort();
        let ids: Vec<String> = due
            .into_iter()
            .take(limit)
            .map(|(_, id)| id.clone())
            .collect();
        ids.iter()
            .filter_map(|id| {
                let r = self.rooms.get_mut(id)?;
                r.lease_until = now_ms.saturating_add(lease_ms.max(0));
                let event = r.get(r.cursor + 1)?.clone();
                Some(Due {
                    event,
                    attempts: r.attempts,
                })
            })
            .collect()
    }

    /// The `Rewind` records a replay makes, with how many events each one
    /// re-queues.
    pub(crate) fn plan_replay(
        &self,
        room_id: Option<&str>,
        from: ReplayFrom,
        now_ms: i64,
    ) -> Vec<(Record, u64)> {
        let (from_seq, since_ms) = replay_window(from, self.retention, now_ms);
        let rooms: Vec<(&String, &RoomLog)> = match room_id {
            Some(id) => self.rooms.get_key_value(id).into_iter().collect(),
            None => self.rooms.iter().collect(),
        };
        rooms
            .into_iter()
            .filter_map(|(id, r)| {
                let start = r
                    .events
                    .iter()
                    .take_while(|e| e.seq <= r.cursor)
                    .find(|e| e.seq >= from_seq && e.created_at >= since_ms)?
                    .seq;
                let rec = Record::Rewind {
                    room: id.clone(),
                    cursor: start - 1,
                    at: now_ms,
                };
                Some((rec, r.cursor - (start - 1)))
            })
            .collect()
    }

    pub(crate) fn pending_count(&self) -> u64 {
        self.pending
    }

    pub(crate) fn dropped_count(&self) -> u64 {
        self.dropped
    }

    pub(crate) fn room_state(&self, room_id: &str) -> Option<RoomState> {
        self.rooms.get(room_id).map(|r| RoomState {
            last_seq: r.last_seq,
            delivered_upto: r.cursor,
            retained_from: r.first(),
            attempts: r.attempts,
            not_before_ms: r.pending().then(|| r.not_before()),
        })
    }

    /// The records that rebuild this state (without claims).
    pub(crate) fn snapshot(&self) -> impl Iterator<Item = Record> + '_ {
        self.rooms
            .iter()
            .flat_map(|(id, r)| {
                std::iter::once(Record::Room {
                    room: id.clone(),
                    last_seq: r.last_seq,
                    cursor: r.cursor,
                    attempts: r.attempts,
                    next_at: r.next_at,
                })
                .chain(r.events.iter().map(|e| Record::Kept { event: e.clone() }))
            })
            .chain(
                self.dead
                    .iter()
                    .map(|d| Record::DeadKept { dead: d.clone() }),
            )
    }
}
