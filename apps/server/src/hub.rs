//! The connection hub of one instance: which local connection speaks for
//! which user in which room. It receives every bus event and hands the
//! payload to the matching local connections without blocking; a
//! connection whose queue is full is closed as a slow consumer.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, RwLock};

use signaling_core::ports::{BusEvent, BusKind, EventSink};
use signaling_core::{Audience, ConnectionId, ErrorCode, RoomId, UserId};
use tokio::sync::{Notify, mpsc};

/// What a session task receives.
#[derive(Debug)]
pub enum Outbound {
    /// A JSON text frame, shared between recipients.
    Text(Arc<str>),
    /// Close with this code.
    Close(ErrorCode),
}

/// The hub's handle on one connection.
#[derive(Clone)]
pub struct ConnHandle {
    /// Connection id.
    pub id: ConnectionId,
    tx: mpsc::Sender<Outbound>,
    /// Set when the connection must close (slow consumer); 0 when not.
    pub kill_code: Arc<AtomicU16>,
    /// Wakes the session when `kill_code` is set.
    pub kill: Arc<Notify>,
}

/// Index code of [`ErrorCode::SlowConsumer`] in the kill flag.
pub const KILL_SLOW: u16 = 1;

impl ConnHandle {
    fn send(&self, msg: Outbound) {
        if let Err(mpsc::error::TrySendError::Full(_)) = self.tx.try_send(msg) {
            self.kill_code.store(KILL_SLOW, Ordering::Relaxed);
            self.kill.notify_one();
        }
    }
}

#[derive(Default)]
struct Inner {
    rooms: HashMap<RoomId, HashMap<UserId, ConnHandle>>,
    conns: HashMap<ConnectionId, ConnHandle>,
}

/// Local connections of this instance.
#[derive(Default)]
pub struct Hub {
    inner: RwLock<Inner>,
}

impl Hub {
    /// Registers a connection; returns its handle and receiving end.
    pub fn register(
        &self,
        room: &RoomId,
        user: &UserId,
        id: ConnectionId,
        queue: usize,
    ) -> (ConnHandle, mpsc::Receiver<Outbound>) {
        let (tx, rx) = mpsc::channel(queue);
        let h = ConnHandle {
            id,
            tx,
            kill_code: Arc::default(),
            kill: Arc::default(),
        };
        let mut inner = self.inner.write().expect("lock");
        inner
            .rooms
            .entry(room.clone())
            .or_default()
            .insert(user.clone(), h.clone());
        inner.conns.insert(id, h.clone());
        (h, rx)
    }

    /// Removes a connection (only the user's entry if it is still this one).
    pub fn unregister(&self, room: &RoomId, user: &UserId, id: ConnectionId) {
        let mut inner = self.inner.write().expect("lock");
        inner.conns.remove(&id);
        if let Some(users) = inner.rooms.get_mut(room) {
            if users.get(user).is_some_and(|h| h.id == id) {
                users.remove(user);
            }
            if users.is_empty() {
                inner.rooms.remove(room);
            }
        }
    }

    /// Number of live connections on this instance.
    pub fn connection_count(&self) -> usize {
        self.inner.read().expect("lock").conns.len()
    }
}

impl EventSink for Hub {
    fn deliver(&self, event: &BusEvent) {
        let inner = self.inner.read().expect("lock");
        match &event.kind {
            BusKind::Deliver { to, payload } => {
                let text: Arc<str> = Arc::from(payload.as_str());
                match to {
                    Audience::Users(users) => {
                        let Some(room) = inner.rooms.get(&event.room_id) else {
                            return;
                        };
                        for u in users {
                            if let Some(h) = room.get(u) {
                                h.send(Outbound::Text(text.clone()));
                            }
                        }
                    }
                    Audience::Connection(c) => {
                        if let Some(h) = inner.conns.get(c) {
                            h.send(Outbound::Text(text));
                        }
                    }
                }
            }
            BusKind::Disconnect { connection, code } => {
                if let Some(h) = inner.conns.get(connection) {
                    h.send(Outbound::Close(*code));
                }
            }
        }
    }
}
