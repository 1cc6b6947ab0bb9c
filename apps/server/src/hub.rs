//! The connection hub of one instance: which local connection speaks for
//! which user in which room. It receives every bus event and hands the
//! payload to the matching local connections without blocking; a
//! connection whose queue is full is closed as a slow consumer.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use app::session::ByteString;
use signaling_core::ports::{BusEvent, BusKind, EventSink};
use signaling_core::{Audience, ConnectionId, ErrorCode, RoomId, UserId};

pub mod queue;

/// What a session task receives (the session's input type).
pub use app::Outbound;

/// The hub's handle on one connection.
#[derive(Clone)]
pub struct ConnHandle {
    /// Connection id.
    pub id: ConnectionId,
    /// Its send queue, whose flag says it must close ([`KILL_SLOW`],
    /// [`KILL_RESTART`]).
    tx: queue::Sender<Outbound>,
    /// When the connection was registered.
    pub since: std::time::Instant,
}

impl ConnHandle {
    /// Tells this connection the server is stopping (close 1012), through
    /// the kill flag when its queue is full.
    pub fn restart(&self) {
        if self.tx.try_push(Outbound::Restart).is_err() {
            self.tx.overrule(KILL_RESTART);
        }
    }

    /// The code of the kill flag: 0, [`KILL_SLOW`] or [`KILL_RESTART`].
    pub fn kill_code(&self) -> u16 {
        self.tx.flag()
    }
}

/// The kill flag of a full queue: [`ErrorCode::SlowConsumer`].
pub const KILL_SLOW: u16 = 1;
/// The kill flag of a restart that found the queue full.
pub const KILL_RESTART: u16 = 2;

impl ConnHandle {
    fn send(&self, msg: Outbound) {
        if self.tx.try_push(msg).is_err() {
            // A restart flagged first keeps its code.
            self.tx.raise(KILL_SLOW);
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
    ) -> (ConnHandle, queue::Receiver<Outbound>) {
        let (tx, rx) = queue::bounded(queue);
        let h = ConnHandle {
            id,
            tx,
            since: std::time::Instant::now(),
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

    /// The local connections older than `min_age`, by room: who holds
    /// them. (Younger ones may still be joining.)
    pub fn settled_seats(
        &self,
        min_age: std::time::Duration,
    ) -> Vec<(RoomId, Vec<(UserId, ConnectionId)>)> {
        let inner = self.inner.read().expect("lock");
        inner
            .rooms
            .iter()
            .map(|(room, users)| {
                let seats = users
                    .iter()
                    .filter(|(_, h)| h.since.elapsed() >= min_age)
                    .map(|(u, h)| (u.clone(), h.id))
                    .collect();
                (room.clone(), seats)
            })
            .collect()
    }

    /// Closes a local connection with `code` after what is queued for it.
    pub fn close(&self, id: ConnectionId, code: ErrorCode) {
        if let Some(h) = self.inner.read().expect("lock").conns.get(&id) {
            h.send(Outbound::Close(code));
        }
    }

    /// Closes a local connection the room no longer seats. It stops
    /// speaking for its user at once, before its session has closed, so
    /// that events for the user that follow (the user may be on another
    /// instance now) are not taken for local ones. True if it was here.
    fn disconnect(&self, room: &RoomId, id: ConnectionId, code: ErrorCode) -> bool {
        let mut inner = self.inner.write().expect("lock");
        let Some(h) = inner.conns.get(&id).cloned() else {
            return false;
        };
        h.send(Outbound::Close(code));
        if let Some(users) = inner.rooms.get_mut(room) {
            users.retain(|_, h| h.id != id);
            if users.is_empty() {
                inner.rooms.remove(room);
            }
        }
        true
    }

    /// Tells every local connection that the server is stopping (they close
    /// with 1012 after what is queued for them). Returns how many.
    pub fn restart_all(&self) -> usize {
        let inner = self.inner.read().expect("lock");
        for h in inner.conns.values() {
            h.restart();
        }
        inner.conns.len()
    }

    /// Number of live connections on this instance.
    pub fn connection_count(&self) -> usize {
        self.inner.read().expect("lock").conns.len()
    }
}

impl app::maintenance::LocalSeats for Hub {
    fn settled_seats(
        &self,
        min_age: std::time::Duration,
    ) -> Vec<(RoomId, Vec<(UserId, ConnectionId)>)> {
        Hub::settled_seats(self, min_age)
    }

    fn close(&self, connection: ConnectionId, code: ErrorCode) {
        Hub::close(self, connection, code)
    }
}

impl EventSink for Hub {
    fn deliver(&self, event: &BusEvent) {
        self.deliver_here(event);
    }

    /// Hands the event to the local connections it names; true when every
    /// one it names is here.
    fn deliver_here(&self, event: &BusEvent) -> bool {
        if let BusKind::Disconnect { connection, code } = &event.kind {
            return self.disconnect(&event.room_id, *connection, *code);
        }
        let inner = self.inner.read().expect("lock");
        match &event.kind {
            BusKind::Deliver { to, payload, seq } => match to {
                Audience::Users(users) => {
                    let Some(room) = inner.rooms.get(&event.room_id) else {
                        return users.is_empty();
                    };
                    let mut all = true;
                    for u in users {
                        match room.get(u) {
                            Some(h) => h.send(outbound(*seq, payload.clone())),
                            None => all = false,
                        }
                    }
                    all
                }
                Audience::Connection(c) => match inner.conns.get(c) {
                    Some(h) => {
                        h.send(outbound(*seq, payload.clone()));
                        true
                    }
                    None => false,
                },
            },
            BusKind::Disconnect { .. } => unreachable!("handled above"),
            // For the service's room views (`RoomService::subscribe`).
            // Media signaling goes to the media plane (the service's sink).
            BusKind::RoomChanged | BusKind::Media(_) => false,
        }
    }
}

/// What a connection's session gets for a delivery.
fn outbound(seq: Option<u64>, text: ByteString) -> Outbound {
    match seq {
        Some(seq) => Outbound::Sequenced(seq, text),
        None => Outbound::Text(text),
    }
}

/// Counts live WebSocket connections per user and per address on this
/// instance, and refuses new ones over the limits.
#[derive(Default)]
pub struct Admission {
    counts: std::sync::Mutex<Counts>,
}

/// Connections per user and per address, and in all.
#[derive(Default)]
struct Counts {
    users: HashMap<UserId, usize>,
    ips: HashMap<std::net::IpAddr, usize>,
    total: usize,
}

/// The limits [`Admission::admit`] checks.
#[derive(Debug, Clone, Copy)]
pub struct AdmissionLimits {
    /// Connections per user.
    pub per_user: usize,
    /// Connections per address.
    pub per_ip: usize,
    /// Connections on this instance.
    pub total: usize,
}

/// Holds one admitted connection's place; gives it back when dropped.
pub struct AdmissionGuard {
    admission: Arc<Admission>,
    user: UserId,
    ip: Option<std::net::IpAddr>,
}

impl Admission {
    /// Admits a connection of `user` from `ip` unless the instance, the
    /// user or the address is at its limit.
    pub fn admit(
        self: &Arc<Self>,
        user: &UserId,
        ip: Option<std::net::IpAddr>,
        limits: AdmissionLimits,
    ) -> Result<AdmissionGuard, signaling_core::SignalError> {
        let AdmissionLimits {
            per_user,
            per_ip,
            total,
        } = limits;
        let mut c = self.counts.lock().expect("admission lock");
        if c.total >= total {
            return Err(signaling_core::SignalError::new(
                ErrorCode::MaxParticipantsReached,
                format!("this instance holds {} connections (its limit)", c.total),
            ));
        }
        let u = c.users.get(user).copied().unwrap_or(0);
        if u >= per_user {
            return Err(signaling_core::SignalError::new(
                ErrorCode::TooManyConnections,
                format!("{user} already has {u} connections (limit {per_user})"),
            ));
        }
        if let Some(ip) = ip {
            let n = c.ips.get(&ip).copied().unwrap_or(0);
            if n >= per_ip {
                return Err(signaling_core::SignalError::new(
                    ErrorCode::TooManyConnections,
                    format!("{n} connections from this address (limit {per_ip})"),
                ));
            }
            *c.ips.entry(ip).or_default() += 1;
        }
        *c.users.entry(user.clone()).or_default() += 1;
        c.total += 1;
        Ok(AdmissionGuard {
            admission: self.clone(),
            user: user.clone(),
            ip,
        })
    }
}

impl Drop for AdmissionGuard {
    fn drop(&mut self) {
        let mut c = self.admission.counts.lock().expect("admission lock");
        c.total -= 1;
        if let Some(n) = c.users.get_mut(&self.user) {
            *n -= 1;
            if *n == 0 {
                c.users.remove(&self.user);
            }
        }
        if let Some(ip) = self.ip
            && let Some(n) = c.ips.get_mut(&ip)
        {
            *n -= 1;
            if *n == 0 {
                c.ips.remove(&ip);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_restart_that_finds_the_queue_full_still_says_restart() {
        let hub = Hub::default();
        let (room, user) = (RoomId::parse("r").unwrap(), UserId::parse("u").unwrap());
        let (h, mut rx) = hub.register(&room, &user, ConnectionId::new(), 1);
        assert_eq!(hub.restart_all(), 1);
        assert_eq!(
            rx.try_next_item().unwrap(),
            Outbound::Restart,
            "queued when there is room"
        );

        h.send(Outbound::Text("{}".into()));
        assert_eq!(hub.restart_all(), 1);
        assert_eq!(h.kill_code(), KILL_RESTART);
        // A delivery that overflows afterwards does not turn it into a
        // slow-consumer close.
        h.send(Outbound::Text("{}".into()));
        assert_eq!(h.kill_code(), KILL_RESTART);
    }
}
