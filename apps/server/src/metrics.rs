//! Counters of this instance, read by `GET /webrtc/webrtc-metrics`.
//! Lock-free on the hot path; the per-code error map takes a lock only when
//! an error is sent.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;
use signaling_core::ErrorCode;

/// Operational counters since start.
#[derive(Debug, Default)]
pub struct Metrics {
    connections_opened: AtomicU64,
    joins_refused: AtomicU64,
    frames_received: AtomicU64,
    frames_sent: AtomicU64,
    slow_consumer_closes: AtomicU64,
    errors: Mutex<BTreeMap<&'static str, u64>>,
}

/// A point-in-time copy of [`Metrics`].
#[derive(Debug, Serialize)]
pub struct MetricsSnapshot {
    /// Open WebSocket connections now.
    pub connections: usize,
    /// WebSocket sessions accepted since start.
    pub connections_opened: u64,
    /// Joins refused (full, locked, banned, ...).
    pub joins_refused: u64,
    /// Client text frames received.
    pub frames_received: u64,
    /// Text frames sent to clients.
    pub frames_sent: u64,
    /// Connections closed because they could not keep up.
    pub slow_consumer_closes: u64,
    /// WebSocket `error` messages and error closes sent, by code.
    pub errors_by_code: BTreeMap<&'static str, u64>,
}

fn bump(c: &AtomicU64) {
    c.fetch_add(1, Ordering::Relaxed);
}

impl Metrics {
    /// A session was accepted.
    pub fn connection_opened(&self) {
        bump(&self.connections_opened);
    }
    /// A join was refused.
    pub fn join_refused(&self) {
        bump(&self.joins_refused);
    }
    /// A client frame arrived.
    pub fn frame_received(&self) {
        bump(&self.frames_received);
    }
    /// A frame went out.
    pub fn frame_sent(&self) {
        bump(&self.frames_sent);
    }
    /// A slow consumer was closed.
    pub fn slow_consumer(&self) {
        bump(&self.slow_consumer_closes);
    }
    /// An error with this code was sent.
    pub fn error(&self, code: ErrorCode) {
        *self
            .errors
            .lock()
            .expect("metrics lock")
            .entry(code.as_str())
            .or_default() += 1;
    }

    /// The counters now.
    pub fn snapshot(&self, connections: usize) -> MetricsSnapshot {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        MetricsSnapshot {
            connections,
            connections_opened: get(&self.connections_opened),
            joins_refused: get(&self.joins_refused),
            frames_received: get(&self.frames_received),
            frames_sent: get(&self.frames_sent),
            slow_consumer_closes: get(&self.slow_consumer_closes),
            errors_by_code: self.errors.lock().expect("metrics lock").clone(),
        }
    }
}
