//! The instance's local view of rooms: what relays (offers, answers,
//! candidates and the other commands that change nothing) are authorised
//! from, so they cost no read of the shared store.
//!
//! Kept current by the bus: every event an instance publishes after a
//! write carries the room's new version ([`BusEvent::version`]), and a
//! write with nothing else to say publishes [`BusKind::RoomChanged`]. A
//! view older than an announced version is dropped and the next relay
//! loads the room once. A load never puts back a view older than a version
//! already announced (a load racing an announcement cannot resurrect the
//! old room). When the bus subscription is lost and re-established the
//! instance may have missed announcements, so every view is dropped
//! ([`EventSink::resync`]); and no view is used longer than
//! [`VIEW_TTL_SECS`], which bounds the damage of an announcement lost
//! without the subscription noticing.
//!
//! Mutations never use a view: they load, compare and swap as before.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use time::OffsetDateTime;

use crate::RoomId;
use crate::ports::{BusEvent, BusKind, EventSink};
use crate::room::Room;

/// The longest a view is used before the room is loaded again.
pub const VIEW_TTL_SECS: i64 = 5;

/// How many insertions between sweeps of expired entries.
const SWEEP_EVERY: u32 = 1024;

struct Entry {
    /// The newest version known: the view's own, or a newer one announced.
    version: u64,
    /// The room at `version`; `None` once a newer version is announced.
    room: Option<Arc<Room>>,
    /// When the view was loaded (or the announcement seen).
    at: OffsetDateTime,
}

#[derive(Default)]
struct Inner {
    rooms: HashMap<RoomId, Entry>,
    inserts: u32,
}

/// Room views of one instance (shared by its service clones).
#[derive(Default)]
pub struct LocalViews {
    inner: Mutex<Inner>,
}

impl LocalViews {
    fn fresh(e: &Entry, now: OffsetDateTime) -> bool {
        (now - e.at).whole_seconds() < VIEW_TTL_SECS
    }

    /// Counts one insertion; every [`SWEEP_EVERY`] drops expired entries,
    /// so the map holds at most the rooms seen in the last few seconds.
    fn count_insert(inner: &mut Inner, now: OffsetDateTime) {
        inner.inserts += 1;
        if inner.inserts >= SWEEP_EVERY {
            inner.inserts = 0;
            inner.rooms.retain(|_, e| Self::fresh(e, now));
        }
    }

    /// The current view of a room, if there is one.
    pub fn get(&self, id: &RoomId, now: OffsetDateTime) -> Option<Arc<Room>> {
        let inner = self.inner.lock().expect("views lock");
        let e = inner.rooms.get(id)?;
        if Self::fresh(e, now) {
            e.room.clone()
        } else {
            None
        }
    }

    /// Keeps `room`, loaded at `version`, unless a newer version was
    /// announced meanwhile.
    pub fn loaded(&self, room: Arc<Room>, version: u64, now: OffsetDateTime) {
        let mut inner = self.inner.lock().expect("views lock");
        Self::count_insert(&mut inner, now);
        let id = room.id.clone();
        match inner.rooms.get_mut(&id) {
            Some(e) if e.version > version && Self::fresh(e, now) => {}
            _ => {
                inner.rooms.insert(
                    id,
                    Entry {
                        version,
                        room: Some(room),
                        at: now,
                    },
                );
            }
        }
    }

    /// The room is at `version` now (`None`: at a version unknown here, as
    /// when a write created it): an older view is dropped.
    pub fn changed(&self, id: &RoomId, version: Option<u64>, now: OffsetDateTime) {
        let mut inner = self.inner.lock().expect("views lock");
        // Announcements of rooms never viewed here leave entries too.
        Self::count_insert(&mut inner, now);
        match (inner.rooms.get_mut(id), version) {
            (Some(e), Some(v)) if e.version >= v => {}
            (Some(e), None) => e.room = None,
            (_, Some(v)) => {
                inner.rooms.insert(
                    id.clone(),
                    Entry {
                        version: v,
                        room: None,
                        at: now,
                    },
                );
            }
            (None, None) => {}
        }
    }

    /// Drops every view (announcements may have been missed).
    pub fn clear(&self) {
        self.inner.lock().expect("views lock").rooms.clear();
    }

    /// Number of rooms with an entry (views or announced versions).
    pub fn len(&self) -> usize {
        self.inner.lock().expect("views lock").rooms.len()
    }

    /// Whether no room has an entry.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The sink the service subscribes on the bus: keeps the views current and
/// passes every event on to the instance's own sink (its connections).
pub(super) struct ViewSink {
    pub(super) views: Arc<LocalViews>,
    pub(super) clock: Arc<dyn crate::ports::Clock>,
    pub(super) inner: Arc<dyn EventSink>,
    /// The service's own [`BusEvent::origin`]: its events were delivered
    /// here before they were published.
    pub(super) origin: crate::InstanceTag,
    /// This instance's media plane, for media signaling relayed to it.
    pub(super) media: Arc<std::sync::OnceLock<Arc<dyn crate::ports::MediaPlane>>>,
}

impl EventSink for ViewSink {
    fn deliver(&self, event: &BusEvent) {
        let announced = match (&event.kind, event.version) {
            (BusKind::RoomChanged, v) => Some(v),
            (_, Some(v)) => Some(Some(v)),
            _ => None,
        };
        if let Some(v) = announced {
            self.views.changed(&event.room_id, v, self.clock.now());
        }
        if let BusKind::Media(request) = &event.kind {
            match self.media.get() {
                Some(plane) => plane.submit(&event.room_id, request.clone()),
                None => {
                    tracing::warn!(room_id = %event.room_id, "relayed media signaling dropped: no media plane attached")
                }
            }
            return;
        }
        if !matches!(event.kind, BusKind::RoomChanged) && event.origin != Some(self.origin) {
            self.inner.deliver(event);
        }
    }

    fn resync(&self) {
        self.views.clear();
        self.inner.resync();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Engine;

    fn room(id: &str) -> Arc<Room> {
        let engine = Engine::new(crate::RoomConfig::default());
        Arc::new(engine.new_room(RoomId::parse(id).unwrap(), t(0)))
    }

    fn t(secs: i64) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(1_700_000_000 + secs).unwrap()
    }

    #[test]
    fn a_view_serves_until_a_newer_version_is_announced() {
        let v = LocalViews::default();
        let r = room("r");
        v.loaded(r.clone(), 3, t(0));
        assert!(v.get(&r.id, t(1)).is_some());
        v.changed(&r.id, Some(3), t(1)); // its own version: still good
        assert!(v.get(&r.id, t(1)).is_some());
        v.changed(&r.id, Some(4), t(1));
        assert!(v.get(&r.id, t(1)).is_none());
        v.loaded(r.clone(), 4, t(1));
        assert!(v.get(&r.id, t(1)).is_some());
        v.changed(&r.id, None, t(2)); // a write of unknown version
        assert!(v.get(&r.id, t(2)).is_none());
    }

    #[test]
    fn a_load_racing_an_announcement_does_not_bring_back_the_old_room() {
        let v = LocalViews::default();
        let r = room("r");
        // Announced before the (older) load completes.
        v.changed(&r.id, Some(8), t(0));
        v.loaded(r.clone(), 7, t(0));
        assert!(v.get(&r.id, t(0)).is_none());
        v.loaded(r.clone(), 8, t(0));
        assert!(v.get(&r.id, t(0)).is_some());
    }

    #[test]
    fn views_expire_and_a_resync_drops_them_all() {
        let v = LocalViews::default();
        let (a, b) = (room("a"), room("b"));
        v.loaded(a.clone(), 1, t(0));
        v.loaded(b.clone(), 1, t(0));
        assert!(v.get(&a.id, t(VIEW_TTL_SECS)).is_none(), "expired");
        assert!(v.get(&b.id, t(1)).is_some());
        v.clear();
        assert!(v.get(&b.id, t(1)).is_none());
        assert!(v.is_empty());
    }

    #[test]
    fn announcements_alone_are_swept_too() {
        let v = LocalViews::default();
        for i in 0..2 * SWEEP_EVERY {
            let at = t(i64::from(i / 100) * VIEW_TTL_SECS);
            v.changed(&RoomId::parse(&format!("r-{i}")).unwrap(), Some(1), at);
        }
        assert!(v.len() <= SWEEP_EVERY as usize, "{}", v.len());
    }

    #[test]
    fn expired_entries_are_swept_so_the_map_stays_bounded() {
        let v = LocalViews::default();
        for i in 0..SWEEP_EVERY {
            v.changed(&RoomId::parse(&format!("gone-{i}")).unwrap(), Some(2), t(0));
        }
        let r = room("live");
        for _ in 0..SWEEP_EVERY {
            v.loaded(r.clone(), 1, t(VIEW_TTL_SECS + 1));
        }
        assert_eq!(v.len(), 1);
    }
}
