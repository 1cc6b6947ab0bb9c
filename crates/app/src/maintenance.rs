//! The periodic upkeep of an instance as a list of named jobs, each with
//! its own period, doing one thing. The server schedules them (one timer
//! per job, the first run at start-up) and logs a failing job once per
//! outage; each job logs what it did. [`jobs`] is the standard list.
//!
//! | job | period | what |
//! |---|---|---|
//! | `heartbeat` | ttl / 3 | tells the registry this instance lives |
//! | `reap-dead-instances` | ttl / 3 | a dead instance's connections leave their rooms |
//! | `sweep-empty-rooms` | ttl / 3 | rooms empty for the delay go, with their logs |
//! | `flush-chat-outbox` | ttl / 3 | chat held while MongoDB was away is written |
//! | `stop-overlong-recordings` | ttl / 3 | recordings past the maximum length stop |
//! | `free-recording-slots` | ttl / 3 | slots of recordings no longer running are freed |
//! | `requeue-processing` | 10 × ttl / 3 | recordings still processing are queued again |
//! | `sweep-expired-transfers` | ttl / 3 | expired transfers and their bytes go |
//! | `audit-seats` | ttl / 3 | local connections the shared state lost are told to rejoin |
//! | `renew-media-claims` | 2 s | this instance keeps running its SFU rooms' media |

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use file_transfer::TransferService;
use signaling_core::memory::OutboxChatHistory;
use signaling_core::{ConnectionId, ErrorCode, RoomId, RoomService, SignalError, UserId};

/// One periodic job.
#[async_trait]
pub trait Job: Send + Sync {
    /// Its name, in logs.
    fn name(&self) -> &'static str;
    /// How long between two runs.
    fn period(&self) -> Duration;
    /// One run; how many things it did (rooms swept, connections
    /// released, ...).
    async fn run(&self) -> Result<usize, SignalError>;
    /// What the log says when a run fails (once per outage).
    fn failure(&self) -> &'static str {
        "maintenance job failed"
    }
}

/// The connections this instance holds, as the seat audit sees them (the
/// server's hub).
pub trait LocalSeats: Send + Sync {
    /// Connections older than `min_age` (younger ones may still be
    /// joining), by room: who holds each.
    fn settled_seats(&self, min_age: Duration) -> Vec<(RoomId, Vec<(UserId, ConnectionId)>)>;
    /// Closes a local connection with `code` after what is queued for it.
    fn close(&self, connection: ConnectionId, code: ErrorCode);
}

/// What the standard jobs need to know.
#[derive(Debug, Clone)]
pub struct MaintenanceConfig {
    /// This instance's id in the instance registry.
    pub instance_id: String,
    /// How long a heartbeat keeps this instance alive; jobs run every
    /// third of it.
    pub instance_ttl: Duration,
    /// How long an empty room lingers before it is deleted.
    pub empty_room_ttl: Duration,
}

/// The standard jobs. `chat_outbox` is there when chat goes to MongoDB.
pub fn jobs(
    config: &MaintenanceConfig,
    service: &RoomService,
    transfers: &TransferService,
    chat_outbox: Option<Arc<OutboxChatHistory>>,
    seats: Arc<dyn LocalSeats>,
) -> Vec<Arc<dyn Job>> {
    let ttl = Duration::from_secs(config.instance_ttl.as_secs().max(1));
    let period = ttl / 3;
    let me = config.instance_id.clone();
    let mut list: Vec<Arc<dyn Job>> = vec![
        Arc::new(Heartbeat {
            service: service.clone(),
            instance_id: me.clone(),
            ttl,
        }),
        Arc::new(ReapDeadInstances {
            service: service.clone(),
            instance_id: me,
            period,
        }),
        Arc::new(SweepEmptyRooms {
            service: service.clone(),
            delay: config.empty_room_ttl,
            period,
        }),
        Arc::new(StopOverlongRecordings {
            service: service.clone(),
            period,
        }),
        Arc::new(FreeRecordingSlots {
            service: service.clone(),
            grace: Duration::from_secs(60),
            period,
        }),
        Arc::new(RequeueProcessing {
            service: service.clone(),
            period: period * 10,
        }),
        Arc::new(SweepExpiredTransfers {
            transfers: transfers.clone(),
            period,
        }),
        Arc::new(RenewMediaClaims {
            service: service.clone(),
        }),
        Arc::new(AuditSeats {
            service: service.clone(),
            seats,
            min_age: ttl,
            period,
        }),
    ];
    if let Some(outbox) = chat_outbox {
        list.push(Arc::new(FlushChatOutbox { outbox, period }));
    }
    list
}

/// Tells the instance registry this instance lives, for `ttl`.
pub struct Heartbeat {
    /// The service (its instance registry).
    pub service: RoomService,
    /// This instance.
    pub instance_id: String,
    /// How long the beat keeps the instance alive; beats every third.
    pub ttl: Duration,
}

#[async_trait]
impl Job for Heartbeat {
    fn name(&self) -> &'static str {
        "heartbeat"
    }
    fn period(&self) -> Duration {
        self.ttl / 3
    }
    async fn run(&self) -> Result<usize, SignalError> {
        let ports = self.service.ports();
        ports
            .instances
            .heartbeat(&self.instance_id, self.ttl.as_secs().max(1))
            .await?;
        Ok(0)
    }
    fn failure(&self) -> &'static str {
        "instance heartbeat failed"
    }
}

/// Renews this instance's claims on the SFU rooms whose media it runs
/// (`signaling_core::service::MEDIA_CLAIM_TTL`), releasing the idle ones.
pub struct RenewMediaClaims {
    /// The service.
    pub service: RoomService,
}

#[async_trait]
impl Job for RenewMediaClaims {
    fn name(&self) -> &'static str {
        "renew-media-claims"
    }
    fn period(&self) -> Duration {
        signaling_core::service::MEDIA_CLAIM_RENEW
    }
    async fn run(&self) -> Result<usize, SignalError> {
        self.service.renew_media_claims().await
    }
    fn failure(&self) -> &'static str {
        "renewing media claims failed: other instances may take this instance's SFU rooms"
    }
}

/// Claims the connections of instances whose heartbeat lapsed; their users
/// leave as disconnected, freeing their places.
pub struct ReapDeadInstances {
    /// The service.
    pub service: RoomService,
    /// This instance (never reaped by itself).
    pub instance_id: String,
    /// Period.
    pub period: Duration,
}

#[async_trait]
impl Job for ReapDeadInstances {
    fn name(&self) -> &'static str {
        "reap-dead-instances"
    }
    fn period(&self) -> Duration {
        self.period
    }
    async fn run(&self) -> Result<usize, SignalError> {
        let n = self.service.reap_dead_instances(&self.instance_id).await?;
        if n > 0 {
            tracing::info!(connections = n, "released connections of dead instances");
        }
        Ok(n)
    }
}

/// Deletes rooms that have been empty for longer than `delay`.
pub struct SweepEmptyRooms {
    /// The service.
    pub service: RoomService,
    /// How long an empty room lingers.
    pub delay: Duration,
    /// Period.
    pub period: Duration,
}

#[async_trait]
impl Job for SweepEmptyRooms {
    fn name(&self) -> &'static str {
        "sweep-empty-rooms"
    }
    fn period(&self) -> Duration {
        self.period
    }
    async fn run(&self) -> Result<usize, SignalError> {
        let delay = time::Duration::try_from(self.delay).unwrap_or(time::Duration::MAX);
        self.service.sweep_empty_rooms(delay).await
    }
}

/// Writes chat messages held while the history store was away.
pub struct FlushChatOutbox {
    /// The outbox in front of the history store.
    pub outbox: Arc<OutboxChatHistory>,
    /// Period.
    pub period: Duration,
}

#[async_trait]
impl Job for FlushChatOutbox {
    fn name(&self) -> &'static str {
        "flush-chat-outbox"
    }
    fn period(&self) -> Duration {
        self.period
    }
    async fn run(&self) -> Result<usize, SignalError> {
        if self.outbox.pending().await == 0 {
            return Ok(0);
        }
        let n = self.outbox.flush().await;
        if n > 0 {
            let left = self.outbox.pending().await;
            tracing::info!(messages = n, left, "chat outbox written");
        }
        Ok(n)
    }
}

/// Stops recordings that ran longer than the configured maximum.
pub struct StopOverlongRecordings {
    /// The service (its engine knows the maximum).
    pub service: RoomService,
    /// Period.
    pub period: Duration,
}

#[async_trait]
impl Job for StopOverlongRecordings {
    fn name(&self) -> &'static str {
        "stop-overlong-recordings"
    }
    fn period(&self) -> Duration {
        self.period
    }
    async fn run(&self) -> Result<usize, SignalError> {
        self.service.stop_overlong_recordings().await
    }
}

/// Frees recording slots whose recording no longer runs (its stop was
/// never seen), leaving slots younger than `grace` whose start may still
/// be under way.
pub struct FreeRecordingSlots {
    /// The service.
    pub service: RoomService,
    /// Slots younger than this are left alone.
    pub grace: Duration,
    /// Period.
    pub period: Duration,
}

#[async_trait]
impl Job for FreeRecordingSlots {
    fn name(&self) -> &'static str {
        "free-recording-slots"
    }
    fn period(&self) -> Duration {
        self.period
    }
    async fn run(&self) -> Result<usize, SignalError> {
        let grace_ms = i64::try_from(self.grace.as_millis()).unwrap_or(i64::MAX);
        let n = self.service.reconcile_recording_slots(grace_ms).await?;
        if n > 0 {
            tracing::warn!(
                slots = n,
                "freed recording slots of recordings no longer running"
            );
        }
        Ok(n)
    }
}

/// Queues again every recording still marked processing, so one whose
/// instance died is picked up.
pub struct RequeueProcessing {
    /// The service (its records and job queue).
    pub service: RoomService,
    /// Period.
    pub period: Duration,
}

#[async_trait]
impl Job for RequeueProcessing {
    fn name(&self) -> &'static str {
        "requeue-processing"
    }
    fn period(&self) -> Duration {
        self.period
    }
    async fn run(&self) -> Result<usize, SignalError> {
        crate::recordings::requeue_processing(&self.service).await
    }
}

/// Deletes expired transfers with their bytes.
pub struct SweepExpiredTransfers {
    /// The transfer service.
    pub transfers: TransferService,
    /// Period.
    pub period: Duration,
}

#[async_trait]
impl Job for SweepExpiredTransfers {
    fn name(&self) -> &'static str {
        "sweep-expired-transfers"
    }
    fn period(&self) -> Duration {
        self.period
    }
    async fn run(&self) -> Result<usize, SignalError> {
        let n = self.transfers.sweep_expired().await?;
        if n > 0 {
            tracing::info!(transfers = n, "expired transfers deleted");
        }
        Ok(n)
    }
}

/// Closes, with `SESSION_LOST`, every settled local connection whose seat
/// the shared state no longer holds (the store lost its data, e.g. a Redis
/// restarted without persistence): its client rejoins and the room is
/// rebuilt, instead of the connection staying open and deaf. One room
/// read per room with local connections; a room the store cannot read
/// right now proves nothing and is skipped.
pub struct AuditSeats {
    /// The service.
    pub service: RoomService,
    /// The local connections.
    pub seats: Arc<dyn LocalSeats>,
    /// Connections younger than this may still be joining and are left.
    pub min_age: Duration,
    /// Period.
    pub period: Duration,
}

#[async_trait]
impl Job for AuditSeats {
    fn name(&self) -> &'static str {
        "audit-seats"
    }
    fn period(&self) -> Duration {
        self.period
    }
    async fn run(&self) -> Result<usize, SignalError> {
        let mut lost = 0;
        for (room_id, seats) in self.seats.settled_seats(self.min_age) {
            if seats.is_empty() {
                continue;
            }
            let room = match self.service.room(&room_id).await {
                Ok(r) => Some(r),
                Err(e) if e.code == ErrorCode::RoomNotFound => None,
                Err(_) => continue, // the store is away: nothing to conclude
            };
            for (user, connection) in seats {
                if !room.as_ref().is_some_and(|r| r.seats(&user, connection)) {
                    self.seats.close(connection, ErrorCode::SessionLost);
                    lost += 1;
                }
            }
        }
        if lost > 0 {
            tracing::warn!(
                connections = lost,
                "seats missing from the shared state; those clients were told to rejoin"
            );
        }
        Ok(lost)
    }
}

#[cfg(test)]
mod tests;
