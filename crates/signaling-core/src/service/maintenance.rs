//! Periodic jobs: dead instances' connections released, empty rooms
//! deleted, recording slots reconciled and overlong recordings stopped.

use super::*;

impl RoomService {
    /// Claims the connections of instances whose heartbeat lapsed and
    /// announces their users as disconnected, freeing their room slots.
    /// Returns how many connections were released.
    pub async fn reap_dead_instances(&self, me: &str) -> Result<usize, SignalError> {
        let mut released = 0;
        for (instance, conns) in self.ports.instances.claim_dead(me).await? {
            tracing::warn!(%instance, connections = conns.len(), "instance stopped heartbeating; releasing its connections");
            for c in conns {
                let applied = self
                    .apply_if_present(&c.room_id, |room, now| {
                        self.engine.leave(
                            room,
                            now,
                            &c.user_id,
                            Some(c.connection),
                            LeaveReason::Disconnected,
                        )
                    })
                    .await?;
                released += usize::from(applied);
            }
        }
        Ok(released)
    }

    /// Deletes rooms that have been empty for longer than `delay`, with
    /// their replay logs. Returns how many were deleted.
    pub async fn sweep_empty_rooms(&self, delay: time::Duration) -> Result<usize, SignalError> {
        let mut deleted = 0;
        for id in self.ports.rooms.list().await? {
            let Some(v) = self.ports.rooms.load(&id).await? else {
                continue;
            };
            let expired =
                v.room.is_empty() && v.room.emptied_at.is_some_and(|t| t + delay <= self.now());
            if expired && self.delete_room(&id, v.version).await? {
                deleted += 1;
            }
        }
        Ok(deleted)
    }

    /// Frees recording slots whose recording is no longer running (its
    /// stop was never seen: the instance died between taking the slot and
    /// storing the record, or the release failed). Slots younger than
    /// `grace_ms` are left alone: their start may still be under way.
    /// Returns how many were freed.
    pub async fn reconcile_recording_slots(&self, grace_ms: i64) -> Result<usize, SignalError> {
        let slots = crate::quota::keys::RECORDING_SLOTS;
        let now = unix_ms(self.now());
        let mut n = 0;
        for (id, at) in self.ports.quotas.slots(slots).await? {
            if now - at < grace_ms {
                continue;
            }
            let running = self
                .ports
                .recordings
                .get(&id)
                .await?
                .is_some_and(|r| r.is_active());
            if !running {
                self.ports.quotas.release_slot(slots, &id).await?;
                n += 1;
            }
        }
        Ok(n)
    }

    /// Stops recordings that ran longer than the configured maximum.
    /// Returns how many were stopped.
    pub async fn stop_overlong_recordings(&self) -> Result<usize, SignalError> {
        let max = time::Duration::seconds(self.engine.config.max_recording_secs as i64);
        let now = self.now();
        let mut n = 0;
        let list = self.ports.recordings.list_unfinished().await?;
        for r in list.iter().filter(|r| r.is_active()) {
            if time::Duration::seconds(r.duration_secs(now)) < max {
                continue;
            }
            let Ok(room_id) = RoomId::parse(&r.room_id) else {
                continue;
            };
            let applied = self
                .apply_if_present(&room_id, |room, now| {
                    self.engine.recording_time_limit(room, now, &r.recording_id)
                })
                .await?;
            n += usize::from(applied);
        }
        Ok(n)
    }
}
