//! Counters of this instance, read by `GET /webrtc/webrtc-metrics`, and the
//! Prometheus exposition at `GET /metrics`.
//!
//! Every counter here is also recorded through the `metrics` facade, which
//! the adapters use too (Redis and MongoDB call latency); the process-wide
//! Prometheus recorder renders them all. Lock-free on the hot path; the
//! per-code error map takes a lock only when an error is sent.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

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
#[derive(Debug, Serialize, utoipa::ToSchema)]
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

/// Histogram buckets for every `*_seconds` metric: 50 µs to 10 s.
const SECONDS_BUCKETS: &[f64] = &[
    0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0,
    2.5, 10.0,
];

/// Buckets of the webhook delivery lag: 10 ms to 6 hours (a receiver that
/// is down makes it minutes or hours).
const LAG_BUCKETS: &[f64] = &[
    0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 30.0, 60.0, 300.0, 1800.0, 3600.0, 21600.0,
];

/// The process-wide Prometheus recorder, installed on first use. If the
/// embedding program installed another `metrics` recorder first, ours only
/// renders what is recorded through it (nothing), and a warning says so.
pub fn prometheus() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let builder = PrometheusBuilder::new()
            .set_buckets_for_metric(
                Matcher::Full("rtc_webhook_delivery_lag_seconds".into()),
                LAG_BUCKETS,
            )
            .expect("buckets are not empty")
            .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), SECONDS_BUCKETS)
            .expect("buckets are not empty");
        let recorder = builder.build_recorder();
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("another metrics recorder is installed: /metrics will be empty");
        }
        describe();
        handle
    })
}

/// Drains histogram samples into their buckets every 5 s. The exporter
/// keeps every recorded sample until this runs (or a scrape renders), so
/// without it memory grows with traffic.
pub async fn upkeep() {
    let mut tick = tokio::time::interval(Duration::from_secs(5));
    loop {
        tick.tick().await;
        prometheus().run_upkeep();
    }
}

fn describe() {
    use metrics::{describe_counter, describe_gauge, describe_histogram};
    describe_gauge!(
        "rtc_connections",
        "Open WebSocket connections on this instance"
    );
    describe_gauge!("rtc_rooms", "Rooms in the shared store");
    describe_gauge!("rtc_participants", "Participants in all rooms");
    describe_counter!(
        "rtc_connections_opened_total",
        "WebSocket sessions accepted"
    );
    describe_counter!(
        "rtc_joins_refused_total",
        "Joins refused (full, locked, banned...)"
    );
    describe_counter!("rtc_frames_received_total", "Client text frames received");
    describe_counter!("rtc_frames_sent_total", "Text frames sent to clients");
    describe_counter!(
        "rtc_slow_consumer_closes_total",
        "Connections closed as too slow"
    );
    describe_counter!("rtc_messages_total", "Client messages handled, by type");
    describe_histogram!(
        "rtc_message_handling_seconds",
        "Time from a client message's arrival to its delivery to recipients' queues (the relay latency), by type"
    );
    describe_counter!("rtc_errors_total", "Errors sent to clients, by code");
    describe_counter!(
        "rtc_http_requests_total",
        "HTTP requests, by method and status"
    );
    describe_histogram!("rtc_http_request_seconds", "HTTP request duration");
    describe_counter!(
        "rtc_transfers_total",
        "File transfer events (offered, completed, failed...)"
    );
    describe_counter!(
        "rtc_transfer_bytes_total",
        "Verified file-transfer bytes stored"
    );
    describe_counter!(
        "rtc_recordings_total",
        "Recording events (started, completed, failed...)"
    );
    describe_counter!(
        "rtc_webhooks_total",
        "Webhook delivery attempts, by outcome"
    );
    describe_gauge!(
        "rtc_media_peers",
        "Media peers (SFU participants) on this instance"
    );
    describe_counter!(
        "rtc_media_datagrams_total",
        "UDP datagrams the media plane received"
    );
    describe_counter!(
        "rtc_media_unrouted_total",
        "Media datagrams no peer accepted (dropped: strays, floods, late packets of gone peers)"
    );
    describe_counter!(
        "rtc_media_received_total",
        "Media payloads received from publishers"
    );
    describe_counter!(
        "rtc_media_forwarded_total",
        "Media payloads written to subscribers"
    );
    describe_counter!(
        "rtc_media_refused_total",
        "Media payloads not forwarded because their sender may not publish them now (muted, not permitted)"
    );
    describe_counter!(
        "rtc_media_keyframe_requests_dropped_total",
        "Subscribers' keyframe requests not passed on: one went to the publisher's track within 500 ms"
    );
    describe_histogram!(
        "rtc_store_call_seconds",
        "Latency of calls to Redis and MongoDB, by store and outcome"
    );
}

/// Publishes the media plane's counters (absolute values).
pub fn media(stats: media::SfuStats, peers: usize) {
    metrics::gauge!("rtc_media_peers").set(peers as f64);
    metrics::counter!("rtc_media_datagrams_total").absolute(stats.datagrams_in);
    metrics::counter!("rtc_media_unrouted_total").absolute(stats.unrouted);
    metrics::counter!("rtc_media_received_total").absolute(stats.media_in);
    metrics::counter!("rtc_media_forwarded_total").absolute(stats.media_forwarded);
    metrics::counter!("rtc_media_refused_total").absolute(stats.media_refused);
    metrics::counter!("rtc_media_keyframe_requests_dropped_total")
        .absolute(stats.keyframe_requests_dropped);
}

/// Counts a file-transfer event (`offered`, `completed`, `failed`, ...).
pub fn transfer_event(event: &'static str) {
    metrics::counter!("rtc_transfers_total", "event" => event).increment(1);
}

/// Counts verified file-transfer bytes.
pub fn transfer_bytes(n: u64) {
    metrics::counter!("rtc_transfer_bytes_total").increment(n);
}

/// Counts a recording event (`started`, `completed`, `failed`, ...).
pub fn recording_event(event: &'static str) {
    metrics::counter!("rtc_recordings_total", "event" => event).increment(1);
}

/// Counts an HTTP request and its duration.
pub fn http_request(method: &str, status: u16, elapsed: Duration) {
    metrics::counter!("rtc_http_requests_total", "method" => method_label(method), "status" => status.to_string())
        .increment(1);
    metrics::histogram!("rtc_http_request_seconds").record(elapsed.as_secs_f64());
}

/// The method as a label from a fixed set: a client-chosen method such as
/// `FOO1`, `FOO2`, … becomes `OTHER`, so it cannot mint label series.
pub fn method_label(method: &str) -> &'static str {
    match method {
        "GET" => "GET",
        "HEAD" => "HEAD",
        "POST" => "POST",
        "PUT" => "PUT",
        "DELETE" => "DELETE",
        "PATCH" => "PATCH",
        "OPTIONS" => "OPTIONS",
        _ => "OTHER",
    }
}

/// Handles of the hot-path metrics, looked up once: a `counter!` with
/// labels hashes its key into the registry on every call, which cost 7 % of
/// the relay's CPU (docs/performance.md).
struct Handles {
    connections_opened: metrics::Counter,
    joins_refused: metrics::Counter,
    frames_received: metrics::Counter,
    frames_sent: metrics::Counter,
    slow_consumer: metrics::Counter,
    /// By `MessageType::ALL` index.
    messages: Vec<(metrics::Counter, metrics::Histogram)>,
    /// By `ErrorCode::ALL` index.
    errors: Vec<metrics::Counter>,
}

fn handles() -> &'static Handles {
    static H: OnceLock<Handles> = OnceLock::new();
    H.get_or_init(|| {
        prometheus();
        use signaling_core::protocol::MessageType;
        Handles {
            connections_opened: metrics::counter!("rtc_connections_opened_total"),
            joins_refused: metrics::counter!("rtc_joins_refused_total"),
            frames_received: metrics::counter!("rtc_frames_received_total"),
            frames_sent: metrics::counter!("rtc_frames_sent_total"),
            slow_consumer: metrics::counter!("rtc_slow_consumer_closes_total"),
            messages: MessageType::ALL
                .iter()
                .map(|t| {
                    (
                        metrics::counter!("rtc_messages_total", "type" => t.as_str()),
                        metrics::histogram!("rtc_message_handling_seconds", "type" => t.as_str()),
                    )
                })
                .collect(),
            errors: ErrorCode::ALL
                .iter()
                .map(|c| metrics::counter!("rtc_errors_total", "code" => c.as_str()))
                .collect(),
        }
    })
}

impl Metrics {
    /// A session was accepted.
    pub fn connection_opened(&self) {
        bump(&self.connections_opened);
        handles().connections_opened.increment(1);
    }
    /// A join was refused.
    pub fn join_refused(&self) {
        bump(&self.joins_refused);
        handles().joins_refused.increment(1);
    }
    /// A client frame arrived.
    pub fn frame_received(&self) {
        bump(&self.frames_received);
        handles().frames_received.increment(1);
    }
    /// A frame went out.
    pub fn frame_sent(&self) {
        bump(&self.frames_sent);
        handles().frames_sent.increment(1);
    }
    /// A slow consumer was closed.
    pub fn slow_consumer(&self) {
        bump(&self.slow_consumer_closes);
        handles().slow_consumer.increment(1);
    }
    /// A client message of type `ty` was handled in `elapsed`.
    pub fn message_handled(&self, ty: signaling_core::protocol::MessageType, elapsed: Duration) {
        // `ALL` lists the variants in declaration order, so the
        // discriminant is the index.
        if let Some((c, h)) = handles().messages.get(ty as usize) {
            c.increment(1);
            h.record(elapsed.as_secs_f64());
        }
    }
    /// An error with this code was sent.
    pub fn error(&self, code: ErrorCode) {
        if let Some(c) = handles().errors.get(code as usize) {
            c.increment(1);
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enum_discriminants_are_their_index_in_all() {
        use signaling_core::protocol::MessageType;
        for (i, t) in MessageType::ALL.iter().enumerate() {
            assert_eq!(*t as usize, i);
        }
        for (i, c) in ErrorCode::ALL.iter().enumerate() {
            assert_eq!(*c as usize, i);
        }
    }
}
